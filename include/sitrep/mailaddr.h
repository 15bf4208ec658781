/* mailaddr.h: the syntax of an e-mail address, for every layer that takes
 * one (the site config, subscriptions, the mail channel). Whether mail to
 * it arrives is the relay's to say. */
#ifndef SITREP_MAILADDR_H
#define SITREP_MAILADDR_H

#include <stdbool.h>

#define MAILADDR_MAX 254 /* RFC 5321 4.5.3.1.3 path, less the brackets */

/* Whether c is an RFC 5322 atext character. */
bool mailaddr_is_atext(char c);

/*
 * Whether addr is a plausible addr-spec "local@domain": a local part of 1 to
 * 64 bytes of atext characters or UTF-8 beyond ASCII (RFC 6531), single
 * dots inside, a domain of dot-separated labels of letters, digits and
 * hyphens or UTF-8 beyond ASCII (an internationalised domain; a single
 * label such as "localhost" too), 254 bytes in all. No quoted local parts
 * or domain literals. An address with UTF-8 can only be sent through a
 * relay that offers SMTPUTF8 (see mailaddr_ascii).
 */
bool mailaddr_valid(const char *addr);

/* Whether addr is all ASCII: sendable without SMTPUTF8. */
bool mailaddr_ascii(const char *addr);

#endif
