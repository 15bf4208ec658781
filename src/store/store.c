/* store.c: the connection to the SQLite store and the statements run on it.
 * The schema and its migrations live in migrate.c; what the rows mean is the
 * business of incident.c, outbox.c and the other modules that call us. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "sitrep/err.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"
#include "migrate.h"
#include "store-int.h"

/* Statements prepared once per connection, on first use. */
enum store_stmt_id {
	STMT_USER_VERSION,
	STMT_EVENT_COUNT,
	STMT_SUMMARY_GET,
	STMT_SUMMARY_PUT,
	STMT_COUNT
};

static const char *const store_stmt_sql[STMT_COUNT] = {
	[STMT_USER_VERSION] = "PRAGMA user_version",
	[STMT_EVENT_COUNT] = "SELECT count(*) FROM events",
	[STMT_SUMMARY_GET] = "SELECT title, severity, problems FROM playbook_summaries"
	    " WHERE blob = ?1 AND context = ?2",
	[STMT_SUMMARY_PUT] = "INSERT OR REPLACE INTO playbook_summaries"
	    " (blob, context, title, severity, problems) VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct store_cached {
	const char	*sql;	/* a string constant: compared by address */
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[STMT_COUNT];
	struct store_cached *cached;	/* store_sql's statements */
	size_t		 ncached;
	int		 wal_frames;	/* frames in the WAL after our last commit */
	int		 ckpt_frames;	/* checkpoint past this many; 0: the default */
	struct timespec busy_since;	/* when the current wait for a lock began */
	bool		 no_wait;	/* store_set_wait(false): a busy store fails at once */
};

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_path(struct store *s)
{
	return s->path;
}

/*
 * The statement for sql, a string constant of the calling store file,
 * prepared on first use and reset with bindings cleared after. The other
 * store files use this rather than an enum here, so each keeps its SQL
 * beside the code that reads its rows.
 */
int
store_sql(sqlite3_stmt **out, struct store *s, const char *sql)
{
	for (size_t i = 0; i < s->ncached; i++) {
		if (s->cached[i].sql == sql) {
			sqlite3_reset(s->cached[i].stmt);
			sqlite3_clear_bindings(s->cached[i].stmt);
			*out = s->cached[i].stmt;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
	    NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot prepare '%s' on database '%s': %s",
		    sql, s->path, sqlite3_errmsg(s->db));
	s->cached = xreallocarray(s->cached, s->ncached + 1, sizeof(*s->cached));
	s->cached[s->ncached].sql = sql;
	s->cached[s->ncached++].stmt = *out;
	return 0;
}

char *
store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return xstrdup(t != NULL ? (const char *)t : "");
}

char *
store_column_dup_null(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

void
store_column_copy(char *out, size_t len, sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);
	size_t n = t != NULL ? (size_t)sqlite3_column_bytes(stmt, col) : 0;

	/* cut short to fit, as snprintf would, without parsing a format */
	if (n > len - 1)
		n = len - 1;
	memcpy(out, t != NULL ? (const char *)t : "", n);
	out[n] = '\0';
}

void
store_bind_time(sqlite3_stmt *stmt, int col, int64_t ms)
{
	if (ms == 0)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_int64(stmt, col, ms);
}

/* An id bound as NULL when 0 (stored as NULL: no such row). */
void
store_bind_id(sqlite3_stmt *stmt, int col, int64_t id)
{
	store_bind_time(stmt, col, id);
}

void
store_bind_text_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
}

int
store_step_done(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, what);

	sqlite3_reset(stmt);
	return rc;
}

/*
 * The list readers' loop, written once: each row stmt returns is read by
 * read into a new zeroed element of size bytes at the end of an array that
 * grows by doubling. The array and its length are handed back even on a
 * failure (what names the list in the error), for the caller to free.
 */
int
store_rows(void **out, size_t *n, struct store *s, sqlite3_stmt *stmt, size_t size,
	   void (*read)(void *row, sqlite3_stmt *stmt), const char *what)
{
	char *v = NULL;
	size_t k = 0, cap = 0;
	int rc, step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, size);
		}
		memset(v + k * size, 0, size);
		read(v + k * size, stmt);
		k++;
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, what);
	sqlite3_reset(stmt);
	*out = v;
	*n = k;
	return rc;
}

