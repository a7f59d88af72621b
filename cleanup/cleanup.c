/* cleanup.c - the cleanup daemon: takes one message per connection from
 * smtpd, pickup or bounce (protocol in global/cleanup_client.h), writes
 * it as a queue file in incoming/ (format in doc/QUEUE_FORMAT.md) with
 * canonical addresses, virtual alias expansion and missing headers,
 * makes file and directory entry durable, replies, and wakes qmgr.
 * Anything short of a complete, fsync'd file is removed. */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/stream.h"
#include "util/htable.h"
#include "util/iostuff.h"
#include "global/mail_params.h"
#include "global/params_cleanup.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_server.h"
#include "global/record.h"
#include "global/cleanup_client.h"
#include "cleanup/cleanup.h"

#define CLEANUP_ATTR_MAX	1024	/* A records per message */
#define CLEANUP_ENV_REC_MAX	(64 * 1024)	/* any envelope record */
#define CLEANUP_CONTENT_REC_MAX	(1024 * 1024)	/* any content record */
#define CLEANUP_FLAGS_KNOWN	(CLEANUP_FLAG_LOCAL | CLEANUP_FLAG_HOLD \
	| CLEANUP_FLAG_DISCARD | CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_NOREWRITE)

/* The file being written, for removal on a fatal exit or a signal. */
static char *volatile cleanup_path;

static void cleanup_fatal_hook(void)
{
    char   *p = cleanup_path;

    if (p)
	(void) unlink(p);
}

/* cleanup_path_set - remember (or forget, with NULL) the file to remove */

static void cleanup_path_set(const char *path)
{
    char   *old = cleanup_path;

    cleanup_path = path ? mystrdup(path) : 0;
    myfree(old);
}

/* cleanup_sig - master stops us (SIGTERM) or the session hangs up:
 * an unfinished file is removed (async-signal-safe: unlink, _exit). */

static void cleanup_sig(int sig)
{
    char   *p = cleanup_path;

    (void) sig;
    if (p)
	(void) unlink(p);
    _exit(1);
}

/* cleanup_out - write one record, tracking the file offset */

