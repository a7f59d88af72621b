/* dlv_common.c - shared by local(8) and virtual(8): open the queue file,
 * check for Delivered-To loops, copy the message with Return-Path,
 * X-Original-To and Delivered-To prepended (mbox "From " line and >From
 * quoting when asked), append to an mbox under fcntl/flock/dotlock locks,
 * or write a Maildir file (tmp/ then new/), switching to the owner's
 * uid/gid when running as root. */
#include "util/sys_defs.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>
#include <poll.h>
#include <time.h>
#include <ctype.h>
#include <strings.h>

#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/stream.h"
#include "util/argv.h"
#include "util/iostuff.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_addr.h"
#include "global/record.h"
#include "global/qfile.h"
#include "local/dlv_common.h"

#define DLV_LOCK_ATTEMPTS	20	/* deliver_lock_attempts */
#define DLV_LOCK_DELAY		1	/* deliver_lock_delay, seconds */
#define DLV_STALE_LOCK		500	/* stale_lock_time, seconds */
#define DLV_HDR_SCAN_MAX	(1024 * 1024)	/* bytes of headers scanned for loops */

int     dlv_copy_timeout;
static STREAM_WRITE_FN dlv_copy_wr;	/* dlv_run: write function of dlv_copy's stream */
static void *dlv_copy_ctx;

void    dlv_result_init(DLV_RESULT *res)
{
    res->status = DLV_STAT_DEFER;
    snprintf(res->dsn, sizeof(res->dsn), "4.3.0");
    res->text = vstr_alloc(100);
    res->diag = vstr_alloc(10);
}

void    dlv_result_done(DLV_RESULT *res)
{
    res->text = vstr_free(res->text);
    res->diag = vstr_free(res->diag);
}

void    dlv_result_set(DLV_RESULT *res, int status, const char *dsn, const char *fmt,...)
{
    va_list ap;

    res->status = status;
    snprintf(res->dsn, sizeof(res->dsn), "%s", dsn);
    vstr_reset(res->text);
    vstr_reset(res->diag);
    va_start(ap, fmt);
    vstr_vsprintf_append(res->text, fmt, ap);
    va_end(ap);
}

void    dlv_apply(DELIVER_RCPT *rcpt, const DLV_RESULT *res)
{
    /* An empty diagnostic makes bounce(8) show "X-Postfix; reason". */
    deliver_rcpt_status(rcpt, res->status, res->dsn, vstr_str(res->diag), "",
			"%s", vstr_str(res->text));
}

