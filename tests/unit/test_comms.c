/* test_comms.c: comms.c's pure helpers: how a maintenance window reads
 * (the date when not today, seconds when it is short). Publishing and
 * routing are driven end to end by tests/cli (t0005, t0014). */
#include "testutil.h"

#include "sitrep/comms.h"

/* 2026-12-03T06:46:10.000Z and friends, in ms. */
#define DAY 86400000LL
#define T0 1796280370000LL /* 2026-12-03 06:46:10 UTC */

static void
test_window_today_minutes(void **state)
{
	char out[96];

	(void)state;
	comms_format_window(out, sizeof(out), T0, T0 + 3600000, T0 - 60000);
	assert_string_equal(out, "06:46 UTC until 07:46 UTC");
}

/* A window shorter than five minutes used to read "06:46 UTC until
 * 06:46 UTC". */
static void
test_window_short_has_seconds(void **state)
{
	char out[96];

	(void)state;
	comms_format_window(out, sizeof(out), T0, T0 + 20000, T0);
	assert_string_equal(out, "06:46:10 UTC until 06:46:30 UTC");
}

static void
test_window_other_day_has_date(void **state)
{
	char out[96];

	(void)state;
	comms_format_window(out, sizeof(out), T0 + 2 * DAY, T0 + 2 * DAY + 7200000, T0);
	assert_string_equal(out, "2026-12-05 06:46 UTC until 08:46 UTC");
	/* across midnight the end carries its own date */
	comms_format_window(out, sizeof(out), T0 + 16 * 3600000LL, T0 + 19 * 3600000LL, T0);
	assert_string_equal(out, "22:46 UTC until 2026-12-04 01:46 UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_today_minutes),
		cmocka_unit_test(test_window_short_has_seconds),
		cmocka_unit_test(test_window_other_day_has_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
