/* bounce.c - the bounce daemon (private/bounce, one request per
 * connection): turns a list of failed recipients of a queued message into
 * an RFC 3464 non-delivery report (multipart/report with a human-readable
 * part, message/delivery-status and the returned message or its headers)
 * and queues it through cleanup, sender <>. A bounce of mail from <> goes
 * to 2bounce_notice_recipient when notify_classes has "2bounce" (as a
 * double bounce, from double_bounce_sender) and is dropped otherwise; a
 * bounce of a double bounce is dropped with a log line, so nothing loops.
 * With request flag 1 it writes a delay warning instead ("Delayed Mail
 * (still being retried)", Action: delayed, headers only), with flag 2 a
 * delivery status notification of successes requested with NOTIFY=SUCCESS
 * ("Successful Mail Delivery Report", headers only). RFC 3461 as Postfix:
 * the queue file's dsn_envid becomes Original-Envelope-Id, dsn_ret HDRS
 * returns only the headers of a failed message, an ORCPT is shown as given.
 * Request protocol: see qmgr/qmgr_bounce.c. */
#include "util/sys_defs.h"
#include <time.h>
#include <fcntl.h>
#include <ctype.h>
#include <stdlib.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_addr.h"
#include "global/mail_server.h"
#include "global/qfile.h"
#include "global/record.h"
#include "global/cleanup_client.h"
#include "global/mail_date.h"

#define BOUNCE_NRCPT_MAX	100000
#define BOUNCE_VALUE_MAX	8192
#define BOUNCE_REQUEST_MAX	(64 * 1024 * 1024)	/* bytes in one request */
#define BOUNCE_WRAP		78	/* human-readable part line width */
#define BOUNCE_IO_TIMEOUT	100
#define BOUNCE_FLAG_DELAY	(1<<0)	/* request flag: a delay warning */
#define BOUNCE_FLAG_SUCCESS	(1<<1)	/* request flag: a success report */

/* RFC 3461 RET as stored in the dsn_ret attribute (Postfix's values). */
#define BOUNCE_RET_FULL		1
#define BOUNCE_RET_HDRS		2

typedef struct BOUNCE_RCPT {
    char   *address;
    char   *orig;
    char   *dsn;
    char   *reason;
    char   *diag;
    char   *mta;
    char   *action;			/* "" = as the request implies */
} BOUNCE_RCPT;

/* dsn_ret_hdrs - non-zero if the message asked RET=HDRS. */
static int dsn_ret_hdrs(const QFILE_ENV *env)
{
    const char *v = qfile_env_attr(env, MAIL_ATTR_DSN_RET);

    return strcasecmp(v, "HDRS") == 0 || atoi(v) == BOUNCE_RET_HDRS;
}

/* orcpt_typed - non-zero if an original recipient carries its RFC 3461
 * address type ("rfc822;addr"), to be shown as given. */
static int orcpt_typed(const char *orig)
{
    const char *cp = orig;

    while (*cp && (isalnum((unsigned char) *cp) || *cp == '-'))
	cp++;
    return cp > orig && *cp == ';' && strchr(orig, '@') > cp;
}

/* has_word - non-zero if list (Postfix list syntax) holds word. */
static int has_word(const char *list, const char *word)
{
    ARGV   *a = argv_split_list(list ? list : "");
    int     found = 0;

    for (int i = 0; i < a->argc && !found; i++)
	found = strcasecmp(a->argv[i], word) == 0;
    argv_free(a);
    return found;
}

/* out_line - one content line to cleanup; -1 on error. */
static int out_line(STREAM *s, const char *text)
{
    return rec_put(s, REC_TYPE_NORM, text, strlen(text));
}

/* out_wrapped - a text paragraph wrapped at BOUNCE_WRAP columns (a word
 * longer than that stays whole), continuation lines indented by 4. */
static int out_wrapped(STREAM *s, const char *text)
{
    VSTR   *line = vstr_alloc(100);
    const char *cp = text;
    size_t  start = 0;			/* length of the indent of this line */
    int     ret = 0;

    while (*cp == ' ')
	cp++;
    while (*cp && ret == 0) {
	const char *word = cp;
	size_t  wlen;

	while (*cp && *cp != ' ')
	    cp++;
	wlen = (size_t) (cp - word);
	while (*cp == ' ')
	    cp++;
	if (vstr_len(line) > start && vstr_len(line) + 1 + wlen > BOUNCE_WRAP) {
	    ret = out_line(s, vstr_str(line));
	    vstr_set(line, "    ");
	    start = 4;
	}
	if (vstr_len(line) > start)
	    vstr_addch(line, ' ');
	vstr_addn(line, word, wlen);
    }
    if (ret == 0 && vstr_len(line) > start)
	ret = out_line(s, vstr_str(line));
    vstr_free(line);
    return ret;
}

