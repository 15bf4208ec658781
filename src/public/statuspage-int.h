/* statuspage-int.h: what the status page's documents share between
 * statuspage.c, statuspage-json.c and statuspage-html.c: which incidents
 * and maintenances count as what, their orders, and the components laid
 * out in groups. No other module includes it. */
#ifndef SITREP_STATUSPAGE_INT_H
#define SITREP_STATUSPAGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snapshot;
struct snapshot_component;
struct snapshot_maintenance;

/* An incident's status is over (resolved, closed, postmortem). */
bool statuspage_is_resolved(const char *status);
/* A maintenance in progress (or verifying), and one still to come. */
bool statuspage_maint_active(const struct snapshot_maintenance *m);
bool statuspage_maint_upcoming(const struct snapshot_maintenance *m);

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

void statuspage_layout_build(struct sp_layout *l, const struct snapshot *sn);
void statuspage_layout_release(struct sp_layout *l);

/* Indexes of incidents (maintenances) in a wanted order: incidents by
 * created_at, maintenances by scheduled_for, newest first, ties by id;
 * at most max of them, *n saying how many. The caller frees the array. */
size_t *statuspage_incidents_recent(const struct snapshot *sn, bool unresolved_only,
				    size_t max, size_t *n);
size_t *statuspage_maintenances_recent(const struct snapshot *sn, size_t max, size_t *n);

/* The component with config id id, and its index when index is not NULL;
 * NULL when the snapshot has none. */
const struct snapshot_component *statuspage_find_component(const struct snapshot *sn,
							   const char *id, size_t *index);

#endif
