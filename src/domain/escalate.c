/* escalate.c: pages and how they end. A page goes to the people a role's
 * `who` names (first) or to the support tiers' rosters -- people, and
 * whoever their on-call schedules (rota.h) have on call at the moment of
 * paging -- each person notified through their own contacts in the
 * same transaction (paging.c); it ends acknowledged, covered (someone else acknowledged,
 * or the role was filled), cancelled, escalated (nobody acknowledged in
 * time, or nobody could be told) or with its incident, and its unsent
 * notifications are cancelled with it. The daemon's scheduler calls the
 * time-driven parts (escalate_escalate, escalate_undeliverable,
 * escalate_exhausted, escalate_repage); this file decides what they mean. */
#include <errno.h>
#include <stdio.h>
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
#include "sitrep/paging.h"
#include "sitrep/playbook.h"
#include "sitrep/rota.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"

/* ------------------------------------------------------------ who */

/*
 * What one paging operation knows of the on-call schedules: the rota at
 * the branch head (read the first time a schedule is met, once per
 * operation, overrides included), and the schedules that put nobody on
 * the page, each with why (into unreached, when given, for the event).
 */
struct who_ctx {
	struct incident_ctx *ctx;
	struct rota *rota;
	bool loaded;
	char *load_error;       /* why the rota could not be read */
	struct json *unreached; /* [{schedule, tier, why}]; NULL: not kept */
	struct buf why;         /* the same, for a refusal's message */
	struct buf warnings;    /* the same, a line each, for who_warn */
};

static void
who_unreached(struct who_ctx *w, const char *schedule, int tier, const char *why)
{
	struct json *e;
	char t[16];

	buf_addf(&w->warnings, "on-call schedule '%s' (L%d) pages nobody: %s\n", schedule,
		 tier, why);
	buf_addf(&w->why, "%s'%s' %s", w->why.len ? "; " : "", schedule, why);
	if (w->unreached == NULL)
		return;
	e = json_new_object();
	snprintf(t, sizeof(t), "L%d", tier);
	json_set_str(e, "schedule", schedule);
	json_set_str(e, "tier", t);
	json_set_str(e, "why", why);
	json_append(w->unreached, e);
}

/*
 * Who is on call on schedule at at (rota_who, overrides included): NULL
 * when nobody is, the schedule does not exist or is invalid, or the
 * schedules cannot be read; each of those is said (who_unreached), never
 * skipped in silence.
 */
static const char *
schedule_person(struct who_ctx *w, const char *schedule, int tier, int64_t at)
{
	const char *person = NULL;
	char why[512], when[CLOCK_WHEN_MAX];
	int64_t next;

	if (!w->loaded) {
		w->loaded = true;
		if (rota_load(&w->rota, w->ctx) != 0) {
			w->load_error = xstrdup(err_last());
			err_clear();
		}
	}
	if (w->rota == NULL) {
		snprintf(why, sizeof(why), "the schedules cannot be read: %s",
			 w->load_error != NULL ? w->load_error : "unknown error");
		who_unreached(w, schedule, tier, why);
		return NULL;
	}
	if (rota_who(&person, &next, w->rota, schedule, at) != 0) {
		who_unreached(w, schedule, tier, err_last());
		err_clear();
		return NULL;
	}
	if (person == NULL) {
		if (next != INT64_MAX) {
			clock_format_when(when, sizeof(when), next, at);
			snprintf(why, sizeof(why), "has nobody on call now (someone is from %s): "
				 "put someone on with 'sitrep schedule override %s --person "
				 "HANDLE --from TIME --until TIME -m REASON'", when, schedule);
		} else
			snprintf(why, sizeof(why), "has nobody on call now: put someone on with "
				 "'sitrep schedule override %s --person HANDLE --from TIME "
				 "--until TIME -m REASON'", schedule);
		who_unreached(w, schedule, tier, why);
	}
	return person;
}

/* Say on stderr (sitrep) or in the log (sitrepd) what was not reached:
 * when the page goes out regardless (a refusal says it all itself). */
static void
who_warn(struct who_ctx *w)
{
	const char *line = buf_str(&w->warnings), *nl;

	for (; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		log_warnx("%.*s", (int)(nl - line), line);
}

static void
who_release(struct who_ctx *w)
{
	rota_free(w->rota);
	free(w->load_error);
	buf_release(&w->why);
	buf_release(&w->warnings);
}

static void
people_add(struct escalate_person **v, size_t *n, const char *person, const char *schedule,
	   int tier)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].person, person) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].person = xstrdup(person);
	(*v)[*n].schedule = schedule != NULL ? xstrdup(schedule) : NULL;
	(*v)[*n].tier = tier;
	(*n)++;
}

void
escalate_people_free(struct escalate_person *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].person);
		free(v[i].schedule);
	}
	free(v);
}

static void
people_collect(struct escalate_person **out, size_t *n, struct who_ctx *w,
	       const struct playbook *pb, const char *role, const int *tiers, size_t ntiers,
	       bool who_first, int64_t at)
{
	const struct playbook_role *r = playbook_role(pb, role);
	const struct conf *c = w->ctx->conf;
	const char *person;

	*out = NULL;
	*n = 0;
	/* a role's own people (or schedules) first, at the first tier */
	for (size_t i = 0; who_first && r != NULL && i < r->nwho; i++) {
		if (conf_person(c, r->who[i]) != NULL)
			people_add(out, n, r->who[i], NULL, tiers[0]);
		else if ((person = schedule_person(w, r->who[i], tiers[0], at)) != NULL)
			people_add(out, n, person, r->who[i], tiers[0]);
	}
	if (*n > 0 && ntiers == 1)
		return;
	for (size_t t = 0; t < ntiers; t++) {
		const struct conf_tier *roster = &c->tiers[tiers[t]];

		for (size_t k = 0; k < roster->npeople; k++)
			people_add(out, n, roster->people[k], NULL, tiers[t]);
		for (size_t k = 0; k < roster->nschedules; k++)
			if ((person = schedule_person(w, roster->schedules[k], tiers[t], at)) != NULL)
				people_add(out, n, person, roster->schedules[k], tiers[t]);
	}
}

