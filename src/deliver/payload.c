/* payload.c: the words and JSON each channel type receives for an update.
 * Every recipient of a channel type gets the same bytes (an e-mail adds
 * its own headers in deliver.c), so the engine renders once per update. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sitrep/clock.h"
#include "sitrep/json.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/payload.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/utf8.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

/*
 * Control characters typed into a title or a text (a pasted escape, say)
 * would make an e-mail header invalid and mean nothing in a chat message:
 * they are dropped, line ends and tabs kept where keep_lines.
 */
char *
payload_clean(const char *s, bool keep_lines)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == 0x7f || (ch < 0x20 && !(keep_lines && (ch == '\n' || ch == '\t'))))
			continue;
		buf_addch(&b, *s);
	}
	return buf_detach(&b);
}

bool
payload_team_audience(const char *audience)
{
	return strcmp(audience, "internal") == 0 || strcmp(audience, "executives") == 0;
}

void
payload_from(struct payload *p, const struct conf *c, const struct store_incident *inc,
	     char *const *components, size_t ncomponents, const struct store_update *u)
{
	memset(p, 0, sizeof(*p));
	p->page_name = payload_clean(c->page_name, false);
	p->page_url = xstrdup(c->page_url);
	p->incident_id = inc->id;
	/* The incident's own page shows what the customers were told: an
	 * update to another audience links to the page itself. */
	if (strcmp(u->audience, "customers") == 0) {
		char path[48];

		snprintf(path, sizeof(path), "incidents/inc-%lld", (long long)inc->id);
		p->incident_url = payload_url(c->page_url, path);
	} else
		p->incident_url = xstrdup(c->page_url);
	/* The internal title never leaves the team. */
	p->title = payload_clean(payload_team_audience(u->audience) || inc->public_title == NULL ?
				 inc->title : inc->public_title, false);
	p->severity = inc->severity;
	/* The status the update spoke of when it was published, so that a
	 * retry says what the first attempt said. */
	p->status = xstrdup(u->status != NULL ? u->status : inc->status);
	p->components = xcalloc(ncomponents + 1, sizeof(*p->components));
	for (size_t i = 0; i < ncomponents; i++) {
		const struct conf_component *cc = conf_component(c, components[i]);

		p->components[i] = xstrdup(cc != NULL ? cc->name : components[i]);
	}
	p->ncomponents = ncomponents;
	p->update_id = u->id;
	p->kind = xstrdup(u->kind);
	p->audience = xstrdup(u->audience);
	p->body = payload_clean(u->body, true);
	p->published_at = u->published_at;
	p->next_update_at = u->next_update_at;
}

int
payload_load_incident(struct payload *p, struct store *s, const struct conf *c,
		      const struct store_incident *inc, const struct store_update *u)
{
	struct store_component *comp = NULL;
	size_t ncomp = 0;
	char **ids;
	int rc;

	if ((rc = store_components_get(&comp, &ncomp, s, inc->id)) == 0) {
		ids = xcalloc(ncomp + 1, sizeof(*ids));
		for (size_t i = 0; i < ncomp; i++)
			ids[i] = comp[i].component;
		payload_from(p, c, inc, ids, ncomp, u);
		free(ids);
	}
	store_components_free(comp, ncomp);
	return rc;
}

int
payload_load(struct payload *p, struct store *s, const struct conf *c, int64_t update_id)
{
	struct store_update u;
	struct store_incident inc;
	int rc;

	if ((rc = store_update_get(&u, s, update_id)) != 0)
		return rc;
	if ((rc = store_incident_get(&inc, s, u.incident_id)) == 0) {
		rc = payload_load_incident(p, s, c, &inc, &u);
		store_incident_release(&inc);
	}
	store_update_release(&u);
	return rc;
}

void
payload_release(struct payload *p)
{
	free(p->page_name);
	free(p->page_url);
	free(p->incident_url);
	free(p->title);
	free(p->status);
	for (size_t i = 0; i < p->ncomponents; i++)
		free(p->components[i]);
	free(p->components);
	free(p->kind);
	free(p->audience);
	free(p->body);
	memset(p, 0, sizeof(*p));
}

