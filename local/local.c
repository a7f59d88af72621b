/* local.c - local(8): deliver to local recipients. alias_maps expansion
 * (recursive, loop-safe) to users, /files (mbox, or Maildir when the
 * name ends in '/'), |commands (through /bin/sh -c as default_privs) and
 * non-local addresses (re-submitted through cleanup); system users get
 * mailbox_command, home_mailbox (Maildir/ or a file under $HOME) or an
 * mbox in mail_spool_directory under fcntl and dotlock locks. Return-Path,
 * X-Original-To and Delivered-To are prepended; a Delivered-To: equal to
 * the recipient is a mail forwarding loop. Running without root it
 * delivers only to the invoking user and defers the others. */
#include "util/sys_defs.h"

#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "util/dict.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/mail_addr.h"
#include "global/deliver_request.h"
#include "global/maps.h"
#include "global/record.h"
#include "global/qfile.h"
#include "global/resolve.h"
#include "global/cleanup_client.h"
#include "local/dlv_common.h"

#define LOCAL_EXP_DEPTH_MAX	10	/* nested alias expansions */
#define LOCAL_EXP_ITEMS_MAX	1000	/* deliveries for one recipient */
#define LOCAL_CMD_OUTPUT_MAX	1024	/* bytes of command output in a bounce */

static MAPS *alias_maps;
static int mbox_locks;

/* Per-recipient state: the top-level recipient and the combined outcome. */
typedef struct LSTATE {
    DELIVER_REQUEST *req;
    DELIVER_RCPT *top;
    int     qfd;
    int     count;			/* deliveries attempted */
    int     status;			/* worst so far: DEFER > BOUNCE > SENT; -1 none */
    char    dsn[16];
    VSTR   *text;
    VSTR   *diag;
    ARGV   *expanded;			/* alias names being expanded (loop guard) */
} LSTATE;

/* Where a delivery came from: allow_mail_to_commands/files classes. */
#define ORIGIN_FORWARD	0
#define ORIGIN_ALIAS	1
#define ORIGIN_INCLUDE	2

/* class_allowed - is "alias" (or "forward") in an allow_mail_to_* list? */
static int class_allowed(const char *list, int origin)
{
    ARGV   *a = argv_split(list, ", \t\r\n");
    int     ok = 0;
    int     i;

    for (i = 0; i < a->argc; i++)
	if (strcasecmp(a->argv[i], origin == ORIGIN_ALIAS ? "alias" :
		       origin == ORIGIN_INCLUDE ? "include" : "forward") == 0)
	    ok = 1;
    argv_free(a);
    return (ok);
}

/* record - log one delivery and fold it into the recipient's outcome.
 * log_addr is what to= shows (orig_to= is the request's recipient). */
static void record(LSTATE *st, const char *log_addr, const DLV_RESULT *res)
{
    DELIVER_RCPT tmp = *st->top;
    int     rank_new = res->status == DLV_STAT_DEFER ? 2 : res->status == DLV_STAT_BOUNCE ? 1 : 0;
    int     rank_old = st->status < 0 ? -1 : st->status == DLV_STAT_DEFER ? 2
    : st->status == DLV_STAT_BOUNCE ? 1 : 0;

    tmp.address = (char *) log_addr;
    if (strcasecmp(log_addr, st->top->address) != 0)
	tmp.orig_rcpt = st->top->orig_rcpt && *st->top->orig_rcpt ?
	    st->top->orig_rcpt : st->top->address;
    tmp.reason = vstr_alloc(100);
    tmp.diag = vstr_alloc(100);
    tmp.mta = vstr_alloc(10);
    dlv_apply(&tmp, res);
    deliver_log(st->req, &tmp, "local", 0, 0);
    vstr_free(tmp.reason);
    vstr_free(tmp.diag);
    vstr_free(tmp.mta);
    if (rank_new > rank_old) {
	st->status = res->status;
	snprintf(st->dsn, sizeof(st->dsn), "%s", res->dsn);
	vstr_set(st->text, vstr_str(res->text));
	vstr_set(st->diag, vstr_str(res->diag));
    }
}

