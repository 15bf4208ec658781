/* paging.c: a page's notifications. For the person paged, one outbox row
 * per notify rule that applies at the incident's severity, due paged_at +
 * after and rendered now (payload_page) with the acknowledgement link
 * (acklink.c); "acknowledged by X" to the others paged; notices about the
 * paging to the commander and the internal channels; notices outside
 * any page (handoffs, reminders) to one person. Which pages there are,
 * and when they end, is escalate.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/acklink.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/log.h"
#include "sitrep/outbox.h"
#include "sitrep/paging.h"
#include "sitrep/payload.h"
#include "sitrep/store-incident.h"
#include "sitrep/xalloc.h"

/* A link works this long when the config says nothing. */
#define PAGING_LINK_LIFETIME_S (24 * 3600)

const char *
paging_contact_channel(char *buf, size_t len, const struct conf *c,
		       const struct conf_person *p, const struct conf_contact *ct)
{
	if (ct->channel != NULL)
		return ct->channel;
	switch (ct->type) {
	case CONF_CONTACT_EMAIL:
		if (c->paging.email_channel != NULL)
			return c->paging.email_channel;
		for (size_t i = 0; i < c->nchannels; i++)
			if (strcmp(c->channels[i].type, "email") == 0)
				return c->channels[i].id;
		return NULL;
	case CONF_CONTACT_WEBHOOK:
		snprintf(buf, len, "%s/%s", p->handle, ct->id);
		return buf;
	default:
		return NULL;
	}
}

int
paging_rule_applies(const struct conf_notify *rule, int severity)
{
	return rule->min_severity == 0 || severity <= rule->min_severity;
}

/* conf_contact_type_name's words, which payload_page takes. */
static const char *
contact_kind(enum conf_contact_type t)
{
	switch (t) {
	case CONF_CONTACT_EMAIL:
		return "email";
	case CONF_CONTACT_SLACK_MENTION:
		return "slack_mention";
	case CONF_CONTACT_DISCORD_MENTION:
		return "discord_mention";
	default:
		return "webhook";
	}
}

/* The outbox type of a contact's messages. */
static const char *
contact_outbox_type(enum conf_contact_type t)
{
	switch (t) {
	case CONF_CONTACT_EMAIL:
		return "email";
	case CONF_CONTACT_SLACK_MENTION:
		return "slack";
	case CONF_CONTACT_DISCORD_MENTION:
		return "discord";
	default:
		return "webhook";
	}
}

/* A person's contacts and rules (none for someone not in the config).
 * The parser gives a person with only an e-mail address an e-mail contact
 * notified at once. */
struct reach {
	const struct conf_contact *contacts;
	size_t ncontacts;
	const struct conf_notify *notify;
	size_t nnotify;
};

static void
reach_of(struct reach *r, const struct conf_person *p)
{
	memset(r, 0, sizeof(*r));
	if (p == NULL)
		return;
	r->contacts = p->contacts;
	r->ncontacts = p->ncontacts;
	r->notify = p->notify;
	r->nnotify = p->nnotify;
}

/* Queue one message to person p through contact ct, due at due. */
static int
queue_to_contact(struct incident_ctx *ctx, const struct store_incident *inc,
		 const struct conf_person *p, const struct conf_contact *ct,
		 struct payload_page *pp, int64_t page_id, int64_t now, int64_t due)
{
	struct outbox_msg m;
	struct buf body = BUF_INIT;
	char chbuf[256], contact[256], *subject = NULL;
	const char *channel = paging_contact_channel(chbuf, sizeof(chbuf), ctx->conf, p, ct);
	int64_t count;
	int rc;

	pp->user = ct->user;
	if ((rc = payload_page(&body, &subject, contact_kind(ct->type), pp)) != 0) {
		buf_release(&body);
		return rc;
	}
	snprintf(contact, sizeof(contact), "%s/%s", p->handle, ct->id);
	memset(&m, 0, sizeof(m));
	m.incident_id = inc->id;
	m.channel = channel;
	m.type = contact_outbox_type(ct->type);
	m.recipient = ct->type == CONF_CONTACT_EMAIL ? ct->address : NULL;
	m.subject = subject;
	m.payload = buf_str(&body);
	m.now = now;
	m.page_id = page_id;
	m.contact = contact;
	m.due_at = due;
	rc = outbox_queue(&count, ctx->store, &m);
	free(subject);
	buf_release(&body);
	return rc;
}

