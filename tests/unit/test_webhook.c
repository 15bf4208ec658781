/* test_webhook.c: Standard Webhooks signatures match the specification's
 * published example and values computed independently; new secrets have
 * the right shape; malformed secrets are refused without being quoted. */
#include "testutil.h"

#include "sitrep/base64.h"
#include "sitrep/err.h"
#include "sitrep/webhook.h"

#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS 1614265330
#define SPEC_BODY "{\"test\": 2432232314}"
/*
 * The example on https://www.standardwebhooks.com/ (and in its reference
 * libraries' tests), checked with:
 * python3 -c 'import hmac,hashlib,base64; k=base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
 *   print("v1,"+base64.b64encode(hmac.new(k,b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}",
 *   hashlib.sha256).digest()).decode())'
 */
#define SPEC_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
assert_signs(const char *secret, const char *id, int64_t ts, const char *body,
	     size_t len, const char *want)
{
	char *sig = NULL;

	assert_int_equal(webhook_sign(&sig, secret, id, ts, body, len), 0);
	assert_non_null(sig);
	assert_string_equal(sig, want);
	free(sig);
}

static void
test_spec_example(void **state)
{
	(void)state;
	assert_signs(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY), SPEC_SIG);
}

/* A secret without its "whsec_" prefix is the same key. */
static void
test_secret_without_prefix(void **state)
{
	(void)state;
	assert_signs(&SPEC_SECRET[strlen("whsec_")], SPEC_ID, SPEC_TS, SPEC_BODY,
		     strlen(SPEC_BODY), SPEC_SIG);
}

/* Every byte of the body counts, NULs included, and nothing after it. */
static void
test_body_is_bytes(void **state)
{
	const char body[] = "a\0b and more that is not part of the body";

	(void)state;
	/* printf 'outbox_42.1795432777.a\0b' | openssl dgst -sha256 -mac HMAC \
	 *   -macopt hexkey:$(printf 'sitrep-test-key' | xxd -p) -binary | base64 */
	assert_signs("whsec_c2l0cmVwLXRlc3Qta2V5", "outbox_42", 1795432777, body, 3,
		     "v1,cImuY3LJsX1cnv//5IrABPu8tk70TNCEUGm//3DCyWA=");
}

/* Padding may be left off, as the reference libraries allow; an empty
 * body signs "id.timestamp." */
static void
test_padding_optional(void **state)
{
	/* printf 'm1.0.' | openssl dgst -sha256 -hmac sitrep-key -binary | base64
	 * (base64 of "sitrep-key" is c2l0cmVwLWtleQ==) */
	const char *want = "v1,5PjuHTOaAwSmi95Is6WHaBj/Eg2N9/4usUdR/0/XQy0=";

	(void)state;
	assert_signs("whsec_c2l0cmVwLWtleQ==", "m1", 0, NULL, 0, want);
	assert_signs("whsec_c2l0cmVwLWtleQ", "m1", 0, "", 0, want);
}

/* A different id, time or body gives a different signature. */
static void
test_inputs_bound(void **state)
{
	char *a, *b, *c, *d;

	(void)state;
	assert_int_equal(webhook_sign(&a, SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY)), 0);
	assert_int_equal(webhook_sign(&b, SPEC_SECRET, "msg_other", SPEC_TS, SPEC_BODY, strlen(SPEC_BODY)), 0);
	assert_int_equal(webhook_sign(&c, SPEC_SECRET, SPEC_ID, SPEC_TS + 1, SPEC_BODY, strlen(SPEC_BODY)), 0);
	assert_int_equal(webhook_sign(&d, SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY) - 1), 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void
check_secret_shape(const char *s)
{
	unsigned char key[64];
	size_t n = 0;

	assert_int_equal(strncmp(s, "whsec_", 6), 0);
	/* 24 bytes are 32 base64 characters, no padding */
	assert_int_equal(strlen(s), 6 + 32);
	assert_int_equal(strspn(s + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), 32);
	assert_true(base64_decode(key, &n, s + 6, 32));
	assert_int_equal(n, 24);
}

static void
test_secret_new(void **state)
{
	char *a = NULL, *b = NULL, *sig = NULL;

	(void)state;
	assert_int_equal(webhook_secret_new(&a), 0);
	assert_int_equal(webhook_secret_new(&b), 0);
	check_secret_shape(a);
	check_secret_shape(b);
	assert_string_not_equal(a, b);
	/* and it is a secret webhook_sign takes */
	assert_int_equal(webhook_sign(&sig, a, "m", 1, "{}", 2), 0);
	assert_int_equal(strncmp(sig, "v1,", 3), 0);
	assert_int_equal(strlen(sig), 3 + 44);
	free(a);
	free(b);
	free(sig);
}

static void
test_timestamp(void **state)
{
	char out[WEBHOOK_TIMESTAMP_MAX], want[64];
	const int64_t v[] = { 0, 7, 10, SPEC_TS, -1, -1614265330, INT64_MAX, INT64_MIN };

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)v[i]);
		assert_int_equal(webhook_timestamp(out, v[i]), strlen(want));
		assert_string_equal(out, want);
	}
}

static void
assert_refused(const char *secret, const char *msg)
{
	char *sig = (char *)"untouched";

	err_clear();
	assert_int_equal(webhook_sign(&sig, secret, "m", 1, "{}", 2), SR_EINVALID);
	assert_null(sig);
	assert_string_equal(err_last(), msg);
}

static void
test_bad_secrets(void **state)
{
	const char *bad = "webhook secret is not valid base64";

	(void)state;
	assert_refused("", "webhook secret is empty");
	assert_refused("whsec_", "webhook secret is empty");
	assert_refused("whsec_not base64!", bad);
	assert_refused("whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw", bad);	/* mbedTLS would skip the space */
	assert_refused("whsec_MfKQ9r8GKYqrTwjU\nPD8ILPZIo2LaLaSw", bad);
	assert_refused("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaL", bad);	/* 29: 1 mod 4 is never base64 */
	assert_refused("whsec_====", bad);
	assert_refused("whsec_c2l0cmVwLWtleQ=", bad);	/* padding there but short */
	assert_refused("whsec_c2l0cm=VwLWtleQ==", bad);
	assert_refused("whsec_c2l0cmVwLWtleQ===", bad);
	assert_refused("whsec_c2l0cmVw_WtleQ==", bad);	/* base64url is not the standard alphabet */
	assert_refused("whsec-MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", bad);
}

/* A key longer than SHA-256's block (80 bytes) is hashed first. */
static void
test_long_key(void **state)
{
	/* 80 bytes: 0, 1, 2, ... 79 */
	static const char key80[] = "whsec_"
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		"LS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk8=";

	(void)state;
	/* python3 -c 'import hmac,hashlib,base64; print("v1,"+base64.b64encode(
	 *   hmac.new(bytes(range(80)), b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330."
	 *   b"{\"test\": 2432232314}", hashlib.sha256).digest()).decode())' */
	assert_signs(key80, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY),
		     "v1,/UPqDXVO53MRUAytI8xuvbN0q7OSARz/GVHsaZ7bCP8=");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_secret_without_prefix),
		cmocka_unit_test(test_body_is_bytes),
		cmocka_unit_test(test_padding_optional),
		cmocka_unit_test(test_inputs_bound),
		cmocka_unit_test(test_secret_new),
		cmocka_unit_test(test_bad_secrets),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_long_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
