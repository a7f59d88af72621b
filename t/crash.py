#!/usr/bin/python3
# t/crash.py - kill -9 of every process of an instance right after a batch
# of 250 replies (the next hop is down, so the messages sit in the queue);
# restart, bring the next hop up: every accepted message is delivered,
# exactly once, and the queue ends up empty.
import sys, os, re, signal, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP, SmtpSink, free_port

N = 20
t = TAP()
sink_port = free_port()
inst = Instance('crash', main_cf={
    'relayhost': '[127.0.0.1]:%d' % sink_port,
})
try:
    inst.start()
except Exception as e:
    t.ok(False, 'instance starts: %s' % e)
    t.done()

accepted = []
s = inst.smtp()
s.ehlo()
for i in range(N):
    data = ('From: a@client.test\r\nTo: r@remote.test\r\nSubject: crash-%d\r\n'
            'Message-ID: <crash-%d@client.test>\r\n\r\nmessage %d\r\n' % (i, i, i)).encode()
    code, resp = s.docmd('MAIL FROM:<a@client.test>')
    if code != 250:
        break
    s.docmd('RCPT TO:<r%d@remote.test>' % (i % 3))
    code, resp = s.data(data)
    if code == 250:
        accepted.append(i)
t.is_eq(len(accepted), N, '%d messages accepted with 250' % N)

# kill -9 everything of the instance, right now (no QUIT first).
victims = inst.kill_all(signal.SIGKILL)
try:
    s.sock.close()
except OSError:
    pass
t.ok(len(victims) >= 1, 'killed %d processes of the instance' % len(victims))
t.is_eq(inst.pids(), [], 'no process of the instance left')
t.ok(len(inst.queue_files()) >= 1, 'messages are on disk after the crash (%d files)' % len(inst.queue_files()))

# Restart with the next hop up.
sink = SmtpSink(port=sink_port).start()
try:
    inst.start()
    t.ok(True, 'instance restarts after kill -9 (stale pid file)')
except Exception as e:
    t.ok(False, 'instance restarts after kill -9: %s' % e)
    sink.stop()
    t.done()
inst.run('postqueue', '-f')

def subjects():
    out = []
    for _f, _r, data in list(sink.messages):
        m = re.search(rb'^Subject: crash-(\d+)\r?$', data, re.M)
        if m:
            out.append(int(m.group(1)))
    return out

inst.wait_for(lambda: len(set(subjects())) >= len(accepted), timeout=60)
time.sleep(3)          # give duplicates a chance to show up
got = subjects()
t.is_eq(sorted(set(got)), accepted, 'every accepted message delivered')
dups = sorted(x for x in set(got) if got.count(x) > 1)
t.is_eq(dups, [], 'no message delivered twice')
t.ok(inst.wait_for(lambda: not inst.queue_files(), timeout=20), 'queue is empty')
envs = set((f, tuple(r)) for f, r, _d in sink.messages)
t.ok(all(f == 'a@client.test' for f, _r in envs), 'envelope sender intact')
inst.stop()
sink.stop()
t.done()
