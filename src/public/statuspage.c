/* statuspage.c: the public documents rendered from a snapshot: the
 * Statuspage v2 JSON API and the HTML status page, and the text escaping
 * every public document shares (feed.c uses it too). Reading the store is
 * snapshot.c's business; serving, caching and headers are http.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sitrep/clock.h"
#include "sitrep/json.h"
#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/xalloc.h"

/*
 * The length of the valid UTF-8 sequence at p (1..4), or 0 when it is not
 * one: a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF or a sequence cut short (the NUL ends it).
 */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (p[0] == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xf0 && p[1] < 0x90)
			return 0; /* overlong */
		if (p[0] == 0xf4 && p[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/*
 * The one filter every public text goes through, so the HTML, the feeds and
 * the JSON say the same thing. Controls other than tab and newline (C0,
 * DEL and C1) are not text a reader can see and are errors in XML 1.0 or
 * HTML; U+FFFE and U+FFFF are not XML characters; invalid UTF-8 would make
 * a feed unparseable and jansson refuse the string. A carriage return is
 * dropped, so CRLF reads as a newline.
 */
static void
clean_into(struct buf *out, const char *text, bool escape)
{
	const unsigned char *p = (const unsigned char *)text;

	if (text == NULL)
		return;
	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			continue;
		}
		if (n == 1) {
			unsigned char c = *p++;

			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				continue;
			if (!escape)
				buf_addch(out, (char)c);
			else if (c == '&')
				buf_adds(out, "&amp;");
			else if (c == '<')
				buf_adds(out, "&lt;");
			else if (c == '>')
				buf_adds(out, "&gt;");
			else if (c == '"')
				buf_adds(out, "&quot;");
			else if (c == '\'')
				buf_adds(out, "&#39;");
			else
				buf_addch(out, (char)c);
			continue;
		}
		if ((n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||              /* C1 */
		    (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) { /* U+FFFE/F */
			p += n;
			continue;
		}
		buf_add(out, p, n);
		p += n;
	}
}

void
statuspage_escape(struct buf *out, const char *text)
{
	clean_into(out, text, true);
}

char *
statuspage_clean(const char *text)
{
	struct buf b = BUF_INIT;

	if (text == NULL)
		return NULL;
	clean_into(&b, text, false);
	return b.ptr != NULL ? buf_detach(&b) : xstrdup("");
}

const char *
statuspage_status_label(const char *status)
{
	static const char *const words[][2] = {
		{ "operational", "Operational" },
		{ "degraded_performance", "Degraded Performance" },
		{ "partial_outage", "Partial Outage" },
		{ "major_outage", "Major Outage" },
		{ "under_maintenance", "Under Maintenance" },
		{ "investigating", "Investigating" },
		{ "identified", "Identified" },
		{ "monitoring", "Monitoring" },
		{ "resolved", "Resolved" },
		{ "closed", "Resolved" },
		{ "postmortem", "Postmortem" },
		{ "scheduled", "Scheduled" },
		{ "in_progress", "In Progress" },
		{ "verifying", "Verifying" },
		{ "completed", "Completed" },
		{ "none", "None" },
		{ "minor", "Minor" },
		{ "major", "Major" },
		{ "critical", "Critical" },
		{ "maintenance", "Maintenance" },
	};

	if (status == NULL)
		return "";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(status, words[i][0]) == 0)
			return words[i][1];
	return status;
}

char *
statuspage_url(const struct snapshot *sn, const char *path)
{
	const char *base = sn->page_url != NULL ? sn->page_url : "";
	size_t n = strlen(base);

	while (*path == '/')
		path++;
	if (n > 0 && base[n - 1] == '/')
		return xasprintf("%s%s", base, path);
	return xasprintf("%s/%s", base, path);
}

/* ---- what the documents share: ids, groups, orders ---- */

static bool
is_resolved(const char *status)
{
	return strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0 ||
	       strcmp(status, "postmortem") == 0;
}

static bool
maint_active(const struct snapshot_maintenance *m)
{
	return strcmp(m->status, "in_progress") == 0 || strcmp(m->status, "verifying") == 0;
}

static bool
maint_upcoming(const struct snapshot_maintenance *m)
{
	return strcmp(m->status, "scheduled") == 0;
}

/* How bad a component status is, for a group's (the worst member's). */
static int
status_rank(const char *status)
{
	static const char *const order[] = { "operational", "under_maintenance",
					     "degraded_performance", "partial_outage",
					     "major_outage" };

	for (int i = 0; i < 5; i++)
		if (strcmp(status, order[i]) == 0)
			return i;
	return 0;
}

/*
 * Statuspage shows a group as a component of its own (group: true, the ids
 * of its members in components) and each member with group_id. The top
 * level is the ungrouped components and the groups, in the order of their
 * first appearance in the config; positions count from 1 on the top level
 * and again inside each group.
 */
struct sp_item {
	size_t comp;      /* index into sn->components, when group is -1 */
	long group;       /* index into groups, or -1 */
};

struct sp_group {
	const char *name;
	char *id;
	size_t *members;
	size_t nmembers;
	int position;
	char status[24];
	int64_t updated_at;
};

struct sp_layout {
	struct sp_item *top;
	size_t ntop;
	struct sp_group *groups;
	size_t ngroups;
	long *group_of;    /* per component: its group or -1 */
	int *position;     /* per component */
	int64_t page_start;
};

static bool
id_taken(const struct snapshot *sn, const struct sp_layout *l, const char *id)
{
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (strcmp(sn->components[i].id, id) == 0)
			return true;
	for (size_t i = 0; i < l->ngroups; i++)
		if (l->groups[i].id != NULL && strcmp(l->groups[i].id, id) == 0)
			return true;
	return false;
}

/* "group-" and the name in lowercase letters and digits joined by dashes,
 * made unique with -2, -3... */
static char *
group_id(const struct snapshot *sn, const struct sp_layout *l, const char *name)
{
	struct buf b = BUF_INIT;
	bool dash = false;
	char *id;

	buf_adds(&b, "group");
	for (const char *p = name; *p != '\0'; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash || b.len == 5)
				buf_addch(&b, '-');
			buf_addch(&b, c);
			dash = false;
		} else
			dash = true;
	}
	id = buf_detach(&b);
	if (id_taken(sn, l, id)) {
		for (int k = 2;; k++) {
			char *alt = xasprintf("%s-%d", id, k);

			if (!id_taken(sn, l, alt)) {
				free(id);
				return alt;
			}
			free(alt);
		}
	}
	return id;
}

