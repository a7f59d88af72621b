/* sendmail.c - the Sendmail-compatible submission command (also run as
 * mailq and newaliases). It reads a message on stdin, builds the record
 * stream of global/record.h (attributes, sender, recipients, content) and
 * hands it to postdrop, which stores it in maildrop/ for pickup. -bp/mailq
 * and -q run postqueue; -bi/-I/newaliases rebuild the alias databases. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include "util/mymalloc.h"
#include "util/msg.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/mail_proto.h"
#include "global/record.h"
#include "global/params_cleanup.h"
#include "global/qfile.h"

#define SM_MODE_ENQUEUE	1
#define SM_MODE_MAILQ	2
#define SM_MODE_NEWALIAS 3
#define SM_MODE_FLUSH	4

#define SM_MAX_ADDR	4096		/* longest address we pass on */

static uid_t sm_uid;
static const char *sm_login;		/* invoking user's login name */
static const char *sm_config_dir;	/* -C */

/* sm_fatal - Postfix's sendmail reports its fatal errors with EX_TEMPFAIL. */
#define sm_fatal(...) msg_fatal_status(EX_TEMPFAIL, __VA_ARGS__)

/* strip_angles - "<addr>" -> "addr", in place. */
static char *strip_angles(char *s)
{
    size_t  n;

    s = trimblanks(s);
    n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
	s[n - 1] = 0;
	s++;
    }
    return trimblanks(s);
}

/* unquote_local - external "a b"@dom -> internal a b@dom, in place. */
static void unquote_local(VSTR *addr)
{
    VSTR   *out;
    const char *p = vstr_str(addr);
    int     q = 0;

    if (strchr(p, '"') == 0)
	return;
    out = vstr_alloc(vstr_len(addr));
    for (; *p; p++) {
	if (*p == '"') {
	    q = !q;
	    continue;
	}
	if (q && *p == '\\' && p[1]) {
	    vstr_addch(out, *++p);
	    continue;
	}
	vstr_addch(out, *p);
    }
    vstr_set(addr, vstr_str(out));
    vstr_free(out);
}

/* add_recipient - append addr (internal form) unless already present. */
static void add_recipient(ARGV *rcpt, const char *addr)
{
    if (*addr == 0)
	return;
    if (strlen(addr) > SM_MAX_ADDR)
	sm_fatal("%s(%ld): recipient address too long", sm_login, (long) sm_uid);
    for (int i = 0; i < rcpt->argc; i++)
	if (strcmp(rcpt->argv[i], addr) == 0)
	    return;
    argv_add(rcpt, addr, (char *) 0);
}

/* parse_addr_list - add the addresses of an RFC 5322 address list (display
 * names, comments, groups, <angle> addresses) to rcpt. */
static void parse_addr_list(const char *text, ARGV *rcpt)
{
    VSTR   *cur = vstr_alloc(100);	/* the address being collected */
    VSTR   *angle = vstr_alloc(100);
    int     have_angle = 0;
    int     in_angle = 0;
    const char *p;

    for (p = text;; p++) {
	int     c = *p;

	if (c == 0 || (c == ',' && !in_angle) || (c == ';' && !in_angle)) {
	    VSTR   *a = have_angle ? angle : cur;
	    char   *s = trimblanks(vstr_str(a));
	    VSTR   *v = vstr_alloc(strlen(s) + 1);

	    /* Source route "@a,@b:user@dom" inside <>: keep the last part. */
	    if (have_angle && *s == '@' && strchr(s, ':'))
		s = strrchr(s, ':') + 1;
	    vstr_set(v, s);
	    unquote_local(v);
	    add_recipient(rcpt, vstr_str(v));
	    vstr_free(v);
	    vstr_reset(cur);
	    vstr_reset(angle);
	    have_angle = 0;
	    if (c == 0)
		break;
	    continue;
	}
	if (c == '"') {				/* quoted string */
	    vstr_addch(in_angle ? angle : cur, c);
	    for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
		    vstr_addch(in_angle ? angle : cur, *p++);
		vstr_addch(in_angle ? angle : cur, *p);
	    }
	    vstr_addch(in_angle ? angle : cur, '"');
	    if (*p == 0)
		p--;
	    continue;
	}
	if (c == '(' && !in_angle) {		/* comment, may nest */
	    int     depth = 1;

	    for (p++; *p && depth > 0; p++) {
		if (*p == '\\' && p[1])
		    p++;
		else if (*p == '(')
		    depth++;
		else if (*p == ')')
		    depth--;
	    }
	    p--;
	    vstr_addch(cur, ' ');
	    continue;
	}
	if (c == '<' && !in_angle) {
	    in_angle = 1;
	    have_angle = 1;
	    vstr_reset(angle);
	    continue;
	}
	if (c == '>' && in_angle) {
	    in_angle = 0;
	    continue;
	}
	if (c == ':' && !in_angle && !have_angle) {
	    /* "group: a, b;" - the text so far was the group's name. */
	    vstr_reset(cur);
	    continue;
	}
	if (in_angle)
	    vstr_addch(angle, c);
	else if (!have_angle)
	    vstr_addch(cur, (c == '\t' || c == '\r' || c == '\n') ? ' ' : c);
    }
    vstr_free(cur);
    vstr_free(angle);
}

