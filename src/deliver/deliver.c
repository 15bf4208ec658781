/* deliver.c: the delivery engine and its lanes. Due outbox rows are
 * claimed in batches (outbox.c), sent by delivery.threads lanes, each a
 * libcurl multi handle (its connection cache is the speed) in a thread of
 * its own with its share of delivery.concurrency in flight, and their
 * outcomes written back in batched transactions: sent, retrying with
 * backoff and jitter (Retry-After honoured), or dead. A lane waits in
 * reactor.c and takes each row through transfer.c; what a message says is
 * payload.c's and mail.c's; signing is webhook.c's. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "deliver-int.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/deliver.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/outbox.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/xalloc.h"

/* ------------------------------------------------------------ helpers */

/*
 * Whether the environment names a proxy: a non-empty variable whose name
 * ends in _proxy, in either case, other than no_proxy. libcurl reads its
 * proxy variables (<scheme>_proxy, all_proxy, no_proxy and their
 * upper-case forms) anew for every transfer; when none is set the engine
 * says so once, and when one is, libcurl reads them as it always does.
 */
static bool
proxy_in_environment(void)
{
	for (char **v = environ; v != NULL && *v != NULL; v++) {
		const char *eq = strchr(*v, '='), *suffix = "_proxy";
		size_t n = eq ? (size_t)(eq - *v) : 0, k = strlen(suffix);

		if (eq == NULL || eq[1] == '\0' || n <= k ||
		    strncasecmp(*v + n - k, suffix, k) != 0)
			continue;
		if (n == strlen("no_proxy") && strncasecmp(*v, "no_proxy", n) == 0)
			continue;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ results */

/* Count an outcome in the lane's stats; a sent message's time from
 * queueing goes to the observer. */
static struct outbox_result *
lane_count(struct lane *d, struct outbox_result *r)
{
	if (strcmp(r->row.state, "sent") == 0) {
		d->stats.sent++;
		if (d->e->observe != NULL)
			d->e->observe(d->e->observe_arg,
				      (double)(r->row.sent_at - r->row.created_at) / 1000);
	} else if (strcmp(r->row.state, "dead") == 0)
		d->stats.dead++;
	else
		d->stats.retried++;
	return r;
}

/* An attempt's outcome into the lane's batch, counted, and a sent one's
 * time from queueing told to the observer. */
struct outbox_result *
lane_record(struct lane *d, const struct store_outbox *row, const char *state, int status,
	    const char *error, int64_t next_at)
{
	return lane_count(d, outbox_record(&d->results, row, state, status, error, next_at));
}

/* A failed attempt: retried after the backoff, or dead once the retries
 * are spent (outbox_fail). */
void
lane_fail(struct lane *d, const struct store_outbox *row, int status, const char *error,
	  long retry_after)
{
	lane_count(d, outbox_fail(&d->results, &d->c->delivery, row, status, error,
				  retry_after));
}

/* Write the outcomes so far and, when claim, take the next due rows, in
 * one transaction under the engine's store lock (outbox_sync). */
static int
lane_sync(struct lane *d, bool claim)
{
	struct store_outbox *rows = NULL;
	size_t n = 0;
	int rc;

	if (d->results.n == 0 && !claim)
		return 0;
	pthread_mutex_lock(&d->e->store_lock);
	rc = outbox_sync(&rows, &n, d->s, &d->e->cursor, &d->results, claim, CLAIM_BATCH);
	pthread_mutex_unlock(&d->e->store_lock);
	if (rc != 0)
		return rc;
	outbox_results_clear(&d->results);
	d->last_flush = clock_now_ms();
	if (claim) {
		store_outbox_free(d->queue, d->nqueue);
		d->queue = rows;
		d->nqueue = n;
		d->qhead = 0;
	}
	return 0;
}

/* ------------------------------------------------------------ lanes */

static struct transfer *
free_transfer(struct lane *d)
{
	for (int i = 0; i < d->nxfers; i++)
		if (!d->xfers[i].busy)
			return &d->xfers[i];
	return NULL;
}

static void
lane_free(struct lane *d)
{
	if (d->multi != NULL)
		d->api->multi_cleanup(d->multi);
	for (int i = 0; d->xfers != NULL && i < d->nxfers; i++)
		if (d->xfers[i].h != NULL)
			d->api->easy_cleanup(d->xfers[i].h);
	free(d->xfers);
	store_outbox_free(d->queue, d->nqueue);
	outbox_results_release(&d->results);
	secrets_free(d->chans, d->c != NULL ? d->c->nchannels : 0);
	paycache_release(d);
	reactor_close(d);
	free(d->why);
	free(d->dead_why);
}

/* Set up a lane with nxfers transfers. */
static int
lane_open(struct lane *d, struct deliver *e, const struct curlapi *api, int nxfers)
{
	const struct conf *c = e->c;
	int rc;

	d->e = e;
	d->api = api;
	d->c = c;
	d->epfd = d->wakefd = -1;
	d->s = e->store;
	if ((d->multi = api->multi_init()) == NULL)
		return err_set(SR_ESYS, "cannot start libcurl");
	d->nxfers = nxfers;
	d->xfers = xcalloc((size_t)nxfers, sizeof(*d->xfers));
	for (int i = 0; i < nxfers; i++) {
		d->xfers[i].lane = d;
		if ((d->xfers[i].h = api->easy_init()) == NULL)
			return err_set(SR_ESYS, "cannot start libcurl");
	}
	api->multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)nxfers);
	if ((rc = reactor_open(d)) != 0)
		return rc;
	d->chans = secrets_open(c);
	outbox_results_init(&d->results);
	d->last_flush = clock_now_ms();
	return 0;
}

