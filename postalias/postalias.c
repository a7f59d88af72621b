/* postalias.c - build and query alias databases, as Postfix's postalias(1):
 *   postalias [-Nfinorsuvw] [-c dir] [type:]file...       build file.db
 *   postalias [-fv] [-c dir] -q key [type:]file...        first value found
 *   postalias [-fv] [-c dir] -q - [type:]file...          keys on stdin
 *   postalias [-fv] [-c dir] -s [type:]file...            list "key:\tvalue"
 *   postalias [-fv] [-c dir] -d key|- [type:]file...      remove key(s)
 * The source is in aliases(5) format: "name: value, value", continuation
 * lines start with white space, '#' lines are comments. Names are folded to
 * lower case (not with -f) and unquoted; values are rewritten in Postfix's
 * normalized form (tokens separated by single spaces, ", " after commas).
 * As Postfix does, the database also gets the sendmail "@" entry and the
 * NIS YP_LAST_MODIFIED and YP_MASTER_NAME entries (the latter two without
 * the trailing NUL). A name without "type:" uses default_database_type. */
#include "util/sys_defs.h"
#include <getopt.h>
#include <sys/stat.h>
#include <grp.h>
#include <limits.h>
#include <time.h>
#include "util/argv.h"
#include "util/dict.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/map_cli.h"

#define POSTALIAS_LINE_MAX	(16 * 1024 * 1024)	/* one logical source line */

#define DUP_WARN	0			/* default: warn, first one wins */
#define DUP_IGNORE	1			/* -w: silently keep the first */
#define DUP_REPLACE	2			/* -r: silently replace */

static NORETURN usage(void)
{
    msg_fatal("usage: postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...");
}

/* ---- RFC 822-style tokens of an alias line ---- */

#define TOK_ATOM	1
#define TOK_QSTRING	2
#define TOK_COMMENT	3
#define TOK_DOMLIT	4
#define TOK_OP		5

typedef struct {
    int     type;
    VSTR   *raw;			/* qstring: between the quotes, as written;
					 * comment, domlit: with delimiters */
    VSTR   *text;			/* atom, qstring: backslashes removed */
    int     op;				/* TOK_OP: the character */
} TOKEN;

typedef struct {
    TOKEN  *tok;
    int     count;
    int     cap;
} TOKENS;

#define IS_OP(c)	((c) != 0 && strchr("|),.:;<>@]", (c)) != NULL)
#define IS_WSP(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' \
			 || (c) == '\f' || (c) == '\v')

static TOKEN *tok_new(TOKENS *t, int type)
{
    TOKEN  *tp;

    if (t->count == t->cap) {
	t->cap = t->cap ? t->cap * 2 : 16;
	t->tok = myrealloc(t->tok, (size_t) t->cap * sizeof(TOKEN));
    }
    tp = t->tok + t->count++;
    tp->type = type;
    tp->raw = vstr_alloc(16);
    tp->text = vstr_alloc(16);
    tp->op = 0;
    return tp;
}

static void tok_free(TOKENS *t)
{
    for (int i = 0; i < t->count; i++) {
	vstr_free(t->tok[i].raw);
	vstr_free(t->tok[i].text);
    }
    myfree(t->tok);
    t->tok = NULL;
    t->count = t->cap = 0;
}

