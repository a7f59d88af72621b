/* master_serv.c - master's services: build them from master.cf (keeping
 * the listeners of unchanged services across a reload), listen only while
 * a service has no idle worker and room for another, fork+exec workers on
 * demand, track busy/idle from the status channel, reap and log exits,
 * throttle a service whose program is missing or keeps dying at startup,
 * and send wakeup triggers. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/iostuff.h"
#include "util/events.h"
#include "global/mail_params.h"
#include "global/master_proto.h"
#include "global/params_master.h"
#include "master/master.h"

#define MASTER_LISTEN_BACKLOG	100
#define MASTER_DEF_THROTTLE	60	/* service_throttle_time default */

MASTER_SERV *master_services;
MASTER_CHILD *master_children;
unsigned master_generation;
int     master_foreground;
int     master_stopping;
ARGV   *master_overrides;

static void master_listen_event(int event, void *ctx);
static void master_status_event(int event, void *ctx);
static void master_wakeup_event(int event, void *ctx);
static void master_unthrottle_event(int event, void *ctx);
static void master_retry_listen_event(int event, void *ctx);

/* master_throttle_time - service_throttle_time in seconds. */

static int master_throttle_time(void)
{
    return var_service_throttle_time > 0 && var_service_throttle_time < 86400 ?
	var_service_throttle_time : MASTER_DEF_THROTTLE;
}

/* master_avail_listen - listen iff a client could need a new worker. */

static void master_avail_listen(MASTER_SERV *s)
{
    int     want = !master_stopping && s->listen_count > 0
    && ((s->throttled && s->missing)
	|| (!s->throttled && s->avail_proc == 0
	    && (s->max_proc == 0 || s->total_proc < s->max_proc)));

    if (want && !s->listening) {
	for (int i = 0; i < s->listen_count; i++)
	    event_enable_read(s->listen_fd[i], master_listen_event, (void *) s);
	s->listening = 1;
    } else if (!want && s->listening) {
	for (int i = 0; i < s->listen_count; i++)
	    event_disable_readwrite(s->listen_fd[i]);
	s->listening = 0;
    }
}

/* master_drain_pending - fail the clients that are waiting on a service
 * that cannot run, so they see an error now rather than a timeout. */

static void master_drain_pending(MASTER_SERV *s)
{
    char    buf[512];

    for (int i = 0; i < s->listen_count; i++) {
	int     fd = s->listen_fd[i];
	int     old = non_blocking(fd, 1);

	for (int n = 0; n < 100; n++) {
	    if (strcmp(s->type, MASTER_TYPE_FIFO) == 0
		|| strcmp(s->type, MASTER_TYPE_UXDG) == 0) {
		if (read(fd, buf, sizeof(buf)) <= 0)
		    break;
	    } else {
		int     cfd = accept(fd, (struct sockaddr *) 0, (socklen_t *) 0);

		if (cfd < 0)
		    break;
		close(cfd);
	    }
	}
	if (old == 0)
	    non_blocking(fd, 0);
    }
}

/* master_throttle - stop listening for a while. */

static void master_throttle(MASTER_SERV *s)
{
    if (s->throttled)
	return;
    s->throttled = 1;
    if (s->listening) {
	for (int i = 0; i < s->listen_count; i++)
	    event_disable_readwrite(s->listen_fd[i]);
	s->listening = 0;
    }
    master_avail_listen(s);
    event_request_timer(master_unthrottle_event, (void *) s,
			(long) master_throttle_time() * 1000);
}

static void master_unthrottle_event(int event, void *ctx)
{
    MASTER_SERV *s = (MASTER_SERV *) ctx;

    (void) event;
    s->throttled = 0;
    s->missing = 0;
    master_avail_listen(s);
}

/* master_child_env - in a new child: keep only import_environment (and
 * MAIL_CONFIG), as Postfix does. */

