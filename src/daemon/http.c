/* http.c: sitrepd's HTTP listeners on libmicrohttpd: the public one
 * (routing, the in-memory cache of the public documents, the subscribe and
 * unsubscribe forms, /healthz) and the internal one (/metrics, /healthz);
 * what one client may take of them (connections, framing, form rate).
 * What the documents say is statuspage.c's and feed.c's; what is public is
 * snapshot.c's; the checks on a new subscriber are subscribers.c's. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/feed.h"
#include "sitrep/http.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/store-metrics.h"
#include "sitrep/store.h"
#include "sitrep/subscribers.h"
#include "sitrep/utf8.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

/* Limits: a public server must not let one client hold it. The number
 * of connections, their idle timeout and the subscribe rate are the
 * config's (conf->http). */
#define HTTP_CONN_MEMORY	(32 * 1024)	/* headers and MHD's buffers; more costs
						 * an mmap per new connection */
#define HTTP_MAX_FORM		(8 * 1024)	/* a subscribe or unsubscribe body */
#define HTTP_MAX_ADDRESS	2048		/* the subscribe form's address field */
#define HTTP_MAX_COMPONENT	256		/* one of its component ids */
#define HTTP_LISTEN_BACKLOG	4096		/* the kernel caps it at somaxconn */
/* A connection that made no progress (no new request) for this long may be
 * closed to make room for a new one when its address, or the server, is at
 * its limit: slow clients cannot hold the page away from others. */
#define HTTP_EVICT_IDLE_MS	1000
/* A connection accepted over a limit has this long to send its request
 * (answered 503) before a newer one closes it. */
#define HTTP_OVER_GRACE_MS	2000
#define HTTP_RATE_SLOTS		4096		/* client addresses the subscribe
						 * rate limit remembers */
#define HTTP_FD_RESERVE		64		/* descriptors kept for the store and
						 * the repository, beside one per
						 * delivery in flight */
/* The public documents are rebuilt when the store changed, and at least
 * this often, since "upcoming" and the history window move with time. */
#define HTTP_CACHE_MAX_AGE_MS	(60 * 1000)
#define HTTP_DOC_CACHE_CONTROL	"public, max-age=10"
#define HTTP_DRAIN_MS		2000

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

/* ---- routes ---- */

/* The documents kept in the cache, rendered on first request after each
 * rebuild. */
enum http_doc {
	DOC_HTML,
	DOC_API_FIRST,
	DOC_API_LAST = DOC_API_FIRST + STATUSPAGE_MAINTENANCES_ACTIVE,
	DOC_ATOM,
	DOC_RSS,
	DOC_COUNT
};

enum http_kind {
	ROUTE_DOC,
	ROUTE_INCIDENT,
	ROUTE_MAINTENANCE,
	ROUTE_SUBSCRIBE,
	ROUTE_UNSUBSCRIBE,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_CONFIRM,
};

struct http_route {
	const char *path;
	enum http_kind kind;
	int doc;
};

static const struct http_route http_routes[] = {
	{ "/", ROUTE_DOC, DOC_HTML },
	{ "/index.html", ROUTE_DOC, DOC_HTML },
	{ "/api/v2/summary.json", ROUTE_DOC, DOC_API_FIRST + STATUSPAGE_SUMMARY },
	{ "/api/v2/status.json", ROUTE_DOC, DOC_API_FIRST + STATUSPAGE_STATUS },
	{ "/api/v2/components.json", ROUTE_DOC, DOC_API_FIRST + STATUSPAGE_COMPONENTS },
	{ "/api/v2/incidents.json", ROUTE_DOC, DOC_API_FIRST + STATUSPAGE_INCIDENTS },
	{ "/api/v2/incidents/unresolved.json", ROUTE_DOC,
	  DOC_API_FIRST + STATUSPAGE_INCIDENTS_UNRESOLVED },
	{ "/api/v2/scheduled-maintenances.json", ROUTE_DOC,
	  DOC_API_FIRST + STATUSPAGE_MAINTENANCES },
	{ "/api/v2/scheduled-maintenances/upcoming.json", ROUTE_DOC,
	  DOC_API_FIRST + STATUSPAGE_MAINTENANCES_UPCOMING },
	{ "/api/v2/scheduled-maintenances/active.json", ROUTE_DOC,
	  DOC_API_FIRST + STATUSPAGE_MAINTENANCES_ACTIVE },
	{ "/history.atom", ROUTE_DOC, DOC_ATOM },
	{ "/history.rss", ROUTE_DOC, DOC_RSS },
	{ "/subscribe", ROUTE_SUBSCRIBE, 0 },
	{ "/unsubscribe", ROUTE_UNSUBSCRIBE, 0 },
	{ "/subscribe/confirm", ROUTE_CONFIRM, 0 },
	{ "/healthz", ROUTE_HEALTHZ, 0 },
	{ "/metrics", ROUTE_METRICS, 0 },
	{ "/incidents/", ROUTE_INCIDENT, 0 }, /* a prefix: see route_find */
	{ "/maintenances/", ROUTE_MAINTENANCE, 0 }, /* a prefix too */
};

/* Only what was said to the public is public: /metrics (counts of open
 * incidents whatever was announced) is served on the internal listener
 * alone, which serves nothing else but /healthz. */
static bool
route_on(const struct http_route *r, bool internal)
{
	if (r->kind == ROUTE_HEALTHZ)
		return true;
	return internal == (r->kind == ROUTE_METRICS);
}

static const struct http_route *
route_find(const char *url, bool internal)
{
	for (size_t i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route *r = &http_routes[i];

		if (!route_on(r, internal))
			continue;
		if (r->kind == ROUTE_INCIDENT || r->kind == ROUTE_MAINTENANCE) {
			size_t n = strlen(r->path);

			if (strncmp(url, r->path, n) == 0 && url[n] != '\0' &&
			    strchr(url + n, '/') == NULL)
				return r;
		} else if (strcmp(url, r->path) == 0)
			return r;
	}
	return NULL;
}

int
http_route_kind(const char *url, bool internal)
{
	const struct http_route *r = route_find(url, internal);

	return r != NULL ? (int)r->kind : -1;
}

static bool
route_takes_post(const struct http_route *r)
{
	return r->kind == ROUTE_SUBSCRIBE || r->kind == ROUTE_UNSUBSCRIBE ||
	       r->kind == ROUTE_CONFIRM;
}

/* Cross-origin readers welcome: the API and the feeds. */
static bool
route_cors(const struct http_route *r)
{
	return r->kind == ROUTE_DOC && r->doc != DOC_HTML;
}

static const char *
doc_content_type(int doc)
{
	if (doc == DOC_HTML)
		return "text/html; charset=utf-8";
	if (doc == DOC_ATOM)
		return "application/atom+xml; charset=utf-8";
	if (doc == DOC_RSS)
		return "application/rss+xml; charset=utf-8";
	return "application/json; charset=utf-8";
}

/* ---- the server ---- */

/*
 * The cache. The snapshot and the responses made from it live until the
 * next rebuild; a response is libmicrohttpd's own reference-counted object,
 * queued as is for every request (no copy) and destroyed at a rebuild,
 * which only drops our reference: a connection still sending it keeps it
 * until done. Everything here is touched only from the server's thread.
 */
struct http_cache {
	struct snapshot *sn;
	struct MHD_Response *resp[DOC_COUNT];
	char etag[DOC_COUNT][64];
	int64_t data_version;
	int64_t built_at;	/* clock ms */
	uint64_t generation;
	bool dirty;		/* this thread wrote to the store */
};

/* A client's address as the limits count it: an IPv4 address (mapped
 * into IPv6), or an IPv6 /64, which one client usually has whole. */
struct http_addr {
	unsigned char b[16];
};

