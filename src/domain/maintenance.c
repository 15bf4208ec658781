/* maintenance.c: planned work announced to customers: who may schedule and
 * cancel it, what each change says to them, and the moves of its window
 * (scheduled, in_progress, completed, or cancelled), each one transaction
 * with its notice. The rows are store-maintenance.c's, the fan-out of a
 * notice comms.c's; when to make a move is the daemon's (schedule.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/maintenance.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/utf8.h"

/* The acting person must be one of the site config's people. */
static int
maintenance_check_actor(const struct incident_ctx *ctx)
{
	if (conf_person(ctx->conf, ctx->actor) == NULL)
		return err_set(SR_EREFUSED, "'%s' is not one of the people in %s: act as "
			       "one of them with --as HANDLE", ctx->actor, ctx->conf->path);
	return 0;
}

/* Every component named must be one the site config declares. */
static int
maintenance_check_components(const struct incident_ctx *ctx, const struct maintenance_req *req)
{
	for (size_t i = 0; i < req->ncomponents; i++)
		if (conf_component(ctx->conf, req->components[i]) == NULL)
			return err_set(SR_ENOTFOUND, "no component '%s' in %s",
				       req->components[i], ctx->conf->path);
	return 0;
}

int
maintenance_check(int64_t *starts_at, int64_t *ends_at, const struct maintenance_req *req,
		  int64_t now)
{
	int rc;

	*starts_at = *ends_at = 0;
	if ((rc = incident_check_title("a maintenance", req->title)) != 0)
		return rc;
	if (req->from == NULL || req->until == NULL)
		return err_set(SR_EUSAGE, "a maintenance needs --from and --until");
	if (req->ncomponents == 0)
		return err_set(SR_EUSAGE, "a maintenance needs at least one --component");
	if ((rc = clock_parse_time(starts_at, req->from, now)) != 0 ||
	    (rc = clock_parse_time(ends_at, req->until, now)) != 0)
		return rc;
	if (*ends_at <= *starts_at)
		return err_set(SR_EUSAGE, "--until must come after --from");
	if (*ends_at <= now)
		return err_set(SR_EREFUSED, "--until %s is in the past", req->until);
	return 0;
}

int
maintenance_schedule(int64_t *out_id, int64_t *queued, struct incident_ctx *ctx,
		     const struct maintenance_req *req, int64_t now)
{
	struct store_maintenance m;
	char title[512], text[1024], window[96];
	int rc;

	*out_id = 0;
	*queued = 0;
	memset(&m, 0, sizeof(m));
	if ((rc = maintenance_check(&m.starts_at, &m.ends_at, req, now)) != 0 ||
	    (rc = maintenance_check_actor(ctx)) != 0 ||
	    (rc = maintenance_check_components(ctx, req)) != 0)
		return rc;
	m.title = (char *)req->title;
	m.body = (char *)req->body;
	m.created_by = (char *)ctx->actor;
	m.created_at = now;
	m.components = (char **)req->components;
	m.ncomponents = req->ncomponents;
	snprintf(title, sizeof(title), "Scheduled maintenance: %s", req->title);
	comms_format_window(window, sizeof(window), m.starts_at, m.ends_at, now);
	snprintf(text, sizeof(text), "From %s. %s", window, req->body ? req->body : "");
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = store_maintenance_insert(&m.id, ctx->store, &m)) != 0 ||
	    (rc = comms_notify_maintenance(queued, ctx, &m, "maintenance.scheduled", title,
					   text)) != 0 ||
	    (rc = store_commit(ctx->store)) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	*out_id = m.id;
	return 0;
}

int
maintenance_list(struct store_maintenance **out, size_t *n, struct store *s, bool all)
{
	/* the store's "since" 1 is every maintenance that ever ended */
	return store_maintenances_get(out, n, s, all ? 1 : 0);
}

