/* test_paging.c: what a page sends and how it ends (escalate.c, paging.c)
 * against a real workspace in a temp dir: one outbox row per notify rule
 * that applies at the incident's severity, due paged_at + after, saying
 * who else is paged; an acknowledgement that ends the role's pages and
 * cancels what was not sent yet and tells the others; cancel; cover when
 * the role is filled; resolve; a page nobody can be told of escalated with
 * the reason; the last tier exhausted once; refusals leaving the store as
 * it was. What it checks is what the store holds afterwards. */
#include "testutil.h"
#include "testws.h"

#include "sitrep/clock.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/roles.h"
#include "sitrep/store-outbox.h"

#define SEC	1000LL
#define MIN	(60 * SEC)
/* 2027-01-15T08:00:00Z: every test's incident opens here. */
#define T0	1800000000000LL

/* alice: mail at once, a push 2 minutes later at SEV1 only; bob: mail at
 * once, a Slack mention a minute later. */
static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Test Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; } );\n"
	"people = (\n"
	"  { handle = \"alice\"; tier = \"L1\"; contacts = (\n"
	"      { id = \"mail\"; type = \"email\"; address = \"alice@example.com\"; },\n"
	"      { id = \"phone\"; type = \"webhook\"; url_env = \"TEST_ALICE_PUSH\"; } );\n"
	"    notify = ( { contact = \"mail\"; after = \"0m\"; },\n"
	"      { contact = \"phone\"; after = \"2m\"; min_severity = \"SEV1\"; } ); },\n"
	"  { handle = \"bob\"; tier = \"L1\"; contacts = (\n"
	"      { id = \"mail\"; type = \"email\"; address = \"bob@example.com\"; },\n"
	"      { id = \"slack\"; type = \"slack_mention\"; channel = \"ops-slack\"; user = \"U024BE7LH\"; } );\n"
	"    notify = ( { contact = \"mail\"; after = \"0m\"; }, { contact = \"slack\"; after = \"1m\"; } ); },\n"
	"  { handle = \"carol\"; tier = \"L2\"; contacts = (\n"
	"      { id = \"mail\"; type = \"email\"; address = \"carol@example.com\"; } ); },\n"
	"  { handle = \"dave\"; tier = \"L3\"; contacts = (\n"
	"      { id = \"mail\"; type = \"email\"; address = \"dave@example.com\"; } ); }\n"
	");\n"
	"channels = (\n"
	"  { id = \"ops-slack\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"TEST_SLACK_URL\"; },\n"
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
	"  { id = \"ops\"; title = \"Operations\"; max = 2; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n";

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

/* The outbox rows of the incident's pages, "contact:state:due-offset-s". */
static char *
rows_text(void)
{
	struct store_outbox *v;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_outbox_list(&v, &n, ws.store, NULL, 0));
	for (size_t i = n; i-- > 0;)
		buf_addf(&b, "%s%s:%s:%lld", b.len ? " " : "", v[i].contact ? v[i].contact : "-",
			 v[i].state, (long long)((v[i].next_at - T0) / SEC));
	store_outbox_free(v, n);
	return buf_detach(&b);
}

static char *
pages_text(void)
{
	struct store_page *p;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_pages_get(&p, &n, ws.store, id, false));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%sL%d:%s:%s=%s", i ? " " : "", p[i].tier, p[i].person, p[i].role,
			 p[i].state);
	store_pages_free(p, n);
	return buf_detach(&b);
}

#define ASSERT_TEXT(fn, want) do { \
	char *got_ = fn(); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

/* The whole store as text: the incident's rows and every outbox row. */
static char *
store_text(void)
{
	char *inc = testws_incident_text(&ws, id), *rows = rows_text(), *out;

	out = malloc(strlen(inc) + strlen(rows) + 2);
	sprintf(out, "%s\n%s", inc, rows);
	free(inc);
	free(rows);
	return out;
}

#define REFUSED(call, rc, want) do { \
	char *before_ = store_text(), *after_; \
	int got_ = (call); \
	after_ = store_text(); \
	assert_int_equal(got_, (rc)); \
	if (strstr(err_last(), (want)) == NULL) \
		fail_msg("message '%s' does not say '%s'", err_last(), (want)); \
	assert_string_equal(after_, before_); \
	free(after_); \
	free(before_); \
} while (0)

