/* confread.h: typed lookups in a libconfig tree that report every problem
 * with file:line into a diags list. Private to src/config: shared by conf.c
 * and playbook.c, the only other files that see libconfig. */
#ifndef SITREP_CONFREAD_H
#define SITREP_CONFREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "sitrep/diag.h"

struct confread {
	struct diags *diags;
	const char *file;
	char *text; /* the parsed source (confread_parse's copy), for lines inside
		     * strings; freed by confread_release */
};

/* The line of s, or of its nearest ancestor that has one (1 at worst). */
int confread_line(const config_setting_t *s);

/* The line of group's member name, or of group when it has none. */
int confread_member_line(const config_setting_t *group, const char *name);
/* Where the last confread_find_line search ended; start it zeroed. */
struct confread_cursor {
	const char *pos;
	int line;
};

/* The line where needle next appears in the source at or after from_line
 * (see confread.c); from_line when it cannot be found. */
int confread_find_line(struct confread *r, int from_line, const char *needle,
		       struct confread_cursor *cursor);

/*
 * Parse text into cfg with @include lines blanked out (each reported) and a
 * syntax error reported with its line. Returns false when nothing could be
 * parsed.
 */
bool confread_parse(struct confread *r, config_t *cfg, const char *text, size_t len);

/* Free what confread_parse kept. */
void confread_release(struct confread *r);

/* Report every child of group whose name is not in allowed (NULL-ended). */
void confread_check_keys(struct confread *r, const config_setting_t *group,
			 const char *const *allowed, const char *what);

/*
 * Each reads group's member name into *out. A missing member is reported
 * when required and leaves *out alone; a member of the wrong type is always
 * reported. Return true when a value was stored.
 */
bool confread_str(struct confread *r, const config_setting_t *group,
		  const char *name, bool required, char **out);
bool confread_bool(struct confread *r, const config_setting_t *group,
		   const char *name, bool *out);
bool confread_int(struct confread *r, const config_setting_t *group,
		  const char *name, bool required, long long *out);
bool confread_duration(struct confread *r, const config_setting_t *group,
		       const char *name, bool required, int64_t *out);
bool confread_severity(struct confread *r, const config_setting_t *group,
		       const char *name, bool required, int *out);
/* An array of strings; *out is NULL-free and owned by the caller. */
bool confread_strs(struct confread *r, const config_setting_t *group,
		   const char *name, bool required, char ***out, size_t *outn);
/* A list (or group) member of group, type-checked. NULL when missing. */
const config_setting_t *confread_list(struct confread *r,
				      const config_setting_t *group,
				      const char *name, bool required);
const config_setting_t *confread_group(struct confread *r,
				       const config_setting_t *group,
				       const char *name, bool required);

void confread_free_strs(char **v, size_t n);

#endif
