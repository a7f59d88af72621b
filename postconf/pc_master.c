/* pc_master.c - postconf's reader and printer of master.cf: logical lines
 * (continuations, comments), the eight columns, "-o name=value" overrides
 * with "{ ... }" grouping, printed in Postfix's normalized -M layout. */
#include "util/sys_defs.h"
#include <ctype.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "postconf/postconf.h"

#define MASTER_MAX_LINE	(1024 * 1024)
#define MASTER_MAX_ENTRIES 10000

/* next_token - next white-space separated token, a "{ ... }" group kept
 * whole (braces included); NULL at end; -1 in *bad if a brace is open. */
static char *next_token(char **bufp, int *bad)
{
    char   *cp = *bufp, *start;

    while (isspace((unsigned char) *cp))
	cp++;
    if (*cp == 0)
	return (0);
    start = cp;
    if (*cp == '{') {
	int     level = 0;

	for (; *cp; cp++) {
	    if (*cp == '{')
		level++;
	    else if (*cp == '}' && --level == 0) {
		cp++;
		break;
	    }
	}
	if (level != 0)
	    *bad = 1;
    } else {
	while (*cp && !isspace((unsigned char) *cp))
	    cp++;
    }
    if (*cp)
	*cp++ = 0;
    *bufp = cp;
    return (start);
}

/* unbrace - "{ text }" -> "text" (trimmed), in place. */
static char *unbrace(char *tok)
{
    size_t  len = strlen(tok);

    if (len >= 2 && tok[0] == '{' && tok[len - 1] == '}') {
	tok[len - 1] = 0;
	tok++;
	return (trimblanks(tok));
    }
    return (tok);
}

/* normalize_opt - "name = value" -> "name=value", braced if it has space. */
static char *normalize_opt(char *tok)
{
    char   *text = unbrace(tok), *eq;
    VSTR   *out = vstr_alloc(100);
    char   *name, *value;

    if ((eq = strchr(text, '=')) != 0) {
	*eq = 0;
	name = trimblanks(text);
	value = trimblanks(eq + 1);
	vstr_sprintf(out, "%s=%s", name, value);
    } else
	vstr_set(out, text);
    if (strpbrk(out->str, " \t")) {
	VSTR   *braced = vstr_alloc(out->len + 3);

	vstr_sprintf(braced, "{%s}", out->str);
	vstr_free(out);
	return (vstr_export(braced));
    }
    return (vstr_export(out));
}

static PC_SERVICE *parse_entry(char *line, const char *path, int lineno)
{
    PC_SERVICE *svc;
    char   *fields[8];
    char   *cp = line, *tok;
    int     bad = 0;

    for (int i = 0; i < 8; i++) {
	if ((fields[i] = next_token(&cp, &bad)) == 0)
	    msg_fatal("file %s: line %d: field \"%s\" is missing", path, lineno,
		      (const char *[]) {"service", "type", "private", "unpriv",
		      "chroot", "wakeup", "maxproc", "command"}[i]);
    }
    svc = (PC_SERVICE *) mycalloc(1, sizeof(*svc));
    svc->name = mystrdup(fields[0]);
    svc->type = mystrdup(fields[1]);
    for (int i = 0; i < 5; i++)
	svc->cols[i] = mystrdup(fields[2 + i]);
    svc->args = argv_alloc(10);
    argv_add(svc->args, fields[7], (char *) 0);
    svc->line = lineno;
    while ((tok = next_token(&cp, &bad)) != 0) {
	if (strcmp(tok, "-o") == 0) {
	    char   *opt = next_token(&cp, &bad);
	    char   *norm;

	    argv_add(svc->args, "-o", (char *) 0);
	    if (opt == 0)
		break;
	    norm = normalize_opt(opt);
	    argv_add(svc->args, norm, (char *) 0);
	    myfree(norm);
	} else if (strncmp(tok, "-o", 2) == 0 && strchr(tok, '=')) {
	    char   *norm = normalize_opt(tok + 2);

	    argv_add(svc->args, "-o", norm, (char *) 0);
	    myfree(norm);
	} else
	    argv_add(svc->args, tok, (char *) 0);
    }
    if (bad)
	msg_warn("file %s: line %d: unbalanced '{'", path, lineno);
    return (svc);
}

