/* cmd-incident.c: the commands of an incident's life: open, list, show,
 * status, sev, component, resolve, reopen and close. The rules are
 * incident.c's; this file parses arguments and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
#include "sitrep/playbook.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-outbox.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

/* The options of these commands; each command takes some of them. */
static const struct cli_option incident_options[] = {
	{ "message", 'm', true, NULL },
	{ "sev", 0, true, NULL },
	{ "title", 0, true, NULL },
	{ "component", 0, true, NULL },
	{ "at", 0, true, NULL },
	{ "all", 0, false, NULL },
	{ "force", 'f', false, NULL },
	{ "var", 0, true, cli_vars_check },
	{ "public-title", 0, true, NULL },
	{ NULL, 0, false, NULL }
};

static int print_incident(struct cli *cli, struct incident_ctx *ctx, int64_t id);

/* The command's exit after an incident operation: "INC-n is <what>", or
 * with --json the incident as it is now. */
static int
done(struct cli *cli, struct incident_ctx *ctx, int rc, const char *what, int64_t id)
{
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json)
		return print_incident(cli, ctx, id);
	printf("INC-%lld is %s\n", (long long)id, what);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ open */

static int open_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_open_entry = {
	.name = "open",
	.usage = "PLAYBOOK --title T [--public-title T] [--var NAME=VALUE]... [--sev SEVn] "
	"[--component C]... [--at REV] [--json]",
	.summary = "open an incident from a playbook, pinned to the commit it was read from",
	.options = incident_options,
	.takes = "sev title component at var public-title",
	.exec = open_exec,
};

static int
open_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_open_req req = { 0 };
	struct incident_ctx ctx;
	struct cli_vars vars;
	const char *sevname = cli_args_get(args, "sev");
	char sha[41], **components;
	int64_t id;
	int rc, sev = 0;

	if (args->argc != 1)
		return cli_usage_error(&cmd_open_entry, args->argc == 0 ?
				       "name the playbook to open the incident from" :
				       "too many arguments");
	if ((req.title = cli_args_get(args, "title")) == NULL)
		return cli_usage_error(&cmd_open_entry, "an incident needs a title: --title \"what is broken\"");
	if (sevname != NULL && (sev = vocab_severity(sevname)) == 0)
		return cli_usage_error(&cmd_open_entry, "severity '%s' is not one of SEV1, SEV2, SEV3, SEV4", sevname);
	cli_vars_from(&vars, &cmd_open_entry, args);
	req.playbook = args->argv[0];
	req.sha = sha;
	req.public_title = cli_args_get(args, "public-title");
	req.severity = sev;
	req.ncomponents = cli_args_all(&components, args, "component");
	req.components = components;
	req.vars = vars.v;
	req.nvars = vars.n;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = cli_resolve(cli, cli_args_get(args, "at"), sha)) != 0 ||
	    (rc = incident_open_with(&id, &ctx, &req)) != 0) {
		rc = cli_fail(rc);
		goto out;
	}
	if (cli->json) {
		rc = print_incident(cli, &ctx, id);
		goto out;
	}
	printf("INC-%lld opened from %s@%.7s\n", (long long)id, args->argv[0], sha);
	rc = EXIT_OK;
out:
	cli_vars_release(&vars);
	return rc;
}

/* ------------------------------------------------------------ list, show */

static void
format_age(char *out, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 3600)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

static int list_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "[--all] [--json]",
	.summary = "list open incidents (--all: closed ones too) with the flags that need attention",
	.options = incident_options,
	.takes = "all",
	.exec = list_exec,
};

/* The flags of one incident of incident.list, as the text list shows them. */
static void
list_flags(char *flags, size_t len, const struct json *e)
{
	int64_t unfilled = json_get_int(e, "unfilled_roles"), overdue = json_get_int(e, "overdue_steps");
	int64_t unacked = json_get_int(e, "unacked_pages"), late = json_get_int(e, "overdue_updates");
	int64_t calls = json_get_int(e, "accounts_to_contact");
	struct buf b = BUF_INIT;

	if (unfilled)
		buf_addf(&b, "%lld-role%s-unfilled ", (long long)unfilled, unfilled == 1 ? "" : "s");
	if (overdue)
		buf_addf(&b, "%lld-step%s-overdue ", (long long)overdue, overdue == 1 ? "" : "s");
	if (unacked)
		buf_addf(&b, "%lld-page%s-unacked ", (long long)unacked, unacked == 1 ? "" : "s");
	if (late)
		buf_addf(&b, "%lld-update%s-overdue ", (long long)late, late == 1 ? "" : "s");
	if (json_as_bool(json_get(e, "apology_late")))
		buf_addf(&b, "apology-late ");
	else if (json_as_bool(json_get(e, "apology_owed")))
		buf_addf(&b, "apology-owed ");
	if (calls)
		buf_addf(&b, "%lld-account%s-to-call ", (long long)calls, calls == 1 ? "" : "s");
	snprintf(flags, len, "%s", buf_str(&b));
	buf_release(&b);
}

