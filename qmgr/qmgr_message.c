/* qmgr_message.c - one message in the active queue: move it to active/,
 * read its envelope, route each recipient still to deliver, collect the
 * per-recipient outcomes, and when the last delivery ends: report bounces,
 * mark recipients done durably, then remove the file, bounce it when it
 * expired, or put it in deferred/ with its next retry time as mtime. */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/htable.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_addr.h"
#include "global/resolve.h"
#include "global/qfile.h"
#include "global/defer_log.h"
#include "global/deliver_request.h"
#include "qmgr/qmgr.h"

static HTABLE *active_table;		/* id -> QMGR_MESSAGE */

int     qmgr_message_active(const char *id)
{
    return active_table && htable_find(active_table, id) != NULL;
}

/* list_has - non-zero if word is in the Postfix list value. */
static int list_has(const char *list, const char *word)
{
    ARGV   *a;
    int     found = 0;

    if (list == NULL || *list == 0)
	return 0;
    a = argv_split_list(list);
    for (int i = 0; i < a->argc && !found; i++)
	found = strcasecmp(a->argv[i], word) == 0;
    argv_free(a);
    return found;
}

/* Recipients are handled sorted by domain, then address (as Postfix's
 * qmgr does), which also fixes their order in logs and bounces. */
static const QFILE_ENV *sort_env;

static int rcpt_cmp(const void *a, const void *b)
{
    const char *ra = sort_env->rcpt[*(const int *) a].address;
    const char *rb = sort_env->rcpt[*(const int *) b].address;
    const char *da = strrchr(ra, '@');
    const char *db = strrchr(rb, '@');
    int     r = strcasecmp(da ? da : "", db ? db : "");

    return r ? r : strcmp(ra, rb);
}

static void message_free(QMGR_MESSAGE *m)
{
    if (m->fd >= 0 && close(m->fd) < 0)
	msg_warn("%s: close: %s", m->id, strerror(errno));
    if (m->rs) {
	for (int i = 0; m->env && i < m->env->nrcpt; i++) {
	    myfree(m->rs[i].reason);
	    myfree(m->rs[i].diag);
	    myfree(m->rs[i].mta);
	    myfree(m->rs[i].relay);
	}
	myfree(m->rs);
    }
    myfree(m->order);
    qfile_env_free(m->env);
    if (active_table)
	htable_delete(active_table, m->id, NULL);
    myfree(m->id);
    myfree(m);
    qmgr_active_count--;
}

/* msg_open - the queue file is kept closed between updates (thousands of
 * messages may be active); open it for marking recipients done. */
static int msg_open(QMGR_MESSAGE *m)
{
    VSTR   *path;

    if (m->fd >= 0)
	return m->fd;
    path = vstr_alloc(64);
    m->fd = open(mail_queue_path(path, MAIL_QUEUE_ACTIVE, m->id), O_RDWR | O_CLOEXEC);
    if (m->fd < 0)
	msg_warn("%s: open %s: %s", m->id, vstr_str(path), strerror(errno));
    vstr_free(path);
    return m->fd;
}

/* mark_done - overwrite recipient idx's R with D (synced later). */
static int mark_done(QMGR_MESSAGE *m, int idx)
{
    if (msg_open(m) < 0 || qfile_mark_done(m->fd, m->env->rcpt[idx].offset) < 0) {
	msg_warn("%s: cannot mark recipient %s done: %s", m->id,
		 m->env->rcpt[idx].address, strerror(errno));
	return -1;
    }
    m->unsynced++;
    return 0;
}

/* sync_file - make the D marks durable, then close the file. */
static int sync_file(QMGR_MESSAGE *m)
{
    int     ret = 0;

    if (m->unsynced > 0 && m->fd >= 0) {
	if (fsync(m->fd) < 0) {
	    msg_warn("%s: fsync queue file: %s", m->id, strerror(errno));
	    ret = -1;
	} else
	    m->unsynced = 0;
    }
    if (m->fd >= 0) {
	if (close(m->fd) < 0) {
	    msg_warn("%s: close queue file: %s", m->id, strerror(errno));
	    ret = -1;
	}
	m->fd = -1;
    }
    return ret;
}