static void master_child_env(void)
{
    ARGV   *list = argv_split_list(var_import_environ ? var_import_environ : "MAIL_CONFIG");
    ARGV   *keep = argv_alloc(list->argc + 2);
    const char *cfg = getenv("MAIL_CONFIG");

    for (int i = 0; i < list->argc; i++) {
	const char *item = list->argv[i];
	const char *val;

	if (strchr(item, '=') != 0)
	    argv_add(keep, item, (char *) 0);
	else if ((val = getenv(item)) != 0) {
	    VSTR   *b = vstr_alloc(100);

	    vstr_sprintf(b, "%s=%s", item, val);
	    argv_add(keep, vstr_str(b), (char *) 0);
	    vstr_free(b);
	}
    }
    if (cfg) {
	VSTR   *b = vstr_alloc(100);

	vstr_sprintf(b, "MAIL_CONFIG=%s", cfg);
	argv_add(keep, vstr_str(b), (char *) 0);
	vstr_free(b);
    }
    if (clearenv() != 0)
	msg_fatal("clearenv failed");
    for (int i = 0; i < keep->argc; i++) {
	char   *eq = strchr(keep->argv[i], '=');

	*eq = 0;
	if (setenv(keep->argv[i], eq + 1, 1) < 0)
	    msg_fatal("setenv: %s", strerror(errno));
    }
    argv_free(keep);
    argv_free(list);
}

/* master_spawn - fork and exec one worker for s. */