static int
list_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct json *req, *v = NULL;
	bool all = cli_args_has(args, "all");
	int64_t now = clock_now_ms();
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&cmd_list_entry, "unexpected argument '%s'", args->argv[0]);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	req = json_new_object();
	json_set_bool(req, "all", all);
	rc = ops_run(&v, "incident.list", &ctx, req);
	json_free(req);
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json) {
		cli_print_json(v);
		return EXIT_OK;
	}
	if (json_size(v) == 0)
		printf("no %sincidents\n", all ? "" : "open ");
	else
		printf("%-8s %-4s  %-13s %-7s %-12s %-36s %s\n", "ID", "SEV", "STATUS", "AGE",
		       "COMMANDER", "TITLE", "FLAGS");
	for (size_t i = 0; i < json_size(v); i++) {
		const struct json *e = json_at(v, i);
		const char *commander = json_get_str(e, "commander");
		const char *at = json_get_str(e, "opened_at");
		int64_t opened = now;
		char age[32], flags[256], secs[24];

		/* to the second: "2026-11-24T03:04:12.118Z" -> "…:12Z" */
		snprintf(secs, sizeof(secs), "%.19sZ", at != NULL ? at : "");
		if (clock_parse_time(&opened, secs, now) != 0)
			err_clear();
		format_age(age, sizeof(age), now - opened);
		list_flags(flags, sizeof(flags), e);
		printf("INC-%-4lld %-4s  %-13s %-7s %-12s %-36.36s %s\n",
		       (long long)json_get_int(e, "id"), json_get_str(e, "severity"),
		       json_get_str(e, "status"), age, commander != NULL ? commander : "-",
		       cli_line(cli, json_get_str(e, "title")), flags);
	}
	json_free(v);
	return EXIT_OK;
}

static void
iso(char *out, size_t len, int64_t ms)
{
	if (ms == 0)
		snprintf(out, len, "-");
	else
		clock_format_iso(out, len, ms);
}

static struct json *
roles_json(const struct playbook *pb, struct store_holder *h, size_t nh)
{
	struct json *jr = json_new_array();

	for (size_t r = 0; pb != NULL && r < pb->nroles; r++) {
		struct json *e = json_new_object(), *holders = json_new_array();

		for (size_t i = 0; i < nh; i++)
			if (strcmp(h[i].role, pb->roles[r].id) == 0) {
				struct json *hj = json_new_object();

				json_set_str(hj, "person", h[i].person);
				json_set_time(hj, "since", h[i].since);
				json_append(holders, hj);
			}
		json_set_str(e, "id", pb->roles[r].id);
		json_set_str(e, "title", pb->roles[r].title);
		json_set_bool(e, "required", pb->roles[r].required);
		json_set_int(e, "max", pb->roles[r].max);
		json_set(e, "holders", holders);
		json_append(jr, e);
	}
	return jr;
}

static struct json *
steps_json(const struct store_incident *inc, const struct playbook *pb,
	   struct store_step *st, size_t ns)
{
	struct json *js = json_new_array();
	char due[32];

	for (size_t k = 0; pb != NULL && k < pb->nsteps; k++) {
		const struct playbook_step *ps = &pb->steps[k];
		const char *state = "open";
		struct json *e;

		if (!incident_step_applies(ps, inc->severity))
			continue;
		for (size_t i = 0; i < ns; i++)
			if (strcmp(st[i].step, ps->id) == 0)
				state = st[i].state;
		iso(due, sizeof(due), inc->opened_at + ps->due * 1000);
		e = json_new_object();
		json_set_str(e, "id", ps->id);
		json_set_str(e, "title", ps->title);
		json_set_str(e, "role", ps->role);
		json_set_str(e, "due", due);
		json_set_bool(e, "required", ps->required);
		json_set_str(e, "state", state);
		json_append(js, e);
	}
	return js;
}

