/* test_events.c - unit test of the event loop: timers fire once, in
 * order, can be replaced and cancelled; descriptor callbacks fire when
 * ready and may disable themselves; event_loop honours its wait limit. */
#include "util/sys_defs.h"
#include <stdarg.h>
#include <time.h>
#include "t/tap.h"
#include "util/events.h"

static char order[64];
static int order_len;
static int reads;

static void timer_fn(int event, void *ctx)
{
    if (event == EVENT_TIME && order_len < (int) sizeof(order) - 1)
	order[order_len++] = *(const char *) ctx;
}

static void read_fn(int event, void *ctx)
{
    int     fd = *(int *) ctx;
    char    buf[16];

    if (event == EVENT_READ && read(fd, buf, sizeof(buf)) > 0)
	reads++;
    event_disable_readwrite(fd);		/* once only */
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int     main(void)
{
    static const char a = 'a', b = 'b', c = 'c', d = 'd';
    int     pfd[2];
    long long t0;

    event_request_timer(timer_fn, (void *) &b, 40);
    event_request_timer(timer_fn, (void *) &a, 10);
    event_request_timer(timer_fn, (void *) &c, 60);
    event_request_timer(timer_fn, (void *) &d, 20);
    ok(event_cancel_timer(timer_fn, (void *) &d) == 1, "cancel a pending timer");
    ok(event_cancel_timer(timer_fn, (void *) &d) == 0, "cancel it again: none left");
    event_request_timer(timer_fn, (void *) &c, 30);	/* replaces the 60 ms one */
    t0 = now_ms();
    for (int i = 0; i < 50 && order_len < 3; i++)
	event_loop(1000);
    order[order_len] = 0;
    is_str(order, "acb", "timers fire once each, in time order, replaced one at its new time");
    ok(now_ms() - t0 < 900, "event_loop waits only until the next timer");

    t0 = now_ms();
    event_loop(50);
    ok(now_ms() - t0 >= 40, "event_loop honours max_delay with nothing to do");
    ok(order_len == 3, "no timer fires twice");

    if (pipe(pfd) < 0)
	return 1;
    event_enable_read(pfd[0], read_fn, (void *) &pfd[0]);
    event_loop(0);
    ok(reads == 0, "no read callback while nothing is readable");
    if (write(pfd[1], "x", 1) != 1)
	return 1;
    event_loop(1000);
    ok(reads == 1, "read callback when readable");
    if (write(pfd[1], "y", 1) != 1)
	return 1;
    event_loop(20);
    ok(reads == 1, "a callback that disabled itself is not called again");
    ok(event_time() > 0, "event_time is set");
    close(pfd[0]);
    close(pfd[1]);
    return tap_done();
}
