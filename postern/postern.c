/* postern.c - the postern control command: start, start-fg, stop, abort,
 * reload, status and check of one instance (-c CONFIG_DIR or MAIL_CONFIG).
 * It talks to master only through the pid file lock and signals. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "global/conf_dir.h"
#include "global/mail_params.h"
#include "master/master_cf.h"
#include "master/queue_dirs.h"

#define PID_FILE	"pid/master.pid"
#define STOP_WAIT	60		/* seconds for master to go away */

static const char *config_dir;
static int errors;

static void say(const char *level, const char *fmt,...) PRINTFLIKE(2, 3);

/* say - Postfix's postfix-script shape on stderr, and in the log. */

static void say(const char *level, const char *fmt,...)
{
    VSTR   *text = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s/postern-script: %s%s\n",
	    var_syslog_name && *var_syslog_name ? var_syslog_name : "postern",
	    level, vstr_str(text));
    fflush(stderr);
    msg_set_stderr(0);
    if (strcmp(level, "warning: ") == 0)
	msg_warn("%s", vstr_str(text));
    else if (strcmp(level, "fatal: ") == 0 || strcmp(level, "error: ") == 0)
	msg_info("%s%s", level, vstr_str(text));
    else
	msg_info("%s", vstr_str(text));
    msg_set_stderr(1);
    vstr_free(text);
}

/* master_pid - the running master's pid, 0 if none (lock not held). */

static long master_pid(void)
{
    VSTR   *path = vstr_alloc(100);
    char    buf[64];
    ssize_t n;
    long    pid = 0;
    int     fd;

    vstr_sprintf(path, "%s/%s", var_queue_dir, PID_FILE);
    fd = open(vstr_str(path), O_RDONLY | O_CLOEXEC);
    vstr_free(path);
    if (fd < 0)
	return 0;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
	/* Nobody holds the lock: master is not running. */
	close(fd);
	return 0;
    }
    if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
	buf[n] = 0;
	pid = strtol(buf, (char **) 0, 10);
    }
    close(fd);
    if (pid <= 1)
	pid = -1;				/* locked but unreadable: starting */
    return pid;
}

static int postern_status(void)
{
    long    pid = master_pid();

    if (pid > 0) {
	say("", "the %s mail system is running: PID: %ld", var_mail_name, pid);
	return 0;
    }
    say("", "the %s mail system is not running", var_mail_name);
    return 1;
}

/* check_config - main.cf problems; returns the number of errors. */

static int check_main_cf(void)
{
    return mail_conf_check(msg_verbose);
}

/* check_master_cf - master.cf syntax and missing programs. */

static int check_master_cf(int report_missing)
{
    VSTR   *path = vstr_alloc(100);
    VSTR   *prog = vstr_alloc(100);
    MASTER_CF *cf;
    int     bad = 0;

    vstr_sprintf(path, "%s/master.cf", mail_conf_config_dir());
    if ((cf = master_cf_read(vstr_str(path))) == 0) {
	say("error: ", "open %s: %s", vstr_str(path), strerror(errno));
	bad++;
    } else {
	for (int i = 0; i < cf->errors->argc; i++, bad++)
	    say("error: ", "%s", cf->errors->argv[i]);
	for (int i = 0; report_missing && i < cf->count; i++) {
	    MASTER_CF_ENTRY *e = cf->entries[i];

	    vstr_sprintf(prog, "%s/%s", var_daemon_dir, e->command);
	    if (access(vstr_str(prog), X_OK) < 0)
		say("warning: ", "%s: line %d: service %s/%s: program %s: %s"
		    " (the service fails when used)",
		    vstr_str(path), e->line, e->service, e->type,
		    vstr_str(prog), strerror(errno));
	}
	master_cf_free(cf);
    }
    vstr_free(path);
    vstr_free(prog);
    return bad;
}

/* check_owner - mail_owner must exist and not be root (when we are root). */

