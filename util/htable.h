/* htable.h - string-keyed hash table. */
#ifndef HTABLE_H
#define HTABLE_H
#include "util/sys_defs.h"

typedef struct HTABLE_INFO {
    char   *key;
    void   *value;
    struct HTABLE_INFO *next;
} HTABLE_INFO;

typedef struct HTABLE {
    size_t  size;			/* buckets */
    size_t  used;			/* entries */
    HTABLE_INFO **data;
} HTABLE;

/* htable_create - an empty table sized for about size entries. */
HTABLE *htable_create(size_t size);
/* htable_enter - add key (copied) with value; returns the entry. Replaces
 * nothing: look up first if the key may exist. */
HTABLE_INFO *htable_enter(HTABLE *table, const char *key, void *value);
/* htable_find - the value stored under key, or NULL. */
void   *htable_find(HTABLE *table, const char *key);
/* htable_locate - the entry for key, or NULL. */
HTABLE_INFO *htable_locate(HTABLE *table, const char *key);
/* htable_delete - remove key, calling free_fn(value) if non-NULL. */
void    htable_delete(HTABLE *table, const char *key, void (*free_fn) (void *));
/* htable_free - destroy the table, calling free_fn on each value if non-NULL. */
void    htable_free(HTABLE *table, void (*free_fn) (void *));
/* htable_list - a malloc'd NULL-terminated array of the entries (caller frees the array only). */
HTABLE_INFO **htable_list(HTABLE *table);

#endif