int
escalate_people(struct escalate_person **out, size_t *n, struct incident_ctx *ctx,
		const struct playbook *pb, const char *role, const int *tiers, size_t ntiers,
		bool who_first, int64_t at)
{
	struct who_ctx w = { .ctx = ctx, .why = BUF_INIT };

	people_collect(out, n, &w, pb, role, tiers, ntiers, who_first, at);
	who_warn(&w);
	who_release(&w);
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* How the actor acts: via when given, else incident_via. */
static const char *
via_of(char *buf, size_t len, const struct incident_ctx *ctx, const char *via)
{
	return via != NULL ? via : incident_via(buf, len, ctx);
}

/* End an open page and cancel its unsent notifications. */
static int
end_page(struct incident_ctx *ctx, int64_t page_id, const char *state, int64_t at,
	 const char *by, const char *via, const char *reason)
{
	int rc;

	if ((rc = store_page_end(ctx->store, page_id, state, at, by, via, reason)) != 0)
		return rc;
	return store_outbox_cancel_page(NULL, ctx->store, page_id, at);
}

/* The other people with an open page for role (not person), distinct. */
static char **
others_paged(size_t *n, const struct store_page *open, size_t nopen, const char *role,
	     const char *person)
{
	char **v = xcalloc(nopen + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < nopen; i++) {
		bool seen = false;

		if (strcmp(open[i].role, role) != 0 || strcmp(open[i].person, person) == 0)
			continue;
		for (size_t k = 0; k < *n; k++)
			seen |= strcmp(v[k], open[i].person) == 0;
		if (!seen)
			v[(*n)++] = open[i].person; /* borrowed */
	}
	return v;
}

static int
fail(struct incident_ctx *ctx, struct store_incident *inc, struct playbook *pb,
     struct json *people, int rc)
{
	json_free(people);
	playbook_free(pb);
	return incident_abandon(ctx, inc, rc);
}

static bool
tier_listed(const struct playbook *pb, int tier)
{
	for (size_t i = 0; i < pb->escalation.ntiers; i++)
		if (pb->escalation.tiers[i] == tier)
			return true;
	return false;
}

/* The schedules that put nobody on a page, in the event when any did;
 * unreached is taken. */
static void
set_unreached(struct json *details, struct json *unreached)
{
	if (json_size(unreached) > 0)
		json_set(details, "unreached", unreached);
	else
		json_free(unreached);
}

/*
 * Page role at each of tiers[0..ntiers) (the role's `who` first when
 * who_first), and notify everyone paged: who went into people ({person,
 * tier, schedule}), their page ids into pages, how many notifications into
 * *queued, the schedules that put nobody on it into unreached ({schedule,
 * tier, why}). The schedules are read once for the whole round.
 */
static int
page_round(struct incident_ctx *ctx, const struct store_incident *inc,
	   const struct playbook *pb, const char *role, const int *tiers, size_t ntiers,
	   bool who_first, struct json *people, struct json *pages, struct json *unreached,
	   int64_t *queued, int64_t now)
{
	struct who_ctx w = { .ctx = ctx, .unreached = unreached, .why = BUF_INIT };
	struct escalate_person *who;
	struct store_page p, *open;
	size_t nwho, nopen;
	int64_t *ids, count;
	char tier[16];
	int rc = 0;

	*queued = 0;
	people_collect(&who, &nwho, &w, pb, role, tiers, ntiers, who_first, now);
	/* every tier paged must have someone on it (a role's own people
	 * stand in for the first) */
	for (size_t t = 0; t < ntiers; t++) {
		const struct conf_tier *roster = &ctx->conf->tiers[tiers[t]];
		bool someone = false;

		for (size_t i = 0; !someone && i < nwho; i++)
			someone = who[i].tier == tiers[t];
		if (someone)
			continue;
		escalate_people_free(who, nwho);
		if (roster->nschedules == 0 && w.why.len == 0)
			rc = err_set(SR_EREFUSED, "no one is on the L%d roster: add people to "
				     "tiers.L%d (or give them tier = \"L%d\") in %s", tiers[t],
				     tiers[t], tiers[t], ctx->conf->path);
		else
			rc = err_set(SR_EREFUSED, "nobody can be paged at L%d for %s: %s%s; add "
				     "people to tiers.L%d in %s, or put someone on call", tiers[t],
				     role, roster->npeople == 0 ? "its roster names no person, and " :
				     "", buf_str(&w.why), tiers[t], ctx->conf->path);
		who_release(&w);
		return rc;
	}
	who_warn(&w);
	who_release(&w);
	ids = xcalloc(nwho, sizeof(*ids));
	for (size_t i = 0; rc == 0 && i < nwho; i++) {
		memset(&p, 0, sizeof(p));
		p.incident_id = inc->id;
		p.role = (char *)role;
		p.tier = who[i].tier;
		p.person = who[i].person;
		p.schedule = who[i].schedule;
		p.paged_at = now;
		p.timeout_at = now + pb->escalation.ack_timeout * 1000;
		rc = store_page_insert(&ids[i], ctx->store, &p);
	}
	/* everyone paged is in the store: each hears who else is */
	if (rc == 0 && (rc = store_pages_get(&open, &nopen, ctx->store, inc->id, true)) == 0) {
		for (size_t i = 0; rc == 0 && i < nwho; i++) {
			struct json *e = json_new_object();
			size_t nothers;
			char **others = others_paged(&nothers, open, nopen, role, who[i].person);

			snprintf(tier, sizeof(tier), "L%d", who[i].tier);
			json_set_str(e, "person", who[i].person);
			json_set_str(e, "tier", tier);
			if (who[i].schedule != NULL)
				json_set_str(e, "schedule", who[i].schedule);
			json_append(people, e);
			json_append(pages, json_new_int(ids[i]));
			memset(&p, 0, sizeof(p));
			p.id = ids[i];
			p.incident_id = inc->id;
			p.role = (char *)role;
			p.tier = who[i].tier;
			p.person = who[i].person;
			p.paged_at = now;
			if ((rc = paging_notify_page(&count, ctx, inc, &p, others, nothers)) == 0)
				*queued += count;
			free(others);
		}
		store_pages_free(open, nopen);
	}
	free(ids);
	escalate_people_free(who, nwho);
	return rc;
}

/* ------------------------------------------------------------ page */

int
escalate_page(struct incident_ctx *ctx, int64_t id, const char *role, int tier)
{
	struct store_incident inc;
	struct playbook *pb;
	struct json *people, *pages, *unreached, *details;
	int tiers[5];
	size_t ntiers;
	int64_t queued;
	bool swarm;
	int rc;

	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	people = json_new_array();
	if (playbook_role(pb, role) == NULL)
		return fail(ctx, &inc, pb, people, err_set(SR_EREFUSED,
			"playbook '%s' has no role '%s': see 'sitrep role list INC-%lld'",
			pb->name, role, (long long)id));
	swarm = pb->escalation.mode == PLAYBOOK_SWARM && tier < 0;
	if (swarm) {
		ntiers = pb->escalation.ntiers;
		memcpy(tiers, pb->escalation.tiers, ntiers * sizeof(int));
	} else {
		tiers[0] = tier >= 0 ? tier : pb->escalation.tiers[0];
		ntiers = 1;
	}
	pages = json_new_array();
	unreached = json_new_array();
	if ((rc = page_round(ctx, &inc, pb, role, tiers, ntiers, tier < 0, people, pages,
			     unreached, &queued, clock_now_ms())) != 0) {
		json_free(pages);
		json_free(unreached);
		return fail(ctx, &inc, pb, people, rc);
	}
	details = json_new_object();
	json_set_str(details, "role", role);
	json_set_str(details, "mode", swarm ? "swarm" : "tiered");
	json_set(details, "people", people);
	set_unreached(details, unreached);
	json_set_int(details, "ack_timeout_s", pb->escalation.ack_timeout);
	json_set(details, "pages", pages);
	json_set_int(details, "notifications", queued);
	rc = incident_finish_change(ctx, &inc, "paged", details);
	playbook_free(pb);
	return rc;
}

/* ------------------------------------------------------------ acknowledge */

/*
 * page (open, of person ctx->actor) is acknowledged: it ends acked, the
 * actor's other open pages of its role with it; the role's other open
 * pages end covered, and each of their people hears "acknowledged by X".
 * The roles go into roles, the pages into pages, who was told into told.
 */
static int
ack_locked(struct incident_ctx *ctx, const struct store_incident *inc,
	   const struct store_page *page, const char *via, int64_t now,
	   struct json *roles, struct json *pages, struct json *covered)
{
	struct store_page *open;
	size_t nopen;
	char reason[160];
	int64_t count;
	int rc;

	if ((rc = store_pages_get(&open, &nopen, ctx->store, inc->id, true)) != 0)
		return rc;
	json_append_str(roles, page->role);
	snprintf(reason, sizeof(reason), "acknowledged by %s", ctx->actor);
	for (size_t i = 0; rc == 0 && i < nopen; i++) {
		const struct store_page *o = &open[i];

		if (strcmp(o->role, page->role) != 0)
			continue;
		if (strcmp(o->person, ctx->actor) == 0) {
			rc = end_page(ctx, o->id, "acked", now, ctx->actor, via, NULL);
			json_append(pages, json_new_int(o->id));
			continue;
		}
		if ((rc = end_page(ctx, o->id, "covered", now, ctx->actor, via, reason)) != 0)
			break;
		json_append_str(covered, o->person);
	}
	/* the others paged hear it, once each */
	for (size_t i = 0; rc == 0 && i < nopen; i++) {
		struct paging_message m;
		bool told = false;

		if (strcmp(open[i].role, page->role) != 0 ||
		    strcmp(open[i].person, ctx->actor) == 0)
			continue;
		for (size_t k = 0; k < i; k++)
			told |= strcmp(open[k].role, page->role) == 0 &&
				strcmp(open[k].person, open[i].person) == 0;
		if (told)
			continue;
		memset(&m, 0, sizeof(m));
		m.event = "incident.page_acknowledged";
		m.page_id = open[i].id;
		m.role = page->role;
		m.headline = reason;
		m.text = "Your page has ended: nothing more to do unless you are asked.";
		rc = paging_tell(&count, ctx, inc, open[i].person, &m);
	}
	store_pages_free(open, nopen);
	return rc;
}

static int
ack_finish(struct incident_ctx *ctx, struct store_incident *inc, const char *via,
	   struct json *roles, struct json *pages, struct json *covered)
{
	struct json *details = json_new_object();

	json_set(details, "roles", roles);
	json_set_str(details, "via", via);
	json_set(details, "pages", pages);
	json_set(details, "covered", covered);
	return incident_finish_change(ctx, inc, "acknowledged", details);
}

int
escalate_ack(struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct store_page *v;
	struct json *roles, *pages, *covered;
	char vbuf[160];
	const char *via = via_of(vbuf, sizeof(vbuf), ctx, NULL);
	size_t n, acked = 0;
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if ((rc = store_pages_get(&v, &n, ctx->store, id, true)) != 0)
		return incident_abandon(ctx, &inc, rc);
	roles = json_new_array();
	pages = json_new_array();
	covered = json_new_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct store_page cur;
		bool seen = false;

		if (strcmp(v[i].person, ctx->actor) != 0)
			continue;
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(v[k].person, ctx->actor) == 0 &&
				strcmp(v[k].role, v[i].role) == 0;
		if (seen)
			continue; /* ended with the role's first */
		if ((rc = store_page_get(&cur, ctx->store, v[i].id)) != 0)
			break;
		if (strcmp(cur.state, "open") == 0) {
			rc = ack_locked(ctx, &inc, &cur, via, now, roles, pages, covered);
			acked++;
		}
		store_page_release(&cur);
	}
	store_pages_free(v, n);
	if (rc == 0 && acked == 0)
		rc = err_set(SR_EREFUSED, "'%s' has no open page on INC-%lld to acknowledge",
			     ctx->actor, (long long)id);
	if (rc != 0) {
		json_free(roles);
		json_free(pages);
		json_free(covered);
		return incident_abandon(ctx, &inc, rc);
	}
	return ack_finish(ctx, &inc, via, roles, pages, covered);
}

