/* resolve.c - address classes and routing, as Postfix's trivial-rewrite
 * resolves them: the recipient domain's class (mydestination and local
 * address literals, virtual_alias_domains, virtual_mailbox_domains,
 * relay_domains, everything else), the class's transport and next hop,
 * relayhost, and transport_maps (address, domain, parent domains, "*").
 * Domain lists hold names, ".parent" patterns, "!" negation, /file
 * entries and type:table entries (looked up by domain name). */
#include "util/sys_defs.h"
#include <ctype.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ifaddrs.h>
#include <strings.h>
#include "util/argv.h"
#include "util/list_file.h"
#include "util/dict.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/params_smtpd.h"
#include "global/mail_addr.h"
#include "global/maps.h"
#include "global/resolve.h"

#define RESOLVE_MAX_REWRITES	10	/* user%a@local -> user@a ... */
#define DOMAIN_FILE_MAX		(1024 * 1024)

/* ---- domain lists ---- */

typedef struct DOMAIN_LIST {
    ARGV   *patterns;			/* lower case; "!" kept */
    DICT  **dicts;			/* per pattern: table or NULL */
    int     parent;			/* "example.com" matches subdomains */
} DOMAIN_LIST;

static DOMAIN_LIST *domain_list_create(const char *title, const char *value, int parent)
{
    DOMAIN_LIST *list = mymalloc(sizeof(*list));
    const char *why;

    list->patterns = list_split_files(title, value, DOMAIN_FILE_MAX);
    list->parent = parent;
    list->dicts = mycalloc((size_t) list->patterns->argc + 1, sizeof(DICT *));
    for (int i = 0; i < list->patterns->argc; i++) {
	char   *p = list->patterns->argv[i];
	char   *q = p + (*p == '!');

	if (strchr(q, ':') != NULL && q[0] != '[') {
	    if ((list->dicts[i] = dict_open(q, DICT_FLAG_FOLD_FIX, &why)) == NULL) {
		if (dict_open_error() == DICT_ERR_CONFIG)
		    msg_fatal("%s: %s", title, why);
		msg_warn("%s is unavailable. %s", q, why);
		list->dicts[i] = dict_surrogate(q, DICT_ERR_RETRY, why);
	    }
	} else {
	    lowercase(p);
	}
    }
    return list;
}

static void domain_list_free(DOMAIN_LIST *list)
{
    if (list == NULL)
	return;
    for (int i = 0; i < list->patterns->argc; i++)
	if (list->dicts[i])
	    dict_close(list->dicts[i]);
    myfree(list->dicts);
    argv_free(list->patterns);
    myfree(list);
}

/* domain_table_match - 1 if the table has domain (or a parent), 0, or -1 on error. */
static int domain_table_match(DICT *dict, const char *domain, int parent)
{
    int     err;
    const char *cp;

    if (dict_lookup(dict, domain, &err) != NULL)
	return 1;
    if (err)
	return -1;
    if (dict_flags(dict) & DICT_FLAG_PATTERN)
	return 0;
    for (cp = strchr(domain, '.'); cp && cp[1]; cp = strchr(cp + 1, '.')) {
	if (dict_lookup(dict, parent ? cp + 1 : cp, &err) != NULL)
	    return 1;
	if (err)
	    return -1;
    }
    return 0;
}

/* domain_name_match - does the (lower case) name pattern match domain? */
static int domain_name_match(const char *pattern, const char *domain, int parent)
{
    size_t  dlen = strlen(domain), plen = strlen(pattern);

    if (strcmp(pattern, domain) == 0)
	return 1;
    if (pattern[0] == '.') {			/* .example.com: subdomains */
	return dlen > plen && strcmp(domain + dlen - plen, pattern) == 0;
    }
    if (parent && dlen > plen && domain[dlen - plen - 1] == '.'
	&& strcmp(domain + dlen - plen, pattern) == 0)
	return 1;
    return 0;
}

