/* store-touchpoints.c: the rows of the touchpoints table: who on the team
 * contacted which customer account, how and when. Which accounts are
 * still owed a contact is comms.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-touchpoints.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

static const char sql_touchpoint_insert[] =
	"INSERT INTO touchpoints (incident_id, account, via, summary, actor, at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_touchpoints_all[] =
	"SELECT id, incident_id, account, via, summary, actor, at FROM touchpoints"
	" WHERE incident_id = ?1 ORDER BY at, id";
static const char sql_touchpoints_account[] =
	"SELECT id, incident_id, account, via, summary, actor, at FROM touchpoints"
	" WHERE incident_id = ?1 AND account = ?2 ORDER BY at, id";

int
store_touchpoint_insert(struct store *s, const struct store_touchpoint *t)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_touchpoint_insert)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, t->incident_id);
	sqlite3_bind_text(stmt, 2, t->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, t->via, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, t->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, t->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, t->at);
	return store_step_done(s, stmt, "record the touchpoint");
}

int
store_touchpoints_get(struct store_touchpoint **out, size_t *n, struct store *s,
		      int64_t incident_id, const char *account)
{
	sqlite3_stmt *stmt;
	struct store_touchpoint *v = NULL;
	size_t k = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, account ? sql_touchpoints_account
	    : sql_touchpoints_all)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	if (account != NULL)
		sqlite3_bind_text(stmt, 2, account, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k].id = sqlite3_column_int64(stmt, 0);
		v[k].incident_id = sqlite3_column_int64(stmt, 1);
		v[k].account = store_column_dup(stmt, 2);
		store_column_copy(v[k].via, sizeof(v[k].via), stmt, 3);
		v[k].summary = store_column_dup(stmt, 4);
		v[k].actor = store_column_dup(stmt, 5);
		v[k].at = sqlite3_column_int64(stmt, 6);
		k++;
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read the touchpoints");
	sqlite3_reset(stmt);
	*out = v;
	*n = k;
	return rc;
}

void
store_touchpoints_free(struct store_touchpoint *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].account);
		free(v[i].summary);
		free(v[i].actor);
	}
	free(v);
}
