#!/usr/bin/python3
"""postconf.py - integration tests of the postconf command: -d defaults
equal Postfix 3.7's (run by ../shared/tools/postfix-ref) except deliberate
differences, -n, -h, -x, -e/-X/-# editing main.cf in place (comments and
other lines preserved, atomic, mode kept), -M/-Mf/-P master.cf listings,
-c and MAIL_CONFIG, Postfix's warning texts, and the trailing "# comment"
after a numeric value."""

import atexit
import os
import stat
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import TAP, builddir, srcdir  # noqa: E402

t = TAP()
POSTCONF = os.path.join(builddir(), 'postconf', 'postconf')
if not os.access(POSTCONF, os.X_OK):
    t.skip_all('postconf not built')

tmp = tempfile.mkdtemp(prefix='postconf-test.')
atexit.register(shutil.rmtree, tmp, True)


def run(*args, env=None, check_rc=0):
    e = dict(os.environ)
    e.pop('MAIL_CONFIG', None)
    if env:
        e.update(env)
    p = subprocess.run([POSTCONF] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=60)
    err = p.stderr.decode('utf-8', 'replace')
    if 'Sanitizer' in err or 'runtime error' in err:
        sanitizer_reports.append('postconf %s:\n%s' % (' '.join(args), err))
    return p.returncode, p.stdout.decode('utf-8', 'replace'), err


sanitizer_reports = []


def write(name, text, d=tmp):
    with open(os.path.join(d, name), 'w') as f:
        f.write(text)


def read(name, d=tmp):
    with open(os.path.join(d, name)) as f:
        return f.read()


# ---------------------------------------------------------------- listings
rc, out, err = run('-m')
t.ok(all(x in out.split() for x in ('inline', 'static', 'texthash')), '-m lists the table types')
rc, out, err = run('-l')
t.is_eq(out, 'flock\nfcntl\ndotlock\n', '-l lists the lock methods like Postfix')

# ---------------------------------------------------------------- defaults
rc, out, err = run('-d', 'message_size_limit')
t.is_eq(out, 'message_size_limit = 10240000\n', '-d message_size_limit')
rc, out, err = run('-dh', 'mydestination')
t.is_eq(out, '$myhostname, localhost.$mydomain, localhost\n', '-dh mydestination')
rc, out, err = run('-d', 'maillog_file')
t.is_eq(out, 'maillog_file =\n', 'empty value printed as "name =", like Postfix')

# The reference is the real Postfix 3.7, run privately by
# ../shared/tools/postfix-ref when this machine has it set up (no copy of
# its output is kept in the tree); elsewhere the comparison is skipped.
pf = {}
ref = os.path.join(srcdir(), '..', 'shared', 'tools', 'postfix-ref')
if os.access(ref, os.X_OK) and os.path.exists(
        os.path.join(os.environ.get('POSTFIX_REF_CACHE', '/var/cache/postfix-ref'), 'ok')):
    try:
        r = subprocess.run([ref, 'run', '-', 'postconf', '-d'], capture_output=True,
                           text=True, timeout=60)
        for line in r.stdout.splitlines():
            name, _, value = line.partition(' =')
            pf[name] = value.lstrip(' ')
    except (OSError, subprocess.TimeoutExpired):
        pf = {}
rc, table, err = run('-D')
flags = {}
for line in table.splitlines():
    fields = line.split('\t')
    flags[fields[0]] = fields[2]
rc, out, err = run('-d')
t.is_eq(rc, 0, 'postconf -d exits 0')
mismatch = []
compared = 0
names = []
for line in out.splitlines():
    name, _, value = line.partition(' =')
    value = value.lstrip(' ')
    names.append(name)
    if 'computed' in flags.get(name, ''):
        continue
    if name not in pf:
        if 'postern' not in flags.get(name, ''):
            mismatch.append('%s: not a Postfix 3.7 parameter (flag it PF_POSTERN)' % name)
        continue
    if any(x in flags.get(name, '') for x in ('differs', 'computed', 'readonly')):
        continue
    compared += 1
    if value != pf[name]:
        mismatch.append('%s: postern %r, Postfix %r' % (name, value, pf[name]))
