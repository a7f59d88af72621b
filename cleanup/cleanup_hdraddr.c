/* cleanup_hdraddr.c - address headers (From:, To:, Cc:, Reply-To:, ...)
 * of local submissions get unqualified addresses completed with
 * @$myorigin, as Postfix's cleanup does in the "local" rewriting context.
 * A header in which no address changes is left byte for byte; a changed
 * one is written out again in Postfix's normalised form (single spaces,
 * comments after the address, source routes dropped, local parts quoted
 * where needed) and folded after commas the way Postfix folds it (a line
 * is continued while it stays under 70 columns, not counting the TAB). */
#include "util/sys_defs.h"
#include <strings.h>
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "global/mail_params.h"
#include "cleanup/cleanup.h"

#define HDRADDR_TOK_MAX	10000		/* Postfix: header_address_token_limit 10240 */

typedef enum {
    T_ATOM, T_QSTR, T_COMMENT, T_DLIT, T_SPECIAL,
} TOKTYPE;

typedef struct {
    TOKTYPE type;
    char   *text;			/* raw text (specials: one char) */
} TOK;

static const char *const addr_headers[] = {
    "from", "sender", "reply-to", "to", "cc", "bcc",
    "resent-from", "resent-sender", "resent-reply-to", "resent-to",
    "resent-cc", "resent-bcc", "apparently-to", "errors-to",
    "return-receipt-to", "disposition-notification-to", "mail-followup-to",
    0,
};

int     cleanup_is_addr_header(const char *name)
{
    const char *const *cpp;

    for (cpp = addr_headers; *cpp; cpp++)
	if (strcasecmp(*cpp, name) == 0)
	    return 1;
    return 0;
}

/* tokenize - split value into RFC 822 tokens; -1 if unbalanced */

static int tokenize(const char *cp, TOK **toks, int *ntok)
{
    int     cap = 16, n = 0, depth;
    const char *start;
    TOK    *t = mymalloc(sizeof(*t) * cap);

#define ADD(ty, s, len) do { \
	if (n >= HDRADDR_TOK_MAX) goto bad; \
	if (n == cap) { cap *= 2; t = myrealloc(t, sizeof(*t) * cap); } \
	t[n].type = (ty); t[n].text = mymalloc((len) + 1); \
	memcpy(t[n].text, (s), (len)); t[n].text[(len)] = 0; n++; \
    } while (0)

    while (*cp) {
	if (*cp == ' ' || *cp == '\t' || *cp == '\n' || *cp == '\r') {
	    cp++;
	} else if (*cp == '"') {
	    start = cp++;
	    while (*cp && *cp != '"') {
		if (*cp == '\\' && cp[1])
		    cp++;
		cp++;
	    }
	    if (*cp != '"')
		goto bad;
	    cp++;
	    ADD(T_QSTR, start, (size_t) (cp - start));
	} else if (*cp == '(') {
	    start = cp;
	    for (depth = 0; *cp; cp++) {
		if (*cp == '\\' && cp[1])
		    cp++;
		else if (*cp == '(')
		    depth++;
		else if (*cp == ')' && --depth == 0)
		    break;
	    }
	    if (*cp != ')')
		goto bad;
	    cp++;
	    ADD(T_COMMENT, start, (size_t) (cp - start));
	} else if (*cp == '[') {
	    start = cp;
	    while (*cp && *cp != ']') {
		if (*cp == '\\' && cp[1])
		    cp++;
		cp++;
	    }
	    if (*cp != ']')
		goto bad;
	    cp++;
	    ADD(T_DLIT, start, (size_t) (cp - start));
	} else if (strchr("<>@,;:.\\)]", *cp)) {
	    ADD(T_SPECIAL, cp, 1);
	    cp++;
	} else {
	    start = cp;
	    while (*cp && !strchr(" \t\r\n\"()[]<>@,;:.\\", *cp))
		cp++;
	    ADD(T_ATOM, start, (size_t) (cp - start));
	}
    }
    *toks = t;
    *ntok = n;
    return 0;
bad:
    while (n > 0)
	myfree(t[--n].text);
    myfree(t);
    return -1;
}

static int is_special(const TOK *t, int ch)
{
    return t->type == T_SPECIAL && t->text[0] == ch;
}

/* unquote_into - the internal (unquoted) text of atoms, dots and quoted strings */

