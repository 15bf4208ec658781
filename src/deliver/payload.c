/* payload.c: the words and JSON each channel type receives for an update.
 * Every recipient of a channel type gets the same bytes (an e-mail adds
 * its own headers in deliver.c), so the engine renders once per update. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/payload.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
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

/* "INC-7 API down (SEV2, identified)": the line every chat message leads with. */
static char *
headline(const struct payload *p)
{
	return xasprintf("%sINC-%lld %s (%s, %s)", strcmp(p->kind, "apology") == 0 ?
			 "Apology: " : "", (long long)p->incident_id, p->title,
			 vocab_severity_name(p->severity), p->status);
}

/* The Standard Webhooks event: a type, a timestamp and data, an object
 * the caller fills. */
static struct json *
webhook_envelope(struct json **data, const char *type, int64_t at)
{
	struct json *m = json_new_object();

	json_set_str(m, "type", type);
	json_set_time(m, "timestamp", at);
	json_set(m, "data", *data = json_new_object());
	return m;
}

static struct json *
webhook_event(const struct payload *p)
{
	struct json *m, *data, *inc, *upd;
	char id[32], uid[32];

	snprintf(id, sizeof(id), "INC-%lld", (long long)p->incident_id);
	/* A dry run shows an update that has no id yet. */
	snprintf(uid, sizeof(uid), p->update_id ? "UPD-%lld" : "UPD-new",
		 (long long)p->update_id);
	m = webhook_envelope(&data, strcmp(p->kind, "apology") == 0 ? "incident.apology" :
			     "incident.update", p->published_at);
	json_set(data, "incident", inc = json_new_object());
	json_set_str(inc, "id", id);
	json_set_str(inc, "name", p->title);
	json_set_str(inc, "status", p->status);
	json_set_str(inc, "severity", vocab_severity_name(p->severity));
	json_set_str(inc, "impact", vocab_severity_impact(p->severity));
	json_set(inc, "components", json_new_str_array(p->components, p->ncomponents));
	json_set_str(inc, "shortlink", p->incident_url);
	json_set(data, "update", upd = json_new_object());
	json_set_str(upd, "id", uid);
	json_set_str(upd, "kind", p->kind);
	json_set_str(upd, "audience", p->audience);
	json_set_str(upd, "body", p->body);
	json_set_time(upd, "published_at", p->published_at);
	json_set_time(upd, "next_update_at", p->next_update_at);
	return m;
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

/* {"type": type, "text": text}, and the like: a Slack text object. */
static struct json *
slack_text(const char *type, const char *text)
{
	struct json *t = json_new_object();

	json_set_str(t, "type", type);
	json_set_str(t, "text", text);
	return t;
}

/* A Slack message: its title (escaped here) in bold over its text, in a
 * section block, with blocks to follow appended to *blocks. */
static struct json *
slack_message(struct json **blocks, const char *title, const char *body)
{
	char *h = slack_escape(title), *b = slack_escape(body);
	char *text = xasprintf("*%s*\n%s", h, b);
	struct json *m = json_new_object(), *section = json_new_object();

	json_set_str(m, "text", text);
	json_set(m, "blocks", *blocks = json_new_array());
	json_set_str(section, "type", "section");
	json_set(section, "text", slack_text("mrkdwn", text));
	json_append(*blocks, section);
	free(h);
	free(b);
	free(text);
	return m;
}

static struct json *
slack_update(const struct payload *p, const char *head)
{
	struct json *blocks, *context = json_new_object(), *elements = json_new_array();
	struct json *m = slack_message(&blocks, head, p->body);

	json_set_str(context, "type", "context");
	json_set(context, "elements", elements);
	json_append(elements, slack_text("mrkdwn", p->incident_url));
	json_append(blocks, context);
	return m;
}

static struct json *
teams_text_block(const char *text, bool heading, bool medium)
{
	struct json *b = json_new_object();

	json_set_str(b, "type", "TextBlock");
	json_set_str(b, "text", text);
	if (heading)
		json_set_str(b, "weight", "Bolder");
	if (medium)
		json_set_str(b, "size", "Medium");
	json_set_bool(b, "wrap", true);
	return b;
}

/* A Teams incoming webhook takes a message whose attachment is an Adaptive
 * Card: its title over its text, with the card's actions to follow
 * appended to *actions when actions is not NULL. */
static struct json *
teams_message(struct json **actions, const char *title, bool medium, const char *text)
{
	struct json *m = json_new_object(), *attachments = json_new_array();
	struct json *att = json_new_object(), *card = json_new_object();
	struct json *body = json_new_array();

	json_set_str(m, "type", "message");
	json_set(m, "attachments", attachments);
	json_append(attachments, att);
	json_set_str(att, "contentType", "application/vnd.microsoft.card.adaptive");
	json_set(att, "contentUrl", json_new_null());
	json_set(att, "content", card);
	json_set_str(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	json_set_str(card, "type", "AdaptiveCard");
	json_set_str(card, "version", "1.4");
	json_set(card, "body", body);
	json_append(body, teams_text_block(title, true, medium));
	json_append(body, teams_text_block(text, false, false));
	if (actions != NULL)
		json_set(card, "actions", *actions = json_new_array());
	return m;
}

static struct json *
teams_update(const struct payload *p, const char *head)
{
	struct json *actions, *open = json_new_object();
	struct json *m = teams_message(&actions, head, true, p->body);

	json_set_str(open, "type", "Action.OpenUrl");
	json_set_str(open, "title", p->page_name);
	json_set_str(open, "url", p->incident_url);
	json_append(actions, open);
	return m;
}

/* A Discord message: content over one embed, mentioning no one. */
static struct json *
discord_message(const char *content, const char *title, const char *desc,
		const char *url)
{
	struct json *m = json_new_object(), *embeds = json_new_array();
	struct json *embed = json_new_object(), *mentions = json_new_object();

	json_set_str(m, "content", content);
	json_set(m, "embeds", embeds);
	json_append(embeds, embed);
	json_set_str(embed, "title", title);
	json_set_str(embed, "description", desc);
	json_set_str(embed, "url", url);
	json_set(m, "allowed_mentions", mentions);
	json_set(mentions, "parse", json_new_array());
	return m;
}

/* Discord caps content at 2,000 characters and an embed's description at
 * 4,096: the text goes in the embed, cut at a character boundary. */
static struct json *
discord_update(const struct payload *p, const char *head)
{
	size_t len = strlen(p->body);
	struct json *m;
	char *desc;

	if (len > 4000) {
		len = 4000;
		while (len > 0 && ((unsigned char)p->body[len] & 0xC0) == 0x80)
			len--;
	}
	desc = xstrndup(p->body, len);
	m = discord_message(head, p->title, desc, p->incident_url);
	free(desc);
	return m;
}

/*
 * Whether every text of p is valid UTF-8. The CLI and the forms refuse
 * anything else where it enters, but a row written to the store another
 * way must not reach a channel (JSON cannot carry it; a mail would carry
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
	struct json *m;
	char *head;
	int rc;

	if ((rc = payload_check(p)) != 0)
		return rc;
	head = headline(p);

	if (strcmp(type, "slack") == 0)
		m = slack_update(p, head);
	else if (strcmp(type, "teams") == 0)
		m = teams_update(p, head);
	else if (strcmp(type, "discord") == 0)
		m = discord_update(p, head);
	else
		m = webhook_event(p);
	free(head);
	if (json_dump(out, m, JSON_STYLE_COMPACT) != 0)
		rc = err_set(SR_EINVALID, "cannot encode a %s message for UPD-%lld", type,
			     (long long)p->update_id);
	json_free(m);
	return rc;
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
	struct json *m, *data, *blocks;
	size_t bad;
	int rc = 0;

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
	if (strcmp(type, "slack") == 0)
		m = slack_message(&blocks, title, text);
	else if (strcmp(type, "teams") == 0)
		m = teams_message(NULL, title, false, text);
	else if (strcmp(type, "discord") == 0)
		m = discord_message(title, title, text, url);
	else {
		m = webhook_envelope(&data, event, at);
		json_set_str(data, "title", title);
		json_set_str(data, "text", text);
		json_set_str(data, "url", url);
	}
	if (json_dump(out, m, JSON_STYLE_COMPACT) != 0)
		rc = err_set(SR_EINVALID, "cannot encode a %s notice for a %s channel", event,
			     type);
	json_free(m);
	return rc;
}

int
payload_maintenance_notice(struct buf *out, const char *type, const char *event,
			   const char *title, const char *text, const char *url, int64_t at,
			   const struct payload_maintenance *m)
{
	struct json *msg, *data, *mnt;
	char id[32];
	size_t bad;
	int rc = 0;

	if (strcmp(type, "webhook") != 0)
		return payload_notice(out, type, event, title, text, url, at);
	if (!utf8_valid(title, strlen(title), &bad) || !utf8_valid(text, strlen(text), &bad) ||
	    !utf8_valid(m->name, strlen(m->name), &bad))
		return err_set(SR_EINVALID, "the %s notice cannot be sent: its title or text is "
			       "not valid UTF-8", event);
	snprintf(id, sizeof(id), "mnt-%lld", (long long)m->id);
	msg = webhook_envelope(&data, event, at);
	json_set_str(data, "title", title);
	json_set_str(data, "text", text);
	json_set_str(data, "url", url);
	json_set(data, "maintenance", mnt = json_new_object());
	json_set_str(mnt, "id", id);
	json_set_str(mnt, "name", m->name);
	json_set_str(mnt, "status", m->status);
	json_set_time(mnt, "scheduled_for", m->scheduled_for);
	json_set_time(mnt, "scheduled_until", m->scheduled_until);
	json_set(mnt, "components", json_new_str_array(m->components, m->ncomponents));
	if (json_dump(out, msg, JSON_STYLE_COMPACT) != 0)
		rc = err_set(SR_EINVALID, "cannot encode a %s notice for a %s channel", event,
			     type);
	json_free(msg);
	return rc;
}

char *
payload_url(const char *page_url, const char *path)
{
	size_t n = strlen(page_url);

	return xasprintf("%s%s%s", page_url, n > 0 && page_url[n - 1] == '/' ? "" : "/", path);
}

/* ------------------------------------------------------------ pages */

/* The lines every message about a page says, for a person to read. */
static void
page_lines(struct buf *b, const struct payload_page *p, bool with_link)
{
	if (p->test || p->incident_id == 0) /* about no incident: a test, a handoff */
		buf_addf(b, "%s.\n", p->headline);
	else
		buf_addf(b, "INC-%lld %s %s: %s.\n", (long long)p->incident_id,
			 vocab_severity_name(p->severity), p->title, p->headline);
	if (p->text != NULL && *p->text != '\0')
		buf_addf(b, "%s\n", p->text);
	if (p->role != NULL)
		buf_addf(b, "Role: %s.\n", p->role);
	if (p->nothers > 0) {
		buf_adds(b, "Also paged: ");
		for (size_t i = 0; i < p->nothers; i++)
			buf_addf(b, "%s%s", i ? ", " : "", p->others[i]);
		buf_adds(b, ".\n");
	} else if (p->role != NULL)
		buf_adds(b, "Nobody else is paged for it.\n");
	if (with_link && p->ack_url != NULL)
		buf_addf(b, "Acknowledge (or escalate) here: %s\n", p->ack_url);
	if (p->page_id != 0 && strcmp(p->event, "incident.page") == 0)
		buf_addf(b, "Or run: sitrep ack INC-%lld\n", (long long)p->incident_id);
}

static bool
page_texts_valid(const struct payload_page *p)
{
	const char *texts[] = { p->title, p->headline, p->text, p->role, p->person,
				p->ack_url, p->user };
	size_t bad;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] != NULL && !utf8_valid(texts[i], strlen(texts[i]), &bad))
			return false;
	for (size_t i = 0; i < p->nothers; i++)
		if (!utf8_valid(p->others[i], strlen(p->others[i]), &bad))
			return false;
	return true;
}

