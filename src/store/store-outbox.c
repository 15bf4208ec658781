/* store-comms.c: the rows of communications: updates and apologies,
 * customer touchpoints, subscribers and the outbox. Who may post, what a
 * message says and how it travels are comms.c's, subscribers.c's and
 * deliver.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

#define UPDATE_COLUMNS \
	"id, incident_id, kind, audience, status, template, account, body," \
	" next_update_at, state, author, created_at, approver, approved_at," \
	" published_at, withdrawn_by, withdrawn_at, publish_at"

static const char sql_update_insert[] =
	"INSERT INTO updates (incident_id, kind, audience, status, template, account,"
	" body, next_update_at, state, author, created_at, approver, approved_at,"
	" published_at, publish_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
static const char sql_update_get[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE id = ?1";
static const char sql_update_set_state[] =
	"UPDATE updates SET state = ?2, approver = ?3, approved_at = ?4,"
	" published_at = ?5, withdrawn_by = ?6, withdrawn_at = ?7, status = ?8 WHERE id = ?1";
static const char sql_updates_get[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE incident_id = ?1 ORDER BY id";

static const char sql_updates_scheduled[] =
	"SELECT " UPDATE_COLUMNS " FROM updates WHERE publish_at IS NOT NULL"
	" AND state IN ('draft', 'approved') ORDER BY publish_at, id";
static const char sql_public_updates[] =
	"SELECT id, status, body, published_at FROM updates WHERE incident_id = ?1"
	" AND audience = 'customers' AND state = 'published' AND account IS NULL"
	" ORDER BY published_at DESC, id DESC";

static const char sql_touchpoint_insert[] =
	"INSERT INTO touchpoints (incident_id, account, via, summary, actor, at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_touchpoints_all[] =
	"SELECT id, incident_id, account, via, summary, actor, at FROM touchpoints"
	" WHERE incident_id = ?1 ORDER BY at, id";
static const char sql_touchpoints_account[] =
	"SELECT id, incident_id, account, via, summary, actor, at FROM touchpoints"
	" WHERE incident_id = ?1 AND account = ?2 ORDER BY at, id";

#define SUBSCRIBER_COLUMNS \
	"id, kind, address, secret, token, created_at, disabled_at, disabled_reason," \
	" confirmed_at, confirm_token, confirm_sent_at"

static const char sql_subscriber_insert[] =
	"INSERT INTO subscribers (kind, address, secret, token, created_at,"
	" confirmed_at, confirm_token, confirm_sent_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0), ?7, NULLIF(?8, 0))";
static const char sql_subscriber_component[] =
	"INSERT OR IGNORE INTO subscriber_components (subscriber_id, component)"
	" VALUES (?1, ?2)";
static const char sql_subscriber_components[] =
	"SELECT component FROM subscriber_components WHERE subscriber_id = ?1"
	" ORDER BY component";
static const char sql_subscriber_active[] =
	"SELECT id FROM subscribers WHERE kind = ?1 AND address = ?2"
	" AND disabled_at IS NULL ORDER BY id LIMIT 1";
static const char sql_subscriber_by_confirm_token[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE confirm_token = ?1";
static const char sql_subscriber_confirm[] =
	"UPDATE subscribers SET confirmed_at = ?2, confirm_token = NULL"
	" WHERE id = ?1 AND disabled_at IS NULL";
static const char sql_subscriber_confirm_sent[] =
	"UPDATE subscribers SET confirm_token = ?2, confirm_sent_at = ?3"
	" WHERE id = ?1 AND confirmed_at IS NULL";
static const char sql_subscribers_unconfirmed_oldest[] =
	"SELECT min(created_at) FROM subscribers"
	" WHERE confirmed_at IS NULL AND disabled_at IS NULL";
static const char sql_subscribers_expire[] =
	"UPDATE subscribers SET disabled_at = ?2, confirm_token = NULL,"
	" disabled_reason = 'not confirmed in time'"
	" WHERE confirmed_at IS NULL AND disabled_at IS NULL AND created_at < ?1";
static const char sql_subscriber_by_id[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE id = ?1";
static const char sql_subscriber_by_address[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE address = ?1"
	" AND disabled_at IS NULL ORDER BY id LIMIT 1";
static const char sql_subscriber_by_token[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE token = ?1";
static const char sql_subscribers_active[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE disabled_at IS NULL"
	" ORDER BY id";
static const char sql_subscribers_all[] =
	"SELECT " SUBSCRIBER_COLUMNS " FROM subscribers ORDER BY id";
static const char sql_subscriber_disable[] =
	"UPDATE subscribers SET disabled_at = ?2, disabled_reason = ?3"
	" WHERE id = ?1 AND disabled_at IS NULL";

#define OUTBOX_COLUMNS \
	"id, msg_id, incident_id, update_id, channel, subscriber_id, type," \
	" recipient, subject, payload, state, attempts, next_at, created_at," \
	" sent_at, last_status, last_error"

/* The id is random, so a recipient can tell a retry (same id) from a new
 * message; SQLite's randomblob reads the system's entropy once. */
