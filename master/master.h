/* master.h - the master supervisor's internal interfaces: services built
 * from master.cf, their listeners, their worker processes. */
#ifndef MASTER_H
#define MASTER_H
#include "util/sys_defs.h"
#include "util/argv.h"
#include "master/master_cf.h"
#include "global/master_proto.h"

typedef struct MASTER_CHILD MASTER_CHILD;

typedef struct MASTER_SERV {
    struct MASTER_SERV *next;
    char   *name;			/* master.cf service column */
    char   *type;			/* inet, unix, unix-dgram, fifo, pass */
    char   *path;			/* socket/fifo path (unix types), else NULL */
    char   *listen_key;		/* what the listeners are bound to */
    int     listen_fd[MASTER_LISTEN_MAX];
    int     listen_count;
    int     listening;			/* listeners registered for read events */
    int     status_fd;			/* master's end of the status channel */
    int     status_child_fd;		/* the end every worker inherits */
    int     max_proc;			/* 0: no limit */
    int     total_proc;
    int     avail_proc;
    int     wakeup;
    int     wakeup_cond;
    int     throttled;
    int     retry_count;		/* listener retries after reload */
    int     missing;			/* throttled because the program is missing */
    int     throttle_delay;		/* seconds, grows on repeated trouble */
    char   *program;			/* $daemon_directory/command */
    ARGV   *args;			/* argv for exec (without listener count) */
    int     line;			/* master.cf line */
} MASTER_SERV;

struct MASTER_CHILD {
    MASTER_CHILD *next;
    pid_t   pid;
    MASTER_SERV *serv;			/* NULL: from an older generation */
    unsigned gen;
    int     avail;
    int     use_count;			/* TAKEN reports: 0 at exit = bad startup */
    char   *program;			/* for log lines */
};

extern MASTER_SERV *master_services;
extern MASTER_CHILD *master_children;
extern unsigned master_generation;
extern int master_foreground;		/* -d: children keep stdout/stderr */
extern int master_stopping;
extern ARGV *master_overrides;		/* -o name=value from the command line */

/* master_serv_load - read master.cf and build, reuse or retire services
 * (start and reload); fatal on a bad master.cf. */
void    master_serv_load(const char *master_cf_path);
/* master_serv_stop_all - close listeners and status channels of every service. */
void    master_serv_stop_all(void);
/* master_reap - collect exited children, log abnormal exits, throttle. */
void    master_reap(void);
/* master_kill_children - send sig to every child. */
void    master_kill_children(int sig);

#endif
