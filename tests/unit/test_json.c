/* test_json.c: our JSON module: what it writes in each style (escapes,
 * UTF-8, member order, integers, nesting, null times), that a text which
 * is not UTF-8 fails the dump and leaves the output as it was, and reading
 * a document back. */
#include "testutil.h"

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/json.h"

/* v written in style, as a string the test frees; v is freed. */
static char *
dumped(struct json *v, enum json_style style)
{
	struct buf b = BUF_INIT;

	assert_int_equal(json_dump(&b, v, style), 0);
	json_free(v);
	return buf_detach(&b);
}

static void
assert_dump(struct json *v, enum json_style style, const char *want)
{
	char *got = dumped(v, style);

	assert_string_equal(got, want);
	free(got);
}

/* Quotes, backslashes and controls escaped; "/" and DEL as they are. */
static void
test_escaping(void **state)
{
	struct json *o = json_new_object();

	(void)state;
	json_set_str(o, "s", "a\"b\\c/d\n\t\r\b\f\x01\x1f\x7f");
	json_set_str(o, "k\"ey", "");
	assert_dump(o, JSON_STYLE_COMPACT,
		    "{\"s\":\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001F\x7f\",\"k\\\"ey\":\"\"}");
}

/* UTF-8 as it is in the compact styles, as \u escapes (a pair beyond the
 * BMP) in the pretty one; a text repaired by json_new_text. */
static void
test_utf8(void **state)
{
	struct json *a;

	(void)state;
	a = json_new_array();
	json_append_str(a, "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5");
	assert_dump(a, JSON_STYLE_COMPACT, "[\"\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5\"]");
	a = json_new_array();
	json_append_str(a, "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5");
	assert_dump(a, JSON_STYLE_PRETTY, "[\n  \"\\u00E9 \\u2713 \\uD83D\\uDD25\"\n]");
	a = json_new_array();
	json_append(a, json_new_text("a\xff" "b\xc0"));
	json_append(a, json_new_text(NULL));
	assert_dump(a, JSON_STYLE_COMPACT, "[\"a\xef\xbf\xbd" "b\xef\xbf\xbd\",null]");
}

/* A text that is not UTF-8, a key that is not, a NULL text or value:
 * each fails the dump, and what out held stays as it was. */
static void
test_unwritable(void **state)
{
	struct json *bad[5], *arr;
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < 5; i++)
		json_set_str(bad[i] = json_new_object(), "fine", "ok");
	json_set_str(bad[0], "s", "ab\xed\xa0\x80");
	json_set_str(bad[1], "k\xff", "v");
	json_set_str(bad[2], "s", NULL);
	json_set(bad[3], "v", NULL);
	json_set(bad[4], "a", arr = json_new_array());
	json_append(arr, NULL);
	for (size_t i = 0; i < 5; i++) {
		buf_reset(&b);
		buf_adds(&b, "before");
		err_clear();
		assert_int_equal(json_dump(&b, bad[i], JSON_STYLE_COMPACT), SR_EINVALID);
		assert_string_equal(buf_str(&b), "before");
		assert_int_equal(b.len, 6);
		assert_int_equal(json_dump(&b, bad[i], JSON_STYLE_SORTED), SR_EINVALID);
		assert_string_equal(buf_str(&b), "before");
		json_free(bad[i]);
	}
	assert_int_equal(json_dump(&b, NULL, JSON_STYLE_COMPACT), SR_EINVALID);
	buf_release(&b);
}

/* Members in the order set (a replaced one keeps its place), or sorted. */
static void
test_order(void **state)
{
	struct json *o;

	(void)state;
	for (int sorted = 0; sorted < 2; sorted++) {
		o = json_new_object();
		json_set_str(o, "zeta", "1");
		json_set_str(o, "alpha", "2");
		json_set_str(o, "mid", "3");
		json_set_str(o, "zeta", "4");
		assert_dump(o, sorted ? JSON_STYLE_SORTED : JSON_STYLE_COMPACT, sorted ?
			    "{\"alpha\":\"2\",\"mid\":\"3\",\"zeta\":\"4\"}" :
			    "{\"zeta\":\"4\",\"alpha\":\"2\",\"mid\":\"3\"}");
	}
}

static void
test_scalars(void **state)
{
	struct json *o = json_new_object();

	(void)state;
	json_set_int(o, "max", INT64_MAX);
	json_set_int(o, "min", INT64_MIN);
	json_set_int(o, "zero", 0);
	json_set_int(o, "neg", -42);
	json_set_bool(o, "t", true);
	json_set_bool(o, "f", false);
	json_set(o, "n", json_new_null());
	json_set_str_or_null(o, "sn", NULL);
	json_set_str_or_null(o, "ss", "x");
	assert_dump(o, JSON_STYLE_COMPACT, "{\"max\":9223372036854775807,"
		    "\"min\":-9223372036854775808,\"zero\":0,\"neg\":-42,\"t\":true,"
		    "\"f\":false,\"n\":null,\"sn\":null,\"ss\":\"x\"}");
	/* a scalar alone is a document too */
	assert_dump(json_new_string("x"), JSON_STYLE_COMPACT, "\"x\"");
	assert_dump(json_new_int(7), JSON_STYLE_PRETTY, "7");
}

