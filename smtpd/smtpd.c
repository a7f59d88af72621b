/* smtpd.c - the SMTP server: one client at a time on the single-server
 * skeleton. Speaks SMTP/ESMTP with Postfix 3.7's replies and log lines,
 * enforces the access policy (smtpd_check.c), rejects bare LF/CR and
 * unauthorised pipelining, and streams each message into cleanup,
 * answering 250 only after cleanup reports the queue file durable. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <time.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "util/argv.h"
#include "global/mail_params.h"
#include "global/params_smtpd.h"
#include "global/mail_server.h"
#include "global/mail_proto.h"
#include "global/mail_addr.h"
#include "global/record.h"
#include "global/qfile.h"
#include "global/cleanup_client.h"
#include "global/mail_date.h"
#include "smtpd/smtpd.h"

/* Per-command statistics, in Postfix's order for the disconnect line. */
enum {
    C_HELO, C_EHLO, C_XCLIENT, C_XFORWARD, C_STARTTLS, C_AUTH, C_MAIL, C_RCPT,
    C_DATA, C_BDAT, C_RSET, C_NOOP, C_VRFY, C_ETRN, C_QUIT, C_UNKNOWN, C_COUNT
};
static const char *const cmd_stat_names[C_COUNT] = {
    "helo", "ehlo", "xclient", "xforward", "starttls", "auth", "mail", "rcpt",
    "data", "bdat", "rset", "noop", "vrfy", "etrn", "quit", "unknown",
};
static int cmd_total[C_COUNT];
static int cmd_ok[C_COUNT];

/* Handler results. */
#define CMD_OK		0
#define CMD_ERR		(-1)		/* failed: counted, session continues */
#define CMD_CLOSE_OK	1		/* succeeded, then end the session */
#define CMD_CLOSE_ERR	2		/* failed, then end the session */

/* Command flags. */
#define CF_LAST		(1<<0)		/* must be last in a pipelined group (RFC 2920) */
#define CF_NOPIPE_CHECK	(1<<1)		/* never a pipelining violation (QUIT) */

typedef struct SMTPD_CMD {
    const char *name;
    int     stat;
    int     flags;
    int     (*action) (SMTPD_STATE *, char *);
} SMTPD_CMD;

static VSTR *line_buf;			/* one command or data line */
static VSTR *data_buf;			/* data line with a held-back CR */
static int bare_mode_default;		/* BARE_* from smtpd_forbid_bare_newline */

/* ---------------------------------------------------------------- replies */

/* smtpd_reply - send a one-line reply (Postfix 3.7 sends "\n" in
 * smtpd_banner literally). Sleeps first once the client made
 * smtpd_soft_error_limit errors, as Postfix does. */
static void PRINTFLIKE(2, 3) smtpd_reply(SMTPD_STATE *state, const char *fmt,...)
{
    va_list ap;

    vstr_reset(state->buffer);
    va_start(ap, fmt);
    vstr_vsprintf_append(state->buffer, fmt, ap);
    va_end(ap);
    if (state->error_count >= var_smtpd_soft_erlim && var_smtpd_err_sleep > 0) {
	(void) stream_flush(state->client);
	sleep((unsigned) var_smtpd_err_sleep);
    }
    vstr_adds(state->buffer, "\r\n");
    (void) stream_write(state->client, vstr_str(state->buffer), vstr_len(state->buffer));
}

/* smtpd_reject_log - "ID: reject: CMD from host: reply; from=<> to=<> proto=P helo=<h>". */
static void smtpd_reject_log(SMTPD_STATE *state, const char *cmd, const char *reply,
			             const char *rcpt)
{
    VSTR   *buf = vstr_alloc(200);
    VSTR   *q = vstr_alloc(100);

    vstr_sprintf(buf, "%s: reject: %s from %s: %s;",
		 state->queue_id ? state->queue_id : "NOQUEUE", cmd,
		 state->namaddr, reply);
    if (state->sender)
	vstr_sprintf_append(buf, " from=<%s>", addr_quote(q, state->sender));
    if (rcpt)
	vstr_sprintf_append(buf, " to=<%s>", addr_quote(q, rcpt));
    vstr_sprintf_append(buf, " proto=%s", state->protocol);
    if (state->helo_name)
	vstr_sprintf_append(buf, " helo=<%s>", state->helo_name);
    msg_info("%s", vstr_str(buf));
    vstr_free(buf);
    vstr_free(q);
}

/* ------------------------------------------------------------ transaction */

static void mail_reset(SMTPD_STATE *state)
{
    if (state->cleanup) {
	cleanup_abort(state->cleanup);
	state->cleanup = 0;
    }
    if (state->queue_id) {
	myfree(state->queue_id);
	state->queue_id = 0;
    }
    if (state->sender) {
	myfree(state->sender);
	state->sender = 0;
    }
    if (state->first_rcpt) {
	myfree(state->first_rcpt);
	state->first_rcpt = 0;
    }
    state->rcpt_count = 0;
    state->rcpt_overshoot = 0;
    state->act_size = 0;
    state->smtputf8 = 0;
    state->dsn_ret = 0;
    if (state->dsn_envid) {
	myfree(state->dsn_envid);
	state->dsn_envid = 0;
    }
    state->bdat_state = BDAT_NONE;
    if (state->bdat_line)
	vstr_reset(state->bdat_line);
}

/* cleanup_put - write one record to cleanup; remembers a failure. */
static int cleanup_err;

static void cleanup_put(SMTPD_STATE *state, int type, const char *data, size_t len)
{
    if (state->cleanup && !cleanup_err
	&& rec_put(cleanup_stream(state->cleanup), type, data, len) < 0)
	cleanup_err = 1;
}

static void PRINTFLIKE(3, 4) cleanup_printf(SMTPD_STATE *state, int type, const char *fmt,...)
{
    VSTR   *buf = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    cleanup_put(state, type, vstr_str(buf), vstr_len(buf));
    vstr_free(buf);
}

/* open_cleanup - connect to cleanup at the first accepted recipient (as
 * Postfix does with smtpd_delay_open_until_valid_rcpt = yes). */
static int open_cleanup(SMTPD_STATE *state)
{
    const char *why = 0;

    if ((state->cleanup = cleanup_open(CLEANUP_FLAG_NONE, &why)) == 0) {
	msg_warn("connect to cleanup service: %s", why ? why : "unknown error");
	return (-1);
    }
    cleanup_err = 0;
    state->queue_id = mystrdup(cleanup_queue_id(state->cleanup));
    msg_info("%s: client=%s", state->queue_id, state->namaddr);
    cleanup_printf(state, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_CLIENT_NAME, state->name);
    cleanup_printf(state, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_CLIENT_ADDR, state->addr);
    if (state->helo_name)
	cleanup_printf(state, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_HELO, state->helo_name);
    cleanup_printf(state, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_PROTO_NAME, state->protocol);
    if (state->smtputf8)
	cleanup_printf(state, REC_TYPE_ATTR, "%s=1", MAIL_ATTR_SMTPUTF8);
    if (state->dsn_ret)
	cleanup_printf(state, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_RET, state->dsn_ret);
    if (state->dsn_envid)
	cleanup_printf(state, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, state->dsn_envid);
    cleanup_put(state, REC_TYPE_FROM, state->sender, strlen(state->sender));
    return (0);
}

/* --------------------------------------------------------------- parsing */

/* path_token - end of the first white-space delimited word of p, where
 * white space inside a quoted string does not count (so "<a b@c>" is
 * split and rejected, as Postfix does, but <"a b"@c> is one word). */