static void
text_from_row(void *row, sqlite3_stmt *stmt)
{
	*(char **)row = store_column_dup(stmt, 0);
}

int
store_texts(char ***out, size_t *n, struct store *s, sqlite3_stmt *stmt, const char *what)
{
	void *v;
	int rc = store_rows(&v, n, s, stmt, sizeof(char *), text_from_row, what);

	*out = v;
	return rc;
}

int
store_fail(struct store *s, const char *what)
{
	return err_set(SR_ESYS, "cannot %s in database '%s': %s", what, s->path,
	    sqlite3_errmsg(s->db));
}

/*
 * The prepared statement id, ready to bind: prepared the first time it is
 * asked for, reset and with its bindings cleared every time after. Callers
 * sqlite3_reset it once they have read what they need, so that it does not
 * hold a read transaction open (which would pin the WAL) until next use.
 */
static int
store_stmt(sqlite3_stmt **out, struct store *s, enum store_stmt_id id)
{
	sqlite3_stmt *stmt = s->stmt[id];

	if (stmt == NULL) {
		if (sqlite3_prepare_v3(s->db, store_stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
			return err_set(SR_ESYS, "cannot prepare '%s' on "
			    "database '%s': %s", store_stmt_sql[id], s->path,
			    sqlite3_errmsg(s->db));
		s->stmt[id] = stmt;
	} else {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
	*out = stmt;
	return 0;
}

/* Run a PRAGMA that sets something; its result row, if any, is ignored. */
static int
store_pragma(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot set '%s' on database '%s': %s",
		    sql, s->path, sqlite3_errmsg(s->db));
	return 0;
}

/*
 * WAL lets the daemon read while the CLI writes. The mode is stored in the
 * file, so this only changes anything the first time, but SQLite answers
 * with the mode in force rather than failing: check that it is "wal" (it is
 * not on a file system without shared memory, for one). While another
 * process holds the fresh file open the switch can be refused (BUSY, or the
 * old mode returned), so it is tried again for up to two seconds.
 */
static int
store_wal(struct store *s)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	sqlite3_stmt *stmt;
	char mode[32] = "";
	int rc = SQLITE_OK;

	for (int attempt = 0; attempt < 100; attempt++) {
		if (attempt > 0)
			nanosleep(&pause, NULL);
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1,
		    &stmt, NULL) != SQLITE_OK)
			return err_set(SR_ESYS, "cannot set WAL mode on database "
			    "'%s': %s", s->path, sqlite3_errmsg(s->db));
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			const unsigned char *m = sqlite3_column_text(stmt, 0);

			snprintf(mode, sizeof(mode), "%s", m != NULL ? (const char *)m : "unknown");
		}
		sqlite3_finalize(stmt);
		if (rc == SQLITE_ROW && strcmp(mode, "wal") == 0)
			return 0;
		if (rc != SQLITE_ROW && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
	}
	if (rc != SQLITE_ROW)
		return err_set(SR_ESYS, "cannot set WAL mode on database '%s': %s",
		    s->path, sqlite3_errmsg(s->db));
	return err_set(SR_ESYS, "cannot set WAL mode on database '%s': journal "
	    "mode stays '%s'", s->path, mode);
}

/*
 * Each `sitrep` command is a short process that commits once or twice. Left
 * to its defaults SQLite would checkpoint the WAL into the database and
 * delete it whenever the last connection closes: with the WAL header and
 * the directory, four syncs per command. Instead every commit syncs the WAL
 * (synchronous=FULL: a command that printed "opened" survives a power cut),
 * and closing leaves the WAL alone until it has grown past
 * STORE_CLOSE_CKPT_FRAMES pages; the process whose commit took it there
 * checkpoints and removes it on close. A process that opens the store while
 * no other has it open rebuilds the WAL index from those few pages. A
 * long-running writer (the daemon) checkpoints every STORE_CKPT_FRAMES
 * pages, as SQLite's own autocheckpoint would, or as often as
 * store_set_checkpoint says.
 */
#define STORE_CLOSE_CKPT_FRAMES	64
#define STORE_CKPT_FRAMES	1000

