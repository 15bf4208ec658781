/* test_store.c: opening, migrating and refusing databases, seen both through
 * the store's API and through a second SQLite connection of the test's own.
 * What incidents and events mean is tested by the modules that write them. */
#include "testutil.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-subscribers.h"

#include "testws.h"

struct fixture {
	char	*dir;
	char	*path;	/* dir/sitrep.db, not created */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t len;

	f->dir = testutil_tmpdir();
	len = strlen(f->dir) + sizeof("/sitrep.db");
	f->path = malloc(len);
	snprintf(f->path, len, "%s/sitrep.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	testutil_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* The test's own connection, as another process would open the file. */
static sqlite3 *
db_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON; "
	    "PRAGMA busy_timeout=10000", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void
db_ok(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

/* The first column of the first row of sql, as text ("" if none). */
static char *
db_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	const unsigned char *v;
	char *s;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    (v = sqlite3_column_text(stmt, 0)) != NULL)
		s = strdup((const char *)v);
	else
		s = strdup("");
	sqlite3_finalize(stmt);
	return s;
}

static int64_t
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Incident 1 and its "opened" event, written by the store. */
static void
add_incident(struct store *s)
{
	testws_add_incident(s, "API down", 2, "investigating", 1700000000000, 0, NULL, NULL, 0);
}

/* The same written by hand, into a database of an older schema that the
 * store's functions no longer write (the migration tests). */
static void
db_add_incident_and_event(sqlite3 *db)
{
	db_ok(db, "INSERT INTO incidents (id, playbook, playbook_commit, "
	    "title, severity, status, opened_by, opened_at, updated_at) "
	    "VALUES (1, 'outage', 'abc123', 'API down', 'SEV2', "
	    "'investigating', 'alice', 1700000000000, 1700000000000)");
	db_ok(db, "INSERT INTO events (incident_id, at, actor, kind, details, "
	    "prev_hash, hash) VALUES (1, 1700000000000, 'alice', 'opened', "
	    "'{\"severity\":\"SEV2\"}', '', 'h1')");
}

/* The whole file, to show that something left it untouched. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	p = malloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return p;
}

static void
assert_same_file(const char *path, const char *before, size_t before_len)
{
	size_t len;
	char *now = slurp(path, &len);

	assert_int_equal(len, before_len);
	assert_memory_equal(now, before, len);
	free(now);
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
test_fresh_database(void **state)
{
	struct fixture *f = *state;
	static const char *const tables[] = {
		"incidents", "incident_components", "events", "playbook_summaries",
		"incident_roles", "incident_steps", "pages"
	};
	struct store *s = NULL;
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char *v, sql[256];
	int64_t n = -1;
	size_t i;

	assert_int_equal(store_create(&s, f->path), 0);
	assert_non_null(s);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_true(STORE_SCHEMA_VERSION >= 2);
	assert_int_equal(store_event_count(&n, s), 0);
	assert_int_equal(n, 0);

	/* Another connection, while the store is open, sees the schema. */
	db = db_open(f->path);
	v = db_text(db, "PRAGMA journal_mode");
	assert_string_equal(v, "wal");
	free(v);
	assert_int_equal(db_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT strict FROM pragma_table_list"
		    " WHERE schema = 'main' AND type = 'table' AND name = '%s'",
		    tables[i]);
		if (db_int(db, sql) != 1)
			fail_msg("table %s is missing or not STRICT", tables[i]);
	}
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'index' AND name IN ('incidents_status', "
	    "'events_incident')"), 2);
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'trigger' AND tbl_name = 'events'"), 2);
	/* Listing open incidents uses the index rather than a scan. */
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT id "
	    "FROM incidents WHERE status = 'investigating' ORDER BY id", -1,
	    &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	/* id, parent, notused, detail */
	v = (char *)sqlite3_column_text(stmt, 3);
	if (strstr(v, "incidents_status") == NULL)
		fail_msg("listing by status does not use the index: %s", v);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	store_close(s);
}

/*
 * Reopening keeps the rows and the version, and migrates nothing: while the
 * test holds the write lock, store_open still succeeds at once (a migration
 * would wait for the lock, 10 s, then fail), and the file is byte for byte
 * what it was.
 */
