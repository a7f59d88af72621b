/* params_cleanup.h - variables set from the cleanup area's main.cf parameters. */
#ifndef PARAMS_CLEANUP_H
#define PARAMS_CLEANUP_H

extern int var_header_limit;		/* header_size_limit */
extern int var_virt_recur_limit;	/* virtual_alias_recursion_limit */
extern int var_virt_expan_limit;	/* virtual_alias_expansion_limit */
extern int var_virt_addrlen_limit;	/* virtual_alias_address_length_limit */
extern int var_always_add_hdrs;		/* always_add_missing_headers */
extern char *var_local_rwr_clients;	/* local_header_rewrite_clients */
extern int var_dup_filter_limit;	/* duplicate_filter_limit */
extern char *var_drop_hdrs;		/* message_drop_headers */
extern char *var_msg_strip_chars;	/* message_strip_characters */
extern int var_enable_orcpt;		/* enable_original_recipient */
extern char *var_rcpt_witheld;		/* undisclosed_recipients_header */
extern char *var_prop_extension;	/* propagate_unmatched_extensions */
extern char *var_cleanup_service;	/* cleanup_service_name */

#endif
