/* params_qmgr.c - main.cf parameters of the qmgr area (queue manager,
 * bounce, showq, postqueue): their defaults (Postfix 3.7's where Postfix
 * has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_qmgr.h"

int     var_queue_run_delay;
int     var_min_backoff_time;
int     var_max_backoff_time;
int     var_max_queue_time;
int     var_dsn_queue_time;
int     var_dest_con_limit;
int     var_dest_rcpt_limit;
int     var_local_con_limit;
int     var_local_rcpt_limit;
int     var_qmgr_active_limit;
int     var_qmgr_rcpt_limit;
int     var_delay_warn_time;
int     var_init_dest_con;
int     var_qmgr_ipc_timeout;
int     var_qmgr_daemon_timeout;
int     var_transport_retry_time;
long    var_bounce_limit;
char   *var_defer_xports;
char   *var_delay_rcpt;
char   *var_showq_service;
char   *var_bounce_service;
char   *var_defer_service;
int     var_delay_max_res;

const PARAM_DEF param_table_qmgr[] = {
    P_TIME("queue_run_delay", "300s", &var_queue_run_delay, 's', 1, 0),
    P_TIME("minimal_backoff_time", "300s", &var_min_backoff_time, 's', 1, 0),
    P_TIME("maximal_backoff_time", "4000s", &var_max_backoff_time, 's', 1, 0),
    P_TIME("maximal_queue_lifetime", "5d", &var_max_queue_time, 'd', 0, 8640000),
    P_TIME("bounce_queue_lifetime", "5d", &var_dsn_queue_time, 'd', 0, 8640000),
    P_INT("default_destination_concurrency_limit", "20", &var_dest_con_limit, 0, 0),
    P_INT("default_destination_recipient_limit", "50", &var_dest_rcpt_limit, 0, 0),
    P_INT("local_destination_concurrency_limit", "2", &var_local_con_limit, 0, 0),
    P_INT("local_destination_recipient_limit", "1", &var_local_rcpt_limit, 0, 0),
    P_INT("qmgr_message_active_limit", "20000", &var_qmgr_active_limit, 1, 0),
    P_INT("qmgr_message_recipient_limit", "20000", &var_qmgr_rcpt_limit, 1, 0),
    P_TIME("delay_warning_time", "0h", &var_delay_warn_time, 'h', 0, 0),
    P_INT("initial_destination_concurrency", "5", &var_init_dest_con, 1, 0),
    P_TIME("qmgr_ipc_timeout", "60s", &var_qmgr_ipc_timeout, 's', 1, 0),
    P_TIME("qmgr_daemon_timeout", "1000s", &var_qmgr_daemon_timeout, 's', 1, 0),
    P_TIME("transport_retry_time", "60s", &var_transport_retry_time, 's', 1, 0),
    P_LONG("bounce_size_limit", "50000", &var_bounce_limit, 1, 0),
    P_STR("defer_transports", "", &var_defer_xports),
    P_STR("delay_notice_recipient", "postmaster", &var_delay_rcpt),
    P_STR("showq_service_name", "showq", &var_showq_service),
    P_STR("bounce_service_name", "bounce", &var_bounce_service),
    P_STR("defer_service_name", "defer", &var_defer_service),
    P_INT("delay_logging_resolution_limit", "2", &var_delay_max_res, 0, 6),
    P_END
};