static int check_owner(void)
{
    struct passwd *pw;

    if (geteuid() != 0)
	return 0;
    if ((pw = getpwnam(var_mail_owner)) == 0) {
	say("error: ", "file %s: parameter mail_owner: unknown user name value: %s",
	    mail_conf_file(), var_mail_owner);
	return 1;
    }
    if (pw->pw_uid == 0) {
	say("error: ", "file %s: parameter mail_owner: user %s has privileged user ID",
	    mail_conf_file(), var_mail_owner);
	return 1;
    }
    if (getgrnam(var_sgid_group) == 0)
	say("warning: ", "file %s: parameter setgid_group: unknown group name: %s",
	    mail_conf_file(), var_sgid_group);
    return 0;
}

static int postern_check(void)
{
    ARGV   *problems = argv_alloc(4);
    VSTR   *master = vstr_alloc(100);
    struct stat st;
    int     bad = errors;

    bad += check_owner();
    bad += check_master_cf(1);
    if (stat(var_daemon_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
	say("error: ", "daemon_directory %s: %s", var_daemon_dir,
	    errno ? strerror(errno) : "not a directory");
	bad++;
    } else {
	vstr_sprintf(master, "%s/master", var_daemon_dir);
	if (access(vstr_str(master), X_OK) < 0) {
	    say("error: ", "%s: %s", vstr_str(master), strerror(errno));
	    bad++;
	}
    }
    if (stat(var_queue_dir, &st) < 0) {
	say("warning: ", "queue_directory %s: %s (created by \"postern start\")",
	    var_queue_dir, strerror(errno));
    } else {
	(void) queue_dirs_check(problems);
	for (int i = 0; i < problems->argc; i++) {
	    /* Missing subdirectories are created at start; ownership is an error. */
	    if (strncmp(problems->argv[i], "missing directory", 17) == 0)
		say("warning: ", "%s (created by \"postern start\")", problems->argv[i]);
	    else {
		say("error: ", "%s", problems->argv[i]);
		bad++;
	    }
	}
    }
    argv_free(problems);
    vstr_free(master);
    return bad ? 1 : 0;
}

/* run_master - start master (detaching) and wait for its verdict. */

static int postern_start(void)
{
    VSTR   *master = vstr_alloc(100);
    ARGV   *problems = argv_alloc(4);
    pid_t   pid;
    int     status;
    int     ret = 1;

    if (master_pid() != 0) {
	say("fatal: ", "the %s mail system is already running", var_mail_name);
	goto out;
    }
    if (errors || check_owner() || check_master_cf(0)) {
	say("fatal: ", "configuration errors: not starting the %s mail system", var_mail_name);
	goto out;
    }
    if (queue_dirs_create(problems) < 0) {
	for (int i = 0; i < problems->argc; i++)
	    say("fatal: ", "%s", problems->argv[i]);
	goto out;
    }
    vstr_sprintf(master, "%s/master", var_daemon_dir);
    if (access(vstr_str(master), X_OK) < 0) {
	say("fatal: ", "%s: %s", vstr_str(master), strerror(errno));
	goto out;
    }
    say("", "starting the %s mail system", var_mail_name);
    if ((pid = fork()) < 0) {
	say("fatal: ", "fork: %s", strerror(errno));
	goto out;
    }
    if (pid == 0) {
	execl(vstr_str(master), vstr_str(master), "-c", mail_conf_config_dir(),
	      msg_verbose ? "-v" : (char *) 0, (char *) 0);
	fprintf(stderr, "postern: fatal: exec %s: %s\n", vstr_str(master), strerror(errno));
	_exit(1);
    }
    while (waitpid(pid, &status, 0) < 0) {
	if (errno != EINTR) {
	    say("fatal: ", "waitpid: %s", strerror(errno));
	    goto out;
	}
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	say("fatal: ", "mail system startup failed");
    else
	ret = 0;
out:
    vstr_free(master);
    argv_free(problems);
    return ret;
}

static int postern_start_fg(void)
{
    VSTR   *master;

    if (master_pid() != 0) {
	say("fatal: ", "the %s mail system is already running", var_mail_name);
	return 1;
    }
    if (errors || check_owner() || check_master_cf(0)) {
	say("fatal: ", "configuration errors: not starting the %s mail system", var_mail_name);
	return 1;
    }
    master = vstr_alloc(100);
    vstr_sprintf(master, "%s/master", var_daemon_dir);
    say("", "starting the %s mail system in the foreground", var_mail_name);
    execl(vstr_str(master), vstr_str(master), "-d", "-c", mail_conf_config_dir(),
	  "-o", "maillog_file=/dev/stdout", msg_verbose ? "-v" : (char *) 0, (char *) 0);
    say("fatal: ", "exec %s: %s", vstr_str(master), strerror(errno));
    vstr_free(master);
    return 1;
}

/* postern_signal - signal master; for stop and abort, wait until it is gone. */

static int postern_signal(int sig, const char *doing, int wait)
{
    long    pid = master_pid();
    time_t  deadline;

    if (pid <= 0) {
	say("fatal: ", "the %s mail system is not running", var_mail_name);
	return 1;
    }
    say("", "%s the %s mail system", doing, var_mail_name);
    if (kill((pid_t) pid, sig) < 0) {
	say("fatal: ", "kill %ld: %s", pid, strerror(errno));
	return 1;
    }
    if (!wait)
	return 0;
    deadline = time((time_t *) 0) + STOP_WAIT;
    while (master_pid() != 0) {
	struct timespec ts = {0, 100 * 1000 * 1000};

	if (time((time_t *) 0) >= deadline) {
	    say("fatal: ", "the %s mail system did not stop (PID: %ld)", var_mail_name, pid);
	    return 1;
	}
	nanosleep(&ts, (struct timespec *) 0);
    }
    if (sig == SIGKILL) {
	/* master could not remove its pid file itself. */
	VSTR   *path = vstr_alloc(100);

	vstr_sprintf(path, "%s/%s", var_queue_dir, PID_FILE);
	(void) unlink(vstr_str(path));
	vstr_free(path);
    }
    return 0;
}

static NORETURN usage(void)
{
    fprintf(stderr, "usage: postern [-c config_dir] [-v] "
	    "start|start-fg|stop|abort|reload|status|check\n");
    exit(2);
}

int     main(int argc, char **argv)
{
    const char *cmd;
    int     ch;

    msg_init("postern", MSG_STDERR);
    while ((ch = getopt(argc, argv, "c:Dv")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'D':
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage();
	}
    }
    if (optind + 1 != argc)
	usage();
    cmd = argv[optind];
    if (strcmp(cmd, "start") && strcmp(cmd, "start-fg") && strcmp(cmd, "stop")
	&& strcmp(cmd, "abort") && strcmp(cmd, "reload") && strcmp(cmd, "status")
	&& strcmp(cmd, "check")) {
	fprintf(stderr, "postern: fatal: unknown command: '%s'\n", cmd);
	usage();
    }
    /* master and its workers run in the queue directory: no relative paths. */
    config_dir = conf_dir_export(config_dir);

    /* Configuration problems are reported before anything is evaluated. */
    if (strcmp(cmd, "check") == 0 || strcmp(cmd, "start") == 0
	|| strcmp(cmd, "start-fg") == 0 || strcmp(cmd, "reload") == 0) {
	mail_conf_read(config_dir);
	errors = check_main_cf();
    }
    mail_conf_init(config_dir);
    msg_set_stderr(1);

    if (strcmp(cmd, "start") == 0)
	return postern_start();
    if (strcmp(cmd, "start-fg") == 0)
	return postern_start_fg();
    if (strcmp(cmd, "stop") == 0)
	return postern_signal(SIGTERM, "stopping", 1);
    if (strcmp(cmd, "abort") == 0)
	return postern_signal(SIGKILL, "aborting", 1);
    if (strcmp(cmd, "reload") == 0) {
	/* A bad configuration would kill master: refuse it here. */
	if (errors || check_master_cf(0)) {
	    say("fatal: ", "configuration errors: not refreshing the %s mail system",
		var_mail_name);
	    return 1;
	}
	return postern_signal(SIGHUP, "refreshing", 0);
    }
    if (strcmp(cmd, "status") == 0)
	return postern_status();
    return postern_check();
}
