/* attr.c - attribute-list codec for IPC. Receivers treat every peer as
 * untrusted: names are checked against a strict charset, values and pair
 * counts are bounded, numbers are parsed without trailing junk. */
#include "util/sys_defs.h"
#include <limits.h>
#include "util/attr.h"
#include "util/mymalloc.h"
#include "util/vstr.h"

ATTR_LIST *attr_list_alloc(void)
{
    return mycalloc(1, sizeof(ATTR_LIST));
}

void    attr_list_reset(ATTR_LIST *list)
{
    for (int i = 0; i < list->count; i++) {
	myfree(list->names[i]);
	myfree(list->values[i]);
    }
    list->count = 0;
}

void    attr_list_free(ATTR_LIST *list)
{
    if (list == NULL)
	return;
    attr_list_reset(list);
    myfree(list->names);
    myfree(list->values);
    myfree(list);
}

void    attr_list_add(ATTR_LIST *list, const char *name, const char *value)
{
    if (list->count >= list->cap) {
	list->cap = list->cap ? list->cap * 2 : 16;
	list->names = myrealloc(list->names, list->cap * sizeof(char *));
	list->values = myrealloc(list->values, list->cap * sizeof(char *));
    }
    list->names[list->count] = mystrdup(name);
    list->values[list->count] = mystrdup(value);
    list->count++;
}

int     attr_name_ok(const char *name)
{
    size_t  n = 0;

    for (const char *cp = name; *cp; cp++, n++)
	if (!((*cp >= 'a' && *cp <= 'z') || (*cp >= '0' && *cp <= '9') || *cp == '_'))
	    return 0;
    return n >= 1 && n <= ATTR_NAME_MAX;
}

int     attr_send_str(STREAM *s, const char *name, const char *value)
{
    if (!attr_name_ok(name))
	return -1;
    if (stream_write(s, name, strlen(name) + 1) < 0
	|| stream_write(s, value, strlen(value) + 1) < 0)
	return -1;
    return 0;
}

int     attr_send_long(STREAM *s, const char *name, long value)
{
    char    buf[32];

    snprintf(buf, sizeof(buf), "%ld", value);
    return attr_send_str(s, name, buf);
}

int     attr_send_end(STREAM *s)
{
    if (stream_write(s, "", 1) < 0)
	return -1;
    return stream_flush(s);
}

int     attr_send_list(STREAM *s, const ATTR_LIST *list)
{
    for (int i = 0; i < list->count; i++)
	if (attr_send_str(s, list->names[i], list->values[i]) < 0)
	    return -1;
    return attr_send_end(s);
}

/* attr_read_token - read bytes up to NUL into buf, at most max bytes. */
static int attr_read_token(STREAM *s, VSTR *buf, size_t max, const char **why)
{
    int     ch;

    vstr_reset(buf);
    while ((ch = stream_getc(s)) != 0) {
	if (ch < 0) {
	    *why = stream_timedout(s) ? "timeout" : stream_eof(s) ? "unexpected EOF" : "read error";
	    return -1;
	}
	if (buf->len >= max) {
	    *why = "attribute too long";
	    return -1;
	}
	vstr_addch(buf, ch);
    }
    return 0;
}

int     attr_recv(STREAM *s, ATTR_LIST *list, int max_count, size_t value_max,
		          const char **why)
{
    static VSTR *name, *value;
    const char *dummy;

    if (why == NULL)
	why = &dummy;
    if (name == NULL) {
	name = vstr_alloc(ATTR_NAME_MAX + 1);
	value = vstr_alloc(256);
    }
    attr_list_reset(list);
    for (;;) {
	if (attr_read_token(s, name, ATTR_NAME_MAX + 1, why) < 0)
	    return -1;
	if (name->len == 0)
	    return list->count;
	if (!attr_name_ok(name->str)) {
	    *why = "bad attribute name";
	    return -1;
	}
	if (attr_read_token(s, value, value_max, why) < 0)
	    return -1;
	if (list->count >= max_count) {
	    *why = "too many attributes";
	    return -1;
	}
	attr_list_add(list, name->str, value->str);
    }
}

const char *attr_get(const ATTR_LIST *list, const char *name)
{
    for (int i = 0; i < list->count; i++)
	if (strcmp(list->names[i], name) == 0)
	    return list->values[i];
    return NULL;
}

int     parse_long(const char *str, long *value)
{
    const char *cp = str;
    long    v = 0;
    int     neg = 0;

    if (*cp == '-') {
	neg = 1;
	cp++;
    }
    if (*cp == 0)
	return -1;
    for (; *cp; cp++) {
	if (*cp < '0' || *cp > '9')
	    return -1;
	if (v > (LONG_MAX - (*cp - '0')) / 10)
	    return -1;
	v = v * 10 + (*cp - '0');
    }
    *value = neg ? -v : v;
    return 0;
}

int     attr_get_long(const ATTR_LIST *list, const char *name, long *value)
{
    const char *str = attr_get(list, name);

    if (str == NULL)
	return -1;
    return parse_long(str, value);
}
