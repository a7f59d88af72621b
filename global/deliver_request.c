/* deliver_request.c - both ends of the qmgr <-> delivery agent protocol
 * (see deliver_request.h), and the agents' Postfix-style to=... log line.
 * Every value read from the peer is bounded and checked before use. */
#include "util/sys_defs.h"
#include <sys/time.h>
#include "util/attr.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_addr.h"
#include "global/deliver_request.h"

#define DR_HDR_COUNT_MAX	64	/* attributes in the header list */
#define DR_RCPT_COUNT_MAX	16	/* attributes in one recipient list */
#define DR_VALUE_MAX		(16 * 1024)	/* addresses, names, reasons */
#define DR_ADDR_MAX		2048	/* one address */
#define DR_NRCPT_HARD_MAX	100000	/* sanity limit when rcpt_limit <= 0 */

double  now_double(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

/* dup_attr - copy a string attribute, or def when absent. */
static char *dup_attr(const ATTR_LIST *l, const char *name, const char *def)
{
    const char *v = attr_get(l, name);

    return mystrdup(v ? v : def);
}

/* get_time - parse a "sec.usec" attribute; 0 when absent or junk. */
static double get_time(const ATTR_LIST *l, const char *name)
{
    const char *v = attr_get(l, name);
    char   *end;
    double  d;

    if (v == NULL || *v == 0)
	return 0;
    errno = 0;
    d = strtod(v, &end);
    if (*end != 0 || errno != 0 || !(d >= 0) || d > 1e11)
	return 0;
    return d;
}

static void rcpt_init(DELIVER_RCPT *r)
{
    memset(r, 0, sizeof(*r));
    r->status = DLV_STAT_DEFER;
    r->reason = vstr_alloc(64);
    r->diag = vstr_alloc(16);
    r->mta = vstr_alloc(16);
}

static DELIVER_REQUEST *request_alloc(void)
{
    DELIVER_REQUEST *req = mycalloc(1, sizeof(*req));

    return req;
}

void    deliver_request_free(DELIVER_REQUEST *req)
{
    if (req == NULL)
	return;
    myfree(req->queue_name);
    myfree(req->queue_id);
    myfree(req->nexthop);
    myfree(req->sender);
    myfree(req->encoding);
    myfree(req->dsn_envid);
    myfree(req->client_name);
    myfree(req->client_address);
    myfree(req->helo_name);
    myfree(req->protocol_name);
    myfree(req->transport);
    for (int i = 0; i < req->nrcpt && req->rcpt; i++) {
	DELIVER_RCPT *r = req->rcpt + i;

	myfree(r->address);
	myfree(r->orig_rcpt);
	vstr_free(r->reason);
	vstr_free(r->diag);
	vstr_free(r->mta);
    }
    myfree(req->rcpt);
    myfree(req);
}

/* addr_ok - bounded, no control characters. */
static int addr_ok(const char *a)
{
    size_t  n = strlen(a);

    if (n > DR_ADDR_MAX)
	return 0;
    for (const unsigned char *cp = (const unsigned char *) a; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f)
	    return 0;
    return 1;
}

DELIVER_REQUEST *deliver_request_read(STREAM *qmgr, const char *transport, int rcpt_limit)
{
    ATTR_LIST *l = attr_list_alloc();
    DELIVER_REQUEST *req = NULL;
    const char *why = NULL;
    const char *v;
    long    n;
    long    nrcpt;
    int     max_rcpt = rcpt_limit > 0 ? rcpt_limit : DR_NRCPT_HARD_MAX;

    if (mail_announce_proto(qmgr, MAIL_PROTO_DELIVER) < 0) {
	msg_warn("deliver request: cannot announce protocol: %s", strerror(errno));
	goto bad;
    }
    if (attr_recv(qmgr, l, DR_HDR_COUNT_MAX, DR_VALUE_MAX, &why) < 0) {
	if (!stream_eof(qmgr) || why)
	    msg_warn("deliver request: read error: %s", why ? why : "unexpected EOF");
	goto bad;
    }
    req = request_alloc();
    req->transport = mystrdup(transport ? transport : "");
    if ((v = attr_get(l, MAIL_ATTR_QUEUE)) == NULL || !mail_queue_name_ok(v)) {
	msg_warn("deliver request: bad or missing queue name");
	goto bad;
    }
    req->queue_name = mystrdup(v);
    if ((v = attr_get(l, MAIL_ATTR_QUEUEID)) == NULL || !mail_queue_id_ok(v)) {
	msg_warn("deliver request: bad or missing queue ID");
	goto bad;
    }
    req->queue_id = mystrdup(v);
    if (attr_get_long(l, MAIL_ATTR_CONTENT_OFF, &req->content_offset) < 0
	|| req->content_offset < 0) {
	msg_warn("%s: deliver request: bad content offset", req->queue_id);
	goto bad;
    }
    if (attr_get_long(l, MAIL_ATTR_SIZE, &req->message_size) < 0 || req->message_size < 0)
	req->message_size = 0;
    req->nexthop = dup_attr(l, MAIL_ATTR_NEXTHOP, "");
    req->sender = dup_attr(l, MAIL_ATTR_SENDER, "");
    if (!addr_ok(req->sender)) {
	msg_warn("%s: deliver request: bad sender", req->queue_id);
	goto bad;
    }
    req->encoding = dup_attr(l, MAIL_ATTR_ENCODING, "");
    req->arrival_time = get_time(l, MAIL_ATTR_ARRIVAL);
    req->active_time = get_time(l, MAIL_ATTR_ACTIVE);
    req->handoff_time = get_time(l, MAIL_ATTR_HANDOFF);
    req->dsn_envid = dup_attr(l, MAIL_ATTR_DSN_ENVID, "");
    if (attr_get_long(l, MAIL_ATTR_DSN_RET, &n) < 0 || n < 0 || n > 255)
	n = 0;
    req->dsn_ret = (int) n;
    if (attr_get_long(l, MAIL_ATTR_FLAGS, &n) < 0 || n < 0 || n > 0xffff)
	n = 0;
    req->flags = (int) n;
    req->client_name = dup_attr(l, MAIL_ATTR_CLIENT_NAME, "");
    req->client_address = dup_attr(l, MAIL_ATTR_CLIENT_ADDR, "");
    req->helo_name = dup_attr(l, MAIL_ATTR_HELO, "");
    req->protocol_name = dup_attr(l, MAIL_ATTR_PROTO_NAME, "");
    if (attr_get_long(l, MAIL_ATTR_NRCPT, &n) < 0 || n < 1 || n > max_rcpt) {
	msg_warn("%s: deliver request: bad recipient count", req->queue_id);
	goto bad;
    }
    nrcpt = n;
    req->rcpt = mycalloc((size_t) nrcpt, sizeof(DELIVER_RCPT));
    for (int i = 0; i < nrcpt; i++) {
	DELIVER_RCPT *r = req->rcpt + i;

	rcpt_init(r);
	req->nrcpt = i + 1;
	if (attr_recv(qmgr, l, DR_RCPT_COUNT_MAX, DR_VALUE_MAX, &why) < 0) {
	    msg_warn("%s: deliver request: recipient read error: %s",
		     req->queue_id, why ? why : "unexpected EOF");
	    goto bad;
	}
	if (attr_get_long(l, MAIL_ATTR_OFFSET, &r->offset) < 0 || r->offset < 0
	    || (v = attr_get(l, MAIL_ATTR_RECIP)) == NULL || !addr_ok(v)) {
	    msg_warn("%s: deliver request: bad recipient", req->queue_id);
	    goto bad;
	}
	r->address = mystrdup(v);
	r->orig_rcpt = dup_attr(l, MAIL_ATTR_ORCPT, "");
	if (!addr_ok(r->orig_rcpt)) {
	    msg_warn("%s: deliver request: bad original recipient", req->queue_id);
	    goto bad;
	}
	if (attr_get_long(l, MAIL_ATTR_DSN_NOTIFY, &n) < 0 || n < 0 || n > 255)
	    n = 0;
	r->dsn_notify = (int) n;
	/* Default outcome if the agent forgets: defer. */
	vstr_set(r->reason, "delivery status unknown");
	snprintf(r->dsn, sizeof(r->dsn), "4.3.0");
    }
    attr_list_free(l);
    return req;

bad:
    attr_list_free(l);
    deliver_request_free(req);
    return NULL;
}

/* list_end - buffer the end-of-list marker without flushing (one flush
 * per request or reply instead of one per list). */
static int list_end(STREAM *s)
{
    return stream_write(s, "", 1);
}

/* send_time - a time attribute as "sec.usec". */
static int send_time(STREAM *s, const char *name, double t)
{
    char    buf[64];

    snprintf(buf, sizeof(buf), "%.6f", t > 0 ? t : 0.0);
    return attr_send_str(s, name, buf);
}

/* clean_value - a value safe to send: no control characters except tab. */
static const char *clean_value(VSTR *buf, const char *v)
{
    size_t  n = strlen(v);

    if (n > DR_VALUE_MAX - 1)
	n = DR_VALUE_MAX - 1;
    vstr_setn(buf, v, n);
    for (char *cp = buf->str; *cp; cp++)
	if ((unsigned char) *cp < 0x20 && *cp != '\t')
	    *cp = ' ';
    return buf->str;
}

int     deliver_request_reply(STREAM *qmgr, DELIVER_REQUEST *req)
{
    VSTR   *buf = vstr_alloc(256);
    int     ret = 0;

    for (int i = 0; i < req->nrcpt; i++) {
	DELIVER_RCPT *r = req->rcpt + i;

	if (attr_send_long(qmgr, MAIL_ATTR_OFFSET, r->offset) < 0
	    || attr_send_long(qmgr, MAIL_ATTR_STATUS, r->status) < 0
	    || attr_send_str(qmgr, MAIL_ATTR_DSN_STATUS, clean_value(buf, r->dsn)) < 0
	    || attr_send_str(qmgr, MAIL_ATTR_REASON, clean_value(buf, vstr_str(r->reason))) < 0
	    || attr_send_str(qmgr, MAIL_ATTR_DIAG, clean_value(buf, vstr_str(r->diag))) < 0
	    || attr_send_str(qmgr, MAIL_ATTR_MTA, clean_value(buf, vstr_str(r->mta))) < 0
	    || attr_send_long(qmgr, MAIL_ATTR_DSN_NOTIFY, r->dsn_notify) < 0
	    || (r->action[0] && attr_send_str(qmgr, MAIL_ATTR_DSN_ACTION,
					      clean_value(buf, r->action)) < 0)
	    || (r->relay[0] && attr_send_str(qmgr, MAIL_ATTR_RELAY,
					     clean_value(buf, r->relay)) < 0)
	    || list_end(qmgr) < 0) {
	    ret = -1;
	    break;
	}
    }
    if (ret == 0 && stream_flush(qmgr) < 0)
	ret = -1;
    vstr_free(buf);
    if (ret < 0)
	msg_warn("%s: cannot send delivery status to queue manager: %s",
		 req->queue_id ? req->queue_id : "?", strerror(errno));
    return ret;
}

void    deliver_rcpt_status(DELIVER_RCPT *r, int status, const char *dsn,
			            const char *diag, const char *mta,
			            const char *fmt,...)
{
    va_list ap;

    r->status = status;
    if (dsn == NULL || *dsn == 0)
	dsn = status == DLV_STAT_SENT ? "2.0.0" : status == DLV_STAT_BOUNCE ? "5.0.0" : "4.0.0";
    snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
    vstr_set(r->diag, diag ? diag : "");
    vstr_set(r->mta, mta ? mta : "");
    vstr_reset(r->reason);
    va_start(ap, fmt);
    vstr_vsprintf_append(r->reason, fmt, ap);
    va_end(ap);
}

/* format_delay - Postfix's delay style: whole seconds from 100 s up,
 * otherwise two significant digits, never finer than 10 ms, trailing
 * zeros dropped ("0", "0.01", "0.41", "1.2", "12", "345"). */
void    deliver_format_delay(VSTR *buf, double d)
{
    long    cs;				/* hundredths, rounded */
    long    sec;
    int     frac;

    if (!(d > 0))
	d = 0;
    if (d > 1e9)
	d = 1e9;
    cs = (long) (d * 100 + 0.5);
    sec = cs / 100;
    frac = (int) (cs % 100);
    if (sec >= 100) {
	vstr_sprintf_append(buf, "%ld", (long) (d + 0.5));
    } else if (sec >= 10) {
	vstr_sprintf_append(buf, "%ld", sec);
    } else if (sec >= 1) {
	frac /= 10;			/* one fraction digit */
	if (frac)
	    vstr_sprintf_append(buf, "%ld.%d", sec, frac);
	else
	    vstr_sprintf_append(buf, "%ld", sec);
    } else if (frac == 0) {
	vstr_adds(buf, "0");
    } else if (frac % 10 == 0) {
	vstr_sprintf_append(buf, "0.%d", frac / 10);
    } else {
	vstr_sprintf_append(buf, "0.%02d", frac);
    }
}

static double delta(double later, double earlier)
{
    if (later <= 0 || earlier <= 0 || later < earlier)
	return 0;
    return later - earlier;
}

static const char *status_name(int status)
{
    switch (status) {
    case DLV_STAT_SENT:
	return "sent";
    case DLV_STAT_BOUNCE:
	return "bounced";
    default:
	return "deferred";
    }
}

void    deliver_log(const DELIVER_REQUEST *req, const DELIVER_RCPT *r,
		            const char *relay, double conn_time, double xfer_start)
{
    VSTR   *buf = vstr_alloc(256);
    VSTR   *q = vstr_alloc(64);
    double  now = now_double();
    double  arrival = req->arrival_time > 0 ? req->arrival_time : now;
    double  pdelay, adelay, sdelay, xdelay;

    vstr_sprintf(buf, "%s: to=<%s>", req->queue_id, addr_quote(q, r->address));
    /* An original recipient the client gave as DSN ORCPT is stored typed
     * ("rfc822;addr"); the log shows only its address, as the original. */
    const char *orig = r->orig_rcpt ? r->orig_rcpt : "";

    if (strncasecmp(orig, "rfc822;", 7) == 0)
	orig += 7;
    if (*orig && strcasecmp(orig, r->address) != 0)
	vstr_sprintf_append(buf, ", orig_to=<%s>", addr_quote(q, orig));
    vstr_sprintf_append(buf, ", relay=%s", relay && *relay ? relay : "none");

    /* delays=a/b/c/d: before qmgr, in qmgr, connection setup, transmission. */
    if (req->active_time > 0) {
	pdelay = delta(req->active_time, arrival);
	if (req->handoff_time > 0) {
	    adelay = delta(req->handoff_time, req->active_time);
	    if (xfer_start > 0) {
		sdelay = delta(xfer_start, req->handoff_time);
		xdelay = delta(now, xfer_start);
	    } else if (conn_time > 0) {
		sdelay = delta(now, req->handoff_time);
		xdelay = 0;
	    } else {
		sdelay = 0;
		xdelay = delta(now, req->handoff_time);
	    }
	} else {
	    adelay = sdelay = 0;
	    xdelay = delta(now, req->active_time);
	}
    } else {
	pdelay = adelay = sdelay = 0;
	xdelay = delta(now, arrival);
    }
    vstr_adds(buf, ", delay=");
    deliver_format_delay(buf, delta(now, arrival));
    vstr_adds(buf, ", delays=");
    deliver_format_delay(buf, pdelay);
    vstr_adds(buf, "/");
    deliver_format_delay(buf, adelay);
    vstr_adds(buf, "/");
    deliver_format_delay(buf, sdelay);
    vstr_adds(buf, "/");
    deliver_format_delay(buf, xdelay);
    vstr_sprintf_append(buf, ", dsn=%s, status=%s (%s)", r->dsn,
			status_name(r->status), vstr_str(r->reason));
    msg_info("%s", vstr_str(buf));
    vstr_free(q);
    vstr_free(buf);
}

int     deliver_request_send(STREAM *agent, const DELIVER_REQUEST *req)
{
    VSTR   *buf = vstr_alloc(256);
    int     ret = -1;

    if (!mail_queue_name_ok(req->queue_name) || !mail_queue_id_ok(req->queue_id)) {
	msg_warn("deliver_request_send: bad queue name or ID");
	goto out;
    }
    if (attr_send_str(agent, MAIL_ATTR_QUEUE, req->queue_name) < 0
	|| attr_send_str(agent, MAIL_ATTR_QUEUEID, req->queue_id) < 0
	|| attr_send_long(agent, MAIL_ATTR_CONTENT_OFF, req->content_offset) < 0
	|| attr_send_long(agent, MAIL_ATTR_SIZE, req->message_size) < 0
	|| attr_send_str(agent, MAIL_ATTR_NEXTHOP, clean_value(buf, req->nexthop ? req->nexthop : "")) < 0
	|| attr_send_str(agent, MAIL_ATTR_SENDER, clean_value(buf, req->sender ? req->sender : "")) < 0
	|| attr_send_str(agent, MAIL_ATTR_ENCODING, clean_value(buf, req->encoding ? req->encoding : "")) < 0
	|| send_time(agent, MAIL_ATTR_ARRIVAL, req->arrival_time) < 0
	|| send_time(agent, MAIL_ATTR_ACTIVE, req->active_time) < 0
	|| send_time(agent, MAIL_ATTR_HANDOFF, req->handoff_time) < 0
	|| attr_send_str(agent, MAIL_ATTR_DSN_ENVID, clean_value(buf, req->dsn_envid ? req->dsn_envid : "")) < 0
	|| attr_send_long(agent, MAIL_ATTR_DSN_RET, req->dsn_ret) < 0
	|| attr_send_str(agent, MAIL_ATTR_CLIENT_NAME, clean_value(buf, req->client_name ? req->client_name : "")) < 0
	|| attr_send_str(agent, MAIL_ATTR_CLIENT_ADDR, clean_value(buf, req->client_address ? req->client_address : "")) < 0
	|| attr_send_str(agent, MAIL_ATTR_HELO, clean_value(buf, req->helo_name ? req->helo_name : "")) < 0
	|| attr_send_str(agent, MAIL_ATTR_PROTO_NAME, clean_value(buf, req->protocol_name ? req->protocol_name : "")) < 0
	|| attr_send_long(agent, MAIL_ATTR_FLAGS, req->flags) < 0
	|| attr_send_long(agent, MAIL_ATTR_NRCPT, req->nrcpt) < 0
	|| list_end(agent) < 0)
	goto out;
    for (int i = 0; i < req->nrcpt; i++) {
	const DELIVER_RCPT *r = req->rcpt + i;

	if (attr_send_long(agent, MAIL_ATTR_OFFSET, r->offset) < 0
	    || attr_send_str(agent, MAIL_ATTR_RECIP, clean_value(buf, r->address)) < 0
	    || attr_send_str(agent, MAIL_ATTR_ORCPT, clean_value(buf, r->orig_rcpt ? r->orig_rcpt : "")) < 0
	    || attr_send_long(agent, MAIL_ATTR_DSN_NOTIFY, r->dsn_notify) < 0
	    || list_end(agent) < 0)
	    goto out;
    }
    if (stream_flush(agent) < 0)
	goto out;
    ret = 0;
out:
    vstr_free(buf);
    return ret;
}

int     deliver_request_get_reply(STREAM *agent, DELIVER_REQUEST *req)
{
    ATTR_LIST *l = attr_list_alloc();
    const char *why = NULL;
    const char *v;
    long    n;
    int     ret = -1;

    for (int i = 0; i < req->nrcpt; i++) {
	DELIVER_RCPT *r = req->rcpt + i;

	if (attr_recv(agent, l, DR_RCPT_COUNT_MAX, DR_VALUE_MAX, &why) < 0) {
	    msg_warn("%s: delivery agent reply: %s", req->queue_id,
		     why ? why : "unexpected EOF");
	    goto out;
	}
	if (attr_get_long(l, MAIL_ATTR_OFFSET, &n) < 0 || n != r->offset) {
	    msg_warn("%s: delivery agent reply: recipient offset mismatch", req->queue_id);
	    goto out;
	}
	if (attr_get_long(l, MAIL_ATTR_STATUS, &n) < 0
	    || (n != DLV_STAT_SENT && n != DLV_STAT_DEFER && n != DLV_STAT_BOUNCE)) {
	    msg_warn("%s: delivery agent reply: bad status", req->queue_id);
	    goto out;
	}
	r->status = (int) n;
	v = attr_get(l, MAIL_ATTR_DSN_STATUS);
	snprintf(r->dsn, sizeof(r->dsn), "%s", v && *v ? v :
		 n == DLV_STAT_SENT ? "2.0.0" : n == DLV_STAT_BOUNCE ? "5.0.0" : "4.0.0");
	if (r->reason == NULL) {
	    r->reason = vstr_alloc(64);
	    r->diag = vstr_alloc(16);
	    r->mta = vstr_alloc(16);
	}
	vstr_set(r->reason, (v = attr_get(l, MAIL_ATTR_REASON)) ? v : "");
	vstr_set(r->diag, (v = attr_get(l, MAIL_ATTR_DIAG)) ? v : "");
	vstr_set(r->mta, (v = attr_get(l, MAIL_ATTR_MTA)) ? v : "");
	if (attr_get_long(l, MAIL_ATTR_DSN_NOTIFY, &n) == 0 && n >= 0 && n <= 0xff)
	    r->dsn_notify = (int) n;
	snprintf(r->action, sizeof(r->action), "%s",
		 (v = attr_get(l, MAIL_ATTR_DSN_ACTION)) ? v : "");
	snprintf(r->relay, sizeof(r->relay), "%s",
		 (v = attr_get(l, MAIL_ATTR_RELAY)) ? v : "");
    }
    ret = 0;
out:
    attr_list_free(l);
    return ret;
}
