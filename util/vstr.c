/* vstr.c - growable strings used for every variable-length buffer. */
#include "util/sys_defs.h"
#include <ctype.h>
#include "util/vstr.h"
#include "util/mymalloc.h"

VSTR   *vstr_alloc(size_t len)
{
    VSTR   *v = mymalloc(sizeof(*v));

    v->cap = len + 1;
    v->str = mymalloc(v->cap);
    v->str[0] = 0;
    v->len = 0;
    return v;
}

VSTR   *vstr_free(VSTR *v)
{
    if (v) {
	myfree(v->str);
	myfree(v);
    }
    return NULL;
}

void    vstr_reset(VSTR *v)
{
    v->len = 0;
    v->str[0] = 0;
}

void    vstr_truncate(VSTR *v, size_t len)
{
    if (len < v->len) {
	v->len = len;
	v->str[len] = 0;
    }
}

void    vstr_space(VSTR *v, size_t len)
{
    size_t  need = v->len + len + 1;

    if (need > v->cap) {
	size_t  cap = v->cap * 2;

	if (cap < need)
	    cap = need;
	v->str = myrealloc(v->str, cap);
	v->cap = cap;
    }
}

void    vstr_addch(VSTR *v, int ch)
{
    if (v->len + 1 >= v->cap)
	vstr_space(v, 1);
    v->str[v->len++] = (char) ch;
    v->str[v->len] = 0;
}

void    vstr_addn(VSTR *v, const char *data, size_t len)
{
    vstr_space(v, len);
    memcpy(v->str + v->len, data, len);
    v->len += len;
    v->str[v->len] = 0;
}

void    vstr_adds(VSTR *v, const char *s)
{
    vstr_addn(v, s, strlen(s));
}

void    vstr_set(VSTR *v, const char *s)
{
    vstr_reset(v);
    vstr_adds(v, s);
}

void    vstr_setn(VSTR *v, const char *data, size_t len)
{
    vstr_reset(v);
    vstr_addn(v, data, len);
}

void    vstr_vsprintf_append(VSTR *v, const char *fmt, va_list ap)
{
    va_list ap2;
    int     n;

    va_copy(ap2, ap);
    n = vsnprintf(v->str + v->len, v->cap - v->len, fmt, ap2);
    va_end(ap2);
    if (n < 0)
	return;
    if ((size_t) n >= v->cap - v->len) {
	vstr_space(v, (size_t) n);
	n = vsnprintf(v->str + v->len, v->cap - v->len, fmt, ap);
    }
    v->len += (size_t) n;
}

void    vstr_sprintf(VSTR *v, const char *fmt,...)
{
    va_list ap;

    vstr_reset(v);
    va_start(ap, fmt);
    vstr_vsprintf_append(v, fmt, ap);
    va_end(ap);
}

void    vstr_sprintf_append(VSTR *v, const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(v, fmt, ap);
    va_end(ap);
}

char   *vstr_lower(VSTR *v)
{
    for (size_t i = 0; i < v->len; i++)
	v->str[i] = (char) tolower((unsigned char) v->str[i]);
    return v->str;
}

char   *vstr_export(VSTR *v)
{
    char   *s = v->str;

    myfree(v);
    return s;
}
