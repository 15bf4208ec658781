/* comms.c: status updates and apologies (text, approval, the "next update
 * by" promise, publishing into the outbox in one transaction), customer
 * touchpoints, and where an incident stands with each audience. Filling
 * {{variables}} is template.c's job; queueing is outbox.c's, sending
 * deliver.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/outbox.h"
#include "sitrep/payload.h"
#include "sitrep/playbook.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-touchpoints.h"
#include "sitrep/store-updates.h"
#include "sitrep/template.h"
#include "sitrep/vocab.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

int
comms_parse_update_id(int64_t *out, const char *text)
{
	return vocab_parse_id(out, text, "UPD", "an update");
}

/* "45 minutes", "1 hour 5 minutes", "2 days 3 hours": how long, in words,
 * as a customer reads it in "for {{duration}}". */
static void
format_span(char *out, size_t len, int64_t ms)
{
	int64_t m = ms / 60000, d = m / 1440, h = m % 1440 / 60;
	long long a, b;
	const char *ua, *ub;

	m %= 60;
	if (d > 0)
		a = d, ua = "day", b = h, ub = "hour";
	else if (h > 0)
		a = h, ua = "hour", b = m, ub = "minute";
	else
		a = m < 1 ? 1 : m, ua = "minute", b = 0, ub = "";
	if (b > 0)
		snprintf(out, len, "%lld %s%s %lld %s%s", a, ua, a == 1 ? "" : "s", b, ub,
			 b == 1 ? "" : "s");
	else
		snprintf(out, len, "%lld %s%s", a, ua, a == 1 ? "" : "s");
}

static bool
strs_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
needs_approval(const struct playbook *pb, const char *audience, int sev)
{
	return pb->approval.min_severity != 0 && sev <= pb->approval.min_severity &&
	       strs_has(pb->approval.audiences, pb->approval.naudiences, audience);
}

static const struct playbook_cadence *
cadence_for(const struct playbook *pb, const char *audience)
{
	for (size_t i = 0; i < pb->ncadence; i++)
		if (strcmp(pb->cadence[i].audience, audience) == 0)
			return &pb->cadence[i];
	return NULL;
}

/* The values a template may use: the built-in ones and the playbook's
 * declared ones, as owned strings. */
struct vars {
	struct template_var *v;
	char **owned;   /* values and reasons */
	size_t n, nowned;
	char *empty;    /* declared optional variables with no value: "a, b" */
};

static void
var_add(struct vars *vs, const char *name, char *value, char *why)
{
	vs->v = xreallocarray(vs->v, vs->n + 1, sizeof(*vs->v));
	vs->owned = xreallocarray(vs->owned, vs->nowned + 2, sizeof(*vs->owned));
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = value;
	vs->v[vs->n++].why = why;
	vs->owned[vs->nowned++] = value;
	vs->owned[vs->nowned++] = why;
}

static void
vars_release(struct vars *vs)
{
	for (size_t i = 0; i < vs->nowned; i++)
		free(vs->owned[i]);
	free(vs->owned);
	free(vs->v);
	free(vs->empty);
}

/* Whether text has {{name}} (or "{{ name }}"). */
static bool
text_uses(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = text; (p = strstr(p, "{{")) != NULL; p += 2) {
		const char *s = p + 2;

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, name, len) != 0)
			continue;
		for (s += len; *s == ' ' || *s == '\t'; s++)
			;
		if (strncmp(s, "}}", 2) == 0)
			return true;
	}
	return false;
}

/*
 * The playbook's declared variables with this incident's values. A
 * required one without a value refuses the template that uses it, saying
 * how to fill it; an optional one reads as nothing, and a dry run names it.
 */
static int
vars_declared(struct vars *vs, struct incident_ctx *ctx, const struct store_incident *inc,
	      const struct playbook *pb, const char *text)
{
	struct store_var *sv = NULL;
	struct buf empty = BUF_INIT;
	size_t nsv = 0;
	int rc;

	if ((rc = store_vars_get(&sv, &nsv, ctx->store, inc->id)) != 0)
		return rc;
	for (size_t i = 0; i < pb->nvariables; i++) {
		const struct playbook_variable *pv = &pb->variables[i];
		char *value = NULL;

		for (size_t k = 0; k < nsv; k++)
			if (strcmp(sv[k].name, pv->name) == 0)
				value = xstrdup(sv[k].value);
		if (value == NULL && !pv->required) {
			if (text_uses(text, pv->name))
				buf_addf(&empty, "%s%s", empty.len ? ", " : "", pv->name);
			value = xstrdup("");
		}
		var_add(vs, pv->name, value, value ? NULL : xasprintf("it is required and "
			"INC-%lld has none yet: set it with 'sitrep set INC-%lld %s VALUE' "
			"or --var %s=VALUE (what to write: %s)", (long long)inc->id,
			(long long)inc->id, pv->name, pv->name, pv->description));
	}
	store_vars_free(sv, nsv);
	vs->empty = empty.len ? buf_detach(&empty) : NULL;
	buf_release(&empty);
	return 0;
}

static char *
component_names(struct incident_ctx *ctx, int64_t id)
{
	struct store_component *c;
	struct buf b = BUF_INIT;
	size_t n;

	if (store_components_get(&c, &n, ctx->store, id) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct conf_component *cc = conf_component(ctx->conf, c[i].component);

		buf_addf(&b, "%s%s", i ? ", " : "", cc ? cc->name : c[i].component);
	}
	store_components_free(c, n);
	return n ? buf_detach(&b) : NULL;
}

static char *
commander_names(struct incident_ctx *ctx, int64_t id)
{
	struct store_holder *h;
	struct buf b = BUF_INIT;
	size_t n;

	if (store_holders_get(&h, &n, ctx->store, id, "commander") != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct conf_person *p = conf_person(ctx->conf, h[i].person);

		buf_addf(&b, "%s%s", i ? " and " : "", p ? p->name : h[i].person);
	}
	store_holders_free(h, n);
	return n ? buf_detach(&b) : NULL;
}

