/* qmgr_bounce.c - client of the bounce service (private/bounce).
 * Protocol: bounce announces {proto=bounce}; the client sends one list
 * {queue_name, queue_id, sender, flags (1 = delay warning, 2 = success
 * report), nrcpt}, then nrcpt lists {recipient, original_recipient, offset,
 * dsn_status, reason, diag_text, mta_name[, dsn_action]};
 * the report's RET and ENVID come from the queue file's A records;
 * bounce answers {status=0} once cleanup queued the report durably (or it
 * decided to drop it, e.g. a bounce of a double bounce), else {status=1}. */
#include "util/sys_defs.h"
#include "util/msg.h"
#include <time.h>
#include "util/attr.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "qmgr/qmgr.h"

#define BOUNCE_TIMEOUT	100		/* seconds for the whole exchange */

int     qmgr_bounce_send(const char *queue, const char *id, const char *sender,
			         int flags, const QMGR_BOUNCE_RCPT *rcpt, int nrcpt)
{
    STREAM *s;
    ATTR_LIST *l;
    long    status = -1;
    const char *why = NULL;

    if ((s = mail_connect(MAIL_CLASS_PRIVATE, var_bounce_service, BOUNCE_TIMEOUT)) == NULL) {
	msg_warn("%s: connect to %s/%s: %s", id, MAIL_CLASS_PRIVATE,
		 var_bounce_service, strerror(errno));
	return -1;
    }
    stream_set_deadline(s, time(NULL) + BOUNCE_TIMEOUT);
    if (mail_expect_proto(s, MAIL_PROTO_BOUNCE) < 0)
	goto out;
    if (attr_send_str(s, MAIL_ATTR_QUEUE, queue) < 0
	|| attr_send_str(s, MAIL_ATTR_QUEUEID, id) < 0
	|| attr_send_str(s, MAIL_ATTR_SENDER, sender) < 0
	|| attr_send_long(s, MAIL_ATTR_FLAGS, flags) < 0
	|| attr_send_long(s, MAIL_ATTR_NRCPT, nrcpt) < 0
	|| attr_send_end(s) < 0)
	goto out;
    for (int i = 0; i < nrcpt; i++) {
	if (attr_send_str(s, MAIL_ATTR_RECIP, rcpt[i].address) < 0
	    || attr_send_str(s, MAIL_ATTR_ORCPT, rcpt[i].orig_rcpt ? rcpt[i].orig_rcpt : "") < 0
	    || attr_send_long(s, MAIL_ATTR_OFFSET, rcpt[i].offset) < 0
	    || attr_send_str(s, MAIL_ATTR_DSN_STATUS, rcpt[i].dsn) < 0
	    || attr_send_str(s, MAIL_ATTR_REASON, rcpt[i].reason) < 0
	    || attr_send_str(s, MAIL_ATTR_DIAG, rcpt[i].diag) < 0
	    || attr_send_str(s, MAIL_ATTR_MTA, rcpt[i].mta) < 0
	    || ((flags & QMGR_BOUNCE_FLAG_SUCCESS) && rcpt[i].action
		&& attr_send_str(s, MAIL_ATTR_DSN_ACTION, rcpt[i].action) < 0)
	    || attr_send_end(s) < 0)
	    goto out;
    }
    l = attr_list_alloc();
    if (attr_recv(s, l, 8, 1024, &why) < 0 || attr_get_long(l, MAIL_ATTR_STATUS, &status) < 0)
	status = -1;
    attr_list_free(l);
out:
    if (status != 0)
	msg_warn("%s: bounce service failure%s%s", id, why ? ": " : "", why ? why : "");
    (void) stream_close(s);
    return status == 0 ? 0 : -1;
}
