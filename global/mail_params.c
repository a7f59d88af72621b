/* mail_params.c - read main.cf (Postfix syntax: name = value, continuation
 * lines, # comments), keep -o overrides, expand $name forms, compute the
 * defaults Postfix computes (myhostname, mydomain, mynetworks, ...), and
 * evaluate every parameter of the table into its variable with type and
 * range checks that name main.cf and the line on error. */
#include "util/sys_defs.h"
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"
#include "util/argv.h"
#include "util/htable.h"
#include "util/mac_expand.h"
#include "global/mail_params.h"
#include "global/mynetworks.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/etc/postern"
#endif

#define MAIN_CF_MAX_LINE	(1024 * 1024)	/* logical line limit */
#define MAIN_CF_MAX_PARAMS	100000	/* entries in one main.cf */

typedef struct CONF_ENT {
    char   *value;
    int     line;
} CONF_ENT;

static HTABLE *conf_table;		/* main.cf: name -> CONF_ENT */
static ARGV *conf_names;		/* main.cf names, file order */
static HTABLE *override_table;		/* -o name=value: name -> char * */
static HTABLE *param_index;		/* name -> const PARAM_DEF * */
static HTABLE *computed_table;		/* name -> char * computed default */
static HTABLE *extra_defaults;		/* name -> char * (per-service defaults) */
static char *conf_dir;
static char *conf_file;

/* ---------------------------------------------------------------- table */

const PARAM_DEF *param_find(const char *name)
{
    if (param_index == 0) {
	param_index = htable_create(2000);
	for (int s = 0; param_sections[s]; s++) {
	    for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
		if (htable_find(param_index, d->name)) {
		    msg_warn("parameter %s is defined in more than one table section",
			     d->name);
		    continue;
		}
		htable_enter(param_index, d->name, (void *) d);
	    }
	}
    }
    return ((const PARAM_DEF *) htable_find(param_index, name));
}

/* ------------------------------------------------------------- parsers */

long    conf_time(const char *value, int unit)
{
    const char *cp = value;
    long    n = 0, mult;
    int     u;

    while (isspace((unsigned char) *cp))
	cp++;
    if (!isdigit((unsigned char) *cp))
	return (-1);
    for (; isdigit((unsigned char) *cp); cp++) {
	if (n > (LONG_MAX - 9) / 10)
	    return (-1);
	n = n * 10 + (*cp - '0');
    }
    u = *cp ? *cp++ : unit;
    while (isspace((unsigned char) *cp))
	cp++;
    if (*cp)
	return (-1);
    switch (tolower(u)) {
    case 's':
	mult = 1;
	break;
    case 'm':
	mult = 60;
	break;
    case 'h':
	mult = 3600;
	break;
    case 'd':
	mult = 86400;
	break;
    case 'w':
	mult = 7 * 86400;
	break;
    default:
	return (-1);
    }
    if (n > INT_MAX / mult)
	return (-1);
    return (n * mult);
}

int     conf_bool(const char *value)
{
    if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0
	|| strcmp(value, "1") == 0)
	return (1);
    if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0
	|| strcmp(value, "0") == 0)
	return (0);
    return (-1);
}

int     conf_long(const char *value, long *out)
{
    const char *cp = value;
    char   *end;
    long    n;

    while (isspace((unsigned char) *cp))
	cp++;
    if (*cp == '-' || *cp == '+') {
	if (!isdigit((unsigned char) cp[1]))
	    return (-1);
    } else if (!isdigit((unsigned char) *cp))
	return (-1);
    errno = 0;
    n = strtol(cp, &end, 10);
    if (errno)
	return (-1);
    while (isspace((unsigned char) *end))
	end++;
    if (*end)
	return (-1);
    *out = n;
    return (0);
}

char   *mail_conf_strip_comment(const char *value)
{
    const char *cp;

    for (cp = value; *cp; cp++) {
	if (*cp == '#' && cp > value && isspace((unsigned char) cp[-1])) {
	    const char *end = cp;

	    while (end > value && isspace((unsigned char) end[-1]))
		end--;
	    if (end == value)
		return (0);
	    return (mystrndup(value, (size_t) (end - value)));
	}
    }
    return (0);
}