for m in mismatch:
    t.diag(m)
if pf:
    t.ok(compared > 100 and not mismatch,
         '-d equals Postfix 3.7 for %d parameters (%d mismatches)' % (compared, len(mismatch)))
else:
    t.skip('-d equals Postfix 3.7', 'postfix-ref is not set up on this machine')
t.is_eq(names, sorted(names), '-d output is sorted by name')
t.ok(len(names) == len(set(names)), '-d lists each parameter once')
rc, out, err = run('-d', 'myhostname')
t.like(out, r'^myhostname = [^.\s]+\.\S+\n$', 'myhostname default is fully qualified')
rc, out, err = run('-d', 'syslog_name', 'mail_owner', 'mail_name')
t.is_eq(out, 'syslog_name = ${multi_instance_name?{$multi_instance_name}:{postern}}\n'
        'mail_owner = postern\nmail_name = postern\n', 'postern identity defaults')

# ------------------------------------------------------------ current values
write('main.cf', """# postconf test
# second comment line

mydestination = $myhostname,
    localhost
# comment inside an entry
    example.com
myhostname = mail.example.com
message_size_limit = 52428800 # accept 50 MB attachments
compatibility_level = 3.6
my_list = a b
relay_domains = $my_list
unused_thing = 1
relayhost = ${undefined_thing}
""")
os.chmod(os.path.join(tmp, 'main.cf'), 0o640)
write('master.cf', """# master.cf
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }
   -o smtpd_recipient_restrictions=$mua_x
# comment
pickup    unix  n       -       y       60      1       pickup
relay     unix  -       -       y       -       -       smtp
\t-o syslog_name=postfix/$service_name
dovecot   unix  -       n       n       -       -       pipe
  flags=DRhu user=vmail:vmail argv=/usr/lib/dovecot/deliver -f ${sender} -d ${recipient}
""")

rc, out, err = run('-c', tmp, 'mydestination', 'myhostname', 'mydomain')
t.is_eq(out, 'mydestination = $myhostname, localhost example.com\n'
        'myhostname = mail.example.com\nmydomain = example.com\n',
        'continuation lines joined; mydomain derived from myhostname')
t.ok('unused parameter: unused_thing=1' in err, 'unused parameter warned, Postfix text')
t.ok('%s/main.cf: undefined parameter: undefined_thing' % tmp in err,
     'undefined parameter warned, Postfix text')
t.ok('my_list' not in err, 'a referenced user parameter is not warned about')
t.ok('%s/master.cf: undefined parameter: mua_x' % tmp in err, 'master.cf -o values are checked')

rc, out, err = run('-c', tmp, '-x', 'mydestination', 'relay_domains', 'mynetworks_style')
t.is_eq(out, 'mydestination = mail.example.com, localhost example.com\n'
        'relay_domains = a b\nmynetworks_style = host\n', '-x expands ($name, ${{}} <level)')
rc, out, err = run('-c', tmp, '-h', 'message_size_limit')
t.is_eq(out, '52428800 # accept 50 MB attachments\n', 'raw value with a trailing comment')
rc, out, err = run('-c', tmp, '-hx', 'append_dot_mydomain', 'smtputf8_enable')
t.is_eq(out, 'no\nyes\n', '-hx evaluates compatibility-level defaults')
rc, out, err = run('-c', tmp, 'no_such_parameter')
t.ok('postconf: warning: no_such_parameter: unknown parameter' in err, 'unknown parameter warning text')

rc, out, err = run('-c', tmp, '-n')
t.is_eq(out, 'compatibility_level = 3.6\n'
        'config_directory = %s\n'
        'message_size_limit = 52428800 # accept 50 MB attachments\n'
        'my_list = a b\n'
        'mydestination = $myhostname, localhost example.com\n'
        'myhostname = mail.example.com\n'
        'relay_domains = $my_list\n'
        'relayhost = ${undefined_thing}\n' % tmp, '-n lists main.cf settings sorted, with config_directory')
