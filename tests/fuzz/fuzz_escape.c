/* fuzz_escape.c: libFuzzer target for the escapers every public text goes
 * through (escape_markup and escape_clean, which the HTML page,
 * the Atom and RSS feeds and the JSON API share, and Slack's), checked as
 * properties: the output is valid UTF-8 and parses. Escaped text holds no
 * raw markup and unescapes to the cleaned text; cleaned text round-trips
 * through JSON; feeds built from the text are well-formed XML; the
 * status page's JSON parses. Input: NUL-separated fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/escape.h"
#include "sitrep/feed.h"
#include "sitrep/json.h"
#include "sitrep/payload.h"
#include "sitrep/snapshot.h"
#include "sitrep/statuspage.h"
#include "sitrep/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "fuzz_escape: %s\n  in:  '%s'\n  out: '%s'\n", what, in, out);
	abort();
}

/* The length of the entity at s ("&amp;", "&#39;", "&#x41;"), or 0. */
static size_t
entity_len(const char *s)
{
	static const char *const named[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	size_t i = 2;

	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (strncmp(s, named[k], strlen(named[k])) == 0)
			return strlen(named[k]);
	if (s[0] != '&' || s[1] != '#')
		return 0;
	if (s[2] == 'x') {
		i = 3;
		while (strchr("0123456789abcdefABCDEF", s[i]) != NULL && s[i] != '\0')
			i++;
	} else
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	return i > (s[2] == 'x' ? 3u : 2u) && s[i] == ';' ? i + 1 : 0;
}

/* Whether the UTF-8 sequence of n bytes at s is an XML 1.0 Char. */
static int
xml_char(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
	return !(n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe);
}

/* Character data up to the next '<' (or an attribute value up to its
 * quote): XML characters, '&' only as an entity, no '<'. */
static const char *
xml_text(const char *p, char stop)
{
	while (*p != '\0' && *p != '<' && *p != stop) {
		size_t n = utf8_seq_len((const unsigned char *)p, strlen(p));

		if (*p == '&') {
			if ((n = entity_len(p)) == 0)
				return NULL;
		} else if (n == 0 || !xml_char((const unsigned char *)p, n))
			return NULL;
		p += n;
	}
	return p;
}

/* A well-formedness check of the XML the feeds write: one root element,
 * matched tags, quoted attributes, entities only where text may hold
 * them; no comments, CDATA or DOCTYPE (the feeds use none). */
static int
xml_well_formed(const char *p)
{
	const char *stack[64];
	size_t depth = 0, roots = 0, len;

	if (strncmp(p, "<?xml ", 6) == 0) {
		if ((p = strstr(p, "?>")) == NULL)
			return 0;
		p += 2;
	}
	while (*p != '\0') {
		if (*p != '<') {
			if (depth == 0) {
				if (strchr(" \t\r\n", *p) == NULL)
					return 0;
				p++;
			} else if ((p = xml_text(p, '<')) == NULL)
				return 0;
			continue;
		}
		if (p[1] == '/') {
			len = strcspn(p + 2, " \t\r\n>");
			if (depth == 0 || len != strlen(stack[depth - 1]) ||
			    strncmp(p + 2, stack[depth - 1], len) != 0)
				return 0;
			p += 2 + len;
			p += strspn(p, " \t\r\n");
			if (*p++ != '>')
				return 0;
			free((char *)stack[--depth]);
			continue;
		}
		len = strcspn(p + 1, " \t\r\n/>\"'=<&");
		if (len == 0 || depth == sizeof(stack) / sizeof(stack[0]) ||
		    (depth == 0 && roots++ > 0))
			return 0;
		stack[depth++] = strndup(p + 1, len);
		p += 1 + len;
		for (;;) {
			size_t ws = strspn(p, " \t\r\n");

			p += ws;
			if (p[0] == '/' && p[1] == '>') {
				free((char *)stack[--depth]);
				p += 2;
				break;
			}
			if (*p == '>') {
				p++;
				break;
			}
			len = strcspn(p, " \t\r\n/>\"'=<&");
			if (ws == 0 || len == 0 || p[len] != '=' ||
			    (p[len + 1] != '"' && p[len + 1] != '\''))
				goto bad;
			char q = p[len + 1];

			if ((p = xml_text(p + len + 2, q)) == NULL || *p != q)
				goto bad;
			p++;
		}
	}
	return depth == 0 && roots == 1;
bad:
	while (depth > 0)
		free((char *)stack[--depth]);
	return 0;
}

/* Escaped text: valid UTF-8, no markup, and it unescapes to want. */
static void
check_escaped(const char *in, const char *out, const char *want, const char *raw)
{
	struct buf u = BUF_INIT;

	if (!utf8_valid(out, strlen(out), NULL))
		fail("escaped text is not valid UTF-8", in, out);
	if (strpbrk(out, raw) != NULL)
		fail("escaped text holds a raw markup character", in, out);
	for (const char *p = out; *p != '\0'; p++) {
		size_t n;

		if (*p != '&') {
			buf_addch(&u, *p);
			continue;
		}
		if ((n = entity_len(p)) == 0)
			fail("escaped text holds a bare '&'", in, out);
		buf_addch(&u, strncmp(p, "&amp;", 5) == 0 ? '&' : strncmp(p, "&lt;", 4) == 0 ? '<' :
			  strncmp(p, "&gt;", 4) == 0 ? '>' : strncmp(p, "&quot;", 6) == 0 ? '"' :
			  strncmp(p, "&#39;", 5) == 0 ? '\'' : '?');
		p += n - 1;
	}
	if (strcmp(buf_str(&u), want) != 0)
		fail("escaped text does not unescape to the text", in, out);
	buf_release(&u);
}

static void
check_text(const char *in)
{
	struct buf e = BUF_INIT;
	struct buf dump = BUF_INIT;
	char *clean = escape_clean(in), *slack;
	struct json *j, *back = NULL;

	/* HTML and XML: element content and quoted attributes alike. */
	escape_markup(&e, in);
	check_escaped(in, buf_str(&e), clean, "<>\"'");
	for (const char *p = clean; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n')
			fail("cleaned text holds a control character", in, clean);
	/* JSON: the cleaned text is written, and it comes back the same. */
	j = json_new_array();
	json_append_str(j, clean);
	if (json_dump(&dump, j, JSON_STYLE_COMPACT) != 0)
		fail("the cleaned text cannot be written as JSON", in, clean);
	if ((back = json_parse(dump.ptr, dump.len)) == NULL ||
	    json_as_str(json_at(back, 0)) == NULL ||
	    strcmp(json_as_str(json_at(back, 0)), clean) != 0)
		fail("the cleaned text does not round-trip through JSON", in, clean);
	json_free(back);
	json_free(j);
	buf_release(&dump);
	/* Slack: markup escaped; valid UTF-8 in, valid UTF-8 out. */
	slack = payload_slack_escape(in);
	if (utf8_valid(in, strlen(in), NULL))
		check_escaped(in, slack, in, "<>");
	free(slack);
	free(clean);
	buf_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *f[5];
	size_t nf = 0;
	struct snapshot_update upd;
	struct snapshot_component comp;
	struct snapshot_incident inc;
	struct snapshot_maintenance mnt;
	struct snapshot sn;
	char *cid = "api";
	char (*cstatus)[24] = calloc(1, 24);
	struct buf out = BUF_INIT;
	struct json *j;

	memcpy(text, data, size);
	text[size] = '\0';
	/* Fields: page name, component name, title, body, maintenance. */
	f[nf++] = text;
	for (size_t i = 0; i < size && nf < 5; i++)
		if (text[i] == '\0')
			f[nf++] = text + i + 1;
	while (nf < 5)
		f[nf++] = "";
	for (size_t i = 0; i < 5; i++)
		check_text(f[i]);

	memset(&upd, 0, sizeof(upd));
	upd.id = 1;
	strcpy(upd.status, "identified");
	upd.body = f[3];
	upd.published_at = 1795435200000;
	memset(&comp, 0, sizeof(comp));
	comp.id = "api";
	comp.name = f[1];
	comp.position = 1;
	strcpy(comp.status, "major_outage");
	comp.updated_at = 1795435200000;
	memset(&inc, 0, sizeof(inc));
	inc.id = 7;
	inc.name = f[2];
	strcpy(inc.status, "identified");
	strcpy(inc.impact, "major");
	inc.created_at = inc.updated_at = 1795435200000;
	inc.components = &cid;
	strcpy(cstatus[0], "major_outage");
	inc.component_status = cstatus;
	inc.ncomponents = 1;
	inc.updates = &upd;
	inc.nupdates = 1;
	memset(&mnt, 0, sizeof(mnt));
	mnt.id = 2;
	mnt.name = f[4];
	mnt.body = f[3];
	strcpy(mnt.status, "scheduled");
	mnt.scheduled_for = mnt.created_at = mnt.updated_at = 1795435200000;
	mnt.scheduled_until = 1795438800000;
	mnt.components = &cid;
	mnt.ncomponents = 1;
	memset(&sn, 0, sizeof(sn));
	sn.page_id = "fuzz";
	sn.page_name = f[0];
	sn.page_url = "http://127.0.0.1:8080/";
	sn.time_zone = "Etc/UTC";
	sn.built_at = sn.updated_at = 1795435200000;
	sn.components = &comp;
	sn.ncomponents = 1;
	sn.incidents = &inc;
	sn.nincidents = 1;
	sn.maintenances = &mnt;
	sn.nmaintenances = 1;

	feed_atom(&out, &sn);
	if (!utf8_valid(out.ptr, out.len, NULL) || !xml_well_formed(buf_str(&out)))
		fail("the Atom feed is not well-formed", f[2], buf_str(&out));
	buf_reset(&out);
	feed_rss(&out, &sn);
	if (!utf8_valid(out.ptr, out.len, NULL) || !xml_well_formed(buf_str(&out)))
		fail("the RSS feed is not well-formed", f[2], buf_str(&out));
	buf_reset(&out);
	statuspage_json(&out, &sn, STATUSPAGE_SUMMARY);
	if (!utf8_valid(out.ptr, out.len, NULL) || (j = json_parse(out.ptr, out.len)) == NULL)
		fail("summary.json does not parse", f[2], buf_str(&out));
	json_free(j);
	buf_reset(&out);
	statuspage_html(&out, &sn);
	if (!utf8_valid(out.ptr, out.len, NULL))
		fail("the status page is not valid UTF-8", f[2], buf_str(&out));
	buf_release(&out);
	free(cstatus);
	free(text);
	return 0;
}