static void
test_page_notifies(void **state)
{
	struct store_outbox *v;
	size_t n;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	ASSERT_TEXT(pages_text, "L1:alice:ops=open L1:bob:ops=open");
	/* SEV2: alice's SEV1-only push is not written; bob's mention a minute on */
	ASSERT_TEXT(rows_text, "alice/mail:pending:0 bob/mail:pending:0 bob/slack:pending:60");
	TESTWS_CHECK(store_outbox_list(&v, &n, ws.store, NULL, 0));
	assert_int_equal(n, 3);
	/* newest first: bob/slack, bob/mail, alice/mail */
	assert_string_equal(v[2].type, "email");
	assert_string_equal(v[2].recipient, "alice@example.com");
	assert_string_equal(v[2].subject, "[PAGE] INC-1 SEV2 API down: you are paged as ops");
	assert_non_null(strstr(v[2].payload, "Also paged: bob."));
	assert_non_null(strstr(v[2].payload, "sitrep ack INC-1"));
	assert_true(v[2].page_id > 0);
	assert_string_equal(v[0].type, "slack");
	assert_string_equal(v[0].channel, "ops-slack");
	assert_true(strncmp(v[0].payload, "{\"text\":\"<@U024BE7LH> ", 22) == 0);
	assert_non_null(strstr(v[0].payload, "Also paged: alice."));
	store_outbox_free(v, n);
	/* the event says who and how many notifications */
	{
		char *d = testws_last_event(&ws, id, "paged");

		assert_non_null(strstr(d, "\"notifications\":3"));
		free(d);
	}
}

static void
test_severity_filter(void **state)
{
	(void)state;
	TESTWS_CHECK(incident_set_severity(testws_as(&ws, "alice"), id, 1));
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	/* SEV1: alice's push applies, two minutes after the page */
	ASSERT_TEXT(rows_text, "alice/mail:pending:0 alice/phone:pending:120 bob/mail:pending:0 "
		    "bob/slack:pending:60");
}

static void
test_ack_cancels_and_covers(void **state)
{
	char *d;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	clock_set_fake(T0 + 30 * SEC);
	TESTWS_CHECK(escalate_ack(testws_as(&ws, "bob"), id));
	ASSERT_TEXT(pages_text, "L1:alice:ops=covered L1:bob:ops=acked");
	/* everything unsent of both pages cancelled; alice hears who acked */
	ASSERT_TEXT(rows_text, "alice/mail:cancelled:0 bob/mail:cancelled:0 "
		    "bob/slack:cancelled:60 alice/mail:pending:30");
	d = testws_last_event(&ws, id, "acknowledged");
	assert_string_equal(d, "{\"covered\":[\"alice\"],\"pages\":[2],\"roles\":[\"ops\"],"
			    "\"via\":\"local:bob\"}");
	free(d);
	{
		struct store_page p;

		TESTWS_CHECK(store_page_get(&p, ws.store, 1));
		assert_string_equal(p.ended_by, "bob");
		assert_string_equal(p.ended_reason, "acknowledged by bob");
		store_page_release(&p);
	}
	/* a second ack: already acknowledged, by whom */
	REFUSED(escalate_ack_page(testws_as(&ws, "bob"), 2, "ack-link"), SR_EEXIST,
		"PG-2 was already acknowledged by bob at ");
}

static void
test_refusals(void **state)
{
	int64_t pg = 1;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	REFUSED(escalate_ack(testws_as(&ws, "carol"), id), SR_EREFUSED,
		"'carol' has no open page on INC-1 to acknowledge");
	REFUSED(escalate_ack_page(testws_as(&ws, "carol"), pg, "ack-link"), SR_EREFUSED,
		"PG-1 pages alice, not carol");
	REFUSED(escalate_page(testws_as(&ws, "alice"), id, "nosuch", -1), SR_EREFUSED,
		"playbook 'outage' has no role 'nosuch'");
	REFUSED(escalate_cancel(testws_as(&ws, "alice"), id, "nosuch", "why"), SR_EREFUSED,
		"playbook 'outage' has no role 'nosuch'");
	REFUSED(escalate_cancel(testws_as(&ws, "alice"), id, "commander", "why"), SR_EREFUSED,
		"no open page for commander on INC-1 to cancel");
	REFUSED(escalate_cancel(testws_as(&ws, "alice"), id, "PG-99", "why"), SR_ENOTFOUND,
		"no page PG-99");
	TESTWS_CHECK(escalate_cancel(testws_as(&ws, "alice"), id, "PG-1", "alice is here"));
	REFUSED(escalate_cancel(testws_as(&ws, "alice"), id, "PG-1", "again"), SR_EEXIST,
		"PG-1 has ended (cancelled by alice at ");
}

