#!/usr/bin/python3
# t/bounce.py - non-delivery reports: a 5xx from the next hop makes an
# RFC 3464 report that lands in the (virtual Maildir) sender's mailbox;
# a bounce of mail from <> does not loop; an expired deferred message is
# returned to its sender.
import os, sys, re, time
from email import message_from_bytes
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))
from postern_test import Instance, TAP, SmtpSink, free_port

t = TAP()
sink = SmtpSink(reply_rcpt=lambda arg: '550 5.1.1 <%s>: Recipient address rejected: User unknown'
                % arg.split('<', 1)[-1].split('>', 1)[0] if 'reject' in arg else '250 2.1.5 Ok')
sink.start()
inst = Instance('bounce', main_cf={
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{alice@virt.test=alice/, pm@virt.test=pm/}',
    'relayhost': '[127.0.0.1]:%d' % sink.port,
})
alice = os.path.join(inst.mail, 'alice')
try:
    inst.start()
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['reject@remote.test'],
               b'Subject: doomed\r\nFrom: alice@virt.test\r\n\r\nbody line\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): to=<reject@remote\.test>.*dsn=5\.1\.1, status=bounced', timeout=30)
    t.ok(m is not None, '5xx from next hop: recipient bounced')
    qid = m.group(1) if m else 'none'
    m2 = inst.wait_log(r'%s: sender non-delivery notification: (\w+)' % qid, timeout=20)
    t.ok(m2 is not None, 'bounce logs the notification queue ID')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(alice)) == 1, timeout=30),
         'notification delivered to the sender')
    msgs = inst.maildir_messages(alice)
    raw = msgs[0] if msgs else b''
    msg = message_from_bytes(raw)
    t.is_eq(msg.get('Subject'), 'Undelivered Mail Returned to Sender', 'Subject')
    t.ok((msg.get('From') or '').startswith('Mail Delivery System <MAILER-DAEMON@'), 'From')
    t.is_eq(msg.get_content_type(), 'multipart/report', 'multipart/report')
    t.is_eq(msg.get_param('report-type'), 'delivery-status', 'report-type=delivery-status')
    t.ok(b'Return-Path: <>' in raw, 'null envelope sender')
    parts = [p.get_content_type() for p in msg.get_payload()] if msg.is_multipart() else []
    t.is_eq(parts, ['text/plain', 'message/delivery-status', 'message/rfc822'], 'MIME parts')
    t.ok(b'This is the mail system at host' in raw, 'human-readable part')
    t.ok(b'<reject@remote.test>: host 127.0.0.1[127.0.0.1] said: 550 5.1.1' in raw
         or b'<reject@remote.test>:' in raw, 'recipient and reason in the text part')
    t.ok(re.search(rb'Reporting-MTA: dns; \S+', raw) is not None, 'Reporting-MTA')
    t.ok(('X-Postfix-Queue-ID: %s' % qid).encode() in raw, 'X-Postfix-Queue-ID')
    t.ok(b'Final-Recipient: rfc822; reject@remote.test' in raw, 'Final-Recipient')
    t.ok(b'Action: failed' in raw and b'Status: 5.1.1' in raw, 'Action and Status')
    t.ok(b'Subject: doomed' in raw and b'body line' in raw, 'original message returned')
    t.ok(inst.wait_log(r'%s: removed' % qid, timeout=10) is not None, 'bounced message removed')

    # A bounce of a bounce: dropped (notify_classes has no 2bounce), no loop.
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('', ['reject@remote.test'], b'Subject: null sender\r\n\r\nx\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): to=<reject@remote\.test>.*status=bounced', timeout=30, since=mark)
    qid3 = m.group(1) if m else 'none'
    t.ok(inst.wait_log(r'%s: removed' % qid3, timeout=20, since=mark) is not None,
         'bounce of a bounce: message removed')
    time.sleep(1)
    t.ok(re.search(r'%s: sender non-delivery' % qid3, inst.log_text()) is None,
         'bounce of a bounce: no notification loop')
    t.is_eq(len(inst.maildir_messages(alice)), 1, 'no extra notification')

    # With 2bounce in notify_classes a failed bounce goes to the postmaster
    # (2bounce_notice_recipient) as a double bounce; a failed double bounce
    # is discarded with a warning, so nothing loops either way.
    inst.set_main_cf(notify_classes='resource, software, 2bounce',
                     **{'2bounce_notice_recipient': 'pm@virt.test'})
    inst.reload()
    time.sleep(2)
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('', ['reject@remote.test'], b'Subject: null sender 2\r\n\r\nx\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): to=<reject@remote\.test>.*status=bounced', timeout=30, since=mark)
    qid5 = m.group(1) if m else 'none'
    t.ok(inst.wait_log(r'%s: postmaster non-delivery notification: \w+' % qid5,
                       timeout=20, since=mark) is not None,
         '2bounce: failed bounce goes to the postmaster')
    pm = os.path.join(inst.mail, 'pm')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(pm)) == 1, timeout=30),
         '2bounce: double bounce delivered to 2bounce_notice_recipient')
    inst.set_main_cf(**{'2bounce_notice_recipient': 'reject@remote.test'})
    inst.reload()
    time.sleep(2)
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('', ['reject@remote.test'], b'Subject: null sender 3\r\n\r\nx\r\n')
    s.quit()
    t.ok(inst.wait_log(r'undeliverable postmaster notification discarded', timeout=40, since=mark)
         is not None, 'failed double bounce discarded with a warning, no loop')
    inst.set_main_cf(notify_classes='resource, software')

    # Expired: maximal_queue_lifetime = 0 returns deferred mail at once.
    inst.set_main_cf(maximal_queue_lifetime='0', relayhost='[127.0.0.1]:9')
    inst.reload()
    time.sleep(2)
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['late@remote.test'], b'Subject: late\r\n\r\nx\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): from=<alice@virt\.test>, status=expired, returned to sender',
                      timeout=30, since=mark)
    t.ok(m is not None, 'expired message: status=expired log line')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(alice)) == 2, timeout=30),
         'expired message returned to the sender')

    # delay_warning_time: one warning to the sender, the message stays queued.
    inst.set_main_cf(maximal_queue_lifetime='5d', delay_warning_time='1s')
    inst.reload()
    time.sleep(2)
    mark = inst.log_mark()
    s = inst.smtp()
    s.sendmail('alice@virt.test', ['slow@remote.test'], b'Subject: slow\r\n\r\nx\r\n')
    s.quit()
    m = inst.wait_log(r'(\w+): to=<slow@remote\.test>.*status=deferred', timeout=30, since=mark)
    qid4 = m.group(1) if m else 'none'
    time.sleep(1.5)
    inst.run('postqueue', '-f')
    t.ok(inst.wait_log(r'%s: sender delay notification: \w+' % qid4, timeout=30, since=mark)
         is not None, 'delay warning logged')
    t.ok(inst.wait_for(lambda: len(inst.maildir_messages(alice)) == 3, timeout=30),
         'delay warning delivered to the sender')
    warn = [x for x in inst.maildir_messages(alice) if b'Delayed Mail' in x]
    w = warn[0] if warn else b''
    t.ok(b'Subject: Delayed Mail (still being retried)' in w and b'Action: delayed' in w
         and b'Will-Retry-Until: ' in w and b'text/rfc822-headers' in w, 'delay warning content')
    t.ok(os.path.exists(os.path.join(inst.queue, 'deferred', qid4)), 'warned message still queued')
    mark = inst.log_mark()
    time.sleep(1)
    inst.run('postqueue', '-f')
    inst.wait_log(r'%s: to=<slow@remote\.test>.*status=deferred' % qid4, timeout=30, since=mark)
    time.sleep(1)
    t.ok(re.search(r'%s: sender delay notification' % qid4, inst.log_text()[mark:]) is None,
         'only one delay warning')
finally:
    inst.stop()
    sink.stop()
t.done()
