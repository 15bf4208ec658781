/* tz.h: time zones read from the system's TZif files (/usr/share/zoneinfo,
 * or $TZDIR), so that a thread can turn instants into a zone's wall-clock
 * time and back without touching the process's TZ (the reader's zone,
 * clock.h's business). */
#ifndef SITREP_TZ_H
#define SITREP_TZ_H

#include <stdbool.h>
#include <stdint.h>

struct tz;

/* Wall-clock time in a zone, and the rules in force then. */
struct tz_local {
	int year, month, day;   /* month 1..12, day 1..31 */
	int hour, min, sec;
	int wday;               /* 0 Sunday .. 6 Saturday */
	int yday;               /* 0..365 */
	int32_t offset;         /* seconds east of UTC */
	bool dst;
	char abbr[16];          /* "CET", "EDT", "+0530" */
};

/*
 * Load zone name ("Europe/Berlin", "UTC"): its TZif file's 64-bit data and,
 * for instants after its last transition, the POSIX TZ rule in its footer.
 * SR_ENOTFOUND for a zone the system does not know (or a name with ".."),
 * SR_EINVALID for a file that is not TZif. The caller frees it with tz_free.
 * A zone already loaded and not yet freed is shared, not read again (the
 * zone is never changed once loaded; thread-safe).
 */
int tz_load(struct tz **out, const char *name);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* The wall-clock time in z at utc_ms (milliseconds since the epoch). */
void tz_to_local(struct tz_local *out, const struct tz *z, int64_t utc_ms);
/* The offset (seconds east of UTC) in force at utc_ms. */
int32_t tz_offset(const struct tz *z, int64_t utc_ms);

/*
 * The instant (ms) at which z's clocks show the wall-clock time local_s
 * (seconds since 1970-01-01 00:00 on those clocks, tz_local_seconds). A
 * time skipped by a change (02:30 when clocks jump from 02:00 to 03:00)
 * gives the moment after the gap (the change itself); a time shown twice
 * (02:30 when clocks go back at 03:00) gives the first.
 */
int64_t tz_to_utc(const struct tz *z, int64_t local_s);

/* Wall-clock fields as seconds since 1970-01-01 00:00 on the same clock
 * (month 1..12; out-of-range fields carry over, as mktime's do). */
int64_t tz_local_seconds(int year, int month, int day, int hour, int min, int sec);
/* Days since 1970-01-01 of a civil date, and back. */
int64_t tz_days_from_civil(int year, int month, int day);
void tz_civil_from_days(int *year, int *month, int *day, int64_t days);

/* "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM") as the instant it names in
 * z (tz_to_utc's rules for gaps and repeats): 0, or SR_EUSAGE. */
int tz_parse_local(int64_t *out_ms, const struct tz *z, const char *text);

#endif
