/* mac_expand.h - expansion of Postfix-style $name macros in a string:
 * $name, ${name}, $(name), ${name?text}, ${name:text},
 * ${name?{text}:{text}}, and ${{text} OP {text} ? {text} : {text}} with
 * OP one of == != < <= > >= and <level <=level >level >=level. */
#ifndef MAC_EXPAND_H
#define MAC_EXPAND_H
#include "util/sys_defs.h"
#include "util/vstr.h"

/* Lookup callback: the raw (unexpanded) value of name, or NULL if undefined. */
typedef const char *(*MAC_EXP_LOOKUP_FN) (const char *name, void *ctx);

#define MAC_EXP_OK	0
#define MAC_EXP_UNDEF	(1<<0)		/* a name was undefined (expanded to "") */
#define MAC_EXP_SYNTAX	(1<<1)		/* syntax error (text copied as is) */
#define MAC_EXP_LOOP	(1<<2)		/* recursion too deep (loop) */

#define MAC_EXP_MAX_DEPTH 100		/* recursion limit */

/* mac_expand - append value to result with every macro expanded; values
 * returned by lookup are expanded recursively. Returns MAC_EXP_* flags. */
int     mac_expand(VSTR *result, const char *value, MAC_EXP_LOOKUP_FN lookup, void *ctx);
/* mac_expand_undef_hook - if set, called with each undefined name met. */
extern void (*mac_expand_undef_hook) (const char *name, void *ctx);
/* mac_compat_level_cmp - compare compatibility levels like "3.6", "2",
 * "3.6.1": <0, 0, >0; *err set non-zero if either is malformed. */
int     mac_compat_level_cmp(const char *a, const char *b, int *err);

#endif
