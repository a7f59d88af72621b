#!/usr/bin/python3
# t/smtpd_ext.py - the SMTP server's ESMTP extensions against a running
# instance, with the replies of Postfix 3.7: the EHLO keyword list,
# CHUNKING (BDAT: chunks, LAST, size limit, errors, bare LF/CR, mixing
# with DATA, the disconnect statistics) and ETRN.
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, free_port
from smtp_client import Client

t = TAP()

port_lim = free_port()
port_lf = free_port()
inst = Instance('smtpd_ext', main_cf={
    'compatibility_level': '3.6',
    'mynetworks': '127.0.0.1/32',
    'smtpd_error_sleep_time': '0s',
    'smtpd_forbid_bare_newline_exclusions': '',
    'relay_domains': 'relay.test',
    'relayhost': '[127.0.0.1]:9',
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{ {u@virt.test=u/}, {v@virt.test=v/}, {w@virt.test=w/} }',
}, master_cf_extra='''
127.0.0.1:%d inet n - n - - smtpd
  -o message_size_limit=1000
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_forbid_bare_newline=no
''' % (port_lim, port_lf))
inst.start()
P = inst.port


def envelope(c, rcpt='u@virt.test'):
    c.cmd('MAIL FROM:<s@example.org>')
    return c.cmd('RCPT TO:<%s>' % rcpt)


# ---- EHLO lists the extensions in Postfix's order
c = Client(P)
c.send(b'EHLO client.test\r\n')
t.is_eq(c.reply(), ['250-mail.test', '250-PIPELINING', '250-SIZE 10240000', '250-VRFY',
                    '250-ETRN', '250-ENHANCEDSTATUSCODES', '250-8BITMIME',
                    '250-DSN', '250-SMTPUTF8', '250 CHUNKING'],
        'EHLO lists ETRN and CHUNKING where Postfix does')

# ---- ETRN without a flush service, as Postfix without fast_flush_domains
t.is_eq(c.cmd('ETRN example.com'), '459 <example.com>: service unavailable',
        'ETRN: 459 service unavailable')
t.is_eq(c.cmd('ETRN'), '500 Syntax: ETRN domain', 'ETRN without domain')

# ---- BDAT: two chunks and LAST; content stored exactly, no dot-unstuffing
mark = inst.log_mark()
t.is_eq(envelope(c), '250 2.1.5 Ok', 'envelope for BDAT')
c.send(b'BDAT 22\r\nSubject: chunked\r\n\r\nhe')
t.is_eq(c.reply(), ['250 2.0.0 Ok: 22 bytes'], 'first chunk: 250 Ok: N bytes')
t.is_eq(c.cmd('DATA'), '503 5.5.1 Error: DATA after BDAT', 'DATA after BDAT')
t.is_eq(c.cmd('MAIL FROM:<x@y>'), '503 5.5.1 Error: MAIL after BDAT', 'MAIL after BDAT')
t.is_eq(c.cmd('RCPT TO:<v@virt.test>'), '503 5.5.1 Error: RCPT after BDAT', 'RCPT after BDAT')
c.send(b'BDAT 16\r\nllo\r\n.dot\r\nend\r\n')
t.is_eq(c.reply(), ['250 2.0.0 Ok: 16 bytes'], 'second chunk')
c.send(b'BDAT 0 LAST\r\n')
r = c.reply()[-1]
m = re.match(r'250 2\.0\.0 Ok: 38 bytes queued as ([0-9A-F]+)$', r)
t.ok(m, 'BDAT 0 LAST: 250 2.0.0 Ok: 38 bytes queued as ID (%s)' % r)
qid = m.group(1) if m else 'NONE'
msgs = inst.wait_for(lambda: inst.maildir_messages('u'), timeout=20)
body = msgs[0].decode('latin-1') if msgs else ''
t.like(body, r'(?m)^Received: from client\.test \(unknown \[127\.0\.0\.1\]\)\n'
       r'\tby mail\.test \(postern\) with ESMTP id %s\n\tfor <u@virt\.test>; ' % qid,
       'Received: says with ESMTP')
t.ok('Subject: chunked\n' in body and '\n\nhello\n.dot\nend\n' in body,
     'content stored as sent, a leading dot kept')

# ---- a chunk with LAST, and a last line without CRLF
t.is_eq(envelope(c, 'v@virt.test'), '250 2.1.5 Ok', 'envelope for BDAT LAST')
c.send(b'BDAT 20 LAST\r\nSubject: one\r\n\r\nbody')
t.like(c.reply()[-1], r'^250 2\.0\.0 Ok: 22 bytes queued as [0-9A-F]+$',
       'single BDAT LAST; a partial last line counts 2 more, as Postfix')
msgs = inst.wait_for(lambda: inst.maildir_messages('v'), timeout=20)
t.ok(msgs and msgs[0].endswith(b'\n\nbody\n'), 'unterminated last line stored as a line')