/* tok_scan - split str into tokens (appended to t). */
static void tok_scan(TOKENS *t, const char *str)
{
    const char *cp = str;
    TOKEN  *tp;

    while (*cp) {
	int     ch = (unsigned char) *cp;

	if (IS_WSP(ch)) {
	    cp++;
	} else if (ch == '(') {			/* comment, nested */
	    int     depth = 0;

	    tp = tok_new(t, TOK_COMMENT);
	    for (; *cp; cp++) {
		if (*cp == '\\' && cp[1]) {
		    vstr_addn(tp->raw, cp, 2);
		    cp++;
		    continue;
		}
		vstr_addch(tp->raw, *cp);
		if (*cp == '(')
		    depth++;
		else if (*cp == ')' && --depth == 0) {
		    cp++;
		    break;
		}
	    }
	} else if (ch == '"') {			/* quoted string */
	    tp = tok_new(t, TOK_QSTRING);
	    for (cp++; *cp && *cp != '"'; cp++) {
		if (*cp == '\\' && cp[1]) {
		    vstr_addn(tp->raw, cp, 2);
		    vstr_addch(tp->text, cp[1]);
		    cp++;
		    continue;
		}
		vstr_addch(tp->raw, *cp);
		vstr_addch(tp->text, *cp);
	    }
	    if (*cp == '"')
		cp++;
	} else if (ch == '[') {			/* domain literal */
	    tp = tok_new(t, TOK_DOMLIT);
	    for (; *cp; cp++) {
		vstr_addch(tp->raw, *cp);
		if (*cp == ']') {
		    cp++;
		    break;
		}
	    }
	    if (vstr_str(tp->raw)[vstr_len(tp->raw) - 1] != ']')
		vstr_addch(tp->raw, ']');	/* closed, as Postfix does */
	} else if (IS_OP(ch)) {
	    tp = tok_new(t, TOK_OP);
	    tp->op = ch;
	    cp++;
	} else {				/* atom, with \ escapes */
	    tp = tok_new(t, TOK_ATOM);
	    while (*cp && !IS_WSP((unsigned char) *cp) && !IS_OP(*cp)
		   && *cp != '(' && *cp != '"' && *cp != '[') {
		if (*cp == '\\' && *++cp == 0)
		    break;			/* a lone trailing \ is dropped */
		vstr_addch(tp->text, *cp++);
	    }
	}
    }
}

/* tok_space - a space goes between tokens a and b when rendered. */
static int tok_space(const TOKEN *a, const TOKEN *b)
{
    if (b->type == TOK_OP && b->op == '<')
	return 1;
    return a->type != TOK_OP && b->type != TOK_OP;
}

/* atom_needs_quotes - an atom with characters that must be quoted. */
static int atom_needs_quotes(const char *s)
{
    for (; *s; s++)
	if (IS_WSP((unsigned char) *s) || IS_OP(*s) || strchr("(\"[\\", *s) != NULL
	    || ((unsigned char) *s < 32))
	    return 1;
    return 0;
}

/* tok_render - tokens [from, to) as text: external (quotes kept, for
 * values) or internal (quotes removed, for names). */
static void tok_render(VSTR *out, const TOKENS *t, int from, int to, int external)
{
    vstr_reset(out);
    for (int i = from; i < to; i++) {
	const TOKEN *tp = t->tok + i;

	switch (tp->type) {
	case TOK_ATOM:
	    if (external && atom_needs_quotes(vstr_str(tp->text))) {
		vstr_addch(out, '"');
		for (const char *s = vstr_str(tp->text); *s; s++) {
		    if (*s == '"' || *s == '\\')
			vstr_addch(out, '\\');
		    vstr_addch(out, *s);
		}
		vstr_addch(out, '"');
	    } else {
		vstr_adds(out, vstr_str(tp->text));
	    }
	    break;
	case TOK_QSTRING:
	    if (external) {
		vstr_addch(out, '"');
		vstr_adds(out, vstr_str(tp->raw));
		vstr_addch(out, '"');
	    } else {
		vstr_adds(out, vstr_str(tp->text));
	    }
	    break;
	case TOK_COMMENT:
	case TOK_DOMLIT:
	    vstr_adds(out, vstr_str(tp->raw));
	    break;
	default:
	    vstr_addch(out, tp->op);
	    if (tp->op == ',')
		vstr_addch(out, ' ');
	    break;
	}
	if (i + 1 < to && tok_space(tp, tp + 1))
	    vstr_addch(out, ' ');
    }
}

/* ---- reading aliases(5) ---- */

typedef void (*ALIAS_FN) (const char *name, const char *value, int lineno, void *context);

