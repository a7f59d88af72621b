/* smtp.c - smtp(8) and lmtp(8): the SMTP/LMTP client. One delivery
 * request is one session to the request's next hop: "[host]:port",
 * "[host]", "host:port" or "host" where host is an IP address or
 * localhost (DNS MX lookups come in a later release: other names are
 * deferred), and for LMTP also "unix:/path" and "inet:host:port".
 * EHLO (falling back to HELO) or LHLO, MAIL/RCPT/DATA pipelined when the
 * server offers PIPELINING, SIZE= and BODY=8BITMIME, dot-stuffing, every
 * read under the smtp_*_timeout parameters. Each recipient gets Postfix's
 * status text and log line. The program name ("lmtp" or "smtp") selects
 * the protocol.
 *
 * Connection cache: after a transaction the session is kept open (idle)
 * in this process, keyed by (service, next hop, address:port or socket
 * path), and the next request for that key sends MAIL on it directly
 * (RSET first if the last transaction ended in an error). Idle sessions
 * are closed with QUIT after *_connection_cache_time_limit (loop hook),
 * at exit (pre_exit) and on SIGTERM. A cached session found dead when
 * reused is dropped silently and the delivery uses a new connection. */
#include "util/sys_defs.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <strings.h>

#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "util/iostuff.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"
#include "global/mail_proto.h"
#include "global/mail_server.h"
#include "global/mail_addr.h"
#include "global/deliver_request.h"
#include "global/record.h"
#include "global/qfile.h"
#include "global/mail_queue.h"
#include "error/dsn_split.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#define SMTP_REPLY_LINE_MAX	2048	/* bytes per reply line */
#define SMTP_REPLY_LINES_MAX	100	/* lines per multi-line reply */
#define SMTP_REPLY_TEXT_MAX	4096	/* bytes of reply text kept */

/* Protocol settings: the smtp_* or lmtp_* parameters. */
typedef struct PROTO {
    int     lmtp;
    const char *name;			/* "SMTP" or "LMTP" */
    int    *conn_tmout, *helo_tmout, *mail_tmout, *rcpt_tmout;
    int    *data0_tmout, *data1_tmout, *data2_tmout, *quit_tmout;
    char  **helo_name;
    char  **bind_addr;
    int    *skip_5xx;
    int    *line_limit;
    char  **tcp_port;
    int    *skip_quit_resp;
    int    *rset_tmout;
    int    *cache_demand;		/* *_connection_cache_on_demand */
    int    *cache_time;			/* *_connection_cache_time_limit */
    int    *reuse_time;			/* *_connection_reuse_time_limit */
    int    *reuse_count;		/* *_connection_reuse_count_limit */
    char  **cache_dest;			/* *_connection_cache_destinations */
} PROTO;

static PROTO proto;

/* A server reply. */
typedef struct RESP {
    int     code;			/* 250 */
    char    dsn[16];			/* "2.0.0" */
    VSTR   *text;			/* "250 2.0.0 Ok: queued as X" (lines joined) */
} RESP;

/* One session. */
typedef struct SESSION {
    DELIVER_REQUEST *req;
    STREAM *stream;
    VSTR   *host;			/* name shown: "127.0.0.1", "localhost", myhostname */
    VSTR   *addr;			/* "127.0.0.1" or the socket path */
    unsigned port;
    int     is_unix;
    VSTR   *relay;			/* relay= value */
    double  conn_time;
    double  xfer_start;
    int     esmtp;
    int     pipelining;
    int     eightbit;
    int     dsn;			/* server offers DSN (RFC 3461) */
    long    size_limit;			/* -1: no SIZE; 0: no limit */
    int     *accepted;			/* per recipient: RCPT accepted */
    int     ndone;			/* recipients with a final status */
    int     *done;
    /* Connection cache state. */
    double  created;			/* when the connection was made */
    int     use_count;			/* transactions on it, this one included */
    int     reused;			/* taken from the cache for this request */
    int     retry;			/* reused session was dead: use a new one */
    int     broken;			/* lost, timed out, 421 or unsure state */
    int     clean;			/* last transaction completed without error */
} SESSION;

/* An idle session in this process's cache. */
typedef struct CACHED {
    char   *key;			/* "service|nexthop|addr:port" */
    STREAM *stream;
    int     esmtp, pipelining, eightbit, dsn;
    long    size_limit;
    double  created;
    double  idle_since;
    int     use_count;
} CACHED;

#define CACHE_MAX	8		/* idle sessions per process */
#define CACHE_QUIT_WAIT	2		/* seconds for QUIT on an idle session */

static CACHED cache[CACHE_MAX];
static volatile sig_atomic_t cache_fd[CACHE_MAX];	/* for the SIGTERM handler */

/* ---- recipient outcomes ---- */

/* xtext_append - RFC 3461 xtext of text: '+', '=' and bytes outside
 * 33..126 as "+HH". */
static void xtext_append(VSTR *out, const char *text)
{
    for (const unsigned char *cp = (const unsigned char *) text; *cp; cp++) {
	if (*cp < 33 || *cp > 126 || *cp == '+' || *cp == '=')
	    vstr_sprintf_append(out, "+%02X", *cp);
	else
	    vstr_addch(out, *cp);
    }
}

/* rcpt_params - " NOTIFY=... ORCPT=..." for a server that offers DSN, else "". */
static const char *rcpt_params(SESSION *s, VSTR *buf, const DELIVER_RCPT *r)
{
    static const struct {
	int     bit;
	const char *name;
    } words[] = {
	{DSN_NOTIFY_SUCCESS, "SUCCESS"}, {DSN_NOTIFY_FAILURE, "FAILURE"},
	{DSN_NOTIFY_DELAY, "DELAY"},
    };
    const char *sep = " NOTIFY=";

    vstr_reset(buf);
    if (!s->dsn)
	return "";
    if (r->dsn_notify & DSN_NOTIFY_NEVER) {
	vstr_adds(buf, " NOTIFY=NEVER");
    } else {
	for (size_t k = 0; k < ARRAY_LEN(words); k++) {
	    if (r->dsn_notify & words[k].bit) {
		vstr_adds(buf, sep);
		vstr_adds(buf, words[k].name);
		sep = ",";
	    }
	}
    }
    /* Only an ORCPT the client gave is stored typed ("rfc822;addr"); a
     * bare original recipient is just the address before aliasing. */
    if (r->orig_rcpt && strncasecmp(r->orig_rcpt, "rfc822;", 7) == 0) {
	vstr_adds(buf, " ORCPT=rfc822;");
	xtext_append(buf, r->orig_rcpt + 7);
    }
    return vstr_str(buf);
}

