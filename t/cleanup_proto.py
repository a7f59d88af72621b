#!/usr/bin/python3
# t/cleanup_proto.py - the cleanup protocol spoken directly on
# public/cleanup (master.cf: cleanup unix n ...): the queue file it writes (records, sizes, modes,
# canonical addresses, header rules, long lines), its replies, and that a
# client vanishing or breaking the protocol leaves nothing behind.
# Messages are sent with CLEANUP_FLAG_HOLD so that they stay in hold/.
import os
import re
import socket
import stat
import struct
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from ipc_codec import rec, attrs, read_attrs  # noqa: E402
from postern_test import Instance, TAP

FLAG_LOCAL, FLAG_HOLD = 1, 2

t = TAP()
inst = Instance('cleanup_proto', main_cf={
    'virtual_alias_domains': 'alias.test',
    'virtual_alias_maps': 'inline:{ {list@alias.test=one@x.test, two, one@x.test} }',
    'line_length_limit': '100',
}, myhostname='mail.example.test')
try:
    inst.start(wait_smtp=False)
except Exception as e:
    t.bail_out('instance did not start: %s' % e)


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(os.path.join(inst.queue, 'public', 'cleanup'))
    f = s.makefile('rb')
    hello = read_attrs(f)
    return s, f, hello


def submit(flags, records):
    s, f, hello = connect()
    s.sendall(attrs(flags=flags) + b''.join(records))
    reply = read_attrs(f)
    f.close()
    s.close()
    return hello, reply


def parse_file(path):
    data = open(path, 'rb').read()
    out, pos = [], 0
    while pos < len(data):
        rtype = chr(data[pos])
        (n,) = struct.unpack('>I', data[pos + 1:pos + 5])
        out.append((pos, rtype, data[pos + 5:pos + 5 + n]))
        pos += 5 + n
    return out


def content_lines(path):
    """Content lines of a queue file, L pieces joined."""
    out, cur = [], ''
    for _, rtype, data in parse_file(path):
        if rtype == 'L':
            cur += data.decode()
        elif rtype == 'N':
            out.append(cur + data.decode())
            cur = ''
    return out


def env(sender, rcpts, lines, extra_attrs=()):
    r = [rec('A', a) for a in extra_attrs]
    r.append(rec('S', sender))
    for x in rcpts:
        r.append(rec('R', x))
    r.append(rec('M'))
    r += [rec('N', l) for l in lines]
    r.append(rec('X'))
    return r


# 1. A local submission, kept on hold.
mark = inst.log_mark()
hello, reply = submit(FLAG_LOCAL | FLAG_HOLD,
                      env('root', ['list@alias.test', 'user'],
                          ['Subject: proto', 'Return-Path: <junk@x>', '', 'body',
                           'L' * 250], extra_attrs=['submit_uid=0', 'full_name=Charlie Root']))
t.is_eq(hello and hello.get('proto'), 'cleanup', 'announcement proto=cleanup')
qid = hello and hello.get('queue_id') or ''
t.like(qid, r'^[0-9A-F]{6,}$', 'announcement carries a short hex queue ID')
t.is_eq(reply, {'status': '0', 'reason': ''}, 'status=0 reply')
path = os.path.join(inst.queue, 'hold', qid)
t.ok(os.path.exists(path), 'held message is in hold/')
t.ok(not os.path.exists(os.path.join(inst.queue, 'incoming', qid)), 'and not in incoming/')
if os.path.exists(path):
    st = os.stat(path)
    t.is_eq(stat.S_IMODE(st.st_mode), 0o700, 'finished file has mode 0700')
    recs = parse_file(path)
    types = ''.join(r[1] for r in recs)
    t.like(types, r'^CTWA+S(O?R)+M[NL]+XE$', 'record order C T W A* S (O R)+ M content X E')
    size = recs[0][2].decode().split()
    m_end = [r for r in recs if r[1] == 'M'][0]
    x = [r for r in recs if r[1] == 'X'][0]
    t.is_eq(int(size[0]), m_end[0] + 5, 'C: content_offset')
    t.is_eq(int(size[1]), x[0] + 5 - int(size[0]), 'C: data_size')
    rc = [r[2].decode() for r in recs if r[1] == 'R']
    t.is_eq(rc, ['one@x.test', 'two@mail.example.test', 'user@mail.example.test'],
            'virtual alias expansion, @myorigin appended, duplicates dropped')
    oc = [r[2].decode() for r in recs if r[1] == 'O']
    t.is_eq(oc, ['list@alias.test', 'list@alias.test', 'user'], 'O records hold the original recipient')
    t.is_eq(int(size[2]), 3, 'C: nrcpt')
    t.is_eq([r[2] for r in recs if r[1] == 'S'], [b'root@mail.example.test'], 'sender canonical')
    content = [(r[1], r[2].decode()) for r in recs if r[1] in 'NL']
    # Postfix's size: 1 type byte + 7-bit length groups + data per record.
    want = sum(1 + (2 if len(d) >= 128 else 1) + len(d) for _, d in content)
    t.is_eq(int(size[3]), want, 'C: message_size counted as Postfix does')
    text = [d for _, d in content]
    t.like(text[0], r'^Received: by mail\.example\.test \(\w+, from userid 0\)$',
            'Received: of a local submission')
    t.like(text[1], r'^\tid %s; \w{3}, [ \d]\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(\w+\)$' % qid,
           'Received: second line')
    t.is_eq(text[2], 'Subject: proto', 'original header')
    t.ok(not any(l.startswith('Return-Path') for l in text), 'Return-Path dropped')
    t.like(text[3], r'^Message-Id: <\d{14}\.%s@mail\.example\.test>$' % qid, 'Message-Id added')
    t.like(text[4], r'^Date: ', 'Date added')
    t.is_eq(text[5], 'From: Charlie Root <root@mail.example.test>', 'From added with full name')
    t.is_eq(text[6], '', 'then the empty line')
    t.is_eq([k for k, d in content[-3:]], ['L', 'L', 'N'], 'a 250-byte line stored as 100+100+50')
    t.is_eq(''.join(d for _, d in content[-3:]), 'L' * 250, 'long line intact')
    r = inst.run('postcat', '-q', qid)
    t.like(r.stdout, r'\nrecipient: one@x\.test\n', 'postcat reads it')
