/* store.h: the SQLite store (WAL, one file): opening it, transactions, the
 * schema version (store.c, migrate.c). The rows of each table are declared
 * with the store file that reads and writes them (store-incident.h for
 * incidents, ...). All SQL lives in src/store; nothing else sees a sqlite3
 * handle. */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 10

/* Checkpoint the WAL once a commit leaves it this many pages long (1,000
 * unless set). A writer that rewrites the same pages batch after batch
 * copies each into the database once per checkpoint, so fewer, larger
 * checkpoints copy less. */
void store_set_checkpoint(struct store *s, int frames);

/*
 * Open the existing database at path, set WAL, busy_timeout and
 * foreign_keys, and migrate it to STORE_SCHEMA_VERSION. A missing or empty
 * file (no schema) is refused with SR_ESYS and a message naming path and
 * 'sitrep init': it is never silently made a new store. A database from a
 * newer sitrep is refused (SR_EREFUSED) and left untouched. *out is NULL
 * on failure.
 */
int store_open(struct store **out, const char *path);
/* As store_open, creating the database when missing or empty: for
 * `sitrep init` (and tests) only. */
int store_create(struct store **out, const char *path);
void store_close(struct store *s);

/* Commit without waiting for the disk (synchronous=NORMAL): for a
 * connection whose last commits may be lost in a power cut without harm,
 * like the delivery engine's (a lost outcome means a message is sent again,
 * which at-least-once delivery allows). */
void store_relax_durability(struct store *s);

/* The schema version of the open database. */
int store_schema_version(struct store *s);

/* A read transaction: what is read between them is one consistent state. */
int store_begin_read(struct store *s);
void store_end_read(struct store *s);

/* A write transaction (BEGIN IMMEDIATE); commit or roll back. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Rows in the timeline of every incident (for tests and `sitrep show`). */
int store_event_count(int64_t *out, struct store *s);

/*
 * What validating one playbook blob found: its title and severity when
 * valid, else how many problems. Keyed by the blob id and a context string
 * naming everything else the result depends on (playbook_rules_id() and the
 * site config's components), so a stale summary is never found.
 */
struct store_summary {
	char blob[41];
	char *title;  /* NULL when invalid */
	int severity; /* 1..4, 0 when invalid */
	int problems;
};

/* Fill *out (whose blob is set) from the store; SR_ENOTFOUND when absent. */
int store_summary_get(struct store_summary *out, struct store *s, const char *context);
/* Save n summaries in one transaction. */
int store_summaries_put(struct store *s, const char *context,
			const struct store_summary *v, size_t n);
void store_summary_release(struct store_summary *sum);

/* Communications (store-comms.c): updates and apologies, touchpoints,
 * subscribers and the outbox. */
struct store_update {
	int64_t id, incident_id;
	char kind[8];        /* update, apology */
	char *audience;
	char *status;        /* the incident status it sets; NULL for none */
	char *template_id;   /* NULL when the text was given */
	char *account;       /* NULL unless addressed to one account */
	char *body;          /* the rendered text */
	int64_t next_update_at; /* the promise; 0 for none */
	char state[12];      /* draft, approved, published, withdrawn */
	char *author;
	int64_t created_at;
	char *approver;      /* NULL until approved */
	int64_t approved_at, published_at;
	char *withdrawn_by;  /* NULL unless withdrawn */
	int64_t withdrawn_at;
	int64_t publish_at;  /* a scheduled publication; 0 for none */
};

int store_update_insert(int64_t *out_id, struct store *s, const struct store_update *u);
/* SR_ENOTFOUND when there is no such update. */
int store_update_get(struct store_update *out, struct store *s, int64_t id);
/* Write state, status, approver, approved_at, published_at, withdrawn_by
 * and withdrawn_at of u (by id). */
int store_update_set_state(struct store *s, const struct store_update *u);
/* An incident's updates, oldest first. */
int store_updates_get(struct store_update **out, size_t *n, struct store *s,
		      int64_t incident_id);
/* Updates waiting for their publish_at, soonest first. */
int store_updates_scheduled(struct store_update **out, size_t *n, struct store *s);
void store_update_release(struct store_update *u);
void store_updates_free(struct store_update *v, size_t n);

struct store_touchpoint {
	int64_t id, incident_id;
	char *account;
	char via[8];         /* phone, email, chat, social */
	char *summary;
	char *actor;
	int64_t at;
};

int store_touchpoint_insert(struct store *s, const struct store_touchpoint *t);
/* An incident's touchpoints, oldest first; one account's when account. */
int store_touchpoints_get(struct store_touchpoint **out, size_t *n, struct store *s,
			  int64_t incident_id, const char *account);
