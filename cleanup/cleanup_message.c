/* cleanup_message.c - message content in the cleanup daemon: the primary
 * header block is reassembled into logical (folded) headers, bounded by
 * header_size_limit; message_drop_headers are removed; Received: headers
 * are counted against hopcount_limit; Message-Id, Date and From (or their
 * Resent- forms) are added where missing for local submissions and for
 * local_header_rewrite_clients, as Postfix does; message-id= is logged.
 * The body is copied, long lines split at line_length_limit. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <strings.h>
#include <time.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/attr.h"
#include "global/mail_params.h"
#include "global/params_cleanup.h"
#include "global/mail_proto.h"
#include "global/record.h"
#include "global/cleanup_client.h"
#include "global/mail_date.h"
#include "cleanup/cleanup.h"

/* is_header - length of the header name if line starts a header, else 0 */

static size_t is_header(const char *line, size_t len)
{
    size_t  i, name_len;

    for (i = 0; i < len; i++) {
	unsigned char c = (unsigned char) line[i];

	if (c == ':')
	    break;
	if (c <= 32 || c >= 127)
	    break;
    }
    name_len = i;
    if (name_len == 0)
	return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
	i++;
    if (i < len && line[i] == ':')
	return name_len;
    return 0;
}

static int drop_header(const char *name)
{
    static ARGV *drop;
    int     i;

    if (drop == 0)
	drop = argv_split_list(var_drop_hdrs ? var_drop_hdrs : "");
    for (i = 0; i < drop->argc; i++)
	if (strcasecmp(drop->argv[i], name) == 0)
	    return 1;
    return 0;
}

/* header_value - the value after the colon, leading white space skipped,
 * folding newlines turned into spaces (for logging) */

static char *header_value(const char *hdr)
{
    const char *cp = strchr(hdr, ':');
    char   *val, *p;

    cp = cp ? cp + 1 : hdr + strlen(hdr);
    while (*cp == ' ' || *cp == '\t' || *cp == '\n')
	cp++;
    val = mystrdup(cp);
    for (p = val; *p; p++)
	if (*p == '\n')
	    *p = ' ';
    return val;
}

/* flush_header - process and write the logical header in state->hdr */

static void flush_header(CLEANUP_STATE *state)
{
    char    name[128];
    size_t  name_len;
    const char *start, *nl;

    if (vstr_len(state->hdr) == 0)
	return;
    name_len = is_header(vstr_str(state->hdr), vstr_len(state->hdr));
    if (name_len >= sizeof(name))
	name_len = sizeof(name) - 1;
    memcpy(name, vstr_str(state->hdr), name_len);
    name[name_len] = 0;

    if (drop_header(name)) {
	vstr_reset(state->hdr);
	state->hdr_trunc = 0;
	return;
    }
    if (strcasecmp(name, "received") == 0) {
	state->hop_count++;
    } else if (strcasecmp(name, "message-id") == 0) {
	state->seen |= HDR_SEEN_MSGID;
	if (state->msgid == 0)
	    state->msgid = header_value(vstr_str(state->hdr));
    } else if (strcasecmp(name, "content-transfer-encoding") == 0) {
	char   *v = header_value(vstr_str(state->hdr));

	if (strncasecmp(v, "8bit", 4) == 0 || strncasecmp(v, "binary", 6) == 0)
	    state->eightbit = 1;
	myfree(v);
    } else if (strcasecmp(name, "date") == 0) {
	state->seen |= HDR_SEEN_DATE;
    } else if (strcasecmp(name, "from") == 0) {
	state->seen |= HDR_SEEN_FROM;
    } else if (strcasecmp(name, "to") == 0 || strcasecmp(name, "cc") == 0
	       || strcasecmp(name, "bcc") == 0) {
	state->seen |= HDR_SEEN_TO;
    } else if (strncasecmp(name, "resent-", 7) == 0) {
	state->seen |= HDR_SEEN_RESENT_ANY;
	if (strcasecmp(name + 7, "message-id") == 0) {
	    state->seen |= HDR_SEEN_RESENT_MSGID;
	    if (state->resent_msgid == 0)
		state->resent_msgid = header_value(vstr_str(state->hdr));
	} else if (strcasecmp(name + 7, "date") == 0)
	    state->seen |= HDR_SEEN_RESENT_DATE;
	else if (strcasecmp(name + 7, "from") == 0)
	    state->seen |= HDR_SEEN_RESENT_FROM;
	else if (strcasecmp(name + 7, "to") == 0 || strcasecmp(name + 7, "cc") == 0
		 || strcasecmp(name + 7, "bcc") == 0)
	    state->seen |= HDR_SEEN_TO;
    }
    if (state->local_rewrite && !(state->flags & CLEANUP_FLAG_NOREWRITE)
	&& cleanup_is_addr_header(name))
	(void) cleanup_rewrite_addr_header(state->hdr, name_len);
    /* One N record per physical line. */
    for (start = vstr_str(state->hdr); (nl = strchr(start, '\n')) != 0; start = nl + 1)
	cleanup_out_content(state, REC_TYPE_NORM, start, (size_t) (nl - start));
    cleanup_out_content(state, REC_TYPE_NORM, start, strlen(start));
    vstr_reset(state->hdr);
    state->hdr_trunc = 0;
}

