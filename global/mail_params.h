/* mail_params.h - main.cf parameters: one table (assembled from the
 * sections below) gives each parameter its name, type, default and the
 * global variable it sets. postconf -d, the man page and the code all
 * read that table. */
#ifndef MAIL_PARAMS_H
#define MAIL_PARAMS_H
#include "util/sys_defs.h"

typedef enum PARAM_TYPE {
    PT_STR,			/* string, $name expanded at init */
    PT_RAW,			/* string, never expanded */
    PT_INT,			/* int */
    PT_LONG,			/* long (sizes) */
    PT_BOOL,			/* yes/no -> int 1/0 */
    PT_TIME,			/* duration -> int seconds; bare numbers use unit */
} PARAM_TYPE;

typedef struct PARAM_DEF {
    const char *name;
    PARAM_TYPE type;
    const char *defval;		/* exactly as `postconf -d` prints it */
    void   *target;		/* char **, int *, long * */
    long    min, max;		/* numeric bounds (0,0 = none) */
    char    unit;		/* PT_TIME default unit: 's','m','h','d','w' */
    int     flags;
} PARAM_DEF;

#define PF_POSTERN	(1<<0)	/* postern-only parameter (not in Postfix) */
#define PF_DIFFERS	(1<<1)	/* default deliberately differs from Postfix 3.7 */
#define PF_READONLY	(1<<2)	/* computed, e.g. mail_version */
#define PF_HIDDEN	(1<<3)	/* legacy: known but not listed by postconf */
#define PF_COMPUTED	(1<<4)	/* default computed at run time (myhostname) */

#define P_STR(n, d, v)		{ n, PT_STR, d, v, 0, 0, 0, 0 }
#define P_RAW(n, d, v)		{ n, PT_RAW, d, v, 0, 0, 0, 0 }
#define P_INT(n, d, v, lo, hi)	{ n, PT_INT, d, v, lo, hi, 0, 0 }
#define P_LONG(n, d, v, lo, hi)	{ n, PT_LONG, d, v, lo, hi, 0, 0 }
#define P_BOOL(n, d, v)		{ n, PT_BOOL, d, v, 0, 0, 0, 0 }
#define P_TIME(n, d, v, u, lo, hi) { n, PT_TIME, d, v, lo, hi, u, 0 }
#define P_END			{ 0, PT_STR, 0, 0, 0, 0, 0, 0 }

/* Sections of the one table; each global/params_*.c defines one array
 * ending in P_END and the variables it sets. params_all.c lists them. */
extern const PARAM_DEF param_table_core[];	/* params_core.c */
extern const PARAM_DEF param_table_smtpd[];	/* params_smtpd.c */
extern const PARAM_DEF param_table_cleanup[];	/* params_cleanup.c */
extern const PARAM_DEF param_table_qmgr[];	/* params_qmgr.c */
extern const PARAM_DEF param_table_delivery[];	/* params_delivery.c */
extern const PARAM_DEF param_table_master[];	/* params_master.c */
extern const PARAM_DEF *const param_sections[];	/* NULL-terminated */

/* param_find - the definition of name, or NULL. */
const PARAM_DEF *param_find(const char *name);

/* mail_conf_override - remember a -o name=value override (call before mail_conf_init). */
void    mail_conf_override(const char *name, const char *value);
/* mail_conf_read - read main.cf from config_dir (NULL: $MAIL_CONFIG, else
 * the compiled-in default) without evaluating; fatal if unreadable. */
void    mail_conf_read(const char *config_dir);
/* mail_conf_init - mail_conf_read, then evaluate every parameter into its
 * variable; a bad value is fatal, naming main.cf and the line. Also sets up
 * logging (syslog_name, maillog_file). */
void    mail_conf_init(const char *config_dir);
/* mail_conf_lookup - raw (unexpanded) value of name: override, main.cf,
 * then default; NULL if unknown and unset. */
const char *mail_conf_lookup(const char *name);
/* mail_conf_eval - expand $name, ${name}, ${name?x}, ${name:x}, and
 * ${{a} op {b} ? {t} : {f}} in value; returns a malloc'd string. */
char   *mail_conf_eval(const char *value);
/* mail_conf_lookup_eval - expanded value of name (malloc'd), or NULL. */
char   *mail_conf_lookup_eval(const char *name);
/* mail_conf_file - path of the main.cf that was read. */
const char *mail_conf_file(void);
/* mail_conf_line - main.cf line number where name was set, 0 if not set there. */
int     mail_conf_line(const char *name);
/* mail_conf_names - NULL-terminated array of names set in main.cf, in file
 * order, after config_directory (always set, as in Postfix); static. */
char  **mail_conf_names(void);
/* conf_time - parse a duration like "300s", "5d", "1h" ('unit' for bare numbers) into seconds; -1 on error. */
long    conf_time(const char *value, int unit);
/* conf_bool - parse yes/no/true/false/1/0; -1 on error. */
int     conf_bool(const char *value);
/* conf_long - parse a decimal number (optional sign) into *out; -1 on error. */
int     conf_long(const char *value, long *out);
/* param_default - the default text of def as `postconf -d` prints it
 * (computed for PF_COMPUTED/PF_READONLY parameters; static storage). */
const char *param_default(const PARAM_DEF *def);
/* mail_conf_check - report unknown parameters, bad values (file:line) and
 * values that Postfix 3.7 would reject (a trailing "# comment" after a
 * number, size, time or boolean) with msg_warn/msg_error; returns the
 * number of errors (bad values). Call after mail_conf_read. */
