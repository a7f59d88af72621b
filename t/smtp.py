#!/usr/bin/python3
# t/smtp.py - the SMTP client (smtp(8)) relaying to a sink: envelope and
# body intact (dot-stuffing, 8-bit bytes, CRLF), PIPELINING, SIZE= and
# BODY=8BITMIME, per-recipient 2xx/4xx/5xx outcomes with Postfix's status
# texts, connection refused and unbracketed next hops deferred; error(8)
# and discard(8) through transport_maps.
import os
import re
import socket
import sys
import threading
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, SmtpSink, free_port

t = TAP()


def rcpt_reply(addr):
    if addr.startswith('bad@'):
        return '550 5.1.1 <%s>: user unknown' % addr
    if addr.startswith('soft@'):
        return '450 4.2.0 <%s>: try later' % addr
    return '250 2.1.5 Ok'


class OddServer:
    """A TCP server on a free port running fn(conn) per connection."""

    def __init__(self, fn):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.fn, self.stopping = fn, False
        self.lines = []
        self.th = threading.Thread(target=self.loop, daemon=True)
        self.th.start()

    def loop(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.run, args=(c,), daemon=True).start()

    def run(self, c):
        c.settimeout(15)
        try:
            self.fn(self, c)
        except OSError:
            pass
        c.close()

    def stop(self):
        self.stopping = True
        self.th.join(5)
        self.sock.close()


def silent(srv, c):
    time.sleep(6)


def closer(srv, c):
    pass


def reject(srv, c):
    c.sendall(b'554-sink.test go away\r\n554 5.7.1 really\r\n')
    f = c.makefile('rb')
    for _ in range(10):
        line = f.readline(1000)
        if not line:
            break
        if line.upper().startswith(b'QUIT'):
            c.sendall(b'221 bye\r\n')
            break
        c.sendall(b'503 5.5.1 bad sequence\r\n')


def helo_only(srv, c):
    c.sendall(b'220 old.test SMTP\r\n')
    f = c.makefile('rb')
    for _ in range(50):
        line = f.readline(1000)
        if not line:
            break
        srv.lines.append(line)
        u = line.upper()
        if u.startswith(b'EHLO'):
            c.sendall(b'502 5.5.2 what\r\n')
        elif u.startswith(b'DATA'):
            c.sendall(b'354 go\r\n')
            while True:
                d = f.readline(100000)
                if not d or d == b'.\r\n':
                    break
            c.sendall(b'250-2.0.0 multi\r\n250 2.0.0 line reply\r\n')
        elif u.startswith(b'QUIT'):
            c.sendall(b'221 bye\r\n')
            break
        else:
            c.sendall(b'250 ok\r\n')


odd = {name: OddServer(fn) for name, fn in
       (('silent', silent), ('closer', closer), ('reject', reject), ('helo', helo_only))}
sink = SmtpSink(reply_rcpt=rcpt_reply, reply_data='250 2.0.0 Ok: queued as ABC123').start()
closed = free_port()
inst = Instance('smtp', main_cf={
    'transport_maps': 'texthash:$config_directory/transport',
    'relay_domains': 'relay.test, refused.test, dom.test, err.test, disc.test, '
                     'silent.test, closer.test, reject.test, helo.test, disc2.test, ret.test',
    'smtp_helo_timeout': '2s',
})
inst.write('etc/transport',
           'relay.test smtp:[127.0.0.1]:%d\n'
           'refused.test smtp:[127.0.0.1]:%d\n'
           'dom.test smtp:dom.test\n'
           'err.test error:5.7.1 custom reason\n'
           'disc.test discard:gone away\n'
           'disc2.test discard:5.1.1 odd\n'
           'ret.test retry:4.7.1 later please\n' % (sink.port, closed)
           + ''.join('%s.test smtp:[127.0.0.1]:%d\n' % (n, o.port) for n, o in odd.items()))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