static json_t *
components_json(const struct payload *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->ncomponents; i++)
		json_array_append_new(a, json_string(p->components[i]));
	return a;
}

/* "INC-7 API down (SEV2, identified)": the line every chat message leads with. */
static char *
headline(const struct payload *p)
{
	return xasprintf("%sINC-%lld %s (%s, %s)", strcmp(p->kind, "apology") == 0 ?
			 "Apology: " : "", (long long)p->incident_id, p->title,
			 vocab_severity_name(p->severity), p->status);
}

/* The Standard Webhooks event: a type, a timestamp and the data. */
static json_t *
webhook_event(const struct payload *p)
{
	char id[32], upd[32];

	snprintf(id, sizeof(id), "INC-%lld", (long long)p->incident_id);
	/* A dry run shows an update that has no id yet. */
	snprintf(upd, sizeof(upd), p->update_id ? "UPD-%lld" : "UPD-new",
		 (long long)p->update_id);
	return json_pack("{s:s, s:o, s:{s:{s:s, s:s, s:s, s:s, s:s, s:o, s:s}, s:{s:s, s:s, s:s, s:s, s:o, s:o}}}",
		"type", strcmp(p->kind, "apology") == 0 ? "incident.apology" : "incident.update",
		"timestamp", json_time(p->published_at),
		"data",
		"incident", "id", id, "name", p->title, "status", p->status,
		"severity", vocab_severity_name(p->severity),
		"impact", vocab_severity_impact(p->severity),
		"components", components_json(p), "shortlink", p->incident_url,
		"update", "id", upd, "kind", p->kind, "audience", p->audience, "body", p->body,
		"published_at", json_time(p->published_at),
		"next_update_at", json_time(p->next_update_at));
}

/* Slack reads &, < and > as markup ("<!here>" notifies a channel): its
 * text must carry them escaped. */
static char *
slack_escape(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_adds(&b, "&amp;");
		else if (*s == '<')
			buf_adds(&b, "&lt;");
		else if (*s == '>')
			buf_adds(&b, "&gt;");
		else
			buf_addch(&b, *s);
	}
	return buf_detach(&b);
}

char *
payload_slack_escape(const char *text)
{
	return slack_escape(text);
}

static json_t *
slack_message(const struct payload *p, const char *head)
{
	char *h = slack_escape(head), *body = slack_escape(p->body);
	char *text = xasprintf("*%s*\n%s", h, body);
	json_t *m = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}, {s:s, s:[{s:s, s:s}]}]}",
		"text", text,
		"blocks",
		"type", "section", "text", "type", "mrkdwn", "text", text,
		"type", "context", "elements", "type", "mrkdwn", "text", p->incident_url);

	free(h);
	free(body);
	free(text);
	return m;
}

/* A Teams incoming webhook takes a message whose attachment is an Adaptive
 * Card. */
static json_t *
teams_message(const struct payload *p, const char *head)
{
	return json_pack("{s:s, s:[{s:s, s:n, s:{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}], s:[{s:s, s:s, s:s}]}}]}",
		"type", "message",
		"attachments",
		"contentType", "application/vnd.microsoft.card.adaptive", "contentUrl",
		"content",
		"$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
		"type", "AdaptiveCard", "version", "1.4",
		"body",
		"type", "TextBlock", "text", head, "weight", "Bolder", "size", "Medium", "wrap", 1,
		"type", "TextBlock", "text", p->body, "wrap", 1,
		"actions",
		"type", "Action.OpenUrl", "title", p->page_name, "url", p->incident_url);
}

/* Discord caps content at 2,000 characters and an embed's description at
 * 4,096: the text goes in the embed, cut at a character boundary. */
