#!/usr/bin/python3
# t/cleanup.py - cleanup(8) behaviour checked against what Postfix 3.7 does
# with the same input: missing headers added only for local clients
# (local_header_rewrite_clients = permit_inet_interfaces), message_drop_headers
# removed, message-id= logged, hopcount_limit, virtual alias expansion
# (recursive, self-reference, duplicates, loops), a vanished client leaves
# nothing queued.
import os
import re
import smtplib
import socket
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
inst = Instance('cleanup', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'texthash:$config_directory/vmailbox',
    'virtual_alias_domains': 'alias.test',
    'virtual_alias_maps': ('inline:{ {a@alias.test=b@alias.test}, {b@alias.test=a@alias.test}, '
                           '{self@virt.test=self@virt.test, carol@virt.test}, '
                           '{multi@alias.test=alice@virt.test, bob@virt.test, x@alias.test}, '
                           '{x@alias.test=alice@virt.test} }'),
})
inst.write('etc/vmailbox', 'alice@virt.test alice/\nbob@virt.test bob/\n'
           'carol@virt.test carol/\nself@virt.test self/\n')
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)


def send(rcpts, data, src='127.0.0.1', sender='s@remote.test'):
    s = inst.smtp(source_address=(src, 0))
    try:
        s.sendmail(sender, rcpts, data)
        return (250, '')
    except smtplib.SMTPDataError as e:
        return (e.smtp_code, e.smtp_error.decode())
    except smtplib.SMTPRecipientsRefused as e:
        return list(e.recipients.values())[0]
    finally:
        try:
            s.quit()
        except Exception:
            pass


def wait_msgs(box, n, timeout=20):
    return inst.wait_for(lambda: len(inst.maildir_messages(box)) >= n and
                         inst.maildir_messages(box), timeout=timeout) or []


# 1. Local client (127.0.0.1 is an inet_interfaces address): headers added,
#    in Postfix's order and spelling; dropped headers gone.
mark = inst.log_mark()
r = send(['alice@virt.test'],
         b'Subject: local\r\nReturn-Path: <x@y>\r\nBcc: hidden@example.com\r\n'
         b'Content-Length: 5\r\nX-Folded: a\r\n  b\r\n\r\nbody\r\n')
t.is_eq(r[0], 250, 'local message accepted')
m = inst.wait_log(r'postern/cleanup\[\d+\]: ([0-9A-F]+): message-id=<(\d{14})\.([0-9A-F]+)@mail\.test>$',
                  since=mark)
t.ok(m and m.group(1) == m.group(3), 'message-id=<YYYYMMDDhhmmss.ID@myhostname> logged')
msgs = wait_msgs('alice', 1)
t.is_eq(len(msgs), 1, 'delivered to alice')
if msgs:
    hdrs = msgs[0].split(b'\n\n', 1)[0].decode()
    names = [l.split(':', 1)[0] for l in hdrs.split('\n') if l and not l[0].isspace()]
    t.is_eq(names[-5:], ['Subject', 'X-Folded', 'Message-Id', 'Date', 'From'],
            'Message-Id, Date, From appended after the original headers')
    t.ok('\nX-Folded: a\n  b\n' in hdrs, 'folded header kept as is')
    t.ok('\nFrom: s@remote.test' in hdrs, 'From: is the envelope sender')
    t.like(hdrs, r'\nDate: \w{3}, [ \d]\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(\w+\)',
           'Date: in Postfix format')
    t.ok('Bcc:' not in hdrs and 'Content-Length' not in hdrs and 'x@y' not in hdrs,
         'Bcc, Content-Length, Return-Path (input) removed')
    t.ok(msgs[0].endswith(b'\n\nbody\n'), 'body intact')

# 2. Remote client (127.0.0.2): nothing added, message-id=<> logged.
mark = inst.log_mark()
r = send(['bob@virt.test'], b'just a body line\r\n', src='127.0.0.2')
t.is_eq(r[0], 250, 'remote message accepted')
t.ok(inst.wait_log(r'postern/cleanup\[\d+\]: [0-9A-F]+: message-id=<>$', since=mark),
     'message-id=<> logged for a remote client without Message-ID')
msgs = wait_msgs('bob', 1)
if msgs:
    t.ok(b'Message-Id' not in msgs[0] and b'\nDate:' not in msgs[0],
         'no headers added for a remote client')
    t.ok(msgs[0].endswith(b'\n\njust a body line\n'),
         'empty line inserted before a body that starts without one')
else:
    t.ok(False, 'remote message delivered')
    t.ok(False, 'remote message delivered')

# 3. An existing Message-ID is logged verbatim.
mark = inst.log_mark()
send(['bob@virt.test'], b'Message-ID:   <abc@def>  (comment)\r\nSubject: x\r\n\r\nb\r\n',
     src='127.0.0.2')
t.ok(inst.wait_log(r': message-id=<abc@def>  \(comment\)$', since=mark),
     'existing Message-ID logged as Postfix does')

# 4. hopcount_limit: 48 Received + smtpd's = 49 passes, 50 fails.
def hops(n):
    return b''.join(b'Received: from x%d\r\n' % i for i in range(n)) + b'Subject: hops\r\n\r\nb\r\n'


t.is_eq(send(['bob@virt.test'], hops(48), src='127.0.0.2')[0], 250, '49 Received: accepted')
mark = inst.log_mark()
r = send(['bob@virt.test'], hops(49), src='127.0.0.2')
t.is_eq(r, (554, '5.4.0 Error: too many hops'), '50 Received: rejected 554 5.4.0')
t.ok(inst.wait_log(r'postern/cleanup\[\d+\]: warning: [0-9A-F]+: message rejected: hopcount exceeded',
                   since=mark), 'hopcount warning logged')

