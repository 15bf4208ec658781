/* ops-show.c: the incident.show operation: everything about an incident as
 * one JSON object (what `sitrep show --json` prints and the API serves):
 * its playbook and pin, severity, status, components, roles and their
 * holders, steps, pages with their notifications, variables, and where it
 * stands with each audience (promises, apologies, accounts to call). */
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
#include "sitrep/log.h"
#include "sitrep/ops.h"
#include "sitrep/playbook.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-outbox.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

#include "ops-int.h"

static void
iso(char *out, size_t len, int64_t ms)
{
	if (ms == 0)
		snprintf(out, len, "-");
	else
		clock_format_iso(out, len, ms);
}

static struct json *
roles_json(const struct playbook *pb, struct store_holder *h, size_t nh)
{
	struct json *jr = json_new_array();

	for (size_t r = 0; pb != NULL && r < pb->nroles; r++) {
		struct json *e = json_new_object(), *holders = json_new_array();

		for (size_t i = 0; i < nh; i++)
			if (strcmp(h[i].role, pb->roles[r].id) == 0) {
				struct json *hj = json_new_object();

				json_set_str(hj, "person", h[i].person);
				json_set_time(hj, "since", h[i].since);
				json_append(holders, hj);
			}
		json_set_str(e, "id", pb->roles[r].id);
		json_set_str(e, "title", pb->roles[r].title);
		json_set_bool(e, "required", pb->roles[r].required);
		json_set_int(e, "max", pb->roles[r].max);
		json_set(e, "holders", holders);
		json_append(jr, e);
	}
	return jr;
}

static struct json *
steps_json(const struct store_incident *inc, const struct playbook *pb,
	   struct store_step *st, size_t ns)
{
	struct json *js = json_new_array();
	char due[32];

	for (size_t k = 0; pb != NULL && k < pb->nsteps; k++) {
		const struct playbook_step *ps = &pb->steps[k];
		const char *state = "open";
		struct json *e;

		if (!incident_step_applies(ps, inc->severity))
			continue;
		for (size_t i = 0; i < ns; i++)
			if (strcmp(st[i].step, ps->id) == 0)
				state = st[i].state;
		iso(due, sizeof(due), inc->opened_at + ps->due * 1000);
		e = json_new_object();
		json_set_str(e, "id", ps->id);
		json_set_str(e, "title", ps->title);
		json_set_str(e, "role", ps->role);
		json_set_str(e, "due", due);
		json_set_bool(e, "required", ps->required);
		json_set_str(e, "state", state);
		json_append(js, e);
	}
	return js;
}

/* A page's notifications: contact, type, state and when. */
static struct json *
notifications_json(struct store *store, int64_t page_id)
{
	struct json *a = json_new_array();
	struct store_outbox *rows;
	size_t n;

	if (store_outbox_page_rows(&rows, &n, store, page_id) != 0) {
		log_warnx("%s", err_last());
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		struct json *e = json_new_object();
		bool waiting = strcmp(rows[i].state, "pending") == 0 ||
			       strcmp(rows[i].state, "retrying") == 0;

		json_set_int(e, "id", rows[i].id);
		json_set_str_or_null(e, "contact", rows[i].contact);
		json_set_str(e, "type", rows[i].type);
		json_set_str(e, "state", rows[i].state);
		json_set_time(e, "due_at", waiting ? rows[i].next_at : 0);
		json_set_time(e, "sent_at", rows[i].sent_at);
		json_set_str_or_null(e, "last_error", rows[i].last_error);
		json_append(a, e);
	}
	store_outbox_free(rows, n);
	return a;
}

/* Open pages of a resolved or closed incident (ended since, when it was
 * resolved) wake no one: none are listed. A page that will not escalate
 * (a swarm, the last tier, nobody answered) has no escalation time. */
static struct json *
pages_json(struct store *store, const struct store_incident *inc, const struct playbook *pb,
	   struct store_page *pages, size_t np)
{
	struct json *jp = json_new_array();

