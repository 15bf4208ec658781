/* fuzz_duration.c: libFuzzer target for the duration parser and the times
 * built on it (duration_parse, duration_format, clock_parse_time). Beyond
 * not crashing: a parsed duration formats and parses back to itself, and a
 * refused relative time ("+3d2h") keeps the duration parser's own message
 * intact after the text it quotes (once, it was formatted into the buffer
 * it was read from, which no sanitizer reports). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *text, const char *got, const char *want)
{
	fprintf(stderr, "fuzz_duration: %s for '%s'\n  got:  %s\n  want: %s\n",
		what, text, got, want);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, inner[1024], f[32];
	int64_t secs, again, at;
	size_t n;

	if (memchr(data, '\0', size) != NULL)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (duration_parse(&secs, text) == 0) {
		duration_format(f, sizeof(f), secs);
		if (duration_parse(&again, f) != 0 || again != secs)
			fail("a duration does not format and parse back", text, f, text);
	}
	if (text[0] == '+' && size < 200) {
		int inner_ok = duration_parse(&secs, text + 1) == 0;

		snprintf(inner, sizeof(inner), "%s", err_last());
		if (clock_parse_time(&at, text, 1795435200000) != 0) {
			const char *msg = err_last();

			n = strlen(inner);
			if (inner_ok || strlen(msg) < n || strcmp(msg + strlen(msg) - n, inner) != 0 ||
			    strstr(msg, text) == NULL)
				fail("a refused relative time garbles its message", text, msg, inner);
		}
	} else
		(void)clock_parse_time(&at, text, 1795435200000);
	free(text);
	return 0;
}
