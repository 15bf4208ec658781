/* audit.c: entries of the audit log, written in the transaction of the
 * change they record. Storing and hashing is store-tokens.c's; the chain
 * is checked as a timeline's (timeline_verify); printing is `sitrep
 * audit`'s. */
#include "sitrep/audit.h"
#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/store-tokens.h"

int
audit_record(struct incident_ctx *ctx, int64_t at, const char *kind,
	     const struct json *details)
{
	struct buf text = BUF_INIT;
	char via[INCIDENT_VIA_MAX];
	const char *actor = ctx->daemon && ctx->actor == NULL ? INCIDENT_DAEMON_ACTOR :
			    ctx->actor;
	int rc;

	if (json_dump(&text, details, JSON_STYLE_SORTED) != 0) {
		buf_release(&text);
		return err_set(SR_EINVALID, "cannot record a '%s' audit entry: a text in it "
			       "is not valid UTF-8", kind);
	}
	rc = store_audit_append(ctx->store, at, actor, incident_via(via, sizeof(via), ctx),
				kind, buf_str(&text));
	buf_release(&text);
	return rc;
}
