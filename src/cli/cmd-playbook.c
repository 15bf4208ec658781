/* cmd-playbook.c: `sitrep playbook list|show|validate|log|diff`, the
 * playbook author's and the commander's view of the playbook repository.
 * Parsing is playbook.c's job and git is repo.c's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/oncall.h"
#include "sitrep/playbook.h"
#include "sitrep/repo.h"
#include "sitrep/store.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

static int playbook_dispatch(struct cli *, int, char **);

const struct cmd_entry cmd_playbook_entry = {
	.name = "playbook",
	.usage = "list [--at REV] | show NAME [--at REV] | validate [FILE...] | log [NAME] | diff NAME REV [REV]",
	.summary = "list, show, validate and trace the playbooks in the git repository",
	.dispatch = playbook_dispatch,
};

/* The subcommands' options: only list and show take --at. */
static const struct cli_option playbook_options[] = {
	{ "at", 0, true, NULL },
	{ NULL, 0, false, NULL }
};

static int playbook_list(struct cli *, struct cli_args *);
static const struct cmd_entry sub_list = {
	.name = "playbook list",
	.usage = "[--at REV] [--json]",
	.summary = "List the playbooks at the configured branch (or REV): name, title,\n"
	"default severity, and the last commit that changed each.",
	.options = playbook_options,
	.refused_here = true,
	.exec = playbook_list,
};
static int playbook_show(struct cli *, struct cli_args *);
static const struct cmd_entry sub_show = {
	.name = "playbook show",
	.usage = "NAME [--at REV] [--json]",
	.summary = "Show a playbook as parsed: roles, escalation, cadence, apology and\n"
	"approval policies, steps and templates, and the commit it was read from.",
	.options = playbook_options,
	.refused_here = true,
	.exec = playbook_show,
};
static int playbook_validate(struct cli *, struct cli_args *);
static const struct cmd_entry sub_validate = {
	.name = "playbook validate",
	.usage = "[FILE...] [--json]",
	.summary = "Validate playbook files on disk (before committing them), or with no\n"
	"FILE every playbook at the configured branch. Lists every problem as\n"
	"FILE:LINE: message and exits 1 when any playbook is invalid. A FILE must\n"
	"be a regular file of at most 1 MiB. With a site config, a tiered\n"
	"playbook is invalid too when someone it can page (on its tiers' rosters,\n"
	"in a role's who, or on call on a schedule those name) has a notify rule\n"
	"that waits as long as its ack_timeout (reported at the rule's line), and\n"
	"any playbook when a role's who names neither a person nor a schedule at\n"
	"the commit validated (the branch head for a FILE).",
	.options = playbook_options,
	.takes = "",
	.refused_here = true,
	.exec = playbook_validate,
};
static int playbook_log(struct cli *, struct cli_args *);
static const struct cmd_entry sub_log = {
	.name = "playbook log",
	.usage = "[NAME] [--json]",
	.summary = "The commits that changed the playbook NAME (or any playbook), newest\n"
	"first: short SHA, date, author and subject.",
	.options = playbook_options,
	.takes = "",
	.refused_here = true,
	.exec = playbook_log,
};
static int playbook_diff(struct cli *, struct cli_args *);
static const struct cmd_entry sub_diff = {
	.name = "playbook diff",
	.usage = "NAME REV [REV] [--json]",
	.summary = "The unified diff of NAME between REV and the second REV (default: the\n"
	"configured branch's head).",
	.options = playbook_options,
	.takes = "",
	.refused_here = true,
	.exec = playbook_diff,
};

static void
short_sha(char out[8], const char *sha)
{
	memcpy(out, sha, 7);
	out[7] = '\0';
}

static void
format_date(char *out, size_t len, int64_t secs)
{
	time_t t = (time_t)secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

struct json *
cli_commit_json(const struct repo_commit *c)
{
	struct json *o;
	char iso[32];

	if (c->author == NULL)
		return json_new_null();
	clock_format_iso(iso, sizeof(iso), c->time * 1000);
	o = json_new_object();
	json_set_str(o, "sha", c->sha);
	json_set_str(o, "date", iso);
	json_set_str(o, "author", c->author);
	json_set_str(o, "subject", c->subject);
	return o;
}


/* Validate one playbook and keep what `list` shows of it. */
static void
summarize(struct store_summary *sum, struct cli *cli, const char *sha,
	  const char *file)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	char *text;
	size_t len;

	if (repo_read_file(&text, &len, cli->repo, sha, file) == 0) {
		playbook_parse(&pb, &d, text, len, file, cli->conf);
		free(text);
	} else
		diag_add(&d, file, 0, "%s", err_last());
	sum->title = pb != NULL ? xstrdup(pb->title) : NULL;
	sum->severity = pb != NULL ? pb->severity : 0;
	sum->problems = (int)d.n;
	playbook_free(pb);
	diag_release(&d);
}

