/* json.c: the JSON helpers every JSON producer shares: times as ISO 8601
 * strings, null when unset. Building documents is each producer's job. */
#include "sitrep/clock.h"
#include <stdlib.h>

#include "sitrep/json.h"
#include "sitrep/utf8.h"

json_t *
json_time(int64_t ms)
{
	char when[32];

	if (ms == 0)
		return json_null();
	clock_format_iso(when, sizeof(when), ms);
	return json_string(when);
}

json_t *
json_text(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_null();
	clean = utf8_repair(s);
	j = json_string(clean);
	free(clean);
	return j != NULL ? j : json_string("");
}
