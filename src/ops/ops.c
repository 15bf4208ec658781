/* ops.c: the table of operations, running one by name, and how an error
 * is told to the CLI (an exit code) and to the API (a problem's status
 * and kind). What each operation does is in ops-*.c. */
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"

static const struct ops_op ops[] = {
	{ "whoami", "read", ops_whoami, "who the caller is and how they were authenticated" },
	{ "incident.list", "read", ops_incident_list,
	  "open incidents (all: closed ones too) with the flags that need attention" },
	{ "incident.show", "read", ops_incident_show,
	  "everything about an incident: playbook, roles, steps, pages, communications" },
	{ "role.take", "respond", ops_role_take, "take a role on an incident" },
	{ "role.release", "respond", ops_role_release, "stop holding a role" },
	{ "ack", "respond", ops_ack, "acknowledge the caller's open pages on an incident" },
	{ "page", "respond", ops_page, "page a role (its first tier, or tier; every tier of a swarm)" },
	{ "escalate", "respond", ops_escalate,
	  "escalate the latest page's role to the next tier, to tier, or to every tier" },
	{ "timeline", "read", ops_timeline,
	  "an incident's timeline (after: only later events; account: one account's story)" },
};

const struct ops_op *
ops_table(size_t *n)
{
	*n = sizeof(ops) / sizeof(ops[0]);
	return ops;
}

const struct ops_op *
ops_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

int
ops_run(struct json **out, const char *name, struct incident_ctx *ctx, const struct json *args)
{
	const struct ops_op *op = ops_find(name);
	struct json *none = NULL;
	int rc;

	*out = NULL;
	if (op == NULL)
		return err_set(SR_EUSAGE, "there is no operation '%s'", name);
	if (args == NULL)
		args = none = json_new_object();
	if (json_kind(args) != JSON_KIND_OBJECT)
		rc = err_set(SR_EUSAGE, "the arguments of '%s' must be a JSON object", name);
	else
		rc = op->run(out, ctx, args);
	json_free(none);
	if (rc != 0) {
		json_free(*out);
		*out = NULL;
	}
	return rc;
}

int
ops_exit_code(int rc)
{
	switch (rc) {
	case SR_OK:
		return 0;
	case SR_EUSAGE:
		return 2;
	case SR_EREFUSED:
	case SR_ENOTFOUND:
	case SR_EEXIST:
	case SR_EINVALID:
		return 1;
	default:
		return 3;
	}
}

unsigned int
ops_http_status(int rc)
{
	switch (rc) {
	case SR_OK:
		return 200;
	case SR_EUSAGE:
		return 400;
	case SR_EREFUSED:
	case SR_EEXIST:
		return 409;
	case SR_ENOTFOUND:
		return 404;
	case SR_EINVALID:
		return 422;
	default:
		return 500;
	}
}

const char *
ops_problem_kind(int rc)
{
	switch (rc) {
	case SR_EUSAGE:
		return "usage";
	case SR_EREFUSED:
		return "refused";
	case SR_EEXIST:
		return "conflict";
	case SR_ENOTFOUND:
		return "not-found";
	case SR_EINVALID:
		return "invalid";
	default:
		return "system";
	}
}
