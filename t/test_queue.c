/* test_queue.c - unit tests of the queue file layer: queue IDs, record
 * I/O (including input that arrives one byte at a time), the envelope
 * reader, done-marking, and detection of truncated or corrupt files. */
#include "util/sys_defs.h"
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <ctype.h>
#include "util/stream.h"
#include "util/vstr.h"
#include "util/attr.h"
#include "global/mail_params.h"
#include "global/mail_queue.h"
#include "global/record.h"
#include "global/qfile.h"
#include "global/cleanup_client.h"
#include "t/tap.h"

/* write_queue_file - what cleanup writes, in miniature */
static int write_queue_file(int fd, long *rcpt_offsets)
{
    STREAM *s = stream_fdopen(fd, 0);
    long    content_offset, end_offset, msg_size = 0;
    const char *lines[] = {"Subject: test", "", "body line 1", ".dot", 0};
    char    longline[300];
    int     i;

    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = 0;
    rec_fprintf(s, REC_TYPE_SIZE, "%15ld %15ld %15ld %15ld", 0L, 0L, 0L, 0L);
    rec_fprintf(s, REC_TYPE_TIME, "%ld %ld", 1700000000L, 123456L);
    rec_fprintf(s, REC_TYPE_WARN, "%15ld", 0L);
    rec_fprintf(s, REC_TYPE_ATTR, "%s=%s", "client_address", "127.0.0.1");
    rec_fprintf(s, REC_TYPE_ATTR, "%s=%s", "protocol_name", "ESMTP");
    rec_put(s, REC_TYPE_FROM, "sender@example.com", 18);
    stream_flush(s);
    rcpt_offsets[0] = lseek(fd, 0, SEEK_CUR);
    rec_put(s, REC_TYPE_RCPT, "a@example.com", 13);
    stream_flush(s);
    rec_put(s, REC_TYPE_ORCP, "alias@example.com", 17);
    rec_put(s, REC_TYPE_NOTIFY, "6", 1);
    stream_flush(s);
    rcpt_offsets[1] = lseek(fd, 0, SEEK_CUR);
    rec_put(s, REC_TYPE_RCPT, "b@example.com", 13);
    rec_put(s, REC_TYPE_MESG, "", 0);
    stream_flush(s);
    content_offset = lseek(fd, 0, SEEK_CUR);
    for (i = 0; lines[i]; i++) {
	rec_put(s, REC_TYPE_NORM, lines[i], strlen(lines[i]));
	msg_size += strlen(lines[i]) + 1;
    }
    rec_put(s, REC_TYPE_CONT, longline, 200);
    rec_put(s, REC_TYPE_NORM, longline + 200, strlen(longline) - 200);
    msg_size += strlen(longline) + 1;
    rec_put(s, REC_TYPE_XTRA, "", 0);
    stream_flush(s);
    end_offset = lseek(fd, 0, SEEK_CUR);
    rec_put(s, REC_TYPE_END, "", 0);
    if (stream_flush(s) < 0)
	return -1;
    stream_free(s);
    {
	char    buf[80];

	snprintf(buf, sizeof(buf), "%15ld %15ld %15ld %15ld",
		 content_offset, end_offset - content_offset, 2L, msg_size);
	if (pwrite(fd, buf, 63, REC_HDR_LEN) != 63)
	    return -1;
    }
    return 0;
}

static int all_upper_hex(const char *s)
{
    for (; *s; s++)
	if (!isdigit((unsigned char) *s) && !(*s >= 'A' && *s <= 'F'))
	    return 0;
    return 1;
}

static void test_ids(void)
{
    VSTR   *id = vstr_alloc(20), *id2 = vstr_alloc(20), *path = vstr_alloc(20);
    struct stat st;
    char    want[40];
    int     fd, fd2;

    var_long_queue_ids = 0;
    fd = mail_queue_create(MAIL_QUEUE_INCOMING, id);
    ok(fd >= 0, "mail_queue_create short");
    ok(fstat(fd, &st) == 0 && (st.st_mode & 07777) == MAIL_QUEUE_MODE_WRITING,
       "new file has mode 0600");
    snprintf(want, sizeof(want), "%lX", (unsigned long) st.st_ino);
    ok(vstr_len(id) == 5 + strlen(want) && strcmp(vstr_str(id) + 5, want) == 0,
       "short ID is 5 hex digits of usec + inode in hex: %s", vstr_str(id));
    ok(all_upper_hex(vstr_str(id)), "short ID is upper-case hex");
    ok(mail_queue_id_ok(vstr_str(id)), "short ID is well-formed");
    ok(access(mail_queue_path(path, MAIL_QUEUE_INCOMING, vstr_str(id)), F_OK) == 0,
       "file exists under its ID");
    fd2 = mail_queue_create(MAIL_QUEUE_INCOMING, id2);
    ok(fd2 >= 0 && strcmp(vstr_str(id), vstr_str(id2)) != 0, "IDs differ");
    ok(mail_queue_rename(vstr_str(id2), MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE) == 0,
       "rename to active");
    ok(mail_queue_remove(MAIL_QUEUE_ACTIVE, vstr_str(id2)) == 0, "remove");
    ok(mail_queue_remove(MAIL_QUEUE_INCOMING, vstr_str(id)) == 0, "remove");
    close(fd);
    close(fd2);

    var_long_queue_ids = 1;
    fd = mail_queue_create(MAIL_QUEUE_INCOMING, id);
    ok(fd >= 0, "mail_queue_create long");
    ok(vstr_len(id) > 11 && vstr_str(id)[10] == 'z' && mail_queue_id_ok(vstr_str(id)),
       "long ID: 10 time digits, z, inode: %s", vstr_str(id));
    ok(strchr("0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy", vstr_str(id)[11]) != 0,
       "long ID inode digits");
    mail_queue_remove(MAIL_QUEUE_INCOMING, vstr_str(id));
    close(fd);
    var_long_queue_ids = 0;

    ok(!mail_queue_id_ok("../etc"), "path rejected");
    ok(!mail_queue_id_ok(""), "empty rejected");
    ok(!mail_queue_id_ok("ABC/DEF"), "slash rejected");
    ok(!mail_queue_id_ok(".tmp.1.2"), "temp name rejected");
    ok(mail_queue_name_ok("deferred") && !mail_queue_name_ok("etc"), "queue names");
    vstr_free(id);
    vstr_free(id2);
    vstr_free(path);
}

