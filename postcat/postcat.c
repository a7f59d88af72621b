/* postcat.c - show a queue file, as Postfix's postcat(1): envelope
 * records, message headers and body. Usage:
 *   postcat [-bdehov] [-c config_dir] [-q] [files or queue IDs...]
 * -q takes queue IDs (searched in the queue directories); -e, -h, -b pick
 * envelope, headers, body (default: all); -o prefixes record offsets. */
#include "util/sys_defs.h"
#include <fcntl.h>
#include <time.h>
#include "util/msg.h"
#include "util/vstr.h"
#include "util/stream.h"
#include "global/mail_params.h"
#include "global/mail_queue.h"
#include "global/record.h"

#define PC_ENV	(1<<0)
#define PC_HDR	(1<<1)
#define PC_BODY	(1<<2)
#define PC_OFF	(1<<3)

#define PC_REC_MAX	(16 * 1024 * 1024)

static const char *const search_queues[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
    MAIL_QUEUE_HOLD, MAIL_QUEUE_MAILDROP, MAIL_QUEUE_SAVED, 0,
};

static void print_time(const char *label, const char *data)
{
    char    buf[64];
    struct tm tm;
    time_t  t = (time_t) atol(data);

    localtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
    printf("%s: %s\n", label, buf);
}

static int is_header_line(const char *line, size_t len)
{
    size_t  i;

    for (i = 0; i < len && line[i] != ':'; i++)
	if ((unsigned char) line[i] <= 32 || (unsigned char) line[i] >= 127)
	    break;
    if (i == 0)
	return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
	i++;
    return i < len && line[i] == ':';
}

/* postcat - show one open queue file; 0 ok, -1 corrupt */

