/* roles.c: taking, assigning, releasing and handing over an incident's
 * roles, and marking its steps, each as one transaction with its timeline
 * event. The roles and steps come from the incident's pinned playbook; the
 * rows are the store's. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/log.h"
#include "sitrep/playbook.h"
#include "sitrep/roles.h"
#include "sitrep/store-incident.h"
#include "sitrep/xalloc.h"

/* A role change in progress: the incident (in a write transaction), its
 * pinned playbook, the role, and who holds it now. */
struct change {
	struct store_incident inc;
	struct playbook *pb;
	const struct playbook_role *role;
	struct store_holder *holders;
	size_t nholders;
};

static void
change_release(struct change *c)
{
	playbook_free(c->pb);
	store_holders_free(c->holders, c->nholders);
}

static int
change_fail(struct incident_ctx *ctx, struct change *c, int rc)
{
	change_release(c);
	return incident_abandon(ctx, &c->inc, rc);
}

static int
change_done(struct incident_ctx *ctx, struct change *c, const char *kind, struct json *details)
{
	change_release(c);
	return incident_finish_change(ctx, &c->inc, kind, details);
}

/* The role is filled by person: its open pages end covered, in the same
 * transaction (escalate_cover); how many goes in the event when any. */
static int
change_filled(struct incident_ctx *ctx, struct change *c, const char *kind,
	      struct json *details, const char *person)
{
	int64_t covered;
	int rc;

	if ((rc = escalate_cover(&covered, ctx, c->inc.id, c->role->id, person)) != 0) {
		json_free(details);
		return change_fail(ctx, c, rc);
	}
	if (covered > 0)
		json_set_int(details, "pages_covered", covered);
	return change_done(ctx, c, kind, details);
}

/* The details of a role change: {"role": role, key: person}. */
static struct json *
role_details(const char *role, const char *key, const char *person)
{
	struct json *d = json_new_object();

	json_set_str(d, "role", role);
	json_set_str(d, key, person);
	return d;
}

static bool
holds(const struct change *c, const char *person)
{
	for (size_t i = 0; i < c->nholders; i++)
		if (strcmp(c->holders[i].person, person) == 0)
			return true;
	return false;
}

static void
holder_list(char *out, size_t len, const struct change *c)
{
	out[0] = '\0';
	for (size_t i = 0; i < c->nholders; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? ", " : "",
			 c->holders[i].person);
}

static int
change_begin(struct change *c, struct incident_ctx *ctx, int64_t id, const char *role)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = incident_begin_playbook(&c->inc, &c->pb, ctx, id)) != 0)
		return rc;
	if ((c->role = playbook_role(c->pb, role)) == NULL) {
		char list[512] = "";

		for (size_t i = 0; i < c->pb->nroles; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", c->pb->roles[i].id);
		return change_fail(ctx, c, err_set(SR_EREFUSED,
			"playbook '%s' has no role '%s': its roles are %s", c->pb->name, role, list));
	}
	if ((rc = store_holders_get(&c->holders, &c->nholders, ctx->store, id, role)) != 0)
		return change_fail(ctx, c, rc);
	return 0;
}

static int
known_person(struct incident_ctx *ctx, const char *person)
{
	if (conf_person(ctx->conf, person) == NULL)
		return err_set(SR_EREFUSED, "unknown person '%s': add them under 'people' in %s",
			       person, ctx->conf->path);
	return 0;
}

/* Refuse when the role is full, naming who holds it. */
static int
check_room(const struct change *c, const char *person)
{
	char who[512];

	if (holds(c, person))
		return err_set(SR_EREFUSED, "'%s' already holds the role '%s' on INC-%lld",
			       person, c->role->id, (long long)c->inc.id);
	if ((int)c->nholders >= c->role->max) {
		holder_list(who, sizeof(who), c);
		return err_set(SR_EREFUSED, "the role '%s' on INC-%lld is full (%zu of %d: %s): "
			       "its holder can hand it over with 'sitrep role handoff', or release it",
			       c->role->id, (long long)c->inc.id, c->nholders, c->role->max, who);
	}
	return 0;
}