/* delivered_for - the Delivered-To value for a delivery class ("command",
 * "file", "forward"): addr if prepend_delivered_header names it, else "". */
static const char *delivered_for(const char *cls, const char *addr)
{
    ARGV   *a = argv_split(var_prepend_deliv_hdr, ", \t\r\n");
    int     found = 0;
    int     i;

    for (i = 0; i < a->argc; i++)
	if (strcasecmp(a->argv[i], cls) == 0)
	    found = 1;
    argv_free(a);
    return (found ? addr : "");
}

/* qualify - addr with @$myorigin appended when it has no domain. */
static void qualify(VSTR *out, const char *addr)
{
    vstr_set(out, addr);
    if (strrchr(addr, '@') == 0)
	vstr_sprintf_append(out, "@%s", var_myorigin && *var_myorigin ? var_myorigin : var_myhostname);
}

/* ---- commands ---- */

/* env_add - append "name=value" to an environment list. */
static void env_add(ARGV *env, const char *name, const char *value)
{
    VSTR   *v = vstr_alloc(64);

    vstr_sprintf(v, "%s=%s", name, value);
    argv_add(env, vstr_str(v), (char *) 0);
    vstr_free(v);
}

/* run_command - pipe the message into cmd run by the shell as uid/gid. */
static void run_command(LSTATE *st, const char *cmd, const char *delivered_to,
			        uid_t uid, gid_t gid, const char *home,
			        const char *user, const char *local, const char *ext,
			        DLV_RESULT *res)
{
    ARGV   *args;
    ARGV   *env = argv_alloc(12);
    VSTR   *output = vstr_alloc(100);
    VSTR   *sent = vstr_alloc(100);
    const char *domain = addr_domain(st->top->address);
    int     status;

    if (!dlv_running_as_root()) {
	uid = geteuid();
	gid = getegid();
    }
    if (*var_local_cmd_shell)
	args = argv_split(var_local_cmd_shell, " \t");
    else
	args = argv_split("/bin/sh", " ");
    argv_add(args, "-c", cmd, (char *) 0);
    env_add(env, "PATH", "/usr/bin:/bin");
    env_add(env, "HOME", home && *home ? home : "/");
    if (user) {
	env_add(env, "USER", user);
	env_add(env, "LOGNAME", user);
    }
    env_add(env, "SHELL", "/bin/sh");
    env_add(env, "SENDER", st->req->sender);
    env_add(env, "RECIPIENT", st->top->address);
    if (st->top->orig_rcpt && *st->top->orig_rcpt)
	env_add(env, "ORIGINAL_RECIPIENT", st->top->orig_rcpt);
    if (local)
	env_add(env, "LOCAL", local);
    if (ext)
	env_add(env, "EXTENSION", ext);
    if (domain)
	env_add(env, "DOMAIN", domain);
    vstr_sprintf(sent, "delivered to command: %s", cmd);
    if (dlv_run(args->argv, cmd, env->argv, uid, gid, home, st->qfd, st->req, st->top, delivered_to,
		DLV_COPY_FROM_LINE | DLV_COPY_HEADERS, var_command_maxtime,
		LOCAL_CMD_OUTPUT_MAX, output, &status, res) == 0)
	dlv_command_result(status, cmd, vstr_str(output), vstr_str(sent), res);
    argv_free(args);
    argv_free(env);
    vstr_free(output);
    vstr_free(sent);
}

/* ---- forwarding to non-local addresses ---- */

