/* schedule.c: the daemon's scheduler. For each open incident it works out
 * what is due (reminders, escalations, pages), fires what is due now, each
 * once, and remembers when the incident next needs a look; it publishes
 * scheduled updates, moves maintenances on time and announces the on-call
 * schedules' handoffs to the people handing over and taking over. What the
 * rules mean for an incident is incident.c's, comms.c's and escalate.c's;
 * who is on call is rota.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/log.h"
#include "sitrep/maintenance.h"
#include "sitrep/paging.h"
#include "sitrep/playbook.h"
#include "sitrep/rota.h"
#include "sitrep/schedule.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store-oncall.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
#include "sitrep/subscribers.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

/* An incident the scheduler could not handle is looked at again after this. */
#define SCHEDULE_RETRY_MS 60000

struct watch {
	int64_t id;
	int64_t next; /* when it next needs a look; 0: not until it changes */
};

struct pbcached {
	char *name;
	char commit[41];
	struct playbook *pb; /* NULL when it cannot be read */
};

struct schedule {
	struct incident_ctx ctx;
	struct watch *watch; /* by id */
	size_t nwatch, watch_cap;
	struct pbcached *pbs;
	size_t npbs;
	bool started, changed;
	/* incidents with an open page nobody can be told of (every
	 * notification dead, or none), found when the store changed: the
	 * delivery engine's outcomes are written on a connection of its own,
	 * which moves data_version, but not an incident's updated_at */
	int64_t *undeliverable;
	size_t nundeliverable;
	int64_t undeliverable_at; /* when they were found */
	bool undeliverable_stale; /* the store changed since */
	int64_t events_seen; /* incidents with a later event are looked at */
	int64_t lag;
	/* handoff notices: the handoffs up to handoffs_until were announced;
	 * the schedules are read again when the next handoff comes, when the
	 * overrides changed, and every SCHEDULE_ROTA_REREAD_MS while there
	 * are schedules (a commit to the repository) */
	int64_t handoffs_until;
	int64_t handoff_next;  /* the next handoff of any schedule; 0: none */
	int64_t rota_read_at;  /* 0: never */
	bool rota_dirty;       /* the store changed since */
	bool rota_some;        /* the branch head has schedules */
	int64_t overrides_n, overrides_max; /* the overrides when last read */
};

int
schedule_open(struct schedule **out, struct incident_ctx *ctx)
{
	struct schedule *sc = xcalloc(1, sizeof(*sc));

	sc->ctx = *ctx;
	sc->ctx.actor = INCIDENT_DAEMON_ACTOR;
	sc->ctx.daemon = true;
	*out = sc;
	return 0;
}

void
schedule_changed(struct schedule *sc)
{
	sc->changed = true;
	sc->rota_dirty = true;
}

int64_t
schedule_lag(const struct schedule *sc)
{
	return sc->lag;
}

void
schedule_free(struct schedule *sc)
{
	if (sc == NULL)
		return;
	for (size_t i = 0; i < sc->npbs; i++) {
		free(sc->pbs[i].name);
		playbook_free(sc->pbs[i].pb);
	}
	free(sc->pbs);
	free(sc->watch);
	free(sc->undeliverable);
	free(sc);
}

static const struct playbook *
playbook_for(struct schedule *sc, const struct store_incident *inc)
{
	struct playbook *pb = NULL;

	for (size_t i = 0; i < sc->npbs; i++)
		if (strcmp(sc->pbs[i].name, inc->playbook) == 0 &&
		    strcmp(sc->pbs[i].commit, inc->commit) == 0)
			return sc->pbs[i].pb;
	if (incident_playbook(&pb, &sc->ctx, inc) != 0)
		log_warnx("INC-%lld: %s", (long long)inc->id, err_last());
	sc->pbs = xreallocarray(sc->pbs, sc->npbs + 1, sizeof(*sc->pbs));
	sc->pbs[sc->npbs].name = xstrdup(inc->playbook);
	memcpy(sc->pbs[sc->npbs].commit, inc->commit, sizeof(inc->commit));
	sc->pbs[sc->npbs].pb = pb;
	return sc->pbs[sc->npbs++].pb;
}

/* Earliest of a and b, where 0 is "never". */
static int64_t
sooner(int64_t a, int64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* One pass over an incident: what is due, what fires, when next. */
struct pass {
	struct schedule *sc;
	const struct store_incident *inc;
	const struct playbook *pb;
	struct store_holder *holders;
	size_t nholders;
	int64_t now, next;
};

static void
holders_of(struct buf *b, const struct pass *p, const char *role)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nholders; i++)
		if (strcmp(p->holders[i].role, role) == 0)
			buf_addf(b, "%s%s", n++ ? ", " : "", p->holders[i].person);
	if (n == 0)
		buf_addf(b, "(no %s yet)", role);
}

static void
add_people(struct json *to, const struct pass *p, const char *role)
{
	for (size_t i = 0; i < p->nholders; i++)
		if (strcmp(p->holders[i].role, role) == 0)
			json_append_str(to, p->holders[i].person);
}

