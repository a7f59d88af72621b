/* maps.c - a parameter's list of lookup tables searched in order, and
 * Postfix's lookup order for tables keyed by address (virtual(5)):
 * user+ext@domain, user@domain, user+ext, user (local domains only),
 * @domain. */
#include "util/sys_defs.h"
#include "util/argv.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/mail_addr.h"
#include "global/resolve.h"
#include "global/maps.h"

struct MAPS {
    char   *title;
    int     count;
    DICT  **dicts;
    VSTR   *key;			/* lookup key buffer */
};

MAPS   *maps_create(const char *title, const char *spec_list, int dict_flags)
{
    MAPS   *maps = mymalloc(sizeof(*maps));
    ARGV   *specs = argv_split_list(spec_list ? spec_list : "");
    const char *why;

    maps->title = mystrdup(title);
    maps->count = 0;
    maps->dicts = mymalloc((size_t) (specs->argc + 1) * sizeof(DICT *));
    maps->key = vstr_alloc(100);
    dict_flags |= DICT_FLAG_FOLD_FIX;
    for (int i = 0; i < specs->argc; i++) {
	DICT   *d = dict_open(specs->argv[i], dict_flags, &why);

	if (d == NULL) {
	    if (dict_open_error() == DICT_ERR_CONFIG)
		msg_fatal("%s: %s", title, why);
	    msg_warn("%s is unavailable. %s", specs->argv[i], why);
	    d = dict_surrogate(specs->argv[i], DICT_ERR_RETRY, why);
	}
	maps->dicts[maps->count++] = d;
    }
    argv_free(specs);
    return maps;
}

void    maps_free(MAPS *maps)
{
    if (maps == NULL)
	return;
    for (int i = 0; i < maps->count; i++)
	dict_close(maps->dicts[i]);
    myfree(maps->dicts);
    myfree(maps->title);
    vstr_free(maps->key);
    myfree(maps);
}

/* maps_search - first value for key; with fixed_only, pattern tables are skipped. */
static const char *maps_search(MAPS *maps, const char *key, int *err, int fixed_only)
{
    int     dummy;

    if (err == NULL)
	err = &dummy;
    *err = DICT_ERR_NONE;
    if (maps == NULL)
	return NULL;
    for (int i = 0; i < maps->count; i++) {
	const char *value;

	if (fixed_only && (dict_flags(maps->dicts[i]) & DICT_FLAG_PATTERN))
	    continue;
	value = dict_lookup(maps->dicts[i], key, err);

	if (value != NULL) {
	    if (*value == 0) {
		msg_warn("table %s: key %s: empty string result is not allowed",
			 dict_name(maps->dicts[i]), key);
		msg_warn("table %s should return NO RESULT in case of NOT FOUND",
			 dict_name(maps->dicts[i]));
		*err = DICT_ERR_CONFIG;
		return NULL;
	    }
	    return value;
	}
	if (*err != DICT_ERR_NONE) {
	    msg_warn("%s lookup error for \"%s\"", dict_name(maps->dicts[i]), key);
	    return NULL;
	}
    }
    return NULL;
}

const char *maps_find(MAPS *maps, const char *key, int *err)
{
    return maps_search(maps, key, err, 0);
}

const char *maps_find_fixed(MAPS *maps, const char *key, int *err)
{
    return maps_search(maps, key, err, 1);
}

const char *maps_addr_find(MAPS *maps, const char *addr, int *err)
{
    const char *domain = addr_domain(addr);
    const char *value;
    const char *delims = var_rcpt_delim ? var_rcpt_delim : "";
    VSTR   *stripped = vstr_alloc(100);
    VSTR   *local = vstr_alloc(100);
    int     dummy;

    if (err == NULL)
	err = &dummy;
    *err = DICT_ERR_NONE;
    if (maps == NULL)
	goto done_none;
    /* user+ext@domain, then user@domain. */
    if ((value = maps_find(maps, addr, err)) != NULL || *err)
	goto done;
    if (addr_strip_extension(stripped, addr, delims) != NULL
	&& ((value = maps_find_fixed(maps, stripped->str, err)) != NULL || *err))
	goto done;
    /* user+ext, then user, when the domain is local. */
    if (domain != NULL && resolve_local_domain(domain)) {
	addr_local_part(local, addr);
	if (local->len > 0) {
	    if ((value = maps_find_fixed(maps, local->str, err)) != NULL || *err)
		goto done;
	    if (addr_strip_extension(stripped, local->str, delims) != NULL
		&& ((value = maps_find_fixed(maps, stripped->str, err)) != NULL || *err))
		goto done;
	}
    }
    /* @domain. */
    if (domain != NULL && *domain) {
	vstr_sprintf(maps->key, "@%s", domain);
	if ((value = maps_find_fixed(maps, maps->key->str, err)) != NULL || *err)
	    goto done;
    }
done_none:
    value = NULL;
done:
    vstr_free(stripped);
    vstr_free(local);
    return value;
}

int     maps_empty(const MAPS *maps)
{
    return maps == NULL || maps->count == 0;
}

const char *maps_title(const MAPS *maps)
{
    return maps->title;
}
