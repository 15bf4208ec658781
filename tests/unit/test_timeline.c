/* test_timeline.c: the hash chain of an incident's events: a known digest,
 * a chain that verifies, and each kind of alteration found where it is. */
#include "testutil.h"

#include "sitrep/store.h"
#include "sitrep/timeline.h"

static void
make_chain(struct store_event *v, size_t n)
{
	const char *prev = "";

	for (size_t i = 0; i < n; i++) {
		v[i].id = (int64_t)i + 1;
		v[i].incident_id = 7;
		v[i].at = 1795432777000 + (int64_t)i * 1000;
		v[i].actor = i % 2 ? "bob" : "alice";
		v[i].kind = "status";
		v[i].details = "{\"to\":\"identified\"}";
		snprintf(v[i].prev_hash, sizeof(v[i].prev_hash), "%s", prev);
		timeline_hash(v[i].hash, prev, v[i].incident_id, v[i].at, v[i].actor,
			      v[i].kind, v[i].details);
		prev = v[i].hash;
	}
}

/* The digest is SHA-256 over the fields, each followed by a NUL byte. */
static void
test_known_digest(void **state)
{
	char h[65];

	(void)state;
	timeline_hash(h, "", 1, 1000, "alice", "opened", "{}");
	/* python3: sha256(b"\0" b"1\0" b"1000\0" b"alice\0" b"opened\0" b"{}\0") */
	assert_string_equal(h, "c8a092950357a78c87729caca8ef9aea18ff0134fc415fb62ae5770a40360b8c");
}

static void
test_chain_verifies(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	assert_int_equal(timeline_verify(v, 5), -1);
	assert_int_equal(timeline_verify(v, 0), -1);
}

static void
test_altered_field_found(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	v[2].actor = "mallory";
	assert_int_equal(timeline_verify(v, 5), 2);
	make_chain(v, 5);
	v[3].details = "{\"to\":\"resolved\"}";
	assert_int_equal(timeline_verify(v, 5), 3);
	make_chain(v, 5);
	v[0].at += 1;
	assert_int_equal(timeline_verify(v, 5), 0);
}

/* Removing an event breaks the link of the one after it. */
static void
test_removed_event_found(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	memmove(&v[1], &v[2], 3 * sizeof(v[0]));
	assert_int_equal(timeline_verify(v, 4), 1);
}

/* Fields cannot run into each other: "ab"+"c" differs from "a"+"bc". */
static void
test_fields_separated(void **state)
{
	char a[65], b[65];

	(void)state;
	timeline_hash(a, "", 1, 1, "ab", "c", "{}");
	timeline_hash(b, "", 1, 1, "a", "bc", "{}");
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_digest),
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_altered_field_found),
		cmocka_unit_test(test_removed_event_found),
		cmocka_unit_test(test_fields_separated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