/* One client connection, from accept to close, in a list ordered by its
 * last progress (oldest first), which is where the limits look. */
struct http_conn {
	struct http_conn *prev, *next;
	struct http_addr addr;
	int fd;
	int64_t last;	/* monotonic ms: accepted, or its latest request began */
	bool evicted;	/* shut down to make room; no longer counted */
	bool over;	/* accepted over a limit: its request gets a 503 */
};

/* A token bucket for one client address's POST /subscribe. */
struct http_rate {
	struct http_addr addr;
	double tokens;
	int64_t at;	/* monotonic ms of the last update */
	bool used;
};

/*
 * One listener with its libmicrohttpd daemon and thread, its own store
 * connection and its connections. The public one (what http_start returns)
 * owns the internal one (/metrics), started and stopped with it.
 */
struct http_server {
	struct MHD_Daemon *d;
	atomic_bool running;	/* started: libmicrohttpd's messages are debug */
	bool internal;
	int listen_fd;
	int port;
	char *listen_on;	/* as configured: a reload on the same keeps the socket */
	struct store *store;
	const struct conf *conf;
	struct http_metrics *metrics;
	struct http_cache cache;
	int64_t started_at;	/* "since when" for what never changed */
	/* touched only from the listener's thread: */
	struct http_conn *oldest, *newest;
	size_t nconns;		/* not evicted */
	int max_conns, max_per_addr;
	struct http_rate *rate;	/* public: HTTP_RATE_SLOTS buckets */
	struct http_server *internal_srv;
};

/* One request's state, from its request line to its completion. */
struct http_request {
	const struct http_route *route;
	struct buf body;
	unsigned int refuse;	/* the request line alone is refused: 414 */
	bool started;	/* the handler saw its headers */
	bool too_big;
	bool get;      /* a GET or HEAD, answered on the second call */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cache_clear(struct http_cache *c)
{
	for (int i = 0; i < DOC_COUNT; i++) {
		if (c->resp[i] != NULL)
			MHD_destroy_response(c->resp[i]);
		c->resp[i] = NULL;
		c->etag[i][0] = '\0';
	}
	snapshot_free(c->sn);
	c->sn = NULL;
}

/*
 * Make sure the cache holds a snapshot no older than the store: one
 * PRAGMA data_version per request, a rebuild when another connection
 * committed since the last (or this thread wrote, or the snapshot is a
 * minute old). The version is read before the snapshot, so a commit racing
 * the build costs at most one more rebuild, never a stale page. On a
 * failure the previous snapshot stays in use; returns nonzero only when
 * there is none.
 */
static int
cache_refresh(struct http_server *h)
{
	struct http_cache *c = &h->cache;
	struct snapshot *sn;
	int64_t dv, now = clock_now_ms();
	int rc;

	if ((rc = store_data_version(&dv, h->store)) != 0) {
		log_warnx("status page: %s", err_last());
		return c->sn != NULL ? 0 : rc;
	}
	if (c->sn != NULL && !c->dirty && dv == c->data_version && now >= c->built_at &&
	    now - c->built_at < HTTP_CACHE_MAX_AGE_MS)
		return 0;
	if ((rc = snapshot_build(&sn, h->store, h->conf, now, h->started_at)) != 0) {
		log_warnx("status page: %s", err_last());
		return c->sn != NULL ? 0 : rc;
	}
	cache_clear(c);
	c->sn = sn;
	c->data_version = dv;
	c->built_at = now;
	c->generation++;
	c->dirty = false;
	return 0;
}

static void
add_common_headers(struct MHD_Response *r, const char *content_type, const char *cache)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (strncmp(content_type, "text/html", 9) == 0) {
		/* No script runs here even if escaping ever failed. */
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'none'; style-src 'unsafe-inline'; "
					"form-action 'self'; frame-ancestors 'none'; "
					"base-uri 'none'");
		MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	}
}

/* A response owning the bytes of body (which is left empty). */
static struct MHD_Response *
response_from(struct buf *body, const char *content_type, const char *cache)
{
	struct MHD_Response *r;
	size_t len = body->len;
	char *bytes = body->ptr != NULL ? buf_detach(body) : NULL;

	if (bytes == NULL)
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(bytes);
		return NULL;
	}
	add_common_headers(r, content_type, cache);
	return r;
}

static enum MHD_Result
queue(struct MHD_Connection *conn, unsigned int code, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *
reason(unsigned int code)
{
	switch (code) {
	case 400: return "Bad request";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 414: return "Address too long";
	case 429: return "Too many requests";
	case 413: return "Request too large";
	case 415: return "Unsupported form encoding";
	case 503: return "Temporarily unavailable";
	default: return "Server error";
	}
}

/* The relative path from url back to the site's root: "" for "/x",
 * "../" for "/incidents/x" (capped: links from absurd depths may miss). */
static void
url_root(char *out, size_t len, const char *url)
{
	size_t depth = 0;

	out[0] = '\0';
	for (const char *p = url + (url[0] == '/'); *p != '\0'; p++)
		depth += *p == '/';
	for (size_t i = 0; i < depth && (i + 1) * 3 < len; i++)
		strcat(out, "../");
}

/* An error in the form the client asked for: JSON under /api, else a
 * page of the site. message is shown escaped; NULL says the reason. */
static struct MHD_Response *
error_response(struct http_server *h, const char *url, unsigned int code, const char *message)
{
	struct buf b = BUF_INIT;
	char root[49];

	if (message == NULL)
		message = reason(code);
	if (strncmp(url, "/api/", 5) == 0) {
		char *clean = statuspage_clean(message);

		buf_adds(&b, "{\"error\":\"");
		for (const char *p = clean; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_addch(&b, '\\');
			if (*p == '\n' || *p == '\t')
				buf_adds(&b, *p == '\n' ? "\\n" : "\\t");
			else
				buf_addch(&b, *p);
		}
		buf_adds(&b, "\"}\n");
		free(clean);
		return response_from(&b, "application/json; charset=utf-8", "no-store");
	}
	url_root(root, sizeof(root), url);
	statuspage_html_begin(&b, h->conf->page_name, reason(code), root);
	buf_adds(&b, "<h1>");
	statuspage_escape(&b, reason(code));
	buf_adds(&b, "</h1>\n<p>");
	statuspage_escape(&b, message);
	buf_adds(&b, "</p>\n");
	statuspage_html_end(&b, root);
	return response_from(&b, "text/html; charset=utf-8", "no-store");
}

static enum MHD_Result
fail(struct http_server *h, struct MHD_Connection *conn, const char *url, unsigned int code,
     const char *message)
{
	return queue(conn, code, error_response(h, url, code, message));
}

static enum MHD_Result
not_allowed(struct http_server *h, struct MHD_Connection *conn, const char *url,
	    const struct http_route *r)
{
	struct MHD_Response *resp = error_response(h, url, 405, NULL);

	if (resp != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, route_takes_post(r) ?
					"GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS");
	return queue(conn, 405, resp);
}

static enum MHD_Result
options(struct MHD_Connection *conn, const struct http_route *r)
{
	struct buf b = BUF_INIT;
	struct MHD_Response *resp = response_from(&b, "text/plain; charset=utf-8", "no-store");
	const char *allow = route_takes_post(r) ? "GET, HEAD, POST, OPTIONS" :
			    "GET, HEAD, OPTIONS";

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (route_cors(r)) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD");
		MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
	}
	return queue(conn, 204, resp);
}

/* Does If-None-Match name etag (or "*")? */
static bool
etag_matches(struct MHD_Connection *conn, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_IF_NONE_MATCH);

	if (inm == NULL)
		return false;
	return strstr(inm, etag) != NULL || strcmp(inm, "*") == 0;
}

