/* ops-incident.c: the operations on incidents, roles and pages: who the
 * caller is, the list of incidents with what needs attention, taking and
 * releasing a role, acknowledging pages. Each reads its arguments from a
 * JSON object and answers a JSON value; the domain (incident.c, roles.c,
 * escalate.c) does the work. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
#include "sitrep/playbook.h"
#include "sitrep/roles.h"
#include "sitrep/store-incident.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

#include "ops-int.h"

/* ------------------------------------------------------------ whoami */

int
ops_whoami(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	const struct conf_person *p = conf_person(ctx->conf, ctx->actor);
	char via[INCIDENT_VIA_MAX];

	(void)args;
	*out = json_new_object();
	json_set_str(*out, "person", ctx->actor);
	json_set_str_or_null(*out, "name", p != NULL ? p->name : NULL);
	json_set_bool(*out, "known", p != NULL);
	json_set_str(*out, "via", incident_via(via, sizeof(via), ctx));
	return 0;
}

/* ------------------------------------------------------------ incident.list */

/* What an incident commander must see at a glance about one incident. */
struct flags {
	char *commander;        /* NULL when no one holds the role */
	size_t unfilled;        /* required roles no one holds */
	size_t overdue;         /* applicable steps past due, not done */
	size_t unacked;         /* pages not acknowledged */
	size_t apology_owed;    /* apologies owed, not sent, not yet late */
	size_t apology_late;    /* apologies owed past the policy's window */
	size_t updates_overdue; /* audiences whose promised update is late */
	size_t to_contact;      /* priority accounts not yet contacted */
};

/* What the flags say about an incident's audiences and apologies. */
static void
comms_flags(struct flags *f, const struct comms_summary *cs, const struct store_incident *inc,
	    int64_t now)
{
	bool active = strcmp(inc->status, "closed") != 0 && strcmp(inc->status, "resolved") != 0;

	for (size_t i = 0; i < cs->napologies; i++)
		if (cs->apologies[i].sent_at == 0 && strcmp(inc->status, "closed") != 0) {
			if (now > cs->apologies[i].due_at)
				f->apology_late++;
			else
				f->apology_owed++;
		}
	for (size_t i = 0; active && i < cs->naudiences; i++) {
		const struct comms_audience *a = &cs->audiences[i];

		if ((a->next_at != 0 && now > a->next_at) ||
		    (a->last_at == 0 && a->first_due != 0 && now > a->first_due))
			f->updates_overdue++;
	}
	f->to_contact = strcmp(inc->status, "closed") != 0 ? cs->nto_contact : 0;
}

static int
incident_flags(struct flags *f, struct incident_ctx *ctx, const struct store_incident *inc,
	       const struct playbook *pb, int64_t now)
{
	struct store_holder *h;
	struct store_step *st;
	struct store_page *pages;
	size_t nh, ns, np;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = store_holders_get(&h, &nh, ctx->store, inc->id, NULL)) != 0)
		return rc;
	if ((rc = store_steps_get(&st, &ns, ctx->store, inc->id)) != 0) {
		store_holders_free(h, nh);
		return rc;
	}
	if ((rc = store_pages_get(&pages, &np, ctx->store, inc->id, true)) != 0) {
		store_holders_free(h, nh);
		store_steps_free(st, ns);
		return rc;
	}
	f->unacked = strcmp(inc->status, "closed") == 0 || strcmp(inc->status, "resolved") == 0 ?
		     0 : np;
	store_pages_free(pages, np);
	for (size_t i = 0; i < nh; i++)
		if (f->commander == NULL && strcmp(h[i].role, "commander") == 0)
			f->commander = xstrdup(h[i].person);
	for (size_t r = 0; pb != NULL && r < pb->nroles; r++) {
		bool held = false;

		for (size_t i = 0; i < nh; i++)
			held |= strcmp(h[i].role, pb->roles[r].id) == 0;
		if (pb->roles[r].required && !held && strcmp(inc->status, "closed") != 0)
			f->unfilled++;
	}
	for (size_t k = 0; pb != NULL && k < pb->nsteps; k++) {
		bool finished = false;

		for (size_t i = 0; i < ns; i++)
			finished |= strcmp(st[i].step, pb->steps[k].id) == 0;
		if (!finished && incident_step_applies(&pb->steps[k], inc->severity) &&
		    strcmp(inc->status, "closed") != 0 &&
		    inc->opened_at + pb->steps[k].due * 1000 < now)
			f->overdue++;
	}
	store_holders_free(h, nh);
	store_steps_free(st, ns);
	if (pb != NULL) {
		struct comms_summary cs;

		if ((rc = comms_summarize(&cs, ctx, inc, pb, now)) != 0) {
			free(f->commander);
			f->commander = NULL;
			return rc;
		}
		comms_flags(f, &cs, inc, now);
		comms_summary_release(&cs);
	}
	return 0;
}

