/* incident.c: opening an incident from a pinned playbook and moving it
 * through its statuses, severities and component states, with the rules of
 * who may do what. Rows are the store's; roles and steps have their own
 * modules; printing is the CLI's. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/playbook.h"
#include "sitrep/repo.h"
#include "sitrep/roles.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/template.h"
#include "sitrep/utf8.h"
#include "sitrep/vocab.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

int
incident_parse_id(int64_t *out, const char *text)
{
	return vocab_parse_id(out, text, "INC", "an incident");
}

const char *
incident_default_component_status(int sev)
{
	switch (sev) {
	case 1: return "major_outage";
	case 2: return "partial_outage";
	case 3: return "degraded_performance";
	default: return "operational";
	}
}

const char *
incident_component_status(const struct playbook *pb, int sev)
{
	if (pb != NULL && sev >= 1 && sev <= 4 && pb->component_impact[sev] != NULL)
		return pb->component_impact[sev];
	return incident_default_component_status(sev);
}

/* The refusal of an invalid playbook: its problems are in d, for the
 * caller to print. */
static int
invalid_playbook(const char *name, const char *sha, const struct diags *d)
{
	return err_set(SR_EREFUSED, "playbook '%s' at %.7s is not valid (%zu problem%s): "
		       "fix and commit it, or open with --at an earlier revision",
		       name, sha, d->n, d->n == 1 ? "" : "s");
}

/* Read name at sha from the repository and validate it, with its text for
 * the store; a refusal's problems are in d. */
static int
read_playbook(struct playbook **out, char **text, struct incident_ctx *ctx,
	      const char *name, const char *sha, struct diags *d)
{
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = playbook_read(text, &len, ctx->repo, sha, name)) != 0)
		return rc;
	rc = playbook_from_text(out, d, *text, len, sha, name, ctx->conf);
	if (rc == SR_EINVALID)
		rc = invalid_playbook(name, sha, d);
	if (rc != 0) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

/*
 * The pinned playbook of a running incident comes from the store, where
 * incident_open kept its text: the incident goes on working whatever
 * happens to the repository (a damaged one, a garbage-collected commit).
 * Incidents opened before the store kept playbooks read it from the
 * repository, as they always did.
 */
int
incident_playbook(struct playbook **out, struct incident_ctx *ctx,
		  const struct store_incident *inc)
{
	struct diags d = DIAGS_INIT;
	char *text = NULL;
	int rc;

	*out = NULL;
	rc = store_playbook_text_get(&text, ctx->store, inc->commit, inc->playbook);
	if (rc == SR_ENOTFOUND) {
		if (ctx->repo == NULL || repo_ready(ctx->repo) != 0)
			return err_set(SR_ESYS, "the playbook repository '%s' cannot be opened, "
				       "and INC-%lld was opened before sitrep kept playbooks "
				       "in its store: restore the repository ('sitrep playbook "
				       "list' says what is wrong with it)", ctx->conf->playbooks,
				       (long long)inc->id);
		rc = playbook_load(out, &d, ctx->repo, inc->commit, inc->playbook, ctx->conf);
	} else if (rc == 0)
		rc = playbook_from_text(out, &d, text, strlen(text), inc->commit,
					inc->playbook, ctx->conf);
	if (rc == SR_EINVALID)
		rc = invalid_playbook(inc->playbook, inc->commit, &d);
	free(text);
	diag_release(&d);
	return rc;
}

const char *
incident_via(char *buf, size_t len, const struct incident_ctx *ctx)
{
	if (ctx->via != NULL)
		return ctx->via;
	if (ctx->daemon)
		return "daemon";
	snprintf(buf, len, "local:%s", ctx->actor);
	return buf;
}

