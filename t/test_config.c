/* test_config.c - unit tests of the configuration layer: $name expansion
 * (every form, recursion, loops), main.cf reading (continuation lines,
 * comments, line numbers, overrides), typed values (time, size, boolean,
 * trailing comments), bad values reported with file and line, the check
 * report, Postfix's default text for core parameters, and that every
 * parameter of the table is documented in postconf/param_docs.txt, from
 * which the build writes man/man5/postconf.5. */
#include "util/sys_defs.h"
#include <sys/wait.h>
#include <fcntl.h>
#include "util/msg.h"
#include "util/vstr.h"
#include "util/mymalloc.h"
#include "util/mac_expand.h"
#include "global/mail_params.h"
#include "t/tap.h"

/* ------------------------------------------------------------ mac_expand */

static const char *const fixed[][2] = {
    {"a", "A"},
    {"b", "$a$a"},
    {"empty", ""},
    {"one", "1"},
    {"lvl", "3.6"},
    {"loop1", "$loop2"},
    {"loop2", "x$loop1"},
    {"bomb", "$bomb $bomb $bomb"},
    {0, 0},
};

static const char *fixed_lookup(const char *name, void *ctx)
{
    (void) ctx;
    for (int i = 0; fixed[i][0]; i++)
	if (strcmp(fixed[i][0], name) == 0)
	    return (fixed[i][1]);
    return (0);
}

static char *exp_str(const char *in, int *flags)
{
    VSTR   *v = vstr_alloc(10);
    int     f = mac_expand(v, in, fixed_lookup, 0);

    if (flags)
	*flags = f;
    return (vstr_export(v));
}

static void check_exp(const char *in, const char *want)
{
    char   *got = exp_str(in, 0);

    is_str(got, want, "expand \"%s\"", in);
    myfree(got);
}

static void test_mac_expand(void)
{
    int     flags, err;
    char   *got;

    check_exp("plain text", "plain text");
    check_exp("$a", "A");
    check_exp("${a}", "A");
    check_exp("$(a)", "A");
    check_exp("x${a}y$(a)z", "xAyAz");
    check_exp("$b", "AA");
    check_exp("$$a", "$a");
    check_exp("$a_x", "");
    check_exp("${a?yes}", "yes");
    check_exp("${empty?yes}", "");
    check_exp("${nosuch?yes}", "");
    check_exp("${a:no}", "");
    check_exp("${empty:no}", "no");
    check_exp("${nosuch:no $a}", "no A");
    check_exp("${a?{set}:{unset}}", "set");
    check_exp("${empty?{set}:{unset}}", "unset");
    check_exp("${nosuch?{$a}:{post ern}}", "post ern");
    check_exp("${a?{x}}", "x");
    check_exp("${empty:{y}}", "y");
    check_exp("${{$a} == {A} ? {eq} : {ne}}", "eq");
    check_exp("${{$a} != {A} ? {eq} : {ne}}", "ne");
    check_exp("${{10} < {9} ? {lt} : {ge}}", "ge");
    check_exp("${{9} < {10} ? {lt} : {ge}}", "lt");
    check_exp("${{9} <= {9} ? {le} : {gt}}", "le");
    check_exp("${{9} > {9} ? {gt} : {le}}", "le");
    check_exp("${{9} >= {9} ? {ge} : {lt}}", "ge");
    check_exp("${{$lvl} <level {2} ? {subnet} : {host}}", "host");
    check_exp("${{$one} <level {2} ? {subnet} : {host}}", "subnet");
    check_exp("${{$empty} <level {1} ? {yes} : {no}}", "yes");
    check_exp("${{3.6} >=level {3.10} ? {newer} : {older}}", "older");
    check_exp("${{3.6} ==level {3.6.0} ? {same} : {diff}}", "same");
    check_exp("${{$one} <level {2} ? {$b} : {}}", "AA");
    check_exp("${{$lvl}<level{2}?{a}:{b}}", "b");

    got = exp_str("$nosuch", &flags);
    ok(*got == 0 && (flags & MAC_EXP_UNDEF), "undefined name expands to empty and is flagged");
    myfree(got);
    got = exp_str("$loop1", &flags);
    ok((flags & MAC_EXP_LOOP) != 0, "a loop terminates and is flagged");
    myfree(got);
    got = exp_str("$bomb", &flags);
    ok((flags & MAC_EXP_LOOP) != 0, "exponential expansion is bounded");
    myfree(got);
    got = exp_str("${a", &flags);
    ok((flags & MAC_EXP_SYNTAX) != 0 && strcmp(got, "${a") == 0, "unclosed brace is a syntax error, copied");
    myfree(got);

    ok(mac_compat_level_cmp("3.6", "2", &err) > 0 && !err, "level 3.6 > 2");
    ok(mac_compat_level_cmp("3.10", "3.9", &err) > 0 && !err, "level 3.10 > 3.9");
    ok(mac_compat_level_cmp("1", "1.0.0", &err) == 0 && !err, "level 1 == 1.0.0");
    (void) mac_compat_level_cmp("x", "1", &err);
    ok(err, "level x is malformed");
}

