/* dict_regexp.c - regexp:/path tables (Postfix regexp_table(5)) with the
 * C library's POSIX extended regular expressions: "/pattern/flags result"
 * and "!/pattern/flags result" rules tried in order, "if /pattern/" ...
 * "endif" blocks, flags i (toggle case-insensitive, on by default), x
 * (toggle extended syntax, on by default) and m (multi-line), and $1 ...
 * $9, ${n} and $$ in results. Loaded into memory; lookup keys are never
 * folded (the patterns decide case). */
#include "util/sys_defs.h"
#include <regex.h>
#include <ctype.h>
#include "util/dict_priv.h"
#include "util/argv.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"

#define REGEXP_NEST_MAX	100			/* if/endif depth */
#define REGEXP_SUBS	10			/* $0..$9 */

typedef enum {
    RULE_MATCH, RULE_IF, RULE_ENDIF,
} RULE_TYPE;

typedef struct REGEXP_RULE {
    RULE_TYPE type;
    int     neg;
    int     nsub;			/* parenthesized subexpressions */
    regex_t re;
    char   *value;			/* RULE_MATCH */
    int     endif;			/* RULE_IF: index of the matching endif */
    int     lineno;
} REGEXP_RULE;

typedef struct REGEXP_TABLE {
    REGEXP_RULE *rule;
    int     count, cap;
    const char *path;
    int     stack[REGEXP_NEST_MAX];
    int     depth;
    int     bad;
} REGEXP_TABLE;

static REGEXP_RULE *regexp_add(REGEXP_TABLE *t)
{
    if (t->count >= t->cap) {
	t->cap = t->cap ? 2 * t->cap : 16;
	t->rule = myrealloc(t->rule, (size_t) t->cap * sizeof(REGEXP_RULE));
    }
    memset(t->rule + t->count, 0, sizeof(REGEXP_RULE));
    return t->rule + t->count++;
}

/* regexp_parse_pattern - "/re/flags" at *cpp: compile into re; 0 or -1. */
static int regexp_parse_pattern(REGEXP_TABLE *t, int lineno, char **cpp, regex_t *re, int *nsub)
{
    char   *cp = *cpp;
    int     delim, cflags = REG_EXTENDED | REG_ICASE, err;
    VSTR   *pat;

    delim = (unsigned char) *cp;
    if (delim == 0 || isalnum(delim) || isspace(delim)) {
	msg_warn("regexp map %s, line %d: no regexp delimiter: ignoring this rule", t->path, lineno);
	return -1;
    }
    pat = vstr_alloc(100);
    for (cp++; *cp && *cp != delim; cp++) {
	if (*cp == '\\' && cp[1] == delim) {	/* escaped delimiter */
	    cp++;
	} else if (*cp == '\\' && cp[1]) {
	    vstr_addch(pat, *cp++);
	}
	vstr_addch(pat, *cp);
    }
    if (*cp != delim) {
	msg_warn("regexp map %s, line %d: no closing regexp delimiter \"%c\": ignoring this rule",
		 t->path, lineno, delim);
	vstr_free(pat);
	return -1;
    }
    for (cp++; *cp && !isspace((unsigned char) *cp); cp++) {
	switch (*cp) {
	case 'i':
	    cflags ^= REG_ICASE;
	    break;
	case 'x':
	    cflags ^= REG_EXTENDED;
	    break;
	case 'm':
	    cflags ^= REG_NEWLINE;
	    break;
	default:
	    msg_warn("regexp map %s, line %d: unknown regexp option \"%c\": skipping this rule",
		     t->path, lineno, *cp);
	    vstr_free(pat);
	    return -1;
	}
    }
    if ((err = regcomp(re, pat->str, cflags)) != 0) {
	char    buf[256];

	regerror(err, re, buf, sizeof(buf));
	msg_warn("regexp map %s, line %d: %s: ignoring this rule", t->path, lineno, buf);
	vstr_free(pat);
	return -1;
    }
    vstr_free(pat);
    *nsub = (int) re->re_nsub;
    *cpp = cp;
    return 0;
}

/* regexp_check_subst - are the $n references of value within nsub? */
static int regexp_check_subst(REGEXP_TABLE *t, int lineno, const char *value, int nsub)
{
    for (const char *cp = value; *cp; cp++) {
	int     n;

	if (*cp != '$')
	    continue;
	cp++;
	if (*cp == '$')
	    continue;
	if (*cp == '{') {
	    n = atoi(cp + 1);
	    if (!isdigit((unsigned char) cp[1]) || strchr(cp, '}') == NULL)
		goto bad;
	} else if (isdigit((unsigned char) *cp)) {
	    n = *cp - '0';
	} else {
	    goto bad;
	}
	if (n < 1 || n > nsub || n >= REGEXP_SUBS) {
	    msg_warn("regexp map %s, line %d: out-of-range replacement index \"%d\"",
		     t->path, lineno, n);
	    goto bad;
	}
    }
    return 0;
bad:
    msg_warn("regexp map %s, line %d: bad replacement syntax: skipping this rule", t->path, lineno);
    return -1;
}

