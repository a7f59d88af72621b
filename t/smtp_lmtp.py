#!/usr/bin/python3
# t/smtp_lmtp.py - the LMTP client (lmtp(8), the smtp program under its
# other name): LHLO, one reply per recipient after the content, over TCP
# and over a UNIX-domain socket.
import os
import re
import socket
import sys
import threading
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()


class LmtpSink:
    """Minimal LMTP server: 250 for every recipient except soft@ (452 after DATA)."""

    def __init__(self, family, addr):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(addr)
        if family == socket.AF_UNIX:
            os.chmod(addr, 0o777)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.addr = self.sock.getsockname()
        self.commands, self.messages = [], []
        self.stopping = False
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
            threading.Thread(target=self.session, args=(c,), daemon=True).start()

    def session(self, c):
        c.settimeout(20)
        f = c.makefile('rb')
        c.sendall(b'220 lmtp.test LMTP ready\r\n')
        rcpts = []
        try:
            while True:
                line = f.readline(4096)
                if not line:
                    break
                cmd = line.rstrip(b'\r\n').decode('utf-8', 'replace')
                self.commands.append(cmd)
                verb = cmd.split(' ')[0].upper()
                if verb == 'LHLO':
                    c.sendall(b'250-lmtp.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n')
                elif verb == 'MAIL':
                    rcpts = []
                    c.sendall(b'250 2.1.0 Ok\r\n')
                elif verb == 'RCPT':
                    rcpts.append(re.search(r'<([^>]*)>', cmd).group(1))
                    c.sendall(b'250 2.1.5 Ok\r\n')
                elif verb == 'DATA':
                    c.sendall(b'354 go ahead\r\n')
                    data = b''
                    while True:
                        l = f.readline(65536)
                        if not l or l == b'.\r\n':
                            break
                        data += l[1:] if l.startswith(b'.') else l
                    self.messages.append((rcpts, data))
                    for r in rcpts:
                        if r.startswith('soft@'):
                            c.sendall(('452 4.2.2 <%s> Mailbox is full\r\n' % r).encode())
                        else:
                            c.sendall(('250 2.0.0 <%s> Saved\r\n' % r).encode())
                elif verb == 'QUIT':
                    c.sendall(b'221 2.0.0 Bye\r\n')
                    break
                else:
                    c.sendall(b'250 2.0.0 Ok\r\n')
        except OSError:
            pass
        c.close()

    def stop(self):
        self.stopping = True
        self.th.join(5)
        self.sock.close()


inst = Instance('lmtp', main_cf={
    'transport_maps': 'texthash:$config_directory/transport',
    'relay_domains': 'lmtp.test, ulmtp.test',
})
tcp = LmtpSink(socket.AF_INET, ('127.0.0.1', 0))
upath = os.path.join(inst.dir, 'lmtp.sock')
unix = LmtpSink(socket.AF_UNIX, upath)
inst.write('etc/transport', 'lmtp.test lmtp:[127.0.0.1]:%d\nulmtp.test lmtp:unix:%s\n'
           % (tcp.addr[1], upath))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

s = inst.smtp()
s.sendmail('snd@src.test', ['ok@lmtp.test', 'soft@lmtp.test'],
           b'Subject: lmtp\r\n\r\n.dot\r\nbody\r\n')
s.sendmail('snd@src.test', ['u@ulmtp.test'], b'Subject: lmtp unix\r\n\r\nbody\r\n')
s.quit()

relay = r'127\.0\.0\.1\[127\.0\.0\.1\]:%d' % tcp.addr[1]
t.ok(inst.wait_log(r'postern/lmtp\[\d+\]: \w+: to=<ok@lmtp\.test>, relay=%s, .*dsn=2\.0\.0, '
                   r'status=sent \(250 2\.0\.0 <ok@lmtp\.test> Saved\)' % relay),
     'LMTP: per-recipient 250 after the content')
t.ok(inst.wait_log(r'to=<soft@lmtp\.test>, relay=%s, .*dsn=4\.2\.2, status=deferred '
                   r'\(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 452 4\.2\.2 <soft@lmtp\.test> '
                   r'Mailbox is full \(in reply to end of DATA command\)\)' % relay),
     'LMTP: per-recipient 452 deferred')
t.ok(any(c.startswith('LHLO ') for c in tcp.commands), 'LHLO sent')
t.ok(tcp.messages and b'\r\n.dot\r\nbody\r\n' in tcp.messages[0][1], 'content dot-stuffed and intact')
t.ok(inst.wait_log(r'to=<u@ulmtp\.test>, relay=[^,\s]+\[%s\], .*status=sent \(250 2\.0\.0 <u@ulmtp\.test> Saved\)'
                   % re.escape(upath)), 'LMTP over a UNIX-domain socket')
tcp.stop()
unix.stop()
t.done()
