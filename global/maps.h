/* maps.h - a parameter's list of tables ("hash:/a, inline:{...}") searched
 * in order, and Postfix's address lookup order for tables that take
 * addresses (user@domain, user+ext@domain, user, @domain). */
#ifndef MAPS_H
#define MAPS_H
#include "util/sys_defs.h"
#include "util/dict.h"

typedef struct MAPS MAPS;

/* maps_create - open every table in spec_list (title names the parameter
 * in messages). Keys are always folded to lower case (DICT_FLAG_FOLD_FIX
 * is added). A malformed spec (no "type:name", bad inline syntax) is
 * fatal with the reason; a table whose type is not in this build or whose
 * file cannot be opened is a warning ("hash:/etc/aliases is unavailable.
 * ...") and answers every lookup with DICT_ERR_RETRY, so the daemon keeps
 * running and only mail that needs the table is deferred (util/dict.h). */
MAPS   *maps_create(const char *title, const char *spec_list, int dict_flags);
/* maps_free - release (NULL allowed). */
void    maps_free(MAPS *maps);
/* maps_find - first value for key, or NULL with *err set (DICT_ERR_*):
 * the search stops at the first table that fails ("TITLE:TABLE lookup
 * error for KEY" is logged); an empty value is a DICT_ERR_CONFIG. */
const char *maps_find(MAPS *maps, const char *key, int *err);
/* maps_find_fixed - like maps_find, skipping pattern tables (regexp,
 * cidr): for partial keys such as "user@domain" without extension. */
const char *maps_find_fixed(MAPS *maps, const char *key, int *err);
/* maps_addr_find - Postfix address lookup: addr, then addr without
 * +extension, then local part alone when the domain is local
 * (resolve_local_domain), then @domain; pattern tables (regexp, cidr)
 * see the full address only. NULL with *err when none. */
const char *maps_addr_find(MAPS *maps, const char *addr, int *err);
/* maps_empty - non-zero if the list names no table. */
int     maps_empty(const MAPS *maps);
/* maps_title - the parameter name given at creation. */
const char *maps_title(const MAPS *maps);

#endif
