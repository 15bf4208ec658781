/* tz.c: a reader of the system's TZif files (RFC 8536: the version 2+
 * 64-bit data, and the POSIX TZ rule of the footer for instants after the
 * last transition, which Debian's "slim" files rely on) and conversions
 * between instants and a zone's wall-clock time. It never sets TZ: the
 * process's zone is the reader's (clock.c), and sitrepd has threads. A
 * zone loaded while another load of it is held is shared (counted, under
 * a lock): fifty schedules in eight zones read eight files. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/tz.h"
#include "sitrep/xalloc.h"

struct tz_type {
	int32_t off;
	bool dst;
	char abbr[16];
};

/* A POSIX TZ rule date: Jn (julian, no Feb 29), n (0-based day), Mm.w.d. */
struct tz_date {
	char kind; /* 'J', 'D' or 'M' */
	int a, b, c;
	int32_t time; /* seconds after local midnight, may be negative or > 24h */
};

struct tz_rule {
	struct tz_type std, dst;
	bool has_dst;
	struct tz_date start, end;
};

struct tz {
	char *name;
	unsigned refs;    /* holders of this load (tz_load's sharing) */
	struct tz *next;  /* the zones held, for sharing */
	int64_t *at;      /* transitions, seconds, ascending */
	unsigned char *idx;
	size_t nat;
	struct tz_type *types;
	size_t ntypes;
	bool has_rule;
	struct tz_rule rule;
};

/* The largest TZif file we read: real ones are a few KiB. */
#define TZ_MAX_FILE (1024 * 1024)

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* Howard Hinnant's days_from_civil. */
int64_t
tz_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = (int64_t)y - era * 400;
	doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int *year, int *month, int *day, int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

int64_t
tz_local_seconds(int year, int month, int day, int hour, int min, int sec)
{
	int64_t y = year + floordiv(month - 1, 12);
	int m = (int)((month - 1) - floordiv(month - 1, 12) * 12) + 1;

	return tz_days_from_civil((int)y, m, 1) * 86400 + (int64_t)(day - 1) * 86400 +
	       (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* ---- the POSIX TZ rule of the footer ---- */

static const char *
rule_name(char out[16], const char *p)
{
	size_t n = 0;

	if (*p == '<') {
		p++;
		while (*p != '\0' && *p != '>') {
			if (n < 15)
				out[n++] = *p;
			p++;
		}
		if (*p != '>')
			return NULL;
		p++;
	} else
		while (isalpha((unsigned char)*p)) {
			if (n < 15)
				out[n++] = *p;
			p++;
		}
	out[n] = '\0';
	return n >= 1 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static const char *
rule_time(int32_t *out, const char *p)
{
	int sign = 1, part = 0;
	int32_t v[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (;;) {
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p)) {
			v[part] = v[part] * 10 + (*p++ - '0');
			if (v[part] > 1000)
				return NULL;
		}
		if (*p != ':' || part == 2)
			break;
		p++;
		part++;
	}
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return p;
}

static const char *
rule_num(int *out, const char *p)
{
	int v = 0;

	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > 1000)
			return NULL;
	}
	*out = v;
	return p;
}

static const char *
rule_date(struct tz_date *d, const char *p)
{
	d->time = 7200; /* 02:00 by default */
	if (*p == 'J') {
		d->kind = 'J';
		if ((p = rule_num(&d->a, p + 1)) == NULL || d->a < 1 || d->a > 365)
			return NULL;
	} else if (*p == 'M') {
		d->kind = 'M';
		if ((p = rule_num(&d->a, p + 1)) == NULL || *p++ != '.' ||
		    (p = rule_num(&d->b, p)) == NULL || *p++ != '.' ||
		    (p = rule_num(&d->c, p)) == NULL)
			return NULL;
		if (d->a < 1 || d->a > 12 || d->b < 1 || d->b > 5 || d->c > 6)
			return NULL;
	} else {
		d->kind = 'D';
		if ((p = rule_num(&d->a, p)) == NULL || d->a > 365)
			return NULL;
	}
	if (*p == '/')
		p = rule_time(&d->time, p + 1);
	return p;
}