void    qmgr_log_status(QMGR_MESSAGE *m, int idx, int status, const char *dsn,
			        const char *reason)
{
    DELIVER_REQUEST req;
    DELIVER_RCPT r;

    memset(&req, 0, sizeof(req));
    memset(&r, 0, sizeof(r));
    req.queue_id = m->id;
    req.arrival_time = m->arrival;
    req.active_time = m->active_time;
    r.address = m->env->rcpt[idx].address;
    r.orig_rcpt = m->env->rcpt[idx].orig_rcpt;
    r.status = status;
    snprintf(r.dsn, sizeof(r.dsn), "%s", dsn);
    r.reason = vstr_alloc(64);
    vstr_set(r.reason, reason);
    deliver_log(&req, &r, "none", 0, 0);
    vstr_free(r.reason);
}

void    qmgr_rcpt_result(QMGR_MESSAGE *m, int idx, int status, const char *dsn,
			         const char *reason, const char *diag, const char *mta)
{
    QMGR_RCPT *rs = m->rs + idx;
    QFILE_RCPT *fr = m->env->rcpt + idx;

    myfree(rs->reason);
    myfree(rs->diag);
    myfree(rs->mta);
    rs->reason = mystrdup(reason ? reason : "");
    rs->diag = mystrdup(diag ? diag : "");
    rs->mta = mystrdup(mta ? mta : "");
    snprintf(rs->dsn, sizeof(rs->dsn), "%s", dsn ? dsn : "4.0.0");

    switch (status) {
    case DLV_STAT_SENT:
	/* NOTIFY=SUCCESS: done only once the report is queued (as Postfix,
	 * which defers the recipient when the success cannot be reported). */
	if ((fr->dsn_notify & DSN_NOTIFY_SUCCESS) && !rs->no_success_report
	    && *m->env->sender)
	    rs->state = QR_SENT_NOTIFY;
	else if (mark_done(m, idx) < 0)
	    rs->state = QR_DEFER;	/* retried: at-least-once */
	else
	    rs->state = QR_DONE;
	break;
    case DLV_STAT_BOUNCE:
	rs->state = QR_BOUNCE;
	break;
    default:{
	    DEFER_LOG_ENTRY e;

	    rs->state = QR_DEFER;
	    e.recipient = fr->address;
	    e.orig_rcpt = fr->orig_rcpt;
	    e.dsn = rs->dsn;
	    e.reason = rs->reason;
	    e.diag = rs->diag;
	    e.mta = rs->mta;
	    if (defer_log_append(m->id, &e) < 0)
		msg_warn("%s: cannot update defer log: %s", m->id, strerror(errno));
	    break;
	}
    }
}

void    qmgr_rcpt_success_info(QMGR_MESSAGE *m, int idx, const char *relay,
			               const char *action, int notify)
{
    QMGR_RCPT *rs = m->rs + idx;

    myfree(rs->relay);
    rs->relay = mystrdup(relay ? relay : "");
    snprintf(rs->action, sizeof(rs->action), "%s", action ? action : "");
    rs->no_success_report = (notify & DSN_NOTIFY_SUCCESS) == 0;
}

/* notify_wants - whether a recipient's NOTIFY asks for this kind of
 * report (no NOTIFY: failures and delays, as Postfix). */
static int notify_wants(int notify, int flags)
{
    if (flags & QMGR_BOUNCE_FLAG_SUCCESS)
	return (notify & DSN_NOTIFY_SUCCESS) != 0;
    if (notify == 0)
	return 1;
    if (flags & QMGR_BOUNCE_FLAG_DELAY)
	return (notify & DSN_NOTIFY_DELAY) != 0;
    return (notify & DSN_NOTIFY_FAILURE) != 0;
}

/* bounce_state - report recipients in state want through the bounce
 * service; those accepted are marked done, and so are failed recipients
 * whose NOTIFY declines a failure report. Returns how many failed. */
