/* error.c - error(8): fail every recipient with the next-hop text as the
 * reason ("error:5.7.1 text" in transport_maps). As the "retry" service
 * (or for a 4.X.Y code) the recipients are deferred instead of bounced. */
#include "util/sys_defs.h"

#include "util/msg.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/deliver_request.h"
#include "error/dsn_split.h"

static void error_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    char    dsn[16];
    const char *text;
    int     retry;
    int     status;
    int     i;

    (void) argv;
    if ((req = deliver_request_read(client, service, 0)) == 0)
	return;
    retry = (strcmp(service, "retry") == 0);
    text = dsn_split(req->nexthop ? req->nexthop : "", retry ? "4.0.0" : "5.0.0", dsn, sizeof(dsn));
    if (retry && dsn[0] != '4')
	dsn[0] = '4';
    if (*text == 0)
	text = retry ? "delivery temporarily suspended" : "Address is undeliverable";
    status = dsn[0] == '4' ? DLV_STAT_DEFER : dsn[0] == '2' ? DLV_STAT_SENT : DLV_STAT_BOUNCE;
    if (status == DLV_STAT_SENT) {
	dsn[0] = '5';
	status = DLV_STAT_BOUNCE;
    }
    for (i = 0; i < req->nrcpt; i++) {
	/* No diagnostic: bounce(8) shows "X-Postfix; text", as Postfix does. */
	deliver_rcpt_status(req->rcpt + i, status, dsn, "", "", "%s", text);
	deliver_log(req, req->rcpt + i, "none", 0, 0);
    }
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    deliver_request_free(req);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.service = error_service,
    };

    single_server_main(argc, argv, &spec);
}
