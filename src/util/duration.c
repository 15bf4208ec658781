/* duration.c: parses and formats the playbook's durations ("30s", "5m").
 * Moments in time, the clock and the reader's zone are clock.c's. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include "sitrep/duration.h"
#include "sitrep/err.h"

int
duration_parse(int64_t *out_seconds, const char *text)
{
	int64_t v = 0, mult;
	const char *p = text;

	if (text == NULL || *text == '\0')
		return err_set(SR_EUSAGE, "empty duration: write a number and a unit, like 30s, 5m, 2h or 1d");
	if (*p == '-')
		return err_set(SR_EUSAGE, "negative duration '%s'", text);
	if (!isdigit((unsigned char)*p))
		return err_set(SR_EUSAGE, "bad duration '%s': write a number and a unit, like 30s, 5m, 2h or 1d", text);
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return err_set(SR_EUSAGE, "duration '%s' is too large", text);
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case '\0':
		return err_set(SR_EUSAGE, "duration '%s' has no unit: add s, m, h or d", text);
	default:
		return err_set(SR_EUSAGE, "bad unit in duration '%s': use s, m, h or d", text);
	}
	if (p[1] != '\0')
		return err_set(SR_EUSAGE, "bad duration '%s': one number and one unit, like 90m", text);
	/* Cap at 100 years: anything longer is a typo, and it keeps
	 * milliseconds arithmetic far from overflow. */
	if (v > INT64_C(100) * 365 * 86400 / mult)
		return err_set(SR_EUSAGE, "duration '%s' is too large", text);
	*out_seconds = v * mult;
	return 0;
}

void
duration_format(char *out, size_t outlen, int64_t seconds)
{
	if (seconds != 0 && seconds % 86400 == 0)
		snprintf(out, outlen, "%lldd", (long long)(seconds / 86400));
	else if (seconds != 0 && seconds % 3600 == 0)
		snprintf(out, outlen, "%lldh", (long long)(seconds / 3600));
	else if (seconds != 0 && seconds % 60 == 0)
		snprintf(out, outlen, "%lldm", (long long)(seconds / 60));
	else
		snprintf(out, outlen, "%llds", (long long)seconds);
}