int     dlv_open_queue_file(const DELIVER_REQUEST *req)
{
    VSTR   *path = vstr_alloc(64);
    int     fd;

    mail_queue_path(path, req->queue_name, req->queue_id);
    /* Close-on-exec: a command run by dlv_run must not see the queue file. */
    if ((fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
	msg_warn("open queue file %s: %s", vstr_str(path), strerror(errno));
    vstr_free(path);
    return (fd);
}

/* header_name_is - does line start with "name:" (case-insensitive, optional blanks before ':')? */
static const char *header_value(const char *line, const char *name)
{
    size_t  n = strlen(name);
    const char *cp;

    if (strncasecmp(line, name, n) != 0)
	return (0);
    for (cp = line + n; *cp == ' ' || *cp == '\t'; cp++)
	 /* void */ ;
    if (*cp != ':')
	return (0);
    for (cp++; *cp == ' ' || *cp == '\t'; cp++)
	 /* void */ ;
    return (cp);
}

int     dlv_loop_check(int qfd, const DELIVER_REQUEST *req, const char *addr)
{
    STREAM *s;
    VSTR   *line = vstr_alloc(256);
    long    seen = 0;
    int     type;
    int     loop = 0;
    int     at_start = 1;
    const char *val;
    char   *copy;

    if ((s = qfile_content_start(qfd, req->content_offset, 0)) == 0) {
	vstr_free(line);
	return (0);
    }
    while ((type = qfile_get_line(s, line)) == REC_TYPE_NORM || type == REC_TYPE_CONT) {
	seen += vstr_len(line) + 1;
	if (seen > DLV_HDR_SCAN_MAX)
	    break;
	if (at_start) {
	    if (vstr_len(line) == 0 && type == REC_TYPE_NORM)
		break;				/* end of headers */
	    if ((val = header_value(vstr_str(line), "Delivered-To")) != 0) {
		copy = mystrdup(val);
		if (strcasecmp(trimblanks(copy), addr) == 0)
		    loop = 1;
		myfree(copy);
		if (loop)
		    break;
	    }
	}
	at_start = (type == REC_TYPE_NORM);
    }
    stream_free(s);
    vstr_free(line);
    return (loop);
}

/* hdr_safe - s with CR and LF replaced (never split a prepended header) into buf. */
static const char *hdr_safe(VSTR *buf, const char *s)
{
    char   *cp;

    vstr_set(buf, s);
    for (cp = vstr_str(buf); *cp; cp++)
	if (*cp == '\r' || *cp == '\n')
	    *cp = ' ';
    return (vstr_str(buf));
}

/* copy_prepend - write the prepended headers (and the mbox From_ line). */
static void copy_prepend(STREAM *out, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
			         const char *delivered_to, int flags)
{
    VSTR   *q = vstr_alloc(100);
    VSTR   *h = vstr_alloc(100);
    time_t  now = time((time_t *) 0);
    char    tbuf[64];
    struct tm *tm = localtime(&now);

    if (flags & DLV_COPY_FROM_LINE) {
	if (tm == 0 || strftime(tbuf, sizeof(tbuf), "%a %b %e %H:%M:%S %Y", tm) == 0)
	    snprintf(tbuf, sizeof(tbuf), "%ld", (long) now);
	stream_printf(out, "From %s  %s\n",
		      *req->sender ? hdr_safe(h, req->sender) : "MAILER-DAEMON", tbuf);
    }
    if (flags & DLV_COPY_RETURN_PATH)
	stream_printf(out, "Return-Path: <%s>\n",
		      *req->sender ? hdr_safe(h, addr_quote(q, req->sender)) : "");
    if ((flags & DLV_COPY_ORIG_RCPT) && rcpt->orig_rcpt && *rcpt->orig_rcpt)
	stream_printf(out, "X-Original-To: %s\n", hdr_safe(h, rcpt->orig_rcpt));
    if ((flags & DLV_COPY_DELIVERED) && delivered_to && *delivered_to)
	stream_printf(out, "Delivered-To: %s\n", hdr_safe(h, delivered_to));
    vstr_free(q);
    vstr_free(h);
}

int     dlv_copy(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
		         const char *delivered_to, int out_fd, int flags, VSTR *why)
{
    STREAM *in;
    STREAM *out;
    VSTR   *line;
    int     type;
    int     at_start = 1;
    int     saved;

    if ((in = qfile_content_start(qfd, req->content_offset, 0)) == 0) {
	saved = errno;
	vstr_sprintf(why, "cannot read queue file: %s", strerror(saved));
	errno = saved;
	return (-1);
    }
    out = stream_fdopen(out_fd, dlv_copy_timeout);
    if (dlv_copy_wr)
	stream_set_io(out, 0, dlv_copy_wr, dlv_copy_ctx);
    line = vstr_alloc(1024);
    copy_prepend(out, req, rcpt, delivered_to, flags);
    while ((type = qfile_get_line(in, line)) == REC_TYPE_NORM || type == REC_TYPE_CONT) {
	if (at_start && (flags & DLV_COPY_QUOTE) && strncmp(vstr_str(line), "From ", 5) == 0)
	    stream_write(out, ">", 1);
	if (at_start && (flags & DLV_COPY_DOT) && vstr_str(line)[0] == '.')
	    stream_write(out, ".", 1);
	stream_write(out, vstr_str(line), vstr_len(line));
	if (type == REC_TYPE_NORM) {
	    stream_write(out, "\n", 1);
	}
	at_start = (type == REC_TYPE_NORM);
	if (stream_error(out))
	    break;
    }
    if (type != REC_TYPE_XTRA && !stream_error(out)) {
	stream_free(in);
	stream_free(out);
	vstr_free(line);
	vstr_sprintf(why, "error reading queue file %s/%s", req->queue_name, req->queue_id);
	errno = EIO;
	return (-1);
    }
    if (!at_start)
	stream_write(out, "\n", 1);
    if (flags & DLV_COPY_BLANK)
	stream_write(out, "\n", 1);
    stream_free(in);
    vstr_free(line);
    if (stream_flush(out) < 0 || stream_error(out)) {
	saved = errno ? errno : EIO;
	stream_free(out);
	vstr_sprintf(why, "error writing message: %s", strerror(saved));
	errno = saved;
	return (-1);
    }
    stream_free(out);
    if (!(flags & DLV_COPY_NOSYNC) && fsync(out_fd) < 0) {
	saved = errno;
	vstr_sprintf(why, "error writing message: %s", strerror(saved));
	errno = saved;
	return (-1);
    }
    return (0);
}

int     dlv_lock_flags(const char *list)
{
    ARGV   *a = argv_split(list, ", \t\r\n");
    int     flags = 0;
    int     i;

    for (i = 0; i < a->argc; i++) {
	if (strcasecmp(a->argv[i], "fcntl") == 0)
	    flags |= DLV_LOCK_FCNTL;
	else if (strcasecmp(a->argv[i], "flock") == 0)
	    flags |= DLV_LOCK_FLOCK;
	else if (strcasecmp(a->argv[i], "dotlock") == 0)
	    flags |= DLV_LOCK_DOTLOCK;
	else {
	    argv_free(a);
	    return (-1);
	}
    }
    argv_free(a);
    return (flags);
}

int     dlv_running_as_root(void)
{
    return (getuid() == 0);
}

void    dlv_set_eugid(uid_t uid, gid_t gid)
{
    if (!dlv_running_as_root())
	return;
    if (geteuid() != 0 && seteuid(0) < 0)
	msg_fatal("seteuid(0): %s", strerror(errno));
    if (setegid(gid) < 0)
	msg_fatal("setegid(%ld): %s", (long) gid, strerror(errno));
    if (setgroups(1, &gid) < 0)
	msg_fatal("setgroups(%ld): %s", (long) gid, strerror(errno));
    if (uid != 0 && seteuid(uid) < 0)
	msg_fatal("seteuid(%ld): %s", (long) uid, strerror(errno));
}

void    dlv_restore_eugid(void)
{
    gid_t   g = 0;

    if (!dlv_running_as_root())
	return;
    if (seteuid(0) < 0)
	msg_fatal("seteuid(0): %s", strerror(errno));
    if (setegid(0) < 0)
	msg_fatal("setegid(0): %s", strerror(errno));
    if (setgroups(1, &g) < 0)
	msg_fatal("setgroups(0): %s", strerror(errno));
}

/* dot_lock - create path.lock; 0 ok, -1 with errno (EEXIST: still held after retries). */
static int dot_lock(const char *path, VSTR *why)
{
    VSTR   *lock = vstr_alloc(100);
    struct stat st;
    int     fd;
    int     i;

    vstr_sprintf(lock, "%s.lock", path);
    for (i = 0; i < DLV_LOCK_ATTEMPTS; i++) {
	if ((fd = open(vstr_str(lock), O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0) {
	    if (close(fd) < 0)
		msg_warn("close %s: %s", vstr_str(lock), strerror(errno));
	    vstr_free(lock);
	    return (0);
	}
	if (errno != EEXIST)
	    break;
	if (stat(vstr_str(lock), &st) == 0 && st.st_mtime + DLV_STALE_LOCK < time((time_t *) 0)) {
	    if (unlink(vstr_str(lock)) == 0)
		msg_warn("%s: removed stale lock", vstr_str(lock));
	    continue;
	}
	sleep(DLV_LOCK_DELAY);
    }
    {
	int     saved = errno;

	vstr_sprintf(why, "unable to create lock file %s: %s", vstr_str(lock), strerror(saved));
	vstr_free(lock);
	errno = saved;
    }
    return (-1);
}

static void dot_unlock(const char *path)
{
    VSTR   *lock = vstr_alloc(100);

    vstr_sprintf(lock, "%s.lock", path);
    if (unlink(vstr_str(lock)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %s", vstr_str(lock), strerror(errno));
    vstr_free(lock);
}

/* kernel_lock - fcntl and/or flock exclusive lock with retries. */
static int kernel_lock(int fd, int locks, const char *path, VSTR *why)
{
    struct flock fl;
    int     i;

    if (locks & DLV_LOCK_FCNTL) {
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (i = 0; fcntl(fd, F_SETLK, &fl) < 0; i++) {
	    if ((errno != EAGAIN && errno != EACCES && errno != EINTR) || i >= DLV_LOCK_ATTEMPTS) {
		vstr_sprintf(why, "unable to lock for exclusive access: %s (%s)", strerror(errno), path);
		return (-1);
	    }
	    sleep(DLV_LOCK_DELAY);
	}
    }
    if (locks & DLV_LOCK_FLOCK) {
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
	    if ((errno != EWOULDBLOCK && errno != EINTR) || i >= DLV_LOCK_ATTEMPTS) {
		vstr_sprintf(why, "unable to lock for exclusive access: %s (%s)", strerror(errno), path);
		return (-1);
	    }
	    sleep(DLV_LOCK_DELAY);
	}
    }
    return (0);
}

/* undo_append - a failed append leaves the mailbox as it was (Postfix's
 * mail_copy truncates it back); fd is open for writing and locked. */
static void undo_append(int fd, const char *path, off_t orig_size)
{
    if (ftruncate(fd, orig_size) < 0)
	msg_warn("truncate %s: %s", path, strerror(errno));
}

/* close_appended - close the mailbox after a successful append; a close
 * error (NFS write-back, quota) fails the append, which is then undone.
 * close() drops the fcntl lock, so a second descriptor takes the locks
 * again and truncates only if nobody appended in the meantime. Returns 0,
 * or -1 with errno of close(). */
static int close_appended(int fd, const char *path, int locks, off_t orig_size)
{
    struct stat st;
    off_t   end_size;
    int     spare, err;
    VSTR   *why;

    if (fstat(fd, &st) < 0 || (spare = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
	err = errno;
	undo_append(fd, path, orig_size);
	(void) close(fd);
	errno = err;
	return (-1);
    }
    end_size = st.st_size;
    if (close(fd) == 0) {
	(void) close(spare);
	return (0);
    }
    err = errno;
    why = vstr_alloc(100);
    if (kernel_lock(spare, locks, path, why) < 0)
	msg_warn("%s: cannot truncate the failed append: %s", path, vstr_str(why));
    else if (fstat(spare, &st) < 0 || st.st_size != end_size)
	msg_warn("%s: cannot truncate the failed append: the file changed after close", path);
    else
	undo_append(spare, path, orig_size);
    vstr_free(why);
    (void) close(spare);
    errno = err;
    return (-1);
}

/* write_error_result - map a write errno to Postfix-like status; the
 * text is prefix (where it failed) then detail (what failed). */
static void write_error_result(DLV_RESULT *res, int err, const char *prefix, const char *detail)
{
    if (err == EFBIG || err == EDQUOT || err == ENOSPC)
	dlv_result_set(res, err == ENOSPC ? DLV_STAT_DEFER : DLV_STAT_BOUNCE,
		       err == ENOSPC ? "4.3.0" : "5.2.2", "%s%s", prefix, detail);
    else
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "%s%s", prefix, detail);
}

/* mbox_fsync_parent - fsync the directory that holds path; 0 or -1 (errno). */
static int mbox_fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char   *dir;
    int     ret;

    if (slash == 0)
	return (fsync_dir("."));
    dir = mystrndup(path, slash > path ? (size_t) (slash - path) : 1);
    ret = fsync_dir(dir);
    myfree(dir);
    return (ret);
}

void    dlv_mbox_deliver(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
			         const char *delivered_to, const char *path,
			         uid_t uid, gid_t gid, int locks, long limit,
			         int create_privileged, const char *success_text,
			         const char *fail_prefix, DLV_RESULT *res)
{
    VSTR   *why = vstr_alloc(100);
    VSTR   *prefix = vstr_alloc(100);
    struct stat st;
    int     fd = -1;
    int     dotlocked = 0;
    int     created = 0;
    int     as_user = 0;
    int     appending = 0;		/* the mailbox may have grown */
    off_t   orig_size = 0;
    int     err;

    if (fail_prefix)
	vstr_set(prefix, fail_prefix);
    else
	vstr_sprintf(prefix, "cannot update mailbox %s for user %s. ", path, delivered_to);
    if (!create_privileged)
	dlv_set_eugid(uid, gid);

    if ((locks & DLV_LOCK_DOTLOCK) && dot_lock(path, why) == 0)
	dotlocked = 1;
    else if (locks & DLV_LOCK_DOTLOCK) {
	/* A directory we may not write (e.g. a file alias in /etc): like
	 * Postfix, only a lock that exists and cannot be taken is fatal. */
	if (errno == EEXIST) {
	    dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "cannot update mailbox %s. %s", path, vstr_str(why));
	    goto done;
	}
    }
    /* Never follow a symlink; O_NONBLOCK: a FIFO put in place of the
     * mailbox must not block us in open() (cleared once it is a file). */
    fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY
		  | O_NONBLOCK | O_CLOEXEC, 0600);
	created = (fd >= 0);
    }
    if (fd < 0) {
	err = errno;
	dlv_result_set(res, DLV_STAT_DEFER, "5.2.0", "cannot open file: %s", strerror(err));
	vstr_sprintf(res->text, "cannot update mailbox %s for user %s. cannot open file: %s",
		     path, delivered_to, strerror(err));
	snprintf(res->dsn, sizeof(res->dsn), "%s", err == EACCES ? "5.2.0" : "4.2.0");
	res->status = err == EACCES ? DLV_STAT_BOUNCE : DLV_STAT_DEFER;
	goto done;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
	dlv_result_set(res, DLV_STAT_BOUNCE, "5.2.0",
		       "cannot update mailbox %s for user %s. file is not a regular file or has multiple links",
		       path, delivered_to);
	goto done;
    }
    non_blocking(fd, 0);
    if (created && dlv_running_as_root() && geteuid() == 0 && fchown(fd, uid, gid) < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "cannot update mailbox %s. fchown: %s",
		       path, strerror(errno));
	goto done;
    }
    if (create_privileged && !created && dlv_running_as_root() && st.st_uid != uid) {
	dlv_result_set(res, DLV_STAT_BOUNCE, "5.2.0",
		       "cannot update mailbox %s for user %s. file has bad owner (uid %ld)",
		       path, delivered_to, (long) st.st_uid);
	goto done;
    }
    if (kernel_lock(fd, locks, path, why) < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "cannot update mailbox %s for user %s. %s",
		       path, delivered_to, vstr_str(why));
	goto done;
    }
    if (fstat(fd, &st) < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "cannot update mailbox %s: %s", path, strerror(errno));
	goto done;
    }
    orig_size = st.st_size;
    /* Opened and locked as root in the spool: write as the user, as
     * Postfix does (quotas and reserved blocks apply to the user). */
    if (create_privileged && dlv_running_as_root()) {
	dlv_set_eugid(uid, gid);
	as_user = 1;
    }
    if (limit > 0 && orig_size + req->message_size > limit) {
	write_error_result(res, EFBIG, vstr_str(prefix), "error writing message: File too large");
	goto done;
    }
    /* From here on every failure truncates the mailbox back (at done:). */
    appending = 1;
    if (dlv_copy(qfd, req, rcpt, delivered_to, fd, DLV_COPY_MBOX | DLV_COPY_HEADERS, why) < 0) {
	write_error_result(res, errno, vstr_str(prefix), vstr_str(why));
	goto done;
    }
    if (limit > 0 && fstat(fd, &st) == 0 && st.st_size > limit) {
	write_error_result(res, EFBIG, vstr_str(prefix), "error writing message: File too large");
	goto done;
    }
    /* A new mailbox's directory entry must be on disk too. A directory we
     * may not read (write-only) only gets a warning: deferring would
     * append the message again at every retry. */
    if (created && mbox_fsync_parent(path) < 0) {
	if (errno == EACCES || errno == EPERM) {
	    msg_warn("cannot fsync the directory of %s: %s", path, strerror(errno));
	} else {
	    dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "%sfsync directory: %s",
			   vstr_str(prefix), strerror(errno));
	    goto done;
	}
    }
    dlv_result_set(res, DLV_STAT_SENT, "2.0.0", "%s", success_text);

