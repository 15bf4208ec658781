/* store-tokens.c: the rows of API tokens and of the audit log (schema 14).
 * Making, checking and revoking a token, and who may, is tokens.c's; the
 * audit chain is hashed here as it is appended, verified in audit.c. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-tokens.h"
#include "sitrep/store.h"
#include "store-int.h"

#define TOKEN_COLUMNS \
	"id, prefix, digest, person, name, scopes, created_at, created_by, created_via," \
	" expires_at, last_used_at, revoked_at, revoked_by, revoked_via"

static const char sql_token_insert[] =
	"INSERT INTO tokens (prefix, digest, person, name, scopes, created_at, created_by,"
	" created_via, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_token_by_prefix[] =
	"SELECT " TOKEN_COLUMNS " FROM tokens WHERE prefix = ?1";
static const char sql_token_active[] =
	"SELECT " TOKEN_COLUMNS " FROM tokens WHERE person = ?1 AND name = ?2"
	" AND revoked_at IS NULL";
static const char sql_token_get[] =
	"SELECT " TOKEN_COLUMNS " FROM tokens WHERE id = ?1";
static const char sql_tokens_all[] =
	"SELECT " TOKEN_COLUMNS " FROM tokens ORDER BY person, id";
static const char sql_tokens_person[] =
	"SELECT " TOKEN_COLUMNS " FROM tokens WHERE person = ?1 ORDER BY id";
static const char sql_token_revoke[] =
	"UPDATE tokens SET revoked_at = ?2, revoked_by = ?3, revoked_via = ?4"
	" WHERE id = ?1 AND revoked_at IS NULL";
static const char sql_token_touch[] =
	"UPDATE tokens SET last_used_at = ?2 WHERE id = ?1"
	" AND (last_used_at IS NULL OR last_used_at <= ?2 - 60000)";
static const char sql_audit_last[] =
	"SELECT hash FROM audit ORDER BY id DESC LIMIT 1";
static const char sql_audit_insert[] =
	"INSERT INTO audit (at, actor, via, kind, details, prev_hash, hash)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_audit_head_set[] =
	"UPDATE audit_head SET count = count + 1, hash = ?1 WHERE id = 1";
static const char sql_audit_head_get[] =
	"SELECT count, hash FROM audit_head WHERE id = 1";
static const char sql_audit_all[] =
	"SELECT id, 0, at, actor, kind, details, prev_hash, hash, via FROM audit ORDER BY id";

static void
token_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_token *t = row;

	t->id = sqlite3_column_int64(stmt, 0);
	store_column_copy(t->prefix, sizeof(t->prefix), stmt, 1);
	store_column_copy(t->digest, sizeof(t->digest), stmt, 2);
	t->person = store_column_dup(stmt, 3);
	t->name = store_column_dup(stmt, 4);
	t->scopes = store_column_dup(stmt, 5);
	t->created_at = sqlite3_column_int64(stmt, 6);
	t->created_by = store_column_dup(stmt, 7);
	t->created_via = store_column_dup(stmt, 8);
	t->expires_at = sqlite3_column_int64(stmt, 9);
	t->last_used_at = sqlite3_column_int64(stmt, 10);
	t->revoked_at = sqlite3_column_int64(stmt, 11);
	t->revoked_by = store_column_dup_null(stmt, 12);
	t->revoked_via = store_column_dup_null(stmt, 13);
}

int
store_token_insert(int64_t *id, struct store *s, const struct store_token *t)
{
	sqlite3_stmt *stmt;
	int rc, step;

	*id = 0;
	if ((rc = store_sql(&stmt, s, sql_token_insert)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, t->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, t->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, t->person, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, t->scopes, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, t->created_at);
	sqlite3_bind_text(stmt, 7, t->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, t->created_via, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, t->expires_at);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(store_db(s));
		rc = 0;
	} else if ((sqlite3_extended_errcode(store_db(s)) & 0xff) == SQLITE_CONSTRAINT)
		rc = err_set(SR_EEXIST, "'%s' has a token named '%s' already", t->person,
			     t->name);
	else
		rc = store_fail(s, "record the token");
	sqlite3_reset(stmt);
	return rc;
}

/* One row of a statement bound already, or SR_ENOTFOUND. */
static int
token_one(struct store_token *out, struct store *s, sqlite3_stmt *stmt)
{
	int rc;

	memset(out, 0, sizeof(*out));
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		token_from_row(out, stmt);
		rc = 0;
		break;
	case SQLITE_DONE:
		rc = SR_ENOTFOUND;
		break;
	default:
		rc = store_fail(s, "read the token");
	}
	sqlite3_reset(stmt);
	return rc;
}

