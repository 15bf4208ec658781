/* clock.h: the clock and the UTC timestamps every record carries
 * (milliseconds since the epoch, ISO 8601), times as readers see them in
 * the site's time zone, and moments as users type them. */
#ifndef SITREP_CLOCK_H
#define SITREP_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the epoch. Tests may fix it with clock_set_fake(). */
int64_t clock_now_ms(void);
/* Fix the clock at ms (a test's mock clock); 0 returns to the real one. */
void clock_set_fake(int64_t ms);
/* "2026-11-23T11:19:37.123Z"; out must hold 32 bytes. */
void clock_format_iso(char *out, size_t outlen, int64_t ms);

/* ms for a reader at now: "14:05 UTC" today, else "Sat 5 Dec 14:05 UTC",
 * with the year when it is not now's ("Fri 1 Jan 2027 00:30 UTC"); now 0
 * always gives the date and year. out must hold CLOCK_WHEN_MAX bytes.
 * Every time rendered for a reader goes through it. */
#define CLOCK_WHEN_MAX 48
void clock_format_when(char *out, size_t outlen, int64_t ms, int64_t now);

/* Whether name is a time zone the system knows ("UTC", "Europe/Berlin":
 * a file under /usr/share/zoneinfo, no ".." in it). */
bool clock_zone_known(const char *name);
/* The time zone of clock_format_when, the site's status_page.time_zone:
 * "today" is that zone's day, and the time carries its abbreviation
 * ("14:05 CET"). UTC by default. It sets the process's TZ: call it while
 * the process has one thread (the CLI after loading its config, sitrepd
 * before its threads start). 0, or SR_EINVALID for an unknown zone. */
int clock_set_reader_zone(const char *name);

/* A moment as ms since the epoch: "+30m", "14:05" (UTC, the next one) or
 * "2026-11-23T14:05Z". SR_EUSAGE otherwise. */
int clock_parse_time(int64_t *out, const char *text, int64_t now);

#endif
