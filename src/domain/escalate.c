/* escalate.c: pages to the tier rosters of the site config, their
 * acknowledgement, and escalation through the pinned playbook's tiers. The
 * daemon's timer will call escalate_escalate when a page times out; this
 * file decides what that means. Delivering the page is the outbox's job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/playbook.h"
#include "sitrep/store-incident.h"
#include "sitrep/xalloc.h"

/* Page role at each of tiers[0..ntiers); who was paged goes into people. */
static int
page_tiers(struct incident_ctx *ctx, const struct store_incident *inc,
	   const struct playbook *pb, const char *role, const int *tiers, size_t ntiers,
	   struct json *people, int64_t now)
{
	struct store_page p = { 0 };
	struct json *paged;
	char tier[16];
	int rc;

	for (size_t i = 0; i < ntiers; i++) {
		const struct conf_tier *roster = &ctx->conf->tiers[tiers[i]];

		if (roster->npeople == 0)
			return err_set(SR_EREFUSED, "no one is on the L%d roster: add people to "
				       "tiers.L%d (or give them tier = \"L%d\") in %s", tiers[i],
				       tiers[i], tiers[i], ctx->conf->path);
		snprintf(tier, sizeof(tier), "L%d", tiers[i]);
		for (size_t k = 0; k < roster->npeople; k++) {
			p.incident_id = inc->id;
			p.role = (char *)role;
			p.tier = tiers[i];
			p.person = roster->people[k];
			p.paged_at = now;
			p.timeout_at = now + pb->escalation.ack_timeout * 1000;
			if ((rc = store_page_insert(ctx->store, &p)) != 0)
				return rc;
			json_append(people, paged = json_new_object());
			json_set_str(paged, "person", roster->people[k]);
			json_set_str(paged, "tier", tier);
		}
	}
	return 0;
}

/* The incident in a write transaction and its pinned playbook. */
static int
begin(struct store_incident *inc, struct playbook **pb, struct incident_ctx *ctx,
      int64_t id)
{
	int rc;

	*pb = NULL;
	if ((rc = incident_begin_change(inc, ctx, id)) != 0)
		return rc;
	if ((rc = incident_playbook(pb, ctx, inc)) != 0)
		return incident_abandon(ctx, inc, rc);
	return 0;
}

static int
fail(struct incident_ctx *ctx, struct store_incident *inc, struct playbook *pb,
     struct json *people, int rc)
{
	json_free(people);
	playbook_free(pb);
	return incident_abandon(ctx, inc, rc);
}

static bool
tier_listed(const struct playbook *pb, int tier)
{
	for (size_t i = 0; i < pb->escalation.ntiers; i++)
		if (pb->escalation.tiers[i] == tier)
			return true;
	return false;
}

int
escalate_page(struct incident_ctx *ctx, int64_t id, const char *role, int tier)
{
	struct store_incident inc;
	struct playbook *pb;
	struct json *people, *details;
	int tiers[5];
	size_t ntiers;
	bool swarm;
	int rc;

	if ((rc = begin(&inc, &pb, ctx, id)) != 0)
		return rc;
	people = json_new_array();
	if (playbook_role(pb, role) == NULL)
		return fail(ctx, &inc, pb, people, err_set(SR_EREFUSED,
			"playbook '%s' has no role '%s': see 'sitrep role list INC-%lld'",
			pb->name, role, (long long)id));
	swarm = pb->escalation.mode == PLAYBOOK_SWARM && tier < 0;
	if (swarm) {
		ntiers = pb->escalation.ntiers;
		memcpy(tiers, pb->escalation.tiers, ntiers * sizeof(int));
	} else {
		tiers[0] = tier >= 0 ? tier : pb->escalation.tiers[0];
		ntiers = 1;
	}
	if ((rc = page_tiers(ctx, &inc, pb, role, tiers, ntiers, people, clock_now_ms())) != 0)
		return fail(ctx, &inc, pb, people, rc);
	details = json_new_object();
	json_set_str(details, "role", role);
	json_set_str(details, "mode", swarm ? "swarm" : "tiered");
	json_set(details, "people", people);
	json_set_int(details, "ack_timeout_s", pb->escalation.ack_timeout);
	rc = incident_finish_change(ctx, &inc, "paged", details);
	playbook_free(pb);
	return rc;
}

int
escalate_ack(struct incident_ctx *ctx, int64_t id)
{
	struct store_incident inc;
	struct store_page *v;
	size_t n, acked = 0;
	struct json *roles, *details;
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = incident_begin_change(&inc, ctx, id)) != 0)
		return rc;
	if ((rc = store_pages_get(&v, &n, ctx->store, id, true)) != 0)
		return incident_abandon(ctx, &inc, rc);
	roles = json_new_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strcmp(v[i].person, ctx->actor) != 0)
			continue;
		rc = store_page_close(ctx->store, v[i].id, "acked", now);
		json_append_str(roles, v[i].role);
		acked++;
	}
	store_pages_free(v, n);
	if (rc == 0 && acked == 0)
		rc = err_set(SR_EREFUSED, "'%s' has no open page on INC-%lld to acknowledge",
			     ctx->actor, (long long)id);
	if (rc != 0) {
		json_free(roles);
		return incident_abandon(ctx, &inc, rc);
	}
	details = json_new_object();
	json_set(details, "roles", roles);
	return incident_finish_change(ctx, &inc, "acknowledged", details);
}