/* domain_list_match - 1 if domain (lower case) is listed, 0 if not, -1 on table error. */
static int domain_list_match(DOMAIN_LIST *list, const char *domain)
{
    if (list == NULL)
	return 0;
    for (int i = 0; i < list->patterns->argc; i++) {
	const char *p = list->patterns->argv[i];
	int     neg = (*p == '!');
	int     m;

	if (list->dicts[i])
	    m = domain_table_match(list->dicts[i], domain, list->parent);
	else
	    m = domain_name_match(p + neg, domain, list->parent);
	if (m < 0)
	    return -1;
	if (m)
	    return !neg;
    }
    return 0;
}

/* ---- local interface addresses ---- */

typedef struct {
    int     family;
    unsigned char addr[16];
} LOCAL_ADDR;

static LOCAL_ADDR *local_addrs;
static int local_addr_count;

static void local_addr_add(int family, const void *addr)
{
    local_addrs = myrealloc(local_addrs, (size_t) (local_addr_count + 1) * sizeof(LOCAL_ADDR));
    local_addrs[local_addr_count].family = family;
    memset(local_addrs[local_addr_count].addr, 0, 16);
    memcpy(local_addrs[local_addr_count].addr, addr, family == AF_INET ? 4 : 16);
    local_addr_count++;
}

static void local_addr_add_text(const char *text)
{
    unsigned char buf[16];
    char   *copy = mystrdup(text), *cp = copy;
    size_t  len;

    if (*cp == '[') {
	cp++;
	len = strlen(cp);
	if (len > 0 && cp[len - 1] == ']')
	    cp[len - 1] = 0;
    }
    if (inet_pton(AF_INET, cp, buf) == 1)
	local_addr_add(AF_INET, buf);
    else if (inet_pton(AF_INET6, cp, buf) == 1)
	local_addr_add(AF_INET6, buf);
    else if (strcasecmp(cp, "localhost") == 0) {
	inet_pton(AF_INET, "127.0.0.1", buf);
	local_addr_add(AF_INET, buf);
	inet_pton(AF_INET6, "::1", buf);
	local_addr_add(AF_INET6, buf);
    }
    /* Other host names are not resolved here (no DNS in the resolver). */
    myfree(copy);
}

static void local_addrs_init(void)
{
    ARGV   *list;

    myfree(local_addrs);
    local_addrs = NULL;
    local_addr_count = 0;
    list = argv_split_list(var_inet_interfaces ? var_inet_interfaces : "all");
    for (int i = 0; i < list->argc; i++) {
	if (strcasecmp(list->argv[i], "all") == 0) {
	    struct ifaddrs *ifa_list, *ifa;

	    if (getifaddrs(&ifa_list) == 0) {
		for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		    if (ifa->ifa_addr == NULL)
			continue;
		    if (ifa->ifa_addr->sa_family == AF_INET)
			local_addr_add(AF_INET, &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr);
		    else if (ifa->ifa_addr->sa_family == AF_INET6)
			local_addr_add(AF_INET6, &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr);
		}
		freeifaddrs(ifa_list);
	    }
	    local_addr_add_text("127.0.0.1");
	    local_addr_add_text("::1");
	} else if (strcasecmp(list->argv[i], "loopback-only") == 0) {
	    local_addr_add_text("127.0.0.1");
	    local_addr_add_text("::1");
	} else {
	    local_addr_add_text(list->argv[i]);
	}
    }
    argv_free(list);
    list = argv_split_list(var_proxy_interfaces ? var_proxy_interfaces : "");
    for (int i = 0; i < list->argc; i++)
	local_addr_add_text(list->argv[i]);
    argv_free(list);
}

/* literal_is_local - is "[1.2.3.4]" or "[IPv6:...]" an address of this machine? */
static int literal_is_local(const char *domain)
{
    unsigned char buf[16];
    char   *inner;
    size_t  len = strlen(domain);
    int     family, found = 0;

    if (len < 3 || domain[0] != '[' || domain[len - 1] != ']')
	return 0;
    inner = mystrndup(domain + 1, len - 2);
    if (strncasecmp(inner, "ipv6:", 5) == 0) {
	family = AF_INET6;
	found = inet_pton(AF_INET6, inner + 5, buf) == 1;
    } else {
	family = AF_INET;
	found = inet_pton(AF_INET, inner, buf) == 1;
    }
    myfree(inner);
    if (!found)
	return 0;
    for (int i = 0; i < local_addr_count; i++)
	if (local_addrs[i].family == family
	    && memcmp(local_addrs[i].addr, buf, family == AF_INET ? 4 : 16) == 0)
	    return 1;
    return 0;
}

