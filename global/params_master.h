/* params_master.h - variables set from the master area's main.cf parameters. */
#ifndef PARAMS_MASTER_H
#define PARAMS_MASTER_H

extern char *var_service_name;		/* service_name: master.cf name of this daemon */
extern char *var_master_disable;	/* master_service_disable */
extern int var_service_throttle_time;	/* service_throttle_time */

#endif