/* What a cached summary depends on besides the blob: the validator and the
 * component ids of the site config. */
static char *
summary_context(const struct conf *conf)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, playbook_rules_id());
	buf_adds(&b, "; components");
	for (size_t i = 0; i < conf->ncomponents; i++)
		buf_addf(&b, " %s", conf->components[i].id);
	return buf_detach(&b);
}

/*
 * The summaries of files at sha. Each playbook blob is validated once and
 * the result kept in the store, so `list` only parses what changed since;
 * without a usable store it validates everything and says nothing.
 */
static struct store_summary *
summaries(struct cli *cli, const char *sha, char **files, size_t nfiles)
{
	struct store_summary *v = xcalloc(nfiles + 1, sizeof(*v)), *fresh;
	char *context = summary_context(cli->conf);
	struct store *st = NULL;
	size_t nfresh = 0;

	fresh = xcalloc(nfiles + 1, sizeof(*fresh));
	if (store_open(&st, cli->conf->database) != 0)
		st = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		if (repo_file_id(v[i].blob, cli->repo, sha, files[i]) == 0 &&
		    st != NULL && store_summary_get(&v[i], st, context) == 0)
			continue;
		summarize(&v[i], cli, sha, files[i]);
		if (v[i].blob[0] != '\0')
			fresh[nfresh++] = v[i];
	}
	if (st != NULL && store_summaries_put(st, context, fresh, nfresh) != 0)
		err_clear(); /* a cache that cannot be written is only slower */
	store_close(st);
	free(fresh);
	free(context);
	return v;
}

static int
playbook_list(struct cli *cli, struct cli_args *args)
{
	char sha[41], **files = NULL;
	size_t nfiles = 0;
	struct repo_commit *changes = NULL;
	struct store_summary *sums = NULL;
	struct json *arr = NULL;
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&sub_list, "unexpected argument '%s'", args->argv[0]);
	if ((rc = cli_resolve(cli, cli_args_get(args, "at"), sha)) != 0 ||
	    (rc = repo_list_files(&files, &nfiles, cli->repo, sha, ".playbook")) != 0)
		return cli_fail(rc);
	changes = xcalloc(nfiles + 1, sizeof(*changes));
	if ((rc = repo_last_changes(changes, cli->repo, sha, files, nfiles)) != 0)
		goto out;
	sums = summaries(cli, sha, files, nfiles);
	if (cli->json)
		arr = json_new_array();
	else if (nfiles == 0)
		printf("no playbooks at %.7s: add NAME.playbook files to %s and commit\n",
		       sha, cli->conf->playbooks);
	else
		printf("%-20s %-5s %-40s %s\n", "NAME", "SEV", "TITLE", "LAST CHANGE");
	for (size_t i = 0; i < nfiles; i++) {
		const struct store_summary *sum = &sums[i];
		char *name = playbook_name_from_path(files[i]);
		const char *subject = changes[i].subject ? changes[i].subject : "";
		char date[32], sh[8];

		short_sha(sh, changes[i].sha);
		format_date(date, sizeof(date), changes[i].time);
		if (cli->json) {
			struct json *o = json_new_object();
			char sev[16];

			json_set_str(o, "name", name);
			json_set_bool(o, "valid", sum->title != NULL);
			json_set(o, "last_change", cli_commit_json(&changes[i]));
			if (sum->title != NULL) {
				json_set_str(o, "title", sum->title);
				snprintf(sev, sizeof(sev), "SEV%d", sum->severity);
				json_set_str(o, "severity", sev);
			} else
				json_set_int(o, "problems", sum->problems);
			json_append(arr, o);
		} else if (sum->title != NULL)
			printf("%-20s SEV%d  %-40.40s %s %s %s\n", name, sum->severity,
			       sum->title, sh, date, subject);
		else {
			printf("%-20s %-5s %-40s %s %s %s\n", name, "-",
			       "(invalid: see 'sitrep playbook validate')", sh, date, subject);
			cli_error("warning: playbook '%s' at %.7s has %d problem%s",
				  name, sha, sum->problems, sum->problems == 1 ? "" : "s");
		}
		free(name);
	}
	if (cli->json)
		cli_print_json(arr);
out:
	for (size_t i = 0; sums != NULL && i < nfiles; i++)
		store_summary_release(&sums[i]);
	free(sums);
	repo_commits_free(changes, nfiles);
	repo_free_names(files, nfiles);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static struct json *
dur_json(int64_t secs)
{
	char d[32];

	if (secs == 0)
		return json_new_null();
	duration_format(d, sizeof(d), secs);
	return json_new_string(d);
}

static struct json *
sev_json(int sev)
{
	char s[16];

	if (sev == 0)
		return json_new_null();
	snprintf(s, sizeof(s), "SEV%d", sev);
	return json_new_string(s);
}

