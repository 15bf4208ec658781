/* cmd-schedule.c: `sitrep schedule list|show|validate|log|diff|override|
 * cancel` (the on-call schedules in the playbook repository, and overrides
 * kept in the store) and `sitrep oncall` (who is on call for every schedule
 * and tier). Parsing and arithmetic are oncall.c's, joining schedules and
 * overrides rota.c's, git repo.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/oncall.h"
#include "sitrep/repo.h"
#include "sitrep/rota.h"
#include "sitrep/store-oncall.h"
#include "sitrep/tz.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

/* How far ahead `schedule show` lists handoffs. */
#define SHOW_HANDOFF_DAYS 14

static int schedule_dispatch(struct cli *, int, char **);

const struct cmd_entry cmd_schedule_entry = {
	.name = "schedule",
	.usage = "list | show NAME [--at REV] | validate [FILE...] | log [NAME] | "
		 "diff NAME REV [REV] | override NAME --person H --from T --until T -m REASON | "
		 "cancel ID",
	.summary = "list, show, validate and trace the on-call schedules; override a rotation",
	.dispatch = schedule_dispatch,
};

static const struct cli_option schedule_options[] = {
	{ "at", 0, true, NULL },
	{ "person", 0, true, NULL },
	{ "from", 0, true, NULL },
	{ "until", 0, true, NULL },
	{ "message", 'm', true, NULL },
	{ NULL, 0, false, NULL }
};

static int schedule_list(struct cli *, struct cli_args *);
static const struct cmd_entry sub_list = {
	.name = "schedule list",
	.usage = "[--at REV] [--json]",
	.summary = "List the on-call schedules at the configured branch (or REV): name,\n"
	"time zone, who is on call now and until when, and the last commit that\n"
	"changed each.",
	.options = schedule_options,
	.takes = "at",
	.refused_here = true,
	.exec = schedule_list,
};
static int schedule_show(struct cli *, struct cli_args *);
static const struct cmd_entry sub_show = {
	.name = "schedule show",
	.usage = "NAME [--at REV] [--json]",
	.summary = "Show a schedule as parsed: its time zone and layers, who is on call now,\n"
	"the handoffs of the next two weeks (times on the schedule's clock) and\n"
	"the overrides in force or to come.",
	.options = schedule_options,
	.takes = "at",
	.refused_here = true,
	.exec = schedule_show,
};
static int schedule_validate(struct cli *, struct cli_args *);
static const struct cmd_entry sub_validate = {
	.name = "schedule validate",
	.usage = "[FILE...] [--json]",
	.summary = "Validate schedule files on disk (before committing them), or with no\n"
	"FILE every schedule at the configured branch. Lists every problem as\n"
	"FILE:LINE: message and exits 1 when any schedule is invalid.",
	.options = schedule_options,
	.takes = "",
	.refused_here = true,
	.exec = schedule_validate,
};
static int schedule_log(struct cli *, struct cli_args *);
static const struct cmd_entry sub_log = {
	.name = "schedule log",
	.usage = "[NAME] [--json]",
	.summary = "The commits that changed the schedule NAME (or any file), newest\n"
	"first: short SHA, date, author and subject.",
	.options = schedule_options,
	.takes = "",
	.refused_here = true,
	.exec = schedule_log,
};
static int schedule_diff(struct cli *, struct cli_args *);
static const struct cmd_entry sub_diff = {
	.name = "schedule diff",
	.usage = "NAME REV [REV] [--json]",
	.summary = "The unified diff of NAME.schedule between REV and the second REV\n"
	"(default: the configured branch's head).",
	.options = schedule_options,
	.takes = "",
	.refused_here = true,
	.exec = schedule_diff,
};
static int schedule_override(struct cli *, struct cli_args *);
static const struct cmd_entry sub_override = {
	.name = "schedule override",
	.usage = "NAME --person HANDLE --from T --until T -m REASON",
	.summary = "Put HANDLE on call for NAME from T until T instead of its rotation,\n"
	"recorded in the store (not in git) with who did it and why. T is\n"
	"\"+30m\", \"14:05\" (UTC), \"2026-11-23T14:05Z\", or \"2026-11-23 14:05\" on\n"
	"the schedule's clock. The latest override wins while it lasts.",
	.options = schedule_options,
	.takes = "person from until message",
	.refused_here = true,
	.exec = schedule_override,
};
static int schedule_cancel(struct cli *, struct cli_args *);
static const struct cmd_entry sub_cancel = {
	.name = "schedule cancel",
	.usage = "ID",
	.summary = "Cancel the override ID (see 'sitrep schedule show NAME'): the rotation\n"
	"applies again.",
	.options = schedule_options,
	.takes = "",
	.refused_here = true,
	.exec = schedule_cancel,
};

