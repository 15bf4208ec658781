/* http-ack.c: the page an acknowledgement link opens, /ack/<token>: GET
 * (and HEAD) shows the page's incident, role and state with two buttons
 * and changes nothing, so mail scanners and link previews are harmless;
 * POST action=ack|escalate acknowledges or declines as the person the
 * link was made for. The token is acklink.c's, what a click does
 * escalate.c's; the rate limit is http-limit.c's. */
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sitrep/acklink.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/escape.h"
#include "sitrep/incident.h"
#include "sitrep/log.h"
#include "sitrep/repo.h"
#include "sitrep/statuspage.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

#define ACK_ROOT "../" /* from /ack/<token> back to the site */

/* What one request to a link is about, once its token checked out. */
struct ack_req {
	char addr[64];		/* the client, for the log */
	const char *method;	/* GET, POST */
	char *token;		/* as in the URL */
	int64_t page_id;
	char *person;		/* the token's */
	struct store_page page;
	bool have_page;
	struct store_incident inc;
	bool have_inc;
};

static void
ack_req_release(struct ack_req *a)
{
	free(a->person);
	if (a->have_page)
		store_page_release(&a->page);
	if (a->have_inc)
		store_incident_release(&a->inc);
}

static void
client_addr(char *out, size_t len, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	socklen_t salen = sa == NULL ? 0 : sa->sa_family == AF_INET6 ?
			  sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	snprintf(out, len, "?");
	if (sa != NULL && getnameinfo(sa, salen, out, (socklen_t)len, NULL, 0,
				      NI_NUMERICHOST) != 0)
		snprintf(out, len, "?");
}

/* A person as the page names them: "Ana Lima (ana)", or the handle. */
static void
add_person(struct buf *b, const struct conf *c, const char *handle)
{
	const struct conf_person *p = handle != NULL ? conf_person(c, handle) : NULL;

	if (p != NULL && p->name != NULL && strcmp(p->name, handle) != 0) {
		escape_markup(b, p->name);
		buf_adds(b, " (");
		escape_markup(b, handle);
		buf_adds(b, ")");
	} else
		escape_markup(b, handle != NULL ? handle : "someone");
}

/* A page that says one thing: title, then text. */
static struct MHD_Response *
says(struct http_server *h, const char *title, const char *text)
{
	struct buf b = BUF_INIT;
	struct MHD_Response *r;

	statuspage_html_begin(&b, h->conf->page_name, title, ACK_ROOT);
	buf_adds(&b, "<h1>");
	escape_markup(&b, title);
	buf_adds(&b, "</h1>\n<p>");
	escape_markup(&b, text);
	buf_adds(&b, "</p>\n");
	statuspage_html_end(&b, ACK_ROOT);
	r = http_reply_page(&b);
	if (r != NULL)
		MHD_add_response_header(r, "X-Robots-Tag", "noindex, nofollow");
	return r;
}

static enum MHD_Result
answer(struct http_server *h, struct MHD_Connection *conn, struct ack_req *a,
       unsigned int code, const char *title, const char *text, const char *outcome)
{
	if (a->page_id > 0)
		log_info("ack link: %s PG-%lld (%s) from %s: %u %s", a->method,
			 (long long)a->page_id, a->person != NULL ? a->person : "?", a->addr,
			 code, outcome);
	else
		log_info("ack link: %s from %s: %u %s", a->method, a->addr, code, outcome);
	return http_reply_queue(conn, code, says(h, title, text));
}

/* What happened to an ended page, for a reader: "acknowledged by ana at
 * 14:05 UTC", "cancelled by bob at 14:05 UTC: false alarm". */
static char *
ended_text(const struct store_page *p, int64_t now)
{
	char when[CLOCK_WHEN_MAX];
	const char *by = p->ended_by != NULL ? p->ended_by : NULL;
	const char *why = p->ended_reason;

	clock_format_when(when, sizeof(when), p->closed_at, now);
	if (strcmp(p->state, "acked") == 0)
		return xasprintf("acknowledged by %s at %s", by != NULL ? by : p->person, when);
	if (strcmp(p->state, "covered") == 0)
		return by != NULL ? xasprintf("acknowledged by %s at %s", by, when) :
		       xasprintf("acknowledged by someone else paged for %s at %s", p->role, when);
	return xasprintf("%s%s%s at %s%s%s", strcmp(p->state, "escalated") == 0 ? "escalated" :
			 strcmp(p->state, "cancelled") == 0 ? "cancelled" : "ended",
			 by != NULL ? " by " : "", by != NULL ? by : "", when,
			 why != NULL ? ": " : "", why != NULL ? why : "");
}

