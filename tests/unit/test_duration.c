/* test_duration.c: parsing and formatting playbook durations, as a
 * playbook author would see them. */
#include "testutil.h"

#include "sitrep/duration.h"
#include "sitrep/err.h"

/* Parse text and assert it fails with SR_EUSAGE, leaves the output alone and
 * names the problem (want, a substring of err_last()). */
static void
expect_bad(const char *text, const char *want)
{
	int64_t v = 12345;

	err_clear();
	assert_int_equal(duration_parse(&v, text), SR_EUSAGE);
	assert_int_equal(v, 12345);
	if (strstr(err_last(), want) == NULL)
		fail_msg("duration '%s': message '%s' does not mention '%s'",
			 text ? text : "(null)", err_last(), want);
}

static int64_t
parse_ok(const char *text)
{
	int64_t v = -1;

	if (duration_parse(&v, text) != 0)
		fail_msg("duration '%s' refused: %s", text, err_last());
	return v;
}

static void
test_units(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("30s"), 30);
	assert_int_equal(parse_ok("5m"), 300);
	assert_int_equal(parse_ok("2h"), 7200);
	assert_int_equal(parse_ok("1d"), 86400);
	assert_int_equal(parse_ok("90m"), 5400);
	assert_int_equal(parse_ok("0s"), 0);
	assert_int_equal(parse_ok("007m"), 420);
}

static void
test_hundred_years_is_the_limit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("36500d"), INT64_C(36500) * 86400);
	assert_int_equal(parse_ok("3153600000s"), INT64_C(3153600000));
	expect_bad("36501d", "too large");
	expect_bad("3153600001s", "too large");
	expect_bad("876001h", "too large");
}

static void
test_bad_unit(void **state)
{
	(void)state;
	expect_bad("5x", "unit");
	expect_bad("5x", "'5x'");
	expect_bad("5M", "unit");
	expect_bad("5 m", "unit");
}

static void
test_empty(void **state)
{
	(void)state;
	expect_bad("", "empty");
	expect_bad(NULL, "empty");
}

static void
test_negative(void **state)
{
	(void)state;
	expect_bad("-5m", "negative");
	expect_bad("-5m", "'-5m'");
}

static void
test_no_unit(void **state)
{
	(void)state;
	expect_bad("5", "no unit");
	expect_bad("5", "'5'");
}

static void
test_no_number(void **state)
{
	(void)state;
	expect_bad("m", "bad duration 'm'");
	expect_bad("+5m", "bad duration");
	expect_bad(" 5m", "bad duration");
}

static void
test_trailing_garbage(void **state)
{
	(void)state;
	expect_bad("5m5", "bad duration '5m5'");
	expect_bad("5m5", "one number and one unit");
	expect_bad("1h30m", "one number and one unit");
	expect_bad("5ms", "one number and one unit");
}

static void
test_overflow(void **state)
{
	(void)state;
	expect_bad("99999999999999999999d", "too large");
	expect_bad("99999999999999999999999999999999999999s", "too large");
	expect_bad("9223372036854775807s", "too large");
}

static void
test_format(void **state)
{
	char buf[32];

	(void)state;
	duration_format(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0s");
	duration_format(buf, sizeof(buf), 30);
	assert_string_equal(buf, "30s");
	duration_format(buf, sizeof(buf), 90);
	assert_string_equal(buf, "90s");
	duration_format(buf, sizeof(buf), 300);
	assert_string_equal(buf, "5m");
	duration_format(buf, sizeof(buf), 3660);
	assert_string_equal(buf, "61m");
	duration_format(buf, sizeof(buf), 7200);
	assert_string_equal(buf, "2h");
	duration_format(buf, sizeof(buf), 90000);
	assert_string_equal(buf, "25h");
	duration_format(buf, sizeof(buf), 86400);
	assert_string_equal(buf, "1d");
	duration_format(buf, sizeof(buf), INT64_C(36500) * 86400);
	assert_string_equal(buf, "36500d");
}

static void
test_format_round_trips(void **state)
{
	static const int64_t secs[] = {
		1, 30, 59, 60, 61, 90, 300, 3599, 3600, 3660, 5400, 7200, 86399,
		86400, 90000, 172800, INT64_C(36500) * 86400,
	};
	static const char *const texts[] = {
		"30s", "5m", "2h", "1d", "90s", "59m", "23h", "7d", "36500d",
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		duration_format(buf, sizeof(buf), secs[i]);
		assert_int_equal(parse_ok(buf), secs[i]);
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		duration_format(buf, sizeof(buf), parse_ok(texts[i]));
		assert_string_equal(buf, texts[i]);
	}
	/* not the shortest spelling: the value survives, the text is shortened */
	duration_format(buf, sizeof(buf), parse_ok("120s"));
	assert_string_equal(buf, "2m");
	duration_format(buf, sizeof(buf), parse_ok("48h"));
	assert_string_equal(buf, "2d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_hundred_years_is_the_limit),
		cmocka_unit_test(test_bad_unit),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_no_unit),
		cmocka_unit_test(test_no_number),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
