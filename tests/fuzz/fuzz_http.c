/* fuzz_http.c: libFuzzer target for what sitrepd's HTTP listeners read
 * from strangers before any page is built: the form decoder (with a
 * round-trip property), the router (/metrics never public), the framing
 * check on a request's headers and the check on its target. The first
 * byte picks which; the rest is its input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"

#include "../../src/daemon/http-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode, encode every byte again, decode again: the same fields. */
static void
form_round_trip(const char *text, size_t len)
{
	struct http_form f, g;
	struct buf b = BUF_INIT;

	if (http_form_parse(&f, text, len) != 0)
		return;
	if (f.n > HTTP_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		if (f.name[i] == NULL || f.value[i] == NULL)
			abort();
		if (http_form_get(&f, f.name[i]) == NULL)
			abort();
		buf_adds(&b, i > 0 ? "&" : "");
		for (const char *p = f.name[i]; *p != '\0'; p++)
			buf_addf(&b, "%%%02X", (unsigned char)*p);
		buf_addch(&b, '=');
		for (const char *p = f.value[i]; *p != '\0'; p++)
			buf_addf(&b, "%%%02X", (unsigned char)*p);
	}
	/* every field encodes as at least "=", so none drops out */
	if (http_form_parse(&g, b.ptr != NULL ? b.ptr : "", b.len) != 0 || g.n != f.n)
		abort();
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.name[i], g.name[i]) != 0 || strcmp(f.value[i], g.value[i]) != 0)
			abort();
	http_form_release(&g);
	http_form_release(&f);
	buf_release(&b);
}

/* The input as header lines "name:value\n", NULs and all. */
static void
framing(const char *text, size_t len, const char *version)
{
	struct http_header hv[64];
	size_t n = 0, i = 0;

	while (i < len && n < 64) {
		size_t end = i, colon;

		while (end < len && text[end] != '\n')
			end++;
		for (colon = i; colon < end && text[colon] != ':'; colon++)
			;
		hv[n].name = text + i;
		hv[n].name_len = colon - i;
		hv[n].value = colon < end ? text + colon + 1 : NULL;
		hv[n].value_len = colon < end ? end - colon - 1 : 0;
		n++;
		i = end + 1;
	}
	(void)http_framing_problem(hv, n, version);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t len;
	int a, b;

	if (size == 0)
		return 0;
	len = size - 1;
	text = malloc(size);
	memcpy(text, data + 1, len);
	text[len] = '\0';
	switch (data[0] % 4) {
	case 0:
		form_round_trip(text, len);
		break;
	case 1:
		a = http_route_kind(text, false);
		b = http_route_kind(text, true);
		/* /metrics, whatever else it matches, is never public */
		if (strcmp(text, "/metrics") == 0 && a != -1)
			abort();
		if (a < -1 || b < -1)
			abort();
		break;
	case 2:
		framing(text, len, (data[0] & 4) ? "HTTP/1.1" : "HTTP/1.0");
		break;
	case 3: {
		unsigned int code = http_framing_target_problem(text, len);

		if (code != 0 && code != 414 && code != 400)
			abort();
		if (len > HTTP_MAX_URI && code == 0)
			abort();
		break;
	}
	}
	free(text);
	return 0;
}