done:
    if (fd >= 0 && appending && res->status != DLV_STAT_SENT) {
	/* As Postfix: a failed append leaves the mailbox as it was. */
	undo_append(fd, path, orig_size);
	(void) close(fd);
    } else if (fd >= 0 && appending) {
	if (close_appended(fd, path, locks, orig_size) < 0)
	    dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "cannot update mailbox %s: close: %s",
			   path, strerror(errno));
    } else if (fd >= 0) {
	(void) close(fd);			/* nothing was written */
    }
    if (as_user)
	dlv_restore_eugid();			/* the dotlock was made as root */
    if (dotlocked)
	dot_unlock(path);
    if (!create_privileged)
	dlv_restore_eugid();
    vstr_free(why);
    vstr_free(prefix);
}

/* maildir_host - this machine's name for Maildir file names ('/' and ':' escaped). */
static void maildir_host(VSTR *buf)
{
    struct utsname u;
    const char *cp;

    vstr_reset(buf);
    if (uname(&u) < 0 || !*u.nodename) {
	vstr_adds(buf, "localhost");
	return;
    }
    for (cp = u.nodename; *cp; cp++) {
	if (*cp == '/')
	    vstr_adds(buf, "\\057");
	else if (*cp == ':')
	    vstr_adds(buf, "\\072");
	else
	    vstr_addch(buf, *cp);
    }
}