static void
render_doc(struct buf *out, const struct snapshot *sn, int doc)
{
	if (doc == DOC_HTML)
		statuspage_html(out, sn);
	else if (doc == DOC_ATOM)
		feed_atom(out, sn);
	else if (doc == DOC_RSS)
		feed_rss(out, sn);
	else
		statuspage_json(out, sn, (enum statuspage_doc)(doc - DOC_API_FIRST));
}

static enum MHD_Result
serve_doc(struct http_server *h, struct MHD_Connection *conn, const char *url,
	  const struct http_route *r)
{
	struct http_cache *c = &h->cache;
	int doc = r->doc;

	if (cache_refresh(h) != 0)
		return fail(h, conn, url, 503, "The status page cannot be read right now; "
			    "try again in a moment.");
	if (c->resp[doc] == NULL) {
		struct buf b = BUF_INIT;
		struct MHD_Response *resp;

		render_doc(&b, c->sn, doc);
		if ((resp = response_from(&b, doc_content_type(doc), HTTP_DOC_CACHE_CONTROL)) ==
		    NULL)
			return MHD_NO;
		snprintf(c->etag[doc], sizeof(c->etag[doc]), "\"%llx-%llx-%d\"",
			 (unsigned long long)c->built_at, (unsigned long long)c->generation,
			 doc);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag[doc]);
		if (route_cors(r))
			MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		c->resp[doc] = resp;
	}
	if (etag_matches(conn, c->etag[doc])) {
		struct buf b = BUF_INIT;
		struct MHD_Response *resp = response_from(&b, doc_content_type(doc),
							  HTTP_DOC_CACHE_CONTROL);

		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag[doc]);
		if (route_cors(r))
			MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		return queue(conn, 304, resp);
	}
	/* The cached response itself: MHD counts the reference. */
	return MHD_queue_response(conn, 200, c->resp[doc]);
}

/* What an item page (an incident's, a maintenance's) is: its path's
 * prefix, its id's prefix, the words for one that is not there, and its
 * HTML from the snapshot. */
struct item_page {
	const char *path, *id_prefix, *what, *missing;
	int (*render)(struct buf *out, const struct snapshot *sn, int64_t id);
};

static const struct item_page incident_page = {
	"/incidents/", "INC", "an incident", "There is no such incident on this page.",
	statuspage_incident_html
};
static const struct item_page maintenance_page = {
	"/maintenances/", "MNT", "a maintenance",
	"There is no such maintenance on this page.", statuspage_maintenance_html
};

static enum MHD_Result
serve_item(struct http_server *h, struct MHD_Connection *conn, const char *url,
	   const struct item_page *p)
{
	struct buf b = BUF_INIT;
	int64_t id;

	if (vocab_parse_id(&id, url + strlen(p->path), p->id_prefix, p->what) != 0)
		return fail(h, conn, url, 404, p->missing);
	if (cache_refresh(h) != 0)
		return fail(h, conn, url, 503, "The status page cannot be read right now; "
			    "try again in a moment.");
	if (p->render(&b, h->cache.sn, id) != 0) {
		buf_release(&b);
		return fail(h, conn, url, 404, p->missing);
	}
	return queue(conn, 200, response_from(&b, "text/html; charset=utf-8",
					       HTTP_DOC_CACHE_CONTROL));
}

static enum MHD_Result
serve_healthz(struct http_server *h, struct MHD_Connection *conn)
{
	struct buf b = BUF_INIT;
	int64_t dv;

	if (store_data_version(&dv, h->store) != 0) {
		log_warnx("healthz: %s", err_last());
		buf_adds(&b, "store unavailable\n");
		return queue(conn, 503, response_from(&b, "text/plain; charset=utf-8",
						       "no-store"));
	}
	buf_adds(&b, "ok\n");
	return queue(conn, 200, response_from(&b, "text/plain; charset=utf-8", "no-store"));
}

/* ---- /metrics ---- */

static void
metric_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static enum MHD_Result
serve_metrics(struct http_server *h, struct MHD_Connection *conn, const char *url)
{
	static const char *const states[4] = { "pending", "retrying", "sent", "dead" };
	struct http_metrics snap;
	int64_t open[4], overdue, outbox[4];
	struct buf b = BUF_INIT;
	uint64_t cumulative = 0;

	if (store_open_incident_counts(open, h->store) != 0 ||
	    store_overdue_updates(&overdue, h->store, clock_now_ms()) != 0 ||
	    store_outbox_counts(outbox, h->store) != 0) {
		log_warnx("metrics: %s", err_last());
		return fail(h, conn, url, 503, "The store cannot be read right now.");
	}
	memset(&snap, 0, sizeof(snap));
	if (h->metrics != NULL) {
		pthread_mutex_lock(&h->metrics->lock);
		memcpy(snap.latency_buckets, h->metrics->latency_buckets,
		       sizeof(snap.latency_buckets));
		snap.latency_count = h->metrics->latency_count;
		snap.latency_sum = h->metrics->latency_sum;
		snap.scheduler_lag_ms = h->metrics->scheduler_lag_ms;
		pthread_mutex_unlock(&h->metrics->lock);
	}
	metric_head(&b, "sitrep_open_incidents", "gauge",
		    "Incidents not yet resolved, by severity.");
	for (int i = 0; i < 4; i++)
		buf_addf(&b, "sitrep_open_incidents{severity=\"SEV%d\"} %lld\n", i + 1,
			 (long long)open[i]);
	metric_head(&b, "sitrep_overdue_updates", "gauge",
		    "Audiences of open incidents whose promised next update is late.");
	buf_addf(&b, "sitrep_overdue_updates %lld\n", (long long)overdue);
	metric_head(&b, "sitrep_outbox_messages", "gauge", "Outbox messages by delivery state.");
	for (int i = 0; i < 4; i++)
		buf_addf(&b, "sitrep_outbox_messages{state=\"%s\"} %lld\n", states[i],
			 (long long)outbox[i]);
	metric_head(&b, "sitrep_delivery_latency_seconds", "histogram",
		    "Time from queueing a message to its successful delivery.");
	for (int i = 0; i < HTTP_LATENCY_BUCKETS; i++) {
		cumulative += snap.latency_buckets[i];
		buf_addf(&b, "sitrep_delivery_latency_seconds_bucket{le=\"%g\"} %llu\n",
			 http_latency_bounds[i], (unsigned long long)cumulative);
	}
	buf_addf(&b, "sitrep_delivery_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
		 (unsigned long long)snap.latency_count);
	buf_addf(&b, "sitrep_delivery_latency_seconds_sum %.9g\n", snap.latency_sum);
	buf_addf(&b, "sitrep_delivery_latency_seconds_count %llu\n",
		 (unsigned long long)snap.latency_count);
	metric_head(&b, "sitrep_scheduler_lag_seconds", "gauge",
		    "How late the scheduler ran its last due work.");
	buf_addf(&b, "sitrep_scheduler_lag_seconds %.3f\n", (double)snap.scheduler_lag_ms / 1000);
	return queue(conn, 200, response_from(&b, "text/plain; version=0.0.4; charset=utf-8",
					       "no-store"));
}

/* ---- forms ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One name or value of application/x-www-form-urlencoded; NULL when a
 * %-escape is malformed or decodes to NUL. */
static char *
form_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			free(out);
			return NULL;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

void
http_form_release(struct http_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	f->n = 0;
}

int
http_form_parse(struct http_form *f, const char *body, size_t len)
{
	size_t i = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		size_t end = i, eq;

		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			if (f->n == HTTP_MAX_FIELDS) {
				http_form_release(f);
				return err_set(SR_EUSAGE, "The form has too many fields.");
			}
			for (eq = i; eq < end && body[eq] != '='; eq++)
				;
			f->name[f->n] = form_decode(body + i, eq - i);
			f->value[f->n] = form_decode(body + (eq < end ? eq + 1 : end),
						     eq < end ? end - eq - 1 : 0);
			f->n++;
			if (f->name[f->n - 1] == NULL || f->value[f->n - 1] == NULL) {
				http_form_release(f);
				return err_set(SR_EUSAGE, "The form is not correctly encoded.");
			}
		}
		i = end + 1;
	}
	return 0;
}

