/* http-route.c: what serves each path of sitrepd's listeners: the table of
 * routes, which of them the public and the internal listener serve, and
 * what each route takes (POST, cross-origin readers). The acknowledgement
 * links (/ack/<token>) are public: the token is what lets a click in. Answering is
 * http-handler.c's and the files it calls. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "http-int.h"

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
	{ "/incidents/", ROUTE_INCIDENT, 0 }, /* a prefix: see http_route_find */
	{ "/maintenances/", ROUTE_MAINTENANCE, 0 }, /* a prefix too */
	{ "/ack/", ROUTE_ACK, 0 }, /* and this: /ack/<token> */
	{ "/api/v1/", ROUTE_API, 0 }, /* the token API: every path under it */
};

/* Only what was said to the public is public: /metrics (counts of open
 * incidents whatever was announced) and the token API are served on the
 * internal listener alone, which serves nothing else but /healthz. */
static bool
route_on(const struct http_route *r, bool internal)
{
	if (r->kind == ROUTE_HEALTHZ)
		return true;
	return internal == (r->kind == ROUTE_METRICS || r->kind == ROUTE_API);
}

const struct http_route *
http_route_find(const char *url, bool internal)
{
	for (size_t i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route *r = &http_routes[i];

		if (!route_on(r, internal))
			continue;
		if (r->kind == ROUTE_API) {
			if (strncmp(url, r->path, strlen(r->path)) == 0 &&
			    url[strlen(r->path)] != '\0')
				return r;
		} else if (r->kind == ROUTE_INCIDENT || r->kind == ROUTE_MAINTENANCE ||
		    r->kind == ROUTE_ACK) {
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
	const struct http_route *r = http_route_find(url, internal);

	return r != NULL ? (int)r->kind : -1;
}

bool
http_route_takes_post(const struct http_route *r)
{
	return r->kind == ROUTE_SUBSCRIBE || r->kind == ROUTE_UNSUBSCRIBE ||
	       r->kind == ROUTE_CONFIRM || r->kind == ROUTE_ACK || r->kind == ROUTE_API;
}

bool
http_route_cors(const struct http_route *r)
{
	return r->kind == ROUTE_DOC && r->doc != DOC_HTML;
}