int
roles_take(struct incident_ctx *ctx, int64_t id, const char *role)
{
	struct change c;
	int rc;

	if ((rc = known_person(ctx, ctx->actor)) != 0)
		return rc;
	if ((rc = change_begin(&c, ctx, id, role)) != 0)
		return rc;
	if ((rc = check_room(&c, ctx->actor)) != 0 ||
	    (rc = store_holder_add(ctx->store, id, role, ctx->actor, clock_now_ms())) != 0)
		return change_fail(ctx, &c, rc);
	return change_filled(ctx, &c, "role_taken", role_details(role, "person", ctx->actor),
			     ctx->actor);
}

int
roles_assign(struct incident_ctx *ctx, int64_t id, const char *role, const char *person)
{
	struct change c;
	int rc;

	if ((rc = known_person(ctx, person)) != 0)
		return rc;
	if ((rc = change_begin(&c, ctx, id, role)) != 0)
		return rc;
	if ((rc = incident_require_command(ctx, &c.inc, "assign roles on")) != 0 ||
	    (rc = check_room(&c, person)) != 0 ||
	    (rc = store_holder_add(ctx->store, id, role, person, clock_now_ms())) != 0)
		return change_fail(ctx, &c, rc);
	return change_filled(ctx, &c, "role_assigned", role_details(role, "person", person),
			     person);
}

int
roles_release(struct incident_ctx *ctx, int64_t id, const char *role, const char *person)
{
	struct change c;
	int rc;

	if (person == NULL)
		person = ctx->actor;
	if ((rc = change_begin(&c, ctx, id, role)) != 0)
		return rc;
	if (!holds(&c, person))
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"'%s' does not hold the role '%s' on INC-%lld", person, role, (long long)id));
	if (strcmp(person, ctx->actor) != 0 &&
	    (rc = incident_require_command(ctx, &c.inc, "release others' roles on")) != 0)
		return change_fail(ctx, &c, rc);
	if ((rc = store_holder_remove(ctx->store, id, role, person)) != 0)
		return change_fail(ctx, &c, rc);
	return change_done(ctx, &c, "role_released", role_details(role, "person", person));
}

/*
 * The outgoing holder is the actor when they hold the role; otherwise the
 * commander may hand over a role that has exactly one holder.
 */
int
roles_handoff(struct incident_ctx *ctx, int64_t id, const char *role,
	      const char *person, const char *note)
{
	struct change c;
	struct json *details;
	char *outgoing;
	int rc;

	if (note == NULL || *note == '\0')
		return err_set(SR_EUSAGE, "a handoff needs a note for the incoming holder: -m \"state of play\"");
	if ((rc = known_person(ctx, person)) != 0)
		return rc;
	if ((rc = change_begin(&c, ctx, id, role)) != 0)
		return rc;
	if (holds(&c, ctx->actor))
		outgoing = xstrdup(ctx->actor);
	else if (c.nholders == 1 &&
		 incident_require_command(ctx, &c.inc, "hand over others' roles on") == 0)
		outgoing = xstrdup(c.holders[0].person);
	else if (c.nholders > 1 &&
		 incident_require_command(ctx, &c.inc, "hand over others' roles on") == 0) {
		char who[512];

		holder_list(who, sizeof(who), &c);
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"the role '%s' on INC-%lld has %zu holders (%s): the one handing over "
			"runs the handoff, or the commander releases one with 'sitrep role "
			"release' and assigns '%s'", role, (long long)id, c.nholders, who, person));
	} else if (c.nholders == 0)
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"no one holds the role '%s' on INC-%lld: use 'sitrep role assign' or "
			"'sitrep role take'", role, (long long)id));
	else
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"only a holder of the role '%s' (or the commander) may hand it over; "
			"'%s' is neither", role, ctx->actor));
	err_clear();
	if (strcmp(outgoing, person) == 0) {
		free(outgoing);
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"'%s' already holds the role '%s'", person, role));
	}
	if (holds(&c, person)) {
		free(outgoing);
		return change_fail(ctx, &c, err_set(SR_EREFUSED,
			"'%s' already holds the role '%s' on INC-%lld", person, role, (long long)id));
	}
	if ((rc = store_holder_remove(ctx->store, id, role, outgoing)) != 0 ||
	    (rc = store_holder_add(ctx->store, id, role, person, clock_now_ms())) != 0) {
		free(outgoing);
		return change_fail(ctx, &c, rc);
	}
	details = role_details(role, "from", outgoing);
	json_set_str(details, "to", person);
	json_set_str(details, "note", note);
	free(outgoing);
	return change_filled(ctx, &c, "role_handoff", details, person);
	return rc;
}

