/* http.h: sitrepd's HTTP listeners (libmicrohttpd, one epoll thread
 * each). The public one serves the status page, the Statuspage v2 API,
 * the history feeds, subscribing and unsubscribing and /healthz; the
 * internal one (http.internal_listen, loopback by default) serves
 * /metrics and /healthz, and nothing of it is public. Each has its own
 * store connection, used only from its thread; the public one keeps the
 * public documents in memory, rebuilt only when the store changed.
 *
 * Public routes (GET and HEAD unless said):
 *   /  /index.html                 the status page (HTML)
 *   /incidents/<id>                one incident (INC-7, inc-7 or 7)
 *   /api/v2/summary.json status.json components.json incidents.json
 *     incidents/unresolved.json scheduled-maintenances.json
 *     scheduled-maintenances/upcoming.json scheduled-maintenances/active.json
 *   /history.atom  /history.rss
 *   /subscribe                     GET a form; POST kind, address, component...
 *   /unsubscribe?token=T           GET a confirmation; POST (RFC 8058 one-click)
 *   /healthz                       "ok"
 * Internal routes:
 *   /metrics                       Prometheus text format 0.0.4
 *   /healthz
 *
 * Every request is checked before it is routed: ambiguous framing
 * (Content-Length twice or with Transfer-Encoding, an unknown
 * Transfer-Encoding, HTTP/1.1 without Host, control bytes in a header)
 * gets a 400 and the connection closed; a target too long or with too
 * many arguments a 414; a client over its connection limit a 503, over
 * its POST /subscribe rate a 429 with Retry-After.
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
 * one), and on c->http.internal_listen, and serve from c->database,
 * opened here. m may be NULL (the histogram and lag read 0); it must
 * outlive the server. c must too. prev, when not NULL, is a running
 * server being replaced (a reload): an address both listen on keeps its
 * socket, so the replacement cannot fail for it; prev keeps serving until
 * stopped. Nothing is left started on failure.
 */
int http_start(struct http_server **out, const struct conf *c, struct http_metrics *m,
	       const struct http_server *prev);
/* The port the public listener listens on (the chosen one when asked for
 * 0), and the internal one's. */
int http_port(const struct http_server *h);
int http_internal_port(const struct http_server *h);
/* Stop accepting, give requests in flight a moment to finish, stop the
 * thread and close the store. NULL is a no-op. */
void http_stop(struct http_server *h);

#endif