t.ok(inst.wait_log(r'postern/cleanup\[\d+\]: %s: message-id=<\d{14}\.%s@mail\.example\.test>' % (qid, qid),
                   since=mark), 'message-id logged')

# 1b. Address headers of a local submission: bare addresses get
#     @$myorigin; a changed header is normalised and folded exactly as
#     Postfix 3.7 does it (expected text taken from Postfix with the same input).
IN_HDRS = [
    'to:root ,  bob@host(c),', '  carol',
    'From: "A B"   <ab> ',
    'CC: grp: x, y@z;, w',
    'Sender: s',
    'X-Other: plain',
    'Apparently-To: ap',
    'Errors-To: et',
    'Mail-Followup-To: mf',
    'Return-Receipt-To: rr',
    'Disposition-Notification-To: dn',
    'Delivered-To: dt',
    'To: ' + ', '.join('a%d' % i for i in range(1, 21)),
    'To: <>, <@route:x@y>, "q u"@host, bad..addr, @dom',
    'Cc: ' + ', '.join('abcdefghij%d@y' % i for i in range(12)),
    'Reply-To: a (comment one)  ,  "Quoted\\"Name" <q@r>, Name With Spaces <nws>, group: ;',
    'Subject: s',
]
WANT_HDRS = [
    'to: root@mail.example.test, bob@host (c), carol@mail.example.test',
    'From: "A B" <ab@mail.example.test>',
    'CC: grp: x@mail.example.test, y@z;, w@mail.example.test',
    'Sender: s@mail.example.test',
    'X-Other: plain',
    'Apparently-To: ap@mail.example.test',
    'Errors-To: et@mail.example.test',
    'Mail-Followup-To: mf@mail.example.test',
    'Return-Receipt-To: rr@mail.example.test',
    'Disposition-Notification-To: dn@mail.example.test',
    'Delivered-To: dt',
    'To: a1@mail.example.test, a2@mail.example.test, a3@mail.example.test,',
    '\ta4@mail.example.test, a5@mail.example.test, a6@mail.example.test,',
    '\ta7@mail.example.test, a8@mail.example.test, a9@mail.example.test,',
    '\ta10@mail.example.test, a11@mail.example.test, a12@mail.example.test,',
    '\ta13@mail.example.test, a14@mail.example.test, a15@mail.example.test,',
    '\ta16@mail.example.test, a17@mail.example.test, a18@mail.example.test,',
    '\ta19@mail.example.test, a20@mail.example.test',
    'To: <>, <x@y>, "q u"@host, "bad..addr"@mail.example.test, ""@dom',
    'Cc: ' + ', '.join('abcdefghij%d@y' % i for i in range(12)),
    'Reply-To: a@mail.example.test (comment one), "Quoted\\"Name" <q@r>,',
    '\tName With Spaces <nws@mail.example.test>, group: ;',
    'Subject: s',
]
hello, reply = submit(FLAG_LOCAL | FLAG_HOLD, env('root', ['user'], IN_HDRS + ['', 'body']))
t.is_eq(reply and reply.get('status'), '0', 'address headers: accepted')
p2 = os.path.join(inst.queue, 'hold', hello.get('queue_id', 'x'))
if os.path.exists(p2):
    got = content_lines(p2)
    got = got[:got.index('')]
    for w, g in zip(WANT_HDRS, got[:len(WANT_HDRS)]):
        t.is_eq(g, w, 'header as Postfix writes it: %s' % w[:30])
    t.is_eq(got[len(WANT_HDRS):][0][:12] + got[len(WANT_HDRS):][1][:5], 'Message-Id: Date:',
            'then Message-Id and Date added (From: present)')
    t.is_eq(len(got), len(WANT_HDRS) + 2, 'and nothing else')
