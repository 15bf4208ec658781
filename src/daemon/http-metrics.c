/* http-metrics.c: what the daemon measures for /metrics (the delivery
 * latency histogram and the scheduler's lag, written by the main thread)
 * and the Prometheus text format 0.0.4 of it with the store's counts.
 * Serving it on the internal listener is http-handler.c's. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/http.h"
#include "sitrep/store-metrics.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store.h"

#include "http-int.h"

const double http_latency_bounds[HTTP_LATENCY_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

void
http_metrics_init(struct http_metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void
http_metrics_release(struct http_metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void
http_metrics_observe_delivery(struct http_metrics *m, double seconds)
{
	if (!(seconds >= 0)) /* NaN too */
		seconds = 0;
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < HTTP_LATENCY_BUCKETS; i++)
		if (seconds <= http_latency_bounds[i]) {
			m->latency_buckets[i]++;
			break;
		}
	m->latency_count++;
	m->latency_sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void
http_metrics_set_scheduler_lag(struct http_metrics *m, int64_t ms)
{
	pthread_mutex_lock(&m->lock);
	m->scheduler_lag_ms = ms;
	pthread_mutex_unlock(&m->lock);
}

static void
metric_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int
http_metrics_text(struct buf *b, struct store *s, struct http_metrics *m)
{
	struct http_metrics snap;
	int64_t open[4], overdue, outbox[STORE_OUTBOX_NSTATES];
	uint64_t cumulative = 0;
	int rc;

	if ((rc = store_open_incident_counts(open, s)) != 0 ||
	    (rc = store_overdue_updates(&overdue, s, clock_now_ms())) != 0 ||
	    (rc = store_outbox_counts(outbox, s)) != 0)
		return rc;
	memset(&snap, 0, sizeof(snap));
	if (m != NULL) {
		pthread_mutex_lock(&m->lock);
		memcpy(snap.latency_buckets, m->latency_buckets, sizeof(snap.latency_buckets));
		snap.latency_count = m->latency_count;
		snap.latency_sum = m->latency_sum;
		snap.scheduler_lag_ms = m->scheduler_lag_ms;
		pthread_mutex_unlock(&m->lock);
	}
	metric_head(b, "sitrep_open_incidents", "gauge",
		    "Incidents not yet resolved, by severity.");
	for (int i = 0; i < 4; i++)
		buf_addf(b, "sitrep_open_incidents{severity=\"SEV%d\"} %lld\n", i + 1,
			 (long long)open[i]);
	metric_head(b, "sitrep_overdue_updates", "gauge",
		    "Audiences of open incidents whose promised next update is late.");
	buf_addf(b, "sitrep_overdue_updates %lld\n", (long long)overdue);
	metric_head(b, "sitrep_outbox_messages", "gauge", "Outbox messages by delivery state.");
	for (int i = 0; i < STORE_OUTBOX_NSTATES; i++)
		buf_addf(b, "sitrep_outbox_messages{state=\"%s\"} %lld\n",
			 store_outbox_state_name(i),
			 (long long)outbox[i]);
	metric_head(b, "sitrep_delivery_latency_seconds", "histogram",
		    "Time from queueing a message to its successful delivery.");
	for (int i = 0; i < HTTP_LATENCY_BUCKETS; i++) {
		cumulative += snap.latency_buckets[i];
		buf_addf(b, "sitrep_delivery_latency_seconds_bucket{le=\"%g\"} %llu\n",
			 http_latency_bounds[i], (unsigned long long)cumulative);
	}
	buf_addf(b, "sitrep_delivery_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
		 (unsigned long long)snap.latency_count);
	buf_addf(b, "sitrep_delivery_latency_seconds_sum %.9g\n", snap.latency_sum);
	buf_addf(b, "sitrep_delivery_latency_seconds_count %llu\n",
		 (unsigned long long)snap.latency_count);
	metric_head(b, "sitrep_scheduler_lag_seconds", "gauge",
		    "How late the scheduler ran its last due work.");
	buf_addf(b, "sitrep_scheduler_lag_seconds %.3f\n", (double)snap.scheduler_lag_ms / 1000);
	return 0;
}
