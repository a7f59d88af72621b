/* postconf.h - modules of the postconf command (postconf/ only). */
#ifndef POSTCONF_H
#define POSTCONF_H
#include "util/sys_defs.h"
#include "util/argv.h"
#include "util/vstr.h"

/* One master.cf service entry. */
typedef struct PC_SERVICE {
    char   *name;			/* service name (column 1) */
    char   *type;			/* column 2 */
    char   *cols[5];			/* private unpriv chroot wakeup maxproc */
    ARGV   *args;			/* command and arguments, normalized */
    int     line;			/* first line in master.cf */
} PC_SERVICE;

/* pc_master_read - parse path (NULL list, with a warning, if it does not exist); entries
 * end with a NULL; *count gets the number. Fatal on a malformed line. */
PC_SERVICE **pc_master_read(const char *path, int *count);
/* pc_master_free - release what pc_master_read returned. */
void    pc_master_free(PC_SERVICE **list);
/* pc_master_format - append one entry to out as postconf -M does (fold: -Mf). */
void    pc_master_format(VSTR *out, PC_SERVICE *svc, int fold);
/* pc_master_print - print one entry as postconf -M does (fold: -Mf). */
void    pc_master_print(PC_SERVICE *svc, int fold);
/* pc_master_match - 1 if svc matches "name", "name/type" or "/type"-less patterns. */
int     pc_master_match(PC_SERVICE *svc, const char *pattern);
/* pc_master_params - the -o name=value settings of svc, as "name=value" strings (caller frees). */
ARGV   *pc_master_params(PC_SERVICE *svc);

/* Edit operations of pc_master_edit. */
#define PC_EDIT_ENTRY	1		/* -M name/type=entry */
#define PC_REMOVE_ENTRY	2		/* -MX name/type */
#define PC_COMMENT_ENTRY 3		/* -M# name/type */
#define PC_EDIT_PARAM	4		/* -P name/type/param=value */
#define PC_REMOVE_PARAM	5		/* -PX name/type/param */

/* pc_master_edit - master.cf read from fp with the edits of args applied,
 * as Postfix's postconf edits it (changed entries rewritten in -Mf form,
 * everything else verbatim); fatal on a malformed argument. */
VSTR   *pc_master_edit(FILE *fp, const char *path, int op, char **args);

#endif