/* Each holder of roles (once each) hears the reminder through their own
 * first contact (paging.c); *told counts the messages, names the people. */
static int
remind_holders(int64_t *told, struct json *names, struct pass *p,
	       const struct store_incident *inc, const char *const *roles, const char *text)
{
	struct paging_message m;
	int64_t count;
	int rc = 0;

	*told = 0;
	memset(&m, 0, sizeof(m));
	m.event = "incident.reminder";
	m.headline = "a reminder";
	m.text = text;
	for (size_t i = 0; rc == 0 && i < p->nholders; i++) {
		bool role = false, seen = false;

		for (const char *const *r = roles; *r != NULL; r++)
			role |= strcmp(p->holders[i].role, *r) == 0;
		for (size_t k = 0; role && k < i; k++)
			for (const char *const *r = roles; *r != NULL; r++)
				seen |= strcmp(p->holders[k].role, *r) == 0 &&
					strcmp(p->holders[k].person, p->holders[i].person) == 0;
		if (!role || seen)
			continue;
		if ((rc = paging_tell(&count, &p->sc->ctx, inc, p->holders[i].person, &m)) == 0 &&
		    count > 0) {
			*told += count;
			json_append_str(names, p->holders[i].person);
		}
	}
	return rc;
}

/*
 * Fire the reminder key, due at due, to the holders of roles (NULL-ended):
 * a timeline event, a notice on the internal channels and one to each
 * holder's own first contact, in one transaction with the record that it
 * fired. Nothing when it fired before.
 */
static int
remind(struct pass *p, const char *key, const char *kind, int64_t due,
       const char *const *roles, const char *what)
{
	struct schedule *sc = p->sc;
	struct store_incident inc;
	struct buf text = BUF_INIT, title = BUF_INIT;
	struct json *to = json_new_array(), *told = json_new_array(), *details;
	char *inc_title;
	int64_t queued, ntold;
	int rc;

	if (due > p->now) {
		p->next = sooner(p->next, due);
		json_free(to);
		json_free(told);
		return 0;
	}
	for (const char *const *r = roles; *r != NULL; r++) {
		buf_addf(&text, "%s%s: ", r == roles ? "" : "; ", *r);
		holders_of(&text, p, *r);
		add_people(to, p, *r);
	}
	buf_addf(&text, ". %s", what);
	/* a title written to the store unchecked reads with U+FFFD rather
	 * than stopping every reminder of the incident */
	inc_title = utf8_repair(p->inc->title);
	buf_addf(&title, "Reminder: INC-%lld %s", (long long)p->inc->id, inc_title);
	free(inc_title);
	if ((rc = incident_begin_change(&inc, &sc->ctx, p->inc->id)) != 0)
		goto done;
	if ((rc = store_reminder_fire(sc->ctx.store, key, inc.id, kind, due, p->now)) != 0) {
		rc = incident_abandon(&sc->ctx, &inc, rc == SR_EEXIST ? 0 : rc);
		goto done;
	}
	if ((rc = comms_notify_routed(&queued, &sc->ctx, p->pb, inc.id, "internal",
	    "incident.reminder", buf_str(&title), buf_str(&text))) != 0 ||
	    (rc = remind_holders(&ntold, told, p, &inc, roles, buf_str(&text))) != 0) {
		rc = incident_abandon(&sc->ctx, &inc, rc);
		goto done;
	}
	details = json_new_object();
	json_set_str(details, "reminder", kind);
	json_set(details, "to", to);
	to = NULL;
	json_set_str(details, "text", buf_str(&text));
	json_set_int(details, "due_at", due);
	json_set_int(details, "late_ms", p->now - due);
	json_set_int(details, "queued", queued);
	/* the holders told through their own contacts, and how many messages */
	json_set(details, "told", told);
	told = NULL;
	json_set_int(details, "told_queued", ntold);
	rc = incident_finish_change(&sc->ctx, &inc, "reminder", details);
	if (rc == 0) {
		sc->lag = p->now - due;
		log_info("INC-%lld: %s reminder (%lld ms after due)", (long long)inc.id, kind,
			 (long long)(p->now - due));
	}
done:
	json_free(to);
	json_free(told);
	buf_release(&text);
	buf_release(&title);
	return rc;
}

/* With its date when it is not today's: clock_format_when. */
static void
hhmm(char *out, size_t len, int64_t ms)
{
	clock_format_when(out, len, ms, clock_now_ms());
}

/*
 * The command a reminder names, complete so that it runs as printed: the
 * playbook's template for the audience when it has one (the one for the
 * incident's status first), "'sitrep update INC-1 --audience internal
 * --template investigating' (or --template fixed, or -m TEXT)"; without
 * one, a text to replace, -m "...".
 */