static int
vars_fill(struct vars *vs, struct incident_ctx *ctx, const struct store_incident *inc,
	  const struct playbook *pb, const char *audience, const char *status,
	  int64_t next_at, const struct conf_account *account, const char *text, int64_t now)
{
	char when[CLOCK_WHEN_MAX];
	int64_t end = inc->resolved_at ? inc->resolved_at : now;

	memset(vs, 0, sizeof(*vs));
	var_add(vs, "id", xasprintf("INC-%lld", (long long)inc->id), NULL);
	/* {{title}} is the internal title only for the team's own audiences */
	var_add(vs, "title", xstrdup(payload_team_audience(audience) ? inc->title :
				     inc->public_title), NULL);
	var_add(vs, "public_title", xstrdup(inc->public_title), NULL);
	var_add(vs, "summary", xstrdup(pb->summary), NULL);
	var_add(vs, "severity", xstrdup(vocab_severity_name(inc->severity)), NULL);
	var_add(vs, "status", xstrdup(status), NULL);
	var_add(vs, "components", component_names(ctx, inc->id),
		xstrdup("the incident names no components: add one with 'sitrep component'"));
	clock_format_when(when, sizeof(when), next_at, now);
	var_add(vs, "next_update", next_at ? xstrdup(when) : NULL,
		xstrdup("nothing promises a next update: give --next DURATION"));
	var_add(vs, "page_url", xstrdup(ctx->conf->page_url), NULL);
	var_add(vs, "commander", commander_names(ctx, inc->id), xasprintf("no one holds the "
		"commander role: take it with 'sitrep role take INC-%lld commander'",
		(long long)inc->id));
	/* a moment referred to later: always with its date and year */
	clock_format_when(when, sizeof(when), inc->opened_at, 0);
	var_add(vs, "opened_at", xstrdup(when), NULL);
	format_span(when, sizeof(when), end > inc->opened_at ? end - inc->opened_at : 0);
	var_add(vs, "duration", xstrdup(when), NULL);
	var_add(vs, "account", account ? xstrdup(account->name) : NULL,
		xstrdup("it is not addressed to one account: only 'sitrep apologize "
		"--account' gives it a value"));
	return vars_declared(vs, ctx, inc, pb, text);
}

/* Who may approve an update of author's: for the message that says so. */
static char *
approvers_text(struct incident_ctx *ctx, const struct store_incident *inc,
	       const struct playbook *pb, const char *author)
{
	struct buf b = BUF_INIT;
	struct store_holder *h;
	size_t n, named = 0;

	buf_adds(&b, "a holder of ");
	for (size_t i = 0; i < pb->approval.napprovers; i++)
		buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == pb->approval.napprovers ?
			 " or " : ", ", pb->approval.approvers[i]);
	buf_addf(&b, " other than its author %s", author);
	if (store_holders_get(&h, &n, ctx->store, inc->id, NULL) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(h[i].person, author) == 0 ||
			    !strs_has(pb->approval.approvers, pb->approval.napprovers, h[i].role))
				continue;
			buf_addf(&b, "%s%s (%s)", named++ ? ", " : " (now: ", h[i].person, h[i].role);
		}
		store_holders_free(h, n);
	}
	buf_adds(&b, named ? ")" : "; no one else holds those roles yet");
	return buf_detach(&b);
}

static void
route_add(struct comms_posted *out, const char *channel, const char *type,
	  const char *recipient, const char *subscribers, int64_t count)
{
	struct comms_route *r;

	out->routes = xreallocarray(out->routes, out->nroutes + 1, sizeof(*out->routes));
	r = &out->routes[out->nroutes++];
	memset(r, 0, sizeof(*r));
	r->channel = channel ? xstrdup(channel) : NULL;
	snprintf(r->type, sizeof(r->type), "%s", type);
	r->recipient = recipient ? xstrdup(recipient) : NULL;
	r->subscribers = subscribers ? xstrdup(subscribers) : NULL;
	r->count = count;
}

/*
 * Where an update to audience goes: every config channel that serves the
 * audience (an e-mail channel once per address in its 'to'), or, when the
 * playbook routes the audience, only the channels its route names, with
 * the route's sender name and subject (already filled) on their e-mails;
 * for the customers, their subscribers too (e-mail ones through the first
 * e-mail channel serving customers, the route's first). An update
 * addressed to one account goes only to that account's address.
 * Subscribers are counted only when count_subscribers (otherwise their
 * routes' counts are 0 until routes_queue writes their rows).
 */
static bool
route_serves(const struct playbook_route *pr, const struct conf_channel *ch,
	     const char *audience)
{
	return pr != NULL ? strs_has(pr->channels, pr->nchannels, ch->id) :
	       conf_channel_serves(ch, audience);
}

/* The route's sender name and subject on the routes from first on. */
static void
routes_brand(struct comms_posted *out, size_t first, const struct playbook_route *pr,
	     const char *subject)
{
	for (size_t k = first; pr != NULL && k < out->nroutes; k++) {
		out->routes[k].from_name = pr->from_name ? xstrdup(pr->from_name) : NULL;
		out->routes[k].subject = subject ? xstrdup(subject) : NULL;
	}
}

static int
routes_build(struct comms_posted *out, struct incident_ctx *ctx, const struct playbook *pb,
	     int64_t incident, const char *audience, const struct conf_account *account,
	     bool count_subscribers, const char *subject)
{
	const struct playbook_route *pr = pb != NULL ? playbook_route(pb, audience) : NULL;
	bool customers = strcmp(audience, "customers") == 0, subs_mailed = false;
	int64_t count = 0;
	int rc;

	for (size_t i = 0; i < ctx->conf->nchannels; i++) {
		const struct conf_channel *ch = &ctx->conf->channels[i];
		bool email = strcmp(ch->type, "email") == 0;
		size_t first = out->nroutes;

		if (!route_serves(pr, ch, audience))
			continue;
		if (account != NULL) {
			if (email && account->email != NULL && out->nroutes == 0)
				route_add(out, ch->id, "email", account->email, NULL, 1);
			routes_brand(out, first, pr, subject);
			continue;
		}
		if (!email) {
			route_add(out, ch->id, ch->type, NULL, NULL, 1);
			continue;
		}
		for (size_t k = 0; k < ch->nto; k++)
			route_add(out, ch->id, "email", ch->to[k], NULL, 1);
		routes_brand(out, first, pr, subject);
		if (customers && !subs_mailed) {
			if (count_subscribers && (rc = store_subscribers_matching(&count,
			    ctx->store, "email", incident)) != 0)
				return rc;
			route_add(out, ch->id, "email", NULL, "email", count);
			subs_mailed = true;
		}
	}
	/* Subscribers are no channel: when the customers' route names no
	 * e-mail channel, their mail goes through the site's. */
	for (size_t i = 0; pr != NULL && customers && account == NULL && !subs_mailed &&
	     i < ctx->conf->nchannels; i++) {
		const struct conf_channel *ch = &ctx->conf->channels[i];

		if (strcmp(ch->type, "email") != 0 || !conf_channel_serves(ch, audience))
			continue;
		if (count_subscribers && (rc = store_subscribers_matching(&count, ctx->store,
		    "email", incident)) != 0)
			return rc;
		route_add(out, ch->id, "email", NULL, "email", count);
		subs_mailed = true;
	}
	if (customers && account == NULL) {
		if (count_subscribers && (rc = store_subscribers_matching(&count, ctx->store,
		    "webhook", incident)) != 0)
			return rc;
		route_add(out, NULL, "webhook", NULL, "webhook", count);
	}
	return 0;
}

