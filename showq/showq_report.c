/* showq_report.c - the queue report shared by the showq daemon and by
 * postqueue when the mail system is down (it then reads the queue
 * directly). Protocol: the reporter sends {proto=showq}; then per message
 * one list {queue_name, queue_id, arrival_time, size, forced_expire,
 * sender, nrcpt} followed by nrcpt lists {recipient, reason} (reason from
 * the defer log, "" if none; recipients sorted by reason, then address);
 * an empty list ends the report. Queues in order (as Postfix): maildrop,
 * incoming, active, deferred, hold. A maildrop file (postdrop's format:
 * T A* S (O n R)* M content X E, mode 0744 when complete) shows its file
 * size. */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/argv.h"
#include "util/htable.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "showq/showq_report.h"
#include "global/qfile.h"
#include "global/defer_log.h"
#include "global/record.h"

#define SHOWQ_TIMEOUT		100
#define SHOWQ_DEFER_LOG_MAX	(1024 * 1024)
#define SHOWQ_MAX_FILES		1000000

static const char *const showq_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, 0,
};

#define SHOWQ_MAILDROP_MODE	0744	/* a complete maildrop file (postdrop) */
#define SHOWQ_REC_MAX		(64 * 1024)
#define SHOWQ_MAILDROP_RCPT_MAX	10000

typedef struct SHOWQ_RCPT {
    const char *address;
    const char *reason;
} SHOWQ_RCPT;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static int cmp_rcpt(const void *a, const void *b)
{
    const SHOWQ_RCPT *ra = a, *rb = b;
    int     r = strcmp(ra->reason, rb->reason);

    return r ? r : strcmp(ra->address, rb->address);
}

/* remember_reason - defer log callback: last reason per recipient wins. */
static void remember_reason(const DEFER_LOG_ENTRY *e, void *ctx)
{
    HTABLE *t = ctx;
    HTABLE_INFO *h = htable_locate(t, e->recipient);

    if (h) {
	myfree(h->value);
	h->value = mystrdup(e->reason);
    } else
	htable_enter(t, e->recipient, mystrdup(e->reason));
}

