/* subscribers.c: taking and ending customer subscriptions: the checks on
 * an address or URL, the unsubscribe token and the webhook signing secret.
 * Who receives a published update is comms.c's question. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/mail.h"
#include "sitrep/netguard.h"
#include "sitrep/store.h"
#include "sitrep/subscribers.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

int
subscribers_token(char out[33])
{
	unsigned char raw[16];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return err_set(SR_ESYS, "cannot read random bytes: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
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

int
subscribers_add(struct store_subscriber *out, struct store *s, const struct conf *c,
		const char *kind, const char *address, char *const *components,
		size_t ncomponents)
{
	struct store_subscriber sub;
	char token[33];
	int rc;

	memset(out, 0, sizeof(*out));
	if (strcmp(kind, "email") == 0) {
		if (!mail_address_valid(address))
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
			return err_set(SR_EUSAGE, "no component '%s' in %s", components[i], c->path);
	if ((rc = subscribers_token(token)) != 0)
		return rc;
	memset(&sub, 0, sizeof(sub));
	snprintf(sub.kind, sizeof(sub.kind), "%s", kind);
	sub.address = (char *)address;
	sub.token = token;
	sub.created_at = clock_now_ms();
	sub.components = (char **)components;
	sub.ncomponents = ncomponents;
	if (strcmp(kind, "webhook") == 0 && (rc = webhook_secret_new(&sub.secret)) != 0)
		return rc;
	if ((rc = store_begin(s)) == 0) {
		if ((rc = store_subscriber_insert(&sub.id, s, &sub)) != 0 ||
		    (rc = store_commit(s)) != 0)
			store_rollback(s);
	}
	free(sub.secret);
	if (rc != 0)
		return rc;
	return store_subscriber_get(out, s, sub.id);
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