static json_t *
discord_message(const struct payload *p, const char *head)
{
	size_t len = strlen(p->body);
	char *desc;
	json_t *m;

	if (len > 4000) {
		len = 4000;
		while (len > 0 && ((unsigned char)p->body[len] & 0xC0) == 0x80)
			len--;
	}
	desc = xstrndup(p->body, len);
	m = json_pack("{s:s, s:[{s:s, s:s, s:s}], s:{s:[]}}",
		"content", head,
		"embeds", "title", p->title, "description", desc, "url", p->incident_url,
		"allowed_mentions", "parse");
	free(desc);
	return m;
}

/*
 * Whether every text of p is valid UTF-8. The CLI and the forms refuse
 * anything else where it enters, but a row written to the store another
 * way must not reach a channel (jansson refuses it; a mail would carry
 * it): the message is refused, and the engine marks it dead.
 */
static int
payload_check(const struct payload *p)
{
	const struct {
		const char *what, *text;
	} texts[] = {
		{ "body", p->body }, { "incident's title", p->title },
		{ "status", p->status }, { "audience", p->audience }, { "kind", p->kind },
		{ "status page's name", p->page_name }, { "status page's URL", p->page_url },
	};
	char upd[32];
	size_t at;

	snprintf(upd, sizeof(upd), p->update_id ? "UPD-%lld" : "the update",
		 (long long)p->update_id);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].text != NULL &&
		    !utf8_valid(texts[i].text, strlen(texts[i].text), &at))
			return err_set(SR_EINVALID, "%s cannot be sent: its %s is not valid "
				       "UTF-8 (byte %zu)", upd, texts[i].what, at + 1);
	for (size_t i = 0; i < p->ncomponents; i++)
		if (!utf8_valid(p->components[i], strlen(p->components[i]), &at))
			return err_set(SR_EINVALID, "%s cannot be sent: the name of its "
				       "component %zu is not valid UTF-8 (byte %zu)", upd, i + 1,
				       at + 1);
	return 0;
}

int
payload_json(struct buf *out, const char *type, const struct payload *p)
{
	char *head, *text;
	json_t *m;
	int rc;

	if ((rc = payload_check(p)) != 0)
		return rc;
	head = headline(p);

	if (strcmp(type, "slack") == 0)
		m = slack_message(p, head);
	else if (strcmp(type, "teams") == 0)
		m = teams_message(p, head);
	else if (strcmp(type, "discord") == 0)
		m = discord_message(p, head);
	else
		m = webhook_event(p);
	free(head);
	if (m == NULL || (text = json_dumps(m, JSON_COMPACT)) == NULL) {
		json_decref(m);
		return err_set(SR_EINVALID, "cannot encode a %s message for UPD-%lld", type,
			       (long long)p->update_id);
	}
	json_decref(m);
	buf_adds(out, text);
	free(text);
	return 0;
}

char *
payload_subject(const struct payload *p)
{
	return xasprintf("[%s] %sINC-%lld %s: %s", p->page_name,
			 strcmp(p->kind, "apology") == 0 ? "Our apology, " : "",
			 (long long)p->incident_id, p->title, p->status);
}

int
payload_text(struct buf *out, const struct payload *p)
{
	char when[CLOCK_WHEN_MAX];
	int rc;

	if ((rc = payload_check(p)) != 0)
		return rc;
	buf_adds(out, p->body);
	buf_adds(out, "\n\n");
	if (p->next_update_at != 0) {
		/* A template usually says it already, with {{next_update}},
		 * which is rendered the same way. */
		clock_format_when(when, sizeof(when), p->next_update_at,
				  p->published_at ? p->published_at : clock_now_ms());
		if (strstr(p->body, when) == NULL)
			buf_addf(out, "Next update by %s.\n", when);
	}
	buf_addf(out, "Follow this incident at %s\n", p->incident_url);
	return 0;
}

