/* test_core.c - unit tests of util/ core: strings, tokenizers, hash
 * table, streams and the attribute codec (whole and byte by byte). */
#include "util/sys_defs.h"
#include <sys/socket.h>
#include "util/vstr.h"
#include "util/argv.h"
#include "util/htable.h"
#include "util/stream.h"
#include "util/attr.h"
#include "util/msg.h"
#include "t/tap.h"

static void test_vstr(void)
{
    VSTR   *v = vstr_alloc(1);

    for (int i = 0; i < 1000; i++)
	vstr_addch(v, 'x');
    ok(v->len == 1000 && strlen(v->str) == 1000, "vstr grows by addch");
    vstr_sprintf(v, "%s-%d", "abc", 42);
    is_str(v->str, "abc-42", "vstr_sprintf replaces");
    vstr_sprintf_append(v, "%0500d", 7);
    ok(v->len == 506, "vstr_sprintf_append grows");
    vstr_free(v);
}

static void test_argv(void)
{
    ARGV   *a = argv_split_list("a, b,{c d},  {e, f} g");

    ok(a->argc == 5, "list split count %d", a->argc);
    is_str(a->argv[2], "c d", "braces group");
    is_str(a->argv[3], "e, f", "braces keep commas");
    argv_free(a);
}

static void test_htable(void)
{
    HTABLE *t = htable_create(1);
    char    key[32];

    for (long i = 0; i < 500; i++) {
	snprintf(key, sizeof(key), "k%ld", i);
	htable_enter(t, key, (void *) (i + 1));
    }
    ok((long) htable_find(t, "k250") == 251, "htable finds after growth");
    htable_delete(t, "k250", NULL);
    ok(htable_find(t, "k250") == NULL, "htable delete");
    htable_free(t, NULL);
}

static void test_attr(void)
{
    int     sv[2];
    STREAM *w, *r;
    ATTR_LIST *list = attr_list_alloc();
    const char *why = NULL;
    long    n = 0;

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    w = stream_fdopen(sv[0], 5);
    r = stream_fdopen(sv[1], 5);
    attr_send_str(w, "queue_id", "4F2A81C3E9");
    attr_send_long(w, "nrcpt", 3);
    attr_send_end(w);
    ok(attr_recv(r, list, 10, 100, &why) == 2, "attr_recv counts pairs");
    is_str(attr_get(list, "queue_id"), "4F2A81C3E9", "string attribute");
    ok(attr_get_long(list, "nrcpt", &n) == 0 && n == 3, "numeric attribute");
    ok(attr_send_str(w, "Bad-Name", "x") < 0, "sender refuses a bad name");

    /* A value over the bound is refused. */
    attr_send_str(w, "big", "0123456789");
    attr_send_end(w);
    ok(attr_recv(r, list, 10, 5, &why) < 0 && strstr(why, "too long"), "value bound enforced");
    stream_close(w);
    stream_close(r);

    /* Byte-at-a-time delivery parses the same. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    r = stream_fdopen(sv[1], 5);
    const char wire[] = "a\0one\0b\0two\0";
    for (size_t i = 0; i < sizeof(wire); i++)
	(void) !write(sv[0], wire + i, 1);
    ok(attr_recv(r, list, 10, 100, &why) == 2, "byte-at-a-time attribute list");
    is_str(attr_get(list, "b"), "two", "byte-at-a-time value");
    close(sv[0]);
    ok(attr_recv(r, list, 10, 100, &why) < 0 && strstr(why, "EOF"), "EOF reported");
    stream_close(r);
    ok(parse_long("12x", &n) < 0 && parse_long("99999999999999999999", &n) < 0,
       "parse_long rejects junk and overflow");
    attr_list_free(list);
}

static void test_stream_lines(void)
{
    int     sv[2];
    STREAM *r;
    VSTR   *line = vstr_alloc(10);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    r = stream_fdopen(sv[1], 1);
    (void) !write(sv[0], "HELO x\r\n0123456789abcdef\n", 26);
    ok(stream_get_line(r, line, 100) == STREAM_LINE_OK && strcmp(line->str, "HELO x\r\n") == 0,
       "line read with CRLF");
    ok(stream_get_line(r, line, 10) == STREAM_LINE_LONG && line->len == 10, "overlong line bounded");
    ok(stream_get_line(r, line, 10) == STREAM_LINE_OK && strcmp(line->str, "abcdef\n") == 0,
       "rest of the long line");
    ok(stream_get_line(r, line, 10) == STREAM_LINE_ERR && stream_timedout(r), "read times out");
    close(sv[0]);
    stream_close(r);
    vstr_free(line);
}

int     main(void)
{
    msg_init("test_core", MSG_STDERR);
    test_vstr();
    test_argv();
    test_htable();
    test_attr();
    test_stream_lines();
    return tap_done();
}