static struct json *
roles_json(const struct playbook *pb)
{
	struct json *roles = json_new_array();

	for (size_t i = 0; i < pb->nroles; i++) {
		const struct playbook_role *r = &pb->roles[i];
		struct json *e = json_new_object();

		json_set_str(e, "id", r->id);
		json_set_str(e, "title", r->title);
		json_set_bool(e, "required", r->required);
		json_set_int(e, "max", r->max);
		json_set(e, "handover", dur_json(r->handover));
		json_set_str_or_null(e, "duties", r->duties);
		json_append(roles, e);
	}
	return roles;
}

static struct json *
escalation_json(const struct playbook *pb)
{
	struct json *o = json_new_object(), *tiers = json_new_array();

	for (size_t i = 0; i < pb->escalation.ntiers; i++) {
		char t[16];

		snprintf(t, sizeof(t), "L%d", pb->escalation.tiers[i]);
		json_append_str(tiers, t);
	}
	json_set_str(o, "mode", pb->escalation.mode == PLAYBOOK_SWARM ? "swarm" : "tiered");
	json_set(o, "ack_timeout", dur_json(pb->escalation.ack_timeout));
	json_set(o, "tiers", tiers);
	return o;
}

static struct json *
cadence_json(const struct playbook *pb)
{
	struct json *cad = json_new_array();

	for (size_t i = 0; i < pb->ncadence; i++) {
		const struct playbook_cadence *c = &pb->cadence[i];
		struct json *e = json_new_object(), *every = json_new_object();

		for (int s = 1; s <= 4; s++)
			if (c->every[s] != 0) {
				char k[8];
				snprintf(k, sizeof(k), "SEV%d", s);
				json_set(every, k, dur_json(c->every[s]));
			}
		json_set_str(e, "audience", c->audience);
		json_set(e, "every", every);
		json_set(e, "first_within", dur_json(c->first_within));
		json_append(cad, e);
	}
	return cad;
}

static struct json *
apology_json(const struct playbook *pb)
{
	struct json *o;

	if (pb->apology.min_severity == 0)
		return json_new_null();
	o = json_new_object();
	json_set(o, "audiences", json_new_str_array(pb->apology.audiences, pb->apology.naudiences));
	json_set(o, "min_severity", sev_json(pb->apology.min_severity));
	json_set(o, "within", dur_json(pb->apology.within));
	json_set_str(o, "template", pb->apology.template_id);
	return o;
}

static struct json *
approval_json(const struct playbook *pb)
{
	struct json *o;

	if (pb->approval.min_severity == 0)
		return json_new_null();
	o = json_new_object();
	json_set(o, "audiences", json_new_str_array(pb->approval.audiences, pb->approval.naudiences));
	json_set(o, "min_severity", sev_json(pb->approval.min_severity));
	json_set(o, "approvers", json_new_str_array(pb->approval.approvers, pb->approval.napprovers));
	return o;
}

static struct json *
steps_json(const struct playbook *pb)
{
	static const char *const by[] = { "", "update", "role", "status", "apology" };
	struct json *steps = json_new_array();

	for (size_t i = 0; i < pb->nsteps; i++) {
		const struct playbook_step *s = &pb->steps[i];
		struct json *step = json_new_object(), *on = json_new_null();

		json_set_str(step, "id", s->id);
		json_set_str(step, "title", s->title);
		json_set_str(step, "role", s->role);
		json_set(step, "due", dur_json(s->due));
		json_set(step, "min_severity", sev_json(s->min_severity));
		json_set_bool(step, "required", s->required);
		json_set_str_or_null(step, "notes", s->notes);
		if (s->completes_on != PLAYBOOK_COMPLETES_NONE) {
			json_free(on);
			on = json_new_object();
			json_set_str(on, by[s->completes_on], s->completes_value);
		}
		json_set(step, "completes_on", on);
		json_append(steps, step);
	}
	return steps;
}

static struct json *
templates_json(const struct playbook *pb)
{
	struct json *tpl = json_new_array();

	for (size_t i = 0; i < pb->ntemplates; i++) {
		const struct playbook_template *t = &pb->templates[i];
		struct json *e = json_new_object();

		json_set_str(e, "id", t->id);
		json_set_str(e, "audience", t->audience);
		json_set_str_or_null(e, "status", t->status);
		json_set_str(e, "text", t->text);
		json_append(tpl, e);
	}
	return tpl;
}

static struct json *
routes_json(const struct playbook *pb)
{
	struct json *routes = json_new_array();

	for (size_t i = 0; i < pb->nroutes; i++) {
		const struct playbook_route *r = &pb->routes[i];
		struct json *e = json_new_object();

		json_set_str(e, "audience", r->audience);
		json_set(e, "channels", json_new_str_array(r->channels, r->nchannels));
		json_set_str_or_null(e, "from_name", r->from_name);
		json_set_str_or_null(e, "subject", r->subject);
		json_append(routes, e);
	}
	return routes;
}

