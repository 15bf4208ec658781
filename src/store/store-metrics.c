/* store-metrics.c: the queries behind sitrepd's cache check and /metrics.
 * What the numbers mean to an operator is http-metrics.c's to say; the outbox
 * counts are store-outbox.c's (store_outbox_counts). The pages' figures
 * (acknowledgement times, notifications by contact and result) are read
 * here at scrape time, so they count what happened before sitrepd started
 * too. */
#include <stdint.h>
#include <string.h>

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

/* Pages acknowledged by the person paged (not those covered by someone
 * else's acknowledgement or the role being filled). */
static const char sql_ack_times[] =
	"SELECT i.severity, p.closed_at - p.paged_at FROM pages p"
	" JOIN incidents i ON i.id = p.incident_id"
	" WHERE p.state = 'acked' AND p.closed_at IS NOT NULL";

/* A notification of a page goes out through the channel of the person's
 * contact, so the row's type is the contact's: e-mail, a webhook of their
 * own, or a mention in a Slack or Discord channel. */
static const char sql_page_notifications[] =
	"SELECT type, state, count(*) FROM outbox WHERE page_id IS NOT NULL"
	" GROUP BY type, state";

/* 1..4 for "SEV1".."SEV4", else 0. */
static int
severity_number(const unsigned char *sev)
{
	if (sev != NULL && sev[0] == 'S' && sev[1] == 'E' && sev[2] == 'V' &&
	    sev[3] >= '1' && sev[3] <= '4' && sev[4] == '\0')
		return sev[3] - '0';
	return 0;
}

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
		int sev = severity_number(sqlite3_column_text(stmt, 0));

		if (sev > 0)
			counts[sev - 1] = sqlite3_column_int64(stmt, 1);
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

int
store_page_ack_times(struct store *s, store_ack_time_fn *fn, void *arg)
{
	sqlite3_stmt *stmt;
	int rc, step;

	if ((rc = store_sql(&stmt, s, sql_ack_times)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t ms = sqlite3_column_int64(stmt, 1);

		fn(arg, severity_number(sqlite3_column_text(stmt, 0)), ms < 0 ? 0 : ms);
	}
	if (step != SQLITE_DONE)
		rc = store_fail(s, "read the pages' acknowledgement times");
	sqlite3_reset(stmt);
	return rc;
}

static int
index_of(const char *const *names, size_t n, const unsigned char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(names[i], (const char *)name) == 0)
			return (int)i;
	return -1;
}

int
store_page_notification_counts(int64_t counts[STORE_CONTACT_TYPES][STORE_PAGE_RESULTS],
			       struct store *s)
{
	/* the outbox types of the contact types, in enum conf_contact_type's order */
	static const char *const types[STORE_CONTACT_TYPES] = {
		"email", "webhook", "slack", "discord",
	};
	static const char *const states[] = { "sent", "dead", "cancelled", "pending", "retrying" };
	sqlite3_stmt *stmt;
	int rc, step;

	for (int t = 0; t < STORE_CONTACT_TYPES; t++)
		for (int r = 0; r < STORE_PAGE_RESULTS; r++)
			counts[t][r] = 0;
	if ((rc = store_sql(&stmt, s, sql_page_notifications)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		int t = index_of(types, STORE_CONTACT_TYPES, sqlite3_column_text(stmt, 0));
		int r = index_of(states, sizeof(states) / sizeof(states[0]),
				 sqlite3_column_text(stmt, 1));

		if (t < 0 || r < 0)
			continue; /* teams: no contact goes through it */
		if (r > STORE_PAGE_PENDING)
			r = STORE_PAGE_PENDING; /* retrying: not done yet */
		counts[t][r] += sqlite3_column_int64(stmt, 2);
	}
	if (step != SQLITE_DONE)
		rc = store_fail(s, "count the pages' notifications");
	sqlite3_reset(stmt);
	return rc;
}
