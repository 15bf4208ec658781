/* base64.c: standard base64 without lookup tables or data-dependent
 * branches (see base64.h). Each mapping adds, for every range of the
 * alphabet, an offset masked by whether the value falls in that range;
 * the masks come from the sign of a difference, shifted down. */
#include <stdint.h>

#include "sitrep/base64.h"

/* All ones when a < b, else zero; a and b in 0..255. */
static uint32_t
lt_mask(uint32_t a, uint32_t b)
{
	return 0U - ((a - b) >> 31);
}

/* The character for a 6-bit value: A-Z, a-z, 0-9, '+', '/'. */
static char
encode_one(uint32_t v)
{
	uint32_t c = v + 'A';

	c += ~lt_mask(v, 26) & (('a' - 26) - 'A');
	c -= ~lt_mask(v, 52) & (('a' - 26) - ('0' - 52));
	c -= ~lt_mask(v, 62) & (('0' - 52) - ('+' - 62));
	c += ~lt_mask(v, 63) & (('/' - 63) - ('+' - 62));
	return (char)c;
}

/* The 6-bit value of a character, or 0xff outside the alphabet. */
static uint32_t
decode_one(unsigned char ch)
{
	uint32_t c = ch, v = 0, hit = 0, m;

	m = ~lt_mask(c, 'A') & lt_mask(c, 'Z' + 1);
	v |= m & (c - 'A');
	hit |= m;
	m = ~lt_mask(c, 'a') & lt_mask(c, 'z' + 1);
	v |= m & (c - 'a' + 26);
	hit |= m;
	m = ~lt_mask(c, '0') & lt_mask(c, '9' + 1);
	v |= m & (c - '0' + 52);
	hit |= m;
	m = ~lt_mask(c, '+') & lt_mask(c, '+' + 1);
	v |= m & 62;
	hit |= m;
	m = ~lt_mask(c, '/') & lt_mask(c, '/' + 1);
	v |= m & 63;
	hit |= m;
	return (v | ~hit) & 0xff;
}

size_t
base64_encode(char *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		dst[o++] = encode_one(w >> 18);
		dst[o++] = encode_one(w >> 12 & 63);
		dst[o++] = encode_one(w >> 6 & 63);
		dst[o++] = encode_one(w & 63);
	}
	if (n - i == 1) {
		uint32_t w = (uint32_t)s[i] << 16;

		dst[o++] = encode_one(w >> 18);
		dst[o++] = encode_one(w >> 12 & 63);
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (n - i == 2) {
		uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;

		dst[o++] = encode_one(w >> 18);
		dst[o++] = encode_one(w >> 12 & 63);
		dst[o++] = encode_one(w >> 6 & 63);
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}

bool
base64_decode(unsigned char *dst, size_t *len, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	uint32_t bad = 0, w = 0;
	size_t o = 0, k = 0;

	*len = 0;
	if (n % 4 == 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = decode_one(s[i]);

		bad |= v >> 6;
		w = w << 6 | (v & 63);
		if (++k == 4) {
			dst[o++] = (unsigned char)(w >> 16);
			dst[o++] = (unsigned char)(w >> 8);
			dst[o++] = (unsigned char)w;
			w = 0;
			k = 0;
		}
	}
	if (k == 2)
		dst[o++] = (unsigned char)(w >> 4);
	else if (k == 3) {
		dst[o++] = (unsigned char)(w >> 10);
		dst[o++] = (unsigned char)(w >> 2);
	}
	if (bad != 0)
		return false;
	*len = o;
	return true;
}
