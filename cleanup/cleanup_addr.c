/* cleanup_addr.c - envelope addresses in the cleanup daemon: canonical
 * form (@$myorigin for a bare local part), virtual_alias_maps expansion
 * with Postfix's semantics (recursive; an address that expands to itself
 * stops there; nesting and size limits make the message wait with
 * "4.6.0 Alias expansion error"), duplicate elimination, the R records,
 * and whether a client gets local header rewriting
 * (local_header_rewrite_clients). */
#include "util/sys_defs.h"
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <strings.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/attr.h"
#include "util/htable.h"
#include "global/mail_params.h"
#include "global/params_cleanup.h"
#include "global/mail_proto.h"
#include "global/maps.h"
#include "global/mynetworks.h"
#include "global/record.h"
#include "global/cleanup_client.h"
#include "cleanup/cleanup.h"

static MAPS *virt_alias_maps;

/* Parsed local_header_rewrite_clients. */
static int rwr_inet_interfaces;
static int rwr_mynetworks;
static int rwr_sasl;
static int rwr_all;
static ADDR_MATCH_LIST *rwr_mynet_list;

/* Addresses of this machine that permit_inet_interfaces matches. */
typedef struct {
    int     family;
    unsigned char addr[16];
} IFADDR;
static IFADDR *if_addrs;
static int if_count;

static void if_add(int family, const void *addr)
{
    if_addrs = myrealloc(if_addrs, (size_t) (if_count + 1) * sizeof(*if_addrs));
    memset(if_addrs + if_count, 0, sizeof(*if_addrs));
    if_addrs[if_count].family = family;
    memcpy(if_addrs[if_count].addr, addr, family == AF_INET ? 4 : 16);
    if_count++;
}

static void if_add_string(const char *str)
{
    unsigned char buf[16];
    char    tmp[64];
    size_t  len = strlen(str);

    if (len > 2 && str[0] == '[' && str[len - 1] == ']' && len - 2 < sizeof(tmp)) {
	memcpy(tmp, str + 1, len - 2);
	tmp[len - 2] = 0;
	str = tmp;
    }
    if (inet_pton(AF_INET, str, buf) == 1)
	if_add(AF_INET, buf);
    else if (inet_pton(AF_INET6, str, buf) == 1)
	if_add(AF_INET6, buf);
    else if (strcasecmp(str, "localhost") == 0) {
	if_add_string("127.0.0.1");
	if_add_string("::1");
    }
    /* Other host names: no DNS here; Postfix would resolve them. */
}

static void if_add_all(void)
{
    struct ifaddrs *ifa, *p;

    if (getifaddrs(&ifa) < 0) {
	msg_warn("getifaddrs: %s", strerror(errno));
	return;
    }
    for (p = ifa; p; p = p->ifa_next) {
	if (p->ifa_addr == 0)
	    continue;
	if (p->ifa_addr->sa_family == AF_INET)
	    if_add(AF_INET, &((struct sockaddr_in *) p->ifa_addr)->sin_addr);
	else if (p->ifa_addr->sa_family == AF_INET6)
	    if_add(AF_INET6, &((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr);
    }
    freeifaddrs(ifa);
}

static void if_init(void)
{
    const char *lists[2];
    ARGV   *argv;
    int     i, j;

    lists[0] = var_inet_interfaces ? var_inet_interfaces : "all";
    lists[1] = var_proxy_interfaces ? var_proxy_interfaces : "";
    for (j = 0; j < 2; j++) {
	argv = argv_split_list(lists[j]);
	for (i = 0; i < argv->argc; i++) {
	    if (strcasecmp(argv->argv[i], "all") == 0)
		if_add_all();
	    else if (strcasecmp(argv->argv[i], "loopback-only") == 0) {
		if_add_string("127.0.0.1");
		if_add_string("::1");
	    } else
		if_add_string(argv->argv[i]);
	}
	argv_free(argv);
    }
}

static int if_match(const char *addr)
{
    unsigned char buf[16];
    int     family, i;

    if (strncasecmp(addr, "ipv6:", 5) == 0)
	addr += 5;
    if (inet_pton(AF_INET, addr, buf) == 1)
	family = AF_INET;
    else if (inet_pton(AF_INET6, addr, buf) == 1) {
	family = AF_INET6;
	/* ::ffff:a.b.c.d is the IPv4 address */
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *) buf)) {
	    memmove(buf, buf + 12, 4);
	    family = AF_INET;
	}
    } else
	return 0;
    for (i = 0; i < if_count; i++)
	if (if_addrs[i].family == family
	    && memcmp(if_addrs[i].addr, buf, family == AF_INET ? 4 : 16) == 0)
	    return 1;
    return 0;
}

