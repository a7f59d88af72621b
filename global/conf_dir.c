/* conf_dir.c - resolve and export the configuration directory, so that
 * master, postern and every daemon they start agree on one absolute path. */
#include "util/sys_defs.h"
#include <limits.h>
#include "util/msg.h"
#include "global/conf_dir.h"

const char *conf_dir_export(const char *config_dir)
{
    const char *env = getenv("MAIL_CONFIG");

    if (config_dir == 0 && env != 0 && *env != '/')
	config_dir = env;
    if (config_dir && *config_dir != '/') {
	char   *abs = realpath(config_dir, (char *) 0);

	if (abs == 0)
	    msg_fatal("%s: %s", config_dir, strerror(errno));
	config_dir = abs;			/* lives until exit */
    }
    if (config_dir && setenv("MAIL_CONFIG", config_dir, 1) < 0)
	msg_fatal("setenv: %s", strerror(errno));
    return config_dir;
}