/* Append an event whose details are the JSON object obj. */
static int
event(struct incident_ctx *ctx, int64_t id, int64_t at, const char *kind,
      const struct json *obj)
{
	struct buf details = BUF_INIT;
	char via[INCIDENT_VIA_MAX];
	int rc;

	/* A text that is not UTF-8 cannot be written: the change is
	 * refused, and its transaction abandoned, rather than the program
	 * ended (text is checked where it enters; this is what a row
	 * written unchecked meets) */
	if (json_dump(&details, obj, JSON_STYLE_SORTED) != 0)
		return err_set(SR_EINVALID, "cannot record a '%s' event on INC-%lld: a text "
			       "in it is not valid UTF-8", kind, (long long)id);
	rc = store_event_append(ctx->store, id, at, ctx->actor,
				incident_via(via, sizeof(via), ctx), kind, buf_str(&details));
	buf_release(&details);
	return rc;
}

/* The acting person must be one of the site config's people. */
static int
known_actor(struct incident_ctx *ctx)
{
	if (ctx->daemon)
		return 0;
	if (conf_person(ctx->conf, ctx->actor) == NULL)
		return err_set(SR_EREFUSED, "'%s' is not one of the people in %s: add them "
			       "there (a person's os_users names the operating-system users "
			       "who are them), or act as one of them with --as HANDLE where "
			       "identity.impersonation allows it", ctx->actor, ctx->conf->path);
	return 0;
}

int
incident_check_title(const char *what, const char *title)
{
	if (title == NULL)
		return err_set(SR_EUSAGE, "%s needs a title: --title \"what is broken\"", what);
	if (title[strspn(title, " \t\n\r\v\f")] == '\0')
		return err_set(SR_EINVALID, "%s needs a title with words in it, not %s",
			       what, *title ? "only spaces" : "an empty one");
	if (strlen(title) > INCIDENT_TITLE_MAX)
		return err_set(SR_EINVALID, "the title is %zu bytes long: a title is one line "
			       "of at most %d bytes; say the rest in an update", strlen(title),
			       INCIDENT_TITLE_MAX);
	return utf8_check("the title", title);
}

int
incident_check_note(const char *what, const char *text)
{
	if (text[strspn(text, " \t\n\r\v\f")] == '\0')
		return err_set(SR_EINVALID, "%s is blank: say why in words", what);
	if (strlen(text) > INCIDENT_NOTE_MAX)
		return err_set(SR_EINVALID, "%s is %zu bytes long: at most %d; say the rest on "
			       "the timeline", what, strlen(text), INCIDENT_NOTE_MAX);
	return utf8_check(what, text);
}

int
incident_parse_var(struct incident_var *v, char **owned, const char *text)
{
	char *eq;

	*owned = xstrdup(text);
	if ((eq = strchr(*owned, '=')) == NULL || eq == *owned) {
		free(*owned);
		*owned = NULL;
		return err_set(SR_EUSAGE, "--var '%s': write NAME=VALUE, like "
			       "--var impact=\"payments are failing\"", text);
	}
	*eq = '\0';
	v->name = *owned;
	v->value = eq + 1;
	return 0;
}

/* Whether the n values may be set in an incident of pb. */
static int
check_vars(const struct playbook *pb, const struct incident_var *v, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		bool pt = strcmp(v[i].name, "public_title") == 0;

		if (!pt && playbook_variable(pb, v[i].name) == NULL) {
			struct buf b = BUF_INIT;

			for (size_t k = 0; k < pb->nvariables; k++)
				buf_addf(&b, "%s%s", k ? ", " : "", pb->variables[k].name);
			rc = err_set(SR_ENOTFOUND, "playbook '%s' declares no variable '%s'%s%s%s",
				     pb->name, v[i].name, pb->nvariables ? " (it declares " :
				     ": it declares none", buf_str(&b), pb->nvariables ? ")" : "");
			buf_release(&b);
			return rc;
		}
		if ((rc = utf8_check(v[i].name, v[i].value)) != 0)
			return rc;
		if (v[i].value[strspn(v[i].value, " \t\n")] == '\0')
			return err_set(SR_EINVALID, "%s needs a value: %s", v[i].name,
				       pt ? "a title the public may read" :
				       playbook_variable(pb, v[i].name)->description);
		if (strlen(v[i].value) > 2000)
			return err_set(SR_EINVALID, "the value of %s is longer than 2000 bytes",
				       v[i].name);
		if (pt && strpbrk(v[i].value, "\r\n") != NULL)
			return err_set(SR_EINVALID, "a public title is one line");
		if (pt && strlen(v[i].value) > INCIDENT_TITLE_MAX)
			return err_set(SR_EINVALID, "the public title is %zu bytes long: at most "
				       "%d", strlen(v[i].value), INCIDENT_TITLE_MAX);
	}
	return 0;
}

