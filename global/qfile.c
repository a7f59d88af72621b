/* qfile.c - read a finished queue file: the envelope (sender, recipients
 * with the offsets of their records, attributes, sizes), the content line
 * by line; mark recipients done and record delay warnings in place. The
 * file layout is in doc/QUEUE_FORMAT.md. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include "util/mymalloc.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "global/record.h"
#include "global/qfile.h"

#define QFILE_ENV_REC_MAX	(256 * 1024)	/* any envelope record */
#define QFILE_CONTENT_REC_MAX	(1024 * 1024)	/* any content record */
#define QFILE_RCPT_MAX		10000000	/* sanity bound */

/* parse_size_rec - the four numbers of the C record */
static int parse_size_rec(const char *data, long *content_offset, long *data_size,
			          long *nrcpt, long *message_size)
{
    char    junk;

    if (sscanf(data, "%ld %ld %ld %ld%c", content_offset, data_size, nrcpt,
	       message_size, &junk) != 4)
	return -1;
    if (*content_offset < 0 || *data_size < 0 || *nrcpt < 0 || *message_size < 0)
	return -1;
    return 0;
}

static void add_rcpt(QFILE_ENV *env, int *cap, long offset, const char *addr,
		             const char *orig, int notify, int done)
{
    QFILE_RCPT *r;

    if (env->nrcpt >= *cap) {
	*cap = *cap ? *cap * 2 : 8;
	env->rcpt = myrealloc(env->rcpt, (size_t) *cap * sizeof(*env->rcpt));
    }
    r = env->rcpt + env->nrcpt++;
    r->offset = offset;
    r->address = mystrdup(addr);
    r->orig_rcpt = mystrdup(orig);
    r->dsn_notify = notify;
    r->done = done;
    if (done)
	env->ndone++;
}

QFILE_ENV *qfile_read_envelope(int fd, const char **why)
{
    QFILE_ENV *env;
    STREAM *s;
    VSTR   *buf = vstr_alloc(256);
    VSTR   *orig = vstr_alloc(64);
    long    pos = 0, rec_pos;
    long    nrcpt_hint = 0;
    int     cap = 0;
    int     notify = 0;
    int     type;
    int     seen_size = 0, seen_time = 0, seen_from = 0, seen_mesg = 0;
    const char *err = 0;
    char   *eq;
    long    sec, usec;
    char    junk;

    if (lseek(fd, 0, SEEK_SET) < 0) {
	*why = "cannot seek to start of file";
	vstr_free(buf);
	vstr_free(orig);
	return 0;
    }
    env = mymalloc(sizeof(*env));
    memset(env, 0, sizeof(*env));
    env->sender = 0;
    env->warn_offset = -1;
    env->attrs = attr_list_alloc();
    s = stream_fdopen(fd, 0);

    for (;;) {
	rec_pos = pos;
	type = rec_get(s, buf, QFILE_ENV_REC_MAX, &pos);
	if (type == REC_TYPE_EOF) {
	    err = "premature end of file (no end record)";
	    break;
	}
	if (type == REC_TYPE_ERROR) {
	    err = stream_error(s) ? "read error" : "corrupt or truncated record";
	    break;
	}
	if (!seen_size && type != REC_TYPE_SIZE) {
	    err = "first record is not a size record";
	    break;
	}
	switch (type) {
	case REC_TYPE_SIZE:
	    if (seen_size++) {
		err = "duplicate size record";
		break;
	    }
	    if (parse_size_rec(vstr_str(buf), &env->content_offset, &env->data_size,
			       &nrcpt_hint, &env->message_size) < 0)
		err = "malformed size record";
	    break;
	case REC_TYPE_TIME:
	    if (sscanf(vstr_str(buf), "%ld %ld%c", &sec, &usec, &junk) != 2
		|| sec < 0 || usec < 0 || usec > 999999) {
		err = "malformed time record";
		break;
	    }
	    env->arrival_sec = sec;
	    env->arrival_usec = usec;
	    seen_time = 1;
	    break;
	case REC_TYPE_ATTR:
	    if ((eq = strchr(vstr_str(buf), '=')) == 0 || eq == vstr_str(buf)) {
		err = "malformed attribute record";
		break;
	    }
	    *eq = 0;
	    attr_list_add(env->attrs, vstr_str(buf), eq + 1);
	    break;
	case REC_TYPE_FROM:
	    if (seen_from++) {
		err = "duplicate sender record";
		break;
	    }
	    env->sender = mystrdup(vstr_str(buf));
	    break;
	case REC_TYPE_ORCP:
	    vstr_setn(orig, vstr_str(buf), vstr_len(buf));
	    break;
	case REC_TYPE_NOTIFY:
	    if (parse_long(vstr_str(buf), &sec) < 0 || sec < 0 || sec > 0xff) {
		err = "malformed notify record";
		break;
	    }
	    notify = (int) sec;
	    break;
	case REC_TYPE_RCPT:
	case REC_TYPE_DONE:
	    if (env->nrcpt >= QFILE_RCPT_MAX) {
		err = "too many recipients";
		break;
	    }
	    add_rcpt(env, &cap, rec_pos, vstr_str(buf), vstr_str(orig),
		     notify, type == REC_TYPE_DONE);
	    vstr_reset(orig);
	    notify = 0;
	    break;
	case REC_TYPE_WARN:
	    if (sscanf(vstr_str(buf), "%ld%c", &sec, &junk) < 1 || sec < 0) {
		err = "malformed warning record";
		break;
	    }
	    env->warn_time = sec;
	    env->warn_offset = rec_pos;
	    break;
	case REC_TYPE_MESG:
	    if (seen_mesg++) {
		err = "duplicate message record";
		break;
	    }
	    if (pos != env->content_offset) {
		err = "content offset mismatch";
		break;
	    }
	    /* Skip the content: jump to the X record that ends it. */
	    if (env->data_size < REC_HDR_LEN) {
		err = "bad data size";
		break;
	    }
	    stream_free(s);
	    pos = env->content_offset + env->data_size - REC_HDR_LEN;
	    if (lseek(fd, pos, SEEK_SET) < 0) {
		s = stream_fdopen(fd, 0);
		err = "cannot seek past content";
		break;
	    }
	    s = stream_fdopen(fd, 0);
	    if (rec_get(s, buf, QFILE_CONTENT_REC_MAX, &pos) != REC_TYPE_XTRA)
		err = "content does not end where the size record says";
	    break;
	case REC_TYPE_END:
	    env->complete = 1;
	    break;
	default:
	    /* N, L, X outside the content */
	    err = "content record outside the content";
	    break;
	}
	if (err || env->complete)
	    break;
    }
    if (!err && rec_get(s, buf, 1, &pos) != REC_TYPE_EOF)
	err = "data after the end record";
    if (!err && !seen_time)
	err = "no time record";
    if (!err && !seen_from)
	err = "no sender record";
    if (!err && !seen_mesg)
	err = "no message content";
    stream_free(s);
    vstr_free(buf);
    vstr_free(orig);
    if (err) {
	qfile_env_free(env);
	*why = err;
	return 0;
    }
    return env;
}

