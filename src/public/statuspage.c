/* statuspage.c: what the status page's documents share (statuspage-json.c
 * and statuspage-html.c, and feed.c for the first two): Statuspage's words
 * for a status, links, which incidents and maintenances count as what,
 * their orders, and the components laid out in groups with their ids.
 * Reading the store is snapshot.c's; serving is the daemon's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/xalloc.h"

#include "statuspage-int.h"

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

bool
statuspage_is_resolved(const char *status)
{
	return strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0 ||
	       strcmp(status, "postmortem") == 0;
}

bool
statuspage_maint_active(const struct snapshot_maintenance *m)
{
	return strcmp(m->status, "in_progress") == 0 || strcmp(m->status, "verifying") == 0;
}

bool
statuspage_maint_upcoming(const struct snapshot_maintenance *m)
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

void
statuspage_layout_build(struct sp_layout *l, const struct snapshot *sn)
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

void
statuspage_layout_release(struct sp_layout *l)
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

size_t *
statuspage_incidents_recent(const struct snapshot *sn, bool unresolved_only, size_t max,
			    size_t *n)
{
	size_t *v = xcalloc(sn->nincidents + 1, sizeof(*v)), k = 0;

	for (size_t i = 0; i < sn->nincidents; i++) {
		if (unresolved_only && statuspage_is_resolved(sn->incidents[i].status))
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

size_t *
statuspage_maintenances_recent(const struct snapshot *sn, size_t max, size_t *n)
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

const struct snapshot_component *
statuspage_find_component(const struct snapshot *sn, const char *id, size_t *index)
{
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (strcmp(sn->components[i].id, id) == 0) {
			if (index != NULL)
				*index = i;
			return &sn->components[i];
		}
	return NULL;
}
