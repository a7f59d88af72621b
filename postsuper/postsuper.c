/* postsuper.c - queue maintenance, as Postfix's postsuper(1):
 *   -d ID|ALL|-   delete (hold, incoming, active, deferred by default)
 *   -h ID|ALL|-   put on hold (incoming, active, deferred)
 *   -H ID|ALL|-   release from hold (hold -> deferred)
 *   -r ID|ALL|-   requeue (back to incoming/ for qmgr to pick up again)
 * followed by optional queue names. Output lines and exit codes follow
 * Postfix 3.7 ("ID: removed", "Deleted: N messages"). */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>
#include <utime.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/iostuff.h"
#include "global/mail_params.h"
#include "global/mail_queue.h"
#include "global/mail_proto.h"

#define USAGE "usage: postsuper [-c config_dir] [-d queue_id (delete)] " \
    "[-e queue_id (expire)] [-f queue_id (expire and/or un-hold)] " \
    "[-h queue_id (hold)] [-H queue_id (un-hold)] [-p (purge temporary files)] " \
    "[-r queue_id (requeue)] [-s (structure fix)] [-S (redundant structure fix)]" \
    "[-v (verbose)] [queue...]"

typedef enum {
    OP_DELETE, OP_HOLD, OP_RELEASE, OP_REQUEUE,
} OP;

static const char *const default_delete[] = {"hold", "incoming", "active", "deferred", 0};
static const char *const default_hold[] = {"incoming", "active", "deferred", 0};
static const char *const default_release[] = {"hold", 0};
static const char *const default_requeue[] = {"hold", "incoming", "active", "deferred", 0};

/* remove_logs - the per-message defer/bounce/trace logs */

static void remove_logs(const char *id)
{
    static const char *const logs[] = {MAIL_QUEUE_DEFER, MAIL_QUEUE_BOUNCE,
    MAIL_QUEUE_TRACE, 0};
    const char *const *cpp;

    for (cpp = logs; *cpp; cpp++)
	if (mail_queue_remove(*cpp, id) < 0 && errno != ENOENT)
	    msg_warn("remove %s/%s: %s", *cpp, id, strerror(errno));
}

/* do_one - apply op to id in queue; 1 if done, 0 if not there */

static int do_one(OP op, const char *queue, const char *id, int verbose_each)
{
    const char *target;

    switch (op) {
    case OP_DELETE:
	if (mail_queue_remove(queue, id) < 0) {
	    if (errno != ENOENT)
		msg_warn("remove %s/%s: %s", queue, id, strerror(errno));
	    return 0;
	}
	remove_logs(id);
	if (verbose_each)
	    msg_info("%s: removed", id);
	return 1;
    case OP_HOLD:
	target = MAIL_QUEUE_HOLD;
	break;
    case OP_RELEASE:
	target = MAIL_QUEUE_DEFERRED;
	break;
    case OP_REQUEUE:
    default:
	target = MAIL_QUEUE_INCOMING;
	break;
    }
    if (strcmp(queue, target) == 0 && op != OP_REQUEUE)
	return 0;
    if (strcmp(queue, target) != 0
	&& mail_queue_rename(id, queue, target) < 0) {
	if (errno != ENOENT)
	    msg_warn("rename %s/%s to %s: %s", queue, id, target, strerror(errno));
	return 0;
    }
    if (strcmp(queue, target) == 0) {
	VSTR   *path = vstr_alloc(64);
	int     exists = access(mail_queue_path(path, queue, id), F_OK) == 0;

	vstr_free(path);
	if (!exists)
	    return 0;
    }
    if (op == OP_RELEASE || op == OP_REQUEUE) {
	/* Make it due now: qmgr schedules deferred mail by its time stamp. */
	VSTR   *path = vstr_alloc(64);

	(void) utime(mail_queue_path(path, target, id), (struct utimbuf *) 0);
	vstr_free(path);
	if (op == OP_REQUEUE)
	    remove_logs(id);
    }
    /* The move is durable once both directory entries are on disk. */
    if (fsync_dir(target) < 0 || (strcmp(queue, target) != 0 && fsync_dir(queue) < 0))
	msg_warn("%s: fsync queue directory: %s", id, strerror(errno));
    if (verbose_each)
	msg_info("%s: %s", id, op == OP_HOLD ? "placed on hold" :
		 op == OP_RELEASE ? "released from hold" : "requeued");
    return 1;
}

/* do_all - apply op to every file in the queues */

