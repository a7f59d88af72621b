#!/usr/bin/python3
# t/local_home.py - local(8) mailbox variants: home_mailbox = Maildir/
# (Maildir in the user's home, owned by the user) and mailbox_command
# (run as the user in the home directory, environment set, no $name
# expansion by postern). Needs root for the test account "psthome".
import os
import pwd
import re
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
if os.geteuid() != 0:
    t.skip_all('needs root for the test account')


def account(home):
    try:
        pwd.getpwnam('psthome')
        cmd = ['usermod', '--home', home, 'psthome']
    except KeyError:
        cmd = ['useradd', '--no-create-home', '--home-dir', home,
               '--shell', '/usr/sbin/nologin', 'psthome']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        t.skip_all('cannot set up user psthome: %s' % r.stdout.decode(errors='replace'))
    pw = pwd.getpwnam('psthome')
    os.makedirs(home, exist_ok=True)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    return pw


# 1. home_mailbox = Maildir/
inst = Instance('home', main_cf={'home_mailbox': 'Maildir/'})
pw = account(os.path.join(inst.dir, 'home'))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)
s = inst.smtp()
s.sendmail('snd@src.test', ['psthome@%s' % inst.myhostname], b'Subject: home\r\n\r\nin Maildir\r\n')
s.quit()
t.ok(inst.wait_log(r'postern/local\[\d+\]: \w+: to=<psthome@%s>, relay=local, .*dsn=2\.0\.0, '
                   r'status=sent \(delivered to maildir\)' % re.escape(inst.myhostname)),
     'home_mailbox Maildir/: delivered to maildir')
md = os.path.join(pw.pw_dir, 'Maildir')
msgs = inst.maildir_messages(md)
t.is_eq(len(msgs), 1, 'one message in ~/Maildir/new')
if msgs:
    t.ok(msgs[0].startswith(b'Return-Path: <snd@src.test>\nX-Original-To: psthome@%s\nDelivered-To: psthome@%s\n'
                            % ((inst.myhostname.encode(),) * 2)) and msgs[0].endswith(b'\n\nin Maildir\n'),
         'Maildir message headers and body')
    name = os.listdir(os.path.join(md, 'new'))[0]
    st = os.stat(os.path.join(md, 'new', name))
    t.is_eq((st.st_uid, st.st_gid), (pw.pw_uid, pw.pw_gid), 'owned by the user')
    t.is_eq(os.stat(md).st_uid, pw.pw_uid, 'Maildir created by the user')
else:
    t.skip('maildir content', 'no message', 3)
inst.stop()

# 2. mailbox_command
inst2 = Instance('cmd', main_cf={
    'mailbox_command': 'cat > "$HOME/cmd.out.$RECIPIENT"; echo "$USER $SENDER $LOCAL $(pwd)" > "$HOME/env.out"',
})
pw = account(os.path.join(inst2.dir, 'home'))
try:
    inst2.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)
s = inst2.smtp()
s.sendmail('snd@src.test', ['psthome@%s' % inst2.myhostname], b'Subject: cmd\r\n\r\nvia command\r\n')
s.quit()
rcpt = 'psthome@%s' % inst2.myhostname
t.ok(inst2.wait_log(r'to=<%s>, relay=local, .*dsn=2\.0\.0, status=sent \(delivered to command: '
                    % re.escape(rcpt)), 'mailbox_command: delivered to command')
out = os.path.join(pw.pw_dir, 'cmd.out.' + rcpt)
try:
    with open(out, 'rb') as f:
        data = f.read()
    st = os.stat(out)
except OSError:
    data, st = b'', None
t.ok(data.startswith(b'From snd@src.test  ') and data.endswith(b'\n\nvia command\n'),
     'command got From_ line, headers and body')
t.ok(st and st.st_uid == pw.pw_uid, 'command ran as the user')
try:
    with open(os.path.join(pw.pw_dir, 'env.out')) as f:
        env = f.read().split()
except OSError:
    env = []
t.is_eq(env, ['psthome', 'snd@src.test', 'psthome', pw.pw_dir], 'USER, SENDER, LOCAL, cwd = home')
t.done()
