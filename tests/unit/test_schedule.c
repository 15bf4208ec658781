/* test_schedule.c: the scheduler against a real workspace in a temp dir (a
 * site config, a store, a git repository of playbooks), driven at chosen
 * times of a fake clock: cadence reminders before and after an update is
 * due, an apology owed, a step past due, a long commander shift, pages
 * escalated tier by tier, unfilled required roles paged, scheduled updates
 * published (after approval when needed), maintenances started and ended,
 * each once across runs and restarts, and the lag of the last action.
 * What it checks is what the store holds afterwards. */
#include "testutil.h"

#include <stdbool.h>

#include <sqlite3.h>

#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/repo.h"
#include "sitrep/roles.h"
#include "sitrep/rota.h"
#include "sitrep/schedule.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"

#include "testws.h"

#define SEC	1000LL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
/* 2027-01-15T08:00:00Z: every test's incidents open here. */
#define T0	1800000000000LL

/* ---------------------------------------------------------------- fixture */

#define CONF_HEAD \
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n" \
	"status_page = { name = \"Drill Status\"; url = \"http://127.0.0.1:8080/\"; };\n" \
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n" \
	"people = (\n" \
	"  { handle = \"alice\"; name = \"Alice\";\n" \
	"    contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"ops\"; user = \"UALICE\"; } );\n" \
	"    tier = \"L1\"; },\n" \
	"  { handle = \"bob\"; name = \"Bob\";\n" \
	"    contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"ops\"; user = \"UBOB\"; } );\n" \
	"    tier = \"L2\"; },\n" \
	"  { handle = \"carol\"; name = \"Carol\";\n" \
	"    contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"ops\"; user = \"UCAROL\"; } );\n" \
	"    tier = \"L3\"; },\n" \
	"  { handle = \"dave\"; name = \"Dave\"; }\n" \
	");\n"

/* An internal chat channel and a customer webhook. */
static const char conf_text[] = CONF_HEAD
	"channels = (\n"
	"  { id = \"ops\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"DRILL_OPS_URL\"; },\n"
	"  { id = \"status-hook\"; type = \"webhook\"; audiences = [ \"customers\" ];\n"
	"    url_env = \"DRILL_HOOK_URL\"; }\n"
	");\n";

/* Only the internal channel: nothing reaches customers. */
static const char conf_internal_only[] = CONF_HEAD
	"channels = (\n"
	"  { id = \"ops\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"DRILL_OPS_URL\"; }\n"
	");\n";

/* Cadence and escalation only: nothing else is ever due, so the next due
 * time the scheduler gives is exactly the cadence's or a page's. */
static const char basic_playbook[] =
	"name = \"basic\";\n"
	"title = \"Basic drill\";\n"
	"summary = \"Updates on time and pages answered.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; required = true; },\n"
	"  { id = \"comms\"; title = \"Communications Lead\"; required = true; },\n"
	"  { id = \"ops\"; title = \"Operations\"; max = 3; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n"
	"cadence = (\n"
	"  { audience = \"internal\"; every = { SEV1 = \"15m\"; SEV2 = \"30m\"; }; first_within = \"10m\"; },\n"
	"  { audience = \"executives\"; every = { SEV2 = \"1h\"; }; }\n"
	");\n";

/* Everything: steps, an apology, approval of customer updates, a
 * commander's handover limit. */
static const char drill_playbook[] =
	"name = \"drill\";\n"
	"title = \"Full drill\";\n"
	"summary = \"Every promise the scheduler keeps.\";\n"
	"severity = \"SEV2\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; required = true; handover = \"2h\"; },\n"
	"  { id = \"comms\"; title = \"Communications Lead\"; required = true; },\n"
	"  { id = \"ops\"; title = \"Operations\"; max = 3; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n"
	"cadence = (\n"
	"  { audience = \"internal\"; every = { SEV1 = \"15m\"; SEV2 = \"30m\"; SEV3 = \"1h\"; };\n"
	"    first_within = \"10m\"; },\n"
	"  { audience = \"customers\"; every = { SEV1 = \"30m\"; SEV2 = \"1h\"; }; }\n"
	");\n"
	"apology = { audiences = [ \"customers\" ]; min_severity = \"SEV2\"; within = \"1h\";\n"
	"  template = \"apology\"; };\n"
	"approval = { audiences = [ \"customers\" ]; min_severity = \"SEV2\";\n"
	"  approvers = [ \"commander\", \"comms\" ]; };\n"
	"steps = (\n"
	"  { id = \"declare\"; title = \"Declare the incident\"; role = \"commander\"; due = \"15m\"; },\n"
	"  { id = \"scope\"; title = \"Scope the impact\"; role = \"ops\"; due = \"20m\"; },\n"
	"  { id = \"key-accounts\"; title = \"Call key accounts\"; role = \"comms\"; due = \"25m\";\n"
	"    min_severity = \"SEV1\"; }\n"
	");\n"
	"templates = (\n"
	"  { id = \"apology\"; audience = \"customers\"; text = \"We are sorry about {{title}}.\"; }\n"
	");\n";

/* Every tier at once: nothing to escalate. */
static const char swarm_playbook[] =
	"name = \"swarm\";\n"
	"title = \"Swarm drill\";\n"
	"summary = \"Everyone at once.\";\n"
	"severity = \"SEV1\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; },\n"
	"  { id = \"ops\"; title = \"Operations\"; max = 5; }\n"
	");\n"
	"escalation = { mode = \"swarm\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n"
	"cadence = ( { audience = \"internal\"; every = { SEV1 = \"2m\"; }; first_within = \"4m\"; } );\n";

/* The shared workspace (testws.h) and a connection of the test's own to
 * read what was written. */
struct ws {
	struct testws t;
	sqlite3 *db;
};

/* What a test has open, so that the teardown releases it when a failed
 * assertion ends the test early. */
static struct ws live_ws;
static bool live_ws_open;
static struct schedule *live_sc[4];

/* The workspace with the playbooks, and an on-call schedule ops.schedule
 * when schedule is not NULL. */
static void
ws_open_with(struct ws *w, const char *conf, const char *schedule)
{
	char *names[] = { "basic.playbook", "drill.playbook", "swarm.playbook", "ops.schedule" };
	char *contents[] = { (char *)basic_playbook, (char *)drill_playbook,
			     (char *)swarm_playbook, (char *)schedule };
	char path[4200];

	memset(w, 0, sizeof(*w));
	testws_open(&w->t, conf, names, contents, schedule != NULL ? 4 : 3, T0 - HOUR);
	snprintf(path, sizeof(path), "%s/sitrep.db", w->t.dir);
	assert_int_equal(sqlite3_open(path, &w->db), SQLITE_OK);
	sqlite3_busy_timeout(w->db, 10000);
	live_ws = *w;
	live_ws_open = true;
}

static void
ws_open(struct ws *w, const char *conf)
{
	ws_open_with(w, conf, NULL);
}

static void
ws_close(struct ws *w)
{
	live_ws_open = false;
	sqlite3_close(w->db);
	testws_close(&w->t);
}

/* The workspace's context acting as who, at the fake time at. */
static struct incident_ctx *
as(struct ws *w, const char *who, int64_t at)
{
	clock_set_fake(at);
	w->t.ctx.actor = who;
	w->t.ctx.daemon = false;
	return &w->t.ctx;
}

static int64_t
open_incident(struct ws *w, int64_t at, const char *playbook, int sev)
{
	int64_t id;

	TESTWS_CHECK(incident_open(&id, as(w, "alice", at), playbook, w->t.sha, "Drill incident",
				   sev, NULL, 0));
	return id;
}

static void
take(struct ws *w, int64_t id, const char *who, const char *role, int64_t at)
{
	TESTWS_CHECK(roles_take(as(w, who, at), id, role));
}

/* Post an update; publish_at 0 publishes now (unless it needs approval). */
static int64_t
post(struct ws *w, int64_t id, const char *who, const char *audience, const char *text,
     int64_t at, int64_t publish_at)
{
	struct comms_post req;
	struct comms_posted out;
	int64_t uid;

	memset(&req, 0, sizeof(req));
	req.incident = id;
	req.audience = audience;
	req.text = text;
	req.publish_at = publish_at;
	TESTWS_CHECK(comms_post(&out, as(w, who, at), &req));
	uid = out.update_id;
	comms_posted_release(&out);
	return uid;
}

static struct schedule *
sched_open(struct ws *w)
{
	struct incident_ctx ctx = w->t.ctx;
	struct schedule *sc;

	ctx.actor = "alice"; /* schedule_open acts as sitrepd whatever it is given */
	TESTWS_CHECK(schedule_open(&sc, &ctx));
	for (size_t i = 0; i < sizeof(live_sc) / sizeof(live_sc[0]); i++)
		if (live_sc[i] == NULL) {
			live_sc[i] = sc;
			break;
		}
	return sc;
}

/* schedule_free, for one sched_open gave. */
static void
sched_close(struct schedule *sc)
{
	for (size_t i = 0; i < sizeof(live_sc) / sizeof(live_sc[0]); i++)
		if (live_sc[i] == sc)
			live_sc[i] = NULL;
	schedule_free(sc);
}

/* One run of the scheduler at now, the clock showing now; its next due. */
static int64_t
run(struct schedule *sc, int64_t now)
{
	int64_t next = -1;

	clock_set_fake(now);
	if (schedule_run(sc, now, &next) != 0)
		fail_msg("schedule_run at T0%+lld ms: %s", (long long)(now - T0), err_last());
	return next;
}

/* The same, n times over. */
static int64_t
run_n(struct schedule *sc, int64_t now, int n)
{
	int64_t next = 0;

	for (int i = 0; i < n; i++)
		next = run(sc, now);
	return next;
}

/* ---------------------------------------------------------------- queries */

static int64_t
qint(struct ws *w, const char *fmt, ...)
{
	char q[2048];
	sqlite3_stmt *stmt;
	va_list ap;
	int64_t v = -1;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(w->db, q, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(w->db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* The first column of the first row as text ("(none)" when no row, "(null)"
 * for NULL), in a buffer that the next call reuses. */
static const char *
qtext(struct ws *w, const char *fmt, ...)
{
	static char out[4][4096];
	static int turn;
	char q[2048], *o = out[turn++ % 4];
	sqlite3_stmt *stmt;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(w->db, q, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(w->db));
	if (sqlite3_step(stmt) != SQLITE_ROW)
		snprintf(o, 4096, "(none)");
	else if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		snprintf(o, 4096, "(null)");
	else
		snprintf(o, 4096, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return o;
}

/* Reminder events of kind on incident id. */
static int64_t
reminders(struct ws *w, int64_t id, const char *kind)
{
	return qint(w, "SELECT count(*) FROM events WHERE incident_id = %lld AND kind = 'reminder'"
		    " AND json_extract(details, '$.reminder') = '%s'", (long long)id, kind);
}

/* A field of the latest reminder event of kind on incident id. */
static const char *
reminder_field(struct ws *w, int64_t id, const char *kind, const char *field)
{
	return qtext(w, "SELECT json_extract(details, '$.%s') FROM events WHERE incident_id = %lld"
		     " AND kind = 'reminder' AND json_extract(details, '$.reminder') = '%s'"
		     " ORDER BY id DESC LIMIT 1", field, (long long)id, kind);
}

static int64_t
events_of(struct ws *w, int64_t id, const char *kind)
{
	return qint(w, "SELECT count(*) FROM events WHERE incident_id = %lld AND kind = '%s'",
		    (long long)id, kind);
}

/* Notices queued on the internal chat channel for incident id (not the
 * mentions of people through it). */
static int64_t
ops_notices(struct ws *w, int64_t id)
{
	return qint(w, "SELECT count(*) FROM outbox WHERE channel = 'ops' AND incident_id = %lld"
		    " AND update_id IS NULL AND contact IS NULL", (long long)id);
}

/* Messages to person's own contacts about incident id outside any page. */
static int64_t
told(struct ws *w, int64_t id, const char *person)
{
	return qint(w, "SELECT count(*) FROM outbox WHERE incident_id = %lld AND page_id IS NULL"
		    " AND contact LIKE '%s/%%'", (long long)id, person);
}

/* "Ltier:person:role=state ..." for every page of incident id, oldest first. */
static const char *
pages(struct ws *w, int64_t id)
{
	return qtext(w, "SELECT coalesce(group_concat(p, ' '), '') FROM (SELECT 'L' || tier || ':'"
		     " || person || ':' || role || '=' || state AS p FROM pages WHERE incident_id ="
		     " %lld ORDER BY id)", (long long)id);
}

/* ---------------------------------------------------------------- cadence */

/*
 * The first internal update is due 10 minutes after opening: a reminder to
 * comms 5 minutes before, one to comms and the commander when it is late,
 * each once however often the scheduler runs and after a restart. An
 * update posted moves the promise, and the reminders with it.
 */
static void
test_cadence(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id, due1 = T0 + 10 * MIN, due2, due3;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	take(&w, id, "alice", "commander", T0);
	take(&w, id, "bob", "comms", T0);
	sc = sched_open(&w);

	assert_int_equal(run(sc, T0), due1 - 5 * MIN);
	assert_int_equal(run(sc, due1 - 5 * MIN - 1), due1 - 5 * MIN);
	assert_int_equal(reminders(&w, id, "update_due"), 0);
	assert_int_equal(ops_notices(&w, id), 0);

	/* five minutes before: to comms */
	assert_int_equal(run(sc, due1 - 5 * MIN), due1);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_string_equal(reminder_field(&w, id, "update_due", "to"), "[\"bob\"]");
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "due_at")), due1 - 5 * MIN);
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "late_ms")), 0);
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "queued")), 1);
	assert_non_null(strstr(reminder_field(&w, id, "update_due", "text"),
			       "sitrep update INC-1 --audience internal"));
	assert_string_equal(qtext(&w, "SELECT actor || ' ' || at FROM events WHERE kind = 'reminder'"),
			    qtext(&w, "SELECT 'sitrepd %lld'", (long long)(due1 - 5 * MIN)));
	assert_int_equal(qint(&w, "SELECT count(*) FROM reminders WHERE key = 'cadence-soon:%lld:"
			      "internal:%lld' AND kind = 'update_due' AND due_at = %lld AND fired_at = %lld",
			      (long long)id, (long long)due1, (long long)(due1 - 5 * MIN),
			      (long long)(due1 - 5 * MIN)), 1);
	assert_int_equal(ops_notices(&w, id), 1);
	assert_string_equal(qtext(&w, "SELECT type || ' ' || state FROM outbox WHERE channel = 'ops'"
				  " AND contact IS NULL"),
			    "slack pending");
	/* and to bob (comms) through his own contact, in the same change */
	assert_int_equal(told(&w, id, "bob"), 1);
	assert_int_equal(told(&w, id, "alice"), 0);
	assert_string_equal(reminder_field(&w, id, "update_due", "told"), "[\"bob\"]");
	assert_non_null(strstr(qtext(&w, "SELECT payload FROM outbox WHERE contact = 'bob/chat'"),
			       "<@UBOB> INC-1 SEV2"));

	/* once, however often it runs */
	run_n(sc, due1 - 5 * MIN, 3);
	assert_int_equal(run(sc, due1 - 1), due1);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(ops_notices(&w, id), 1);

	/* and after a restart */
	sched_close(sc);
	sc = sched_open(&w);
	assert_int_equal(run(sc, due1 - 2 * MIN), due1);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(reminders(&w, id, "update_overdue"), 0);

	/* late: to comms and the commander */
	run(sc, due1);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);
	assert_string_equal(reminder_field(&w, id, "update_overdue", "to"), "[\"bob\",\"alice\"]");
	assert_int_equal(atoll(reminder_field(&w, id, "update_overdue", "due_at")), due1);
	assert_int_equal(ops_notices(&w, id), 2);
	assert_int_equal(told(&w, id, "bob"), 2);
	assert_int_equal(told(&w, id, "alice"), 1);
	run_n(sc, due1 + MIN, 3);
	sched_close(sc);
	sc = sched_open(&w);
	run_n(sc, due1 + 2 * MIN, 2);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);
	assert_int_equal(ops_notices(&w, id), 2);
	assert_int_equal(told(&w, id, "bob"), 2);

	/* an update posted promises the next in 30 minutes: reminders 5
	 * minutes before that, and none for the old promise */
	post(&w, id, "bob", "internal", "We are on it.", T0 + 12 * MIN, 0);
	due2 = T0 + 42 * MIN;
	schedule_changed(sc);
	/* (pages nobody can be told of were last looked for at T0 + 12 min:
	 * they are looked for again SCHEDULE_UNDELIVERABLE_MS later) */
	assert_int_equal(run(sc, T0 + 12 * MIN), T0 + 12 * MIN + SCHEDULE_UNDELIVERABLE_MS);
	assert_int_equal(run(sc, T0 + 12 * MIN + SCHEDULE_UNDELIVERABLE_MS), due2 - 5 * MIN);
	assert_int_equal(run(sc, due2 - 5 * MIN - 1), due2 - 5 * MIN);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(run(sc, due2 - 5 * MIN), due2);
	assert_int_equal(reminders(&w, id, "update_due"), 2);
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "due_at")), due2 - 5 * MIN);

	/* posted in time: no overdue reminder for due2, the next promise's
	 * reminder instead */
	post(&w, id, "bob", "internal", "Still on it.", T0 + 40 * MIN, 0);
	due3 = T0 + 70 * MIN;
	schedule_changed(sc);
	assert_int_equal(run(sc, T0 + 40 * MIN), due3 - 5 * MIN);
	run(sc, due2);
	run(sc, due2 + 10 * MIN);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);
	assert_int_equal(reminders(&w, id, "update_due"), 2);
	run(sc, due3 - 5 * MIN);
	assert_int_equal(reminders(&w, id, "update_due"), 3);

	/* resolved: the cadence ends */
	TESTWS_CHECK(incident_resolve(as(&w, "alice", due3 - 4 * MIN), id, NULL));
	schedule_changed(sc);
	assert_int_equal(run(sc, due3 - 4 * MIN), 0);
	run(sc, due3 + HOUR);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);
	assert_int_equal(reminders(&w, id, "update_due"), 3);
	/* executives have a cadence but no first update due: never reminded */
	assert_int_equal(qint(&w, "SELECT count(*) FROM events WHERE kind = 'reminder' AND"
			      " json_extract(details, '$.text') LIKE '%%executives%%'"), 0);

	sched_close(sc);
	ws_close(&w);
}

