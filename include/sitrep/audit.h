/* audit.h: the audit log: what is not about one incident (API tokens
 * created and revoked, and later more), hash-chained like a timeline
 * (store_event_hash with incident 0) and append-only. Rows are
 * store-tokens.h's; printing it is `sitrep audit`'s. */
#ifndef SITREP_AUDIT_H
#define SITREP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct incident_ctx;
struct json;
struct store_audit;

/* Append an entry of kind with details (a JSON object) at at (ms), by
 * ctx's actor and via, inside the caller's transaction. SR_EINVALID when a
 * text in details is not UTF-8. */
int audit_record(struct incident_ctx *ctx, int64_t at, const char *kind,
		 const struct json *details);
/* The index of the first entry whose hash or link does not match, or -1
 * when the whole chain verifies. */
long audit_verify(const struct store_audit *v, size_t n);

#endif
