/* test_oncall.c: on-call schedules against hand-computed tables: weekly and
 * daily rotations, Europe/Berlin's changes of 2026 inside a rotation,
 * business hours over a 24x7 layer, overrides winning, nobody on call, and
 * validation naming file:line. */
#include "testutil.h"

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/oncall.h"
#include "diagcheck.h"

/* "2026-11-30T08:00Z" as ms. */
static int64_t
T(const char *iso)
{
	int64_t ms;

	if (clock_parse_time(&ms, iso, 0) != 0)
		fail_msg("bad time %s: %s", iso, err_last());
	return ms;
}

static struct oncall_schedule *
parse(const char *text)
{
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s = NULL;

	if (oncall_parse(&s, &d, text, strlen(text), "ops.schedule", NULL) != 0) {
		diag_print(&d, stderr);
		fail_msg("schedule refused: %s", err_last());
	}
	diag_release(&d);
	return s;
}

/* One row of a table: at `at`, `who` (NULL: nobody) until `until` (NULL:
 * never). */
struct row {
	const char *at, *who, *until;
};

static void
check_rows(const struct oncall_schedule *s, const struct oncall_override *ov, size_t nov,
	   const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *who;
		int64_t next;
		int64_t want_next = rows[i].until ? T(rows[i].until) : INT64_MAX;

		oncall_who(&who, &next, s, ov, nov, T(rows[i].at));
		if (!(who == NULL ? rows[i].who == NULL :
		      rows[i].who != NULL && strcmp(who, rows[i].who) == 0))
			fail_msg("at %s: %s on call, want %s", rows[i].at, who ? who : "nobody",
				 rows[i].who ? rows[i].who : "nobody");
		if (next != want_next) {
			char got[32];

			clock_format_iso(got, sizeof(got), next);
			fail_msg("at %s: next change %s, want %s", rows[i].at,
				 next == INT64_MAX ? "never" : got,
				 rows[i].until ? rows[i].until : "never");
		}
	}
}

static void
test_weekly(void **state)
{
	struct oncall_schedule *s = parse(
		"time_zone = \"UTC\";\n"
		"rotation = { people = [ \"ana\", \"bob\", \"carol\" ]; length = \"1w\";\n"
		"  start = \"2026-11-30 09:00\"; };\n");
	static const struct row rows[] = {
		{ "2026-11-30T08:59Z", NULL, "2026-11-30T09:00Z" },
		{ "2026-11-30T09:00Z", "ana", "2026-12-07T09:00Z" },
		{ "2026-12-06T23:59Z", "ana", "2026-12-07T09:00Z" },
		{ "2026-12-07T09:00Z", "bob", "2026-12-14T09:00Z" },
		{ "2026-12-14T10:00Z", "carol", "2026-12-21T09:00Z" },
		{ "2026-12-21T09:00Z", "ana", "2026-12-28T09:00Z" },
		{ "2027-11-29T09:00Z", "bob", "2027-12-06T09:00Z" }, /* week 52 */
	};

	(void)state;
	check_rows(s, NULL, 0, rows, sizeof(rows) / sizeof(rows[0]));
	oncall_free(s);
}

/* Berlin, spring forward on Sunday 29 March 2026: a daily rotation hands
 * over at 09:00 on the clock (08:00Z in CET, 07:00Z in CEST); one of 24
 * hours hands over every 24 elapsed hours (10:00 CEST after the change). */
static void
test_daily_spring(void **state)
{
	struct oncall_schedule *d = parse(
		"time_zone = \"Europe/Berlin\";\n"
		"rotation = { people = [ \"ana\", \"bob\" ]; length = \"1d\";\n"
		"  start = \"2026-03-27 09:00\"; };\n");
	struct oncall_schedule *h = parse(
		"time_zone = \"Europe/Berlin\";\n"
		"rotation = { people = [ \"ana\", \"bob\" ]; length = \"24h\";\n"
		"  start = \"2026-03-27 09:00\"; };\n");
	static const struct row days[] = {
		{ "2026-03-27T07:59Z", NULL, "2026-03-27T08:00Z" },
		{ "2026-03-27T08:00Z", "ana", "2026-03-28T08:00Z" },
		{ "2026-03-28T12:00Z", "bob", "2026-03-29T07:00Z" },
		{ "2026-03-29T07:00Z", "ana", "2026-03-30T07:00Z" },
		{ "2026-03-30T06:59Z", "ana", "2026-03-30T07:00Z" },
		{ "2026-03-30T07:00Z", "bob", "2026-03-31T07:00Z" },
	};
	static const struct row hours[] = {
		{ "2026-03-28T12:00Z", "bob", "2026-03-29T08:00Z" },
		{ "2026-03-29T07:30Z", "bob", "2026-03-29T08:00Z" },
		{ "2026-03-29T08:00Z", "ana", "2026-03-30T08:00Z" },
	};

	(void)state;
	check_rows(d, NULL, 0, days, sizeof(days) / sizeof(days[0]));
	check_rows(h, NULL, 0, hours, sizeof(hours) / sizeof(hours[0]));
	oncall_free(d);
	oncall_free(h);
}