/* copy_message - the original message (or only its headers) to cleanup. */
static int copy_message(STREAM *out, int fd, const QFILE_ENV *env, int headers_only,
			        const char *sender)
{
    STREAM *in = qfile_content_start(fd, env->content_offset, BOUNCE_IO_TIMEOUT);
    VSTR   *line = vstr_alloc(256);
    VSTR   *q = vstr_alloc(64);
    int     in_header = 1;
    int     type;
    int     ret = 0;
    int     prev_cont = 0;

    if (in == NULL) {
	vstr_free(line);
	vstr_free(q);
	return -1;
    }
    vstr_sprintf(line, "Return-Path: <%s>", addr_quote(q, sender));
    if (out_line(out, vstr_str(line)) < 0)
	ret = -1;
    while (ret == 0) {
	type = qfile_get_line(in, line);
	if (type == REC_TYPE_XTRA)
	    break;
	if (type != REC_TYPE_NORM && type != REC_TYPE_CONT) {
	    ret = -1;
	    break;
	}
	if (in_header && !prev_cont && vstr_len(line) == 0) {
	    in_header = 0;
	    if (headers_only)
		break;
	}
	if (rec_put(out, type == REC_TYPE_CONT ? REC_TYPE_CONT : REC_TYPE_NORM,
		    vstr_str(line), vstr_len(line)) < 0)
	    ret = -1;
	prev_cont = (type == REC_TYPE_CONT);
    }
    if (prev_cont && ret == 0)
	ret = rec_put(out, REC_TYPE_NORM, "", 0);
    stream_free(in);
    vstr_free(line);
    vstr_free(q);
    return ret;
}

/* send_report - compose and queue the notification; returns the cleanup
 * status (0 ok) and the new queue ID in new_id. */
