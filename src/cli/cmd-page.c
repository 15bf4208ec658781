/* cmd-page.c: `sitrep page`, `sitrep ack` and `sitrep escalate`: paging a
 * role to the support tiers and moving up them. The rules are escalate.c's. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/vocab.h"

static int page_exec(struct cli *, int, char **);
const struct cmd_entry cmd_page_entry = {
	"page", "INC ROLE [--tier Ln]",
	"page a role to a support tier's roster (every tier when the playbook swarms)",
	page_exec,
};
static int ack_exec(struct cli *, int, char **);
const struct cmd_entry cmd_ack_entry = {
	"ack", "INC", "acknowledge your pages on an incident",
	ack_exec,
};
static int escalate_exec(struct cli *, int, char **);
const struct cmd_entry cmd_escalate_entry = {
	"escalate", "INC [--tier Ln | --swarm] [-m REASON]",
	"escalate to the next support tier, a named one, or every tier at once",
	escalate_exec,
};

enum { OPT_TIER = OPT_FIRST_CMD, OPT_SWARM };

struct popts {
	int tier;
	bool swarm;
	const char *msg;
};

static int
parse_popts(struct popts *o, struct cli *cli, const struct cmd_entry *cmd, int argc,
	    char **argv, bool allow_tier, bool allow_swarm, int nargs)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "tier", required_argument, NULL, OPT_TIER },
		{ "swarm", no_argument, NULL, OPT_SWARM },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, rc, li = -1;

	o->tier = -1;
	o->swarm = false;
	o->msg = NULL;
	optind = 0;
	for (; (opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "m:", longopts, &li)) != -1;
	     li = -1) {
		if (opt == OPT_TIER && allow_tier) {
			if ((o->tier = vocab_tier(optarg)) < 0)
				return cli_usage_error(cmd, "tier '%s' is not one of L0, L1, L2, L3, L4",
						       optarg);
		} else if (opt == OPT_SWARM && allow_swarm)
			o->swarm = true;
		else if (opt == 'm' && allow_swarm)
			o->msg = optarg;
		else if (opt == OPT_TIER || opt == OPT_SWARM || opt == 'm')
			return cli_usage_error(cmd, "option '%s%s' does not apply to '%s'",
					       li >= 0 ? "--" : "-", li >= 0 ? longopts[li].name : "m",
					       cmd->name);
		else if ((rc = cli_common_opt(cli, cmd, opt)) >= 0)
			return rc;
	}
	if (o->swarm && o->tier >= 0)
		return cli_usage_error(cmd, "give --tier or --swarm, not both");
	if (argc - optind != nargs) {
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
	return -1;
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

static int
page_exec(struct cli *cli, int argc, char **argv)
{
	struct incident_ctx ctx;
	struct popts o;
	int64_t id;
	int rc;

	if ((rc = parse_popts(&o, cli, &cmd_page_entry, argc, argv, true, false, 2)) >= 0 ||
	    (rc = run(cli, &cmd_page_entry, argv[optind], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_page(&ctx, id, argv[optind + 1], o.tier)) != 0)
		return cli_fail(rc);
	printf("paged %s on INC-%lld: see 'sitrep show INC-%lld'\n", argv[optind + 1],
	       (long long)id, (long long)id);
	return EXIT_OK;
}

static int
ack_exec(struct cli *cli, int argc, char **argv)
{
	struct incident_ctx ctx;
	struct popts o;
	int64_t id;
	int rc;

	if ((rc = parse_popts(&o, cli, &cmd_ack_entry, argc, argv, false, false, 1)) >= 0 ||
	    (rc = run(cli, &cmd_ack_entry, argv[optind], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_ack(&ctx, id)) != 0)
		return cli_fail(rc);
	printf("%s acknowledged INC-%lld\n", ctx.actor, (long long)id);
	return EXIT_OK;
}

static int
escalate_exec(struct cli *cli, int argc, char **argv)
{
	struct incident_ctx ctx;
	struct popts o;
	int64_t id;
	int rc;

	if ((rc = parse_popts(&o, cli, &cmd_escalate_entry, argc, argv, true, true, 1)) >= 0 ||
	    (rc = run(cli, &cmd_escalate_entry, argv[optind], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_escalate(&ctx, id, NULL, o.tier, o.swarm,
				    o.msg != NULL ? o.msg : "escalated by hand")) != 0)
		return cli_fail(rc);
	printf("escalated INC-%lld%s: see 'sitrep show INC-%lld'\n", (long long)id,
	       o.swarm ? " to every tier" : "", (long long)id);
	return EXIT_OK;
}