/* make_dir - mkdir (mode 0700) if missing; 0 ok, -1 errno. */
static int make_dir(const char *path)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
	return (-1);
    return (0);
}

/* make_dirs - create path and its missing parents (as the current eugid). */
static int make_dirs(const char *path)
{
    char   *copy = mystrdup(path);
    char   *cp;
    int     ret = 0;

    for (cp = copy + 1; *cp; cp++) {
	if (*cp == '/') {
	    *cp = 0;
	    if (make_dir(copy) < 0) {
		ret = -1;
		break;
	    }
	    *cp = '/';
	}
    }
    if (ret == 0 && make_dir(copy) < 0)
	ret = -1;
    myfree(copy);
    return (ret);
}

/* maildir_create_error - Postfix's result and warnings when the Maildir
 * or its file cannot be created. */
static void maildir_create_error(DLV_RESULT *res, const char *prefix, const char *path,
				         int err, uid_t uid, gid_t gid)
{
    dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "%screate maildir file %s: %s",
		   prefix, path, strerror(err));
    if (err == EACCES) {
	msg_warn("maildir access problem for UID/GID=%ld/%ld: create maildir file %s: %s",
		 (long) uid, (long) gid, path, strerror(err));
	msg_warn("perhaps you need to create the maildirs in advance");
    }
}

