/* test_oncall_paging.c: pages reach whoever is on call (escalate.c with
 * rota.c) against a real workspace whose playbook repository holds
 * schedules: a roster's schedule pages its person on call at the moment
 * of paging, a handoff moves who is paged, an override wins over the
 * rotation, a role's `who` schedule pages its person and not the whole
 * tier, and a schedule that puts nobody on the page is said (the event's
 * "unreached", a refusal when nobody at all can be paged at a tier, the
 * store unchanged). */
#include "testutil.h"
#include "testws.h"

#include "sitrep/clock.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/rota.h"
#include "sitrep/store-outbox.h"

#define SEC	1000LL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
/* 2027-01-15T08:00:00Z: ana is on call for ops-primary until 09:00, then ben. */
#define T0	1800000000000LL

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Test Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; } );\n"
	"people = (\n"
	"  { handle = \"ana\"; email = \"ana@example.com\"; },\n"
	"  { handle = \"ben\"; email = \"ben@example.com\"; },\n"
	"  { handle = \"carol\"; email = \"carol@example.com\"; },\n"
	"  { handle = \"lena\"; email = \"lena@example.com\"; },\n"
	"  { handle = \"leo\"; email = \"leo@example.com\"; }\n"
	");\n"
	"tiers = {\n"
	"  L1 = { people = [ ]; schedules = [ \"ops-primary\" ]; };\n"
	"  L2 = { people = [ \"carol\" ]; schedules = [ \"ghost\" ]; };\n"
	"  L3 = { people = [ ]; schedules = [ \"future\" ]; };\n"
	"};\n"
	"channels = (\n"
	"  { id = \"mail\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://127.0.0.1:2525\";\n"
	"    from = \"pager@example.com\"; }\n"
	");\n";

static const char outage_playbook[] =
	"name = \"outage\";\n"
	"title = \"Service outage\";\n"
	"summary = \"A service is down.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; },\n"
	"  { id = \"ops\"; title = \"Operations\"; },\n"
	"  { id = \"legal\"; title = \"Legal\"; who = [ \"legal-oncall\" ]; },\n"
	"  { id = \"security\"; title = \"Security\"; who = [ \"future\" ]; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n";

static const char ops_schedule[] =
	"time_zone = \"UTC\";\n"
	"rotation = { people = [ \"ana\", \"ben\" ]; length = \"1d\"; start = \"2027-01-14 09:00\"; };\n";

static const char legal_schedule[] =
	"time_zone = \"UTC\";\n"
	"rotation = { people = [ \"lena\", \"leo\" ]; length = \"1w\"; start = \"2027-01-11 09:00\"; };\n";

/* nobody until February */
static const char future_schedule[] =
	"time_zone = \"UTC\";\n"
	"rotation = { people = [ \"carol\" ]; length = \"1w\"; start = \"2027-02-01 09:00\"; };\n";

static struct testws ws;
static int64_t id;

static int
setup(void **state)
{
	char *names[] = { "outage.playbook", "ops-primary.schedule", "legal-oncall.schedule",
			  "future.schedule" };
	char *texts[] = { (char *)outage_playbook, (char *)ops_schedule, (char *)legal_schedule,
			  (char *)future_schedule };

	(void)state;
	testws_open(&ws, conf_text, names, texts, 4, T0);
	TESTWS_CHECK(incident_open(&id, testws_as(&ws, "carol"), "outage", ws.sha,
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

/* The incident's pages, "L1:ana(ops-primary):ops=open". */
static char *
pages_text(void)
{
	struct store_page *p;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_pages_get(&p, &n, ws.store, id, false));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%sL%d:%s(%s):%s=%s", i ? " " : "", p[i].tier, p[i].person,
			 p[i].schedule ? p[i].schedule : "-", p[i].role, p[i].state);
	store_pages_free(p, n);
	return buf_detach(&b);
}

/* The contacts the outbox holds rows for, oldest first. */
static char *
contacts_text(void)
{
	struct store_outbox *v;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_outbox_list(&v, &n, ws.store, NULL, 0));
	for (size_t i = n; i-- > 0;)
		buf_addf(&b, "%s%s", b.len ? " " : "", v[i].contact ? v[i].contact : "-");
	store_outbox_free(v, n);
	return buf_detach(&b);
}