/* Say how page p ended: "acknowledged by bob at 2026-...", for refusals. */
static int
ended_error(const struct store_page *p)
{
	char when[32];

	clock_format_iso(when, sizeof(when), p->closed_at);
	if (strcmp(p->state, "acked") == 0)
		return err_set(SR_EEXIST, "PG-%lld was already acknowledged by %s at %s",
			       (long long)p->id, p->ended_by ? p->ended_by : p->person, when);
	return err_set(SR_EEXIST, "PG-%lld has ended (%s%s%s at %s%s%s)", (long long)p->id,
		       p->state, p->ended_by ? " by " : "", p->ended_by ? p->ended_by : "", when,
		       p->ended_reason ? ": " : "", p->ended_reason ? p->ended_reason : "");
}

/* Load page_id for its person (ctx->actor) and start the change of its
 * incident; refusals leave everything as it was. */
static int
page_begin(struct store_page *p, struct store_incident *inc, struct incident_ctx *ctx,
	   int64_t page_id)
{
	int rc;

	if ((rc = store_page_get(p, ctx->store, page_id)) != 0)
		return rc;
	if ((rc = incident_begin_change(inc, ctx, p->incident_id)) != 0) {
		store_page_release(p);
		return rc;
	}
	store_page_release(p);
	/* read again inside the transaction: it may have ended meanwhile */
	if ((rc = store_page_get(p, ctx->store, page_id)) != 0)
		return incident_abandon(ctx, inc, rc);
	if (strcmp(p->person, ctx->actor) != 0) {
		rc = err_set(SR_EREFUSED, "PG-%lld pages %s, not %s: only the person paged "
			     "answers it", (long long)page_id, p->person, ctx->actor);
		store_page_release(p);
		return incident_abandon(ctx, inc, rc);
	}
	if (strcmp(p->state, "open") != 0) {
		rc = ended_error(p);
		store_page_release(p);
		return incident_abandon(ctx, inc, rc);
	}
	return 0;
}

