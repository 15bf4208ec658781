/* http-subscribe.c: subscribing and unsubscribing through the site: the
 * subscribe form and what is posted to it, an unsubscribe link (asked on
 * GET, done on POST, RFC 8058's one click), and a confirmation link (the
 * same). The checks on a new subscriber and the store's changes are
 * subscribers.c's; the pages are http-page.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/store.h"
#include "sitrep/subscribers.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

#define HTTP_MAX_ADDRESS	2048		/* the subscribe form's address field */
#define HTTP_MAX_COMPONENT	256		/* one of its component ids */

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

/* The pages as responses that are not cached. */
static struct MHD_Response *
subscribe_page(struct http_server *h, const char *error, const char *kind, const char *address)
{
	struct buf b = BUF_INIT;

	http_page_subscribe(&b, h->conf, error, kind, address);
	return http_reply_page(&b);
}

static struct MHD_Response *
unsubscribe_page(struct http_server *h, const char *title, const char *text,
		 const char *token)
{
	struct buf b = BUF_INIT;

	http_page_unsubscribe(&b, h->conf, title, text, token);
	return http_reply_page(&b);
}

static struct MHD_Response *
confirm_page(struct http_server *h, const char *title, const char *text, const char *token)
{
	struct buf b = BUF_INIT;

	http_page_confirm(&b, h->conf, title, text, token);
	return http_reply_page(&b);
}

/* The answer to a subscription made, or to one that was there already:
 * the same page and status either way (http_page_subscribed). */
static enum MHD_Result
subscribed(struct http_server *h, struct MHD_Connection *conn, const char *kind,
	   const char *address, const char *secret, const char *token)
{
	struct buf b = BUF_INIT;

	http_page_subscribed(&b, h->conf, kind, address, secret, token);
	return http_reply_queue(conn, 201, http_reply_page(&b));
}

enum MHD_Result
http_subscribe_form(struct http_server *h, struct MHD_Connection *conn)
{
	return http_reply_queue(conn, 200, subscribe_page(h, NULL, NULL, NULL));
}

/*
 * The fields the subscribe form reads, as text: valid UTF-8 and not
 * longer than the form allows. NULL, or a message naming the field.
 */
static const char *
subscribe_field_problem(const struct http_form *f)
{
	static const struct { const char *name; size_t max; const char *bad, *long_; } fields[] = {
		{ "kind", 16, "The field 'kind' is not valid UTF-8.",
		  "The field 'kind' is too long." },
		{ "address", HTTP_MAX_ADDRESS, "The field 'address' is not valid UTF-8.",
		  "The field 'address' is longer than 2048 bytes." },
		{ "component", HTTP_MAX_COMPONENT, "The field 'component' is not valid UTF-8.",
		  "The field 'component' is longer than 256 bytes." },
	};

	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			size_t len;

			if (strcmp(f->name[i], fields[k].name) != 0)
				continue;
			len = strlen(f->value[i]);
			if (!utf8_valid(f->value[i], len, NULL))
				return fields[k].bad;
			if (len > fields[k].max)
				return fields[k].long_;
		}
	return NULL;
}

enum MHD_Result
http_subscribe_post(struct http_server *h, struct MHD_Connection *conn,
		    struct http_request *rq)
{
	struct store_subscriber sub;
	struct http_form f;
	const char *kind, *address;
	char *comps[HTTP_MAX_FIELDS];
	size_t ncomps = 0;
	unsigned int code = 400;
	const char *msg = NULL;
	int rc;

	if (!is_form_encoded(conn))
		return http_reply_queue(conn, 415, subscribe_page(h, "Send the form as "
					"application/x-www-form-urlencoded.", NULL, NULL));
	if (http_form_parse(&f, buf_str(&rq->body), rq->body.len) != 0)
		return http_reply_queue(conn, 400, subscribe_page(h, err_last(), NULL, NULL));
	if ((msg = subscribe_field_problem(&f)) != NULL) {
		enum MHD_Result ret = http_reply_queue(conn, 400,
						       subscribe_page(h, msg, NULL, NULL));

		http_form_release(&f);
		return ret;
	}
	kind = http_form_get(&f, "kind");
	address = http_form_get(&f, "address");
	for (size_t i = 0; i < f.n; i++) {
		size_t k = 0;

		if (strcmp(f.name[i], "component") != 0)
			continue;
		while (k < ncomps && strcmp(comps[k], f.value[i]) != 0)
			k++;
		if (k == ncomps) /* a box sent twice is one choice */
			comps[ncomps++] = f.value[i];
	}
	/* Checked here too, so the messages name nothing of the server's. */
	if (kind == NULL || (strcmp(kind, "email") != 0 && strcmp(kind, "webhook") != 0))
		msg = "Choose e-mail or webhook.";
	else if (address == NULL || address[0] == '\0')
		msg = strcmp(kind, "email") == 0 ? "Give an e-mail address." :
		      "Give a webhook URL.";
	for (size_t i = 0; msg == NULL && i < ncomps; i++)
		if (conf_component(h->conf, comps[i]) == NULL)
			msg = "One of the components chosen is not on this page.";
	if (msg != NULL) {
		enum MHD_Result ret = http_reply_queue(conn, 400,
						       subscribe_page(h, msg, kind, address));

		http_form_release(&f);
		return ret;
	}
	rc = subscribers_add(&sub, h->store, h->conf, kind, address, comps, ncomps);
	h->cache.dirty = true;
	if (rc == SR_EEXIST) {
		/* the same answer as a new subscription, but no secret */
		enum MHD_Result ret = subscribed(h, conn, kind, address, NULL, NULL);

		http_form_release(&f);
		return ret;
	}
	if (rc != 0) {
		enum MHD_Result ret;

		switch (rc) {
		case SR_EUSAGE:
			msg = err_last();
			break;
		case SR_EREFUSED:
			msg = strcmp(kind, "email") == 0 ?
			      "This page does not take e-mail subscriptions; use a webhook." :
			      "That webhook URL cannot be taken: give a public http(s) URL "
			      "without a user name or password.";
			break;
		default:
			code = 500;
			log_warnx("subscribe: %s", err_last());
			msg = "Something went wrong on our side; try again later.";
		}
		ret = http_reply_queue(conn, code, subscribe_page(h, msg, kind, address));
		http_form_release(&f);
		return ret;
	}
	{
		/* the address as typed, as the answer for one there already */
		enum MHD_Result ret = subscribed(h, conn, kind, address,
						 strcmp(sub.kind, "webhook") == 0 ? sub.secret : NULL,
						 sub.token);

		http_form_release(&f);
		store_subscriber_release(&sub);
		return ret;
	}
}