/* ------------------------------------------------------- main.cf input */

static void conf_ent_free(void *ptr)
{
    CONF_ENT *ent = (CONF_ENT *) ptr;

    myfree(ent->value);
    myfree(ent);
}

void    mail_conf_reset(void)
{
    if (conf_table)
	htable_free(conf_table, conf_ent_free);
    conf_table = 0;
    conf_names = argv_free(conf_names);
    if (override_table)
	htable_free(override_table, myfree);
    override_table = 0;
    if (computed_table)
	htable_free(computed_table, myfree);
    computed_table = 0;
    if (extra_defaults)
	htable_free(extra_defaults, myfree);
    extra_defaults = 0;
    myfree(conf_dir);
    conf_dir = 0;
    myfree(conf_file);
    conf_file = 0;
}

void    mail_conf_override(const char *name, const char *value)
{
    HTABLE_INFO *ht;

    if (override_table == 0)
	override_table = htable_create(20);
    if ((ht = htable_locate(override_table, name)) != 0) {
	myfree(ht->value);
	ht->value = mystrdup(value);
    } else
	htable_enter(override_table, name, mystrdup(value));
    if (computed_table) {			/* a computed default may depend on it */
	htable_free(computed_table, myfree);
	computed_table = 0;
    }
}

/* conf_enter - record one logical main.cf line. */
static void conf_enter(char *line, int lineno)
{
    char   *cp = line, *name, *value;
    CONF_ENT *ent;

    while (*cp && !isspace((unsigned char) *cp) && *cp != '=')
	cp++;
    if (cp == line)
	msg_fatal("%s, line %d: missing attribute name: \"%s\"", conf_file, lineno, line);
    name = mystrndup(line, (size_t) (cp - line));
    while (isspace((unsigned char) *cp))
	cp++;
    if (*cp != '=')
	msg_fatal("%s, line %d: missing '=' after attribute name: \"%s\"",
		  conf_file, lineno, line);
    cp++;
    while (isspace((unsigned char) *cp))
	cp++;
    value = cp;
    cp = value + strlen(value);
    while (cp > value && isspace((unsigned char) cp[-1]))
	*--cp = 0;
    if ((ent = (CONF_ENT *) htable_find(conf_table, name)) != 0) {
	if (strcmp(ent->value, value) != 0)
	    msg_warn("%s, line %d: overriding earlier entry: %s=%s",
		     conf_file, lineno, name, ent->value);
	myfree(ent->value);
	ent->value = mystrdup(value);
	ent->line = lineno;
    } else {
	if (conf_names->argc >= MAIN_CF_MAX_PARAMS)
	    msg_fatal("%s, line %d: too many parameters", conf_file, lineno);
	ent = (CONF_ENT *) mymalloc(sizeof(*ent));
	ent->value = mystrdup(value);
	ent->line = lineno;
	htable_enter(conf_table, name, ent);
	argv_add(conf_names, name, (char *) 0);
    }
    myfree(name);
}