static char *path_token(char *p)
{
    int     quoted = 0;

    for (; *p; p++) {
	if (*p == '\\' && quoted && p[1])
	    p++;
	else if (*p == '"')
	    quoted = !quoted;
	else if (!quoted && isspace((unsigned char) *p))
	    break;
    }
    return (p);
}

/* log_token - end of the word that Postfix logs for a bad address: white
 * space inside <...> or a quoted string does not end it. */
static char *log_token(char *p)
{
    int     quoted = 0;
    int     angle = 0;

    for (; *p; p++) {
	if (*p == '\\' && quoted && p[1])
	    p++;
	else if (*p == '"')
	    quoted = !quoted;
	else if (!quoted && *p == '<')
	    angle++;
	else if (!quoted && *p == '>' && angle > 0)
	    angle--;
	else if (!quoted && !angle && isspace((unsigned char) *p))
	    break;
    }
    return (p);
}

/* illegal_addr - log a bad address as Postfix does. */
static void illegal_addr(SMTPD_STATE *state, const char *cmd, char *arg)
{
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    *log_token(arg) = 0;
    if (*arg == '<' && strchr(arg, '>') == 0)
	return;					/* Postfix is silent about an unclosed <path */
    msg_warn("Illegal address syntax from %s in %s command: %s", state->namaddr, cmd,
	     printable(arg, '?'));
}

/* parse_path - parse "<addr>" (or a bare address when not strict) at arg
 * into addr; *params points to what follows. Returns 0 or -1. */
static int parse_path(char *arg, VSTR *addr, char **params)
{
    char   *end;
    char    save;
    const char *rest = 0;
    const char *why = 0;
    VSTR   *tmp;
    int     ret;

    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg == 0)
	return (-1);
    end = path_token(arg);
    save = *end;
    *end = 0;
    tmp = vstr_alloc(end - arg + 3);
    if (*arg != '<') {
	if (var_strict_rfc821_env) {
	    *end = save;
	    vstr_free(tmp);
	    return (-1);
	}
	vstr_addch(tmp, '<');
	vstr_adds(tmp, arg);
	vstr_addch(tmp, '>');
    } else {
	vstr_adds(tmp, arg);
    }
    ret = addr_parse_path(vstr_str(tmp), addr, &rest, &why);
    if (ret == 0 && rest && *rest != 0)
	ret = -1;
    vstr_free(tmp);
    *end = save;
    *params = end;
    return (ret);
}

/* next_param - next white-space delimited word of *cpp, or NULL. */
static char *next_param(char **cpp)
{
    char   *cp = *cpp;
    char   *start;

    while (*cp && isspace((unsigned char) *cp))
	cp++;
    if (*cp == 0) {
	*cpp = cp;
	return (0);
    }
    start = cp;
    while (*cp && !isspace((unsigned char) *cp))
	cp++;
    if (*cp)
	*cp++ = 0;
    *cpp = cp;
    return (start);
}

/* min_user - an address that starts with '-' (an option to a command
 * that delivery might run), refused unless allow_min_user, as Postfix does. */
static int min_user(VSTR *addr)
{
    return (!var_allow_min_user && vstr_str(addr)[0] == '-');
}

/* xtext_ok - RFC 3461 xtext ("+XX" hex escapes) that decodes to printable
 * ASCII, as Postfix checks ENVID= and ORCPT= values. */
static int xtext_ok(const char *s)
{
    int     c;

    for (; *s; s++) {
	if (*s == '+') {
	    if (!isxdigit((unsigned char) s[1]) || !isxdigit((unsigned char) s[2]))
		return (0);
#define HEXVAL(ch) (isdigit((unsigned char) (ch)) ? (ch) - '0' : (tolower((unsigned char) (ch)) - 'a' + 10))
	    c = HEXVAL(s[1]) * 16 + HEXVAL(s[2]);
	    s += 2;
	} else
	    c = (unsigned char) *s;
	if (c < 0x20 || c > 0x7e)
	    return (0);
    }
    return (1);
}

/* notify_ok - NEVER alone, or a list of SUCCESS, FAILURE, DELAY. */
static int notify_ok(const char *s)
{
    char   *copy = mystrdup(s);
    char   *cp = copy;
    char   *word;
    int     never = 0;
    int     count = 0;
    int     ok = (*s != 0);

    while (ok && (word = mystrtok(&cp, ",")) != 0) {
	count++;
	if (strcasecmp(word, "NEVER") == 0)
	    never = 1;
	else if (strcasecmp(word, "SUCCESS") != 0 && strcasecmp(word, "FAILURE") != 0
		 && strcasecmp(word, "DELAY") != 0)
	    ok = 0;
    }
    myfree(copy);
    return (ok && count > 0 && (!never || count == 1));
}

/* orcpt_ok - "addr-type;xtext" with an alphanumeric type and a value. */
static int orcpt_ok(const char *s)
{
    const char *semi = strchr(s, ';');
    const char *cp;

    if (semi == 0 || semi == s || semi[1] == 0)
	return (0);
    for (cp = s; cp < semi; cp++)
	if (!isalnum((unsigned char) *cp))
	    return (0);
    return (xtext_ok(semi + 1));
}

/* xtext_decode - the value of a valid xtext string (RFC 3461), newly allocated. */
static char *xtext_decode(const char *s)
{
    VSTR   *v = vstr_alloc(strlen(s) + 1);

    for (; *s; s++) {
	if (*s == '+' && isxdigit((unsigned char) s[1]) && isxdigit((unsigned char) s[2])) {
	    vstr_addch(v, (char) (HEXVAL(s[1]) * 16 + HEXVAL(s[2])));
	    s += 2;
	} else
	    vstr_addch(v, *s);
    }
    return (vstr_export(v));
}

/* notify_bits - DSN_NOTIFY_* bits of a valid NOTIFY= value. */
static int notify_bits(const char *s)
{
    char   *copy = mystrdup(s);
    char   *cp = copy;
    char   *word;
    int     bits = 0;

    while ((word = mystrtok(&cp, ",")) != 0) {
	if (strcasecmp(word, "NEVER") == 0)
	    bits |= DSN_NOTIFY_NEVER;
	else if (strcasecmp(word, "SUCCESS") == 0)
	    bits |= DSN_NOTIFY_SUCCESS;
	else if (strcasecmp(word, "FAILURE") == 0)
	    bits |= DSN_NOTIFY_FAILURE;
	else if (strcasecmp(word, "DELAY") == 0)
	    bits |= DSN_NOTIFY_DELAY;
    }
    myfree(copy);
    return (bits);
}

/* -------------------------------------------------------------- commands */

static void junk_command(SMTPD_STATE *state);

static int helo_common(SMTPD_STATE *state, char *arg, int ehlo)
{
    junk_command(state);
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg == 0) {
	state->error_count++;
	smtpd_reply(state, "501 Syntax: %s hostname", ehlo ? "EHLO" : "HELO");
	return (CMD_ERR);
    }
    mail_reset(state);
    if (state->helo_name)
	myfree(state->helo_name);
    state->helo_name = mystrdup(trimblanks(arg));
    printable(state->helo_name, '?');
    if (!var_smtpd_delay_reject) {
	const char *err = smtpd_check_helo(state, state->helo_name);

	if (err) {
	    state->error_count++;
	    smtpd_reply(state, "%s", err);
	    smtpd_reject_log(state, ehlo ? "EHLO" : "HELO", err, 0);
	    myfree(state->helo_name);
	    state->helo_name = 0;
	    return (CMD_ERR);
	}
    }
    if (ehlo)
	state->protocol = "ESMTP";
    else if (strcmp(state->protocol, "ESMTP") != 0)
	state->protocol = "SMTP";
    return (CMD_OK);
}

