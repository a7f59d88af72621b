/* master_cf.c - parse master.cf into entries: comments and blank lines
 * skipped, a line starting with white space continues the entry above,
 * eight columns, then the command arguments where "-o name=value" and
 * "-o { name = value }" become overrides and "{ text }" is one argument.
 * Errors name the file and line and leave that entry out. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "master/master_cf.h"

#define MASTER_CF_MAX_SIZE	(4 * 1024 * 1024)	/* refuse absurd files */

static const char *const master_cf_colnames[] = {
    "service", "type", "private", "unpriv", "chroot", "wakeup", "maxproc", "command",
};

static void master_cf_error(MASTER_CF *cf, const char *path, int line,
			            const char *fmt,...) PRINTFLIKE(4, 5);

static void master_cf_error(MASTER_CF *cf, const char *path, int line,
			            const char *fmt,...)
{
    VSTR   *buf = vstr_alloc(100);
    va_list ap;

    vstr_sprintf(buf, "%s: line %d: ", path, line);
    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    argv_add(cf->errors, vstr_str(buf), (char *) 0);
    vstr_free(buf);
}

/* master_cf_bool - y/n/- column; -1 if bad. */

static int master_cf_bool(const char *value, int dflt)
{
    if (strcmp(value, "-") == 0)
	return dflt;
    if (strcmp(value, "y") == 0 || strcmp(value, "yes") == 0)
	return 1;
    if (strcmp(value, "n") == 0 || strcmp(value, "no") == 0)
	return 0;
    return -1;
}

/* master_cf_number - decimal column value; -1 if bad. */

static int master_cf_number(const char *value, size_t len)
{
    long    n = 0;

    if (len == 0 || len > 9)
	return -1;
    for (size_t i = 0; i < len; i++) {
	if (!isdigit((unsigned char) value[i]))
	    return -1;
	n = n * 10 + (value[i] - '0');
    }
    return (int) n;
}

/* master_cf_tokens - split one logical entry; braced tokens are marked. */

static int master_cf_tokens(const char *text, ARGV *tokens, ARGV *braced,
			            const char **why)
{
    const char *cp = text;

    while (*cp) {
	while (*cp && isspace((unsigned char) *cp))
	    cp++;
	if (*cp == 0)
	    break;
	if (*cp == '{') {
	    const char *start = ++cp;
	    const char *end = strchr(start, '}');
	    char   *tok;

	    if (end == 0) {
		*why = "missing '}'";
		return -1;
	    }
	    if (end[1] && !isspace((unsigned char) end[1])) {
		*why = "syntax error after '}'";
		return -1;
	    }
	    tok = mymalloc((size_t) (end - start) + 1);
	    memcpy(tok, start, (size_t) (end - start));
	    tok[end - start] = 0;
	    argv_add(tokens, trimblanks(tok), (char *) 0);
	    argv_add(braced, "1", (char *) 0);
	    myfree(tok);
	    cp = end + 1;
	} else {
	    const char *start = cp;

	    while (*cp && !isspace((unsigned char) *cp))
		cp++;
	    argv_addn(tokens, start, (size_t) (cp - start));
	    argv_add(braced, "0", (char *) 0);
	}
    }
    return 0;
}

/* master_cf_override - normalize "name=value" or "name = value"; NULL if bad. */

static char *master_cf_override(const char *text)
{
    const char *eq = strchr(text, '=');
    VSTR   *buf;
    char   *name;
    char   *value;

    if (eq == 0 || eq == text)
	return 0;
    name = mymalloc((size_t) (eq - text) + 1);
    memcpy(name, text, (size_t) (eq - text));
    name[eq - text] = 0;
    value = mystrdup(eq + 1);
    if (*trimblanks(name) == 0 || strpbrk(trimblanks(name), " \t") != 0) {
	myfree(name);
	myfree(value);
	return 0;
    }
    buf = vstr_alloc(100);
    vstr_sprintf(buf, "%s=%s", trimblanks(name), trimblanks(value));
    myfree(name);
    myfree(value);
    return vstr_export(buf);
}

static void master_cf_entry_free(MASTER_CF_ENTRY *e)
{
    if (e == 0)
	return;
    myfree(e->service);
    myfree(e->type);
    myfree(e->command);
    argv_free(e->overrides);
    argv_free(e->args);
    for (int i = 0; i < 7; i++)
	myfree(e->cols[i]);
    myfree(e);
}

