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
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
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

static int
print_incident(struct cli *cli, struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	struct json *req, *o = NULL;
	int rc;

	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return cli_fail(rc);
	/* the operation shows what it can without the pinned playbook: say
	 * why it cannot be read */
	if (incident_playbook(&pb, ctx, &inc) != 0)
		cli_error("warning: %s", err_last());
	req = json_new_object();
	json_set_int(req, "incident", id);
	rc = ops_run(&o, "incident.show", ctx, req);
	json_free(req);
	if (rc == 0 && cli->json)
		cli_print_json(o);
	else if (rc == 0) {
		print_human(cli, o, &inc, pb != NULL);
		json_free(o);
	}
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