/* rcpt_final - set and log one recipient's status (once). */
static void rcpt_final(SESSION *s, int i, int status, const char *dsn, const char *diag,
		               const char *fmt,...) PRINTFLIKE(6, 7);

static void rcpt_final(SESSION *s, int i, int status, const char *dsn, const char *diag,
		               const char *fmt,...)
{
    DELIVER_RCPT *r = s->req->rcpt + i;
    VSTR   *text = vstr_alloc(100);
    VSTR   *mta = vstr_alloc(64);
    va_list ap;

    if (s->done[i]) {
	vstr_free(text);
	vstr_free(mta);
	return;
    }
    va_start(ap, fmt);
    vstr_vsprintf_append(text, fmt, ap);
    va_end(ap);
    if (vstr_len(s->relay) > 0 && strcmp(vstr_str(s->relay), "none") != 0)
	vstr_sprintf(mta, "dns; %s", vstr_str(s->host));
    deliver_rcpt_status(r, status, dsn, diag ? diag : "", vstr_str(mta), "%s", vstr_str(text));
    if (status == DLV_STAT_SENT && (r->dsn_notify & DSN_NOTIFY_SUCCESS)) {
	if (s->dsn) {
	    /* The NOTIFY went on with the mail: the next MTA reports success. */
	    r->dsn_notify &= ~DSN_NOTIFY_SUCCESS;
	} else {
	    /* As Postfix: the server cannot report, so we say "relayed". */
	    snprintf(r->action, sizeof(r->action), "relayed");
	    snprintf(r->relay, sizeof(r->relay), "%s", vstr_str(s->relay));
	}
    }
    if (s->use_count > 1 && s->stream) {
	/* Postfix 3.7: "relay=..., conn_use=N, delay=..." on a reused session. */
	VSTR   *relay = vstr_alloc(64);

	vstr_sprintf(relay, "%s, conn_use=%d", vstr_str(s->relay), s->use_count);
	deliver_log(s->req, r, vstr_str(relay), s->conn_time, s->xfer_start);
	vstr_free(relay);
    } else
	deliver_log(s->req, r, vstr_str(s->relay), s->conn_time, s->xfer_start);
    s->done[i] = 1;
    s->ndone++;
    vstr_free(text);
    vstr_free(mta);
}

/* fail_rest - give every recipient without a status the same outcome. */
static void fail_rest(SESSION *s, int status, const char *dsn, const char *diag, const char *text)
{
    int     i;

    for (i = 0; i < s->req->nrcpt; i++)
	if (!s->done[i])
	    rcpt_final(s, i, status, dsn, diag, "%s", text);
}

/* ---- replies ---- */

/* read_resp - read one (multi-line) reply; 0 ok, -1 on EOF/timeout/garbage. */
static int read_resp(SESSION *s, int timeout, RESP *resp)
{
    VSTR   *line = vstr_alloc(256);
    int     nlines = 0;
    int     st;
    int     code = 0;
    char   *cp;
    int     more;

    vstr_reset(resp->text);
    stream_set_timeout(s->stream, timeout);
    do {
	st = stream_get_line(s->stream, line, SMTP_REPLY_LINE_MAX);
	if (st == STREAM_LINE_LONG) {
	    /* Keep the first part, drop the rest of an overlong line. */
	    VSTR   *junk = vstr_alloc(256);

	    while ((st = stream_get_line(s->stream, junk, SMTP_REPLY_LINE_MAX)) == STREAM_LINE_LONG)
		 /* void */ ;
	    vstr_free(junk);
	    if (st != STREAM_LINE_OK)
		break;
	} else if (st != STREAM_LINE_OK)
	    break;
	while (vstr_len(line) > 0 && (vstr_str(line)[vstr_len(line) - 1] == '\n'
				      || vstr_str(line)[vstr_len(line) - 1] == '\r'))
	    vstr_truncate(line, vstr_len(line) - 1);
	cp = vstr_str(line);
	if (vstr_len(line) < 3 || !isdigit((unsigned char) cp[0]) || !isdigit((unsigned char) cp[1])
	    || !isdigit((unsigned char) cp[2]) || (cp[3] != 0 && cp[3] != ' ' && cp[3] != '-')) {
	    /* Not a reply line: treat like Postfix, as text of a 5xx-less reply. */
	    st = STREAM_LINE_ERR;
	    errno = EPROTO;
	    break;
	}
	more = (cp[3] == '-');
	/* Postfix shows a multi-line reply as its lines joined by spaces,
	 * and takes the enhanced status code from the first line with one. */
	if (nlines == 0) {
	    code = atoi(cp);
	    resp->dsn[0] = 0;
	} else if (vstr_len(resp->text) < SMTP_REPLY_TEXT_MAX)
	    vstr_adds(resp->text, " ");
	if (vstr_len(resp->text) < SMTP_REPLY_TEXT_MAX)
	    vstr_adds(resp->text, cp);
	/* An enhanced status code right after the reply code, of its class. */
	if (resp->dsn[0] == 0 && cp[3] && cp[4] != ' ' && cp[4] != '\t') {
	    (void) dsn_split(cp + 4, "", resp->dsn, sizeof(resp->dsn));
	    if (resp->dsn[0] != cp[0])
		resp->dsn[0] = 0;
	}
	nlines++;
    } while (more && nlines < SMTP_REPLY_LINES_MAX);
    vstr_free(line);
    if (st != STREAM_LINE_OK)
	return (-1);
    if (vstr_len(resp->text) > SMTP_REPLY_TEXT_MAX)
	vstr_truncate(resp->text, SMTP_REPLY_TEXT_MAX);
    if (resp->dsn[0] == 0)
	snprintf(resp->dsn, sizeof(resp->dsn), "%d.0.0", code / 100);
    printable(vstr_str(resp->text), '?');
    resp->code = code;
    if (code == 421)
	s->broken = 1;				/* the server closes the session */
    return (0);
}

