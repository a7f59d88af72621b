/* postconf.c - the postconf command: print main.cf parameters (current,
 * -n set in main.cf, -d defaults; -h values only, -x expanded), edit
 * main.cf in place (-e name=value, -X name, -# name) atomically through a
 * temporary file and rename, and list master.cf entries (-M, -Mf, -P),
 * with Postfix 3.7's output and warning formats. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/htable.h"
#include "util/mac_expand.h"
#include "util/dict.h"
#include "global/mail_params.h"
#include "postconf/postconf.h"

#define SHOW_NONDEF	(1<<0)		/* -n */
#define SHOW_DEFS	(1<<1)		/* -d */
#define HIDE_NAME	(1<<2)		/* -h */
#define SHOW_EVAL	(1<<3)		/* -x */
#define FOLD_LINE	(1<<4)		/* -f */

#define MODE_SHOW	0
#define MODE_EDIT	1		/* -e */
#define MODE_REMOVE	2		/* -X */
#define MODE_COMMENT	3		/* -# */
#define MODE_MASTER	4		/* -M */
#define MODE_MASTER_PARAMS 5		/* -P */
#define MODE_MAPS	6		/* -m */
#define MODE_TABLE	7		/* -D: dump the table (postern) */
#define MODE_LOCKS	8		/* -l */

static HTABLE *used_names;		/* names referenced as $name */
static PC_SERVICE **services;		/* master.cf */
static const char *undef_where;		/* file named in undefined warnings */
static HTABLE *undef_warned;

static int is_set(const char *name);

static NORETURN usage(void)
{
    msg_fatal("usage: postconf [-c config_dir] [-dfhnx] [-e | -X | -#] [-M[f] [service[/type]...]] [-P] [name...]");
}

/* ------------------------------------------------- references and warnings */

/* note_refs - remember every $name referenced in value. */
static void note_refs(const char *value)
{
    for (const char *cp = strchr(value, '$'); cp; cp = strchr(cp + 1, '$')) {
	const char *p = cp + 1, *start;

	if (*p == '$') {
	    cp = p;
	    continue;
	}
	if (*p == '{' || *p == '(')
	    p++;
	start = p;
	while (isalnum((unsigned char) *p) || *p == '_')
	    p++;
	if (p > start) {
	    char   *name = mystrndup(start, (size_t) (p - start));

	    if (htable_find(used_names, name) == 0)
		htable_enter(used_names, name, (void *) 1);
	    myfree(name);
	}
    }
}

/* is_defined - name is a known parameter, a per-service form of one, or
 * set in main.cf. */
static int is_defined(const char *name)
{
    return (param_is_known(name) || is_set(name)
	    || mail_conf_extra_default(name));
}

static void undef_hook(const char *name, void *ctx)
{
    (void) ctx;
    if (undef_warned == 0)
	undef_warned = htable_create(10);
    if (htable_find(undef_warned, name))
	return;
    htable_enter(undef_warned, name, (void *) 1);
    msg_warn("%s: undefined parameter: %s", undef_where, name);
}

static const char *lookup_for_check(const char *name, void *ctx)
{
    (void) ctx;
    if (is_defined(name))
	return ("");			/* do not recurse: each value is scanned */
    return (0);
}

/* scan_config - collect references and warn about undefined and unused
 * parameters, as Postfix's postconf does whenever it reads main.cf. */
