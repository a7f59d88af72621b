#!/usr/bin/python3
# t/smtpd.py - the SMTP server's protocol against a running instance:
# greeting and EHLO, Postfix 3.7's replies to malformed and out-of-order
# commands, limits (line length, SIZE, data size, recipients, errors),
# bare LF/CR, unauthorised pipelining, the Received: header, a client
# vanishing mid-DATA, and the connect/disconnect log lines.
import os, re, socket, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, free_port
from smtp_client import Client

t = TAP()


port_lim = free_port()
port_err = free_port()
port_vrfy = free_port()
inst = Instance('smtpd', main_cf={
    'compatibility_level': '3.6',
    'mynetworks': '127.0.0.1/32',
    'smtpd_error_sleep_time': '0s',
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{ {u@virt.test=u/}, {v@virt.test=v/} }',
}, master_cf_extra='''
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_recipient_limit=2
  -o message_size_limit=1000
  -o line_length_limit=600
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_soft_error_limit=100
  -o smtpd_hard_error_limit=3
127.0.0.1:%d inet n - n - - smtpd
  -o disable_vrfy_command=yes
  -o smtpd_helo_required=yes
''' % (port_lim, port_err, port_vrfy))
inst.start()
P = inst.port

# ---- greeting, EHLO, simple commands
c = Client(P)
t.is_eq(c.greeting, ['220 mail.test ESMTP postern'], 'greeting is 220 $smtpd_banner')
c.send(b'EHLO client.test\r\n')
t.is_eq(c.reply(), ['250-mail.test', '250-PIPELINING', '250-SIZE 10240000', '250-VRFY',
                    '250-ETRN', '250-ENHANCEDSTATUSCODES', '250-8BITMIME',
                    '250-DSN', '250-SMTPUTF8', '250 CHUNKING'],
        'EHLO reply')
t.is_eq(c.cmd('NOOP'), '250 2.0.0 Ok', 'NOOP')
t.is_eq(c.cmd('RSET'), '250 2.0.0 Ok', 'RSET')
t.is_eq(c.cmd('HELP'), '500 5.5.2 Error: command not recognized', 'HELP is not recognized (as Postfix)')
t.is_eq(c.cmd('STARTTLS'), '502 5.5.1 Error: command not implemented', 'STARTTLS not implemented')
t.is_eq(c.cmd('AUTH PLAIN'), '503 5.5.1 Error: authentication not enabled', 'AUTH not enabled')
t.is_eq(c.cmd('VRFY u@virt.test'), '252 2.0.0 u@virt.test', 'VRFY known user')
t.is_eq(c.cmd('VRFY'), '501 5.5.4 Syntax: VRFY address [SMTPUTF8]', 'VRFY without argument')
t.is_eq(c.cmd('QUIT'), '221 2.0.0 Bye', 'QUIT')
t.ok(c.closed(), 'connection closed after QUIT')
c.close()
t.ok(inst.wait_log(r'disconnect from unknown\[127\.0\.0\.1\] ehlo=1 starttls=0/1 auth=0/1 rset=1 '
                   r'noop=1 vrfy=1/2 quit=1 unknown=0/1 commands=5/9$'),
     'disconnect line with Postfix command statistics')

# ---- malformed and out-of-order commands
c = Client(P)
t.is_eq(c.cmd('HELO'), '501 Syntax: HELO hostname', 'HELO without argument')
t.is_eq(c.cmd('EHLO'), '501 Syntax: EHLO hostname', 'EHLO without argument')
t.is_eq(c.cmd('RCPT TO:<u@virt.test>'), '503 5.5.1 Error: need MAIL command', 'RCPT before MAIL')
t.is_eq(c.cmd('DATA'), '503 5.5.1 Error: need RCPT command', 'DATA before MAIL')
t.is_eq(c.cmd('FOO bar'), '500 5.5.2 Error: command not recognized', 'unknown command')
t.is_eq(c.cmd('MAIL'), '501 5.5.4 Syntax: MAIL FROM:<address>', 'MAIL without FROM:')
t.is_eq(c.cmd('MAIL FROM:<a b@c>'), '501 5.1.7 Bad sender address syntax', 'bad sender syntax')
t.is_eq(c.cmd('MAIL FROM:<a@b> SIZE=99999999'), '552 5.3.4 Message size exceeds fixed limit',
        'SIZE= above message_size_limit')
