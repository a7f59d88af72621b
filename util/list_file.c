/* list_file.c - split a Postfix list value and expand its "/file" items
 * into the words of the file, for the address and domain lists of
 * global/mynetworks.c and global/resolve.c. */
#include "util/sys_defs.h"
#include "util/list_file.h"
#include "util/msg.h"
#include "util/mymalloc.h"
#include "util/vstr.h"

/* list_file_words - append to out the words of path, negated if neg. */
static void list_file_words(ARGV *out, const char *path, int neg, const char *title,
			            size_t file_max)
{
    FILE   *fp = fopen(path, "r");
    char   *line = NULL;
    size_t  cap = 0, total = 0;
    ssize_t n;
    VSTR   *v = vstr_alloc(100);

    if (fp == NULL)
	msg_fatal("%s: open %s: %s", title, path, strerror(errno));
    while ((n = getline(&line, &cap, fp)) >= 0) {
	char   *hash, *bp = line, *tok;

	if ((total += (size_t) n) > file_max)
	    msg_fatal("%s: file %s is too large", title, path);
	if ((hash = strchr(line, '#')) != NULL)
	    *hash = 0;
	while ((tok = mystrtok(&bp, ", \t\r\n")) != NULL) {
	    vstr_sprintf(v, "%s%s", neg ? "!" : "", tok);
	    argv_add(out, vstr_str(v), (char *) 0);
	}
    }
    free(line);
    fclose(fp);
    vstr_free(v);
}

ARGV   *list_split_files(const char *title, const char *value, size_t file_max)
{
    ARGV   *raw = argv_split_list(value ? value : "");
    ARGV   *out = argv_alloc(raw->argc + 1);
    VSTR   *v = vstr_alloc(100);

    for (int i = 0; i < raw->argc; i++) {
	const char *p = raw->argv[i];
	int     neg = 0;

	while (*p == '!')
	    neg = !neg, p++;
	if (*p == '/') {
	    list_file_words(out, p, neg, title, file_max);
	} else {
	    vstr_sprintf(v, "%s%s", neg ? "!" : "", p);
	    argv_add(out, vstr_str(v), (char *) 0);
	}
    }
    vstr_free(v);
    argv_free(raw);
    return out;
}
