/* mynetworks.c - client address lists (mynetworks and friends): CIDR
 * v4 "a.b.c.d/n", v6 "[x::y]/n" (brackets optional), bare addresses,
 * /file entries, type:table entries (looked up by address), "!" negation;
 * and the mynetworks default computed from mynetworks_style and the
 * addresses of inet_interfaces. As in Postfix, a malformed network
 * pattern is logged once and makes a match that reaches it fail
 * (DICT_ERR_RETRY-like: smtpd answers "Temporary lookup failure"); host
 * name patterns never match an address. */
#include "util/sys_defs.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <sys/socket.h>
#include <strings.h>
#include <ctype.h>
#include "util/argv.h"
#include "util/list_file.h"
#include "util/dict.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/mynetworks.h"

#define ADDR_LIST_FILE_MAX	(1024 * 1024)

typedef enum {
    ENT_NET, ENT_TABLE, ENT_NAME, ENT_BAD,
} ENT_TYPE;

typedef struct {
    ENT_TYPE type;
    int     neg;
    int     family;			/* ENT_NET */
    int     plen;
    unsigned char addr[16];
    DICT   *dict;			/* ENT_TABLE */
} ADDR_ENT;

struct ADDR_MATCH_LIST {
    ADDR_ENT *ent;
    int     count;
};

/* parse_addr_text - numeric v4/v6 address (brackets allowed) into addr; 0 or -1. */
static int parse_addr_text(const char *text, int *family, unsigned char *addr)
{
    char   *copy = mystrdup(text), *cp = copy;
    size_t  len = strlen(cp);
    int     ret = -1;

    if (len >= 2 && cp[0] == '[' && cp[len - 1] == ']') {
	cp[len - 1] = 0;
	cp++;
    }
    if (strncasecmp(cp, "ipv6:", 5) == 0)
	cp += 5;
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, cp, addr) == 1) {
	*family = AF_INET;
	ret = 0;
    } else if (inet_pton(AF_INET6, cp, addr) == 1) {
	*family = AF_INET6;
	/* v4-mapped v6 is matched as v4. */
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *) addr)) {
	    memmove(addr, addr + 12, 4);
	    memset(addr + 4, 0, 12);
	    *family = AF_INET;
	}
	ret = 0;
    }
    myfree(copy);
    return ret;
}

static int host_bits_clear(const unsigned char *addr, int bytes, int plen)
{
    for (int i = 0; i < bytes; i++) {
	int     keep = plen - i * 8;
	unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char) (0xff << (8 - keep));

	if (addr[i] & (unsigned char) ~mask)
	    return 0;
    }
    return 1;
}

static void mask_addr(unsigned char *addr, int bytes, int plen)
{
    for (int i = 0; i < bytes; i++) {
	int     keep = plen - i * 8;

	if (keep <= 0)
	    addr[i] = 0;
	else if (keep < 8)
	    addr[i] &= (unsigned char) (0xff << (8 - keep));
    }
}

/* net_text - "a.b.c.d/n" or "[x::]/n" for a network. */
static void net_text(VSTR *out, int family, const unsigned char *addr, int plen)
{
    char    buf[INET6_ADDRSTRLEN];

    inet_ntop(family, addr, buf, sizeof(buf));
    if (family == AF_INET)
	vstr_sprintf(out, "%s/%d", buf, plen);
    else
	vstr_sprintf(out, "[%s]/%d", buf, plen);
}

/* is_table_spec - "type:name" rather than an IPv6 address or network? */
static int is_table_spec(const char *p)
{
    const char *colon = strchr(p, ':');
    const char *slash;
    int     family;
    unsigned char addr[16];
    int     letter = 0;

    if (p[0] == '[' || colon == NULL || colon == p)
	return 0;
    for (const char *cp = p; cp < colon; cp++) {
	if (isalpha((unsigned char) *cp))
	    letter = 1;
	else if (!isdigit((unsigned char) *cp) && *cp != '_' && *cp != '-')
	    return 0;
    }
    if (!letter || parse_addr_text(p, &family, addr) == 0)
	return 0;
    if ((slash = strrchr(p, '/')) != NULL) {
	char   *prefix = mystrndup(p, (size_t) (slash - p));
	int     is_addr = parse_addr_text(prefix, &family, addr) == 0;

	myfree(prefix);
	if (is_addr)
	    return 0;
    }
    return 1;
}