/* "CET-1CEST,M3.5.0,M10.5.0/3": false when it cannot be read. */
static bool
rule_parse(struct tz_rule *r, const char *p)
{
	int32_t off;

	memset(r, 0, sizeof(*r));
	if ((p = rule_name(r->std.abbr, p)) == NULL || (p = rule_time(&off, p)) == NULL)
		return false;
	r->std.off = -off; /* POSIX counts west */
	if (*p == '\0')
		return true;
	if ((p = rule_name(r->dst.abbr, p)) == NULL)
		return false;
	r->has_dst = true;
	r->dst.dst = true;
	r->dst.off = r->std.off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = rule_time(&off, p)) == NULL)
			return false;
		r->dst.off = -off;
	}
	if (*p == '\0') { /* the US rules, POSIX's default */
		r->start = (struct tz_date){ 'M', 3, 2, 0, 7200 };
		r->end = (struct tz_date){ 'M', 11, 1, 0, 7200 };
		return true;
	}
	if (*p++ != ',' || (p = rule_date(&r->start, p)) == NULL || *p++ != ',' ||
	    (p = rule_date(&r->end, p)) == NULL)
		return false;
	return *p == '\0';
}

/* The local seconds (since the epoch, on the zone's clock) of a rule date
 * in year y. */
static int64_t
rule_local(const struct tz_date *d, int y)
{
	int64_t day;

	if (d->kind == 'J')
		day = tz_days_from_civil(y, 1, 1) + d->a - 1 + (leap(y) && d->a >= 60);
	else if (d->kind == 'D')
		day = tz_days_from_civil(y, 1, 1) + d->a;
	else {
		int64_t first = tz_days_from_civil(y, d->a, 1);
		int wfirst = (int)((first + 4) % 7 + 7) % 7;
		int64_t dom = (d->c - wfirst + 7) % 7 + (int64_t)(d->b - 1) * 7;

		while (dom >= month_days(y, d->a))
			dom -= 7;
		day = first + dom;
	}
	return day * 86400 + d->time;
}

/* The instants DST starts and ends in year y (UTC seconds). */
static void
rule_year(int64_t *start, int64_t *end, const struct tz_rule *r, int y)
{
	*start = rule_local(&r->start, y) - r->std.off;
	*end = rule_local(&r->end, y) - r->dst.off;
}

static int
year_of(int64_t t)
{
	int y, m, d;

	tz_civil_from_days(&y, &m, &d, floordiv(t, 86400));
	return y;
}

/*
 * The rule's type at t, and its next change after t (INT64_MAX for none).
 * The transitions of the years around t, in order, tell both.
 */
static const struct tz_type *
rule_at(int64_t *next, const struct tz_rule *r, int64_t t)
{
	const struct tz_type *cur = NULL;
	int64_t best = INT64_MIN, nx = INT64_MAX;
	int y = year_of(t);

	if (!r->has_dst) {
		if (next != NULL)
			*next = INT64_MAX;
		return &r->std;
	}
	for (int k = y - 1; k <= y + 1; k++) {
		int64_t s, e;

		rule_year(&s, &e, r, k);
		if (s <= t && s > best) {
			best = s;
			cur = &r->dst;
		}
		if (e <= t && e > best) {
			best = e;
			cur = &r->std;
		}
		if (s > t && s < nx)
			nx = s;
		if (e > t && e < nx)
			nx = e;
	}
	if (next != NULL)
		*next = nx;
	return cur != NULL ? cur : &r->std;
}

