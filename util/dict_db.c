/* dict_db.c - hash: and btree: tables in Berkeley DB files (path.db), read
 * by the daemons and written by postmap and postalias. Keys and values are
 * stored with a trailing NUL, as Postfix's postmap and postalias write them
 * on Linux (DICT_FLAG_NO_NUL, -n, leaves it off; postalias's YP_* entries
 * never have it); lookups try the key with the NUL, then without, and
 * strip a trailing NUL from values, so tables written either way (by
 * Postfix or by other tools) are read alike. Writers build path.db.tmp and
 * rename it over path.db on commit, so readers never see a half-written
 * table; DICT_FLAG_UPDATE (-i) instead updates path.db in place.
 * Compiled to a stub without libdb (HAVE_LIBDB). */
#include "util/sys_defs.h"
#include "util/dict_priv.h"
#include "util/msg.h"
#include "util/mymalloc.h"

#ifdef HAVE_LIBDB
#include <fcntl.h>
#include <db.h>

int     dict_db_available(void)
{
    return 1;
}

static const char *dict_db_lookup(DICT *d, const char *key, int *err)
{
    DB     *db = d->handle;
    DBT     k, v;
    int     ret;

    *err = DICT_ERR_NONE;
    key = dict_fold_key(d, key);
    for (int with_nul = 1; with_nul >= 0; with_nul--) {
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *) key;
	k.size = (u_int32_t) (strlen(key) + (size_t) with_nul);
	ret = db->get(db, NULL, &k, &v, 0);
	if (ret == 0) {
	    size_t  len = v.size;

	    if (len > 0 && ((char *) v.data)[len - 1] == 0)
		len--;
	    vstr_setn(d->result, v.data, len);
	    return vstr_str(d->result);
	}
	if (ret != DB_NOTFOUND) {
	    msg_warn("%s: lookup of \"%s\": %s", d->spec, key, db_strerror(ret));
	    *err = DICT_ERR_RETRY;
	    return NULL;
	}
    }
    return NULL;
}

