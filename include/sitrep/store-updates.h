/* store-updates.h: the rows of the updates table (store-updates.c): status
 * updates and apologies, and the published ones the status page shows.
 * What an update says and who may post it are comms.h's business. */
#ifndef SITREP_STORE_UPDATES_H
#define SITREP_STORE_UPDATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_update {
	int64_t id, incident_id;
	char kind[8];        /* update, apology */
	char *audience;
	char *status;        /* the incident status it sets; NULL for none */
	char *template_id;   /* NULL when the text was given */
	char *account;       /* NULL unless addressed to one account */
	char *body;          /* the rendered text */
	int64_t next_update_at; /* the promise; 0 for none */
	char state[12];      /* draft, approved, published, withdrawn */
	char *author;
	char *author_via;    /* how the author was authenticated; NULL before schema 15 */
	int64_t created_at;
	char *approver;      /* NULL until approved */
	char *approver_via;  /* how the approver was authenticated */
	int64_t approved_at, published_at;
	char *withdrawn_by;  /* NULL unless withdrawn */
	int64_t withdrawn_at;
	int64_t publish_at;  /* a scheduled publication; 0 for none */
};

int store_update_insert(int64_t *out_id, struct store *s, const struct store_update *u);
/* SR_ENOTFOUND when there is no such update. */
int store_update_get(struct store_update *out, struct store *s, int64_t id);
/* Write state, status, approver, approved_at, published_at, withdrawn_by
 * and withdrawn_at of u (by id). */
int store_update_set_state(struct store *s, const struct store_update *u);
/* An incident's updates, oldest first. */
int store_updates_get(struct store_update **out, size_t *n, struct store *s,
		      int64_t incident_id);
/* Updates waiting for their publish_at, soonest first. */
int store_updates_scheduled(struct store_update **out, size_t *n, struct store *s);
void store_update_release(struct store_update *u);
void store_updates_free(struct store_update *v, size_t n);

/* A published customer update to everyone, as the public sees it. */
struct store_public_update {
	int64_t id;
	char status[16];
	char *body;
	int64_t published_at;
};

/* An incident's published customer updates to everyone, newest first. */
int store_public_updates(struct store_public_update **out, size_t *n, struct store *s,
			 int64_t incident_id);
void store_public_updates_free(struct store_public_update *v, size_t n);

#endif
