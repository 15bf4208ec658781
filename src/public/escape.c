/* escape.c: public text made safe to show, and escaped for HTML and XML
 * alike: shared by the status page's HTML and JSON, the feeds and the
 * daemon's own pages, so that they all say the same thing. What a document
 * says is statuspage's and feed.c's. */
#include <stdbool.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/escape.h"
#include "sitrep/xalloc.h"

/*
 * The length of the valid UTF-8 sequence at p (1..4), or 0 when it is not
 * one: a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF or a sequence cut short (the NUL ends it). The
 * same as utf8_seq_len, but inlined here: this runs for every byte of
 * every public document, and the call costs half again as much.
 */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (p[0] == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xf0 && p[1] < 0x90)
			return 0; /* overlong */
		if (p[0] == 0xf4 && p[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/*
 * The one filter every public text goes through, so the HTML, the feeds and
 * the JSON say the same thing. Controls other than tab and newline (C0,
 * DEL and C1) are not text a reader can see and are errors in XML 1.0 or
 * HTML; U+FFFE and U+FFFF are not XML characters; invalid UTF-8 would make
 * a feed unparseable and a JSON document fail to write. A carriage return is
 * dropped, so CRLF reads as a newline.
 */
static void
clean_into(struct buf *out, const char *text, bool escape)
{
	const unsigned char *p = (const unsigned char *)text;

	if (text == NULL)
		return;
	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			continue;
		}
		if (n == 1) {
			unsigned char c = *p++;

			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				continue;
			if (!escape)
				buf_addch(out, (char)c);
			else if (c == '&')
				buf_adds(out, "&amp;");
			else if (c == '<')
				buf_adds(out, "&lt;");
			else if (c == '>')
				buf_adds(out, "&gt;");
			else if (c == '"')
				buf_adds(out, "&quot;");
			else if (c == '\'')
				buf_adds(out, "&#39;");
			else
				buf_addch(out, (char)c);
			continue;
		}
		if ((n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||              /* C1 */
		    (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) { /* U+FFFE/F */
			p += n;
			continue;
		}
		buf_add(out, p, n);
		p += n;
	}
}

void
escape_markup(struct buf *out, const char *text)
{
	clean_into(out, text, true);
}

char *
escape_clean(const char *text)
{
	struct buf b = BUF_INIT;

	if (text == NULL)
		return NULL;
	clean_into(&b, text, false);
	return b.ptr != NULL ? buf_detach(&b) : xstrdup("");
}

