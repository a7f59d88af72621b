/* msg.c - diagnostics in Postfix's shape. A line goes to stderr (commands
 * at a terminal), and to syslog or to maillog_file, each with one write()
 * so concurrent processes appending to one file do not interleave. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <fcntl.h>
#include <syslog.h>
#include <time.h>
#include <sys/time.h>
#include "util/msg.h"

int     msg_verbose;

static char msg_prog[64] = "postern";
static char msg_ident[160] = "postern";
static char msg_host[256] = "localhost";
static int msg_flags = MSG_STDERR;
static int msg_log_fd = -1;
static int msg_use_syslog;
static void (*msg_cleanup_fn) (void);
static int msg_error_count;

void    msg_init(const char *progname, int flags)
{
    const char *slash = strrchr(progname, '/');

    snprintf(msg_prog, sizeof(msg_prog), "%s", slash ? slash + 1 : progname);
    snprintf(msg_ident, sizeof(msg_ident), "postern/%s", msg_prog);
    msg_flags = flags;
}

const char *msg_progname(void)
{
    return msg_prog;
}

void    msg_set_stderr(int on)
{
    if (on)
	msg_flags |= MSG_STDERR;
    else
	msg_flags &= ~MSG_STDERR;
}

void    msg_logger_config(const char *syslog_name, const char *maillog_file,
			          const char *hostname)
{
    snprintf(msg_ident, sizeof(msg_ident), "%s/%s", syslog_name, msg_prog);
    /* Like syslog, Postfix's maillog_file shows the short host name. */
    if (gethostname(msg_host, sizeof(msg_host) - 1) < 0 || msg_host[0] == 0)
	snprintf(msg_host, sizeof(msg_host), "%s", hostname && *hostname ? hostname : "localhost");
    msg_host[strcspn(msg_host, ".")] = 0;
    if (msg_log_fd >= 0 && msg_log_fd > 2)
	close(msg_log_fd);
    msg_log_fd = -1;
    if (msg_use_syslog)
	closelog();
    msg_use_syslog = 0;
    if (maillog_file && *maillog_file) {
	if (strcmp(maillog_file, "/dev/stdout") == 0)
	    msg_log_fd = dup(1);
	else if (strcmp(maillog_file, "/dev/stderr") == 0)
	    msg_log_fd = dup(2);
	else
	    msg_log_fd = open(maillog_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (msg_log_fd < 0)
	    fprintf(stderr, "%s: warning: open %s: %s\n", msg_prog, maillog_file,
		    strerror(errno));
	else
	    fcntl(msg_log_fd, F_SETFD, FD_CLOEXEC);
    } else {
	openlog(msg_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	msg_use_syslog = 1;
    }
    msg_flags |= MSG_LOGGER;
}

static void msg_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
	ssize_t n = write(fd, buf, len);

	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    return;			/* nowhere left to report it */
	buf += n;
	len -= (size_t) n;
    }
}

static void msg_emit(int prio, const char *level, const char *fmt, va_list ap)
{
    char    text[4096];
    char    line[4600];
    int     saved_errno = errno;
    size_t  n;

    vsnprintf(text, sizeof(text), fmt, ap);
    /* One line per event: embedded newlines would forge log entries. */
    for (char *cp = text; *cp; cp++)
	if (*cp == '\n' || *cp == '\r')
	    *cp = ' ';
    if (msg_flags & MSG_STDERR) {
	n = (size_t) snprintf(line, sizeof(line), "%s: %s%s\n", msg_prog, level, text);
	msg_write_all(2, line, n < sizeof(line) ? n : sizeof(line) - 1);
    }
    if (msg_flags & MSG_LOGGER) {
	if (msg_log_fd >= 0) {
	    struct timeval tv;
	    struct tm tm;
	    char    stamp[32];

	    gettimeofday(&tv, NULL);
	    localtime_r(&tv.tv_sec, &tm);
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	    n = (size_t) snprintf(line, sizeof(line), "%s %s %s[%ld]: %s%s\n",
				  stamp, msg_host, msg_ident, (long) getpid(),
				  level, text);
	    msg_write_all(msg_log_fd, line, n < sizeof(line) ? n : sizeof(line) - 1);
	} else if (msg_use_syslog) {
	    syslog(prio, "%s%s", level, text);
	}
    }
    errno = saved_errno;
}

void    msg_vinfo(const char *fmt, va_list ap)
{
    msg_emit(LOG_INFO, "", fmt, ap);
}

void    msg_info(const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_emit(LOG_INFO, "", fmt, ap);
    va_end(ap);
}

void    msg_warn(const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_emit(LOG_WARNING, "warning: ", fmt, ap);
    va_end(ap);
}

void    msg_error(const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_emit(LOG_ERR, "error: ", fmt, ap);
    va_end(ap);
    if (++msg_error_count >= 13)
	msg_fatal("too many errors - program terminated");
}

void    msg_cleanup(void (*fn) (void))
{
    msg_cleanup_fn = fn;
}

/* msg_vfatal - log, run the cleanup hook once, exit with status. */
static NORETURN msg_vfatal(int status, const char *fmt, va_list ap)
{
    void    (*fn) (void) = msg_cleanup_fn;

    msg_emit(LOG_CRIT, "fatal: ", fmt, ap);
    msg_cleanup_fn = NULL;			/* a fatal error in fn must not recurse */
    if (fn)
	fn();
    exit(status);
}

NORETURN msg_fatal_status(int status, const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vfatal(status, fmt, ap);
}

NORETURN msg_fatal(const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vfatal(1, fmt, ap);
}

NORETURN msg_panic(const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_emit(LOG_CRIT, "panic: ", fmt, ap);
    va_end(ap);
    abort();
}

char   *printable(char *s, int replacement)
{
    for (unsigned char *cp = (unsigned char *) s; *cp; cp++)
	if (!isprint(*cp) && *cp < 0x80)
	    *cp = (unsigned char) replacement;
    return s;
}
