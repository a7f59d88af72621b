/* vstr.h - growable, always NUL-terminated byte strings. */
#ifndef VSTR_H
#define VSTR_H
#include "util/sys_defs.h"

typedef struct VSTR {
    char   *str;			/* always NUL-terminated */
    size_t  len;			/* bytes in use, excluding the NUL */
    size_t  cap;			/* allocated bytes, including the NUL */
} VSTR;

#define vstr_str(v)	((v)->str)
#define vstr_len(v)	((v)->len)

/* vstr_alloc - a new empty string with room for len bytes. */
VSTR   *vstr_alloc(size_t len);
/* vstr_free - release v (NULL allowed); returns NULL. */
VSTR   *vstr_free(VSTR *v);
/* vstr_reset - make v empty, keeping its storage. */
void    vstr_reset(VSTR *v);
/* vstr_truncate - shorten v to len bytes (no-op if already shorter). */
void    vstr_truncate(VSTR *v, size_t len);
/* vstr_space - make room for len more bytes. */
void    vstr_space(VSTR *v, size_t len);
/* vstr_addch - append one byte. */
void    vstr_addch(VSTR *v, int ch);
/* vstr_addn - append len bytes. */
void    vstr_addn(VSTR *v, const char *data, size_t len);
/* vstr_adds - append a string. */
void    vstr_adds(VSTR *v, const char *s);
/* vstr_set - replace the content with a string. */
void    vstr_set(VSTR *v, const char *s);
/* vstr_setn - replace the content with len bytes. */
void    vstr_setn(VSTR *v, const char *data, size_t len);
/* vstr_sprintf - replace the content with formatted text. */
void    vstr_sprintf(VSTR *v, const char *fmt,...) PRINTFLIKE(2, 3);
/* vstr_sprintf_append - append formatted text. */
void    vstr_sprintf_append(VSTR *v, const char *fmt,...) PRINTFLIKE(2, 3);
/* vstr_vsprintf_append - append formatted text, va_list form. */
void    vstr_vsprintf_append(VSTR *v, const char *fmt, va_list ap);
/* vstr_lower - fold the content to lower case in place; returns the string. */
char   *vstr_lower(VSTR *v);
/* vstr_export - return the malloc'd string and free the VSTR shell. */
char   *vstr_export(VSTR *v);

#endif
