/* webhook.c: makes Standard Webhooks secrets and signs deliveries with them.
 * Building the request and sending it are deliver.c's; checking a
 * receiver's answer is the outbox's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "sitrep/err.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

#define WEBHOOK_PREFIX "whsec_"
#define WEBHOOK_SECRET_BYTES 24

/*
 * HMAC and base64 come from mbedTLS, which libgit2 already brings in and
 * which is linked statically: OpenSSL's start-up would cost every CLI
 * command that creates a subscriber more than the command itself.
 */

/* Standard base64 of n bytes, NUL-terminated; the caller frees it. */
static char *
webhook_base64(const unsigned char *src, size_t n)
{
	size_t cap = (n + 2) / 3 * 4 + 1, olen;
	char *dst = xmalloc(cap);

	if (mbedtls_base64_encode((unsigned char *)dst, cap, &olen, src, n) != 0)
		abort();	/* cap is exact: cannot happen */
	return dst;
}

static int
webhook_random(unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return err_set(SR_ESYS, "cannot get random bytes for a webhook secret: %s",
				       strerror(errno));
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
webhook_secret_new(char **out)
{
	unsigned char key[WEBHOOK_SECRET_BYTES];
	char *b64;
	int rc;

	*out = NULL;
	if ((rc = webhook_random(key, sizeof(key))) != 0)
		return rc;
	b64 = webhook_base64(key, sizeof(key));
	mbedtls_platform_zeroize(key, sizeof(key));
	*out = xasprintf(WEBHOOK_PREFIX "%s", b64);
	mbedtls_platform_zeroize(b64, strlen(b64));
	free(b64);
	return 0;
}

static int
webhook_is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * The key is the secret's base64 decoded. Checked here rather than left to
 * mbedtls_base64_decode, which skips spaces and line breaks: a secret pasted
 * with a stray space must be refused, not silently become another key.
 * Padding is optional, as in the specification's reference libraries.
 */
static int
webhook_key(unsigned char **out, size_t *outlen, const char *secret)
{
	const char *s = secret;
	size_t n, pad = 0, len;
	char *padded;
	unsigned char *key;
	int rc;

	if (strncmp(s, WEBHOOK_PREFIX, strlen(WEBHOOK_PREFIX)) == 0)
		s += strlen(WEBHOOK_PREFIX);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '=' && pad < 3) {
		n--;
		pad++;
	}
	if (n == 0 && pad == 0)
		return err_set(SR_EINVALID, "webhook secret is empty");
	for (size_t i = 0; i < n; i++)
		if (!webhook_is_b64(s[i]))
			return err_set(SR_EINVALID, "webhook secret is not valid base64");
	if (n == 0 || n % 4 == 1 || pad > 2 || (pad > 0 && (n + pad) % 4 != 0))
		return err_set(SR_EINVALID, "webhook secret is not valid base64");

	len = (n + 3) / 4 * 4;
	padded = xmalloc(len + 1);
	memcpy(padded, s, n);
	memset(padded + n, '=', len - n);
	padded[len] = '\0';
	key = xmalloc(len / 4 * 3);
	rc = mbedtls_base64_decode(key, len / 4 * 3, outlen,
				   (const unsigned char *)padded, len);
	mbedtls_platform_zeroize(padded, len);
	free(padded);
	if (rc != 0 || *outlen == 0) {
		free(key);
		return err_set(SR_EINVALID, "webhook secret is not valid base64");
	}
	*out = key;
	return 0;
}

int
webhook_sign(char **out, const char *secret, const char *msg_id,
	     int64_t timestamp, const char *body, size_t body_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	unsigned char *key = NULL, mac[32];
	size_t keylen = 0;
	char ts[32], *b64;
	int rc;

	*out = NULL;
	if ((rc = webhook_key(&key, &keylen, secret)) != 0)
		return rc;
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	mbedtls_md_init(&ctx);
	rc = mbedtls_md_setup(&ctx, md, 1);
	if (rc == 0)
		rc = mbedtls_md_hmac_starts(&ctx, key, keylen);
	if (rc == 0)
		rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)msg_id, strlen(msg_id));
	if (rc == 0)
		rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)".", 1);
	if (rc == 0)
		rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)ts, strlen(ts));
	if (rc == 0)
		rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)".", 1);
	if (rc == 0 && body_len > 0)
		rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)body, body_len);
	if (rc == 0)
		rc = mbedtls_md_hmac_finish(&ctx, mac);
	mbedtls_md_free(&ctx);
	mbedtls_platform_zeroize(key, keylen);
	free(key);
	if (rc != 0)
		return err_set(SR_ESYS, "cannot compute a webhook signature (mbedTLS error -0x%04x)",
			       (unsigned int)-rc);
	b64 = webhook_base64(mac, sizeof(mac));
	*out = xasprintf("v1,%s", b64);
	free(b64);
	return 0;
}