/* When the next row this lane could take falls due (outbox_next_due). */
static int
lane_next_due(struct lane *d, int64_t *next)
{
	struct deliver *e = d->e;
	int rc;

	pthread_mutex_lock(&e->store_lock);
	rc = outbox_next_due(next, d->s, &e->cursor);
	pthread_mutex_unlock(&e->store_lock);
	return rc;
}

/*
 * One turn of a lane: write outcomes and claim rows when it is time,
 * start what is claimed, wait up to wait_ms (less with transfers in
 * flight, or until the next row falls due) and collect what finished.
 */
static int
lane_step(struct lane *d, int wait_ms, bool *idle)
{
	struct transfer *t;
	int rc;
	int64_t now = clock_now_ms(), next = 0;

	*idle = false;
	if (d->qhead == d->nqueue && d->inflight < d->nxfers) {
		if ((rc = lane_sync(d, true)) != 0)
			return rc;
	} else if (d->results.n >= RESULT_BATCH || now - d->last_flush >= FLUSH_MS) {
		if ((rc = lane_sync(d, false)) != 0)
			return rc;
	}
	while (d->qhead < d->nqueue && (t = free_transfer(d)) != NULL)
		transfer_start(d, t, &d->queue[d->qhead++]);
	if (d->inflight == 0 && d->qhead == d->nqueue) {
		if ((rc = lane_sync(d, false)) != 0)
			return rc;
		*idle = true;
		if (wait_ms <= 0)
			return 0;
		if ((rc = lane_next_due(d, &next)) != 0)
			return rc;
		if (next != 0 && next - now < wait_ms)
			wait_ms = next > now ? (int)(next - now) : 0;
	}
	/* With transfers in flight, come back at least every 50 ms to start
	 * more and write outcomes; idle, sleep until woken or due. */
	reactor_pump(d, d->inflight > 0 ? 50 : wait_ms);
	return 0;
}

/* Stop a lane: rows claimed but not started go back untouched, transfers
 * in flight get up to grace_ms to finish, and every outcome is written. */
