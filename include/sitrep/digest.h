/* digest.h: SHA-256, HMAC-SHA256 and random bytes: the process's one crypto
 * module, so one library (OpenSSL's libcrypto) is behind every hash and
 * signature. What is hashed and why is the callers'. */
#ifndef SITREP_DIGEST_H
#define SITREP_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_LEN 32

/* SHA-256 over the concatenation of n parts (lens[i] bytes each). */
void digest_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *const parts[],
		   const size_t lens[], size_t n);

/* HMAC-SHA256 (RFC 2104) with key over the concatenation of n parts. Safe
 * to call from several threads at once. */
void digest_hmac_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *key,
			size_t keylen, const void *const parts[], const size_t lens[],
			size_t n);

/* n bytes in lowercase hex and a NUL: out holds 2 * n + 1 bytes. */
void digest_hex(char *out, const unsigned char *p, size_t n);

/* n unpredictable bytes, for secrets and tokens. 0, or SR_ESYS with the
 * message in err_last() ("cannot get random bytes for what: ..."). */
int digest_random(void *out, size_t n, const char *what);

#endif