void    mail_conf_read(const char *config_dir)
{
    FILE   *fp;
    VSTR   *logical = vstr_alloc(256);
    char   *buf = 0;
    size_t  bufsize = 0;
    ssize_t n;
    int     lineno = 0, start_line = 0, skipping = 0;
    HTABLE *saved_overrides;

    if (config_dir == 0 || *config_dir == 0)
	config_dir = getenv("MAIL_CONFIG");
    if (config_dir == 0 || *config_dir == 0)
	config_dir = DEF_CONFIG_DIR;
    config_dir = mystrdup(config_dir);		/* may alias conf_dir */

    /* Start over, but keep -o overrides given before this call. */
    saved_overrides = override_table;
    override_table = 0;
    mail_conf_reset();
    override_table = saved_overrides;
    conf_dir = (char *) config_dir;
    conf_file = mymalloc(strlen(conf_dir) + sizeof("/main.cf"));
    sprintf(conf_file, "%s/main.cf", conf_dir);
    conf_table = htable_create(200);
    conf_names = argv_alloc(100);

    /* Like Postfix, config_directory is set before main.cf is read. */
    {
	CONF_ENT *ent = (CONF_ENT *) mymalloc(sizeof(*ent));

	ent->value = mystrdup(conf_dir);
	ent->line = 0;
	htable_enter(conf_table, "config_directory", ent);
	argv_add(conf_names, "config_directory", (char *) 0);
    }
    if ((fp = fopen(conf_file, "r")) == 0)
	msg_fatal("open %s: %s", conf_file, strerror(errno));
    while ((n = getline(&buf, &bufsize, fp)) >= 0) {
	char   *cp;
	char   *end = buf + n;

	lineno++;
	while (end > buf && isspace((unsigned char) end[-1]))
	    *--end = 0;
	for (cp = buf; isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp == 0 || *cp == '#')		/* blank or comment line */
	    continue;
	if (cp > buf && skipping)		/* continues an ignored line */
	    continue;
	if (cp > buf && logical->len > 0) {	/* continuation line */
	    if (logical->len + (size_t) (end - cp) + 1 > MAIN_CF_MAX_LINE)
		msg_fatal("%s, line %d: logical line longer than %d bytes",
			  conf_file, start_line, MAIN_CF_MAX_LINE);
	    vstr_addch(logical, ' ');
	    vstr_adds(logical, cp);
	    continue;
	}
	if (logical->len > 0)
	    conf_enter(logical->str, start_line);
	if (cp > buf) {
	    /* As Postfix: such a line (and what continues it) is ignored. */
	    msg_warn("%s: logical line must not start with whitespace: \"%s\"",
		     conf_file, buf);
	    vstr_reset(logical);
	    skipping = 1;
	    continue;
	}
	skipping = 0;
	if ((size_t) (end - cp) > MAIN_CF_MAX_LINE)
	    msg_fatal("%s, line %d: line longer than %d bytes",
		      conf_file, lineno, MAIN_CF_MAX_LINE);
	vstr_set(logical, cp);
	start_line = lineno;
    }
    if (ferror(fp))
	msg_fatal("read %s: %s", conf_file, strerror(errno));
    if (logical->len > 0)
	conf_enter(logical->str, start_line);
    fclose(fp);
    free(buf);
    vstr_free(logical);
}

const char *mail_conf_file(void)
{
    return (conf_file ? conf_file : DEF_CONFIG_DIR "/main.cf");
}

const char *mail_conf_config_dir(void)
{
    if (conf_dir)
	return (conf_dir);
    if (getenv("MAIL_CONFIG") && *getenv("MAIL_CONFIG"))
	return (getenv("MAIL_CONFIG"));
    return (DEF_CONFIG_DIR);
}

int     mail_conf_line(const char *name)
{
    CONF_ENT *ent;

    if (conf_table && (ent = (CONF_ENT *) htable_find(conf_table, name)) != 0)
	return (ent->line);
    return (0);
}

char  **mail_conf_names(void)
{
    static char *empty[1];

    return (conf_names ? conf_names->argv : empty);
}

/* --------------------------------------------------- computed defaults */

/* set_computed - remember the computed default of name; returns it. */
static const char *set_computed(const char *name, char *value)
{
    HTABLE_INFO *ht;

    if (computed_table == 0)
	computed_table = htable_create(10);
    if ((ht = htable_locate(computed_table, name)) != 0) {
	myfree(ht->value);
	ht->value = value;
    } else
	htable_enter(computed_table, name, value);
    return (value);
}

/* explicit_value - the raw value of name from overrides or main.cf only. */
static const char *explicit_value(const char *name)
{
    const char *val;
    CONF_ENT *ent;

    if (override_table && (val = htable_find(override_table, name)) != 0)
	return (val);
    if (conf_table && (ent = htable_find(conf_table, name)) != 0)
	return (ent->value);
    return (0);
}