int     mail_conf_check(int verbose);
/* param_is_known - name is in the table or is a per-service form of a
 * known parameter (SERVICE_destination_concurrency_limit, relay_xxx, ...). */
int     param_is_known(const char *name);
/* mail_conf_add_default - give name (not in the table, e.g. a per-service
 * parameter such as relay_destination_concurrency_limit) a default value
 * for mail_conf_lookup; forgotten by mail_conf_reset. */
void    mail_conf_add_default(const char *name, const char *value);
/* mail_conf_extra_default - the default given by mail_conf_add_default, or NULL. */
const char *mail_conf_extra_default(const char *name);
/* mail_conf_get_long - a number or size parameter that is not in the
 * table (e.g. per-transport TRANSPORT_destination_concurrency_limit):
 * expanded, a trailing " # comment" ignored, def if unset; bounds as in
 * PARAM_DEF (0,0 = none); a bad value is fatal naming main.cf and line. */
long    mail_conf_get_long(const char *name, long def, long min, long max);
/* mail_conf_get_time - like mail_conf_get_long for a time (seconds); a bare
 * number is in unit ('s','m','h','d','w'). */
int     mail_conf_get_time(const char *name, int def, int unit, long min, long max);
/* mail_conf_get_bool - like mail_conf_get_long for a boolean. */
int     mail_conf_get_bool(const char *name, int def);
/* mail_conf_config_dir - the configuration directory in use. */
const char *mail_conf_config_dir(void);
/* mail_conf_strip_comment - for a numeric/size/time/boolean value, the
 * value without a trailing " # comment" (malloc'd); NULL if there is none. */
char   *mail_conf_strip_comment(const char *value);
/* mail_conf_eval_param - evaluate one parameter's raw value per its type
 * into its variable; on a bad value returns -1 and sets *why (static). */
int     mail_conf_eval_param(const PARAM_DEF *def, const char **why);
/* mail_conf_reset - forget main.cf contents, overrides and computed
 * defaults (tests; mail_conf_read keeps earlier overrides). */
void    mail_conf_reset(void);

/* Core parameters shared by many programs (params_core.c). */
extern char *var_config_dir;
extern char *var_queue_dir;
extern char *var_daemon_dir;
extern char *var_command_dir;
extern char *var_data_dir;
extern char *var_meta_dir;
extern char *var_mail_owner;
extern char *var_sgid_group;
extern char *var_syslog_name;
extern char *var_maillog_file;
extern char *var_myhostname;
extern char *var_mydomain;
extern char *var_myorigin;
extern char *var_mydest;
extern char *var_mynetworks;
extern char *var_mynetworks_style;
extern char *var_relay_domains;
extern char *var_inet_interfaces;
extern char *var_proxy_interfaces;
extern char *var_inet_protocols;
extern char *var_mail_name;
extern char *var_mail_version;
extern char *var_compat_level;
extern char *var_virt_alias_maps;
extern char *var_virt_alias_doms;
extern char *var_virt_mailbox_maps;
extern char *var_virt_mailbox_doms;
extern char *var_transport_maps;
extern char *var_relayhost;
extern char *var_local_transport;
extern char *var_virt_transport;
extern char *var_relay_transport;
extern char *var_def_transport;
extern char *var_error_transport;
extern char *var_alias_maps;
extern char *var_alias_db_map;
extern char *var_local_rcpt_maps;
extern char *var_relay_rcpt_maps;
extern char *var_empty_addr;	/* empty_address_recipient */
extern char *var_double_bounce_sender;
extern char *var_bounce_notice_rcpt;
extern char *var_2bounce_notice_rcpt;
extern char *var_notify_classes;
extern char *var_rcpt_delim;
extern int var_line_limit;	/* line_length_limit */
extern long var_message_limit;	/* message_size_limit */
extern int var_ipc_timeout;
extern int var_ipc_idle;
extern int var_max_idle;
extern int var_max_use;
extern int var_proc_limit;	/* default_process_limit */
extern int var_hopcount_limit;
extern int var_fork_attempts;
extern int var_fork_delay;
extern int var_daemon_timeout;
extern int var_owner_uid;	/* derived: mail_owner's uid, -1 unknown */
extern int var_owner_gid;
extern int var_disable_dns;
extern int var_swap_bangpath;
extern int var_allow_percent_hack;
extern int var_append_dot_mydomain;
extern int var_append_at_myorigin;
extern int var_long_queue_ids;
extern int var_strict_rfc821_env;	/* strict_rfc821_envelopes */
extern int var_biff;
extern int var_in_flow_delay;
extern char *var_multi_instance_name;
extern char *var_multi_instance_group;
extern char *var_multi_instance_dirs;
extern int var_multi_instance_enable;
extern char *var_stress;
extern char *var_process_name;
extern char *var_process_id;
extern char *var_shlib_dir;
extern char *var_manpage_dir;
extern char *var_sendmail_path;
extern char *var_newalias_path;
extern char *var_mailq_path;
extern char *var_html_dir;
extern char *var_readme_dir;
extern char *var_sample_dir;
extern char *var_import_environ;
extern char *var_export_environ;
extern char *var_default_db_type;
extern char *var_mail_release;
extern char *var_pid_dir;	/* process_id_directory */
extern char *var_queue_service;	/* queue_service_name */
extern char *var_debug_peer_list;
extern int var_debug_peer_level;
extern char *var_error_rcpt;	/* error_notice_recipient */
extern int var_trigger_timeout;
extern int var_smtputf8_enable;
extern char *var_parent_domain_matches_subdomains;

#endif
