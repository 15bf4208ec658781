/* store-int.h: what store.c gives the other store files (store-*.c) and
 * nothing outside src/store sees. */
#ifndef SITREP_STORE_INT_H
#define SITREP_STORE_INT_H

#include <sqlite3.h>

#include "sitrep/store.h"

/* For the store files (store-*.c): the handle, a cached statement for a
 * string-constant sql, and a failure message naming the database. */
sqlite3 *store_db(struct store *s);
const char *store_path(struct store *s);
int store_sql(sqlite3_stmt **out, struct store *s, const char *sql);
int store_fail(struct store *s, const char *what);
/* A struct store_event from a row of id, incident_id, at, actor, kind,
 * details, prev_hash, hash, via (the timeline's and the audit log's). */
void store_event_from_row(void *row, sqlite3_stmt *stmt);
/* Whether a statement that finds the store locked waits its turn (the
 * default, up to 10 s) or fails at once. */
void store_set_wait(struct store *s, bool wait);

/* Column and binding helpers: text copied ("" for NULL, or NULL for NULL),
 * text into a fixed buffer, and a time in ms bound as NULL when 0. */
char *store_column_dup(sqlite3_stmt *stmt, int col);
char *store_column_dup_null(sqlite3_stmt *stmt, int col);
void store_column_copy(char *out, size_t len, sqlite3_stmt *stmt, int col);
void store_bind_time(sqlite3_stmt *stmt, int col, int64_t ms);
/* An id bound as NULL when 0, and text as NULL when NULL (the text must
 * outlive the statement's step). */
void store_bind_id(sqlite3_stmt *stmt, int col, int64_t id);
void store_bind_text_null(sqlite3_stmt *stmt, int col, const char *text);
/* Step a statement that returns no rows and reset it; what names it in
 * the error. */
int store_step_done(struct store *s, sqlite3_stmt *stmt, const char *what);
/* Read every row of a bound statement into an array of elements of size
 * bytes, each zeroed and then filled by read; reset it. *out and *n hold
 * what was read even on a failure (what names it in the error). */
int store_rows(void **out, size_t *n, struct store *s, sqlite3_stmt *stmt, size_t size,
	       void (*read)(void *row, sqlite3_stmt *stmt), const char *what);
/* store_rows for a statement of one text column (copied, "" for NULL). */
int store_texts(char ***out, size_t *n, struct store *s, sqlite3_stmt *stmt, const char *what);

#endif
