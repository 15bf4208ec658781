/* playbook.c: parses a playbook's committed text and validates it against
 * DESIGN.md's format, collecting every problem with file:line. Reading the
 * text from git is repo.c's job; running a playbook is the incident's. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/playbook.h"
#include "sitrep/repo.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"
#include "confread.h"

/* Built in: what every incident knows. Anything else ({{impact}}) is the
 * playbook's to declare under 'variables' and each incident's to fill. */
const char *const playbook_template_vars[] = {
	"id", "title", "public_title", "summary", "severity", "status", "components",
	"next_update", "page_url", "commander", "opened_at", "duration",
	"account", NULL
};

static const char *const top_keys[] = {
	"name", "title", "summary", "severity", "components", "audiences",
	"roles", "escalation", "cadence", "apology", "approval", "steps",
	"templates", "routes",
	"variables", "public_title", "component_impact",
	NULL
};
static const char *const variable_keys[] = { "name", "description", "required", NULL };
static const char *const role_keys[] = {
	"id", "title", "required", "max", "handover", "duties", "who", NULL
};
static const char *const escalation_keys[] = {
	"mode", "ack_timeout", "tiers", "ack_expires", NULL
};
static const char *const cadence_keys[] = { "audience", "every", "first_within", NULL };
static const char *const every_keys[] = { "SEV1", "SEV2", "SEV3", "SEV4", NULL };
static const char *const apology_keys[] = {
	"audiences", "min_severity", "within", "template", NULL
};
static const char *const approval_keys[] = {
	"audiences", "min_severity", "approvers", NULL
};
static const char *const step_keys[] = {
	"id", "title", "role", "due", "min_severity", "required", "notes",
	"completes_on", NULL
};
static const char *const completes_keys[] = { "update", "role", "status", "apology", NULL };
static const char *const route_keys[] = {
	"audience", "channels", "from_name", "subject", NULL
};
static const char *const template_keys[] = { "id", "audience", "status", "text", NULL };

const char *
playbook_rules_id(void)
{
	/* any rebuild of this file may change the rules */
	return "playbook.c " __DATE__ " " __TIME__;
}

char *
playbook_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= 9 || strcmp(base + len - 9, ".playbook") != 0)
		return NULL;
	return xstrndup(base, len - 9);
}

const struct playbook_role *
playbook_role(const struct playbook *pb, const char *id)
{
	for (size_t i = 0; i < pb->nroles; i++)
		if (strcmp(pb->roles[i].id, id) == 0)
			return &pb->roles[i];
	return NULL;
}

const struct playbook_step *
playbook_step(const struct playbook *pb, const char *id)
{
	for (size_t i = 0; i < pb->nsteps; i++)
		if (strcmp(pb->steps[i].id, id) == 0)
			return &pb->steps[i];
	return NULL;
}

const struct playbook_template *
playbook_template(const struct playbook *pb, const char *id)
{
	for (size_t i = 0; i < pb->ntemplates; i++)
		if (strcmp(pb->templates[i].id, id) == 0)
			return &pb->templates[i];
	return NULL;
}

const struct playbook_route *
playbook_route(const struct playbook *pb, const char *audience)
{
	for (size_t i = 0; i < pb->nroutes; i++)
		if (strcmp(pb->routes[i].audience, audience) == 0)
			return &pb->routes[i];
	return NULL;
}

bool
playbook_has_audience(const struct playbook *pb, const char *audience)
{
	for (size_t i = 0; i < pb->naudiences; i++)
		if (strcmp(pb->audiences[i], audience) == 0)
			return true;
	return false;
}

/*
 * The i-th element of one of the playbook's lists (roles, steps...): NULL,
 * reported as "each <what> must be a group { <shape> }", when it is not a
 * group; else checked to hold only the keys listed.
 */
static const config_setting_t *
list_group(struct confread *r, const config_setting_t *list, int i,
	   const char *const *keys, const char *what, const char *shape)
{
	const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
	char a[32];

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		diag_add(r->diags, r->file, confread_line(g), "each %s must be a group { %s }",
			 what, shape);
		return NULL;
	}
	snprintf(a, sizeof(a), "a %s", what);
	confread_check_keys(r, g, keys, a);
	return g;
}

/*
 * who = [ "legal-oncall", "dana" ]: people of the site config, or on-call
 * schedules, who can fill a role. Without a site config every name is taken
 * for a schedule and only its spelling is checked; whether a schedule exists
 * is for the repository's schedules to say.
 */
