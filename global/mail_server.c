/* mail_server.c - the server skeletons every daemon is built on: the
 * single-client accept loop (smtpd, cleanup, delivery agents), the
 * trigger server (pickup) and the event server (qmgr). They do the work
 * common to all daemons, in this order: options from master (see
 * master_proto.h), main.cf with -o overrides, refuse a terminal, chdir to
 * the queue directory, pre_init, chroot and privilege drop, post_init,
 * then serve, reporting busy/idle to master, until max_use, max_idle,
 * a drain request, or master going away. */
#include "util/dict.h"
#include "util/sys_defs.h"
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/iostuff.h"
#include "util/stream.h"
#include "util/events.h"
#include "util/attr.h"
#include "util/argv.h"
#include "global/mail_params.h"
#include "global/mail_server.h"
#include "global/master_proto.h"

#define TRIGGER_BUF_SIZE	1024	/* bytes read per trigger */
#define TRIGGER_READ_TIMEOUT	10	/* seconds a trigger client may dawdle */

/* Server state, one per process. */
static const MAIL_SERVER_SPEC *server_spec;
static char *server_name = "unknown";
static char *server_type = MASTER_TYPE_UNIX;
static char **server_argv;		/* master.cf arguments */
static int server_listen_count = 1;
static int server_status_ok;		/* MASTER_STATUS_FD is ours */
static unsigned server_gen;
static int server_drain;
static int server_use_count;
static int server_avail = -1;		/* last status sent */
static int server_debug;

const char *mail_server_service_name(void)
{
    return server_name;
}

void    mail_server_drain(void)
{
    server_drain = 1;
}

/* server_exit - run the daemon's exit hook and exit. */

static NORETURN server_exit(void)
{
    if (server_spec && server_spec->pre_exit)
	server_spec->pre_exit();
    exit(0);
}

/* server_status - tell master whether we are busy; exit if master is gone. */

static void server_status(int avail)
{
    MASTER_STATUS st;

    if (!server_status_ok || avail == server_avail)
	return;
    server_avail = avail;
    memset(&st, 0, sizeof(st));
    st.pid = (int) getpid();
    st.gen = server_gen;
    st.avail = avail;
    if (write(MASTER_STATUS_FD, &st, sizeof(st)) != (ssize_t) sizeof(st)) {
	if (msg_verbose)
	    msg_info("master status write: %s", strerror(errno));
	server_exit();
    }
}

/* server_master_gone - non-zero when master closed the status channel. */

static int server_master_gone(void)
{
    struct pollfd pfd;

    if (!server_status_ok)
	return 0;
    pfd.fd = MASTER_STATUS_FD;
    pfd.events = POLLIN;
    pfd.revents = 0;
    return poll(&pfd, 1, 0) > 0;
}

/* server_watchdog - a stuck process is killed, so master can replace it. */

static void server_watchdog(int sig)
{
    static const char text[] = "fatal: watchdog timeout\n";

    (void) sig;
    if (server_debug)
	(void) !write(2, text, sizeof(text) - 1);
    signal(SIGALRM, SIG_DFL);
    raise(SIGALRM);
}

static void server_watchdog_start(void)
{
    if (var_daemon_timeout > 0)
	alarm((unsigned) var_daemon_timeout);
}

/* server_owner - look up mail_owner, fatal if missing or privileged. */

static struct passwd *server_owner(void)
{
    struct passwd *pw;

    if ((pw = getpwnam(var_mail_owner)) == 0)
	msg_fatal("file %s: parameter mail_owner: unknown user name value: %s",
		  mail_conf_file(), var_mail_owner);
    if (pw->pw_uid == 0)
	msg_fatal("file %s: parameter mail_owner: user %s has privileged user ID",
		  mail_conf_file(), var_mail_owner);
    return pw;
}

/* server_init - everything before serving; returns the master.cf arguments. */

