/* master_proto.h - the contract between master and the workers it
 * starts (through global/mail_server.c): which descriptors a worker
 * inherits, which options it gets, and the status messages it sends. */
#ifndef MASTER_PROTO_H
#define MASTER_PROTO_H
#include "util/sys_defs.h"

/*
 * Descriptors. A worker starts with:
 *   MASTER_STATUS_FD	its end of a socketpair with master. The worker
 *			writes MASTER_STATUS records to it. When master
 *			closes its end (reload, stop, master died) the
 *			descriptor becomes readable (EOF): the worker exits
 *			as soon as it is idle.
 *   MASTER_LISTEN_FD..	the service's listening socket(s) (or the fifo),
 *			MASTER_LISTEN_FD + 0 .. + count-1; count is -s N.
 * stdin, stdout and stderr are /dev/null (or the master's stdout/stderr
 * under start-fg).
 */
#define MASTER_STATUS_FD	3
#define MASTER_LISTEN_FD	4
#define MASTER_LISTEN_MAX	64	/* listeners per service */

/*
 * Command line: COMMAND -n service -t type [-s count] [-u] [-c] [-l]
 *   [-w wakeup] [-o name=value]... [-v]... [--] [master.cf arguments]
 *   -n	master.cf service name (e.g. "smtp", "relay", "127.0.0.1:2525")
 *   -t	service type: inet, unix, unix-dgram, fifo, pass
 *   -s	number of inherited listeners (default 1)
 *   -u	unprivileged: a root-started worker drops to mail_owner
 *   -c	chroot into queue_directory (master.cf chroot column y)
 *   -l	solitary: maxproc is 1
 *   -w	the wakeup period in seconds (informational)
 *   -o	main.cf override, applied before main.cf is evaluated
 *   -v	more verbose logging
 *   -D	debug: allow running from a terminal / without master
 * MAIL_CONFIG is set in the environment to the configuration directory.
 */
#define MASTER_TYPE_INET	"inet"
#define MASTER_TYPE_UNIX	"unix"
#define MASTER_TYPE_UXDG	"unix-dgram"
#define MASTER_TYPE_FIFO	"fifo"
#define MASTER_TYPE_PASS	"pass"

/* Status messages: one fixed-size record per write, worker -> master. */
typedef struct MASTER_STATUS {
    int     pid;			/* the worker's pid */
    unsigned gen;			/* generation (MASTER_GEN env), echoed back */
    int     avail;			/* MASTER_STAT_* */
} MASTER_STATUS;

#define MASTER_STAT_TAKEN	0	/* busy with a client */
#define MASTER_STAT_AVAIL	1	/* idle, waiting in accept */

/* Environment variable carrying the generation number of a worker. */
#define MASTER_GEN_ENV		"MASTER_GENERATION"

/* Trigger master writes to a service on each wakeup period. */
#define MASTER_WAKEUP_REQ	"W"

/* Worker exit status meaning "bad configuration; throttle, do not respawn fast". */
#define MASTER_EXIT_CONFIG	1

#endif
