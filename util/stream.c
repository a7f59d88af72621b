/* stream.c - buffered stream I/O with timeouts. Every wait for the peer is
 * bounded by the stream's timeout and optional absolute deadline, so a
 * silent or slow peer can never hold a process forever. */
#include "util/sys_defs.h"
#include <poll.h>
#include <time.h>
#include "util/stream.h"
#include "util/mymalloc.h"

#define STREAM_BUFSIZE	8192

struct STREAM {
    int     fd;
    int     timeout;
    time_t  deadline;
    int     flags;
    STREAM_READ_FN rd;
    STREAM_WRITE_FN wr;
    void   *ctx;
    unsigned char rbuf[STREAM_BUFSIZE];
    size_t  rpos, rend;
    unsigned char *wbuf;
    size_t  wlen, wcap;
};

#define SF_ERR		(1<<0)
#define SF_TIMEOUT	(1<<1)
#define SF_EOF		(1<<2)

static int poll_wait(int fd, short events, int timeout)
{
    struct pollfd pfd;
    int     ms = timeout > 0 ? timeout * 1000 : -1;
    int     n;

    pfd.fd = fd;
    pfd.events = events;
    for (;;) {
	n = poll(&pfd, 1, ms);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    return -1;
	if (n == 0) {
	    errno = ETIMEDOUT;
	    return -1;
	}
	return 0;
    }
}

int     read_wait(int fd, int timeout)
{
    return poll_wait(fd, POLLIN, timeout);
}

int     write_wait(int fd, int timeout)
{
    return poll_wait(fd, POLLOUT, timeout);
}

static ssize_t plain_read(int fd, void *buf, size_t len, int timeout, void *ctx)
{
    ssize_t n;

    (void) ctx;

    for (;;) {
	if (timeout > 0 && read_wait(fd, timeout) < 0)
	    return -1;
	n = read(fd, buf, len);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    if (read_wait(fd, timeout) < 0)
		return -1;
	    continue;
	}
	return n;
    }
}

static ssize_t plain_write(int fd, const void *buf, size_t len, int timeout, void *ctx)
{
    ssize_t n;

    (void) ctx;

    for (;;) {
	if (timeout > 0 && write_wait(fd, timeout) < 0)
	    return -1;
	n = write(fd, buf, len);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    if (write_wait(fd, timeout) < 0)
		return -1;
	    continue;
	}
	return n;
    }
}

STREAM *stream_fdopen(int fd, int timeout)
{
    /* Not calloc: zeroing the 8 KiB read buffer per stream showed up as a
     * fifth of qmgr's instructions per message (bench/RESULTS.md). */
    STREAM *s = mymalloc(sizeof(*s));

    s->fd = fd;
    s->timeout = timeout;
    s->deadline = 0;
    s->flags = 0;
    s->rd = plain_read;
    s->wr = plain_write;
    s->ctx = NULL;
    s->rpos = s->rend = 0;
    s->wbuf = NULL;
    s->wlen = s->wcap = 0;
    return s;
}

void    stream_free(STREAM *s)
{
    if (s) {
	myfree(s->wbuf);
	myfree(s);
    }
}

int     stream_close(STREAM *s)
{
    int     ret = stream_flush(s);

    close(s->fd);
    stream_free(s);
    return ret;
}

int     stream_fd(STREAM *s)
{
    return s->fd;
}

void    stream_set_timeout(STREAM *s, int timeout)
{
    s->timeout = timeout;
}

void    stream_set_deadline(STREAM *s, time_t abs_deadline)
{
    s->deadline = abs_deadline;
}

void    stream_set_io(STREAM *s, STREAM_READ_FN rd, STREAM_WRITE_FN wr, void *ctx)
{
    s->rd = rd ? rd : plain_read;
    s->wr = wr ? wr : plain_write;
    s->ctx = ctx;
}

/* effective_timeout - the smaller of the per-operation timeout and what is
 * left until the deadline; -2 when the deadline has passed. */
static int effective_timeout(STREAM *s)
{
    int     t = s->timeout;

    if (s->deadline) {
	time_t  left = s->deadline - time(NULL);

	if (left <= 0)
	    return -2;
	if (t <= 0 || left < t)
	    t = (int) left;
    }
    return t;
}

static int stream_fill(STREAM *s)
{
    ssize_t n;
    int     t;

    if (s->flags & (SF_ERR | SF_EOF))
	return -1;
    if ((t = effective_timeout(s)) == -2) {
	s->flags |= SF_ERR | SF_TIMEOUT;
	errno = ETIMEDOUT;
	return -1;
    }
    n = s->rd(s->fd, s->rbuf, sizeof(s->rbuf), t, s->ctx);
    if (n < 0) {
	s->flags |= SF_ERR;
	if (errno == ETIMEDOUT)
	    s->flags |= SF_TIMEOUT;
	return -1;
    }
    if (n == 0) {
	s->flags |= SF_EOF;
	return -1;
    }
    s->rpos = 0;
    s->rend = (size_t) n;
    return 0;
}