static int
lane_drain(struct lane *d, int grace_ms)
{
	int64_t end = reactor_now_ms() + grace_ms;

	pthread_mutex_lock(&d->e->store_lock);
	outbox_unclaim(&d->e->cursor, d->nqueue - d->qhead);
	pthread_mutex_unlock(&d->e->store_lock);
	store_outbox_free(d->queue, d->nqueue);
	d->queue = NULL;
	d->nqueue = d->qhead = 0;
	while (d->inflight > 0 && reactor_now_ms() < end)
		reactor_pump(d, 50);
	for (int i = 0; i < d->nxfers; i++)
		if (d->xfers[i].busy) {
			d->api->multi_remove_handle(d->multi, d->xfers[i].h);
			transfer_release(d, &d->xfers[i]);
		}
	d->inflight = 0;
	return lane_sync(d, false);
}

/* A lane's own thread (every lane but the first, which the caller runs
 * with deliver_step). A failed turn is logged and tried again a second
 * later, as sitrepd does with the first lane; with --once it ends the
 * lane and deliver_run reports it. */
static void *
lane_main(void *arg)
{
	struct lane *d = arg;
	bool idle;
	int rc;

	while (!atomic_load(&d->e->stop)) {
		if ((rc = lane_step(d, d->e->once ? 0 : 1000, &idle)) != 0) {
			if (d->e->once) {
				d->rc = rc;
				d->why = xstrdup(err_last());
				break;
			}
			log_warnx("delivery: %s", err_last());
			reactor_pump(d, 1000);
		} else if (d->e->once && idle)
			break;
	}
	if ((rc = lane_drain(d, d->rc ? 0 : d->e->grace_ms)) != 0 && d->rc == 0) {
		d->rc = rc;
		d->why = xstrdup(err_last());
	}
	return NULL;
}

/* ------------------------------------------------------------ engine */

static int
lock_store(struct deliver *e)
{
	char *path = xasprintf("%s-deliver.lock", e->c->database);

	e->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (e->lock_fd < 0) {
		int rc = err_set(SR_ESYS, "cannot open the delivery lock '%s': %s", path,
				 strerror(errno));

		free(path);
		return rc;
	}
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int rc = err_set(SR_EREFUSED, "another delivery engine (sitrepd or 'sitrep "
				 "deliver') is already sending from '%s'; it holds '%s'",
				 e->c->database, path);

		free(path);
		return rc;
	}
	free(path);
	return 0;
}

static void
deliver_free(struct deliver *e)
{
	for (int i = 0; e->lanes != NULL && i < e->nlanes; i++)
		lane_free(&e->lanes[i]);
	free(e->lanes);
	pthread_mutex_destroy(&e->store_lock);
	store_close(e->store);
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	free(e);
}

int
deliver_open(struct deliver **out, const struct conf *c)
{
	struct deliver *e = xcalloc(1, sizeof(*e));
	const struct curlapi *api;
	int rc, nlanes = c->delivery.threads;

	*out = NULL;
	e->c = c;
	e->lock_fd = -1;
	pthread_mutex_init(&e->store_lock, NULL);
	atomic_init(&e->stop, false);
	if ((rc = lock_store(e)) != 0 || (api = curlapi_load()) == NULL ||
	    (rc = store_open(&e->store, c->database)) != 0) {
		rc = rc ? rc : SR_ESYS;
		deliver_free(e);
		return rc;
	}
	/* A lost outcome means a message is sent again, which at-least-once
	 * delivery allows; the engine does not wait for the disk per batch. */
	store_relax_durability(e->store);
	/* A fan-out writes its outcomes into the same few outbox and index
	 * pages batch after batch: checkpointing every 10,000 pages (a WAL of
	 * 40 MB at most) instead of 1,000 copies each of them a tenth as
	 * often. */
	store_set_checkpoint(e->store, 10000);
	/* libcurl brought libcrypto in: hash with its faster SHA-256 */
	(void)digest_accelerate();
	e->env_proxy = proxy_in_environment();
	if (nlanes > c->delivery.concurrency)
		nlanes = c->delivery.concurrency;
	if (nlanes < 1)
		nlanes = 1;
	e->lanes = xcalloc((size_t)nlanes, sizeof(*e->lanes));
	for (int i = 0; i < nlanes; i++)
		e->lanes[i].epfd = e->lanes[i].wakefd = -1;
	/* concurrency shared out: the first lanes take the remainder */
	for (int i = 0; i < nlanes; i++) {
		int share = c->delivery.concurrency / nlanes +
			    (i < c->delivery.concurrency % nlanes);

		e->nlanes = i + 1;
		if ((rc = lane_open(&e->lanes[i], e, api, share)) != 0) {
			deliver_free(e);
			return rc;
		}
	}
	*out = e;
	return 0;
}

