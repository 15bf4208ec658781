/* store.h: the SQLite store (WAL, one file). All SQL lives in store.c and
 * migrate.c; nothing else sees a sqlite3 handle. */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 2

/*
 * Open (creating if missing) the database at path, set WAL, busy_timeout and
 * foreign_keys, and migrate it to STORE_SCHEMA_VERSION. A database from a
 * newer sitrep is refused (SR_EREFUSED) and left untouched. *out is NULL
 * on failure.
 */
int store_open(struct store **out, const char *path);
void store_close(struct store *s);

/* The schema version of the open database. */
int store_schema_version(struct store *s);

/* A write transaction (BEGIN IMMEDIATE); commit or roll back. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Rows in the timeline of every incident (for tests and `sitrep show`). */
int store_event_count(int64_t *out, struct store *s);

/*
 * What validating one playbook blob found: its title and severity when
 * valid, else how many problems. Keyed by the blob id and a context string
 * naming everything else the result depends on (playbook_rules_id() and the
 * site config's components), so a stale summary is never found.
 */
struct store_summary {
	char blob[41];
	char *title;  /* NULL when invalid */
	int severity; /* 1..4, 0 when invalid */
	int problems;
};

/* Fill *out (whose blob is set) from the store; SR_ENOTFOUND when absent. */
int store_summary_get(struct store_summary *out, struct store *s, const char *context);
/* Save n summaries in one transaction. */
int store_summaries_put(struct store *s, const char *context,
			const struct store_summary *v, size_t n);
void store_summary_release(struct store_summary *sum);

/* An incident row (store-incident.c). Times are ms since the epoch, 0 when
 * not yet. */
struct store_incident {
	int64_t id;
	char *playbook;
	char commit[41]; /* the pinned playbook commit */
	char *title;
	int severity;    /* 1..4 */
	char status[16];
	char *opened_by;
	int64_t opened_at, updated_at, resolved_at, closed_at;
};

struct store_component {
	char *component;
	char status[24];
};

struct store_holder {
	char *role;
	char *person;
	int64_t since;
};

struct store_event {
	int64_t id, incident_id, at;
	char *actor, *kind, *details; /* details: JSON */
	char prev_hash[65], hash[65];
};

int store_incident_insert(int64_t *out_id, struct store *s, const struct store_incident *inc);
/* SR_ENOTFOUND when there is no such incident. */
int store_incident_get(struct store_incident *out, struct store *s, int64_t id);
/* Write severity, status and the times of inc (by id). */
int store_incident_update(struct store *s, const struct store_incident *inc);
/* Incidents not closed (all when all), newest first. */
int store_incidents_list(struct store_incident **out, size_t *n, struct store *s, bool all);
void store_incident_release(struct store_incident *inc);
void store_incidents_free(struct store_incident *v, size_t n);

int store_component_set(struct store *s, int64_t id, const char *component,
			const char *status);
int store_components_get(struct store_component **out, size_t *n, struct store *s,
			 int64_t id);
void store_components_free(struct store_component *v, size_t n);

/* Role holders of an incident, all roles when role is NULL, oldest first. */
int store_holders_get(struct store_holder **out, size_t *n, struct store *s,
		      int64_t id, const char *role);
void store_holders_free(struct store_holder *v, size_t n);
int store_holder_add(struct store *s, int64_t id, const char *role, const char *person,
		     int64_t since);
/* SR_ENOTFOUND when person does not hold role. */
int store_holder_remove(struct store *s, int64_t id, const char *role, const char *person);

struct store_page {
	int64_t id, incident_id;
	char *role;
	int tier; /* 0..4 */
	char *person;
	int64_t paged_at, timeout_at, closed_at;
	char state[12]; /* open, acked, escalated, cancelled */
};

int store_page_insert(struct store *s, const struct store_page *p);
/* An incident's pages, oldest first; only open ones when open_only. */
int store_pages_get(struct store_page **out, size_t *n, struct store *s, int64_t id,
		    bool open_only);
int store_page_close(struct store *s, int64_t page_id, const char *state, int64_t at);
void store_pages_free(struct store_page *v, size_t n);

struct store_step {
	char *step;
	char state[8]; /* done, skipped */
	int64_t at;
	char *actor;
	char *note; /* may be NULL */
};

/* The steps of an incident that are done or skipped. */
int store_steps_get(struct store_step **out, size_t *n, struct store *s, int64_t id);
void store_steps_free(struct store_step *v, size_t n);
int store_step_set(struct store *s, int64_t id, const struct store_step *st);

/*
 * Append an event to the incident's timeline, chained to the one before
 * by SHA-256 (timeline.c). Call inside the transaction of the change it
 * records.
 */
int store_event_append(struct store *s, int64_t incident_id, int64_t at,
		       const char *actor, const char *kind, const char *details);
int store_events_get(struct store_event **out, size_t *n, struct store *s,
		     int64_t incident_id);
void store_events_free(struct store_event *v, size_t n);

#endif
