/* test_utf8.c: the UTF-8 checker against RFC 3629's edges: every length,
 * overlongs, surrogates, the top of the range, cut sequences and NUL. */
#include "testutil.h"

#include <string.h>

#include "sitrep/err.h"
#include "sitrep/utf8.h"

static bool
valid(const char *s)
{
	return utf8_valid(s, strlen(s), NULL);
}

static void
test_valid_text(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("plain ascii\t\n"));
	assert_true(valid("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5"));
	assert_true(valid("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
	assert_true(valid("\xed\x9f\xbf\xee\x80\x80")); /* around the surrogates */
}

static void
test_invalid_text(void **state)
{
	size_t at = 99;

	(void)state;
	assert_false(utf8_valid("x \xff", 3, &at));
	assert_int_equal(at, 2);
	assert_false(valid("\x80"));              /* stray continuation */
	assert_false(valid("\xc0\xaf"));          /* overlong '/' */
	assert_false(valid("\xc1\xbf"));
	assert_false(valid("\xe0\x9f\xbf"));      /* overlong 3 */
	assert_false(valid("\xf0\x8f\xbf\xbf"));  /* overlong 4 */
	assert_false(valid("\xed\xa0\x80"));      /* U+D800 */
	assert_false(valid("\xed\xbf\xbf"));      /* U+DFFF */
	assert_false(valid("\xf4\x90\x80\x80"));  /* U+110000 */
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xe2\x9c"));          /* cut short */
	assert_false(valid("\xe2\x9c" "a"));
	assert_false(utf8_valid("a\0b", 3, &at)); /* NUL */
	assert_int_equal(at, 1);
}

static void
test_check_message(void **state)
{
	(void)state;
	assert_int_equal(utf8_check("the title", "ok \xe2\x9c\x93"), 0);
	assert_int_equal(utf8_check("the title", "ab\xfe"), SR_EINVALID);
	assert_string_equal(err_last(), "the title is not valid UTF-8 (byte 3)");
}

/* What was never checked is shown, each bad byte as U+FFFD. */
static void
test_repair(void **state)
{
	char *r;

	(void)state;
	r = utf8_repair("ok \xe2\x9c\x93");
	assert_string_equal(r, "ok \xe2\x9c\x93");
	free(r);
	r = utf8_repair("x \xff");
	assert_string_equal(r, "x \xef\xbf\xbd");
	free(r);
	r = utf8_repair("\xe2\x9c" "a\xc0\xaf");
	assert_string_equal(r, "\xef\xbf\xbd\xef\xbf\xbd" "a\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(utf8_valid(r, strlen(r), NULL));
	free(r);
	r = utf8_repair("");
	assert_string_equal(r, "");
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_text),
		cmocka_unit_test(test_invalid_text),
		cmocka_unit_test(test_check_message),
		cmocka_unit_test(test_repair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