t.is_eq(c.cmd('MAIL FROM:<a@b> SIZE=x'), '501 5.5.4 Bad message size syntax', 'bad SIZE= syntax')
t.is_eq(c.cmd('MAIL FROM:<a@b> BODY=FOO'), '555 5.5.4 Unsupported option: BODY=FOO', 'bad BODY=')
t.is_eq(c.cmd('MAIL FROM:<a@b> BODY=8BITMIME SIZE=100'), '250 2.1.0 Ok', 'MAIL with BODY= and SIZE=')
t.is_eq(c.cmd('MAIL FROM:<a@b>'), '503 5.5.1 Error: nested MAIL command', 'nested MAIL')
t.is_eq(c.cmd('RCPT TO:<>'), '501 5.1.3 Bad recipient address syntax', 'RCPT TO:<>')
t.is_eq(c.cmd('RCPT'), '501 5.5.4 Syntax: RCPT TO:<address>', 'RCPT without TO:')
t.is_eq(c.cmd('RCPT TO:<u@virt.test> FOO=1'), '555 5.5.4 Unsupported option: FOO=1', 'bad RCPT option')
t.is_eq(c.cmd('DATA'), '554 5.5.1 Error: no valid recipients', 'DATA without valid recipients')
t.is_eq(c.cmd('NOOP ' + 'x' * 3000), '250 2.0.0 Ok', 'overlong command line is truncated, not fatal')
t.is_eq(c.cmd('QUIT'), '221 2.0.0 Bye', 'QUIT after errors')
c.close()
t.ok(inst.wait_log(r'NOQUEUE: reject: MAIL from unknown\[127\.0\.0\.1\]: 552 5\.3\.4 Message size '
                   r'exceeds fixed limit; from=<a@b> proto=SMTP$'), 'SIZE reject logged')
t.ok(inst.wait_log(r'warning: unknown\[127\.0\.0\.1\]: request longer than 2048: NOOP x{25}\.\.\.$'),
     'overlong line logged')

# ---- allow_min_user = no: no address may start with '-' (an option to a command)
c = Client(P)
c.cmd('EHLO client.test')
t.is_eq(c.cmd('MAIL FROM:<-a@x.test>'), '501 5.1.7 Bad sender address syntax', 'MAIL FROM:<-a@x>')
t.is_eq(c.cmd('MAIL FROM:<a@x.test>'), '250 2.1.0 Ok', 'MAIL after a refused sender')
t.is_eq(c.cmd('RCPT TO:<-u@virt.test>'), '501 5.1.3 Bad recipient address syntax', 'RCPT TO:<-u@domain>')
t.is_eq(c.cmd('RCPT TO:<-u>'), '501 5.1.3 Bad recipient address syntax', 'RCPT TO:<-u>')
t.is_eq(c.cmd('VRFY -u@virt.test'), '501 5.1.3 Bad recipient address syntax', 'VRFY -u@domain')
t.is_eq(c.cmd('QUIT'), '221 2.0.0 Bye', 'QUIT after min_user rejects')
c.close()
t.ok(inst.wait_log(r'warning: Illegal address syntax from unknown\[127\.0\.0\.1\] in MAIL command: '
                   r'<-a@x\.test>$'), 'min_user MAIL logged as Postfix does')
t.ok(inst.wait_log(r'warning: Illegal address syntax from unknown\[127\.0\.0\.1\] in VRFY command: '
                   r'-u@virt\.test$'), 'min_user VRFY logged as Postfix does')

# ---- DSN parameters checked as Postfix 3.7 does (RFC 3461), ETRN @domain
c = Client(P)
c.cmd('EHLO client.test')
for param, want in (('RET=FULL', '250 2.1.0 Ok'), ('RET=BOGUS', '501 5.5.4 Bad RET parameter syntax'),
                    ('RET=FULL RET=HDRS', '501 5.5.4 Bad RET parameter syntax'),
                    ('ENVID=a+2Bb', '250 2.1.0 Ok'), ('ENVID=a+ZZ', '501 5.5.4 Bad ENVID parameter syntax')):
    t.is_eq(c.cmd('MAIL FROM:<a@x.test> ' + param), want, 'MAIL ' + param)
    c.cmd('RSET')
