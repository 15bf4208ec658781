/* outbox.c: the outbox's rules: queueing a message for its recipients,
 * claiming due rows in order, what an attempt's outcome makes of a row
 * (sent, a retry after a backoff with jitter, dead) and requeueing a dead
 * one. The SQL is store-outbox.c's; sending is the engine's (deliver.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/outbox.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/xalloc.h"

int
outbox_queue(int64_t *count, struct store *s, const struct outbox_msg *m)
{
	struct store_outbox row;
	int rc;

	*count = 0;
	if (m->subscribers != NULL && m->maintenance_id != 0)
		return store_outbox_add_maintenance_subscribers(count, s, m->subscribers,
			m->maintenance_id, m->channel, m->now, m->subject, m->payload);
	if (m->subscribers != NULL)
		return store_outbox_add_subscribers(count, s, m->subscribers, m->incident_id,
			m->update_id, m->channel, m->now, m->subject, m->payload);
	memset(&row, 0, sizeof(row));
	row.incident_id = m->incident_id;
	row.update_id = m->update_id;
	/* the row only lends its strings to the store */
	row.channel = (char *)m->channel;
	snprintf(row.type, sizeof(row.type), "%s", m->type);
	row.recipient = (char *)m->recipient;
	row.subject = (char *)m->subject;
	row.payload = (char *)m->payload;
	row.from_name = (char *)m->from_name;
	row.created_at = m->now;
	row.next_at = m->due_at;
	row.page_id = m->page_id;
	row.contact = (char *)m->contact;
	if ((rc = store_outbox_add(s, &row)) == 0)
		*count = 1;
	return rc;
}

void
outbox_results_init(struct outbox_results *r)
{
	memset(r, 0, sizeof(*r));
	if (digest_random(&r->rng, sizeof(r->rng), "the retry jitter") != 0 || r->rng == 0)
		r->rng = (uint64_t)clock_now_ms() | 1;
}

void
outbox_results_clear(struct outbox_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].row.last_error);
		free(r->v[i].disable_reason);
	}
	r->n = 0;
}

void
outbox_results_release(struct outbox_results *r)
{
	outbox_results_clear(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

struct outbox_result *
outbox_record(struct outbox_results *r, const struct store_outbox *row, const char *state,
	      int status, const char *error, int64_t next_at)
{
	struct outbox_result *o;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 512;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	o = &r->v[r->n++];
	memset(o, 0, sizeof(*o));
	o->row.id = row->id;
	memcpy(o->row.state, state, strlen(state) + 1); /* a literal that fits */
	o->row.attempts = row->attempts + 1;
	o->row.next_at = next_at;
	o->row.last_status = status;
	o->row.last_error = error ? xstrdup(error) : NULL;
	o->row.created_at = row->created_at;
	if (strcmp(state, "sent") == 0)
		o->row.sent_at = clock_now_ms();
	return o;
}

/* xorshift64*: jitter needs spread, not secrecy */
static uint64_t
outbox_random(uint64_t *rng)
{
	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return *rng * 2685821657736338717ULL;
}

int64_t
outbox_backoff(const struct conf_delivery *cd, int attempts, long retry_after, uint64_t *rng)
{
	size_t k = (size_t)attempts;
	int64_t wait_ms;

	if (k >= cd->nbackoff)
		k = cd->nbackoff - 1;
	wait_ms = cd->backoff[k] * 1000;
	wait_ms += (int64_t)(outbox_random(rng) % (uint64_t)(wait_ms * 2 / 5 + 1)) - wait_ms / 5;
	if (retry_after >= 0)
		wait_ms = (retry_after > 86400 ? 86400 : retry_after) * 1000;
	return wait_ms;
}

struct outbox_result *
outbox_fail(struct outbox_results *r, const struct conf_delivery *cd,
	    const struct store_outbox *row, int status, const char *error, long retry_after)
{
	int64_t now = clock_now_ms();
	struct outbox_result *o;

	if (row->attempts >= cd->retries) {
		char *why = xasprintf("%s (after %d attempts)", error, row->attempts + 1);

		o = outbox_record(r, row, "dead", status, why, now);
		free(why);
		return o;
	}
	return outbox_record(r, row, "retrying", status, error,
			     now + outbox_backoff(cd, row->attempts, retry_after, &r->rng));
}

/* Write the outcomes, inside the open transaction. */
static int
outbox_write(struct store *s, const struct outbox_results *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->n && rc == 0; i++) {
		const struct outbox_result *o = &r->v[i];

		rc = store_outbox_result(s, &o->row);
		if (rc == 0 && o->disable_subscriber != 0 &&
		    store_subscriber_disable(s, o->disable_subscriber, clock_now_ms(),
					     o->disable_reason) == SR_ENOTFOUND)
			err_clear(); /* already inactive */
	}
	return rc;
}

/* Move the cursor past the rows just taken. */
static void
outbox_advance(struct outbox_cursor *c, const struct store_outbox *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct store_outbox *r = &rows[i];

		if (r->next_at > c->taken.next_at ||
		    (r->next_at == c->taken.next_at && r->id > c->taken.id)) {
			c->taken.next_at = r->next_at;
			c->taken.id = r->id;
		}
	}
}

int
outbox_sync(struct store_outbox **rows, size_t *n, struct store *s, struct outbox_cursor *c,
	    const struct outbox_results *r, bool claim, size_t limit)
{
	bool from_start = c->outstanding <= (int64_t)r->n;
	int rc;

	*rows = NULL;
	*n = 0;
	if ((rc = store_begin(s)) != 0)
		return rc;
	rc = outbox_write(s, r);
	if (rc == 0 && claim)
		rc = store_outbox_due(rows, n, s, c->horizon ? c->horizon : clock_now_ms(),
				      from_start ? NULL : &c->taken, limit);
	if (rc == 0)
		rc = store_commit(s);
	if (rc != 0) {
		store_rollback(s);
		store_outbox_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	c->outstanding += (int64_t)*n - (int64_t)r->n;
	if (claim && from_start)
		c->taken.next_at = c->taken.id = INT64_MIN;
	outbox_advance(c, *rows, *n);
	return 0;
}

int
outbox_next_due(int64_t *next, struct store *s, const struct outbox_cursor *c)
{
	return store_outbox_next_due(next, s, c->outstanding > 0 ? &c->taken : NULL);
}

void
outbox_unclaim(struct outbox_cursor *c, size_t n)
{
	c->outstanding -= (int64_t)n;
}

int
outbox_requeue(struct store *s, int64_t id)
{
	struct store_outbox row;
	int rc;

	if ((rc = store_begin(s)) != 0)
		return rc;
	if ((rc = store_outbox_get(&row, s, id)) == 0) {
		if (strcmp(row.state, "dead") != 0)
			rc = err_set(SR_EREFUSED, "outbox message %lld is %s, not dead: only a "
				     "dead one is requeued", (long long)id, row.state);
		else {
			snprintf(row.state, sizeof(row.state), "pending");
			row.attempts = 0;
			row.next_at = clock_now_ms();
			if ((rc = store_outbox_result(s, &row)) == 0)
				rc = store_commit(s);
		}
		store_outbox_release(&row);
	}
	if (rc != 0)
		store_rollback(s);
	return rc;
}
