/* discard.c - discard(8): report every recipient as delivered without
 * delivering anything; the next-hop text (or the recipient domain) is the
 * reason shown in the log, as Postfix's discard does. */
#include "util/sys_defs.h"

#include "util/msg.h"
#include "util/stream.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/deliver_request.h"
#include "error/dsn_split.h"

static void discard_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    const char *text;
    char    dsn[16];
    int     i;

    (void) argv;
    if ((req = deliver_request_read(client, service, 0)) == 0)
	return;
    for (i = 0; i < req->nrcpt; i++) {
	DELIVER_RCPT *r = req->rcpt + i;
	const char *at = strrchr(r->address, '@');

	/* A leading status code is dropped: discarding is always 2.0.0. */
	text = dsn_split(req->nexthop ? req->nexthop : "", "2.0.0", dsn, sizeof(dsn));
	if (*text == 0)
	    text = at ? at + 1 : "";
	deliver_rcpt_status(r, DLV_STAT_SENT, "2.0.0", "", "", "%s", text);
	deliver_log(req, r, "none", 0, 0);
    }
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    deliver_request_free(req);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.service = discard_service,
    };

    single_server_main(argc, argv, &spec);
}
