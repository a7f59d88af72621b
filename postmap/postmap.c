/* postmap.c - query and build lookup tables, as Postfix's postmap(1):
 *   postmap [-fv] [-c dir] -q key [type:]name...     first value found
 *   postmap [-fv] [-c dir] -q - [type:]name...       keys on stdin, "key\tvalue"
 *   postmap [-fv] [-c dir] -s [type:]name...         list every key<TAB>value
 *   postmap [-fv] [-c dir] [type:]file...            build file.db from file
 * A name without "type:" uses default_database_type. Exit status 0 when a
 * key was found (or the tables were built), 1 when nothing was found or on
 * error. Keys are folded to lower case unless -f is given. */
#include "util/sys_defs.h"
#include <getopt.h>
#include <sys/stat.h>
#include "util/dict.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"

#define POSTMAP_KEY_MAX		(64 * 1024)	/* one stdin key line */

static NORETURN usage(void)
{
    msg_fatal("usage: postmap [-fsv] [-c config_dir] [-q key|-] [type:]file...");
}

/* full_spec - "type:name", adding default_database_type when no type is given. */
static char *full_spec(const char *name)
{
    const char *colon = strchr(name, ':');
    VSTR   *v = vstr_alloc(100);

    if (colon != NULL && colon > name && strchr(name, '/') != NULL
	&& strchr(name, '/') < colon)
	colon = NULL;				/* "/path/with:colon" */
    if (colon == NULL)
	vstr_sprintf(v, "%s:%s", var_default_db_type && *var_default_db_type ?
		     var_default_db_type : "hash", name);
    else
	vstr_set(v, name);
    return vstr_export(v);
}

/* open_tables - open every table for queries; fatal on failure, as postmap. */
static DICT **open_tables(int count, char **names, int flags)
{
    DICT  **dicts = mymalloc((size_t) count * sizeof(DICT *));
    const char *why;

    for (int i = 0; i < count; i++) {
	char   *spec = full_spec(names[i]);

	if ((dicts[i] = dict_open(spec, flags, &why)) == NULL)
	    msg_fatal("%s", why);
	myfree(spec);
    }
    return dicts;
}

/* query_one - first value of key in the tables; NULL if none. */
static const char *query_one(DICT **dicts, int count, const char *key, int *failed)
{
    int     err;
    const char *value;

    for (int i = 0; i < count; i++) {
	if ((value = dict_lookup(dicts[i], key, &err)) != NULL) {
	    if (*value == 0) {
		msg_warn("table %s: key %s: empty string result is not allowed",
			 dict_name(dicts[i]), key);
		msg_warn("table %s should return NO RESULT in case of NOT FOUND",
			 dict_name(dicts[i]));
	    }
	    return value;
	}
	if (err != DICT_ERR_NONE) {
	    msg_warn("table %s: query error for \"%s\"", dict_name(dicts[i]), key);
	    *failed = 1;
	    return NULL;
	}
    }
    return NULL;
}

static int query_key(const char *key, int count, char **names, int flags)
{
    DICT  **dicts = open_tables(count, names, flags);
    int     failed = 0;
    const char *value = query_one(dicts, count, key, &failed);

    if (value != NULL && (printf("%s\n", value) < 0 || fflush(stdout) != 0))
	msg_fatal("write to standard output: %m");
    for (int i = 0; i < count; i++)
	dict_close(dicts[i]);
    myfree(dicts);
    return value != NULL ? 0 : 1;
}

static int query_stdin(int count, char **names, int flags)
{
    DICT  **dicts = open_tables(count, names, flags);
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t n;
    int     found = 0, failed = 0;

    while ((n = getline(&line, &cap, stdin)) >= 0) {
	const char *value;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
	    line[--n] = 0;
	if (n > POSTMAP_KEY_MAX) {
	    msg_warn("key on standard input is too long; skipped");
	    continue;
	}
	/* The whole line is the key, as in Postfix. */
	char   *key = line;

	if ((value = query_one(dicts, count, key, &failed)) != NULL) {
	    found = 1;
	    if (printf("%s\t%s\n", key, value) < 0)
		msg_fatal("write to standard output: %m");
	}
    }
    free(line);
    if (fflush(stdout) != 0)
	msg_fatal("write to standard output: %m");
    for (int i = 0; i < count; i++)
	dict_close(dicts[i]);
    myfree(dicts);
    return found ? 0 : 1;
}