/*
 * When the update is due sooner than 10 minutes after the last one (or the
 * opening), its reminder comes halfway there rather than 5 minutes before,
 * which would be at once.
 */
static void
test_cadence_short(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "swarm", 0);
	take(&w, id, "alice", "commander", T0);
	sc = sched_open(&w);
	assert_int_equal(run(sc, T0), T0 + 2 * MIN);
	run(sc, T0 + 2 * MIN - 1);
	assert_int_equal(reminders(&w, id, "update_due"), 0);
	assert_int_equal(run(sc, T0 + 2 * MIN), T0 + 4 * MIN);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "due_at")), T0 + 2 * MIN);
	run(sc, T0 + 4 * MIN);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);
	/* an update at 5m promises the next at 7m (SEV1: 2m): reminded at 6m */
	post(&w, id, "alice", "internal", "Working on it.", T0 + 5 * MIN, 0);
	schedule_changed(sc);
	assert_int_equal(run(sc, T0 + 5 * MIN), T0 + 6 * MIN);
	run(sc, T0 + 6 * MIN - 1);
	assert_int_equal(reminders(&w, id, "update_due"), 1);
	assert_int_equal(run(sc, T0 + 6 * MIN), T0 + 7 * MIN);
	assert_int_equal(reminders(&w, id, "update_due"), 2);
	run(sc, T0 + 7 * MIN);
	assert_int_equal(reminders(&w, id, "update_overdue"), 2);
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- apology, steps, handover */

