/* test_http.c: sitrepd's HTTP server on 127.0.0.1 against a real store in
 * a temp dir, spoken to by a raw-socket HTTP/1.1 client of the test's own:
 * every route's status and content type, CORS, HEAD, the errors (404,
 * 405, 413, 415, 400), ambiguous framing refused (400 and closed), too
 * many query arguments (414), subscribing (the same answer for an address
 * subscribed already) and one-click unsubscribing, the subscribe rate
 * limit (429), /metrics in the Prometheus text format on the internal
 * listener only, and the cache: the same bytes while the store is
 * unchanged, new ones once another connection commits; acknowledgement
 * links (GET shows and changes nothing, a forged or expired link is 403,
 * POST acknowledges once, via ack-link on the timeline, and a repeat says
 * "already acknowledged by X at T"; POST escalates to the next tier, or at
 * the last one tells the commander). */
#include "testutil.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <sqlite3.h>

#include "sitrep/acklink.h"
#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/http.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/repo.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
#include "sitrep/xalloc.h"

#include "testws.h"

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; };\n"
	"status_page = { name = \"Acme Status\"; url = \"https://status.example.com/\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; group = \"Platform\"; },\n"
	"  { id = \"web\"; name = \"Website\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n"
	"channels = ( { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];\n"
	"  smtp_url = \"smtp://127.0.0.1:2525\"; from = \"status@example.com\"; } );\n";

/* For the POSTs to acknowledgement links: people on two tiers with an
 * e-mail contact each, the links' key, and a playbook that pages them. */
static const char paging_conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Acme Status\"; url = \"https://status.example.com/\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n"
	"people = (\n"
	"  { handle = \"alice\"; name = \"Alice\"; tier = \"L1\"; email = \"alice@example.com\"; },\n"
	"  { handle = \"bob\"; name = \"Bob\"; tier = \"L1\"; email = \"bob@example.com\"; },\n"
	"  { handle = \"carol\"; name = \"Carol\"; tier = \"L2\"; email = \"carol@example.com\"; }\n"
	");\n"
	"channels = ( { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];\n"
	"  smtp_url = \"smtp://127.0.0.1:2525\"; from = \"status@example.com\"; } );\n"
	"paging = { link_key_file = \"paging.key\"; };\n";

static const char paging_playbook[] =
	"name = \"outage\";\n"
	"title = \"Service outage\";\n"
	"summary = \"A service is down.\";\n"
	"severity = \"SEV1\";\n"
	"components = [ \"api\" ];\n"
	"roles = (\n"
	"  { id = \"commander\"; title = \"Incident Commander\"; },\n"
	"  { id = \"ops\"; title = \"Operations\"; max = 2; }\n"
	");\n"
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\" ]; };\n";

/* The site config the next setup_with parses. */
static const char *fixture_conf = conf_text;

struct fixture {
	char *dir;
	struct conf *conf;
	struct http_metrics metrics;
	struct http_server *server;
	struct store *store; /* the test's own connection: "another process" */
	sqlite3 *db;         /* and its own reader of what the server wrote */
	int port;
	int iport;   /* the internal listener's */
};

static void
sql(sqlite3 *db, const char *q)
{
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(db));
}

static int64_t
sql_int(sqlite3 *db, const char *q)
{
	sqlite3_stmt *stmt;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* A server whose POST /subscribe rate is burst, then one per every
 * seconds (0: no limit), taking max connections, per_addr from one
 * address. */
static int
setup_with(void **state, int burst, int64_t every, int max, int per_addr)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diags d = DIAGS_INIT;
	struct store *st;
	char path[4200];

	f->dir = testutil_tmpdir();
	if (conf_parse(&f->conf, &d, fixture_conf, "sitrep.conf", f->dir) != 0) {
		diag_print(&d, stderr);
		return -1;
	}
	diag_release(&d);
	free(f->conf->listen);
	f->conf->listen = xstrdup("127.0.0.1:0");
	f->conf->http.subscribe_burst = burst;
	f->conf->http.subscribe_every = every;
	f->conf->http.max_connections = max;
	f->conf->http.max_per_address = per_addr;
	http_metrics_init(&f->metrics);
	/* Only init creates a store: make the workspace's before serving it. */
	snprintf(path, sizeof(path), "%s/sitrep.db", f->dir);
	if (store_create(&st, path) != 0) {
		fprintf(stderr, "store_create: %s\n", err_last());
		return -1;
	}
	store_close(st);
	if (http_start(&f->server, f->conf, &f->metrics, NULL) != 0) {
		fprintf(stderr, "http_start: %s\n", err_last());
		return -1;
	}
	f->port = http_port(f->server);
	f->iport = http_internal_port(f->server);
	snprintf(path, sizeof(path), "%s/sitrep.db", f->dir);
	if (store_open(&f->store, path) != 0 || sqlite3_open(path, &f->db) != SQLITE_OK)
		return -1;
	sql(f->db, "PRAGMA busy_timeout=10000");
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with(state, 1, 0, 2048, 256);
}

static int
setup_limited(void **state)
{
	return setup_with(state, 2, 3600, 2048, 256);
}

static int
setup_per_address(void **state)
{
	return setup_with(state, 1, 0, 64, 8);
}

static int
setup_few(void **state)
{
	return setup_with(state, 1, 0, 16, 1000);
}

/* The paging config, its playbook repository, and INC-1 opened by bob
 * with ops paged: alice and bob at L1, each told by e-mail with a link. */
