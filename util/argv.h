/* argv.h - NULL-terminated, growable string arrays. */
#ifndef ARGV_H
#define ARGV_H
#include "util/sys_defs.h"

typedef struct ARGV {
    int     argc;
    int     cap;
    char  **argv;			/* argv[argc] == NULL */
} ARGV;

/* argv_alloc - an empty array. */
ARGV   *argv_alloc(int size);
/* argv_free - release the array and its strings (NULL allowed); returns NULL. */
ARGV   *argv_free(ARGV *a);
/* argv_add - append copies of the strings; the list ends with NULL. */
void    argv_add(ARGV *a,...);
/* argv_addn - append a copy of len bytes of s. */
void    argv_addn(ARGV *a, const char *s, size_t len);
/* argv_truncate - keep the first len elements. */
void    argv_truncate(ARGV *a, int len);
/* argv_split - split str at any byte in delim, dropping empty fields. */
ARGV   *argv_split(const char *str, const char *delim);
/* argv_split_list - split a Postfix list value (comma and white space
 * separated), keeping "{ ... }" groups together with the braces removed. */
ARGV   *argv_split_list(const char *str);

/* mystrtok - next token of *bufp separated by delim, or NULL; modifies the buffer. */
char   *mystrtok(char **bufp, const char *delim);
/* mystrtokq - like mystrtok but keeps "{ ... }" groups (unbraced result). */
char   *mystrtokq(char **bufp, const char *delim);
/* alldig - non-zero if s is a non-empty string of decimal digits only. */
int     alldig(const char *s);
/* trimblanks - strip leading and trailing white space in place. */
char   *trimblanks(char *s);
/* lowercase - fold s to lower case in place. */
char   *lowercase(char *s);

#endif
