/* pickup.c - the pickup daemon: feeds locally submitted mail from
 * maildrop/ to cleanup. A trigger server woken by postdrop (public/pickup)
 * and by the master.cf wakeup timer. Each complete maildrop file (mode
 * 0744, written by postdrop) is untrusted user input: its records are
 * checked strictly, then sent to cleanup with CLEANUP_FLAG_LOCAL, and the
 * file is removed only after cleanup reported the queue file durable, or,
 * when cleanup rejects it for good, after it was bounced to the sender. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_server.h"
#include "global/record.h"
#include "global/cleanup_client.h"
#include "global/deliver_request.h"
#include "qmgr/qmgr.h"

#define PICKUP_ENV_MAX	4096		/* longest envelope record */
#define PICKUP_MAX_FILES 10000		/* files handled per wakeup */
#define PICKUP_MAX_RCPT	100000		/* recipients per file */
#define PICKUP_QID_MAX	64		/* longest queue ID (mail_queue_id_ok) */

/* Outcome of one file. */
#define PICKUP_DONE	0		/* delivered to cleanup, or dropped: file removed */
#define PICKUP_SKIP	1		/* not ready (still being written) */
#define PICKUP_RETRY	2		/* temporary problem: keep, stop this round */

typedef struct RCPT {
    char   *orcpt;
    char   *notify;
    char   *addr;
} RCPT;

/* qualify - "user" -> "user@$myorigin" into buf (internal form). */
static const char *qualify(VSTR *buf, const char *addr)
{
    vstr_set(buf, addr);
    if (*addr && strchr(addr, '@') == 0 && var_append_at_myorigin
	&& var_myorigin && *var_myorigin) {
	vstr_addch(buf, '@');
	vstr_adds(buf, var_myorigin);
    }
    return vstr_str(buf);
}

/* clean_text - no control characters in attribute values we pass on. */
static int clean_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
	if ((unsigned char) s[i] < 32 || s[i] == 127)
	    return 0;
    return 1;
}

/* bad_file - quarantine a malformed file in corrupt/ (or remove it). */
static int bad_file(const char *name, long uid, const char *why)
{
    msg_warn("%s/%s: uid=%ld: %s", MAIL_QUEUE_MAILDROP, name, uid, why);
    if (mail_queue_rename(name, MAIL_QUEUE_MAILDROP, MAIL_QUEUE_CORRUPT) < 0
	&& mail_queue_remove(MAIL_QUEUE_MAILDROP, name) < 0 && errno != ENOENT)
	msg_warn("remove %s/%s: %s", MAIL_QUEUE_MAILDROP, name, strerror(errno));
    return PICKUP_DONE;
}

/*
 * Mail that cleanup rejects for good (too many hops, content, size) is
 * bounced to its sender, as Postfix's pickup has cleanup do it: one
 * "to=<...>, relay=none, ..., status=bounced (reason)" line per recipient,
 * then a non-delivery notification through the bounce service. The bounce
 * service reads the message from a queue file: pickup writes one in
 * incoming/ (mode 0600, so qmgr never takes it; qmgr's recovery removes it
 * if pickup dies first), named with the rejected queue ID when that name
 * is free, and removes it once the bounce service answered.
 */

/* pickup_reply_split - "554 5.4.0 Error: too many hops" -> dsn "5.4.0",
 * text "too many hops" (Postfix's bounce reason for the same reject). */
static void pickup_reply_split(const char *reply, char *dsn, size_t dsn_len, VSTR *text)
{
    const char *cp = reply;
    size_t  n;

    snprintf(dsn, dsn_len, "5.0.0");
    if (strlen(cp) > 4 && isdigit((unsigned char) cp[0]) && isdigit((unsigned char) cp[1])
	&& isdigit((unsigned char) cp[2]) && (cp[3] == ' ' || cp[3] == '-'))
	cp += 4;
    n = strspn(cp, "0123456789.");
    if (n >= 5 && n < dsn_len && cp[0] == '5' && cp[1] == '.' && (cp[n] == ' ' || cp[n] == 0)) {
	snprintf(dsn, dsn_len, "%.*s", (int) n, cp);
	cp += n;
	while (*cp == ' ')
	    cp++;
    }
    if (strncasecmp(cp, "Error: ", 7) == 0)
	cp += 7;
    vstr_set(text, *cp ? cp : "message rejected");
}

