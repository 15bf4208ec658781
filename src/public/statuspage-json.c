/* statuspage-json.c: the Statuspage v2 public API's JSON documents
 * (summary.json, status.json, components.json, incidents.json and the
 * scheduled maintenances'), with the same field names, order and values
 * as Atlassian Statuspage's. What they share with the HTML page is
 * statuspage.c's; the text filter escape.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/json.h"
#include "sitrep/buf.h"
#include "sitrep/escape.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"

#include "statuspage-int.h"

/* A text as a reader may see it (escape_clean's), or null for NULL. */
static struct json *
jstr(const char *s)
{
	struct json *j;
	char *clean;

	if (s == NULL)
		return json_new_null();
	clean = escape_clean(s);
	j = json_new_string(clean);
	free(clean);
	return j;
}

static struct json *
jidf(const char *prefix, int64_t id)
{
	char s[48];

	snprintf(s, sizeof(s), "%s-%lld", prefix, (long long)id);
	return json_new_string(s);
}

static struct json *
page_json(const struct snapshot *sn)
{
	struct json *o = json_new_object();

	json_set(o, "id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	json_set(o, "name", jstr(sn->page_name != NULL ? sn->page_name : ""));
	json_set(o, "url", jstr(sn->page_url != NULL ? sn->page_url : ""));
	json_set(o, "time_zone", jstr(sn->time_zone != NULL ? sn->time_zone : "Etc/UTC"));
	json_set(o, "updated_at", json_new_time(sn->updated_at != 0 ? sn->updated_at :
						   sn->built_at));
	return o;
}

static struct json *
component_fields(const struct snapshot *sn, const struct sp_layout *l, const char *id,
		 const char *name, const char *status, int64_t updated_at, int position,
		 const char *group_id, bool group)
{
	struct json *o = json_new_object();
	int64_t created = l->page_start != 0 && l->page_start < updated_at ? l->page_start :
			  updated_at;

	json_set(o, "id", jstr(id));
	json_set(o, "name", jstr(name));
	json_set(o, "status", jstr(status));
	json_set(o, "created_at", json_new_time(created));
	json_set(o, "updated_at", json_new_time(updated_at));
	json_set(o, "position", json_new_int(position));
	json_set(o, "description", json_new_null());
	json_set(o, "showcase", json_new_bool(false));
	json_set(o, "start_date", json_new_null());
	json_set(o, "group_id", group_id != NULL ? jstr(group_id) : json_new_null());
	json_set(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	json_set(o, "group", json_new_bool(group));
	json_set(o, "only_show_if_degraded", json_new_bool(false));
	return o;
}

static struct json *
component_json(const struct snapshot *sn, const struct sp_layout *l, size_t i)
{
	const struct snapshot_component *c = &sn->components[i];
	long g = l->group_of[i];

	return component_fields(sn, l, c->id, c->name != NULL ? c->name : c->id, c->status,
				c->updated_at, l->position[i],
				g >= 0 ? l->groups[g].id : NULL, false);
}

static struct json *
group_json(const struct snapshot *sn, const struct sp_layout *l, size_t k)
{
	const struct sp_group *g = &l->groups[k];
	struct json *o = component_fields(sn, l, g->id, g->name, g->status, g->updated_at,
				     g->position, NULL, true);
	struct json *members = json_new_array();

	for (size_t m = 0; m < g->nmembers; m++)
		json_append(members, jstr(sn->components[g->members[m]].id));
	json_set(o, "components", members);
	return o;
}

static struct json *
components_json(const struct snapshot *sn, const struct sp_layout *l)
{
	struct json *a = json_new_array();

	for (size_t t = 0; t < l->ntop; t++) {
		if (l->top[t].group < 0) {
			json_append(a, component_json(sn, l, l->top[t].comp));
			continue;
		}
		const struct sp_group *g = &l->groups[l->top[t].group];

		json_append(a, group_json(sn, l, (size_t)l->top[t].group));
		for (size_t m = 0; m < g->nmembers; m++)
			json_append(a, component_json(sn, l, g->members[m]));
	}
	return a;
}

/* The components an incident or maintenance names, as component objects;
 * one no longer in the config is shown with what is known of it. */
static struct json *
affected_json(const struct snapshot *sn, const struct sp_layout *l, char **ids, size_t n,
	      char (*statuses)[24])
{
	struct json *a = json_new_array();

	for (size_t k = 0; k < n; k++) {
		size_t i;

		if (statuspage_find_component(sn, ids[k], &i) != NULL)
			json_append(a, component_json(sn, l, i));
		else
			json_append(a, component_fields(sn, l, ids[k], ids[k],
				statuses != NULL ? statuses[k] : "operational",
				sn->updated_at, 0, NULL, false));
	}
	return a;
}

static struct json *
update_json(const char *id, const char *status, const char *body, struct json *incident_id,
	    int64_t at)
{
	struct json *o = json_new_object();

	json_set(o, "id", json_new_string(id));
	json_set(o, "status", jstr(status));
	json_set(o, "body", jstr(body != NULL ? body : ""));
	json_set(o, "incident_id", incident_id);
	json_set(o, "created_at", json_new_time(at));
	json_set(o, "updated_at", json_new_time(at));
	json_set(o, "display_at", json_new_time(at));
	json_set(o, "affected_components", json_new_null());
	json_set(o, "deliver_notifications", json_new_bool(true));
	json_set(o, "custom_tweet", json_new_null());
	json_set(o, "tweet_id", json_new_null());
	return o;
}

static struct json *
incident_json(const struct snapshot *sn, const struct sp_layout *l,
	      const struct snapshot_incident *inc)
{
	struct json *o = json_new_object(), *updates = json_new_array();
	char path[48], *shortlink;
	const char *status = strcmp(inc->status, "closed") == 0 ? "resolved" : inc->status;

	snprintf(path, sizeof(path), "incidents/inc-%lld", (long long)inc->id);
	shortlink = statuspage_url(sn, path);
	json_set(o, "id", jidf("inc", inc->id));
	json_set(o, "name", jstr(inc->name));
	json_set(o, "status", jstr(status));
	json_set(o, "created_at", json_new_time(inc->created_at));
	json_set(o, "updated_at", json_new_time(inc->updated_at));
	json_set(o, "monitoring_at", json_new_time(inc->monitoring_at));
	json_set(o, "resolved_at", json_new_time(inc->resolved_at));
	json_set(o, "impact", jstr(inc->impact));
	json_set(o, "shortlink", jstr(shortlink));
	json_set(o, "started_at", json_new_time(inc->created_at));
	json_set(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	for (size_t u = 0; u < inc->nupdates; u++) {
		const struct snapshot_update *up = &inc->updates[u];
		char id[48];

		snprintf(id, sizeof(id), "upd-%lld", (long long)up->id);
		json_append(updates, update_json(id, up->status, up->body,
							   jidf("inc", inc->id),
							   up->published_at));
	}
	json_set(o, "incident_updates", updates);
	json_set(o, "components", affected_json(sn, l, inc->components,
							   inc->ncomponents,
							   inc->component_status));
	free(shortlink);
	return o;
}

/* Statuspage's own words when a maintenance starts and ends on schedule. */
#define MAINT_STARTED "Scheduled maintenance is currently in progress. We will provide updates as necessary."
#define MAINT_COMPLETED "The scheduled maintenance has been completed."

static struct json *
maintenance_json(const struct snapshot *sn, const struct sp_layout *l,
		 const struct snapshot_maintenance *m)
{
	struct json *o = json_new_object(), *updates = json_new_array();
	char path[48], id[64], *shortlink;
	bool started = strcmp(m->status, "scheduled") != 0;
	bool completed = strcmp(m->status, "completed") == 0;
	int64_t completed_at = m->completed_at != 0 ? m->completed_at : m->scheduled_until;

	/* Its own page, as an incident's. */
	snprintf(path, sizeof(path), "maintenances/mnt-%lld", (long long)m->id);
	shortlink = statuspage_url(sn, path);
	json_set(o, "id", jidf("mnt", m->id));
	json_set(o, "name", jstr(m->name));
	json_set(o, "status", jstr(m->status));
	json_set(o, "created_at", json_new_time(m->created_at));
	json_set(o, "updated_at", json_new_time(m->updated_at));
	json_set(o, "monitoring_at", json_new_null());
	json_set(o, "resolved_at", completed ? json_new_time(completed_at) : json_new_null());
	json_set(o, "impact", json_new_string("maintenance"));
	json_set(o, "shortlink", jstr(shortlink));
	json_set(o, "started_at", json_new_time(m->scheduled_for));
	json_set(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	/* The store keeps a maintenance's text, not a trail of updates: the
	 * trail is what Statuspage would show, newest first. */
	if (completed) {
		snprintf(id, sizeof(id), "mnt-%lld-completed", (long long)m->id);
		json_append(updates, update_json(id, "completed", MAINT_COMPLETED,
							   jidf("mnt", m->id), completed_at));
	}
	if (started) {
		snprintf(id, sizeof(id), "mnt-%lld-in_progress", (long long)m->id);
		json_append(updates, update_json(id, "in_progress", MAINT_STARTED,
			jidf("mnt", m->id), m->started_at != 0 ? m->started_at : m->scheduled_for));
	}
	snprintf(id, sizeof(id), "mnt-%lld-scheduled", (long long)m->id);
	json_append(updates, update_json(id, "scheduled",
						   m->body != NULL ? m->body : m->name,
						   jidf("mnt", m->id), m->created_at));
	json_set(o, "incident_updates", updates);
	json_set(o, "components", affected_json(sn, l, m->components,
							   m->ncomponents, NULL));
	json_set(o, "scheduled_for", json_new_time(m->scheduled_for));
	json_set(o, "scheduled_until", json_new_time(m->scheduled_until));
	free(shortlink);
	return o;
}

static struct json *
status_json(const struct snapshot *sn)
{
	struct json *o = json_new_object();

	json_set(o, "indicator", jstr(snapshot_indicator(sn)));
	json_set(o, "description", jstr(snapshot_description(sn)));
	return o;
}

static struct json *
incidents_json(const struct snapshot *sn, const struct sp_layout *l, bool unresolved)
{
	struct json *a = json_new_array();
	size_t n, *v = statuspage_incidents_recent(sn, unresolved, unresolved ?
						   sn->nincidents : STATUSPAGE_LIST_MAX, &n);

	for (size_t i = 0; i < n; i++)
		json_append(a, incident_json(sn, l, &sn->incidents[v[i]]));
	free(v);
	return a;
}

/* which: 0 all (the most recent first), 1 upcoming, 2 active, 3 both. */
static struct json *
maintenances_json(const struct snapshot *sn, const struct sp_layout *l, int which)
{
	struct json *a = json_new_array();

	if (which == 0) {
		size_t n, *v = statuspage_maintenances_recent(sn, STATUSPAGE_LIST_MAX, &n);

		for (size_t i = 0; i < n; i++)
			json_append(a, maintenance_json(sn, l, &sn->maintenances[v[i]]));
		free(v);
		return a;
	}
	for (size_t i = 0; i < sn->nmaintenances; i++) {
		const struct snapshot_maintenance *m = &sn->maintenances[i];

		if (((which & 1) && statuspage_maint_upcoming(m)) ||
		    ((which & 2) && statuspage_maint_active(m)))
			json_append(a, maintenance_json(sn, l, m));
	}
	return a;
}

void
statuspage_json(struct buf *out, const struct snapshot *sn, enum statuspage_doc which)
{
	struct sp_layout l;
	struct json *o = json_new_object();

	statuspage_layout_build(&l, sn);
	json_set(o, "page", page_json(sn));
	switch (which) {
	case STATUSPAGE_SUMMARY:
		json_set(o, "components", components_json(sn, &l));
		json_set(o, "incidents", incidents_json(sn, &l, true));
		json_set(o, "scheduled_maintenances", maintenances_json(sn, &l, 3));
		json_set(o, "status", status_json(sn));
		break;
	case STATUSPAGE_STATUS:
		json_set(o, "status", status_json(sn));
		break;
	case STATUSPAGE_COMPONENTS:
		json_set(o, "components", components_json(sn, &l));
		break;
	case STATUSPAGE_INCIDENTS:
		json_set(o, "incidents", incidents_json(sn, &l, false));
		break;
	case STATUSPAGE_INCIDENTS_UNRESOLVED:
		json_set(o, "incidents", incidents_json(sn, &l, true));
		break;
	case STATUSPAGE_MAINTENANCES:
		json_set(o, "scheduled_maintenances", maintenances_json(sn, &l, 0));
		break;
	case STATUSPAGE_MAINTENANCES_UPCOMING:
		json_set(o, "scheduled_maintenances", maintenances_json(sn, &l, 1));
		break;
	case STATUSPAGE_MAINTENANCES_ACTIVE:
		json_set(o, "scheduled_maintenances", maintenances_json(sn, &l, 2));
		break;
	}
	statuspage_layout_release(&l);
	/* Every text went through escape_clean, so this cannot fail; were
	 * it to, the page is served without this document (json_dump leaves
	 * out as it was). */
	if (json_dump(out, o, JSON_STYLE_COMPACT) != 0) {
		log_warnx("cannot encode the status page's JSON document %d", (int)which);
		buf_adds(out, "{}");
	}
	buf_addch(out, '\n');
	json_free(o);
}
