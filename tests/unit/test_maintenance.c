/* test_maintenance.c: the maintenance domain (maintenance.c) against a real
 * workspace in a temp dir (testws.h): scheduling refused for bad input or
 * a stranger with the store left as it was, scheduled with its notices
 * queued to the customers' channel and subscribers, cancelled (once, by
 * one of the people), and its window started and completed on time. What
 * it checks is what the store holds afterwards, read through the store's
 * own functions. */
#include "testutil.h"

#include <stdbool.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/maintenance.h"
#include "sitrep/repo.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/subscribers.h"
#include "testws.h"

#define MIN	(60 * 1000LL)
/* 2027-01-15T08:00:00Z */
#define T0	1800000000000LL

/* A customer webhook, a customer e-mail channel (for subscribers) and an
 * internal chat channel, which hears of no maintenance. */
static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Drill Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; },\n"
	"  { id = \"db\"; name = \"Database\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n"
	"channels = (\n"
	"  { id = \"ops\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"DRILL_OPS_URL\"; },\n"
	"  { id = \"status-hook\"; type = \"webhook\"; audiences = [ \"customers\" ];\n"
	"    url_env = \"DRILL_HOOK_URL\"; },\n"
	"  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];\n"
	"    smtp_url = \"smtp://127.0.0.1:2525\"; from = \"status@example.com\"; }\n"
	");\n";

/* A maintenance needs no playbook; the workspace has one all the same. */
static const char note_playbook[] =
	"name = \"note\";\n"
	"title = \"Note\";\n"
	"summary = \"Nothing to do.\";\n"
	"severity = \"SEV3\";\n"
	"components = [ \"api\" ];\n"
	"roles = ( { id = \"commander\"; title = \"Incident Commander\"; } );\n";

static struct testws ws;

static int
setup(void **state)
{
	char *names[] = { "note.playbook" };
	char *texts[] = { (char *)note_playbook };

	(void)state;
	testws_open(&ws, conf_text, names, texts, 1, T0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testws_close(&ws);
	return 0;
}

/* Everything the store holds about maintenances, one line per
 * maintenance and per message queued, so that two texts are equal when a
 * change left the store as it was. The caller frees. */
static char *
store_text(struct testws *w)
{
	struct store_maintenance *v;
	struct store_outbox *o;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(maintenance_list(&v, &n, w->store, true));
	for (size_t i = 0; i < n; i++) {
		buf_addf(&b, "mnt-%lld %s [%s] %s %lld..%lld by %s at %lld: %lld %lld %lld %lld",
			 (long long)v[i].id, v[i].state, v[i].title, v[i].body ? v[i].body : "-",
			 (long long)v[i].starts_at, (long long)v[i].ends_at, v[i].created_by,
			 (long long)v[i].created_at, (long long)v[i].updated_at,
			 (long long)v[i].started_at, (long long)v[i].completed_at,
			 (long long)v[i].cancelled_at);
		for (size_t k = 0; k < v[i].ncomponents; k++)
			buf_addf(&b, " %s", v[i].components[k]);
		buf_adds(&b, "\n");
	}
	store_maintenances_free(v, n);
	TESTWS_CHECK(store_outbox_list(&o, &n, w->store, NULL, 0));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "outbox %lld %s %s %s %s %s\n", (long long)o[i].id,
			 o[i].channel ? o[i].channel : "-", o[i].type,
			 o[i].recipient ? o[i].recipient : "-", o[i].subject ? o[i].subject : "-",
			 o[i].payload ? o[i].payload : "-");
	store_outbox_free(o, n);
	return buf_detach(&b);
}

/* The messages queued whose subject or payload holds text, one line each
 * ("channel type recipient"), oldest first. The caller frees. */
static char *
queued_with(struct testws *w, const char *text)
{
	struct store_outbox *o;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_outbox_list(&o, &n, w->store, NULL, 0));
	for (size_t i = n; i-- > 0;)
		if ((o[i].payload != NULL && strstr(o[i].payload, text) != NULL) ||
		    (o[i].subject != NULL && strstr(o[i].subject, text) != NULL))
			buf_addf(&b, "%s %s %s\n", o[i].channel ? o[i].channel : "-", o[i].type,
				 o[i].recipient ? o[i].recipient : "-");
	store_outbox_free(o, n);
	return buf_detach(&b);
}

