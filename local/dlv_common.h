/* dlv_common.h - pieces shared by the local(8) and virtual(8) delivery
 * agents: the queue file, message copy with the prepended headers, mbox
 * and Maildir writers, locking and privilege switching. */
#ifndef DLV_COMMON_H
#define DLV_COMMON_H
#include "util/sys_defs.h"
#include "util/vstr.h"
#include "global/deliver_request.h"

#define DLV_COPY_FROM_LINE	(1<<4)	/* mbox "From sender date" line first */
#define DLV_COPY_QUOTE		(1<<5)	/* ">From " quoting */
#define DLV_COPY_BLANK		(1<<6)	/* blank line at the end */
#define DLV_COPY_NOSYNC		(1<<7)	/* no fsync (pipes) */
#define DLV_COPY_DOT		(1<<8)	/* "." doubled at line start */
#define DLV_COPY_MBOX		(DLV_COPY_FROM_LINE | DLV_COPY_QUOTE | DLV_COPY_BLANK)
#define DLV_COPY_RETURN_PATH	(1<<1)	/* Return-Path: <sender> */
#define DLV_COPY_ORIG_RCPT	(1<<2)	/* X-Original-To: orig rcpt (when known) */
#define DLV_COPY_DELIVERED	(1<<3)	/* Delivered-To: rcpt */
#define DLV_COPY_HEADERS	(DLV_COPY_RETURN_PATH | DLV_COPY_ORIG_RCPT | DLV_COPY_DELIVERED)

#define DLV_LOCK_FCNTL		(1<<0)
#define DLV_LOCK_FLOCK		(1<<1)
#define DLV_LOCK_DOTLOCK	(1<<2)

/* Outcome of a writer: what to tell qmgr. */
typedef struct DLV_RESULT {
    int     status;			/* DLV_STAT_* */
    char    dsn[16];
    VSTR   *text;			/* reason for the log line */
    VSTR   *diag;			/* DSN diagnostic ("x-unix; output"), usually empty */
} DLV_RESULT;

/* dlv_result_init - an empty result (call dlv_result_done to free). */
void    dlv_result_init(DLV_RESULT *res);
/* dlv_result_done - release the result's text. */
void    dlv_result_done(DLV_RESULT *res);
/* dlv_result_set - set status, dsn and text of a result. */
void    dlv_result_set(DLV_RESULT *res, int status, const char *dsn, const char *fmt,...) PRINTFLIKE(4, 5);

/* dlv_open_queue_file - open QUEUE/ID of the request read-only; -1 (logged) on failure. */
int     dlv_open_queue_file(const DELIVER_REQUEST *req);
/* dlv_loop_check - non-zero if the message headers hold Delivered-To: addr (case-insensitive). */
int     dlv_loop_check(int qfd, const DELIVER_REQUEST *req, const char *addr);
/* dlv_copy - write the message of qfd to out_fd with the headers named by
 * flags (delivered_to is the Delivered-To value); flushes and fsyncs. 0 ok,
 * -1 with errno set and why filled. */
int     dlv_copy(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
		         const char *delivered_to, int out_fd, int flags, VSTR *why);
/* dlv_copy_timeout - per-write timeout of dlv_copy in seconds (0: none). */
extern int dlv_copy_timeout;
/* dlv_lock_flags - parse a mailbox_delivery_lock style list into DLV_LOCK_*; -1 on a bad name. */
int     dlv_lock_flags(const char *list);
/* dlv_set_eugid - switch effective uid/gid (only when running as root). */
void    dlv_set_eugid(uid_t uid, gid_t gid);
/* dlv_restore_eugid - back to root (only when running as root). */
void    dlv_restore_eugid(void);
/* dlv_running_as_root - non-zero if the real uid is 0. */
int     dlv_running_as_root(void);
/* dlv_mbox_deliver - append the message to the mbox file path with the
 * given locks; create it owned by uid/gid (mode 0600) when missing.
 * create_privileged: create/lock as the current (root) identity and
 * write as uid/gid after checking ownership (spool directory), otherwise
 * everything runs as uid/gid. limit > 0 caps the file size. A failed
 * append is truncated away; its reason starts with fail_prefix (NULL:
 * "cannot update mailbox PATH for user DELIVERED_TO. "). Fills res. */
void    dlv_mbox_deliver(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
			         const char *delivered_to, const char *path,
			         uid_t uid, gid_t gid, int locks, long limit,
			         int create_privileged, const char *success_text,
			         const char *fail_prefix, DLV_RESULT *res);
/* dlv_maildir_deliver - deliver into Maildir dir (ending in '/' or not)
 * as uid/gid: create dir/{tmp,new,cur}, write tmp/, fsync, link into new/.
 * A write error's reason starts with fail_prefix (NULL: "maildir delivery
 * failed: "). Fills res. */
void    dlv_maildir_deliver(int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
			            const char *delivered_to, const char *dir,
			            uid_t uid, gid_t gid, long limit, const char *fail_prefix,
			            DLV_RESULT *res);
/* dlv_command_result - Postfix's outcome of a command's wait status:
 * 0 sent (sent_text), a sysexits code its text and DSN, another code or a
 * signal "Command died with ...: \"cmd\"", each followed by
 * ". Command output: ..." when output is non-empty. */
void    dlv_command_result(int wait_status, const char *cmd, const char *output,
			           const char *sent_text, DLV_RESULT *res);
/* dlv_run - run argv (execv; env NULL-terminated "NAME=value" list) as
 * uid/gid (when root) in dir, in its own process group, feeding the
 * message of qfd with copy_flags to its standard input; its output
 * (stdout and stderr, newlines and tabs as spaces, at most output_max
 * bytes) goes into output. After time_limit seconds it kills the process
 * group and bounces as Postfix does (5.3.0 "Command time limit exceeded:
 * \"name\"", name NULL: argv[0]). Returns 0 with *wait_status set, or -1
 * with res filled (could not run, time limit, write error). */
int     dlv_run(char **argv, const char *name, char **env, uid_t uid, gid_t gid, const char *dir,
		        int qfd, const DELIVER_REQUEST *req, const DELIVER_RCPT *rcpt,
		        const char *delivered_to, int copy_flags, int time_limit,
		        size_t output_max, VSTR *output, int *wait_status, DLV_RESULT *res);
/* dlv_apply - copy a result into a recipient's status. */
void    dlv_apply(DELIVER_RCPT *rcpt, const DLV_RESULT *res);

#endif
