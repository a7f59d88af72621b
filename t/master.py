#!/usr/bin/python3
"""master.py - the supervisor end to end: start, status, a second start
refused, reload keeps an SMTP session open, a killed worker is replaced,
a master.cf service whose program is missing or crashes at startup does
not make master spin, stop removes every process and the pid file."""
import os
import re
import socket
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, free_port  # noqa: E402

t = TAP()


def cpu_ticks(pid):
    """utime+stime of a process in clock ticks (0 if gone)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def children(ppid, name):
    """PIDs of the children of PPID whose program is NAME."""
    out = []
    for ent in os.listdir('/proc'):
        if not ent.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % ent) as f:
                st = f.read()
            with open('/proc/%s/cmdline' % ent, 'rb') as f:
                argv0 = f.read().split(b'\0')[0].decode('utf-8', 'replace')
        except OSError:
            continue
        rest = st.rsplit(')', 1)[1].split()
        if rest[0] != 'Z' and int(rest[1]) == ppid and os.path.basename(argv0) == name:
            out.append(int(ent))
    return out


extra = ("nosuch    unix  -       -       n       -       -       no-such-daemon\n"
         "crashy    unix  -       -       n       -       -       crashy\n")
inst = Instance('master', main_cf={'service_throttle_time': '2s', 'compatibility_level': '3.6'},
                master_cf_extra=extra)
# A program that dies at startup, every time.
os.symlink('/bin/false', os.path.join(inst.libexec, 'crashy'))

inst.start()
mpid = inst.master_pid()
t.ok(mpid, 'master runs and wrote its pid file')
with open(os.path.join(inst.queue, 'pid', 'master.pid')) as f:
    text = f.read()
t.ok(re.fullmatch(r' *%d\n' % mpid, text) and len(text) == 33,
     'pid file holds the pid right-aligned in 32 columns')
t.ok(inst.wait_log(r'postern/master\[%d\]: daemon started -- version \S+, configuration %s$'
                   % (mpid, re.escape(inst.etc)), timeout=5),
     'start is logged with version and configuration directory')

r = inst.postern('status')
t.is_eq(r.returncode, 0, 'status exits 0 while running')
t.ok(re.search(r'postern/postern-script: the \S+ mail system is running: PID: %d' % mpid,
               r.stderr + r.stdout), 'status names the master PID')

r = inst.postern('start')
t.ok(r.returncode != 0, 'a second start is refused')
t.ok('already running' in r.stderr, 'with "already running"')
t.is_eq(inst.master_pid(), mpid, 'the first master still runs')

# reload: an established session survives, new sessions work.
s = inst.smtp()
code, _ = s.ehlo()
t.is_eq(code, 250, 'EHLO before reload')
mark = inst.log_mark()
r = inst.reload()
t.is_eq(r.returncode, 0, 'reload exits 0')
t.ok(inst.wait_log(r'reload -- version \S+, configuration %s' % re.escape(inst.etc),
                   since=mark, timeout=10), 'reload is logged')
time.sleep(0.5)
code, _ = s.noop()
t.is_eq(code, 250, 'the session opened before reload still answers')
t.ok((inst.banner() or '').startswith('220'), 'a new session after reload gets a banner')
s.quit()
t.is_eq(inst.master_pid(), mpid, 'reload keeps the same master')

# reload picks up main.cf and master.cf changes: new banner, new and
# removed listeners.
port2 = free_port()
inst.set_main_cf(smtpd_banner='$myhostname ESMTP reloaded')
inst.write_master_cf(extra + '127.0.0.1:%d inet n - n - - smtpd\n' % port2)
mark = inst.log_mark()
inst.reload()
inst.wait_log(r'reload -- version', since=mark, timeout=10)


def banner_on(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=3) as c:
            c.settimeout(3)
            return c.recv(200).decode('utf-8', 'replace')
    except OSError as e:
        return 'error: %s' % e


t.ok(inst.wait_for(lambda: 'reloaded' in banner_on(inst.port), timeout=10),
     'new sessions see the reloaded main.cf')
t.ok(inst.wait_for(lambda: banner_on(port2).startswith('220'), timeout=10),
     'a service added to master.cf listens after reload')
inst.write_master_cf(extra)
mark = inst.log_mark()
inst.reload()
inst.wait_log(r'reload -- version', since=mark, timeout=10)
t.ok(inst.wait_for(lambda: banner_on(port2).startswith('error'), timeout=10),
     'a service removed from master.cf stops listening after reload')
t.ok(banner_on(inst.port).startswith('220'), 'the unchanged service still answers')

# kill -9 of a busy worker: logged, and a new one serves the next client.
s = inst.smtp()
s.ehlo()
busy = children(mpid, 'smtpd')
t.ok(busy, 'smtpd workers are children of master')
mark = inst.log_mark()
for pid in busy:
    os.kill(pid, 9)
t.ok(inst.wait_log(r'warning: process \S+/smtpd pid \d+ killed by signal 9', since=mark,
                   timeout=10), 'the killed worker is logged like Postfix')
t.ok(inst.wait_for(lambda: (inst.banner(timeout=1) or '').startswith('220'), timeout=15),
     'a new smtpd serves after the kill')
try:
    s.close()
except Exception:
    pass

# A service whose program does not exist: clients fail fast, master idles.
path = os.path.join(inst.queue, 'private', 'nosuch')
t.ok(os.path.exists(path), 'the service socket of a missing program exists')
mark = inst.log_mark()
before = cpu_ticks(mpid)
failed = 0
t0 = time.time()
for i in range(40):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    try:
        c.connect(path)
        if c.recv(10) == b'':
            failed += 1
    except OSError:
        failed += 1
    finally:
        c.close()
    time.sleep(0.05)
elapsed = time.time() - t0
t.is_eq(failed, 40, 'every client of the missing program fails')
t.ok(elapsed < 15, 'and fails quickly (%.1fs for 40)' % elapsed)
t.ok(inst.wait_log(r'no-such-daemon: No such file or directory -- throttling', since=mark,
                   timeout=5), 'one warning names the missing program')
log = inst.log_text()[mark:]
n = len(re.findall(r'no-such-daemon: No such file', log))
t.ok(1 <= n <= 5, 'the warning is throttled (%d lines)' % n)

# A program that dies at startup: throttled, not respawned in a loop.
path = os.path.join(inst.queue, 'private', 'crashy')
mark = inst.log_mark()
for i in range(3):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(1)
    try:
        c.connect(path)
        c.recv(10)
    except OSError:
        pass
    finally:
        c.close()
time.sleep(3)
log = inst.log_text()[mark:]
starts = len(re.findall(r'process \S+/crashy pid \d+ exit status 1', log))
t.ok(1 <= starts <= 4, 'a crashing program is started a few times, not in a loop (%d)' % starts)
t.ok(re.search(r'warning: \S+/crashy: bad command startup -- throttling', log),
     '"bad command startup -- throttling" is logged')
after = cpu_ticks(mpid)
hz = os.sysconf('SC_CLK_TCK')
t.ok((after - before) / hz < 2.0, 'master used little CPU (%.2fs)' % ((after - before) / hz))

if t.failed:
    for line in inst.log_text().splitlines()[-40:]:
        t.diag('log: ' + line)

# stop: every process of the instance goes away, pid file removed.
mark = inst.log_mark()
r = inst.postern('stop')
t.is_eq(r.returncode, 0, 'stop exits 0')
t.ok(inst.wait_for(lambda: not inst.pids(), timeout=15), 'no process of the instance is left')
t.ok(not os.path.exists(os.path.join(inst.queue, 'pid', 'master.pid')), 'pid file removed')
t.ok(inst.wait_log(r'master\[%d\]: terminating on signal 15' % mpid, since=mark, timeout=5),
     'stop is logged')
r = inst.postern('status')
t.ok(r.returncode != 0 and 'is not running' in r.stderr, 'status after stop: not running')
r = inst.postern('stop')
t.ok(r.returncode != 0, 'stop when not running fails')
t.done()
