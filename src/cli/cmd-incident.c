/* cmd-incident.c: the commands of an incident's life: open, list, show,
 * status, sev, component, resolve, reopen and close. The rules are
 * incident.c's; this file parses arguments and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sitrep/json.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/playbook.h"
#include "sitrep/store-incident.h"
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

static bool
step_applies(const struct playbook_step *st, int severity)
{
	return st->min_severity == 0 || severity <= st->min_severity;
}

/* What an incident commander must see at a glance about one incident. */
struct flags {
	char *commander;        /* NULL when no one holds the role */
	size_t unfilled;        /* required roles no one holds */
	size_t overdue;         /* applicable steps past due, not done */
	size_t unacked;         /* pages not acknowledged */
	size_t apology_owed;    /* apologies owed, not sent, not yet late */
	size_t apology_late;    /* apologies owed past the policy's window */
	size_t updates_overdue; /* audiences whose promised update is late */
	size_t to_contact;      /* priority accounts not yet contacted */
};

/* What the flags say about an incident's audiences and apologies. */
static void
comms_flags(struct flags *f, const struct comms_summary *cs, const struct store_incident *inc,
	    int64_t now)
{
	bool active = strcmp(inc->status, "closed") != 0 && strcmp(inc->status, "resolved") != 0;

	for (size_t i = 0; i < cs->napologies; i++)
		if (cs->apologies[i].sent_at == 0 && strcmp(inc->status, "closed") != 0) {
			if (now > cs->apologies[i].due_at)
				f->apology_late++;
			else
				f->apology_owed++;
		}
	for (size_t i = 0; active && i < cs->naudiences; i++) {
		const struct comms_audience *a = &cs->audiences[i];

		if ((a->next_at != 0 && now > a->next_at) ||
		    (a->last_at == 0 && a->first_due != 0 && now > a->first_due))
			f->updates_overdue++;
	}
	f->to_contact = strcmp(inc->status, "closed") != 0 ? cs->nto_contact : 0;
}

static int
incident_flags(struct flags *f, struct incident_ctx *ctx, const struct store_incident *inc,
	       const struct playbook *pb)
{
	struct store_holder *h;
	struct store_step *st;
	size_t nh, ns;
	int64_t now = clock_now_ms();
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = store_holders_get(&h, &nh, ctx->store, inc->id, NULL)) != 0)
		return rc;
	if ((rc = store_steps_get(&st, &ns, ctx->store, inc->id)) != 0) {
		store_holders_free(h, nh);
		return rc;
	}
	struct store_page *pages;
	size_t np;

	if ((rc = store_pages_get(&pages, &np, ctx->store, inc->id, true)) != 0) {
		store_holders_free(h, nh);
		store_steps_free(st, ns);
		return rc;
	}
	f->unacked = strcmp(inc->status, "closed") == 0 || strcmp(inc->status, "resolved") == 0 ?
		     0 : np;
	store_pages_free(pages, np);
	for (size_t i = 0; i < nh; i++)
		if (f->commander == NULL && strcmp(h[i].role, "commander") == 0)
			f->commander = xstrdup(h[i].person);
	for (size_t r = 0; pb != NULL && r < pb->nroles; r++) {
		bool held = false;

		for (size_t i = 0; i < nh; i++)
			held |= strcmp(h[i].role, pb->roles[r].id) == 0;
		if (pb->roles[r].required && !held && strcmp(inc->status, "closed") != 0)
			f->unfilled++;
	}
	for (size_t k = 0; pb != NULL && k < pb->nsteps; k++) {
		bool finished = false;

		for (size_t i = 0; i < ns; i++)
			finished |= strcmp(st[i].step, pb->steps[k].id) == 0;
		if (!finished && step_applies(&pb->steps[k], inc->severity) &&
		    strcmp(inc->status, "closed") != 0 &&
		    inc->opened_at + pb->steps[k].due * 1000 < now)
			f->overdue++;
	}
	store_holders_free(h, nh);
	store_steps_free(st, ns);
	if (pb != NULL) {
		struct comms_summary cs;

		if ((rc = comms_summarize(&cs, ctx, inc, pb, now)) != 0)
			return rc;
		comms_flags(f, &cs, inc, now);
		comms_summary_release(&cs);
	}
	return 0;
}

