/* dict_priv.h - the DICT structure shared by util/dict*.c (not for users
 * of the table layer: they see util/dict.h only). */
#ifndef DICT_PRIV_H
#define DICT_PRIV_H
#include "util/dict.h"
#include "util/vstr.h"
#include "util/htable.h"
#include <sys/stat.h>
#include <time.h>

struct DICT {
    char   *spec;			/* "type:name" as opened */
    char   *key;			/* sharing key: flags + spec */
    int     flags;			/* DICT_FLAG_* */
    int     refcount;
    const char *(*lookup) (DICT *, const char *, int *);
    int     (*update) (DICT *, const char *, const char *);
    int     (*commit) (DICT *, const char **);
    void    (*free_fn) (DICT *);
    int     (*walk) (DICT *, void (*) (const char *, const char *, void *), void *);
    HTABLE *table;			/* inline, texthash: key -> char * */
    char   *value;			/* static; surrogate: the reason */
    int     err;			/* surrogate: the error every lookup gives */
    DICT   *inner;			/* proxy */
    VSTR   *result;			/* lookup result buffer */
    VSTR   *fold;			/* folded key buffer */
    void   *handle;			/* type-specific (Berkeley DB handle) */
    char   *path;			/* file the table was read from */
    int     stat_ok;			/* st_* below are valid */
    dev_t   st_dev;			/* identity of path at open */
    ino_t   st_ino;
    off_t   st_size;
    struct timespec st_mtim;
};

/* dict_alloc - a DICT for spec with defaults (refcount 1, no table). */
DICT   *dict_alloc(const char *spec, int flags);
/* dict_fold_key - key folded into dict->fold if the table folds, else key. */
const char *dict_fold_key(DICT *dict, const char *key);

/* dict_fail - record why an open failed (kind DICT_ERR_*) for dict_open's
 * *why and dict_open_error(); returns the text (valid until the next failure). */
const char *dict_fail(int kind, const char *fmt,...) PRINTFLIKE(2, 3);

/* dict_cidr_open, dict_regexp_open - file-based pattern tables; NULL after dict_fail. */
DICT   *dict_cidr_open(const char *spec, const char *path, int flags, const char **why);
DICT   *dict_regexp_open(const char *spec, const char *path, int flags, const char **why);

/* dict_db_open - Berkeley DB hash/btree table "type:path" (dict_db.c);
 * NULL with *why (*err_kind DICT_ERR_*). */
DICT   *dict_db_open(const char *type, const char *path, int flags,
		             int create, const char **why, int *err_kind);
/* dict_db_available - non-zero if Berkeley DB support is built in. */
int     dict_db_available(void);

#endif
