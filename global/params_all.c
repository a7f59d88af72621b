/* params_all.c - the one parameter table: the list of its sections, each
 * defined by the area that owns it (global/params_*.c). */
#include "util/sys_defs.h"
#include "global/mail_params.h"

const PARAM_DEF *const param_sections[] = {
    param_table_core,
    param_table_smtpd,
    param_table_cleanup,
    param_table_qmgr,
    param_table_delivery,
    param_table_master,
    0,
};
