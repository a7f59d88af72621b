/* postdrop.c - store a locally submitted message in maildrop/. Installed
 * setgid setgid_group so that any user can write into the group-writable
 * maildrop directory. Reads the record stream that sendmail writes
 * (A* S (O? n? R)* M (N|L)* X) on stdin, checks it strictly, writes it
 * with a leading T and a trailing E record to maildrop/ID (mode 0644
 * while being written, 0744 when complete and fsync'd), and wakes pickup. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/record.h"

#define PD_MODE_PARTIAL	0644	/* readable by pickup, not yet complete */
#define PD_MODE_READY	0744	/* complete: owner x bit set */
#define PD_ENV_MAX	4096	/* longest envelope record */
#define PD_INPUT_TIMEOUT 3600	/* slow writers get an hour */

static char pd_path[256];		/* file to remove on failure */

/* pd_cleanup - remove the unfinished file (also from signal handlers). */
static void pd_cleanup(void)
{
    if (pd_path[0])
	(void) unlink(pd_path);
    pd_path[0] = 0;
}

static void pd_signal(int sig)
{
    if (pd_path[0])
	(void) unlink(pd_path);
    _exit(128 + sig);
}

/* alt_config_ok - a setgid postdrop accepts a non-default configuration
 * directory only if the default main.cf lists it in
 * alternate_config_directories or multi_instance_directories. */
static int alt_config_ok(const char *dir)
{
    const char *names[] = {"alternate_config_directories", "multi_instance_directories", 0};
    int     ok = 0;

    if (strcmp(dir, DEF_CONFIG_DIR) == 0)
	return 1;
    mail_conf_read(DEF_CONFIG_DIR);
    for (int n = 0; names[n] && !ok; n++) {
	char   *val = mail_conf_lookup_eval(names[n]);
	ARGV   *list;

	if (val == 0)
	    continue;
	list = argv_split_list(val);
	for (int i = 0; i < list->argc; i++)
	    if (strcmp(list->argv[i], dir) == 0)
		ok = 1;
	argv_free(list);
	myfree(val);
    }
    mail_conf_reset();
    return ok;
}

static void usage(void)
{
    msg_fatal_status(EX_USAGE, "usage: postdrop [-c config_dir] [-r] [-v]");
}