static const char sql_outbox_add[] =
	"INSERT INTO outbox (msg_id, incident_id, update_id, channel, subscriber_id,"
	" type, recipient, subject, payload, state, next_at, created_at, from_name)"
	" VALUES ('msg_' || lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8, 'pending', ?9, ?9, ?10)";
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
	" o.created_at, o.sent_at, o.last_status, o.last_error,"
	" s.secret, s.token, s.disabled_at, s.disabled_reason, o.from_name, s.confirmed_at"
	" FROM outbox o INDEXED BY outbox_due LEFT JOIN subscribers s ON s.id = o.subscriber_id"
	" WHERE o.state IN ('pending', 'retrying') AND o.next_at <= ?1"
	" AND (o.next_at, o.id) > (?2, ?4) ORDER BY o.next_at, o.id LIMIT ?3";
static const char sql_outbox_result[] =
	"UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4, sent_at = ?5,"
	" last_status = ?6, last_error = ?7 WHERE id = ?1";
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
static const char sql_outbox_counts[] =
	"SELECT state, count(*) FROM outbox GROUP BY state";
static const char sql_outbox_update_counts[] =
	"SELECT state, count(*) FROM outbox WHERE update_id = ?1 GROUP BY state";
static const char sql_outbox_next_due[] =
	"SELECT min(next_at) FROM outbox INDEXED BY outbox_due"
	" WHERE state IN ('pending', 'retrying') AND (next_at, id) > (?1, ?2)";

static const char *const outbox_states[4] = { "pending", "retrying", "sent", "dead" };

static void
bind_text_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
}

static void
bind_id(sqlite3_stmt *stmt, int col, int64_t id)
{
	if (id == 0)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_int64(stmt, col, id);
}

/* Run a statement that returns no rows; what names it in an error. */
static int
step_done(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, what);

	sqlite3_reset(stmt);
	return rc;
}

/* Updates */

static void
update_from_row(struct store_update *u, sqlite3_stmt *stmt)
{
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
	bind_text_null(stmt, 4, u->status);
	bind_text_null(stmt, 5, u->template_id);
	bind_text_null(stmt, 6, u->account);
	sqlite3_bind_text(stmt, 7, u->body, -1, SQLITE_STATIC);
	store_bind_time(stmt, 8, u->next_update_at);
	sqlite3_bind_text(stmt, 9, u->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, u->author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, u->created_at);
	bind_text_null(stmt, 12, u->approver);
	store_bind_time(stmt, 13, u->approved_at);
	store_bind_time(stmt, 14, u->published_at);
	store_bind_time(stmt, 15, u->publish_at);
	if ((rc = step_done(s, stmt, "record the update")) == 0)
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
	bind_text_null(stmt, 3, u->approver);
	store_bind_time(stmt, 4, u->approved_at);
	store_bind_time(stmt, 5, u->published_at);
	bind_text_null(stmt, 6, u->withdrawn_by);
	store_bind_time(stmt, 7, u->withdrawn_at);
	bind_text_null(stmt, 8, u->status);
	return step_done(s, stmt, "change the update's state");
}

int
store_updates_get(struct store_update **out, size_t *n, struct store *s,
		  int64_t incident_id)
{
	sqlite3_stmt *stmt;
	struct store_update *v = NULL;
	size_t k = 0, cap = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_updates_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		memset(&v[k], 0, sizeof(v[k]));
		update_from_row(&v[k++], stmt);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read the updates");
	sqlite3_reset(stmt);
	*out = v;
	*n = k;
	return rc;
}