static void
parse_who(struct confread *r, struct playbook_role *role, const config_setting_t *g,
	  const struct conf *conf)
{
	if (!confread_strs(r, g, "who", false, &role->who, &role->nwho))
		return;
	role->who_line = confread_member_line(g, "who");
	if (role->nwho == 0)
		diag_add(r->diags, r->file, role->who_line,
			 "role '%s': who is empty: name people or on-call schedules, or leave "
			 "it out", role->id);
	for (size_t i = 0; i < role->nwho; i++) {
		const char *name = role->who[i];
		const struct conf_person *p = conf != NULL ? conf_person(conf, name) : NULL;

		for (size_t k = 0; k < i; k++)
			if (strcmp(role->who[k], name) == 0)
				diag_add(r->diags, r->file, role->who_line,
					 "role '%s': who names '%s' twice", role->id, name);
		if (p != NULL) {
			if (p->ncontacts == 0)
				diag_add(r->diags, r->file, role->who_line,
					 "role '%s': who names '%s', who has no contact in the "
					 "site config: a page would reach nobody", role->id, name);
		} else if (!conf_schedule_name_valid(name))
			diag_add(r->diags, r->file, role->who_line,
				 "role '%s': who names '%s', which is %sa schedule name "
				 "(lowercase letters, digits and '-')", role->id, name,
				 conf != NULL ? "neither a person of the site config nor " : "not ");
	}
}

static void
parse_roles(struct confread *r, struct playbook *pb, const config_setting_t *list,
	    const struct conf *conf)
{
	int n = config_setting_length(list);
	bool commander = false;

	pb->roles = xcalloc((size_t)n + 1, sizeof(*pb->roles));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, role_keys, "role",
		    "id = ...; title = ...;");
		struct playbook_role *role = &pb->roles[pb->nroles];
		long long max = 1;

		if (g == NULL)
			continue;
		role->line = confread_line(g);
		role->max = 1;
		if (!confread_str(r, g, "id", true, &role->id))
			role->id = xstrdup("");
		else
			for (size_t k = 0; k < pb->nroles; k++)
				if (strcmp(pb->roles[k].id, role->id) == 0)
					diag_add(r->diags, r->file, role->line,
						 "duplicate role id '%s'", role->id);
		if (*role->id != '\0' && !vocab_ident(role->id))
			diag_add(r->diags, r->file, role->line,
				 "role id '%s' must be lowercase letters, digits, '-' or '_'",
				 role->id);
		confread_str(r, g, "title", true, &role->title);
		confread_bool(r, g, "required", &role->required);
		if (confread_int(r, g, "max", false, &max)) {
			if (max < 1 || max > 1000)
				diag_add(r->diags, r->file,
					 confread_line(config_setting_get_member(g, "max")),
					 "role '%s': 'max' must be between 1 and 1000",
					 role->id);
			else
				role->max = (int)max;
		}
		confread_duration(r, g, "handover", false, &role->handover);
		confread_str(r, g, "duties", false, &role->duties);
		parse_who(r, role, g, conf);
		if (strcmp(role->id, "commander") == 0)
			commander = true;
		pb->nroles++;
	}
	if (!commander)
		diag_add(r->diags, r->file, confread_line(list),
			 "roles must include 'commander': someone owns the incident");
}

static void
parse_escalation(struct confread *r, struct playbook *pb, const config_setting_t *g)
{
	char *mode = NULL;
	char **tiers = NULL;
	size_t ntiers = 0;
	const config_setting_t *ts;

	confread_check_keys(r, g, escalation_keys, "escalation");
	pb->escalation.line = confread_line(g);
	if (confread_str(r, g, "mode", true, &mode)) {
		if (strcmp(mode, "tiered") == 0)
			pb->escalation.mode = PLAYBOOK_TIERED;
		else if (strcmp(mode, "swarm") == 0)
			pb->escalation.mode = PLAYBOOK_SWARM;
		else
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(g, "mode")),
				 "escalation mode must be 'tiered' or 'swarm' (not '%s')",
				 mode);
	}
	free(mode);
	confread_duration(r, g, "ack_timeout", true, &pb->escalation.ack_timeout);
	confread_duration(r, g, "ack_expires", false, &pb->escalation.ack_expires);
	if (!confread_strs(r, g, "tiers", true, &tiers, &ntiers))
		return;
	ts = config_setting_get_member(g, "tiers");
	if (ntiers == 0)
		diag_add(r->diags, r->file, confread_line(ts),
			 "escalation needs at least one tier (L0 to L4)");
	for (size_t i = 0; i < ntiers; i++) {
		int t = vocab_tier(tiers[i]);
		bool dup = false;

		if (t < 0) {
			diag_add(r->diags, r->file, confread_line(ts),
				 "escalation tier '%s' is not one of L0, L1, L2, L3, L4",
				 tiers[i]);
			continue;
		}
		for (size_t k = 0; k < pb->escalation.ntiers; k++)
			dup |= pb->escalation.tiers[k] == t;
		if (dup) {
			diag_add(r->diags, r->file, confread_line(ts),
				 "escalation tier '%s' is listed twice", tiers[i]);
			continue;
		}
		pb->escalation.tiers[pb->escalation.ntiers++] = t;
	}
	confread_free_strs(tiers, ntiers);
}

