#!/usr/bin/python3
# t/smtp_cache.py - SMTP connection caching in smtp(8): 20 messages to one
# next hop share a few sessions (conn_use=N in the log, every message
# intact, no RSET between clean transactions); RSET before reuse after a
# failed transaction; an idle session closed by the server and a 421 to
# MAIL on a reused session fall back to a new connection without a
# deferral; smtp_connection_cache_on_demand = no gives one session per
# message; idle sessions get QUIT after smtp_connection_cache_time_limit
# and when the instance stops.
import os
import re
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, SmtpSink

t = TAP()


def rcpt_reply(addr):
    if addr.startswith('bad@'):
        return '550 5.1.1 <%s>: user unknown' % addr
    return '250 2.1.5 Ok'


class MailCounter:
    """reply_mail for the 421 test: 421 to the MAIL numbers in `fail`."""

    def __init__(self):
        self.n = 0
        self.fail = set()

    def __call__(self, arg):
        self.n += 1
        if self.n in self.fail:
            return '421 4.3.2 sink.test Service shutting down'
        return '250 2.1.0 Ok'


def ended_with_quit(sink):
    """Number of connections whose last client command was QUIT."""
    with sink.lock:
        return sum(1 for conn in sink.transcript if conn and conn[-1][0].upper() == 'QUIT')


def cmds_of(sink):
    with sink.lock:
        return [[c.split(' ', 1)[0].upper() for c, _r in conn] for conn in sink.transcript]


bulk = SmtpSink().start()                              # default smtp transport
burst = SmtpSink().start()                             # maxproc-2 transport
one = SmtpSink(reply_rcpt=rcpt_reply).start()          # maxproc-1 transports
exp = SmtpSink().start()
idle = SmtpSink(timeout=1).start()                     # drops idle sessions after 1 s
mails = MailCounter()
four21 = SmtpSink(reply_mail=mails).start()
nocache = SmtpSink().start()
stopsink = SmtpSink().start()

inst = Instance('smtpcache', main_cf={
    'transport_maps': 'texthash:$config_directory/transport',
    'relay_domains': 'bulk.test, burst.test, one.test, exp.test, idle.test, f421.test, nocache.test, stop.test',
    # As Postfix: sessions are kept on demand (more mail waiting for the
    # next hop), or always for the next hops listed here.
    'smtp_connection_cache_destinations': ' '.join(
        '[127.0.0.1]:%d' % k.port for k in (one, exp, idle, four21, stopsink)),
    # Two deliveries at a time, so the rest of a burst waits in qmgr.
    'cache2_destination_concurrency_limit': '2',
}, master_cf_extra=(
    'cache1    unix  -       -       n       -       1       smtp\n'
    'cache10   unix  -       -       n       -       1       smtp\n'
    '  -o smtp_connection_cache_time_limit=10s\n'
    'cache2    unix  -       -       n       -       2       smtp\n'
    'nocache   unix  -       -       n       -       1       smtp\n'
    '  -o smtp_connection_cache_on_demand=no\n'))
inst.write('etc/transport',
           'bulk.test smtp:[127.0.0.1]:%d\n'
           'burst.test cache2:[127.0.0.1]:%d\n'
           'one.test cache10:[127.0.0.1]:%d\n'
           'exp.test cache1:[127.0.0.1]:%d\n'
           'idle.test cache10:[127.0.0.1]:%d\n'
           'f421.test cache10:[127.0.0.1]:%d\n'
           'nocache.test nocache:[127.0.0.1]:%d\n'
           'stop.test cache1:[127.0.0.1]:%d\n'
           % (bulk.port, burst.port, one.port, exp.port, idle.port, four21.port, nocache.port, stopsink.port))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)


def send(rcpts, subject, body_lines=3):
    s = inst.smtp()
    body = ('Subject: %s\r\nFrom: a@src.test\r\n\r\n' % subject
            + ''.join('%s line %d\r\n' % (subject, i) for i in range(body_lines))
            + '.dot %s\r\n' % subject).encode()
    s.sendmail('snd@src.test', rcpts, body)
    s.quit()
    return body


def relay_re(port):
    return r'127\.0\.0\.1\[127\.0\.0\.1\]:%d' % port


