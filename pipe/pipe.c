/* pipe.c - pipe(8): deliver to an external command named in master.cf:
 *
 *   name unix - n n - - pipe flags=DRhu user=vmail argv=/path arg ${recipient}
 *
 * The command runs (without a shell) as user= with the message on its
 * standard input; ${sender}, ${recipient}, ${user}, ${extension},
 * ${domain}, ${mailbox}, ${original_recipient}, ${nexthop}, ${size},
 * ${queue_id}, ${client_*} are expanded in its arguments (an argument
 * naming a per-recipient macro is repeated for every recipient). flags=
 * D, O, R, F (prepended headers and From_ line), B (blank line at the
 * end), . (dot-stuffing), > (">From " quoting), h and u (lower-case
 * domain and user in macros), q (quote addresses). The exit status
 * gives the outcome of every recipient, as Postfix's pipe does. */
#include "util/sys_defs.h"

#include <ctype.h>
#include <pwd.h>
#include <grp.h>
#include <strings.h>

#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/mail_addr.h"
#include "global/deliver_request.h"
#include "local/dlv_common.h"

#define PIPE_OUTPUT_MAX		1024	/* bytes of command output kept */

/* Per-service settings parsed from the master.cf arguments. */
typedef struct PIPE_ATTR {
    int     copy_flags;
    int     fold_host;
    int     fold_user;
    int     quote;
    uid_t   uid;
    gid_t   gid;
    ARGV   *command;
    const char *null_sender;
} PIPE_ATTR;

static PIPE_ATTR attr;
static int attr_ok;
static int time_limit;			/* SERVICE_time_limit ($command_time_limit) */

/* parse_args - flags=, user=, null_sender=, argv=...; fatal on errors. */
static void parse_args(char **argv)
{
    char  **cpp;
    const char *cp;
    struct passwd *pw;
    struct group *gr;
    char   *user = 0;
    char   *group;

    memset(&attr, 0, sizeof(attr));
    attr.null_sender = "MAILER-DAEMON";
    for (cpp = argv; cpp && *cpp; cpp++) {
	if (strncmp(*cpp, "flags=", 6) == 0) {
	    for (cp = *cpp + 6; *cp; cp++) {
		switch (*cp) {
		case 'D':
		    attr.copy_flags |= DLV_COPY_DELIVERED;
		    break;
		case 'O':
		    attr.copy_flags |= DLV_COPY_ORIG_RCPT;
		    break;
		case 'R':
		    attr.copy_flags |= DLV_COPY_RETURN_PATH;
		    break;
		case 'F':
		    attr.copy_flags |= DLV_COPY_FROM_LINE;
		    break;
		case 'B':
		    attr.copy_flags |= DLV_COPY_BLANK;
		    break;
		case '.':
		    attr.copy_flags |= DLV_COPY_DOT;
		    break;
		case '>':
		    attr.copy_flags |= DLV_COPY_QUOTE;
		    break;
		case 'h':
		    attr.fold_host = 1;
		    break;
		case 'u':
		    attr.fold_user = 1;
		    break;
		case 'q':
		    attr.quote = 1;
		    break;
		case 'X':
		case 'A':
		    break;
		default:
		    msg_warn("unknown flag: %c (ignored)", *cp);
		}
	    }
	} else if (strncmp(*cpp, "user=", 5) == 0) {
	    user = *cpp + 5;
	} else if (strncmp(*cpp, "null_sender=", 12) == 0) {
	    attr.null_sender = *cpp + 12;
	} else if (strncmp(*cpp, "size=", 5) == 0 || strncmp(*cpp, "eol=", 4) == 0
		   || strncmp(*cpp, "directory=", 10) == 0) {
	    msg_warn("pipe: %s is not supported yet (ignored)", *cpp);
	} else if (strncmp(*cpp, "argv=", 5) == 0) {
	    attr.command = argv_alloc(8);
	    argv_add(attr.command, *cpp + 5, (char *) 0);
	    for (cpp++; *cpp; cpp++)
		argv_add(attr.command, *cpp, (char *) 0);
	    break;
	} else
	    msg_fatal("unknown attribute name: %s", *cpp);
    }
    if (attr.command == 0 || attr.command->argc == 0 || *attr.command->argv[0] == 0)
	msg_fatal("missing argv= command-line attribute");
    if (attr.command->argv[0][0] != '/')
	msg_fatal("command \"%s\" must be an absolute path name", attr.command->argv[0]);
    if (user == 0)
	msg_fatal("missing user= command-line attribute");
    user = mystrdup(user);
    if ((group = strchr(user, ':')) != 0)
	*group++ = 0;
    if ((pw = getpwnam(user)) == 0)
	msg_fatal("user= command-line attribute specifies unknown user: %s", user);
    if (pw->pw_uid == 0)
	msg_fatal("user= command-line attribute specifies privileged user: %s", user);
    attr.uid = pw->pw_uid;
    attr.gid = pw->pw_gid;
    if (group) {
	if ((gr = getgrnam(group)) == 0)
	    msg_fatal("user= command-line attribute specifies unknown group: %s", group);
	if (gr->gr_gid == 0)
	    msg_fatal("user= command-line attribute specifies privileged group: %s", group);
	attr.gid = gr->gr_gid;
    }
    myfree(user);
    attr_ok = 1;
}

