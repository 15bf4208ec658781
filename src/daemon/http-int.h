/* http-int.h: what the http*.c files share among themselves (the server,
 * a request, the routes, the cache, the limits, the replies and pages)
 * and let their fuzz target and unit tests reach: the form decoder, the
 * router and the checks on a request's framing. No other module includes
 * it; libmicrohttpd is seen by the http files alone. */
#ifndef SITREP_HTTP_INT_H
#define SITREP_HTTP_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "sitrep/buf.h"
#include "sitrep/statuspage.h"

struct conf;
struct http_metrics;
struct snapshot;
struct store;

#define HTTP_MAX_FIELDS		128	/* in a form */
#define HTTP_MAX_QUERY_ARGS	32	/* in a URL's query */
#define HTTP_MAX_URI		4096
#define HTTP_RATE_SLOTS		4096	/* client addresses the subscribe
					 * rate limit remembers */

/* ---- forms (http-form.c) ---- */

/* A decoded application/x-www-form-urlencoded body. */
struct http_form {
	char *name[HTTP_MAX_FIELDS];
	char *value[HTTP_MAX_FIELDS];
	size_t n;
};

/* Parse len bytes of body into f; SR_EUSAGE with a message when it is not
 * a form (a bad %-escape, a NUL, too many fields). f is empty then. */
int http_form_parse(struct http_form *f, const char *body, size_t len);
/* The first value of name, or NULL. */
const char *http_form_get(const struct http_form *f, const char *name);
void http_form_release(struct http_form *f);
/* Whether t is 32 hex digits, as subscribers_token makes them. */
bool http_form_is_token(const char *t);

/* ---- routes (http-route.c) ---- */

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
	ROUTE_ACK,
	ROUTE_API,	/* /api/v1/..., internal only (http-api.c) */
};

struct http_route {
	const char *path;
	enum http_kind kind;
	int doc;
};

/* What serves url (a path without its query) on the public or the internal
 * listener, or NULL for nothing (404). */
const struct http_route *http_route_find(const char *url, bool internal);
/* The same as one of enum http_kind, or -1. */
int http_route_kind(const char *url, bool internal);
bool http_route_takes_post(const struct http_route *r);
/* Cross-origin readers welcome: the API and the feeds. */
bool http_route_cors(const struct http_route *r);

/* ---- framing (http-framing.c) ---- */

/* One request header as the client sent it: value_len counts any NUL. */
struct http_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/*
 * Whether a request's headers frame it unambiguously: NULL when they do,
 * else what is wrong, for a 400 that closes the connection. Refused: a
 * Content-Length sent twice or not a number, Content-Length with
 * Transfer-Encoding, a Transfer-Encoding other than chunked, HTTP/1.1
 * without exactly one Host, a NUL or other control byte in a header.
 */
const char *http_framing_problem(const struct http_header *hv, size_t n,
				 const char *version);

/* Whether a request target (path and query, as sent) is too long or has
 * more than HTTP_MAX_QUERY_ARGS query arguments: the status to answer
 * (414 or 400), or 0. */
unsigned int http_framing_target_problem(const char *target, size_t len);

/* http_framing_problem on the headers conn received, and on what
 * libmicrohttpd hides of them (too many, a NUL inside one). */
const char *http_framing_request_problem(struct MHD_Connection *conn, const char *version);

/* ---- what a listener holds, and a request ---- */

/*
 * The cache (http-cache.c). The snapshot and the responses made from it live until the
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

/* A client's address as the limits count it (http-limit.c): an IPv4 address (mapped
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
	struct http_rate *ack_rate; /* public: the same for POST /ack/ */
	struct http_server *internal_srv;
	struct http_api_bucket *api_buckets; /* internal: the token API's rate, per token */
	size_t napi_buckets;
};

/* One request's state, from its request line to its completion
 * (http-handler.c). */
struct http_request {
	const struct http_route *route;
	struct buf body;
	unsigned int refuse;	/* the request line alone is refused: 414 */
	bool started;	/* the handler saw its headers */
	bool too_big;
	bool get;      /* a GET or HEAD, answered on the second call */
};

/* ---- one request (http-handler.c) ---- */

/* libmicrohttpd's callbacks for a request: its target, its headers and
 * body, its end. */
void *http_handler_uri(void *cls, const char *uri, struct MHD_Connection *conn);
enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version,
			     const char *upload_data, size_t *upload_data_size,
			     void **con_cls);
void http_handler_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			    enum MHD_RequestTerminationCode toe);

/* ---- the cache (http-cache.c) ---- */

void http_cache_clear(struct http_cache *c);
/* A document of the cache (r->kind ROUTE_DOC), and the page of one
 * incident or maintenance (ROUTE_INCIDENT, ROUTE_MAINTENANCE) from the
 * cached snapshot. */
enum MHD_Result http_cache_serve_doc(struct http_server *h, struct MHD_Connection *conn,
				     const char *url, const struct http_route *r);
enum MHD_Result http_cache_serve_item(struct http_server *h, struct MHD_Connection *conn,
				      const char *url, const struct http_route *r);

/* ---- what one client may take (http-limit.c) ---- */