/* lost - the session broke while doing what: defer what is left. */
static void lost(SESSION *s, const char *what)
{
    VSTR   *text = vstr_alloc(100);

    s->broken = 1;
    if (stream_timedout(s->stream))
	vstr_sprintf(text, "conversation with %s[%s] timed out while %s",
		     vstr_str(s->host), vstr_str(s->addr), what);
    else
	vstr_sprintf(text, "lost connection with %s[%s] while %s",
		     vstr_str(s->host), vstr_str(s->addr), what);
    fail_rest(s, DLV_STAT_DEFER, "4.4.2", "", vstr_str(text));
    vstr_free(text);
}

/* said - "host H[A] said: TEXT (in reply to CMD command)" for resp. */
static void said(SESSION *s, VSTR *out, const RESP *resp, const char *cmd)
{
    vstr_sprintf(out, "host %s[%s] said: %s (in reply to %s command)",
		 vstr_str(s->host), vstr_str(s->addr), vstr_str(resp->text), cmd);
}

/* resp_status - DLV_STAT_* of a reply code (2xx sent, 4xx defer, else bounce). */
static int resp_status(int code)
{
    return (code / 100 == 2 ? DLV_STAT_SENT : code / 100 == 4 ? DLV_STAT_DEFER : DLV_STAT_BOUNCE);
}

/* resp_fail_rest - every open recipient fails with the reply to cmd. */
static void resp_fail_rest(SESSION *s, const RESP *resp, const char *cmd)
{
    VSTR   *text = vstr_alloc(100);
    VSTR   *diag = vstr_alloc(100);
    int     status = resp_status(resp->code);
    char    dsn[16];

    snprintf(dsn, sizeof(dsn), "%s", resp->dsn);
    if (status == DLV_STAT_SENT) {		/* 3xx where 2xx expected etc. */
	status = DLV_STAT_BOUNCE;
	dsn[0] = '5';
    }
    said(s, text, resp, cmd);
    vstr_sprintf(diag, "smtp; %s", vstr_str(resp->text));
    fail_rest(s, status, dsn, vstr_str(diag), vstr_str(text));
    vstr_free(text);
    vstr_free(diag);
}

/* send_cmd - buffer one command line (flushed by the caller). */
static void send_cmd(SESSION *s, const char *fmt,...) PRINTFLIKE(2, 3);

static void send_cmd(SESSION *s, const char *fmt,...)
{
    VSTR   *buf = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    /* Never let an address inject a command: no CR or LF inside a line. */
    for (char *cp = vstr_str(buf); *cp; cp++)
	if (*cp == '\r' || *cp == '\n')
	    *cp = '?';
    if (msg_verbose)
	msg_info("> %s[%s]: %s", vstr_str(s->host), vstr_str(s->addr), vstr_str(buf));
    vstr_adds(buf, "\r\n");
    stream_write(s->stream, vstr_str(buf), vstr_len(buf));
    vstr_free(buf);
}

/* flush - write out buffered commands under timeout; -1 on error. */
static int flush(SESSION *s, int timeout)
{
    stream_set_timeout(s->stream, timeout);
    return (stream_flush(s->stream));
}

/* ---- next hop ---- */

/* parse_nexthop - fill host/addr/port or the unix path; 0 ok, -1 with why. */
static int parse_nexthop(SESSION *s, const char *nexthop, VSTR *why, int *dsn_unknown)
{
    char   *copy = mystrdup(nexthop);
    char   *host = copy;
    char   *port = 0;
    char   *end;
    int     bracket = 0;
    unsigned char abuf[sizeof(struct in6_addr)];
    long    n;
    struct servent *se;

    *dsn_unknown = 0;
    if (proto.lmtp && strncmp(host, "unix:", 5) == 0) {
	s->is_unix = 1;
	vstr_set(s->addr, host + 5);
	vstr_set(s->host, var_myhostname);
	myfree(copy);
	return (0);
    }
    if (strncmp(host, "inet:", 5) == 0)
	host += 5;
    if (*host == '[') {
	bracket = 1;
	if ((end = strchr(host, ']')) == 0) {
	    vstr_sprintf(why, "bad next-hop syntax: %s", nexthop);
	    myfree(copy);
	    return (-1);
	}
	*end = 0;
	host++;
	if (strncasecmp(host, "ipv6:", 5) == 0)
	    host += 5;
	if (end[1] == ':')
	    port = end + 2;
	else if (end[1] != 0) {
	    vstr_sprintf(why, "bad next-hop syntax: %s", nexthop);
	    myfree(copy);
	    return (-1);
	}
    } else if ((end = strrchr(host, ':')) != 0 && strchr(host, ':') == end) {
	*end = 0;
	port = end + 1;
    }
    if (port == 0 || *port == 0)
	port = *proto.tcp_port;
    n = strtol(port, &end, 10);
    if (*end == 0 && end != port) {
	if (n <= 0 || n > 65535) {
	    vstr_sprintf(why, "bad port number in next hop: %s", nexthop);
	    myfree(copy);
	    return (-1);
	}
	s->port = (unsigned) n;
    } else if ((se = getservbyname(port, "tcp")) != 0) {
	s->port = ntohs((unsigned short) se->s_port);
    } else if (strcmp(port, "smtp") == 0) {
	s->port = 25;
    } else {
	vstr_sprintf(why, "unknown service: %s/tcp", port);
	myfree(copy);
	return (-1);
    }
    if (inet_pton(AF_INET, host, abuf) == 1 || inet_pton(AF_INET6, host, abuf) == 1) {
	vstr_set(s->host, host);
	vstr_set(s->addr, host);
    } else if (strcasecmp(host, "localhost") == 0) {
	vstr_set(s->host, "localhost");
	vstr_set(s->addr, "127.0.0.1");
    } else {
	/* Host names need the resolver (a later release). */
	if (bracket || proto.lmtp)
	    vstr_sprintf(why, "Host or domain name not found. Name service error for name=%s type=A: "
			 "host name lookup not implemented yet", host);
	else
	    vstr_sprintf(why, "Host or domain name not found. Name service error for name=%s type=MX: "
			 "MX lookup not implemented yet", host);
	*dsn_unknown = 1;
	myfree(copy);
	return (-1);
    }
    myfree(copy);
    return (0);
}

