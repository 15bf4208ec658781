/* test_incident.c: an incident's life (incident.c) against a real workspace
 * in a temp dir: opening it from a pinned playbook, its status, severity and
 * components, resolving, reopening and closing, and its template variables.
 * Each change is checked by its timeline event's details; each refused one
 * by its message and a store left exactly as it was. The commands around
 * them are driven end to end by tests/cli (t0003). */
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
	"components = ( { id = \"api\"; name = \"Public API\"; }, { id = \"web\"; } );\n"
	"people = ( { handle = \"alice\"; tier = \"L1\"; email = \"alice@example.com\"; },\n"
	"  { handle = \"bob\"; tier = \"L2\"; email = \"bob@example.com\"; }, { handle = \"carol\"; } );\n"
	"channels = ( { id = \"paging-mail\"; type = \"email\"; audiences = [ ];\n"
	"  smtp_url = \"smtp://127.0.0.1:25\"; from = \"status@example.com\"; } );\n";

/* A required step, one that applies only at SEV1, a public title made of
 * a declared variable. */
static const char outage_playbook[] =
	"name = \"outage\";\n"
	"title = \"Service outage\";\n"
	"summary = \"A service is down.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"public_title = \"{{service}} is unavailable\";\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; required = true; },\n"
	"  { id = \"comms\"; title = \"Communications Lead\"; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\" ]; };\n"
	"steps = (\n"
	"  { id = \"declare\"; title = \"Declare the incident\"; role = \"commander\"; due = \"15m\";\n"
	"    required = true; },\n"
	"  { id = \"call\"; title = \"Call key accounts\"; role = \"comms\"; due = \"30m\";\n"
	"    required = true; min_severity = \"SEV1\"; }\n"
	");\n"
	"variables = ( { name = \"service\"; description = \"The service that is down.\"; } );\n";

static struct testws ws;

static int
setup(void **state)
{
	char *names[] = { "outage.playbook" };
	char *texts[] = { (char *)outage_playbook };

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

static int64_t
open_outage(void)
{
	int64_t id = 0;

	TESTWS_CHECK(incident_open(&id, testws_as(&ws, "alice"), "outage", ws.sha,
				   "API down in eu-west", 0, NULL, 0));
	return id;
}

/* A change refused with rc and a message containing want, the incident's
 * rows as before. The caller makes the change between the two halves. */
static char *before;

static void
refused_begin(int64_t id)
{
	before = testws_incident_text(&ws, id);
}

static void
refused_end(int64_t id, int got, int rc, const char *want)
{
	char *after = testws_incident_text(&ws, id);

	assert_int_equal(got, rc);
	if (strstr(err_last(), want) == NULL)
		fail_msg("message '%s' does not say '%s'", err_last(), want);
	assert_string_equal(after, before);
	free(after);
	free(before);
	before = NULL;
}

#define REFUSED(id, call, rc, want) do { \
	refused_begin(id); \
	refused_end(id, (call), (rc), (want)); \
} while (0)

static void
assert_event(int64_t id, const char *kind, const char *details)
{
	char *d = testws_last_event(&ws, id, kind);

	assert_string_equal(d, details);
	free(d);
}

/* Opening pins the playbook's commit and keeps its text, takes its
 * severity and components, and records all of it in the "opened" event. */