static int helo_cmd(SMTPD_STATE *state, char *arg)
{
    if (helo_common(state, arg, 0) != CMD_OK)
	return (CMD_ERR);
    smtpd_reply(state, "250 %s", var_myhostname);
    return (CMD_OK);
}

static int ehlo_cmd(SMTPD_STATE *state, char *arg)
{
    if (helo_common(state, arg, 1) != CMD_OK)
	return (CMD_ERR);
    vstr_reset(state->buffer);
    (void) stream_printf(state->client, "250-%s\r\n", var_myhostname);
    (void) stream_printf(state->client, "250-PIPELINING\r\n");
    if (var_message_limit > 0)
	(void) stream_printf(state->client, "250-SIZE %ld\r\n", var_message_limit);
    else
	(void) stream_printf(state->client, "250-SIZE\r\n");
    if (!var_disable_vrfy_cmd)
	(void) stream_printf(state->client, "250-VRFY\r\n");
    (void) stream_printf(state->client, "250-ETRN\r\n");
    (void) stream_printf(state->client, "250-ENHANCEDSTATUSCODES\r\n");
    (void) stream_printf(state->client, "250-8BITMIME\r\n");
    (void) stream_printf(state->client, "250-DSN\r\n");
    if (var_smtputf8_enable)
	(void) stream_printf(state->client, "250-SMTPUTF8\r\n");
    (void) stream_printf(state->client, "250 CHUNKING\r\n");
    state->pipelining_offered = 1;
    return (CMD_OK);
}

static int mail_cmd(SMTPD_STATE *state, char *arg)
{
    VSTR   *addr;
    char   *params;
    char   *p;
    long    size = 0;
    int     seen_ret = 0;
    int     seen_envid = 0;
    int     smtputf8 = 0;
    int     dsn_ret = 0;
    const char *envid = 0;

    if (state->bdat_state != BDAT_NONE) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: MAIL after BDAT");
	return (CMD_ERR);
    }
    if (var_smtpd_helo_required && state->helo_name == 0) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: send HELO/EHLO first");
	return (CMD_ERR);
    }
    if (state->sender) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: nested MAIL command");
	return (CMD_ERR);
    }
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (strncasecmp(arg, "FROM:", 5) != 0 || arg[5 + strspn(arg + 5, " \t")] == 0) {
	state->error_count++;
	smtpd_reply(state, "501 5.5.4 Syntax: MAIL FROM:<address>");
	return (CMD_ERR);
    }
    addr = vstr_alloc(100);
    if (parse_path(arg + 5, addr, &params) < 0 || min_user(addr)) {
	illegal_addr(state, "MAIL", arg + 5);
	vstr_free(addr);
	state->error_count++;
	smtpd_reply(state, "501 5.1.7 Bad sender address syntax");
	return (CMD_ERR);
    }
    while ((p = next_param(&params)) != 0) {
	if (strncasecmp(p, "SIZE=", 5) == 0) {
	    if (!alldig(p + 5) || strlen(p + 5) > 18) {
		vstr_free(addr);
		state->error_count++;
		smtpd_reply(state, "501 5.5.4 Bad message size syntax");
		return (CMD_ERR);
	    }
	    size = strtol(p + 5, 0, 10);
	} else if (strncasecmp(p, "BODY=", 5) == 0
		   && (strcasecmp(p + 5, "8BITMIME") == 0 || strcasecmp(p + 5, "7BIT") == 0)) {
	     /* ok */ ;
	} else if (strncasecmp(p, "RET=", 4) == 0) {
	    /* Once, FULL or HDRS (RFC 3461). */
	    if (seen_ret++ || (strcasecmp(p + 4, "FULL") != 0 && strcasecmp(p + 4, "HDRS") != 0)) {
		vstr_free(addr);
		state->error_count++;
		smtpd_reply(state, "501 5.5.4 Bad RET parameter syntax");
		return (CMD_ERR);
	    }
	    dsn_ret = strcasecmp(p + 4, "FULL") == 0 ? SMTPD_DSN_RET_FULL : SMTPD_DSN_RET_HDRS;
	} else if (strncasecmp(p, "ENVID=", 6) == 0) {
	    if (seen_envid++ || !xtext_ok(p + 6)) {
		vstr_free(addr);
		state->error_count++;
		smtpd_reply(state, "501 5.5.4 Bad ENVID parameter syntax");
		return (CMD_ERR);
	    }
	    envid = p + 6;
	} else if (strcasecmp(p, "SMTPUTF8") == 0 && var_smtputf8_enable) {
	    smtputf8 = 1;
	} else if (strcasecmp(p, "SMTPUTF8") == 0
		   || strncasecmp(p, "AUTH=", 5) == 0) {
	     /* accepted and ignored, as Postfix does without the feature */ ;
	} else {
	    vstr_free(addr);
	    state->error_count++;
	    smtpd_reply(state, "555 5.5.4 Unsupported option: %s", p);
	    return (CMD_ERR);
	}
    }
    state->sender = vstr_export(addr);
    if (!var_smtpd_delay_reject) {
	const char *err = smtpd_check_mail(state, state->sender);

	if (err) {
	    state->error_count++;
	    smtpd_reply(state, "%s", err);
	    smtpd_reject_log(state, "MAIL", err, 0);
	    myfree(state->sender);
	    state->sender = 0;
	    return (CMD_ERR);
	}
    }
    if (var_message_limit > 0 && size > var_message_limit) {
	const char *r = "552 5.3.4 Message size exceeds fixed limit";

	state->error_count++;
	smtpd_reply(state, "%s", r);
	smtpd_reject_log(state, "MAIL", r, 0);
	myfree(state->sender);
	state->sender = 0;
	return (CMD_ERR);
    }
    state->smtputf8 = smtputf8;
    state->dsn_ret = dsn_ret;
    if (state->dsn_envid)
	myfree(state->dsn_envid);
    state->dsn_envid = envid ? xtext_decode(envid) : 0;
    smtpd_reply(state, "250 2.1.0 Ok");
    return (CMD_OK);
}

