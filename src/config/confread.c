/* confread.c: typed, line-reporting lookups in libconfig trees for conf.c
 * and playbook.c. What the settings mean is theirs to decide. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/utf8.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"
#include "confread.h"

int
confread_line(const config_setting_t *s)
{
	for (; s != NULL; s = config_setting_parent(s)) {
		int line = (int)config_setting_source_line(s);

		if (line > 0)
			return line;
	}
	return 1;
}

/*
 * Every text a config or a playbook holds may reach a message, a page or
 * the store, so the whole source must be UTF-8: each line that is not is
 * reported with its line and the byte within it (libconfig itself takes
 * any byte in a string).
 */
static void
check_utf8(struct confread *r, const char *text)
{
	int line = 1;

	for (const char *p = text; *p != '\0'; line++) {
		size_t n = strcspn(p, "\n"), at;

		if (!utf8_valid(p, n, &at))
			diag_add(r->diags, r->file, line, "byte %zu of this line is not valid "
				 "UTF-8: write the file in UTF-8", at + 1);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/*
 * libconfig 1.5 follows @include on its own and has no hook to refuse it, so
 * the directive is found here first: each line that starts with @include
 * (outside a string or comment) is reported and blanked, and the rest still
 * parses, so the author sees every other problem too.
 */
bool
confread_parse(struct confread *r, config_t *cfg, const char *text, size_t len)
{
	enum { CODE, STRING, LINE_COMMENT, BLOCK_COMMENT } state = CODE;
	char *copy = xmalloc(len + 1);
	int line = 1;
	bool at_bol = true;
	bool ok;

	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len)
		diag_add(r->diags, r->file, 1, "the file contains a NUL byte");
	check_utf8(r, copy);
	for (char *p = copy; *p != '\0'; p++) {
		if (*p == '\n') {
			line++;
			at_bol = true;
			if (state == LINE_COMMENT)
				state = CODE;
			continue;
		}
		if (state == STRING) {
			if (*p == '\\' && p[1] != '\0' && p[1] != '\n')
				p++;
			else if (*p == '"')
				state = CODE;
			continue;
		}
		if (state == LINE_COMMENT)
			continue;
		if (state == BLOCK_COMMENT) {
			if (*p == '*' && p[1] == '/') {
				state = CODE;
				p++;
			}
			continue;
		}
		if (at_bol && isspace((unsigned char)*p))
			continue;
		if (at_bol && strncasecmp(p, "@include", 8) == 0) {
			diag_add(r->diags, r->file, line,
				 "@include is not allowed: the file must be self-contained");
			for (; *p != '\0' && *p != '\n'; p++)
				*p = ' ';
			p--;
			continue;
		}
		at_bol = false;
		if (*p == '"')
			state = STRING;
		else if (*p == '#' || (*p == '/' && p[1] == '/'))
			state = LINE_COMMENT;
		else if (*p == '/' && p[1] == '*') {
			state = BLOCK_COMMENT;
			p++;
		}
	}
	config_init(cfg);
	ok = config_read_string(cfg, copy) == CONFIG_TRUE;
	free(r->text);
	r->text = copy;
	if (!ok) {
		const char *why = config_error_text(cfg);

		if (why == NULL || strcmp(why, "syntax error") == 0)
			diag_add(r->diags, r->file, config_error_line(cfg),
				 "syntax error: look for a missing ';', '=', quote or bracket here or just before");
		else
			diag_add(r->diags, r->file, config_error_line(cfg),
				 "syntax error: %s", why);
	}
	return ok;
}

void
confread_release(struct confread *r)
{
	free(r->text);
	r->text = NULL;
}

int
confread_member_line(const config_setting_t *group, const char *name)
{
	const config_setting_t *s = config_setting_get_member(group, name);

	return confread_line(s != NULL ? s : group);
}

/*
 * The line in the source text, at or after from_line, where needle next
 * appears; the cursor (start zeroed) remembers where the last search ended
 * so repeated needles find successive places. A string value's parsed text
 * loses its line structure (adjacent literals, escaped newlines), so lines
 * of things inside it are found in the source.
 */
int
confread_find_line(struct confread *r, int from_line, const char *needle,
		   struct confread_cursor *cursor)
{
	const char *hit;
	int line;

	if (r->text == NULL)
		return from_line;
	if (cursor->pos == NULL) {
		cursor->pos = r->text;
		cursor->line = 1;
		for (; *cursor->pos != '\0' && cursor->line < from_line; cursor->pos++)
			cursor->line += *cursor->pos == '\n';
	}
	if ((hit = strstr(cursor->pos, needle)) == NULL)
		return from_line;
	for (; cursor->pos < hit; cursor->pos++)
		cursor->line += *cursor->pos == '\n';
	line = cursor->line;
	/* step past the needle, so the same needle next finds its next place */
	for (const char *end = hit + strlen(needle); cursor->pos < end; cursor->pos++)
		cursor->line += *cursor->pos == '\n';
	return line;
}

void
confread_check_keys(struct confread *r, const config_setting_t *group,
		    const char *const *allowed, const char *what)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(c);
		const char *const *a;

		if (name == NULL)
			continue;
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, name) == 0)
				break;
		if (*a == NULL)
			diag_add(r->diags, r->file, confread_line(c),
				 "unknown setting '%s' in %s", name, what);
	}
}