# 5. Virtual aliases: loop -> 451 4.6.0; self-reference stops; duplicates once.
mark = inst.log_mark()
r = send(['a@alias.test'], b'Subject: loop\r\n\r\nb\r\n')
t.is_eq(r, (451, '4.6.0 Alias expansion error'), 'alias loop: 451 4.6.0 Alias expansion error')
t.ok(inst.wait_log(r'warning: [0-9A-F]+: unreasonable virtual_alias_maps map nesting for '
                   r'a@alias\.test -- message not accepted, try again later', since=mark),
     'alias loop warning logged')
r = send(['self@virt.test'], b'Subject: self\r\n\r\nb\r\n')
t.is_eq(r[0], 250, 'self-referencing alias accepted')
t.ok(wait_msgs('self', 1) and wait_msgs('carol', 1), 'self-reference kept plus its other target')
mark = inst.log_mark()
n_alice = len(inst.maildir_messages('alice'))
r = send(['multi@alias.test'], b'Subject: multi\r\n\r\nb\r\n')
t.is_eq(r[0], 250, 'multi alias accepted')
m = inst.wait_log(r'postern/qmgr\[\d+\]: [0-9A-F]+: from=<s@remote\.test>, size=\d+, nrcpt=(\d+) ',
                  since=mark)
t.ok(m and m.group(1) == '2', 'duplicates removed: nrcpt=2 (%s)' % (m and m.group(1)))
t.ok(inst.wait_log(r'to=<alice@virt\.test>, orig_to=<multi@alias\.test>', since=mark),
     'orig_to is the recipient before expansion')
time.sleep(1)
t.is_eq(len(inst.maildir_messages('alice')), n_alice + 1, 'alice got one copy')

# 6. A client that vanishes in the middle of DATA leaves nothing queued.
before = inst.queue_files('incoming')
mark = inst.log_mark()
sock = socket.create_connection(('127.0.0.1', inst.port), timeout=10)
f = sock.makefile('rb')
f.readline()
for cmd in (b'EHLO client.test', b'MAIL FROM:<s@remote.test>', b'RCPT TO:<alice@virt.test>', b'DATA'):
    sock.sendall(cmd + b'\r\n')
    while True:
        line = f.readline()
        if not line or line[3:4] != b'-':
            break
sock.sendall(b'Subject: half\r\n\r\npartial body\r\n')
time.sleep(0.5)
f.close()
sock.close()
t.ok(inst.wait_for(lambda: inst.queue_files('incoming') == before, timeout=10),
     'no half-written file left in incoming/')
t.ok(not re.search(r'cleanup\[\d+\]: (warning|error)', inst.log_text()[mark:]),
     'no cleanup warning for a vanished session (Postfix logs none)')

# 7. NUL bytes, as Postfix 3.7: a header line keeps only its text before
#    the NUL (the header's other lines stay); a NUL in a header name makes
#    that line the start of the body; body NULs are kept. Over SMTP and
#    through sendmail/pickup.
nul_msg = (b'Subject: before\x00after\r\nX-Fold: one\r\n two\x00three\r\n\tfour\r\n'
           b'X-Other: ok\r\n\r\nbody1\x00body2\r\nline2\r\n')
nul_want = b'\nSubject: before\nX-Fold: one\n two\n\tfour\nX-Other: ok\n\nbody1\x00body2\nline2\n'
nul_msg2 = b'X-First: 1\r\nX-Nul\x00Name: v\r\nX-After: 2\r\n\r\nbody\r\n'
nul_want2 = b'\nX-First: 1\n\nX-Nul\x00Name: v\nX-After: 2\n\nbody\n'
n_carol = len(inst.maildir_messages('carol'))
t.is_eq(send(['carol@virt.test'], nul_msg, src='127.0.0.2')[0], 250, 'NUL in a header: accepted')
msgs = wait_msgs('carol', n_carol + 1)
new_msgs = [m for m in msgs if b'X-Fold' in m]
t.ok(new_msgs and new_msgs[0].endswith(nul_want),
     'SMTP: header line cut at the NUL, its continuation kept, body NUL kept')
if new_msgs and not new_msgs[0].endswith(nul_want):
    t.diag(repr(new_msgs[0][-120:]))
t.is_eq(send(['carol@virt.test'], nul_msg2, src='127.0.0.2')[0], 250, 'NUL in a header name: accepted')
msgs = wait_msgs('carol', n_carol + 2)
new_msgs = [m for m in msgs if b'X-After' in m]
t.ok(new_msgs and new_msgs[0].endswith(nul_want2), 'SMTP: a NUL in a header name starts the body')
if os.path.exists(os.path.join(inst.bin, 'sendmail')):
    inst.sendmail(['-f', 's@remote.test', 'bob@virt.test'], input=nul_msg.replace(b'\r\n', b'\n'))
    msgs = inst.wait_for(lambda: [m for m in inst.maildir_messages('bob') if b'X-Fold' in m], timeout=20)
    t.ok(msgs and b'\nSubject: before\nX-Fold: one\n two\n\tfour\nX-Other: ok\n' in msgs[0]
         and msgs[0].endswith(b'\n\nbody1\x00body2\nline2\n'),
         'sendmail: header line cut at the NUL, body NUL kept')
    if msgs and not msgs[0].endswith(b'\n\nbody1\x00body2\nline2\n'):
        t.diag(repr(msgs[0]))
else:
    t.skip('sendmail NUL', 'no sendmail')

inst.stop()
t.done()
