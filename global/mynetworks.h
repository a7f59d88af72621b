/* mynetworks.h - client address matching: mynetworks (CIDR, addresses,
 * [ipv6]/len, type:table) and mynetworks_style when mynetworks is unset. */
#ifndef MYNETWORKS_H
#define MYNETWORKS_H
#include "util/sys_defs.h"

typedef struct ADDR_MATCH_LIST ADDR_MATCH_LIST;

/* addr_match_list_create - parse a list of networks (title names the
 * parameter in messages); a malformed entry is fatal naming it. */
ADDR_MATCH_LIST *addr_match_list_create(const char *title, const char *list);
/* addr_match_list_free - release (NULL allowed). */
void    addr_match_list_free(ADDR_MATCH_LIST *list);
/* addr_match_list_match - 1 if addr (numeric, v4 or v6) matches, 0 if not, -1 on table failure. */
int     addr_match_list_match(ADDR_MATCH_LIST *list, const char *addr);
/* mynetworks_value - the effective mynetworks: the parameter if set in
 * main.cf, else computed from mynetworks_style (host, subnet, class) and
 * the machine's interfaces (malloc'd). */
char   *mynetworks_value(void);

#endif
