/* oncall.c: parses an on-call schedule's committed text and validates it
 * (every problem with file:line), and answers who is on call at a moment
 * and when that changes, by arithmetic on the rotations' turns (never a
 * walk minute by minute). Reading the text is repo.c's job, overrides come
 * from the store through rota.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/oncall.h"
#include "sitrep/tz.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"
#include "confread.h"

static const char *const top_keys[] = { "time_zone", "rotation", "layers", NULL };
static const char *const layer_keys[] = {
	"name", "people", "length", "start", "days", "from", "until", NULL
};
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* How many changes oncall_who looks past for one that changes the answer. */
#define ONCALL_LOOKAHEAD 2000

const char *
oncall_day_name(int w)
{
	return w >= 0 && w < 7 ? day_names[w] : "?";
}

char *
oncall_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= 9 || strcmp(base + len - 9, ".schedule") != 0)
		return NULL;
	return xstrndup(base, len - 9);
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* ---- parsing ---- */

/* "HH:MM" (and "24:00" when end) in minutes, or -1. */
static int
parse_clock(const char *s, bool end)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' || n != 5 || h < 0 ||
	    m < 0 || m > 59 || h > 24 || (h == 24 && (m != 0 || !end)))
		return -1;
	return h * 60 + m;
}

static void
check_people(struct confread *r, struct oncall_layer *l, const config_setting_t *g,
	     const struct conf *conf)
{
	int line = confread_member_line(g, "people");

	if (l->npeople == 0)
		diag_add(r->diags, r->file, line, "%s '%s' has no people: name who takes turns",
			 l->line ? "layer" : "rotation", l->name);
	for (size_t i = 0; i < l->npeople; i++) {
		const struct conf_person *p;

		for (size_t k = 0; k < i; k++)
			if (strcmp(l->people[k], l->people[i]) == 0) {
				diag_add(r->diags, r->file, line,
					 "'%s' is named twice in '%s': a person takes one turn "
					 "in each round", l->people[i], l->name);
				break;
			}
		if (conf == NULL)
			continue;
		if ((p = conf_person(conf, l->people[i])) == NULL)
			diag_add(r->diags, r->file, line,
				 "person '%s' is not in the site config: add them to "
				 "'people' in %s", l->people[i], conf->path);
		else if (p->ncontacts == 0)
			diag_add(r->diags, r->file, line,
				 "person '%s' has no contact to be paged through: give them "
				 "'contacts' (or an 'email') in %s", l->people[i], conf->path);
	}
}

static void
parse_window(struct confread *r, struct oncall_layer *l, const config_setting_t *g)
{
	char **days = NULL, *from = NULL, *until = NULL;
	size_t ndays = 0;
	int line;

	l->from = l->until = -1;
	if (confread_strs(r, g, "days", false, &days, &ndays)) {
		line = confread_member_line(g, "days");
		if (ndays == 0)
			diag_add(r->diags, r->file, line,
				 "'days' is empty: leave it out for every day");
		for (size_t i = 0; i < ndays; i++) {
			int w = -1;

			for (int k = 0; k < 7; k++)
				if (strcmp(days[i], day_names[k]) == 0)
					w = k;
			if (w < 0)
				diag_add(r->diags, r->file, line,
					 "unknown day '%s': use mon, tue, wed, thu, fri, sat, sun",
					 days[i]);
			else if (l->days & (1u << w))
				diag_add(r->diags, r->file, line, "day '%s' is named twice",
					 days[i]);
			else
				l->days |= 1u << w;
		}
	}
	confread_free_strs(days, ndays);
	confread_str(r, g, "from", false, &from);
	confread_str(r, g, "until", false, &until);
	if (from != NULL && (l->from = parse_clock(from, false)) < 0)
		diag_add(r->diags, r->file, confread_member_line(g, "from"),
			 "'from' must be a time of day HH:MM, not '%s'", from);
	if (until != NULL && (l->until = parse_clock(until, true)) < 0)
		diag_add(r->diags, r->file, confread_member_line(g, "until"),
			 "'until' must be a time of day HH:MM (24:00 for midnight), not '%s'",
			 until);
	if ((from == NULL) != (until == NULL))
		diag_add(r->diags, r->file, confread_member_line(g, from ? "from" : "until"),
			 "give both 'from' and 'until', or neither (all day)");
	else if (l->from >= 0 && l->until >= 0 && l->from >= l->until)
		diag_add(r->diags, r->file, confread_member_line(g, "until"),
			 "'until' %s is not after 'from' %s: a window ends the day it starts "
			 "(use two layers for a night shift)", until, from);
	if (l->from < 0 || l->until < 0)
		l->from = l->until = -1;
	free(from);
	free(until);
}

