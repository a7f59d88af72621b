/* dict.c - the lookup-table layer: parses "type:name", shares open tables,
 * and implements the in-memory types (inline, static, texthash), the
 * system tables (unix), proxy (opened locally), nis (always not found) and
 * the stand-in for tables that cannot be opened (surrogate). Berkeley DB
 * types live in dict_db.c. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <pwd.h>
#include <grp.h>
#include "util/dict_priv.h"
#include "util/argv.h"
#include "util/msg.h"
#include "util/mymalloc.h"

#define DICT_SOURCE_LINE_MAX	(1024 * 1024)	/* one logical line of a source file */

static HTABLE *dict_shared;		/* sharing key -> DICT */

static void dict_note_file(DICT *d, const char *name);
static int dict_last_open_error;
static char *dict_why;			/* last open failure text */

/* dict_fail - remember why an open failed; returns the text. */
const char *dict_fail(int kind, const char *fmt,...)
{
    VSTR   *v = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(v, fmt, ap);
    va_end(ap);
    myfree(dict_why);
    dict_why = vstr_export(v);
    dict_last_open_error = kind;
    return dict_why;
}

int     dict_open_error(void)
{
    return dict_last_open_error;
}

DICT   *dict_alloc(const char *spec, int flags)
{
    DICT   *d = mycalloc(1, sizeof(*d));

    d->spec = mystrdup(spec);
    d->flags = flags;
    d->refcount = 1;
    d->result = vstr_alloc(100);
    d->fold = vstr_alloc(100);
    return d;
}

const char *dict_fold_key(DICT *dict, const char *key)
{
    if ((dict->flags & DICT_FLAG_FOLD_FIX) == 0)
	return key;
    vstr_set(dict->fold, key);
    return vstr_lower(dict->fold);
}

static void dict_free_value(void *value)
{
    myfree(value);
}

/* dict_release - free a DICT's memory (type-specific part first). */
static void dict_release(DICT *d)
{
    if (d->free_fn)
	d->free_fn(d);
    if (d->table)
	htable_free(d->table, dict_free_value);
    if (d->inner)
	dict_close(d->inner);
    myfree(d->value);
    myfree(d->spec);
    myfree(d->key);
    myfree(d->path);
    vstr_free(d->result);
    vstr_free(d->fold);
    myfree(d);
}

/* ---- table-driven types (inline, texthash) ---- */

static const char *dict_table_lookup(DICT *d, const char *key, int *err)
{
    *err = DICT_ERR_NONE;
    return htable_find(d->table, dict_fold_key(d, key));
}

/* dict_table_store - enter key/value, replacing (replace) or keeping the old one. */
static int dict_table_store(DICT *d, const char *key, const char *value, int replace)
{
    HTABLE_INFO *ht;
    char   *k = mystrdup(key);

    if (d->flags & DICT_FLAG_FOLD_FIX)
	lowercase(k);
    if ((ht = htable_locate(d->table, k)) != NULL) {
	if (replace) {
	    myfree(ht->value);
	    ht->value = mystrdup(value);
	}
	myfree(k);
	return 1;
    }
    htable_enter(d->table, k, mystrdup(value));
    myfree(k);
    return 0;
}

/* inline:{ key=value, { key = value } } */
static DICT *dict_inline_open(const char *spec, const char *name, int flags)
{
    size_t  len = strlen(name);
    char   *copy, *bp, *tok;
    DICT   *d;
    int     count = 0;

    if (len < 2 || name[0] != '{' || name[len - 1] != '}') {
	dict_fail(DICT_ERR_CONFIG, "bad syntax: \"%s\"; need \"inline:{name=value...}\"", spec);
	return NULL;
    }
    d = dict_alloc(spec, flags | DICT_FLAG_FIXED);
    d->table = htable_create(13);
    d->lookup = dict_table_lookup;
    copy = mystrndup(name + 1, len - 2);
    bp = copy;
    while ((tok = mystrtokq(&bp, ", \t\r\n")) != NULL) {
	char   *eq = strchr(tok, '=');

	if (eq != NULL) {
	    *eq = 0;
	    if (trimblanks(tok)[strcspn(trimblanks(tok), " \t\r\n")] != 0)
		eq = NULL;			/* "{a b=c}": no white space in names */
	    else
		*eq = '=';
	}
	if (eq == NULL) {
	    dict_fail(DICT_ERR_CONFIG, "missing '=' after attribute name: \"%s\"; "
		      "need \"inline:{name=value...}\"", spec);
	    myfree(copy);
	    dict_release(d);
	    return NULL;
	}
	*eq = 0;
	dict_table_store(d, trimblanks(tok), trimblanks(eq + 1), 1);
	count++;
    }
    myfree(copy);
    if (count == 0) {
	dict_fail(DICT_ERR_CONFIG, "bad syntax: \"%s\"; need \"inline:{name=value...}\"", spec);
	dict_release(d);
	return NULL;
    }
    return d;
}

