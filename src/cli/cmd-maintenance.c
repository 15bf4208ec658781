/* cmd-maintenance.c: `sitrep maintenance schedule|list|cancel`: planned
 * work announced to customers ahead of time; its arguments and what is
 * printed. What a change checks, does and says to customers is
 * maintenance.c's; sitrepd moves it to in_progress and completed on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/maintenance.h"
#include "sitrep/store-maintenance.h"

static const struct cli_option maintenance_options[] = {
	{ "title", 0, true, NULL },
	{ "component", 0, true, NULL },
	{ "from", 0, true, NULL },
	{ "until", 0, true, NULL },
	{ "message", 'm', true, NULL },
	{ "all", 0, false, NULL },
	{ NULL, 0, false, NULL }
};
static int maintenance_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_maintenance_entry = {
	.name = "maintenance",
	.usage = "schedule --title T --component C... --from TIME --until TIME [-m TEXT] | list [--all] "
	"| cancel ID [-m REASON]",
	.summary = "schedule planned maintenance, announced to customers; list or cancel it",
	.options = maintenance_options,
	.exec = maintenance_exec,
};

struct mopts {
	const char *title, *from, *until, *msg;
	char **components;
	size_t ncomponents;
	bool all;
};

/* The options as the subcommands read them. */
static void
mopts_from(struct mopts *o, const struct cli_args *args)
{
	o->title = cli_args_get(args, "title");
	o->from = cli_args_get(args, "from");
	o->until = cli_args_get(args, "until");
	o->msg = cli_args_get(args, "message");
	o->all = cli_args_has(args, "all");
	o->ncomponents = cli_args_all(&o->components, args, "component");
}

static void
when(char *out, size_t len, int64_t ms)
{
	char iso[32];

	clock_format_iso(iso, sizeof(iso), ms);
	snprintf(out, len, "%.10s %.5s UTC", iso, iso + 11);
}

static int
schedule(struct cli *cli, struct mopts *o)
{
	struct incident_ctx ctx;
	struct maintenance_req req = {
		.title = o->title, .body = o->msg, .from = o->from, .until = o->until,
		.components = o->components, .ncomponents = o->ncomponents,
	};
	char from[32], until[32];
	int64_t now = clock_now_ms(), starts_at, ends_at, queued, id;
	int rc;

	if (o->title == NULL || o->from == NULL || o->until == NULL || o->ncomponents == 0)
		return cli_usage_error(&cmd_maintenance_entry, "schedule needs --title, at least "
				       "one --component, --from and --until");
	/* what the words say is checked before the workspace is opened */
	if ((rc = maintenance_check(&starts_at, &ends_at, &req, now)) != 0)
		return rc == SR_EUSAGE ? cli_usage_error(&cmd_maintenance_entry, "%s", err_last())
				       : cli_fail(rc);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = maintenance_schedule(&id, &queued, &ctx, &req, now)) != 0)
		return cli_fail(rc);
	when(from, sizeof(from), starts_at);
	when(until, sizeof(until), ends_at);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "id", id);
		json_set_str(j, "state", "scheduled");
		json_set_int(j, "queued", queued);
		cli_print_json(j);
	} else
		printf("maintenance %lld scheduled from %s until %s: %lld message%s queued to "
		       "customers\n", (long long)id, from, until, (long long)queued,
		       queued == 1 ? "" : "s");
	return EXIT_OK;
}

/* One maintenance as list --json shows it. */
static struct json *
row_json(const struct store_maintenance *m)
{
	struct json *o = json_new_object(), *comps = json_new_array();

	for (size_t k = 0; k < m->ncomponents; k++)
		json_append_str(comps, m->components[k]);
	json_set_int(o, "id", m->id);
	json_set(o, "title", json_new_text(m->title));
	json_set(o, "body", json_new_text(m->body));
	json_set_str(o, "state", m->state);
	json_set_time(o, "from", m->starts_at);
	json_set_time(o, "until", m->ends_at);
	json_set(o, "components", comps);
	json_set_str(o, "created_by", m->created_by);
	json_set_time(o, "created_at", m->created_at);
	json_set_time(o, "started_at", m->started_at);
	json_set_time(o, "completed_at", m->completed_at);
	json_set_time(o, "cancelled_at", m->cancelled_at);
	return o;
}

static int
list(struct cli *cli, struct mopts *o)
{
	struct store_maintenance *v;
	struct json *arr = NULL;
	size_t n;
	int rc;

	if ((rc = cli_open_store(cli)) != 0 ||
	    (rc = maintenance_list(&v, &n, cli->store, o->all)) != 0)
		return cli_fail(rc);
	if (cli->json)
		arr = json_new_array();
	else if (n == 0)
		printf("no %smaintenances\n", o->all ? "" : "scheduled or running ");
	for (size_t i = 0; i < n; i++) {
		char from[32], until[32];

		when(from, sizeof(from), v[i].starts_at);
		when(until, sizeof(until), v[i].ends_at);
		if (cli->json)
			json_append(arr, row_json(&v[i]));
		else
			printf("%-4lld %-12s %s .. %s  %s\n", (long long)v[i].id, v[i].state, from,
			       until, cli_line(cli, v[i].title));
	}
	if (cli->json)
		cli_print_json(arr);
	store_maintenances_free(v, n);
	return EXIT_OK;
}

static int
cancel(struct cli *cli, struct mopts *o, const char *arg)
{
	struct incident_ctx ctx;
	char *end;
	long long id = strtoll(arg, &end, 10);
	int64_t queued;
	int rc;

	if (*arg == '\0' || *end != '\0' || id <= 0)
		return cli_usage_error(&cmd_maintenance_entry, "'%s' is not a maintenance id", arg);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = maintenance_cancel(&queued, &ctx, id, o->msg, clock_now_ms())) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "id", id);
		json_set_str(j, "state", "cancelled");
		cli_print_json(j);
	} else
		printf("maintenance %lld cancelled: %lld message%s queued to customers\n", id,
		       (long long)queued, queued == 1 ? "" : "s");
	return EXIT_OK;
}

static int
maintenance_exec(struct cli *cli, struct cli_args *args)
{
	const char *sub = args->argc > 0 ? args->argv[0] : "";
	struct mopts o;

	mopts_from(&o, args);
	if (strcmp(sub, "schedule") == 0 && args->argc == 1)
		return schedule(cli, &o);
	if (strcmp(sub, "list") == 0 && args->argc == 1)
		return list(cli, &o);
	if (strcmp(sub, "cancel") == 0 && args->argc == 2)
		return cancel(cli, &o, args->argv[1]);
	return cli_usage_error(&cmd_maintenance_entry, "say schedule, list or cancel ID");
}
