/* acklink.h: one-click acknowledgement links for pages,
 * <status page url>/ack/<page>.<person>.<expiry>.<signature>, signed with
 * HMAC-SHA256 under the key in the file paging.link_key_file names. The
 * link only says who it is for; what a click does is escalate.h's. */
#ifndef SITREP_ACKLINK_H
#define SITREP_ACKLINK_H

#include <stdint.h>

struct conf;

/* The token "<page>.<person>.<expiry>.<signature>" for page_id and person
 * (page 0: a test page for person, `sitrep page --test`, about no page),
 * working until expiry (ms since the epoch; seconds in the token); NULL
 * with err_last() set when the key cannot be read. */
char *acklink_token(const struct conf *c, int64_t page_id, const char *person,
		    int64_t expiry_ms);
/* The whole link: the status page's URL, /ack/, the token. */
char *acklink_url(const struct conf *c, int64_t page_id, const char *person,
		  int64_t expiry_ms);
/* Check a token: 0 with *page_id and *person (the caller frees) when it is
 * well-formed, signed with the key and not expired at now (ms); otherwise
 * SR_EREFUSED with err_last() saying which: malformed, a bad signature,
 * expired (and when), or SR_ESYS when the key cannot be read. */
int acklink_check(int64_t *page_id, char **person, const struct conf *c, const char *token,
		  int64_t now_ms);

#endif