void    cleanup_out(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    if (state->errs & CLEANUP_STAT_WRITE)
	return;
    if (rec_put(state->dst, type, data, len) < 0) {
	msg_warn("%s: write queue file: %s", vstr_str(state->queue_id), strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
	return;
    }
    state->offset += REC_HDR_LEN + (long) len;
}

/* postfix_rec_size - a record's size in Postfix's own format (type byte,
 * 7-bit length groups, data): Postfix reports message sizes this way. */

static long postfix_rec_size(size_t len)
{
    long    n = 1 + (long) len;

    do {
	n++;
	len >>= 7;
    } while (len != 0);
    return n;
}

void    cleanup_out_content(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    size_t  max = var_line_limit > 0 ? (size_t) var_line_limit : len + 1;

    if (state->errs)
	return;
    while (len > max) {
	cleanup_out(state, REC_TYPE_CONT, data, max);
	state->msg_size += postfix_rec_size(max);
	data += max;
	len -= max;
    }
    cleanup_out(state, type, data, len);
    state->msg_size += postfix_rec_size(len);
    if (var_message_limit > 0 && state->msg_size > var_message_limit
	&& !(state->errs & CLEANUP_STAT_SIZE)) {
	state->errs |= CLEANUP_STAT_SIZE;
    }
}

static CLEANUP_STATE *cleanup_state_alloc(void)
{
    CLEANUP_STATE *state = mymalloc(sizeof(*state));

    memset(state, 0, sizeof(*state));
    state->queue_id = vstr_alloc(32);
    state->path = vstr_alloc(64);
    state->reason = vstr_alloc(64);
    state->attrs = attr_list_alloc();
    state->orcpt = vstr_alloc(64);
    state->dups = htable_create(16);
    state->hdr = vstr_alloc(256);
    state->temp = vstr_alloc(256);
    state->pending = vstr_alloc(256);
    state->fd = -1;
    state->in_header = 1;
    return state;
}

static void cleanup_state_free(CLEANUP_STATE *state)
{
    vstr_free(state->queue_id);
    vstr_free(state->path);
    vstr_free(state->reason);
    attr_list_free(state->attrs);
    vstr_free(state->orcpt);
    htable_free(state->dups, 0);
    vstr_free(state->hdr);
    vstr_free(state->temp);
    vstr_free(state->pending);
    myfree(state->sender);
    myfree(state->msgid);
    myfree(state->resent_msgid);
    myfree(state);
}

/* cleanup_envelope_start - C, T, W, then the client's A records */

static void cleanup_envelope_start(CLEANUP_STATE *state)
{
    state->size_offset = state->offset;
    vstr_sprintf(state->temp, "%15ld %15ld %15ld %15ld", 0L, 0L, 0L, 0L);
    cleanup_out(state, REC_TYPE_SIZE, vstr_str(state->temp), vstr_len(state->temp));
    vstr_sprintf(state->temp, "%ld %ld", (long) state->arrival.tv_sec,
		 (long) state->arrival.tv_usec);
    cleanup_out(state, REC_TYPE_TIME, vstr_str(state->temp), vstr_len(state->temp));
    vstr_sprintf(state->temp, "%15ld", 0L);
    cleanup_out(state, REC_TYPE_WARN, vstr_str(state->temp), vstr_len(state->temp));
}

/* cleanup_read_stream - read and process the client's records up to X.
 * Returns 0 after X, -1 if the client went away or broke the protocol. */

static int cleanup_read_stream(CLEANUP_STATE *state, STREAM *client)
{
    VSTR   *buf = vstr_alloc(1024);
    int     type;
    int     in_content = 0;
    int     ret = -1;
    long    n;

    for (;;) {
	type = rec_get(client, buf, in_content ? CLEANUP_CONTENT_REC_MAX
		       : CLEANUP_ENV_REC_MAX, 0);
	if (type == REC_TYPE_EOF || (type == REC_TYPE_ERROR && stream_eof(client))) {
	    /* The client gave up (RSET, QUIT, lost SMTP session): not an error. */
	    if (msg_verbose)
		msg_info("%s: client went away before the end of the message",
			 vstr_str(state->queue_id));
	    break;
	}
	if (type == REC_TYPE_ERROR) {
	    msg_warn("%s: %s while reading the message from the client",
		     vstr_str(state->queue_id),
		     stream_timedout(client) ? "timeout" :
		     stream_error(client) ? "read error" : "malformed or oversized record");
	    break;
	}
	if (in_content) {
	    if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
		cleanup_message_line(state, type, vstr_str(buf), vstr_len(buf));
		continue;
	    }
	    if (type == REC_TYPE_XTRA) {
		cleanup_message_end(state);
		cleanup_out(state, REC_TYPE_XTRA, "", 0);
		state->xtra_end = state->offset;
		/* Extracted information, as Postfix records it after the content. */
		if (state->eightbit && attr_get(state->attrs, MAIL_ATTR_ENCODING) == 0) {
		    vstr_sprintf(state->temp, "%s=8bit", MAIL_ATTR_ENCODING);
		    cleanup_out(state, REC_TYPE_ATTR, vstr_str(state->temp),
				vstr_len(state->temp));
		}
		ret = 0;
		break;
	    }
	    msg_warn("%s: unexpected record type %d in content",
		     vstr_str(state->queue_id), type);
	    break;
	}
	switch (type) {
	case REC_TYPE_ATTR:
	    {
		char   *eq = strchr(vstr_str(buf), '=');

		if (eq == 0 || eq == vstr_str(buf) || state->attrs->count >= CLEANUP_ATTR_MAX
		    || memchr(vstr_str(buf), 0, vstr_len(buf)) != 0) {
		    msg_warn("%s: bad attribute record", vstr_str(state->queue_id));
		    goto out;
		}
		if (state->sender) {
		    msg_warn("%s: attribute after sender", vstr_str(state->queue_id));
		    goto out;
		}
		*eq = 0;
		attr_list_add(state->attrs, vstr_str(buf), eq + 1);
		*eq = '=';
		cleanup_out(state, REC_TYPE_ATTR, vstr_str(buf), vstr_len(buf));
		break;
	    }
	case REC_TYPE_FROM:
	    if (state->sender || memchr(vstr_str(buf), 0, vstr_len(buf))) {
		msg_warn("%s: bad or duplicate sender record", vstr_str(state->queue_id));
		goto out;
	    }
	    if ((state->flags & CLEANUP_FLAG_NOREWRITE) || vstr_len(buf) == 0)
		state->sender = mystrdup(vstr_str(buf));
	    else
		state->sender = mystrdup(cleanup_canon(state->temp, vstr_str(buf)));
	    state->local_rewrite = (state->flags & CLEANUP_FLAG_LOCAL)
		|| cleanup_local_client(state->attrs);
	    cleanup_out(state, REC_TYPE_FROM, state->sender, strlen(state->sender));
	    break;
	case REC_TYPE_ORCP:
	    if (memchr(vstr_str(buf), 0, vstr_len(buf))) {
		msg_warn("%s: bad original recipient record", vstr_str(state->queue_id));
		goto out;
	    }
	    vstr_setn(state->orcpt, vstr_str(buf), vstr_len(buf));
	    break;
	case REC_TYPE_NOTIFY:
	    if (parse_long(vstr_str(buf), &n) < 0 || n < 0 || n > 0xff) {
		msg_warn("%s: bad notify record", vstr_str(state->queue_id));
		goto out;
	    }
	    state->notify = (int) n;
	    break;
	case REC_TYPE_RCPT:
	    if (state->sender == 0 || vstr_len(buf) == 0
		|| memchr(vstr_str(buf), 0, vstr_len(buf))) {
		msg_warn("%s: bad recipient record", vstr_str(state->queue_id));
		goto out;
	    }
	    cleanup_recipient(state, vstr_len(state->orcpt) ? vstr_str(state->orcpt)
			      : vstr_str(buf), state->notify, vstr_str(buf));
	    vstr_reset(state->orcpt);
	    state->notify = 0;
	    break;
	case REC_TYPE_MESG:
	    if (state->sender == 0) {
		msg_warn("%s: message content before sender", vstr_str(state->queue_id));
		goto out;
	    }
	    cleanup_out(state, REC_TYPE_MESG, "", 0);
	    state->content_offset = state->offset;
	    in_content = 1;
	    cleanup_message_start(state);
	    break;
	default:
	    msg_warn("%s: unexpected record type %d in envelope",
		     vstr_str(state->queue_id), type);
	    goto out;
	}
    }
out:
    vstr_free(buf);
    return ret;
}

