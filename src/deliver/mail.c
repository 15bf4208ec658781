/* mail.c: formats one notification e-mail as RFC 5322 text. Sending it over
 * SMTP is sendsmtp.c's job; what the message says is the templates'; whether
 * an address is plausible is mailaddr.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sitrep/base64.h"
#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/mail.h"
#include "sitrep/mailaddr.h"
#include "sitrep/xalloc.h"

#define MAIL_LINE_MAX 998     /* RFC 5322 2.1.1: a line MUST NOT be longer */
#define MAIL_LINE_SOFT 78     /* RFC 5322 2.1.1: SHOULD NOT be longer */
#define MAIL_EW_LINE 76       /* RFC 2047 2: a line holding encoded-words */
#define MAIL_EW_MAX 75        /* RFC 2047 2: one encoded-word */
#define MAIL_EW_OVERHEAD 12   /* "=?UTF-8?B?" and "?=" */
#define MAIL_BODY_LINE 76     /* RFC 2045 6.8: base64 lines */

/* RFC 5322 dot-atom-text: atext runs joined by single dots. */
static bool
mail_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!mailaddr_is_atext(s[i])) {
			return false;
		}
	}
	return true;
}

/* The length of the well-formed UTF-8 sequence at s (n bytes there), or 0
 * for a stray, overlong, surrogate or out-of-range one. */
static size_t
mail_utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Text must be UTF-8; in a header it must also be free of control
 * characters, C0 (CR and LF above all: one would end the header and let
 * the text write its own, "Bcc:" say), DEL and C1 alike.
 */
static int
mail_check_text(const char *what, const char *s, bool header)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t k = mail_utf8_len(p + i, n - i);

		if (k == 0)
			return err_set(SR_EINVALID, "mail %s is not valid UTF-8", what);
		if (header && (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 && p[i + 1] < 0xa0)))
			return err_set(SR_EINVALID, "mail %s has a line break or other control character", what);
		i += k;
	}
	return 0;
}

static bool
mail_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Printable ASCII that needs no encoding: no "=?" (a reader could take it
 * for an encoded-word), no space at either end, at most max long. */
static bool
mail_plain(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || strstr(s, "=?") != NULL)
		return false;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int
mail_check_address(const char *what, const char *addr)
{
	if (addr == NULL || *addr == '\0')
		return err_set(SR_EINVALID, "mail has no %s address", what);
	if (mailaddr_valid(addr))
		return 0;
	if (mail_has_control(addr))
		return err_set(SR_EINVALID, "mail %s address has a line break or other control character", what);
	if (strlen(addr) > MAILADDR_MAX)
		return err_set(SR_EINVALID, "mail %s address is longer than %d characters", what, MAILADDR_MAX);
	return err_set(SR_EINVALID, "mail %s address '%s' is not valid", what, addr);
}

/* RFC 5322 msg-id without its brackets: dot-atom-text "@" dot-atom-text. */
static int
mail_check_id(const char *id)
{
	const char *at;

	if (id == NULL || *id == '\0')
		return err_set(SR_EINVALID, "mail has no message id");
	if (mail_has_control(id))
		return err_set(SR_EINVALID, "mail message id has a line break or other control character");
	if (strlen(id) > MAIL_LINE_MAX - strlen("Message-ID: <>"))
		return err_set(SR_EINVALID, "mail message id is too long");
	at = strchr(id, '@');
	if (at == NULL || !mail_dot_atom(id, (size_t)(at - id)) ||
	    !mail_dot_atom(at + 1, strlen(at + 1)))
		return err_set(SR_EINVALID, "mail message id '%s' is not valid: write it as left@right, without angle brackets", id);
	return 0;
}

/* RFC 8058 wants one HTTPS URI; plain HTTP is let through for a status page
 * on loopback or a test. */