static int rcpt_cmd(SMTPD_STATE *state, char *arg)
{
    VSTR   *addr;
    char   *params;
    char   *p;
    const char *err;
    int     seen_notify = 0;
    int     seen_orcpt = 0;
    int     notify = 0;
    static VSTR *orcpt;			/* "type;decoded ORCPT" or empty */

    if (orcpt == 0)
	orcpt = vstr_alloc(100);
    vstr_reset(orcpt);
    if (state->bdat_state != BDAT_NONE) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: RCPT after BDAT");
	return (CMD_ERR);
    }
    if (state->sender == 0) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: need MAIL command");
	return (CMD_ERR);
    }
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (strncasecmp(arg, "TO:", 3) != 0 || arg[3 + strspn(arg + 3, " \t")] == 0) {
	state->error_count++;
	smtpd_reply(state, "501 5.5.4 Syntax: RCPT TO:<address>");
	return (CMD_ERR);
    }
    addr = vstr_alloc(100);
    if (parse_path(arg + 3, addr, &params) < 0 || vstr_len(addr) == 0 || min_user(addr)) {
	illegal_addr(state, "RCPT", arg + 3);
	vstr_free(addr);
	state->error_count++;
	smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
	return (CMD_ERR);
    }
    while ((p = next_param(&params)) != 0) {
	const char *bad = 0;

	if (strncasecmp(p, "NOTIFY=", 7) == 0) {
	    if (seen_notify++ || !notify_ok(p + 7))
		bad = "501 5.5.4 Error: Bad NOTIFY parameter syntax";
	    else
		notify = notify_bits(p + 7);
	} else if (strncasecmp(p, "ORCPT=", 6) == 0) {
	    if (seen_orcpt++ || !orcpt_ok(p + 6))
		bad = "501 5.5.4 Error: Bad ORCPT parameter syntax";
	    else {
		char   *val = xtext_decode(strchr(p + 6, ';') + 1);

		vstr_reset(orcpt);
		vstr_addn(orcpt, p + 6, (size_t) (strchr(p + 6, ';') + 1 - (p + 6)));
		vstr_adds(orcpt, val);
		myfree(val);
	    }
	} else {
	    vstr_free(addr);
	    state->error_count++;
	    smtpd_reply(state, "555 5.5.4 Unsupported option: %s", p);
	    return (CMD_ERR);
	}
	if (bad) {
	    vstr_free(addr);
	    state->error_count++;
	    smtpd_reply(state, "%s", bad);
	    return (CMD_ERR);
	}
    }
    if (state->rcpt_count >= var_smtpd_rcpt_limit) {
	vstr_free(addr);
	smtpd_reply(state, "452 4.5.3 Error: too many recipients");
	if (state->rcpt_overshoot++ < var_smtpd_rcpt_overlim)
	    return (CMD_OK);
	state->error_count++;
	return (CMD_ERR);
    }
    if ((err = smtpd_check_rcpt(state, vstr_str(addr))) != 0) {
	state->error_count++;
	smtpd_reply(state, "%s", err);
	smtpd_reject_log(state, "RCPT", err, vstr_str(addr));
	vstr_free(addr);
	return (CMD_ERR);
    }
    if (state->cleanup == 0 && open_cleanup(state) < 0) {
	vstr_free(addr);
	state->error_count++;
	smtpd_reply(state, "451 4.3.0 Error: queue file write error");
	return (CMD_ERR);
    }
    /* DSN: ORCPT= as the original recipient, NOTIFY= as the n record. */
    if (vstr_len(orcpt) > 0)
	cleanup_put(state, REC_TYPE_ORCP, vstr_str(orcpt), vstr_len(orcpt));
    else
	cleanup_put(state, REC_TYPE_ORCP, vstr_str(addr), vstr_len(addr));
    if (notify)
	cleanup_printf(state, REC_TYPE_NOTIFY, "%d", notify);
    cleanup_put(state, REC_TYPE_RCPT, vstr_str(addr), vstr_len(addr));
    if (state->rcpt_count++ == 0)
	state->first_rcpt = mystrdup(vstr_str(addr));
    vstr_free(addr);
    smtpd_reply(state, "250 2.1.5 Ok");
    return (CMD_OK);
}

/* bare_check - with smtpd_forbid_bare_newline = reject: '\n' for a bare
 * LF (a line ending in LF without CR), '\r' for a bare CR inside the line,
 * else 0. ended says the line includes its LF. */
static int bare_check(SMTPD_STATE *state, const char *line, size_t len, int ended)
{
    size_t  i;
    size_t  body = len;

    if (state->bare_mode != BARE_REJECT)
	return (0);
    if (ended) {
	if (len < 2 || line[len - 2] != '\r')
	    return ('\n');
	body = len - 2;
    }
    for (i = 0; i < body; i++)
	if (line[i] == '\r')
	    return ('\r');
    return (0);
}

/* bare_reject - reply and log as Postfix 3.7.11 does with "reject". */
static void bare_reject(SMTPD_STATE *state, int which, const char *where)
{
    char    text[40];

    snprintf(text, sizeof(text), "bare <%s> received", which == '\n' ? "LF" : "CR");
    smtpd_reply(state, "%d 5.5.2 %s Error: %s", var_smtpd_forbid_bare_lf_code,
		var_myhostname, text);
    smtpd_reject_log(state, where, text, state->first_rcpt);
}

/* put_received - start the message content with our Received: header. */
static void put_received(SMTPD_STATE *state)
{
    VSTR   *date;
    VSTR   *q;

    q = vstr_alloc(100);
    cleanup_put(state, REC_TYPE_MESG, "", 0);
    cleanup_printf(state, REC_TYPE_NORM, "Received: from %s (%s [%s])",
		   state->helo_name ? state->helo_name : state->name,
		   state->name, state->rfc_addr);
    date = vstr_alloc(64);
    mail_date(date, time((time_t *) 0));
    if (state->rcpt_count == 1) {
	cleanup_printf(state, REC_TYPE_NORM, "\tby %s (%s) with %s id %s",
		       var_myhostname, var_mail_name, state->protocol, state->queue_id);
	cleanup_printf(state, REC_TYPE_NORM, "\tfor <%s>; %s",
		       addr_quote(q, state->first_rcpt), vstr_str(date));
    } else {
	cleanup_printf(state, REC_TYPE_NORM, "\tby %s (%s) with %s id %s;",
		       var_myhostname, var_mail_name, state->protocol, state->queue_id);
	cleanup_printf(state, REC_TYPE_NORM, "\t%s", vstr_str(date));
    }
    vstr_free(date);
    vstr_free(q);
}

/* finish_message - end the content, let cleanup commit it, and reply;
 * bytes_text goes before "queued as" (BDAT says "N bytes "). */
static int finish_message(SMTPD_STATE *state, const char *bytes_text)
{
    VSTR   *reason;
    int     status;

    cleanup_put(state, REC_TYPE_XTRA, "", 0);
    if (cleanup_err) {
	mail_reset(state);
	state->error_count++;
	smtpd_reply(state, "451 4.3.0 Error: queue file write error");
	return (CMD_ERR);
    }
    reason = vstr_alloc(100);
    status = cleanup_finish(state->cleanup, reason);
    state->cleanup = 0;
    if (status == CLEANUP_STAT_OK) {
	smtpd_reply(state, "250 2.0.0 Ok: %squeued as %s", bytes_text, state->queue_id);
	state->error_count = 0;
	state->junk_cmds = 0;
	vstr_free(reason);
	mail_reset(state);
	return (CMD_OK);
    }
    state->error_count++;
    if ((status & (CLEANUP_STAT_CONT | CLEANUP_STAT_PROXY | CLEANUP_STAT_DEFER))
	&& vstr_len(reason) > 3 && isdigit((unsigned char) vstr_str(reason)[0]))
	smtpd_reply(state, "%s", vstr_str(reason));
    else if ((status & CLEANUP_STAT_CONT) && vstr_len(reason) > 0)
	smtpd_reply(state, "550 5.7.1 %s", vstr_str(reason));
    else if ((status & CLEANUP_STAT_DEFER) && vstr_len(reason) > 0)
	smtpd_reply(state, "451 4.7.1 %s", vstr_str(reason));
    else
	smtpd_reply(state, "%s", cleanup_strerror(status));
    vstr_free(reason);
    mail_reset(state);
    return (CMD_ERR);
}

