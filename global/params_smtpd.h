/* params_smtpd.h - variables set from the smtpd area's main.cf parameters. */
#ifndef PARAMS_SMTPD_H
#define PARAMS_SMTPD_H

extern char *var_smtpd_banner;		/* smtpd_banner */
extern int var_smtpd_tmout;		/* smtpd_timeout */
extern int var_smtpd_rcpt_limit;	/* smtpd_recipient_limit */
extern int var_smtpd_rcpt_overlim;	/* smtpd_recipient_overshoot_limit */
extern int var_smtpd_soft_erlim;	/* smtpd_soft_error_limit */
extern int var_smtpd_hard_erlim;	/* smtpd_hard_error_limit */
extern int var_smtpd_err_sleep;		/* smtpd_error_sleep_time */
extern int var_smtpd_junk_cmd_limit;	/* smtpd_junk_command_limit */
extern char *var_smtpd_relay_restr;	/* smtpd_relay_restrictions */
extern char *var_smtpd_rcpt_restr;	/* smtpd_recipient_restrictions */
extern char *var_smtpd_client_restr;	/* smtpd_client_restrictions */
extern char *var_smtpd_helo_restr;	/* smtpd_helo_restrictions */
extern char *var_smtpd_sender_restr;	/* smtpd_sender_restrictions */
extern char *var_smtpd_data_restr;	/* smtpd_data_restrictions */
extern int var_disable_vrfy_cmd;	/* disable_vrfy_command */
extern int var_allow_min_user;	/* allow_min_user: addresses may start with '-' */
extern int var_smtpd_helo_required;	/* smtpd_helo_required */
extern int var_smtpd_delay_reject;	/* smtpd_delay_reject */
extern int var_smtpd_reject_unlisted_rcpt;	/* smtpd_reject_unlisted_recipient */
extern char *var_smtpd_forbid_bare_lf;	/* smtpd_forbid_bare_newline: no, normalize, yes, reject */
extern char *var_smtpd_forbid_bare_lf_excl;	/* smtpd_forbid_bare_newline_exclusions */
extern int var_smtpd_forbid_bare_lf_code;	/* smtpd_forbid_bare_newline_reject_code */
extern int var_smtpd_forbid_unauth_pipe;	/* smtpd_forbid_unauth_pipelining */
extern int var_smtpd_peername_lookup;	/* smtpd_peername_lookup */
extern int var_unk_local_rcpt_code;	/* unknown_local_recipient_reject_code */
extern int var_unk_virt_mbox_code;	/* unknown_virtual_mailbox_reject_code */
extern int var_unk_virt_alias_code;	/* unknown_virtual_alias_reject_code */
extern int var_unk_relay_rcpt_code;	/* unknown_relay_recipient_reject_code */
extern int var_relay_code;		/* relay_domains_reject_code */
extern int var_reject_code;		/* reject_code */
extern int var_defer_code;		/* defer_code */
extern int var_show_unk_rcpt_table;	/* show_user_unknown_table_name */

#endif
