/* test_tokens.c: API tokens (tokens.c) and the audit log (audit.c) against
 * a real workspace (testws.h): a token's shape and checksum, created and
 * authenticated, expired, revoked, a forged checksum, a wrong secret with
 * a right prefix, scopes parsed and allowed, who may create and revoke
 * (refusals leave the store as it was), last use at most once a minute,
 * and the audit chain verifying and then not once an entry is changed. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sitrep/audit.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/repo.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-tokens.h"
#include "sitrep/store.h"
#include "sitrep/timeline.h"
#include "sitrep/tokens.h"
#include "sitrep/xalloc.h"
#include "testws.h"

#define MIN	(60 * 1000LL)
#define DAY	(86400 * 1000LL)
/* 2027-01-15T08:00:00Z */
#define T0	1800000000000LL

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Drill Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; },\n"
	"  { handle = \"bob\"; name = \"Bob\"; } );\n";

static const char note_playbook[] =
	"name = \"note\";\n"
	"title = \"Note\";\n"
	"summary = \"Nothing to do.\";\n"
	"severity = \"SEV3\";\n"
	"components = [ \"api\" ];\n"
	"roles = ( { id = \"commander\"; title = \"Incident Commander\"; } );\n";

static struct testws ws;

static int
setup(void **state)
{
	char *names[] = { "note.playbook" };
	char *texts[] = { (char *)note_playbook };

	(void)state;
	testws_open(&ws, conf_text, names, texts, 1, T0);
	ws.ctx.via = "local:tester";
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testws_close(&ws);
	return 0;
}

/* Every token row and audit entry, so two texts are equal when a change
 * left them as they were. The caller frees. */
static char *
store_text(void)
{
	struct store_token *t;
	struct store_event *a;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_tokens_list(&t, &n, ws.store, NULL));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "token %lld %s %s %s %s %s %lld %lld %lld\n", (long long)t[i].id,
			 t[i].prefix, t[i].digest, t[i].person, t[i].name, t[i].scopes,
			 (long long)t[i].expires_at, (long long)t[i].last_used_at,
			 (long long)t[i].revoked_at);
	store_tokens_free(t, n);
	TESTWS_CHECK(store_audit_get(&a, &n, ws.store));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "audit %lld %s %s %s\n", (long long)a[i].id, a[i].kind, a[i].via,
			 a[i].hash);
	store_events_free(a, n);
	return buf_detach(&b);
}

static char *
create(const char *as, const char *person, const char *name, unsigned scopes,
       int64_t life_s)
{
	char *text = NULL;
	int64_t id = 0;

	TESTWS_CHECK(tokens_create(&text, &id, testws_as(&ws, as), person, name, scopes,
				   life_s));
	assert_true(id > 0);
	return text;
}

static void
expect_auth_refused(const char *text, int64_t now, const char *msg)
{
	struct tokens_identity who;

	assert_int_equal(tokens_authenticate(&who, ws.store, text, now), SR_EREFUSED);
	assert_string_equal(err_last(), msg);
	assert_string_equal(who.person, "");
}