static struct json *
playbook_json(const struct playbook *pb, const char *sha)
{
	struct json *o = json_new_object(), *vars = json_new_array(), *ci = json_new_object();

	json_set_str(o, "name", pb->name);
	json_set_str(o, "commit", sha);
	json_set_str(o, "title", pb->title);
	json_set_str(o, "summary", pb->summary);
	json_set(o, "severity", sev_json(pb->severity));
	json_set(o, "components", json_new_str_array(pb->components, pb->ncomponents));
	json_set(o, "audiences", json_new_str_array(pb->audiences, pb->naudiences));
	json_set(o, "roles", roles_json(pb));
	json_set(o, "escalation", escalation_json(pb));
	json_set(o, "cadence", cadence_json(pb));
	json_set(o, "apology", apology_json(pb));
	json_set(o, "approval", approval_json(pb));
	json_set(o, "steps", steps_json(pb));
	json_set(o, "templates", templates_json(pb));
	json_set(o, "routes", routes_json(pb));
	/* the words for the public (issue 11): variables, public title, and
	 * what an incident does to component status, by severity */
	for (size_t i = 0; i < pb->nvariables; i++) {
		struct json *e = json_new_object();

		json_set_str(e, "name", pb->variables[i].name);
		json_set_str(e, "description", pb->variables[i].description);
		json_set_bool(e, "required", pb->variables[i].required);
		json_append(vars, e);
	}
	for (int sev = 1; sev <= 4; sev++)
		if (pb->component_impact[sev] != NULL)
			json_set_str(ci, vocab_severity_name(sev), pb->component_impact[sev]);
	json_set(o, "variables", vars);
	json_set_str_or_null(o, "public_title", pb->public_title);
	json_set(o, "component_impact", ci);
	return o;
}

static void
print_list(const char *label, char *const *v, size_t n)
{
	printf("%s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("%s\n", n == 0 ? "-" : "");
}

static void
print_indented(const char *text, const char *indent)
{
	printf("%s", indent);
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1] != '\0')
			printf("%s", indent);
	}
	putchar('\n');
}

static void
playbook_print(const struct playbook *pb, const char *sha, const char *rev)
{
	char d[32], e[32];

	printf("%s: %s\n", pb->name, pb->title);
	printf("  commit      %.7s (%s)\n", sha, rev);
	printf("  summary     %s\n", pb->summary);
	printf("  severity    SEV%d (%s) by default\n", pb->severity,
	       vocab_severity_impact(pb->severity));
	print_list("  components  ", pb->components, pb->ncomponents);
	print_list("  audiences   ", pb->audiences, pb->naudiences);

	printf("\nRoles\n");
	for (size_t i = 0; i < pb->nroles; i++) {
		const struct playbook_role *r = &pb->roles[i];

		printf("  %-12s %-28s %s", r->id, r->title, r->required ? "required" : "optional");
		if (r->max > 1)
			printf(", up to %d", r->max);
		if (r->handover) {
			duration_format(d, sizeof(d), r->handover);
			printf(", hand over every %s", d);
		}
		putchar('\n');
		if (r->duties)
			printf("  %-12s %s\n", "", r->duties);
	}

	duration_format(d, sizeof(d), pb->escalation.ack_timeout);
	printf("\nEscalation  %s, acknowledge within %s, tiers ",
	       pb->escalation.mode == PLAYBOOK_SWARM ? "swarm (page every tier at once)" :
	       "tiered", d);
	for (size_t i = 0; i < pb->escalation.ntiers; i++)
		printf("%sL%d", i ? " -> " : "", pb->escalation.tiers[i]);
	putchar('\n');

	if (pb->ncadence > 0)
		printf("\nCadence (how often each audience hears from us)\n");
	for (size_t i = 0; i < pb->ncadence; i++) {
		const struct playbook_cadence *c = &pb->cadence[i];

		printf("  %-12s", c->audience);
		for (int s = 1; s <= 4; s++) {
			if (c->every[s] == 0)
				continue;
			duration_format(d, sizeof(d), c->every[s]);
			printf(" SEV%d every %-4s", s, d);
		}
		if (c->first_within) {
			duration_format(d, sizeof(d), c->first_within);
			printf(" first within %s", d);
		}
		putchar('\n');
	}
	if (pb->apology.min_severity) {
		duration_format(d, sizeof(d), pb->apology.within);
		print_list("\nApology     owed to ", pb->apology.audiences, pb->apology.naudiences);
		printf("            at SEV%d or worse, within %s, template '%s'\n",
		       pb->apology.min_severity, d, pb->apology.template_id);
	}
	if (pb->approval.min_severity) {
		print_list("\nApproval    before posting to ", pb->approval.audiences,
			   pb->approval.naudiences);
		printf("            at SEV%d or worse, by ", pb->approval.min_severity);
		print_list("", pb->approval.approvers, pb->approval.napprovers);
	}
	if (pb->nsteps > 0)
		printf("\nSteps\n");
	for (size_t i = 0; i < pb->nsteps; i++) {
		const struct playbook_step *s = &pb->steps[i];

		duration_format(d, sizeof(d), s->due);
		snprintf(e, sizeof(e), " [SEV%d and worse]", s->min_severity);
		printf("  %-16s due %-5s %-12s %s%s%s\n", s->id, d, s->role, s->title,
		       s->required ? " [required]" : "", s->min_severity ? e : "");
		if (s->completes_on != PLAYBOOK_COMPLETES_NONE)
			printf("  %-16s done by %s %s\n", "", s->completes_on ==
			       PLAYBOOK_COMPLETES_UPDATE ? "an update to" : s->completes_on ==
			       PLAYBOOK_COMPLETES_APOLOGY ? "an apology to" : s->completes_on ==
			       PLAYBOOK_COMPLETES_ROLE ? "filling the role" : "reaching status",
			       s->completes_value);
	}
	if (pb->nroutes > 0)
		printf("\nRoutes\n");
	for (size_t i = 0; i < pb->nroutes; i++) {
		const struct playbook_route *r = &pb->routes[i];

		printf("  %-16s only to ", r->audience);
		print_list("", r->channels, r->nchannels);
		if (r->from_name != NULL)
			printf("  %-16s from \"%s\"\n", "", r->from_name);
		if (r->subject != NULL)
			printf("  %-16s subject \"%s\"\n", "", r->subject);
	}
	if (pb->ntemplates > 0)
		printf("\nTemplates\n");
	for (size_t i = 0; i < pb->ntemplates; i++) {
		const struct playbook_template *t = &pb->templates[i];

		printf("  %s (%s%s%s)\n", t->id, t->audience, t->status ? ", " : "",
		       t->status ? t->status : "");
		print_indented(t->text, "      ");
	}
}