/* A page's notifications: contact, type, state and when. */
static struct json *
notifications_json(struct store *store, int64_t page_id)
{
	struct json *a = json_new_array();
	struct store_outbox *rows;
	size_t n;

	if (store_outbox_page_rows(&rows, &n, store, page_id) != 0) {
		cli_error("warning: %s", err_last());
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		struct json *e = json_new_object();
		bool waiting = strcmp(rows[i].state, "pending") == 0 ||
			       strcmp(rows[i].state, "retrying") == 0;

		json_set_int(e, "id", rows[i].id);
		json_set_str_or_null(e, "contact", rows[i].contact);
		json_set_str(e, "type", rows[i].type);
		json_set_str(e, "state", rows[i].state);
		json_set_time(e, "due_at", waiting ? rows[i].next_at : 0);
		json_set_time(e, "sent_at", rows[i].sent_at);
		json_set_str_or_null(e, "last_error", rows[i].last_error);
		json_append(a, e);
	}
	store_outbox_free(rows, n);
	return a;
}

/* Open pages of a resolved or closed incident (ended since, when it was
 * resolved) wake no one: none are listed. A page that will not escalate
 * (a swarm, the last tier, nobody answered) has no escalation time. */
static struct json *
pages_json(struct store *store, const struct store_incident *inc, const struct playbook *pb,
	   struct store_page *pages, size_t np)
{
	struct json *jp = json_new_array();

	for (size_t i = 0; i < np; i++) {
		char tier[16], pid[32];
		bool escalates;
		struct json *e;

		if (strcmp(pages[i].state, "open") != 0 || strcmp(inc->status, "resolved") == 0 ||
		    strcmp(inc->status, "closed") == 0)
			continue;
		escalates = pages[i].exhausted_at == 0 &&
			    escalate_will_escalate(pb, pages, np, pages[i].role);
		snprintf(tier, sizeof(tier), "L%d", pages[i].tier);
		snprintf(pid, sizeof(pid), "PG-%lld", (long long)pages[i].id);
		e = json_new_object();
		json_set_int(e, "id", pages[i].id);
		json_set_str(e, "page", pid);
		json_set_str(e, "role", pages[i].role);
		json_set_str(e, "tier", tier);
		json_set_str(e, "person", pages[i].person);
		json_set_str_or_null(e, "schedule", pages[i].schedule);
		json_set_time(e, "paged_at", pages[i].paged_at);
		json_set_time(e, "times_out_at", pages[i].timeout_at);
		json_set_time(e, "escalates_at", escalates ? pages[i].timeout_at : 0);
		json_set_str(e, "escalation", escalates ? "next tier" : pb == NULL ? "unknown" :
			     pages[i].exhausted_at != 0 ? "none: nobody acknowledged at the last "
			     "tier, the commander was told" :
			     pb->escalation.mode != PLAYBOOK_TIERED ? "none: swarm" :
			     "none: last tier");
		json_set_time(e, "exhausted_at", pages[i].exhausted_at);
		json_set_bool(e, "acknowledged", false);
		json_set(e, "notifications", notifications_json(store, pages[i].id));
		json_append(jp, e);
	}
	return jp;
}

static struct json *
incident_json(struct store *store, const struct store_incident *inc, const struct playbook *pb,
	      struct store_component *comps, size_t ncomps, struct store_holder *h, size_t nh,
	      struct store_step *st, size_t ns, struct store_page *pages, size_t np)
{
	struct json *o = json_new_object(), *jc = json_new_array();
	char t[2][32];