/* full_name - -F, else $NAME, else the first GECOS field (& = Login). */
static char *full_name(const char *opt_name, const struct passwd *pw)
{
    const char *env = getenv("NAME");
    VSTR   *v;
    const char *g;

    if (opt_name)
	return mystrdup(opt_name);
    if (env && *env)
	return mystrdup(env);
    if (pw == 0 || pw->pw_gecos == 0 || *pw->pw_gecos == 0)
	return 0;
    v = vstr_alloc(64);
    for (g = pw->pw_gecos; *g && *g != ','; g++) {
	if (*g == '&') {
	    vstr_addch(v, toupper((unsigned char) pw->pw_name[0]));
	    vstr_adds(v, pw->pw_name + (pw->pw_name[0] != 0));
	} else {
	    vstr_addch(v, *g);
	}
    }
    if (vstr_len(v) == 0) {
	vstr_free(v);
	return 0;
    }
    return vstr_export(v);
}

/* exec_command - exec command_directory/name with args; does not return. */
static NORETURN exec_command(const char *name, ARGV *args)
{
    VSTR   *path = vstr_alloc(100);

    vstr_sprintf(path, "%s/%s", var_command_dir, name);
    args->argv[0] = mystrdup(vstr_str(path));
    execv(vstr_str(path), args->argv);
    sm_fatal("execute %s: %s", vstr_str(path), strerror(errno));
}