int
store_updates_scheduled(struct store_update **out, size_t *n, struct store *s)
{
	sqlite3_stmt *stmt;
	struct store_update *v = NULL;
	size_t k = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_updates_scheduled)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		memset(&v[k], 0, sizeof(v[k]));
		update_from_row(&v[k++], stmt);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read the scheduled updates");
	sqlite3_reset(stmt);
	*out = v;
	*n = k;
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

int
store_public_updates(struct store_public_update **out, size_t *n, struct store *s,
		     int64_t incident_id)
{
	struct store_public_update *v = NULL;
	sqlite3_stmt *stmt;
	size_t k = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_public_updates)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k].id = sqlite3_column_int64(stmt, 0);
		store_column_copy(v[k].status, sizeof(v[k].status), stmt, 1);
		v[k].body = store_column_dup(stmt, 2);
		v[k].published_at = sqlite3_column_int64(stmt, 3);
		k++;
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read the published updates");
	sqlite3_reset(stmt);
	*out = v;
	*n = k;
	return rc;
}

void
store_public_updates_free(struct store_public_update *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].body);
	free(v);
}

/* Touchpoints */

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
	return step_done(s, stmt, "record the touchpoint");
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

/* Subscribers */

static int
subscriber_components_get(struct store_subscriber *sub, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc, step;

	if ((rc = store_sql(&stmt, s, sql_subscriber_components)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, sub->id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		sub->components = xreallocarray(sub->components, sub->ncomponents + 1,
		    sizeof(*sub->components));
		sub->components[sub->ncomponents++] = store_column_dup(stmt, 0);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "read a subscriber's components");
	sqlite3_reset(stmt);
	return rc;
}

static void
subscriber_from_row(struct store_subscriber *sub, sqlite3_stmt *stmt)
{
	memset(sub, 0, sizeof(*sub));
	sub->id = sqlite3_column_int64(stmt, 0);
	store_column_copy(sub->kind, sizeof(sub->kind), stmt, 1);
	sub->address = store_column_dup(stmt, 2);
	sub->secret = store_column_dup_null(stmt, 3);
	sub->token = store_column_dup(stmt, 4);
	sub->created_at = sqlite3_column_int64(stmt, 5);
	sub->disabled_at = sqlite3_column_int64(stmt, 6);
	sub->disabled_reason = store_column_dup_null(stmt, 7);
	sub->confirmed_at = sqlite3_column_int64(stmt, 8);
	sub->confirm_token = store_column_dup_null(stmt, 9);
	sub->confirm_sent_at = sqlite3_column_int64(stmt, 10);
}

int
store_subscriber_insert(int64_t *out_id, struct store *s,
			const struct store_subscriber *sub)
{
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	if (strcmp(sub->kind, "email") == 0) {
		if ((rc = store_subscriber_active(&id, s, sub->kind, sub->address)) == 0)
			return err_set(SR_EEXIST, "%s '%s' is already subscribed (subscriber %lld)",
				       sub->kind, sub->address, (long long)id);
		if (rc != SR_ENOTFOUND)
			return rc;
	}
	if ((rc = store_sql(&stmt, s, sql_subscriber_insert)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, sub->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, sub->address, -1, SQLITE_STATIC);
	bind_text_null(stmt, 3, sub->secret);
	sqlite3_bind_text(stmt, 4, sub->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, sub->created_at);
	sqlite3_bind_int64(stmt, 6, sub->confirmed_at);
	bind_text_null(stmt, 7, sub->confirm_token);
	sqlite3_bind_int64(stmt, 8, sub->confirm_sent_at);
	if ((rc = step_done(s, stmt, "record the subscriber")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < sub->ncomponents; i++) {
		if ((rc = store_sql(&stmt, s, sql_subscriber_component)) != 0)
			return rc;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, sub->components[i], -1, SQLITE_STATIC);
		if ((rc = step_done(s, stmt, "record the subscriber's components")) != 0)
			return rc;
	}
	*out_id = id;
	return 0;
}

int
store_subscriber_active(int64_t *out_id, struct store *s, const char *kind,
			const char *address)
{
	sqlite3_stmt *stmt;
	int rc;

	*out_id = 0;
	if ((rc = store_sql(&stmt, s, sql_subscriber_active)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out_id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return SR_ENOTFOUND;
	return store_fail(s, "look for the subscriber");
}

/* An UPDATE of subscribers binding id as ?1, then two more values. */
static int
subscriber_update(struct store *s, const char *sql, int64_t id, const char *text,
		  int64_t at, const char *what)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	if (text != NULL) {
		sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, at);
	} else
		sqlite3_bind_int64(stmt, 2, at);
	if ((rc = step_done(s, stmt, what)) != 0)
		return rc;
	if (sqlite3_changes(store_db(s)) == 0)
		return err_set(SR_ENOTFOUND, "subscriber %lld is not awaiting that change",
			       (long long)id);
	return 0;
}

int
store_subscriber_confirm(struct store *s, int64_t id, int64_t at)
{
	return subscriber_update(s, sql_subscriber_confirm, id, NULL, at,
				 "confirm the subscriber");
}

int
store_subscriber_confirm_sent(struct store *s, int64_t id, const char *token, int64_t at)
{
	return subscriber_update(s, sql_subscriber_confirm_sent, id, token, at,
				 "record the confirmation mail");
}

int
store_subscribers_expire(int64_t *n, struct store *s, int64_t before, int64_t at)
{
	sqlite3_stmt *stmt;
	int rc;

	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_subscribers_expire)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, before);
	sqlite3_bind_int64(stmt, 2, at);
	if ((rc = step_done(s, stmt, "end the unconfirmed subscriptions")) != 0)
		return rc;
	*n = sqlite3_changes(store_db(s));
	return 0;
}

