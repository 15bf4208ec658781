/* audit.c: entries of the audit log, written in the transaction of the
 * change they record, and the check of its hash chain. Storing and hashing
 * is store-tokens.c's; printing `sitrep audit`'s. */
#include <string.h>

#include "sitrep/audit.h"
#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/store-incident.h"
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

long
audit_verify(const struct store_audit *v, size_t n)
{
	const char *prev = "";
	char want[65];

	for (size_t i = 0; i < n; i++) {
		store_event_hash(want, prev, 0, v[i].at, v[i].actor, v[i].kind, v[i].details,
				 v[i].via);
		if (strcmp(v[i].prev_hash, prev) != 0 || strcmp(v[i].hash, want) != 0)
			return (long)i;
		prev = v[i].hash;
	}
	return -1;
}
