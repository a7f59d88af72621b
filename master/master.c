/* master.c - the postern supervisor: reads main.cf and master.cf, holds
 * the pid file lock, opens the service listeners and starts workers on
 * demand (master_serv.c); SIGHUP reloads, SIGTERM stops. Started by
 * `postern start` (detaches, exit status tells whether start-up worked)
 * or `postern start-fg` (-d: stays in the foreground). */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/iostuff.h"
#include "util/events.h"
#include "global/conf_dir.h"
#include "global/mail_params.h"
#include "master/master.h"
#include "master/queue_dirs.h"

#define MASTER_PID_FILE		"pid/master.pid"
#define MASTER_STOP_WAIT	10	/* seconds to wait for children on stop */

static int master_sig_pipe[2] = {-1, -1};
static int master_pid_fd = -1;
static char *master_pid_path;		/* absolute, for removal */
static VSTR *master_cf_path;

/* master_sig_handler - async-signal-safe: just note the signal. */

static void master_sig_handler(int sig)
{
    int     saved = errno;
    unsigned char c = (unsigned char) sig;

    (void) !write(master_sig_pipe[1], &c, 1);
    errno = saved;
}

/* master_remove_pid - on exit (also fatal exit) after we own the lock. */

static void master_remove_pid(void)
{
    if (master_pid_path)
	(void) unlink(master_pid_path);
}

/* master_stop - SIGTERM: stop listening, terminate children, wait, exit. */

static NORETURN master_stop(int sig)
{
    time_t  deadline;

    msg_info("terminating on signal %d", sig);
    master_stopping = 1;
    master_serv_stop_all();
    master_kill_children(SIGTERM);
    deadline = time((time_t *) 0) + MASTER_STOP_WAIT;
    while (master_children && time((time_t *) 0) < deadline) {
	master_reap();
	if (master_children) {
	    struct timespec ts = {0, 50 * 1000 * 1000};

	    nanosleep(&ts, (struct timespec *) 0);
	}
    }
    if (master_children) {
	master_kill_children(SIGKILL);
	master_reap();
    }
    master_remove_pid();
    exit(0);
}

/* master_reload - SIGHUP: re-read main.cf and master.cf. */

static void master_reload(void)
{
    master_generation++;
    mail_conf_init((const char *) 0);
    msg_info("reload -- version %s, configuration %s", var_mail_version,
	     mail_conf_config_dir());
    master_serv_load(vstr_str(master_cf_path));
}

static void master_sig_event(int event, void *ctx)
{
    unsigned char buf[64];
    ssize_t n;
    int     reap = 0, reload = 0;

    (void) event;
    (void) ctx;
    n = read(master_sig_pipe[0], buf, sizeof(buf));
    for (ssize_t i = 0; i < n; i++) {
	if (buf[i] == SIGCHLD)
	    reap = 1;
	else if (buf[i] == SIGHUP)
	    reload = 1;
	else if (buf[i] == SIGTERM || buf[i] == SIGINT)
	    master_stop(buf[i]);
    }
    if (reap)
	master_reap();
    if (reload)
	master_reload();
}

/* master_lock_pid - open and lock the pid file; fatal if taken. */

