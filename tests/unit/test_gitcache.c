/* test_gitcache.c: store-gitcache.c, the store's cache of files read from
 * the playbook repository: a listing put is got back whole (binary bytes
 * too), a missing or partial one is a miss, only the newest are kept, and
 * a caller's open transaction is left alone; a busy store is not waited
 * for, and the connection still waits its turn for what it does next. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include <sqlite3.h>

#include "sitrep/err.h"
#include "sitrep/store-gitcache.h"
#include "sitrep/store.h"

#define C1 "1111111111111111111111111111111111111111"

static struct store *
open_store(char **dir)
{
	struct store *s = NULL;
	char path[4200];

	*dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/sitrep.db", *dir);
	assert_int_equal(store_create(&s, path), 0);
	return s;
}

static void
commit_id(char out[41], int i)
{
	snprintf(out, 41, "%040x", i + 1);
}

static void
test_put_get(void **state)
{
	struct store_gitfile in[3] = {
		{ "a.schedule", "time_zone = \"UTC\";\n", 19 },
		{ "b.schedule", "bytes\0and more", 14 },
		{ "c.schedule", "", 0 },
	};
	struct store_gitfile *out = NULL;
	size_t n = 0;
	char *dir;
	struct store *s = open_store(&dir);

	(void)state;
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), SR_ENOTFOUND);
	assert_null(out);
	assert_int_equal(store_gitcache_put(s, C1, ".schedule", in, 3), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(out[i].name, in[i].name);
		assert_int_equal(out[i].len, in[i].len);
		assert_memory_equal(out[i].text, in[i].text, in[i].len);
		assert_int_equal(out[i].text[out[i].len], '\0');
	}
	store_gitfiles_free(out, n);
	/* another suffix, or a short id, is not the same listing */
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".playbook"), SR_ENOTFOUND);
	assert_int_equal(store_gitcache_get(&out, &n, s, "1111111", ".schedule"), SR_ENOTFOUND);
	/* an empty listing is a listing */
	assert_int_equal(store_gitcache_put(s, C1, ".playbook", NULL, 0), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".playbook"), 0);
	assert_int_equal(n, 0);
	store_gitfiles_free(out, n);
	/* put again: one copy */
	assert_int_equal(store_gitcache_put(s, C1, ".schedule", in, 2), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), 0);
	assert_int_equal(n, 2);
	store_gitfiles_free(out, n);
	store_close(s);
	testutil_rmtree(dir);
	free(dir);
}

static void
test_bounded(void **state)
{
	struct store_gitfile in[1] = { { "a.schedule", "x", 1 } };
	struct store_gitfile *out = NULL;
	size_t n = 0;
	char id[41], *dir;
	struct store *s = open_store(&dir);

	(void)state;
	for (int i = 0; i < STORE_GITCACHE_KEEP + 5; i++) {
		commit_id(id, i);
		assert_int_equal(store_gitcache_put(s, id, ".schedule", in, 1), 0);
	}
	for (int i = 0; i < STORE_GITCACHE_KEEP + 5; i++) {
		commit_id(id, i);
		assert_int_equal(store_gitcache_get(&out, &n, s, id, ".schedule"),
				 i < 5 ? SR_ENOTFOUND : 0);
		store_gitfiles_free(out, n);
		out = NULL;
		n = 0;
	}
	store_close(s);
	testutil_rmtree(dir);
	free(dir);
}

/* Inside the caller's transaction nothing is written; reading works. */
static void
test_in_transaction(void **state)
{
	struct store_gitfile in[1] = { { "a.schedule", "x", 1 } };
	struct store_gitfile *out = NULL;
	size_t n = 0;
	char *dir;
	struct store *s = open_store(&dir);

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_gitcache_put(s, C1, ".schedule", in, 1), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), SR_ENOTFOUND);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_gitcache_put(s, C1, ".schedule", in, 1), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), 0);
	assert_int_equal(n, 1);
	store_gitfiles_free(out, n);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	testutil_rmtree(dir);
	free(dir);
}

/* A connection of the test's own holds the write lock, and lets go of it
 * a moment later from a thread. */
static void *
let_go(void *arg)
{
	const struct timespec moment = { 0, 200 * 1000 * 1000 };

	nanosleep(&moment, NULL);
	assert_int_equal(sqlite3_exec(arg, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	return NULL;
}

static void
test_busy_store(void **state)
{
	struct store_gitfile in[1] = { { "a.schedule", "x", 1 } };
	struct store_gitfile *out = NULL;
	size_t n = 0;
	char *dir, path[4200];
	struct store *s = open_store(&dir);
	sqlite3 *db;
	pthread_t t;

	(void)state;
	snprintf(path, sizeof(path), "%s/sitrep.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	/* not kept, no error */
	assert_int_equal(store_gitcache_put(s, C1, ".schedule", in, 1), 0);
	assert_int_equal(store_gitcache_get(&out, &n, s, C1, ".schedule"), SR_ENOTFOUND);
	/* and the connection waits for the lock again: not waiting was for
	 * the cache alone */
	assert_int_equal(pthread_create(&t, NULL, let_go, db), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	sqlite3_close(db);
	store_close(s);
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_in_transaction),
		cmocka_unit_test(test_busy_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