int
escalate_ack_page(struct incident_ctx *ctx, int64_t page_id, const char *via)
{
	struct store_incident inc;
	struct store_page p;
	struct json *roles, *pages, *covered;
	char vbuf[160];
	int rc;

	via = via_of(vbuf, sizeof(vbuf), ctx, via);
	if ((rc = page_begin(&p, &inc, ctx, page_id)) != 0)
		return rc;
	roles = json_new_array();
	pages = json_new_array();
	covered = json_new_array();
	rc = ack_locked(ctx, &inc, &p, via, clock_now_ms(), roles, pages, covered);
	store_page_release(&p);
	if (rc != 0) {
		json_free(roles);
		json_free(pages);
		json_free(covered);
		return incident_abandon(ctx, &inc, rc);
	}
	return ack_finish(ctx, &inc, via, roles, pages, covered);
}

/* ------------------------------------------------------------ escalate */

/*
 * Inside the change of inc: end role's open pages escalated (by, via,
 * reason) and page the tier after the highest paged (tier when >= 0,
 * every tier when swarm). *from is that highest tier.
 */
static int
escalate_locked(struct incident_ctx *ctx, const struct store_incident *inc,
		const struct playbook *pb, const char *role, int tier, bool swarm,
		const char *by, const char *via, const char *reason, int *from,
		struct json *people, struct json *pages, struct json *unreached,
		int64_t *queued, int64_t now)
{
	struct store_page *all;
	size_t nall, ntiers = 0;
	int tiers[5];
	int rc;

	*from = -1;
	if ((rc = store_pages_get(&all, &nall, ctx->store, inc->id, false)) != 0)
		return rc;
	for (size_t i = 0; i < nall; i++)
		if (strcmp(all[i].role, role) == 0 && all[i].tier > *from)
			*from = all[i].tier;
	if (*from < 0) {
		store_pages_free(all, nall);
		return err_set(SR_EREFUSED, "INC-%lld has no page for %s to escalate: page it "
			       "first with 'sitrep page INC-%lld %s'", (long long)inc->id, role,
			       (long long)inc->id, role);
	}
	if (swarm) {
		ntiers = pb->escalation.ntiers;
		memcpy(tiers, pb->escalation.tiers, ntiers * sizeof(int));
	} else if (tier >= 0) {
		tiers[ntiers++] = tier;
	} else {
		int next = escalate_next_tier(pb, *from);

		if (next < 0)
			rc = err_set(SR_EREFUSED, "INC-%lld is already paged at L%d, the last tier "
				     "of playbook '%s': name one with --tier, or --swarm",
				     (long long)inc->id, *from, pb->name);
		else
			tiers[ntiers++] = next;
	}
	if (rc == 0 && tier >= 0 && !tier_listed(pb, tier))
		rc = err_set(SR_EREFUSED, "tier L%d is not in playbook '%s''s escalation tiers",
			     tier, pb->name);
	/* Only this role's pages move up; other roles' pages keep waiting. */
	for (size_t i = 0; i < nall && rc == 0; i++)
		if (strcmp(all[i].state, "open") == 0 && strcmp(all[i].role, role) == 0)
			rc = end_page(ctx, all[i].id, "escalated", now, by, via, reason);
	store_pages_free(all, nall);
	if (rc == 0)
		rc = page_round(ctx, inc, pb, role, tiers, ntiers, false, people, pages,
				unreached, queued, now);
	return rc;
}