/* parse_entry - one logical line: call fn with the name and value, or warn. */
static void parse_entry(const char *source, int lineno, const char *line, int fold,
			        ALIAS_FN fn, void *context)
{
    TOKENS  t = {0};
    int     colon = -1;
    VSTR   *name = vstr_alloc(100);
    VSTR   *value = vstr_alloc(100);

    tok_scan(&t, line);
    for (int i = 0; i < t.count; i++) {
	if (t.tok[i].type == TOK_OP && t.tok[i].op == ':') {
	    colon = i;
	    break;
	}
    }
    if (colon <= 0 || colon + 1 >= t.count) {
	msg_warn("%s, line %d: need name:value pair", source, lineno);
    } else {
	tok_render(name, &t, 0, colon, 0);
	tok_render(value, &t, colon + 1, t.count, 1);
	if (fold)
	    vstr_lower(name);
	fn(vstr_str(name), vstr_str(value), lineno, context);
    }
    tok_free(&t);
    vstr_free(name);
    vstr_free(value);
}

/* read_aliases - read aliases(5) text from fp, calling fn per entry. */
static void read_aliases(FILE *fp, const char *source, int fold, ALIAS_FN fn, void *context)
{
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t n;
    VSTR   *logical = vstr_alloc(200);
    int     lineno = 0, start = 0, too_long = 0;

    for (;;) {
	n = getline(&line, &cap, fp);
	if (n >= 0) {
	    lineno++;
	    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	}
	const char *cp = n >= 0 ? line + strspn(line, " \t\f\v") : "";

	if (n >= 0 && (*cp == 0 || *cp == '#'))
	    continue;				/* blank or comment line */
	if (n >= 0 && cp != line && start != 0) {	/* continuation */
	    if (vstr_len(logical) + (size_t) n + 1 > POSTALIAS_LINE_MAX) {
		too_long = 1;
	    } else {
		vstr_addch(logical, ' ');
		vstr_adds(logical, cp);
	    }
	    continue;
	}
	if (start != 0) {			/* flush the previous entry */
	    if (too_long)
		msg_warn("%s, line %d: entry exceeds %d bytes; skipped",
			 source, start, POSTALIAS_LINE_MAX);
	    else
		parse_entry(source, start, vstr_str(logical), fold, fn, context);
	}
	if (n < 0)
	    break;
	start = lineno;
	too_long = (size_t) n > POSTALIAS_LINE_MAX;
	vstr_set(logical, too_long ? "" : cp);
    }
    if (ferror(fp))
	msg_fatal("read %s: %m", source);
    free(line);
    vstr_free(logical);
}

/* ---- building ---- */

/* master_name - myhostname, or without main.cf what Postfix computes:
 * the host name, with ".localdomain" when it has no domain part. */
static const char *master_name(void)
{
    static char host[256 + 20];

    if (var_myhostname && *var_myhostname)
	return var_myhostname;
    if (gethostname(host, 256) < 0 || host[0] == 0)
	strcpy(host, "localhost");
    host[255] = 0;
    if (strchr(host, '.') == NULL)
	strcat(host, ".localdomain");
    return host;
}

/* A fatal error while a table is written leaves no half-built file.db.tmp. */
static char *build_tmp;

static void remove_build_tmp(void)
{
    if (build_tmp)
	(void) unlink(build_tmp);
}

typedef struct {
    DICT   *dict;
    const char *path;
    int     dup_mode;
    int     errors;
} BUILD;

static void build_entry(const char *name, const char *value, int lineno, void *context)
{
    BUILD  *b = context;
    int     err;

    (void) lineno;
    if (b->dup_mode != DUP_REPLACE && dict_lookup(b->dict, name, &err) != NULL) {
	if (b->dup_mode == DUP_WARN)
	    msg_warn("%s.db: duplicate entry: \"%s\"", b->path, name);
	return;
    }
    if (dict_update(b->dict, name, value) < 0)
	b->errors++;
}

/* Root building a table from a file of another user works as that user
 * (unless -o), so that the .db file is theirs, as with Postfix. */
static gid_t saved_groups[NGROUPS_MAX];
static int saved_ngroups = -1;

/* as_owner - take the effective ids of uid/gid (root only). */
static void as_owner(uid_t uid, gid_t gid)
{
    if (saved_ngroups < 0 && (saved_ngroups = getgroups(NGROUPS_MAX, saved_groups)) < 0)
	msg_fatal("getgroups: %m");
    if (setgroups(1, &gid) < 0 || setegid(gid) < 0 || seteuid(uid) < 0)
	msg_fatal("set privileges to uid %ld gid %ld: %m", (long) uid, (long) gid);
}

