/* outbox.h: the outbox, where every message waits until it is sent. The
 * domain queues into it (one recipient, or every matching subscriber in
 * one statement); the delivery engine claims due rows, sends them and
 * hands back each attempt's outcome, which the outbox turns into sent, a
 * retry after a backoff with jitter, or dead; `sitrep outbox retry`
 * requeues a dead row. The rows themselves are store-outbox.h's; sending
 * is deliver.h's. */
#ifndef SITREP_OUTBOX_H
#define SITREP_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sitrep/store-outbox.h"

struct conf_delivery;
struct store;

/*
 * A message to queue. To one recipient: channel and type, and recipient
 * (NULL: the channel's own URL). Or, when subscribers is "email" or
 * "webhook", one row per active, confirmed subscriber of that kind whose
 * component filter meets the incident's (or, with maintenance_id, the
 * maintenance's) components. An update's message is rendered when sent
 * (update_id); any other carries its payload.
 */
struct outbox_msg {
	int64_t incident_id;     /* 0 for none */
	int64_t update_id;       /* an update's message; 0 for a notice */
	int64_t maintenance_id;  /* a maintenance's notice to subscribers; 0 */
	const char *channel;     /* config channel id; NULL for subscribers' webhooks */
	const char *type;        /* webhook, slack, teams, discord, email */
	const char *recipient;   /* an e-mail address; NULL for the channel's URL */
	const char *subscribers; /* "email" or "webhook"; NULL for one recipient */
	const char *subject;     /* e-mail: its subject; NULL: the update's own */
	const char *payload;     /* a notice's rendered body; NULL for an update */
	const char *from_name;   /* e-mail to one recipient: a sender name; NULL */
	int64_t now;             /* ms: queued at, and due at unless due_at */
	int64_t page_id;         /* a page's notification; 0 for none */
	const char *contact;     /* then the contact, "HANDLE/ID"; NULL */
	int64_t due_at;          /* ms: due then; 0 for now */
};

/* Queue m inside the caller's transaction; *count says how many rows
 * (1 for one recipient). */
int outbox_queue(int64_t *count, struct store *s, const struct outbox_msg *m);

/*
 * Where the engine is in the due order: the last row it took and how many
 * taken rows are not written back yet. Rows are taken in the order they
 * fall due, each claim after the last row taken; nothing is written to
 * take them, so a row in flight stays pending in the store and a crash
 * leaves it for the next engine. horizon, when not 0, limits claims to
 * rows due by then (`sitrep deliver --once`).
 */
struct outbox_cursor {
	struct store_outbox_pos taken;
	int64_t outstanding;
	int64_t horizon;
};

/* One attempt's outcome, waiting to be written. */
struct outbox_result {
	struct store_outbox row;     /* the fields store_outbox_result writes;
				      * owns its last_error only */
	int64_t disable_subscriber;  /* a subscriber to end with it; 0 */
	char *disable_reason;
};

/* Outcomes waiting to be written, and the random state of the jitter. */
struct outbox_results {
	struct outbox_result *v;
	size_t n, cap;
	uint64_t rng;
};

void outbox_results_init(struct outbox_results *r);
/* Forget the outcomes (once written). */
void outbox_results_clear(struct outbox_results *r);
void outbox_results_release(struct outbox_results *r);

/*
 * Record an attempt at row: state "sent" (sent_at now), "dead" or
 * "retrying" at next_at, with the answer's status and error (may be
 * NULL). The outcome is the returned one until outbox_results_clear.
 */
struct outbox_result *outbox_record(struct outbox_results *r, const struct store_outbox *row,
				    const char *state, int status, const char *error,
				    int64_t next_at);

/*
 * Record a failed attempt: retrying after the backoff (outbox_backoff), or
 * dead with "error (after N attempts)" once cd's retries are spent.
 * retry_after is the server's Retry-After in seconds, -1 for none.
 */
struct outbox_result *outbox_fail(struct outbox_results *r, const struct conf_delivery *cd,
				  const struct store_outbox *row, int status, const char *error,
				  long retry_after);

/*
 * The ms to wait after failed attempt number attempts + 1: cd's backoff
 * for it (the last repeats), spread by +-20% with *rng (xorshift64*, not
 * 0) so that a recovering receiver is not hit by every retry at once; or
 * what the server's Retry-After asked (capped at a day) when it asked.
 */
int64_t outbox_backoff(const struct conf_delivery *cd, int attempts, long retry_after,
		       uint64_t *rng);

/*
 * One transaction: write r's outcomes (ending the subscribers a 410 Gone
 * asked to) and, when claim, take up to limit due rows after c's position
 * into *rows (the caller frees them with store_outbox_free). c is updated
 * only when it commits. With nothing outstanding every due row is fair
 * game again: one that fell due behind the last taken (a clock set back)
 * is not left waiting. Call with the store to oneself; r is left as it
 * was (clear it after).
 */
int outbox_sync(struct store_outbox **rows, size_t *n, struct store *s,
		struct outbox_cursor *c, const struct outbox_results *r, bool claim,
		size_t limit);

/* When the next row the cursor could take falls due (0 when none): rows
 * taken and outstanding are due already, and waiting for them would be no
 * wait at all. */
int outbox_next_due(int64_t *next, struct store *s, const struct outbox_cursor *c);

/* n rows taken will not be sent by this engine: they stay in the store
 * untouched for the next. */
void outbox_unclaim(struct outbox_cursor *c, size_t n);

/* Requeue dead row id (pending, no attempts, due now) in a transaction of
 * its own; SR_ENOTFOUND when there is no such row, SR_EREFUSED when it is
 * not dead. */
int outbox_requeue(struct store *s, int64_t id);

#endif
