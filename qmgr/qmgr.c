/* qmgr.c - the queue manager daemon: a long-lived event server on
 * public/qmgr. At start-up it moves what a crash left in active/ back to
 * incoming/ and removes what dead writers left in incoming/ (temporary
 * names, incomplete files; again on later scans once they are old); it scans incoming/ when woken and deferred/ every
 * queue_run_delay (only files whose retry time, kept as the file's mtime,
 * has passed; everything on a flush request), and feeds the messages to
 * qmgr_message.c within qmgr_message_active_limit. */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/events.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_server.h"
#include "global/resolve.h"
#include "qmgr/qmgr.h"

int     qmgr_active_count;

/*
 * Leftovers of a writer that died. cleanup creates incoming/.tmp.PID.SEQ,
 * renames it to its queue ID within microseconds, writes the file with mode
 * 0600 (buffered: the mtime can lag a slow client by minutes) and makes it
 * 0700 only once durable and before anyone is told it was queued. So a
 * temporary name that old, or a 0600 file not written to for that long, has
 * no live writer and nobody was promised its content: it is removed, one
 * log line each. Checked at start-up and on every incoming/ scan (at least
 * once a minute).
 */
#define QMGR_STALE_TEMP		3600	/* seconds: abandoned .tmp.* name */
#define QMGR_STALE_WRITING	(6 * 3600)	/* seconds: abandoned 0600 file */
#define QMGR_TEMP_PREFIX	".tmp."
#define QMGR_SCAN_MAX		100000		/* names kept from one scan */

/* Pending work from the scans: "queue/id" names not yet activated. */
static ARGV *pending_incoming;
static ARGV *pending_deferred;
static int pending_inc_pos;
static int pending_def_pos;
static int feed_wanted;			/* qmgr_loop should feed (and maybe rescan) */
static int incoming_again;		/* new mail arrived during a scan */
static void scan_incoming(void);

/* qmgr_backoff - Postfix style: the message's age, clamped. */
int     qmgr_backoff(double age)
{
    double  delay = age;

    if (delay > var_max_backoff_time)
	delay = var_max_backoff_time;
    if (delay < var_min_backoff_time)
	delay = var_min_backoff_time;
    return (int) delay;
}

/* quarantine - move a bad file to corrupt/ with a log line. */
static void quarantine(const char *queue, const char *id, const char *why)
{
    msg_warn("saving corrupt file \"%s/%s\" as \"%s/%s\": %s",
	     queue, id, MAIL_QUEUE_CORRUPT, id, why);
    if (mail_queue_rename(id, queue, MAIL_QUEUE_CORRUPT) < 0)
	msg_warn("rename %s/%s to %s/%s: %s", queue, id, MAIL_QUEUE_CORRUPT,
		 id, strerror(errno));
}

/* remove_stale_temp - remove queue/name, a temporary name of a queue
 * file being created, when no live writer can still hold it. */
