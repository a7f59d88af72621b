/* params_delivery.c - main.cf parameters of the delivery area (local,
 * virtual, smtp/lmtp, error, discard): their defaults (Postfix 3.7's where
 * Postfix has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"

/* virtual(8) */
char   *var_virt_mailbox_base;
char   *var_virt_uid_maps;
char   *var_virt_gid_maps;
int     var_virt_minimum_uid;
long    var_virt_mailbox_limit;
char   *var_virt_mailbox_lock;

/* local(8) */
char   *var_home_mailbox;
char   *var_mail_spool_dir;
char   *var_mailbox_command;
char   *var_mailbox_lock;
long    var_mailbox_limit;
char   *var_default_privs;
char   *var_allow_commands;
char   *var_allow_files;
char   *var_local_cmd_shell;
char   *var_prepend_deliv_hdr;
char   *var_forward_path;
int     var_command_maxtime;

/* smtp(8) */
int     var_smtp_conn_tmout;
int     var_smtp_helo_tmout;
int     var_smtp_mail_tmout;
int     var_smtp_rcpt_tmout;
int     var_smtp_data0_tmout;
int     var_smtp_data1_tmout;
int     var_smtp_data2_tmout;
int     var_smtp_quit_tmout;
int     var_smtp_rset_tmout;
char   *var_smtp_helo_name;
char   *var_smtp_bind_addr;
int     var_smtp_skip_5xx;
int     var_smtp_always_ehlo;
int     var_smtp_never_ehlo;
int     var_smtp_line_limit;
char   *var_smtp_tcp_port;
int     var_smtp_skip_quit_resp;
int     var_smtp_cache_demand;
int     var_smtp_cache_conn;
int     var_smtp_reuse_time;
int     var_smtp_reuse_count;
char   *var_smtp_cache_dest;

/* lmtp(8): the same client under its other name */
int     var_lmtp_conn_tmout;
int     var_lmtp_lhlo_tmout;
int     var_lmtp_mail_tmout;
int     var_lmtp_rcpt_tmout;
int     var_lmtp_data0_tmout;
int     var_lmtp_data1_tmout;
int     var_lmtp_data2_tmout;
int     var_lmtp_quit_tmout;
int     var_lmtp_rset_tmout;
char   *var_lmtp_lhlo_name;
char   *var_lmtp_bind_addr;
int     var_lmtp_skip_5xx;
int     var_lmtp_line_limit;
char   *var_lmtp_tcp_port;
int     var_lmtp_skip_quit_resp;
int     var_lmtp_cache_demand;
int     var_lmtp_cache_conn;
int     var_lmtp_reuse_time;
int     var_lmtp_reuse_count;
char   *var_lmtp_cache_dest;

