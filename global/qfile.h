/* qfile.h - reading a finished queue file: its envelope, its recipients
 * with their record offsets, and its content; marking recipients done. */
#ifndef QFILE_H
#define QFILE_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/attr.h"

typedef struct QFILE_RCPT {
    long    offset;			/* offset of the R/D record in the file */
    char   *address;			/* internal form */
    char   *orig_rcpt;			/* original recipient ("" if none) */
    int     dsn_notify;			/* DSN_NOTIFY_* bits, 0 = default */
    int     done;			/* D record: already finished */
} QFILE_RCPT;

typedef struct QFILE_ENV {
    long    arrival_sec;
    long    arrival_usec;
    char   *sender;			/* internal form, "" for <> */
    long    content_offset;		/* offset of the first content record after M */
    long    data_size;			/* bytes of content records (M..X) */
    long    message_size;		/* message bytes with LF line ends (what mailq shows) */
    long    warn_time;			/* W record, 0 if none */
    long    warn_offset;		/* offset of the fixed-width W record (qfile_set_warn), -1 if none */
    ATTR_LIST *attrs;			/* A records as name/value pairs */
    QFILE_RCPT *rcpt;
    int     nrcpt;			/* all R and D records */
    int     ndone;			/* D records */
    int     complete;			/* E record seen */
} QFILE_ENV;

#define DSN_NOTIFY_NEVER	(1<<0)
#define DSN_NOTIFY_SUCCESS	(1<<1)
#define DSN_NOTIFY_FAILURE	(1<<2)
#define DSN_NOTIFY_DELAY	(1<<3)

/* qfile_read_envelope - parse the whole envelope of the open file fd
 * (reading from offset 0; content is skipped, not stored). Returns NULL
 * and sets *why for an incomplete or corrupt file. */
QFILE_ENV *qfile_read_envelope(int fd, const char **why);
/* qfile_env_free - release an envelope (NULL allowed). */
void    qfile_env_free(QFILE_ENV *env);
/* qfile_env_attr - value of a named A record, or "" if absent. */
const char *qfile_env_attr(const QFILE_ENV *env, const char *name);
/* qfile_mark_done - overwrite the R record at offset with D (no fsync). 0 ok, -1 errno. */
int     qfile_mark_done(int fd, long offset);
/* qfile_set_warn - overwrite the fixed-width W record at offset with
 * "%15ld" when (no fsync). 0 ok, -1 errno. */
int     qfile_set_warn(int fd, long offset, long when);
/* qfile_content_start - position a stream on fd at content_offset; returns
 * the stream (release it with stream_free: the fd stays the caller's), NULL if lseek fails. */
STREAM *qfile_content_start(int fd, long content_offset, int timeout);
/* qfile_get_line - next content line into line (without newline). Returns
 * REC_TYPE_NORM for a complete line, REC_TYPE_CONT for a piece of a
 * longer line (more follows), REC_TYPE_XTRA at the end of content, or
 * REC_TYPE_ERROR. */
int     qfile_get_line(STREAM *s, VSTR *line);

#endif
