/* cmd-role.c: `sitrep role take|release|assign|handoff|list` and
 * `sitrep step INC [done|skip STEP]`: people taking the pinned playbook's
 * roles and working its steps. The rules are roles.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
#include "sitrep/playbook.h"
#include "sitrep/roles.h"
#include "sitrep/store-incident.h"

/* -m NOTE, for every subcommand of role and for step. */
static const struct cli_option role_options[] = {
	{ "message", 'm', true, NULL },
	{ NULL, 0, false, NULL }
};

static int role_dispatch(struct cli *, int, char **);
const struct cmd_entry cmd_role_entry = {
	.name = "role",
	.usage = "take|release INC ROLE [PERSON] | assign|handoff INC ROLE PERSON [-m NOTE] | list INC",
	.summary = "take, assign, release and hand over an incident's roles",
	.options = role_options,
	.dispatch = role_dispatch,
};

static int step_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_step_entry = {
	.name = "step",
	.usage = "INC [done|skip STEP] [-m NOTE]",
	.summary = "list an incident's steps with due times, or mark one done or skipped",
	.options = role_options,
	.exec = step_exec,
};

static int
role_list(struct cli *cli, struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct store_holder *h;
	struct playbook *pb = NULL;
	size_t n;
	struct json *arr;
	int rc;

	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return cli_fail(rc);
	rc = incident_playbook(&pb, ctx, &inc);
	store_incident_release(&inc);
	if (rc != 0 || (rc = store_holders_get(&h, &n, ctx->store, id, NULL)) != 0) {
		playbook_free(pb);
		return cli_fail(rc);
	}
	arr = json_new_array();
	for (size_t r = 0; r < pb->nroles; r++) {
		const struct playbook_role *role = &pb->roles[r];
		size_t held = 0;

		if (!cli->json)
			printf("%-12s %-28s", role->id, role->title);
		for (size_t i = 0; i < n; i++) {
			char since[32];

			if (strcmp(h[i].role, role->id) != 0)
				continue;
			clock_format_iso(since, sizeof(since), h[i].since);
			if (cli->json) {
				struct json *e = json_new_object();

				json_set_str(e, "role", role->id);
				json_set_str(e, "person", h[i].person);
				json_set_str(e, "since", since);
				json_append(arr, e);
			} else
				printf("%s%s since %s", held ? ", " : " ", h[i].person, since);
			held++;
		}
		if (!cli->json)
			printf("%s\n", held ? "" : role->required ? " UNFILLED (required)" : " -");
	}
	if (cli->json)
		cli_print_json(arr);
	else
		json_free(arr);
	store_holders_free(h, n);
	playbook_free(pb);
	return EXIT_OK;
}

static int role_exec(struct cli *, const char *, struct cli_args *);

