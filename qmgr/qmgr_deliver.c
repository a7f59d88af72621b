/* qmgr_deliver.c - destinations and deliveries. Recipients are grouped
 * per (transport, next hop) into jobs of at most the transport's
 * destination recipient limit; each destination runs at most its
 * concurrency limit of jobs at once. A job connects private/<transport>,
 * waits (event loop, bounded) for the agent's proto=deliver, sends the
 * request and waits for the per-recipient replies without blocking the
 * other deliveries. An agent that cannot be reached defers its recipients
 * ("mail transport unavailable") and marks the destination dead until
 * transport_retry_time passes or a flush, so nothing spins. */
#include "util/sys_defs.h"
#include <time.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/htable.h"
#include "util/events.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/deliver_request.h"
#include "qmgr/qmgr.h"

#define JOB_WAIT_PROTO	1
#define JOB_WAIT_REPLY	2

#define QMGR_AGENT_TIMEOUT	(5 * 3600)	/* a request must finish within this */

typedef struct QMGR_DEST QMGR_DEST;

typedef struct QMGR_JOB {
    QMGR_MESSAGE *msg;
    QMGR_DEST *dest;
    int    *idx;			/* recipient indexes into msg */
    int     nidx;
    int     state;
    STREAM *stream;
    DELIVER_REQUEST *req;
    struct QMGR_JOB *next;
} QMGR_JOB;

struct QMGR_DEST {
    char   *transport;
    char   *nexthop;
    char   *rcpt;			/* the recipient, when each is its own destination */
    int     conc_limit;			/* 0: unlimited */
    int     rcpt_limit;
    int     active;
    time_t  dead_until;
    char   *dead_reason;
    QMGR_JOB *head;			/* waiting jobs, FIFO */
    QMGR_JOB *tail;
    int     kick;			/* on the kick list */
    QMGR_DEST *kick_next;
};

static HTABLE *dest_table;		/* "transport\nnexthop" -> QMGR_DEST */
static QMGR_DEST *kick_list;

/* transport_limit - TRANSPORT_destination_NAME_limit, or the default. */
static int transport_limit(const char *transport, const char *what, int def)
{
    VSTR   *name = vstr_alloc(64);
    char   *val;
    long    n = def;

    vstr_sprintf(name, "%s_destination_%s_limit", transport, what);
    if ((val = mail_conf_lookup_eval(vstr_str(name))) != NULL) {
	char   *end;
	long    v = strtol(val, &end, 10);

	if (*val && *end == 0 && v >= 0 && v < 1000000)
	    n = v;
	else
	    msg_warn("bad %s value \"%s\": using %d", vstr_str(name), val, def);
	myfree(val);
    }
    vstr_free(name);
    return (int) n;
}

/* dest_find - the destination (transport, nexthop[, recipient]). */
static QMGR_DEST *dest_find(const char *transport, const char *nexthop, const char *rcpt)
{
    VSTR   *key = vstr_alloc(64);
    QMGR_DEST *d;

    if (dest_table == NULL)
	dest_table = htable_create(64);
    vstr_sprintf(key, "%s\n%s\n%s", transport, nexthop, rcpt ? rcpt : "");
    if ((d = htable_find(dest_table, vstr_str(key))) == NULL) {
	d = mycalloc(1, sizeof(*d));
	d->transport = mystrdup(transport);
	d->nexthop = mystrdup(nexthop);
	d->rcpt = rcpt ? mystrdup(rcpt) : NULL;
	d->conc_limit = transport_limit(transport, "concurrency", var_dest_con_limit);
	d->rcpt_limit = transport_limit(transport, "recipient", var_dest_rcpt_limit);
	if (d->rcpt_limit < 1)
	    d->rcpt_limit = 1000000;
	htable_enter(dest_table, vstr_str(key), d);
    }
    vstr_free(key);
    return d;
}

static void dest_free(QMGR_DEST *d)
{
    VSTR   *key = vstr_alloc(64);

    vstr_sprintf(key, "%s\n%s\n%s", d->transport, d->nexthop, d->rcpt ? d->rcpt : "");
    htable_delete(dest_table, vstr_str(key), NULL);
    vstr_free(key);
    myfree(d->transport);
    myfree(d->nexthop);
    myfree(d->rcpt);
    myfree(d->dead_reason);
    myfree(d);
}

static void dest_want_kick(QMGR_DEST *d)
{
    if (!d->kick) {
	d->kick = 1;
	d->kick_next = kick_list;
	kick_list = d;
    }
}