/* cleanup_finish_file - patch C, add E, make everything durable */

static void cleanup_finish_file(CLEANUP_STATE *state)
{
    char    size_rec[80];
    int     len;

    if (state->nrcpt == 0 && !(state->errs & ~CLEANUP_STAT_RCPT))
	state->errs |= CLEANUP_STAT_RCPT;
    if (state->errs)
	return;
    cleanup_out(state, REC_TYPE_END, "", 0);
    if (state->errs)
	return;
    if (stream_flush(state->dst) < 0) {
	msg_warn("%s: write queue file: %s", vstr_str(state->queue_id), strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
	return;
    }
    len = snprintf(size_rec, sizeof(size_rec), "%15ld %15ld %15ld %15ld",
		   state->content_offset, state->xtra_end - state->content_offset,
		   state->nrcpt, state->msg_size);
    if (len != 63 || pwrite(state->fd, size_rec, (size_t) len,
			    state->size_offset + REC_HDR_LEN) != len) {
	msg_warn("%s: update size record: %s", vstr_str(state->queue_id),
		 len != 63 ? "size out of range" : strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
	return;
    }
    /* A discarded message is never made ready: the caller removes it. */
    if (state->flags & CLEANUP_FLAG_DISCARD)
	return;
    /* Move to hold/ while still 0600, so that qmgr never sees it ready in incoming/. */
    if (state->flags & CLEANUP_FLAG_HOLD) {
	if (mail_queue_rename(vstr_str(state->queue_id), MAIL_QUEUE_INCOMING,
			      MAIL_QUEUE_HOLD) < 0) {
	    msg_warn("%s: move to %s: %s", vstr_str(state->queue_id),
		     MAIL_QUEUE_HOLD, strerror(errno));
	    state->errs |= CLEANUP_STAT_WRITE;
	    return;
	}
	mail_queue_path(state->path, MAIL_QUEUE_HOLD, vstr_str(state->queue_id));
	cleanup_path_set(vstr_str(state->path));
    }
    if (fchmod(state->fd, MAIL_QUEUE_MODE_READY) < 0 || fsync(state->fd) < 0) {
	msg_warn("%s: fsync queue file: %s", vstr_str(state->queue_id), strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
	return;
    }
    if (state->flags & CLEANUP_FLAG_HOLD) {
	if (fsync_dir(MAIL_QUEUE_HOLD) < 0) {
	    msg_warn("%s: fsync %s: %s", vstr_str(state->queue_id),
		     MAIL_QUEUE_HOLD, strerror(errno));
	    state->errs |= CLEANUP_STAT_WRITE;
	    return;
	}
    }
    if (fsync_dir(MAIL_QUEUE_INCOMING) < 0) {
	msg_warn("%s: fsync %s: %s", vstr_str(state->queue_id),
		 MAIL_QUEUE_INCOMING, strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
    }
}

/* cleanup_reason - the reply text for the error bits */

static void cleanup_set_reason(CLEANUP_STATE *state)
{
    const char *text;

    if (vstr_len(state->reason) > 0 || state->errs == 0)
	return;
    text = cleanup_strerror(state->errs);
    vstr_set(state->reason, text);
}

static void cleanup_service(STREAM *client, const char *service, char **argv)
{
    CLEANUP_STATE *state;
    ATTR_LIST *req;
    const char *why = 0;
    long    flags;
    int     ok;

    (void) service;
    (void) argv;
    state = cleanup_state_alloc();
    if (gettimeofday(&state->arrival, 0) < 0)
	msg_fatal("gettimeofday: %s", strerror(errno));
    if ((state->fd = mail_queue_create(MAIL_QUEUE_INCOMING, state->queue_id)) < 0) {
	msg_warn("create file in %s: %s", MAIL_QUEUE_INCOMING, strerror(errno));
	cleanup_state_free(state);
	/* The client sees no announcement and gives up: 451 on its side. */
	return;
    }
    mail_queue_path(state->path, MAIL_QUEUE_INCOMING, vstr_str(state->queue_id));
    cleanup_path_set(vstr_str(state->path));
    state->dst = stream_fdopen(state->fd, var_ipc_timeout);

    /* Announce, learn the flags. */
    req = attr_list_alloc();
    ok = attr_send_str(client, MAIL_ATTR_PROTO, MAIL_PROTO_CLEANUP) == 0
	&& attr_send_str(client, MAIL_ATTR_QUEUEID, vstr_str(state->queue_id)) == 0
	&& attr_send_end(client) == 0
	&& attr_recv(client, req, 8, 64, &why) >= 0
	&& attr_get_long(req, MAIL_ATTR_FLAGS, &flags) == 0;
    attr_list_free(req);
    if (ok) {
	state->flags = (int) flags & CLEANUP_FLAGS_KNOWN;
	cleanup_envelope_start(state);
	ok = cleanup_read_stream(state, client) == 0;
    }
    if (!ok) {
	/* Client gone or broken: nothing half-queued. */
	(void) stream_close(state->dst);
	(void) unlink(vstr_str(state->path));
	cleanup_path_set(0);
	cleanup_state_free(state);
	return;
    }
    cleanup_finish_file(state);
    if (state->errs == 0 && (state->flags & CLEANUP_FLAG_DISCARD)) {
	msg_info("%s: discard: message from <%s>", vstr_str(state->queue_id),
		 state->sender);
	(void) unlink(vstr_str(state->path));
    }
    if (stream_close(state->dst) < 0 && state->errs == 0) {
	msg_warn("%s: close queue file: %s", vstr_str(state->queue_id), strerror(errno));
	state->errs |= CLEANUP_STAT_WRITE;
    }
    if (state->errs) {
	(void) unlink(vstr_str(state->path));
	cleanup_set_reason(state);
    }
    cleanup_path_set(0);

    if (attr_send_long(client, MAIL_ATTR_STATUS, state->errs) < 0
	|| attr_send_str(client, MAIL_ATTR_REASON, vstr_str(state->reason)) < 0
	|| attr_send_end(client) < 0)
	msg_warn("%s: lost connection with client before the reply",
		 vstr_str(state->queue_id));
    /* The message is durable whether or not the client heard us. */
    if (state->errs == 0 && !(state->flags & (CLEANUP_FLAG_HOLD | CLEANUP_FLAG_DISCARD))) {
	char    wake = QMGR_REQ_WAKEUP;

	(void) mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_QMGR, &wake, 1);
    }
    cleanup_state_free(state);
}

/* Tables are opened before the privilege drop and chroot, as Postfix does. */
static void cleanup_pre_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    tzset();				/* Date: headers after a chroot */
    cleanup_addr_init();
}

static void cleanup_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    msg_cleanup(cleanup_fatal_hook);
    signal(SIGTERM, cleanup_sig);
    signal(SIGHUP, cleanup_sig);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = cleanup_pre_init,
	.post_init = cleanup_post_init,
	.service = cleanup_service,
    };

    single_server_main(argc, argv, &spec);
}