/*
 * The playbook's public title template over the incident's id, severity
 * and declared variables; NULL when it has none or a value it uses is not
 * set yet (the playbook's title stands in).
 */
static char *
render_public_title(const struct playbook *pb, const struct store_incident *inc,
		    const struct store_var *sv, size_t nsv)
{
	struct template_var *tv;
	char id[32];
	char *out = NULL;
	size_t n = 0;

	if (pb->public_title == NULL)
		return NULL;
	tv = xcalloc(pb->nvariables + 3, sizeof(*tv));
	snprintf(id, sizeof(id), "INC-%lld", (long long)inc->id);
	tv[n].name = "id";
	tv[n++].value = id;
	tv[n].name = "severity";
	tv[n++].value = vocab_severity_name(inc->severity);
	tv[n].name = "summary";
	tv[n++].value = pb->summary;
	for (size_t i = 0; i < pb->nvariables; i++) {
		tv[n].name = pb->variables[i].name;
		for (size_t k = 0; k < nsv; k++)
			if (strcmp(sv[k].name, tv[n].name) == 0)
				tv[n].value = sv[k].value;
		n++;
	}
	if (template_render(&out, pb->public_title, tv, n, "public_title") != 0) {
		err_clear();
		out = NULL;
	}
	free(tv);
	return out;
}

/* Write the (checked) values and the public title that follows from them;
 * set gets what changed. */
static int
vars_write(struct incident_ctx *ctx, struct store_incident *inc, const struct playbook *pb,
	   const struct incident_var *vars, size_t nvars, int64_t now, struct json *set)
{
	struct store_var *sv = NULL;
	size_t nsv = 0;
	bool by_hand = false;
	char *pt = NULL;
	int rc;

	for (size_t i = 0; i < nvars; i++) {
		if ((rc = store_var_set(ctx->store, inc->id, vars[i].name, vars[i].value,
		    ctx->actor, now)) != 0)
			return rc;
		json_set_str(set, vars[i].name, vars[i].value);
	}
	if ((rc = store_vars_get(&sv, &nsv, ctx->store, inc->id)) != 0)
		return rc;
	for (size_t k = 0; k < nsv; k++)
		if (strcmp(sv[k].name, "public_title") == 0) {
			by_hand = true;
			pt = xstrdup(sv[k].value);
		}
	if (!by_hand && (pt = render_public_title(pb, inc, sv, nsv)) == NULL)
		pt = xstrdup(inc->public_title);
	store_vars_free(sv, nsv);
	if (strcmp(pt, inc->public_title) != 0) {
		if ((rc = store_incident_set_public_title(ctx->store, inc->id, pt)) != 0) {
			free(pt);
			return rc;
		}
		json_set_str(set, "public_title", pt);
	}
	free(inc->public_title);
	inc->public_title = pt;
	return 0;
}

int
incident_vars_apply(struct incident_ctx *ctx, struct store_incident *inc,
		    const struct playbook *pb, const struct incident_var *vars, size_t nvars)
{
	int64_t now = clock_now_ms();
	struct json *details, *set;
	int rc;

	if (nvars == 0)
		return 0;
	if ((rc = check_vars(pb, vars, nvars)) != 0)
		return rc;
	details = json_new_object();
	json_set(details, "set", set = json_new_object());
	if ((rc = vars_write(ctx, inc, pb, vars, nvars, now, set)) == 0)
		rc = event(ctx, inc->id, now, "variables", details);
	json_free(details);
	return rc;
}

int
incident_set_vars(struct incident_ctx *ctx, int64_t id, const struct incident_var *vars,
		  size_t nvars)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	int rc;

	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if ((rc = incident_vars_apply(ctx, &inc, pb, vars, nvars)) != 0) {
		playbook_free(pb);
		return incident_abandon(ctx, &inc, rc);
	}
	playbook_free(pb);
	/* the change is the "variables" event already written */
	inc.updated_at = clock_now_ms();
	if ((rc = store_incident_update(ctx->store, &inc)) != 0 ||
	    (rc = store_commit(ctx->store)) != 0)
		store_rollback(ctx->store);
	store_incident_release(&inc);
	return rc;
}

