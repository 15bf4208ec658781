/* test_ops.c: the table of operations (ops.c, ops-incident.c) against a
 * real workspace in a temp dir: an unknown operation and malformed
 * arguments are usage errors that change nothing; incident.list, role.take,
 * role.release, ack and whoami answer JSON; each error code maps to one
 * exit code, HTTP status and problem kind. The CLI commands that run them
 * are driven end to end by tests/cli. */
#include "testutil.h"
#include "testws.h"

#include "sitrep/json.h"
#include "sitrep/ops.h"

#define T0	1800000000000LL

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Test Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice Ng\"; tier = \"L1\";"
	" email = \"alice@example.com\"; },\n"
	"  { handle = \"bob\"; tier = \"L2\"; email = \"bob@example.com\"; } );\n"
	"channels = ( { id = \"paging-mail\"; type = \"email\"; audiences = [ ];\n"
	"  smtp_url = \"smtp://127.0.0.1:25\"; from = \"status@example.com\"; } );\n";

static const char outage_playbook[] =
	"name = \"outage\";\n"
	"title = \"Service outage\";\n"
	"summary = \"A service is down.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"roles = ( { id = \"commander\"; title = \"Incident Commander\"; required = true; },\n"
	"  { id = \"ops\"; title = \"Operations\"; } );\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\" ]; };\n";

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

static struct json *
args_of(const char *text)
{
	struct json *v = json_parse(text, strlen(text));

	assert_non_null(v);
	return v;
}

/* Run name with the JSON text args as who; the result or NULL. */
static int
run_op(struct json **out, const char *who, const char *name, const char *args)
{
	struct json *a = args != NULL ? args_of(args) : NULL;
	int rc = ops_run(out, name, testws_as(&ws, who), a);

	json_free(a);
	return rc;
}

static void
test_usage_errors(void **state)
{
	struct json *out = (struct json *)1;
	char *before = testws_incident_text(&ws, id), *after;

	(void)state;
	assert_int_equal(run_op(&out, "alice", "incident.drop", "{}"), SR_EUSAGE);
	assert_null(out);
	assert_non_null(strstr(err_last(), "no operation 'incident.drop'"));
	assert_int_equal(run_op(&out, "alice", "role.take", "[1]"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "must be a JSON object"));
	assert_int_equal(run_op(&out, "alice", "role.take", "{\"role\": \"ops\"}"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "'incident' is needed"));
	assert_int_equal(run_op(&out, "alice", "role.take", "{\"incident\": \"INC-1\"}"),
			 SR_EUSAGE);
	assert_non_null(strstr(err_last(), "'role' is needed"));
	assert_int_equal(run_op(&out, "alice", "incident.list", "{\"all\": \"yes\"}"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "'all' must be true or false"));
	assert_int_equal(run_op(&out, "alice", "page",
				"{\"incident\": 1, \"role\": \"ops\", \"tier\": \"L7\"}"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "'tier' must be one of"));
	assert_int_equal(run_op(&out, "alice", "escalate",
				"{\"incident\": 1, \"tier\": \"L2\", \"swarm\": true}"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "'tier' and 'swarm'"));
	assert_int_equal(run_op(&out, "alice", "escalate", "{\"incident\": 1, \"note\": \" \"}"),
			 SR_EINVALID);
	assert_int_equal(run_op(&out, "alice", "escalate", "{\"incident\": 1, \"note\": 5}"),
			 SR_EUSAGE);
	assert_int_equal(run_op(&out, "alice", "timeline", "{\"incident\": 1, \"after\": -1}"),
			 SR_EUSAGE);
	assert_int_equal(run_op(&out, "alice", "timeline",
				"{\"incident\": 1, \"account\": \"nosuch\"}"), SR_ENOTFOUND);
	assert_int_equal(run_op(&out, "alice", "timeline", "{\"incident\": 9}"), SR_ENOTFOUND);
	after = testws_incident_text(&ws, id);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void
test_list_take_release(void **state)
{
	struct json *out = NULL;
	const struct json *e;

	(void)state;
	assert_int_equal(run_op(&out, "bob", "incident.list", NULL), 0);
	assert_int_equal(json_size(out), 1);
	e = json_at(out, 0);
	assert_int_equal(json_get_int(e, "id"), id);
	assert_string_equal(json_get_str(e, "severity"), "SEV2");
	assert_null(json_get_str(e, "commander"));
	assert_int_equal(json_get_int(e, "unfilled_roles"), 1);
	assert_non_null(json_get_str(e, "opened_at"));
	json_free(out);

	assert_int_equal(run_op(&out, "bob", "role.take",
				"{\"incident\": \"INC-1\", \"role\": \"commander\"}"), 0);
	assert_string_equal(json_get_str(out, "person"), "bob");
	assert_string_equal(json_get_str(out, "role"), "commander");
	assert_int_equal(json_get_int(out, "incident"), id);
	json_free(out);
	assert_int_equal(run_op(&out, "bob", "incident.list", "{\"all\": true}"), 0);
	assert_string_equal(json_get_str(json_at(out, 0), "commander"), "bob");
	assert_int_equal(json_get_int(json_at(out, 0), "unfilled_roles"), 0);
	json_free(out);
	/* a refusal is the domain's, with its code */
	assert_int_equal(run_op(&out, "alice", "role.take",
				"{\"incident\": 1, \"role\": \"nosuch\"}"), SR_EREFUSED);
	assert_null(out);
	assert_int_equal(run_op(&out, "bob", "role.release",
				"{\"incident\": 1, \"role\": \"commander\"}"), 0);
	assert_string_equal(json_get_str(out, "person"), "bob");
	json_free(out);
	/* everything about it */
	assert_int_equal(run_op(&out, "bob", "incident.show", "{\"incident\": \"INC-1\"}"), 0);
	assert_int_equal(json_get_int(out, "id"), id);
	assert_int_equal(json_size(json_get(out, "roles")), 2);
	json_free(out);
	assert_int_equal(run_op(&out, "bob", "incident.show", "{\"incident\": 5}"), SR_ENOTFOUND);
	assert_int_equal(run_op(&out, "bob", "incident.show", "{}"), SR_EUSAGE);
	/* the timeline: opened, taken, released; after the first, two */
	assert_int_equal(run_op(&out, "bob", "timeline", "{\"incident\": \"INC-1\"}"), 0);
	assert_int_equal(json_size(out), 3);
	assert_string_equal(json_get_str(json_at(out, 1), "actor"), "bob");
	assert_string_equal(json_get_str(json_at(out, 1), "via"), "local:bob");
	int64_t first = json_get_int(json_at(out, 0), "id");
	json_free(out);
	char args[64];

	snprintf(args, sizeof(args), "{\"incident\": 1, \"after\": %lld}", (long long)first);
	assert_int_equal(run_op(&out, "bob", "timeline", args), 0);
	assert_int_equal(json_size(out), 2);
	json_free(out);
}

static void
test_ack_and_whoami(void **state)
{
	struct json *out = NULL;

	(void)state;
	assert_int_equal(run_op(&out, "alice", "whoami", NULL), 0);
	assert_string_equal(json_get_str(out, "person"), "alice");
	assert_string_equal(json_get_str(out, "name"), "Alice Ng");
	assert_string_equal(json_get_str(out, "via"), "local:alice");
	json_free(out);
	/* nothing paged: the domain refuses, the operation says so */
	assert_int_equal(run_op(&out, "alice", "ack", "{\"incident\": 1}"), SR_EREFUSED);
	assert_null(out);
}

static void
test_codes(void **state)
{
	(void)state;
	assert_int_equal(ops_exit_code(0), 0);
	assert_int_equal(ops_exit_code(SR_EUSAGE), 2);
	assert_int_equal(ops_exit_code(SR_EREFUSED), 1);
	assert_int_equal(ops_exit_code(SR_ENOTFOUND), 1);
	assert_int_equal(ops_exit_code(SR_ESYS), 3);
	assert_int_equal(ops_http_status(SR_EUSAGE), 400);
	assert_int_equal(ops_http_status(SR_EREFUSED), 409);
	assert_int_equal(ops_http_status(SR_ENOTFOUND), 404);
	assert_int_equal(ops_http_status(SR_EINVALID), 422);
	assert_int_equal(ops_http_status(SR_ESYS), 500);
	assert_string_equal(ops_problem_kind(SR_ENOTFOUND), "not-found");
	assert_string_equal(ops_problem_kind(SR_ESYS), "system");
	/* every operation has a scope and a summary */
	size_t n;
	const struct ops_op *t = ops_table(&n);

	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].scope);
		assert_non_null(t[i].summary);
		assert_ptr_equal(ops_find(t[i].name), &t[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_take_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_and_whoami, setup, teardown),
		cmocka_unit_test(test_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