static void
expect_queued(struct testws *w, const char *text, const char *want)
{
	char *got = queued_with(w, text);

	assert_string_equal(got, want);
	free(got);
}

/* "Database upgrade" on api and db, from T0+10m until T0+70m. */
static struct maintenance_req
upgrade(void)
{
	static char *comps[] = { "db", "api" };
	struct maintenance_req req = {
		.title = "Database upgrade", .body = "Expect brief errors.",
		.from = "+10m", .until = "+70m", .components = comps, .ncomponents = 2,
	};

	return req;
}

static int64_t
schedule_upgrade(struct testws *w, int64_t *queued)
{
	struct maintenance_req req = upgrade();
	int64_t id, q;

	TESTWS_CHECK(maintenance_schedule(&id, queued ? queued : &q, &w->ctx, &req, T0));
	return id;
}

static void
expect_refused(struct testws *w, struct maintenance_req *req, int code, const char *msg)
{
	char *before = store_text(w), *after;
	int64_t id = -1, queued = -1;

	assert_int_equal(maintenance_schedule(&id, &queued, &w->ctx, req, T0), code);
	assert_string_equal(err_last(), msg);
	assert_int_equal(id, 0);
	assert_int_equal(queued, 0);
	after = store_text(w);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

static void
test_schedule_refused(void **state)
{
	struct testws *w = &ws;
	struct maintenance_req req;
	char *comps[] = { "api", "cache" };
	int64_t from, until;

	(void)state;
	schedule_upgrade(w, NULL); /* the store is not empty */
	req = upgrade();
	req.title = "   ";
	expect_refused(w, &req, SR_EINVALID, "a maintenance needs a title with words in it, "
		       "not only spaces");
	req = upgrade();
	req.from = "soon";
	expect_refused(w, &req, SR_EUSAGE, "'soon' is not a time: write +30m, 14:05 (UTC) or "
		       "2026-11-23T14:05Z");
	req = upgrade();
	req.until = "+5m";
	expect_refused(w, &req, SR_EUSAGE, "--until must come after --from");
	req = upgrade();
	req.from = "2027-01-15T06:00Z";
	req.until = "2027-01-15T07:00Z";
	expect_refused(w, &req, SR_EREFUSED, "--until 2027-01-15T07:00Z is in the past");
	req = upgrade();
	req.components = comps;
	expect_refused(w, &req, SR_ENOTFOUND, "no component 'cache' in sitrep.conf");
	req = upgrade();
	req.ncomponents = 0;
	expect_refused(w, &req, SR_EUSAGE, "a maintenance needs at least one --component");
	w->ctx.actor = "mallory";
	req = upgrade();
	expect_refused(w, &req, SR_EREFUSED, "'mallory' is not one of the people in "
		       "sitrep.conf: act as one of them with --as HANDLE");

	/* the checks that need no workspace give the window */
	req = upgrade();
	TESTWS_CHECK(maintenance_check(&from, &until, &req, T0));
	assert_int_equal(from, T0 + 10 * MIN);
	assert_int_equal(until, T0 + 70 * MIN);
}

static void
test_schedule(void **state)
{
	struct testws *w = &ws;
	struct store_subscriber sub;
	struct store_maintenance m;
	char *db[] = { "db" }, *api_only[] = { "api" };
	int64_t id, queued;

	(void)state;
	/* subscribers: one to everything, one to db, one to api only */
	TESTWS_CHECK(subscribers_add_confirmed(&sub, w->store, w->conf, "email", "all@example.com",
					NULL, 0));
	store_subscriber_release(&sub);
	TESTWS_CHECK(subscribers_add_confirmed(&sub, w->store, w->conf, "email", "db@example.com",
					db, 1));
	store_subscriber_release(&sub);
	id = schedule_upgrade(w, &queued);
	assert_int_equal(id, 1);
	assert_int_equal(queued, 3);
	TESTWS_CHECK(store_maintenance_get(&m, w->store, id));
	assert_string_equal(m.state, "scheduled");
	assert_string_equal(m.title, "Database upgrade");
	assert_string_equal(m.body, "Expect brief errors.");
	assert_int_equal(m.starts_at, T0 + 10 * MIN);
	assert_int_equal(m.ends_at, T0 + 70 * MIN);
	assert_string_equal(m.created_by, "alice");
	assert_int_equal(m.created_at, T0);
	assert_int_equal(m.ncomponents, 2);
	assert_string_equal(m.components[0], "api");
	assert_string_equal(m.components[1], "db");
	store_maintenance_release(&m);
	/* the customers' webhook and both subscribers; not the internal chat */
	expect_queued(w, "Scheduled maintenance: Database upgrade",
		      "status-hook webhook -\nmail email all@example.com\nmail email db@example.com\n");
	expect_queued(w, "\"text\":\"From 08:10 UTC until 09:10 UTC. Expect brief errors.\"",
		      "status-hook webhook -\n");

	/* one on api alone does not reach the db subscriber */
	{
		struct maintenance_req req = upgrade();

		req.title = "API restart";
		req.components = api_only;
		req.ncomponents = 1;
		TESTWS_CHECK(maintenance_schedule(&id, &queued, &w->ctx, &req, T0));
		assert_int_equal(id, 2);
		assert_int_equal(queued, 2);
		expect_queued(w, "Scheduled maintenance: API restart",
			      "status-hook webhook -\nmail email all@example.com\n");
	}
}

static void
test_cancel(void **state)
{
	struct testws *w = &ws;
	struct store_maintenance m;
	char *before, *after;
	int64_t id, queued;

	(void)state;
	id = schedule_upgrade(w, NULL);

	/* a stranger may not, and a maintenance that is not there cannot be */
	before = store_text(w);
	w->ctx.actor = "mallory";
	assert_int_equal(maintenance_cancel(&queued, &w->ctx, id, NULL, T0 + MIN), SR_EREFUSED);
	assert_string_equal(err_last(), "'mallory' is not one of the people in sitrep.conf: "
			    "act as one of them with --as HANDLE");
	w->ctx.actor = "alice";
	assert_int_equal(maintenance_cancel(&queued, &w->ctx, 7, NULL, T0 + MIN), SR_ENOTFOUND);
	assert_string_equal(err_last(), "no maintenance 7: run 'sitrep maintenance list'");
	after = store_text(w);
	assert_string_equal(after, before);
	free(before);
	free(after);

	TESTWS_CHECK(maintenance_cancel(&queued, &w->ctx, id, "Postponed to next week.", T0 + MIN));
	assert_int_equal(queued, 1);
	TESTWS_CHECK(store_maintenance_get(&m, w->store, id));
	assert_string_equal(m.state, "cancelled");
	assert_int_equal(m.cancelled_at, T0 + MIN);
	assert_int_equal(m.updated_at, T0 + MIN);
	store_maintenance_release(&m);
	expect_queued(w, "\"type\":\"maintenance.cancelled\"", "status-hook webhook -\n");
	expect_queued(w, "\"text\":\"Postponed to next week.\"", "status-hook webhook -\n");
	expect_queued(w, "Maintenance cancelled: Database upgrade", "status-hook webhook -\n");

	/* once only */
	before = store_text(w);
	assert_int_equal(maintenance_cancel(&queued, &w->ctx, id, NULL, T0 + 2 * MIN),
			 SR_EREFUSED);
	assert_string_equal(err_last(), "maintenance 1 is cancelled: only a scheduled or "
			    "running one is cancelled");
	after = store_text(w);
	assert_string_equal(after, before);
	free(before);
	free(after);

	/* without a reason, the customers hear it will not take place */
	id = schedule_upgrade(w, NULL);
	TESTWS_CHECK(maintenance_cancel(&queued, &w->ctx, id, NULL, T0 + 3 * MIN));
	expect_queued(w, "\"text\":\"The scheduled maintenance will not take place.\"",
		      "status-hook webhook -\n");
}

/* Whether maintenance_list lists maintenance id (with all: ended ones
 * too); *out, when not NULL, is its row, for the caller to release. */
static bool
listed(struct testws *w, int64_t id, bool all, struct store_maintenance *out)
{
	struct store_maintenance *v;
	size_t n;
	bool found = false;

	TESTWS_CHECK(maintenance_list(&v, &n, w->store, all));
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id) {
			found = true;
			if (out != NULL) {
				*out = v[i];
				memset(&v[i], 0, sizeof(v[i]));
			}
		}
	store_maintenances_free(v, n);
	return found;
}

