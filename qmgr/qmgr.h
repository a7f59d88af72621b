/* qmgr.h - the queue manager's shared structures and module interfaces.
 * Modules: qmgr.c (main, triggers, queue scans, recovery), qmgr_message.c
 * (one message in active/: load, resolve, finish), qmgr_deliver.c
 * (destinations, concurrency, talking to the delivery agents),
 * qmgr_bounce.c (client of the bounce service). */
#ifndef QMGR_H
#define QMGR_H
#include "util/sys_defs.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "global/qfile.h"
#include "global/deliver_request.h"

/* Per-recipient state while a message is in active/. */
#define QR_TODO		0		/* not yet handed to an agent */
#define QR_DONE		1		/* marked D in the file */
#define QR_INFLIGHT	2		/* in a delivery request */
#define QR_DEFER	3		/* deferred this round */
#define QR_BOUNCE	4		/* failed: to report through bounce */
#define QR_SENT_NOTIFY	5		/* delivered, NOTIFY=SUCCESS: report, then mark done */

typedef struct QMGR_RCPT {
    int     state;
    char    dsn[16];
    char   *reason;
    char   *diag;
    char   *mta;
    char   *relay;			/* delivered: relay= of the to= line (success reports) */
    char    action[16];		/* delivered: DSN Action, "" = delivered */
    int     no_success_report;	/* the agent's next hop took NOTIFY=SUCCESS over */
} QMGR_RCPT;

typedef struct QMGR_MESSAGE {
    char   *id;
    int     fd;				/* open O_RDWR on active/ID */
    QFILE_ENV *env;
    double  arrival;
    double  active_time;
    QMGR_RCPT *rs;			/* env->nrcpt entries */
    int    *order;			/* recipient indexes, sorted as Postfix does */
    int     jobs;			/* delivery jobs not yet finished */
    int     unsynced;			/* D marks not yet fsync'd */
    int     expired;			/* past its queue lifetime */
    struct QMGR_MESSAGE *next;
    struct QMGR_MESSAGE *prev;
} QMGR_MESSAGE;

/* qmgr.c */
extern int qmgr_active_count;		/* messages in memory */
/* qmgr_message_finished - a message left memory: feed more from the scans. */
void    qmgr_message_finished(void);
/* qmgr_backoff - seconds until the next attempt of a message of this age. */
int     qmgr_backoff(double age);

/* qmgr_message.c */
/* qmgr_message_activate - move QUEUE/ID to active/, load and schedule it;
 * 0 ok (or nothing to do), -1 if it was not taken. */
int     qmgr_message_activate(const char *queue, const char *id);
/* qmgr_message_active - non-zero if ID is in memory. */
int     qmgr_message_active(const char *id);
/* qmgr_rcpt_result - record one recipient's outcome (status DLV_STAT_*). */
void    qmgr_rcpt_result(QMGR_MESSAGE *m, int idx, int status, const char *dsn,
			         const char *reason, const char *diag, const char *mta);
/* qmgr_rcpt_success_info - before qmgr_rcpt_result of a delivered
 * recipient: the agent's relay (or the transport), DSN action ("" =
 * delivered) and the NOTIFY bits it left (SUCCESS cleared: no report). */
void    qmgr_rcpt_success_info(QMGR_MESSAGE *m, int idx, const char *relay,
			               const char *action, int notify);
/* qmgr_message_job_done - one delivery job of m ended; finish m when it was the last. */
void    qmgr_message_job_done(QMGR_MESSAGE *m);
/* qmgr_log_qmgr_status - log a to=... line for a recipient qmgr itself decided on. */
void    qmgr_log_status(QMGR_MESSAGE *m, int idx, int status, const char *dsn, const char *reason);

/* qmgr_deliver.c */
/* qmgr_deliver_add - queue recipient idx of m for (transport, nexthop). */
void    qmgr_deliver_add(QMGR_MESSAGE *m, int idx, const char *transport, const char *nexthop);
/* qmgr_deliver_kick - start what the concurrency limits allow. */
void    qmgr_deliver_kick(void);
/* qmgr_deliver_flush_dead - forget which destinations were found dead. */
void    qmgr_deliver_flush_dead(void);

/* qmgr_bounce.c */
typedef struct QMGR_BOUNCE_RCPT {
    const char *address;
    const char *orig_rcpt;
    long    offset;
    const char *dsn;
    const char *reason;
    const char *diag;
    const char *mta;
    const char *action;			/* DSN Action, read only with QMGR_BOUNCE_FLAG_SUCCESS
					 * (NULL: delivered); other callers may leave it unset */
} QMGR_BOUNCE_RCPT;

#define QMGR_BOUNCE_FLAG_DELAY	(1<<0)	/* a delay warning, not a failure */
#define QMGR_BOUNCE_FLAG_SUCCESS (1<<1)	/* a success report (NOTIFY=SUCCESS) */

/* qmgr_bounce_send - ask the bounce service for one non-delivery report
 * (with QMGR_BOUNCE_FLAG_DELAY a delay warning, with QMGR_BOUNCE_FLAG_SUCCESS
 * a delivery status notification of successes) of these recipients
 * of queue/ID; 0 once it accepted, -1 on failure (logged). */
int     qmgr_bounce_send(const char *queue, const char *id, const char *sender,
			         int flags, const QMGR_BOUNCE_RCPT *rcpt, int nrcpt);

#endif