int
incident_open(int64_t *out_id, struct incident_ctx *ctx, const char *name,
	      const char *sha, const char *title, int severity,
	      char *const *components, size_t ncomponents)
{
	struct incident_open_req req = { name, sha, title, NULL, severity, components,
					 ncomponents, NULL, 0 };

	return incident_open_with(out_id, ctx, &req);
}

int
incident_open_with(int64_t *out_id, struct incident_ctx *ctx,
		   const struct incident_open_req *req)
{
	const char *name = req->playbook, *sha = req->sha, *title = req->title;
	char *const *components = req->components;
	size_t ncomponents = req->ncomponents;
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	struct store_incident inc = { 0 };
	char *text = NULL;
	struct incident_var *vars = NULL;
	size_t nvars = req->nvars;
	struct json *details, *comps, *set;
	int rc;

	if ((rc = incident_check_title("an incident", title)) != 0)
		return rc;
	if ((rc = known_actor(ctx)) != 0)
		return rc;
	for (size_t i = 0; i < ncomponents; i++)
		if (conf_component(ctx->conf, components[i]) == NULL)
			return err_set(SR_EREFUSED, "unknown component '%s': the site config has %s%s",
				       components[i], ctx->conf->ncomponents ? "" : "none",
				       ctx->conf->ncomponents ? "them under 'components'" : "");
	if (ctx->repo == NULL)
		return err_set(SR_ESYS, "no playbook repository to open '%s' from", name);
	if ((rc = read_playbook(&pb, &text, ctx, name, sha, &d)) != 0) {
		diag_print(&d, stderr);
		diag_release(&d);
		return rc;
	}
	diag_release(&d);
	if (components == NULL) {
		components = pb->components;
		ncomponents = pb->ncomponents;
	}
	/* --public-title is the "public_title" variable set by hand */
	vars = xcalloc(nvars + 1, sizeof(*vars));
	if (nvars > 0)
		memcpy(vars, req->vars, nvars * sizeof(*vars));
	if (req->public_title != NULL) {
		vars[nvars].name = "public_title";
		vars[nvars++].value = req->public_title;
	}
	if ((rc = check_vars(pb, vars, nvars)) != 0) {
		free(vars);
		free(text);
		playbook_free(pb);
		return rc;
	}
	inc.playbook = pb->name;
	memcpy(inc.commit, sha, 41);
	inc.title = (char *)title;
	inc.severity = req->severity ? req->severity : pb->severity;
	/* Until a variable it uses is set, the playbook's own title stands
	 * in: the internal title never leaves the team. */
	inc.public_title = xstrdup(pb->title);
	snprintf(inc.status, sizeof(inc.status), "investigating");
	inc.opened_by = (char *)ctx->actor;
	inc.opened_at = clock_now_ms();
	details = json_new_object();
	json_set(details, "components", comps = json_new_array());
	json_set(details, "variables", set = json_new_object());
	if ((rc = store_begin(ctx->store)) != 0)
		goto out;
	if ((rc = store_incident_insert(out_id, ctx->store, &inc)) != 0 ||
	    (rc = store_playbook_text_put(ctx->store, sha, pb->name, text)) != 0)
		goto fail;
	for (size_t i = 0; i < ncomponents; i++) {
		const char *st = incident_component_status(pb, inc.severity);

		if ((rc = store_component_set(ctx->store, *out_id, components[i], st)) != 0)
			goto fail;
		json_append_str(comps, components[i]);
	}
	/* the values given, and the public title that follows from them */
	inc.id = *out_id;
	if ((rc = vars_write(ctx, &inc, pb, vars, nvars, inc.opened_at, set)) != 0)
		goto fail;
	json_set_str(details, "title", title);
	json_set_str(details, "public_title", inc.public_title);
	json_set_str(details, "playbook", pb->name);
	json_set_str(details, "commit", sha);
	json_set_str(details, "severity", vocab_severity_name(inc.severity));
	if ((rc = event(ctx, *out_id, inc.opened_at, "opened", details)) != 0 ||
	    (rc = store_commit(ctx->store)) != 0)
		goto fail;
	goto out;
fail:
	store_rollback(ctx->store);
out:
	free(inc.public_title);
	free(vars);
	json_free(details);
	playbook_free(pb);
	free(text);
	return rc;
}