int
payload_page(struct buf *out, char **subject, const char *contact_type,
	     const struct payload_page *p)
{
	struct buf text = BUF_INIT;
	struct json *m = NULL, *data, *inc, *mentions;
	char id[32];
	int rc = 0;

	*subject = NULL;
	if (!page_texts_valid(p))
		return err_set(SR_EINVALID, "the %s message for INC-%lld cannot be sent: a text "
			       "of it is not valid UTF-8", p->event, (long long)p->incident_id);
	if (strcmp(contact_type, "email") == 0) {
		*subject = p->test ? xasprintf("[PAGE TEST] %s", p->headline) :
			   p->incident_id == 0 ? xasprintf("[sitrep] %s", p->headline) :
			   xasprintf("[PAGE] INC-%lld %s %s: %s", (long long)p->incident_id,
				     vocab_severity_name(p->severity), p->title, p->headline);
		page_lines(out, p, true);
		return 0;
	}
	if (strcmp(contact_type, "slack_mention") == 0) {
		char *esc;

		page_lines(&text, p, false);
		esc = payload_slack_escape(buf_str(&text));
		m = json_new_object();
		buf_reset(&text);
		buf_addf(&text, "<@%s> %s", p->user != NULL ? p->user : "", esc);
		if (p->ack_url != NULL)
			buf_addf(&text, "Acknowledge (or escalate): <%s|open the page>\n", p->ack_url);
		json_set_str(m, "text", buf_str(&text));
		free(esc);
	} else if (strcmp(contact_type, "discord_mention") == 0) {
		struct json *users = json_new_array();

		buf_addf(&text, "<@%s> ", p->user != NULL ? p->user : "");
		page_lines(&text, p, true);
		m = json_new_object();
		json_set_str(m, "content", buf_str(&text));
		json_set(m, "allowed_mentions", mentions = json_new_object());
		json_set(mentions, "parse", json_new_array());
		if (p->user != NULL)
			json_append_str(users, p->user);
		json_set(mentions, "users", users);
	} else {
		page_lines(&text, p, true);
		m = webhook_envelope(&data, p->event, p->at);
		snprintf(id, sizeof(id), "INC-%lld", (long long)p->incident_id);
		if (p->test || p->incident_id == 0)
			json_set(data, "incident", json_new_null());
		else {
			json_set(data, "incident", inc = json_new_object());
			json_set_str(inc, "id", id);
			json_set_str(inc, "title", p->title);
			json_set_str(inc, "severity", vocab_severity_name(p->severity));
		}
		if (p->page_id != 0) {
			snprintf(id, sizeof(id), "PG-%lld", (long long)p->page_id);
			json_set_str(data, "page", id);
		} else
			json_set(data, "page", json_new_null());
		json_set_str_or_null(data, "role", p->role);
		json_set_str_or_null(data, "person", p->person);
		json_set(data, "others_paged", json_new_str_array(p->others, p->nothers));
		json_set_str_or_null(data, "ack_url", p->ack_url);
		json_set_str(data, "headline", p->headline);
		json_set_str(data, "text", buf_str(&text));
	}
	if (json_dump(out, m, JSON_STYLE_COMPACT) != 0)
		rc = err_set(SR_EINVALID, "cannot encode the %s message for INC-%lld", p->event,
			     (long long)p->incident_id);
	json_free(m);
	buf_release(&text);
	return rc;
}
