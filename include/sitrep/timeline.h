/* timeline.h: the tamper-evident chain of an incident's events. Each event's
 * hash is SHA-256 over the previous event's hash and the event's own
 * canonical content; changing any stored event breaks the chain there. */
#ifndef SITREP_TIMELINE_H
#define SITREP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

struct store_event;

/* The hex hash of an event with these fields after prev_hash ("" first). */
void timeline_hash(char out[65], const char *prev_hash, int64_t incident_id,
		   int64_t at, const char *actor, const char *kind,
		   const char *details);

/* The index of the first event whose hash or link does not match, or -1
 * when the whole chain verifies. */
long timeline_verify(const struct store_event *v, size_t n);

#endif
