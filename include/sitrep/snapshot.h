/* snapshot.h: what the public may see, read from the store in one go: the
 * components and their status, the customer-visible incidents with their
 * published customer updates, and the maintenances. The status page, the
 * Statuspage v2 API and the feeds (statuspage*.c, feed.c) are rendered from
 * it; sitrepd rebuilds it only when the store changes. Nothing in it names
 * a responder, and no draft, internal or executive update is in it. */
#ifndef SITREP_SNAPSHOT_H
#define SITREP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct store;

/* How far back the incident history goes. */
#define SNAPSHOT_HISTORY_DAYS 90

struct snapshot_update {
	int64_t id;
	char status[16];      /* investigating .. resolved; maintenance: scheduled .. completed */
	char *body;
	int64_t published_at; /* ms */
};

struct snapshot_component {
	char *id, *name, *group; /* group may be NULL */
	int position;            /* 1.. in the config's order */
	char status[24];         /* operational .. major_outage, under_maintenance */
	int64_t updated_at;      /* the last change that set it; the page's start else */
};

struct snapshot_incident {
	int64_t id;
	char *name;
	char status[16];         /* investigating, identified, monitoring, resolved
				  * (closed shows as resolved) */
	char impact[12];         /* critical, major, minor, none */
	int64_t created_at, updated_at, monitoring_at, resolved_at;
	char **components;       /* ids, with their status in component_status */
	char (*component_status)[24];
	size_t ncomponents;
	struct snapshot_update *updates; /* newest first */
	size_t nupdates;
};

struct snapshot_maintenance {
	int64_t id;
	char *name, *body;       /* body may be NULL */
	char status[16];         /* scheduled, in_progress, completed */
	int64_t scheduled_for, scheduled_until, created_at, updated_at, started_at,
		completed_at;
	char **components;
	size_t ncomponents;
};

struct snapshot {
	char *page_id, *page_name, *page_url, *time_zone;
	int64_t built_at, updated_at;
	struct snapshot_component *components;
	size_t ncomponents;
	struct snapshot_incident *incidents;  /* unresolved first, then newest first */
	size_t nincidents;
	struct snapshot_maintenance *maintenances; /* by start time */
	size_t nmaintenances;
};

/*
 * Read the public state at now. page_start stands for "since when" where
 * nothing public has changed yet (a component no incident touched, a page
 * with no public incident): the server's start, so that internal work
 * never shows in a public timestamp.
 */
int snapshot_build(struct snapshot **out, struct store *s, const struct conf *c, int64_t now,
		   int64_t page_start);
void snapshot_free(struct snapshot *sn);

/* The overall indicator (none, minor, major, critical, maintenance) and its
 * description ("All Systems Operational", ...), Statuspage's words. */
const char *snapshot_indicator(const struct snapshot *sn);
const char *snapshot_description(const struct snapshot *sn);

#endif