/* The subject the playbook's route for audience gives its e-mails, filled
 * like a template's text; *out NULL when the route gives none. */
static int
route_subject(char **out, struct incident_ctx *ctx, const struct store_incident *inc,
	      const struct playbook *pb, const char *audience, const char *status,
	      int64_t next_at, const struct conf_account *account, int64_t now)
{
	const struct playbook_route *pr = playbook_route(pb, audience);
	struct vars vs;
	char *clean;
	int rc;

	*out = NULL;
	if (pr == NULL || pr->subject == NULL)
		return 0;
	if ((rc = vars_fill(&vs, ctx, inc, pb, audience, status, next_at, account,
	    pr->subject, now)) == 0)
		rc = template_render(out, pr->subject, vs.v, vs.n, "the route's subject");
	vars_release(&vs);
	if (rc == 0) {
		clean = payload_clean(*out, false);
		free(*out);
		*out = clean;
	}
	return rc;
}

/* Write the outbox rows of out's routes for a published update. */
static int
routes_queue(struct comms_posted *out, struct incident_ctx *ctx, int64_t incident,
	     int64_t update_id, int64_t now)
{
	int64_t count;
	int rc;

	out->queued = 0;
	for (size_t i = 0; i < out->nroutes; i++) {
		struct comms_route *r = &out->routes[i];
		struct outbox_msg m;

		memset(&m, 0, sizeof(m));
		m.incident_id = incident;
		m.update_id = update_id;
		m.channel = r->channel;
		m.type = r->type;
		m.recipient = r->recipient;
		m.subscribers = r->subscribers;
		if (r->subscribers == NULL) {
			m.subject = r->subject;
			m.from_name = r->from_name;
		}
		m.now = now;
		if ((rc = outbox_queue(&count, ctx->store, &m)) != 0)
			return rc;
		if (r->subscribers != NULL)
			r->count = count;
		out->queued += count;
	}
	return 0;
}

/*
 * Whether the update may move the incident to status, and whether the
 * actor may: resolving is the commander's decision, and a resolved
 * incident is reopened first.
 */
static int
check_status(struct incident_ctx *ctx, const struct store_incident *inc, const char *status,
	     const char *approver, bool drafting)
{
	struct incident_ctx as_approver = *ctx;
	bool may;
	int rc;

	if (!vocab_incident_status(status) || strcmp(status, "closed") == 0)
		return err_set(SR_EUSAGE, "status '%s' is not one an update sets: use "
			       "investigating, identified, monitoring or resolved", status);
	if (strcmp(inc->status, status) == 0)
		return 0;
	if (strcmp(inc->status, "resolved") == 0)
		return err_set(SR_EREFUSED, "INC-%lld is resolved: reopen it first "
			       "('sitrep reopen INC-%lld') to post a %s update",
			       (long long)inc->id, (long long)inc->id, status);
	if (strcmp(status, "resolved") == 0 && !drafting) {
		if ((rc = incident_may_command(&may, ctx, inc)) != 0)
			return rc;
		/* The commander may also decide by approving it. */
		as_approver.actor = approver;
		if (!may && approver != NULL &&
		    (rc = incident_may_command(&may, &as_approver, inc)) != 0)
			return rc;
		if (!may)
			return incident_require_command(ctx, inc, "resolve");
	}
	return 0;
}

/* Publish u inside the open transaction: its state, the incident's status
 * when a customer update moves it, the outbox rows; returns the event's
 * details. */
static int
publish_locked(struct json **details, struct comms_posted *out, struct incident_ctx *ctx,
	       const struct playbook *pb, struct store_incident *inc, struct store_update *u,
	       int64_t now)
{
	const struct conf_account *account = u->account ? conf_account(ctx->conf, u->account) : NULL;
	char from[16], *subject = NULL;
	int rc;

	snprintf(from, sizeof(from), "%s", inc->status);
	if (u->status != NULL && strcmp(u->audience, "customers") == 0 &&
	    strcmp(inc->status, u->status) != 0) {
		if ((rc = check_status(ctx, inc, u->status, u->approver, false)) != 0)
			return rc;
		snprintf(inc->status, sizeof(inc->status), "%s", u->status);
		if (strcmp(u->status, "resolved") == 0)
			inc->resolved_at = now;
	}
	if (u->status == NULL)
		u->status = xstrdup(inc->status);
	snprintf(u->state, sizeof(u->state), "published");
	u->published_at = now;
	if ((rc = store_update_set_state(ctx->store, u)) != 0)
		return rc;
	if (out->nroutes == 0) {
		if ((rc = route_subject(&subject, ctx, inc, pb, u->audience, u->status,
		    u->next_update_at, account, now)) == 0)
			rc = routes_build(out, ctx, pb, inc->id, u->audience, account, false,
					  subject);
		free(subject);
		if (rc != 0)
			return rc;
	}
	if ((rc = routes_queue(out, ctx, inc->id, u->id, now)) != 0)
		return rc;
	*details = json_new_object();
	json_set_int(*details, "update", u->id);
	json_set_str(*details, "audience", u->audience);
	json_set_str(*details, "author", u->author);
	json_set_int(*details, "queued", out->queued);
	json_set_int(*details, "after_open_ms", now - inc->opened_at);
	if (u->next_update_at != 0)
		json_set_int(*details, "next_update_at", u->next_update_at);
	if (u->account != NULL)
		json_set_str(*details, "account", u->account);
	if (strcmp(from, inc->status) != 0) {
		struct json *status = json_new_object();

		json_set_str(status, "from", from);
		json_set_str(status, "to", inc->status);
		json_set(*details, "status", status);
	}
	return 0;
}