	iso(t[0], sizeof(t[0]), inc->opened_at);
	iso(t[1], sizeof(t[1]), inc->updated_at);
	for (size_t i = 0; i < ncomps; i++) {
		struct json *e = json_new_object();

		json_set_str(e, "id", comps[i].component);
		json_set_str(e, "status", comps[i].status);
		json_append(jc, e);
	}
	json_set_int(o, "id", inc->id);
	json_set(o, "title", json_new_text(inc->title));
	json_set(o, "public_title", json_new_text(inc->public_title));
	json_set_str(o, "playbook", inc->playbook);
	json_set_str(o, "commit", inc->commit);
	json_set_str(o, "severity", vocab_severity_name(inc->severity));
	json_set_str(o, "status", inc->status);
	json_set_str(o, "opened_by", inc->opened_by);
	json_set_str(o, "opened_at", t[0]);
	json_set_str(o, "updated_at", t[1]);
	json_set_time(o, "resolved_at", inc->resolved_at);
	json_set_time(o, "closed_at", inc->closed_at);
	json_set(o, "components", jc);
	json_set(o, "roles", roles_json(pb, h, nh));
	json_set(o, "steps", steps_json(inc, pb, st, ns));
	json_set(o, "open_pages", pages_json(store, inc, pb, pages, np));
	return o;
}

static struct json *
audience_json(const struct comms_audience *a, bool active, int64_t now)
{
	static const char *const promise_states[] = { "pending", "kept", "broken" };
	struct json *e = json_new_object(), *promises = json_new_array();
	bool overdue = active && ((a->next_at != 0 && now > a->next_at) ||
		       (a->last_at == 0 && a->first_due != 0 && now > a->first_due));

	for (size_t k = 0; k < a->npromises; k++) {
		struct json *p = json_new_object();

		json_set_int(p, "update", a->promises[k].update_id);
		json_set_time(p, "promised_at", a->promises[k].promised_at);
		json_set_str(p, "state", promise_states[a->promises[k].state]);
		json_set(p, "kept_by", json_new_int_or_null(a->promises[k].kept_by));
		json_append(promises, p);
	}
	json_set_str(e, "audience", a->audience);
	json_set(e, "last_update", json_new_int_or_null(a->last_update_id));
	json_set_time(e, "last_at", a->last_at);
	json_set_time(e, "next_update_by", a->next_at);
	json_set_time(e, "first_update_by", a->last_at == 0 ? a->first_due : 0);
	json_set_bool(e, "overdue", overdue);
	json_set(e, "promises", promises);
	return e;
}

static struct json *
apology_json(const struct comms_apology *ap, const struct store_incident *inc, int64_t now)
{
	/* a closed incident owes nothing more */
	const char *state = ap->sent_at ? (ap->sent_at > ap->due_at ? "sent_late" : "sent")
			    : strcmp(inc->status, "closed") == 0 ? "not_owed"
			    : now > ap->due_at ? "late" : "owed";
	struct json *e = json_new_object();

	json_set_str(e, "audience", ap->audience);
	json_set_time(e, "due_at", ap->due_at);
	json_set_str(e, "state", state);
	json_set(e, "update", json_new_int_or_null(ap->update_id));
	json_set_time(e, "sent_at", ap->sent_at);
	json_set(e, "after_open_ms", ap->sent_at ? json_new_int(ap->sent_at - inc->opened_at) :
		 json_new_null());
	return e;
}

/* Where the incident stands with each audience, its apologies and the
 * priority accounts to call. */
static struct json *
comms_json(struct incident_ctx *ctx, const struct comms_summary *cs,
	   const struct store_incident *inc, int64_t now)
{
	struct json *o = json_new_object(), *ja = json_new_array(), *jp = json_new_array(),
		    *jc = json_new_array();
	bool active = strcmp(inc->status, "closed") != 0 && strcmp(inc->status, "resolved") != 0;

	for (size_t i = 0; i < cs->naudiences; i++)
		json_append(ja, audience_json(&cs->audiences[i], active, now));
	for (size_t i = 0; i < cs->napologies; i++)
		json_append(jp, apology_json(&cs->apologies[i], inc, now));
	for (size_t i = 0; i < cs->nto_contact; i++) {
		const struct conf_account *acc = conf_account(ctx->conf, cs->to_contact[i]);
		struct json *e = json_new_object();

		json_set_str(e, "id", cs->to_contact[i]);
		json_set_str(e, "name", acc ? acc->name : cs->to_contact[i]);
		json_append(jc, e);
	}
	json_set(o, "audiences", ja);
	json_set(o, "apologies", jp);
	json_set(o, "to_contact", jc);
	return o;
}

/* "14:05 UTC", or with its date when it is not today's, from an ISO time. */
static const char *
hhmm(const struct json *v, char *buf, size_t len)
{
	const char *s = json_as_str(v);
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(buf, len, "-");
		return buf;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	clock_format_when(buf, len, (int64_t)t * 1000, clock_now_ms());
	return buf;
}

