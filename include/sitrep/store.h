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
#define STORE_SCHEMA_VERSION 16

/* Checkpoint the WAL once a commit leaves it this many pages long (1,000
 * unless set). A writer that rewrites the same pages batch after batch
 * copies each into the database once per checkpoint, so fewer, larger
 * checkpoints copy less. */
void store_set_checkpoint(struct store *s, int frames);

/*
 * Open the existing database at path, set WAL, the wait for a busy store
 * (store_busy: up to 10 s, trying every few ms) and
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

#endif