/* Whether the page was ended by its own person's "can't take it". */
static bool
ended_by_decline(const struct store_page *p)
{
	return p->ended_by != NULL && strcmp(p->ended_by, p->person) == 0 &&
	       (strcmp(p->state, "escalated") == 0 || strcmp(p->state, "cancelled") == 0);
}

/* Whether the page ended with someone acknowledging it. */
static bool
ended_by_ack(const struct store_page *p)
{
	return strcmp(p->state, "acked") == 0 || strcmp(p->state, "covered") == 0;
}

/* The others paged for the same role of the incident, with their pages'
 * states. */
static void
add_others(struct buf *b, struct http_server *h, const struct ack_req *a)
{
	struct store_page *v = NULL;
	size_t n = 0, shown = 0;

	if (store_pages_get(&v, &n, h->store, a->inc.id, false) != 0) {
		buf_adds(b, "(cannot be read now)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].id == a->page.id || strcmp(v[i].role, a->page.role) != 0 ||
		    strcmp(v[i].person, a->page.person) == 0)
			continue;
		buf_adds(b, shown++ > 0 ? ", " : "");
		add_person(b, h->conf, v[i].person);
		buf_addf(b, " (L%d, ", v[i].tier);
		escape_markup(b, v[i].state);
		buf_adds(b, ")");
	}
	if (shown == 0)
		buf_adds(b, "nobody else");
	store_pages_free(v, n);
}

/* GET: what the page is about, its state, and while it is open the two
 * buttons. */
