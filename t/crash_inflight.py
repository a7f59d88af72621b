#!/usr/bin/python3
# t/crash_inflight.py - kill -9 of every process of an instance while
# deliveries to a (slow) next hop are in flight; after a restart every
# accepted message is delivered at least once (a message whose delivery
# was cut short may arrive twice: at-least-once), and the queue empties.
import sys, os, re, signal, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP, SmtpSink

N = 20
t = TAP()


def slow_data(_data):
    time.sleep(0.3)
    return '250 2.0.0 Ok: queued'


sink = SmtpSink(reply_data=slow_data).start()
inst = Instance('crashfly', main_cf={'relayhost': '[127.0.0.1]:%d' % sink.port})
try:
    inst.start()
except Exception as e:
    t.ok(False, 'instance starts: %s' % e)
    sink.stop()
    t.done()

accepted = []
s = inst.smtp()
s.ehlo()
for i in range(N):
    data = ('From: a@client.test\r\nTo: r@remote.test\r\nSubject: fly-%d\r\n\r\nmessage %d\r\n'
            % (i, i)).encode()
    if s.docmd('MAIL FROM:<a@client.test>')[0] != 250:
        break
    s.docmd('RCPT TO:<r@remote.test>')
    if s.data(data)[0] == 250:
        accepted.append(i)
t.is_eq(len(accepted), N, '%d messages accepted with 250' % N)
inst.wait_for(lambda: sink.connections > 0, timeout=10)
victims = inst.kill_all(signal.SIGKILL)
t.ok(victims, 'killed %d processes while deliveries were in flight' % len(victims))
t.is_eq(inst.pids(), [], 'no process of the instance left')
before = len(sink.messages)

try:
    inst.start()
    t.ok(True, 'instance restarts')
except Exception as e:
    t.ok(False, 'instance restarts: %s' % e)
    sink.stop()
    t.done()
inst.run('postqueue', '-f')


def subjects():
    out = []
    for _f, _r, data in list(sink.messages):
        m = re.search(rb'^Subject: fly-(\d+)\r?$', data, re.M)
        if m:
            out.append(int(m.group(1)))
    return out


inst.wait_for(lambda: len(set(subjects())) >= len(accepted), timeout=90)
got = subjects()
t.is_eq(sorted(set(got)), accepted, 'every accepted message delivered')
t.ok(inst.wait_for(lambda: not inst.queue_files(), timeout=30), 'queue is empty')
dups = len(got) - len(set(got))
t.diag('%d delivered before the kill, %d duplicates after the restart' % (before, dups))
t.ok(dups <= N, 'duplicates bounded by the messages in flight (%d)' % dups)
inst.stop()
sink.stop()
t.done()
