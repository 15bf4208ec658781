/* test_tz.c: the TZif reader against glibc (setenv TZ with localtime_r and
 * mktime, fine in this single-threaded test) over many instants from 1970
 * to 2040 in zones with and without daylight saving, and the gaps and
 * repeats of a change by hand. */
#include "testutil.h"

#include <time.h>

#include "sitrep/err.h"
#include "sitrep/tz.h"

static const char *const zones[] = {
	"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC",
};

static void
use_tz(const char *name)
{
	setenv("TZ", name, 1);
	tzset();
}

static struct tz *
load(const char *name)
{
	struct tz *z = NULL;

	if (tz_load(&z, name) != 0)
		fail_msg("tz_load %s: %s", name, err_last());
	return z;
}

static void
test_to_local_matches_glibc(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		struct tz *z = load(zones[k]);

		use_tz(zones[k]);
		/* every 7h13m17s from 1970 to 2041: every hour of the day,
		 * every change of every year */
		for (int64_t t = 0; t < 2240611200; t += 25997) {
			time_t tt = (time_t)t;
			struct tm tm;
			struct tz_local l;

			localtime_r(&tt, &tm);
			tz_to_local(&l, z, t * 1000);
			if (l.year != tm.tm_year + 1900 || l.month != tm.tm_mon + 1 ||
			    l.day != tm.tm_mday || l.hour != tm.tm_hour || l.min != tm.tm_min ||
			    l.sec != tm.tm_sec || l.wday != tm.tm_wday || l.yday != tm.tm_yday ||
			    l.offset != tm.tm_gmtoff || l.dst != (tm.tm_isdst > 0) ||
			    strcmp(l.abbr, tm.tm_zone) != 0)
				fail_msg("%s at %lld: %04d-%02d-%02d %02d:%02d:%02d %+d %s, glibc "
					 "%04d-%02d-%02d %02d:%02d:%02d %+ld %s", zones[k],
					 (long long)t, l.year, l.month, l.day, l.hour, l.min,
					 l.sec, (int)l.offset, l.abbr, tm.tm_year + 1900,
					 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
					 tm.tm_sec, tm.tm_gmtoff, tm.tm_zone);
		}
		tz_free(z);
	}
}

static bool
shows(time_t t, const struct tm *want)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_year == want->tm_year && tm.tm_mon == want->tm_mon &&
	       tm.tm_mday == want->tm_mday && tm.tm_hour == want->tm_hour &&
	       tm.tm_min == want->tm_min;
}

/*
 * Wall-clock times every 2h47m (and the half hours around every change):
 * where glibc's clocks show the time, ours is the first instant that does;
 * where none does (a gap), ours is the change that skipped it.
 */
static void
check_local(const struct tz *z, const char *zone, int64_t local_s)
{
	int y, mo, d;
	int64_t days = local_s / 86400, sod = local_s % 86400;
	struct tm want = { 0 };
	time_t guess, best = 0;
	bool found = false;
	int64_t ours;

	tz_civil_from_days(&y, &mo, &d, days);
	want.tm_year = y - 1900;
	want.tm_mon = mo - 1;
	want.tm_mday = d;
	want.tm_hour = (int)(sod / 3600);
	want.tm_min = (int)(sod / 60 % 60);
	want.tm_isdst = -1;
	{
		struct tm copy = want;

		guess = mktime(&copy);
	}
	for (int64_t delta = -7200; delta <= 7200; delta += 1800)
		if (shows(guess + delta, &want) && (!found || guess + delta < best)) {
			best = guess + (time_t)delta;
			found = true;
		}
	ours = tz_to_utc(z, local_s);
	assert_int_equal(ours % 1000, 0);
	if (found) {
		if (ours / 1000 != best)
			fail_msg("%s %04d-%02d-%02d %02d:%02d: %lld, glibc %lld", zone, y, mo,
				 d, want.tm_hour, want.tm_min, (long long)ours / 1000,
				 (long long)best);
	} else {
		/* a gap: the clock shows a later time at ours, an earlier one
		 * a second before */
		struct tz_local at, before;

		tz_to_local(&at, z, ours);
		tz_to_local(&before, z, ours - 1000);
		if (!(tz_local_seconds(at.year, at.month, at.day, at.hour, at.min, at.sec) >
		      local_s &&
		      tz_local_seconds(before.year, before.month, before.day, before.hour,
				       before.min, before.sec) < local_s))
			fail_msg("%s %04d-%02d-%02d %02d:%02d is in a gap: %lld is not its end",
				 zone, y, mo, d, want.tm_hour, want.tm_min, (long long)ours);
	}
}