const char *
http_form_get(const struct http_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

static bool
is_form_encoded(struct MHD_Connection *conn)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *type = "application/x-www-form-urlencoded";
	size_t n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The page URL joined with a path, for links that leave this page (in the
 * webhook secret page, the unsubscribe link). */
static char *
page_link(const struct conf *c, const char *path)
{
	size_t n = strlen(c->page_url);

	return xasprintf("%s%s%s", c->page_url, n > 0 && c->page_url[n - 1] == '/' ? "" : "/",
			 path);
}

static void
subscribe_form(struct buf *b, const struct conf *c, const char *kind, const char *address)
{
	bool webhook = kind != NULL && strcmp(kind, "webhook") == 0;

	buf_adds(b, "<form method=\"post\" action=\"subscribe\">\n"
		 "<fieldset>\n<legend>How should we tell you?</legend>\n");
	buf_addf(b, "<p><input type=\"radio\" id=\"kind-email\" name=\"kind\" value=\"email\"%s>"
		 " <label for=\"kind-email\">By e-mail</label></p>\n", webhook ? "" : " checked");
	buf_addf(b, "<p><input type=\"radio\" id=\"kind-webhook\" name=\"kind\" "
		 "value=\"webhook\"%s> <label for=\"kind-webhook\">By webhook: we POST JSON "
		 "signed as Standard Webhooks</label></p>\n</fieldset>\n", webhook ? " checked" : "");
	buf_adds(b, "<p><label for=\"address\">E-mail address or webhook URL</label><br>\n"
		 "<input id=\"address\" name=\"address\" type=\"text\" required "
		 "maxlength=\"2048\" size=\"40\" autocomplete=\"email\" value=\"");
	statuspage_escape(b, address);
	buf_adds(b, "\"></p>\n");
	if (c->ncomponents > 0) {
		buf_adds(b, "<fieldset>\n<legend>Only about these components "
			 "(none checked: all of them)</legend>\n");
		for (size_t i = 0; i < c->ncomponents; i++) {
			buf_addf(b, "<p><input type=\"checkbox\" id=\"c-%zu\" name=\"component\" "
				 "value=\"", i);
			statuspage_escape(b, c->components[i].id);
			buf_addf(b, "\"> <label for=\"c-%zu\">", i);
			statuspage_escape(b, c->components[i].name != NULL ?
					  c->components[i].name : c->components[i].id);
			buf_adds(b, "</label></p>\n");
		}
		buf_adds(b, "</fieldset>\n");
	}
	buf_adds(b, "<p><button type=\"submit\">Subscribe</button></p>\n</form>\n");
}

static struct MHD_Response *
subscribe_page(struct http_server *h, const char *error, const char *kind, const char *address)
{
	struct buf b = BUF_INIT;

	statuspage_html_begin(&b, h->conf->page_name, "Subscribe to updates", "");
	buf_adds(&b, "<h1>Subscribe to updates</h1>\n");
	if (error != NULL) {
		buf_adds(&b, "<p role=\"alert\"><strong>Not subscribed:</strong> ");
		statuspage_escape(&b, error);
		buf_adds(&b, "</p>\n");
	}
	buf_adds(&b, "<p>Hear from us when an incident starts, as it progresses and when "
		 "it is resolved.</p>\n");
	subscribe_form(&b, h->conf, kind, address);
	statuspage_html_end(&b, "");
	return response_from(&b, "text/html; charset=utf-8", "no-store");
}

/*
 * The fields the subscribe form reads, as text: valid UTF-8 and not
 * longer than the form allows. NULL, or a message naming the field.
 */
static const char *
subscribe_field_problem(const struct http_form *f)
{
	static const struct { const char *name; size_t max; const char *bad, *long_; } fields[] = {
		{ "kind", 16, "The field 'kind' is not valid UTF-8.",
		  "The field 'kind' is too long." },
		{ "address", HTTP_MAX_ADDRESS, "The field 'address' is not valid UTF-8.",
		  "The field 'address' is longer than 2048 bytes." },
		{ "component", HTTP_MAX_COMPONENT, "The field 'component' is not valid UTF-8.",
		  "The field 'component' is longer than 256 bytes." },
	};

	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			size_t len;

			if (strcmp(f->name[i], fields[k].name) != 0)
				continue;
			len = strlen(f->value[i]);
			if (!utf8_valid(f->value[i], len, NULL))
				return fields[k].bad;
			if (len > fields[k].max)
				return fields[k].long_;
		}
	return NULL;
}

/* The answer to a subscription made, or to one that was there already:
 * the same words and status either way, so that the form tells nobody
 * whether an address is subscribed. A webhook's secret is shown once,
 * when it is made (secret and token NULL otherwise). */
static enum MHD_Result
subscribed(struct http_server *h, struct MHD_Connection *conn, const char *kind,
	   const char *address, const char *secret, const char *token)
{
	struct buf b = BUF_INIT;

	statuspage_html_begin(&b, h->conf->page_name, "Subscribed", "");
	buf_adds(&b, "<h1>Subscribed</h1>\n<p>");
	statuspage_escape(&b, address);
	if (strcmp(kind, "webhook") == 0) {
		buf_adds(&b, " will receive a POST for every update, signed as Standard "
			 "Webhooks (headers webhook-id, webhook-timestamp, "
			 "webhook-signature)");
		if (secret != NULL && token != NULL) {
			char *path = xasprintf("unsubscribe?token=%s", token);
			char *link = page_link(h->conf, path);

			buf_adds(&b, " with this secret:</p>\n<p><code>");
			statuspage_escape(&b, secret);
			buf_adds(&b, "</code></p>\n<p><strong>Keep it now: it is not shown again."
				 "</strong></p>\n<p>To stop, visit <a href=\"");
			statuspage_escape(&b, path);
			buf_adds(&b, "\">");
			statuspage_escape(&b, link);
			buf_adds(&b, "</a>. A response of 410 Gone to a delivery ends the "
				 "subscription too.</p>\n");
			free(path);
			free(link);
		} else
			buf_adds(&b, ", with the secret shown when it was first subscribed."
				 "</p>\n<p>A response of 410 Gone to a delivery ends the "
				 "subscription.</p>\n");
	} else
		buf_adds(&b, ": we sent a confirmation link to this address, unless it is "
			 "subscribed already. Follow it within 24 hours to receive an e-mail "
			 "for every update; until then we send nothing else. Each update has "
			 "a link to unsubscribe.</p>\n");
	statuspage_html_end(&b, "");
	return queue(conn, 201, response_from(&b, "text/html; charset=utf-8", "no-store"));
}

