/* feed.c: the incident history as Atom 1.0 and RSS 2.0. Each entry's
 * content is an HTML fragment (the updates, newest first) escaped once
 * more as XML text, never CDATA, so no text can end it early. The escaping
 * itself is escape.c's; serving is the daemon's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/escape.h"
#include "sitrep/feed.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/xalloc.h"

/* One entry: an incident or a maintenance, by index. */
struct feed_entry {
	bool maintenance;
	size_t index;
	int64_t published, updated;
	char *url;
	const char *title;
};

/* Incidents and maintenances together, the most recently changed first. */
static struct feed_entry *
feed_entries(const struct snapshot *sn, size_t *n)
{
	size_t total = sn->nincidents + sn->nmaintenances, k = 0;
	struct feed_entry *v = xcalloc(total + 1, sizeof(*v));

	for (size_t i = 0; i < total; i++) {
		struct feed_entry e;
		char path[48];

		memset(&e, 0, sizeof(e));
		if (i < sn->nincidents) {
			const struct snapshot_incident *inc = &sn->incidents[i];

			e.index = i;
			e.published = inc->created_at;
			e.updated = inc->updated_at > inc->created_at ? inc->updated_at :
				    inc->created_at;
			e.title = inc->name;
			snprintf(path, sizeof(path), "incidents/inc-%lld", (long long)inc->id);
		} else {
			const struct snapshot_maintenance *m = &sn->maintenances[i - sn->nincidents];

			e.maintenance = true;
			e.index = i - sn->nincidents;
			e.published = m->created_at;
			e.updated = m->updated_at > m->created_at ? m->updated_at : m->created_at;
			e.title = m->name;
			/* Its own page, which stays when it is over. */
			snprintf(path, sizeof(path), "maintenances/mnt-%lld", (long long)m->id);
		}
		e.url = statuspage_url(sn, path);
		size_t j = k++;

		while (j > 0 && v[j - 1].updated < e.updated) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = e;
	}
	*n = k;
	return v;
}

static void
feed_entries_free(struct feed_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].url);
	free(v);
}