static void
test_reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	sqlite3 *db;
	char *before;
	size_t before_len;
	int64_t n = -1;

	assert_int_equal(store_create(&s, f->path), 0);
	add_incident(s);
	store_close(s);
	/* the store leaves its WAL behind: a connection of the test's own
	 * that reads it, closing last, moves it into the file */
	db = db_open(f->path);
	assert_int_equal(db_int(db, "SELECT count(*) FROM events"), 1);
	sqlite3_close(db);
	before = slurp(f->path, &before_len);

	db = db_open(f->path);
	assert_int_equal(sqlite3_busy_timeout(db, 0), SQLITE_OK);
	db_ok(db, "BEGIN IMMEDIATE");
	s = NULL;
	assert_int_equal(store_create(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_event_count(&n, s), 0);
	assert_int_equal(n, 1);
	db_ok(db, "ROLLBACK");
	assert_int_equal(db_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(s);
	sqlite3_close(db);
	assert_same_file(f->path, before, before_len);
	free(before);
}

/*
 * Changed incidents are found by their events, each change once, however
 * late its transaction committed: an event written in a transaction that
 * began before the last look (its time stamped then) is still found.
 */
static void
test_incidents_changed(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL, *w = NULL;
	int64_t *ids = NULL, seen = 0, last = -1;
	size_t n = 0;

	assert_int_equal(store_create(&s, f->path), 0);
	assert_int_equal(store_last_event(&last, s), 0);
	assert_int_equal(last, 0);
	add_incident(s);
	add_incident(s);
	assert_int_equal(store_incidents_changed(&ids, &n, &seen, s), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(seen, 2);
	free(ids);
	assert_int_equal(store_last_event(&last, s), 0);
	assert_int_equal(last, 2);
	/* nothing new: nothing found */
	assert_int_equal(store_incidents_changed(&ids, &n, &seen, s), 0);
	assert_int_equal(n, 0);
	assert_int_equal(seen, 2);
	free(ids);
	/* a writer on another connection stamps its event early and commits
	 * after a look: the next look finds it */
	assert_int_equal(store_open(&w, f->path), 0);
	assert_int_equal(store_begin(w), 0);
	assert_int_equal(store_event_append(w, 2, 1, "alice", "local:alice", "note", "{}"), 0);
	assert_int_equal(store_incidents_changed(&ids, &n, &seen, s), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_commit(w), 0);
	assert_int_equal(store_incidents_changed(&ids, &n, &seen, s), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 2);
	assert_int_equal(seen, 3);
	free(ids);
	store_close(w);
	store_close(s);
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = (struct store *)f;	/* must be cleared */
	char wal[4200], *before;
	size_t before_len;
	sqlite3 *db;

	db = db_open(f->path);
	db_ok(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	before = slurp(f->path, &before_len);

	err_clear();
	assert_int_equal(store_create(&s, f->path), SR_EREFUSED);
	assert_null(s);
	assert_non_null(strstr(err_last(), f->path));
	assert_non_null(strstr(err_last(), "schema version 99"));
	assert_non_null(strstr(err_last(), "upgrade sitrep"));

	assert_same_file(f->path, before, before_len);
	free(before);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_false(exists(wal));
	db = db_open(f->path);
	assert_int_equal(db_int(db, "PRAGMA user_version"), 99);
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema"), 0);
	sqlite3_close(db);
}

static void
test_events_append_only(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	sqlite3 *db;
	int64_t n = -1;

	assert_int_equal(store_create(&s, f->path), 0);
	add_incident(s);
	db = db_open(f->path);

	assert_int_equal(sqlite3_exec(db, "UPDATE events SET kind = 'forged'",
	    NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db),
	    "timeline events are append-only");
	assert_int_equal(sqlite3_exec(db, "DELETE FROM events", NULL, NULL,
	    NULL), SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db),
	    "timeline events are append-only");
	/* Nor can an incident be deleted out from under its timeline. */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM incidents", NULL, NULL,
	    NULL), SQLITE_CONSTRAINT);

	assert_int_equal(store_event_count(&n, s), 0);
	assert_int_equal(n, 1);
	sqlite3_close(db);
	store_close(s);
}

