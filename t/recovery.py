#!/usr/bin/python3
"""t/recovery.py - qmgr start-up recovery of what dead writers left in
incoming/: an old temporary name (.tmp.*) and an old incomplete (mode
0600) queue file are removed with one log line each; fresh ones, and the
file of a cleanup that is writing right now, are left alone; a message
completed afterwards is delivered."""
import os
import re
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP  # noqa: E402

t = TAP()
inst = Instance('recovery', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{alice@virt.test=alice/}',
})
try:
    # Create the queue tree, then stop and plant a crash's leftovers.
    inst.start()
    inst.stop()
    incoming = os.path.join(inst.queue, 'incoming')
    now = time.time()

    def plant(name, mode, age, data=b'partial'):
        p = os.path.join(incoming, name)
        with open(p, 'wb') as f:
            f.write(data)
        os.chmod(p, mode)
        if os.geteuid() == 0:
            os.chown(p, inst.uid, inst.gid)
        os.utime(p, (now - age, now - age))
        return p

    old_tmp = plant('.tmp.99999.1', 0o600, 2 * 3600)
    new_tmp = plant('.tmp.99999.2', 0o600, 60)
    old_part = plant('0A1B2C3D4E', 0o600, 7 * 3600)
    new_part = plant('0A1B2C3D4F', 0o600, 600)

    mark = inst.log_mark()
    inst.start()
    m1 = inst.wait_log(r'warning: removing stale temporary file incoming/\.tmp\.99999\.1: '
                       r'not modified for \d+ seconds', since=mark)
    m2 = inst.wait_log(r'warning: 0A1B2C3D4E: removing incomplete queue file '
                       r'incoming/0A1B2C3D4E: not modified for \d+ seconds', since=mark)
    t.ok(m1 is not None, 'old temporary file: one warning line')
    t.ok(m2 is not None, 'old incomplete queue file: one warning line')
    t.ok(not os.path.exists(old_tmp), 'old temporary file removed')
    t.ok(not os.path.exists(old_part), 'old incomplete queue file removed')
    t.ok(os.path.exists(new_tmp), 'recent temporary file kept')
    t.ok(os.path.exists(new_part), 'recent incomplete queue file kept')
    text = inst.log_text()[mark:]
    t.is_eq(len(re.findall(r'removing (stale temporary|incomplete queue) file', text)), 2,
            'exactly one line per removed file')

    # A cleanup writing right now: its 0600 file survives qmgr scans.
    s = inst.smtp()
    s.mail('bob@virt.test')
    s.rcpt('alice@virt.test')
    s.putcmd('data')
    code, _ = s.getreply()
    t.is_eq(code, 354, 'DATA started')
    s.send(b'Subject: slow\r\n\r\n' + b'line of a slow message\r\n' * 2000)

    def writing():
        return [n for n in os.listdir(incoming)
                if not n.startswith('.') and n not in ('0A1B2C3D4F',)
                and (os.stat(os.path.join(incoming, n)).st_mode & 0o777) == 0o600]
    t.ok(inst.wait_for(lambda: writing(), timeout=20), 'a live cleanup writes a 0600 file')
    live = writing()
    # Wake qmgr several times (postqueue -f scans incoming/ and deferred/).
    for _ in range(3):
        inst.run('postqueue', '-f')
        time.sleep(0.5)
    t.ok(live and all(os.path.exists(os.path.join(incoming, n)) for n in live),
         'the file being written is not touched by qmgr scans')
    s.send(b'last line\r\n.\r\n')
    code, _ = s.getreply()
    t.is_eq(code, 250, 'the slow message is accepted')
    s.quit()
    t.ok(inst.wait_log(r'to=<alice@virt\.test>.*status=sent', timeout=30) is not None,
         'and delivered')
    t.ok(os.path.exists(new_part), 'recent incomplete file still kept after scans')
    text = inst.log_text()[mark:]
    t.is_eq(len(re.findall(r'removing (stale temporary|incomplete queue) file', text)), 2,
            'no other file removed')
finally:
    inst.stop()
t.done()