static struct json *
escalated_details(const char *role, int from, bool swarm, struct json *people,
		  struct json *pages, struct json *unreached, int64_t queued,
		  const char *reason)
{
	struct json *details = json_new_object();
	char from_tier[16];

	snprintf(from_tier, sizeof(from_tier), "L%d", from);
	json_set_str(details, "role", role);
	json_set_str(details, "from", from_tier);
	json_set_str(details, "mode", swarm ? "swarm" : "tiered");
	json_set(details, "people", people);
	json_set(details, "pages", pages);
	set_unreached(details, unreached);
	json_set_int(details, "notifications", queued);
	json_set_str(details, "reason", reason);
	return details;
}

int
escalate_escalate(struct incident_ctx *ctx, int64_t id, const char *for_role, int tier,
		  bool swarm, const char *reason)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page *all;
	size_t nall;
	struct json *people, *pages, *unreached;
	char vbuf[160], *role;
	int64_t queued, now = clock_now_ms();
	int from, rc;

	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	people = json_new_array();
	if ((rc = store_pages_get(&all, &nall, ctx->store, id, false)) != 0)
		return fail(ctx, &inc, pb, people, rc);
	if (nall == 0) {
		store_pages_free(all, nall);
		return fail(ctx, &inc, pb, people, err_set(SR_EREFUSED,
			"INC-%lld has no page to escalate: page a role first with "
			"'sitrep page INC-%lld ROLE'", (long long)id, (long long)id));
	}
	role = xstrdup(for_role != NULL ? for_role : all[nall - 1].role);
	store_pages_free(all, nall);
	pages = json_new_array();
	unreached = json_new_array();
	if ((rc = escalate_locked(ctx, &inc, pb, role, tier, swarm, ctx->actor,
				  via_of(vbuf, sizeof(vbuf), ctx, NULL), reason, &from, people,
				  pages, unreached, &queued, now)) != 0) {
		free(role);
		json_free(pages);
		json_free(unreached);
		return fail(ctx, &inc, pb, people, rc);
	}
	rc = incident_finish_change(ctx, &inc, "escalated",
				    escalated_details(role, from, swarm, people, pages, unreached,
						      queued, reason));
	free(role);
	playbook_free(pb);
	return rc;
}

/* The last tier reached, or a swarm: nobody further to page. Tell the
 * commander; the event says what happened. */
static int
tell_nobody_further(struct incident_ctx *ctx, const struct store_incident *inc,
		    const struct playbook *pb, const char *event, const char *role,
		    const char *headline, const char *text, struct json *details)
{
	struct paging_message m;
	char *told = NULL;
	int64_t queued;
	int rc;

	memset(&m, 0, sizeof(m));
	m.event = event;
	m.role = role;
	m.headline = headline;
	m.text = text;
	if ((rc = paging_tell_commander(&queued, &told, ctx, inc, pb, &m)) == 0) {
		json_set_str(details, "told", told);
		json_set_int(details, "queued", queued);
	}
	free(told);
	return rc;
}