/* ---- the session ---- */

/* do_connect - connect and read the greeting; 0 ok, -1 (recipients done). */
static int do_connect(SESSION *s)
{
    VSTR   *text = vstr_alloc(100);
    int     fd;
    /* 0 means "no limit of our own" in Postfix: the kernel gives up after ~2 minutes. */
    int     tmout = *proto.conn_tmout > 0 ? *proto.conn_tmout : 120;

    s->conn_time = now_double();
    if (s->is_unix)
	fd = unix_connect(vstr_str(s->addr), tmout);
    else
	fd = inet_connect(vstr_str(s->addr), s->port, tmout,
			  **proto.bind_addr ? *proto.bind_addr : (const char *) 0);
    if (fd < 0) {
	int     err = errno;

	if (s->is_unix)
	    vstr_sprintf(text, "connect to %s: %s", vstr_str(s->addr), strerror(err));
	else
	    vstr_sprintf(text, "connect to %s[%s]:%u: %s", vstr_str(s->host), vstr_str(s->addr),
			 s->port, err == EHOSTUNREACH && 0 ? "" : strerror(err));
	fail_rest(s, DLV_STAT_DEFER, "4.4.1", "", vstr_str(text));
	vstr_free(text);
	return (-1);
    }
    s->stream = stream_fdopen(fd, *proto.helo_tmout);
    if (s->is_unix)
	vstr_sprintf(s->relay, "%s[%s]", vstr_str(s->host), vstr_str(s->addr));
    else
	vstr_sprintf(s->relay, "%s[%s]:%u", vstr_str(s->host), vstr_str(s->addr), s->port);
    vstr_free(text);
    return (0);
}

/* do_helo - greeting and EHLO/HELO/LHLO; 0 ok, -1 (recipients done). */
static int do_helo(SESSION *s, RESP *resp)
{
    VSTR   *text = vstr_alloc(100);
    VSTR   *diag = vstr_alloc(100);
    const char *cmd;
    char   *cp;
    char   *line;
    char   *next;

    if (read_resp(s, *proto.helo_tmout, resp) < 0) {
	lost(s, "receiving the initial server greeting");
	goto fail;
    }
    if (resp->code / 100 != 2) {
	vstr_sprintf(text, "host %s[%s] refused to talk to me: %s",
		     vstr_str(s->host), vstr_str(s->addr), vstr_str(resp->text));
	vstr_sprintf(diag, "smtp; %s", vstr_str(resp->text));
	if (resp->code / 100 == 5 && !*proto.skip_5xx)
	    fail_rest(s, DLV_STAT_BOUNCE, resp->dsn, vstr_str(diag), vstr_str(text));
	else {
	    resp->dsn[0] = '4';
	    fail_rest(s, DLV_STAT_DEFER, resp->dsn, vstr_str(diag), vstr_str(text));
	}
	goto fail;
    }
    s->esmtp = proto.lmtp || !var_smtp_never_ehlo;
    cmd = proto.lmtp ? "LHLO" : s->esmtp ? "EHLO" : "HELO";
    send_cmd(s, "%s %s", cmd, *proto.helo_name);
    if (flush(s, *proto.helo_tmout) < 0 || read_resp(s, *proto.helo_tmout, resp) < 0) {
	vstr_sprintf(text, "performing the %s handshake", cmd);
	lost(s, vstr_str(text));
	goto fail;
    }
    if (resp->code / 100 != 2 && !proto.lmtp && s->esmtp) {
	s->esmtp = 0;
	cmd = "HELO";
	send_cmd(s, "HELO %s", *proto.helo_name);
	if (flush(s, *proto.helo_tmout) < 0 || read_resp(s, *proto.helo_tmout, resp) < 0) {
	    lost(s, "performing the HELO handshake");
	    goto fail;
	}
    }
    if (resp->code / 100 != 2) {
	resp_fail_rest(s, resp, cmd);
	goto fail;
    }
    /* ESMTP keywords, from the reply lines joined with spaces. */
    if (s->esmtp) {
	line = mystrdup(vstr_str(resp->text));
	for (cp = line; cp && *cp; cp = next) {
	    next = strchr(cp, ' ');
	    if (next)
		*next++ = 0;
	    /* "250-KEYWORD" on all but the last line. */
	    if (isdigit((unsigned char) cp[0]) && isdigit((unsigned char) cp[1])
		&& isdigit((unsigned char) cp[2]) && cp[3] == '-')
		cp += 4;
	    if (strcasecmp(cp, "PIPELINING") == 0)
		s->pipelining = 1;
	    else if (strcasecmp(cp, "8BITMIME") == 0)
		s->eightbit = 1;
	    else if (strcasecmp(cp, "DSN") == 0)
		s->dsn = 1;
	    else if (strcasecmp(cp, "SIZE") == 0) {
		s->size_limit = 0;
		if (next && isdigit((unsigned char) *next))
		    s->size_limit = strtol(next, (char **) 0, 10);
	    }
	}
	myfree(line);
    }
    vstr_free(text);
    vstr_free(diag);
    return (0);
fail:
    vstr_free(text);
    vstr_free(diag);
    return (-1);
}

