/* http-metrics.c: what the daemon measures for /metrics (the delivery
 * latency histogram and the scheduler's lag, written by the main thread)
 * and the Prometheus text format 0.0.4 of it with the store's counts and
 * the pages' figures (acknowledgement times, notifications by contact and
 * result), read from the store at each scrape. Serving it on the internal
 * listener is http-handler.c's. */
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

/* Seconds from a page to its acknowledgement: an ack timeout is minutes. */
#define ACK_BUCKETS 8
static const double ack_bounds[ACK_BUCKETS] = { 10, 30, 60, 120, 300, 600, 1800, 3600 };

/* What the pages say, read before anything is written. */
struct page_figures {
	uint64_t ack_buckets[4][ACK_BUCKETS]; /* SEV1..SEV4; not cumulative */
	uint64_t ack_count[4];
	double ack_sum[4];
	int64_t notifications[STORE_CONTACT_TYPES][STORE_PAGE_RESULTS];
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
observe_ack(void *arg, int severity, int64_t ms)
{
	struct page_figures *pf = arg;
	double seconds = (double)ms / 1000;

	if (severity < 1 || severity > 4)
		return;
	severity--;
	for (int i = 0; i < ACK_BUCKETS; i++)
		if (seconds <= ack_bounds[i]) {
			pf->ack_buckets[severity][i]++;
			break;
		}
	pf->ack_count[severity]++;
	pf->ack_sum[severity] += seconds;
}

static int
page_figures_read(struct page_figures *pf, struct store *s)
{
	int rc;

	memset(pf, 0, sizeof(*pf));
	if ((rc = store_page_ack_times(s, observe_ack, pf)) != 0)
		return rc;
	return store_page_notification_counts(pf->notifications, s);
}

static void
metric_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
page_figures_text(struct buf *b, const struct page_figures *pf)
{
	/* enum conf_contact_type's names, and enum store_page_result's */
	static const char *const contacts[STORE_CONTACT_TYPES] = {
		"email", "webhook", "slack_mention", "discord_mention",
	};
	static const char *const results[STORE_PAGE_RESULTS] = {
		"sent", "dead", "cancelled", "pending",
	};

	metric_head(b, "sitrep_page_ack_seconds", "histogram",
		    "Time from a page to its acknowledgement by the person paged, by the "
		    "incident's severity.");
	for (int sev = 0; sev < 4; sev++) {
		uint64_t cumulative = 0;

		for (int i = 0; i < ACK_BUCKETS; i++) {
			cumulative += pf->ack_buckets[sev][i];
			buf_addf(b, "sitrep_page_ack_seconds_bucket{severity=\"SEV%d\",le=\"%g\"} "
				 "%llu\n", sev + 1, ack_bounds[i], (unsigned long long)cumulative);
		}
		buf_addf(b, "sitrep_page_ack_seconds_bucket{severity=\"SEV%d\",le=\"+Inf\"} %llu\n",
			 sev + 1, (unsigned long long)pf->ack_count[sev]);
		buf_addf(b, "sitrep_page_ack_seconds_sum{severity=\"SEV%d\"} %.9g\n", sev + 1,
			 pf->ack_sum[sev]);
		buf_addf(b, "sitrep_page_ack_seconds_count{severity=\"SEV%d\"} %llu\n", sev + 1,
			 (unsigned long long)pf->ack_count[sev]);
	}
	metric_head(b, "sitrep_page_notifications_total", "counter",
		    "Notifications of paged people, by contact type and result (pending: "
		    "waiting or retrying now).");
	for (int t = 0; t < STORE_CONTACT_TYPES; t++)
		for (int r = 0; r < STORE_PAGE_RESULTS; r++)
			buf_addf(b, "sitrep_page_notifications_total{contact=\"%s\",result=\"%s\"} "
				 "%lld\n", contacts[t], results[r],
				 (long long)pf->notifications[t][r]);
}

int
http_metrics_text(struct buf *b, struct store *s, struct http_metrics *m)
{
	struct http_metrics snap;
	struct page_figures pf;
	int64_t open[4], overdue, outbox[STORE_OUTBOX_NSTATES];
	uint64_t cumulative = 0;
	int rc;

	if ((rc = store_open_incident_counts(open, s)) != 0 ||
	    (rc = store_overdue_updates(&overdue, s, clock_now_ms())) != 0 ||
	    (rc = store_outbox_counts(outbox, s)) != 0 ||
	    (rc = page_figures_read(&pf, s)) != 0)
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
	page_figures_text(b, &pf);
	return 0;
}