/* "1w", "2d", "12h", "30m": a turn's length; weeks and days are calendar
 * days on the zone's clock, the rest elapsed time. */
static void
parse_length(struct confread *r, struct oncall_layer *l, const config_setting_t *g)
{
	char *text = NULL;
	size_t n;
	int line = confread_member_line(g, "length");

	if (!confread_str(r, g, "length", true, &text))
		return;
	n = strlen(text);
	if (n >= 2 && text[n - 1] == 'w' && strspn(text, "0123456789") == n - 1 && n < 6) {
		l->length = strtoll(text, NULL, 10) * 7 * 86400;
		l->calendar = true;
	} else if (duration_parse(&l->length, text) != 0) {
		diag_add(r->diags, r->file, line, "'length' must be a turn such as \"1w\", "
			 "\"1d\", \"12h\", not '%s'", text);
		l->length = 0;
		free(text);
		return;
	} else
		l->calendar = text[n - 1] == 'd';
	if (l->length < 60)
		diag_add(r->diags, r->file, line,
			 "'length' must be at least 1m (a turn such as \"1w\", \"1d\", \"12h\")");
	else if (l->length > 366LL * 86400)
		diag_add(r->diags, r->file, line, "'length' must be at most a year, not '%s'",
			 text);
	free(text);
}

static void
parse_layer(struct confread *r, struct oncall_schedule *s, struct oncall_layer *l,
	    const config_setting_t *g, const struct conf *conf, const struct tz *zone,
	    bool single)
{
	char *start = NULL;

	confread_check_keys(r, g, layer_keys, single ? "the rotation" : "a layer");
	if (!confread_str(r, g, "name", false, &l->name))
		l->name = single ? xstrdup("rotation") :
			  xasprintf("layer %zu", s->nlayers + 1);
	else if (!vocab_ident(l->name))
		diag_add(r->diags, r->file, confread_member_line(g, "name"),
			 "layer name '%s' must be lowercase letters, digits, '-' or '_'",
			 l->name);
	for (size_t k = 0; k < s->nlayers; k++)
		if (strcmp(s->layers[k].name, l->name) == 0)
			diag_add(r->diags, r->file, confread_member_line(g, "name"),
				 "duplicate layer name '%s'", l->name);
	if (confread_strs(r, g, "people", true, &l->people, &l->npeople))
		check_people(r, l, g, conf);
	parse_length(r, l, g);
	if (confread_str(r, g, "start", true, &start)) {
		if (zone != NULL && tz_parse_local(&l->start_ms, zone, start) != 0)
			diag_add(r->diags, r->file, confread_member_line(g, "start"),
				 "'start' must be a local time \"YYYY-MM-DD HH:MM\", not '%s'",
				 start);
		else if (zone != NULL) {
			int y, mo, d, h, mi;

			sscanf(start, "%d-%d-%d%*c%d:%d", &y, &mo, &d, &h, &mi);
			l->start_local = tz_local_seconds(y, mo, d, h, mi, 0);
		}
		free(start);
	}
	parse_window(r, l, g);
}


/* Whether layer b, later, is in force whenever a is: every day and hour of
 * a's, from a's start on. */
static bool
layer_covers(const struct oncall_layer *b, const struct oncall_layer *a)
{
	bool days = b->days == 0 || (a->days != 0 && (a->days & ~b->days) == 0);
	bool hours = b->from < 0 || (a->from >= 0 && b->from <= a->from && b->until >= a->until);

	return days && hours && b->start_ms <= a->start_ms;
}

/* Overlapping layers are the point of layers, but one that a later layer
 * covers entirely is never in force: a mistake, refused where it is. */
static void
hidden_layers(struct confread *r, const struct oncall_schedule *s)
{
	for (size_t i = 0; i < s->nlayers; i++)
		for (size_t k = i + 1; k < s->nlayers; k++)
			if (s->layers[i].length > 0 && s->layers[k].length > 0 &&
			    layer_covers(&s->layers[k], &s->layers[i])) {
				diag_add(r->diags, r->file, s->layers[i].line,
					 "layer '%s' is never in force: layer '%s' (line %d), "
					 "later in the list, covers all of its days and hours "
					 "from its start; give it days, hours or a later start, "
					 "or remove it", s->layers[i].name ? s->layers[i].name : "?",
					 s->layers[k].name ? s->layers[k].name : "?",
					 s->layers[k].line);
				break;
			}
}