# ---- 1. 20 messages to one next hop. A trickle (each message delivered
#         before the next arrives) keeps no session, as in Postfix; a
#         burst with mail waiting in qmgr shares a few sessions, all
#         messages intact. Each smtp process keeps its own sessions (no
#         shared scache).
def bulk_run(sink, dom, gap, cached=True):
    bodies = {}
    s = inst.smtp()
    for i in range(20):
        body = ('Subject: %s %d\r\nFrom: a@src.test\r\n\r\nbody %d\r\n..dotted %d\r\n'
                % (dom, i, i, i)).encode()
        bodies['u%d@%s' % (i, dom)] = body
        s.sendmail('snd@src.test', ['u%d@%s' % (i, dom)], body)
        if not cached:              # a true trickle: each delivered before the next
            inst.wait_for(lambda: len(sink.messages) > i, timeout=20)
        time.sleep(gap)
    s.quit()
    rx = r'to=<u\d+@%s>.*status=sent' % re.escape(dom)
    ok = inst.wait_for(lambda: len(sink.messages) >= 20, timeout=30)
    t.ok(ok, '%s: 20 messages reached the sink (%d)' % (dom, len(sink.messages)))
    t.ok(inst.wait_for(lambda: len(re.findall(rx, inst.log_text())) == 20, timeout=10),
         '%s: 20 status=sent lines' % dom)
    intact = 0
    for frm, rcpts, data in sink.messages:
        if frm != 'snd@src.test' or len(rcpts) != 1 or rcpts[0] not in bodies:
            continue
        want_h, want_b = bodies[rcpts[0]].split(b'\r\n\r\n', 1)
        got_h, _sep, got_b = data.partition(b'\r\n\r\n')
        if got_b == want_b and all(h in got_h.split(b'\r\n') for h in want_h.split(b'\r\n')):
            intact += 1
    t.is_eq(intact, 20, '%s: every message intact (envelope and body)' % dom)
    log = inst.log_text()
    if not cached:
        t.ok(not re.search(r'to=<u\d+@%s>.*conn_use=' % re.escape(dom), log),
             '%s: no mail waiting for the next hop, so no session kept (no conn_use=)' % dom)
        t.is_eq(sink.connections, 20, '%s: one session per message, as Postfix' % dom)
        return
    t.ok(re.search(r'to=<u\d+@%s>, relay=%s, conn_use=[2-9]\d*, delay=[\d.]+, '
                   r'delays=[\d.]+/[\d.]+/0(\.0\d)?/[\d.]+, dsn=2\.0\.0, status=sent \(250 '
                   % (re.escape(dom), relay_re(sink.port)), log),
         '%s: reused session logged as relay=..., conn_use=N, delay=..., setup delay ~0' % dom)
    t.ok(re.search(r'to=<u\d+@%s>, relay=%s, delay=' % (re.escape(dom), relay_re(sink.port)), log),
         '%s: first use of a session has no conn_use=' % dom)
    t.ok(all('RSET' not in c for c in cmds_of(sink)), '%s: no RSET between clean transactions' % dom)
    t.ok(all(c.count('EHLO') == 1 for c in cmds_of(sink)), '%s: one EHLO per session' % dom)
    t.ok(not re.search(r'%s>.*status=(deferred|bounced)' % re.escape(dom), log),
         '%s: no deferral or bounce' % dom)
    t.ok(inst.wait_for(lambda: ended_with_quit(sink) == sink.connections, timeout=4),
         '%s: every idle session closed with QUIT within the time limit (%d of %d)'
         % (dom, ended_with_quit(sink), sink.connections))


bulk_run(bulk, 'bulk.test', 0, cached=False)
bulk_run(burst, 'burst.test', 0)
t.ok(burst.connections <= 4, 'burst, 2 processes: 20 messages used %d sessions (<< 20)'
     % burst.connections)

# ---- 2. RSET after a failed transaction before the session is cached and
#         reused; idle close after smtp_connection_cache_time_limit (2s).
#         Tests that need a session to stay cached use a transport with
#         a 10s limit, so that a slow machine does not expire it first.
send(['bad@one.test'], 'one-a')
t.ok(inst.wait_log(r'to=<bad@one\.test>, relay=%s, .*status=bounced' % relay_re(one.port)),
     'rejected recipient bounced')