int
incident_may_command(bool *out, struct incident_ctx *ctx, const struct store_incident *inc)
{
	struct store_holder *h;
	size_t n;
	int rc;

	if ((rc = store_holders_get(&h, &n, ctx->store, inc->id, "commander")) != 0)
		return rc;
	*out = n == 0 ? strcmp(inc->opened_by, ctx->actor) == 0 : false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].person, ctx->actor) == 0)
			*out = true;
	store_holders_free(h, n);
	return 0;
}

/* Refuse unless the actor may command; the message says who may. */
int
incident_require_command(struct incident_ctx *ctx, const struct store_incident *inc,
		const char *what)
{
	struct store_holder *h;
	size_t n;
	bool may;
	int rc;

	if ((rc = incident_may_command(&may, ctx, inc)) != 0 || may)
		return rc;
	if ((rc = store_holders_get(&h, &n, ctx->store, inc->id, "commander")) != 0)
		return rc;
	if (n == 0)
		rc = err_set(SR_EREFUSED, "only the commander may %s INC-%lld, and no one holds "
			     "that role yet, so only its opener '%s' may: take the role with "
			     "'sitrep role take INC-%lld commander'", what, (long long)inc->id,
			     inc->opened_by, (long long)inc->id);
	else
		rc = err_set(SR_EREFUSED, "only the commander ('%s') may %s INC-%lld; '%s' is not",
			     h[0].person, what, (long long)inc->id, ctx->actor);
	store_holders_free(h, n);
	return rc;
}

int
incident_begin_playbook(struct store_incident *inc, struct playbook **pb,
			struct incident_ctx *ctx, int64_t id)
{
	int rc;

	*pb = NULL;
	if ((rc = incident_begin_change(inc, ctx, id)) != 0)
		return rc;
	if ((rc = incident_playbook(pb, ctx, inc)) != 0)
		return incident_abandon(ctx, inc, rc);
	return 0;
}

/*
 * Load the incident for a change inside a write transaction, refusing a
 * closed one. The transaction is left open on success.
 */
int
incident_begin_change(struct store_incident *inc, struct incident_ctx *ctx, int64_t id)
{
	int rc;

	if ((rc = known_actor(ctx)) != 0)
		return rc;
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = store_incident_get(inc, ctx->store, id)) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	if (strcmp(inc->status, "closed") == 0) {
		store_rollback(ctx->store);
		store_incident_release(inc);
		return err_set(SR_EREFUSED, "INC-%lld is closed: nothing about it changes any more",
			       (long long)id);
	}
	return 0;
}

/* Write inc and its event, and commit; roll back on any failure. */
int
incident_finish_change(struct incident_ctx *ctx, struct store_incident *inc,
	      const char *kind, struct json *details)
{
	int rc;

	inc->updated_at = clock_now_ms();
	if ((rc = store_incident_update(ctx->store, inc)) != 0 ||
	    (rc = event(ctx, inc->id, inc->updated_at, kind, details)) != 0 ||
	    (rc = steps_complete_on(ctx, inc, kind, details)) != 0 ||
	    (rc = store_commit(ctx->store)) != 0)
		store_rollback(ctx->store);
	json_free(details);
	store_incident_release(inc);
	return rc;
}

int
incident_abandon(struct incident_ctx *ctx, struct store_incident *inc, int rc)
{
	store_rollback(ctx->store);
	store_incident_release(inc);
	return rc;
}

/*
 * Resolving or closing ends the pages no one acknowledged, and their
 * notifications not yet sent: nobody is to be woken, nor escalated to,
 * for an incident that is over. How many were ended goes in the event.
 */