static void master_lock_pid(void)
{
    VSTR   *buf = vstr_alloc(100);

    if ((master_pid_fd = open(MASTER_PID_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
	msg_fatal("open lock file %s/%s: %s", var_queue_dir, MASTER_PID_FILE, strerror(errno));
    if (flock(master_pid_fd, LOCK_EX | LOCK_NB) < 0) {
	if (errno == EWOULDBLOCK)
	    msg_fatal("the %s mail system is already running", var_mail_name);
	msg_fatal("lock %s/%s: %s", var_queue_dir, MASTER_PID_FILE, strerror(errno));
    }
    vstr_sprintf(buf, "%s/%s", var_queue_dir, MASTER_PID_FILE);
    master_pid_path = vstr_export(buf);
}

/* master_write_pid - the pid, right-aligned in 32 columns, as Postfix does. */

static void master_write_pid(void)
{
    char    text[64];
    int     len = snprintf(text, sizeof(text), "%*lu\n", 32, (unsigned long) getpid());

    if (ftruncate(master_pid_fd, 0) < 0
	|| lseek(master_pid_fd, 0, SEEK_SET) < 0
	|| write_all(master_pid_fd, text, (size_t) len) < 0
	|| fsync(master_pid_fd) < 0)
	msg_fatal("write %s: %s", master_pid_path, strerror(errno));
    msg_cleanup(master_remove_pid);
}

static NORETURN usage(const char *prog)
{
    msg_fatal("usage: %s [-c config_dir] [-d] [-o name=value] [-v]", prog);
}

int     main(int argc, char **argv)
{
    int     ch;
    int     init_pipe[2] = {-1, -1};
    const char *config_dir = 0;
    ARGV   *problems;
    struct sigaction sa;

    msg_init("master", MSG_STDERR | MSG_LOGGER);
    master_overrides = argv_alloc(4);
    while ((ch = getopt(argc, argv, "c:do:v")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'd':
	    master_foreground = 1;
	    break;
	case 'o':{
		char   *eq = strchr(optarg, '=');
		char   *name;

		if (eq == 0 || eq == optarg)
		    usage(argv[0]);
		name = mymalloc((size_t) (eq - optarg) + 1);
		memcpy(name, optarg, (size_t) (eq - optarg));
		name[eq - optarg] = 0;
		mail_conf_override(name, eq + 1);
		argv_add(master_overrides, optarg, (char *) 0);
		myfree(name);
		break;
	    }
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage(argv[0]);
	}
    }
    if (optind < argc)
	usage(argv[0]);
    /* master and its workers run in the queue directory: no relative paths. */
    config_dir = conf_dir_export(config_dir);
    mail_conf_init(config_dir);
    if (setenv("MAIL_CONFIG", mail_conf_config_dir(), 1) < 0)
	msg_fatal("setenv: %s", strerror(errno));
    master_cf_path = vstr_alloc(100);
    vstr_sprintf(master_cf_path, "%s/master.cf", mail_conf_config_dir());
    umask(022);

    /* The queue tree, then the lock, before anything is bound. */
    problems = argv_alloc(4);
    if (queue_dirs_create(problems) < 0) {
	for (int i = 0; i < problems->argc; i++)
	    msg_warn("%s", problems->argv[i]);
	msg_fatal("cannot create the queue directories under %s", var_queue_dir);
    }
    for (int i = 0; i < problems->argc; i++)
	msg_warn("%s", problems->argv[i]);
    argv_free(problems);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %s", var_queue_dir, strerror(errno));
    master_lock_pid();

    /* stdin is never a terminal for the workers. */
    {
	int     fd = open("/dev/null", O_RDWR);

	if (fd < 0)
	    msg_fatal("open /dev/null: %s", strerror(errno));
	if (fd != 0) {
	    dup2(fd, 0);
	    close(fd);
	}
    }

    /* Detach: the parent exits when the child has started up (or died). */
    if (!master_foreground) {
	pid_t   pid;

	if (pipe(init_pipe) < 0)
	    msg_fatal("pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
	    msg_fatal("fork: %s", strerror(errno));
	if (pid > 0) {
	    char    c;
	    ssize_t n;

	    close(init_pipe[1]);
	    while ((n = read(init_pipe[0], &c, 1)) < 0 && errno == EINTR)
		 /* retry */ ;
	    _exit(n == 1 ? 0 : 1);
	}
	close(init_pipe[0]);
	close_on_exec(init_pipe[1], 1);
	(void) setsid();
    }
    master_write_pid();

    /* Signals arrive through a pipe into the event loop. */
    if (pipe(master_sig_pipe) < 0)
	msg_fatal("pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
	close_on_exec(master_sig_pipe[i], 1);
	non_blocking(master_sig_pipe[i], 1);
    }
    event_enable_read(master_sig_pipe[0], master_sig_event, (void *) 0);
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = master_sig_handler;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, (struct sigaction *) 0);
    sigaction(SIGHUP, &sa, (struct sigaction *) 0);
    sigaction(SIGTERM, &sa, (struct sigaction *) 0);
    if (master_foreground)
	sigaction(SIGINT, &sa, (struct sigaction *) 0);
    signal(SIGPIPE, SIG_IGN);

    master_serv_load(vstr_str(master_cf_path));
    msg_set_stderr(0);			/* from now on, the log only */
    msg_info("daemon started -- version %s, configuration %s",
	     var_mail_version, mail_conf_config_dir());

    /* Tell `postern start` that we are up; then let go of the terminal. */
    if (!master_foreground) {
	int     fd;

	if (write_all(init_pipe[1], "1", 1) < 0)
	    msg_warn("tell parent: %s", strerror(errno));
	close(init_pipe[1]);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
	    dup2(fd, 1);
	    dup2(fd, 2);
	    if (fd > 2)
		close(fd);
	}
	msg_set_stderr(0);
    }
    for (;;)
	event_loop(-1);
}
