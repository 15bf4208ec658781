/* oncall.h: an on-call schedule (NAME.schedule in the playbook repository,
 * libconfig syntax, sitrep-schedule(5)) parsed from a committed blob and
 * validated, and who is on call at a moment: rotations, layers, overrides.
 * Where the text comes from is repo.c's business, overrides the store's. */
#ifndef SITREP_ONCALL_H
#define SITREP_ONCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct conf;
struct tz;

/* The largest schedule file, refused before it is parsed. */
#define ONCALL_MAX_SIZE (256 * 1024)

/* One rotation: people taking turns of length, the first turn starting at
 * start; while days/from/until are given, only then. */
struct oncall_layer {
	char *name;          /* "rotation" for a schedule's single rotation */
	char **people;       /* handles, in turn order, never empty */
	size_t npeople;
	int64_t length;      /* seconds */
	bool calendar;       /* length in days or weeks ("1d", "1w"): turns
			      * hand over at the same local time across DST;
			      * else ("24h", "90m") after so much elapsed time */
	int64_t start_local; /* the first handoff on the zone's clock
			      * (tz_local_seconds) */
	int64_t start_ms;    /* the same instant */
	unsigned days;       /* bit w for weekday w (0 Sunday); 0: every day */
	int from, until;     /* minutes after local midnight; -1: all day */
	int line;
};

struct oncall_schedule {
	char *name;
	char *time_zone;
	struct tz *tz;
	struct oncall_layer *layers; /* later ones win while they apply */
	size_t nlayers;
};

/* A person on call instead of the rotation from from_ms until until_ms
 * (the store's oncall_overrides rows). */
struct oncall_override {
	int64_t id;
	const char *person;
	int64_t from_ms, until_ms;
};

/* A change of who is on call: from or to is NULL when nobody is. */
struct oncall_handoff {
	int64_t at_ms;
	const char *from, *to; /* point into the schedule or the overrides */
};

/*
 * Parse and validate the text of path (NAME.schedule: the name is the file
 * name's). conf, when not NULL, checks that every person is in the site
 * config with a contact. Every problem goes to diags with path:line;
 * returns 0 with *out set, or SR_EINVALID with *out NULL.
 */
int oncall_parse(struct oncall_schedule **out, struct diags *diags, const char *text,
		 size_t len, const char *path, const struct conf *conf);
void oncall_free(struct oncall_schedule *s);

/* "ops.schedule" -> "ops"; NULL when path does not end so. */
char *oncall_name_from_path(const char *path);

/*
 * Who is on call in s at at_ms: the latest (last in ov) of the overrides
 * covering at_ms, else the person of the last layer in force; *person NULL
 * when nobody is. *next_change (may be NULL) is when that answer next
 * changes, INT64_MAX when nothing foreseen changes it.
 */
void oncall_who(const char **person, int64_t *next_change, const struct oncall_schedule *s,
		const struct oncall_override *ov, size_t nov, int64_t at_ms);

/* The handoffs after from_ms up to until_ms, in order, at most max (0: 10000).
 * The caller frees *out. */
void oncall_handoffs(struct oncall_handoff **out, size_t *n, const struct oncall_schedule *s,
		     const struct oncall_override *ov, size_t nov, int64_t from_ms,
		     int64_t until_ms, size_t max);

/* "mon".."sun" for weekday w (0 Sunday). */
const char *oncall_day_name(int w);

#endif