static void parse_entry(ADDR_ENT *e, const char *title, const char *pattern)
{
    const char *p = pattern;
    const char *slash;
    char   *addr_part;
    char   *end;
    long    plen;

    memset(e, 0, sizeof(*e));
    while (*p == '!')
	e->neg = !e->neg, p++;
    slash = strrchr(p, '/');
    if (is_table_spec(p)) {
	const char *why;

	e->type = ENT_TABLE;
	if ((e->dict = dict_open(p, DICT_FLAG_FOLD_FIX, &why)) == NULL) {
	    if (dict_open_error() == DICT_ERR_CONFIG)
		msg_fatal("%s: %s", title, why);
	    msg_warn("%s is unavailable. %s", p, why);
	    e->dict = dict_surrogate(p, DICT_ERR_RETRY, why);
	}
	return;
    }
    if (slash == NULL) {
	if (parse_addr_text(p, &e->family, e->addr) == 0) {
	    e->type = ENT_NET;
	    e->plen = e->family == AF_INET ? 32 : 128;
	} else {
	    e->type = ENT_NAME;			/* host name pattern */
	}
	return;
    }
    addr_part = mystrndup(p, (size_t) (slash - p));
    errno = 0;
    plen = strtol(slash + 1, &end, 10);
    if (parse_addr_text(addr_part, &e->family, e->addr) < 0) {
	myfree(addr_part);
	if (strchr(p, '.') == NULL && strchr(p, ':') == NULL)
	    e->type = ENT_NAME;
	else {
	    msg_warn("%s: bad net/mask pattern: \"%s\"", title, p);
	    e->type = ENT_BAD;
	}
	return;
    }
    myfree(addr_part);
    if (slash[1] == 0 || *end != 0 || errno || plen < 0
	|| plen > (strchr(p, ':') ? 128 : 32)) {
	msg_warn("%s: bad mask length in \"%s\"", title, p);
	e->type = ENT_BAD;
	return;
    }
    /* "[::ffff:1.2.3.4]/n" was turned into v4: adjust the length. */
    if (e->family == AF_INET && (strchr(p, ':') != NULL)) {
	plen -= 96;
	if (plen < 0) {
	    msg_warn("%s: bad mask length in \"%s\"", title, p);
	    e->type = ENT_BAD;
	    return;
	}
    }
    e->plen = (int) plen;
    if (!host_bits_clear(e->addr, e->family == AF_INET ? 4 : 16, e->plen)) {
	VSTR   *fix = vstr_alloc(60);

	mask_addr(e->addr, e->family == AF_INET ? 4 : 16, e->plen);
	net_text(fix, e->family, e->addr, e->plen);
	msg_warn("%s: non-null host address bits in \"%s\", perhaps you should use \"%s\" instead",
		 title, p, fix->str);
	vstr_free(fix);
	e->type = ENT_BAD;
	return;
    }
    e->type = ENT_NET;
}

ADDR_MATCH_LIST *addr_match_list_create(const char *title, const char *list)
{
    ADDR_MATCH_LIST *ml = mymalloc(sizeof(*ml));
    ARGV   *items = list_split_files(title, list, ADDR_LIST_FILE_MAX);

    ml->count = items->argc;
    ml->ent = mycalloc((size_t) items->argc + 1, sizeof(ADDR_ENT));
    for (int i = 0; i < items->argc; i++)
	parse_entry(&ml->ent[i], title, items->argv[i]);
    argv_free(items);
    return ml;
}

