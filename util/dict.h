/* dict.h - lookup tables behind one "type:name" interface. Types in this
 * release: inline:{k=v, ...}, static:value, texthash:/path (postmap
 * source format, read into memory). Others are recognised and refused with
 * a clear message until they are built. */
#ifndef DICT_H
#define DICT_H
#include "util/sys_defs.h"

#define DICT_FLAG_FOLD_FIX	(1<<0)	/* fold keys to lower case */
#define DICT_FLAG_FIXED		(1<<1)	/* fixed-string keys (not patterns) */
#define DICT_FLAG_PATTERN	(1<<2)	/* regexp-like tables */

#define DICT_ERR_NONE		0
#define DICT_ERR_RETRY		(-1)	/* temporary failure: try again later */
#define DICT_ERR_CONFIG		(-2)	/* bad table: configuration error */

typedef struct DICT DICT;

/* dict_open - open "type:name"; NULL with *why naming the problem. Tables
 * are shared: opening the same spec twice returns the same object. */
DICT   *dict_open(const char *spec, int flags, const char **why);
/* dict_lookup - value for key (valid until the next lookup), or NULL with
 * *err = DICT_ERR_NONE (not found) or an error code. */
const char *dict_lookup(DICT *dict, const char *key, int *err);
/* dict_name - "type:name" as opened. */
const char *dict_name(DICT *dict);
/* dict_flags - DICT_FLAG_* of the table type. */
int     dict_flags(DICT *dict);
/* dict_close - release (reference counted). */
void    dict_close(DICT *dict);
/* dict_type_known - non-zero if the type exists in this build. */
int     dict_type_known(const char *type);

#endif