static void forward_addr(LSTATE *st, const char *addr, const char *parent, DLV_RESULT *res)
{
    CLEANUP_CLIENT *cc;
    STREAM *out;
    STREAM *in;
    VSTR   *line = vstr_alloc(1024);
    VSTR   *reason = vstr_alloc(100);
    const char *why = 0;
    int     type;
    int     stat;
    const char *orig = st->top->orig_rcpt && *st->top->orig_rcpt ? st->top->orig_rcpt : st->top->address;
    char   *id;

    if ((cc = cleanup_open(CLEANUP_FLAG_NONE, &why)) == 0) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "mail forwarding failed: %s", why ? why : "cleanup unavailable");
	goto done;
    }
    id = mystrdup(cleanup_queue_id(cc));
    out = cleanup_stream(cc);
    rec_put(out, REC_TYPE_FROM, st->req->sender, strlen(st->req->sender));
    rec_put(out, REC_TYPE_ORCP, orig, strlen(orig));
    rec_put(out, REC_TYPE_RCPT, addr, strlen(addr));
    rec_put(out, REC_TYPE_MESG, "", 0);
    if (*delivered_for("forward", parent))
	rec_fprintf(out, REC_TYPE_NORM, "Delivered-To: %s", parent);
    if ((in = qfile_content_start(st->qfd, st->req->content_offset, 0)) == 0) {
	cleanup_abort(cc);
	myfree(id);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "error reading queue file");
	goto done;
    }
    while ((type = qfile_get_line(in, line)) == REC_TYPE_NORM || type == REC_TYPE_CONT)
	if (rec_put(out, type, vstr_str(line), vstr_len(line)) < 0)
	    break;
    stream_free(in);
    if (type != REC_TYPE_XTRA) {
	cleanup_abort(cc);
	myfree(id);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "mail forwarding failed: error reading queue file");
	goto done;
    }
    rec_put(out, REC_TYPE_XTRA, "", 0);
    vstr_reset(reason);
    stat = cleanup_finish(cc, reason);
    if (stat == CLEANUP_STAT_OK)
	dlv_result_set(res, DLV_STAT_SENT, "2.0.0", "forwarded as %s", id);
    else
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "mail forwarding failed: %s",
		       vstr_len(reason) ? vstr_str(reason) : cleanup_strerror(stat));
    myfree(id);
done:
    vstr_free(line);
    vstr_free(reason);
}

/* ---- users ---- */

static int privs(uid_t *uid, gid_t *gid, DLV_RESULT *res);

/* deliver_user - mailbox delivery for a system user. */
static void deliver_user(LSTATE *st, const char *addr, struct passwd *pw,
			         const char *local, const char *ext, DLV_RESULT *res)
{
    VSTR   *path = vstr_alloc(100);
    VSTR   *prefix = vstr_alloc(100);

    if (!dlv_running_as_root() && pw->pw_uid != geteuid()) {
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.0",
		       "cannot deliver to user \"%s\": not running with root privileges", pw->pw_name);
	goto done;
    }
    if (*var_mailbox_command) {
	uid_t   uid = pw->pw_uid;
	gid_t   gid = pw->pw_gid;
	char   *home = mystrdup(pw->pw_dir);	/* privs() reuses getpwnam()'s storage */
	char   *name = mystrdup(pw->pw_name);

	/* Like Postfix: command delivery for root runs as default_privs. */
	if (uid != 0 || privs(&uid, &gid, res) == 0)
	    /* Like Postfix's $recipient etc., the shell sees $RECIPIENT, $EXTENSION, ... */
	    run_command(st, var_mailbox_command, addr, uid, gid, home, name, local, ext, res);
	myfree(home);
	myfree(name);
    } else if (*var_home_mailbox) {
	vstr_sprintf(path, "%s/%s", pw->pw_dir, var_home_mailbox);
	if (var_home_mailbox[strlen(var_home_mailbox) - 1] == '/')
	    dlv_maildir_deliver(st->qfd, st->req, st->top, addr, vstr_str(path),
				pw->pw_uid, pw->pw_gid, var_mailbox_limit, 0, res);
	else {
	    vstr_sprintf(prefix, "cannot update mailbox %s for user %s. ", vstr_str(path), pw->pw_name);
	    dlv_mbox_deliver(st->qfd, st->req, st->top, addr, vstr_str(path),
			     pw->pw_uid, pw->pw_gid, mbox_locks, var_mailbox_limit,
			     0, "delivered to mailbox", vstr_str(prefix), res);
	}
    } else if (*var_mail_spool_dir && var_mail_spool_dir[strlen(var_mail_spool_dir) - 1] == '/') {
	/* mail_spool_directory ending in '/': one Maildir per user there. */
	vstr_sprintf(path, "%s%s/", var_mail_spool_dir, pw->pw_name);
	dlv_maildir_deliver(st->qfd, st->req, st->top, addr, vstr_str(path),
			    pw->pw_uid, pw->pw_gid, var_mailbox_limit, 0, res);
    } else {
	vstr_sprintf(path, "%s/%s", var_mail_spool_dir, pw->pw_name);
	vstr_sprintf(prefix, "cannot update mailbox %s for user %s. ", vstr_str(path), pw->pw_name);
	dlv_mbox_deliver(st->qfd, st->req, st->top, addr, vstr_str(path),
			 pw->pw_uid, pw->pw_gid, mbox_locks, var_mailbox_limit,
			 dlv_running_as_root(), "delivered to mailbox", vstr_str(prefix), res);
    }
