/* cmd-page.c: `sitrep page`, `sitrep page cancel`, `sitrep ack` and
 * `sitrep escalate`: paging a role to the support tiers, ending pages and
 * moving up the tiers. The rules are escalate.c's. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/vocab.h"

static int page_check_tier(const struct cmd_entry *, const char *);

/* The options of page, ack and escalate; each command takes some. */
static const struct cli_option page_options[] = {
	{ "tier", 0, true, page_check_tier },
	{ "swarm", 0, false, NULL },
	{ "message", 'm', true, NULL },
	{ NULL, 0, false, NULL }
};

static int page_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_page_entry = {
	.name = "page",
	.usage = "INC ROLE [--tier Ln] | cancel INC ROLE|PG-n -m REASON",
	.summary = "page a role to a support tier's roster (every tier when the playbook "
		   "swarms); cancel a role's pages or one page",
	.options = page_options,
	.takes = "tier message",
	.exec = page_exec,
};
static int ack_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_ack_entry = {
	.name = "ack",
	.usage = "INC",
	.summary = "acknowledge your pages on an incident",
	.options = page_options,
	.takes = "",
	.exec = ack_exec,
};
static int escalate_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_escalate_entry = {
	.name = "escalate",
	.usage = "INC [--tier Ln | --swarm] [-m REASON]",
	.summary = "escalate to the next support tier, a named one, or every tier at once",
	.options = page_options,
	.takes = "tier swarm message",
	.exec = escalate_exec,
};

static int
page_check_tier(const struct cmd_entry *cmd, const char *value)
{
	if (vocab_tier(value) < 0)
		return cli_usage_error(cmd, "tier '%s' is not one of L0, L1, L2, L3, L4", value);
	return -1;
}

/* The tier of --tier, or -1; a usage error's exit code, or -1 when the
 * line is whole: nargs positional arguments. */
static int
page_args(int *tier, const struct cmd_entry *cmd, const struct cli_args *args, int nargs)
{
	const char *t = cli_args_get(args, "tier");

	*tier = t != NULL ? vocab_tier(t) : -1;
	if (cli_args_has(args, "swarm") && *tier >= 0)
		return cli_usage_error(cmd, "give --tier or --swarm, not both");
	return cli_args_count(args, cmd, nargs);
}

static int
run(struct cli *cli, const struct cmd_entry *cmd, const char *arg, int64_t *id,
    struct incident_ctx *ctx)
{
	int rc;

	if ((rc = cli_incident_id(id, cmd, arg)) != 0)
		return rc;
	if ((rc = cli_incident_ctx(ctx, cli)) != 0)
		return cli_fail(rc);
	return -1;
}

/* sitrep page cancel INC ROLE|PG-n -m REASON */
static int
page_cancel(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	int64_t id;
	int rc;

	if (cli_args_has(args, "tier"))
		return cli_usage_error(&cmd_page_entry, "page cancel takes no --tier");
	if (args->argc != 3)
		return cli_usage_error(&cmd_page_entry, "page cancel takes an incident and a role "
				       "or page id: 'sitrep page cancel INC-1 ops -m \"why\"'");
	if (msg == NULL || *msg == '\0')
		return cli_usage_error(&cmd_page_entry, "cancelling a page needs a reason: "
				       "-m \"why\"");
	if ((rc = run(cli, &cmd_page_entry, args->argv[1], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_cancel(&ctx, id, args->argv[2], msg)) != 0)
		return cli_fail(rc);
	printf("cancelled the page%s for %s on INC-%lld: see 'sitrep show INC-%lld'\n",
	       strncmp(args->argv[2], "PG-", 3) == 0 ? "" : "s", args->argv[2], (long long)id,
	       (long long)id);
	return EXIT_OK;
}

static int
page_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc, tier;

	if (args->argc >= 1 && strcmp(args->argv[0], "cancel") == 0)
		return page_cancel(cli, args);
	if (cli_args_has(args, "message"))
		return cli_usage_error(&cmd_page_entry, "-m goes with 'page cancel' only");
	if ((rc = page_args(&tier, &cmd_page_entry, args, 2)) >= 0 ||
	    (rc = run(cli, &cmd_page_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_page(&ctx, id, args->argv[1], tier)) != 0)
		return cli_fail(rc);
	printf("paged %s on INC-%lld: see 'sitrep show INC-%lld'\n", args->argv[1],
	       (long long)id, (long long)id);
	return EXIT_OK;
}

static int
ack_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	int64_t id;
	int rc, tier;

	if ((rc = page_args(&tier, &cmd_ack_entry, args, 1)) >= 0 ||
	    (rc = run(cli, &cmd_ack_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_ack(&ctx, id)) != 0)
		return cli_fail(rc);
	printf("%s acknowledged INC-%lld\n", ctx.actor, (long long)id);
	return EXIT_OK;
}

static int
escalate_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	bool swarm = cli_args_has(args, "swarm");
	int64_t id;
	int rc, tier;

	if ((rc = page_args(&tier, &cmd_escalate_entry, args, 1)) >= 0 ||
	    (rc = run(cli, &cmd_escalate_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_escalate(&ctx, id, NULL, tier, swarm,
				    msg != NULL ? msg : "escalated by hand")) != 0)
		return cli_fail(rc);
	printf("escalated INC-%lld%s: see 'sitrep show INC-%lld'\n", (long long)id,
	       swarm ? " to every tier" : "", (long long)id);
	return EXIT_OK;
}
