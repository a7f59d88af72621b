/* mail_queue.c - queue directory names, queue ID syntax and generation,
 * and the small file operations (create, rename, remove) on queue files.
 *
 * Queue IDs follow Postfix's two forms:
 *  - short (default): 5 upper-case hex digits of the microseconds of the
 *    creation time, then the file's inode number in upper-case hex;
 *  - long (enable_long_queue_ids): seconds in base 52 (at least 6 digits),
 *    microseconds in base 52 (exactly 4 digits), 'z', inode in base 51.
 * The inode is only known once the file exists, so a file is first
 * created under a temporary name, fstat'd, then renamed to its ID. No
 * other live file in the queue file system can carry that ID, because
 * IDs embed the inode number and a live file's inode is its own (files
 * move between queues only by rename, which keeps the inode). */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <ctype.h>
#include "util/vstr.h"
#include "util/msg.h"
#include "global/mail_params.h"
#include "global/mail_queue.h"

const char *const mail_queue_dirs[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, MAIL_QUEUE_CORRUPT,
    MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER, MAIL_QUEUE_TRACE, MAIL_QUEUE_SAVED,
    0,
};

/* Digits of the long form: no vowels, so no words appear in IDs. */
static const char long_digits[] =
"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

#define LONG_SEC_BASE	52
#define LONG_SEC_PAD	6
#define LONG_USEC_BASE	52
#define LONG_USEC_PAD	4
#define LONG_INUM_SEP	'z'
#define LONG_INUM_BASE	51

#define QUEUE_ID_MAXLEN	64

/* mail_queue_id_ok - as Postfix: letters, digits and '_', bounded length */
int     mail_queue_id_ok(const char *id)
{
    size_t  n;

    if (id == 0 || *id == 0)
	return 0;
    for (n = 0; id[n]; n++) {
	if (n >= QUEUE_ID_MAXLEN)
	    return 0;
	if (!isascii((unsigned char) id[n])
	    || !(isalnum((unsigned char) id[n]) || id[n] == '_'))
	    return 0;
    }
    return 1;
}

int     mail_queue_name_ok(const char *queue)
{
    const char *const *cpp;

    if (queue == 0)
	return 0;
    for (cpp = mail_queue_dirs; *cpp; cpp++)
	if (strcmp(*cpp, queue) == 0)
	    return 1;
    return 0;
}

const char *mail_queue_path(VSTR *buf, const char *queue, const char *id)
{
    vstr_sprintf(buf, "%s/%s", queue, id);
    return vstr_str(buf);
}

/* encode_base - append value in base with at least pad digits */
static void encode_base(VSTR *buf, unsigned long value, unsigned base, int pad)
{
    char    tmp[64];
    int     n = 0;

    do {
	tmp[n++] = long_digits[value % base];
	value /= base;
    } while (value && n < (int) sizeof(tmp));
    while (n < pad && n < (int) sizeof(tmp))
	tmp[n++] = long_digits[0];
    while (n > 0)
	vstr_addch(buf, tmp[--n]);
}

/* make_id - format a queue ID from time and inode */
static void make_id(VSTR *id, const struct timeval *tv, unsigned long ino)
{
    vstr_reset(id);
    if (var_long_queue_ids) {
	encode_base(id, (unsigned long) tv->tv_sec, LONG_SEC_BASE, LONG_SEC_PAD);
	encode_base(id, (unsigned long) tv->tv_usec, LONG_USEC_BASE, LONG_USEC_PAD);
	vstr_addch(id, LONG_INUM_SEP);
	encode_base(id, ino, LONG_INUM_BASE, 0);
    } else {
	vstr_sprintf(id, "%05X%lX", (unsigned) tv->tv_usec, ino);
    }
}

int     mail_queue_create(const char *queue, VSTR *id)
{
    static unsigned long seq;
    VSTR   *temp = vstr_alloc(64);
    VSTR   *path = vstr_alloc(64);
    struct timeval tv;
    struct stat st;
    int     fd;
    int     tries;
    int     saved;

    /* Temporary name: unique per process, never a valid short ID (has '.'). */
    for (tries = 0;; tries++) {
	vstr_sprintf(temp, "%s/.tmp.%ld.%lu", queue, (long) getpid(), ++seq);
	fd = open(vstr_str(temp), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		  MAIL_QUEUE_MODE_WRITING);
	if (fd >= 0)
	    break;
	if (errno != EEXIST || tries > 100) {
	    saved = errno;
	    vstr_free(temp);
	    vstr_free(path);
	    errno = saved;
	    return -1;
	}
    }
    /* The umask may have cut the mode. */
    if (fchmod(fd, MAIL_QUEUE_MODE_WRITING) < 0 || fstat(fd, &st) < 0)
	goto fail;
    if (gettimeofday(&tv, 0) < 0)
	goto fail;
    make_id(id, &tv, (unsigned long) st.st_ino);
    mail_queue_path(path, queue, vstr_str(id));
    /* No live file can hold this ID: it embeds our own inode number. */
    if (rename(vstr_str(temp), vstr_str(path)) < 0)
	goto fail;
    vstr_free(temp);
    vstr_free(path);
    return fd;

fail:
    saved = errno;
    (void) unlink(vstr_str(temp));
    close(fd);
    vstr_free(temp);
    vstr_free(path);
    vstr_reset(id);
    errno = saved;
    return -1;
}

int     mail_queue_rename(const char *id, const char *old_queue, const char *new_queue)
{
    VSTR   *oldp, *newp;
    int     ret, saved;

    if (!mail_queue_id_ok(id)) {
	errno = EINVAL;
	return -1;
    }
    oldp = vstr_alloc(64);
    newp = vstr_alloc(64);
    mail_queue_path(oldp, old_queue, id);
    mail_queue_path(newp, new_queue, id);
    ret = rename(vstr_str(oldp), vstr_str(newp));
    saved = errno;
    vstr_free(oldp);
    vstr_free(newp);
    errno = saved;
    return ret;
}

int     mail_queue_remove(const char *queue, const char *id)
{
    VSTR   *path;
    int     ret, saved;

    if (!mail_queue_id_ok(id)) {
	errno = EINVAL;
	return -1;
    }
    path = vstr_alloc(64);
    ret = unlink(mail_queue_path(path, queue, id));
    saved = errno;
    vstr_free(path);
    errno = saved;
    return ret;
}