body = (b'Subject: relay test\r\nFrom: a@src.test\r\n\r\nline1\r\n.dotline\r\n'
        b'..two dots\r\n.\r\nFrom me\r\n8bit: \xc3\xa9\xff\r\nlast\r\n')
s = inst.smtp()
s.sendmail('snd@src.test', ['good@relay.test', 'bad@relay.test', 'soft@relay.test'],
           body, mail_options=['BODY=8BITMIME'])
s.quit()

relay = r'127\.0\.0\.1\[127\.0\.0\.1\]:%d' % sink.port
m = inst.wait_log(r'to=<good@relay\.test>, relay=%s, delay=[\d.]+, '
                  r'delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, '
                  r'status=sent \(250 2\.0\.0 Ok: queued as ABC123\)' % relay)
t.ok(m, 'good recipient: status=sent with the server reply')
t.ok(inst.wait_log(r'to=<bad@relay\.test>, relay=%s, .*dsn=5\.1\.1, status=bounced '
                   r'\(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1 '
                   r'<bad@relay\.test>: user unknown \(in reply to RCPT TO command\)\)' % relay),
     '5xx to RCPT: bounced with the reply')
t.ok(inst.wait_log(r'to=<soft@relay\.test>, relay=%s, .*dsn=4\.2\.0, status=deferred '
                   r'\(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 450 4\.2\.0 '
                   r'<soft@relay\.test>: try later \(in reply to RCPT TO command\)\)' % relay),
     '4xx to RCPT: deferred with the reply')

inst.wait_for(lambda: sink.messages, timeout=10)
t.is_eq(len(sink.messages), 1, 'sink got one message')
if sink.messages:
    frm, rcpts, data = sink.messages[0]
    t.is_eq(frm, 'snd@src.test', 'envelope sender intact')
    t.is_eq(rcpts, ['good@relay.test'], 'accepted recipients')
    t.ok(b'\r\n.dotline\r\n..two dots\r\n.\r\nFrom me\r\n' in data,
         'dot-stuffed lines arrive unstuffed, From unquoted')
    t.ok(b'8bit: \xc3\xa9\xff\r\n' in data, '8-bit bytes intact')
    t.ok(b'\n' not in data.replace(b'\r\n', b''), 'every line ends in CRLF')
    t.ok(data.endswith(b'last\r\n'), 'body ends intact')
    t.ok(b'Subject: relay test\r\n' in data, 'headers intact')
else:
    t.skip('message content', 'no message', 7)

tr = [l for conn in sink.transcript for l in conn]
cmds = [c for c, _r in tr]
ehlo = [c for c in cmds if c.upper().startswith('EHLO')]
t.is_eq(ehlo[:1], ['EHLO %s' % inst.myhostname], 'EHLO $myhostname')
mail = [c for c in cmds if c.upper().startswith('MAIL')]
t.ok(mail and re.match(r'MAIL FROM:<snd@src\.test> SIZE=\d+ BODY=8BITMIME$', mail[0]),
     'MAIL FROM with SIZE= and BODY=8BITMIME: %r' % (mail[:1],))
# The session is cached (idle) after the delivery; QUIT follows within
# smtp_connection_cache_time_limit (2s).
t.ok(inst.wait_for(lambda: any(c == 'QUIT' for conn in sink.transcript for c, _r in conn),
                   timeout=5), 'QUIT sent')

# Connection refused and a next hop that needs DNS: deferred with reasons.
s = inst.smtp()
s.sendmail('snd@src.test', ['z@refused.test'], b'Subject: x\r\n\r\nhi\r\n')
s.sendmail('snd@src.test', ['w@dom.test'], b'Subject: x\r\n\r\nhi\r\n')
s.sendmail('snd@src.test', ['x@err.test'], b'Subject: x\r\n\r\nhi\r\n')
s.sendmail('snd@src.test', ['y@disc.test'], b'Subject: x\r\n\r\nhi\r\n')
s.sendmail('snd@src.test', ['y2@disc2.test', 'r@ret.test'], b'Subject: x\r\n\r\nhi\r\n')
s.quit()
t.ok(inst.wait_log(r'to=<z@refused\.test>, relay=none, .*dsn=4\.4\.1, status=deferred '
                   r'\(connect to 127\.0\.0\.1\[127\.0\.0\.1\]:%d: Connection refused\)' % closed),
     'connection refused: deferred')