static enum MHD_Result
subscribe_post(struct http_server *h, struct MHD_Connection *conn, struct http_request *rq)
{
	struct store_subscriber sub;
	struct http_form f;
	const char *kind, *address;
	char *comps[HTTP_MAX_FIELDS];
	size_t ncomps = 0;
	unsigned int code = 400;
	const char *msg = NULL;
	int rc;

	if (!is_form_encoded(conn))
		return queue(conn, 415, subscribe_page(h, "Send the form as "
			     "application/x-www-form-urlencoded.", NULL, NULL));
	if (http_form_parse(&f, buf_str(&rq->body), rq->body.len) != 0)
		return queue(conn, 400, subscribe_page(h, err_last(), NULL, NULL));
	if ((msg = subscribe_field_problem(&f)) != NULL) {
		enum MHD_Result ret = queue(conn, 400, subscribe_page(h, msg, NULL, NULL));

		http_form_release(&f);
		return ret;
	}
	kind = http_form_get(&f, "kind");
	address = http_form_get(&f, "address");
	for (size_t i = 0; i < f.n; i++) {
		size_t k = 0;

		if (strcmp(f.name[i], "component") != 0)
			continue;
		while (k < ncomps && strcmp(comps[k], f.value[i]) != 0)
			k++;
		if (k == ncomps) /* a box sent twice is one choice */
			comps[ncomps++] = f.value[i];
	}
	/* Checked here too, so the messages name nothing of the server's. */
	if (kind == NULL || (strcmp(kind, "email") != 0 && strcmp(kind, "webhook") != 0))
		msg = "Choose e-mail or webhook.";
	else if (address == NULL || address[0] == '\0')
		msg = strcmp(kind, "email") == 0 ? "Give an e-mail address." :
		      "Give a webhook URL.";
	for (size_t i = 0; msg == NULL && i < ncomps; i++)
		if (conf_component(h->conf, comps[i]) == NULL)
			msg = "One of the components chosen is not on this page.";
	if (msg != NULL) {
		enum MHD_Result ret = queue(conn, 400, subscribe_page(h, msg, kind, address));

		http_form_release(&f);
		return ret;
	}
	rc = subscribers_add(&sub, h->store, h->conf, kind, address, comps, ncomps);
	h->cache.dirty = true;
	if (rc == SR_EEXIST) {
		/* the same answer as a new subscription, but no secret */
		enum MHD_Result ret = subscribed(h, conn, kind, address, NULL, NULL);

		http_form_release(&f);
		return ret;
	}
	if (rc != 0) {
		enum MHD_Result ret;

		switch (rc) {
		case SR_EUSAGE:
			msg = err_last();
			break;
		case SR_EREFUSED:
			msg = strcmp(kind, "email") == 0 ?
			      "This page does not take e-mail subscriptions; use a webhook." :
			      "That webhook URL cannot be taken: give a public http(s) URL "
			      "without a user name or password.";
			break;
		default:
			code = 500;
			log_warnx("subscribe: %s", err_last());
			msg = "Something went wrong on our side; try again later.";
		}
		ret = queue(conn, code, subscribe_page(h, msg, kind, address));
		http_form_release(&f);
		return ret;
	}
	{
		/* the address as typed, as the answer for one there already */
		enum MHD_Result ret = subscribed(h, conn, kind, address,
						 strcmp(sub.kind, "webhook") == 0 ? sub.secret : NULL,
						 sub.token);

		http_form_release(&f);
		store_subscriber_release(&sub);
		return ret;
	}
}

/* 32 hex digits, as subscribers_token makes them: nothing else is looked
 * up (subscribers_remove would take an id or an address too). */
static bool
token_valid(const char *t)
{
	size_t n = 0;

	if (t == NULL)
		return false;
	for (; t[n] != '\0'; n++)
		if (hexval(t[n]) < 0)
			return false;
	return n == 32;
}

static struct MHD_Response *
unsubscribe_page(struct http_server *h, const char *title, const char *text,
		 const char *token)
{
	struct buf b = BUF_INIT;

	statuspage_html_begin(&b, h->conf->page_name, title, "");
	buf_adds(&b, "<h1>");
	statuspage_escape(&b, title);
	buf_adds(&b, "</h1>\n<p>");
	statuspage_escape(&b, text);
	buf_adds(&b, "</p>\n");
	if (token != NULL) {
		buf_adds(&b, "<form method=\"post\" action=\"unsubscribe?token=");
		statuspage_escape(&b, token);
		buf_adds(&b, "\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" "
			 "value=\"One-Click\">\n<p><button type=\"submit\">Unsubscribe</button>"
			 "</p>\n</form>\n");
	}
	statuspage_html_end(&b, "");
	return response_from(&b, "text/html; charset=utf-8", "no-store");
}

static enum MHD_Result
unsubscribe(struct http_server *h, struct MHD_Connection *conn, struct http_request *rq,
	    bool post)
{
	const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	struct store_subscriber sub;
	struct http_form f;
	char idtext[32];
	int64_t id;
	bool active;
	int rc;

	memset(&f, 0, sizeof(f));
	/* Our own confirmation form sends the token in the URL; a form that
	 * carries it in the body is taken too. The body is otherwise
	 * ignored: RFC 8058 lets a mail client send it either way. */
	if (token == NULL && post && is_form_encoded(conn) &&
	    http_form_parse(&f, buf_str(&rq->body), rq->body.len) == 0)
		token = http_form_get(&f, "token");
	if (token == NULL || token[0] == '\0') {
		http_form_release(&f);
		return queue(conn, 400, unsubscribe_page(h, "Unsubscribe", "This link has no "
			     "unsubscribe token; use the link from one of our messages.", NULL));
	}
	if (!token_valid(token)) {
		http_form_release(&f);
		return queue(conn, 404, unsubscribe_page(h, "Unknown link", "This unsubscribe "
			     "link is not one of ours, or it was mistyped.", NULL));
	}
	rc = store_subscriber_by_token(&sub, h->store, token);
	if (rc == SR_ENOTFOUND) {
		http_form_release(&f);
		return queue(conn, 404, unsubscribe_page(h, "Unknown link", "This unsubscribe "
			     "link is not one of ours, or it was mistyped.", NULL));
	}
	if (rc != 0) {
		log_warnx("unsubscribe: %s", err_last());
		http_form_release(&f);
		return queue(conn, 503, unsubscribe_page(h, "Try again later", "We cannot "
			     "change subscriptions right now; try again in a moment.", NULL));
	}
	id = sub.id;
	active = sub.disabled_at == 0;
	store_subscriber_release(&sub);
	if (!post) {
		enum MHD_Result ret = queue(conn, 200, active ?
			unsubscribe_page(h, "Unsubscribe", "Stop receiving incident updates "
					 "from us?", token) :
			unsubscribe_page(h, "Unsubscribed", "This subscription has already "
					 "ended.", NULL));

		http_form_release(&f);
		return ret;
	}
	http_form_release(&f);
	if (active) {
		snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
		rc = subscribers_remove(&id, h->store, idtext, "unsubscribed");
		h->cache.dirty = true;
		if (rc != 0 && rc != SR_ENOTFOUND) {
			log_warnx("unsubscribe: %s", err_last());
			return queue(conn, 503, unsubscribe_page(h, "Try again later", "We cannot "
				     "change subscriptions right now; try again in a moment.",
				     NULL));
		}
	}
	return queue(conn, 200, unsubscribe_page(h, "Unsubscribed", "You will not hear from "
		     "us again about incidents. You can subscribe again at any time.", NULL));
}

/* ---- what one client may take ---- */

static void
addr_of(struct http_addr *out, const struct sockaddr *sa)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		memcpy(out->b, &in6->sin6_addr, 16);
		/* an IPv4-mapped address is one address; else the /64 */
		if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			memset(out->b + 8, 0, 8);
	}
}