/*
 * The pinned playbook of each incident, parsed once per (name, commit) for
 * the whole command: a list of many incidents opened from the same few
 * playbooks reads each only once.
 */
struct pbcache {
	struct { char *name; char commit[41]; struct playbook *pb; } *v;
	size_t n;
};

static const struct playbook *
pbcache_get(struct pbcache *c, struct incident_ctx *ctx, const struct store_incident *inc)
{
	struct playbook *pb = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, inc->playbook) == 0 &&
		    strcmp(c->v[i].commit, inc->commit) == 0)
			return c->v[i].pb;
	if (incident_playbook(&pb, ctx, inc) != 0)
		err_clear(); /* shown as unknown; `show` says why */
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].name = xstrdup(inc->playbook);
	memcpy(c->v[c->n].commit, inc->commit, 41);
	c->v[c->n].pb = pb;
	return c->v[c->n++].pb;
}

static void
pbcache_release(struct pbcache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		playbook_free(c->v[i].pb);
	}
	free(c->v);
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

static int
list_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct store_incident *v = NULL;
	struct pbcache cache = { NULL, 0 };
	bool all = cli_args_has(args, "all");
	size_t n = 0;
	json_t *arr = NULL;
	int64_t now = clock_now_ms();
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&cmd_list_entry, "unexpected argument '%s'", args->argv[0]);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = store_incidents_list(&v, &n, ctx.store, all)) != 0)
		return cli_fail(rc);
	if (cli->json)
		arr = json_array();
	else if (n == 0)
		printf("no %sincidents\n", all ? "" : "open ");
	else
		printf("%-8s %-4s  %-13s %-7s %-12s %-36s %s\n", "ID", "SEV", "STATUS", "AGE",
		       "COMMANDER", "TITLE", "FLAGS");
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct playbook *pb = pbcache_get(&cache, &ctx, &v[i]);
		struct flags f;
		char age[32], flags[128] = "";

		if ((rc = incident_flags(&f, &ctx, &v[i], pb)) != 0)
			break;
		if (f.unfilled)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				 "%zu-role%s-unfilled ", f.unfilled, f.unfilled == 1 ? "" : "s");
		if (f.overdue)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				 "%zu-step%s-overdue ", f.overdue, f.overdue == 1 ? "" : "s");
		if (f.unacked)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				 "%zu-page%s-unacked ", f.unacked, f.unacked == 1 ? "" : "s");
		if (f.updates_overdue)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				 "%zu-update%s-overdue ", f.updates_overdue,
				 f.updates_overdue == 1 ? "" : "s");
		if (f.apology_late)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "apology-late ");
		else if (f.apology_owed)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "apology-owed ");
		if (f.to_contact)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				 "%zu-account%s-to-call ", f.to_contact, f.to_contact == 1 ? "" : "s");
		format_age(age, sizeof(age), now - v[i].opened_at);
		if (cli->json)
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:b, s:b, s:I}",
				"id", (json_int_t)v[i].id, "severity", vocab_severity_name(v[i].severity),
				"status", v[i].status, "title", json_text(v[i].title),
				"playbook", v[i].playbook,
				"opened_by", v[i].opened_by, "commander", f.commander,
				"unfilled_roles", (json_int_t)f.unfilled,
				"overdue_steps", (json_int_t)f.overdue,
				"unacked_pages", (json_int_t)f.unacked,
				"overdue_updates", (json_int_t)f.updates_overdue,
				"apology_owed", f.apology_owed + f.apology_late > 0,
				"apology_late", f.apology_late > 0,
				"accounts_to_contact", (json_int_t)f.to_contact));
		else
			printf("INC-%-4lld SEV%d  %-13s %-7s %-12s %-36.36s %s\n", (long long)v[i].id,
			       v[i].severity, v[i].status, age, f.commander ? f.commander : "-",
			       cli_line(cli, v[i].title), flags);
		free(f.commander);
	}
	if (cli->json && rc == 0)
		cli_print_json(arr);
	else
		json_decref(arr);
	pbcache_release(&cache);
	store_incidents_free(v, n);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static void
iso(char *out, size_t len, int64_t ms)
{
	if (ms == 0)
		snprintf(out, len, "-");
	else
		clock_format_iso(out, len, ms);
}