static void
update_command(char *out, size_t len, const struct pass *p, const char *audience)
{
	const struct playbook_template *best = NULL;
	size_t n = 0;
	int w;

	for (size_t i = 0; i < p->pb->ntemplates; i++) {
		const struct playbook_template *t = &p->pb->templates[i];

		if (strcmp(t->audience, audience) != 0)
			continue;
		/* a template may have no status */
		if (best == NULL || ((best->status == NULL ||
				      strcmp(best->status, p->inc->status) != 0) &&
				     t->status != NULL && strcmp(t->status, p->inc->status) == 0))
			best = t;
	}
	if (best == NULL) {
		snprintf(out, len, "'sitrep update INC-%lld --audience %s -m \"...\"'",
			 (long long)p->inc->id, audience);
		return;
	}
	w = snprintf(out, len, "'sitrep update INC-%lld --audience %s --template %s' (or ",
		     (long long)p->inc->id, audience, best->id);
	for (size_t i = 0; w > 0 && (size_t)w < len && i < p->pb->ntemplates; i++) {
		const struct playbook_template *t = &p->pb->templates[i];

		if (t == best || strcmp(t->audience, audience) != 0)
			continue;
		w += snprintf(out + w, len - (size_t)w, "%s%s", n++ ? ", " : "--template ", t->id);
	}
	if (w > 0 && (size_t)w < len)
		snprintf(out + w, len - (size_t)w, "%s-m TEXT)", n > 0 ? ", or " : "");
}

/* Five minutes before an audience's promised update, and when it is late. */
static int
cadence_reminders(struct pass *p, const struct comms_summary *cs)
{
	static const char *const comms[] = { "comms", NULL };
	static const char *const comms_commander[] = { "comms", "commander", NULL };
	char key[160], what[1024], at[CLOCK_WHEN_MAX], cmd[512];
	int64_t base, lead;
	int rc;

	for (size_t i = 0; i < cs->naudiences; i++) {
		const struct comms_audience *a = &cs->audiences[i];
		int64_t due = a->last_at ? a->next_at : a->first_due;

		if (due == 0)
			continue;
		hhmm(at, sizeof(at), due);
		snprintf(key, sizeof(key), "cadence-soon:%lld:%s:%lld", (long long)p->inc->id,
			 a->audience, (long long)due);
		update_command(cmd, sizeof(cmd), p, a->audience);
		snprintf(what, sizeof(what), "The %s update to %s is due by %s: post it with "
			 "%s", a->last_at ? "next" : "first", a->audience, at, cmd);
		/* Five minutes ahead, or half the interval when it is shorter,
		 * so a first update due soon after opening is not reminded of
		 * the moment the incident opens. */
		base = a->last_at ? a->last_at : p->inc->opened_at;
		lead = SCHEDULE_UPDATE_WARNING_MS;
		if (due > base && (due - base) / 2 < lead)
			lead = (due - base) / 2;
		if ((rc = remind(p, key, "update_due", due - lead, comms, what)) != 0)
			return rc;
		snprintf(key, sizeof(key), "cadence-late:%lld:%s:%lld", (long long)p->inc->id,
			 a->audience, (long long)due);
		snprintf(what, sizeof(what), "The update to %s promised by %s is overdue: post "
			 "it now with %s", a->audience, at, cmd);
		if ((rc = remind(p, key, "update_overdue", due, comms_commander, what)) != 0)
			return rc;
	}
	return 0;
}

static int
apology_reminders(struct pass *p, const struct comms_summary *cs)
{
	static const char *const roles[] = { "comms", "commander", NULL };
	char key[128], what[256];
	int rc;

	for (size_t i = 0; i < cs->napologies; i++) {
		const struct comms_apology *ap = &cs->apologies[i];

		if (ap->sent_at != 0)
			continue;
		snprintf(key, sizeof(key), "apology:%lld:%s", (long long)p->inc->id, ap->audience);
		snprintf(what, sizeof(what), "An apology to %s is owed and was not sent in time: "
			 "send it with 'sitrep apologize INC-%lld --audience %s'", ap->audience,
			 (long long)p->inc->id, ap->audience);
		if ((rc = remind(p, key, "apology_owed", ap->due_at, roles, what)) != 0)
			return rc;
	}
	return 0;
}

static int
step_reminders(struct pass *p)
{
	struct store_step *done;
	size_t ndone;
	char key[160], what[1024], cmd[512];
	int rc;

	if ((rc = store_steps_get(&done, &ndone, p->sc->ctx.store, p->inc->id)) != 0)
		return rc;
	for (size_t k = 0; rc == 0 && k < p->pb->nsteps; k++) {
		const struct playbook_step *st = &p->pb->steps[k];
		const char *roles[] = { st->role, NULL };
		bool finished = false;

		for (size_t i = 0; i < ndone; i++)
			finished |= strcmp(done[i].step, st->id) == 0;
		if (finished || !incident_step_applies(st, p->inc->severity))
			continue;
		snprintf(key, sizeof(key), "step:%lld:%s", (long long)p->inc->id, st->id);
		if (st->completes_on == PLAYBOOK_COMPLETES_UPDATE) {
			update_command(cmd, sizeof(cmd), p, st->completes_value);
			snprintf(what, sizeof(what), "Step '%s' (%s) is past due: an update to %s "
				 "completes it (%s), or mark it with 'sitrep step INC-%lld done %s'",
				 st->id, st->title, st->completes_value, cmd,
				 (long long)p->inc->id, st->id);
		} else
			snprintf(what, sizeof(what), "Step '%s' (%s) is past due: mark it with "
				 "'sitrep step INC-%lld done %s'", st->id, st->title,
				 (long long)p->inc->id, st->id);
		rc = remind(p, key, "step_overdue", p->inc->opened_at + st->due * 1000, roles, what);
	}
	store_steps_free(done, ndone);
	return rc;
}