static void
test_apology(void **state)
{
	struct schedule *sc;
	struct comms_post req;
	struct comms_posted out;
	struct ws w;
	int64_t owed, sent, minor, upd, queued;

	(void)state;
	ws_open(&w, conf_text);
	owed = open_incident(&w, T0, "drill", 0);
	sent = open_incident(&w, T0, "drill", 0);
	minor = open_incident(&w, T0, "drill", 3);
	for (int64_t id = owed; id <= minor; id++) {
		take(&w, id, "alice", "commander", T0);
		take(&w, id, "bob", "comms", T0);
	}
	/* INC-2's apology goes out after approval, within the hour */
	memset(&req, 0, sizeof(req));
	req.incident = sent;
	req.apology = true;
	req.audience = "customers";
	TESTWS_CHECK(comms_post(&out, as(&w, "bob", T0 + 20 * MIN), &req));
	assert_string_equal(out.state, "draft");
	upd = out.update_id;
	comms_posted_release(&out);
	TESTWS_CHECK(comms_approve(as(&w, "alice", T0 + 25 * MIN), upd));
	TESTWS_CHECK(comms_publish(&queued, as(&w, "bob", T0 + 30 * MIN), upd));

	sc = sched_open(&w);
	run(sc, T0 + 30 * MIN);
	run(sc, T0 + HOUR - 1);
	assert_int_equal(reminders(&w, owed, "apology_owed"), 0);
	run_n(sc, T0 + HOUR, 3);
	assert_int_equal(reminders(&w, owed, "apology_owed"), 1);
	assert_string_equal(reminder_field(&w, owed, "apology_owed", "to"), "[\"bob\",\"alice\"]");
	assert_int_equal(atoll(reminder_field(&w, owed, "apology_owed", "due_at")), T0 + HOUR);
	assert_non_null(strstr(reminder_field(&w, owed, "apology_owed", "text"),
			       "sitrep apologize INC-1 --audience customers"));
	assert_int_equal(reminders(&w, sent, "apology_owed"), 0);
	assert_int_equal(reminders(&w, minor, "apology_owed"), 0);

	/* still owed once resolved, and still once */
	TESTWS_CHECK(incident_resolve(as(&w, "alice", T0 + 2 * HOUR), owed, NULL));
	sched_close(sc);
	sc = sched_open(&w);
	run_n(sc, T0 + 2 * HOUR, 2);
	assert_int_equal(reminders(&w, owed, "apology_owed"), 1);

	/* an incident resolved before the apology was due is still owed it */
	{
		int64_t late = open_incident(&w, T0 + 3 * HOUR, "drill", 0);

		take(&w, late, "alice", "commander", T0 + 3 * HOUR);
		TESTWS_CHECK(incident_resolve(as(&w, "alice", T0 + 3 * HOUR + 10 * MIN), late,
					      NULL));
		schedule_changed(sc);
		run(sc, T0 + 3 * HOUR + 10 * MIN);
		run(sc, T0 + 4 * HOUR - 1);
		assert_int_equal(reminders(&w, late, "apology_owed"), 0);
		run(sc, T0 + 4 * HOUR);
		assert_int_equal(reminders(&w, late, "apology_owed"), 1);
	}
	sched_close(sc);
	ws_close(&w);
}

