/* test_clock.c: the UTC timestamps and mock clock of clock.c, times as a
 * reader sees them, and moments as a user types them. */
#include "testutil.h"

#include "sitrep/clock.h"
#include "sitrep/err.h"

static void
test_format_iso(void **state)
{
	char buf[32];

	(void)state;
	clock_format_iso(buf, sizeof(buf), INT64_C(1795432777123));
	assert_string_equal(buf, "2026-11-23T11:19:37.123Z");
	clock_format_iso(buf, sizeof(buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	clock_format_iso(buf, sizeof(buf), INT64_C(1795432777005));
	assert_string_equal(buf, "2026-11-23T11:19:37.005Z");
	/* leap day, last millisecond of the day */
	clock_format_iso(buf, sizeof(buf), INT64_C(1709251199999));
	assert_string_equal(buf, "2024-02-29T23:59:59.999Z");
	assert_int_equal(strlen(buf), strlen("YYYY-MM-DDTHH:MM:SS.mmmZ"));
}

static void
test_fake_clock(void **state)
{
	int64_t before, now;

	(void)state;
	clock_set_fake(INT64_C(1795432777123));
	assert_int_equal(clock_now_ms(), INT64_C(1795432777123));
	assert_int_equal(clock_now_ms(), INT64_C(1795432777123));
	clock_set_fake(INT64_C(1795432777123) + 60000);
	assert_int_equal(clock_now_ms(), INT64_C(1795432837123));

	/* 0 returns to the real clock: after 2020, and moving forward */
	clock_set_fake(0);
	before = clock_now_ms();
	assert_true(before > INT64_C(1577836800000));
	usleep(5000);
	now = clock_now_ms();
	assert_true(now >= before + 4);
}

/* Moments for --at, --from and --until. */
static void
test_parse_time(void **state)
{
	/* 2026-11-23T12:00:00Z */
	int64_t now = 1795435200000, t;

	(void)state;
	assert_int_equal(clock_parse_time(&t, "+30m", now), 0);
	assert_int_equal(t, now + 1800000);
	assert_int_equal(clock_parse_time(&t, "14:05", now), 0);
	assert_int_equal(t, now + (2 * 3600 + 5 * 60) * 1000LL);
	assert_int_equal(clock_parse_time(&t, "11:00", now), 0); /* tomorrow */
	assert_int_equal(t, now + 23 * 3600 * 1000LL);
	assert_int_equal(clock_parse_time(&t, "2026-11-24T06:30Z", now), 0);
	assert_int_equal(t, now + (18 * 3600 + 30 * 60) * 1000LL);
	assert_int_equal(clock_parse_time(&t, "2026-11-24 06:30:15", now), 0);
	assert_int_equal(t, now + (18 * 3600 + 30 * 60 + 15) * 1000LL);
	assert_int_equal(clock_parse_time(&t, "tomorrow", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "25:00", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "+5x", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "2026-11-24T06:30Zjunk", now), SR_EUSAGE);
	/* a day the month has not was read as one of the next month */
	assert_int_equal(clock_parse_time(&t, "2026-02-30T00:00Z", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "2026-02-29 09:00", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "2026-04-31T09:00Z", now), SR_EUSAGE);
	assert_int_equal(clock_parse_time(&t, "2028-02-29T09:00Z", now), 0);
	assert_int_equal(clock_parse_time(&t, "2026-11-24T06:30:60Z", now), 0);
	assert_int_equal(t, now + (18 * 3600 + 31 * 60) * 1000LL);
}

/*
 * A bad relative time says what was wrong in words that can be read: the
 * message that wraps duration_parse's used to be formatted into the buffer
 * it was read from ("'+3d2h': '+3d2h': ion '3d2h': ...").
 */
static void
test_parse_time_bad_relative_message(void **state)
{
	int64_t now = 1795435200000, t = 7;
	const struct {
		const char *text, *want;
	} cases[] = {
		{ "+3d2h", "bad time '+3d2h': bad duration '3d2h': one number and one unit, like 90m" },
		{ "+5x", "bad time '+5x': bad unit in duration '5x': use s, m, h or d" },
		{ "+", "bad time '+': empty duration: write a number and a unit, like 30s, 5m, 2h or 1d" },
		{ "+-5m", "bad time '+-5m': negative duration '-5m'" },
		{ "+36501d", "bad time '+36501d': duration '36501d' is too large" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear();
		assert_int_equal(clock_parse_time(&t, cases[i].text, now), SR_EUSAGE);
		assert_int_equal(t, 7);
		assert_string_equal(err_last(), cases[i].want);
	}
}

/* err_set may wrap the last message in a new one, however long. */
static void
test_err_set_wraps_its_own_message(void **state)
{
	char big[2000];

	(void)state;
	err_set(SR_EUSAGE, "inner %d", 42);
	err_set(SR_EUSAGE, "outer: %s", err_last());
	err_set(SR_EUSAGE, "'%s': %s", "x", err_last());
	assert_string_equal(err_last(), "'x': outer: inner 42");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(SR_EUSAGE, "%s", big);
	err_set(SR_EUSAGE, "b%s", err_last());
	assert_int_equal(err_last()[0], 'b');
	assert_int_equal(err_last()[1], 'a');
	assert_int_equal(strlen(err_last()), 1023);
}

/* Times for a reader: today's bare, any other day's with its date, another
 * year's with the year (issue 11: "Next update by 06:56 UTC" for a promise
 * two days out). The clock is fixed at 2026-12-03T23:50Z, a Thursday. */
static void
test_format_when(void **state)
{
	int64_t now = INT64_C(1796341800000), min = 60000, day = 86400000;
	char out[CLOCK_WHEN_MAX];

	(void)state;
	clock_set_fake(now);
	clock_format_when(out, sizeof(out), now + 5 * min, clock_now_ms());
	assert_string_equal(out, "23:55 UTC");
	clock_format_when(out, sizeof(out), now - 23 * 60 * min, clock_now_ms());
	assert_string_equal(out, "00:50 UTC");
	/* twenty minutes later is tomorrow: it says so */
	clock_format_when(out, sizeof(out), now + 20 * min, clock_now_ms());
	assert_string_equal(out, "Fri 4 Dec 00:10 UTC");
	/* the case: two days out */
	clock_format_when(out, sizeof(out), INT64_C(1796453760000), clock_now_ms());
	assert_string_equal(out, "Sat 5 Dec 06:56 UTC");
	clock_format_when(out, sizeof(out), now - day, clock_now_ms());
	assert_string_equal(out, "Wed 2 Dec 23:50 UTC");
	/* across the year: the year too, both ways */
	clock_format_when(out, sizeof(out), now + 28 * day + 40 * min, clock_now_ms());
	assert_string_equal(out, "Fri 1 Jan 2027 00:30 UTC");
	clock_set_fake(now + 28 * day + 40 * min);
	clock_format_when(out, sizeof(out), now, clock_now_ms());
	assert_string_equal(out, "Thu 3 Dec 2026 23:50 UTC");
	/* in the page's time zone: its day, its abbreviation */
	assert_int_equal(clock_set_reader_zone("Europe/Berlin"), 0);
	clock_set_fake(now);
	/* now is 00:50 on the 4th in Berlin: "today" is the 4th there */
	clock_format_when(out, sizeof(out), now + 5 * min, clock_now_ms());
	assert_string_equal(out, "00:55 CET");
	clock_format_when(out, sizeof(out), now - 60 * min, clock_now_ms());
	assert_string_equal(out, "Thu 3 Dec 23:50 CET");
	assert_int_equal(clock_set_reader_zone("America/New_York"), 0);
	clock_format_when(out, sizeof(out), INT64_C(1796453760000), clock_now_ms());
	assert_string_equal(out, "Sat 5 Dec 01:56 EST");
	assert_int_equal(clock_set_reader_zone("Mars/Olympus_Mons"), SR_EINVALID);
	assert_int_equal(clock_set_reader_zone("../../etc/passwd"), SR_EINVALID);
	assert_int_equal(clock_set_reader_zone("UTC"), 0);
	clock_format_when(out, sizeof(out), now, clock_now_ms());
	assert_string_equal(out, "23:50 UTC");
	/* a short buffer is cut, never overrun */
	clock_format_when(out, 6, now, now + 28 * day);
	assert_string_equal(out, "Thu 3");
	clock_set_fake(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_iso),
		cmocka_unit_test(test_fake_clock),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_time_bad_relative_message),
		cmocka_unit_test(test_err_set_wraps_its_own_message),
		cmocka_unit_test(test_format_when),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
