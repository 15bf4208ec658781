/* test_base64.c: the constant-time codec gives RFC 4648's test vectors,
 * agrees with mbedTLS's encoder on every length up to 100 and every byte
 * value, decodes what it encodes, accepts exactly the 64 characters of the
 * alphabet, and refuses lengths no encoding has. */
#include "testutil.h"

#include <mbedtls/base64.h>

#include "sitrep/base64.h"

static void
test_rfc4648_vectors(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	char enc[16];
	unsigned char dec[16];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		size_t n = strlen(in[i]), m = strlen(out[i]);

		assert_int_equal(base64_encode(enc, in[i], n), m);
		assert_string_equal(enc, out[i]);
		assert_int_equal(BASE64_ENCODED_LEN(n), m);
		while (m > 0 && out[i][m - 1] == '=')
			m--;
		assert_true(base64_decode(dec, &len, out[i], m));
		assert_int_equal(len, n);
		assert_memory_equal(dec, in[i], n);
	}
}

/* Bytes from a fixed xorshift sequence, every value included. */
static void
fill(unsigned char *p, size_t n, uint32_t *x)
{
	for (size_t i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		p[i] = (unsigned char)(*x >> 24);
	}
}

static void
test_agrees_with_mbedtls(void **state)
{
	unsigned char src[256], dec[BASE64_DECODED_MAX(344)];
	char ours[344 + 1];
	unsigned char theirs[344 + 1];
	size_t olen, len;
	uint32_t x = 2463534242U;

	(void)state;
	for (size_t i = 0; i < 256; i++)
		src[i] = (unsigned char)i;
	for (int round = 0; round < 50; round++) {
		for (size_t n = 0; n <= 100; n++) {
			const unsigned char *p = round == 0 ? src + (n * 7) % 156 : src;

			if (round > 0)
				fill(src, n, &x);
			assert_int_equal(base64_encode(ours, p, n), BASE64_ENCODED_LEN(n));
			theirs[0] = '\0'; /* mbedTLS writes nothing for no bytes */
			assert_int_equal(mbedtls_base64_encode(theirs, sizeof(theirs), &olen, p, n), 0);
			assert_int_equal(olen, BASE64_ENCODED_LEN(n));
			assert_string_equal(ours, (const char *)theirs);
			/* decoded with and without its padding */
			assert_true(base64_decode(dec, &len, ours, strcspn(ours, "=")));
			assert_int_equal(len, n);
			assert_memory_equal(dec, p, n);
		}
	}
	/* all 256 byte values in one buffer */
	for (size_t i = 0; i < 256; i++)
		src[i] = (unsigned char)i;
	assert_int_equal(base64_encode(ours, src, 255), 340);
	assert_true(base64_decode(dec, &len, ours, 340));
	assert_int_equal(len, 255);
	assert_memory_equal(dec, src, 255);
}

static void
test_alphabet(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char dec[8];
	char back[5];
	size_t len;

	(void)state;
	for (int c = 0; c < 256; c++) {
		char in[4] = { 'Q', 'U', 'J', 'D' };
		bool valid = c != 0 && strchr(alphabet, c) != NULL;

		for (int pos = 0; pos < 4; pos++) {
			in[pos] = (char)c;
			len = 99;
			assert_int_equal(base64_decode(dec, &len, in, 4), valid);
			assert_int_equal(len, valid ? 3 : 0);
			if (valid) { /* the encoder, checked against mbedTLS, says it back */
				base64_encode(back, dec, 3);
				assert_memory_equal(back, in, 4);
			}
			in[pos] = "QUJD"[pos];
		}
	}
}

static void
test_lengths_refused(void **state)
{
	unsigned char dec[16];
	size_t len = 99;

	(void)state;
	assert_false(base64_decode(dec, &len, "Q", 1));
	assert_int_equal(len, 0);
	assert_false(base64_decode(dec, &len, "QUJDR", 5));
	assert_false(base64_decode(dec, &len, "QUJDRUZHS", 9));
	/* 0, 2 and 3 more than a multiple of four are fine */
	assert_true(base64_decode(dec, &len, "", 0));
	assert_int_equal(len, 0);
	assert_true(base64_decode(dec, &len, "QUJDRQ", 6));
	assert_int_equal(len, 4);
	assert_memory_equal(dec, "ABCE", 4);
	assert_true(base64_decode(dec, &len, "QUJDRUY", 7));
	assert_int_equal(len, 5);
	assert_memory_equal(dec, "ABCEF", 5);
	/* '=' in the middle is outside the alphabet */
	assert_false(base64_decode(dec, &len, "QU=D", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_agrees_with_mbedtls),
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_lengths_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
