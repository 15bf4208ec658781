/* store-metrics.h: the small queries sitrepd's HTTP thread asks of the
 * store: whether anything changed since it last looked, and the counts
 * /metrics exposes. The SQL is in store-metrics.c. */
#ifndef SITREP_STORE_METRICS_H
#define SITREP_STORE_METRICS_H

#include <stdint.h>

struct store;

/*
 * PRAGMA data_version: a number that changes when another connection
 * (another process, or another store handle in this one) commits to the
 * database. Commits made through s itself do not change it.
 */
int store_data_version(int64_t *out, struct store *s);

/* Incidents not yet resolved (investigating, identified, monitoring), by
 * severity: counts[0] is SEV1 .. counts[3] SEV4. */
int store_open_incident_counts(int64_t counts[4], struct store *s);

/*
 * Promises broken right now: for each open incident and audience (and
 * account, for updates addressed to one), its latest published update
 * promised a next one before now and none has been published since.
 */
int store_overdue_updates(int64_t *out, struct store *s, int64_t now);

/*
 * The acknowledgement time of every page its person acknowledged: fn is
 * called with the incident's severity (1 for SEV1 .. 4 for SEV4, 0 for
 * anything else) and the milliseconds from the page to its acknowledgement
 * (closed_at - paged_at, never negative).
 */
typedef void store_ack_time_fn(void *arg, int severity, int64_t ms);
int store_page_ack_times(struct store *s, store_ack_time_fn *fn, void *arg);

/*
 * Notifications of pages (outbox rows with a page_id), counted by contact
 * type -- the row's type: e-mail, webhook, a Slack or a Discord mention, in
 * enum conf_contact_type's order -- and by result: sent, dead, cancelled
 * (its page ended first), pending (pending or retrying).
 */
#define STORE_CONTACT_TYPES 4
enum store_page_result {
	STORE_PAGE_SENT,
	STORE_PAGE_DEAD,
	STORE_PAGE_CANCELLED,
	STORE_PAGE_PENDING,
	STORE_PAGE_RESULTS
};
int store_page_notification_counts(int64_t counts[STORE_CONTACT_TYPES][STORE_PAGE_RESULTS],
				   struct store *s);

#endif
