/* mac_expand.c - expand Postfix-style $name macros (main.cf values,
 * master.cf -o values, templates) with a caller-supplied lookup, including
 * the conditional and relational ${...} forms of Postfix 3.x. Recursion is
 * bounded by MAC_EXP_MAX_DEPTH so a loop like a = $b, b = $a terminates. */
#include "util/sys_defs.h"
#include <ctype.h>
#include "util/mac_expand.h"
#include "util/vstr.h"
#include "util/mymalloc.h"
#include "util/argv.h"

void    (*mac_expand_undef_hook) (const char *name, void *ctx);

typedef struct EXP_CTX {
    MAC_EXP_LOOKUP_FN lookup;
    void   *ctx;
    long    budget;			/* name expansions left (a = $b $b ...) */
} EXP_CTX;

#define MAC_EXP_BUDGET	100000

static int expand(VSTR *out, const char *s, size_t len, EXP_CTX *ec, int depth);

#define IS_NAME_CH(c) (isalnum((unsigned char) (c)) || (c) == '_')

/* find_close - index of the bracket closing the one at s[start-1], or -1. */
static ssize_t find_close(const char *s, size_t len, size_t start, int open, int close)
{
    int     level = 1;

    for (size_t i = start; i < len; i++) {
	if (s[i] == open)
	    level++;
	else if (s[i] == close && --level == 0)
	    return ((ssize_t) i);
    }
    return (-1);
}

static void skip_ws(const char *s, size_t len, size_t *pos)
{
    while (*pos < len && isspace((unsigned char) s[*pos]))
	(*pos)++;
}

/* braced - parse "{text}" at *pos (after white space); 0 on success. */
static int braced(const char *s, size_t len, size_t *pos, size_t *start, size_t *blen)
{
    ssize_t end;

    skip_ws(s, len, pos);
    if (*pos >= len || s[*pos] != '{')
	return (-1);
    end = find_close(s, len, *pos + 1, '{', '}');
    if (end < 0)
	return (-1);
    *start = *pos + 1;
    *blen = (size_t) end - *start;
    *pos = (size_t) end + 1;
    return (0);
}

/* expand_name - append the expanded value of name. */
static int expand_name(VSTR *out, const char *name, EXP_CTX *ec, int depth)
{
    const char *val = ec->lookup(name, ec->ctx);

    if (val == 0) {
	if (mac_expand_undef_hook)
	    mac_expand_undef_hook(name, ec->ctx);
	return (MAC_EXP_UNDEF);
    }
    if (depth >= MAC_EXP_MAX_DEPTH || --ec->budget < 0)
	return (MAC_EXP_LOOP);
    return (expand(out, val, strlen(val), ec, depth + 1));
}

int     mac_compat_level_cmp(const char *a, const char *b, int *err)
{
    long    pa[3] = {0, 0, 0}, pb[3] = {0, 0, 0};
    const char *strs[2] = {a, b};
    long   *parts[2] = {pa, pb};

    *err = 0;
    for (int k = 0; k < 2; k++) {
	const char *cp = strs[k];
	int     n = 0;

	while (isspace((unsigned char) *cp))
	    cp++;
	for (;;) {
	    char   *end;

	    if (!isdigit((unsigned char) *cp) || n >= 3) {
		*err = 1;
		return (0);
	    }
	    errno = 0;
	    parts[k][n++] = strtol(cp, &end, 10);
	    if (errno) {
		*err = 1;
		return (0);
	    }
	    cp = end;
	    if (*cp == '.') {
		cp++;
		continue;
	    }
	    while (isspace((unsigned char) *cp))
		cp++;
	    if (*cp != 0) {
		*err = 1;
		return (0);
	    }
	    break;
	}
    }
    for (int i = 0; i < 3; i++)
	if (pa[i] != pb[i])
	    return (pa[i] < pb[i] ? -1 : 1);
    return (0);
}

