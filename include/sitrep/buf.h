/* buf.h: a growable NUL-terminated byte string (git's strbuf). */
#ifndef SITREP_BUF_H
#define SITREP_BUF_H

#include <stddef.h>

struct buf {
	char *ptr; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_str(struct buf *b);
/* Hand the string to the caller (who frees it) and reset the buffer. */
char *buf_detach(struct buf *b);
void buf_release(struct buf *b);

#endif