/* as_root - back to root after as_owner. */
static void as_root(void)
{
    if (seteuid(0) < 0 || setegid(getgid()) < 0
	|| setgroups((size_t) saved_ngroups, saved_groups) < 0)
	msg_fatal("restore root privileges: %m");
}

static void build_table(const char *name, int flags, int dup_mode, int with_nul,
			        int keep_root)
{
    struct stat st;
    int     dropped = 0;
    char   *spec = map_cli_spec(name);
    const char *colon = strchr(spec, ':');
    const char *path = colon + 1;
    char   *type = mystrndup(spec, (size_t) (colon - spec));
    const char *why;
    DICT   *d;
    BUILD   b;
    FILE   *fp = NULL;
    VSTR   *stamp = vstr_alloc(20);
    int     incremental = (flags & DICT_FLAG_UPDATE) != 0;

    if (strcmp(type, "hash") != 0 && strcmp(type, "btree") != 0) {
	if (dict_type_known(type))
	    msg_fatal("unsupported dictionary type: %s does not support bulk-mode creation.", type);
	msg_fatal("unsupported dictionary type: %s", type);
    }
    /* Open the source before the table: a missing file leaves the old table. */
    if (!incremental && (fp = fopen(path, "r")) == NULL)
	msg_fatal("open %s: %m", path);
    if (fp != NULL && fstat(fileno(fp), &st) < 0)
	msg_fatal("fstat %s: %m", path);
    if (fp != NULL && geteuid() == 0 && !keep_root && st.st_uid != 0) {
	as_owner(st.st_uid, st.st_gid);
	dropped = 1;
    }
    /* Names are folded here, so that the YP_* names keep their case. */
    if ((d = dict_db_create(spec, flags & ~DICT_FLAG_FOLD_FIX, &why)) == NULL)
	msg_fatal("%s", why);
    if (!incremental) {
	build_tmp = mymalloc(strlen(path) + 10);
	sprintf(build_tmp, "%s.db.tmp", path);
	msg_cleanup(remove_build_tmp);
    }
    dict_db_set_nul(d, with_nul);
    b.dict = d;
    b.path = path;
    b.dup_mode = dup_mode;
    b.errors = 0;
    read_aliases(incremental ? stdin : fp, incremental ? "stdin" : path,
		 flags & DICT_FLAG_FOLD_FIX, build_entry, &b);
    if (fp != NULL && fclose(fp) != 0)
	msg_fatal("close %s: %m", path);

    /* The sendmail "database complete" entry, and NIS's two (no NUL). */
    if (dict_update(d, "@", "@") < 0)
	b.errors++;
    dict_db_set_nul(d, 0);
    vstr_sprintf(stamp, "%010ld", (long) time((time_t *) 0));
    if (dict_update(d, "YP_LAST_MODIFIED", vstr_str(stamp)) < 0
	|| dict_update(d, "YP_MASTER_NAME", master_name()) < 0)
	b.errors++;
    if (b.errors) {
	dict_close(d);
	msg_fatal("%s: table update failed", spec);
    }
    if (dict_commit(d, &why) < 0)
	msg_fatal("%s: %s", spec, why);
    myfree(build_tmp);
    build_tmp = NULL;
    if (dropped)
	as_root();
    vstr_free(stamp);
    myfree(type);
    myfree(spec);
}

/* ---- queries ---- */

/* query_one - first value of key in the tables; NULL if none. */
static const char *query_one(DICT **dicts, int count, const char *key)
{
    int     err;
    const char *value;

    for (int i = 0; i < count; i++) {
	if ((value = dict_lookup(dicts[i], key, &err)) != NULL)
	    return value;
	if (err != DICT_ERR_NONE)
	    msg_fatal("table %s: query error for \"%s\"", dict_name(dicts[i]), key);
    }
    return NULL;
}

static int query(const char *key, int count, char **names, int flags)
{
    DICT  **dicts = map_cli_open(count, names, flags);
    const char *value;
    int     ret;

    if (strcmp(key, "-") == 0) {
	ret = map_cli_query_stdin(dicts, count, ":\t", query_one);
    } else {
	if ((value = query_one(dicts, count, key)) != NULL)
	    map_cli_print(value);
	ret = value != NULL ? 0 : 1;
    }
    map_cli_close(dicts, count);
    return ret;
}