static int
setup_paging(void **state)
{
	struct fixture *f;
	struct incident_ctx ctx;
	struct repo *repo;
	char path[4200], *names[] = { "outage.playbook" }, *texts[] = { (char *)paging_playbook };
	char sha[41];
	int64_t id;
	int rc;

	fixture_conf = paging_conf_text;
	rc = setup_with(state, 1000, 0, 2048, 256);
	fixture_conf = conf_text;
	if (rc != 0)
		return rc;
	f = *state;
	testutil_write(f->dir, "paging.key", "0123456789abcdef0123456789abcdef\n");
	snprintf(path, sizeof(path), "%s/paging.key", f->dir);
	free(f->conf->paging.link_key_file);
	f->conf->paging.link_key_file = xstrdup(path);
	snprintf(path, sizeof(path), "%s/playbooks", f->dir);
	if (repo_create_seeded(path, "main", names, texts, 1, "Test playbooks") != 0 ||
	    repo_open(&repo, path) != 0 || repo_resolve(sha, repo, "main") != 0) {
		fprintf(stderr, "the playbook repository: %s\n", err_last());
		return -1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = f->conf;
	ctx.store = f->store;
	ctx.repo = repo;
	ctx.actor = "bob";
	if (incident_open(&id, &ctx, "outage", sha, "Checkout down", 0, NULL, 0) != 0 ||
	    escalate_page(&ctx, id, "ops", -1) != 0) {
		fprintf(stderr, "open and page: %s\n", err_last());
		return -1;
	}
	repo_free(repo);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	http_stop(f->server);
	sqlite3_close(f->db);
	store_close(f->store);
	http_metrics_release(&f->metrics);
	conf_free(f->conf);
	testutil_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* ---- a small HTTP client ---- */

struct reply {
	int status;
	struct buf head; /* the status line and headers */
	char *body;
	size_t body_len;
};

static void
reply_release(struct reply *r)
{
	buf_release(&r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Send raw bytes, read until the server closes; the reply parsed. */
static void
raw(struct reply *r, int port, const char *req, size_t len)
{
	struct sockaddr_in sa;
	struct timeval tv = { 10, 0 };
	struct buf in = BUF_INIT;
	char chunk[8192], *end;
	ssize_t n;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (size_t off = 0; off < len; off += (size_t)n) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer and close before reading all */
	}
	while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
		buf_add(&in, chunk, (size_t)n);
	close(fd);
	if (in.len == 0) {
		r->status = 0;
		return;
	}
	end = strstr(in.ptr, "\r\n\r\n");
	assert_non_null(end);
	buf_add(&r->head, in.ptr, (size_t)(end - in.ptr) + 2);
	r->body_len = in.len - (size_t)(end + 4 - in.ptr);
	r->body = malloc(r->body_len + 1);
	memcpy(r->body, end + 4, r->body_len);
	r->body[r->body_len] = '\0';
	assert_int_equal(sscanf(in.ptr, "HTTP/1.%*d %d", &r->status), 1);
	buf_release(&in);
}

static void
req(struct reply *r, int port, const char *method, const char *path, const char *headers,
    const char *body)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method,
		 path, headers != NULL ? headers : "");
	if (body != NULL)
		buf_addf(&b, "Content-Length: %zu\r\n", strlen(body));
	buf_adds(&b, "\r\n");
	if (body != NULL)
		buf_adds(&b, body);
	raw(r, port, b.ptr, b.len);
	buf_release(&b);
}

static void
get(struct reply *r, struct fixture *f, const char *path)
{
	req(r, f->port, "GET", path, NULL, NULL);
}

static void
post_form(struct reply *r, struct fixture *f, const char *path, const char *body)
{
	req(r, f->port, "POST", path,
	    "Content-Type: application/x-www-form-urlencoded\r\n", body);
}

/* A header's value (copied into out), or NULL when absent. */
static const char *
header(struct reply *r, const char *name, char *out, size_t len)
{
	const char *p = r->head.ptr;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, len, "%.*s", (int)(e - v), v);
			return out;
		}
	}
	return NULL;
}

static void
assert_header(struct reply *r, const char *name, const char *want)
{
	char v[512];

	if (header(r, name, v, sizeof(v)) == NULL)
		fail_msg("no %s header in:\n%s", name, r->head.ptr);
	if (strcmp(v, want) != 0)
		fail_msg("%s is '%s', not '%s'", name, v, want);
}

static void
assert_no_header(struct reply *r, const char *name)
{
	char v[512];

	if (header(r, name, v, sizeof(v)) != NULL)
		fail_msg("unexpected %s: %s", name, v);
}

static void
assert_status(struct reply *r, int want)
{
	if (r->status != want)
		fail_msg("status %d, not %d:\n%s\n%s", r->status, want,
			 r->head.ptr != NULL ? r->head.ptr : "(no reply)",
			 r->body != NULL ? r->body : "");
}

/* ---- data from "another process" ---- */

/* A published customer update of incident, promising the next at
 * next_update_at (0: none). */
static void
add_update(struct fixture *f, int64_t incident, const char *status, const char *body,
	   int64_t published_at, int64_t next_update_at)
{
	struct store_update u;
	int64_t id;

	memset(&u, 0, sizeof(u));
	u.incident_id = incident;
	snprintf(u.kind, sizeof(u.kind), "update");
	u.audience = "customers";
	u.status = (char *)status;
	u.body = (char *)body;
	u.next_update_at = next_update_at;
	snprintf(u.state, sizeof(u.state), "published");
	u.author = "alice";
	u.created_at = published_at;
	u.published_at = published_at;
	TESTWS_CHECK(store_update_insert(&id, f->store, &u));
}

/* Incident id (the next one), opened a minute ago with the api in a major
 * outage, and its customer update, promising the next at next_update_at. */
static void
add_incident_promising(struct fixture *f, int id, const char *sev, const char *status,
		       const char *title, const char *update, int64_t next_update_at)
{
	char *api[] = { "api" };
	int64_t now = time(NULL) * 1000LL;

	assert_int_equal(testws_add_incident(f->store, title, sev[3] - '0', status, now - 60000,
					     0, api, "major_outage", 1), id);
	add_update(f, id, status, update, now - 50000, next_update_at);
}

static void
add_incident(struct fixture *f, int id, const char *sev, const char *status,
	     const char *title, const char *update)
{
	add_incident_promising(f, id, sev, status, title, update, 0);
}

/* ---- tests ---- */

struct route_case {
	const char *path;
	const char *content_type;
	bool cors;
};

static const struct route_case routes[] = {
	{ "/", "text/html; charset=utf-8", false },
	{ "/index.html", "text/html; charset=utf-8", false },
	{ "/api/v2/summary.json", "application/json; charset=utf-8", true },
	{ "/api/v2/status.json", "application/json; charset=utf-8", true },
	{ "/api/v2/components.json", "application/json; charset=utf-8", true },
	{ "/api/v2/incidents.json", "application/json; charset=utf-8", true },
	{ "/api/v2/incidents/unresolved.json", "application/json; charset=utf-8", true },
	{ "/api/v2/scheduled-maintenances.json", "application/json; charset=utf-8", true },
	{ "/api/v2/scheduled-maintenances/upcoming.json", "application/json; charset=utf-8",
	  true },
	{ "/api/v2/scheduled-maintenances/active.json", "application/json; charset=utf-8",
	  true },
	{ "/history.atom", "application/atom+xml; charset=utf-8", true },
	{ "/history.rss", "application/rss+xml; charset=utf-8", true },
	{ "/incidents/INC-1", "text/html; charset=utf-8", false },
	{ "/incidents/inc-1", "text/html; charset=utf-8", false },
	{ "/incidents/1", "text/html; charset=utf-8", false },
	{ "/subscribe", "text/html; charset=utf-8", false },
	{ "/healthz", "text/plain; charset=utf-8", false },
};

/* Every GET route: 200, its content type, CORS on the API and feeds; HEAD
 * answers the same headers without a body. */
