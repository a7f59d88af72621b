/* argv.c - string arrays and the tokenizers used by every list parser. */
#include "util/sys_defs.h"
#include <ctype.h>
#include "util/argv.h"
#include "util/mymalloc.h"

ARGV   *argv_alloc(int size)
{
    ARGV   *a = mymalloc(sizeof(*a));

    a->cap = size > 0 ? size : 4;
    a->argc = 0;
    a->argv = mymalloc((a->cap + 1) * sizeof(char *));
    a->argv[0] = NULL;
    return a;
}

ARGV   *argv_free(ARGV *a)
{
    if (a) {
	for (int i = 0; i < a->argc; i++)
	    myfree(a->argv[i]);
	myfree(a->argv);
	myfree(a);
    }
    return NULL;
}

static void argv_push(ARGV *a, char *s)
{
    if (a->argc >= a->cap) {
	a->cap *= 2;
	a->argv = myrealloc(a->argv, (a->cap + 1) * sizeof(char *));
    }
    a->argv[a->argc++] = s;
    a->argv[a->argc] = NULL;
}

void    argv_add(ARGV *a,...)
{
    va_list ap;
    const char *s;

    va_start(ap, a);
    while ((s = va_arg(ap, const char *)) != NULL)
	argv_push(a, mystrdup(s));
    va_end(ap);
}

void    argv_addn(ARGV *a, const char *s, size_t len)
{
    argv_push(a, mystrndup(s, len));
}

void    argv_truncate(ARGV *a, int len)
{
    while (a->argc > len && a->argc > 0)
	myfree(a->argv[--a->argc]);
    a->argv[a->argc] = NULL;
}

char   *mystrtok(char **bufp, const char *delim)
{
    char   *start = *bufp + strspn(*bufp, delim);
    char   *end;

    if (*start == 0) {
	*bufp = start;
	return NULL;
    }
    end = start + strcspn(start, delim);
    if (*end)
	*end++ = 0;
    *bufp = end;
    return start;
}

char   *mystrtokq(char **bufp, const char *delim)
{
    char   *start = *bufp + strspn(*bufp, delim);
    char   *cp;
    int     level = 0;

    if (*start == 0) {
	*bufp = start;
	return NULL;
    }
    for (cp = start; *cp; cp++) {
	if (*cp == '{')
	    level++;
	else if (*cp == '}' && level > 0)
	    level--;
	else if (level == 0 && strchr(delim, *cp))
	    break;
    }
    if (*cp)
	*cp++ = 0;
    *bufp = cp;
    /* A whole "{ text }" token stands for text. */
    size_t  len = strlen(start);

    if (len >= 2 && start[0] == '{' && start[len - 1] == '}') {
	start[len - 1] = 0;
	start = trimblanks(start + 1);
    }
    return start;
}

ARGV   *argv_split(const char *str, const char *delim)
{
    ARGV   *a = argv_alloc(8);
    char   *copy = mystrdup(str), *bp = copy, *tok;

    while ((tok = mystrtok(&bp, delim)) != NULL)
	argv_add(a, tok, (char *) 0);
    myfree(copy);
    return a;
}

ARGV   *argv_split_list(const char *str)
{
    ARGV   *a = argv_alloc(8);
    char   *copy = mystrdup(str), *bp = copy, *tok;

    while ((tok = mystrtokq(&bp, ", \t\r\n")) != NULL)
	argv_add(a, tok, (char *) 0);
    myfree(copy);
    return a;
}

char   *trimblanks(char *s)
{
    char   *end;

    while (isspace((unsigned char) *s))
	s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char) end[-1]))
	*--end = 0;
    return s;
}

int     alldig(const char *s)
{
    if (*s == 0)
	return 0;
    for (; *s; s++)
	if (!isdigit((unsigned char) *s))
	    return 0;
    return 1;
}

char   *lowercase(char *s)
{
    for (char *cp = s; *cp; cp++)
	*cp = (char) tolower((unsigned char) *cp);
    return s;
}