static int send_report(const char *queue, const char *id, const char *sender,
		               const char *env_sender, const char *to, int postmaster_copy,
		               int flags, BOUNCE_RCPT *rcpt, int nrcpt, VSTR *new_id)
{
    CLEANUP_CLIENT *cc;
    STREAM *s;
    VSTR   *path = vstr_alloc(64);
    VSTR   *buf = vstr_alloc(256);
    VSTR   *q = vstr_alloc(64);
    VSTR   *date = vstr_alloc(64);
    VSTR   *bnd = vstr_alloc(64);
    QFILE_ENV *env = NULL;
    const char *why = NULL;
    int     fd;
    int     err = 0;
    int     status;
    time_t  now = time(NULL);
    int     headers_only;
    int     delay = (flags & BOUNCE_FLAG_DELAY) != 0;
    int     success = !delay && (flags & BOUNCE_FLAG_SUCCESS) != 0;
    VSTR   *envid = vstr_alloc(64);

    if ((fd = open(mail_queue_path(path, queue, id), O_RDONLY | O_CLOEXEC)) < 0) {
	msg_warn("%s: open %s: %s", id, vstr_str(path), strerror(errno));
	status = CLEANUP_STAT_BAD;
	goto done;
    }
    if ((env = qfile_read_envelope(fd, &why)) == NULL) {
	msg_warn("%s: cannot read queue file: %s", id, why ? why : "corrupt");
	status = CLEANUP_STAT_BAD;
	goto done;
    }
    if ((cc = cleanup_open(CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_LOCAL, &why)) == NULL) {
	msg_warn("%s: cannot connect to cleanup: %s", id, why ? why : "unknown error");
	status = CLEANUP_STAT_BAD;
	goto done;
    }
    s = cleanup_stream(cc);
    headers_only = delay || success || dsn_ret_hdrs(env)
	|| env->message_size > var_bounce_limit;
    vstr_set(envid, qfile_env_attr(env, MAIL_ATTR_DSN_ENVID));
    printable(vstr_str(envid), '?');
    vstr_sprintf(bnd, "%s.%ld/%s", id, (long) now, var_myhostname);

#define OUT(text) do { if (err == 0 && out_line(s, (text)) < 0) err = 1; } while (0)
#define OUTF(...) do { vstr_sprintf(buf, __VA_ARGS__); OUT(vstr_str(buf)); } while (0)

    if (rec_put(s, REC_TYPE_FROM, env_sender, strlen(env_sender)) < 0
	|| rec_put(s, REC_TYPE_RCPT, to, strlen(to)) < 0
	|| rec_put(s, REC_TYPE_MESG, "", 0) < 0)
	err = 1;
    /* As Postfix's internal mail posting, which names the new queue ID. */
    OUTF("Received: by %s (%s)", var_myhostname, var_mail_name);
    OUTF("\tid %s; %s", cleanup_queue_id(cc), mail_date(date, now));
    OUTF("Date: %s", mail_date(date, now));
    OUTF("From: Mail Delivery System <MAILER-DAEMON@%s>", var_myhostname);
    OUTF("Subject: %s", delay ? "Delayed Mail (still being retried)"
	 : success ? "Successful Mail Delivery Report"
	 : postmaster_copy ? "Postmaster Copy: Undelivered Mail"
	 : "Undelivered Mail Returned to Sender");
    OUTF("To: %s", addr_quote(q, to));
    OUT("Auto-Submitted: auto-replied");
    OUT("MIME-Version: 1.0");
    OUT("Content-Type: multipart/report; report-type=delivery-status;");
    OUTF("\tboundary=\"%s\"", vstr_str(bnd));
    OUT("Content-Transfer-Encoding: 8bit");
    OUT("");
    OUT("This is a MIME-encapsulated message.");
    OUT("");
    OUTF("--%s", vstr_str(bnd));
    OUT("Content-Description: Notification");
    OUT("Content-Type: text/plain; charset=utf-8");
    OUT("Content-Transfer-Encoding: 8bit");
    OUT("");
    OUTF("This is the mail system at host %s.", var_myhostname);
    OUT("");
    if (delay) {
	OUT("####################################################################");
	OUT("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #");
	OUT("####################################################################");
	OUT("");
	OUTF("Your message could not be delivered for more than %d hour(s).",
	     var_delay_warn_time / 3600);
	OUTF("It will be retried until it is %d day(s) old.", var_max_queue_time / 86400);
	OUT("");
	OUT("For further assistance, please send mail to postmaster.");
	OUT("");
	OUT("If you do so, please include this problem report. You can");
	OUT("delete your own text from the attached returned message.");
    } else if (success) {
	OUT("Your message was successfully delivered to the destination(s)");
	OUT("listed below. If the message was delivered to mailbox you will");
	OUT("receive no further notifications. Otherwise you may still receive");
	OUT("notifications of mail delivery errors from other systems.");
    } else if (postmaster_copy) {
	OUT("Enclosed is the mail delivery report that you requested.");
    } else {
	OUT("I'm sorry to have to inform you that your message could not");
	OUT("be delivered to one or more recipients. It's attached below.");
	OUT("");
	OUT("For further assistance, please send mail to postmaster.");
	OUT("");
	OUT("If you do so, please include this problem report. You can");
	OUT("delete your own text from the attached returned message.");
    }
    OUT("");
    OUT("                   The mail system");
    for (int i = 0; i < nrcpt; i++) {
	OUT("");
	vstr_sprintf(buf, "<%s>: %s", addr_quote(q, rcpt[i].address), rcpt[i].reason);
	if (err == 0 && out_wrapped(s, vstr_str(buf)) < 0)
	    err = 1;
    }
    OUT("");
    OUTF("--%s", vstr_str(bnd));
    OUT("Content-Description: Delivery report");
    OUT("Content-Type: message/delivery-status");
    OUT("");
    OUTF("Reporting-MTA: dns; %s", var_myhostname);
    if (vstr_len(envid) > 0)
	OUTF("Original-Envelope-Id: %s", vstr_str(envid));
    OUTF("X-Postfix-Queue-ID: %s", id);
    OUTF("X-Postfix-Sender: rfc822; %s", addr_quote(q, sender));
    OUTF("Arrival-Date: %s", mail_date(date, (time_t) env->arrival_sec));
    for (int i = 0; i < nrcpt; i++) {
	OUT("");
	OUTF("Final-Recipient: rfc822; %s", addr_quote(q, rcpt[i].address));
	if (*rcpt[i].orig && orcpt_typed(rcpt[i].orig))
	    OUTF("Original-Recipient: %s", rcpt[i].orig);
	else if (*rcpt[i].orig)
	    OUTF("Original-Recipient: rfc822;%s", addr_quote(q, rcpt[i].orig));
	OUTF("Action: %s", *rcpt[i].action ? rcpt[i].action
	     : delay ? "delayed" : success ? "delivered" : "failed");
	OUTF("Status: %s", rcpt[i].dsn);
	if (*rcpt[i].mta)
	    OUTF("Remote-MTA: %s", rcpt[i].mta);
	/* Without a remote diagnostic Postfix shows its own reason. */
	if (*rcpt[i].diag)
	    vstr_sprintf(buf, "Diagnostic-Code: %s", rcpt[i].diag);
	else
	    vstr_sprintf(buf, "Diagnostic-Code: X-Postfix; %s", rcpt[i].reason);
	if (err == 0 && out_wrapped(s, vstr_str(buf)) < 0)
	    err = 1;
	if (delay)
	    OUTF("Will-Retry-Until: %s", mail_date(date, (time_t) env->arrival_sec
						  + var_max_queue_time));
    }
    OUT("");
    OUTF("--%s", vstr_str(bnd));
    if (success) {
	OUT("Content-Description: Message Headers");
	OUT("Content-Type: text/rfc822-headers");
    } else if (headers_only) {
	OUT("Content-Description: Undelivered Message Headers");
	OUT("Content-Type: text/rfc822-headers");
    } else {
	OUT("Content-Description: Undelivered Message");
	OUT("Content-Type: message/rfc822");
    }
    OUT("Content-Transfer-Encoding: 8bit");
    OUT("");
    if (err == 0 && copy_message(s, fd, env, headers_only, sender) < 0)
	err = 1;
    OUT("");
    OUTF("--%s--", vstr_str(bnd));
    if (err == 0 && rec_put(s, REC_TYPE_XTRA, "", 0) < 0)
	err = 1;
    if (err) {
	msg_warn("%s: error writing the notification to cleanup", id);
	cleanup_abort(cc);
	status = CLEANUP_STAT_WRITE;
	goto done;
    }
    vstr_set(new_id, cleanup_queue_id(cc));
    status = cleanup_finish(cc, buf);
    if (status != 0)
	msg_warn("%s: notification not queued: %s", id, vstr_str(buf));

done:
    if (fd >= 0)
	close(fd);
    qfile_env_free(env);
    vstr_free(path);
    vstr_free(buf);
    vstr_free(q);
    vstr_free(date);
    vstr_free(bnd);
    vstr_free(envid);
    return status;
}

