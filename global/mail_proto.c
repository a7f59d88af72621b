/* mail_proto.c - the client side of every internal service: connect to
 * $queue_directory/CLASS/SERVICE, send a trigger, and the proto=NAME
 * announcement every server makes first. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "util/msg.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/iostuff.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"

#define MAIL_TRIGGER_TIMEOUT	10	/* seconds to connect and write a trigger */

/* mail_proto_path - the socket path: relative when the cwd is the queue
 * directory (daemons, also when chrooted there), else absolute. */

static void mail_proto_path(VSTR *path, const char *class, const char *service)
{
    struct stat st_cwd, st_queue;

    if (var_queue_dir == 0 || *var_queue_dir == 0
	|| stat(var_queue_dir, &st_queue) < 0
	|| (stat(".", &st_cwd) == 0 && st_cwd.st_dev == st_queue.st_dev
	    && st_cwd.st_ino == st_queue.st_ino))
	vstr_sprintf(path, "%s/%s", class, service);
    else
	vstr_sprintf(path, "%s/%s/%s", var_queue_dir, class, service);
}

STREAM *mail_connect(const char *class, const char *service, int timeout)
{
    VSTR   *path = vstr_alloc(100);
    int     fd;

    mail_proto_path(path, class, service);
    fd = unix_connect(vstr_str(path), timeout);
    if (fd < 0 && msg_verbose) {
	int     saved = errno;

	msg_info("connect to %s: %s", vstr_str(path), strerror(errno));
	errno = saved;
    }
    vstr_free(path);
    if (fd < 0)
	return 0;
    return stream_fdopen(fd, timeout);
}

/* mail_trigger_dgram - send the trigger as one datagram (unix-dgram service). */

static int mail_trigger_dgram(const char *path, const char *buf, size_t len)
{
    struct sockaddr_un sun;
    int     fd;
    ssize_t n;

    if (unix_sockaddr(&sun, path) < 0)
	return -1;
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
	return -1;
    n = sendto(fd, buf, len, 0, (struct sockaddr *) &sun, sizeof(sun));
    close(fd);
    return n == (ssize_t) len ? 0 : -1;
}

int     mail_trigger(const char *class, const char *service, const char *buf, size_t len)
{
    VSTR   *path = vstr_alloc(100);
    struct stat st;
    int     fd;
    int     ret = -1;

    mail_proto_path(path, class, service);
    if (stat(vstr_str(path), &st) < 0) {
	/* errno from stat */ ;
    } else if (S_ISFIFO(st.st_mode)) {
	/* Nonblocking: a fifo nobody reads must not hang the sender. */
	if ((fd = open(vstr_str(path), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0) {
	    ret = write_all(fd, buf, len);
	    if (close(fd) < 0)
		ret = -1;
	}
    } else if ((fd = unix_connect(vstr_str(path), MAIL_TRIGGER_TIMEOUT)) >= 0) {
	ret = 0;
	if (write_wait(fd, MAIL_TRIGGER_TIMEOUT) < 0 || write_all(fd, buf, len) < 0)
	    ret = -1;
	if (close(fd) < 0)
	    ret = -1;
    } else if (errno == EPROTOTYPE) {
	ret = mail_trigger_dgram(vstr_str(path), buf, len);
    }
    if (ret < 0 && msg_verbose)
	msg_info("trigger %s: %s", vstr_str(path), strerror(errno));
    vstr_free(path);
    return ret;
}

int     mail_expect_proto(STREAM *s, const char *proto)
{
    ATTR_LIST *list = attr_list_alloc();
    const char *why = 0;
    const char *got;
    int     ret = -1;

    if (attr_recv(s, list, 8, 256, &why) < 0) {
	msg_warn("read %s protocol announcement: %s", proto,
		 why ? why : stream_timedout(s) ? "timeout" : "lost connection");
    } else if ((got = attr_get(list, MAIL_ATTR_PROTO)) == 0) {
	msg_warn("protocol error: expected %s=%s, got no %s attribute",
		 MAIL_ATTR_PROTO, proto, MAIL_ATTR_PROTO);
    } else if (strcmp(got, proto) != 0) {
	msg_warn("unexpected protocol type: want \"%s\", got \"%.100s\"", proto, got);
    } else {
	ret = 0;
    }
    attr_list_free(list);
    return ret;
}

int     mail_announce_proto(STREAM *s, const char *proto)
{
    if (attr_send_str(s, MAIL_ATTR_PROTO, proto) < 0 || attr_send_end(s) < 0)
	return -1;
    return 0;
}