enum MHD_Result
http_subscribe_remove(struct http_server *h, struct MHD_Connection *conn,
		      struct http_request *rq, bool post)
{
	const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	struct store_subscriber sub;
	struct http_form f;
	char idtext[32];
	int64_t id;
	bool active;
	int rc;

	memset(&f, 0, sizeof(f));
	/* Our own confirmation form sends the token in the URL; a form that
	 * carries it in the body is taken too. The body is otherwise
	 * ignored: RFC 8058 lets a mail client send it either way. */
	if (token == NULL && post && is_form_encoded(conn) &&
	    http_form_parse(&f, buf_str(&rq->body), rq->body.len) == 0)
		token = http_form_get(&f, "token");
	if (token == NULL || token[0] == '\0') {
		http_form_release(&f);
		return http_reply_queue(conn, 400, unsubscribe_page(h, "Unsubscribe", "This link "
					"has no unsubscribe token; use the link from one of our "
					"messages.", NULL));
	}
	if (!http_form_is_token(token)) {
		http_form_release(&f);
		return http_reply_queue(conn, 404, unsubscribe_page(h, "Unknown link", "This "
					"unsubscribe link is not one of ours, or it was mistyped.",
					NULL));
	}
	rc = store_subscriber_by_token(&sub, h->store, token);
	if (rc == SR_ENOTFOUND) {
		http_form_release(&f);
		return http_reply_queue(conn, 404, unsubscribe_page(h, "Unknown link", "This "
					"unsubscribe link is not one of ours, or it was mistyped.",
					NULL));
	}
	if (rc != 0) {
		log_warnx("unsubscribe: %s", err_last());
		http_form_release(&f);
		return http_reply_queue(conn, 503, unsubscribe_page(h, "Try again later", "We "
					"cannot change subscriptions right now; try again in a "
					"moment.", NULL));
	}
	id = sub.id;
	active = sub.disabled_at == 0;
	store_subscriber_release(&sub);
	if (!post) {
		enum MHD_Result ret = http_reply_queue(conn, 200, active ?
			unsubscribe_page(h, "Unsubscribe", "Stop receiving incident updates "
					 "from us?", token) :
			unsubscribe_page(h, "Unsubscribed", "This subscription has already "
					 "ended.", NULL));

		http_form_release(&f);
		return ret;
	}
	http_form_release(&f);
	if (active) {
		snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
		rc = subscribers_remove(&id, h->store, idtext, "unsubscribed");
		h->cache.dirty = true;
		if (rc != 0 && rc != SR_ENOTFOUND) {
			log_warnx("unsubscribe: %s", err_last());
			return http_reply_queue(conn, 503, unsubscribe_page(h, "Try again later",
					"We cannot change subscriptions right now; try again in "
					"a moment.", NULL));
		}
	}
	return http_reply_queue(conn, 200, unsubscribe_page(h, "Unsubscribed", "You will "
				"not hear from us again about incidents. You can subscribe again "
				"at any time.", NULL));
}

/*
 * /subscribe/confirm?token=T, the link in a confirmation mail
 * (subscribers.h). A GET shows a button and a POST confirms, so that a
 * mail scanner opening every link confirms no one.
 */
enum MHD_Result
http_subscribe_confirm(struct http_server *h, struct MHD_Connection *conn, bool post)
{
	const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	struct store_subscriber sub;
	char *text;
	enum MHD_Result ret;
	int rc;

	if (!http_form_is_token(token))
		return http_reply_queue(conn, 404, confirm_page(h, "Unknown link", "This "
					"confirmation link is not one of ours, or it was "
					"mistyped.", NULL));
	if (!post)
		return http_reply_queue(conn, 200, confirm_page(h, "Confirm your subscription",
					"Receive an e-mail for every incident update at the "
					"address this link was sent to?", token));
	rc = subscribers_confirm(&sub, h->store, token);
	h->cache.dirty = true;
	if (rc == SR_ENOTFOUND)
		return http_reply_queue(conn, 404, confirm_page(h, "Link used or expired", "This "
					"link was used already or is older than 24 hours. To "
					"subscribe, use the form again.", NULL));
	if (rc != 0) {
		log_warnx("subscribe: %s", err_last());
		return http_reply_queue(conn, 503, confirm_page(h, "Try again later", "We cannot "
					"change subscriptions right now; try again in a moment.",
					NULL));
	}
	text = xasprintf("%s will receive an e-mail for every incident update. Each one has "
			 "a link to unsubscribe.", sub.address);
	ret = http_reply_queue(conn, 200, confirm_page(h, "Subscribed", text, NULL));
	free(text);
	store_subscriber_release(&sub);
	return ret;
}