static void
test_event_details_json(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	sqlite3 *db;
	int64_t n = -1;

	assert_int_equal(store_create(&s, f->path), 0);
	add_incident(s);
	db = db_open(f->path);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO events (incident_id, "
	    "at, actor, kind, details, prev_hash, hash) VALUES (1, 1, 'bob', "
	    "'note', '{not json', 'h1', 'h2')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	assert_non_null(strstr(sqlite3_errmsg(db), "json_valid"));
	/* STRICT: a word is not a time. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO events (incident_id, "
	    "at, actor, kind, details, prev_hash, hash) VALUES (1, 'soon', "
	    "'bob', 'note', '{}', 'h1', 'h2')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	db_ok(db, "INSERT INTO events (incident_id, at, actor, kind, details, "
	    "prev_hash, hash) VALUES (1, 1, 'bob', 'note', "
	    "'{\"text\":\"rolled back\"}', 'h1', 'h2')");
	assert_int_equal(store_event_count(&n, s), 0);
	assert_int_equal(n, 2);
	sqlite3_close(db);
	store_close(s);
}

static void
test_unopenable_path(void **state)
{
	struct fixture *f = *state;
	struct store *s = (struct store *)f;	/* must be cleared */
	char path[4200], want[4400];

	snprintf(path, sizeof(path), "%s/no-such-dir/sitrep.db", f->dir);
	snprintf(want, sizeof(want), "cannot open database '%s': unable to "
	    "open database file", path);
	assert_int_equal(store_create(&s, path), SR_ESYS);
	assert_null(s);
	assert_string_equal(err_last(), want);
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char *before;
	size_t before_len;
	int i;
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	for (i = 0; i < 200; i++)
		fputs("this is a text file, not a database\n", fp);
	fclose(fp);
	before = slurp(f->path, &before_len);

	assert_int_equal(store_create(&s, f->path), SR_ESYS);
	assert_null(s);
	assert_non_null(strstr(err_last(), f->path));
	assert_non_null(strstr(err_last(), "file is not a database"));
	assert_same_file(f->path, before, before_len);
	free(before);
}

/*
 * Several processes opening one fresh database at once: one migrates, the
 * others wait for its lock, see the new version inside their transaction,
 * and run nothing twice.
 */
static void
test_concurrent_first_open(void **state)
{
	struct fixture *f = *state;
	enum { NPROC = 8 };
	pid_t pid[NPROC];
	struct store *s;
	int i, status, fd[2];
	char go;

	assert_int_equal(pipe(fd), 0);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			close(fd[1]);
			/* Start together: wait for the parent to close. */
			if (read(fd[0], &go, 1) != 0)
				_exit(3);
			s = NULL;
			if (store_create(&s, f->path) != 0) {
				fprintf(stderr, "child: %s\n", err_last());
				_exit(1);
			}
			status = store_schema_version(s) == STORE_SCHEMA_VERSION ? 0 : 2;
			store_close(s);
			_exit(status);
		}
	}
	close(fd[0]);
	close(fd[1]);
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	s = NULL;
	assert_int_equal(store_create(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s);
}

/* Playbook summaries come back as saved, only under their own context. */
static void
test_playbook_summaries(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_summary put[2] = {
		{ "1111111111111111111111111111111111111111", "Outage", 2, 0 },
		{ "2222222222222222222222222222222222222222", NULL, 0, 3 },
	};
	struct store_summary got = { "1111111111111111111111111111111111111111", NULL, 0, 0 };

	assert_int_equal(store_create(&s, f->path), 0);
	assert_int_equal(store_summary_get(&got, s, "rules A"), SR_ENOTFOUND);
	assert_int_equal(store_summaries_put(s, "rules A", put, 2), 0);
	assert_int_equal(store_summary_get(&got, s, "rules A"), 0);
	assert_string_equal(got.title, "Outage");
	assert_int_equal(got.severity, 2);
	assert_int_equal(got.problems, 0);
	assert_int_equal(store_summary_get(&got, s, "rules B"), SR_ENOTFOUND);
	memcpy(got.blob, put[1].blob, sizeof(got.blob));
	assert_int_equal(store_summary_get(&got, s, "rules A"), 0);
	assert_null(got.title);
	assert_int_equal(got.problems, 3);
	store_summary_release(&got);
	store_close(s);
}

/*
 * Short processes that each commit once leave the WAL in place for the next
 * one (no checkpoint on every close), but it never grows without bound: the
 * process whose commit takes it past the limit checkpoints it into the
 * database and removes it when it closes. Every commit is in the database
 * file or the WAL, and a connection of the test's own sees them all.
 */
static void
test_wal_kept_between_processes_and_bounded(void **state)
{
	struct fixture *f = *state;
	char wal[4096], context[32];
	struct store_summary put = { "3333333333333333333333333333333333333333", "T", 1, 0 };
	struct stat st;
	bool kept = false, removed = false;
	off_t largest = 0;
	sqlite3 *db;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	for (int k = 0; k < 200; k++) {
		struct store *s = NULL;

		assert_int_equal(store_create(&s, f->path), 0);
		snprintf(context, sizeof(context), "context %d", k);
		assert_int_equal(store_summaries_put(s, context, &put, 1), 0);
		store_close(s);
		if (stat(wal, &st) == 0) {
			kept = true;
			if (st.st_size > largest)
				largest = st.st_size;
		} else {
			removed = true;
		}
	}
	assert_true(kept);
	assert_true(removed);
	/* 64 pages of 4 KiB and their frame headers, and one commit's worth. */
	assert_true(largest < 80 * (4096 + 24));
	db = db_open(f->path);
	assert_int_equal(db_int(db, "SELECT count(*) FROM playbook_summaries"), 200);
	sqlite3_close(db);
}

/*
 * The outbox as the delivery engine sees it: due rows in the order they
 * fall due, after a given position, so rows in flight are not handed out
 * again; an outcome takes a row out of the queue; a row taken and never
 * written back (a crash) is still pending, with its id and attempt count;
 * subscribers with a
 * component filter hear only of incidents touching one of their
 * components.
 */
