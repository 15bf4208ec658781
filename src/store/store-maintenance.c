/* store-maintenance.c: the rows of scheduled maintenances and of the
 * reminders the scheduler fired. When a maintenance starts and what a
 * reminder says are schedule.c's business. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

#define MAINT_COLUMNS \
	"id, title, body, state, starts_at, ends_at, created_by, created_at," \
	" updated_at, started_at, completed_at, cancelled_at"

static const char sql_maint_insert[] =
	"INSERT INTO maintenances (title, body, state, starts_at, ends_at, created_by,"
	" created_at, updated_at) VALUES (?1, ?2, 'scheduled', ?3, ?4, ?5, ?6, ?6)";
static const char sql_maint_component[] =
	"INSERT OR IGNORE INTO maintenance_components (maintenance_id, component)"
	" VALUES (?1, ?2)";
static const char sql_maint_components[] =
	"SELECT component FROM maintenance_components WHERE maintenance_id = ?1"
	" ORDER BY component";
static const char sql_maint_get[] =
	"SELECT " MAINT_COLUMNS " FROM maintenances WHERE id = ?1";
static const char sql_maint_update[] =
	"UPDATE maintenances SET state = ?2, updated_at = ?3, started_at = ?4,"
	" completed_at = ?5, cancelled_at = ?6 WHERE id = ?1";
static const char sql_maints_get[] =
	"SELECT " MAINT_COLUMNS " FROM maintenances WHERE state IN ('scheduled', 'in_progress')"
	" OR (?1 != 0 AND updated_at >= ?1) ORDER BY starts_at, id";
static const char sql_reminder_fire[] =
	"INSERT INTO reminders (key, incident_id, kind, due_at, fired_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO NOTHING";

/* Like the incidents' fan-out in store-outbox.c (SUBSCRIBERS_MATCHING; keep
 * the two in step): a subscriber without a component filter hears of every
 * maintenance, one with a filter of those touching its components. */
static const char sql_maint_subscribers[] =
	"INSERT INTO outbox (msg_id, incident_id, update_id, channel, subscriber_id,"
	" type, recipient, subject, payload, state, next_at, created_at)"
	" SELECT 'msg_' || lower(hex(randomblob(16))), NULL, NULL, ?3, s.id, s.kind,"
	" s.address, ?6, ?7, 'pending', ?4, ?4 FROM subscribers s"
	" WHERE +s.kind = ?5 AND s.disabled_at IS NULL AND s.confirmed_at IS NOT NULL"
	"  AND (s.id NOT IN (SELECT subscriber_id FROM subscriber_components)"
	"   OR s.id IN (SELECT c.subscriber_id FROM subscriber_components c"
	"    JOIN maintenance_components mc ON mc.component = c.component"
	"    WHERE mc.maintenance_id = ?1))"
	" ORDER BY s.id";

static const char sql_reminder_exists[] = "SELECT 1 FROM reminders WHERE key = ?1";

static int
maint_components(struct store_maintenance *m, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc, step;

	if ((rc = store_sql(&stmt, s, sql_maint_components)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, m->id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		m->components = xreallocarray(m->components, m->ncomponents + 1,
					      sizeof(*m->components));
		m->components[m->ncomponents++] = store_column_dup(stmt, 0);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read a maintenance's components");
	sqlite3_reset(stmt);
	return rc;
}

static void
maint_from_row(struct store_maintenance *m, sqlite3_stmt *stmt)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(stmt, 0);
	m->title = store_column_dup(stmt, 1);
	m->body = store_column_dup_null(stmt, 2);
	store_column_copy(m->state, sizeof(m->state), stmt, 3);
	m->starts_at = sqlite3_column_int64(stmt, 4);
	m->ends_at = sqlite3_column_int64(stmt, 5);
	m->created_by = store_column_dup(stmt, 6);
	m->created_at = sqlite3_column_int64(stmt, 7);
	m->updated_at = sqlite3_column_int64(stmt, 8);
	m->started_at = sqlite3_column_int64(stmt, 9);
	m->completed_at = sqlite3_column_int64(stmt, 10);
	m->cancelled_at = sqlite3_column_int64(stmt, 11);
}

int
store_maintenance_insert(int64_t *out_id, struct store *s, const struct store_maintenance *m)
{
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_maint_insert)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, m->title, -1, SQLITE_STATIC);
	if (m->body != NULL)
		sqlite3_bind_text(stmt, 2, m->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, m->starts_at);
	sqlite3_bind_int64(stmt, 4, m->ends_at);
	sqlite3_bind_text(stmt, 5, m->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, m->created_at);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the maintenance");
	sqlite3_reset(stmt);
	if (rc != 0)
		return rc;
	id = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < m->ncomponents; i++) {
		if ((rc = store_sql(&stmt, s, sql_maint_component)) != 0)
			return rc;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, m->components[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 :
		     store_fail(s, "record the maintenance's components");
		sqlite3_reset(stmt);
		if (rc != 0)
			return rc;
	}
	*out_id = id;
	return 0;
}