/* "update_published", "apology_drafted": into the caller's kind. */
static const char *
event_kind(char kind[32], const struct store_update *u, const char *what)
{
	snprintf(kind, 32, "%s_%s", u->kind, what);
	return kind;
}

/* The text of a post: -m, a named template, or for an apology the
 * playbook's apology template. Sets the template's status when the
 * request has none. */
static int
post_text(const char **text, const char **template_id, const char **status,
	  const struct playbook *pb, const struct comms_post *req)
{
	const struct playbook_template *t;

	*text = req->text;
	*template_id = req->template_id;
	*status = req->status;
	if (*text != NULL)
		return 0;
	if (*template_id == NULL && req->apology)
		*template_id = pb->apology.template_id;
	if (*template_id == NULL)
		return err_set(SR_EUSAGE, "give the text with -m TEXT or a template with "
			       "--template ID");
	if ((t = playbook_template(pb, *template_id)) == NULL)
		return err_set(SR_ENOTFOUND, "playbook '%s' has no template '%s'", pb->name,
			       *template_id);
	if (strcmp(t->audience, req->audience) != 0)
		return err_set(SR_EREFUSED, "template '%s' is written for %s, not %s",
			       t->id, t->audience, req->audience);
	*text = t->text;
	if (*status == NULL)
		*status = t->status;
	return 0;
}

static int
post_prepare(struct store_update *u, struct comms_posted *out, struct incident_ctx *ctx,
	     const struct store_incident *inc, const struct playbook *pb,
	     const struct comms_post *req, int64_t now)
{
	const struct conf_account *account = NULL;
	const struct playbook_cadence *cad;
	const char *text, *template_id, *status;
	char what[80], via[INCIDENT_VIA_MAX];
	struct vars vs;
	int rc;

	if (!playbook_has_audience(pb, req->audience))
		return err_set(SR_ENOTFOUND, "audience '%s' is not one playbook '%s' knows: "
			       "internal, executives, customers or one it declares",
			       req->audience, pb->name);
	if (req->account != NULL && (account = conf_account(ctx->conf, req->account)) == NULL)
		return err_set(SR_ENOTFOUND, "no account '%s' in %s", req->account,
			       ctx->conf->path);
	if ((rc = post_text(&text, &template_id, &status, pb, req)) != 0)
		return rc;
	if (req->status != NULL && strcmp(req->audience, "customers") != 0)
		return err_set(SR_EUSAGE, "--status goes with a customer update: "
			       "for others, change it with 'sitrep status'");
	/* Only a customer update moves the incident; another audience's
	 * template status only says what its text is about. */
	/* A draft waits for an approver, who may be the commander: whether
	 * it may resolve is decided when it is published. */
	if (status != NULL && strcmp(req->audience, "customers") == 0 &&
	    (rc = check_status(ctx, inc, status, NULL, needs_approval(pb, req->audience,
	     inc->severity))) != 0)
		return rc;
	memset(u, 0, sizeof(*u));
	u->incident_id = inc->id;
	snprintf(u->kind, sizeof(u->kind), "%s", req->apology ? "apology" : "update");
	u->audience = xstrdup(req->audience);
	/* The status the update speaks of: the one it moves a customer
	 * update's incident to, else the incident's as it is written (for a
	 * customer update, as it is published). */
	if (strcmp(req->audience, "customers") != 0)
		u->status = xstrdup(inc->status);
	else if (status != NULL)
		u->status = xstrdup(status);
	u->template_id = template_id ? xstrdup(template_id) : NULL;
	u->account = req->account ? xstrdup(req->account) : NULL;
	u->author = xstrdup(ctx->actor);
	u->author_via = xstrdup(incident_via(via, sizeof(via), ctx));
	u->created_at = now;
	/* Once the incident is resolved (or this update resolves it) the
	 * cadence ends: no next update is promised unless --next asks. */
	if (req->publish_at > now)
		now = u->publish_at = req->publish_at; /* promises count from then */
	if (req->next > 0)
		u->next_update_at = now + req->next * 1000;
	else if (req->next == 0 && (status == NULL || strcmp(status, "resolved") != 0) &&
		 strcmp(inc->status, "resolved") != 0 &&
		 (cad = cadence_for(pb, req->audience)) != NULL && cad->every[inc->severity] > 0)
		u->next_update_at = now + cad->every[inc->severity] * 1000;
	if (template_id != NULL)
		snprintf(what, sizeof(what), "template '%s'", template_id);
	else
		snprintf(what, sizeof(what), "the text");
	if ((rc = vars_fill(&vs, ctx, inc, pb, req->audience, u->status ? u->status :
	    inc->status, u->next_update_at, account, text, now)) == 0)
		rc = template_render(&u->body, text, vs.v, vs.n, what);
	if (rc == 0 && vs.empty != NULL && req->dry_run)
		out->empty_vars = xstrdup(vs.empty);
	vars_release(&vs);
	if (rc == 0 && u->body[strspn(u->body, " \t\n")] == '\0')
		rc = err_set(SR_EINVALID, "the update's text is empty: write what you want "
			     "to say");
	else if (rc == 0 && strlen(u->body) > COMMS_BODY_MAX)
		rc = err_set(SR_EINVALID, "the update's text is %zu bytes long, more than the "
			     "%d an update may be: shorten it, and link to the details",
			     strlen(u->body), COMMS_BODY_MAX);
	snprintf(u->state, sizeof(u->state), "%s",
		 needs_approval(pb, req->audience, inc->severity) || u->publish_at ? "draft" :
		 "published");
	/* Published at once, the rows written say how many subscribers;
	 * counting them first as well was a twentieth of a fan-out's publish. */
	if (rc == 0) {
		char *subject = NULL;

		if ((rc = route_subject(&subject, ctx, inc, pb, req->audience,
		    u->status ? u->status : inc->status, u->next_update_at, account, now)) == 0)
			rc = routes_build(out, ctx, pb, inc->id, req->audience, account,
					  req->dry_run || strcmp(u->state, "draft") == 0, subject);
		free(subject);
	}
	if (rc != 0) {
		store_update_release(u);
		return rc;
	}
	if (needs_approval(pb, req->audience, inc->severity))
		out->approval = approvers_text(ctx, inc, pb, ctx->actor);
	out->publish_at = u->publish_at;
	return 0;
}

