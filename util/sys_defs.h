/* sys_defs.h - the one header every postern source includes first. */
#ifndef SYS_DEFS_H
#define SYS_DEFS_H

#include "config.h"

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn)) void

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