/* compute_mynetworks - the mynetworks default from the current
 * mynetworks_style, inet_protocols and inet_interfaces (global/mynetworks.c). */
static char *compute_mynetworks(void)
{
    char   *style = mail_conf_lookup_eval("mynetworks_style");
    char   *protos = mail_conf_lookup_eval("inet_protocols");
    char   *ifaces = mail_conf_lookup_eval("inet_interfaces");
    char   *nets;

    nets = mynetworks_compute(style ? style : "", protos ? protos : "",
			      ifaces ? ifaces : "");
    myfree(style);
    myfree(protos);
    myfree(ifaces);
    return (nets);
}

const char *param_default(const PARAM_DEF *def)
{
    const char *val;
    char    buf[256];

    if (!(def->flags & PF_COMPUTED))
	return (def->defval);
    if (computed_table && (val = htable_find(computed_table, def->name)) != 0)
	return (val);
    if (strcmp(def->name, "myhostname") == 0) {
	const char *dom;

	if (gethostname(buf, sizeof(buf) - 1) < 0 || buf[0] == 0)
	    snprintf(buf, sizeof(buf), "localhost");
	buf[sizeof(buf) - 1] = 0;
	if (strchr(buf, '.') == 0) {
	    char   *domval = 0;

	    if ((dom = explicit_value("mydomain")) != 0)
		domval = mail_conf_eval(dom);
	    val = set_computed(def->name, mymalloc(strlen(buf) + 2
				     + strlen(domval && *domval ? domval : "localdomain")));
	    sprintf((char *) val, "%s.%s", buf,
		    domval && *domval ? domval : "localdomain");
	    myfree(domval);
	    return (val);
	}
	return (set_computed(def->name, mystrdup(buf)));
    }
    if (strcmp(def->name, "mydomain") == 0) {
	char   *host = mail_conf_lookup_eval("myhostname");
	const char *dot = host ? strchr(host, '.') : 0;

	val = set_computed(def->name, mystrdup(dot && dot[1] ? dot + 1 : "localdomain"));
	myfree(host);
	return (val);
    }
    if (strcmp(def->name, "mynetworks") == 0)
	return (set_computed(def->name, compute_mynetworks()));
    if (strcmp(def->name, "process_name") == 0) {
	const char *p = msg_progname();

	return (set_computed(def->name, mystrdup(p && *p ? p : "postern")));
    }
    if (strcmp(def->name, "process_id") == 0) {
	snprintf(buf, sizeof(buf), "%ld", (long) getpid());
	return (set_computed(def->name, mystrdup(buf)));
    }
    return (def->defval);
}

/* ------------------------------------------------------ lookup and eval */

const char *mail_conf_lookup(const char *name)
{
    const char *val;
    const PARAM_DEF *def;

    if ((def = param_find(name)) != 0 && (def->flags & PF_READONLY))
	return (param_default(def));
    if ((val = explicit_value(name)) != 0)
	return (val);
    if (strcmp(name, "config_directory") == 0)
	return (mail_conf_config_dir());
    if ((def = param_find(name)) != 0)
	return (param_default(def));
    return (mail_conf_extra_default(name));
}

void    mail_conf_add_default(const char *name, const char *value)
{
    HTABLE_INFO *ht;

    if (extra_defaults == 0)
	extra_defaults = htable_create(100);
    if ((ht = htable_locate(extra_defaults, name)) != 0) {
	myfree(ht->value);
	ht->value = mystrdup(value);
    } else
	htable_enter(extra_defaults, name, mystrdup(value));
}

const char *mail_conf_extra_default(const char *name)
{
    return (extra_defaults ? (const char *) htable_find(extra_defaults, name) : 0);
}

static const char *lookup_cb(const char *name, void *ctx)
{
    (void) ctx;
    return (mail_conf_lookup(name));
}

char   *mail_conf_eval(const char *value)
{
    VSTR   *out = vstr_alloc(strlen(value) + 10);

    (void) mac_expand(out, value, lookup_cb, (void *) 0);
    return (vstr_export(out));
}