done:
    vstr_free(path);
    vstr_free(prefix);
}

/* privs - the default_privs account for file and command deliveries. */
static int privs(uid_t *uid, gid_t *gid, DLV_RESULT *res)
{
    struct passwd *pw;

    if (!dlv_running_as_root()) {
	*uid = geteuid();
	*gid = getegid();
	return (0);
    }
    if ((pw = getpwnam(var_default_privs)) == 0 || pw->pw_uid == 0) {
	msg_warn("default_privs: unknown or privileged user \"%s\"", var_default_privs);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	return (-1);
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return (0);
}

/* split_alias - split an alias value at commas outside double quotes. */
static ARGV *split_alias(const char *value)
{
    ARGV   *a = argv_alloc(4);
    VSTR   *item = vstr_alloc(64);
    const char *cp;
    int     quoted = 0;
    char   *copy;
    char   *s;
    size_t  n;

    for (cp = value;; cp++) {
	if (*cp == '"')
	    quoted = !quoted;
	if (*cp == 0 || (*cp == ',' && !quoted)) {
	    copy = mystrdup(vstr_str(item));
	    s = trimblanks(copy);
	    n = strlen(s);
	    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = 0;
		memmove(s, s + 1, n - 1);
	    }
	    if (*s)
		argv_add(a, s, (char *) 0);
	    myfree(copy);
	    vstr_reset(item);
	    if (*cp == 0)
		break;
	    continue;
	}
	vstr_addch(item, *cp);
    }
    vstr_free(item);
    return (a);
}

static void deliver_addr(LSTATE *st, const char *addr, int depth, int flags);

/* Flags of deliver_addr. */
#define DA_NOALIAS	(1<<0)		/* "\\user": no alias lookup */
#define DA_NOFORWARD	(1<<1)		/* no .forward */

/* item_privs - the account for a file/command item: default_privs for
 * aliases, the user for .forward items. */
static int item_privs(const struct passwd *owner, uid_t *uid, gid_t *gid, DLV_RESULT *res)
{
    /* As in Postfix, file and command deliveries never run as root. */
    if (owner == 0 || owner->pw_uid == 0)
	return (privs(uid, gid, res));
    *uid = owner->pw_uid;
    *gid = owner->pw_gid;
    if (!dlv_running_as_root()) {
	*uid = geteuid();
	*gid = getegid();
    }
    return (0);
}

/* deliver_alias_item - one item of an alias or .forward value. parent is
 * the address being expanded; owner is the .forward owner (NULL: alias). */
static char *read_list_file(const char *path, uid_t uid, gid_t gid);

