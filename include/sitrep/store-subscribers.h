/* store-subscribers.h: the rows of the subscribers table and their
 * component filters (store-subscribers.c). Subscribing and confirming are
 * subscribers.h's business. */
#ifndef SITREP_STORE_SUBSCRIBERS_H
#define SITREP_STORE_SUBSCRIBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_subscriber {
	int64_t id;
	char kind[8];        /* email, webhook */
	char *address;       /* an e-mail address or a URL */
	char *secret;        /* whsec_...; NULL for e-mail */
	char *token;         /* the unsubscribe token */
	int64_t created_at, disabled_at;
	char *disabled_reason; /* NULL while active */
	char **components;   /* empty: every incident reaches them */
	size_t ncomponents;
	int64_t confirmed_at;  /* 0 until an e-mail subscriber confirms */
	char *confirm_token;   /* the confirmation link's; NULL once confirmed */
	int64_t confirm_sent_at; /* when the last confirmation mail was queued */
};

/* Record a subscriber (confirmed_at, confirm_token and confirm_sent_at
 * included). An active e-mail subscriber with the same address is
 * SR_EEXIST; webhook URLs may repeat (see store_subscriber_active). */
int store_subscriber_insert(int64_t *out_id, struct store *s,
			    const struct store_subscriber *sub);
/* The oldest active subscriber of kind with address, into *out_id;
 * SR_ENOTFOUND (with no message) when none. */
int store_subscriber_active(int64_t *out_id, struct store *s, const char *kind,
			    const char *address);
/* The subscriber whose confirmation link carries token; SR_ENOTFOUND. */
int store_subscriber_by_confirm_token(struct store_subscriber *out, struct store *s,
				      const char *token);
/* Mark subscriber id confirmed at at (its confirmation token is spent). */
int store_subscriber_confirm(struct store *s, int64_t id, int64_t at);
/* A new confirmation token for a subscriber awaiting confirmation, and
 * when its mail was queued. */
int store_subscriber_confirm_sent(struct store *s, int64_t id, const char *token,
				  int64_t at);
/* End every subscription still unconfirmed that was made before before,
 * as disabled at at, "not confirmed in time"; *n says how many. */
int store_subscribers_expire(int64_t *n, struct store *s, int64_t before, int64_t at);
/* When the oldest subscription still unconfirmed was made; 0 when none. */
int store_subscribers_unconfirmed_oldest(int64_t *created_at, struct store *s);
/* By id, by token (when token), else by active address. SR_ENOTFOUND when
 * none. */
int store_subscriber_get(struct store_subscriber *out, struct store *s, int64_t id);
int store_subscriber_by_address(struct store_subscriber *out, struct store *s,
				const char *address);
int store_subscriber_by_token(struct store_subscriber *out, struct store *s,
			      const char *token);
/* Active subscribers (all when all), oldest first. */
int store_subscribers_get(struct store_subscriber **out, size_t *n, struct store *s,
			  bool all);
/* Mark a subscriber inactive, with a reason; SR_ENOTFOUND if already. */
int store_subscriber_disable(struct store *s, int64_t id, int64_t at, const char *reason);
void store_subscriber_release(struct store_subscriber *sub);
void store_subscribers_free(struct store_subscriber *v, size_t n);

#endif
