/* test_statuspage.c: the public documents rendered from hand-made
 * snapshots: the Statuspage v2 JSON read back with json_parse (field sets,
 * value sets, groups, orders), the HTML page, and the Atom and RSS feeds
 * read back by an independent XML parser (Python's xml.etree); hostile
 * text escaped in every one of them. No store is involved. */
#include "testutil.h"

#include <stdbool.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/escape.h"
#include "sitrep/feed.h"
#include "sitrep/json.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"

#define PYTHON "/usr/bin/python3"

#define T0	1700000000000LL		/* 2023-11-14T22:13:20Z */
#define MIN	(60 * 1000LL)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

/* ---- snapshots by hand (freed here, not by snapshot_free, so the test
 * does not depend on how snapshot.c allocates) ---- */

static char *
sdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static struct snapshot *
sn_new(const char *page_name)
{
	struct snapshot *sn = calloc(1, sizeof(*sn));

	sn->page_id = sdup("acme");
	sn->page_name = sdup(page_name);
	sn->page_url = sdup("https://status.example.com/");
	sn->time_zone = sdup("Etc/UTC");
	sn->built_at = T0 + 10 * DAY;
	sn->updated_at = T0 + 9 * DAY + 30 * MIN;
	return sn;
}

static void
sn_component(struct snapshot *sn, const char *id, const char *name, const char *group,
	     const char *status, int64_t updated_at)
{
	struct snapshot_component *c;

	sn->components = realloc(sn->components, (sn->ncomponents + 1) * sizeof(*c));
	c = &sn->components[sn->ncomponents++];
	memset(c, 0, sizeof(*c));
	c->id = sdup(id);
	c->name = sdup(name);
	c->group = sdup(group);
	c->position = (int)sn->ncomponents;
	snprintf(c->status, sizeof(c->status), "%s", status);
	c->updated_at = updated_at;
}

static struct snapshot_incident *
sn_incident(struct snapshot *sn, int64_t id, const char *name, const char *status,
	    const char *impact, int64_t created, int64_t updated, int64_t resolved)
{
	struct snapshot_incident *inc;

	sn->incidents = realloc(sn->incidents, (sn->nincidents + 1) * sizeof(*inc));
	inc = &sn->incidents[sn->nincidents++];
	memset(inc, 0, sizeof(*inc));
	inc->id = id;
	inc->name = sdup(name);
	snprintf(inc->status, sizeof(inc->status), "%s", status);
	snprintf(inc->impact, sizeof(inc->impact), "%s", impact);
	inc->created_at = created;
	inc->updated_at = updated;
	inc->resolved_at = resolved;
	return inc;
}

static void
inc_component(struct snapshot_incident *inc, const char *id, const char *status)
{
	inc->components = realloc(inc->components, (inc->ncomponents + 1) * sizeof(char *));
	inc->component_status = realloc(inc->component_status,
					(inc->ncomponents + 1) * sizeof(*inc->component_status));
	inc->components[inc->ncomponents] = sdup(id);
	snprintf(inc->component_status[inc->ncomponents], 24, "%s", status);
	inc->ncomponents++;
}

/* Callers add updates newest first, as the snapshot holds them. */
static void
inc_update(struct snapshot_incident *inc, int64_t id, const char *status, const char *body,
	   int64_t at)
{
	struct snapshot_update *u;

	inc->updates = realloc(inc->updates, (inc->nupdates + 1) * sizeof(*u));
	u = &inc->updates[inc->nupdates++];
	memset(u, 0, sizeof(*u));
	u->id = id;
	snprintf(u->status, sizeof(u->status), "%s", status);
	u->body = sdup(body);
	u->published_at = at;
}

static struct snapshot_maintenance *
sn_maint(struct snapshot *sn, int64_t id, const char *name, const char *body,
	 const char *status, int64_t from, int64_t until)
{
	struct snapshot_maintenance *m;

	sn->maintenances = realloc(sn->maintenances, (sn->nmaintenances + 1) * sizeof(*m));
	m = &sn->maintenances[sn->nmaintenances++];
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->name = sdup(name);
	m->body = sdup(body);
	snprintf(m->status, sizeof(m->status), "%s", status);
	m->scheduled_for = from;
	m->scheduled_until = until;
	m->created_at = from - 3 * DAY;
	m->updated_at = m->created_at;
	if (strcmp(status, "scheduled") != 0)
		m->started_at = m->updated_at = from;
	if (strcmp(status, "completed") == 0)
		m->completed_at = m->updated_at = until;
	return m;
}

static void
maint_component(struct snapshot_maintenance *m, const char *id)
{
	m->components = realloc(m->components, (m->ncomponents + 1) * sizeof(char *));
	m->components[m->ncomponents++] = sdup(id);
}

/*
 * The example: a grouped and an ungrouped component, an open incident with
 * two updates, a resolved one, and a maintenance of each state. Snapshot
 * order: unresolved incidents first, maintenances by start time.
 */
static struct snapshot *
example(void)
{
	struct snapshot *sn = sn_new("Acme Status");
	struct snapshot_incident *inc;
	struct snapshot_maintenance *m;

	sn_component(sn, "api", "Public API", "Platform", "major_outage", T0 + 9 * DAY);
	sn_component(sn, "web", "Website", NULL, "degraded_performance", T0 + 9 * DAY);
	sn_component(sn, "db", "Database", "Platform", "operational", T0);
	sn_component(sn, "cdn", "CDN", "Edge", "under_maintenance", T0 + 10 * DAY - HOUR);

	inc = sn_incident(sn, 7, "API down", "identified", "major", T0 + 9 * DAY,
			  T0 + 9 * DAY + 30 * MIN, 0);
	inc_component(inc, "api", "major_outage");
	inc_component(inc, "web", "degraded_performance");
	inc_update(inc, 12, "identified", "We found the cause: a bad deploy.",
		   T0 + 9 * DAY + 30 * MIN);
	inc_update(inc, 11, "investigating", "We are looking into errors on the API.",
		   T0 + 9 * DAY + 5 * MIN);

	inc = sn_incident(sn, 3, "Slow logins", "resolved", "minor", T0 + DAY,
			  T0 + DAY + 2 * HOUR, T0 + DAY + 2 * HOUR);
	inc_component(inc, "web", "operational");
	inc_update(inc, 5, "resolved", "Logins are fast again.", T0 + DAY + 2 * HOUR);
	inc_update(inc, 4, "investigating", "Logins are slow.", T0 + DAY);

	m = sn_maint(sn, 4, "Old upgrade", "Done long ago.", "completed", T0 + 2 * DAY,
		     T0 + 2 * DAY + HOUR);
	maint_component(m, "db");
	m = sn_maint(sn, 2, "CDN swap", "Moving to the new CDN.", "in_progress",
		     T0 + 10 * DAY - HOUR, T0 + 10 * DAY + HOUR);
	maint_component(m, "cdn");
	m = sn_maint(sn, 1, "Database upgrade", NULL, "scheduled", T0 + 12 * DAY,
		     T0 + 12 * DAY + 2 * HOUR);
	maint_component(m, "db");
	return sn;
}

