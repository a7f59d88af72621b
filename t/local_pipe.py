#!/usr/bin/python3
# t/local_pipe.py - pipe(8): a command from master.cf gets the message on
# stdin with the flags= headers, its arguments expanded (${sender},
# ${recipient} once per recipient, ${user}, ${extension}, ${domain},
# ${nexthop}); exit 0 is sent "delivered via SERVICE service", 75 is
# deferred "temporary failure", another status bounced. A command that
# runs longer than SERVICE_time_limit (default $command_time_limit) is
# killed with its process group and bounced, as Postfix 3.7 does.
import os
import pwd
import re
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
user = 'nobody' if os.geteuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
inst = Instance('pipe', main_cf={
    'transport_maps': 'texthash:$config_directory/transport',
    'relay_domains': 'pipe.test, fail.test, tmp.test, slow.test, slow2.test',
    'recipient_delimiter': '+',
    'command_time_limit': '2s',
    'pipeslow2_time_limit': '1s',
}, master_cf_extra='')
files = os.path.join(inst.dir, 'files')
os.makedirs(files)
os.chmod(files, 0o1777)
script = inst.write('files/pipe.sh',
                    '#!/bin/sh\n'
                    'echo "$@" > %s/args.$$\n'
                    'cat > %s/in.$$\n'
                    'exit 0\n' % (files, files), mode=0o755)
inst.write('files/tmp.sh', '#!/bin/sh\necho try later\nexit 75\n', mode=0o755)
inst.write('files/slow.sh', '#!/bin/sh\nsleep 30 &\necho $! > %s/slow.pid\nwait\n' % files, mode=0o755)
inst.write('etc/transport', 'pipe.test pipetest:nh\nfail.test pipefail:\ntmp.test pipetmp:\n'
           'slow.test pipeslow:\nslow2.test pipeslow2:\n')
inst.write_master_cf(
    'pipetest unix - n n - - pipe flags=DRFO. user=%s argv=%s ${sender} ${recipient} '
    '${user} ${extension} ${domain} ${nexthop}\n'
    'pipefail unix - n n - - pipe user=%s argv=/bin/false\n'
    'pipetmp unix - n n - - pipe user=%s argv=%s/tmp.sh\n'
    'pipeslow unix - n n - - pipe user=%s argv=/bin/sleep 30\n'
    'pipeslow2 unix - n n - - pipe user=%s argv=%s/slow.sh\n'
    % (user, script, user, user, files, user, user, files))
try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

s = inst.smtp()
s.sendmail('snd@src.test', ['a+ext@pipe.test'], b'Subject: p\r\n\r\n.dot\r\nFrom x\r\n')
s.sendmail('snd@src.test', ['b@fail.test'], b'Subject: f\r\n\r\nx\r\n')
s.sendmail('snd@src.test', ['c@tmp.test'], b'Subject: t\r\n\r\nx\r\n')
s.sendmail('snd@src.test', ['d@slow.test'], b'Subject: s\r\n\r\nx\r\n')
s.sendmail('snd@src.test', ['e@slow2.test'], b'Subject: s2\r\n\r\nx\r\n')
s.quit()

t.ok(inst.wait_log(r'postern/pipe\[\d+\]: \w+: to=<a\+ext@pipe\.test>, relay=pipetest, delay=[\d.]+, '
                   r'delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, '
                   r'status=sent \(delivered via pipetest service\)'), 'exit 0: sent')
t.ok(inst.wait_log(r'to=<b@fail\.test>, relay=pipefail, .*dsn=5\.3\.0, status=bounced '
                   r'\(Command died with status 1: "/bin/false"\)'), 'exit 1: bounced')
t.ok(inst.wait_log(r'to=<c@tmp\.test>, relay=pipetmp, .*dsn=4\.3\.0, status=deferred '
                   r'\(temporary failure\. Command output: try later \)'), 'exit 75: deferred with output')
m = inst.wait_log(r'postern/pipe\[\d+\]: \w+: to=<d@slow\.test>, relay=pipeslow, delay=([\d.]+), .*'
                  r'dsn=5\.3\.0, status=bounced \(Command time limit exceeded: "/bin/sleep"\)$', timeout=30)
t.ok(m and 1.5 <= float(m.group(1)) < 10, 'time limit $command_time_limit (2s): killed and bounced')
m = inst.wait_log(r'to=<e@slow2\.test>, relay=pipeslow2, delay=([\d.]+), .*'
                  r'dsn=5\.3\.0, status=bounced \(Command time limit exceeded: "%s/slow\.sh"\)$'
                  % re.escape(files), timeout=30)
t.ok(m and float(m.group(1)) < 1.9, 'pipeslow2_time_limit (1s) overrides command_time_limit')
t.ok(inst.wait_log(r'postern/pipe\[\d+\]: warning: pipe_command_read: read time limit exceeded'),
     'time limit warning logged')
def gone(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(')')[-1].split()[0] == 'Z'
    except OSError:
        return True
try:
    with open(os.path.join(files, 'slow.pid')) as f:
        bg = int(f.read().strip())
except (OSError, ValueError):
    bg = None
t.ok(bg and inst.wait_for(lambda: gone(bg), timeout=5), "the command's child process was killed too")
args = [f for f in os.listdir(files) if f.startswith('args.')]
ins = [f for f in os.listdir(files) if f.startswith('in.')]
if args and ins:
    with open(os.path.join(files, args[0])) as f:
        t.is_eq(f.read(), 'snd@src.test a+ext@pipe.test a ext pipe.test nh\n', 'macros expanded')
    with open(os.path.join(files, ins[0]), 'rb') as f:
        data = f.read()
    lines = data.split(b'\n')
    t.like(lines[0].decode(), r'^From snd@src\.test  ', 'F flag: From_ line')
    t.is_eq(lines[1:4], [b'Return-Path: <snd@src.test>', b'X-Original-To: a+ext@pipe.test',
                         b'Delivered-To: a+ext@pipe.test'], 'R, O, D flags')
    t.ok(data.endswith(b'\n\n..dot\nFrom x\n'), '. flag dot-stuffs, no >From quoting without >')
else:
    t.skip('command input', 'command did not run', 4)
t.done()
