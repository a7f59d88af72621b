/* showq_report.h - the raw queue report (see showq_report.c for the protocol). */
#ifndef SHOWQ_REPORT_H
#define SHOWQ_REPORT_H
#include "util/sys_defs.h"
#include "util/stream.h"

/* showq_report - announce proto=showq and send the report of the queue
 * directory (the cwd) to client; -1 on a write error. */
int     showq_report(STREAM *client);

#endif