static int
playbook_show(struct cli *cli, struct cli_args *args)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	const char *at = cli_args_get(args, "at");
	char sha[41];
	int rc;

	if (args->argc != 1)
		return cli_usage_error(&sub_show, args->argc == 0 ?
				       "name the playbook to show" : "too many arguments");
	if ((rc = cli_resolve(cli, at, sha)) != 0)
		return cli_fail(rc);
	rc = playbook_load(&pb, &d, cli->repo, sha, args->argv[0], cli->conf);
	diag_print(&d, stderr);
	diag_release(&d);
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json)
		cli_print_json(playbook_json(pb, sha));
	else
		playbook_print(pb, sha, at != NULL ? at : cli->conf->branch);
	playbook_free(pb);
	return EXIT_OK;
}

/*
 * A playbook (or schedule: what) file on disk: a regular file of at most
 * max bytes, read in one piece. Opened without blocking (a FIFO or a device
 * would wait for a writer, or never end: /dev/zero), checked with fstat
 * before anything is read, and read no further than the limit even if
 * the file grows meanwhile.
 */
int
cli_read_disk_file(char **out, size_t *len, const char *path, const char *what,
		   size_t max)
{
	struct stat st;
	char *text;
	size_t n = 0;
	ssize_t got;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(errno == ENOENT ? SR_ENOTFOUND : SR_EREFUSED,
			       "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return err_set(SR_ESYS, "cannot read '%s': %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(SR_EREFUSED, "'%s' is not a regular file: a %s is a "
			       "file of at most %zu KiB", path, what, max / 1024);
	}
	if (st.st_size > (off_t)max) {
		close(fd);
		return err_set(SR_EREFUSED, "'%s' is %lld bytes, more than a %s may "
			       "be (%zu KiB)", path, (long long)st.st_size, what,
			       max / 1024);
	}
	text = xmalloc(max + 2);
	while (n <= max && (got = read(fd, text + n, max + 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			close(fd);
			free(text);
			return err_set(SR_ESYS, "cannot read '%s': %s", path, strerror(e));
		}
		n += (size_t)got;
	}
	close(fd);
	if (n > max) {
		free(text);
		return err_set(SR_EREFUSED, "'%s' grew past %zu KiB while it was read: a "
			       "%s is a file of at most that", path, max / 1024, what);
	}
	text[n] = '\0';
	*out = text;
	*len = n;
	return 0;
}

/* The on-call schedules at a commit, for what a playbook reaches through
 * them: each by name, NULL when its file is invalid. */
struct schedset {
	bool known;             /* false: no repository to read them from */
	char sha[41];
	char **names;
	struct oncall_schedule **s;
	size_t n;
};

static void
schedset_load(struct schedset *set, struct cli *cli, const char *sha)
{
	struct repo_file *files = NULL;
	size_t nfiles = 0;

	memset(set, 0, sizeof(*set));
	if (repo_read_files(&files, &nfiles, cli->repo, sha, ".schedule") != 0) {
		err_clear();
		return;
	}
	set->known = true;
	memcpy(set->sha, sha, 41);
	set->names = xcalloc(nfiles + 1, sizeof(*set->names));
	set->s = xcalloc(nfiles + 1, sizeof(*set->s));
	for (size_t i = 0; i < nfiles; i++) {
		struct diags d = DIAGS_INIT;

		if ((set->names[set->n] = oncall_name_from_path(files[i].name)) == NULL)
			continue;
		/* an invalid schedule is `schedule validate`'s to report */
		oncall_parse(&set->s[set->n], &d, files[i].text, files[i].len, files[i].name,
			     cli->conf);
		diag_release(&d);
		set->n++;
	}
	err_clear();
	repo_files_free(files, nfiles);
}

static void
schedset_release(struct schedset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->names[i]);
		oncall_free(set->s[i]);
	}
	free(set->names);
	free(set->s);
	memset(set, 0, sizeof(*set));
}