/* quote_phrase - a display name, quoted when it holds RFC 5322 specials */

static const char *quote_phrase(VSTR *out, const char *name)
{
    const char *cp;

    if (strpbrk(name, "()<>[]:;@\\,.\"") == 0)
	return name;
    vstr_set(out, "\"");
    for (cp = name; *cp; cp++) {
	if (*cp == '"' || *cp == '\\')
	    vstr_addch(out, '\\');
	vstr_addch(out, *cp);
    }
    vstr_addch(out, '"');
    return vstr_str(out);
}

/* cleanup_message_start - a local submission (pickup) gets the Received:
 * header that Postfix's pickup prepends. */

void    cleanup_message_start(CLEANUP_STATE *state)
{
    const char *uid = attr_get(state->attrs, MAIL_ATTR_SUBMIT_UID);
    VSTR   *buf, *date;

    if (uid == 0 || *uid == 0)
	return;
    buf = vstr_alloc(200);
    date = vstr_alloc(64);
    vstr_sprintf(buf, "Received: by %s (%s, from userid %s)", var_myhostname,
		 var_mail_name, uid);
    vstr_adds(buf, "\n\tid ");
    vstr_adds(buf, vstr_str(state->queue_id));
    vstr_adds(buf, "; ");
    vstr_adds(buf, mail_date(date, state->arrival.tv_sec));
    vstr_setn(state->hdr, vstr_str(buf), vstr_len(buf));
    flush_header(state);
    vstr_free(buf);
    vstr_free(date);
}

static void add_header(CLEANUP_STATE *state, const char *text)
{
    cleanup_out_content(state, REC_TYPE_NORM, text, strlen(text));
}

/* header_done - the primary header block is complete */

static void header_done(CLEANUP_STATE *state)
{
    VSTR   *buf = vstr_alloc(200);
    VSTR   *date = vstr_alloc(64);
    struct tm gm;
    char    stamp[32];
    const char *prefix;
    const char *full_name;
    int     resent;

    if (state->hop_count >= var_hopcount_limit) {
	msg_warn("%s: message rejected: hopcount exceeded", vstr_str(state->queue_id));
	state->errs |= CLEANUP_STAT_HOPS;
    }
    if (state->errs) {
	vstr_free(buf);
	vstr_free(date);
	return;
    }
    if (state->local_rewrite || var_always_add_hdrs) {
	resent = (state->seen & HDR_SEEN_RESENT_ANY) != 0;
	prefix = resent ? "Resent-" : "";
	if (!(state->seen & (resent ? HDR_SEEN_RESENT_MSGID : HDR_SEEN_MSGID))) {
	    time_t  t = state->arrival.tv_sec;

	    /* Long queue IDs are unique in time already: Postfix omits the stamp. */
	    if (var_long_queue_ids) {
		vstr_sprintf(buf, "<%s@%s>", vstr_str(state->queue_id), var_myhostname);
	    } else {
		gmtime_r(&t, &gm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &gm);
		vstr_sprintf(buf, "<%s.%s@%s>", stamp, vstr_str(state->queue_id),
			     var_myhostname);
	    }
	    vstr_sprintf(date, "%sMessage-Id: %s", prefix, vstr_str(buf));
	    if (resent) {
		myfree(state->resent_msgid);
		state->resent_msgid = mystrdup(vstr_str(buf));
	    } else {
		myfree(state->msgid);
		state->msgid = mystrdup(vstr_str(buf));
	    }
	    add_header(state, vstr_str(date));
	}
	if (!(state->seen & (resent ? HDR_SEEN_RESENT_DATE : HDR_SEEN_DATE))) {
	    vstr_sprintf(buf, "%sDate: %s", prefix,
			 mail_date(date, state->arrival.tv_sec));
	    add_header(state, vstr_str(buf));
	}
	if (!(state->seen & (resent ? HDR_SEEN_RESENT_FROM : HDR_SEEN_FROM))) {
	    full_name = attr_get(state->attrs, MAIL_ATTR_FULL_NAME);
	    if (state->sender == 0 || *state->sender == 0)
		vstr_sprintf(buf, "%sFrom: MAILER-DAEMON", prefix);
	    else if (full_name && *full_name)
		vstr_sprintf(buf, "%sFrom: %s <%s>", prefix,
			     quote_phrase(date, full_name), state->sender);
	    else
		vstr_sprintf(buf, "%sFrom: %s", prefix, state->sender);
	    add_header(state, vstr_str(buf));
	}
	if (!(state->seen & HDR_SEEN_TO) && var_rcpt_witheld && *var_rcpt_witheld)
	    add_header(state, var_rcpt_witheld);
    }
    if (state->resent_msgid)
	msg_info("%s: resent-message-id=%s", vstr_str(state->queue_id),
		 printable(state->resent_msgid, '?'));
    msg_info("%s: message-id=%s", vstr_str(state->queue_id),
	     state->msgid ? printable(state->msgid, '?') : "<>");
    vstr_free(buf);
    vstr_free(date);
}