rc, out, err = run('-c', tmp)
t.ok('myorigin = $myhostname\n' in out and 'my_list = a b\n' in out
     and 'unused_thing' not in out, 'postconf lists all parameters and used user ones')
rc2, out2, err2 = run(env={'MAIL_CONFIG': tmp})


def no_pid(text):
    return [x for x in text.splitlines() if not x.startswith('process_id =')]


t.is_eq(no_pid(out2), no_pid(out), 'MAIL_CONFIG selects the directory like -c')
rc, out, err = run('-c', tmp, 'config_directory')
t.is_eq(out, 'config_directory = %s\n' % tmp, 'config_directory is the -c directory')

rc, out, err = run('-c', tmp, '-o', 'biff=maybe', '-h', 'biff')
t.is_eq(out, 'maybe\n', '-o overrides a parameter')
long_dir = os.path.join(tmp, 'fold')
os.mkdir(long_dir)
write('main.cf', 'mydestination = $myhostname, localhost.$mydomain, localhost, mail.example.com,'
      ' www.example.com, another.example.com\n'
      'myorigin = aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaaaaaaa bbbbbbbbb cc\n',
      d=long_dir)
rc, out, err = run('-c', long_dir, '-f', 'mydestination', 'myorigin')
t.is_eq(out, 'mydestination = $myhostname, localhost.$mydomain, localhost, mail.example.com,\n'
        '    www.example.com, another.example.com\n'
        'myorigin = aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa\n'
        '    aaaaaaaaaaaaaaa bbbbbbbbb cc\n', '-f folds long lines at 80 columns like Postfix')

# ---------------------------------------------------------------- master.cf
rc, out, err = run('-c', tmp, '-M')
t.is_eq(out,
        'smtp       inet  n       -       y       -       -       smtpd\n'
        'submission inet  n       -       y       -       -       smtpd -o syslog_name=postfix/submission'
        ' -o smtpd_tls_security_level=encrypt -o {smtpd_client_restrictions=permit_sasl_authenticated, reject}'
        ' -o smtpd_recipient_restrictions=$mua_x\n'
        'pickup     unix  n       -       y       60      1       pickup\n'
        'relay      unix  -       -       y       -       -       smtp -o syslog_name=postfix/$service_name\n'
        'dovecot    unix  -       n       n       -       -       pipe flags=DRhu user=vmail:vmail'
        ' argv=/usr/lib/dovecot/deliver -f ${sender} -d ${recipient}\n',
        '-M prints master.cf in Postfix\'s normalized layout')
rc, out, err = run('-c', tmp, '-Mf', 'submission/inet', 'dovecot')
t.is_eq(out,
        'submission inet  n       -       y       -       -       smtpd\n'
        '    -o syslog_name=postfix/submission\n'
        '    -o smtpd_tls_security_level=encrypt\n'
        '    -o {smtpd_client_restrictions=permit_sasl_authenticated, reject}\n'
        '    -o smtpd_recipient_restrictions=$mua_x\n'
        'dovecot    unix  -       n       n       -       -       pipe flags=DRhu\n'
        '    user=vmail:vmail argv=/usr/lib/dovecot/deliver -f ${sender} -d ${recipient}\n',
        '-Mf folds; service/type selects')
rc, out, err = run('-c', tmp, '-M', 'smtp/unix')
t.is_eq(out, '', '-M with a type that does not match prints nothing')
rc, out, err = run('-c', tmp, '-P', 'relay')
t.is_eq(out, 'relay/unix/syslog_name = postfix/$service_name\n', '-P lists -o parameters')
rc, out, err = run('-c', tmp, '-d', 'relay_destination_concurrency_limit', 'dovecot_time_limit',
                   'relay_initial_destination_concurrency')
t.is_eq(out, 'relay_destination_concurrency_limit = $default_destination_concurrency_limit\n'
        'dovecot_time_limit = $command_time_limit\n'
        'relay_initial_destination_concurrency = $initial_destination_concurrency\n',
        'per-transport parameters of master.cf delivery services, as Postfix')
