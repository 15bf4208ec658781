/* webhook.h: Standard Webhooks signing (https://www.standardwebhooks.com/):
 * the subscriber's "whsec_<base64>" secret and the `webhook-signature`
 * header value. Building the request is sendhttp.c's job. */
#ifndef SITREP_WEBHOOK_H
#define SITREP_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

/* A new secret: "whsec_" and the standard base64 of 24 random bytes. The
 * caller frees *out. Returns 0, or SR_ESYS when no random bytes came. */
int webhook_secret_new(char **out);

/*
 * The `webhook-signature` header value for one delivery:
 * "v1,<base64 of HMAC-SHA256(key, msg_id "." timestamp "." body)>", the
 * timestamp in decimal seconds (the `webhook-timestamp` header), the key
 * the base64-decoded secret after its "whsec_" prefix (a secret without the
 * prefix is decoded whole; padding may be left off). The caller frees *out.
 * Returns 0, or SR_EINVALID when the secret is empty or not base64 (the
 * message never quotes the secret).
 */
int webhook_sign(char **out, const char *secret, const char *msg_id,
		 int64_t timestamp, const char *body, size_t body_len);

/* A timestamp as the `webhook-timestamp` header and the signature carry
 * it: decimal seconds, NUL-terminated; returns its length. */
#define WEBHOOK_TIMESTAMP_MAX 21
size_t webhook_timestamp(char out[WEBHOOK_TIMESTAMP_MAX], int64_t ts);

#endif