const PARAM_DEF param_table_delivery[] = {
    P_STR("virtual_mailbox_base", "", &var_virt_mailbox_base),
    P_STR("virtual_uid_maps", "", &var_virt_uid_maps),
    P_STR("virtual_gid_maps", "", &var_virt_gid_maps),
    P_INT("virtual_minimum_uid", "100", &var_virt_minimum_uid, 0, 0),
    P_LONG("virtual_mailbox_limit", "51200000", &var_virt_mailbox_limit, 0, 0),
    P_STR("virtual_mailbox_lock", "fcntl, dotlock", &var_virt_mailbox_lock),

    P_STR("home_mailbox", "", &var_home_mailbox),
    P_STR("mail_spool_directory", "/var/mail", &var_mail_spool_dir),
    P_RAW("mailbox_command", "", &var_mailbox_command),
    P_STR("mailbox_delivery_lock", "fcntl, dotlock", &var_mailbox_lock),
    P_LONG("mailbox_size_limit", "51200000", &var_mailbox_limit, 0, 0),
    P_STR("default_privs", "nobody", &var_default_privs),
    P_STR("allow_mail_to_commands", "alias, forward", &var_allow_commands),
    P_STR("allow_mail_to_files", "alias, forward", &var_allow_files),
    P_STR("local_command_shell", "", &var_local_cmd_shell),
    P_STR("prepend_delivered_header", "command, file, forward", &var_prepend_deliv_hdr),
    P_RAW("forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward", &var_forward_path),
    P_TIME("command_time_limit", "1000s", &var_command_maxtime, 's', 1, 0),

    P_TIME("smtp_connect_timeout", "30s", &var_smtp_conn_tmout, 's', 0, 0),
    P_TIME("smtp_helo_timeout", "300s", &var_smtp_helo_tmout, 's', 0, 0),
    P_TIME("smtp_mail_timeout", "300s", &var_smtp_mail_tmout, 's', 0, 0),
    P_TIME("smtp_rcpt_timeout", "300s", &var_smtp_rcpt_tmout, 's', 0, 0),
    P_TIME("smtp_data_init_timeout", "120s", &var_smtp_data0_tmout, 's', 0, 0),
    P_TIME("smtp_data_xfer_timeout", "180s", &var_smtp_data1_tmout, 's', 0, 0),
    P_TIME("smtp_data_done_timeout", "600s", &var_smtp_data2_tmout, 's', 0, 0),
    P_TIME("smtp_quit_timeout", "300s", &var_smtp_quit_tmout, 's', 0, 0),
    P_TIME("smtp_rset_timeout", "20s", &var_smtp_rset_tmout, 's', 0, 0),
    P_STR("smtp_helo_name", "$myhostname", &var_smtp_helo_name),
    P_STR("smtp_bind_address", "", &var_smtp_bind_addr),
    P_BOOL("smtp_skip_5xx_greeting", "yes", &var_smtp_skip_5xx),
    P_BOOL("smtp_always_send_ehlo", "yes", &var_smtp_always_ehlo),
    P_BOOL("smtp_never_send_ehlo", "no", &var_smtp_never_ehlo),
    P_INT("smtp_line_length_limit", "998", &var_smtp_line_limit, 0, 0),
    P_STR("smtp_tcp_port", "smtp", &var_smtp_tcp_port),
    P_BOOL("smtp_skip_quit_response", "yes", &var_smtp_skip_quit_resp),
    P_BOOL("smtp_connection_cache_on_demand", "yes", &var_smtp_cache_demand),
    P_TIME("smtp_connection_cache_time_limit", "2s", &var_smtp_cache_conn, 's', 1, 0),
    P_TIME("smtp_connection_reuse_time_limit", "300s", &var_smtp_reuse_time, 's', 1, 0),
    P_INT("smtp_connection_reuse_count_limit", "0", &var_smtp_reuse_count, 0, 0),
    P_STR("smtp_connection_cache_destinations", "", &var_smtp_cache_dest),

    P_TIME("lmtp_connect_timeout", "0s", &var_lmtp_conn_tmout, 's', 0, 0),
    P_TIME("lmtp_lhlo_timeout", "300s", &var_lmtp_lhlo_tmout, 's', 0, 0),
    P_TIME("lmtp_mail_timeout", "300s", &var_lmtp_mail_tmout, 's', 0, 0),
    P_TIME("lmtp_rcpt_timeout", "300s", &var_lmtp_rcpt_tmout, 's', 0, 0),
    P_TIME("lmtp_data_init_timeout", "120s", &var_lmtp_data0_tmout, 's', 0, 0),
    P_TIME("lmtp_data_xfer_timeout", "180s", &var_lmtp_data1_tmout, 's', 0, 0),
    P_TIME("lmtp_data_done_timeout", "600s", &var_lmtp_data2_tmout, 's', 0, 0),
    P_TIME("lmtp_quit_timeout", "300s", &var_lmtp_quit_tmout, 's', 0, 0),
    P_TIME("lmtp_rset_timeout", "20s", &var_lmtp_rset_tmout, 's', 0, 0),
    P_STR("lmtp_lhlo_name", "$myhostname", &var_lmtp_lhlo_name),
    P_STR("lmtp_bind_address", "", &var_lmtp_bind_addr),
    P_BOOL("lmtp_skip_5xx_greeting", "yes", &var_lmtp_skip_5xx),
    P_INT("lmtp_line_length_limit", "998", &var_lmtp_line_limit, 0, 0),
    P_STR("lmtp_tcp_port", "24", &var_lmtp_tcp_port),
    P_BOOL("lmtp_skip_quit_response", "no", &var_lmtp_skip_quit_resp),
    P_BOOL("lmtp_connection_cache_on_demand", "yes", &var_lmtp_cache_demand),
    P_TIME("lmtp_connection_cache_time_limit", "2s", &var_lmtp_cache_conn, 's', 1, 0),
    P_TIME("lmtp_connection_reuse_time_limit", "300s", &var_lmtp_reuse_time, 's', 1, 0),
    P_INT("lmtp_connection_reuse_count_limit", "0", &var_lmtp_reuse_count, 0, 0),
    P_STR("lmtp_connection_cache_destinations", "", &var_lmtp_cache_dest),
    P_END
};