static void
test_advance(void **state)
{
	struct testws *w = &ws;
	struct incident_ctx daemon;
	struct store_maintenance m;
	char *before, *after;
	int64_t id, queued;

	(void)state;
	id = schedule_upgrade(w, NULL);
	daemon = w->ctx;
	daemon.actor = INCIDENT_DAEMON_ACTOR;
	daemon.daemon = true;

	assert_true(listed(w, id, false, &m));
	assert_int_equal(maintenance_due(&m), T0 + 10 * MIN);
	TESTWS_CHECK(maintenance_advance(&queued, &daemon, &m, T0 + 10 * MIN + 5));
	assert_int_equal(queued, 1);
	assert_string_equal(m.state, "in_progress");
	assert_int_equal(m.started_at, T0 + 10 * MIN + 5);
	assert_int_equal(maintenance_due(&m), T0 + 70 * MIN);
	store_maintenance_release(&m);
	TESTWS_CHECK(store_maintenance_get(&m, w->store, id));
	assert_string_equal(m.state, "in_progress");
	assert_int_equal(m.started_at, T0 + 10 * MIN + 5);
	assert_int_equal(m.completed_at, 0);
	expect_queued(w, "\"type\":\"maintenance.started\"", "status-hook webhook -\n");
	expect_queued(w, "Maintenance in progress: Database upgrade", "status-hook webhook -\n");
	expect_queued(w, "\"text\":\"The scheduled maintenance has begun (scheduled from "
		      "08:10 UTC until 09:10 UTC). Expect brief errors.\"", "status-hook webhook -\n");
	expect_queued(w, "\"status\":\"in_progress\"", "status-hook webhook -\n");

	TESTWS_CHECK(maintenance_advance(&queued, &daemon, &m, T0 + 70 * MIN));
	assert_string_equal(m.state, "completed");
	assert_int_equal(m.completed_at, T0 + 70 * MIN);
	assert_int_equal(maintenance_due(&m), 0);
	expect_queued(w, "\"type\":\"maintenance.completed\"", "status-hook webhook -\n");
	expect_queued(w, "\"text\":\"The scheduled maintenance is complete (scheduled from "
		      "08:10 UTC until 09:10 UTC). Expect brief errors.\"", "status-hook webhook -\n");

	/* a completed one has no move left, and is listed only with all */
	before = store_text(w);
	assert_int_equal(maintenance_advance(&queued, &daemon, &m, T0 + 80 * MIN), SR_EREFUSED);
	assert_string_equal(err_last(), "maintenance 1 is completed: it has no move to make");
	assert_string_equal(m.state, "completed");
	after = store_text(w);
	assert_string_equal(after, before);
	free(before);
	free(after);
	store_maintenance_release(&m);
	assert_false(listed(w, id, false, NULL));
	assert_true(listed(w, id, true, &m));
	assert_string_equal(m.state, "completed");
	store_maintenance_release(&m);

	/* one cancelled between the daemon's list and its move stays
	 * cancelled, and nothing is announced */
	id = schedule_upgrade(w, NULL);
	assert_true(listed(w, id, false, &m));
	TESTWS_CHECK(maintenance_cancel(&queued, &w->ctx, id, NULL, T0 + 9 * MIN));
	before = store_text(w);
	TESTWS_CHECK(maintenance_advance(&queued, &daemon, &m, T0 + 10 * MIN + 5));
	assert_int_equal(queued, 0);
	assert_string_equal(m.state, "cancelled");
	assert_int_equal(maintenance_due(&m), 0);
	after = store_text(w);
	assert_string_equal(after, before);
	free(before);
	free(after);
	store_maintenance_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schedule_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_advance, setup, teardown),
	};

	/* no git identity of the caller's in the seeded repository */
	unsetenv("XDG_CONFIG_HOME");
	repo_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
