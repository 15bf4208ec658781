/* test_roles.c: who holds an incident's roles and who may change that
 * (roles.c), and its steps done or skipped, against a real workspace in a
 * temp dir: take, assign, release and hand over, each by its timeline
 * event's details; each refusal by its message and the store left as it
 * was. The commands around them are driven end to end by tests/cli
 * (t0004). */
#include "testutil.h"
#include "testws.h"

#include "sitrep/clock.h"
#include "sitrep/roles.h"

#define MIN	60000LL
/* 2027-01-15T08:00:00Z: every test's incident opens here. */
#define T0	1800000000000LL

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Test Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; } );\n"
	"people = ( { handle = \"alice\"; tier = \"L1\"; email = \"alice@example.com\"; },\n"
	"  { handle = \"bob\"; tier = \"L2\"; email = \"bob@example.com\"; },\n"
	"  { handle = \"carol\"; }, { handle = \"dave\"; } );\n"
	"channels = ( { id = \"paging-mail\"; type = \"email\"; audiences = [ ];\n"
	"  smtp_url = \"smtp://127.0.0.1:25\"; from = \"status@example.com\"; } );\n";

/* One commander, two operators at most; taking comms completes a step. */
static const char outage_playbook[] =
	"name = \"outage\";\n"
	"title = \"Service outage\";\n"
	"summary = \"A service is down.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; required = true; },\n"
	"  { id = \"comms\"; title = \"Communications Lead\"; },\n"
	"  { id = \"ops\"; title = \"Operations\"; max = 2; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\" ]; };\n"
	"steps = (\n"
	"  { id = \"staff\"; title = \"Name a comms lead\"; role = \"commander\"; due = \"10m\";\n"
	"    completes_on = { role = \"comms\"; }; },\n"
	"  { id = \"scope\"; title = \"Scope the impact\"; role = \"ops\"; due = \"20m\"; },\n"
	"  { id = \"call\"; title = \"Call key accounts\"; role = \"comms\"; due = \"30m\";\n"
	"    min_severity = \"SEV1\"; }\n"
	");\n";

static struct testws ws;
static int64_t id;

static int
setup(void **state)
{
	char *names[] = { "outage.playbook" };
	char *texts[] = { (char *)outage_playbook };

	(void)state;
	testws_open(&ws, conf_text, names, texts, 1, T0);
	TESTWS_CHECK(incident_open(&id, testws_as(&ws, "alice"), "outage", ws.sha,
				   "API down", 0, NULL, 0));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testws_close(&ws);
	return 0;
}

/* call returns rc with a message containing want, the incident's rows as
 * they were. */
#define REFUSED(call, rc, want) do { \
	char *before_ = testws_incident_text(&ws, id), *after_; \
	int got_ = (call); \
	after_ = testws_incident_text(&ws, id); \
	assert_int_equal(got_, (rc)); \
	if (strstr(err_last(), (want)) == NULL) \
		fail_msg("message '%s' does not say '%s'", err_last(), (want)); \
	assert_string_equal(after_, before_); \
	free(after_); \
	free(before_); \
} while (0)

static void
assert_event(const char *kind, const char *details)
{
	char *d = testws_last_event(&ws, id, kind);

	assert_string_equal(d, details);
	free(d);
}

/* "role:person ..." for every holder, oldest first. */
static const char *
holders(void)
{
	static char out[512];
	struct store_holder *h;
	size_t n;

	TESTWS_CHECK(store_holders_get(&h, &n, ws.store, id, NULL));
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s:%s", i ? " " : "",
			 h[i].role, h[i].person);
	store_holders_free(h, n);
	return out;
}

/* Anyone may take a role with room in it; a full one, one held already,
 * an unknown role or an unknown person are refused. */
