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
/* mail_conf_names - NULL-terminated array of names set in main.cf, in file order (static). */
char  **mail_conf_names(void);
/* conf_time - parse a duration like "300s", "5d", "1h" ('unit' for bare numbers) into seconds; -1 on error. */
long    conf_time(const char *value, int unit);
/* conf_bool - parse yes/no/true/false/1/0; -1 on error. */
int     conf_bool(const char *value);

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

#endif
