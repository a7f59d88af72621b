#!/usr/bin/python3
# t/qmgr.py - queue manager integration test: next hop down -> deferred and
# listed with its reason; next hop up + postqueue -f -> delivered; recovery
# after kill -9 (a file left in active/ is delivered after restart, and a
# recipient already marked done is not delivered again).
import os, sys, re, time, signal, shutil
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP, SmtpSink, free_port

t = TAP()
sink_port = free_port()
inst = Instance('qmgr', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{alice@virt.test=alice/, bob@virt.test=bob/}',
    'relayhost': '[127.0.0.1]:%d' % sink_port,
    'transport_maps': 'inline:{nowhere.test=nosuch:}',
    # Long back-off: only postqueue -f may retry in this test.
    'queue_run_delay': '300s',
    'minimal_backoff_time': '300s',
    'maximal_backoff_time': '600s',
})
sink = None
try:
    inst.start()

    def queue_ids(q):
        d = os.path.join(inst.queue, q)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    # 1. Next hop down: deferred, with its reason in the listing.
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['far@remote.test'], b'Subject: one\r\n\r\nbody one\r\n')
    s.quit()
    m = inst.wait_log(r'to=<far@remote\.test>.*status=deferred', timeout=30)
    t.ok(m is not None, 'unreachable next hop: recipient deferred')
    t.ok(inst.wait_for(lambda: len(queue_ids('deferred')) == 1, timeout=10),
         'message moved to deferred/')
    ids = queue_ids('deferred')
    qid = ids[0] if ids else 'none'
    st = os.stat(os.path.join(inst.queue, 'deferred', qid)) if ids else None
    t.ok(st is not None and st.st_mtime > time.time() + 60,
         'next retry time kept as the file mtime')
    t.ok(os.path.exists(os.path.join(inst.queue, 'defer', qid)), 'defer log written')
    r = inst.run('postqueue', '-p')
    out = r.stdout
    t.ok(out.startswith('-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n'),
         'postqueue -p header')
    t.ok(re.search(r'^%s\s+\d+ \w\w\w \w\w\w [ \d]\d \d\d:\d\d:\d\d  alice@virt\.test$' % qid,
                   out, re.M) is not None, 'postqueue -p message line')
    t.ok(re.search(r'^\s*\(.+\)$', out, re.M) is not None, 'postqueue -p shows the defer reason')
    t.ok(re.search(r'^ {41}far@remote\.test$', out, re.M) is not None,
         'postqueue -p recipient line')
    t.ok(re.search(r'^-- \d+ Kbytes in 1 Request\.$', out, re.M) is not None,
         'postqueue -p total line')
    r = inst.run('postqueue', '-j')
    t.ok('"queue_name": "deferred"' in r.stdout and '"delay_reason": ' in r.stdout
         and '"queue_id": "%s"' % qid in r.stdout, 'postqueue -j shows the deferred message')
    t.ok(inst.wait_log(r'%s: from=<alice@virt\.test>, size=\d+, nrcpt=1 \(queue active\)' % qid,
                       timeout=1) is not None, 'queue active log line')

    # 2. Next hop up, postqueue -f: delivered and removed.
    sink = SmtpSink(port=sink_port)
    sink.start()
    mark = inst.log_mark()
    r = inst.run('postqueue', '-f')
    t.is_eq(r.returncode, 0, 'postqueue -f exits 0')
    t.ok(inst.wait_for(lambda: len(sink.messages) == 1, timeout=30), 'flushed message delivered')
    t.ok(inst.wait_log(r'%s: removed' % qid, timeout=10, since=mark) is not None,
         'delivered message removed')
    t.ok(not os.path.exists(os.path.join(inst.queue, 'defer', qid)), 'defer log removed')
    r = inst.run('postqueue', '-p')
    t.is_eq(r.stdout, 'Mail queue is empty\n', 'queue empty after delivery')

    # 3. Recovery after kill -9: one recipient done, one still to deliver.
    sink.stop()
    sink = None
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['bob@virt.test', 'far2@remote.test'],
               b'Subject: two\r\n\r\nbody two\r\n')
    s.quit()
    t.ok(inst.wait_log(r'to=<far2@remote\.test>.*status=deferred', timeout=30, since=mark)
         is not None, 'second message: remote recipient deferred')
    t.ok(inst.wait_for(lambda: len(queue_ids('deferred')) == 1, timeout=10),
         'second message in deferred/')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(os.path.join(inst.mail, 'bob'))) == 1,
                       timeout=10), 'local recipient delivered once')
    qid2 = queue_ids('deferred')[0] if queue_ids('deferred') else 'none'
    inst.kill_all(signal.SIGKILL)
    time.sleep(0.5)
    # What a crash in the middle of a delivery leaves behind.
    if qid2 != 'none':
        os.rename(os.path.join(inst.queue, 'deferred', qid2),
                  os.path.join(inst.queue, 'active', qid2))
    sink = SmtpSink(port=sink_port)
    sink.start()
    pidfile = os.path.join(inst.queue, 'pid', 'master.pid')
    if os.path.exists(pidfile):
        os.unlink(pidfile)
    inst.start()
    t.ok(inst.wait_for(lambda: len(sink.messages) == 1, timeout=30),
         'file left in active/ delivered after restart')
    t.ok(inst.wait_log(r'%s: removed' % qid2, timeout=10) is not None, 'and removed')
    time.sleep(1)
    t.is_eq(len(sink.messages), 1, 'remote recipient delivered exactly once')
    t.is_eq(len(inst.maildir_messages(os.path.join(inst.mail, 'bob'))), 1,
            'recipient marked done not delivered again')
    t.is_eq(queue_ids('active') + queue_ids('incoming') + queue_ids('deferred'), [],
            'queue empty')

    # 4. A corrupt file is quarantined in corrupt/ with a log line.
    mark = inst.log_mark()
    bad = os.path.join(inst.queue, 'incoming', 'BADF11E')
    with open(bad, 'wb') as f:
        f.write(b'this is not a queue file')
    os.chmod(bad, 0o700)
    os.chown(bad, inst.uid, inst.gid)
    inst.run('postqueue', '-f')
    t.ok(inst.wait_for(lambda: os.path.exists(os.path.join(inst.queue, 'corrupt', 'BADF11E')),
                       timeout=20), 'corrupt file moved to corrupt/')
    t.ok(inst.wait_log(r'warning: saving corrupt file "\w+/BADF11E" as "corrupt/BADF11E"',
                       timeout=5, since=mark) is not None, 'corrupt file logged')

    # 5. A transport nobody serves: deferred with a clear reason, no spinning.
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['x@nowhere.test'], b'Subject: nowhere\r\n\r\nx\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): to=<x@nowhere\.test>, relay=none, .*status=deferred '
                      r'\(mail transport unavailable\)', timeout=30, since=mark)
    t.ok(m is not None, 'unreachable transport: deferred (mail transport unavailable)')
    time.sleep(3)
    n = len(re.findall(r'to=<x@nowhere\.test>', inst.log_text()[mark:]))
    t.is_eq(n, 1, 'unreachable transport: tried once, no spinning')
finally:
    if sink:
        sink.stop()
    inst.stop()
t.done()