/* ---- state ---- */

static int resolve_ready;
static DOMAIN_LIST *mydest_list;
static DOMAIN_LIST *relay_list;
static DOMAIN_LIST *virt_alias_list;
static DOMAIN_LIST *virt_mailbox_list;
static MAPS *transport_maps;
static int transport_parent;		/* transport_maps in parent_domain_matches_subdomains */

static const char *sv(const char *s)
{
    return s ? s : "";
}

/* parent_style - is name listed in parent_domain_matches_subdomains? */
static int parent_style(const char *name)
{
    ARGV   *list = argv_split_list(sv(var_parent_domain_matches_subdomains));
    int     found = 0;

    for (int i = 0; i < list->argc; i++)
	if (strcmp(list->argv[i], name) == 0)
	    found = 1;
    argv_free(list);
    return found;
}

void    resolve_init(void)
{
    domain_list_free(mydest_list);
    domain_list_free(relay_list);
    domain_list_free(virt_alias_list);
    domain_list_free(virt_mailbox_list);
    maps_free(transport_maps);
    mydest_list = domain_list_create("mydestination", sv(var_mydest), parent_style("mydestination"));
    relay_list = domain_list_create("relay_domains", sv(var_relay_domains), parent_style("relay_domains"));
    virt_alias_list = domain_list_create("virtual_alias_domains", sv(var_virt_alias_doms),
					 parent_style("virtual_alias_domains"));
    virt_mailbox_list = domain_list_create("virtual_mailbox_domains", sv(var_virt_mailbox_doms),
					   parent_style("virtual_mailbox_domains"));
    transport_maps = maps_create("transport_maps", sv(var_transport_maps), DICT_FLAG_FOLD_FIX);
    transport_parent = parent_style("transport_maps");
    local_addrs_init();
    resolve_ready = 1;
}

static void resolve_check_init(void)
{
    if (!resolve_ready)
	resolve_init();
}

RESOLVE_REPLY *resolve_reply_alloc(void)
{
    RESOLVE_REPLY *r = mymalloc(sizeof(*r));

    r->transport = vstr_alloc(20);
    r->nexthop = vstr_alloc(100);
    r->recipient = vstr_alloc(100);
    r->flags = 0;
    return r;
}

void    resolve_reply_free(RESOLVE_REPLY *reply)
{
    if (reply == NULL)
	return;
    vstr_free(reply->transport);
    vstr_free(reply->nexthop);
    vstr_free(reply->recipient);
    myfree(reply);
}

/* canon_domain - lower case copy of domain without trailing dots. */
static char *canon_domain(const char *domain)
{
    char   *d = mystrdup(domain);
    size_t  len = strlen(d);

    while (len > 0 && d[len - 1] == '.')
	d[--len] = 0;
    return lowercase(d);
}

int     resolve_local_domain(const char *domain)
{
    char   *d;
    int     ret;

    resolve_check_init();
    d = canon_domain(domain);
    if (d[0] == '[')
	ret = literal_is_local(d);
    else
	ret = domain_list_match(mydest_list, d) > 0;
    myfree(d);
    return ret;
}

