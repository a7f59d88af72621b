/* htable.c - chained hash table with string keys (FNV-1a hash). */
#include "util/sys_defs.h"
#include "util/htable.h"
#include "util/mymalloc.h"

static size_t htable_hash(const char *key, size_t size)
{
    uint64_t h = 1469598103934665603ULL;

    for (const unsigned char *cp = (const unsigned char *) key; *cp; cp++) {
	h ^= *cp;
	h *= 1099511628211ULL;
    }
    return (size_t) (h % size);
}

HTABLE *htable_create(size_t size)
{
    HTABLE *t = mymalloc(sizeof(*t));

    t->size = size < 13 ? 13 : size | 1;
    t->used = 0;
    t->data = mycalloc(t->size, sizeof(HTABLE_INFO *));
    return t;
}

static void htable_grow(HTABLE *t)
{
    size_t  new_size = t->size * 2 + 1;
    HTABLE_INFO **new_data = mycalloc(new_size, sizeof(HTABLE_INFO *));

    for (size_t i = 0; i < t->size; i++) {
	HTABLE_INFO *ht, *next;

	for (ht = t->data[i]; ht; ht = next) {
	    size_t  h = htable_hash(ht->key, new_size);

	    next = ht->next;
	    ht->next = new_data[h];
	    new_data[h] = ht;
	}
    }
    myfree(t->data);
    t->data = new_data;
    t->size = new_size;
}

HTABLE_INFO *htable_enter(HTABLE *t, const char *key, void *value)
{
    HTABLE_INFO *ht;
    size_t  h;

    if (t->used >= t->size)
	htable_grow(t);
    h = htable_hash(key, t->size);
    ht = mymalloc(sizeof(*ht));
    ht->key = mystrdup(key);
    ht->value = value;
    ht->next = t->data[h];
    t->data[h] = ht;
    t->used++;
    return ht;
}

HTABLE_INFO *htable_locate(HTABLE *t, const char *key)
{
    for (HTABLE_INFO *ht = t->data[htable_hash(key, t->size)]; ht; ht = ht->next)
	if (strcmp(ht->key, key) == 0)
	    return ht;
    return NULL;
}

void   *htable_find(HTABLE *t, const char *key)
{
    HTABLE_INFO *ht = htable_locate(t, key);

    return ht ? ht->value : NULL;
}

void    htable_delete(HTABLE *t, const char *key, void (*free_fn) (void *))
{
    HTABLE_INFO **pp = &t->data[htable_hash(key, t->size)];

    for (; *pp; pp = &(*pp)->next) {
	if (strcmp((*pp)->key, key) == 0) {
	    HTABLE_INFO *ht = *pp;

	    *pp = ht->next;
	    if (free_fn)
		free_fn(ht->value);
	    myfree(ht->key);
	    myfree(ht);
	    t->used--;
	    return;
	}
    }
}

void    htable_free(HTABLE *t, void (*free_fn) (void *))
{
    if (t == NULL)
	return;
    for (size_t i = 0; i < t->size; i++) {
	HTABLE_INFO *ht, *next;

	for (ht = t->data[i]; ht; ht = next) {
	    next = ht->next;
	    if (free_fn)
		free_fn(ht->value);
	    myfree(ht->key);
	    myfree(ht);
	}
    }
    myfree(t->data);
    myfree(t);
}

HTABLE_INFO **htable_list(HTABLE *t)
{
    HTABLE_INFO **list = mymalloc((t->used + 1) * sizeof(*list));
    size_t  n = 0;

    for (size_t i = 0; i < t->size; i++)
	for (HTABLE_INFO *ht = t->data[i]; ht; ht = ht->next)
	    list[n++] = ht;
    list[n] = NULL;
    return list;
}
