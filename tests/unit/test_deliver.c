/* test_deliver.c: what the delivery engine reads from a receiver's answer
 * (the Retry-After header's value, delay-seconds or an HTTP-date). Sending
 * is tested against real servers in tests/cli/t0006-delivery.sh. */
#include "testutil.h"

#include "sitrep/deliver.h"

/* 2026-11-23T12:00:00Z */
#define NOW ((time_t)1795435200)

static void
test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(deliver_retry_after("120", NOW), 120);
	assert_int_equal(deliver_retry_after(" 0\r\n", NOW), 0);
	assert_int_equal(deliver_retry_after("\t7", NOW), 7);
	assert_int_equal(deliver_retry_after("-5", NOW), -1);
	assert_int_equal(deliver_retry_after("5s", NOW), -1);
	assert_int_equal(deliver_retry_after("", NOW), -1);
	assert_int_equal(deliver_retry_after("soon", NOW), -1);
}

static void
test_retry_after_date(void **state)
{
	(void)state;
	assert_int_equal(deliver_retry_after("Mon, 23 Nov 2026 12:01:30 GMT", NOW), 90);
	assert_int_equal(deliver_retry_after("Mon, 23 Nov 2026 12:01:30 GMT\r\n", NOW), 90);
	/* a date passed: at once */
	assert_int_equal(deliver_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW), 0);
	assert_int_equal(deliver_retry_after("Mon, 23 Nov 2026 12:01:30", NOW), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
