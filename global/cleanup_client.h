/* cleanup_client.h - how smtpd, pickup and bounce hand a message to
 * cleanup. Protocol: connect public/cleanup (master.cf
 * "cleanup unix n ...": not private, as in Postfix); cleanup sends
 * {proto=cleanup, queue_id=ID}; client sends {flags=N}; client then sends
 * records: A (name=value attributes), S (sender), O/n (optional, for the
 * next R), R (recipients), M, N/L content lines (headers then body, lines
 * without newline), X; cleanup replies {status=N, reason=text} only after
 * the queue file and its directory entry are on disk (or after failure). */
#ifndef CLEANUP_CLIENT_H
#define CLEANUP_CLIENT_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"

/* Request flags. */
#define CLEANUP_FLAG_NONE	0
#define CLEANUP_FLAG_LOCAL	(1<<0)	/* local submission: add From:, Date:, Message-ID: etc. as for sendmail */
#define CLEANUP_FLAG_HOLD	(1<<1)	/* put the message on hold */
#define CLEANUP_FLAG_DISCARD	(1<<2)	/* accept but discard */
#define CLEANUP_FLAG_BOUNCE	(1<<3)	/* this is a bounce (DSN) message: sender <> and no bounce of it */
#define CLEANUP_FLAG_NOREWRITE	(1<<4)	/* no address rewriting / alias expansion (e.g. re-queued mail) */

/* Reply status bits (0 = queued durably). */
#define CLEANUP_STAT_OK		0
#define CLEANUP_STAT_BAD	(1<<0)	/* internal or write error: 451 4.3.0 */
#define CLEANUP_STAT_WRITE	(1<<1)	/* queue file write error: 451 4.3.0 */
#define CLEANUP_STAT_SIZE	(1<<2)	/* too large: 552 5.3.4 */
#define CLEANUP_STAT_CONT	(1<<3)	/* content rejected: 550 5.7.1 + reason */
#define CLEANUP_STAT_HOPS	(1<<4)	/* too many Received: headers: 554 5.4.0 */
#define CLEANUP_STAT_RCPT	(1<<5)	/* no recipients: 554 5.5.1 */
#define CLEANUP_STAT_PROXY	(1<<6)	/* milter/proxy: reason holds the reply */
#define CLEANUP_STAT_DEFER	(1<<7)	/* temporary failure, 451 + reason */

typedef struct CLEANUP_CLIENT CLEANUP_CLIENT;

/* cleanup_open - connect to cleanup and read the queue ID; NULL with *why on failure. */
CLEANUP_CLIENT *cleanup_open(int flags, const char **why);
/* cleanup_queue_id - the ID cleanup assigned. */
const char *cleanup_queue_id(CLEANUP_CLIENT *cc);
/* cleanup_stream - the stream to write records to (record.h rec_put). */
STREAM *cleanup_stream(CLEANUP_CLIENT *cc);
/* cleanup_finish - after the X record: wait for the status (reason text
 * into reason if non-NULL), close, free. Returns CLEANUP_STAT_* bits.
 * On failure reason holds the complete SMTP reply to give, code first
 * (e.g. "451 4.6.0 Alias expansion error" for CLEANUP_STAT_DEFER,
 * otherwise cleanup_strerror(status)); after a lost connection the status
 * is CLEANUP_STAT_WRITE and reason describes the problem (for logging). */
int     cleanup_finish(CLEANUP_CLIENT *cc, VSTR *reason);
/* cleanup_abort - drop the connection without finishing (cleanup removes
 * the half-written file), free. */
void    cleanup_abort(CLEANUP_CLIENT *cc);
/* cleanup_strerror - SMTP reply text for a status, e.g. "451 4.3.0 Error: queue file write error". */
const char *cleanup_strerror(int status);

#endif