static json_t *
incident_json(struct incident_ctx *ctx, const struct store_incident *inc,
	      const struct playbook *pb, struct store_component *comps, size_t ncomps,
	      struct store_holder *h, size_t nh, struct store_step *st, size_t ns,
	      struct store_page *pages, size_t np)
{
	json_t *o, *jc = json_array(), *jr = json_array(), *js = json_array(),
	       *jp = json_array();
	char t[5][32];

	(void)ctx;
	iso(t[0], sizeof(t[0]), inc->opened_at);
	iso(t[1], sizeof(t[1]), inc->updated_at);
	for (size_t i = 0; i < ncomps; i++)
		json_array_append_new(jc, json_pack("{s:s, s:s}", "id", comps[i].component,
						    "status", comps[i].status));
	for (size_t r = 0; pb != NULL && r < pb->nroles; r++) {
		json_t *holders = json_array();

		for (size_t i = 0; i < nh; i++)
			if (strcmp(h[i].role, pb->roles[r].id) == 0) {
				json_array_append_new(holders, json_pack("{s:s, s:o}",
					"person", h[i].person, "since", json_time(h[i].since)));
			}
		json_array_append_new(jr, json_pack("{s:s, s:s, s:b, s:i, s:o}",
			"id", pb->roles[r].id, "title", pb->roles[r].title,
			"required", pb->roles[r].required, "max", pb->roles[r].max,
			"holders", holders));
	}
	for (size_t k = 0; pb != NULL && k < pb->nsteps; k++) {
		const struct playbook_step *ps = &pb->steps[k];
		const char *state = "open";

		if (!step_applies(ps, inc->severity))
			continue;
		for (size_t i = 0; i < ns; i++)
			if (strcmp(st[i].step, ps->id) == 0)
				state = st[i].state;
		iso(t[3], sizeof(t[3]), inc->opened_at + ps->due * 1000);
		json_array_append_new(js, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}",
			"id", ps->id, "title", ps->title, "role", ps->role, "due", t[3],
			"required", ps->required, "state", state));
	}
	o = json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"id", (json_int_t)inc->id, "title", json_text(inc->title),
		"public_title", json_text(inc->public_title), "playbook", inc->playbook,
		"commit", inc->commit, "severity", vocab_severity_name(inc->severity),
		"status", inc->status, "opened_by", inc->opened_by, "opened_at", t[0],
		"updated_at", t[1]);
	iso(t[4], sizeof(t[4]), inc->resolved_at);
	json_object_set_new(o, "resolved_at", inc->resolved_at ? json_string(t[4]) : json_null());
	iso(t[4], sizeof(t[4]), inc->closed_at);
	json_object_set_new(o, "closed_at", inc->closed_at ? json_string(t[4]) : json_null());
	json_object_set_new(o, "components", jc);
	json_object_set_new(o, "roles", jr);
	/* open pages of a resolved or closed incident (ended since, when it
	 * was resolved) wake no one: none are listed */
	for (size_t i = 0; i < np; i++) {
		char tier[16];
		bool escalates;

		if (strcmp(pages[i].state, "open") != 0 || strcmp(inc->status, "resolved") == 0 ||
		    strcmp(inc->status, "closed") == 0)
			continue;
		escalates = escalate_will_escalate(pb, pages, np, pages[i].role);
		snprintf(tier, sizeof(tier), "L%d", pages[i].tier);
		json_array_append_new(jp, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s}",
			"id", (json_int_t)pages[i].id, "role", pages[i].role, "tier", tier,
			"person", pages[i].person, "paged_at", json_time(pages[i].paged_at),
			"times_out_at", json_time(pages[i].timeout_at),
			"escalates_at", escalates ? json_time(pages[i].timeout_at) : json_null(),
			"escalation", escalates ? "next tier" : pb == NULL ? "unknown" :
			pb->escalation.mode != PLAYBOOK_TIERED ? "none: swarm" :
			"none: last tier"));
	}
	json_object_set_new(o, "steps", js);
	json_object_set_new(o, "open_pages", jp);
	return o;
}

/* Where the incident stands with each audience, its apologies and the
 * priority accounts to call. */