# ---- out of order and malformed BDAT
t.is_eq(c.cmd('RSET'), '250 2.0.0 Ok', 'RSET')
c.send(b'BDAT 5\r\nhello')
t.is_eq(c.reply(), ['503 5.5.1 Error: need RCPT command'], 'BDAT before MAIL: chunk read and refused')
t.is_eq(c.cmd('MAIL FROM:<a@b>'), '503 5.5.1 Error: MAIL after BDAT', 'MAIL after a failed BDAT')
c.send(b'BDAT 3\r\nabc')
t.is_eq(c.reply(), ['551 5.0.0 Discarded 3 bytes after earlier error'], 'chunks discarded after an error')
c.send(b'BDAT 0 LAST\r\n')
t.is_eq(c.reply(), ['551 5.0.0 Discarded 0 bytes after earlier error'], 'LAST chunk discarded too')
t.is_eq(c.cmd('MAIL FROM:<a@b>'), '250 2.1.0 Ok', 'new transaction after LAST')
t.is_eq(c.cmd('RCPT TO:<nobody@virt.test>')[:3], '550', 'unknown recipient')
c.send(b'BDAT 3 LAST\r\nabc')
t.is_eq(c.reply(), ['554 5.5.1 Error: no valid recipients'], 'BDAT without valid recipients')
t.is_eq(c.cmd('MAIL FROM:<a@b>'), '250 2.1.0 Ok', 'MAIL after a refused LAST chunk')
t.is_eq(c.cmd('RSET'), '250 2.0.0 Ok', 'RSET')
mark = inst.log_mark()
t.is_eq(c.cmd('BDAT 3 FOO'), '521 5.5.4 Syntax: BDAT count [LAST]', 'bad BDAT syntax: 521')
t.ok(c.closed(), '521 closes the connection')
c.close()
t.ok(inst.wait_log(r'warning: NOQUEUE: malformed BDAT command syntax from unknown\[127\.0\.0\.1\]: '
                   r'BDAT 3 FOO$', since=mark), 'malformed BDAT logged')
t.ok(inst.wait_log(r'disconnect from unknown\[127\.0\.0\.1\] ehlo=1 mail=4/6 rcpt=2/4 data=0/1 '
                   r'bdat=4/9 rset=2 etrn=0/2 commands=13/25$', since=mark),
     'disconnect line counts bdat=N/M')
for bad in ('BDAT', 'BDAT x', 'BDAT -1', 'BDAT 3 LAST X'):
    c = Client(P)
    t.is_eq(c.cmd(bad), '521 5.5.4 Syntax: BDAT count [LAST]', '521 for %r' % bad)
    c.close()

# ---- message_size_limit across chunks
c = Client(port_lim)
c.cmd('EHLO client.test')
envelope(c, 'w@virt.test')
c.send(b'BDAT 600\r\n' + b'a' * 598 + b'\r\n')
t.is_eq(c.reply(), ['250 2.0.0 Ok: 600 bytes'], 'first chunk within the limit')
mark = inst.log_mark()
c.send(b'BDAT 600\r\n' + b'a' * 598 + b'\r\n')
t.is_eq(c.reply(), ['552 5.3.4 Chunk exceeds message size limit'], 'chunk beyond message_size_limit')
t.ok(inst.wait_log(r'warning: [0-9A-F]+: BDAT request from unknown\[127\.0\.0\.1\] exceeds '
                   r'message size limit$', since=mark), 'size limit warning logged')
c.send(b'BDAT 3 LAST\r\nabc')
t.is_eq(c.reply(), ['551 5.0.0 Discarded 3 bytes after earlier error'], 'rest discarded')
t.is_eq(c.cmd('QUIT'), '221 2.0.0 Bye', 'session goes on')
c.close()

# ---- bare LF / bare CR in BDAT content: rejected like DATA by default
before = inst.queue_files()
for data, which in ((b'Subj: x\nyy\r\n', 'LF'), (b'Subj: x\ryy\r\n', 'CR')):
    c = Client(P)
    c.cmd('EHLO client.test')
    envelope(c)
    c.send(b'BDAT %d LAST\r\n' % len(data) + data)
    t.is_eq(c.reply(), ['550 5.5.2 mail.test Error: bare <%s> received' % which],
            'bare %s in BDAT rejected (smtpd_forbid_bare_newline = reject)' % which)
    t.is_eq(c.cmd('MAIL FROM:<a@b>'), '250 2.1.0 Ok', 'session goes on after bare %s' % which)
    c.close()
t.is_eq([f for f in inst.queue_files() if f not in before], [], 'nothing queued after bare LF/CR')