static void
test_take(void **state)
{
	struct store_holder *h;
	size_t n;

	(void)state;
	clock_set_fake(T0 + MIN);
	TESTWS_CHECK(roles_take(testws_as(&ws, "bob"), id, "ops"));
	assert_event("role_taken", "{\"person\":\"bob\",\"role\":\"ops\"}");
	TESTWS_CHECK(store_holders_get(&h, &n, ws.store, id, "ops"));
	assert_int_equal(n, 1);
	assert_string_equal(h[0].person, "bob");
	assert_int_equal(h[0].since, T0 + MIN);
	store_holders_free(h, n);
	TESTWS_CHECK(roles_take(testws_as(&ws, "carol"), id, "ops"));

	REFUSED(roles_take(testws_as(&ws, "bob"), id, "ops"), SR_EREFUSED,
		"'bob' already holds the role 'ops' on INC-1");
	REFUSED(roles_take(testws_as(&ws, "dave"), id, "ops"), SR_EREFUSED,
		"the role 'ops' on INC-1 is full (2 of 2: bob, carol)");
	REFUSED(roles_take(testws_as(&ws, "dave"), id, "legal"), SR_EREFUSED,
		"playbook 'outage' has no role 'legal': its roles are commander, comms, ops");
	REFUSED(roles_take(testws_as(&ws, "mallory"), id, "comms"), SR_EREFUSED,
		"unknown person 'mallory'");
	assert_string_equal(holders(), "ops:bob ops:carol");
}

/* Assigning is the commander's (the opener's while no one holds it). */
static void
test_assign(void **state)
{
	(void)state;
	REFUSED(roles_assign(testws_as(&ws, "bob"), id, "ops", "carol"), SR_EREFUSED,
		"only the commander may assign roles on INC-1, and no one holds that role "
		"yet, so only its opener 'alice' may");
	TESTWS_CHECK(roles_assign(testws_as(&ws, "alice"), id, "ops", "carol"));
	assert_event("role_assigned", "{\"person\":\"carol\",\"role\":\"ops\"}");
	TESTWS_CHECK(roles_assign(&ws.ctx, id, "commander", "bob"));
	REFUSED(roles_assign(testws_as(&ws, "alice"), id, "ops", "dave"), SR_EREFUSED,
		"only the commander ('bob') may assign roles on INC-1; 'alice' is not");
	REFUSED(roles_assign(testws_as(&ws, "bob"), id, "ops", "nobody"), SR_EREFUSED,
		"unknown person 'nobody'");
	TESTWS_CHECK(roles_assign(testws_as(&ws, "bob"), id, "ops", "dave"));
	assert_string_equal(holders(), "ops:carol commander:bob ops:dave");
}

/* The holder releases their own role; someone else's only the commander. */
static void
test_release(void **state)
{
	(void)state;
	TESTWS_CHECK(roles_take(testws_as(&ws, "bob"), id, "ops"));
	TESTWS_CHECK(roles_take(testws_as(&ws, "carol"), id, "ops"));
	REFUSED(roles_release(testws_as(&ws, "dave"), id, "ops", NULL), SR_EREFUSED,
		"'dave' does not hold the role 'ops' on INC-1");
	REFUSED(roles_release(testws_as(&ws, "carol"), id, "ops", "bob"), SR_EREFUSED,
		"only the commander may release others' roles on INC-1");
	TESTWS_CHECK(roles_release(testws_as(&ws, "carol"), id, "ops", NULL));
	assert_event("role_released", "{\"person\":\"carol\",\"role\":\"ops\"}");
	/* the opener commands while no one holds the role */
	TESTWS_CHECK(roles_release(testws_as(&ws, "alice"), id, "ops", "bob"));
	assert_event("role_released", "{\"person\":\"bob\",\"role\":\"ops\"}");
	assert_string_equal(holders(), "");
}