/* ---------------------------------------------------------------- parsers */

static void test_parsers(void)
{
    long    n;

    ok(conf_time("300s", 's') == 300, "300s");
    ok(conf_time("5m", 's') == 300, "5m");
    ok(conf_time("1h", 's') == 3600, "1h");
    ok(conf_time("2d", 's') == 172800, "2d");
    ok(conf_time("1w", 's') == 604800, "1w");
    ok(conf_time("7", 'd') == 604800, "bare number uses the unit");
    ok(conf_time("10", 's') == 10, "bare seconds");
    ok(conf_time("3x", 's') < 0, "bad unit");
    ok(conf_time("-1", 's') < 0, "negative time");
    ok(conf_time("", 's') < 0, "empty time");
    ok(conf_time("1s2", 's') < 0, "trailing garbage");
    ok(conf_time("99999999999999w", 's') < 0, "overflow");
    ok(conf_bool("yes") == 1 && conf_bool("YES") == 1 && conf_bool("true") == 1, "yes/true");
    ok(conf_bool("no") == 0 && conf_bool("false") == 0, "no/false");
    ok(conf_bool("maybe") < 0 && conf_bool("") < 0, "bad booleans");
    ok(conf_long("10240000", &n) == 0 && n == 10240000, "size");
    ok(conf_long("12x", &n) < 0, "bad size");
    ok(conf_long("", &n) < 0, "empty size");
    ok(conf_long("99999999999999999999999", &n) < 0, "size overflow");
    {
	char   *s = mail_conf_strip_comment("52428800 # accept 50 MB attachments");

	is_str(s, "52428800", "trailing comment stripped");
	myfree(s);
	ok(mail_conf_strip_comment("52428800") == 0, "no comment");
	ok(mail_conf_strip_comment("a#b") == 0, "# without white space is kept");
    }
}

/* ------------------------------------------------------------ main.cf */

static char tmpdir[] = "/tmp/test_config.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char    path[256];
    FILE   *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if ((fp = fopen(path, "w")) == 0 || fputs(text, fp) == EOF || fclose(fp) != 0) {
	perror(path);
	exit(1);
    }
}

/* run_child - run fn in a child with stderr captured; returns its exit
 * status and the captured text in buf. */