static void
layout_build(struct sp_layout *l, const struct snapshot *sn)
{
	int top_pos = 0;

	memset(l, 0, sizeof(*l));
	l->top = xcalloc(sn->ncomponents + 1, sizeof(*l->top));
	l->groups = xcalloc(sn->ncomponents + 1, sizeof(*l->groups));
	l->group_of = xcalloc(sn->ncomponents + 1, sizeof(*l->group_of));
	l->position = xcalloc(sn->ncomponents + 1, sizeof(*l->position));
	l->page_start = sn->updated_at;
	for (size_t i = 0; i < sn->ncomponents; i++) {
		const struct snapshot_component *c = &sn->components[i];
		struct sp_group *g = NULL;
		size_t k;

		if (c->updated_at != 0 && (l->page_start == 0 || c->updated_at < l->page_start))
			l->page_start = c->updated_at;
		l->group_of[i] = -1;
		if (c->group == NULL || c->group[0] == '\0') {
			l->top[l->ntop].comp = i;
			l->top[l->ntop++].group = -1;
			l->position[i] = ++top_pos;
			continue;
		}
		for (k = 0; k < l->ngroups; k++)
			if (strcmp(l->groups[k].name, c->group) == 0)
				break;
		g = &l->groups[k];
		if (k == l->ngroups) {
			l->ngroups++;
			g->name = c->group;
			g->id = group_id(sn, l, c->group);
			g->members = xcalloc(sn->ncomponents, sizeof(*g->members));
			g->position = ++top_pos;
			snprintf(g->status, sizeof(g->status), "operational");
			l->top[l->ntop].comp = 0;
			l->top[l->ntop++].group = (long)k;
		}
		g->members[g->nmembers++] = i;
		l->group_of[i] = (long)k;
		l->position[i] = (int)g->nmembers;
		if (status_rank(c->status) > status_rank(g->status))
			snprintf(g->status, sizeof(g->status), "%s", c->status);
		if (c->updated_at > g->updated_at)
			g->updated_at = c->updated_at;
	}
}