/* run_wait - run command_directory/name with args and wait; exit status. */
static int run_wait(const char *name, ARGV *args)
{
    pid_t   pid;
    int     status;

    if ((pid = fork()) < 0)
	sm_fatal("fork: %s", strerror(errno));
    if (pid == 0)
	exec_command(name, args);
    while (waitpid(pid, &status, 0) < 0) {
	if (errno != EINTR)
	    sm_fatal("waitpid: %s", strerror(errno));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
}

/* newaliases - rebuild each table in alias_database, as Postfix does
 * with postalias. Types that are read as text need no build: postalias
 * refuses them the same way Postfix's does. */
static int newaliases(void)
{
    ARGV   *maps = argv_split_list(var_alias_db_map ? var_alias_db_map : "");
    int     ret = 0;

    for (int i = 0; i < maps->argc; i++) {
	const char *spec = maps->argv[i];
	const char *colon = strchr(spec, ':');
	VSTR   *path = vstr_alloc(100);
	ARGV   *args;

	vstr_sprintf(path, "%s/postalias", var_command_dir);
	if (access(vstr_str(path), X_OK) == 0) {
	    args = argv_alloc(4);
	    argv_add(args, "postalias", (char *) 0);
	    if (sm_config_dir)
		argv_add(args, "-c", sm_config_dir, (char *) 0);
	    argv_add(args, spec, (char *) 0);
	    if (run_wait("postalias", args) != 0)
		ret = 1;
	    argv_free(args);
	} else if (colon && (strncmp(spec, "hash:", 5) == 0 || strncmp(spec, "btree:", 6) == 0
			     || strncmp(spec, "lmdb:", 5) == 0 || strncmp(spec, "cdb:", 4) == 0
			     || strncmp(spec, "dbm:", 4) == 0)) {
	    fprintf(stderr, "%s: fatal: %s: cannot rebuild: %s is not installed\n",
		    msg_progname(), spec, vstr_str(path));
	    ret = 1;
	} else if (colon) {
	    /* Text-read and lookup-only types: Postfix's postalias refuses. */
	    fprintf(stderr, "postalias: fatal: unsupported dictionary type: "
		    "%.*s does not support bulk-mode creation.\n",
		    (int) (colon - spec), spec);
	    ret = 1;
	} else {
	    fprintf(stderr, "postalias: fatal: %s: no map type\n", spec);
	    ret = 1;
	}
	vstr_free(path);
    }
    argv_free(maps);
    return ret;
}

/* parse_notify - -N value to DSN_NOTIFY_* bits (global/qfile.h). */
static int parse_notify(const char *value)
{
    ARGV   *words = argv_split(value, ", \t");
    int     bits = 0;

    for (int i = 0; i < words->argc; i++) {
	const char *w = words->argv[i];

	if (strcasecmp(w, "never") == 0)
	    bits |= DSN_NOTIFY_NEVER;
	else if (strcasecmp(w, "success") == 0)
	    bits |= DSN_NOTIFY_SUCCESS;
	else if (strcasecmp(w, "failure") == 0)
	    bits |= DSN_NOTIFY_FAILURE;
	else if (strcasecmp(w, "delay") == 0)
	    bits |= DSN_NOTIFY_DELAY;
	else {
	    msg_warn("unknown DSN NOTIFY command value \"%s\" in \"%s\"", w, value);
	    bits = -1;
	}
	if (bits < 0)
	    break;
    }
    argv_free(words);
    /* Like Postfix: a bad value is ignored with a warning. */
    if (bits <= 0 || ((bits & DSN_NOTIFY_NEVER) && bits != DSN_NOTIFY_NEVER)) {
	msg_warn("bad -N option value -- ignored");
	return 0;
    }
    return bits;
}

/* Message input: one line at a time, CRLF -> LF, long lines in pieces. */
typedef struct LINE_READER {
    STREAM *in;
    int     eof;
} LINE_READER;

/* read_piece - next piece of a line into buf: returns 1 if the line ended
 * (buf holds its last piece), 0 if more of the same line follows, -1 at
 * end of input with nothing read. */
static int read_piece(LINE_READER *lr, VSTR *buf, size_t limit)
{
    int     c;

    vstr_reset(buf);
    if (lr->eof)
	return -1;
    while (vstr_len(buf) < limit) {
	if ((c = stream_getc(lr->in)) < 0) {
	    if (stream_error(lr->in))
		sm_fatal("%s(%ld): error reading input: %s", sm_login, (long) sm_uid,
			 stream_timedout(lr->in) ? "timeout" : strerror(errno));
	    lr->eof = 1;
	    if (vstr_len(buf) == 0)
		return -1;
	    if (buf->str[buf->len - 1] == '\r')
		vstr_truncate(buf, buf->len - 1);
	    return 1;
	}
	if (c == '\n') {
	    if (vstr_len(buf) > 0 && buf->str[buf->len - 1] == '\r')
		vstr_truncate(buf, buf->len - 1);
	    return 1;
	}
	vstr_addch(buf, c);
    }
    /* A CR at the end of a piece may belong to a CRLF: peek by reading. */
    if (buf->str[buf->len - 1] == '\r') {
	c = stream_getc(lr->in);
	if (c == '\n') {
	    vstr_truncate(buf, buf->len - 1);
	    return 1;
	}
	if (c < 0) {
	    lr->eof = 1;
	    vstr_truncate(buf, buf->len - 1);
	    return 1;
	}
	vstr_addch(buf, c);			/* one byte over the limit is fine */
    }
    return 0;
}

/* Output to postdrop. */
static STREAM *out;
static long msg_bytes;

static void put_rec(int type, const char *data, size_t len)
{
    if (rec_put(out, type, data, len) < 0)
	sm_fatal("%s(%ld): error writing queue file: %s", sm_login, (long) sm_uid,
		 strerror(errno));
}

static void put_line(int type, const char *data, size_t len)
{
    msg_bytes += (long) len + (type == REC_TYPE_NORM);
    if (var_message_limit > 0 && msg_bytes > var_message_limit)
	sm_fatal("%s(%ld): message file too big", sm_login, (long) sm_uid);
    put_rec(type, data, len);
}

/* A saved header: its physical lines, each possibly in several pieces
 * (pieces ending a line are flagged). */
typedef struct HDR_PIECE {
    char   *data;
    size_t  len;
    int     last;			/* ends a physical line */
} HDR_PIECE;

static int is_header_start(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];

	if (c == ':')
	    return i > 0;
	if (c <= ' ' || c >= 127)
	    break;
    }
    /* "Name :" with white space before the colon is a header too. */
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
	i++;
    return i > 0 && i < len && s[i] == ':' && !isspace((unsigned char) s[0]);
}

