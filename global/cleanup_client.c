/* cleanup_client.c - the client side of the cleanup protocol (see
 * cleanup_client.h): smtpd, pickup and bounce open a connection, learn
 * the queue ID, stream records, and wait for the durable-or-not status. */
#include "util/sys_defs.h"
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/attr.h"
#include "util/stream.h"
#include "util/vstr.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/cleanup_client.h"
#include "global/params_cleanup.h"

struct CLEANUP_CLIENT {
    STREAM *stream;
    char   *queue_id;
};

CLEANUP_CLIENT *cleanup_open(int flags, const char **why)
{
    CLEANUP_CLIENT *cc;
    ATTR_LIST *list;
    STREAM *s;
    const char *proto, *id;
    const char *rwhy = 0;

    if ((s = mail_connect(MAIL_CLASS_PUBLIC,
			  var_cleanup_service && *var_cleanup_service ?
			  var_cleanup_service : MAIL_SERVICE_CLEANUP,
			  var_ipc_timeout)) == 0) {
	*why = "cannot connect to the cleanup service";
	return 0;
    }
    list = attr_list_alloc();
    if (attr_recv(s, list, 8, 256, &rwhy) < 0) {
	*why = "lost connection with the cleanup service";
    } else if ((proto = attr_get(list, MAIL_ATTR_PROTO)) == 0
	       || strcmp(proto, MAIL_PROTO_CLEANUP) != 0) {
	*why = "cleanup service protocol error";
    } else if ((id = attr_get(list, MAIL_ATTR_QUEUEID)) == 0
	       || !mail_queue_id_ok(id)) {
	*why = "cleanup service sent a bad queue ID";
    } else if (attr_send_long(s, MAIL_ATTR_FLAGS, flags) < 0
	       || attr_send_end(s) < 0) {
	*why = "cannot send to the cleanup service";
    } else {
	cc = mymalloc(sizeof(*cc));
	cc->stream = s;
	cc->queue_id = mystrdup(id);
	attr_list_free(list);
	return cc;
    }
    if (rwhy && msg_verbose)
	msg_info("cleanup announcement: %s", rwhy);
    attr_list_free(list);
    (void) stream_close(s);
    return 0;
}

const char *cleanup_queue_id(CLEANUP_CLIENT *cc)
{
    return cc->queue_id;
}

STREAM *cleanup_stream(CLEANUP_CLIENT *cc)
{
    return cc->stream;
}

static void cleanup_client_free(CLEANUP_CLIENT *cc)
{
    (void) stream_close(cc->stream);
    myfree(cc->queue_id);
    myfree(cc);
}

int     cleanup_finish(CLEANUP_CLIENT *cc, VSTR *reason)
{
    ATTR_LIST *list = attr_list_alloc();
    const char *why = 0;
    const char *text;
    long    status;
    int     ret;

    if (reason)
	vstr_reset(reason);
    if (stream_flush(cc->stream) < 0) {
	ret = CLEANUP_STAT_WRITE;
	if (reason)
	    vstr_set(reason, "lost connection with the cleanup service");
    } else if (attr_recv(cc->stream, list, 8, 4096, &why) < 0
	       || attr_get_long(list, MAIL_ATTR_STATUS, &status) < 0
	       || status < 0 || status > 0xffff) {
	ret = CLEANUP_STAT_WRITE;
	if (reason)
	    vstr_set(reason, "lost connection with the cleanup service");
    } else {
	ret = (int) status;
	if (reason && (text = attr_get(list, MAIL_ATTR_REASON)) != 0)
	    vstr_set(reason, text);
    }
    attr_list_free(list);
    cleanup_client_free(cc);
    return ret;
}

void    cleanup_abort(CLEANUP_CLIENT *cc)
{
    cleanup_client_free(cc);
}

const char *cleanup_strerror(int status)
{
    if (status == CLEANUP_STAT_OK)
	return "250 2.0.0 Ok";
    if (status & CLEANUP_STAT_DEFER)
	return "451 4.7.1 Error: service unavailable";
    if (status & CLEANUP_STAT_PROXY)
	return "451 4.3.0 Error: queue file write error";
    if (status & CLEANUP_STAT_BAD)
	return "451 4.3.0 Error: internal protocol error";
    if (status & CLEANUP_STAT_RCPT)
	return "554 5.5.1 Error: no recipients specified";
    if (status & CLEANUP_STAT_HOPS)
	return "554 5.4.0 Error: too many hops";
    if (status & CLEANUP_STAT_SIZE)
	return "552 5.3.4 Error: message file too big";
    if (status & CLEANUP_STAT_CONT)
	return "550 5.7.1 Error: message content rejected";
    if (status & CLEANUP_STAT_WRITE)
	return "451 4.3.0 Error: queue file write error";
    return "451 4.3.0 Error: internal protocol error";
}