static void server_init(int argc, char **argv, const MAIL_SERVER_SPEC *spec)
{
    int     ch;
    int     unpriv = 0;
    int     do_chroot = 0;
    int     solitary = 0;
    const char *gen;
    long    n;

    server_spec = spec;
    msg_init(argv[0], MSG_STDERR | MSG_LOGGER);
    signal(SIGPIPE, SIG_IGN);
    umask(077);

    opterr = 1;
    while ((ch = getopt(argc, argv, "+n:t:s:uclw:o:vDz")) != -1) {
	switch (ch) {
	case 'n':
	    server_name = optarg;
	    break;
	case 't':
	    server_type = optarg;
	    break;
	case 's':
	    if (parse_long(optarg, &n) < 0 || n < 1 || n > MASTER_LISTEN_MAX)
		msg_fatal("bad listener count: -s %s", optarg);
	    server_listen_count = (int) n;
	    break;
	case 'u':
	    unpriv = 1;
	    break;
	case 'c':
	    do_chroot = 1;
	    break;
	case 'l':
	    solitary = 1;
	    break;
	case 'w':
	case 'z':
	    break;
	case 'o':{
		char   *eq = strchr(optarg, '=');
		char   *name;

		if (eq == 0 || eq == optarg)
		    msg_fatal("bad -o option: \"%s\" (expected name=value)", optarg);
		name = mymalloc((size_t) (eq - optarg) + 1);
		memcpy(name, optarg, (size_t) (eq - optarg));
		name[eq - optarg] = 0;
		mail_conf_override(trimblanks(name), eq + 1);
		myfree(name);
		break;
	    }
	case 'v':
	    msg_verbose++;
	    break;
	case 'D':
	    server_debug = 1;
	    break;
	default:
	    msg_fatal("usage: %s -n service -t type [-o name=value] [-v]", argv[0]);
	}
    }
    server_argv = argv + optind;
    mail_conf_override("service_name", server_name);
    mail_conf_init((const char *) 0);
    if (!server_debug)
	msg_set_stderr(0);

    if ((spec->flags & MAIL_SERVER_FLAG_SOLITARY) && !solitary && !server_debug)
	msg_fatal("service %s requires a process limit of 1", server_name);
    if ((gen = getenv(MASTER_GEN_ENV)) != 0 && parse_long(gen, &n) == 0 && n >= 0)
	server_gen = (unsigned) n;

    /* We are started by master, never by hand. */
    if (isatty(0) && !server_debug)
	msg_fatal("do not run this command by hand");
    server_status_ok = (fcntl(MASTER_STATUS_FD, F_GETFD) >= 0 && !server_debug)
	|| (server_debug && getenv(MASTER_GEN_ENV) != 0);
    for (int i = 0; i < server_listen_count; i++)
	if (fcntl(MASTER_LISTEN_FD + i, F_GETFD) < 0)
	    msg_fatal("no listener on descriptor %d: was this started by master?",
		      MASTER_LISTEN_FD + i);
    if (server_status_ok)
	close_on_exec(MASTER_STATUS_FD, 1);
    for (int i = 0; i < server_listen_count; i++)
	close_on_exec(MASTER_LISTEN_FD + i, 1);

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %s", var_queue_dir, strerror(errno));

    if (spec->pre_init)
	spec->pre_init(server_name, server_argv);

    /* Privilege drop, only when started as root. */
    if (geteuid() == 0) {
	if (unpriv && (spec->flags & MAIL_SERVER_FLAG_NEED_ROOT))
	    msg_fatal("service %s requires privileged operation: "
		      "set the master.cf unpriv column to n", server_name);
	if (unpriv || do_chroot) {
	    struct passwd *pw = unpriv ? server_owner() : 0;
	    uid_t   uid = pw ? pw->pw_uid : 0;
	    gid_t   gid = pw ? pw->pw_gid : 0;

	    if (pw && initgroups(var_mail_owner, gid) < 0)
		msg_fatal("initgroups %s: %s", var_mail_owner, strerror(errno));
	    if (do_chroot) {
		if (chroot(var_queue_dir) < 0)
		    msg_fatal("chroot(%s): %s", var_queue_dir, strerror(errno));
		if (chdir("/") < 0)
		    msg_fatal("chdir(\"/\"): %s", strerror(errno));
	    }
	    if (pw) {
		if (setgid(gid) < 0)
		    msg_fatal("setgid(%ld): %s", (long) gid, strerror(errno));
		if (setuid(uid) < 0)
		    msg_fatal("setuid(%ld): %s", (long) uid, strerror(errno));
		if (setuid(0) == 0)
		    msg_fatal("privilege drop to %s did not stick", var_mail_owner);
	    }
	}
    } else if (do_chroot && msg_verbose) {
	msg_info("not running as root: no chroot");
    }

    if (spec->post_init)
	spec->post_init(server_name, server_argv);

    signal(SIGALRM, server_watchdog);
    if (msg_verbose)
	msg_info("daemon started");
}

