#!/usr/bin/python3
# t/dsn.py - RFC 3461 DSN requests honoured by qmgr and bounce as Postfix
# 3.7 does: NOTIFY=NEVER and NOTIFY without FAILURE suppress the
# non-delivery report, NOTIFY without DELAY suppresses the delay warning,
# NOTIFY=SUCCESS produces a "Successful Mail Delivery Report", RET=HDRS
# returns only the headers, ENVID and ORCPT appear in the report.
# The DSN requests are written into the queue file through the cleanup
# protocol (public/cleanup), as smtpd stores them: 'n' (NOTIFY bits) and
# 'O' (original recipient) records before each R, and the A attributes
# dsn_ret (1 FULL, 2 HDRS) and dsn_envid.
import os
import re
import socket
import sys
import time
from email import message_from_bytes
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from ipc_codec import rec, read_attrs  # noqa: E402
from postern_test import Instance, TAP, SmtpSink

NEVER, SUCCESS, FAILURE, DELAY = 1, 2, 4, 8
FLAG_LOCAL = 1


def sink_rcpt(arg):
    addr = arg.split('<', 1)[-1].split('>', 1)[0]
    if 'reject' in addr:
        return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % addr
    if 'defer' in addr:
        return '450 4.2.0 <%s>: Recipient address rejected: try later' % addr
    return '250 2.1.5 Ok'


t = TAP()
sink = SmtpSink(reply_rcpt=sink_rcpt)
sink.start()
inst = Instance('dsn', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{a@virt.test=a/, b@virt.test=b/}',
    'relayhost': '[127.0.0.1]:%d' % sink.port,
    'delay_warning_time': '1s',
    'minimal_backoff_time': '1s',
    'maximal_backoff_time': '2s',
}, myhostname='mx.test')
sender_box = os.path.join(inst.mail, 'a')


def submit(sender, rcpts, subject, ret=None, envid=None):
    """rcpts: (address, notify bits, orig or None). Returns the queue ID."""
    recs = []
    if ret is not None:
        recs.append(rec('A', 'dsn_ret=%d' % ret))
    if envid is not None:
        recs.append(rec('A', 'dsn_envid=%s' % envid))
    recs.append(rec('S', sender))
    for addr, notify, orig in rcpts:
        if orig:
            recs.append(rec('O', orig))
        if notify:
            recs.append(rec('n', str(notify)))
        recs.append(rec('R', addr))
    recs.append(rec('M'))
    for line in ['Subject: %s' % subject, 'From: %s' % sender, '', 'body line of %s' % subject]:
        recs.append(rec('N', line))
    recs.append(rec('X'))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(os.path.join(inst.queue, 'public', 'cleanup'))
    f = s.makefile('rb')
    hello = read_attrs(f) or {}
    s.sendall(b'flags\0%d\0\0' % FLAG_LOCAL + b''.join(recs))
    reply = read_attrs(f)
    f.close()
    s.close()
    if reply != {'status': '0', 'reason': ''}:
        t.diag('cleanup reply: %r' % (reply,))
    return hello.get('queue_id', 'none')


def reports(subject_want):
    out = []
    for raw in inst.maildir_messages(sender_box):
        msg = message_from_bytes(raw)
        if msg.get('Subject') == subject_want:
            out.append((raw, msg))
    return out


def about(raw, subject):
    return ('Subject: %s' % subject).encode() in raw