static int
handover_reminders(struct pass *p)
{
	static const char *const roles[] = { "commander", NULL };
	const struct playbook_role *r = playbook_role(p->pb, "commander");
	char key[160], what[256];
	int rc;

	if (r == NULL || r->handover == 0)
		return 0;
	for (size_t i = 0; i < p->nholders; i++) {
		if (strcmp(p->holders[i].role, "commander") != 0)
			continue;
		snprintf(key, sizeof(key), "handover:%lld:%s:%lld", (long long)p->inc->id,
			 p->holders[i].person, (long long)p->holders[i].since);
		snprintf(what, sizeof(what), "%s has been commander longer than the playbook's "
			 "handover limit: hand over with 'sitrep role handoff INC-%lld commander "
			 "PERSON -m NOTE'", p->holders[i].person, (long long)p->inc->id);
		if ((rc = remind(p, key, "handover", p->holders[i].since + r->handover * 1000,
		    roles, what)) != 0)
			return rc;
	}
	return 0;
}

static bool
undeliverable(const struct schedule *sc, int64_t id)
{
	for (size_t i = 0; i < sc->nundeliverable; i++)
		if (sc->undeliverable[i] == id)
			return true;
	return false;
}

/* ack_expires: an acknowledger who has done nothing on the timeline since
 * is paged again while the incident is not yet monitoring; only the
 * role's latest page counts, so it is done once per acknowledgement. */
static int
ack_expiries(struct pass *p, const struct store_page *all, size_t n)
{
	struct schedule *sc = p->sc;
	struct store_event *ev = NULL;
	size_t nev = 0;
	int rc = 0;

	if (p->pb->escalation.ack_expires == 0 || (strcmp(p->inc->status, "investigating") != 0 &&
	    strcmp(p->inc->status, "identified") != 0))
		return 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t due = all[i].closed_at + p->pb->escalation.ack_expires * 1000;
		bool latest = true, active = false;

		if (strcmp(all[i].state, "acked") != 0)
			continue;
		for (size_t k = i + 1; k < n; k++)
			latest &= strcmp(all[k].role, all[i].role) != 0;
		if (!latest)
			continue;
		if (due > p->now) {
			p->next = sooner(p->next, due);
			continue;
		}
		if (ev == NULL && (rc = store_events_get(&ev, &nev, sc->ctx.store,
							 p->inc->id)) != 0)
			break;
		for (size_t k = 0; k < nev; k++)
			active |= strcmp(ev[k].actor, all[i].person) == 0 &&
				  ev[k].at > all[i].closed_at &&
				  strcmp(ev[k].kind, "acknowledged") != 0;
		if (active)
			continue;
		if (escalate_repage(&sc->ctx, p->inc->id, all[i].id) == 0) {
			log_info("INC-%lld: paged %s again for %s: acknowledged and nothing done "
				 "since", (long long)p->inc->id, all[i].person, all[i].role);
			sc->lag = p->now - due;
			p->next = sooner(p->next, p->now + 1);
		} else
			log_warnx("INC-%lld: cannot page %s again: %s", (long long)p->inc->id,
				  all[i].person, err_last());
	}
	store_events_free(ev, nev);
	return rc;
}

/*
 * Pages: one nobody can be told of escalates at once (or the commander
 * hears it); one nobody acknowledged in time moves to the next tier
 * (tiered playbooks), or, with nowhere further to go (the last tier, a
 * swarm), is exhausted and the commander hears it, once. The escalation
 * closes the page, so it is done once; one that cannot be done is
 * recorded, so it is not tried again.
 */
