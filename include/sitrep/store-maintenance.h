/* store-maintenance.h: the rows of scheduled maintenances and their
 * components, their notices queued to subscribers, and the reminders the
 * scheduler fired (store-maintenance.c). Who may schedule or cancel a
 * maintenance and when its window opens is maintenance.h's business;
 * opening the store and its transactions are store.h's. */
#ifndef SITREP_STORE_MAINTENANCE_H
#define SITREP_STORE_MAINTENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A maintenance row. Times are ms since the epoch, 0 when not yet. */
struct store_maintenance {
	int64_t id;
	char *title;
	char *body;          /* may be NULL */
	char state[12];      /* scheduled, in_progress, completed, cancelled */
	int64_t starts_at, ends_at;
	char *created_by;
	int64_t created_at, updated_at, started_at, completed_at, cancelled_at;
	char **components;
	size_t ncomponents;
};

int store_maintenance_insert(int64_t *out_id, struct store *s,
			     const struct store_maintenance *m);
int store_maintenance_get(struct store_maintenance *out, struct store *s, int64_t id);
/* Write state and its times (by id). */
int store_maintenance_update(struct store *s, const struct store_maintenance *m);
/* Scheduled and in-progress ones, and (when since is not 0) those that
 * ended or were cancelled after since; by start time. */
int store_maintenances_get(struct store_maintenance **out, size_t *n, struct store *s,
			   int64_t since);
void store_maintenance_release(struct store_maintenance *m);
void store_maintenances_free(struct store_maintenance *v, size_t n);

/* Queue a maintenance's notice (subject and payload) to every active
 * subscriber of kind whose component filter meets the maintenance's
 * components (or who has none); *count says how many. */
int store_outbox_add_maintenance_subscribers(int64_t *count, struct store *s,
					     const char *kind, int64_t maintenance_id,
					     const char *channel, int64_t now,
					     const char *subject, const char *payload);

/* Reminders fired: each key fires once. Returns 0 when this call recorded
 * it, SR_EEXIST when it had fired already. */
int store_reminder_fire(struct store *s, const char *key, int64_t incident_id,
			const char *kind, int64_t due_at, int64_t fired_at);
int store_reminder_fired(bool *out, struct store *s, const char *key);

#endif