static void
test_outbox_due_in_order(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_outbox row, *v = NULL, *w = NULL;
	struct store_outbox_pos after;
	struct store_subscriber sub;
	char *comps[] = { "payments" };
	char *api[] = { "api" };
	int64_t id, count, counts[STORE_OUTBOX_NSTATES];
	size_t n = 0, m = 0;

	assert_int_equal(store_create(&s, f->path), 0);
	testws_add_incident(s, "API down", 2, "investigating", 1700000000000, 0, api,
			    "major_outage", 1);
	memset(&sub, 0, sizeof(sub));
	strcpy(sub.kind, "webhook");
	sub.token = "t1";
	sub.address = "http://127.0.0.1:1/a";
	sub.created_at = 1;
	sub.confirmed_at = 1;
	assert_int_equal(store_subscriber_insert(&id, s, &sub), 0);
	sub.token = "t2";
	sub.address = "http://127.0.0.1:1/b";
	sub.components = comps;
	sub.ncomponents = 1;
	assert_int_equal(store_subscriber_insert(&id, s, &sub), 0);
	assert_int_equal(store_subscribers_matching(&count, s, "webhook", 1), 0);
	assert_int_equal(count, 1);
	/* a webhook URL may be subscribed again, each with its own token;
	 * one not confirmed (an e-mail subscriber's state) hears nothing */
	sub.token = "t3";
	sub.address = "http://127.0.0.1:1/a";
	sub.components = NULL;
	sub.ncomponents = 0;
	sub.confirmed_at = 0;
	assert_int_equal(store_subscriber_insert(&id, s, &sub), 0);
	assert_int_equal(store_subscriber_active(&id, s, "webhook", "http://127.0.0.1:1/a"), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_subscriber_active(&id, s, "email", "http://127.0.0.1:1/a"),
			 SR_ENOTFOUND);
	assert_int_equal(store_subscribers_matching(&count, s, "webhook", 1), 0);
	assert_int_equal(count, 1);
	/* an e-mail address may not repeat */
	strcpy(sub.kind, "email");
	sub.token = "t4";
	sub.address = "a@example.com";
	assert_int_equal(store_subscriber_insert(&id, s, &sub), 0);
	sub.token = "t5";
	assert_int_equal(store_subscriber_insert(&id, s, &sub), SR_EEXIST);
	strcpy(sub.kind, "webhook");

	assert_int_equal(store_outbox_add_subscribers(&count, s, "webhook", 1, 0, NULL, 1000,
						       NULL, NULL), 0);
	assert_int_equal(count, 1);
	memset(&row, 0, sizeof(row));
	row.incident_id = 1;
	row.channel = "ops-chat";
	strcpy(row.type, "slack");
	row.created_at = 2000;
	assert_int_equal(store_outbox_add(s, &row), 0);

	assert_int_equal(store_outbox_due(&v, &n, s, 1500, NULL, 10), 0);
	assert_int_equal(n, 1); /* the slack row is not due until 2000 */
	assert_string_equal(v[0].recipient, "http://127.0.0.1:1/a");
	assert_int_equal(strlen(v[0].msg_id), 36);
	assert_memory_equal(v[0].msg_id, "msg_", 4);
	after.next_at = v[0].next_at;
	after.id = v[0].id;
	assert_int_equal(store_outbox_due(&w, &m, s, 3000, &after, 10), 0);
	assert_int_equal(m, 1); /* the row in flight is not handed out twice */
	assert_string_equal(w[0].type, "slack");
	assert_int_equal(store_outbox_next_due(&id, s, NULL), 0);
	assert_int_equal(id, 1000);
	assert_int_equal(store_outbox_next_due(&id, s, &after), 0);
	assert_int_equal(id, 2000);

	/* w's row fails and retries later; v's row is never written back (a
	 * crash): it is still there, the first due, unchanged. */
	strcpy(w[0].state, "retrying");
	w[0].attempts = 1;
	w[0].next_at = 9000;
	w[0].last_error = strdup("HTTP 500");
	assert_int_equal(store_outbox_result(s, &w[0]), 0);
	after.next_at = w[0].next_at;
	after.id = w[0].id;
	assert_int_equal(store_outbox_next_due(&id, s, &after), 0);
	assert_int_equal(id, 0); /* nothing after the retry */
	assert_int_equal(store_outbox_next_due(&id, s, NULL), 0);
	assert_int_equal(id, 1000);
	store_outbox_free(w, m);
	assert_int_equal(store_outbox_due(&w, &m, s, 4000, NULL, 10), 0);
	assert_int_equal(m, 1);
	assert_string_equal(w[0].msg_id, v[0].msg_id);
	assert_int_equal(w[0].attempts, 0);

	assert_int_equal(store_outbox_counts(counts, s), 0);
	assert_int_equal(counts[0], 1);
	assert_int_equal(counts[1], 1);
	store_outbox_free(v, n);
	store_outbox_free(w, m);

	/* Rows due out of id order come back in due order, (next_at, id),
	 * the limit taking the first: ids 3..7 due at 5, 4, 5, 4, 3 (x1000). */
	for (int k = 0; k < 5; k++) {
		static const int64_t due[] = { 5000, 4000, 5000, 4000, 3000 };

		row.created_at = due[k];
		assert_int_equal(store_outbox_add(s, &row), 0);
	}
	assert_int_equal(store_outbox_due(&v, &n, s, 8000, NULL, 4), 0);
	assert_int_equal(n, 4);
	{
		static const int64_t want_id[] = { 1, 7, 4, 6 }, want_at[] = { 1000, 3000, 4000, 4000 };

		for (size_t k = 0; k < n; k++) {
			assert_int_equal(v[k].id, want_id[k]);
			assert_int_equal(v[k].next_at, want_at[k]);
		}
	}
	after.next_at = 4000;
	after.id = 6;
	assert_int_equal(store_outbox_due(&w, &m, s, 8000, &after, 10), 0);
	assert_int_equal(m, 2);
	assert_int_equal(w[0].id, 3);
	assert_int_equal(w[1].id, 5);
	store_outbox_free(v, n);
	store_outbox_free(w, m);
	store_close(s);
}