t.ok(inst.wait_log(r'to=<w@dom\.test>, relay=none, .*dsn=4\.4\.3, status=deferred '
                   r'\(Host or domain name not found\. Name service error for name=dom\.test '
                   r'type=MX: MX lookup not implemented yet\)'),
     'unbracketed next hop: deferred, MX lookup not implemented yet')
t.ok(inst.wait_log(r'postern/error\[\d+\]: \w+: to=<x@err\.test>, relay=none, .*dsn=5\.7\.1, '
                   r'status=bounced \(custom reason\)'),
     'error transport: bounced with the next-hop text and its DSN code')
t.ok(inst.wait_log(r'postern/discard\[\d+\]: \w+: to=<y@disc\.test>, relay=none, .*dsn=2\.0\.0, '
                   r'status=sent \(gone away\)'),
     'discard transport: sent, relay=none')
t.ok(inst.wait_log(r'postern/discard\[\d+\]: \w+: to=<y2@disc2\.test>, relay=none, .*dsn=2\.0\.0, '
                   r'status=sent \(odd\)'), 'discard: a status code in the text is dropped')
t.ok(inst.wait_log(r'postern/error\[\d+\]: \w+: to=<r@ret\.test>, relay=none, .*dsn=4\.7\.1, '
                   r'status=deferred \(later please\)'), 'retry service: deferred')
# Servers that misbehave: silence, a dropped connection, a 5xx greeting,
# no EHLO (HELO fallback) and a multi-line reply.
s = inst.smtp()
for n in ('silent', 'closer', 'reject', 'helo'):
    s.sendmail('snd@src.test', ['x@%s.test' % n], b'Subject: odd\r\n\r\nhi\r\n')
s.quit()


def relay_re(n):
    return r'127\.0\.0\.1\[127\.0\.0\.1\]:%d' % odd[n].port


t.ok(inst.wait_log(r'to=<x@silent\.test>, relay=%s, .*dsn=4\.4\.2, status=deferred \(conversation '
                   r'with 127\.0\.0\.1\[127\.0\.0\.1\] timed out while receiving the initial '
                   r'server greeting\)' % relay_re('silent'), timeout=30),
     'silent server: timed out (smtp_helo_timeout)')
t.ok(inst.wait_log(r'to=<x@closer\.test>, relay=%s, .*dsn=4\.4\.2, status=deferred \(lost connection '
                   r'with 127\.0\.0\.1\[127\.0\.0\.1\] while receiving the initial server greeting\)'
                   % relay_re('closer')), 'dropped connection: lost connection')
t.ok(inst.wait_log(r'to=<x@reject\.test>, relay=%s, .*dsn=4\.7\.1, status=deferred \(host '
                   r'127\.0\.0\.1\[127\.0\.0\.1\] refused to talk to me: 554-sink\.test go away '
                   r'554 5\.7\.1 really\)' % relay_re('reject')), '5xx greeting: deferred, lines joined')
t.ok(inst.wait_log(r'to=<x@helo\.test>, relay=%s, .*dsn=2\.0\.0, status=sent \(250-2\.0\.0 multi '
                   r'250 2\.0\.0 line reply\)' % relay_re('helo')), 'HELO fallback, multi-line reply')
t.ok(any(l.startswith(b'HELO %s' % inst.myhostname.encode()) for l in odd['helo'].lines)
     and any(l.rstrip() == b'MAIL FROM:<snd@src.test>' for l in odd['helo'].lines),
     'HELO after a rejected EHLO, MAIL without ESMTP parameters')
for o in odd.values():
    o.stop()
sink.stop()
t.done()