static pid_t postdrop_pid;

/* sm_cleanup - on a fatal error, stop postdrop: it removes its file. */
static void sm_cleanup(void)
{
    int     status;

    if (postdrop_pid > 0) {
	(void) kill(postdrop_pid, SIGTERM);
	(void) waitpid(postdrop_pid, &status, 0);
	postdrop_pid = 0;
    }
}

/* start_postdrop - run command_directory/postdrop reading our output. */
static void start_postdrop(void)
{
    int     pfd[2];
    VSTR   *path = vstr_alloc(100);

    vstr_sprintf(path, "%s/postdrop", var_command_dir);
    if (pipe(pfd) < 0)
	sm_fatal("pipe: %s", strerror(errno));
    if ((postdrop_pid = fork()) < 0)
	sm_fatal("fork: %s", strerror(errno));
    if (postdrop_pid == 0) {
	close(pfd[1]);
	if (pfd[0] != 0) {
	    if (dup2(pfd[0], 0) < 0)
		_exit(EX_OSERR);
	    close(pfd[0]);
	}
	if (sm_config_dir)
	    execl(vstr_str(path), "postdrop", "-r", "-c", sm_config_dir, (char *) 0);
	else
	    execl(vstr_str(path), "postdrop", "-r", (char *) 0);
	fprintf(stderr, "sendmail: fatal: %s(%ld): unable to execute %s: %s\n",
		sm_login, (long) sm_uid, vstr_str(path), strerror(errno));
	_exit(EX_OSFILE);
    }
    close(pfd[0]);
    msg_cleanup(sm_cleanup);
    out = stream_fdopen(pfd[1], 0);
    vstr_free(path);
}

static int finish_postdrop(void)
{
    int     status;

    if (stream_close(out) != 0)
	msg_warn("%s(%ld): error writing to postdrop: %s", sm_login, (long) sm_uid,
		 strerror(errno));
    out = 0;
    while (waitpid(postdrop_pid, &status, 0) < 0) {
	if (errno != EINTR) {
	    postdrop_pid = 0;
	    sm_fatal("waitpid: %s", strerror(errno));
	}
    }
    postdrop_pid = 0;
    if (WIFEXITED(status))
	return WEXITSTATUS(status);
    return EX_SOFTWARE;
}