static int bounce_state(QMGR_MESSAGE *m, int want, int flags)
{
    VSTR  **why;
    QMGR_BOUNCE_RCPT *b;
    int    *idx;
    int     n = 0;
    int     failed = 0;
    int     skipfail = 0;

    b = mycalloc((size_t) m->env->nrcpt, sizeof(*b));
    idx = mycalloc((size_t) m->env->nrcpt, sizeof(*idx));
    why = mycalloc((size_t) m->env->nrcpt, sizeof(*why));
    for (int k = 0; k < m->env->nrcpt; k++) {
	int     i = m->order[k];

	if (m->rs[i].state != want)
	    continue;
	if (!notify_wants(m->env->rcpt[i].dsn_notify, flags)) {
	    /* NOTIFY=NEVER or without FAILURE: finished without a report. */
	    if ((flags & QMGR_BOUNCE_FLAG_DELAY) == 0) {
		if (mark_done(m, i) < 0) {
		    m->rs[i].state = QR_DEFER;
		    skipfail++;
		} else
		    m->rs[i].state = QR_DONE;
	    }
	    continue;
	}
	b[n].address = m->env->rcpt[i].address;
	b[n].orig_rcpt = m->env->rcpt[i].orig_rcpt;
	b[n].offset = m->env->rcpt[i].offset;
	b[n].dsn = m->rs[i].dsn;
	b[n].reason = m->rs[i].reason ? m->rs[i].reason : "";
	b[n].diag = m->rs[i].diag ? m->rs[i].diag : "";
	b[n].mta = m->rs[i].mta ? m->rs[i].mta : "";
	if (flags & QMGR_BOUNCE_FLAG_SUCCESS) {
	    /* Postfix's text: "delivery via TRANSPORT: reason". */
	    why[n] = vstr_alloc(64);
	    vstr_sprintf(why[n], "delivery via %s: %s",
			 m->rs[i].relay && *m->rs[i].relay ? m->rs[i].relay : "none",
			 b[n].reason);
	    b[n].reason = vstr_str(why[n]);
	    b[n].action = m->rs[i].action[0] ? m->rs[i].action : "delivered";
	}
	idx[n++] = i;
    }
    if (n > 0) {
	if (flags & QMGR_BOUNCE_FLAG_DELAY) {
	    /* A warning changes nothing about the recipients. */
	    failed = qmgr_bounce_send(MAIL_QUEUE_ACTIVE, m->id, m->env->sender,
				      flags, b, n) == 0 ? 0 : n;
	} else if (qmgr_bounce_send(MAIL_QUEUE_ACTIVE, m->id, m->env->sender, flags, b, n) == 0) {
	    for (int k = 0; k < n; k++) {
		if (mark_done(m, idx[k]) < 0) {
		    m->rs[idx[k]].state = QR_DEFER;
		    failed++;
		} else
		    m->rs[idx[k]].state = QR_DONE;
	    }
	} else {
	    /* Try again later; show why in the queue listing. */
	    for (int k = 0; k < n; k++) {
		if (want != QR_DEFER) {
		    DEFER_LOG_ENTRY e;

		    e.recipient = b[k].address;
		    e.orig_rcpt = b[k].orig_rcpt;
		    e.dsn = "4.3.0";
		    e.reason = "bounce or trace service failure";
		    e.diag = e.mta = "";
		    if (defer_log_append(m->id, &e) < 0)
			msg_warn("%s: cannot update defer log: %s", m->id, strerror(errno));
		}
		m->rs[idx[k]].state = QR_DEFER;
	    }
	    failed = n;
	}
    }
    failed += skipfail;
    for (int k = 0; k < n; k++)
	if (why[k])
	    vstr_free(why[k]);
    myfree(why);
    myfree(b);
    myfree(idx);
    return failed;
}

