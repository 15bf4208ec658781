/* store-outbox.c: the rows of the outbox table: queueing a message (to one
 * recipient or to every matching subscriber in one statement), the due
 * rows in order, attempts' outcomes and the counts. When to retry and
 * what to claim are outbox.c's business; sending is deliver.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-outbox.h"
#include "store-int.h"

#define OUTBOX_COLUMNS \
	"id, msg_id, incident_id, update_id, channel, subscriber_id, type," \
	" recipient, subject, payload, state, attempts, next_at, created_at," \
	" sent_at, last_status, last_error, page_id, contact"

/* The id is random, so a recipient can tell a retry (same id) from a new
 * message; SQLite's randomblob reads the system's entropy once. */
static const char sql_outbox_add[] =
	"INSERT INTO outbox (msg_id, incident_id, update_id, channel, subscriber_id,"
	" type, recipient, subject, payload, state, next_at, created_at, from_name,"
	" page_id, contact)"
	" VALUES ('msg_' || lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8, 'pending', ?13, ?9, ?10, ?11, ?12)";
/* A subscriber with no component filter hears of every incident; one with a
 * filter, of incidents touching one of its components. One statement for
 * any number of subscribers. They are read in id order straight from the
 * table (the unary + keeps the planner off the (kind, address) index,
 * which would visit the rows out of order and sort them all again), and
 * the filters are two sets built once, not subqueries run per subscriber. */
#define SUBSCRIBERS_MATCHING \
	" FROM subscribers s" \
	" WHERE +s.kind = ?5 AND s.disabled_at IS NULL AND s.confirmed_at IS NOT NULL" \
	" AND (?1 = 0" \
	"  OR s.id NOT IN (SELECT subscriber_id FROM subscriber_components)" \
	"  OR s.id IN (SELECT c.subscriber_id FROM subscriber_components c" \
	"   JOIN incident_components ic ON ic.component = c.component" \
	"   WHERE ic.incident_id = ?1))"
/* Ids of one fan-out share a random half (?8) and end in the subscriber's
 * id: unique, and in order, so that 100,000
 * of them go into the msg_id index at its end rather than all over it
 * (which overflowed SQLite's page cache and made publishing slower by
 * half). */
static const char sql_outbox_add_subscribers[] =
	"INSERT INTO outbox (msg_id, incident_id, update_id, channel, subscriber_id,"
	" type, recipient, subject, payload, state, next_at, created_at)"
	" SELECT 'msg_' || ?8 || printf('%016x', s.id), NULLIF(?1, 0), ?2, ?3, s.id, s.kind,"
	" s.address, ?6, ?7, 'pending', ?4, ?4" SUBSCRIBERS_MATCHING " ORDER BY s.id";
static const char sql_subscribers_matching[] =
	"SELECT count(*)" SUBSCRIBERS_MATCHING;
/* The due rows after a position in the due order (next_at, id), with
 * their subscribers. The due index is named: without statistics the
 * planner might take another and sort. Walking it gives the rows in due
 * order, so the ORDER BY costs no sort (a subquery that took the rows first
 * and was joined after cost a copy of every row). */
static const char sql_outbox_due[] =
	"SELECT o.id, o.msg_id, o.incident_id, o.update_id, o.channel, o.subscriber_id,"
	" o.type, o.recipient, o.subject, o.payload, o.state, o.attempts, o.next_at,"
	" o.created_at, o.sent_at, o.last_status, o.last_error, o.page_id, o.contact,"
	" s.secret, s.token, s.disabled_at, s.disabled_reason, o.from_name, s.confirmed_at"
	" FROM outbox o INDEXED BY outbox_due LEFT JOIN subscribers s ON s.id = o.subscriber_id"
	" WHERE o.state IN ('pending', 'retrying') AND o.next_at <= ?1"
	" AND (o.next_at, o.id) > (?2, ?4) ORDER BY o.next_at, o.id LIMIT ?3";
/* A page's row cancelled while it was in flight stays cancelled unless it
 * was sent after all: a retry must not bring it back. */
static const char sql_outbox_result[] =
	"UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4, sent_at = ?5,"
	" last_status = ?6, last_error = ?7 WHERE id = ?1"
	" AND (state <> 'cancelled' OR ?2 = 'sent')";
