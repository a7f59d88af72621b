/* deliver_request.h - qmgr <-> delivery agent protocol.
 *
 * qmgr connects private/<transport>; the agent sends {proto=deliver};
 * qmgr sends one header list: queue_name, queue_id, content_offset, size
 * (message_size), nexthop, sender, encoding, arrival_time, active_time,
 * handoff_time, dsn_envid, dsn_ret, client_name, client_address,
 * helo_name, protocol_name, nrcpt; then nrcpt lists: offset, recipient,
 * original_recipient, dsn_notify. The agent delivers and replies with
 * nrcpt lists in the same order: offset, status (DLV_STAT_*),
 * dsn_status, reason, diag_text, mta_name, dsn_notify (the NOTIFY bits
 * still to honour: an agent whose next hop took the DSN request over
 * clears DSN_NOTIFY_SUCCESS), and optionally dsn_action and relay
 * (DELIVER_RCPT.action, .relay). The agent logs the to=... line
 * of each recipient; qmgr marks done, defers or bounces. */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"

typedef struct DELIVER_RCPT {
    long    offset;
    char   *address;
    char   *orig_rcpt;
    int     dsn_notify;
    /* Filled in by the agent: */
    int     status;			/* DLV_STAT_* */
    char    dsn[16];			/* "2.0.0" */
    VSTR   *reason;			/* what the log line shows in (...) */
    VSTR   *diag;			/* "smtp; 550 5.1.1 ..." for DSN, may be empty */
    VSTR   *mta;			/* "dns; host" or empty */
    /* Optional, for RFC 3461 success reports (agent side; sent only when set): */
    char    action[16];			/* DSN Action of a success, "" = delivered
					 * ("relayed": the next hop got no DSN request) */
    char    relay[256];			/* what the to= line shows as relay=, "" = the transport */
} DELIVER_RCPT;

typedef struct DELIVER_REQUEST {
    char   *queue_name;
    char   *queue_id;
    long    content_offset;
    long    message_size;
    char   *nexthop;
    char   *sender;
    char   *encoding;
    double  arrival_time;
    double  active_time;
    double  handoff_time;
    char   *dsn_envid;
    int     dsn_ret;
    char   *client_name;
    char   *client_address;
    char   *helo_name;
    char   *protocol_name;
    char   *transport;			/* master.cf service name of the agent */
    DELIVER_RCPT *rcpt;
    int     nrcpt;
    int     flags;			/* DEL_REQ_FLAG_* */
} DELIVER_REQUEST;

/* More mail waits for this next hop: the agent may keep its session open
 * for it (Postfix's smtp_connection_cache_on_demand). */
#define DEL_REQ_FLAG_CONN_STORE	(1<<0)

/* DELIVER_REQUEST.dsn_ret: RFC 3461 RET= of the message (0: not given). */
#define DSN_RET_FULL	1
#define DSN_RET_HDRS	2

/* deliver_request_read - agent side: announce the protocol, read and
 * validate a request (queue name and ID checked, nrcpt within
 * rcpt_limit). NULL (logged) on malformed input or EOF. */
DELIVER_REQUEST *deliver_request_read(STREAM *qmgr, const char *transport, int rcpt_limit);
/* deliver_request_reply - agent side: send every recipient's status. -1 on error. */
int     deliver_request_reply(STREAM *qmgr, DELIVER_REQUEST *req);
/* deliver_request_free - release a request (NULL allowed). */
void    deliver_request_free(DELIVER_REQUEST *req);
/* deliver_rcpt_status - agent side: set a recipient's outcome. */
void    deliver_rcpt_status(DELIVER_RCPT *r, int status, const char *dsn,
			            const char *diag, const char *mta,
			            const char *fmt,...) PRINTFLIKE(6, 7);

/* deliver_log - agent side: log Postfix's line for one recipient, e.g.
 * "ID: to=<a@b>, orig_to=<c@d>, relay=R, delay=0.4, delays=a/b/c/d, dsn=2.0.0, status=sent (reason)".
 * conn_time and xfer_start are the times (seconds since the epoch, as
 * double) when the agent began connecting and began transmitting. */
void    deliver_log(const DELIVER_REQUEST *req, const DELIVER_RCPT *r,
		            const char *relay, double conn_time, double xfer_start);

/* deliver_format_delay - append a duration as the delay= fields show it:
 * two significant digits, 10 ms resolution, whole seconds from 10 s up
 * ("0", "0.01", "0.41", "1.2", "32"). */
void    deliver_format_delay(VSTR *buf, double seconds);

/* deliver_request_send - qmgr side: send a request (without reading the reply). -1 on error. */
int     deliver_request_send(STREAM *agent, const DELIVER_REQUEST *req);
/* deliver_request_get_reply - qmgr side: read nrcpt status lists into
 * req->rcpt (reason/diag/mta allocated when NULL). The caller reads the
 * agent's proto=deliver announcement (mail_expect_proto) before
 * deliver_request_send. -1 on error. */
int     deliver_request_get_reply(STREAM *agent, DELIVER_REQUEST *req);

/* now_double - current time as seconds since the epoch with microseconds. */
double  now_double(void);

#endif
