/* store-oncall.h: the rows of the oncall_overrides table
 * (store-oncall.c): a person on call for a schedule instead of its
 * rotation for a while, with who set it and why. What an override means
 * is oncall.c's business, checking one is rota.c's. */
#ifndef SITREP_STORE_ONCALL_H
#define SITREP_STORE_ONCALL_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_override {
	int64_t id;
	char *schedule;
	char *person;
	int64_t from_at, until_at; /* ms; until_at > from_at */
	char *reason;
	char *created_by;
	int64_t created_at;
	int64_t cancelled_at;      /* 0 while in force */
};

/* Insert o (its id is ignored) and give its id. */
int store_override_insert(int64_t *out_id, struct store *s, const struct store_override *o);
/* The overrides of schedule (every schedule when NULL) that are not
 * cancelled and end after after_ms, oldest first (by id: the later an
 * override was made, the later it comes, and it wins). */
int store_overrides_list(struct store_override **out, size_t *n, struct store *s,
			 const char *schedule, int64_t after_ms);
/* One override by id: SR_ENOTFOUND when there is none. */
int store_override_get(struct store_override *out, struct store *s, int64_t id);
/* Cancel override id at at_ms: SR_ENOTFOUND when there is none,
 * SR_EREFUSED when it was cancelled already. */
int store_override_cancel(struct store *s, int64_t id, int64_t at_ms);
void store_override_release(struct store_override *o);
void store_overrides_free(struct store_override *v, size_t n);

#endif