/* regexp_line - one logical line: a rule, if or endif. */
static void regexp_line(REGEXP_TABLE *t, char *line, int lineno)
{
    char   *cp = line + strspn(line, " \t");
    REGEXP_RULE *r;
    regex_t re;
    int     nsub, neg = 0;

    if (strncasecmp(cp, "endif", 5) == 0 && (cp[5] == 0 || isspace((unsigned char) cp[5]))) {
	if (t->depth == 0) {
	    msg_warn("regexp map %s, line %d: ignoring ENDIF without matching IF", t->path, lineno);
	    return;
	}
	r = regexp_add(t);
	r->type = RULE_ENDIF;
	r->lineno = lineno;
	t->rule[t->stack[--t->depth]].endif = t->count - 1;
	return;
    }
    if (strncasecmp(cp, "if", 2) == 0 && isspace((unsigned char) cp[2])) {
	cp += 2;
	cp += strspn(cp, " \t");
	if (*cp == '!')
	    neg = 1, cp++;
	if (regexp_parse_pattern(t, lineno, &cp, &re, &nsub) < 0) {
	    t->bad = 1;
	    return;
	}
	if (t->depth >= REGEXP_NEST_MAX) {
	    msg_warn("regexp map %s, line %d: IF nesting too deep", t->path, lineno);
	    regfree(&re);
	    t->bad = 1;
	    return;
	}
	r = regexp_add(t);
	r->type = RULE_IF;
	r->neg = neg;
	r->re = re;
	r->lineno = lineno;
	t->stack[t->depth++] = t->count - 1;
	return;
    }
    if (*cp == '!')
	neg = 1, cp++;
    if (regexp_parse_pattern(t, lineno, &cp, &re, &nsub) < 0)
	return;
    cp += strspn(cp, " \t");
    trimblanks(cp);
    if (neg && strchr(cp, '$') != NULL && regexp_check_subst(t, lineno, cp, 0) < 0) {
	regfree(&re);
	return;
    }
    if (!neg && regexp_check_subst(t, lineno, cp, nsub) < 0) {
	regfree(&re);
	return;
    }
    r = regexp_add(t);
    r->type = RULE_MATCH;
    r->neg = neg;
    r->re = re;
    r->nsub = nsub;
    r->value = mystrdup(cp);
    r->lineno = lineno;
}

/* regexp_expand - value with $n replaced by the matched text of key. */
static const char *regexp_expand(DICT *d, const REGEXP_RULE *r, const char *key, const regmatch_t *pm)
{
    vstr_reset(d->result);
    for (const char *cp = r->value; *cp; cp++) {
	int     n;

	if (*cp != '$' || r->neg) {
	    vstr_addch(d->result, *cp);
	    continue;
	}
	cp++;
	if (*cp == '$') {
	    vstr_addch(d->result, '$');
	    continue;
	}
	if (*cp == '{') {
	    n = atoi(cp + 1);
	    cp = strchr(cp, '}');
	} else {
	    n = *cp - '0';
	}
	if (n > 0 && n < REGEXP_SUBS && pm[n].rm_so >= 0)
	    vstr_addn(d->result, key + pm[n].rm_so, (size_t) (pm[n].rm_eo - pm[n].rm_so));
    }
    return vstr_str(d->result);
}

static const char *dict_regexp_lookup(DICT *d, const char *key, int *err)
{
    REGEXP_TABLE *t = d->handle;
    regmatch_t pm[REGEXP_SUBS];

    *err = DICT_ERR_NONE;
    for (int i = 0; i < t->count; i++) {
	REGEXP_RULE *r = t->rule + i;
	int     match;

	switch (r->type) {
	case RULE_ENDIF:
	    break;
	case RULE_IF:
	    match = regexec(&r->re, key, 0, NULL, 0) == 0;
	    if (match == r->neg)
		i = r->endif;			/* skip the block */
	    break;
	case RULE_MATCH:
	    match = regexec(&r->re, key, REGEXP_SUBS, pm, 0) == 0;
	    if (match != r->neg)
		return regexp_expand(d, r, key, pm);
	    break;
	}
    }
    return NULL;
}

static void dict_regexp_free(DICT *d)
{
    REGEXP_TABLE *t = d->handle;

    for (int i = 0; i < t->count; i++) {
	if (t->rule[i].type != RULE_ENDIF)
	    regfree(&t->rule[i].re);
	myfree(t->rule[i].value);
    }
    myfree(t->rule);
    myfree(t);
}

/* regexp_read - read the file's logical lines (comments, continuation). */
static int regexp_read(REGEXP_TABLE *t, const char *path, const char **why)
{
    FILE   *fp;
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t n;
    VSTR   *logical = vstr_alloc(200);
    int     lineno = 0, start = 0;

    if ((fp = fopen(path, "r")) == NULL) {
	vstr_free(logical);
	*why = dict_fail(DICT_ERR_RETRY, "open database %s: %s", path, strerror(errno));
	return -1;
    }
    while ((n = getline(&line, &cap, fp)) >= 0) {
	lineno++;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
	    line[--n] = 0;
	char   *cp = line + strspn(line, " \t\f\v");

	if (*cp == 0 || *cp == '#')
	    continue;
	if (cp != line && start) {
	    vstr_addn(logical, line, (size_t) n);
	    continue;
	}
	if (start)
	    regexp_line(t, logical->str, start);
	vstr_set(logical, line);
	start = lineno;
    }
    if (start)
	regexp_line(t, logical->str, start);
    fclose(fp);
    free(line);
    vstr_free(logical);
    return 0;
}

DICT   *dict_regexp_open(const char *spec, const char *path, int flags, const char **why)
{
    REGEXP_TABLE *t = mycalloc(1, sizeof(*t));
    DICT   *d;

    t->path = path;
    d = dict_alloc(spec, (flags & ~DICT_FLAG_FOLD_FIX) | DICT_FLAG_PATTERN);
    d->handle = t;
    d->lookup = dict_regexp_lookup;
    d->free_fn = dict_regexp_free;
    if (regexp_read(t, path, why) < 0) {
	d->refcount = 1;
	dict_close(d);
	return NULL;
    }
    while (t->depth > 0) {
	int     i = t->stack[--t->depth];

	msg_warn("regexp map %s, line %d: IF has no matching ENDIF", path, t->rule[i].lineno);
	t->rule[i].endif = t->count - 1;
    }
    t->path = NULL;
    return d;
}