#define ASSERT_TEXT(fn, want) do { \
	char *got_ = fn(); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

static void
assert_event_says(const char *kind, const char *want)
{
	char *d = testws_last_event(&ws, id, kind);

	if (strstr(d, want) == NULL)
		fail_msg("event %s '%s' does not say '%s'", kind, d, want);
	free(d);
}

/* A roster's schedule pages the person on call now; after the handoff,
 * the next one. */
static void
test_handoff_moves_who_is_paged(void **state)
{
	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "ops", -1));
	ASSERT_TEXT(pages_text, "L1:ana(ops-primary):ops=open");
	ASSERT_TEXT(contacts_text, "ana/email");
	assert_event_says("paged", "\"schedule\":\"ops-primary\"");
	TESTWS_CHECK(escalate_cancel(testws_as(&ws, "carol"), id, "ops", "wrong role"));
	/* 09:00: ben takes over */
	clock_set_fake(T0 + 2 * HOUR);
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "ops", -1));
	ASSERT_TEXT(pages_text, "L1:ana(ops-primary):ops=cancelled L1:ben(ops-primary):ops=open");
	ASSERT_TEXT(contacts_text, "ana/email ben/email");
}

/* An override in the store wins over the rotation, while it lasts. */
static void
test_override_wins(void **state)
{
	int64_t oid;

	(void)state;
	TESTWS_CHECK(rota_override(&oid, testws_as(&ws, "carol"), "ops-primary", "ben",
				   T0 - HOUR, T0 + HOUR, "ana is at the dentist"));
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "ops", -1));
	ASSERT_TEXT(pages_text, "L1:ben(ops-primary):ops=open");
}

/* `who = [ "legal-oncall" ]`: the legal on-call person, not the tier. */
static void
test_who_schedule(void **state)
{
	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "legal", -1));
	ASSERT_TEXT(pages_text, "L1:lena(legal-oncall):legal=open");
	/* a week on, leo */
	clock_set_fake(T0 + 7 * 24 * HOUR);
	TESTWS_CHECK(escalate_cancel(testws_as(&ws, "carol"), id, "legal", "again"));
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "legal", -1));
	ASSERT_TEXT(pages_text, "L1:lena(legal-oncall):legal=cancelled "
		    "L1:leo(legal-oncall):legal=open");
}

/* A who schedule with nobody on call falls back to the tier's roster,
 * and the event says why; a roster schedule that does not exist too. */
static void
test_unreached_is_said(void **state)
{
	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "carol"), id, "security", -1));
	ASSERT_TEXT(pages_text, "L1:ana(ops-primary):security=open");
	assert_event_says("paged", "\"unreached\":[{\"schedule\":\"future\",\"tier\":\"L1\"");
	assert_event_says("paged", "has nobody on call now");
	/* to L2: carol, and 'ghost' is no schedule */
	TESTWS_CHECK(escalate_escalate(testws_as(&ws, "carol"), id, "security", -1, false,
				       "by hand"));
	ASSERT_TEXT(pages_text, "L1:ana(ops-primary):security=escalated "
		    "L2:carol(-):security=open");
	assert_event_says("escalated", "\"schedule\":\"ghost\"");
	assert_event_says("escalated", "no schedule 'ghost'");
}

/* Nobody at all at a tier: refused, the store as it was. */
static void
test_nobody_refused(void **state)
{
	char *before, *after;
	int rc;

	(void)state;
	before = testws_incident_text(&ws, id);
	rc = escalate_page(testws_as(&ws, "carol"), id, "ops", 3);
	after = testws_incident_text(&ws, id);
	assert_int_equal(rc, SR_EREFUSED);
	if (strstr(err_last(), "nobody can be paged at L3 for ops") == NULL ||
	    strstr(err_last(), "'future' has nobody on call now") == NULL)
		fail_msg("message: %s", err_last());
	assert_string_equal(after, before);
	free(before);
	free(after);
	ASSERT_TEXT(contacts_text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handoff_moves_who_is_paged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreached_is_said, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nobody_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
