/* virtual.c - virtual(8): deliver to virtual mailboxes. Each recipient
 * is looked up in virtual_mailbox_maps; a value ending in '/' is a Maildir
 * under virtual_mailbox_base, anything else an mbox file there. Delivery
 * runs as the uid/gid from virtual_uid_maps/virtual_gid_maps (when the
 * agent runs as root). Logs Postfix's to=... line per recipient. */
#include "util/sys_defs.h"

#include <stdlib.h>
#include <strings.h>

#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "util/dict.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/deliver_request.h"
#include "global/maps.h"
#include "local/dlv_common.h"

static MAPS *mailbox_maps;
static MAPS *uid_maps;
static MAPS *gid_maps;
static int mbox_locks;

/* lookup_id - numeric owner from a table; 0 ok, -1 with res filled. */
static int lookup_id(MAPS *maps, const char *what, const char *addr, long *id, DLV_RESULT *res)
{
    const char *val;
    char   *end;
    int     err = 0;

    if ((val = maps_addr_find(maps, addr, &err)) == 0) {
	if (err != DICT_ERR_NONE) {
	    dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "%s lookup failure", what);
	    return (-1);
	}
	msg_warn("recipient %s: no mapping in %s", addr, what);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	return (-1);
    }
    errno = 0;
    *id = strtol(val, &end, 10);
    if (errno || *end || end == val || *id < 0) {
	msg_warn("recipient %s: bad %s value \"%s\" in %s", addr,
		 maps == uid_maps ? "uid" : "gid", val, what);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	return (-1);
    }
    return (0);
}

/* deliver_one - deliver one recipient; fills res. */
static void deliver_one(int qfd, DELIVER_REQUEST *req, DELIVER_RCPT *rcpt, DLV_RESULT *res)
{
    VSTR   *addr = vstr_alloc(100);
    VSTR   *path = vstr_alloc(100);
    const char *val;
    int     err = 0;
    long    uid;
    long    gid;

    vstr_set(addr, rcpt->address);
    vstr_lower(addr);

    if (dlv_loop_check(qfd, req, vstr_str(addr))) {
	dlv_result_set(res, DLV_STAT_BOUNCE, "5.4.6", "mail forwarding loop for %s", rcpt->address);
	goto done;
    }
    if ((val = maps_addr_find(mailbox_maps, vstr_str(addr), &err)) == 0) {
	if (err != DICT_ERR_NONE)
	    dlv_result_set(res, DLV_STAT_DEFER, "4.3.0", "virtual_mailbox_maps lookup failure");
	else
	    dlv_result_set(res, DLV_STAT_BOUNCE, "5.1.1", "unknown user: \"%s\"", vstr_str(addr));
	goto done;
    }
    vstr_set(path, var_virt_mailbox_base);
    if (vstr_len(path) > 0 && vstr_str(path)[vstr_len(path) - 1] != '/')
	vstr_addch(path, '/');
    vstr_adds(path, val);
    if (strstr(val, "..") != 0 && (strncmp(val, "../", 3) == 0 || strstr(val, "/../") != 0)) {
	msg_warn("recipient %s: bad mailbox path \"%s\" in virtual_mailbox_maps", rcpt->address, val);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	goto done;
    }
    if (lookup_id(uid_maps, "virtual_uid_maps", vstr_str(addr), &uid, res) < 0
	|| lookup_id(gid_maps, "virtual_gid_maps", vstr_str(addr), &gid, res) < 0)
	goto done;
    if (uid < var_virt_minimum_uid) {
	msg_warn("recipient %s: bad uid %ld in virtual_uid_maps", rcpt->address, uid);
	dlv_result_set(res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	goto done;
    }
    if (!dlv_running_as_root()) {
	/* Without root we can only write as ourselves (tests, demo). */
	uid = geteuid();
	gid = getegid();
    }
    if (val[strlen(val) - 1] == '/')
	dlv_maildir_deliver(qfd, req, rcpt, rcpt->address, vstr_str(path),
			    (uid_t) uid, (gid_t) gid, var_virt_mailbox_limit, 0, res);
    else {
	/* Postfix virtual(8)'s wording for a failed append. */
	vstr_sprintf(addr, "delivery failed to mailbox %s: ", vstr_str(path));
	dlv_mbox_deliver(qfd, req, rcpt, rcpt->address, vstr_str(path),
			 (uid_t) uid, (gid_t) gid, mbox_locks, var_virt_mailbox_limit,
			 0, "delivered to mailbox", vstr_str(addr), res);
    }
done:
    vstr_free(addr);
    vstr_free(path);
}

static void virtual_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    DLV_RESULT res;
    int     qfd;
    int     i;

    (void) argv;
    if ((req = deliver_request_read(client, service, 0)) == 0)
	return;
    dlv_result_init(&res);
    qfd = dlv_open_queue_file(req);
    for (i = 0; i < req->nrcpt; i++) {
	DELIVER_RCPT *rcpt = req->rcpt + i;

	if (qfd < 0)
	    dlv_result_set(&res, DLV_STAT_DEFER, "4.3.0", "queue file unavailable");
	else if (*var_virt_mailbox_base == 0) {
	    msg_warn("specify a non-empty value for virtual_mailbox_base");
	    dlv_result_set(&res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
	} else
	    deliver_one(qfd, req, rcpt, &res);
	dlv_apply(rcpt, &res);
	deliver_log(req, rcpt, "virtual", 0, 0);
    }
    if (qfd >= 0 && close(qfd) < 0)
	msg_warn("close queue file: %s", strerror(errno));
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    dlv_result_done(&res);
    deliver_request_free(req);
}

static void virtual_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    mailbox_maps = maps_create("virtual_mailbox_maps", var_virt_mailbox_maps, DICT_FLAG_FOLD_FIX);
    uid_maps = maps_create("virtual_uid_maps", var_virt_uid_maps, DICT_FLAG_FOLD_FIX);
    gid_maps = maps_create("virtual_gid_maps", var_virt_gid_maps, DICT_FLAG_FOLD_FIX);
    if ((mbox_locks = dlv_lock_flags(var_virt_mailbox_lock)) < 0)
	msg_fatal("bad virtual_mailbox_lock value: \"%s\"", var_virt_mailbox_lock);
}

static void virtual_exit(void)
{
    maps_free(mailbox_maps);
    maps_free(uid_maps);
    maps_free(gid_maps);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = virtual_init,
	.service = virtual_service,
	.pre_exit = virtual_exit,
	.flags = MAIL_SERVER_FLAG_NEED_ROOT,
    };

    single_server_main(argc, argv, &spec);
}
