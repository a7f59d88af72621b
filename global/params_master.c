/* params_master.c - main.cf parameters of the master area: their defaults
 * (Postfix 3.7's where Postfix has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_master.h"

char   *var_service_name;
char   *var_master_disable;
int     var_service_throttle_time;

const PARAM_DEF param_table_master[] = {
    /* Set by the server skeleton from -n (empty elsewhere), as in Postfix. */
    P_RAW("service_name", "", &var_service_name),
    P_STR("master_service_disable", "", &var_master_disable),
    P_TIME("service_throttle_time", "60s", &var_service_throttle_time, 's', 1, 0),
    P_END
};