/* Berlin, fall back on Sunday 25 October 2026 (03:00 CEST -> 02:00 CET):
 * a weekly rotation from Monday 09:00 CEST (07:00Z) hands over the next
 * Monday at 09:00 CET (08:00Z); a 12-hour one keeps elapsed time. */
static void
test_weekly_autumn(void **state)
{
	struct oncall_schedule *w = parse(
		"time_zone = \"Europe/Berlin\";\n"
		"rotation = { people = [ \"xena\", \"yuri\" ]; length = \"1w\";\n"
		"  start = \"2026-10-19 09:00\"; };\n");
	struct oncall_schedule *h = parse(
		"time_zone = \"Europe/Berlin\";\n"
		"rotation = { people = [ \"xena\", \"yuri\" ]; length = \"12h\";\n"
		"  start = \"2026-10-24 21:00\"; };\n");
	static const struct row week[] = {
		{ "2026-10-19T07:00Z", "xena", "2026-10-26T08:00Z" },
		{ "2026-10-25T12:00Z", "xena", "2026-10-26T08:00Z" },
		{ "2026-10-26T08:00Z", "yuri", "2026-11-02T08:00Z" },
	};
	static const struct row half[] = {
		{ "2026-10-24T19:00Z", "xena", "2026-10-25T07:00Z" },
		{ "2026-10-25T07:00Z", "yuri", "2026-10-25T19:00Z" },
		{ "2026-10-25T19:00Z", "xena", "2026-10-26T07:00Z" },
	};

	(void)state;
	check_rows(w, NULL, 0, week, sizeof(week) / sizeof(week[0]));
	check_rows(h, NULL, 0, half, sizeof(half) / sizeof(half[0]));
	oncall_free(w);
	oncall_free(h);
}

static const char layered[] =
	"time_zone = \"Europe/Berlin\";\n"
	"layers = (\n"
	"  { name = \"around-the-clock\"; people = [ \"ana\", \"bob\" ]; length = \"1w\";\n"
	"    start = \"2026-11-30 09:00\"; },\n"
	"  { name = \"business-hours\"; people = [ \"dana\" ]; length = \"1d\";\n"
	"    start = \"2026-11-30 09:00\";\n"
	"    days = [ \"mon\", \"tue\", \"wed\", \"thu\", \"fri\" ]; from = \"09:00\"; until = \"17:00\"; }\n"
	");\n";

/* Business hours (09:00-17:00 CET, 08:00Z-16:00Z, weekdays) over 24x7. */
static void
test_layers(void **state)
{
	struct oncall_schedule *s = parse(layered);
	static const struct row rows[] = {
		{ "2026-11-30T07:00Z", NULL, "2026-11-30T08:00Z" },
		{ "2026-11-30T10:00Z", "dana", "2026-11-30T16:00Z" },
		{ "2026-11-30T16:00Z", "ana", "2026-12-01T08:00Z" },
		{ "2026-12-04T16:00Z", "ana", "2026-12-07T08:00Z" }, /* Friday night */
		{ "2026-12-05T10:00Z", "ana", "2026-12-07T08:00Z" }, /* Saturday */
		{ "2026-12-07T08:00Z", "dana", "2026-12-07T16:00Z" },
		{ "2026-12-07T16:00Z", "bob", "2026-12-08T08:00Z" },
	};
	struct oncall_handoff *h;
	size_t n;

	(void)state;
	check_rows(s, NULL, 0, rows, sizeof(rows) / sizeof(rows[0]));
	oncall_handoffs(&h, &n, s, NULL, 0, T("2026-11-30T00:00Z"), T("2026-12-02T00:00Z"), 0);
	assert_int_equal(n, 4);
	assert_int_equal(h[0].at_ms, T("2026-11-30T08:00Z"));
	assert_null(h[0].from);
	assert_string_equal(h[0].to, "dana");
	assert_int_equal(h[1].at_ms, T("2026-11-30T16:00Z"));
	assert_string_equal(h[1].from, "dana");
	assert_string_equal(h[1].to, "ana");
	assert_int_equal(h[2].at_ms, T("2026-12-01T08:00Z"));
	assert_string_equal(h[3].to, "ana");
	free(h);
	oncall_free(s);
}