/*
 * The tier after from, in the playbook's order; a page sent to a tier
 * outside that list moves to the first listed tier above it.
 */
int
escalate_next_tier(const struct playbook *pb, int from)
{
	size_t pos = 0;

	while (pos < pb->escalation.ntiers && pb->escalation.tiers[pos] != from)
		pos++;
	if (pos < pb->escalation.ntiers)
		pos++;
	else
		for (pos = 0; pos < pb->escalation.ntiers &&
		     pb->escalation.tiers[pos] <= from; pos++)
			;
	return pos < pb->escalation.ntiers ? pb->escalation.tiers[pos] : -1;
}

bool
escalate_will_escalate(const struct playbook *pb, const struct store_page *all, size_t n,
		       const char *role)
{
	int from = -1;

	if (pb == NULL || pb->escalation.mode != PLAYBOOK_TIERED)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].role, role) == 0 && all[i].tier > from)
			from = all[i].tier;
	return from >= 0 && escalate_next_tier(pb, from) >= 0;
}

/*
 * The tier after the highest one paged, in the playbook's order. The role
 * escalated is that of the newest page.
 */
int
escalate_escalate(struct incident_ctx *ctx, int64_t id, const char *for_role, int tier,
		  bool swarm, const char *reason)
{
	struct store_incident inc;
	struct playbook *pb;
	struct store_page *all;
	size_t nall;
	struct json *people, *details;
	int tiers[5], from = -1;
	char from_tier[16];
	size_t ntiers = 0;
	char *role;
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = begin(&inc, &pb, ctx, id)) != 0)
		return rc;
	people = json_new_array();
	if ((rc = store_pages_get(&all, &nall, ctx->store, id, false)) != 0)
		return fail(ctx, &inc, pb, people, rc);
	if (nall == 0) {
		store_pages_free(all, nall);
		return fail(ctx, &inc, pb, people, err_set(SR_EREFUSED,
			"INC-%lld has no page to escalate: page a role first with "
			"'sitrep page INC-%lld ROLE'", (long long)id, (long long)id));
	}
	role = xstrdup(for_role != NULL ? for_role : all[nall - 1].role);
	for (size_t i = 0; i < nall; i++)
		if (strcmp(all[i].role, role) == 0 && all[i].tier > from)
			from = all[i].tier;
	if (from < 0) {
		free(role);
		store_pages_free(all, nall);
		return fail(ctx, &inc, pb, people, err_set(SR_EREFUSED,
			"INC-%lld has no page for %s to escalate: page it first with "
			"'sitrep page INC-%lld %s'", (long long)id, for_role, (long long)id,
			for_role));
	}
	/* Only this role's pages move up; other roles' pages keep waiting. */
	for (size_t i = 0; i < nall && rc == 0; i++)
		if (strcmp(all[i].state, "open") == 0 && strcmp(all[i].role, role) == 0)
			rc = store_page_close(ctx->store, all[i].id, "escalated", now);
	store_pages_free(all, nall);
	if (rc == 0 && swarm) {
		ntiers = pb->escalation.ntiers;
		memcpy(tiers, pb->escalation.tiers, ntiers * sizeof(int));
	} else if (rc == 0 && tier >= 0) {
		tiers[ntiers++] = tier;
	} else if (rc == 0) {
		int next = escalate_next_tier(pb, from);

		if (next < 0)
			rc = err_set(SR_EREFUSED, "INC-%lld is already paged at L%d, the last tier "
				     "of playbook '%s': name one with --tier, or --swarm", (long long)id,
				     from, pb->name);
		else
			tiers[ntiers++] = next;
	}
	if (rc == 0 && tier >= 0 && !tier_listed(pb, tier))
		rc = err_set(SR_EREFUSED, "tier L%d is not in playbook '%s''s escalation tiers",
			     tier, pb->name);
	if (rc == 0)
		rc = page_tiers(ctx, &inc, pb, role, tiers, ntiers, people, now);
	if (rc != 0) {
		free(role);
		return fail(ctx, &inc, pb, people, rc);
	}
	snprintf(from_tier, sizeof(from_tier), "L%d", from);
	details = json_new_object();
	json_set_str(details, "role", role);
	json_set_str(details, "from", from_tier);
	json_set_str(details, "mode", swarm ? "swarm" : "tiered");
	json_set(details, "people", people);
	json_set_str(details, "reason", reason);
	rc = incident_finish_change(ctx, &inc, "escalated", details);
	free(role);
	playbook_free(pb);
	return rc;
}