static int dict_db_walk(DICT *d, void (*fn) (const char *, const char *, void *), void *context)
{
    DB     *db = d->handle;
    DBC    *cur;
    DBT     k, v;
    VSTR   *key = vstr_alloc(100);
    int     ret;

    if (db == NULL || db->cursor(db, NULL, &cur, 0) != 0) {
	vstr_free(key);
	return -1;
    }
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    while ((ret = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
	size_t  klen = k.size, vlen = v.size;

	if (klen > 0 && ((char *) k.data)[klen - 1] == 0)
	    klen--;
	if (vlen > 0 && ((char *) v.data)[vlen - 1] == 0)
	    vlen--;
	vstr_setn(key, k.data, klen);
	vstr_setn(d->result, v.data, vlen);
	fn(vstr_str(key), vstr_str(d->result), context);
    }
    (void) cur->close(cur);
    vstr_free(key);
    return ret == DB_NOTFOUND ? 0 : -1;
}

/* dict_db_del_other - remove key stored with (nul = 0) or without (nul =
 * 1) the trailing NUL; 0 or a Berkeley DB error. */
static int dict_db_del_other(DB *db, const char *key, int nul)
{
    DBT     k;
    int     ret;

    memset(&k, 0, sizeof(k));
    k.data = (void *) key;
    k.size = (u_int32_t) (strlen(key) + (size_t) !nul);
    ret = db->del(db, NULL, &k, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

void    dict_db_set_nul(DICT *d, int with_nul)
{
    if (with_nul)
	d->flags &= ~DICT_FLAG_NO_NUL;
    else
	d->flags |= DICT_FLAG_NO_NUL;
}

int     dict_db_delete(DICT *d, const char *key)
{
    DB     *db = d->handle;
    DBT     k;
    int     found = 0;

    if (db == NULL || d->update == NULL)
	msg_panic("dict_db_delete: table %s is not writable", d->spec);
    for (int with_nul = 1; with_nul >= 0; with_nul--) {
	int     ret;

	memset(&k, 0, sizeof(k));
	k.data = (void *) key;
	k.size = (u_int32_t) (strlen(key) + (size_t) with_nul);
	if ((ret = db->del(db, NULL, &k, 0)) == 0) {
	    found = 1;
	} else if (ret != DB_NOTFOUND) {
	    msg_warn("%s: delete of \"%s\": %s", d->spec, key, db_strerror(ret));
	    return -1;
	}
    }
    return found ? 0 : 1;
}

static int dict_db_update(DICT *d, const char *key, const char *value)
{
    DB     *db = d->handle;
    DBT     k, v;
    int     ret;
    int     nul = (d->flags & DICT_FLAG_NO_NUL) ? 0 : 1;

    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *) key;
    k.size = (u_int32_t) (strlen(key) + (size_t) nul);
    v.data = (void *) value;
    v.size = (u_int32_t) (strlen(value) + (size_t) nul);
    /* Replace an entry stored in the other NUL convention, if any. */
    if (!(d->flags & DICT_FLAG_UPDATE) || (ret = dict_db_del_other(db, key, nul)) == 0)
	ret = db->put(db, NULL, &k, &v, 0);
    if (ret != 0) {
	msg_warn("%s: update of \"%s\": %s", d->spec, key, db_strerror(ret));
	return -1;
    }
    return 0;
}

static int dict_db_commit(DICT *d, const char **why)
{
    DB     *db = d->handle;
    int     ret;
    static char *msg;
    char   *final;

    d->handle = NULL;
    ret = db->sync(db, 0);
    if (db->close(db, 0) != 0 && ret == 0)
	ret = EIO;
    if (ret != 0) {
	myfree(msg);
	msg = mystrdup(db_strerror(ret));
	*why = msg;
	(void) unlink(d->path);
	return -1;
    }
    /* d->path is "X.db.tmp": fsync it, then rename to "X.db". */
    int     fd = open(d->path, O_RDONLY);
    int     bad = fd < 0;

    if (!bad && fsync(fd) < 0) {
	int     saved = errno;

	(void) close(fd);
	errno = saved;
	bad = 1;
    } else if (!bad && close(fd) < 0) {
	bad = 1;
    }
    if (bad) {
	const char *err = strerror(errno);

	myfree(msg);
	msg = mymalloc(strlen(d->path) + strlen(err) + 20);
	sprintf(msg, "sync %s: %s", d->path, err);
	*why = msg;
	(void) unlink(d->path);
	return -1;
    }
    if (d->flags & DICT_FLAG_UPDATE)
	final = mystrdup(d->path);		/* updated in place */
    else
	final = mystrndup(d->path, strlen(d->path) - 4);
    if (!(d->flags & DICT_FLAG_UPDATE) && rename(d->path, final) < 0) {
	const char *err = strerror(errno);

	myfree(msg);
	msg = mymalloc(strlen(d->path) + strlen(err) + 20);
	sprintf(msg, "rename %s: %s", d->path, err);
	(void) unlink(d->path);
	*why = msg;
	myfree(final);
	return -1;
    }
    /* Make the rename durable: fsync the directory. */
    {
	char   *slash = strrchr(final, '/');
	char   *dir = slash ? mystrndup(final, slash == final ? 1 : (size_t) (slash - final)) : mystrdup(".");
	int     dfd = open(dir, O_RDONLY | O_DIRECTORY);

	if (dfd < 0 || fsync(dfd) < 0) {
	    const char *err = strerror(errno);

	    myfree(msg);
	    msg = mymalloc(strlen(dir) + strlen(err) + 30);
	    sprintf(msg, "sync directory %s: %s", dir, err);
	    *why = msg;
	    if (dfd >= 0)
		(void) close(dfd);
	    myfree(dir);
	    myfree(final);
	    return -1;
	}
	(void) close(dfd);			/* read-only: nothing to flush */
	myfree(dir);
    }
    myfree(final);
    return 0;
}

static void dict_db_free(DICT *d)
{
    DB     *db = d->handle;

    if (db) {
	(void) db->close(db, 0);
	if (d->update && !(d->flags & DICT_FLAG_UPDATE))	/* uncommitted writer */
	    (void) unlink(d->path);
    }
}

/* dict_db_errcall - Berkeley DB's own diagnostics: only with -v (the
 * caller reports the failure). */
static void dict_db_errcall(const DB_ENV *env, const char *prefix, const char *text)
{
    (void) env;
    (void) prefix;
    if (msg_verbose)
	msg_info("Berkeley DB: %s", text);
}

DICT   *dict_db_open(const char *type, const char *path, int flags,
		             int create, const char **why, int *err_kind)
{
    static char *msg;
    DB     *db;
    DICT   *d;
    int     ret;
    char   *file = mymalloc(strlen(path) + 10);

    int     in_place = create && (flags & DICT_FLAG_UPDATE);

    sprintf(file, "%s.db%s", path, create && !in_place ? ".tmp" : "");
    if ((ret = db_create(&db, NULL, 0)) != 0) {
	myfree(msg);
	msg = mystrdup(db_strerror(ret));
	*why = msg;
	*err_kind = DICT_ERR_RETRY;
	myfree(file);
	return NULL;
    }
    db->set_errcall(db, dict_db_errcall);
    if (create && !in_place)
	(void) unlink(file);
    ret = db->open(db, NULL, file, NULL, strcmp(type, "btree") == 0 ? DB_BTREE : DB_HASH,
		   !create ? DB_RDONLY : in_place ? DB_CREATE : DB_CREATE | DB_TRUNCATE, 0644);
    if (ret != 0) {
	const char *err = ret > 0 ? strerror(ret) : db_strerror(ret);

	myfree(msg);
	msg = mymalloc(strlen(path) + strlen(err) + 30);
	/* Name the table's file as Postfix does, not the temporary one. */
	sprintf(msg, "open database %s.db: %s", path, err);
	*why = msg;
	*err_kind = DICT_ERR_RETRY;
	(void) db->close(db, 0);
	myfree(file);
	return NULL;
    }
    d = dict_alloc(path, flags | DICT_FLAG_FIXED);
    d->handle = db;
    d->path = file;
    d->lookup = dict_db_lookup;
    d->walk = dict_db_walk;
    d->free_fn = dict_db_free;
    if (create) {
	d->update = dict_db_update;
	d->commit = dict_db_commit;
    }
    return d;
}

#else					/* HAVE_LIBDB */

int     dict_db_available(void)
{
    return 0;
}

void    dict_db_set_nul(DICT *d, int with_nul)
{
    (void) d;
    (void) with_nul;
}

int     dict_db_delete(DICT *d, const char *key)
{
    (void) d;
    (void) key;
    return -1;
}

DICT   *dict_db_open(const char *type, const char *path, int flags,
		             int create, const char **why, int *err_kind)
{
    (void) path;
    (void) flags;
    (void) create;
    *why = type[0] == 'b' ? "unsupported dictionary type: btree" : "unsupported dictionary type: hash";
    *err_kind = DICT_ERR_RETRY;
    return NULL;
}

#endif
