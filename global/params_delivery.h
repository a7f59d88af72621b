/* params_delivery.h - variables set from the delivery area's main.cf parameters. */
#ifndef PARAMS_DELIVERY_H
#define PARAMS_DELIVERY_H

/* virtual(8) */
extern char *var_virt_mailbox_base;	/* virtual_mailbox_base */
extern char *var_virt_uid_maps;		/* virtual_uid_maps */
extern char *var_virt_gid_maps;		/* virtual_gid_maps */
extern int var_virt_minimum_uid;	/* virtual_minimum_uid */
extern long var_virt_mailbox_limit;	/* virtual_mailbox_limit */
extern char *var_virt_mailbox_lock;	/* virtual_mailbox_lock */

/* local(8) */
extern char *var_home_mailbox;		/* home_mailbox */
extern char *var_mail_spool_dir;	/* mail_spool_directory */
extern char *var_mailbox_command;	/* mailbox_command (unexpanded) */
extern char *var_mailbox_lock;		/* mailbox_delivery_lock */
extern long var_mailbox_limit;		/* mailbox_size_limit */
extern char *var_default_privs;		/* default_privs */
extern char *var_allow_commands;	/* allow_mail_to_commands */
extern char *var_allow_files;		/* allow_mail_to_files */
extern char *var_local_cmd_shell;	/* local_command_shell */
extern char *var_prepend_deliv_hdr;	/* prepend_delivered_header */
extern char *var_forward_path;		/* forward_path (unexpanded) */
extern int var_command_maxtime;		/* command_time_limit (local; pipe: SERVICE_time_limit) */

/* smtp(8) */
extern int var_smtp_conn_tmout;		/* smtp_connect_timeout */
extern int var_smtp_helo_tmout;		/* smtp_helo_timeout */
extern int var_smtp_mail_tmout;		/* smtp_mail_timeout */
extern int var_smtp_rcpt_tmout;		/* smtp_rcpt_timeout */
extern int var_smtp_data0_tmout;	/* smtp_data_init_timeout */
extern int var_smtp_data1_tmout;	/* smtp_data_xfer_timeout */
extern int var_smtp_data2_tmout;	/* smtp_data_done_timeout */
extern int var_smtp_quit_tmout;		/* smtp_quit_timeout */
extern int var_smtp_rset_tmout;		/* smtp_rset_timeout */
extern char *var_smtp_helo_name;	/* smtp_helo_name */
extern char *var_smtp_bind_addr;	/* smtp_bind_address */
extern int var_smtp_skip_5xx;		/* smtp_skip_5xx_greeting */
extern int var_smtp_always_ehlo;	/* smtp_always_send_ehlo */
extern int var_smtp_never_ehlo;		/* smtp_never_send_ehlo */
extern int var_smtp_line_limit;		/* smtp_line_length_limit */
extern char *var_smtp_tcp_port;		/* smtp_tcp_port */
extern int var_smtp_skip_quit_resp;	/* smtp_skip_quit_response */
extern int var_smtp_cache_demand;	/* smtp_connection_cache_on_demand */
extern int var_smtp_cache_conn;		/* smtp_connection_cache_time_limit */
extern int var_smtp_reuse_time;	/* smtp_connection_reuse_time_limit */
extern int var_smtp_reuse_count;	/* smtp_connection_reuse_count_limit */
extern char *var_smtp_cache_dest;	/* smtp_connection_cache_destinations */

/* lmtp(8) */
extern int var_lmtp_conn_tmout;		/* lmtp_connect_timeout */
extern int var_lmtp_lhlo_tmout;		/* lmtp_lhlo_timeout */
extern int var_lmtp_mail_tmout;		/* lmtp_mail_timeout */
extern int var_lmtp_rcpt_tmout;		/* lmtp_rcpt_timeout */
extern int var_lmtp_data0_tmout;	/* lmtp_data_init_timeout */
extern int var_lmtp_data1_tmout;	/* lmtp_data_xfer_timeout */
extern int var_lmtp_data2_tmout;	/* lmtp_data_done_timeout */
extern int var_lmtp_quit_tmout;		/* lmtp_quit_timeout */
extern int var_lmtp_rset_tmout;		/* lmtp_rset_timeout */
extern char *var_lmtp_lhlo_name;	/* lmtp_lhlo_name */
extern char *var_lmtp_bind_addr;	/* lmtp_bind_address */
extern int var_lmtp_skip_5xx;		/* lmtp_skip_5xx_greeting */
extern int var_lmtp_line_limit;		/* lmtp_line_length_limit */
extern char *var_lmtp_tcp_port;		/* lmtp_tcp_port */
extern int var_lmtp_skip_quit_resp;	/* lmtp_skip_quit_response */
extern int var_lmtp_cache_demand;	/* lmtp_connection_cache_on_demand */
extern int var_lmtp_cache_conn;		/* lmtp_connection_cache_time_limit */
extern int var_lmtp_reuse_time;	/* lmtp_connection_reuse_time_limit */
extern int var_lmtp_reuse_count;	/* lmtp_connection_reuse_count_limit */
extern char *var_lmtp_cache_dest;	/* lmtp_connection_cache_destinations */

#endif