static void
layout_release(struct sp_layout *l)
{
	for (size_t i = 0; i < l->ngroups; i++) {
		free(l->groups[i].id);
		free(l->groups[i].members);
	}
	free(l->groups);
	free(l->top);
	free(l->group_of);
	free(l->position);
}

/* Indexes of incidents (maintenances) in a wanted order. */
static size_t *
incidents_recent(const struct snapshot *sn, bool unresolved_only, size_t max, size_t *n)
{
	size_t *v = xcalloc(sn->nincidents + 1, sizeof(*v)), k = 0;

	for (size_t i = 0; i < sn->nincidents; i++) {
		if (unresolved_only && is_resolved(sn->incidents[i].status))
			continue;
		/* insertion by created_at, newest first; ties by id */
		size_t j = k++;

		while (j > 0) {
			const struct snapshot_incident *a = &sn->incidents[v[j - 1]],
						       *b = &sn->incidents[i];

			if (a->created_at > b->created_at ||
			    (a->created_at == b->created_at && a->id > b->id))
				break;
			v[j] = v[j - 1];
			j--;
		}
		v[j] = i;
	}
	*n = k < max ? k : max;
	return v;
}

static size_t *
maintenances_recent(const struct snapshot *sn, size_t max, size_t *n)
{
	size_t *v = xcalloc(sn->nmaintenances + 1, sizeof(*v)), k = 0;

	for (size_t i = 0; i < sn->nmaintenances; i++) {
		size_t j = k++;

		while (j > 0) {
			const struct snapshot_maintenance *a = &sn->maintenances[v[j - 1]],
							  *b = &sn->maintenances[i];

			if (a->scheduled_for > b->scheduled_for ||
			    (a->scheduled_for == b->scheduled_for && a->id > b->id))
				break;
			v[j] = v[j - 1];
			j--;
		}
		v[j] = i;
	}
	*n = k < max ? k : max;
	return v;
}

static const struct snapshot_component *
find_component(const struct snapshot *sn, const char *id, size_t *index)
{
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (strcmp(sn->components[i].id, id) == 0) {
			if (index != NULL)
				*index = i;
			return &sn->components[i];
		}
	return NULL;
}

/* ---- JSON ---- */

