/* store-updates.c: the rows of the updates table: status updates and
 * apologies with their approval and publication, and the published ones
 * the status page shows. What an update says and who may post it are
 * comms.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-updates.h"
#include "store-int.h"

#define UPDATE_COLUMNS \
	"id, incident_id, kind, audience, status, template, account, body," \
	" next_update_at, state, author, created_at, approver, approved_at," \
	" published_at, withdrawn_by, withdrawn_at, publish_at, author_via, approver_via"

static const char sql_update_insert[] =
	"INSERT INTO updates (incident_id, kind, audience, status, template, account,"
	" body, next_update_at, state, author, created_at, approver, approved_at,"
	" published_at, publish_at, author_via, approver_via)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
static const char sql_update_get[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE id = ?1";
static const char sql_update_set_state[] =
	"UPDATE updates SET state = ?2, approver = ?3, approved_at = ?4,"
	" published_at = ?5, withdrawn_by = ?6, withdrawn_at = ?7, status = ?8,"
	" approver_via = ?9 WHERE id = ?1";
static const char sql_updates_get[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE incident_id = ?1 ORDER BY id";

static const char sql_updates_scheduled[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE publish_at IS NOT NULL"
	" AND state IN ('draft', 'approved') ORDER BY publish_at, id";
static const char sql_public_updates[] =
	"SELECT id, status, body, published_at FROM updates WHERE incident_id = ?1"
	" AND audience = 'customers' AND state = 'published' AND account IS NULL"
	" ORDER BY published_at DESC, id DESC";

static void
update_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_update *u = row;

	u->id = sqlite3_column_int64(stmt, 0);
	u->incident_id = sqlite3_column_int64(stmt, 1);
	store_column_copy(u->kind, sizeof(u->kind), stmt, 2);
	u->audience = store_column_dup(stmt, 3);
	u->status = store_column_dup_null(stmt, 4);
	u->template_id = store_column_dup_null(stmt, 5);
	u->account = store_column_dup_null(stmt, 6);
	u->body = store_column_dup(stmt, 7);
	u->next_update_at = sqlite3_column_int64(stmt, 8);
	store_column_copy(u->state, sizeof(u->state), stmt, 9);
	u->author = store_column_dup(stmt, 10);
	u->created_at = sqlite3_column_int64(stmt, 11);
	u->approver = store_column_dup_null(stmt, 12);
	u->approved_at = sqlite3_column_int64(stmt, 13);
	u->published_at = sqlite3_column_int64(stmt, 14);
	u->withdrawn_by = store_column_dup_null(stmt, 15);
	u->withdrawn_at = sqlite3_column_int64(stmt, 16);
	u->publish_at = sqlite3_column_int64(stmt, 17);
	u->author_via = store_column_dup_null(stmt, 18);
	u->approver_via = store_column_dup_null(stmt, 19);
}

int
store_update_insert(int64_t *out_id, struct store *s, const struct store_update *u)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_update_insert)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, u->incident_id);
	sqlite3_bind_text(stmt, 2, u->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, u->audience, -1, SQLITE_STATIC);
	store_bind_text_null(stmt, 4, u->status);
	store_bind_text_null(stmt, 5, u->template_id);
	store_bind_text_null(stmt, 6, u->account);
	sqlite3_bind_text(stmt, 7, u->body, -1, SQLITE_STATIC);
	store_bind_time(stmt, 8, u->next_update_at);
	sqlite3_bind_text(stmt, 9, u->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, u->author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, u->created_at);
	store_bind_text_null(stmt, 12, u->approver);
	store_bind_time(stmt, 13, u->approved_at);
	store_bind_time(stmt, 14, u->published_at);
	store_bind_time(stmt, 15, u->publish_at);
	store_bind_text_null(stmt, 16, u->author_via);
	store_bind_text_null(stmt, 17, u->approver_via);
	if ((rc = store_step_done(s, stmt, "record the update")) == 0)
		*out_id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_update_get(struct store_update *out, struct store *s, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_update_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		update_from_row(out, stmt);
		break;
	case SQLITE_DONE:
		rc = err_set(SR_ENOTFOUND, "no update UPD-%lld: run 'sitrep updates INC' "
			     "to see an incident's updates", (long long)id);
		break;
	default:
		rc = store_fail(s, "read the update");
	}
	sqlite3_reset(stmt);
	return rc;
}

int
store_update_set_state(struct store *s, const struct store_update *u)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_update_set_state)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, u->id);
	sqlite3_bind_text(stmt, 2, u->state, -1, SQLITE_STATIC);
	store_bind_text_null(stmt, 3, u->approver);
	store_bind_time(stmt, 4, u->approved_at);
	store_bind_time(stmt, 5, u->published_at);
	store_bind_text_null(stmt, 6, u->withdrawn_by);
	store_bind_time(stmt, 7, u->withdrawn_at);
	store_bind_text_null(stmt, 8, u->status);
	store_bind_text_null(stmt, 9, u->approver_via);
	return store_step_done(s, stmt, "change the update's state");
}

int
store_updates_get(struct store_update **out, size_t *n, struct store *s,
		  int64_t incident_id)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_updates_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_update), update_from_row,
	    "read the updates");
	*out = v;
	return rc;
}

int
store_updates_scheduled(struct store_update **out, size_t *n, struct store *s)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_updates_scheduled)) != 0)
		return rc;
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_update), update_from_row,
	    "read the scheduled updates");
	*out = v;
	return rc;
}

void
store_update_release(struct store_update *u)
{
	free(u->audience);
	free(u->status);
	free(u->template_id);
	free(u->account);
	free(u->body);
	free(u->author);
	free(u->author_via);
	free(u->approver_via);
	free(u->approver);
	free(u->withdrawn_by);
	memset(u, 0, sizeof(*u));
}

void
store_updates_free(struct store_update *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_update_release(&v[i]);
	free(v);
}

static void
public_update_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_public_update *r = row;

	r->id = sqlite3_column_int64(stmt, 0);
	store_column_copy(r->status, sizeof(r->status), stmt, 1);
	r->body = store_column_dup(stmt, 2);
	r->published_at = sqlite3_column_int64(stmt, 3);
}

int
store_public_updates(struct store_public_update **out, size_t *n, struct store *s,
		     int64_t incident_id)
{
	void *v;
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_public_updates)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_public_update),
	    public_update_from_row,
	    "read the published updates");
	*out = v;
	return rc;
}

void
store_public_updates_free(struct store_public_update *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].body);
	free(v);
}
