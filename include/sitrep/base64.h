/* base64.h: standard base64 (RFC 4648 section 4), for webhook secrets and
 * signatures and for e-mail bodies. Each character is mapped with
 * arithmetic rather than a table or branches, so the time taken does not
 * depend on the bytes: the data may be a key. */
#ifndef SITREP_BASE64_H
#define SITREP_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* The characters base64_encode writes for n bytes (padding included). */
#define BASE64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)
/* The most bytes base64_decode writes for n characters. */
#define BASE64_DECODED_MAX(n) ((n) / 4 * 3 + 2)

/* Encode n bytes of src into dst, with '=' padding and a NUL after it:
 * dst has room for BASE64_ENCODED_LEN(n) + 1 characters. Returns the
 * length written, without the NUL. */
size_t base64_encode(char *dst, const void *src, size_t n);

/*
 * Decode n characters of src, padding already removed, into dst (room for
 * BASE64_DECODED_MAX(n) bytes); *len is set to the bytes written. Returns
 * false, with *len 0, when a character is outside the alphabet (spaces and
 * '=' included) or n is one more than a multiple of four, which no
 * encoding produces. Unused low bits of the last character are ignored.
 */
bool base64_decode(unsigned char *dst, size_t *len, const char *src, size_t n);

#endif
