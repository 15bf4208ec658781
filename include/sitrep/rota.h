/* rota.h: the on-call schedules at the playbook branch's head with the
 * store's overrides: who is on call for a schedule now or then, the
 * handoffs between two moments (for `sitrep oncall` and sitrepd's handoff
 * notices), and making or cancelling an override. The arithmetic is
 * oncall.h's, the rows store-oncall.h's. */
#ifndef SITREP_ROTA_H
#define SITREP_ROTA_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct incident_ctx;
struct oncall_schedule;
struct oncall_override;
struct store_override;

struct rota_schedule {
	char *name;
	struct oncall_schedule *s;   /* NULL when the file is invalid */
	struct diags problems;       /* what made it invalid */
	struct store_override *rows; /* overrides in force or to come, oldest first */
	size_t nrows;
	struct oncall_override *ov;  /* the same for oncall_who */
};

struct rota {
	char sha[41];                /* the commit the schedules were read at */
	struct rota_schedule *v;     /* sorted by name */
	size_t n;
};

/*
 * Every NAME.schedule at the head of the configured branch, each parsed
 * and checked against ctx->conf (an invalid one is kept, with its
 * problems, and s NULL), and their overrides from ctx->store that are not
 * cancelled. The tree is read once. The caller frees it with rota_free.
 */
int rota_load(struct rota **out, struct incident_ctx *ctx);
/* The same at commit sha (already resolved). */
int rota_load_at(struct rota **out, struct incident_ctx *ctx, const char *sha);
void rota_free(struct rota *r);

/* The schedule called name, or NULL. */
const struct rota_schedule *rota_schedule(const struct rota *r, const char *name);

/*
 * Who is on call for schedule at at_ms (oncall_who, overrides included):
 * SR_ENOTFOUND when there is no such schedule, SR_EINVALID when its file
 * is invalid (err_last() says so); *person NULL when nobody is on call.
 * *next_change (may be NULL): when that changes, INT64_MAX for never.
 */
int rota_who(const char **person, int64_t *next_change, const struct rota *r,
	     const char *schedule, int64_t at_ms);

/* A handoff of one schedule: from or to NULL when nobody. */
struct rota_handoff {
	const char *schedule;
	int64_t at_ms;
	const char *from, *to;
};

/* The handoffs of every valid schedule after from_ms up to until_ms, in
 * time order (then by schedule). The caller frees *out. */
int rota_handoffs(struct rota_handoff **out, size_t *n, const struct rota *r,
		  int64_t from_ms, int64_t until_ms);

/*
 * Put person on call for schedule from from_ms until until_ms instead of
 * its rotation, recorded in the store with the actor and reason. Refused
 * (SR_ENOTFOUND, SR_EINVALID or SR_EREFUSED, the store unchanged): a
 * schedule not at the branch head or invalid there, a person not in the
 * site config or without a contact, from not before until, until past, an
 * empty reason.
 */
int rota_override(int64_t *id, struct incident_ctx *ctx, const char *schedule,
		  const char *person, int64_t from_ms, int64_t until_ms, const char *reason);
/* Cancel override id: SR_ENOTFOUND, or SR_EREFUSED when cancelled already. */
int rota_override_cancel(struct incident_ctx *ctx, int64_t id);

#endif