char   *mail_conf_lookup_eval(const char *name)
{
    const char *raw = mail_conf_lookup(name);

    return (raw ? mail_conf_eval(raw) : 0);
}

/* eval_value - parse an expanded value per def's type; the parsed value in
 * *str (PT_STR/PT_RAW, malloc'd) or *num. Returns 0, or -1 with *why. */
static int eval_value(const PARAM_DEF *def, const char *raw, char **str,
		              long *num, const char **why)
{
    static VSTR *why_buf;
    char   *value, *stripped;
    long    n;
    int     b;

    if (why_buf == 0)
	why_buf = vstr_alloc(100);
    *why = 0;
    if (def->type == PT_RAW) {
	*str = mystrdup(raw);
	return (0);
    }
    value = mail_conf_eval(raw);
    if (def->type == PT_STR) {
	*str = value;
	return (0);
    }
    /* Numbers, sizes, times, booleans: a " # comment" is a comment. */
    if ((stripped = mail_conf_strip_comment(value)) != 0) {
	myfree(value);
	value = stripped;
    }
    switch (def->type) {
    case PT_INT:
    case PT_LONG:
	if (conf_long(value, &n) < 0
	    || (def->type == PT_INT && (n > INT_MAX || n < INT_MIN))) {
	    vstr_sprintf(why_buf, "bad numerical configuration: %s = %s", def->name, value);
	    goto bad;
	}
	break;
    case PT_TIME:
	if ((n = conf_time(value, def->unit ? def->unit : 's')) < 0) {
	    vstr_sprintf(why_buf, "parameter %s: bad time value or unit: %s", def->name, value);
	    goto bad;
	}
	break;
    case PT_BOOL:
	if ((b = conf_bool(value)) < 0) {
	    vstr_sprintf(why_buf, "bad boolean configuration: %s = %s", def->name, value);
	    goto bad;
	}
	n = b;
	break;
    default:
	msg_panic("eval_value: unknown type %d for %s", (int) def->type, def->name);
    }
    if (def->type != PT_BOOL && (def->min != 0 || def->max != 0)) {
	if (n < def->min) {
	    vstr_sprintf(why_buf, "invalid %s parameter value %ld < %ld", def->name, n, def->min);
	    goto bad;
	}
	if (def->max != 0 && n > def->max) {
	    vstr_sprintf(why_buf, "invalid %s parameter value %ld > %ld", def->name, n, def->max);
	    goto bad;
	}
    }
    myfree(value);
    *num = n;
    return (0);

bad:
    myfree(value);
    *why = why_buf->str;
    return (-1);
}

int     mail_conf_eval_param(const PARAM_DEF *def, const char **why)
{
    const char *raw = mail_conf_lookup(def->name);
    char   *str = 0;
    long    num = 0;

    *why = 0;
    if (raw == 0)
	raw = "";
    if (eval_value(def, raw, &str, &num, why) < 0)
	return (-1);
    if (def->target == 0) {
	myfree(str);
	return (0);
    }
    switch (def->type) {
    case PT_STR:
    case PT_RAW:{
	    char  **target = (char **) def->target;

	    /* Keep the old string when nothing changed (a reload): code that
	     * saved the pointer keeps a valid string. */
	    if (*target && strcmp(*target, str) == 0) {
		myfree(str);
	    } else {
		myfree(*target);
		*target = str;
	    }
	    break;
	}
    case PT_LONG:
	*(long *) def->target = num;
	break;
    case PT_INT:
    case PT_TIME:
    case PT_BOOL:
	*(int *) def->target = (int) num;
	break;
    }
    return (0);
}

/* get_dynamic - evaluate name as a parameter of type/unit/bounds that is
 * not in the table; 0 if unset, 1 with *num, fatal on a bad value. */
static const char *where(const char *name);