void    addr_match_list_free(ADDR_MATCH_LIST *list)
{
    if (list == NULL)
	return;
    for (int i = 0; i < list->count; i++)
	if (list->ent[i].dict)
	    dict_close(list->ent[i].dict);
    myfree(list->ent);
    myfree(list);
}

int     addr_match_list_match(ADDR_MATCH_LIST *list, const char *addr)
{
    unsigned char a[16];
    int     family;
    int     have_addr;

    if (list == NULL)
	return 0;
    have_addr = parse_addr_text(addr, &family, a) == 0;
    for (int i = 0; i < list->count; i++) {
	ADDR_ENT *e = &list->ent[i];
	int     m = 0;

	switch (e->type) {
	case ENT_BAD:
	    return -1;
	case ENT_NAME:
	    m = 0;
	    break;
	case ENT_NET:
	    if (have_addr && family == e->family) {
		unsigned char masked[16];

		memcpy(masked, a, 16);
		mask_addr(masked, family == AF_INET ? 4 : 16, e->plen);
		m = memcmp(masked, e->addr, family == AF_INET ? 4 : 16) == 0;
	    }
	    break;
	case ENT_TABLE:
	    {
		int     err;

		if (dict_lookup(e->dict, addr, &err) != NULL)
		    m = 1;
		else if (err)
		    return -1;
	    }
	    break;
	}
	if (m)
	    return !e->neg;
    }
    return 0;
}

/* ---- mynetworks default ---- */

static int mask_len(const struct sockaddr *mask)
{
    const unsigned char *p;
    int     bytes, bits = 0;

    if (mask == NULL)
	return -1;
    if (mask->sa_family == AF_INET) {
	p = (const unsigned char *) &((const struct sockaddr_in *) mask)->sin_addr;
	bytes = 4;
    } else if (mask->sa_family == AF_INET6) {
	p = (const unsigned char *) &((const struct sockaddr_in6 *) mask)->sin6_addr;
	bytes = 16;
    } else {
	return -1;
    }
    for (int i = 0; i < bytes; i++)
	for (int b = 7; b >= 0; b--)
	    if (p[i] & (1 << b))
		bits++;
    return bits;
}

static int iface_cmp(const void *a, const void *b)
{
    const MYNET_IFACE *x = a, *y = b;

    if (x->family != y->family)
	return x->family == AF_INET ? -1 : 1;
    return memcmp(x->addr, y->addr, x->family == AF_INET ? 4 : 16);
}

/* add_unique - append to the selection unless the address is there. */
static void add_unique(MYNET_IFACE **sel, int *count, const MYNET_IFACE *ifa)
{
    for (int i = 0; i < *count; i++)
	if (iface_cmp(&(*sel)[i], ifa) == 0)
	    return;
    *sel = myrealloc(*sel, sizeof(**sel) * (size_t) (*count + 1));
    (*sel)[(*count)++] = *ifa;
}

/* host_addrs - the addresses of an inet_interfaces element of the wanted
 * families: numeric (brackets allowed) or a name (getaddrinfo, as
 * Postfix resolves it). Returns the count (0: host not found). */