static const struct cli_option oncall_options[] = {
	{ "at", 0, true, NULL },
	{ NULL, 0, false, NULL }
};
static int oncall_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_oncall_entry = {
	.name = "oncall",
	.usage = "[--at T] [--json]",
	.summary = "who is on call now (or at T) for every schedule and tier, until when, who is next",
	.help = "Who is on call now, or at T, for every schedule at the configured branch\n"
	"(overrides included), until when and who is next; then every support\n"
	"tier L0..L4 with its roster and the person on call for each schedule it\n"
	"names. T is \"+2h\", \"14:05\" (UTC), \"2026-11-23T14:05Z\", or\n"
	"\"2026-11-23 14:05\" in the site's time zone (status_page.time_zone).\n",
	.options = oncall_options,
	.exec = oncall_exec,
};

/* ms on zone's clock: "Mon 2026-11-30 09:00 CET". */
static void
fmt_local(char *out, size_t len, const struct tz *zone, int64_t ms)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct tz_local l;

	if (ms == INT64_MAX) {
		snprintf(out, len, "-");
		return;
	}
	tz_to_local(&l, zone, ms);
	snprintf(out, len, "%s %04d-%02d-%02d %02d:%02d %s", wd[l.wday], l.year, l.month,
		 l.day, l.hour, l.min, l.abbr);
}

static struct json *
time_json(int64_t ms)
{
	return ms == INT64_MAX ? json_new_null() : json_new_time(ms);
}

/*
 * A moment typed by a user: "YYYY-MM-DD HH:MM" on zone's clock (refused
 * when that clock never shows it: the hour a daylight-saving change
 * skips), else what clock_parse_time reads.
 */
static int
parse_moment(int64_t *out, const char *text, const struct tz *zone, int64_t now)
{
	struct tz_local back;
	int y, mo, d, h, mi;
	char sep;

	if (zone != NULL && tz_parse_local(out, zone, text) == 0) {
		tz_to_local(&back, zone, *out);
		if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d", &y, &mo, &d, &sep, &h, &mi) == 6 &&
		    (back.year != y || back.month != mo || back.day != d || back.hour != h ||
		     back.min != mi))
			return err_set(SR_EUSAGE, "'%s' never happens in %s: the clocks skip "
				       "that hour (a daylight-saving change); give a time "
				       "before or after it", text, tz_name(zone));
		return 0;
	}
	if (clock_parse_time(out, text, now) == 0)
		return 0;
	return err_set(SR_EUSAGE, "'%s' is not a time: give \"+30m\", \"14:05\" (UTC), "
		       "\"2026-11-23T14:05Z\" or \"2026-11-23 14:05\"%s%s", text,
		       zone != NULL ? " in " : "", zone != NULL ? tz_name(zone) : "");
}

/* The workspace (store and repository) and the schedules at rev. */
static int
load_rota(struct rota **out, struct incident_ctx *ctx, struct cli *cli, const char *rev)
{
	char sha[41];
	int rc;

	if ((rc = cli_incident_ctx(ctx, cli)) != 0)
		return rc;
	if (rev == NULL) /* the branch head: cached, without libgit2 when it can be */
		return rota_load(out, ctx);
	if ((rc = cli_resolve(cli, rev, sha)) != 0)
		return rc;
	return rota_load_at(out, ctx, sha);
}