/* server_retire - max_use, drain and master-gone checks between clients. */

static void server_check_tables(void);

static void server_check_retire(void)
{
    int     long_lived = (server_spec->flags & MAIL_SERVER_FLAG_LONG_LIVED) != 0;

    if (server_drain)
	server_exit();
    if (!long_lived && var_max_use > 0 && server_use_count >= var_max_use)
	server_exit();
    if (server_master_gone())
	server_exit();
    server_check_tables();
}

/* server_check_tables - exit (master starts a fresh process) when a table
 * file was rebuilt (newaliases, postmap), as Postfix's daemons do. */

static void server_check_tables(void)
{
    const char *changed = dict_changed_name();

    if (changed != NULL) {
	msg_info("table %s has changed -- restarting", changed);
	server_exit();
    }
}

/* server_accept - accept on a shared listener; -1 if someone else was faster. */

static int server_accept(int lfd)
{
    int     fd;

    if ((fd = accept(lfd, (struct sockaddr *) 0, (socklen_t *) 0)) < 0) {
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
	    && errno != ECONNABORTED && errno != EPROTO)
	    msg_warn("accept connection: %s", strerror(errno));
	return -1;
    }
    non_blocking(fd, 0);
    close_on_exec(fd, 1);
    return fd;
}

/* server_serve_stream - run the service on one connection, then close it. */

static void server_serve_stream(int fd)
{
    STREAM *client;

    server_status(MASTER_STAT_TAKEN);
    server_watchdog_start();
    client = stream_fdopen(fd, var_ipc_timeout);
    server_spec->service(client, server_name, server_argv);
    (void) stream_close(client);
    alarm(0);
    server_use_count++;
    server_status(MASTER_STAT_AVAIL);
}

NORETURN single_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec)
{
    struct pollfd pfd[MASTER_LISTEN_MAX + 1];
    int     long_lived;
    time_t  idle_since;

    if (spec->service == 0)
	msg_panic("single_server_main: no service function");
    server_init(argc, argv, spec);
    long_lived = (spec->flags & MAIL_SERVER_FLAG_LONG_LIVED) != 0;
    for (int i = 0; i < server_listen_count; i++)
	non_blocking(MASTER_LISTEN_FD + i, 1);
    server_status(MASTER_STAT_AVAIL);
    idle_since = time((time_t *) 0);

    for (;;) {
	long    wait_ms = -1;
	int     nfd = 0;
	int     n;

	server_check_retire();
	if (spec->loop)
	    wait_ms = spec->loop();
	if (!long_lived && var_max_idle > 0) {
	    long    left = (long) (idle_since + var_max_idle - time((time_t *) 0)) * 1000;

	    if (left <= 0)
		server_exit();
	    if (wait_ms < 0 || left < wait_ms)
		wait_ms = left;
	}
	for (int i = 0; i < server_listen_count; i++) {
	    pfd[nfd].fd = MASTER_LISTEN_FD + i;
	    pfd[nfd].events = POLLIN;
	    pfd[nfd++].revents = 0;
	}
	if (server_status_ok) {
	    pfd[nfd].fd = MASTER_STATUS_FD;
	    pfd[nfd].events = POLLIN;
	    pfd[nfd++].revents = 0;
	}
	n = poll(pfd, (nfds_t) nfd, wait_ms > 0x7fffffffL ? 0x7fffffff : (int) wait_ms);
	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("poll: %s", strerror(errno));
	}
	if (n == 0)
	    continue;				/* loop hook or max_idle */
	if (server_status_ok && pfd[nfd - 1].revents)
	    server_exit();			/* master closed the channel */
	for (int i = 0; i < server_listen_count; i++) {
	    int     fd;

	    if (pfd[i].revents == 0)
		continue;
	    server_check_tables();		/* before taking the client */
	    if ((fd = server_accept(pfd[i].fd)) < 0)
		continue;
	    server_serve_stream(fd);
	    idle_since = time((time_t *) 0);
	    break;				/* re-check retirement first */
	}
    }
}

 /*
  * Trigger and event servers: one event loop. Triggers arrive as bytes on
  * accepted UNIX stream connections, as datagrams, or on a fifo.
  */
