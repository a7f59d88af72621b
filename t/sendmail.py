#!/usr/bin/python3
# t/sendmail.py - local submission: sendmail -> postdrop -> maildrop/ ->
# pickup -> cleanup -> virtual Maildir; sendmail's options; mailq.
import sys, os, re, pwd
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP

t = TAP()
inst = Instance('sendmail', main_cf={'virtual_mailbox_domains': 'virt.test',
                                     'message_size_limit': '200000'})
inst.set_main_cf(virtual_mailbox_maps='texthash:%s/vmailbox' % inst.etc)
inst.write('etc/vmailbox', 'user@virt.test virt.test/user/\n'
                           'other@virt.test virt.test/other/\n'
                           'hidden@virt.test virt.test/hidden/\n')
uid = os.getuid()
login = pwd.getpwuid(uid).pw_name


def headers(msg):
    """Header names and values (unfolded) of a delivered message."""
    head = msg.split(b'\n\n', 1)[0].decode('utf-8', 'replace')
    out = []
    for line in head.split('\n'):
        if line[:1] in (' ', '\t') and out:
            out[-1] = (out[-1][0], out[-1][1] + ' ' + line.strip())
        elif ':' in line:
            n, v = line.split(':', 1)
            out.append((n, v.strip()))
    return out


def body(msg):
    return msg.split(b'\n\n', 1)[1] if b'\n\n' in msg else b''


def hval(msg, name):
    for n, v in headers(msg):
        if n.lower() == name.lower():
            return v
    return None


# Without a running instance: clear errors, nothing hangs.
r = inst.sendmail([], input=b'Subject: x\n\nx\n')
t.is_eq(r.returncode, 75, 'no recipients: exit status 75 (EX_TEMPFAIL)')
t.like(r.stderr, r'sendmail: fatal: %s\(%d\): Recipient addresses must be specified on the command line or via the -t option' % (re.escape(login), uid),
       'no recipients: Postfix\'s message')
r = inst.sendmail(['-t'], input=b'Subject: x\n\nx\n')
t.like(r.stderr, r'fatal: .*No recipient addresses found in message header', '-t without To/Cc/Bcc: Postfix\'s message')
t.is_eq(r.returncode, 75, '-t without recipients: exit 75')
t.is_eq(inst.queue_files('maildrop'), [], 'nothing left in maildrop/ after refused submissions')

try:
    inst.start()
except Exception as e:
    t.ok(False, 'instance starts: %s' % e)
    t.done()

# sendmail -t: To, Cc and Bcc recipients; Bcc removed; dot line ends input.
msg = (b'To: user@virt.test\nCc: Other Person <other@virt.test>\n'
       b'Bcc: hidden@virt.test\nSubject: t1\n\nbody line\n..dotdot\n.\nafter the dot\n')
mark = inst.log_mark()
r = inst.sendmail(['-t'], input=msg)
t.is_eq((r.returncode, r.stderr), (0, ''), 'sendmail -t exits 0 silently')
for box in ('user', 'other', 'hidden'):
    got = inst.wait_for(lambda: inst.maildir_messages('virt.test/%s' % box), timeout=20)
    t.is_eq(len(got or []), 1, 'sendmail -t delivered to %s@virt.test' % box)
m = (inst.maildir_messages('virt.test/user') or [b''])[0]
t.ok(hval(m, 'Bcc') is None, 'Bcc: header removed')
t.is_eq(hval(m, 'Subject'), 't1', 'Subject kept')
t.is_eq(body(m), b'body line\n..dotdot\n', 'a lone "." ends the input; ".." is not unstuffed')
t.ok(hval(m, 'Message-Id') or hval(m, 'Message-ID'), 'Message-Id added')
t.ok(hval(m, 'Date'), 'Date added')
t.like(hval(m, 'From') or '', r'(^|<)%s@mail\.test>?$' % re.escape(login), 'From: added with the login name @ myorigin')
t.like(hval(m, 'Received') or '', r'^by mail\.test \(\S+, from userid %d\) id [0-9A-Za-z]+; ' % uid,
       'Received: by mail.test (..., from userid N) id ID; date')
t.like(hval(m, 'Return-Path') or '', r'^<%s@mail\.test>$' % re.escape(login), 'envelope sender is login@myorigin')
# Header order as Postfix 3.7 delivers the same submission.
names = [n for n, _ in headers(m)]
t.is_eq(names, ['Return-Path', 'X-Original-To', 'Delivered-To', 'Received', 'To', 'Cc',
                'Subject', 'Message-Id', 'Date', 'From'], 'header order as Postfix')
mm = inst.wait_log(r'postern/pickup\[\d+\]: ([0-9A-Za-z]+): uid=%d from=<%s>$' % (uid, re.escape(login)),
                   since=mark, timeout=10)