static int
schedule_list(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct rota *r = NULL;
	struct repo_commit *changes;
	struct json *arr = NULL;
	char **paths;
	int64_t now = clock_now_ms();
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&sub_list, "unexpected argument '%s'", args->argv[0]);
	if ((rc = load_rota(&r, &ctx, cli, cli_args_get(args, "at"))) != 0)
		return cli_fail(rc);
	paths = xcalloc(r->n + 1, sizeof(*paths));
	changes = xcalloc(r->n + 1, sizeof(*changes));
	for (size_t i = 0; i < r->n; i++)
		paths[i] = xasprintf("%s.schedule", r->v[i].name);
	if ((rc = repo_last_changes(changes, cli->repo, r->sha, paths, r->n)) != 0)
		goto out;
	if (cli->json)
		arr = json_new_array();
	else if (r->n == 0)
		printf("no schedules at %.7s: add NAME.schedule files to %s and commit "
		       "(see sitrep-schedule(5))\n", r->sha, cli->conf->playbooks);
	else
		printf("%-20s %-20s %-12s %-26s %s\n", "NAME", "TIME ZONE", "ON CALL", "UNTIL",
		       "LAST CHANGE");
	for (size_t i = 0; i < r->n; i++) {
		const struct rota_schedule *rs = &r->v[i];
		const char *who = NULL;
		int64_t until = INT64_MAX;
		char when[64];

		if (rs->s != NULL)
			rota_who(&who, &until, r, rs->name, now);
		if (cli->json) {
			struct json *o = json_new_object();

			json_set_str(o, "name", rs->name);
			json_set_bool(o, "valid", rs->s != NULL);
			json_set(o, "last_change", cli_commit_json(&changes[i]));
			if (rs->s != NULL) {
				json_set_str(o, "time_zone", rs->s->time_zone);
				json_set_str_or_null(o, "on_call", who);
				json_set(o, "until", time_json(until));
			} else
				json_set_int(o, "problems", (int64_t)rs->problems.n);
			json_append(arr, o);
			continue;
		}
		if (rs->s == NULL) {
			printf("%-20s %-20s %-12s %-26s %.7s %s\n", rs->name, "-", "-",
			       "(invalid: see 'sitrep schedule validate')", changes[i].sha,
			       changes[i].subject ? changes[i].subject : "");
			cli_error("warning: schedule '%s' at %.7s has %zu problem%s", rs->name,
				  r->sha, rs->problems.n, rs->problems.n == 1 ? "" : "s");
			continue;
		}
		fmt_local(when, sizeof(when), rs->s->tz, until);
		printf("%-20s %-20s %-12s %-26s %.7s %s\n", rs->name, rs->s->time_zone,
		       who ? who : "(nobody)", when, changes[i].sha,
		       changes[i].subject ? changes[i].subject : "");
	}
	if (cli->json)
		cli_print_json(arr);
out:
	repo_commits_free(changes, r->n);
	repo_free_names(paths, r->n);
	rota_free(r);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static void
layer_window(char *out, size_t len, const struct oncall_layer *l)
{
	size_t n = 0;

	out[0] = '\0';
	if (l->days != 0)
		for (int w = 1; w <= 7; w++)
			if (l->days & (1u << (w % 7)))
				n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "," : "",
						      oncall_day_name(w % 7));
	if (l->from >= 0 && n < len)
		snprintf(out + n, len - n, "%s%02d:%02d-%02d:%02d", n ? " " : "", l->from / 60,
			 l->from % 60, l->until / 60, l->until % 60);
	if (out[0] == '\0')
		snprintf(out, len, "always");
}

static void
length_text(char *out, size_t len, const struct oncall_layer *l)
{
	if (l->calendar && l->length % (7 * 86400) == 0)
		snprintf(out, len, "%lldw", (long long)(l->length / (7 * 86400)));
	else
		duration_format(out, len, l->length);
}

