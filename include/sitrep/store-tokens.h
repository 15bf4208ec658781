/* store-tokens.h: the rows of API tokens and of the audit log (schema 14,
 * store-tokens.c). What a token is, who may make one and how one is
 * checked is tokens.c's; the audit chain's verification audit.c's. */
#ifndef SITREP_STORE_TOKENS_H
#define SITREP_STORE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_event;

/* One token row: never the token, only its prefix and digest. Times in
 * ms; 0 for last_used_at and revoked_at when never. */
struct store_token {
	int64_t id;
	char prefix[16];
	char digest[65];     /* hex SHA-256 of the whole token text */
	char *person, *name, *scopes;
	int64_t created_at;
	char *created_by, *created_via;
	int64_t expires_at, last_used_at, revoked_at;
	char *revoked_by, *revoked_via; /* NULL unless revoked */
};

/* Insert t (its id ignored); *id the new row's. SR_EEXIST when its prefix
 * is taken or person has an active token of that name. Call inside a
 * transaction. */
int store_token_insert(int64_t *id, struct store *s, const struct store_token *t);
/* The token with this prefix, whatever its state; SR_ENOTFOUND (no
 * message) when none. */
int store_token_by_prefix(struct store_token *out, struct store *s, const char *prefix);
/* person's token not revoked named name; SR_ENOTFOUND (no message). */
int store_token_active(struct store_token *out, struct store *s, const char *person,
		       const char *name);
/* The token with id; SR_ENOTFOUND (no message). */
int store_token_get(struct store_token *out, struct store *s, int64_t id);
/* Every token of person (NULL: of everyone), by person and id. */
int store_tokens_list(struct store_token **out, size_t *n, struct store *s,
		      const char *person);
/* Mark token id revoked at, by, via (only when it is not yet). */
int store_token_revoke(struct store *s, int64_t id, int64_t at, const char *by,
		       const char *via);
/* Set last_used_at to at unless it is already within a minute before. */
int store_token_touch(struct store *s, int64_t id, int64_t at);
void store_token_release(struct store_token *t);
void store_tokens_free(struct store_token *v, size_t n);

/*
 * Append an entry to the audit log, chained to the one before by
 * store_event_hash(hash, prev, 0, at, actor, kind, details, via). Call
 * inside the transaction of the change it records.
 */
int store_audit_append(struct store *s, int64_t at, const char *actor, const char *via,
		       const char *kind, const char *details);
/* The whole audit log, oldest first, as events of incident 0 (free them
 * with store_events_free; timeline_verify checks their chain). */
int store_audit_get(struct store_event **out, size_t *n, struct store *s);
/* The audit log's end as recorded with each entry: how many, and the last
 * hash ("" for none). */
int store_audit_head(int64_t *count, char hash[65], struct store *s);

#endif
