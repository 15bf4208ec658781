/* store.h: the SQLite store (WAL, one file). All SQL lives in store.c and
 * migrate.c; nothing else sees a sqlite3 handle. */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

/*
 * Open (creating if missing) the database at path, set WAL, busy_timeout and
 * foreign_keys, and migrate it to STORE_SCHEMA_VERSION. A database from a
 * newer sitrep is refused (SR_EREFUSED) and left untouched. *out is NULL
 * on failure.
 */
int store_open(struct store **out, const char *path);
void store_close(struct store *s);

/* The schema version of the open database. */
int store_schema_version(struct store *s);

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