static int data_cmd(SMTPD_STATE *state, char *arg)
{
    const char *err;
    int     at_start = 1;
    int     too_big = 0;
    int     status;
    int     bare = 0;
    int     prev_crlf = 1;		/* "DATA" ended in <CR><LF> */
    int     held_cr = 0;
    char   *text;
    size_t  len;
    size_t  raw_len;

    if (state->bdat_state != BDAT_NONE) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: DATA after BDAT");
	return (CMD_ERR);
    }
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg) {
	state->error_count++;
	smtpd_reply(state, "501 5.5.4 Syntax: DATA");
	return (CMD_ERR);
    }
    if (state->sender == 0) {
	state->error_count++;
	smtpd_reply(state, "503 5.5.1 Error: need RCPT command");
	return (CMD_ERR);
    }
    if (state->rcpt_count == 0) {
	state->error_count++;
	smtpd_reply(state, "554 5.5.1 Error: no valid recipients");
	return (CMD_ERR);
    }
    if ((err = smtpd_check_data(state)) != 0) {
	state->error_count++;
	smtpd_reply(state, "%s", err);
	smtpd_reject_log(state, "DATA", err, 0);
	return (CMD_ERR);
    }
    smtpd_reply(state, "354 End data with <CR><LF>.<CR><LF>");
    if (stream_flush(state->client) < 0)
	return (CMD_CLOSE_ERR);

    put_received(state);

    for (;;) {
	status = stream_get_line(state->client, line_buf, (size_t) var_line_limit);
	if (status == STREAM_LINE_EOF || status == STREAM_LINE_ERR) {
	    if (stream_timedout(state->client)) {
		stream_clearerr(state->client);
		smtpd_reply(state, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
		(void) stream_flush(state->client);
		msg_info("timeout after DATA (%ld bytes) from %s", state->act_size, state->namaddr);
	    } else {
		msg_info("lost connection after DATA (%ld bytes) from %s",
			 state->act_size, state->namaddr);
	    }
	    mail_reset(state);
	    return (CMD_CLOSE_ERR);
	}
	if (held_cr) {
	    vstr_reset(data_buf);
	    vstr_addch(data_buf, '\r');
	    vstr_addn(data_buf, vstr_str(line_buf), vstr_len(line_buf));
	    text = vstr_str(data_buf);
	    len = vstr_len(data_buf);
	    held_cr = 0;
	} else {
	    text = vstr_str(line_buf);
	    len = vstr_len(line_buf);
	}
	if (status == STREAM_LINE_LONG && len > 0 && text[len - 1] == '\r') {
	    held_cr = 1;			/* maybe the CR of a CRLF */
	    len--;
	}
	raw_len = len;
	if (bare == 0)
	    bare = bare_check(state, text, len, status == STREAM_LINE_OK);
	if (status == STREAM_LINE_OK) {
	    int     crlf = (len >= 2 && text[len - 2] == '\r');

	    len -= crlf ? 2 : 1;
	    /* Only <CR><LF>.<CR><LF> ends DATA, unless bare newlines are allowed. */
	    if (at_start && len == 1 && text[0] == '.') {
		if ((crlf && prev_crlf) || state->bare_mode == BARE_NO)
		    break;
		/* A non-standard end of DATA: Postfix drops the line. */
		prev_crlf = crlf;
		state->act_size += (long) (raw_len);
		continue;
	    }
	    prev_crlf = crlf;
	}
	state->act_size += (long) raw_len;
	if (at_start && len > 0 && text[0] == '.') {
	    text++;
	    len--;
	}
	if (!too_big && !bare) {
	    if (var_message_limit > 0 && state->act_size > var_message_limit)
		too_big = 1;
	    else
		cleanup_put(state, status == STREAM_LINE_OK ? REC_TYPE_NORM : REC_TYPE_CONT,
			    text, len);
	}
	at_start = (status == STREAM_LINE_OK);
    }
    state->where = "END-OF-MESSAGE";
    if (bare) {
	/* Nothing of it is queued; the session goes on, as in Postfix. */
	state->error_count++;
	bare_reject(state, bare, "END-OF-MESSAGE");
	mail_reset(state);
	return (CMD_ERR);
    }
    if (too_big) {
	msg_warn("%s: queue file size limit exceeded", state->queue_id);
	state->error_count++;
	smtpd_reply(state, "552 5.3.4 Error: message file too big");
	mail_reset(state);
	return (CMD_ERR);
    }
    return (finish_message(state, ""));
}

/* bdat_skip - read and discard count bytes of chunk; -1 on EOF/timeout. */
static int bdat_skip(SMTPD_STATE *state, long count)
{
    char    buf[4096];
    ssize_t want;

    while (count > 0) {
	want = count > (long) sizeof(buf) ? (ssize_t) sizeof(buf) : (ssize_t) count;
	if (stream_read(state->client, buf, (size_t) want) != want)
	    return (-1);
	count -= (long) want;
    }
    return (0);
}