/* ---- helpers ---- */

/* Each element v of the array a, at i. */
#define for_each_at(a, i, v) \
	for ((i) = 0; (i) < json_size(a) && ((v) = json_at((a), (i))) != NULL; (i)++)

static struct json *
render_json(const struct snapshot *sn, enum statuspage_doc which)
{
	struct buf b = BUF_INIT;
	struct json *j;

	statuspage_json(&b, sn, which);
	j = json_parse(b.ptr, b.len);
	if (j == NULL)
		fail_msg("document %d is not JSON: %s: %s", (int)which, err_last(), b.ptr);
	buf_release(&b);
	return j;
}

/* The keys of o are exactly those of the NULL-terminated list. */
static void
assert_keys(const struct json *o, const char *const *keys, const char *what)
{
	size_t n = 0;

	if (json_kind(o) != JSON_KIND_OBJECT)
		fail_msg("%s is not an object", what);
	for (; keys[n] != NULL; n++)
		if (json_get(o, keys[n]) == NULL)
			fail_msg("%s has no '%s'", what, keys[n]);
	if (json_size(o) != n) {
		struct buf text = BUF_INIT;

		(void)json_dump(&text, o, JSON_STYLE_COMPACT);
		fail_msg("%s has %zu keys, not %zu: %s", what, json_size(o), n, buf_str(&text));
	}
}

