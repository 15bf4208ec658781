/* cmd-timeline.c: `sitrep timeline INC [--verify]`: an incident's events in
 * order, for a human or as JSON, and a check of their hash chain. Hashing
 * is timeline.c's job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/store.h"
#include "sitrep/timeline.h"

static int timeline_exec(struct cli *, int, char **);
const struct cmd_entry cmd_timeline_entry = {
	"timeline", "INC [--account ACCOUNT] [--verify] [--json]",
	"an incident's events in order (--account: one customer's story); --verify "
	"checks that none was altered",
	timeline_exec,
};

/* One line a human reads: what happened, from the event's details. */
static void
describe(const struct store_event *e, json_t *d)
{
	const char *k = e->kind;

#define S(key) (json_string_value(json_object_get(d, key)) ? \
		json_string_value(json_object_get(d, key)) : "")
	if (strcmp(k, "opened") == 0)
		printf("opened '%s' from %s@%.7s at %s", S("title"), S("playbook"),
		       S("commit"), S("severity"));
	else if (strcmp(k, "status") == 0)
		printf("status %s -> %s", S("from"), S("to"));
	else if (strcmp(k, "severity") == 0)
		printf("severity %s -> %s", S("from"), S("to"));
	else if (strcmp(k, "component") == 0)
		printf("component %s is %s", S("component"), S("status"));
	else if (strcmp(k, "variables") == 0) {
		const char *name;
		json_t *v;
		int n = 0;

		printf("set");
		json_object_foreach(json_object_get(d, "set"), name, v)
			printf("%s %s = '%s'", n++ ? "," : "", name, json_string_value(v));
	}
	else if (strcmp(k, "resolved") == 0)
		printf("resolved (was %s)", S("from"));
	else if (strcmp(k, "reopened") == 0)
		printf("reopened");
	else if (strcmp(k, "role_taken") == 0)
		printf("took the role %s", S("role"));
	else if (strcmp(k, "role_assigned") == 0)
		printf("assigned the role %s to %s", S("role"), S("person"));
	else if (strcmp(k, "role_released") == 0)
		printf("released %s from the role %s", S("person"), S("role"));
	else if (strcmp(k, "role_handoff") == 0)
		printf("handed the role %s from %s to %s", S("role"), S("from"), S("to"));
	else if (strcmp(k, "step_done") == 0)
		printf("step %s done", S("step"));
	else if (strcmp(k, "step_skipped") == 0)
		printf("step %s skipped", S("step"));
	else if (strcmp(k, "paged") == 0 || strcmp(k, "escalated") == 0) {
		json_t *p;
		size_t i;

		printf("%s %s (%s):", strcmp(k, "paged") == 0 ? "paged" : "escalated",
		       S("role"), S("mode"));
		json_array_foreach(json_object_get(d, "people"), i, p)
			printf(" %s@%s", json_string_value(json_object_get(p, "person")),
			       json_string_value(json_object_get(p, "tier")));
	} else if (strcmp(k, "acknowledged") == 0)
		printf("acknowledged the page");
	else if (strcmp(k, "update_published") == 0 || strcmp(k, "apology_published") == 0) {
		json_t *st = json_object_get(d, "status");
		json_int_t after = json_integer_value(json_object_get(d, "after_open_ms"));

		printf("published %s UPD-%lld to %s%s%s: %lld message%s queued",
		       k[0] == 'a' ? "apology" : "update",
		       (long long)json_integer_value(json_object_get(d, "update")), S("audience"),
		       json_object_get(d, "account") ? ", account " : "",
		       json_object_get(d, "account") ? S("account") : "",
		       (long long)json_integer_value(json_object_get(d, "queued")),
		       json_integer_value(json_object_get(d, "queued")) == 1 ? "" : "s");
		if (k[0] == 'a')
			printf(", %lldh %02lldm after the incident opened",
			       (long long)(after / 3600000), (long long)(after / 60000 % 60));
		if (st != NULL)
			printf(" (status %s -> %s)",
			       json_string_value(json_object_get(st, "from")),
			       json_string_value(json_object_get(st, "to")));
	} else if (strcmp(k, "update_drafted") == 0 || strcmp(k, "apology_drafted") == 0)
		printf("drafted %s UPD-%lld to %s, %s", k[0] == 'a' ? "apology" : "update",
		       (long long)json_integer_value(json_object_get(d, "update")), S("audience"),
		       json_is_true(json_object_get(d, "approval")) || !json_object_get(d,
		       "publish_at") ? "waiting for approval" : "scheduled");
	else if (strcmp(k, "update_approved") == 0 || strcmp(k, "apology_approved") == 0)
		printf("approved UPD-%lld by %s to %s",
		       (long long)json_integer_value(json_object_get(d, "update")), S("author"),
		       S("audience"));
	else if (strcmp(k, "update_withdrawn") == 0 || strcmp(k, "apology_withdrawn") == 0)
		printf("withdrew UPD-%lld to %s",
		       (long long)json_integer_value(json_object_get(d, "update")), S("audience"));
	else if (strcmp(k, "reminder") == 0)
		printf("reminded (%s): %s", S("reminder"), S("text"));
	else if (strcmp(k, "touchpoint") == 0)
		printf("contacted %s by %s: %s", S("account"), S("via"), S("summary"));
	else if (strcmp(k, "closed") == 0)
		printf("closed%s", json_is_true(json_object_get(d, "forced")) ?
		       " with required steps open" : "");
	else
		printf("%s %s", k, e->details);
	if (json_object_get(d, "note") != NULL && json_is_string(json_object_get(d, "note")))
		printf(": %s", S("note"));
	if (json_object_get(d, "reason") != NULL && json_is_string(json_object_get(d, "reason")))
		printf(": %s", S("reason"));
