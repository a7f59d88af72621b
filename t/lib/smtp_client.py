# t/lib/smtp_client.py - a raw SMTP client for the protocol tests
# (t/smtpd.py, t/smtpd_policy.py): exact bytes out, every reply line back,
# no smtplib normalisation. Python 3 standard library only.
import socket


class Client:
    """A raw SMTP client: every reply is returned as its list of lines."""

    def __init__(self, port, src=None, timeout=15):
        self.s = socket.socket()
        if src:
            self.s.bind((src, 0))
        self.s.settimeout(timeout)
        self.s.connect(('127.0.0.1', port))
        self.f = self.s.makefile('rb')
        self.greeting = self.reply()

    def reply(self):
        out = []
        while True:
            line = self.f.readline()
            if not line:
                out.append('<EOF>')
                return out
            out.append(line.decode('latin-1').rstrip('\r\n'))
            if len(line) < 4 or line[3:4] != b'-':
                return out

    def last(self, r):
        return r[-1]

    def send(self, data):
        self.s.sendall(data)

    def cmd(self, text):
        """Send one command, return the last line of the reply."""
        self.send(text.encode('latin-1') + b'\r\n')
        return self.reply()[-1]

    def closed(self):
        """True if the server closed the connection."""
        try:
            return self.s.recv(1) == b''
        except OSError:
            return True

    def close(self):
        for x in (self.f, self.s):
            try:
                x.close()
            except OSError:
                pass
