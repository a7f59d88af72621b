/* mynetworks.h - client address matching: mynetworks (CIDR, addresses,
 * [ipv6]/len, type:table) and mynetworks_style when mynetworks is unset. */
#ifndef MYNETWORKS_H
#define MYNETWORKS_H
#include "util/sys_defs.h"
#include "util/vstr.h"

typedef struct ADDR_MATCH_LIST ADDR_MATCH_LIST;

/* addr_match_list_create - parse a list of networks (title names the
 * parameter in messages): a.b.c.d/n, [v6]/n (brackets optional), bare
 * addresses, /file (its entries), type:table (looked up by address),
 * "!" negation, host names (never match an address). As in Postfix, a
 * malformed network ("1.2.3.4/33", host bits set) is logged with a warning
 * and a match that reaches it fails (-1: "Temporary lookup failure"); a
 * table whose type is unavailable fails the same way; a malformed
 * type:name is fatal. */
ADDR_MATCH_LIST *addr_match_list_create(const char *title, const char *list);
/* addr_match_list_free - release (NULL allowed). */
void    addr_match_list_free(ADDR_MATCH_LIST *list);
/* addr_match_list_match - 1 if addr (numeric, v4 or v6) matches, 0 if not, -1 on table failure. */
int     addr_match_list_match(ADDR_MATCH_LIST *list, const char *addr);
/* mynetworks_value - the effective mynetworks (malloc'd): var_mynetworks,
 * which mail_conf_init sets from main.cf or, when main.cf does not set it,
 * from mynetworks_compute(); an explicit empty value matches nothing. */
char   *mynetworks_value(void);

/* mynetworks_compute - Postfix's mynetworks default (malloc'd) for these
 * mynetworks_style, inet_protocols and inet_interfaces values (already
 * expanded), from the addresses and netmasks of this host's interfaces
 * (getifaddrs); fatal with Postfix's message on a bad value or an
 * inet_interfaces address that no local interface has. */
char   *mynetworks_compute(const char *style, const char *protocols,
			           const char *interfaces);

/* MYNET_IFACE - one interface address (family AF_INET or AF_INET6, addr in
 * network order, v4 in the first 4 bytes) and its netmask length. */
typedef struct MYNET_IFACE {
    int     family;
    unsigned char addr[16];
    int     prefix;
} MYNET_IFACE;

/* mynetworks_from_list - as mynetworks_compute over the given interface
 * addresses instead of getifaddrs; NULL with the message in why on error. */
char   *mynetworks_from_list(const MYNET_IFACE *list, int count,
			             const char *style, const char *protocols,
			             const char *interfaces, VSTR *why);

#endif