void    dlv_maildir_deliver(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
			            const char *delivered_to, const char *dir,
			            uid_t uid, gid_t gid, long limit, const char *fail_prefix,
			            DLV_RESULT *res)
{
    VSTR   *base = vstr_alloc(100);
    VSTR   *tmp = vstr_alloc(100);
    VSTR   *newf = vstr_alloc(100);
    VSTR   *host = vstr_alloc(32);
    VSTR   *why = vstr_alloc(100);
    struct timeval tv;
    struct stat st;
    int     fd = -1;
    int     err;
    static unsigned long count;

    if (fail_prefix == 0)
	fail_prefix = "maildir delivery failed: ";
    vstr_set(base, dir);
    while (vstr_len(base) > 1 && vstr_str(base)[vstr_len(base) - 1] == '/')
	vstr_truncate(base, vstr_len(base) - 1);
    dlv_set_eugid(uid, gid);
    maildir_host(host);
    gettimeofday(&tv, (struct timezone *) 0);
    vstr_sprintf(tmp, "%s/tmp/%ld.P%ldQ%lu.%s", vstr_str(base), (long) tv.tv_sec,
		 (long) getpid(), ++count, vstr_str(host));
    /* The directories first (as the owner), then the file in tmp/. */
    vstr_sprintf(why, "%s/tmp", vstr_str(base));
    vstr_sprintf(newf, "%s/new", vstr_str(base));
    err = make_dirs(vstr_str(why)) < 0 || make_dir(vstr_str(newf)) < 0;
    if (!err) {
	vstr_sprintf(why, "%s/cur", vstr_str(base));
	err = make_dir(vstr_str(why)) < 0;
    }
    if (err || (fd = open(vstr_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600)) < 0) {
	maildir_create_error(res, fail_prefix, vstr_str(tmp), errno, uid, gid);
	goto done;
    }
    if (fstat(fd, &st) < 0) {
	maildir_create_error(res, fail_prefix, vstr_str(tmp), errno, uid, gid);
	goto fail;
    }
    if (dlv_copy(qfd, req, rcpt, delivered_to, fd, DLV_COPY_HEADERS, why) < 0) {
	err = errno;
	write_error_result(res, err, fail_prefix, vstr_str(why));
	goto fail;
    }
    if (limit > 0 && fstat(fd, &st) == 0 && st.st_size > limit) {
	write_error_result(res, EFBIG, fail_prefix, "error writing message: File too large");
	goto fail;
    }
    if (close(fd) < 0) {
	fd = -1;
	err = errno;
	vstr_sprintf(why, "error writing message: %s", strerror(err));
	write_error_result(res, err, fail_prefix, vstr_str(why));
	goto fail;
    }
    fd = -1;
    vstr_sprintf(newf, "%s/new/%ld.V%lxI%lxM%ld.%s", vstr_str(base), (long) tv.tv_sec,
		 (unsigned long) st.st_dev, (unsigned long) st.st_ino,
		 (long) tv.tv_usec, vstr_str(host));
    if (link(vstr_str(tmp), vstr_str(newf)) < 0) {
	err = errno;
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "%screate maildir file %s: %s",
		       fail_prefix, vstr_str(newf), strerror(err));
	goto fail;
    }
    if (unlink(vstr_str(tmp)) < 0)
	msg_warn("remove %s: %s", vstr_str(tmp), strerror(errno));
    vstr_sprintf(why, "%s/new", vstr_str(base));
    if (fsync_dir(vstr_str(why)) < 0) {
	err = errno;
	dlv_result_set(res, DLV_STAT_DEFER, "4.2.0", "%sfsync %s: %s", fail_prefix,
		       vstr_str(why), strerror(err));
	(void) unlink(vstr_str(newf));
	goto done;
    }
    dlv_result_set(res, DLV_STAT_SENT, "2.0.0", "delivered to maildir");
    goto done;