int     main(int argc, char **argv)
{
    const char *config_dir = 0;
    STREAM *in, *dst;
    VSTR   *id = vstr_alloc(32);
    VSTR   *buf = vstr_alloc(512);
    struct timeval tv;
    long    uid = (long) getuid();
    long    content = 0, nrcpt = 0;
    int     state = 0;			/* 0 attrs, 1 envelope, 2 content, 3 done */
    int     pending_orcpt = 0, pending_notify = 0;
    int     c, fd, type;
    size_t  maxlen;
    int     dfd;

    /* Make sure 0, 1, 2 are open. */
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
	;
    if (fd > 2)
	close(fd);
    umask(022);
    msg_init("postdrop", MSG_STDERR);

    while ((c = getopt(argc, argv, "c:rv")) > 0) {
	switch (c) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'r':
	    break;				/* record input: the only kind */
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage();
	}
    }
    if (optind != argc)
	usage();

    /* Privileged (setgid): don't let the caller pick any configuration. */
    if (getegid() != getgid() || geteuid() != getuid()) {
	const char *dir = config_dir ? config_dir : getenv("MAIL_CONFIG");

	if (dir && *dir && !alt_config_ok(dir))
	    msg_fatal_status(EX_USAGE, "%s: permission denied: configuration "
			     "directory not listed in alternate_config_directories", dir);
    }
    mail_conf_init(config_dir);

    if (chdir(var_queue_dir) < 0)
	msg_fatal_status(EX_TEMPFAIL, "chdir %s: %s", var_queue_dir, strerror(errno));

    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, pd_signal);
    signal(SIGINT, pd_signal);
    signal(SIGQUIT, pd_signal);
    signal(SIGTERM, pd_signal);
    msg_cleanup(pd_cleanup);

    /* Block signals while the name is being set up. */
    {
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fd = mail_queue_create(MAIL_QUEUE_MAILDROP, id);
	if (fd >= 0)
	    snprintf(pd_path, sizeof(pd_path), "%s/%s", MAIL_QUEUE_MAILDROP, vstr_str(id));
	sigprocmask(SIG_SETMASK, &old, 0);
    }
    if (fd < 0)
	msg_fatal_status(EX_TEMPFAIL, "uid=%ld: create file %s/...: %s", uid,
			 MAIL_QUEUE_MAILDROP, strerror(errno));
    if (fchmod(fd, PD_MODE_PARTIAL) < 0)
	msg_fatal_status(EX_TEMPFAIL, "chmod %s: %s", pd_path, strerror(errno));
    dst = stream_fdopen(fd, 0);

    if (gettimeofday(&tv, 0) < 0)
	msg_fatal_status(EX_TEMPFAIL, "gettimeofday: %s", strerror(errno));
    rec_fprintf(dst, REC_TYPE_TIME, "%ld %ld", (long) tv.tv_sec, (long) tv.tv_usec);

    /* Copy the records, checking the order and sizes. */
    in = stream_fdopen(0, PD_INPUT_TIMEOUT);
    while (state != 3) {
	maxlen = state == 2 ? (size_t) (var_line_limit > 0 ? var_line_limit : 2048) + 1 : PD_ENV_MAX;
	type = rec_get(in, buf, maxlen, 0);
	if (type == REC_TYPE_EOF)
	    msg_fatal_status(EX_DATAERR, "uid=%ld: premature end of input", uid);
	if (type == REC_TYPE_ERROR)
	    msg_fatal_status(EX_DATAERR, "uid=%ld: %s", uid, stream_timedout(in) ?
			     "timeout reading input" : "malformed input");
	switch (state) {
	case 0:
	    if (type == REC_TYPE_ATTR) {
		const char *eq = strchr(buf->str, '=');

		if (eq == 0 || eq == buf->str || memchr(buf->str, 0, vstr_len(buf)))
		    msg_fatal_status(EX_DATAERR, "uid=%ld: malformed attribute", uid);
		break;
	    }
	    if (type != REC_TYPE_FROM)
		msg_fatal_status(EX_DATAERR, "uid=%ld: unexpected record type: %d", uid, type);
	    if (memchr(buf->str, 0, vstr_len(buf)) || strchr(buf->str, '\n'))
		msg_fatal_status(EX_DATAERR, "uid=%ld: malformed sender address", uid);
	    state = 1;
	    break;
	case 1:
	    if (type == REC_TYPE_ORCP && !pending_orcpt) {
		pending_orcpt = 1;
	    } else if (type == REC_TYPE_NOTIFY && !pending_notify) {
		char   *end;
		long    bits = strtol(buf->str, &end, 10);

		if (vstr_len(buf) == 0 || *end || bits < 0 || bits > 15)
		    msg_fatal_status(EX_DATAERR, "uid=%ld: malformed notify record", uid);
		pending_notify = 1;
	    } else if (type == REC_TYPE_RCPT) {
		if (vstr_len(buf) == 0 || memchr(buf->str, 0, vstr_len(buf))
		    || strchr(buf->str, '\n'))
		    msg_fatal_status(EX_DATAERR, "uid=%ld: malformed recipient address", uid);
		pending_orcpt = pending_notify = 0;
		nrcpt++;
	    } else if (type == REC_TYPE_MESG && !pending_orcpt && !pending_notify) {
		state = 2;
	    } else {
		msg_fatal_status(EX_DATAERR, "uid=%ld: unexpected record type: %d", uid, type);
	    }
	    break;
	case 2:
	    if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
		if (memchr(buf->str, '\n', vstr_len(buf)))
		    msg_fatal_status(EX_DATAERR, "uid=%ld: malformed content line", uid);
		content += (long) vstr_len(buf) + (type == REC_TYPE_NORM);
		/* Let cleanup decide about message_size_limit; only bound
		 * the disk space one submission may take. */
		if (var_message_limit > 0 && content > var_message_limit + 102400L)
		    msg_fatal_status(EX_DATAERR, "uid=%ld: message file too big", uid);
	    } else if (type == REC_TYPE_XTRA) {
		state = 3;
	    } else {
		msg_fatal_status(EX_DATAERR, "uid=%ld: unexpected record type: %d", uid, type);
	    }
	    break;
	}
	if (rec_put(dst, type, buf->str, vstr_len(buf)) < 0)
	    msg_fatal_status(EX_TEMPFAIL, "uid=%ld: error writing %s: %s", uid, pd_path,
			     strerror(errno));
    }
    /* Nothing may follow X. */
    if ((type = rec_get(in, buf, 0, 0)) != REC_TYPE_EOF)
	msg_fatal_status(EX_DATAERR, "uid=%ld: unexpected data after end of message", uid);
    stream_free(in);

    if (rec_put(dst, REC_TYPE_END, "", 0) < 0 || stream_flush(dst) < 0)
	msg_fatal_status(EX_TEMPFAIL, "uid=%ld: error writing %s: %s", uid, pd_path,
			 strerror(errno));
    if (fchmod(fd, PD_MODE_READY) < 0)
	msg_fatal_status(EX_TEMPFAIL, "chmod %s: %s", pd_path, strerror(errno));
    if (fsync(fd) < 0)
	msg_fatal_status(EX_TEMPFAIL, "fsync %s: %s", pd_path, strerror(errno));
    stream_free(dst);
    if (close(fd) < 0)
	msg_fatal_status(EX_TEMPFAIL, "close %s: %s", pd_path, strerror(errno));
    /* The directory entry too, where we may open the directory (root or
     * mail_owner; ordinary users have no read permission on maildrop/). */
    if ((dfd = open(MAIL_QUEUE_MAILDROP, O_RDONLY | O_DIRECTORY)) >= 0) {
	if (fsync(dfd) < 0)
	    msg_fatal_status(EX_TEMPFAIL, "fsync %s: %s", MAIL_QUEUE_MAILDROP, strerror(errno));
	close(dfd);
    }
    pd_path[0] = 0;				/* it is pickup's now */
    if (msg_verbose)
	msg_info("uid=%ld: %s: nrcpt=%ld", uid, vstr_str(id), nrcpt);

    if (mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_PICKUP, "W", 1) < 0)
	msg_warn("unable to look up %s/%s: %s", MAIL_CLASS_PUBLIC,
		 MAIL_SERVICE_PICKUP, strerror(errno));
    vstr_free(id);
    vstr_free(buf);
    exit(0);
}
