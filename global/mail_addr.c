/* mail_addr.c - RFC 5321/822 addresses: parse SMTP paths the way Postfix's
 * smtpd accepts them (comments and white space between tokens dropped,
 * nested or unbalanced-right angle brackets tolerated, source routes
 * dropped, domain checked as a host name or address literal), and convert
 * between the internal (unquoted) and external (quoted) forms. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <arpa/inet.h>
#include <strings.h>
#include "util/mymalloc.h"
#include "global/mail_addr.h"

#define ADDR_SPECIALS	"()<>@,;:\\\".[]"
#define ADDR_MAX_TOKENS	10000		/* one SMTP line never needs more */

typedef enum {
    TOK_ATOM, TOK_QSTR, TOK_LIT, TOK_SPECIAL,
} TOK_TYPE;

typedef struct {
    TOK_TYPE type;
    char   *text;			/* atom text, unquoted string, "[lit]", special char */
} TOK;

typedef struct {
    TOK    *tok;
    int     n, cap;
} TOKS;

static void toks_add(TOKS *t, TOK_TYPE type, const char *text, size_t len)
{
    if (t->n >= t->cap) {
	t->cap = t->cap ? t->cap * 2 : 16;
	t->tok = myrealloc(t->tok, (size_t) t->cap * sizeof(TOK));
    }
    t->tok[t->n].type = type;
    t->tok[t->n].text = mystrndup(text, len);
    t->n++;
}

static void toks_free(TOKS *t)
{
    for (int i = 0; i < t->n; i++)
	myfree(t->tok[i].text);
    myfree(t->tok);
    t->tok = NULL;
    t->n = t->cap = 0;
}

static int is_special(int ch)
{
    return ch != 0 && strchr(ADDR_SPECIALS, ch) != NULL;
}

static int is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* tokenize - RFC 822 tokens of s[0..len) (comments dropped); -1 if malformed. */
static int tokenize(const char *s, size_t len, TOKS *t)
{
    const char *cp = s, *end = s + len;
    VSTR   *buf = vstr_alloc(64);

    while (cp < end) {
	unsigned char ch = (unsigned char) *cp;

	if (t->n >= ADDR_MAX_TOKENS)
	    goto bad;
	if (is_space(ch)) {
	    cp++;
	} else if (ch == '(') {			/* comment, may nest */
	    int     level = 0;

	    for (; cp < end; cp++) {
		if (*cp == '\\' && cp + 1 < end)
		    cp++;
		else if (*cp == '(')
		    level++;
		else if (*cp == ')' && --level == 0)
		    break;
	    }
	    if (cp >= end)
		goto bad;
	    cp++;
	} else if (ch == '"') {			/* quoted string */
	    vstr_reset(buf);
	    for (cp++; cp < end && *cp != '"'; cp++) {
		if (*cp == '\\' && cp + 1 < end)
		    cp++;
		vstr_addch(buf, *cp);
	    }
	    if (cp >= end)
		goto bad;
	    cp++;
	    toks_add(t, TOK_QSTR, buf->str, buf->len);
	} else if (ch == '[') {			/* domain literal */
	    vstr_reset(buf);
	    for (; cp < end && *cp != ']'; cp++) {
		if (*cp == '\\' && cp + 1 < end)
		    cp++;
		if (*cp == '[' && vstr_len(buf) > 0)
		    goto bad;
		vstr_addch(buf, *cp);
	    }
	    if (cp >= end)
		goto bad;
	    vstr_addch(buf, ']');
	    cp++;
	    toks_add(t, TOK_LIT, buf->str, buf->len);
	} else if (ch == '\\' || !is_special(ch)) {	/* atom */
	    vstr_reset(buf);
	    while (cp < end) {
		ch = (unsigned char) *cp;
		if (ch == '\\') {
		    if (cp + 1 >= end)
			goto bad;
		    vstr_addch(buf, cp[1]);
		    cp += 2;
		    continue;
		}
		if (is_space(ch) || is_special(ch))
		    break;
		if (ch < 0x20 || ch == 0x7f)
		    goto bad;
		vstr_addch(buf, (char) ch);
		cp++;
	    }
	    toks_add(t, TOK_ATOM, buf->str, buf->len);
	} else {
	    toks_add(t, TOK_SPECIAL, cp, 1);
	    cp++;
	}
    }
    vstr_free(buf);
    return 0;
bad:
    vstr_free(buf);
    return -1;
}

static int tok_is(const TOK *tok, int ch)
{
    return tok->type == TOK_SPECIAL && tok->text[0] == ch;
}

/* valid_hostname - Postfix-style host name check (labels of letters,
 * digits, '-' and '_', no label starting or ending with '-', at most 63
 * bytes per label and 255 in all, one trailing dot allowed, not all-numeric). */
