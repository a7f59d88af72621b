/* params_qmgr.h - variables set from the qmgr area's main.cf parameters. */
#ifndef PARAMS_QMGR_H
#define PARAMS_QMGR_H

#endif