static struct json *
schedule_json(const struct rota *r, const struct rota_schedule *rs, const char *who,
	      int64_t until, const struct rota_handoff *h, size_t nh, int64_t now)
{
	const struct oncall_schedule *s = rs->s;
	struct json *o = json_new_object(), *layers = json_new_array();
	struct json *hs = json_new_array(), *ovs = json_new_array();

	json_set_str(o, "name", rs->name);
	json_set_str(o, "commit", r->sha);
	json_set_str(o, "time_zone", s->time_zone);
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct oncall_layer *l = &s->layers[i];
		struct json *e = json_new_object(), *days = json_new_array();
		char len[32], from[32], until_s[32];

		length_text(len, sizeof(len), l);
		json_set_str(e, "name", l->name);
		json_set(e, "people", json_new_str_array(l->people, l->npeople));
		json_set_str(e, "length", len);
		json_set(e, "start", json_new_time(l->start_ms));
		for (int w = 0; w < 7; w++)
			if (l->days & (1u << w))
				json_append_str(days, oncall_day_name(w));
		json_set(e, "days", days);
		if (l->from >= 0) {
			snprintf(from, sizeof(from), "%02d:%02d", l->from / 60, l->from % 60);
			snprintf(until_s, sizeof(until_s), "%02d:%02d", l->until / 60,
				 l->until % 60);
			json_set_str(e, "from", from);
			json_set_str(e, "until", until_s);
		} else {
			json_set(e, "from", json_new_null());
			json_set(e, "until", json_new_null());
		}
		json_append(layers, e);
	}
	json_set(o, "layers", layers);
	json_set(o, "at", json_new_time(now));
	json_set_str_or_null(o, "on_call", who);
	json_set(o, "until", time_json(until));
	for (size_t i = 0; i < nh; i++) {
		struct json *e = json_new_object();

		json_set(e, "at", json_new_time(h[i].at_ms));
		json_set_str_or_null(e, "from", h[i].from);
		json_set_str_or_null(e, "to", h[i].to);
		json_append(hs, e);
	}
	json_set(o, "handoffs", hs);
	for (size_t i = 0; i < rs->nrows; i++) {
		const struct store_override *v = &rs->rows[i];
		struct json *e = json_new_object();

		json_set_int(e, "id", v->id);
		json_set_str(e, "person", v->person);
		json_set(e, "from", json_new_time(v->from_at));
		json_set(e, "until", json_new_time(v->until_at));
		json_set_str(e, "reason", v->reason);
		json_set_str(e, "by", v->created_by);
		json_set(e, "at", json_new_time(v->created_at));
		json_append(ovs, e);
	}
	json_set(o, "overrides", ovs);
	return o;
}

static void
schedule_print(struct cli *cli, const struct rota *r, const struct rota_schedule *rs,
	       const char *rev, const char *who, int64_t until,
	       const struct rota_handoff *h, size_t nh)
{
	const struct oncall_schedule *s = rs->s;
	char when[64], a[64], len[32], win[64];

	printf("%s: on call in %s\n", rs->name, s->time_zone);
	printf("  commit      %.7s (%s)\n", r->sha, rev);
	fmt_local(when, sizeof(when), s->tz, until);
	printf("  now         %s%s%s\n", who ? who : "nobody",
	       until != INT64_MAX ? " until " : "", until != INT64_MAX ? when : "");
	printf("\nLayers (later ones win while they apply)\n");
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct oncall_layer *l = &s->layers[i];

		length_text(len, sizeof(len), l);
		layer_window(win, sizeof(win), l);
		fmt_local(a, sizeof(a), s->tz, l->start_ms);
		printf("  %-18s every %-4s from %s, %s\n", l->name, len, a, win);
		printf("  %-18s ", "");
		for (size_t k = 0; k < l->npeople; k++)
			printf("%s%s", k ? " -> " : "", cli_line(cli, l->people[k]));
		putchar('\n');
	}
	printf("\nHandoffs in the next %d days\n", SHOW_HANDOFF_DAYS);
	if (nh == 0)
		printf("  none\n");
	for (size_t i = 0; i < nh; i++) {
		fmt_local(a, sizeof(a), s->tz, h[i].at_ms);
		printf("  %-28s %s -> %s\n", a, h[i].from ? h[i].from : "nobody",
		       h[i].to ? h[i].to : "nobody");
	}
	if (rs->nrows > 0)
		printf("\nOverrides (cancel with 'sitrep schedule cancel ID')\n");
	for (size_t i = 0; i < rs->nrows; i++) {
		const struct store_override *v = &rs->rows[i];

		fmt_local(a, sizeof(a), s->tz, v->from_at);
		fmt_local(when, sizeof(when), s->tz, v->until_at);
		printf("  %-4lld %-12s %s until %s\n", (long long)v->id,
		       cli_line(cli, v->person), a, when);
		printf("  %-4s %-12s by %s: %s\n", "", "", cli_line(cli, v->created_by),
		       cli_line(cli, v->reason));
	}
}