int
store_token_by_prefix(struct store_token *out, struct store *s, const char *prefix)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_token_by_prefix)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
	return token_one(out, s, stmt);
}

int
store_token_active(struct store_token *out, struct store *s, const char *person,
		   const char *name)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_token_active)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	return token_one(out, s, stmt);
}

int
store_token_get(struct store_token *out, struct store *s, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_token_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	return token_one(out, s, stmt);
}

int
store_tokens_list(struct store_token **out, size_t *n, struct store *s, const char *person)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, person != NULL ? sql_tokens_person : sql_tokens_all)) != 0)
		return rc;
	if (person != NULL)
		sqlite3_bind_text(stmt, 1, person, -1, SQLITE_STATIC);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_token), token_from_row,
			"read the tokens");
	*out = v;
	return rc;
}

int
store_token_revoke(struct store *s, int64_t id, int64_t at, const char *by, const char *via)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_token_revoke)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_text(stmt, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, via, -1, SQLITE_STATIC);
	return store_step_done(s, stmt, "revoke the token");
}

int
store_token_touch(struct store *s, int64_t id, int64_t at)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_token_touch)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	return store_step_done(s, stmt, "record the token's use");
}

void
store_token_release(struct store_token *t)
{
	if (t == NULL)
		return;
	free(t->person);
	free(t->name);
	free(t->scopes);
	free(t->created_by);
	free(t->created_via);
	free(t->revoked_by);
	free(t->revoked_via);
	memset(t, 0, sizeof(*t));
}

void
store_tokens_free(struct store_token *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_token_release(&v[i]);
	free(v);
}

int
store_audit_append(struct store *s, int64_t at, const char *actor, const char *via,
		   const char *kind, const char *details)
{
	sqlite3_stmt *stmt;
	char prev[65] = "", hash[65];
	int rc, step;

	if ((rc = store_sql(&stmt, s, sql_audit_last)) != 0)
		return rc;
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		store_column_copy(prev, sizeof(prev), stmt, 0);
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(s, "read the audit log");
	store_event_hash(hash, prev, 0, at, actor, kind, details, via);
	if ((rc = store_sql(&stmt, s, sql_audit_insert)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, at);
	sqlite3_bind_text(stmt, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, via, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, hash, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, stmt, "append to the audit log")) != 0 ||
	    (rc = store_sql(&stmt, s, sql_audit_head_set)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
	return store_step_done(s, stmt, "record the audit log's end");
}

int
store_audit_head(int64_t *count, char hash[65], struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	*count = 0;
	hash[0] = '\0';
	if ((rc = store_sql(&stmt, s, sql_audit_head_get)) != 0)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = store_fail(s, "read the audit log's end");
		sqlite3_reset(stmt);
		return rc;
	}
	*count = sqlite3_column_int64(stmt, 0);
	store_column_copy(hash, 65, stmt, 1);
	sqlite3_reset(stmt);
	return 0;
}

int
store_audit_get(struct store_event **out, size_t *n, struct store *s)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_audit_all)) != 0)
		return rc;
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_event), store_event_from_row,
			"read the audit log");
	*out = v;
	return rc;
}