/* bdat_lost - report a timeout or lost connection in a chunk. */
static int bdat_lost(SMTPD_STATE *state)
{
    if (stream_timedout(state->client)) {
	stream_clearerr(state->client);
	smtpd_reply(state, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
	(void) stream_flush(state->client);
	msg_info("timeout after BDAT (%ld bytes) from %s", state->act_size, state->namaddr);
    } else {
	msg_info("lost connection after BDAT (%ld bytes) from %s",
		 state->act_size, state->namaddr);
    }
    mail_reset(state);
    return (CMD_CLOSE_ERR);
}

/* bdat_line_out - one content line (without its line ending) to cleanup;
 * counts it as Postfix does: its length plus 2. */
static void bdat_line_out(SMTPD_STATE *state, int type, const char *text, size_t len)
{
    state->act_size += (long) len + (type == REC_TYPE_NORM ? 2 : 0);
    cleanup_put(state, type, text, len);
}

/* bdat_cmd - RFC 3030 BDAT count [LAST]: exactly count bytes of content,
 * no dot-stuffing; CRLF ends a line; bare LF/CR as smtpd_forbid_bare_newline says. */
static int bdat_cmd(SMTPD_STATE *state, char *arg)
{
    char   *argv[3];
    int     argc = 0;
    char   *cp = arg;
    char   *tok;
    long    count = 0;
    int     last;
    int     bare = 0;
    char    buf[4096];
    ssize_t want;
    ssize_t i;
    long    left;
    VSTR   *line;

    char   *orig = mystrdup(trimblanks(arg));
    int     bad;

    while (argc < 3 && (tok = strtok_r(cp, " \t", &cp)) != 0)
	argv[argc++] = tok;
    bad = (argc < 1 || argc > 2 || argv[0][0] == 0
	   || strspn(argv[0], "0123456789") != strlen(argv[0]) || strlen(argv[0]) > 15
	   || (argc == 2 && strcasecmp(argv[1], "LAST") != 0));
    if (bad) {
	msg_warn("%s: malformed BDAT command syntax from %s: BDAT%s%.100s",
		 state->queue_id ? state->queue_id : "NOQUEUE", state->namaddr,
		 *orig ? " " : "", printable(orig, '?'));
	myfree(orig);
	state->error_count++;
	smtpd_reply(state, "521 5.5.4 Syntax: BDAT count [LAST]");
	return (CMD_CLOSE_ERR);
    }
    myfree(orig);
    count = atol(argv[0]);
    last = (argc == 2);
    if (state->bdat_state == BDAT_ERROR) {
	if (bdat_skip(state, count) < 0)
	    return (bdat_lost(state));
	state->error_count++;
	smtpd_reply(state, "551 5.0.0 Discarded %ld bytes after earlier error", count);
	if (last)
	    mail_reset(state);
	return (CMD_ERR);
    }
    if (state->sender == 0 || state->rcpt_count == 0) {
	if (bdat_skip(state, count) < 0)
	    return (bdat_lost(state));
	state->error_count++;
	if (state->sender == 0)
	    smtpd_reply(state, "503 5.5.1 Error: need RCPT command");
	else
	    smtpd_reply(state, "554 5.5.1 Error: no valid recipients");
	mail_reset(state);
	if (!last)
	    state->bdat_state = BDAT_ERROR;
	return (CMD_ERR);
    }
    if (var_message_limit > 0 && count > var_message_limit - state->act_size) {
	if (bdat_skip(state, count) < 0)
	    return (bdat_lost(state));
	msg_warn("%s: BDAT request from %s exceeds message size limit",
		 state->queue_id, state->namaddr);
	state->error_count++;
	smtpd_reply(state, "552 5.3.4 Chunk exceeds message size limit");
	mail_reset(state);
	if (!last)
	    state->bdat_state = BDAT_ERROR;
	return (CMD_ERR);
    }
    if (state->bdat_state == BDAT_NONE) {
	put_received(state);
	state->bdat_state = BDAT_ACTIVE;
	if (state->bdat_line == 0)
	    state->bdat_line = vstr_alloc(256);
	vstr_reset(state->bdat_line);
    }
    line = state->bdat_line;
    for (left = count; left > 0; left -= (long) want) {
	want = left > (long) sizeof(buf) ? (ssize_t) sizeof(buf) : (ssize_t) left;
	if (stream_read(state->client, buf, (size_t) want) != want)
	    return (bdat_lost(state));
	for (i = 0; i < want; i++) {
	    char   *t;
	    size_t  n;

	    if (buf[i] != '\n') {
		vstr_addch(line, buf[i]);
		n = vstr_len(line);
		t = vstr_str(line);
		/* A CR not followed by LF is bare (we look at it once the next byte is in). */
		if (n >= 2 && t[n - 2] == '\r' && state->bare_mode == BARE_REJECT && bare == 0)
		    bare = '\r';
		if (n >= (size_t) var_line_limit && t[n - 1] != '\r') {
		    bdat_line_out(state, REC_TYPE_CONT, t, n);
		    vstr_reset(line);
		}
		continue;
	    }
	    n = vstr_len(line);
	    t = vstr_str(line);
	    if (n > 0 && t[n - 1] == '\r')
		n--;
	    else if (state->bare_mode == BARE_REJECT && bare == 0)
		bare = '\n';
	    bdat_line_out(state, REC_TYPE_NORM, t, n);
	    vstr_reset(line);
	}
    }
    if (last && vstr_len(line) > 0) {
	if (vstr_str(line)[vstr_len(line) - 1] == '\r' && state->bare_mode == BARE_REJECT
	    && bare == 0)
	    bare = '\r';
	bdat_line_out(state, REC_TYPE_NORM, vstr_str(line), vstr_len(line));
	vstr_reset(line);
    }
    if (bare) {
	/* Nothing of it is queued, as with DATA. */
	state->error_count++;
	bare_reject(state, bare, last ? "END-OF-MESSAGE" : "BDAT content");
	mail_reset(state);
	if (!last)
	    state->bdat_state = BDAT_ERROR;
	return (CMD_ERR);
    }
    if (!last) {
	smtpd_reply(state, "250 2.0.0 Ok: %ld bytes", count);
	return (CMD_OK);
    }
    state->where = "END-OF-MESSAGE";
    snprintf(buf, sizeof(buf), "%ld bytes ", state->act_size);
    return (finish_message(state, buf));
}

/* junk_command - Postfix's smtpd_junk_command_limit: NOOP, VRFY, ETRN
 * and RSET beyond the limit count as errors. */
static void junk_command(SMTPD_STATE *state)
{
    if (state->junk_cmds++ > var_smtpd_junk_cmd_limit)
	state->error_count++;
}

static int rset_cmd(SMTPD_STATE *state, char *arg)
{
    junk_command(state);
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg) {
	state->error_count++;
	smtpd_reply(state, "501 5.5.4 Syntax: RSET");
	return (CMD_ERR);
    }
    mail_reset(state);
    smtpd_reply(state, "250 2.0.0 Ok");
    return (CMD_OK);
}

static int noop_cmd(SMTPD_STATE *state, char *arg)
{
    junk_command(state);
    (void) arg;
    smtpd_reply(state, "250 2.0.0 Ok");
    return (CMD_OK);
}

static int quit_cmd(SMTPD_STATE *state, char *arg)
{
    (void) arg;
    smtpd_reply(state, "221 2.0.0 Bye");
    return (CMD_CLOSE_OK);
}

static int vrfy_cmd(SMTPD_STATE *state, char *arg)
{
    VSTR   *addr;
    char   *params;
    const char *err;

    junk_command(state);
    if (var_disable_vrfy_cmd) {
	state->error_count++;
	smtpd_reply(state, "502 5.5.1 VRFY command is disabled");
	return (CMD_ERR);
    }
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg == 0) {
	state->error_count++;
	smtpd_reply(state, "501 5.5.4 Syntax: VRFY address [SMTPUTF8]");
	return (CMD_ERR);
    }
    /* Postfix is lenient here: one word, optional <>, no strict syntax. */
    trimblanks(arg);
    if (*path_token(arg) != 0) {
	msg_warn("Illegal address syntax from %s in VRFY command: %s", state->namaddr,
		 printable(arg, '?'));
	state->error_count++;
	smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
	return (CMD_ERR);
    }
    addr = vstr_alloc(100);
    if (parse_path(arg, addr, &params) < 0)
	vstr_set(addr, arg);
    if (vstr_len(addr) == 0 || min_user(addr)) {
	illegal_addr(state, "VRFY", arg);
	vstr_free(addr);
	state->error_count++;
	smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
	return (CMD_ERR);
    }
    if ((err = smtpd_check_rcpt(state, vstr_str(addr))) != 0) {
	state->error_count++;
	smtpd_reply(state, "%s", err);
	smtpd_reject_log(state, "VRFY", err, vstr_str(addr));
	vstr_free(addr);
	return (CMD_ERR);
    }
    vstr_free(addr);
    *path_token(arg) = 0;
    smtpd_reply(state, "252 2.0.0 %s", arg);
    return (CMD_OK);
}

static int etrn_cmd(SMTPD_STATE *state, char *arg)
{
    junk_command(state);
    if (var_smtpd_helo_required && state->helo_name == 0) {
	state->error_count++;
	smtpd_reply(state, "503 Error: send HELO/EHLO first");
	return (CMD_ERR);
    }
    if (state->sender) {
	state->error_count++;
	smtpd_reply(state, "503 Error: MAIL transaction in progress");
	return (CMD_ERR);
    }
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    if (*arg == 0) {
	state->error_count++;
	smtpd_reply(state, "500 Syntax: ETRN domain");
	return (CMD_ERR);
    }
    state->error_count++;
    printable(arg, '?');
    if (*arg == '@' && arg[1])
	arg++;				/* "@domain": its subdomains; Postfix names the domain */
    msg_warn("reject: ETRN %.100s... from %s", arg, state->namaddr);
    smtpd_reply(state, "459 <%s>: service unavailable", arg);
    return (CMD_ERR);
}

static int auth_cmd(SMTPD_STATE *state, char *arg)
{
    (void) arg;
    state->error_count++;
    smtpd_reply(state, "503 5.5.1 Error: authentication not enabled");
    return (CMD_ERR);
}

static int starttls_cmd(SMTPD_STATE *state, char *arg)
{
    (void) arg;
    state->error_count++;
    smtpd_reply(state, "502 5.5.1 Error: command not implemented");
    return (CMD_ERR);
}

/* xclient_cmd, xforward_cmd - no client is authorized for these yet. */
static int xclient_common(SMTPD_STATE *state, char *arg, const char *name)
{
    while (*arg && isspace((unsigned char) *arg))
	arg++;
    state->error_count++;
    if (*arg == 0)
	smtpd_reply(state, "501 5.5.4 Syntax: %s attribute=value...", name);
    else
	smtpd_reply(state, "550 5.7.0 Error: insufficient authorization");
    return (CMD_ERR);
}