static void
test_routes(void **state)
{
	struct fixture *f = *state;

	add_incident(f, 1, "SEV2", "identified", "API errors", "We found the cause.");
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct reply r, h;
		char len[64], hlen[64];

		get(&r, f, routes[i].path);
		if (r.status != 200)
			fail_msg("GET %s: %d\n%s", routes[i].path, r.status, r.body);
		assert_header(&r, "Content-Type", routes[i].content_type);
		assert_header(&r, "X-Content-Type-Options", "nosniff");
		if (routes[i].cors)
			assert_header(&r, "Access-Control-Allow-Origin", "*");
		else
			assert_no_header(&r, "Access-Control-Allow-Origin");
		assert_non_null(header(&r, "Cache-Control", len, sizeof(len)));
		assert_true(r.body_len > 0);
		assert_non_null(header(&r, "Content-Length", len, sizeof(len)));
		assert_int_equal(strtoul(len, NULL, 10), r.body_len);
		if (strncmp(routes[i].content_type, "text/html", 9) == 0) {
			assert_null(strcasestr(r.body, "<script"));
			assert_non_null(header(&r, "Content-Security-Policy", hlen, sizeof(hlen)));
		}
		if (strncmp(routes[i].content_type, "application/json", 16) == 0) {
			struct json *j = json_parse(r.body, r.body_len);

			if (j == NULL)
				fail_msg("%s: %s", routes[i].path, err_last());
			assert_string_equal(json_get_str(json_get(j, "page"), "name"),
					    "Acme Status");
			json_free(j);
		}

		req(&h, f->port, "HEAD", routes[i].path, NULL, NULL);
		assert_status(&h, 200);
		assert_int_equal(h.body_len, 0);
		assert_header(&h, "Content-Type", routes[i].content_type);
		if (strcmp(routes[i].path, "/metrics") != 0 && strcmp(routes[i].path, "/") != 0 &&
		    strcmp(routes[i].path, "/index.html") != 0 &&
		    strncmp(routes[i].path, "/incidents/", 11) != 0) {
			/* the same length as the GET's (the cached document) */
			assert_non_null(header(&h, "Content-Length", hlen, sizeof(hlen)));
			assert_string_equal(hlen, len);
		}
		reply_release(&r);
		reply_release(&h);
	}
	/* /metrics is the internal listener's alone, as /healthz is too */
	{
		struct reply r;

		get(&r, f, "/metrics");
		assert_status(&r, 404);
		reply_release(&r);
		req(&r, f->iport, "GET", "/metrics", NULL, NULL);
		assert_status(&r, 200);
		assert_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
		reply_release(&r);
		req(&r, f->iport, "HEAD", "/metrics", NULL, NULL);
		assert_status(&r, 200);
		assert_int_equal(r.body_len, 0);
		reply_release(&r);
		req(&r, f->iport, "GET", "/healthz", NULL, NULL);
		assert_status(&r, 200);
		reply_release(&r);
		req(&r, f->iport, "GET", "/", NULL, NULL);
		assert_status(&r, 404);
		reply_release(&r);
		req(&r, f->iport, "GET", "/api/v2/summary.json", NULL, NULL);
		assert_status(&r, 404);
		reply_release(&r);
	}
}

static void
test_content(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	add_incident(f, 1, "SEV1", "investigating", "Checkout <script>x</script>",
		     "Payments fail & we're on it.");
	get(&r, f, "/");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "Checkout &lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(r.body, "Payments fail &amp; we&#39;re on it."));
	assert_non_null(strstr(r.body, "Major System Outage"));
	assert_null(strcasestr(r.body, "<script"));
	reply_release(&r);

	get(&r, f, "/api/v2/status.json");
	assert_non_null(strstr(r.body, "\"indicator\":\"critical\""));
	reply_release(&r);

	get(&r, f, "/incidents/INC-1");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<h1>Checkout &lt;script&gt;"));
	reply_release(&r);

	get(&r, f, "/healthz");
	assert_string_equal(r.body, "ok\n");
	reply_release(&r);
}