static void
test_scopes(void **state)
{
	unsigned s;
	char *t;

	(void)state;
	assert_int_equal(tokens_parse_scopes(&s, "read respond"), 0);
	assert_int_equal(s, TOKENS_SCOPE_READ | TOKENS_SCOPE_RESPOND);
	assert_int_equal(tokens_parse_scopes(&s, "admin,cases  publish"), 0);
	assert_int_equal(s, TOKENS_SCOPE_ADMIN | TOKENS_SCOPE_CASES | TOKENS_SCOPE_PUBLISH);
	assert_int_equal(tokens_parse_scopes(&s, ""), 0);
	assert_int_equal(s, 0);
	assert_int_equal(tokens_parse_scopes(&s, "read sudo"), SR_EUSAGE);
	assert_non_null(strstr(err_last(), "unknown scope 'sudo'"));
	assert_int_equal(tokens_parse_scopes(&s, "readx"), SR_EUSAGE);
	t = tokens_scopes_text(TOKENS_SCOPE_ADMIN | TOKENS_SCOPE_READ | TOKENS_SCOPE_COMMS);
	assert_string_equal(t, "read comms admin");
	free(t);
	t = tokens_scopes_text(127);
	assert_string_equal(t, TOKENS_SCOPES);
	free(t);
	assert_true(tokens_scope_allows(TOKENS_SCOPE_READ | TOKENS_SCOPE_RESPOND,
					TOKENS_SCOPE_RESPOND));
	assert_false(tokens_scope_allows(TOKENS_SCOPE_READ, TOKENS_SCOPE_RESPOND));
	assert_false(tokens_scope_allows(TOKENS_SCOPE_READ,
					 TOKENS_SCOPE_READ | TOKENS_SCOPE_PUBLISH));
	assert_true(tokens_scope_allows(TOKENS_SCOPE_ADMIN, TOKENS_SCOPE_PUBLISH));
	assert_true(tokens_equal("abc", "abc", 3));
	assert_false(tokens_equal("abc", "abd", 3));
	assert_int_equal(tokens_check_name("laptop-2.ci_x"), 0);
	assert_int_equal(tokens_check_name("has space"), SR_EUSAGE);
	assert_int_equal(tokens_check_name(""), SR_EUSAGE);
	assert_int_equal(tokens_check_name(NULL), SR_EUSAGE);
}

static void
test_create_authenticate(void **state)
{
	struct tokens_identity who;
	struct store_token row;
	char *text, *before, *after;

	(void)state;
	text = create("alice", "alice", "laptop", TOKENS_SCOPE_READ | TOKENS_SCOPE_RESPOND,
		      TOKENS_DEFAULT_LIFETIME_S);
	/* the shape a secret scanner looks for, and its checksum */
	assert_int_equal(strlen(text), TOKENS_TEXT_LEN);
	assert_int_equal(strlen(text), 54);
	assert_memory_equal(text, "sitrep_", 7);
	assert_int_equal(text[15], '_');
	for (size_t i = 7; i < 54; i++)
		assert_true(i == 15 || strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "abcdefghijklmnopqrstuvwxyz", text[i]) != NULL);
	assert_true(tokens_well_formed(text));

	/* the store keeps the prefix and the digest, never the token */
	TESTWS_CHECK(store_token_active(&row, ws.store, "alice", "laptop"));
	assert_memory_equal(row.prefix, text + 7, 8);
	assert_int_equal(strlen(row.digest), 64);
	assert_null(strstr(row.digest, text + 16));
	assert_int_equal(row.expires_at, T0 + 90 * DAY);
	assert_string_equal(row.created_via, "local:tester");
	assert_int_equal(row.last_used_at, 0);
	store_token_release(&row);

	TESTWS_CHECK(tokens_authenticate(&who, ws.store, text, T0 + MIN));
	assert_string_equal(who.person, "alice");
	assert_string_equal(who.name, "laptop");
	assert_string_equal(who.via, "api:laptop");
	assert_int_equal(who.scopes, TOKENS_SCOPE_READ | TOKENS_SCOPE_RESPOND);

	/* last use recorded, then not again within a minute */
	TESTWS_CHECK(store_token_active(&row, ws.store, "alice", "laptop"));
	assert_int_equal(row.last_used_at, T0 + MIN);
	store_token_release(&row);
	TESTWS_CHECK(tokens_authenticate(&who, ws.store, text, T0 + MIN + 30000));
	TESTWS_CHECK(store_token_active(&row, ws.store, "alice", "laptop"));
	assert_int_equal(row.last_used_at, T0 + MIN);
	store_token_release(&row);
	TESTWS_CHECK(tokens_authenticate(&who, ws.store, text, T0 + 2 * MIN));
	TESTWS_CHECK(store_token_active(&row, ws.store, "alice", "laptop"));
	assert_int_equal(row.last_used_at, T0 + 2 * MIN);
	store_token_release(&row);

	/* expired: at its expiry and after */
	expect_auth_refused(text, T0 + 90 * DAY, "the token has expired");

	/* a second token of the same name is refused while the first is active */
	before = store_text();
	{
		char *t2 = NULL;
		int64_t id;

		assert_int_equal(tokens_create(&t2, &id, testws_as(&ws, "alice"), "alice",
					       "laptop", TOKENS_SCOPE_READ, 3600), SR_EEXIST);
		assert_null(t2);
		assert_non_null(strstr(err_last(), "active token named 'laptop' already"));
	}
	after = store_text();
	assert_string_equal(after, before);
	free(before);
	free(after);
	free(text);
}

