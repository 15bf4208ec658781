/* statuspage-json.c: the Statuspage v2 public API's JSON documents
 * (summary.json, status.json, components.json, incidents.json and the
 * scheduled maintenances'), with the same field names, order and values
 * as Atlassian Statuspage's. What they share with the HTML page is
 * statuspage.c's; the text filter escape.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sitrep/json.h"
#include "sitrep/buf.h"
#include "sitrep/escape.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"

#include "statuspage-int.h"

static json_t *
jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_null();
	clean = escape_clean(s);
	j = json_string(clean);
	free(clean);
	return j != NULL ? j : json_string("");
}

static json_t *
jidf(const char *prefix, int64_t id)
{
	char s[48];

	snprintf(s, sizeof(s), "%s-%lld", prefix, (long long)id);
	return json_string(s);
}

static json_t *
page_json(const struct snapshot *sn)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	json_object_set_new(o, "name", jstr(sn->page_name != NULL ? sn->page_name : ""));
	json_object_set_new(o, "url", jstr(sn->page_url != NULL ? sn->page_url : ""));
	json_object_set_new(o, "time_zone", jstr(sn->time_zone != NULL ? sn->time_zone : "Etc/UTC"));
	json_object_set_new(o, "updated_at", json_time(sn->updated_at != 0 ? sn->updated_at :
						   sn->built_at));
	return o;
}

static json_t *
component_fields(const struct snapshot *sn, const struct sp_layout *l, const char *id,
		 const char *name, const char *status, int64_t updated_at, int position,
		 const char *group_id, bool group)
{
	json_t *o = json_object();
	int64_t created = l->page_start != 0 && l->page_start < updated_at ? l->page_start :
			  updated_at;

	json_object_set_new(o, "id", jstr(id));
	json_object_set_new(o, "name", jstr(name));
	json_object_set_new(o, "status", jstr(status));
	json_object_set_new(o, "created_at", json_time(created));
	json_object_set_new(o, "updated_at", json_time(updated_at));
	json_object_set_new(o, "position", json_integer(position));
	json_object_set_new(o, "description", json_null());
	json_object_set_new(o, "showcase", json_false());
	json_object_set_new(o, "start_date", json_null());
	json_object_set_new(o, "group_id", group_id != NULL ? jstr(group_id) : json_null());
	json_object_set_new(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	json_object_set_new(o, "group", json_boolean(group));
	json_object_set_new(o, "only_show_if_degraded", json_false());
	return o;
}

static json_t *
component_json(const struct snapshot *sn, const struct sp_layout *l, size_t i)
{
	const struct snapshot_component *c = &sn->components[i];
	long g = l->group_of[i];

	return component_fields(sn, l, c->id, c->name != NULL ? c->name : c->id, c->status,
				c->updated_at, l->position[i],
				g >= 0 ? l->groups[g].id : NULL, false);
}

static json_t *
group_json(const struct snapshot *sn, const struct sp_layout *l, size_t k)
{
	const struct sp_group *g = &l->groups[k];
	json_t *o = component_fields(sn, l, g->id, g->name, g->status, g->updated_at,
				     g->position, NULL, true);
	json_t *members = json_array();

	for (size_t m = 0; m < g->nmembers; m++)
		json_array_append_new(members, jstr(sn->components[g->members[m]].id));
	json_object_set_new(o, "components", members);
	return o;
}

static json_t *
components_json(const struct snapshot *sn, const struct sp_layout *l)
{
	json_t *a = json_array();

	for (size_t t = 0; t < l->ntop; t++) {
		if (l->top[t].group < 0) {
			json_array_append_new(a, component_json(sn, l, l->top[t].comp));
			continue;
		}
		const struct sp_group *g = &l->groups[l->top[t].group];

		json_array_append_new(a, group_json(sn, l, (size_t)l->top[t].group));
		for (size_t m = 0; m < g->nmembers; m++)
			json_array_append_new(a, component_json(sn, l, g->members[m]));
	}
	return a;
}

/* The components an incident or maintenance names, as component objects;
 * one no longer in the config is shown with what is known of it. */
static json_t *
affected_json(const struct snapshot *sn, const struct sp_layout *l, char **ids, size_t n,
	      char (*statuses)[24])
{
	json_t *a = json_array();

	for (size_t k = 0; k < n; k++) {
		size_t i;

		if (statuspage_find_component(sn, ids[k], &i) != NULL)
			json_array_append_new(a, component_json(sn, l, i));
		else
			json_array_append_new(a, component_fields(sn, l, ids[k], ids[k],
				statuses != NULL ? statuses[k] : "operational",
				sn->updated_at, 0, NULL, false));
	}
	return a;
}

