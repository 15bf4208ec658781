/* utf8.h: checking text as UTF-8 where it enters (CLI arguments, playbooks,
 * config, HTTP forms, stored rows), so that nothing malformed travels on to
 * a payload builder. How text is shown (HTML, XML, a terminal) is left to
 * the modules that render it. */
#ifndef SITREP_UTF8_H
#define SITREP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* The length (1..4) of the well-formed UTF-8 sequence at s, of which n
 * bytes are readable, or 0 for a stray continuation byte, an overlong form,
 * a surrogate, a code point above U+10FFFF or a sequence cut short. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Whether the n bytes at s are well-formed UTF-8 with no NUL byte. When not
 * and bad_at is not NULL, *bad_at is the offset of the first bad byte. */
bool utf8_valid(const char *s, size_t n, size_t *bad_at);

/* 0 when s is valid UTF-8; else SR_EINVALID with the message
 * "WHAT is not valid UTF-8 (byte N)". */
int utf8_check(const char *what, const char *s);

/* A copy of s (a C string) in which every byte that does not start a
 * well-formed sequence is U+FFFD: for showing stored text that was never
 * checked. The caller frees it. */
char *utf8_repair(const char *s);

#endif
