/* params_qmgr.h - variables set from the qmgr area's main.cf parameters. */
#ifndef PARAMS_QMGR_H
#define PARAMS_QMGR_H

extern int var_queue_run_delay;		/* queue_run_delay (s) */
extern int var_min_backoff_time;	/* minimal_backoff_time (s) */
extern int var_max_backoff_time;	/* maximal_backoff_time (s) */
extern int var_max_queue_time;		/* maximal_queue_lifetime (s) */
extern int var_dsn_queue_time;		/* bounce_queue_lifetime (s) */
extern int var_dest_con_limit;		/* default_destination_concurrency_limit */
extern int var_dest_rcpt_limit;		/* default_destination_recipient_limit */
extern int var_local_con_limit;		/* local_destination_concurrency_limit */
extern int var_local_rcpt_limit;	/* local_destination_recipient_limit */
extern int var_qmgr_active_limit;	/* qmgr_message_active_limit */
extern int var_qmgr_rcpt_limit;		/* qmgr_message_recipient_limit */
extern int var_delay_warn_time;		/* delay_warning_time (s, 0 = off) */
extern int var_init_dest_con;		/* initial_destination_concurrency */
extern int var_qmgr_ipc_timeout;	/* qmgr_ipc_timeout (s) */
extern int var_qmgr_daemon_timeout;	/* qmgr_daemon_timeout (s) */
extern int var_transport_retry_time;	/* transport_retry_time (s) */
extern long var_bounce_limit;		/* bounce_size_limit (bytes) */
extern char *var_defer_xports;		/* defer_transports */
extern char *var_delay_rcpt;		/* delay_notice_recipient */
extern char *var_showq_service;		/* showq_service_name */
extern char *var_bounce_service;	/* bounce_service_name */
extern char *var_defer_service;		/* defer_service_name */
extern int var_delay_max_res;		/* delay_logging_resolution_limit */

#endif