	for (size_t i = 0; i < np; i++) {
		char tier[16], pid[32];
		bool escalates;
		struct json *e;

		if (strcmp(pages[i].state, "open") != 0 || strcmp(inc->status, "resolved") == 0 ||
		    strcmp(inc->status, "closed") == 0)
			continue;
		escalates = pages[i].exhausted_at == 0 &&
			    escalate_will_escalate(pb, pages, np, pages[i].role);
		snprintf(tier, sizeof(tier), "L%d", pages[i].tier);
		snprintf(pid, sizeof(pid), "PG-%lld", (long long)pages[i].id);
		e = json_new_object();
		json_set_int(e, "id", pages[i].id);
		json_set_str(e, "page", pid);
		json_set_str(e, "role", pages[i].role);
		json_set_str(e, "tier", tier);
		json_set_str(e, "person", pages[i].person);
		json_set_str_or_null(e, "schedule", pages[i].schedule);
		json_set_time(e, "paged_at", pages[i].paged_at);
		json_set_time(e, "times_out_at", pages[i].timeout_at);
		json_set_time(e, "escalates_at", escalates ? pages[i].timeout_at : 0);
		json_set_str(e, "escalation", escalates ? "next tier" : pb == NULL ? "unknown" :
			     pages[i].exhausted_at != 0 ? "none: nobody acknowledged at the last "
			     "tier, the commander was told" :
			     pb->escalation.mode != PLAYBOOK_TIERED ? "none: swarm" :
			     "none: last tier");
		json_set_time(e, "exhausted_at", pages[i].exhausted_at);
		json_set_bool(e, "acknowledged", false);
		json_set(e, "notifications", notifications_json(store, pages[i].id));
		json_append(jp, e);
	}
	return jp;
}

static struct json *
incident_json(struct store *store, const struct store_incident *inc, const struct playbook *pb,
	      struct store_component *comps, size_t ncomps, struct store_holder *h, size_t nh,
	      struct store_step *st, size_t ns, struct store_page *pages, size_t np)
{
	struct json *o = json_new_object(), *jc = json_new_array();
	char t[2][32];

	iso(t[0], sizeof(t[0]), inc->opened_at);
	iso(t[1], sizeof(t[1]), inc->updated_at);
	for (size_t i = 0; i < ncomps; i++) {
		struct json *e = json_new_object();

		json_set_str(e, "id", comps[i].component);
		json_set_str(e, "status", comps[i].status);
		json_append(jc, e);
	}
	json_set_int(o, "id", inc->id);
	json_set(o, "title", json_new_text(inc->title));
	json_set(o, "public_title", json_new_text(inc->public_title));
	json_set_str(o, "playbook", inc->playbook);
	json_set_str(o, "commit", inc->commit);
	json_set_str(o, "severity", vocab_severity_name(inc->severity));
	json_set_str(o, "status", inc->status);
	json_set_str(o, "opened_by", inc->opened_by);
	json_set_str(o, "opened_at", t[0]);
	json_set_str(o, "updated_at", t[1]);
	json_set_time(o, "resolved_at", inc->resolved_at);
	json_set_time(o, "closed_at", inc->closed_at);
	json_set(o, "components", jc);
	json_set(o, "roles", roles_json(pb, h, nh));
	json_set(o, "steps", steps_json(inc, pb, st, ns));
	json_set(o, "open_pages", pages_json(store, inc, pb, pages, np));
	return o;
}

static struct json *
audience_json(const struct comms_audience *a, bool active, int64_t now)
{
	static const char *const promise_states[] = { "pending", "kept", "broken" };
	struct json *e = json_new_object(), *promises = json_new_array();
	bool overdue = active && ((a->next_at != 0 && now > a->next_at) ||
		       (a->last_at == 0 && a->first_due != 0 && now > a->first_due));

	for (size_t k = 0; k < a->npromises; k++) {
		struct json *p = json_new_object();

		json_set_int(p, "update", a->promises[k].update_id);
		json_set_time(p, "promised_at", a->promises[k].promised_at);
		json_set_str(p, "state", promise_states[a->promises[k].state]);
		json_set(p, "kept_by", json_new_int_or_null(a->promises[k].kept_by));
		json_append(promises, p);
	}
	json_set_str(e, "audience", a->audience);
	json_set(e, "last_update", json_new_int_or_null(a->last_update_id));
	json_set_time(e, "last_at", a->last_at);
	json_set_time(e, "next_update_by", a->next_at);
	json_set_time(e, "first_update_by", a->last_at == 0 ? a->first_due : 0);
	json_set_bool(e, "overdue", overdue);
	json_set(e, "promises", promises);
	return e;
}

static struct json *
apology_json(const struct comms_apology *ap, const struct store_incident *inc, int64_t now)
{
	/* a closed incident owes nothing more */
	const char *state = ap->sent_at ? (ap->sent_at > ap->due_at ? "sent_late" : "sent")
			    : strcmp(inc->status, "closed") == 0 ? "not_owed"
			    : now > ap->due_at ? "late" : "owed";
	struct json *e = json_new_object();

	json_set_str(e, "audience", ap->audience);
	json_set_time(e, "due_at", ap->due_at);
	json_set_str(e, "state", state);
	json_set(e, "update", json_new_int_or_null(ap->update_id));
	json_set_time(e, "sent_at", ap->sent_at);
	json_set(e, "after_open_ms", ap->sent_at ? json_new_int(ap->sent_at - inc->opened_at) :
		 json_new_null());
	return e;
}

