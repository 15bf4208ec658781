/* store-gitcache.c: the gitcache_listings and gitcache_files tables (schema
 * 11): files read from the playbook repository at a commit, kept so that
 * reading them again needs no libgit2. What is cached and when is rota.c's;
 * this file only keeps it, and keeps it small. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/store-gitcache.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

static const char sql_listing[] =
	"SELECT id, nfiles FROM gitcache_listings WHERE commit_id = ?1 AND suffix = ?2";
static const char sql_files[] =
	"SELECT name, content FROM gitcache_files WHERE listing = ?1 ORDER BY name";
static const char sql_put_listing[] =
	"INSERT INTO gitcache_listings (commit_id, suffix, nfiles) VALUES (?1, ?2, ?3)";
static const char sql_put_file[] =
	"INSERT INTO gitcache_files (listing, name, content) VALUES (?1, ?2, ?3)";
/* A listing put again replaces the old copy; only the newest ?1 listings
 * stay. The files are deleted first, not left to ON DELETE CASCADE, so
 * nothing depends on foreign_keys being on. */
static const char sql_drop_files[] =
	"DELETE FROM gitcache_files WHERE listing IN (SELECT id FROM gitcache_listings"
	" WHERE (commit_id = ?1 AND suffix = ?2) OR id NOT IN"
	" (SELECT id FROM gitcache_listings ORDER BY id DESC LIMIT ?3))";
static const char sql_drop_listings[] =
	"DELETE FROM gitcache_listings WHERE (commit_id = ?1 AND suffix = ?2) OR id NOT IN"
	" (SELECT id FROM gitcache_listings ORDER BY id DESC LIMIT ?3)";

void
store_gitfiles_free(struct store_gitfile *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].text);
	}
	free(v);
}

/* The listing's files, when all nfiles of them are there. */
static int
read_files(struct store_gitfile **out, size_t *n, struct store *s, sqlite3_stmt *stmt,
	   size_t nfiles)
{
	struct store_gitfile *v = xcalloc(nfiles + 1, sizeof(*v));
	size_t k = 0;
	int step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(stmt, 1);
		size_t len = (size_t)sqlite3_column_bytes(stmt, 1);

		if (k == nfiles) {
			step = SQLITE_ERROR;
			break;
		}
		v[k].name = store_column_dup(stmt, 0);
		v[k].text = xmalloc(len + 1);
		if (len > 0)
			memcpy(v[k].text, blob, len);
		v[k].text[len] = '\0';
		v[k].len = len;
		k++;
	}
	sqlite3_reset(stmt);
	if (step != SQLITE_DONE || k != nfiles) {
		store_gitfiles_free(v, k);
		if (step != SQLITE_DONE && step != SQLITE_ERROR)
			return store_fail(s, "read the cached repository files");
		return err_set(SR_ENOTFOUND, "the cached listing is incomplete");
	}
	*out = v;
	*n = k;
	return 0;
}

int
store_gitcache_get(struct store_gitfile **out, size_t *n, struct store *s,
		   const char *commit, const char *suffix)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *stmt;
	int own = sqlite3_get_autocommit(db), rc, step;
	sqlite3_int64 id = 0, nfiles = 0;

	*out = NULL;
	*n = 0;
	if (commit == NULL || strlen(commit) != 40)
		return err_set(SR_ENOTFOUND, "not a full commit id");
	/* the listing and its files as of one moment */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "read the cached repository files");
	if ((rc = store_sql(&stmt, s, sql_listing)) != 0)
		goto out;
	sqlite3_bind_text(stmt, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, suffix, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		nfiles = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (step == SQLITE_DONE || (step == SQLITE_ROW && (nfiles < 0 || nfiles > 1000000))) {
		rc = err_set(SR_ENOTFOUND, "%.7s is not cached", commit);
		goto out;
	}
	if (step != SQLITE_ROW) {
		rc = store_fail(s, "read the cached repository files");
		goto out;
	}
	if ((rc = store_sql(&stmt, s, sql_files)) != 0)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	rc = read_files(out, n, s, stmt, (size_t)nfiles);
out:
	if (own)
		(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int
drop(struct store *s, const char *sql, const char *commit, const char *suffix, int keep)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, suffix, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, keep);
	return store_step_done(s, stmt, "trim the repository cache");
}

static int
put_all(struct store *s, const char *commit, const char *suffix,
	const struct store_gitfile *v, size_t n)
{
	sqlite3_stmt *stmt;
	sqlite3_int64 id;
	int rc;

	/* room for the new listing among the kept */
	if ((rc = drop(s, sql_drop_files, commit, suffix, STORE_GITCACHE_KEEP - 1)) != 0 ||
	    (rc = drop(s, sql_drop_listings, commit, suffix, STORE_GITCACHE_KEEP - 1)) != 0)
		return rc;
	if ((rc = store_sql(&stmt, s, sql_put_listing)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, suffix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)n);
	if ((rc = store_step_done(s, stmt, "cache the repository listing")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < n; i++) {
		if ((rc = store_sql(&stmt, s, sql_put_file)) != 0)
			return rc;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(stmt, 3, v[i].len > 0 ? v[i].text : "",
				    (sqlite3_uint64)v[i].len, SQLITE_STATIC);
		if ((rc = store_step_done(s, stmt, "cache a repository file")) != 0)
			return rc;
	}
	return 0;
}

/*
 * No waiting for a busy store: store_set_wait(false) for the transaction,
 * and back after. Nothing is reported: a cache not kept is read from
 * the repository next time.
 */
int
store_gitcache_put(struct store *s, const char *commit, const char *suffix,
		   const struct store_gitfile *v, size_t n)
{
	sqlite3 *db = store_db(s);

	if (commit == NULL || strlen(commit) != 40 || !sqlite3_get_autocommit(db) ||
	    sqlite3_db_readonly(db, "main") != 0)
		return 0;
	store_set_wait(s, false);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
	    (put_all(s, commit, suffix, v, n) != 0 ||
	     sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) &&
	    !sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	store_set_wait(s, true);
	err_clear();
	return 0;
}