int
comms_post(struct comms_posted *out, struct incident_ctx *ctx, const struct comms_post *req)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	struct store_update u;
	struct json *details = NULL;
	char kind[32];
	int64_t now = clock_now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	/* A dry run is checked like the real thing, then rolled back. */
	if ((rc = incident_begin_change(&inc, ctx, req->incident)) != 0)
		return rc;
	if ((rc = incident_playbook(&pb, ctx, &inc)) != 0 ||
	    (rc = incident_vars_apply(ctx, &inc, pb, req->vars, req->nvars)) != 0 ||
	    (rc = post_prepare(&u, out, ctx, &inc, pb, req, now)) != 0)
		goto fail;
	snprintf(out->state, sizeof(out->state), "%s", u.state);
	out->next_update_at = u.next_update_at;
	out->body = xstrdup(u.body);
	if (req->dry_run) {
		u.published_at = now;
		out->preview = xcalloc(1, sizeof(*out->preview));
		rc = payload_load_incident(out->preview, ctx->store, ctx->conf, &inc, &u);
		if (rc != 0)
			comms_posted_release(out);
		store_update_release(&u);
		playbook_free(pb);
		return incident_abandon(ctx, &inc, rc);
	}
	if (strcmp(u.state, "draft") == 0) {
		snprintf(u.state, sizeof(u.state), "draft");
		if ((rc = store_update_insert(&u.id, ctx->store, &u)) == 0) {
			details = json_new_object();
			json_set_int(details, "update", u.id);
			json_set_str(details, "audience", u.audience);
			json_set_bool(details, "approval", out->approval != NULL);
			if (u.publish_at != 0)
				json_set_int(details, "publish_at", u.publish_at);
		}
	} else {
		snprintf(u.state, sizeof(u.state), "draft");
		if ((rc = store_update_insert(&u.id, ctx->store, &u)) == 0)
			rc = publish_locked(&details, out, ctx, pb, &inc, &u, now);
	}
	out->update_id = u.id;
	if (rc != 0) {
		store_update_release(&u);
		goto fail;
	}
	rc = incident_finish_change(ctx, &inc, event_kind(kind, &u,
				    strcmp(out->state, "draft") == 0 ? "drafted" : "published"),
				    details);
	store_update_release(&u);
	playbook_free(pb);
	if (rc != 0)
		comms_posted_release(out);
	return rc;

fail:
	playbook_free(pb);
	comms_posted_release(out);
	return incident_abandon(ctx, &inc, rc);
}

void
comms_posted_release(struct comms_posted *p)
{
	free(p->body);
	free(p->approval);
	free(p->empty_vars);
	for (size_t i = 0; i < p->nroutes; i++) {
		free(p->routes[i].channel);
		free(p->routes[i].recipient);
		free(p->routes[i].subscribers);
		free(p->routes[i].from_name);
		free(p->routes[i].subject);
	}
	free(p->routes);
	if (p->preview != NULL)
		payload_release(p->preview);
	free(p->preview);
	memset(p, 0, sizeof(*p));
}

/* Load update id and its incident inside a write transaction, with the
 * pinned playbook. On failure nothing is held. */
static int
update_begin(struct store_update *u, struct store_incident *inc, struct playbook **pb,
	     struct incident_ctx *ctx, int64_t id)
{
	struct store_update peek;
	int rc;

	*pb = NULL;
	if ((rc = store_update_get(&peek, ctx->store, id)) != 0)
		return rc;
	rc = incident_begin_change(inc, ctx, peek.incident_id);
	store_update_release(&peek);
	if (rc != 0)
		return rc;
	if ((rc = store_update_get(u, ctx->store, id)) != 0)
		return incident_abandon(ctx, inc, rc);
	if ((rc = incident_playbook(pb, ctx, inc)) != 0) {
		store_update_release(u);
		return incident_abandon(ctx, inc, rc);
	}
	return 0;
}

static int
update_abandon(struct incident_ctx *ctx, struct store_update *u, struct store_incident *inc,
	       struct playbook *pb, int rc)
{
	store_update_release(u);
	playbook_free(pb);
	return incident_abandon(ctx, inc, rc);
}

static int
update_finish(struct incident_ctx *ctx, struct store_update *u, struct store_incident *inc,
	      struct playbook *pb, const char *what, struct json *details)
{
	char kind[32];
	int rc = incident_finish_change(ctx, inc, event_kind(kind, u, what), details);

	store_update_release(u);
	playbook_free(pb);
	return rc;
}

/* Refuse an update that is not waiting to be published. */
static int
require_unpublished(const struct store_update *u, const char *verb)
{
	if (strcmp(u->state, "published") == 0)
		return err_set(SR_EREFUSED, "UPD-%lld was already published: there is nothing "
			       "to %s; post a correction with 'sitrep update'",
			       (long long)u->id, verb);
	if (strcmp(u->state, "withdrawn") == 0)
		return err_set(SR_EREFUSED, "UPD-%lld was withdrawn by %s: it cannot be %s; "
			       "post a new update instead", (long long)u->id,
			       u->withdrawn_by ? u->withdrawn_by : "someone",
			       strcmp(verb, "approve") == 0 ? "approved" : "published");
	return 0;
}

