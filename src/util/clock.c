/* clock.c: the clock (which tests can fix), ISO 8601 timestamps, times
 * for readers in the site's time zone, and the moments a user types.
 * Durations are duration.c's. The fixed clock and the reader's zone are
 * the only state. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include "sitrep/clock.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"

static int64_t clock_fake_ms;

int64_t
clock_now_ms(void)
{
	struct timespec ts;

	if (clock_fake_ms != 0)
		return clock_fake_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_set_fake(int64_t ms)
{
	clock_fake_ms = ms;
}

void
clock_format_iso(char *out, size_t outlen, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char date[24];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03dZ", date, (int)(ms % 1000));
}

/*
 * A moment for a reader: "14:05 UTC" when it falls on now's UTC day, else
 * with its day, "Sat 5 Dec 14:05 UTC", and its year when that is not now's,
 * "Fri 1 Jan 2027 00:30 UTC". A bare "06:56" for a time days away reads as
 * today's (issue 11): every message and listing formats its times here.
 * Names are English whatever the locale, as the messages are.
 */
/* Whether clock_format_when uses the local zone (TZ) rather than UTC. */
static bool reader_zone_local;

bool
clock_zone_known(const char *name)
{
	char path[512];
	struct stat st;

	if (name == NULL || name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL ||
	    strlen(name) > 200)
		return false;
	/* UTC needs no file (clock_set_reader_zone takes it without TZ) */
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
		return true;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
clock_set_reader_zone(const char *name)
{
	if (name == NULL || strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
		reader_zone_local = false;
		return 0;
	}
	if (!clock_zone_known(name))
		return err_set(SR_EINVALID, "unknown time zone '%s': give a name from "
			       "/usr/share/zoneinfo, like \"Europe/Berlin\" or \"UTC\"", name);
	setenv("TZ", name, 1);
	tzset();
	reader_zone_local = true;
	return 0;
}

void
clock_format_when(char *out, size_t outlen, int64_t ms, int64_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000), n = (time_t)(now / 1000);
	struct tm tm, tn;
	struct tm *(*split)(const time_t *, struct tm *) = reader_zone_local ? localtime_r :
		gmtime_r;
	const char *zone;

	if (ms < 0 || split(&t, &tm) == NULL || split(&n, &tn) == NULL) {
		snprintf(out, outlen, "-");
		return;
	}
	zone = reader_zone_local && tm.tm_zone != NULL ? tm.tm_zone : "UTC";
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		snprintf(out, outlen, "%02d:%02d %s", tm.tm_hour, tm.tm_min, zone);
	else if (tm.tm_year == tn.tm_year)
		snprintf(out, outlen, "%s %d %s %02d:%02d %s", days[tm.tm_wday], tm.tm_mday,
			 months[tm.tm_mon], tm.tm_hour, tm.tm_min, zone);
	else
		snprintf(out, outlen, "%s %d %s %d %02d:%02d %s", days[tm.tm_wday], tm.tm_mday,
			 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, zone);
}

/*
 * A moment: "+30m" (from now), "14:05" (UTC, today, or tomorrow when that
 * has passed), or "2026-11-23T14:05[:SS][Z]" / "2026-11-23 14:05" (UTC).
 */
int
clock_parse_time(int64_t *out, const char *text, int64_t now)
{
	struct tm tm;
	const char *end;
	int64_t secs;
	time_t t;

	if (text[0] == '+') {
		/* duration_parse's message names text + 1; say which time it
		 * was in (err_set copies err_last() before writing over it) */
		if (duration_parse(&secs, text + 1) != 0)
			return err_set(SR_EUSAGE, "bad time '%s': %s", text, err_last());
		*out = now + secs * 1000;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(text, "%H:%M", &tm)) != NULL && *end == '\0') {
		time_t day = (time_t)(now / 1000) - (time_t)(now / 1000) % 86400;

		*out = ((int64_t)day + tm.tm_hour * 3600 + tm.tm_min * 60) * 1000;
		if (*out <= now)
			*out += 86400 * 1000;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (((end = strptime(text, "%Y-%m-%dT%H:%M", &tm)) != NULL ||
	     (memset(&tm, 0, sizeof(tm)), end = strptime(text, "%Y-%m-%d %H:%M", &tm)) != NULL)) {
		if (*end == ':') {
			char *e2;
			long sec = strtol(end + 1, &e2, 10);

			if (e2 == end + 1 || sec < 0 || sec > 60)
				end = NULL;
			else {
				tm.tm_sec = (int)sec;
				end = e2;
			}
		}
		if (end != NULL && (*end == 'Z' || *end == 'z'))
			end++;
		if (end != NULL && *end == '\0') {
			/* timegm normalises (2026-02-30 would be March 2nd): a
			 * date or time no calendar has is refused instead */
			struct tm want = tm, back;
			int sec = tm.tm_sec;

			tm.tm_sec = 0;
			t = timegm(&tm);
			if (gmtime_r(&t, &back) != NULL && back.tm_year == want.tm_year &&
			    back.tm_mon == want.tm_mon && back.tm_mday == want.tm_mday &&
			    back.tm_hour == want.tm_hour && back.tm_min == want.tm_min) {
				*out = ((int64_t)t + sec) * 1000;
				return 0;
			}
		}
	}
	return err_set(SR_EUSAGE, "'%s' is not a time: write +30m, 14:05 (UTC) or "
		       "2026-11-23T14:05Z", text);
}