/* An override wins over every layer while it lasts; of two, the later. */
static void
test_overrides(void **state)
{
	struct oncall_schedule *s = parse(layered);
	struct oncall_override ov[] = {
		{ 1, "carol", T("2026-12-01T00:00Z"), T("2026-12-02T00:00Z") },
		{ 2, "erin", T("2026-12-01T12:00Z"), T("2026-12-01T13:00Z") },
	};
	static const struct row rows[] = {
		{ "2026-11-30T23:00Z", "ana", "2026-12-01T00:00Z" },
		{ "2026-12-01T10:00Z", "carol", "2026-12-01T12:00Z" },
		{ "2026-12-01T12:30Z", "erin", "2026-12-01T13:00Z" },
		{ "2026-12-01T13:00Z", "carol", "2026-12-02T00:00Z" },
		{ "2026-12-02T00:00Z", "ana", "2026-12-02T08:00Z" },
	};

	(void)state;
	check_rows(s, ov, 2, rows, sizeof(rows) / sizeof(rows[0]));
	oncall_free(s);
}

/* Nobody: before any start, outside a lone window; one person never changes. */
static void
test_nobody(void **state)
{
	struct oncall_schedule *s = parse(
		"time_zone = \"America/New_York\";\n"
		"rotation = { people = [ \"ana\" ]; length = \"1d\"; start = \"2026-12-01 00:00\";\n"
		"  days = [ \"sat\" ]; };\n");
	struct oncall_schedule *one = parse(
		"time_zone = \"UTC\";\n"
		"rotation = { people = [ \"ana\" ]; length = \"1w\"; start = \"2026-01-01 00:00\"; };\n");
	static const struct row rows[] = {
		{ "2026-11-01T00:00Z", NULL, "2026-12-05T05:00Z" },
		{ "2026-12-03T00:00Z", NULL, "2026-12-05T05:00Z" },
		{ "2026-12-05T05:00Z", "ana", "2026-12-06T05:00Z" },
	};
	static const struct row always[] = {
		{ "2026-03-01T00:00Z", "ana", NULL },
	};

	(void)state;
	check_rows(s, NULL, 0, rows, sizeof(rows) / sizeof(rows[0]));
	check_rows(one, NULL, 0, always, 1);
	oncall_free(s);
	oncall_free(one);
}

static void
test_validation(void **state)
{
	static const char text[] =
		"time_zone = \"Europe/Atlantis\";\n"                          /* 1 */
		"layers = (\n"                                                /* 2 */
		"  { name = \"a\"; people = [ ]; length = \"1w\";\n"          /* 3 */
		"    start = \"2026-11-30 09:00\"; },\n"                      /* 4 */
		"  { name = \"a\"; people = [ \"ana\", \"ana\", \"zed\", \"nocontact\" ];\n" /* 5 */
		"    length = \"0m\";\n"                                     /* 6 */
		"    start = \"yesterday\";\n"                                /* 7 */
		"    days = [ \"mon\", \"mon\", \"funday\" ];\n"              /* 8 */
		"    from = \"17:00\";\n"                                     /* 9 */
		"    until = \"09:00\"; colour = \"red\"; }\n"                /* 10 */
		");\n"                                                        /* 11 */
		"@include \"other.schedule\"\n";                              /* 12 */
	struct conf_person people[2] = { { .handle = "ana", .ncontacts = 1 },
					 { .handle = "nocontact" } };
	struct conf c = { .path = "/ws/sitrep.conf", .people = people, .npeople = 2 };
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s = (void *)1;

	(void)state;
	assert_int_equal(oncall_parse(&s, &d, text, strlen(text), "ops.schedule", &c),
			 SR_EINVALID);
	assert_null(s);
	check(found(&d, "ops.schedule", 1, "unknown time zone 'Europe/Atlantis'"));
	check(found(&d, "ops.schedule", 3, "has no people"));
	check(found(&d, "ops.schedule", 5, "duplicate layer name 'a'"));
	check(found(&d, "ops.schedule", 5, "'ana' is named twice"));
	check(found(&d, "ops.schedule", 5, "person 'zed' is not in the site config"));
	check(found(&d, "ops.schedule", 5, "person 'nocontact' has no contact"));
	check(found(&d, "ops.schedule", 6, "'length' must be at least 1m"));
	check(found(&d, "ops.schedule", 7, "'start' must be a local time"));
	check(found(&d, "ops.schedule", 8, "day 'mon' is named twice"));
	check(found(&d, "ops.schedule", 8, "unknown day 'funday'"));
	check(found(&d, "ops.schedule", 10, "'until' 09:00 is not after 'from' 17:00"));
	check(found(&d, "ops.schedule", 10, "colour"));
	check(found(&d, "ops.schedule", 12, "include"));
	diag_release(&d);
}