static int xclient_cmd(SMTPD_STATE *state, char *arg)
{
    return (xclient_common(state, arg, "XCLIENT"));
}

static int xforward_cmd(SMTPD_STATE *state, char *arg)
{
    return (xclient_common(state, arg, "XFORWARD"));
}

static const SMTPD_CMD smtpd_cmds[] = {
    {"HELO", C_HELO, CF_LAST, helo_cmd},
    {"EHLO", C_EHLO, CF_LAST, ehlo_cmd},
    {"XCLIENT", C_XCLIENT, 0, xclient_cmd},
    {"XFORWARD", C_XFORWARD, 0, xforward_cmd},
    {"STARTTLS", C_STARTTLS, CF_LAST, starttls_cmd},
    {"AUTH", C_AUTH, CF_LAST, auth_cmd},
    {"MAIL", C_MAIL, 0, mail_cmd},
    {"RCPT", C_RCPT, 0, rcpt_cmd},
    {"DATA", C_DATA, CF_LAST, data_cmd},
    {"BDAT", C_BDAT, 0, bdat_cmd},
    {"RSET", C_RSET, 0, rset_cmd},
    {"NOOP", C_NOOP, CF_LAST, noop_cmd},
    {"VRFY", C_VRFY, CF_LAST, vrfy_cmd},
    {"ETRN", C_ETRN, CF_LAST, etrn_cmd},
    {"QUIT", C_QUIT, CF_NOPIPE_CHECK, quit_cmd},
    {0, 0, 0, 0},
};

/* ---------------------------------------------------------------- session */

/* client_identity - client address, rfc_addr, and name (smtpd_peername_lookup). */
static void client_identity(SMTPD_STATE *state)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char    host[NI_MAXHOST];
    struct addrinfo hints;
    struct addrinfo *res = 0;
    struct addrinfo *ai;
    int     confirmed = 0;

    snprintf(state->name, sizeof(state->name), "unknown");
    snprintf(state->addr, sizeof(state->addr), "unknown");
    if (getpeername(stream_fd(state->client), (struct sockaddr *) &ss, &sslen) == 0
	&& (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
	&& getnameinfo((struct sockaddr *) &ss, sslen, state->addr, sizeof(state->addr),
		       0, 0, NI_NUMERICHOST) == 0) {
	if (strncasecmp(state->addr, "::ffff:", 7) == 0 && strchr(state->addr, '.'))
	    memmove(state->addr, state->addr + 7, strlen(state->addr + 7) + 1);
	if (var_smtpd_peername_lookup
	    && getnameinfo((struct sockaddr *) &ss, sslen, host, sizeof(host),
			   0, 0, NI_NAMEREQD) == 0) {
	    memset(&hints, 0, sizeof(hints));
	    hints.ai_socktype = SOCK_STREAM;
	    if (getaddrinfo(host, 0, &hints, &res) == 0) {
		for (ai = res; ai && !confirmed; ai = ai->ai_next) {
		    char    a[64];

		    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), 0, 0,
				    NI_NUMERICHOST) == 0) {
			const char *ap = a;

			if (strncasecmp(ap, "::ffff:", 7) == 0 && strchr(ap, '.'))
			    ap += 7;
			if (strcasecmp(ap, state->addr) == 0)
			    confirmed = 1;
		    }
		}
		freeaddrinfo(res);
	    }
	    if (confirmed)
		snprintf(state->name, sizeof(state->name), "%s", host);
	    else
		msg_warn("hostname %s does not resolve to address %s", host, state->addr);
	}
    }
    if (strchr(state->addr, ':'))
	snprintf(state->rfc_addr, sizeof(state->rfc_addr), "IPv6:%s", state->addr);
    else
	snprintf(state->rfc_addr, sizeof(state->rfc_addr), "%s", state->addr);
    snprintf(state->namaddr, sizeof(state->namaddr), "%s[%s]", state->name, state->addr);
}

/* log_disconnect - "disconnect from host ehlo=1 mail=1 ... commands=N". */
static void log_disconnect(SMTPD_STATE *state)
{
    VSTR   *buf = vstr_alloc(200);
    int     i;
    int     tot = 0;
    int     ok = 0;

    vstr_sprintf(buf, "disconnect from %s", state->namaddr);
    for (i = 0; i < C_COUNT; i++) {
	if (cmd_total[i] == 0)
	    continue;
	tot += cmd_total[i];
	ok += cmd_ok[i];
	if (cmd_ok[i] == cmd_total[i])
	    vstr_sprintf_append(buf, " %s=%d", cmd_stat_names[i], cmd_total[i]);
	else
	    vstr_sprintf_append(buf, " %s=%d/%d", cmd_stat_names[i], cmd_ok[i], cmd_total[i]);
    }
    if (ok == tot && tot > 0)
	vstr_sprintf_append(buf, " commands=%d", tot);
    else
	vstr_sprintf_append(buf, " commands=%d/%d", ok, tot);
    msg_info("%s", vstr_str(buf));
    vstr_free(buf);
}

/* escape_text - printable form of pending client input for a log line. */
static void escape_text(VSTR *out, const unsigned char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	if (s[i] == '\r')
	    vstr_adds(out, "\\r");
	else if (s[i] == '\n')
	    vstr_adds(out, "\\n");
	else if (s[i] == '\t')
	    vstr_adds(out, "\\t");
	else if (s[i] == '\\')
	    vstr_adds(out, "\\\\");
	else if (s[i] < 0x20 || s[i] >= 0x7f)
	    vstr_sprintf_append(out, "\\%03o", s[i]);
	else
	    vstr_addch(out, s[i]);
    }
}

/* unauth_pipelining - the client sent more after a command that must end
 * its group (or pipelined without being offered PIPELINING). */
static int unauth_pipelining(SMTPD_STATE *state, const SMTPD_CMD *cmd)
{
    unsigned char peek[100];
    ssize_t n;
    VSTR   *buf;

    if (!var_smtpd_forbid_unauth_pipe || (cmd && (cmd->flags & CF_NOPIPE_CHECK)))
	return (0);
    if (cmd && !(cmd->flags & CF_LAST) && state->pipelining_offered)
	return (0);
    if (stream_peek_count(state->client) == 0 && stream_fill_nowait(state->client) == 0)
	return (0);
    n = stream_read(state->client, peek, stream_peek_count(state->client) < sizeof(peek) ?
		    stream_peek_count(state->client) : sizeof(peek));
    buf = vstr_alloc(200);
    escape_text(buf, peek, n > 0 ? (size_t) n : 0);
    msg_info("improper command pipelining after %s from %s: %s",
	     state->where, state->namaddr, vstr_str(buf));
    vstr_free(buf);
    smtpd_reply(state, "554 5.5.0 Error: SMTP protocol synchronization");
    return (1);
}

/* skip_rest - discard the rest of an overlong command line. */
static int skip_rest(SMTPD_STATE *state, VSTR *scratch)
{
    int     st;

    do {
	st = stream_get_line(state->client, scratch, 4096);
    } while (st == STREAM_LINE_LONG);
    return (st);
}

/* utf8_valid - non-zero if len bytes at s are well-formed UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). */
static int utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    const unsigned char *end = p + len;
    unsigned int cp;
    unsigned int min;
    int     more;

    while (p < end) {
	if (*p < 0x80) {
	    p++;
	    continue;
	}
	if (*p >= 0xc2 && *p <= 0xdf) {
	    cp = *p & 0x1f, more = 1, min = 0x80;
	} else if (*p >= 0xe0 && *p <= 0xef) {
	    cp = *p & 0x0f, more = 2, min = 0x800;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
	    cp = *p & 0x07, more = 3, min = 0x10000;
	} else
	    return (0);
	if (end - p <= more)
	    return (0);
	for (p++; more > 0; more--, p++) {
	    if ((*p & 0xc0) != 0x80)
		return (0);
	    cp = (cp << 6) | (*p & 0x3f);
	}
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
	    return (0);
    }
    return (1);
}