static void scan_config(void)
{
    char  **names = mail_conf_names();
    VSTR   *junk = vstr_alloc(100);
    char    master_path[4096];

    used_names = htable_create(100);
    snprintf(master_path, sizeof(master_path), "%s/master.cf", mail_conf_config_dir());

    mac_expand_undef_hook = undef_hook;
    undef_where = mail_conf_file();
    for (int i = 0; names[i]; i++) {
	const char *value = mail_conf_lookup(names[i]);
	const PARAM_DEF *def = param_find(names[i]);

	if (def && def->type == PT_RAW)
	    continue;
	note_refs(value);
	vstr_reset(junk);
	(void) mac_expand(junk, value, lookup_for_check, (void *) 0);
    }
    undef_where = master_path;
    for (int i = 0; services && services[i]; i++) {
	ARGV   *params = pc_master_params(services[i]);

	for (int j = 0; j < params->argc; j++) {
	    char   *eq = strchr(params->argv[j], '=');

	    if (eq == 0)
		continue;
	    *eq = 0;
	    /* A -o name counts as used. */
	    if (htable_find(used_names, params->argv[j]) == 0)
		htable_enter(used_names, params->argv[j], (void *) 1);
	    note_refs(eq + 1);
	    vstr_reset(junk);
	    (void) mac_expand(junk, eq + 1, lookup_for_check, (void *) 0);
	}
	argv_free(params);
    }
    mac_expand_undef_hook = 0;
    vstr_free(junk);
}

/* warn_unused - after the output, as Postfix does: main.cf parameters that
 * nothing knows or references. */
static void warn_unused(void)
{
    char  **names = mail_conf_names();

    if (fflush(stdout) != 0)
	msg_fatal("write error on standard output: %s", strerror(errno));
    for (int i = 0; names[i]; i++) {
	if (param_is_known(names[i]) || htable_find(used_names, names[i])
	    || mail_conf_extra_default(names[i]))
	    continue;
	msg_warn("%s: unused parameter: %s=%s", mail_conf_file(), names[i],
		 mail_conf_lookup(names[i]));
    }
}

/* is_set - name has an entry in main.cf (or is config_directory). */
static int is_set(const char *name)
{
    char  **names = mail_conf_names();

    for (int i = 0; names[i]; i++)
	if (strcmp(names[i], name) == 0)
	    return (1);
    return (0);
}

/* ------------------------------------------------- per-service parameters */

static ARGV *service_param_names;	/* registered per-service names */

/* register_service_params - like Postfix, give each master.cf service that
 * runs a delivery agent its per-transport scheduling parameters. */
static void register_service_params(void)
{
    static const char *const agents[] = {
	"smtp", "lmtp", "local", "virtual", "pipe", "error", 0,
    };
    static const char *const suffixes[][2] = {
	{"delivery_slot_cost", "$default_delivery_slot_cost"},
	{"delivery_slot_discount", "$default_delivery_slot_discount"},
	{"delivery_slot_loan", "$default_delivery_slot_loan"},
	{"destination_concurrency_failed_cohort_limit", "$default_destination_concurrency_failed_cohort_limit"},
	{"destination_concurrency_limit", "$default_destination_concurrency_limit"},
	{"destination_concurrency_negative_feedback", "$default_destination_concurrency_negative_feedback"},
	{"destination_concurrency_positive_feedback", "$default_destination_concurrency_positive_feedback"},
	{"destination_rate_delay", "$default_destination_rate_delay"},
	{"destination_recipient_limit", "$default_destination_recipient_limit"},
	{"extra_recipient_limit", "$default_extra_recipient_limit"},
	{"initial_destination_concurrency", "$initial_destination_concurrency"},
	{"minimum_delivery_slots", "$default_minimum_delivery_slots"},
	{"recipient_limit", "$default_recipient_limit"},
	{"recipient_refill_delay", "$default_recipient_refill_delay"},
	{"recipient_refill_limit", "$default_recipient_refill_limit"},
	{"transport_rate_delay", "$default_transport_rate_delay"},
	{0, 0},
    };
    VSTR   *name = vstr_alloc(100);

    service_param_names = argv_alloc(100);
    for (int i = 0; services && services[i]; i++) {
	const char *cmd = services[i]->args->argv[0];
	const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	int     agent = 0;

	for (int j = 0; agents[j]; j++)
	    if (strcmp(base, agents[j]) == 0)
		agent = 1;
	if (!agent)
	    continue;
	for (int j = 0; j < (int) ARRAY_LEN(suffixes); j++) {
	    const char *suffix = suffixes[j][0];
	    const char *value = suffixes[j][1];

	    if (suffix == 0) {			/* pipe(8) also has a time limit */
		if (strcmp(base, "pipe") != 0)
		    break;
		suffix = "time_limit";
		value = "$command_time_limit";
	    }
	    vstr_sprintf(name, "%s_%s", services[i]->name, suffix);
	    if (param_find(name->str) || mail_conf_extra_default(name->str))
		continue;
	    mail_conf_add_default(name->str, value);
	    argv_add(service_param_names, name->str, (char *) 0);
	}
    }
    vstr_free(name);
}