static void
check_audience(struct confread *r, const struct playbook *pb, int line,
	       const char *audience)
{
	if (!playbook_has_audience(pb, audience))
		diag_add(r->diags, r->file, line,
			 "unknown audience '%s': use internal, executives, customers, or declare it in 'audiences'",
			 audience);
}

static void
parse_cadence(struct confread *r, struct playbook *pb, const config_setting_t *list)
{
	int n = config_setting_length(list);

	pb->cadence = xcalloc((size_t)n + 1, sizeof(*pb->cadence));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, cadence_keys, "cadence",
		    "audience = ...; every = { ... };");
		const config_setting_t *every;
		struct playbook_cadence *c = &pb->cadence[pb->ncadence];

		if (g == NULL)
			continue;
		c->line = confread_line(g);
		if (!confread_str(r, g, "audience", true, &c->audience))
			c->audience = xstrdup("");
		else {
			check_audience(r, pb, confread_member_line(g, "audience"),
				       c->audience);
			for (size_t k = 0; k < pb->ncadence; k++)
				if (strcmp(pb->cadence[k].audience, c->audience) == 0)
					diag_add(r->diags, r->file, c->line,
						 "audience '%s' has two cadences", c->audience);
		}
		every = confread_group(r, g, "every", true);
		if (every != NULL) {
			confread_check_keys(r, every, every_keys, "'every' (use SEV1 to SEV4)");
			for (int sev = 1; sev <= 4; sev++)
				confread_duration(r, every, every_keys[sev - 1], false,
						  &c->every[sev]);
		}
		confread_duration(r, g, "first_within", false, &c->first_within);
		pb->ncadence++;
	}
}

static void
check_audiences(struct confread *r, const struct playbook *pb,
		const config_setting_t *g, char **v, size_t n)
{
	int line = confread_line(config_setting_get_member(g, "audiences"));

	for (size_t i = 0; i < n; i++)
		check_audience(r, pb, line, v[i]);
}

static void
parse_apology(struct confread *r, struct playbook *pb, const config_setting_t *g)
{
	struct playbook_apology *a = &pb->apology;

	confread_check_keys(r, g, apology_keys, "apology");
	if (confread_strs(r, g, "audiences", true, &a->audiences, &a->naudiences))
		check_audiences(r, pb, g, a->audiences, a->naudiences);
	confread_severity(r, g, "min_severity", true, &a->min_severity);
	confread_duration(r, g, "within", true, &a->within);
	confread_str(r, g, "template", true, &a->template_id);
}

static void
parse_approval(struct confread *r, struct playbook *pb, const config_setting_t *g)
{
	struct playbook_approval *a = &pb->approval;
	int line = confread_line(config_setting_get_member(g, "approvers"));

	confread_check_keys(r, g, approval_keys, "approval");
	if (confread_strs(r, g, "audiences", true, &a->audiences, &a->naudiences))
		check_audiences(r, pb, g, a->audiences, a->naudiences);
	confread_severity(r, g, "min_severity", true, &a->min_severity);
	if (!confread_strs(r, g, "approvers", true, &a->approvers, &a->napprovers))
		return;
	if (a->napprovers == 0)
		diag_add(r->diags, r->file, line,
			 "approval needs at least one approver role");
	for (size_t i = 0; i < a->napprovers; i++)
		if (playbook_role(pb, a->approvers[i]) == NULL)
			diag_add(r->diags, r->file, line,
				 "approver role '%s' is not one of this playbook's roles",
				 a->approvers[i]);
}

/* completes_on = { update = "internal"; } (or role = "comms", or status =
 * "identified"): exactly one of them. */
