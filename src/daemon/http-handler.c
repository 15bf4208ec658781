/* http-handler.c: one request's course through a listener, as
 * libmicrohttpd calls it: its target checked, its headers checked against
 * the framing rules and its client's limits, then routed to what answers
 * it (the cache, the subscribe pages, /healthz, /metrics); a POST's body
 * gathered first. Starting and stopping the listener is http.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/store-metrics.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

#define HTTP_MAX_FORM		(8 * 1024)	/* a subscribe or unsubscribe body */

/*
 * libmicrohttpd hands over the request target before it splits the query:
 * a query of several hundred arguments exhausts the connection's memory
 * pool there, and 0.9.75 then leaves the connection hanging until its
 * timeout. A target that is too long or has too many arguments is marked
 * for a 414 and its query cut off at the '?' (the string is the
 * connection's own buffer, parsed right after this call), so nothing is
 * split and the handler answers at once.
 */
void *
http_handler_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_request *rq = xcalloc(1, sizeof(*rq));
	size_t len = strlen(uri);

	(void)cls;
	(void)conn;
	if ((rq->refuse = http_framing_target_problem(uri, len)) != 0) {
		char *q = strchr(uri, '?');

		if (q != NULL)
			q[1] = '\0';
	}
	return rq;
}

static enum MHD_Result
serve_healthz(struct http_server *h, struct MHD_Connection *conn)
{
	struct buf b = BUF_INIT;
	int64_t dv;

	if (store_data_version(&dv, h->store) != 0) {
		log_warnx("healthz: %s", err_last());
		buf_adds(&b, "store unavailable\n");
		return http_reply_queue(conn, 503, http_reply_from(&b, "text/plain; charset=utf-8",
								   "no-store"));
	}
	buf_adds(&b, "ok\n");
	return http_reply_queue(conn, 200, http_reply_from(&b, "text/plain; charset=utf-8",
							   "no-store"));
}

static enum MHD_Result
serve_metrics(struct http_server *h, struct MHD_Connection *conn, const char *url)
{
	struct buf b = BUF_INIT;

	if (http_metrics_text(&b, h->store, h->metrics) != 0) {
		log_warnx("metrics: %s", err_last());
		return http_reply_fail(h, conn, url, 503, "The store cannot be read right now.");
	}
	return http_reply_queue(conn, 200, http_reply_from(&b, "text/plain; version=0.0.4; "
							   "charset=utf-8", "no-store"));
}

static enum MHD_Result
serve_get(struct http_server *h, struct MHD_Connection *conn, const char *url,
	  const struct http_route *r, struct http_request *rq)
{
	switch (r->kind) {
	case ROUTE_DOC:
		return http_cache_serve_doc(h, conn, url, r);
	case ROUTE_INCIDENT:
	case ROUTE_MAINTENANCE:
		return http_cache_serve_item(h, conn, url, r);
	case ROUTE_SUBSCRIBE:
		return http_subscribe_form(h, conn);
	case ROUTE_UNSUBSCRIBE:
		return http_subscribe_remove(h, conn, rq, false);
	case ROUTE_HEALTHZ:
		return serve_healthz(h, conn);
	case ROUTE_METRICS:
		return serve_metrics(h, conn, url);
	case ROUTE_CONFIRM:
		return http_subscribe_confirm(h, conn, false);
	case ROUTE_ACK:
		return http_ack_serve(h, conn, url, rq, false);
	case ROUTE_API:
		return http_api_serve(h, conn, url, rq, false);
	}
	return http_reply_fail(h, conn, url, 404, NULL);
}

/*
 * libmicrohttpd calls http_handler_uri with the request line, then this once when
 * the headers are in (rq->started false), then once per piece of body,
 * then once more with no data. What is refused for its framing or its
 * client's limits is answered on the first call, and the connection
 * closed; everything else but a POST is answered on the second call; a
 * POST's body is gathered, up to HTTP_MAX_FORM, and answered on the last.
 */
enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	     const char *version, const char *upload_data, size_t *upload_data_size,
	     void **con_cls)
{
	struct http_server *h = cls;
	struct http_request *rq = *con_cls;

	if (rq == NULL) /* no request line seen: not expected, but harmless */
		*con_cls = rq = xcalloc(1, sizeof(*rq));
	if (!rq->started) {
		const struct http_route *r = http_route_find(url, h->internal);
		struct http_conn *c = http_limit_progress(h, conn);
		const char *len, *why;

		rq->started = true;
		rq->route = r;
		if (c != NULL && c->over)
			return http_reply_refuse(h, conn, url, 503, "The server is busy; try "
						 "again in a moment.", 1);
		if (rq->refuse != 0)
			return http_reply_refuse(h, conn, url, rq->refuse, "The address is too "
						 "long or has too many arguments.", 0);
		if ((why = http_framing_request_problem(conn, version)) != NULL)
			return http_reply_refuse(h, conn, url, 400, why, 0);
		if (r == NULL)
			return http_reply_fail(h, conn, url, 404, "There is nothing at this "
					       "address.");
		/* Answering in this first call would make libmicrohttpd close
		 * the connection after the response; the second call keeps it
		 * alive for the next request. */
		if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) {
			rq->get = true;
			return MHD_YES;
		}
		if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
			return http_reply_options(conn, r);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0 || !http_route_takes_post(r))
			return http_reply_not_allowed(h, conn, url, r);
		if (r->kind == ROUTE_SUBSCRIBE && c != NULL) {
			int64_t wait = http_limit_rate_take(h, &c->addr);

			if (wait > 0)
				return http_reply_refuse(h, conn, url, 429, "Too many "
							 "subscriptions from your address; try "
							 "again later.", wait);
		}
		if (r->kind == ROUTE_ACK && c != NULL) {
			int64_t wait = http_limit_ack_take(h, &c->addr);

			if (wait > 0) {
				log_info("ack link: POST refused: too many from one address");
				return http_reply_refuse(h, conn, url, 429, "Too many answers "
							 "from your address; try again later.",
							 wait);
			}
		}
		len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						  MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (len != NULL && strtoull(len, NULL, 10) > HTTP_MAX_FORM)
			return http_reply_fail(h, conn, url, 413, "The form is too large.");
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
		return http_reply_fail(h, conn, url, 413, "The form is too large.");
	if (rq->route->kind == ROUTE_SUBSCRIBE)
		return http_subscribe_post(h, conn, rq);
	if (rq->route->kind == ROUTE_CONFIRM)
		return http_subscribe_confirm(h, conn, true);
	if (rq->route->kind == ROUTE_ACK)
		return http_ack_serve(h, conn, url, rq, true);
	if (rq->route->kind == ROUTE_API)
		return http_api_serve(h, conn, url, rq, true);
	return http_subscribe_remove(h, conn, rq, true);
}

void
http_handler_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
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