rc, out, err = run('-c', tmp, '-d')
t.ok('relay_transport_rate_delay = $default_transport_rate_delay\n' in out
     and 'submission_destination_concurrency_limit' not in out,
     '-d lists per-transport parameters of delivery services only')
write('master.cf', '127.0.0.1:2525 inet n - n - - smtpd\n')
rc, out, err = run('-c', tmp, '-M')
t.is_eq(out, '127.0.0.1:2525 inet n    -       n       -       -       smtpd\n',
        '-M realigns columns after a long service name')

# ------------------------------------------------------------------ editing
before = read('main.cf')
rc, out, err = run('-c', tmp, '-e', 'mydestination=new.example', 'relayhost = [10.0.0.1]:25',
                   'message_size_limit=0')
t.is_eq(rc, 0, '-e exits 0')
after = read('main.cf')
t.is_eq(after, before.replace("""mydestination = $myhostname,
    localhost
# comment inside an entry
    example.com
""", """mydestination = new.example
# comment inside an entry
""").replace('message_size_limit = 52428800 # accept 50 MB attachments\n',
             'message_size_limit = 0\n').replace('relayhost = ${undefined_thing}\n',
                                                 'relayhost = [10.0.0.1]:25\n'),
        '-e replaces entries in place and keeps comments and other lines')
t.is_eq(stat.S_IMODE(os.stat(os.path.join(tmp, 'main.cf')).st_mode), 0o640, '-e keeps the file mode')
t.ok(not os.path.exists(os.path.join(tmp, 'main.cf.tmp')), 'no temporary file left')
rc, out, err = run('-c', tmp, '-e', 'brand_new = x y')
t.ok(read('main.cf').endswith('relayhost = [10.0.0.1]:25\nunused_thing = 1\nbrand_new = x y\n')
     or read('main.cf').endswith('brand_new = x y\n'), '-e appends a new parameter at the end')
rc, out, err = run('-c', tmp, 'implied_edit=yes')
t.ok(rc == 0 and read('main.cf').endswith('implied_edit = yes\n'), 'a name=value argument implies -e')
rc, out, err = run('-c', tmp, '-e', 'biff')
t.ok(rc != 0 and 'missing \'=\' after attribute name: "biff"' in err, '-e without = is an error')

write('main.cf', '# head\nmydestination = a,\n  b\n# comment\n  c\nbiff = no\nmydestination = x\n  y\n'
      'myorigin = o\n  # cmt\n  o2\ntail = 1\n')
rc, out, err = run('-c', tmp, '-X', 'mydestination', 'myorigin', 'nosuch')
t.is_eq(read('main.cf'), '# head\n# comment\nbiff = no\n  # cmt\ntail = 1\n',
        '-X removes every entry with its continuation lines, keeps comments')
t.ok('multiple entries for "mydestination"' in err, 'multiple entries warned')
write('main.cf', '# head\nmydestination = a,\n  b\n# comment\n  c\nbiff = no\nmyorigin = o\n  # cmt\n  o2\n')
rc, out, err = run('-c', tmp, '-#', 'mydestination', 'myorigin')
t.is_eq(read('main.cf'), '# head\n#mydestination = a,\n#  b\n# comment\n#  c\nbiff = no\n'
        '#myorigin = o\n  # cmt\n#  o2\n', '-# comments out entries like Postfix')
rc, out, err = run('-c', os.path.join(tmp, 'nonexistent'), '-e', 'biff=no')
t.ok(rc != 0 and 'for reading' in err, '-e on a missing main.cf fails')

nets = os.path.join(tmp, 'nets')
os.mkdir(nets)
for style, want in (('host', '127.0.0.1/32'), ('subnet', '127.0.0.0/8')):
    write('main.cf', 'inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmynetworks_style = %s\n' % style,
          d=nets)
    rc, out, err = run('-c', nets, 'mynetworks')
    t.is_eq(out, 'mynetworks = %s\n' % want,
            'mynetworks default follows mynetworks_style=%s and inet_interfaces' % style)

