/* smtpd_check.c - the SMTP server's access policy: the restriction lists
 * (smtpd_client/helo/sender/relay/recipient/data_restrictions) with the
 * vocabulary postern knows so far, and the unknown-recipient checks
 * (local_recipient_maps, virtual alias/mailbox maps, relay_recipient_maps)
 * with Postfix's reply texts. */
#include "util/sys_defs.h"
#include "util/msg.h"
#include "util/argv.h"
#include "util/vstr.h"
#include "util/mymalloc.h"
#include "global/mail_params.h"
#include "global/params_smtpd.h"
#include "global/mail_addr.h"
#include "global/mynetworks.h"
#include "global/resolve.h"
#include "global/maps.h"
#include "smtpd/smtpd.h"

static ARGV *client_restr, *helo_restr, *sender_restr, *relay_restr,
       *rcpt_restr, *data_restr;
static MAPS *local_rcpt_maps, *virt_alias_maps, *virt_mbox_maps, *relay_rcpt_maps;
static ADDR_MATCH_LIST *mynetworks_list;
static ADDR_MATCH_LIST *bare_lf_excl_list;
static int bare_lf_excl_is_mynetworks;
static VSTR *reply;

/* maps_or_null - a table list, or NULL when the parameter is empty. */
static MAPS *maps_or_null(const char *title, const char *value)
{
    if (value == 0 || *value == 0)
	return (0);
    return (maps_create(title, value, DICT_FLAG_FOLD_FIX));
}

/* has_working_restriction - non-zero if list can stop relaying (Postfix's startup check). */
static int has_working_restriction(const ARGV *list)
{
    static const char *const names[] = {
	"reject_unauth_destination", "defer_unauth_destination", "reject",
	"defer", "defer_if_permit", "check_relay_domains", 0,
    };
    int     i;
    int     j;

    for (i = 0; i < list->argc; i++)
	for (j = 0; names[j]; j++)
	    if (strcasecmp(list->argv[i], names[j]) == 0)
		return (1);
    return (0);
}

void    smtpd_check_init(void)
{
    char   *nets;
    const char *raw;

    client_restr = argv_split_list(var_smtpd_client_restr);
    helo_restr = argv_split_list(var_smtpd_helo_restr);
    sender_restr = argv_split_list(var_smtpd_sender_restr);
    relay_restr = argv_split_list(var_smtpd_relay_restr);
    rcpt_restr = argv_split_list(var_smtpd_rcpt_restr);
    data_restr = argv_split_list(var_smtpd_data_restr);
    if (!has_working_restriction(relay_restr) && !has_working_restriction(rcpt_restr))
	msg_fatal("in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, "
		  "specify at least one working instance of: reject_unauth_destination, "
		  "defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains");
    local_rcpt_maps = maps_or_null("local_recipient_maps", var_local_rcpt_maps);
    virt_alias_maps = maps_or_null("virtual_alias_maps", var_virt_alias_maps);
    virt_mbox_maps = maps_or_null("virtual_mailbox_maps", var_virt_mailbox_maps);
    relay_rcpt_maps = maps_or_null("relay_recipient_maps", var_relay_rcpt_maps);
    nets = mynetworks_value();
    mynetworks_list = addr_match_list_create("mynetworks", nets);
    raw = mail_conf_lookup("smtpd_forbid_bare_newline_exclusions");
    if (raw == 0 || strcmp(raw, "$mynetworks") == 0 || strcmp(raw, "${mynetworks}") == 0)
	bare_lf_excl_is_mynetworks = 1;
    else
	bare_lf_excl_list = addr_match_list_create("smtpd_forbid_bare_newline_exclusions",
						   var_smtpd_forbid_bare_lf_excl);
    myfree(nets);
    resolve_init();
    reply = vstr_alloc(100);
}

int     smtpd_check_mynetworks(const char *addr)
{
    return (addr_match_list_match(mynetworks_list, addr) > 0);
}

int     smtpd_check_bare_lf_excluded(const char *addr)
{
    if (bare_lf_excl_is_mynetworks)
	return (smtpd_check_mynetworks(addr));
    return (addr_match_list_match(bare_lf_excl_list, addr) > 0);
}