static const char sql_outbox_list_all[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox ORDER BY id DESC LIMIT ?1";
/* The state's own term lets the planner use the partial index that holds
 * it: outbox_failed for retrying and dead, outbox_due for pending; sent
 * rows are most rows, read newest first. */
static const char sql_outbox_list_failed[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = ?2"
	" AND state IN ('retrying', 'dead') ORDER BY id DESC LIMIT ?1";
static const char sql_outbox_list_pending[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = ?2"
	" AND state IN ('pending', 'retrying') ORDER BY id DESC LIMIT ?1";
static const char sql_outbox_list_state[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = ?2"
	" ORDER BY id DESC LIMIT ?1";
static const char sql_outbox_get[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?1";
static const char sql_outbox_page[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE page_id = ?1 ORDER BY id";
/* Only rows not yet taken to be sent: a row in flight is sent or fails
 * as it would have. */
static const char sql_outbox_cancel_page[] =
	"UPDATE outbox SET state = 'cancelled' WHERE page_id = ?1"
	" AND state IN ('pending', 'retrying')";
/* People's contacts: the newest row to each contact that was tried
 * (`sitrep people`), one scan of the table for all of them; and the newest
 * row queued to one contact, which is the one just queued (found at the
 * end of the table at once). */
static const char sql_outbox_contacts_last[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id IN (SELECT max(id) FROM outbox"
	" WHERE contact IS NOT NULL AND state IN ('sent', 'retrying', 'dead')"
	" GROUP BY contact) ORDER BY contact";
static const char sql_outbox_contact_newest[] =
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE contact = ?1 ORDER BY id DESC LIMIT 1";
static const char sql_outbox_counts[] =
	"SELECT state, count(*) FROM outbox GROUP BY state";
static const char sql_outbox_update_counts[] =
	"SELECT state, count(*) FROM outbox WHERE update_id = ?1 GROUP BY state";
static const char sql_outbox_next_due[] =
	"SELECT min(next_at) FROM outbox INDEXED BY outbox_due"
	" WHERE state IN ('pending', 'retrying') AND (next_at, id) > (?1, ?2)";

static const char *const outbox_states[STORE_OUTBOX_NSTATES] = {
	"pending", "retrying", "sent", "dead", "cancelled"
};

static void
outbox_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_outbox *o = row;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(stmt, 0);
	store_column_copy(o->msg_id, sizeof(o->msg_id), stmt, 1);
	o->incident_id = sqlite3_column_int64(stmt, 2);
	o->update_id = sqlite3_column_int64(stmt, 3);
	o->channel = store_column_dup_null(stmt, 4);
	o->subscriber_id = sqlite3_column_int64(stmt, 5);
	store_column_copy(o->type, sizeof(o->type), stmt, 6);
	o->recipient = store_column_dup_null(stmt, 7);
	o->subject = store_column_dup_null(stmt, 8);
	o->payload = store_column_dup_null(stmt, 9);
	store_column_copy(o->state, sizeof(o->state), stmt, 10);
	o->attempts = sqlite3_column_int(stmt, 11);
	o->next_at = sqlite3_column_int64(stmt, 12);
	o->created_at = sqlite3_column_int64(stmt, 13);
	o->sent_at = sqlite3_column_int64(stmt, 14);
	o->last_status = sqlite3_column_int(stmt, 15);
	o->last_error = store_column_dup_null(stmt, 16);
	o->page_id = sqlite3_column_int64(stmt, 17);
	o->contact = store_column_dup_null(stmt, 18);
	if (sqlite3_column_count(stmt) > 19) {
		o->sub_secret = store_column_dup_null(stmt, 19);
		o->sub_token = store_column_dup_null(stmt, 20);
		o->sub_disabled_at = sqlite3_column_int64(stmt, 21);
		o->sub_disabled_reason = store_column_dup_null(stmt, 22);
		o->from_name = store_column_dup_null(stmt, 23);
		o->sub_confirmed_at = sqlite3_column_int64(stmt, 24);
	}
}

int
store_outbox_add(struct store *s, const struct store_outbox *row)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_outbox_add)) != 0)
		return rc;
	store_bind_id(stmt, 1, row->incident_id);
	store_bind_id(stmt, 2, row->update_id);
	store_bind_text_null(stmt, 3, row->channel);
	store_bind_id(stmt, 4, row->subscriber_id);
	sqlite3_bind_text(stmt, 5, row->type, -1, SQLITE_STATIC);
	store_bind_text_null(stmt, 6, row->recipient);
	store_bind_text_null(stmt, 7, row->subject);
	store_bind_text_null(stmt, 8, row->payload);
	sqlite3_bind_int64(stmt, 9, row->created_at);
	store_bind_text_null(stmt, 10, row->from_name);
	store_bind_id(stmt, 11, row->page_id);
	store_bind_text_null(stmt, 12, row->contact);
	sqlite3_bind_int64(stmt, 13, row->next_at != 0 ? row->next_at : row->created_at);
	return store_step_done(s, stmt, "queue a message in the outbox");
}

int
store_outbox_add_subscribers(int64_t *count, struct store *s, const char *kind,
			     int64_t incident_id, int64_t update_id,
			     const char *channel, int64_t now, const char *subject,
			     const char *payload)
{
	sqlite3_stmt *stmt;
	unsigned char random[8];
	char prefix[2 * sizeof(random) + 1];
	int rc;

	*count = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_add_subscribers)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	store_bind_id(stmt, 2, update_id);
	store_bind_text_null(stmt, 3, channel);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
	store_bind_text_null(stmt, 6, subject);
	store_bind_text_null(stmt, 7, payload);
	/* SQLite's generator, seeded from the system's entropy like randomblob */
	sqlite3_randomness((int)sizeof(random), random);
	for (size_t i = 0; i < sizeof(random); i++)
		snprintf(prefix + 2 * i, 3, "%02x", random[i]);
	sqlite3_bind_text(stmt, 8, prefix, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, stmt, "queue messages to subscribers")) == 0)
		*count = sqlite3_changes64(store_db(s));
	return rc;
}