void store_touchpoints_free(struct store_touchpoint *v, size_t n);

struct store_subscriber {
	int64_t id;
	char kind[8];        /* email, webhook */
	char *address;       /* an e-mail address or a URL */
	char *secret;        /* whsec_...; NULL for e-mail */
	char *token;         /* the unsubscribe token */
	int64_t created_at, disabled_at;
	char *disabled_reason; /* NULL while active */
	char **components;   /* empty: every incident reaches them */
	size_t ncomponents;
	int64_t confirmed_at;  /* 0 until an e-mail subscriber confirms */
	char *confirm_token;   /* the confirmation link's; NULL once confirmed */
	int64_t confirm_sent_at; /* when the last confirmation mail was queued */
};

/* Record a subscriber (confirmed_at, confirm_token and confirm_sent_at
 * included). An active e-mail subscriber with the same address is
 * SR_EEXIST; webhook URLs may repeat (see store_subscriber_active). */
int store_subscriber_insert(int64_t *out_id, struct store *s,
			    const struct store_subscriber *sub);
/* The oldest active subscriber of kind with address, into *out_id;
 * SR_ENOTFOUND (with no message) when none. */
int store_subscriber_active(int64_t *out_id, struct store *s, const char *kind,
			    const char *address);
/* The subscriber whose confirmation link carries token; SR_ENOTFOUND. */
int store_subscriber_by_confirm_token(struct store_subscriber *out, struct store *s,
				      const char *token);
/* Mark subscriber id confirmed at at (its confirmation token is spent). */
int store_subscriber_confirm(struct store *s, int64_t id, int64_t at);
/* A new confirmation token for a subscriber awaiting confirmation, and
 * when its mail was queued. */
int store_subscriber_confirm_sent(struct store *s, int64_t id, const char *token,
				  int64_t at);
/* End every subscription still unconfirmed that was made before before,
 * as disabled at at, "not confirmed in time"; *n says how many. */
int store_subscribers_expire(int64_t *n, struct store *s, int64_t before, int64_t at);
/* When the oldest subscription still unconfirmed was made; 0 when none. */
int store_subscribers_unconfirmed_oldest(int64_t *created_at, struct store *s);
/* By id, by token (when token), else by active address. SR_ENOTFOUND when
 * none. */
int store_subscriber_get(struct store_subscriber *out, struct store *s, int64_t id);
int store_subscriber_by_address(struct store_subscriber *out, struct store *s,
				const char *address);
int store_subscriber_by_token(struct store_subscriber *out, struct store *s,
			      const char *token);
/* Active subscribers (all when all), oldest first. */
int store_subscribers_get(struct store_subscriber **out, size_t *n, struct store *s,
			  bool all);
/* Mark a subscriber inactive, with a reason; SR_ENOTFOUND if already. */
int store_subscriber_disable(struct store *s, int64_t id, int64_t at, const char *reason);
void store_subscriber_release(struct store_subscriber *sub);
void store_subscribers_free(struct store_subscriber *v, size_t n);

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
	char state[10];      /* pending, retrying, sent, dead */
	int attempts;
	int64_t next_at, created_at, sent_at;
	int last_status;     /* HTTP or SMTP code, 0 for none */
	char *last_error;
	/* Filled by store_outbox_due for a subscriber's row, so that the
	 * engine need not read the subscriber per message. */
	char *sub_secret, *sub_token;
	int64_t sub_confirmed_at;
	int64_t sub_disabled_at;
	char *sub_disabled_reason;
};

/* Queue one row (its id and msg_id are made here; state pending). */
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
/* Rows by state: pending, retrying, sent, dead. */
int store_outbox_counts(int64_t counts[4], struct store *s);
/* The earliest next_at of a row waiting to be sent after *after in the due
 * order (any, when after is NULL); 0 when none. */
int store_outbox_next_due(int64_t *out, struct store *s, const struct store_outbox_pos *after);
/* An update's rows by state, for `sitrep updates`. */
int store_outbox_update_counts(int64_t counts[4], struct store *s, int64_t update_id);
void store_outbox_release(struct store_outbox *row);
void store_outbox_free(struct store_outbox *v, size_t n);

/* What the public sees (store-public.c). */
struct store_public_update {
	int64_t id;
	char status[16];
	char *body;
	int64_t published_at;
};

/* An incident's published customer updates to everyone, newest first. */
int store_public_updates(struct store_public_update **out, size_t *n, struct store *s,
			 int64_t incident_id);
void store_public_updates_free(struct store_public_update *v, size_t n);

#endif