/* How many temporary b-trees a statement opens (EXPLAIN's OpenEphemeral). */
static int64_t
db_ephemeral_tables(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t n = 0;
	char buf[1024];

	snprintf(buf, sizeof(buf), "EXPLAIN %s", sql);
	if (sqlite3_prepare_v2(db, buf, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", buf, sqlite3_errmsg(db));
	while (sqlite3_step(stmt) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(stmt, 1),
		    "OpenEphemeral") == 0)
			n++;
	sqlite3_finalize(stmt);
	return n;
}

/*
 * Schema 4 -> 5 copies the outbox without msg_id's UNIQUE index and with a
 * (state, id) index of retrying and dead rows only, keeping every row and
 * column, and queues again, due now, a row an engine of schema 4 left
 * leased (it set lease_until and a far next_at); 5 -> 6 copies it again
 * with its CHECKs as comparisons, so that writing a row builds no
 * temporary b-tree, and without lease_until. The database is a fresh one
 * with its outbox put back in schema 4's shape.
 */
/* The subscribers table as it was before schema 10 (no double opt-in). */
static void
db_subscribers_before_10(sqlite3 *db)
{
	db_ok(db, "DROP INDEX subscribers_confirm; DROP INDEX subscribers_unconfirmed;"
	      " DROP INDEX subscribers_address; DROP INDEX subscribers_active;"
	      " ALTER TABLE subscribers DROP COLUMN confirmed_at;"
	      " ALTER TABLE subscribers DROP COLUMN confirm_token;"
	      " ALTER TABLE subscribers DROP COLUMN confirm_sent_at;"
	      " CREATE UNIQUE INDEX subscribers_active ON subscribers (kind, address)"
	      " WHERE disabled_at IS NULL;");
}

/* What schema 11 added (pages reach people): the on-call overrides; the
 * pages and outbox rows themselves are copied by 10 -> 11 whatever their
 * extra columns. */
static void
db_before_11(sqlite3 *db)
{
	db_ok(db, "DROP TABLE oncall_overrides");
	db_ok(db, "DROP TABLE gitcache_files");
	db_ok(db, "DROP TABLE gitcache_listings");
	db_ok(db, "ALTER TABLE events DROP COLUMN via"); /* schema 13 */
	db_ok(db, "ALTER TABLE updates DROP COLUMN author_via;" /* schema 15 */
	      " ALTER TABLE updates DROP COLUMN approver_via");
	db_ok(db, "DROP TABLE tokens; DROP TABLE audit"); /* schema 14 */
	db_ok(db, "DROP TABLE audit_head"); /* schema 16 */
}

static void
test_migration_5_6_outbox(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_outbox *v = NULL;
	size_t n = 0;
	int64_t before = clock_now_ms();
	sqlite3 *db;

	assert_int_equal(store_create(&s, f->path), 0);
	store_close(s);
	db = db_open(f->path);
	db_add_incident_and_event(db);
	db_ok(db, "DROP TABLE outbox");
	db_ok(db, "CREATE TABLE outbox (id INTEGER PRIMARY KEY, msg_id TEXT NOT NULL UNIQUE,"
	      " incident_id INTEGER REFERENCES incidents (id), update_id INTEGER"
	      " REFERENCES updates (id), channel TEXT, subscriber_id INTEGER REFERENCES"
	      " subscribers (id), type TEXT NOT NULL, recipient TEXT, subject TEXT,"
	      " payload TEXT, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	      " next_at INTEGER NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER,"
	      " last_status INTEGER, last_error TEXT, lease_until INTEGER) STRICT");
	db_ok(db, "CREATE INDEX outbox_due ON outbox (next_at) WHERE state IN ('pending', 'retrying')");
	db_ok(db, "CREATE INDEX outbox_state ON outbox (state, id)");
	db_ok(db, "CREATE INDEX outbox_update ON outbox (update_id)");
	db_ok(db, "INSERT INTO outbox (msg_id, incident_id, channel, type, payload, state,"
	      " attempts, next_at, created_at, lease_until) VALUES"
	      " ('msg_leased', 1, 'ops', 'slack', 'x', 'pending', 0, 99999999999999, 5, 99999999999999),"
	      " ('msg_sent', 1, 'ops', 'slack', 'y', 'sent', 1, 0, 6, NULL),"
	      " ('msg_dead', 1, 'ops', 'slack', 'z', 'dead', 13, 0, 7, NULL)");
	db_ok(db, "UPDATE outbox SET sent_at = 8, last_status = 200 WHERE msg_id = 'msg_sent'");
	db_ok(db, "UPDATE outbox SET last_error = 'HTTP 500' WHERE msg_id = 'msg_dead'");
	/* and as schema 6 had them: no timeline end kept with incidents, no
	 * pinned playbook texts (migration 7 adds them and fills them in) */
	db_ok(db, "ALTER TABLE incidents DROP COLUMN event_count");
	db_ok(db, "ALTER TABLE incidents DROP COLUMN head_hash");
	db_ok(db, "DROP TABLE playbook_texts");
	/* nor what schema 9 added */
	db_ok(db, "DROP TABLE incident_vars");
	db_ok(db, "ALTER TABLE incidents DROP COLUMN public_title");
	/* and the subscribers back in schema 6's shape, with one of them,
	 * which 9 -> 10 takes as confirmed */
	db_subscribers_before_10(db);
	db_ok(db, "INSERT INTO subscribers (kind, address, token, created_at)"
	      " VALUES ('email', 'old@example.com', 'tok', 42)");
	db_before_11(db);
	db_ok(db, "PRAGMA user_version = 4");
	sqlite3_close(db);

	assert_int_equal(store_create(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_outbox_due(&v, &n, s, clock_now_ms(), NULL, 10), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].msg_id, "msg_leased");
	assert_in_range(v[0].next_at, before, clock_now_ms());
	store_outbox_free(v, n);
	store_close(s);
	db = db_open(f->path);
	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox"), 3);
	/* migration 7 recorded the end of the timeline that was there */
	assert_int_equal(db_int(db, "SELECT event_count FROM incidents WHERE id = 1"), 1);
	assert_int_equal(db_int(db, "SELECT head_hash = 'h1' FROM incidents WHERE id = 1"), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM playbook_texts"), 0);
	assert_int_equal(db_int(db, "SELECT confirmed_at FROM subscribers"
				" WHERE address = 'old@example.com' AND confirm_token IS NULL"), 42);
	assert_int_equal(db_int(db, "SELECT count(*) FROM pragma_table_info('outbox')"
				" WHERE name = 'lease_until'"), 0);
	assert_int_equal(db_int(db, "SELECT sent_at * 1000 + last_status FROM outbox"
				" WHERE msg_id = 'msg_sent'"), 8200);
	assert_int_equal(db_int(db, "SELECT attempts FROM outbox WHERE msg_id = 'msg_dead'"
				" AND last_error = 'HTTP 500' AND created_at = 7"), 13);
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'outbox'"
				" AND type = 'index'"), 5); /* and outbox_page and outbox_contact, since 11 */
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN"
				" ('outbox_due', 'outbox_failed', 'outbox_update')"), 3);
	/* the same msg_id twice is the caller's to avoid now, not an error */
	db_ok(db, "INSERT INTO outbox (msg_id, type, state, next_at, created_at)"
	      " VALUES ('msg_sent', 'slack', 'pending', 1, 1)");
	assert_int_equal(db_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	/* outbox is STRICT still */
	assert_int_equal(db_int(db, "SELECT strict FROM pragma_table_list WHERE name = 'outbox'"), 1);
	/* the same rules, checked without a temporary b-tree per row */
	assert_int_equal(db_ephemeral_tables(db, "INSERT INTO outbox (msg_id, type, state,"
					     " next_at, created_at) VALUES ('m', 'email', 'pending', 1, 1)"), 0);
	assert_int_equal(db_ephemeral_tables(db, "UPDATE outbox SET state = 'sent' WHERE id = 1"), 0);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO outbox (msg_id, type, state, next_at,"
					  " created_at) VALUES ('m', 'sms', 'pending', 1, 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE outbox SET state = 'lost' WHERE id = 1",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox WHERE state = 'lost' OR type = 'sms'"), 0);
	sqlite3_close(db);
}

/*
 * Only `sitrep init` creates a store (store_create): store_open refuses a
 * missing file, an empty one and a SQLite file with nothing in it, saying
 * where it looked and how to make one, and leaves each as it was. Before,
 * each was silently made a new store: history gone, ids reused.
 */
static void
test_missing_or_empty_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = (struct store *)f;	/* must be cleared */
	struct stat st;
	sqlite3 *db;

	assert_int_equal(store_open(&s, f->path), SR_ESYS);
	assert_null(s);
	assert_non_null(strstr(err_last(), f->path));
	assert_non_null(strstr(err_last(), "no database at"));
	assert_non_null(strstr(err_last(), "sitrep init"));
	assert_false(exists(f->path));

	testutil_write(f->dir, "sitrep.db", "");
	assert_int_equal(store_open(&s, f->path), SR_ESYS);
	assert_null(s);
	assert_non_null(strstr(err_last(), "is empty"));
	assert_non_null(strstr(err_last(), "sitrep init"));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 0);

	/* a SQLite file that holds no schema at all */
	db = db_open(f->path);
	db_ok(db, "VACUUM");
	sqlite3_close(db);
	assert_int_equal(store_open(&s, f->path), SR_ESYS);
	assert_non_null(strstr(err_last(), "is empty"));
	db = db_open(f->path);
	assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema"), 0);
	sqlite3_close(db);

	/* store_create makes it; store_open then opens it */
	assert_int_equal(store_create(&s, f->path), 0);
	store_close(s);
	assert_int_equal(store_open(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s);
}

