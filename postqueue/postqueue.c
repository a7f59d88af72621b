/* postqueue.c - the user's view of the queue: -p lists it in Postfix's
 * mailq layout, -j as one JSON object per message, -f asks qmgr to retry
 * everything deferred now. The listing comes from the showq service
 * (protocol in showq/showq.c); -c DIR or $MAIL_CONFIG picks the instance. */
#include "util/sys_defs.h"
#include <time.h>
#include <getopt.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"
#include "global/mail_proto.h"
#include "global/mail_queue.h"
#include "global/mail_addr.h"
#include "showq/showq_report.h"

#define PQ_TIMEOUT	100
#define PQ_VALUE_MAX	(64 * 1024)
#define PQ_NRCPT_MAX	1000000

#define EX_USAGE_	64
#define EX_UNAVAIL_	69

#define MODE_NONE	0
#define MODE_LIST	1
#define MODE_JSON	2
#define MODE_FLUSH	3

static void usage(void)
{
    msg_fatal_status(EX_USAGE_, "usage: postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site");
}

/* json_str - JSON string literal of s into buf. */
static const char *json_str(VSTR *buf, const char *s)
{
    vstr_set(buf, "\"");
    for (const unsigned char *cp = (const unsigned char *) s; *cp; cp++) {
	switch (*cp) {
	case '"':
	    vstr_adds(buf, "\\\"");
	    break;
	case '\\':
	    vstr_adds(buf, "\\\\");
	    break;
	case '\n':
	    vstr_adds(buf, "\\n");
	    break;
	case '\r':
	    vstr_adds(buf, "\\r");
	    break;
	case '\t':
	    vstr_adds(buf, "\\t");
	    break;
	default:
	    if (*cp < 0x20 || *cp == 0x7f)
		vstr_sprintf_append(buf, "\\u%04X", *cp);
	    else
		vstr_addch(buf, *cp);
	}
    }
    vstr_addch(buf, '"');
    return vstr_str(buf);
}

/* show_sender - the sender as mailq shows it. */
static const char *show_sender(VSTR *buf, const char *sender)
{
    if (*sender == 0)
	vstr_set(buf, "MAILER-DAEMON");
    else
	addr_quote(buf, sender);
    return vstr_str(buf);
}

/* direct_report - the mail system is down: produce the report in a
 * child process that reads the queue directory itself. */
static STREAM *direct_report(void)
{
    int     sv[2];
    pid_t   pid;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal_status(EX_UNAVAIL_, "socketpair: %s", strerror(errno));
    if ((pid = fork()) < 0)
	msg_fatal_status(EX_UNAVAIL_, "fork: %s", strerror(errno));
    if (pid == 0) {
	STREAM *out;

	close(sv[0]);
	out = stream_fdopen(sv[1], PQ_TIMEOUT);
	_exit(showq_report(out) < 0 || stream_close(out) < 0);
    }
    close(sv[1]);
    return stream_fdopen(sv[0], PQ_TIMEOUT);
}

