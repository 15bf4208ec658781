/* webhook.c: makes Standard Webhooks secrets and signs deliveries with them.
 * Building the request is sendhttp.c's, sending it the engine's; checking a
 * receiver's answer is the outbox's. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/base64.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

#define WEBHOOK_PREFIX "whsec_"
#define WEBHOOK_SECRET_BYTES 24

int
webhook_secret_new(char **out)
{
	unsigned char key[WEBHOOK_SECRET_BYTES];
	int rc;

	*out = NULL;
	if ((rc = digest_random(key, sizeof(key), "a webhook secret")) != 0)
		return rc;
	*out = xmalloc(strlen(WEBHOOK_PREFIX) + BASE64_ENCODED_LEN(sizeof(key)) + 1);
	memcpy(*out, WEBHOOK_PREFIX, strlen(WEBHOOK_PREFIX));
	base64_encode(*out + strlen(WEBHOOK_PREFIX), key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	return 0;
}

/*
 * The key is the secret's base64 decoded. Checked here rather than left to
 * a lenient decoder (mbedTLS's skips spaces and line breaks): a secret
 * pasted with a stray space must be refused, not silently become another
 * key. Padding is optional, as in the specification's reference libraries.
 */
static int
webhook_key(unsigned char **out, size_t *outlen, const char *secret)
{
	const char *s = secret;
	size_t n, pad = 0;
	unsigned char *key;

	if (strncmp(s, WEBHOOK_PREFIX, strlen(WEBHOOK_PREFIX)) == 0)
		s += strlen(WEBHOOK_PREFIX);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '=' && pad < 3) {
		n--;
		pad++;
	}
	if (n == 0 && pad == 0)
		return err_set(SR_EINVALID, "webhook secret is empty");
	if (n == 0 || pad > 2 || (pad > 0 && (n + pad) % 4 != 0))
		return err_set(SR_EINVALID, "webhook secret is not valid base64");
	key = xmalloc(BASE64_DECODED_MAX(n));
	if (!base64_decode(key, outlen, s, n)) {
		explicit_bzero(key, BASE64_DECODED_MAX(n));
		free(key);
		return err_set(SR_EINVALID, "webhook secret is not valid base64");
	}
	*out = key;
	return 0;
}

size_t
webhook_timestamp(char out[WEBHOOK_TIMESTAMP_MAX], int64_t ts)
{
	char digits[WEBHOOK_TIMESTAMP_MAX];
	uint64_t v = ts < 0 ? 0 - (uint64_t)ts : (uint64_t)ts;
	size_t n = 0, k = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (ts < 0)
		out[k++] = '-';
	while (n > 0)
		out[k++] = digits[--n];
	out[k] = '\0';
	return k;
}

int
webhook_sign(char **out, const char *secret, const char *msg_id,
	     int64_t timestamp, const char *body, size_t body_len)
{
	unsigned char *key = NULL, mac[DIGEST_SHA256_LEN];
	size_t keylen = 0, tslen;
	char ts[WEBHOOK_TIMESTAMP_MAX];
	int rc;

	*out = NULL;
	if ((rc = webhook_key(&key, &keylen, secret)) != 0)
		return rc;
	tslen = webhook_timestamp(ts, timestamp);
	{
		const void *parts[] = { msg_id, ".", ts, ".", body };
		const size_t lens[] = { strlen(msg_id), 1, tslen, 1, body_len };

		digest_hmac_sha256(mac, key, keylen, parts, lens, 5);
	}
	explicit_bzero(key, keylen);
	free(key);
	*out = xmalloc(3 + BASE64_ENCODED_LEN(sizeof(mac)) + 1);
	memcpy(*out, "v1,", 3);
	base64_encode(*out + 3, mac, sizeof(mac));
	return 0;
}