/* read_services - read master.cf of the configuration directory. */
static void read_services(void)
{
    VSTR   *path = vstr_alloc(100);
    int     count;

    vstr_sprintf(path, "%s/master.cf", mail_conf_config_dir());
    services = pc_master_read(path->str, &count);
    vstr_free(path);
    register_service_params();
}

/* --------------------------------------------------------------- showing */

static int cmp_str(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

#define FOLD_WIDTH	80

/* print_folded - print text, wrapped at white space before column 80 with
 * continuation lines indented by four spaces (postconf -f). */
static void print_folded(const char *text)
{
    VSTR   *line = vstr_alloc(100);
    const char *cp = text;
    int     words = 0;			/* words on the current line */

    while (*cp) {
	const char *start;
	size_t  len;

	while (*cp == ' ' || *cp == '\t')
	    cp++;
	if (*cp == 0)
	    break;
	start = cp;
	while (*cp && *cp != ' ' && *cp != '\t')
	    cp++;
	len = (size_t) (cp - start);
	if (words > 0 && line->len + 1 + len > FOLD_WIDTH) {
	    printf("%s\n", line->str);
	    vstr_set(line, "    ");
	    words = 0;
	} else if (words > 0)
	    vstr_addch(line, ' ');
	vstr_addn(line, start, len);
	words++;
    }
    printf("%s\n", line->str);
    vstr_free(line);
}

static void print_param(const char *name, const char *value, int flags)
{
    char   *expanded = 0;
    VSTR   *text = vstr_alloc(100);

    const PARAM_DEF *def = param_find(name);

    /* Like Postfix, -x leaves raw parameters (per-delivery macros) alone. */
    if ((flags & SHOW_EVAL) && !(def && def->type == PT_RAW))
	value = expanded = mail_conf_eval(value);
    if (flags & HIDE_NAME)
	vstr_set(text, value);
    else if (*value)
	vstr_sprintf(text, "%s = %s", name, value);
    else
	vstr_sprintf(text, "%s =", name);
    if ((flags & FOLD_LINE) && text->len > FOLD_WIDTH)
	print_folded(text->str);
    else
	printf("%s\n", text->str);
    vstr_free(text);
    myfree(expanded);
}

/* user_defined - set in main.cf, not in the table, but referenced. */
static int user_defined(const char *name)
{
    return (is_set(name) && param_find(name) == 0
	    && !mail_conf_extra_default(name)
	    && ((used_names && htable_find(used_names, name)) || param_is_known(name)));
}

static void show_params(int flags, char **names)
{
    ARGV   *list = argv_alloc(1100);

    if (names && *names) {
	for (; *names; names++)
	    argv_add(list, *names, (char *) 0);
    } else if (flags & SHOW_NONDEF) {
	char  **set = mail_conf_names();

	for (int i = 0; set[i]; i++)
	    if (param_find(set[i]) || user_defined(set[i])
		|| mail_conf_extra_default(set[i]))
		argv_add(list, set[i], (char *) 0);
	qsort(list->argv, (size_t) list->argc, sizeof(char *), cmp_str);
    } else {
	for (int s = 0; param_sections[s]; s++)
	    for (const PARAM_DEF *d = param_sections[s]; d->name; d++)
		if (!(d->flags & PF_HIDDEN))
		    argv_add(list, d->name, (char *) 0);
	for (int i = 0; service_param_names && i < service_param_names->argc; i++)
	    argv_add(list, service_param_names->argv[i], (char *) 0);
	if (!(flags & SHOW_DEFS)) {
	    char  **set = mail_conf_names();

	    for (int i = 0; set[i]; i++)
		if (user_defined(set[i]))
		    argv_add(list, set[i], (char *) 0);
	}
	qsort(list->argv, (size_t) list->argc, sizeof(char *), cmp_str);
    }
    for (int i = 0; i < list->argc; i++) {
	const char *name = list->argv[i];
	const PARAM_DEF *def = param_find(name);
	const char *value;

	if (flags & SHOW_DEFS) {
	    if (def == 0 && (value = mail_conf_extra_default(name)) != 0) {
		print_param(name, value, flags);
		continue;
	    }
	    if (def == 0) {
		msg_warn("%s: unknown parameter", name);
		continue;
	    }
	    value = param_default(def);
	} else if (flags & SHOW_NONDEF) {
	    if (!is_set(name)) {
		if (def == 0 && !user_defined(name) && !mail_conf_extra_default(name))
		    msg_warn("%s: unknown parameter", name);
		continue;
	    }
	    value = mail_conf_lookup(name);
	} else {
	    if (def == 0 && !user_defined(name) && !mail_conf_extra_default(name)) {
		msg_warn("%s: unknown parameter", name);
		continue;
	    }
	    value = mail_conf_lookup(name);
	}
	print_param(name, value ? value : "", flags);
    }
    argv_free(list);
}

/* --------------------------------------------------------------- editing */

typedef struct EDIT {
    char   *name;
    char   *value;			/* -e only */
    int     found;
} EDIT;

static EDIT *find_edit(EDIT *edits, int n, const char *name)
{
    for (int i = 0; i < n; i++)
	if (strcmp(edits[i].name, name) == 0)
	    return (edits + i);
    return (0);
}

/* write_all - write a string to fd; fatal on error. */
static void write_str(int fd, const char *path, const char *s)
{
    size_t  len = strlen(s);

    while (len > 0) {
	ssize_t n = write(fd, s, len);

	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("write %s: %s", path, strerror(errno));
	}
	s += n;
	len -= (size_t) n;
    }
}

