#!/usr/bin/python3
# t/local_diskfull.py - delivery onto a full file system (a 64 KiB tmpfs,
# so root only): an mbox append that fails is truncated back to the
# mailbox's original size and deferred, as Postfix does; a Maildir
# delivery that fails leaves nothing in new/ or tmp/ and is deferred.
import os
import re
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
if os.geteuid() != 0:
    t.skip_all('needs root to mount a tmpfs')
inst = Instance('diskfull', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'texthash:$config_directory/vmailbox',
})
inst.write('etc/vmailbox', 'alice@virt.test alice/\nbob@virt.test bob.mbox\n')
os.makedirs(inst.mail, exist_ok=True)
r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'tmpfs', inst.mail],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
if r.returncode != 0:
    t.skip_all('cannot mount a tmpfs: %s' % r.stdout.decode(errors='replace'))
try:
    try:
        inst.start()
    except Exception as e:
        t.bail_out('instance did not start: %s' % e)
    small = b'Subject: small\r\n\r\nsmall\r\n'
    big = b'Subject: big\r\n\r\n' + (b'x' * 998 + b'\r\n') * 200
    s = inst.smtp()
    s.sendmail('snd@src.test', ['bob@virt.test'], small)
    s.sendmail('snd@src.test', ['alice@virt.test'], small)
    s.quit()
    t.ok(inst.wait_log(r'to=<bob@virt\.test>, relay=virtual, .*status=sent'), 'mbox: small message sent')
    t.ok(inst.wait_log(r'to=<alice@virt\.test>, relay=virtual, .*status=sent'), 'maildir: small message sent')
    mbox = os.path.join(inst.mail, 'bob.mbox')
    size = os.path.getsize(mbox)

    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('snd@src.test', ['bob@virt.test'], big)
    s.sendmail('snd@src.test', ['alice@virt.test'], big)
    s.quit()
    t.ok(inst.wait_log(r'to=<bob@virt\.test>, relay=virtual, .*dsn=4\.3\.0, status=deferred '
                       r'\(delivery failed to mailbox %s: error writing message: '
                       r'No space left on device\)$' % re.escape(mbox), since=mark),
         'mbox: full file system defers (4.3.0), Postfix\'s text')
    t.is_eq(os.path.getsize(mbox), size, 'mbox truncated back to its original size')
    with open(mbox, 'rb') as f:
        t.ok(f.read().endswith(b'\nsmall\n\n'), 'mbox ends with the first message')
    t.ok(inst.wait_log(r'to=<alice@virt\.test>, relay=virtual, .*dsn=4\.3\.0, status=deferred '
                       r'\(maildir delivery failed: error writing message: No space left on device\)$',
                       since=mark),
         'maildir: full file system defers (4.3.0), Postfix\'s text')
    new = os.listdir(os.path.join(inst.mail, 'alice', 'new'))
    tmp = os.listdir(os.path.join(inst.mail, 'alice', 'tmp'))
    t.is_eq((len(new), tmp), (1, []), 'maildir: only the first message in new/, tmp/ empty')
    out = inst.run('postqueue', '-p').stdout
    t.is_eq(len(re.findall(r'^[0-9A-F]{10,}\*?\s', out, re.M)), 2, 'both big messages still queued')
finally:
    inst.stop()
    subprocess.run(['umount', inst.mail])
t.done()