static void
test_steps(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "drill", 0);
	take(&w, id, "alice", "commander", T0);
	take(&w, id, "bob", "comms", T0);
	sc = sched_open(&w);
	run(sc, T0);
	/* declare is done in time; scope (ops, unheld) is not */
	TESTWS_CHECK(steps_mark(as(&w, "alice", T0 + 10 * MIN), id, "declare", "done", NULL));
	schedule_changed(sc);
	run(sc, T0 + 10 * MIN);
	run(sc, T0 + 15 * MIN);
	run(sc, T0 + 20 * MIN - 1);
	assert_int_equal(reminders(&w, id, "step_overdue"), 0);
	run_n(sc, T0 + 20 * MIN, 3);
	assert_int_equal(reminders(&w, id, "step_overdue"), 1);
	assert_string_equal(reminder_field(&w, id, "step_overdue", "to"), "[]");
	assert_int_equal(atoll(reminder_field(&w, id, "step_overdue", "due_at")), T0 + 20 * MIN);
	assert_non_null(strstr(reminder_field(&w, id, "step_overdue", "text"), "(no ops yet)"));
	assert_non_null(strstr(reminder_field(&w, id, "step_overdue", "text"),
			       "sitrep step INC-1 done scope"));
	/* the SEV1-only step does not apply at SEV2; done ones never fire */
	sched_close(sc);
	sc = sched_open(&w);
	run(sc, T0 + HOUR);
	assert_int_equal(reminders(&w, id, "step_overdue"), 1);
	assert_int_equal(qint(&w, "SELECT count(*) FROM reminders WHERE kind = 'step_overdue'"), 1);
	assert_int_equal(qint(&w, "SELECT count(*) FROM reminders WHERE key = 'step:%lld:scope'",
			      (long long)id), 1);
	sched_close(sc);
	ws_close(&w);
}

static void
test_handover(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "drill", 0);
	take(&w, id, "alice", "commander", T0 + MIN);
	take(&w, id, "bob", "comms", T0 + MIN);
	sc = sched_open(&w);
	run(sc, T0 + MIN);
	run(sc, T0 + MIN + 2 * HOUR - 1);
	assert_int_equal(reminders(&w, id, "handover"), 0);
	run_n(sc, T0 + MIN + 2 * HOUR, 2);
	assert_int_equal(reminders(&w, id, "handover"), 1);
	assert_string_equal(reminder_field(&w, id, "handover", "to"), "[\"alice\"]");
	assert_int_equal(atoll(reminder_field(&w, id, "handover", "due_at")), T0 + MIN + 2 * HOUR);
	/* handed over: the new commander's own two hours */
	TESTWS_CHECK(roles_handoff(as(&w, "alice", T0 + 3 * HOUR), id, "commander", "carol",
			    "shift change"));
	schedule_changed(sc);
	run(sc, T0 + 3 * HOUR);
	run(sc, T0 + 5 * HOUR - 1);
	assert_int_equal(reminders(&w, id, "handover"), 1);
	sched_close(sc);
	sc = sched_open(&w);
	run_n(sc, T0 + 5 * HOUR, 2);
	assert_int_equal(reminders(&w, id, "handover"), 2);
	assert_string_equal(reminder_field(&w, id, "handover", "to"), "[\"carol\"]");
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- escalation */

/*
 * A page nobody acknowledges moves up one tier each ack_timeout (L1 alice,
 * L2 bob, L3 carol) and stops at the last; an acknowledged one stays; a
 * swarm playbook paged every tier at once and escalates nothing.
 */