/* relational - ${{a} op {b} ? {t} : {f}}; inner is the text between ${ and }. */
static int relational(VSTR *out, const char *s, size_t len, EXP_CTX *ec, int depth)
{
    size_t  pos = 0, as, al, bs, bl, ts, tl, fs, fl;
    char    op[16];
    size_t  oplen = 0;
    int     flags = 0, cmp = 0, err = 0, res;
    VSTR   *va, *vb;

    if (braced(s, len, &pos, &as, &al) < 0)
	return (MAC_EXP_SYNTAX);
    skip_ws(s, len, &pos);
    while (pos < len && strchr("=!<>", s[pos]) && oplen < 4)
	op[oplen++] = s[pos++];
    if (pos + 5 <= len && strncmp(s + pos, "level", 5) == 0 && oplen < 4) {
	memcpy(op + oplen, "level", 5);
	oplen += 5;
	pos += 5;
    }
    op[oplen] = 0;
    if (braced(s, len, &pos, &bs, &bl) < 0)
	return (MAC_EXP_SYNTAX);
    skip_ws(s, len, &pos);
    if (pos >= len || s[pos] != '?')
	return (MAC_EXP_SYNTAX);
    pos++;
    if (braced(s, len, &pos, &ts, &tl) < 0)
	return (MAC_EXP_SYNTAX);
    skip_ws(s, len, &pos);
    if (pos >= len || s[pos] != ':')
	return (MAC_EXP_SYNTAX);
    pos++;
    if (braced(s, len, &pos, &fs, &fl) < 0)
	return (MAC_EXP_SYNTAX);
    skip_ws(s, len, &pos);
    if (pos != len)
	return (MAC_EXP_SYNTAX);

    va = vstr_alloc(32);
    vb = vstr_alloc(32);
    flags |= expand(va, s + as, al, ec, depth + 1);
    flags |= expand(vb, s + bs, bl, ec, depth + 1);
    if (strstr(op, "level")) {
	/* An empty compatibility level counts as 0, as Postfix's default. */
	cmp = mac_compat_level_cmp(*va->str ? va->str : "0",
				   *vb->str ? vb->str : "0", &err);
    } else if (alldig(va->str) && alldig(vb->str)) {
	long    na = strtol(va->str, 0, 10), nb = strtol(vb->str, 0, 10);

	cmp = (na < nb) ? -1 : (na > nb);
    } else {
	cmp = strcmp(va->str, vb->str);
    }
    vstr_free(va);
    vstr_free(vb);
    if (err)
	return (flags | MAC_EXP_SYNTAX);

    if (strcmp(op, "==") == 0 || strcmp(op, "==level") == 0)
	res = (cmp == 0);
    else if (strcmp(op, "!=") == 0 || strcmp(op, "!=level") == 0)
	res = (cmp != 0);
    else if (strcmp(op, "<") == 0 || strcmp(op, "<level") == 0)
	res = (cmp < 0);
    else if (strcmp(op, "<=") == 0 || strcmp(op, "<=level") == 0)
	res = (cmp <= 0);
    else if (strcmp(op, ">") == 0 || strcmp(op, ">level") == 0)
	res = (cmp > 0);
    else if (strcmp(op, ">=") == 0 || strcmp(op, ">=level") == 0)
	res = (cmp >= 0);
    else
	return (flags | MAC_EXP_SYNTAX);
    if (res)
	flags |= expand(out, s + ts, tl, ec, depth + 1);
    else
	flags |= expand(out, s + fs, fl, ec, depth + 1);
    return (flags);
}

