/* digest.c: SHA-256 and HMAC-SHA256 (mbedTLS's, or OpenSSL's where the
 * process has libcrypto loaded already), random bytes from the kernel.
 * Deciding what is hashed, signed or kept secret is the callers'
 * (store-incident.c's chain, webhook.c's signatures). */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include <mbedtls/sha256.h>
/* Only the SHA256_CTX type: the functions are looked up with dlsym. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "sitrep/digest.h"
#include "sitrep/err.h"

#define SHA256_BLOCK 64

/*
 * Two implementations of one SHA-256, measured (README, Performance):
 * mbedTLS's libmbedcrypto is small, so every CLI command that hashes an
 * event starts without loading OpenSSL's libcrypto (3 ms more per
 * command, a quarter of `sitrep show`); the delivery engine has libcrypto
 * in the process anyway (libcurl loaded it), and its SHA-256 uses the
 * CPU's SHA instructions where mbedTLS 2.28's does not: a webhook
 * signature costs a third as much. digest_accelerate switches to it.
 */
struct digest_ossl {
	int (*init)(SHA256_CTX *c);
	int (*update)(SHA256_CTX *c, const void *data, size_t len);
	int (*final)(unsigned char *md, SHA256_CTX *c);
};
static struct digest_ossl ossl;
static bool use_ossl;

union digest_ctx {
	mbedtls_sha256_context m;
	SHA256_CTX o;
};

static void
digest_start(union digest_ctx *c)
{
	if (use_ossl) {
		ossl.init(&c->o);
		return;
	}
	mbedtls_sha256_init(&c->m);
	(void)mbedtls_sha256_starts_ret(&c->m, 0); /* fails only for bad arguments */
}

static void
digest_update(union digest_ctx *c, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (use_ossl)
		ossl.update(&c->o, p, n);
	else
		(void)mbedtls_sha256_update_ret(&c->m, p, n);
}

static void
digest_finish(union digest_ctx *c, unsigned char out[DIGEST_SHA256_LEN])
{
	if (use_ossl)
		ossl.final(out, &c->o);
	else {
		(void)mbedtls_sha256_finish_ret(&c->m, out);
		mbedtls_sha256_free(&c->m);
	}
	explicit_bzero(c, sizeof(*c));
}

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C leaves undefined, hence the memcpy. */
static bool
digest_sym(void *lib, const char *name, void *fnptr, size_t size)
{
	void *p = dlsym(lib, name);

	if (p != NULL)
		memcpy(fnptr, &p, size);
	return p != NULL;
}

bool
digest_accelerate(void)
{
	void *lib;

	if (use_ossl)
		return true;
	/* RTLD_NOLOAD: only a libcrypto some other library already loaded */
	if ((lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) == NULL)
		return false;
	if (digest_sym(lib, "SHA256_Init", &ossl.init, sizeof(ossl.init)) &&
	    digest_sym(lib, "SHA256_Update", &ossl.update, sizeof(ossl.update)) &&
	    digest_sym(lib, "SHA256_Final", &ossl.final, sizeof(ossl.final)))
		use_ossl = true;
	else
		dlclose(lib);
	return use_ossl; /* the handle stays open while its functions are used */
}

void
digest_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *const parts[],
	      const size_t lens[], size_t n)
{
	union digest_ctx c;

	digest_start(&c);
	for (size_t i = 0; i < n; i++)
		digest_update(&c, parts[i], lens[i]);
	digest_finish(&c, out);
}

/* HMAC written out over SHA-256 (RFC 2104, section 2), on whichever
 * SHA-256 is in use. */
void
digest_hmac_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *key, size_t keylen,
		   const void *const parts[], const size_t lens[], size_t n)
{
	unsigned char k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK], inner[DIGEST_SHA256_LEN];
	union digest_ctx c;

	if (keylen > sizeof(k)) {
		const void *kp[] = { key };

		digest_sha256(k, kp, &keylen, 1);
	} else if (keylen > 0)
		memcpy(k, key, keylen);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	digest_start(&c);
	digest_update(&c, pad, sizeof(pad));
	for (size_t i = 0; i < n; i++)
		digest_update(&c, parts[i], lens[i]);
	digest_finish(&c, inner);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	digest_start(&c);
	digest_update(&c, pad, sizeof(pad));
	digest_update(&c, inner, sizeof(inner));
	digest_finish(&c, out);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(inner, sizeof(inner));
}

void
digest_hex(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* The kernel's generator (getrandom(2)), which OpenSSL's own seeds from:
 * a secret or a token needs a few bytes, not a generator of our own. */
int
digest_random(void *out, size_t n, const char *what)
{
	unsigned char *p = out;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return err_set(SR_ESYS, "cannot get random bytes for %s: %s", what,
				       strerror(errno));
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}