/* class_of - class of a canonical domain, with RESOLVE_FLAG_FAIL on table errors. */
static int class_of(const char *d)
{
    int     m;

    if (*d == 0)
	return RESOLVE_CLASS_LOCAL;
    if (d[0] == '[') {
	if (literal_is_local(d))
	    return RESOLVE_CLASS_LOCAL;
    } else if ((m = domain_list_match(mydest_list, d)) != 0) {
	if (m < 0)
	    return RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_FAIL;
	return RESOLVE_CLASS_LOCAL;
    }
    if ((m = domain_list_match(virt_alias_list, d)) != 0)
	return m < 0 ? RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_FAIL : RESOLVE_CLASS_ALIAS;
    if ((m = domain_list_match(virt_mailbox_list, d)) != 0)
	return m < 0 ? RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_FAIL : RESOLVE_CLASS_VIRTUAL;
    if ((m = domain_list_match(relay_list, d)) != 0)
	return m < 0 ? RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_FAIL : RESOLVE_CLASS_RELAY;
    return RESOLVE_CLASS_DEFAULT;
}

int     resolve_class(const char *domain)
{
    char   *d;
    int     ret;

    resolve_check_init();
    d = canon_domain(domain);
    ret = class_of(d);
    myfree(d);
    return ret;
}

/* split_channel - "transport:nexthop" into its parts (nexthop may be empty). */
static void split_channel(const char *spec, VSTR *transport, VSTR *nexthop)
{
    const char *colon = strchr(spec, ':');

    if (colon) {
	vstr_setn(transport, spec, (size_t) (colon - spec));
	vstr_set(nexthop, colon + 1);
    } else {
	vstr_set(transport, spec);
	vstr_reset(nexthop);
    }
}

/* transport_find - transport_maps value for the recipient; NULL with *err. */
static const char *transport_find(const char *rcpt, const char *domain, int *err)
{
    const char *value;
    VSTR   *key = vstr_alloc(100);
    const char *cp;

    *err = 0;
    if ((value = maps_find(transport_maps, rcpt, err)) != NULL || *err)
	goto done;
    if (addr_strip_extension(key, rcpt, sv(var_rcpt_delim)) != NULL
	&& ((value = maps_find_fixed(transport_maps, key->str, err)) != NULL || *err))
	goto done;
    if (*domain) {
	if ((value = maps_find_fixed(transport_maps, domain, err)) != NULL || *err)
	    goto done;
	for (cp = strchr(domain, '.'); cp && cp[1]; cp = strchr(cp + 1, '.'))
	    if ((value = maps_find_fixed(transport_maps, transport_parent ? cp + 1 : cp, err)) != NULL
		|| *err)
		goto done;
    }
    value = maps_find_fixed(transport_maps, "*", err);
done:
    vstr_free(key);
    return value;
}

/* rewrite_inner - "user%host" / "host!user" / "user@host" local part to an address; 0 if none. */
static int rewrite_inner(VSTR *addr, const char *local)
{
    const char *cp;

    if (strchr(local, '@') != NULL) {
	vstr_set(addr, local);
	return 1;
    }
    if (var_swap_bangpath && (cp = strchr(local, '!')) != NULL && cp > local && cp[1]) {
	VSTR   *tmp = vstr_alloc(100);

	vstr_sprintf(tmp, "%s@%.*s", cp + 1, (int) (cp - local), local);
	vstr_set(addr, tmp->str);
	vstr_free(tmp);
	return 1;
    }
    if (var_allow_percent_hack && (cp = strrchr(local, '%')) != NULL && cp > local && cp[1]) {
	vstr_set(addr, local);
	addr->str[cp - local] = '@';
	return 1;
    }
    return 0;
}

