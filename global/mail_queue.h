/* mail_queue.h - queue directories, queue IDs and queue file paths.
 * Processes chdir to queue_directory, so paths are relative ("active/ID"). */
#ifndef MAIL_QUEUE_H
#define MAIL_QUEUE_H
#include "util/sys_defs.h"
#include "util/vstr.h"

#define MAIL_QUEUE_MAILDROP	"maildrop"
#define MAIL_QUEUE_INCOMING	"incoming"
#define MAIL_QUEUE_ACTIVE	"active"
#define MAIL_QUEUE_DEFERRED	"deferred"
#define MAIL_QUEUE_HOLD		"hold"
#define MAIL_QUEUE_CORRUPT	"corrupt"
#define MAIL_QUEUE_BOUNCE	"bounce"	/* per-message bounce logs */
#define MAIL_QUEUE_DEFER	"defer"		/* per-message defer logs */
#define MAIL_QUEUE_TRACE	"trace"
#define MAIL_QUEUE_SAVED	"saved"

/* A finished queue file has mode 0700; one still being written has 0600. */
#define MAIL_QUEUE_MODE_WRITING	0600
#define MAIL_QUEUE_MODE_READY	0700

/* mail_queue_id_ok - non-zero if id is a well-formed queue ID (checked
 * before any path is built from it). */
int     mail_queue_id_ok(const char *id);
/* mail_queue_name_ok - non-zero if queue is one of the queue names above. */
int     mail_queue_name_ok(const char *queue);
/* mail_queue_path - "queue/id" into buf; returns buf's string. */
const char *mail_queue_path(VSTR *buf, const char *queue, const char *id);
/* mail_queue_create - create a new file in queue named by a fresh unique,
 * time-ordered ID (short upper-case hex, or long form when
 * enable_long_queue_ids), mode MAIL_QUEUE_MODE_WRITING; returns the open
 * O_RDWR fd and the ID in id; -1 with errno on failure. */
int     mail_queue_create(const char *queue, VSTR *id);
/* mail_queue_rename - move id from queue old to queue new; 0 ok, -1 errno. */
int     mail_queue_rename(const char *id, const char *old_queue, const char *new_queue);
/* mail_queue_remove - unlink queue/id; 0 ok, -1 errno (ENOENT is not an error for callers that say so). */
int     mail_queue_remove(const char *queue, const char *id);
/* mail_queue_dirs - NULL-terminated list of the queue directories to create. */
extern const char *const mail_queue_dirs[];

#endif