static void
print_comms(const struct json *c)
{
	const struct json *e;
	size_t i;
	char t1[CLOCK_WHEN_MAX], t2[CLOCK_WHEN_MAX];

	if (c == NULL)
		return;
	printf("\nCommunications\n");
	for (i = 0; (e = json_at(json_get(c, "audiences"), i)) != NULL; i++) {
		const struct json *p;
		size_t k, kept = 0, broken = 0;

		for (k = 0; (p = json_at(json_get(e, "promises"), k)) != NULL; k++) {
			kept += strcmp(json_as_str(json_get(p, "state")), "kept") == 0;
			broken += strcmp(json_as_str(json_get(p, "state")), "broken") == 0;
		}
		printf("  %-12s ", json_as_str(json_get(e, "audience")));
		if (json_kind(json_get(e, "last_update")) == JSON_KIND_NULL) {
			const struct json *first = json_get(e, "first_update_by");
			bool none = json_kind(first) == JSON_KIND_NULL;

			printf("no update yet%s%s", none ? "" : ", first due by ",
			       none ? "" : hhmm(first, t1, sizeof(t1)));
		} else
			printf("last UPD-%lld at %s, next promised by %s",
			       (long long)json_as_int(json_get(e, "last_update")),
			       hhmm(json_get(e, "last_at"), t1, sizeof(t1)),
			       json_kind(json_get(e, "next_update_by")) == JSON_KIND_NULL ? "-" :
			       hhmm(json_get(e, "next_update_by"), t2, sizeof(t2)));
		if (json_as_bool(json_get(e, "overdue")))
			printf(" OVERDUE");
		if (kept + broken > 0)
			printf("; promises kept %zu, broken %zu", kept, broken);
		putchar('\n');
	}
	for (i = 0; (e = json_at(json_get(c, "apologies"), i)) != NULL; i++) {
		const char *state = json_as_str(json_get(e, "state"));

		printf("  apology to %s: ", json_as_str(json_get(e, "audience")));
		if (strncmp(state, "sent", 4) == 0) {
			int64_t ms = json_as_int(json_get(e, "after_open_ms"));

			printf("sent UPD-%lld at %s, %lldh %02lldm after the incident opened%s\n",
			       (long long)json_as_int(json_get(e, "update")),
			       hhmm(json_get(e, "sent_at"), t1, sizeof(t1)),
			       (long long)(ms / 3600000), (long long)(ms / 60000 % 60),
			       strcmp(state, "sent_late") == 0 ? " (LATE)" : "");
		} else if (strcmp(state, "not_owed") == 0)
			printf("none sent, and none owed: the incident is closed\n");
		else
			printf("%s, due by %s%s\n", strcmp(state, "late") == 0 ? "OWED AND LATE" :
			       "owed", json_as_str(json_get(e, "due_at")),
			       strcmp(state, "late") == 0 ? "" : " ('sitrep apologize')");
	}
	for (i = 0; (e = json_at(json_get(c, "to_contact"), i)) != NULL; i++)
		printf("  to contact:  %s (%s), a priority account using affected components: "
		       "log the call with 'sitrep contact'\n",
		       json_as_str(json_get(e, "id")),
		       json_as_str(json_get(e, "name")));
}

/* "none: swarm" -> "swarm"; "unknown" (the playbook cannot be read) as is. */
static const char *
escalation_words(const char *escalation)
{
	if (escalation == NULL)
		return "unknown";
	return strncmp(escalation, "none: ", 6) == 0 ? escalation + 6 : escalation;
}

/* Under a page: its id and how each notification went. */
static void
print_notifications(struct cli *cli, const struct json *page)
{
	const struct json *n;
	size_t k;

	printf("    %s:", json_as_str(json_get(page, "page")));
	if (json_size(json_get(page, "notifications")) == 0)
		printf(" no notification (no contact rule applies)");
	for (k = 0; (n = json_at(json_get(page, "notifications"), k)) != NULL; k++) {
		const char *state = json_as_str(json_get(n, "state"));
		const char *contact = json_as_str(json_get(n, "contact"));
		const char *slash = contact != NULL ? strchr(contact, '/') : NULL;

		printf("%s %s (%s) ", k ? "," : "", slash ? cli_line(cli, slash + 1) : "-",
		       json_as_str(json_get(n, "type")));
		if (strcmp(state, "pending") == 0 || strcmp(state, "retrying") == 0)
			printf("%s %s", strcmp(state, "pending") == 0 ? "due" : "retrying",
			       json_as_str(json_get(n, "due_at")));
		else if (strcmp(state, "sent") == 0)
			printf("sent %s", json_as_str(json_get(n, "sent_at")));
		else if (strcmp(state, "dead") == 0)
			printf("dead: %s", json_as_str(json_get(n, "last_error")) ?
			       cli_line(cli, json_as_str(json_get(n, "last_error"))) : "?");
		else
			printf("%s", state);
	}
	putchar('\n');
}

