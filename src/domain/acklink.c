/* acklink.c: the signed tokens of one-click acknowledgement links,
 * "<page>.<person>.<expiry>.<sig>", sig the base64url (no padding) of
 * HMAC-SHA256(key, "<page>.<person>.<expiry>") under the key file's bytes.
 * Making and checking a token only: what a click does is escalate.c's,
 * the page it shows http-ack.c's. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sitrep/acklink.h"
#include "sitrep/base64.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/xalloc.h"

#define ACKLINK_KEY_MIN		16	/* bytes of key, at the least */
#define ACKLINK_KEY_MAX		4096	/* a key file longer is not a key */
#define ACKLINK_PERSON_MAX	64	/* characters of a handle in a token */
#define ACKLINK_PAGE_DIGITS	18	/* below INT64_MAX */
#define ACKLINK_EXPIRY_DIGITS	12	/* seconds: beyond the year 30000 */
#define ACKLINK_SIG_LEN		43	/* 32 bytes in base64url, unpadded */
#define ACKLINK_TOKEN_MAX	(ACKLINK_PAGE_DIGITS + ACKLINK_PERSON_MAX + \
				 ACKLINK_EXPIRY_DIGITS + ACKLINK_SIG_LEN + 3)

/*
 * The key: the bytes of the file, read at each use (a small file, and a
 * key replaced on disk takes effect without a reload). Trailing white
 * space is not part of it, so a key written with a newline, or edited,
 * signs the same.
 */
static int
key_read(unsigned char **key, size_t *len, const struct conf *c)
{
	const char *path = c != NULL ? c->paging.link_key_file : NULL;
	unsigned char *k;
	struct stat st;
	size_t n;
	FILE *fp;
	int fd;

	*key = NULL;
	*len = 0;
	if (path == NULL || path[0] == '\0')
		return err_set(SR_ESYS, "no key file for acknowledgement links: set "
			       "paging.link_key_file in sitrep.conf");
	/* opened without waiting (a FIFO would block every page) and read
	 * only when it is a regular file */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return err_set(SR_ESYS, "cannot read the acknowledgement link key '%s': %s; "
			       "'sitrep init' writes one (32 random bytes in hex, mode 0600)",
			       path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(SR_ESYS, "the acknowledgement link key '%s' is not a regular "
			       "file: point paging.link_key_file at the key 'sitrep init' "
			       "writes", path);
	}
	if ((fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return err_set(SR_ESYS, "cannot read the acknowledgement link key '%s': %s",
			       path, strerror(errno));
	}
	k = xmalloc(ACKLINK_KEY_MAX + 1);
	n = fread(k, 1, ACKLINK_KEY_MAX + 1, fp);
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		free(k);
		return err_set(SR_ESYS, "cannot read the acknowledgement link key '%s': %s",
			       path, strerror(e));
	}
	fclose(fp);
	if (n > ACKLINK_KEY_MAX) {
		free(k);
		return err_set(SR_ESYS, "the acknowledgement link key '%s' is longer than %d "
			       "bytes: is it the right file?", path, ACKLINK_KEY_MAX);
	}
	while (n > 0 && (k[n - 1] == '\n' || k[n - 1] == '\r' || k[n - 1] == ' ' ||
			 k[n - 1] == '\t'))
		n--;
	if (n < ACKLINK_KEY_MIN) {
		free(k);
		return err_set(SR_ESYS, "the acknowledgement link key '%s' is %s: it needs "
			       "%d bytes or more; 'sitrep init' writes one (32 random bytes "
			       "in hex)", path, n == 0 ? "empty" : "too short",
			       ACKLINK_KEY_MIN);
	}
	*key = k;
	*len = n;
	return 0;
}

static void
key_free(unsigned char *key, size_t len)
{
	if (key == NULL)
		return;
	/* volatile, so the wipe is not optimised away */
	for (volatile unsigned char *p = key; len > 0; len--)
		*p++ = 0;
	free(key);
}

/* A handle as a token carries it: ASCII letters, digits, '_' and '-'
 * (never '.', which separates the fields). */
static bool
person_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static bool
person_valid(const char *p, size_t n)
{
	if (n == 0 || n > ACKLINK_PERSON_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!person_char(p[i]))
			return false;
	return true;
}

/* sig (ACKLINK_SIG_LEN characters and a NUL) over the first len bytes of
 * the token, "<page>.<person>.<expiry>". */
