/* iostuff.c - socket and descriptor helpers shared by servers and clients. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "util/iostuff.h"
#include "util/mymalloc.h"

int     non_blocking(int fd, int on)
{
    int     flags = fcntl(fd, F_GETFL, 0);

    if (flags < 0)
	return -1;
    if (fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0)
	return -1;
    return (flags & O_NONBLOCK) != 0;
}

void    close_on_exec(int fd, int on)
{
    int     flags = fcntl(fd, F_GETFD, 0);

    if (flags >= 0)
	fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
}

int     unix_sockaddr(struct sockaddr_un *sun, const char *path)
{
    if (strlen(path) >= sizeof(sun->sun_path)) {
	errno = ENAMETOOLONG;
	return -1;
    }
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    strcpy(sun->sun_path, path);
    return 0;
}

int     unix_listen(const char *path, int backlog, int mode)
{
    struct sockaddr_un sun;
    int     fd;

    if (unix_sockaddr(&sun, path) < 0)
	return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
	return -1;
    (void) unlink(path);
    if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0
	|| chmod(path, (mode_t) mode) < 0
	|| listen(fd, backlog) < 0) {
	int     saved = errno;

	close(fd);
	errno = saved;
	return -1;
    }
    return fd;
}

/* timed_connect - connect fd to sa within timeout seconds. */
static int timed_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout)
{
    int     err = 0;
    socklen_t elen = sizeof(err);

    non_blocking(fd, 1);
    if (connect(fd, sa, len) < 0) {
	if (errno != EINPROGRESS)
	    return -1;
	struct pollfd pfd = {.fd = fd,.events = POLLOUT};
	int     n;

	while ((n = poll(&pfd, 1, timeout > 0 ? timeout * 1000 : -1)) < 0 && errno == EINTR)
	     /* retry */ ;
	if (n == 0) {
	    errno = ETIMEDOUT;
	    return -1;
	}
	if (n < 0)
	    return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
	    return -1;
	if (err) {
	    errno = err;
	    return -1;
	}
    }
    non_blocking(fd, 0);
    return 0;
}

int     unix_connect(const char *path, int timeout)
{
    struct sockaddr_un sun;
    int     fd;

    if (unix_sockaddr(&sun, path) < 0)
	return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
	return -1;
    close_on_exec(fd, 1);
    if (timed_connect(fd, (struct sockaddr *) &sun, sizeof(sun), timeout) < 0) {
	int     saved = errno;

	close(fd);
	errno = saved;
	return -1;
    }
    return fd;
}

int     inet_listen(const char *addr, int backlog, const char **why)
{
    char   *copy = mystrdup(addr), *host, *port, *cp;
    struct addrinfo hints, *res = NULL;
    int     fd = -1, on = 1, err;

    if ((cp = strrchr(copy, ':')) != NULL) {
	*cp = 0;
	host = copy;
	port = cp + 1;
    } else {
	host = "";
	port = copy;
    }
    if (*host == '[') {
	host++;
	if ((cp = strchr(host, ']')) != NULL)
	    *cp = 0;
    }
    if (*host == 0 || strcmp(host, "*") == 0 || strcmp(host, "all") == 0)
	host = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    hints.ai_family = host ? AF_UNSPEC : AF_INET;
    if (strcmp(port, "smtp") == 0)
	port = "25";
    else if (strcmp(port, "submission") == 0)
	port = "587";
    else if (strcmp(port, "submissions") == 0 || strcmp(port, "smtps") == 0)
	port = "465";
    if ((err = getaddrinfo(host, port, &hints, &res)) != 0) {
	*why = gai_strerror(err);
	myfree(copy);
	return -1;
    }
    if ((fd = socket(res->ai_family, SOCK_STREAM, 0)) < 0
	|| setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
	|| bind(fd, res->ai_addr, res->ai_addrlen) < 0
	|| listen(fd, backlog) < 0) {
	*why = strerror(errno);
	if (fd >= 0)
	    close(fd);
	fd = -1;
    }
    freeaddrinfo(res);
    myfree(copy);
    return fd;
}

int     inet_connect(const char *host, unsigned port, int timeout, const char *src)
{
    struct addrinfo hints, *res = NULL, *ai;
    char    portbuf[16];
    int     fd = -1, saved = ECONNREFUSED;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    snprintf(portbuf, sizeof(portbuf), "%u", port);
    if (getaddrinfo(host, portbuf, &hints, &res) != 0) {
	errno = EHOSTUNREACH;
	return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0) {
	    saved = errno;
	    continue;
	}
	close_on_exec(fd, 1);
	if (src && *src) {
	    struct addrinfo *sres = NULL;

	    hints.ai_family = ai->ai_family;
	    if (getaddrinfo(src, NULL, &hints, &sres) == 0) {
		(void) bind(fd, sres->ai_addr, sres->ai_addrlen);
		freeaddrinfo(sres);
	    }
	}
	if (timed_connect(fd, ai->ai_addr, ai->ai_addrlen, timeout) == 0)
	    break;
	saved = errno;
	close(fd);
	fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
	errno = saved;
    return fd;
}

int     write_all(int fd, const void *buf, size_t len)
{
    const char *cp = buf;

    while (len > 0) {
	ssize_t n = write(fd, cp, len);

	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    return -1;
	cp += n;
	len -= (size_t) n;
    }
    return 0;
}

int     fsync_dir(const char *dir)
{
    int     fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int     ret;

    if (fd < 0)
	return -1;
    ret = fsync(fd);
    close(fd);
    return ret;
}
