/* test_deliver.c - unit tests of the qmgr <-> agent protocol
 * (deliver_request.c) over a socketpair, of the delay formatting of the
 * to=... log line, and of the defer log round trip. */
#include "util/sys_defs.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "global/mail_proto.h"
#include "global/deliver_request.h"
#include "global/defer_log.h"
#include "t/tap.h"

static const char *fmt(double d)
{
    static VSTR *buf;

    if (buf == NULL)
	buf = vstr_alloc(16);
    vstr_reset(buf);
    deliver_format_delay(buf, d);
    return vstr_str(buf);
}

static int nlog;

static void count_entry(const DEFER_LOG_ENTRY *e, void *ctx)
{
    (void) ctx;
    if (strcmp(e->recipient, "a@b.test") == 0 && strcmp(e->reason, "two") == 0)
	nlog++;
    else if (strcmp(e->recipient, "a@b.test") == 0)
	nlog += 10;
}

int     main(void)
{
    int     sv[2];
    STREAM *qmgr, *agent;
    DELIVER_REQUEST req, *got;
    DELIVER_RCPT rcpt[2];
    char    tmpl[] = "/tmp/test_deliver.XXXXXX";

    msg_init("test_deliver", MSG_STDERR);

    is_str(fmt(0), "0", "delay 0");
    is_str(fmt(0.004), "0", "delay below resolution");
    is_str(fmt(0.01), "0.01", "delay 0.01");
    is_str(fmt(0.1), "0.1", "delay 0.1");
    is_str(fmt(0.41), "0.41", "delay 0.41");
    is_str(fmt(1.23), "1.2", "delay 1.2");
    is_str(fmt(1.04), "1", "delay 1");
    is_str(fmt(32.4), "32", "delay 32");
    is_str(fmt(1234.6), "1235", "delay 1235");

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	return 1;
    qmgr = stream_fdopen(sv[0], 5);
    agent = stream_fdopen(sv[1], 5);
    memset(&req, 0, sizeof(req));
    memset(rcpt, 0, sizeof(rcpt));
    req.queue_name = "active";
    req.queue_id = "ABCDEF123";
    req.content_offset = 123;
    req.message_size = 456;
    req.nexthop = "[127.0.0.1]:25";
    req.sender = "s@x.test";
    req.encoding = "8bit";
    req.arrival_time = now_double() - 1.5;
    req.active_time = req.arrival_time + 0.75;
    req.handoff_time = req.arrival_time + 1.0;
    req.dsn_envid = "";
    req.client_name = "unknown";
    req.client_address = "127.0.0.1";
    req.helo_name = "h";
    req.protocol_name = "ESMTP";
    req.rcpt = rcpt;
    req.nrcpt = 2;
    rcpt[0].offset = 10;
    rcpt[0].address = "a@b.test";
    rcpt[0].orig_rcpt = "A@b.test";
    rcpt[1].offset = 20;
    rcpt[1].address = "c@d.test";
    rcpt[1].orig_rcpt = "";
    ok(deliver_request_send(qmgr, &req) == 0, "qmgr sends the request");
    got = deliver_request_read(agent, "smtp", 50);
    ok(got != NULL, "agent reads the request");
    ok(mail_expect_proto(qmgr, MAIL_PROTO_DELIVER) == 0, "agent announced proto=deliver");
    if (got) {
	is_str(got->queue_id, "ABCDEF123", "queue id");
	is_str(got->nexthop, "[127.0.0.1]:25", "nexthop");
	is_str(got->transport, "smtp", "transport");
	ok(got->nrcpt == 2 && got->rcpt[1].offset == 20, "recipients");
	is_str(got->rcpt[0].orig_rcpt, "A@b.test", "original recipient");
	ok(got->arrival_time > req.arrival_time - 0.001 && got->arrival_time < req.arrival_time + 0.001,
	   "arrival time");
	ok(got->content_offset == 123 && got->message_size == 456, "offset and size");
	deliver_rcpt_status(got->rcpt + 0, DLV_STAT_SENT, "2.0.0", "", "dns; x",
			    "250 2.0.0 Ok: queued as %s", "X");
	deliver_rcpt_status(got->rcpt + 1, DLV_STAT_BOUNCE, "5.1.1", "smtp; 550 no",
			    "dns; x", "host x said: 550 no");
	deliver_log(got, got->rcpt, "x[127.0.0.1]:25", 0, 0);
	ok(deliver_request_reply(agent, got) == 0, "agent replies");
	ok(deliver_request_get_reply(qmgr, &req) == 0, "qmgr reads the reply");
	ok(rcpt[0].status == DLV_STAT_SENT && rcpt[1].status == DLV_STAT_BOUNCE, "statuses");
	is_str(vstr_str(rcpt[0].reason), "250 2.0.0 Ok: queued as X", "reason");
	is_str(rcpt[1].dsn, "5.1.1", "dsn");
	is_str(vstr_str(rcpt[1].diag), "smtp; 550 no", "diag");
	deliver_request_free(got);
    }
    /* A bad queue ID is refused. */
    req.queue_id = "../etc";
    ok(deliver_request_send(qmgr, &req) < 0, "bad queue ID not sent");
    for (int i = 0; i < 2; i++) {
	vstr_free(rcpt[i].reason);
	vstr_free(rcpt[i].diag);
	vstr_free(rcpt[i].mta);
    }
    stream_close(qmgr);
    stream_close(agent);

    /* Defer log round trip, in a scratch queue directory. */
    if (mkdtemp(tmpl) && chdir(tmpl) == 0 && mkdir("defer", 0700) == 0) {
	DEFER_LOG_ENTRY e = {"a@b.test", "", "4.4.1", "one", "", ""};

	ok(defer_log_append("ABC123", &e) == 0, "defer log append");
	e.reason = "two\nlines";
	ok(defer_log_append("ABC123", &e) == 0, "defer log append again");
	nlog = 0;
	ok(defer_log_read("ABC123", 65536, count_entry, NULL) == 2, "defer log read");
	ok(nlog == 10 + 10, "records read back");
	ok(defer_log_remove("ABC123") == 0 && defer_log_remove("ABC123") == 0, "defer log remove");
	(void) rmdir("defer");
	(void) chdir("/");
	(void) rmdir(tmpl);
    }
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