else:
    t.ok(False, 'address headers: file in hold/')

# 1c. The same headers from a remote client stay as they are.
hello, reply = submit(FLAG_HOLD, env('root@x.test', ['user'], IN_HDRS + ['', 'body'],
                                     extra_attrs=['client_address=192.0.2.1']))
p3 = os.path.join(inst.queue, 'hold', hello.get('queue_id', 'x'))
got = content_lines(p3) if os.path.exists(p3) else []
t.is_eq(got[:len(IN_HDRS)], IN_HDRS, 'remote client: address headers untouched')

# 1d. 8-bit content: encoding=8bit extracted after the content (Postfix
#     records it the same way; the smtp client then sends BODY=8BITMIME).
hello, reply = submit(FLAG_HOLD, env('a@b.test', ['c@d.test'], ['Subject: x', '', 'caf\u00e9']))
p5 = os.path.join(inst.queue, 'hold', hello.get('queue_id', 'x'))
recs = parse_file(p5) if os.path.exists(p5) else []
t.is_eq([(r[1], r[2]) for r in recs[-2:]], [('A', b'encoding=8bit'), ('E', b'')],
        '8-bit body: A encoding=8bit after X')
hello, reply = submit(FLAG_HOLD, env('a@b.test', ['c@d.test'], ['Subject: x', '', 'plain']))
p5 = os.path.join(inst.queue, 'hold', hello.get('queue_id', 'x'))
recs = parse_file(p5) if os.path.exists(p5) else []
t.is_eq([r[1] for r in recs[-2:]], ['X', 'E'], '7-bit body: nothing extracted')

# 2. Client disconnects in the middle of the content: nothing left.
before = inst.queue_files()
s, f, hello = connect()
qid2 = hello.get('queue_id', '')
s.sendall(attrs(flags=FLAG_HOLD) + rec('S', 'a@b.test') + rec('R', 'c@d.test') + rec('M') +
          rec('N', 'Subject: x') + rec('N', ''))
time.sleep(0.3)
f.close()
s.close()
t.ok(inst.wait_for(lambda: inst.queue_files() == before, timeout=10),
     'vanished client: no file left')
t.ok(not re.search(r'%s: .*warning' % qid2, inst.log_text()), 'vanished client: no warning')

# 3. Truncated record, bad record type, recipient before sender: refused.
for name, data in (('truncated record', rec('S', 'a@b.test')[:-2]),
                   ('bad record type', b'Q\0\0\0\0'),
                   ('recipient before sender', rec('R', 'c@d.test'))):
    s, f, hello = connect()
    s.sendall(attrs(flags=FLAG_HOLD) + data)
    if name == 'truncated record':
        s.shutdown(socket.SHUT_WR)
    reply = read_attrs(f)
    f.close()
    s.close()
    t.ok(reply is None, '%s: connection dropped without a status' % name)
t.ok(inst.wait_for(lambda: inst.queue_files() == before, timeout=10), 'nothing left behind')

# 4. No recipients: 554 5.5.1.
hello, reply = submit(FLAG_HOLD, env('a@b.test', [], ['Subject: x', '', 'b']))
t.is_eq(reply, {'status': str(1 << 5), 'reason': '554 5.5.1 Error: no recipients specified'},
        'no recipients: CLEANUP_STAT_RCPT')
t.ok(not os.path.exists(os.path.join(inst.queue, 'hold', hello['queue_id'])), 'and no file')

# 5. message_size_limit.
inst.set_main_cf(message_size_limit='1000')
inst.reload()
time.sleep(1)
hello, reply = submit(FLAG_HOLD, env('a@b.test', ['c@d.test'], ['Subject: x', ''] + ['y' * 80] * 20))
t.is_eq(reply and reply.get('status'), str(1 << 2), 'too big: CLEANUP_STAT_SIZE')
t.is_eq(reply and reply.get('reason'), '552 5.3.4 Error: message file too big', 'too big: reason')
t.ok(inst.wait_for(lambda: inst.queue_files() == before, timeout=10), 'too big: no file')

# 6. enable_long_queue_ids: Postfix's long form, and Message-Id <ID@host>.
inst.set_main_cf(message_size_limit='10240000', enable_long_queue_ids='yes')
inst.reload()
time.sleep(1)
hello, reply = submit(FLAG_LOCAL | FLAG_HOLD, env('a@b.test', ['c@d.test'], ['Subject: x', '', 'b']))
lid = hello.get('queue_id', '')
t.like(lid, r'^[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y]+$',
       'long queue ID: 10 time digits, z, inode')
p4 = os.path.join(inst.queue, 'hold', lid)
got = content_lines(p4) if os.path.exists(p4) else []
t.ok('Message-Id: <%s@mail.example.test>' % lid in got, 'long IDs: Message-Id <ID@myhostname>')

inst.stop()
t.done()
