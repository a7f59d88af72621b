/* mail_proto.h - names shared by the clients and servers of every
 * internal protocol: service names, socket classes, attribute names,
 * status codes. One place, so both ends agree. */
#ifndef MAIL_PROTO_H
#define MAIL_PROTO_H
#include "util/sys_defs.h"
#include "util/stream.h"

/* Socket classes: directories under queue_directory. */
#define MAIL_CLASS_PRIVATE	"private"
#define MAIL_CLASS_PUBLIC	"public"

/* Services. */
#define MAIL_SERVICE_CLEANUP	"cleanup"
#define MAIL_SERVICE_QMGR	"qmgr"
#define MAIL_SERVICE_PICKUP	"pickup"
#define MAIL_SERVICE_BOUNCE	"bounce"
#define MAIL_SERVICE_DEFER	"defer"
#define MAIL_SERVICE_SHOWQ	"showq"
#define MAIL_SERVICE_ERROR	"error"

/* Triggers sent to qmgr (one byte each, any number in one write). */
#define QMGR_REQ_WAKEUP		'W'	/* look in incoming/ */
#define QMGR_REQ_SCAN_INCOMING	'I'
#define QMGR_REQ_SCAN_DEFERRED	'D'	/* scan deferred/ now */
#define QMGR_REQ_FLUSH_DEAD	'F'	/* forget back-off: retry everything now */
#define QMGR_REQ_SCAN_ALL	'A'
/* Trigger for pickup. */
#define PICKUP_REQ_WAKEUP	'W'

/* Every server speaks first with proto=<name>. */
#define MAIL_ATTR_PROTO		"proto"
#define MAIL_PROTO_CLEANUP	"cleanup"
#define MAIL_PROTO_DELIVER	"deliver"
#define MAIL_PROTO_BOUNCE	"bounce"
#define MAIL_PROTO_SHOWQ	"showq"

/* Common attribute names. */
#define MAIL_ATTR_QUEUE		"queue_name"
#define MAIL_ATTR_QUEUEID	"queue_id"
#define MAIL_ATTR_STATUS	"status"
#define MAIL_ATTR_REASON	"reason"
#define MAIL_ATTR_FLAGS		"flags"
#define MAIL_ATTR_SENDER	"sender"
#define MAIL_ATTR_RECIP		"recipient"
#define MAIL_ATTR_ORCPT		"original_recipient"
#define MAIL_ATTR_OFFSET	"offset"
#define MAIL_ATTR_NEXTHOP	"nexthop"
#define MAIL_ATTR_NRCPT		"nrcpt"
#define MAIL_ATTR_DSN_STATUS	"dsn_status"	/* "5.1.1" */
#define MAIL_ATTR_DSN_ACTION	"dsn_action"	/* delivered, failed, delayed, relayed */
#define MAIL_ATTR_DSN_NOTIFY	"dsn_notify"
#define MAIL_ATTR_DSN_ENVID	"dsn_envid"
#define MAIL_ATTR_DSN_RET	"dsn_ret"
#define MAIL_ATTR_SMTPUTF8	"smtputf8"	/* "1": MAIL FROM had SMTPUTF8 (RFC 6531) */
#define MAIL_ATTR_DIAG		"diag_text"	/* "smtp; 550 5.1.1 ..." */
#define MAIL_ATTR_MTA		"mta_name"	/* remote MTA, "dns; host" */
#define MAIL_ATTR_ARRIVAL	"arrival_time"	/* "sec.usec" */
#define MAIL_ATTR_ACTIVE	"active_time"	/* when qmgr moved it to active/ */
#define MAIL_ATTR_HANDOFF	"handoff_time"	/* when qmgr handed it to the agent */
#define MAIL_ATTR_SIZE		"size"
#define MAIL_ATTR_CONTENT_OFF	"content_offset"
#define MAIL_ATTR_ENCODING	"encoding"
#define MAIL_ATTR_CLIENT_NAME	"client_name"
#define MAIL_ATTR_CLIENT_ADDR	"client_address"
#define MAIL_ATTR_HELO		"helo_name"
#define MAIL_ATTR_PROTO_NAME	"protocol_name"
#define MAIL_ATTR_TRANSPORT	"transport"
#define MAIL_ATTR_RELAY		"relay"
/* Attributes pickup sends to cleanup for a local submission (sendmail). */
#define MAIL_ATTR_FULL_NAME	"full_name"	/* sendmail -F / GECOS: From: "full_name <sender>" */
#define MAIL_ATTR_RWR_CONTEXT	"rewrite_context"	/* "local" from pickup */
#define MAIL_ATTR_SUBMIT_UID	"submit_uid"	/* submitter's uid: Received: by host (mail_name, from userid N) */

/* Delivery status per recipient. */
#define DLV_STAT_SENT		0
#define DLV_STAT_DEFER		1
#define DLV_STAT_BOUNCE		2

/* mail_connect - connect to $queue_directory/class/service; NULL (errno set) on failure. */
STREAM *mail_connect(const char *class, const char *service, int timeout);
/* mail_trigger - connect, send len bytes, close; 0 ok, -1 on failure (not logged). */
int     mail_trigger(const char *class, const char *service, const char *buf, size_t len);
/* mail_expect_proto - read the server's announcement; 0 if it is proto, -1 (logged) otherwise. */
int     mail_expect_proto(STREAM *s, const char *proto);
/* mail_announce_proto - send proto=<name> as a one-pair list and flush; -1 on error. */
int     mail_announce_proto(STREAM *s, const char *proto);

#endif