static void
parse_completes_on(struct confread *r, const struct playbook *pb, struct playbook_step *s,
		   const config_setting_t *step)
{
	const config_setting_t *g = confread_group(r, step, "completes_on", false);
	int line, count = 0;

	if (g == NULL)
		return;
	line = confread_line(g);
	confread_check_keys(r, g, completes_keys,
			    "completes_on (use update, role, status or apology)");
	for (int k = 0; completes_keys[k] != NULL; k++) {
		char *v = NULL;

		if (!confread_str(r, g, completes_keys[k], false, &v))
			continue;
		if (count++ > 0) {
			free(v);
			continue;
		}
		s->completes_on = (enum playbook_completes)(PLAYBOOK_COMPLETES_UPDATE + k);
		s->completes_value = v;
		line = confread_member_line(g, completes_keys[k]);
	}
	if (count != 1) {
		diag_add(r->diags, r->file, line, "step '%s': completes_on needs exactly one "
			 "of update = \"AUDIENCE\", role = \"ROLE\", status = \"STATUS\" or "
			 "apology = \"AUDIENCE\"", s->id);
		return;
	}
	if (s->completes_on == PLAYBOOK_COMPLETES_UPDATE ||
	    s->completes_on == PLAYBOOK_COMPLETES_APOLOGY)
		check_audience(r, pb, line, s->completes_value);
	else if (s->completes_on == PLAYBOOK_COMPLETES_ROLE &&
		 playbook_role(pb, s->completes_value) == NULL)
		diag_add(r->diags, r->file, line, "step '%s' is completed by unknown role '%s'",
			 s->id, s->completes_value);
	else if (s->completes_on == PLAYBOOK_COMPLETES_STATUS &&
		 (!vocab_incident_status(s->completes_value) ||
		  strcmp(s->completes_value, "closed") == 0))
		diag_add(r->diags, r->file, line, "step '%s': status '%s' is not one of "
			 "investigating, identified, monitoring, resolved", s->id,
			 s->completes_value);
}

static void
parse_steps(struct confread *r, struct playbook *pb, const config_setting_t *list)
{
	int n = config_setting_length(list);

	pb->steps = xcalloc((size_t)n + 1, sizeof(*pb->steps));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, step_keys, "step",
		    "id = ...; title = ...; role = ...; due = ...;");
		struct playbook_step *s = &pb->steps[pb->nsteps];

		if (g == NULL)
			continue;
		s->line = confread_line(g);
		if (confread_str(r, g, "id", true, &s->id)) {
			for (size_t k = 0; k < pb->nsteps; k++)
				if (strcmp(pb->steps[k].id, s->id) == 0)
					diag_add(r->diags, r->file, s->line,
						 "duplicate step id '%s'", s->id);
			if (!vocab_ident(s->id))
				diag_add(r->diags, r->file, s->line,
					 "step id '%s' must be lowercase letters, digits, '-' or '_'",
					 s->id);
		} else
			s->id = xstrdup("");
		confread_str(r, g, "title", true, &s->title);
		if (confread_str(r, g, "role", true, &s->role) &&
		    playbook_role(pb, s->role) == NULL)
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(g, "role")),
				 "step '%s' names unknown role '%s'", s->id, s->role);
		confread_duration(r, g, "due", true, &s->due);
		confread_severity(r, g, "min_severity", false, &s->min_severity);
		confread_bool(r, g, "required", &s->required);
		confread_str(r, g, "notes", false, &s->notes);
		parse_completes_on(r, pb, s, g);
		pb->nsteps++;
	}
}

static bool
builtin_var(const char *name, size_t len)
{
	for (const char *const *v = playbook_template_vars; *v != NULL; v++)
		if (strlen(*v) == len && strncmp(*v, name, len) == 0)
			return true;
	return false;
}

/* What a public title may use besides the declared variables: what is
 * known when the incident opens. */
static bool
title_var(const char *name, size_t len)
{
	static const char *const v[] = { "id", "severity", "summary", NULL };

	for (const char *const *p = v; *p != NULL; p++)
		if (strlen(*p) == len && strncmp(*p, name, len) == 0)
			return true;
	return false;
}

static bool
known_var(const struct playbook *pb, bool title, const char *name, size_t len)
{
	if (title ? title_var(name, len) : builtin_var(name, len))
		return true;
	for (size_t i = 0; i < pb->nvariables; i++)
		if (strlen(pb->variables[i].name) == len &&
		    strncmp(pb->variables[i].name, name, len) == 0)
			return true;
	return false;
}

const struct playbook_variable *
playbook_variable(const struct playbook *pb, const char *name)
{
	for (size_t i = 0; i < pb->nvariables; i++)
		if (strcmp(pb->variables[i].name, name) == 0)
			return &pb->variables[i];
	return NULL;
}

bool
playbook_builtin_var(const char *name)
{
	return builtin_var(name, strlen(name));
}

/* The variables a playbook declares for its templates to use: a name that
 * is not a built-in's, what it means, whether an update may go without it. */
