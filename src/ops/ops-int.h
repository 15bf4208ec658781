/* ops-int.h: what the operation files (src/ops/ops-*.c) share and nothing
 * outside src/ops sees: reading arguments (ops-args.c). Each returns 0, or
 * SR_EUSAGE (SR_EINVALID for a note that is not one) with the message. */
#ifndef SITREP_OPS_INT_H
#define SITREP_OPS_INT_H

#include <stdbool.h>
#include <stdint.h>

struct json;

/* args.incident: 7 or "INC-7", required. */
int ops_arg_incident(int64_t *id, const struct json *args);
/* args.name: a non-empty string, required. */
int ops_arg_str(const char **out, const struct json *args, const char *name);
/* args.name: true or false; absent: false. */
int ops_arg_bool(bool *out, const struct json *args, const char *name);
/* args.tier: "L0".."L4"; absent or null: -1. */
int ops_arg_tier(int *tier, const struct json *args);
/* args.note: a reason in words (incident_check_note); absent: NULL. */
int ops_arg_note(const char **out, const struct json *args);

#endif