static int get_dynamic(const char *name, PARAM_TYPE type, int unit,
		               long min, long max, long *num)
{
    PARAM_DEF def;
    const char *raw = mail_conf_lookup(name);
    const char *why;
    char   *str = 0;

    if (raw == 0)
	return (0);
    memset(&def, 0, sizeof(def));
    def.name = name;
    def.type = type;
    def.defval = "";
    def.min = min;
    def.max = max;
    def.unit = (char) unit;
    if (eval_value(&def, raw, &str, num, &why) < 0)
	msg_fatal("%s%s", where(name), why);
    myfree(str);
    return (1);
}

long    mail_conf_get_long(const char *name, long def, long min, long max)
{
    long    n;

    return (get_dynamic(name, PT_LONG, 0, min, max, &n) ? n : def);
}

int     mail_conf_get_time(const char *name, int def, int unit, long min, long max)
{
    long    n;

    return (get_dynamic(name, PT_TIME, unit, min, max, &n) ? (int) n : def);
}

int     mail_conf_get_bool(const char *name, int def)
{
    long    n;

    return (get_dynamic(name, PT_BOOL, 0, 0, 0, &n) ? (int) n : def);
}

/* where - "main.cf, line N: " for a parameter set in main.cf, "" otherwise. */
static const char *where(const char *name)
{
    static VSTR *buf;

    if (buf == 0)
	buf = vstr_alloc(100);
    vstr_reset(buf);
    if ((override_table == 0 || htable_find(override_table, name) == 0)
	&& mail_conf_line(name) > 0)
	vstr_sprintf(buf, "%s, line %d: ", mail_conf_file(), mail_conf_line(name));
    return (buf->str);
}

void    mail_conf_init(const char *config_dir)
{
    const char *why;
    struct passwd *pw;

    mail_conf_read(config_dir);
    for (int s = 0; param_sections[s]; s++) {
	for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
	    if (d->target == 0)
		continue;
	    if (mail_conf_eval_param(d, &why) < 0)
		msg_fatal("%s%s", where(d->name), why);
	}
    }
    if (var_mail_owner && (pw = getpwnam(var_mail_owner)) != 0) {
	var_owner_uid = (int) pw->pw_uid;
	var_owner_gid = (int) pw->pw_gid;
    } else {
	var_owner_uid = -1;
	var_owner_gid = -1;
    }
    msg_logger_config(var_syslog_name, var_maillog_file, var_myhostname);
}

/* ------------------------------------------------------------- checking */

/* Per-transport and per-service parameter suffixes (SERVICE_suffix). */
static const char *const known_suffixes[] = {
    "destination_concurrency_limit", "destination_recipient_limit",
    "initial_destination_concurrency", "destination_rate_delay",
    "destination_concurrency_failed_cohort_limit",
    "destination_concurrency_positive_feedback",
    "destination_concurrency_negative_feedback",
    "extra_recipient_limit", "minimum_delivery_slots", "recipient_limit",
    "recipient_refill_limit", "recipient_refill_delay", "delivery_slot_cost",
    "delivery_slot_loan", "delivery_slot_discount", "time_limit",
    "transport_rate_delay", "delivery_status_filter", "command_time_limit",
    0,
};

/* Types of the per-transport scheduling parameters (for checking values
 * when the table has no default_xxx entry). */
static const PARAM_DEF suffix_defs[] = {
    P_INT("destination_concurrency_limit", "", 0, 0, 0),
    P_INT("destination_recipient_limit", "", 0, 0, 0),
    P_INT("initial_destination_concurrency", "", 0, 1, 0),
    P_TIME("destination_rate_delay", "", 0, 's', 0, 0),
    P_INT("destination_concurrency_failed_cohort_limit", "", 0, 0, 0),
    P_INT("extra_recipient_limit", "", 0, 0, 0),
    P_INT("minimum_delivery_slots", "", 0, 0, 0),
    P_INT("recipient_limit", "", 0, 0, 0),
    P_INT("recipient_refill_limit", "", 0, 1, 0),
    P_TIME("recipient_refill_delay", "", 0, 's', 1, 0),
    P_INT("delivery_slot_cost", "", 0, 0, 0),
    P_INT("delivery_slot_loan", "", 0, 0, 0),
    P_INT("delivery_slot_discount", "", 0, 0, 100),
    P_TIME("time_limit", "", 0, 's', 0, 0),
    P_TIME("transport_rate_delay", "", 0, 's', 0, 0),
    P_END
};