static void
test_shape(void **state)
{
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s;
	static const char both[] =
		"time_zone = \"UTC\";\n"
		"rotation = { people = [ \"a\" ]; length = \"1d\"; start = \"2026-01-01 00:00\"; };\n"
		"layers = ( );\n";
	static const char none[] = "time_zone = \"UTC\";\n";
	static const char half[] =
		"time_zone = \"UTC\";\n"
		"rotation = { people = [ \"a\" ]; length = \"1d\"; start = \"2026-01-01 00:00\";\n"
		"  from = \"09:00\"; };\n";

	(void)state;
	assert_int_equal(oncall_parse(&s, &d, both, strlen(both), "x.schedule", NULL),
			 SR_EINVALID);
	check(found(&d, "x.schedule", 3, "not both"));
	diag_release(&d);
	assert_int_equal(oncall_parse(&s, &d, none, strlen(none), "x.schedule", NULL),
			 SR_EINVALID);
	check(found(&d, "x.schedule", 1, "needs a 'rotation'"));
	diag_release(&d);
	assert_int_equal(oncall_parse(&s, &d, half, strlen(half), "x.schedule", NULL),
			 SR_EINVALID);
	check(found(&d, "x.schedule", 3, "both 'from' and 'until'"));
	diag_release(&d);
	assert_int_equal(oncall_parse(&s, &d, "x", 1, "Bad Name.schedule", NULL), SR_EINVALID);
	diag_release(&d);
}

/* Layers overlap by design, but one a later layer covers entirely (every
 * day and hour of it, from its start on) is never in force: refused at its
 * line; one the later layer covers only in part is fine. */
static void
test_hidden_layer(void **state)
{
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s = NULL;
	static const char hidden[] =
		"time_zone = \"UTC\";\n"
		"layers = (\n"
		"  { name = \"weekdays\"; people = [ \"a\" ]; length = \"1d\";\n"   /* 3 */
		"    start = \"2026-01-05 09:00\"; days = [ \"mon\", \"tue\" ];\n"
		"    from = \"09:00\"; until = \"17:00\"; },\n"
		"  { name = \"all\"; people = [ \"b\", \"c\" ]; length = \"1w\";\n"   /* 6 */
		"    start = \"2026-01-01 00:00\"; }\n"
		");\n";
	static const char partial[] =
		"time_zone = \"UTC\";\n"
		"layers = (\n"
		"  { name = \"all\"; people = [ \"b\", \"c\" ]; length = \"1w\";\n"
		"    start = \"2026-01-01 00:00\"; },\n"
		"  { name = \"weekdays\"; people = [ \"a\" ]; length = \"1d\";\n"
		"    start = \"2026-01-05 09:00\"; days = [ \"mon\", \"tue\" ];\n"
		"    from = \"09:00\"; until = \"17:00\"; }\n"
		");\n";

	(void)state;
	assert_int_equal(oncall_parse(&s, &d, hidden, strlen(hidden), "x.schedule", NULL),
			 SR_EINVALID);
	check(found(&d, "x.schedule", 3, "layer 'weekdays' is never in force: layer 'all' "
		    "(line 6)"));
	diag_release(&d);
	assert_int_equal(oncall_parse(&s, &d, partial, strlen(partial), "x.schedule", NULL), 0);
	oncall_free(s);
	diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekly),
		cmocka_unit_test(test_hidden_layer),
		cmocka_unit_test(test_daily_spring),
		cmocka_unit_test(test_weekly_autumn),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_nobody),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