static char *tmp_path_for_cleanup;

static void remove_tmp(void)
{
    if (tmp_path_for_cleanup)
	(void) unlink(tmp_path_for_cleanup);
}

/* lock_file - open path and lock it exclusively; *st gets its status.
 * Concurrent editors are serialized; each sees the file the previous one
 * renamed into place. */
static int lock_file(const char *path, struct stat *stp)
{
    int     lock_fd;
    struct stat st;

    for (int attempt = 0;; attempt++) {
	struct stat path_st;

	if ((lock_fd = open(path, O_RDWR)) < 0)
	    msg_fatal("open %s for reading: %s", path, strerror(errno));
	if (flock(lock_fd, LOCK_EX) < 0)
	    msg_fatal("lock %s: %s", path, strerror(errno));
	if (fstat(lock_fd, &st) < 0)
	    msg_fatal("fstat %s: %s", path, strerror(errno));
	/* Another postconf may have renamed a new file into place while we
	 * waited for the lock: then lock that one instead. */
	if (stat(path, &path_st) == 0 && path_st.st_ino == st.st_ino
	    && path_st.st_dev == st.st_dev)
	    break;
	(void) close(lock_fd);
	if (attempt >= 100)
	    msg_fatal("%s keeps changing while being edited", path);
    }
    *stp = st;
    return (lock_fd);
}

/* commit_file - replace path with content atomically: write a temporary
 * file with the same mode and owner, fsync it, rename it over path. */