static void
test_open(void **state)
{
	struct store_incident inc;
	struct store_component *c;
	char *text, *want;
	size_t n;
	int64_t id, count;

	(void)state;
	id = open_outage();
	assert_int_equal(id, 1);
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.playbook, "outage");
	assert_string_equal(inc.commit, ws.sha);
	assert_string_equal(inc.title, "API down in eu-west");
	/* no value for {{service}} yet: the playbook's title stands in */
	assert_string_equal(inc.public_title, "Service outage");
	assert_int_equal(inc.severity, 2);
	assert_string_equal(inc.status, "investigating");
	assert_string_equal(inc.opened_by, "alice");
	assert_int_equal(inc.opened_at, T0);
	assert_int_equal(inc.resolved_at, 0);
	assert_int_equal(inc.event_count, 1);
	store_incident_release(&inc);

	TESTWS_CHECK(store_components_get(&c, &n, ws.store, id));
	assert_int_equal(n, 1);
	assert_string_equal(c[0].component, "api");
	assert_string_equal(c[0].status, incident_component_status(NULL, 2));
	store_components_free(c, n);

	TESTWS_CHECK(store_playbook_text_get(&text, ws.store, ws.sha, "outage"));
	assert_string_equal(text, outage_playbook);
	free(text);

	want = NULL;
	assert_true(asprintf(&want, "{\"commit\":\"%s\",\"components\":[\"api\"],"
			     "\"playbook\":\"outage\",\"public_title\":\"Service outage\","
			     "\"severity\":\"SEV2\",\"title\":\"API down in eu-west\","
			     "\"variables\":{}}", ws.sha) > 0);
	assert_event(id, "opened", want);
	free(want);
	TESTWS_CHECK(store_event_count(&count, ws.store));
	assert_int_equal(count, 1);
}

/* Given severity, components and a variable: the public title follows. */
static void
test_open_with(void **state)
{
	struct incident_var var = { "service", "Checkout" };
	char *comps[] = { "web", "api" };
	struct incident_open_req req = { "outage", ws.sha, "Checkout fails", NULL, 1,
					 comps, 2, &var, 1 };
	struct store_incident inc;
	struct store_component *c;
	size_t n;
	int64_t id;

	(void)state;
	TESTWS_CHECK(incident_open_with(&id, testws_as(&ws, "bob"), &req));
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_int_equal(inc.severity, 1);
	assert_string_equal(inc.public_title, "Checkout is unavailable");
	assert_string_equal(inc.opened_by, "bob");
	store_incident_release(&inc);
	TESTWS_CHECK(store_components_get(&c, &n, ws.store, id));
	assert_int_equal(n, 2);
	assert_string_equal(c[0].component, "web");
	assert_string_equal(c[1].component, "api");
	assert_string_equal(c[0].status, incident_component_status(NULL, 1));
	store_components_free(c, n);
}

/* What open refuses leaves no incident, no event and no playbook text. */
static void
expect_open_refused(struct incident_open_req *req, const char *who, int rc, const char *want)
{
	struct store_incident *v;
	char *text = NULL;
	size_t n;
	int64_t id = 0, count;

	assert_int_equal(incident_open_with(&id, testws_as(&ws, who), req), rc);
	if (strstr(err_last(), want) == NULL)
		fail_msg("message '%s' does not say '%s'", err_last(), want);
	TESTWS_CHECK(store_incidents_list(&v, &n, ws.store, true));
	assert_int_equal(n, 0);
	store_incidents_free(v, n);
	TESTWS_CHECK(store_event_count(&count, ws.store));
	assert_int_equal(count, 0);
	assert_int_equal(store_playbook_text_get(&text, ws.store, ws.sha, "outage"), SR_ENOTFOUND);
}

static void
test_open_refused(void **state)
{
	struct incident_var undeclared = { "region", "eu" }, blank = { "service", "  " };
	char *nowhere[] = { "db" };
	struct incident_open_req req = { "outage", ws.sha, "API down", NULL, 0, NULL, 0,
					 NULL, 0 };

	(void)state;
	req.title = "   ";
	expect_open_refused(&req, "alice", SR_EINVALID, "an incident needs a title with words");
	req.title = "API down";
	expect_open_refused(&req, "mallory", SR_EREFUSED,
			    "'mallory' is not one of the people in sitrep.conf");
	req.components = nowhere;
	req.ncomponents = 1;
	expect_open_refused(&req, "alice", SR_EREFUSED, "unknown component 'db'");
	req.components = NULL;
	req.ncomponents = 0;
	req.vars = &undeclared;
	req.nvars = 1;
	expect_open_refused(&req, "alice", SR_ENOTFOUND,
			    "playbook 'outage' declares no variable 'region' (it declares service)");
	req.vars = &blank;
	expect_open_refused(&req, "alice", SR_EINVALID,
			    "service needs a value: The service that is down.");
	req.vars = NULL;
	req.nvars = 0;
	req.public_title = "two\nlines";
	expect_open_refused(&req, "alice", SR_EINVALID, "a public title is one line");
	req.public_title = NULL;
	req.playbook = "nosuch";
	expect_open_refused(&req, "alice", SR_ENOTFOUND, "nosuch");
}