/* A handover: one event naming both holders and the note. */
static void
test_handoff(void **state)
{
	(void)state;
	TESTWS_CHECK(roles_take(testws_as(&ws, "bob"), id, "commander"));
	REFUSED(roles_handoff(&ws.ctx, id, "commander", "carol", NULL), SR_EUSAGE,
		"a handoff needs a note for the incoming holder");
	REFUSED(roles_handoff(&ws.ctx, id, "commander", "bob", "stay"), SR_EREFUSED,
		"'bob' already holds the role 'commander'");
	REFUSED(roles_handoff(&ws.ctx, id, "commander", "mallory", "hi"), SR_EREFUSED,
		"unknown person 'mallory'");
	clock_set_fake(T0 + 3 * 60 * MIN);
	TESTWS_CHECK(roles_handoff(&ws.ctx, id, "commander", "carol", "rollback at 50%"));
	assert_event("role_handoff", "{\"from\":\"bob\",\"note\":\"rollback at 50%\","
		     "\"role\":\"commander\",\"to\":\"carol\"}");
	assert_string_equal(holders(), "commander:carol");

	/* neither holder nor commander */
	TESTWS_CHECK(roles_take(testws_as(&ws, "dave"), id, "comms"));
	REFUSED(roles_handoff(testws_as(&ws, "bob"), id, "comms", "alice", "over"), SR_EREFUSED,
		"only a holder of the role 'comms' (or the commander) may hand it over; "
		"'bob' is neither");
	REFUSED(roles_handoff(testws_as(&ws, "bob"), id, "ops", "alice", "over"), SR_EREFUSED,
		"no one holds the role 'ops' on INC-1");
	/* the commander hands over a role of one holder */
	TESTWS_CHECK(roles_handoff(testws_as(&ws, "carol"), id, "comms", "alice", "over"));
	assert_event("role_handoff", "{\"from\":\"dave\",\"note\":\"over\",\"role\":\"comms\","
		     "\"to\":\"alice\"}");
	/* but not one of several */
	TESTWS_CHECK(roles_take(testws_as(&ws, "bob"), id, "ops"));
	TESTWS_CHECK(roles_take(testws_as(&ws, "dave"), id, "ops"));
	REFUSED(roles_handoff(testws_as(&ws, "carol"), id, "ops", "alice", "over"), SR_EREFUSED,
		"the role 'ops' on INC-1 has 2 holders (bob, dave)");
	assert_string_equal(holders(), "commander:carol comms:alice ops:bob ops:dave");
}

/* Steps done or skipped once each, a skip with its reason; a step that
 * does not apply at the severity, or that the playbook lacks, refused.
 * Taking comms completes the step waiting for it. */
static void
test_steps(void **state)
{
	struct store_step *st;
	size_t n;

	(void)state;
	REFUSED(steps_mark(testws_as(&ws, "bob"), id, "scope", "skipped", NULL), SR_EUSAGE,
		"skipping a step needs a reason");
	REFUSED(steps_mark(&ws.ctx, id, "pray", "done", NULL), SR_EREFUSED,
		"playbook 'outage' has no step 'pray'");
	REFUSED(steps_mark(&ws.ctx, id, "call", "done", NULL), SR_EREFUSED,
		"step 'call' applies only at SEV1 or worse, and INC-1 is SEV2");
	clock_set_fake(T0 + MIN);
	TESTWS_CHECK(steps_mark(&ws.ctx, id, "scope", "skipped", "known already"));
	assert_event("step_skipped", "{\"note\":\"known already\",\"step\":\"scope\"}");
	REFUSED(steps_mark(testws_as(&ws, "carol"), id, "scope", "done", NULL), SR_EREFUSED,
		"step 'scope' of INC-1 is already skipped (by bob)");

	clock_set_fake(T0 + 2 * MIN);
	TESTWS_CHECK(roles_take(testws_as(&ws, "carol"), id, "comms"));
	assert_event("step_done", "{\"completed_by\":{\"event\":\"role_taken\","
		     "\"role\":\"comms\"},\"note\":\"carol took the role comms\","
		     "\"step\":\"staff\"}");
	TESTWS_CHECK(store_steps_get(&st, &n, ws.store, id));
	assert_int_equal(n, 2);
	assert_string_equal(st[0].step, "scope");
	assert_string_equal(st[0].state, "skipped");
	assert_string_equal(st[0].note, "known already");
	assert_string_equal(st[1].step, "staff");
	assert_string_equal(st[1].state, "done");
	assert_string_equal(st[1].actor, "carol");
	assert_int_equal(st[1].at, T0 + 2 * MIN);
	store_steps_free(st, n);
}

/* Nothing about the roles of a closed incident changes. */
static void
test_closed(void **state)
{
	(void)state;
	TESTWS_CHECK(incident_resolve(testws_as(&ws, "alice"), id, NULL));
	TESTWS_CHECK(incident_close(&ws.ctx, id, false, NULL));
	REFUSED(roles_take(&ws.ctx, id, "ops"), SR_EREFUSED, "INC-1 is closed");
	REFUSED(roles_assign(&ws.ctx, id, "ops", "bob"), SR_EREFUSED, "INC-1 is closed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
	};

	/* no git identity of the caller's in the seeded repositories */
	unsetenv("XDG_CONFIG_HOME");
	repo_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