static void
test_errors(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	char big[9001], *body;

	get(&r, f, "/nope");
	assert_status(&r, 404);
	assert_header(&r, "Content-Type", "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "<a href=\"./\">Acme Status</a>"));
	reply_release(&r);
	get(&r, f, "/a/b/c");
	assert_status(&r, 404);
	assert_non_null(strstr(r.body, "<a href=\"../../\">Acme Status</a>"));
	reply_release(&r);

	get(&r, f, "/api/v2/nope.json");
	assert_status(&r, 404);
	assert_header(&r, "Content-Type", "application/json; charset=utf-8");
	assert_non_null(strstr(r.body, "\"error\""));
	reply_release(&r);

	static const char *const missing[] = { "/incidents/99", "/incidents/abc",
					       "/incidents/INC-", "/incidents/1/x",
					       "/incidents/", "/api/v2/summary.json/x",
					       "/index.html/", "//" };
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		get(&r, f, missing[i]);
		if (r.status != 404)
			fail_msg("GET %s: %d, not 404", missing[i], r.status);
		reply_release(&r);
	}

	req(&r, f->port, "POST", "/", "Content-Type: application/x-www-form-urlencoded\r\n",
	    "a=b");
	assert_status(&r, 405);
	assert_header(&r, "Allow", "GET, HEAD, OPTIONS");
	reply_release(&r);
	req(&r, f->port, "DELETE", "/api/v2/summary.json", NULL, NULL);
	assert_status(&r, 405);
	assert_header(&r, "Allow", "GET, HEAD, OPTIONS");
	reply_release(&r);
	req(&r, f->port, "PUT", "/subscribe", NULL, "x");
	assert_status(&r, 405);
	assert_header(&r, "Allow", "GET, HEAD, POST, OPTIONS");
	reply_release(&r);

	req(&r, f->port, "OPTIONS", "/api/v2/summary.json", NULL, NULL);
	assert_status(&r, 204);
	assert_header(&r, "Access-Control-Allow-Origin", "*");
	reply_release(&r);

	/* 413: by Content-Length, and by a chunked body that grows too big */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	body = xasprintf("kind=email&address=%s", big);
	post_form(&r, f, "/subscribe", body);
	assert_status(&r, 413);
	reply_release(&r);
	{
		struct buf b = BUF_INIT;

		buf_adds(&b, "POST /subscribe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "Content-Type: application/x-www-form-urlencoded\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n");
		for (int i = 0; i < 3; i++)
			buf_addf(&b, "%zx\r\n%s\r\n", strlen(body), body);
		buf_adds(&b, "0\r\n\r\n");
		raw(&r, f->port, b.ptr, b.len);
		assert_status(&r, 413);
		reply_release(&r);
		buf_release(&b);
	}
	free(body);

	/* 415, 400 */
	req(&r, f->port, "POST", "/subscribe", "Content-Type: application/json\r\n",
	    "{\"kind\":\"email\"}");
	assert_status(&r, 415);
	reply_release(&r);
	static const char *const bad[] = {
		"kind=email&address=%zz", "kind=email&address=%4", "kind=email&address=a%00b",
		"kind=fax&address=x", "address=a@example.com", "kind=email",
		"kind=email&address=", "kind=webhook&address=ftp://x",
		"kind=webhook&address=https://x.example.com/&component=nope",
		"kind=email&address=not-an-address",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		post_form(&r, f, "/subscribe", bad[i]);
		if (r.status != 400)
			fail_msg("POST %s: %d, not 400", bad[i], r.status);
		assert_non_null(strstr(r.body, "Not subscribed"));
		assert_null(strstr(r.body, f->dir)); /* no server paths */
		reply_release(&r);
	}
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"), 0);

	/* never crash on nonsense; still serving after */
	raw(&r, f->port, "GARBAGE\r\n\r\n", 11);
	reply_release(&r);
	raw(&r, f->port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 45);
	reply_release(&r);
	{
		struct buf b = BUF_INIT;

		buf_adds(&b, "GET /");
		for (int i = 0; i < 100000; i++)
			buf_addch(&b, 'a');
		buf_adds(&b, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		raw(&r, f->port, b.ptr, b.len);
		assert_true(r.status == 0 || r.status >= 400);
		reply_release(&r);
		buf_release(&b);
	}
	get(&r, f, "/healthz");
	assert_status(&r, 200);
	reply_release(&r);
}

/* Subscribe a webhook (its secret shown once), refuse it twice, escape a
 * hostile address in the error, then unsubscribe by the one-click POST. */
static void
test_subscribe_unsubscribe(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	char token[64], *q, *path;
	const char *p;

	get(&r, f, "/subscribe");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<form method=\"post\" action=\"subscribe\">"));
	assert_non_null(strstr(r.body, "name=\"component\" value=\"api\""));
	assert_header(&r, "Cache-Control", "no-store");
	reply_release(&r);

	post_form(&r, f, "/subscribe", "kind=webhook&address=https%3A%2F%2Fhooks.example.com"
		  "%2Fin%3Fa%3D1%26b%3D2&component=api&component=web&component=api");
	assert_status(&r, 201);
	assert_non_null(strstr(r.body, "https://hooks.example.com/in?a=1&amp;b=2"));
	assert_non_null(strstr(r.body, "<code>whsec_"));
	p = strstr(r.body, "unsubscribe?token=");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "unsubscribe?token=%32[0-9a-f]", token), 1);
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers WHERE kind = 'webhook'"
				 " AND address = 'https://hooks.example.com/in?a=1&b=2'"
				 " AND disabled_at IS NULL"), 1);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscriber_components"), 2);
	q = sqlite3_mprintf("SELECT count(*) FROM subscribers WHERE token = %Q", token);
	assert_int_equal(sql_int(f->db, q), 1);
	sqlite3_free(q);

	/* the same URL again: a subscription of its own, as the first was
	 * answered, telling nothing of the first and not its secret */
	post_form(&r, f, "/subscribe", "kind=webhook&address=https%3A%2F%2Fhooks.example.com"
		  "%2Fin%3Fa%3D1%26b%3D2");
	assert_status(&r, 201);
	assert_non_null(strstr(r.body, "<code>whsec_"));
	assert_null(strstr(r.body, token));
	reply_release(&r);

	post_form(&r, f, "/subscribe", "kind=email&address=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
	assert_status(&r, 400);
	assert_null(strcasestr(r.body, "<script"));
	assert_non_null(strstr(r.body, "&lt;script&gt;"));
	reply_release(&r);

	post_form(&r, f, "/subscribe", "kind=email&address=ops%40customer.example");
	assert_status(&r, 201);
	assert_null(strstr(r.body, "whsec_"));
	{
		/* an e-mail address again: the very same answer, and no
		 * second confirmation mail */
		char *first = xstrdup(r.body);

		reply_release(&r);
		post_form(&r, f, "/subscribe", "kind=email&address=ops%40customer.example");
		assert_status(&r, 201);
		assert_string_equal(r.body, first);
		free(first);
	}
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers WHERE kind = 'email'"
				 " AND confirmed_at IS NULL"), 1);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox WHERE recipient ="
				 " 'ops@customer.example' AND subscriber_id IS NULL"
				 " AND payload LIKE '%/subscribe/confirm?token=%'"), 1);
	get(&r, f, "/subscribe/confirm?token=0123456789abcdef0123456789abcdef");
	assert_status(&r, 200); /* asks; a POST confirms */
	reply_release(&r);
	post_form(&r, f, "/subscribe/confirm?token=0123456789abcdef0123456789abcdef", "");
	assert_status(&r, 404);
	reply_release(&r);

	/* GET only asks (mail scanners follow links) */
	path = xasprintf("/unsubscribe?token=%s", token);
	get(&r, f, path);
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<button type=\"submit\">Unsubscribe</button>"));
	assert_header(&r, "Referrer-Policy", "no-referrer");
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"
				 " WHERE disabled_at IS NULL"), 3);

	/* an id or an address is not a token */
	post_form(&r, f, "/unsubscribe?token=1", "List-Unsubscribe=One-Click");
	assert_status(&r, 404);
	reply_release(&r);
	post_form(&r, f, "/unsubscribe?token=ops%40customer.example",
		  "List-Unsubscribe=One-Click");
	assert_status(&r, 404);
	reply_release(&r);
	post_form(&r, f, "/unsubscribe?token=0123456789abcdef0123456789abcdef",
		  "List-Unsubscribe=One-Click");
	assert_status(&r, 404);
	reply_release(&r);
	post_form(&r, f, "/unsubscribe", "List-Unsubscribe=One-Click");
	assert_status(&r, 400);
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"
				 " WHERE disabled_at IS NULL"), 3);

	/* RFC 8058 one-click */
	post_form(&r, f, path, "List-Unsubscribe=One-Click");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "Unsubscribed"));
	reply_release(&r);
	q = sqlite3_mprintf("SELECT count(*) FROM subscribers WHERE token = %Q AND"
			    " disabled_at IS NOT NULL AND disabled_reason = 'unsubscribed'", token);
	assert_int_equal(sql_int(f->db, q), 1);
	sqlite3_free(q);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"
				 " WHERE disabled_at IS NULL"), 2);
	/* again: still fine (mail clients retry) */
	req(&r, f->port, "POST", path, "Content-Type: multipart/form-data; boundary=x\r\n",
	    "--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
	    "One-Click\r\n--x--\r\n");
	assert_status(&r, 200);
	reply_release(&r);
	free(path);
}

/* Every line is a comment or `name{labels} value`, and the numbers are
 * the store's and the daemon's. */
static void
test_metrics(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	/* incident 1's customers were promised an update a minute ago,
	 * incident 2's later */
	add_incident_promising(f, 1, "SEV1", "investigating", "A", "a",
			       time(NULL) * 1000LL - 60000);
	add_incident_promising(f, 2, "SEV1", "identified", "B", "b",
			       time(NULL) * 1000LL + 600000);
	add_incident(f, 3, "SEV3", "resolved", "C", "c");
	sql(f->db, "INSERT INTO outbox (msg_id, type, state, next_at, created_at) VALUES"
		   " ('msg_1', 'webhook', 'pending', 0, 0), ('msg_2', 'webhook', 'dead', 0, 0),"
		   " ('msg_3', 'webhook', 'dead', 0, 0)");
	http_metrics_observe_delivery(&f->metrics, 0.2);
	http_metrics_observe_delivery(&f->metrics, 0.004);
	http_metrics_observe_delivery(&f->metrics, 100);
	http_metrics_set_scheduler_lag(&f->metrics, 1500);

	req(&r, f->iport, "GET", "/metrics", NULL, NULL);
	assert_status(&r, 200);
	static const char *const want[] = {
		"# TYPE sitrep_open_incidents gauge\n",
		"\nsitrep_open_incidents{severity=\"SEV1\"} 2\n",
		"\nsitrep_open_incidents{severity=\"SEV2\"} 0\n",
		"\nsitrep_open_incidents{severity=\"SEV3\"} 0\n",
		"\nsitrep_open_incidents{severity=\"SEV4\"} 0\n",
		"\nsitrep_overdue_updates 1\n",
		"\nsitrep_outbox_messages{state=\"pending\"} 1\n",
		"\nsitrep_outbox_messages{state=\"retrying\"} 0\n",
		"\nsitrep_outbox_messages{state=\"sent\"} 0\n",
		"\nsitrep_outbox_messages{state=\"dead\"} 2\n",
		"# TYPE sitrep_delivery_latency_seconds histogram\n",
		"\nsitrep_delivery_latency_seconds_bucket{le=\"0.005\"} 1\n",
		"\nsitrep_delivery_latency_seconds_bucket{le=\"0.1\"} 1\n",
		"\nsitrep_delivery_latency_seconds_bucket{le=\"0.25\"} 2\n",
		"\nsitrep_delivery_latency_seconds_bucket{le=\"30\"} 2\n",
		"\nsitrep_delivery_latency_seconds_bucket{le=\"+Inf\"} 3\n",
		"\nsitrep_delivery_latency_seconds_sum 100.204\n",
		"\nsitrep_delivery_latency_seconds_count 3\n",
		"\nsitrep_scheduler_lag_seconds 1.500\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(r.body, want[i]) == NULL)
			fail_msg("no '%s' in:\n%s", want[i], r.body);
	/* the format: every line */
	for (char *line = r.body, *nl; *line != '\0'; line = nl + 1) {
		char *p = line;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0)
			continue;
		assert_int_equal(strncmp(line, "sitrep_", 7), 0);
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (*p == '{') {
			p = strchr(p, '}');
			assert_non_null(p);
			p++;
		}
		assert_int_equal(*p, ' ');
		p++;
		{
			char *end;

			strtod(p, &end);
			if (end == p || *end != '\0')
				fail_msg("bad value in '%s'", line);
		}
	}
	reply_release(&r);
}