static void
print_human(struct cli *cli, const struct json *o, const struct store_incident *inc,
	    bool pinned_ok)
{
	size_t i;
	const struct json *e;
	int64_t now = clock_now_ms();

	printf("INC-%lld  %s\n", (long long)inc->id, cli_line(cli, inc->title));
	printf("  public     %s\n", cli_line(cli, inc->public_title));
	printf("  playbook   %s@%.7s%s\n", inc->playbook, inc->commit,
	       pinned_ok ? "" : " (cannot be read: see 'sitrep playbook show')");
	printf("  severity   %s (%s)\n", vocab_severity_name(inc->severity),
	       vocab_severity_impact(inc->severity));
	printf("  status     %s\n", inc->status);
	printf("  opened     %s by %s\n", json_as_str(json_get(o, "opened_at")),
	       inc->opened_by);
	if (inc->resolved_at)
		printf("  resolved   %s\n", json_as_str(json_get(o, "resolved_at")));
	if (inc->closed_at)
		printf("  closed     %s\n", json_as_str(json_get(o, "closed_at")));
	if (json_size(json_get(o, "variables")) > 0)
		printf("\nVariables (sitrep set INC-%lld NAME VALUE)\n", (long long)inc->id);
	for (i = 0; (e = json_at(json_get(o, "variables"), i)) != NULL; i++) {
		const char *v = json_as_str(json_get(e, "value"));

		printf("  %-16s %s\n", json_as_str(json_get(e, "name")),
		       v != NULL ? v : json_as_bool(json_get(e, "required")) ?
		       "EMPTY (required)" : "-");
	}
	printf("\nComponents\n");
	for (i = 0; (e = json_at(json_get(o, "components"), i)) != NULL; i++)
		printf("  %-12s %s\n", json_as_str(json_get(e, "id")),
		       json_as_str(json_get(e, "status")));
	if (json_size(json_get(o, "components")) == 0)
		printf("  (none)\n");
	printf("\nRoles\n");
	for (i = 0; (e = json_at(json_get(o, "roles"), i)) != NULL; i++) {
		const struct json *holders = json_get(e, "holders"), *hh;
		size_t k;

		printf("  %-12s ", json_as_str(json_get(e, "id")));
		if (json_size(holders) == 0)
			printf("%s", json_as_bool(json_get(e, "required")) ?
			       "UNFILLED (required)" : "-");
		for (k = 0; (hh = json_at(holders, k)) != NULL; k++)
			printf("%s%s since %s", k ? ", " : "",
			       json_as_str(json_get(hh, "person")),
			       json_as_str(json_get(hh, "since")));
		putchar('\n');
	}
	if (json_size(json_get(o, "open_pages")) > 0)
		printf("\nOpen pages (not acknowledged)\n");
	for (i = 0; (e = json_at(json_get(o, "open_pages"), i)) != NULL; i++) {
		printf("  %-12s %-3s %-10s paged %s, %s %s\n",
		       json_as_str(json_get(e, "role")),
		       json_as_str(json_get(e, "tier")),
		       json_as_str(json_get(e, "person")),
		       json_as_str(json_get(e, "paged_at")),
		       json_kind(json_get(e, "escalates_at")) == JSON_KIND_NULL ?
		       "no escalation:" : "escalates",
		       json_kind(json_get(e, "escalates_at")) == JSON_KIND_NULL ?
		       escalation_words(json_as_str(json_get(e, "escalation"))) :
		       json_as_str(json_get(e, "escalates_at")));
		print_notifications(cli, e);
	}
	printf("\nSteps\n");
	for (i = 0; (e = json_at(json_get(o, "steps"), i)) != NULL; i++) {
		const char *state = json_as_str(json_get(e, "state"));
		const char *due = json_as_str(json_get(e, "due"));
		bool overdue = strcmp(state, "open") == 0 && strcmp(inc->status, "closed") != 0 &&
			       strcmp(due, "") != 0;
		char nowiso[32];

		clock_format_iso(nowiso, sizeof(nowiso), now);
		overdue = overdue && strcmp(due, nowiso) < 0;
		printf("  %-16s %-8s due %s  %-10s %s%s%s\n",
		       json_as_str(json_get(e, "id")), state, due,
		       json_as_str(json_get(e, "role")),
		       json_as_str(json_get(e, "title")),
		       json_as_bool(json_get(e, "required")) ? " [required]" : "",
		       overdue ? " OVERDUE" : "");
	}
	print_comms(json_get(o, "communications"));
}