static int postcat(int fd, const char *path, int flags)
{
    STREAM *s = stream_fdopen(fd, 0);
    VSTR   *buf = vstr_alloc(1024);
    long    pos = 0, rec_pos;
    int     type, ret = -1;
    int     in_content = 0, in_header = 1, at_line_start = 1, cont = 0;
    long    when;

#define ENV_MARK(fmt) do { if (flags & PC_ENV) printf(fmt, path); } while (0)

    ENV_MARK("*** ENVELOPE RECORDS %s ***\n");
    for (;;) {
	rec_pos = pos;
	type = rec_get(s, buf, PC_REC_MAX, &pos);
	if (type == REC_TYPE_EOF) {
	    msg_warn("%s: message file ends without end record", path);
	    break;
	}
	if (type == REC_TYPE_ERROR) {
	    msg_warn("%s: corrupt or truncated record at offset %ld", path, rec_pos);
	    break;
	}
	if (in_content && (type == REC_TYPE_NORM || type == REC_TYPE_CONT)) {
	    int     show;

	    if (at_line_start && in_header) {
		/* A header block ends at the first line that is not a header or continuation. */
		if (vstr_len(buf) == 0
		    || (!is_header_line(vstr_str(buf), vstr_len(buf))
			&& vstr_str(buf)[0] != ' ' && vstr_str(buf)[0] != '\t'))
		    in_header = 0;
	    }
	    show = in_header ? (flags & PC_HDR) : (flags & PC_BODY);
	    if (show) {
		if ((flags & PC_OFF) && at_line_start)
		    printf("%9ld ", rec_pos);
		fwrite(vstr_str(buf), 1, vstr_len(buf), stdout);
		if (type == REC_TYPE_NORM)
		    putchar('\n');
	    }
	    cont = (type == REC_TYPE_CONT);
	    at_line_start = !cont;
	    continue;
	}
	if (!(flags & PC_ENV) && type != REC_TYPE_END && type != REC_TYPE_XTRA
	    && type != REC_TYPE_MESG)
	    continue;
	if ((flags & PC_OFF) && (flags & PC_ENV))
	    printf("%9ld ", rec_pos);
	switch (type) {
	case REC_TYPE_SIZE:
	    printf("message_size: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_TIME:
	    print_time("message_arrival_time", vstr_str(buf));
	    break;
	case REC_TYPE_WARN:
	    when = atol(vstr_str(buf));
	    if (when > 0)
		print_time("warning_message_time", vstr_str(buf));
	    else
		printf("warning_message_time: 0\n");
	    break;
	case REC_TYPE_ATTR:
	    printf("named_attribute: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_FROM:
	    printf("sender: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_ORCP:
	    printf("original_recipient: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_NOTIFY:
	    printf("dsn_notify_flags: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_RCPT:
	    printf("recipient: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_DONE:
	    printf("done_recipient: %s\n", vstr_str(buf));
	    break;
	case REC_TYPE_MESG:
	    ENV_MARK("*** MESSAGE CONTENTS %s ***\n");
	    in_content = 1;
	    break;
	case REC_TYPE_XTRA:
	    if (cont && (flags & (PC_HDR | PC_BODY)))
		putchar('\n');
	    ENV_MARK("*** HEADER EXTRACTED %s ***\n");
	    in_content = 0;
	    break;
	case REC_TYPE_END:
	    ENV_MARK("*** MESSAGE FILE END %s ***\n");
	    ret = 0;
	    break;
	default:
	    printf("record type %c: %s\n", type, vstr_str(buf));
	    break;
	}
	if (type == REC_TYPE_END)
	    break;
    }
    stream_free(s);
    vstr_free(buf);
    if (fflush(stdout) != 0 || ferror(stdout))
	msg_fatal("write error: %s", strerror(errno));
    return ret;
}

int     main(int argc, char **argv)
{
    VSTR   *path = vstr_alloc(64);
    const char *const *qp;
    const char *config_dir = 0;
    int     flags = 0, by_id = 0;
    int     ch, i, fd, status = 0;

    msg_init(argv[0], MSG_STDERR);
    while ((ch = getopt(argc, argv, "bc:dehoqrs:v")) != -1) {
	switch (ch) {
	case 'b':
	    flags |= PC_BODY;
	    break;
	case 'c':
	    config_dir = optarg;
	    if (setenv("MAIL_CONFIG", optarg, 1) < 0)
		msg_fatal("setenv: %s", strerror(errno));
	    break;
	case 'd':
	case 'r':
	case 's':
	    break;			/* accepted for compatibility */
	case 'e':
	    flags |= PC_ENV;
	    break;
	case 'h':
	    flags |= PC_HDR;
	    break;
	case 'o':
	    flags |= PC_OFF;
	    break;
	case 'q':
	    by_id = 1;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    msg_fatal("usage: %s [-b (body text)] [-c config_dir] [-d (decimal record type)] "
		      "[-e (envelope records)] [-h (header text)] [-q (access queue)] "
		      "[-v] [file(s)...]", "postcat");
	}
    }
    if ((flags & (PC_ENV | PC_HDR | PC_BODY)) == 0)
	flags |= PC_ENV | PC_HDR | PC_BODY;
    mail_conf_init(config_dir);
    msg_set_stderr(1);

    if (optind == argc) {
	if (by_id)
	    msg_fatal("no queue ID specified");
	if (postcat(0, "stdin", flags) < 0)
	    status = 1;
	return status;
    }
    if (by_id && chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %s", var_queue_dir, strerror(errno));
    for (i = optind; i < argc; i++) {
	if (by_id) {
	    if (!mail_queue_id_ok(argv[i]))
		msg_fatal("open queue file %s: Invalid argument", argv[i]);
	    fd = -1;
	    errno = ENOENT;
	    for (qp = search_queues; *qp && fd < 0; qp++)
		fd = open(mail_queue_path(path, *qp, argv[i]), O_RDONLY | O_CLOEXEC);
	    if (fd < 0)
		msg_fatal("open queue file %s: %s", argv[i], strerror(ENOENT));
	} else {
	    vstr_set(path, argv[i]);
	    if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) < 0)
		msg_fatal("open %s: %s", argv[i], strerror(errno));
	}
	if (postcat(fd, vstr_str(path), flags) < 0)
	    status = 1;
	close(fd);
    }
    vstr_free(path);
    return status;
}
