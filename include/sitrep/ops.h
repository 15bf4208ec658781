/* ops.h: the table of operations. Every command that reads or changes
 * state is one operation: a name, its arguments as a JSON object, the
 * token scope it needs, and a JSON result or a problem. The same code runs
 * in-process for the CLI (which parses a command line into arguments and
 * formats the result for a person, or prints it with --json) and inside
 * sitrepd for the API (/api/v1/), so an operation behaves the same
 * whichever way it is called. */
#ifndef SITREP_OPS_H
#define SITREP_OPS_H

#include <stddef.h>

struct incident_ctx;
struct json;

/* Runs one operation as ctx's actor; *out is its result (the caller
 * frees it) or NULL on failure, with err_last() saying why. */
typedef int (*ops_fn)(struct json **out, struct incident_ctx *ctx, const struct json *args);

struct ops_op {
	const char *name;   /* "incident.list" */
	const char *scope;  /* the token scope it needs: "read", "respond", ... */
	ops_fn run;
	const char *summary;
};

/* The operation named name; NULL when there is none. */
const struct ops_op *ops_find(const char *name);
/* Every operation, in the table's order. */
const struct ops_op *ops_table(size_t *n);
/* Run operation name with args (a JSON object; NULL: none). SR_EUSAGE for
 * an unknown operation or malformed arguments, else the operation's own. */
int ops_run(struct json **out, const char *name, struct incident_ctx *ctx,
	    const struct json *args);

/*
 * How an error code (SR_*) is told: the CLI's exit code, the HTTP status
 * of the API's problem, and the problem's kind (its type's last word and
 * title): "usage" 400, "refused" 409, "not-found" 404, "invalid" 422,
 * "conflict" 409, "system" 500.
 */
int ops_exit_code(int rc);
unsigned int ops_http_status(int rc);
const char *ops_problem_kind(int rc);

/* The operations (ops-incident.c, unless said). */
int ops_whoami(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_incident_list(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_role_take(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_role_release(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_ack(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_page(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_escalate(struct json **out, struct incident_ctx *ctx, const struct json *args);
int ops_timeline(struct json **out, struct incident_ctx *ctx, const struct json *args);
/* (ops-show.c) */
int ops_incident_show(struct json **out, struct incident_ctx *ctx, const struct json *args);

#endif