int
escalate_decline_page(struct incident_ctx *ctx, int64_t page_id, const char *via)
{
	struct store_incident inc;
	struct store_page p;
	struct playbook *pb = NULL;
	struct json *people, *pages, *details;
	char vbuf[160], reason[256];
	int64_t queued, now = clock_now_ms();
	int from, rc;

	via = via_of(vbuf, sizeof(vbuf), ctx, via);
	if ((rc = page_begin(&p, &inc, ctx, page_id)) != 0)
		return rc;
	if ((rc = incident_playbook(&pb, ctx, &inc)) != 0) {
		store_page_release(&p);
		return incident_abandon(ctx, &inc, rc);
	}
	snprintf(reason, sizeof(reason), "%s can't take it (PG-%lld)", ctx->actor,
		 (long long)page_id);
	people = json_new_array();
	pages = json_new_array();
	if (pb->escalation.mode == PLAYBOOK_TIERED && escalate_next_tier(pb, p.tier) >= 0) {
		struct json *unreached = json_new_array();

		rc = escalate_locked(ctx, &inc, pb, p.role, -1, false, ctx->actor, via, reason,
				     &from, people, pages, unreached, &queued, now);
		details = escalated_details(p.role, from, false, people, pages, unreached,
					    queued, reason);
		json_set_str(details, "via", via);
		store_page_release(&p);
		if (rc != 0) {
			json_free(details);
			return fail(ctx, &inc, pb, NULL, rc);
		}
		playbook_free(pb);
		return incident_finish_change(ctx, &inc, "escalated", details);
	}
	/* nobody further: the page ends, and the commander hears it */
	json_free(people);
	json_free(pages);
	details = json_new_object();
	json_set_str(details, "role", p.role);
	json_set_int(details, "page", p.id);
	json_set_str(details, "via", via);
	json_set_str(details, "reason", reason);
	if ((rc = end_page(ctx, p.id, "cancelled", now, ctx->actor, via, reason)) == 0)
		rc = tell_nobody_further(ctx, &inc, pb, "incident.page_declined", p.role, reason,
					 "There is no further tier to page: find someone.",
					 details);
	store_page_release(&p);
	if (rc != 0) {
		json_free(details);
		return fail(ctx, &inc, pb, NULL, rc);
	}
	playbook_free(pb);
	return incident_finish_change(ctx, &inc, "page_declined", details);
}

/* ------------------------------------------------------------ cancel, cover, end */

/* "PG-7" or "7" -> 7; 0 when text is not a page id; -1 when it is one no
 * page can have ("PG-0", "PG-99999999999999999999"). */
static int64_t
page_id_of(const char *text)
{
	char *end;
	long long v;

	if (strncmp(text, "PG-", 3) == 0 || strncmp(text, "pg-", 3) == 0)
		text += 3;
	if (*text < '0' || *text > '9')
		return 0;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end != '\0')
		return 0;
	return v > 0 && errno != ERANGE ? v : -1;
}

int
escalate_cancel(struct incident_ctx *ctx, int64_t id, const char *role_or_page,
		const char *reason)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page *open = NULL;
	struct json *pages, *people, *details;
	char vbuf[160];
	const char *via = via_of(vbuf, sizeof(vbuf), ctx, NULL), *role = NULL;
	int64_t pid = page_id_of(role_or_page), now = clock_now_ms();
	size_t nopen = 0, n = 0;
	int rc;

	if (reason == NULL || *reason == '\0')
		return err_set(SR_EUSAGE, "cancelling a page needs a reason: -m \"why\"");
	if ((rc = incident_check_note("the reason", reason)) != 0)
		return rc;
	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if (pid < 0)
		return fail(ctx, &inc, pb, NULL, err_set(SR_ENOTFOUND, "no page %s: 'sitrep show "
			    "INC-%lld' lists its pages", role_or_page, (long long)id));
	if (pid != 0) {
		struct store_page p;

		if ((rc = store_page_get(&p, ctx->store, pid)) != 0)
			return fail(ctx, &inc, pb, NULL, rc);
		if (p.incident_id != id)
			rc = err_set(SR_EREFUSED, "PG-%lld is a page of INC-%lld, not of INC-%lld",
				     (long long)pid, (long long)p.incident_id, (long long)id);
		else if (strcmp(p.state, "open") != 0)
			rc = ended_error(&p);
		store_page_release(&p);
		if (rc != 0)
			return fail(ctx, &inc, pb, NULL, rc);
	} else if (playbook_role(pb, role_or_page) == NULL) {
		return fail(ctx, &inc, pb, NULL, err_set(SR_EREFUSED,
			"playbook '%s' has no role '%s' (nor is it a page id such as PG-3): see "
			"'sitrep show INC-%lld'", pb->name, role_or_page, (long long)id));
	} else
		role = role_or_page;
	if ((rc = store_pages_get(&open, &nopen, ctx->store, id, true)) != 0)
		return fail(ctx, &inc, pb, NULL, rc);
	pages = json_new_array();
	people = json_new_array();
	for (size_t i = 0; rc == 0 && i < nopen; i++) {
		if (pid != 0 ? open[i].id != pid : strcmp(open[i].role, role) != 0)
			continue;
		rc = end_page(ctx, open[i].id, "cancelled", now, ctx->actor, via, reason);
		json_append(pages, json_new_int(open[i].id));
		json_append_str(people, open[i].person);
		n++;
	}
	details = json_new_object();
	for (size_t i = 0; i < nopen; i++)
		if (open[i].id == pid || (pid == 0 && strcmp(open[i].role, role) == 0)) {
			json_set_str(details, "role", open[i].role);
			break;
		}
	store_pages_free(open, nopen);
	if (rc == 0 && n == 0)
		rc = err_set(SR_EREFUSED, "no open page for %s on INC-%lld to cancel",
			     role_or_page, (long long)id);
	json_set(details, "pages", pages);
	json_set(details, "people", people);
	json_set_str(details, "via", via);
	json_set_str(details, "reason", reason);
	if (rc != 0) {
		json_free(details);
		return fail(ctx, &inc, pb, NULL, rc);
	}
	playbook_free(pb);
	return incident_finish_change(ctx, &inc, "page_cancelled", details);
}

