/* mail_server.h - the server skeletons every daemon is built on. master
 * starts a daemon with its listening socket(s) and a status pipe (see
 * master_proto.h); the skeleton does option parsing, main.cf, privilege
 * drop, accept, timeouts, max_idle/max_use and status reports, and calls
 * the daemon's hooks. */
#ifndef MAIL_SERVER_H
#define MAIL_SERVER_H
#include "util/sys_defs.h"
#include "util/stream.h"

typedef struct MAIL_SERVER_SPEC {
    /* before the privilege drop (open tables, sockets that need root) */
    void    (*pre_init) (const char *service, char **argv);
    /* after the privilege drop */
    void    (*post_init) (const char *service, char **argv);
    /* single server: handle one client connection, then return */
    void    (*service) (STREAM *client, const char *service, char **argv);
    /* trigger server: bytes written to the service socket */
    void    (*trigger) (const char *buf, ssize_t len, const char *service, char **argv);
    /* called before each wait; returns ms until it needs calling again (-1: no need) */
    long    (*loop) (void);
    /* called before exit (e.g. close tables) */
    void    (*pre_exit) (void);
    int     flags;
} MAIL_SERVER_SPEC;

#define MAIL_SERVER_FLAG_NEED_ROOT	(1<<0)	/* keep root (local delivery); refuse unpriv=y */
#define MAIL_SERVER_FLAG_SOLITARY	(1<<1)	/* must have maxproc 1 (qmgr, pickup) */
#define MAIL_SERVER_FLAG_LONG_LIVED	(1<<2)	/* ignore max_idle/max_use (qmgr) */

/* single_server_main - serve one client at a time; does not return. */
NORETURN single_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec);
/* trigger_server_main - wake on trigger bytes and on the wakeup timer
 * (master.cf wakeup column); does not return. */
NORETURN trigger_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec);
/* event_server_main - like trigger_server_main, but the daemon may add its
 * own descriptors and timers with util/events.h (qmgr). */
NORETURN event_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec);

/* mail_server_service_name - the master.cf service name (-n). */
const char *mail_server_service_name(void);
/* mail_server_drain - a daemon asks to exit soon (e.g. after a fatal condition in one session). */
void    mail_server_drain(void);

#endif