static bool
in_set(const char *s, const char *const *set)
{
	for (; s != NULL && *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* "2023-11-14T22:13:20.000Z" */
static bool
iso_ok(const char *s)
{
	const char *pat = "dddd-dd-ddTdd:dd:dd.dddZ";

	if (s == NULL || strlen(s) != strlen(pat))
		return false;
	for (size_t i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	return true;
}

static void
assert_time(const struct json *o, const char *key, bool nullable)
{
	const struct json *v = json_get(o, key);

	if (nullable && json_kind(v) == JSON_KIND_NULL)
		return;
	if (!iso_ok(json_as_str(v)))
		fail_msg("'%s' is not an ISO 8601 time with ms and Z", key);
}

static const char *
jget(const struct json *o, const char *key)
{
	const char *s = json_as_str(json_get(o, key));

	if (s == NULL)
		fail_msg("'%s' is not a string", key);
	return s;
}

static const char *const page_keys[] = { "id", "name", "url", "time_zone", "updated_at", NULL };
static const char *const component_keys[] = {
	"id", "name", "status", "created_at", "updated_at", "position", "description",
	"showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded", NULL
};
static const char *const group_keys[] = {
	"id", "name", "status", "created_at", "updated_at", "position", "description",
	"showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
	"components", NULL
};
static const char *const incident_keys[] = {
	"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
	"impact", "shortlink", "started_at", "page_id", "incident_updates", "components", NULL
};
static const char *const maintenance_keys[] = {
	"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
	"impact", "shortlink", "started_at", "page_id", "incident_updates", "components",
	"scheduled_for", "scheduled_until", NULL
};
static const char *const update_keys[] = {
	"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
	"affected_components", "deliver_notifications", "custom_tweet", "tweet_id", NULL
};
static const char *const component_statuses[] = {
	"operational", "degraded_performance", "partial_outage", "major_outage",
	"under_maintenance", NULL
};
static const char *const incident_statuses[] = {
	"investigating", "identified", "monitoring", "resolved", "postmortem", NULL
};
static const char *const maintenance_statuses[] = {
	"scheduled", "in_progress", "verifying", "completed", NULL
};
static const char *const impacts[] = { "none", "minor", "major", "critical", NULL };
static const char *const indicators[] = { "none", "minor", "major", "critical",
					  "maintenance", NULL };

static void
check_page(const struct json *doc, const struct snapshot *sn)
{
	const struct json *page = json_get(doc, "page");

	assert_keys(page, page_keys, "page");
	assert_string_equal(jget(page, "id"), sn->page_id);
	assert_string_equal(jget(page, "name"), sn->page_name);
	assert_string_equal(jget(page, "url"), sn->page_url);
	assert_time(page, "updated_at", false);
}

static void
check_component(const struct json *c, const struct snapshot *sn)
{
	bool group = json_as_bool(json_get(c, "group"));

	assert_keys(c, group ? group_keys : component_keys, "component");
	assert_true(in_set(jget(c, "status"), component_statuses));
	assert_time(c, "created_at", false);
	assert_time(c, "updated_at", false);
	assert_true(json_kind(json_get(c, "position")) == JSON_KIND_INT);
	assert_true(json_kind(json_get(c, "showcase")) == JSON_KIND_BOOL);
	assert_true(json_kind(json_get(c, "only_show_if_degraded")) == JSON_KIND_BOOL);
	assert_string_equal(jget(c, "page_id"), sn->page_id);
	if (group)
		assert_true(json_kind(json_get(c, "components")) == JSON_KIND_ARRAY);
}

static void
check_updates(const struct json *inc, bool maintenance)
{
	const struct json *ups = json_get(inc, "incident_updates"), *u;
	size_t i;

	assert_true(json_kind(ups) == JSON_KIND_ARRAY);
	assert_true(json_size(ups) > 0);
	for_each_at(ups, i, u) {
		assert_keys(u, update_keys, "incident update");
		assert_true(in_set(jget(u, "status"), maintenance ? maintenance_statuses :
				   incident_statuses));
		assert_string_equal(jget(u, "incident_id"), jget(inc, "id"));
		assert_time(u, "created_at", false);
		assert_time(u, "display_at", false);
		assert_true(json_kind(json_get(u, "deliver_notifications")) == JSON_KIND_BOOL);
		/* newest first */
		if (i > 0)
			assert_true(strcmp(jget(json_at(ups, i - 1), "display_at"),
					   jget(u, "display_at")) >= 0);
	}
}

static void
check_incident(const struct json *inc, const struct snapshot *sn)
{
	const struct json *comps = json_get(inc, "components"), *c;
	size_t i;

	assert_keys(inc, incident_keys, "incident");
	assert_true(in_set(jget(inc, "status"), incident_statuses));
	assert_true(in_set(jget(inc, "impact"), impacts));
	assert_time(inc, "created_at", false);
	assert_time(inc, "started_at", false);
	assert_time(inc, "updated_at", true);
	assert_time(inc, "monitoring_at", true);
	assert_time(inc, "resolved_at", true);
	assert_int_equal(strncmp(jget(inc, "id"), "inc-", 4), 0);
	assert_int_equal(strncmp(jget(inc, "shortlink"), sn->page_url, strlen(sn->page_url)), 0);
	check_updates(inc, false);
	for_each_at(comps, i, c)
		check_component(c, sn);
}

static void
check_maintenance(const struct json *m, const struct snapshot *sn)
{
	assert_keys(m, maintenance_keys, "scheduled maintenance");
	assert_true(in_set(jget(m, "status"), maintenance_statuses));
	assert_string_equal(jget(m, "impact"), "maintenance");
	assert_time(m, "scheduled_for", false);
	assert_time(m, "scheduled_until", false);
	assert_time(m, "resolved_at", true);
	assert_int_equal(strncmp(jget(m, "id"), "mnt-", 4), 0);
	check_updates(m, true);
	(void)sn;
}

/* The ids in array key of doc, joined by commas. */
static void
ids(char *out, size_t len, const struct json *doc, const char *key)
{
	const struct json *a = json_get(doc, key), *v;
	size_t i, n = 0;

	out[0] = '\0';
	for_each_at(a, i, v)
		n += (size_t)snprintf(out + n, len > n ? len - n : 0, "%s%s", i ? "," : "",
				      jget(v, "id"));
}

static void assert_html_ok(const char *html);

/* ---- tests ---- */

/* Each document has Statuspage's top-level keys and every object in it
 * Statuspage's fields with values from Statuspage's sets. */
static void
test_json_documents(void **state)
{
	static const char *const top[][6] = {
		[STATUSPAGE_SUMMARY] = { "page", "components", "incidents",
					 "scheduled_maintenances", "status", NULL },
		[STATUSPAGE_STATUS] = { "page", "status", NULL },
		[STATUSPAGE_COMPONENTS] = { "page", "components", NULL },
		[STATUSPAGE_INCIDENTS] = { "page", "incidents", NULL },
		[STATUSPAGE_INCIDENTS_UNRESOLVED] = { "page", "incidents", NULL },
		[STATUSPAGE_MAINTENANCES] = { "page", "scheduled_maintenances", NULL },
		[STATUSPAGE_MAINTENANCES_UPCOMING] = { "page", "scheduled_maintenances", NULL },
		[STATUSPAGE_MAINTENANCES_ACTIVE] = { "page", "scheduled_maintenances", NULL },
	};
	struct snapshot *sn = example();

	(void)state;
	for (int d = STATUSPAGE_SUMMARY; d <= STATUSPAGE_MAINTENANCES_ACTIVE; d++) {
		struct json *doc = render_json(sn, (enum statuspage_doc)d);
		const struct json *v;
		size_t i;

		assert_keys(doc, top[d], "document");
		check_page(doc, sn);
		for_each_at(json_get(doc, "components"), i, v)
			check_component(v, sn);
		for_each_at(json_get(doc, "incidents"), i, v)
			check_incident(v, sn);
		for_each_at(json_get(doc, "scheduled_maintenances"), i, v)
			check_maintenance(v, sn);
		if ((v = json_get(doc, "status")) != NULL) {
			static const char *const status_keys[] = { "indicator", "description",
								   NULL };

			assert_keys(v, status_keys, "status");
			assert_true(in_set(jget(v, "indicator"), indicators));
		}
		json_free(doc);
	}
	snapshot_free(sn);
}

/* Which incidents and maintenances each list holds, in which order. */
static void
test_json_lists(void **state)
{
	struct snapshot *sn = example();
	char got[512];
	struct json *doc;
	const struct json *inc, *ups;

	(void)state;
	doc = render_json(sn, STATUSPAGE_INCIDENTS);
	ids(got, sizeof(got), doc, "incidents");
	assert_string_equal(got, "inc-7,inc-3");
	inc = json_at(json_get(doc, "incidents"), 0);
	assert_string_equal(jget(inc, "name"), "API down");
	assert_string_equal(jget(inc, "status"), "identified");
	assert_string_equal(jget(inc, "impact"), "major");
	assert_string_equal(jget(inc, "shortlink"), "https://status.example.com/incidents/inc-7");
	assert_string_equal(jget(inc, "created_at"), "2023-11-23T22:13:20.000Z");
	assert_true(json_kind(json_get(inc, "resolved_at")) == JSON_KIND_NULL);
	ups = json_get(inc, "incident_updates");
	assert_int_equal(json_size(ups), 2);
	assert_string_equal(jget(json_at(ups, 0), "id"), "upd-12");
	assert_string_equal(jget(json_at(ups, 0), "body"),
			    "We found the cause: a bad deploy.");
	assert_string_equal(jget(json_at(ups, 1), "status"), "investigating");
	ids(got, sizeof(got), inc, "components");
	assert_string_equal(got, "api,web");
	inc = json_at(json_get(doc, "incidents"), 1);
	assert_string_equal(jget(inc, "resolved_at"), "2023-11-16T00:13:20.000Z");
	json_free(doc);

	doc = render_json(sn, STATUSPAGE_INCIDENTS_UNRESOLVED);
	ids(got, sizeof(got), doc, "incidents");
	assert_string_equal(got, "inc-7");
	json_free(doc);

	doc = render_json(sn, STATUSPAGE_SUMMARY);
	ids(got, sizeof(got), doc, "incidents");
	assert_string_equal(got, "inc-7");
	ids(got, sizeof(got), doc, "scheduled_maintenances");
	assert_string_equal(got, "mnt-2,mnt-1");
	json_free(doc);

	doc = render_json(sn, STATUSPAGE_MAINTENANCES);
	ids(got, sizeof(got), doc, "scheduled_maintenances");
	assert_string_equal(got, "mnt-1,mnt-2,mnt-4"); /* the latest first */
	inc = json_at(json_get(doc, "scheduled_maintenances"), 2);
	assert_string_equal(jget(inc, "status"), "completed");
	assert_string_equal(jget(inc, "resolved_at"), "2023-11-16T23:13:20.000Z");
	ups = json_get(inc, "incident_updates");
	assert_int_equal(json_size(ups), 3);
	assert_string_equal(jget(json_at(ups, 0), "status"), "completed");
	assert_string_equal(jget(json_at(ups, 2), "status"), "scheduled");
	assert_string_equal(jget(json_at(ups, 2), "body"), "Done long ago.");
	json_free(doc);

	doc = render_json(sn, STATUSPAGE_MAINTENANCES_UPCOMING);
	ids(got, sizeof(got), doc, "scheduled_maintenances");
	assert_string_equal(got, "mnt-1");
	inc = json_at(json_get(doc, "scheduled_maintenances"), 0);
	assert_string_equal(jget(inc, "scheduled_for"), "2023-11-26T22:13:20.000Z");
	assert_string_equal(jget(inc, "scheduled_until"), "2023-11-27T00:13:20.000Z");
	assert_true(json_kind(json_get(inc, "resolved_at")) == JSON_KIND_NULL);
	json_free(doc);

	doc = render_json(sn, STATUSPAGE_MAINTENANCES_ACTIVE);
	ids(got, sizeof(got), doc, "scheduled_maintenances");
	assert_string_equal(got, "mnt-2");
	json_free(doc);
	snapshot_free(sn);

	/* incidents.json: the 50 most recent */
	sn = sn_new("Busy");
	for (int i = 1; i <= 60; i++) {
		struct snapshot_incident *x = sn_incident(sn, i, "x", "resolved", "minor",
							   T0 + i * HOUR, T0 + i * HOUR,
							   T0 + i * HOUR);

		inc_update(x, i, "resolved", "fixed", T0 + i * HOUR);
	}
	doc = render_json(sn, STATUSPAGE_INCIDENTS);
	assert_int_equal(json_size(json_get(doc, "incidents")), STATUSPAGE_LIST_MAX);
	assert_string_equal(jget(json_at(json_get(doc, "incidents"), 0), "id"),
			    "inc-60");
	assert_string_equal(jget(json_at(json_get(doc, "incidents"), 49), "id"),
			    "inc-11");
	json_free(doc);
	snapshot_free(sn);
}

/* A group is a component with group: true and its members' ids; members
 * name it in group_id; the group is as bad as its worst member. */
static void
test_json_groups(void **state)
{
	struct snapshot *sn = example();
	struct json *doc = render_json(sn, STATUSPAGE_COMPONENTS);
	const struct json *comps, *c;
	char got[256];
	size_t i;

	(void)state;
	ids(got, sizeof(got), doc, "components");
	assert_string_equal(got, "group-platform,api,db,web,group-edge,cdn");
	comps = json_get(doc, "components");
	for_each_at(comps, i, c) {
		const char *id = jget(c, "id");
		const struct json *gid = json_get(c, "group_id");

		if (strncmp(id, "group-", 6) == 0) {
			assert_true(json_as_bool(json_get(c, "group")));
			assert_true(json_kind(gid) == JSON_KIND_NULL);
		} else {
			assert_true(json_kind(json_get(c, "group")) == JSON_KIND_BOOL);
			assert_false(json_as_bool(json_get(c, "group")));
		}
		if (strcmp(id, "group-platform") == 0) {
			assert_int_equal(json_size(json_get(c, "components")), 2);
			assert_string_equal(json_as_str(json_at(
				json_get(c, "components"), 0)), "api");
			assert_string_equal(json_as_str(json_at(
				json_get(c, "components"), 1)), "db");
			assert_string_equal(jget(c, "status"), "major_outage");
			assert_string_equal(jget(c, "name"), "Platform");
			assert_int_equal(json_as_int(json_get(c, "position")), 1);
		}
		if (strcmp(id, "api") == 0 || strcmp(id, "db") == 0)
			assert_string_equal(json_as_str(gid), "group-platform");
		if (strcmp(id, "web") == 0) {
			assert_true(json_kind(gid) == JSON_KIND_NULL);
			assert_string_equal(jget(c, "status"), "degraded_performance");
			assert_string_equal(jget(c, "name"), "Website");
			assert_int_equal(json_as_int(json_get(c, "position")), 2);
		}
		if (strcmp(id, "db") == 0)
			assert_int_equal(json_as_int(json_get(c, "position")), 2);
		if (strcmp(id, "cdn") == 0)
			assert_string_equal(json_as_str(gid), "group-edge");
	}
	json_free(doc);
	snapshot_free(sn);

	/* group ids stay unique whatever the names */
	sn = sn_new("Groups");
	sn_component(sn, "a", "A", "Core & Edge!", "operational", T0);
	sn_component(sn, "b", "B", "core edge", "operational", T0);
	sn_component(sn, "group-x", "X", "X", "operational", T0);
	sn_component(sn, "c", "C", "???", "operational", T0);
	doc = render_json(sn, STATUSPAGE_COMPONENTS);
	ids(got, sizeof(got), doc, "components");
	assert_string_equal(got, "group-core-edge,a,group-core-edge-2,b,group-x-2,group-x,"
			    "group,c");
	json_free(doc);
	snapshot_free(sn);
}

/* status.json says what snapshot_indicator and snapshot_description say,
 * in Statuspage's words. */
static void
test_indicator(void **state)
{
	struct snapshot *sn = sn_new("Calm");
	struct json *doc;
	const struct json *st;

	(void)state;
	sn_component(sn, "api", "API", NULL, "operational", T0);
	doc = render_json(sn, STATUSPAGE_STATUS);
	st = json_get(doc, "status");
	assert_string_equal(jget(st, "indicator"), "none");
	assert_string_equal(jget(st, "description"), "All Systems Operational");
	json_free(doc);
	snapshot_free(sn);

	sn = example();
	doc = render_json(sn, STATUSPAGE_SUMMARY);
	st = json_get(doc, "status");
	assert_string_equal(jget(st, "indicator"), snapshot_indicator(sn));
	assert_string_equal(jget(st, "description"), snapshot_description(sn));
	assert_true(in_set(jget(st, "indicator"), indicators));
	assert_string_not_equal(jget(st, "indicator"), "none");
	json_free(doc);
	snapshot_free(sn);

	sn = sn_new("Down");
	sn_component(sn, "api", "API", NULL, "major_outage", T0);
	inc_component(sn_incident(sn, 1, "Down", "investigating", "critical", T0, T0, 0),
		      "api", "major_outage");
	doc = render_json(sn, STATUSPAGE_STATUS);
	assert_string_equal(jget(json_get(doc, "status"), "indicator"), "critical");
	json_free(doc);
	snapshot_free(sn);
}

static void
test_escape(void **state)
{
	struct buf b = BUF_INIT;
	char *c;

	(void)state;
	escape_markup(&b, "<script>alert(\"x\" & 'y')</script>]]>");
	assert_string_equal(b.ptr, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
			    "&lt;/script&gt;]]&gt;");
	buf_reset(&b);
	/* C0 controls but tab and newline, DEL, C1, CR, U+FFFE go; bad UTF-8
	 * becomes U+FFFD; good UTF-8 stays */
	escape_markup(&b, "a\x01" "b\x1b[31m\t\r\nc\x7f" "d\xc2\x85" "e\xef\xbf\xbe"
		      "f\xff" "g\xc3" "h\xe2\x82" "i\xed\xa0\x80" "j\xc0\xaf" "k"
		      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5");
	assert_string_equal(b.ptr, "ab[31m\t\ncdef\xef\xbf\xbdg\xef\xbf\xbdh\xef\xbf\xbd\xef\xbf\xbd"
			    "i\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdj\xef\xbf\xbd\xef\xbf\xbdk"
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5");
	buf_release(&b);
	escape_markup(&b, NULL);
	assert_int_equal(b.len, 0);
	c = escape_clean("<b>&\x02</b>");
	assert_string_equal(c, "<b>&</b>");
	free(c);
	assert_null(escape_clean(NULL));
}

/* Hostile text, everywhere text can come from. */
#define EVIL "<script>alert('x')</script> \"q\" & ]]> \x01\x1b\x7f\xc2\x85 \xff end"
#define EVIL_CLEAN "<script>alert('x')</script> \"q\" & ]]>  \xef\xbf\xbd end"

static struct snapshot *
hostile(char **long_text)
{
	struct snapshot *sn = sn_new("Evil " EVIL);
	struct snapshot_incident *inc;
	struct snapshot_maintenance *m;
	struct buf lt = BUF_INIT;

	for (int i = 0; i < 3000; i++)
		buf_adds(&lt, "\xc3\xbc\xe6\x97\xa5\xf0\x9f\x94\xa5"); /* ü 日 🔥 */
	*long_text = buf_detach(&lt);
	sn_component(sn, "api", "API " EVIL, "Group " EVIL, "major_outage", T0);
	inc = sn_incident(sn, 9, "Incident " EVIL, "investigating", "critical", T0 + 9 * DAY,
			  T0 + 9 * DAY, 0);
	inc_component(inc, "api", "major_outage");
	inc_update(inc, 2, "investigating", *long_text, T0 + 9 * DAY + MIN);
	inc_update(inc, 1, "investigating", "Body " EVIL "\nsecond line", T0 + 9 * DAY);
	inc = sn_incident(sn, 8, "Old " EVIL, "resolved", "minor", T0 + DAY, T0 + DAY, T0 + DAY);
	inc_update(inc, 3, "resolved", "Fixed " EVIL, T0 + DAY);
	m = sn_maint(sn, 5, "Maint " EVIL, "Mbody " EVIL, "scheduled", T0 + 12 * DAY,
		     T0 + 12 * DAY + HOUR);
	maint_component(m, "api");
	return sn;
}

/* Nothing a parser could choke on or a browser run. */
static void
assert_clean_bytes(const char *s, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			fail_msg("%s has control byte 0x%02x at %zu", what, c, i);
	}
	if (memmem(s, len, "\xc2\x85", 2) != NULL)
		fail_msg("%s has a C1 control", what);
	if (memmem(s, len, "\xff", 1) != NULL)
		fail_msg("%s has invalid UTF-8", what);
}

static bool
has_nocase(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static void
test_hostile_json(void **state)
{
	char *long_text;
	struct snapshot *sn = hostile(&long_text);

	(void)state;
	for (int d = STATUSPAGE_SUMMARY; d <= STATUSPAGE_MAINTENANCES_ACTIVE; d++) {
		struct buf b = BUF_INIT;

		statuspage_json(&b, sn, (enum statuspage_doc)d);
		assert_clean_bytes(b.ptr, b.len, "JSON");
		buf_release(&b);
	}
	struct json *doc = render_json(sn, STATUSPAGE_SUMMARY);
	const struct json *inc, *ups, *c;

	assert_string_equal(jget(json_get(doc, "page"), "name"), "Evil " EVIL_CLEAN);
	inc = json_at(json_get(doc, "incidents"), 0);
	assert_string_equal(jget(inc, "name"), "Incident " EVIL_CLEAN);
	ups = json_get(inc, "incident_updates");
	assert_string_equal(jget(json_at(ups, 0), "body"), long_text);
	assert_string_equal(jget(json_at(ups, 1), "body"),
			    "Body " EVIL_CLEAN "\nsecond line");
	c = json_at(json_get(doc, "components"), 0);
	assert_string_equal(jget(c, "name"), "Group " EVIL_CLEAN);
	c = json_at(json_get(doc, "components"), 1);
	assert_string_equal(jget(c, "name"), "API " EVIL_CLEAN);
	inc = json_at(json_get(doc, "scheduled_maintenances"), 0);
	assert_string_equal(jget(inc, "name"), "Maint " EVIL_CLEAN);
	json_free(doc);
	snapshot_free(sn);
	free(long_text);
}

static void
test_hostile_html(void **state)
{
	char *long_text;
	struct snapshot *sn = hostile(&long_text);
	struct buf b = BUF_INIT;

	(void)state;
	statuspage_html(&b, sn);
	assert_clean_bytes(b.ptr, b.len, "HTML");
	assert_false(has_nocase(b.ptr, "<script"));
	assert_null(strstr(b.ptr, "]]>"));
	assert_null(strstr(b.ptr, "\"q\""));
	assert_non_null(strstr(b.ptr, "Incident &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
			       "&quot;q&quot; &amp; ]]&gt;  \xef\xbf\xbd end"));
	assert_non_null(strstr(b.ptr, "<title>Evil &lt;script&gt;"));
	assert_non_null(strstr(b.ptr, "Mbody &lt;script&gt;"));
	assert_non_null(strstr(b.ptr, "Group &lt;script&gt;"));
	assert_non_null(strstr(b.ptr, "Old &lt;script&gt;"));
	assert_non_null(strstr(b.ptr, long_text));
	assert_html_ok(b.ptr);
	buf_reset(&b);
	assert_int_equal(statuspage_html_incident(&b, sn, 9), 0);
	assert_clean_bytes(b.ptr, b.len, "incident HTML");
	assert_false(has_nocase(b.ptr, "<script"));
	assert_null(strstr(b.ptr, "]]>"));
	assert_non_null(strstr(b.ptr, "<h1>Incident &lt;script&gt;"));
	assert_non_null(strstr(b.ptr, "Body &lt;script&gt;"));
	assert_html_ok(b.ptr);
	buf_release(&b);
	snapshot_free(sn);
	free(long_text);
}

/* The status page: HTML5 with a language, a viewport, landmarks and
 * headings; statuses in words; the open incident's updates newest first;
 * maintenances; the history; no script anywhere. */
static void
test_html_page(void **state)
{
	struct snapshot *sn = example();
	struct buf b = BUF_INIT;
	const char *p, *newer, *older;

	(void)state;
	statuspage_html(&b, sn);
	p = b.ptr;
	assert_int_equal(strncmp(p, "<!DOCTYPE html>\n<html lang=\"en\">", 32), 0);
	assert_non_null(strstr(p, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(p, "<meta name=\"viewport\" content=\"width=device-width, "
			       "initial-scale=1\">"));
	assert_non_null(strstr(p, "<title>Acme Status</title>"));
	assert_non_null(strstr(p, "<main id=\"main\">"));
	assert_non_null(strstr(p, "<header>"));
	assert_non_null(strstr(p, "<footer>"));
	assert_non_null(strstr(p, "<h1>Acme Status</h1>"));
	assert_false(has_nocase(p, "<script"));
	assert_false(has_nocase(p, "javascript:"));
	assert_false(has_nocase(p, " on"  "click"));
	assert_non_null(strstr(p, snapshot_description(sn)));
	/* statuses in words, not only colours */
	assert_non_null(strstr(p, ">Major Outage</span>"));
	assert_non_null(strstr(p, ">Degraded Performance</span>"));
	assert_non_null(strstr(p, ">Operational</span>"));
	assert_non_null(strstr(p, ">Under Maintenance</span>"));
	/* the group and its members */
	assert_non_null(strstr(p, ">Platform</span>"));
	assert_true(strstr(p, ">Platform</span>") < strstr(p, ">Public API</span>"));
	assert_true(strstr(p, ">Public API</span>") < strstr(p, ">Database</span>"));
	/* the open incident, linked, with its updates newest first */
	assert_non_null(strstr(p, "<a href=\"incidents/inc-7\">API down</a>"));
	newer = strstr(p, "We found the cause");
	older = strstr(p, "We are looking into errors");
	assert_non_null(newer);
	assert_non_null(older);
	assert_true(newer < older);
	assert_non_null(strstr(p, "<time datetime=\"2023-11-23T22:43:20.000Z\">23 Nov 2023 "
			       "22:43 UTC</time>"));
	/* maintenances: in progress and upcoming, each linking to its page;
	 * the completed one only in the history, linked too */
	assert_non_null(strstr(p, "<a href=\"maintenances/mnt-2\">CDN swap</a>"));
	assert_non_null(strstr(p, "Database upgrade"));
	assert_true(strstr(p, "In progress") < strstr(p, "Upcoming"));
	assert_non_null(strstr(p, "Past maintenance"));
	assert_non_null(strstr(p, "<a href=\"maintenances/mnt-4\">Old upgrade</a>"));
	assert_true(strstr(p, "Past maintenance") < strstr(p, "Old upgrade"));
	assert_true(strstr(p, "Upcoming") < strstr(p, "Past maintenance"));
	/* the history: the resolved incident */
	assert_non_null(strstr(p, "Past incidents"));
	assert_non_null(strstr(p, "<a href=\"incidents/inc-3\">Slow logins</a>"));
	assert_true(strstr(p, "Past incidents") < strstr(p, "Slow logins"));
	/* follow links, relative */
	assert_non_null(strstr(p, "href=\"history.atom\""));
	assert_non_null(strstr(p, "href=\"subscribe\""));
	assert_html_ok(p);
	buf_release(&b);
	snapshot_free(sn);

	/* an empty page says so */
	sn = sn_new("Quiet");
	statuspage_html(&b, sn);
	assert_non_null(strstr(b.ptr, "No incidents reported."));
	assert_null(strstr(b.ptr, "Active incidents"));
	assert_html_ok(b.ptr);
	buf_release(&b);
	snapshot_free(sn);
}

static void
test_incident_page(void **state)
{
	struct snapshot *sn = example();
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(statuspage_html_incident(&b, sn, 3), 0);
	assert_non_null(strstr(b.ptr, "<title>Slow logins - Acme Status</title>"));
	assert_non_null(strstr(b.ptr, "<h1>Slow logins</h1>"));
	assert_non_null(strstr(b.ptr, "<a href=\"../\">Acme Status</a>"));
	assert_non_null(strstr(b.ptr, "href=\"../history.atom\""));
	assert_true(strstr(b.ptr, "Logins are fast again.") < strstr(b.ptr, "Logins are slow."));
	assert_non_null(strstr(b.ptr, ">Resolved</span>"));
	assert_false(has_nocase(b.ptr, "<script"));
	assert_html_ok(b.ptr);
	buf_reset(&b);
	err_clear();
	assert_int_equal(statuspage_html_incident(&b, sn, 99), SR_ENOTFOUND);
	assert_non_null(strstr(err_last(), "INC-99"));
	buf_release(&b);
	snapshot_free(sn);
}

/* A maintenance has a page of its own, which stays when it is over. */
static void
test_maintenance_page(void **state)
{
	struct snapshot *sn = example();
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(statuspage_html_maintenance(&b, sn, 4), 0);
	assert_non_null(strstr(b.ptr, "<title>Old upgrade - Acme Status</title>"));
	assert_non_null(strstr(b.ptr, "<h1>Old upgrade</h1>"));
	assert_non_null(strstr(b.ptr, "<a href=\"../\">Acme Status</a>"));
	assert_non_null(strstr(b.ptr, "Done long ago."));
	assert_non_null(strstr(b.ptr, ">Completed</span>"));
	assert_false(has_nocase(b.ptr, "<script"));
	assert_html_ok(b.ptr);
	buf_reset(&b);
	err_clear();
	assert_int_equal(statuspage_html_maintenance(&b, sn, 99), SR_ENOTFOUND);
	assert_non_null(strstr(err_last(), "mnt-99"));
	buf_release(&b);
	snapshot_free(sn);
}

/* ---- feeds, read back by Python's XML parser ---- */

/*
 * Parses argv[2] (argv[1]: atom or rss) and prints what it found as JSON:
 * the root, the feed's title and update time, and per entry its id, title,
 * link, time and content (the text, once XML-unescaped). Times are checked
 * by Python's own parsers (fromisoformat, parsedate_to_datetime).
 */
static const char parse_py[] =
	"import json, sys, datetime, email.utils\n"
	"import xml.etree.ElementTree as ET\n"
	"A = '{http://www.w3.org/2005/Atom}'\n"
	"kind, path = sys.argv[1], sys.argv[2]\n"
	"root = ET.parse(path).getroot()\n"
	"out = {'root': root.tag, 'entries': []}\n"
	"def iso(s):\n"
	"    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).isoformat()\n"
	"if kind == 'atom':\n"
	"    out['title'] = root.find(A + 'title').text\n"
	"    out['id'] = root.find(A + 'id').text\n"
	"    out['updated'] = iso(root.find(A + 'updated').text)\n"
	"    out['author'] = root.find(A + 'author/' + A + 'name').text\n"
	"    out['self'] = [l.get('href') for l in root.findall(A + 'link') if l.get('rel') == 'self'][0]\n"
	"    for e in root.findall(A + 'entry'):\n"
	"        c = e.find(A + 'content')\n"
	"        out['entries'].append({'id': e.find(A + 'id').text,\n"
	"            'title': e.find(A + 'title').text or '',\n"
	"            'updated': iso(e.find(A + 'updated').text),\n"
	"            'published': iso(e.find(A + 'published').text),\n"
	"            'link': e.find(A + 'link').get('href'),\n"
	"            'type': c.get('type'), 'content': c.text or ''})\n"
	"else:\n"
	"    out['version'] = root.get('version')\n"
	"    ch = root.find('channel')\n"
	"    out['title'] = ch.find('title').text\n"
	"    out['updated'] = email.utils.parsedate_to_datetime(ch.find('lastBuildDate').text).isoformat()\n"
	"    for e in ch.findall('item'):\n"
	"        out['entries'].append({'id': e.find('guid').text,\n"
	"            'title': e.find('title').text or '',\n"
	"            'published': email.utils.parsedate_to_datetime(e.find('pubDate').text).isoformat(),\n"
	"            'link': e.find('link').text, 'content': e.find('description').text or ''})\n"
	"print(json.dumps(out))\n";

static bool
have_python(void)
{
	return access(PYTHON, X_OK) == 0;
}

static struct json *
python_parse(const char *kind, const char *xml, size_t len)
{
	char *dir = testutil_tmpdir(), path[4200], cmd[8600], chunk[4096];
	struct buf res = BUF_INIT;
	struct json *j;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/feed.xml", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(xml, 1, len, fp), len);
	fclose(fp);
	testutil_write(dir, "parse.py", parse_py);
	snprintf(cmd, sizeof(cmd), PYTHON " '%s/parse.py' %s '%s'", dir, kind, path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&res, chunk, n);
	if (pclose(fp) != 0)
		fail_msg("python could not parse the %s feed:\n%s", kind, xml);
	j = json_parse(res.ptr, res.len);
	assert_non_null(j);
	buf_release(&res);
	testutil_rmtree(dir);
	free(dir);
	return j;
}

/*
 * Reads the HTML in argv[1] with Python's html.parser and prints "ok" or
 * what is wrong: an element closed that is not open, one left open, an id
 * used twice, a label or aria-labelledby naming no id, a heading level
 * skipped, no <main>, no lang.
 */
static const char html_py[] =
	"import sys\n"
	"from html.parser import HTMLParser\n"
	"VOID = {'area','base','br','col','embed','hr','img','input','link','meta','source','track','wbr'}\n"
	"class P(HTMLParser):\n"
	"    def __init__(s):\n"
	"        super().__init__(convert_charrefs=True)\n"
	"        s.stack, s.ids, s.refs, s.errors, s.tags, s.level, s.lang = [], set(), [], [], set(), 0, None\n"
	"    def handle_starttag(s, tag, attrs):\n"
	"        a = dict(attrs)\n"
	"        s.tags.add(tag)\n"
	"        if tag == 'html': s.lang = a.get('lang')\n"
	"        if 'id' in a:\n"
	"            if a['id'] in s.ids: s.errors.append('duplicate id ' + a['id'])\n"
	"            s.ids.add(a['id'])\n"
	"        for k in ('for', 'aria-labelledby'):\n"
	"            if k in a: s.refs.append(a[k])\n"
	"        if len(tag) == 2 and tag[0] == 'h' and tag[1].isdigit():\n"
	"            n = int(tag[1])\n"
	"            if n > s.level + 1: s.errors.append('heading h%d after h%d' % (n, s.level))\n"
	"            s.level = n\n"
	"        if tag not in VOID: s.stack.append(tag)\n"
	"    def handle_endtag(s, tag):\n"
	"        if not s.stack or s.stack[-1] != tag:\n"
	"            s.errors.append('</%s> closes %s' % (tag, s.stack[-1:] or 'nothing'))\n"
	"        else: s.stack.pop()\n"
	"p = P()\n"
	"p.feed(open(sys.argv[1], encoding='utf-8').read())\n"
	"p.close()\n"
	"if p.stack: p.errors.append('left open: ' + ' '.join(p.stack))\n"
	"p.errors += ['no id ' + r for r in p.refs if r not in p.ids]\n"
	"if 'main' not in p.tags: p.errors.append('no main')\n"
	"if p.lang != 'en': p.errors.append('no lang')\n"
	"print('; '.join(p.errors) or 'ok')\n";

static void
assert_html_ok(const char *html)
{
	char *dir = testutil_tmpdir(), cmd[8600], res[4096];
	FILE *fp;
	size_t n;

	if (!have_python()) {
		testutil_rmtree(dir);
		free(dir);
		return;
	}
	testutil_write(dir, "page.html", html);
	testutil_write(dir, "check.py", html_py);
	snprintf(cmd, sizeof(cmd), PYTHON " '%s/check.py' '%s/page.html'", dir, dir);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	n = fread(res, 1, sizeof(res) - 1, fp);
	res[n] = '\0';
	assert_int_equal(pclose(fp), 0);
	if (strcmp(res, "ok\n") != 0)
		fail_msg("the HTML is not well formed: %s", res);
	testutil_rmtree(dir);
	free(dir);
}

static struct json *
feed_parsed(const struct snapshot *sn, bool atom)
{
	struct buf b = BUF_INIT;
	struct json *j;

	if (atom)
		feed_atom(&b, sn);
	else
		feed_rss(&b, sn);
	assert_clean_bytes(b.ptr, b.len, atom ? "Atom" : "RSS");
	assert_null(strstr(b.ptr, "]]>"));
	assert_null(strstr(b.ptr, "CDATA"));
	j = python_parse(atom ? "atom" : "rss", b.ptr, b.len);
	buf_release(&b);
	return j;
}

static void
test_feeds(void **state)
{
	struct snapshot *sn = example();
	struct json *atom, *rss;
	const struct json *e;

	(void)state;
	if (!have_python())
		skip();
	atom = feed_parsed(sn, true);
	assert_string_equal(jget(atom, "root"), "{http://www.w3.org/2005/Atom}feed");
	assert_string_equal(jget(atom, "title"), "Acme Status - Incident History");
	assert_string_equal(jget(atom, "self"), "https://status.example.com/history.atom");
	assert_string_equal(jget(atom, "author"), "Acme Status");
	/* 2 incidents and 3 maintenances, the most recently changed first:
	 * the maintenance that started, then the open incident */
	assert_int_equal(json_size(json_get(atom, "entries")), 5);
	e = json_at(json_get(atom, "entries"), 0);
	assert_string_equal(jget(e, "id"), "https://status.example.com/maintenances/mnt-2");
	assert_string_equal(jget(e, "title"), "CDN swap");
	assert_non_null(strstr(jget(e, "content"), "<strong>In Progress</strong> - 24 Nov 2023 "
			       "21:13 UTC to 24 Nov 2023 23:13 UTC"));
	assert_non_null(strstr(jget(e, "content"), "Moving to the new CDN."));
	e = json_at(json_get(atom, "entries"), 1);
	assert_string_equal(jget(e, "id"), "https://status.example.com/incidents/inc-7");
	assert_string_equal(jget(e, "link"), "https://status.example.com/incidents/inc-7");
	assert_string_equal(jget(e, "title"), "API down");
	assert_string_equal(jget(e, "type"), "html");
	assert_string_equal(jget(e, "updated"), "2023-11-23T22:43:20+00:00");
	assert_string_equal(jget(e, "published"), "2023-11-23T22:13:20+00:00");
	assert_non_null(strstr(jget(e, "content"), "<strong>Identified</strong> - We found"));
	assert_true(strstr(jget(e, "content"), "We found") <
		    strstr(jget(e, "content"), "We are looking"));
	assert_string_equal(jget(atom, "updated"), "2023-11-24T21:13:20+00:00");

	rss = feed_parsed(sn, false);
	assert_string_equal(jget(rss, "root"), "rss");
	assert_string_equal(jget(rss, "version"), "2.0");
	assert_int_equal(json_size(json_get(rss, "entries")), 5);
	e = json_at(json_get(rss, "entries"), 1);
	assert_string_equal(jget(e, "id"), "https://status.example.com/incidents/inc-7");
	assert_string_equal(jget(e, "published"), "2023-11-23T22:13:20+00:00");
	assert_non_null(strstr(jget(e, "content"), "We found the cause"));
	json_free(atom);
	json_free(rss);
	snapshot_free(sn);
}

/* Hostile text in a feed: the parser reads back the text, the entry's HTML
 * content carries it escaped (no <script> element for a reader to run). */
static void
test_feeds_hostile(void **state)
{
	char *long_text;
	struct snapshot *sn = hostile(&long_text);

	(void)state;
	if (!have_python()) {
		snapshot_free(sn);
		free(long_text);
		skip();
	}
	for (int atom = 0; atom < 2; atom++) {
		struct json *f = feed_parsed(sn, atom);
		const struct json *e;
		size_t i;

		assert_string_equal(jget(f, "title"), "Evil " EVIL_CLEAN " - Incident History");
		for_each_at(json_get(f, "entries"), i, e) {
			const char *content = jget(e, "content");

			assert_false(has_nocase(content, "<script"));
			if (strstr(jget(e, "title"), "Incident") == jget(e, "title")) {
				assert_string_equal(jget(e, "title"), "Incident " EVIL_CLEAN);
				assert_non_null(strstr(content, "Body &lt;script&gt;alert(&#39;x&#39;)"
						       "&lt;/script&gt; &quot;q&quot; &amp; ]]&gt;"));
				assert_non_null(strstr(content, "<br>second line"));
				assert_non_null(strstr(content, long_text));
			}
		}
		assert_int_equal(json_size(json_get(f, "entries")), 3);
		json_free(f);
	}
	snapshot_free(sn);
	free(long_text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_documents),
		cmocka_unit_test(test_json_lists),
		cmocka_unit_test(test_json_groups),
		cmocka_unit_test(test_indicator),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_hostile_json),
		cmocka_unit_test(test_hostile_html),
		cmocka_unit_test(test_html_page),
		cmocka_unit_test(test_incident_page),
		cmocka_unit_test(test_maintenance_page),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_feeds_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
