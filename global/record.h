/* record.h - typed records: the queue file format and the stream that
 * clients send to cleanup. A record is one type byte, a 4-byte big-endian
 * length, then that many bytes. See doc/QUEUE_FORMAT.md. */
#ifndef RECORD_H
#define RECORD_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"

#define REC_TYPE_SIZE	'C'	/* fixed width "%15ld %15ld %15ld %15ld": content_offset data_size nrcpt message_size (patched at the end) */
#define REC_TYPE_TIME	'T'	/* arrival "sec usec" */
#define REC_TYPE_ATTR	'A'	/* "name=value" named attribute (client, helo, protocol, ...) */
#define REC_TYPE_FROM	'S'	/* envelope sender, internal form, "" for <> */
#define REC_TYPE_ORCP	'O'	/* original recipient of the next R record */
#define REC_TYPE_NOTIFY	'n'	/* DSN NOTIFY bits of the next R record */
#define REC_TYPE_RCPT	'R'	/* recipient still to deliver */
#define REC_TYPE_DONE	'D'	/* recipient finished: an R record whose type byte was overwritten */
#define REC_TYPE_MESG	'M'	/* start of message content */
#define REC_TYPE_NORM	'N'	/* one content line, without its newline */
#define REC_TYPE_CONT	'L'	/* part of a long content line; more follows */
#define REC_TYPE_XTRA	'X'	/* end of content; envelope records may follow */
#define REC_TYPE_WARN	'W'	/* delay warning sent, "sec" */
#define REC_TYPE_END	'E'	/* end of file: the file is complete */

#define REC_TYPE_EOF	(-1)	/* clean end of input */
#define REC_TYPE_ERROR	(-2)	/* I/O error, timeout, bad type or too long */

#define REC_HDR_LEN	5	/* type byte + 4 length bytes */

/* rec_put - write one record; -1 on error. */
int     rec_put(STREAM *s, int type, const char *data, size_t len);
/* rec_fprintf - write one record with formatted data; -1 on error. */
int     rec_fprintf(STREAM *s, int type, const char *fmt,...) PRINTFLIKE(3, 4);
/* rec_get - read one record into buf (data only); returns its type, or
 * REC_TYPE_EOF / REC_TYPE_ERROR. Records longer than maxlen are an error.
 * If pos is non-NULL it is advanced by the record's size on disk. */
int     rec_get(STREAM *s, VSTR *buf, size_t maxlen, long *pos);
/* rec_type_ok - non-zero if type is one of the REC_TYPE_* bytes. */
int     rec_type_ok(int type);

#endif