static json_t *
update_json(const char *id, const char *status, const char *body, json_t *incident_id,
	    int64_t at)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "status", jstr(status));
	json_object_set_new(o, "body", jstr(body != NULL ? body : ""));
	json_object_set_new(o, "incident_id", incident_id);
	json_object_set_new(o, "created_at", json_time(at));
	json_object_set_new(o, "updated_at", json_time(at));
	json_object_set_new(o, "display_at", json_time(at));
	json_object_set_new(o, "affected_components", json_null());
	json_object_set_new(o, "deliver_notifications", json_true());
	json_object_set_new(o, "custom_tweet", json_null());
	json_object_set_new(o, "tweet_id", json_null());
	return o;
}

static json_t *
incident_json(const struct snapshot *sn, const struct sp_layout *l,
	      const struct snapshot_incident *inc)
{
	json_t *o = json_object(), *updates = json_array();
	char path[48], *shortlink;
	const char *status = strcmp(inc->status, "closed") == 0 ? "resolved" : inc->status;

	snprintf(path, sizeof(path), "incidents/inc-%lld", (long long)inc->id);
	shortlink = statuspage_url(sn, path);
	json_object_set_new(o, "id", jidf("inc", inc->id));
	json_object_set_new(o, "name", jstr(inc->name));
	json_object_set_new(o, "status", jstr(status));
	json_object_set_new(o, "created_at", json_time(inc->created_at));
	json_object_set_new(o, "updated_at", json_time(inc->updated_at));
	json_object_set_new(o, "monitoring_at", json_time(inc->monitoring_at));
	json_object_set_new(o, "resolved_at", json_time(inc->resolved_at));
	json_object_set_new(o, "impact", jstr(inc->impact));
	json_object_set_new(o, "shortlink", jstr(shortlink));
	json_object_set_new(o, "started_at", json_time(inc->created_at));
	json_object_set_new(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	for (size_t u = 0; u < inc->nupdates; u++) {
		const struct snapshot_update *up = &inc->updates[u];
		char id[48];

		snprintf(id, sizeof(id), "upd-%lld", (long long)up->id);
		json_array_append_new(updates, update_json(id, up->status, up->body,
							   jidf("inc", inc->id),
							   up->published_at));
	}
	json_object_set_new(o, "incident_updates", updates);
	json_object_set_new(o, "components", affected_json(sn, l, inc->components,
							   inc->ncomponents,
							   inc->component_status));
	free(shortlink);
	return o;
}

/* Statuspage's own words when a maintenance starts and ends on schedule. */
#define MAINT_STARTED "Scheduled maintenance is currently in progress. We will provide updates as necessary."
#define MAINT_COMPLETED "The scheduled maintenance has been completed."

static json_t *
maintenance_json(const struct snapshot *sn, const struct sp_layout *l,
		 const struct snapshot_maintenance *m)
{
	json_t *o = json_object(), *updates = json_array();
	char path[48], id[64], *shortlink;
	bool started = strcmp(m->status, "scheduled") != 0;
	bool completed = strcmp(m->status, "completed") == 0;
	int64_t completed_at = m->completed_at != 0 ? m->completed_at : m->scheduled_until;

	/* Its own page, as an incident's. */
	snprintf(path, sizeof(path), "maintenances/mnt-%lld", (long long)m->id);
	shortlink = statuspage_url(sn, path);
	json_object_set_new(o, "id", jidf("mnt", m->id));
	json_object_set_new(o, "name", jstr(m->name));
	json_object_set_new(o, "status", jstr(m->status));
	json_object_set_new(o, "created_at", json_time(m->created_at));
	json_object_set_new(o, "updated_at", json_time(m->updated_at));
	json_object_set_new(o, "monitoring_at", json_null());
	json_object_set_new(o, "resolved_at", completed ? json_time(completed_at) : json_null());
	json_object_set_new(o, "impact", json_string("maintenance"));
	json_object_set_new(o, "shortlink", jstr(shortlink));
	json_object_set_new(o, "started_at", json_time(m->scheduled_for));
	json_object_set_new(o, "page_id", jstr(sn->page_id != NULL ? sn->page_id : ""));
	/* The store keeps a maintenance's text, not a trail of updates: the
	 * trail is what Statuspage would show, newest first. */
	if (completed) {
		snprintf(id, sizeof(id), "mnt-%lld-completed", (long long)m->id);
		json_array_append_new(updates, update_json(id, "completed", MAINT_COMPLETED,
							   jidf("mnt", m->id), completed_at));
	}
	if (started) {
		snprintf(id, sizeof(id), "mnt-%lld-in_progress", (long long)m->id);
		json_array_append_new(updates, update_json(id, "in_progress", MAINT_STARTED,
			jidf("mnt", m->id), m->started_at != 0 ? m->started_at : m->scheduled_for));
	}
	snprintf(id, sizeof(id), "mnt-%lld-scheduled", (long long)m->id);
	json_array_append_new(updates, update_json(id, "scheduled",
						   m->body != NULL ? m->body : m->name,
						   jidf("mnt", m->id), m->created_at));
	json_object_set_new(o, "incident_updates", updates);
	json_object_set_new(o, "components", affected_json(sn, l, m->components,
							   m->ncomponents, NULL));
	json_object_set_new(o, "scheduled_for", json_time(m->scheduled_for));
	json_object_set_new(o, "scheduled_until", json_time(m->scheduled_until));
	free(shortlink);
	return o;
}

static json_t *
status_json(const struct snapshot *sn)
{
	return json_pack("{s:o, s:o}", "indicator", jstr(snapshot_indicator(sn)),
			 "description", jstr(snapshot_description(sn)));
}

static json_t *
incidents_json(const struct snapshot *sn, const struct sp_layout *l, bool unresolved)
{
	json_t *a = json_array();
	size_t n, *v = statuspage_incidents_recent(sn, unresolved, unresolved ?
						   sn->nincidents : STATUSPAGE_LIST_MAX, &n);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, incident_json(sn, l, &sn->incidents[v[i]]));
	free(v);
	return a;
}

