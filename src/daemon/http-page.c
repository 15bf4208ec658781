/* http-page.c: the whole pages sitrepd's site builds itself, in the status
 * page's style: an error, the subscribe form and its answer, the pages of
 * an unsubscribe link and of a confirmation link. HTML only: what a
 * request asked and what the store said are http-subscribe.c's and
 * http-reply.c's; the style and the escaping are statuspage's and
 * escape.c's. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/escape.h"
#include "sitrep/statuspage.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

/* The start of a page that says one thing: its title as the <h1>, then
 * text. */
static void
page_says(struct buf *out, const struct conf *c, const char *root, const char *title,
	  const char *text)
{
	statuspage_html_begin(out, c->page_name, title, root);
	buf_adds(out, "<h1>");
	escape_markup(out, title);
	buf_adds(out, "</h1>\n<p>");
	escape_markup(out, text);
	buf_adds(out, "</p>\n");
}

void
http_page_error(struct buf *out, const struct conf *c, const char *root, const char *title,
		const char *message)
{
	page_says(out, c, root, title, message);
	statuspage_html_end(out, root);
}

/* The page URL joined with a path, for links that leave this page (in the
 * webhook secret page, the unsubscribe link). */
static char *
page_link(const struct conf *c, const char *path)
{
	size_t n = strlen(c->page_url);

	return xasprintf("%s%s%s", c->page_url, n > 0 && c->page_url[n - 1] == '/' ? "" : "/",
			 path);
}

static void
subscribe_form(struct buf *b, const struct conf *c, const char *kind, const char *address)
{
	bool webhook = kind != NULL && strcmp(kind, "webhook") == 0;

	buf_adds(b, "<form method=\"post\" action=\"subscribe\">\n"
		 "<fieldset>\n<legend>How should we tell you?</legend>\n");
	buf_addf(b, "<p><input type=\"radio\" id=\"kind-email\" name=\"kind\" value=\"email\"%s>"
		 " <label for=\"kind-email\">By e-mail</label></p>\n", webhook ? "" : " checked");
	buf_addf(b, "<p><input type=\"radio\" id=\"kind-webhook\" name=\"kind\" "
		 "value=\"webhook\"%s> <label for=\"kind-webhook\">By webhook: we POST JSON "
		 "signed as Standard Webhooks</label></p>\n</fieldset>\n", webhook ? " checked" : "");
	buf_adds(b, "<p><label for=\"address\">E-mail address or webhook URL</label><br>\n"
		 "<input id=\"address\" name=\"address\" type=\"text\" required "
		 "maxlength=\"2048\" size=\"40\" autocomplete=\"email\" value=\"");
	escape_markup(b, address);
	buf_adds(b, "\"></p>\n");
	if (c->ncomponents > 0) {
		buf_adds(b, "<fieldset>\n<legend>Only about these components "
			 "(none checked: all of them)</legend>\n");
		for (size_t i = 0; i < c->ncomponents; i++) {
			buf_addf(b, "<p><input type=\"checkbox\" id=\"c-%zu\" name=\"component\" "
				 "value=\"", i);
			escape_markup(b, c->components[i].id);
			buf_addf(b, "\"> <label for=\"c-%zu\">", i);
			escape_markup(b, c->components[i].name != NULL ?
				      c->components[i].name : c->components[i].id);
			buf_adds(b, "</label></p>\n");
		}
		buf_adds(b, "</fieldset>\n");
	}
	buf_adds(b, "<p><button type=\"submit\">Subscribe</button></p>\n</form>\n");
}

void
http_page_subscribe(struct buf *out, const struct conf *c, const char *error,
		    const char *kind, const char *address)
{
	statuspage_html_begin(out, c->page_name, "Subscribe to updates", "");
	buf_adds(out, "<h1>Subscribe to updates</h1>\n");
	if (error != NULL) {
		buf_adds(out, "<p role=\"alert\"><strong>Not subscribed:</strong> ");
		escape_markup(out, error);
		buf_adds(out, "</p>\n");
	}
	buf_adds(out, "<p>Hear from us when an incident starts, as it progresses and when "
		 "it is resolved.</p>\n");
	subscribe_form(out, c, kind, address);
	statuspage_html_end(out, "");
}

/* The answer to a subscription made, or to one that was there already:
 * the same words either way, so that the form tells nobody whether an
 * address is subscribed. A webhook's secret is shown once, when it is
 * made (secret and token NULL otherwise). */
void
http_page_subscribed(struct buf *out, const struct conf *c, const char *kind,
		     const char *address, const char *secret, const char *token)
{
	statuspage_html_begin(out, c->page_name, "Subscribed", "");
	buf_adds(out, "<h1>Subscribed</h1>\n<p>");
	escape_markup(out, address);
	if (strcmp(kind, "webhook") == 0) {
		buf_adds(out, " will receive a POST for every update, signed as Standard "
			 "Webhooks (headers webhook-id, webhook-timestamp, "
			 "webhook-signature)");
		if (secret != NULL && token != NULL) {
			char *path = xasprintf("unsubscribe?token=%s", token);
			char *link = page_link(c, path);

			buf_adds(out, " with this secret:</p>\n<p><code>");
			escape_markup(out, secret);
			buf_adds(out, "</code></p>\n<p><strong>Keep it now: it is not shown again."
				 "</strong></p>\n<p>To stop, visit <a href=\"");
			escape_markup(out, path);
			buf_adds(out, "\">");
			escape_markup(out, link);
			buf_adds(out, "</a>. A response of 410 Gone to a delivery ends the "
				 "subscription too.</p>\n");
			free(path);
			free(link);
		} else
			buf_adds(out, ", with the secret shown when it was first subscribed."
				 "</p>\n<p>A response of 410 Gone to a delivery ends the "
				 "subscription.</p>\n");
	} else
		buf_adds(out, ": we sent a confirmation link to this address, unless it is "
			 "subscribed already. Follow it within 24 hours to receive an e-mail "
			 "for every update; until then we send nothing else. Each update has "
			 "a link to unsubscribe.</p>\n");
	statuspage_html_end(out, "");
}

void
http_page_unsubscribe(struct buf *out, const struct conf *c, const char *title,
		      const char *text, const char *token)
{
	page_says(out, c, "", title, text);
	if (token != NULL) {
		buf_adds(out, "<form method=\"post\" action=\"unsubscribe?token=");
		escape_markup(out, token);
		buf_adds(out, "\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" "
			 "value=\"One-Click\">\n<p><button type=\"submit\">Unsubscribe</button>"
			 "</p>\n</form>\n");
	}
	statuspage_html_end(out, "");
}

void
http_page_confirm(struct buf *out, const struct conf *c, const char *title, const char *text,
		  const char *token)
{
	page_says(out, c, "", title, text);
	if (token != NULL) {
		buf_adds(out, "<form method=\"post\" action=\"confirm?token=");
		escape_markup(out, token);
		buf_adds(out, "\">\n<p><button type=\"submit\">Confirm</button></p>\n</form>\n");
	}
	statuspage_html_end(out, "");
}