/* braced_expr - the text between "${" and "}" (or "$(" and ")"). */
static int braced_expr(VSTR *out, const char *s, size_t len, EXP_CTX *ec, int depth)
{
    size_t  pos = 0, nlen;
    char   *name;
    const char *val;
    int     flags = 0, nonempty;

    skip_ws(s, len, &pos);
    if (pos < len && s[pos] == '{')
	return (relational(out, s + pos, len - pos, ec, depth));
    pos = 0;
    while (pos < len && IS_NAME_CH(s[pos]))
	pos++;
    nlen = pos;
    if (nlen == 0)
	return (MAC_EXP_SYNTAX);
    name = mystrndup(s, nlen);
    if (pos == len) {
	flags = expand_name(out, name, ec, depth);
	myfree(name);
	return (flags);
    }
    if (s[pos] != '?' && s[pos] != ':') {
	myfree(name);
	return (MAC_EXP_SYNTAX);
    }
    val = ec->lookup(name, ec->ctx);
    if (val == 0) {
	if (mac_expand_undef_hook)
	    mac_expand_undef_hook(name, ec->ctx);
	flags |= MAC_EXP_UNDEF;
    }
    myfree(name);
    nonempty = (val != 0 && *val != 0);
    {
	int     cond = s[pos];
	size_t  tpos = pos + 1, ts, tl, fs, fl, p2;

	/* ${name?{t}:{f}} */
	p2 = tpos;
	if (cond == '?' && braced(s, len, &p2, &ts, &tl) == 0) {
	    skip_ws(s, len, &p2);
	    if (p2 < len && s[p2] == ':') {
		p2++;
		if (braced(s, len, &p2, &fs, &fl) == 0) {
		    skip_ws(s, len, &p2);
		    if (p2 == len) {
			if (nonempty)
			    return (flags | expand(out, s + ts, tl, ec, depth + 1));
			else
			    return (flags | expand(out, s + fs, fl, ec, depth + 1));
		    }
		}
		return (flags | MAC_EXP_SYNTAX);
	    }
	    /* ${name?{t}} */
	    if (p2 == len) {
		if (nonempty)
		    flags |= expand(out, s + ts, tl, ec, depth + 1);
		return (flags);
	    }
	}
	p2 = tpos;
	if (cond == ':' && braced(s, len, &p2, &ts, &tl) == 0) {
	    skip_ws(s, len, &p2);
	    if (p2 == len) {
		if (!nonempty)
		    flags |= expand(out, s + ts, tl, ec, depth + 1);
		return (flags);
	    }
	}
	/* Plain ${name?text} / ${name:text}. */
	if ((cond == '?' && nonempty) || (cond == ':' && !nonempty))
	    flags |= expand(out, s + tpos, len - tpos, ec, depth + 1);
    }
    return (flags);
}

static int expand(VSTR *out, const char *s, size_t len, EXP_CTX *ec, int depth)
{
    int     flags = 0;
    size_t  i = 0;

    if (depth > MAC_EXP_MAX_DEPTH)
	return (MAC_EXP_LOOP);
    while (i < len) {
	size_t  start = i;

	while (i < len && s[i] != '$')
	    i++;
	if (i > start)
	    vstr_addn(out, s + start, i - start);
	if (i >= len)
	    break;
	/* s[i] == '$' */
	if (i + 1 >= len) {
	    vstr_addch(out, '$');
	    flags |= MAC_EXP_SYNTAX;
	    i++;
	} else if (s[i + 1] == '$') {
	    vstr_addch(out, '$');
	    i += 2;
	} else if (s[i + 1] == '{' || s[i + 1] == '(') {
	    int     open = s[i + 1], close = (open == '{') ? '}' : ')';
	    ssize_t end = find_close(s, len, i + 2, open, close);

	    if (end < 0) {
		vstr_addn(out, s + i, len - i);
		return (flags | MAC_EXP_SYNTAX);
	    }
	    flags |= braced_expr(out, s + i + 2, (size_t) end - (i + 2), ec, depth);
	    i = (size_t) end + 1;
	} else if (IS_NAME_CH(s[i + 1])) {
	    size_t  n = i + 1;
	    char   *name;

	    while (n < len && IS_NAME_CH(s[n]))
		n++;
	    name = mystrndup(s + i + 1, n - i - 1);
	    flags |= expand_name(out, name, ec, depth);
	    myfree(name);
	    i = n;
	} else {
	    vstr_addch(out, '$');
	    flags |= MAC_EXP_SYNTAX;
	    i++;
	}
    }
    return (flags);
}

int     mac_expand(VSTR *result, const char *value, MAC_EXP_LOOKUP_FN lookup, void *ctx)
{
    EXP_CTX ec;

    ec.lookup = lookup;
    ec.ctx = ctx;
    ec.budget = MAC_EXP_BUDGET;
    return (expand(result, value, strlen(value), &ec, 0));
}