static int valid_hostname(const char *name)
{
    size_t  len = strlen(name), label = 0;
    int     non_numeric = 0;
    const char *cp;

    if (len == 0 || len > 255 || name[0] == '.')
	return 0;
    for (cp = name; *cp; cp++) {
	unsigned char ch = (unsigned char) *cp;

	if (ch == '.') {
	    if (label == 0 || cp[-1] == '-')
		return 0;
	    label = 0;
	    continue;
	}
	if (isalpha(ch) || ch == '_' || ch >= 0x80) {
	    non_numeric = 1;
	} else if (ch == '-') {
	    non_numeric = 1;
	    if (label == 0)
		return 0;
	} else if (!isdigit(ch)) {
	    return 0;
	}
	if (++label > 63)
	    return 0;
    }
    if (label > 0 && cp[-1] == '-')
	return 0;
    return non_numeric;
}

/* valid_literal - "[a.b.c.d]" or "[IPv6:...]". */
static int valid_literal(const char *lit)
{
    size_t  len = strlen(lit);
    char   *inner;
    unsigned char addr[16];
    int     ok;

    if (len < 3 || lit[0] != '[' || lit[len - 1] != ']')
	return 0;
    inner = mystrndup(lit + 1, len - 2);
    if (strncasecmp(inner, "IPv6:", 5) == 0)
	ok = inet_pton(AF_INET6, inner + 5, addr) == 1;
    else
	ok = inet_pton(AF_INET, inner, addr) == 1;
    myfree(inner);
    return ok;
}

int     addr_valid_domain(const char *domain)
{
    return *domain == '[' ? valid_literal(domain) : valid_hostname(domain);
}

/* is_domain_tok - atom or '.' (parts of a dotted domain name). */
static int is_domain_tok(const TOK *tok)
{
    return tok->type == TOK_ATOM || tok_is(tok, '.');
}

/* parse_addr - internal form of the address text s[0..len); -1 if bad. */
static int parse_addr(const char *s, size_t len, VSTR *addr)
{
    TOKS    t = {0};
    int     first, last, at = -1, i;
    VSTR   *domain = vstr_alloc(64);

    vstr_reset(addr);
    if (tokenize(s, len, &t) < 0)
	goto bad;
    first = 0;
    last = t.n - 1;
    /* Angle brackets: matched pairs, and a stray trailing '>'. */
    while (first < last && tok_is(&t.tok[first], '<') && tok_is(&t.tok[last], '>'))
	first++, last--;
    if (first <= last && tok_is(&t.tok[last], '>') && !tok_is(&t.tok[first], '<'))
	last--;
    /* Source route "@a,@b:" is dropped. */
    if (first <= last && tok_is(&t.tok[first], '@')) {
	int     colon = -1;

	for (i = first; i <= last; i++)
	    if (tok_is(&t.tok[i], ':')) {
		colon = i;
		break;
	    }
	if (colon > 0) {
	    i = first;
	    for (;;) {
		if (!tok_is(&t.tok[i], '@'))
		    goto bad;
		i++;
		if (i >= colon || !(is_domain_tok(&t.tok[i]) || t.tok[i].type == TOK_LIT))
		    goto bad;
		while (i < colon && (is_domain_tok(&t.tok[i]) || t.tok[i].type == TOK_LIT))
		    i++;
		if (i == colon)
		    break;
		if (!tok_is(&t.tok[i], ','))
		    goto bad;
		i++;
	    }
	    first = colon + 1;
	}
    }
    for (i = first; i <= last; i++) {
	TOK    *tok = &t.tok[i];

	if (tok->type == TOK_SPECIAL && strchr("<>,;()[]\\\"", tok->text[0]))
	    goto bad;
	if (i > first && (tok->type == TOK_ATOM || tok->type == TOK_QSTR)
	    && (t.tok[i - 1].type == TOK_ATOM || t.tok[i - 1].type == TOK_QSTR))
	    goto bad;
	if (tok_is(tok, '@'))
	    at = i;
    }
    /* Local part: everything before the last '@', no literals. */
    for (i = first; i <= last && (at < 0 || i < at); i++) {
	if (t.tok[i].type == TOK_LIT)
	    goto bad;
	vstr_adds(addr, t.tok[i].text);
    }
    if (at >= 0) {
	if (at == last)
	    goto bad;				/* "a@" */
	if (at + 1 == last && t.tok[last].type == TOK_LIT) {
	    if (!valid_literal(t.tok[last].text))
		goto bad;
	    vstr_adds(domain, t.tok[last].text);
	} else {
	    /* Atoms, dots and (as Postfix allows) quoted strings; the
	     * domain of the resulting internal form is checked below. */
	    for (i = at + 1; i <= last; i++) {
		if (!is_domain_tok(&t.tok[i]) && t.tok[i].type != TOK_QSTR)
		    goto bad;
		vstr_adds(domain, t.tok[i].text);
	    }
	}
	vstr_addch(addr, '@');
	vstr_adds(addr, domain->str);
    }
    /* As Postfix (trivial-rewrite's check of the unquoted form): the part
     * after the last '@' of the internal address must be a valid domain. */
    {
	const char *last_at = strrchr(addr->str, '@');

	if (last_at && !addr_valid_domain(last_at + 1))
	    goto bad;
    }
    toks_free(&t);
    vstr_free(domain);
    return 0;
bad:
    toks_free(&t);
    vstr_free(domain);
    vstr_reset(addr);
    return -1;
}