/* static:value, static:{ value } */
static const char *dict_static_lookup(DICT *d, const char *key, int *err)
{
    (void) key;
    *err = DICT_ERR_NONE;
    return d->value;
}

static DICT *dict_static_open(const char *spec, const char *name, int flags)
{
    DICT   *d = dict_alloc(spec, flags | DICT_FLAG_FIXED);
    size_t  len = strlen(name);

    if (len >= 2 && name[0] == '{' && name[len - 1] == '}') {
	char   *v = mystrndup(name + 1, len - 2);

	d->value = mystrdup(trimblanks(v));
	myfree(v);
    } else {
	d->value = mystrdup(name);
    }
    d->lookup = dict_static_lookup;
    return d;
}

/* ---- postmap source files ---- */

/* source_entry - split one logical line into key and value and hand it on. */
static void source_entry(const char *path, char *line, int lineno, int fold,
			         void (*fn) (const char *, const char *, int, void *),
			         void *context)
{
    char   *key = line, *value;

    key += strspn(key, " \t\r\n\f\v");
    value = key + strcspn(key, " \t\r\n\f\v");
    if (*value)
	*value++ = 0;
    value = trimblanks(value);
    if (*key == 0 || *value == 0) {
	msg_warn("%s, line %d: expected format: key whitespace value -- ignoring this line",
		 path, lineno);
	return;
    }
    if (fold)
	lowercase(key);
    fn(key, value, lineno, context);
}

int     dict_source_read(const char *path, int fold,
			         void (*fn) (const char *, const char *, int, void *),
			         void *context, const char **why)
{
    FILE   *fp;
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t n;
    VSTR   *logical = vstr_alloc(200);
    int     lineno = 0, start = 0, too_long = 0;

    if ((fp = fopen(path, "r")) == NULL) {
	*why = dict_fail(DICT_ERR_RETRY, "open database %s: %s", path, strerror(errno));
	vstr_free(logical);
	return -1;
    }
    while ((n = getline(&line, &cap, fp)) >= 0) {
	lineno++;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
	    line[--n] = 0;
	char   *cp = line + strspn(line, " \t\f\v");

	if (*cp == 0 || *cp == '#')
	    continue;
	if (cp != line) {			/* continuation */
	    if (start == 0) {
		msg_warn("%s, line %d: logical line must not start with whitespace -- ignoring this line",
			 path, lineno);
		continue;
	    }
	    if (vstr_len(logical) + (size_t) n > DICT_SOURCE_LINE_MAX) {
		too_long = 1;
		continue;
	    }
	    vstr_addn(logical, line, (size_t) n);
	    continue;
	}
	if (start) {
	    if (too_long)
		msg_warn("%s, line %d: line too long -- ignoring this line", path, start);
	    else
		source_entry(path, logical->str, start, fold, fn, context);
	}
	too_long = (size_t) n > DICT_SOURCE_LINE_MAX;
	vstr_setn(logical, line, too_long ? 0 : (size_t) n);
	start = lineno;
    }
    if (start) {
	if (too_long)
	    msg_warn("%s, line %d: line too long -- ignoring this line", path, start);
	else
	    source_entry(path, logical->str, start, fold, fn, context);
    }
    if (ferror(fp)) {
	*why = dict_fail(DICT_ERR_RETRY, "read %s: %s", path, strerror(errno));
	fclose(fp);
	free(line);
	vstr_free(logical);
	return -1;
    }
    fclose(fp);
    free(line);
    vstr_free(logical);
    return 0;
}