/* ---- deleting ---- */

/* delete_keys - remove key (or the keys on stdin for "-") from each table,
 * updated in place; 0 if something was removed, else 1. */
static int delete_keys(const char *key, int count, char **names, int flags)
{
    int     found = 0;
    ARGV   *keys = argv_alloc(4);
    VSTR   *k = vstr_alloc(100);

    if (strcmp(key, "-") == 0) {
	char   *line = NULL;
	size_t  cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
	    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	    if (n > MAP_CLI_KEY_MAX)
		msg_warn("key on standard input is too long; skipped");
	    else
		argv_add(keys, line, (char *) 0);
	}
	free(line);
    } else {
	argv_add(keys, key, (char *) 0);
    }
    for (int i = 0; i < count; i++) {
	char   *spec = map_cli_spec(names[i]);
	const char *path = strchr(spec, ':') + 1;
	const char *why;
	struct stat st;
	DICT   *d;

	vstr_sprintf(k, "%s.db", path);
	if (stat(vstr_str(k), &st) < 0)
	    msg_fatal("open database %s: %m", vstr_str(k));
	if ((d = dict_db_create(spec, DICT_FLAG_UPDATE, &why)) == NULL)
	    msg_fatal("%s", why);
	for (int j = 0; j < keys->argc; j++) {
	    int     ret;

	    vstr_set(k, keys->argv[j]);
	    if (flags & DICT_FLAG_FOLD_FIX)
		vstr_lower(k);
	    if ((ret = dict_db_delete(d, vstr_str(k))) < 0)
		msg_fatal("%s: table update failed", spec);
	    if (ret == 0)
		found = 1;
	}
	if (dict_commit(d, &why) < 0)
	    msg_fatal("%s: %s", spec, why);
	myfree(spec);
    }
    vstr_free(k);
    argv_free(keys);
    return found ? 0 : 1;
}

int     main(int argc, char **argv)
{
    int     ch;
    int     fold = 1, show = 0, delete = 0, incremental = 0, with_nul = 1, keep_root = 0;
    int     dup_mode = DUP_WARN;
    const char *key = NULL;
    const char *config_dir = NULL;
    int     flags;

    msg_init("postalias", MSG_STDERR);
    while ((ch = getopt(argc, argv, "Nbc:d:fhimnopq:rsuvw")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'f':
	    fold = 0;
	    break;
	case 'i':
	    incremental = 1;
	    break;
	case 'N':
	    with_nul = 1;
	    break;
	case 'n':
	    with_nul = 0;
	    break;
	case 'q':
	    if (key || show)
		msg_fatal("specify only one of -s -q or -d");
	    key = optarg;
	    break;
	case 'r':
	    dup_mode = DUP_REPLACE;
	    break;
	case 'w':
	    dup_mode = DUP_IGNORE;
	    break;
	case 's':
	    if (key)
		msg_fatal("specify only one of -s -q or -d");
	    show = 1;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	case 'o':
	    keep_root = 1;
	    break;
	case 'b': case 'h': case 'm': case 'p': case 'u':
	    break;				/* accepted for compatibility; no effect */
	case 'd':
	    if (key || show)
		msg_fatal("specify only one of -s -q or -d");
	    key = optarg;
	    delete = 1;
	    break;
	default:
	    usage();
	}
    }
    if (optind >= argc)
	usage();
    /* main.cf is optional: default_database_type and myhostname matter. */
    map_cli_config(config_dir);
    msg_set_stderr(1);
    flags = fold ? DICT_FLAG_FOLD_FIX : 0;
    if (show) {
	DICT  **dicts = map_cli_open(argc - optind, argv + optind, flags);

	map_cli_show(dicts, argc - optind, ":\t");
	map_cli_close(dicts, argc - optind);
	return 0;
    }
    if (delete)
	return delete_keys(key, argc - optind, argv + optind, flags);
    if (key)
	return query(key, argc - optind, argv + optind, flags);
    if (incremental)
	flags |= DICT_FLAG_UPDATE;
    for (int i = optind; i < argc; i++)
	build_table(argv[i], flags, dup_mode, with_nul, keep_root);
    return 0;
}