static bool
addr_eq(const struct http_addr *a, const struct http_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static void
conn_unlink(struct http_server *h, struct http_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->oldest = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->newest = c->prev;
	c->prev = c->next = NULL;
}

static void
conn_append(struct http_server *h, struct http_conn *c)
{
	c->prev = h->newest;
	c->next = NULL;
	if (h->newest != NULL)
		h->newest->next = c;
	else
		h->oldest = c;
	h->newest = c;
}

/* Close c to make room: libmicrohttpd, which owns the descriptor, sees the
 * connection end at its next look and cleans up as for any other. */
static void
conn_evict(struct http_server *h, struct http_conn *c)
{
	(void)shutdown(c->fd, SHUT_RDWR);
	c->evicted = true;
	h->nconns--;
}

/* The connection that made no progress the longest (for HTTP_EVICT_IDLE_MS
 * at least), from addr only unless addr is NULL; never c itself. */
static struct http_conn *
conn_victim(struct http_server *h, const struct http_conn *c, const struct http_addr *addr,
	    int64_t now)
{
	for (struct http_conn *p = h->oldest; p != NULL; p = p->next) {
		if (now - p->last < HTTP_EVICT_IDLE_MS)
			return NULL; /* the rest are younger still */
		if (p != c && !p->evicted && (addr == NULL || addr_eq(&p->addr, addr)))
			return p;
	}
	return NULL;
}

/*
 * A new connection: when its address holds more than max_per_addr, or
 * the server more than max_conns, the connection idle the longest (of
 * that address, or of all) is closed for it; when none has been idle for
 * a second, the new one is answered 503 and closed (or just closed, if it
 * has not sent its request within HTTP_OVER_GRACE_MS when another comes). So slow clients can
 * neither hold the page away from others nor run the process out of
 * descriptors, and a busy client is slowed, not starved.
 */
static void
conn_admit(struct http_server *h, struct http_conn *c, struct MHD_Connection *conn)
{
	struct http_conn *v;
	size_t same = 0;

	for (struct http_conn *p = h->oldest; p != NULL; p = p->next) {
		/* accepted over a limit and still silent: no longer waited for */
		if (p->over && !p->evicted && c->last - p->last >= HTTP_OVER_GRACE_MS)
			conn_evict(h, p);
		same += !p->evicted && addr_eq(&p->addr, &c->addr);
	}
	if (same > (size_t)h->max_per_addr) {
		if ((v = conn_victim(h, c, &c->addr, c->last)) != NULL)
			conn_evict(h, v);
		else
			c->over = true;
	}
	if (!c->over && h->nconns > (size_t)h->max_conns) {
		if ((v = conn_victim(h, c, NULL, c->last)) != NULL)
			conn_evict(h, v);
		else
			c->over = true;
	}
	/* and if no other comes to close it, libmicrohttpd does, soon: at
	 * its own limit it stops accepting, and nothing else would */
	if (c->over)
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned int)(HTTP_OVER_GRACE_MS / 1000));
}

/* libmicrohttpd's connection start and end, in the listener's thread. */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
	    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *h = cls;
	struct http_conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *addr =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		c = xcalloc(1, sizeof(*c));
		addr_of(&c->addr, addr != NULL ? addr->client_addr : NULL);
		c->fd = fd != NULL ? fd->connect_fd : -1;
		c->last = mono_ms();
		conn_append(h, c);
		h->nconns++;
		*socket_context = c;
		if (c->fd >= 0)
			conn_admit(h, c, conn);
		return;
	}
	if (c == NULL)
		return;
	conn_unlink(h, c);
	if (!c->evicted)
		h->nconns--;
	free(c);
	*socket_context = NULL;
}

/* A request began on conn: it made progress. */
static struct http_conn *
conn_progress(struct http_server *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_conn *c = ci != NULL ? ci->socket_context : NULL;

	if (c == NULL)
		return NULL;
	c->last = mono_ms();
	conn_unlink(h, c);
	conn_append(h, c);
	return c;
}

/*
 * POST /subscribe, per client address: a bucket of subscribe_burst
 * tokens, one back every subscribe_every seconds (0: no limit). Returns
 * 0 when a token was taken, else the seconds until one is back. The
 * table is bounded: a new address takes the slot quiet the longest.
 */
static int64_t
rate_take(struct http_server *h, const struct http_addr *addr)
{
	const struct conf_http *ch = &h->conf->http;
	struct http_rate *r = NULL, *quiet = NULL;
	int64_t now = mono_ms(), every = ch->subscribe_every * 1000;

	if (every <= 0 || h->rate == NULL)
		return 0;
	for (size_t i = 0; i < HTTP_RATE_SLOTS && r == NULL; i++) {
		struct http_rate *s = &h->rate[i];

		if (s->used && addr_eq(&s->addr, addr))
			r = s;
		else if (quiet == NULL || (quiet->used && (!s->used || s->at < quiet->at)))
			quiet = s;
	}
	if (r == NULL) {
		r = quiet;
		r->addr = *addr;
		r->tokens = ch->subscribe_burst;
		r->at = now;
		r->used = true;
	}
	r->tokens += (double)(now - r->at) / (double)every;
	if (r->tokens > ch->subscribe_burst)
		r->tokens = ch->subscribe_burst;
	r->at = now;
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return 0;
	}
	return (int64_t)((1 - r->tokens) * (double)ch->subscribe_every) + 1;
}

/* ---- framing ---- */

static bool
name_is(const struct http_header *hv, const char *name)
{
	return hv->name_len == strlen(name) && strncasecmp(hv->name, name, hv->name_len) == 0;
}

const char *
http_framing_problem(const struct http_header *hv, size_t n, const char *version)
{
	size_t ncl = 0, nte = 0, nhost = 0;
	const struct http_header *te = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct http_header *x = &hv[i];

		if (x->name == NULL || x->name_len == 0 || memchr(x->name, '\0', x->name_len))
			return "A header name is empty or holds a NUL byte.";
		for (size_t k = 0; x->value != NULL && k < x->value_len; k++) {
			unsigned char ch = (unsigned char)x->value[k];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return "A header value holds a control character.";
		}
		if (name_is(x, "Content-Length")) {
			ncl++;
			if (x->value == NULL || x->value_len == 0)
				return "Content-Length is not a number.";
			for (size_t k = 0; k < x->value_len; k++)
				if (x->value[k] < '0' || x->value[k] > '9')
					return "Content-Length is not a number.";
		} else if (name_is(x, "Transfer-Encoding")) {
			nte++;
			te = x;
		} else if (name_is(x, "Host"))
			nhost++;
	}
	if (ncl > 1)
		return "Content-Length is sent more than once.";
	if (ncl > 0 && nte > 0)
		return "Content-Length and Transfer-Encoding are both sent.";
	if (nte > 1 || (te != NULL && (te->value == NULL || te->value_len != 7 ||
				       strncasecmp(te->value, "chunked", 7) != 0)))
		return "The only Transfer-Encoding understood here is chunked.";
	if (version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && nhost != 1)
		return "An HTTP/1.1 request needs exactly one Host header.";
	return NULL;
}

unsigned int
http_target_problem(const char *target, size_t len)
{
	const char *q = memchr(target, '?', len);
	size_t args = 0;

	if (len > HTTP_MAX_URI)
		return 414;
	if (q == NULL)
		return 0;
	for (const char *p = q + 1; p < target + len; p++)
		args += *p == '&';
	return args + 1 > HTTP_MAX_QUERY_ARGS ? 414 : 0;
}

#define HTTP_MAX_HEADERS	128

struct header_list {
	struct http_header hv[HTTP_MAX_HEADERS];
	size_t n;
	bool too_many;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	       const char *value, size_t value_size)
{
	struct header_list *l = cls;

	(void)kind;
	if (l->n == HTTP_MAX_HEADERS) {
		l->too_many = true;
		return MHD_NO;
	}
	l->hv[l->n].name = key;
	l->hv[l->n].name_len = key_size;
	l->hv[l->n].value = value;
	l->hv[l->n].value_len = value_size;
	l->n++;
	return MHD_YES;
}

/*
 * libmicrohttpd 0.9.75 measures a header's value with strlen, so a NUL
 * byte sent inside one hides the rest of it from every check. What it
 * leaves in place tells: each header line stays where it was received in
 * the connection's read buffer, its CR LF overwritten with two NULs, the
 * next line right after. A value whose end is not followed by two NULs
 * and then the next header's name had more in it (or ended in a bare LF,
 * or was folded over lines, both refused too).
 */
