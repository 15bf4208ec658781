/* test_digest.c: SHA-256 and HMAC-SHA256 give the published test vectors
 * (FIPS 180-2's, RFC 4231's) whole or in parts, with mbedTLS and again
 * with OpenSSL's libcrypto once it is loaded (as libcurl loads it in the
 * delivery engine); hex is lowercase; random bytes differ from call to
 * call. */
#include "testutil.h"

#include <dlfcn.h>

#include "sitrep/digest.h"

static void
assert_hex(const unsigned char *md, const char *want)
{
	char hex[2 * DIGEST_SHA256_LEN + 1];

	digest_hex(hex, md, DIGEST_SHA256_LEN);
	assert_string_equal(hex, want);
}

static void
test_sha256(void **state)
{
	unsigned char md[DIGEST_SHA256_LEN];
	const void *abc[] = { "abc" }, *split[] = { "a", "", "bc" };
	const size_t abc_len[] = { 3 }, split_len[] = { 1, 0, 2 };

	(void)state;
	digest_sha256(md, NULL, NULL, 0);
	assert_hex(md, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_sha256(md, abc, abc_len, 1);
	assert_hex(md, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_sha256(md, split, split_len, 3);
	assert_hex(md, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* RFC 4231, test cases 1, 2 and 6 (a key longer than the block). */
static void
test_hmac_sha256(void **state)
{
	unsigned char md[DIGEST_SHA256_LEN], key1[20], key6[131];
	const void *hi[] = { "Hi There" }, *what[] = { "what do ya want ", "for nothing?" };
	const void *big[] = { "Test Using Larger Than Block-Size Key - Hash Key First" };
	const size_t hi_len[] = { 8 }, what_len[] = { 16, 12 }, big_len[] = { 54 };

	(void)state;
	memset(key1, 0x0b, sizeof(key1));
	memset(key6, 0xaa, sizeof(key6));
	digest_hmac_sha256(md, key1, sizeof(key1), hi, hi_len, 1);
	assert_hex(md, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	digest_hmac_sha256(md, "Jefe", 4, what, what_len, 2);
	assert_hex(md, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	digest_hmac_sha256(md, key6, sizeof(key6), big, big_len, 1);
	assert_hex(md, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_hex(void **state)
{
	const unsigned char p[] = { 0x00, 0x0f, 0xa5, 0xff };
	char out[9];

	(void)state;
	digest_hex(out, p, sizeof(p));
	assert_string_equal(out, "000fa5ff");
	digest_hex(out, p, 0);
	assert_string_equal(out, "");
}

static void
test_random(void **state)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 };

	(void)state;
	assert_int_equal(digest_random(a, sizeof(a), "a test"), 0);
	assert_int_equal(digest_random(b, sizeof(b), "a test"), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* Without libcrypto in the process digest_accelerate changes nothing;
 * this test loads it and then it must switch, with the same digests. */
static void
test_accelerated(void **state)
{
	void *lib;

	assert_false(digest_accelerate());
	lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	assert_non_null(lib);
	assert_true(digest_accelerate());
	test_sha256(state);
	test_hmac_sha256(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_random),
		/* last: it switches the process to OpenSSL */
		cmocka_unit_test(test_accelerated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
