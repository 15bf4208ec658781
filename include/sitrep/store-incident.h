/* store-incident.h: the rows of incidents (store-incident.c): the incident
 * itself, its variables, components, role holders, pages, steps, timeline
 * events and pinned playbook texts. What a change means and who may make it
 * is incident.h's and roles.h's business; opening the store and its
 * transactions are store.h's. */
#ifndef SITREP_STORE_INCIDENT_H
#define SITREP_STORE_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* An incident row. Times are ms since the epoch, 0 when not yet. */
struct store_incident {
	int64_t id;
	char *playbook;
	char commit[41]; /* the pinned playbook commit */
	char *title;
	char *public_title; /* what leaves the team; never NULL once read */
	int severity;    /* 1..4 */
	char status[16];
	char *opened_by;
	int64_t opened_at, updated_at, resolved_at, closed_at;
	/* the timeline's end, written with each event (store_event_append):
	 * how many events it has and the hash of the last ("" for none) */
	int64_t event_count;
	char head_hash[65];
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
	char *via; /* how the actor was authenticated; NULL for older events */
	char prev_hash[65], hash[65];
};

int store_incident_insert(int64_t *out_id, struct store *s, const struct store_incident *inc);
/* SR_ENOTFOUND when there is no such incident. */
int store_incident_get(struct store_incident *out, struct store *s, int64_t id);
/* Write severity, status and the times of inc (by id). */
int store_incident_update(struct store *s, const struct store_incident *inc);
/*
 * The incidents with a timeline event after *seen (an event id; 0: from
 * the start), by id; *seen becomes the last event id read. Every change to
 * an incident appends an event, and event ids are given in commit order
 * (writers take turns), so each change is seen exactly once however late
 * its transaction committed.
 */
int store_incidents_changed(int64_t **out, size_t *n, int64_t *seen, struct store *s);
/* The last event id of the store (0: none yet). */
int store_last_event(int64_t *out, struct store *s);
/* Incidents not closed (all when all), newest first. */
int store_incidents_list(struct store_incident **out, size_t *n, struct store *s, bool all);
/* Incidents with a published customer update (to no one account) that are
 * unresolved or were opened at or after since: unresolved first, then
 * newest first. */
int store_public_incidents(struct store_incident **out, size_t *n, struct store *s,
			   int64_t since);
void store_incident_release(struct store_incident *inc);
void store_incidents_free(struct store_incident *v, size_t n);
/* Set the public title of incident id. */
int store_incident_set_public_title(struct store *s, int64_t id, const char *title);

/* A value a playbook's declared template variable has in one incident. */
struct store_var {
	char *name, *value, *set_by;
	int64_t set_at;
};
/* Every variable set in incident id, by name. */
int store_vars_get(struct store_var **out, size_t *n, struct store *s, int64_t id);
void store_vars_free(struct store_var *v, size_t n);
/* Set (or replace) one. */
int store_var_set(struct store *s, int64_t id, const char *name, const char *value,
		  const char *by, int64_t at);

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
	char state[12]; /* open, acked, escalated, cancelled, covered, ended */
	char *schedule;      /* the on-call schedule that put person here; NULL */
	char *ended_by;      /* who ended it (a person, sitrepd); NULL while open */
	char *ended_via;     /* how: local:<user>, ack-link, daemon; NULL */
	char *ended_reason;  /* why; NULL */
	int64_t exhausted_at; /* its last tier was reached unacknowledged; 0 */
};

/* Record p (id, closed_at and the ended fields are not read); its id in
 * *out_id (may be NULL). */
int store_page_insert(int64_t *out_id, struct store *s, const struct store_page *p);
/* An incident's pages, oldest first; only open ones when open_only. */
int store_pages_get(struct store_page **out, size_t *n, struct store *s, int64_t id,
		    bool open_only);
/* One page; SR_ENOTFOUND when there is none. */
int store_page_get(struct store_page *out, struct store *s, int64_t page_id);
/* End open page page_id in state (acked, escalated, cancelled, covered,
 * ended) at at, by whom, via what and why (each may be NULL); SR_EEXIST
 * when it is not open. Its unsent notifications are the caller's
 * (store_outbox_cancel_page). */
int store_page_end(struct store *s, int64_t page_id, const char *state, int64_t at,
		   const char *by, const char *via, const char *reason);
/* Mark page_id's last tier reached with nobody acknowledging (told once). */
int store_page_set_exhausted(struct store *s, int64_t page_id, int64_t at);
/* The incidents (ids, ascending) with an open page none of whose
 * notifications is waiting or sent: all dead, or none at all. */
int store_pages_undeliverable(int64_t **out, size_t *n, struct store *s);
void store_page_release(struct store_page *p);
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
 * by SHA-256 (store_event_hash; timeline.c verifies the chain). via says
 * how actor was authenticated (incident_via). Call inside the
 * transaction of the change it records.
 */
int store_event_append(struct store *s, int64_t incident_id, int64_t at,
		       const char *actor, const char *via, const char *kind,
		       const char *details);
int store_events_get(struct store_event **out, size_t *n, struct store *s,
		     int64_t incident_id);
/*
 * The hex SHA-256 of an event with these fields after prev_hash ("" for
 * the first): each field in this order, in decimal for the numbers and
 * followed by a NUL byte, so no field can run into the next; details is
 * the stored JSON text, byte for byte; via last, when the event has one
 * (events from before schema 13 have none, and hash as they did).
 */
void store_event_hash(char out[65], const char *prev_hash, int64_t incident_id,
		      int64_t at, const char *actor, const char *kind,
		      const char *details, const char *via);
void store_events_free(struct store_event *v, size_t n);

/*
 * The text of playbook name at commit, kept when an incident was opened
 * from it. Put keeps the first text for a commit and name (call inside the
 * transaction that opens the incident); get gives a copy, SR_ENOTFOUND
 * (with no message) when none was kept.
 */
int store_playbook_text_put(struct store *s, const char *commit, const char *name,
			    const char *text);
int store_playbook_text_get(char **out, struct store *s, const char *commit,
			    const char *name);

#endif