static int run_child(void (*fn) (void), char *buf, size_t len)
{
    int     pfd[2], status;
    pid_t   pid;
    size_t  got = 0;
    ssize_t n;

    if (pipe(pfd) < 0)
	return (-1);
    fflush(stdout);
    if ((pid = fork()) == 0) {
	dup2(pfd[1], 2);
	close(pfd[0]);
	fn();
	_exit(0);
    }
    close(pfd[1]);
    while (got + 1 < len && (n = read(pfd[0], buf + got, len - got - 1)) > 0)
	got += (size_t) n;
    buf[got] = 0;
    close(pfd[0]);
    waitpid(pid, &status, 0);
    return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

static void child_init(void)
{
    mail_conf_init(tmpdir);
}

static void child_read(void)
{
    mail_conf_read(tmpdir);
}

static void child_dynamic(void)
{
    mail_conf_read(tmpdir);
    (void) mail_conf_get_time("relay_destination_rate_delay", 1, 's', 0, 0);
}

static int check_errors;

static void child_check(void)
{
    mail_conf_read(tmpdir);
    check_errors = mail_conf_check(0);
    _exit(check_errors);
}

static void test_main_cf(void)
{
    char    buf[8192], want[512];
    char  **names;
    char   *v;
    int     status;

    write_file("main.cf",
	       "# a comment\n"
	       "\n"
	       "mydestination = a,\n"
	       "   b\n"
	       "# comment inside\n"
	       "  c\n"
	       "myhostname=mail.example.com\n"
	       "message_size_limit = 52428800 # accept 50 MB attachments\n"
	       "smtp_x_time = 1s\n"
	       "ipc_timeout = 2m\n"
	       "biff = no\n"
	       "maillog_file = /dev/null\n"
	       "compatibility_level = 3.6\n"
	       "relayhost = [$myhostname]:25 # string keeps the hash\n"
	       "relay_destination_rate_delay = 2m # gentle\n"
	       "relay_destination_concurrency_limit = $default_process_limit\n"
	       "relay_flag = yes\n");
    mail_conf_read(tmpdir);
    is_str(mail_conf_lookup("mydestination"), "a, b c", "continuation lines joined, comments skipped");
    ok(mail_conf_line("mydestination") == 3, "line number of a multi-line entry");
    ok(mail_conf_line("myhostname") == 7, "line number of a later entry");
    ok(mail_conf_line("biff") == 11, "line number after continuation lines");
    ok(mail_conf_line("nosuch") == 0, "unset name has no line");
    names = mail_conf_names();
    ok(names[0] && strcmp(names[0], "config_directory") == 0
       && strcmp(names[1], "mydestination") == 0 && strcmp(names[2], "myhostname") == 0,
       "names in file order, after config_directory (as Postfix)");
    snprintf(want, sizeof(want), "%s/main.cf", tmpdir);
    is_str(mail_conf_file(), want, "mail_conf_file");
    is_str(mail_conf_lookup("config_directory"), tmpdir, "config_directory is the directory read");
    v = mail_conf_lookup_eval("mydomain");
    is_str(v, "example.com", "mydomain derived from myhostname");
    myfree(v);
    v = mail_conf_lookup_eval("myorigin");
    is_str(v, "mail.example.com", "myorigin = $myhostname");
    myfree(v);
    v = mail_conf_lookup_eval("mynetworks_style");
    is_str(v, "host", "mynetworks_style at compatibility_level 3.6");
    myfree(v);
    v = mail_conf_lookup_eval("relay_domains");
    is_str(v, "", "relay_domains at compatibility_level 3.6");
    myfree(v);
    v = mail_conf_lookup_eval("syslog_name");
    is_str(v, "postern", "syslog_name default");
    myfree(v);
    is_str(mail_conf_lookup("message_size_limit"), "52428800 # accept 50 MB attachments",
	   "raw value keeps the comment");

    mail_conf_override("biff", "yes");
    mail_conf_override("multi_instance_name", "mx1");
    mail_conf_init(tmpdir);
    ok(var_message_limit == 52428800, "size with trailing comment parsed");
    ok(var_ipc_timeout == 120, "time with unit");
    ok(var_biff == 1, "override wins over main.cf");
    is_str(var_syslog_name, "mx1", "syslog_name follows multi_instance_name");
    is_str(var_relayhost, "[mail.example.com]:25 # string keeps the hash", "string keeps #");
    is_str(var_mydest, "a, b c", "mydestination variable");
    ok(var_proc_limit == 100 && var_max_use == 100 && var_max_idle == 100, "numeric defaults");
    ok(var_append_dot_mydomain == 0, "append_dot_mydomain no at level 3.6");
    ok(var_smtputf8_enable == 1, "smtputf8_enable yes at level 3.6");
    is_str(var_mail_name, "postern", "mail_name");
    ok(mail_conf_get_time("relay_destination_rate_delay", 7, 's', 0, 0) == 120,
       "per-transport time with a trailing comment");
    ok(mail_conf_get_time("local_destination_rate_delay", 7, 's', 0, 0) == 7,
       "unset per-transport time gives the default");
    ok(mail_conf_get_long("relay_destination_concurrency_limit", 5, 1, 0) == 100,
       "per-transport number is expanded");
    ok(mail_conf_get_bool("relay_flag", 0) == 1, "per-transport boolean");
    mail_conf_reset();
    mail_conf_init(tmpdir);
    ok(var_biff == 0, "overrides forgotten after reset");
    mail_conf_reset();

    /* A logical line that starts with white space is ignored, as Postfix does. */
    write_file("main.cf", "  biff = no\n  more\nmyorigin = x\n");
    status = run_child(child_read, buf, sizeof(buf));
    ok(status == 0 && strstr(buf, "logical line must not start with whitespace: \"  biff = no\"") != 0,
       "leading white space warned");
    mail_conf_read(tmpdir);
    ok(mail_conf_line("biff") == 0 && strcmp(mail_conf_lookup("myorigin"), "x") == 0,
       "a line starting with white space is ignored with its continuation");
    mail_conf_reset();

    /* Bad values are fatal and name the file and line. */
    write_file("main.cf", "maillog_file = /dev/null\nbiff = no\nmessage_size_limit = 12x\n");
    status = run_child(child_init, buf, sizeof(buf));
    snprintf(want, sizeof(want), "fatal: %s/main.cf, line 3: bad numerical configuration: message_size_limit = 12x", tmpdir);
    ok(status != 0 && strstr(buf, want) != 0, "bad size is fatal with file and line");
    if (!strstr(buf, want))
	printf("# got: %s", buf);
    write_file("main.cf", "maillog_file = /dev/null\nipc_timeout = 3x\n");
    status = run_child(child_init, buf, sizeof(buf));
    snprintf(want, sizeof(want), "%s/main.cf, line 2: parameter ipc_timeout: bad time value or unit: 3x", tmpdir);
    ok(status != 0 && strstr(buf, want) != 0, "bad time is fatal with file and line");
    write_file("main.cf", "maillog_file = /dev/null\nbiff = maybe\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "line 2: bad boolean configuration: biff = maybe") != 0,
       "bad boolean is fatal");
    write_file("main.cf", "maillog_file = /dev/null\ndefault_process_limit = 0\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "invalid default_process_limit parameter value 0 < 1") != 0,
       "value below minimum is fatal");
    write_file("main.cf", "maillog_file = /dev/null\nin_flow_delay = 11s\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "invalid in_flow_delay parameter value 11 > 10") != 0,
       "value above maximum is fatal");
    write_file("main.cf", "maillog_file = /dev/null\nrelay_destination_rate_delay = 1x\n");
    status = run_child(child_dynamic, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "line 2: parameter relay_destination_rate_delay: bad time value or unit: 1x") != 0,
       "bad per-transport value is fatal with the line");
    write_file("main.cf", "maillog_file = /dev/null\nno equals sign here\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "line 2: missing '=' after attribute name") != 0,
       "syntax error is fatal with the line");

    /* mail_conf_check: warnings and errors, returns the error count. */
    write_file("main.cf",
	       "maillog_file = /dev/null\n"
	       "message_size_limit = 52428800 # accept 50 MB attachments\n"
	       "smtp_destination_rate_delay = 1s # gentle\n"
	       "no_such_parameter = 1\n"
	       "relay_destination_concurrency_limit = 5\n"
	       "submission_x = 1\n"
	       "my_own = a\n"
	       "mydestination = $my_own\n"
	       "hopcount_limit = many\n"
	       "loop_a = $loop_b\n"
	       "loop_b = $loop_a\n");
    write_file("master.cf", "submission inet n - n - - smtpd\n");
    status = run_child(child_check, buf, sizeof(buf));
    ok(status == 3, "check counts two bad values and a loop (got %d)", status);
    ok(strstr(buf, "line 2: message_size_limit: text after the value is read as a comment") != 0
       && strstr(buf, "Postfix 3.7 would reject it") != 0, "check warns about a trailing comment");
    ok(strstr(buf, "line 4: unknown parameter: no_such_parameter=1") != 0, "check warns about an unknown parameter");
    ok(strstr(buf, "relay_destination_concurrency_limit") == 0, "per-transport parameter is known");
    ok(strstr(buf, "line 3: smtp_destination_rate_delay: text after the value is read as a comment") != 0,
       "check warns about a trailing comment on a per-transport time");
    ok(strstr(buf, "submission_x") == 0, "master.cf service prefix is known");
    ok(strstr(buf, "my_own") == 0, "referenced user parameter is known");
    ok(strstr(buf, "line 9: bad numerical configuration: hopcount_limit = many") != 0,
       "check reports a bad value with the line");
    ok(strstr(buf, "loop_a: macro expansion loop") != 0, "check reports a loop");
}

