/* test_master_cf.c - unit test of the master.cf parser: columns and their
 * defaults, continuation lines, comments inside entries, -o forms, brace
 * grouping, and bad lines reported with their line numbers. */
#include "util/sys_defs.h"
#include <stdarg.h>
#include "t/tap.h"
#include "master/master_cf.h"

static const char good[] =
    "# comment at the top\n"
    "\n"
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "127.0.0.1:2525 inet n - n - 10 smtpd\n"
    "  -o syslog_name=postfix/submission\n"
    "#  -o commented_out=yes\n"
    "\t-o { smtpd_client_restrictions = permit_mynetworks, reject }\n"
    "   -o smtpd_helo_required=yes\n"
    "pickup    unix  n       -       y       60      1       pickup\n"
    "tlsmgr    unix  -       -       y       1000?   1       tlsmgr\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n"
    "maildrop  unix  -       n       n       -       -       pipe\n"
    "  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"
    "braced    unix  -       n       n       -       0       pipe\n"
    "  { argv=/bin/echo with spaces } -v last\n";

static const char bad[] =
    "ok1 unix - - n - - cleanup\n"		/* 1 */
    "bad2 tcp - - n - - smtpd\n"		/* 2: bad type */
    "bad3 unix x - n - - smtpd\n"		/* 3: bad private */
    "bad4 unix - - n soon - smtpd\n"		/* 4: bad wakeup */
    "bad5 unix - - n - many smtpd\n"		/* 5: bad maxproc */
    "bad6 unix - - n -\n"			/* 6: too few fields */
    "bad7 unix - - n - - smtpd -o\n"		/* 7: -o without value */
    "bad8 unix - - n - - smtpd -o novalue\n"	/* 8: -o without = */
    "bad9 unix - - n - - smtpd { unclosed\n"	/* 9: missing } */
    "ok1 unix - - n - - cleanup\n"		/* 10: duplicate */
    "  \n"					/* 11: blank */
    "ok11 fifo - - n - - pickup\n";		/* 12 */

int     main(void)
{
    MASTER_CF *cf = master_cf_parse_text(good, "master.cf");
    MASTER_CF_ENTRY *e;

    ok(cf->errors->argc == 0, "good file has no errors (%d)", cf->errors->argc);
    ok(cf->count == 7, "7 entries (%d)", cf->count);

    e = master_cf_find(cf, "smtp", "inet");
    ok(e != 0, "smtp/inet found");
    if (e) {
	ok(e->private_ == 0 && e->unpriv == 1 && e->chroot == 1, "smtp flags n - y");
	ok(e->wakeup == 0 && e->maxproc == -1, "smtp wakeup -, maxproc -");
	is_str(e->command, "smtpd", "smtp command");
	ok(e->line == 3, "smtp on line 3 (%d)", e->line);
    }
    e = master_cf_find(cf, "127.0.0.1:2525", "inet");
    ok(e != 0, "127.0.0.1:2525/inet found");
    if (e) {
	ok(e->maxproc == 10 && e->chroot == 0, "maxproc 10, chroot n");
	ok(e->overrides->argc == 3, "three overrides (comment line skipped) (%d)",
	   e->overrides->argc);
	if (e->overrides->argc == 3) {
	    is_str(e->overrides->argv[0], "syslog_name=postfix/submission", "plain -o");
	    is_str(e->overrides->argv[1],
		   "smtpd_client_restrictions=permit_mynetworks, reject", "braced -o");
	    is_str(e->overrides->argv[2], "smtpd_helo_required=yes", "-o after braced");
	}
	ok(e->args->argc == 0, "no plain arguments");
	ok(e->line == 4, "entry starts on line 4 (%d)", e->line);
    }
    e = master_cf_find(cf, "pickup", "unix");
    ok(e && e->wakeup == 60 && !e->wakeup_cond && e->maxproc == 1 && e->private_ == 0,
       "pickup wakeup 60 maxproc 1 public");
    e = master_cf_find(cf, "tlsmgr", "unix");
    ok(e && e->wakeup == 1000 && e->wakeup_cond && e->private_ == 1,
       "tlsmgr wakeup 1000? private by default");
    e = master_cf_find(cf, "postlog", "unix-dgram");
    ok(e && e->maxproc == 1, "unix-dgram type");
    e = master_cf_find(cf, "maildrop", "unix");
    ok(e && e->unpriv == 0 && e->args->argc == 5, "pipe arguments from continuation line");
    if (e && e->args->argc == 5) {
	is_str(e->args->argv[0], "flags=DRXhu", "first argument");
	is_str(e->args->argv[4], "${recipient}", "last argument");
    }
    e = master_cf_find(cf, "braced", "unix");
    ok(e && e->args->argc == 3 && e->maxproc == 0, "braced group is one argument");
    if (e && e->args->argc == 3) {
	is_str(e->args->argv[0], "argv=/bin/echo with spaces", "braces removed, trimmed");
	is_str(e->args->argv[1], "-v", "-v passed through");
    }
    ok(master_cf_find(cf, "smtp", "unix") == 0, "smtp/unix not in this file");
    master_cf_free(cf);

    cf = master_cf_parse_text(bad, "test.cf");
    ok(cf->count == 2, "bad file keeps the 2 good entries (%d)", cf->count);
    ok(cf->errors->argc == 9, "9 errors (%d)", cf->errors->argc);
    {
	static const char *const want[] = {
	    "test.cf: line 2: field \"type\": bad value: \"tcp\"",
	    "test.cf: line 3: field \"private\": bad value: \"x\"",
	    "test.cf: line 4: field \"wakeup\": bad value: \"soon\"",
	    "test.cf: line 5: field \"maxproc\": bad value: \"many\"",
	    "test.cf: line 6: field \"maxproc\": missing",
	    "test.cf: line 7: -o option without name=value",
	    "test.cf: line 8: -o option: bad name=value: \"novalue\"",
	    "test.cf: line 9: missing '}'",
	    "test.cf: line 10: duplicate service name and type: \"ok1 unix\"",
	};

	for (int i = 0; i < 9 && i < cf->errors->argc; i++)
	    is_str(cf->errors->argv[i], want[i], "error %d", i + 1);
    }
    ok(master_cf_find(cf, "ok11", "fifo") != 0, "entry after the errors is kept");
    master_cf_free(cf);

    cf = master_cf_parse_text("  -o orphan=1\nx unix - - n - - y\n", "o.cf");
    ok(cf->errors->argc == 1 && cf->count == 1, "continuation without service is an error");
    if (cf->errors->argc == 1)
	is_str(cf->errors->argv[0], "o.cf: line 1: continuation line without a service",
	       "its message");
    master_cf_free(cf);

    cf = master_cf_parse_text("", "empty.cf");
    ok(cf->count == 0 && cf->errors->argc == 0, "empty file");
    master_cf_free(cf);
    return tap_done();
}