static void smtpd_session(SMTPD_STATE *state)
{
    const SMTPD_CMD *cmd;
    VSTR   *scratch = vstr_alloc(4096);
    char   *text;
    char   *verb;
    char   *arg;
    int     st;
    int     which;
    int     ret;
    size_t  len;

    if (!var_smtpd_delay_reject && (text = (char *) smtpd_check_client(state)) != 0) {
	smtpd_reply(state, "%s", text);
	smtpd_reject_log(state, "CONNECT", text, 0);
	state->access_denied = mystrdup(text);
    } else {
	smtpd_reply(state, "220 %s", var_smtpd_banner);
    }
    for (;;) {
	if (state->error_count >= var_smtpd_hard_erlim) {
	    smtpd_reply(state, "421 4.7.0 %s Error: too many errors", var_myhostname);
	    msg_info("too many errors after %s from %s", state->where, state->namaddr);
	    break;
	}
	if (stream_peek_count(state->client) == 0 && stream_flush(state->client) < 0) {
	    msg_info("lost connection after %s from %s", state->where, state->namaddr);
	    break;
	}
	st = stream_get_line(state->client, line_buf, (size_t) var_line_limit);
	if (st == STREAM_LINE_LONG) {
	    /* Keep the first line_length_limit bytes, as Postfix does. */
	    msg_warn("%s: request longer than %d: %.30s...", state->namaddr,
		     var_line_limit, printable(vstr_str(line_buf), '?'));
	    st = skip_rest(state, scratch);
	    if (st == STREAM_LINE_OK) {
		which = bare_check(state, vstr_str(scratch), vstr_len(scratch), 1);
		if (which == 0)
		    which = bare_check(state, vstr_str(line_buf), vstr_len(line_buf), 0);
		if (which) {
		    bare_reject(state, which, state->where);
		    break;
		}
		vstr_adds(line_buf, "\r\n");
	    }
	}
	if (st != STREAM_LINE_OK) {
	    if (stream_timedout(state->client)) {
		stream_clearerr(state->client);
		smtpd_reply(state, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
		(void) stream_flush(state->client);
		(void) stream_flush(state->client);
		msg_info("timeout after %s from %s", state->where, state->namaddr);
	    } else {
		msg_info("lost connection after %s from %s", state->where, state->namaddr);
	    }
	    break;
	}
	text = vstr_str(line_buf);
	len = vstr_len(line_buf);
	if ((which = bare_check(state, text, len, 1)) != 0) {
	    bare_reject(state, which, state->where);
	    break;
	}
	/* Strip the line ending. */
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
	    text[--len] = 0;
	if (memchr(text, 0, len) != 0) {
	    /* NUL in a command: treat the line as ending there. */
	    len = strlen(text);
	}
	if (var_smtputf8_enable && !utf8_valid(text, len)) {
	    /* Postfix checks the whole line and counts no command. */
	    state->error_count++;
	    smtpd_reply(state, "500 5.5.2 Error: bad UTF-8 syntax");
	    continue;
	}
	arg = text;
	while (*arg && isspace((unsigned char) *arg))
	    arg++;
	verb = arg;
	while (*arg && !isspace((unsigned char) *arg))
	    arg++;
	if (*arg)
	    *arg++ = 0;
	if (*verb == 0) {
	    state->error_count++;
	    cmd_total[C_UNKNOWN]++;
	    state->where = "UNKNOWN";
	    smtpd_reply(state, "500 5.5.2 Error: bad syntax");
	    continue;
	}
	if (strcasecmp(verb, "CONNECT") == 0 || strcasecmp(verb, "GET") == 0
	    || strcasecmp(verb, "POST") == 0 || !isalpha((unsigned char) *verb)) {
	    if (arg > verb && arg[-1] == 0 && *arg)
		arg[-1] = ' ';
	    printable(verb, '?');
	    msg_warn("non-SMTP command from %s: %s", state->namaddr, verb);
	    cmd_total[C_UNKNOWN]++;
	    smtpd_reply(state, "221 2.7.0 Error: I can break rules, too. Goodbye.");
	    break;
	}
	for (cmd = smtpd_cmds; cmd->name; cmd++)
	    if (strcasecmp(verb, cmd->name) == 0)
		break;
	if (cmd->name == 0) {
	    state->error_count++;
	    cmd_total[C_UNKNOWN]++;
	    state->where = "UNKNOWN";
	    smtpd_reply(state, "500 5.5.2 Error: command not recognized");
	    continue;
	}
	state->where = cmd->name;
	cmd_total[cmd->stat]++;
	if (unauth_pipelining(state, cmd))
	    break;
	if (state->access_denied && cmd->stat != C_QUIT) {
	    state->error_count++;
	    smtpd_reply(state, "503 5.7.0 Error: access denied for %s", state->namaddr);
	    continue;
	}
	ret = cmd->action(state, arg);
	if (ret == CMD_OK || ret == CMD_CLOSE_OK)
	    cmd_ok[cmd->stat]++;
	if (ret == CMD_CLOSE_OK || ret == CMD_CLOSE_ERR)
	    break;
    }
    (void) stream_flush(state->client);
    vstr_free(scratch);
}

static void smtpd_service(STREAM *client, const char *service, char **argv)
{
    SMTPD_STATE state;

    (void) service;
    (void) argv;
    memset(&state, 0, sizeof(state));
    memset(cmd_total, 0, sizeof(cmd_total));
    memset(cmd_ok, 0, sizeof(cmd_ok));
    state.client = client;
    state.protocol = "SMTP";
    state.where = "CONNECT";
    state.buffer = vstr_alloc(200);
    stream_set_timeout(client, var_smtpd_tmout);
    client_identity(&state);
    state.bare_mode = bare_mode_default;
    if (state.bare_mode != BARE_NO && smtpd_check_bare_lf_excluded(state.addr))
	state.bare_mode = BARE_NO;
    msg_info("connect from %s", state.namaddr);
    smtpd_session(&state);
    mail_reset(&state);
    if (state.bdat_line)
	vstr_free(state.bdat_line);
    log_disconnect(&state);
    if (state.access_denied)
	myfree(state.access_denied);
    if (state.helo_name)
	myfree(state.helo_name);
    vstr_free(state.buffer);
}

static void smtpd_pre_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if (strcasecmp(var_smtpd_forbid_bare_lf, "reject") == 0)
	bare_mode_default = BARE_REJECT;
    else if (strcasecmp(var_smtpd_forbid_bare_lf, "normalize") == 0
	     || conf_bool(var_smtpd_forbid_bare_lf) == 1)
	bare_mode_default = BARE_NORMALIZE;
    else if (conf_bool(var_smtpd_forbid_bare_lf) == 0)
	bare_mode_default = BARE_NO;
    else
	msg_fatal("invalid smtpd_forbid_bare_newline value: \"%s\" "
		  "(specify no, normalize, yes or reject)", var_smtpd_forbid_bare_lf);
    smtpd_check_init();
    line_buf = vstr_alloc(1024);
    data_buf = vstr_alloc(1024);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.pre_init = smtpd_pre_init,
	.service = smtpd_service,
    };

    single_server_main(argc, argv, &spec);
}