static int show_queue(int mode)
{
    STREAM *s;
    ATTR_LIST *l = attr_list_alloc();
    VSTR   *out = vstr_alloc(1024);
    VSTR   *tmp = vstr_alloc(256);
    VSTR   *tmp2 = vstr_alloc(256);
    const char *why = NULL;
    long    total_size = 0;
    long    count = 0;

    if ((s = mail_connect(MAIL_CLASS_PUBLIC, var_showq_service, PQ_TIMEOUT)) == NULL) {
	msg_warn("Mail system is down -- accessing queue directly"
		 " (Connect to the Postfix %s service: %s)", var_showq_service,
		 strerror(errno));
	s = direct_report();
    }
    if (mail_expect_proto(s, MAIL_PROTO_SHOWQ) < 0)
	msg_fatal_status(EX_UNAVAIL_, "Queue report unavailable - mail system is down");

    for (;;) {
	const char *queue, *id, *sender;
	long    arrival = 0, size = 0, nrcpt = 0, forced = 0;
	char    status;
	char    date[64];
	time_t  when;
	struct tm *tm;
	char   *prev_reason = NULL;

	if (attr_recv(s, l, 32, PQ_VALUE_MAX, &why) < 0)
	    msg_fatal_status(EX_UNAVAIL_, "Malformed showq server reply%s%s",
			     why ? ": " : "", why ? why : "");
	if (l->count == 0)
	    break;
	if ((queue = attr_get(l, MAIL_ATTR_QUEUE)) == NULL
	    || (id = attr_get(l, MAIL_ATTR_QUEUEID)) == NULL
	    || (sender = attr_get(l, MAIL_ATTR_SENDER)) == NULL
	    || attr_get_long(l, MAIL_ATTR_ARRIVAL, &arrival) < 0
	    || attr_get_long(l, MAIL_ATTR_SIZE, &size) < 0
	    || attr_get_long(l, MAIL_ATTR_NRCPT, &nrcpt) < 0
	    || nrcpt < 0 || nrcpt > PQ_NRCPT_MAX)
	    msg_fatal_status(EX_UNAVAIL_, "Malformed showq server reply");
	(void) attr_get_long(l, "forced_expire", &forced);
	count++;
	total_size += size;
	vstr_reset(out);
	if (mode == MODE_JSON) {
	    vstr_sprintf_append(out, "{\"queue_name\": %s", json_str(tmp, queue));
	    vstr_sprintf_append(out, ", \"queue_id\": %s", json_str(tmp, id));
	    vstr_sprintf_append(out, ", \"arrival_time\": %ld, \"message_size\": %ld"
				", \"forced_expire\": %s", arrival, size,
				forced ? "true" : "false");
	    vstr_sprintf_append(out, ", \"sender\": %s, \"recipients\": [",
				json_str(tmp, show_sender(tmp2, sender)));
	} else {
	    if (count == 1)
		printf("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
	    status = strcmp(queue, MAIL_QUEUE_ACTIVE) == 0 ? '*'
		: strcmp(queue, MAIL_QUEUE_HOLD) == 0 ? '!' : ' ';
	    when = (time_t) arrival;
	    if ((tm = localtime(&when)) == NULL
		|| strftime(date, sizeof(date), "%a %b %e %H:%M:%S", tm) == 0)
		snprintf(date, sizeof(date), "?");
	    {
		int     idlen = (int) strlen(id) + 1;
		int     width = idlen < 19 ? 19 - idlen : 1;

		vstr_sprintf_append(out, "%s%c%*ld %s  %s\n", id, status, width, size,
				    date, show_sender(tmp2, sender));
	    }
	}
	for (long i = 0; i < nrcpt; i++) {
	    const char *rcpt, *reason;

	    if (attr_recv(s, l, 8, PQ_VALUE_MAX, &why) < 0
		|| (rcpt = attr_get(l, MAIL_ATTR_RECIP)) == NULL)
		msg_fatal_status(EX_UNAVAIL_, "Malformed showq server reply");
	    reason = attr_get(l, MAIL_ATTR_REASON);
	    if (reason == NULL)
		reason = "";
	    if (mode == MODE_JSON) {
		vstr_sprintf_append(out, "%s{\"address\": %s", i ? ", " : "",
				    json_str(tmp, rcpt));
		if (*reason)
		    vstr_sprintf_append(out, ", \"delay_reason\": %s", json_str(tmp, reason));
		vstr_addch(out, '}');
	    } else {
		if (*reason && (prev_reason == NULL || strcmp(prev_reason, reason) != 0)) {
		    /* Right-aligned at column 78, as Postfix does. */
		    int     pad = 78 - ((int) strlen(reason) + 2);

		    if (pad < 0)
			pad = 0;
		    vstr_sprintf_append(out, "%*s(%s)\n", pad, "", reason);
		}
		myfree(prev_reason);
		prev_reason = mystrdup(reason);
		vstr_sprintf_append(out, "%41s%s\n", "", addr_quote(tmp, rcpt));
	    }
	}
	myfree(prev_reason);
	if (mode == MODE_JSON)
	    vstr_adds(out, "]}\n");
	else
	    vstr_adds(out, "\n");
	fputs(vstr_str(out), stdout);
    }
    if (mode == MODE_LIST) {
	if (count == 0)
	    printf("Mail queue is empty\n");
	else
	    printf("-- %ld Kbytes in %ld Request%s.\n", total_size / 1024, count,
		   count == 1 ? "" : "s");
    }
    (void) stream_close(s);
    while (waitpid(-1, NULL, WNOHANG) > 0)
	 /* void */ ;
    attr_list_free(l);
    vstr_free(out);
    vstr_free(tmp);
    vstr_free(tmp2);
    if (fflush(stdout) != 0 || ferror(stdout))
	msg_fatal("write error: %s", strerror(errno));
    return 0;
}

static int flush_queue(void)
{
    static const char req[] = {QMGR_REQ_FLUSH_DEAD, QMGR_REQ_SCAN_ALL};

    if (mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_QMGR, req, sizeof(req)) < 0)
	msg_fatal_status(EX_UNAVAIL_, "Cannot flush mail queue - mail system is down");
    return 0;
}

int     main(int argc, char **argv)
{
    const char *config_dir = NULL;
    int     mode = MODE_NONE;
    int     ch;

    msg_init("postqueue", MSG_STDERR);
    signal(SIGPIPE, SIG_IGN);
    while ((ch = getopt(argc, argv, "c:fi:jps:v")) != -1) {
	switch (ch) {
	case 'c':
	    config_dir = optarg;
	    break;
	case 'f':
	    mode = MODE_FLUSH;
	    break;
	case 'j':
	    mode = MODE_JSON;
	    break;
	case 'p':
	    mode = MODE_LIST;
	    break;
	case 'i':
	    /* No per-message flush yet: retry all deferred mail. */
	    if (!mail_queue_id_ok(optarg))
		msg_fatal_status(EX_USAGE_, "bad queue ID: %s", optarg);
	    mode = MODE_FLUSH;
	    break;
	case 's':
	    /* No fast flush service (fast_flush_domains) yet. */
	    msg_fatal_status(EX_UNAVAIL_, "Flush service is not configured for destination \"%s\"",
			     optarg);
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage();
	}
    }
    if (optind < argc || mode == MODE_NONE)
	usage();
    if (config_dir)
	setenv("MAIL_CONFIG", config_dir, 1);
    mail_conf_init(config_dir);
    if (chdir(var_queue_dir) < 0)
	msg_fatal_status(EX_UNAVAIL_, "chdir %s: %s", var_queue_dir, strerror(errno));
    if (mode == MODE_FLUSH)
	return flush_queue();
    return show_queue(mode);
}
