/* statuspage.h: the public documents rendered from a snapshot: the
 * Statuspage v2 public API (same paths, field names and values as
 * Atlassian Statuspage's /api/v2; statuspage-json.c) and the HTML status
 * page (statuspage-html.c), and what they share (statuspage.c). Pure
 * functions of the snapshot: no store, no clock, no I/O. The escaping
 * they share with the feeds is escape.h's.
 *
 * Ids: an incident is "inc-<n>" (INC-7 is "inc-7"), its updates
 * "upd-<n>", a maintenance "mnt-<n>" and its (synthesized) updates
 * "mnt-<n>-scheduled", "-in_progress", "-completed"; components keep their
 * config id; a component group is "group-<slug of its name>". Incidents and
 * maintenances are one kind of object in Statuspage, hence the prefixes:
 * their numbers come from different tables. */
#ifndef SITREP_STATUSPAGE_H
#define SITREP_STATUSPAGE_H

#include <stdint.h>

struct buf;
struct snapshot;

enum statuspage_doc {
	STATUSPAGE_SUMMARY,                 /* /api/v2/summary.json */
	STATUSPAGE_STATUS,                  /* /api/v2/status.json */
	STATUSPAGE_COMPONENTS,              /* /api/v2/components.json */
	STATUSPAGE_INCIDENTS,               /* /api/v2/incidents.json */
	STATUSPAGE_INCIDENTS_UNRESOLVED,    /* /api/v2/incidents/unresolved.json */
	STATUSPAGE_MAINTENANCES,            /* /api/v2/scheduled-maintenances.json */
	STATUSPAGE_MAINTENANCES_UPCOMING,   /* .../upcoming.json */
	STATUSPAGE_MAINTENANCES_ACTIVE,     /* .../active.json */
};

/* How many incidents (maintenances) incidents.json
 * (scheduled-maintenances.json) lists, the most recent first, as
 * Statuspage does. */
#define STATUSPAGE_LIST_MAX 50

/* ---- the JSON documents (statuspage-json.c) ---- */

/* Append the JSON document which (compact, UTF-8, one line) to out. */
void statuspage_json(struct buf *out, const struct snapshot *sn, enum statuspage_doc which);

/* ---- the HTML page (statuspage-html.c) ---- */

/*
 * Append the status page (`/`): the overall status, active incidents with
 * their updates (newest first), maintenances in progress and upcoming,
 * components by group, and the incidents of the last
 * SNAPSHOT_HISTORY_DAYS days. HTML5 without scripts; links are relative
 * ("incidents/inc-7", "history.atom"), so the page works under any prefix.
 */
void statuspage_html(struct buf *out, const struct snapshot *sn);

/* Append the page of one incident (`/incidents/<id>`, linking back with
 * "../"); SR_ENOTFOUND when the snapshot has no incident id. */
int statuspage_html_incident(struct buf *out, const struct snapshot *sn, int64_t id);
/* The page of one maintenance (`/maintenances/mnt-<id>`), which stays
 * when it is over; SR_ENOTFOUND when the snapshot has no maintenance id. */
int statuspage_html_maintenance(struct buf *out, const struct snapshot *sn, int64_t id);

/*
 * The start of a page in the status page's style, up to and including
 * <main>, and its end: for the pages rendered elsewhere (the daemon's
 * forms and errors, http-page.c). With a title, the header links home
 * (root: "" or "../") and the caller writes the <h1>; without, the page
 * name is the <h1>. The page name and title are escaped here.
 */
void statuspage_html_begin(struct buf *out, const char *page_name, const char *title,
			   const char *root);
void statuspage_html_end(struct buf *out, const char *root);

/* ---- what the documents share (statuspage.c; feed.c uses it too) ---- */

/* Statuspage's words for a status ("Partial Outage", "Investigating",
 * "In Progress", ...); the status itself when unknown. */
const char *statuspage_status_label(const char *status);

/* The URL of the page joined with a relative path ("incidents/inc-7"),
 * with exactly one slash between; the caller frees it. */
char *statuspage_url(const struct snapshot *sn, const char *path);

#endif
