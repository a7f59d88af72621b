/* mail_addr.h - RFC 5321 addresses: parsing SMTP paths, quoting between
 * internal (unquoted) and external (quoted) forms, domain parts. */
#ifndef MAIL_ADDR_H
#define MAIL_ADDR_H
#include "util/sys_defs.h"
#include "util/vstr.h"

/* addr_parse_path - parse the "<path>" at the start of arg (as after
 * "MAIL FROM:" or "RCPT TO:"; white space before '<' is tolerated), drop a
 * source route, unquote into internal form in addr. *rest points after
 * '>' (ESMTP parameters). Returns 0, or -1 with *why ("501 5.1.7 Bad
 * sender address syntax" style text without the code). */
int     addr_parse_path(const char *arg, VSTR *addr, const char **rest, const char **why);
/* addr_quote - external (quoted where needed) form of an internal address into out. */
const char *addr_quote(VSTR *out, const char *internal);
/* addr_unquote - internal form of an external address into out. */
const char *addr_unquote(VSTR *out, const char *external);
/* addr_domain - pointer to the domain after the last '@', or NULL. */
const char *addr_domain(const char *addr);
/* addr_split_local - copy the local part (before the last '@') into out. */
const char *addr_local_part(VSTR *out, const char *addr);
/* addr_strip_extension - remove "+ext" (recipient_delimiter) from the local part into out; returns out or NULL if no extension. */
const char *addr_strip_extension(VSTR *out, const char *addr, const char *delims);

#endif
