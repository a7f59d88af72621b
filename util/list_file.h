/* list_file.h - Postfix list values whose "/file" items stand for the
 * words in a file (mynetworks, mydestination, relay_domains, ...). */
#ifndef LIST_FILE_H
#define LIST_FILE_H
#include "util/sys_defs.h"
#include "util/argv.h"

/* list_split_files - argv_split_list(value) (NULL: empty), with each item
 * that is "/path" after its "!" prefixes replaced by the words of that
 * file (white space or commas separate them, '#' starts a comment to the
 * end of the line), each prefixed with "!" when the item was negated; other
 * items are kept with their "!" prefixes reduced to at most one. Fatal,
 * naming title, when a file cannot be opened or exceeds file_max bytes. */
ARGV   *list_split_files(const char *title, const char *value, size_t file_max);

#endif