/*
 * The pinned playbook of each incident, parsed once per (name, commit) for
 * the whole list: a list of many incidents opened from the same few
 * playbooks reads each only once.
 */
struct pbcache {
	struct { char *name; char commit[41]; struct playbook *pb; } *v;
	size_t n;
};

static const struct playbook *
pbcache_get(struct pbcache *c, struct incident_ctx *ctx, const struct store_incident *inc)
{
	struct playbook *pb = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, inc->playbook) == 0 &&
		    strcmp(c->v[i].commit, inc->commit) == 0)
			return c->v[i].pb;
	if (incident_playbook(&pb, ctx, inc) != 0)
		err_clear(); /* shown as unknown; `show` says why */
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].name = xstrdup(inc->playbook);
	memcpy(c->v[c->n].commit, inc->commit, 41);
	c->v[c->n].pb = pb;
	return c->v[c->n++].pb;
}

static void
pbcache_release(struct pbcache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		playbook_free(c->v[i].pb);
	}
	free(c->v);
}

static struct json *
incident_item(const struct store_incident *inc, const struct flags *f)
{
	struct json *e = json_new_object();

	json_set_int(e, "id", inc->id);
	json_set_str(e, "severity", vocab_severity_name(inc->severity));
	json_set_str(e, "status", inc->status);
	json_set(e, "title", json_new_text(inc->title));
	json_set_str(e, "playbook", inc->playbook);
	json_set_str(e, "opened_by", inc->opened_by);
	json_set_time(e, "opened_at", inc->opened_at);
	json_set_str_or_null(e, "commander", f->commander);
	json_set_int(e, "unfilled_roles", (int64_t)f->unfilled);
	json_set_int(e, "overdue_steps", (int64_t)f->overdue);
	json_set_int(e, "unacked_pages", (int64_t)f->unacked);
	json_set_int(e, "overdue_updates", (int64_t)f->updates_overdue);
	json_set_bool(e, "apology_owed", f->apology_owed + f->apology_late > 0);
	json_set_bool(e, "apology_late", f->apology_late > 0);
	json_set_int(e, "accounts_to_contact", (int64_t)f->to_contact);
	return e;
}

int
ops_incident_list(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	struct store_incident *v = NULL;
	struct pbcache cache = { NULL, 0 };
	int64_t now = clock_now_ms();
	size_t n = 0;
	bool all;
	int rc;

	if ((rc = ops_arg_bool(&all, args, "all")) != 0 ||
	    (rc = store_incidents_list(&v, &n, ctx->store, all)) != 0)
		return rc;
	*out = json_new_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct flags f;

		if ((rc = incident_flags(&f, ctx, &v[i], pbcache_get(&cache, ctx, &v[i]),
					 now)) != 0)
			break;
		json_append(*out, incident_item(&v[i], &f));
		free(f.commander);
	}
	pbcache_release(&cache);
	store_incidents_free(v, n);
	return rc;
}

/* ------------------------------------------------------------ roles and pages */

/* {"incident": 7, "role": "commander", "person": "ana"} */
static struct json *
role_result(int64_t id, const char *role, const char *person)
{
	struct json *r = json_new_object();

	json_set_int(r, "incident", id);
	json_set_str(r, "role", role);
	json_set_str(r, "person", person);
	return r;
}

int
ops_role_take(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	const char *role;
	int64_t id;
	int rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 || (rc = ops_arg_str(&role, args, "role")) != 0 ||
	    (rc = roles_take(ctx, id, role)) != 0)
		return rc;
	*out = role_result(id, role, ctx->actor);
	return 0;
}

/* args.person: whose role (the caller's when absent). */
int
ops_role_release(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	const char *role, *person = NULL;
	int64_t id;
	int rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 || (rc = ops_arg_str(&role, args, "role")) != 0)
		return rc;
	if (json_get(args, "person") != NULL && (rc = ops_arg_str(&person, args, "person")) != 0)
		return rc;
	if ((rc = roles_release(ctx, id, role, person)) != 0)
		return rc;
	*out = role_result(id, role, person != NULL ? person : ctx->actor);
	return 0;
}

