#!/usr/bin/python3
"""postmap.py - postmap(1) queries and builds, as Postfix's postmap:
-q KEY, -q - (keys on stdin), exit status, case folding and -f, the
in-memory table types, main.cf's default_database_type, and hash:/btree:
builds when Berkeley DB is built in.  Also routing through transport_maps
in a running instance is covered by the delivery tests; this one needs no
daemons."""

import os
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP  # noqa: E402

t = TAP()
inst = Instance('postmap')


def pm(*args, input=None):
    return inst.run('postmap', *args, input=input)


src = os.path.join(inst.etc, 'transport')
with open(src, 'w') as f:
    f.write('# transport table\n'
            'Example.COM   smtp:[10.0.0.1]:2525\n'
            '.example.com  relay:\n'
            'multi line\n'
            '  continued\n'
            'dup first\n'
            'dup second\n'
            'novalue\n')

r = pm('-q', 'example.com', 'texthash:' + src)
t.is_eq((r.returncode, r.stdout), (0, 'smtp:[10.0.0.1]:2525\n'), '-q finds a texthash key')
r = pm('-q', 'EXAMPLE.com', 'texthash:' + src)
t.is_eq(r.stdout, 'smtp:[10.0.0.1]:2525\n', 'query key folded to lower case')
r = pm('-f', '-q', 'EXAMPLE.com', 'texthash:' + src)
t.is_eq((r.returncode, r.stdout), (1, ''), '-f: no folding, not found')
r = pm('-q', 'multi', 'texthash:' + src)
t.is_eq(r.stdout, 'line  continued\n', 'continuation line joined')
r = pm('-q', 'dup', 'texthash:' + src)
t.is_eq(r.stdout, 'first\n', 'first duplicate wins')
t.like(r.stderr, r'line 7: duplicate entry: "dup"', 'duplicate warned with line number')
t.like(r.stderr, r'line 8: expected format: key whitespace value', 'line without value warned')
r = pm('-q', 'nothere', 'texthash:' + src)
t.is_eq((r.returncode, r.stdout), (1, ''), 'not found: exit 1, no output')

r = pm('-q', 'a', 'inline:{ a=1, { b = two words } }')
t.is_eq((r.returncode, r.stdout), (0, '1\n'), 'inline table')
r = pm('-q', 'b', 'inline:{ a=1, { b = two words } }')
t.is_eq(r.stdout, 'two words\n', 'inline braced value')
r = pm('-q', 'a', 'inline:{a=first}', 'inline:{a=second}')
t.is_eq(r.stdout, 'first\n', 'first table that has the key wins')
r = pm('-q', 'b', 'inline:{a=first}', 'inline:{b=second}')
t.is_eq(r.stdout, 'second\n', 'later table searched')
r = pm('-q', 'anything', 'static:{ some value }')
t.is_eq(r.stdout, 'some value\n', 'static table')
r = pm('-q', 'root', 'proxy:unix:passwd.byname')
t.like(r.stdout, r'^root:[^:]*:0:0:', 'proxy:unix:passwd.byname')

r = pm('-q', '-', 'inline:{a=1, b=2}', input='a\nx\nB\n  a\n')
t.is_eq((r.returncode, r.stdout), (0, 'a\t1\nB\t2\n'), '-q - prints key<TAB>value for found keys')
r = pm('-q', '-', 'inline:{a=1}', input='x\ny\n')
t.is_eq((r.returncode, r.stdout), (1, ''), '-q -: exit 1 when nothing found')

re = os.path.join(inst.etc, 'regexp')
with open(re, 'w') as f:
    f.write('/^user@(.*)$/   smtp:[$1]\nif /example\\.com$/\n/^a@/ in-example\nendif\n!/bar/ not-bar\n')
r = pm('-q', 'USER@host', 'regexp:' + re)
t.is_eq(r.stdout, 'smtp:[host]\n', 'regexp table with $1, case-insensitive')
r = pm('-q', 'a@example.com', 'regexp:' + re)
t.is_eq(r.stdout, 'in-example\n', 'regexp if/endif')
r = pm('-q', 'bar', 'regexp:' + re)
t.is_eq((r.returncode, r.stdout), (1, ''), 'regexp negation')
cidr = os.path.join(inst.etc, 'cidr')
with open(cidr, 'w') as f:
    f.write('10.0.0.0/8 ten\n[::1] v6\n10.0.0.1/8 bad\n')
r = pm('-q', '10.9.8.7', 'cidr:' + cidr)
t.is_eq(r.stdout, 'ten\n', 'cidr table')
t.like(r.stderr, r'non-null host address bits in "10.0.0.1/8", perhaps you should use "10.0.0.0/8"',
       'cidr bad entry warned')
r = pm('-q', '::1', 'cidr:' + cidr)
t.is_eq(r.stdout, 'v6\n', 'cidr v6 entry')

r = pm('-s', 'inline:{b=2, a=1}')
t.is_eq((r.returncode, r.stdout), (0, 'a\t1\nb\t2\n'), '-s lists an inline table')
r = pm('-s', 'static:x')
t.ok(r.returncode == 1 and 'sequence operation is not supported' in r.stderr, '-s on static fails')

r = pm('-q', 'a', 'foo:bar')
t.ok(r.returncode == 1 and 'unsupported dictionary type: foo' in r.stderr, 'unknown type is fatal')
r = pm('-q', 'a', 'inline:{ a=1, b }')
t.ok(r.returncode == 1 and "missing '=' after attribute name" in r.stderr, 'inline syntax error')
r = pm('-q', 'a', 'texthash:/nonexistent/x')
t.ok(r.returncode == 1 and 'open database /nonexistent/x: No such file or directory' in r.stderr,
     'missing file')
r = pm('texthash:' + src)
t.ok(r.returncode == 1 and 'does not support bulk-mode creation' in r.stderr,
     'texthash cannot be built')

# default_database_type from main.cf applies to names without a type.
inst.set_main_cf(default_database_type='texthash')
r = pm('-q', 'example.com', src)
t.is_eq(r.stdout, 'smtp:[10.0.0.1]:2525\n', 'default_database_type names the type')
inst.set_main_cf(default_database_type='hash')

# hash: and btree: (Berkeley DB), when built in.
r = pm(src)
if 'unsupported dictionary type: hash' in r.stderr:
    t.skip('hash: build', 'built without Berkeley DB', 7)
else:
    t.is_eq(r.returncode, 0, 'postmap FILE builds FILE.db')
    t.ok(os.path.exists(src + '.db'), 'FILE.db exists')
    r = pm('-q', 'example.com', src)
    t.is_eq((r.returncode, r.stdout), (0, 'smtp:[10.0.0.1]:2525\n'), 'query hash table')
    r = pm('-q', 'dup', 'hash:' + src)
    t.is_eq(r.stdout, 'first\n', 'hash: first duplicate wins')
    r = pm('-s', 'hash:' + src)
    t.ok(r.returncode == 0 and 'example.com\tsmtp:[10.0.0.1]:2525\n' in r.stdout
         and 'dup\tfirst\n' in r.stdout and len(r.stdout.splitlines()) == 4, '-s lists a hash table')
    r = pm('btree:' + src)
    r = pm('-q', '.example.com', 'btree:' + src)
    t.is_eq(r.stdout, 'relay:\n', 'btree build and query')
    r = pm('-q', 'x', 'hash:' + src + '.missing')
    t.ok(r.returncode == 1 and 'open database' in r.stderr, 'missing .db file')

t.done()