/* ---- the TZif file ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static bool
tzif_header(struct tzif_counts *c, char *version, const unsigned char *p, size_t len)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	*version = (char)p[4];
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	return c->type >= 1 && c->type <= 256 && c->time <= 100000 && c->leap <= 100000 &&
	       c->chars <= 100000 && c->isut <= 256 && c->isstd <= 256;
}

static size_t
tzif_size(const struct tzif_counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static bool
tzif_parse(struct tz *z, const unsigned char *p, size_t len)
{
	struct tzif_counts c;
	const unsigned char *d, *types, *chars;
	size_t tsize = 4, body;
	char version;

	if (!tzif_header(&c, &version, p, len))
		return false;
	body = tzif_size(&c, 4);
	if (44 + body > len)
		return false;
	if (version >= '2') { /* skip the 32-bit data: the 64-bit follows */
		p += 44 + body;
		len -= 44 + body;
		if (!tzif_header(&c, &version, p, len))
			return false;
		tsize = 8;
		body = tzif_size(&c, 8);
		if (44 + body > len)
			return false;
	}
	d = p + 44;
	z->nat = c.time;
	z->at = xcalloc(c.time + 1, sizeof(*z->at));
	z->idx = xcalloc(c.time + 1, 1);
	for (size_t i = 0; i < c.time; i++)
		z->at[i] = tsize == 8 ? be64(d + i * 8) : (int32_t)be32(d + i * 4);
	memcpy(z->idx, d + (size_t)c.time * tsize, c.time);
	types = d + (size_t)c.time * tsize + c.time;
	chars = types + (size_t)c.type * 6;
	z->ntypes = c.type;
	z->types = xcalloc(c.type, sizeof(*z->types));
	for (size_t i = 0; i < c.type; i++) {
		const unsigned char *t = types + i * 6;
		size_t ai = t[5];

		z->types[i].off = (int32_t)be32(t);
		z->types[i].dst = t[4] != 0;
		if (ai < c.chars) {
			size_t n = strnlen((const char *)chars + ai, c.chars - ai);

			if (n > 15)
				n = 15;
			memcpy(z->types[i].abbr, chars + ai, n);
		}
	}
	for (size_t i = 0; i < c.time; i++)
		if (z->idx[i] >= c.type || (i > 0 && z->at[i] <= z->at[i - 1]))
			return false;
	if (tsize == 8) { /* the footer: "\nTZ string\n" */
		const char *f = (const char *)d + body, *end = (const char *)p + len;

		if (f < end && *f == '\n') {
			const char *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));

			if (nl != NULL && nl > f + 1) {
				char *s = xstrndup(f + 1, (size_t)(nl - f - 1));

				z->has_rule = rule_parse(&z->rule, s);
				free(s);
			}
		}
	}
	return true;
}

static bool
name_ok(const char *name)
{
	if (name == NULL || *name == '\0' || *name == '/' || strlen(name) > 200)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_-+.", *p) == NULL)
			return false;
	return strstr(name, "..") == NULL;
}

/* The zones held now, each shared by its holders. */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *held;

static void
tz_destroy(struct tz *z)
{
	free(z->name);
	free(z->at);
	free(z->idx);
	free(z->types);
	free(z);
}

static int
tz_read(struct tz **out, const char *name)
{
	const char *dir = getenv("TZDIR");
	unsigned char *data;
	struct tz *z;
	char *path;
	size_t n = 0, cap = TZ_MAX_FILE;
	long size;
	FILE *fp;

	*out = NULL;
	if (!name_ok(name))
		return err_set(SR_ENOTFOUND, "unknown time zone '%s': give a name like "
			       "'Europe/Berlin' or 'UTC'", name != NULL ? name : "");
	path = xasprintf("%s/%s", dir != NULL && *dir == '/' ? dir : "/usr/share/zoneinfo",
			 name);
	fp = fopen(path, "rb");
	free(path);
	if (fp == NULL)
		return err_set(SR_ENOTFOUND, "unknown time zone '%s': give a name like "
			       "'Europe/Berlin' or 'UTC' (see /usr/share/zoneinfo)", name);
	/* TZif files are a few KiB: read at most what the file holds */
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) > 0 && size < TZ_MAX_FILE)
		cap = (size_t)size;
	rewind(fp);
	data = xmalloc(cap);
	n = fread(data, 1, cap, fp);
	fclose(fp);
	z = xcalloc(1, sizeof(*z));
	z->name = xstrdup(name);
	if (!tzif_parse(z, data, n)) {
		free(data);
		tz_destroy(z);
		return err_set(SR_ENOTFOUND, "unknown time zone '%s': its file is not a "
			       "time zone (TZif) file", name);
	}
	free(data);
	*out = z;
	return 0;
}

