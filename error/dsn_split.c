/* dsn_split.c - split "5.7.1 text" into an enhanced status code and the
 * text, as error(8) and discard(8) read their next-hop field. */
#include "util/sys_defs.h"

#include <ctype.h>

#include "error/dsn_split.h"

const char *dsn_split(const char *text, const char *def, char *dsn, size_t len)
{
    const char *cp = text;
    size_t  n;
    int     i;

    while (*cp == ' ' || *cp == '\t')
	cp++;
    if ((*cp == '2' || *cp == '4' || *cp == '5') && cp[1] == '.') {
	const char *p = cp + 2;

	for (i = 0; i < 2; i++) {
	    for (n = 0; isdigit((unsigned char) p[n]) && n < 3; n++)
		 /* void */ ;
	    if (n == 0 || (i == 0 && p[n] != '.') || (i == 1 && p[n] && p[n] != ' ' && p[n] != '\t'))
		break;
	    p += n + (i == 0);
	}
	if (i == 2 && (size_t) (p - cp) < len) {
	    snprintf(dsn, len, "%.*s", (int) (p - cp), cp);
	    while (*p == ' ' || *p == '\t')
		p++;
	    return (p);
	}
    }
    snprintf(dsn, len, "%s", def);
    return (cp);
}

