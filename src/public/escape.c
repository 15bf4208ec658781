/* escape.c: public text made safe to show, and escaped for HTML and XML
 * alike: shared by the status page's HTML and JSON, the feeds and the
 * daemon's own pages, so that they all say the same thing. What a document
 * says is statuspage's and feed.c's. */
#include <stdbool.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/escape.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

/*
 * The one filter every public text goes through, so the HTML, the feeds and
 * the JSON say the same thing. Controls other than tab and newline (C0,
 * DEL and C1) are not text a reader can see and are errors in XML 1.0 or
 * HTML; U+FFFE and U+FFFF are not XML characters; invalid UTF-8 would make
 * a feed unparseable and jansson refuse the string. A carriage return is
 * dropped, so CRLF reads as a newline.
 */
static void
clean_into(struct buf *out, const char *text, bool escape)
{
	const unsigned char *p = (const unsigned char *)text, *end;

	if (text == NULL)
		return;
	end = p + strlen(text);
	while (p < end) {
		size_t n = utf8_seq_len(p, (size_t)(end - p));

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

