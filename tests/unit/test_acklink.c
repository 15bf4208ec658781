/* test_acklink.c: acknowledgement link tokens: a known vector (computed
 * with Python's hmac), the round trip, every field tampered with refused
 * (bad signature or malformed), strict parsing, expiry (and its message),
 * another key, a key file missing, empty or too short, the whole URL. */
#include "testutil.h"

#include <stdbool.h>
#include <sys/stat.h>

#include "sitrep/acklink.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/xalloc.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define T0 1800000000000LL /* 2027-01-15T08:00:00Z, ms */

struct fixture {
	char *dir;
	struct conf conf;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char path[4200];

	f->dir = testutil_tmpdir();
	testutil_write(f->dir, "paging.key", KEY "\n");
	snprintf(path, sizeof(path), "%s/paging.key", f->dir);
	f->conf.paging.link_key_file = xstrdup(path);
	f->conf.page_url = xstrdup("https://status.example.com/");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	testutil_rmtree(f->dir);
	free(f->dir);
	free(f->conf.paging.link_key_file);
	free(f->conf.page_url);
	free(f);
	return 0;
}

static int
check(struct fixture *f, const char *token, int64_t now)
{
	int64_t page = -1;
	char *person = (char *)"unset";
	int rc = acklink_check(&page, &person, &f->conf, token, now);

	if (rc != 0) {
		assert_int_equal(page, 0);
		assert_null(person);
	}
	free(person);
	return rc;
}

static void
test_known_vector(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 7, "ana", 1800000000999LL);

	/* seconds in the token, the trailing newline of the file not in the key */
	assert_string_equal(t, "7.ana.1800000000.mIUn049DDkYELJsUxXxo9Kp_a0Ro-5_-jJNLSYlMjck");
	free(t);
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char *const people[] = { "ana", "Bob_2", "x", "carol-on-call",
		"a234567890123456789012345678901234567890123456789012345678901234" };

	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		/* 0: a test page (sitrep page --test) */
		int64_t ids[] = { 1, 42, 999999999999999999LL, 0 };

		for (size_t k = 0; k < 4; k++) {
			char *t = acklink_token(&f->conf, ids[k], people[i], T0 + 3600000);
			int64_t page = 0;
			char *person = NULL;

			assert_non_null(t);
			assert_int_equal(acklink_check(&page, &person, &f->conf, t, T0), 0);
			assert_int_equal(page, ids[k]);
			assert_string_equal(person, people[i]);
			free(person);
			free(t);
		}
	}
}

/* Every character of a token changed to every other character of the
 * alphabet (and '.'): refused each time, never accepted. */
static void
test_tampered(void **state)
{
	struct fixture *f = *state;
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_.";
	char *t = acklink_token(&f->conf, 12, "ana", T0 + 3600000);
	size_t n = strlen(t);

	for (size_t i = 0; i < n; i++) {
		char was = t[i];

		for (const char *a = alphabet; *a != '\0'; a++) {
			if (*a == was)
				continue;
			t[i] = *a;
			assert_int_equal(check(f, t, T0), SR_EREFUSED);
		}
		t[i] = was;
	}
	assert_int_equal(check(f, t, T0), 0);
	free(t);
}

/* Each field replaced by another well-formed value, with the signature
 * kept: a bad signature, saying so. */
static void
test_fields_swapped(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 12, "ana", T0 + 3600000);
	const char *sig = strrchr(t, '.') + 1;
	char *other[3];

	other[0] = xasprintf("13.ana.%lld.%s", (T0 + 3600000) / 1000, sig);
	other[1] = xasprintf("12.bob.%lld.%s", (T0 + 3600000) / 1000, sig);
	other[2] = xasprintf("12.ana.%lld.%s", (T0 + 7200000) / 1000, sig);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(check(f, other[i], T0), SR_EREFUSED);
		assert_non_null(strstr(err_last(), "bad signature"));
		free(other[i]);
	}
	free(t);
}