static bool
headers_hide_bytes(const struct header_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *end = l->hv[i].value + l->hv[i].value_len;

		if (l->hv[i].value == NULL || end[0] != '\0' || end[1] != '\0')
			return true;
		if (i + 1 < l->n && l->hv[i + 1].name != end + 2)
			return true;
	}
	return false;
}

static const char *
request_framing_problem(struct MHD_Connection *conn, const char *version)
{
	struct header_list *l = xcalloc(1, sizeof(*l));
	const char *why;

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, l);
	if (l->too_many)
		why = "The request has too many headers.";
	else if (headers_hide_bytes(l))
		why = "A header holds a NUL byte, is folded over lines or does not end "
		      "in CR LF.";
	else
		why = http_framing_problem(l->hv, l->n, version);
	free(l);
	return why;
}

/*
 * libmicrohttpd hands over the request target before it splits the query:
 * a query of several hundred arguments exhausts the connection's memory
 * pool there, and 0.9.75 then leaves the connection hanging until its
 * timeout. A target that is too long or has too many arguments is marked
 * for a 414 and its query cut off at the '?' (the string is the
 * connection's own buffer, parsed right after this call), so nothing is
 * split and the handler answers at once.
 */
static void *
http_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_request *rq = xcalloc(1, sizeof(*rq));
	size_t len = strlen(uri);

	(void)cls;
	(void)conn;
	if ((rq->refuse = http_target_problem(uri, len)) != 0) {
		char *q = strchr(uri, '?');

		if (q != NULL)
			q[1] = '\0';
	}
	return rq;
}

/* The response to a request refused for what it is, not for what it
 * asks: the connection is closed after it, whatever bytes follow. */
static enum MHD_Result
refuse(struct http_server *h, struct MHD_Connection *conn, const char *url, unsigned int code,
       const char *message, int64_t retry_after)
{
	struct MHD_Response *r = error_response(h, url, code, message);
	char ra[32];

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (retry_after > 0) {
		snprintf(ra, sizeof(ra), "%lld", (long long)retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	return queue(conn, code, r);
}

/* A page of the confirmation link: a title, a text, and with token the
 * button that confirms. */
static struct MHD_Response *
confirm_page(struct http_server *h, const char *title, const char *text, const char *token)
{
	struct buf b = BUF_INIT;

	statuspage_html_begin(&b, h->conf->page_name, title, "");
	buf_adds(&b, "<h1>");
	statuspage_escape(&b, title);
	buf_adds(&b, "</h1>\n<p>");
	statuspage_escape(&b, text);
	buf_adds(&b, "</p>\n");
	if (token != NULL) {
		buf_adds(&b, "<form method=\"post\" action=\"confirm?token=");
		statuspage_escape(&b, token);
		buf_adds(&b, "\">\n<p><button type=\"submit\">Confirm</button></p>\n</form>\n");
	}
	statuspage_html_end(&b, "");
	return response_from(&b, "text/html; charset=utf-8", "no-store");
}

/*
 * /subscribe/confirm?token=T, the link in a confirmation mail
 * (subscribers.h). A GET shows a button and a POST confirms, so that a
 * mail scanner opening every link confirms no one.
 */
static enum MHD_Result
confirm_subscription(struct http_server *h, struct MHD_Connection *conn, bool post)
{
	const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	struct store_subscriber sub;
	char *text;
	enum MHD_Result ret;
	int rc;

	if (!token_valid(token))
		return queue(conn, 404, confirm_page(h, "Unknown link", "This confirmation link "
			     "is not one of ours, or it was mistyped.", NULL));
	if (!post)
		return queue(conn, 200, confirm_page(h, "Confirm your subscription", "Receive "
			     "an e-mail for every incident update at the address this link "
			     "was sent to?", token));
	rc = subscribers_confirm(&sub, h->store, token);
	h->cache.dirty = true;
	if (rc == SR_ENOTFOUND)
		return queue(conn, 404, confirm_page(h, "Link used or expired", "This link "
			     "was used already or is older than 24 hours. To subscribe, use "
			     "the form again.", NULL));
	if (rc != 0) {
		log_warnx("subscribe: %s", err_last());
		return queue(conn, 503, confirm_page(h, "Try again later", "We cannot change "
			     "subscriptions right now; try again in a moment.", NULL));
	}
	text = xasprintf("%s will receive an e-mail for every incident update. Each one has "
			 "a link to unsubscribe.", sub.address);
	ret = queue(conn, 200, confirm_page(h, "Subscribed", text, NULL));
	free(text);
	store_subscriber_release(&sub);
	return ret;
}

/* ---- the handler ---- */

static enum MHD_Result
serve_get(struct http_server *h, struct MHD_Connection *conn, const char *url,
	  const struct http_route *r, struct http_request *rq)
{
	switch (r->kind) {
	case ROUTE_DOC:
		return serve_doc(h, conn, url, r);
	case ROUTE_INCIDENT:
		return serve_item(h, conn, url, &incident_page);
	case ROUTE_MAINTENANCE:
		return serve_item(h, conn, url, &maintenance_page);
	case ROUTE_SUBSCRIBE:
		return queue(conn, 200, subscribe_page(h, NULL, NULL, NULL));
	case ROUTE_UNSUBSCRIBE:
		return unsubscribe(h, conn, rq, false);
	case ROUTE_HEALTHZ:
		return serve_healthz(h, conn);
	case ROUTE_METRICS:
		return serve_metrics(h, conn, url);
	case ROUTE_CONFIRM:
		return confirm_subscription(h, conn, false);
	}
	return fail(h, conn, url, 404, NULL);
}

/*
 * libmicrohttpd calls http_uri with the request line, then this once when
 * the headers are in (rq->started false), then once per piece of body,
 * then once more with no data. What is refused for its framing or its
 * client's limits is answered on the first call, and the connection
 * closed; everything else but a POST is answered on the second call; a
 * POST's body is gathered, up to HTTP_MAX_FORM, and answered on the last.
 */
static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	     const char *version, const char *upload_data, size_t *upload_data_size,
	     void **con_cls)
{
	struct http_server *h = cls;
	struct http_request *rq = *con_cls;

	if (rq == NULL) /* no request line seen: not expected, but harmless */
		*con_cls = rq = xcalloc(1, sizeof(*rq));
	if (!rq->started) {
		const struct http_route *r = route_find(url, h->internal);
		struct http_conn *c = conn_progress(h, conn);
		const char *len, *why;

		rq->started = true;
		rq->route = r;
		if (c != NULL && c->over)
			return refuse(h, conn, url, 503, "The server is busy; try again in a "
				      "moment.", 1);
		if (rq->refuse != 0)
			return refuse(h, conn, url, rq->refuse, "The address is too long or has "
				      "too many arguments.", 0);
		if ((why = request_framing_problem(conn, version)) != NULL)
			return refuse(h, conn, url, 400, why, 0);
		if (r == NULL)
			return fail(h, conn, url, 404, "There is nothing at this address.");
		/* Answering in this first call would make libmicrohttpd close
		 * the connection after the response; the second call keeps it
		 * alive for the next request. */
		if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) {
			rq->get = true;
			return MHD_YES;
		}
		if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
			return options(conn, r);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0 || !route_takes_post(r))
			return not_allowed(h, conn, url, r);
		if (r->kind == ROUTE_SUBSCRIBE && c != NULL) {
			int64_t wait = rate_take(h, &c->addr);

			if (wait > 0)
				return refuse(h, conn, url, 429, "Too many subscriptions from your "
					      "address; try again later.", wait);
		}
		len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						  MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (len != NULL && strtoull(len, NULL, 10) > HTTP_MAX_FORM)
			return fail(h, conn, url, 413, "The form is too large.");
		return MHD_YES;
	}
	if (rq->get) {
		/* a body sent with a GET is read and ignored */
		if (*upload_data_size > 0) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		return serve_get(h, conn, url, rq->route, rq);
	}
	if (*upload_data_size > 0) {
		if (!rq->too_big && rq->body.len + *upload_data_size <= HTTP_MAX_FORM)
			buf_add(&rq->body, upload_data, *upload_data_size);
		else
			rq->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return fail(h, conn, url, 413, "The form is too large.");
	if (rq->route->kind == ROUTE_SUBSCRIBE)
		return subscribe_post(h, conn, rq);
	if (rq->route->kind == ROUTE_CONFIRM)
		return confirm_subscription(h, conn, true);
	return unsubscribe(h, conn, rq, true);
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct http_request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* libmicrohttpd's messages: while starting, why it cannot; once running,
 * mostly what clients did wrong (closed early, sent too much), which is
 * debug noise on a public server. */
static void
http_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *h = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (atomic_load(&h->running))
		log_debug("http: %s", msg);
	else
		log_warnx("http: %s", msg);
}
#pragma GCC diagnostic pop

