/* http-int.h: what http.c keeps to itself but lets its fuzz target and
 * unit tests reach: the form decoder, the router and the checks on a
 * request's framing. No other module includes it. */
#ifndef SITREP_HTTP_INT_H
#define SITREP_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_FIELDS		128	/* in a form */
#define HTTP_MAX_QUERY_ARGS	32	/* in a URL's query */
#define HTTP_MAX_URI		4096

/* A decoded application/x-www-form-urlencoded body. */
struct http_form {
	char *name[HTTP_MAX_FIELDS];
	char *value[HTTP_MAX_FIELDS];
	size_t n;
};

/* Parse len bytes of body into f; SR_EUSAGE with a message when it is not
 * a form (a bad %-escape, a NUL, too many fields). f is empty then. */
int http_form_parse(struct http_form *f, const char *body, size_t len);
/* The first value of name, or NULL. */
const char *http_form_get(const struct http_form *f, const char *name);
void http_form_release(struct http_form *f);

/* What serves url (a path without its query) on the public or the internal
 * listener: one of enum http_kind in http.c, or -1 for nothing (404). */
int http_route_kind(const char *url, bool internal);

/* One request header as the client sent it: value_len counts any NUL. */
struct http_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/*
 * Whether a request's headers frame it unambiguously: NULL when they do,
 * else what is wrong, for a 400 that closes the connection. Refused: a
 * Content-Length sent twice or not a number, Content-Length with
 * Transfer-Encoding, a Transfer-Encoding other than chunked, HTTP/1.1
 * without exactly one Host, a NUL or other control byte in a header.
 */
const char *http_framing_problem(const struct http_header *hv, size_t n,
				 const char *version);

/* Whether a request target (path and query, as sent) is too long or has
 * more than HTTP_MAX_QUERY_ARGS query arguments: the status to answer
 * (414 or 400), or 0. */
unsigned int http_target_problem(const char *target, size_t len);

#endif
