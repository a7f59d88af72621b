/* params_master.h - variables set from the master area's main.cf parameters. */
#ifndef PARAMS_MASTER_H
#define PARAMS_MASTER_H

#endif