/* message_finish - every job of m ended: settle the message's fate. */
static void message_finish(QMGR_MESSAGE *m)
{
    int     left = 0;
    VSTR   *q;

    (void) bounce_state(m, QR_BOUNCE, 0);
    (void) bounce_state(m, QR_SENT_NOTIFY, QMGR_BOUNCE_FLAG_SUCCESS);

    for (int i = 0; i < m->env->nrcpt; i++)
	if (m->rs[i].state != QR_DONE)
	    left++;

    /*
     * Every recipient is done: the unlink retires the D marks, so flushing
     * them to disk first would cost one more fsync per message for
     * nothing. Only if the unlink fails must the marks be made durable.
     */
    if (left == 0 && m->fd >= 0) {
	if (mail_queue_remove(MAIL_QUEUE_ACTIVE, m->id) < 0 && errno != ENOENT) {
	    msg_warn("%s: remove %s/%s: %s", m->id, MAIL_QUEUE_ACTIVE, m->id,
		     strerror(errno));
	    (void) sync_file(m);
	    goto finished;
	}
	if (close(m->fd) < 0)
	    msg_warn("%s: close queue file: %s", m->id, strerror(errno));
	m->fd = -1;
	m->unsynced = 0;
	(void) defer_log_remove(m->id);
	msg_info("%s: removed", m->id);
	goto finished;
    }
    (void) sync_file(m);

    if (left > 0 && m->expired) {
	int     ndefer = 0;

	for (int i = 0; i < m->env->nrcpt; i++)
	    if (m->rs[i].state == QR_DEFER)
		ndefer++;
	if (ndefer > 0) {
	    q = vstr_alloc(64);
	    msg_info("%s: from=<%s>, status=expired, returned to sender",
		     m->id, addr_quote(q, m->env->sender));
	    vstr_free(q);
	    if (bounce_state(m, QR_DEFER, 0) == 0)
		left -= ndefer;
	    (void) sync_file(m);
	}
    }
    if (left == 0 && m->unsynced == 0) {
	if (mail_queue_remove(MAIL_QUEUE_ACTIVE, m->id) < 0 && errno != ENOENT) {
	    msg_warn("%s: remove %s/%s: %s", m->id, MAIL_QUEUE_ACTIVE, m->id,
		     strerror(errno));
	} else {
	    (void) defer_log_remove(m->id);
	    msg_info("%s: removed", m->id);
	}
    } else {
	VSTR   *path = vstr_alloc(64);
	double  now = now_double();

	/* delay_warning_time: warn the sender once (never <>). */
	if (var_delay_warn_time > 0 && !m->expired && *m->env->sender
	    && m->env->warn_time == 0 && m->env->warn_offset >= 0
	    && now >= m->arrival + var_delay_warn_time
	    && bounce_state(m, QR_DEFER, QMGR_BOUNCE_FLAG_DELAY) == 0) {
	    if (msg_open(m) < 0 || qfile_set_warn(m->fd, m->env->warn_offset, (long) now) < 0)
		msg_warn("%s: cannot update the delay warning time: %s", m->id,
			 strerror(errno));
	    else
		m->unsynced++;
	    (void) sync_file(m);
	}
	struct timeval tv[2];
	double  next = now + qmgr_backoff(now - m->arrival);

	tv[0].tv_sec = tv[1].tv_sec = (time_t) next;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	if (utimes(mail_queue_path(path, MAIL_QUEUE_ACTIVE, m->id), tv) < 0)
	    msg_warn("%s: set retry time: %s", m->id, strerror(errno));
	if (mail_queue_rename(m->id, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED) < 0)
	    msg_warn("%s: move to %s: %s", m->id, MAIL_QUEUE_DEFERRED, strerror(errno));
	vstr_free(path);
    }
finished:
    message_free(m);
    qmgr_message_finished();
}

void    qmgr_message_job_done(QMGR_MESSAGE *m)
{
    (void) sync_file(m);
    if (--m->jobs <= 0)
	message_finish(m);
}