static void
test_to_utc_matches_glibc(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		struct tz *z = load(zones[k]);

		use_tz(zones[k]);
		for (int64_t l = 86400; l < 2240611200; l += 10020)
			check_local(z, zones[k], l);
		/* the half hours around every change glibc knows of */
		for (int64_t t = 86400; t < 2240611200; t += 1800) {
			time_t a = (time_t)t, b = (time_t)(t + 1800);
			struct tm ta, tb;

			localtime_r(&a, &ta);
			localtime_r(&b, &tb);
			if (ta.tm_gmtoff == tb.tm_gmtoff)
				continue;
			for (int64_t dl = -5400; dl <= 5400; dl += 900)
				check_local(z, zones[k], t + ta.tm_gmtoff + dl);
		}
		tz_free(z);
	}
}

/* Berlin's changes of 2026 by hand: 29 March 02:00 CET -> 03:00 CEST
 * (01:00Z), 25 October 03:00 CEST -> 02:00 CET (01:00Z). */
static void
test_berlin_2026(void **state)
{
	struct tz *z = load("Europe/Berlin");
	struct tz_local l;
	int64_t ms;

	(void)state;
	/* 2026-03-29T01:00Z = 1774746000 */
	assert_int_equal(tz_to_utc(z, tz_local_seconds(2026, 3, 29, 1, 59, 0)),
			 (1774746000LL - 60) * 1000);
	assert_int_equal(tz_to_utc(z, tz_local_seconds(2026, 3, 29, 2, 30, 0)),
			 1774746000LL * 1000); /* skipped: the moment after the gap */
	assert_int_equal(tz_to_utc(z, tz_local_seconds(2026, 3, 29, 3, 0, 0)),
			 1774746000LL * 1000);
	/* 2026-10-25T01:00Z = 1792890000; 02:30 happens at 00:30Z and 01:30Z */
	assert_int_equal(tz_to_utc(z, tz_local_seconds(2026, 10, 25, 2, 30, 0)),
			 (1792890000LL - 1800) * 1000);
	tz_to_local(&l, z, (1792890000LL - 1800) * 1000);
	assert_string_equal(l.abbr, "CEST");
	assert_int_equal(l.offset, 7200);
	tz_to_local(&l, z, (1792890000LL + 1800) * 1000);
	assert_string_equal(l.abbr, "CET");
	assert_int_equal(l.hour, 2);
	assert_int_equal(l.min, 30);
	assert_int_equal(tz_parse_local(&ms, z, "2026-11-30 09:00"), 0);
	assert_int_equal(ms, 1796025600LL * 1000); /* 08:00Z */
	assert_int_equal(tz_parse_local(&ms, z, "2026-11-31 09:00"), SR_EUSAGE);
	assert_int_equal(tz_parse_local(&ms, z, "tomorrow"), SR_EUSAGE);
	assert_int_equal(tz_parse_local(&ms, z, "2026-11-30 9:00x"), SR_EUSAGE);
	tz_free(z);
}

static void
test_unknown_zones(void **state)
{
	struct tz *z = (struct tz *)1;

	(void)state;
	assert_int_equal(tz_load(&z, "Europe/Atlantis"), SR_ENOTFOUND);
	assert_null(z);
	assert_int_equal(tz_load(&z, "../../etc/passwd"), SR_ENOTFOUND);
	assert_int_equal(tz_load(&z, "/etc/passwd"), SR_ENOTFOUND);
	assert_int_equal(tz_load(&z, ""), SR_ENOTFOUND);
	assert_int_equal(tz_load(&z, "zone.tab"), SR_ENOTFOUND); /* not TZif */
}

static void
test_civil(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
	tz_civil_from_days(&y, &m, &d, -1);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	for (int64_t k = -800000; k < 800000; k += 37) {
		tz_civil_from_days(&y, &m, &d, k);
		assert_int_equal(tz_days_from_civil(y, m, d), k);
	}
	/* carry: 2026-13-01 is 2027-01-01, 2026-03-00 is the last of February */
	assert_int_equal(tz_local_seconds(2026, 13, 1, 0, 0, 0),
			 tz_local_seconds(2027, 1, 1, 0, 0, 0));
	assert_int_equal(tz_local_seconds(2026, 3, 0, 0, 0, 0),
			 tz_local_seconds(2026, 2, 28, 0, 0, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_local_matches_glibc),
		cmocka_unit_test(test_to_utc_matches_glibc),
		cmocka_unit_test(test_berlin_2026),
		cmocka_unit_test(test_unknown_zones),
		cmocka_unit_test(test_civil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