static void master_spawn(MASTER_SERV *s)
{
    MASTER_CHILD *child;
    pid_t   pid;

    if (access(s->program, X_OK) < 0) {
	msg_warn("master.cf line %d: service %s/%s: %s: %s -- throttling",
		 s->line, s->name, s->type, s->program, strerror(errno));
	master_drain_pending(s);
	s->missing = 1;
	master_throttle(s);
	return;
    }
    if ((pid = fork()) < 0) {
	msg_warn("fork: %s -- throttling", strerror(errno));
	master_throttle(s);
	return;
    }
    if (pid == 0) {
	int     tmp[MASTER_LISTEN_MAX + 1];
	char    genbuf[32];
	ARGV   *argv = argv_alloc(s->args->argc + 4);
	sigset_t none;

	msg_cleanup((void (*) (void)) 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, (sigset_t *) 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* Move the inherited descriptors to 3, 4, ... without clobbering. */
	if ((tmp[0] = fcntl(s->status_child_fd, F_DUPFD, 200)) < 0)
	    msg_fatal("dup: %s", strerror(errno));
	for (int i = 0; i < s->listen_count; i++)
	    if ((tmp[i + 1] = fcntl(s->listen_fd[i], F_DUPFD, 200)) < 0)
		msg_fatal("dup: %s", strerror(errno));
	if (dup2(tmp[0], MASTER_STATUS_FD) < 0)
	    msg_fatal("dup2: %s", strerror(errno));
	for (int i = 0; i < s->listen_count; i++)
	    if (dup2(tmp[i + 1], MASTER_LISTEN_FD + i) < 0)
		msg_fatal("dup2: %s", strerror(errno));
	for (int i = 0; i <= s->listen_count; i++)
	    close(tmp[i]);
	master_child_env();
	snprintf(genbuf, sizeof(genbuf), "%u", master_generation);
	setenv(MASTER_GEN_ENV, genbuf, 1);
	argv_add(argv, s->args->argv[0], (char *) 0);
	if (s->listen_count != 1) {
	    char    count[16];

	    snprintf(count, sizeof(count), "%d", s->listen_count);
	    argv_add(argv, "-s", count, (char *) 0);
	}
	for (int i = 1; i < s->args->argc; i++)
	    argv_add(argv, s->args->argv[i], (char *) 0);
	execv(s->program, argv->argv);
	msg_fatal("exec %s: %s", s->program, strerror(errno));
    }
    child = (MASTER_CHILD *) mymalloc(sizeof(*child));
    memset(child, 0, sizeof(*child));
    child->pid = pid;
    child->serv = s;
    child->gen = master_generation;
    child->avail = 1;
    child->program = mystrdup(s->program);
    child->next = master_children;
    master_children = child;
    s->total_proc++;
    s->avail_proc++;
    if (msg_verbose)
	msg_info("spawn %s pid %ld for service %s/%s", s->program, (long) pid,
		 s->name, s->type);
    master_avail_listen(s);
}

static void master_listen_event(int event, void *ctx)
{
    MASTER_SERV *s = (MASTER_SERV *) ctx;

    (void) event;
    if (master_stopping)
	return;
    if (s->throttled) {
	/* The program is missing: fail its clients now, quietly. */
	if (s->missing)
	    master_drain_pending(s);
	master_avail_listen(s);
	return;
    }
    if (s->avail_proc == 0 && (s->max_proc == 0 || s->total_proc < s->max_proc))
	master_spawn(s);
    master_avail_listen(s);
}

/* master_status_event - busy/idle reports from the workers of s. */

static void master_status_event(int event, void *ctx)
{
    MASTER_SERV *s = (MASTER_SERV *) ctx;
    MASTER_STATUS st;
    MASTER_CHILD *c;
    ssize_t n;

    (void) event;
    for (int round = 0; round < 64; round++) {
	n = recv(s->status_fd, &st, sizeof(st), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
	    break;
	if (n != (ssize_t) sizeof(st)) {
	    if (n != 0)
		msg_warn("service %s/%s: bad status message size %ld",
			 s->name, s->type, (long) n);
	    break;
	}
	for (c = master_children; c; c = c->next)
	    if (c->pid == (pid_t) st.pid && c->serv == s)
		break;
	if (c == 0) {
	    if (msg_verbose)
		msg_info("status from unknown pid %d", st.pid);
	    continue;
	}
	if (st.avail == MASTER_STAT_TAKEN) {
	    c->use_count++;
	    if (c->avail) {
		c->avail = 0;
		s->avail_proc--;
	    }
	} else if (st.avail == MASTER_STAT_AVAIL) {
	    if (!c->avail) {
		c->avail = 1;
		s->avail_proc++;
	    }
	}
    }
    master_avail_listen(s);
}

void    master_reap(void)
{
    pid_t   pid;
    int     status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
	MASTER_CHILD **pp;
	MASTER_CHILD *c;
	MASTER_SERV *s;
	int     normal;

	for (pp = &master_children; (c = *pp) != 0; pp = &c->next)
	    if (c->pid == pid)
		break;
	if (c == 0)
	    continue;
	*pp = c->next;
	s = c->serv;
	normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!master_stopping) {
	    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		msg_warn("process %s pid %ld exit status %d",
			 c->program, (long) pid, WEXITSTATUS(status));
	    else if (WIFSIGNALED(status))
		msg_warn("process %s pid %ld killed by signal %d",
			 c->program, (long) pid, WTERMSIG(status));
	}
	if (s) {
	    s->total_proc--;
	    if (c->avail)
		s->avail_proc--;
	    if (!normal && !master_stopping && c->use_count == 0 && !s->throttled) {
		msg_warn("%s: bad command startup -- throttling", c->program);
		master_throttle(s);
	    }
	    master_avail_listen(s);
	}
	myfree(c->program);
	myfree(c);
    }
}

void    master_kill_children(int sig)
{
    for (MASTER_CHILD *c = master_children; c; c = c->next)
	(void) kill(c->pid, sig);
}

 /*
  * Wakeup: write a trigger into the service's own socket or fifo, as a
  * client would; the worker (started on demand) reads it.
  */
