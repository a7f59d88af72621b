/* map_cli.h - what the table commands postmap(1) and postalias(1) share:
 * naming tables on the command line, opening them, listing them and
 * answering keys read from standard input. */
#ifndef MAP_CLI_H
#define MAP_CLI_H
#include "util/sys_defs.h"
#include "util/dict.h"

#define MAP_CLI_KEY_MAX	(64 * 1024)	/* one key line on standard input */

/* map_cli_config - read main.cf from config_dir (or MAIL_CONFIG, or the
 * built-in directory) when there is one: the table commands work without
 * it, with default_database_type = hash. */
void    map_cli_config(const char *config_dir);
/* map_cli_spec - "type:name" for a command-line table name, adding
 * default_database_type when no type is given ("/a:b" has none); malloc'd. */
char   *map_cli_spec(const char *name);
/* map_cli_open - open the named tables for queries; fatal if one fails. */
DICT  **map_cli_open(int count, char **names, int flags);
/* map_cli_close - close the tables and free what map_cli_open returned. */
void    map_cli_close(DICT **dicts, int count);
/* map_cli_show - print every entry of every table as key, sep, value and a
 * newline (database order); fatal if a table cannot be listed. */
void    map_cli_show(DICT **dicts, int count, const char *sep);

/* MAP_CLI_QUERY - the value of key in the tables, or NULL. */
typedef const char *(*MAP_CLI_QUERY) (DICT **dicts, int count, const char *key);

/* map_cli_query_stdin - for each line of standard input (the whole line is
 * the key; longer than MAP_CLI_KEY_MAX: skipped with a warning) print key,
 * sep, value and a newline when query finds it; 0 if any key was found,
 * else 1. Fatal on a write error. */
int     map_cli_query_stdin(DICT **dicts, int count, const char *sep, MAP_CLI_QUERY query);
/* map_cli_print - print value and a newline; fatal on a write error. */
void    map_cli_print(const char *value);

#endif