/* libmicrohttpd's connection start and end, in the listener's thread:
 * counts the connection and admits it, or makes room for it, or marks it
 * over a limit. */
void http_limit_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		       enum MHD_ConnectionNotificationCode code);
/* A request began on conn: it made progress. Its connection, or NULL. */
struct http_conn *http_limit_progress(struct http_server *h, struct MHD_Connection *conn);
/* Take a POST /subscribe token for addr: 0, or the seconds until one is
 * back. */
int64_t http_limit_rate_take(struct http_server *h, const struct http_addr *addr);
/* The same for POST /ack/<token>, with buckets of its own. */
int64_t http_limit_ack_take(struct http_server *h, const struct http_addr *addr);

/* ---- replies (http-reply.c) ---- */

/* A response owning the bytes of body (which is left empty), with the
 * headers every response has; NULL when libmicrohttpd fails. */
struct MHD_Response *http_reply_from(struct buf *body, const char *content_type,
				     const char *cache);
/* A page of the site that is not cached (a form, its answer). */
struct MHD_Response *http_reply_page(struct buf *body);
/* Queue r with code and drop our reference; MHD_NO when r is NULL. */
enum MHD_Result http_reply_queue(struct MHD_Connection *conn, unsigned int code,
				 struct MHD_Response *r);
/* An error in the form the client asked for: JSON under /api, else a
 * page of the site. message is shown escaped; NULL says the reason. */
struct MHD_Response *http_reply_error(struct http_server *h, const char *url,
				      unsigned int code, const char *message);
enum MHD_Result http_reply_fail(struct http_server *h, struct MHD_Connection *conn,
				const char *url, unsigned int code, const char *message);
/* 405 with Allow, and the answer to OPTIONS. */
enum MHD_Result http_reply_not_allowed(struct http_server *h, struct MHD_Connection *conn,
				       const char *url, const struct http_route *r);
enum MHD_Result http_reply_options(struct MHD_Connection *conn, const struct http_route *r);
/* The response to a request refused for what it is, not for what it
 * asks: the connection is closed after it, whatever bytes follow; with
 * Retry-After when retry_after > 0. */
enum MHD_Result http_reply_refuse(struct http_server *h, struct MHD_Connection *conn,
				  const char *url, unsigned int code, const char *message,
				  int64_t retry_after);

/* ---- whole pages (http-page.c) ---- */

/* An error page: title and message in the site's style; root leads back
 * to the site ("" or "../"). */
void http_page_error(struct buf *out, const struct conf *c, const char *root,
		     const char *title, const char *message);
/* The subscribe form, with error above it unless NULL and kind and
 * address filled in as sent. */
void http_page_subscribe(struct buf *out, const struct conf *c, const char *error,
			 const char *kind, const char *address);
/* The answer to a subscription made or there already; a webhook's secret
 * (and its unsubscribe token) only when it was just made. */
void http_page_subscribed(struct buf *out, const struct conf *c, const char *kind,
			  const char *address, const char *secret, const char *token);
/* The pages of an unsubscribe link and of a confirmation link: a title, a
 * text, and with token the button that unsubscribes (confirms). */
void http_page_unsubscribe(struct buf *out, const struct conf *c, const char *title,
			   const char *text, const char *token);
void http_page_confirm(struct buf *out, const struct conf *c, const char *title,
		       const char *text, const char *token);

/* ---- subscribing through the site (http-subscribe.c) ---- */

/* GET /subscribe, POST /subscribe, /unsubscribe (GET asks, POST does) and
 * /subscribe/confirm (the same). */
enum MHD_Result http_subscribe_form(struct http_server *h, struct MHD_Connection *conn);
enum MHD_Result http_subscribe_post(struct http_server *h, struct MHD_Connection *conn,
				    struct http_request *rq);
enum MHD_Result http_subscribe_remove(struct http_server *h, struct MHD_Connection *conn,
				      struct http_request *rq, bool post);
enum MHD_Result http_subscribe_confirm(struct http_server *h, struct MHD_Connection *conn,
				       bool post);

/* ---- the token API (http-api.c) ---- */

/* A token's bucket for the API's rate limit (http-api.c). */
struct http_api_bucket {
	int64_t token;   /* the token's id */
	double level;    /* requests it may still make at once */
	int64_t at;      /* when level was last filled, ms */
};

/* /api/v1/...: a GET, or a POST with its body gathered. */
enum MHD_Result http_api_serve(struct http_server *h, struct MHD_Connection *conn,
			       const char *url, struct http_request *rq, bool post);

/* ---- acknowledgement links (http-ack.c) ---- */

/* GET (HEAD) /ack/<token> shows the page and its buttons, changing
 * nothing; POST (action=ack|escalate) does what the button says. */
enum MHD_Result http_ack_serve(struct http_server *h, struct MHD_Connection *conn,
			       const char *url, struct http_request *rq, bool post);

/* ---- /metrics (http-metrics.c) ---- */

/* Append the Prometheus text (format 0.0.4) of the store's counts and of
 * m (NULL reads 0) to b; nonzero, with nothing appended, when the store
 * cannot be read. */
int http_metrics_text(struct buf *b, struct store *s, struct http_metrics *m);

#endif