static void
parse_variables(struct confread *r, struct playbook *pb, const config_setting_t *list)
{
	int n = config_setting_length(list);

	pb->variables = xcalloc((size_t)n + 1, sizeof(*pb->variables));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, variable_keys, "variable",
		    "name = ...; description = ...;");
		struct playbook_variable *v = &pb->variables[pb->nvariables];

		if (g == NULL)
			continue;
		v->line = confread_line(g);
		if (!confread_str(r, g, "name", true, &v->name))
			v->name = xstrdup("");
		else if (!vocab_ident(v->name) || strchr(v->name, '-') != NULL)
			diag_add(r->diags, r->file, v->line,
				 "variable name '%s' must be lowercase letters, digits or '_'",
				 v->name);
		else if (builtin_var(v->name, strlen(v->name)))
			diag_add(r->diags, r->file, v->line,
				 "variable '%s' is built in: declare only new variables",
				 v->name);
		else
			for (size_t k = 0; k < pb->nvariables; k++)
				if (strcmp(pb->variables[k].name, v->name) == 0)
					diag_add(r->diags, r->file, v->line,
						 "variable '%s' is declared twice", v->name);
		confread_str(r, g, "description", true, &v->description);
		confread_bool(r, g, "required", &v->required);
		pb->nvariables++;
	}
}

/* component_impact: "none" (the incident leaves public component status
 * alone), "default" (SEV1 major_outage, SEV2 partial_outage, SEV3
 * degraded_performance), or a group by severity; a severity it does not
 * name leaves the components operational. */
static void
parse_component_impact(struct confread *r, struct playbook *pb, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "component_impact");
	static const char *const def[] = { NULL, "major_outage", "partial_outage",
					    "degraded_performance", "operational" };
	int line;

	for (int sev = 1; sev <= 4; sev++)
		pb->component_impact[sev] = xstrdup(def[sev]);
	if (s == NULL)
		return;
	line = confread_line(s);
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (strcmp(v, "none") == 0)
			for (int sev = 1; sev <= 4; sev++) {
				free(pb->component_impact[sev]);
				pb->component_impact[sev] = xstrdup("operational");
			}
		else if (strcmp(v, "default") != 0)
			diag_add(r->diags, r->file, line,
				 "component_impact '%s' is not 'none', 'default' or a group "
				 "{ SEV1 = \"major_outage\"; ... }", v);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		diag_add(r->diags, r->file, line,
			 "component_impact must be 'none', 'default' or a group "
			 "{ SEV1 = \"major_outage\"; SEV2 = \"partial_outage\"; }");
		return;
	}
	confread_check_keys(r, s, every_keys, "component_impact (use SEV1 to SEV4)");
	for (int sev = 1; sev <= 4; sev++) {
		char *st = NULL;

		free(pb->component_impact[sev]);
		pb->component_impact[sev] = xstrdup("operational");
		if (!confread_str(r, s, every_keys[sev - 1], false, &st))
			continue;
		if (!vocab_component_status(st) || strcmp(st, "under_maintenance") == 0)
			diag_add(r->diags, r->file,
				 confread_member_line(s, every_keys[sev - 1]),
				 "component_impact %s: '%s' is not one of operational, "
				 "degraded_performance, partial_outage, major_outage",
				 every_keys[sev - 1], st);
		free(pb->component_impact[sev]);
		pb->component_impact[sev] = st;
	}
}

/* Report each {{variable}} in text that templates cannot fill, at the line
 * of the source where it stands. */
static void
check_template_vars(struct confread *r, const struct playbook *pb, const char *id,
		    const char *text, int line)
{
	struct confread_cursor cursor = { NULL, 0 };
	const char *p = text;

	while ((p = strstr(p, "{{")) != NULL) {
		const char *start = p + 2, *end = strstr(start, "}}");
		char needle[80];
		size_t len;
		int at;

		if (end == NULL) {
			diag_add(r->diags, r->file, confread_find_line(r, line, "{{", &cursor),
				 "%s%s%s: '{{' is never closed with '}}'",
				 *id ? "template '" : "public_title", id, *id ? "'" : "");
			return;
		}
		while (start < end && *start == ' ')
			start++;
		len = (size_t)(end - start);
		while (len > 0 && start[len - 1] == ' ')
			len--;
		if (known_var(pb, *id == '\0', start, len)) {
			p = end + 2;
			continue;
		}
		/* only an unknown one needs its line: look for it in the source */
		snprintf(needle, sizeof(needle), "{{%.*s}}", (int)(end - p - 2) > 60 ? 60 :
			 (int)(end - p - 2), p + 2);
		at = confread_find_line(r, line, needle, &cursor);
		diag_add(r->diags, r->file, at,
			 "%s%s%s uses unknown variable '{{%.*s}}': %s", *id ? "template '" :
			 "public_title", id, *id ? "'" : "", (int)len, start, *id ?
			 "neither built in nor declared under 'variables'" :
			 "a public title may use id, severity, summary and the declared variables");
		p = end + 2;
	}
}