/* send_body - the message, dot-stuffed with CRLF, then "."; -1 on error. */
static int send_body(SESSION *s, int qfd)
{
    STREAM *in;
    VSTR   *line = vstr_alloc(1024);
    int     type;
    int     at_start = 1;
    long    col = 0;
    int     limit = *proto.line_limit;
    const char *cp;
    size_t  len;
    size_t  chunk;

    if ((in = qfile_content_start(qfd, s->req->content_offset, 0)) == 0) {
	vstr_free(line);
	return (-2);
    }
    stream_set_timeout(s->stream, *proto.data1_tmout);
    while ((type = qfile_get_line(in, line)) == REC_TYPE_NORM || type == REC_TYPE_CONT) {
	cp = vstr_str(line);
	len = vstr_len(line);
	if (at_start && len > 0 && *cp == '.')
	    stream_write(s->stream, ".", 1);
	while (len > 0) {
	    chunk = len;
	    if (limit > 0 && col + (long) chunk > limit)
		chunk = (size_t) (limit - col);
	    if (chunk == 0) {
		/* Break an overlong line as Postfix does: CRLF SPACE. */
		stream_write(s->stream, "\r\n ", 3);
		col = 1;
		continue;
	    }
	    stream_write(s->stream, cp, chunk);
	    col += (long) chunk;
	    cp += chunk;
	    len -= chunk;
	}
	if (type == REC_TYPE_NORM) {
	    stream_write(s->stream, "\r\n", 2);
	    col = 0;
	}
	at_start = (type == REC_TYPE_NORM);
	if (stream_error(s->stream))
	    break;
    }
    stream_free(in);
    vstr_free(line);
    if (stream_error(s->stream))
	return (-1);
    if (type != REC_TYPE_XTRA)
	return (-2);
    if (!at_start)
	stream_write(s->stream, "\r\n", 2);
    stream_write(s->stream, ".\r\n", 3);
    return (flush(s, *proto.data1_tmout));
}

/* do_transaction - MAIL, RCPT..., DATA, content; recipients get their status. */
static void do_transaction(SESSION *s, int qfd, RESP *resp)
{
    DELIVER_REQUEST *req = s->req;
    VSTR   *q = vstr_alloc(100);
    VSTR   *params = vstr_alloc(64);
    VSTR   *text = vstr_alloc(100);
    VSTR   *diag = vstr_alloc(100);
    int     naccepted = 0;
    int     i;
    int     mail_ok;
    int     rc;
    int     data_ok = 0;

    if (s->size_limit > 0 && req->message_size > s->size_limit) {
	vstr_sprintf(text, "message size %ld exceeds size limit %ld of server %s[%s]",
		     req->message_size, s->size_limit, vstr_str(s->host), vstr_str(s->addr));
	fail_rest(s, DLV_STAT_BOUNCE, "5.3.4", "", vstr_str(text));
	goto done;
    }
    s->xfer_start = now_double();
    if (s->size_limit >= 0 && req->message_size > 0)
	vstr_sprintf_append(params, " SIZE=%ld", req->message_size);
    if (s->eightbit && req->encoding && strcasecmp(req->encoding, "8bit") == 0)
	vstr_adds(params, " BODY=8BITMIME");
    if (s->dsn) {
	if (req->dsn_ret == DSN_RET_FULL || req->dsn_ret == DSN_RET_HDRS)
	    vstr_adds(params, req->dsn_ret == DSN_RET_FULL ? " RET=FULL" : " RET=HDRS");
	if (req->dsn_envid && *req->dsn_envid) {
	    vstr_adds(params, " ENVID=");
	    xtext_append(params, req->dsn_envid);
	}
    }
    send_cmd(s, "MAIL FROM:<%s>%s", *req->sender ? addr_quote(q, req->sender) : "", vstr_str(params));
    if (s->pipelining) {
	for (i = 0; i < req->nrcpt; i++)
	    if (!s->done[i])
		send_cmd(s, "RCPT TO:<%s>%s", addr_quote(q, req->rcpt[i].address),
			 rcpt_params(s, params, req->rcpt + i));
	send_cmd(s, "DATA");
    }
    if (flush(s, *proto.mail_tmout) < 0 || read_resp(s, *proto.mail_tmout, resp) < 0) {
	if (s->reused) {			/* dead cached session: not an error */
	    s->retry = 1;
	    goto done;
	}
	lost(s, "sending MAIL FROM");
	goto done;
    }
    if (s->reused && resp->code == 421) {
	s->retry = 1;
	goto done;
    }
    mail_ok = (resp->code / 100 == 2);
    if (!mail_ok) {
	resp_fail_rest(s, resp, "MAIL FROM");
	if (!s->pipelining)
	    goto done;
    }
    for (i = 0; i < req->nrcpt; i++) {
	if (s->done[i] && mail_ok)
	    continue;
	if (!s->pipelining) {
	    send_cmd(s, "RCPT TO:<%s>%s", addr_quote(q, req->rcpt[i].address),
			 rcpt_params(s, params, req->rcpt + i));
	    if (flush(s, *proto.rcpt_tmout) < 0) {
		lost(s, "sending RCPT TO");
		goto done;
	    }
	}
	if (read_resp(s, *proto.rcpt_tmout, resp) < 0) {
	    lost(s, "sending RCPT TO");
	    goto done;
	}
	if (!mail_ok)
	    continue;
	if (resp->code / 100 == 2) {
	    s->accepted[i] = 1;
	    naccepted++;
	} else {
	    said(s, text, resp, "RCPT TO");
	    vstr_sprintf(diag, "smtp; %s", vstr_str(resp->text));
	    rcpt_final(s, i, resp_status(resp->code) == DLV_STAT_SENT ? DLV_STAT_BOUNCE
		       : resp_status(resp->code), resp->dsn, vstr_str(diag), "%s", vstr_str(text));
	}
    }
    if (s->pipelining) {
	if (read_resp(s, *proto.data0_tmout, resp) < 0) {
	    lost(s, "sending DATA command");
	    goto done;
	}
	data_ok = (resp->code == 354);
	if (!mail_ok) {
	    if (data_ok)
		s->broken = 1;			/* server waits for content: close */
	    goto done;
	}
	if (naccepted == 0) {
	    if (data_ok) {
		/* Nothing to send, but the server waits for content. */
		stream_write(s->stream, ".\r\n", 3);
		if (flush(s, *proto.data1_tmout) < 0 || read_resp(s, *proto.data2_tmout, resp) < 0)
		    s->broken = 1;
	    }
	    goto done;
	}
    } else {
	if (naccepted == 0)
	    goto done;
	send_cmd(s, "DATA");
	if (flush(s, *proto.data0_tmout) < 0 || read_resp(s, *proto.data0_tmout, resp) < 0) {
	    lost(s, "sending DATA command");
	    goto done;
	}
	data_ok = (resp->code == 354);
    }
    if (!data_ok) {
	resp_fail_rest(s, resp, "DATA");
	goto done;
    }
    if ((rc = send_body(s, qfd)) < 0) {
	if (rc == -2) {
	    fail_rest(s, DLV_STAT_DEFER, "4.3.0", "", "error reading queue file");
	    goto done;
	}
	lost(s, "sending message body");
	goto done;
    }
    if (!proto.lmtp) {
	if (read_resp(s, *proto.data2_tmout, resp) < 0) {
	    lost(s, "sending end of data -- message may be sent more than once");
	    goto done;
	}
	if (resp->code / 100 == 2) {
	    vstr_sprintf(diag, "smtp; %s", vstr_str(resp->text));
	    for (i = 0; i < req->nrcpt; i++)
		if (s->accepted[i])
		    rcpt_final(s, i, DLV_STAT_SENT, resp->dsn, vstr_str(diag), "%s", vstr_str(resp->text));
	    s->clean = 1;			/* complete, even if some RCPT failed */
	} else
	    resp_fail_rest(s, resp, "end of DATA");
    } else {
	/* LMTP: one reply per accepted recipient, in order. */
	s->clean = 1;
	for (i = 0; i < req->nrcpt; i++) {
	    if (!s->accepted[i])
		continue;
	    if (read_resp(s, *proto.data2_tmout, resp) < 0) {
		lost(s, "sending end of data -- message may be sent more than once");
		goto done;
	    }
	    vstr_sprintf(diag, "smtp; %s", vstr_str(resp->text));
	    if (resp->code / 100 == 2)
		rcpt_final(s, i, DLV_STAT_SENT, resp->dsn, vstr_str(diag), "%s", vstr_str(resp->text));
	    else {
		s->clean = 0;
		said(s, text, resp, "end of DATA");
		rcpt_final(s, i, resp_status(resp->code) == DLV_STAT_SENT ? DLV_STAT_BOUNCE
			   : resp_status(resp->code), resp->dsn, vstr_str(diag), "%s", vstr_str(text));
	    }
	}
    }
done:
    vstr_free(q);
    vstr_free(params);
    vstr_free(text);
    vstr_free(diag);
}