int
store_subscribers_unconfirmed_oldest(int64_t *created_at, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	*created_at = 0;
	if ((rc = store_sql(&stmt, s, sql_subscribers_unconfirmed_oldest)) != 0)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*created_at = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "look for unconfirmed subscribers");
}

/* The one row sql finds with key bound as ?1 (an id or a text). */
static int
subscriber_find(struct store_subscriber *out, struct store *s, const char *sql,
		int64_t id, const char *key)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql)) != 0)
		return rc;
	if (key != NULL)
		sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		subscriber_from_row(out, stmt);
		break;
	case SQLITE_DONE:
		rc = SR_ENOTFOUND;
		break;
	default:
		rc = store_fail(s, "read the subscriber");
	}
	sqlite3_reset(stmt);
	if (rc == 0 && (rc = subscriber_components_get(out, s)) != 0)
		store_subscriber_release(out);
	if (rc == SR_ENOTFOUND)
		err_set(rc, "no subscriber %s%s%s: run 'sitrep subscribers' to see them",
			key ? "'" : "", key ? key : "", key ? "'" : "");
	return rc;
}

int
store_subscriber_get(struct store_subscriber *out, struct store *s, int64_t id)
{
	int rc = subscriber_find(out, s, sql_subscriber_by_id, id, NULL);

	if (rc == SR_ENOTFOUND)
		err_set(rc, "no subscriber %lld: run 'sitrep subscribers' to see them",
			(long long)id);
	return rc;
}

int
store_subscriber_by_address(struct store_subscriber *out, struct store *s,
			    const char *address)
{
	return subscriber_find(out, s, sql_subscriber_by_address, 0, address);
}

int
store_subscriber_by_token(struct store_subscriber *out, struct store *s,
			  const char *token)
{
	return subscriber_find(out, s, sql_subscriber_by_token, 0, token);
}

int
store_subscriber_by_confirm_token(struct store_subscriber *out, struct store *s,
				  const char *token)
{
	return subscriber_find(out, s, sql_subscriber_by_confirm_token, 0, token);
}

int
store_subscribers_get(struct store_subscriber **out, size_t *n, struct store *s,
		      bool all)
{
	sqlite3_stmt *stmt;
	struct store_subscriber *v = NULL;
	size_t k = 0, cap = 0;
	int rc = 0, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, all ? sql_subscribers_all : sql_subscribers_active)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		subscriber_from_row(&v[k++], stmt);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "list the subscribers");
	sqlite3_reset(stmt);
	for (size_t i = 0; rc == 0 && i < k; i++)
		rc = subscriber_components_get(&v[i], s);
	if (rc != 0) {
		store_subscribers_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int
store_subscriber_disable(struct store *s, int64_t id, int64_t at, const char *reason)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_subscriber_disable)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_text(stmt, 3, reason, -1, SQLITE_STATIC);
	if ((rc = step_done(s, stmt, "disable the subscriber")) != 0)
		return rc;
	if (sqlite3_changes(store_db(s)) == 0)
		return err_set(SR_ENOTFOUND, "subscriber %lld is not active", (long long)id);
	return 0;
}

