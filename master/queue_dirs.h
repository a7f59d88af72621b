/* queue_dirs.h - the queue directory tree of an instance: create it with
 * Postfix's owners and modes, or check it (postern start, postern check,
 * master). */
#ifndef QUEUE_DIRS_H
#define QUEUE_DIRS_H
#include "util/sys_defs.h"
#include "util/argv.h"

/* queue_dirs_create - create queue_directory and its subdirectories (as
 * root: owned by mail_owner, maildrop/public group setgid_group) and fix
 * owners/modes of existing ones; problems are appended as text, returns
 * -1 if something could not be created. Needs mail_conf_init. */
int     queue_dirs_create(ARGV *problems);
/* queue_dirs_check - report missing directories, wrong owners, wrong
 * groups (maildrop, public) and wrong modes; returns the number of
 * problems appended. */
int     queue_dirs_check(ARGV *problems);

#endif