static int
store_wal_committed(void *arg, sqlite3 *db, const char *schema, int frames)
{
	struct store *s = arg;

	s->wal_frames = frames;
	if (frames >= (s->ckpt_frames ? s->ckpt_frames : STORE_CKPT_FRAMES))
		(void)sqlite3_wal_checkpoint_v2(db, schema,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static int
store_durable_commits(struct store *s)
{
	if (sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot configure the WAL of database "
		    "'%s': %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_wal_hook(s->db, store_wal_committed, s);
	return store_pragma(s, "PRAGMA synchronous=FULL");
}

int
store_begin_read(struct store *s)
{
	return store_pragma(s, "BEGIN");
}

void
store_end_read(struct store *s)
{
	(void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void
store_relax_durability(struct store *s)
{
	(void)sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
}

void
store_set_checkpoint(struct store *s, int frames)
{
	s->ckpt_frames = frames;
}

/*
 * SQLite's process-wide settings, made before it first initializes. Memory
 * statistics off: with them on, every allocation SQLite makes takes a
 * global mutex to count itself (a tenth of an outcome write's
 * instructions), and nothing here reads the counts or sets a heap limit.
 */
static void
store_library_init(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * Whether the database at path is missing or empty, checked before SQLite
 * sees it: SQLite would take a missing or zero-length file for a new
 * database, and migrating it would silently start a new history (ids
 * reused, the old timeline gone). Only `sitrep init` creates a store.
 */
static int
store_exists(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return err_set(SR_ESYS, "no database at '%s': create a "
			    "workspace with 'sitrep init', or point "
			    "workspace.database in the site config at the "
			    "existing one", path);
		return err_set(SR_ESYS, "cannot open database '%s': %s", path,
		    strerror(errno));
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0)
		return err_set(SR_ESYS, "the database '%s' is empty: it holds "
		    "no sitrep store (restore it from a backup, or create a "
		    "new workspace with 'sitrep init')", path);
	return 0;
}

/* A file SQLite accepts but that holds nothing (no schema, no tables). */
static int
store_blank(struct store *s)
{
	sqlite3_stmt *stmt;
	int rc, blank = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT (SELECT user_version FROM "
	    "pragma_user_version) = 0 AND NOT EXISTS (SELECT 1 FROM "
	    "sqlite_master)", -1, &stmt, NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot open database '%s': %s",
		    s->path, sqlite3_errmsg(s->db));
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		blank = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return err_set(SR_ESYS, "cannot open database '%s': %s",
		    s->path, sqlite3_errmsg(s->db));
	if (blank)
		return err_set(SR_ESYS, "the database '%s' is empty: it holds "
		    "no sitrep store (restore it from a backup, or create a "
		    "new workspace with 'sitrep init')", s->path);
	return 0;
}

/*
 * Waiting for another connection's lock. SQLite's own busy_timeout
 * sleeps longer and longer between tries, up to 100 ms: with the lock
 * held half the time (a wave of CLI writers beside the daemon's delivery
 * outcomes), such a waiter keeps losing it to ones that try more often
 * and can wait a second or more, and an escalation due then is that late.
 * This one tries every millisecond at first and never sleeps more than
 * STORE_BUSY_MAX_SLEEP_MS, for STORE_BUSY_TIMEOUT_MS in all.
 */
#define STORE_BUSY_TIMEOUT_MS	10000
#define STORE_BUSY_MAX_SLEEP_MS	4

static int
store_busy(void *arg, int count)
{
	struct store *s = arg;
	struct timespec now;
	int64_t waited;
	int sleep_ms = count < 8 ? 1 : count < 16 ? 2 : STORE_BUSY_MAX_SLEEP_MS;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->no_wait)
		return 0;
	if (count == 0)
		s->busy_since = now;
	waited = (int64_t)(now.tv_sec - s->busy_since.tv_sec) * 1000 +
		 (now.tv_nsec - s->busy_since.tv_nsec) / 1000000;
	if (waited >= STORE_BUSY_TIMEOUT_MS)
		return 0;
	sqlite3_sleep(sleep_ms);
	return 1;
}

void
store_set_wait(struct store *s, bool wait)
{
	s->no_wait = !wait;
}

static int
store_connect(struct store **out, const char *path, bool create)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *s;
	int rc;

	*out = NULL;
	if (!create && (rc = store_exists(path)) != 0)
		return rc;
	pthread_once(&once, store_library_init);
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		rc = err_set(SR_ESYS, "cannot open database '%s': %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(s->db, store_busy, s);
	if ((rc = store_pragma(s, "PRAGMA foreign_keys=ON")) != 0)
		goto fail;
	if (!create && (rc = store_blank(s)) != 0)
		goto fail;
	if ((rc = migrate_run(s->db, path)) != 0)
		goto fail;
	if ((rc = store_wal(s)) != 0 || (rc = store_durable_commits(s)) != 0)
		goto fail;
	*out = s;
	return 0;

fail:
	store_close(s);
	return rc;
}

int
store_open(struct store **out, const char *path)
{
	return store_connect(out, path, false);
}

int
store_create(struct store **out, const char *path)
{
	return store_connect(out, path, true);
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (size_t k = 0; k < s->ncached; k++)
		sqlite3_finalize(s->cached[k].stmt);
	free(s->cached);
	if (s->wal_frames >= STORE_CLOSE_CKPT_FRAMES)
		(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
		    0, NULL);
	/* Everything is finalized, so this cannot fail with SQLITE_BUSY. */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int
store_schema_version(struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_stmt(&stmt, s, STMT_USER_VERSION)) != 0)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		rc = err_set(SR_ESYS, "cannot read schema version of database "
		    "'%s': %s", s->path, sqlite3_errmsg(s->db));
	else
		rc = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return rc;
}

int
store_event_count(int64_t *out, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_stmt(&stmt, s, STMT_EVENT_COUNT)) != 0)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		rc = err_set(SR_ESYS, "cannot count events in database '%s': "
		    "%s", s->path, sqlite3_errmsg(s->db));
	else
		*out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc;
}

int
store_summary_get(struct store_summary *out, struct store *s, const char *context)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_stmt(&stmt, s, STMT_SUMMARY_GET)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, out->blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, context, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		free(out->title);
		out->title = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? NULL :
		    xstrdup((const char *)sqlite3_column_text(stmt, 0));
		out->severity = sqlite3_column_int(stmt, 1);
		out->problems = sqlite3_column_int(stmt, 2);
		rc = 0;
		break;
	case SQLITE_DONE:
		rc = SR_ENOTFOUND;
		break;
	default:
		rc = err_set(SR_ESYS, "cannot read playbook summaries from "
		    "database '%s': %s", s->path, sqlite3_errmsg(s->db));
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

/* One write transaction for the lot: a list of fifty new playbooks costs
 * one commit, not fifty. */
int
store_summaries_put(struct store *s, const char *context,
    const struct store_summary *v, size_t n)
{
	sqlite3_stmt *stmt;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = store_pragma(s, "BEGIN IMMEDIATE")) != 0)
		return rc;
	if ((rc = store_stmt(&stmt, s, STMT_SUMMARY_PUT)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(stmt, 1, v[i].blob, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, context, -1, SQLITE_STATIC);
		if (v[i].title != NULL)
			sqlite3_bind_text(stmt, 3, v[i].title, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, 3);
		sqlite3_bind_int(stmt, 4, v[i].severity);
		sqlite3_bind_int(stmt, 5, v[i].problems);
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			rc = err_set(SR_ESYS, "cannot save playbook summaries in "
			    "database '%s': %s", s->path, sqlite3_errmsg(s->db));
			sqlite3_reset(stmt);
			goto fail;
		}
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
	if ((rc = store_pragma(s, "COMMIT")) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void
store_summary_release(struct store_summary *sum)
{
	free(sum->title);
	sum->title = NULL;
}

/*
 * Every write goes through BEGIN IMMEDIATE: a deferred transaction that
 * later wants to write fails at once with BUSY, while this one waits its
 * turn (store_busy).
 */
int
store_begin(struct store *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "start a write transaction");
	return 0;
}

int
store_commit(struct store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = store_fail(s, "commit");

		store_rollback(s);
		return rc;
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