static int
end_pages(int64_t *ended, struct incident_ctx *ctx, int64_t id, int64_t at, const char *why)
{
	char reason[64];

	snprintf(reason, sizeof(reason), "INC-%lld %s", (long long)id, why);
	return escalate_end_all(ended, ctx, id, at, reason);
}

static bool
working_status(const char *s)
{
	return strcmp(s, "investigating") == 0 || strcmp(s, "identified") == 0 ||
	       strcmp(s, "monitoring") == 0;
}

int
incident_set_status(struct incident_ctx *ctx, int64_t id, const char *status,
		    const char *note)
{
	struct store_incident inc;
	struct json *details;
	char from[16];
	int rc;

	if (strcmp(status, "resolved") == 0)
		return incident_resolve(ctx, id, note);
	if (strcmp(status, "closed") == 0)
		return incident_close(ctx, id, false, NULL);
	if (!working_status(status))
		return err_set(SR_EUSAGE, "unknown status '%s': use investigating, identified, "
			       "monitoring, resolved or closed", status);
	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if (strcmp(inc.status, "resolved") == 0)
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld is resolved: reopen it first ('sitrep reopen INC-%lld'), "
			"or close it", (long long)id, (long long)id));
	if (strcmp(inc.status, status) == 0)
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld is already %s: move it to one of the other working statuses "
			"(investigating, identified, monitoring) or resolve it",
			(long long)id, status));
	snprintf(from, sizeof(from), "%s", inc.status);
	snprintf(inc.status, sizeof(inc.status), "%s", status);
	details = json_new_object();
	json_set_str(details, "from", from);
	json_set_str(details, "to", status);
	json_set_str_or_null(details, "note", note);
	return incident_finish_change(ctx, &inc, "status", details);
}

int
incident_set_severity(struct incident_ctx *ctx, int64_t id, int severity)
{
	struct store_incident inc;
	struct json *details;
	int rc, from;

	if (severity < 1 || severity > 4)
		return err_set(SR_EUSAGE, "severity must be one of SEV1, SEV2, SEV3, SEV4");
	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if ((rc = incident_require_command(ctx, &inc, "change the severity of")) != 0)
		return incident_abandon(ctx, &inc, rc);
	if (inc.severity == severity)
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED, "INC-%lld is already SEV%d",
						  (long long)id, severity));
	from = inc.severity;
	inc.severity = severity;
	details = json_new_object();
	json_set_str(details, "from", vocab_severity_name(from));
	json_set_str(details, "to", vocab_severity_name(severity));
	return incident_finish_change(ctx, &inc, "severity", details);
}

int
incident_set_component(struct incident_ctx *ctx, int64_t id, const char *component,
		       const char *status)
{
	struct store_incident inc;
	struct json *details;
	int rc;

	if (!vocab_component_status(status))
		return err_set(SR_EUSAGE, "unknown component status '%s': use operational, "
			       "degraded_performance, partial_outage, major_outage or "
			       "under_maintenance", status);
	if (conf_component(ctx->conf, component) == NULL)
		return err_set(SR_EREFUSED, "unknown component '%s': see 'components' in %s",
			       component, ctx->conf->path);
	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if ((rc = store_component_set(ctx->store, id, component, status)) != 0)
		return incident_abandon(ctx, &inc, rc);
	details = json_new_object();
	json_set_str(details, "component", component);
	json_set_str(details, "status", status);
	return incident_finish_change(ctx, &inc, "component", details);
}

int
incident_resolve(struct incident_ctx *ctx, int64_t id, const char *note)
{
	struct store_incident inc;
	struct json *details;
	char from[16];
	int64_t ended;
	int rc;

	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if (!working_status(inc.status))
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld is already resolved: close it after the review, or reopen it",
			(long long)id));
	if ((rc = incident_require_command(ctx, &inc, "resolve")) != 0)
		return incident_abandon(ctx, &inc, rc);
	snprintf(from, sizeof(from), "%s", inc.status);
	snprintf(inc.status, sizeof(inc.status), "resolved");
	inc.resolved_at = clock_now_ms();
	if ((rc = end_pages(&ended, ctx, id, inc.resolved_at, "resolved")) != 0)
		return incident_abandon(ctx, &inc, rc);
	details = json_new_object();
	json_set_str(details, "from", from);
	json_set_str_or_null(details, "note", note);
	json_set_int(details, "pages_ended", ended);
	return incident_finish_change(ctx, &inc, "resolved", details);
}

