/* http-api.c: the token API under /api/v1/ on the internal listener. A
 * request names an operation of the table (ops.h) by its route, carries
 * its arguments in the route, the query and a JSON body, and proves who it
 * is with a bearer token (tokens.h): the operation runs as the token's
 * person, recorded "via api:<token name>", if the token's scopes allow it.
 * Results are JSON; every failure is an RFC 9457 problem
 * (application/problem+json) with the exit code the CLI would give. Each
 * token may make http.api_rate requests a minute (a bucket of an eighth
 * of that, at least 5, refilled evenly); ack and page are never limited:
 * a responder answering a page at 3 a.m. is never told to wait.
 *
 *   GET  /api/v1/whoami
 *   GET  /api/v1/incidents[?all=true]
 *   GET  /api/v1/incidents/{id}
 *   GET  /api/v1/incidents/{id}/timeline[?after=EVENT-ID][&account=ACCOUNT]
 *   POST /api/v1/incidents/{id}/roles/{role}/take | release   body: {"person"}
 *   POST /api/v1/incidents/{id}/ack
 *   POST /api/v1/incidents/{id}/pages                          body: {"role", "tier"?}
 *   POST /api/v1/incidents/{id}/escalate          body: {"tier"?, "swarm"?, "note"?}
 *   POST /api/v1/ops/{name}                                    body: the arguments
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/log.h"
#include "sitrep/ops.h"
#include "sitrep/repo.h"
#include "sitrep/tokens.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

#define API_PREFIX "/api/v1/"

/* The problem document: {"type", "title", "status", "detail", "exit_code"}. */
static enum MHD_Result
problem(struct MHD_Connection *conn, unsigned int status, const char *kind, int exit_code,
	const char *detail, bool challenge, int64_t retry_after)
{
	struct json *p = json_new_object();
	struct buf b = BUF_INIT;
	struct MHD_Response *r;
	char type[64];

	snprintf(type, sizeof(type), "urn:sitrep:problem:%s", kind);
	json_set_str(p, "type", type);
	json_set_str(p, "title", kind);
	json_set_int(p, "status", status);
	json_set(p, "detail", json_new_text(detail));
	json_set_int(p, "exit_code", exit_code);
	if (json_dump(&b, p, JSON_STYLE_SORTED) != 0) {
		buf_reset(&b);
		buf_adds(&b, "{\"title\":\"system\",\"status\":500}");
	}
	json_free(p);
	buf_addch(&b, '\n');
	r = http_reply_from(&b, "application/problem+json", "no-store");
	if (r != NULL && challenge)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"sitrep\", error=\"invalid_token\"");
	if (r != NULL && retry_after > 0) {
		snprintf(type, sizeof(type), "%lld", (long long)retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, type);
	}
	return http_reply_queue(conn, status, r);
}

/* A failure of an operation, as its code says. */
static enum MHD_Result
op_problem(struct MHD_Connection *conn, int rc)
{
	return problem(conn, ops_http_status(rc), ops_problem_kind(rc), ops_exit_code(rc),
		       err_last(), false, 0);
}

/* "Authorization: Bearer TOKEN" -> who; a 401 problem when not. */
static int
authenticate(struct tokens_identity *id, struct http_server *h, struct MHD_Connection *conn)
{
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return err_set(SR_EREFUSED, "this needs a token: send 'Authorization: Bearer "
			       "TOKEN' (make one with 'sitrep token create')");
	auth += 7;
	while (*auth == ' ')
		auth++;
	return tokens_authenticate(id, h->store, auth, clock_now_ms());
}

/* Tokens past this many are forgotten, the one idle longest first. */
#define API_BUCKETS_MAX 4096

/* Take one request from id's bucket: 0, or the seconds to wait before the
 * next (429). *remaining is what is left. Runs on the listener's thread. */
