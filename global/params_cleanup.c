/* params_cleanup.c - main.cf parameters of the cleanup area: their defaults
 * (Postfix 3.7's where Postfix has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_cleanup.h"

int     var_header_limit;
int     var_virt_recur_limit;
int     var_virt_expan_limit;
int     var_virt_addrlen_limit;
int     var_always_add_hdrs;
char   *var_local_rwr_clients;
int     var_dup_filter_limit;
char   *var_drop_hdrs;
char   *var_msg_strip_chars;
int     var_enable_orcpt;
char   *var_rcpt_witheld;
char   *var_prop_extension;
char   *var_cleanup_service;

const PARAM_DEF param_table_cleanup[] = {
    P_INT("header_size_limit", "102400", &var_header_limit, 1, 0),
    P_INT("virtual_alias_recursion_limit", "1000", &var_virt_recur_limit, 1, 0),
    P_INT("virtual_alias_expansion_limit", "1000", &var_virt_expan_limit, 1, 0),
    P_INT("virtual_alias_address_length_limit", "1000", &var_virt_addrlen_limit, 1, 0),
    P_BOOL("always_add_missing_headers", "no", &var_always_add_hdrs),
    P_STR("local_header_rewrite_clients", "permit_inet_interfaces", &var_local_rwr_clients),
    P_INT("duplicate_filter_limit", "1000", &var_dup_filter_limit, 0, 0),
    P_STR("message_drop_headers", "bcc, content-length, resent-bcc, return-path", &var_drop_hdrs),
    P_STR("message_strip_characters", "", &var_msg_strip_chars),
    P_BOOL("enable_original_recipient", "yes", &var_enable_orcpt),
    P_STR("undisclosed_recipients_header", "", &var_rcpt_witheld),
    P_STR("propagate_unmatched_extensions", "canonical, virtual", &var_prop_extension),
    P_STR("cleanup_service_name", "cleanup", &var_cleanup_service),
    P_END
};