static void
parse_top(struct confread *r, struct oncall_schedule *s, const config_setting_t *root,
	  const struct conf *conf)
{
	const config_setting_t *rot, *layers;
	struct tz *utc = NULL;
	const struct tz *zone;

	confread_check_keys(r, root, top_keys, "the schedule");
	if (confread_str(r, root, "time_zone", true, &s->time_zone) &&
	    tz_load(&s->tz, s->time_zone) != 0)
		diag_add(r->diags, r->file, confread_member_line(root, "time_zone"),
			 "unknown time zone '%s': give a name like 'Europe/Berlin' or 'UTC' "
			 "(see /usr/share/zoneinfo)", s->time_zone);
	/* with no usable zone, check the rest's syntax on UTC's clock */
	if (s->tz == NULL && tz_load(&utc, "UTC") != 0)
		utc = NULL;
	zone = s->tz != NULL ? s->tz : utc;
	rot = config_setting_get_member(root, "rotation");
	layers = config_setting_get_member(root, "layers");
	if (rot != NULL && layers != NULL)
		diag_add(r->diags, r->file, confread_line(layers),
			 "give 'rotation' or 'layers', not both (a rotation is one layer)");
	else if (rot == NULL && layers == NULL)
		diag_add(r->diags, r->file, 1,
			 "a schedule needs a 'rotation' (or 'layers'): who takes turns, how "
			 "long, from when");
	if (rot != NULL && layers == NULL &&
	    (rot = confread_group(r, root, "rotation", true)) != NULL) {
		s->layers = xcalloc(1, sizeof(*s->layers));
		s->layers[0].line = 0;
		parse_layer(r, s, &s->layers[0], rot, conf, zone, true);
		s->layers[0].line = confread_line(rot);
		s->nlayers = 1;
	}
	if (layers != NULL && rot == NULL &&
	    (layers = confread_list(r, root, "layers", true)) != NULL) {
		int n = config_setting_length(layers);

		if (n == 0)
			diag_add(r->diags, r->file, confread_line(layers),
				 "'layers' is empty: give at least one");
		s->layers = xcalloc((size_t)n + 1, sizeof(*s->layers));
		for (int i = 0; i < n; i++) {
			const config_setting_t *g = config_setting_get_elem(layers, (unsigned)i);
			struct oncall_layer *l = &s->layers[s->nlayers];

			if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
				diag_add(r->diags, r->file, confread_line(g),
					 "each layer must be a group { people = ...; length = "
					 "...; start = ...; }");
				continue;
			}
			l->line = confread_line(g);
			parse_layer(r, s, l, g, conf, zone, false);
			s->nlayers++;
		}
	}
	tz_free(utc);
	hidden_layers(r, s);
}

int
oncall_parse(struct oncall_schedule **out, struct diags *diags, const char *text,
	     size_t len, const char *path, const struct conf *conf)
{
	struct confread r = { diags, path, NULL };
	struct oncall_schedule *s;
	config_t cfg;
	size_t before = diags->n;

	*out = NULL;
	if (len > ONCALL_MAX_SIZE) {
		diag_add(diags, path, 0, "%zu bytes, more than a schedule may be (%d KiB)",
			 len, ONCALL_MAX_SIZE / 1024);
		return err_set(SR_EINVALID, "schedule '%s' is not valid", path);
	}
	if (!confread_parse(&r, &cfg, text, len)) {
		config_destroy(&cfg);
		confread_release(&r);
		return err_set(SR_EINVALID, "schedule '%s' is not valid", path);
	}
	s = xcalloc(1, sizeof(*s));
	if ((s->name = oncall_name_from_path(path)) == NULL)
		s->name = xstrdup(path);
	else if (!vocab_ident(s->name))
		diag_add(diags, path, 0, "schedule name '%s' must be lowercase letters, "
			 "digits, '-' or '_' (rename the file)", s->name);
	parse_top(&r, s, config_root_setting(&cfg), conf);
	config_destroy(&cfg);
	confread_release(&r);
	if (diags->n > before) {
		oncall_free(s);
		return err_set(SR_EINVALID, "schedule '%s' is not valid", path);
	}
	*out = s;
	return 0;
}

void
oncall_free(struct oncall_schedule *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nlayers; i++) {
		free(s->layers[i].name);
		confread_free_strs(s->layers[i].people, s->layers[i].npeople);
	}
	free(s->layers);
	free(s->name);
	free(s->time_zone);
	tz_free(s->tz);
	free(s);
}

/* ---- who is on call ---- */

static bool
whole_days(const struct oncall_layer *l)
{
	return l->calendar;
}

/* The instant turn k of l begins: a whole number of days after the start
 * on the zone's clock, else so much elapsed time. */
static int64_t
handoff_ms(const struct oncall_schedule *s, const struct oncall_layer *l, int64_t k)
{
	if (whole_days(l))
		return tz_to_utc(s->tz, l->start_local + k * l->length);
	return l->start_ms + k * l->length * 1000;
}