static int do_all(OP op, const char *const *queues)
{
    const char *const *cpp;
    DIR    *dir;
    struct dirent *de;
    ARGV   *ids;
    int     count = 0, i;

    for (cpp = queues; *cpp; cpp++) {
	if ((dir = opendir(*cpp)) == 0) {
	    if (errno != ENOENT)
		msg_warn("open directory %s: %s", *cpp, strerror(errno));
	    continue;
	}
	ids = argv_alloc(16);
	while ((de = readdir(dir)) != 0)
	    if (mail_queue_id_ok(de->d_name))
		argv_add(ids, de->d_name, (char *) 0);
	closedir(dir);
	for (i = 0; i < ids->argc; i++)
	    count += do_one(op, *cpp, ids->argv[i], 0);
	argv_free(ids);
    }
    return count;
}

static int do_id(OP op, const char *const *queues, const char *id)
{
    const char *const *cpp;
    int     count = 0;

    if (!mail_queue_id_ok(id)) {
	msg_warn("invalid mail queue id: %s", id);
	return 0;
    }
    for (cpp = queues; *cpp; cpp++)
	if (do_one(op, *cpp, id, 1)) {
	    count++;
	    break;
	}
    return count;
}

static int do_stdin(OP op, const char *const *queues)
{
    VSTR   *line = vstr_alloc(100);
    char    buf[1024];
    int     count = 0;
    char   *cp;

    while (fgets(buf, sizeof(buf), stdin) != 0) {
	if ((cp = strchr(buf, '\n')) != 0)
	    *cp = 0;
	cp = trimblanks(buf);
	if (*cp == 0)
	    continue;
	count += do_id(op, queues, cp);
    }
    vstr_free(line);
    return count;
}

typedef struct {
    OP      op;
    char   *arg;
} REQUEST;

static const char *summary(OP op)
{
    switch (op) {
    case OP_DELETE:
	return "Deleted";
    case OP_HOLD:
	return "Placed on hold";
    case OP_RELEASE:
	return "Released from hold";
    default:
	return "Requeued";
    }
}

int     main(int argc, char **argv)
{
    REQUEST req[64];
    int     nreq = 0;
    int     ch, i, count;
    const char *const *queues;
    const char *config_dir = 0;
    int     wake_qmgr = 0;

    msg_init(argv[0], MSG_STDERR);
    while ((ch = getopt(argc, argv, "c:d:h:H:r:v")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    if (setenv("MAIL_CONFIG", optarg, 1) < 0)
		msg_fatal("setenv: %s", strerror(errno));
	    break;
	case 'd':
	case 'h':
	case 'H':
	case 'r':
	    if (nreq >= (int) ARRAY_LEN(req))
		msg_fatal("too many requests");
	    req[nreq].op = ch == 'd' ? OP_DELETE : ch == 'h' ? OP_HOLD
		: ch == 'H' ? OP_RELEASE : OP_REQUEUE;
	    req[nreq].arg = optarg;
	    nreq++;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    msg_fatal(USAGE);
	}
    }
    mail_conf_init(config_dir);
    msg_set_stderr(1);
    for (i = optind; i < argc; i++)
	if (!mail_queue_name_ok(argv[i]))
	    msg_fatal("invalid directory name: %s", argv[i]);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %s", var_queue_dir, strerror(errno));

    for (i = 0; i < nreq; i++) {
	if (optind < argc) {
	    queues = (const char *const *) (argv + optind);
	} else {
	    switch (req[i].op) {
	    case OP_DELETE:
		queues = default_delete;
		break;
	    case OP_HOLD:
		queues = default_hold;
		break;
	    case OP_RELEASE:
		queues = default_release;
		break;
	    default:
		queues = default_requeue;
		break;
	    }
	}
	if (strcmp(req[i].arg, "ALL") == 0)
	    count = do_all(req[i].op, queues);
	else if (strcmp(req[i].arg, "-") == 0)
	    count = do_stdin(req[i].op, queues);
	else
	    count = do_id(req[i].op, queues, req[i].arg);
	msg_info("%s: %d message%s", summary(req[i].op), count, count == 1 ? "" : "s");
	if (count > 0 && (req[i].op == OP_RELEASE || req[i].op == OP_REQUEUE))
	    wake_qmgr = 1;
    }
    if (wake_qmgr) {
	static const char wake[] = {QMGR_REQ_SCAN_INCOMING, QMGR_REQ_SCAN_DEFERRED};

	(void) mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_QMGR, wake, sizeof(wake));
    }
    return 0;
}
