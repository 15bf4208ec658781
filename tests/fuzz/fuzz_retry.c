/* fuzz_retry.c: libFuzzer target for the Retry-After parser a receiver's
 * answer reaches (deliver_retry_after): it returns -1 or a wait, and a
 * plain number is read as itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	long secs;
	size_t digits;

	memcpy(text, data, size);
	text[size] = '\0';
	secs = deliver_retry_after(text, 1795435200);
	if (secs < -1)
		abort();
	/* Up to 18 digits (below LONG_MAX), nothing else: that number. */
	digits = strspn(text, "0123456789");
	if (digits > 0 && digits <= 18 && text[digits] == '\0' &&
	    secs != strtol(text, NULL, 10))
		abort();
	free(text);
	return 0;
}