/* master_cf_entry - parse one logical entry; NULL after logging an error. */

static MASTER_CF_ENTRY *master_cf_entry(MASTER_CF *cf, const char *path,
					        int line, const char *text)
{
    ARGV   *tok = argv_alloc(16);
    ARGV   *braced = argv_alloc(16);
    MASTER_CF_ENTRY *e = 0;
    const char *why = 0;
    const char *v;
    int     i;

    if (master_cf_tokens(text, tok, braced, &why) < 0) {
	master_cf_error(cf, path, line, "%s", why);
	goto out;
    }
    for (i = 0; i < 8 && i < tok->argc; i++) {
	if (braced->argv[i][0] == '1') {
	    master_cf_error(cf, path, line, "field \"%s\": unexpected '{'",
			    master_cf_colnames[i]);
	    goto out;
	}
    }
    if (tok->argc < 8) {
	master_cf_error(cf, path, line, "field \"%s\": missing",
			master_cf_colnames[tok->argc]);
	goto out;
    }
    e = (MASTER_CF_ENTRY *) mymalloc(sizeof(*e));
    memset(e, 0, sizeof(*e));
    e->line = line;
    for (i = 0; i < 7; i++)
	e->cols[i] = mystrdup(tok->argv[i]);
    e->service = mystrdup(tok->argv[0]);
    e->type = mystrdup(tok->argv[1]);
    e->command = mystrdup(tok->argv[7]);
    e->overrides = argv_alloc(4);
    e->args = argv_alloc(4);

    if (strcmp(e->type, "inet") != 0 && strcmp(e->type, "unix") != 0
	&& strcmp(e->type, "unix-dgram") != 0 && strcmp(e->type, "fifo") != 0
	&& strcmp(e->type, "pass") != 0) {
	master_cf_error(cf, path, line, "field \"type\": bad value: \"%s\"", e->type);
	goto bad;
    }
    if (strchr(e->service, '/') != 0 && strcmp(e->type, "inet") != 0) {
	master_cf_error(cf, path, line, "field \"service\": bad value: \"%s\"", e->service);
	goto bad;
    }
    if ((e->private_ = master_cf_bool(tok->argv[2], 1)) < 0) {
	master_cf_error(cf, path, line, "field \"private\": bad value: \"%s\"", tok->argv[2]);
	goto bad;
    }
    if ((e->unpriv = master_cf_bool(tok->argv[3], 1)) < 0) {
	master_cf_error(cf, path, line, "field \"unpriv\": bad value: \"%s\"", tok->argv[3]);
	goto bad;
    }
    if ((e->chroot = master_cf_bool(tok->argv[4], 0)) < 0) {
	master_cf_error(cf, path, line, "field \"chroot\": bad value: \"%s\"", tok->argv[4]);
	goto bad;
    }
    v = tok->argv[5];
    if (strcmp(v, "-") == 0) {
	e->wakeup = 0;
    } else {
	size_t  len = strlen(v);

	if (len > 0 && v[len - 1] == '?') {
	    e->wakeup_cond = 1;
	    len--;
	}
	if ((e->wakeup = master_cf_number(v, len)) < 0) {
	    master_cf_error(cf, path, line, "field \"wakeup\": bad value: \"%s\"", v);
	    goto bad;
	}
    }
    v = tok->argv[6];
    if (strcmp(v, "-") == 0) {
	e->maxproc = -1;
    } else if ((e->maxproc = master_cf_number(v, strlen(v))) < 0) {
	master_cf_error(cf, path, line, "field \"maxproc\": bad value: \"%s\"", v);
	goto bad;
    }
    if (e->command[0] == 0 || strchr(e->command, '/') != 0) {
	master_cf_error(cf, path, line, "field \"command\": bad value: \"%s\"", e->command);
	goto bad;
    }
    for (i = 8; i < tok->argc; i++) {
	if (braced->argv[i][0] == '0' && strcmp(tok->argv[i], "-o") == 0) {
	    char   *ov;

	    if (i + 1 >= tok->argc) {
		master_cf_error(cf, path, line, "-o option without name=value");
		goto bad;
	    }
	    if ((ov = master_cf_override(tok->argv[++i])) == 0) {
		master_cf_error(cf, path, line, "-o option: bad name=value: \"%s\"",
				tok->argv[i]);
		goto bad;
	    }
	    argv_add(e->overrides, ov, (char *) 0);
	    myfree(ov);
	} else {
	    argv_add(e->args, tok->argv[i], (char *) 0);
	}
    }
    goto out;

bad:
    master_cf_entry_free(e);
    e = 0;
out:
    argv_free(tok);
    argv_free(braced);
    return e;
}

