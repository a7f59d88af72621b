#!/usr/bin/python3
# t/local_diskfull.py - delivery onto a full file system (64 KiB tmpfs
# mounts, so root only): an mbox append that fails (virtual mailbox,
# local mailbox in mail_spool_directory, local file alias) is truncated
# back to the mailbox's original size and deferred with Postfix's text; a
# Maildir delivery that fails leaves nothing in new/ or tmp/ and is
# deferred.
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
fmbox = os.path.join(inst.mail, 'file.mbox')
inst.write('etc/aliases', 'filealias %s\n' % fmbox)
mounted = []
for d in (inst.mail, inst.spool):
    os.makedirs(d, exist_ok=True)
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'tmpfs', d],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        for m in mounted:
            subprocess.run(['umount', m])
        t.skip_all('cannot mount a tmpfs: %s' % r.stdout.decode(errors='replace'))
    mounted.append(d)
try:
    try:
        inst.start()
    except Exception as e:
        t.bail_out('instance did not start: %s' % e)
    small = b'Subject: small\r\n\r\nsmall\r\n'
    big = b'Subject: big\r\n\r\n' + (b'x' * 998 + b'\r\n') * 200
    dom = inst.myhostname
    D = re.escape(dom)
    s = inst.smtp()
    s.sendmail('snd@src.test', ['bob@virt.test'], small)
    s.sendmail('snd@src.test', ['alice@virt.test'], small)
    s.sendmail('snd@src.test', ['nobody@' + dom], small)
    s.sendmail('snd@src.test', ['filealias@' + dom], small)
    s.quit()
    t.ok(inst.wait_log(r'to=<bob@virt\.test>, relay=virtual, .*status=sent'), 'mbox: small message sent')
    t.ok(inst.wait_log(r'to=<alice@virt\.test>, relay=virtual, .*status=sent'), 'maildir: small message sent')
    t.ok(inst.wait_log(r'to=<nobody@%s>, relay=local, .*status=sent' % D), 'local mailbox: small message sent')
    t.ok(inst.wait_log(r'to=<filealias@%s>, relay=local, .*status=sent' % D), 'file alias: small message sent')
    mbox = os.path.join(inst.mail, 'bob.mbox')
    size = os.path.getsize(mbox)
    spool_mbox = os.path.join(inst.spool, 'nobody')
    sizes = {p: os.path.getsize(p) for p in (spool_mbox, fmbox)}

    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('snd@src.test', ['bob@virt.test'], big)
    s.sendmail('snd@src.test', ['alice@virt.test'], big)
    s.sendmail('snd@src.test', ['nobody@' + dom], big)
    s.sendmail('snd@src.test', ['filealias@' + dom], big)
    s.quit()
    t.ok(inst.wait_log(r'to=<nobody@%s>, relay=local, .*dsn=4\.3\.0, status=deferred \(cannot update '
                       r'mailbox %s for user nobody\. error writing message: No space left on device\)$'
                       % (D, re.escape(spool_mbox)), since=mark),
         'local mailbox: full file system defers, Postfix\'s text')
    t.ok(inst.wait_log(r'to=<filealias@%s>, relay=local, .*dsn=4\.3\.0, status=deferred \(cannot append '
                       r'message to file %s: error writing message: No space left on device\)$'
                       % (D, re.escape(fmbox)), since=mark),
         'file alias: full file system defers, Postfix\'s text')
    t.is_eq({p: os.path.getsize(p) for p in sizes}, sizes, 'local mailbox and file truncated back')
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
    t.is_eq(len(re.findall(r'^[0-9A-F]{10,}\*?\s', out, re.M)), 4, 'the big messages are still queued')
finally:
    inst.stop()
    for m in mounted:
        subprocess.run(['umount', m])
t.done()