int
escalate_cover(int64_t *covered, struct incident_ctx *ctx, int64_t id, const char *role,
	       const char *person)
{
	struct store_page *open;
	size_t n;
	char vbuf[160], reason[256];
	const char *via = via_of(vbuf, sizeof(vbuf), ctx, NULL);
	int64_t now = clock_now_ms();
	int rc;

	*covered = 0;
	if ((rc = store_pages_get(&open, &n, ctx->store, id, true)) != 0)
		return rc;
	snprintf(reason, sizeof(reason), "the role %s was filled by %s", role, person);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(open[i].role, role) != 0)
			continue;
		rc = end_page(ctx, open[i].id, strcmp(open[i].person, person) == 0 ? "acked" :
			      "covered", now, person, via, reason);
		(*covered)++;
	}
	store_pages_free(open, n);
	return rc;
}

int
escalate_end_all(int64_t *ended, struct incident_ctx *ctx, int64_t id, int64_t at,
		 const char *reason)
{
	struct store_page *open;
	size_t n;
	char vbuf[160];
	const char *via = via_of(vbuf, sizeof(vbuf), ctx, NULL);
	int rc;

	*ended = 0;
	if ((rc = store_pages_get(&open, &n, ctx->store, id, true)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = end_page(ctx, open[i].id, "ended", at, ctx->actor, via, reason)) == 0)
			(*ended)++;
	store_pages_free(open, n);
	return rc;
}

/* ------------------------------------------------------------ the daemon's */

/* Why nobody can be told of page p: "no working contact for ana: e-mail
 * dead, 550 mailbox unknown". Whether it is so: every row dead, or none. */
static int
undeliverable_reason(bool *dead, struct buf *why, struct incident_ctx *ctx,
		     const struct store_incident *inc, const struct store_page *p)
{
	struct store_outbox *rows;
	size_t n;
	int rc;

	*dead = true;
	if ((rc = store_outbox_page_rows(&rows, &n, ctx->store, p->id)) != 0)
		return rc;
	buf_addf(why, "no working contact for %s: ", p->person);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].state, "dead") != 0)
			*dead = false;
	if (n == 0)
		buf_addf(why, conf_person(ctx->conf, p->person) == NULL ?
			 "not a person of the site config" :
			 "no contact with a notification rule that applies at SEV%d",
			 inc->severity);
	for (size_t i = 0; i < n; i++) {
		const char *slash = rows[i].contact ? strchr(rows[i].contact, '/') : NULL;

		buf_addf(why, "%s%s dead%s%s", i ? "; " : "",
			 slash ? slash + 1 : strcmp(rows[i].type, "email") == 0 ? "e-mail" :
			 rows[i].type, rows[i].last_error ? ", " : "",
			 rows[i].last_error ? rows[i].last_error : "");
	}
	store_outbox_free(rows, n);
	return 0;
}

int
escalate_undeliverable(bool *acted, struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page *open;
	size_t n;
	int rc;

	*acted = false;
	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if ((rc = store_pages_get(&open, &n, ctx->store, id, true)) != 0)
		return fail(ctx, &inc, pb, NULL, rc);
	for (size_t i = 0; rc == 0 && !*acted && i < n; i++) {
		struct buf why = BUF_INIT, all = BUF_INIT;
		bool dead, role_dead = true, fired = false;
		char key[64];

		if ((rc = undeliverable_reason(&dead, &why, ctx, &inc, &open[i])) != 0 || !dead) {
			buf_release(&why);
			continue;
		}
		/* the role escalates when nobody paged for it can be told */
		for (size_t k = 0; rc == 0 && k < n; k++) {
			bool d;

			if (strcmp(open[k].role, open[i].role) != 0)
				continue;
			buf_reset(&all);
			if ((rc = undeliverable_reason(&d, &all, ctx, &inc, &open[k])) == 0 && !d)
				role_dead = false;
		}
		buf_release(&all);
		if (rc == 0 && role_dead && pb->escalation.mode == PLAYBOOK_TIERED &&
		    escalate_next_tier(pb, open[i].tier) >= 0) {
			struct json *people = json_new_array(), *pages = json_new_array();
			struct json *unreached = json_new_array();
			int64_t queued;
			int from;

			rc = escalate_locked(ctx, &inc, pb, open[i].role, -1, false, ctx->actor,
					     "daemon", buf_str(&why), &from, people, pages,
					     unreached, &queued, clock_now_ms());
			if (rc == 0) {
				struct json *d = escalated_details(open[i].role, from, false, people,
								   pages, unreached, queued,
								   buf_str(&why));

				json_set_str(d, "undeliverable", open[i].person);
				store_pages_free(open, n);
				buf_release(&why);
				playbook_free(pb);
				*acted = true;
				return incident_finish_change(ctx, &inc, "escalated", d);
			}
			json_free(people);
			json_free(pages);
			json_free(unreached);
		} else if (rc == 0) {
			/* nobody further, or others may still answer: told once */
			snprintf(key, sizeof(key), "undeliverable:%lld", (long long)open[i].id);
			if ((rc = store_reminder_fired(&fired, ctx->store, key)) == 0 && !fired &&
			    (rc = store_reminder_fire(ctx->store, key, id, "page_undeliverable",
						      clock_now_ms(), clock_now_ms())) == 0) {
				struct json *d = json_new_object();

				json_set_str(d, "role", open[i].role);
				json_set_int(d, "page", open[i].id);
				json_set_str(d, "person", open[i].person);
				json_set_str(d, "reason", buf_str(&why));
				rc = tell_nobody_further(ctx, &inc, pb, "incident.page_undeliverable",
							 open[i].role, buf_str(&why),
							 role_dead ? "There is no further tier to "
							 "page: find someone." : NULL, d);
				if (rc == 0) {
					store_pages_free(open, n);
					buf_release(&why);
					playbook_free(pb);
					*acted = true;
					return incident_finish_change(ctx, &inc, "page_undeliverable",
								      d);
				}
				json_free(d);
			}
		}
		buf_release(&why);
	}
	store_pages_free(open, n);
	playbook_free(pb);
	store_rollback(ctx->store);
	store_incident_release(&inc);
	return rc;
}

