/* params_smtpd.c - main.cf parameters of the smtpd area: their defaults
 * (Postfix 3.7's where Postfix has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_smtpd.h"

char   *var_smtpd_banner;
int     var_smtpd_tmout;
int     var_smtpd_rcpt_limit;
int     var_smtpd_rcpt_overlim;
int     var_smtpd_soft_erlim;
int     var_smtpd_hard_erlim;
int     var_smtpd_err_sleep;
int     var_smtpd_junk_cmd_limit;
char   *var_smtpd_relay_restr;
char   *var_smtpd_rcpt_restr;
char   *var_smtpd_client_restr;
char   *var_smtpd_helo_restr;
char   *var_smtpd_sender_restr;
char   *var_smtpd_data_restr;
int     var_disable_vrfy_cmd;
int     var_allow_min_user;
int     var_smtpd_helo_required;
int     var_smtpd_delay_reject;
int     var_smtpd_reject_unlisted_rcpt;
char   *var_smtpd_forbid_bare_lf;
char   *var_smtpd_forbid_bare_lf_excl;
int     var_smtpd_forbid_bare_lf_code;
int     var_smtpd_forbid_unauth_pipe;
int     var_smtpd_peername_lookup;
int     var_unk_local_rcpt_code;
int     var_unk_virt_mbox_code;
int     var_unk_virt_alias_code;
int     var_unk_relay_rcpt_code;
int     var_relay_code;
int     var_reject_code;
int     var_defer_code;
int     var_show_unk_rcpt_table;

#define P_BOOL_F(n, d, v, f)	{ n, PT_BOOL, d, v, 0, 0, 0, f }
#define P_STR_F(n, d, v, f)	{ n, PT_STR, d, v, 0, 0, 0, f }

const PARAM_DEF param_table_smtpd[] = {
    P_STR("smtpd_banner", "$myhostname ESMTP $mail_name", &var_smtpd_banner),
    P_TIME("smtpd_timeout", "${stress?{10}:{300}}s", &var_smtpd_tmout, 's', 1, 0),
    P_INT("smtpd_recipient_limit", "1000", &var_smtpd_rcpt_limit, 1, 0),
    P_INT("smtpd_recipient_overshoot_limit", "1000", &var_smtpd_rcpt_overlim, 1, 0),
    P_INT("smtpd_soft_error_limit", "10", &var_smtpd_soft_erlim, 1, 0),
    P_INT("smtpd_hard_error_limit", "${stress?{1}:{20}}", &var_smtpd_hard_erlim, 1, 0),
    P_TIME("smtpd_error_sleep_time", "1s", &var_smtpd_err_sleep, 's', 0, 0),
    P_INT("smtpd_junk_command_limit", "${stress?{1}:{100}}", &var_smtpd_junk_cmd_limit, 1, 0),
    P_STR("smtpd_relay_restrictions",
	  "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination}}",
	  &var_smtpd_relay_restr),
    P_STR("smtpd_recipient_restrictions", "", &var_smtpd_rcpt_restr),
    P_STR("smtpd_client_restrictions", "", &var_smtpd_client_restr),
    P_STR("smtpd_helo_restrictions", "", &var_smtpd_helo_restr),
    P_STR("smtpd_sender_restrictions", "", &var_smtpd_sender_restr),
    P_STR("smtpd_data_restrictions", "", &var_smtpd_data_restr),
    P_BOOL("disable_vrfy_command", "no", &var_disable_vrfy_cmd),
    P_BOOL("allow_min_user", "no", &var_allow_min_user),
    P_BOOL("smtpd_helo_required", "no", &var_smtpd_helo_required),
    P_BOOL("smtpd_delay_reject", "yes", &var_smtpd_delay_reject),
    P_BOOL("smtpd_reject_unlisted_recipient", "yes", &var_smtpd_reject_unlisted_rcpt),
    /* Security (DESIGN.md): no, normalize (= yes), reject. Postfix 3.7: no. */
    P_STR_F("smtpd_forbid_bare_newline", "reject", &var_smtpd_forbid_bare_lf, PF_DIFFERS),
    P_STR("smtpd_forbid_bare_newline_exclusions", "$mynetworks", &var_smtpd_forbid_bare_lf_excl),
    P_INT("smtpd_forbid_bare_newline_reject_code", "550", &var_smtpd_forbid_bare_lf_code, 400, 599),
    /* Security (DESIGN.md): as Postfix 3.9; Postfix 3.7: no. */
    P_BOOL_F("smtpd_forbid_unauth_pipelining", "yes", &var_smtpd_forbid_unauth_pipe, PF_DIFFERS),
    P_BOOL("smtpd_peername_lookup", "yes", &var_smtpd_peername_lookup),
    P_INT("unknown_local_recipient_reject_code", "550", &var_unk_local_rcpt_code, 400, 599),
    P_INT("unknown_virtual_mailbox_reject_code", "550", &var_unk_virt_mbox_code, 400, 599),
    P_INT("unknown_virtual_alias_reject_code", "550", &var_unk_virt_alias_code, 400, 599),
    P_INT("unknown_relay_recipient_reject_code", "550", &var_unk_relay_rcpt_code, 400, 599),
    P_INT("relay_domains_reject_code", "554", &var_relay_code, 400, 599),
    P_INT("reject_code", "554", &var_reject_code, 400, 599),
    P_INT("defer_code", "450", &var_defer_code, 400, 599),
    P_BOOL("show_user_unknown_table_name", "yes", &var_show_unk_rcpt_table),
    P_END
};