static void
parse_templates(struct confread *r, struct playbook *pb, const config_setting_t *list)
{
	int n = config_setting_length(list);

	pb->templates = xcalloc((size_t)n + 1, sizeof(*pb->templates));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, template_keys, "template",
		    "id = ...; audience = ...; text = ...;");
		struct playbook_template *t = &pb->templates[pb->ntemplates];

		if (g == NULL)
			continue;
		t->line = confread_line(g);
		if (confread_str(r, g, "id", true, &t->id)) {
			for (size_t k = 0; k < pb->ntemplates; k++)
				if (strcmp(pb->templates[k].id, t->id) == 0)
					diag_add(r->diags, r->file, t->line,
						 "duplicate template id '%s'", t->id);
		} else
			t->id = xstrdup("");
		if (confread_str(r, g, "audience", true, &t->audience))
			check_audience(r, pb, confread_member_line(g, "audience"),
				       t->audience);
		if (confread_str(r, g, "status", false, &t->status) &&
		    (!vocab_incident_status(t->status) || strcmp(t->status, "closed") == 0))
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(g, "status")),
				 "template '%s': status '%s' is not one of investigating, identified, monitoring, resolved",
				 t->id, t->status);
		if (confread_str(r, g, "text", true, &t->text))
			check_template_vars(r, pb, t->id, t->text,
					    confread_line(config_setting_get_member(g, "text")));
		pb->ntemplates++;
	}
}

/*
 * routes = ( { audience = "internal"; channels = [ "sec-chat" ]; }, ... ):
 * the channels (ids from the site config) that serve an audience during
 * this playbook's incidents, in place of the site's.
 */
static void
parse_routes(struct confread *r, struct playbook *pb, const config_setting_t *list,
	     const struct conf *conf)
{
	int n = config_setting_length(list);

	pb->routes = xcalloc((size_t)n + 1, sizeof(*pb->routes));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, route_keys, "route",
		    "audience = ...; channels = [ ... ];");
		struct playbook_route *rt = &pb->routes[pb->nroutes];
		int line;

		if (g == NULL)
			continue;
		rt->line = confread_line(g);
		if (!confread_str(r, g, "audience", true, &rt->audience))
			rt->audience = xstrdup("");
		else {
			check_audience(r, pb, confread_member_line(g, "audience"), rt->audience);
			for (size_t k = 0; k < pb->nroutes; k++)
				if (strcmp(pb->routes[k].audience, rt->audience) == 0)
					diag_add(r->diags, r->file, rt->line,
						 "audience '%s' has two routes", rt->audience);
		}
		if (confread_strs(r, g, "channels", true, &rt->channels, &rt->nchannels)) {
			line = confread_member_line(g, "channels");
			if (rt->nchannels == 0)
				diag_add(r->diags, r->file, line, "the route for '%s' names no "
					 "channels: name at least one of the site config's",
					 rt->audience);
			for (size_t k = 0; conf != NULL && k < rt->nchannels; k++)
				if (conf_channel(conf, rt->channels[k]) == NULL)
					diag_add(r->diags, r->file, line, "channel '%s' is not in "
						 "the site config", rt->channels[k]);
		}
		confread_str(r, g, "from_name", false, &rt->from_name);
		if (confread_str(r, g, "subject", false, &rt->subject))
			check_template_vars(r, pb, rt->audience, rt->subject,
					    confread_member_line(g, "subject"));
		pb->nroutes++;
	}
}

static void
parse_audiences(struct confread *r, struct playbook *pb, const config_setting_t *root)
{
	static const char *const builtin[] = { "internal", "executives", "customers" };
	char **declared = NULL;
	size_t ndeclared = 0;

	confread_strs(r, root, "audiences", false, &declared, &ndeclared);
	pb->audiences = xcalloc(ndeclared + 4, sizeof(*pb->audiences));
	for (size_t i = 0; i < 3; i++)
		pb->audiences[pb->naudiences++] = xstrdup(builtin[i]);
	for (size_t i = 0; i < ndeclared; i++) {
		int line = confread_line(config_setting_get_member(root, "audiences"));

		if (!vocab_ident(declared[i]))
			diag_add(r->diags, r->file, line,
				 "audience '%s' must be lowercase letters, digits, '-' or '_'",
				 declared[i]);
		else if (playbook_has_audience(pb, declared[i]))
			diag_add(r->diags, r->file, line,
				 "audience '%s' is %s", declared[i],
				 vocab_builtin_audience(declared[i]) ?
				 "built in: declare only new audiences" : "declared twice");
		else {
			pb->audiences[pb->naudiences++] = declared[i];
			declared[i] = NULL;
		}
	}
	confread_free_strs(declared, ndeclared);
}

