/* test_mail_date.c - global/mail_date: Postfix's RFC 5322 date layout
 * (space-padded day, numeric offset, zone name), the one formatter used
 * by smtpd's Received:, cleanup's Date: and bounce's reports. */
#include "util/sys_defs.h"
#include <stdlib.h>
#include <time.h>
#include "util/vstr.h"
#include "global/mail_date.h"
#include "t/tap.h"

int     main(void)
{
    VSTR   *buf = vstr_alloc(64);

    setenv("TZ", "UTC", 1);
    tzset();
    /* 2026-11-03 00:08:15 UTC: a one-digit day is padded with a space. */
    is_str(mail_date(buf, (time_t) 1793664495), "Tue,  3 Nov 2026 00:08:15 +0000 (UTC)",
	   "one-digit day, UTC");
    is_str(mail_date(buf, (time_t) 1795478400), "Tue, 24 Nov 2026 00:00:00 +0000 (UTC)",
	   "two-digit day");
    setenv("TZ", "EST5EDT", 1);
    tzset();
    is_str(mail_date(buf, (time_t) 1793664495), "Mon,  2 Nov 2026 19:08:15 -0500 (EST)",
	   "negative offset and zone name");
    setenv("TZ", "IST-5:30", 1);
    tzset();
    is_str(mail_date(buf, (time_t) 1793664495), "Tue,  3 Nov 2026 05:38:15 +0530 (IST)",
	   "half-hour offset");
    vstr_free(buf);
    return (tap_done());
}
