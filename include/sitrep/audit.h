/* audit.h: the audit log: what is not about one incident (API tokens
 * created and revoked, and later more), hash-chained like a timeline
 * (store_event_hash with incident 0) and append-only. Rows are
 * store-tokens.h's, read as events of incident 0 and checked with
 * timeline_verify; printing it is `sitrep audit`'s. */
#ifndef SITREP_AUDIT_H
#define SITREP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct incident_ctx;
struct json;

/* Append an entry of kind with details (a JSON object) at at (ms), by
 * ctx's actor and via, inside the caller's transaction. SR_EINVALID when a
 * text in details is not UTF-8. */
int audit_record(struct incident_ctx *ctx, int64_t at, const char *kind,
		 const struct json *details);

#endif