/* The playbook's declared variables with their values (null while
 * empty), and any set that it no longer declares. */
static struct json *
vars_json(struct incident_ctx *ctx, const struct store_incident *inc,
	  const struct playbook *pb)
{
	struct store_var *sv = NULL;
	size_t nsv = 0;
	struct json *a = json_new_array();

	if (store_vars_get(&sv, &nsv, ctx->store, inc->id) != 0)
		cli_error("warning: %s", err_last());
	for (size_t i = 0; pb != NULL && i < pb->nvariables; i++) {
		const struct playbook_variable *pv = &pb->variables[i];
		const struct store_var *v = NULL;
		struct json *e = json_new_object();

		for (size_t k = 0; k < nsv; k++)
			if (strcmp(sv[k].name, pv->name) == 0)
				v = &sv[k];
		json_set_str(e, "name", pv->name);
		json_set_str(e, "description", pv->description);
		json_set_bool(e, "required", pv->required);
		json_set_str_or_null(e, "value", v ? v->value : NULL);
		json_set_str_or_null(e, "set_by", v ? v->set_by : NULL);
		json_append(a, e);
	}
	store_vars_free(sv, nsv);
	return a;
}

static int
print_incident(struct cli *cli, struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	struct store_component *comps = NULL;
	struct store_holder *h = NULL;
	struct store_step *st = NULL;
	struct store_page *pages = NULL;
	size_t ncomps = 0, nh = 0, ns = 0, np = 0;
	struct json *o;
	int rc;

	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return cli_fail(rc);
	if (incident_playbook(&pb, ctx, &inc) != 0)
		cli_error("warning: %s", err_last());
	if ((rc = store_components_get(&comps, &ncomps, ctx->store, id)) == 0 &&
	    (rc = store_holders_get(&h, &nh, ctx->store, id, NULL)) == 0 &&
	    (rc = store_steps_get(&st, &ns, ctx->store, id)) == 0 &&
	    (rc = store_pages_get(&pages, &np, ctx->store, id, false)) == 0) {
		o = incident_json(ctx->store, &inc, pb, comps, ncomps, h, nh, st, ns, pages, np);
		json_set(o, "variables", vars_json(ctx, &inc, pb));
		if (pb != NULL) {
			struct comms_summary cs;
			int64_t now = clock_now_ms();

			if ((rc = comms_summarize(&cs, ctx, &inc, pb, now)) == 0) {
				json_set(o, "communications",
						    comms_json(ctx, &cs, &inc, now));
				comms_summary_release(&cs);
			}
		}
		if (cli->json)
			cli_print_json(o);
		else {
			print_human(cli, o, &inc, pb != NULL);
			json_free(o);
		}
	}
	store_components_free(comps, ncomps);
	store_holders_free(h, nh);
	store_steps_free(st, ns);
	store_pages_free(pages, np);
	playbook_free(pb);
	store_incident_release(&inc);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static int show_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "INC [--json]",
	.summary = "show everything about an incident: playbook, severity, status, components, roles, steps",
	.options = incident_options,
	.takes = "",
	.exec = show_exec,
};