static void
test_escalation(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id, acked, swarm, next;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	acked = open_incident(&w, T0, "basic", 0);
	swarm = open_incident(&w, T0, "swarm", 0);
	for (int64_t i = id; i <= acked; i++) {
		take(&w, i, "alice", "commander", T0);
		take(&w, i, "bob", "comms", T0);
	}
	TESTWS_CHECK(escalate_page(as(&w, "alice", T0 + MIN), id, "ops", -1));
	TESTWS_CHECK(escalate_page(as(&w, "alice", T0 + MIN), acked, "ops", -1));
	TESTWS_CHECK(escalate_page(as(&w, "alice", T0 + MIN), swarm, "ops", -1));
	assert_string_equal(pages(&w, id), "L1:alice:ops=open");
	assert_string_equal(pages(&w, swarm), "L1:alice:ops=open L2:bob:ops=open L3:carol:ops=open");
	TESTWS_CHECK(escalate_ack(as(&w, "alice", T0 + 3 * MIN), acked));

	sc = sched_open(&w);
	next = run(sc, T0 + 3 * MIN);
	assert_true(next > T0 + 3 * MIN && next <= T0 + 6 * MIN);
	run(sc, T0 + 6 * MIN - 1);
	assert_int_equal(events_of(&w, id, "escalated"), 0);
	assert_string_equal(pages(&w, id), "L1:alice:ops=open");

	run(sc, T0 + 6 * MIN);
	assert_int_equal(events_of(&w, id, "escalated"), 1);
	assert_string_equal(pages(&w, id), "L1:alice:ops=escalated L2:bob:ops=open");
	assert_string_equal(qtext(&w, "SELECT actor || ' ' || json_extract(details, '$.from') || ' '"
				  " || json_extract(details, '$.people') FROM events WHERE kind = 'escalated'"),
			    "sitrepd L1 [{\"person\":\"bob\",\"tier\":\"L2\"}]");
	assert_non_null(strstr(qtext(&w, "SELECT json_extract(details, '$.reason') FROM events"
				     " WHERE kind = 'escalated'"),
			       "alice (L1) did not acknowledge the page for ops within the playbook's "
			       "ack timeout"));
	assert_int_equal(qint(&w, "SELECT timeout_at FROM pages WHERE incident_id = %lld AND tier = 2",
			      (long long)id), T0 + 11 * MIN);
	assert_int_equal(schedule_lag(sc), 0);

	/* the new page's timeout is due next (a look right after, at most) */
	next = run(sc, T0 + 6 * MIN);
	if (next <= T0 + 6 * MIN + 1)
		next = run(sc, next);
	assert_true(next <= T0 + 11 * MIN);
	run_n(sc, T0 + 11 * MIN - 1, 2);
	assert_int_equal(events_of(&w, id, "escalated"), 1);
	run(sc, T0 + 11 * MIN);
	assert_string_equal(pages(&w, id), "L1:alice:ops=escalated L2:bob:ops=escalated "
			    "L3:carol:ops=open");
	/* the last tier: nowhere to go, tried once, the page stays open */
	run_n(sc, T0 + 16 * MIN, 3);
	sched_close(sc);
	sc = sched_open(&w);
	run_n(sc, T0 + 30 * MIN, 2);
	assert_int_equal(events_of(&w, id, "escalated"), 2);
	assert_string_equal(pages(&w, id), "L1:alice:ops=escalated L2:bob:ops=escalated "
			    "L3:carol:ops=open");
	/* nobody acknowledged at the last tier: the commander is told, once
	 * (issue 13: an event and a notice, no longer a retry recorded) */
	assert_int_equal(events_of(&w, id, "page_exhausted"), 1);
	assert_int_equal(qint(&w, "SELECT count(*) FROM pages WHERE incident_id = %lld"
			      " AND exhausted_at = %lld", (long long)id, (long long)(T0 + 16 * MIN)), 1);
	assert_string_equal(qtext(&w, "SELECT json_extract(details, '$.told') FROM events"
				  " WHERE kind = 'page_exhausted' AND incident_id = %lld",
				  (long long)id), "alice");

	/* acknowledged in time: never escalated */
	assert_int_equal(events_of(&w, acked, "escalated"), 0);
	assert_string_equal(pages(&w, acked), "L1:alice:ops=acked");
	/* swarm: nothing to escalate; nobody answered, and that is told once */
	assert_int_equal(events_of(&w, swarm, "escalated"), 0);
	assert_int_equal(events_of(&w, swarm, "page_exhausted"), 1);
	assert_string_equal(pages(&w, swarm), "L1:alice:ops=open L2:bob:ops=open L3:carol:ops=open");
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- unfilled roles */

static void
test_unfilled_roles(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id, next;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	take(&w, id, "bob", "comms", T0 + MIN);
	sc = sched_open(&w);
	next = run(sc, T0 + MIN);
	assert_int_equal(next, T0 + 5 * MIN);
	run(sc, T0 + 5 * MIN - 1);
	assert_string_equal(pages(&w, id), "");
	run_n(sc, T0 + 5 * MIN, 3);
	/* commander is required and unfilled; comms is held; ops is optional */
	assert_string_equal(pages(&w, id), "L1:alice:commander=open");
	assert_int_equal(events_of(&w, id, "paged"), 1);
	assert_string_equal(qtext(&w, "SELECT actor || ' ' || json_extract(details, '$.role') FROM"
				  " events WHERE kind = 'paged'"), "sitrepd commander");
	assert_int_equal(qint(&w, "SELECT count(*) FROM reminders WHERE key = 'unfilled:%lld:commander'"
			      " AND kind = 'unfilled_role' AND due_at = %lld", (long long)id,
			      (long long)(T0 + 5 * MIN)), 1);
	/* once, across a restart too */
	sched_close(sc);
	sc = sched_open(&w);
	run_n(sc, T0 + 6 * MIN, 2);
	assert_int_equal(events_of(&w, id, "paged"), 1);
	assert_string_equal(pages(&w, id), "L1:alice:commander=open");
	/* taken after the page: not paged again when it is released */
	take(&w, id, "carol", "commander", T0 + 7 * MIN);
	TESTWS_CHECK(roles_release(as(&w, "carol", T0 + 8 * MIN), id, "commander", NULL));
	schedule_changed(sc);
	run(sc, T0 + 8 * MIN);
	assert_int_equal(events_of(&w, id, "paged"), 1);
	sched_close(sc);
	ws_close(&w);
}

/* A required role someone paged by hand, and whose page was acknowledged,
 * is not paged again by sitrepd as unfilled: the acknowledger is on it. */
static void
test_unfilled_role_paged_by_hand(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	take(&w, id, "bob", "comms", T0 + MIN);
	TESTWS_CHECK(escalate_page(as(&w, "bob", T0 + 2 * MIN), id, "commander", -1));
	TESTWS_CHECK(escalate_ack(as(&w, "alice", T0 + 3 * MIN), id));
	sc = sched_open(&w);
	run_n(sc, T0 + 6 * MIN, 3);
	assert_string_equal(pages(&w, id), "L1:alice:commander=acked");
	assert_int_equal(events_of(&w, id, "paged"), 1);
	sched_close(sc);
	ws_close(&w);
}

/*
 * Two required roles unfilled: both are paged at L1 at once, and when
 * neither page is acknowledged each role goes on to L2: the commander's
 * page is not dropped because the comms page escalated first.
 */
static void
test_unfilled_roles_escalate(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	sc = sched_open(&w);
	run(sc, T0);
	run(sc, T0 + 5 * MIN);
	assert_string_equal(pages(&w, id), "L1:alice:commander=open L1:alice:comms=open");
	for (int i = 0; i < 4; i++)
		run(sc, T0 + 10 * MIN + i);
	if (qint(&w, "SELECT count(*) FROM pages WHERE incident_id = %lld AND tier = 2"
		 " AND state = 'open' AND role = 'commander'", (long long)id) != 1)
		fail_msg("the unacknowledged commander page was not escalated to L2; pages: %s",
			 pages(&w, id));
	assert_string_equal(pages(&w, id), "L1:alice:commander=escalated L1:alice:comms=escalated "
			    "L2:bob:commander=open L2:bob:comms=open");
	assert_int_equal(events_of(&w, id, "escalated"), 2);
	assert_string_equal(qtext(&w, "SELECT group_concat(json_extract(details, '$.role'), ' ') FROM"
				  " (SELECT details FROM events WHERE kind = 'escalated' ORDER BY id)"),
			    "commander comms");
	/* bob acknowledges both of his pages: nothing goes on to L3 */
	TESTWS_CHECK(escalate_ack(as(&w, "bob", T0 + 12 * MIN), id));
	schedule_changed(sc);
	run(sc, T0 + 12 * MIN);
	run(sc, T0 + 15 * MIN);
	run(sc, T0 + 15 * MIN + 1);
	assert_string_equal(pages(&w, id), "L1:alice:commander=escalated L1:alice:comms=escalated "
			    "L2:bob:commander=acked L2:bob:comms=acked");
	assert_int_equal(events_of(&w, id, "escalated"), 2);
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- scheduled updates */

static void
test_scheduled_updates(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id, internal, customer, next;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "drill", 0);
	take(&w, id, "alice", "commander", T0);
	take(&w, id, "bob", "comms", T0);
	sc = sched_open(&w);
	run(sc, T0);
	run(sc, T0 + 5 * MIN);

	/* an internal update for 8 minutes after opening: no approval needed */
	internal = post(&w, id, "bob", "internal", "Scheduled note.", T0 + 6 * MIN, T0 + 8 * MIN);
	assert_string_equal(qtext(&w, "SELECT state FROM updates WHERE id = %lld", (long long)internal),
			    "draft");
	schedule_changed(sc);
	next = run(sc, T0 + 6 * MIN);
	assert_true(next > T0 + 6 * MIN && next <= T0 + 8 * MIN);
	run(sc, T0 + 8 * MIN - 1);
	assert_string_equal(qtext(&w, "SELECT state FROM updates WHERE id = %lld", (long long)internal),
			    "draft");
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox WHERE update_id = %lld",
			      (long long)internal), 0);
	run(sc, T0 + 8 * MIN);
	assert_string_equal(qtext(&w, "SELECT state || ' ' || published_at FROM updates WHERE id = %lld",
				  (long long)internal),
			    qtext(&w, "SELECT 'published %lld'", (long long)(T0 + 8 * MIN)));
	assert_int_equal(schedule_lag(sc), 0);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox WHERE update_id = %lld AND channel = 'ops'",
			      (long long)internal), 1);
	assert_int_equal(events_of(&w, id, "update_published"), 1);
	/* published once */
	run_n(sc, T0 + 9 * MIN, 2);
	sched_close(sc);
	sc = sched_open(&w);
	run(sc, T0 + 9 * MIN);
	assert_int_equal(events_of(&w, id, "update_published"), 1);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox WHERE update_id = %lld",
			      (long long)internal), 1);

	/* a customer update at SEV2 needs approval: its time comes, it waits;
	 * approved later, it goes out then */
	customer = post(&w, id, "bob", "customers", "We are investigating.", T0 + 10 * MIN,
			T0 + 20 * MIN);
	schedule_changed(sc);
	run(sc, T0 + 10 * MIN);
	run_n(sc, T0 + 20 * MIN, 2);
	run(sc, T0 + 24 * MIN);
	assert_string_equal(qtext(&w, "SELECT state FROM updates WHERE id = %lld", (long long)customer),
			    "draft");
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox WHERE update_id = %lld",
			      (long long)customer), 0);
	TESTWS_CHECK(comms_approve(as(&w, "alice", T0 + 25 * MIN), customer));
	schedule_changed(sc);
	run(sc, T0 + 25 * MIN);
	assert_string_equal(qtext(&w, "SELECT state || ' ' || approver || ' ' || published_at FROM"
				  " updates WHERE id = %lld", (long long)customer),
			    qtext(&w, "SELECT 'published alice %lld'", (long long)(T0 + 25 * MIN)));
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox WHERE update_id = %lld AND"
			      " channel = 'status-hook'", (long long)customer), 1);
	assert_int_equal(schedule_lag(sc), 5 * MIN);
	sched_close(sc);
	ws_close(&w);
}

