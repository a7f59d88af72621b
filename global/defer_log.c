/* defer_log.c - the per-message defer logs in defer/ID: one text record
 * per deferred recipient, appended by qmgr, read by showq (postqueue -p
 * and -j reasons) and by qmgr when an expired message is bounced. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include "util/msg.h"
#include "util/vstr.h"
#include "util/mymalloc.h"
#include "global/mail_queue.h"
#include "global/defer_log.h"

#define DEFER_VALUE_MAX	4096

/* add_field - "name=value\n" with newlines and NULs flattened. */
static void add_field(VSTR *buf, const char *name, const char *value)
{
    size_t  n = 0;

    vstr_adds(buf, name);
    vstr_addch(buf, '=');
    for (const char *cp = value ? value : ""; *cp && n < DEFER_VALUE_MAX; cp++, n++)
	vstr_addch(buf, (*cp == '\n' || *cp == '\r') ? ' ' : *cp);
    vstr_addch(buf, '\n');
}

int     defer_log_append(const char *id, const DEFER_LOG_ENTRY *e)
{
    VSTR   *path;
    VSTR   *buf;
    int     fd;
    int     ret = -1;
    int     saved;

    if (!mail_queue_id_ok(id)) {
	errno = EINVAL;
	return -1;
    }
    path = vstr_alloc(64);
    buf = vstr_alloc(256);
    add_field(buf, "recipient", e->recipient);
    add_field(buf, "orig", e->orig_rcpt);
    add_field(buf, "dsn", e->dsn);
    add_field(buf, "reason", e->reason);
    add_field(buf, "diag", e->diag);
    add_field(buf, "mta", e->mta);
    vstr_addch(buf, '\n');
    fd = open(mail_queue_path(path, MAIL_QUEUE_DEFER, id),
	      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
	ssize_t w = write(fd, vstr_str(buf), vstr_len(buf));

	if (w == (ssize_t) vstr_len(buf))
	    ret = 0;
	else if (w >= 0)
	    errno = EIO;
	saved = errno;
	if (close(fd) < 0 && ret == 0) {
	    ret = -1;
	    saved = errno;
	}
	errno = saved;
    }
    saved = errno;
    vstr_free(path);
    vstr_free(buf);
    errno = saved;
    return ret;
}

int     defer_log_read(const char *id, size_t max_bytes,
		               void (*fn) (const DEFER_LOG_ENTRY *e, void *ctx), void *ctx)
{
    VSTR   *path;
    char   *data;
    size_t  len = 0;
    ssize_t n;
    int     fd;
    int     count = 0;
    DEFER_LOG_ENTRY e;

    if (!mail_queue_id_ok(id)) {
	errno = EINVAL;
	return -1;
    }
    path = vstr_alloc(64);
    fd = open(mail_queue_path(path, MAIL_QUEUE_DEFER, id), O_RDONLY | O_CLOEXEC);
    vstr_free(path);
    if (fd < 0)
	return -1;
    data = mymalloc(max_bytes + 1);
    while (len < max_bytes && (n = read(fd, data + len, max_bytes - len)) > 0)
	len += (size_t) n;
    close(fd);
    data[len] = 0;

    memset(&e, 0, sizeof(e));
    for (char *line = data, *next; line < data + len && *line; line = next) {
	char   *eol = strchr(line, '\n');
	char   *eq;

	if (eol == NULL)
	    break;			/* partial last line: ignore */
	*eol = 0;
	next = eol + 1;
	if (*line == 0) {		/* end of record */
	    if (e.recipient) {
		if (!e.orig_rcpt) e.orig_rcpt = "";
		if (!e.dsn) e.dsn = "4.0.0";
		if (!e.reason) e.reason = "";
		if (!e.diag) e.diag = "";
		if (!e.mta) e.mta = "";
		fn(&e, ctx);
		count++;
	    }
	    memset(&e, 0, sizeof(e));
	    continue;
	}
	if ((eq = strchr(line, '=')) == NULL)
	    continue;
	*eq++ = 0;
	if (strcmp(line, "recipient") == 0)
	    e.recipient = eq;
	else if (strcmp(line, "orig") == 0)
	    e.orig_rcpt = eq;
	else if (strcmp(line, "dsn") == 0)
	    e.dsn = eq;
	else if (strcmp(line, "reason") == 0)
	    e.reason = eq;
	else if (strcmp(line, "diag") == 0)
	    e.diag = eq;
	else if (strcmp(line, "mta") == 0)
	    e.mta = eq;
    }
    myfree(data);
    return count;
}

int     defer_log_remove(const char *id)
{
    if (mail_queue_remove(MAIL_QUEUE_DEFER, id) < 0 && errno != ENOENT)
	return -1;
    return 0;
}