static int64_t
rate_take(struct http_server *h, int64_t token, int64_t now, int *remaining)
{
	double per_ms = h->conf->http.api_rate / 60000.0;
	double burst = h->conf->http.api_rate / 8 > 5 ? h->conf->http.api_rate / 8 : 5;
	struct http_api_bucket *b = NULL;

	for (size_t i = 0; i < h->napi_buckets && b == NULL; i++)
		if (h->api_buckets[i].token == token)
			b = &h->api_buckets[i];
	if (b == NULL) {
		if (h->napi_buckets == API_BUCKETS_MAX) {
			size_t idle = 0;

			for (size_t i = 1; i < h->napi_buckets; i++)
				if (h->api_buckets[i].at < h->api_buckets[idle].at)
					idle = i;
			b = &h->api_buckets[idle];
		} else {
			h->api_buckets = xreallocarray(h->api_buckets, h->napi_buckets + 1,
						       sizeof(*h->api_buckets));
			b = &h->api_buckets[h->napi_buckets++];
		}
		b->token = token;
		b->level = burst;
		b->at = now;
	}
	b->level += (double)(now - b->at) * per_ms;
	if (b->level > burst)
		b->level = burst;
	b->at = now;
	if (b->level < 1.0) {
		*remaining = 0;
		return (int64_t)((1.0 - b->level) / per_ms / 1000.0) + 1;
	}
	b->level -= 1.0;
	*remaining = (int)b->level;
	return 0;
}

/* The {id} and {role} of /api/v1/incidents/{id}/roles/{role}/VERB into
 * args; the operation's name into *op. NULL *op: no such route. */
static void
route_args(const char **op, struct json *args, const char *path, bool post)
{
	char seg[6][128];
	size_t n = 0;
	const char *p = path;

	*op = NULL;
	while (*p != '\0' && n < 6) {
		const char *slash = strchr(p, '/');
		size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);

		if (len == 0 || len >= sizeof(seg[0]))
			return;
		memcpy(seg[n], p, len);
		seg[n++][len] = '\0';
		p += len + (slash != NULL);
		if (slash != NULL && *p == '\0')
			return; /* a trailing slash names nothing */
	}
	if (*p != '\0')
		return;
	if (!post && n == 1 && strcmp(seg[0], "whoami") == 0)
		*op = "whoami";
	else if (!post && n == 1 && strcmp(seg[0], "incidents") == 0)
		*op = "incident.list";
	else if (!post && n == 2 && strcmp(seg[0], "incidents") == 0) {
		*op = "incident.show";
		json_set_str(args, "incident", seg[1]);
	} else if (!post && n == 3 && strcmp(seg[0], "incidents") == 0 &&
		 strcmp(seg[2], "timeline") == 0) {
		*op = "timeline";
		json_set_str(args, "incident", seg[1]);
	}
	else if (post && n == 2 && strcmp(seg[0], "ops") == 0)
		*op = ops_find(seg[1]) != NULL ? ops_find(seg[1])->name : NULL;
	else if (post && n == 3 && strcmp(seg[0], "incidents") == 0 &&
		 (strcmp(seg[2], "ack") == 0 || strcmp(seg[2], "pages") == 0 ||
		  strcmp(seg[2], "escalate") == 0)) {
		*op = strcmp(seg[2], "ack") == 0 ? "ack" :
		      strcmp(seg[2], "pages") == 0 ? "page" : "escalate";
		json_set_str(args, "incident", seg[1]);
	} else if (post && n == 5 && strcmp(seg[0], "incidents") == 0 &&
		   strcmp(seg[2], "roles") == 0 &&
		   (strcmp(seg[4], "take") == 0 || strcmp(seg[4], "release") == 0)) {
		*op = strcmp(seg[4], "take") == 0 ? "role.take" : "role.release";
		json_set_str(args, "incident", seg[1]);
		json_set_str(args, "role", seg[3]);
	}
}