/* The turn of l at t (t at or after the start). */
static int64_t
turn_at(const struct oncall_schedule *s, const struct oncall_layer *l, int64_t t)
{
	int64_t k, local;

	if (!whole_days(l))
		return floordiv(t - l->start_ms, l->length * 1000);
	local = floordiv(t, 1000) + tz_offset(s->tz, t);
	k = floordiv(local - l->start_local, l->length);
	while (k > 0 && handoff_ms(s, l, k) > t)
		k--;
	while (handoff_ms(s, l, k + 1) <= t)
		k++;
	return k;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Whether t is inside one of l's windows (days, from..until on the zone's
 * clock), and the next time one opens or closes after t. The days around
 * t's local date hold both: a window never spans midnight.
 */
static bool
in_window(int64_t *next, const struct oncall_schedule *s, const struct oncall_layer *l,
	  int64_t t)
{
	int64_t day = floordiv(floordiv(t, 1000) + tz_offset(s->tz, t), 86400);
	bool inside = false;

	*next = INT64_MAX;
	for (int64_t d = day - 1; d <= day + 8; d++) {
		int w = (int)(((d + 4) % 7 + 7) % 7);
		int64_t open, close;

		if (l->days != 0 && !(l->days & (1u << w)))
			continue;
		open = tz_to_utc(s->tz, d * 86400 + (l->from >= 0 ? l->from * 60 : 0));
		close = tz_to_utc(s->tz, d * 86400 + (l->from >= 0 ? l->until * 60 : 86400));
		if (open <= t && t < close)
			inside = true;
		if (open > t)
			*next = min64(*next, open);
		if (close > t)
			*next = min64(*next, close);
	}
	return inside;
}

/* The person of layer l at t (NULL when it is not in force) and the next
 * moment that may change it. */
static const char *
layer_at(int64_t *next, const struct oncall_schedule *s, const struct oncall_layer *l,
	 int64_t t)
{
	int64_t k, wnext;
	bool windowed = l->days != 0 || l->from >= 0;
	bool inside = true;

	if (t < l->start_ms) {
		*next = l->start_ms;
		return NULL;
	}
	k = turn_at(s, l, t);
	*next = l->npeople > 1 ? handoff_ms(s, l, k + 1) : INT64_MAX;
	if (windowed) {
		inside = in_window(&wnext, s, l, t);
		*next = min64(*next, wnext);
	}
	return inside ? l->people[(size_t)(k % (int64_t)l->npeople)] : NULL;
}

/* Who is on call at t, and the next moment anything in the schedule
 * changes (which may or may not change who). */
static const char *
who_at(int64_t *next, const struct oncall_schedule *s, const struct oncall_override *ov,
       size_t nov, int64_t t)
{
	const char *person = NULL;

	*next = INT64_MAX;
	for (size_t i = 0; i < s->nlayers; i++) {
		int64_t nx;
		const char *p = layer_at(&nx, s, &s->layers[i], t);

		*next = min64(*next, nx);
		if (p != NULL)
			person = p;
	}
	for (size_t i = 0; i < nov; i++) {
		if (ov[i].from_ms <= t && t < ov[i].until_ms)
			person = ov[i].person;
		if (ov[i].from_ms > t)
			*next = min64(*next, ov[i].from_ms);
		if (ov[i].until_ms > t)
			*next = min64(*next, ov[i].until_ms);
	}
	return person;
}

static bool
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
oncall_who(const char **person, int64_t *next_change, const struct oncall_schedule *s,
	   const struct oncall_override *ov, size_t nov, int64_t at_ms)
{
	int64_t nx;
	const char *p = who_at(&nx, s, ov, nov, at_ms);

	/* a change of layer or turn that leaves the same person on call is
	 * not a change of the answer: look past it */
	for (int guard = 0; guard < ONCALL_LOOKAHEAD && nx != INT64_MAX; guard++) {
		int64_t nx2;

		if (!same(who_at(&nx2, s, ov, nov, nx), p))
			break;
		nx = nx2;
	}
	*person = p;
	if (next_change != NULL)
		*next_change = nx;
}

void
oncall_handoffs(struct oncall_handoff **out, size_t *n, const struct oncall_schedule *s,
		const struct oncall_override *ov, size_t nov, int64_t from_ms,
		int64_t until_ms, size_t max)
{
	struct oncall_handoff *v = NULL;
	size_t cap = 0, count = 0;
	const char *p;
	int64_t t;

	if (max == 0)
		max = 10000;
	oncall_who(&p, &t, s, ov, nov, from_ms);
	while (t != INT64_MAX && t <= until_ms && count < max) {
		const char *q;
		int64_t nx;

		oncall_who(&q, &nx, s, ov, nov, t);
		if (!same(p, q)) {
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[count++] = (struct oncall_handoff){ t, p, q };
		}
		p = q;
		if (nx <= t)
			break;
		t = nx;
	}
	*out = v;
	*n = count;
}
