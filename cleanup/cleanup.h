/* cleanup.h - the cleanup daemon's per-message state and its modules:
 * cleanup.c (protocol, queue file output), cleanup_addr.c (address
 * canonicalisation and virtual alias expansion), cleanup_message.c
 * (header processing and missing headers). */
#ifndef CLEANUP_H
#define CLEANUP_H
#include "util/sys_defs.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/htable.h"
#include <sys/time.h>

typedef struct CLEANUP_STATE {
    VSTR   *queue_id;
    VSTR   *path;			/* incoming/ID */
    int     fd;				/* the queue file */
    STREAM *dst;			/* buffered writer on fd */
    long    offset;			/* bytes written so far */
    int     flags;			/* CLEANUP_FLAG_* from the client */
    int     errs;			/* CLEANUP_STAT_* */
    VSTR   *reason;			/* reply text for errs (may be empty) */
    struct timeval arrival;
    ATTR_LIST *attrs;			/* A records from the client */
    char   *sender;			/* canonical sender, NULL until S */
    VSTR   *orcpt;			/* pending O record */
    int     notify;			/* pending n record */
    long    size_offset;		/* offset of the C record */
    long    content_offset;		/* first record after M */
    long    xtra_end;			/* offset just after X */
    long    nrcpt;
    long    msg_size;			/* Postfix-compatible content size */
    HTABLE *dups;			/* recipients written */
    int     ndups;
    int     local_rewrite;		/* add missing headers */
    /* header state */
    int     in_header;			/* still in the primary header block */
    VSTR   *hdr;			/* current logical header, lines joined by \n */
    int     hdr_trunc;			/* current header over header_size_limit */
    int     hop_count;
    int     eightbit;			/* 8-bit content seen (encoding=8bit) */
    int     seen;			/* HDR_SEEN_* */
    char   *msgid;			/* Message-ID value for logging */
    char   *resent_msgid;
    VSTR   *pending;		/* L pieces of a header line */
    VSTR   *temp;
} CLEANUP_STATE;

#define HDR_SEEN_MSGID		(1<<0)
#define HDR_SEEN_DATE		(1<<1)
#define HDR_SEEN_FROM		(1<<2)
#define HDR_SEEN_RESENT_MSGID	(1<<3)
#define HDR_SEEN_RESENT_DATE	(1<<4)
#define HDR_SEEN_RESENT_FROM	(1<<5)
#define HDR_SEEN_RESENT_ANY	(1<<6)
#define HDR_SEEN_TO		(1<<7)	/* To, Cc or Bcc (or Resent-) */

/* cleanup.c */
/* cleanup_out - write one record to the queue file, tracking the offset. */
void    cleanup_out(CLEANUP_STATE *state, int type, const char *data, size_t len);
/* cleanup_out_content - write a content line (split at line_length_limit). */
void    cleanup_out_content(CLEANUP_STATE *state, int type, const char *data, size_t len);

/* cleanup_addr.c */
/* cleanup_addr_init - open virtual_alias_maps etc. (after mail_conf_init). */
void    cleanup_addr_init(void);
/* cleanup_canon - canonical internal form of addr into out (@$myorigin appended to a bare local part). */
const char *cleanup_canon(VSTR *out, const char *addr);
/* cleanup_recipient - expand one client recipient (virtual aliases) and write the R records. */
void    cleanup_recipient(CLEANUP_STATE *state, const char *orig, int notify, const char *rcpt);
/* cleanup_local_client - non-zero if client_address is in local_header_rewrite_clients. */
int     cleanup_local_client(const ATTR_LIST *attrs);

/* cleanup_hdraddr.c */
/* cleanup_is_addr_header - non-zero for headers that hold addresses (From, To, Cc, ...). */
int     cleanup_is_addr_header(const char *name);
/* cleanup_rewrite_addr_header - complete bare addresses in the header in hdr
 * (name_len bytes of name) with @$myorigin; rewrites hdr (folded) and
 * returns non-zero only if an address changed. */
int     cleanup_rewrite_addr_header(VSTR *hdr, size_t name_len);

/* cleanup_message.c */
/* cleanup_message_start - start of content (M): the Received: header of a local submission. */
void    cleanup_message_start(CLEANUP_STATE *state);
/* cleanup_message_line - one content line from the client (N or L). */
void    cleanup_message_line(CLEANUP_STATE *state, int type, const char *data, size_t len);
/* cleanup_message_end - end of content (X): finish the header block if still open. */
void    cleanup_message_end(CLEANUP_STATE *state);

#endif