void    qmgr_deliver_add(QMGR_MESSAGE *m, int idx, const char *transport, const char *nexthop)
{
    QMGR_DEST *d;
    QMGR_JOB *j;

    d = dest_find(transport, nexthop, NULL);
    /* With a recipient limit of 1 the destination is the recipient (as Postfix). */
    if (d->rcpt_limit == 1)
	d = dest_find(transport, nexthop, m->env->rcpt[idx].address);
    j = d->tail;
    if (j == NULL || j->msg != m || j->nidx >= d->rcpt_limit) {
	j = mycalloc(1, sizeof(*j));
	j->msg = m;
	j->dest = d;
	j->idx = mycalloc((size_t) (d->rcpt_limit < m->env->nrcpt ? d->rcpt_limit : m->env->nrcpt),
			  sizeof(int));
	if (d->tail)
	    d->tail->next = j;
	else
	    d->head = j;
	d->tail = j;
	m->jobs++;
    }
    j->idx[j->nidx++] = idx;
    m->rs[idx].state = QR_INFLIGHT;
    dest_want_kick(d);
}

static void job_timeout(int event, void *ctx);

/* job_end - release a job's resources and tell its message. */
static void job_end(QMGR_JOB *j)
{
    QMGR_DEST *d = j->dest;
    QMGR_MESSAGE *m = j->msg;

    (void) event_cancel_timer(job_timeout, j);
    if (j->stream) {
	event_disable_readwrite(stream_fd(j->stream));
	(void) stream_close(j->stream);
    }
    deliver_request_free(j->req);
    myfree(j->idx);
    myfree(j);
    d->active--;
    dest_want_kick(d);
    qmgr_message_job_done(m);
}

/* job_defer_all - defer every recipient of the job that has no outcome yet. */
static void job_defer_all(QMGR_JOB *j, const char *dsn, const char *reason)
{
    for (int k = 0; k < j->nidx; k++) {
	int     i = j->idx[k];

	if (j->msg->rs[i].state != QR_INFLIGHT)
	    continue;
	qmgr_log_status(j->msg, i, DLV_STAT_DEFER, dsn, reason);
	qmgr_rcpt_result(j->msg, i, DLV_STAT_DEFER, dsn, reason, "", "");
    }
}

#define QMGR_RETRY_SERVICE	"retry"
#define QMGR_UNAVAILABLE	"mail transport unavailable"

/* job_unavailable - the job's transport cannot be reached: as Postfix,
 * hand its recipients to the retry service (error(8) deferring them with
 * the reason) when that one works, else defer them here. */
static void job_unavailable(QMGR_JOB *j)
{
    QMGR_DEST *retry;

    if (strcmp(j->dest->transport, QMGR_RETRY_SERVICE) != 0) {
	retry = dest_find(QMGR_RETRY_SERVICE, "4.3.0 " QMGR_UNAVAILABLE, NULL);
	if (retry->dead_until <= time(NULL)) {
	    for (int k = 0; k < j->nidx; k++)
		if (j->msg->rs[j->idx[k]].state == QR_INFLIGHT)
		    qmgr_deliver_add(j->msg, j->idx[k], QMGR_RETRY_SERVICE,
				     "4.3.0 " QMGR_UNAVAILABLE);
	    return;
	}
    }
    job_defer_all(j, "4.3.0", QMGR_UNAVAILABLE);
}

static void dest_mark_dead(QMGR_DEST *d, const char *reason)
{
    d->dead_until = time(NULL) + var_transport_retry_time;
    myfree(d->dead_reason);
    d->dead_reason = mystrdup(reason);
}

static void job_timeout(int event, void *ctx);

/* job_build_request - the request for the job's recipients. */
static DELIVER_REQUEST *job_build_request(QMGR_JOB *j)
{
    QMGR_MESSAGE *m = j->msg;
    DELIVER_REQUEST *req = mycalloc(1, sizeof(*req));
    const char *v;
    char   *end;

    req->queue_name = mystrdup(MAIL_QUEUE_ACTIVE);
    req->queue_id = mystrdup(m->id);
    req->content_offset = m->env->content_offset;
    req->message_size = m->env->message_size;
    req->nexthop = mystrdup(j->dest->nexthop);
    req->sender = mystrdup(m->env->sender);
    req->encoding = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_ENCODING));
    req->arrival_time = m->arrival;
    req->active_time = m->active_time;
    req->handoff_time = now_double();
    req->dsn_envid = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_DSN_ENVID));
    v = qfile_env_attr(m->env, MAIL_ATTR_DSN_RET);
    req->dsn_ret = (int) strtol(v, &end, 10);
    if (*end || req->dsn_ret < 0 || req->dsn_ret > 255)
	req->dsn_ret = 0;
    req->client_name = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_CLIENT_NAME));
    req->client_address = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_CLIENT_ADDR));
    req->helo_name = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_HELO));
    req->protocol_name = mystrdup(qfile_env_attr(m->env, MAIL_ATTR_PROTO_NAME));
    req->transport = mystrdup(j->dest->transport);
    /* Jobs still waiting for this destination: worth keeping a session. */
    if (j->dest->head != NULL)
	req->flags |= DEL_REQ_FLAG_CONN_STORE;
    req->nrcpt = j->nidx;
    req->rcpt = mycalloc((size_t) j->nidx, sizeof(DELIVER_RCPT));
    for (int k = 0; k < j->nidx; k++) {
	QFILE_RCPT *fr = m->env->rcpt + j->idx[k];
	DELIVER_RCPT *r = req->rcpt + k;

	r->offset = fr->offset;
	r->address = mystrdup(fr->address);
	r->orig_rcpt = mystrdup(fr->orig_rcpt ? fr->orig_rcpt : "");
	r->dsn_notify = fr->dsn_notify;
	r->status = DLV_STAT_DEFER;
    }
    return req;
}