send(['good@one.test'], 'one-b')
m = inst.wait_log(r'to=<good@one\.test>, relay=%s, conn_use=2, .*status=sent' % relay_re(one.port))
t.ok(m, 'next message reuses the session after the failed transaction (conn_use=2)')
t.is_eq(one.connections, 1, 'one session for both messages')
c = cmds_of(one)[0] if one.transcript else []
t.ok('RSET' in c and c.index('RSET') < len(c) - 1 and c[c.index('RSET') + 1] == 'MAIL',
     'RSET after the failed transaction, then MAIL: %r' % c)
t.ok(c.count('MAIL') == 2 and c.count('RSET') == 1, 'no RSET before reuse after success')

send(['a@exp.test'], 'exp-a')
t.ok(inst.wait_log(r'to=<a@exp\.test>, .*status=sent'), 'message sent')
sent_at = time.time()
done = inst.wait_for(lambda: ended_with_quit(exp) == 1, timeout=6)
waited = time.time() - sent_at
t.ok(done and waited < 3.5, 'idle session gets QUIT after the time limit (%.1fs)' % waited)
t.ok(waited > 1.0, 'session was kept idle before QUIT (%.1fs)' % waited)

# ---- 3. a session the server closed while idle: a new connection, no noise.
send(['a@idle.test'], 'idle-a')
t.ok(inst.wait_log(r'to=<a@idle\.test>, .*status=sent'), 'first message sent')
time.sleep(1.4)                                  # sink drops the idle session (1 s)
mark = inst.log_mark()
send(['b@idle.test'], 'idle-b')
m = inst.wait_log(r'to=<b@idle\.test>, relay=%s, delay=.*status=sent' % relay_re(idle.port),
                  since=mark)
t.ok(m, 'message after the server closed the idle session: status=sent on a new session')
t.is_eq(idle.connections, 2, 'two sessions')
t.ok(not re.search(r'(lost connection|timed out|deferred|warning)',
                   inst.log_text()[mark:]),
     'no deferral, lost-connection or warning logged')

# ---- 4. 421 to MAIL on a reused session: dropped, new connection, sent.
mails.fail = {2}
send(['a@f421.test'], 'f421-a')
t.ok(inst.wait_log(r'to=<a@f421\.test>, .*status=sent'), 'first message sent')
mark = inst.log_mark()
send(['b@f421.test'], 'f421-b')
m = inst.wait_log(r'to=<b@f421\.test>, relay=%s, delay=.*status=sent' % relay_re(four21.port),
                  since=mark)
t.ok(m, '421 to MAIL on a reused session: delivered on a new session')
t.is_eq(four21.connections, 2, 'two sessions')
t.is_eq(len(four21.messages), 2, 'both messages at the sink')
t.ok(not re.search(r'(said: 421|deferred|lost connection)', inst.log_text()[mark:]),
     'the 421 leaves no trace in the log')

# ---- 5. smtp_connection_cache_on_demand = no: one session per message.
for i in range(4):
    send(['n%d@nocache.test' % i], 'nocache-%d' % i)
t.ok(inst.wait_for(lambda: len(nocache.messages) >= 4, timeout=20), '4 messages delivered')
t.is_eq(nocache.connections, 4, 'cache off: one session per message')
t.ok(inst.wait_for(lambda: ended_with_quit(nocache) == 4, timeout=5), 'each ended with QUIT')
t.ok(not re.search(r'nocache\.test>.*conn_use', inst.log_text()), 'no conn_use= without caching')

# ---- 6. stopping the instance closes idle sessions with QUIT.
send(['a@stop.test'], 'stop-a')
t.ok(inst.wait_log(r'to=<a@stop\.test>, .*status=sent'), 'message sent')
inst.stop()
t.ok(inst.wait_for(lambda: ended_with_quit(stopsink) == 1, timeout=5),
     'idle session got QUIT when the instance stopped')

for k in (bulk, burst, one, exp, idle, four21, nocache, stopsink):
    k.stop()
t.done()
