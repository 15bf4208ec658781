/* test_outbox.c: the outbox's rules against a real store in a temporary
 * directory: queueing to one recipient and to subscribers, claiming due
 * rows in order, outcomes written back (sent, retrying, dead, a 410's
 * subscriber ended), the backoff's jitter within its bounds, and requeueing
 * a dead row. Sending is tested end to end in tests/cli/t0006. */
#include "testutil.h"

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/outbox.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-subscribers.h"

struct fixture {
	char *dir;
	struct store *s;
	struct conf_delivery cd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4200];

	f->dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/sitrep.db", f->dir);
	if (store_create(&f->s, path) != 0)
		return -1;
	f->cd.retries = 2;
	f->cd.backoff[0] = 10;
	f->cd.backoff[1] = 60;
	f->cd.nbackoff = 2;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	testutil_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A webhook subscriber at url, confirmed when confirmed. */
static int64_t
add_subscriber(struct store *s, const char *url, const char *token, bool confirmed)
{
	struct store_subscriber sub;
	int64_t id;

	memset(&sub, 0, sizeof(sub));
	strcpy(sub.kind, "webhook");
	sub.address = (char *)url;
	sub.token = (char *)token;
	sub.created_at = 1;
	sub.confirmed_at = confirmed ? 1 : 0;
	assert_int_equal(store_subscriber_insert(&id, s, &sub), 0);
	return id;
}

/* A notice to channel ops over slack, due at now. */
static void
queue_notice(struct store *s, int64_t now)
{
	struct outbox_msg m;
	int64_t count;

	memset(&m, 0, sizeof(m));
	m.channel = "ops";
	m.type = "slack";
	m.payload = "{\"text\":\"hello\"}";
	m.now = now;
	assert_int_equal(outbox_queue(&count, s, &m), 0);
	assert_int_equal(count, 1);
}

static void
test_queue(void **state)
{
	struct fixture *f = *state;
	struct store_outbox *v;
	struct outbox_msg m;
	int64_t count, counts[STORE_OUTBOX_NSTATES];
	size_t n;

	add_subscriber(f->s, "https://a.example/hook", "t1", true);
	add_subscriber(f->s, "https://b.example/hook", "t2", true);
	add_subscriber(f->s, "https://c.example/hook", "t3", false);
	queue_notice(f->s, 1000);
	memset(&m, 0, sizeof(m));
	m.subscribers = "webhook";
	m.type = "webhook";
	m.payload = "{}";
	m.now = 2000;
	assert_int_equal(outbox_queue(&count, f->s, &m), 0);
	assert_int_equal(count, 2); /* the unconfirmed one hears nothing */
	assert_int_equal(store_outbox_counts(counts, f->s), 0);
	assert_int_equal(counts[0], 3);
	assert_int_equal(store_outbox_list(&v, &n, f->s, NULL, 0), 0);
	assert_int_equal(n, 3);
	/* newest first */
	assert_string_equal(v[0].recipient, "https://b.example/hook");
	assert_int_equal(v[0].next_at, 2000);
	assert_string_equal(v[2].channel, "ops");
	assert_string_equal(v[2].type, "slack");
	assert_null(v[2].recipient);
	assert_string_equal(v[2].payload, "{\"text\":\"hello\"}");
	assert_string_equal(v[2].state, "pending");
	assert_int_equal(v[2].next_at, 1000);
	store_outbox_free(v, n);
}

