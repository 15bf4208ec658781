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
/*
 * Cancel the open pages of role (or the one page "PG-n" / "n") on
 * incident id, with reason: they end cancelled, their unsent notifications
 * too; event "page_cancelled". Refused (the store unchanged): an unknown
 * role, a page of another incident, one that has ended, no open page.
 */
int escalate_cancel(struct incident_ctx *ctx, int64_t id, const char *role_or_page,
		    const char *reason);
/*
 * Inside the caller's transaction (roles.c, when person takes, is
 * assigned or handed role): role's open pages end covered (person's own
 * acked); *covered says how many.
 */
int escalate_cover(int64_t *covered, struct incident_ctx *ctx, int64_t id, const char *role,
		   const char *person);
/* Inside the caller's transaction (incident.c, on resolve and close):
 * every open page ends ("ended", with reason); *ended says how many. */
int escalate_end_all(int64_t *ended, struct incident_ctx *ctx, int64_t id, int64_t at,
		     const char *reason);

/*
 * For the daemon. An open page none of whose notifications can arrive
 * (every row dead, or none): when nobody paged for its role can be told,
 * the role escalates now with the reason ("no working contact for ana:
 * mail dead, 550 mailbox unknown"); at the last tier, in a swarm, or while
 * others may still answer, event "page_undeliverable" and a notice to the
 * commander, once. *acted when something was done (one thing per call).
 */
int escalate_undeliverable(bool *acted, struct incident_ctx *ctx, int64_t id);
/* Role's open pages have timed out with nowhere further to go: marked
 * exhausted (once), event "page_exhausted", the commander (or the opener)
 * and the internal channels told. */
int escalate_exhausted(bool *acted, struct incident_ctx *ctx, int64_t id, const char *role);
/* ack_expires: page again the person of acknowledged page page_id (event
 * "repaged"). */
int escalate_repage(struct incident_ctx *ctx, int64_t id, int64_t page_id);

/* Who a page goes to: a person, the schedule that put them there (NULL:
 * a roster or a role's `who`), and the tier it is recorded at. */
struct escalate_person {
	char *person;
	char *schedule;
	int tier;
};
/*
 * The people to page for role at tiers (one, or every tier of a swarm):
 * when who_first, the people the role's `who` names first (at tiers[0]),
 * and then, unless they were enough for one tier, every tier's roster.
 * Schedules (in `who` or a roster) page whoever is on call for them at
 * at (rota_who at the branch head, overrides included; the schedules are
 * read once per call); one that puts nobody on the page (nobody on call,
 * no such schedule, an invalid one) is a warning, never a silent skip.
 */
struct playbook;
int escalate_people(struct escalate_person **out, size_t *n, struct incident_ctx *ctx,
		    const struct playbook *pb, const char *role, const int *tiers,
		    size_t ntiers, bool who_first, int64_t at);
void escalate_people_free(struct escalate_person *v, size_t n);

/* Escalate role's pages (the latest page's role when role is NULL) to the
 * next tier of the playbook, to tier when >= 0, or to every tier when
 * swarm; other roles' pages are left alone. reason goes in the event. */
int escalate_escalate(struct incident_ctx *ctx, int64_t id, const char *role, int tier,
		      bool swarm, const char *reason);

/* The tier after from in pb's escalation order, or -1 after the last. */
struct store_page;
int escalate_next_tier(const struct playbook *pb, int from);
/* Whether an unacknowledged page for role will escalate when it times out,
 * given all the incident's pages (all, n): only in a tiered playbook, and
 * only while a tier follows the highest one role was paged at. A swarm
 * pages every tier at once and has nowhere further to go. */
bool escalate_will_escalate(const struct playbook *pb, const struct store_page *all,
			    size_t n, const char *role);

#endif