static void deliver_alias_item(LSTATE *st, const char *item, const char *parent, int depth,
			               const struct passwd *owner, int origin)
{
    DLV_RESULT res;
    uid_t   uid;
    gid_t   gid;
    VSTR   *q = vstr_alloc(100);
    const char *home = owner ? owner->pw_dir : "/";
    const char *who = owner ? owner->pw_name : var_default_privs;

    dlv_result_init(&res);
    if (++st->count > LOCAL_EXP_ITEMS_MAX) {
	dlv_result_set(&res, DLV_STAT_BOUNCE, "5.3.0", "too many deliveries for this recipient");
	record(st, parent, &res);
    } else if (*item == '|') {
	if (!class_allowed(var_allow_commands, origin))
	    dlv_result_set(&res, DLV_STAT_BOUNCE, "5.7.1", "mail to command is restricted");
	else if (item_privs(owner, &uid, &gid, &res) == 0)
	    run_command(st, item + 1, delivered_for("command", st->top->address),
			uid, gid, home, who, 0, 0, &res);
	record(st, parent, &res);
    } else if (*item == '/') {
	if (!class_allowed(var_allow_files, origin))
	    dlv_result_set(&res, DLV_STAT_BOUNCE, "5.7.1", "mail to file is restricted");
	else if (item_privs(owner, &uid, &gid, &res) == 0) {
	    if (item[strlen(item) - 1] == '/')
		dlv_maildir_deliver(st->qfd, st->req, st->top,
				    delivered_for("file", st->top->address), item, uid, gid,
				    var_mailbox_limit, 0, &res);
	    else {
		VSTR   *prefix = vstr_alloc(100);

		vstr_sprintf(q, "delivered to file: %s", item);
		vstr_sprintf(prefix, "cannot append message to file %s: ", item);
		dlv_mbox_deliver(st->qfd, st->req, st->top,
				 delivered_for("file", st->top->address), item, uid, gid,
				 mbox_locks, 0, 0, vstr_str(q), vstr_str(prefix), &res);
		vstr_free(prefix);
	    }
	}
	record(st, parent, &res);
    } else if (strncasecmp(item, ":include:", 9) == 0) {
	const char *path = item + 9;
	char   *list = 0;
	ARGV   *items;
	int     i;

	while (*path == ' ' || *path == '\t')
	    path++;
	if (*path != '/') {
	    dlv_result_set(&res, DLV_STAT_BOUNCE, "5.3.5", ":include:%s uses a relative path", path);
	    record(st, parent, &res);
	} else if (depth >= LOCAL_EXP_DEPTH_MAX) {
	    dlv_result_set(&res, DLV_STAT_BOUNCE, "5.4.6", "unreasonable :include: nesting for %s", parent);
	    record(st, parent, &res);
	} else if (item_privs(owner, &uid, &gid, &res) < 0) {
	    record(st, parent, &res);
	} else if ((list = read_list_file(path, uid, gid)) == 0) {
	    dlv_result_set(&res, DLV_STAT_DEFER, "4.3.0", "cannot open include file %s: %s",
			   path, strerror(errno));
	    record(st, parent, &res);
	} else {
	    items = split_alias(list);
	    for (i = 0; i < items->argc; i++)
		deliver_alias_item(st, items->argv[i], parent, depth + 1, owner, ORIGIN_INCLUDE);
	    argv_free(items);
	}
	myfree(list);
    } else if (*item == '\\') {
	addr_unquote(q, item + 1);
	deliver_addr(st, vstr_str(q), depth + 1, DA_NOALIAS | DA_NOFORWARD);
    } else {
	const char *dom;

	addr_unquote(q, item);
	if ((dom = addr_domain(vstr_str(q))) != 0 && !resolve_local_domain(dom)) {
	    /* Postfix logs the forwarding under the address being expanded. */
	    forward_addr(st, vstr_str(q), st->top->address, &res);
	    record(st, parent, &res);
	} else
	    deliver_addr(st, vstr_str(q), depth + 1, 0);
    }
    dlv_result_done(&res);
    vstr_free(q);
}

#define LOCAL_FORWARD_MAX	(64 * 1024)	/* bytes of a .forward file */

/* read_list_file - the items of a .forward or :include: file (one or
 * more per line, '#' comments), read as uid/gid; NULL (errno set) if it
 * cannot be read or is not a regular file owned by uid or root. */