/* enqueue - read the message, write the record stream to postdrop. */
static int enqueue(const char *sender, const char *fullname, ARGV *rcpt,
		           int extract, int skip_dots, int notify,
		           const char *envid, const char *ret)
{
    LINE_READER lr;
    VSTR   *buf = vstr_alloc(var_line_limit + 2);
    HDR_PIECE *hdrs = 0;
    size_t  nhdrs = 0, hdr_cap = 0, hdr_bytes = 0;
    int     st = 0;				/* status of the last read_piece */
    int     at_line_start = 1;
    int     done = 0;			/* saw the end of input */
    int     in_body_line = 0;		/* first body piece pending in buf */
    int     skipping = 0;		/* inside a Bcc: header */
    int     rc;
    size_t  limit = var_line_limit > 0 ? (size_t) var_line_limit : 2048;
    long    hdr_limit = var_header_limit > 0 ? var_header_limit : 102400;

    lr.in = stream_fdopen(0, 0);
    lr.eof = 0;

    /* Headers: saved until the first line that is not a header. */
    for (int first = 1;; first = 0) {
	st = read_piece(&lr, buf, limit);
	if (st < 0) {
	    done = 1;
	    break;
	}
	/* A leading Unix "From " line is dropped, as Postfix's sendmail does. */
	if (first && vstr_len(buf) >= 5 && strncmp(buf->str, "From ", 5) == 0) {
	    while (st == 0)
		st = read_piece(&lr, buf, limit);
	    continue;
	}
	if (at_line_start && !skip_dots && st == 1 && vstr_len(buf) == 1 && buf->str[0] == '.') {
	    done = 1;
	    break;
	}
	if (at_line_start) {
	    int     cont = vstr_len(buf) > 0 && (buf->str[0] == ' ' || buf->str[0] == '\t');

	    if (vstr_len(buf) == 0 && st == 1)
		break;				/* the empty line: body follows */
	    if (!(cont && nhdrs > 0) && !is_header_start(buf->str, vstr_len(buf))) {
		in_body_line = 1;		/* not a header: body starts here */
		break;
	    }
	    if (!cont) {
		skipping = (strncasecmp(buf->str, "bcc", 3) == 0
			    && (buf->str[3] == ':' || buf->str[3] == ' ' || buf->str[3] == '\t'))
		    || (strncasecmp(buf->str, "resent-bcc", 10) == 0
			&& (buf->str[10] == ':' || buf->str[10] == ' ' || buf->str[10] == '\t'));
	    }
	    if ((long) (hdr_bytes + vstr_len(buf)) > hdr_limit) {
		in_body_line = 1;		/* too much header: the rest is body */
		break;
	    }
	}
	if (nhdrs == hdr_cap) {
	    hdr_cap = hdr_cap ? 2 * hdr_cap : 32;
	    hdrs = myrealloc(hdrs, hdr_cap * sizeof(*hdrs));
	}
	hdrs[nhdrs].data = mymalloc(vstr_len(buf) + 1);
	memcpy(hdrs[nhdrs].data, buf->str, vstr_len(buf) + 1);
	hdrs[nhdrs].len = vstr_len(buf);
	hdrs[nhdrs].last = (st == 1);
	/* Bit 2 marks the pieces of a Bcc: header, which is not passed on. */
	if (skipping)
	    hdrs[nhdrs].last |= 2;
	nhdrs++;
	hdr_bytes += vstr_len(buf);
	at_line_start = (st == 1);
    }

    /* Recipients from To/Cc/Bcc (and Resent-*) with -t. */
    if (extract) {
	VSTR   *val = vstr_alloc(256);
	size_t  i = 0;

	while (i < nhdrs) {
	    const char *h = hdrs[i].data;
	    size_t  nlen = strcspn(h, ":");
	    int     want = 0;
	    char   *name;

	    if (h[0] != ' ' && h[0] != '\t' && nlen < hdrs[i].len) {
		name = mystrndup(h, nlen);
		trimblanks(name);
		want = strcasecmp(name, "to") == 0 || strcasecmp(name, "cc") == 0
		    || strcasecmp(name, "bcc") == 0 || strcasecmp(name, "resent-to") == 0
		    || strcasecmp(name, "resent-cc") == 0 || strcasecmp(name, "resent-bcc") == 0;
		myfree(name);
	    }
	    if (!want) {
		i++;
		continue;
	    }
	    vstr_set(val, h + nlen + 1);
	    /* Unfold the continuation pieces and lines. */
	    for (i++; i < nhdrs && !(hdrs[i - 1].last & 1 && hdrs[i].data[0] != ' '
				    && hdrs[i].data[0] != '\t'); i++) {
		vstr_addch(val, ' ');
		vstr_addn(val, hdrs[i].data, hdrs[i].len);
	    }
	    parse_addr_list(vstr_str(val), rcpt);
	}
	vstr_free(val);
	if (rcpt->argc == 0)
	    sm_fatal("%s(%ld): No recipient addresses found in message header",
		     sm_login, (long) sm_uid);
    }

    /* Envelope. */
    start_postdrop();
    if (fullname)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_FULL_NAME, fullname);
    if (envid)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, envid);
    if (ret)
	rec_fprintf(out, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_RET, ret);
    put_rec(REC_TYPE_FROM, sender, strlen(sender));
    for (int i = 0; i < rcpt->argc; i++) {
	if (notify > 0)
	    rec_fprintf(out, REC_TYPE_NOTIFY, "%d", notify);
	put_rec(REC_TYPE_RCPT, rcpt->argv[i], strlen(rcpt->argv[i]));
    }
    put_rec(REC_TYPE_MESG, "", 0);

    /* Saved headers, without Bcc. */
    for (size_t i = 0; i < nhdrs; i++) {
	if (!(hdrs[i].last & 2))
	    put_line((hdrs[i].last & 1) ? REC_TYPE_NORM : REC_TYPE_CONT,
		     hdrs[i].data, hdrs[i].len);
	myfree(hdrs[i].data);
    }
    myfree(hdrs);

    /* Body, streamed. */
    if (!done) {
	if (!in_body_line) {
	    if (st == 1 && at_line_start)
		put_line(REC_TYPE_NORM, "", 0);	/* the empty separator line */
	    at_line_start = 1;
	}
	for (;;) {
	    if (!in_body_line) {
		st = read_piece(&lr, buf, limit);
		if (st < 0)
		    break;
		if (at_line_start && !skip_dots && st == 1 && vstr_len(buf) == 1
		    && buf->str[0] == '.')
		    break;
	    }
	    in_body_line = 0;
	    put_line(st == 1 ? REC_TYPE_NORM : REC_TYPE_CONT, buf->str, vstr_len(buf));
	    at_line_start = (st == 1);
	}
    }
    put_rec(REC_TYPE_XTRA, "", 0);
    stream_free(lr.in);
    vstr_free(buf);
    rc = finish_postdrop();
    return rc;
}

