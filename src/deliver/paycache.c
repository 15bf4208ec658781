/* paycache.c: the last few updates rendered for each channel type, so that
 * a fan-out renders a message once, not once per recipient. What a
 * message says is payload.c's. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver-int.h"
#include "sitrep/buf.h"
#include "sitrep/payload.h"

/* The rendered form of an update for a channel type, from a small cache:
 * a fan-out renders once, not once per recipient. NULL with *rc set when
 * it cannot be read (SR_ESYS: try again later) or built (never). */
const struct rendered *
paycache_get(struct lane *d, int64_t update_id, const char *type, int *rcp)
{
	struct rendered *r;
	struct payload p;
	struct buf b = BUF_INIT;
	int rc;

	for (size_t i = 0; i < PAYLOAD_CACHE; i++)
		if (d->cache[i].body != NULL && d->cache[i].update_id == update_id &&
		    strcmp(d->cache[i].type, type) == 0)
			return &d->cache[i];
	pthread_mutex_lock(&d->e->store_lock);
	rc = payload_load(&p, d->s, d->c, update_id);
	pthread_mutex_unlock(&d->e->store_lock);
	if ((*rcp = rc) != 0)
		return NULL;
	/* A message that cannot be built (a text that is not UTF-8, written
	 * to the store unchecked) is not cached: its rows go dead with the
	 * reason, and every other row goes on. */
	if (strcmp(type, "email") == 0)
		rc = payload_text(&b, &p);
	else
		rc = payload_json(&b, type, &p);
	if ((*rcp = rc) != 0) {
		buf_release(&b);
		payload_release(&p);
		return NULL;
	}
	r = &d->cache[d->cache_next++ % PAYLOAD_CACHE];
	free(r->body);
	free(r->subject);
	r->update_id = update_id;
	snprintf(r->type, sizeof(r->type), "%s", type);
	r->subject = strcmp(type, "email") == 0 ? payload_subject(&p) : NULL;
	r->body = buf_detach(&b);
	payload_release(&p);
	return r;
}

void
paycache_release(struct lane *d)
{
	for (size_t i = 0; i < PAYLOAD_CACHE; i++) {
		free(d->cache[i].body);
		free(d->cache[i].subject);
	}
}