/* ceil7 - bytes of a record length in Postfix's 7-bit encoding. */
static long ceil7(size_t n)
{
    long    k = 1;

    while (n >= 128) {
	n >>= 7;
	k++;
    }
    return k;
}

/* pickup_write_qfile - write the message of maildrop/name as a complete
 * queue file on fd (sender and qualified recipients given); offsets of the
 * R records into roff. 0 ok, -1 (logged) on error. */
static int pickup_write_qfile(int fd, const char *qpath, const char *name,
			              const struct timeval *tv, const char *sender,
			              RCPT *rcpt, size_t nrcpt, long *roff)
{
    VSTR   *path = vstr_alloc(64);
    VSTR   *buf = vstr_alloc(512);
    VSTR   *qbuf = vstr_alloc(256);
    STREAM *in = 0;
    STREAM *out = stream_fdopen(fd, 0);
    char    size_rec[100];
    long    pos = 0, content_offset, data_size, msg_size = 0;
    int     ifd, type, ret = -1;
    size_t  line_max = (size_t) (var_line_limit > 0 ? var_line_limit : 2048) + 1;

#define PUT(t, d, l) do { if (rec_put(out, (t), (d), (l)) < 0) goto out; \
			  pos += REC_HDR_LEN + (long) (l); } while (0)

    snprintf(size_rec, sizeof(size_rec), "%15ld %15ld %15ld %15ld", 0L, 0L, 0L, 0L);
    PUT(REC_TYPE_SIZE, size_rec, 63);
    vstr_sprintf(buf, "%ld %ld", (long) tv->tv_sec, (long) tv->tv_usec);
    PUT(REC_TYPE_TIME, vstr_str(buf), vstr_len(buf));
    PUT(REC_TYPE_FROM, sender, strlen(sender));
    for (size_t i = 0; i < nrcpt; i++) {
	const char *orig = rcpt[i].orcpt ? rcpt[i].orcpt : rcpt[i].addr;

	PUT(REC_TYPE_ORCP, orig, strlen(orig));
	qualify(qbuf, rcpt[i].addr);
	roff[i] = pos;
	PUT(REC_TYPE_RCPT, vstr_str(qbuf), vstr_len(qbuf));
    }
    PUT(REC_TYPE_MESG, "", 0);
    content_offset = pos;

    /* The content again from the maildrop file, which was checked once. */
    mail_queue_path(path, MAIL_QUEUE_MAILDROP, name);
    if ((ifd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
	msg_warn("open %s: %s", vstr_str(path), strerror(errno));
	goto out;
    }
    in = stream_fdopen(ifd, 0);
    while ((type = rec_get(in, buf, PICKUP_ENV_MAX, 0)) != REC_TYPE_MESG) {
	if (type == REC_TYPE_EOF || type == REC_TYPE_ERROR) {
	    msg_warn("%s: malformed envelope", vstr_str(path));
	    goto out;
	}
    }
    for (;;) {
	type = rec_get(in, buf, line_max, 0);
	if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
	    PUT(type, vstr_str(buf), vstr_len(buf));
	    msg_size += 1 + ceil7(vstr_len(buf)) + (long) vstr_len(buf);
	    continue;
	}
	if (type == REC_TYPE_XTRA)
	    break;
	msg_warn("%s: malformed content", vstr_str(path));
	goto out;
    }
    PUT(REC_TYPE_XTRA, "", 0);
    data_size = pos - content_offset;
    PUT(REC_TYPE_END, "", 0);
    if (stream_flush(out) < 0) {
	msg_warn("write %s: %s", qpath, strerror(errno));
	goto out;
    }
    if (snprintf(size_rec, sizeof(size_rec), "%15ld %15ld %15ld %15ld",
		 content_offset, data_size, (long) nrcpt, msg_size) != 63
	|| pwrite(fd, size_rec, 63, REC_HDR_LEN) != 63) {
	msg_warn("write %s: %s", qpath, errno ? strerror(errno) : "size out of range");
	goto out;
    }
    ret = 0;