static NORETURN usage(void)
{
    sm_fatal("usage: %s [options]", msg_progname());
}

int     main(int argc, char **argv)
{
    const char *base;
    int     mode = SM_MODE_ENQUEUE;
    int     extract = 0, skip_dots = 0, notify = 0;
    const char *sender = 0, *opt_fullname = 0, *envid = 0, *ret = 0;
    const char *site = 0;
    int     bmode = 0;			/* -bs, -bd */
    char   *fullname;
    struct passwd *pw;
    ARGV   *rcpt;
    VSTR   *sbuf;
    int     c;
    int     fd;

    /* Make sure 0, 1, 2 are open, so no file we open becomes one. */
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
	;
    if (fd > 2)
	close(fd);
    umask(022);
    signal(SIGPIPE, SIG_IGN);

    base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    msg_init(strcmp(base, "mailq") == 0 || strcmp(base, "newaliases") == 0 ?
	     base : "sendmail", MSG_STDERR);
    if (strcmp(base, "mailq") == 0)
	mode = SM_MODE_MAILQ;
    else if (strcmp(base, "newaliases") == 0)
	mode = SM_MODE_NEWALIAS;

    sm_uid = getuid();
    pw = getpwuid(sm_uid);

    opterr = 1;
    while ((c = getopt(argc, argv, "B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q::tvx")) > 0) {
	switch (c) {
	case 'X':
	    sm_fatal("unsupported: -%c%c", c, *optarg);
	case 'B': case 'G': case 'L': case 'O': case 'U':
	case 'c': case 'e': case 'h': case 'm': case 'n': case 'p': case 'x':
	    break;				/* accepted and ignored, as in Postfix */
	case 'C': {
		struct stat st;
		char   *dir = mystrdup(optarg);

		/* -C may name main.cf itself: use its directory. */
		if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode) && strrchr(dir, '/'))
		    *strrchr(dir, '/') = 0;
		sm_config_dir = dir;
		if (setenv("MAIL_CONFIG", dir, 1) < 0)
		    sm_fatal("setenv: %s", strerror(errno));
		break;
	    }
	case 'F':
	    opt_fullname = optarg;
	    break;
	case 'I':
	    mode = SM_MODE_NEWALIAS;
	    break;
	case 'N':
	    notify = parse_notify(optarg);
	    break;
	case 'R':
	    if (strcasecmp(optarg, "full") != 0 && strcasecmp(optarg, "hdrs") != 0)
		msg_warn("bad -R option value -- ignored");
	    else
		ret = optarg;
	    break;
	case 'V':
	    envid = optarg;
	    if (strlen(envid) > 100)
		sm_fatal("-V option value too long: %s", envid);
	    for (const char *p = envid; *p; p++)
		if ((unsigned char) *p < 33 || (unsigned char) *p > 126)
		    sm_fatal("bad -V option value: %s", envid);
	    break;
	case 'b':
	    switch (*optarg) {
	    case 'm':
		mode = SM_MODE_ENQUEUE;
		break;
	    case 'p':
		mode = SM_MODE_MAILQ;
		break;
	    case 'i':
		mode = SM_MODE_NEWALIAS;
		break;
	    case 's':
	    case 'd':
		bmode = *optarg;
		break;
	    default:
		sm_fatal("unsupported: -%c%s", c, optarg);
	    }
	    break;
	case 'f':
	case 'r':
	    sender = optarg;
	    break;
	case 'i':
	    skip_dots = 1;
	    break;
	case 'o':
	    if (*optarg == 'i')
		skip_dots = 1;
	    break;
	case 'q':
	    if (optarg == 0 || *optarg == 0)
		mode = SM_MODE_FLUSH;
	    else if (*optarg == 'R' || *optarg == 'S') {
		mode = SM_MODE_FLUSH;
		site = optarg + 1;
	    }					/* -qinterval: ignored */
	    break;
	case 't':
	    extract = 1;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage();
	}
    }

    if (bmode) {
	if (optind < argc)
	    sm_fatal("%s mode requires no recipient",
		     bmode == 's' ? "stand-alone" : "daemon");
	sm_fatal("unsupported: -b%c", bmode);
    }
    mail_conf_init(sm_config_dir);

    if (mode == SM_MODE_MAILQ || mode == SM_MODE_FLUSH) {
	ARGV   *args = argv_alloc(6);

	argv_add(args, "postqueue", (char *) 0);
	if (sm_config_dir)
	    argv_add(args, "-c", sm_config_dir, (char *) 0);
	if (mode == SM_MODE_MAILQ)
	    argv_add(args, "-p", (char *) 0);
	else if (site && *site)
	    argv_add(args, "-s", site, (char *) 0);
	else
	    argv_add(args, "-f", (char *) 0);
	exec_command("postqueue", args);
    }
    if (mode == SM_MODE_NEWALIAS)
	exit(newaliases());

    /* Enqueue. */
    if (pw == 0)
	sm_fatal("no login name found for user ID %lu", (unsigned long) sm_uid);
    sm_login = mystrdup(pw->pw_name);
    sbuf = vstr_alloc(100);
    if (sender) {
	char   *tmp = mystrdup(sender);

	vstr_set(sbuf, strip_angles(tmp));
	myfree(tmp);
	unquote_local(sbuf);
	if (vstr_len(sbuf) > SM_MAX_ADDR)
	    sm_fatal("%s(%ld): sender address too long", sm_login, (long) sm_uid);
    } else {
	vstr_set(sbuf, sm_login);
    }
    fullname = full_name(opt_fullname, pw);
    if (fullname) {
	/* One line of printable text: no record smuggling via the name. */
	for (char *p = fullname; *p; p++)
	    if (*p == '\n' || *p == '\r')
		*p = ' ';
	if (strlen(fullname) > 1000)
	    fullname[1000] = 0;
    }

    rcpt = argv_alloc(10);
    for (int i = optind; i < argc; i++)
	parse_addr_list(argv[i], rcpt);
    if (rcpt->argc == 0 && !extract)
	sm_fatal("%s(%ld): Recipient addresses must be specified on the command line or via the -t option",
		 sm_login, (long) sm_uid);

    c = enqueue(vstr_str(sbuf), fullname, rcpt, extract, skip_dots, notify, envid, ret);
    argv_free(rcpt);
    vstr_free(sbuf);
    myfree(fullname);
    exit(c);
}