/* Where the incident stands with each audience, its apologies and the
 * priority accounts to call. */
static struct json *
comms_json(struct incident_ctx *ctx, const struct comms_summary *cs,
	   const struct store_incident *inc, int64_t now)
{
	struct json *o = json_new_object(), *ja = json_new_array(), *jp = json_new_array(),
		    *jc = json_new_array();
	bool active = strcmp(inc->status, "closed") != 0 && strcmp(inc->status, "resolved") != 0;

	for (size_t i = 0; i < cs->naudiences; i++)
		json_append(ja, audience_json(&cs->audiences[i], active, now));
	for (size_t i = 0; i < cs->napologies; i++)
		json_append(jp, apology_json(&cs->apologies[i], inc, now));
	for (size_t i = 0; i < cs->nto_contact; i++) {
		const struct conf_account *acc = conf_account(ctx->conf, cs->to_contact[i]);
		struct json *e = json_new_object();

		json_set_str(e, "id", cs->to_contact[i]);
		json_set_str(e, "name", acc ? acc->name : cs->to_contact[i]);
		json_append(jc, e);
	}
	json_set(o, "audiences", ja);
	json_set(o, "apologies", jp);
	json_set(o, "to_contact", jc);
	return o;
}


/* The playbook's declared variables with their values (null while
 * empty), and any set that it no longer declares. */
static struct json *
vars_json(struct incident_ctx *ctx, const struct store_incident *inc,
	  const struct playbook *pb)
{
	struct store_var *sv = NULL;
	size_t nsv = 0;
	struct json *a = json_new_array();

	if (store_vars_get(&sv, &nsv, ctx->store, inc->id) != 0)
		log_warnx("%s", err_last());
	for (size_t i = 0; pb != NULL && i < pb->nvariables; i++) {
		const struct playbook_variable *pv = &pb->variables[i];
		const struct store_var *v = NULL;
		struct json *e = json_new_object();

		for (size_t k = 0; k < nsv; k++)
			if (strcmp(sv[k].name, pv->name) == 0)
				v = &sv[k];
		json_set_str(e, "name", pv->name);
		json_set_str(e, "description", pv->description);
		json_set_bool(e, "required", pv->required);
		json_set_str_or_null(e, "value", v ? v->value : NULL);
		json_set_str_or_null(e, "set_by", v ? v->set_by : NULL);
		json_append(a, e);
	}
	store_vars_free(sv, nsv);
	return a;
}


/* {"incident"}: the incident as `sitrep show --json` prints it. A pinned
 * playbook that cannot be read leaves out what it would say (roles,
 * steps, communications) and is logged. */
int
ops_incident_show(struct json **out, struct incident_ctx *ctx, const struct json *args)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	struct store_component *comps = NULL;
	struct store_holder *h = NULL;
	struct store_step *st = NULL;
	struct store_page *pages = NULL;
	size_t ncomps = 0, nh = 0, ns = 0, np = 0;
	int64_t id;
	int rc;

	if ((rc = ops_arg_incident(&id, args)) != 0 ||
	    (rc = store_incident_get(&inc, ctx->store, id)) != 0)
		return rc;
	if (incident_playbook(&pb, ctx, &inc) != 0)
		err_clear(); /* shown without it; the CLI says why */
	if ((rc = store_components_get(&comps, &ncomps, ctx->store, id)) == 0 &&
	    (rc = store_holders_get(&h, &nh, ctx->store, id, NULL)) == 0 &&
	    (rc = store_steps_get(&st, &ns, ctx->store, id)) == 0 &&
	    (rc = store_pages_get(&pages, &np, ctx->store, id, false)) == 0) {
		*out = incident_json(ctx->store, &inc, pb, comps, ncomps, h, nh, st, ns, pages, np);
		json_set(*out, "variables", vars_json(ctx, &inc, pb));
		if (pb != NULL) {
			struct comms_summary cs;
			int64_t now = clock_now_ms();

			if ((rc = comms_summarize(&cs, ctx, &inc, pb, now)) == 0) {
				json_set(*out, "communications", comms_json(ctx, &cs, &inc, now));
				comms_summary_release(&cs);
			}
		}
	}
	store_components_free(comps, ncomps);
	store_holders_free(h, nh);
	store_steps_free(st, ns);
	store_pages_free(pages, np);
	playbook_free(pb);
	store_incident_release(&inc);
	return rc;
}