#undef PUT

out:
    if (in)
	stream_close(in);
    stream_free(out);				/* fd stays the caller's */
    vstr_free(path);
    vstr_free(buf);
    vstr_free(qbuf);
    return ret;
}

/* pickup_bounce - bounce the rejected maildrop/name (queue ID qid at
 * cleanup) with cleanup's reply; 0 when the bounce service accepted it. */
static int pickup_bounce(const char *name, const char *qid, const struct timeval *tv,
			         const char *sender, RCPT *rcpt, size_t nrcpt,
			         const char *reply)
{
    VSTR   *id = vstr_alloc(32);
    VSTR   *qpath = vstr_alloc(64);
    VSTR   *text = vstr_alloc(100);
    VSTR   *qbuf = vstr_alloc(256);
    char    dsn[16];
    long   *roff = mymalloc((nrcpt ? nrcpt : 1) * sizeof(*roff));
    QMGR_BOUNCE_RCPT *br = mymalloc((nrcpt ? nrcpt : 1) * sizeof(*br));
    char  **addr = mymalloc((nrcpt ? nrcpt : 1) * sizeof(*addr));
    int     fd = -1, ret = -1;

    if (nrcpt == 0) {				/* nobody to name in a report */
	msg_warn("%s: maildrop/%s: message rejected: %s; removed", qid, name, reply);
	ret = 0;
	goto out;
    }
    pickup_reply_split(reply, dsn, sizeof(dsn), text);
    for (size_t i = 0; i < nrcpt; i++)
	addr[i] = mystrdup(qualify(qbuf, rcpt[i].addr));

    /* The rejected ID when its name is free (O_EXCL), else a new one. */
    if (mail_queue_id_ok(qid)) {
	vstr_set(id, qid);
	mail_queue_path(qpath, MAIL_QUEUE_INCOMING, qid);
	fd = open(vstr_str(qpath), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		  MAIL_QUEUE_MODE_WRITING);
    }
    if (fd < 0) {
	if ((fd = mail_queue_create(MAIL_QUEUE_INCOMING, id)) < 0) {
	    msg_warn("%s: cannot create a queue file for the bounce: %s", qid, strerror(errno));
	    goto out;
	}
	mail_queue_path(qpath, MAIL_QUEUE_INCOMING, vstr_str(id));
    }
    if (pickup_write_qfile(fd, vstr_str(qpath), name, tv, sender, rcpt, nrcpt, roff) < 0)
	goto out;

    /* Postfix's per-recipient lines, under the ID the pickup line showed. */
    for (size_t i = 0; i < nrcpt; i++) {
	DELIVER_REQUEST req;
	DELIVER_RCPT r;

	memset(&req, 0, sizeof(req));
	memset(&r, 0, sizeof(r));
	req.queue_id = (char *) qid;
	req.arrival_time = tv->tv_sec + tv->tv_usec / 1e6;
	req.active_time = req.arrival_time;
	r.address = addr[i];
	r.orig_rcpt = rcpt[i].orcpt ? rcpt[i].orcpt : rcpt[i].addr;
	r.status = DLV_STAT_BOUNCE;
	snprintf(r.dsn, sizeof(r.dsn), "%s", dsn);
	r.reason = text;
	deliver_log(&req, &r, "none", 0, 0);

	br[i].address = addr[i];
	br[i].orig_rcpt = r.orig_rcpt;
	br[i].offset = roff[i];
	br[i].dsn = dsn;
	br[i].reason = vstr_str(text);
	br[i].diag = "";
	br[i].mta = "";
    }
    ret = qmgr_bounce_send(MAIL_QUEUE_INCOMING, vstr_str(id), sender, 0, br, (int) nrcpt);

out:
    if (fd >= 0) {
	if (unlink(vstr_str(qpath)) < 0 && errno != ENOENT)
	    msg_warn("remove %s: %s", vstr_str(qpath), strerror(errno));
	if (close(fd) < 0)
	    msg_warn("close %s: %s", vstr_str(qpath), strerror(errno));
    }
    for (size_t i = 0; i < nrcpt; i++)
	myfree(addr[i]);
    myfree(addr);
    myfree(br);
    myfree(roff);
    vstr_free(id);
    vstr_free(qpath);
    vstr_free(text);
    vstr_free(qbuf);
    return ret;
}