/* -------------------------------------------------------------- defaults */

static void test_defaults(void)
{
    static const char *const want[][2] = {
	{"message_size_limit", "10240000"},
	{"mydestination", "$myhostname, localhost.$mydomain, localhost"},
	{"mynetworks_style", "${{$compatibility_level} <level {2} ? {subnet} : {host}}"},
	{"relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}"},
	{"append_dot_mydomain", "${{$compatibility_level} <level {1} ? {yes} : {no}}"},
	{"local_recipient_maps", "proxy:unix:passwd.byname $alias_maps"},
	{"alias_maps", "hash:/etc/aliases, nis:mail.aliases"},
	{"ipc_timeout", "3600s"},
	{"daemon_timeout", "18000s"},
	{"virtual_alias_maps", "$virtual_maps"},
	{"compatibility_level", "0"},
	{"syslog_name", "${multi_instance_name?{$multi_instance_name}:{postern}}"},
	{"mail_owner", "postern"},
	{"setgid_group", "postdrop"},
	{0, 0},
    };

    for (int i = 0; want[i][0]; i++) {
	const PARAM_DEF *def = param_find(want[i][0]);

	ok(def != 0, "%s is in the table", want[i][0]);
	if (def)
	    is_str(param_default(def), want[i][1], "default of %s", want[i][0]);
    }
    ok(param_find("no_such_thing") == 0, "unknown name not found");
    {
	const PARAM_DEF *def = param_find("myhostname");
	const char *h = def ? param_default(def) : "";

	ok(strchr(h, '.') != 0, "myhostname default is fully qualified (%s)", h);
    }
}

