/* escalate.h: paging a role to the support tiers' rosters, acknowledging,
 * and escalating tier by tier (tiered) or to every tier at once (swarm).
 * Each page records when it times out, for the daemon to escalate. */
#ifndef SITREP_ESCALATE_H
#define SITREP_ESCALATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident_ctx;

/* Page role at tier (-1: the playbook's first tier; every tier when the
 * playbook's mode is swarm). */
int escalate_page(struct incident_ctx *ctx, int64_t id, const char *role, int tier);
/* Acknowledge the acting person's open pages on the incident. */
int escalate_ack(struct incident_ctx *ctx, int64_t id);
/*
 * Acknowledge page page_id as ctx->actor, who must be the person paged,
 * via "ack-link" (or NULL for the CLI): the page ends acked, the other
 * open pages of its role end covered ("acknowledged by X"), every unsent
 * notification of them is cancelled, and the others are told. SR_EEXIST
 * when the page has already ended (err_last says by whom and when).
 */
int escalate_ack_page(struct incident_ctx *ctx, int64_t page_id, const char *via);
/* "Can't take it": escalate page_id's role now, as the person paged. */
int escalate_decline_page(struct incident_ctx *ctx, int64_t page_id, const char *via);
/* Escalate role's pages (the latest page's role when role is NULL) to the
 * next tier of the playbook, to tier when >= 0, or to every tier when
 * swarm; other roles' pages are left alone. reason goes in the event. */
int escalate_escalate(struct incident_ctx *ctx, int64_t id, const char *role, int tier,
		      bool swarm, const char *reason);

/* The tier after from in pb's escalation order, or -1 after the last. */
struct playbook;
struct store_page;
int escalate_next_tier(const struct playbook *pb, int from);
/* Whether an unacknowledged page for role will escalate when it times out,
 * given all the incident's pages (all, n): only in a tiered playbook, and
 * only while a tier follows the highest one role was paged at. A swarm
 * pages every tier at once and has nowhere further to go. */
bool escalate_will_escalate(const struct playbook *pb, const struct store_page *all,
			    size_t n, const char *role);

#endif
