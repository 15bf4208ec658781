/* store-touchpoints.h: the rows of the touchpoints table
 * (store-touchpoints.c): a customer account contacted by a person. */
#ifndef SITREP_STORE_TOUCHPOINTS_H
#define SITREP_STORE_TOUCHPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_touchpoint {
	int64_t id, incident_id;
	char *account;
	char via[8];         /* phone, email, chat, social */
	char *summary;
	char *actor;
	int64_t at;
};

int store_touchpoint_insert(struct store *s, const struct store_touchpoint *t);
/* An incident's touchpoints, oldest first; one account's when account. */
int store_touchpoints_get(struct store_touchpoint **out, size_t *n, struct store *s,
			  int64_t incident_id, const char *account);
void store_touchpoints_free(struct store_touchpoint *v, size_t n);

#endif