/* The other lanes' threads, started at the first step (after the
 * observer is set, which they read). */
static int
lanes_start(struct deliver *e)
{
	sigset_t all, old;
	int rc = 0;

	/* Signals are the caller's to take: its wait is what they must cut
	 * short. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 1; i < e->nlanes && rc == 0; i++) {
		struct lane *d = &e->lanes[i];

		if (d->threaded)
			continue;
		if ((rc = pthread_create(&d->thread, NULL, lane_main, d)) != 0)
			rc = err_set(SR_ESYS, "cannot start a delivery thread: %s", strerror(rc));
		else
			d->threaded = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Wait for the lanes' threads to end; the first error a lane met. */
static int
lanes_join(struct deliver *e)
{
	int rc = 0;

	for (int i = 1; i < e->nlanes; i++) {
		struct lane *d = &e->lanes[i];

		if (!d->threaded)
			continue;
		pthread_join(d->thread, NULL);
		d->threaded = false;
		if (d->rc != 0 && rc == 0)
			rc = err_set(d->rc, "%s", d->why ? d->why : "a delivery thread failed");
	}
	return rc;
}

int
deliver_step(struct deliver *e, int wait_ms, bool *idle)
{
	int rc;

	if ((rc = lanes_start(e)) != 0)
		return rc;
	return lane_step(&e->lanes[0], wait_ms, idle);
}

void
deliver_set_observer(struct deliver *e, void (*fn)(void *arg, double seconds), void *arg)
{
	e->observe = fn;
	e->observe_arg = arg;
}

void
deliver_wakeup(struct deliver *e)
{
	for (int i = 0; i < e->nlanes; i++)
		reactor_wake(&e->lanes[i]);
}

int
deliver_close(struct deliver *e, int grace_ms, struct deliver_stats *stats)
{
	int rc, rc2;

	e->grace_ms = grace_ms;
	atomic_store(&e->stop, true);
	deliver_wakeup(e);
	rc = lane_drain(&e->lanes[0], grace_ms);
	if ((rc2 = lanes_join(e)) != 0 && rc == 0)
		rc = rc2;
	if (stats != NULL) {
		memset(stats, 0, sizeof(*stats));
		for (int i = 0; i < e->nlanes; i++) {
			stats->sent += e->lanes[i].stats.sent;
			stats->retried += e->lanes[i].stats.retried;
			stats->dead += e->lanes[i].stats.dead;
		}
	}
	deliver_free(e);
	return rc;
}

int
deliver_run(struct deliver_stats *stats, const struct conf *c,
	    bool once, volatile sig_atomic_t *stop)
{
	struct deliver *e;
	bool idle;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((rc = deliver_open(&e, c)) != 0)
		return rc;
	/* Once: what is due now; a retry falling due meanwhile waits. */
	if (once) {
		e->once = true;
		e->cursor.horizon = clock_now_ms();
	}
	while (rc == 0 && (stop == NULL || !*stop)) {
		rc = deliver_step(e, once ? 0 : 1000, &idle);
		if (once && idle)
			break;
	}
	/* Once: the other lanes end when they have nothing left either. */
	if (rc == 0 && once && (stop == NULL || !*stop))
		rc = lanes_join(e);
	if (rc != 0) {
		struct deliver_stats ignored;
		char *why = xstrdup(err_last());

		deliver_close(e, 0, &ignored);
		rc = err_set(rc, "%s", why);
		free(why);
		return rc;
	}
	return deliver_close(e, 4000, stats);
}
