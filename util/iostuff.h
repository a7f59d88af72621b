/* iostuff.h - descriptors and sockets: listeners, connects, flags. */
#ifndef IOSTUFF_H
#define IOSTUFF_H
#include "util/sys_defs.h"

/* non_blocking - set or clear O_NONBLOCK; returns the old state. */
int     non_blocking(int fd, int on);
/* close_on_exec - set or clear FD_CLOEXEC. */
void    close_on_exec(int fd, int on);
struct sockaddr_un;

/* unix_sockaddr - fill *sun for path; -1 with ENAMETOOLONG if it does not fit. */
int     unix_sockaddr(struct sockaddr_un *sun, const char *path);
/* unix_listen - bind and listen on a UNIX stream socket path (replacing a
 * stale one) with mode; -1 with errno on failure. */
int     unix_listen(const char *path, int backlog, int mode);
/* unix_connect - connect to a UNIX stream socket, waiting at most timeout
 * seconds; -1 with errno on failure. */
int     unix_connect(const char *path, int timeout);
/* inet_listen - listen on "host:port" or "port" (host may be [v6] or
 * "all"/empty for every address); -1 with *why set on failure. */
int     inet_listen(const char *addr, int backlog, const char **why);
/* inet_connect - connect to host (numeric or name) and port within
 * timeout seconds, from source address src if non-NULL; -1 with errno. */
int     inet_connect(const char *host, unsigned port, int timeout, const char *src);
/* write_all - write the whole buffer, retrying on EINTR; -1 on error. */
int     write_all(int fd, const void *buf, size_t len);
/* fsync_dir - fsync the directory holding path (or path itself if dir); -1 on error. */
int     fsync_dir(const char *dir);

#endif