/* template_of - for a per-service name SERVICE_xxx, the table entry
 * default_xxx, smtp_xxx or lmtp_xxx that gives its type, or NULL. */
static const PARAM_DEF *template_of(const char *name)
{
    VSTR   *buf = vstr_alloc(100);
    const PARAM_DEF *def = 0;
    static const char *const prefixes[] = {"default_", "smtp_", "lmtp_", 0};

    for (const char *cp = strchr(name, '_'); cp && !def; cp = strchr(cp + 1, '_')) {
	for (int i = 0; prefixes[i] && !def; i++) {
	    vstr_set(buf, prefixes[i]);
	    vstr_adds(buf, cp + 1);
	    if (strcmp(buf->str, name) != 0)
		def = param_find(buf->str);
	}
	for (int i = 0; suffix_defs[i].name && !def; i++)
	    if (strcmp(cp + 1, suffix_defs[i].name) == 0)
		def = suffix_defs + i;
    }
    vstr_free(buf);
    return (def);
}

/* suffix_known - name is SERVICE_xxx with xxx a per-transport suffix, or
 * with default_xxx, smtp_xxx or lmtp_xxx a known parameter. */
static int suffix_known(const char *name)
{
    VSTR   *buf = vstr_alloc(100);
    int     found = 0;

    for (const char *cp = strchr(name, '_'); cp && !found; cp = strchr(cp + 1, '_')) {
	const char *suffix = cp + 1;
	static const char *const prefixes[] = {"default_", "smtp_", "lmtp_", 0};

	for (int i = 0; known_suffixes[i]; i++)
	    if (strcmp(suffix, known_suffixes[i]) == 0)
		found = 1;
	for (int i = 0; prefixes[i] && !found; i++) {
	    vstr_set(buf, prefixes[i]);
	    vstr_adds(buf, suffix);
	    if (strcmp(buf->str, name) != 0 && param_find(buf->str))
		found = 1;
	}
    }
    vstr_free(buf);
    return (found);
}

/* ref_in_text - text has $name, ${name...} or $(name...). */
static int ref_in_text(const char *text, const char *name)
{
    size_t  nlen = strlen(name);

    for (const char *cp = strchr(text, '$'); cp; cp = strchr(cp + 1, '$')) {
	const char *p = cp + 1;

	if (*p == '{' || *p == '(')
	    p++;
	if (strncmp(p, name, nlen) == 0
	    && !(isalnum((unsigned char) p[nlen]) || p[nlen] == '_'))
	    return (1);
    }
    return (0);
}

/* referenced - name is referenced in a main.cf value or in master.cf. */
static int referenced(const char *name, const char *master_text)
{
    for (int i = 0; conf_names && i < conf_names->argc; i++) {
	CONF_ENT *ent = htable_find(conf_table, conf_names->argv[i]);

	if (ref_in_text(ent->value, name))
	    return (1);
    }
    if (master_text && ref_in_text(master_text, name))
	return (1);
    return (0);
}

/* read_master_text - master.cf contents (at most 1 MB), or NULL. */
static char *read_master_text(void)
{
    VSTR   *path = vstr_alloc(100);
    VSTR   *text = vstr_alloc(1000);
    FILE   *fp;
    char    buf[4096];
    size_t  n;

    vstr_sprintf(path, "%s/master.cf", mail_conf_config_dir());
    fp = fopen(path->str, "r");
    vstr_free(path);
    if (fp == 0) {
	vstr_free(text);
	return (0);
    }
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && text->len < 1024 * 1024)
	vstr_addn(text, buf, n);
    fclose(fp);
    return (vstr_export(text));
}

