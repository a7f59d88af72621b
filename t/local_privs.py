#!/usr/bin/python3
# t/local_privs.py - local(8) rules for commands: a command run for an
# alias sees no open queue file (no descriptor leaked into it); its output
# is read as it runs and only the first part kept (never spooled to a
# temporary file, which a chatty command could grow to fill the disk);
# (as root) mailbox_command for root runs as default_privs, never as root,
# as Postfix documents.
import os
import pwd
import re
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
root = os.geteuid() == 0
inst = Instance('local_privs')
files = os.path.join(inst.dir, 'files')
# Runs for mailbox deliveries only (not for alias commands).
inst.set_main_cf(mailbox_command='id -u > %s/mbcmd.out' % files)
os.makedirs(files)
os.chmod(files, 0o1777)
inst.write('etc/aliases', 'fds "|ls -l /proc/self/fd/ > %s/fds.out"\n'
           'chatty "|head -c 30000000 /dev/zero; touch %s/chatty.wrote; sleep 3; exit 67"\n'
           % (files, files))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)
dom = inst.myhostname
D = re.escape(dom)


def submit(rcpt, body):
    s = inst.smtp()
    s.sendmail('snd@src.test', [rcpt], body)
    s.quit()


# 1. No queue file descriptor in a command's process.
submit('fds@%s' % dom, b'Subject: fds\r\n\r\nfds\r\n')
t.ok(inst.wait_log(r'to=<fds@%s>, relay=local, .*status=sent \(delivered to command' % D),
     'alias command delivered')
try:
    with open(os.path.join(files, 'fds.out')) as f:
        fds = f.read()
except OSError:
    fds = ''
t.ok(fds and '/active/' not in fds and '/incoming/' not in fds,
     'the command inherits no queue file descriptor')
if '/active/' in fds:
    t.diag(fds)

# 2. A command writing 30 MB of output: not spooled, first part kept.
def big_spool_files():
    """Deleted files of more than 1 MB held open by this instance's processes."""
    found = []
    for pid in inst.pids():
        try:
            fds = os.listdir('/proc/%d/fd' % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
                if target.endswith('(deleted)') and os.stat('/proc/%d/fd/%s' % (pid, fd)).st_size > 1 << 20:
                    found.append(target)
            except OSError:
                pass
    return found


mark = inst.log_mark()
submit('chatty@%s' % dom, b'Subject: chatty\r\n\r\nchatty\r\n')
t.ok(inst.wait_for(lambda: os.path.exists(os.path.join(files, 'chatty.wrote')), timeout=30),
     'chatty command wrote its output')
t.is_eq(big_spool_files(), [], 'command output not spooled into a temporary file')
m = inst.wait_log(r'to=<chatty@%s>, relay=local, .*dsn=5\.1\.1, status=bounced \(user unknown\. '
                  r'Command output: ( +)\)' % D, since=mark, timeout=30)
t.ok(m and len(m.group(1)) <= 1024, 'command status and the first part of its output reported')

# 3. mailbox_command for root runs as default_privs.
if root:
    submit('root@%s' % dom, b'Subject: root\r\n\r\nfor root\r\n')
    t.ok(inst.wait_log(r'to=<root@%s>, relay=local, .*status=sent \(delivered to command' % D),
         'mailbox_command for root delivered')
    try:
        with open(os.path.join(files, 'mbcmd.out')) as f:
            who = f.read().strip()
    except OSError:
        who = ''
    t.is_eq(who, str(pwd.getpwnam('nobody').pw_uid), 'mailbox_command for root ran as default_privs')
else:
    t.skip('mailbox_command for root', 'needs root', 2)

inst.stop()
t.done()
