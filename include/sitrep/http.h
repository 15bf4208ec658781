/* http.h: sitrepd's public HTTP server (libmicrohttpd, one internal
 * thread): the status page, the Statuspage v2 API, the history feeds,
 * subscribing and unsubscribing, /healthz and /metrics. It has its own
 * store connection, used only from its thread, and keeps the public
 * documents in memory, rebuilt only when the store changed.
 *
 * Routes (GET and HEAD unless said):
 *   /  /index.html                 the status page (HTML)
 *   /incidents/<id>                one incident (INC-7, inc-7 or 7)
 *   /api/v2/summary.json status.json components.json incidents.json
 *     incidents/unresolved.json scheduled-maintenances.json
 *     scheduled-maintenances/upcoming.json scheduled-maintenances/active.json
 *   /history.atom  /history.rss
 *   /subscribe                     GET a form; POST kind, address, component...
 *   /unsubscribe?token=T           GET a confirmation; POST (RFC 8058 one-click)
 *   /healthz                       "ok"
 *   /metrics                       Prometheus text format 0.0.4
 */
#ifndef SITREP_HTTP_H
#define SITREP_HTTP_H

#include <pthread.h>
#include <stdint.h>

struct conf;

/* The upper bounds of the delivery latency histogram, in seconds. */
#define HTTP_LATENCY_BUCKETS 12
extern const double http_latency_bounds[HTTP_LATENCY_BUCKETS];

/*
 * What the daemon's main thread measures and /metrics reports. The main
 * thread writes through the functions below while the HTTP thread reads;
 * the mutex guards every field.
 */
struct http_metrics {
	pthread_mutex_t lock;
	uint64_t latency_buckets[HTTP_LATENCY_BUCKETS]; /* not cumulative */
	uint64_t latency_count;                         /* all, +Inf included */
	double latency_sum;
	int64_t scheduler_lag_ms;
};

void http_metrics_init(struct http_metrics *m);
void http_metrics_release(struct http_metrics *m);
/* One message delivered, seconds after it was queued. */
void http_metrics_observe_delivery(struct http_metrics *m, double seconds);
/* How late the scheduler ran its last due work, in ms. */
void http_metrics_set_scheduler_lag(struct http_metrics *m, int64_t ms);

struct http_server;

/*
 * Listen on c->listen ("127.0.0.1:8080", "[::1]:8080"; port 0 picks a free
 * one) and serve from c->database, opened here. m may be NULL (the
 * histogram and lag read 0); it must outlive the server. c must too.
 */
int http_start(struct http_server **out, const struct conf *c, struct http_metrics *m);
/* The port it listens on (the chosen one when asked for 0). */
int http_port(const struct http_server *h);
/* Stop accepting, give requests in flight a moment to finish, stop the
 * thread and close the store. NULL is a no-op. */
void http_stop(struct http_server *h);

#endif
