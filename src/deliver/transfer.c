/* transfer.c: one outbox row's attempt: its transfer set up for its
 * channel (secrets, rendered message, the address checks of a
 * subscriber's webhook at every connection), started, and its answer
 * turned into an outcome for the outbox. Waiting is reactor.c's. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "deliver-int.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/netguard.h"
#include "sitrep/store-outbox.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

/*
 * Every socket curl opens, after name resolution and before connecting:
 * for a subscriber's URL, an address that is not public (and not in
 * delivery.allow) is refused here, whatever name led to it, so that a
 * name that resolves to 10.0.0.1 (or is made to, between two deliveries)
 * reaches nothing. curl tries the name's other addresses, if any. And a
 * new socket may reuse a closed one's number: forget what that one had.
 */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = arg;
	struct lane *d = t->lane;
	const struct conf_delivery *cd = &d->c->delivery;
	curl_socket_t fd;

	(void)purpose;
	if (t->guard && netguard_check_sockaddr(&a->addr, a->addrlen, cd->allow,
						cd->nallow) != 0) {
		snprintf(t->refused, sizeof(t->refused), "%s", err_last());
		err_clear();
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	reactor_forget(d, fd);
	return fd;
}

/*
 * Just before each request goes out, on a new connection or a reused one:
 * a subscriber's transfer is checked again against the address it is
 * connected to. on_open alone is not enough: a connection the site's own
 * channel opened to an internal host, cached, would otherwise carry a
 * subscriber's POST to a URL naming the same host and port.
 */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct transfer *t = arg;
	const struct conf_delivery *cd = &t->lane->c->delivery;
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	size_t len;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (!t->guard)
		return CURL_PREREQFUNC_OK;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, primary_ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, primary_ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof(*in6);
	} else {
		snprintf(t->refused, sizeof(t->refused), "cannot tell the address '%s' a "
			 "subscriber's webhook is connected to", primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	if (netguard_check_sockaddr((struct sockaddr *)&ss, len, cd->allow, cd->nallow) != 0) {
		snprintf(t->refused, sizeof(t->refused), "%s", err_last());
		err_clear();
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/*
 * Set h up for kind ('h' HTTP, 'm' mail); true when it was reset, and the
 * caller sets its kind's own options again. A handle that sent HTTP last
 * time keeps its options, and only what differs per message is set again:
 * curl_easy_reset and a dozen options per message were a few percent of a
 * fan-out.
 */
bool
transfer_options(struct lane *d, struct transfer *t, char kind)
{
	const struct curlapi *a = d->api;
	CURL *h = t->h;

	t->errbuf[0] = '\0';
	t->refused[0] = '\0';
	t->refused_dead = false;
	t->retry_after = -1;
	if (t->kind == kind && kind == 'h')
		return false;
	a->easy_reset(h);
	a->easy_setopt(h, CURLOPT_PRIVATE, t);
	a->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	a->easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	a->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(d->c->delivery.timeout * 1000));
	a->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(d->c->delivery.timeout * 1000));
	a->easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
	a->easy_setopt(h, CURLOPT_OPENSOCKETDATA, t);
	a->easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
	a->easy_setopt(h, CURLOPT_PREREQDATA, t);
	/* A redirect is not followed (curl's default, said here): a 3xx is a
	 * failed attempt, never a way around the address check. */
	a->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (!d->e->env_proxy) {
		a->easy_setopt(h, CURLOPT_PROXY, "");
		a->easy_setopt(h, CURLOPT_NOPROXY, "");
	}
	t->kind = kind;
	return true;
}

void
transfer_release(struct lane *d, struct transfer *t)
{
	d->api->slist_free_all(t->rcpt);
	free(t->body);
	store_outbox_release(&t->row);
	t->rcpt = NULL;
	t->body = NULL;
	t->busy = false;
}

/*
 * Prepare row's transfer. Returns NULL when it can start, or why it
 * cannot; *retry says whether trying later may help (a secret not set yet
 * may be set by then; a malformed message stays malformed).
 */
static char *
transfer_setup(struct lane *d, struct transfer *t, bool *retry)
{
	const struct rendered *r = NULL;
	struct chan *ch = NULL;
	const char *url, *secret = NULL;

	t->guard = false;
	if (t->row.channel != NULL && (ch = secrets_get(d, t->row.channel)) == NULL)
		return xasprintf("channel '%s' is no longer in %s", t->row.channel, d->c->path);
	if (ch != NULL && ch->problem != NULL) {
		*retry = true;
		return xstrdup(ch->problem);
	}
	if (t->row.subscriber_id != 0 && t->row.sub_token == NULL)
		return xasprintf("subscriber %lld is gone", (long long)t->row.subscriber_id);
	if (t->row.subscriber_id != 0 && t->row.sub_disabled_at != 0)
		return xasprintf("subscriber %lld is no longer subscribed (%s)",
				 (long long)t->row.subscriber_id, t->row.sub_disabled_reason ?
				 t->row.sub_disabled_reason : "disabled");
	/* Only its confirmation reaches an address not confirmed yet, and
	 * that row names no subscriber. */
	if (t->row.subscriber_id != 0 && t->row.sub_confirmed_at == 0)
		return xasprintf("subscriber %lld has not confirmed its address",
				 (long long)t->row.subscriber_id);
	if (t->row.update_id != 0) {
		int rc;

		if ((r = paycache_get(d, t->row.update_id, t->row.type, &rc)) == NULL) {
			/* the store failing may pass; a message that cannot
			 * be built never will */
			*retry = rc == SR_ESYS;
			return xstrdup(err_last());
		}
	} else if (t->row.payload == NULL)
		return xstrdup("the message has no content");
	else if (!utf8_valid(t->row.payload, strlen(t->row.payload), NULL) ||
		 (t->row.subject != NULL &&
		  !utf8_valid(t->row.subject, strlen(t->row.subject), NULL)))
		return xstrdup("the stored message is not valid UTF-8");
	if (strcmp(t->row.type, "email") == 0) {
		struct rendered own = { 0, "email", t->row.payload, t->row.subject };

		if (ch == NULL)
			return xstrdup("an e-mail needs an e-mail channel");
		if (t->row.recipient == NULL)
			return xstrdup("an e-mail needs a recipient");
		return sendsmtp_setup(d, t, ch, r ? r : &own, t->row.sub_token);
	}
	t->body = xstrdup(r ? r->body : t->row.payload);
	t->len = strlen(t->body);
	url = t->row.recipient != NULL ? t->row.recipient : ch ? ch->url : NULL;
	if (url == NULL)
		return xstrdup("the message has no URL to go to");
	/* A URL someone gave us is checked at every connection; a channel's,
	 * in the site's own secret, is the operator's choice. */
	t->guard = t->row.recipient != NULL;
	secret = t->row.subscriber_id ? t->row.sub_secret : ch ? ch->secret : NULL;
	return sendhttp_setup(d, t, url, secret);
}

void
transfer_start(struct lane *d, struct transfer *t, struct store_outbox *row)
{
	bool retry = false;
	char *problem;

	t->row = *row;
	memset(row, 0, sizeof(*row)); /* the transfer owns its strings now */
	t->busy = true;
	problem = transfer_setup(d, t, &retry);
	if (problem == NULL && d->api->multi_add_handle(d->multi, t->h) == CURLM_OK) {
		d->inflight++;
		return;
	}
	if (retry)
		lane_fail(d, &t->row, 0, problem, -1);
	else {
		const char *why = problem ? problem : "cannot start the transfer";

		/* Never to be sent (a text that is not UTF-8, a channel gone):
		 * the row is dead with its reason, the log says so (once for
		 * a fan-out of the same message), and the rest goes on. */
		if (d->dead_why == NULL || strcmp(d->dead_why, why) != 0) {
			log_warnx("delivery: outbox row %lld (%s%s%s) is dead: %s",
				  (long long)t->row.id, t->row.type,
				  t->row.channel ? " channel " : "",
				  t->row.channel ? t->row.channel : "", why);
			free(d->dead_why);
			d->dead_why = xstrdup(why);
		}
		lane_record(d, &t->row, "dead", 0, why, 0);
	}
	free(problem);
	transfer_release(d, t);
}

/* What one finished attempt means for its row. */
static void
transfer_done(struct lane *d, struct transfer *t, CURLcode code)
{
	const struct curlapi *a = d->api;
	bool email = strcmp(t->row.type, "email") == 0;
	long status = 0;
	char why[CURL_ERROR_SIZE + 64];

	a->easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
	if (code == CURLE_OK && !email && status >= 200 && status < 300)
		lane_record(d, &t->row, "sent", (int)status, NULL, 0);
	else if (code == CURLE_OK && email)
		lane_record(d, &t->row, "sent", (int)status, NULL, 0);
	else if (!email && code == CURLE_OK && status == 410) {
		struct outbox_result *r = lane_record(d, &t->row, "dead", (int)status,
						      "410 Gone: the receiver asked not to be "
						      "sent this any more", 0);

		if (t->row.subscriber_id != 0) {
			r->disable_subscriber = t->row.subscriber_id;
			r->disable_reason = xstrdup("disabled: its webhook answered 410 Gone");
		}
	} else if (code == CURLE_OK) {
		snprintf(why, sizeof(why), "HTTP %ld", status);
		lane_fail(d, &t->row, (int)status, why, t->retry_after);
	} else if (t->refused[0] != '\0' && t->refused_dead) {
		lane_record(d, &t->row, "dead", 0, t->refused, 0);
	} else if (t->refused[0] != '\0') {
		/* retried like any failure: the name may resolve elsewhere
		 * later, or the site allow the range */
		lane_fail(d, &t->row, 0, t->refused, -1);
	} else {
		snprintf(why, sizeof(why), "%s", t->errbuf[0] ? t->errbuf : a->easy_strerror(code));
		why[strcspn(why, "\r\n")] = '\0';
		/* An SMTP server's 5xx is permanent: retrying sends nothing. */
		if (email && status >= 500 && status < 600)
			lane_record(d, &t->row, "dead", (int)status, why, 0);
		else
			lane_fail(d, &t->row, (int)status, why, -1);
	}
	transfer_release(d, t);
}

/* The transfers curl has finished, each to its outcome. */
void
transfer_collect(struct lane *d)
{
	CURLMsg *msg;
	int left;

	while ((msg = d->api->multi_info_read(d->multi, &left)) != NULL) {
		CURL *h = msg->easy_handle;
		CURLcode code = msg->data.result;
		char *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		d->api->easy_getinfo(h, CURLINFO_PRIVATE, &priv);
		d->api->multi_remove_handle(d->multi, h);
		d->inflight--;
		transfer_done(d, (struct transfer *)priv, code);
	}
}
