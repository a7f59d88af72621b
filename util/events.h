/* events.h - a small poll(2)-based event loop: descriptor readiness and
 * timers, for the multiplexed daemons (master, qmgr, trigger servers). */
#ifndef EVENTS_H
#define EVENTS_H
#include "util/sys_defs.h"

#define EVENT_READ	(1<<0)
#define EVENT_WRITE	(1<<1)
#define EVENT_XCPT	(1<<2)	/* error or hang-up on the descriptor */
#define EVENT_TIME	(1<<3)

typedef void (*EVENT_FN) (int event, void *context);

/* event_enable_read - call fn(EVENT_READ, ctx) whenever fd is readable. */
void    event_enable_read(int fd, EVENT_FN fn, void *context);
/* event_enable_write - call fn(EVENT_WRITE, ctx) whenever fd is writable. */
void    event_enable_write(int fd, EVENT_FN fn, void *context);
/* event_disable_readwrite - stop watching fd. */
void    event_disable_readwrite(int fd);
/* event_request_timer - call fn(EVENT_TIME, ctx) once after delay_ms;
 * replaces an existing timer with the same fn and context. */
void    event_request_timer(EVENT_FN fn, void *context, long delay_ms);
/* event_cancel_timer - cancel a pending timer; returns non-zero if one existed. */
int     event_cancel_timer(EVENT_FN fn, void *context);
/* event_loop - wait at most max_delay_ms (-1: until something happens) and
 * dispatch what is ready; returns after one round. */
void    event_loop(long max_delay_ms);
/* event_time - the time of the current round (cheap). */
time_t  event_time(void);

#endif
