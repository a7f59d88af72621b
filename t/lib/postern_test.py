"""postern_test - harness for postern's integration tests (t/*.py).

Stdlib only.  See doc/HACKING.md ("Integration tests") for the API:

    from postern_test import Instance, TAP, SmtpSink
    t = TAP()
    inst = Instance('name', main_cf={...}, master_cf_extra='')
    inst.start(); s = inst.smtp(); ...; inst.stop()
    t.ok(...); t.is_eq(...); t.done()

An Instance is a private postern installation in a temporary directory
(etc/ queue/ data/ log/ mail/ spool/ libexec/ bin/) whose daemons and
commands are symlinks into the build tree ($POSTERN_BUILDDIR).  Everything
an instance starts is stopped when the test exits, by PID only.

Instance(name, main_cf=None, master_cf_extra='', port=None,
         myhostname='mail.test', keep=False, dir=None)
  attributes: dir etc queue data mail spool logdir logfile libexec bin
              port owner uid gid setgid_group main_cf master_cf_text
  start(timeout=10, wait_smtp=True)   raises StartError (with the log) on failure
  stop(), reload(), postern(*args)    `postern -c etc ...`
  run(cmd, *args, input=None, timeout=60, env=None, check=False)
  sendmail(args, input)               CompletedProcess, .stdout/.stderr text
  smtp(timeout=30, source_address=None, local_hostname='client.test')
  banner()                            the 220 line or None
  wait_for(cond, timeout=20)          value of cond() or the last false one
  log_text(), log_mark(), wait_log(pattern, timeout=20, since=mark)
  maildir_messages(path)              bytes of path/new/* (path relative to mail/)
  queue_files(subdir=None)            'incoming/ID', ... relative to queue/
  write(relpath, text), set_main_cf(**params)
  master_pid(), pids(), kill_all(sig=SIGKILL)
TAP(): ok is_eq like diag skip skip_all bail_out done (prints 1..N, exits)
SmtpSink(port=None, reply_rcpt=..., reply_data=..., reply_mail=...):
  start() stop() port messages rejected transcript connections
free_port(), builddir(), srcdir()
Environment: POSTERN_BUILDDIR, POSTERN_SRCDIR, TMPDIR, POSTERN_KEEP=1 (keep
instance directories), POSTERN_TEST_TIMEOUT (seconds, default 300).
"""

import atexit
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import smtplib
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ['Instance', 'TAP', 'SmtpSink', 'free_port', 'builddir', 'srcdir']

HERE = os.path.dirname(os.path.abspath(__file__))


def srcdir():
    """Top of the source tree ($POSTERN_SRCDIR, else guessed from this file)."""
    return os.path.abspath(os.environ.get('POSTERN_SRCDIR')
                           or os.path.join(HERE, '..', '..'))


def builddir():
    """Top of the build tree ($POSTERN_BUILDDIR, else the source tree)."""
    return os.path.abspath(os.environ.get('POSTERN_BUILDDIR') or srcdir())


def free_port():
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# Programs that are daemons (linked into daemon_directory) and commands
# (linked into command_directory).  Anything else master.cf names is
# looked up too; what is not built yet is simply not linked.
DAEMONS = ['master', 'smtpd', 'cleanup', 'qmgr', 'pickup', 'bounce', 'showq',
           'local', 'virtual', 'smtp', 'lmtp', 'error', 'discard', 'pipe',
           'anvil', 'trivial-rewrite', 'spawn', 'oqmgr', 'postscreen',
           'verify', 'flush', 'proxymap', 'scache', 'tlsmgr', 'dnsblog',
           'tlsproxy', 'postlogd']
# The ones issue 2 needs: a missing one is worth a note in the test log.
CORE_DAEMONS = ['master', 'smtpd', 'cleanup', 'qmgr', 'pickup', 'bounce', 'showq',
                'local', 'virtual', 'smtp', 'lmtp', 'error', 'discard']
COMMANDS = ['postern', 'postconf', 'postqueue', 'postsuper', 'postmap',
            'postdrop', 'sendmail', 'postcat', 'postalias', 'postlog',
            'postkick', 'postlock', 'postmulti']