int
paging_notify_page(int64_t *queued, struct incident_ctx *ctx, const struct store_incident *inc,
		   const struct store_page *page, char *const *others, size_t nothers)
{
	const struct conf_person *p = conf_person(ctx->conf, page->person);
	struct payload_page pp;
	struct reach r;
	char headline[160];
	char *url = NULL;
	int64_t lifetime = ctx->conf->paging.link_lifetime > 0 ?
			   ctx->conf->paging.link_lifetime : PAGING_LINK_LIFETIME_S;
	int rc = 0;

	*queued = 0;
	reach_of(&r, p);
	if (r.nnotify == 0)
		return 0;
	url = acklink_url(ctx->conf, page->id, page->person, page->paged_at + lifetime * 1000);
	if (url == NULL)
		log_warnx("INC-%lld: PG-%lld goes out without an acknowledgement link: %s",
			  (long long)inc->id, (long long)page->id, err_last());
	snprintf(headline, sizeof(headline), "you are paged as %s", page->role);
	memset(&pp, 0, sizeof(pp));
	pp.event = "incident.page";
	pp.page_id = page->id;
	pp.incident_id = inc->id;
	pp.title = inc->title;
	pp.severity = inc->severity;
	pp.role = page->role;
	pp.person = page->person;
	pp.others = others;
	pp.nothers = nothers;
	pp.ack_url = url;
	pp.headline = headline;
	pp.at = page->paged_at;
	for (size_t k = 0; rc == 0 && k < r.nnotify; k++) {
		const struct conf_notify *rule = &r.notify[k];

		if (!paging_rule_applies(rule, inc->severity) || rule->contact >= r.ncontacts)
			continue;
		rc = queue_to_contact(ctx, inc, p, &r.contacts[rule->contact], &pp, page->id,
				      page->paged_at, page->paged_at + rule->after * 1000);
		if (rc == 0)
			(*queued)++;
	}
	free(url);
	return rc;
}

int
paging_tell(int64_t *queued, struct incident_ctx *ctx, const struct store_incident *inc,
	    const char *person, const struct paging_message *m)
{
	const struct conf_person *p = conf_person(ctx->conf, person);
	struct payload_page pp;
	struct reach r;
	int64_t now = clock_now_ms();

	*queued = 0;
	reach_of(&r, p);
	memset(&pp, 0, sizeof(pp));
	pp.event = m->event;
	pp.page_id = m->page_id;
	pp.incident_id = inc->id;
	pp.title = inc->title;
	pp.severity = inc->severity;
	pp.role = m->role;
	pp.person = person;
	pp.others = m->others;
	pp.nothers = m->nothers;
	pp.headline = m->headline;
	pp.text = m->text;
	pp.at = now;
	for (size_t k = 0; k < r.nnotify; k++) {
		const struct conf_notify *rule = &r.notify[k];
		int rc;

		if (!paging_rule_applies(rule, inc->severity) || rule->contact >= r.ncontacts)
			continue;
		/* not the page's own row: it is not cancelled with it */
		rc = queue_to_contact(ctx, inc, p, &r.contacts[rule->contact], &pp, 0, now, 0);
		if (rc == 0)
			*queued = 1;
		return rc;
	}
	return 0;
}

/* The rule a notice outside any page goes through: the first that
 * applies at every severity, else the first; -1 when none names a
 * contact. */
static int
notice_rule(const struct reach *r)
{
	int first = -1;

	for (size_t k = 0; k < r->nnotify; k++) {
		if (r->notify[k].contact >= r->ncontacts)
			continue;
		if (r->notify[k].min_severity == 0)
			return (int)k;
		if (first < 0)
			first = (int)k;
	}
	return first;
}

int
paging_tell_person(int64_t *queued, struct incident_ctx *ctx, const char *person,
		   const char *event, const char *headline, const char *text)
{
	const struct conf_person *p = conf_person(ctx->conf, person);
	struct store_incident none;
	struct payload_page pp;
	struct reach r;
	int64_t now = clock_now_ms();
	int k, rc;

	*queued = 0;
	reach_of(&r, p);
	if ((k = notice_rule(&r)) < 0)
		return 0;
	memset(&none, 0, sizeof(none));
	memset(&pp, 0, sizeof(pp));
	pp.event = event;
	pp.title = "";
	pp.person = person;
	pp.headline = headline;
	pp.text = text;
	pp.at = now;
	rc = queue_to_contact(ctx, &none, p, &r.contacts[r.notify[k].contact], &pp, 0, now, 0);
	if (rc == 0)
		*queued = 1;
	return rc;
}

int
paging_tell_commander(int64_t *queued, char **told, struct incident_ctx *ctx,
		      const struct store_incident *inc, const struct playbook *pb,
		      const struct paging_message *m)
{
	struct store_holder *h;
	struct buf names = BUF_INIT, title = BUF_INIT, text = BUF_INIT;
	size_t n;
	int64_t count;
	int rc;

	*queued = 0;
	if (told != NULL)
		*told = NULL;
	if ((rc = store_holders_get(&h, &n, ctx->store, inc->id, "commander")) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		buf_addf(&names, "%s%s", i ? ", " : "", h[i].person);
		if ((rc = paging_tell(&count, ctx, inc, h[i].person, m)) == 0)
			*queued += count;
	}
	if (rc == 0 && n == 0) {
		buf_adds(&names, inc->opened_by);
		if ((rc = paging_tell(&count, ctx, inc, inc->opened_by, m)) == 0)
			*queued += count;
	}
	store_holders_free(h, n);
	if (rc == 0) {
		buf_addf(&title, "INC-%lld %s: %s", (long long)inc->id, inc->title, m->headline);
		buf_addf(&text, "%s%s%s", m->headline, m->text != NULL ? ". " : "",
			 m->text != NULL ? m->text : "");
		if ((rc = comms_notify_routed(&count, ctx, pb, inc->id, "internal", m->event,
					      buf_str(&title), buf_str(&text))) == 0)
			*queued += count;
	}
	if (rc == 0 && told != NULL)
		*told = buf_detach(&names);
	buf_release(&names);
	buf_release(&title);
	buf_release(&text);
	return rc;
}
