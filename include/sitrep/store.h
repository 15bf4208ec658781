/* store.h: the SQLite store (WAL, one file). All SQL lives in store.c and
 * migrate.c; nothing else sees a sqlite3 handle. */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

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

#endif