static void
parse_top(struct confread *r, struct playbook *pb, const config_setting_t *root,
	  const struct conf *conf)
{
	const config_setting_t *s;
	char *base = playbook_name_from_path(r->file);

	confread_check_keys(r, root, top_keys, "the playbook");
	if (confread_str(r, root, "name", true, &pb->name)) {
		int line = confread_line(config_setting_get_member(root, "name"));

		if (!vocab_ident(pb->name))
			diag_add(r->diags, r->file, line,
				 "name '%s' must be lowercase letters, digits, '-' or '_'",
				 pb->name);
		else if (base != NULL && strcmp(base, pb->name) != 0)
			diag_add(r->diags, r->file, line,
				 "name '%s' does not match the file name '%s.playbook'",
				 pb->name, base);
	}
	free(base);
	confread_str(r, root, "title", true, &pb->title);
	confread_str(r, root, "summary", true, &pb->summary);
	confread_severity(r, root, "severity", true, &pb->severity);
	if (confread_strs(r, root, "components", false, &pb->components, &pb->ncomponents) &&
	    conf != NULL)
		for (size_t i = 0; i < pb->ncomponents; i++)
			if (conf_component(conf, pb->components[i]) == NULL)
				diag_add(r->diags, r->file,
					 confread_line(config_setting_get_member(root, "components")),
					 "component '%s' is not in the site config", pb->components[i]);
	parse_audiences(r, pb, root);
	/* templates and the public title use the variables: parse them first */
	if ((s = confread_list(r, root, "variables", false)) != NULL)
		parse_variables(r, pb, s);
	if (confread_str(r, root, "public_title", false, &pb->public_title))
		check_template_vars(r, pb, "", pb->public_title,
				    confread_member_line(root, "public_title"));
	parse_component_impact(r, pb, root);
	if ((s = confread_list(r, root, "roles", true)) != NULL)
		parse_roles(r, pb, s, conf);
	if ((s = confread_group(r, root, "escalation", true)) != NULL)
		parse_escalation(r, pb, s);
	if ((s = confread_list(r, root, "cadence", false)) != NULL)
		parse_cadence(r, pb, s);
	if ((s = confread_list(r, root, "steps", false)) != NULL)
		parse_steps(r, pb, s);
	if ((s = confread_list(r, root, "templates", false)) != NULL)
		parse_templates(r, pb, s);
	if ((s = confread_list(r, root, "routes", false)) != NULL)
		parse_routes(r, pb, s, conf);
	/* apology and approval refer to templates and roles: parse them last */
	if ((s = confread_group(r, root, "apology", false)) != NULL) {
		parse_apology(r, pb, s);
		if (pb->apology.template_id != NULL &&
		    playbook_template(pb, pb->apology.template_id) == NULL)
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(s, "template")),
				 "apology template '%s' is not one of this playbook's templates",
				 pb->apology.template_id);
	}
	if ((s = confread_group(r, root, "approval", false)) != NULL)
		parse_approval(r, pb, s);
}

int
playbook_parse(struct playbook **out, struct diags *diags, const char *text,
	       size_t len, const char *path, const struct conf *conf)
{
	struct confread r = { diags, path, NULL };
	struct playbook *pb;
	config_t cfg;
	size_t before = diags->n;

	*out = NULL;
	if (len > PLAYBOOK_MAX_SIZE) {
		diag_add(diags, path, 0, "%zu bytes, more than a playbook may be (%d KiB)",
			 len, PLAYBOOK_MAX_SIZE / 1024);
		return err_set(SR_EINVALID, "playbook '%s' is not valid", path);
	}
	if (!confread_parse(&r, &cfg, text, len)) {
		config_destroy(&cfg);
		confread_release(&r);
		return err_set(SR_EINVALID, "playbook '%s' is not valid", path);
	}
	pb = xcalloc(1, sizeof(*pb));
	parse_top(&r, pb, config_root_setting(&cfg), conf);
	config_destroy(&cfg);
	confread_release(&r);
	if (diags->n > before) {
		playbook_free(pb);
		return err_set(SR_EINVALID, "playbook '%s' is not valid", path);
	}
	*out = pb;
	return 0;
}

int
playbook_read(char **out, size_t *out_len, struct repo *r, const char *sha, const char *name)
{
	char *path = xasprintf("%s.playbook", name);
	int rc = repo_read_file(out, out_len, r, sha, path);

	if (rc == SR_ENOTFOUND)
		err_set(rc, "no playbook '%s' at %.7s: run 'sitrep playbook list' to see the playbooks",
			name, sha);
	free(path);
	return rc;
}

int
playbook_from_text(struct playbook **out, struct diags *diags, const char *text, size_t len,
		   const char *sha, const char *name, const struct conf *conf)
{
	char *path = xasprintf("%s.playbook", name);
	int rc = playbook_parse(out, diags, text, len, path, conf);

	if (rc == SR_EINVALID)
		err_set(rc, "playbook '%s' at %.7s has %zu problem%s: fix and commit it",
			name, sha, diags->n, diags->n == 1 ? "" : "s");
	free(path);
	return rc;
}

