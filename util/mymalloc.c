/* mymalloc.c - allocation wrappers: out of memory is fatal, so callers
 * never test for NULL. */
#include "util/sys_defs.h"
#include "util/mymalloc.h"
#include "util/msg.h"

void *mymalloc(size_t len)
{
    void *p = malloc(len ? len : 1);

    if (p == NULL)
	msg_fatal("out of memory allocating %zu bytes", len);
    return p;
}

void *mycalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
	msg_fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *myrealloc(void *ptr, size_t len)
{
    void *p = realloc(ptr, len ? len : 1);

    if (p == NULL)
	msg_fatal("out of memory reallocating %zu bytes", len);
    return p;
}

char *mystrdup(const char *s)
{
    return mystrndup(s, strlen(s));
}

char *mystrndup(const char *s, size_t len)
{
    size_t n = strnlen(s, len);
    char *p = mymalloc(n + 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void myfree(void *p)
{
    free(p);
}