int
tz_load(struct tz **out, const char *name)
{
	struct tz *z;
	int rc = 0;

	pthread_mutex_lock(&held_lock);
	for (z = held; z != NULL; z = z->next)
		if (name != NULL && strcmp(z->name, name) == 0)
			break;
	if (z != NULL)
		z->refs++;
	else if ((rc = tz_read(&z, name)) == 0) {
		z->refs = 1;
		z->next = held;
		held = z;
	}
	pthread_mutex_unlock(&held_lock);
	*out = rc == 0 ? z : NULL;
	return rc;
}

void
tz_free(struct tz *z)
{
	struct tz **p;

	if (z == NULL)
		return;
	pthread_mutex_lock(&held_lock);
	if (--z->refs == 0) {
		for (p = &held; *p != z; p = &(*p)->next)
			;
		*p = z->next;
		tz_destroy(z);
	}
	pthread_mutex_unlock(&held_lock);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

/* The type in force at t (seconds) and, when next, the next change after
 * t (INT64_MAX for none). */
static const struct tz_type *
type_at(int64_t *next, const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->nat;

	if (z->nat == 0 || t < z->at[0]) {
		if (z->nat == 0 && z->has_rule)
			return rule_at(next, &z->rule, t);
		if (next != NULL)
			*next = z->nat > 0 ? z->at[0] : INT64_MAX;
		return &z->types[0];
	}
	/* the last transition at or before t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (lo + 1 < z->nat) {
		if (next != NULL)
			*next = z->at[lo + 1];
		return &z->types[z->idx[lo]];
	}
	if (z->has_rule)
		return rule_at(next, &z->rule, t);
	if (next != NULL)
		*next = INT64_MAX;
	return &z->types[z->idx[lo]];
}

int32_t
tz_offset(const struct tz *z, int64_t utc_ms)
{
	return type_at(NULL, z, floordiv(utc_ms, 1000))->off;
}

void
tz_to_local(struct tz_local *out, const struct tz *z, int64_t utc_ms)
{
	int64_t t = floordiv(utc_ms, 1000);
	const struct tz_type *ty = type_at(NULL, z, t);
	int64_t l = t + ty->off, days = floordiv(l, 86400), sod = l - days * 86400;

	memset(out, 0, sizeof(*out));
	tz_civil_from_days(&out->year, &out->month, &out->day, days);
	out->hour = (int)(sod / 3600);
	out->min = (int)(sod / 60 % 60);
	out->sec = (int)(sod % 60);
	out->wday = (int)((days + 4) % 7 + 7) % 7;
	out->yday = (int)(days - tz_days_from_civil(out->year, 1, 1));
	out->offset = ty->off;
	out->dst = ty->dst;
	memcpy(out->abbr, ty->abbr, sizeof(out->abbr));
}

/*
 * Walk the intervals between changes from well before the wall-clock time
 * to well after it (no zone is more than a day off UTC): the first interval
 * whose clocks show local_s holds the answer; when none does, local_s was
 * skipped, and the change that skipped it is the moment after the gap.
 */
int64_t
tz_to_utc(const struct tz *z, int64_t local_s)
{
	int64_t t = local_s - 2 * 86400, end = local_s + 2 * 86400;
	int32_t prev_off = 0;
	bool first = true;

	for (int guard = 0; guard < 64 && t < end; guard++) {
		int64_t next;
		const struct tz_type *ty = type_at(&next, z, t);
		int64_t cand = local_s - ty->off;

		if (!first && local_s < t + ty->off && local_s >= t + prev_off)
			return t * 1000; /* in the gap that opened at t */
		if (cand >= t && cand < next)
			return cand * 1000;
		first = false;
		prev_off = ty->off;
		if (next == INT64_MAX)
			break;
		t = next;
	}
	return (local_s - tz_offset(z, (local_s - 86400) * 1000)) * 1000;
}

int
tz_parse_local(int64_t *out_ms, const struct tz *z, const char *text)
{
	int y, mo, d, h, mi, n = 0;
	char sep;

	if (text == NULL ||
	    sscanf(text, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
	    text[n] != '\0' || (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || h < 0 || mi < 0 || y < 1900)
		return err_set(SR_EUSAGE, "'%s' is not a local time: write YYYY-MM-DD HH:MM",
			       text != NULL ? text : "");
	*out_ms = tz_to_utc(z, tz_local_seconds(y, mo, d, h, mi, 0));
	return 0;
}
