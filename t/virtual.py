#!/usr/bin/python3
# t/virtual.py - virtual(8): delivery into a Maildir and an mbox under
# virtual_mailbox_base; prepended headers in Postfix's order, content
# intact, file naming, ownership and modes; unknown users and forwarding
# loops bounced with Postfix's texts.
import os
import re
import stat
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
inst = Instance('virtual', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'texthash:$config_directory/vmailbox',
})
inst.write('etc/vmailbox', 'alice@virt.test alice/\nbob@virt.test bob.mbox\n'
           'carol@virt.test deep/er/carol/\nfifo@virt.test fifo.mbox\n'
           'locked@virt.test locked/sub/\n')
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

body = (b'Subject: virtual test\r\nFrom: a@src.test\r\n\r\nline1\r\n.dotline\r\n'
        b'From me\r\n8bit: \xc3\xa9\r\nlast\r\n')
s = inst.smtp()
s.sendmail('snd@src.test', ['alice@virt.test'], body, mail_options=['BODY=8BITMIME'])
s.sendmail('snd@src.test', ['Bob@Virt.test'], body, mail_options=['BODY=8BITMIME'])
s.sendmail('', ['carol@virt.test'], body)
s.quit()

t.ok(inst.wait_log(r'postern/virtual\[\d+\]: \w+: to=<alice@virt\.test>, relay=virtual, '
                   r'delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, '
                   r'status=sent \(delivered to maildir\)'),
     'maildir delivery logged as Postfix does')
t.ok(inst.wait_log(r'to=<Bob@Virt\.test>, relay=virtual, .*dsn=2\.0\.0, '
                   r'status=sent \(delivered to mailbox\)'),
     'mbox delivery logged')
t.ok(inst.wait_log(r'to=<carol@virt\.test>, relay=virtual, .*status=sent \(delivered to maildir\)'),
     'nested maildir path created')

msgs = inst.maildir_messages('alice')
t.is_eq(len(msgs), 1, 'one message in alice/new')
if msgs:
    m = msgs[0]
    lines = m.split(b'\n')
    t.is_eq(lines[0], b'Return-Path: <snd@src.test>', 'Return-Path first')
    t.is_eq(lines[1], b'X-Original-To: alice@virt.test', 'X-Original-To second')
    t.is_eq(lines[2], b'Delivered-To: alice@virt.test', 'Delivered-To third')
    t.ok(b'\nSubject: virtual test\n' in m, 'original headers kept')
    t.ok(m.endswith(b'\n\nline1\n.dotline\nFrom me\n8bit: \xc3\xa9\nlast\n'),
         'body intact: LF line ends, no dot-stuffing, no >From quoting, 8-bit bytes')
    d = os.path.join(inst.mail, 'alice', 'new')
    name = os.listdir(d)[0]
    t.like(name, r'^\d+\.V[0-9a-f]+I[0-9a-f]+M\d+\.[^/:]+$', 'Maildir file name TIME.VdevIinoMusec.host')
    st = os.stat(os.path.join(d, name))
    t.is_eq((st.st_uid, st.st_gid), (inst.uid, inst.gid), 'owner from virtual_uid_maps/virtual_gid_maps')
    t.is_eq(stat.S_IMODE(st.st_mode), 0o600, 'message mode 0600')
    t.is_eq(os.listdir(os.path.join(inst.mail, 'alice', 'tmp')), [], 'tmp/ left empty')
    t.ok(os.path.isdir(os.path.join(inst.mail, 'alice', 'cur')), 'cur/ created')
else:
    t.skip('maildir content', 'no message', 10)

mbox = os.path.join(inst.mail, 'bob.mbox')
try:
    with open(mbox, 'rb') as f:
        mb = f.read()
except OSError:
    mb = b''
t.like(mb.split(b'\n')[0].decode('latin-1'), r'^From snd@src\.test  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$',
       'mbox From_ line')
t.ok(b'\nReturn-Path: <snd@src.test>\nX-Original-To: Bob@Virt.test\nDelivered-To: Bob@Virt.test\n' in mb,
     'mbox prepended headers (Delivered-To as given)')