static int host_addrs(const char *host, int want4, int want6, MYNET_IFACE **out)
{
    char   *copy = mystrdup(host), *cp = copy;
    size_t  len = strlen(cp);
    unsigned char a[16];
    MYNET_IFACE one;
    int     count = 0;

    *out = NULL;
    if (len >= 2 && cp[0] == '[' && cp[len - 1] == ']') {
	cp[len - 1] = 0;
	cp++;
    }
    memset(&one, 0, sizeof(one));
    if (inet_pton(AF_INET, cp, a) == 1 || inet_pton(AF_INET6, cp, a) == 1) {
	one.family = inet_pton(AF_INET, cp, a) == 1 ? AF_INET : AF_INET6;
	memcpy(one.addr, a, one.family == AF_INET ? 4 : 16);
	if ((one.family == AF_INET && want4) || (one.family == AF_INET6 && want6))
	    add_unique(out, &count, &one);
    } else if (*cp && (want4 || want6) && strchr(cp, '/') == NULL) {
	struct addrinfo hints, *res = NULL, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = want4 && want6 ? AF_UNSPEC : want4 ? AF_INET : AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(cp, NULL, &hints, &res) == 0) {
	    for (ai = res; ai; ai = ai->ai_next) {
		memset(&one, 0, sizeof(one));
		one.family = ai->ai_family;
		if (ai->ai_family == AF_INET)
		    memcpy(one.addr, &((struct sockaddr_in *) ai->ai_addr)->sin_addr, 4);
		else if (ai->ai_family == AF_INET6)
		    memcpy(one.addr, &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr, 16);
		else
		    continue;
		add_unique(out, &count, &one);
	    }
	    freeaddrinfo(res);
	}
    }
    myfree(copy);
    return count;
}

static int is_loopback(const MYNET_IFACE *ifa)
{
    return (ifa->family == AF_INET ? ifa->addr[0] == 127
	    : IN6_IS_ADDR_LOOPBACK((const struct in6_addr *) ifa->addr));
}