/* A time is ISO 8601 in UTC with milliseconds; 0 is null. */
static void
test_time(void **state)
{
	struct json *o = json_new_object();

	(void)state;
	json_set_time(o, "at", 1795435200123);
	json_set_time(o, "unset", 0);
	json_set(o, "also", json_new_time(0));
	assert_dump(o, JSON_STYLE_COMPACT,
		    "{\"at\":\"2026-11-23T12:00:00.123Z\",\"unset\":null,\"also\":null}");
}

/* Containers in containers, filled after they were handed over. */
static void
test_nested(void **state)
{
	struct json *o = json_new_object(), *inner, *arr;

	(void)state;
	json_set(o, "inner", inner = json_new_object());
	json_set(inner, "list", arr = json_new_array());
	json_set(o, "empty", json_new_array());
	json_append_str(arr, "a");
	json_append(arr, json_new_object());
	json_append(arr, json_new_int(2));
	json_set_str(inner, "after", "b");
	assert_dump(o, JSON_STYLE_COMPACT,
		    "{\"inner\":{\"list\":[\"a\",{},2],\"after\":\"b\"},\"empty\":[]}");
	o = json_new_object();
	json_set(o, "b", arr = json_new_array());
	json_append_str(arr, "x");
	json_set_int(o, "a", 1);
	assert_dump(o, JSON_STYLE_PRETTY, "{\n  \"b\": [\n    \"x\"\n  ],\n  \"a\": 1\n}");
}

/* A document read back: getters by kind, NULL, 0 or false for a member
 * missing or of another kind, members in order. */
static void
test_parse(void **state)
{
	static const char text[] = "{\"s\":\"\\u00e9\",\"i\":-3,\"t\":true,\"n\":null,"
				   "\"a\":[1,\"two\"],\"o\":{\"to\":\"x\"},\"r\":1.5}";
	const char *keys[] = { "s", "i", "t", "n", "a", "o", "r" };
	const enum json_kind kinds[] = { JSON_KIND_STRING, JSON_KIND_INT, JSON_KIND_BOOL,
					 JSON_KIND_NULL, JSON_KIND_ARRAY, JSON_KIND_OBJECT,
					 JSON_KIND_REAL };
	struct json_iter it = JSON_ITER_INIT;
	struct json *d;
	size_t n = 0;
	char *again;

	(void)state;
	d = json_parse(text, strlen(text));
	assert_non_null(d);
	assert_string_equal(json_get_str(d, "s"), "\xc3\xa9");
	assert_int_equal(json_get_int(d, "i"), -3);
	assert_true(json_as_bool(json_get(d, "t")));
	assert_false(json_as_bool(json_get(d, "n")));
	assert_string_equal(json_get_str(json_get(d, "o"), "to"), "x");
	assert_null(json_get_str(json_get(d, "missing"), "to"));
	assert_null(json_get_str(d, "i"));
	assert_int_equal(json_get_int(d, "s"), 0);
	assert_null(json_get(d, "missing"));
	assert_int_equal(json_kind(json_get(d, "missing")), JSON_KIND_NONE);
	assert_int_equal(json_size(json_get(d, "a")), 2);
	assert_int_equal(json_as_int(json_at(json_get(d, "a"), 0)), 1);
	assert_string_equal(json_as_str(json_at(json_get(d, "a"), 1)), "two");
	assert_null(json_at(json_get(d, "a"), 2));
	assert_int_equal(json_size(d), 7);
	while (json_next(&it, d)) {
		assert_true(n < 7);
		assert_string_equal(it.key, keys[n]);
		assert_int_equal(json_kind(it.value), kinds[n]);
		n++;
	}
	assert_int_equal(n, 7);
	assert_null(it.key);
	again = dumped(d, JSON_STYLE_COMPACT);
	assert_string_equal(again, "{\"s\":\"\xc3\xa9\",\"i\":-3,\"t\":true,\"n\":null,"
			    "\"a\":[1,\"two\"],\"o\":{\"to\":\"x\"},\"r\":1.5}");
	free(again);
	/* not JSON, or not a document */
	err_clear();
	assert_null(json_parse("{\"a\":", 5));
	assert_non_null(strstr(err_last(), "not JSON"));
	assert_null(json_parse("\"x\"", 3));
	/* only len bytes are read */
	d = json_parse("[1]garbage", 3);
	assert_non_null(d);
	json_free(d);
	json_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
