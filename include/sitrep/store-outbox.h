/* store-outbox.h: the rows of the outbox table (store-outbox.c): one
 * message to one recipient over one channel. Queueing, claiming, backoff
 * and retry are outbox.h's business, which calls these. */
#ifndef SITREP_STORE_OUTBOX_H
#define SITREP_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* One outbox row: a message to one recipient over one channel. */
struct store_outbox {
	int64_t id;
	char msg_id[40];     /* msg_ and 32 hex digits, stable across retries */
	int64_t incident_id, update_id, subscriber_id; /* 0 for none */
	char *channel;       /* the config channel; NULL for a subscriber's webhook */
	char type[8];        /* webhook, slack, teams, discord, email */
	char *recipient;     /* e-mail address or subscriber URL; NULL: the channel's */
	char *subject, *payload; /* for messages that are not updates; an
				  * update's e-mail with a subject of its own */
	char *from_name;     /* e-mail: a sender name of its own; NULL */
	char state[10];      /* pending, retrying, sent, dead, cancelled */
	int attempts;
	int64_t next_at, created_at, sent_at;
	int last_status;     /* HTTP or SMTP code, 0 for none */
	char *last_error;
	int64_t page_id;     /* a notification of a page; 0 for none */
	char *contact;       /* then the person's contact, "HANDLE/ID"; else NULL */
	/* Filled by store_outbox_due for a subscriber's row, so that the
	 * engine need not read the subscriber per message. */
	char *sub_secret, *sub_token;
	int64_t sub_confirmed_at;
	int64_t sub_disabled_at;
	char *sub_disabled_reason;
};

/* Queue one row (its id and msg_id are made here; state pending), due at
 * next_at (created_at when 0). */
int store_outbox_add(struct store *s, const struct store_outbox *row);
/* Queue one row per active subscriber of kind ("email" or "webhook") whose
 * component filter meets the incident's components (every subscriber when
 * incident_id is 0); *count says how many. subject and payload carry a
 * message that is not an update (NULL for an update). */
int store_outbox_add_subscribers(int64_t *count, struct store *s, const char *kind,
				 int64_t incident_id, int64_t update_id,
				 const char *channel, int64_t now, const char *subject,
				 const char *payload);
/* How many rows store_outbox_add_subscribers would queue. */
int store_subscribers_matching(int64_t *count, struct store *s, const char *kind,
			       int64_t incident_id);
/* A place in the order rows fall due in: next_at, then id. */
struct store_outbox_pos {
	int64_t next_at, id;
};
/*
 * The first limit rows due at now that come after *after in the due order
 * (all due rows when after is NULL), in no promised order. Reading marks nothing: the
 * delivery engine, the only one per store, remembers the last row it took
 * and asks for what comes after it, so a row is handed out once while it
 * is in flight, and a row an engine took before it crashed is still
 * waiting for the next one.
 */
int store_outbox_due(struct store_outbox **out, size_t *n, struct store *s, int64_t now,
		     const struct store_outbox_pos *after, size_t limit);
/* Record an attempt's outcome (state, attempts, next_at, sent_at,
 * last_status, last_error of row). */
int store_outbox_result(struct store *s, const struct store_outbox *row);
/* The rows in state (all when NULL), newest first, at most limit (0: all). */
int store_outbox_list(struct store_outbox **out, size_t *n, struct store *s,
		      const char *state, size_t limit);
int store_outbox_get(struct store_outbox *out, struct store *s, int64_t id);
/* The states of a row, in the order of the counts. */
#define STORE_OUTBOX_NSTATES 5
/* "pending", "retrying", "sent", "dead", "cancelled" by index; NULL past. */
const char *store_outbox_state_name(int i);
/* Rows by state: pending, retrying, sent, dead, cancelled. */
int store_outbox_counts(int64_t counts[STORE_OUTBOX_NSTATES], struct store *s);
/* The notifications of page page_id, oldest first. */
int store_outbox_page_rows(struct store_outbox **out, size_t *n, struct store *s,
			   int64_t page_id);
/* The page's rows not yet sent (pending, retrying) become cancelled at at;
 * *count (may be NULL) says how many. */
int store_outbox_cancel_page(int64_t *count, struct store *s, int64_t page_id, int64_t at);
/* For every contact ("HANDLE/ID") ever notified, its newest row that was
 * tried (sent, retrying, dead), ordered by contact: `sitrep people`. */
int store_outbox_contacts_last(struct store_outbox **out, size_t *n, struct store *s);
/* The newest row queued to contact, whatever its state; SR_ENOTFOUND when
 * none. */
int store_outbox_contact_newest(struct store_outbox *out, struct store *s, const char *contact);
/* The earliest next_at of a row waiting to be sent after *after in the due
 * order (any, when after is NULL); 0 when none. */
int store_outbox_next_due(int64_t *out, struct store *s, const struct store_outbox_pos *after);
/* An update's rows by state, for `sitrep updates`. */
int store_outbox_update_counts(int64_t counts[STORE_OUTBOX_NSTATES], struct store *s,
			       int64_t update_id);
void store_outbox_release(struct store_outbox *row);
void store_outbox_free(struct store_outbox *v, size_t n);

#endif
