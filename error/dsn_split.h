/* dsn_split.h - a leading "D.D.D" status code: the next-hop field of
 * error(8) and discard(8), and the text of a reply to smtp(8)/lmtp(8). */
#ifndef DSN_SPLIT_H
#define DSN_SPLIT_H
#include "util/sys_defs.h"

/* dsn_split - copy a leading "D.D.D " status code of text into dsn (len
 * bytes), or def when there is none; returns the text after it. */
const char *dsn_split(const char *text, const char *def, char *dsn, size_t len);

#endif