int
store_subscribers_matching(int64_t *count, struct store *s, const char *kind,
			   int64_t incident_id)
{
	sqlite3_stmt *stmt;
	int rc;

	*count = 0;
	if ((rc = store_sql(&stmt, s, sql_subscribers_matching)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*count = sqlite3_column_int64(stmt, 0);
	else
		rc = store_fail(s, "count the subscribers");
	sqlite3_reset(stmt);
	return rc;
}

/* Read every row of a statement into an outbox array. */
static int
outbox_rows(struct store_outbox **out, size_t *n, struct store *s,
	    sqlite3_stmt *stmt, const char *what)
{
	void *v;
	size_t k;
	int rc;

	rc = store_rows(&v, &k, s, stmt, sizeof(struct store_outbox), outbox_from_row, what);
	if (rc != 0) {
		store_outbox_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int
store_outbox_due(struct store_outbox **out, size_t *n, struct store *s, int64_t now,
		 const struct store_outbox_pos *after, size_t limit)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_due)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, after ? after->next_at : INT64_MIN);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limit);
	sqlite3_bind_int64(stmt, 4, after ? after->id : INT64_MIN);
	return outbox_rows(out, n, s, stmt, "read the due messages from the outbox");
}

int
store_outbox_result(struct store *s, const struct store_outbox *row)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_outbox_result)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, row->id);
	sqlite3_bind_text(stmt, 2, row->state, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, row->attempts);
	sqlite3_bind_int64(stmt, 4, row->next_at);
	store_bind_time(stmt, 5, row->sent_at);
	if (row->last_status != 0)
		sqlite3_bind_int(stmt, 6, row->last_status);
	else
		sqlite3_bind_null(stmt, 6);
	store_bind_text_null(stmt, 7, row->last_error);
	return store_step_done(s, stmt, "record a delivery attempt");
}

int
store_outbox_list(struct store_outbox **out, size_t *n, struct store *s,
		  const char *state, size_t limit)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, state == NULL ? sql_outbox_list_all :
			    strcmp(state, "retrying") == 0 || strcmp(state, "dead") == 0 ?
			    sql_outbox_list_failed : strcmp(state, "pending") == 0 ?
			    sql_outbox_list_pending : sql_outbox_list_state)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, limit ? (sqlite3_int64)limit : -1);
	if (state != NULL)
		sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	return outbox_rows(out, n, s, stmt, "list the outbox");
}