static void
test_claim_in_order(void **state)
{
	struct fixture *f = *state;
	struct outbox_cursor c;
	struct outbox_results r;
	struct store_outbox *v;
	size_t n;
	int64_t next;

	memset(&c, 0, sizeof(c));
	outbox_results_init(&r);
	queue_notice(f->s, 3000);
	queue_notice(f->s, 1000);
	queue_notice(f->s, 2000);
	/* due by 2500: the two that are, in due order */
	c.horizon = 2500;
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 10), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].next_at, 1000);
	assert_int_equal(v[1].next_at, 2000);
	assert_int_equal(c.outstanding, 2);
	assert_int_equal(c.taken.next_at, 2000);
	store_outbox_free(v, n);
	/* rows in flight are not handed out again; the next due is after them */
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 10), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(outbox_next_due(&next, f->s, &c), 0);
	assert_int_equal(next, 3000);
	/* a limit takes fewer; the rest come on the next claim */
	c.horizon = 0;
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 1), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].next_at, 3000);
	store_outbox_free(v, n);
	/* given back untouched, they are all due again from the start */
	outbox_unclaim(&c, 3);
	assert_int_equal(c.outstanding, 0);
	assert_int_equal(outbox_next_due(&next, f->s, &c), 0);
	assert_int_equal(next, 1000);
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 10), 0);
	assert_int_equal(n, 3);
	store_outbox_free(v, n);
	outbox_results_release(&r);
}

static void
test_results_written(void **state)
{
	struct fixture *f = *state;
	struct outbox_cursor c;
	struct outbox_results r;
	struct store_outbox *v, *w, row;
	struct store_subscriber sub;
	struct outbox_msg m;
	size_t n, k;
	int64_t count, counts[STORE_OUTBOX_NSTATES], before, sid;

	memset(&c, 0, sizeof(c));
	outbox_results_init(&r);
	sid = add_subscriber(f->s, "https://a.example/hook", "t1", true);
	queue_notice(f->s, 1000);
	queue_notice(f->s, 1000);
	memset(&m, 0, sizeof(m));
	m.subscribers = "webhook";
	m.payload = "{}";
	m.now = 1000;
	assert_int_equal(outbox_queue(&count, f->s, &m), 0);
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 10), 0);
	assert_int_equal(n, 3);
	before = clock_now_ms();
	assert_string_equal(outbox_record(&r, &v[0], "sent", 204, NULL, 0)->row.state, "sent");
	assert_string_equal(outbox_fail(&r, &f->cd, &v[1], 503, "HTTP 503", -1)->row.state,
			    "retrying");
	/* a 410 Gone: the row dead, its subscriber ended with it */
	assert_int_equal(v[2].subscriber_id, sid);
	outbox_record(&r, &v[2], "dead", 410, "410 Gone", 0)->disable_subscriber = sid;
	r.v[2].disable_reason = strdup("disabled: its webhook answered 410 Gone");
	assert_int_equal(outbox_sync(&w, &k, f->s, &c, &r, false, 10), 0);
	assert_int_equal(k, 0);
	assert_int_equal(c.outstanding, 0);
	outbox_results_clear(&r);
	assert_int_equal(r.n, 0);

	assert_int_equal(store_outbox_counts(counts, f->s), 0);
	assert_int_equal(counts[1], 1);
	assert_int_equal(counts[2], 1);
	assert_int_equal(counts[3], 1);
	assert_int_equal(store_outbox_get(&row, f->s, v[0].id), 0);
	assert_int_equal(row.attempts, 1);
	assert_int_equal(row.last_status, 204);
	assert_true(row.sent_at >= before);
	store_outbox_release(&row);
	assert_int_equal(store_outbox_get(&row, f->s, v[1].id), 0);
	assert_string_equal(row.last_error, "HTTP 503");
	assert_int_equal(row.attempts, 1);
	/* the first backoff, 10 s, +-20% */
	assert_true(row.next_at >= before + 8000 && row.next_at <= clock_now_ms() + 12000);
	store_outbox_release(&row);
	assert_int_equal(store_subscriber_get(&sub, f->s, sid), 0);
	assert_int_not_equal(sub.disabled_at, 0);
	assert_string_equal(sub.disabled_reason, "disabled: its webhook answered 410 Gone");
	store_subscriber_release(&sub);
	store_outbox_free(v, n);
	outbox_results_release(&r);
}