PC_SERVICE **pc_master_read(const char *path, int *count)
{
    FILE   *fp;
    PC_SERVICE **list;
    int     n = 0, cap = 16, lineno = 0, start_line = 0;
    char   *buf = 0;
    size_t  bufsize = 0;
    ssize_t got;
    VSTR   *logical = vstr_alloc(200);

    *count = 0;
    if ((fp = fopen(path, "r")) == 0) {
	if (errno != ENOENT)
	    msg_fatal("open %s: %s", path, strerror(errno));
	msg_warn("open %s: %s", path, strerror(errno));
	vstr_free(logical);
	return (0);
    }
    list = (PC_SERVICE **) mymalloc(sizeof(*list) * (size_t) cap);
    for (;;) {
	char   *cp, *end;
	int     eof;

	got = getline(&buf, &bufsize, fp);
	eof = (got < 0);
	if (!eof) {
	    lineno++;
	    end = buf + got;
	    while (end > buf && isspace((unsigned char) end[-1]))
		*--end = 0;
	    for (cp = buf; isspace((unsigned char) *cp); cp++)
		 /* void */ ;
	    if (*cp == 0 || *cp == '#')
		continue;
	    if (cp > buf && logical->len > 0) {
		if (logical->len + strlen(cp) > MASTER_MAX_LINE)
		    msg_fatal("file %s: line %d: entry too long", path, start_line);
		vstr_addch(logical, ' ');
		vstr_adds(logical, cp);
		continue;
	    }
	}
	if (logical->len > 0) {
	    if (n + 1 >= cap) {
		if (cap >= MASTER_MAX_ENTRIES)
		    msg_fatal("file %s: too many entries", path);
		cap *= 2;
		list = (PC_SERVICE **) myrealloc(list, sizeof(*list) * (size_t) cap);
	    }
	    list[n++] = parse_entry(logical->str, path, start_line);
	    vstr_reset(logical);
	}
	if (eof)
	    break;
	if (strlen(cp) > MASTER_MAX_LINE)
	    msg_fatal("file %s: line %d: line too long", path, lineno);
	vstr_set(logical, cp);
	start_line = lineno;
    }
    if (ferror(fp))
	msg_fatal("read %s: %s", path, strerror(errno));
    fclose(fp);
    free(buf);
    vstr_free(logical);
    list[n] = 0;
    *count = n;
    return (list);
}

void    pc_master_free(PC_SERVICE **list)
{
    if (list == 0)
	return;
    for (PC_SERVICE **pp = list; *pp; pp++) {
	PC_SERVICE *svc = *pp;

	myfree(svc->name);
	myfree(svc->type);
	for (int i = 0; i < 5; i++)
	    myfree(svc->cols[i]);
	argv_free(svc->args);
	myfree(svc);
    }
    myfree(list);
}

/* Start columns of the eight fields in postconf -M output. */
static const size_t col_start[8] = {0, 11, 17, 25, 33, 41, 49, 57};

#define FOLD_WIDTH	80

/* flush_line - append line and a newline to out, then empty line. */
static void flush_line(VSTR *out, VSTR *line)
{
    vstr_adds(out, line->str);
    vstr_addch(out, '\n');
    vstr_reset(line);
}

void    pc_master_print(PC_SERVICE *svc, int fold)
{
    VSTR   *out = vstr_alloc(200);

    pc_master_format(out, svc, fold);
    fputs(out->str, stdout);
    vstr_free(out);
}

void    pc_master_format(VSTR *out, PC_SERVICE *svc, int fold)
{
    VSTR   *line = vstr_alloc(200);
    const char *fields[8];

    fields[0] = svc->name;
    fields[1] = svc->type;
    for (int i = 0; i < 5; i++)
	fields[2 + i] = svc->cols[i];
    fields[7] = svc->args->argv[0];
    for (int i = 0; i < 8; i++) {
	if (i > 0) {
	    vstr_addch(line, ' ');
	    while (line->len < col_start[i])
		vstr_addch(line, ' ');
	}
	vstr_adds(line, fields[i]);
    }
    for (int i = 1; i < svc->args->argc; i++) {
	const char *arg = svc->args->argv[i];

	if (fold && strcmp(arg, "-o") == 0 && i + 1 < svc->args->argc) {
	    if (line->len > 0)
		flush_line(out, line);
	    /* An -o pair stays on its own line. */
	    vstr_sprintf(line, "    -o %s", svc->args->argv[i + 1]);
	    flush_line(out, line);
	    i++;
	    continue;
	}
	if (fold && line->len > 0 && line->len + 1 + strlen(arg) > FOLD_WIDTH)
	    flush_line(out, line);
	if (line->len == 0)
	    vstr_adds(line, fold ? "    " : "");
	else
	    vstr_addch(line, ' ');
	vstr_adds(line, arg);
    }
    if (line->len > 0)
	flush_line(out, line);
    vstr_free(line);
}