/* --------------------------------------------------- table sanity, man page */

static void test_table_and_man(void)
{
    const char *srcdir = getenv("POSTERN_SRCDIR");
    char    path[1024];
    FILE   *fp;
    VSTR   *man = vstr_alloc(100000);
    char    buf[4096];
    size_t  n;
    int     missing = 0, dups = 0, badtype = 0;

    for (int s = 0; param_sections[s]; s++) {
	for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
	    if (param_find(d->name) != d)
		dups++;
	    if (d->defval == 0)
		badtype++;
	}
    }
    ok(dups == 0, "every parameter is defined once (%d duplicates)", dups);
    ok(badtype == 0, "every parameter has a default text");

    snprintf(path, sizeof(path), "%s/postconf/param_docs.txt", srcdir ? srcdir : ".");
    if ((fp = fopen(path, "r")) == 0) {
	ok(0, "open %s", path);
	vstr_free(man);
	return;
    }
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
	vstr_addn(man, buf, n);
    fclose(fp);
    for (int s = 0; param_sections[s]; s++) {
	for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
	    char    entry[300];

	    if (d->flags & PF_HIDDEN)
		continue;
	    snprintf(entry, sizeof(entry), "\n%s\n", d->name);
	    if (strstr(man->str, entry) == 0) {
		if (missing++ < 20)
		    printf("# not in postconf/param_docs.txt: %s\n", d->name);
	    }
	}
    }
    ok(missing == 0, "every parameter is documented in postconf/param_docs.txt, the source of postconf.5 (%d missing)", missing);
    vstr_free(man);
}