static void
html_when(struct buf *out, int64_t ms)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	buf_addf(out, "%d %s %d %02d:%02d UTC", tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* text escaped as HTML, its line breaks as <br>. */
static void
html_text(struct buf *out, const char *text)
{
	struct buf e = BUF_INIT;

	escape_markup(&e, text);
	for (size_t i = 0; i < e.len; i++) {
		if (e.ptr[i] == '\n')
			buf_adds(out, "<br>");
		else
			buf_addch(out, e.ptr[i]);
	}
	buf_release(&e);
}

static void
html_line(struct buf *out, int64_t at, const char *status, const char *body)
{
	buf_adds(out, "<p><small>");
	html_when(out, at);
	buf_adds(out, "</small><br><strong>");
	html_text(out, statuspage_status_label(status));
	buf_adds(out, "</strong> - ");
	html_text(out, body);
	buf_adds(out, "</p>");
}

/* The entry's content as an HTML fragment (not yet escaped for XML). */
static void
entry_html(struct buf *out, const struct snapshot *sn, const struct feed_entry *e)
{
	if (!e->maintenance) {
		const struct snapshot_incident *inc = &sn->incidents[e->index];

		for (size_t u = 0; u < inc->nupdates; u++)
			html_line(out, inc->updates[u].published_at, inc->updates[u].status,
				  inc->updates[u].body);
		if (inc->ncomponents > 0) {
			buf_adds(out, "<p>This incident affected: ");
			for (size_t k = 0; k < inc->ncomponents; k++) {
				const char *name = inc->components[k];

				for (size_t c = 0; c < sn->ncomponents; c++)
					if (strcmp(sn->components[c].id, name) == 0 &&
					    sn->components[c].name != NULL)
						name = sn->components[c].name;
				if (k > 0)
					buf_adds(out, ", ");
				html_text(out, name);
			}
			buf_adds(out, ".</p>");
		}
		return;
	}
	const struct snapshot_maintenance *m = &sn->maintenances[e->index];

	buf_adds(out, "<p><strong>");
	html_text(out, statuspage_status_label(m->status));
	buf_adds(out, "</strong> - ");
	html_when(out, m->scheduled_for);
	buf_adds(out, " to ");
	html_when(out, m->scheduled_until);
	buf_adds(out, "</p>");
	if (m->body != NULL) {
		buf_adds(out, "<p>");
		html_text(out, m->body);
		buf_adds(out, "</p>");
	}
}

/* The fragment, escaped as XML element text. */
static void
entry_content(struct buf *out, const struct snapshot *sn, const struct feed_entry *e)
{
	struct buf h = BUF_INIT;

	entry_html(&h, sn, e);
	escape_markup(out, buf_str(&h));
	buf_release(&h);
}

static int64_t
feed_updated(const struct snapshot *sn, const struct feed_entry *v, size_t n)
{
	int64_t t = sn->updated_at != 0 ? sn->updated_at : sn->built_at;

	for (size_t i = 0; i < n; i++)
		if (v[i].updated > t)
			t = v[i].updated;
	return t;
}

static void
xml_elem(struct buf *out, const char *name, const char *text)
{
	buf_addf(out, "<%s>", name);
	escape_markup(out, text);
	buf_addf(out, "</%s>\n", name);
}

static void
xml_time(struct buf *out, const char *name, int64_t ms)
{
	char when[32];

	clock_format_iso(when, sizeof(when), ms);
	buf_addf(out, "<%s>%s</%s>\n", name, when, name);
}

void
feed_atom(struct buf *out, const struct snapshot *sn)
{
	size_t n;
	struct feed_entry *v = feed_entries(sn, &n);
	char *self = statuspage_url(sn, "history.atom");
	char *title = xasprintf("%s - Incident History", sn->page_name != NULL ?
				sn->page_name : "Status");

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
	xml_elem(out, "id", self);
	xml_elem(out, "title", title);
	xml_time(out, "updated", feed_updated(sn, v, n));
	buf_adds(out, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	escape_markup(out, self);
	buf_adds(out, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	escape_markup(out, sn->page_url);
	buf_adds(out, "\"/>\n<author><name>");
	escape_markup(out, sn->page_name != NULL ? sn->page_name : "Status");
	buf_adds(out, "</name></author>\n");
	for (size_t i = 0; i < n; i++) {
		buf_adds(out, "<entry>\n");
		xml_elem(out, "id", v[i].url);
		xml_time(out, "published", v[i].published);
		xml_time(out, "updated", v[i].updated);
		buf_adds(out, "<link rel=\"alternate\" type=\"text/html\" href=\"");
		escape_markup(out, v[i].url);
		buf_adds(out, "\"/>\n");
		xml_elem(out, "title", v[i].title);
		buf_adds(out, "<content type=\"html\">");
		entry_content(out, sn, &v[i]);
		buf_adds(out, "</content>\n</entry>\n");
	}
	buf_adds(out, "</feed>\n");
	free(self);
	free(title);
	feed_entries_free(v, n);
}

/* RFC 822 (with a four-digit year, as RSS 2.0 asks): "Mon, 23 Nov 2026
 * 11:19:37 +0000", in English whatever the locale. */
static void
rss_time(struct buf *out, const char *name, int64_t ms)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	buf_addf(out, "<%s>%s, %02d %s %d %02d:%02d:%02d +0000</%s>\n", name,
		 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, name);
}

void
feed_rss(struct buf *out, const struct snapshot *sn)
{
	size_t n;
	struct feed_entry *v = feed_entries(sn, &n);
	char *self = statuspage_url(sn, "history.rss");
	char *title = xasprintf("%s - Incident History", sn->page_name != NULL ?
				sn->page_name : "Status");

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
		 "<channel>\n");
	xml_elem(out, "title", title);
	xml_elem(out, "link", sn->page_url != NULL ? sn->page_url : "");
	xml_elem(out, "description", title);
	buf_adds(out, "<language>en</language>\n");
	rss_time(out, "lastBuildDate", feed_updated(sn, v, n));
	buf_adds(out, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
	escape_markup(out, self);
	buf_adds(out, "\"/>\n");
	for (size_t i = 0; i < n; i++) {
		buf_adds(out, "<item>\n");
		xml_elem(out, "title", v[i].title);
		buf_adds(out, "<description>");
		entry_content(out, sn, &v[i]);
		buf_adds(out, "</description>\n");
		rss_time(out, "pubDate", v[i].published);
		xml_elem(out, "link", v[i].url);
		buf_adds(out, "<guid isPermaLink=\"true\">");
		escape_markup(out, v[i].url);
		buf_adds(out, "</guid>\n</item>\n");
	}
	buf_adds(out, "</channel>\n</rss>\n");
	free(self);
	free(title);
	feed_entries_free(v, n);
}
