/* mynetworks.h - client address matching: mynetworks (CIDR, addresses,
 * [ipv6]/len, type:table) and mynetworks_style when mynetworks is unset. */
#ifndef MYNETWORKS_H
#define MYNETWORKS_H
#include "util/sys_defs.h"

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
/* mynetworks_value - the effective mynetworks (malloc'd): var_mynetworks
 * when non-empty (mail_conf_init computes it when main.cf does not set
 * it), else computed here from mynetworks_style (host, subnet, class),
 * inet_interfaces and inet_protocols, as Postfix does. */
char   *mynetworks_value(void);

#endif
