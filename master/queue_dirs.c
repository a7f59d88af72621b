/* queue_dirs.c - create and check the queue directory tree: the same
 * subdirectories, owners and modes as Postfix (maildrop 0730 and public
 * 0710 with group setgid_group, pid owned by root, the rest 0700 owned
 * by mail_owner; checked against a root-started Postfix 3.7). Started by
 * an ordinary user, everything is that user's. */
#include "util/sys_defs.h"
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include "util/vstr.h"
#include "util/mymalloc.h"
#include "util/argv.h"
#include "global/mail_params.h"
#include "master/queue_dirs.h"

typedef struct QUEUE_DIR {
    const char *name;
    int     mode;
    int     owner;			/* QD_OWNER_* */
    int     group;			/* QD_GROUP_* */
} QUEUE_DIR;

#define QD_OWNER_MAIL	0
#define QD_OWNER_ROOT	1
#define QD_GROUP_ROOT	0
#define QD_GROUP_SGID	1

static const QUEUE_DIR queue_dirs[] = {
    {"active", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"bounce", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"corrupt", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"defer", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"deferred", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"flush", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"hold", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"incoming", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"maildrop", 0730, QD_OWNER_MAIL, QD_GROUP_SGID},
    {"pid", 0755, QD_OWNER_ROOT, QD_GROUP_ROOT},
    {"private", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"public", 0710, QD_OWNER_MAIL, QD_GROUP_SGID},
    {"saved", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {"trace", 0700, QD_OWNER_MAIL, QD_GROUP_ROOT},
    {0, 0, 0, 0},
};

/* queue_dirs_ids - the wanted uid/gid of one directory; -1 when we are
 * not root (then ownership is not ours to choose). */

static void queue_dirs_ids(const QUEUE_DIR *qd, uid_t *uid, gid_t *gid,
			           ARGV *problems, int *warned)
{
    struct passwd *pw;
    struct group *gr;

    *uid = (uid_t) -1;
    *gid = (gid_t) -1;
    if (geteuid() != 0)
	return;
    if (qd->owner == QD_OWNER_ROOT) {
	*uid = 0;
    } else if ((pw = getpwnam(var_mail_owner)) != 0) {
	*uid = pw->pw_uid;
    } else if (!(*warned & 1)) {
	VSTR   *b = vstr_alloc(100);

	vstr_sprintf(b, "mail_owner: unknown user name: %s", var_mail_owner);
	argv_add(problems, vstr_str(b), (char *) 0);
	vstr_free(b);
	*warned |= 1;
    }
    if (qd->group == QD_GROUP_ROOT) {
	*gid = 0;
    } else if ((gr = getgrnam(var_sgid_group)) != 0) {
	*gid = gr->gr_gid;
    } else if ((pw = getpwnam(var_mail_owner)) != 0) {
	*gid = pw->pw_gid;		/* no setgid group: postdrop is not setgid */
    }
}

static void queue_dirs_problem(ARGV *problems, const char *fmt,...) PRINTFLIKE(2, 3);

static void queue_dirs_problem(ARGV *problems, const char *fmt,...)
{
    VSTR   *b = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(b, fmt, ap);
    va_end(ap);
    argv_add(problems, vstr_str(b), (char *) 0);
    vstr_free(b);
}

int     queue_dirs_create(ARGV *problems)
{
    VSTR   *path = vstr_alloc(200);
    struct stat st;
    int     ret = 0;
    int     warned = 0;

    if (mkdir(var_queue_dir, 0755) < 0 && errno != EEXIST) {
	queue_dirs_problem(problems, "mkdir %s: %s", var_queue_dir, strerror(errno));
	vstr_free(path);
	return -1;
    }
    for (const QUEUE_DIR *qd = queue_dirs; qd->name; qd++) {
	uid_t   uid;
	gid_t   gid;

	vstr_sprintf(path, "%s/%s", var_queue_dir, qd->name);
	queue_dirs_ids(qd, &uid, &gid, problems, &warned);
	if (mkdir(vstr_str(path), (mode_t) qd->mode) < 0 && errno != EEXIST) {
	    queue_dirs_problem(problems, "mkdir %s: %s", vstr_str(path), strerror(errno));
	    ret = -1;
	    continue;
	}
	if (lstat(vstr_str(path), &st) < 0 || !S_ISDIR(st.st_mode)) {
	    queue_dirs_problem(problems, "%s: not a directory", vstr_str(path));
	    ret = -1;
	    continue;
	}
	if (((uid != (uid_t) -1 && st.st_uid != uid) || (gid != (gid_t) -1 && st.st_gid != gid))
	    && chown(vstr_str(path), uid, gid) < 0) {
	    queue_dirs_problem(problems, "chown %s: %s", vstr_str(path), strerror(errno));
	    ret = -1;
	}
	if ((st.st_mode & 07777) != (mode_t) qd->mode
	    && chmod(vstr_str(path), (mode_t) qd->mode) < 0) {
	    queue_dirs_problem(problems, "chmod %s: %s", vstr_str(path), strerror(errno));
	    ret = -1;
	}
    }
    vstr_free(path);
    return ret;
}

int     queue_dirs_check(ARGV *problems)
{
    VSTR   *path = vstr_alloc(200);
    struct stat st;
    int     count = 0;
    int     warned = 0;

    if (stat(var_queue_dir, &st) < 0) {
	queue_dirs_problem(problems, "queue_directory %s: %s", var_queue_dir, strerror(errno));
	vstr_free(path);
	return 1;
    }
    for (const QUEUE_DIR *qd = queue_dirs; qd->name; qd++) {
	uid_t   uid;
	gid_t   gid;
	int     before = problems->argc;

	vstr_sprintf(path, "%s/%s", var_queue_dir, qd->name);
	queue_dirs_ids(qd, &uid, &gid, problems, &warned);
	count += problems->argc - before;
	if (lstat(vstr_str(path), &st) < 0) {
	    queue_dirs_problem(problems, "missing directory: %s", vstr_str(path));
	    count++;
	} else if (!S_ISDIR(st.st_mode)) {
	    queue_dirs_problem(problems, "not a directory: %s", vstr_str(path));
	    count++;
	} else if (uid != (uid_t) -1 && st.st_uid != uid) {
	    struct passwd *pw = getpwuid(st.st_uid);

	    queue_dirs_problem(problems, "wrong owner: %s is owned by %s, not %s",
			       vstr_str(path), pw ? pw->pw_name : "(unknown)",
			       qd->owner == QD_OWNER_ROOT ? "root" : var_mail_owner);
	    count++;
	} else if (uid == (uid_t) -1 && st.st_uid != geteuid()) {
	    queue_dirs_problem(problems, "wrong owner: %s is not owned by uid %ld",
			       vstr_str(path), (long) geteuid());
	    count++;
	} else if (qd->group == QD_GROUP_SGID && gid != (gid_t) -1 && st.st_gid != gid) {
	    struct group *gr = getgrgid(st.st_gid);	/* static: copy the name */
	    char   *have = mystrdup(gr ? gr->gr_name : "(unknown)");
	    struct group *want = getgrgid(gid);

	    queue_dirs_problem(problems, "wrong group: %s is group %s, not %s",
			       vstr_str(path), have, want ? want->gr_name : var_sgid_group);
	    myfree(have);
	    count++;
	} else if ((st.st_mode & 07777) != (mode_t) qd->mode) {
	    queue_dirs_problem(problems, "wrong mode: %s has mode %04o, not %04o",
			       vstr_str(path), (unsigned) (st.st_mode & 07777),
			       (unsigned) qd->mode);
	    count++;
	}
    }
    vstr_free(path);
    return count;
}