static char *read_list_file(const char *path, uid_t uid, gid_t gid)
{
    VSTR   *buf = vstr_alloc(256);
    VSTR   *items;
    struct stat sb;
    char    chunk[4096];
    ssize_t n;
    int     fd;
    int     err;
    char   *line;
    char   *cp;
    char   *ret = 0;

    dlv_set_eugid(uid, gid);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    err = errno;
    dlv_restore_eugid();
    if (fd < 0) {
	vstr_free(buf);
	errno = err;
	return (0);
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)
	|| (dlv_running_as_root() && sb.st_uid != uid && sb.st_uid != 0)) {
	msg_warn("file %s has bad type or owner: ignored", path);
	(void) close(fd);
	vstr_free(buf);
	errno = EPERM;
	return (0);
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0 && vstr_len(buf) < LOCAL_FORWARD_MAX)
	vstr_addn(buf, chunk, (size_t) n);
    (void) close(fd);
    items = vstr_alloc(256);
    cp = vstr_str(buf);
    while ((line = mystrtok(&cp, "\n")) != 0) {
	line = trimblanks(line);
	if (*line == 0 || *line == '#')
	    continue;
	if (vstr_len(items))
	    vstr_addch(items, ',');
	vstr_adds(items, line);
    }
    ret = vstr_export(items);
    vstr_free(buf);
    return (ret);
}

/* read_forward - the user's .forward items (extension variant first); NULL if none. */
static char *read_forward(const struct passwd *pw, const char *ext)
{
    VSTR   *path = vstr_alloc(100);
    char   *ret = 0;

    if (!dlv_running_as_root() && pw->pw_uid != geteuid()) {
	vstr_free(path);
	return (0);
    }
    if (ext && var_rcpt_delim && *var_rcpt_delim) {
	vstr_sprintf(path, "%s/.forward%c%s", pw->pw_dir, var_rcpt_delim[0], ext);
	ret = read_list_file(vstr_str(path), pw->pw_uid, pw->pw_gid);
    }
    if (ret == 0) {
	vstr_sprintf(path, "%s/.forward", pw->pw_dir);
	ret = read_list_file(vstr_str(path), pw->pw_uid, pw->pw_gid);
    }
    vstr_free(path);
    return (ret);
}

/* alias_owner - as in Postfix, the items of an alias run with the
 * privileges of the owner of the alias_maps file that has key (hash,
 * btree: file.db; texthash, cidr, regexp: file): a malloc'd passwd copy
 * (free with alias_owner_free), or NULL for root-owned and file-less
 * tables (default_privs then applies). When the owner has no passwd
 * entry, *failed is set with res saying why. */
static struct passwd *alias_owner(const char *key, int *failed, DLV_RESULT *res)
{
    ARGV   *specs = argv_split_list(var_alias_maps);
    VSTR   *file = vstr_alloc(100);
    struct passwd *ret = 0;
    const char *why;
    struct stat sb;
    int     err;

    *failed = 0;
    for (int i = 0; i < specs->argc; i++) {
	const char *spec = specs->argv[i];
	const char *colon = strchr(spec, ':');
	DICT   *d;
	int     hit;

	if (colon == 0 || (d = dict_open(spec, DICT_FLAG_FOLD_FIX, &why)) == 0)
	    continue;
	hit = dict_lookup(d, key, &err) != 0;
	dict_close(d);
	if (!hit)
	    continue;
	if (strncmp(spec, "hash:", 5) == 0 || strncmp(spec, "btree:", 6) == 0)
	    vstr_sprintf(file, "%s.db", colon + 1);
	else if (strncmp(spec, "texthash:", 9) == 0 || strncmp(spec, "cidr:", 5) == 0
		 || strncmp(spec, "regexp:", 7) == 0)
	    vstr_set(file, colon + 1);
	break;
    }
    if (vstr_len(file) > 0 && stat(vstr_str(file), &sb) == 0 && sb.st_uid != 0) {
	struct passwd *pw = getpwuid(sb.st_uid);

	if (pw == 0) {
	    dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "cannot find alias database owner");
	    *failed = 1;
	} else {
	    ret = mymalloc(sizeof(*ret));
	    *ret = *pw;
	    ret->pw_name = mystrdup(pw->pw_name);
	    ret->pw_dir = mystrdup(pw->pw_dir);
	    ret->pw_passwd = ret->pw_gecos = ret->pw_shell = 0;
	}
    }
    vstr_free(file);
    argv_free(specs);
    return (ret);
}