int
escalate_exhausted(bool *acted, struct incident_ctx *ctx, int64_t id, const char *role)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page *open;
	struct json *details, *people;
	struct buf who = BUF_INIT, headline = BUF_INIT;
	size_t n, marked = 0;
	int64_t now = clock_now_ms();
	int tier = -1, rc;

	*acted = false;
	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if ((rc = store_pages_get(&open, &n, ctx->store, id, true)) != 0)
		return fail(ctx, &inc, pb, NULL, rc);
	people = json_new_array();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(open[i].role, role) != 0 || open[i].exhausted_at != 0)
			continue;
		rc = store_page_set_exhausted(ctx->store, open[i].id, now);
		buf_addf(&who, "%s%s", marked ? ", " : "", open[i].person);
		json_append_str(people, open[i].person);
		if (open[i].tier > tier)
			tier = open[i].tier;
		marked++;
	}
	store_pages_free(open, n);
	if (rc != 0 || marked == 0) {
		json_free(people);
		buf_release(&who);
		playbook_free(pb);
		store_rollback(ctx->store);
		store_incident_release(&inc);
		return rc;
	}
	buf_addf(&headline, "nobody acknowledged the page for %s at the last tier (L%d)", role,
		 tier);
	details = json_new_object();
	json_set_str(details, "role", role);
	json_set(details, "people", people);
	rc = tell_nobody_further(ctx, &inc, pb, "incident.page_exhausted", role,
				 buf_str(&headline), NULL, details);
	json_set_str(details, "reason", buf_str(&headline));
	buf_release(&who);
	buf_release(&headline);
	if (rc != 0) {
		json_free(details);
		return fail(ctx, &inc, pb, NULL, rc);
	}
	playbook_free(pb);
	*acted = true;
	return incident_finish_change(ctx, &inc, "page_exhausted", details);
}

int
escalate_repage(struct incident_ctx *ctx, int64_t id, int64_t page_id)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page old, p, *open;
	struct json *details;
	size_t nopen;
	int64_t queued = 0, now = clock_now_ms(), new_id;
	int rc;

	if ((rc = incident_begin_playbook(&inc, &pb, ctx, id)) != 0)
		return rc;
	if ((rc = store_page_get(&old, ctx->store, page_id)) != 0)
		return fail(ctx, &inc, pb, NULL, rc);
	memset(&p, 0, sizeof(p));
	p.incident_id = id;
	p.role = old.role;
	p.tier = old.tier;
	p.person = old.person;
	p.schedule = old.schedule;
	p.paged_at = now;
	p.timeout_at = now + pb->escalation.ack_timeout * 1000;
	if ((rc = store_page_insert(&new_id, ctx->store, &p)) == 0 &&
	    (rc = store_pages_get(&open, &nopen, ctx->store, id, true)) == 0) {
		size_t nothers;
		char **others = others_paged(&nothers, open, nopen, old.role, old.person);

		p.id = new_id;
		rc = paging_notify_page(&queued, ctx, &inc, &p, others, nothers);
		free(others);
		store_pages_free(open, nopen);
	}
	if (rc != 0) {
		store_page_release(&old);
		return fail(ctx, &inc, pb, NULL, rc);
	}
	details = json_new_object();
	json_set_str(details, "role", old.role);
	json_set_str(details, "person", old.person);
	json_set_int(details, "acked_page", old.id);
	json_set_int(details, "page", new_id);
	json_set_int(details, "notifications", queued);
	json_set_str(details, "reason", "acknowledged and nothing done on the timeline since, "
		     "within the playbook's ack_expires");
	store_page_release(&old);
	playbook_free(pb);
	return incident_finish_change(ctx, &inc, "repaged", details);
}

/* ------------------------------------------------------------ tiers */

/*
 * The tier after from, in the playbook's order; a page sent to a tier
 * outside that list moves to the first listed tier above it.
 */
int
escalate_next_tier(const struct playbook *pb, int from)
{
	size_t pos = 0;

	while (pos < pb->escalation.ntiers && pb->escalation.tiers[pos] != from)
		pos++;
	if (pos < pb->escalation.ntiers)
		pos++;
	else
		for (pos = 0; pos < pb->escalation.ntiers &&
		     pb->escalation.tiers[pos] <= from; pos++)
			;
	return pos < pb->escalation.ntiers ? pb->escalation.tiers[pos] : -1;
}

bool
escalate_will_escalate(const struct playbook *pb, const struct store_page *all, size_t n,
		       const char *role)
{
	int from = -1;

	if (pb == NULL || pb->escalation.mode != PLAYBOOK_TIERED)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].role, role) == 0 && all[i].tier > from)
			from = all[i].tier;
	return from >= 0 && escalate_next_tier(pb, from) >= 0;
}