static void test_roundtrip(void)
{
    VSTR   *id = vstr_alloc(20), *line = vstr_alloc(100);
    long    offs[2];
    const char *why = "";
    QFILE_ENV *env;
    STREAM *s;
    int     fd;
    char    ch;

    fd = mail_queue_create(MAIL_QUEUE_INCOMING, id);
    ok(write_queue_file(fd, offs) == 0, "write queue file");
    env = qfile_read_envelope(fd, &why);
    ok(env != 0, "read envelope (%s)", env ? "ok" : why);
    if (env == 0)
	return;
    ok(env->complete, "complete");
    is_str(env->sender, "sender@example.com", "sender");
    ok(env->arrival_sec == 1700000000L && env->arrival_usec == 123456L, "arrival");
    ok(env->nrcpt == 2 && env->ndone == 0, "2 recipients, none done");
    is_str(env->rcpt[0].address, "a@example.com", "rcpt 0");
    is_str(env->rcpt[0].orig_rcpt, "", "rcpt 0 no orig");
    is_str(env->rcpt[1].address, "b@example.com", "rcpt 1");
    is_str(env->rcpt[1].orig_rcpt, "alias@example.com", "rcpt 1 orig");
    ok(env->rcpt[1].dsn_notify == 6, "rcpt 1 notify");
    ok(env->rcpt[0].offset == offs[0] && env->rcpt[1].offset == offs[1], "offsets");
    is_str(qfile_env_attr(env, "client_address"), "127.0.0.1", "attr");
    is_str(qfile_env_attr(env, "nope"), "", "missing attr");
    ok(env->message_size == 14 + 1 + 12 + 5 + 300, "message size %ld", env->message_size);
    ok(env->warn_offset > 0 && env->warn_time == 0, "warn record");

    s = qfile_content_start(fd, env->content_offset, 0);
    ok(qfile_get_line(s, line) == REC_TYPE_NORM && strcmp(vstr_str(line), "Subject: test") == 0,
       "first content line");
    ok(qfile_get_line(s, line) == REC_TYPE_NORM && vstr_len(line) == 0, "empty line");
    qfile_get_line(s, line);
    ok(qfile_get_line(s, line) == REC_TYPE_NORM && strcmp(vstr_str(line), ".dot") == 0, "dot line");
    ok(qfile_get_line(s, line) == REC_TYPE_CONT && vstr_len(line) == 200, "long line piece");
    ok(qfile_get_line(s, line) == REC_TYPE_NORM && vstr_len(line) == 99, "long line rest");
    ok(qfile_get_line(s, line) == REC_TYPE_XTRA, "end of content");
    stream_free(s);

    ok(qfile_mark_done(fd, env->rcpt[0].offset) == 0, "mark done");
    ok(qfile_mark_done(fd, env->rcpt[0].offset) == 0, "mark done twice is fine");
    ok(qfile_mark_done(fd, env->content_offset) < 0, "mark done of a non-R record refused");
    ok(qfile_set_warn(fd, env->warn_offset, 1700000999L) == 0, "set warn");
    qfile_env_free(env);
    env = qfile_read_envelope(fd, &why);
    ok(env && env->nrcpt == 2 && env->ndone == 1 && env->rcpt[0].done && !env->rcpt[1].done,
       "re-read: rcpt 0 done");
    ok(env && env->warn_time == 1700000999L, "re-read: warn time");
    qfile_env_free(env);

    /* Corrupt type byte. */
    ok(pread(fd, &ch, 1, offs[1]) == 1 && ch == 'R', "R at offset");
    ch = '?';
    pwrite(fd, &ch, 1, offs[1]);
    env = qfile_read_envelope(fd, &why);
    ok(env == 0, "bad record type detected (%s)", why);
    ch = 'R';
    pwrite(fd, &ch, 1, offs[1]);
    env = qfile_read_envelope(fd, &why);
    ok(env != 0, "repaired file reads");
    qfile_env_free(env);

    /* Truncation at every length short of the whole file is detected. */
    {
	struct stat st;
	long    len, bad = 0;
	char   *copy;

	fstat(fd, &st);
	copy = malloc(st.st_size);
	pread(fd, copy, st.st_size, 0);
	for (len = 0; len < st.st_size; len++) {
	    ftruncate(fd, len);
	    env = qfile_read_envelope(fd, &why);
	    if (env) {
		bad++;
		qfile_env_free(env);
	    }
	}
	ok(bad == 0, "every truncation detected (%ld missed)", bad);
	pwrite(fd, copy, st.st_size, 0);
	env = qfile_read_envelope(fd, &why);
	ok(env != 0, "restored file reads");
	qfile_env_free(env);
	/* Trailing garbage */
	pwrite(fd, "xx", 2, st.st_size);
	env = qfile_read_envelope(fd, &why);
	ok(env == 0, "data after end detected (%s)", env ? "" : why);
	qfile_env_free(env);
	free(copy);
    }
    /* Too-long record */
    {
	STREAM *ms;
	int     p[2];
	VSTR   *buf = vstr_alloc(10);

	pipe(p);
	ms = stream_fdopen(p[1], 0);
	rec_put(ms, REC_TYPE_NORM, "0123456789", 10);
	stream_close(ms);
	ms = stream_fdopen(p[0], 0);
	ok(rec_get(ms, buf, 5, 0) == REC_TYPE_ERROR, "record over maxlen refused");
	stream_close(ms);
	vstr_free(buf);
    }
    close(fd);
    mail_queue_remove(MAIL_QUEUE_INCOMING, vstr_str(id));
    vstr_free(id);
    vstr_free(line);
}

