/* resolve.h - address classes and routing (what Postfix's
 * trivial-rewrite does): which class a recipient domain is in
 * (local, virtual alias, virtual mailbox, relay, default) and which
 * transport and next hop deliver it. Used by smtpd for relay and
 * recipient checks and by qmgr for delivery. */
#ifndef RESOLVE_H
#define RESOLVE_H
#include "util/sys_defs.h"
#include "util/vstr.h"

#define RESOLVE_CLASS_LOCAL	(1<<0)	/* mydestination, inet_interfaces */
#define RESOLVE_CLASS_ALIAS	(1<<1)	/* virtual_alias_domains */
#define RESOLVE_CLASS_VIRTUAL	(1<<2)	/* virtual_mailbox_domains */
#define RESOLVE_CLASS_RELAY	(1<<3)	/* relay_domains */
#define RESOLVE_CLASS_DEFAULT	(1<<4)	/* everything else */
#define RESOLVE_FLAG_FAIL	(1<<8)	/* a table lookup failed: try again later */
#define RESOLVE_FLAG_ERROR	(1<<9)	/* bad address: empty or invalid domain */

typedef struct RESOLVE_REPLY {
    VSTR   *transport;		/* master.cf service name, e.g. "smtp" */
    VSTR   *nexthop;		/* e.g. "[10.0.0.1]:2525", "example.com" */
    VSTR   *recipient;		/* the address, with @$myorigin appended if bare */
    int     flags;			/* RESOLVE_CLASS_* | RESOLVE_FLAG_* */
} RESOLVE_REPLY;

/* resolve_init - open the tables named by the parameters (after mail_conf_init). */
void    resolve_init(void);
/* resolve_reply_alloc - an empty reply. */
RESOLVE_REPLY *resolve_reply_alloc(void);
/* resolve_reply_free - release a reply (NULL allowed). */
void    resolve_reply_free(RESOLVE_REPLY *reply);
/* resolve_addr - classify and route addr (internal form): transport_maps,
 * then the class's transport (local_transport, virtual_transport,
 * relay_transport, default_transport; error for an unknown virtual alias
 * domain user), then relayhost for relay and default classes. */
void    resolve_addr(const char *addr, RESOLVE_REPLY *reply);
/* resolve_local_domain - non-zero if domain is in mydestination or is
 * an address literal of this machine (inet_interfaces/proxy_interfaces). */
int     resolve_local_domain(const char *domain);
/* resolve_class - RESOLVE_CLASS_* of a domain (lower-cased internally); RESOLVE_FLAG_FAIL on table failure. */
int     resolve_class(const char *domain);

#endif