t.ok(mm, 'pickup logs "ID: uid=N from=<login>"')
if mm:
    t.ok(inst.wait_log(r'%s: from=<%s@mail\.test>, size=\d+, nrcpt=3 \(queue active\)'
                       % (mm.group(1), re.escape(login)), since=mark, timeout=10),
         'qmgr: from=<login@mail.test>, nrcpt=3')
else:
    t.skip('qmgr log line', 'no pickup line')

# -f, -F, recipients on the command line, -i.
mark = inst.log_mark()
r = inst.sendmail(['-i', '-f', 'sender@x.test', '-F', 'Full Name', 'user@virt.test'],
                  input=b'Subject: t2\n\nline\n.\nafter dot\n')
t.is_eq(r.returncode, 0, 'sendmail -i -f -F rcpt exits 0')
got = inst.wait_for(lambda: len(inst.maildir_messages('virt.test/user')) >= 2, timeout=20)
msgs = [x for x in inst.maildir_messages('virt.test/user') if hval(x, 'Subject') == 't2']
t.is_eq(len(msgs), 1, 'recipient on the command line: delivered')
m = msgs[0] if msgs else b''
t.is_eq(hval(m, 'Return-Path'), '<sender@x.test>', '-f sets the envelope sender')
t.is_eq(hval(m, 'From'), 'Full Name <sender@x.test>', '-F sets the full name of From:')
t.is_eq(body(m), b'line\n.\nafter dot\n', '-i: a lone "." is data')
t.ok(inst.wait_log(r'pickup\[\d+\]: [0-9A-Za-z]+: uid=%d from=<sender@x\.test>' % uid, since=mark, timeout=10),
     'pickup logs from=<sender@x.test>')

# Several recipients in one argument, CRLF input, -oi.
r = inst.sendmail(['-oi', 'user@virt.test, "Other" <other@virt.test>'],
                  input=b'Subject: t3\r\n\r\nfirst\r\n.\r\n')
t.is_eq(r.returncode, 0, 'address list argument, CRLF input: exit 0')
inst.wait_for(lambda: any(hval(x, 'Subject') == 't3' for x in inst.maildir_messages('virt.test/other')), timeout=20)
m = [x for x in inst.maildir_messages('virt.test/other') if hval(x, 'Subject') == 't3']
t.is_eq(len(m), 1, 'second address of the list delivered')
t.is_eq(body(m[0]) if m else None, b'first\n.\n', 'CRLF converted to LF; -oi keeps the dot line')

# A leading Unix "From " line is dropped; group syntax with -t; long lines.
long_line = b'z' * 5000
r = inst.sendmail(['-t'], input=b'From someone@x Mon Jan  1 00:00:00 2024\n'
                  b'To: friends: other@virt.test, (c) "O" <other@virt.test>;\nSubject: t4\n\n'
                  + long_line + b'\n')
t.is_eq(r.returncode, 0, 'From_ line, group syntax: exit 0')
inst.wait_for(lambda: any(hval(x, 'Subject') == 't4' for x in inst.maildir_messages('virt.test/other')), timeout=20)
m = [x for x in inst.maildir_messages('virt.test/other') if hval(x, 'Subject') == 't4']
t.is_eq(len(m), 1, '-t with group syntax: delivered once')
t.ok(m and not m[0].startswith(b'From ') and b'\nFrom someone' not in m[0], 'leading "From " line dropped')
t.ok(m and body(m[0]) == long_line + b'\n', 'a 5000-byte line arrives whole')

# A bare CR inside a line becomes a space, in headers and body (as Postfix
# 3.7 stores the same submission); the CR of CRLF is just a line end.
r = inst.sendmail(['user@virt.test'],
                  input=b'Subject: t5 cr\rtest\n\nline one\rmid\nend\rx\r\n')
t.is_eq(r.returncode, 0, 'bare CR in lines: exit 0')
inst.wait_for(lambda: any((hval(x, 'Subject') or '').startswith('t5')
                          for x in inst.maildir_messages('virt.test/user')), timeout=20)
m = [x for x in inst.maildir_messages('virt.test/user') if (hval(x, 'Subject') or '').startswith('t5')]
t.is_eq(hval(m[0], 'Subject') if m else None, 't5 cr test', 'bare CR in a header: a space')
t.is_eq(body(m[0]) if m else None, b'line one mid\nend x\n', 'bare CR in the body: a space')
t.ok(m and b'\r' not in m[0], 'no CR left in the delivered message')

