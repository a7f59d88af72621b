/* params_delivery.c - main.cf parameters of the delivery area: their defaults
 * (Postfix 3.7's where Postfix has the parameter) and variables. */
#include "util/sys_defs.h"
#include "global/mail_params.h"
#include "global/params_delivery.h"

const PARAM_DEF param_table_delivery[] = {
    P_END
};