static int
schedule_show(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct rota *r = NULL;
	const struct rota_schedule *rs;
	struct rota_handoff *h = NULL;
	const char *at = cli_args_get(args, "at"), *who;
	int64_t now = clock_now_ms(), until;
	size_t nh = 0;
	int rc;

	if (args->argc != 1)
		return cli_usage_error(&sub_show, args->argc == 0 ?
				       "name the schedule to show" : "too many arguments");
	if ((rc = load_rota(&r, &ctx, cli, at)) != 0)
		return cli_fail(rc);
	if ((rs = rota_schedule(r, args->argv[0])) != NULL && rs->s == NULL)
		diag_print(&rs->problems, stderr);
	if ((rc = rota_who(&who, &until, r, args->argv[0], now)) != 0) {
		rota_free(r);
		return cli_fail(rc);
	}
	/* the handoffs of this schedule alone */
	{
		struct rota one = *r;

		one.v = (struct rota_schedule *)rs;
		one.n = 1;
		rota_handoffs(&h, &nh, &one, now, now + SHOW_HANDOFF_DAYS * 86400000LL);
	}
	if (cli->json)
		cli_print_json(schedule_json(r, rs, who, until, h, nh, now));
	else
		schedule_print(cli, r, rs, at != NULL ? at : cli->conf->branch, who, until, h, nh);
	free(h);
	rota_free(r);
	return EXIT_OK;
}

/* Validate files on disk, or every schedule at the branch when none is
 * named; the site config, when there is one, checks the people. */
static int
schedule_validate(struct cli *cli, struct cli_args *args)
{
	struct diags d = DIAGS_INIT;
	struct repo_file *files = NULL;
	char sha[41];
	size_t nfiles = 0, ninvalid = 0, nchecked = 0;
	bool from_repo = args->argc == 0;
	int rc;

	if (from_repo) {
		if ((rc = cli_resolve(cli, NULL, sha)) != 0 ||
		    (rc = repo_read_files(&files, &nfiles, cli->repo, sha, ".schedule")) != 0)
			return cli_fail(rc);
	} else if (cli->config_path != NULL || getenv("SITREP_CONFIG") != NULL) {
		if ((rc = cli_load_conf(cli)) != 0)
			return cli_fail(rc);
	} else if (cli_load_conf(cli) != 0)
		err_clear(); /* no workspace: validate without the site config */
	for (size_t i = 0; i < (from_repo ? nfiles : (size_t)args->argc); i++) {
		const char *path = from_repo ? files[i].name : args->argv[i];
		struct oncall_schedule *s = NULL;
		size_t before = d.n, len = 0;
		char *text = NULL;

		nchecked++;
		if (from_repo) {
			text = files[i].text;
			len = files[i].len;
		} else if (cli_read_disk_file(&text, &len, path, "schedule", ONCALL_MAX_SIZE) != 0) {
			diag_add(&d, path, 0, "%s", err_last());
			ninvalid++;
			continue;
		}
		oncall_parse(&s, &d, text, len, path, cli->conf);
		if (!from_repo)
			free(text);
		if (d.n > before)
			ninvalid++;
		oncall_free(s);
	}
	cli_validation_report(cli, &d, nchecked, ninvalid, "schedule", from_repo ? sha : NULL);
	diag_release(&d);
	repo_files_free(files, nfiles);
	return ninvalid == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
schedule_log(struct cli *cli, struct cli_args *args)
{
	return cli_repo_log(cli, args, &sub_log, ".schedule", "schedule");
}

static int
schedule_diff(struct cli *cli, struct cli_args *args)
{
	return cli_repo_diff(cli, args, &sub_diff, ".schedule", "schedule");
}

static int
schedule_override(struct cli *cli, struct cli_args *args)
{
	const char *person = cli_args_get(args, "person"), *from = cli_args_get(args, "from");
	const char *until = cli_args_get(args, "until"), *msg = cli_args_get(args, "message");
	struct incident_ctx ctx;
	struct rota *r = NULL;
	const struct rota_schedule *rs;
	int64_t now = clock_now_ms(), from_ms, until_ms, id = 0;
	char a[64], b[64];
	int rc;

	if (args->argc != 1)
		return cli_usage_error(&sub_override, args->argc == 0 ?
				       "name the schedule to override" : "too many arguments");
	if (person == NULL || from == NULL || until == NULL || msg == NULL)
		return cli_usage_error(&sub_override, "give --person, --from, --until and "
				       "-m REASON");
	if ((rc = load_rota(&r, &ctx, cli, NULL)) != 0)
		return cli_fail(rc);
	if ((rs = rota_schedule(r, args->argv[0])) == NULL || rs->s == NULL) {
		const char *who;

		if (rs != NULL)
			diag_print(&rs->problems, stderr);
		rc = rota_who(&who, NULL, r, args->argv[0], now);
		rota_free(r);
		return cli_fail(rc);
	}
	if (parse_moment(&from_ms, from, rs->s->tz, now) != 0 ||
	    parse_moment(&until_ms, until, rs->s->tz, now) != 0) {
		rota_free(r);
		return cli_usage_error(&sub_override, "%s", err_last());
	}
	rc = rota_override(&id, &ctx, args->argv[0], person, from_ms, until_ms, msg);
	if (rc == 0) {
		fmt_local(a, sizeof(a), rs->s->tz, from_ms);
		fmt_local(b, sizeof(b), rs->s->tz, until_ms);
		if (cli->json) {
			struct json *j = json_new_object();

			json_set_int(j, "id", id);
			json_set_str(j, "schedule", args->argv[0]);
			json_set_str(j, "person", person);
			json_set(j, "from", json_new_time(from_ms));
			json_set(j, "until", json_new_time(until_ms));
			cli_print_json(j);
		} else
			printf("override %lld: %s on call for %s from %s until %s\n",
			       (long long)id, person, args->argv[0], a, b);
	}
	rota_free(r);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static int
schedule_cancel(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	char *end;
	long long id;
	int rc;

	if ((rc = cli_args_count(args, &sub_cancel, 1)) >= 0)
		return rc;
	id = strtoll(args->argv[0], &end, 10);
	if (*args->argv[0] == '\0' || *end != '\0' || id <= 0)
		return cli_usage_error(&sub_cancel, "'%s' is not an override id (a number "
				       "'sitrep schedule show NAME' lists)", args->argv[0]);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = rota_override_cancel(&ctx, id)) != 0)
		return cli_fail(rc);
	printf("override %lld cancelled\n", id);
	return EXIT_OK;
}