/* Each event moves the incident's count and head hash in its transaction;
 * pinned playbook texts are kept once and never rewritten. */
static void
test_event_head_and_playbook_text(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_incident inc = { 0 }, got;
	struct store_event *v = NULL;
	size_t n = 0;
	int64_t id = 0;
	char *text = NULL;
	sqlite3 *db;

	assert_int_equal(store_create(&s, f->path), 0);
	inc.playbook = "outage";
	snprintf(inc.commit, sizeof(inc.commit), "%040d", 1);
	inc.title = "API down";
	inc.severity = 2;
	snprintf(inc.status, sizeof(inc.status), "investigating");
	inc.opened_by = "alice";
	inc.opened_at = 1700000000000;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_incident_insert(&id, s, &inc), 0);
	assert_int_equal(store_event_append(s, id, 1, "alice", NULL, "opened", "{}"), 0);
	assert_int_equal(store_event_append(s, id, 2, "alice", NULL, "status", "{}"), 0);
	assert_int_equal(store_playbook_text_put(s, inc.commit, "outage", "name = \"outage\";"), 0);
	/* the first text stays */
	assert_int_equal(store_playbook_text_put(s, inc.commit, "outage", "other"), 0);
	assert_int_equal(store_commit(s), 0);

	assert_int_equal(store_incident_get(&got, s, id), 0);
	assert_int_equal(store_events_get(&v, &n, s, id), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got.event_count, 2);
	assert_string_equal(got.head_hash, v[1].hash);
	store_events_free(v, n);
	store_incident_release(&got);

	/* an event rolled back moves nothing */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_event_append(s, id, 3, "bob", NULL, "status", "{}"), 0);
	store_rollback(s);
	assert_int_equal(store_incident_get(&got, s, id), 0);
	assert_int_equal(got.event_count, 2);
	store_incident_release(&got);

	assert_int_equal(store_playbook_text_get(&text, s, inc.commit, "outage"), 0);
	assert_string_equal(text, "name = \"outage\";");
	free(text);
	assert_int_equal(store_playbook_text_get(&text, s, inc.commit, "breach"), SR_ENOTFOUND);
	assert_null(text);
	db = db_open(f->path);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE playbook_texts SET text = 'x'", NULL,
					  NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM playbook_texts", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
	store_close(s);
}

