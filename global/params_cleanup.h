/* params_cleanup.h - variables set from the cleanup area's main.cf parameters. */
#ifndef PARAMS_CLEANUP_H
#define PARAMS_CLEANUP_H

#endif