/* ---- listing ---- */

static void show_entry(const char *key, const char *value, void *context)
{
    (void) context;
    if (printf("%s\t%s\n", key, value) < 0)
	msg_fatal("write to standard output: %m");
}

static int show_tables(int count, char **names, int flags)
{
    DICT  **dicts = open_tables(count, names, flags);

    for (int i = 0; i < count; i++) {
	if (dict_walk(dicts[i], show_entry, NULL) < 0)
	    msg_fatal("table %s: sequence operation is not supported", dict_name(dicts[i]));
	dict_close(dicts[i]);
    }
    myfree(dicts);
    if (fflush(stdout) != 0)
	msg_fatal("write to standard output: %m");
    return 0;
}

/* ---- building ---- */

typedef struct {
    DICT   *dict;
    const char *path;
    int     errors;
} BUILD;

static void build_entry(const char *key, const char *value, int lineno, void *context)
{
    BUILD  *b = context;
    int     err;

    if (dict_lookup(b->dict, key, &err) != NULL) {
	(void) lineno;
	msg_warn("%s.db: duplicate entry: \"%s\"", b->path, key);
	return;
    }
    if (dict_update(b->dict, key, value) < 0)
	b->errors++;
}

static int build_table(const char *name, int flags)
{
    char   *spec = full_spec(name);
    const char *colon = strchr(spec, ':');
    const char *path = colon + 1;
    char   *type = mystrndup(spec, (size_t) (colon - spec));
    const char *why;
    DICT   *d;
    BUILD   b;

    if (strcmp(type, "hash") != 0 && strcmp(type, "btree") != 0) {
	if (dict_type_known(type))
	    msg_fatal("unsupported dictionary type: %s does not support bulk-mode creation.", type);
	msg_fatal("unsupported dictionary type: %s", type);
    }
    if ((d = dict_db_create(spec, flags, &why)) == NULL)
	msg_fatal("%s", why);
    b.dict = d;
    b.path = path;
    b.errors = 0;
    if (dict_source_read(path, flags & DICT_FLAG_FOLD_FIX, build_entry, &b, &why) < 0) {
	msg_warn("%s", why);
	dict_close(d);
	msg_fatal("open %s: %m", path);
    }
    if (b.errors) {
	dict_close(d);
	msg_fatal("%s: table update failed", spec);
    }
    if (dict_commit(d, &why) < 0)
	msg_fatal("%s: %s", spec, why);
    myfree(type);
    myfree(spec);
    return 0;
}

int     main(int argc, char **argv)
{
    int     ch;
    int     fold = 1;
    int     show = 0;
    const char *query = NULL;
    const char *config_dir = NULL;
    int     flags;
    struct stat st;

    msg_init("postmap", MSG_STDERR);
    while ((ch = getopt(argc, argv, "c:fq:vNnoprsiwb")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'f':
	    fold = 0;
	    break;
	case 'q':
	    query = optarg;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	case 'N': case 'n': case 'o': case 'p': case 'r': case 'w': case 'b':
	    break;				/* accepted for compatibility; no effect */
	case 's':
	    show = 1;
	    break;
	case 'i':
	    msg_fatal("option -%c is not supported in this release", ch);
	default:
	    usage();
	}
    }
    if (optind >= argc)
	usage();
    if (config_dir)
	setenv("MAIL_CONFIG", config_dir, 1);
    /* main.cf is optional for postmap: only default_database_type matters. */
    if (config_dir || (getenv("MAIL_CONFIG") && *getenv("MAIL_CONFIG"))
	|| stat(DEF_CONFIG_DIR "/main.cf", &st) == 0)
	mail_conf_init(config_dir);
    msg_set_stderr(1);
    flags = fold ? DICT_FLAG_FOLD_FIX : 0;
    if (show)
	return show_tables(argc - optind, argv + optind, flags);
    if (query) {
	if (strcmp(query, "-") == 0)
	    return query_stdin(argc - optind, argv + optind, flags);
	return query_key(query, argc - optind, argv + optind, flags);
    }
    for (int i = optind; i < argc; i++)
	build_table(argv[i], flags);
    return 0;
}
