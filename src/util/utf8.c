/* utf8.c: UTF-8 well-formedness (RFC 3629) for text where it enters. What
 * may be shown where (HTML, XML, terminals) is the business of the modules
 * that render it. */
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0; /* a continuation byte, 0xc0/0xc1, or 0xf5.. */
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (s[0] == 0xe0 && s[1] < 0xa0)
		return 0; /* overlong */
	if (s[0] == 0xed && s[1] >= 0xa0)
		return 0; /* surrogate */
	if (s[0] == 0xf0 && s[1] < 0x90)
		return 0; /* overlong */
	if (s[0] == 0xf4 && s[1] >= 0x90)
		return 0; /* above U+10FFFF */
	return len;
}

bool
utf8_valid(const char *s, size_t n, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = p[i] == 0 ? 0 : utf8_seq_len(p + i, n - i);

		if (k == 0) {
			if (bad_at)
				*bad_at = i;
			return false;
		}
		i += k;
	}
	return true;
}

int
utf8_check(const char *what, const char *s)
{
	size_t at;

	if (utf8_valid(s, strlen(s), &at))
		return 0;
	return err_set(SR_EINVALID, "%s is not valid UTF-8 (byte %zu)", what, at + 1);
}

/*
 * Text that came from somewhere we did not check (a row written to the
 * store by hand, by an older sitrep) is shown rather than dropped: each
 * byte that does not start a well-formed sequence reads as U+FFFD.
 */
char *
utf8_repair(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	struct buf b = BUF_INIT;

	if (utf8_valid(s, n, NULL))
		return xstrdup(s);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(p + i, n - i);

		if (k == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, p + i, k);
			i += k;
		}
	}
	return buf_detach(&b);
}
