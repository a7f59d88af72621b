/* params_core.c - the core section of the parameter table: parameters
 * shared by many programs (paths, identity, routing basics, limits), with
 * Postfix 3.7's default text, and the variables they set. Deliberate
 * differences from Postfix are flagged PF_DIFFERS; parameters only postern
 * has are flagged PF_POSTERN. */
#include "util/sys_defs.h"
#include <limits.h>
#include "global/mail_params.h"

/* Compiled-in defaults (Makefile.am passes the real ones). */
#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/etc/postern"
#endif
#ifndef DEF_QUEUE_DIR
#define DEF_QUEUE_DIR "/var/spool/postern"
#endif
#ifndef DEF_DAEMON_DIR
#define DEF_DAEMON_DIR "/usr/libexec/postern"
#endif
#ifndef DEF_COMMAND_DIR
#define DEF_COMMAND_DIR "/usr/sbin"
#endif
#ifndef DEF_DATA_DIR
#define DEF_DATA_DIR "/var/lib/postern"
#endif
#ifndef DEF_META_DIR
#define DEF_META_DIR DEF_CONFIG_DIR
#endif
#ifndef DEF_SHLIB_DIR
#define DEF_SHLIB_DIR "/usr/lib/postern"
#endif
#ifndef DEF_MANPAGE_DIR
#define DEF_MANPAGE_DIR "/usr/share/man"
#endif
#ifndef DEF_SENDMAIL_PATH
#define DEF_SENDMAIL_PATH "/usr/sbin/sendmail"
#endif
#ifndef DEF_NEWALIAS_PATH
#define DEF_NEWALIAS_PATH "/usr/bin/newaliases"
#endif
#ifndef DEF_MAILQ_PATH
#define DEF_MAILQ_PATH "/usr/bin/mailq"
#endif

char   *var_config_dir;
char   *var_queue_dir;
char   *var_daemon_dir;
char   *var_command_dir;
char   *var_data_dir;
char   *var_meta_dir;
char   *var_mail_owner;
char   *var_sgid_group;
char   *var_syslog_name;
char   *var_maillog_file;
char   *var_myhostname;
char   *var_mydomain;
char   *var_myorigin;
char   *var_mydest;
char   *var_mynetworks;
char   *var_mynetworks_style;
char   *var_relay_domains;
char   *var_inet_interfaces;
char   *var_proxy_interfaces;
char   *var_inet_protocols;
char   *var_mail_name;
char   *var_mail_version;
char   *var_compat_level;
char   *var_virt_alias_maps;
char   *var_virt_alias_doms;
char   *var_virt_mailbox_maps;
char   *var_virt_mailbox_doms;
char   *var_transport_maps;
char   *var_relayhost;
char   *var_local_transport;
char   *var_virt_transport;
char   *var_relay_transport;
char   *var_def_transport;
char   *var_error_transport;
char   *var_alias_maps;
char   *var_alias_db_map;
char   *var_local_rcpt_maps;
char   *var_relay_rcpt_maps;
char   *var_empty_addr;
char   *var_double_bounce_sender;
char   *var_bounce_notice_rcpt;
char   *var_2bounce_notice_rcpt;
char   *var_notify_classes;
char   *var_rcpt_delim;
int     var_line_limit;
long    var_message_limit;
int     var_ipc_timeout;
int     var_ipc_idle;
int     var_max_idle;
int     var_max_use;
int     var_proc_limit;
int     var_hopcount_limit;
int     var_fork_attempts;
int     var_fork_delay;
int     var_daemon_timeout;
int     var_owner_uid = -1;
int     var_owner_gid = -1;
int     var_disable_dns;
int     var_swap_bangpath;
int     var_allow_percent_hack;
int     var_append_dot_mydomain;
int     var_append_at_myorigin;
int     var_long_queue_ids;
int     var_strict_rfc821_env;
int     var_biff;
int     var_in_flow_delay;
char   *var_multi_instance_name;
char   *var_multi_instance_group;
char   *var_multi_instance_dirs;
int     var_multi_instance_enable;
char   *var_stress;
char   *var_process_name;
char   *var_process_id;
char   *var_shlib_dir;
char   *var_manpage_dir;
char   *var_sendmail_path;
char   *var_newalias_path;
char   *var_mailq_path;
char   *var_html_dir;
char   *var_readme_dir;
char   *var_sample_dir;
char   *var_import_environ;
char   *var_export_environ;
char   *var_default_db_type;
char   *var_mail_release;
char   *var_pid_dir;
char   *var_queue_service;
char   *var_debug_peer_list;
int     var_debug_peer_level;
char   *var_error_rcpt;
int     var_trigger_timeout;
int     var_smtputf8_enable;
char   *var_parent_domain_matches_subdomains;

