/* reactor.c: a lane's wait for its transfers: curl's sockets and timer in
 * an epoll set of the lane's own, with an eventfd to wake it. What the
 * transfers carry is transfer.c's; the lane's turns are deliver.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deliver-int.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/xalloc.h"

/*
 * libcurl's socket interface: curl says which sockets to watch for what
 * (on_socket) and when to call it back (on_timer), and is told only about
 * the sockets that are ready. curl_multi_perform would instead walk every
 * transfer, trying to read each idle one, for every completion.
 */
int64_t
reactor_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Each epoll_ctl is a system call, and curl asks for a change of interest
 * two or three times per transfer (in for the answer, removed while the
 * connection idles in its cache, in again for the next request). So the
 * engine keeps what epoll has for each socket and changes it only when it
 * must: a connection curl stops watching stays registered for reading,
 * and is taken out only if it becomes readable while idle (the receiver
 * closed it) or when it was watched for writing (which would fire at
 * once). Sockets curl opens pass through on_open, which forgets whatever
 * an earlier socket of the same number had registered.
 */
static uint32_t *
watch_slot(struct lane *d, curl_socket_t fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= d->nwatch) {
		size_t n = d->nwatch ? d->nwatch : 64;

		while (n <= (size_t)fd)
			n *= 2;
		d->watch = xreallocarray(d->watch, n, sizeof(*d->watch));
		memset(d->watch + d->nwatch, 0, (n - d->nwatch) * sizeof(*d->watch));
		d->nwatch = n;
	}
	return &d->watch[fd];
}

#define WATCH_WANTED 0x80000000u /* curl watches it (else idle in the cache) */

static int
on_socket(CURL *h, curl_socket_t fd, int what, void *arg, void *socketp)
{
	struct lane *d = arg;
	struct epoll_event ev;
	uint32_t *w = watch_slot(d, fd), events;

	(void)h;
	(void)socketp;
	if (w == NULL)
		return 0;
	if (what == CURL_POLL_REMOVE) {
		if (*w & EPOLLOUT) {
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
			*w = 0;
		}
		*w &= ~WATCH_WANTED;
		return 0;
	}
	events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if ((*w & ~WATCH_WANTED) != events) {
		memset(&ev, 0, sizeof(ev));
		ev.events = events;
		ev.data.fd = fd;
		if (epoll_ctl(d->epfd, (*w & ~WATCH_WANTED) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
			      fd, &ev) != 0 &&
		    epoll_ctl(d->epfd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
			      &ev) != 0)
			log_warn("delivery: cannot watch socket %d", fd);
	}
	*w = events | WATCH_WANTED;
	return 0;
}

/* A socket curl does not watch became ready: an idle connection the
 * receiver closed (curl finds out when it next tries it). Stop watching
 * it, or level-triggered epoll would report it again at once. */
static bool
unwatched_event(struct lane *d, int fd)
{
	uint32_t *w = (size_t)fd < d->nwatch ? &d->watch[fd] : NULL;

	if (w == NULL || (*w & WATCH_WANTED))
		return false;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	*w = 0;
	return true;
}

static int
on_timer(CURLM *m, long timeout_ms, void *arg)
{
	struct lane *d = arg;

	(void)m;
	d->timer_at = timeout_ms < 0 ? 0 : reactor_now_ms() + timeout_ms;
	return 0;
}

/* The lane's epoll set and wake-up, and curl told to use them. */
int
reactor_open(struct lane *d)
{
	const struct curlapi *api = d->api;
	struct epoll_event ev;

	if ((d->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (d->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return err_set(SR_ESYS, "cannot set up the delivery loop: %s", strerror(errno));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = d->wakefd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->wakefd, &ev) != 0)
		return err_set(SR_ESYS, "cannot set up the delivery loop: %s", strerror(errno));
	api->multi_setopt(d->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	api->multi_setopt(d->multi, CURLMOPT_SOCKETDATA, d);
	api->multi_setopt(d->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	api->multi_setopt(d->multi, CURLMOPT_TIMERDATA, d);
	return 0;
}

void
reactor_close(struct lane *d)
{
	free(d->watch);
	d->watch = NULL;
	d->nwatch = 0;
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->wakefd >= 0)
		close(d->wakefd);
	d->epfd = d->wakefd = -1;
}

void
reactor_forget(struct lane *d, curl_socket_t fd)
{
	uint32_t *w = watch_slot(d, fd);

	if (w != NULL)
		*w = 0;
}

void
reactor_wake(struct lane *d)
{
	uint64_t one = 1;

	if (write(d->wakefd, &one, sizeof(one)) < 0)
		return; /* already pending: it wakes anyway */
}

void
reactor_pump(struct lane *d, int wait_ms)
{
	struct epoll_event ev[64];
	int64_t now = reactor_now_ms();
	int running, n, timeout = wait_ms < 0 ? 0 : wait_ms;
	uint64_t wakes;

	if (d->timer_at != 0 && d->timer_at - now < timeout)
		timeout = d->timer_at > now ? (int)(d->timer_at - now) : 0;
	n = epoll_wait(d->epfd, ev, 64, timeout);
	for (int i = 0; i < n; i++) {
		int flags = 0;

		if (ev[i].data.fd == d->wakefd) {
			if (read(d->wakefd, &wakes, sizeof(wakes)) < 0)
				continue;
			continue;
		}
		if (unwatched_event(d, ev[i].data.fd))
			continue;
		if (ev[i].events & EPOLLIN)
			flags |= CURL_CSELECT_IN;
		if (ev[i].events & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			flags |= CURL_CSELECT_ERR;
		d->api->multi_socket_action(d->multi, ev[i].data.fd, flags, &running);
	}
	if (d->timer_at != 0 && reactor_now_ms() >= d->timer_at) {
		d->timer_at = 0;
		d->api->multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	transfer_collect(d);
}