/* The working statuses, one event each; the same status again and an
 * unknown one are refused. */
static void
test_status(void **state)
{
	struct store_incident inc;
	int64_t id;

	(void)state;
	id = open_outage();
	clock_set_fake(T0 + MIN);
	TESTWS_CHECK(incident_set_status(testws_as(&ws, "bob"), id, "identified",
					 "bad deploy"));
	assert_event(id, "status", "{\"from\":\"investigating\",\"note\":\"bad deploy\","
		     "\"to\":\"identified\"}");
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.status, "identified");
	assert_int_equal(inc.updated_at, T0 + MIN);
	store_incident_release(&inc);
	TESTWS_CHECK(incident_set_status(&ws.ctx, id, "monitoring", NULL));
	assert_event(id, "status", "{\"from\":\"identified\",\"note\":null,\"to\":\"monitoring\"}");

	REFUSED(id, incident_set_status(&ws.ctx, id, "monitoring", NULL), SR_EREFUSED,
		"INC-1 is already monitoring");
	REFUSED(id, incident_set_status(&ws.ctx, id, "sleeping", NULL), SR_EUSAGE,
		"unknown status 'sleeping'");
	REFUSED(id, incident_set_status(&ws.ctx, id, "closed", NULL), SR_EREFUSED,
		"INC-1 is monitoring: resolve it first");
	REFUSED(id, incident_reopen(testws_as(&ws, "alice"), id, NULL), SR_EREFUSED,
		"INC-1 is monitoring, not resolved");
	REFUSED(id, incident_set_status(testws_as(&ws, "mallory"), id, "identified", NULL),
		SR_EREFUSED, "'mallory' is not one of the people");
	REFUSED(id, incident_set_status(testws_as(&ws, "alice"), 99, "identified", NULL),
		SR_ENOTFOUND, "");
}

/* Resolve, reopen, resolve and close: each once, in that order. Resolving
 * ends the pages no one answered. */
static void
test_resolve_reopen_close(void **state)
{
	struct store_page page = { .incident_id = 1, .role = "commander", .tier = 1,
				   .person = "alice", .paged_at = T0,
				   .timeout_at = T0 + 5 * MIN, .state = "open" }, *p;
	struct store_incident inc;
	size_t n;
	int64_t id;

	(void)state;
	id = open_outage();
	TESTWS_CHECK(steps_mark(testws_as(&ws, "alice"), id, "declare", "done", NULL));
	TESTWS_CHECK(store_page_insert(NULL, ws.store, &page));
	clock_set_fake(T0 + 10 * MIN);
	TESTWS_CHECK(incident_resolve(&ws.ctx, id, "rolled back"));
	assert_event(id, "resolved", "{\"from\":\"investigating\",\"note\":\"rolled back\","
		     "\"pages_ended\":1}");
	/* no one is woken for an incident that is over */
	TESTWS_CHECK(store_pages_get(&p, &n, ws.store, id, false));
	assert_int_equal(n, 1);
	assert_string_equal(p[0].state, "ended");
	assert_int_equal(p[0].closed_at, T0 + 10 * MIN);
	store_pages_free(p, n);
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.status, "resolved");
	assert_int_equal(inc.resolved_at, T0 + 10 * MIN);
	store_incident_release(&inc);

	REFUSED(id, incident_resolve(&ws.ctx, id, NULL), SR_EREFUSED,
		"INC-1 is already resolved");
	REFUSED(id, incident_set_status(&ws.ctx, id, "identified", NULL), SR_EREFUSED,
		"INC-1 is resolved: reopen it first");

	TESTWS_CHECK(incident_reopen(&ws.ctx, id, "it came back"));
	assert_event(id, "reopened", "{\"note\":\"it came back\"}");
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.status, "investigating");
	assert_int_equal(inc.resolved_at, 0);
	store_incident_release(&inc);

	TESTWS_CHECK(incident_resolve(&ws.ctx, id, NULL));
	clock_set_fake(T0 + 20 * MIN);
	TESTWS_CHECK(incident_close(&ws.ctx, id, false, NULL));
	assert_event(id, "closed", "{\"forced\":false,\"open_steps\":[],\"pages_ended\":0,"
		     "\"reason\":null}");
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.status, "closed");
	assert_int_equal(inc.closed_at, T0 + 20 * MIN);
	store_incident_release(&inc);

	/* nothing about a closed incident changes */
	REFUSED(id, incident_reopen(&ws.ctx, id, NULL), SR_EREFUSED,
		"INC-1 is closed: nothing about it changes any more");
	REFUSED(id, incident_set_severity(&ws.ctx, id, 1), SR_EREFUSED, "INC-1 is closed");
	REFUSED(id, incident_set_component(&ws.ctx, id, "api", "operational"), SR_EREFUSED,
		"INC-1 is closed");
	REFUSED(id, steps_mark(&ws.ctx, id, "call", "done", NULL), SR_EREFUSED,
		"INC-1 is closed");
}

