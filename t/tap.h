/* tap.h - minimal Test Anything Protocol output for the C unit tests. */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
    tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline void tap_vok(int pass, const char *file, int line, const char *fmt, va_list ap)
{
    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass) {
	tap_failed++;
	printf("#   failed at %s line %d\n", file, line);
    }
    fflush(stdout);
}

static inline int tap_ok(int pass, const char *file, int line, const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_vok(pass, file, line, fmt, ap);
    va_end(ap);
    return pass;
}

static inline int tap_is_str(const char *got, const char *want, const char *file,
			             int line, const char *fmt,...)
{
    int     pass = (got == NULL && want == NULL)
    || (got && want && strcmp(got, want) == 0);
    va_list ap;

    va_start(ap, fmt);
    tap_vok(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass)
	printf("#   got: '%s'\n#  want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    return pass;
}

static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