COMMAND_ALIASES = {'mailq': 'sendmail', 'newaliases': 'sendmail'}

# Used when conf/master.cf does not exist yet.
FALLBACK_MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
"""

START_TIMEOUT = 10

_instances = []          # every Instance created, for cleanup at exit
_cleanup_done = False


def _is_root():
    return os.geteuid() == 0


def ensure_accounts():
    """As root: create user/group postern and group postdrop if missing."""
    if not _is_root():
        return
    try:
        grp.getgrnam('postern')
    except KeyError:
        subprocess.run(['groupadd', '--system', 'postern'], check=True)
    try:
        pwd.getpwnam('postern')
    except KeyError:
        subprocess.run(['useradd', '--system', '--gid', 'postern',
                        '--no-create-home', '--home-dir', '/nonexistent',
                        '--shell', '/usr/sbin/nologin', 'postern'], check=True)
    try:
        grp.getgrnam('postdrop')
    except KeyError:
        subprocess.run(['groupadd', '--system', 'postdrop'], check=True)


def _find_program(name):
    """Path of a built program NAME in the build tree, or None."""
    b = builddir()
    cands = [os.path.join(b, name, name)]
    if name == 'lmtp':
        cands.append(os.path.join(b, 'smtp', 'smtp'))
    if name == 'oqmgr':
        cands.append(os.path.join(b, 'qmgr', 'qmgr'))
    try:
        subdirs = sorted(os.listdir(b))
    except OSError:
        subdirs = []
    for d in subdirs:
        if d in ('t', 'tools', 'build-aux', 'autom4te.cache', '.git'):
            continue
        cands.append(os.path.join(b, d, name))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def _master_cf_commands(text):
    """Program names in the command column of master.cf text."""
    names = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith('#') or line[0].isspace():
            continue
        f = line.split()
        if len(f) >= 8:
            names.append(os.path.basename(f[7]))
    return names


def _read_text(path):
    try:
        with open(path, 'r', encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return ''


class StartError(RuntimeError):
    pass


class Instance:
    """A private postern instance in a temporary directory.

    Attributes: name, dir, etc, queue, data, port, mail (virtual Maildir
    base), logfile, libexec (daemon_directory), bin (command_directory),
    owner (mail_owner name), uid, gid (of mail_owner).
    """

    def __init__(self, name='test', main_cf=None, master_cf_extra='',
                 port=None, myhostname='mail.test', keep=False, dir=None):
        ensure_accounts()
        self.name = re.sub(r'[^A-Za-z0-9_.-]', '_', name)
        if dir:
            # A fixed directory (tools/demo): not stopped or removed at exit.
            self.dir = os.path.abspath(dir)
            os.makedirs(self.dir, exist_ok=True)
        else:
            base = os.environ.get('TMPDIR') or '/tmp'
            self.dir = tempfile.mkdtemp(prefix='postern-%s-' % self.name, dir=base)
        self.etc = os.path.join(self.dir, 'etc')
        self.queue = os.path.join(self.dir, 'queue')
        self.data = os.path.join(self.dir, 'data')
        self.mail = os.path.join(self.dir, 'mail')
        self.spool = os.path.join(self.dir, 'spool')
        self.logdir = os.path.join(self.dir, 'log')
        self.logfile = os.path.join(self.logdir, 'maillog')
        self.libexec = os.path.join(self.dir, 'libexec')
        self.bin = os.path.join(self.dir, 'bin')
        self.port = port or free_port()
        self.myhostname = myhostname
        self.keep = keep or bool(os.environ.get('POSTERN_KEEP'))
        self.started = False
        if _is_root():
            pw = pwd.getpwnam('postern')
            self.owner = 'postern'
            self.setgid_group = 'postdrop'
        else:
            pw = pwd.getpwuid(os.getuid())
            self.owner = pw.pw_name
            self.setgid_group = grp.getgrgid(os.getgid()).gr_name
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self._make_dirs()
        self.main_cf = self._default_main_cf()
        self.main_cf.update(main_cf or {})
        self.write_main_cf()
        self.write_master_cf(master_cf_extra)
        self._link_programs()
        if not dir:
            _instances.append(self)

    # ---------------------------------------------------------- setup
    def _make_dirs(self):
        os.chmod(self.dir, 0o755)
        # Every path component must be searchable by mail_owner (root only:
        # otherwise mail_owner is the caller).
        p = os.path.dirname(self.dir) if _is_root() else ''
        while p not in ('/', ''):
            try:
                st = os.stat(p)
                if not st.st_mode & 0o001:
                    raise StartError('%s is not searchable by others, so mail_owner '
                                     'cannot reach %s (tests: set TMPDIR elsewhere)'
                                     % (p, self.dir))
            except OSError:
                pass
            p = os.path.dirname(p)
        for d in (self.etc, self.libexec, self.bin):
            os.makedirs(d, 0o755, exist_ok=True)
        for d in (self.queue, self.data, self.mail, self.logdir):
            os.makedirs(d, 0o755, exist_ok=True)
            if _is_root():
                os.chown(d, self.uid, self.gid)
        os.makedirs(self.spool, exist_ok=True)
        os.chmod(self.spool, 0o1777)
        with open(self.logfile, 'a'):
            pass
        os.chmod(self.logfile, 0o644)
        if _is_root():
            os.chown(self.logfile, self.uid, self.gid)
        with open(os.path.join(self.etc, 'aliases'), 'w') as f:
            f.write('postmaster: root\n')

    def _default_main_cf(self):
        return self._sanitizer_env({
            # As conf/main.cf and postfix-ref (Debian's main.cf) set it.
            'compatibility_level': '3.6',
            'config_directory': self.etc,
            'queue_directory': self.queue,
            'daemon_directory': self.libexec,
            'command_directory': self.bin,
            'data_directory': self.data,
            'mail_owner': self.owner,
            'setgid_group': self.setgid_group,
            'maillog_file': self.logfile,
            'syslog_name': 'postern',
            'myhostname': self.myhostname,
            'mydestination': '$myhostname, localhost',
            'inet_interfaces': '127.0.0.1',
            'inet_protocols': 'ipv4',
            'mynetworks': '127.0.0.0/8',
            'smtpd_peername_lookup': 'no',
            'queue_run_delay': '5s',
            'minimal_backoff_time': '5s',
            'maximal_backoff_time': '10s',
            'virtual_mailbox_base': self.mail,
            'virtual_uid_maps': 'static:%d' % self.uid,
            'virtual_gid_maps': 'static:%d' % self.gid,
            'mail_spool_directory': self.spool,
            'alias_maps': 'texthash:%s/aliases' % self.etc,
            'alias_database': 'texthash:%s/aliases' % self.etc,
        })

    def _sanitizer_env(self, d):
        # Sanitizer builds: let the options reach the daemons, whose
        # environment master rebuilds from import_environment.
        names = [n for n in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS')
                 if os.environ.get(n)]
        if names:
            d['import_environment'] = ('MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ '
                                       'XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE '
                                       'POSTLOG_HOSTNAME ' + ' '.join(names))
        return d

    def write_main_cf(self):
        """(Re)write etc/main.cf from self.main_cf."""
        with open(os.path.join(self.etc, 'main.cf'), 'w') as f:
            f.write('# main.cf written by t/lib/postern_test.py\n')
            for k, v in self.main_cf.items():
                f.write('%s = %s\n' % (k, v))

    def set_main_cf(self, **params):
        """Update main.cf parameters (call reload() if running)."""
        self.main_cf.update(params)
        self.write_main_cf()

    def write_master_cf(self, extra=''):
        src = os.path.join(srcdir(), 'conf', 'master.cf')
        text = _read_text(src) or FALLBACK_MASTER_CF
        out = []
        replaced = False
        for line in text.splitlines():
            if not replaced and re.match(r'^smtp\s+inet\s', line):
                line = '127.0.0.1:%d inet n       -       n       -       -       smtpd' % self.port
                replaced = True
            elif line and not line[0].isspace() and not line.startswith('#'):
                f = line.split()
                if len(f) >= 8 and f[4] != 'n':
                    # No chroot in tests: rewrite the chroot column.
                    f[4] = 'n'
                    line = ' '.join(f[:7]) + ' ' + ' '.join(f[7:])
            out.append(line)
        if not replaced:
            out.append('127.0.0.1:%d inet n - n - - smtpd' % self.port)
        self.master_cf_text = '\n'.join(out) + '\n' + (extra or '')
        if self.master_cf_text and not self.master_cf_text.endswith('\n'):
            self.master_cf_text += '\n'
        with open(os.path.join(self.etc, 'master.cf'), 'w') as f:
            f.write(self.master_cf_text)

    def _link_programs(self):
        names = list(DAEMONS)
        for n in _master_cf_commands(self.master_cf_text):
            if n not in names:
                names.append(n)
        self.missing = []
        for n in names:
            p = _find_program(n)
            if p:
                _symlink(p, os.path.join(self.libexec, n))
            elif n in _master_cf_commands(self.master_cf_text):
                self.missing.append(n)
        for n in COMMANDS:
            p = _find_program(n)
            if p:
                _symlink(p, os.path.join(self.bin, n))
        for alias, n in COMMAND_ALIASES.items():
            p = _find_program(n)
            if p:
                _symlink(p, os.path.join(self.bin, alias))

    def write(self, relpath, text, mode=0o644):
        """Write a file under the instance dir (e.g. 'etc/vmailbox')."""
        path = os.path.join(self.dir, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb' if isinstance(text, bytes) else 'w') as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    # --------------------------------------------------------- running
    def env(self, extra=None):
        e = dict(os.environ)
        e['MAIL_CONFIG'] = self.etc
        e['PATH'] = self.bin + ':' + e.get('PATH', '/usr/bin:/bin')
        e.pop('POSTERN_KEEP', None)
        if extra:
            e.update(extra)
        return e

    def program(self, cmd):
        """Path of command CMD: the instance's bin/, libexec/, or as given."""
        if os.sep in cmd:
            return cmd
        for d in (self.bin, self.libexec):
            p = os.path.join(d, cmd)
            if os.path.exists(p):
                return p
        p = _find_program(cmd)
        return p or cmd

    def run(self, cmd, *args, input=None, timeout=60, env=None, check=False):
        """Run a postern command with MAIL_CONFIG set.

        Returns subprocess.CompletedProcess with stdout/stderr as text
        (stdout_bytes/stderr_bytes hold the raw bytes).  A command that
        does not finish within TIMEOUT is killed (returncode -9).
        """
        if isinstance(input, str):
            input = input.encode()
        argv = [self.program(cmd)] + [str(a) for a in args]
        try:
            p = subprocess.run(argv, input=input if input is not None else b'',
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=self.env(env), timeout=timeout)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, err, rc = e.stdout or b'', (e.stderr or b'') + \
                ('\n[postern_test: killed after %ss]\n' % timeout).encode(), -9
        except OSError as e:
            out, err, rc = b'', ('%s: %s\n' % (argv[0], e)).encode(), 127
        cp = subprocess.CompletedProcess(
            argv, rc, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'))
        cp.stdout_bytes, cp.stderr_bytes = out, err
        if check and rc != 0:
            raise RuntimeError('%s exited %s: %s' % (' '.join(argv), rc, cp.stderr))
        return cp

    def sendmail(self, args=(), input=b'', **kw):
        """Run the instance's sendmail with ARGS, message on stdin."""
        return self.run('sendmail', *args, input=input, **kw)

    def postern(self, *args, **kw):
        return self.run('postern', '-c', self.etc, *args, **kw)

    def banner(self, timeout=2.0):
        """The SMTP greeting line, or None if nothing answers."""
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=timeout) as s:
                s.settimeout(timeout)
                data = b''
                while b'\n' not in data and len(data) < 4096:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                try:
                    s.sendall(b'QUIT\r\n')
                    s.recv(4096)
                except OSError:
                    pass
                line = data.split(b'\n')[0].decode('utf-8', 'replace').rstrip('\r')
                return line or None
        except OSError:
            return None

    def start(self, timeout=START_TIMEOUT, wait_smtp=True):
        """`postern -c etc start`, then wait for the SMTP banner.

        On failure: stop what was started, print the reason and the log
        as TAP comments and raise StartError (the test then fails).
        """
        core = [n for n in self.missing if n in CORE_DAEMONS]
        if core and not self.started:
            _diag('programs named in master.cf but not built: %s' % ' '.join(core))
        if not os.path.exists(os.path.join(self.bin, 'postern')):
            raise self._start_failed('postern is not built (%s/postern/postern)' % builddir())
        self.started = True
        deadline = time.time() + timeout
        # Output goes to a file, not a pipe: a daemon that keeps the
        # inherited descriptor open must not make us wait for EOF.
        outpath = os.path.join(self.logdir, 'start.out')
        argv = [self.program('postern'), '-c', self.etc, 'start']
        with open(outpath, 'w+b') as out:
            try:
                rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=self.env(),
                                    timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                rc = 'killed after %ss' % timeout
            out.seek(0)
            text = out.read().decode('utf-8', 'replace')
        cp = subprocess.CompletedProcess(argv, rc, text, '')
        if rc != 0:
            raise self._start_failed('`postern -c %s start` exited %s:\n%s'
                                     % (self.etc, rc, text))
        if not wait_smtp:
            return cp
        b = None
        while time.time() < deadline:
            b = self.banner(timeout=max(0.2, min(2.0, deadline - time.time())))
            if b and b.startswith('220'):
                return cp
            time.sleep(0.1)
        raise self._start_failed('postern did not answer SMTP on 127.0.0.1:%d within %ss'
                                 ' (last greeting: %r)' % (self.port, timeout, b))

    def _start_failed(self, why):
        _diag('instance %s: %s' % (self.dir, why))
        for line in self.log_text().splitlines()[-30:]:
            _diag('log: ' + line)
        self.keep = True
        try:
            self.stop(timeout=5)
        except Exception as e:  # noqa: stop must not hide the cause
            _diag('stop after failed start: %s' % e)
        return StartError(why)

    def reload(self):
        return self.postern('reload')

    def master_pid(self):
        """PID from queue/pid/master.pid if that process is alive, else None."""
        txt = _read_text(os.path.join(self.queue, 'pid', 'master.pid')).strip()
        try:
            pid = int(txt)
        except ValueError:
            return None
        return pid if _alive(pid) else None

    def pids(self):
        """PIDs of every live process of this instance (master.pid, plus
        every process whose environment has MAIL_CONFIG=etc)."""
        found = set()
        mp = self.master_pid()
        if mp:
            found.add(mp)
        want = b'MAIL_CONFIG=' + self.etc.encode()
        me = os.getpid()
        for ent in os.listdir('/proc'):
            if not ent.isdigit():
                continue
            pid = int(ent)
            if pid == me:
                continue
            try:
                with open('/proc/%d/environ' % pid, 'rb') as f:
                    env = f.read()
            except OSError:
                continue
            if want in env.split(b'\0'):
                # Skip zombies: they are gone already.
                st = _read_text('/proc/%d/stat' % pid)
                m = re.match(r'\d+ \(.*\) (\S)', st, re.S)
                if m and m.group(1) == 'Z':
                    continue
                found.add(pid)
        return sorted(found)

    def kill_all(self, sig=signal.SIGKILL):
        """Send SIG to every process of the instance (by PID); returns them."""
        victims = self.pids()
        # The master first, so it forks nothing new; then again for any
        # child it forked between the scan and its death (bounded).
        master = self.master_pid()
        order = ([master] if master in victims else []) + [p for p in victims if p != master]
        for pid in order:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if sig == signal.SIGKILL:
            for _round in range(5):
                self.wait_for(lambda: not [p for p in victims if _alive(p)], timeout=5)
                late = [p for p in self.pids() if p not in victims]
                if not late:
                    break
                for pid in late:
                    try:
                        os.kill(pid, sig)
                    except OSError:
                        pass
                victims += late
        return victims

    def stop(self, timeout=20):
        """`postern stop`, wait for the processes, then SIGKILL leftovers."""
        if not self.started:
            return
        if os.path.exists(os.path.join(self.bin, 'postern')) and self.master_pid():
            self.postern('stop', timeout=timeout)
            self.wait_for(lambda: not self.pids(), timeout=min(timeout, 10))
        left = self.pids()
        if left:
            _diag('instance %s: SIGKILL to leftover processes %s' % (self.name, left))
            self.kill_all(signal.SIGKILL)
        self.started = False

    def cleanup(self, remove=True):
        self.stop()
        if remove and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---------------------------------------------------------- client side
    def smtp(self, timeout=30, source_address=None, local_hostname='client.test'):
        """smtplib.SMTP connected to the instance (no DNS for our own name)."""
        return smtplib.SMTP('127.0.0.1', self.port, local_hostname=local_hostname,
                            timeout=timeout, source_address=source_address)

    def wait_for(self, cond, timeout=20, interval=0.1):
        """Poll COND() until it returns something true; that value, or
        the last (false) value after TIMEOUT seconds."""
        deadline = time.time() + timeout
        while True:
            v = cond()
            if v or time.time() >= deadline:
                return v
            time.sleep(interval)

    def log_text(self):
        return _read_text(self.logfile)

    def log_mark(self):
        """Current size of the log, for wait_log(..., since=mark)."""
        try:
            return os.path.getsize(self.logfile)
        except OSError:
            return 0

    def wait_log(self, pattern, timeout=20, since=0, flags=re.M):
        """First re.search match of PATTERN in the log (from byte SINCE)
        within TIMEOUT seconds, or None."""
        rx = re.compile(pattern, flags)

        def look():
            try:
                with open(self.logfile, 'rb') as f:
                    f.seek(since)
                    text = f.read().decode('utf-8', 'replace')
            except OSError:
                return None
            return rx.search(text)
        return self.wait_for(look, timeout=timeout) or None

    def maildir_messages(self, path):
        """Contents (bytes) of the files in PATH/new, sorted by name.
        PATH is relative to the Maildir base (mail/) unless absolute."""
        if not os.path.isabs(path):
            path = os.path.join(self.mail, path)
        d = os.path.join(path, 'new')
        out = []
        try:
            names = sorted(os.listdir(d))
        except OSError:
            return out
        for n in names:
            try:
                with open(os.path.join(d, n), 'rb') as f:
                    out.append(f.read())
            except OSError:
                pass
        return out

    def queue_files(self, subdir=None):
        """Relative paths of the files in the queue directories."""
        subs = [subdir] if subdir else ['maildrop', 'incoming', 'active',
                                        'deferred', 'hold', 'corrupt']
        out = []
        for s in subs:
            top = os.path.join(self.queue, s)
            for root, _dirs, files in os.walk(top):
                for fn in files:
                    out.append(os.path.relpath(os.path.join(root, fn), self.queue))
        return sorted(out)