static void server_idle_timeout(int event, void *ctx)
{
    (void) event;
    (void) ctx;
    if (msg_verbose)
	msg_info("idle timeout -- exiting");
    server_exit();
}

static void server_rearm_idle(void)
{
    if (!(server_spec->flags & MAIL_SERVER_FLAG_LONG_LIVED) && var_max_idle > 0)
	event_request_timer(server_idle_timeout, (void *) 0, (long) var_max_idle * 1000);
}

static void server_do_trigger(const char *buf, ssize_t len)
{
    server_watchdog_start();
    server_spec->trigger(buf, len, server_name, server_argv);
    alarm(0);
    server_use_count++;
    server_rearm_idle();
}

static void server_trigger_conn_timeout(int event, void *ctx)
{
    int     fd = (int) (intptr_t) ctx;

    (void) event;
    event_disable_readwrite(fd);
    close(fd);
}

/* server_trigger_conn_read - one read from an accepted trigger client. */

static void server_trigger_conn_read(int event, void *ctx)
{
    int     fd = (int) (intptr_t) ctx;
    char    buf[TRIGGER_BUF_SIZE];
    ssize_t n;

    (void) event;
    n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
	return;
    event_disable_readwrite(fd);
    (void) event_cancel_timer(server_trigger_conn_timeout, ctx);
    close(fd);
    if (n > 0)
	server_do_trigger(buf, n);
    server_check_retire();
}

/* server_listen_event - a listener (or fifo) is readable. */

static void server_listen_event(int event, void *ctx)
{
    int     lfd = (int) (intptr_t) ctx;
    char    buf[TRIGGER_BUF_SIZE];
    ssize_t n;
    int     fd;

    (void) event;
    if (strcmp(server_type, MASTER_TYPE_FIFO) == 0
	|| strcmp(server_type, MASTER_TYPE_UXDG) == 0) {
	n = read(lfd, buf, sizeof(buf));
	if (n > 0)
	    server_do_trigger(buf, n);
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
	    msg_fatal("read trigger: %s", strerror(errno));
	server_check_retire();
	return;
    }
    if ((fd = server_accept(lfd)) < 0)
	return;
    if (server_spec->trigger == 0) {
	/* A multiplexed server without a trigger hook: serve in line. */
	server_serve_stream(fd);
	server_rearm_idle();
	server_check_retire();
	return;
    }
    non_blocking(fd, 1);
    event_enable_read(fd, server_trigger_conn_read, (void *) (intptr_t) fd);
    event_request_timer(server_trigger_conn_timeout, (void *) (intptr_t) fd,
			TRIGGER_READ_TIMEOUT * 1000L);
}

/* server_master_event - master closed our status channel: exit. */

static void server_master_event(int event, void *ctx)
{
    (void) event;
    (void) ctx;
    server_exit();
}

static NORETURN server_event_loop(int argc, char **argv, const MAIL_SERVER_SPEC *spec)
{
    if (spec->trigger == 0 && spec->service == 0)
	msg_panic("trigger/event server: no trigger or service function");
    server_init(argc, argv, spec);
    for (int i = 0; i < server_listen_count; i++) {
	non_blocking(MASTER_LISTEN_FD + i, 1);
	event_enable_read(MASTER_LISTEN_FD + i, server_listen_event,
			  (void *) (intptr_t) (MASTER_LISTEN_FD + i));
    }
    if (server_status_ok)
	event_enable_read(MASTER_STATUS_FD, server_master_event, (void *) 0);
    /* One process serves every trigger: master need not start another. */
    server_status(MASTER_STAT_AVAIL);
    server_rearm_idle();
    for (;;) {
	long    wait_ms = -1;

	if (server_drain)
	    server_exit();
	if (spec->loop)
	    wait_ms = spec->loop();
	event_loop(wait_ms);
    }
}

NORETURN trigger_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec)
{
    server_event_loop(argc, argv, spec);
}

NORETURN event_server_main(int argc, char **argv, const MAIL_SERVER_SPEC *spec)
{
    server_event_loop(argc, argv, spec);
}