/*
 * A scheduled update the scheduler publishes makes a promise like any
 * other: the next update is due 30 minutes later, and its reminders fire,
 * though nothing else touched the incident (sitrepd calls schedule_changed
 * only when another process wrote to the store, and its own publishing
 * does not count as that).
 */
static void
test_scheduled_update_promise(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id, upd, next, promise = T0 + 45 * MIN;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	take(&w, id, "alice", "commander", T0);
	take(&w, id, "bob", "comms", T0);
	sc = sched_open(&w);
	run(sc, T0);
	run(sc, T0 + 5 * MIN);
	run(sc, T0 + 10 * MIN);
	assert_int_equal(reminders(&w, id, "update_overdue"), 1);

	/* written by sitrep: the daemon is told the store changed */
	upd = post(&w, id, "bob", "internal", "Scheduled.", T0 + 11 * MIN, T0 + 15 * MIN);
	schedule_changed(sc);
	assert_int_equal(run(sc, T0 + 11 * MIN), T0 + 15 * MIN);
	/* published by the scheduler itself: nobody calls schedule_changed */
	next = run(sc, T0 + 15 * MIN);
	assert_string_equal(qtext(&w, "SELECT state || ' ' || next_update_at FROM updates WHERE id = %lld",
				  (long long)upd),
			    qtext(&w, "SELECT 'published %lld'", (long long)promise));
	if (next == 0 || next > promise - 5 * MIN)
		fail_msg("after publishing UPD-%lld (next update promised by T0+45m) the scheduler's "
			 "next due time is %s%lld ms, not T0+40m", (long long)upd,
			 next ? "T0+" : "", (long long)(next ? next - T0 : 0));
	run(sc, promise - 5 * MIN);
	run(sc, promise);
	assert_int_equal(reminders(&w, id, "update_due"), 2);
	assert_int_equal(reminders(&w, id, "update_overdue"), 2);
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- maintenances */

static int64_t
add_maintenance(struct ws *w, int64_t starts, int64_t ends)
{
	char *comps[] = { "api" };
	struct store_maintenance m;
	int64_t mid;

	memset(&m, 0, sizeof(m));
	m.title = "Database upgrade";
	m.body = "Expect brief errors.";
	m.starts_at = starts;
	m.ends_at = ends;
	m.created_by = "alice";
	m.created_at = T0;
	m.components = comps;
	m.ncomponents = 1;
	clock_set_fake(T0);
	TESTWS_CHECK(store_begin(w->t.store));
	TESTWS_CHECK(store_maintenance_insert(&mid, w->t.store, &m));
	TESTWS_CHECK(store_commit(w->t.store));
	return mid;
}

static const char *
maint(struct ws *w, int64_t mid)
{
	return qtext(w, "SELECT state || ' ' || coalesce(started_at - %lld, '-') || ' ' ||"
		     " coalesce(completed_at - %lld, '-') FROM maintenances WHERE id = %lld",
		     (long long)T0, (long long)T0, (long long)mid);
}

static int64_t
notices(struct ws *w, const char *event)
{
	return qint(w, "SELECT count(*) FROM outbox WHERE channel = 'status-hook' AND"
		    " json_extract(payload, '$.type') = '%s'", event);
}

static void
test_maintenance(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t mid, past;
	char want[64];

	(void)state;
	ws_open(&w, conf_text);
	mid = add_maintenance(&w, T0 + 10 * MIN, T0 + 70 * MIN);
	sc = sched_open(&w);
	assert_int_equal(run(sc, T0), T0 + 10 * MIN);
	assert_int_equal(run(sc, T0 + 10 * MIN - 1), T0 + 10 * MIN);
	assert_string_equal(maint(&w, mid), "scheduled - -");
	assert_int_equal(notices(&w, "maintenance.started"), 0);

	assert_int_equal(run(sc, T0 + 10 * MIN), T0 + 70 * MIN);
	snprintf(want, sizeof(want), "in_progress %lld -", 10 * MIN);
	assert_string_equal(maint(&w, mid), want);
	assert_int_equal(notices(&w, "maintenance.started"), 1);
	assert_non_null(strstr(qtext(&w, "SELECT payload FROM outbox WHERE channel = 'status-hook'"),
			       "Database upgrade"));
	run_n(sc, T0 + 30 * MIN, 2);
	sched_close(sc);
	sc = sched_open(&w);
	assert_int_equal(run(sc, T0 + 70 * MIN - 1), T0 + 70 * MIN);
	assert_int_equal(notices(&w, "maintenance.started"), 1);
	assert_int_equal(notices(&w, "maintenance.completed"), 0);

	assert_int_equal(run(sc, T0 + 70 * MIN), 0);
	snprintf(want, sizeof(want), "completed %lld %lld", 10 * MIN, 70 * MIN);
	assert_string_equal(maint(&w, mid), want);
	assert_int_equal(notices(&w, "maintenance.completed"), 1);
	run_n(sc, T0 + 80 * MIN, 2);
	assert_int_equal(notices(&w, "maintenance.started"), 1);
	assert_int_equal(notices(&w, "maintenance.completed"), 1);

	/* one the daemon slept through: started and completed in one run,
	 * late by how long ago it ended */
	past = add_maintenance(&w, T0 + 90 * MIN, T0 + 100 * MIN);
	schedule_changed(sc);
	assert_int_equal(run(sc, T0 + 2 * HOUR), 0);
	snprintf(want, sizeof(want), "completed %lld %lld", 2 * HOUR, 2 * HOUR);
	assert_string_equal(maint(&w, past), want);
	assert_int_equal(notices(&w, "maintenance.started"), 2);
	assert_int_equal(notices(&w, "maintenance.completed"), 2);
	assert_int_equal(schedule_lag(sc), 20 * MIN);
	sched_close(sc);
	ws_close(&w);

	/* no customer channel: the states move, nothing is queued */
	ws_open(&w, conf_internal_only);
	mid = add_maintenance(&w, T0 + 10 * MIN, T0 + 70 * MIN);
	sc = sched_open(&w);
	run(sc, T0 + 10 * MIN);
	run(sc, T0 + 70 * MIN);
	snprintf(want, sizeof(want), "completed %lld %lld", 10 * MIN, 70 * MIN);
	assert_string_equal(maint(&w, mid), want);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox"), 0);
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- lag */

static void
test_lag(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t id;

	(void)state;
	ws_open(&w, conf_text);
	id = open_incident(&w, T0, "basic", 0);
	take(&w, id, "alice", "commander", T0);
	take(&w, id, "bob", "comms", T0);
	sc = sched_open(&w);
	run(sc, T0);
	assert_int_equal(schedule_lag(sc), 0);
	run(sc, T0 + 5 * MIN + 1234);
	assert_int_equal(schedule_lag(sc), 1234);
	assert_int_equal(atoll(reminder_field(&w, id, "update_due", "late_ms")), 1234);
	/* a run with nothing to do leaves it */
	run(sc, T0 + 6 * MIN);
	assert_int_equal(schedule_lag(sc), 1234);
	run(sc, T0 + 10 * MIN + 7);
	assert_int_equal(schedule_lag(sc), 7);
	assert_int_equal(atoll(reminder_field(&w, id, "update_overdue", "late_ms")), 7);
	sched_close(sc);
	ws_close(&w);
}

/* ---------------------------------------------------------------- changes */

/*
 * An incident opened while the scheduler was asleep is looked at after
 * schedule_changed; and one whose change was stamped a moment before the
 * scheduler's last look but committed after it (sitrep takes the time,
 * then waits for the write lock and commits while sitrepd runs) is not
 * missed either.
 */
static void
test_changes_noticed(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t a, b;

	(void)state;
	ws_open(&w, conf_text);
	sc = sched_open(&w);
	assert_int_equal(run(sc, T0), 0);

	a = open_incident(&w, T0 + MIN, "basic", 0);
	take(&w, a, "alice", "commander", T0 + MIN);
	take(&w, a, "bob", "comms", T0 + MIN);
	schedule_changed(sc);
	assert_int_equal(run(sc, T0 + MIN), T0 + 6 * MIN);
	run(sc, T0 + 6 * MIN);
	assert_int_equal(reminders(&w, a, "update_due"), 1);

	/* the scheduler looks at T0 + 7m + 5 ms; a sitrep command stamped
	 * its change T0 + 7m and commits it just after that look */
	run(sc, T0 + 7 * MIN + 5);
	b = open_incident(&w, T0 + 7 * MIN, "basic", 0);
	schedule_changed(sc);
	run(sc, T0 + 7 * MIN + 20);
	run(sc, T0 + 12 * MIN);
	if (reminders(&w, b, "update_due") != 1)
		fail_msg("INC-%lld, committed just after the scheduler's look with an earlier "
			 "updated_at, was never looked at: no update_due reminder at its due "
			 "time (T0+12m)", (long long)b);
	sched_close(sc);
	ws_close(&w);
}

static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(live_sc) / sizeof(live_sc[0]); i++) {
		schedule_free(live_sc[i]);
		live_sc[i] = NULL;
	}
	if (live_ws_open)
		ws_close(&live_ws);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	/* no git identity of the caller's in the seeded repositories */
	unsetenv("XDG_CONFIG_HOME");
	repo_global_init();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	repo_global_shutdown();
	return 0;
}

