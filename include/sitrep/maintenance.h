/* maintenance.h: planned work announced to customers ahead of time:
 * scheduling it, listing it, cancelling it, and the moves sitrepd makes
 * when its window opens and closes. Every change is one transaction that
 * also queues the customers' notice (comms_notify_maintenance); the rows
 * are store-maintenance.h's. */
#ifndef SITREP_MAINTENANCE_H
#define SITREP_MAINTENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident_ctx;
struct store;
struct store_maintenance;

/* What `sitrep maintenance schedule` asks for. */
struct maintenance_req {
	const char *title;
	const char *body;         /* NULL: none */
	const char *from, *until; /* times as clock_parse_time reads them */
	char *const *components;
	size_t ncomponents;
};

/*
 * The checks of req that need no workspace, at now: a title
 * (incident_check_title), two times, the end after the start (SR_EUSAGE,
 * the message naming the option) and not yet past (SR_EREFUSED). Sets
 * *starts_at and *ends_at. maintenance_schedule makes them again; a caller
 * may make them first to refuse bad input before it opens the workspace.
 */
int maintenance_check(int64_t *starts_at, int64_t *ends_at, const struct maintenance_req *req,
		      int64_t now);

/*
 * Schedule a maintenance at now as ctx->actor, who must be one of the
 * site's people, for components the site config declares: one transaction
 * records it and queues its notice ("maintenance.scheduled") to every
 * channel and subscriber serving customers. *out_id is the new id,
 * *queued how many messages were queued. A refusal leaves the store as
 * it was.
 */
int maintenance_schedule(int64_t *out_id, int64_t *queued, struct incident_ctx *ctx,
			 const struct maintenance_req *req, int64_t now);

/* The scheduled and running maintenances, and with all the ended and
 * cancelled ones too, by start time; free with store_maintenances_free. */
int maintenance_list(struct store_maintenance **out, size_t *n, struct store *s, bool all);

/*
 * Cancel maintenance id at now as ctx->actor (one of the site's people):
 * only a scheduled or running one (SR_EREFUSED otherwise, SR_ENOTFOUND
 * when there is none). Queues "maintenance.cancelled" with reason, or a
 * sentence saying it will not take place when reason is NULL.
 */
int maintenance_cancel(int64_t *queued, struct incident_ctx *ctx, int64_t id,
		       const char *reason, int64_t now);

/* When m next moves on its own: its start when scheduled, its end when in
 * progress; 0 when never (completed, cancelled). */
int64_t maintenance_due(const struct store_maintenance *m);

/*
 * sitrepd's move of m at now, its due time having come: a scheduled one
 * starts (in_progress, "maintenance.started"), a running one completes
 * ("maintenance.completed"), in one transaction with its notice; m is
 * updated when it commits. A maintenance whose whole window has passed
 * takes two calls. SR_EREFUSED when m has no move to make. When its row
 * changed since m was read (cancelled meanwhile), nothing is written or
 * queued and m becomes the row as stored.
 */
int maintenance_advance(int64_t *queued, struct incident_ctx *ctx, struct store_maintenance *m,
			int64_t now);

#endif
