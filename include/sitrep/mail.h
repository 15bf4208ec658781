/* mail.h: one notification e-mail as RFC 5322 text (UTF-8 headers in
 * RFC 2047 encoded-words, a base64 text/plain body), ready for SMTP. */
#ifndef SITREP_MAIL_H
#define SITREP_MAIL_H

#include <stdint.h>

#include "sitrep/buf.h"

/* What one message says. The strings are the caller's; all but from_name
 * and unsubscribe_url are required. */
struct mail_message {
	const char *from_name;       /* may be NULL; UTF-8 display name, e.g. "Example Status" */
	const char *from;            /* addr-spec, e.g. status@example.com */
	const char *to;              /* addr-spec */
	const char *subject;         /* UTF-8 */
	const char *body;            /* UTF-8 text, "\n" line ends */
	const char *message_id;      /* without angle brackets, e.g. "msg_abc123@example.com" */
	int64_t date;                /* seconds since the epoch; sent in UTC */
	const char *unsubscribe_url; /* NULL unless the recipient is a subscriber */
};

/*
 * Append the whole message to out, CRLF line ends throughout: Date,
 * Message-ID, From, To, Subject, MIME-Version, Content-Type,
 * Content-Transfer-Encoding, Auto-Submitted, and for a subscriber
 * List-Unsubscribe with List-Unsubscribe-Post (RFC 8058 one-click), then the
 * body. Returns 0, or SR_EINVALID naming the field that is missing, not
 * UTF-8, holds a control character (CR and LF included: no header
 * injection), or is not a valid address, id or URL; out is then unchanged.
 */
int mail_format(struct buf *out, const struct mail_message *m);

#endif