/* ---------------------------------------------------------------- handoffs */

/* alice until 09:00 on the 15th (T0 + 1h), then bob for a day, and so on. */
static const char ops_schedule[] =
	"time_zone = \"UTC\";\n"
	"rotation = { people = [ \"alice\", \"bob\" ]; length = \"1d\"; start = \"2027-01-14 09:00\"; };\n";

/* Handoff notices queued to person's contact, outside any incident. */
static int64_t
handoff_notices(struct ws *w, const char *person)
{
	return qint(w, "SELECT count(*) FROM outbox WHERE incident_id IS NULL AND page_id IS NULL"
		    " AND contact = '%s/chat'", person);
}

/*
 * Each handoff is announced to the person taking over and the one handing
 * over, once, across restarts; the scheduler wakes for it; a daemon that
 * was down announces a handoff of the last hour when it starts, not older
 * ones; an override is a handoff too.
 */
static void
test_handoff_notices(void **state)
{
	struct schedule *sc;
	struct ws w;
	int64_t oid, h1 = T0 + HOUR;

	(void)state;
	ws_open_with(&w, conf_text, ops_schedule);
	sc = sched_open(&w);
	/* the last handoff, 23 hours ago, is old news */
	assert_int_equal(run(sc, T0), T0 + SCHEDULE_ROTA_REREAD_MS);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox"), 0);
	/* the scheduler wakes for the next handoff */
	assert_int_equal(run(sc, h1 - MIN), h1);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox"), 0);

	run(sc, h1);
	assert_int_equal(handoff_notices(&w, "bob"), 1);
	assert_int_equal(handoff_notices(&w, "alice"), 1);
	assert_non_null(strstr(qtext(&w, "SELECT payload FROM outbox WHERE contact = 'bob/chat'"),
			       "<@UBOB> you are on call for ops from"));
	assert_non_null(strstr(qtext(&w, "SELECT payload FROM outbox WHERE contact = 'alice/chat'"),
			       "your on-call turn for ops ends at"));
	assert_non_null(strstr(qtext(&w, "SELECT payload FROM outbox WHERE contact = 'alice/chat'"),
			       "bob takes over"));
	assert_int_equal(qint(&w, "SELECT count(*) FROM reminders WHERE key = 'handoff:ops:%lld'"
			      " AND kind = 'handoff' AND incident_id IS NULL", (long long)h1), 1);

	/* once, however often it runs, and after a restart */
	run_n(sc, h1 + MIN, 3);
	sched_close(sc);
	sc = sched_open(&w);
	run(sc, h1 + 2 * MIN);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox"), 2);
	sched_close(sc);

	/* down over the next handoff (bob -> alice at h1 + 1d): announced
	 * when it starts half an hour later */
	sc = sched_open(&w);
	run(sc, h1 + 24 * HOUR + 30 * MIN);
	assert_int_equal(handoff_notices(&w, "alice"), 2);
	assert_int_equal(handoff_notices(&w, "bob"), 2);
	sched_close(sc);
	/* down two hours past the one after (alice -> bob): not announced */
	sc = sched_open(&w);
	run(sc, h1 + 48 * HOUR + 2 * HOUR);
	assert_int_equal(qint(&w, "SELECT count(*) FROM outbox"), 4);

	/* an override: carol from 10 minutes on for an hour, bob hands over */
	clock_set_fake(h1 + 50 * HOUR);
	TESTWS_CHECK(rota_override(&oid, as(&w, "alice", h1 + 50 * HOUR), "ops", "carol",
				   h1 + 50 * HOUR + 10 * MIN, h1 + 51 * HOUR + 10 * MIN, "swap"));
	schedule_changed(sc);
	run(sc, h1 + 50 * HOUR);
	assert_int_equal(handoff_notices(&w, "carol"), 0);
	/* it wakes the scheduler when it starts */
	assert_int_equal(run(sc, h1 + 50 * HOUR + 9 * MIN + 30 * SEC), h1 + 50 * HOUR + 10 * MIN);
	run(sc, h1 + 50 * HOUR + 10 * MIN);
	assert_int_equal(handoff_notices(&w, "carol"), 1);
	assert_int_equal(handoff_notices(&w, "bob"), 3);
	sched_close(sc);
	ws_close(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cadence, teardown),
		cmocka_unit_test_teardown(test_cadence_short, teardown),
		cmocka_unit_test_teardown(test_apology, teardown),
		cmocka_unit_test_teardown(test_steps, teardown),
		cmocka_unit_test_teardown(test_handover, teardown),
		cmocka_unit_test_teardown(test_escalation, teardown),
		cmocka_unit_test_teardown(test_unfilled_roles, teardown),
		cmocka_unit_test_teardown(test_unfilled_role_paged_by_hand, teardown),
		cmocka_unit_test_teardown(test_unfilled_roles_escalate, teardown),
		cmocka_unit_test_teardown(test_scheduled_updates, teardown),
		cmocka_unit_test_teardown(test_scheduled_update_promise, teardown),
		cmocka_unit_test_teardown(test_maintenance, teardown),
		cmocka_unit_test_teardown(test_lag, teardown),
		cmocka_unit_test_teardown(test_changes_noticed, teardown),
		cmocka_unit_test_teardown(test_handoff_notices, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
