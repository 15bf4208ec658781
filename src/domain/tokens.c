/* tokens.c: API tokens: making one (random prefix and secret, a CRC32
 * checksum a secret scanner can check), who may make and revoke one, and
 * who a presented token is. The rows are store-tokens.c's; the audit
 * entries audit.c's; the HTTP side the API's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/audit.h"
#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/clock.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/log.h"
#include "sitrep/store-tokens.h"
#include "sitrep/store.h"
#include "sitrep/tokens.h"
#include "sitrep/xalloc.h"

static const char base62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The scopes in the order of TOKENS_SCOPES, bit i for name i. */
static const char *const scope_names[] = {
	"read", "respond", "comms", "approve", "publish", "cases", "admin",
};
#define NSCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

/* The used last_used_at is written at most this often (ms). */
#define TOKENS_TOUCH_MS 60000

static bool
is_base62(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= 'a' && ch <= 'z');
}

/* CRC-32 (IEEE 802.3, as zlib's crc32) of n bytes, bit by bit: a token is
 * 48 bytes, not worth a table. */
static uint32_t
crc32_of(const char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= (unsigned char)p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* The checksum of the first n bytes: their CRC32 in base62, most
 * significant digit first, zero-padded to TOKENS_CHECKSUM_LEN. */
static void
checksum(char out[TOKENS_CHECKSUM_LEN + 1], const char *text, size_t n)
{
	uint32_t v = crc32_of(text, n);

	for (int i = TOKENS_CHECKSUM_LEN - 1; i >= 0; i--) {
		out[i] = base62[v % 62];
		v /= 62;
	}
	out[TOKENS_CHECKSUM_LEN] = '\0';
}

/* n random base62 characters: bytes of 248 and above are drawn again, so
 * each character is equally likely. */
static int
random_base62(char *out, size_t n, const char *what)
{
	unsigned char b[64];
	size_t got = 0;
	int rc;

	while (got < n) {
		if ((rc = digest_random(b, sizeof(b), what)) != 0)
			return rc;
		for (size_t i = 0; i < sizeof(b) && got < n; i++)
			if (b[i] < 248)
				out[got++] = base62[b[i] % 62];
	}
	explicit_bzero(b, sizeof(b));
	return 0;
}

bool
tokens_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

bool
tokens_well_formed(const char *text)
{
	const size_t body = TOKENS_TEXT_LEN - TOKENS_CHECKSUM_LEN;
	const size_t tag = strlen(TOKENS_TAG);
	char want[TOKENS_CHECKSUM_LEN + 1];

	if (text == NULL || strnlen(text, TOKENS_TEXT_LEN + 1) != TOKENS_TEXT_LEN ||
	    strncmp(text, TOKENS_TAG, tag) != 0 || text[tag + TOKENS_PREFIX_LEN] != '_')
		return false;
	for (size_t i = tag; i < TOKENS_TEXT_LEN; i++)
		if (i != tag + TOKENS_PREFIX_LEN && !is_base62(text[i]))
			return false;
	checksum(want, text, body);
	return memcmp(want, text + body, TOKENS_CHECKSUM_LEN) == 0;
}

int
tokens_parse_scopes(unsigned *out, const char *text)
{
	const char *p = text != NULL ? text : "";
	unsigned bits = 0;

	*out = 0;
	while (*p != '\0') {
		size_t len;
		size_t i;

		p += strspn(p, " ,\t");
		if ((len = strcspn(p, " ,\t")) == 0)
			break;
		for (i = 0; i < NSCOPES; i++)
			if (strlen(scope_names[i]) == len && strncmp(p, scope_names[i], len) == 0)
				break;
		if (i == NSCOPES)
			return err_set(SR_EUSAGE, "unknown scope '%.*s': a scope is one of %s",
				       (int)(len > 64 ? 64 : len), p, TOKENS_SCOPES);
		bits |= 1u << i;
		p += len;
	}
	*out = bits;
	return 0;
}

char *
tokens_scopes_text(unsigned scopes)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < NSCOPES; i++)
		if (scopes & (1u << i))
			buf_addf(&b, "%s%s", b.len ? " " : "", scope_names[i]);
	return buf_detach(&b);
}

bool
tokens_scope_allows(unsigned scopes, unsigned needs)
{
	if (scopes & TOKENS_SCOPE_ADMIN)
		return true;
	return (scopes & needs) == needs;
}