void
store_subscriber_release(struct store_subscriber *sub)
{
	free(sub->address);
	free(sub->secret);
	free(sub->token);
	free(sub->disabled_reason);
	free(sub->confirm_token);
	for (size_t i = 0; i < sub->ncomponents; i++)
		free(sub->components[i]);
	free(sub->components);
	memset(sub, 0, sizeof(*sub));
}

void
store_subscribers_free(struct store_subscriber *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_subscriber_release(&v[i]);
	free(v);
}

/* Outbox */

static void
outbox_from_row(struct store_outbox *o, sqlite3_stmt *stmt)
{
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
	if (sqlite3_column_count(stmt) > 17) {
		o->sub_secret = store_column_dup_null(stmt, 17);
		o->sub_token = store_column_dup_null(stmt, 18);
		o->sub_disabled_at = sqlite3_column_int64(stmt, 19);
		o->sub_disabled_reason = store_column_dup_null(stmt, 20);
		o->from_name = store_column_dup_null(stmt, 21);
		o->sub_confirmed_at = sqlite3_column_int64(stmt, 22);
	}
}

int
store_outbox_add(struct store *s, const struct store_outbox *row)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_outbox_add)) != 0)
		return rc;
	bind_id(stmt, 1, row->incident_id);
	bind_id(stmt, 2, row->update_id);
	bind_text_null(stmt, 3, row->channel);
	bind_id(stmt, 4, row->subscriber_id);
	sqlite3_bind_text(stmt, 5, row->type, -1, SQLITE_STATIC);
	bind_text_null(stmt, 6, row->recipient);
	bind_text_null(stmt, 7, row->subject);
	bind_text_null(stmt, 8, row->payload);
	sqlite3_bind_int64(stmt, 9, row->created_at);
	bind_text_null(stmt, 10, row->from_name);
	return step_done(s, stmt, "queue a message in the outbox");
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
	bind_id(stmt, 2, update_id);
	bind_text_null(stmt, 3, channel);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
	bind_text_null(stmt, 6, subject);
	bind_text_null(stmt, 7, payload);
	/* SQLite's generator, seeded from the system's entropy like randomblob */
	sqlite3_randomness((int)sizeof(random), random);
	for (size_t i = 0; i < sizeof(random); i++)
		snprintf(prefix + 2 * i, 3, "%02x", random[i]);
	sqlite3_bind_text(stmt, 8, prefix, -1, SQLITE_STATIC);
	if ((rc = step_done(s, stmt, "queue messages to subscribers")) == 0)
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
	struct store_outbox *v = NULL;
	size_t k = 0, cap = 0;
	int rc, step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		outbox_from_row(&v[k++], stmt);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, what);
	sqlite3_reset(stmt);
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
	bind_text_null(stmt, 7, row->last_error);
	return step_done(s, stmt, "record a delivery attempt");
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
outbox_state_counts(int64_t counts[4], struct store *s, const char *sql, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc, step;

	memset(counts, 0, 4 * sizeof(*counts));
	if ((rc = store_sql(&stmt, s, sql)) != 0)
		return rc;
	if (id != 0)
		sqlite3_bind_int64(stmt, 1, id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(stmt, 0);

		for (int i = 0; i < 4; i++)
			if (state != NULL && strcmp(state, outbox_states[i]) == 0)
				counts[i] = sqlite3_column_int64(stmt, 1);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "count the outbox");
	sqlite3_reset(stmt);
	return rc;
}

int
store_outbox_counts(int64_t counts[4], struct store *s)
{
	return outbox_state_counts(counts, s, sql_outbox_counts, 0);
}

int
store_outbox_update_counts(int64_t counts[4], struct store *s, int64_t update_id)
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
	memset(row, 0, sizeof(*row));
}

void
store_outbox_free(struct store_outbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_outbox_release(&v[i]);
	free(v);
}