# ---- smtpd_forbid_bare_newline = no: a bare LF ends a line, counted as Postfix does
c = Client(port_lf)
c.cmd('EHLO client.test')
envelope(c, 'w@virt.test')
c.send(b'BDAT 12 LAST\r\nSubj: x\nyy\r\n')
t.like(c.reply()[-1], r'^250 2\.0\.0 Ok: 13 bytes queued as [0-9A-F]+$', 'bare LF accepted as a line end')
c.close()
msgs = inst.wait_for(lambda: inst.maildir_messages('w'), timeout=20)
t.ok(msgs and b'\nSubj: x\n' in msgs[0] and msgs[0].endswith(b'\nyy\n'),
     'bare LF stored as a line end')

# ---- SMTPUTF8: UTF-8 addresses, the MAIL parameter recorded in the queue file
c = Client(P)
c.cmd('EHLO client.test')
t.is_eq(c.cmd('MAIL FROM:<\xc3\xbc@example.org> SMTPUTF8=x'), '555 5.5.4 Unsupported option: SMTPUTF8=x',
        'SMTPUTF8 takes no value')
t.is_eq(c.cmd('MAIL FROM:<a\xff@example.org>'), '500 5.5.2 Error: bad UTF-8 syntax',
        'malformed UTF-8 in a command')
t.is_eq(c.cmd('MAIL FROM:<\xc3\xbc@example.org>'), '250 2.1.0 Ok',
        'UTF-8 sender without SMTPUTF8 accepted, as Postfix 3.7')
t.is_eq(c.cmd('RSET'), '250 2.0.0 Ok', 'RSET')
t.is_eq(c.cmd('MAIL FROM:<\xc3\xbc@example.org> SMTPUTF8'), '250 2.1.0 Ok', 'MAIL with SMTPUTF8')
t.is_eq(c.cmd('RCPT TO:<r\xc3\xbc@relay.test>'), '250 2.1.5 Ok', 'UTF-8 recipient')
c.send(b'BDAT 15 LAST\r\nSubject: utf8\r\n')
r = c.reply()[-1]
m = re.match(r'250 2\.0\.0 Ok: 15 bytes queued as ([0-9A-F]+)$', r)
t.ok(m, 'SMTPUTF8 message queued (%s)' % r)
c.cmd('QUIT')
c.close()
qid = m.group(1) if m else 'NONE'
out = ''
for i in range(40):
    res = inst.run('postcat', '-q', qid)
    out = (res.stdout or b'')
    out = out.decode('utf-8', 'replace') if isinstance(out, bytes) else out
    if 'smtputf8' in out:
        break
    time.sleep(0.25)
t.like(out, r'(?m)^named_attribute: smtputf8=1$', 'queue file has the smtputf8 attribute')
t.like(out, r'(?m)^sender: \u00fc@example\.org$', 'UTF-8 sender stored as sent')

# ---- DSN: RET, ENVID, NOTIFY and ORCPT stored in the queue file
c = Client(P)
c.cmd('EHLO client.test')
t.is_eq(c.cmd('MAIL FROM:<s@example.org> RET=HDRS ENVID=ab+2Bc'), '250 2.1.0 Ok', 'MAIL with RET= ENVID=')
t.is_eq(c.cmd('RCPT TO:<x@relay.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;other+40x.test'),
        '250 2.1.5 Ok', 'RCPT with NOTIFY= ORCPT=')
t.is_eq(c.cmd('RCPT TO:<y@relay.test> NOTIFY=NEVER'), '250 2.1.5 Ok', 'RCPT with NOTIFY=NEVER')
t.is_eq(c.cmd('RCPT TO:<z@relay.test>'), '250 2.1.5 Ok', 'RCPT without DSN parameters')
c.send(b'BDAT 14 LAST\r\nSubject: dsn\r\n')
r = c.reply()[-1]
m = re.match(r'250 2\.0\.0 Ok: 14 bytes queued as ([0-9A-F]+)$', r)
t.ok(m, 'DSN message queued (%s)' % r)
c.cmd('QUIT')
c.close()
qid = m.group(1) if m else 'NONE'
out = ''
for i in range(40):
    res = inst.run('postcat', '-q', qid)
    out = res.stdout if isinstance(res.stdout, str) else res.stdout.decode('latin-1')
    if 'dsn_ret' in out:
        break
    time.sleep(0.25)
t.like(out, r'(?m)^named_attribute: dsn_ret=2$', 'RET=HDRS stored as dsn_ret=2')
t.like(out, r'(?m)^named_attribute: dsn_envid=ab\+c$', 'ENVID stored xtext-decoded as dsn_envid')
t.like(out, r'(?m)^original_recipient: rfc822;other@x\.test\ndsn_notify_flags: 10\n'
       r'recipient: x@relay\.test\n', 'ORCPT (decoded) as O and NOTIFY bits as n before R')
t.like(out, r'(?m)^original_recipient: y@relay\.test\ndsn_notify_flags: 1\nrecipient: y@relay\.test\n',
       'NOTIFY=NEVER stored')
t.like(out, r'(?m)^original_recipient: z@relay\.test\nrecipient: z@relay\.test\n',
       'no n record without NOTIFY=')

inst.stop()
t.done()
