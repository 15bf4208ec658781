/* schedule.h: the daemon's scheduler. It keeps the playbook's promises
 * while people are busy: reminders before and after an update is due, an
 * apology owed, a step past due, a commander past the handover limit;
 * escalating a page nobody acknowledged; paging a required role still
 * unfilled; publishing scheduled updates; starting and ending scheduled
 * maintenances; announcing on-call handoffs to the people handing over
 * and taking over. Each action is a timeline event (or a maintenance state),
 * each notification an outbox row; each reminder fires once, across
 * restarts too. */
#ifndef SITREP_SCHEDULE_H
#define SITREP_SCHEDULE_H

#include <stdint.h>

struct incident_ctx;
struct schedule;

/* ctx (its store, config and playbook repository) must outlive the
 * scheduler; it acts as sitrepd. */
int schedule_open(struct schedule **out, struct incident_ctx *ctx);

/*
 * Do everything due at now. The first call looks at every open incident;
 * later calls only at those whose due time came and those changed since
 * (call schedule_changed when the store changed). *next_due is the next
 * time something is due (0: nothing is).
 */
int schedule_run(struct schedule *sc, int64_t now, int64_t *next_due);
void schedule_changed(struct schedule *sc);


/* How late the latest action fired, in ms. */
int64_t schedule_lag(const struct schedule *sc);

void schedule_free(struct schedule *sc);

/* How long before an update is due its reminder fires (at most half the
 * time since the last update or the opening), and how long after opening
 * an unfilled required role is paged. */
#define SCHEDULE_UPDATE_WARNING_MS	(5 * 60 * 1000)
#define SCHEDULE_UNFILLED_ROLE_MS	(5 * 60 * 1000)
/* A page nobody can be told of (every notification dead) is found this
 * soon after the store says so. */
#define SCHEDULE_UNDELIVERABLE_MS	250
/* On-call handoff notices: a handoff that passed while sitrepd was down is
 * announced when it starts if it is this recent; while there are
 * schedules they are read again this often (a commit to the repository),
 * and at once when the overrides change. */
#define SCHEDULE_HANDOFF_RECENT_MS	(60 * 60 * 1000)
#define SCHEDULE_ROTA_REREAD_MS		(60 * 1000)

#endif
