/* digest.h: SHA-256, HMAC-SHA256 and random bytes: the one module that
 * calls a crypto library (mbedTLS, or OpenSSL's libcrypto once
 * digest_accelerate found it loaded). What is hashed and why is the
 * callers'. */
#ifndef SITREP_DIGEST_H
#define SITREP_DIGEST_H

#include <stdbool.h>
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

/*
 * Hash with the libcrypto already loaded into the process (by libcurl, in
 * the delivery engine), whose SHA-256 uses the CPU's SHA instructions,
 * rather than mbedTLS: the same digests, faster. Returns whether it did;
 * without a loaded libcrypto nothing changes. Call it before any thread
 * hashes.
 */
bool digest_accelerate(void);

/* n bytes in lowercase hex and a NUL: out holds 2 * n + 1 bytes. */
void digest_hex(char *out, const unsigned char *p, size_t n);

/* n unpredictable bytes, for secrets and tokens. 0, or SR_ESYS with the
 * message in err_last() ("cannot get random bytes for what: ..."). */
int digest_random(void *out, size_t n, const char *what);

#endif
