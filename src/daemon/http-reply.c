/* http-reply.c: the responses every route makes alike: the headers each
 * one carries, a response owning a buffer, queueing it, errors (JSON
 * under /api, a page of the site elsewhere), 405 and OPTIONS, and the
 * refusals that close the connection. The pages themselves are
 * http-page.c's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/escape.h"

#include "http-int.h"

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

struct MHD_Response *
http_reply_from(struct buf *body, const char *content_type, const char *cache)
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

struct MHD_Response *
http_reply_page(struct buf *body)
{
	return http_reply_from(body, "text/html; charset=utf-8", "no-store");
}

enum MHD_Result
http_reply_queue(struct MHD_Connection *conn, unsigned int code, struct MHD_Response *r)
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

struct MHD_Response *
http_reply_error(struct http_server *h, const char *url, unsigned int code,
		 const char *message)
{
	struct buf b = BUF_INIT;
	char root[49];

	if (message == NULL)
		message = reason(code);
	if (strncmp(url, "/api/", 5) == 0) {
		char *clean = escape_clean(message);

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
		return http_reply_from(&b, "application/json; charset=utf-8", "no-store");
	}
	url_root(root, sizeof(root), url);
	http_page_error(&b, h->conf, root, reason(code), message);
	return http_reply_page(&b);
}

enum MHD_Result
http_reply_fail(struct http_server *h, struct MHD_Connection *conn, const char *url,
		unsigned int code, const char *message)
{
	return http_reply_queue(conn, code, http_reply_error(h, url, code, message));
}

enum MHD_Result
http_reply_not_allowed(struct http_server *h, struct MHD_Connection *conn, const char *url,
		       const struct http_route *r)
{
	struct MHD_Response *resp = http_reply_error(h, url, 405, NULL);

	if (resp != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, http_route_takes_post(r) ?
					"GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS");
	return http_reply_queue(conn, 405, resp);
}

enum MHD_Result
http_reply_options(struct MHD_Connection *conn, const struct http_route *r)
{
	struct buf b = BUF_INIT;
	struct MHD_Response *resp = http_reply_from(&b, "text/plain; charset=utf-8",
						    "no-store");
	const char *allow = http_route_takes_post(r) ? "GET, HEAD, POST, OPTIONS" :
			    "GET, HEAD, OPTIONS";

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (http_route_cors(r)) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD");
		MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
	}
	return http_reply_queue(conn, 204, resp);
}

enum MHD_Result
http_reply_refuse(struct http_server *h, struct MHD_Connection *conn, const char *url,
		  unsigned int code, const char *message, int64_t retry_after)
{
	struct MHD_Response *r = http_reply_error(h, url, code, message);
	char ra[32];

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (retry_after > 0) {
		snprintf(ra, sizeof(ra), "%lld", (long long)retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	return http_reply_queue(conn, code, r);
}
