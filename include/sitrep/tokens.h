/* tokens.h: API tokens (issue 14): "sitrep_" + an 8-character public
 * prefix + "_" + a 32-character secret + a 6-character CRC32 checksum, all
 * base62; the store keeps the prefix and the SHA-256 of the whole text,
 * never the token. Creating and revoking one is an entry in the audit log
 * (audit.h). The API authenticates with tokens_authenticate and checks
 * scopes with tokens_scope_allows. */
#ifndef SITREP_TOKENS_H
#define SITREP_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident_ctx;
struct store;
struct store_token;

#define TOKENS_SCOPES "read respond comms approve publish cases admin"
#define TOKENS_NAME_MAX 64
#define TOKENS_MAX_LIFETIME_S (366 * 86400)
#define TOKENS_DEFAULT_LIFETIME_S (90 * 86400)

/* The shape of a token's text: "sitrep_" PREFIX "_" SECRET CHECKSUM. */
#define TOKENS_TAG "sitrep_"
#define TOKENS_PREFIX_LEN 8
#define TOKENS_SECRET_LEN 32
#define TOKENS_CHECKSUM_LEN 6
#define TOKENS_TEXT_LEN (7 + TOKENS_PREFIX_LEN + 1 + TOKENS_SECRET_LEN + TOKENS_CHECKSUM_LEN)

struct tokens_identity {
	int64_t id;
	char person[65];   /* the handle */
	char name[65];     /* the token's name */
	char via[80];      /* "api:<name>" */
	unsigned scopes;   /* TOKENS_SCOPE_* bits */
};
enum {
	TOKENS_SCOPE_READ = 1, TOKENS_SCOPE_RESPOND = 2, TOKENS_SCOPE_COMMS = 4,
	TOKENS_SCOPE_APPROVE = 8, TOKENS_SCOPE_PUBLISH = 16, TOKENS_SCOPE_CASES = 32,
	TOKENS_SCOPE_ADMIN = 64,
};

/* "read respond" -> bits; SR_EUSAGE naming an unknown scope. */
int tokens_parse_scopes(unsigned *out, const char *text);
/* bits -> "read respond" (caller frees). */
char *tokens_scopes_text(unsigned scopes);
/* Whether scopes allow what needs (admin allows everything). */
bool tokens_scope_allows(unsigned scopes, unsigned needs);

/* Create a token for person (one of the config's people) named name,
 * valid lifetime_s seconds (> 0, <= TOKENS_MAX_LIFETIME_S), acting as ctx's
 * actor/via; writes the row and a token_created audit entry in one
 * transaction; *text is the token (caller frees; shown once, never stored). */
int tokens_create(char **text, int64_t *id, struct incident_ctx *ctx, const char *person,
		  const char *name, unsigned scopes, int64_t lifetime_s);
/* Revoke person's active token named name (or "#ID"); audit token_revoked. */
int tokens_revoke(struct incident_ctx *ctx, const char *person, const char *name);
/*
 * Who a bearer token is: SR_EREFUSED with a message safe to show a client
 * ("the token is not valid", "... has expired", "... was revoked") for a
 * malformed, unknown, wrong-checksum, expired or revoked token; the digest
 * compared in constant time; last_used_at updated at most once a minute.
 * now in ms.
 */
int tokens_authenticate(struct tokens_identity *out, struct store *s, const char *text,
			int64_t now);

/* Added beside the shared design: */

/* Whether name can name a token (1..TOKENS_NAME_MAX of [A-Za-z0-9._-]);
 * SR_EUSAGE saying what is wrong. */
int tokens_check_name(const char *name);
/* Whether text has a token's shape and its checksum matches: what a
 * secret scanner checks, without the store. */
bool tokens_well_formed(const char *text);
/* A token row's state at now (ms): "active", "expired" or "revoked". */
const char *tokens_state(const struct store_token *t, int64_t now);
/* Whether a and b (n bytes each) are equal, in time that depends on n
 * only: how a presented token's digest is compared with the stored one. */
bool tokens_equal(const void *a, const void *b, size_t n);

#endif