int     pc_master_match(PC_SERVICE *svc, const char *pattern)
{
    const char *slash = strchr(pattern, '/');

    if (slash == 0)
	return (strcmp(svc->name, pattern) == 0);
    if (strlen(svc->name) != (size_t) (slash - pattern)
	|| strncmp(svc->name, pattern, (size_t) (slash - pattern)) != 0)
	return (0);
    return (slash[1] == 0 || strcmp(svc->type, slash + 1) == 0);
}

ARGV   *pc_master_params(PC_SERVICE *svc)
{
    ARGV   *out = argv_alloc(10);

    for (int i = 1; i + 1 < svc->args->argc; i++) {
	if (strcmp(svc->args->argv[i], "-o") == 0) {
	    char   *opt = mystrdup(svc->args->argv[i + 1]);

	    argv_add(out, unbrace(opt), (char *) 0);
	    myfree(opt);
	    i++;
	}
    }
    return (out);
}

/* ------------------------------------------------------------ editing */

/* One piece of master.cf: an entry with the lines that belong to it
 * (continuation lines, and comment or blank lines up to the next entry),
 * or the comment lines before the first entry. */
typedef struct BLOCK {
    VSTR   *entry_lines;		/* first line + continuation lines */
    VSTR   *comment_lines;		/* comment and blank lines inside */
    VSTR   *all_lines;			/* everything, verbatim */
    PC_SERVICE *svc;			/* parsed entry, NULL for the head */
} BLOCK;

static void block_free(BLOCK *b)
{
    vstr_free(b->entry_lines);
    vstr_free(b->comment_lines);
    vstr_free(b->all_lines);
    if (b->svc) {
	PC_SERVICE *list[2] = {b->svc, 0};
	PC_SERVICE **copy = (PC_SERVICE **) mymalloc(sizeof(list));

	memcpy(copy, list, sizeof(list));
	pc_master_free(copy);
    }
    myfree(b);
}

static BLOCK *block_new(void)
{
    BLOCK  *b = (BLOCK *) mycalloc(1, sizeof(*b));

    b->entry_lines = vstr_alloc(100);
    b->comment_lines = vstr_alloc(10);
    b->all_lines = vstr_alloc(100);
    return (b);
}

/* parse_text - parse one service entry given as text; NULL if malformed. */
static PC_SERVICE *parse_text(const char *text, const char *path, int lineno)
{
    char   *copy = mystrdup(text);
    char   *cp = copy;
    PC_SERVICE *svc;
    int     fields = 0, bad = 0;

    /* Count fields first: parse_entry is fatal on missing ones. */
    {
	char   *probe = mystrdup(text), *pp = probe;

	while (next_token(&pp, &bad) != 0)
	    fields++;
	myfree(probe);
    }
    if (fields < 8) {
	myfree(copy);
	return (0);
    }
    for (char *p = cp; *p; p++)
	if (*p == '\n')
	    *p = ' ';
    svc = parse_entry(cp, path, lineno);
    myfree(copy);
    return (svc);
}

/* read_blocks - master.cf as blocks; fatal if unreadable. */
static BLOCK **read_blocks(FILE *fp, const char *path, int *count)
{
    BLOCK **blocks = (BLOCK **) mymalloc(sizeof(*blocks) * 16);
    int     n = 0, cap = 16, lineno = 0;
    char   *buf = 0;
    size_t  bufsize = 0;
    ssize_t got;
    BLOCK  *cur = block_new();
    VSTR   *line = vstr_alloc(200);

    while ((got = getline(&buf, &bufsize, fp)) >= 0) {
	const char *cp;

	lineno++;
	if (got > MASTER_MAX_LINE)
	    msg_fatal("file %s: line %d: line too long", path, lineno);
	vstr_setn(line, buf, (size_t) got);
	if (line->len == 0 || line->str[line->len - 1] != '\n')
	    vstr_addch(line, '\n');
	for (cp = line->str; *cp != '\n' && isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp == '#' || *cp == '\n') {	/* comment or blank line */
	    vstr_adds(cur->comment_lines, line->str);
	} else if (cp > line->str && cur->entry_lines->len > 0) {
	    vstr_adds(cur->entry_lines, line->str);	/* continuation */
	} else {				/* a new entry */
	    if (n + 2 >= cap) {
		if (cap >= MASTER_MAX_ENTRIES)
		    msg_fatal("file %s: too many entries", path);
		cap *= 2;
		blocks = (BLOCK **) myrealloc(blocks, sizeof(*blocks) * (size_t) cap);
	    }
	    blocks[n++] = cur;
	    cur = block_new();
	    vstr_adds(cur->entry_lines, line->str);
	}
	vstr_adds(cur->all_lines, line->str);
    }
    if (ferror(fp))
	msg_fatal("read %s: %s", path, strerror(errno));
    free(buf);
    vstr_free(line);
    blocks[n++] = cur;
    blocks[n] = 0;
    for (int i = 0; i < n; i++)
	if (blocks[i]->entry_lines->len > 0)
	    blocks[i]->svc = parse_text(blocks[i]->entry_lines->str, path, 0);
    *count = n;
    return (blocks);
}

