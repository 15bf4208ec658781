/* subscribers.c: taking and ending customer subscriptions: the checks on
 * an address or URL, the unsubscribe token, the webhook signing secret, and
 * the double opt-in of an e-mail address (its confirmation mail, link and
 * expiry). Who receives a published update is comms.c's question. */
#include <ctype.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/mailaddr.h"
#include "sitrep/netguard.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/subscribers.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

int
subscribers_token(char out[33])
{
	unsigned char raw[16];
	int rc;

	if ((rc = digest_random(raw, sizeof(raw), "a subscriber token")) != 0)
		return rc;
	digest_hex(out, raw, sizeof(raw));
	return 0;
}

/* An http:// or https:// URL with a host and nothing a header or a log
 * line could be confused by, that does not name an address the delivery
 * engine would refuse anyway (netguard.h; it checks again at every
 * connection, after resolving the name). */
static int
check_url(const struct conf *c, const char *url)
{
	if (strlen(url) > 2048)
		return err_set(SR_EUSAGE, "webhook URL is longer than 2048 characters");
	for (const char *p = url; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return err_set(SR_EUSAGE, "webhook URL '%s' has a space or control "
				       "character; encode it", url);
	return netguard_check_url(url, c->delivery.allow, c->delivery.nallow);
}

static const struct conf_channel *
customer_mail_channel(const struct conf *c)
{
	for (size_t i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i].type, "email") == 0 &&
		    conf_channel_serves(&c->channels[i], "customers"))
			return &c->channels[i];
	return NULL;
}

#define CONFIRM_WITHIN_MS (24 * 3600 * 1000LL) /* an unconfirmed subscription lives */
#define CONFIRM_RESEND_MS (3600 * 1000LL)       /* a link is sent again at most this often */

/*
 * Queue the confirmation mail for an e-mail subscriber: an ordinary outbox
 * row through the customers' e-mail channel, tied to no subscriber (it is
 * the one message an unconfirmed address may get), carrying the link to
 * the public page's /subscribe/confirm with the subscriber's new token.
 */
static int
queue_confirmation(struct store *s, const struct conf *c, const char *address,
		   const char *token, int64_t now)
{
	const struct conf_channel *ch = customer_mail_channel(c);
	struct store_outbox row;
	size_t n = strlen(c->page_url);
	char *subject, *text;
	int rc;

	subject = xasprintf("Confirm your subscription to %s", c->page_name);
	text = xasprintf("Someone, probably you, asked for %s to send incident updates to "
			 "this address.\n\nTo confirm, open this link within 24 hours:\n\n"
			 "%s%ssubscribe/confirm?token=%s\n\nIf it was not you, ignore this "
			 "message: nothing more will come to this address unless it is "
			 "confirmed.\n", c->page_name, c->page_url,
			 n > 0 && c->page_url[n - 1] == '/' ? "" : "/", token);
	memset(&row, 0, sizeof(row));
	row.channel = ch->id;
	snprintf(row.type, sizeof(row.type), "email");
	row.recipient = (char *)address;
	row.subject = subject;
	row.payload = text;
	row.created_at = now;
	rc = store_outbox_add(s, &row);
	free(subject);
	free(text);
	return rc;
}

/*
 * The checks of subscribers_add, before anything is written: the kind, the
 * address or URL, a channel to send mail through, the components.
 */
static int
check_new(const struct conf *c, const char *kind, const char *address,
	  char *const *components, size_t ncomponents)
{
	int rc;

	if (strcmp(kind, "email") == 0) {
		if (!mailaddr_valid(address))
			return err_set(SR_EUSAGE, "'%s' is not an e-mail address like "
				       "name@example.com", address);
		if (customer_mail_channel(c) == NULL)
			return err_set(SR_EREFUSED, "no e-mail channel serves customers in %s: "
				       "add one (type = \"email\"; audiences = [ \"customers\" ]) "
				       "before taking e-mail subscribers", c->path);
	} else if (strcmp(kind, "webhook") == 0) {
		if ((rc = check_url(c, address)) != 0)
			return rc;
	} else
		return err_set(SR_EUSAGE, "subscribe to 'email' or 'webhook', not '%s'", kind);
	for (size_t i = 0; i < ncomponents; i++)
		if (conf_component(c, components[i]) == NULL)
			return err_set(SR_ENOTFOUND, "no component '%s' in %s", components[i], c->path);
	return 0;
}

/*
 * An e-mail address subscribed again through the public form: nothing
 * changes that the asker could see. An unconfirmed one gets its link again
 * (a new one, at most once an hour); a confirmed one gets nothing.
 */
static int
again(struct store *s, const struct conf *c, int64_t id, int64_t now)
{
	struct store_subscriber sub;
	char token[33];
	int rc;

	if ((rc = store_subscriber_get(&sub, s, id)) != 0)
		return rc;
	if (sub.confirmed_at == 0 && now - sub.confirm_sent_at >= CONFIRM_RESEND_MS &&
	    (rc = subscribers_token(token)) == 0 &&
	    (rc = store_subscriber_confirm_sent(s, id, token, now)) == 0)
		rc = queue_confirmation(s, c, sub.address, token, now);
	store_subscriber_release(&sub);
	return rc;
}

