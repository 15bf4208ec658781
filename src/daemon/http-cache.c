/* http-cache.c: the public documents kept in memory (the snapshot they are
 * rendered from, and each document's response once rendered), rebuilt
 * only when the store changed, and served from there with ETags; the page
 * of one incident or maintenance from the same snapshot. What the
 * documents say is statuspage's and feed.c's; what is public is
 * snapshot.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/feed.h"
#include "sitrep/log.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/store-metrics.h"
#include "sitrep/store.h"
#include "sitrep/vocab.h"

#include "http-int.h"

/* The public documents are rebuilt when the store changed, and at least
 * this often, since "upcoming" and the history window move with time. */
#define HTTP_CACHE_MAX_AGE_MS	(60 * 1000)
#define HTTP_DOC_CACHE_CONTROL	"public, max-age=10"

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

void
http_cache_clear(struct http_cache *c)
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
	http_cache_clear(c);
	c->sn = sn;
	c->data_version = dv;
	c->built_at = now;
	c->generation++;
	c->dirty = false;
	return 0;
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

enum MHD_Result
http_cache_serve_doc(struct http_server *h, struct MHD_Connection *conn, const char *url,
		     const struct http_route *r)
{
	struct http_cache *c = &h->cache;
	int doc = r->doc;

	if (cache_refresh(h) != 0)
		return http_reply_fail(h, conn, url, 503, "The status page cannot be read "
				       "right now; try again in a moment.");
	if (c->resp[doc] == NULL) {
		struct buf b = BUF_INIT;
		struct MHD_Response *resp;

		render_doc(&b, c->sn, doc);
		if ((resp = http_reply_from(&b, doc_content_type(doc), HTTP_DOC_CACHE_CONTROL)) ==
		    NULL)
			return MHD_NO;
		snprintf(c->etag[doc], sizeof(c->etag[doc]), "\"%llx-%llx-%d\"",
			 (unsigned long long)c->built_at, (unsigned long long)c->generation,
			 doc);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag[doc]);
		if (http_route_cors(r))
			MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		c->resp[doc] = resp;
	}
	if (etag_matches(conn, c->etag[doc])) {
		struct buf b = BUF_INIT;
		struct MHD_Response *resp = http_reply_from(&b, doc_content_type(doc),
							    HTTP_DOC_CACHE_CONTROL);

		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag[doc]);
		if (http_route_cors(r))
			MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		return http_reply_queue(conn, 304, resp);
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
	statuspage_html_incident
};
static const struct item_page maintenance_page = {
	"/maintenances/", "MNT", "a maintenance",
	"There is no such maintenance on this page.", statuspage_html_maintenance
};

enum MHD_Result
http_cache_serve_item(struct http_server *h, struct MHD_Connection *conn, const char *url,
		      const struct http_route *r)
{
	const struct item_page *p = r->kind == ROUTE_MAINTENANCE ? &maintenance_page :
				    &incident_page;
	struct buf b = BUF_INIT;
	int64_t id;

	if (vocab_parse_id(&id, url + strlen(p->path), p->id_prefix, p->what) != 0)
		return http_reply_fail(h, conn, url, 404, p->missing);
	if (cache_refresh(h) != 0)
		return http_reply_fail(h, conn, url, 503, "The status page cannot be read "
				       "right now; try again in a moment.");
	if (p->render(&b, h->cache.sn, id) != 0) {
		buf_release(&b);
		return http_reply_fail(h, conn, url, 404, p->missing);
	}
	return http_reply_queue(conn, 200, http_reply_from(&b, "text/html; charset=utf-8",
							   HTTP_DOC_CACHE_CONTROL));
}