static void
test_backoff_jitter_bounds(void **state)
{
	struct fixture *f = *state;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int64_t lo[3] = { INT64_MAX, INT64_MAX, INT64_MAX }, hi[3] = { 0, 0, 0 };

	for (int i = 0; i < 2000; i++)
		for (int a = 0; a < 3; a++) {
			int64_t w = outbox_backoff(&f->cd, a, -1, &rng);

			lo[a] = w < lo[a] ? w : lo[a];
			hi[a] = w > hi[a] ? w : hi[a];
		}
	/* 10 s and 60 s spread by +-20%; the last step repeats */
	assert_true(lo[0] >= 8000 && hi[0] <= 12000);
	assert_true(lo[1] >= 48000 && hi[1] <= 72000);
	assert_true(lo[2] >= 48000 && hi[2] <= 72000);
	/* spread, not one value */
	assert_true(lo[0] < 9000 && hi[0] > 11000);
	assert_true(lo[1] < 54000 && hi[1] > 66000);
	/* the server's Retry-After wins, capped at a day */
	assert_int_equal(outbox_backoff(&f->cd, 0, 5, &rng), 5000);
	assert_int_equal(outbox_backoff(&f->cd, 1, 0, &rng), 0);
	assert_int_equal(outbox_backoff(&f->cd, 0, 10 * 86400, &rng), 86400000);
}

static void
test_dead_after_retries(void **state)
{
	struct fixture *f = *state;
	struct outbox_results r;
	struct store_outbox row;
	struct outbox_result *o;

	outbox_results_init(&r);
	memset(&row, 0, sizeof(row));
	row.id = 7;
	row.attempts = 1; /* a second failure: one retry is left */
	o = outbox_fail(&r, &f->cd, &row, 500, "HTTP 500", 30);
	assert_string_equal(o->row.state, "retrying");
	assert_int_equal(o->row.attempts, 2);
	assert_true(o->row.next_at - clock_now_ms() <= 30000 &&
		    o->row.next_at - clock_now_ms() > 29000);
	row.attempts = 2; /* the retries are spent */
	o = outbox_fail(&r, &f->cd, &row, 500, "HTTP 500", -1);
	assert_string_equal(o->row.state, "dead");
	assert_int_equal(o->row.attempts, 3);
	assert_int_equal(o->row.last_status, 500);
	assert_string_equal(o->row.last_error, "HTTP 500 (after 3 attempts)");
	assert_int_equal(r.n, 2);
	outbox_results_release(&r);
}

static void
test_requeue(void **state)
{
	struct fixture *f = *state;
	struct outbox_cursor c;
	struct outbox_results r;
	struct store_outbox *v, *w, row;
	size_t n, k;
	int64_t before;

	memset(&c, 0, sizeof(c));
	outbox_results_init(&r);
	queue_notice(f->s, 1000);
	assert_int_equal(outbox_sync(&v, &n, f->s, &c, &r, true, 10), 0);
	assert_int_equal(n, 1);
	/* pending: not requeued, and left as it was */
	assert_int_equal(outbox_requeue(f->s, v[0].id), SR_EREFUSED);
	assert_string_equal(err_last(), "outbox message 1 is pending, not dead: only a dead "
			    "one is requeued");
	outbox_record(&r, &v[0], "dead", 400, "HTTP 400", 0);
	assert_int_equal(outbox_sync(&w, &k, f->s, &c, &r, false, 10), 0);
	outbox_results_clear(&r);
	before = clock_now_ms();
	assert_int_equal(outbox_requeue(f->s, v[0].id), 0);
	assert_int_equal(store_outbox_get(&row, f->s, v[0].id), 0);
	assert_string_equal(row.state, "pending");
	assert_int_equal(row.attempts, 0);
	assert_true(row.next_at >= before);
	assert_string_equal(row.last_error, "HTTP 400"); /* what happened last, kept */
	store_outbox_release(&row);
	assert_int_equal(outbox_requeue(f->s, 99), SR_ENOTFOUND);
	assert_string_equal(err_last(), "no outbox message 99: run 'sitrep outbox' to see them");
	store_outbox_free(v, n);
	outbox_results_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_jitter_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_after_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