#undef S
}

/*
 * Whether an event is part of one customer account's story: what was
 * published to customers (to everyone, or to that account alone) and the
 * touchpoints with it.
 */
static bool
about_account(const struct store_event *e, json_t *d, const char *account)
{
	const char *a = json_string_value(json_object_get(d, "account"));
	const char *aud = json_string_value(json_object_get(d, "audience"));

	if (strcmp(e->kind, "touchpoint") == 0)
		return a != NULL && strcmp(a, account) == 0;
	if (strcmp(e->kind, "update_published") != 0 && strcmp(e->kind, "apology_published") != 0)
		return false;
	return aud != NULL && strcmp(aud, "customers") == 0 && (a == NULL || strcmp(a, account) == 0);
}

static int
timeline_exec(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "verify", no_argument, NULL, 'v' },
		{ "account", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct incident_ctx ctx;
	struct store_incident inc;
	struct store_event *v = NULL;
	size_t n = 0;
	bool verify = false;
	const char *account = NULL;
	long bad;
	int opt, rc;
	int64_t id;

	optind = 0;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == 'v')
			verify = true;
		else if (opt == 'a')
			account = optarg;
		else if ((rc = cli_common_opt(cli, &cmd_timeline_entry, opt)) >= 0)
			return rc;
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cmd_timeline_entry, "name one incident, like INC-7");
	if ((rc = cli_incident_id(&id, &cmd_timeline_entry, argv[optind])) != 0)
		return rc;
	if (account != NULL && verify)
		return cli_usage_error(&cmd_timeline_entry, "--verify checks the whole timeline: "
				       "drop --account");
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = store_incident_get(&inc, ctx.store, id)) != 0)
		return cli_fail(rc);
	store_incident_release(&inc);
	if (account != NULL && conf_account(ctx.conf, account) == NULL)
		return cli_fail(err_set(SR_EUSAGE, "no account '%s' in %s", account,
					ctx.conf->path));
	if ((rc = store_events_get(&v, &n, ctx.store, id)) != 0)
		return cli_fail(rc);
	bad = timeline_verify(v, n);
	if (verify) {
		if (bad < 0 && !cli->json)
			printf("INC-%lld: %zu events, the hash chain verifies\n", (long long)id, n);
		else if (bad >= 0)
			cli_error("INC-%lld: event %lld (number %ld of %zu) does not match its "
				  "hash: the timeline was altered there", (long long)id,
				  (long long)v[bad].id, bad + 1, n);
		if (cli->json)
			cli_print_json(json_pack("{s:I, s:I, s:b, s:o}", "incident", (json_int_t)id,
				"events", (json_int_t)n, "verified", bad < 0,
				"first_bad_event", bad < 0 ? json_null() : json_integer(v[bad].id)));
		store_events_free(v, n);
		return bad < 0 ? EXIT_OK : EXIT_REFUSED;
	}
	json_t *arr = cli->json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_loads(v[i].details, 0, NULL);
		char when[32];

		if (account != NULL && !about_account(&v[i], d, account)) {
			json_decref(d);
			continue;
		}
		clock_format_iso(when, sizeof(when), v[i].at);
		if (cli->json) {
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}",
				"id", (json_int_t)v[i].id, "at", when, "actor", v[i].actor,
				"kind", v[i].kind, "details", d ? d : json_object(),
				"hash", v[i].hash));
			continue;
		}
		printf("%s  %-10s ", when, v[i].actor);
		describe(&v[i], d);
		putchar('\n');
		json_decref(d);
	}
	if (cli->json)
		cli_print_json(arr);
	if (bad >= 0)
		cli_error("warning: the timeline was altered at event %lld: run "
			  "'sitrep timeline INC-%lld --verify'", (long long)v[bad].id, (long long)id);
	store_events_free(v, n);
	return EXIT_OK;
}