/* header_line - one complete physical line while in the header block */

static void header_line(CLEANUP_STATE *state, const char *line, size_t len)
{
    size_t  limit = var_header_limit > 0 ? (size_t) var_header_limit : 102400;
    const char *nul = memchr(line, 0, len);
    size_t  keep = nul ? (size_t) (nul - line) : len;

    /*
     * As Postfix 3.7: whether a line starts or continues a header is
     * decided on the whole line (a NUL in a header name makes it body
     * text), but a header line keeps only the text before a NUL byte; the
     * other physical lines of the same header are kept.
     */
    if (len > 0 && (line[0] == ' ' || line[0] == '\t') && vstr_len(state->hdr) > 0) {
	/* Continuation: the excess of an over-long header is discarded. */
	if (state->hdr_trunc || vstr_len(state->hdr) + 1 + keep > limit) {
	    state->hdr_trunc = 1;
	    return;
	}
	vstr_addch(state->hdr, '\n');
	vstr_addn(state->hdr, line, keep);
	return;
    }
    flush_header(state);
    if (is_header(line, len)) {
	vstr_setn(state->hdr, line, keep > limit ? limit : keep);
	state->hdr_trunc = keep > limit;
	return;
    }
    /* End of the header block. */
    header_done(state);
    state->in_header = 0;
    /* A body that starts without the empty line gets one. */
    cleanup_out_content(state, REC_TYPE_NORM, "", 0);
    if (len > 0)
	cleanup_out_content(state, REC_TYPE_NORM, line, len);
}

/* strip_set - the bytes of message_strip_characters, C escapes decoded */

static const unsigned char *strip_set(void)
{
    static unsigned char set[256];
    static int done;
    const char *cp;
    int     c, n;

    if (done)
	return set;
    done = 1;
    for (cp = var_msg_strip_chars ? var_msg_strip_chars : ""; *cp; cp++) {
	c = (unsigned char) *cp;
	if (c == '\\' && cp[1]) {
	    cp++;
	    switch (*cp) {
	    case 'a': c = '\a'; break;
	    case 'b': c = '\b'; break;
	    case 'f': c = '\f'; break;
	    case 'n': c = '\n'; break;
	    case 'r': c = '\r'; break;
	    case 't': c = '\t'; break;
	    case 'v': c = '\v'; break;
	    default:
		if (*cp >= '0' && *cp <= '7') {
		    for (c = 0, n = 0; n < 3 && *cp >= '0' && *cp <= '7'; n++, cp++)
			c = c * 8 + (*cp - '0');
		    cp--;
		    c &= 0xff;
		} else
		    c = (unsigned char) *cp;
		break;
	    }
	}
	set[c] = 1;
    }
    return set;
}

void    cleanup_message_line(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    size_t  limit = var_header_limit > 0 ? (size_t) var_header_limit : 102400;

    if (var_msg_strip_chars && *var_msg_strip_chars) {
	const unsigned char *set = strip_set();
	size_t  i;

	vstr_reset(state->temp);
	for (i = 0; i < len; i++)
	    if (!set[(unsigned char) data[i]])
		vstr_addch(state->temp, data[i]);
	data = vstr_str(state->temp);
	len = vstr_len(state->temp);
    }
    /* As Postfix 3.7: a bare CR inside a line (header or body) becomes a space. */
    if (memchr(data, '\r', len) != 0) {
	if (data != vstr_str(state->temp)) {
	    vstr_reset(state->temp);
	    vstr_addn(state->temp, data, len);
	}
	for (size_t i = 0; i < len; i++)
	    if (state->temp->str[i] == '\r')
		state->temp->str[i] = ' ';
	data = vstr_str(state->temp);
    }

    if (!state->eightbit) {
	size_t  i;

	for (i = 0; i < len; i++)
	    if ((unsigned char) data[i] & 0x80) {
		state->eightbit = 1;
		break;
	    }
    }
    if (!state->in_header) {
	cleanup_out_content(state, type, data, len);
	return;
    }
    if (type == REC_TYPE_CONT || vstr_len(state->pending) > 0) {
	if (vstr_len(state->pending) + len <= limit)
	    vstr_addn(state->pending, data, len);
	else if (vstr_len(state->pending) < limit)
	    vstr_addn(state->pending, data, limit - vstr_len(state->pending));
	if (type == REC_TYPE_CONT)
	    return;
	header_line(state, vstr_str(state->pending), vstr_len(state->pending));
	vstr_reset(state->pending);
	return;
    }
    header_line(state, data, len);
}

void    cleanup_message_end(CLEANUP_STATE *state)
{
    if (!state->in_header)
	return;
    if (vstr_len(state->pending) > 0) {
	header_line(state, vstr_str(state->pending), vstr_len(state->pending));
	vstr_reset(state->pending);
    }
    if (state->in_header) {
	flush_header(state);
	header_done(state);
	state->in_header = 0;
    }
}
