/* http-framing.c: the checks on a request before it is routed: that its
 * headers frame it unambiguously (no request smuggling past a proxy in
 * front), including what libmicrohttpd itself hides of them, and that its
 * target is not too long nor has too many arguments. What a refusal
 * answers is http-handler.c's. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sitrep/xalloc.h"

#include "http-int.h"

static bool
name_is(const struct http_header *hv, const char *name)
{
	return hv->name_len == strlen(name) && strncasecmp(hv->name, name, hv->name_len) == 0;
}

const char *
http_framing_problem(const struct http_header *hv, size_t n, const char *version)
{
	size_t ncl = 0, nte = 0, nhost = 0;
	const struct http_header *te = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct http_header *x = &hv[i];

		if (x->name == NULL || x->name_len == 0 || memchr(x->name, '\0', x->name_len))
			return "A header name is empty or holds a NUL byte.";
		for (size_t k = 0; x->value != NULL && k < x->value_len; k++) {
			unsigned char ch = (unsigned char)x->value[k];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return "A header value holds a control character.";
		}
		if (name_is(x, "Content-Length")) {
			ncl++;
			if (x->value == NULL || x->value_len == 0)
				return "Content-Length is not a number.";
			for (size_t k = 0; k < x->value_len; k++)
				if (x->value[k] < '0' || x->value[k] > '9')
					return "Content-Length is not a number.";
		} else if (name_is(x, "Transfer-Encoding")) {
			nte++;
			te = x;
		} else if (name_is(x, "Host"))
			nhost++;
	}
	if (ncl > 1)
		return "Content-Length is sent more than once.";
	if (ncl > 0 && nte > 0)
		return "Content-Length and Transfer-Encoding are both sent.";
	if (nte > 1 || (te != NULL && (te->value == NULL || te->value_len != 7 ||
				       strncasecmp(te->value, "chunked", 7) != 0)))
		return "The only Transfer-Encoding understood here is chunked.";
	if (version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && nhost != 1)
		return "An HTTP/1.1 request needs exactly one Host header.";
	return NULL;
}

unsigned int
http_framing_target_problem(const char *target, size_t len)
{
	const char *q = memchr(target, '?', len);
	size_t args = 0;

	if (len > HTTP_MAX_URI)
		return 414;
	if (q == NULL)
		return 0;
	for (const char *p = q + 1; p < target + len; p++)
		args += *p == '&';
	return args + 1 > HTTP_MAX_QUERY_ARGS ? 414 : 0;
}

#define HTTP_MAX_HEADERS	128

struct header_list {
	struct http_header hv[HTTP_MAX_HEADERS];
	size_t n;
	bool too_many;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	       const char *value, size_t value_size)
{
	struct header_list *l = cls;

	(void)kind;
	if (l->n == HTTP_MAX_HEADERS) {
		l->too_many = true;
		return MHD_NO;
	}
	l->hv[l->n].name = key;
	l->hv[l->n].name_len = key_size;
	l->hv[l->n].value = value;
	l->hv[l->n].value_len = value_size;
	l->n++;
	return MHD_YES;
}

/*
 * libmicrohttpd 0.9.75 measures a header's value with strlen, so a NUL
 * byte sent inside one hides the rest of it from every check. What it
 * leaves in place tells: each header line stays where it was received in
 * the connection's read buffer, its CR LF overwritten with two NULs, the
 * next line right after. A value whose end is not followed by two NULs
 * and then the next header's name had more in it (or ended in a bare LF,
 * or was folded over lines, both refused too).
 */
static bool
headers_hide_bytes(const struct header_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *end = l->hv[i].value + l->hv[i].value_len;

		if (l->hv[i].value == NULL || end[0] != '\0' || end[1] != '\0')
			return true;
		if (i + 1 < l->n && l->hv[i + 1].name != end + 2)
			return true;
	}
	return false;
}

const char *
http_framing_request_problem(struct MHD_Connection *conn, const char *version)
{
	struct header_list *l = xcalloc(1, sizeof(*l));
	const char *why;

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, l);
	if (l->too_many)
		why = "The request has too many headers.";
	else if (headers_hide_bytes(l))
		why = "A header holds a NUL byte, is folded over lines or does not end "
		      "in CR LF.";
	else
		why = http_framing_problem(l->hv, l->n, version);
	free(l);
	return why;
}