/* subscribers_add and subscribers_add_confirmed. */
static int
add(struct store_subscriber *out, struct store *s, const struct conf *c, const char *kind,
    const char *address, char *const *components, size_t ncomponents, bool operator)
{
	struct store_subscriber sub;
	bool email = strcmp(kind, "email") == 0;
	char token[33], confirm[33];
	int64_t now = clock_now_ms(), id = 0, expired;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_new(c, kind, address, components, ncomponents)) != 0 ||
	    (rc = subscribers_token(token)) != 0 || (rc = subscribers_token(confirm)) != 0)
		return rc;
	memset(&sub, 0, sizeof(sub));
	snprintf(sub.kind, sizeof(sub.kind), "%s", kind);
	sub.address = (char *)address;
	sub.token = token;
	sub.created_at = now;
	sub.components = (char **)components;
	sub.ncomponents = ncomponents;
	if (email && !operator) {
		sub.confirm_token = confirm;
		sub.confirm_sent_at = now;
	} else
		sub.confirmed_at = now;
	if (!email && (rc = webhook_secret_new(&sub.secret)) != 0)
		return rc;
	if ((rc = store_begin(s)) != 0) {
		free(sub.secret);
		return rc;
	}
	rc = store_subscribers_expire(&expired, s, now - CONFIRM_WITHIN_MS, now);
	/* The operator is told; the public form is not (see subscribers.h).
	 * A webhook URL may be subscribed again from the form: a new
	 * subscription with its own secret, which tells nothing of the
	 * other and hands out nothing of it. */
	if (rc == 0 && (operator || email) &&
	    (rc = store_subscriber_active(&id, s, kind, address)) == 0) {
		if (operator)
			rc = err_set(SR_EEXIST, "%s '%s' is already subscribed (subscriber %lld)",
				     kind, address, (long long)id);
		else
			rc = again(s, c, id, now);
	} else if (rc == SR_ENOTFOUND || rc == 0) {
		id = 0;
		rc = store_subscriber_insert(&id, s, &sub);
		if (rc == 0 && email && !operator)
			rc = queue_confirmation(s, c, address, confirm, now);
	}
	if (rc == 0)
		rc = store_commit(s);
	if (rc != 0)
		store_rollback(s);
	free(sub.secret);
	if (rc != 0)
		return rc;
	if ((rc = store_subscriber_get(out, s, id)) != 0)
		return rc;
	/* The link goes to the address, never back to whoever asked. */
	free(out->confirm_token);
	out->confirm_token = NULL;
	return 0;
}

int
subscribers_add(struct store_subscriber *out, struct store *s, const struct conf *c,
		const char *kind, const char *address, char *const *components,
		size_t ncomponents)
{
	return add(out, s, c, kind, address, components, ncomponents, false);
}

int
subscribers_add_confirmed(struct store_subscriber *out, struct store *s,
			  const struct conf *c, const char *kind, const char *address,
			  char *const *components, size_t ncomponents)
{
	return add(out, s, c, kind, address, components, ncomponents, true);
}

int
subscribers_confirm(struct store_subscriber *out, struct store *s, const char *token)
{
	struct store_subscriber sub;
	int64_t now = clock_now_ms(), expired;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_begin(s)) != 0)
		return rc;
	if ((rc = store_subscribers_expire(&expired, s, now - CONFIRM_WITHIN_MS, now)) != 0 ||
	    (rc = store_subscriber_by_confirm_token(&sub, s, token)) != 0) {
		if (rc == SR_ENOTFOUND)
			err_set(rc, "no subscription waits for this confirmation: the link was "
				"used already, is older than 24 hours, or is not one of ours");
		store_rollback(s);
		return rc;
	}
	if ((rc = store_subscriber_confirm(s, sub.id, now)) != 0 ||
	    (rc = store_commit(s)) != 0) {
		store_rollback(s);
		store_subscriber_release(&sub);
		return rc;
	}
	sub.confirmed_at = now;
	free(sub.confirm_token);
	sub.confirm_token = NULL;
	*out = sub;
	return 0;
}

int
subscribers_expire(int64_t *n, int64_t *next_at, struct store *s, int64_t now)
{
	int64_t oldest = 0;
	int rc;

	*n = *next_at = 0;
	/* a read first: the daemon asks at every change, and there is
	 * seldom anything to end */
	if ((rc = store_subscribers_unconfirmed_oldest(&oldest, s)) != 0)
		return rc;
	if (oldest != 0 && oldest + CONFIRM_WITHIN_MS <= now) {
		if ((rc = store_begin(s)) != 0)
			return rc;
		if ((rc = store_subscribers_expire(n, s, now - CONFIRM_WITHIN_MS, now)) != 0 ||
		    (rc = store_subscribers_unconfirmed_oldest(&oldest, s)) != 0 ||
		    (rc = store_commit(s)) != 0) {
			store_rollback(s);
			return rc;
		}
	}
	*next_at = oldest ? oldest + CONFIRM_WITHIN_MS : 0;
	return 0;
}

int
subscribers_remove(int64_t *out_id, struct store *s, const char *which, const char *reason)
{
	struct store_subscriber sub;
	char *end;
	long long id = strtoll(which, &end, 10);
	int rc;

	*out_id = 0;
	if (*which != '\0' && *end == '\0' && id > 0)
		rc = store_subscriber_get(&sub, s, id);
	else if ((rc = store_subscriber_by_address(&sub, s, which)) == SR_ENOTFOUND)
		rc = store_subscriber_by_token(&sub, s, which);
	if (rc != 0)
		return rc;
	id = sub.id;
	store_subscriber_release(&sub);
	if ((rc = store_begin(s)) != 0)
		return rc;
	if ((rc = store_subscriber_disable(s, id, clock_now_ms(), reason)) != 0 ||
	    (rc = store_commit(s)) != 0) {
		store_rollback(s);
		return rc;
	}
	*out_id = id;
	return 0;
}