static void unquote_into(VSTR *out, const TOK *t, int from, int to)
{
    int     i;
    const char *cp;

    for (i = from; i < to; i++) {
	if (t[i].type == T_COMMENT)
	    continue;
	if (t[i].type == T_QSTR) {
	    for (cp = t[i].text + 1; *cp && cp[1]; cp++) {
		if (*cp == '\\' && cp[1] && cp[2])
		    cp++;
		vstr_addch(out, *cp);
	    }
	} else {
	    vstr_adds(out, t[i].text);
	}
    }
}

/* quote_local - external form of an internal local part */

static void quote_local(VSTR *out, const char *local)
{
    const char *cp;
    int     need = (*local == 0 || *local == '.');

    for (cp = local; *cp && !need; cp++) {
	if (strchr(" \t\"()<>@,;:\\[]", *cp) || (unsigned char) *cp < 32
	    || (*cp == '.' && (cp[1] == '.' || cp[1] == 0)))
	    need = 1;
    }
    if (!need) {
	vstr_adds(out, local);
	return;
    }
    vstr_addch(out, '"');
    for (cp = local; *cp; cp++) {
	if (*cp == '"' || *cp == '\\')
	    vstr_addch(out, '\\');
	vstr_addch(out, *cp);
    }
    vstr_addch(out, '"');
}

/* render_addr_spec - canonicalise the addr-spec in tokens [from,to)
 * (comments skipped) into out; sets *changed if the address changed */

static void render_addr_spec(VSTR *out, const TOK *t, int from, int to, int *changed)
{
    VSTR   *local = vstr_alloc(64);
    VSTR   *canon = vstr_alloc(64);
    VSTR   *domain = vstr_alloc(64);
    int     i, at = -1;

    /* Source route: "@a,@b:" before the address proper. */
    if (from < to && is_special(&t[from], '@')) {
	for (i = from; i < to; i++)
	    if (is_special(&t[i], ':')) {
		from = i + 1;
		break;
	    }
    }
    for (i = from; i < to; i++)
	if (is_special(&t[i], '@'))
	    at = i;
    if (from == to) {
	vstr_free(local);
	vstr_free(canon);
	vstr_free(domain);
	return;				/* <> */
    }
    unquote_into(local, t, from, at >= 0 ? at : to);
    if (at >= 0)
	for (i = at + 1; i < to; i++)
	    if (t[i].type != T_COMMENT)
		vstr_adds(domain, t[i].text);
    if (at < 0) {
	vstr_setn(canon, vstr_str(local), vstr_len(local));
	cleanup_canon(canon, vstr_str(local));
	if (strrchr(vstr_str(canon), '@') && vstr_len(canon) > vstr_len(local)) {
	    vstr_set(domain, strrchr(vstr_str(canon), '@') + 1);
	    at = 1;
	    *changed = 1;
	}
    }
    quote_local(out, vstr_str(local));
    if (at >= 0) {
	vstr_addch(out, '@');
	vstr_adds(out, vstr_str(domain));
    }
    vstr_free(local);
    vstr_free(canon);
    vstr_free(domain);
}

/* render_phrase - display name or group name words, single-spaced */

static void render_words(VSTR *out, const TOK *t, int from, int to)
{
    int     i;

    for (i = from; i < to; i++) {
	if (vstr_len(out) > 0 && !is_special(&t[i], '.')
	    && !(i > from && is_special(&t[i - 1], '.')))
	    vstr_addch(out, ' ');
	vstr_adds(out, t[i].text);
    }
}

/* render_mailbox - one address: phrase <route-addr> or addr-spec (comments) */

static void render_mailbox(VSTR *out, const TOK *t, int from, int to, int *changed)
{
    VSTR   *comments = vstr_alloc(32);
    VSTR   *phrase = vstr_alloc(32);
    int     lt = -1, gt = -1, i;

    for (i = from; i < to; i++) {
	if (is_special(&t[i], '<') && lt < 0)
	    lt = i;
	else if (is_special(&t[i], '>') && lt >= 0 && gt < 0)
	    gt = i;
    }
    if (lt >= 0 && gt < 0)
	gt = to;
    for (i = from; i < to; i++)
	if (t[i].type == T_COMMENT && (lt < 0 || i < lt || i > gt)) {
	    vstr_addch(comments, ' ');
	    vstr_adds(comments, t[i].text);
	}
    if (lt >= 0) {
	for (i = from; i < lt; i++)
	    if (t[i].type != T_COMMENT)
		render_words(phrase, t, i, i + 1);
	if (vstr_len(phrase)) {
	    vstr_adds(out, vstr_str(phrase));
	    vstr_addch(out, ' ');
	}
	vstr_addch(out, '<');
	render_addr_spec(out, t, lt + 1, gt, changed);
	vstr_addch(out, '>');
    } else {
	render_addr_spec(out, t, from, to, changed);
    }
    vstr_adds(out, vstr_str(comments));
    vstr_free(comments);
    vstr_free(phrase);
}