/*
 * Bind ADDRESS:PORT ourselves, so a failure says why (in use, not an
 * address of this host) instead of libmicrohttpd's bare refusal.
 */
static int
http_listen(int *out_fd, int *out_port, const char *listen_on)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[256];
	const char *colon = strrchr(listen_on, ':'), *port;
	size_t hostlen;
	int fd, one = 1, gai;

	if (colon == NULL)
		return err_set(SR_EUSAGE, "http listen '%s' must be ADDRESS:PORT", listen_on);
	port = colon + 1;
	if (listen_on[0] == '[' && colon > listen_on && colon[-1] == ']') {
		listen_on++;
		hostlen = (size_t)(colon - 1 - listen_on);
	} else
		hostlen = (size_t)(colon - listen_on);
	if (hostlen == 0 || hostlen >= sizeof(host))
		return err_set(SR_EUSAGE, "http listen '%s' must be ADDRESS:PORT", listen_on);
	memcpy(host, listen_on, hostlen);
	host[hostlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return err_set(SR_EUSAGE, "cannot listen on '%s' port %s: %s", host, port,
			       gai_strerror(gai));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return err_set(SR_ESYS, "cannot open a socket: %s", strerror(errno));
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (res->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, HTTP_LISTEN_BACKLOG) != 0) {
		int e = errno;

		freeaddrinfo(res);
		close(fd);
		return err_set(SR_ESYS, "cannot listen on %s port %s: %s", host, port,
			       strerror(e));
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		close(fd);
		return err_set(SR_ESYS, "cannot read the listening address: %s",
			       strerror(errno));
	}
	*out_port = ss.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*out_fd = fd;
	return 0;
}

/*
 * How many connections a listener takes: the config's, within what the
 * process may open (sitrepd raises its descriptor limit to the hard one
 * at start; what remains after HTTP_FD_RESERVE is shared, the internal
 * listener taking a small fixed part).
 */
static int
fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 4 * 1000 * 1000)
		return 4 * 1000 * 1000;
	return (int)rl.rlim_cur;
}

#define HTTP_INTERNAL_CONNS	64

/* Start one listener: take prev's socket when it listened on the same
 * address (a reload), else bind one. */
static int
server_open(struct http_server *h, const char *listen_on, const struct http_server *prev)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	unsigned int hard;
	int rc, budget;

	if ((rc = store_open(&h->store, h->conf->database)) != 0)
		return rc;
	if (prev != NULL && prev->listen_fd >= 0 && strcmp(prev->listen_on, listen_on) == 0) {
		if ((h->listen_fd = fcntl(prev->listen_fd, F_DUPFD_CLOEXEC, 0)) < 0)
			return err_set(SR_ESYS, "cannot keep listening on %s: %s", listen_on,
				       strerror(errno));
		h->port = prev->port;
	} else if ((rc = http_listen(&h->listen_fd, &h->port, listen_on)) != 0)
		return rc;
	h->listen_on = xstrdup(listen_on);
	budget = fd_budget() - HTTP_FD_RESERVE - h->conf->delivery.concurrency -
		 HTTP_INTERNAL_CONNS * 2;
	if (h->internal) {
		h->max_conns = h->max_per_addr = HTTP_INTERNAL_CONNS;
	} else {
		h->max_conns = h->conf->http.max_connections;
		h->max_per_addr = h->conf->http.max_per_address;
		if (h->max_conns + h->max_conns / 4 > budget) {
			int was = h->max_conns;

			h->max_conns = budget > 80 ? budget * 4 / 5 : 64;
			log_warnx("http: max_connections %d is more than this process may "
				  "open (%d descriptors); serving %d", was, fd_budget(),
				  h->max_conns);
		}
		h->rate = xcalloc(HTTP_RATE_SLOTS, sizeof(*h->rate));
	}
	/* Our limits answer 503 and close idle connections (conn_admit);
	 * libmicrohttpd's, a quarter above, only leaves the rest waiting. */
	hard = (unsigned int)(h->max_conns + h->max_conns / 4 + 4);
	/* epoll (poll elsewhere): select() stops at FD_SETSIZE descriptors */
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL :
		 MHD_USE_POLL;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, h,
				MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->listen_fd,
				MHD_OPTION_CONNECTION_LIMIT, hard,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)h->conf->http.timeout,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
				MHD_OPTION_URI_LOG_CALLBACK, http_uri, h,
				MHD_OPTION_NOTIFY_CONNECTION, http_notify, h,
				MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
				MHD_OPTION_END);
	if (h->d == NULL)
		return err_set(SR_ESYS, "cannot start the HTTP server on %s", listen_on);
	atomic_store(&h->running, true);
	return 0;
}

static struct http_server *
server_new(const struct conf *c, struct http_metrics *m, bool internal)
{
	struct http_server *h = xcalloc(1, sizeof(*h));

	h->conf = c;
	h->metrics = m;
	h->internal = internal;
	h->listen_fd = -1;
	h->started_at = clock_now_ms();
	return h;
}

/* Stop accepting, give requests in flight a moment to finish, stop the
 * thread and close the store. */
static void
server_close(struct http_server *h)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	MHD_socket fd = MHD_INVALID_SOCKET;

	if (h->d != NULL) {
		fd = MHD_quiesce_daemon(h->d);
		for (int waited = 0; waited < HTTP_DRAIN_MS; waited += 20) {
			const union MHD_DaemonInfo *info =
				MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

			if (info == NULL || info->num_connections == 0)
				break;
			nanosleep(&pause, NULL);
		}
		MHD_stop_daemon(h->d);
		/* Quiesced, the listening socket is ours to close; else MHD
		 * closed it. */
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	} else if (h->listen_fd >= 0)
		close(h->listen_fd);
	cache_clear(&h->cache);
	store_close(h->store);
	free(h->rate);
	free(h->listen_on);
	free(h);
}

int
http_start(struct http_server **out, const struct conf *c, struct http_metrics *m,
	   const struct http_server *prev)
{
	struct http_server *h;
	int rc;

	*out = NULL;
	h = server_new(c, m, false);
	h->internal_srv = server_new(c, m, true);
	if ((rc = server_open(h, c->listen, prev)) != 0 ||
	    (rc = server_open(h->internal_srv, c->http.internal_listen != NULL ?
			      c->http.internal_listen : "127.0.0.1:0",
			      prev != NULL ? prev->internal_srv : NULL)) != 0) {
		server_close(h->internal_srv);
		server_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

int
http_port(const struct http_server *h)
{
	return h->port;
}

int
http_internal_port(const struct http_server *h)
{
	return h->internal_srv->port;
}

void
http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	server_close(h->internal_srv);
	server_close(h);
}
