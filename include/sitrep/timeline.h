/* timeline.h: the tamper-evident chain of an incident's events. Each event's
 * hash is SHA-256 over the previous event's hash and the event's own
 * canonical content (store_event_hash, computed as the store appends it);
 * changing any stored event breaks the chain there. */
#ifndef SITREP_TIMELINE_H
#define SITREP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

struct repo;
struct store_event;
struct store_incident;

/* The index of the first event whose hash or link does not match, or -1
 * when the whole chain verifies. */
long timeline_verify(const struct store_event *v, size_t n);

/*
 * Check an incident's events v (all of them, oldest first) as a whole: the
 * hash chain, its end against the count and head hash kept with the
 * incident (so events cut off the end are found), and, when anchor is not
 * NULL, against the head recorded outside the database: the anchored
 * event must be in the chain at its place with its hash. 0 when all hold;
 * SR_EINVALID with the first problem in err_last(), naming the incident,
 * and *bad the index of the first bad event when one is (else -1).
 */
struct timeline_anchor {
	int64_t incident_id;
	int64_t count;  /* events in the chain when anchored */
	char hash[65];  /* the hash of the last of them */
};
int timeline_check(long *bad, const struct store_incident *inc,
		   const struct store_event *v, size_t n,
		   const struct timeline_anchor *anchor);

/*
 * Anchors: every incident's head, recorded as a commit on
 * TIMELINE_ANCHOR_REF in the playbook repository (a file of lines
 * "INC-<id> <count> <hash>"), so that a rewritten database no longer
 * agrees with them.
 */
#define TIMELINE_ANCHOR_REF "refs/sitrep/anchors"
/* The latest anchors (*n 0 and sha "" when none were ever recorded). */
int timeline_anchors_load(struct timeline_anchor **out, size_t *n, char sha[41],
			  struct repo *r);
/* Record v as the new latest anchors; sha names the commit. */
int timeline_anchors_save(char sha[41], struct repo *r,
			  const struct timeline_anchor *v, size_t n);
/* The anchor of incident id in v, or NULL. */
const struct timeline_anchor *timeline_anchor_find(const struct timeline_anchor *v,
						   size_t n, int64_t id);

#endif