/* find_block - the block of service name/type, or NULL. */
static BLOCK *find_block(BLOCK **blocks, const char *name, size_t nlen, const char *type)
{
    for (int i = 0; blocks[i]; i++) {
	PC_SERVICE *svc = blocks[i]->svc;

	if (svc && strlen(svc->name) == nlen && strncmp(svc->name, name, nlen) == 0
	    && strcmp(svc->type, type) == 0)
	    return (blocks[i]);
    }
    return (0);
}

/* split_key - "name/type[/param]" into parts; -1 if malformed. */
static int split_key(const char *key, int want_param, char **name, char **type, char **param)
{
    const char *s1 = strchr(key, '/'), *s2;

    *name = *type = *param = 0;
    if (s1 == 0 || s1 == key)
	return (-1);
    s2 = strchr(s1 + 1, '/');
    if (want_param ? (s2 == 0 || s2 == s1 + 1 || s2[1] == 0) : (s2 != 0 || s1[1] == 0))
	return (-1);
    *name = mystrndup(key, (size_t) (s1 - key));
    if (want_param) {
	*type = mystrndup(s1 + 1, (size_t) (s2 - s1 - 1));
	*param = mystrdup(s2 + 1);
    } else
	*type = mystrdup(s1 + 1);
    return (0);
}

/* set_param - replace or append "-o param=value" in svc (value NULL: remove);
 * returns 1 if svc changed. */
static int set_param(PC_SERVICE *svc, const char *param, const char *value)
{
    ARGV   *args = argv_alloc(svc->args->argc + 2);
    int     found = 0;
    size_t  plen = strlen(param);

    argv_add(args, svc->args->argv[0], (char *) 0);
    for (int i = 1; i < svc->args->argc; i++) {
	const char *arg = svc->args->argv[i];

	if (strcmp(arg, "-o") == 0 && i + 1 < svc->args->argc) {
	    const char *opt = svc->args->argv[i + 1];
	    const char *o = (*opt == '{') ? opt + 1 : opt;

	    if (strncmp(o, param, plen) == 0 && o[plen] == '=') {
		if (value && !found) {
		    char   *norm;
		    VSTR   *v = vstr_alloc(100);

		    vstr_sprintf(v, "%s=%s", param, value);
		    norm = normalize_opt(v->str);
		    vstr_free(v);
		    argv_add(args, "-o", norm, (char *) 0);
		    myfree(norm);
		}
		found = 1;
		i++;
		continue;
	    }
	    argv_add(args, "-o", opt, (char *) 0);
	    i++;
	    continue;
	}
	argv_add(args, arg, (char *) 0);
    }
    if (!found && value) {
	VSTR   *v = vstr_alloc(100);
	char   *norm;
	int     pos = 1;
	ARGV   *final = argv_alloc(args->argc + 2);

	vstr_sprintf(v, "%s=%s", param, value);
	norm = normalize_opt(v->str);
	vstr_free(v);
	/* New -o settings go after the existing ones, before other arguments. */
	while (pos + 1 < args->argc && strcmp(args->argv[pos], "-o") == 0)
	    pos += 2;
	for (int i = 0; i < args->argc; i++) {
	    if (i == pos)
		argv_add(final, "-o", norm, (char *) 0);
	    argv_add(final, args->argv[i], (char *) 0);
	}
	if (pos >= args->argc)
	    argv_add(final, "-o", norm, (char *) 0);
	myfree(norm);
	argv_free(args);
	args = final;
	found = 1;
    }
    argv_free(svc->args);
    svc->args = args;
    return (found);
}

