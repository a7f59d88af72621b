/* smtpd.h - the SMTP server's per-session state, shared by the protocol
 * engine (smtpd.c) and the access policy (smtpd_check.c). */
#ifndef SMTPD_H
#define SMTPD_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "global/cleanup_client.h"

typedef struct SMTPD_STATE {
    STREAM *client;
    char    name[1025];			/* client host name or "unknown" */
    char    addr[64];			/* client address, numeric */
    char    rfc_addr[72];		/* addr, "IPv6:" prefixed for v6 */
    char    namaddr[1100];		/* name[addr] */
    char   *helo_name;			/* HELO/EHLO argument or NULL */
    const char *protocol;		/* "SMTP" or "ESMTP" */
    const char *where;			/* last command, for "after X" */
    int     pipelining_offered;		/* EHLO reply listed PIPELINING */
    /* Transaction. */
    char   *sender;			/* internal form, NULL: no MAIL */
    int     rcpt_count;			/* accepted recipients */
    int     rcpt_overshoot;
    char   *first_rcpt;			/* the first accepted recipient */
    CLEANUP_CLIENT *cleanup;		/* open after the first good RCPT */
    char   *queue_id;			/* cleanup's ID, or NULL */
    long    act_size;			/* bytes of message content received */
    int     smtputf8;			/* MAIL FROM had SMTPUTF8 */
    int     dsn_ret;			/* SMTPD_DSN_RET_*, 0: none */
    char   *dsn_envid;			/* decoded ENVID=, or NULL */
    int     bdat_state;			/* BDAT_* */
    VSTR   *bdat_line;			/* partial line carried across BDAT chunks */
    /* Session. */
    int     error_count;
    int     junk_cmds;
    int     bare_mode;			/* BARE_* for this client */
    char   *access_denied;		/* client rejected at connect (smtpd_delay_reject = no) */
    VSTR   *buffer;			/* scratch */
} SMTPD_STATE;

/* smtpd_forbid_bare_newline modes (Postfix 3.7.11: yes = normalize). */
#define BARE_NO		0	/* accept bare LF as a line end, also in <LF>.<LF> */
#define BARE_NORMALIZE	1	/* accept bare LF, but only <CR><LF>.<CR><LF> ends DATA */
#define BARE_REJECT	2	/* reject bare LF (and bare CR) */

/* MAIL FROM RET= values, as stored in the dsn_ret attribute (Postfix's ret_flags). */
#define SMTPD_DSN_RET_FULL	1
#define SMTPD_DSN_RET_HDRS	2

/* CHUNKING (RFC 3030) transaction state. */
#define BDAT_NONE	0		/* no BDAT chunk in this transaction */
#define BDAT_ACTIVE	1		/* chunks accepted so far */
#define BDAT_ERROR	2		/* discard chunks until LAST or RSET */

/* Access policy results. */
#define SMTPD_CHECK_DUNNO	0	/* no decision: next restriction */
#define SMTPD_CHECK_OK		1	/* permitted */
#define SMTPD_CHECK_REJECT	2	/* reply text is in the reply buffer */

/* smtpd_check_init - open tables and parse restriction lists (after the configuration is read). */
void    smtpd_check_init(void);
/* smtpd_check_mynetworks - non-zero if the client address matches mynetworks. */
int     smtpd_check_mynetworks(const char *addr);
/* smtpd_check_bare_lf_excluded - non-zero if the client is in smtpd_forbid_bare_newline_exclusions. */
int     smtpd_check_bare_lf_excluded(const char *addr);
/* smtpd_check_rcpt - run client, helo, sender (delay_reject), relay and
 * recipient restrictions and the unknown-recipient tables for rcpt
 * (internal form); returns NULL if accepted, else the reply text (static). */
const char *smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt);
/* smtpd_check_client - smtpd_client_restrictions (at connect when smtpd_delay_reject = no); NULL or the reply. */
const char *smtpd_check_client(SMTPD_STATE *state);
/* smtpd_check_helo - smtpd_helo_restrictions for helo (smtpd_delay_reject = no); NULL or the reply. */
const char *smtpd_check_helo(SMTPD_STATE *state, const char *helo);
/* smtpd_check_mail - smtpd_sender_restrictions for sender (smtpd_delay_reject = no); NULL or the reply. */
const char *smtpd_check_mail(SMTPD_STATE *state, const char *sender);
/* smtpd_check_data - run smtpd_data_restrictions; NULL if accepted, else the reply text. */
const char *smtpd_check_data(SMTPD_STATE *state);

#endif