MASTER_CF_ENTRY *master_cf_find(MASTER_CF *cf, const char *service, const char *type)
{
    for (int i = 0; i < cf->count; i++)
	if (strcmp(cf->entries[i]->service, service) == 0
	    && strcmp(cf->entries[i]->type, type) == 0)
	    return cf->entries[i];
    return 0;
}

/* master_cf_finish - parse one accumulated logical entry and keep it. */

static void master_cf_finish(MASTER_CF *cf, const char *path, int line, VSTR *text)
{
    MASTER_CF_ENTRY *e;

    if (vstr_len(text) == 0)
	return;
    if ((e = master_cf_entry(cf, path, line, vstr_str(text))) != 0) {
	if (master_cf_find(cf, e->service, e->type) != 0) {
	    master_cf_error(cf, path, line, "duplicate service name and type: \"%s %s\"",
			    e->service, e->type);
	    master_cf_entry_free(e);
	} else {
	    cf->entries = myrealloc(cf->entries, (cf->count + 1) * sizeof(*cf->entries));
	    cf->entries[cf->count++] = e;
	}
    }
    vstr_reset(text);
}

MASTER_CF *master_cf_parse_text(const char *text, const char *path)
{
    MASTER_CF *cf = (MASTER_CF *) mymalloc(sizeof(*cf));
    VSTR   *entry = vstr_alloc(200);
    const char *cp = text;
    int     lineno = 0;
    int     entry_line = 0;

    cf->entries = 0;
    cf->count = 0;
    cf->errors = argv_alloc(4);

    while (*cp) {
	const char *nl = strchr(cp, '\n');
	size_t  len = nl ? (size_t) (nl - cp) : strlen(cp);
	const char *p = cp;

	lineno++;
	while (p < cp + len && isspace((unsigned char) *p))
	    p++;
	if (p == cp + len || *p == '#') {
	    /* blank or comment line: neither starts nor ends an entry */
	} else if (p > cp) {
	    if (vstr_len(entry) == 0)
		master_cf_error(cf, path, lineno, "continuation line without a service");
	    else {
		vstr_addch(entry, ' ');
		vstr_addn(entry, p, (size_t) (cp + len - p));
	    }
	} else {
	    master_cf_finish(cf, path, entry_line, entry);
	    entry_line = lineno;
	    vstr_addn(entry, cp, len);
	}
	cp += len + (nl ? 1 : 0);
    }
    master_cf_finish(cf, path, entry_line, entry);
    vstr_free(entry);
    return cf;
}

MASTER_CF *master_cf_read(const char *path)
{
    int     fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    VSTR   *buf;
    MASTER_CF *cf;
    char    chunk[8192];
    ssize_t n;

    if (fd < 0)
	return 0;
    if (fstat(fd, &st) < 0 || st.st_size > MASTER_CF_MAX_SIZE) {
	close(fd);
	errno = EFBIG;
	return 0;
    }
    buf = vstr_alloc((size_t) st.st_size + 1);
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    int     saved = errno;

	    close(fd);
	    vstr_free(buf);
	    errno = saved;
	    return 0;
	}
	if (vstr_len(buf) + (size_t) n > MASTER_CF_MAX_SIZE) {
	    close(fd);
	    vstr_free(buf);
	    errno = EFBIG;
	    return 0;
	}
	/* NUL bytes would end the text early: make them visible instead. */
	for (ssize_t i = 0; i < n; i++)
	    if (chunk[i] == 0)
		chunk[i] = '?';
	vstr_addn(buf, chunk, (size_t) n);
    }
    close(fd);
    cf = master_cf_parse_text(vstr_str(buf), path);
    vstr_free(buf);
    return cf;
}

void    master_cf_free(MASTER_CF *cf)
{
    if (cf == 0)
	return;
    for (int i = 0; i < cf->count; i++)
	master_cf_entry_free(cf->entries[i]);
    myfree(cf->entries);
    argv_free(cf->errors);
    myfree(cf);
}