/* Flagged entries: { name, type, default, target, min, max, unit, flags }. */
#define P_STR_F(n, d, v, f)	{ n, PT_STR, d, v, 0, 0, 0, f }
#define P_RAW_F(n, d, v, f)	{ n, PT_RAW, d, v, 0, 0, 0, f }

const PARAM_DEF param_table_core[] = {
    /* Paths and identity. */
    P_STR_F("config_directory", DEF_CONFIG_DIR, &var_config_dir, PF_DIFFERS),
    P_STR_F("queue_directory", DEF_QUEUE_DIR, &var_queue_dir, PF_DIFFERS),
    P_STR_F("daemon_directory", DEF_DAEMON_DIR, &var_daemon_dir, PF_DIFFERS),
    P_STR_F("command_directory", DEF_COMMAND_DIR, &var_command_dir, PF_DIFFERS),
    P_STR_F("data_directory", DEF_DATA_DIR, &var_data_dir, PF_DIFFERS),
    P_STR_F("meta_directory", DEF_META_DIR, &var_meta_dir, PF_DIFFERS),
    P_STR_F("shlib_directory", DEF_SHLIB_DIR, &var_shlib_dir, PF_DIFFERS),
    P_STR_F("manpage_directory", DEF_MANPAGE_DIR, &var_manpage_dir, PF_DIFFERS),
    P_STR_F("sendmail_path", DEF_SENDMAIL_PATH, &var_sendmail_path, PF_DIFFERS),
    P_STR_F("newaliases_path", DEF_NEWALIAS_PATH, &var_newalias_path, PF_DIFFERS),
    P_STR_F("mailq_path", DEF_MAILQ_PATH, &var_mailq_path, PF_DIFFERS),
    P_STR_F("html_directory", "no", &var_html_dir, PF_DIFFERS),
    P_STR_F("readme_directory", "no", &var_readme_dir, PF_DIFFERS),
    P_STR_F("sample_directory", DEF_CONFIG_DIR, &var_sample_dir, PF_DIFFERS),
    P_STR("process_id_directory", "pid", &var_pid_dir),
    P_STR_F("mail_owner", "postern", &var_mail_owner, PF_DIFFERS),
    P_STR("setgid_group", "postdrop", &var_sgid_group),
    P_STR_F("syslog_name", "${multi_instance_name?{$multi_instance_name}:{postern}}",
	    &var_syslog_name, PF_DIFFERS),
    P_STR("maillog_file", "", &var_maillog_file),
    P_STR_F("mail_name", "postern", &var_mail_name, PF_DIFFERS),
    P_STR_F("mail_version", PACKAGE_VERSION, &var_mail_version, PF_DIFFERS | PF_READONLY),
    P_STR_F("mail_release_date", "20261123", &var_mail_release, PF_DIFFERS | PF_READONLY),
    P_STR("compatibility_level", "0", &var_compat_level),
    P_STR("multi_instance_name", "", &var_multi_instance_name),
    P_STR("multi_instance_group", "", &var_multi_instance_group),
    P_STR("multi_instance_directories", "", &var_multi_instance_dirs),
    P_BOOL("multi_instance_enable", "no", &var_multi_instance_enable),
    P_STR("stress", "", &var_stress),
    P_STR_F("process_name", "", &var_process_name, PF_READONLY | PF_COMPUTED),
    P_STR_F("process_id", "", &var_process_id, PF_READONLY | PF_COMPUTED),
    P_RAW("import_environment",
	  "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME",
	  &var_import_environ),
    P_RAW("export_environment", "TZ MAIL_CONFIG LANG", &var_export_environ),
    P_STR("default_database_type", "hash", &var_default_db_type),
    P_STR("queue_service_name", "qmgr", &var_queue_service),

    /* Host and domain names, networks. */
    P_STR_F("myhostname", "", &var_myhostname, PF_COMPUTED),
    P_STR_F("mydomain", "", &var_mydomain, PF_COMPUTED),
    P_STR("myorigin", "$myhostname", &var_myorigin),
    P_STR("mydestination", "$myhostname, localhost.$mydomain, localhost", &var_mydest),
    P_STR_F("mynetworks", "", &var_mynetworks, PF_COMPUTED),
    P_STR("mynetworks_style", "${{$compatibility_level} <level {2} ? {subnet} : {host}}",
	  &var_mynetworks_style),
    P_STR("relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}",
	  &var_relay_domains),
    P_STR("parent_domain_matches_subdomains",
	  "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps",
	  &var_parent_domain_matches_subdomains),
    P_STR("inet_interfaces", "all", &var_inet_interfaces),
    P_STR("proxy_interfaces", "", &var_proxy_interfaces),
    P_STR("inet_protocols", "all", &var_inet_protocols),
    P_STR("debug_peer_list", "", &var_debug_peer_list),
    P_INT("debug_peer_level", "2", &var_debug_peer_level, 1, 0),

    /* Address classes, tables and transports. */
    P_STR_F("virtual_maps", "", 0, PF_HIDDEN),
    P_STR("virtual_alias_maps", "$virtual_maps", &var_virt_alias_maps),
    P_STR("virtual_alias_domains", "$virtual_alias_maps", &var_virt_alias_doms),
    P_STR("virtual_mailbox_maps", "", &var_virt_mailbox_maps),
    P_STR("virtual_mailbox_domains", "$virtual_mailbox_maps", &var_virt_mailbox_doms),
    P_STR("transport_maps", "", &var_transport_maps),
    P_STR("relayhost", "", &var_relayhost),
    P_STR("local_transport", "local:$myhostname", &var_local_transport),
    P_STR("virtual_transport", "virtual", &var_virt_transport),
    P_STR("relay_transport", "relay", &var_relay_transport),
    P_STR("default_transport", "smtp", &var_def_transport),
    P_STR_F("error_transport", "error", &var_error_transport, PF_POSTERN),
    P_STR("alias_maps", "hash:/etc/aliases, nis:mail.aliases", &var_alias_maps),
    P_STR("alias_database", "hash:/etc/aliases", &var_alias_db_map),
    P_STR("local_recipient_maps", "proxy:unix:passwd.byname $alias_maps", &var_local_rcpt_maps),
    P_STR("relay_recipient_maps", "", &var_relay_rcpt_maps),

    /* Special addresses and notification. */
    P_STR("empty_address_recipient", "MAILER-DAEMON", &var_empty_addr),
    P_STR("double_bounce_sender", "double-bounce", &var_double_bounce_sender),
    P_STR("bounce_notice_recipient", "postmaster", &var_bounce_notice_rcpt),
    P_STR("2bounce_notice_recipient", "postmaster", &var_2bounce_notice_rcpt),
    P_STR("error_notice_recipient", "postmaster", &var_error_rcpt),
    P_STR("notify_classes", "resource, software", &var_notify_classes),
    P_STR("recipient_delimiter", "", &var_rcpt_delim),

    /* Limits and timers. */
    P_INT("line_length_limit", "2048", &var_line_limit, 1, 0),
    P_LONG("message_size_limit", "10240000", &var_message_limit, 0, LONG_MAX),
    P_TIME("ipc_timeout", "3600s", &var_ipc_timeout, 's', 1, 0),
    P_TIME("ipc_idle", "5s", &var_ipc_idle, 's', 1, 0),
    P_TIME("max_idle", "100s", &var_max_idle, 's', 1, 0),
    P_INT("max_use", "100", &var_max_use, 1, 0),
    P_INT("default_process_limit", "100", &var_proc_limit, 1, 0),
    P_INT("hopcount_limit", "50", &var_hopcount_limit, 1, 0),
    P_INT("fork_attempts", "5", &var_fork_attempts, 1, 0),
    P_TIME("fork_delay", "1s", &var_fork_delay, 's', 1, 0),
    P_TIME("daemon_timeout", "18000s", &var_daemon_timeout, 's', 1, 0),
    P_TIME("trigger_timeout", "10s", &var_trigger_timeout, 's', 1, 0),
    P_TIME("in_flow_delay", "1s", &var_in_flow_delay, 's', 0, 10),

    /* Address handling switches. */
    P_BOOL("disable_dns_lookups", "no", &var_disable_dns),
    P_BOOL("swap_bangpath", "yes", &var_swap_bangpath),
    P_BOOL("allow_percent_hack", "yes", &var_allow_percent_hack),
    P_BOOL("append_dot_mydomain", "${{$compatibility_level} <level {1} ? {yes} : {no}}",
	   &var_append_dot_mydomain),
    P_BOOL("append_at_myorigin", "yes", &var_append_at_myorigin),
    P_BOOL("enable_long_queue_ids", "no", &var_long_queue_ids),
    P_BOOL("strict_rfc821_envelopes", "no", &var_strict_rfc821_env),
    P_BOOL("smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}",
	   &var_smtputf8_enable),
    P_BOOL("biff", "yes", &var_biff),
    P_END
};