/* pickup_file - hand one maildrop file to cleanup. */
static int pickup_file(const char *name)
{
    VSTR   *path = vstr_alloc(64);
    VSTR   *buf = vstr_alloc(512);
    VSTR   *qbuf = vstr_alloc(256);
    VSTR   *reason = vstr_alloc(100);
    struct stat st, fst;
    STREAM *in = 0;
    CLEANUP_CLIENT *cc = 0;
    STREAM *out;
    const char *why = 0;
    char   *sender = 0, *full_name = 0, *envid = 0, *ret = 0;
    char   *orcpt = 0, *notify = 0;
    RCPT   *rcpt = 0;
    size_t  nrcpt = 0, rcpt_cap = 0;
    long    uid = -1;
    int     fd = -1, type, status, result = PICKUP_DONE;
    int     seen_time = 0;
    size_t  line_max = (size_t) (var_line_limit > 0 ? var_line_limit : 2048) + 1;
    char    qid[PICKUP_QID_MAX + 1] = "";
    struct timeval arrival;

    if (gettimeofday(&arrival, 0) < 0)
	msg_fatal("gettimeofday: %s", strerror(errno));
    mail_queue_path(path, MAIL_QUEUE_MAILDROP, name);
    if (lstat(vstr_str(path), &st) < 0) {
	result = PICKUP_SKIP;			/* gone (another pickup, postsuper) */
	goto out;
    }
    uid = (long) st.st_uid;
    if (!S_ISREG(st.st_mode)) {
	result = bad_file(name, uid, "not a regular file");
	goto out;
    }
    if ((st.st_mode & S_IXUSR) == 0) {
	result = PICKUP_SKIP;			/* postdrop is still writing it */
	goto out;
    }
    if ((fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
	if (errno == ENOENT) {
	    result = PICKUP_SKIP;
	} else {
	    msg_warn("open %s: %s", vstr_str(path), strerror(errno));
	    result = PICKUP_RETRY;
	}
	goto out;
    }
    if (fstat(fd, &fst) < 0 || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev
	|| !S_ISREG(fst.st_mode) || fst.st_nlink != 1) {
	result = bad_file(name, uid, "file changed or has extra links");
	goto out;
    }
    in = stream_fdopen(fd, 0);
    fd = -1;

    /* Envelope: T A* S (O? n? R)* M, kept in memory (bounded). */
    for (;;) {
	type = rec_get(in, buf, PICKUP_ENV_MAX, 0);
	if (type == REC_TYPE_ERROR || type == REC_TYPE_EOF) {
	    result = bad_file(name, uid, "malformed or truncated record");
	    goto out;
	}
	if (!seen_time) {
	    if (type != REC_TYPE_TIME) {
		result = bad_file(name, uid, "unexpected record type: no time stamp");
		goto out;
	    }
	    seen_time = 1;
	    continue;
	}
	if (memchr(buf->str, 0, vstr_len(buf)) || !clean_text(buf->str, vstr_len(buf))) {
	    result = bad_file(name, uid, "control characters in envelope record");
	    goto out;
	}
	if (sender == 0) {
	    if (type == REC_TYPE_ATTR) {
		char   *eq = strchr(buf->str, '=');

		if (eq == 0) {
		    result = bad_file(name, uid, "malformed attribute record");
		    goto out;
		}
		*eq++ = 0;
		/* Only what a local user may say about the message. */
		if (strcmp(buf->str, MAIL_ATTR_FULL_NAME) == 0 && full_name == 0)
		    full_name = mystrdup(eq);
		else if (strcmp(buf->str, MAIL_ATTR_DSN_ENVID) == 0 && envid == 0)
		    envid = mystrdup(eq);
		else if (strcmp(buf->str, MAIL_ATTR_DSN_RET) == 0 && ret == 0)
		    ret = mystrdup(eq);
		else if (msg_verbose)
		    msg_info("%s: ignoring attribute %s", name, buf->str);
		continue;
	    }
	    if (type != REC_TYPE_FROM) {
		result = bad_file(name, uid, "unexpected record type before sender");
		goto out;
	    }
	    sender = mystrdup(buf->str);
	    continue;
	}
	if (type == REC_TYPE_ORCP && orcpt == 0) {
	    orcpt = mystrdup(buf->str);
	} else if (type == REC_TYPE_NOTIFY && notify == 0) {
	    char   *end;
	    long    bits = strtol(buf->str, &end, 10);

	    if (vstr_len(buf) == 0 || *end || bits < 0 || bits > 15) {
		result = bad_file(name, uid, "malformed notify record");
		goto out;
	    }
	    notify = mystrdup(buf->str);
	} else if (type == REC_TYPE_RCPT && vstr_len(buf) > 0) {
	    if (nrcpt >= PICKUP_MAX_RCPT) {
		result = bad_file(name, uid, "too many recipients");
		goto out;
	    }
	    if (nrcpt == rcpt_cap) {
		rcpt_cap = rcpt_cap ? 2 * rcpt_cap : 16;
		rcpt = myrealloc(rcpt, rcpt_cap * sizeof(*rcpt));
	    }
	    rcpt[nrcpt].orcpt = orcpt;
	    rcpt[nrcpt].notify = notify;
	    rcpt[nrcpt].addr = mystrdup(buf->str);
	    nrcpt++;
	    orcpt = notify = 0;
	} else if (type == REC_TYPE_MESG && orcpt == 0 && notify == 0) {
	    break;
	} else {
	    result = bad_file(name, uid, "unexpected record type in envelope");
	    goto out;
	}
    }

    /* To cleanup. */
    if ((cc = cleanup_open(CLEANUP_FLAG_LOCAL, &why)) == 0) {
	msg_warn("%s/%s: %s", MAIL_QUEUE_MAILDROP, name, why);
	result = PICKUP_RETRY;
	goto out;
    }
    out = cleanup_stream(cc);
    snprintf(qid, sizeof(qid), "%s", cleanup_queue_id(cc));
    msg_info("%s: uid=%ld from=<%s>", qid, uid, sender);
    rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");
    rec_fprintf(out, REC_TYPE_ATTR, "%s=%ld", MAIL_ATTR_SUBMIT_UID, uid);
    if (full_name)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_FULL_NAME, full_name);
    if (envid)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, envid);
    if (ret)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_RET, ret);
    qualify(qbuf, sender);
    rec_put(out, REC_TYPE_FROM, vstr_str(qbuf), vstr_len(qbuf));
    for (size_t i = 0; i < nrcpt; i++) {
	if (rcpt[i].orcpt)
	    rec_put(out, REC_TYPE_ORCP, rcpt[i].orcpt, strlen(rcpt[i].orcpt));
	if (rcpt[i].notify)
	    rec_put(out, REC_TYPE_NOTIFY, rcpt[i].notify, strlen(rcpt[i].notify));
	qualify(qbuf, rcpt[i].addr);
	rec_put(out, REC_TYPE_RCPT, vstr_str(qbuf), vstr_len(qbuf));
    }
    rec_put(out, REC_TYPE_MESG, "", 0);

    /* Content: (N|L)* X, then E and nothing else. */
    for (;;) {
	type = rec_get(in, buf, line_max, 0);
	if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
	    if (memchr(buf->str, '\n', vstr_len(buf))) {
		cleanup_abort(cc);
		cc = 0;
		result = bad_file(name, uid, "newline in content record");
		goto out;
	    }
	    if (rec_put(out, type, buf->str, vstr_len(buf)) < 0)
		break;				/* cleanup_finish reports it */
	    continue;
	}
	if (type == REC_TYPE_XTRA) {
	    if (rec_get(in, buf, 0, 0) != REC_TYPE_END
		|| rec_get(in, buf, 0, 0) != REC_TYPE_EOF) {
		cleanup_abort(cc);
		cc = 0;
		result = bad_file(name, uid, "malformed end of file");
		goto out;
	    }
	    rec_put(out, REC_TYPE_XTRA, "", 0);
	    break;
	}
	cleanup_abort(cc);
	cc = 0;
	result = bad_file(name, uid, type == REC_TYPE_ERROR || type == REC_TYPE_EOF ?
			  "malformed or truncated content" : "unexpected record type in content");
	goto out;
    }
    status = cleanup_finish(cc, reason);
    cc = 0;
    if (status == CLEANUP_STAT_OK) {
	if (mail_queue_remove(MAIL_QUEUE_MAILDROP, name) < 0 && errno != ENOENT)
	    msg_warn("remove %s: %s", vstr_str(path), strerror(errno));
	result = PICKUP_DONE;
    } else if (status & (CLEANUP_STAT_BAD | CLEANUP_STAT_WRITE | CLEANUP_STAT_DEFER)) {
	msg_warn("%s: cleanup: %s", vstr_str(path),
		 vstr_len(reason) ? vstr_str(reason) : cleanup_strerror(status));
	result = PICKUP_RETRY;
    } else {
	/* Permanent (hops, content, size): cleanup has said why; bounce it. */
	qualify(qbuf, sender);
	if (pickup_bounce(name, qid, &arrival, vstr_str(qbuf), rcpt, nrcpt,
			  vstr_len(reason) ? vstr_str(reason) : cleanup_strerror(status)) < 0) {
	    result = PICKUP_RETRY;		/* try again later: nothing lost */
	} else {
	    if (mail_queue_remove(MAIL_QUEUE_MAILDROP, name) < 0 && errno != ENOENT)
		msg_warn("remove %s: %s", vstr_str(path), strerror(errno));
	    result = PICKUP_DONE;
	}
    }

