#!/usr/bin/python3
# t/local.py - local(8): delivery to a system user's mbox in
# mail_spool_directory (From_ line, Return-Path, X-Original-To,
# Delivered-To, >From quoting, blank line, owner), aliases to a user, a
# file and a command, unknown users and forwarding loops bounced.
# As root it uses the account "pstlocal" (created if missing); otherwise
# it delivers to the invoking user.
import os
import pwd
import re
import stat
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, SmtpSink

t = TAP()
root = os.geteuid() == 0
if root:
    try:
        pwd.getpwnam('pstlocal')
    except KeyError:
        r = subprocess.run(['useradd', '--no-create-home', '--home-dir', '/nonexistent',
                            '--shell', '/usr/sbin/nologin', 'pstlocal'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            t.skip_all('cannot create user pstlocal: %s' % r.stdout.decode(errors='replace'))
    user = 'pstlocal'
else:
    user = pwd.getpwuid(os.getuid()).pw_name
pw = pwd.getpwnam(user)

sink = SmtpSink().start()
inst = Instance('local', main_cf={'relayhost': '[127.0.0.1]:%d' % sink.port,
                                  'command_time_limit': '2s'})
files = os.path.join(inst.dir, 'files')
os.makedirs(files)
os.chmod(files, 0o1777)

# A user with a .forward (root only: the account's home is this instance's).
fwd_user = None
if root:
    home = os.path.join(inst.dir, 'home')
    os.makedirs(home)
    try:
        pwd.getpwnam('pstfwd')
        r = subprocess.run(['usermod', '--home', home, 'pstfwd'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except KeyError:
        r = subprocess.run(['useradd', '--no-create-home', '--home-dir', home,
                            '--shell', '/usr/sbin/nologin', 'pstfwd'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode == 0:
        fwd_user = pwd.getpwnam('pstfwd')
        with open(os.path.join(home, '.forward'), 'w') as f:
            f.write('# comment\n\\pstfwd\n"|cat > %s/fwd.out"\n' % files)
        os.chown(home, fwd_user.pw_uid, fwd_user.pw_gid)
        os.chown(os.path.join(home, '.forward'), fwd_user.pw_uid, fwd_user.pw_gid)
# alias_maps is texthash: (postmap's "key value" format) in test instances.
inst.write('etc/aliases',
           'postmaster root\n'
           'useralias %s\n'
           'filealias %s/filealias.mbox\n'
           'cmdalias "|cat > %s/cmd.out"\n'
           'multi %s, %s/multi.mbox\n'
           'remote x@relay.test\n'
           'incl :include:%s/list\n'
           'slowcmd "|sleep 30"\n'
           'slowout "|echo hi there; sleep 30 & echo $! > %s/slow.pid; wait"\n'
           % (user, files, files, user, files, files, files))
inst.write('files/list', '# members\n%s\n' % user)
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

dom = inst.myhostname
body = (b'Subject: local test\r\nFrom: a@src.test\r\n\r\nline1\r\n.dotline\r\n'
        b'From me\r\n8bit: \xc3\xa9\r\nlast')
s = inst.smtp()
s.sendmail('snd@src.test', ['%s@%s' % (user, dom)], body + b'\r\n')
s.quit()
t.ok(inst.wait_log(r'postern/local\[\d+\]: \w+: to=<%s@%s>, relay=local, delay=[\d.]+, '
                   r'delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, '
                   r'status=sent \(delivered to mailbox\)' % (re.escape(user), re.escape(dom))),
     'mailbox delivery logged as Postfix does')
mbox = os.path.join(inst.spool, user)
try:
    with open(mbox, 'rb') as f:
        mb = f.read()
except OSError:
    mb = b''
lines = mb.split(b'\n')
t.like(lines[0].decode('latin-1'), r'^From snd@src\.test  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$',
       'From_ line')
t.is_eq(lines[1:4], [b'Return-Path: <snd@src.test>', b'X-Original-To: %s@%s' % (user.encode(), dom.encode()),
                     b'Delivered-To: %s@%s' % (user.encode(), dom.encode())],
        'Return-Path, X-Original-To, Delivered-To in that order')
t.ok(mb.endswith(b'\n\nline1\n.dotline\n>From me\n8bit: \xc3\xa9\nlast\n\n'),
     'body intact, >From quoted, blank line at the end')
if mb:
    st = os.stat(mbox)
    t.is_eq((st.st_uid, stat.S_IMODE(st.st_mode)), (pw.pw_uid, 0o600), 'mailbox owned by the user, mode 0600')
else:
    t.skip('mailbox owner', 'no mailbox')
t.ok(not os.path.exists(mbox + '.lock'), 'dotlock removed')

# Aliases: to the user, to a file, to a command, to both. Submitted with
# sendmail so that only local(8) decides what the names mean.
def submit(rcpt, body):
    if os.path.exists(os.path.join(inst.bin, 'sendmail')):
        inst.sendmail(['-f', 'snd@src.test', rcpt], input=body.replace(b'\r\n', b'\n'))
    else:
        s = inst.smtp()
        s.sendmail('snd@src.test', [rcpt], body)
        s.quit()


submit('useralias@%s' % dom, b'Subject: ua\r\n\r\nvia alias\r\n')
submit('filealias@%s' % dom, b'Subject: fa\r\n\r\nto a file\r\n')
submit('cmdalias@%s' % dom, b'Subject: ca\r\n\r\nto a command\r\n')
submit('multi@%s' % dom, b'Subject: ma\r\n\r\nto both\r\n')
D, U = re.escape(dom), re.escape(user)
t.ok(inst.wait_log(r'to=<%s@%s>, orig_to=<useralias@%s>, relay=local, .*status=sent '
                   r'\(delivered to mailbox\)' % (U, D, D)),
     'alias to a user: to= the user, orig_to= the alias')
t.ok(inst.wait_log(r'to=<filealias@%s>, relay=local, .*status=sent '
                   r'\(delivered to file: %s/filealias\.mbox\)' % (D, re.escape(files))),
     'alias to a file')
t.ok(inst.wait_log(r'to=<cmdalias@%s>, relay=local, .*status=sent '
                   r'\(delivered to command: cat > %s/cmd\.out\)' % (D, re.escape(files))),
     'alias to a command')
t.ok(inst.wait_log(r'to=<multi@%s>, relay=local, .*status=sent \(delivered to file: ' % D),
     'alias to a user and a file: file part')
t.ok(inst.wait_log(r'to=<%s@%s>, orig_to=<multi@%s>, relay=local, .*status=sent' % (U, D, D)),
     'alias to a user and a file: user part')
try:
    with open(os.path.join(files, 'filealias.mbox'), 'rb') as f:
        fa = f.read()
    st = os.stat(os.path.join(files, 'filealias.mbox'))
except OSError:
    fa, st = b'', None
t.ok(fa.startswith(b'From snd@src.test  ') and b'\nDelivered-To: filealias@' + dom.encode() + b'\n' in fa
     and fa.endswith(b'\n\nto a file\n\n'), 'file alias content in mbox format')
if root and st:
    t.is_eq(st.st_uid, pwd.getpwnam('nobody').pw_uid, 'file written as default_privs')
else:
    t.skip('file owner', 'not root')
try:
    with open(os.path.join(files, 'cmd.out'), 'rb') as f:
        co = f.read()
except OSError:
    co = b''
t.ok(co.startswith(b'From snd@src.test  ') and b'\nDelivered-To: cmdalias@' + dom.encode() + b'\n' in co
     and co.endswith(b'\n\nto a command\n'), 'command got the message on stdin')
with open(mbox, 'rb') as f:
    mb = f.read()
t.ok(b'\nDelivered-To: useralias@%s\n' % dom.encode() in mb, 'alias delivery: Delivered-To the alias address')

# An alias to a remote address: re-submitted through cleanup.
submit('remote@%s' % dom, b'Subject: remote\r\n\r\nforward me\r\n')
m = inst.wait_log(r'to=<remote@%s>, relay=local, .*dsn=2\.0\.0, status=sent \(forwarded as (\w+)\)' % D)
t.ok(m, 'alias to a remote address: forwarded as ID')
t.ok(inst.wait_for(lambda: sink.messages, timeout=20), 'forwarded message relayed')
if sink.messages:
    frm, rcpts, data = sink.messages[0]
    t.is_eq((frm, rcpts), ('snd@src.test', ['x@relay.test']), 'forwarded envelope')
    t.ok(data.startswith(b'Delivered-To: remote@%s\r\n' % dom.encode()) and data.endswith(b'\r\nforward me\r\n'),
         'forwarded message: Delivered-To first, body intact')
else:
    t.skip('forwarded content', 'nothing relayed', 2)

# :include: a list of addresses.
submit('incl@%s' % dom, b'Subject: incl\r\n\r\nvia include\r\n')
t.ok(inst.wait_log(r'to=<%s@%s>, orig_to=<incl@%s>, relay=local, .*status=sent \(delivered to mailbox\)'
                   % (U, D, D)), ':include: file expanded')

# .forward: a command plus "\\user" (the mailbox, no more forwarding).
if fwd_user:
    submit('pstfwd@%s' % dom, b'Subject: fwd\r\n\r\nvia .forward\r\n')
    t.ok(inst.wait_log(r'to=<pstfwd@%s>, relay=local, .*status=sent \(delivered to command: cat > %s/fwd\.out\)'
                       % (D, re.escape(files))), '.forward command')
    t.ok(inst.wait_log(r'to=<pstfwd@%s>, relay=local, .*status=sent \(delivered to mailbox\)' % D),
         '.forward \\user: mailbox')
    st = None
    try:
        st = os.stat(os.path.join(files, 'fwd.out'))
    except OSError:
        pass
    t.ok(st and st.st_uid == fwd_user.pw_uid, '.forward command ran as the user')
else:
    t.skip('.forward', 'needs root', 3)

# Unknown user (past smtpd's recipient check) and a forwarding loop.
if os.path.exists(os.path.join(inst.bin, 'sendmail')):
    submit('nouser@%s' % dom, b'Subject: x\r\n\r\nhi\r\n')
    t.ok(inst.wait_log(r'to=<nouser@%s>, relay=local, .*dsn=5\.1\.1, '
                       r'status=bounced \(unknown user: "nouser"\)' % D), 'unknown user bounced')
else:
    t.skip('unknown user', 'no sendmail yet')
s = inst.smtp()
s.sendmail('snd@src.test', ['%s@%s' % (user, dom)],
           b'Delivered-To: %s@%s\r\nSubject: loop\r\n\r\nloop\r\n' % (user.encode(), dom.encode()))
s.quit()
t.ok(inst.wait_log(r'to=<%s@%s>, relay=local, .*dsn=5\.4\.6, status=bounced '
                   r'\(mail forwarding loop for %s@%s\)' % (U, D, U, D)),
     'Delivered-To loop bounced')
# command_time_limit (2s here): the command and its process group are
# killed and the recipient bounces as Postfix 3.7 does (5.3.0, "Command
# time limit exceeded", the output if any, a warning from the reader).
mark = inst.log_mark()
submit('slowcmd@%s' % dom, b'Subject: slow\r\n\r\nslow\r\n')
submit('slowout@%s' % dom, b'Subject: slow2\r\n\r\nslow\r\n')
m = inst.wait_log(r'to=<slowcmd@%s>, relay=local, delay=([\d.]+), .*dsn=5\.3\.0, status=bounced '
                  r'\(Command time limit exceeded: "sleep 30"\)$' % D, since=mark, timeout=30)
t.ok(m and float(m.group(1)) < 10, 'command_time_limit: command killed, recipient bounced')
t.ok(inst.wait_log(r'to=<slowout@%s>, relay=local, .*dsn=5\.3\.0, status=bounced '
                   r'\(Command time limit exceeded: "echo hi there; sleep 30 & echo \$! > %s/slow\.pid; wait"\. '
                   r'Command output: hi there \)$' % (D, re.escape(files)), since=mark, timeout=30),
     'command_time_limit: the output so far is in the reason')
t.ok(inst.wait_log(r'postern/local\[\d+\]: warning: pipe_command_read: read time limit exceeded',
                   since=mark), 'time limit warning logged')
try:
    with open(os.path.join(files, 'slow.pid')) as f:
        bg = int(f.read().strip())
except (OSError, ValueError):
    bg = None
def gone(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(')')[-1].split()[0] == 'Z'
    except OSError:
        return True
t.ok(bg and inst.wait_for(lambda: gone(bg), timeout=5), "the command's background child was killed too")
def bounce_for(name):
    for frm, rcpts, data in sink.messages:
        if frm == '' and b'<%s@%s>' % (name.encode(), dom.encode()) in data:
            return data
    return None
b1 = inst.wait_for(lambda: bounce_for('slowcmd'), timeout=20)
b2 = inst.wait_for(lambda: bounce_for('slowout'), timeout=20)
t.ok(b1 and b'\r\nStatus: 5.3.0\r\n' in b1
     and b'\r\nDiagnostic-Code: x-unix; internal software error\r\n' in b1,
     'bounce: 5.3.0, Diagnostic-Code x-unix; internal software error')
t.ok(b2 and b'\r\nDiagnostic-Code: x-unix; hi there\r\n' in b2, 'bounce: Diagnostic-Code is the output')
# A mailbox whose close() fails after the append was written and fsynced
# (NFS write-back, quota): the delivery is deferred and the mailbox
# truncated back to its size before the append, as every other failed
# append is. close() is made to fail by an LD_PRELOAD shim for files
# named closefail.mbox (needs a C compiler; not under sanitizers).
sink.stop()
inst.stop()
def have_cc():
    import shutil
    return shutil.which('cc') or shutil.which('gcc')
local_bin = os.path.join(inst.libexec, 'local')
try:
    with open(os.path.realpath(local_bin), 'rb') as f:
        image = f.read()
    sanitized = b'__asan_init' in image or b'__ubsan_handle' in image
except OSError:
    sanitized = True
if not have_cc() or sanitized:
    t.skip('close() failure truncates the mailbox back', 'no C compiler or a sanitizer build', 3)
    t.done()
inst2 = Instance('localclose')
cfiles = os.path.join(inst2.dir, 'files')
os.makedirs(cfiles)
os.chmod(cfiles, 0o1777)
shim_c = inst2.write('files/shim.c', r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int close(int fd)
{
    static int (*real_close) (int);
    char link[64], path[4096];
    ssize_t n;
    int fail = 0;

    if (real_close == 0)
        real_close = (int (*)(int)) dlsym(RTLD_NEXT, "close");
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    if ((n = readlink(link, path, sizeof(path) - 1)) > 15) {
        path[n] = 0;
        fail = strcmp(path + n - 15, "/closefail.mbox") == 0;
    }
    if (real_close(fd) < 0)
        return -1;
    if (fail) {
        errno = EIO;
        return -1;
    }
    return 0;
}
""")
shim = os.path.join(cfiles, 'shim.so')
r = subprocess.run([have_cc(), '-shared', '-fPIC', '-o', shim, shim_c, '-ldl'],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
if r.returncode != 0:
    t.skip('close() failure truncates the mailbox back', 'cannot build the shim', 3)
    t.done()
os.chmod(shim, 0o755)
box = os.path.join(cfiles, 'closefail.mbox')
with open(box, 'wb') as f:
    f.write(b'From old@x  Mon Nov 23 00:00:00 2026\n\nold message\n\n')
os.chmod(box, 0o666)
inst2.write('etc/aliases', 'postmaster root\nclosefail %s\n' % box)
inst2.main_cf['import_environment'] = ('MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C '
                                       'LD_PRELOAD=%s' % shim)
inst2.write_main_cf()
try:
    inst2.start()
    s = inst2.smtp()
    s.sendmail('snd@src.test', ['closefail@%s' % inst2.myhostname], b'Subject: cf\r\n\r\nnew\r\n')
    s.quit()
    t.ok(inst2.wait_log(r'to=<closefail@%s>, relay=local, .*dsn=4\.2\.0, status=deferred '
                        r'\(cannot update mailbox %s: close: Input/output error\)'
                        % (re.escape(inst2.myhostname), re.escape(box))),
         'close() failure after the append: deferred')
    with open(box, 'rb') as f:
        t.is_eq(f.read(), b'From old@x  Mon Nov 23 00:00:00 2026\n\nold message\n\n',
                'the mailbox is truncated back to its size before the append')
    t.ok(not re.search(r'warning: .*closefail', inst2.log_text()), 'no truncation warning')
finally:
    inst2.stop()
t.done()

