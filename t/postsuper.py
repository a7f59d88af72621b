#!/usr/bin/python3
# t/postsuper.py - postsuper -d/-h/-H/-r and postcat -q on a queue of
# deferred messages: Postfix's output lines and exit codes, files moved
# and removed, malformed IDs refused.
import os
import re
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, free_port

t = TAP()
dead = free_port()			# nothing listens there: mail is deferred
inst = Instance('postsuper', main_cf={'relayhost': '[127.0.0.1]:%d' % dead})
try:
    inst.start(wait_smtp=False)
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

for i in range(3):
    r = inst.sendmail(['-f', 's@src.test', 'r%d@far.test' % i],
                      input=b'Subject: m%d\nX-Long: aaa\n\tbbb\n\nbody %d\n.dot\n' % (i, i))
    if r.returncode != 0:
        t.diag('sendmail: %s' % r.stderr)


def queued():
    return [os.path.basename(p) for p in inst.queue_files('deferred')]


ids = inst.wait_for(lambda: len(queued()) == 3 and queued(), timeout=30) or []
t.is_eq(len(ids), 3, 'three messages deferred')
if len(ids) < 3:
    inst.stop()
    t.bail_out('nothing to work on')
for i in ids:
    t.like(i, r'^[0-9A-F]{6,}$', 'queue ID %s is short upper-case hex' % i)

a, b, c = sorted(ids)
# postcat -q
r = inst.run('postcat', '-q', a)
t.is_eq(r.returncode, 0, 'postcat -q exits 0')
t.like(r.stdout, r'^\*\*\* ENVELOPE RECORDS deferred/%s \*\*\*\n' % a, 'postcat envelope marker')
t.like(r.stdout, r'\nsender: s@src\.test\n', 'postcat shows the sender')
t.like(r.stdout, r'\nrecipient: r\d@far\.test\n', 'postcat shows the recipient')
t.like(r.stdout, r'\*\*\* MESSAGE CONTENTS deferred/%s \*\*\*\n(.|\n)*\nX-Long: aaa\n\tbbb\n(.|\n)*\n\nbody \d\n\.dot\n'
       r'\*\*\* HEADER EXTRACTED deferred/%s \*\*\*\n(.|\n)*\*\*\* MESSAGE FILE END deferred/%s \*\*\*\n$'
       % (a, a, a), 'postcat content and end markers')
r = inst.run('postcat', '-bq', a)
t.like(r.stdout, r'^\nbody \d\n\.dot\n$', 'postcat -b shows the body from the empty line')
r = inst.run('postcat', '-q', 'NOSUCH')
t.is_eq(r.returncode, 1, 'postcat -q of a missing ID exits 1')
t.like(r.stderr, r'postcat: fatal: open queue file NOSUCH: No such file or directory',
       'postcat missing-file message')

# postsuper -h / -H
r = inst.run('postsuper', '-h', a)
t.is_eq(r.returncode, 0, 'postsuper -h exits 0')
t.is_eq(r.stderr, 'postsuper: %s: placed on hold\npostsuper: Placed on hold: 1 message\n' % a,
        'postsuper -h output')
t.ok(os.path.exists(os.path.join(inst.queue, 'hold', a)), 'file moved to hold/')
r = inst.run('postsuper', '-H', a)
t.is_eq(r.stderr, 'postsuper: %s: released from hold\npostsuper: Released from hold: 1 message\n' % a,
        'postsuper -H output')
t.ok(os.path.exists(os.path.join(inst.queue, 'deferred', a))
     or os.path.exists(os.path.join(inst.queue, 'active', a)),
     'file back in deferred/ (or already taken by qmgr)')
r = inst.run('postsuper', '-H', 'ABCDEF12345')
t.is_eq(r.stderr, 'postsuper: Released from hold: 0 messages\n', 'postsuper -H of a missing ID')

# postsuper -d
r = inst.run('postsuper', '-d', a)
t.is_eq((r.returncode, r.stderr), (0, 'postsuper: %s: removed\npostsuper: Deleted: 1 message\n' % a),
        'postsuper -d ID output')
t.ok(not os.path.exists(os.path.join(inst.queue, 'deferred', a)), 'file removed')
t.ok(not os.path.exists(os.path.join(inst.queue, 'defer', a)), 'defer log removed')
r = inst.run('postsuper', '-d', a)
t.is_eq(r.stderr, 'postsuper: Deleted: 0 messages\n', 'second delete: 0 messages')
r = inst.run('postsuper', '-d', '../etc/main.cf')
t.is_eq((r.returncode, r.stderr),
        (0, 'postsuper: warning: invalid mail queue id: ../etc/main.cf\npostsuper: Deleted: 0 messages\n'),
        'malformed ID refused')
t.ok(os.path.exists(os.path.join(inst.etc, 'main.cf')), 'nothing outside the queue touched')
r = inst.run('postsuper', '-d', 'ALL', 'bogus')
t.is_eq(r.returncode, 1, 'bad queue name: exit 1')
t.like(r.stderr, r'postsuper: fatal: invalid directory name: bogus', 'bad queue name message')
r = inst.run('postsuper', '-d', '-', input='%s\n' % b)
t.is_eq(r.stderr, 'postsuper: %s: removed\npostsuper: Deleted: 1 message\n' % b, 'postsuper -d - reads IDs')
r = inst.run('postsuper', '-d', 'ALL')
t.is_eq(r.stderr, 'postsuper: Deleted: 1 message\n', 'postsuper -d ALL: summary only')
t.is_eq(queued(), [], 'queue empty')
t.ok(inst.wait_log(r'postern/postsuper\[\d+\]: %s: removed' % a), 'removal logged')
r = inst.run('postqueue', '-p')
t.like(r.stdout, r'Mail queue is empty', 'mailq: queue empty')

inst.stop()
t.done()