static void commit_file(const char *path, int lock_fd, const struct stat *st, VSTR *content)
{
    char   *tmp_path;
    int     fd;
    VSTR   *tp = vstr_alloc(100);

    vstr_sprintf(tp, "%s.tmp", path);
    tmp_path = vstr_export(tp);
    tmp_path_for_cleanup = tmp_path;
    msg_cleanup(remove_tmp);
    (void) unlink(tmp_path);
    if ((fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL, st->st_mode & 07777)) < 0)
	msg_fatal("create %s: %s", tmp_path, strerror(errno));
    if (getuid() == 0 && fchown(fd, st->st_uid, st->st_gid) < 0)
	msg_warn("chown %s: %s", tmp_path, strerror(errno));
    if (fchmod(fd, st->st_mode & 07777) < 0)
	msg_warn("chmod %s: %s", tmp_path, strerror(errno));
    write_str(fd, tmp_path, content->str);
    if (fsync(fd) < 0)
	msg_fatal("fsync %s: %s", tmp_path, strerror(errno));
    if (close(fd) < 0)
	msg_fatal("close %s: %s", tmp_path, strerror(errno));
    if (rename(tmp_path, path) < 0)
	msg_fatal("rename %s to %s: %s", tmp_path, path, strerror(errno));
    tmp_path_for_cleanup = 0;
    (void) close(lock_fd);
    myfree(tmp_path);
}

/* edit_master_cf - -M/-P editing of master.cf. */
static void edit_master_cf(int op, char **args)
{
    VSTR   *pp = vstr_alloc(100);
    struct stat st;
    int     lock_fd;
    FILE   *fp;
    VSTR   *out;

    if (*args == 0)
	msg_fatal("no master.cf %s specified", op == PC_EDIT_PARAM || op == PC_REMOVE_PARAM ?
		  "service/type/parameter" : "service/type");
    vstr_sprintf(pp, "%s/master.cf", mail_conf_config_dir());
    lock_fd = lock_file(pp->str, &st);
    if ((fp = fdopen(dup(lock_fd), "r")) == 0)
	msg_fatal("fdopen %s: %s", pp->str, strerror(errno));
    out = pc_master_edit(fp, pp->str, op, args);
    fclose(fp);
    commit_file(pp->str, lock_fd, &st, out);
    vstr_free(out);
    vstr_free(pp);
}