# user@localhost stays user@localhost at compatibility_level 3.6
# (append_dot_mydomain = no), as in Postfix.
mark = inst.log_mark()
r = inst.sendmail(['-f', 'user@virt.test', 'user@localhost'], input=b'Subject: t6\n\nx\n')
t.is_eq(r.returncode, 0, 'mail to user@localhost: exit 0')
mm = inst.wait_log(r'to=<user@localhost[^>]*>', since=mark, timeout=20)
t.is_eq(mm.group(0) if mm else None, 'to=<user@localhost>',
        'user@localhost is not rewritten to user@localhost.$mydomain')

# Rejected by cleanup for good (hopcount_limit): bounced to the sender as
# Postfix does (to=... status=bounced (too many hops), then a non-delivery
# notification), not silently dropped; nothing left behind.
mark = inst.log_mark()
hops = b''.join(b'Received: from h%d by x; Mon, 1 Jan 2024 00:00:00 +0000\n' % i for i in range(60))
r = inst.sendmail(['-f', 'hidden@virt.test', 'user@virt.test'], input=hops + b'Subject: t7 hops\n\nbody\n')
t.is_eq(r.returncode, 0, 'too many hops: sendmail exits 0 (pickup finds out)')
mm = inst.wait_log(r'pickup\[\d+\]: ([0-9A-Za-z]+): uid=%d from=<hidden@virt\.test>' % uid,
                   since=mark, timeout=20)
qid = mm.group(1) if mm else 'NONE'
t.ok(inst.wait_log(r'%s: to=<user@virt\.test>, relay=none, delay=[\d.]+, delays=[\d./]+, '
                   r'dsn=5\.4\.0, status=bounced \(too many hops\)' % qid, since=mark, timeout=20),
     'too many hops: "to=<...>, relay=none, ..., dsn=5.4.0, status=bounced (too many hops)"')
t.ok(inst.wait_log(r'%s: sender non-delivery notification: [0-9A-Za-z]+' % qid, since=mark, timeout=20),
     'too many hops: sender non-delivery notification')
ndr = inst.wait_for(lambda: [x for x in inst.maildir_messages('virt.test/hidden')
                             if b'X-Postfix-Queue-ID: ' + qid.encode() in x], timeout=20)
t.ok(ndr and b'Status: 5.4.0' in ndr[0] and b'Subject: t7 hops' in ndr[0],
     'the sender gets the report with the returned message')
t.ok(inst.wait_for(lambda: not inst.queue_files('maildrop') and not inst.queue_files('incoming'),
                   timeout=20), 'nothing left in maildrop/ or incoming/')
t.ok(not re.search(r'message rejected: .*; removed', inst.log_text()[mark:]),
     'no longer dropped with a warning')

# Larger than message_size_limit: refused like Postfix, nothing queued.
r = inst.sendmail(['user@virt.test'], input=b'Subject: big\n\n' + (b'y' * 99 + b'\n') * 3000)
t.is_eq(r.returncode, 75, 'too big: exit 75')
t.is_eq(r.stderr, 'sendmail: fatal: %s(%d): message file too big\n' % (login, uid),
        'too big: Postfix\'s message, nothing from postdrop')
t.is_eq(inst.queue_files('maildrop'), [], 'too big: nothing left in maildrop/')

# postdrop refuses malformed input and leaves nothing behind.
for bad, what in ((b'garbage', 'garbage'),
                  (b'S\0\0\0\x01aR\0\0\0\x01bM\0\0\0\0N\0\0\0\x02hi', 'no end of message'),
                  (b'R\0\0\0\x01bS\0\0\0\x01a', 'recipient before sender'),
                  (b'S\0\0\0\x01aR\0\0\0\x01bM\0\0\0\0X\0\0\0\0E\0\0\0\0', 'data after X')):
    r = inst.run('postdrop', input=bad)
    t.ok(r.returncode == 65 and 'postdrop: fatal: uid=%d: ' % uid in r.stderr,
         'postdrop refuses %s (exit %s)' % (what, r.returncode))

# Everything was picked up.
t.ok(inst.wait_for(lambda: not inst.queue_files('maildrop'), timeout=10), 'maildrop/ is empty')

# mailq, sendmail -bp with an empty queue.
inst.wait_for(lambda: not inst.queue_files(), timeout=20)
r = inst.run('mailq')
t.is_eq((r.returncode, r.stdout), (0, 'Mail queue is empty\n'), 'mailq: Mail queue is empty')
r = inst.sendmail(['-bp'])
t.is_eq((r.returncode, r.stdout), (0, 'Mail queue is empty\n'), 'sendmail -bp: Mail queue is empty')

# newaliases with a texthash alias_database: refused like Postfix's postalias.
r = inst.run('newaliases')
t.ok(r.returncode != 0 and 'does not support bulk-mode creation' in r.stderr,
     'newaliases: texthash needs no build (Postfix: unsupported dictionary type)')

inst.stop()
t.done()
