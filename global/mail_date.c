/* mail_date.c - the one formatter of RFC 5322 dates (Date:, Received:,
 * Arrival-Date: ...) in Postfix's layout: weekday, space-padded day,
 * month, year, time, numeric offset and the zone name in parentheses. */
#include "util/sys_defs.h"
#include <stdlib.h>
#include "global/mail_date.h"

const char *mail_date(VSTR *buf, time_t when)
{
    struct tm lt;
    char    tmp[128];
    long    off;

    if (localtime_r(&when, &lt) == 0
	|| strftime(tmp, sizeof(tmp), "%a, %e %b %Y %H:%M:%S ", &lt) == 0) {
	vstr_set(buf, "Thu,  1 Jan 1970 00:00:00 +0000 (UTC)");
	return (vstr_str(buf));
    }
    vstr_set(buf, tmp);
    off = lt.tm_gmtoff / 60;
    vstr_sprintf_append(buf, "%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
    if (strftime(tmp, sizeof(tmp), " (%Z)", &lt) > 0)
	vstr_adds(buf, tmp);
    return (vstr_str(buf));
}
