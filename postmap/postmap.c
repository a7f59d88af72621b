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
#include "util/dict.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/map_cli.h"

static NORETURN usage(void)
{
    msg_fatal("usage: postmap [-fsv] [-c config_dir] [-q key|-] [type:]file...");
}

/* query_one - first value of key in the tables; NULL if none. */
static const char *query_one(DICT **dicts, int count, const char *key)
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
	    return NULL;
	}
    }
    return NULL;
}

static int query(const char *key, int count, char **names, int flags)
{
    DICT  **dicts = map_cli_open(count, names, flags);
    const char *value;
    int     ret;

    if (strcmp(key, "-") == 0) {
	ret = map_cli_query_stdin(dicts, count, "\t", query_one);
    } else {
	if ((value = query_one(dicts, count, key)) != NULL)
	    map_cli_print(value);
	ret = value != NULL ? 0 : 1;
    }
    map_cli_close(dicts, count);
    return ret;
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
    char   *spec = map_cli_spec(name);
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
    const char *key = NULL;
    const char *config_dir = NULL;
    int     flags;

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
	    key = optarg;
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
    /* main.cf is optional for postmap: only default_database_type matters. */
    map_cli_config(config_dir);
    msg_set_stderr(1);
    flags = fold ? DICT_FLAG_FOLD_FIX : 0;
    if (show) {
	DICT  **dicts = map_cli_open(argc - optind, argv + optind, flags);

	map_cli_show(dicts, argc - optind, "\t");
	map_cli_close(dicts, argc - optind);
	return 0;
    }
    if (key)
	return query(key, argc - optind, argv + optind, flags);
    for (int i = optind; i < argc; i++)
	build_table(argv[i], flags);
    return 0;
}