int     stream_getc(STREAM *s)
{
    if (s->rpos >= s->rend && stream_fill(s) < 0)
	return -1;
    return s->rbuf[s->rpos++];
}

ssize_t stream_read(STREAM *s, void *buf, size_t len)
{
    size_t  done = 0;
    unsigned char *out = buf;

    while (done < len) {
	if (s->rpos >= s->rend && stream_fill(s) < 0)
	    break;
	size_t  n = s->rend - s->rpos;

	if (n > len - done)
	    n = len - done;
	memcpy(out + done, s->rbuf + s->rpos, n);
	s->rpos += n;
	done += n;
    }
    return (ssize_t) done;
}

int     stream_get_line(STREAM *s, VSTR *line, size_t max)
{
    vstr_reset(line);
    while (line->len < max) {
	if (s->rpos >= s->rend && stream_fill(s) < 0)
	    return (s->flags & SF_EOF) ? STREAM_LINE_EOF : STREAM_LINE_ERR;
	unsigned char *start = s->rbuf + s->rpos;
	size_t  avail = s->rend - s->rpos;
	size_t  room = max - line->len;
	size_t  take = avail < room ? avail : room;
	unsigned char *nl = memchr(start, '\n', take);

	if (nl) {
	    take = (size_t) (nl - start) + 1;
	    vstr_addn(line, (char *) start, take);
	    s->rpos += take;
	    return STREAM_LINE_OK;
	}
	vstr_addn(line, (char *) start, take);
	s->rpos += take;
    }
    return STREAM_LINE_LONG;
}

size_t  stream_peek_count(STREAM *s)
{
    return s->rend - s->rpos;
}

size_t  stream_fill_nowait(STREAM *s)
{
    if (s->rpos >= s->rend && !(s->flags & (SF_ERR | SF_EOF))
	&& s->rd == plain_read) {
	struct pollfd pfd = {.fd = s->fd,.events = POLLIN};

	if (poll(&pfd, 1, 0) > 0)
	    (void) stream_fill(s);
    }
    return s->rend - s->rpos;
}

int     stream_write(STREAM *s, const void *buf, size_t len)
{
    if (s->flags & SF_ERR)
	return -1;
    if (s->wlen + len > s->wcap) {
	if (s->wlen >= STREAM_BUFSIZE && stream_flush(s) < 0)
	    return -1;
	if (s->wlen + len > s->wcap) {
	    size_t  cap = s->wcap ? s->wcap : STREAM_BUFSIZE;

	    while (cap < s->wlen + len)
		cap *= 2;
	    s->wbuf = myrealloc(s->wbuf, cap);
	    s->wcap = cap;
	}
    }
    memcpy(s->wbuf + s->wlen, buf, len);
    s->wlen += len;
    if (s->wlen >= 4 * STREAM_BUFSIZE)
	return stream_flush(s);
    return 0;
}

int     stream_puts(STREAM *s, const char *str)
{
    return stream_write(s, str, strlen(str));
}

int     stream_printf(STREAM *s, const char *fmt,...)
{
    char    small[1024];
    va_list ap;
    int     n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
	return -1;
    if ((size_t) n < sizeof(small))
	return stream_write(s, small, (size_t) n);
    char   *big = mymalloc((size_t) n + 1);

    va_start(ap, fmt);
    vsnprintf(big, (size_t) n + 1, fmt, ap);
    va_end(ap);
    int     ret = stream_write(s, big, (size_t) n);

    myfree(big);
    return ret;
}

int     stream_flush(STREAM *s)
{
    size_t  off = 0;
    int     t;

    if (s->flags & SF_ERR) {
	s->wlen = 0;
	return -1;
    }
    while (off < s->wlen) {
	if ((t = effective_timeout(s)) == -2) {
	    s->flags |= SF_ERR | SF_TIMEOUT;
	    break;
	}
	ssize_t n = s->wr(s->fd, s->wbuf + off, s->wlen - off, t, s->ctx);

	if (n <= 0) {
	    s->flags |= SF_ERR;
	    if (n < 0 && errno == ETIMEDOUT)
		s->flags |= SF_TIMEOUT;
	    break;
	}
	off += (size_t) n;
    }
    s->wlen = 0;
    return (s->flags & SF_ERR) ? -1 : 0;
}

int     stream_error(STREAM *s)
{
    return s->flags & SF_ERR;
}

int     stream_timedout(STREAM *s)
{
    return s->flags & SF_TIMEOUT;
}

int     stream_eof(STREAM *s)
{
    return s->flags & SF_EOF;
}

void    stream_clearerr(STREAM *s)
{
    s->flags = 0;
}
