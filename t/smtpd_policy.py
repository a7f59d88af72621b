#!/usr/bin/python3
# t/smtpd_policy.py - the SMTP server's access policy against a running
# instance: relay denied/allowed by mynetworks and the authorized
# destinations, Postfix 3.7's default relay restrictions, unknown
# recipients in local, virtual mailbox, virtual alias and relay domains,
# and an unknown restriction name.
import os, socket, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP, free_port
from smtp_client import Client

t = TAP()


def session(port, src, rcpts, helo='client.test', sender='a@example.org'):
    """Replies to RCPT TO for each address (then RSET and QUIT)."""
    c = Client(port, src)
    c.cmd('EHLO ' + helo)
    c.cmd('MAIL FROM:<%s>' % sender)
    out = [c.cmd('RCPT TO:<%s>' % r) for r in rcpts]
    c.cmd('QUIT')
    c.close()
    return out


port_strict = free_port()
port_bad = free_port()
port_rcpt = free_port()
port_early = free_port()
inst = Instance('smtpd_policy', main_cf={
    'compatibility_level': '3.6',
    'mynetworks': '127.0.0.1/32',
    'mydestination': '$myhostname, localhost, local.test',
    'local_recipient_maps': 'inline:{ {postmaster=root} }',
    'virtual_mailbox_domains': 'virt.test',
    'virtual_mailbox_maps': 'inline:{ {u@virt.test=u/} }',
    'virtual_alias_domains': 'alias.test',
    'virtual_alias_maps': 'inline:{ {a@alias.test=u@virt.test} }',
    'relay_domains': 'relay.test',
    'relay_recipient_maps': 'inline:{ {r@relay.test=ok} }',
}, master_cf_extra='''
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_relay_restrictions=permit_mynetworks,no_such_restriction,reject_unauth_destination
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_relay_restrictions=
  -o smtpd_recipient_restrictions=permit_auth_destination,reject
127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_sender_restrictions=reject
''' % (port_strict, port_bad, port_rcpt, port_early))
inst.start()

# Relay denied from outside mynetworks, with reject_unauth_destination.
mark = inst.log_mark()
t.is_eq(session(port_strict, '127.0.0.2', ['x@remote.test']),
        ['554 5.7.1 <x@remote.test>: Relay access denied'], 'relay denied outside mynetworks')
t.ok(inst.wait_log(r'postern/smtpd\[\d+\]: NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: '
                   r'554 5\.7\.1 <x@remote\.test>: Relay access denied; from=<a@example\.org> '
                   r'to=<x@remote\.test> proto=ESMTP helo=<client\.test>$', since=mark),
     'relay reject logged as Postfix does')
# Postfix 3.7's default smtpd_relay_restrictions end in defer_unauth_destination.
t.is_eq(session(inst.port, '127.0.0.2', ['x@remote.test']),
        ['454 4.7.1 <x@remote.test>: Relay access denied'], 'default relay restrictions defer')
# Allowed from mynetworks and to authorized destinations.
t.is_eq(session(port_strict, '127.0.0.1', ['x@remote.test']), ['250 2.1.5 Ok'],
        'relay allowed from mynetworks')
t.is_eq(session(port_strict, '127.0.0.2', ['u@virt.test', 'a@alias.test', 'postmaster@local.test',
                                            'r@relay.test']),
        ['250 2.1.5 Ok'] * 4, 'authorized destinations accepted from outside mynetworks')
# Unknown recipients.
t.is_eq(session(port_strict, '127.0.0.2', ['nobody@local.test', 'nobody@virt.test',
                                            'nobody@alias.test', 'nobody@relay.test']),
        ['550 5.1.1 <nobody@local.test>: Recipient address rejected: User unknown in local recipient table',
         '550 5.1.1 <nobody@virt.test>: Recipient address rejected: User unknown in virtual mailbox table',
         '550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual alias table',
         '550 5.1.1 <nobody@relay.test>: Recipient address rejected: User unknown in relay recipient table'],
        'unknown recipients rejected 550 5.1.1 per address class')
t.is_eq(session(port_strict, '127.0.0.1', ['nobody@virt.test']),
        ['550 5.1.1 <nobody@virt.test>: Recipient address rejected: User unknown in virtual mailbox table'],
        'unknown recipients rejected from mynetworks too')
# VRFY runs the same checks.
c = Client(port_strict, '127.0.0.2')
t.is_eq(c.cmd('VRFY nobody@virt.test'),
        '550 5.1.1 <nobody@virt.test>: Recipient address rejected: User unknown in virtual mailbox table',
        'VRFY of an unknown user')
t.is_eq(c.cmd('VRFY x@remote.test'), '554 5.7.1 <x@remote.test>: Relay access denied', 'VRFY of a relay address')
c.close()
# smtpd_recipient_restrictions with permit_auth_destination, reject.
t.is_eq(session(port_rcpt, '127.0.0.1', ['u@virt.test', 'x@remote.test']),
        ['250 2.1.5 Ok', '554 5.7.1 <x@remote.test>: Recipient address rejected: Access denied'],
        'permit_auth_destination, reject')
# An unknown restriction is a configuration error.
mark = inst.log_mark()
t.is_eq(session(port_bad, '127.0.0.2', ['x@remote.test']), ['451 4.3.5 Server configuration error'],
        'unknown restriction: 451 4.3.5')
t.ok(inst.wait_log(r'warning: unknown smtpd restriction: "no_such_restriction"$', since=mark),
     'unknown restriction logged')
# smtpd_delay_reject = no: client restrictions at connect, sender at MAIL.
mark = inst.log_mark()
c = Client(port_early, '127.0.0.2')
t.is_eq(c.greeting, ['554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: Access denied'],
        'client rejected at connect instead of the greeting')
t.is_eq([c.cmd('EHLO client.test'), c.cmd('MAIL FROM:<a@example.org>'), c.cmd('QUIT')],
        ['503 5.7.0 Error: access denied for unknown[127.0.0.2]'] * 2 + ['221 2.0.0 Bye'],
        'every command but QUIT denied')
c.close()
t.ok(inst.wait_log(r'NOQUEUE: reject: CONNECT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 '
                   r'<unknown\[127\.0\.0\.2\]>: Client host rejected: Access denied; proto=SMTP$', since=mark),
     'connect reject logged')
c = Client(port_early, '127.0.0.1')
c.cmd('HELO client.test')
t.is_eq(c.cmd('MAIL FROM:<a@example.org>'), '554 5.7.1 <a@example.org>: Sender address rejected: Access denied',
        'sender rejected at MAIL')
c.close()
inst.stop()
t.done()
