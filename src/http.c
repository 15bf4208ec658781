/* http.c: sitrepd's public HTTP server on libmicrohttpd: routing, the
 * in-memory cache of the public documents, the subscribe and unsubscribe
 * forms, /healthz and /metrics. What the documents say is statuspage.c's
 * and feed.c's; what is public is snapshot.c's; the checks on a new
 * subscriber are subscribers.c's. */
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/feed.h"
#include "sitrep/http.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/store-metrics.h"
#include "sitrep/store.h"
#include "sitrep/subscribers.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

/* Limits: a public server must not let one client hold it. */
#define HTTP_MAX_CONNECTIONS	512
#define HTTP_TIMEOUT_SECONDS	15
#define HTTP_CONN_MEMORY	(32 * 1024)	/* headers and MHD's buffers; more costs
						 * an mmap per new connection */
#define HTTP_MAX_FORM		(8 * 1024)	/* a subscribe or unsubscribe body */
#define HTTP_MAX_FIELDS		128
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
};

static const struct http_route *
route_find(const char *url)
{
	for (size_t i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route *r = &http_routes[i];

		if (r->kind == ROUTE_INCIDENT) {
			size_t n = strlen(r->path);

			if (strncmp(url, r->path, n) == 0 && url[n] != '\0' &&
			    strchr(url + n, '/') == NULL)
				return r;
		} else if (strcmp(url, r->path) == 0)
			return r;
	}
	return NULL;
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

struct http_server {
	struct MHD_Daemon *d;
	atomic_bool running;	/* started: libmicrohttpd's messages are debug */
	int listen_fd;
	int port;
	struct store *store;
	const struct conf *conf;
	struct http_metrics *metrics;
	struct http_cache cache;
	int64_t started_at;	/* "since when" for what never changed */
};

/* One request's state, from its headers to its completion. */
struct http_request {
	const struct http_route *route;
	struct buf body;
	bool too_big;
	bool get;      /* a GET or HEAD, answered on the second call */
};

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
	case 409: return "Already subscribed";
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

static enum MHD_Result
serve_incident(struct http_server *h, struct MHD_Connection *conn, const char *url)
{
	struct buf b = BUF_INIT;
	int64_t id;

	if (vocab_parse_id(&id, url + strlen("/incidents/"), "INC", "an incident") != 0)
		return fail(h, conn, url, 404, "There is no such incident on this page.");
	if (cache_refresh(h) != 0)
		return fail(h, conn, url, 503, "The status page cannot be read right now; "
			    "try again in a moment.");
	if (statuspage_incident_html(&b, h->cache.sn, id) != 0) {
		buf_release(&b);
		return fail(h, conn, url, 404, "There is no such incident on this page.");
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

struct form {
	char *name[HTTP_MAX_FIELDS];
	char *value[HTTP_MAX_FIELDS];
	size_t n;
};

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

static void
form_release(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	f->n = 0;
}

/* Parse body into f; SR_EUSAGE with a message when it is not a form. */
static int
form_parse(struct form *f, const char *body, size_t len)
{
	size_t i = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		size_t end = i, eq;

		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			if (f->n == HTTP_MAX_FIELDS) {
				form_release(f);
				return err_set(SR_EUSAGE, "The form has too many fields.");
			}
			for (eq = i; eq < end && body[eq] != '='; eq++)
				;
			f->name[f->n] = form_decode(body + i, eq - i);
			f->value[f->n] = form_decode(body + (eq < end ? eq + 1 : end),
						     eq < end ? end - eq - 1 : 0);
			f->n++;
			if (f->name[f->n - 1] == NULL || f->value[f->n - 1] == NULL) {
				form_release(f);
				return err_set(SR_EUSAGE, "The form is not correctly encoded.");
			}
		}
		i = end + 1;
	}
	return 0;
}

static const char *
form_get(const struct form *f, const char *name)
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

static enum MHD_Result
subscribe_post(struct http_server *h, struct MHD_Connection *conn, struct http_request *rq)
{
	struct store_subscriber sub;
	struct form f;
	const char *kind, *address;
	char *comps[HTTP_MAX_FIELDS];
	size_t ncomps = 0;
	unsigned int code = 400;
	const char *msg = NULL;
	int rc;

	if (!is_form_encoded(conn))
		return queue(conn, 415, subscribe_page(h, "Send the form as "
			     "application/x-www-form-urlencoded.", NULL, NULL));
	if (form_parse(&f, buf_str(&rq->body), rq->body.len) != 0)
		return queue(conn, 400, subscribe_page(h, err_last(), NULL, NULL));
	kind = form_get(&f, "kind");
	address = form_get(&f, "address");
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

		form_release(&f);
		return ret;
	}
	rc = subscribers_add(&sub, h->store, h->conf, kind, address, comps, ncomps);
	h->cache.dirty = true;
	if (rc != 0) {
		enum MHD_Result ret;

		switch (rc) {
		case SR_EUSAGE:
			msg = err_last();
			break;
		case SR_EEXIST:
			code = 409;
			msg = "That address is already subscribed.";
			break;
		case SR_EREFUSED:
			msg = "This page does not take e-mail subscriptions; use a webhook.";
			break;
		default:
			code = 500;
			log_warnx("subscribe: %s", err_last());
			msg = "Something went wrong on our side; try again later.";
		}
		ret = queue(conn, code, subscribe_page(h, msg, kind, address));
		form_release(&f);
		return ret;
	}
	form_release(&f);

	struct buf b = BUF_INIT;
	char *path = xasprintf("unsubscribe?token=%s", sub.token);
	char *link = page_link(h->conf, path);

	statuspage_html_begin(&b, h->conf->page_name, "Subscribed", "");
	buf_adds(&b, "<h1>Subscribed</h1>\n<p>");
	statuspage_escape(&b, sub.address);
	if (strcmp(sub.kind, "webhook") == 0) {
		buf_adds(&b, " will receive a POST for every update, signed as Standard "
			 "Webhooks (headers webhook-id, webhook-timestamp, "
			 "webhook-signature) with this secret:</p>\n<p><code>");
		statuspage_escape(&b, sub.secret);
		buf_adds(&b, "</code></p>\n<p><strong>Keep it now: it is not shown again."
			 "</strong></p>\n<p>To stop, visit <a href=\"");
		statuspage_escape(&b, path);
		buf_adds(&b, "\">");
		statuspage_escape(&b, link);
		buf_adds(&b, "</a>. A response of 410 Gone to a delivery ends the "
			 "subscription too.</p>\n");
	} else
		buf_adds(&b, " will receive an e-mail for every update. Each one has a link "
			 "to unsubscribe.</p>\n");
	statuspage_html_end(&b, "");
	free(path);
	free(link);
	store_subscriber_release(&sub);
	return queue(conn, 201, response_from(&b, "text/html; charset=utf-8", "no-store"));
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
	struct form f;
	char idtext[32];
	int64_t id;
	bool active;
	int rc;

	memset(&f, 0, sizeof(f));
	/* Our own confirmation form sends the token in the URL; a form that
	 * carries it in the body is taken too. The body is otherwise
	 * ignored: RFC 8058 lets a mail client send it either way. */
	if (token == NULL && post && is_form_encoded(conn) &&
	    form_parse(&f, buf_str(&rq->body), rq->body.len) == 0)
		token = form_get(&f, "token");
	if (token == NULL || token[0] == '\0') {
		form_release(&f);
		return queue(conn, 400, unsubscribe_page(h, "Unsubscribe", "This link has no "
			     "unsubscribe token; use the link from one of our messages.", NULL));
	}
	if (!token_valid(token)) {
		form_release(&f);
		return queue(conn, 404, unsubscribe_page(h, "Unknown link", "This unsubscribe "
			     "link is not one of ours, or it was mistyped.", NULL));
	}
	rc = store_subscriber_by_token(&sub, h->store, token);
	if (rc == SR_ENOTFOUND) {
		form_release(&f);
		return queue(conn, 404, unsubscribe_page(h, "Unknown link", "This unsubscribe "
			     "link is not one of ours, or it was mistyped.", NULL));
	}
	if (rc != 0) {
		log_warnx("unsubscribe: %s", err_last());
		form_release(&f);
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

		form_release(&f);
		return ret;
	}
	form_release(&f);
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
		return serve_incident(h, conn, url);
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
 * libmicrohttpd calls this once when the headers are in (*con_cls NULL),
 * then once per piece of body, then once more with no data. Everything but
 * a POST is answered on the first call; a POST's body is gathered, up to
 * HTTP_MAX_FORM, and answered on the last.
 */
static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	     const char *version, const char *upload_data, size_t *upload_data_size,
	     void **con_cls)
{
	struct http_server *h = cls;
	struct http_request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		const struct http_route *r = route_find(url);
		const char *len;

		rq = xcalloc(1, sizeof(*rq));
		rq->route = r;
		*con_cls = rq;
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
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
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

int
http_start(struct http_server **out, const struct conf *c, struct http_metrics *m)
{
	struct http_server *h;
	int rc;

	*out = NULL;
	h = xcalloc(1, sizeof(*h));
	h->conf = c;
	h->metrics = m;
	h->listen_fd = -1;
	h->started_at = clock_now_ms();
	if ((rc = store_open(&h->store, c->database)) != 0) {
		free(h);
		return rc;
	}
	if ((rc = http_listen(&h->listen_fd, &h->port, c->listen)) != 0) {
		store_close(h->store);
		free(h);
		return rc;
	}
	h->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC,
				0, NULL, NULL, http_handler, h,
				MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->listen_fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_SECONDS,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
				MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
				MHD_OPTION_END);
	if (h->d == NULL) {
		close(h->listen_fd);
		store_close(h->store);
		free(h);
		return err_set(SR_ESYS, "cannot start the HTTP server on %s", c->listen);
	}
	atomic_store(&h->running, true);
	*out = h;
	return 0;
}

int
http_port(const struct http_server *h)
{
	return h->port;
}

void
http_stop(struct http_server *h)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	MHD_socket fd;

	if (h == NULL)
		return;
	fd = MHD_quiesce_daemon(h->d);
	for (int waited = 0; waited < HTTP_DRAIN_MS; waited += 20) {
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (info == NULL || info->num_connections == 0)
			break;
		nanosleep(&pause, NULL);
	}
	MHD_stop_daemon(h->d);
	/* Quiesced, the listening socket is ours to close; else MHD closed it. */
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	cache_clear(&h->cache);
	store_close(h->store);
	free(h);
}
