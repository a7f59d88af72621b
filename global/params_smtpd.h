/* params_smtpd.h - variables set from the smtpd area's main.cf parameters. */
#ifndef PARAMS_SMTPD_H
#define PARAMS_SMTPD_H

#endif
