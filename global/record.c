/* record.c - read and write typed records (one type byte, a 4-byte
 * big-endian length, the data): the queue file format and the record
 * stream that clients send to cleanup. See record.h, doc/QUEUE_FORMAT.md. */
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "global/record.h"

/* Records never exceed this, whatever the caller's limit. */
#define REC_LEN_HARD_MAX	(64UL * 1024 * 1024)

int     rec_type_ok(int type)
{
    switch (type) {
    case REC_TYPE_SIZE:
    case REC_TYPE_TIME:
    case REC_TYPE_ATTR:
    case REC_TYPE_FROM:
    case REC_TYPE_ORCP:
    case REC_TYPE_NOTIFY:
    case REC_TYPE_RCPT:
    case REC_TYPE_DONE:
    case REC_TYPE_MESG:
    case REC_TYPE_NORM:
    case REC_TYPE_CONT:
    case REC_TYPE_XTRA:
    case REC_TYPE_WARN:
    case REC_TYPE_END:
	return 1;
    default:
	return 0;
    }
}

int     rec_put(STREAM *s, int type, const char *data, size_t len)
{
    unsigned char hdr[REC_HDR_LEN];

    if (!rec_type_ok(type) || len > REC_LEN_HARD_MAX)
	return -1;
    hdr[0] = (unsigned char) type;
    hdr[1] = (unsigned char) (len >> 24);
    hdr[2] = (unsigned char) (len >> 16);
    hdr[3] = (unsigned char) (len >> 8);
    hdr[4] = (unsigned char) len;
    if (stream_write(s, hdr, sizeof(hdr)) < 0)
	return -1;
    if (len > 0 && stream_write(s, data, len) < 0)
	return -1;
    return 0;
}

int     rec_fprintf(STREAM *s, int type, const char *fmt,...)
{
    VSTR   *buf = vstr_alloc(100);
    va_list ap;
    int     ret;

    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    ret = rec_put(s, type, vstr_str(buf), vstr_len(buf));
    vstr_free(buf);
    return ret;
}

int     rec_get(STREAM *s, VSTR *buf, size_t maxlen, long *pos)
{
    unsigned char hdr[REC_HDR_LEN];
    ssize_t got;
    size_t  len;
    int     type;

    vstr_reset(buf);
    type = stream_getc(s);
    if (type < 0)
	return (stream_error(s) ? REC_TYPE_ERROR : REC_TYPE_EOF);
    hdr[0] = (unsigned char) type;
    if (!rec_type_ok(type))
	return REC_TYPE_ERROR;
    if (stream_read(s, hdr + 1, REC_HDR_LEN - 1) != REC_HDR_LEN - 1)
	return REC_TYPE_ERROR;			/* truncated header */
    len = ((size_t) hdr[1] << 24) | ((size_t) hdr[2] << 16)
	| ((size_t) hdr[3] << 8) | (size_t) hdr[4];
    if (len > maxlen || len > REC_LEN_HARD_MAX)
	return REC_TYPE_ERROR;
    if (len > 0) {
	vstr_space(buf, len);
	got = stream_read(s, buf->str, len);
	if (got < 0 || (size_t) got != len) {
	    vstr_reset(buf);
	    return REC_TYPE_ERROR;		/* truncated data */
	}
	buf->len = len;
	buf->str[len] = 0;
    }
    if (pos)
	*pos += (long) (REC_HDR_LEN + len);
    return type;
}