/* Closing waits for the required steps that apply at the severity, unless
 * forced with a reason; the event says which were left open. */
static void
test_close_required_steps(void **state)
{
	int64_t id;

	(void)state;
	id = open_outage();
	TESTWS_CHECK(incident_resolve(testws_as(&ws, "alice"), id, NULL));
	/* "call" applies only at SEV1: "declare" alone is open */
	REFUSED(id, incident_close(&ws.ctx, id, false, NULL), SR_EREFUSED,
		"INC-1 has required steps still open (declare)");
	REFUSED(id, incident_close(&ws.ctx, id, true, NULL), SR_EUSAGE,
		"closing with --force needs a reason");
	REFUSED(id, incident_close(&ws.ctx, id, true, ""), SR_EUSAGE,
		"closing with --force needs a reason");
	TESTWS_CHECK(incident_close(&ws.ctx, id, true, "drill"));
	assert_event(id, "closed", "{\"forced\":true,\"open_steps\":[\"declare\"],"
		     "\"pages_ended\":0,\"reason\":\"drill\"}");
}

/* Severity and resolving are the commander's: the opener's while no one
 * holds the role. */
static void
test_commander_decides(void **state)
{
	int64_t id;

	(void)state;
	id = open_outage();
	REFUSED(id, incident_set_severity(testws_as(&ws, "bob"), id, 1), SR_EREFUSED,
		"only the commander may change the severity of INC-1, and no one holds that "
		"role yet, so only its opener 'alice' may");
	REFUSED(id, incident_set_severity(testws_as(&ws, "alice"), id, 2), SR_EREFUSED,
		"INC-1 is already SEV2");
	REFUSED(id, incident_set_severity(&ws.ctx, id, 5), SR_EUSAGE,
		"severity must be one of SEV1, SEV2, SEV3, SEV4");
	TESTWS_CHECK(incident_set_severity(&ws.ctx, id, 1));
	assert_event(id, "severity", "{\"from\":\"SEV2\",\"to\":\"SEV1\"}");

	TESTWS_CHECK(roles_take(testws_as(&ws, "bob"), id, "commander"));
	REFUSED(id, incident_resolve(testws_as(&ws, "alice"), id, NULL), SR_EREFUSED,
		"only the commander ('bob') may resolve INC-1; 'alice' is not");
	TESTWS_CHECK(incident_resolve(testws_as(&ws, "bob"), id, NULL));
}

/* A component's status: anyone may set it; an unknown component or status
 * is refused. */
