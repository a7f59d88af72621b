/* events.c - a small poll(2)-based event loop for the multiplexed
 * daemons (master, qmgr, trigger servers): per-descriptor read/write
 * callbacks and one-shot timers, dispatched one round per event_loop().
 * Callbacks may enable, disable or re-request anything, including
 * themselves, while a round is being dispatched. */
#include "util/sys_defs.h"
#include <poll.h>
#include <time.h>
#include "util/events.h"
#include "util/mymalloc.h"
#include "util/msg.h"

typedef struct EVENT_FD {
    int     fd;
    int     mask;			/* EVENT_READ | EVENT_WRITE */
    EVENT_FN rfn;
    void   *rctx;
    EVENT_FN wfn;
    void   *wctx;
} EVENT_FD;

typedef struct EVENT_TIMER {
    struct EVENT_TIMER *next;
    long long when_ms;			/* monotonic milliseconds */
    EVENT_FN fn;
    void   *ctx;
    unsigned long seq;			/* creation order: FIFO among equals */
} EVENT_TIMER;

static EVENT_FD *event_fds;		/* dense array, in no order */
static int event_fd_count;
static int event_fd_cap;
static EVENT_TIMER *event_timers;	/* sorted by when_ms, then seq */
static unsigned long event_seq;
static time_t event_present;

/* event_now_ms - monotonic clock in milliseconds. */

static long long event_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t  event_time(void)
{
    if (event_present == 0)
	event_present = time((time_t *) 0);
    return event_present;
}

static EVENT_FD *event_find(int fd)
{
    for (int i = 0; i < event_fd_count; i++)
	if (event_fds[i].fd == fd)
	    return &event_fds[i];
    return 0;
}

static EVENT_FD *event_find_or_add(int fd)
{
    EVENT_FD *ef;

    if (fd < 0)
	msg_panic("event: bad file descriptor %d", fd);
    if ((ef = event_find(fd)) != 0)
	return ef;
    if (event_fd_count >= event_fd_cap) {
	event_fd_cap = event_fd_cap ? 2 * event_fd_cap : 16;
	event_fds = myrealloc(event_fds, event_fd_cap * sizeof(*event_fds));
    }
    ef = &event_fds[event_fd_count++];
    memset(ef, 0, sizeof(*ef));
    ef->fd = fd;
    return ef;
}

void    event_enable_read(int fd, EVENT_FN fn, void *context)
{
    EVENT_FD *ef = event_find_or_add(fd);

    ef->mask |= EVENT_READ;
    ef->rfn = fn;
    ef->rctx = context;
}

void    event_enable_write(int fd, EVENT_FN fn, void *context)
{
    EVENT_FD *ef = event_find_or_add(fd);

    ef->mask |= EVENT_WRITE;
    ef->wfn = fn;
    ef->wctx = context;
}

void    event_disable_readwrite(int fd)
{
    for (int i = 0; i < event_fd_count; i++) {
	if (event_fds[i].fd == fd) {
	    event_fds[i] = event_fds[--event_fd_count];
	    return;
	}
    }
}

void    event_request_timer(EVENT_FN fn, void *context, long delay_ms)
{
    EVENT_TIMER *t;
    EVENT_TIMER **pp;

    if (delay_ms < 0)
	delay_ms = 0;
    (void) event_cancel_timer(fn, context);
    t = (EVENT_TIMER *) mymalloc(sizeof(*t));
    t->when_ms = event_now_ms() + delay_ms;
    t->fn = fn;
    t->ctx = context;
    t->seq = event_seq++;
    for (pp = &event_timers; *pp && (*pp)->when_ms <= t->when_ms; pp = &(*pp)->next)
	 /* void */ ;
    t->next = *pp;
    *pp = t;
}

int     event_cancel_timer(EVENT_FN fn, void *context)
{
    EVENT_TIMER **pp;
    EVENT_TIMER *t;

    for (pp = &event_timers; (t = *pp) != 0; pp = &t->next) {
	if (t->fn == fn && t->ctx == context) {
	    *pp = t->next;
	    myfree(t);
	    return 1;
	}
    }
    return 0;
}

void    event_loop(long max_delay_ms)
{
    struct pollfd *pfd;
    EVENT_FD *snap;
    int     count;
    long    wait_ms = max_delay_ms;
    long long now;
    int     n;

    /* Wait no longer than the first timer. */
    if (event_timers) {
	long long left = event_timers->when_ms - event_now_ms();

	if (left < 0)
	    left = 0;
	if (wait_ms < 0 || left < wait_ms)
	    wait_ms = (long) (left > 0x7fffffff ? 0x7fffffff : left);
    }

    /* Snapshot the descriptor table: callbacks may change it. */
    count = event_fd_count;
    pfd = (struct pollfd *) mymalloc((count ? count : 1) * sizeof(*pfd));
    snap = (EVENT_FD *) mymalloc((count ? count : 1) * sizeof(*snap));
    for (int i = 0; i < count; i++) {
	snap[i] = event_fds[i];
	pfd[i].fd = snap[i].fd;
	pfd[i].events = ((snap[i].mask & EVENT_READ) ? POLLIN : 0)
	    | ((snap[i].mask & EVENT_WRITE) ? POLLOUT : 0);
	pfd[i].revents = 0;
    }
    n = poll(pfd, (nfds_t) count, wait_ms > 0x7fffffffL ? 0x7fffffff : (int) wait_ms);
    if (n < 0 && errno != EINTR)
	msg_fatal("event_loop: poll: %m");
    event_present = time((time_t *) 0);

    /* Descriptor events, each only if still registered with the same callback. */
    for (int i = 0; n > 0 && i < count; i++) {
	EVENT_FD *cur;
	short   rev = pfd[i].revents;

	if (rev == 0)
	    continue;
	if (rev & POLLNVAL) {
	    /* A caller closed it without event_disable_readwrite(). */
	    msg_warn("event_loop: descriptor %d was closed while registered", pfd[i].fd);
	    event_disable_readwrite(pfd[i].fd);
	    continue;
	}
	if ((rev & (POLLIN | POLLHUP | POLLERR))
	    && (cur = event_find(snap[i].fd)) != 0
	    && (cur->mask & EVENT_READ) && cur->rfn == snap[i].rfn
	    && cur->rctx == snap[i].rctx) {
	    cur->rfn((rev & POLLIN) ? EVENT_READ : EVENT_XCPT, cur->rctx);
	}
	if ((rev & (POLLOUT | POLLHUP | POLLERR))
	    && (cur = event_find(snap[i].fd)) != 0
	    && (cur->mask & EVENT_WRITE) && cur->wfn == snap[i].wfn
	    && cur->wctx == snap[i].wctx) {
	    cur->wfn((rev & POLLOUT) ? EVENT_WRITE : EVENT_XCPT, cur->wctx);
	}
    }
    myfree(pfd);
    myfree(snap);

    /* Timers that are due now; ones requested by callbacks wait a round. */
    now = event_now_ms();
    {
	unsigned long limit = event_seq;
	EVENT_TIMER *t;

	while ((t = event_timers) != 0 && t->when_ms <= now && t->seq < limit) {
	    EVENT_FN fn = t->fn;
	    void   *ctx = t->ctx;

	    event_timers = t->next;
	    myfree(t);
	    fn(EVENT_TIME, ctx);
	}
    }
}
