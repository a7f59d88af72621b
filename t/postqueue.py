#!/usr/bin/python3
# t/postqueue.py - postqueue -p / -j / -f / -c against a running and a
# stopped instance: Postfix's layout, JSON keys, and messages.
import os, sys, re, json, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP

t = TAP()
inst = Instance('postqueue', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{alice@virt.test=alice/}',
    'relayhost': '[127.0.0.1]:9',
    'queue_run_delay': '300s',
    'minimal_backoff_time': '300s',
    'maximal_backoff_time': '600s',
})
HEADER = '-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n'
try:
    inst.start()
    r = inst.run('postqueue', '-p')
    t.is_eq((r.returncode, r.stdout), (0, 'Mail queue is empty\n'), 'empty queue')
    r = inst.run('postqueue', '-j')
    t.is_eq((r.returncode, r.stdout), (0, ''), 'empty queue, JSON')
    r = inst.run('postqueue', '-c', inst.etc, '-p')
    t.is_eq(r.stdout, 'Mail queue is empty\n', 'postqueue -c DIR')

    s = inst.smtp()
    s.sendmail('alice@virt.test', ['zed@remote.test', 'amy@remote.test'],
               b'Subject: q\r\n\r\nhello\r\n')
    s.sendmail('', ['nul@remote.test'], b'Subject: q2\r\n\r\nhello\r\n')
    s.quit()
    t.ok(inst.wait_for(lambda: len(os.listdir(os.path.join(inst.queue, 'deferred'))) == 2,
                       timeout=30), 'two messages deferred')
    r = inst.run('postqueue', '-p')
    out = r.stdout
    t.ok(out.startswith(HEADER), 'header line')
    blocks = out[len(HEADER):].split('\n\n')
    t.ok(re.match(r'^-- \d+ Kbytes in 2 Requests\.\n$', blocks[-1]) is not None, 'total line')
    ok = True
    for b in blocks[:-1]:
        lines = b.split('\n')
        m = re.match(r'^([0-9A-F]+)( +)(\d+) (\w\w\w \w\w\w [ \d]\d \d\d:\d\d:\d\d)  (\S+)$', lines[0])
        if not m or len(m.group(1)) + len(m.group(2)) + len(m.group(3)) != 19:
            ok = False
        if not re.match(r'^ *\(.*\)$', lines[1]):
            ok = False
        for l in lines[2:]:
            if not re.match(r'^ {41}\S+$', l):
                ok = False
    t.ok(ok, 'message blocks in Postfix layout')
    t.ok(re.search(r'^ {41}amy@remote\.test\n {41}zed@remote\.test$', out, re.M) is not None,
         'recipients sorted')
    t.ok(re.search(r'  MAILER-DAEMON$', out, re.M) is not None, 'null sender as MAILER-DAEMON')

    r = inst.run('postqueue', '-j')
    objs = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    t.is_eq(len(objs), 2, 'postqueue -j: one object per message')
    t.is_eq(list(objs[0].keys()) if objs else [],
            ['queue_name', 'queue_id', 'arrival_time', 'message_size', 'forced_expire',
             'sender', 'recipients'], 'postqueue -j keys in order')
    o = [x for x in objs if x['sender'] == 'alice@virt.test']
    t.ok(o and o[0]['queue_name'] == 'deferred' and o[0]['forced_expire'] is False
         and isinstance(o[0]['arrival_time'], int)
         and [x['address'] for x in o[0]['recipients']] == ['amy@remote.test', 'zed@remote.test']
         and all(x.get('delay_reason') for x in o[0]['recipients']), 'postqueue -j content')
    t.ok(r.stdout.startswith('{"queue_name": "deferred", "queue_id": "'), 'JSON spacing as Postfix')

    # Mail system down.
    inst.stop()
    r = inst.run('postqueue', '-p')
    t.ok('Mail system is down -- accessing queue directly' in r.stderr, 'down: warning')
    t.ok(r.stdout.startswith(HEADER) and 'in 2 Requests.' in r.stdout, 'down: queue read directly')
    r = inst.run('postqueue', '-f')
    t.is_eq(r.returncode, 69, 'down: postqueue -f exit status')
    t.ok('postqueue: fatal: Cannot flush mail queue - mail system is down' in r.stderr,
         'down: postqueue -f message')
    r = inst.sendmail(['-f', 'bob@virt.test', 'drop@remote.test'], input=b'Subject: m\n\nx\n')
    t.is_eq(r.returncode, 0, 'down: sendmail queues in maildrop')
    r = inst.run('postqueue', '-p')
    m = re.search(r'^-Queue ID-.*\n([0-9A-F]+) +\d+ .{19}  bob@virt\.test\n {41}drop@remote\.test\n\n',
                  r.stdout)
    t.ok(m is not None, 'down: maildrop message listed first')
    r = inst.run('postqueue', '-j')
    t.ok(r.stdout.startswith('{"queue_name": "maildrop"'), 'down: maildrop in JSON')
    d = os.path.join(inst.queue, 'deferred')
    qid = sorted(os.listdir(d))[0]
    os.rename(os.path.join(d, qid), os.path.join(inst.queue, 'hold', qid))
    r = inst.run('postqueue', '-p')
    t.ok(re.search(r'^%s!' % qid, r.stdout, re.M) is not None, 'held message marked !')
finally:
    inst.stop()
t.done()