/* An unchanged store serves the same bytes (and the same ETag, and 304
 * to If-None-Match); another connection's commit shows at once. */
/* The pages' figures come from the store: acknowledgement times of the
 * pages their person acknowledged, by severity (not those covered or
 * escalated), and each page notification by its row's type and state. */
static void
test_metrics_pages(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	add_incident(f, 1, "SEV1", "investigating", "A", "a");
	add_incident(f, 2, "SEV3", "identified", "B", "b");
	/* SEV1: acked after 45 s and after 200 s; one covered, one escalated,
	 * one open. SEV3: acked after 5 s. */
	sql(f->db, "INSERT INTO pages (id, incident_id, role, tier, person, paged_at, timeout_at,"
		   " state, closed_at) VALUES"
		   " (1, 1, 'ops', 1, 'alice', 1000000, 1300000, 'acked', 1045000),"
		   " (2, 1, 'ops', 1, 'bob', 1000000, 1300000, 'covered', 1045000),"
		   " (3, 1, 'sme', 1, 'carol', 1000000, 1300000, 'acked', 1200000),"
		   " (4, 1, 'comms', 1, 'dave', 1000000, 1300000, 'escalated', 1300500),"
		   " (5, 1, 'comms', 2, 'erin', 1300500, 1600500, 'open', NULL),"
		   " (6, 2, 'ops', 1, 'alice', 2000000, 2300000, 'acked', 2005000)");
	sql(f->db, "INSERT INTO outbox (msg_id, type, state, next_at, created_at, page_id, contact)"
		   " VALUES ('msg_p1', 'email', 'sent', 0, 0, 1, 'alice/mail'),"
		   " ('msg_p2', 'webhook', 'cancelled', 0, 0, 1, 'alice/phone'),"
		   " ('msg_p3', 'email', 'sent', 0, 0, 2, 'bob/mail'),"
		   " ('msg_p4', 'email', 'dead', 0, 0, 4, 'dave/mail'),"
		   " ('msg_p5', 'webhook', 'retrying', 0, 0, 5, 'erin/phone'),"
		   " ('msg_p6', 'slack', 'pending', 0, 0, 5, 'erin/slack'),"
		   " ('msg_p7', 'discord', 'sent', 0, 0, 6, 'alice/discord'),"
		   /* not a page's: not counted */
		   " ('msg_x1', 'email', 'sent', 0, 0, NULL, NULL)");

	req(&r, f->iport, "GET", "/metrics", NULL, NULL);
	assert_status(&r, 200);
	static const char *const want[] = {
		"# TYPE sitrep_page_ack_seconds histogram\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV1\",le=\"30\"} 0\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV1\",le=\"60\"} 1\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV1\",le=\"120\"} 1\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV1\",le=\"300\"} 2\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV1\",le=\"+Inf\"} 2\n",
		"\nsitrep_page_ack_seconds_sum{severity=\"SEV1\"} 245\n",
		"\nsitrep_page_ack_seconds_count{severity=\"SEV1\"} 2\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV2\",le=\"+Inf\"} 0\n",
		"\nsitrep_page_ack_seconds_bucket{severity=\"SEV3\",le=\"10\"} 1\n",
		"\nsitrep_page_ack_seconds_sum{severity=\"SEV3\"} 5\n",
		"\nsitrep_page_ack_seconds_count{severity=\"SEV3\"} 1\n",
		"\nsitrep_page_ack_seconds_count{severity=\"SEV4\"} 0\n",
		"# TYPE sitrep_page_notifications_total counter\n",
		"\nsitrep_page_notifications_total{contact=\"email\",result=\"sent\"} 2\n",
		"\nsitrep_page_notifications_total{contact=\"email\",result=\"dead\"} 1\n",
		"\nsitrep_page_notifications_total{contact=\"email\",result=\"cancelled\"} 0\n",
		"\nsitrep_page_notifications_total{contact=\"email\",result=\"pending\"} 0\n",
		"\nsitrep_page_notifications_total{contact=\"webhook\",result=\"cancelled\"} 1\n",
		"\nsitrep_page_notifications_total{contact=\"webhook\",result=\"pending\"} 1\n",
		"\nsitrep_page_notifications_total{contact=\"slack_mention\",result=\"pending\"} 1\n",
		"\nsitrep_page_notifications_total{contact=\"discord_mention\",result=\"sent\"} 1\n",
		"\nsitrep_page_notifications_total{contact=\"discord_mention\",result=\"dead\"} 0\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(r.body, want[i]) == NULL)
			fail_msg("no '%s' in:\n%s", want[i], r.body);
	reply_release(&r);
}

static void
test_cache(void **state)
{
	struct fixture *f = *state;
	struct reply a, b, c;
	char etag_a[128], etag_b[128], etag_c[128], *inm;

	add_incident(f, 1, "SEV2", "identified", "First incident", "first");
	get(&a, f, "/api/v2/incidents.json");
	get(&b, f, "/api/v2/incidents.json");
	assert_status(&a, 200);
	assert_non_null(header(&a, "ETag", etag_a, sizeof(etag_a)));
	assert_non_null(header(&b, "ETag", etag_b, sizeof(etag_b)));
	assert_string_equal(etag_a, etag_b);
	assert_int_equal(a.body_len, b.body_len);
	assert_memory_equal(a.body, b.body, a.body_len);
	assert_non_null(strstr(a.body, "First incident"));
	assert_null(strstr(a.body, "Second incident"));

	inm = xasprintf("If-None-Match: %s\r\n", etag_a);
	req(&c, f->port, "GET", "/api/v2/incidents.json", inm, NULL);
	assert_status(&c, 304);
	assert_int_equal(c.body_len, 0);
	reply_release(&c);

	/* another connection commits: the next request sees it */
	add_incident(f, 2, "SEV1", "investigating", "Second incident", "second");
	get(&c, f, "/api/v2/incidents.json");
	assert_status(&c, 200);
	assert_non_null(header(&c, "ETag", etag_c, sizeof(etag_c)));
	assert_string_not_equal(etag_c, etag_a);
	assert_non_null(strstr(c.body, "Second incident"));
	reply_release(&c);

	req(&c, f->port, "GET", "/api/v2/incidents.json", inm, NULL);
	assert_status(&c, 200);
	reply_release(&c);

	/* a published update to an incident already shown */
	add_update(f, 1, "monitoring", "A fix is out.", 1800000000000, 0);
	get(&c, f, "/");
	assert_non_null(strstr(c.body, "A fix is out."));
	reply_release(&c);
	get(&c, f, "/incidents/1");
	assert_non_null(strstr(c.body, "A fix is out."));
	reply_release(&c);
	get(&c, f, "/history.atom");
	assert_non_null(strstr(c.body, "A fix is out."));
	reply_release(&c);
	free(inm);
	reply_release(&a);
	reply_release(&b);
}

/* Send raw bytes, read everything until the server closes (or 8 s
 * pass): the text in out, the seconds it took in *secs. */
static void
raw_all(struct buf *out, int port, const char *req_bytes, size_t len, double *secs)
{
	struct sockaddr_in sa;
	struct timeval tv = { 8, 0 }, t0, t1;
	char chunk[8192];
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	gettimeofday(&t0, NULL);
	(void)send(fd, req_bytes, len, MSG_NOSIGNAL);
	while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
		buf_add(out, chunk, (size_t)n);
	gettimeofday(&t1, NULL);
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_usec - t0.tv_usec) / 1e6;
	close(fd);
}

