/* escape.h: public text made safe to show, escaped for HTML and XML (the
 * status page, the feeds, the daemon's pages) or left for an encoder that
 * escapes itself (JSON). Pure functions of their text. */
#ifndef SITREP_ESCAPE_H
#define SITREP_ESCAPE_H

struct buf;

/*
 * Append text escaped for HTML and XML alike (element content and quoted
 * attribute values): & < > " ' become references; C0 controls other than
 * tab and newline, DEL and invalid UTF-8 are dropped (an invalid byte
 * becomes U+FFFD), as are the XML non-characters U+FFFE and U+FFFF. NULL
 * appends nothing.
 */
void escape_markup(struct buf *out, const char *text);

/* text made safe the same way but not escaped (for JSON, whose encoder
 * escapes): valid UTF-8 without the dropped characters. The caller frees
 * it; NULL gives NULL. */
char *escape_clean(const char *text);

#endif