static void remove_stale_temp(const char *queue, const char *name, time_t now, VSTR *path)
{
    struct stat st;

    vstr_sprintf(path, "%s/%s", queue, name);
    if (lstat(vstr_str(path), &st) < 0 || !S_ISREG(st.st_mode)
	|| now - st.st_mtime <= QMGR_STALE_TEMP)
	return;
    msg_warn("removing stale temporary file %s: not modified for %ld seconds",
	     vstr_str(path), (long) (now - st.st_mtime));
    if (unlink(vstr_str(path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %s", vstr_str(path), strerror(errno));
}

/* scan_dir - list the candidate queue IDs of queue into list; remove
 * what dead writers left behind (see QMGR_STALE_*). */
static void scan_dir(const char *queue, ARGV *list, int respect_time)
{
    DIR    *dir;
    struct dirent *de;
    struct stat st;
    VSTR   *path = vstr_alloc(64);
    time_t  now = time(NULL);

    if ((dir = opendir(queue)) == NULL) {
	msg_warn("open queue directory %s: %s", queue, strerror(errno));
	vstr_free(path);
	return;
    }
    while ((de = readdir(dir)) != NULL && list->argc < QMGR_SCAN_MAX) {
	if (de->d_name[0] == '.') {
	    if (strncmp(de->d_name, QMGR_TEMP_PREFIX, sizeof(QMGR_TEMP_PREFIX) - 1) == 0)
		remove_stale_temp(queue, de->d_name, now, path);
	    continue;
	}
	if (!mail_queue_id_ok(de->d_name)) {
	    continue;
	}
	if (qmgr_message_active(de->d_name))
	    continue;
	if (stat(mail_queue_path(path, queue, de->d_name), &st) < 0)
	    continue;
	if (!S_ISREG(st.st_mode)) {
	    quarantine(queue, de->d_name, "not a regular file");
	    continue;
	}
	if ((st.st_mode & 0777) != MAIL_QUEUE_MODE_READY) {
	    /* Still being written (or abandoned by a crashed writer). */
	    if (now - st.st_mtime <= QMGR_STALE_WRITING)
		continue;
	    if (strcmp(queue, MAIL_QUEUE_INCOMING) == 0) {
		/* Never acknowledged: cleanup makes it ready before replying. */
		msg_warn("%s: removing incomplete queue file %s/%s: not modified for %ld seconds",
			 de->d_name, queue, de->d_name, (long) (now - st.st_mtime));
		if (mail_queue_remove(queue, de->d_name) < 0 && errno != ENOENT)
		    msg_warn("remove %s/%s: %s", queue, de->d_name, strerror(errno));
	    } else {
		/* Not cleanup's: qmgr only moves ready files here. Keep it. */
		quarantine(queue, de->d_name, "incomplete file abandoned by its writer");
	    }
	    continue;
	}
	if (respect_time && st.st_mtime > now)
	    continue;
	argv_add(list, de->d_name, (char *) 0);
    }
    closedir(dir);
    vstr_free(path);
}

/* feed - activate pending messages while there is room. */
static void feed(void)
{
    while (qmgr_active_count < var_qmgr_active_limit) {
	if (pending_incoming && pending_inc_pos < pending_incoming->argc) {
	    (void) qmgr_message_activate(MAIL_QUEUE_INCOMING,
				      pending_incoming->argv[pending_inc_pos++]);
	} else if (pending_deferred && pending_def_pos < pending_deferred->argc) {
	    (void) qmgr_message_activate(MAIL_QUEUE_DEFERRED,
				      pending_deferred->argv[pending_def_pos++]);
	} else
	    break;
    }
    if (pending_incoming && pending_inc_pos >= pending_incoming->argc) {
	pending_incoming = argv_free(pending_incoming);
	pending_inc_pos = 0;
	if (incoming_again)
	    feed_wanted = 1;		/* qmgr_loop rescans */
    }
    if (pending_deferred && pending_def_pos >= pending_deferred->argc) {
	pending_deferred = argv_free(pending_deferred);
	pending_def_pos = 0;
    }
    qmgr_deliver_kick();
}

/* qmgr_message_finished - only note it: feeding from here would recurse. */
void    qmgr_message_finished(void)
{
    feed_wanted = 1;
}

/* scan_incoming - look for new mail; while an earlier scan is still
 * being fed (active limit reached), only note that another is due. */
static void scan_incoming(void)
{
    if (pending_incoming && pending_inc_pos < pending_incoming->argc) {
	incoming_again = 1;
	return;
    }
    incoming_again = 0;
    pending_incoming = argv_free(pending_incoming);
    pending_inc_pos = 0;
    pending_incoming = argv_alloc(16);
    scan_dir(MAIL_QUEUE_INCOMING, pending_incoming, 0);
    feed();
}

/* scan_deferred - look for mail due for another attempt (all of it when flushing). */
static void scan_deferred(int flush)
{
    pending_deferred = argv_free(pending_deferred);
    pending_def_pos = 0;
    pending_deferred = argv_alloc(16);
    scan_dir(MAIL_QUEUE_DEFERRED, pending_deferred, !flush);
    feed();
}

/* deferred_timer - the periodic deferred queue run. */
static void deferred_timer(int event, void *ctx)
{
    (void) event;
    scan_deferred(0);
    event_request_timer(deferred_timer, ctx, (long) var_queue_run_delay * 1000);
}

/* incoming_timer - a safety net: look at incoming/ now and then even without triggers. */
static void incoming_timer(int event, void *ctx)
{
    (void) event;
    scan_incoming();
    event_request_timer(incoming_timer, ctx, 60 * 1000L);
}

/* recover - a crash left files in active/: put them back in incoming/. */
static void recover(void)
{
    DIR    *dir;
    struct dirent *de;
    int     count = 0;

    if ((dir = opendir(MAIL_QUEUE_ACTIVE)) == NULL) {
	msg_warn("open queue directory %s: %s", MAIL_QUEUE_ACTIVE, strerror(errno));
	return;
    }
    while ((de = readdir(dir)) != NULL) {
	if (de->d_name[0] == '.' || !mail_queue_id_ok(de->d_name))
	    continue;
	if (mail_queue_rename(de->d_name, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_INCOMING) < 0)
	    msg_warn("rename %s/%s to %s/%s: %s", MAIL_QUEUE_ACTIVE, de->d_name,
		     MAIL_QUEUE_INCOMING, de->d_name, strerror(errno));
	else
	    count++;
    }
    closedir(dir);
    if (count && msg_verbose)
	msg_info("recovered %d message(s) from %s", count, MAIL_QUEUE_ACTIVE);
}

static void qmgr_trigger(const char *buf, ssize_t len, const char *service, char **argv)
{
    int     incoming = 0, deferred = 0, flush = 0;

    (void) service;
    (void) argv;
    for (ssize_t i = 0; i < len; i++) {
	switch (buf[i]) {
	case QMGR_REQ_WAKEUP:
	case QMGR_REQ_SCAN_INCOMING:
	    incoming = 1;
	    break;
	case QMGR_REQ_SCAN_DEFERRED:
	    deferred = 1;
	    break;
	case QMGR_REQ_FLUSH_DEAD:
	    qmgr_deliver_flush_dead();
	    flush = deferred = 1;
	    break;
	case QMGR_REQ_SCAN_ALL:
	    flush = deferred = incoming = 1;
	    break;
	default:
	    break;
	}
    }
    if (incoming)
	scan_incoming();
    if (deferred)
	scan_deferred(flush);
}

static void qmgr_pre_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    resolve_init();
}

static void qmgr_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if (var_qmgr_active_limit < 1)
	var_qmgr_active_limit = 1;
    recover();
    scan_incoming();
    scan_deferred(0);
    event_request_timer(deferred_timer, NULL, (long) var_queue_run_delay * 1000);
    event_request_timer(incoming_timer, NULL, 60 * 1000L);
}

static long qmgr_loop(void)
{
    /* Finish feeding after activity elsewhere (jobs completing). */
    if (feed_wanted) {
	feed_wanted = 0;
	if (incoming_again && pending_incoming == NULL)
	    scan_incoming();
	else if (pending_incoming || pending_deferred)
	    feed();
    }
    /* Jobs that ended made room at their destinations. */
    qmgr_deliver_kick();
    /* feed() may have set it again: come back at once. */
    return feed_wanted ? 0 : -1;
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = qmgr_pre_init,
	.post_init = qmgr_post_init,
	.trigger = qmgr_trigger,
	.loop = qmgr_loop,
	.flags = MAIL_SERVER_FLAG_SOLITARY | MAIL_SERVER_FLAG_LONG_LIVED,
    };

    event_server_main(argc, argv, &spec);
}