void    cleanup_addr_init(void)
{
    ARGV   *argv;
    int     i;

    if (var_virt_alias_maps && *var_virt_alias_maps)
	virt_alias_maps = maps_create("virtual_alias_maps", var_virt_alias_maps,
				      DICT_FLAG_FOLD_FIX);
    argv = argv_split_list(var_local_rwr_clients ? var_local_rwr_clients : "");
    for (i = 0; i < argv->argc; i++) {
	const char *name = argv->argv[i];

	if (strcmp(name, "permit_inet_interfaces") == 0)
	    rwr_inet_interfaces = 1;
	else if (strcmp(name, "permit_mynetworks") == 0)
	    rwr_mynetworks = 1;
	else if (strcmp(name, "permit_sasl_authenticated") == 0)
	    rwr_sasl = 1;
	else if (strncmp(name, "static:", 7) == 0)
	    rwr_all = 1;
	else
	    msg_warn("local_header_rewrite_clients: unsupported element \"%s\" ignored", name);
    }
    argv_free(argv);
    if (rwr_inet_interfaces)
	if_init();
    if (rwr_mynetworks) {
	char   *nets = mynetworks_value();

	rwr_mynet_list = addr_match_list_create("mynetworks", nets);
	myfree(nets);
    }
}

int     cleanup_local_client(const ATTR_LIST *attrs)
{
    const char *ctx = attr_get(attrs, MAIL_ATTR_RWR_CONTEXT);
    const char *addr = attr_get(attrs, MAIL_ATTR_CLIENT_ADDR);
    const char *sasl = attr_get(attrs, "sasl_username");

    if (ctx && strcmp(ctx, "local") == 0)
	return 1;
    if (ctx && strcmp(ctx, "remote") == 0)
	return 0;
    if (rwr_all)
	return 1;
    if (rwr_sasl && sasl && *sasl)
	return 1;
    if (addr == 0 || *addr == 0)
	return 0;
    if (rwr_inet_interfaces && if_match(addr))
	return 1;
    if (rwr_mynetworks && rwr_mynet_list
	&& addr_match_list_match(rwr_mynet_list, addr) == 1)
	return 1;
    return 0;
}

const char *cleanup_canon(VSTR *out, const char *addr)
{
    const char *at;
    size_t  len;

    vstr_set(out, addr);
    if (*addr == 0)
	return vstr_str(out);
    /* Strip trailing dots from the domain. */
    while ((len = vstr_len(out)) > 1 && out->str[len - 1] == '.'
	   && strchr(out->str, '@') != 0)
	vstr_truncate(out, len - 1);
    at = strrchr(vstr_str(out), '@');
    if (at == 0) {
	if (var_append_at_myorigin && var_myorigin && *var_myorigin) {
	    vstr_addch(out, '@');
	    vstr_adds(out, var_myorigin);
	}
    } else if (var_append_dot_mydomain && at[1] != '[' && strchr(at + 1, '.') == 0
	       && at[1] != 0 && var_mydomain && *var_mydomain) {
	vstr_addch(out, '.');
	vstr_adds(out, var_mydomain);
    }
    return vstr_str(out);
}

/* cleanup_out_rcpt - one final recipient: dedup, then O, n, R */

static void cleanup_out_rcpt(CLEANUP_STATE *state, const char *orig, int notify,
			             const char *rcpt)
{
    VSTR   *key = state->temp;

    if (state->errs)
	return;
    vstr_sprintf(key, "%s\n%d\n%s", var_enable_orcpt ? orig : "", notify, rcpt);
    if (htable_find(state->dups, vstr_str(key)) != 0)
	return;
    if (state->ndups < var_dup_filter_limit) {
	htable_enter(state->dups, vstr_str(key), (void *) 1);
	state->ndups++;
    }
    if (var_enable_orcpt && *orig)
	cleanup_out(state, REC_TYPE_ORCP, orig, strlen(orig));
    if (notify) {
	char    buf[16];

	snprintf(buf, sizeof(buf), "%d", notify);
	cleanup_out(state, REC_TYPE_NOTIFY, buf, strlen(buf));
    }
    cleanup_out(state, REC_TYPE_RCPT, rcpt, strlen(rcpt));
    state->nrcpt++;
}