int     qmgr_message_activate(const char *queue, const char *id)
{
    QMGR_MESSAGE *m;
    VSTR   *path;
    VSTR   *q;
    RESOLVE_REPLY *reply;
    const char *why = NULL;
    struct stat st;
    double  lifetime;
    int     fd;

    if (!mail_queue_id_ok(id) || qmgr_message_active(id))
	return -1;
    if (active_table == NULL)
	active_table = htable_create(256);
    path = vstr_alloc(64);
    /* Check again: a scan result may be stale. */
    if (stat(mail_queue_path(path, queue, id), &st) < 0
	|| !S_ISREG(st.st_mode)
	|| (st.st_mode & 0777) != MAIL_QUEUE_MODE_READY) {
	vstr_free(path);
	return -1;
    }
    if (strcmp(queue, MAIL_QUEUE_ACTIVE) != 0
	&& mail_queue_rename(id, queue, MAIL_QUEUE_ACTIVE) < 0) {
	if (errno != ENOENT)
	    msg_warn("%s: move %s/%s to %s: %s", id, queue, id, MAIL_QUEUE_ACTIVE,
		     strerror(errno));
	vstr_free(path);
	return -1;
    }
    if ((fd = open(mail_queue_path(path, MAIL_QUEUE_ACTIVE, id), O_RDWR | O_CLOEXEC)) < 0) {
	msg_warn("%s: open %s: %s", id, vstr_str(path), strerror(errno));
	vstr_free(path);
	return -1;
    }
    vstr_free(path);

    m = mycalloc(1, sizeof(*m));
    m->id = mystrdup(id);
    m->fd = fd;
    qmgr_active_count++;
    htable_enter(active_table, m->id, m);
    if ((m->env = qfile_read_envelope(fd, &why)) == NULL) {
	msg_warn("saving corrupt file \"%s/%s\" as \"%s/%s\": %s",
		 MAIL_QUEUE_ACTIVE, id, MAIL_QUEUE_CORRUPT, id,
		 why ? why : "bad queue file");
	if (mail_queue_rename(id, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_CORRUPT) < 0)
	    msg_warn("%s: move to %s: %s", id, MAIL_QUEUE_CORRUPT, strerror(errno));
	message_free(m);
	return -1;
    }
    m->arrival = m->env->arrival_sec + m->env->arrival_usec / 1e6;
    m->active_time = now_double();
    if (m->arrival <= 0 || m->arrival > m->active_time + 86400)
	m->arrival = m->active_time;
    lifetime = (*m->env->sender == 0) ? var_dsn_queue_time : var_max_queue_time;
    m->expired = m->active_time >= m->arrival + lifetime;
    if (close(fd) < 0)
	msg_warn("%s: close queue file: %s", id, strerror(errno));
    m->fd = -1;
    m->rs = mycalloc((size_t) (m->env->nrcpt > 0 ? m->env->nrcpt : 1), sizeof(QMGR_RCPT));
    m->order = mycalloc((size_t) (m->env->nrcpt > 0 ? m->env->nrcpt : 1), sizeof(int));
    for (int i = 0; i < m->env->nrcpt; i++)
	m->order[i] = i;
    sort_env = m->env;
    qsort(m->order, (size_t) m->env->nrcpt, sizeof(int), rcpt_cmp);
    (void) defer_log_remove(id);

    q = vstr_alloc(64);
    msg_info("%s: from=<%s>, size=%ld, nrcpt=%d (queue active)", id,
	     addr_quote(q, m->env->sender), m->env->message_size, m->env->nrcpt);
    vstr_free(q);

    /* Route every recipient still to deliver. One job per message keeps
     * the message alive until the routing pass is over. */
    m->jobs = 1;
    reply = resolve_reply_alloc();
    for (int k = 0; k < m->env->nrcpt; k++) {
	int     i = m->order[k];
	QFILE_RCPT *r = m->env->rcpt + i;

	if (r->done) {
	    m->rs[i].state = QR_DONE;
	    continue;
	}
	resolve_addr(r->address, reply);
	if (reply->flags & RESOLVE_FLAG_FAIL) {
	    qmgr_log_status(m, i, DLV_STAT_DEFER, "4.3.0", "address resolver failure");
	    qmgr_rcpt_result(m, i, DLV_STAT_DEFER, "4.3.0", "address resolver failure", "", "");
	} else if (reply->flags & RESOLVE_FLAG_ERROR) {
	    qmgr_log_status(m, i, DLV_STAT_BOUNCE, "5.1.3", "bad address syntax");
	    qmgr_rcpt_result(m, i, DLV_STAT_BOUNCE, "5.1.3", "bad address syntax", "", "");
	} else if (list_has(var_defer_xports, vstr_str(reply->transport))) {
	    qmgr_log_status(m, i, DLV_STAT_DEFER, "4.3.2", "deferred transport");
	    qmgr_rcpt_result(m, i, DLV_STAT_DEFER, "4.3.2", "deferred transport", "", "");
	} else {
	    qmgr_deliver_add(m, i, vstr_str(reply->transport), vstr_str(reply->nexthop));
	}
    }
    resolve_reply_free(reply);
    qmgr_message_job_done(m);		/* may finish m right here */
    qmgr_deliver_kick();
    return 0;
}