int
comms_approve(struct incident_ctx *ctx, int64_t update_id)
{
	struct store_incident inc;
	struct store_update u;
	struct json *details;
	struct playbook *pb;
	struct store_holder *h;
	size_t n;
	bool holds = false;
	char vbuf[INCIDENT_VIA_MAX];
	const char *approver_via = incident_via(vbuf, sizeof(vbuf), ctx);
	int rc;

	if ((rc = update_begin(&u, &inc, &pb, ctx, update_id)) != 0)
		return rc;
	if ((rc = require_unpublished(&u, "approve")) != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	if (strcmp(u.state, "approved") == 0)
		return update_abandon(ctx, &u, &inc, pb, err_set(SR_EREFUSED,
			"UPD-%lld is already approved by %s: publish it with 'sitrep publish "
			"UPD-%lld'", (long long)u.id, u.approver, (long long)u.id));
	if (strcmp(u.author, ctx->actor) == 0)
		rc = err_set(SR_EREFUSED, "%s wrote UPD-%lld and may not approve it too: it "
			     "needs %s", ctx->actor, (long long)u.id, "a second person");
	else if (!ctx->conf->impersonation && u.author_via != NULL &&
		 strcmp(u.author_via, approver_via) == 0)
		rc = err_set(SR_EREFUSED, "UPD-%lld was written by %s with the credential "
			     "'%s', the one approving it now as %s: the two-person rule needs "
			     "a second person with a credential of their own", (long long)u.id,
			     u.author, approver_via, ctx->actor);
	else if ((rc = store_holders_get(&h, &n, ctx->store, inc.id, NULL)) == 0) {
		for (size_t i = 0; i < n; i++)
			holds |= strcmp(h[i].person, ctx->actor) == 0 &&
				 strs_has(pb->approval.approvers, pb->approval.napprovers, h[i].role);
		store_holders_free(h, n);
		if (!holds) {
			char *who = approvers_text(ctx, &inc, pb, u.author);

			rc = err_set(SR_EREFUSED, "%s may not approve UPD-%lld: it needs %s",
				     ctx->actor, (long long)u.id, who);
			free(who);
		}
	}
	if (rc != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	snprintf(u.state, sizeof(u.state), "approved");
	free(u.approver);
	u.approver = xstrdup(ctx->actor);
	free(u.approver_via);
	u.approver_via = xstrdup(approver_via);
	u.approved_at = clock_now_ms();
	if ((rc = store_update_set_state(ctx->store, &u)) != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	details = json_new_object();
	json_set_int(details, "update", u.id);
	json_set_str(details, "audience", u.audience);
	json_set_str(details, "author", u.author);
	return update_finish(ctx, &u, &inc, pb, "approved", details);
}

int
comms_publish(int64_t *queued, struct incident_ctx *ctx, int64_t update_id)
{
	struct comms_posted out;
	struct store_incident inc;
	struct store_update u;
	struct playbook *pb;
	struct json *details = NULL;
	bool may;
	int rc;

	*queued = 0;
	if ((rc = update_begin(&u, &inc, &pb, ctx, update_id)) != 0)
		return rc;
	if ((rc = require_unpublished(&u, "publish")) != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	if (strcmp(u.state, "draft") == 0 && needs_approval(pb, u.audience, inc.severity)) {
		char *who = approvers_text(ctx, &inc, pb, u.author);

		rc = err_set(SR_EREFUSED, "UPD-%lld is a draft that needs approval before it "
			     "is published: %s ('sitrep approve UPD-%lld')", (long long)u.id,
			     who, (long long)u.id);
		free(who);
		return update_abandon(ctx, &u, &inc, pb, rc);
	}
	if ((rc = incident_may_command(&may, ctx, &inc)) != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	if (!may && strcmp(u.author, ctx->actor) != 0 &&
	    (u.approver == NULL || strcmp(u.approver, ctx->actor) != 0))
		return update_abandon(ctx, &u, &inc, pb, err_set(SR_EREFUSED,
			"only its author %s, its approver or the commander may publish UPD-%lld",
			u.author, (long long)u.id));
	memset(&out, 0, sizeof(out));
	rc = publish_locked(&details, &out, ctx, pb, &inc, &u, clock_now_ms());
	*queued = out.queued;
	comms_posted_release(&out);
	if (rc != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	return update_finish(ctx, &u, &inc, pb, "published", details);
}

int
comms_withdraw(struct incident_ctx *ctx, int64_t update_id, const char *reason)
{
	struct store_incident inc;
	struct store_update u;
	struct json *details;
	struct playbook *pb;
	bool may;
	int rc;

	if ((rc = update_begin(&u, &inc, &pb, ctx, update_id)) != 0)
		return rc;
	if (strcmp(u.state, "withdrawn") == 0)
		rc = err_set(SR_EREFUSED, "UPD-%lld is already withdrawn", (long long)u.id);
	else if (strcmp(u.state, "published") == 0)
		rc = require_unpublished(&u, "withdraw");
	else if ((rc = incident_may_command(&may, ctx, &inc)) == 0 && !may &&
		 strcmp(u.author, ctx->actor) != 0)
		rc = err_set(SR_EREFUSED, "only its author %s or the commander may withdraw "
			     "UPD-%lld", u.author, (long long)u.id);
	if (rc != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	snprintf(u.state, sizeof(u.state), "withdrawn");
	u.withdrawn_by = xstrdup(ctx->actor);
	u.withdrawn_at = clock_now_ms();
	if ((rc = store_update_set_state(ctx->store, &u)) != 0)
		return update_abandon(ctx, &u, &inc, pb, rc);
	details = json_new_object();
	json_set_int(details, "update", u.id);
	json_set_str(details, "audience", u.audience);
	json_set_str_or_null(details, "reason", reason);
	return update_finish(ctx, &u, &inc, pb, "withdrawn", details);
}

int
comms_contact(struct incident_ctx *ctx, int64_t incident, const char *account,
	      const char *via, const char *summary)
{
	static const char *const vias[] = { "phone", "email", "chat", "social", NULL };
	struct store_touchpoint t;
	struct store_incident inc;
	struct json *details;
	bool known = false;
	int rc;

	for (const char *const *v = vias; *v != NULL; v++)
		known |= strcmp(*v, via) == 0;
	if (!known)
		return err_set(SR_EUSAGE, "--via '%s' is not one of phone, email, chat, social", via);
	if (conf_account(ctx->conf, account) == NULL)
		return err_set(SR_ENOTFOUND, "no account '%s' in %s", account, ctx->conf->path);
	if (summary[strspn(summary, " \t\n")] == '\0')
		return err_set(SR_EUSAGE, "say what was said with -m SUMMARY");
	if ((rc = incident_begin_change(&inc, ctx, incident)) != 0)
		return rc;
	memset(&t, 0, sizeof(t));
	t.incident_id = incident;
	t.account = (char *)account;
	snprintf(t.via, sizeof(t.via), "%s", via);
	t.summary = (char *)summary;
	t.actor = (char *)ctx->actor;
	t.at = clock_now_ms();
	if ((rc = store_touchpoint_insert(ctx->store, &t)) != 0)
		return incident_abandon(ctx, &inc, rc);
	details = json_new_object();
	json_set_str(details, "account", account);
	json_set_str(details, "via", via);
	json_set_str(details, "summary", summary);
	return incident_finish_change(ctx, &inc, "touchpoint", details);
}

/* Summary */

static struct comms_audience *
audience_get(struct comms_summary *s, const char *audience)
{
	for (size_t i = 0; i < s->naudiences; i++)
		if (strcmp(s->audiences[i].audience, audience) == 0)
			return &s->audiences[i];
	s->audiences = xreallocarray(s->audiences, s->naudiences + 1, sizeof(*s->audiences));
	memset(&s->audiences[s->naudiences], 0, sizeof(*s->audiences));
	s->audiences[s->naudiences].audience = xstrdup(audience);
	return &s->audiences[s->naudiences++];
}

/*
 * A promise made by a published update is kept when a later published
 * update to the same audience came at or before the promised time, broken
 * when none did and the time has passed, and pending until then.
 */
static void
promises_fill(struct comms_summary *s, const struct store_update *v, size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct comms_audience *a;
		struct comms_promise *p;

		/* An update to one account is that account's story, not the
		 * audience's: it keeps no promise to everyone. */
		if (strcmp(v[i].state, "published") != 0 || v[i].account != NULL)
			continue;
		a = audience_get(s, v[i].audience);
		a->last_update_id = v[i].id;
		a->last_at = v[i].published_at;
		a->next_at = v[i].next_update_at;
		if (v[i].next_update_at == 0)
			continue;
		a->promises = xreallocarray(a->promises, a->npromises + 1, sizeof(*a->promises));
		p = &a->promises[a->npromises++];
		memset(p, 0, sizeof(*p));
		p->update_id = v[i].id;
		p->promised_at = v[i].next_update_at;
		p->state = now > p->promised_at ? PROMISE_BROKEN : PROMISE_PENDING;
		for (size_t k = i + 1; k < n; k++) {
			if (strcmp(v[k].state, "published") != 0 || v[k].account != NULL ||
			    strcmp(v[k].audience, v[i].audience) != 0)
				continue;
			p->kept_by = v[k].id;
			p->state = v[k].published_at <= p->promised_at ? PROMISE_KEPT : PROMISE_BROKEN;
			break;
		}
	}
}

static bool
account_affected(const struct conf_account *a, const struct store_component *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strs_has(a->components, a->ncomponents, c[i].component))
			return true;
	return false;
}

int
comms_summarize(struct comms_summary *out, struct incident_ctx *ctx,
		const struct store_incident *inc, const struct playbook *pb, int64_t now)
{
	struct store_update *v = NULL;
	struct store_touchpoint *t = NULL;
	struct store_component *c = NULL;
	size_t n = 0, nt = 0, nc = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_updates_get(&v, &n, ctx->store, inc->id)) != 0 ||
	    (rc = store_touchpoints_get(&t, &nt, ctx->store, inc->id, NULL)) != 0 ||
	    (rc = store_components_get(&c, &nc, ctx->store, inc->id)) != 0)
		goto done;
	for (size_t i = 0; i < pb->ncadence; i++) {
		struct comms_audience *a = audience_get(out, pb->cadence[i].audience);

		if (pb->cadence[i].first_within > 0)
			a->first_due = inc->opened_at + pb->cadence[i].first_within * 1000;
	}
	promises_fill(out, v, n, now);
	if (pb->apology.min_severity != 0 && inc->severity <= pb->apology.min_severity) {
		out->apologies = xcalloc(pb->apology.naudiences + 1, sizeof(*out->apologies));
		for (size_t i = 0; i < pb->apology.naudiences; i++) {
			struct comms_apology *ap = &out->apologies[out->napologies++];

			ap->audience = xstrdup(pb->apology.audiences[i]);
			ap->due_at = inc->opened_at + pb->apology.within * 1000;
			for (size_t k = 0; k < n && ap->update_id == 0; k++)
				if (strcmp(v[k].kind, "apology") == 0 &&
				    strcmp(v[k].state, "published") == 0 && v[k].account == NULL &&
				    strcmp(v[k].audience, ap->audience) == 0) {
					ap->update_id = v[k].id;
					ap->sent_at = v[k].published_at;
				}
		}
	}
	out->to_contact = xcalloc(ctx->conf->naccounts + 1, sizeof(*out->to_contact));
	for (size_t i = 0; i < ctx->conf->naccounts; i++) {
		const struct conf_account *a = &ctx->conf->accounts[i];
		bool contacted = false;

		for (size_t k = 0; k < nt; k++)
			contacted |= strcmp(t[k].account, a->id) == 0;
		if (a->priority && !contacted && account_affected(a, c, nc))
			out->to_contact[out->nto_contact++] = xstrdup(a->id);
	}
done:
	store_updates_free(v, n);
	store_touchpoints_free(t, nt);
	store_components_free(c, nc);
	if (rc != 0)
		comms_summary_release(out);
	return rc;
}

void
comms_summary_release(struct comms_summary *s)
{
	for (size_t i = 0; i < s->naudiences; i++) {
		free(s->audiences[i].audience);
		free(s->audiences[i].promises);
	}
	free(s->audiences);
	for (size_t i = 0; i < s->napologies; i++)
		free(s->apologies[i].audience);
	free(s->apologies);
	for (size_t i = 0; i < s->nto_contact; i++)
		free(s->to_contact[i]);
	free(s->to_contact);
	memset(s, 0, sizeof(*s));
}

/* A notice: about an incident (routed by its playbook when pb is not
 * NULL) or, when m is not NULL, about a maintenance. */
struct notice {
	int64_t incident_id;
	const struct playbook *pb;
	const struct payload_maintenance *m;
	const char *audience, *event;
	char *title, *text;  /* cleaned of control characters */
	char *subject;       /* e-mail: "[Page name] title" */
	char *url;           /* where to read more */
	int64_t now;
};

static int
notice_render(struct buf *b, const struct notice *n, const char *type)
{
	buf_reset(b);
	if (n->m != NULL)
		return payload_maintenance_notice(b, type, n->event, n->title, n->text, n->url,
						  n->now, n->m);
	return payload_notice(b, type, n->event, n->title, n->text, n->url, n->now);
}

/*
 * Queue the notice, rendered for type: to one recipient of channel (NULL:
 * the channel's URL) or, when subscribers is "email" or "webhook", to the
 * subscribers of that kind of the maintenance's components, or of the
 * incident's. *count says how many rows.
 */
static int
notice_queue(int64_t *count, struct incident_ctx *ctx, const struct notice *n,
	     const char *channel, const char *type, const char *recipient,
	     const char *subscribers)
{
	struct outbox_msg m;
	struct buf b = BUF_INIT;
	int rc;

	*count = 0;
	if ((rc = notice_render(&b, n, type)) == 0) {
		memset(&m, 0, sizeof(m));
		m.incident_id = n->incident_id;
		m.maintenance_id = n->m != NULL ? n->m->id : 0;
		m.channel = channel;
		m.type = type;
		m.recipient = recipient;
		m.subscribers = subscribers;
		m.subject = strcmp(type, "email") == 0 ? n->subject : NULL;
		m.payload = buf_str(&b);
		m.now = n->now;
		rc = outbox_queue(count, ctx->store, &m);
	}
	buf_release(&b);
	return rc;
}

static int
notify(int64_t *queued, struct incident_ctx *ctx, struct notice *n, const char *title,
       const char *text)
{
	const struct playbook_route *pr = n->pb ? playbook_route(n->pb, n->audience) : NULL;
	bool customers = strcmp(n->audience, "customers") == 0, subs_mailed = false;
	int64_t count;
	int rc = 0;

	*queued = 0;
	n->now = clock_now_ms();
	n->title = payload_clean(title, false);
	n->text = payload_clean(text, true);
	n->subject = xasprintf("[%s] %s", ctx->conf->page_name, n->title);
	if (n->url == NULL)
		n->url = xstrdup(ctx->conf->page_url);
	for (size_t i = 0; rc == 0 && i < ctx->conf->nchannels; i++) {
		const struct conf_channel *ch = &ctx->conf->channels[i];

		if (!route_serves(pr, ch, n->audience))
			continue;
		if (strcmp(ch->type, "email") != 0) {
			if ((rc = notice_queue(&count, ctx, n, ch->id, ch->type, NULL, NULL)) == 0)
				*queued += count;
			continue;
		}
		for (size_t k = 0; rc == 0 && k < ch->nto; k++)
			if ((rc = notice_queue(&count, ctx, n, ch->id, "email", ch->to[k],
					       NULL)) == 0)
				*queued += count;
		if (rc == 0 && customers && !subs_mailed) {
			rc = notice_queue(&count, ctx, n, ch->id, "email", NULL, "email");
			*queued += count;
			subs_mailed = true;
		}
	}
	if (rc == 0 && customers) {
		rc = notice_queue(&count, ctx, n, NULL, "webhook", NULL, "webhook");
		*queued += count;
	}
	free(n->title);
	free(n->text);
	free(n->subject);
	free(n->url);
	return rc;
}

int
comms_notify(int64_t *queued, struct incident_ctx *ctx, int64_t incident_id,
	     const char *audience, const char *event, const char *title, const char *text)
{
	return comms_notify_routed(queued, ctx, NULL, incident_id, audience, event, title,
				   text);
}

int
comms_notify_routed(int64_t *queued, struct incident_ctx *ctx, const struct playbook *pb,
		    int64_t incident_id, const char *audience, const char *event,
		    const char *title, const char *text)
{
	struct notice n;

	memset(&n, 0, sizeof(n));
	n.incident_id = incident_id;
	n.pb = pb;
	n.audience = audience;
	n.event = event;
	return notify(queued, ctx, &n, title, text);
}

int
comms_notify_maintenance(int64_t *queued, struct incident_ctx *ctx,
			 const struct store_maintenance *m, const char *event,
			 const char *title, const char *text)
{
	struct payload_maintenance pm;
	struct notice n;
	char path[48], *name;
	const char *status = strrchr(event, '.');
	int rc;

	status = status != NULL ? status + 1 : event;
	memset(&pm, 0, sizeof(pm));
	pm.id = m->id;
	pm.name = name = utf8_repair(m->title); /* stored unchecked before schema 7 */
	pm.status = strcmp(status, "started") == 0 ? "in_progress" : status;
	pm.scheduled_for = m->starts_at;
	pm.scheduled_until = m->ends_at;
	pm.components = m->components;
	pm.ncomponents = m->ncomponents;
	memset(&n, 0, sizeof(n));
	n.m = &pm;
	n.audience = "customers";
	n.event = event;
	snprintf(path, sizeof(path), "maintenances/mnt-%lld", (long long)m->id);
	n.url = payload_url(ctx->conf->page_url, path);
	rc = notify(queued, ctx, &n, title, text);
	free(name);
	return rc;
}

/* "14:05 UTC", "14:05:30 UTC", "2026-12-05 14:05 UTC". */
static void
format_clock(char *out, size_t len, int64_t ms, bool date, bool seconds)
{
	char iso[32];

	clock_format_iso(iso, sizeof(iso), ms);
	snprintf(out, len, "%.*s%.*s UTC", date ? 11 : 0, iso, seconds ? 8 : 5, iso + 11);
	if (date)
		out[10] = ' ';
}

/*
 * A window for people. The date goes with a time that is not on now's day
 * (UTC), and with the end when it is not on the start's day; seconds when
 * the window is under five minutes, so that a short one does not read
 * "06:46 UTC until 06:46 UTC". duration.c's date-aware formatter may take
 * this over.
 */
void
comms_format_window(char *out, size_t len, int64_t from, int64_t until, int64_t now)
{
	char a[40], b[40];
	bool seconds = until - from < 5 * 60 * 1000;
	int64_t day = 86400000;
	bool from_date = from / day != now / day;
	bool until_date = until / day != from / day;

	format_clock(a, sizeof(a), from, from_date, seconds);
	format_clock(b, sizeof(b), until, until_date, seconds);
	snprintf(out, len, "%s until %s", a, b);
}