/* Macros whose value depends on the recipient. */
static int rcpt_macro(const char *name)
{
    static const char *const names[] = {
	"recipient", "user", "extension", "domain", "mailbox", "original_recipient", 0,
    };
    const char *const *cpp;

    for (cpp = names; *cpp; cpp++)
	if (strcmp(*cpp, name) == 0)
	    return (1);
    return (0);
}

/* macro_value - value of a macro for recipient r (NULL if unknown). */
static const char *macro_value(const char *name, const DELIVER_REQUEST *req,
			               const DELIVER_RCPT *r, VSTR *buf)
{
    const char *at;
    const char *delim = var_rcpt_delim ? var_rcpt_delim : "";
    size_t  n;

    vstr_reset(buf);
    if (strcmp(name, "sender") == 0) {
	if (*req->sender == 0)
	    return (attr.null_sender);
	if (attr.quote)
	    return (addr_quote(buf, req->sender));
	return (req->sender);
    }
    if (strcmp(name, "nexthop") == 0)
	return (req->nexthop ? req->nexthop : "");
    if (strcmp(name, "size") == 0) {
	vstr_sprintf(buf, "%ld", req->message_size);
	return (vstr_str(buf));
    }
    if (strcmp(name, "queue_id") == 0)
	return (req->queue_id);
    if (strcmp(name, "client_address") == 0)
	return (req->client_address ? req->client_address : "");
    if (strcmp(name, "client_hostname") == 0)
	return (req->client_name ? req->client_name : "");
    if (strcmp(name, "client_helo") == 0)
	return (req->helo_name ? req->helo_name : "");
    if (strcmp(name, "client_protocol") == 0)
	return (req->protocol_name ? req->protocol_name : "");
    if (r == 0)
	return (0);
    if (strcmp(name, "original_recipient") == 0)
	return (r->orig_rcpt && *r->orig_rcpt ? r->orig_rcpt : r->address);
    at = strrchr(r->address, '@');
    if (strcmp(name, "recipient") == 0) {
	if (attr.quote)
	    addr_quote(buf, r->address);
	else
	    vstr_set(buf, r->address);
	if (attr.fold_user || attr.fold_host) {
	    char   *s = vstr_str(buf);
	    char   *a = strrchr(s, '@');

	    for (; *s; s++)
		if ((a && s > a) ? attr.fold_host : attr.fold_user)
		    *s = tolower((unsigned char) *s);
	}
	return (vstr_str(buf));
    }
    if (strcmp(name, "domain") == 0) {
	vstr_set(buf, at ? at + 1 : "");
	return (attr.fold_host ? vstr_lower(buf) : vstr_str(buf));
    }
    /* user, extension, mailbox: from the local part. */
    vstr_setn(buf, r->address, at ? (size_t) (at - r->address) : strlen(r->address));
    if (attr.fold_user)
	vstr_lower(buf);
    if (strcmp(name, "mailbox") == 0)
	return (vstr_str(buf));
    n = *delim ? strcspn(vstr_str(buf), delim) : vstr_len(buf);
    if (strcmp(name, "user") == 0) {
	vstr_truncate(buf, n);
	return (vstr_str(buf));
    }
    if (strcmp(name, "extension") == 0) {
	if (n >= vstr_len(buf))
	    return ("");
	memmove(vstr_str(buf), vstr_str(buf) + n + 1, vstr_len(buf) - n);
	vstr_truncate(buf, vstr_len(buf) - n - 1);
	return (vstr_str(buf));
    }
    return (0);
}

/* expand - expand $name and ${name} in arg for recipient r into out; sets
 * *per_rcpt when a per-recipient macro occurs. -1 on an unknown macro. */