/* split_list - render a comma-separated list [from,to) as units into argv */

static void split_list(ARGV *units, const TOK *t, int from, int to, int *changed)
{
    VSTR   *buf = vstr_alloc(64);
    int     start = from, i, angle = 0, j;

    for (i = from; i <= to; i++) {
	if (i < to && is_special(&t[i], '<'))
	    angle++;
	else if (i < to && is_special(&t[i], '>') && angle > 0)
	    angle--;
	else if (i < to && is_special(&t[i], ':') && angle == 0) {
	    /* A group: name: members; */
	    int     end = to;

	    for (j = i + 1; j < to; j++)
		if (is_special(&t[j], ';')) {
		    end = j;
		    break;
		}
	    vstr_reset(buf);
	    render_words(buf, t, start, i);
	    vstr_addch(buf, ':');
	    {
		ARGV   *members = argv_alloc(4);
		int     k;

		split_list(members, t, i + 1, end, changed);
		for (k = 0; k < members->argc; k++) {
		    vstr_adds(buf, k ? ", " : " ");
		    vstr_adds(buf, members->argv[k]);
		}
		if (members->argc == 0)
		    vstr_addch(buf, ' ');
		argv_free(members);
	    }
	    vstr_addch(buf, ';');
	    argv_add(units, vstr_str(buf), (char *) 0);
	    /* Skip to the comma after the group. */
	    for (i = end + 1; i < to && !is_special(&t[i], ','); i++)
		 /* void */ ;
	    start = i + 1;
	    continue;
	}
	if (i == to || (is_special(&t[i], ',') && angle == 0)) {
	    if (i > start) {
		vstr_reset(buf);
		render_mailbox(buf, t, start, i, changed);
		if (vstr_len(buf))
		    argv_add(units, vstr_str(buf), (char *) 0);
	    }
	    start = i + 1;
	}
    }
    vstr_free(buf);
}

int     cleanup_rewrite_addr_header(VSTR *hdr, size_t name_len)
{
    const char *value;
    TOK    *toks;
    int     ntok, changed = 0, i;
    ARGV   *units;
    VSTR   *out, *line;
    char   *name;

    value = strchr(vstr_str(hdr), ':');
    if (value == 0)
	return 0;
    if (tokenize(value + 1, &toks, &ntok) < 0)
	return 0;
    units = argv_alloc(8);
    split_list(units, toks, 0, ntok, &changed);
    if (changed) {
	name = mymalloc(name_len + 1);
	memcpy(name, vstr_str(hdr), name_len);
	name[name_len] = 0;
	out = vstr_alloc(vstr_len(hdr) + 64);
	line = vstr_alloc(100);
	vstr_sprintf(line, "%s:", name);
	for (i = 0; i < units->argc; i++) {
	    size_t  ulen = strlen(units->argv[i]) + (i + 1 < units->argc);
	    size_t  col = vstr_len(line) - (vstr_str(line)[0] == '\t');

	    if (i == 0 || col + 1 + ulen < 70) {
		vstr_addch(line, ' ');
	    } else {
		vstr_adds(out, vstr_str(line));
		vstr_addch(out, '\n');
		vstr_set(line, "\t");
	    }
	    vstr_adds(line, units->argv[i]);
	    if (i + 1 < units->argc)
		vstr_addch(line, ',');
	}
	vstr_adds(out, vstr_str(line));
	vstr_setn(hdr, vstr_str(out), vstr_len(out));
	vstr_free(out);
	vstr_free(line);
	myfree(name);
    }
    argv_free(units);
    for (i = 0; i < ntok; i++)
	myfree(toks[i].text);
    myfree(toks);
    return changed;
}