static int
show_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if (args->argc != 1)
		return cli_usage_error(&cmd_show_entry, "name one incident, like INC-7");
	if ((rc = cli_incident_id(&id, &cmd_show_entry, args->argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	return print_incident(cli, &ctx, id);
}

/* ------------------------------------------- status, sev, component, ... */

/* "INC" plus nargs more positional arguments for a change command. */
static int
change_args(int64_t *id, struct incident_ctx *ctx, struct cli *cli, const struct cmd_entry *cmd,
	    const struct cli_args *args, int nargs)
{
	int rc;

	if ((rc = cli_args_count(args, cmd, 1 + nargs)) >= 0)
		return rc;
	if ((rc = cli_incident_id(id, cmd, args->argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(ctx, cli)) != 0)
		return cli_fail(rc);
	return -1;
}

static int status_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "INC STATUS [-m NOTE]",
	.summary = "move an incident to investigating, identified, monitoring, resolved or closed",
	.options = incident_options,
	.takes = "message",
	.exec = status_exec,
};

static int
status_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_status_entry, args, 1)) >= 0)
		return rc;
	return done(cli, &ctx, incident_set_status(&ctx, id, args->argv[1],
		    cli_args_get(args, "message")), args->argv[1], id);
}

static int sev_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_sev_entry = {
	.name = "sev",
	.usage = "INC SEVn",
	.summary = "change an incident's severity (the commander's call)",
	.options = incident_options,
	.takes = "",
	.exec = sev_exec,
};

static int
sev_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc, sev;

	if ((rc = change_args(&id, &ctx, cli, &cmd_sev_entry, args, 1)) >= 0)
		return rc;
	if ((sev = vocab_severity(args->argv[1])) == 0)
		return cli_usage_error(&cmd_sev_entry, "severity '%s' is not one of SEV1, SEV2, SEV3, SEV4",
				       args->argv[1]);
	return done(cli, &ctx, incident_set_severity(&ctx, id, sev), vocab_severity_name(sev), id);
}

static int set_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.usage = "INC NAME VALUE",
	.summary = "fill a template variable the playbook declares, or the public title (public_title)",
	.options = incident_options,
	.takes = "",
	.exec = set_exec,
};

static int
set_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct incident_var v;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_set_entry, args, 2)) >= 0)
		return rc;
	v.name = args->argv[1];
	v.value = args->argv[2];
	rc = incident_set_vars(&ctx, id, &v, 1);
	if (rc != 0 || cli->json)
		return done(cli, &ctx, rc, "", id);
	printf("INC-%lld: %s set\n", (long long)id, v.name);
	return EXIT_OK;
}

static int component_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_component_entry = {
	.name = "component",
	.usage = "INC COMPONENT STATUS",
	.summary = "set a component's status during an incident (operational ... major_outage)",
	.options = incident_options,
	.takes = "",
	.exec = component_exec,
};

static int
component_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_component_entry, args, 2)) >= 0)
		return rc;
	rc = incident_set_component(&ctx, id, args->argv[1], args->argv[2]);
	if (rc != 0 || cli->json)
		return done(cli, &ctx, rc, "", id);
	printf("INC-%lld: %s is %s\n", (long long)id, args->argv[1], args->argv[2]);
	return EXIT_OK;
}

static int resolve_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = "INC [-m NOTE]",
	.summary = "mark an incident resolved (the commander's call)",
	.options = incident_options,
	.takes = "message",
	.exec = resolve_exec,
};

static int
resolve_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_resolve_entry, args, 0)) >= 0)
		return rc;
	return done(cli, &ctx, incident_resolve(&ctx, id, cli_args_get(args, "message")),
		    "resolved", id);
}

static int reopen_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_reopen_entry = {
	.name = "reopen",
	.usage = "INC [-m NOTE]",
	.summary = "reopen a resolved incident (back to investigating)",
	.options = incident_options,
	.takes = "message",
	.exec = reopen_exec,
};

static int
reopen_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_reopen_entry, args, 0)) >= 0)
		return rc;
	return done(cli, &ctx, incident_reopen(&ctx, id, cli_args_get(args, "message")),
		    "investigating again", id);
}

static int close_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_close_entry = {
	.name = "close",
	.usage = "INC [--force -m REASON]",
	.summary = "close a resolved incident once its review is done",
	.options = incident_options,
	.takes = "message force",
	.exec = close_exec,
};

static int
close_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc;

	if ((rc = change_args(&id, &ctx, cli, &cmd_close_entry, args, 0)) >= 0)
		return rc;
	return done(cli, &ctx, incident_close(&ctx, id, cli_args_has(args, "force"),
		    cli_args_get(args, "message")), "closed", id);
}