/* do_quit - say goodbye (reply read only if asked to). */
static void do_quit(SESSION *s, RESP *resp)
{
    if (s->stream == 0 || stream_error(s->stream))
	return;
    send_cmd(s, "QUIT");
    if (flush(s, *proto.quit_tmout) < 0)
	return;
    if (!*proto.skip_quit_resp)
	(void) read_resp(s, *proto.quit_tmout, resp);
}

/* ---- connection cache ---- */

/* cache_key - the cache key of a session: service, next hop, address. */
static char *cache_key(const SESSION *s, const char *service)
{
    VSTR   *buf = vstr_alloc(100);
    char   *key;

    if (s->is_unix)
	vstr_sprintf(buf, "%s|%s|unix:%s", service, s->req->nexthop ? s->req->nexthop : "",
		     vstr_str(s->addr));
    else
	vstr_sprintf(buf, "%s|%s|%s:%u", service, s->req->nexthop ? s->req->nexthop : "",
		     vstr_str(s->addr), s->port);
    key = mystrdup(vstr_str(buf));
    vstr_free(buf);
    return (key);
}

/* cache_wanted - may the session of this request be cached? On demand
 * (qmgr says more mail waits for the next hop), or always for the next
 * hops listed in *_connection_cache_destinations, as Postfix does. */
static int cache_wanted(const DELIVER_REQUEST *req)
{
    const char *nexthop = req->nexthop;
    char   *list;
    char   *cp;
    char   *item;
    int     found = 0;
    size_t  len;

    if (*proto.cache_demand && (req->flags & DEL_REQ_FLAG_CONN_STORE))
	return (1);
    if (**proto.cache_dest == 0 || nexthop == 0)
	return (0);
    /* An item matches the next hop as written, or its host without [] or :port. */
    list = mystrdup(*proto.cache_dest);
    for (cp = list; !found && (item = strtok(cp, ", \t\r\n")) != 0; cp = 0) {
	if (strcasecmp(item, nexthop) == 0)
	    found = 1;
	else if (*nexthop == '[' && (len = strlen(item)) > 0
		 && strncasecmp(nexthop + 1, item, len) == 0 && nexthop[len + 1] == ']')
	    found = 1;
	else if ((len = strlen(item)) > 0 && strncasecmp(nexthop, item, len) == 0
		 && nexthop[len] == ':')
	    found = 1;
    }
    myfree(list);
    return (found);
}

