/* sendsmtp.c: a transfer set up as an e-mail through a channel's SMTP
 * relay, with a subscriber's unsubscribe link, and the relay's replies
 * read for what the envelope needs (SMTPUTF8). The message's form is
 * mail.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deliver-int.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/mail.h"
#include "sitrep/mailaddr.h"
#include "sitrep/xalloc.h"

/*
 * The relay's replies, line by line (libcurl hands SMTP replies to the
 * header callback). An address with UTF-8 needs SMTPUTF8 (RFC 6531), which
 * libcurl asks for by itself when the relay offers it; when the EHLO reply
 * ends without it (and without STARTTLS, after which a new EHLO may offer
 * it), the transfer stops here, before MAIL FROM, and the row says why.
 */
static size_t
read_smtp_reply(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	int code;

	if (len < 4 || ptr[0] < '2' || ptr[0] > '5' || ptr[1] < '0' || ptr[1] > '9' ||
	    ptr[2] < '0' || ptr[2] > '9' || (ptr[3] != '-' && ptr[3] != ' '))
		return len;
	code = (ptr[0] - '0') * 100 + (ptr[1] - '0') * 10 + (ptr[2] - '0');
	if (code == 250) {
		size_t k = strcspn(ptr + 4, " \r\n");

		if (k == 8 && strncasecmp(ptr + 4, "SMTPUTF8", 8) == 0)
			t->offers_utf8 = true;
		else if (k == 8 && strncasecmp(ptr + 4, "STARTTLS", 8) == 0)
			t->offers_starttls = true;
	}
	if (ptr[3] != ' ')
		return len;
	/* The reply's last line. A 250 right after a 220 (the greeting, or
	 * "go ahead" to STARTTLS) is the EHLO reply. */
	if (code == 250 && t->smtp_last == 220 && t->needs_utf8 && !t->offers_utf8 &&
	    !t->offers_starttls) {
		snprintf(t->refused, sizeof(t->refused), "the mail relay does not offer "
			 "SMTPUTF8 (RFC 6531), which the address '%s' needs: use a relay "
			 "that does", t->utf8_addr);
		t->refused_dead = true;
		return 0;
	}
	if (code == 220)
		t->offers_utf8 = t->offers_starttls = false;
	t->smtp_last = code;
	return len;
}

static size_t
read_mail(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t room = size * n, left = t->len - t->off;

	if (left < room)
		room = left;
	memcpy(ptr, t->body + t->off, room);
	t->off += room;
	return room;
}

/* "https://status.example.com/" + "unsubscribe?token=T". */
static char *
unsubscribe_url(const char *page_url, const char *token)
{
	size_t n = strlen(page_url);

	return xasprintf("%s%sunsubscribe?token=%s", page_url,
			 n > 0 && page_url[n - 1] == '/' ? "" : "/", token);
}

/* Set up t to mail r (with an unsubscribe link when token) over ch's
 * relay. NULL, or why it cannot be sent. */
char *
sendsmtp_setup(struct lane *d, struct transfer *t, struct chan *ch,
	   const struct rendered *r, const char *token)
{
	const struct curlapi *a = d->api;
	const struct conf_channel *cc = ch->ch;
	struct mail_message m;
	struct buf msg = BUF_INIT, text = BUF_INIT;
	const char *domain = strchr(cc->from, '@');
	char *unsub = NULL, *mid, addr[512];
	int rc;

	memset(&m, 0, sizeof(m));
	buf_adds(&text, r->body);
	if (token != NULL) {
		unsub = unsubscribe_url(d->c->page_url, token);
		buf_addf(&text, "\n--\nYou subscribed to %s. Unsubscribe: %s\n",
			 d->c->page_name, unsub);
	}
	mid = xasprintf("%s@%s", t->row.msg_id, domain ? domain + 1 : "sitrep.invalid");
	/* A playbook's route may sign and title its e-mail itself. */
	m.from_name = t->row.from_name != NULL ? t->row.from_name : d->c->page_name;
	m.from = cc->from;
	m.to = t->row.recipient;
	m.subject = t->row.subject != NULL ? t->row.subject : r->subject;
	m.body = buf_str(&text);
	m.message_id = mid;
	m.date = clock_now_ms() / 1000;
	m.unsubscribe_url = unsub;
	rc = mail_format(&msg, &m);
	free(mid);
	free(unsub);
	buf_release(&text);
	if (rc != 0) {
		buf_release(&msg);
		return xstrdup(err_last());
	}
	t->len = msg.len;
	t->body = buf_detach(&msg);
	t->off = 0;
	snprintf(addr, sizeof(addr), "<%s>", t->row.recipient);
	t->rcpt = a->slist_append(NULL, addr);
	snprintf(addr, sizeof(addr), "<%s>", cc->from);
	transfer_options(d, t, 'm');
	a->easy_setopt(t->h, CURLOPT_URL, cc->smtp_url);
	a->easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	t->utf8_addr = !mailaddr_ascii(t->row.recipient) ? t->row.recipient :
		       !mailaddr_ascii(cc->from) ? cc->from : NULL;
	t->needs_utf8 = t->utf8_addr != NULL;
	t->offers_utf8 = t->offers_starttls = false;
	t->smtp_last = 0;
	a->easy_setopt(t->h, CURLOPT_HEADERFUNCTION, read_smtp_reply);
	a->easy_setopt(t->h, CURLOPT_HEADERDATA, t);
	a->easy_setopt(t->h, CURLOPT_MAIL_FROM, addr);
	a->easy_setopt(t->h, CURLOPT_MAIL_RCPT, t->rcpt);
	a->easy_setopt(t->h, CURLOPT_UPLOAD, 1L);
	a->easy_setopt(t->h, CURLOPT_READFUNCTION, read_mail);
	a->easy_setopt(t->h, CURLOPT_READDATA, t);
	a->easy_setopt(t->h, CURLOPT_INFILESIZE, (long)t->len);
	if (strncmp(cc->smtp_url, "smtp://", 7) == 0)
		a->easy_setopt(t->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (cc->user != NULL) {
		a->easy_setopt(t->h, CURLOPT_USERNAME, cc->user);
		a->easy_setopt(t->h, CURLOPT_PASSWORD, ch->password ? ch->password : "");
	}
	return NULL;
}