static int
mail_check_url(const char *url)
{
	if (*url == '\0')
		return err_set(SR_EINVALID, "mail unsubscribe URL is empty");
	if (mail_has_control(url))
		return err_set(SR_EINVALID, "mail unsubscribe URL has a line break or other control character");
	if (strlen(url) > MAIL_LINE_MAX - strlen("List-Unsubscribe: <>"))
		return err_set(SR_EINVALID, "mail unsubscribe URL is too long");
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p > 0x7e || strchr(" <>\"", *p) != NULL)
			return err_set(SR_EINVALID, "mail unsubscribe URL '%s' has a space, quote, angle bracket or non-ASCII character: percent-encode it", url);
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return err_set(SR_EINVALID, "mail unsubscribe URL '%s' is not an https:// URL", url);
	return 0;
}

/* RFC 5322 3.3 date-time in UTC, spelled out here rather than by strftime
 * so the locale cannot change the day and month names. */
static int
mail_date(char *out, size_t outlen, int64_t when)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)when;
	struct tm tm;

	/* up to 9999-12-31T23:59:59Z: the year has four digits */
	if (when < 0 || when > INT64_C(253402300799) || gmtime_r(&t, &tm) == NULL)
		return err_set(SR_EINVALID, "mail date %lld is out of range", (long long)when);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
	return 0;
}

static void
mail_add_base64(struct buf *b, const void *src, size_t n)
{
	char *dst = xmalloc(BASE64_ENCODED_LEN(n) + 1);

	buf_add(b, dst, base64_encode(dst, src, n));
	free(dst);
}

/*
 * Write s as RFC 2047 "B" encoded-words starting at column col, and return
 * the column where the last one ends. Each word holds whole UTF-8
 * characters (RFC 2047 5: a word MUST NOT split one) and is at most 75
 * characters; every line stays within 76 (the first shares its line with
 * the header's name), later words on lines folded with CRLF and a space. A
 * reader drops the white space between adjacent encoded-words, so the
 * folding adds nothing to the text.
 */
static size_t
mail_add_words(struct buf *b, const char *s, size_t col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t room, maxraw, j = i;

		/* a word of at least one 4-byte character must fit */
		if (i > 0 || col + MAIL_EW_OVERHEAD + 8 > MAIL_EW_LINE) {
			buf_adds(b, "\r\n ");
			col = 1;
		}
		room = MAIL_EW_LINE - col;
		if (room > MAIL_EW_MAX)
			room = MAIL_EW_MAX;
		maxraw = (room - MAIL_EW_OVERHEAD) / 4 * 3;
		while (j < n) {
			size_t k = mail_utf8_len(p + j, n - j);

			if (k == 0)
				k = 1;	/* checked before: cannot happen */
			if (j + k - i > maxraw)
				break;
			j += k;
		}
		buf_adds(b, "=?UTF-8?B?");
		mail_add_base64(b, p + i, j - i);
		buf_adds(b, "?=");
		col += MAIL_EW_OVERHEAD + (j - i + 2) / 3 * 4;
		i = j;
	}
	return col;
}

static void
mail_add_subject(struct buf *b, const char *subject)
{
	const char *name = "Subject: ";

	buf_adds(b, name);
	if (mail_plain(subject, MAIL_LINE_SOFT - strlen(name)))
		buf_adds(b, subject);
	else
		mail_add_words(b, subject, strlen(name));
	buf_adds(b, "\r\n");
}

/* A display name that is a plain phrase: atoms and single spaces. */
static bool
mail_is_phrase(const char *s)
{
	for (size_t i = 0; s[i] != '\0'; i++)
		if (!mailaddr_is_atext(s[i]) && !(s[i] == ' ' && s[i + 1] != ' '))
			return false;
	return true;
}

/*
 * From with its display name as it is when it is a phrase, quoted when it
 * has specials (RFC 5322 3.2.4), and as encoded-words when it is not
 * printable ASCII or would make the line long; the address then goes on
 * its own folded line if the last word leaves no room for it.
 */