# Editing master.cf; expected files are what Postfix 3.7's postconf writes.
MASTER_ORIG = '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\npickup    unix  n       -       y       60      1       pickup\n  -o content_filter=\n  # indented comment\n  -o receive_override_options=no_header_body_checks\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\n'
MASTER_EDITS = [
    (['-M', 'submission/inet=submission inet n - y - - smtpd'],
     '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\npickup    unix  n       -       y       60      1       pickup\n  -o content_filter=\n  # indented comment\n  -o receive_override_options=no_header_body_checks\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\nsubmission inet  n       -       y       -       -       smtpd\n'),
    (['-M', 'pickup/unix=pickup unix n - n 30 1 pickup -o a=b'],
     '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\npickup     unix  n       -       n       30      1       pickup\n    -o a=b\n  # indented comment\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\n'),
    (['-P', 'pickup/unix/content_filter=foo', 'relay/unix/x_y=1', 'smtp/inet/smtpd_tls_security_level = may'],
     '# head\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\nsmtp       inet  n       -       y       -       -       smtpd\n    -o smtpd_tls_security_level=may\n  # indented comment\npickup     unix  n       -       y       60      1       pickup\n    -o content_filter=foo\n    -o receive_override_options=no_header_body_checks\nrelay      unix  -       -       y       -       -       smtp\n    -o syslog_name=postfix/$service_name\n    -o x_y=1\n'),
    (['-PX', 'pickup/unix/content_filter'],
     '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\n  # indented comment\npickup     unix  n       -       y       60      1       pickup\n    -o receive_override_options=no_header_body_checks\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\n'),
    (['-MX', 'pickup/unix'],
     '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\n  # indented comment\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\n'),
    (['-M#', 'pickup/unix'],
     '# head\nsmtp      inet  n       -       y       -       -       smtpd\n#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\n#pickup    unix  n       -       y       60      1       pickup\n#  -o content_filter=\n  # indented comment\n#  -o receive_override_options=no_header_body_checks\nrelay     unix  -       -       y       -       -       smtp\n\t-o syslog_name=postfix/$service_name\n'),
]
medit = os.path.join(tmp, 'medit')
os.mkdir(medit)
write('main.cf', '', d=medit)
for args, want in MASTER_EDITS:
    write('master.cf', MASTER_ORIG, d=medit)
    rc, out, err = run('-c', medit, *args)
    t.is_eq(read('master.cf', d=medit), want, 'postconf %s edits master.cf like Postfix' % args[0])
write('master.cf', MASTER_ORIG, d=medit)
rc, out, err = run('-c', medit, '-P', 'nosuch/unix/a=b')
t.ok('unmatched service_name/type: "nosuch/unix/a=b"' in err and read('master.cf', d=medit) == MASTER_ORIG,
     '-P on an unknown service warns and changes nothing')
rc, out, err = run('-c', medit, '-M', 'bad/unix=bad unix - -')
t.ok(rc != 0 and 'bad field count' in err and read('master.cf', d=medit) == MASTER_ORIG,
     '-M with a short entry is an error and changes nothing')

conc = os.path.join(tmp, 'concurrent')
os.mkdir(conc)
write('main.cf', '# concurrent edits\n', d=conc)
env = dict(os.environ)
env.pop('MAIL_CONFIG', None)
procs = [subprocess.Popen([POSTCONF, '-c', conc, '-e', 'user_param_%d = %d' % (i, i)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
         for i in range(20)]
for p in procs:
    p.wait(timeout=60)
lines = read('main.cf', d=conc).splitlines()
t.is_eq(sorted(lines[1:]), sorted('user_param_%d = %d' % (i, i) for i in range(20)),
        'concurrent -e edits are serialized, none lost')

for r in sanitizer_reports[:3]:
    t.diag(r)
t.ok(not sanitizer_reports, 'no sanitizer reports from postconf')
t.done()
