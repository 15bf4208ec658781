/* store-subscribers.c: the rows of the subscribers table and their
 * component filters: subscribing, confirming, disabling. Who may
 * subscribe and the confirmation mail are subscribers.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

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
	store_bind_text_null(stmt, 3, sub->secret);
	sqlite3_bind_text(stmt, 4, sub->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, sub->created_at);
	sqlite3_bind_int64(stmt, 6, sub->confirmed_at);
	store_bind_text_null(stmt, 7, sub->confirm_token);
	sqlite3_bind_int64(stmt, 8, sub->confirm_sent_at);
	if ((rc = store_step_done(s, stmt, "record the subscriber")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < sub->ncomponents; i++) {
		if ((rc = store_sql(&stmt, s, sql_subscriber_component)) != 0)
			return rc;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, sub->components[i], -1, SQLITE_STATIC);
		if ((rc = store_step_done(s, stmt, "record the subscriber's components")) != 0)
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
	if ((rc = store_step_done(s, stmt, what)) != 0)
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
	if ((rc = store_step_done(s, stmt, "end the unconfirmed subscriptions")) != 0)
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
	if ((rc = store_step_done(s, stmt, "disable the subscriber")) != 0)
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
