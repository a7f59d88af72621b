#!/usr/bin/python3
# t/aliases.py - aliases the way a Postfix admin uses them: an aliases(5)
# file built into hash:etc/aliases.db by newaliases -C (and sendmail -bi),
# postalias warnings with file:line, postalias -q and -s (the "@" entry),
# postalias -d, mail to an alias delivered to its file targets (a continued line, a
# quoted name, alias chains), an unknown local user rejected 550 5.1.1 at
# RCPT because local_recipient_maps includes $alias_maps.
import os
import pwd
import subprocess
import re
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP

t = TAP()
inst = Instance('aliases')
db = 'hash:%s/aliases' % inst.etc
inst.set_main_cf(alias_maps=db, alias_database=db)
files = os.path.join(inst.dir, 'files')
os.makedirs(files)
os.chmod(files, 0o1777)        # file delivery runs as default_privs when root
inst.write('etc/aliases',
           '# aliases for t/aliases.py\n'
           'postmaster: root\n'
           'Webmaster: filealias\n'
           'filealias: %s/web.mbox\n'
           '"quoted name": %s/quoted.mbox\n'
           'multi: %s/m1.mbox,\n'
           '   # a comment inside the entry\n'
           '\t%s/m2.mbox\n'
           'this line is malformed\n'
           'postmaster: duplicate\n'
           'empty:\n' % (files, files, files, files))

# newaliases -C builds the database; warnings name the file and line.
r = inst.run('newaliases', '-C', inst.etc)
if 'unsupported dictionary type: hash' in r.stderr:
    t.skip_all('hash: tables are not in this build (no libdb)')
t.is_eq(r.returncode, 0, 'newaliases -C exits 0')
t.ok(os.path.exists(os.path.join(inst.etc, 'aliases.db')), 'newaliases built etc/aliases.db')
t.like(r.stderr, r'(?m)^postalias: warning: %s/aliases, line 9: need name:value pair$'
       % inst.etc, 'malformed line: warning with file and line')
t.like(r.stderr, r'(?m)^postalias: warning: %s/aliases, line 11: need name:value pair$'
       % inst.etc, 'empty value: warning with file and line')
t.like(r.stderr, r'(?m)^postalias: warning: %s/aliases\.db: duplicate entry: "postmaster"$'
       % inst.etc, 'duplicate name: warning')

# postalias -q: names are case-insensitive, values normalized.
r = inst.run('postalias', '-q', 'WEBMASTER', db)
t.is_eq((r.returncode, r.stdout), (0, 'filealias\n'), 'postalias -q finds an alias (folded)')
r = inst.run('postalias', '-q', 'postmaster', db)
t.is_eq(r.stdout, 'root\n', 'first of two duplicate entries wins')
r = inst.run('postalias', '-q', 'multi', db)
t.is_eq(r.stdout, '%s/m1.mbox, %s/m2.mbox\n' % (files, files),
        'continuation lines joined, comment line inside skipped')
r = inst.run('postalias', '-q', 'quoted name', db)
t.is_eq(r.stdout, '%s/quoted.mbox\n' % files, 'quoted name stored unquoted')
r = inst.run('postalias', '-q', 'nosuch', db)
t.is_eq((r.returncode, r.stdout), (1, ''), 'postalias -q: unknown name exits 1')
r = inst.run('postalias', '-q', '-', db, input='Postmaster\nnosuch\nmulti\n')
t.is_eq(r.stdout, 'Postmaster:\troot\nmulti:\t%s/m1.mbox, %s/m2.mbox\n' % (files, files),
        'postalias -q - prints "key:<TAB>value" for keys found')
r = inst.run('postalias', '-s', db)
lines = sorted(l for l in r.stdout.splitlines() if not l.startswith('YP_'))
t.is_eq(lines, sorted(['@:\t@', 'postmaster:\troot', 'webmaster:\tfilealias',
                       'filealias:\t%s/web.mbox' % files,
                       'quoted name:\t%s/quoted.mbox' % files,
                       'multi:\t%s/m1.mbox, %s/m2.mbox' % (files, files)]),
        'postalias -s lists the entries and the "@" sentinel')
t.like(r.stdout, r'(?m)^YP_LAST_MODIFIED:\t\d{10}$', 'YP_LAST_MODIFIED entry, as Postfix')
r = inst.run('postmap', '-q', 'filealias', db)
t.is_eq(r.stdout, '%s/web.mbox\n' % files, 'postmap reads the postalias table')

# sendmail -bi rebuilds too; texthash: cannot be built (as Postfix).
r = inst.run('sendmail', '-bi')
t.is_eq(r.returncode, 0, 'sendmail -bi exits 0')
r = inst.run('postalias', 'texthash:%s/aliases' % inst.etc)
t.ok(r.returncode != 0 and 'texthash does not support bulk-mode creation' in r.stderr,
     'postalias texthash: refused as Postfix does')