/* cache_close - close one idle session, with QUIT if it may still be alive. */
static void cache_close(int i, int quit)
{
    CACHED *c = cache + i;

    cache_fd[i] = -1;
    if (quit && !stream_error(c->stream)) {
	/* The process is idle (master may hand it a request): wait briefly. */
	stream_set_timeout(c->stream, *proto.quit_tmout > 0 && *proto.quit_tmout < CACHE_QUIT_WAIT ?
			   *proto.quit_tmout : CACHE_QUIT_WAIT);
	stream_write(c->stream, "QUIT\r\n", 6);
	if (stream_flush(c->stream) == 0 && !*proto.skip_quit_resp) {
	    VSTR   *line = vstr_alloc(256);
	    int     st;
	    int     n = 0;

	    /* Read the reply (all its lines), bounded. */
	    while ((st = stream_get_line(c->stream, line, SMTP_REPLY_LINE_MAX)) == STREAM_LINE_OK
		   && vstr_len(line) > 3 && vstr_str(line)[3] == '-' && ++n < SMTP_REPLY_LINES_MAX)
		 /* void */ ;
	    vstr_free(line);
	}
    }
    if (msg_verbose)
	msg_info("connection cache: close %s", c->key);
    (void) stream_close(c->stream);
    myfree(c->key);
    memset(c, 0, sizeof(*c));
}

/* cache_expire - close idle sessions past the time limit; ms until the next expires (-1: none). */
static long cache_expire(void)
{
    double  now = now_double();
    long    next = -1;
    long    left;
    int     i;

    for (i = 0; i < CACHE_MAX; i++) {
	if (cache[i].key == 0)
	    continue;
	left = (long) ((cache[i].idle_since + *proto.cache_time - now) * 1000) + 1;
	if (left <= 0 || now - cache[i].created >= *proto.reuse_time) {
	    cache_close(i, 1);
	    continue;
	}
	if (next < 0 || left < next)
	    next = left;
    }
    return (next);
}

/* cache_store - park the session's connection idle; the session loses it. */
static void cache_store(SESSION *s, const char *service)
{
    int     i;
    int     slot = -1;
    int     oldest = -1;

    for (i = 0; i < CACHE_MAX; i++) {
	if (cache[i].key == 0) {
	    if (slot < 0)
		slot = i;
	} else if (oldest < 0 || cache[i].idle_since < cache[oldest].idle_since)
	    oldest = i;
    }
    if (slot < 0) {
	cache_close(oldest, 1);
	slot = oldest;
    }
    cache[slot].key = cache_key(s, service);
    cache[slot].stream = s->stream;
    cache[slot].esmtp = s->esmtp;
    cache[slot].pipelining = s->pipelining;
    cache[slot].eightbit = s->eightbit;
    cache[slot].dsn = s->dsn;
    cache[slot].size_limit = s->size_limit;
    cache[slot].created = s->created;
    cache[slot].idle_since = now_double();
    cache[slot].use_count = s->use_count;
    cache_fd[slot] = stream_fd(s->stream);
    if (msg_verbose)
	msg_info("connection cache: save %s (used %d times)", cache[slot].key, s->use_count);
    s->stream = 0;
}

/* cache_find - give the session a live idle connection for its key; 0 if found. */
static int cache_find(SESSION *s, const char *service)
{
    char   *key = cache_key(s, service);
    double  now = now_double();
    struct pollfd pfd;
    int     i;
    int     found = -1;

    for (i = 0; i < CACHE_MAX; i++) {
	if (cache[i].key == 0 || strcmp(cache[i].key, key) != 0)
	    continue;
	if (now - cache[i].created >= *proto.reuse_time) {
	    cache_close(i, 1);
	    continue;
	}
	/* Anything readable while idle is EOF or a 421 goodbye: drop it. */
	pfd.fd = stream_fd(cache[i].stream);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 0) {
	    cache_close(i, 0);
	    continue;
	}
	found = i;
	break;
    }
    myfree(key);
    if (found < 0)
	return (-1);
    s->stream = cache[found].stream;
    s->esmtp = cache[found].esmtp;
    s->pipelining = cache[found].pipelining;
    s->eightbit = cache[found].eightbit;
    s->dsn = cache[found].dsn;
    s->size_limit = cache[found].size_limit;
    s->created = cache[found].created;
    s->use_count = cache[found].use_count + 1;
    s->reused = 1;
    s->conn_time = now;
    if (s->is_unix)
	vstr_sprintf(s->relay, "%s[%s]", vstr_str(s->host), vstr_str(s->addr));
    else
	vstr_sprintf(s->relay, "%s[%s]:%u", vstr_str(s->host), vstr_str(s->addr), s->port);
    if (msg_verbose)
	msg_info("connection cache: reuse %s (use %d)", cache[found].key, s->use_count);
    myfree(cache[found].key);
    cache_fd[found] = -1;
    memset(cache + found, 0, sizeof(cache[found]));
    return (0);
}

/* cache_or_quit - after a transaction: park the session if it is clean
 * (RSET first after an error) and within the limits, else QUIT. */
static void cache_or_quit(SESSION *s, const char *service, RESP *resp)
{
    int     ok;

    if (s->stream == 0)
	return;
    ok = !s->broken && !stream_error(s->stream) && cache_wanted(s->req)
	&& now_double() - s->created < *proto.reuse_time
	&& (*proto.reuse_count <= 0 || s->use_count - 1 < *proto.reuse_count);
    if (ok && !s->clean) {
	send_cmd(s, "RSET");
	ok = flush(s, *proto.rset_tmout) == 0 && read_resp(s, *proto.rset_tmout, resp) == 0
	    && resp->code == 250;
    }
    if (ok && !s->broken && !stream_error(s->stream)) {
	cache_store(s, service);
	return;
    }
    do_quit(s, resp);
}

/* cache_loop - server loop hook: expire idle sessions. */
static long cache_loop(void)
{
    return (cache_expire());
}

/* cache_pre_exit - close every idle session before the process exits. */
static void cache_pre_exit(void)
{
    for (int i = 0; i < CACHE_MAX; i++)
	if (cache[i].key)
	    cache_close(i, 1);
}

/* cache_sigterm - say QUIT on idle sessions, then die of the signal. */
static void cache_sigterm(int sig)
{
    int     saved = errno;

    for (int i = 0; i < CACHE_MAX; i++)
	if (cache_fd[i] >= 0)
	    (void) !write(cache_fd[i], "QUIT\r\n", 6);
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* cache_post_init - no idle sessions yet; catch SIGTERM. */
static void cache_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    for (int i = 0; i < CACHE_MAX; i++)
	cache_fd[i] = -1;
    signal(SIGTERM, cache_sigterm);
}

