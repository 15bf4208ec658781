/* vocab.c: checks for the words DESIGN.md fixes. What each word means for
 * an incident is the incident module's concern. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sitrep/err.h"
#include "sitrep/vocab.h"

int
vocab_severity(const char *s)
{
	if (s != NULL && strncmp(s, "SEV", 3) == 0 && s[3] >= '1' &&
	    s[3] <= '4' && s[4] == '\0')
		return s[3] - '0';
	return 0;
}

const char *
vocab_severity_name(int sev)
{
	static const char *const names[] = { "SEV?", "SEV1", "SEV2", "SEV3", "SEV4" };

	return names[sev >= 1 && sev <= 4 ? sev : 0];
}

const char *
vocab_severity_impact(int sev)
{
	static const char *const impact[] = { "none", "critical", "major", "minor", "none" };

	return sev >= 1 && sev <= 4 ? impact[sev] : "none";
}

static bool
in_list(const char *s, const char *const *list)
{
	if (s == NULL)
		return false;
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

bool
vocab_incident_status(const char *s)
{
	static const char *const v[] = { "investigating", "identified", "monitoring",
					 "resolved", "closed", NULL };
	return in_list(s, v);
}

bool
vocab_component_status(const char *s)
{
	static const char *const v[] = { "operational", "degraded_performance",
					 "partial_outage", "major_outage",
					 "under_maintenance", NULL };
	return in_list(s, v);
}

int
vocab_tier(const char *s)
{
	if (s != NULL && s[0] == 'L' && s[1] >= '0' && s[1] <= '4' && s[2] == '\0')
		return s[1] - '0';
	return -1;
}

bool
vocab_builtin_audience(const char *s)
{
	static const char *const v[] = { "internal", "executives", "customers", NULL };
	return in_list(s, v);
}

bool
vocab_ident(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

int
vocab_parse_id(int64_t *out, const char *text, const char *prefix, const char *what)
{
	size_t plen = strlen(prefix);
	const char *p = text;
	char *end;
	long long v;

	if (strncasecmp(p, prefix, plen) == 0 && p[plen] == '-')
		p += plen + 1;
	if (*p < '0' || *p > '9' || (v = strtoll(p, &end, 10), *end != '\0') || v <= 0)
		return err_set(SR_EUSAGE, "'%s' is not %s id: write %s-7 or 7", text, what, prefix);
	*out = v;
	return 0;
}