fail:
    if (fd >= 0)
	(void) close(fd);
    (void) unlink(vstr_str(tmp));
done:
    dlv_restore_eugid();
    vstr_free(base);
    vstr_free(tmp);
    vstr_free(newf);
    vstr_free(host);
    vstr_free(why);
}

/* Postfix's table of sysexits.h codes. */
static const struct {
    int     code;
    const char *dsn;
    const char *text;
} sys_exits[] = {
    {64, "5.3.0", "command line usage error"},
    {65, "5.6.0", "data format error"},
    {66, "5.3.0", "cannot open input"},
    {67, "5.1.1", "user unknown"},
    {68, "5.1.2", "host name unknown"},
    {69, "5.3.0", "service unavailable"},
    {70, "5.3.0", "internal software error"},
    {71, "4.3.0", "system resource problem"},
    {72, "5.3.0", "critical OS file missing"},
    {73, "5.2.0", "can't create user output file"},
    {74, "5.3.0", "input/output error"},
    {75, "4.3.0", "temporary failure"},
    {76, "5.5.0", "remote error in protocol"},
    {77, "5.7.0", "permission denied"},
    {78, "5.3.5", "local configuration error"},
};

void    dlv_command_result(int wait_status, const char *cmd, const char *output,
			           const char *sent_text, DLV_RESULT *res)
{
    VSTR   *out = vstr_alloc(100);
    size_t  i;
    int     code;

    if (output && *output)
	vstr_sprintf(out, ". Command output: %s", output);
    if (WIFSIGNALED(wait_status)) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "Command died with signal %d: \"%s\"%s",
		       WTERMSIG(wait_status), cmd, vstr_str(out));
    } else if ((code = WEXITSTATUS(wait_status)) == 0) {
	dlv_result_set(res, DLV_STAT_SENT, "2.0.0", "%s", sent_text);
    } else {
	for (i = 0; i < ARRAY_LEN(sys_exits); i++)
	    if (sys_exits[i].code == code)
		break;
	if (i < ARRAY_LEN(sys_exits))
	    dlv_result_set(res, sys_exits[i].dsn[0] == '4' ? DLV_STAT_DEFER : DLV_STAT_BOUNCE,
			   sys_exits[i].dsn, "%s%s", sys_exits[i].text, vstr_str(out));
	else
	    dlv_result_set(res, DLV_STAT_BOUNCE, "5.3.0", "Command died with status %d: \"%s\"%s",
			   code, cmd, vstr_str(out));
    }
    /* Postfix's DSN shows the command output as an x-unix diagnostic. */
    if (res->status != DLV_STAT_SENT && output && *output) {
	char   *copy = mystrdup(output);

	vstr_sprintf(res->diag, "x-unix; %s", trimblanks(copy));
	myfree(copy);
    }
    vstr_free(out);
}