/* is_double_bounce_sender - sender is double_bounce_sender (bare or @anything). */
static int is_double_bounce_sender(const char *sender)
{
    size_t  n = strlen(var_double_bounce_sender);

    return strncasecmp(sender, var_double_bounce_sender, n) == 0
	&& (sender[n] == 0 || sender[n] == '@');
}

static void bounce_service(STREAM *client, const char *service, char **argv)
{
    ATTR_LIST *l = attr_list_alloc();
    BOUNCE_RCPT *rcpt = NULL;
    const char *why = NULL;
    const char *v;
    char   *queue = NULL, *id = NULL, *sender = NULL;
    long    nrcpt = 0;
    long    flags = 0;
    size_t  total = 0;
    int     got = 0;
    long    status = 1;
    VSTR   *new_id = vstr_alloc(32);
    VSTR   *to = vstr_alloc(64);

    (void) service;
    (void) argv;
    stream_set_timeout(client, BOUNCE_IO_TIMEOUT);
    if (mail_announce_proto(client, MAIL_PROTO_BOUNCE) < 0)
	goto out;
    if (attr_recv(client, l, 16, BOUNCE_VALUE_MAX, &why) < 0) {
	if (why)
	    msg_warn("bounce request: %s", why);
	goto out;
    }
    if ((v = attr_get(l, MAIL_ATTR_QUEUE)) == NULL || !mail_queue_name_ok(v)) {
	msg_warn("bounce request: bad queue name");
	goto out;
    }
    queue = mystrdup(v);
    if ((v = attr_get(l, MAIL_ATTR_QUEUEID)) == NULL || !mail_queue_id_ok(v)) {
	msg_warn("bounce request: bad queue ID");
	goto out;
    }
    id = mystrdup(v);
    if ((v = attr_get(l, MAIL_ATTR_SENDER)) == NULL || strlen(v) > 2048) {
	msg_warn("%s: bounce request: bad sender", id);
	goto out;
    }
    sender = mystrdup(v);
    if (attr_get_long(l, MAIL_ATTR_NRCPT, &nrcpt) < 0 || nrcpt < 1 || nrcpt > BOUNCE_NRCPT_MAX) {
	msg_warn("%s: bounce request: bad recipient count", id);
	goto out;
    }
    if (attr_get_long(l, MAIL_ATTR_FLAGS, &flags) < 0)
	flags = 0;
    rcpt = mycalloc((size_t) nrcpt, sizeof(*rcpt));
    for (got = 0; got < nrcpt; got++) {
	BOUNCE_RCPT *r = rcpt + got;

	if (attr_recv(client, l, 16, BOUNCE_VALUE_MAX, &why) < 0
	    || (v = attr_get(l, MAIL_ATTR_RECIP)) == NULL || strlen(v) > 2048) {
	    msg_warn("%s: bounce request: bad recipient%s%s", id, why ? ": " : "", why ? why : "");
	    goto out;
	}
	total += strlen(v);
	for (int k = 0; k < l->count; k++)
	    total += strlen(l->values[k]);
	if (total > BOUNCE_REQUEST_MAX) {
	    msg_warn("%s: bounce request too large", id);
	    goto out;
	}
	r->address = mystrdup(v);
	r->orig = mystrdup((v = attr_get(l, MAIL_ATTR_ORCPT)) ? v : "");
	r->dsn = mystrdup((v = attr_get(l, MAIL_ATTR_DSN_STATUS)) && *v ? v : "5.0.0");
	r->reason = mystrdup((v = attr_get(l, MAIL_ATTR_REASON)) ? v : "");
	r->diag = mystrdup((v = attr_get(l, MAIL_ATTR_DIAG)) ? v : "");
	r->mta = mystrdup((v = attr_get(l, MAIL_ATTR_MTA)) ? v : "");
	r->action = mystrdup((v = attr_get(l, MAIL_ATTR_DSN_ACTION)) ? v : "");
	printable(r->orig, '?');
	printable(r->action, '?');
	printable(r->reason, '?');
	printable(r->diag, '?');
	printable(r->mta, '?');
    }

    if (flags & BOUNCE_FLAG_DELAY) {
	/* A delay warning: only to real senders. */
	status = 0;
	if (*sender && !is_double_bounce_sender(sender)) {
	    if (send_report(queue, id, sender, "", sender, 0, BOUNCE_FLAG_DELAY,
			    rcpt, (int) nrcpt, new_id) == 0)
		msg_info("%s: sender delay notification: %s", id, vstr_str(new_id));
	    else
		status = 1;
	}
    } else if (flags & BOUNCE_FLAG_SUCCESS) {
	/* NOTIFY=SUCCESS: only to real senders. */
	status = 0;
	if (*sender && !is_double_bounce_sender(sender)) {
	    if (send_report(queue, id, sender, "", sender, 0, BOUNCE_FLAG_SUCCESS,
			    rcpt, (int) nrcpt, new_id) == 0)
		msg_info("%s: sender delivery status notification: %s", id, vstr_str(new_id));
	    else
		status = 1;
	}
    } else if (*sender == 0) {
	/* A bounce of a bounce. */
	if (!has_word(var_notify_classes, "2bounce")) {
	    status = 0;			/* dropped, as Postfix does */
	} else {
	    vstr_set(to, var_2bounce_notice_rcpt);
	    if (send_report(queue, id, sender, var_double_bounce_sender, vstr_str(to), 1, 0,
			    rcpt, (int) nrcpt, new_id) == 0) {
		msg_info("%s: postmaster non-delivery notification: %s", id, vstr_str(new_id));
		status = 0;
	    }
	}
    } else if (is_double_bounce_sender(sender)) {
	msg_info("%s: undeliverable postmaster notification discarded", id);
	status = 0;
    } else {
	if (send_report(queue, id, sender, "", sender, 0, 0, rcpt, (int) nrcpt, new_id) == 0) {
	    msg_info("%s: sender non-delivery notification: %s", id, vstr_str(new_id));
	    status = 0;
	}
    }
    if (attr_send_long(client, MAIL_ATTR_STATUS, status) < 0 || attr_send_end(client) < 0)
	msg_warn("%s: cannot reply to the queue manager: %s", id, strerror(errno));

out:
    for (int i = 0; rcpt && i < got && i < nrcpt; i++) {
	myfree(rcpt[i].address);
	myfree(rcpt[i].orig);
	myfree(rcpt[i].dsn);
	myfree(rcpt[i].reason);
	myfree(rcpt[i].diag);
	myfree(rcpt[i].mta);
	myfree(rcpt[i].action);
    }
    myfree(rcpt);
    myfree(queue);
    myfree(id);
    myfree(sender);
    attr_list_free(l);
    vstr_free(new_id);
    vstr_free(to);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.service = bounce_service,
    };

    single_server_main(argc, argv, &spec);
}