static void edit_main_cf(int mode, char **args)
{
    char   *path;
    EDIT   *edits;
    int     nedit = 0, lock_fd;
    FILE   *fp;
    char   *buf = 0;
    size_t  bufsize = 0;
    ssize_t got;
    EDIT   *current = 0;		/* entry whose lines are being edited */
    VSTR   *out = vstr_alloc(200);
    struct stat st;
    HTABLE *seen = htable_create(100);

    {
	VSTR   *pp = vstr_alloc(100);

	vstr_sprintf(pp, "%s/main.cf", mail_conf_config_dir());
	path = vstr_export(pp);
    }
    for (int i = 0; args[i]; i++)
	nedit++;
    if (nedit == 0)
	msg_fatal("%s requires name%s argument", mode == MODE_EDIT ? "-e" :
		  mode == MODE_REMOVE ? "-X" : "-#",
		  mode == MODE_EDIT ? "=value" : "");
    edits = (EDIT *) mycalloc((size_t) nedit, sizeof(*edits));
    for (int i = 0; i < nedit; i++) {
	char   *arg = mystrdup(args[i]), *eq;

	if (mode == MODE_EDIT) {
	    if ((eq = strchr(arg, '=')) == 0)
		msg_fatal("missing '=' after attribute name: \"%s\"", trimblanks(arg));
	    *eq = 0;
	    edits[i].name = mystrdup(trimblanks(arg));
	    edits[i].value = mystrdup(trimblanks(eq + 1));
	} else {
	    if (strchr(arg, '='))
		msg_fatal("%s requires name input", mode == MODE_REMOVE ? "-X" : "-#");
	    edits[i].name = mystrdup(trimblanks(arg));
	}
	if (*edits[i].name == 0)
	    msg_fatal("empty parameter name in \"%s\"", args[i]);
	for (const char *cp = edits[i].name; *cp; cp++)
	    if (isspace((unsigned char) *cp))
		msg_fatal("bad parameter name: \"%s\"", edits[i].name);
	myfree(arg);
    }

    /* Lock main.cf against concurrent edits, as Postfix does. */
    lock_fd = lock_file(path, &st);
    if ((fp = fdopen(dup(lock_fd), "r")) == 0)
	msg_fatal("fdopen %s: %s", path, strerror(errno));

    while ((got = getline(&buf, &bufsize, fp)) >= 0) {
	char   *cp;
	int     has_nl = (got > 0 && buf[got - 1] == '\n');

	for (cp = buf; *cp && *cp != '\n' && isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp == '#' || *cp == '\n' || *cp == 0) {	/* comment or blank */
	    vstr_adds(out, buf);
	    if (!has_nl)
		vstr_addch(out, '\n');
	    continue;
	}
	if (cp > buf) {				/* continuation line */
	    if (current == 0) {
		vstr_adds(out, buf);
	    } else if (mode == MODE_COMMENT) {
		vstr_addch(out, '#');
		vstr_adds(out, buf);
	    }
	    if (!has_nl && (current == 0 || mode == MODE_COMMENT))
		vstr_addch(out, '\n');
	    continue;
	}
	/* A new entry: "name = value" or "name=value". */
	{
	    char   *end = cp;
	    char   *name;

	    while (*end && *end != '=' && !isspace((unsigned char) *end))
		end++;
	    name = mystrndup(cp, (size_t) (end - cp));
	    current = find_edit(edits, nedit, name);
	    if (current) {
		if (htable_find(seen, name))
		    msg_warn("%s: multiple entries for \"%s\"", path, name);
		else
		    htable_enter(seen, name, (void *) 1);
	    }
	    myfree(name);
	}
	if (current == 0) {
	    vstr_adds(out, buf);
	    if (!has_nl)
		vstr_addch(out, '\n');
	} else {
	    current->found = 1;
	    if (mode == MODE_EDIT) {
		vstr_sprintf_append(out, "%s = %s\n", current->name, current->value);
	    } else if (mode == MODE_COMMENT) {
		vstr_addch(out, '#');
		vstr_adds(out, buf);
		if (!has_nl)
		    vstr_addch(out, '\n');
	    }
	}
    }
    if (ferror(fp))
	msg_fatal("read %s: %s", path, strerror(errno));
    fclose(fp);
    free(buf);
    if (mode == MODE_EDIT)
	for (int i = 0; i < nedit; i++)
	    if (!edits[i].found)
		vstr_sprintf_append(out, "%s = %s\n", edits[i].name, edits[i].value);

    commit_file(path, lock_fd, &st, out);

    for (int i = 0; i < nedit; i++) {
	myfree(edits[i].name);
	myfree(edits[i].value);
    }
    myfree(edits);
    myfree(path);
    vstr_free(out);
    htable_free(seen, 0);
}

/* ---------------------------------------------------------------- master */

static void show_master(int flags, char **patterns)
{
    int     fold = (flags & FOLD_LINE) != 0;

    for (int i = 0; services && services[i]; i++) {
	int     want = (patterns == 0 || *patterns == 0);

	for (char **pp = patterns; !want && pp && *pp; pp++)
	    if (pc_master_match(services[i], *pp))
		want = 1;
	if (want)
	    pc_master_print(services[i], fold);
    }
}