/* rcpt_class - the address class of a recipient (RESOLVE_CLASS_*, maybe with RESOLVE_FLAG_FAIL). */
static int rcpt_class(const char *rcpt)
{
    const char *domain = addr_domain(rcpt);
    VSTR   *buf;
    int     cls;

    if (domain == 0 || *domain == 0)
	return (RESOLVE_CLASS_LOCAL);
    buf = vstr_alloc(strlen(domain) + 1);
    vstr_set(buf, domain);
    /* A trailing dot names the same domain. */
    if (vstr_len(buf) > 1 && vstr_str(buf)[vstr_len(buf) - 1] == '.')
	vstr_truncate(buf, vstr_len(buf) - 1);
    if (resolve_local_domain(vstr_str(buf)))
	cls = RESOLVE_CLASS_LOCAL;
    else
	cls = resolve_class(vstr_str(buf));
    vstr_free(buf);
    return (cls);
}

#define AUTH_DEST_CLASSES (RESOLVE_CLASS_LOCAL | RESOLVE_CLASS_ALIAS \
	| RESOLVE_CLASS_VIRTUAL | RESOLVE_CLASS_RELAY)

/* restrictions - evaluate one list; SMTPD_CHECK_* (reply set on reject). */
static int restrictions(SMTPD_STATE *state, ARGV *list, const char *what,
			        const char *class_text, const char *rcpt)
{
    int     i;
    int     cls;

    (void) state;
    for (i = 0; i < list->argc; i++) {
	const char *name = list->argv[i];

	if (strcasecmp(name, "permit") == 0)
	    return (SMTPD_CHECK_OK);
	if (strcasecmp(name, "reject") == 0) {
	    vstr_sprintf(reply, "%d 5.7.1 <%s>: %s rejected: Access denied",
			 var_reject_code, what, class_text);
	    return (SMTPD_CHECK_REJECT);
	}
	if (strcasecmp(name, "defer") == 0) {
	    vstr_sprintf(reply, "%d 4.7.1 <%s>: %s rejected: Access denied",
			 var_defer_code, what, class_text);
	    return (SMTPD_CHECK_REJECT);
	}
	if (strcasecmp(name, "permit_mynetworks") == 0) {
	    int     m = addr_match_list_match(mynetworks_list, state->addr);

	    if (m > 0)
		return (SMTPD_CHECK_OK);
	    if (m < 0) {
		vstr_sprintf(reply, "451 4.3.0 <%s>: Temporary lookup failure", what);
		return (SMTPD_CHECK_REJECT);
	    }
	    continue;
	}
	if (strcasecmp(name, "permit_sasl_authenticated") == 0
	    || strcasecmp(name, "reject_unauth_pipelining") == 0)
	    continue;				/* no SASL yet; pipelining is enforced by the engine */
	if (rcpt != 0 && (strcasecmp(name, "permit_auth_destination") == 0
			  || strcasecmp(name, "reject_unauth_destination") == 0
			  || strcasecmp(name, "defer_unauth_destination") == 0)) {
	    cls = rcpt_class(rcpt);
	    if (cls & RESOLVE_FLAG_FAIL) {
		vstr_sprintf(reply, "451 4.3.0 <%s>: Temporary lookup failure", rcpt);
		return (SMTPD_CHECK_REJECT);
	    }
	    if (name[0] == 'p' || name[0] == 'P') {
		if (cls & AUTH_DEST_CLASSES)
		    return (SMTPD_CHECK_OK);
		continue;
	    }
	    if (cls & AUTH_DEST_CLASSES)
		continue;
	    if (name[0] == 'r' || name[0] == 'R')
		vstr_sprintf(reply, "%d 5.7.1 <%s>: Relay access denied", var_relay_code, rcpt);
	    else
		vstr_sprintf(reply, "%d 4.7.1 <%s>: Relay access denied",
			     var_relay_code >= 500 ? var_relay_code - 100 : var_relay_code, rcpt);
	    return (SMTPD_CHECK_REJECT);
	}
	msg_warn("unknown smtpd restriction: \"%s\"", name);
	vstr_set(reply, "451 4.3.5 Server configuration error");
	return (SMTPD_CHECK_REJECT);
    }
    return (SMTPD_CHECK_DUNNO);
}