static int expand(const char *arg, const DELIVER_REQUEST *req, const DELIVER_RCPT *r,
		          VSTR *out, int *per_rcpt)
{
    VSTR   *name = vstr_alloc(32);
    VSTR   *buf = vstr_alloc(64);
    const char *cp;
    const char *val;
    int     ret = 0;

    vstr_reset(out);
    for (cp = arg; *cp; cp++) {
	if (*cp != '$') {
	    vstr_addch(out, *cp);
	    continue;
	}
	vstr_reset(name);
	if (cp[1] == '{') {
	    const char *end = strchr(cp + 2, '}');

	    if (end == 0) {
		vstr_addch(out, *cp);
		continue;
	    }
	    vstr_setn(name, cp + 2, (size_t) (end - cp - 2));
	    cp = end;
	} else if (cp[1] == '$') {
	    vstr_addch(out, '$');
	    cp++;
	    continue;
	} else {
	    const char *s = cp + 1;

	    while (isalnum((unsigned char) *s) || *s == '_')
		s++;
	    if (s == cp + 1) {
		vstr_addch(out, *cp);
		continue;
	    }
	    vstr_setn(name, cp + 1, (size_t) (s - cp - 1));
	    cp = s - 1;
	}
	if (rcpt_macro(vstr_str(name)))
	    *per_rcpt = 1;
	if ((val = macro_value(vstr_str(name), req, r, buf)) == 0) {
	    msg_warn("unknown macro name: \"%s\" in command argument \"%s\"", vstr_str(name), arg);
	    ret = -1;
	    break;
	}
	vstr_adds(out, val);
    }
    vstr_free(name);
    vstr_free(buf);
    return (ret);
}

static void pipe_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    DLV_RESULT res;
    ARGV   *args;
    ARGV   *env;
    VSTR   *out = vstr_alloc(100);
    VSTR   *output = vstr_alloc(100);
    VSTR   *sent = vstr_alloc(100);
    int     qfd;
    int     i;
    int     j;
    int     per_rcpt;
    int     status;
    int     bad = 0;

    if (!attr_ok)
	parse_args(argv);
    if ((req = deliver_request_read(client, service, 0)) == 0)
	goto free;
    if (req->nrcpt == 0) {
	(void) deliver_request_reply(client, req);
	deliver_request_free(req);
	goto free;
    }
    dlv_result_init(&res);
    qfd = dlv_open_queue_file(req);
    args = argv_alloc(attr.command->argc + req->nrcpt + 1);
    for (i = 0; i < attr.command->argc && !bad; i++) {
	per_rcpt = 0;
	if (expand(attr.command->argv[i], req, req->rcpt, out, &per_rcpt) < 0)
	    bad = 1;
	else if (!per_rcpt || req->nrcpt <= 1)
	    argv_add(args, vstr_str(out), (char *) 0);
	else
	    for (j = 0; j < req->nrcpt && !bad; j++) {
		if (expand(attr.command->argv[i], req, req->rcpt + j, out, &per_rcpt) < 0)
		    bad = 1;
		else
		    argv_add(args, vstr_str(out), (char *) 0);
	    }
    }
    env = argv_alloc(2);
    argv_add(env, "PATH=/usr/bin:/bin", (char *) 0);
    vstr_sprintf(sent, "delivered via %s service", service);
    if (qfd < 0)
	dlv_result_set(&res, DLV_STAT_DEFER, "4.3.0", "queue file unavailable");
    else if (bad)
	dlv_result_set(&res, DLV_STAT_DEFER, "4.3.5", "mail system configuration error");
    else if (dlv_run(args->argv, (char *) 0, env->argv, attr.uid, attr.gid, "/", qfd, req,
		     req->rcpt, req->rcpt[0].address,
		     attr.copy_flags, time_limit, PIPE_OUTPUT_MAX, output,
		     &status, &res) == 0)
	dlv_command_result(status, args->argv[0], vstr_str(output), vstr_str(sent), &res);
    for (i = 0; i < req->nrcpt; i++) {
	dlv_apply(req->rcpt + i, &res);
	deliver_log(req, req->rcpt + i, service, 0, 0);
    }
    if (qfd >= 0 && close(qfd) < 0)
	msg_warn("close queue file: %s", strerror(errno));
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    argv_free(args);
    argv_free(env);
    dlv_result_done(&res);
    deliver_request_free(req);
free:
    vstr_free(out);
    vstr_free(output);
    vstr_free(sent);
}

static void pipe_init(const char *service, char **argv)
{
    VSTR   *name = vstr_alloc(100);

    /* As Postfix's pipe: the master.cf service name's _time_limit. */
    vstr_sprintf(name, "%s_time_limit", service);
    time_limit = mail_conf_get_time(vstr_str(name), var_command_maxtime, 's', 1, 0);
    vstr_free(name);
    parse_args(argv);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = pipe_init,
	.service = pipe_service,
	.flags = MAIL_SERVER_FLAG_NEED_ROOT,
    };

    single_server_main(argc, argv, &spec);
}