/* job_event - the agent spoke: first its announcement, then the replies. */
static void job_event(int event, void *ctx)
{
    QMGR_JOB *j = ctx;

    (void) event;
    (void) event_cancel_timer(job_timeout, j);
    if (j->state == JOB_WAIT_PROTO) {
	if (mail_expect_proto(j->stream, MAIL_PROTO_DELIVER) < 0) {
	    dest_mark_dead(j->dest, QMGR_UNAVAILABLE);
	    job_unavailable(j);
	    job_end(j);
	    return;
	}
	j->req = job_build_request(j);
	if (deliver_request_send(j->stream, j->req) < 0) {
	    msg_warn("%s: cannot send delivery request to %s: %s", j->msg->id,
		     j->dest->transport, strerror(errno));
	    job_unavailable(j);
	    job_end(j);
	    return;
	}
	j->state = JOB_WAIT_REPLY;
	stream_set_timeout(j->stream, var_qmgr_ipc_timeout);
	event_request_timer(job_timeout, j, QMGR_AGENT_TIMEOUT * 1000L);
	return;
    }
    if (deliver_request_get_reply(j->stream, j->req) < 0) {
	msg_warn("%s: delivery agent %s: no valid reply", j->msg->id, j->dest->transport);
	job_defer_all(j, "4.3.0", "unknown mail transport error");
	job_end(j);
	return;
    }
    for (int k = 0; k < j->nidx; k++) {
	DELIVER_RCPT *r = j->req->rcpt + k;

	if (r->status == DLV_STAT_SENT)
	    qmgr_rcpt_success_info(j->msg, j->idx[k], r->relay[0] ? r->relay
				   : j->dest->transport, r->action, r->dsn_notify);
	qmgr_rcpt_result(j->msg, j->idx[k], r->status, r->dsn, vstr_str(r->reason),
			 vstr_str(r->diag), vstr_str(r->mta));
    }
    job_end(j);
}

static void job_timeout(int event, void *ctx)
{
    QMGR_JOB *j = ctx;

    (void) event;
    if (j->state == JOB_WAIT_PROTO) {
	msg_warn("%s: delivery agent %s did not answer within %ds", j->msg->id,
		 j->dest->transport, var_qmgr_ipc_timeout);
	dest_mark_dead(j->dest, QMGR_UNAVAILABLE);
	job_unavailable(j);
    } else {
	msg_warn("%s: delivery agent %s: request timed out", j->msg->id,
		 j->dest->transport);
	job_defer_all(j, "4.3.0", "unknown mail transport error");
    }
    job_end(j);
}

/* job_start - connect to the agent; replies arrive through job_event. */
static void job_start(QMGR_JOB *j)
{
    QMGR_DEST *d = j->dest;

    d->active++;
    if (d->dead_until > time(NULL)) {
	job_unavailable(j);
	job_end(j);
	return;
    }
    if ((j->stream = mail_connect(MAIL_CLASS_PRIVATE, d->transport, var_qmgr_ipc_timeout)) == NULL) {
	msg_warn("connect to transport %s/%s: %s", MAIL_CLASS_PRIVATE,
		 d->transport, strerror(errno));
	dest_mark_dead(d, QMGR_UNAVAILABLE);
	job_unavailable(j);
	job_end(j);
	return;
    }
    j->state = JOB_WAIT_PROTO;
    event_enable_read(stream_fd(j->stream), job_event, j);
    event_request_timer(job_timeout, j, var_qmgr_ipc_timeout * 1000L);
}

void    qmgr_deliver_kick(void)
{
    /* job_end may put destinations back on the list while we work. */
    while (kick_list) {
	QMGR_DEST *d = kick_list;

	kick_list = d->kick_next;
	d->kick = 0;
	while (d->head && (d->conc_limit <= 0 || d->active < d->conc_limit)) {
	    QMGR_JOB *j = d->head;

	    d->head = j->next;
	    if (d->head == NULL)
		d->tail = NULL;
	    j->next = NULL;
	    job_start(j);
	}
	/* Forget idle destinations (one per recipient with a limit of 1). */
	if (d->active == 0 && d->head == NULL && !d->kick && d->dead_until <= time(NULL))
	    dest_free(d);
    }
}

void    qmgr_deliver_flush_dead(void)
{
    HTABLE_INFO **list;

    if (dest_table == NULL)
	return;
    list = htable_list(dest_table);
    for (HTABLE_INFO **ht = list; *ht; ht++) {
	QMGR_DEST *d = (*ht)->value;

	d->dead_until = 0;
    }
    myfree(list);
}