def _symlink(target, link):
    try:
        os.unlink(link)
    except OSError:
        pass
    os.symlink(target, link)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    st = _read_text('/proc/%d/stat' % pid)
    m = re.match(r'\d+ \(.*\) (\S)', st, re.S)
    return not (m and m.group(1) == 'Z')


def _diag(msg):
    for line in str(msg).splitlines() or ['']:
        print('# ' + line, flush=True)


# ------------------------------------------------------------------ TAP
class TAP:
    """Minimal TAP producer.  done() prints the plan `1..N` and exits
    (status 0 when every test passed)."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc=''):
        self.n += 1
        if not cond:
            self.failed += 1
        print('%sok %d - %s' % ('' if cond else 'not ', self.n,
                                str(desc).replace('\n', ' ').replace('#', '\\#')),
              flush=True)
        return bool(cond)

    def is_eq(self, got, want, desc=''):
        r = self.ok(got == want, desc)
        if not r:
            self.diag('     got: %r' % (got,))
            self.diag('expected: %r' % (want,))
        return r

    def like(self, got, pattern, desc=''):
        r = self.ok(got is not None and re.search(pattern, got) is not None, desc)
        if not r:
            self.diag('     got: %r' % (got,))
            self.diag(" doesn't match: %r" % (pattern,))
        return r

    def diag(self, msg):
        _diag(msg)

    def skip(self, desc, reason='', count=1):
        for _ in range(count):
            self.n += 1
            print('ok %d - %s # SKIP %s' % (self.n, desc, reason), flush=True)

    def skip_all(self, reason):
        print('1..0 # SKIP %s' % reason, flush=True)
        _cleanup_all(remove=True)
        sys.exit(0)

    def bail_out(self, reason):
        print('Bail out! %s' % reason, flush=True)
        _cleanup_all(remove=False)
        sys.exit(1)

    def done(self):
        print('1..%d' % self.n, flush=True)
        _cleanup_all(remove=self.failed == 0)
        code = 1 if self.failed else 0
        sys.exit(code)


def _cleanup_all(remove=True):
    global _cleanup_done
    if _cleanup_done:
        return
    _cleanup_done = True
    for inst in _instances:
        try:
            inst.stop()
        except Exception as e:
            _diag('stopping %s: %s' % (inst.dir, e))
        if remove and not inst.keep:
            shutil.rmtree(inst.dir, ignore_errors=True)
        else:
            _diag('instance kept in %s' % inst.dir)


atexit.register(lambda: _cleanup_all(remove=False))


def _on_term(signum, _frame):
    sys.exit(128 + signum)


for _s in (signal.SIGTERM, signal.SIGHUP):
    try:
        signal.signal(_s, _on_term)
    except (ValueError, OSError):
        pass


# Watchdog: no test may hang make check.  POSTERN_TEST_TIMEOUT seconds
# (default 300) after import, the test bails out; atexit then stops its
# instances.
def _on_alarm(_signum, _frame):
    print('Bail out! test still running after %ss (POSTERN_TEST_TIMEOUT)'
          % _TEST_TIMEOUT, flush=True)
    sys.exit(1)


try:
    _TEST_TIMEOUT = int(os.environ.get('POSTERN_TEST_TIMEOUT', '300'))
except ValueError:
    _TEST_TIMEOUT = 300
if _TEST_TIMEOUT > 0:
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(_TEST_TIMEOUT)
    except (ValueError, OSError):
        pass


# -------------------------------------------------------------- SmtpSink
class SmtpSink:
    """A small threaded SMTP server on 127.0.0.1 for relay tests.

    sink = SmtpSink(port=None, reply_rcpt='250 2.1.5 Ok',
                    reply_data='250 2.0.0 Ok: queued')
    sink.start(); sink.port; sink.messages; sink.stop()

    messages: [(mail_from, [rcpts], data_bytes)] for every accepted DATA;
    data is dot-unstuffed, with the line endings as received, without
    the final ".".  reply_* may be a string (a multi-line reply uses
    "\\n" between lines) or a callable(argument) returning one.
    transcript: per connection, a list of (client_line, reply) pairs.
    """

    def __init__(self, port=None, reply_rcpt='250 2.1.5 Ok',
                 reply_data='250 2.0.0 Ok: queued', reply_mail='250 2.1.0 Ok',
                 banner='220 sink.test ESMTP', hostname='sink.test',
                 ehlo_keywords=('PIPELINING', 'SIZE 10240000', '8BITMIME',
                                'ENHANCEDSTATUSCODES'),
                 timeout=30, max_data=50 * 1024 * 1024):
        self.port = port or free_port()
        self.reply_rcpt, self.reply_data, self.reply_mail = reply_rcpt, reply_data, reply_mail
        self.banner, self.hostname = banner, hostname
        self.ehlo_keywords = list(ehlo_keywords)
        self.timeout, self.max_data = timeout, max_data
        self.messages = []
        self.rejected = []
        self.transcript = []
        self.connections = 0
        self.lock = threading.Lock()
        self._sock = None
        self._threads = []
        self._stopping = False

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', self.port))
        s.listen(16)
        s.settimeout(0.2)
        self._sock = s
        self._stopping = False
        th = threading.Thread(target=self._accept_loop, daemon=True)
        th.start()
        self._threads.append(th)
        return self

    def stop(self):
        self._stopping = True
        for th in self._threads:
            th.join(timeout=5)
        self._threads = []
        if self._sock:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()

    def _accept_loop(self):
        while not self._stopping:
            try:
                conn, _addr = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            th = threading.Thread(target=self._session, args=(conn,), daemon=True)
            th.start()
            with self.lock:
                self.connections += 1
                self._threads.append(th)

    @staticmethod
    def _reply(r, arg):
        return r(arg) if callable(r) else r

    def _session(self, conn):
        conn.settimeout(self.timeout)
        rf = conn.makefile('rb')
        log = []
        with self.lock:
            self.transcript.append(log)

        def send(reply):
            lines = str(reply).split('\n')
            code = lines[0][:3]
            out = ''
            for i, l in enumerate(lines):
                text = l[4:] if len(l) > 3 and l[:3] == code else l
                sep = ' ' if i == len(lines) - 1 else '-'
                out += '%s%s%s\r\n' % (code, sep, text)
            conn.sendall(out.encode())
            return out

        try:
            send(self._reply(self.banner, None))
            mail_from, rcpts = None, []
            while not self._stopping:
                line = rf.readline(4096)
                if not line:
                    break
                cmdline = line.rstrip(b'\r\n').decode('utf-8', 'replace')
                verb = cmdline.split(' ', 1)[0].upper()
                arg = cmdline[len(verb):].strip()
                if verb == 'EHLO':
                    r = '\n'.join(['250 ' + self.hostname] +
                                  ['250 ' + k for k in self.ehlo_keywords])
                elif verb == 'HELO':
                    r = '250 ' + self.hostname
                elif verb == 'MAIL':
                    m = re.match(r'FROM:\s*<([^>]*)>', arg, re.I)
                    r = self._reply(self.reply_mail, arg)
                    if m and r.startswith('2'):
                        mail_from, rcpts = m.group(1), []
                    elif not m:
                        r = '501 5.5.4 Syntax: MAIL FROM:<address>'
                elif verb == 'RCPT':
                    m = re.match(r'TO:\s*<([^>]*)>', arg, re.I)
                    if mail_from is None:
                        r = '503 5.5.1 Error: need MAIL command'
                    elif not m:
                        r = '501 5.5.4 Syntax: RCPT TO:<address>'
                    else:
                        r = self._reply(self.reply_rcpt, m.group(1))
                        if r.startswith('2'):
                            rcpts.append(m.group(1))
                elif verb == 'DATA':
                    if mail_from is None:
                        r = '503 5.5.1 Error: need MAIL command'
                    elif not rcpts:
                        r = '554 5.5.1 Error: no valid recipients'
                    else:
                        log.append((cmdline, send('354 End data with <CR><LF>.<CR><LF>')))
                        data, ok = self._read_data(rf)
                        if not ok:
                            break
                        r = self._reply(self.reply_data, data)
                        with self.lock:
                            (self.messages if r.startswith('2') else self.rejected).append(
                                (mail_from, list(rcpts), data))
                        mail_from, rcpts = None, []
                        log.append(('<data>', send(r)))
                        continue
                elif verb == 'RSET':
                    mail_from, rcpts = None, []
                    r = '250 2.0.0 Ok'
                elif verb == 'NOOP':
                    r = '250 2.0.0 Ok'
                elif verb == 'QUIT':
                    log.append((cmdline, send('221 2.0.0 Bye')))
                    break
                else:
                    r = '502 5.5.2 Error: command not recognized'
                log.append((cmdline, send(r)))
        except (OSError, ValueError):
            pass
        finally:
            try:
                rf.close()
                conn.close()
            except OSError:
                pass

    def _read_data(self, rf):
        buf = []
        size = 0
        while True:
            line = rf.readline(65536)
            if not line:
                return b''.join(buf), False
            if line in (b'.\r\n', b'.\n'):
                return b''.join(buf), True
            if line.startswith(b'.'):
                line = line[1:]
            size += len(line)
            if size <= self.max_data:
                buf.append(line)