static void show_master_params(int flags, char **patterns)
{
    for (int i = 0; services && services[i]; i++) {
	int     want = (patterns == 0 || *patterns == 0);
	ARGV   *params;

	for (char **pp = patterns; !want && pp && *pp; pp++)
	    if (pc_master_match(services[i], *pp))
		want = 1;
	if (!want)
	    continue;
	params = pc_master_params(services[i]);
	for (int j = 0; j < params->argc; j++) {
	    char   *eq = strchr(params->argv[j], '=');
	    char   *expanded = 0;

	    if (eq == 0)
		continue;
	    *eq = 0;
	    if (flags & SHOW_EVAL)
		expanded = mail_conf_eval(eq + 1);
	    if (flags & HIDE_NAME)
		printf("%s\n", expanded ? expanded : eq + 1);
	    else
		printf("%s/%s/%s = %s\n", services[i]->name, services[i]->type,
		       params->argv[j], expanded ? expanded : eq + 1);
	    myfree(expanded);
	}
	argv_free(params);
    }
}

/* show_maps - -m: the lookup table types of this build, in Postfix's order. */
static void show_maps(void)
{
    static const char *const types[] = {
	"btree", "cdb", "cidr", "environ", "fail", "hash", "inline", "internal",
	"ldap", "lmdb", "memcache", "mysql", "nis", "pcre", "pgsql", "pipemap",
	"proxy", "randmap", "regexp", "socketmap", "sqlite", "static", "tcp",
	"texthash", "unionmap", "unix", 0,
    };

    for (int i = 0; types[i]; i++)
	if (dict_type_known(types[i]))
	    printf("%s\n", types[i]);
}

/* show_locks - -l: mailbox locking methods, as Postfix lists them. */
static void show_locks(void)
{
    printf("flock\nfcntl\ndotlock\n");
}

/* show_table - postern's -D: every parameter with its type, flags and
 * default text, tab separated (tests and documentation use it). */
static void show_table(void)
{
    static const char *const type_names[] = {"str", "raw", "int", "long", "bool", "time"};

    for (int s = 0; param_sections[s]; s++) {
	for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
	    VSTR   *fl;

	    if (d->flags & PF_HIDDEN)
		continue;
	    fl = vstr_alloc(40);
	    if (d->flags & PF_POSTERN)
		vstr_adds(fl, ",postern");
	    if (d->flags & PF_DIFFERS)
		vstr_adds(fl, ",differs");
	    if (d->flags & PF_READONLY)
		vstr_adds(fl, ",readonly");
	    if (d->flags & PF_COMPUTED)
		vstr_adds(fl, ",computed");
	    printf("%s\t%s\t%s\t%s\n", d->name,
		   (unsigned) d->type < ARRAY_LEN(type_names) ? type_names[d->type] : "?",
		   fl->len ? fl->str + 1 : "-", param_default(d));
	    vstr_free(fl);
	}
    }
}