int
store_outbox_get(struct store_outbox *out, struct store *s, int64_t id)
{
	struct store_outbox *v;
	sqlite3_stmt *stmt;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_outbox_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = outbox_rows(&v, &n, s, stmt, "read the outbox")) != 0)
		return rc;
	if (n == 0) {
		free(v);
		return err_set(SR_ENOTFOUND, "no outbox message %lld: run 'sitrep outbox' "
			       "to see them", (long long)id);
	}
	*out = v[0];
	free(v);
	return 0;
}

static int
outbox_state_counts(int64_t counts[STORE_OUTBOX_NSTATES], struct store *s, const char *sql,
		    int64_t id)
{
	sqlite3_stmt *stmt;
	int rc, step;

	memset(counts, 0, STORE_OUTBOX_NSTATES * sizeof(*counts));
	if ((rc = store_sql(&stmt, s, sql)) != 0)
		return rc;
	if (id != 0)
		sqlite3_bind_int64(stmt, 1, id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(stmt, 0);

		for (int i = 0; i < STORE_OUTBOX_NSTATES; i++)
			if (state != NULL && strcmp(state, outbox_states[i]) == 0)
				counts[i] = sqlite3_column_int64(stmt, 1);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "count the outbox");
	sqlite3_reset(stmt);
	return rc;
}

int
store_outbox_page_rows(struct store_outbox **out, size_t *n, struct store *s, int64_t page_id)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_page)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, page_id);
	return outbox_rows(out, n, s, stmt, "read a page's notifications");
}

int
store_outbox_cancel_page(int64_t *count, struct store *s, int64_t page_id, int64_t at)
{
	sqlite3_stmt *stmt;
	int rc;

	if (count != NULL)
		*count = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_cancel_page)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, page_id);
	(void)at; /* when: the page's closed_at; next_at keeps when it was due */
	if ((rc = store_step_done(s, stmt, "cancel a page's notifications")) == 0 &&
	    count != NULL)
		*count = sqlite3_changes64(store_db(s));
	return rc;
}

int
store_outbox_contacts_last(struct store_outbox **out, size_t *n, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_contacts_last)) != 0)
		return rc;
	return outbox_rows(out, n, s, stmt, "read the last notification to each contact");
}

int
store_outbox_contact_newest(struct store_outbox *out, struct store *s, const char *contact)
{
	struct store_outbox *v;
	sqlite3_stmt *stmt;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_outbox_contact_newest)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, contact, -1, SQLITE_STATIC);
	if ((rc = outbox_rows(&v, &n, s, stmt, "read a contact's notifications")) != 0)
		return rc;
	if (n == 0) {
		free(v);
		return err_set(SR_ENOTFOUND, "nothing was ever queued to contact '%s'", contact);
	}
	*out = v[0];
	free(v);
	return 0;
}

const char *
store_outbox_state_name(int i)
{
	return i >= 0 && i < STORE_OUTBOX_NSTATES ? outbox_states[i] : NULL;
}

int
store_outbox_counts(int64_t counts[STORE_OUTBOX_NSTATES], struct store *s)
{
	return outbox_state_counts(counts, s, sql_outbox_counts, 0);
}

int
store_outbox_update_counts(int64_t counts[STORE_OUTBOX_NSTATES], struct store *s,
			   int64_t update_id)
{
	return outbox_state_counts(counts, s, sql_outbox_update_counts, update_id);
}

int
store_outbox_next_due(int64_t *out, struct store *s, const struct store_outbox_pos *after)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = 0;
	if ((rc = store_sql(&stmt, s, sql_outbox_next_due)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, after ? after->next_at : INT64_MIN);
	sqlite3_bind_int64(stmt, 2, after ? after->id : INT64_MIN);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = store_fail(s, "read the outbox");
	sqlite3_reset(stmt);
	return rc;
}

void
store_outbox_release(struct store_outbox *row)
{
	free(row->channel);
	free(row->recipient);
	free(row->subject);
	free(row->payload);
	free(row->last_error);
	free(row->sub_secret);
	free(row->sub_token);
	free(row->sub_disabled_reason);
	free(row->from_name);
	free(row->contact);
	memset(row, 0, sizeof(*row));
}

void
store_outbox_free(struct store_outbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_outbox_release(&v[i]);
	free(v);
}