static void alias_error(CLEANUP_STATE *state, const char *fmt, const char *addr)
{
    msg_warn(fmt, vstr_str(state->queue_id), addr);
    state->errs |= CLEANUP_STAT_DEFER;
    vstr_set(state->reason, "451 4.6.0 Alias expansion error");
}

void    cleanup_recipient(CLEANUP_STATE *state, const char *orig, int notify,
			          const char *rcpt)
{
    VSTR   *canon = vstr_alloc(100);
    ARGV   *argv;
    HTABLE *been_here;
    ARGV   *values;
    const char *value;
    char   *saved_lhs;
    int     arg, count, i, err;

    if (state->flags & CLEANUP_FLAG_NOREWRITE) {
	cleanup_out_rcpt(state, orig, notify, rcpt);
	vstr_free(canon);
	return;
    }
    cleanup_canon(canon, rcpt);
    if (virt_alias_maps == 0 || maps_empty(virt_alias_maps)) {
	cleanup_out_rcpt(state, orig, notify, vstr_str(canon));
	vstr_free(canon);
	return;
    }
    argv = argv_alloc(1);
    argv_add(argv, vstr_str(canon), (char *) 0);
    been_here = htable_create(8);
    for (arg = 0; arg < argv->argc && state->errs == 0; arg++) {
	if (argv->argc > var_virt_expan_limit) {
	    alias_error(state, "%s: unreasonable virtual_alias_maps map expansion size for %s"
			" -- message not accepted, try again later", rcpt);
	    break;
	}
	for (count = 0; state->errs == 0; count++) {
	    if (htable_find(been_here, argv->argv[arg]) != 0)
		break;
	    if (count >= var_virt_recur_limit) {
		alias_error(state, "%s: unreasonable virtual_alias_maps map nesting for %s"
			    " -- message not accepted, try again later", rcpt);
		break;
	    }
	    value = maps_addr_find(virt_alias_maps, argv->argv[arg], &err);
	    if (value == 0) {
		if (err != DICT_ERR_NONE)
		    alias_error(state, "%s: virtual_alias_maps map lookup problem for %s"
				" -- message not accepted, try again later",
				argv->argv[arg]);
		break;
	    }
	    values = argv_split(value, ", \t\r\n");
	    if (values->argc == 0) {
		msg_warn("%s: virtual_alias_maps: empty result for %s",
			 vstr_str(state->queue_id), argv->argv[arg]);
		argv_free(values);
		break;
	    }
	    saved_lhs = mystrdup(argv->argv[arg]);
	    for (i = 0; i < values->argc; i++) {
		if ((int) strlen(values->argv[i]) > var_virt_addrlen_limit) {
		    msg_warn("%s: unreasonable virtual_alias_maps result %.300s... -- "
			     "message not accepted, try again later",
			     vstr_str(state->queue_id), values->argv[i]);
		    state->errs |= CLEANUP_STAT_DEFER;
		    vstr_set(state->reason, "451 4.6.0 Alias expansion error");
		    break;
		}
		cleanup_canon(canon, values->argv[i]);
		if (i == 0) {
		    myfree(argv->argv[arg]);
		    argv->argv[arg] = mystrdup(vstr_str(canon));
		} else {
		    argv_add(argv, vstr_str(canon), (char *) 0);
		}
		/* An address may expand into itself once: then it stays. */
		if (strcasecmp(saved_lhs, vstr_str(canon)) == 0)
		    htable_enter(been_here, saved_lhs, (void *) 1);
	    }
	    argv_free(values);
	    myfree(saved_lhs);
	}
    }
    if (state->errs == 0)
	for (arg = 0; arg < argv->argc; arg++)
	    cleanup_out_rcpt(state, orig, notify, argv->argv[arg]);
    htable_free(been_here, 0);
    argv_free(argv);
    vstr_free(canon);
}