int
playbook_load(struct playbook **out, struct diags *diags, struct repo *r,
	      const char *sha, const char *name, const struct conf *conf)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = playbook_read(&text, &len, r, sha, name)) != 0)
		return rc;
	rc = playbook_from_text(out, diags, text, len, sha, name, conf);
	free(text);
	return rc;
}

/* Whether the tiered playbook pb can page p: on the roster of one of its
 * tiers, or named in a role's who. */
static bool
pages_person(const struct playbook *pb, const struct conf *c, const struct conf_person *p)
{
	for (size_t i = 0; i < pb->escalation.ntiers; i++) {
		const struct conf_tier *t = &c->tiers[pb->escalation.tiers[i]];

		for (size_t k = 0; k < t->npeople; k++)
			if (strcmp(t->people[k], p->handle) == 0)
				return true;
	}
	for (size_t i = 0; i < pb->nroles; i++)
		for (size_t k = 0; k < pb->roles[i].nwho; k++)
			if (strcmp(pb->roles[i].who[k], p->handle) == 0)
				return true;
	return false;
}

/*
 * A tiered playbook escalates past a person after ack_timeout: a notify
 * rule that waits as long or longer would tell them only once the page had
 * moved on, so each is a problem at the rule's line in the site config.
 * People reached only through an on-call schedule are the schedules' to
 * check.
 */
void
playbook_check_people(const struct playbook *pb, const struct conf *c,
		      const char *conf_file, struct diags *d)
{
	char timeout[32], after[32];

	if (pb->escalation.mode != PLAYBOOK_TIERED)
		return;
	duration_format(timeout, sizeof(timeout), pb->escalation.ack_timeout);
	for (size_t i = 0; i < c->npeople; i++) {
		const struct conf_person *p = &c->people[i];

		if (!pages_person(pb, c, p))
			continue;
		for (size_t k = 0; k < p->nnotify; k++) {
			const struct conf_notify *n = &p->notify[k];

			if (n->after < pb->escalation.ack_timeout)
				continue;
			duration_format(after, sizeof(after), n->after);
			diag_add(d, conf_file, n->line,
				 "person '%s': contact '%s' is notified after %s, but playbook "
				 "'%s' escalates past them after %s (ack_timeout, %s.playbook:%d): "
				 "make 'after' shorter than %s", p->handle,
				 p->contacts[n->contact].id, after, pb->name, timeout, pb->name,
				 pb->escalation.line, timeout);
		}
	}
}

void
playbook_free(struct playbook *pb)
{
	if (pb == NULL)
		return;
	free(pb->name);
	free(pb->title);
	free(pb->summary);
	free(pb->public_title);
	for (size_t i = 0; i < pb->nvariables; i++) {
		free(pb->variables[i].name);
		free(pb->variables[i].description);
	}
	free(pb->variables);
	for (int sev = 0; sev < 5; sev++)
		free(pb->component_impact[sev]);
	confread_free_strs(pb->components, pb->ncomponents);
	confread_free_strs(pb->audiences, pb->naudiences);
	for (size_t i = 0; i < pb->nroles; i++) {
		free(pb->roles[i].id);
		free(pb->roles[i].title);
		free(pb->roles[i].duties);
		confread_free_strs(pb->roles[i].who, pb->roles[i].nwho);
	}
	free(pb->roles);
	for (size_t i = 0; i < pb->ncadence; i++)
		free(pb->cadence[i].audience);
	free(pb->cadence);
	confread_free_strs(pb->apology.audiences, pb->apology.naudiences);
	free(pb->apology.template_id);
	confread_free_strs(pb->approval.audiences, pb->approval.naudiences);
	confread_free_strs(pb->approval.approvers, pb->approval.napprovers);
	for (size_t i = 0; i < pb->nsteps; i++) {
		free(pb->steps[i].id);
		free(pb->steps[i].title);
		free(pb->steps[i].role);
		free(pb->steps[i].notes);
		free(pb->steps[i].completes_value);
	}
	free(pb->steps);
	for (size_t i = 0; i < pb->ntemplates; i++) {
		free(pb->templates[i].id);
		free(pb->templates[i].audience);
		free(pb->templates[i].status);
		free(pb->templates[i].text);
	}
	free(pb->templates);
	for (size_t i = 0; i < pb->nroutes; i++) {
		free(pb->routes[i].audience);
		confread_free_strs(pb->routes[i].channels, pb->routes[i].nchannels);
		free(pb->routes[i].from_name);
		free(pb->routes[i].subject);
	}
	free(pb->routes);
	free(pb);
}