int
store_maintenance_get(struct store_maintenance *out, struct store *s, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_maint_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		maint_from_row(out, stmt);
		break;
	case SQLITE_DONE:
		rc = err_set(SR_ENOTFOUND, "no maintenance %lld: run 'sitrep maintenance list'",
			     (long long)id);
		break;
	default:
		rc = store_fail(s, "read the maintenance");
	}
	sqlite3_reset(stmt);
	if (rc == 0 && (rc = maint_components(out, s)) != 0)
		store_maintenance_release(out);
	return rc;
}

int
store_maintenance_update(struct store *s, const struct store_maintenance *m)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_maint_update)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, m->id);
	sqlite3_bind_text(stmt, 2, m->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, m->updated_at);
	store_bind_time(stmt, 4, m->started_at);
	store_bind_time(stmt, 5, m->completed_at);
	store_bind_time(stmt, 6, m->cancelled_at);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "update the maintenance");
	sqlite3_reset(stmt);
	return rc;
}

int
store_maintenances_get(struct store_maintenance **out, size_t *n, struct store *s,
		       int64_t since)
{
	struct store_maintenance *v = NULL;
	sqlite3_stmt *stmt;
	size_t k = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_maints_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, since);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		maint_from_row(&v[k++], stmt);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "list the maintenances");
	sqlite3_reset(stmt);
	for (size_t i = 0; rc == 0 && i < k; i++)
		rc = maint_components(&v[i], s);
	if (rc != 0) {
		store_maintenances_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

void
store_maintenance_release(struct store_maintenance *m)
{
	free(m->title);
	free(m->body);
	free(m->created_by);
	for (size_t i = 0; i < m->ncomponents; i++)
		free(m->components[i]);
	free(m->components);
	memset(m, 0, sizeof(*m));
}

void
store_maintenances_free(struct store_maintenance *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_maintenance_release(&v[i]);
	free(v);
}

int
store_outbox_add_maintenance_subscribers(int64_t *count, struct store *s, const char *kind,
					 int64_t maintenance_id, const char *channel,
					 int64_t now, const char *subject, const char *payload)
{
	sqlite3_stmt *stmt;
	int rc;

	*count = 0;
	if ((rc = store_sql(&stmt, s, sql_maint_subscribers)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, maintenance_id);
	if (channel != NULL)
		sqlite3_bind_text(stmt, 3, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
	if (subject != NULL)
		sqlite3_bind_text(stmt, 6, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, payload, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		*count = sqlite3_changes64(store_db(s));
	else
		rc = store_fail(s, "queue a maintenance's notice to subscribers");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

int
store_reminder_fire(struct store *s, const char *key, int64_t incident_id,
		    const char *kind, int64_t due_at, int64_t fired_at)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_reminder_fire)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (incident_id != 0)
		sqlite3_bind_int64(stmt, 2, incident_id);
	sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, due_at);
	sqlite3_bind_int64(stmt, 5, fired_at);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record a reminder");
	sqlite3_reset(stmt);
	if (rc == 0 && sqlite3_changes(store_db(s)) == 0)
		return SR_EEXIST;
	return rc;
}

int
store_reminder_fired(bool *out, struct store *s, const char *key)
{
	sqlite3_stmt *stmt;
	int rc, step;

	*out = false;
	if ((rc = store_sql(&stmt, s, sql_reminder_exists)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	*out = step == SQLITE_ROW;
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_fail(s, "read a reminder");
	sqlite3_reset(stmt);
	return rc;
}
