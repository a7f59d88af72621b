/* mail_date.h - RFC 5322 dates as Postfix writes them. */
#ifndef MAIL_DATE_H
#define MAIL_DATE_H
#include "util/sys_defs.h"
#include <time.h>
#include "util/vstr.h"

/* mail_date - "Mon,  3 Nov 2026 00:08:15 +0100 (CET)" (local time, day
 * space-padded as Postfix's mail_date() does) into buf; returns its string. */
const char *mail_date(VSTR *buf, time_t when);

#endif
