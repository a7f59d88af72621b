#!/usr/bin/python3
"""master_check.py - `postern check` and start-up refusals: a master.cf
service whose program is missing is one warning line (exit 0); a bad
master.cf line is an error with file and line (exit 1, start refused);
a bad main.cf value is an error; a wrong directory owner is an error."""
import os
import re
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP  # noqa: E402

t = TAP()

inst = Instance('check', master_cf_extra=(
    "nosuch    unix  -       -       n       -       -       no-such-daemon\n"))
r = inst.postern('check')
out = r.stdout + r.stderr
t.is_eq(r.returncode, 0, 'check of a good configuration exits 0')
lines = [l for l in out.splitlines() if 'no-such-daemon' in l]
t.is_eq(len(lines), 1, 'one line names the missing program')
t.ok(lines and re.search(r'master\.cf: line \d+: service nosuch/unix', lines[0]),
     'with master.cf, line and service')

# A bad master.cf line: error with file:line, and start refuses.
with open(os.path.join(inst.etc, 'master.cf'), 'a') as f:
    f.write("broken    unix  -       -       maybe   -       -       cleanup\n")
nlines = len(open(os.path.join(inst.etc, 'master.cf')).read().splitlines())
r = inst.postern('check')
out = r.stdout + r.stderr
t.ok(r.returncode != 0, 'check with a bad master.cf line exits non-zero')
t.ok(re.search(r'master\.cf: line %d: field "chroot": bad value: "maybe"' % nlines, out),
     'the error names the file, line and field')
inst.started = True
r = inst.postern('start')
t.ok(r.returncode != 0, 'start refuses a bad master.cf')
t.ok(inst.master_pid() is None, 'no master runs')
inst.write_master_cf(
    "nosuch    unix  -       -       n       -       -       no-such-daemon\n")

# A bad main.cf value.
inst.set_main_cf(default_process_limit='lots')
r = inst.postern('check')
out = r.stdout + r.stderr
t.ok(r.returncode != 0, 'check with a bad main.cf value exits non-zero')
t.ok(re.search(r'main\.cf.*(line \d+|:\d+)', out) and 'default_process_limit' in out,
     'the error names main.cf, the line and the parameter')
del inst.main_cf['default_process_limit']
inst.write_main_cf()

# Ownership: only meaningful as root.
if os.geteuid() == 0:
    inst.started = True
    r = inst.postern('start')
    t.is_eq(r.returncode, 0, 'start creates the queue directories')
    inst.stop()
    active = os.path.join(inst.queue, 'active')
    os.chown(active, 0, 0)
    r = inst.postern('check')
    out = r.stdout + r.stderr
    t.ok(r.returncode != 0, 'check with a root-owned queue directory exits non-zero')
    t.ok(re.search(r'wrong owner: %s' % re.escape(active), out), 'and names the directory')
    # Owners and modes as a root-started Postfix 3.7 makes them.
    import grp
    import pwd
    import stat as st_
    owner = inst.main_cf.get('mail_owner') or 'postern'
    sgid = inst.main_cf.get('setgid_group') or 'postdrop'
    inst.started = True
    r = inst.postern('start')
    t.is_eq(r.returncode, 0, 'start fixes the owner')
    inst.stop()
    want = {'active': (owner, 0o700), 'bounce': (owner, 0o700),
            'corrupt': (owner, 0o700), 'defer': (owner, 0o700),
            'deferred': (owner, 0o700), 'flush': (owner, 0o700),
            'hold': (owner, 0o700), 'incoming': (owner, 0o700),
            'maildrop': (owner, 0o730), 'pid': ('root', 0o755),
            'private': (owner, 0o700), 'public': (owner, 0o710),
            'saved': (owner, 0o700), 'trace': (owner, 0o700)}
    bad = []
    for name, (user, mode) in sorted(want.items()):
        s = os.stat(os.path.join(inst.queue, name))
        if pwd.getpwuid(s.st_uid).pw_name != user or st_.S_IMODE(s.st_mode) != mode:
            bad.append('%s %s %o' % (name, pwd.getpwuid(s.st_uid).pw_name,
                                     st_.S_IMODE(s.st_mode)))
    t.is_eq(bad, [], 'queue directory owners and modes are Postfix\'s')
    try:
        gid = grp.getgrnam(sgid).gr_gid
    except KeyError:
        gid = None
    if gid is not None:
        t.is_eq([grp.getgrgid(os.stat(os.path.join(inst.queue, d)).st_gid).gr_name
                 for d in ('maildrop', 'public')], [sgid, sgid],
                'maildrop and public belong to setgid_group')
    else:
        t.skip('setgid_group ownership', 'no group %s' % sgid, 1)
    r = inst.postern('check')
    t.is_eq(r.returncode, 0, 'check of a fresh queue exits 0')
    maildrop = os.path.join(inst.queue, 'maildrop')
    public = os.path.join(inst.queue, 'public')
    os.chmod(maildrop, 0o1777)
    r = inst.postern('check')
    out = r.stdout + r.stderr
    t.ok(r.returncode != 0, 'check with a world-writable maildrop exits non-zero')
    t.ok(re.search(r'wrong mode: %s has mode 1777, not 0730' % re.escape(maildrop), out),
         'and names the directory and both modes')
    os.chmod(maildrop, 0o730)
    if gid is not None:
        os.chown(public, -1, 0)
        r = inst.postern('check')
        out = r.stdout + r.stderr
        t.ok(r.returncode != 0 and re.search(
            r'wrong group: %s is group root, not %s' % (re.escape(public), sgid), out),
            'check reports public/ not in setgid_group')
        inst.started = True
        r = inst.postern('start')
        inst.stop()
        t.is_eq(os.stat(public).st_gid, gid, 'start fixes the group')
    else:
        t.skip('group check', 'no group %s' % sgid, 2)
else:
    t.skip('ownership checks', 'need root', 12)
t.done()
