/* timeline.c: verifies the chain of an incident's events, against the end
 * kept with the incident and the anchors kept in the playbook repository.
 * Storing and hashing events is store-incident.c's job; printing the CLI's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/repo.h"
#include "sitrep/store-incident.h"
#include "sitrep/timeline.h"
#include "sitrep/xalloc.h"

long
timeline_verify(const struct store_event *v, size_t n)
{
	const char *prev = "";
	char want[65];

	for (size_t i = 0; i < n; i++) {
		store_event_hash(want, prev, v[i].incident_id, v[i].at, v[i].actor,
				 v[i].kind, v[i].details, v[i].via);
		if (strcmp(v[i].prev_hash, prev) != 0 || strcmp(v[i].hash, want) != 0)
			return (long)i;
		prev = v[i].hash;
	}
	return -1;
}

int
timeline_check(long *bad, const struct store_incident *inc, const struct store_event *v,
	       size_t n, const struct timeline_anchor *anchor)
{
	const char *head = n > 0 ? v[n - 1].hash : "";

	*bad = timeline_verify(v, n);
	if (*bad >= 0)
		return err_set(SR_EINVALID, "INC-%lld: event %lld (number %ld of %zu) does "
			       "not match its hash: the timeline was altered there",
			       (long long)inc->id, (long long)v[*bad].id, *bad + 1, n);
	if ((int64_t)n != inc->event_count || strcmp(head, inc->head_hash) != 0)
		return err_set(SR_EINVALID, "INC-%lld: the timeline has %zu event%s but %lld "
			       "%s recorded with the incident (head %.12s, recorded %.12s): "
			       "events were %s", (long long)inc->id, n, n == 1 ? "" : "s",
			       (long long)inc->event_count,
			       inc->event_count == 1 ? "was" : "were", head, inc->head_hash,
			       (int64_t)n < inc->event_count ? "removed from its end" :
			       "added or changed behind sitrep's back");
	if (anchor == NULL || anchor->count == 0)
		return 0;
	if ((int64_t)n < anchor->count)
		return err_set(SR_EINVALID, "INC-%lld: the timeline has %zu event%s but %lld "
			       "were anchored in the playbook repository (%s): events were "
			       "removed and the incident's record rewritten",
			       (long long)inc->id, n, n == 1 ? "" : "s",
			       (long long)anchor->count, TIMELINE_ANCHOR_REF);
	if (strcmp(v[anchor->count - 1].hash, anchor->hash) != 0) {
		*bad = (long)anchor->count - 1;
		return err_set(SR_EINVALID, "INC-%lld: event number %lld does not match "
			       "its anchor in the playbook repository (%s, hash %.12s): the "
			       "timeline was rewritten", (long long)inc->id,
			       (long long)anchor->count, TIMELINE_ANCHOR_REF, anchor->hash);
	}
	return 0;
}

const struct timeline_anchor *
timeline_anchor_find(const struct timeline_anchor *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].incident_id == id)
			return &v[i];
	return NULL;
}

static bool
is_hash(const char *h)
{
	size_t i;

	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return i == 64;
}

/* The file: a first line naming it, then "INC-<id> <count> <hash>" each. */
#define ANCHOR_FILE "anchors"
#define ANCHOR_FIRST_LINE "sitrep timeline anchors v1\n"

int
timeline_anchors_load(struct timeline_anchor **out, size_t *n, char sha[41], struct repo *r)
{
	struct timeline_anchor *v = NULL;
	size_t k = 0, cap = 0, len, line = 1;
	char *text, *p, *nl;
	int rc;

	*out = NULL;
	*n = 0;
	rc = repo_resolve(sha, r, TIMELINE_ANCHOR_REF);
	if (rc == SR_ENOTFOUND) {
		sha[0] = '\0';
		return 0;
	}
	if (rc != 0 || (rc = repo_read_file(&text, &len, r, sha, ANCHOR_FILE)) != 0)
		return rc;
	if (strncmp(text, ANCHOR_FIRST_LINE, strlen(ANCHOR_FIRST_LINE)) != 0) {
		free(text);
		return err_set(SR_EINVALID, "the anchors at %s (%.7s) are not sitrep's: "
			       "the first line is not '%.*s'", TIMELINE_ANCHOR_REF, sha,
			       (int)strlen(ANCHOR_FIRST_LINE) - 1, ANCHOR_FIRST_LINE);
	}
	for (p = text + strlen(ANCHOR_FIRST_LINE); *p != '\0'; p = nl + 1) {
		struct timeline_anchor a;
		long long id, count;
		char hash[65];
		int used = 0;

		line++;
		if ((nl = strchr(p, '\n')) == NULL) {
			rc = err_set(SR_EINVALID, "the anchors at %s (%.7s) end without a "
				     "newline at line %zu", TIMELINE_ANCHOR_REF, sha, line);
			break;
		}
		*nl = '\0';
		if (sscanf(p, "INC-%lld %lld %64s%n", &id, &count, hash, &used) != 3 ||
		    p[used] != '\0' || id < 1 || count < 1 || !is_hash(hash)) {
			rc = err_set(SR_EINVALID, "the anchors at %s (%.7s) have a bad line "
				     "%zu: want 'INC-<id> <count> <sha-256>'",
				     TIMELINE_ANCHOR_REF, sha, line);
			break;
		}
		a.incident_id = id;
		a.count = count;
		memcpy(a.hash, hash, sizeof(a.hash));
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[k++] = a;
	}
	free(text);
	if (rc != 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int
timeline_anchors_save(char sha[41], struct repo *r, const struct timeline_anchor *v, size_t n)
{
	struct buf b = BUF_INIT;
	char msg[128];
	int rc;

	buf_adds(&b, ANCHOR_FIRST_LINE);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "INC-%lld %lld %s\n", (long long)v[i].incident_id,
			   (long long)v[i].count, v[i].hash);
	snprintf(msg, sizeof(msg), "sitrep: anchor the timelines of %zu incident%s\n", n,
		 n == 1 ? "" : "s");
	rc = repo_commit_file(sha, r, TIMELINE_ANCHOR_REF, ANCHOR_FILE, buf_str(&b), b.len, msg);
	buf_release(&b);
	return rc;
}