int
tokens_check_name(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0)
		return err_set(SR_EUSAGE, "a token needs a name: --name NAME (what it is for, "
			       "like 'laptop' or 'ci')");
	if (n > TOKENS_NAME_MAX)
		return err_set(SR_EUSAGE, "the token name is %zu characters long: at most %d",
			       n, TOKENS_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!is_base62(name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
			return err_set(SR_EUSAGE, "the token name '%s' has a character other "
				       "than letters, digits, '.', '_' and '-'", name);
	return 0;
}

const char *
tokens_state(const struct store_token *t, int64_t now)
{
	if (t->revoked_at != 0)
		return "revoked";
	return now >= t->expires_at ? "expired" : "active";
}

/*
 * Whether ctx's actor may manage person's tokens: their own, as one of
 * the config's people; someone else's only where the site config allows
 * impersonation. The person must be one of the config's people.
 */
static int
may_manage(struct incident_ctx *ctx, const char *person, const char *what)
{
	const char *path = ctx->conf->path;

	if (conf_person(ctx->conf, person) == NULL)
		return err_set(SR_ENOTFOUND, "no person '%s' in %s: a token acts as one of the "
			       "people there", person, path);
	if (!ctx->daemon && conf_person(ctx->conf, ctx->actor) == NULL)
		return err_set(SR_EREFUSED, "'%s' is not one of the people in %s: add them "
			       "there (a person's os_users names the operating-system users "
			       "who are them)", ctx->actor, path);
	if (strcmp(person, ctx->actor) != 0 && !ctx->daemon && !ctx->conf->impersonation)
		return err_set(SR_EREFUSED, "%s a token of '%s' is refused: you are '%s', and %s "
			       "does not allow acting for someone else (identity.impersonation); "
			       "'%s' runs it as themselves", what, person, ctx->actor, path,
			       person);
	return 0;
}

static void
digest_text(char out[65], const char *text, size_t n)
{
	unsigned char md[DIGEST_SHA256_LEN];
	const void *parts[1] = { text };

	digest_sha256(md, parts, &n, 1);
	digest_hex(out, md, sizeof(md));
}

int
tokens_create(char **text, int64_t *id, struct incident_ctx *ctx, const char *person,
	      const char *name, unsigned scopes, int64_t lifetime_s)
{
	const size_t tag = strlen(TOKENS_TAG), body = TOKENS_TEXT_LEN - TOKENS_CHECKSUM_LEN;
	char t[TOKENS_TEXT_LEN + 1], via[INCIDENT_VIA_MAX];
	struct store_token row = { 0 };
	struct json *d;
	char *scope_text;
	int64_t now = clock_now_ms();
	int rc;

	*text = NULL;
	*id = 0;
	if ((rc = tokens_check_name(name)) != 0)
		return rc;
	if (scopes == 0 || scopes >= (1u << NSCOPES))
		return err_set(SR_EUSAGE, "a token needs at least one scope of %s",
			       TOKENS_SCOPES);
	if (lifetime_s <= 0 || lifetime_s > TOKENS_MAX_LIFETIME_S)
		return err_set(SR_EUSAGE, "a token expires after at most 366 days (--expires "
			       "366d), and a token that never expires cannot be made");
	if ((rc = may_manage(ctx, person, "creating")) != 0)
		return rc;

	memcpy(t, TOKENS_TAG, tag);
	if ((rc = random_base62(t + tag, TOKENS_PREFIX_LEN, "a token")) != 0)
		return rc;
	t[tag + TOKENS_PREFIX_LEN] = '_';
	if ((rc = random_base62(t + tag + TOKENS_PREFIX_LEN + 1, TOKENS_SECRET_LEN,
				"a token")) != 0)
		return rc;
	checksum(t + body, t, body);

	memcpy(row.prefix, t + tag, TOKENS_PREFIX_LEN);
	row.prefix[TOKENS_PREFIX_LEN] = '\0';
	digest_text(row.digest, t, TOKENS_TEXT_LEN);
	row.person = (char *)person;
	row.name = (char *)name;
	row.scopes = scope_text = tokens_scopes_text(scopes);
	row.created_at = now;
	row.created_by = (char *)ctx->actor;
	row.created_via = (char *)incident_via(via, sizeof(via), ctx);
	row.expires_at = now + lifetime_s * 1000;

	if ((rc = store_begin(ctx->store)) != 0) {
		free(scope_text);
		explicit_bzero(t, sizeof(t));
		return rc;
	}
	rc = store_token_insert(id, ctx->store, &row);
	if (rc == SR_EEXIST)
		err_set(rc, "'%s' has an active token named '%s' already: revoke it first "
			"('sitrep token revoke %s') or choose another name", person, name, name);
	if (rc == 0) {
		d = json_new_object();
		json_set_int(d, "token", *id);
		json_set_str(d, "person", person);
		json_set_str(d, "name", name);
		json_set(d, "scopes", json_new_string(scope_text));
		json_set_time(d, "expires_at", row.expires_at);
		rc = audit_record(ctx, now, "token_created", d);
		json_free(d);
	}
	if (rc == 0)
		rc = store_commit(ctx->store);
	else
		store_rollback(ctx->store);
	free(scope_text);
	if (rc != 0) {
		*id = 0;
		explicit_bzero(t, sizeof(t));
		return rc;
	}
	t[TOKENS_TEXT_LEN] = '\0';
	*text = xstrdup(t);
	explicit_bzero(t, sizeof(t));
	return 0;
}

/* "#12" -> 12, else 0. */
static int64_t
id_of(const char *name)
{
	char *end;
	long long v;

	if (name[0] != '#' || name[1] < '0' || name[1] > '9')
		return 0;
	v = strtoll(name + 1, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int
tokens_revoke(struct incident_ctx *ctx, const char *person, const char *name)
{
	struct store_token t;
	char via[INCIDENT_VIA_MAX];
	int64_t tid = id_of(name), now = clock_now_ms();
	struct json *d;
	int rc;

	if (tid == 0 && (rc = tokens_check_name(name)) != 0)
		return rc;
	if ((rc = may_manage(ctx, person, "revoking")) != 0)
		return rc;
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	rc = tid != 0 ? store_token_get(&t, ctx->store, tid) :
	     store_token_active(&t, ctx->store, person, name);
	if (rc == 0 && strcmp(t.person, person) != 0)
		rc = SR_ENOTFOUND;
	if (rc == SR_ENOTFOUND)
		err_set(rc, "'%s' has no %stoken %s%s%s: 'sitrep token list%s%s' shows them",
			person, tid ? "" : "active ", tid ? "" : "named '", name, tid ? "" : "'",
			strcmp(person, ctx->actor) ? " --for " : "",
			strcmp(person, ctx->actor) ? person : "");
	else if (rc == 0 && t.revoked_at != 0)
		rc = err_set(SR_EREFUSED, "token %s of '%s' was revoked already", name, person);
	if (rc == 0)
		rc = store_token_revoke(ctx->store, t.id, now, ctx->actor,
					incident_via(via, sizeof(via), ctx));
	if (rc == 0) {
		d = json_new_object();
		json_set_int(d, "token", t.id);
		json_set_str(d, "person", t.person);
		json_set_str(d, "name", t.name);
		json_set_str(d, "state", tokens_state(&t, now));
		rc = audit_record(ctx, now, "token_revoked", d);
		json_free(d);
	}
	if (rc == 0)
		rc = store_commit(ctx->store);
	else
		store_rollback(ctx->store);
	store_token_release(&t);
	return rc;
}

int
tokens_authenticate(struct tokens_identity *out, struct store *s, const char *text,
		    int64_t now)
{
	const size_t tag = strlen(TOKENS_TAG);
	char prefix[TOKENS_PREFIX_LEN + 1], digest[65];
	struct store_token t;
	unsigned scopes;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!tokens_well_formed(text))
		return err_set(SR_EREFUSED, "the token is not valid");
	memcpy(prefix, text + tag, TOKENS_PREFIX_LEN);
	prefix[TOKENS_PREFIX_LEN] = '\0';
	if ((rc = store_token_by_prefix(&t, s, prefix)) == SR_ENOTFOUND)
		return err_set(SR_EREFUSED, "the token is not valid");
	if (rc != 0)
		return rc;
	digest_text(digest, text, TOKENS_TEXT_LEN);
	if (strlen(t.digest) != 64 || !tokens_equal(digest, t.digest, 64))
		rc = err_set(SR_EREFUSED, "the token is not valid");
	else if (t.revoked_at != 0)
		rc = err_set(SR_EREFUSED, "the token was revoked");
	else if (now >= t.expires_at)
		rc = err_set(SR_EREFUSED, "the token has expired");
	else if (tokens_parse_scopes(&scopes, t.scopes) != 0 ||
		 strlen(t.person) >= sizeof(out->person) || strlen(t.name) >= sizeof(out->name))
		rc = err_set(SR_EREFUSED, "the token is not valid");
	if (rc != 0) {
		store_token_release(&t);
		return rc;
	}
	out->id = t.id;
	snprintf(out->person, sizeof(out->person), "%s", t.person);
	snprintf(out->name, sizeof(out->name), "%s", t.name);
	snprintf(out->via, sizeof(out->via), "api:%s", t.name);
	out->scopes = scopes;
	/* the last use, at most once a minute: a write for every request would
	 * make every read a writer */
	if ((t.last_used_at == 0 || now - t.last_used_at >= TOKENS_TOUCH_MS) &&
	    store_token_touch(s, t.id, now) != 0)
		log_debug("token %s: cannot record its use: %s", t.prefix, err_last());
	store_token_release(&t);
	return 0;
}