/* The schedule called name: true when it is there, *s NULL when invalid. */
static bool
schedset_find(const struct oncall_schedule **s, const struct schedset *set, const char *name)
{
	*s = NULL;
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->names[i], name) == 0) {
			*s = set->s[i];
			return true;
		}
	return false;
}

static bool
strs_have(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Whether pb reaches person directly (a tier roster or a role's who), as
 * playbook_check_people sees it: its problems are reported there. */
static bool
reaches_directly(const struct playbook *pb, const struct conf *c, const char *person)
{
	for (size_t i = 0; i < pb->escalation.ntiers; i++) {
		const struct conf_tier *t = &c->tiers[pb->escalation.tiers[i]];

		if (strs_have(t->people, t->npeople, person))
			return true;
	}
	for (size_t i = 0; i < pb->nroles; i++)
		if (strs_have(pb->roles[i].who, pb->roles[i].nwho, person))
			return true;
	return false;
}

/* The people on schedule s who are reached through it only, checked
 * against pb's ack_timeout like playbook_check_people does; seen keeps
 * who was checked already. */
static void
check_schedule_people(const struct playbook *pb, const struct conf *c, const char *name,
		      const struct oncall_schedule *s, char ***seen, size_t *nseen,
		      struct diags *d)
{
	char timeout[32], after[32];

	duration_format(timeout, sizeof(timeout), pb->escalation.ack_timeout);
	for (size_t l = 0; l < s->nlayers; l++)
		for (size_t k = 0; k < s->layers[l].npeople; k++) {
			const char *handle = s->layers[l].people[k];
			const struct conf_person *p = conf_person(c, handle);

			if (p == NULL || strs_have(*seen, *nseen, handle) ||
			    reaches_directly(pb, c, handle))
				continue;
			*seen = xreallocarray(*seen, *nseen + 1, sizeof(**seen));
			(*seen)[(*nseen)++] = (char *)handle; /* borrowed */
			for (size_t i = 0; i < p->nnotify; i++) {
				const struct conf_notify *n = &p->notify[i];

				if (n->after < pb->escalation.ack_timeout)
					continue;
				duration_format(after, sizeof(after), n->after);
				diag_add(d, c->path, n->line,
					 "person '%s' (on call on schedule '%s'): contact '%s' is "
					 "notified after %s, but playbook '%s' escalates past them "
					 "after %s (ack_timeout, %s.playbook:%d): make 'after' "
					 "shorter than %s", handle, name, p->contacts[n->contact].id,
					 after, pb->name, timeout, pb->name, pb->escalation.line,
					 timeout);
			}
		}
}

/*
 * What pb reaches through on-call schedules at the commit of set: a
 * role's `who` entry must be a person of the site config or a schedule
 * there (at path:line); and in a tiered playbook, the people on the
 * schedules it can page (its tiers' rosters, its roles' who) must hear of
 * a page before it escalates past them.
 */
static void
check_schedules(const struct playbook *pb, const char *path, const struct conf *c,
		const struct schedset *set, struct diags *d)
{
	const struct oncall_schedule *s;
	char **seen = NULL;
	size_t nseen = 0;
	bool tiered = pb->escalation.mode == PLAYBOOK_TIERED;

	if (!set->known)
		return;
	for (size_t i = 0; i < pb->nroles; i++) {
		const struct playbook_role *r = &pb->roles[i];

		for (size_t k = 0; k < r->nwho; k++) {
			if (conf_person(c, r->who[k]) != NULL)
				continue;
			if (!schedset_find(&s, set, r->who[k])) {
				/* a name no schedule can have is reported by the parser */
				if (conf_schedule_name_valid(r->who[k]))
					diag_add(d, path, r->who_line,
						 "role '%s': who names '%s', which is neither a "
						 "person of the site config (%s) nor a schedule at "
						 "%.7s: add them to 'people', or commit %s.schedule",
						 r->id, r->who[k], c->path, set->sha, r->who[k]);
				continue;
			}
			if (tiered && s != NULL)
				check_schedule_people(pb, c, r->who[k], s, &seen, &nseen, d);
		}
	}
	for (size_t i = 0; tiered && i < pb->escalation.ntiers; i++) {
		const struct conf_tier *t = &c->tiers[pb->escalation.tiers[i]];

		for (size_t k = 0; k < t->nschedules; k++)
			if (schedset_find(&s, set, t->schedules[k]) && s != NULL)
				check_schedule_people(pb, c, t->schedules[k], s, &seen, &nseen, d);
	}
	free(seen);
}

/*
 * Validate files on disk, or every playbook at the branch when none is
 * named. The site config, when there is one, checks component ids too; an
 * author may validate without a workspace.
 */
static int
playbook_validate(struct cli *cli, struct cli_args *args)
{
	struct diags d = DIAGS_INIT;
	struct schedset set = { 0 };
	char sha[41], **files = NULL;
	size_t nfiles = 0, ninvalid = 0, nchecked = 0;
	bool from_repo;
	int rc;

	from_repo = args->argc == 0;
	if (from_repo) {
		if ((rc = cli_resolve(cli, NULL, sha)) != 0 ||
		    (rc = repo_list_files(&files, &nfiles, cli->repo, sha, ".playbook")) != 0)
			return cli_fail(rc);
	} else if (cli->config_path != NULL || getenv("SITREP_CONFIG") != NULL) {
		if ((rc = cli_load_conf(cli)) != 0)
			return cli_fail(rc);
	} else if (cli_load_conf(cli) != 0)
		err_clear(); /* no workspace: validate without the site config */
	/* the schedules a playbook's roles and tiers name: at the commit
	 * validated, or for files on disk at the branch head (when there is
	 * a repository) */
	if (from_repo)
		schedset_load(&set, cli, sha);
	else if (cli->conf != NULL) {
		if (cli_resolve(cli, NULL, sha) == 0)
			schedset_load(&set, cli, sha);
		else
			err_clear();
	}
	for (size_t i = 0; i < (from_repo ? nfiles : (size_t)args->argc); i++) {
		const char *path = from_repo ? files[i] : args->argv[i];
		struct playbook *pb = NULL;
		size_t before = d.n;
		char *text;
		size_t len;

		rc = from_repo ? repo_read_file(&text, &len, cli->repo, sha, path) :
				 cli_read_disk_file(&text, &len, path, "playbook",
						    PLAYBOOK_MAX_SIZE);
		nchecked++;
		if (rc != 0) {
			diag_add(&d, path, 0, "%s", err_last());
			ninvalid++;
			continue;
		}
		playbook_parse(&pb, &d, text, len, path, cli->conf);
		free(text);
		/* people it pages must hear of it before it escalates past them */
		if (pb != NULL && cli->conf != NULL) {
			playbook_check_people(pb, cli->conf, cli->conf->path, &d);
			check_schedules(pb, path, cli->conf, &set, &d);
		}
		if (d.n > before)
			ninvalid++;
		playbook_free(pb);
	}
	cli_validation_report(cli, &d, nchecked, ninvalid, "playbook", from_repo ? sha : NULL);
	diag_release(&d);
	schedset_release(&set);
	repo_free_names(files, nfiles);
	return ninvalid == 0 ? EXIT_OK : EXIT_REFUSED;
}

/*
 * What `playbook validate` and `schedule validate` print: with --json an
 * object (valid, checked, invalid, problems with file, line, message);
 * else the problems on stderr as FILE:LINE: message, then "N playbooks
 * valid at SHA" (without " at" for files on disk) or the count of those
 * invalid.
 */
void
cli_validation_report(struct cli *cli, const struct diags *d, size_t nchecked,
		      size_t ninvalid, const char *what, const char *sha)
{
	if (cli->json) {
		struct json *j = json_new_object(), *problems = json_new_array();

		for (size_t i = 0; i < d->n; i++) {
			struct json *e = json_new_object();

			json_set_str(e, "file", d->v[i].file);
			json_set_int(e, "line", d->v[i].line);
			json_set_str(e, "message", d->v[i].msg);
			json_append(problems, e);
		}
		json_set_bool(j, "valid", ninvalid == 0);
		json_set_int(j, "checked", (int64_t)nchecked);
		json_set_int(j, "invalid", (int64_t)ninvalid);
		json_set(j, "problems", problems);
		cli_print_json(j);
		return;
	}
	diag_print(d, stderr);
	if (ninvalid == 0)
		printf("%zu %s%s valid%s%.7s\n", nchecked, what, nchecked == 1 ? "" : "s",
		       sha != NULL ? " at " : "", sha != NULL ? sha : "");
	else
		cli_error("%zu of %zu %s%s invalid, %zu problem%s", ninvalid, nchecked, what,
			  nchecked == 1 ? "" : "s", d->n, d->n == 1 ? "" : "s");
}

/* "Name <email>" -> the length of "Name", for a human listing. */
static int
author_name_len(const char *author)
{
	const char *lt = strstr(author, " <");

	return (int)(lt != NULL ? (size_t)(lt - author) : strlen(author));
}

/*
 * `playbook log` and `schedule log`: the commits that changed NAME.suffix
 * (any file when no NAME is given), newest first; what names the kind of
 * file in messages.
 */
int
cli_repo_log(struct cli *cli, struct cli_args *args, const struct cmd_entry *sub,
	     const char *suffix, const char *what)
{
	struct repo_commit *log = NULL;
	size_t n = 0;
	char sha[41], *path = NULL;
	struct json *arr = NULL;
	int rc;

	if (args->argc > 1)
		return cli_usage_error(sub, "too many arguments");
	if ((rc = cli_resolve(cli, NULL, sha)) != 0)
		return cli_fail(rc);
	if (args->argc == 1)
		path = xasprintf("%s%s", args->argv[0], suffix);
	rc = repo_log(&log, &n, cli->repo, sha, path, 0);
	if (rc == 0 && n == 0 && path != NULL)
		rc = err_set(SR_ENOTFOUND, "no commit on %s changed %s '%s'",
			     cli->conf->branch, what, args->argv[0]);
	free(path);
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json)
		arr = json_new_array();
	for (size_t i = 0; i < n; i++) {
		char date[32], sh[8];

		if (cli->json) {
			json_append(arr, cli_commit_json(&log[i]));
			continue;
		}
		short_sha(sh, log[i].sha);
		format_date(date, sizeof(date), log[i].time);
		printf("%s %s  %s  (%.*s)\n", sh, date, log[i].subject,
		       author_name_len(log[i].author), log[i].author);
	}
	if (cli->json)
		cli_print_json(arr);
	repo_commits_free(log, n);
	return EXIT_OK;
}

static int
playbook_log(struct cli *cli, struct cli_args *args)
{
	return cli_repo_log(cli, args, &sub_log, ".playbook", "playbook");
}

/* `playbook diff` and `schedule diff`: NAME.suffix between two revisions. */
int
cli_repo_diff(struct cli *cli, struct cli_args *args, const struct cmd_entry *sub,
	      const char *suffix, const char *what)
{
	char a[41], b[41], *path, *diff = NULL;
	int rc, nargs = args->argc;
	char **argv = args->argv;

	if (nargs < 2 || nargs > 3)
		return cli_usage_error(sub, "name the %s and one or two revisions", what);
	if ((rc = cli_resolve(cli, argv[1], a)) != 0 ||
	    (rc = cli_resolve(cli, nargs == 3 ? argv[2] : NULL, b)) != 0)
		return cli_fail(rc);
	path = xasprintf("%s%s", argv[0], suffix);
	rc = repo_diff_file(&diff, cli->repo, a, b, path);
	free(path);
	if (rc == SR_ENOTFOUND)
		err_set(rc, "no %s '%s' at %.7s or %.7s", what, argv[0], a, b);
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_str(j, "name", argv[0]);
		json_set_str(j, "from", a);
		json_set_str(j, "to", b);
		json_set_str(j, "diff", diff);
		cli_print_json(j);
	} else
		fputs(diff, stdout);
	free(diff);
	return EXIT_OK;
}

static int
playbook_diff(struct cli *cli, struct cli_args *args)
{
	return cli_repo_diff(cli, args, &sub_diff, ".playbook", "playbook");
}

static int
playbook_dispatch(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_entry *const subs[] = {
		&sub_list, &sub_show, &sub_validate, &sub_log, &sub_diff,
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;

		cli_usage(&cmd_playbook_entry, fp);
		fprintf(fp, "\n  list      the playbooks at the branch (or --at REV)\n"
			    "  show      one playbook as parsed, and its commit\n"
			    "  validate  check playbook files before committing them\n"
			    "  log       the commits that changed a playbook\n"
			    "  diff      how a playbook changed between two revisions\n"
			    "\nRun 'sitrep playbook SUBCOMMAND --help' for more.\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i]->name + strlen("playbook ")) == 0)
			return cli_run(cli, subs[i], argc - 1, argv + 1);
	return cli_usage_error(&cmd_playbook_entry, "unknown playbook subcommand '%s'",
			       argv[1]);
}