t.ok(mb.endswith(b'\n.dotline\n>From me\n8bit: \xc3\xa9\nlast\n\n'), 'mbox >From quoting and blank line at end')
if mb:
    st = os.stat(mbox)
    t.is_eq(st.st_uid, inst.uid, 'mbox owned by the virtual uid')
else:
    t.skip('mbox owner', 'no mbox')
t.ok(not os.path.exists(mbox + '.lock'), 'dotlock removed')

carol = inst.maildir_messages('deep/er/carol')
t.ok(carol and carol[0].startswith(b'Return-Path: <>\n'), 'null sender: Return-Path: <>')

# Unknown user (bypassing smtpd's recipient check) and a forwarding loop.
if os.path.exists(os.path.join(inst.bin, 'sendmail')):
    inst.sendmail(['-f', 'snd@src.test', 'nobody@virt.test'], input=b'Subject: x\n\nhi\n')
    t.ok(inst.wait_log(r'to=<nobody@virt\.test>, relay=virtual, .*dsn=5\.1\.1, '
                       r'status=bounced \(unknown user: "nobody@virt\.test"\)'),
         'unknown user bounced')
else:
    t.skip('unknown user', 'no sendmail yet')
s = inst.smtp()
s.sendmail('snd@src.test', ['alice@virt.test'],
           b'Delivered-To: alice@virt.test\r\nSubject: loop\r\n\r\nloop\r\n')
s.quit()
t.ok(inst.wait_log(r'to=<alice@virt\.test>, relay=virtual, .*dsn=5\.4\.6, '
                   r'status=bounced \(mail forwarding loop for alice@virt\.test\)'),
     'Delivered-To loop bounced')

# A FIFO where the mbox should be (a user can make one in a shared mail
# directory): refused at once, never an open() that blocks the agent.
fifo = os.path.join(inst.mail, 'fifo.mbox')
os.mkfifo(fifo, 0o666)
os.chmod(fifo, 0o666)
if os.geteuid() == 0:
    os.chown(fifo, inst.uid, inst.gid)
mark = inst.log_mark()
s = inst.smtp()
s.sendmail('snd@src.test', ['fifo@virt.test'], b'Subject: fifo\r\n\r\nfifo\r\n')
s.quit()
t.ok(inst.wait_log(r'to=<fifo@virt\.test>, relay=virtual, .*status=(deferred|bounced) '
                   r'\(cannot update mailbox ', since=mark),
     'mbox that is a FIFO: refused at once, not a hang')
s = inst.smtp()
s.sendmail('snd@src.test', ['alice@virt.test'], b'Subject: after\r\n\r\nafter\r\n')
s.quit()
t.ok(inst.wait_log(r'to=<alice@virt\.test>, relay=virtual, .*status=sent', since=mark),
     'virtual still delivers after the FIFO')

# A Maildir that cannot be created: deferred with Postfix's text and warnings.
locked = os.path.join(inst.mail, 'locked')
os.makedirs(locked)
os.chmod(locked, 0o555)
mark = inst.log_mark()
s = inst.smtp()
s.sendmail('snd@src.test', ['locked@virt.test'], b'Subject: locked\r\n\r\nlocked\r\n')
s.quit()
t.ok(inst.wait_log(r'to=<locked@virt\.test>, relay=virtual, .*dsn=4\.2\.0, status=deferred \(maildir '
                   r'delivery failed: create maildir file %s/sub/tmp/[^/ ]+: Permission denied\)$'
                   % re.escape(locked), since=mark),
     'maildir not creatable: deferred with Postfix\'s text')
t.ok(inst.wait_log(r'warning: maildir access problem for UID/GID=\d+/\d+: create maildir file '
                   r'%s/sub/tmp/[^/ ]+: Permission denied$' % re.escape(locked), since=mark)
     and inst.wait_log(r'warning: perhaps you need to create the maildirs in advance$', since=mark),
     'maildir access problem warnings as Postfix logs them')
t.done()