int     main(int argc, char **argv)
{
    int     ch, mode = MODE_SHOW, flags = 0;
    int     opt_master = 0, opt_params = 0, edit_op = 0;
    const char *config_dir = 0;

    msg_init("postconf", MSG_STDERR);
    while ((ch = getopt(argc, argv, "c:DdfhlnxeX#MPmo:pv")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'd':
	    flags |= SHOW_DEFS;
	    break;
	case 'f':
	    flags |= FOLD_LINE;
	    break;
	case 'h':
	    flags |= HIDE_NAME;
	    break;
	case 'n':
	    flags |= SHOW_NONDEF;
	    break;
	case 'x':
	    flags |= SHOW_EVAL;
	    break;
	case 'e':
	    edit_op = MODE_EDIT;
	    break;
	case 'X':
	    edit_op = MODE_REMOVE;
	    break;
	case '#':
	    edit_op = MODE_COMMENT;
	    break;
	case 'M':
	    opt_master = 1;
	    break;
	case 'P':
	    opt_params = 1;
	    break;
	case 'm':
	    mode = MODE_MAPS;
	    break;
	case 'D':
	    mode = MODE_TABLE;
	    break;
	case 'l':
	    mode = MODE_LOCKS;
	    break;
	case 'p':
	    break;
	case 'o':{
		char   *eq = strchr(optarg, '=');
		char   *name;

		if (eq == 0 || eq == optarg)
		    msg_fatal("-o option requires name=value argument");
		name = mystrndup(optarg, (size_t) (eq - optarg));
		mail_conf_override(trimblanks(name), eq + 1);
		myfree(name);
		break;
	    }
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage();
	}
    }
    if ((flags & SHOW_DEFS) && (flags & SHOW_NONDEF))
	msg_fatal("specify one of -d and -n");
    if (opt_master && opt_params)
	msg_fatal("specify one of -M and -P");
    /* Since Postfix 2.8 a name=value argument implies -e. */
    if (edit_op == 0 && optind < argc && strchr(argv[optind], '=')
	&& mode != MODE_MAPS && mode != MODE_TABLE && mode != MODE_LOCKS && !(flags & (SHOW_DEFS | SHOW_NONDEF)))
	edit_op = MODE_EDIT;
    if (opt_master || opt_params) {
	if (edit_op) {
	    int     op;

	    if (config_dir && setenv("MAIL_CONFIG", config_dir, 1) < 0)
		msg_fatal("setenv: %s", strerror(errno));
	    if (opt_master)
		op = edit_op == MODE_EDIT ? PC_EDIT_ENTRY : edit_op == MODE_REMOVE ?
		    PC_REMOVE_ENTRY : PC_COMMENT_ENTRY;
	    else if (edit_op == MODE_COMMENT)
		msg_fatal("-P does not support -#");
	    else
		op = edit_op == MODE_EDIT ? PC_EDIT_PARAM : PC_REMOVE_PARAM;
	    edit_master_cf(op, argv + optind);
	    return (0);
	}
	mode = opt_master ? MODE_MASTER : MODE_MASTER_PARAMS;
    } else if (edit_op)
	mode = edit_op;
    if (mode == MODE_MAPS || mode == MODE_LOCKS) {
	if (mode == MODE_MAPS)
	    show_maps();
	else
	    show_locks();
	if (fflush(stdout) != 0)
	    msg_fatal("write error on standard output: %s", strerror(errno));
	return (0);
    }
    if (mode == MODE_TABLE) {
	show_table();
	mail_conf_reset();
	if (fflush(stdout) != 0)
	    msg_fatal("write error on standard output: %s", strerror(errno));
	return (0);
    }
    if (config_dir) {
	/* Postfix: -c sets MAIL_CONFIG for everything that follows. */
	if (setenv("MAIL_CONFIG", config_dir, 1) < 0)
	    msg_fatal("setenv: %s", strerror(errno));
    }
    if ((flags & SHOW_DEFS) && mode == MODE_SHOW) {
	read_services();
	show_params(flags, argv + optind);
	pc_master_free(services);
	argv_free(service_param_names);
	mail_conf_reset();
	if (fflush(stdout) != 0)
	    msg_fatal("write error on standard output: %s", strerror(errno));
	return (0);
    }
    if (mode == MODE_EDIT || mode == MODE_REMOVE || mode == MODE_COMMENT) {
	edit_main_cf(mode, argv + optind);
	return (0);
    }
    mail_conf_read(config_dir);
    read_services();
    switch (mode) {
    case MODE_MASTER:
	scan_config();
	show_master(flags, argv + optind);
	break;
    case MODE_MASTER_PARAMS:
	scan_config();
	show_master_params(flags, argv + optind);
	break;
    default:
	scan_config();
	show_params(flags, argv + optind);
	warn_unused();
	break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
	msg_fatal("write error on standard output: %s", strerror(errno));
    pc_master_free(services);
    argv_free(service_param_names);
    if (used_names)
	htable_free(used_names, 0);
    if (undef_warned)
	htable_free(undef_warned, 0);
    mail_conf_reset();
    return (0);
}
