/* statuspage-html.c: the HTML status page (`/`), the page of one incident
 * and of one maintenance, and the page frame (head, style, header,
 * footer) the daemon's own pages are built in too. HTML5 without scripts.
 * What the page shares with the JSON documents is statuspage.c's; the
 * escaping escape.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/escape.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"

#include "statuspage-int.h"

static void
esc(struct buf *out, const char *text)
{
	escape_markup(out, text);
}

/* "23 Nov 2026 11:19 UTC", and the machine-readable form beside it. */
static void
html_time(struct buf *out, int64_t ms)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(ms / 1000);
	char iso[32];
	struct tm tm;

	clock_format_iso(iso, sizeof(iso), ms);
	gmtime_r(&secs, &tm);
	buf_addf(out, "<time datetime=\"%s\">%d %s %d %02d:%02d UTC</time>", iso,
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* Statuses and indicators as CSS classes: only known words, so a class
 * attribute never carries text from elsewhere. */
static const char *
css_word(const char *s)
{
	static const char *const known[] = {
		"operational", "degraded_performance", "partial_outage", "major_outage",
		"under_maintenance", "investigating", "identified", "monitoring",
		"resolved", "scheduled", "in_progress", "verifying", "completed",
		"none", "minor", "major", "critical", "maintenance",
	};

	for (size_t i = 0; s != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return "unknown";
}

static const char html_css[] =
	":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;"
	"--line:#d0d7de;--ok:#1a7f37;--minor:#7d4e00;--major:#a63c00;--crit:#c11f2b;"
	"--maint:#0550ae}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;"
	"--muted:#9da7b3;--line:#30363d;--ok:#3fb950;--minor:#d29922;--major:#f0883e;"
	"--crit:#ff7b72;--maint:#79c0ff}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:48rem;padding:1rem;color:var(--fg);"
	"background:var(--bg);font:1rem/1.5 system-ui,-apple-system,\"Segoe UI\","
	"Roboto,sans-serif;overflow-wrap:anywhere}\n"
	"a{color:inherit}a:focus{outline:3px solid var(--maint);outline-offset:2px}\n"
	".skip{position:absolute;left:-100vw}.skip:focus{left:1rem;top:1rem;"
	"background:var(--bg);padding:.5rem}\n"
	"h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem}"
	"h3{font-size:1.05rem;margin:.75rem 0 .25rem}\n"
	".banner{border:2px solid;border-left-width:.6rem;border-radius:.25rem;"
	"padding:.75rem 1rem;font-size:1.2rem;font-weight:600;margin:1rem 0}\n"
	".s-none,.s-operational,.s-resolved,.s-completed{color:var(--ok)}\n"
	".s-minor,.s-degraded_performance,.s-monitoring{color:var(--minor)}\n"
	".s-major,.s-partial_outage,.s-identified{color:var(--major)}\n"
	".s-critical,.s-major_outage,.s-investigating{color:var(--crit)}\n"
	".s-maintenance,.s-under_maintenance,.s-scheduled,.s-in_progress,"
	".s-verifying{color:var(--maint)}\n"
	".banner.s-none{border-color:var(--ok)}.banner.s-minor{border-color:var(--minor)}"
	".banner.s-major{border-color:var(--major)}.banner.s-critical{border-color:var(--crit)}"
	".banner.s-maintenance{border-color:var(--maint)}\n"
	"ul.plain,ol.plain{list-style:none;padding:0;margin:0}\n"
	".row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;"
	"padding:.5rem 0;border-bottom:1px solid var(--line)}\n"
	".st{font-weight:600}.group>ul{padding-left:1rem}\n"
	"article{border:1px solid var(--line);border-radius:.25rem;padding:.25rem 1rem;"
	"margin:.75rem 0}\n"
	".meta,time{color:var(--muted)}.meta{margin:.25rem 0}\n"
	".update{padding:.5rem 0;border-top:1px solid var(--line)}"
	".update p{margin:.25rem 0}\n"
	".body{white-space:pre-wrap}\n"
	"footer{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line)}\n"
	"footer a{margin-right:1rem}\n";

void
statuspage_html_begin(struct buf *out, const char *page_name, const char *title,
		      const char *root)
{
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<title>");
	if (title != NULL) {
		esc(out, title);
		buf_adds(out, " - ");
	}
	esc(out, page_name);
	buf_adds(out, "</title>\n");
	buf_addf(out, "<link rel=\"alternate\" type=\"application/atom+xml\" "
		 "title=\"Incident history (Atom)\" href=\"%shistory.atom\">\n", root);
	buf_addf(out, "<link rel=\"alternate\" type=\"application/rss+xml\" "
		 "title=\"Incident history (RSS)\" href=\"%shistory.rss\">\n", root);
	buf_addf(out, "<style>\n%s</style>\n</head>\n<body>\n"
		 "<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\n", html_css);
	if (title == NULL) {
		buf_adds(out, "<h1>");
		esc(out, page_name);
		buf_adds(out, "</h1>\n");
	} else {
		buf_addf(out, "<p><a href=\"%s\">", root[0] != '\0' ? root : "./");
		esc(out, page_name);
		buf_adds(out, "</a></p>\n");
	}
	buf_adds(out, "</header>\n<main id=\"main\">\n");
}

/* The footer, with the time the page's data last changed unless 0. */
static void
html_foot(struct buf *out, const char *root, int64_t updated)
{
	buf_adds(out, "</main>\n<footer>\n<nav aria-label=\"Follow\">\n");
	buf_addf(out, "<a href=\"%ssubscribe\">Subscribe to updates</a>"
		 "<a href=\"%shistory.atom\">Atom feed</a>"
		 "<a href=\"%shistory.rss\">RSS feed</a>"
		 "<a href=\"%sapi/v2/summary.json\">API</a>\n</nav>\n", root, root, root, root);
	if (updated != 0) {
		buf_adds(out, "<p class=\"meta\">Last updated ");
		html_time(out, updated);
		buf_adds(out, ".</p>\n");
	}
	buf_adds(out, "</footer>\n</body>\n</html>\n");
}

void
statuspage_html_end(struct buf *out, const char *root)
{
	html_foot(out, root, 0);
}

static int64_t
sn_updated(const struct snapshot *sn)
{
	return sn->updated_at != 0 ? sn->updated_at : sn->built_at;
}

static void
html_status(struct buf *out, const char *status)
{
	buf_addf(out, "<span class=\"st s-%s\">", css_word(status));
	esc(out, statuspage_status_label(status));
	buf_adds(out, "</span>");
}

static const char *
component_name(const struct snapshot *sn, const char *id)
{
	const struct snapshot_component *c = statuspage_find_component(sn, id, NULL);

	return c != NULL && c->name != NULL ? c->name : id;
}

static void
html_updates(struct buf *out, const struct snapshot_incident *inc, const char *heading)
{
	if (inc->nupdates == 0)
		return;
	buf_addf(out, "<%s class=\"meta\">Updates, newest first</%s>\n<ol class=\"plain\">\n",
		 heading, heading);
	for (size_t u = 0; u < inc->nupdates; u++) {
		const struct snapshot_update *up = &inc->updates[u];

		buf_adds(out, "<li class=\"update\"><p>");
		buf_addf(out, "<strong class=\"s-%s\">", css_word(up->status));
		esc(out, statuspage_status_label(up->status));
		buf_adds(out, "</strong> &middot; ");
		html_time(out, up->published_at);
		buf_adds(out, "</p>\n<p class=\"body\">");
		esc(out, up->body);
		buf_adds(out, "</p></li>\n");
	}
	buf_adds(out, "</ol>\n");
}

static void
html_affected(struct buf *out, const struct snapshot *sn, const struct snapshot_incident *inc)
{
	if (inc->ncomponents == 0)
		return;
	buf_adds(out, "<p class=\"meta\">Affected: ");
	for (size_t k = 0; k < inc->ncomponents; k++) {
		if (k > 0)
			buf_adds(out, ", ");
		esc(out, component_name(sn, inc->components[k]));
		if (inc->component_status != NULL && !statuspage_is_resolved(inc->status)) {
			buf_adds(out, " (");
			esc(out, statuspage_status_label(inc->component_status[k]));
			buf_adds(out, ")");
		}
	}
	buf_adds(out, "</p>\n");
}

static void
html_incident_meta(struct buf *out, const struct snapshot_incident *inc)
{
	const char *status = strcmp(inc->status, "closed") == 0 ? "resolved" : inc->status;

	buf_adds(out, "<p class=\"meta\">Status: ");
	html_status(out, status);
	buf_adds(out, " &middot; Impact: ");
	html_status(out, inc->impact);
	buf_adds(out, " &middot; Started ");
	html_time(out, inc->created_at);
	if (inc->resolved_at != 0 && statuspage_is_resolved(inc->status)) {
		buf_adds(out, " &middot; Resolved ");
		html_time(out, inc->resolved_at);
	}
	buf_adds(out, "</p>\n");
}

static void
html_active(struct buf *out, const struct snapshot *sn)
{
	size_t n, *v = statuspage_incidents_recent(sn, true, sn->nincidents, &n);

	if (n == 0) {
		free(v);
		return;
	}
	buf_adds(out, "<section aria-labelledby=\"h-active\">\n"
		 "<h2 id=\"h-active\">Active incidents</h2>\n");
	for (size_t i = 0; i < n; i++) {
		const struct snapshot_incident *inc = &sn->incidents[v[i]];

		buf_addf(out, "<article aria-labelledby=\"inc-%lld\">\n<h3 id=\"inc-%lld\">"
			 "<a href=\"incidents/inc-%lld\">", (long long)inc->id,
			 (long long)inc->id, (long long)inc->id);
		esc(out, inc->name);
		buf_adds(out, "</a></h3>\n");
		html_incident_meta(out, inc);
		html_affected(out, sn, inc);
		html_updates(out, inc, "h4");
		buf_adds(out, "</article>\n");
	}
	buf_adds(out, "</section>\n");
	free(v);
}

static void html_maintenance_meta(struct buf *out, const struct snapshot *sn,
				  const struct snapshot_maintenance *m);

static void
html_maintenance(struct buf *out, const struct snapshot *sn, const struct snapshot_maintenance *m)
{
	buf_addf(out, "<article aria-labelledby=\"mnt-%lld\">\n<h4 id=\"mnt-%lld\">"
		 "<a href=\"maintenances/mnt-%lld\">", (long long)m->id, (long long)m->id,
		 (long long)m->id);
	esc(out, m->name);
	buf_adds(out, "</a></h4>\n");
	html_maintenance_meta(out, sn, m);
	buf_adds(out, "</article>\n");
}

/* A maintenance's status, window, components and text. */
static void
html_maintenance_meta(struct buf *out, const struct snapshot *sn,
		      const struct snapshot_maintenance *m)
{
	buf_adds(out, "<p class=\"meta\">Status: ");
	html_status(out, m->status);
	buf_adds(out, " &middot; ");
	html_time(out, m->scheduled_for);
	buf_adds(out, " to ");
	html_time(out, m->scheduled_until);
	buf_adds(out, "</p>\n");
	if (m->ncomponents > 0) {
		buf_adds(out, "<p class=\"meta\">Components: ");
		for (size_t k = 0; k < m->ncomponents; k++) {
			if (k > 0)
				buf_adds(out, ", ");
			esc(out, component_name(sn, m->components[k]));
		}
		buf_adds(out, "</p>\n");
	}
	if (m->body != NULL && m->body[0] != '\0') {
		buf_adds(out, "<p class=\"body\">");
		esc(out, m->body);
		buf_adds(out, "</p>\n");
	}
}

static void
html_maintenances(struct buf *out, const struct snapshot *sn)
{
	size_t active = 0, upcoming = 0;

	for (size_t i = 0; i < sn->nmaintenances; i++) {
		active += statuspage_maint_active(&sn->maintenances[i]);
		upcoming += statuspage_maint_upcoming(&sn->maintenances[i]);
	}
	if (active + upcoming == 0)
		return;
	buf_adds(out, "<section aria-labelledby=\"h-maint\">\n"
		 "<h2 id=\"h-maint\">Scheduled maintenance</h2>\n");
	if (active > 0) {
		buf_adds(out, "<h3>In progress</h3>\n");
		for (size_t i = 0; i < sn->nmaintenances; i++)
			if (statuspage_maint_active(&sn->maintenances[i]))
				html_maintenance(out, sn, &sn->maintenances[i]);
	}
	if (upcoming > 0) {
		buf_adds(out, "<h3>Upcoming</h3>\n");
		for (size_t i = 0; i < sn->nmaintenances; i++)
			if (statuspage_maint_upcoming(&sn->maintenances[i]))
				html_maintenance(out, sn, &sn->maintenances[i]);
	}
	buf_adds(out, "</section>\n");
}

static void
html_component_row(struct buf *out, const char *name, const char *status)
{
	buf_adds(out, "<span class=\"name\">");
	esc(out, name);
	buf_adds(out, "</span> ");
	html_status(out, status);
}

static void
html_components(struct buf *out, const struct snapshot *sn)
{
	struct sp_layout l;

	if (sn->ncomponents == 0)
		return;
	statuspage_layout_build(&l, sn);
	buf_adds(out, "<section aria-labelledby=\"h-components\">\n"
		 "<h2 id=\"h-components\">Components</h2>\n<ul class=\"plain\">\n");
	for (size_t t = 0; t < l.ntop; t++) {
		if (l.top[t].group < 0) {
			const struct snapshot_component *c = &sn->components[l.top[t].comp];

			buf_adds(out, "<li class=\"row\">");
			html_component_row(out, c->name != NULL ? c->name : c->id, c->status);
			buf_adds(out, "</li>\n");
			continue;
		}
		const struct sp_group *g = &l.groups[l.top[t].group];

		buf_adds(out, "<li class=\"group\"><h3 class=\"row\">");
		html_component_row(out, g->name, g->status);
		buf_adds(out, "</h3>\n<ul class=\"plain\">\n");
		for (size_t m = 0; m < g->nmembers; m++) {
			const struct snapshot_component *c = &sn->components[g->members[m]];

			buf_adds(out, "<li class=\"row\">");
			html_component_row(out, c->name != NULL ? c->name : c->id, c->status);
			buf_adds(out, "</li>\n");
		}
		buf_adds(out, "</ul></li>\n");
	}
	buf_adds(out, "</ul>\n</section>\n");
	statuspage_layout_release(&l);
}

/* Completed maintenances, the latest first, each linking to its page. */
static void
html_past_maintenances(struct buf *out, const struct snapshot *sn)
{
	size_t n, shown = 0, *v = statuspage_maintenances_recent(sn, sn->nmaintenances, &n);

	for (size_t i = 0; i < n; i++) {
		const struct snapshot_maintenance *m = &sn->maintenances[v[i]];

		if (strcmp(m->status, "completed") != 0)
			continue;
		if (shown++ == 0)
			buf_addf(out, "<section aria-labelledby=\"h-past-maint\">\n<h2 id=\""
				 "h-past-maint\">Past maintenance (last %d days)</h2>\n"
				 "<ul class=\"plain\">\n", SNAPSHOT_HISTORY_DAYS);
		buf_addf(out, "<li class=\"row\"><span><a href=\"maintenances/mnt-%lld\">",
			 (long long)m->id);
		esc(out, m->name);
		buf_adds(out, "</a><br>");
		html_time(out, m->scheduled_for);
		buf_adds(out, "</span></li>\n");
	}
	if (shown > 0)
		buf_adds(out, "</ul>\n</section>\n");
	free(v);
}

static void
html_history(struct buf *out, const struct snapshot *sn)
{
	int64_t since = sn->built_at != 0 ?
			sn->built_at - (int64_t)SNAPSHOT_HISTORY_DAYS * 86400 * 1000 : 0;
	size_t n, shown = 0, *v = statuspage_incidents_recent(sn, false, sn->nincidents, &n);

	buf_addf(out, "<section aria-labelledby=\"h-history\">\n"
		 "<h2 id=\"h-history\">Past incidents (last %d days)</h2>\n<ul class=\"plain\">\n",
		 SNAPSHOT_HISTORY_DAYS);
	for (size_t i = 0; i < n; i++) {
		const struct snapshot_incident *inc = &sn->incidents[v[i]];
		int64_t end = inc->resolved_at != 0 ? inc->resolved_at : inc->updated_at;

		if (!statuspage_is_resolved(inc->status) ||
		    (since != 0 && end < since && inc->created_at < since))
			continue;
		buf_addf(out, "<li class=\"row\"><span><a href=\"incidents/inc-%lld\">",
			 (long long)inc->id);
		esc(out, inc->name);
		buf_adds(out, "</a><br>");
		html_time(out, inc->created_at);
		buf_adds(out, "</span> <span>Impact: ");
		html_status(out, inc->impact);
		buf_adds(out, "</span></li>\n");
		shown++;
	}
	if (shown == 0)
		buf_adds(out, "<li>No incidents reported.</li>\n");
	buf_adds(out, "</ul>\n</section>\n");
	free(v);
	html_past_maintenances(out, sn);
}

static void
html_banner(struct buf *out, const struct snapshot *sn)
{
	buf_addf(out, "<p class=\"banner s-%s\">", css_word(snapshot_indicator(sn)));
	esc(out, snapshot_description(sn));
	buf_adds(out, "</p>\n");
}

void
statuspage_html(struct buf *out, const struct snapshot *sn)
{
	statuspage_html_begin(out, sn->page_name, NULL, "");
	buf_adds(out, "<section aria-labelledby=\"h-overall\">\n"
		 "<h2 id=\"h-overall\">Current status</h2>\n");
	html_banner(out, sn);
	buf_adds(out, "</section>\n");
	html_active(out, sn);
	html_maintenances(out, sn);
	html_components(out, sn);
	html_history(out, sn);
	html_foot(out, "", sn_updated(sn));
}

int
statuspage_html_incident(struct buf *out, const struct snapshot *sn, int64_t id)
{
	const struct snapshot_incident *inc = NULL;

	for (size_t i = 0; i < sn->nincidents; i++)
		if (sn->incidents[i].id == id)
			inc = &sn->incidents[i];
	if (inc == NULL)
		return err_set(SR_ENOTFOUND, "no incident INC-%lld on the status page",
			       (long long)id);
	statuspage_html_begin(out, sn->page_name, inc->name, "../");
	buf_adds(out, "<h1>");
	esc(out, inc->name);
	buf_adds(out, "</h1>\n");
	html_incident_meta(out, inc);
	html_affected(out, sn, inc);
	html_updates(out, inc, "h2");
	if (inc->nupdates == 0)
		buf_adds(out, "<p>No updates yet.</p>\n");
	html_foot(out, "../", sn_updated(sn));
	return 0;
}

int
statuspage_html_maintenance(struct buf *out, const struct snapshot *sn, int64_t id)
{
	const struct snapshot_maintenance *m = NULL;

	for (size_t i = 0; i < sn->nmaintenances; i++)
		if (sn->maintenances[i].id == id)
			m = &sn->maintenances[i];
	if (m == NULL)
		return err_set(SR_ENOTFOUND, "no maintenance mnt-%lld on the status page",
			       (long long)id);
	statuspage_html_begin(out, sn->page_name, m->name, "../");
	buf_adds(out, "<h1>");
	esc(out, m->name);
	buf_adds(out, "</h1>\n");
	html_maintenance_meta(out, sn, m);
	if (m->started_at != 0) {
		buf_adds(out, "<p class=\"meta\">Started ");
		html_time(out, m->started_at);
		if (m->completed_at != 0) {
			buf_adds(out, " &middot; Completed ");
			html_time(out, m->completed_at);
		}
		buf_adds(out, "</p>\n");
	}
	html_foot(out, "../", sn_updated(sn));
	return 0;
}