int
steps_mark(struct incident_ctx *ctx, int64_t id, const char *step, const char *state,
	   const char *note)
{
	struct store_incident inc;
	struct playbook *pb = NULL;
	const struct playbook_step *ps;
	struct store_step *done, row;
	struct json *details;
	size_t ndone;
	int rc;

	if (strcmp(state, "skipped") == 0 && (note == NULL || *note == '\0'))
		return err_set(SR_EUSAGE, "skipping a step needs a reason: -m \"why\"");
	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if ((ps = playbook_step(pb, step)) == NULL)
		rc = err_set(SR_EREFUSED, "playbook '%s' has no step '%s': run 'sitrep step "
			     "INC-%lld' to see them", pb->name, step, (long long)id);
	else if (!incident_step_applies(ps, inc.severity))
		rc = err_set(SR_EREFUSED, "step '%s' applies only at SEV%d or worse, and INC-%lld "
			     "is SEV%d", step, ps->min_severity, (long long)id, inc.severity);
	if (rc != 0) {
		playbook_free(pb);
		return incident_abandon(ctx, &inc, rc);
	}
	playbook_free(pb);
	if ((rc = store_steps_get(&done, &ndone, ctx->store, id)) != 0)
		return incident_abandon(ctx, &inc, rc);
	for (size_t i = 0; i < ndone; i++)
		if (strcmp(done[i].step, step) == 0) {
			rc = err_set(SR_EREFUSED, "step '%s' of INC-%lld is already %s (by %s)",
				     step, (long long)id, done[i].state, done[i].actor);
			break;
		}
	store_steps_free(done, ndone);
	if (rc != 0)
		return incident_abandon(ctx, &inc, rc);
	row.step = (char *)step;
	snprintf(row.state, sizeof(row.state), "%s", state);
	row.at = clock_now_ms();
	row.actor = (char *)ctx->actor;
	row.note = (char *)note;
	if ((rc = store_step_set(ctx->store, id, &row)) != 0)
		return incident_abandon(ctx, &inc, rc);
	details = json_new_object();
	json_set_str(details, "step", step);
	json_set_str_or_null(details, "note", note);
	return incident_finish_change(ctx, &inc, strcmp(state, "done") == 0 ? "step_done" :
				      "step_skipped", details);
}

/* What an action's event says it did, for completes_on. */
static void
action_of(const char **audience, const char **role, const char **status,
	  const char **apology, const char *kind, const struct json *details)
{
	*audience = *role = *status = *apology = NULL;
	if (strcmp(kind, "update_published") == 0 || strcmp(kind, "apology_published") == 0) {
		/* an update to one account is that account's story */
		if (json_get(details, "account") == NULL)
			*audience = json_get_str(details, "audience");
		*status = json_get_str(json_get(details, "status"), "to");
		if (strcmp(kind, "apology_published") == 0)
			*apology = *audience;
	} else if (strcmp(kind, "role_taken") == 0 || strcmp(kind, "role_assigned") == 0)
		*role = json_get_str(details, "role");
	else if (strcmp(kind, "status") == 0)
		*status = json_get_str(details, "to");
	else if (strcmp(kind, "resolved") == 0)
		*status = "resolved";
	else if (strcmp(kind, "reopened") == 0)
		*status = "investigating";
}

