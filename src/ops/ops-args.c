/* ops-args.c: reading an operation's arguments from its JSON object, each
 * with the usage error that names what it must be. */
#include <stdbool.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/vocab.h"

#include "ops-int.h"

/* args.incident: 7 or "INC-7". */
int
ops_arg_incident(int64_t *id, const struct json *args)
{
	const struct json *v = json_get(args, "incident");

	if (json_kind(v) == JSON_KIND_INT && json_as_int(v) > 0) {
		*id = json_as_int(v);
		return 0;
	}
	if (json_kind(v) == JSON_KIND_STRING)
		return incident_parse_id(id, json_as_str(v));
	return err_set(SR_EUSAGE, "'incident' is needed: an incident id like 7 or \"INC-7\"");
}

/* args.name: a string, required. */
int
ops_arg_str(const char **out, const struct json *args, const char *name)
{
	const struct json *v = json_get(args, name);

	if (json_kind(v) != JSON_KIND_STRING || *json_as_str(v) == '\0')
		return err_set(SR_EUSAGE, "'%s' is needed: a string", name);
	*out = json_as_str(v);
	return 0;
}

/* args.name: true or false; absent: false. */
int
ops_arg_bool(bool *out, const struct json *args, const char *name)
{
	const struct json *v = json_get(args, name);

	*out = false;
	if (v == NULL)
		return 0;
	if (json_kind(v) != JSON_KIND_BOOL)
		return err_set(SR_EUSAGE, "'%s' must be true or false", name);
	*out = json_as_bool(v);
	return 0;
}

/* args.tier: "L2" into *tier; absent: -1 (the playbook decides). */
int
ops_arg_tier(int *tier, const struct json *args)
{
	const struct json *v = json_get(args, "tier");

	*tier = -1;
	if (v == NULL || json_kind(v) == JSON_KIND_NULL)
		return 0;
	if (json_kind(v) != JSON_KIND_STRING || (*tier = vocab_tier(json_as_str(v))) < 0)
		return err_set(SR_EUSAGE, "'tier' must be one of \"L0\" to \"L4\"");
	return 0;
}

/* args.note: a reason in words (incident_check_note); absent: NULL. */
int
ops_arg_note(const char **out, const struct json *args)
{
	const struct json *v = json_get(args, "note");

	*out = NULL;
	if (v == NULL || json_kind(v) == JSON_KIND_NULL)
		return 0;
	if (json_kind(v) != JSON_KIND_STRING)
		return err_set(SR_EUSAGE, "'note' must be a string");
	*out = json_as_str(v);
	return incident_check_note("the note", *out);
}
