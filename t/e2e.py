#!/usr/bin/python3
# t/e2e.py - one walk through the whole issue-2 mail path on one instance:
# SMTP into a virtual Maildir, relay to a sink with the content intact,
# relay denied outside mynetworks, unknown virtual user rejected, next hop
# down -> deferred and listed by mailq -> next hop up + postqueue -f ->
# delivered, 5xx from the next hop -> bounce in the sender's mailbox,
# sendmail -t, and a clean stop.
import sys, os, re, socket, smtplib
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP, SmtpSink, free_port

t = TAP()
sink = SmtpSink(reply_rcpt=lambda r: '550 5.1.1 <%s>: Recipient address rejected: User unknown' % r
                if r.endswith('@reject.test') else '250 2.1.5 Ok').start()
down_port = free_port()
inst = Instance('e2e', main_cf={
    'mynetworks': '127.0.0.1/32',
    'virtual_mailbox_domains': 'virt.test',
    'relay_domains': 'sink.test, down.test, reject.test',
    # The default (compatibility_level 3.6) ends in defer_unauth_destination: 454.
    'smtpd_relay_restrictions': 'permit_mynetworks, reject_unauth_destination',
})
inst.write('etc/vmailbox', 'alice@virt.test alice/\nbob@virt.test bob/\n')
inst.write('etc/transport', 'sink.test smtp:[127.0.0.1]:%d\nreject.test smtp:[127.0.0.1]:%d\n'
           'down.test smtp:[127.0.0.1]:%d\n' % (sink.port, sink.port, down_port))
inst.set_main_cf(virtual_mailbox_maps='texthash:%s/vmailbox' % inst.etc,
                 transport_maps='texthash:%s/transport' % inst.etc)
try:
    inst.start()
except Exception as e:
    t.ok(False, 'instance starts: %s' % e)
    sink.stop()
    t.done()

body = b'line one\r\n.leading dot\r\n..two dots\r\n8bit: \xe9\xe8\r\n'


def msg(subject, to):
    return (b'From: alice@virt.test\r\nTo: ' + to.encode() + b'\r\nSubject: ' + subject.encode()
            + b'\r\nMessage-ID: <' + subject.encode() + b'@client.test>\r\n\r\n' + body)


# 1. SMTP into a virtual Maildir.
s = inst.smtp()
t.is_eq(s.ehlo()[0], 250, 'EHLO 250')
s.sendmail('sender@client.test', ['alice@virt.test'], msg('e2e-virtual', 'alice@virt.test'))
got = inst.wait_for(lambda: inst.maildir_messages('alice'), timeout=20)
t.is_eq(len(got or []), 1, 'delivered into alice\'s Maildir')
t.ok(got and got[0].endswith(b'\nline one\n.leading dot\n..two dots\n8bit: \xe9\xe8\n'),
     'Maildir body intact (dots unstuffed, 8-bit, LF)')

# 2. Relay to the sink, content intact.
s.sendmail('sender@client.test', ['x@sink.test'], msg('e2e-relay', 'x@sink.test'))
inst.wait_for(lambda: sink.messages, timeout=20)
m = [x for x in sink.messages if b'e2e-relay' in x[2]]
t.is_eq([(f, r) for f, r, _d in m], [('sender@client.test', ['x@sink.test'])], 'relay: envelope intact')
t.ok(m and m[0][2].endswith(body), 'relay: body intact (dot-stuffing, 8-bit)')

# 3. Unknown user of a virtual domain.
code, _ = s.docmd('MAIL FROM:<sender@client.test>')
code, resp = s.docmd('RCPT TO:<nobody@virt.test>')
t.is_eq(code, 550, 'unknown virtual user: 550 at RCPT')
t.like(resp.decode(), r'^5\.1\.1 ', 'unknown virtual user: 5.1.1')
s.docmd('RSET')
s.quit()

# 4. Relay denied for a client outside mynetworks.
try:
    c = smtplib.SMTP('127.0.0.1', inst.port, local_hostname='outside.test', timeout=30,
                     source_address=('127.0.0.2', 0))
    c.ehlo()
    c.docmd('MAIL FROM:<x@outside.test>')
    code, resp = c.docmd('RCPT TO:<y@elsewhere.test>')
    t.is_eq((code, resp.decode()), (554, '5.7.1 <y@elsewhere.test>: Relay access denied'),
            'relay denied outside mynetworks')
    t.ok(inst.wait_log(r'NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 '
                       r'<y@elsewhere\.test>: Relay access denied; from=<x@outside\.test> '
                       r'to=<y@elsewhere\.test> proto=ESMTP helo=<outside\.test>', timeout=10),
         'NOQUEUE reject log line')
    c.quit()
except OSError as e:
    t.ok(False, 'connect from 127.0.0.2: %s' % e)
    t.skip('NOQUEUE reject log line', 'no connection')

# 5. Next hop down: deferred, listed by mailq, then delivered by postqueue -f.
s = inst.smtp()
s.sendmail('alice@virt.test', ['y@down.test'], msg('e2e-deferred', 'y@down.test'))
s.quit()
m = inst.wait_log(r'to=<y@down\.test>, relay=none, .*status=deferred \(connect to '
                  r'127\.0\.0\.1\[127\.0\.0\.1\]:%d: Connection refused\)' % down_port, timeout=20)
t.ok(m, 'next hop down: status=deferred with the connect error')
q = inst.run('mailq')
t.like(q.stdout, r'\(connect to 127\.0\.0\.1\[127\.0\.0\.1\]:%d: Connection refused\)\n\s+y@down\.test'
       % down_port, 'mailq lists the message with its reason')
sink2 = SmtpSink(port=down_port).start()
inst.run('postqueue', '-f')
got = inst.wait_for(lambda: sink2.messages, timeout=30)
t.is_eq([(f, r) for f, r, _d in (got or [])], [('alice@virt.test', ['y@down.test'])],
        'next hop up + postqueue -f: delivered')
sink2.stop()

# 6. 5xx from the next hop: a bounce lands in the sender's Maildir.
s = inst.smtp()
s.sendmail('alice@virt.test', ['z@reject.test'], msg('e2e-bounce', 'z@reject.test'))
s.quit()
bounce = inst.wait_for(lambda: [x for x in inst.maildir_messages('alice')
                                if b'multipart/report' in x], timeout=30)
t.is_eq(len(bounce or []), 1, '5xx: bounce delivered to the sender')
b = bounce[0] if bounce else b''
t.ok(b'message/delivery-status' in b and b'Final-Recipient: rfc822; z@reject.test' in b,
     'bounce: delivery-status part names the recipient')
t.ok(b'Subject: e2e-bounce' in b, 'bounce: original headers included')

# 7. sendmail -t.
r = inst.sendmail(['-t'], input=b'To: bob@virt.test\nSubject: e2e-sendmail\n\nhi\n')
t.is_eq(r.returncode, 0, 'sendmail -t: exit 0')
got = inst.wait_for(lambda: inst.maildir_messages('bob'), timeout=20)
t.ok(got and b'Subject: e2e-sendmail' in got[0], 'sendmail -t: delivered')

# 8. Queue empty, clean stop.
t.ok(inst.wait_for(lambda: not inst.queue_files(), timeout=20), 'queue empty at the end')
q = inst.run('mailq')
t.is_eq(q.stdout, 'Mail queue is empty\n', 'mailq: Mail queue is empty')
inst.stop()
t.is_eq(inst.pids(), [], 'postern stop leaves no process')
sink.stop()
t.done()