/* ---- sitrep oncall ---- */

static struct json *
oncall_schedule_json(const struct rota_schedule *rs, const char *who, int64_t until,
		     const char *next)
{
	struct json *o = json_new_object();

	json_set_str(o, "name", rs->name);
	json_set_bool(o, "valid", rs->s != NULL);
	json_set_str_or_null(o, "time_zone", rs->s ? rs->s->time_zone : NULL);
	json_set_str_or_null(o, "on_call", who);
	json_set(o, "until", time_json(until));
	json_set_str_or_null(o, "next", next);
	return o;
}

static int
oncall_exec(struct cli *cli, struct cli_args *args)
{
	const char *attext = cli_args_get(args, "at");
	struct incident_ctx ctx;
	struct rota *r = NULL;
	struct json *j = NULL, *schedules = NULL, *tiers = NULL;
	int64_t now = clock_now_ms(), at = now;
	int rc;

	if ((rc = cli_args_count(args, &cmd_oncall_entry, 0)) >= 0)
		return rc;
	if ((rc = load_rota(&r, &ctx, cli, NULL)) != 0)
		return cli_fail(rc);
	if (attext != NULL) {
		struct tz *site = NULL;

		if (tz_load(&site, cli->conf->time_zone ? cli->conf->time_zone : "UTC") != 0)
			site = NULL;
		rc = parse_moment(&at, attext, site, now);
		tz_free(site);
		if (rc != 0) {
			rota_free(r);
			return cli_usage_error(&cmd_oncall_entry, "%s", err_last());
		}
	}
	if (cli->json) {
		j = json_new_object();
		schedules = json_new_array();
		tiers = json_new_array();
		json_set(j, "at", json_new_time(at));
		json_set_str(j, "commit", r->sha);
	} else if (r->n == 0)
		printf("no schedules at %.7s: add NAME.schedule files to %s and commit\n",
		       r->sha, cli->conf->playbooks);
	else
		printf("%-20s %-12s %-26s %s\n", "SCHEDULE", "ON CALL", "UNTIL", "NEXT");
	for (size_t i = 0; i < r->n; i++) {
		const struct rota_schedule *rs = &r->v[i];
		const char *who = NULL, *next = NULL;
		int64_t until = INT64_MAX;
		char when[64];

		if (rs->s != NULL) {
			rota_who(&who, &until, r, rs->name, at);
			if (until != INT64_MAX)
				rota_who(&next, NULL, r, rs->name, until);
		}
		if (cli->json) {
			json_append(schedules, oncall_schedule_json(rs, who, until, next));
			continue;
		}
		if (rs->s == NULL) {
			printf("%-20s %-12s %s\n", rs->name, "-",
			       "(invalid: see 'sitrep schedule validate')");
			continue;
		}
		fmt_local(when, sizeof(when), rs->s->tz, until);
		printf("%-20s %-12s %-26s %s\n", rs->name, who ? who : "(nobody)", when,
		       until == INT64_MAX ? "-" : next ? next : "(nobody)");
	}
	if (!cli->json)
		printf("\n%-5s %-24s %s\n", "TIER", "PEOPLE", "SCHEDULES (ON CALL)");
	for (int t = 0; t < 5; t++) {
		const struct conf_tier *ct = &cli->conf->tiers[t];
		struct json *o = NULL, *ss = NULL;
		char name[8], people[256];
		size_t n = 0;

		snprintf(name, sizeof(name), "L%d", t);
		people[0] = '\0';
		for (size_t k = 0; k < ct->npeople && n < sizeof(people); k++)
			n += (size_t)snprintf(people + n, sizeof(people) - n, "%s%s",
					      k ? ", " : "", ct->people[k]);
		if (cli->json) {
			o = json_new_object();
			ss = json_new_array();
			json_set_str(o, "tier", name);
			json_set(o, "people", json_new_str_array(ct->people, ct->npeople));
		} else
			printf("%-5s %-24s", name, ct->npeople ? people : "-");
		for (size_t k = 0; k < ct->nschedules; k++) {
			const char *who = NULL;
			int found = rota_who(&who, NULL, r, ct->schedules[k], at);

			if (cli->json) {
				struct json *e = json_new_object();

				json_set_str(e, "name", ct->schedules[k]);
				json_set_str_or_null(e, "on_call", who);
				if (found != 0)
					json_set_str(e, "problem", err_last());
				json_append(ss, e);
			} else
				printf("%s%s: %s", k ? ", " : " ", ct->schedules[k],
				       found == SR_ENOTFOUND ? "(no such schedule)" :
				       found != 0 ? "(invalid)" : who ? who : "(nobody)");
		}
		err_clear();
		if (cli->json) {
			json_set(o, "schedules", ss);
			json_append(tiers, o);
		} else
			printf("%s\n", ct->nschedules ? "" : " -");
	}
	if (cli->json) {
		json_set(j, "schedules", schedules);
		json_set(j, "tiers", tiers);
		cli_print_json(j);
	}
	rota_free(r);
	return EXIT_OK;
}

static int
schedule_dispatch(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_entry *const subs[] = {
		&sub_list, &sub_show, &sub_validate, &sub_log, &sub_diff, &sub_override,
		&sub_cancel,
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;

		cli_usage(&cmd_schedule_entry, fp);
		fprintf(fp, "\n  list      the schedules at the branch, who is on call now\n"
			    "  show      one schedule as parsed, its next handoffs and overrides\n"
			    "  validate  check schedule files before committing them\n"
			    "  log       the commits that changed a schedule\n"
			    "  diff      how a schedule changed between two revisions\n"
			    "  override  put someone on call instead of the rotation for a while\n"
			    "  cancel    cancel an override\n"
			    "\nRun 'sitrep schedule SUBCOMMAND --help' for more; see "
			    "sitrep-schedule(5).\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i]->name + strlen("schedule ")) == 0)
			return cli_run(cli, subs[i], argc - 1, argv + 1);
	return cli_usage_error(&cmd_schedule_entry, "unknown schedule subcommand '%s'",
			       argv[1]);
}