char   *mynetworks_from_list(const MYNET_IFACE *list, int count,
			             const char *style, const char *protocols,
			             const char *interfaces, VSTR *why)
{
    enum {
	STYLE_HOST, STYLE_SUBNET, STYLE_CLASS,
    }       mode;
    ARGV   *words;
    MYNET_IFACE *sel = NULL;
    int     nsel = 0, want4 = 0, want6 = 0, bad = 0;
    VSTR   *out, *item;
    ARGV   *seen;

    /* mynetworks_style: exactly one of host, subnet, class (case matters). */
    words = argv_split_list(style ? style : "");
    if (words->argc != 1) {
	vstr_sprintf(why, "bad mynetworks_style value: %s; specify exactly one value",
		     style ? style : "");
	bad = 1;
    } else if (strcmp(words->argv[0], "host") == 0) {
	mode = STYLE_HOST;
    } else if (strcmp(words->argv[0], "subnet") == 0) {
	mode = STYLE_SUBNET;
    } else if (strcmp(words->argv[0], "class") == 0) {
	mode = STYLE_CLASS;
    } else {
	vstr_sprintf(why, "unknown mynetworks mask style value \"%s\" in \"%s\"",
		     words->argv[0], style);
	bad = 1;
    }
    argv_free(words);
    if (bad)
	return NULL;

    /* inet_protocols: all, ipv4, ipv6 (case matters); empty selects none. */
    words = argv_split_list(protocols ? protocols : "");
    for (int i = 0; i < words->argc && !bad; i++) {
	if (strcmp(words->argv[i], "all") == 0)
	    want4 = want6 = 1;
	else if (strcmp(words->argv[i], "ipv4") == 0)
	    want4 = 1;
	else if (strcmp(words->argv[i], "ipv6") == 0)
	    want6 = 1;
	else {
	    vstr_sprintf(why, "unknown inet_protocols value \"%s\" in \"%s\"",
			 words->argv[i], protocols);
	    bad = 1;
	}
    }
    argv_free(words);
    if (bad)
	return NULL;

    /*
     * inet_interfaces: "all" and "loopback-only" only as the whole value;
     * otherwise each element must be an address of a local interface, whose
     * netmask it takes.
     */
    words = argv_split_list(interfaces ? interfaces : "");
    if (words->argc == 1 && strcmp(words->argv[0], "all") == 0) {
	for (int i = 0; i < count; i++)
	    if ((list[i].family == AF_INET && want4) || (list[i].family == AF_INET6 && want6))
		add_unique(&sel, &nsel, &list[i]);
    } else if (words->argc == 1 && strcmp(words->argv[0], "loopback-only") == 0) {
	for (int i = 0; i < count; i++)
	    if (((list[i].family == AF_INET && want4) || (list[i].family == AF_INET6 && want6))
		&& is_loopback(&list[i]))
		add_unique(&sel, &nsel, &list[i]);
    } else {
	for (int w = 0; w < words->argc && !bad; w++) {
	    MYNET_IFACE *addrs;
	    int     n = host_addrs(words->argv[w], want4, want6, &addrs);

	    if (n == 0) {
		vstr_sprintf(why, "config variable inet_interfaces: host not found: %s",
			     words->argv[w]);
		bad = 1;
	    }
	    for (int a = 0; a < n && !bad; a++) {
		int     found = 0;

		for (int i = 0; i < count && !found; i++) {
		    if (iface_cmp(&list[i], &addrs[a]) == 0) {
			add_unique(&sel, &nsel, &list[i]);
			found = 1;
		    }
		}
		if (!found) {
		    char    buf[INET6_ADDRSTRLEN];

		    inet_ntop(addrs[a].family, addrs[a].addr, buf, sizeof(buf));
		    vstr_sprintf(why, "parameter inet_interfaces: no local interface found for %s", buf);
		    bad = 1;
		}
	    }
	    myfree(addrs);
	}
    }
    argv_free(words);
    if (bad) {
	myfree(sel);
	return NULL;
    }

    /* Postfix lists the interface addresses sorted: IPv4 first. */
    if (nsel > 1)
	qsort(sel, (size_t) nsel, sizeof(*sel), iface_cmp);
    out = vstr_alloc(100);
    item = vstr_alloc(60);
    seen = argv_alloc(10);
    for (int i = 0; i < nsel; i++) {
	unsigned char addr[16];
	int     bytes = sel[i].family == AF_INET ? 4 : 16;
	int     plen = sel[i].prefix;
	int     dup = 0;

	memcpy(addr, sel[i].addr, 16);
	if (mode == STYLE_HOST || plen < 0 || plen > bytes * 8)
	    plen = bytes * 8;
	else if (mode == STYLE_CLASS && sel[i].family == AF_INET)
	    plen = addr[0] < 128 ? 8 : addr[0] < 192 ? 16 : addr[0] < 224 ? 24
		: addr[0] < 240 ? 4 : 32;
	mask_addr(addr, bytes, plen);
	net_text(item, sel[i].family, addr, plen);
	for (int j = 0; j < seen->argc; j++)
	    if (strcmp(seen->argv[j], item->str) == 0)
		dup = 1;
	if (dup)
	    continue;
	argv_add(seen, item->str, (char *) 0);
	vstr_sprintf_append(out, "%s%s", out->len ? " " : "", item->str);
    }
    myfree(sel);
    argv_free(seen);
    vstr_free(item);
    return vstr_export(out);
}

char   *mynetworks_compute(const char *style, const char *protocols, const char *interfaces)
{
    struct ifaddrs *ifa_list = NULL, *ifa;
    MYNET_IFACE *list = NULL;
    int     count = 0;
    VSTR   *why = vstr_alloc(100);
    char   *result;

    if (getifaddrs(&ifa_list) < 0)
	msg_fatal("getifaddrs: %s", strerror(errno));
    for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
	MYNET_IFACE one;

	if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP))
	    continue;
	memset(&one, 0, sizeof(one));
	one.family = ifa->ifa_addr->sa_family;
	if (one.family == AF_INET)
	    memcpy(one.addr, &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr, 4);
	else if (one.family == AF_INET6)
	    memcpy(one.addr, &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr, 16);
	else
	    continue;
	one.prefix = mask_len(ifa->ifa_netmask);
	add_unique(&list, &count, &one);
    }
    freeifaddrs(ifa_list);
    result = mynetworks_from_list(list, count, style, protocols, interfaces, why);
    myfree(list);
    if (result == NULL)
	msg_fatal("%s", why->str);
    vstr_free(why);
    return result;
}

char   *mynetworks_value(void)
{
    return mystrdup(var_mynetworks ? var_mynetworks : "");
}