/* The command's output while it runs: kept up to max bytes, the rest
 * read and dropped, so that a chatty command neither blocks on a full
 * pipe nor fills a disk. */
typedef struct DLV_DRAIN {
    int     fd;				/* read end of the output pipe, -1 at EOF */
    char   *buf;
    size_t  len;
    size_t  max;
} DLV_DRAIN;

/* drain_output - read what the command wrote so far (non-blocking). */
static void drain_output(DLV_DRAIN *d)
{
    char    chunk[4096];
    ssize_t n;

    while (d->fd >= 0) {
	n = read(d->fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    return;				/* EAGAIN: nothing more for now */
	if (n == 0) {
	    (void) close(d->fd);
	    d->fd = -1;
	    return;
	}
	if (d->len < d->max) {
	    size_t  keep = (size_t) n < d->max - d->len ? (size_t) n : d->max - d->len;

	    memcpy(d->buf + d->len, chunk, keep);
	    d->len += keep;
	}
    }
}

/* now_mono - seconds on the monotonic clock (sub-second resolution). */
static double now_mono(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	return ((double) time((time_t *) 0));
    return ((double) ts.tv_sec + ts.tv_nsec / 1e9);
}

/* run_write - STREAM write function for the command's standard input:
 * waits (up to timeout seconds) until the pipe takes data, reading the
 * command's output meanwhile. */
static ssize_t run_write(int fd, const void *buf, size_t len, int timeout, void *ctx)
{
    DLV_DRAIN *d = (DLV_DRAIN *) ctx;
    time_t  deadline = timeout > 0 ? time((time_t *) 0) + timeout : 0;
    struct pollfd pfd[2];
    ssize_t n;
    int     ms;

    for (;;) {
	pfd[0].fd = fd;
	pfd[0].events = POLLOUT;
	pfd[0].revents = 0;
	pfd[1].fd = d->fd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	ms = -1;
	if (deadline) {
	    time_t  left = deadline - time((time_t *) 0);

	    if (left <= 0) {
		errno = ETIMEDOUT;
		return (-1);
	    }
	    ms = (int) left * 1000;
	}
	if (poll(pfd, d->fd >= 0 ? 2 : 1, ms) < 0) {
	    if (errno == EINTR)
		continue;
	    return (-1);
	}
	if (d->fd >= 0 && pfd[1].revents)
	    drain_output(d);
	if (pfd[0].revents == 0)
	    continue;
	n = write(fd, buf, len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
	    continue;
	return (n);
    }
}

int     dlv_run(char **argv, const char *name, char **env, uid_t uid, gid_t gid, const char *dir,
		        int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
		        const char *delivered_to, int copy_flags, int time_limit,
		        size_t output_max, VSTR *output, int *wait_status, DLV_RESULT *res)
{
    VSTR   *why = vstr_alloc(100);
    DLV_DRAIN drain;
    int     pfd[2] = {-1, -1};
    int     ofd[2] = {-1, -1};
    pid_t   pid;
    pid_t   w = 0;
    int     copy_err = 0;
    double  deadline;
    size_t  i;
    int     ret = -1;

    vstr_reset(output);
    drain.fd = -1;
    drain.buf = mymalloc(output_max + 1);
    drain.len = 0;
    drain.max = output_max;
    if (dlv_running_as_root() && uid == 0) {
	/* Callers map root to default_privs; never run a command as root. */
	msg_warn("refusing to run command \"%s\" as root", argv[0]);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	goto done;
    }
    if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(ofd, O_CLOEXEC) < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "cannot run command: %s", strerror(errno));
	goto done;
    }
    if ((pid = fork()) < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "cannot run command: fork: %s", strerror(errno));
	goto done;
    }
    if (pid == 0) {
	/* Child: drop privileges for good, then exec (the pipes are close-on-exec). */
	if (dup2(pfd[0], 0) < 0 || dup2(ofd[1], 1) < 0 || dup2(ofd[1], 2) < 0)
	    _exit(75);
	for (i = 0; i < 3; i++)
	    close_on_exec((int) i, 0);		/* also when dup2() had nothing to do */
	if (dlv_running_as_root()) {
	    if ((geteuid() != 0 && seteuid(0) < 0) || setgid(gid) < 0
		|| setgroups(1, &gid) < 0 || setuid(uid) < 0)
		_exit(75);
	}
	if (chdir(dir && *dir ? dir : "/") < 0 && chdir("/") < 0)
	    _exit(75);
	signal(SIGPIPE, SIG_DFL);
	(void) setsid();			/* its own process group, killed as one */
	execve(argv[0], argv, env);
	fprintf(stderr, "execve %s: %s\n", argv[0], strerror(errno));
	_exit(75);
    }
    close(pfd[0]);
    pfd[0] = -1;
    close(ofd[1]);
    ofd[1] = -1;
    drain.fd = ofd[0];
    ofd[0] = -1;
    non_blocking(drain.fd, 1);
    non_blocking(pfd[1], 1);			/* partial writes: never block with output pending */
    signal(SIGPIPE, SIG_IGN);
    deadline = now_mono() + time_limit;
    dlv_copy_timeout = time_limit;
    dlv_copy_wr = run_write;
    dlv_copy_ctx = &drain;
    if (dlv_copy(qfd, req, rcpt, delivered_to, pfd[1], copy_flags | DLV_COPY_NOSYNC, why) < 0)
	copy_err = errno;
    if (copy_err == ETIMEDOUT)
	msg_warn("pipe_command_write: write time limit exceeded");
    dlv_copy_timeout = 0;
    dlv_copy_wr = 0;
    dlv_copy_ctx = 0;
    close(pfd[1]);
    pfd[1] = -1;
    /* Read output and reap the command, within the time limit. A process
     * it left behind holding the output pipe does not hold us up. */
    for (;;) {
	if (drain.fd >= 0) {
	    struct pollfd rfd;

	    rfd.fd = drain.fd;
	    rfd.events = POLLIN;
	    rfd.revents = 0;
	    if (poll(&rfd, 1, 100) > 0)
		drain_output(&drain);
	} else {
	    struct timespec ts = {0, 20 * 1000 * 1000};

	    nanosleep(&ts, 0);
	}
	if ((w = waitpid(pid, wait_status, WNOHANG)) != 0 || now_mono() >= deadline)
	    break;
    }
    if (w > 0)
	drain_output(&drain);
    if (w < 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "cannot run command: waitpid: %s", strerror(errno));
	goto done;
    }
    if (w == 0) {
	/* As Postfix: kill the command's process group, bounce (5.3.0). */
	if (copy_err != ETIMEDOUT)
	    msg_warn("pipe_command_read: read time limit exceeded");
	(void) kill(-pid, SIGKILL);
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, wait_status, 0);
	if (drain.fd >= 0)
	    drain_output(&drain);
    }
    for (i = 0; i < drain.len; i++)
	if (drain.buf[i] == '\n' || drain.buf[i] == '\r' || drain.buf[i] == '\t' || drain.buf[i] == 0)
	    drain.buf[i] = ' ';
    drain.buf[drain.len] = 0;
    printable(drain.buf, '?');
    vstr_set(output, drain.buf);
    if (w == 0) {
	char   *copy = mystrdup(drain.buf);

	dlv_result_set(res, DLV_STAT_BOUNCE, "5.3.0", "Command time limit exceeded: \"%s\"%s%s",
		       name ? name : argv[0], drain.len ? ". Command output: " : "", drain.buf);
	vstr_sprintf(res->diag, "x-unix; %s", drain.len ? trimblanks(copy) : "internal software error");
	myfree(copy);
	goto done;
    }
    if (copy_err && copy_err != EPIPE && WIFEXITED(*wait_status) && WEXITSTATUS(*wait_status) == 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "%s", vstr_str(why));
	goto done;
    }
    ret = 0;
done:
    if (drain.fd >= 0)
	close(drain.fd);
    myfree(drain.buf);
    for (i = 0; i < 2; i++) {
	if (pfd[i] >= 0)
	    close(pfd[i]);
	if (ofd[i] >= 0)
	    close(ofd[i]);
    }
    vstr_free(why);
    return (ret);
}