/* How many status lines ("HTTP/1.1 NNN") hay holds. */
static size_t
count_answers(const char *hay)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, "HTTP/1.1 ")) != NULL; p += 9)
		n += isdigit((unsigned char)p[9]) && isdigit((unsigned char)p[10]) &&
		     isdigit((unsigned char)p[11]);
	return n;
}

/* Each ambiguous framing gets one 400 and the connection closed at once:
 * what follows it (a smuggled request) is never answered. A query of
 * hundreds of arguments gets a 414 at once, not a hang. */
static void
test_framing(void **state)
{
	struct fixture *f = *state;
	static const struct { const char *what, *bytes; size_t len; } cases[] = {
#define C(w, b) { w, b, sizeof(b) - 1 }
		C("Content-Length twice", "POST /subscribe HTTP/1.1\r\nHost: x\r\n"
		  "Content-Type: application/x-www-form-urlencoded\r\n"
		  "Content-Length: 0\r\nContent-Length: 44\r\n\r\n"
		  "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
		C("Content-Length and Transfer-Encoding", "POST /subscribe HTTP/1.1\r\n"
		  "Host: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
		C("unknown Transfer-Encoding", "POST /subscribe HTTP/1.1\r\nHost: x\r\n"
		  "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
		C("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"),
		C("Host twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
		C("NUL in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n"
		  "Accept: */*\r\n\r\n"),
		C("NUL in the last header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"),
		C("a control byte in a header value", "GET / HTTP/1.1\r\nHost: x\r\n"
		  "X-A: a\x01b\r\n\r\n"),
#undef C
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		double secs;

		raw_all(&b, f->port, cases[i].bytes, cases[i].len, &secs);
		if (b.len == 0 || strncmp(b.ptr, "HTTP/1.1 400 ", 13) != 0)
			fail_msg("%s: not a 400: %s", cases[i].what, b.len ? b.ptr : "(nothing)");
		if (count_answers(b.ptr) != 1 || strstr(b.ptr, "HTTP/1.1 404") != NULL)
			fail_msg("%s: more than one answer:\n%s", cases[i].what, b.ptr);
		if (strcasestr(b.ptr, "\r\nConnection: close\r\n") == NULL || secs > 5)
			fail_msg("%s: not closed at once (%.1f s):\n%s", cases[i].what, secs, b.ptr);
		buf_release(&b);
	}
	/* 445 and 2000 query arguments: 414 at once */
	for (int n = 445; n <= 2000; n += 1555) {
		struct buf q = BUF_INIT, b = BUF_INIT;
		double secs;

		buf_adds(&q, "GET /unsubscribe?token=1");
		for (int i = 0; i < n; i++)
			buf_addf(&q, "&a%d=1", i);
		buf_adds(&q, " HTTP/1.1\r\nHost: x\r\n\r\n");
		raw_all(&b, f->port, q.ptr, q.len, &secs);
		if (b.len == 0 || (strncmp(b.ptr, "HTTP/1.1 414 ", 13) != 0 &&
				   strncmp(b.ptr, "HTTP/1.1 400 ", 13) != 0))
			fail_msg("%d arguments: %s", n, b.len ? b.ptr : "(nothing)");
		if (secs > 5)
			fail_msg("%d arguments: answered in %.1f s", n, secs);
		buf_release(&q);
		buf_release(&b);
	}
	/* a clean request on a fresh connection is still served, with several
	 * headers, and keeps its connection */
	{
		struct reply r;

		req(&r, f->port, "GET", "/healthz", "Accept: */*\r\nX-Empty:\r\n"
		    "User-Agent: test\r\n", NULL);
		assert_status(&r, 200);
		reply_release(&r);
	}
}

/* The subscribe form's fields as text: UTF-8 and a bounded length, the
 * field named in the 400. */
static void
test_fields(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	char *body, big[2100];

	post_form(&r, f, "/subscribe", "kind=email&address=a%FFb%40example.com");
	assert_status(&r, 400);
	assert_non_null(strstr(r.body, "The field &#39;address&#39; is not valid UTF-8")
			!= NULL ? "" : strstr(r.body, "The field 'address' is not valid UTF-8"));
	reply_release(&r);
	post_form(&r, f, "/subscribe", "kind=email&address=a%40example.com&component=%C3%28");
	assert_status(&r, 400);
	assert_non_null(strstr(r.body, "component"));
	reply_release(&r);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	body = xasprintf("kind=webhook&address=https://x.example.com/%s", big);
	post_form(&r, f, "/subscribe", body);
	assert_status(&r, 400);
	assert_non_null(strstr(r.body, "longer than 2048"));
	reply_release(&r);
	free(body);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"), 0);
}

/* POST /subscribe: two, then 429 with Retry-After, and nothing stored. */
static void
test_rate(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	char ra[32];

	post_form(&r, f, "/subscribe", "kind=email&address=a%40example.com");
	assert_status(&r, 201);
	reply_release(&r);
	post_form(&r, f, "/subscribe", "kind=email&address=b%40example.com");
	assert_status(&r, 201);
	reply_release(&r);
	post_form(&r, f, "/subscribe", "kind=email&address=c%40example.com");
	assert_status(&r, 429);
	assert_non_null(header(&r, "Retry-After", ra, sizeof(ra)));
	assert_true(atoi(ra) > 0 && atoi(ra) <= 3600);
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM subscribers"), 2);
	/* reading the page is not limited */
	get(&r, f, "/subscribe");
	assert_status(&r, 200);
	reply_release(&r);
}

/* ---- acknowledgement links ---- */

/* A key file for the links, and incident 1 (SEV1) with alice and bob
 * paged for ops; alice's page id in *page. */
static void
ack_setup(struct fixture *f, int64_t *page)
{
	char path[4200], q[512];
	int64_t now = time(NULL) * 1000LL;

	testutil_write(f->dir, "paging.key", "0123456789abcdef0123456789abcdef\n");
	snprintf(path, sizeof(path), "%s/paging.key", f->dir);
	free(f->conf->paging.link_key_file);
	f->conf->paging.link_key_file = xstrdup(path);
	assert_int_equal(testws_add_incident(f->store, "Primary DB <down>", 1, "investigating",
					     now - 60000, 0, NULL, NULL, 0), 1);
	snprintf(q, sizeof(q), "INSERT INTO pages (incident_id, role, tier, person, paged_at, "
		 "timeout_at, state) VALUES (1, 'ops', 1, 'alice', %lld, %lld, 'open'), "
		 "(1, 'ops', 1, 'bob', %lld, %lld, 'open')", (long long)now - 1000,
		 (long long)now + 600000, (long long)now - 1000, (long long)now + 600000);
	sql(f->db, q);
	*page = sql_int(f->db, "SELECT id FROM pages WHERE person = 'alice'");
}

static char *
ack_path(struct fixture *f, int64_t page, const char *person, int64_t expiry_ms)
{
	char *t = acklink_token(f->conf, page, person, expiry_ms), *p;

	assert_non_null(t);
	p = xasprintf("/ack/%s", t);
	free(t);
	return p;
}

/* GET and HEAD show the page and its two buttons and change nothing;
 * forged, malformed and expired links are 403, an unknown page 404,
 * other methods 405, a body that is not the form 415 or 400. */
static void
test_ack_get(void **state)
{
	struct fixture *f = *state;
	int64_t page, later = (time(NULL) + 3600) * 1000LL;
	char *path, *forged, *expired, *nopage, *q;
	struct reply r;
	int64_t events;

	ack_setup(f, &page);
	path = ack_path(f, page, "alice", later);
	events = sql_int(f->db, "SELECT count(*) FROM events");
	for (int i = 0; i < 2; i++) {
		get(&r, f, path);
		assert_status(&r, 200);
		assert_header(&r, "Content-Type", "text/html; charset=utf-8");
		assert_header(&r, "Cache-Control", "no-store");
		assert_header(&r, "Referrer-Policy", "no-referrer");
		assert_non_null(strstr(r.body, "INC-1"));
		assert_non_null(strstr(r.body, "Primary DB &lt;down&gt;"));
		assert_non_null(strstr(r.body, "SEV1"));
		assert_non_null(strstr(r.body, "ops"));
		assert_non_null(strstr(r.body, "bob (L1, open)"));
		assert_non_null(strstr(r.body, "waiting for your answer"));
		assert_non_null(strstr(r.body, "<form method=\"post\""));
		assert_non_null(strstr(r.body, "value=\"ack\">Acknowledge</button>"));
		assert_non_null(strstr(r.body, "value=\"escalate\">Can\u2019t take it \u2014 "
				       "escalate now</button>"));
		assert_null(strstr(r.body, "<script"));
		reply_release(&r);
	}
	req(&r, f->port, "HEAD", path, NULL, NULL);
	assert_status(&r, 200);
	assert_int_equal(r.body_len, 0);
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM pages WHERE state = 'open'"), 2);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), events);

	/* the signature's last character changed */
	forged = xstrdup(path);
	forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
	get(&r, f, forged);
	assert_status(&r, 403);
	assert_header(&r, "Cache-Control", "no-store");
	assert_non_null(strstr(r.body, "bad signature"));
	assert_null(strstr(r.body, "<form"));
	reply_release(&r);
	post_form(&r, f, forged, "action=ack");
	assert_status(&r, 403);
	reply_release(&r);
	/* someone else's name on alice's page */
	q = xasprintf("/ack/%lld.bob.%s", (long long)page, strchr(path + 5, '.') + 7);
	get(&r, f, q);
	assert_status(&r, 403);
	reply_release(&r);
	free(q);
	expired = ack_path(f, page, "alice", (time(NULL) - 60) * 1000LL);
	get(&r, f, expired);
	assert_status(&r, 403);
	assert_non_null(strstr(r.body, "expired at"));
	reply_release(&r);
	post_form(&r, f, expired, "action=ack");
	assert_status(&r, 403);
	reply_release(&r);
	get(&r, f, "/ack/1.alice.99.x");
	assert_status(&r, 403);
	assert_non_null(strstr(r.body, "malformed"));
	reply_release(&r);
	get(&r, f, "/ack/");
	assert_status(&r, 404);
	reply_release(&r);
	nopage = ack_path(f, 999, "alice", later);
	get(&r, f, nopage);
	assert_status(&r, 404);
	reply_release(&r);

	req(&r, f->port, "PUT", path, NULL, "action=ack");
	assert_status(&r, 405);
	assert_header(&r, "Allow", "GET, HEAD, POST, OPTIONS");
	reply_release(&r);
	req(&r, f->port, "POST", path, "Content-Type: text/plain\r\n", "action=ack");
	assert_status(&r, 415);
	reply_release(&r);
	post_form(&r, f, path, "action=maybe");
	assert_status(&r, 400);
	reply_release(&r);
	post_form(&r, f, path, "action=%zz");
	assert_status(&r, 400);
	reply_release(&r);
	q = calloc(1, 9000);
	memset(q, 'a', 8999);
	memcpy(q, "action=", 7);
	post_form(&r, f, path, q);
	assert_status(&r, 413);
	reply_release(&r);
	free(q);
	/* the internal listener has no such route */
	req(&r, f->iport, "GET", path, NULL, NULL);
	assert_status(&r, 404);
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM pages WHERE state = 'open'"), 2);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), events);
	free(path);
	free(forged);
	free(expired);
	free(nopage);
}

/* The POST /ack/ rate is per address and apart from /subscribe's. */
static void
test_ack_rate(void **state)
{
	struct fixture *f = *state;
	int64_t page;
	char *path;
	struct reply r;

	ack_setup(f, &page);
	path = ack_path(f, page, "alice", (time(NULL) + 3600) * 1000LL);
	post_form(&r, f, "/subscribe", "kind=email&address=a%40example.com");
	assert_status(&r, 201);
	reply_release(&r);
	for (int i = 0; i < 2; i++) {
		post_form(&r, f, path, "action=nothing");
		assert_status(&r, 400);
		reply_release(&r);
	}
	post_form(&r, f, path, "action=ack");
	assert_status(&r, 429);
	reply_release(&r);
	/* showing it is not limited */
	get(&r, f, path);
	assert_status(&r, 200);
	reply_release(&r);
	free(path);
}

/* The page id of person's latest page. */
static int64_t
page_of(struct fixture *f, const char *person)
{
	char q[256];

	snprintf(q, sizeof(q), "SELECT max(id) FROM pages WHERE person = '%s'", person);
	return sql_int(f->db, q);
}

/* Whether the store's text q (one value) is want. */
static void
assert_sql_text(struct fixture *f, const char *q, const char *want)
{
	sqlite3_stmt *stmt;
	const unsigned char *got = NULL;

	assert_int_equal(sqlite3_prepare_v2(f->db, q, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		got = sqlite3_column_text(stmt, 0);
	if (got == NULL || strcmp((const char *)got, want) != 0)
		fail_msg("%s: '%s', not '%s'", q, got != NULL ? (const char *)got : "(null)", want);
	sqlite3_finalize(stmt);
}

/* POST action=ack through the route: alice's page acknowledged via
 * ack-link, bob's covered and told, her unsent notifications cancelled,
 * the event says via ack-link; a repeat (hers, or bob's link to his
 * covered page) answers "already acknowledged by alice at T" and changes
 * nothing; the page shows no buttons any more. */
static void
test_ack_post(void **state)
{
	struct fixture *f = *state;
	int64_t alice = page_of(f, "alice"), bob = page_of(f, "bob"), events, rows;
	int64_t later = (time(NULL) + 3600) * 1000LL;
	char *path = ack_path(f, alice, "alice", later), *bpath = ack_path(f, bob, "bob", later);
	struct reply r;

	assert_true(alice > 0 && bob > 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox WHERE page_id IS NOT NULL "
				 "AND state = 'pending'"), 2);
	post_form(&r, f, path, "action=ack");
	assert_status(&r, 200);
	assert_header(&r, "Cache-Control", "no-store");
	assert_non_null(strstr(r.body, "Acknowledged: you are on INC-1 as ops"));
	reply_release(&r);
	assert_sql_text(f, "SELECT group_concat(person || '=' || state || ':' || ended_by || ':' || "
			"ended_via, ' ') FROM (SELECT * FROM pages ORDER BY id)",
			"alice=acked:alice:ack-link bob=covered:alice:ack-link");
	assert_sql_text(f, "SELECT kind || ' ' || json_extract(details, '$.via') || ' ' || actor "
			"FROM events ORDER BY id DESC LIMIT 1", "acknowledged ack-link alice");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox WHERE page_id IS NOT NULL "
				 "AND state IN ('pending', 'retrying')"), 0);
	/* bob hears it: a message of its own, not his page's (cancelled) row */
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox WHERE contact = 'bob/email' "
				 "AND (page_id IS NULL OR page_id = 0) AND state = 'pending'"), 1);

	events = sql_int(f->db, "SELECT count(*) FROM events");
	rows = sql_int(f->db, "SELECT count(*) FROM outbox");
	post_form(&r, f, path, "action=ack");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<p>Already acknowledged by alice at "));
	reply_release(&r);
	post_form(&r, f, bpath, "action=ack");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<p>Already acknowledged by alice at "));
	reply_release(&r);
	/* what was acknowledged is not escalated by its link */
	post_form(&r, f, path, "action=escalate");
	assert_status(&r, 403);
	assert_non_null(strstr(r.body, "it was acknowledged by alice at "));
	reply_release(&r);
	get(&r, f, path);
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "acknowledged by alice at "));
	assert_null(strstr(r.body, "<form"));
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), events);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox"), rows);
	free(path);
	free(bpath);
}

