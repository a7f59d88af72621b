/* msg.h - diagnostics: one line per event to syslog, a log file, stderr. */
#ifndef MSG_H
#define MSG_H
#include "util/sys_defs.h"

extern int msg_verbose;			/* -v count */

#define MSG_STDERR	(1<<0)		/* also print to stderr */
#define MSG_LOGGER	(1<<1)		/* also send to the logger */

/* msg_init - name the program for log lines and pick the outputs. */
void    msg_init(const char *progname, int flags);
/* msg_logger_config - log as "host syslog_name/progname[pid]" (short host
 * name, hostname only as fallback); to maillog_file
 * if non-empty (lines written with one write each, appended), else syslog. */
void    msg_logger_config(const char *syslog_name, const char *maillog_file,
			          const char *hostname);
/* msg_set_stderr - turn copying to stderr on or off. */
void    msg_set_stderr(int on);
/* msg_progname - the name given to msg_init. */
const char *msg_progname(void);

/* msg_info - log an informational line. */
void    msg_info(const char *fmt,...) PRINTFLIKE(1, 2);
/* msg_warn - log "warning: text". */
void    msg_warn(const char *fmt,...) PRINTFLIKE(1, 2);
/* msg_error - log "error: text" (counted; too many is fatal). */
void    msg_error(const char *fmt,...) PRINTFLIKE(1, 2);
/* msg_fatal - log "fatal: text", run the cleanup hook, exit(1). */
NORETURN msg_fatal(const char *fmt,...) PRINTFLIKE(1, 2);
/* msg_fatal_status - like msg_fatal with a chosen exit status. */
NORETURN msg_fatal_status(int status, const char *fmt,...) PRINTFLIKE(2, 3);
/* msg_panic - log "panic: text" and abort (a bug). */
NORETURN msg_panic(const char *fmt,...) PRINTFLIKE(1, 2);
/* msg_vinfo - va_list form of msg_info. */
void    msg_vinfo(const char *fmt, va_list ap);
/* msg_cleanup - run fn before a fatal exit (e.g. remove a half-written file). */
void    msg_cleanup(void (*fn) (void));

/* printable - replace non-printable bytes of s with '?', in place. */
char   *printable(char *s, int replacement);

#endif