int     addr_parse_path(const char *arg, VSTR *addr, const char **rest, const char **why)
{
    const char *cp = arg, *start, *end;

    vstr_reset(addr);
    while (is_space(*cp))
	cp++;
    start = cp;
    if (*cp == '<') {
	int     depth = 0, quoted = 0;

	for (; *cp; cp++) {
	    if (*cp == '\\' && cp[1]) {
		cp++;
		continue;
	    }
	    if (*cp == '"')
		quoted = !quoted;
	    else if (quoted)
		continue;
	    else if (*cp == '<')
		depth++;
	    else if (*cp == '>' && --depth == 0)
		break;
	}
	if (*cp != '>') {
	    *why = "Bad address syntax";
	    *rest = cp;
	    return -1;
	}
	end = ++cp;
	if (*cp && !is_space(*cp)) {
	    *why = "Bad address syntax";
	    *rest = cp;
	    return -1;
	}
    } else {
	int     quoted = 0;

	for (; *cp; cp++) {
	    if (*cp == '\\' && cp[1]) {
		cp++;
		continue;
	    }
	    if (*cp == '"')
		quoted = !quoted;
	    else if (!quoted && is_space(*cp))
		break;
	}
	end = cp;
    }
    *rest = end;
    if (parse_addr(start, (size_t) (end - start), addr) < 0) {
	*why = "Bad address syntax";
	return -1;
    }
    return 0;
}

/* local_needs_quote - does this local part need quotes in external form? */
static int local_needs_quote(const char *local, size_t len, int has_domain)
{
    if (len == 0)
	return has_domain;
    if (local[0] == '.' || local[len - 1] == '.')
	return 1;
    for (size_t i = 0; i < len; i++) {
	unsigned char ch = (unsigned char) local[i];

	if (ch <= ' ' || ch == 0x7f || is_special(ch))
	    if (ch != '.')
		return 1;
	if (ch == '.' && i + 1 < len && local[i + 1] == '.')
	    return 1;
    }
    return 0;
}

const char *addr_quote(VSTR *out, const char *internal)
{
    const char *at = strrchr(internal, '@');
    size_t  len = at ? (size_t) (at - internal) : strlen(internal);

    vstr_reset(out);
    if (local_needs_quote(internal, len, at != NULL)) {
	vstr_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
	    if (internal[i] == '"' || internal[i] == '\\')
		vstr_addch(out, '\\');
	    vstr_addch(out, internal[i]);
	}
	vstr_addch(out, '"');
    } else {
	vstr_addn(out, internal, len);
    }
    if (at)
	vstr_adds(out, at);
    return vstr_str(out);
}

const char *addr_unquote(VSTR *out, const char *external)
{
    TOKS    t = {0};

    vstr_reset(out);
    if (tokenize(external, strlen(external), &t) < 0) {
	vstr_set(out, external);
    } else {
	for (int i = 0; i < t.n; i++)
	    vstr_adds(out, t.tok[i].text);
    }
    toks_free(&t);
    return vstr_str(out);
}

const char *addr_domain(const char *addr)
{
    const char *at = strrchr(addr, '@');

    return at ? at + 1 : NULL;
}

const char *addr_local_part(VSTR *out, const char *addr)
{
    const char *at = strrchr(addr, '@');

    vstr_setn(out, addr, at ? (size_t) (at - addr) : strlen(addr));
    return vstr_str(out);
}

const char *addr_strip_extension(VSTR *out, const char *addr, const char *delims)
{
    const char *at = strrchr(addr, '@');
    size_t  len = at ? (size_t) (at - addr) : strlen(addr);
    size_t  pos;

    if (delims == NULL || *delims == 0)
	return NULL;
    for (pos = 0; pos < len; pos++)
	if (strchr(delims, addr[pos]))
	    break;
    if (pos == len || pos == 0)
	return NULL;
    vstr_setn(out, addr, pos);
    if (at)
	vstr_adds(out, at);
    return vstr_str(out);
}