/* --------------------------------------------- computed mynetworks default */

static void test_mynetworks_conf(void)
{
    char    buf[8192];
    int     status;

    /* The default follows mynetworks_style, inet_protocols, inet_interfaces
     * (Postfix 3.7's postconf -x mynetworks on the same settings). */
    write_file("main.cf", "maillog_file = /dev/null\ncompatibility_level = 3.6\n"
	       "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n");
    mail_conf_init(tmpdir);
    is_str(var_mynetworks, "127.0.0.1/32", "mynetworks default: host style at level 3.6");
    mail_conf_reset();
    write_file("main.cf", "maillog_file = /dev/null\ncompatibility_level = 3.6\n"
	       "inet_interfaces = loopback-only\ninet_protocols = ipv4\n"
	       "mynetworks_style = subnet\n");
    mail_conf_init(tmpdir);
    is_str(var_mynetworks, "127.0.0.0/8", "mynetworks default: loopback-only, subnet style");
    mail_conf_reset();
    write_file("main.cf", "maillog_file = /dev/null\ncompatibility_level = 3.6\n"
	       "inet_interfaces = loopback-only\ninet_protocols = ipv4\n");
    mail_conf_init(tmpdir);
    is_str(var_mynetworks, "127.0.0.1/32", "mynetworks default: loopback-only, host style");
    mail_conf_reset();
    write_file("main.cf", "maillog_file = /dev/null\ncompatibility_level = 0\n"
	       "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n");
    mail_conf_init(tmpdir);
    is_str(var_mynetworks, "127.0.0.0/8", "mynetworks default: subnet style at level 0");
    mail_conf_reset();
    /* An explicit empty mynetworks stays empty (matches nothing). */
    write_file("main.cf", "maillog_file = /dev/null\nmynetworks =\n");
    mail_conf_init(tmpdir);
    is_str(var_mynetworks, "", "explicit empty mynetworks is kept");
    mail_conf_reset();
    /* Bad settings are fatal in every program, as in Postfix. */
    write_file("main.cf", "maillog_file = /dev/null\nmynetworks_style = bogus\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "fatal: unknown mynetworks mask style value \"bogus\" in \"bogus\"") != 0,
       "unknown mynetworks_style is fatal");
    write_file("main.cf", "maillog_file = /dev/null\ninet_interfaces = 192.0.2.99\n"
	       "inet_protocols = ipv4\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status != 0 && strstr(buf, "fatal: parameter inet_interfaces: no local interface found for 192.0.2.99") != 0,
       "inet_interfaces address without a local interface is fatal");
    write_file("main.cf", "maillog_file = /dev/null\nmynetworks = 10.0.0.0/8\n"
	       "inet_interfaces = 192.0.2.99\n");
    status = run_child(child_init, buf, sizeof(buf));
    ok(status == 0, "not computed (no error) when mynetworks is set");
}

int     main(void)
{
    msg_init("test_config", MSG_STDERR);
    if (mkdtemp(tmpdir) == 0) {
	perror("mkdtemp");
	return (1);
    }
    test_mac_expand();
    test_parsers();
    test_defaults();
    test_main_cf();
    test_mynetworks_conf();
    test_table_and_man();
    {
	char    path[300];

	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
    }
    mail_conf_reset();
    return (tap_done());
}