out:
    if (cc)
	cleanup_abort(cc);
    if (in)
	stream_close(in);
    if (fd >= 0)
	close(fd);
    for (size_t i = 0; i < nrcpt; i++) {
	myfree(rcpt[i].orcpt);
	myfree(rcpt[i].notify);
	myfree(rcpt[i].addr);
    }
    myfree(rcpt);
    myfree(orcpt);
    myfree(notify);
    myfree(sender);
    myfree(full_name);
    myfree(envid);
    myfree(ret);
    vstr_free(path);
    vstr_free(buf);
    vstr_free(qbuf);
    vstr_free(reason);
    return result;
}

/* pickup_scan - one pass over maildrop/. */
static void pickup_scan(void)
{
    DIR    *dir;
    struct dirent *de;
    ARGV   *names = argv_alloc(16);

    if ((dir = opendir(MAIL_QUEUE_MAILDROP)) == 0) {
	msg_warn("open directory %s: %s", MAIL_QUEUE_MAILDROP, strerror(errno));
	argv_free(names);
	return;
    }
    while ((de = readdir(dir)) != 0 && names->argc < PICKUP_MAX_FILES) {
	if (de->d_name[0] == '.')
	    continue;				/* ., .., postdrop's temporary names */
	if (!mail_queue_id_ok(de->d_name)) {
	    msg_warn("%s: ignoring file with a bad name: %s", MAIL_QUEUE_MAILDROP, de->d_name);
	    continue;
	}
	argv_add(names, de->d_name, (char *) 0);
    }
    closedir(dir);
    for (int i = 0; i < names->argc; i++)
	if (pickup_file(names->argv[i]) == PICKUP_RETRY)
	    break;
    argv_free(names);
}

static void pickup_trigger(const char *buf, ssize_t len, const char *service, char **argv)
{
    (void) buf;
    (void) len;
    (void) service;
    (void) argv;
    pickup_scan();
}

static void pickup_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    pickup_scan();				/* whatever arrived while we were down */
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.post_init = pickup_post_init,
	.trigger = pickup_trigger,
	.flags = MAIL_SERVER_FLAG_SOLITARY,
    };

    trigger_server_main(argc, argv, &spec);
}