static void
test_component(void **state)
{
	struct store_component *c;
	size_t n;
	int64_t id;

	(void)state;
	id = open_outage();
	TESTWS_CHECK(incident_set_component(testws_as(&ws, "carol"), id, "web", "degraded_performance"));
	assert_event(id, "component", "{\"component\":\"web\",\"status\":\"degraded_performance\"}");
	TESTWS_CHECK(store_components_get(&c, &n, ws.store, id));
	assert_int_equal(n, 2);
	assert_string_equal(c[1].component, "web");
	assert_string_equal(c[1].status, "degraded_performance");
	store_components_free(c, n);
	REFUSED(id, incident_set_component(&ws.ctx, id, "db", "operational"), SR_EREFUSED,
		"unknown component 'db': see 'components' in sitrep.conf");
	REFUSED(id, incident_set_component(&ws.ctx, id, "api", "on_fire"), SR_EUSAGE,
		"unknown component status 'on_fire'");
}

/* Variables: set and replaced with an event each, the public title made
 * from them until one is set by hand; undeclared or empty ones refused. */
static void
test_variables(void **state)
{
	struct incident_var service = { "service", "Checkout" }, again = { "service", "Search" },
		pt = { "public_title", "Slow checkout" }, bad = { "region", "eu" },
		blank = { "service", "" };
	struct store_incident inc;
	struct store_var *v;
	size_t n;
	int64_t id;

	(void)state;
	id = open_outage();
	clock_set_fake(T0 + MIN);
	TESTWS_CHECK(incident_set_vars(testws_as(&ws, "bob"), id, &service, 1));
	assert_event(id, "variables", "{\"set\":{\"public_title\":\"Checkout is unavailable\","
		     "\"service\":\"Checkout\"}}");
	TESTWS_CHECK(store_vars_get(&v, &n, ws.store, id));
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "service");
	assert_string_equal(v[0].value, "Checkout");
	assert_string_equal(v[0].set_by, "bob");
	assert_int_equal(v[0].set_at, T0 + MIN);
	store_vars_free(v, n);
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.public_title, "Checkout is unavailable");
	assert_int_equal(inc.updated_at, T0 + MIN);
	store_incident_release(&inc);

	REFUSED(id, incident_set_vars(&ws.ctx, id, &bad, 1), SR_ENOTFOUND,
		"playbook 'outage' declares no variable 'region'");
	REFUSED(id, incident_set_vars(&ws.ctx, id, &blank, 1), SR_EINVALID,
		"service needs a value");

	/* a public title set by hand stays when the variables change */
	TESTWS_CHECK(incident_set_vars(&ws.ctx, id, &pt, 1));
	assert_event(id, "variables", "{\"set\":{\"public_title\":\"Slow checkout\"}}");
	TESTWS_CHECK(incident_set_vars(&ws.ctx, id, &again, 1));
	assert_event(id, "variables", "{\"set\":{\"service\":\"Search\"}}");
	TESTWS_CHECK(store_incident_get(&inc, ws.store, id));
	assert_string_equal(inc.public_title, "Slow checkout");
	store_incident_release(&inc);
}

static void
test_parse(void **state)
{
	struct incident_var v;
	char *owned = NULL;
	int64_t id;

	(void)state;
	assert_int_equal(incident_parse_id(&id, "INC-7"), 0);
	assert_int_equal(id, 7);
	assert_int_equal(incident_parse_id(&id, "inc-12"), 0);
	assert_int_equal(id, 12);
	assert_int_equal(incident_parse_id(&id, "3"), 0);
	assert_int_equal(id, 3);
	assert_int_equal(incident_parse_id(&id, "INC-"), SR_EUSAGE);
	assert_int_equal(incident_parse_id(&id, "x7"), SR_EUSAGE);
	assert_int_equal(incident_parse_var(&v, &owned, "service=Checkout API"), 0);
	assert_string_equal(v.name, "service");
	assert_string_equal(v.value, "Checkout API");
	free(owned);
	owned = NULL;
	assert_int_equal(incident_parse_var(&v, &owned, "service"), SR_EUSAGE);
	free(owned);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_with, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_reopen_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_required_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commander_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_component, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variables, setup, teardown),
		cmocka_unit_test(test_parse),
	};

	/* no git identity of the caller's in the seeded repositories */
	unsetenv("XDG_CONFIG_HOME");
	repo_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