static json_t *
jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_null();
	clean = statuspage_clean(s);
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

		if (find_component(sn, ids[k], &i) != NULL)
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
	size_t n, *v = incidents_recent(sn, unresolved, unresolved ? sn->nincidents :
					STATUSPAGE_LIST_MAX, &n);

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
		size_t n, *v = maintenances_recent(sn, STATUSPAGE_LIST_MAX, &n);

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, maintenance_json(sn, l, &sn->maintenances[v[i]]));
		free(v);
		return a;
	}
	for (size_t i = 0; i < sn->nmaintenances; i++) {
		const struct snapshot_maintenance *m = &sn->maintenances[i];

		if (((which & 1) && maint_upcoming(m)) || ((which & 2) && maint_active(m)))
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

	layout_build(&l, sn);
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
	layout_release(&l);
	/* Every text went through statuspage_clean: this fails only when
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

/* ---- HTML ---- */

static void
esc(struct buf *out, const char *text)
{
	statuspage_escape(out, text);
}

/* "23 Nov 2026 11:19 UTC", and the machine-readable form beside it. */
static void
html_time(struct buf *out, int64_t ms)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(ms / 1000);
	char iso[32];
	struct tm tm;

	clock_format_iso(iso, sizeof(iso), ms);
	gmtime_r(&secs, &tm);
	buf_addf(out, "<time datetime=\"%s\">%d %s %d %02d:%02d UTC</time>", iso,
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* Statuses and indicators as CSS classes: only known words, so a class
 * attribute never carries text from elsewhere. */
static const char *
css_word(const char *s)
{
	static const char *const known[] = {
		"operational", "degraded_performance", "partial_outage", "major_outage",
		"under_maintenance", "investigating", "identified", "monitoring",
		"resolved", "scheduled", "in_progress", "verifying", "completed",
		"none", "minor", "major", "critical", "maintenance",
	};

	for (size_t i = 0; s != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return "unknown";
}

static const char html_css[] =
	":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;"
	"--line:#d0d7de;--ok:#1a7f37;--minor:#7d4e00;--major:#a63c00;--crit:#c11f2b;"
	"--maint:#0550ae}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;"
	"--muted:#9da7b3;--line:#30363d;--ok:#3fb950;--minor:#d29922;--major:#f0883e;"
	"--crit:#ff7b72;--maint:#79c0ff}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:48rem;padding:1rem;color:var(--fg);"
	"background:var(--bg);font:1rem/1.5 system-ui,-apple-system,\"Segoe UI\","
	"Roboto,sans-serif;overflow-wrap:anywhere}\n"
	"a{color:inherit}a:focus{outline:3px solid var(--maint);outline-offset:2px}\n"
	".skip{position:absolute;left:-100vw}.skip:focus{left:1rem;top:1rem;"
	"background:var(--bg);padding:.5rem}\n"
	"h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem}"
	"h3{font-size:1.05rem;margin:.75rem 0 .25rem}\n"
	".banner{border:2px solid;border-left-width:.6rem;border-radius:.25rem;"
	"padding:.75rem 1rem;font-size:1.2rem;font-weight:600;margin:1rem 0}\n"
	".s-none,.s-operational,.s-resolved,.s-completed{color:var(--ok)}\n"
	".s-minor,.s-degraded_performance,.s-monitoring{color:var(--minor)}\n"
	".s-major,.s-partial_outage,.s-identified{color:var(--major)}\n"
	".s-critical,.s-major_outage,.s-investigating{color:var(--crit)}\n"
	".s-maintenance,.s-under_maintenance,.s-scheduled,.s-in_progress,"
	".s-verifying{color:var(--maint)}\n"
	".banner.s-none{border-color:var(--ok)}.banner.s-minor{border-color:var(--minor)}"
	".banner.s-major{border-color:var(--major)}.banner.s-critical{border-color:var(--crit)}"
	".banner.s-maintenance{border-color:var(--maint)}\n"
	"ul.plain,ol.plain{list-style:none;padding:0;margin:0}\n"
	".row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;"
	"padding:.5rem 0;border-bottom:1px solid var(--line)}\n"
	".st{font-weight:600}.group>ul{padding-left:1rem}\n"
	"article{border:1px solid var(--line);border-radius:.25rem;padding:.25rem 1rem;"
	"margin:.75rem 0}\n"
	".meta,time{color:var(--muted)}.meta{margin:.25rem 0}\n"
	".update{padding:.5rem 0;border-top:1px solid var(--line)}"
	".update p{margin:.25rem 0}\n"
	".body{white-space:pre-wrap}\n"
	"footer{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line)}\n"
	"footer a{margin-right:1rem}\n";

void
statuspage_html_begin(struct buf *out, const char *page_name, const char *title,
		      const char *root)
{
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<title>");
	if (title != NULL) {
		esc(out, title);
		buf_adds(out, " - ");
	}
	esc(out, page_name);
	buf_adds(out, "</title>\n");
	buf_addf(out, "<link rel=\"alternate\" type=\"application/atom+xml\" "
		 "title=\"Incident history (Atom)\" href=\"%shistory.atom\">\n", root);
	buf_addf(out, "<link rel=\"alternate\" type=\"application/rss+xml\" "
		 "title=\"Incident history (RSS)\" href=\"%shistory.rss\">\n", root);
	buf_addf(out, "<style>\n%s</style>\n</head>\n<body>\n"
		 "<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\n", html_css);
	if (title == NULL) {
		buf_adds(out, "<h1>");
		esc(out, page_name);
		buf_adds(out, "</h1>\n");
	} else {
		buf_addf(out, "<p><a href=\"%s\">", root[0] != '\0' ? root : "./");
		esc(out, page_name);
		buf_adds(out, "</a></p>\n");
	}
	buf_adds(out, "</header>\n<main id=\"main\">\n");
}

/* The footer, with the time the page's data last changed unless 0. */
static void
html_foot(struct buf *out, const char *root, int64_t updated)
{
	buf_adds(out, "</main>\n<footer>\n<nav aria-label=\"Follow\">\n");
	buf_addf(out, "<a href=\"%ssubscribe\">Subscribe to updates</a>"
		 "<a href=\"%shistory.atom\">Atom feed</a>"
		 "<a href=\"%shistory.rss\">RSS feed</a>"
		 "<a href=\"%sapi/v2/summary.json\">API</a>\n</nav>\n", root, root, root, root);
	if (updated != 0) {
		buf_adds(out, "<p class=\"meta\">Last updated ");
		html_time(out, updated);
		buf_adds(out, ".</p>\n");
	}
	buf_adds(out, "</footer>\n</body>\n</html>\n");
}

void
statuspage_html_end(struct buf *out, const char *root)
{
	html_foot(out, root, 0);
}

static int64_t
sn_updated(const struct snapshot *sn)
{
	return sn->updated_at != 0 ? sn->updated_at : sn->built_at;
}

static void
html_status(struct buf *out, const char *status)
{
	buf_addf(out, "<span class=\"st s-%s\">", css_word(status));
	esc(out, statuspage_status_label(status));
	buf_adds(out, "</span>");
}

static const char *
component_name(const struct snapshot *sn, const char *id)
{
	const struct snapshot_component *c = find_component(sn, id, NULL);

	return c != NULL && c->name != NULL ? c->name : id;
}

static void
html_updates(struct buf *out, const struct snapshot_incident *inc, const char *heading)
{
	if (inc->nupdates == 0)
		return;
	buf_addf(out, "<%s class=\"meta\">Updates, newest first</%s>\n<ol class=\"plain\">\n",
		 heading, heading);
	for (size_t u = 0; u < inc->nupdates; u++) {
		const struct snapshot_update *up = &inc->updates[u];

		buf_adds(out, "<li class=\"update\"><p>");
		buf_addf(out, "<strong class=\"s-%s\">", css_word(up->status));
		esc(out, statuspage_status_label(up->status));
		buf_adds(out, "</strong> &middot; ");
		html_time(out, up->published_at);
		buf_adds(out, "</p>\n<p class=\"body\">");
		esc(out, up->body);
		buf_adds(out, "</p></li>\n");
	}
	buf_adds(out, "</ol>\n");
}

static void
html_affected(struct buf *out, const struct snapshot *sn, const struct snapshot_incident *inc)
{
	if (inc->ncomponents == 0)
		return;
	buf_adds(out, "<p class=\"meta\">Affected: ");
	for (size_t k = 0; k < inc->ncomponents; k++) {
		if (k > 0)
			buf_adds(out, ", ");
		esc(out, component_name(sn, inc->components[k]));
		if (inc->component_status != NULL && !is_resolved(inc->status)) {
			buf_adds(out, " (");
			esc(out, statuspage_status_label(inc->component_status[k]));
			buf_adds(out, ")");
		}
	}
	buf_adds(out, "</p>\n");
}

static void
html_incident_meta(struct buf *out, const struct snapshot_incident *inc)
{
	const char *status = strcmp(inc->status, "closed") == 0 ? "resolved" : inc->status;

	buf_adds(out, "<p class=\"meta\">Status: ");
	html_status(out, status);
	buf_adds(out, " &middot; Impact: ");
	html_status(out, inc->impact);
	buf_adds(out, " &middot; Started ");
	html_time(out, inc->created_at);
	if (inc->resolved_at != 0 && is_resolved(inc->status)) {
		buf_adds(out, " &middot; Resolved ");
		html_time(out, inc->resolved_at);
	}
	buf_adds(out, "</p>\n");
}

static void
html_active(struct buf *out, const struct snapshot *sn)
{
	size_t n, *v = incidents_recent(sn, true, sn->nincidents, &n);

	if (n == 0) {
		free(v);
		return;
	}
	buf_adds(out, "<section aria-labelledby=\"h-active\">\n"
		 "<h2 id=\"h-active\">Active incidents</h2>\n");
	for (size_t i = 0; i < n; i++) {
		const struct snapshot_incident *inc = &sn->incidents[v[i]];

		buf_addf(out, "<article aria-labelledby=\"inc-%lld\">\n<h3 id=\"inc-%lld\">"
			 "<a href=\"incidents/inc-%lld\">", (long long)inc->id,
			 (long long)inc->id, (long long)inc->id);
		esc(out, inc->name);
		buf_adds(out, "</a></h3>\n");
		html_incident_meta(out, inc);
		html_affected(out, sn, inc);
		html_updates(out, inc, "h4");
		buf_adds(out, "</article>\n");
	}
	buf_adds(out, "</section>\n");
	free(v);
}

static void html_maintenance_meta(struct buf *out, const struct snapshot *sn,
				  const struct snapshot_maintenance *m);

static void
html_maintenance(struct buf *out, const struct snapshot *sn, const struct snapshot_maintenance *m)
{
	buf_addf(out, "<article aria-labelledby=\"mnt-%lld\">\n<h4 id=\"mnt-%lld\">"
		 "<a href=\"maintenances/mnt-%lld\">", (long long)m->id, (long long)m->id,
		 (long long)m->id);
	esc(out, m->name);
	buf_adds(out, "</a></h4>\n");
	html_maintenance_meta(out, sn, m);
	buf_adds(out, "</article>\n");
}

/* A maintenance's status, window, components and text. */
static void
html_maintenance_meta(struct buf *out, const struct snapshot *sn,
		      const struct snapshot_maintenance *m)
{
	buf_adds(out, "<p class=\"meta\">Status: ");
	html_status(out, m->status);
	buf_adds(out, " &middot; ");
	html_time(out, m->scheduled_for);
	buf_adds(out, " to ");
	html_time(out, m->scheduled_until);
	buf_adds(out, "</p>\n");
	if (m->ncomponents > 0) {
		buf_adds(out, "<p class=\"meta\">Components: ");
		for (size_t k = 0; k < m->ncomponents; k++) {
			if (k > 0)
				buf_adds(out, ", ");
			esc(out, component_name(sn, m->components[k]));
		}
		buf_adds(out, "</p>\n");
	}
	if (m->body != NULL && m->body[0] != '\0') {
		buf_adds(out, "<p class=\"body\">");
		esc(out, m->body);
		buf_adds(out, "</p>\n");
	}
}

static void
html_maintenances(struct buf *out, const struct snapshot *sn)
{
	size_t active = 0, upcoming = 0;

	for (size_t i = 0; i < sn->nmaintenances; i++) {
		active += maint_active(&sn->maintenances[i]);
		upcoming += maint_upcoming(&sn->maintenances[i]);
	}
	if (active + upcoming == 0)
		return;
	buf_adds(out, "<section aria-labelledby=\"h-maint\">\n"
		 "<h2 id=\"h-maint\">Scheduled maintenance</h2>\n");
	if (active > 0) {
		buf_adds(out, "<h3>In progress</h3>\n");
		for (size_t i = 0; i < sn->nmaintenances; i++)
			if (maint_active(&sn->maintenances[i]))
				html_maintenance(out, sn, &sn->maintenances[i]);
	}
	if (upcoming > 0) {
		buf_adds(out, "<h3>Upcoming</h3>\n");
		for (size_t i = 0; i < sn->nmaintenances; i++)
			if (maint_upcoming(&sn->maintenances[i]))
				html_maintenance(out, sn, &sn->maintenances[i]);
	}
	buf_adds(out, "</section>\n");
}

static void
html_component_row(struct buf *out, const char *name, const char *status)
{
	buf_adds(out, "<span class=\"name\">");
	esc(out, name);
	buf_adds(out, "</span> ");
	html_status(out, status);
}

static void
html_components(struct buf *out, const struct snapshot *sn)
{
	struct sp_layout l;

	if (sn->ncomponents == 0)
		return;
	layout_build(&l, sn);
	buf_adds(out, "<section aria-labelledby=\"h-components\">\n"
		 "<h2 id=\"h-components\">Components</h2>\n<ul class=\"plain\">\n");
	for (size_t t = 0; t < l.ntop; t++) {
		if (l.top[t].group < 0) {
			const struct snapshot_component *c = &sn->components[l.top[t].comp];

			buf_adds(out, "<li class=\"row\">");
			html_component_row(out, c->name != NULL ? c->name : c->id, c->status);
			buf_adds(out, "</li>\n");
			continue;
		}
		const struct sp_group *g = &l.groups[l.top[t].group];

		buf_adds(out, "<li class=\"group\"><h3 class=\"row\">");
		html_component_row(out, g->name, g->status);
		buf_adds(out, "</h3>\n<ul class=\"plain\">\n");
		for (size_t m = 0; m < g->nmembers; m++) {
			const struct snapshot_component *c = &sn->components[g->members[m]];

			buf_adds(out, "<li class=\"row\">");
			html_component_row(out, c->name != NULL ? c->name : c->id, c->status);
			buf_adds(out, "</li>\n");
		}
		buf_adds(out, "</ul></li>\n");
	}
	buf_adds(out, "</ul>\n</section>\n");
	layout_release(&l);
}

/* Completed maintenances, the latest first, each linking to its page. */
static void
html_past_maintenances(struct buf *out, const struct snapshot *sn)
{
	size_t n, shown = 0, *v = maintenances_recent(sn, sn->nmaintenances, &n);

	for (size_t i = 0; i < n; i++) {
		const struct snapshot_maintenance *m = &sn->maintenances[v[i]];

		if (strcmp(m->status, "completed") != 0)
			continue;
		if (shown++ == 0)
			buf_addf(out, "<section aria-labelledby=\"h-past-maint\">\n<h2 id=\""
				 "h-past-maint\">Past maintenance (last %d days)</h2>\n"
				 "<ul class=\"plain\">\n", SNAPSHOT_HISTORY_DAYS);
		buf_addf(out, "<li class=\"row\"><span><a href=\"maintenances/mnt-%lld\">",
			 (long long)m->id);
		esc(out, m->name);
		buf_adds(out, "</a><br>");
		html_time(out, m->scheduled_for);
		buf_adds(out, "</span></li>\n");
	}
	if (shown > 0)
		buf_adds(out, "</ul>\n</section>\n");
	free(v);
}

static void
html_history(struct buf *out, const struct snapshot *sn)
{
	int64_t since = sn->built_at != 0 ?
			sn->built_at - (int64_t)SNAPSHOT_HISTORY_DAYS * 86400 * 1000 : 0;
	size_t n, shown = 0, *v = incidents_recent(sn, false, sn->nincidents, &n);

	buf_addf(out, "<section aria-labelledby=\"h-history\">\n"
		 "<h2 id=\"h-history\">Past incidents (last %d days)</h2>\n<ul class=\"plain\">\n",
		 SNAPSHOT_HISTORY_DAYS);
	for (size_t i = 0; i < n; i++) {
		const struct snapshot_incident *inc = &sn->incidents[v[i]];
		int64_t end = inc->resolved_at != 0 ? inc->resolved_at : inc->updated_at;

		if (!is_resolved(inc->status) || (since != 0 && end < since &&
						  inc->created_at < since))
			continue;
		buf_addf(out, "<li class=\"row\"><span><a href=\"incidents/inc-%lld\">",
			 (long long)inc->id);
		esc(out, inc->name);
		buf_adds(out, "</a><br>");
		html_time(out, inc->created_at);
		buf_adds(out, "</span> <span>Impact: ");
		html_status(out, inc->impact);
		buf_adds(out, "</span></li>\n");
		shown++;
	}
	if (shown == 0)
		buf_adds(out, "<li>No incidents reported.</li>\n");
	buf_adds(out, "</ul>\n</section>\n");
	free(v);
	html_past_maintenances(out, sn);
}

static void
html_banner(struct buf *out, const struct snapshot *sn)
{
	buf_addf(out, "<p class=\"banner s-%s\">", css_word(snapshot_indicator(sn)));
	esc(out, snapshot_description(sn));
	buf_adds(out, "</p>\n");
}

void
statuspage_html(struct buf *out, const struct snapshot *sn)
{
	statuspage_html_begin(out, sn->page_name, NULL, "");
	buf_adds(out, "<section aria-labelledby=\"h-overall\">\n"
		 "<h2 id=\"h-overall\">Current status</h2>\n");
	html_banner(out, sn);
	buf_adds(out, "</section>\n");
	html_active(out, sn);
	html_maintenances(out, sn);
	html_components(out, sn);
	html_history(out, sn);
	html_foot(out, "", sn_updated(sn));
}

int
statuspage_incident_html(struct buf *out, const struct snapshot *sn, int64_t id)
{
	const struct snapshot_incident *inc = NULL;

	for (size_t i = 0; i < sn->nincidents; i++)
		if (sn->incidents[i].id == id)
			inc = &sn->incidents[i];
	if (inc == NULL)
		return err_set(SR_ENOTFOUND, "no incident INC-%lld on the status page",
			       (long long)id);
	statuspage_html_begin(out, sn->page_name, inc->name, "../");
	buf_adds(out, "<h1>");
	esc(out, inc->name);
	buf_adds(out, "</h1>\n");
	html_incident_meta(out, inc);
	html_affected(out, sn, inc);
	html_updates(out, inc, "h2");
	if (inc->nupdates == 0)
		buf_adds(out, "<p>No updates yet.</p>\n");
	html_foot(out, "../", sn_updated(sn));
	return 0;
}

int
statuspage_maintenance_html(struct buf *out, const struct snapshot *sn, int64_t id)
{
	const struct snapshot_maintenance *m = NULL;

	for (size_t i = 0; i < sn->nmaintenances; i++)
		if (sn->maintenances[i].id == id)
			m = &sn->maintenances[i];
	if (m == NULL)
		return err_set(SR_ENOTFOUND, "no maintenance mnt-%lld on the status page",
			       (long long)id);
	statuspage_html_begin(out, sn->page_name, m->name, "../");
	buf_adds(out, "<h1>");
	esc(out, m->name);
	buf_adds(out, "</h1>\n");
	html_maintenance_meta(out, sn, m);
	if (m->started_at != 0) {
		buf_adds(out, "<p class=\"meta\">Started ");
		html_time(out, m->started_at);
		if (m->completed_at != 0) {
			buf_adds(out, " &middot; Completed ");
			html_time(out, m->completed_at);
		}
		buf_adds(out, "</p>\n");
	}
	html_foot(out, "../", sn_updated(sn));
	return 0;
}