# Root: a table owned by another user is built as that user (the .db is
# theirs), and its file/command items run with that user's privileges.
owned = None
if os.geteuid() == 0:
    try:
        pwd.getpwnam('pstlocal')
    except KeyError:
        subprocess.run(['useradd', '--no-create-home', '--home-dir', '/nonexistent',
                        '--shell', '/usr/sbin/nologin', 'pstlocal'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        owned = pwd.getpwnam('pstlocal')
    except KeyError:
        owned = None
if owned:
    udir = os.path.join(inst.dir, 'userdb')
    os.makedirs(udir)
    os.chown(udir, owned.pw_uid, owned.pw_gid)
    upath = inst.write('userdb/aliases', 'owned: %s/owned.mbox\nocmd: "|id -u > %s/ocmd.out"\n'
                       % (files, files))
    os.chown(upath, owned.pw_uid, owned.pw_gid)
    r = inst.run('postalias', upath)
    t.is_eq(r.returncode, 0, 'root builds a user-owned table')
    t.is_eq(os.stat(upath + '.db').st_uid, owned.pw_uid, 'the .db belongs to the source file owner')
    inst.set_main_cf(alias_maps='%s, hash:%s' % (db, upath))
else:
    t.skip('user-owned alias table (root only)', count=2)

try:
    inst.start()
except Exception as e:
    t.bail_out('instance did not start: %s' % e)

s = inst.smtp()
s.ehlo()
s.mail('sender@src.test')
code, msg = s.rcpt('nosuchuser@%s' % inst.myhostname)
t.is_eq(code, 550, 'unknown local user rejected at RCPT')
t.like(msg.decode(), r'^5\.1\.1 <nosuchuser@%s>: Recipient address rejected: User unknown in local recipient table'
       % inst.myhostname.replace('.', r'\.'), '550 5.1.1 text as Postfix')
code, _ = s.rcpt('WebMaster@%s' % inst.myhostname)
t.is_eq(code, 250, 'alias accepted at RCPT (case-insensitive)')
code, _ = s.rcpt('multi@%s' % inst.myhostname)
t.is_eq(code, 250, 'second alias accepted')
code, _ = s.rcpt('"quoted name"@%s' % inst.myhostname)
t.is_eq(code, 250, 'quoted alias name accepted')
code, _ = s.data(b'Subject: alias test\r\n\r\nhello aliases\r\n')
t.is_eq(code, 250, 'message accepted')
s.quit()


def delivered(name):
    p = os.path.join(files, name)
    try:
        with open(p, 'rb') as f:
            return b'hello aliases' in f.read()
    except OSError:
        return False


for name in ('web.mbox', 'm1.mbox', 'm2.mbox', 'quoted.mbox'):
    t.ok(inst.wait_for(lambda: delivered(name), timeout=30),
         'alias delivered to file %s' % name)
h = inst.myhostname.replace('.', r'\.')
if owned:
    s = inst.smtp()
    s.sendmail('sender@src.test', ['owned@%s' % inst.myhostname, 'ocmd@%s' % inst.myhostname],
               b'Subject: owned\r\n\r\nhello aliases\r\n')
    s.quit()
    ok = inst.wait_for(lambda: delivered('owned.mbox'), timeout=30)
    t.ok(ok and os.stat(os.path.join(files, 'owned.mbox')).st_uid == owned.pw_uid,
         'file item of a user-owned table written as that user')
    out = os.path.join(files, 'ocmd.out')
    ok = inst.wait_for(lambda: os.path.exists(out) and os.path.getsize(out) > 0, timeout=30)
    t.is_eq(open(out).read().strip() if ok else None, str(owned.pw_uid),
            'command item of a user-owned table runs as that user')
    # the root-owned table's items run as default_privs (nobody)
    t.is_eq(os.stat(os.path.join(files, 'web.mbox')).st_uid, pwd.getpwnam('nobody').pw_uid,
            'file item of a root-owned table written as default_privs')
else:
    t.skip('deliveries with the table owner privileges (root only)', count=3)
t.ok(inst.wait_log(r'to=<filealias@%s>, orig_to=<WebMaster@%s>, relay=local, .*, dsn=2\.0\.0, '
                   r'status=sent \(delivered to file: %s/web\.mbox\)$' % (h, h, re.escape(files)),
                   timeout=20),
     'log line as Postfix: to= the alias chain end, orig_to= the RCPT address')

# Rebuilding while running: the new entry is used for the next message.
inst.write('etc/aliases', 'postmaster: root\nlater: %s/later.mbox\n' % files)
r = inst.run('newaliases', '-C', inst.etc)
t.is_eq((r.returncode, r.stderr), (0, ''), 'newaliases rebuilds quietly')
# As Postfix's, the daemons notice the new .db before their next
# connection and restart with fresh tables, without a reload.
mark = inst.log_mark()
s = inst.smtp()
s.sendmail('sender@src.test', ['later@%s' % inst.myhostname],
           b'Subject: later\r\n\r\nhello aliases\r\n')
s.quit()
t.ok(inst.wait_for(lambda: delivered('later.mbox'), timeout=30),
     'alias added by a rebuild is delivered')
t.ok(inst.wait_log(r'postern/smtpd\[\d+\]: table hash:\S+ has changed -- restarting',
                   timeout=5, since=mark),
     'smtpd logs "table ... has changed -- restarting"')

# postalias -d removes a name in place (as Postfix: exit 0 if found).
r = inst.run('postalias', '-d', 'LATER', db)
t.is_eq(r.returncode, 0, 'postalias -d removes an entry')
r = inst.run('postalias', '-q', 'later', db)
t.is_eq((r.returncode, r.stdout), (1, ''), 'removed entry is gone')
r = inst.run('postalias', '-q', 'postmaster', db)
t.is_eq(r.stdout, 'root\n', 'other entries kept')
r = inst.run('postalias', '-d', 'later', db)
t.is_eq(r.returncode, 1, 'postalias -d of a missing name exits 1')
r = inst.run('postalias', '-d', 'x', '-q', 'y', db)
t.like(r.stderr, r'postalias: fatal: specify only one of -s -q or -d', '-d with -q refused')
inst.stop()
t.done()