int
ops_ack(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	int64_t id;
	int rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 || (rc = escalate_ack(ctx, id)) != 0)
		return rc;
	*out = json_new_object();
	json_set_int(*out, "incident", id);
	json_set_str(*out, "acknowledged_by", ctx->actor);
	return 0;
}

/* {"incident", "role", "tier"?}: page a role (every tier of a swarm). */
int
ops_page(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	const char *role;
	int64_t id;
	int tier, rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 || (rc = ops_arg_str(&role, args, "role")) != 0 ||
	    (rc = ops_arg_tier(&tier, args)) != 0 || (rc = escalate_page(ctx, id, role, tier)) != 0)
		return rc;
	*out = json_new_object();
	json_set_int(*out, "incident", id);
	json_set_str(*out, "role", role);
	json_set_str(*out, "paged_by", ctx->actor);
	return 0;
}

/* {"incident", "tier"?, "swarm"?, "note"?}: the latest page's role to the
 * next tier, to tier, or to every tier. */
int
ops_escalate(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	const char *note;
	bool swarm;
	int64_t id;
	int tier, rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 || (rc = ops_arg_tier(&tier, args)) != 0 ||
	    (rc = ops_arg_bool(&swarm, args, "swarm")) != 0 || (rc = ops_arg_note(&note, args)) != 0)
		return rc;
	if (swarm && tier >= 0)
		return err_set(SR_EUSAGE, "'tier' and 'swarm' go one without the other");
	if ((rc = escalate_escalate(ctx, id, NULL, tier, swarm,
				    note != NULL ? note : "escalated by hand")) != 0)
		return rc;
	*out = json_new_object();
	json_set_int(*out, "incident", id);
	json_set_bool(*out, "swarm", swarm);
	json_set_str(*out, "escalated_by", ctx->actor);
	return 0;
}

/* ------------------------------------------------------------ timeline */

/* Whether an event is part of one account's story: a touchpoint with it,
 * or a customer update or apology published to everyone or to it. */
static bool
about_account(const struct store_event *e, const struct json *d, const char *account)
{
	const char *a = json_as_str(json_get(d, "account"));
	const char *aud = json_as_str(json_get(d, "audience"));

	if (strcmp(e->kind, "touchpoint") == 0)
		return a != NULL && strcmp(a, account) == 0;
	if (strcmp(e->kind, "update_published") != 0 && strcmp(e->kind, "apology_published") != 0)
		return false;
	return aud != NULL && strcmp(aud, "customers") == 0 && (a == NULL || strcmp(a, account) == 0);
}

/* {"incident", "after"?, "account"?}: the timeline's events, oldest first
 * (after: only those with a later id; account: only that account's
 * story), each {id, at, actor, via, kind, details, hash}. */
int
ops_timeline(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	struct store_incident inc;
	struct store_event *v = NULL;
	const struct json *after_v = json_get(args, "after");
	const char *account = NULL;
	int64_t id, after = 0;
	size_t n = 0;
	int rc;

	if ((rc = ops_arg_incident(&id, args)) != 0)
		return rc;
	if (after_v != NULL) {
		if (json_kind(after_v) != JSON_KIND_INT || json_as_int(after_v) < 0)
			return err_set(SR_EUSAGE, "'after' must be an event id, 0 or more");
		after = json_as_int(after_v);
	}
	if (json_get(args, "account") != NULL) {
		if ((rc = ops_arg_str(&account, args, "account")) != 0)
			return rc;
		if (conf_account(ctx->conf, account) == NULL)
			return err_set(SR_ENOTFOUND, "no account '%s' in %s", account,
				       ctx->conf->path);
	}
	if ((rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return rc;
	store_incident_release(&inc);
	if ((rc = store_events_get(&v, &n, ctx->store, id)) != 0)
		return rc;
	*out = json_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json *d, *e;
		char when[32];

		if (v[i].id <= after)
			continue;
		d = json_parse(v[i].details, strlen(v[i].details));
		if (account != NULL && !about_account(&v[i], d, account)) {
			json_free(d);
			continue;
		}
		clock_format_iso(when, sizeof(when), v[i].at);
		e = json_new_object();
		json_set_int(e, "id", v[i].id);
		json_set_str(e, "at", when);
		json_set_str(e, "actor", v[i].actor);
		json_set(e, "via", json_new_string_or_null(v[i].via));
		json_set_str(e, "kind", v[i].kind);
		json_set(e, "details", d != NULL ? d : json_new_object());
		json_set_str(e, "hash", v[i].hash);
		json_append(*out, e);
	}
	store_events_free(v, n);
	return 0;
}