/* find_in - lookup status of addr in maps: 1 found, 0 not, -1 failure. */
static int find_in(MAPS *maps, const char *addr)
{
    int     err = 0;

    if (maps == 0)
	return (0);
    if (maps_addr_find(maps, addr, &err) != 0)
	return (1);
    return (err != 0 ? -1 : 0);
}

/* unknown_rcpt - reject_unlisted_recipient; SMTPD_CHECK_REJECT with reply, or DUNNO. */
static int unknown_rcpt(const char *rcpt)
{
    int     cls = rcpt_class(rcpt);
    int     code = 0;
    const char *table = 0;
    int     st;

    if (cls & RESOLVE_FLAG_FAIL) {
	vstr_sprintf(reply, "451 4.3.0 <%s>: Temporary lookup failure", rcpt);
	return (SMTPD_CHECK_REJECT);
    }
    if (cls & RESOLVE_CLASS_LOCAL) {
	if (local_rcpt_maps == 0)
	    return (SMTPD_CHECK_DUNNO);
	st = find_in(local_rcpt_maps, rcpt);
	code = var_unk_local_rcpt_code;
	table = "local recipient table";
    } else if (cls & RESOLVE_CLASS_ALIAS) {
	st = 0;
	code = var_unk_virt_alias_code;
	table = "virtual alias table";
    } else if (cls & RESOLVE_CLASS_VIRTUAL) {
	st = find_in(virt_mbox_maps, rcpt);
	code = var_unk_virt_mbox_code;
	table = "virtual mailbox table";
    } else if (cls & RESOLVE_CLASS_RELAY) {
	if (relay_rcpt_maps == 0)
	    return (SMTPD_CHECK_DUNNO);
	st = find_in(relay_rcpt_maps, rcpt);
	code = var_unk_relay_rcpt_code;
	table = "relay recipient table";
    } else {
	return (SMTPD_CHECK_DUNNO);
    }
    if (st == 0)
	st = find_in(virt_alias_maps, rcpt);
    if (st > 0)
	return (SMTPD_CHECK_DUNNO);
    if (st < 0) {
	vstr_sprintf(reply, "451 4.3.0 <%s>: Temporary lookup failure", rcpt);
	return (SMTPD_CHECK_REJECT);
    }
    if (var_show_unk_rcpt_table)
	vstr_sprintf(reply, "%d 5.1.1 <%s>: Recipient address rejected: User unknown in %s",
		     code, rcpt, table);
    else
	vstr_sprintf(reply, "%d 5.1.1 <%s>: Recipient address rejected: User unknown",
		     code, rcpt);
    return (SMTPD_CHECK_REJECT);
}

const char *smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt)
{
    int     st;

    if (var_smtpd_delay_reject) {
	if (restrictions(state, client_restr, state->namaddr, "Client host", rcpt) == SMTPD_CHECK_REJECT)
	    return (vstr_str(reply));
	if (state->helo_name
	    && restrictions(state, helo_restr, state->helo_name, "Helo command", rcpt) == SMTPD_CHECK_REJECT)
	    return (vstr_str(reply));
	if (state->sender
	    && restrictions(state, sender_restr, state->sender, "Sender address", rcpt) == SMTPD_CHECK_REJECT)
	    return (vstr_str(reply));
    }
    st = restrictions(state, relay_restr, rcpt, "Recipient address", rcpt);
    if (st == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    st = restrictions(state, rcpt_restr, rcpt, "Recipient address", rcpt);
    if (st == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    if (var_smtpd_reject_unlisted_rcpt && unknown_rcpt(rcpt) == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    return (0);
}

const char *smtpd_check_client(SMTPD_STATE *state)
{
    if (restrictions(state, client_restr, state->namaddr, "Client host", 0) == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    return (0);
}

const char *smtpd_check_helo(SMTPD_STATE *state, const char *helo)
{
    if (restrictions(state, helo_restr, helo, "Helo command", 0) == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    return (0);
}

const char *smtpd_check_mail(SMTPD_STATE *state, const char *sender)
{
    if (restrictions(state, sender_restr, sender, "Sender address", 0) == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    return (0);
}

const char *smtpd_check_data(SMTPD_STATE *state)
{
    if (restrictions(state, data_restr, "DATA", "Data command", 0) == SMTPD_CHECK_REJECT)
	return (vstr_str(reply));
    return (0);
}
