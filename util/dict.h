/* dict.h - lookup tables behind one "type:name" interface.
 *
 * Types in this build:
 *   inline:{ key=value, { key = value with spaces } }   (last duplicate wins)
 *   static:value, static:{ value with spaces }          (every key matches)
 *   texthash:/path      postmap source format read into memory: "key value"
 *                       per line, '#' comment lines, lines starting with white
 *                       space continue the previous line; a duplicate key is
 *                       a warning and the first entry wins
 *   unix:passwd.byname  getpwnam(): "name:passwd:uid:gid:gecos:home:shell"
 *   unix:group.byname   getgrnam(): "name:passwd:gid:member,member"
 *   proxy:TYPE:NAME     TYPE:NAME opened in this process (no proxymap)
 *   nis:NAME            always "not found" (one warning per process), as
 *                       Postfix without a NIS domain
 *   cidr:/path          "network/len result" lines, first match wins
 *   regexp:/path        "/re/flags result" rules, if/endif, $1 (POSIX ERE)
 *   hash:/path, btree:/path   Berkeley DB (path.db) when built with libdb
 *                       (HAVE_LIBDB); otherwise "unsupported dictionary type"
 *
 * Keys: with DICT_FLAG_FOLD_FIX the table folds the keys it loads and every
 * lookup key to lower case (Postfix's behaviour for address tables).
 *
 * Open failures come in two kinds (dict_open_error()):
 *   DICT_ERR_CONFIG  the spec is malformed (no "type:name" form, inline
 *                    syntax): a configuration error, fatal in maps_create;
 *   DICT_ERR_RETRY   the type is not in this build or the file cannot be
 *                    opened: maps_create logs a warning and substitutes a
 *                    stand-in table (dict_surrogate) whose lookups fail with
 *                    DICT_ERR_RETRY ("table unavailable"), so that e.g.
 *                    Postfix's default alias_maps = hash:/etc/aliases never
 *                    stops a daemon; only mail that needs the table is
 *                    deferred (as Postfix does for a missing .db file). */
#ifndef DICT_H
#define DICT_H
#include "util/sys_defs.h"

#define DICT_FLAG_FOLD_FIX	(1<<0)	/* fold keys to lower case */
#define DICT_FLAG_FIXED		(1<<1)	/* fixed-string keys (not patterns) */
#define DICT_FLAG_PATTERN	(1<<2)	/* regexp-like tables: keys are never
					 * folded and only whole addresses are
					 * looked up (no partial keys) */
#define DICT_FLAG_NO_NUL	(1<<3)	/* hash/btree writers: store keys and
					 * values without the trailing NUL
					 * (postmap/postalias -n) */
#define DICT_FLAG_UPDATE	(1<<4)	/* dict_db_create: update the existing
					 * table in place, no truncation
					 * (postmap/postalias -i) */

#define DICT_ERR_NONE		0
#define DICT_ERR_RETRY		(-1)	/* temporary failure: try again later */
#define DICT_ERR_CONFIG		(-2)	/* bad table: configuration error */

typedef struct DICT DICT;

/* dict_open - open "type:name"; NULL with *why naming the problem. Tables
 * are shared: opening the same spec twice (same flags) returns the same
 * object. An unknown type gives why "unsupported dictionary type: foo". */
DICT   *dict_open(const char *spec, int flags, const char **why);
/* dict_open_error - after dict_open returned NULL: DICT_ERR_CONFIG (bad
 * spec syntax) or DICT_ERR_RETRY (type not built in, file unavailable). */
int     dict_open_error(void);
/* dict_surrogate - a stand-in table named spec whose every lookup fails
 * with err (DICT_ERR_RETRY or DICT_ERR_CONFIG); why is kept for messages. */
DICT   *dict_surrogate(const char *spec, int err, const char *why);
/* dict_lookup - value for key (valid until the next lookup), or NULL with
 * *err = DICT_ERR_NONE (not found) or an error code. */
const char *dict_lookup(DICT *dict, const char *key, int *err);
/* dict_name - "type:name" as opened. */
const char *dict_name(DICT *dict);
/* dict_flags - DICT_FLAG_* of the table type. */
int     dict_flags(DICT *dict);
/* dict_close - release (reference counted). */
void    dict_close(DICT *dict);
/* dict_changed_name - "type:name" of an open file-based table (texthash,
 * cidr, regexp, hash, btree) whose file was replaced or modified since it
 * was opened, or NULL. Long-running daemons call it between requests and
 * exit (to be restarted with fresh tables), as Postfix's do. */
const char *dict_changed_name(void);
/* dict_type_known - non-zero if the type exists in this build. */
int     dict_type_known(const char *type);

/* dict_walk - call fn(key, value, context) for every entry (inline and
 * texthash in key order, hash/btree in database order); -1 if the type
 * cannot be listed ("sequence operation is not supported"). */
int     dict_walk(DICT *dict, void (*fn) (const char *key, const char *value, void *context),
		          void *context);

/* Writable tables (postmap type:file): hash/btree only. */
/* dict_db_create - create or truncate the database of "type:path" (path.db)
 * for writing; NULL with *why. */
DICT   *dict_db_create(const char *spec, int flags, const char **why);
/* dict_db_set_nul - writable hash/btree table: store the following
 * entries with (1) or without (0) the trailing NUL (Postfix's postalias
 * writes its YP_* entries without it). */
void    dict_db_set_nul(DICT *dict, int with_nul);
/* dict_db_delete - writable hash/btree table: remove key (stored with or
 * without the trailing NUL); 0 if removed, 1 if not there, -1 on error. */
int     dict_db_delete(DICT *dict, const char *key);
/* dict_update - store key=value (key folded if the table folds); 0 or -1. */
int     dict_update(DICT *dict, const char *key, const char *value);
/* dict_commit - flush a writable table to disk and close it; 0 or -1 (*why). */
int     dict_commit(DICT *dict, const char **why);

/* dict_source_read - read a postmap source file (texthash format), calling
 * fn(key, value, context) per entry in file order (duplicates included,
 * keys folded if fold); lines with no value are warned about and skipped.
 * Returns 0, or -1 with *why if the file cannot be read. */
int     dict_source_read(const char *path, int fold,
			         void (*fn) (const char *key, const char *value, int lineno, void *context),
			         void *context, const char **why);

#endif