c.cmd('MAIL FROM:<a@x.test>')
for param, want in (('NOTIFY=SUCCESS,delay', '250 2.1.5 Ok'),
                    ('NOTIFY=NEVER,SUCCESS', '501 5.5.4 Error: Bad NOTIFY parameter syntax'),
                    ('NOTIFY=', '501 5.5.4 Error: Bad NOTIFY parameter syntax'),
                    ('NOTIFY=NEVER NOTIFY=NEVER', '501 5.5.4 Error: Bad NOTIFY parameter syntax'),
                    ('ORCPT=rfc822;a+2Bb@c', '250 2.1.5 Ok'),
                    ('ORCPT=bogus', '501 5.5.4 Error: Bad ORCPT parameter syntax'),
                    ('ORCPT=rfc822;a+ZZb@c', '501 5.5.4 Error: Bad ORCPT parameter syntax')):
    t.is_eq(c.cmd('RCPT TO:<u@virt.test> ' + param), want, 'RCPT ' + param)
c.cmd('RSET')
t.is_eq(c.cmd('ETRN @x.test'), '459 <x.test>: service unavailable', 'ETRN @domain names the domain')
c.cmd('QUIT')
c.close()

# ---- a message: Received: header and content
mark = inst.log_mark()
c = Client(P)
c.cmd('EHLO client.test')
t.is_eq(c.cmd('MAIL FROM:<sender@example.org>'), '250 2.1.0 Ok', 'MAIL')
t.is_eq(c.cmd('RCPT TO:<u@virt.test>'), '250 2.1.5 Ok', 'RCPT')
t.is_eq(c.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>', 'DATA')
long_line = b'L' * 5000
c.send(b'Subject: smtpd test\r\n\r\nbody\r\n..dotted\r\n' + long_line + b'\r\n.\r\n')
r = c.reply()[-1]
m = re.match(r'250 2\.0\.0 Ok: queued as ([0-9A-F]+)$', r)
t.ok(m, 'end of data: 250 2.0.0 Ok: queued as ID (%s)' % r)
qid = m.group(1) if m else 'NONE'
t.is_eq(c.cmd('QUIT'), '221 2.0.0 Bye', 'QUIT after a message')
c.close()
t.ok(inst.wait_log(r'%s: client=unknown\[127\.0\.0\.1\]$' % qid, since=mark), 'client= line logged')
msgs = inst.wait_for(lambda: inst.maildir_messages('u'), timeout=20)
t.ok(msgs, 'message delivered to the virtual mailbox')
body = msgs[0] if msgs else b''
t.like(body.decode('latin-1'),
       r'(?m)^Received: from client\.test \(unknown \[127\.0\.0\.1\]\)\n'
       r'\tby mail\.test \(postern\) with ESMTP id %s\n'
       r'\tfor <u@virt\.test>; \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4} \(\w+\)\n' % qid,
       'Received: header as Postfix writes it')
t.ok(b'\n.dotted\n' in body, 'dot-stuffing removed')
t.ok(b'\n' + long_line + b'\n' in body, 'a 5000-byte line arrives whole')

# ---- client vanishing mid-DATA: nothing queued, server keeps serving
before = inst.queue_files()
mark = inst.log_mark()
c = Client(P)
c.cmd('EHLO client.test')
c.cmd('MAIL FROM:<a@example.org>')
c.cmd('RCPT TO:<u@virt.test>')
c.cmd('DATA')
c.send(b'Subject: half\r\n\r\nhalf a message\r\nand no end')
c.close()
t.ok(inst.wait_log(r'lost connection after DATA \(\d+ bytes\) from unknown\[127\.0\.0\.1\]$', since=mark),
     'lost connection after DATA logged')
time.sleep(0.5)
t.is_eq([f for f in inst.queue_files() if f not in before], [], 'nothing half-queued')
c = Client(P)
t.is_eq(c.greeting, ['220 mail.test ESMTP postern'], 'server still serves after a vanished client')
c.close()

# ---- bare LF / bare CR (client outside mynetworks)
c = Client(P, src='127.0.0.2')
c.send(b'EHLO client.test\n')
t.is_eq(c.reply()[-1], '550 5.5.2 mail.test Error: bare <LF> received', 'bare LF in a command')
t.ok(c.closed(), 'disconnected after bare LF')
c.close()
c = Client(P, src='127.0.0.2')
c.send(b'NOOP\rx\r\n')
t.is_eq(c.reply()[-1], '550 5.5.2 mail.test Error: bare <CR> received', 'bare CR in a command')
c.close()
before = inst.queue_files()
mark = inst.log_mark()
c = Client(P, src='127.0.0.2')
c.cmd('EHLO client.test')
c.cmd('MAIL FROM:<a@example.org>')
c.cmd('RCPT TO:<u@virt.test>')
c.cmd('DATA')
# An SMTP smuggling attempt: <LF>.<LF> must not end the message, and the
# whole message is rejected at the real end of data (as Postfix does with
# smtpd_forbid_bare_newline = reject); the session goes on.
c.send(b'Subject: smuggle\r\n\r\nx\n.\nMAIL FROM:<evil@example.org>\r\n.\r\n')
t.is_eq(c.reply(), ['550 5.5.2 mail.test Error: bare <LF> received'], 'bare LF in DATA')
t.is_eq(c.cmd('NOOP'), '250 2.0.0 Ok', 'session continues after a rejected message')
c.close()
t.ok(inst.wait_log(r'[0-9A-F]+: reject: END-OF-MESSAGE from unknown\[127\.0\.0\.2\]: bare <LF> received; '
                   r'from=<a@example\.org> to=<u@virt\.test> proto=ESMTP helo=<client\.test>$', since=mark),
     'bare LF in DATA logged')
t.ok(inst.wait_log(r'NOQUEUE: reject: CONNECT from unknown\[127\.0\.0\.2\]: bare <LF> received; proto=SMTP$',
                   since=0), 'bare LF in a command logged')
time.sleep(0.5)
t.is_eq([f for f in inst.queue_files() if f not in before], [], 'nothing queued after bare LF')
c = Client(P, src='127.0.0.1')
c.send(b'NOOP\n')
t.is_eq(c.reply(), ['250 2.0.0 Ok'], 'bare LF allowed from smtpd_forbid_bare_newline_exclusions ($mynetworks)')
c.close()

# ---- unauthorised pipelining
mark = inst.log_mark()
c = Client(P)
c.send(b'EHLO client.test\r\nMAIL FROM:<a@example.org>\r\n')
t.is_eq(c.reply(), ['554 5.5.0 Error: SMTP protocol synchronization'], 'EHLO and MAIL in one write')
t.ok(c.closed(), 'disconnected after pipelining violation')
c.close()
t.ok(inst.wait_log(r'improper command pipelining after EHLO from unknown\[127\.0\.0\.1\]: '
                   r'MAIL FROM:<a@example\.org>\\r\\n$', since=mark), 'pipelining violation logged')
c = Client(P)
c.cmd('EHLO client.test')
c.send(b'MAIL FROM:<a@example.org>\r\nRCPT TO:<u@virt.test>\r\nDATA\r\n')
t.is_eq([c.reply()[-1], c.reply()[-1], c.reply()[-1]],
        ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'],
        'RFC 2920 pipelining after EHLO is fine')
c.send(b'Subject: pipelined\r\n\r\nx\r\n.\r\nQUIT\r\n')
t.like(c.reply()[-1], r'^250 2\.0\.0 Ok: queued as', 'pipelined message queued')
t.is_eq(c.reply()[-1], '221 2.0.0 Bye', 'pipelined QUIT')
c.close()
c = Client(P)
c.cmd('EHLO client.test')
c.cmd('MAIL FROM:<a@example.org>')
c.cmd('RCPT TO:<u@virt.test>')
c.send(b'DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n')
t.is_eq(c.reply()[-1], '554 5.5.0 Error: SMTP protocol synchronization', 'message sent before the 354')
c.close()

# ---- limits on a second listener
c = Client(port_lim)
c.cmd('EHLO client.test')
c.cmd('MAIL FROM:<a@example.org>')
t.is_eq([c.cmd('RCPT TO:<u@virt.test>'), c.cmd('RCPT TO:<v@virt.test>'), c.cmd('RCPT TO:<u@virt.test>')],
        ['250 2.1.5 Ok', '250 2.1.5 Ok', '452 4.5.3 Error: too many recipients'],
        'smtpd_recipient_limit')
c.cmd('DATA')
c.send(b'Subject: big\r\n\r\n' + (b'x' * 98 + b'\r\n') * 20 + b'.\r\n')
t.is_eq(c.reply()[-1], '552 5.3.4 Error: message file too big', 'message_size_limit on the data')
t.is_eq(c.cmd('NOOP'), '250 2.0.0 Ok', 'session continues after a too big message')
t.is_eq(c.cmd('MAIL FROM:<a@example.org> SIZE=1001'), '552 5.3.4 Message size exceeds fixed limit',
        'SIZE= checked against the listener\'s message_size_limit')
c.close()

c = Client(port_err)
t.is_eq([c.cmd('FOO'), c.cmd('FOO'), c.cmd('FOO'), c.cmd('NOOP')],
        ['500 5.5.2 Error: command not recognized'] * 3 + ['421 4.7.0 mail.test Error: too many errors'],
        'smtpd_hard_error_limit')
t.ok(c.closed(), 'disconnected at the hard error limit')
c.close()
t.ok(inst.wait_log(r'too many errors after UNKNOWN from unknown\[127\.0\.0\.1\]$'), 'too many errors logged')

c = Client(port_vrfy)
t.is_eq(c.cmd('MAIL FROM:<a@example.org>'), '503 5.5.1 Error: send HELO/EHLO first', 'smtpd_helo_required')
c.send(b'EHLO client.test\r\n')
t.ok('250-VRFY' not in c.reply(), 'VRFY not advertised when disabled')
t.is_eq(c.cmd('VRFY u@virt.test'), '502 5.5.1 VRFY command is disabled', 'disable_vrfy_command')
c.close()

t.ok(inst.wait_log(r'connect from unknown\[127\.0\.0\.2\]$'), 'connect line logged')
# ---- cleanup dies in the middle of DATA: 451, nothing queued, still serving
def cleanup_pids():
    out = []
    for pid in inst.pids():
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                argv0 = f.read().split(b'\0')[0]
        except OSError:
            continue
        if os.path.basename(argv0) == b'cleanup':
            out.append(pid)
    return out


before = set(inst.queue_files())
c = Client(P)
c.cmd('EHLO client.test')
c.cmd('MAIL FROM:<a@example.org>')
t.is_eq(c.cmd('RCPT TO:<u@virt.test>'), '250 2.1.5 Ok', 'RCPT (cleanup connected)')
t.is_eq(c.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>', 'DATA')
c.send(b'Subject: cleanup dies\r\n\r\nfirst part\r\n')
time.sleep(0.3)
pids = cleanup_pids()
for pid in pids:
    try:
        os.kill(pid, 9)
    except OSError:
        pass
t.ok(pids, 'cleanup process killed mid-DATA')
time.sleep(0.3)
c.send(b'second part\r\n' * 200 + b'.\r\n')
t.is_eq(c.reply()[-1], '451 4.3.0 Error: queue file write error', 'cleanup gone: 451 at end of DATA')
t.is_eq(c.cmd('NOOP'), '250 2.0.0 Ok', 'the session goes on')
c.cmd('QUIT')
c.close()
time.sleep(0.5)
# A SIGKILLed cleanup cannot remove its file (nor can Postfix's): it must
# stay not ready (mode 0600), so qmgr never takes it.
ready = [f for f in inst.queue_files() if f not in before
         and os.stat(os.path.join(inst.queue, f)).st_mode & 0o777 == 0o700]
t.is_eq(ready, [], 'nothing half-queued by the dead cleanup is ready for delivery')
s = inst.smtp()
t.is_eq(s.sendmail('a@example.org', ['u@virt.test'], b'Subject: after\r\n\r\nafter\r\n'), {},
        'a new session is served and queued (cleanup restarted)')
s.quit()

inst.stop()
t.done()
