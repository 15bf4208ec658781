/* store-oncall.c: the rows of the oncall_overrides table (schema 11):
 * added, listed by schedule and end, cancelled. Whether an override makes
 * sense (the schedule, the person, the times) is rota.c's business. */
#include <stdio.h>
#include <stdlib.h>

#include "sitrep/err.h"
#include "sitrep/store-oncall.h"
#include "store-int.h"

static const char sql_insert[] =
	"INSERT INTO oncall_overrides (schedule, person, from_at, until_at, reason,"
	" created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
#define COLUMNS "id, schedule, person, from_at, until_at, reason, created_by," \
	" created_at, cancelled_at"
static const char sql_list_all[] =
	"SELECT " COLUMNS " FROM oncall_overrides"
	" WHERE cancelled_at IS NULL AND until_at > ?1 ORDER BY id";
static const char sql_list_one[] =
	"SELECT " COLUMNS " FROM oncall_overrides"
	" WHERE schedule = ?2 AND cancelled_at IS NULL AND until_at > ?1 ORDER BY id";
static const char sql_get[] =
	"SELECT " COLUMNS " FROM oncall_overrides WHERE id = ?1";
static const char sql_cancel[] =
	"UPDATE oncall_overrides SET cancelled_at = ?2 WHERE id = ?1 AND cancelled_at IS NULL";

int
store_override_insert(int64_t *out_id, struct store *s, const struct store_override *o)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_insert)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, o->schedule, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, o->person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, o->from_at);
	sqlite3_bind_int64(stmt, 4, o->until_at);
	sqlite3_bind_text(stmt, 5, o->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, o->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, o->created_at);
	if ((rc = store_step_done(s, stmt, "record the on-call override")) != 0)
		return rc;
	if (out_id != NULL)
		*out_id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

static void
override_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_override *o = row;

	o->id = sqlite3_column_int64(stmt, 0);
	o->schedule = store_column_dup(stmt, 1);
	o->person = store_column_dup(stmt, 2);
	o->from_at = sqlite3_column_int64(stmt, 3);
	o->until_at = sqlite3_column_int64(stmt, 4);
	o->reason = store_column_dup(stmt, 5);
	o->created_by = store_column_dup(stmt, 6);
	o->created_at = sqlite3_column_int64(stmt, 7);
	o->cancelled_at = sqlite3_column_int64(stmt, 8);
}

int
store_overrides_list(struct store_override **out, size_t *n, struct store *s,
		     const char *schedule, int64_t after_ms)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, schedule != NULL ? sql_list_one : sql_list_all)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, after_ms);
	if (schedule != NULL)
		sqlite3_bind_text(stmt, 2, schedule, -1, SQLITE_STATIC);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_override), override_from_row,
			"read the on-call overrides");
	*out = v;
	return rc;
}

int
store_override_get(struct store_override *out, struct store *s, int64_t id)
{
	struct store_override *v = NULL;
	sqlite3_stmt *stmt;
	void *rows;
	size_t n = 0;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_rows(&rows, &n, s, stmt, sizeof(struct store_override), override_from_row,
			"read the on-call override");
	v = rows;
	if (rc == 0 && n == 0)
		rc = err_set(SR_ENOTFOUND, "no on-call override %lld: run 'sitrep schedule "
			     "show NAME' to see a schedule's overrides", (long long)id);
	if (rc == 0) {
		*out = v[0];
		free(v);
		return 0;
	}
	store_overrides_free(v, n);
	return rc;
}

int
store_override_cancel(struct store *s, int64_t id, int64_t at_ms)
{
	struct store_override o;
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_override_get(&o, s, id)) != 0)
		return rc;
	if (o.cancelled_at != 0) {
		store_override_release(&o);
		return err_set(SR_EREFUSED, "on-call override %lld was cancelled already",
			       (long long)id);
	}
	store_override_release(&o);
	if ((rc = store_sql(&stmt, s, sql_cancel)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at_ms);
	return store_step_done(s, stmt, "cancel the on-call override");
}

void
store_override_release(struct store_override *o)
{
	free(o->schedule);
	free(o->person);
	free(o->reason);
	free(o->created_by);
}

void
store_overrides_free(struct store_override *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		store_override_release(&v[i]);
	free(v);
}