/* alias_owner_free - release what alias_owner returned (NULL allowed). */
static void alias_owner_free(struct passwd *pw)
{
    if (pw) {
	myfree(pw->pw_name);
	myfree(pw->pw_dir);
	myfree(pw);
    }
}

/* deliver_addr - deliver to addr (internal form): alias, .forward, user, or forward. */
static void deliver_addr(LSTATE *st, const char *addr, int depth, int flags)
{
    DLV_RESULT res;
    VSTR   *full = vstr_alloc(100);
    VSTR   *lp = vstr_alloc(64);
    VSTR   *base = vstr_alloc(64);
    const char *domain;
    const char *value = 0;
    const char *alias_key = 0;
    const char *ext = 0;
    struct passwd *pw;
    ARGV   *items;
    int     err = 0;
    int     i;
    int     seen = 0;
    char   *fwd;

    dlv_result_init(&res);
    qualify(full, addr);
    domain = addr_domain(vstr_str(full));

    if (depth > LOCAL_EXP_DEPTH_MAX) {
	dlv_result_set(&res, DLV_STAT_BOUNCE, "5.4.6", "unreasonable virtual domain nesting for %s", vstr_str(full));
	record(st, vstr_str(full), &res);
	goto done;
    }
    if (dlv_loop_check(st->qfd, st->req, vstr_str(full))) {
	dlv_result_set(&res, DLV_STAT_BOUNCE, "5.4.6", "mail forwarding loop for %s", vstr_str(full));
	record(st, vstr_str(full), &res);
	goto done;
    }
    if (depth > 0 && domain && !resolve_local_domain(domain)) {
	forward_addr(st, vstr_str(full), st->top->address, &res);
	record(st, vstr_str(full), &res);
	goto done;
    }
    addr_local_part(lp, vstr_str(full));
    vstr_lower(lp);
    vstr_set(base, vstr_str(lp));
    if (var_rcpt_delim && *var_rcpt_delim && vstr_len(lp) > 0) {
	size_t  n = strcspn(vstr_str(lp), var_rcpt_delim);

	/* postmaster+foo style: the delimiter must not start the name. */
	if (n > 0 && n < vstr_len(lp)) {
	    ext = vstr_str(lp) + n + 1;
	    vstr_truncate(base, n);
	}
    }
    /* Aliases: full local part, then without the extension. */
    for (i = 0; i < st->expanded->argc; i++)
	if (strcmp(st->expanded->argv[i], vstr_str(lp)) == 0
	    || strcmp(st->expanded->argv[i], vstr_str(base)) == 0)
	    seen = 1;
    if (!seen && alias_maps && !(flags & DA_NOALIAS)) {
	value = maps_find(alias_maps, alias_key = vstr_str(lp), &err);
	if (value == 0 && err == DICT_ERR_NONE && ext)
	    value = maps_find(alias_maps, alias_key = vstr_str(base), &err);
	if (value == 0 && err != DICT_ERR_NONE) {
	    dlv_result_set(&res, DLV_STAT_DEFER, "4.3.0", "alias database unavailable");
	    record(st, vstr_str(full), &res);
	    goto done;
	}
    }
    if (value != 0) {
	char   *copy = mystrdup(value);
	struct passwd *owner;
	int     failed;

	/* Alias database owner: found under the full local part or the base. */
	owner = alias_owner(alias_key, &failed, &res);
	if (failed) {
	    myfree(copy);
	    record(st, vstr_str(full), &res);
	    goto done;
	}
	argv_add(st->expanded, vstr_str(lp), (char *) 0);
	items = split_alias(copy);
	myfree(copy);
	if (items->argc == 0) {
	    dlv_result_set(&res, DLV_STAT_BOUNCE, "5.3.0", "empty alias expansion for %s", vstr_str(full));
	    record(st, vstr_str(full), &res);
	}
	for (i = 0; i < items->argc; i++)
	    deliver_alias_item(st, items->argv[i], vstr_str(full), depth, owner, ORIGIN_ALIAS);
	argv_free(items);
	alias_owner_free(owner);
	goto done;
    }
    if ((pw = getpwnam(vstr_str(base))) == 0) {
	dlv_result_set(&res, DLV_STAT_BOUNCE, "5.1.1", "unknown user: \"%s\"", vstr_str(lp));
	record(st, vstr_str(full), &res);
	goto done;
    }
    /* The user's .forward, unless we are already expanding it. */
    vstr_sprintf(res.text, "~%s", pw->pw_name);
    for (i = 0; i < st->expanded->argc; i++)
	if (strcmp(st->expanded->argv[i], vstr_str(res.text)) == 0)
	    flags |= DA_NOFORWARD;
    if (!(flags & DA_NOFORWARD) && (fwd = read_forward(pw, ext)) != 0) {
	struct passwd owner = *pw;
	char   *name = mystrdup(pw->pw_name);
	char   *dir = mystrdup(pw->pw_dir);

	owner.pw_name = name;
	owner.pw_dir = dir;
	argv_add(st->expanded, vstr_str(res.text), (char *) 0);
	items = split_alias(fwd);
	myfree(fwd);
	if (items->argc > 0) {
	    for (i = 0; i < items->argc; i++)
		deliver_alias_item(st, items->argv[i], vstr_str(full), depth, &owner, ORIGIN_FORWARD);
	    argv_free(items);
	    myfree(name);
	    myfree(dir);
	    goto done;
	}
	argv_free(items);
	myfree(name);
	myfree(dir);
    }
    st->count++;
    deliver_user(st, st->top->address, pw, vstr_str(base), ext, &res);
    record(st, vstr_str(full), &res);
done:
    dlv_result_done(&res);
    vstr_free(full);
    vstr_free(lp);
    vstr_free(base);
}

