#!/usr/bin/python3
"""t/install.py - `make install-exec DESTDIR=...` run as root installs
postdrop and postqueue root:postdrop mode 2555 (set-gid, as Postfix's
postfix-files), and mailq/newaliases as links to sendmail."""
import grp
import os
import shutil
import stat
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import TAP  # noqa: E402

t = TAP()
bld = os.environ.get('POSTERN_BUILDDIR')
if os.geteuid() != 0:
    t.skip('install as root', 'need root', 6)
    t.done()
if not bld or not os.path.exists(os.path.join(bld, 'Makefile')):
    t.skip('install as root', 'no build tree (POSTERN_BUILDDIR)', 6)
    t.done()
try:
    gid = grp.getgrnam('postdrop').gr_gid
except KeyError:
    t.skip('install as root', 'no group postdrop', 6)
    t.done()

dest = tempfile.mkdtemp(prefix='postern-install-')
try:
    r = subprocess.run(['make', '-s', '-C', bld, 'install-exec', 'DESTDIR=' + dest],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    t.is_eq(r.returncode, 0, 'make install-exec DESTDIR=... exits 0')
    if r.returncode != 0:
        sys.stdout.write(''.join('# %s\n' % l for l in
                                 r.stdout.decode('utf-8', 'replace').splitlines()[-20:]))
    found = {}
    for top, dirs, files in os.walk(dest):
        for f in files:
            if f in ('postdrop', 'postqueue', 'sendmail', 'mailq', 'newaliases'):
                found.setdefault(f, os.path.join(top, f))
    for prog in ('postdrop', 'postqueue'):
        p = found.get(prog)
        st = os.lstat(p) if p else None
        t.ok(st is not None and st.st_uid == 0 and st.st_gid == gid
             and stat.S_IMODE(st.st_mode) == 0o2555,
             '%s installed root:postdrop mode 2555 (got %s)'
             % (prog, '%d:%d %o' % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
                if st else 'missing'))
    for link in ('mailq', 'newaliases'):
        p = found.get(link)
        t.ok(p is not None and os.path.islink(p) and os.readlink(p).endswith('/sendmail'),
             '%s is a link to sendmail' % link)
    p = found.get('sendmail')
    st = os.lstat(p) if p else None
    t.ok(st is not None and not st.st_mode & (stat.S_ISGID | stat.S_ISUID),
         'sendmail itself is not set-gid')
finally:
    shutil.rmtree(dest, ignore_errors=True)
t.done()