static void
test_close_null(void **state)
{
	(void)state;
	store_close(NULL);
}

/*
 * Schema 7: an incident opened before keeps the one title it was published
 * under as its public title; variables are set, replaced and read back.
 */
static void
test_migration_8_9_public_title(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_incident inc;
	struct store_var *v = NULL;
	size_t n = 0;
	sqlite3 *db;

	assert_int_equal(store_create(&s, f->path), 0);
	store_close(s);
	db = db_open(f->path);
	db_ok(db, "DROP TABLE incident_vars");
	db_ok(db, "ALTER TABLE incidents DROP COLUMN public_title");
	db_add_incident_and_event(db);
	/* and the subscribers as they were before schema 10 */
	db_subscribers_before_10(db);
	db_before_11(db);
	db_ok(db, "PRAGMA user_version = 8");
	sqlite3_close(db);

	assert_int_equal(store_open(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_incident_get(&inc, s, 1), 0);
	assert_string_equal(inc.public_title, "API down");
	store_incident_release(&inc);
	assert_int_equal(store_incident_set_public_title(s, 1, "Service disruption"), 0);
	assert_int_equal(store_var_set(s, 1, "impact", "Sign-in fails.", "alice", 5), 0);
	assert_int_equal(store_var_set(s, 1, "impact", "Sign-in fails in Europe.", "bob", 6), 0);
	assert_int_equal(store_var_set(s, 1, "cause", "A bad deploy.", "bob", 7), 0);
	assert_int_equal(store_incident_get(&inc, s, 1), 0);
	assert_string_equal(inc.title, "API down");
	assert_string_equal(inc.public_title, "Service disruption");
	store_incident_release(&inc);
	assert_int_equal(store_vars_get(&v, &n, s, 1), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "cause");
	assert_string_equal(v[1].value, "Sign-in fails in Europe.");
	assert_string_equal(v[1].set_by, "bob");
	store_vars_free(v, n);
	store_close(s);
}

/*
 * Schema 11: pages and outbox rows of schema 10, in its shapes (pages that
 * could only be open, acked, escalated or cancelled; an outbox with no
 * page), are kept as they were, and the new states and columns are there.
 */
static void
test_migration_10_11_pages(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	sqlite3 *db;

	assert_int_equal(store_create(&s, f->path), 0);
	store_close(s);
	db = db_open(f->path);
	db_add_incident_and_event(db);
	db_ok(db, "DROP TABLE pages; CREATE TABLE pages (id INTEGER PRIMARY KEY,"
	      " incident_id INTEGER NOT NULL REFERENCES incidents (id), role TEXT NOT NULL,"
	      " tier INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 4), person TEXT NOT NULL,"
	      " paged_at INTEGER NOT NULL, timeout_at INTEGER NOT NULL, state TEXT NOT NULL"
	      " CHECK (state IN ('open', 'acked', 'escalated', 'cancelled')),"
	      " closed_at INTEGER) STRICT");
	db_ok(db, "INSERT INTO pages VALUES (1, 1, 'commander', 1, 'alice', 10, 20, 'acked', 15),"
	      " (2, 1, 'commander', 2, 'bob', 10, 20, 'open', NULL)");
	db_ok(db, "DROP INDEX outbox_page; DROP INDEX outbox_contact;"
	      " ALTER TABLE outbox DROP COLUMN page_id;"
	      " ALTER TABLE outbox DROP COLUMN contact");
	db_ok(db, "INSERT INTO outbox (msg_id, incident_id, channel, type, payload, state,"
	      " attempts, next_at, created_at) VALUES ('msg_old', 1, 'ops', 'slack', 'x',"
	      " 'sent', 1, 0, 5)");
	db_before_11(db);
	db_ok(db, "PRAGMA user_version = 10");
	sqlite3_close(db);

	assert_int_equal(store_open(&s, f->path), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s);
	db = db_open(f->path);
	assert_int_equal(db_int(db, "SELECT count(*) FROM pages WHERE state = 'acked'"
				" AND closed_at = 15 AND ended_by IS NULL"), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM pages WHERE state = 'open'"), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox WHERE msg_id = 'msg_old'"
				" AND state = 'sent' AND page_id IS NULL"), 1);
	db_ok(db, "UPDATE pages SET state = 'covered', ended_by = 'carol',"
	      " ended_via = 'local:carol' WHERE id = 2");
	db_ok(db, "INSERT INTO outbox (msg_id, incident_id, channel, type, payload, state,"
	      " next_at, created_at, page_id, contact) VALUES ('msg_new', 1, 'ops', 'slack',"
	      " 'y', 'cancelled', 0, 6, 2, 'mail')");
	assert_int_not_equal(sqlite3_exec(db, "UPDATE pages SET state = 'lost'", NULL, NULL,
					  NULL), SQLITE_OK);
	db_ok(db, "INSERT INTO oncall_overrides (schedule, person, from_at, until_at, reason,"
	      " created_by, created_at) VALUES ('ops', 'bob', 1, 2, 'swap', 'alice', 3)");
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO oncall_overrides (schedule, person,"
		" from_at, until_at, reason, created_by, created_at) VALUES ('ops', 'bob', 2, 2,"
		" 'empty', 'alice', 3)", NULL, NULL, NULL), SQLITE_OK);
	/* schema 13: the event from before says nothing of how its actor was
	 * authenticated (its hash never covered it); a new one must say
	 * something */
	assert_int_equal(db_int(db, "SELECT count(*) FROM events WHERE via IS NULL"), 1);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO events (incident_id, at, actor, kind,"
		" details, prev_hash, hash, via) VALUES (1, 2, 'alice', 'note', '{}', 'h1', 'h2',"
		" '')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_append_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_event_details_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unopenable_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_first_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_playbook_summaries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_wal_kept_between_processes_and_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_due_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_5_6_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_or_empty_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_head_and_playbook_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_8_9_public_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_10_11_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incidents_changed, setup, teardown),
		cmocka_unit_test(test_close_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