static void local_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    LSTATE  st;
    int     qfd;
    int     i;

    (void) argv;
    if ((req = deliver_request_read(client, service, 0)) == 0)
	return;
    qfd = dlv_open_queue_file(req);
    for (i = 0; i < req->nrcpt; i++) {
	DELIVER_RCPT *rcpt = req->rcpt + i;

	memset(&st, 0, sizeof(st));
	st.req = req;
	st.top = rcpt;
	st.qfd = qfd;
	st.status = -1;
	st.text = vstr_alloc(100);
	st.diag = vstr_alloc(10);
	st.expanded = argv_alloc(4);
	if (qfd < 0) {
	    deliver_rcpt_status(rcpt, DLV_STAT_DEFER, "4.3.0", "", "", "queue file unavailable");
	    deliver_log(req, rcpt, "local", 0, 0);
	} else {
	    deliver_addr(&st, rcpt->address, 0, 0);
	    if (st.status < 0)
		deliver_rcpt_status(rcpt, DLV_STAT_SENT, "2.0.0", "", "", "delivered");
	    else
		deliver_rcpt_status(rcpt, st.status, st.dsn, vstr_str(st.diag), "",
				    "%s", vstr_str(st.text));
	}
	vstr_free(st.text);
	vstr_free(st.diag);
	argv_free(st.expanded);
    }
    if (qfd >= 0 && close(qfd) < 0)
	msg_warn("close queue file: %s", strerror(errno));
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    deliver_request_free(req);
}

static void local_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if (var_alias_maps && *var_alias_maps)
	alias_maps = maps_create("alias_maps", var_alias_maps, DICT_FLAG_FOLD_FIX);
    if ((mbox_locks = dlv_lock_flags(var_mailbox_lock)) < 0)
	msg_fatal("bad mailbox_delivery_lock value: \"%s\"", var_mailbox_lock);
    resolve_init();
}

static void local_exit(void)
{
    maps_free(alias_maps);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = local_init,
	.service = local_service,
	.pre_exit = local_exit,
	.flags = MAIL_SERVER_FLAG_NEED_ROOT,
    };

    single_server_main(argc, argv, &spec);
}