/* The checksum as a secret scanner computes it: CRC-32 (zlib's) of the
 * first 48 characters in base62, zero-padded to 6, written here again
 * from the design rather than taken from tokens.c. */
static void
rechecksum(char *text)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < 48; i++) {
		crc ^= (unsigned char)text[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	crc = ~crc;
	for (int i = 5; i >= 0; i--) {
		text[48 + i] = b62[crc % 62];
		crc /= 62;
	}
}

static void
test_forged(void **state)
{
	char *text, *forged, *before, *after;

	(void)state;
	text = create("alice", "alice", "laptop", TOKENS_SCOPE_READ, 3600);
	forged = xstrdup(text);
	rechecksum(forged);
	assert_string_equal(forged, text); /* the checksum is what the design says */

	/* a changed checksum */
	forged[53] = forged[53] == 'a' ? 'b' : 'a';
	assert_false(tokens_well_formed(forged));
	expect_auth_refused(forged, T0, "the token is not valid");

	/* a wrong secret with the right prefix and a checksum made to fit:
	 * found by its prefix, refused by its digest (compared with
	 * tokens_equal, in constant time) */
	memcpy(forged, text, 55);
	forged[20] = forged[20] == 'Q' ? 'R' : 'Q';
	rechecksum(forged);
	assert_true(tokens_well_formed(forged));
	before = store_text();
	expect_auth_refused(forged, T0, "the token is not valid");
	after = store_text();
	assert_string_equal(after, before); /* not even its last use */
	free(before);
	free(after);

	/* an unknown prefix, well formed */
	memcpy(forged, text, 55);
	forged[8] = forged[8] == 'Q' ? 'R' : 'Q';
	rechecksum(forged);
	expect_auth_refused(forged, T0, "the token is not valid");

	/* malformed */
	expect_auth_refused("", T0, "the token is not valid");
	expect_auth_refused("sitrep_", T0, "the token is not valid");
	expect_auth_refused("Bearer x", T0, "the token is not valid");
	memcpy(forged, text, 55);
	forged[15] = '-';
	expect_auth_refused(forged, T0, "the token is not valid");
	memcpy(forged, text, 55);
	forged[0] = 'S';
	expect_auth_refused(forged, T0, "the token is not valid");
	memcpy(forged, text, 55);
	forged[30] = '!';
	expect_auth_refused(forged, T0, "the token is not valid");
	free(forged);
	forged = xasprintf("%sA", text);
	expect_auth_refused(forged, T0, "the token is not valid");
	free(forged);
	free(text);
}

static void
test_revoked(void **state)
{
	struct tokens_identity who;
	char *a, *b;

	(void)state;
	a = create("alice", "alice", "one", TOKENS_SCOPE_READ, 3600);
	b = create("alice", "alice", "two", TOKENS_SCOPE_READ, 3600);
	TESTWS_CHECK(tokens_revoke(testws_as(&ws, "alice"), "alice", "#2"));
	expect_auth_refused(b, T0, "the token was revoked");
	/* revoked wins over expired */
	expect_auth_refused(b, T0 + 2 * DAY, "the token was revoked");
	TESTWS_CHECK(tokens_authenticate(&who, ws.store, a, T0));
	assert_string_equal(who.name, "one");
	TESTWS_CHECK(tokens_revoke(testws_as(&ws, "alice"), "alice", "one"));
	expect_auth_refused(a, T0, "the token was revoked");
	/* the name is free again */
	free(create("alice", "alice", "one", TOKENS_SCOPE_READ, 3600));
	free(a);
	free(b);
}

static void
test_permissions(void **state)
{
	char *before, *after, *t = NULL;
	int64_t id;

	(void)state;
	before = store_text();
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "alice"), "bob", "x",
				       TOKENS_SCOPE_READ, 3600), SR_EREFUSED);
	assert_non_null(strstr(err_last(), "identity.impersonation"));
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "mallory"), "mallory", "x",
				       TOKENS_SCOPE_READ, 3600), SR_ENOTFOUND);
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "mallory"), "alice", "x",
				       TOKENS_SCOPE_READ, 3600), SR_EREFUSED);
	assert_non_null(strstr(err_last(), "'mallory' is not one of the people"));
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "alice"), "alice", "x",
				       TOKENS_SCOPE_READ, 0), SR_EUSAGE);
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "alice"), "alice", "x",
				       TOKENS_SCOPE_READ, TOKENS_MAX_LIFETIME_S + 1), SR_EUSAGE);
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "alice"), "alice", "x", 0,
				       3600), SR_EUSAGE);
	assert_int_equal(tokens_create(&t, &id, testws_as(&ws, "alice"), "alice", "a b",
				       TOKENS_SCOPE_READ, 3600), SR_EUSAGE);
	assert_null(t);
	after = store_text();
	assert_string_equal(after, before);
	free(after);

	/* bob's token, made by bob; alice may not revoke it */
	free(create("bob", "bob", "ci", TOKENS_SCOPE_READ, TOKENS_MAX_LIFETIME_S));
	free(before);
	before = store_text();
	assert_int_equal(tokens_revoke(testws_as(&ws, "alice"), "bob", "ci"), SR_EREFUSED);
	assert_int_equal(tokens_revoke(testws_as(&ws, "alice"), "alice", "ci"), SR_ENOTFOUND);
	assert_int_equal(tokens_revoke(testws_as(&ws, "alice"), "alice", "#1"), SR_ENOTFOUND);
	after = store_text();
	assert_string_equal(after, before);
	free(after);
	free(before);

	/* with impersonation, alice may */
	ws.conf->impersonation = true;
	TESTWS_CHECK(tokens_revoke(testws_as(&ws, "alice"), "bob", "ci"));
	assert_int_equal(tokens_revoke(testws_as(&ws, "alice"), "bob", "#1"), SR_EREFUSED);
	free(create("alice", "bob", "ci", TOKENS_SCOPE_READ, 60));
}