int
incident_reopen(struct incident_ctx *ctx, int64_t id, const char *note)
{
	struct store_incident inc;
	struct json *details;
	int rc;

	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if (strcmp(inc.status, "resolved") != 0)
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld is %s, not resolved: only a resolved incident can be reopened",
			(long long)id, inc.status));
	if ((rc = incident_require_command(ctx, &inc, "reopen")) != 0)
		return incident_abandon(ctx, &inc, rc);
	snprintf(inc.status, sizeof(inc.status), "investigating");
	inc.resolved_at = 0;
	details = json_new_object();
	json_set_str_or_null(details, "note", note);
	return incident_finish_change(ctx, &inc, "reopened", details);
}

static void
free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool
incident_step_applies(const struct playbook_step *st, int severity)
{
	return st->min_severity == 0 || severity <= st->min_severity;
}

int
incident_open_required_steps(char ***out, size_t *n, struct incident_ctx *ctx,
			     const struct store_incident *inc, const struct playbook *pb)
{
	struct store_step *done;
	size_t ndone;
	char **v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_steps_get(&done, &ndone, ctx->store, inc->id)) != 0)
		return rc;
	v = xcalloc(pb->nsteps + 1, sizeof(*v));
	for (size_t i = 0; i < pb->nsteps; i++) {
		bool finished = false;

		if (!pb->steps[i].required || !incident_step_applies(&pb->steps[i], inc->severity))
			continue;
		for (size_t k = 0; k < ndone; k++)
			finished |= strcmp(done[k].step, pb->steps[i].id) == 0;
		if (!finished)
			v[(*n)++] = xstrdup(pb->steps[i].id);
	}
	store_steps_free(done, ndone);
	*out = v;
	return 0;
}

int
incident_close(struct incident_ctx *ctx, int64_t id, bool force, const char *reason)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	char **open = NULL;
	size_t nopen = 0;
	struct json *details;
	int64_t ended;
	int rc;

	if (force && (reason == NULL || *reason == '\0'))
		return err_set(SR_EUSAGE, "closing with --force needs a reason: -m \"why\"");
	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if (strcmp(inc.status, "resolved") != 0)
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld is %s: resolve it first ('sitrep resolve INC-%lld'), "
			"then close it once the review is done", (long long)id, inc.status,
			(long long)id));
	if ((rc = incident_require_command(ctx, &inc, "close")) != 0 ||
	    (rc = incident_playbook(&pb, ctx, &inc)) != 0 ||
	    (rc = incident_open_required_steps(&open, &nopen, ctx, &inc, pb)) != 0) {
		playbook_free(pb);
		return incident_abandon(ctx, &inc, rc);
	}
	playbook_free(pb);
	if (nopen > 0 && !force) {
		char list[512] = "";

		for (size_t i = 0; i < nopen; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", open[i]);
		free_strs(open, nopen);
		return incident_abandon(ctx, &inc, err_set(SR_EREFUSED,
			"INC-%lld has required steps still open (%s): finish them with "
			"'sitrep step INC-%lld done STEP', or close with --force -m REASON",
			(long long)id, list, (long long)id));
	}
	snprintf(inc.status, sizeof(inc.status), "closed");
	inc.closed_at = clock_now_ms();
	if ((rc = end_pages(&ended, ctx, id, inc.closed_at, "closed")) != 0) {
		free_strs(open, nopen);
		return incident_abandon(ctx, &inc, rc);
	}
	details = json_new_object();
	json_set_bool(details, "forced", force && nopen > 0);
	json_set_str_or_null(details, "reason", reason);
	json_set(details, "open_steps", json_new_str_array(open, nopen));
	json_set_int(details, "pages_ended", ended);
	free_strs(open, nopen);
	return incident_finish_change(ctx, &inc, "closed", details);
}
