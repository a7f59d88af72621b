/* attr.h - the IPC codec: every request and reply between postern
 * processes is a list of (name NUL value NUL) pairs ended by one NUL.
 * Names match [a-z0-9_]{1,32}; values hold no NUL and are bounded. */
#ifndef ATTR_H
#define ATTR_H
#include "util/sys_defs.h"
#include "util/stream.h"

#define ATTR_NAME_MAX	32
#define ATTR_VALUE_MAX_DEFAULT	(64 * 1024)
#define ATTR_COUNT_MAX_DEFAULT	1024

typedef struct ATTR_LIST {
    int     count;
    int     cap;
    char  **names;
    char  **values;
} ATTR_LIST;

/* attr_list_alloc - an empty list. */
ATTR_LIST *attr_list_alloc(void);
/* attr_list_free - release the list (NULL allowed). */
void    attr_list_free(ATTR_LIST *list);
/* attr_list_reset - empty the list, keeping its storage. */
void    attr_list_reset(ATTR_LIST *list);
/* attr_list_add - append a copy of (name, value). */
void    attr_list_add(ATTR_LIST *list, const char *name, const char *value);

/* attr_send_str - buffer one string attribute; -1 on error or bad name/value. */
int     attr_send_str(STREAM *s, const char *name, const char *value);
/* attr_send_long - buffer one numeric attribute. */
int     attr_send_long(STREAM *s, const char *name, long value);
/* attr_send_end - buffer the end-of-list marker and flush; -1 on error. */
int     attr_send_end(STREAM *s);
/* attr_send_list - buffer every pair of list, then the end marker, and flush. */
int     attr_send_list(STREAM *s, const ATTR_LIST *list);

/* attr_recv - read one whole list into list (reset first). At most
 * max_count pairs, each value at most value_max bytes. Returns the pair
 * count, or -1 on EOF, I/O error, timeout or malformed input (why says
 * which, when non-NULL). */
int     attr_recv(STREAM *s, ATTR_LIST *list, int max_count, size_t value_max,
		          const char **why);

/* attr_get - value of the first attribute called name, or NULL. */
const char *attr_get(const ATTR_LIST *list, const char *name);
/* attr_get_long - parse name as a decimal long into *value; 0 ok, -1 missing or junk. */
int     attr_get_long(const ATTR_LIST *list, const char *name, long *value);

/* attr_name_ok - non-zero when name matches [a-z0-9_]{1,32}. */
int     attr_name_ok(const char *name);
/* parse_long - strict decimal parse of all of str (optional leading '-'); 0 ok, -1 junk or overflow. */
int     parse_long(const char *str, long *value);

#endif
