/* json.c: our JSON values over jansson, the only file that includes it:
 * building documents, writing them in the styles our producers use, and
 * reading one back. What a document says is each producer's business. */
#include <stdlib.h>

#include <jansson.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/log.h"
#include "sitrep/utf8.h"

/* A struct json is a json_t: the type exists so that nothing outside this
 * file names jansson's. */
static json_t *
jv(const struct json *v)
{
	return (json_t *)v;
}

static struct json *
ours(json_t *v)
{
	return (struct json *)v;
}

/* jansson answers NULL only when memory runs out: abort, as xmalloc does. */
static json_t *
made(json_t *v)
{
	if (v == NULL)
		fatal("out of memory building JSON");
	return v;
}

/*
 * A value that cannot be written: a string that is not UTF-8. It stands
 * for a NULL handed in where a text or a value was due, so that the dump
 * of the document fails just as it does for a bad text (jansson checks
 * every string and key as it writes it), and producers check once there.
 */
static json_t *
unwritable(void)
{
	return made(json_stringn_nocheck("\xff", 1));
}

struct json *
json_new_object(void)
{
	return ours(made(json_object()));
}

struct json *
json_new_array(void)
{
	return ours(made(json_array()));
}

/* Not checked here: json_dump checks every text once, as it writes it. */
struct json *
json_new_string(const char *s)
{
	return ours(s != NULL ? made(json_string_nocheck(s)) : unwritable());
}

struct json *
json_new_string_or_null(const char *s)
{
	return s != NULL ? json_new_string(s) : json_new_null();
}

struct json *
json_new_int(int64_t v)
{
	return ours(made(json_integer((json_int_t)v)));
}

struct json *
json_new_int_or_null(int64_t v)
{
	return v != 0 ? json_new_int(v) : json_new_null();
}

struct json *
json_new_bool(bool v)
{
	return ours(made(json_boolean(v)));
}

struct json *
json_new_null(void)
{
	return ours(json_null());
}

struct json *
json_new_time(int64_t ms)
{
	char when[32];

	if (ms == 0)
		return json_new_null();
	clock_format_iso(when, sizeof(when), ms);
	return json_new_string(when);
}

struct json *
json_new_text(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_new_null();
	clean = utf8_repair(s);
	j = json_string(clean);
	free(clean);
	return ours(j != NULL ? j : made(json_string("")));
}

void
json_set(struct json *obj, const char *key, struct json *v)
{
	if (!json_is_object(jv(obj)))
		fatalx("json_set of '%s' on a value that is not an object", key);
	if (json_object_set_new(jv(obj), key, v != NULL ? jv(v) : unwritable()) != 0) {
		/* The key is not UTF-8 (jansson took v): jansson would write
		 * it unchecked, so the member goes in under the key repaired,
		 * with a value that fails the dump. */
		char *repaired = utf8_repair(key);
		int rc = json_object_set_new_nocheck(jv(obj), repaired, unwritable());

		free(repaired);
		if (rc != 0)
			fatal("out of memory building JSON");
	}
}

void
json_set_str(struct json *obj, const char *key, const char *s)
{
	json_set(obj, key, json_new_string(s));
}

void
json_set_str_or_null(struct json *obj, const char *key, const char *s)
{
	json_set(obj, key, json_new_string_or_null(s));
}

void
json_set_int(struct json *obj, const char *key, int64_t v)
{
	json_set(obj, key, json_new_int(v));
}

void
json_set_bool(struct json *obj, const char *key, bool v)
{
	json_set(obj, key, json_new_bool(v));
}

void
json_set_time(struct json *obj, const char *key, int64_t ms)
{
	json_set(obj, key, json_new_time(ms));
}

void
json_append(struct json *arr, struct json *v)
{
	if (!json_is_array(jv(arr)))
		fatalx("json_append on a value that is not an array");
	if (json_array_append_new(jv(arr), v != NULL ? jv(v) : unwritable()) != 0)
		fatal("out of memory building JSON");
}

void
json_append_str(struct json *arr, const char *s)
{
	json_append(arr, json_new_string(s));
}

struct json *
json_new_str_array(char *const *v, size_t n)
{
	struct json *a = json_new_array();

	for (size_t i = 0; i < n; i++)
		json_append_str(a, v[i]);
	return a;
}

void
json_free(struct json *v)
{
	json_decref(jv(v));
}

static int
dump_to_buf(const char *s, size_t len, void *arg)
{
	buf_add(arg, s, len);
	return 0;
}

int
json_dump(struct buf *out, const struct json *v, enum json_style style)
{
	size_t flags = JSON_ENCODE_ANY, was = out->len;

	switch (style) {
	case JSON_STYLE_COMPACT:
		flags |= JSON_COMPACT;
		break;
	case JSON_STYLE_SORTED:
		flags |= JSON_COMPACT | JSON_SORT_KEYS;
		break;
	case JSON_STYLE_PRETTY:
		flags |= JSON_INDENT(2) | JSON_ENSURE_ASCII;
		break;
	}
	if (v == NULL || json_dump_callback(jv(v), dump_to_buf, out, flags) != 0) {
		out->len = was;
		if (out->ptr != NULL)
			out->ptr[was] = '\0';
		return err_set(SR_EINVALID, "cannot write JSON: a text in it is not valid UTF-8");
	}
	return 0;
}

struct json *
json_parse(const char *text, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, 0, &e);

	if (v == NULL)
		err_set(SR_EINVALID, "not JSON: %s at line %d", e.text, e.line);
	return ours(v);
}

enum json_kind
json_kind(const struct json *v)
{
	if (v == NULL)
		return JSON_KIND_NONE;
	switch (json_typeof(jv(v))) {
	case JSON_OBJECT: return JSON_KIND_OBJECT;
	case JSON_ARRAY: return JSON_KIND_ARRAY;
	case JSON_STRING: return JSON_KIND_STRING;
	case JSON_INTEGER: return JSON_KIND_INT;
	case JSON_REAL: return JSON_KIND_REAL;
	case JSON_TRUE:
	case JSON_FALSE: return JSON_KIND_BOOL;
	default: return JSON_KIND_NULL;
	}
}

const struct json *
json_get(const struct json *obj, const char *key)
{
	return ours(json_object_get(jv(obj), key));
}

const char *
json_get_str(const struct json *obj, const char *key)
{
	return json_as_str(json_get(obj, key));
}

int64_t
json_get_int(const struct json *obj, const char *key)
{
	return json_as_int(json_get(obj, key));
}

const char *
json_as_str(const struct json *v)
{
	return json_string_value(jv(v));
}

int64_t
json_as_int(const struct json *v)
{
	return (int64_t)json_integer_value(jv(v));
}

bool
json_as_bool(const struct json *v)
{
	return v != NULL && json_is_true(jv(v));
}

size_t
json_size(const struct json *v)
{
	if (json_is_array(jv(v)))
		return json_array_size(jv(v));
	return json_object_size(jv(v));
}

const struct json *
json_at(const struct json *arr, size_t i)
{
	return ours(json_array_get(jv(arr), i));
}

bool
json_next(struct json_iter *it, const struct json *obj)
{
	json_t *o = jv(obj);

	it->pos = it->pos == NULL ? json_object_iter(o) : json_object_iter_next(o, it->pos);
	if (it->pos == NULL) {
		it->key = NULL;
		it->value = NULL;
		return false;
	}
	it->key = json_object_iter_key(it->pos);
	it->value = ours(json_object_iter_value(it->pos));
	return true;
}