void    qfile_env_free(QFILE_ENV *env)
{
    int     i;

    if (env == 0)
	return;
    for (i = 0; i < env->nrcpt; i++) {
	myfree(env->rcpt[i].address);
	myfree(env->rcpt[i].orig_rcpt);
    }
    myfree(env->rcpt);
    myfree(env->sender);
    attr_list_free(env->attrs);
    myfree(env);
}

const char *qfile_env_attr(const QFILE_ENV *env, const char *name)
{
    const char *v = attr_get(env->attrs, name);

    return v ? v : "";
}

int     qfile_mark_done(int fd, long offset)
{
    char    ch;

    if (offset < 0) {
	errno = EINVAL;
	return -1;
    }
    if (pread(fd, &ch, 1, offset) != 1) {
	if (errno == 0)
	    errno = EINVAL;
	return -1;
    }
    if (ch == REC_TYPE_DONE)
	return 0;
    if (ch != REC_TYPE_RCPT) {
	errno = EINVAL;
	return -1;
    }
    ch = REC_TYPE_DONE;
    if (pwrite(fd, &ch, 1, offset) != 1)
	return -1;
    return 0;
}

int     qfile_set_warn(int fd, long offset, long when)
{
    unsigned char hdr[REC_HDR_LEN];
    char    data[32];
    size_t  len;

    if (offset < 0 || when < 0 || when > 999999999999999L) {
	errno = EINVAL;
	return -1;
    }
    if (pread(fd, hdr, sizeof(hdr), offset) != (ssize_t) sizeof(hdr))
	return -1;
    len = ((size_t) hdr[1] << 24) | ((size_t) hdr[2] << 16)
	| ((size_t) hdr[3] << 8) | (size_t) hdr[4];
    if (hdr[0] != REC_TYPE_WARN || len != 15) {
	errno = EINVAL;
	return -1;
    }
    snprintf(data, sizeof(data), "%15ld", when);
    if (pwrite(fd, data, 15, offset + REC_HDR_LEN) != 15)
	return -1;
    return 0;
}

STREAM *qfile_content_start(int fd, long content_offset, int timeout)
{
    if (lseek(fd, content_offset, SEEK_SET) < 0)
	return 0;
    return stream_fdopen(fd, timeout);
}

int     qfile_get_line(STREAM *s, VSTR *line)
{
    int     type = rec_get(s, line, QFILE_CONTENT_REC_MAX, 0);

    switch (type) {
    case REC_TYPE_NORM:
    case REC_TYPE_CONT:
    case REC_TYPE_XTRA:
	return type;
    default:
	return REC_TYPE_ERROR;
    }
}
