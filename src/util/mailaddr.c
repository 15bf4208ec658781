/* mailaddr.c: whether an e-mail address is plausible (RFC 5321/5322 with
 * RFC 6531's UTF-8). Formatting a message is mail.c's; sending it,
 * sendsmtp.c's. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sitrep/mailaddr.h"
#include "sitrep/utf8.h"

#define MAILADDR_LOCAL_MAX 64 /* RFC 5321 4.5.3.1.1 */
#define MAILADDR_LABEL_MAX 63 /* RFC 1035 2.3.4 */

bool
mailaddr_is_atext(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
mailaddr_is_ldh(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* The length of the well-formed non-ASCII UTF-8 character at s (RFC
 * 6531's UTF8-non-ascii) other than a C1 control, or 0. */
static size_t
mailaddr_utf8_char(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x80 || (u[0] == 0xc2 && u[1] < 0xa0))
		return 0;
	return utf8_seq_len(u, strnlen(s, 4));
}

/* RFC 6531 3.3 dot-atom-text of a local part: atext, or UTF-8 beyond
 * ASCII, in runs joined by single dots. */
static bool
mailaddr_local_part(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n;) {
		size_t k;

		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (s[i] == '.' || mailaddr_is_atext(s[i]))
			i++;
		else if ((k = mailaddr_utf8_char(s + i)) != 0 && i + k <= n)
			i += k;
		else
			return false;
	}
	return true;
}

bool
mailaddr_valid(const char *addr)
{
	const char *at, *p;

	if (addr == NULL || strlen(addr) > MAILADDR_MAX)
		return false;
	if ((at = strchr(addr, '@')) == NULL)
		return false;
	if ((size_t)(at - addr) > MAILADDR_LOCAL_MAX || !mailaddr_local_part(addr, (size_t)(at - addr)))
		return false;
	/* Labels are letters, digits and hyphens, or U-labels (RFC 5890)
	 * with characters beyond ASCII; whether a U-label is one IDNA2008
	 * allows is the resolver's and the relay's to say. */
	for (p = at + 1;; p++) {
		const char *label = p;
		size_t k;

		while (mailaddr_is_ldh(*p) || (k = mailaddr_utf8_char(p)) != 0)
			p += mailaddr_is_ldh(*p) ? 1 : k;
		if (p == label || p - label > MAILADDR_LABEL_MAX || *label == '-' || p[-1] == '-')
			return false;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
	}
}

bool
mailaddr_ascii(const char *addr)
{
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return false;
	return true;
}