int
payload_notice(struct buf *out, const char *type, const char *event, const char *title,
	       const char *text, const char *url, int64_t at)
{
	char *t, *h, *b;
	json_t *m;
	size_t bad;

	if (!utf8_valid(title, strlen(title), &bad))
		return err_set(SR_EINVALID, "the %s notice cannot be sent: its title is not "
			       "valid UTF-8 (byte %zu)", event, bad + 1);
	if (!utf8_valid(text, strlen(text), &bad))
		return err_set(SR_EINVALID, "the %s notice cannot be sent: its text is not "
			       "valid UTF-8 (byte %zu)", event, bad + 1);
	if (strcmp(type, "email") == 0) {
		buf_addf(out, "%s\n\n%s\n", text, url);
		return 0;
	}
	if (strcmp(type, "slack") == 0) {
		h = slack_escape(title);
		b = slack_escape(text);
		t = xasprintf("*%s*\n%s", h, b);
		m = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", t, "blocks",
			      "type", "section", "text", "type", "mrkdwn", "text", t);
		free(h);
		free(b);
		free(t);
	} else if (strcmp(type, "teams") == 0)
		m = json_pack("{s:s, s:[{s:s, s:n, s:{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}]}}]}",
			"type", "message", "attachments",
			"contentType", "application/vnd.microsoft.card.adaptive", "contentUrl",
			"content", "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
			"type", "AdaptiveCard", "version", "1.4", "body",
			"type", "TextBlock", "text", title, "weight", "Bolder", "wrap", 1,
			"type", "TextBlock", "text", text, "wrap", 1);
	else if (strcmp(type, "discord") == 0)
		m = json_pack("{s:s, s:[{s:s, s:s, s:s}], s:{s:[]}}", "content", title,
			      "embeds", "title", title, "description", text, "url", url,
			      "allowed_mentions", "parse");
	else
		m = json_pack("{s:s, s:o, s:{s:s, s:s, s:s}}", "type", event,
			      "timestamp", json_time(at), "data", "title", title,
			      "text", text, "url", url);
	if (m == NULL || (t = json_dumps(m, JSON_COMPACT)) == NULL) {
		json_decref(m);
		return err_set(SR_EINVALID, "cannot encode a %s notice for a %s channel", event,
			       type);
	}
	json_decref(m);
	buf_adds(out, t);
	free(t);
	return 0;
}

int
payload_maintenance_notice(struct buf *out, const char *type, const char *event,
			   const char *title, const char *text, const char *url, int64_t at,
			   const struct payload_maintenance *m)
{
	char id[32], *t;
	json_t *msg, *comps;
	size_t bad;

	if (strcmp(type, "webhook") != 0)
		return payload_notice(out, type, event, title, text, url, at);
	if (!utf8_valid(title, strlen(title), &bad) || !utf8_valid(text, strlen(text), &bad) ||
	    !utf8_valid(m->name, strlen(m->name), &bad))
		return err_set(SR_EINVALID, "the %s notice cannot be sent: its title or text is "
			       "not valid UTF-8", event);
	snprintf(id, sizeof(id), "mnt-%lld", (long long)m->id);
	comps = json_array();
	for (size_t i = 0; i < m->ncomponents; i++)
		json_array_append_new(comps, json_string(m->components[i]));
	msg = json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:o, s:o, s:o}}}",
		"type", event, "timestamp", json_time(at),
		"data", "title", title, "text", text, "url", url,
		"maintenance", "id", id, "name", m->name, "status", m->status,
		"scheduled_for", json_time(m->scheduled_for),
		"scheduled_until", json_time(m->scheduled_until), "components", comps);
	if (msg == NULL || (t = json_dumps(msg, JSON_COMPACT)) == NULL) {
		json_decref(msg);
		return err_set(SR_EINVALID, "cannot encode a %s notice for a %s channel", event,
			       type);
	}
	json_decref(msg);
	buf_adds(out, t);
	free(t);
	return 0;
}

char *
payload_url(const char *page_url, const char *path)
{
	size_t n = strlen(page_url);

	return xasprintf("%s%s%s", page_url, n > 0 && page_url[n - 1] == '/' ? "" : "/", path);
}