static json_t *
comms_json(struct incident_ctx *ctx, const struct comms_summary *cs,
	   const struct store_incident *inc, int64_t now)
{
	static const char *const promise_states[] = { "pending", "kept", "broken" };
	json_t *ja = json_array(), *jp = json_array(), *jc = json_array();
	bool active = strcmp(inc->status, "closed") != 0 && strcmp(inc->status, "resolved") != 0;

	for (size_t i = 0; i < cs->naudiences; i++) {
		const struct comms_audience *a = &cs->audiences[i];
		json_t *promises = json_array();
		bool overdue = active && ((a->next_at != 0 && now > a->next_at) ||
			       (a->last_at == 0 && a->first_due != 0 && now > a->first_due));

		for (size_t k = 0; k < a->npromises; k++)
			json_array_append_new(promises, json_pack("{s:I, s:o, s:s, s:o}",
				"update", (json_int_t)a->promises[k].update_id,
				"promised_at", json_time(a->promises[k].promised_at),
				"state", promise_states[a->promises[k].state],
				"kept_by", a->promises[k].kept_by ?
				json_integer(a->promises[k].kept_by) : json_null()));
		json_array_append_new(ja, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:o}",
			"audience", a->audience,
			"last_update", a->last_update_id ? json_integer(a->last_update_id) : json_null(),
			"last_at", json_time(a->last_at), "next_update_by", json_time(a->next_at),
			"first_update_by", a->last_at == 0 ? json_time(a->first_due) : json_null(),
			"overdue", overdue, "promises", promises));
	}
	for (size_t i = 0; i < cs->napologies; i++) {
		const struct comms_apology *ap = &cs->apologies[i];
		/* a closed incident owes nothing more */
		const char *state = ap->sent_at ? (ap->sent_at > ap->due_at ? "sent_late" : "sent")
				    : strcmp(inc->status, "closed") == 0 ? "not_owed"
				    : now > ap->due_at ? "late" : "owed";

		json_array_append_new(jp, json_pack("{s:s, s:o, s:s, s:o, s:o, s:o}",
			"audience", ap->audience, "due_at", json_time(ap->due_at), "state", state,
			"update", ap->update_id ? json_integer(ap->update_id) : json_null(),
			"sent_at", json_time(ap->sent_at),
			"after_open_ms", ap->sent_at ? json_integer(ap->sent_at - inc->opened_at) :
			json_null()));
	}
	for (size_t i = 0; i < cs->nto_contact; i++) {
		const struct conf_account *acc = conf_account(ctx->conf, cs->to_contact[i]);

		json_array_append_new(jc, json_pack("{s:s, s:s}", "id", cs->to_contact[i],
			"name", acc ? acc->name : cs->to_contact[i]));
	}
	return json_pack("{s:o, s:o, s:o}", "audiences", ja, "apologies", jp, "to_contact", jc);
}