/* report_maildrop - one complete maildrop file; -1 on a write error. */
static int report_maildrop(STREAM *client, const char *id)
{
    VSTR   *path = vstr_alloc(64);
    VSTR   *buf = vstr_alloc(256);
    ARGV   *rcpts = argv_alloc(4);
    char   *sender = NULL;
    long    arrival = 0;
    struct stat st;
    STREAM *in;
    int     fd;
    int     type;
    int     ret = 0;

    /* A user-made file: never follow a link or block on a FIFO. */
    if ((fd = open(mail_queue_path(path, MAIL_QUEUE_MAILDROP, id),
		   O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
	goto out;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)
	|| (st.st_mode & 0777) != SHOWQ_MAILDROP_MODE) {
	close(fd);
	goto out;
    }
    in = stream_fdopen(fd, 10);
    while ((type = rec_get(in, buf, SHOWQ_REC_MAX, NULL)) >= 0 && type != REC_TYPE_MESG) {
	if (type == REC_TYPE_TIME)
	    arrival = atol(vstr_str(buf));
	else if (type == REC_TYPE_FROM && sender == NULL)
	    sender = mystrdup(vstr_str(buf));
	else if (type == REC_TYPE_RCPT && rcpts->argc < SHOWQ_MAILDROP_RCPT_MAX)
	    argv_add(rcpts, vstr_str(buf), (char *) 0);
    }
    (void) stream_close(in);
    if (type != REC_TYPE_MESG || sender == NULL)
	goto out;
    qsort(rcpts->argv, (size_t) rcpts->argc, sizeof(char *), cmp_str);
    if (attr_send_str(client, MAIL_ATTR_QUEUE, MAIL_QUEUE_MAILDROP) < 0
	|| attr_send_str(client, MAIL_ATTR_QUEUEID, id) < 0
	|| attr_send_long(client, MAIL_ATTR_ARRIVAL, arrival > 0 ? arrival : (long) st.st_mtime) < 0
	|| attr_send_long(client, MAIL_ATTR_SIZE, (long) st.st_size) < 0
	|| attr_send_long(client, "forced_expire", 0) < 0
	|| attr_send_str(client, MAIL_ATTR_SENDER, sender) < 0
	|| attr_send_long(client, MAIL_ATTR_NRCPT, rcpts->argc) < 0
	|| attr_send_end(client) < 0)
	ret = -1;
    for (int i = 0; i < rcpts->argc && ret == 0; i++)
	if (attr_send_str(client, MAIL_ATTR_RECIP, rcpts->argv[i]) < 0
	    || attr_send_str(client, MAIL_ATTR_REASON, "") < 0
	    || attr_send_end(client) < 0)
	    ret = -1;
out:
    myfree(sender);
    argv_free(rcpts);
    vstr_free(buf);
    vstr_free(path);
    return ret;
}

/* report_file - one message; -1 on a write error to the client. */
static int report_file(STREAM *client, const char *queue, const char *id)
{
    VSTR   *path = vstr_alloc(64);
    QFILE_ENV *env;
    const char *why = NULL;
    HTABLE *reasons = htable_create(16);
    SHOWQ_RCPT *list = NULL;
    int     n = 0;
    int     fd;
    int     ret = 0;

    if ((fd = open(mail_queue_path(path, queue, id), O_RDONLY | O_CLOEXEC)) < 0)
	goto out;			/* gone meanwhile */
    env = qfile_read_envelope(fd, &why);
    close(fd);
    if (env == NULL)
	goto out;			/* being written, or not ours to show */
    (void) defer_log_read(id, SHOWQ_DEFER_LOG_MAX, remember_reason, reasons);
    list = mycalloc((size_t) (env->nrcpt > 0 ? env->nrcpt : 1), sizeof(*list));
    for (int i = 0; i < env->nrcpt; i++) {
	const char *r;

	if (env->rcpt[i].done)
	    continue;
	list[n].address = env->rcpt[i].address;
	r = htable_find(reasons, env->rcpt[i].address);
	list[n].reason = r ? r : "";
	n++;
    }
    qsort(list, (size_t) n, sizeof(*list), cmp_rcpt);
    if (attr_send_str(client, MAIL_ATTR_QUEUE, queue) < 0
	|| attr_send_str(client, MAIL_ATTR_QUEUEID, id) < 0
	|| attr_send_long(client, MAIL_ATTR_ARRIVAL, env->arrival_sec) < 0
	|| attr_send_long(client, MAIL_ATTR_SIZE, env->message_size) < 0
	|| attr_send_long(client, "forced_expire", 0) < 0
	|| attr_send_str(client, MAIL_ATTR_SENDER, env->sender) < 0
	|| attr_send_long(client, MAIL_ATTR_NRCPT, n) < 0
	|| attr_send_end(client) < 0)
	ret = -1;
    for (int i = 0; i < n && ret == 0; i++)
	if (attr_send_str(client, MAIL_ATTR_RECIP, list[i].address) < 0
	    || attr_send_str(client, MAIL_ATTR_REASON, list[i].reason) < 0
	    || attr_send_end(client) < 0)
	    ret = -1;
    myfree(list);
    qfile_env_free(env);
out:
    htable_free(reasons, myfree);
    vstr_free(path);
    return ret;
}

int     showq_report(STREAM *client)
{
    if (mail_announce_proto(client, MAIL_PROTO_SHOWQ) < 0)
	return -1;
    for (const char *const *qp = showq_queues; *qp; qp++) {
	DIR    *dir;
	struct dirent *de;
	ARGV   *ids = argv_alloc(16);

	if ((dir = opendir(*qp)) != NULL) {
	    while ((de = readdir(dir)) != NULL && ids->argc < SHOWQ_MAX_FILES)
		if (de->d_name[0] != '.' && mail_queue_id_ok(de->d_name))
		    argv_add(ids, de->d_name, (char *) 0);
	    closedir(dir);
	}
	qsort(ids->argv, (size_t) ids->argc, sizeof(char *), cmp_str);
	for (int i = 0; i < ids->argc; i++) {
	    if ((strcmp(*qp, MAIL_QUEUE_MAILDROP) == 0 ?
		 report_maildrop(client, ids->argv[i]) :
		 report_file(client, *qp, ids->argv[i])) < 0) {
		argv_free(ids);
		return -1;
	    }
	}
	argv_free(ids);
    }
    return attr_send_end(client);
}