/* service_prefix - name starts with "SERVICE_" for a master.cf service. */
static int service_prefix(const char *name, const char *master_text)
{
    const char *line = master_text;

    while (line && *line) {
	const char *end = strchr(line, '\n');
	size_t  len = end ? (size_t) (end - line) : strlen(line);
	size_t  svc = 0;

	if (len > 0 && !isspace((unsigned char) *line) && *line != '#') {
	    while (svc < len && !isspace((unsigned char) line[svc]))
		svc++;
	    if (strncmp(name, line, svc) == 0 && name[svc] == '_' && name[svc + 1])
		return (1);
	}
	line = end ? end + 1 : 0;
    }
    return (0);
}

static const char *lookup_cb_check(const char *name, void *ctx)
{
    (void) ctx;
    return (mail_conf_lookup(name));
}

int     param_is_known(const char *name)
{
    return (param_find(name) != 0 || suffix_known(name));
}

int     mail_conf_check(int verbose)
{
    int     errors = 0;
    const char *why;
    char   *master_text = read_master_text();
    VSTR   *junk = vstr_alloc(100);

    for (int i = 0; conf_names && i < conf_names->argc; i++) {
	const char *name = conf_names->argv[i];
	CONF_ENT *ent = htable_find(conf_table, name);
	const PARAM_DEF *def = param_find(name);

	vstr_reset(junk);
	if (mac_expand(junk, ent->value, lookup_cb_check, (void *) 0) & MAC_EXP_LOOP) {
	    msg_error("%s, line %d: %s: macro expansion loop or nesting too deep",
		      conf_file, ent->line, name);
	    errors++;
	}
	if (def == 0 && (def = template_of(name)) != 0) {
	    /* Per-service form of a known parameter: check it as that type. */
	    if (def->type != PT_STR && def->type != PT_RAW) {
		char   *stripped = mail_conf_strip_comment(ent->value);
		char   *str = 0;
		long    num;
		PARAM_DEF tmp = *def;

		if (stripped) {
		    msg_warn("%s, line %d: %s: text after the value is read as a comment"
			     " (\"%s\"); postern accepts this; Postfix 3.7 would reject it",
			     conf_file, ent->line, name, ent->value);
		    myfree(stripped);
		}
		tmp.name = name;
		if (eval_value(&tmp, ent->value, &str, &num, &why) < 0) {
		    msg_error("%s, line %d: %s", conf_file, ent->line, why);
		    errors++;
		}
		myfree(str);
	    }
	    continue;
	}
	if (def == 0) {
	    if (suffix_known(name) || service_prefix(name, master_text)
		|| referenced(name, master_text)) {
		if (verbose)
		    msg_info("%s, line %d: %s: per-service or user-defined parameter",
			     conf_file, ent->line, name);
	    } else {
		msg_warn("%s, line %d: unknown parameter: %s=%s",
			 conf_file, ent->line, name, ent->value);
	    }
	    continue;
	}
	if (def->type != PT_STR && def->type != PT_RAW) {
	    char   *stripped = mail_conf_strip_comment(ent->value);

	    if (stripped) {
		msg_warn("%s, line %d: %s: text after the value is read as a comment"
			 " (\"%s\"); postern accepts this; Postfix 3.7 would reject it",
			 conf_file, ent->line, name, ent->value);
		myfree(stripped);
	    }
	}
	if (def->flags & PF_READONLY)
	    msg_warn("%s, line %d: %s is read-only; the setting is ignored",
		     conf_file, ent->line, name);
    }
    for (int s = 0; param_sections[s]; s++) {
	for (const PARAM_DEF *d = param_sections[s]; d->name; d++) {
	    const char *raw = mail_conf_lookup(d->name);
	    char   *str = 0;
	    long    num;

	    if (eval_value(d, raw ? raw : "", &str, &num, &why) < 0) {
		msg_error("%s%s", where(d->name), why);
		errors++;
	    }
	    myfree(str);
	}
    }
    myfree(master_text);
    vstr_free(junk);
    return (errors);
}
