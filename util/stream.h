/* stream.h - buffered I/O on a file descriptor with a per-operation
 * deadline, bounded line reads, and pluggable read/write (for TLS). */
#ifndef STREAM_H
#define STREAM_H
#include "util/sys_defs.h"
#include "util/vstr.h"

typedef struct STREAM STREAM;

/* I/O hooks: return bytes moved, 0 on EOF, -1 with errno on error.
 * timeout is seconds (<= 0: none); they must honour it themselves. */
typedef ssize_t (*STREAM_READ_FN) (int fd, void *buf, size_t len, int timeout, void *ctx);
typedef ssize_t (*STREAM_WRITE_FN) (int fd, const void *buf, size_t len, int timeout, void *ctx);

/* Status of stream_get_line(). */
#define STREAM_LINE_OK		0	/* a line ending in LF */
#define STREAM_LINE_LONG	1	/* max bytes read, no LF yet (rest still pending) */
#define STREAM_LINE_EOF		2	/* EOF; partial data (no LF) may be in the buffer */
#define STREAM_LINE_ERR		3	/* I/O error or timeout (see stream_timedout) */

/* stream_fdopen - wrap fd; timeout seconds applies to each read/write wait. */
STREAM *stream_fdopen(int fd, int timeout);
/* stream_close - flush (best effort), close the fd, free; returns flush status. */
int     stream_close(STREAM *s);
/* stream_free - free the stream without closing the fd. */
void    stream_free(STREAM *s);
/* stream_fd - the underlying descriptor. */
int     stream_fd(STREAM *s);
/* stream_set_timeout - change the per-operation timeout (<= 0: none). */
void    stream_set_timeout(STREAM *s, int timeout);
/* stream_set_deadline - also stop any operation after abs_deadline (time(0) based; 0: none). */
void    stream_set_deadline(STREAM *s, time_t abs_deadline);
/* stream_set_io - replace the raw read/write functions (TLS). */
void    stream_set_io(STREAM *s, STREAM_READ_FN rd, STREAM_WRITE_FN wr, void *ctx);

/* stream_getc - next byte, or -1 on EOF, error or timeout. */
int     stream_getc(STREAM *s);
/* stream_read - read exactly len bytes; returns len, or less on EOF/error. */
ssize_t stream_read(STREAM *s, void *buf, size_t len);
/* stream_get_line - append bytes up to and including LF to line (which is
 * reset first), reading at most max bytes; see STREAM_LINE_*. */
int     stream_get_line(STREAM *s, VSTR *line, size_t max);
/* stream_peek_count - bytes already read ahead and not yet consumed. */
size_t  stream_peek_count(STREAM *s);
/* stream_fill_nowait - read what the peer has already sent, without waiting; returns buffered count. */
size_t  stream_fill_nowait(STREAM *s);

/* stream_write - buffer len bytes; -1 on error. */
int     stream_write(STREAM *s, const void *buf, size_t len);
/* stream_puts - buffer a string. */
int     stream_puts(STREAM *s, const char *str);
/* stream_printf - buffer formatted text. */
int     stream_printf(STREAM *s, const char *fmt,...) PRINTFLIKE(2, 3);
/* stream_flush - write out buffered output; -1 on error or timeout. */
int     stream_flush(STREAM *s);

/* stream_error - non-zero after an I/O error or timeout. */
int     stream_error(STREAM *s);
/* stream_timedout - non-zero after a timeout. */
int     stream_timedout(STREAM *s);
/* stream_eof - non-zero after EOF was read. */
int     stream_eof(STREAM *s);
/* stream_clearerr - forget error, timeout and EOF status. */
void    stream_clearerr(STREAM *s);

/* read_wait - wait until fd is readable; 0 ready, -1 timeout (errno ETIMEDOUT) or error. */
int     read_wait(int fd, int timeout);
/* write_wait - wait until fd is writable; 0 ready, -1 timeout or error. */
int     write_wait(int fd, int timeout);

#endif