static void
test_malformed(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 12, "ana", T0 + 3600000);
	const char *sig = strrchr(t, '.') + 1;
	char *bad[] = {
		xstrdup(""),
		xasprintf("012.ana.1800003600.%s", sig),   /* leading zero */
		xasprintf("+12.ana.1800003600.%s", sig),   /* sign */
		xasprintf("-12.ana.1800003600.%s", sig),
		xasprintf("00.ana.1800003600.%s", sig),    /* page 0, not as 0 */
		xasprintf("12.ana.01800003600.%s", sig),
		xasprintf("12.ana.1800003600x.%s", sig),
		xasprintf("12..1800003600.%s", sig),       /* no person */
		xasprintf("12.a%%20a.1800003600.%s", sig), /* not a handle */
		xasprintf("12.ana.1800003600.%s=", sig),   /* padding */
		xasprintf("12.ana.1800003600.%.42s", sig), /* short signature */
		xasprintf("12.ana.1800003600.%sA", sig),
		xasprintf("12.ana.1800003600"),
		xasprintf("12.ana.1800003600.%s.x", sig),
		xasprintf("1234567890123456789.ana.1800003600.%s", sig), /* too many digits */
		xasprintf("12.a2345678901234567890123456789012345678901234567890123456789012345"
			  ".1800003600.%s", sig), /* a 65-character handle */
		xasprintf("12.ana.1800003600.%s\n", sig),
		xasprintf("12.ana.1800003600 .%s", sig),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(f, bad[i], T0), SR_EREFUSED);
		if (strstr(err_last(), "malformed") == NULL)
			fail_msg("token %zu: %s", i, err_last());
		free(bad[i]);
	}
	assert_int_equal(check(f, NULL, T0), SR_EREFUSED);
	free(t);
}

static void
test_expiry(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 12, "ana", T0);

	assert_int_equal(check(f, t, T0 - 1), 0);
	assert_int_equal(check(f, t, T0), SR_EREFUSED);
	assert_string_equal(err_last(), "the acknowledgement link expired at 08:00 UTC");
	assert_int_equal(check(f, t, T0 + 86400000), SR_EREFUSED);
	assert_string_equal(err_last(), "the acknowledgement link expired at Fri 15 Jan 08:00 UTC");
	free(t);
}

static void
test_wrong_key(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 12, "ana", T0 + 3600000);

	testutil_write(f->dir, "paging.key", "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n");
	assert_int_equal(check(f, t, T0), SR_EREFUSED);
	assert_non_null(strstr(err_last(), "bad signature"));
	/* expired and forged: it says forged, telling nothing of the expiry */
	assert_int_equal(check(f, t, T0 + 7200000), SR_EREFUSED);
	assert_non_null(strstr(err_last(), "bad signature"));
	free(t);
}

static void
test_key_file(void **state)
{
	struct fixture *f = *state;
	char *t = acklink_token(&f->conf, 12, "ana", T0 + 3600000);
	char path[4200];

	snprintf(path, sizeof(path), "%s/paging.key", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(check(f, t, T0), SR_ESYS);
	assert_non_null(strstr(err_last(), path));
	assert_non_null(strstr(err_last(), "No such file"));
	assert_null(acklink_token(&f->conf, 12, "ana", T0));
	assert_non_null(strstr(err_last(), "cannot read"));
	assert_null(acklink_url(&f->conf, 12, "ana", T0));

	testutil_write(f->dir, "paging.key", "\n");
	assert_int_equal(check(f, t, T0), SR_ESYS);
	assert_non_null(strstr(err_last(), "is empty"));
	testutil_write(f->dir, "paging.key", "short");
	assert_null(acklink_token(&f->conf, 12, "ana", T0));
	assert_non_null(strstr(err_last(), "too short"));
	/* a FIFO (or a directory) is refused at once, never waited on */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(acklink_token(&f->conf, 12, "ana", T0));
	assert_non_null(strstr(err_last(), "not a regular file"));
	assert_int_equal(unlink(path), 0);

	free(f->conf.paging.link_key_file);
	f->conf.paging.link_key_file = NULL;
	assert_int_equal(check(f, t, T0), SR_ESYS);
	assert_non_null(strstr(err_last(), "paging.link_key_file"));
	/* a malformed token is malformed whatever the key */
	assert_int_equal(check(f, "1.ana", T0), SR_EREFUSED);
	free(t);
}

static void
test_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_null(acklink_token(&f->conf, 12, "a.b", T0));
	assert_non_null(strstr(err_last(), "handle"));
	assert_null(acklink_token(&f->conf, 12, "", T0));
	assert_null(acklink_token(&f->conf, -1, "ana", T0));
	assert_null(acklink_token(&f->conf, 12, "Zoë", T0));
}

static void
test_url(void **state)
{
	struct fixture *f = *state;
	char *u = acklink_url(&f->conf, 7, "ana", 1800000000000LL);

	assert_string_equal(u, "https://status.example.com/ack/7.ana.1800000000."
			    "mIUn049DDkYELJsUxXxo9Kp_a0Ro-5_-jJNLSYlMjck");
	free(u);
	free(f->conf.page_url);
	f->conf.page_url = xstrdup("https://example.com/status");
	u = acklink_url(&f->conf, 7, "ana", 1800000000000LL);
	assert_int_equal(strncmp(u, "https://example.com/status/ack/7.ana.", 37), 0);
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