static void
test_cancel(void **state)
{
	char *d;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	TESTWS_CHECK(escalate_cancel(testws_as(&ws, "carol"), id, "ops", "false alarm"));
	ASSERT_TEXT(pages_text, "L1:alice:ops=cancelled L1:bob:ops=cancelled");
	ASSERT_TEXT(rows_text, "alice/mail:cancelled:0 bob/mail:cancelled:0 "
		    "bob/slack:cancelled:60");
	d = testws_last_event(&ws, id, "page_cancelled");
	assert_string_equal(d, "{\"pages\":[1,2],\"people\":[\"alice\",\"bob\"],"
			    "\"reason\":\"false alarm\",\"role\":\"ops\",\"via\":\"local:carol\"}");
	free(d);
}

static void
test_cover_by_role_take(void **state)
{
	char *d;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	TESTWS_CHECK(roles_take(testws_as(&ws, "carol"), id, "ops"));
	ASSERT_TEXT(pages_text, "L1:alice:ops=covered L1:bob:ops=covered");
	ASSERT_TEXT(rows_text, "alice/mail:cancelled:0 bob/mail:cancelled:0 "
		    "bob/slack:cancelled:60");
	d = testws_last_event(&ws, id, "role_taken");
	assert_string_equal(d, "{\"pages_covered\":2,\"person\":\"carol\",\"role\":\"ops\"}");
	free(d);
}

static void
test_resolve_ends_pages(void **state)
{
	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	TESTWS_CHECK(incident_resolve(testws_as(&ws, "alice"), id, "fixed"));
	ASSERT_TEXT(pages_text, "L1:alice:ops=ended L1:bob:ops=ended");
	ASSERT_TEXT(rows_text, "alice/mail:cancelled:0 bob/mail:cancelled:0 "
		    "bob/slack:cancelled:60");
}

/* Everyone paged for ops at L1 has every notification dead: the role goes
 * to L2 at once, and the timeline says why. */
static void
test_undeliverable_escalates(void **state)
{
	struct store_outbox *v;
	size_t n;
	bool acted;
	char *d;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", -1));
	ws.ctx.daemon = true;
	ws.ctx.actor = "sitrepd";
	TESTWS_CHECK(escalate_undeliverable(&acted, &ws.ctx, id));
	assert_false(acted);
	TESTWS_CHECK(store_outbox_list(&v, &n, ws.store, NULL, 0));
	TESTWS_CHECK(store_begin(ws.store));
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].state, sizeof(v[i].state), "dead");
		v[i].attempts = 1;
		free(v[i].last_error);
		v[i].last_error = strdup(strcmp(v[i].contact, "alice/mail") == 0 ?
					 "550 mailbox unknown" : "403 forbidden");
		TESTWS_CHECK(store_outbox_result(ws.store, &v[i]));
	}
	TESTWS_CHECK(store_commit(ws.store));
	store_outbox_free(v, n);
	TESTWS_CHECK(escalate_undeliverable(&acted, &ws.ctx, id));
	assert_true(acted);
	ASSERT_TEXT(pages_text, "L1:alice:ops=escalated L1:bob:ops=escalated L2:carol:ops=open");
	d = testws_last_event(&ws, id, "escalated");
	assert_non_null(strstr(d, "\"reason\":\"no working contact for alice: mail dead, 550 "
			       "mailbox unknown\""));
	free(d);
}

/* The last tier with nobody acknowledging: told once. */
static void
test_exhausted_once(void **state)
{
	bool acted;
	char *d;

	(void)state;
	TESTWS_CHECK(escalate_page(testws_as(&ws, "alice"), id, "ops", 3));
	ws.ctx.daemon = true;
	ws.ctx.actor = "sitrepd";
	TESTWS_CHECK(escalate_exhausted(&acted, &ws.ctx, id, "ops"));
	assert_true(acted);
	TESTWS_CHECK(escalate_exhausted(&acted, &ws.ctx, id, "ops"));
	assert_false(acted);
	d = testws_last_event(&ws, id, "page_exhausted");
	assert_non_null(strstr(d, "\"told\":\"alice\""));
	free(d);
	ASSERT_TEXT(pages_text, "L3:dave:ops=open");
	/* dave's page, and a notice to alice (the opener, no commander) */
	ASSERT_TEXT(rows_text, "dave/mail:pending:0 alice/mail:pending:0 -:pending:0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_notifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_severity_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_cancels_and_covers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cover_by_role_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_ends_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undeliverable_escalates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhausted_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