static int
page_escalations(struct pass *p)
{
	struct schedule *sc = p->sc;
	struct store_page *pages;
	size_t n;
	char key[64], reason[256];
	bool tried, acted;
	int rc;

	if (undeliverable(sc, p->inc->id)) {
		if (escalate_undeliverable(&acted, &sc->ctx, p->inc->id) != 0)
			log_warnx("INC-%lld: a page nobody can be told of: %s",
				  (long long)p->inc->id, err_last());
		else if (acted) {
			log_info("INC-%lld: a page nobody can be told of was acted on",
				 (long long)p->inc->id);
			/* there may be more: look again at once */
			p->next = sooner(p->next, p->now + 1);
			return 0;
		}
	}
	if ((rc = store_pages_get(&pages, &n, sc->ctx.store, p->inc->id, false)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool further;

		if (strcmp(pages[i].state, "open") != 0 || pages[i].exhausted_at != 0)
			continue;
		if (pages[i].timeout_at > p->now) {
			p->next = sooner(p->next, pages[i].timeout_at);
			continue;
		}
		further = escalate_will_escalate(p->pb, pages, n, pages[i].role);
		if (!further) {
			if (escalate_exhausted(&acted, &sc->ctx, p->inc->id, pages[i].role) != 0)
				log_warnx("INC-%lld: nobody acknowledged %s: %s",
					  (long long)p->inc->id, pages[i].role, err_last());
			else if (acted) {
				log_info("INC-%lld: nobody acknowledged the page for %s at the "
					 "last tier: the commander is told", (long long)p->inc->id,
					 pages[i].role);
				sc->lag = p->now - pages[i].timeout_at;
				p->next = sooner(p->next, p->now + 1);
				break;
			}
			continue;
		}
		snprintf(key, sizeof(key), "page:%lld", (long long)pages[i].id);
		if ((rc = store_reminder_fired(&tried, sc->ctx.store, key)) != 0 || tried)
			continue;
		snprintf(reason, sizeof(reason), "%s (L%d) did not acknowledge the page for %s "
			 "within the playbook's ack timeout", pages[i].person, pages[i].tier,
			 pages[i].role);
		if (escalate_escalate(&sc->ctx, p->inc->id, pages[i].role, -1, false,
		    reason) == 0) {
			log_info("INC-%lld: escalated: %s", (long long)p->inc->id, reason);
			sc->lag = p->now - pages[i].timeout_at;
			/* the role's other open pages were closed with it, and
			 * the new ones time out later: look again */
			p->next = sooner(p->next, p->now + 1);
			break;
		}
		log_warnx("INC-%lld: cannot escalate: %s", (long long)p->inc->id, err_last());
		if ((rc = store_begin(sc->ctx.store)) == 0) {
			if ((rc = store_reminder_fire(sc->ctx.store, key, p->inc->id, "escalation",
			    pages[i].timeout_at, p->now)) != 0 && rc != SR_EEXIST)
				store_rollback(sc->ctx.store);
			else
				rc = store_commit(sc->ctx.store);
		}
	}
	if (rc == 0)
		rc = ack_expiries(p, pages, n);
	store_pages_free(pages, n);
	return rc;
}

/* A required role still unfilled a while after opening is paged. */
/* Whether role was paged on incident id, whatever became of the page. */
static int
role_paged(bool *paged, struct schedule *sc, int64_t id, const char *role)
{
	struct store_page *pages;
	size_t n;
	int rc;

	*paged = false;
	if ((rc = store_pages_get(&pages, &n, sc->ctx.store, id, false)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		*paged |= strcmp(pages[i].role, role) == 0;
	store_pages_free(pages, n);
	return 0;
}

static int
unfilled_roles(struct pass *p)
{
	struct schedule *sc = p->sc;
	char key[128];
	bool fired;
	int rc;

	for (size_t r = 0; r < p->pb->nroles; r++) {
		const struct playbook_role *role = &p->pb->roles[r];
		int64_t due = p->inc->opened_at + SCHEDULE_UNFILLED_ROLE_MS;
		bool held = false;

		for (size_t i = 0; i < p->nholders; i++)
			held |= strcmp(p->holders[i].role, role->id) == 0;
		if (!role->required || held)
			continue;
		if (due > p->now) {
			p->next = sooner(p->next, due);
			continue;
		}
		snprintf(key, sizeof(key), "unfilled:%lld:%s", (long long)p->inc->id, role->id);
		if ((rc = store_reminder_fired(&fired, sc->ctx.store, key)) != 0)
			return rc;
		if (fired)
			continue;
		/* a role someone already paged has its promise (and its
		 * acknowledger): the daemon does not page it again */
		if ((rc = role_paged(&fired, sc, p->inc->id, role->id)) != 0)
			return rc;
		if (fired)
			continue;
		if (escalate_page(&sc->ctx, p->inc->id, role->id, -1) != 0)
			log_warnx("INC-%lld: cannot page %s: %s", (long long)p->inc->id, role->id,
				  err_last());
		else {
			log_info("INC-%lld: paged the unfilled role %s", (long long)p->inc->id,
				 role->id);
			p->next = sooner(p->next, p->now + 1); /* its pages time out */
		}
		if ((rc = store_begin(sc->ctx.store)) != 0)
			return rc;
		if ((rc = store_reminder_fire(sc->ctx.store, key, p->inc->id, "unfilled_role", due,
		    p->now)) != 0 && rc != SR_EEXIST) {
			store_rollback(sc->ctx.store);
			return rc;
		}
		if ((rc = store_commit(sc->ctx.store)) != 0)
			return rc;
		sc->lag = p->now - due;
	}
	return 0;
}

/* Look at one incident: fire what is due; return when it next needs a
 * look (0: closed, never again). */
static int
look_at(struct watch *w, struct schedule *sc, int64_t now)
{
	struct store_incident inc;
	struct comms_summary cs;
	struct pass p;
	bool working;
	int64_t id = w->id;
	int rc;

	w->next = 0;
	if ((rc = store_incident_get(&inc, sc->ctx.store, id)) != 0)
		return rc == SR_ENOTFOUND ? 0 : rc;
	memset(&p, 0, sizeof(p));
	p.sc = sc;
	p.inc = &inc;
	p.now = now;
	working = strcmp(inc.status, "resolved") != 0 && strcmp(inc.status, "closed") != 0;
	if (strcmp(inc.status, "closed") == 0 || (p.pb = playbook_for(sc, &inc)) == NULL) {
		store_incident_release(&inc);
		return 0;
	}
	if ((rc = store_holders_get(&p.holders, &p.nholders, sc->ctx.store, id, NULL)) != 0)
		goto done;
	if ((rc = comms_summarize(&cs, &sc->ctx, &inc, p.pb, now)) != 0)
		goto done;
	if (working)
		rc = cadence_reminders(&p, &cs);
	if (rc == 0)
		rc = apology_reminders(&p, &cs);
	comms_summary_release(&cs);
	if (rc == 0 && working)
		rc = step_reminders(&p);
	if (rc == 0 && working)
		rc = handover_reminders(&p);
	if (rc == 0 && working)
		rc = page_escalations(&p);
	if (rc == 0 && working)
		rc = unfilled_roles(&p);
done:
	store_holders_free(p.holders, p.nholders);
	store_incident_release(&inc);
	w->next = p.next;
	return rc;
}

/* The watch of incident id, added (never looked at) when there is none.
 * The pointer holds until the next watch_get. */
static struct watch *
watch_get(struct schedule *sc, int64_t id)
{
	size_t lo = 0, hi = sc->nwatch;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->watch[mid].id == id)
			return &sc->watch[mid];
		if (sc->watch[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (sc->nwatch == sc->watch_cap) {
		sc->watch_cap = sc->watch_cap ? 2 * sc->watch_cap : 64;
		sc->watch = xreallocarray(sc->watch, sc->watch_cap, sizeof(*sc->watch));
	}
	memmove(&sc->watch[lo + 1], &sc->watch[lo], (sc->nwatch - lo) * sizeof(*sc->watch));
	sc->nwatch++;
	sc->watch[lo].id = id;
	sc->watch[lo].next = 0;
	return &sc->watch[lo];
}

/* Which incidents to look at now: all open ones the first time, then
 * those changed since the last look. */
static int
mark_changed(struct schedule *sc, int64_t now)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	if (!sc->started) {
		struct store_incident *v;

		/* the last event first: a change made while the list is read
		 * is seen in the next run */
		if ((rc = store_last_event(&sc->events_seen, sc->ctx.store)) != 0 ||
		    (rc = store_incidents_list(&v, &n, sc->ctx.store, false)) != 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			watch_get(sc, v[i].id)->next = now;
		store_incidents_free(v, n);
	} else if (sc->changed) {
		if ((rc = store_incidents_changed(&ids, &n, &sc->events_seen,
						  sc->ctx.store)) != 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			watch_get(sc, ids[i])->next = now;
		free(ids);
	}
	/* which open pages nobody can be told of: asked when the store
	 * changed, at most every SCHEDULE_UNDELIVERABLE_MS (the delivery
	 * lanes' every outcome changes the store, and the question reads the
	 * notifications of every open page) */
	if (!sc->started || sc->changed)
		sc->undeliverable_stale = true;
	if (sc->undeliverable_stale &&
	    (!sc->started || now - sc->undeliverable_at >= SCHEDULE_UNDELIVERABLE_MS)) {
		free(sc->undeliverable);
		sc->undeliverable = NULL;
		sc->nundeliverable = 0;
		if ((rc = store_pages_undeliverable(&sc->undeliverable, &sc->nundeliverable,
						    sc->ctx.store)) != 0)
			return rc;
		for (size_t i = 0; i < sc->nundeliverable; i++)
			watch_get(sc, sc->undeliverable[i])->next = now;
		sc->undeliverable_at = now;
		sc->undeliverable_stale = false;
	}
	sc->started = true;
	sc->changed = false;
	return 0;
}

/* Scheduled updates are published at their time, as their author, when
 * the approval rules allow; one that still waits for approval is published
 * when approved. */
static int
scheduled_updates(struct schedule *sc, int64_t now, int64_t *next)
{
	struct store_update *v;
	size_t n;
	int rc;

	if ((rc = store_updates_scheduled(&v, &n, sc->ctx.store)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct incident_ctx as_author = sc->ctx;
		int64_t queued;

		if (v[i].publish_at > now) {
			*next = sooner(*next, v[i].publish_at);
			continue;
		}
		as_author.actor = v[i].author;
		if (comms_publish(&queued, &as_author, v[i].id) == 0) {
			log_info("UPD-%lld published on schedule: %lld messages queued",
				 (long long)v[i].id, (long long)queued);
			sc->lag = now - v[i].publish_at;
			/* its promise makes new reminders due: look again */
			watch_get(sc, v[i].incident_id)->next = now;
		} else
			log_debug("UPD-%lld not published yet: %s", (long long)v[i].id, err_last());
	}
	store_updates_free(v, n);
	return 0;
}

/* Maintenances move on time (maintenance.c): one whose whole window has
 * passed while the daemon was down starts and completes in one run. */
static int
maintenances(struct schedule *sc, int64_t now, int64_t *next)
{
	struct store_maintenance *v;
	size_t n;
	int rc = 0;

	if ((rc = maintenance_list(&v, &n, sc->ctx.store, false)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct store_maintenance *m = &v[i];
		int64_t due, queued;

		while (rc == 0 && (due = maintenance_due(m)) != 0 && due <= now)
			if ((rc = maintenance_advance(&queued, &sc->ctx, m, now)) == 0 &&
			    strcmp(m->state, "cancelled") != 0) {
				sc->lag = now - due;
				log_info("maintenance %lld is %s (%lld ms after due)",
					 (long long)m->id, m->state, (long long)(now - due));
			}
		if ((due = maintenance_due(m)) != 0)
			*next = sooner(*next, due);
	}
	store_maintenances_free(v, n);
	return rc;
}

/* E-mail subscriptions left unconfirmed end 24 hours after they were
 * made (subscribers.h); the next one to end is due then. */
static int
unconfirmed_subscribers(struct schedule *sc, int64_t now, int64_t *next)
{
	int64_t n, at;
	int rc;

	if ((rc = subscribers_expire(&n, &at, sc->ctx.store, now)) != 0)
		return rc;
	if (n > 0)
		log_info("%lld e-mail subscription(s) not confirmed within 24 hours ended",
			 (long long)n);
	if (at != 0)
		*next = sooner(*next, at);
	return 0;
}

/*
 * Announce one handoff to the person taking over and the one handing
 * over, through their contacts (paging_tell_person), once: the reminder
 * key "handoff:SCHEDULE:AT" is recorded in the same transaction.
 */
static int
announce_handoff(struct schedule *sc, const struct rota_handoff *h, int64_t now)
{
	struct buf key = BUF_INIT, in = BUF_INIT, out = BUF_INIT, text = BUF_INIT;
	char at[CLOCK_WHEN_MAX];
	int64_t q, queued = 0;
	int rc;

	clock_format_when(at, sizeof(at), h->at_ms, now);
	buf_addf(&key, "handoff:%s:%lld", h->schedule, (long long)h->at_ms);
	buf_addf(&text, "On-call schedule '%s' hands over at %s: %s -> %s. See 'sitrep oncall'.",
		 h->schedule, at, h->from != NULL ? h->from : "nobody",
		 h->to != NULL ? h->to : "nobody");
	buf_addf(&in, "you are on call for %s from %s", h->schedule, at);
	buf_addf(&out, "your on-call turn for %s ends at %s: %s takes over", h->schedule, at,
		 h->to != NULL ? h->to : "nobody");
	if ((rc = store_begin(sc->ctx.store)) != 0)
		goto done;
	rc = store_reminder_fire(sc->ctx.store, buf_str(&key), 0, "handoff", h->at_ms, now);
	if (rc == SR_EEXIST) {
		store_rollback(sc->ctx.store);
		rc = 0;
		goto done;
	}
	if (rc == 0 && h->to != NULL &&
	    (rc = paging_tell_person(&q, &sc->ctx, h->to, "oncall.handoff", buf_str(&in),
				     buf_str(&text))) == 0)
		queued += q;
	if (rc == 0 && h->from != NULL && (h->to == NULL || strcmp(h->from, h->to) != 0) &&
	    (rc = paging_tell_person(&q, &sc->ctx, h->from, "oncall.handoff", buf_str(&out),
				     buf_str(&text))) == 0)
		queued += q;
	if (rc != 0) {
		store_rollback(sc->ctx.store);
		goto done;
	}
	if ((rc = store_commit(sc->ctx.store)) == 0) {
		sc->lag = now - h->at_ms;
		log_info("on-call handoff of %s at %s announced: %s -> %s (%lld message%s)",
			 h->schedule, at, h->from != NULL ? h->from : "nobody",
			 h->to != NULL ? h->to : "nobody", (long long)queued,
			 queued == 1 ? "" : "s");
	}
done:
	buf_release(&key);
	buf_release(&in);
	buf_release(&out);
	buf_release(&text);
	return rc;
}

/* Whether the overrides in the store changed since the schedules were
 * read (sets *changed; leaves it alone when not). */
static int
overrides_changed(bool *changed, struct schedule *sc)
{
	struct store_override *v;
	size_t n;
	int64_t max = 0;
	int rc;

	if ((rc = store_overrides_list(&v, &n, sc->ctx.store, NULL, 0)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (v[i].id > max)
			max = v[i].id;
	store_overrides_free(v, n);
	if ((int64_t)n != sc->overrides_n || max != sc->overrides_max) {
		*changed = true;
		sc->overrides_n = (int64_t)n;
		sc->overrides_max = max;
	}
	return 0;
}

/*
 * The handoffs of every schedule at the branch head since the last run
 * are announced, each once; at the first run, those of the last
 * SCHEDULE_HANDOFF_RECENT_MS (a daemon that was down announces a recent
 * handoff, never a flood of old ones). The next handoff wakes the
 * scheduler. A rota that cannot be read is said and tried again later.
 */
static int
handoffs(struct schedule *sc, int64_t now, int64_t *next)
{
	struct rota *r = NULL;
	struct rota_handoff *v = NULL;
	size_t n = 0;
	int64_t from, soonest = 0;
	bool due;
	int rc = 0;

	if (sc->ctx.repo == NULL)
		return 0;
	due = sc->rota_read_at == 0 || (sc->handoff_next != 0 && sc->handoff_next <= now) ||
	      (sc->rota_some && now - sc->rota_read_at >= SCHEDULE_ROTA_REREAD_MS);
	if (sc->rota_dirty && (rc = overrides_changed(&due, sc)) != 0)
		return rc;
	sc->rota_dirty = false;
	if (!due)
		goto wake;
	sc->rota_read_at = now;
	if (rota_load(&r, &sc->ctx) != 0) {
		log_debug("handoff notices: the schedules cannot be read: %s", err_last());
		err_clear();
		sc->rota_some = false;
		sc->handoff_next = 0;
		goto wake;
	}
	sc->rota_some = r->n > 0;
	from = sc->handoffs_until != 0 ? sc->handoffs_until : now - SCHEDULE_HANDOFF_RECENT_MS;
	if (from < now - SCHEDULE_HANDOFF_RECENT_MS)
		from = now - SCHEDULE_HANDOFF_RECENT_MS;
	if ((rc = rota_handoffs(&v, &n, r, from, now)) != 0)
		goto out;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = announce_handoff(sc, &v[i], now);
	if (rc != 0)
		goto out;
	sc->handoffs_until = now;
	/* the next handoff of any schedule */
	for (size_t i = 0; i < r->n; i++) {
		const char *who;
		int64_t change;

		if (rota_who(&who, &change, r, r->v[i].name, now) != 0) {
			err_clear(); /* an invalid schedule hands over nothing */
			continue;
		}
		if (change != INT64_MAX && change > now)
			soonest = sooner(soonest, change);
	}
	sc->handoff_next = soonest;
out:
	free(v);
	rota_free(r);
wake:
	if (sc->handoff_next != 0)
		*next = sooner(*next, sc->handoff_next);
	if (sc->rota_some)
		*next = sooner(*next, sc->rota_read_at + SCHEDULE_ROTA_REREAD_MS);
	return rc;
}

static int
by_due(const void *a, const void *b)
{
	const struct watch *x = *(const struct watch *const *)a, *y = *(const struct watch *const *)b;

	if (x->next != y->next)
		return x->next < y->next ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Look at the incidents due at now, the one due longest first: an
 * escalation whose time came is not held up by a wave of incidents that
 * only changed (marked due at now).
 */
static int
look_at_due(struct schedule *sc, int64_t now)
{
	struct watch **due = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < sc->nwatch; i++)
		if (sc->watch[i].next != 0 && sc->watch[i].next <= now)
			n++;
	if (n == 0)
		return 0;
	due = xreallocarray(NULL, n, sizeof(*due));
	n = 0;
	for (size_t i = 0; i < sc->nwatch; i++)
		if (sc->watch[i].next != 0 && sc->watch[i].next <= now)
			due[n++] = &sc->watch[i];
	qsort(due, n, sizeof(*due), by_due);
	for (size_t i = 0; i < n; i++) {
		struct watch *w = due[i];

		/* One incident that cannot be handled (a row the store holds
		 * that cannot be turned into a message or an event) must not
		 * hold up the others: say why and look at it again later. */
		if ((rc = look_at(w, sc, now)) != 0) {
			if (rc == SR_ESYS)
				break;
			log_warnx("scheduler: INC-%lld: %s; trying again in a minute",
				  (long long)w->id, err_last());
			w->next = now + SCHEDULE_RETRY_MS;
			rc = 0;
		}
	}
	free(due);
	return rc;
}

int
schedule_run(struct schedule *sc, int64_t now, int64_t *next_due)
{
	int64_t next = 0;
	size_t keep = 0;
	int rc;

	*next_due = 0;
	/* Scheduled updates and maintenances first: a published update
	 * makes its incident due for a look in this same run. */
	if ((rc = mark_changed(sc, now)) != 0 ||
	    (rc = scheduled_updates(sc, now, &next)) != 0 ||
	    (rc = maintenances(sc, now, &next)) != 0 ||
	    (rc = unconfirmed_subscribers(sc, now, &next)) != 0)
		return rc;
	/* a handoff notice that cannot be written now is tried on the next
	 * run; it does not hold up the incidents */
	if ((rc = handoffs(sc, now, &next)) != 0) {
		if (rc == SR_ESYS)
			return rc;
		log_warnx("scheduler: handoff notices: %s", err_last());
	}
	if ((rc = look_at_due(sc, now)) != 0)
		return rc;
	/* incidents that need no further look are dropped */
	for (size_t i = 0; i < sc->nwatch; i++)
		if (sc->watch[i].next != 0) {
			sc->watch[keep++] = sc->watch[i];
			next = sooner(next, sc->watch[i].next);
		}
	sc->nwatch = keep;
	if (sc->undeliverable_stale)
		next = sooner(next, sc->undeliverable_at + SCHEDULE_UNDELIVERABLE_MS);
	*next_due = next;
	return 0;
}