static void
test_audit(void **state)
{
	struct store_event *a;
	size_t n;
	char *t;

	(void)state;
	t = create("alice", "alice", "laptop", TOKENS_SCOPE_READ, 3600);
	free(t);
	TESTWS_CHECK(tokens_revoke(testws_as(&ws, "alice"), "alice", "laptop"));
	TESTWS_CHECK(store_audit_get(&a, &n, ws.store));
	assert_int_equal(n, 2);
	assert_string_equal(a[0].kind, "token_created");
	assert_string_equal(a[1].kind, "token_revoked");
	assert_string_equal(a[0].actor, "alice");
	assert_string_equal(a[0].via, "local:tester");
	assert_string_equal(a[0].prev_hash, "");
	assert_string_equal(a[1].prev_hash, a[0].hash);
	assert_non_null(strstr(a[0].details, "\"name\":\"laptop\""));
	assert_null(strstr(a[0].details, "sitrep_"));
	assert_int_equal(timeline_verify(a, n), -1);
	/* any field changed breaks the chain there */
	free(a[1].via);
	a[1].via = xstrdup("local:mallory");
	assert_int_equal(timeline_verify(a, n), 1);
	free(a[0].details);
	a[0].details = xstrdup("{}");
	assert_int_equal(timeline_verify(a, n), 0);
	store_events_free(a, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scopes),
		cmocka_unit_test_setup_teardown(test_create_authenticate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	};

	unsetenv("XDG_CONFIG_HOME");
	repo_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
