/* showq.c - the queue listing daemon (public/showq, one client at a
 * time): sends the queue report of showq_report.c to postqueue, which
 * formats it for -p and -j. */
#include "util/sys_defs.h"
#include "util/stream.h"
#include "global/mail_server.h"
#include "showq/showq_report.h"

#define SHOWQ_TIMEOUT		100

static void showq_service(STREAM *client, const char *service, char **argv)
{
    (void) service;
    (void) argv;
    stream_set_timeout(client, SHOWQ_TIMEOUT);
    (void) showq_report(client);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.service = showq_service,
    };

    single_server_main(argc, argv, &spec);
}