/* The arguments from the body (a JSON object, or nothing) and the query. */
static int
request_args(struct json **out, struct MHD_Connection *conn, const struct buf *body)
{
	const char *all = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "all");
	const char *after = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after");
	const char *account = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "account");
	size_t at;

	*out = NULL;
	if (body->len > 0) {
		if (!utf8_valid(body->ptr, body->len, &at))
			return err_set(SR_EUSAGE, "the body is not valid UTF-8 (byte %zu)", at + 1);
		if ((*out = json_parse(body->ptr, body->len)) == NULL ||
		    json_kind(*out) != JSON_KIND_OBJECT) {
			json_free(*out);
			*out = NULL;
			return err_set(SR_EUSAGE, "the body must be a JSON object of the "
				       "operation's arguments");
		}
	} else
		*out = json_new_object();
	if (all != NULL) {
		if (strcmp(all, "true") != 0 && strcmp(all, "false") != 0) {
			json_free(*out);
			*out = NULL;
			return err_set(SR_EUSAGE, "'all' must be true or false");
		}
		json_set_bool(*out, "all", strcmp(all, "true") == 0);
	}
	if (after != NULL) {
		char *end;
		long long v = strtoll(after, &end, 10);

		if (*after == '\0' || *end != '\0' || v < 0) {
			json_free(*out);
			*out = NULL;
			return err_set(SR_EUSAGE, "'after' must be an event id, 0 or more");
		}
		json_set_int(*out, "after", v);
	}
	if (account != NULL) {
		if (!utf8_valid(account, strlen(account), &at)) {
			json_free(*out);
			*out = NULL;
			return err_set(SR_EUSAGE, "'account' is not valid UTF-8 (byte %zu)", at + 1);
		}
		json_set_str(*out, "account", account);
	}
	return 0;
}

enum MHD_Result
http_api_serve(struct http_server *h, struct MHD_Connection *conn, const char *url,
	       struct http_request *rq, bool post)
{
	struct tokens_identity id;
	struct incident_ctx ctx;
	struct json *args = NULL, *res = NULL;
	const struct ops_op *op;
	const char *name;
	struct buf b = BUF_INIT;
	unsigned needs;
	int64_t wait;
	int rc, remaining = -1;

	if (authenticate(&id, h, conn) != 0)
		return problem(conn, 401, "unauthorized", 1, err_last(), true, 0);
	if ((rc = request_args(&args, conn, &rq->body)) != 0)
		return op_problem(conn, rc);
	route_args(&name, args, url + strlen(API_PREFIX), post);
	if (name == NULL || (op = ops_find(name)) == NULL) {
		json_free(args);
		return problem(conn, 404, "not-found", 2, "there is no such operation here: "
			       "see sitrepd(8) for the API's routes", false, 0);
	}
	if (strcmp(op->name, "ack") != 0 && strcmp(op->name, "page") != 0 &&
	    (wait = rate_take(h, id.id, clock_now_ms(), &remaining)) > 0) {
		char detail[160];

		json_free(args);
		snprintf(detail, sizeof(detail), "the token '%s' made more than %d requests in "
			 "a minute: try again in %lld s", id.name, h->conf->http.api_rate,
			 (long long)wait);
		return problem(conn, 429, "rate-limited", 1, detail, false, wait);
	}
	if (tokens_parse_scopes(&needs, op->scope) != 0 || !tokens_scope_allows(id.scopes, needs)) {
		char *have = tokens_scopes_text(id.scopes);

		err_set(SR_EREFUSED, "the token '%s' may not %s: it needs the scope '%s', and "
			"has %s", id.name, op->name, op->scope, *have ? have : "none");
		free(have);
		json_free(args);
		return problem(conn, 403, "forbidden", 1, err_last(), false, 0);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = h->conf;
	ctx.store = h->store;
	ctx.actor = id.person;
	ctx.via = id.via;
	ctx.repo = repo_open_lazy(h->conf->playbooks);
	rc = ops_run(&res, op->name, &ctx, args);
	repo_free(ctx.repo);
	json_free(args);
	h->cache.dirty = true;
	if (rc != 0) {
		if (rc == SR_ESYS)
			log_warnx("api: %s as %s: %s", op->name, id.person, err_last());
		return op_problem(conn, rc);
	}
	if (json_dump(&b, res, JSON_STYLE_PRETTY) != 0) {
		json_free(res);
		return problem(conn, 500, "system", 3, "the result cannot be written as JSON",
			       false, 0);
	}
	json_free(res);
	buf_addch(&b, '\n');
	{
		struct MHD_Response *r = http_reply_from(&b, "application/json", "no-store");
		char limit[64];

		if (r != NULL && remaining >= 0) {
			snprintf(limit, sizeof(limit), "limit=%d, remaining=%d",
				 h->conf->http.api_rate, remaining);
			MHD_add_response_header(r, "RateLimit", limit);
			snprintf(limit, sizeof(limit), "%d;w=60", h->conf->http.api_rate);
			MHD_add_response_header(r, "RateLimit-Policy", limit);
		}
		return http_reply_queue(conn, 200, r);
	}
}