try:
    inst.start()

    # 1. RET=HDRS, ENVID, ORCPT; NEVER and DELAY-only failures get no report;
    #    NOTIFY=SUCCESS gets a success report.
    mark = inst.log_mark()
    qid = submit('a@virt.test', [
        ('reject1@remote.test', FAILURE | SUCCESS, 'Orig1@Remote.test'),
        ('reject-never@remote.test', NEVER, None),
        ('reject-delay@remote.test', DELAY, None),
        ('b@virt.test', SUCCESS, 'rfc822;B@Virt.test'),
    ], 'one', ret=2, envid='abc')
    t.ok(inst.wait_log(r'%s: to=<reject-never@remote\.test>.*status=bounced' % qid,
                       timeout=30, since=mark) is not None,
         'NOTIFY=NEVER recipient logged bounced as usual')
    t.ok(inst.wait_log(r'%s: to=<b@virt\.test>.*status=sent' % qid, timeout=30, since=mark)
         is not None, 'NOTIFY=SUCCESS recipient delivered')
    m = inst.wait_log(r'%s: sender non-delivery notification: (\w+)' % qid, timeout=30, since=mark)
    t.ok(m is not None, 'one non-delivery notification')
    m = inst.wait_log(r'%s: sender delivery status notification: (\w+)' % qid,
                      timeout=30, since=mark)
    t.ok(m is not None, 'success: "sender delivery status notification: ID" logged')
    t.ok(inst.wait_log(r'%s: removed' % qid, timeout=30, since=mark) is not None,
         'message removed')
    inst.wait_for(lambda: len(inst.maildir_messages(sender_box)) >= 2, timeout=30)
    nd = [r for r in reports('Undelivered Mail Returned to Sender') if about(r[0], 'one')]
    t.is_eq(len(nd), 1, 'non-delivery report delivered')
    raw, msg = nd[0] if nd else (b'', message_from_bytes(b''))
    t.ok(b'Reporting-MTA: dns; mx.test\nOriginal-Envelope-Id: abc\n' in raw,
         'ENVID: Original-Envelope-Id after Reporting-MTA')
    t.ok(b'Final-Recipient: rfc822; reject1@remote.test\n'
         b'Original-Recipient: rfc822;Orig1@Remote.test\nAction: failed\n' in raw,
         'ORCPT: Original-Recipient as given')
    t.ok(b'reject-never@' not in raw, 'NOTIFY=NEVER recipient not in the report')
    t.ok(b'reject-delay@' not in raw, 'NOTIFY=DELAY recipient not in the report')
    t.ok(b'b@virt.test' not in raw, 'delivered recipient not in the report')
    parts = [p.get_content_type() for p in msg.get_payload()] if msg.is_multipart() else []
    t.is_eq(parts, ['text/plain', 'message/delivery-status', 'text/rfc822-headers'],
            'RET=HDRS: headers only')
    t.ok(b'Content-Description: Undelivered Message Headers' in raw
         and b'body line of one' not in raw, 'RET=HDRS: no body')

    ok = [r for r in reports('Successful Mail Delivery Report') if about(r[0], 'one')]
    t.is_eq(len(ok), 1, 'success report delivered')
    raw, msg = ok[0] if ok else (b'', message_from_bytes(b''))
    t.ok((msg.get('From') or '') == 'Mail Delivery System <MAILER-DAEMON@mx.test>',
         'success report from MAILER-DAEMON')
    t.ok(b'Your message was successfully delivered to the destination(s)\n'
         b'listed below. If the message was delivered to mailbox you will\n'
         b'receive no further notifications. Otherwise you may still receive\n'
         b'notifications of mail delivery errors from other systems.\n' in raw,
         "success report: Postfix's text")
    t.ok(re.search(rb'\n<b@virt\.test>: delivery via virtual: ', raw) is not None,
         'success report: "<rcpt>: delivery via TRANSPORT: reason"')
    t.ok(b'Final-Recipient: rfc822; b@virt.test\nOriginal-Recipient: rfc822;B@Virt.test\n'
         b'Action: delivered\nStatus: 2.0.0\n' in raw, 'success report: Action: delivered')
    t.ok(b'Original-Envelope-Id: abc\n' in raw, 'success report: Original-Envelope-Id')
    t.ok(b'reject' not in raw, 'success report: only the delivered recipient')
    parts = [p.get_content_type() for p in msg.get_payload()] if msg.is_multipart() else []
    t.is_eq(parts, ['text/plain', 'message/delivery-status', 'text/rfc822-headers'],
            'success report: MIME parts, headers only')
    t.ok(b'Content-Description: Message Headers\n' in raw, 'success report: Message Headers')
    t.is_eq(len(inst.maildir_messages(os.path.join(inst.mail, 'b'))), 1,
            'recipient got the message')

    # 2. Default RET and RET=FULL return the whole message; no ENVID, no line.
    mark = inst.log_mark()
    before = len(inst.maildir_messages(sender_box))
    qid2 = submit('a@virt.test', [('reject2@remote.test', 0, None)], 'two')
    qid3 = submit('a@virt.test', [('reject3@remote.test', FAILURE, None)], 'three', ret=1,
                  envid='e3')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(sender_box)) >= before + 2, timeout=30),
         'two more reports')
    for subj, envid in (('two', None), ('three', 'e3')):
        nd = [r for r in reports('Undelivered Mail Returned to Sender') if about(r[0], subj)]
        raw, msg = nd[0] if nd else (b'', message_from_bytes(b''))
        parts = [p.get_content_type() for p in msg.get_payload()] if msg.is_multipart() else []
        t.is_eq(parts, ['text/plain', 'message/delivery-status', 'message/rfc822'],
                '%s: full message returned' % subj)
        t.ok(('body line of %s' % subj).encode() in raw, '%s: body returned' % subj)
        if envid:
            t.ok(('Original-Envelope-Id: %s\n' % envid).encode() in raw, '%s: ENVID' % subj)
        else:
            t.ok(b'Original-Envelope-Id' not in raw, '%s: no Original-Envelope-Id' % subj)

    # 3. Only NOTIFY=NEVER / no FAILURE: no report at all.
    mark = inst.log_mark()
    before = len(inst.maildir_messages(sender_box))
    qid4 = submit('a@virt.test', [('reject4@remote.test', NEVER, None),
                                  ('reject5@remote.test', SUCCESS | DELAY, None)], 'four')
    t.ok(inst.wait_log(r'%s: removed' % qid4, timeout=30, since=mark) is not None,
         'failed NEVER/SUCCESS,DELAY message removed')
    time.sleep(1)
    t.ok(re.search(r'%s: sender (non-)?delivery' % qid4, inst.log_text()[mark:]) is None,
         'no notification for it')
    t.is_eq(len(inst.maildir_messages(sender_box)), before, 'no report delivered')

    # 4. Delay warnings go only to recipients whose NOTIFY has DELAY (or no NOTIFY).
    mark = inst.log_mark()
    qid5 = submit('a@virt.test', [('defer-fail@remote.test', FAILURE, None),
                                  ('defer-delay@remote.test', DELAY, None),
                                  ('defer-plain@remote.test', 0, None)], 'five')
    t.ok(inst.wait_log(r'%s: to=<defer-plain@remote\.test>.*status=deferred' % qid5,
                       timeout=30, since=mark) is not None, 'deferred')
    m = None
    deadline = time.time() + 40
    while m is None and time.time() < deadline:
        time.sleep(1.5)
        inst.run('postqueue', '-f')
        m = inst.wait_log(r'%s: sender delay notification: (\w+)' % qid5, timeout=3, since=mark)
    t.ok(m is not None, 'delay warning sent')
    inst.wait_for(lambda: any(about(r[0], 'five')
                              for r in reports('Delayed Mail (still being retried)')), timeout=30)
    dl = [r for r in reports('Delayed Mail (still being retried)') if about(r[0], 'five')]
    raw = dl[0][0] if dl else b''
    t.ok(b'Final-Recipient: rfc822; defer-delay@remote.test' in raw, 'NOTIFY=DELAY warned')
    t.ok(b'Final-Recipient: rfc822; defer-plain@remote.test' in raw, 'no NOTIFY: warned')
    t.ok(b'defer-fail@' not in raw, 'NOTIFY=FAILURE: not in the warning')
    inst.run('postsuper', '-d', qid5)

    # Relayed through the SMTP client. A server without DSN cannot report
    # success, so postern reports "relayed" (as Postfix does); a server
    # that offers DSN gets NOTIFY/ORCPT/RET/ENVID and reports itself.
    mark = inst.log_mark()
    qid6 = submit('a@virt.test', [('ok6@remote.test', SUCCESS | FAILURE, 'rfc822;Orig6@remote.test')],
                  'six', ret=2, envid='env+6')
    t.ok(inst.wait_log(r'%s: sender delivery status notification: \w+' % qid6,
                       timeout=30, since=mark) is not None, 'relayed: success notification')
    inst.wait_for(lambda: any(about(r[0], 'six')
                              for r in reports('Successful Mail Delivery Report')), timeout=30)
    rl = [r for r in reports('Successful Mail Delivery Report') if about(r[0], 'six')]
    raw = rl[0][0] if rl else b''
    t.ok(b'Action: relayed' in raw, 'server without DSN: Action: relayed')
    t.ok(re.search(rb'delivery via 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: 250', raw) is not None,
         'relayed: "delivery via host[addr]:port: 250 ..." as Postfix')
    mails = [c for conn in sink.transcript for c, _r in conn if c.startswith('MAIL FROM:<a@virt.test>')]
    t.ok(mails and all('RET=' not in m and 'ENVID=' not in m for m in mails),
         'no DSN parameters to a server that does not offer DSN')

    # ORCPT equal to the recipient: no orig_to= in the log, as Postfix.
    mark = inst.log_mark()
    qid8 = submit('a@virt.test', [('ok8@remote.test', FAILURE, 'rfc822;ok8@remote.test')], 'eight')
    m = inst.wait_log(r'%s: to=<ok8@remote\.test>, (\S+)' % qid8, timeout=30, since=mark)
    t.ok(m is not None and m.group(1).startswith('relay='),
         'ORCPT same as the recipient: no orig_to= (%s)' % (m.group(0) if m else None))
    t.ok(re.search(r'%s: to=<ok6@remote\.test>, orig_to=<Orig6@remote\.test>, relay=' % qid6,
                   inst.log_text()) is not None, 'ORCPT of another address: orig_to=<address>')

    dsn_sink = SmtpSink(ehlo_keywords=('PIPELINING', 'SIZE 10240000', '8BITMIME', 'DSN'))
    dsn_sink.start()
    try:
        inst.set_main_cf(relayhost='[127.0.0.1]:%d' % dsn_sink.port)
        inst.reload()
        time.sleep(2)
        mark = inst.log_mark()
        qid7 = submit('a@virt.test', [('ok7@remote.test', SUCCESS | FAILURE, 'rfc822;Orig7@remote.test')],
                      'seven', ret=2, envid='env+7')
        t.ok(inst.wait_log(r'%s: to=<ok7@remote\.test>.*status=sent' % qid7, timeout=30, since=mark)
             is not None, 'DSN server: delivered')
        lines = [c for conn in dsn_sink.transcript for c, _r in conn]
        mail7 = [c for c in lines if c.startswith('MAIL FROM:')]
        rcpt7 = [c for c in lines if c.startswith('RCPT TO:<ok7@')]
        t.ok(mail7 and 'RET=HDRS' in mail7[0] and 'ENVID=env+2B7' in mail7[0],
             'RET and ENVID (xtext) passed on: %r' % (mail7[:1],))
        t.ok(rcpt7 and 'NOTIFY=SUCCESS,FAILURE' in rcpt7[0] and 'ORCPT=rfc822;Orig7@remote.test' in rcpt7[0],
             'NOTIFY and ORCPT passed on: %r' % (rcpt7[:1],))
        t.ok(inst.wait_log(r'%s: removed' % qid7, timeout=20, since=mark) is not None, 'removed')
        t.ok(re.search(r'%s: sender delivery status notification' % qid7, inst.log_text()[mark:]) is None,
             'DSN server: no success report from us (the next MTA reports)')
    finally:
        dsn_sink.stop()
finally:
    inst.stop()
    sink.stop()
t.done()
