#!/usr/bin/python3
# t/cleanup_diskfull.py - the queue file system fills up while cleanup
# writes a message (the queue on a 128 KiB tmpfs, so root only): the client
# gets Postfix's "451 4.3.0 Error: queue file write error", nothing is
# left in incoming/, and smtpd and cleanup go on serving: a small message
# right after is accepted and delivered.
import os
import smtplib
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
if os.geteuid() != 0:
    t.skip_all('needs root to mount a tmpfs')
inst = Instance('cleanup_diskfull', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{ {u@virt.test=u/} }',
})
incoming = os.path.join(inst.queue, 'incoming')
st = os.stat(inst.queue)
r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=128k,mode=%o,uid=%d,gid=%d'
                    % (st.st_mode & 0o7777, st.st_uid, st.st_gid), 'tmpfs', inst.queue],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
if r.returncode != 0:
    t.skip_all('cannot mount a tmpfs: %s' % r.stdout.decode(errors='replace'))
try:
    try:
        inst.start()
    except Exception as e:
        t.bail_out('instance did not start: %s' % e)
    big = b'Subject: big\r\n\r\n' + (b'x' * 998 + b'\r\n') * 300
    s = inst.smtp()
    try:
        s.sendmail('snd@src.test', ['u@virt.test'], big)
        got = (250, b'accepted')
    except smtplib.SMTPDataError as e:
        got = (e.smtp_code, e.smtp_error)
    t.is_eq(got, (451, b'4.3.0 Error: queue file write error'), 'queue full: 451 4.3.0 at end of DATA')
    t.is_eq(s.noop()[0], 250, 'the session goes on')
    s.quit()
    t.is_eq(os.listdir(incoming), [], 'nothing left in incoming/')
    t.ok(inst.wait_log(r'warning: \w+: write queue file: No space left on device'),
         'write error logged by cleanup')
    s = inst.smtp()
    t.is_eq(s.sendmail('snd@src.test', ['u@virt.test'], b'Subject: small\r\n\r\nsmall\r\n'), {},
            'a small message is accepted after that')
    s.quit()
    t.ok(inst.wait_log(r'to=<u@virt\.test>, relay=virtual, .*status=sent'), 'and delivered')
finally:
    inst.stop()
    subprocess.run(['umount', inst.queue])
t.done()
