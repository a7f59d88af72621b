/* master_cf.h - master.cf parsing: Postfix's eight columns, continuation
 * lines, comments, -o name=value and -o { name = value } overrides, and
 * { ... } argument grouping. Used by master, postern check and the unit
 * test; it never logs and never exits. */
#ifndef MASTER_CF_H
#define MASTER_CF_H
#include "util/sys_defs.h"
#include "util/argv.h"

typedef struct MASTER_CF_ENTRY {
    char   *service;			/* column 1, as written */
    char   *type;			/* inet, unix, unix-dgram, fifo, pass */
    int     private_;			/* 1/0; "-" = 1 */
    int     unpriv;			/* 1/0; "-" = 1 */
    int     chroot;			/* 1/0; "-" = 0 (Postfix 3.x) */
    int     wakeup;			/* seconds; 0 = never */
    int     wakeup_cond;		/* "N?": only when the service is running */
    int     maxproc;			/* -1 = default_process_limit; 0 = no limit */
    char   *command;			/* column 8 */
    ARGV   *overrides;			/* "name=value" from -o */
    ARGV   *args;			/* the other command arguments */
    int     line;			/* first line of the entry */
    char   *cols[7];			/* columns 1-7 as written (postconf -M) */
} MASTER_CF_ENTRY;

typedef struct MASTER_CF {
    MASTER_CF_ENTRY **entries;
    int     count;
    ARGV   *errors;			/* "file: line N: text", in file order */
} MASTER_CF;

/* master_cf_parse_text - parse master.cf text; path names the file in errors.
 * Entries with errors are left out and described in errors. */
MASTER_CF *master_cf_parse_text(const char *text, const char *path);
/* master_cf_read - read and parse a file; NULL with errno if unreadable. */
MASTER_CF *master_cf_read(const char *path);
/* master_cf_free - release everything (NULL allowed). */
void    master_cf_free(MASTER_CF *cf);
/* master_cf_find - the entry with this service name and type, or NULL. */
MASTER_CF_ENTRY *master_cf_find(MASTER_CF *cf, const char *service, const char *type);

#endif