static void
mail_add_from(struct buf *b, const char *name, const char *addr)
{
	const char *hdr = "From: ";
	size_t col = strlen(hdr), alen = strlen(" <>") + strlen(addr);

	buf_adds(b, hdr);
	if (name == NULL || *name == '\0') {
		buf_adds(b, addr);
		buf_adds(b, "\r\n");
		return;
	}
	if (mail_plain(name, MAIL_LINE_SOFT)) {
		struct buf q = BUF_INIT;

		if (mail_is_phrase(name)) {
			buf_adds(&q, name);
		} else {
			buf_addch(&q, '"');
			for (const char *p = name; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					buf_addch(&q, '\\');
				buf_addch(&q, *p);
			}
			buf_addch(&q, '"');
		}
		if (col + q.len + alen <= MAIL_LINE_SOFT) {
			buf_add(b, q.ptr, q.len);
			buf_addf(b, " <%s>\r\n", addr);
			buf_release(&q);
			return;
		}
		buf_release(&q);
	}
	col = mail_add_words(b, name, col);
	if (col + alen > MAIL_EW_LINE)
		buf_adds(b, "\r\n");
	buf_addf(b, " <%s>\r\n", addr);
}

/* The body with every line end (LF, CRLF or a lone CR) made CRLF, which
 * text/plain requires (RFC 2046 4.1.1), in base64 lines of 76. */
static void
mail_add_body(struct buf *b, const char *body)
{
	struct buf text = BUF_INIT, enc = BUF_INIT;
	const char *p = body;

	while (*p != '\0') {
		size_t span = strcspn(p, "\r\n");

		buf_add(&text, p, span);
		p += span;
		if (*p == '\0')
			break;
		buf_adds(&text, "\r\n");
		p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
	}
	mail_add_base64(&enc, text.ptr, text.len);
	for (size_t i = 0; i < enc.len; i += MAIL_BODY_LINE) {
		size_t n = enc.len - i < MAIL_BODY_LINE ? enc.len - i : MAIL_BODY_LINE;

		buf_add(b, enc.ptr + i, n);
		buf_adds(b, "\r\n");
	}
	buf_release(&text);
	buf_release(&enc);
}

/* Everything checked before anything is written, so a refused message
 * leaves out as it was. */
static int
mail_check(const struct mail_message *m, char *date, size_t datelen)
{
	int rc;

	if ((rc = mail_date(date, datelen, m->date)) != 0 ||
	    (rc = mail_check_id(m->message_id)) != 0 ||
	    (rc = mail_check_address("from", m->from)) != 0 ||
	    (rc = mail_check_address("to", m->to)) != 0)
		return rc;
	if (m->from_name != NULL &&
	    (rc = mail_check_text("from name", m->from_name, true)) != 0)
		return rc;
	if (m->subject == NULL)
		return err_set(SR_EINVALID, "mail has no subject");
	if ((rc = mail_check_text("subject", m->subject, true)) != 0)
		return rc;
	if (m->body == NULL)
		return err_set(SR_EINVALID, "mail has no body");
	if ((rc = mail_check_text("body", m->body, false)) != 0)
		return rc;
	if (m->unsubscribe_url != NULL && (rc = mail_check_url(m->unsubscribe_url)) != 0)
		return rc;
	return 0;
}

int
mail_format(struct buf *out, const struct mail_message *m)
{
	char date[64];
	int rc;

	if ((rc = mail_check(m, date, sizeof(date))) != 0)
		return rc;
	buf_addf(out, "Date: %s\r\n", date);
	buf_addf(out, "Message-ID: <%s>\r\n", m->message_id);
	mail_add_from(out, m->from_name, m->from);
	buf_addf(out, "To: %s\r\n", m->to);
	mail_add_subject(out, m->subject);
	buf_adds(out, "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: base64\r\n"
		      "Auto-Submitted: auto-generated\r\n");
	if (m->unsubscribe_url != NULL)
		buf_addf(out, "List-Unsubscribe: <%s>\r\n"
			      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			 m->unsubscribe_url);
	buf_adds(out, "\r\n");
	mail_add_body(out, m->body);
	return 0;
}