/* session_reset - forget a dead reused connection before connecting anew. */
static void session_reset(SESSION *s)
{
    if (s->stream)
	(void) stream_close(s->stream);
    s->stream = 0;
    s->esmtp = s->pipelining = s->eightbit = s->dsn = 0;
    s->size_limit = -1;
    s->use_count = 0;
    s->reused = s->retry = s->broken = s->clean = 0;
    s->xfer_start = 0;
    memset(s->accepted, 0, (s->req->nrcpt + 1) * sizeof(int));
    vstr_set(s->relay, "none");
}

static void smtp_service(STREAM *client, const char *service, char **argv)
{
    DELIVER_REQUEST *req;
    SESSION sess;
    RESP    resp;
    VSTR   *why;
    int     qfd = -1;
    int     unknown;
    int     i;
    VSTR   *path;

    (void) argv;
    if ((req = deliver_request_read(client, service, 0)) == 0)
	return;
    memset(&sess, 0, sizeof(sess));
    sess.req = req;
    sess.host = vstr_alloc(64);
    sess.addr = vstr_alloc(64);
    sess.relay = vstr_alloc(64);
    vstr_set(sess.relay, "none");
    sess.size_limit = -1;
    sess.accepted = mycalloc(req->nrcpt + 1, sizeof(int));
    sess.done = mycalloc(req->nrcpt + 1, sizeof(int));
    resp.text = vstr_alloc(256);
    resp.dsn[0] = 0;
    resp.code = 0;
    why = vstr_alloc(100);
    path = vstr_alloc(64);

    mail_queue_path(path, req->queue_name, req->queue_id);
    if ((qfd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW)) < 0) {
	msg_warn("open queue file %s: %s", vstr_str(path), strerror(errno));
	fail_rest(&sess, DLV_STAT_DEFER, "4.3.0", "", "queue file unavailable");
    } else if (parse_nexthop(&sess, req->nexthop ? req->nexthop : "", why, &unknown) < 0) {
	fail_rest(&sess, DLV_STAT_DEFER, unknown ? "4.4.3" : "4.3.5", "", vstr_str(why));
    } else {
	if (cache_find(&sess, service) == 0) {
	    do_transaction(&sess, qfd, &resp);
	    if (sess.retry) {
		if (msg_verbose)
		    msg_info("%s: cached session to %s is gone; connecting anew",
			     req->queue_id, vstr_str(sess.relay));
		session_reset(&sess);
	    }
	}
	if (sess.stream == 0 && sess.ndone < req->nrcpt && do_connect(&sess) == 0) {
	    sess.created = sess.conn_time;
	    sess.use_count = 1;
	    if (do_helo(&sess, &resp) == 0)
		do_transaction(&sess, qfd, &resp);
	    else
		sess.broken = 1;
	}
	cache_or_quit(&sess, service, &resp);
	/* Anything still open (should not happen) is deferred. */
	fail_rest(&sess, DLV_STAT_DEFER, "4.3.0", "", "delivery status unknown");
    }
    if (sess.stream)
	(void) stream_close(sess.stream);
    if (qfd >= 0 && close(qfd) < 0)
	msg_warn("close %s: %s", vstr_str(path), strerror(errno));
    for (i = 0; i < req->nrcpt; i++)
	if (!sess.done[i])
	    rcpt_final(&sess, i, DLV_STAT_DEFER, "4.3.0", "", "delivery status unknown");
    if (deliver_request_reply(client, req) < 0)
	msg_warn("%s: cannot send delivery status to queue manager", req->queue_id);
    deliver_request_free(req);
    vstr_free(sess.host);
    vstr_free(sess.addr);
    vstr_free(sess.relay);
    myfree(sess.accepted);
    myfree(sess.done);
    vstr_free(resp.text);
    vstr_free(why);
    vstr_free(path);
}

int     main(int argc, char **argv)
{
    static const MAIL_SERVER_SPEC spec = {
	.post_init = cache_post_init,
	.service = smtp_service,
	.loop = cache_loop,
	.pre_exit = cache_pre_exit,
    };
    const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : 0;

    base = base ? base + 1 : argc > 0 && argv[0] ? argv[0] : "smtp";
    if (strcmp(base, "lmtp") == 0) {
	proto = (PROTO) {
	    1, "LMTP", &var_lmtp_conn_tmout, &var_lmtp_lhlo_tmout, &var_lmtp_mail_tmout,
	    &var_lmtp_rcpt_tmout, &var_lmtp_data0_tmout, &var_lmtp_data1_tmout,
	    &var_lmtp_data2_tmout, &var_lmtp_quit_tmout, &var_lmtp_lhlo_name,
	    &var_lmtp_bind_addr, &var_lmtp_skip_5xx, &var_lmtp_line_limit,
	    &var_lmtp_tcp_port, &var_lmtp_skip_quit_resp, &var_lmtp_rset_tmout,
	    &var_lmtp_cache_demand, &var_lmtp_cache_conn, &var_lmtp_reuse_time,
	    &var_lmtp_reuse_count, &var_lmtp_cache_dest,
	};
    } else {
	proto = (PROTO) {
	    0, "SMTP", &var_smtp_conn_tmout, &var_smtp_helo_tmout, &var_smtp_mail_tmout,
	    &var_smtp_rcpt_tmout, &var_smtp_data0_tmout, &var_smtp_data1_tmout,
	    &var_smtp_data2_tmout, &var_smtp_quit_tmout, &var_smtp_helo_name,
	    &var_smtp_bind_addr, &var_smtp_skip_5xx, &var_smtp_line_limit,
	    &var_smtp_tcp_port, &var_smtp_skip_quit_resp, &var_smtp_rset_tmout,
	    &var_smtp_cache_demand, &var_smtp_cache_conn, &var_smtp_reuse_time,
	    &var_smtp_reuse_count, &var_smtp_cache_dest,
	};
    }
    single_server_main(argc, argv, &spec);
}