static const config_setting_t *
member(struct confread *r, const config_setting_t *group, const char *name,
       bool required)
{
	const config_setting_t *s = config_setting_get_member(group, name);

	if (s == NULL && required) {
		const char *gname = config_setting_name(group);

		if (gname != NULL)
			diag_add(r->diags, r->file, confread_line(group),
				 "missing required setting '%s' in '%s'", name, gname);
		else
			diag_add(r->diags, r->file, confread_line(group),
				 "missing required setting '%s'", name);
	}
	return s;
}

bool
confread_str(struct confread *r, const config_setting_t *group, const char *name,
	     bool required, char **out)
{
	const config_setting_t *s = member(r, group, name, required);
	const char *v;

	if (s == NULL)
		return false;
	v = config_setting_get_string(s);
	if (v == NULL) {
		diag_add(r->diags, r->file, confread_line(s), "'%s' must be a string",
			 name);
		return false;
	}
	if (required && *v == '\0') {
		diag_add(r->diags, r->file, confread_line(s), "'%s' must not be empty",
			 name);
		return false;
	}
	free(*out);
	*out = xstrdup(v);
	return true;
}

bool
confread_bool(struct confread *r, const config_setting_t *group, const char *name,
	      bool *out)
{
	const config_setting_t *s = member(r, group, name, false);

	if (s == NULL)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be true or false", name);
		return false;
	}
	*out = config_setting_get_bool(s) != 0;
	return true;
}

bool
confread_int(struct confread *r, const config_setting_t *group, const char *name,
	     bool required, long long *out)
{
	const config_setting_t *s = member(r, group, name, required);

	if (s == NULL)
		return false;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		return true;
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		return true;
	default:
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be a whole number", name);
		return false;
	}
}

bool
confread_duration(struct confread *r, const config_setting_t *group,
		  const char *name, bool required, int64_t *out)
{
	const config_setting_t *s = member(r, group, name, required);
	const char *v;

	if (s == NULL)
		return false;
	v = config_setting_get_string(s);
	if (v == NULL) {
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be a duration in quotes, like \"5m\"", name);
		return false;
	}
	if (duration_parse(out, v) != 0) {
		diag_add(r->diags, r->file, confread_line(s), "'%s': %s", name,
			 err_last());
		return false;
	}
	if (*out == 0) {
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be longer than zero", name);
		return false;
	}
	return true;
}

bool
confread_severity(struct confread *r, const config_setting_t *group,
		  const char *name, bool required, int *out)
{
	const config_setting_t *s = member(r, group, name, required);
	const char *v;

	if (s == NULL)
		return false;
	v = config_setting_get_string(s);
	if (vocab_severity(v) == 0) {
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be one of SEV1, SEV2, SEV3, SEV4%s%s%s", name,
			 v ? " (not '" : "", v ? v : "", v ? "')" : "");
		return false;
	}
	*out = vocab_severity(v);
	return true;
}

bool
confread_strs(struct confread *r, const config_setting_t *group, const char *name,
	      bool required, char ***out, size_t *outn)
{
	const config_setting_t *s = member(r, group, name, required);
	int n;
	char **v;
	size_t k = 0;

	if (s == NULL)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		diag_add(r->diags, r->file, confread_line(s),
			 "'%s' must be an array of strings, like [ \"a\", \"b\" ]", name);
		return false;
	}
	n = config_setting_length(s);
	v = xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *str = config_setting_get_string(e);

		if (str == NULL) {
			diag_add(r->diags, r->file, confread_line(e),
				 "'%s' must hold only strings", name);
			continue;
		}
		v[k++] = xstrdup(str);
	}
	confread_free_strs(*out, *outn);
	*out = v;
	*outn = k;
	return true;
}

static const config_setting_t *
typed(struct confread *r, const config_setting_t *group, const char *name,
      bool required, int type, const char *shape)
{
	const config_setting_t *s = member(r, group, name, required);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != type) {
		diag_add(r->diags, r->file, confread_line(s), "'%s' must be %s",
			 name, shape);
		return NULL;
	}
	return s;
}

const config_setting_t *
confread_list(struct confread *r, const config_setting_t *group, const char *name,
	      bool required)
{
	return typed(r, group, name, required, CONFIG_TYPE_LIST,
		     "a list of groups: ( { ... }, { ... } )");
}

const config_setting_t *
confread_group(struct confread *r, const config_setting_t *group,
	       const char *name, bool required)
{
	return typed(r, group, name, required, CONFIG_TYPE_GROUP,
		     "a group: { ... }");
}

void
confread_free_strs(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
