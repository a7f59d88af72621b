/* test_addr.c - unit tests of global/mail_addr: SMTP path parsing in every
 * form Postfix 3.7's smtpd accepts or rejects (checked against the real
 * thing), and quoting between internal and external forms. */
#include "util/sys_defs.h"
#include "util/vstr.h"
#include "util/msg.h"
#include "global/mail_addr.h"
#include "t/tap.h"

/* parse - internal form of arg, or "ERR" if rejected. */
static const char *parse(VSTR *out, const char *arg, const char **rest)
{
    const char *why, *r;

    if (addr_parse_path(arg, out, &r, &why) < 0) {
	vstr_set(out, "ERR");
	ok(why != NULL && strcmp(why, "Bad address syntax") == 0, "why for %s", arg);
    }
    if (rest)
	*rest = r;
    return out->str;
}

static void test_paths(void)
{
    VSTR   *v = vstr_alloc(10);
    const char *rest;
    static const struct {
	const char *arg;
	const char *want;
    } cases[] = {
	/* accepted */
	{"<>", ""},
	{" <>", ""},
	{"<a@b.c>", "a@b.c"},
	{" <a@b.c>", "a@b.c"},
	{"  <a@b.c>", "a@b.c"},
	{"a@b.c", "a@b.c"},
	{" a@b.c", "a@b.c"},
	{"<\"john doe\"@example.com>", "john doe@example.com"},
	{"\"john doe\"@x.remote", "john doe@x.remote"},
	{"<@a,@b:user@c.d>", "user@c.d"},
	{"<@a:user@c.d>", "user@c.d"},
	{"<@a:@b:u@c.remote>", "@b:u@c.remote"},
	{"<user@[127.0.0.1]>", "user@[127.0.0.1]"},
	{"<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]"},
	{"<a@[ipv6:::1]>", "a@[ipv6:::1]"},
	{"<<a@b.c>>", "a@b.c"},
	{"a@b.c>", "a@b.c"},
	{"<a@@b.c>", "a@@b.c"},
	{"<@b.c>", "@b.c"},
	{"<a>", "a"},
	{"<Postmaster>", "Postmaster"},
	{"<a.@b.c>", "a.@b.c"},
	{"<a(comment)@b.c>", "a@b.c"},
	{"<a@(x)b.remote>", "a@b.remote"},
	{"<a@b.remote(x)>", "a@b.remote"},
	{"<a\\@x@b.c>", "a@x@b.c"},
	{"<\"a\\\"b\"@c.d>", "a\"b@c.d"},
	{"<\"\">", ""},
	{"<\"\"@b.c>", "@b.c"},
	{"<:a@b.c>", ":a@b.c"},
	{"<a:b@c.remote>", "a:b@c.remote"},
	{"<a@b.c.>", "a@b.c."},
	{"<a@b_c.d>", "a@b_c.d"},
	{"<a@b.123>", "a@b.123"},
	{"<a..b@c.d>", "a..b@c.d"},
	{"<.a@c.d>", ".a@c.d"},
	{"<a. b@c.remote>", "a.b@c.remote"},
	{"<a @b.remote>", "a@b.remote"},
	{"<a@ b.remote>", "a@b.remote"},
	{"< a@b.remote>", "a@b.remote"},
	{"<a@b.remote >", "a@b.remote"},
	{"<a\\ b@c.remote>", "a b@c.remote"},
	{"<user%other@b.c>", "user%other@b.c"},
	{"<a!b@c.d>", "a!b@c.d"},
	{"<a'b@c.remote>", "a'b@c.remote"},
	{"<A@B.C>", "A@B.C"},
	{"<a@b@c.remote>", "a@b@c.remote"},
	{"<\"a(b)\"@c.remote>", "a(b)@c.remote"},
	{"<a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.c>",
	"a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.c"},
	/* rejected */
	{"<a b@c.d>", "ERR"},
	{"<a@b.c>SIZE=100", "ERR"},
	{"<a@b.c", "ERR"},
	{"<", "ERR"},
	{"<a@>", "ERR"},
	{"<@>", "ERR"},
	{"<a,b@c.d>", "ERR"},
	{"<a;b@c.d>", "ERR"},
	{"<a@b.c,d@e.f>", "ERR"},
	{"<a@b..c>", "ERR"},
	{"<a@-b.c>", "ERR"},
	{"<a@b.c->", "ERR"},
	{"<a@b-.c>", "ERR"},
	{"<a@.b.c>", "ERR"},
	{"<a@b.c..>", "ERR"},
	{"<a@1.2.3.4>", "ERR"},
	{"<123@4.5.6.7>", "ERR"},
	{"<a@[1.2.3.4.5]>", "ERR"},
	{"<a@[foo]>", "ERR"},
	{"<a@[ipv6:1.2.3.4]>", "ERR"},
	{"<a@[1.2.3.4]:25>", "ERR"},
	{"<a@[127.0.0.1].x>", "ERR"},
	{"<a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.c>", "ERR"},
	{"<@a,b@c.d>", "ERR"},
	{"<@a,@b,u@c.remote>", "ERR"},
	{"<a@b.remote:x>", "ERR"},
	{"<\"a b\"c@d.remote>", "ERR"},
	{"<a\"b\"c@d.remote>", "ERR"},
	{"<a[b]@c.remote>", "ERR"},
	{"<a<b@c.remote>", "ERR"},
	{"<a(b@c.d>", "ERR"},
	{"<\"a@c.d>", "ERR"},
	{"<\"x@y;z\">", "ERR"},
	{"<\"a@\">", "ERR"},
	{"<a@\"b@c.remote\">", "a@b@c.remote"},
	{"<a@\"b;c\">", "ERR"},
	{"<\"a b\">", "a b"},
	{"<\"a@b\">", "a@b"},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
	is_str(parse(v, cases[i].arg, NULL), cases[i].want, "path %s", cases[i].arg);

    /* ESMTP parameters after the path. */
    parse(v, "<a@b.c> SIZE=100 BODY=8BITMIME", &rest);
    is_str(rest, " SIZE=100 BODY=8BITMIME", "rest after <path>");
    parse(v, "<> SIZE=10", &rest);
    is_str(rest, " SIZE=10", "rest after <>");
    parse(v, "a@b.remote SIZE=100", &rest);
    is_str(v->str, "a@b.remote", "bare path with parameters");
    is_str(rest, " SIZE=100", "rest after bare path");
    parse(v, "<a@b.c> <d@e.f>", &rest);
    is_str(rest, " <d@e.f>", "second path is a parameter");
    parse(v, "<\"a> b\"@c.d> X", &rest);
    is_str(v->str, "a> b@c.d", "'>' inside quotes");
    is_str(rest, " X", "rest after quoted '>'");
    vstr_free(v);
}

static void test_quote(void)
{
    VSTR   *v = vstr_alloc(10);
    static const struct {
	const char *internal;
	const char *external;
    } cases[] = {
	{"a@b.c", "a@b.c"},
	{"", ""},
	{"john doe@example.com", "\"john doe\"@example.com"},
	{"a\"b@c.d", "\"a\\\"b\"@c.d"},
	{"a@@b.c", "\"a@\"@b.c"},
	{"@b.c", "\"\"@b.c"},
	{"a@x@b.c", "\"a@x\"@b.c"},
	{":a@b.c", "\":a\"@b.c"},
	{"a..b@c.d", "\"a..b\"@c.d"},
	{".a@c.d", "\".a\"@c.d"},
	{"a.@b.c", "\"a.\"@b.c"},
	{"a.b@c.d", "a.b@c.d"},
	{"a(b)@c.remote", "\"a(b)\"@c.remote"},
	{"a'b@c.remote", "a'b@c.remote"},
	{"a%b@c.remote", "a%b@c.remote"},
	{"user@[127.0.0.1]", "user@[127.0.0.1]"},
	{"Postmaster", "Postmaster"},
	{"john doe", "\"john doe\""},
	{"a\\b@c", "\"a\\\\b\"@c"},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
	is_str(addr_quote(v, cases[i].internal), cases[i].external, "quote %s", cases[i].internal);
	is_str(addr_unquote(v, cases[i].external), cases[i].internal, "unquote %s", cases[i].external);
    }
    vstr_free(v);
}

static void test_parts(void)
{
    VSTR   *v = vstr_alloc(10);

    is_str(addr_domain("a@b.c"), "b.c", "domain");
    is_str(addr_domain("a@x@b.c"), "b.c", "domain after the last @");
    ok(addr_domain("a") == NULL, "no domain");
    is_str(addr_local_part(v, "a@x@b.c"), "a@x", "local part");
    is_str(addr_local_part(v, "user"), "user", "local part without domain");
    is_str(addr_strip_extension(v, "user+foo@b.c", "+"), "user@b.c", "strip +ext");
    is_str(addr_strip_extension(v, "user-foo+x@b.c", "+-"), "user@b.c", "first of several delimiters");
    is_str(addr_strip_extension(v, "user+foo", "+"), "user", "strip +ext without domain");
    ok(addr_strip_extension(v, "user@b.c", "+") == NULL, "no extension");
    ok(addr_strip_extension(v, "user+foo@b.c", "") == NULL, "no delimiter configured");
    ok(addr_strip_extension(v, "+foo@b.c", "+") == NULL, "nothing before the delimiter");
    ok(addr_strip_extension(v, "user@b+c", "+") == NULL, "delimiter in the domain only");
    ok(addr_valid_domain("example.com") && addr_valid_domain("[127.0.0.1]")
       && addr_valid_domain("[IPv6:::1]") && addr_valid_domain("b_c.d") && addr_valid_domain("x.y."),
       "valid domains");
    ok(!addr_valid_domain("") && !addr_valid_domain("1.2.3.4") && !addr_valid_domain("a..b")
       && !addr_valid_domain("-a.b") && !addr_valid_domain("[1.2.3]") && !addr_valid_domain("a b"),
       "invalid domains");
    vstr_free(v);
}

int     main(void)
{
    msg_init("test_addr", MSG_STDERR);
    test_paths();
    test_quote();
    test_parts();
    return tap_done();
}