/* POST action=escalate through the route: the role's L1 pages end
 * escalated by alice via ack-link with her reason and carol (L2) is paged;
 * a repeat answers "already escalated"; carol's "can't take it" at the
 * last tier ends her page and tells the commander (page_declined); someone
 * not paged (a link signed for mallory) changes nothing. */
static void
test_ack_escalate(void **state)
{
	struct fixture *f = *state;
	int64_t alice = page_of(f, "alice"), carol, events;
	int64_t later = (time(NULL) + 3600) * 1000LL;
	char *path = ack_path(f, alice, "alice", later), *cpath, *mpath, reason[64];
	struct reply r;

	post_form(&r, f, path, "action=escalate");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<p>Escalated: INC-1&#39;s ops goes to the next tier now"));
	reply_release(&r);
	assert_sql_text(f, "SELECT group_concat(person || '=' || state, ' ') FROM "
			"(SELECT * FROM pages ORDER BY id)", "alice=escalated bob=escalated carol=open");
	snprintf(reason, sizeof(reason), "alice can't take it (PG-%lld)", (long long)alice);
	assert_sql_text(f, "SELECT ended_by || ' ' || ended_via FROM pages WHERE person = 'bob'",
			"alice ack-link");
	{
		char want[160];

		snprintf(want, sizeof(want), "escalated ack-link L1 %s", reason);
		assert_sql_text(f, "SELECT kind || ' ' || json_extract(details, '$.via') || ' ' || "
				"json_extract(details, '$.from') || ' ' || json_extract(details, "
				"'$.reason') FROM events ORDER BY id DESC LIMIT 1", want);
	}
	carol = page_of(f, "carol");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox WHERE contact = 'carol/email'"),
			 1);

	events = sql_int(f->db, "SELECT count(*) FROM events");
	post_form(&r, f, path, "action=escalate");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "<p>Already escalated by alice at "));
	reply_release(&r);
	post_form(&r, f, path, "action=ack");
	assert_status(&r, 403);
	assert_non_null(strstr(r.body, "it was escalated by alice at "));
	reply_release(&r);
	mpath = ack_path(f, carol, "mallory", later);
	post_form(&r, f, mpath, "action=ack");
	assert_status(&r, 403);
	assert_non_null(strstr(r.body, "made for mallory, who is not the person this page is for"));
	reply_release(&r);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), events);
	assert_sql_text(f, "SELECT state FROM pages WHERE person = 'carol'", "open");

	/* carol is the last tier: nobody further, the commander is told */
	cpath = ack_path(f, carol, "carol", later);
	post_form(&r, f, cpath, "action=escalate");
	assert_status(&r, 200);
	assert_non_null(strstr(r.body, "no further tier"));
	reply_release(&r);
	assert_sql_text(f, "SELECT state || ' ' || ended_by || ' ' || ended_via FROM pages "
			"WHERE person = 'carol'", "cancelled carol ack-link");
	assert_sql_text(f, "SELECT kind || ' ' || json_extract(details, '$.via') || ' ' || "
			"json_extract(details, '$.told') FROM events ORDER BY id DESC LIMIT 1",
			"page_declined ack-link bob");
	free(path);
	free(cpath);
	free(mpath);
}