/* "14:05 UTC", or with its date when it is not today's, from an ISO time. */
static const char *
hhmm(const json_t *v, char *buf, size_t len)
{
	const char *s = json_string_value(v);
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
print_comms(const json_t *c)
{
	json_t *e;
	size_t i;
	char t1[CLOCK_WHEN_MAX], t2[CLOCK_WHEN_MAX];

	if (c == NULL)
		return;
	printf("\nCommunications\n");
	json_array_foreach(json_object_get(c, "audiences"), i, e) {
		json_t *p;
		size_t k, kept = 0, broken = 0;

		json_array_foreach(json_object_get(e, "promises"), k, p) {
			kept += strcmp(json_string_value(json_object_get(p, "state")), "kept") == 0;
			broken += strcmp(json_string_value(json_object_get(p, "state")), "broken") == 0;
		}
		printf("  %-12s ", json_string_value(json_object_get(e, "audience")));
		if (json_is_null(json_object_get(e, "last_update")))
			printf("no update yet%s%s", json_is_null(json_object_get(e, "first_update_by"))
			       ? "" : ", first due by ", json_is_null(json_object_get(e,
			       "first_update_by")) ? "" : hhmm(json_object_get(e, "first_update_by"),
			       t1, sizeof(t1)));
		else
			printf("last UPD-%lld at %s, next promised by %s",
			       (long long)json_integer_value(json_object_get(e, "last_update")),
			       hhmm(json_object_get(e, "last_at"), t1, sizeof(t1)),
			       json_is_null(json_object_get(e, "next_update_by")) ? "-" :
			       hhmm(json_object_get(e, "next_update_by"), t2, sizeof(t2)));
		if (json_is_true(json_object_get(e, "overdue")))
			printf(" OVERDUE");
		if (kept + broken > 0)
			printf("; promises kept %zu, broken %zu", kept, broken);
		putchar('\n');
	}
	json_array_foreach(json_object_get(c, "apologies"), i, e) {
		const char *state = json_string_value(json_object_get(e, "state"));

		printf("  apology to %s: ", json_string_value(json_object_get(e, "audience")));
		if (strncmp(state, "sent", 4) == 0) {
			json_int_t ms = json_integer_value(json_object_get(e, "after_open_ms"));

			printf("sent UPD-%lld at %s, %lldh %02lldm after the incident opened%s\n",
			       (long long)json_integer_value(json_object_get(e, "update")),
			       hhmm(json_object_get(e, "sent_at"), t1, sizeof(t1)),
			       (long long)(ms / 3600000), (long long)(ms / 60000 % 60),
			       strcmp(state, "sent_late") == 0 ? " (LATE)" : "");
		} else if (strcmp(state, "not_owed") == 0)
			printf("none sent, and none owed: the incident is closed\n");
		else
			printf("%s, due by %s%s\n", strcmp(state, "late") == 0 ? "OWED AND LATE" :
			       "owed", json_string_value(json_object_get(e, "due_at")),
			       strcmp(state, "late") == 0 ? "" : " ('sitrep apologize')");
	}
	json_array_foreach(json_object_get(c, "to_contact"), i, e)
		printf("  to contact:  %s (%s), a priority account using affected components: "
		       "log the call with 'sitrep contact'\n",
		       json_string_value(json_object_get(e, "id")),
		       json_string_value(json_object_get(e, "name")));
}

/* "none: swarm" -> "swarm"; "unknown" (the playbook cannot be read) as is. */
static const char *
escalation_words(const char *escalation)
{
	if (escalation == NULL)
		return "unknown";
	return strncmp(escalation, "none: ", 6) == 0 ? escalation + 6 : escalation;
}

static void
print_human(struct cli *cli, const json_t *o, const struct store_incident *inc, bool pinned_ok)
{
	size_t i;
	json_t *e;
	int64_t now = clock_now_ms();

	printf("INC-%lld  %s\n", (long long)inc->id, cli_line(cli, inc->title));
	printf("  public     %s\n", cli_line(cli, inc->public_title));
	printf("  playbook   %s@%.7s%s\n", inc->playbook, inc->commit,
	       pinned_ok ? "" : " (cannot be read: see 'sitrep playbook show')");
	printf("  severity   %s (%s)\n", vocab_severity_name(inc->severity),
	       vocab_severity_impact(inc->severity));
	printf("  status     %s\n", inc->status);
	printf("  opened     %s by %s\n", json_string_value(json_object_get(o, "opened_at")),
	       inc->opened_by);
	if (inc->resolved_at)
		printf("  resolved   %s\n", json_string_value(json_object_get(o, "resolved_at")));
	if (inc->closed_at)
		printf("  closed     %s\n", json_string_value(json_object_get(o, "closed_at")));
	if (json_array_size(json_object_get(o, "variables")) > 0)
		printf("\nVariables (sitrep set INC-%lld NAME VALUE)\n", (long long)inc->id);
	json_array_foreach(json_object_get(o, "variables"), i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));

		printf("  %-16s %s\n", json_string_value(json_object_get(e, "name")),
		       v != NULL ? v : json_is_true(json_object_get(e, "required")) ?
		       "EMPTY (required)" : "-");
	}
	printf("\nComponents\n");
	json_array_foreach(json_object_get(o, "components"), i, e)
		printf("  %-12s %s\n", json_string_value(json_object_get(e, "id")),
		       json_string_value(json_object_get(e, "status")));
	if (json_array_size(json_object_get(o, "components")) == 0)
		printf("  (none)\n");
	printf("\nRoles\n");
	json_array_foreach(json_object_get(o, "roles"), i, e) {
		json_t *holders = json_object_get(e, "holders"), *hh;
		size_t k;

		printf("  %-12s ", json_string_value(json_object_get(e, "id")));
		if (json_array_size(holders) == 0)
			printf("%s", json_is_true(json_object_get(e, "required")) ?
			       "UNFILLED (required)" : "-");
		json_array_foreach(holders, k, hh)
			printf("%s%s since %s", k ? ", " : "",
			       json_string_value(json_object_get(hh, "person")),
			       json_string_value(json_object_get(hh, "since")));
		putchar('\n');
	}
	if (json_array_size(json_object_get(o, "open_pages")) > 0)
		printf("\nOpen pages (not acknowledged)\n");
	json_array_foreach(json_object_get(o, "open_pages"), i, e)
		printf("  %-12s %-3s %-10s paged %s, %s %s\n",
		       json_string_value(json_object_get(e, "role")),
		       json_string_value(json_object_get(e, "tier")),
		       json_string_value(json_object_get(e, "person")),
		       json_string_value(json_object_get(e, "paged_at")),
		       json_is_null(json_object_get(e, "escalates_at")) ?
		       "no escalation:" : "escalates",
		       json_is_null(json_object_get(e, "escalates_at")) ?
		       escalation_words(json_string_value(json_object_get(e, "escalation"))) :
		       json_string_value(json_object_get(e, "escalates_at")));
	printf("\nSteps\n");
	json_array_foreach(json_object_get(o, "steps"), i, e) {
		const char *state = json_string_value(json_object_get(e, "state"));
		const char *due = json_string_value(json_object_get(e, "due"));
		bool overdue = strcmp(state, "open") == 0 && strcmp(inc->status, "closed") != 0 &&
			       strcmp(due, "") != 0;
		char nowiso[32];

		clock_format_iso(nowiso, sizeof(nowiso), now);
		overdue = overdue && strcmp(due, nowiso) < 0;
		printf("  %-16s %-8s due %s  %-10s %s%s%s\n",
		       json_string_value(json_object_get(e, "id")), state, due,
		       json_string_value(json_object_get(e, "role")),
		       json_string_value(json_object_get(e, "title")),
		       json_is_true(json_object_get(e, "required")) ? " [required]" : "",
		       overdue ? " OVERDUE" : "");
	}
	print_comms(json_object_get(o, "communications"));
}

