/* digest.c: SHA-256 and HMAC-SHA256 over OpenSSL's libcrypto, random bytes
 * from the kernel. Deciding what is hashed, signed or kept secret is the
 * callers' (store-incident.c's chain, webhook.c's signatures). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

/*
 * OpenSSL's SHA-256 functions rather than its EVP interface: they use the
 * CPU's SHA instructions as EVP does, but need none of EVP's one-time
 * start-up (reading openssl.cnf, loading a provider: several milliseconds,
 * more than a whole `sitrep open`), and no context to allocate per call.
 * OpenSSL 3 marks them deprecated; they remain in every 3.x release.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "sitrep/digest.h"
#include "sitrep/err.h"

#define SHA256_BLOCK 64

void
digest_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *const parts[],
	      const size_t lens[], size_t n)
{
	SHA256_CTX c;

	SHA256_Init(&c);
	for (size_t i = 0; i < n; i++)
		SHA256_Update(&c, parts[i], lens[i]);
	SHA256_Final(out, &c);
	explicit_bzero(&c, sizeof(c));
}

/*
 * HMAC written out over SHA-256 (RFC 2104, section 2) rather than with
 * OpenSSL's HMAC(), which fetches the algorithm and allocates contexts on
 * every call: the delivery engine signs every webhook of a fan-out, each
 * with its subscriber's key, and this is more than twice as fast.
 */
void
digest_hmac_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *key, size_t keylen,
		   const void *const parts[], const size_t lens[], size_t n)
{
	unsigned char k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK], inner[DIGEST_SHA256_LEN];
	SHA256_CTX c;

	if (keylen > sizeof(k)) {
		const void *kp[] = { key };

		digest_sha256(k, kp, &keylen, 1);
	} else if (keylen > 0)
		memcpy(k, key, keylen);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	for (size_t i = 0; i < n; i++)
		SHA256_Update(&c, parts[i], lens[i]);
	SHA256_Final(inner, &c);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(inner, sizeof(inner));
	explicit_bzero(&c, sizeof(c));
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
