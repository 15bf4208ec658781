/* json.h: JSON values built, written and read through one small module of
 * ours (jansson does the work inside json.c, and nothing else sees it). */
#ifndef SITREP_JSON_H
#define SITREP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * A JSON value: an object, array, string, integer, boolean or null.
 * Whoever makes one owns it and frees it with json_free, unless they hand
 * it to json_set or json_append, which take it. A value handed over stays
 * valid as long as its container does, so a caller may go on filling an
 * array it has already put in an object.
 *
 * Building never fails (out of memory aborts, as xmalloc does). Text is
 * checked for UTF-8 once, when the document is written: json_dump refuses
 * a document holding a text that is not UTF-8, or a NULL where a text or
 * value was expected, so a producer checks once, at the dump.
 */
struct json;

struct json *json_new_object(void);
struct json *json_new_array(void);
/* s copied; NULL makes the document fail to dump (see above). */
struct json *json_new_string(const char *s);
/* s copied; null for NULL. */
struct json *json_new_string_or_null(const char *s);
struct json *json_new_int(int64_t v);
/* v, or null when 0 (an id or a status that 0 means is not there). */
struct json *json_new_int_or_null(int64_t v);
struct json *json_new_bool(bool v);
struct json *json_new_null(void);
/* A time in ms as "2026-11-23T14:05:00.000Z", or null when 0. */
struct json *json_new_time(int64_t ms);
/* A text that may not be valid UTF-8 (a row written to the store by hand):
 * each bad byte as U+FFFD, never dropped; null for NULL. */
struct json *json_new_text(const char *s);

/* Set obj's member key to v (taken), replacing any member of that name;
 * a new member goes after the others. */
void json_set(struct json *obj, const char *key, struct json *v);
/* Shorthands for json_set with json_new_string, json_new_string_or_null,
 * json_new_int, json_new_bool and json_new_time. */
void json_set_str(struct json *obj, const char *key, const char *s);
void json_set_str_or_null(struct json *obj, const char *key, const char *s);
void json_set_int(struct json *obj, const char *key, int64_t v);
void json_set_bool(struct json *obj, const char *key, bool v);
void json_set_time(struct json *obj, const char *key, int64_t ms);
/* Append v (taken) to the array arr; json_append_str a json_new_string. */
void json_append(struct json *arr, struct json *v);
void json_append_str(struct json *arr, const char *s);
/* A new array of the n texts in v (copied). */
struct json *json_new_str_array(char *const *v, size_t n);

void json_free(struct json *v);

/* How a document is written. */
enum json_style {
	JSON_STYLE_COMPACT, /* one line, members in the order they were set */
	JSON_STYLE_SORTED,  /* one line, members sorted by key: an event's details,
			     * which its hash covers */
	JSON_STYLE_PRETTY,  /* indented by 2, anything not ASCII as \uXXXX: for
			     * people (the CLI's --json) */
};

/* Append v written in style to out; SR_EINVALID, out unchanged, when a
 * text in it is not UTF-8 (or was NULL). */
int json_dump(struct buf *out, const struct json *v, enum json_style style);

/* Read an object or array from text[0..len); NULL (with err_last()) when
 * it is not JSON. The caller frees the result. */
struct json *json_parse(const char *text, size_t len);

/* What a value is; JSON_KIND_NONE for NULL (a member not there). */
enum json_kind {
	JSON_KIND_NONE,
	JSON_KIND_NULL,
	JSON_KIND_BOOL,
	JSON_KIND_INT,
	JSON_KIND_REAL,
	JSON_KIND_STRING,
	JSON_KIND_ARRAY,
	JSON_KIND_OBJECT,
};
enum json_kind json_kind(const struct json *v);

/* Reading: each takes NULL or a value of another kind and then answers
 * NULL, 0 or false, so lookups chain: json_get_str(json_get(d, "status"),
 * "to"). What they return belongs to the value read. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_get_str(const struct json *obj, const char *key);
int64_t json_get_int(const struct json *obj, const char *key);
const char *json_as_str(const struct json *v);
int64_t json_as_int(const struct json *v);
bool json_as_bool(const struct json *v);
/* An array's elements or an object's members. */
size_t json_size(const struct json *v);
const struct json *json_at(const struct json *arr, size_t i);

/* An object's members in order:
 *	struct json_iter it = JSON_ITER_INIT;
 *	while (json_next(&it, obj))
 *		use(it.key, it.value);
 * The object must not change meanwhile. */
struct json_iter {
	void *pos;
	const char *key;
	const struct json *value;
};
#define JSON_ITER_INIT { NULL, NULL, NULL }
bool json_next(struct json_iter *it, const struct json *obj);

#endif