/* which: 0 all (the most recent first), 1 upcoming, 2 active, 3 both. */
static json_t *
maintenances_json(const struct snapshot *sn, const struct sp_layout *l, int which)
{
	json_t *a = json_array();

	if (which == 0) {
		size_t n, *v = statuspage_maintenances_recent(sn, STATUSPAGE_LIST_MAX, &n);

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, maintenance_json(sn, l, &sn->maintenances[v[i]]));
		free(v);
		return a;
	}
	for (size_t i = 0; i < sn->nmaintenances; i++) {
		const struct snapshot_maintenance *m = &sn->maintenances[i];

		if (((which & 1) && statuspage_maint_upcoming(m)) ||
		    ((which & 2) && statuspage_maint_active(m)))
			json_array_append_new(a, maintenance_json(sn, l, m));
	}
	return a;
}

void
statuspage_json(struct buf *out, const struct snapshot *sn, enum statuspage_doc which)
{
	struct sp_layout l;
	json_t *o = json_object();
	char *text;

	statuspage_layout_build(&l, sn);
	json_object_set_new(o, "page", page_json(sn));
	switch (which) {
	case STATUSPAGE_SUMMARY:
		json_object_set_new(o, "components", components_json(sn, &l));
		json_object_set_new(o, "incidents", incidents_json(sn, &l, true));
		json_object_set_new(o, "scheduled_maintenances", maintenances_json(sn, &l, 3));
		json_object_set_new(o, "status", status_json(sn));
		break;
	case STATUSPAGE_STATUS:
		json_object_set_new(o, "status", status_json(sn));
		break;
	case STATUSPAGE_COMPONENTS:
		json_object_set_new(o, "components", components_json(sn, &l));
		break;
	case STATUSPAGE_INCIDENTS:
		json_object_set_new(o, "incidents", incidents_json(sn, &l, false));
		break;
	case STATUSPAGE_INCIDENTS_UNRESOLVED:
		json_object_set_new(o, "incidents", incidents_json(sn, &l, true));
		break;
	case STATUSPAGE_MAINTENANCES:
		json_object_set_new(o, "scheduled_maintenances", maintenances_json(sn, &l, 0));
		break;
	case STATUSPAGE_MAINTENANCES_UPCOMING:
		json_object_set_new(o, "scheduled_maintenances", maintenances_json(sn, &l, 1));
		break;
	case STATUSPAGE_MAINTENANCES_ACTIVE:
		json_object_set_new(o, "scheduled_maintenances", maintenances_json(sn, &l, 2));
		break;
	}
	statuspage_layout_release(&l);
	/* Every text went through escape_clean: this fails only when
	 * memory does; the page is served without this document then. */
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL) {
		log_warnx("cannot encode the status page's JSON document %d", (int)which);
		json_decref(o);
		buf_adds(out, "{}\n");
		return;
	}
	json_decref(o);
	buf_adds(out, text);
	buf_addch(out, '\n');
	free(text);
}