static void
sign(char sig[ACKLINK_SIG_LEN + 1], const unsigned char *key, size_t keylen,
     const char *text, size_t len)
{
	unsigned char mac[DIGEST_SHA256_LEN];
	char b64[BASE64_ENCODED_LEN(DIGEST_SHA256_LEN) + 1];
	const void *parts[1] = { text };
	size_t lens[1] = { len };

	digest_hmac_sha256(mac, key, keylen, parts, lens, 1);
	base64_encode(b64, mac, sizeof(mac));
	for (size_t i = 0; i < ACKLINK_SIG_LEN; i++)
		sig[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	sig[ACKLINK_SIG_LEN] = '\0';
}

char *
acklink_token(const struct conf *c, int64_t page_id, const char *person, int64_t expiry_ms)
{
	char text[ACKLINK_TOKEN_MAX + 1], sig[ACKLINK_SIG_LEN + 1];
	unsigned char *key;
	size_t keylen;
	int n;

	if (page_id < 0 || expiry_ms < 1000 || person == NULL ||
	    !person_valid(person, strlen(person))) {
		err_set(SR_EUSAGE, "cannot make an acknowledgement link for page %" PRId64
			" and '%s': a handle in a link has 1 to %d letters, digits, '_' or '-'",
			page_id, person != NULL ? person : "", ACKLINK_PERSON_MAX);
		return NULL;
	}
	if (key_read(&key, &keylen, c) != 0)
		return NULL;
	n = snprintf(text, sizeof(text), "%" PRId64 ".%s.%" PRId64, page_id, person,
		     expiry_ms / 1000);
	sign(sig, key, keylen, text, (size_t)n);
	key_free(key, keylen);
	return xasprintf("%s.%s", text, sig);
}

char *
acklink_url(const struct conf *c, int64_t page_id, const char *person, int64_t expiry_ms)
{
	char *token = acklink_token(c, page_id, person, expiry_ms);
	const char *base = c->page_url != NULL ? c->page_url : "";
	size_t n = strlen(base);
	char *url;

	if (token == NULL)
		return NULL;
	url = xasprintf("%s%sack/%s", base, n > 0 && base[n - 1] == '/' ? "" : "/", token);
	free(token);
	return url;
}

/* A decimal number of at most max digits, no sign, no leading zero, not
 * zero: *v, or false. */
static bool
number(int64_t *v, const char *p, size_t n, size_t max)
{
	int64_t x = 0;

	if (n == 0 || n > max || p[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return true;
}

static bool
sig_char(char ch)
{
	return person_char(ch); /* the base64url alphabet is the same set */
}

/* Whether a and b (n bytes each) are equal, in time that depends on n
 * alone. */
static bool
same(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int
malformed(const char *why)
{
	return err_set(SR_EREFUSED, "the acknowledgement link is malformed: %s", why);
}

int
acklink_check(int64_t *page_id, char **person, const struct conf *c, const char *token,
	      int64_t now_ms)
{
	const char *dot[3], *p, *sigp;
	char sig[ACKLINK_SIG_LEN + 1];
	int64_t page, expiry;
	unsigned char *key;
	size_t len, keylen, nd = 0;
	bool ok;
	int rc;

	*page_id = 0;
	*person = NULL;
	if (token == NULL || token[0] == '\0')
		return malformed("it has no token");
	len = strnlen(token, ACKLINK_TOKEN_MAX + 1);
	if (len > ACKLINK_TOKEN_MAX)
		return malformed("it is too long");
	for (p = token; *p != '\0'; p++) {
		if (*p == '.') {
			if (nd == 3)
				return malformed("it has more than four parts");
			dot[nd++] = p;
		} else if (!sig_char(*p))
			return malformed("it has a character no link has");
	}
	if (nd != 3)
		return malformed("it has fewer than four parts");
	/* page 0: a test page (sitrep page --test), about no incident */
	if (dot[0] - token == 1 && token[0] == '0')
		page = 0;
	else if (!number(&page, token, (size_t)(dot[0] - token), ACKLINK_PAGE_DIGITS))
		return malformed("the page is not a number");
	if (!person_valid(dot[0] + 1, (size_t)(dot[1] - dot[0] - 1)))
		return malformed("the person is not a handle");
	if (!number(&expiry, dot[1] + 1, (size_t)(dot[2] - dot[1] - 1), ACKLINK_EXPIRY_DIGITS))
		return malformed("the expiry is not a number");
	sigp = dot[2] + 1;
	if (strlen(sigp) != ACKLINK_SIG_LEN)
		return malformed("the signature is not 43 characters");
	if ((rc = key_read(&key, &keylen, c)) != 0)
		return rc;
	sign(sig, key, keylen, token, (size_t)(dot[2] - token));
	key_free(key, keylen);
	ok = same(sig, sigp, ACKLINK_SIG_LEN);
	if (!ok)
		return err_set(SR_EREFUSED, "the acknowledgement link has a bad signature: it "
			       "was altered, or made with another key");
	/* Checked only once signed, so that "expired" says nothing about a
	 * forged link. */
	if (now_ms >= expiry * 1000) {
		char when[CLOCK_WHEN_MAX];

		clock_format_when(when, sizeof(when), expiry * 1000, now_ms);
		return err_set(SR_EREFUSED, "the acknowledgement link expired at %s", when);
	}
	*page_id = page;
	*person = xstrndup(dot[0] + 1, (size_t)(dot[1] - dot[0] - 1));
	return 0;
}