static struct MHD_Response *
page_view(struct http_server *h, const struct ack_req *a, int64_t now)
{
	const struct store_page *p = &a->page;
	struct buf b = BUF_INIT;
	struct MHD_Response *r;
	char when[CLOCK_WHEN_MAX], *title = xasprintf("INC-%lld: you are paged as %s",
							(long long)a->inc.id, p->role);
	bool open = strcmp(p->state, "open") == 0;

	statuspage_html_begin(&b, h->conf->page_name, title, ACK_ROOT);
	buf_adds(&b, "<h1>");
	escape_markup(&b, title);
	buf_adds(&b, "</h1>\n<dl>\n<dt>For</dt><dd>");
	add_person(&b, h->conf, p->person);
	buf_addf(&b, "</dd>\n<dt>Incident</dt><dd>INC-%lld: ", (long long)a->inc.id);
	escape_markup(&b, a->inc.title);
	buf_addf(&b, "</dd>\n<dt>Severity</dt><dd>%s</dd>\n<dt>Status</dt><dd>",
		 vocab_severity_name(a->inc.severity));
	escape_markup(&b, a->inc.status);
	buf_adds(&b, "</dd>\n<dt>Role</dt><dd>");
	escape_markup(&b, p->role);
	clock_format_when(when, sizeof(when), p->paged_at, now);
	buf_addf(&b, " (tier L%d), paged at %s</dd>\n<dt>Also paged</dt><dd>", p->tier, when);
	add_others(&b, h, a);
	buf_adds(&b, "</dd>\n<dt>This page</dt><dd>");
	if (open) {
		buf_adds(&b, "waiting for your answer");
		if (p->timeout_at > 0) {
			clock_format_when(when, sizeof(when), p->timeout_at, now);
			buf_addf(&b, " (it times out at %s)", when);
		}
	} else {
		char *t = ended_text(p, now);

		escape_markup(&b, t);
		free(t);
	}
	buf_adds(&b, "</dd>\n</dl>\n");
	if (open) {
		buf_adds(&b, "<form method=\"post\" action=\"");
		escape_markup(&b, a->token);
		buf_adds(&b, "\">\n<p><button type=\"submit\" name=\"action\" value=\"ack\">"
			 "Acknowledge</button>\n<button type=\"submit\" name=\"action\" "
			 "value=\"escalate\">Can\u2019t take it \u2014 escalate now</button></p>\n"
			 "</form>\n");
	}
	statuspage_html_end(&b, ACK_ROOT);
	free(title);
	r = http_reply_page(&b);
	if (r != NULL)
		MHD_add_response_header(r, "X-Robots-Tag", "noindex, nofollow");
	return r;
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

/* A POST to a page that has ended: a repeat of what ended it is answered
 * as done ("Already acknowledged by alice at 14:05 UTC."), anything else
 * is refused with how it ended. */
static enum MHD_Result
ended_answer(struct http_server *h, struct MHD_Connection *conn, struct ack_req *a,
	     const struct store_page *ended, bool ack, int64_t now)
{
	char *t = ended_text(ended, now), *text;
	bool same = ack ? ended_by_ack(ended) : ended_by_decline(ended);
	enum MHD_Result ret;

	if (same) {
		text = xasprintf("Already %s.", t);
		ret = answer(h, conn, a, 200, ack ? "Already acknowledged" : "Already escalated",
			     text, ack ? "already acknowledged" : "already escalated");
	} else {
		text = xasprintf("This page has ended, so the link no longer works: it was %s.",
				 t);
		ret = answer(h, conn, a, 403, "This page has ended", text, "page ended");
	}
	free(text);
	free(t);
	return ret;
}

/* POST: acknowledge or decline as the token's person, then say what
 * happened, or why nothing did. */
static enum MHD_Result
page_post(struct http_server *h, struct MHD_Connection *conn, struct ack_req *a,
	  struct http_request *rq, int64_t now)
{
	struct incident_ctx ctx;
	struct http_form f;
	const char *action;
	bool ack;
	char *text;
	enum MHD_Result ret;
	int rc;

	if (!is_form_encoded(conn))
		return answer(h, conn, a, 415, "Unsupported form encoding", "Send the form as "
			      "application/x-www-form-urlencoded.", "not a form");
	if (http_form_parse(&f, buf_str(&rq->body), rq->body.len) != 0)
		return answer(h, conn, a, 400, "Bad request", err_last(), "malformed form");
	action = http_form_get(&f, "action");
	for (size_t i = 0, seen = 0; action != NULL && i < f.n; i++)
		if (strcmp(f.name[i], "action") == 0 && seen++ > 0)
			action = NULL; /* twice: which one was meant? */
	if (action == NULL || (strcmp(action, "ack") != 0 && strcmp(action, "escalate") != 0)) {
		http_form_release(&f);
		return answer(h, conn, a, 400, "Bad request", "Choose Acknowledge or "
			      "escalate: the form sends action=ack or action=escalate.",
			      "no action");
	}
	ack = strcmp(action, "ack") == 0;
	http_form_release(&f);
	/* ended already: say how, without a change of the incident (which
	 * may be closed by now) */
	if (strcmp(a->page.state, "open") != 0)
		return ended_answer(h, conn, a, &a->page, ack, now);

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = h->conf;
	ctx.store = h->store;
	ctx.actor = a->person;
	ctx.via = "ack-link";
	ctx.repo = repo_open_lazy(h->conf->playbooks);
	rc = ack ? escalate_ack_page(&ctx, a->page_id, "ack-link") :
		   escalate_decline_page(&ctx, a->page_id, "ack-link");
	repo_free(ctx.repo);
	h->cache.dirty = true;
	if (rc == 0) {
		struct store_page now_p;
		bool last = false; /* declined with no tier further: cancelled */

		if (!ack && store_page_get(&now_p, h->store, a->page_id) == 0) {
			last = strcmp(now_p.state, "cancelled") == 0;
			store_page_release(&now_p);
		}
		text = ack ? xasprintf("Acknowledged: you are on INC-%lld as %s. The others "
				       "paged for %s are told.", (long long)a->inc.id,
				       a->page.role, a->page.role) :
		       last ? xasprintf("Noted: there is no further tier to page for "
					"INC-%lld's %s, so its commander is told to find "
					"someone. Thank you for saying so.",
					(long long)a->inc.id, a->page.role) :
			      xasprintf("Escalated: INC-%lld's %s goes to the next tier now. "
					"Thank you for saying so.", (long long)a->inc.id,
					a->page.role);
		ret = answer(h, conn, a, 200, ack ? "Acknowledged" : last ? "Declined" :
			     "Escalated", text, ack ? "acknowledged" : last ? "declined" :
			     "escalated");
		free(text);
		return ret;
	}
	if (rc == SR_ENOTFOUND)
		return answer(h, conn, a, 404, "Not found", err_last(), "no such page");
	if (rc == SR_EEXIST) {
		/* ended meanwhile: read what ended it */
		struct store_page ended;

		if (store_page_get(&ended, h->store, a->page_id) != 0)
			return answer(h, conn, a, 403, "This page has ended", err_last(),
				      "page ended");
		ret = ended_answer(h, conn, a, &ended, ack, now);
		store_page_release(&ended);
		return ret;
	}
	if (rc == SR_EREFUSED || rc == SR_EUSAGE)
		return answer(h, conn, a, 403, "Not done", err_last(), "refused");
	log_warnx("ack link: PG-%lld: %s", (long long)a->page_id, err_last());
	return answer(h, conn, a, 503, "Try again later", "The page cannot be changed right "
		      "now; try again in a moment, or acknowledge with sitrep ack.", "store error");
}

/* Page 0: the link of a test page (sitrep page --test) for the token's
 * person. GET says the link works; POST says it acknowledged nothing. */
static enum MHD_Result
test_page(struct http_server *h, struct MHD_Connection *conn, struct ack_req *a, bool post)
{
	const struct conf_person *p = conf_person(h->conf, a->person);
	/* says() escapes what it shows: the name goes in as text */
	char *who = p != NULL && p->name != NULL && strcmp(p->name, a->person) != 0 ?
		    xasprintf("%s (%s)", p->name, a->person) : xstrdup(a->person);
	char *text = post ? xasprintf("This was a test page for %s: nothing was acknowledged, "
				      "and nothing needs to be. The link works.", who) :
			    xasprintf("This was a test page for %s: your link works. In a real "
				      "page it shows the incident with the Acknowledge and "
				      "escalate buttons.", who);
	enum MHD_Result ret = answer(h, conn, a, 200, "Test page: your link works", text,
				     post ? "test page, nothing acknowledged" : "test page");

	free(text);
	free(who);
	return ret;
}

enum MHD_Result
http_ack_serve(struct http_server *h, struct MHD_Connection *conn, const char *url,
	       struct http_request *rq, bool post)
{
	struct ack_req a;
	int64_t now = clock_now_ms();
	enum MHD_Result ret;
	int rc;

	memset(&a, 0, sizeof(a));
	a.method = post ? "POST" : "GET";
	client_addr(a.addr, sizeof(a.addr), conn);
	a.token = (char *)url + strlen("/ack/");
	rc = acklink_check(&a.page_id, &a.person, h->conf, a.token, now);
	if (rc == SR_ESYS) {
		log_warnx("ack link: %s", err_last());
		return answer(h, conn, &a, 503, "Links do not work right now", "This server "
			      "cannot check acknowledgement links at the moment. Acknowledge "
			      "with sitrep ack, or tell the incident's commander.", "no key");
	}
	if (rc != 0) {
		char *text = xasprintf("This link does not work: %s. Use the link from the "
				       "latest message, or acknowledge with sitrep ack.",
				       err_last());

		a.page_id = 0;
		ret = answer(h, conn, &a, 403, "This link does not work", text, err_last());
		free(text);
		return ret;
	}
	if (a.page_id == 0) {
		ret = test_page(h, conn, &a, post);
		ack_req_release(&a);
		return ret;
	}
	if ((rc = store_page_get(&a.page, h->store, a.page_id)) == 0) {
		a.have_page = true;
		rc = store_incident_get(&a.inc, h->store, a.page.incident_id);
	}
	if (rc != 0) {
		if (rc == SR_ENOTFOUND)
			ret = answer(h, conn, &a, 404, "Not found", "There is no such page: it "
				     "may belong to another sitrep.", "no such page");
		else {
			log_warnx("ack link: %s", err_last());
			ret = answer(h, conn, &a, 503, "Try again later", "The page cannot be "
				     "read right now; try again in a moment.", "store error");
		}
		ack_req_release(&a);
		return ret;
	}
	a.have_inc = true;
	if (strcmp(a.page.person, a.person) != 0) {
		/* signed with our key, but the page is someone else's: a store
		 * made afresh, with its ids used again */
		char *text = xasprintf("This link was made for %s, who is not the person this "
				       "page is for: only the person paged can answer it. Use "
				       "the link from your latest message, or acknowledge with "
				       "sitrep ack.", a.person);

		ret = answer(h, conn, &a, 403, "This link does not work", text, "person mismatch");
		free(text);
		ack_req_release(&a);
		return ret;
	}
	if (post)
		ret = page_post(h, conn, &a, rq, now);
	else {
		bool open = strcmp(a.page.state, "open") == 0;
		bool ok = open || ended_by_ack(&a.page) || ended_by_decline(&a.page);

		log_info("ack link: GET PG-%lld (%s) from %s: %d shown (%s)",
			 (long long)a.page_id, a.person, a.addr, ok ? 200 : 403, a.page.state);
		ret = http_reply_queue(conn, ok ? 200 : 403, page_view(h, &a, now));
	}
	ack_req_release(&a);
	return ret;
}