/* The playbook's declared variables with their values (null while
 * empty), and any set that it no longer declares. */
static json_t *
vars_json(struct incident_ctx *ctx, const struct store_incident *inc,
	  const struct playbook *pb)
{
	struct store_var *sv = NULL;
	size_t nsv = 0;
	json_t *a = json_array();

	if (store_vars_get(&sv, &nsv, ctx->store, inc->id) != 0)
		cli_error("warning: %s", err_last());
	for (size_t i = 0; pb != NULL && i < pb->nvariables; i++) {
		const struct playbook_variable *pv = &pb->variables[i];
		const struct store_var *v = NULL;

		for (size_t k = 0; k < nsv; k++)
			if (strcmp(sv[k].name, pv->name) == 0)
				v = &sv[k];
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s?, s:s?}",
			"name", pv->name, "description", pv->description,
			"required", pv->required, "value", v ? v->value : NULL,
			"set_by", v ? v->set_by : NULL));
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
	json_t *o;
	int rc;

	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return cli_fail(rc);
	if (incident_playbook(&pb, ctx, &inc) != 0)
		cli_error("warning: %s", err_last());
	if ((rc = store_components_get(&comps, &ncomps, ctx->store, id)) == 0 &&
	    (rc = store_holders_get(&h, &nh, ctx->store, id, NULL)) == 0 &&
	    (rc = store_steps_get(&st, &ns, ctx->store, id)) == 0 &&
	    (rc = store_pages_get(&pages, &np, ctx->store, id, false)) == 0) {
		o = incident_json(ctx, &inc, pb, comps, ncomps, h, nh, st, ns, pages, np);
		json_object_set_new(o, "variables", vars_json(ctx, &inc, pb));
		if (pb != NULL) {
			struct comms_summary cs;
			int64_t now = clock_now_ms();

			if ((rc = comms_summarize(&cs, ctx, &inc, pb, now)) == 0) {
				json_object_set_new(o, "communications",
						    comms_json(ctx, &cs, &inc, now));
				comms_summary_release(&cs);
			}
		}
		if (cli->json)
			cli_print_json(o);
		else {
			print_human(cli, o, &inc, pb != NULL);
			json_decref(o);
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
