/* webhook.c: makes Standard Webhooks secrets and signs deliveries with them.
 * Building the request and sending it are deliver.c's; checking a
 * receiver's answer is the outbox's. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
/* Only the SHA256_CTX type: the functions are looked up with dlsym. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "sitrep/base64.h"
#include "sitrep/err.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

#define WEBHOOK_PREFIX "whsec_"
#define WEBHOOK_SECRET_BYTES 24

/*
 * HMAC and base64 come from mbedTLS, which libgit2 already brings in and
 * which is linked statically: OpenSSL's start-up would cost every CLI
 * command that creates a subscriber more than the command itself. The
 * delivery engine, which signs every webhook of a fan-out, has OpenSSL's
 * libcrypto in the process anyway (libcurl brings it), and its SHA-256
 * uses the CPU's SHA instructions where mbedTLS 2.28's does not (five
 * times faster here); webhook_accelerate switches to it.
 */
struct sha256_api {
	int (*init)(SHA256_CTX *c);
	int (*update)(SHA256_CTX *c, const void *data, size_t len);
	int (*final)(unsigned char *md, SHA256_CTX *c);
};
static struct sha256_api ossl;
static bool use_ossl;

static bool
ossl_sym(void *lib, const char *name, void *fnptr, size_t size)
{
	void *p = dlsym(lib, name);

	if (p != NULL)
		memcpy(fnptr, &p, size); /* object to function pointer: see curlapi.c */
	return p != NULL;
}

bool
webhook_accelerate(void)
{
	void *lib;

	if (use_ossl)
		return true;
	/* RTLD_NOLOAD: only a libcrypto some other library already loaded */
	if ((lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) == NULL)
		return false;
	if (ossl_sym(lib, "SHA256_Init", &ossl.init, sizeof(ossl.init)) &&
	    ossl_sym(lib, "SHA256_Update", &ossl.update, sizeof(ossl.update)) &&
	    ossl_sym(lib, "SHA256_Final", &ossl.final, sizeof(ossl.final)))
		use_ossl = true;
	else
		dlclose(lib);
	return use_ossl; /* the handle stays open while its functions are used */
}

/* HMAC-SHA256 (RFC 2104) over the concatenation of n parts, with
 * OpenSSL's SHA-256. */
static void
hmac_ossl(unsigned char mac[32], const unsigned char *key, size_t keylen,
	  const unsigned char *const parts[], const size_t lens[], size_t n)
{
	unsigned char k[64] = { 0 }, pad[64], inner[32];
	SHA256_CTX c;

	if (keylen > sizeof(k)) {
		ossl.init(&c);
		ossl.update(&c, key, keylen);
		ossl.final(k, &c);
	} else
		memcpy(k, key, keylen);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	ossl.init(&c);
	ossl.update(&c, pad, sizeof(pad));
	for (size_t i = 0; i < n; i++)
		ossl.update(&c, parts[i], lens[i]);
	ossl.final(inner, &c);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	ossl.init(&c);
	ossl.update(&c, pad, sizeof(pad));
	ossl.update(&c, inner, sizeof(inner));
	ossl.final(mac, &c);
	mbedtls_platform_zeroize(k, sizeof(k));
	mbedtls_platform_zeroize(pad, sizeof(pad));
	mbedtls_platform_zeroize(&c, sizeof(c));
}

/* The same with mbedTLS; 0 or its error. */
static int
hmac_mbedtls(unsigned char mac[32], const unsigned char *key, size_t keylen,
	     const unsigned char *const parts[], const size_t lens[], size_t n)
{
	mbedtls_md_context_t ctx;
	int rc;

	mbedtls_md_init(&ctx);
	rc = mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (rc == 0)
		rc = mbedtls_md_hmac_starts(&ctx, key, keylen);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (lens[i] > 0)
			rc = mbedtls_md_hmac_update(&ctx, parts[i], lens[i]);
	if (rc == 0)
		rc = mbedtls_md_hmac_finish(&ctx, mac);
	mbedtls_md_free(&ctx);
	return rc;
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
	int rc;

	*out = NULL;
	if ((rc = webhook_random(key, sizeof(key))) != 0)
		return rc;
	*out = xmalloc(strlen(WEBHOOK_PREFIX) + BASE64_ENCODED_LEN(sizeof(key)) + 1);
	memcpy(*out, WEBHOOK_PREFIX, strlen(WEBHOOK_PREFIX));
	base64_encode(*out + strlen(WEBHOOK_PREFIX), key, sizeof(key));
	mbedtls_platform_zeroize(key, sizeof(key));
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
		mbedtls_platform_zeroize(key, BASE64_DECODED_MAX(n));
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
	unsigned char *key = NULL, mac[32];
	size_t keylen = 0, tslen;
	char ts[WEBHOOK_TIMESTAMP_MAX];
	int rc = 0;

	*out = NULL;
	if ((rc = webhook_key(&key, &keylen, secret)) != 0)
		return rc;
	tslen = webhook_timestamp(ts, timestamp);
	{
		const unsigned char *parts[] = {
			(const unsigned char *)msg_id, (const unsigned char *)".",
			(const unsigned char *)ts, (const unsigned char *)".",
			(const unsigned char *)body
		};
		const size_t lens[] = { strlen(msg_id), 1, tslen, 1, body_len };

		if (use_ossl)
			hmac_ossl(mac, key, keylen, parts, lens, 5);
		else
			rc = hmac_mbedtls(mac, key, keylen, parts, lens, 5);
	}
	mbedtls_platform_zeroize(key, keylen);
	free(key);
	if (rc != 0)
		return err_set(SR_ESYS, "cannot compute a webhook signature (mbedTLS error -0x%04x)",
			       (unsigned int)-rc);
	*out = xmalloc(3 + BASE64_ENCODED_LEN(sizeof(mac)) + 1);
	memcpy(*out, "v1,", 3);
	base64_encode(*out + 3, mac, sizeof(mac));
	return 0;
}