VSTR   *pc_master_edit(FILE *fp, const char *path, int op, char **args)
{
    int     count;
    BLOCK **blocks = read_blocks(fp, path, &count);
    VSTR   *out = vstr_alloc(1000);
    VSTR   *appended = vstr_alloc(100);
    int    *state = (int *) mycalloc((size_t) count + 1, sizeof(int));

#define BLOCK_KEEP	0
#define BLOCK_REPLACE_AFTER 1		/* new entry, then comments */
#define BLOCK_REPLACE_BEFORE 2		/* comments, then new entry */
#define BLOCK_REMOVE	3
#define BLOCK_COMMENT	4

    for (char **ap = args; *ap; ap++) {
	char   *key = mystrdup(*ap), *eq = 0, *name, *type, *param;
	BLOCK  *b;
	int     idx = -1;

	if (op == PC_EDIT_ENTRY || op == PC_EDIT_PARAM) {
	    if ((eq = strchr(key, '=')) == 0)
		msg_fatal("missing '=' after attribute name: \"%s\"", key);
	    *eq++ = 0;
	}
	trimblanks(key);
	if (split_key(key, op == PC_EDIT_PARAM || op == PC_REMOVE_PARAM, &name, &type, &param) < 0)
	    msg_fatal((op == PC_EDIT_PARAM || op == PC_REMOVE_PARAM) ?
		      "-Pe or -PX requires service_name/type/parameter" :
		      "-Me, -MX or -M# requires service_name/type");
	if (op == PC_EDIT_PARAM && strpbrk(trimblanks(eq), " \t"))
	    msg_fatal("-Pe does not accept whitespace in parameter value");
	b = find_block(blocks, name, strlen(name), type);
	for (int i = 0; b && blocks[i]; i++)
	    if (blocks[i] == b)
		idx = i;
	switch (op) {
	case PC_EDIT_ENTRY:{
		PC_SERVICE *svc = parse_text(eq, path, 0);

		if (svc == 0)
		    msg_fatal("bad field count: \"%s\"", *ap);
		/* Like Postfix, the entry's own name and type select it. */
		b = find_block(blocks, svc->name, strlen(svc->name), svc->type);
		for (int i = 0; b && blocks[i]; i++)
		    if (blocks[i] == b)
			idx = i;
		if (b) {
		    PC_SERVICE *list[2] = {b->svc, 0};
		    PC_SERVICE **copy = (PC_SERVICE **) mymalloc(sizeof(list));

		    memcpy(copy, list, sizeof(list));
		    pc_master_free(copy);
		    b->svc = svc;
		    state[idx] = BLOCK_REPLACE_AFTER;
		} else {
		    pc_master_format(appended, svc, 1);
		    PC_SERVICE *list[2] = {svc, 0};
		    PC_SERVICE **copy = (PC_SERVICE **) mymalloc(sizeof(list));

		    memcpy(copy, list, sizeof(list));
		    pc_master_free(copy);
		}
		break;
	    }
	case PC_REMOVE_ENTRY:
	    if (b)
		state[idx] = BLOCK_REMOVE;
	    break;
	case PC_COMMENT_ENTRY:
	    if (b)
		state[idx] = BLOCK_COMMENT;
	    break;
	case PC_EDIT_PARAM:
	case PC_REMOVE_PARAM:
	    if (b == 0) {
		msg_warn("unmatched service_name/type: \"%s\"", *ap);
		break;
	    }
	    /* Postfix rewrites the entry even when nothing was removed. */
	    (void) set_param(b->svc, trimblanks(param), eq ? trimblanks(eq) : 0);
	    if (state[idx] == BLOCK_KEEP)
		state[idx] = BLOCK_REPLACE_BEFORE;
	    break;
	}
	myfree(name);
	myfree(type);
	myfree(param);
	myfree(key);
    }
    for (int i = 0; blocks[i]; i++) {
	BLOCK  *b = blocks[i];

	switch (state[i]) {
	case BLOCK_KEEP:
	    vstr_adds(out, b->all_lines->str);
	    break;
	case BLOCK_REPLACE_AFTER:
	    pc_master_format(out, b->svc, 1);
	    vstr_adds(out, b->comment_lines->str);
	    break;
	case BLOCK_REPLACE_BEFORE:
	    vstr_adds(out, b->comment_lines->str);
	    pc_master_format(out, b->svc, 1);
	    break;
	case BLOCK_REMOVE:
	    vstr_adds(out, b->comment_lines->str);
	    break;
	case BLOCK_COMMENT:{
		const char *cp = b->all_lines->str;

		while (*cp) {
		    const char *end = strchr(cp, '\n');
		    size_t  len = end ? (size_t) (end - cp + 1) : strlen(cp);
		    const char *p = cp;

		    while (p < cp + len && (*p == ' ' || *p == '\t'))
			p++;
		    if (!(*p == '#' || *p == '\n'))
			vstr_addch(out, '#');
		    vstr_addn(out, cp, len);
		    cp += len;
		}
		break;
	    }
	}
    }
    vstr_adds(out, appended->str);
    for (int i = 0; blocks[i]; i++)
	block_free(blocks[i]);
    myfree(blocks);
    myfree(state);
    vstr_free(appended);
    return (out);
}
