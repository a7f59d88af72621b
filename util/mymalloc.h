/* mymalloc.h - memory allocation that never returns NULL. */
#ifndef MYMALLOC_H
#define MYMALLOC_H
#include "util/sys_defs.h"

/* mymalloc - allocate len bytes or exit with a fatal error. */
void *mymalloc(size_t len);
/* mycalloc - allocate n zeroed elements of size bytes or exit. */
void *mycalloc(size_t n, size_t size);
/* myrealloc - resize ptr (may be NULL) or exit. */
void *myrealloc(void *ptr, size_t len);
/* mystrdup - copy a string or exit. */
char *mystrdup(const char *s);
/* mystrndup - copy at most len bytes of s, NUL-terminated, or exit. */
char *mystrndup(const char *s, size_t len);
/* myfree - free(p); NULL is allowed. */
void myfree(void *p);

#endif
