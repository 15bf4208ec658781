/* subscribers.h: customers who asked to hear about incidents, by e-mail
 * or by webhook, optionally only for some components. Each has an
 * unsubscribe token; a webhook subscriber has its own whsec_ signing
 * secret. The rows are store-comms.c's. */
#ifndef SITREP_SUBSCRIBERS_H
#define SITREP_SUBSCRIBERS_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct store;
struct store_subscriber;

/*
 * Subscribe address (kind "email" or "webhook"), checking it: a valid
 * e-mail address with an e-mail channel serving customers to send through,
 * or an http(s) URL; components must be in the site config. *out is the
 * new subscriber, secret and token included.
 */
int subscribers_add(struct store_subscriber *out, struct store *s, const struct conf *c,
		    const char *kind, const char *address, char *const *components,
		    size_t ncomponents);

/* Unsubscribe by id, address, URL or token; *out_id says whom. */
int subscribers_remove(int64_t *out_id, struct store *s, const char *which,
		       const char *reason);

/* An unguessable token: 32 hex digits from getrandom. */
int subscribers_token(char out[33]);

#endif
