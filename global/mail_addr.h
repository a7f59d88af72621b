/* mail_addr.h - RFC 5321 addresses: parsing SMTP paths, quoting between
 * internal (unquoted) and external (quoted) forms, domain parts. */
#ifndef MAIL_ADDR_H
#define MAIL_ADDR_H
#include "util/sys_defs.h"
#include "util/vstr.h"

/* addr_parse_path - parse the "<path>" at the start of arg (as after
 * "MAIL FROM:" or "RCPT TO:"; white space before '<' is tolerated), drop a
 * source route, unquote into internal form in addr. As Postfix's smtpd
 * (strict_rfc821_envelopes = no): a bare address without <> is accepted,
 * comments and white space between tokens are dropped, "<<a@b>>" and
 * "a@b>" work, "<>" and "<\"\">" give the empty address (the caller
 * decides whether that is allowed), the domain must be a valid host name
 * or an address literal ([1.2.3.4], [IPv6:...]). *rest points after the
 * path (ESMTP parameters; '>' must be followed by white space or the end).
 * Returns 0, or -1 with *why = "Bad address syntax" (the caller says
 * "501 5.1.7 Bad sender address syntax" / "501 5.1.3 Bad recipient
 * address syntax", as Postfix). */
int     addr_parse_path(const char *arg, VSTR *addr, const char **rest, const char **why);
/* addr_quote - external (quoted where needed) form of an internal address
 * into out: the local part is quoted if it is empty (with a domain), has
 * specials or white space, or has a leading, trailing or double dot. */
const char *addr_quote(VSTR *out, const char *internal);
/* addr_unquote - internal form of an external address into out. */
const char *addr_unquote(VSTR *out, const char *external);
/* addr_valid_domain - non-zero if domain is a valid host name (letters,
 * digits, '-', '_', UTF-8; labels <= 63, total <= 255, one trailing dot
 * allowed, not all-numeric) or address literal ([1.2.3.4], [IPv6:...]). */
int     addr_valid_domain(const char *domain);
/* addr_domain - pointer to the domain after the last '@', or NULL. */
const char *addr_domain(const char *addr);
/* addr_split_local - copy the local part (before the last '@') into out. */
const char *addr_local_part(VSTR *out, const char *addr);
/* addr_strip_extension - remove "+ext" (recipient_delimiter) from the local part into out; returns out or NULL if no extension. */
const char *addr_strip_extension(VSTR *out, const char *addr, const char *delims);

#endif
