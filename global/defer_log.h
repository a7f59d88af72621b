/* defer_log.h - per-message defer logs (defer/ID): why each recipient
 * of a deferred message is still waiting. qmgr appends, showq and the
 * bounce of an expired message read. One record per deferral:
 * "recipient=ADDR\norig=ADDR\ndsn=4.x.x\nreason=TEXT\ndiag=TEXT\nmta=TEXT\n\n"
 * (values without newlines). The last record of a recipient wins. */
#ifndef DEFER_LOG_H
#define DEFER_LOG_H
#include "util/sys_defs.h"

typedef struct DEFER_LOG_ENTRY {
    const char *recipient;
    const char *orig_rcpt;
    const char *dsn;
    const char *reason;
    const char *diag;
    const char *mta;
} DEFER_LOG_ENTRY;

/* defer_log_append - append one record to defer/ID (created mode 0600); 0 ok, -1 errno. */
int     defer_log_append(const char *id, const DEFER_LOG_ENTRY *e);
/* defer_log_read - call fn for each record of defer/ID (at most max_bytes
 * read); returns the record count, or -1 (errno) when the file cannot be opened. */
int     defer_log_read(const char *id, size_t max_bytes,
		               void (*fn) (const DEFER_LOG_ENTRY *e, void *ctx), void *ctx);
/* defer_log_remove - unlink defer/ID; 0 ok or absent, -1 errno. */
int     defer_log_remove(const char *id);

#endif