static void dict_thash_entry(const char *key, const char *value, int lineno, void *context)
{
    DICT   *d = context;

    if (dict_table_store(d, key, value, 0))
	msg_warn("%s, line %d: duplicate entry: \"%s\"", d->path, lineno, key);
}

static DICT *dict_thash_open(const char *spec, const char *name, int flags)
{
    DICT   *d = dict_alloc(spec, flags | DICT_FLAG_FIXED);
    const char *why;

    d->table = htable_create(13);
    d->lookup = dict_table_lookup;
    d->path = mystrdup(name);
    if (dict_source_read(name, flags & DICT_FLAG_FOLD_FIX, dict_thash_entry, d, &why) < 0) {
	dict_release(d);
	return NULL;
    }
    return d;
}

/* ---- unix:passwd.byname, unix:group.byname ---- */

static const char *dict_unix_pw_lookup(DICT *d, const char *key, int *err)
{
    struct passwd *pw;

    *err = DICT_ERR_NONE;
    errno = 0;
    if ((pw = getpwnam(dict_fold_key(d, key))) == NULL) {
	if (errno != 0 && errno != ENOENT && errno != ESRCH && errno != EBADF && errno != EPERM)
	    *err = DICT_ERR_RETRY;
	return NULL;
    }
    vstr_sprintf(d->result, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name, pw->pw_passwd,
		 (long) pw->pw_uid, (long) pw->pw_gid, pw->pw_gecos,
		 pw->pw_dir, pw->pw_shell);
    return vstr_str(d->result);
}

static const char *dict_unix_gr_lookup(DICT *d, const char *key, int *err)
{
    struct group *gr;

    *err = DICT_ERR_NONE;
    errno = 0;
    if ((gr = getgrnam(dict_fold_key(d, key))) == NULL) {
	if (errno != 0 && errno != ENOENT && errno != ESRCH && errno != EBADF && errno != EPERM)
	    *err = DICT_ERR_RETRY;
	return NULL;
    }
    vstr_sprintf(d->result, "%s:%s:%ld:", gr->gr_name, gr->gr_passwd, (long) gr->gr_gid);
    for (char **mp = gr->gr_mem; *mp; mp++)
	vstr_sprintf_append(d->result, "%s%s", mp == gr->gr_mem ? "" : ",", *mp);
    return vstr_str(d->result);
}

static DICT *dict_unix_open(const char *spec, const char *name, int flags)
{
    DICT   *d;

    if (strcmp(name, "passwd.byname") != 0 && strcmp(name, "group.byname") != 0) {
	dict_fail(DICT_ERR_CONFIG, "unknown table: %s", spec);
	return NULL;
    }
    d = dict_alloc(spec, flags | DICT_FLAG_FIXED);
    d->lookup = strcmp(name, "passwd.byname") == 0 ? dict_unix_pw_lookup : dict_unix_gr_lookup;
    return d;
}

/* ---- proxy:TYPE:NAME: open the inner table here ---- */

static const char *dict_proxy_lookup(DICT *d, const char *key, int *err)
{
    return dict_lookup(d->inner, key, err);
}

static DICT *dict_proxy_open(const char *spec, const char *name, int flags)
{
    const char *why;
    DICT   *inner, *d;

    if ((inner = dict_open(name, flags, &why)) == NULL)
	return NULL;				/* dict_why is set */
    d = dict_alloc(spec, dict_flags(inner));
    d->inner = inner;
    d->lookup = dict_proxy_lookup;
    return d;
}

/* ---- nis: never found ---- */

static const char *dict_nis_lookup(DICT *d, const char *key, int *err)
{
    (void) d;
    (void) key;
    *err = DICT_ERR_NONE;
    return NULL;
}

static DICT *dict_nis_open(const char *spec, const char *name, int flags)
{
    static int warned;
    DICT   *d = dict_alloc(spec, flags | DICT_FLAG_FIXED);

    (void) name;
    if (!warned) {
	warned = 1;
	msg_warn("dict_nis_init: NIS domain name not set - NIS lookups disabled");
    }
    d->lookup = dict_nis_lookup;
    return d;
}

