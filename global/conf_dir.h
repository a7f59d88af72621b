/* conf_dir.h - the configuration directory of a command or master. */
#ifndef CONF_DIR_H
#define CONF_DIR_H

/* conf_dir_export - the configuration directory named by -c (config_dir,
 * may be NULL) or by a relative $MAIL_CONFIG, made absolute (daemons run
 * in the queue directory) and exported as MAIL_CONFIG; NULL when neither
 * names one (the compiled-in default applies). Fatal if it does not exist. */
const char *conf_dir_export(const char *config_dir);

#endif