/* Byte-at-a-time: a writer process dribbles a record stream into a pipe. */
static void test_dribble(void)
{
    STREAM *s;
    VSTR   *buf = vstr_alloc(10);
    VSTR   *all = vstr_alloc(100);
    int     p[2], i, type, n = 0, good = 1;
    long    pos = 0;
    pid_t   pid;
    const char *recs[] = {"sender@x", "rcpt@y", "", "Subject: x", "", "body", 0};
    const int types[] = {REC_TYPE_FROM, REC_TYPE_RCPT, REC_TYPE_MESG, REC_TYPE_NORM,
    REC_TYPE_NORM, REC_TYPE_NORM};

    {
	int     mp[2];
	STREAM *ms;
	char    c;

	pipe(mp);
	ms = stream_fdopen(mp[1], 0);
	for (i = 0; recs[i]; i++)
	    rec_put(ms, types[i], recs[i], strlen(recs[i]));
	rec_put(ms, REC_TYPE_XTRA, "", 0);
	stream_close(ms);
	while (read(mp[0], &c, 1) == 1)
	    vstr_addch(all, c);
	close(mp[0]);
    }
    pipe(p);
    if ((pid = fork()) == 0) {
	close(p[0]);
	for (i = 0; i < (int) vstr_len(all); i++) {
	    if (write(p[1], vstr_str(all) + i, 1) != 1)
		_exit(1);
	    usleep(200);
	}
	_exit(0);
    }
    close(p[1]);
    s = stream_fdopen(p[0], 5);
    for (i = 0; (type = rec_get(s, buf, 1000, &pos)) > 0; i++) {
	n++;
	if (recs[i] == 0 ? type != REC_TYPE_XTRA
	    : (type != types[i] || strcmp(vstr_str(buf), recs[i]) != 0))
	    good = 0;
    }
    ok(type == REC_TYPE_EOF, "clean EOF after dribbled stream");
    ok(good && n == 7, "all records parsed byte-at-a-time (%d)", n);
    ok(pos == (long) vstr_len(all), "positions add up");
    stream_close(s);
    waitpid(pid, 0, 0);
    vstr_free(buf);
    vstr_free(all);
}

int     main(void)
{
    char    tmpl[] = "/tmp/test_queue.XXXXXX";
    char   *dir = mkdtemp(tmpl);

    if (dir == 0 || chdir(dir) < 0) {
	perror("mkdtemp");
	return 1;
    }
    mkdir(MAIL_QUEUE_INCOMING, 0700);
    mkdir(MAIL_QUEUE_ACTIVE, 0700);
    umask(077);
    test_ids();
    test_roundtrip();
    test_dribble();
    is_str(cleanup_strerror(CLEANUP_STAT_SIZE), "552 5.3.4 Error: message file too big", "strerror");
    rmdir(MAIL_QUEUE_INCOMING);
    rmdir(MAIL_QUEUE_ACTIVE);
    chdir("/");
    rmdir(dir);
    return tap_done();
}