/* ---- surrogate: every lookup fails ---- */

static const char *dict_surrogate_lookup(DICT *d, const char *key, int *err)
{
    (void) key;
    *err = d->err;
    return NULL;
}

DICT   *dict_surrogate(const char *spec, int err, const char *why)
{
    DICT   *d = dict_alloc(spec, DICT_FLAG_FIXED);

    d->err = err ? err : DICT_ERR_RETRY;
    d->value = mystrdup(why ? why : "table unavailable");
    d->lookup = dict_surrogate_lookup;
    return d;
}

/* ---- Berkeley DB ---- */

static DICT *dict_hash_open(const char *spec, const char *type, const char *name, int flags)
{
    const char *why;
    int     kind;
    DICT   *d;

    if ((d = dict_db_open(type, name, flags, 0, &why, &kind)) == NULL) {
	dict_fail(kind, "%s", why);
	return NULL;
    }
    myfree(d->spec);
    d->spec = mystrdup(spec);
    return d;
}

/* ---- the type switch ---- */

static const char *const dict_types[] = {
    "inline", "static", "texthash", "unix", "proxy", "nis", "cidr", "regexp", 0,
};

int     dict_type_known(const char *type)
{
    for (int i = 0; dict_types[i]; i++)
	if (strcmp(type, dict_types[i]) == 0)
	    return 1;
    if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
	return dict_db_available();
    return 0;
}

DICT   *dict_open(const char *spec, int flags, const char **why)
{
    const char *colon = strchr(spec, ':');
    char   *type, *skey;
    const char *name;
    DICT   *d;

    dict_last_open_error = DICT_ERR_NONE;
    if (colon == NULL || colon == spec || colon[1] == 0) {
	*why = dict_fail(DICT_ERR_CONFIG, "open dictionary: expecting \"type:name\" form instead of \"%s\"", spec);
	return NULL;
    }
    if (dict_shared == NULL)
	dict_shared = htable_create(13);
    skey = mymalloc(strlen(spec) + 20);
    snprintf(skey, strlen(spec) + 20, "%d:%s", flags, spec);
    if ((d = htable_find(dict_shared, skey)) != NULL) {
	d->refcount++;
	myfree(skey);
	return d;
    }
    type = mystrndup(spec, (size_t) (colon - spec));
    name = colon + 1;
    if (strcmp(type, "inline") == 0)
	d = dict_inline_open(spec, name, flags);
    else if (strcmp(type, "static") == 0)
	d = dict_static_open(spec, name, flags);
    else if (strcmp(type, "texthash") == 0)
	d = dict_thash_open(spec, name, flags);
    else if (strcmp(type, "unix") == 0)
	d = dict_unix_open(spec, name, flags);
    else if (strcmp(type, "proxy") == 0)
	d = dict_proxy_open(spec, name, flags);
    else if (strcmp(type, "nis") == 0)
	d = dict_nis_open(spec, name, flags);
    else if (strcmp(type, "cidr") == 0)
	d = dict_cidr_open(spec, name, flags, why);
    else if (strcmp(type, "regexp") == 0)
	d = dict_regexp_open(spec, name, flags, why);
    else if ((strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0) && dict_db_available())
	d = dict_hash_open(spec, type, name, flags);
    else {
	dict_fail(DICT_ERR_RETRY, "unsupported dictionary type: %s", type);
	d = NULL;
    }
    myfree(type);
    if (d == NULL) {
	myfree(skey);
	*why = dict_why;
	return NULL;
    }
    d->key = skey;
    htable_enter(dict_shared, skey, d);
    dict_note_file(d, name);
    return d;
}

/* dict_note_file - remember the identity of the file behind a file-based table. */
static void dict_note_file(DICT *d, const char *name)
{
    struct stat st;

    if (d->path == NULL && d->inner == NULL && name[0] == '/'
	&& (strncmp(d->spec, "texthash:", 9) == 0 || strncmp(d->spec, "cidr:", 5) == 0
	    || strncmp(d->spec, "regexp:", 7) == 0))
	d->path = mystrdup(name);
    if (d->path && stat(d->path, &st) == 0) {
	d->stat_ok = 1;
	d->st_dev = st.st_dev;
	d->st_ino = st.st_ino;
	d->st_size = st.st_size;
	d->st_mtim = st.st_mtim;
    }
}

