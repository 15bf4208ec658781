/* store-metrics.c: the queries behind sitrepd's cache check and /metrics.
 * What the numbers mean to an operator is http-metrics.c's to say; the outbox
 * counts are store-outbox.c's (store_outbox_counts). */
#include <stdint.h>

#include <sqlite3.h>

#include "sitrep/store-metrics.h"
#include "store-int.h"

static const char sql_data_version[] = "PRAGMA data_version";

static const char sql_open_incidents[] =
	"SELECT severity, count(*) FROM incidents"
	" WHERE status IN ('investigating', 'identified', 'monitoring')"
	" GROUP BY severity";

/* The latest published update of each (incident, audience, account) is
 * the one no later published update of the same three follows. */
static const char sql_overdue[] =
	"SELECT count(*) FROM updates u JOIN incidents i ON i.id = u.incident_id"
	" WHERE i.status IN ('investigating', 'identified', 'monitoring')"
	"  AND u.state = 'published' AND u.next_update_at IS NOT NULL"
	"  AND u.next_update_at < ?1"
	"  AND NOT EXISTS (SELECT 1 FROM updates l"
	"   WHERE l.incident_id = u.incident_id AND l.audience = u.audience"
	"    AND l.account IS u.account AND l.state = 'published'"
	"    AND (l.published_at > u.published_at"
	"     OR (l.published_at = u.published_at AND l.id > u.id)))";

int
store_data_version(int64_t *out, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_data_version)) != 0)
		return rc;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = store_fail(s, "read the data version");
	sqlite3_reset(stmt);
	return rc;
}

int
store_open_incident_counts(int64_t counts[4], struct store *s)
{
	sqlite3_stmt *stmt;
	int rc, step;

	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	if ((rc = store_sql(&stmt, s, sql_open_incidents)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *sev = sqlite3_column_text(stmt, 0);

		if (sev != NULL && sev[0] == 'S' && sev[1] == 'E' && sev[2] == 'V' &&
		    sev[3] >= '1' && sev[3] <= '4' && sev[4] == '\0')
			counts[sev[3] - '1'] = sqlite3_column_int64(stmt, 1);
	}
	if (step != SQLITE_DONE)
		rc = store_fail(s, "count open incidents");
	sqlite3_reset(stmt);
	return rc;
}

int
store_overdue_updates(int64_t *out, struct store *s, int64_t now)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = 0;
	if ((rc = store_sql(&stmt, s, sql_overdue)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = store_fail(s, "count overdue updates");
	sqlite3_reset(stmt);
	return rc;
}