static void master_wakeup_send(MASTER_SERV *s)
{
    int     fd = -1;

    if (s->path == 0)
	return;
    if (strcmp(s->type, MASTER_TYPE_FIFO) == 0) {
	if ((fd = open(s->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
	    (void) !write(fd, MASTER_WAKEUP_REQ, 1);
    } else {
	struct sockaddr_un sun;
	int     dgram = strcmp(s->type, MASTER_TYPE_UXDG) == 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(s->path) >= sizeof(sun.sun_path))
	    return;
	strcpy(sun.sun_path, s->path);
	fd = socket(AF_UNIX, (dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0)
	    (void) !write(fd, MASTER_WAKEUP_REQ, 1);
	else if (msg_verbose)
	    msg_info("wakeup %s: %s", s->path, strerror(errno));
    }
    if (fd >= 0)
	close(fd);
}

static void master_wakeup_event(int event, void *ctx)
{
    MASTER_SERV *s = (MASTER_SERV *) ctx;

    (void) event;
    if (!master_stopping && !(s->wakeup_cond && s->total_proc == 0))
	master_wakeup_send(s);
    if (s->wakeup > 0)
	event_request_timer(master_wakeup_event, (void *) s, (long) s->wakeup * 1000);
}

 /*
  * Building services.
  */

/* master_inet_addrs - "host:port" list for an inet service name. */

static ARGV *master_inet_addrs(const char *name)
{
    ARGV   *addrs = argv_alloc(2);
    char   *expanded = mail_conf_eval(name);
    const char *colon = strrchr(expanded, ':');

    if (colon != 0 && (expanded[0] != '[' || colon > strchr(expanded, ']'))) {
	argv_add(addrs, expanded, (char *) 0);
    } else {
	ARGV   *ifs = argv_split_list(var_inet_interfaces ? var_inet_interfaces : "all");
	VSTR   *buf = vstr_alloc(100);

	for (int i = 0; i < ifs->argc; i++) {
	    const char *h = ifs->argv[i];

	    if (strcmp(h, "all") == 0) {
		argv_truncate(addrs, 0);
		argv_add(addrs, expanded, (char *) 0);
		break;
	    }
	    if (strcmp(h, "loopback-only") == 0 || strcmp(h, "localhost") == 0)
		h = "127.0.0.1";
	    if (strchr(h, ':') != 0 && h[0] != '[')
		vstr_sprintf(buf, "[%s]:%s", h, expanded);
	    else
		vstr_sprintf(buf, "%s:%s", h, expanded);
	    argv_add(addrs, vstr_str(buf), (char *) 0);
	}
	if (addrs->argc == 0)
	    argv_add(addrs, expanded, (char *) 0);
	vstr_free(buf);
	argv_free(ifs);
    }
    myfree(expanded);
    return addrs;
}

/* master_listen_key - what the listeners of an entry are bound to. */

static char *master_listen_key(const MASTER_CF_ENTRY *e)
{
    VSTR   *key = vstr_alloc(100);

    vstr_sprintf(key, "%s ", e->type);
    if (strcmp(e->type, MASTER_TYPE_INET) == 0) {
	ARGV   *addrs = master_inet_addrs(e->service);

	for (int i = 0; i < addrs->argc; i++)
	    vstr_sprintf_append(key, "%s ", addrs->argv[i]);
	argv_free(addrs);
    } else {
	vstr_sprintf_append(key, "%s/%s", e->private_ ? "private" : "public", e->service);
    }
    return vstr_export(key);
}

/* master_chown_socket - sockets belong to mail_owner, as in Postfix. */

static void master_chown_socket(const char *path)
{
    struct passwd *pw;

    if (geteuid() == 0 && var_mail_owner && (pw = getpwnam(var_mail_owner)) != 0
	&& pw->pw_uid != 0)
	(void) !chown(path, pw->pw_uid, pw->pw_gid);
}

/* master_open_listeners - create the listeners of s; -1 with why on failure. */

static int master_open_listeners(MASTER_SERV *s, VSTR *why)
{
    if (strcmp(s->type, MASTER_TYPE_INET) == 0) {
	ARGV   *addrs = master_inet_addrs(s->name);

	for (int i = 0; i < addrs->argc && i < MASTER_LISTEN_MAX; i++) {
	    const char *err = "unknown error";
	    int     fd = inet_listen(addrs->argv[i], MASTER_LISTEN_BACKLOG, &err);

	    if (fd < 0) {
		int     saved = errno;

		vstr_sprintf(why, "bind %s: %s", addrs->argv[i], err);
		argv_free(addrs);
		errno = saved;
		return -1;
	    }
	    close_on_exec(fd, 1);
	    s->listen_fd[s->listen_count++] = fd;
	}
	argv_free(addrs);
	return 0;
    }
    if (strcmp(s->type, MASTER_TYPE_UNIX) == 0 || strcmp(s->type, MASTER_TYPE_PASS) == 0) {
	int     fd = unix_listen(s->path, MASTER_LISTEN_BACKLOG, 0666);

	if (fd < 0) {
	    int     saved = errno;

	    vstr_sprintf(why, "bind %s: %s", s->path, strerror(errno));
	    errno = saved;
	    return -1;
	}
	close_on_exec(fd, 1);
	master_chown_socket(s->path);
	s->listen_fd[s->listen_count++] = fd;
	return 0;
    }
    if (strcmp(s->type, MASTER_TYPE_UXDG) == 0) {
	struct sockaddr_un sun;
	int     fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(s->path) >= sizeof(sun.sun_path)) {
	    vstr_sprintf(why, "%s: %s", s->path, strerror(ENAMETOOLONG));
	    return -1;
	}
	strcpy(sun.sun_path, s->path);
	(void) unlink(s->path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0
	    || bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0
	    || chmod(s->path, 0666) < 0) {
	    vstr_sprintf(why, "bind %s: %s", s->path, strerror(errno));
	    if (fd >= 0)
		close(fd);
	    return -1;
	}
	master_chown_socket(s->path);
	s->listen_fd[s->listen_count++] = fd;
	return 0;
    }
    if (strcmp(s->type, MASTER_TYPE_FIFO) == 0) {
	struct stat st;
	int     fd;

	if (lstat(s->path, &st) == 0 && !S_ISFIFO(st.st_mode))
	    (void) unlink(s->path);
	if (mkfifo(s->path, 0622) < 0 && errno != EEXIST) {
	    vstr_sprintf(why, "mkfifo %s: %s", s->path, strerror(errno));
	    return -1;
	}
	(void) chmod(s->path, 0622);
	master_chown_socket(s->path);
	/* Read-write, so the fifo never reports end-of-file. */
	if ((fd = open(s->path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
	    vstr_sprintf(why, "open %s: %s", s->path, strerror(errno));
	    return -1;
	}
	non_blocking(fd, 0);
	s->listen_fd[s->listen_count++] = fd;
	return 0;
    }
    vstr_sprintf(why, "unsupported service type: %s", s->type);
    return -1;
}

/* master_retry_listen_event - open the listeners of a service whose
 * address was still taken at reload. */

#define MASTER_LISTEN_RETRIES	30

static void master_retry_listen_event(int event, void *ctx)
{
    MASTER_SERV *s = (MASTER_SERV *) ctx;
    VSTR   *why = vstr_alloc(100);

    (void) event;
    if (master_open_listeners(s, why) == 0) {
	msg_info("service %s/%s: listening again", s->name, s->type);
	master_avail_listen(s);
    } else {
	for (int i = 0; i < s->listen_count; i++)
	    close(s->listen_fd[i]);
	s->listen_count = 0;
	if (++s->retry_count < MASTER_LISTEN_RETRIES)
	    event_request_timer(master_retry_listen_event, (void *) s, 1000);
	else
	    msg_warn("%s -- service %s/%s disabled", vstr_str(why), s->name, s->type);
    }
    vstr_free(why);
}

/* master_service_disabled - master_service_disable lists "name/type" or "type". */

static int master_service_disabled(const MASTER_CF_ENTRY *e)
{
    char   *value = mail_conf_lookup_eval("master_service_disable");
    int     hit = 0;

    if (value && *value) {
	ARGV   *list = argv_split_list(value);
	VSTR   *full = vstr_alloc(50);

	vstr_sprintf(full, "%s/%s", e->service, e->type);
	for (int i = 0; i < list->argc && !hit; i++)
	    hit = strcmp(list->argv[i], vstr_str(full)) == 0
		|| strcmp(list->argv[i], e->type) == 0;
	vstr_free(full);
	argv_free(list);
    }
    myfree(value);
    return hit;
}

/* master_serv_build - a service from an entry, reusing old's listeners. */

static MASTER_SERV *master_serv_build(const MASTER_CF_ENTRY *e, MASTER_SERV *old,
				              const char *key, VSTR *why)
{
    MASTER_SERV *s = (MASTER_SERV *) mymalloc(sizeof(*s));
    VSTR   *buf = vstr_alloc(100);
    int     pair[2];

    memset(s, 0, sizeof(*s));
    s->name = mystrdup(e->service);
    s->type = mystrdup(e->type);
    s->listen_key = mystrdup(key);
    s->line = e->line;
    s->status_fd = s->status_child_fd = -1;
    s->max_proc = e->maxproc < 0 ? var_proc_limit : e->maxproc;
    s->wakeup = e->wakeup;
    s->wakeup_cond = e->wakeup_cond;
    if (strcmp(e->type, MASTER_TYPE_INET) != 0) {
	vstr_sprintf(buf, "%s/%s", e->private_ ? "private" : "public", e->service);
	s->path = mystrdup(vstr_str(buf));
    }
    vstr_sprintf(buf, "%s/%s", var_daemon_dir, e->command);
    s->program = mystrdup(vstr_str(buf));

    if (old) {
	for (int i = 0; i < old->listen_count; i++)
	    s->listen_fd[i] = old->listen_fd[i];
	s->listen_count = old->listen_count;
	if (old->listening)
	    for (int i = 0; i < old->listen_count; i++)
		event_disable_readwrite(old->listen_fd[i]);
	old->listening = 0;
	old->listen_count = 0;
    } else if (master_open_listeners(s, why) < 0) {
	int     saved = errno;

	for (int i = 0; i < s->listen_count; i++)
	    close(s->listen_fd[i]);
	s->listen_count = 0;
	if (master_services != 0 && saved == EADDRINUSE) {
	    /* Reload: a retiring worker may still hold the address. */
	    msg_warn("%s -- will retry", vstr_str(why));
	    s->retry_count = 0;
	    event_request_timer(master_retry_listen_event, (void *) s, 1000);
	    goto listeners_done;
	}
	vstr_free(buf);
	myfree(s->name);
	myfree(s->type);
	myfree(s->listen_key);
	myfree(s->path);
	myfree(s->program);
	myfree(s);
	return 0;
    }
listeners_done:
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
	msg_fatal("socketpair: %s", strerror(errno));
    s->status_fd = pair[0];
    s->status_child_fd = pair[1];
    event_enable_read(s->status_fd, master_status_event, (void *) s);

    /* The worker's command line (see master_proto.h). */
    s->args = argv_alloc(16);
    argv_add(s->args, s->program, "-n", s->name, "-t", s->type, (char *) 0);
    if (e->unpriv)
	argv_add(s->args, "-u", (char *) 0);
    if (e->chroot)
	argv_add(s->args, "-c", (char *) 0);
    if (s->max_proc == 1)
	argv_add(s->args, "-l", (char *) 0);
    if (s->wakeup > 0) {
	vstr_sprintf(buf, "%d", s->wakeup);
	argv_add(s->args, "-w", vstr_str(buf), (char *) 0);
    }
    for (int i = 0; master_overrides && i < master_overrides->argc; i++)
	argv_add(s->args, "-o", master_overrides->argv[i], (char *) 0);
    for (int i = 0; i < e->overrides->argc; i++)
	argv_add(s->args, "-o", e->overrides->argv[i], (char *) 0);
    for (int i = 0; i < msg_verbose; i++)
	argv_add(s->args, "-v", (char *) 0);
    for (int i = 0; i < e->args->argc; i++)
	argv_add(s->args, e->args->argv[i], (char *) 0);
    vstr_free(buf);
    return s;
}

/* master_serv_free - retire a service: its workers exit when idle. */

static void master_serv_free(MASTER_SERV *s, int unlink_path)
{
    if (s->listening)
	for (int i = 0; i < s->listen_count; i++)
	    event_disable_readwrite(s->listen_fd[i]);
    for (int i = 0; i < s->listen_count; i++)
	close(s->listen_fd[i]);
    if (unlink_path && s->path && s->listen_count > 0)
	(void) unlink(s->path);
    if (s->status_fd >= 0) {
	event_disable_readwrite(s->status_fd);
	close(s->status_fd);
    }
    if (s->status_child_fd >= 0)
	close(s->status_child_fd);
    (void) event_cancel_timer(master_wakeup_event, (void *) s);
    (void) event_cancel_timer(master_unthrottle_event, (void *) s);
    (void) event_cancel_timer(master_retry_listen_event, (void *) s);
    for (MASTER_CHILD *c = master_children; c; c = c->next)
	if (c->serv == s)
	    c->serv = 0;
    myfree(s->name);
    myfree(s->type);
    myfree(s->listen_key);
    myfree(s->path);
    myfree(s->program);
    argv_free(s->args);
    myfree(s);
}

void    master_serv_load(const char *path)
{
    MASTER_CF *cf = master_cf_read(path);
    MASTER_SERV *new_list = 0;
    MASTER_SERV **tail = &new_list;
    VSTR   *why = vstr_alloc(100);
    int     starting = (master_services == 0);
    ARGV   *keys;

    if (cf == 0) {
	if (starting)
	    msg_fatal("open %s: %s", path, strerror(errno));
	msg_warn("open %s: %s -- keeping the old configuration", path, strerror(errno));
	vstr_free(why);
	return;
    }
    if (cf->errors->argc > 0) {
	for (int i = 0; i < cf->errors->argc; i++)
	    msg_warn("%s", cf->errors->argv[i]);
	if (starting)
	    msg_fatal("%s", cf->errors->argv[0]);
	msg_warn("bad %s -- keeping the old configuration", path);
	master_cf_free(cf);
	vstr_free(why);
	return;
    }
    /* Close the listeners nobody will reuse first, so that their
     * addresses are free for the new services. */
    keys = argv_alloc(cf->count + 1);
    for (int i = 0; i < cf->count; i++) {
	char   *key = master_listen_key(cf->entries[i]);

	argv_add(keys, master_service_disabled(cf->entries[i]) ? "" : key, (char *) 0);
	myfree(key);
    }
    for (MASTER_SERV *o = master_services; o; o = o->next) {
	int     reused = 0;

	for (int i = 0; i < keys->argc && !reused; i++)
	    reused = strcmp(keys->argv[i], o->listen_key) == 0;
	if (!reused && o->listen_count > 0) {
	    if (o->listening)
		for (int i = 0; i < o->listen_count; i++)
		    event_disable_readwrite(o->listen_fd[i]);
	    o->listening = 0;
	    for (int i = 0; i < o->listen_count; i++)
		close(o->listen_fd[i]);
	    o->listen_count = 0;
	    if (o->path)
		(void) unlink(o->path);
	}
    }
    for (int i = 0; i < cf->count; i++) {
	MASTER_CF_ENTRY *e = cf->entries[i];
	MASTER_SERV *old = 0;
	MASTER_SERV *s;
	const char *key = keys->argv[i];

	if (*key == 0)
	    continue;
	for (MASTER_SERV *o = master_services; o; o = o->next)
	    if (strcmp(o->listen_key, key) == 0 && o->listen_count > 0) {
		old = o;
		break;
	    }
	if ((s = master_serv_build(e, old, key, why)) == 0) {
	    if (starting)
		msg_fatal("%s", vstr_str(why));
	    msg_warn("%s -- service %s/%s disabled", vstr_str(why), e->service, e->type);
	} else {
	    *tail = s;
	    tail = &s->next;
	}
    }
    argv_free(keys);
    master_cf_free(cf);
    vstr_free(why);

    /* Retire the old generation: its workers finish and exit. */
    while (master_services) {
	MASTER_SERV *o = master_services;
	int     still_used = 0;

	master_services = o->next;
	for (MASTER_SERV *n = new_list; n && o->path; n = n->next)
	    if (n->path && strcmp(n->path, o->path) == 0)
		still_used = 1;
	master_serv_free(o, !still_used);
    }
    master_services = new_list;
    for (MASTER_SERV *s = master_services; s; s = s->next) {
	master_avail_listen(s);
	if (s->wakeup > 0)
	    event_request_timer(master_wakeup_event, (void *) s, 0);
    }
}

void    master_serv_stop_all(void)
{
    while (master_services) {
	MASTER_SERV *s = master_services;

	master_services = s->next;
	master_serv_free(s, 0);
    }
}