const char *dict_changed_name(void)
{
    HTABLE_INFO **list;
    const char *changed = NULL;
    struct stat st;

    if (dict_shared == NULL)
	return NULL;
    list = htable_list(dict_shared);
    for (HTABLE_INFO **hp = list; *hp && changed == NULL; hp++) {
	DICT   *d = (*hp)->value;

	if (!d->stat_ok)
	    continue;
	/* Unreachable (e.g. from inside a chroot) is not "changed": a
	 * process that restarted for it would only find the same. */
	if (stat(d->path, &st) < 0)
	    continue;
	if (st.st_dev != d->st_dev || st.st_ino != d->st_ino
	    || st.st_size != d->st_size || st.st_mtim.tv_sec != d->st_mtim.tv_sec
	    || st.st_mtim.tv_nsec != d->st_mtim.tv_nsec)
	    changed = d->spec;
    }
    myfree(list);
    return changed;
}

const char *dict_lookup(DICT *dict, const char *key, int *err)
{
    int     dummy;

    if (err == NULL)
	err = &dummy;
    return dict->lookup(dict, key, err);
}

static int dict_entry_cmp(const void *a, const void *b)
{
    return strcmp((*(HTABLE_INFO * const *) a)->key, (*(HTABLE_INFO * const *) b)->key);
}

int     dict_walk(DICT *dict, void (*fn) (const char *, const char *, void *), void *context)
{
    if (dict->inner)
	return dict_walk(dict->inner, fn, context);
    if (dict->walk)
	return dict->walk(dict, fn, context);
    if (dict->table) {
	HTABLE_INFO **list = htable_list(dict->table);
	size_t  n = 0;

	while (list[n])
	    n++;
	qsort(list, n, sizeof(*list), dict_entry_cmp);
	for (size_t i = 0; i < n; i++)
	    fn(list[i]->key, list[i]->value, context);
	myfree(list);
	return 0;
    }
    return -1;
}

const char *dict_name(DICT *dict)
{
    return dict->spec;
}

int     dict_flags(DICT *dict)
{
    return dict->flags;
}

void    dict_close(DICT *dict)
{
    if (dict == NULL || --dict->refcount > 0)
	return;
    if (dict->key && dict_shared && htable_find(dict_shared, dict->key) == dict)
	htable_delete(dict_shared, dict->key, NULL);
    dict_release(dict);
}

/* ---- writable tables ---- */

DICT   *dict_db_create(const char *spec, int flags, const char **why)
{
    const char *colon = strchr(spec, ':');
    char   *type;
    int     kind;
    DICT   *d;

    if (colon == NULL || colon == spec || colon[1] == 0) {
	*why = dict_fail(DICT_ERR_CONFIG, "open dictionary: expecting \"type:name\" form instead of \"%s\"", spec);
	return NULL;
    }
    type = mystrndup(spec, (size_t) (colon - spec));
    if ((strcmp(type, "hash") != 0 && strcmp(type, "btree") != 0) || !dict_db_available()) {
	*why = dict_fail(DICT_ERR_RETRY, "unsupported dictionary type: %s", type);
	myfree(type);
	return NULL;
    }
    d = dict_db_open(type, colon + 1, flags, 1, why, &kind);
    myfree(type);
    if (d == NULL) {
	*why = dict_fail(kind, "%s", *why);
	return NULL;
    }
    myfree(d->spec);
    d->spec = mystrdup(spec);
    return d;
}

int     dict_update(DICT *dict, const char *key, const char *value)
{
    if (dict->update == NULL)
	msg_panic("dict_update: table %s is not writable", dict->spec);
    return dict->update(dict, dict_fold_key(dict, key), value);
}

int     dict_commit(DICT *dict, const char **why)
{
    int     ret = 0;

    if (dict->commit)
	ret = dict->commit(dict, why);
    dict->refcount = 1;
    dict_close(dict);
    return ret;
}
