/* subscribers.h: customers who asked to hear about incidents, by e-mail
 * or by webhook, optionally only for some components. Each has an
 * unsubscribe token; a webhook subscriber has its own whsec_ signing
 * secret. The rows are store-subscribers.c's. */
#ifndef SITREP_SUBSCRIBERS_H
#define SITREP_SUBSCRIBERS_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct store;
struct store_subscriber;

/*
 * Subscribe address (kind "email" or "webhook") for whoever asked through
 * the public form, checking it: a valid e-mail address with an e-mail
 * channel serving customers to send through, or an http(s) URL to a public
 * address (netguard.h); components must be in the site config. *out is
 * the subscriber, secret and token included.
 *
 * An e-mail subscriber starts unconfirmed: a confirmation mail with a link
 * to /subscribe/confirm is queued in the same transaction, and nothing
 * else reaches it until it confirms (subscribers_confirm); unconfirmed, it
 * ends after 24 hours. An address subscribed again returns 0 as the first
 * time did, and *out is that subscriber: a confirmed one is sent nothing,
 * an unconfirmed one its link again (at most once an hour). So that the
 * answer reveals nothing, an e-mail answer must depend only on kind and
 * address, never on *out's id, times or token. A webhook URL subscribed
 * again is a new subscription with its own secret and token: the first
 * one's are never handed out.
 */
int subscribers_add(struct store_subscriber *out, struct store *s, const struct conf *c,
		    const char *kind, const char *address, char *const *components,
		    size_t ncomponents);

/* The same for the operator (`sitrep subscribe`): the address is taken as
 * confirmed at once, no mail is sent, and an address or URL already
 * subscribed is SR_EEXIST with its subscriber's id. */
int subscribers_add_confirmed(struct store_subscriber *out, struct store *s,
			      const struct conf *c, const char *kind, const char *address,
			      char *const *components, size_t ncomponents);

/* Confirm the e-mail subscription whose confirmation link carries token;
 * *out is it. SR_ENOTFOUND when no subscription waits for that token (used,
 * expired, or never made). */
int subscribers_confirm(struct store_subscriber *out, struct store *s, const char *token);

/* End the subscriptions left unconfirmed for 24 hours at now; *n says how
 * many, *next_at when the next one will end (0: none waits). */
int subscribers_expire(int64_t *n, int64_t *next_at, struct store *s, int64_t now);

/* Unsubscribe by id, address, URL or token; *out_id says whom. */
int subscribers_remove(int64_t *out_id, struct store *s, const char *which,
		       const char *reason);

/* An unguessable token: 32 hex digits from digest_random. */
int subscribers_token(char out[33]);

#endif
