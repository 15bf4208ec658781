/* duration.h: the playbook's durations ("30s", "5m", "2h", "1d"). Moments
 * in time are clock.h's. */
#ifndef SITREP_DURATION_H
#define SITREP_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parse "<digits><s|m|h|d>" into seconds. Returns 0, or SR_EUSAGE with a
 * message naming the problem (empty, negative, bad unit, overflow). */
int duration_parse(int64_t *out_seconds, const char *text);
/* Format seconds the shortest exact way: 90 -> "90s", 300 -> "5m". */
void duration_format(char *out, size_t outlen, int64_t seconds);

#endif
