/* map_cli.c - command-line plumbing shared by postmap(1) and postalias(1):
 * table names with default_database_type, opening tables for queries,
 * listing (-s) and keys on standard input (-q -). */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/map_cli.h"

void    map_cli_config(const char *config_dir)
{
    struct stat st;
    const char *env = getenv("MAIL_CONFIG");

    if (config_dir)
	setenv("MAIL_CONFIG", config_dir, 1);
    if (config_dir || (env && *env) || stat(DEF_CONFIG_DIR "/main.cf", &st) == 0)
	mail_conf_init(config_dir);
}

char   *map_cli_spec(const char *name)
{
    const char *colon = strchr(name, ':');
    const char *slash = strchr(name, '/');
    VSTR   *v = vstr_alloc(100);

    if (colon != NULL && slash != NULL && slash < colon)
	colon = NULL;				/* "/path/with:colon" */
    if (colon == NULL)
	vstr_sprintf(v, "%s:%s", var_default_db_type && *var_default_db_type ?
		     var_default_db_type : "hash", name);
    else
	vstr_set(v, name);
    return vstr_export(v);
}

DICT  **map_cli_open(int count, char **names, int flags)
{
    DICT  **dicts = mymalloc((size_t) count * sizeof(DICT *));
    const char *why;

    for (int i = 0; i < count; i++) {
	char   *spec = map_cli_spec(names[i]);

	if ((dicts[i] = dict_open(spec, flags, &why)) == NULL)
	    msg_fatal("%s", why);
	myfree(spec);
    }
    return dicts;
}

void    map_cli_close(DICT **dicts, int count)
{
    for (int i = 0; i < count; i++)
	dict_close(dicts[i]);
    myfree(dicts);
}

static void map_cli_show_entry(const char *key, const char *value, void *context)
{
    if (printf("%s%s%s\n", key, (const char *) context, value) < 0)
	msg_fatal("write to standard output: %m");
}

void    map_cli_show(DICT **dicts, int count, const char *sep)
{
    for (int i = 0; i < count; i++)
	if (dict_walk(dicts[i], map_cli_show_entry, (void *) sep) < 0)
	    msg_fatal("table %s: sequence operation is not supported", dict_name(dicts[i]));
    if (fflush(stdout) != 0)
	msg_fatal("write to standard output: %m");
}

int     map_cli_query_stdin(DICT **dicts, int count, const char *sep, MAP_CLI_QUERY query)
{
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t n;
    int     found = 0;

    while ((n = getline(&line, &cap, stdin)) >= 0) {
	const char *value;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
	    line[--n] = 0;
	if (n > MAP_CLI_KEY_MAX) {
	    msg_warn("key on standard input is too long; skipped");
	    continue;
	}
	if ((value = query(dicts, count, line)) != NULL) {
	    found = 1;
	    if (printf("%s%s%s\n", line, sep, value) < 0)
		msg_fatal("write to standard output: %m");
	}
    }
    free(line);
    if (fflush(stdout) != 0)
	msg_fatal("write to standard output: %m");
    return found ? 0 : 1;
}

void    map_cli_print(const char *value)
{
    if (printf("%s\n", value) < 0 || fflush(stdout) != 0)
	msg_fatal("write to standard output: %m");
}