static int
connect_idle(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/*
 * n idle connections fill a limit: one more, at once, is answered 503
 * with Retry-After and closed; a second later, one more is served and
 * the oldest idle connection is closed for it.
 */
static void
fill_then_serve(struct fixture *f, int n)
{
	const struct timespec settle = { 0, 300 * 1000 * 1000 }, second = { 1, 500 * 1000 * 1000 };
	int *fds = calloc((size_t)n, sizeof(int));
	struct reply r;
	char ra[32], c;

	for (int i = 0; i < n; i++)
		fds[i] = connect_idle(f->port);
	nanosleep(&settle, NULL);
	get(&r, f, "/healthz");
	assert_status(&r, 503);
	assert_header(&r, "Connection", "close");
	assert_non_null(header(&r, "Retry-After", ra, sizeof(ra)));
	reply_release(&r);
	nanosleep(&second, NULL);
	get(&r, f, "/healthz");
	assert_status(&r, 200);
	reply_release(&r);
	/* the oldest was closed for it: it reads the end */
	assert_int_equal(recv(fds[0], &c, 1, 0), 0);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

static void
test_per_address_limit(void **state)
{
	fill_then_serve(*state, 8);
}

static void
test_connection_limit(void **state)
{
	fill_then_serve(*state, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscribe_unsubscribe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate, setup_limited, teardown),
		cmocka_unit_test_setup_teardown(test_ack_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_rate, setup_limited, teardown),
		cmocka_unit_test_setup_teardown(test_ack_post, setup_paging, teardown),
		cmocka_unit_test_setup_teardown(test_ack_escalate, setup_paging, teardown),
		cmocka_unit_test_setup_teardown(test_per_address_limit, setup_per_address, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup_few, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
