/* sendhttp.c: a transfer set up as an HTTP POST to a webhook or a chat
 * (Slack, Teams, Discord), Standard Webhooks headers and signature
 * included, and what the receiver's Retry-After asks. Signing itself is
 * webhook.c's; the message, payload.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "deliver-int.h"
#include "sitrep/clock.h"
#include "sitrep/err.h"
#include "sitrep/version.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

static size_t
discard_body(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110). */
long
deliver_retry_after(const char *value, time_t now)
{
	char v[128], *p, *end;
	struct tm tm;
	long secs;

	snprintf(v, sizeof(v), "%s", value);
	v[strcspn(v, "\r\n")] = '\0';
	p = v + strspn(v, " \t");
	secs = strtol(p, &end, 10);
	if (end != p && *end == '\0' && secs >= 0)
		return secs;
	memset(&tm, 0, sizeof(tm));
	if (strptime(p, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL) {
		time_t when = timegm(&tm);

		return when > now ? (long)(when - now) : 0;
	}
	return -1;
}

static size_t
read_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	char value[128];
	long secs;

	if (len > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		snprintf(value, sizeof(value), "%.*s", (int)(len - 12), ptr + 12);
		if ((secs = deliver_retry_after(value, time(NULL))) >= 0)
			t->retry_after = secs;
	}
	return len;
}

/* "name: value" into dst (cap bytes), cut short if it must be; printf's
 * parsing of the format was a few percent of a delivery. */
static void
header_set(char *dst, size_t cap, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	if (n > cap - 3)
		n = cap - 3;
	memcpy(dst, name, n);
	dst[n++] = ':';
	dst[n++] = ' ';
	if (v > cap - 1 - n)
		v = cap - 1 - n;
	memcpy(dst + n, value, v);
	dst[n + v] = '\0';
}

/* Set up an HTTP POST of t->body to url with the row's headers. NULL, or
 * why it cannot be sent. */
char *
sendhttp_setup(struct lane *d, struct transfer *t, const char *url, const char *secret)
{
	const struct curlapi *a = d->api;
	int64_t ts = clock_now_ms() / 1000;
	size_t n = 0;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return xstrdup("the URL does not start with http:// or https://");
	t->hdr[n++].data = "Content-Type: application/json";
	t->hdr[n++].data = "User-Agent: sitrep/" SITREP_VERSION;
	if (strcmp(t->row.type, "webhook") == 0) {
		char decimal[WEBHOOK_TIMESTAMP_MAX];

		header_set(t->hdr_id, sizeof(t->hdr_id), "webhook-id", t->row.msg_id);
		t->hdr[n++].data = t->hdr_id;
		webhook_timestamp(decimal, ts);
		header_set(t->hdr_ts, sizeof(t->hdr_ts), "webhook-timestamp", decimal);
		t->hdr[n++].data = t->hdr_ts;
		if (secret != NULL) {
			char *sig;

			if (webhook_sign(&sig, secret, t->row.msg_id, ts, t->body, t->len) != 0)
				return xstrdup(err_last());
			header_set(t->hdr_sig, sizeof(t->hdr_sig), "webhook-signature", sig);
			free(sig);
			t->hdr[n++].data = t->hdr_sig;
		}
	}
	/* No "Expect: 100-continue" round trip for small bodies. */
	t->hdr[n++].data = "Expect:";
	for (size_t i = 0; i < n; i++)
		t->hdr[i].next = i + 1 < n ? &t->hdr[i + 1] : NULL;
	if (transfer_options(d, t, 'h')) {
		a->easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "http,https");
		a->easy_setopt(t->h, CURLOPT_WRITEFUNCTION, discard_body);
		a->easy_setopt(t->h, CURLOPT_HEADERFUNCTION, read_header);
		a->easy_setopt(t->h, CURLOPT_HEADERDATA, t);
	}
	a->easy_setopt(t->h, CURLOPT_URL, url);
	a->easy_setopt(t->h, CURLOPT_HTTPHEADER, t->hdr);
	a->easy_setopt(t->h, CURLOPT_POSTFIELDS, t->body);
	a->easy_setopt(t->h, CURLOPT_POSTFIELDSIZE, (long)t->len);
	return NULL;
}