int
maintenance_cancel(int64_t *queued, struct incident_ctx *ctx, int64_t id, const char *reason,
		   int64_t now)
{
	struct store_maintenance m;
	char title[512];
	int rc;

	*queued = 0;
	if ((rc = maintenance_check_actor(ctx)) != 0)
		return rc;
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = store_maintenance_get(&m, ctx->store, id)) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	if (strcmp(m.state, "scheduled") != 0 && strcmp(m.state, "in_progress") != 0)
		rc = err_set(SR_EREFUSED, "maintenance %lld is %s: only a scheduled or running "
			     "one is cancelled", (long long)id, m.state);
	if (rc == 0) {
		snprintf(m.state, sizeof(m.state), "cancelled");
		m.updated_at = m.cancelled_at = now;
		snprintf(title, sizeof(title), "Maintenance cancelled: %s", m.title);
		if ((rc = store_maintenance_update(ctx->store, &m)) == 0 &&
		    (rc = comms_notify_maintenance(queued, ctx, &m, "maintenance.cancelled", title,
		    reason ? reason : "The scheduled maintenance will not take place.")) == 0)
			rc = store_commit(ctx->store);
	}
	store_maintenance_release(&m);
	if (rc != 0)
		store_rollback(ctx->store);
	return rc;
}

int64_t
maintenance_due(const struct store_maintenance *m)
{
	if (strcmp(m->state, "scheduled") == 0)
		return m->starts_at;
	if (strcmp(m->state, "in_progress") == 0)
		return m->ends_at;
	return 0;
}

/* The moves sitrepd makes on time, and what each tells the customers. */
static const struct maintenance_move {
	const char *from, *to, *event, *heading, *sentence;
} maintenance_moves[] = {
	{ "scheduled", "in_progress", "maintenance.started", "Maintenance in progress",
	  "The scheduled maintenance has begun" },
	{ "in_progress", "completed", "maintenance.completed", "Maintenance completed",
	  "The scheduled maintenance is complete" },
};

/* Inside the transaction: 0 when m's row is still in the state m was read
 * in; 1, with m now the row as stored, when a command changed it since
 * (a `maintenance cancel` between the daemon's list and its move). */
static int
still_as_read(struct store *s, struct store_maintenance *m)
{
	struct store_maintenance now;
	int rc;

	if ((rc = store_maintenance_get(&now, s, m->id)) != 0)
		return rc;
	if (strcmp(now.state, m->state) == 0) {
		store_maintenance_release(&now);
		return 0;
	}
	store_maintenance_release(m);
	*m = now;
	return 1;
}

int
maintenance_advance(int64_t *queued, struct incident_ctx *ctx, struct store_maintenance *m,
		    int64_t now)
{
	const struct maintenance_move *mv = NULL;
	struct store_maintenance to = *m; /* m as moved; its texts are m's */
	char title[512], text[1024], window[96], *mt, *mb;
	int rc;

	*queued = 0;
	for (size_t i = 0; i < sizeof(maintenance_moves) / sizeof(maintenance_moves[0]); i++)
		if (strcmp(m->state, maintenance_moves[i].from) == 0)
			mv = &maintenance_moves[i];
	if (mv == NULL)
		return err_set(SR_EREFUSED, "maintenance %lld is %s: it has no move to make",
			       (long long)m->id, m->state);
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = still_as_read(ctx->store, m)) != 0) {
		store_rollback(ctx->store);
		return rc > 0 ? 0 : rc;
	}
	/* texts written to the store unchecked read with U+FFFD */
	mt = utf8_repair(m->title);
	mb = utf8_repair(m->body ? m->body : "");
	comms_format_window(window, sizeof(window), m->starts_at, m->ends_at, now);
	snprintf(to.state, sizeof(to.state), "%s", mv->to);
	to.updated_at = now;
	if (strcmp(mv->to, "in_progress") == 0)
		to.started_at = now;
	else
		to.completed_at = now;
	snprintf(title, sizeof(title), "%s: %s", mv->heading, mt);
	snprintf(text, sizeof(text), "%s (scheduled from %s). %s", mv->sentence, window, mb);
	free(mt);
	free(mb);
	if ((rc = store_maintenance_update(ctx->store, &to)) != 0 ||
	    (rc = comms_notify_maintenance(queued, ctx, &to, mv->event, title, text)) != 0 ||
	    (rc = store_commit(ctx->store)) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	*m = to;
	return 0;
}