static bool
completes(const struct playbook_step *st, const char *audience, const char *role,
	  const char *status, const char *apology)
{
	const char *v = st->completes_value;

	switch (st->completes_on) {
	case PLAYBOOK_COMPLETES_UPDATE: return audience != NULL && strcmp(v, audience) == 0;
	case PLAYBOOK_COMPLETES_ROLE: return role != NULL && strcmp(v, role) == 0;
	case PLAYBOOK_COMPLETES_STATUS: return status != NULL && strcmp(v, status) == 0;
	case PLAYBOOK_COMPLETES_APOLOGY: return apology != NULL && strcmp(v, apology) == 0;
	default: return false;
	}
}

/* "UPD-3 to internal was published", "bob took the role legal", "the
 * incident reached identified": what did the step, for its note. */
static char *
completion_note(const struct playbook_step *st, const struct json *details)
{
	const char *person = json_get_str(details, "person");
	int64_t upd = json_get_int(details, "update");

	switch (st->completes_on) {
	case PLAYBOOK_COMPLETES_UPDATE:
	case PLAYBOOK_COMPLETES_APOLOGY:
		return xasprintf("%s UPD-%lld to %s was published",
				 st->completes_on == PLAYBOOK_COMPLETES_APOLOGY ? "the apology" :
				 "update", (long long)upd, st->completes_value);
	case PLAYBOOK_COMPLETES_ROLE:
		return xasprintf("%s took the role %s", person ? person : "someone",
				 st->completes_value);
	default:
		return xasprintf("the incident reached %s", st->completes_value);
	}
}

/* The details of the step_done event for st, completed by an event of
 * kind: its text, or NULL when it cannot be written (the store refuses
 * that). */
static char *
completion_event(const struct playbook_step *st, const char *note, const char *kind)
{
	static const char *const what[] = { "", "update", "role", "status", "apology" };
	struct json *ev = json_new_object(), *by = json_new_object();
	struct buf text = BUF_INIT;

	json_set_str(ev, "step", st->id);
	json_set_str(ev, "note", note);
	json_set_str(by, "event", kind);
	json_set_str(by, what[st->completes_on], st->completes_value);
	json_set(ev, "completed_by", by);
	if (json_dump(&text, ev, JSON_STYLE_SORTED) != 0)
		err_clear();
	json_free(ev);
	return text.len > 0 ? buf_detach(&text) : NULL;
}

int
steps_complete_on(struct incident_ctx *ctx, const struct store_incident *inc,
		  const char *kind, const struct json *details)
{
	const char *audience, *role, *status, *apology;
	struct playbook *pb = NULL;
	struct store_step *done = NULL, row;
	size_t ndone = 0;
	int rc;

	action_of(&audience, &role, &status, &apology, kind, details);
	if (audience == NULL && role == NULL && status == NULL)
		return 0;
	/* The action stands without its playbook: its steps are then marked
	 * by hand, as before completes_on. */
	if (incident_playbook(&pb, ctx, inc) != 0) {
		log_warnx("INC-%lld: steps not checked for completion: %s", (long long)inc->id,
			  err_last());
		err_clear();
		return 0;
	}
	if ((rc = store_steps_get(&done, &ndone, ctx->store, inc->id)) != 0)
		goto out;
	for (size_t k = 0; rc == 0 && k < pb->nsteps; k++) {
		const struct playbook_step *st = &pb->steps[k];
		bool finished = false;
		char *note, *text, via[INCIDENT_VIA_MAX];

		for (size_t i = 0; i < ndone; i++)
			finished |= strcmp(done[i].step, st->id) == 0;
		if (finished || !incident_step_applies(st, inc->severity) ||
		    !completes(st, audience, role, status, apology))
			continue;
		note = completion_note(st, details);
		row.step = st->id;
		snprintf(row.state, sizeof(row.state), "done");
		row.at = inc->updated_at;
		row.actor = (char *)ctx->actor;
		row.note = note;
		text = completion_event(st, note, kind);
		if ((rc = store_step_set(ctx->store, inc->id, &row)) == 0)
			rc = store_event_append(ctx->store, inc->id, inc->updated_at, ctx->actor,
						incident_via(via, sizeof(via), ctx), "step_done",
						text);
		free(text);
		free(note);
	}
out:
	store_steps_free(done, ndone);
	playbook_free(pb);
	return rc;
}
