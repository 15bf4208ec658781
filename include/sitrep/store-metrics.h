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

#endif