void    resolve_addr(const char *addr, RESOLVE_REPLY *reply)
{
    VSTR   *a = vstr_alloc(100), *local = vstr_alloc(100);
    char   *domain = NULL;
    const char *channel, *value, *at;
    int     cls, err;

    resolve_check_init();
    vstr_reset(reply->transport);
    vstr_reset(reply->nexthop);
    vstr_reset(reply->recipient);
    reply->flags = 0;
    vstr_set(a, *addr ? addr : sv(var_empty_addr));

    for (int round = 0;; round++) {
	at = strrchr(a->str, '@');
	if (at == NULL) {
	    /* Bare local part: bang path and percent hack first. */
	    vstr_set(local, a->str);
	    if (round < RESOLVE_MAX_REWRITES && local->len > 0 && rewrite_inner(a, local->str))
		continue;
	    if (var_append_at_myorigin && var_myorigin && *var_myorigin)
		vstr_sprintf_append(a, "@%s", var_myorigin);
	    at = strrchr(a->str, '@');
	}
	/* Strip trailing dots from the domain. */
	while (a->len > 0 && a->str[a->len - 1] == '.' && at && a->str + a->len - 1 > at)
	    vstr_truncate(a, a->len - 1);
	myfree(domain);
	domain = canon_domain(at ? at + 1 : "");
	if (at && *domain == 0) {
	    reply->flags |= RESOLVE_FLAG_ERROR;
	    break;
	}
	addr_local_part(local, a->str);
	if (round < RESOLVE_MAX_REWRITES && at && *domain && local->len > 0
	    && (domain[0] == '[' ? literal_is_local(domain) : domain_list_match(mydest_list, domain) > 0)
	    && rewrite_inner(a, local->str))
	    continue;
	break;
    }
    /* append_dot_mydomain for remote "user@host". */
    if (domain && *domain && domain[0] != '[' && strchr(domain, '.') == NULL
	&& var_append_dot_mydomain && var_mydomain && *var_mydomain
	&& domain_list_match(mydest_list, domain) <= 0) {
	vstr_sprintf_append(a, ".%s", var_mydomain);
	myfree(domain);
	domain = canon_domain(strrchr(a->str, '@') + 1);
    }
    vstr_set(reply->recipient, a->str);
    if (domain == NULL)
	domain = mystrdup("");
    if (*domain && !addr_valid_domain(domain))
	reply->flags |= RESOLVE_FLAG_ERROR;	/* as Postfix: bad domain syntax */

    cls = class_of(domain);
    reply->flags |= cls;
    switch (cls & ~RESOLVE_FLAG_FAIL) {
    case RESOLVE_CLASS_LOCAL:
	channel = sv(var_local_transport);
	break;
    case RESOLVE_CLASS_ALIAS:
	channel = NULL;
	vstr_set(reply->transport, var_error_transport && *var_error_transport ?
		 var_error_transport : "error");
	vstr_sprintf(reply->nexthop, "5.1.1 User unknown%s",
		     var_show_unk_rcpt_table ? " in virtual alias table" : "");
	break;
    case RESOLVE_CLASS_VIRTUAL:
	channel = sv(var_virt_transport);
	break;
    case RESOLVE_CLASS_RELAY:
	channel = sv(var_relay_transport);
	break;
    default:
	channel = sv(var_def_transport);
	break;
    }
    if (channel) {
	split_channel(channel, reply->transport, reply->nexthop);
	if (reply->nexthop->len == 0) {
	    if ((cls & (RESOLVE_CLASS_RELAY | RESOLVE_CLASS_DEFAULT)) && var_relayhost && *var_relayhost)
		vstr_set(reply->nexthop, var_relayhost);
	    else
		vstr_set(reply->nexthop, domain);
	}
    }
    /* transport_maps override the class defaults. */
    if ((reply->flags & (RESOLVE_FLAG_FAIL | RESOLVE_FLAG_ERROR)) == 0
	&& !maps_empty(transport_maps)
	&& (cls & RESOLVE_CLASS_ALIAS) == 0) {
	VSTR   *key = vstr_alloc(100);

	vstr_set(key, reply->recipient->str);
	if ((value = transport_find(key->str, domain, &err)) != NULL) {
	    const char *colon = strchr(value, ':');
	    size_t  tlen = colon ? (size_t) (colon - value) : strlen(value);
	    const char *nh = colon ? colon + 1 : "";

	    if (tlen > 0) {
		vstr_setn(reply->transport, value, tlen);
		vstr_set(reply->nexthop, *nh ? nh : domain);
	    } else if (*nh) {
		vstr_set(reply->nexthop, nh);
	    }
	} else if (err) {
	    reply->flags |= RESOLVE_FLAG_FAIL;
	}
	vstr_free(key);
    }
    if (reply->transport->len == 0)
	vstr_set(reply->transport, "smtp");
    myfree(domain);
    vstr_free(a);
    vstr_free(local);
}