/* The subcommand's word is argv[1]: its line is parsed from there on. */
static int
role_dispatch(struct cli *cli, int argc, char **argv)
{
	struct cli_args args;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(&cmd_role_entry, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if ((rc = cli_args_parse(&args, cli, &cmd_role_entry, argc - 1, argv + 1)) >= 0)
		return rc;
	rc = role_exec(cli, argv[1], &args);
	cli_args_free(&args);
	return rc;
}

static int
role_exec(struct cli *cli, const char *sub, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	char **argv = args->argv;
	int nargs = args->argc;
	int64_t id;
	int rc;

	if (strcmp(sub, "list") == 0 ? nargs != 1 :
	    strcmp(sub, "take") == 0 ? nargs != 2 :
	    strcmp(sub, "release") == 0 ? nargs < 2 || nargs > 3 :
	    strcmp(sub, "assign") == 0 || strcmp(sub, "handoff") == 0 ? nargs != 3 : true) {
		if (strcmp(sub, "list") && strcmp(sub, "take") && strcmp(sub, "release") &&
		    strcmp(sub, "assign") && strcmp(sub, "handoff"))
			return cli_usage_error(&cmd_role_entry, "unknown role subcommand '%s'", sub);
		return cli_usage_error(&cmd_role_entry, "wrong number of arguments for 'role %s'", sub);
	}
	if ((rc = cli_incident_id(&id, &cmd_role_entry, argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	if (strcmp(sub, "list") == 0)
		return role_list(cli, &ctx, id);
	if (strcmp(sub, "take") == 0 || strcmp(sub, "release") == 0) {
		struct json *req = json_new_object(), *res = NULL;

		json_set_int(req, "incident", id);
		json_set_str(req, "role", argv[1]);
		if (nargs == 3)
			json_set_str(req, "person", argv[2]);
		rc = ops_run(&res, strcmp(sub, "take") == 0 ? "role.take" : "role.release", &ctx,
			     req);
		json_free(req);
		if (rc != 0)
			return cli_fail(rc);
		printf(strcmp(sub, "take") == 0 ? "%s holds %s on INC-%lld\n" :
		       "%s no longer holds %s on INC-%lld\n", json_get_str(res, "person"),
		       json_get_str(res, "role"), (long long)json_get_int(res, "incident"));
		json_free(res);
		return EXIT_OK;
	} else if (strcmp(sub, "assign") == 0)
		rc = roles_assign(&ctx, id, argv[1], argv[2]);
	else
		rc = roles_handoff(&ctx, id, argv[1], argv[2], msg);
	if (rc != 0)
		return cli_fail(rc);
	printf("%s holds %s on INC-%lld\n", argv[2], argv[1], (long long)id);
	return EXIT_OK;
}

static int
step_list(struct cli *cli, struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct store_step *done;
	struct playbook *pb = NULL;
	size_t n;
	int64_t now = clock_now_ms();
	struct json *arr = json_new_array();
	int rc;

	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0) {
		json_free(arr);
		return cli_fail(rc);
	}
	if ((rc = incident_playbook(&pb, ctx, &inc)) != 0 ||
	    (rc = store_steps_get(&done, &n, ctx->store, id)) != 0) {
		json_free(arr);
		playbook_free(pb);
		store_incident_release(&inc);
		return cli_fail(rc);
	}
	for (size_t k = 0; k < pb->nsteps; k++) {
		const struct playbook_step *ps = &pb->steps[k];
		const struct store_step *d = NULL;
		char due[32];
		bool overdue;

		if (!incident_step_applies(ps, inc.severity))
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(done[i].step, ps->id) == 0)
				d = &done[i];
		clock_format_iso(due, sizeof(due), inc.opened_at + ps->due * 1000);
		overdue = d == NULL && strcmp(inc.status, "closed") != 0 &&
			  inc.opened_at + ps->due * 1000 < now;
		if (cli->json) {
			struct json *e = json_new_object();

			json_set_str(e, "id", ps->id);
			json_set_str(e, "title", ps->title);
			json_set_str(e, "role", ps->role);
			json_set_str(e, "due", due);
			json_set_str(e, "state", d ? d->state : "open");
			json_set_bool(e, "required", ps->required);
			json_set_bool(e, "overdue", overdue);
			json_set_str_or_null(e, "by", d ? d->actor : NULL);
			json_set_str_or_null(e, "note", d ? d->note : NULL);
			json_append(arr, e);
		} else
			printf("%-16s %-8s due %s  %-10s %s%s%s\n", ps->id, d ? d->state : "open",
			       due, ps->role, ps->title, ps->required ? " [required]" : "",
			       overdue ? " OVERDUE" : "");
	}
	if (cli->json)
		cli_print_json(arr);
	else
		json_free(arr);
	store_steps_free(done, n);
	playbook_free(pb);
	store_incident_release(&inc);
	return EXIT_OK;
}

static int
step_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	char **argv = args->argv;
	int nargs = args->argc;
	int64_t id;
	int rc;

	if (nargs != 1 && nargs != 3)
		return cli_usage_error(&cmd_step_entry, "give INC, or INC done|skip STEP");
	if (nargs == 3 && strcmp(argv[1], "done") != 0 &&
	    strcmp(argv[1], "skip") != 0)
		return cli_usage_error(&cmd_step_entry, "'%s' is not done or skip", argv[1]);
	if ((rc = cli_incident_id(&id, &cmd_step_entry, argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	if (nargs == 1)
		return step_list(cli, &ctx, id);
	rc = steps_mark(&ctx, id, argv[2],
			strcmp(argv[1], "done") == 0 ? "done" : "skipped", msg);
	if (rc != 0)
		return cli_fail(rc);
	printf("step %s of INC-%lld is %s\n", argv[2], (long long)id,
	       strcmp(argv[1], "done") == 0 ? "done" : "skipped");
	return EXIT_OK;
}
