/* dict_cidr.c - cidr:/path tables (Postfix cidr_table(5)): lines of
 * "network/length result" or "address result" (IPv6 optionally in
 * brackets), "!" negation, '#' comments and continuation lines; the first
 * line that matches the looked-up address wins. Loaded into memory. */
#include "util/sys_defs.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include "util/dict_priv.h"
#include "util/msg.h"
#include "util/mymalloc.h"

typedef struct CIDR_ENT {
    int     family;
    int     plen;
    int     neg;
    unsigned char addr[16];
    char   *value;
} CIDR_ENT;

typedef struct CIDR_TABLE {
    CIDR_ENT *ent;
    int     count, cap;
    const char *path;
} CIDR_TABLE;

/* cidr_addr - parse a numeric address (brackets allowed); 0 or -1. */
static int cidr_addr(const char *text, int *family, unsigned char *addr)
{
    char   *copy = mystrdup(text), *cp = copy;
    size_t  len = strlen(cp);
    int     ret = -1;

    if (len >= 2 && cp[0] == '[' && cp[len - 1] == ']') {
	cp[len - 1] = 0;
	cp++;
    }
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, cp, addr) == 1)
	*family = AF_INET, ret = 0;
    else if (inet_pton(AF_INET6, cp, addr) == 1) {
	*family = AF_INET6, ret = 0;
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *) addr)) {
	    memmove(addr, addr + 12, 4);
	    memset(addr + 4, 0, 12);
	    *family = AF_INET;
	}
    }
    myfree(copy);
    return ret;
}

static void cidr_mask(unsigned char *addr, int bytes, int plen)
{
    for (int i = 0; i < bytes; i++) {
	int     keep = plen - i * 8;

	if (keep <= 0)
	    addr[i] = 0;
	else if (keep < 8)
	    addr[i] &= (unsigned char) (0xff << (8 - keep));
    }
}

static void cidr_entry(const char *key, const char *value, int lineno, void *context)
{
    CIDR_TABLE *t = context;
    CIDR_ENT e;
    const char *p = key;
    const char *slash;
    char   *addr_part;

    memset(&e, 0, sizeof(e));
    if (*p == '!')
	e.neg = 1, p++;
    if ((slash = strchr(p, '/')) != NULL) {
	char   *end;
	long    plen;
	unsigned char check[16];

	addr_part = mystrndup(p, (size_t) (slash - p));
	if (cidr_addr(addr_part, &e.family, e.addr) < 0) {
	    msg_warn("cidr map %s, line %d: bad net/mask pattern: \"%s\": skipping this rule",
		     t->path, lineno, key);
	    myfree(addr_part);
	    return;
	}
	myfree(addr_part);
	errno = 0;
	plen = strtol(slash + 1, &end, 10);
	if (slash[1] == 0 || *end || errno || plen < 0 || plen > (e.family == AF_INET ? 32 : 128)) {
	    msg_warn("cidr map %s, line %d: bad mask length in \"%s\": skipping this rule",
		     t->path, lineno, key);
	    return;
	}
	e.plen = (int) plen;
	memcpy(check, e.addr, 16);
	cidr_mask(check, e.family == AF_INET ? 4 : 16, e.plen);
	if (memcmp(check, e.addr, 16) != 0) {
	    char    fixed[INET6_ADDRSTRLEN];

	    inet_ntop(e.family, check, fixed, sizeof(fixed));
	    msg_warn("cidr map %s, line %d: non-null host address bits in \"%s\", "
		     "perhaps you should use \"%s%s%s/%d\" instead: skipping this rule",
		     t->path, lineno, key, e.family == AF_INET6 ? "[" : "", fixed,
		     e.family == AF_INET6 ? "]" : "", e.plen);
	    return;
	}
    } else {
	if (cidr_addr(p, &e.family, e.addr) < 0) {
	    msg_warn("cidr map %s, line %d: bad address pattern: \"%s\": skipping this rule",
		     t->path, lineno, key);
	    return;
	}
	e.plen = e.family == AF_INET ? 32 : 128;
    }
    e.value = mystrdup(value);
    if (t->count >= t->cap) {
	t->cap = t->cap ? 2 * t->cap : 16;
	t->ent = myrealloc(t->ent, (size_t) t->cap * sizeof(CIDR_ENT));
    }
    t->ent[t->count++] = e;
}

static const char *dict_cidr_lookup(DICT *d, const char *key, int *err)
{
    CIDR_TABLE *t = d->handle;
    unsigned char a[16];
    int     family;

    *err = DICT_ERR_NONE;
    if (cidr_addr(key, &family, a) < 0)
	return NULL;
    for (int i = 0; i < t->count; i++) {
	CIDR_ENT *e = t->ent + i;
	unsigned char m[16];
	int     match;

	if (e->family != family) {
	    match = 0;
	} else {
	    memcpy(m, a, 16);
	    cidr_mask(m, family == AF_INET ? 4 : 16, e->plen);
	    match = memcmp(m, e->addr, 16) == 0;
	}
	if (match != e->neg)
	    return e->value;
    }
    return NULL;
}

static void dict_cidr_free(DICT *d)
{
    CIDR_TABLE *t = d->handle;

    for (int i = 0; i < t->count; i++)
	myfree(t->ent[i].value);
    myfree(t->ent);
    myfree(t);
}

DICT   *dict_cidr_open(const char *spec, const char *path, int flags, const char **why)
{
    CIDR_TABLE *t = mycalloc(1, sizeof(*t));
    DICT   *d;

    t->path = path;
    if (dict_source_read(path, 0, cidr_entry, t, why) < 0) {
	myfree(t);
	return NULL;
    }
    d = dict_alloc(spec, (flags & ~DICT_FLAG_FOLD_FIX) | DICT_FLAG_PATTERN);
    d->handle = t;
    d->lookup = dict_cidr_lookup;
    d->free_fn = dict_cidr_free;
    t->path = NULL;
    return d;
}
