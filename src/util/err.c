/* err.c: the thread-local last error. Callers decide how to report it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sitrep/err.h"

static _Thread_local char err_msg[1024];

/*
 * The message is formatted aside and then copied in, so that a caller may
 * wrap the last message in a new one (err_set(rc, "'%s': %s", what,
 * err_last())): formatting into the buffer being read would garble it.
 */
int
err_set(int code, const char *fmt, ...)
{
	char msg[sizeof(err_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(err_msg, msg, sizeof(err_msg));
	return code;
}

const char *
err_last(void)
{
	return err_msg[0] ? err_msg : "unknown error";
}

void
err_clear(void)
{
	err_msg[0] = '\0';
}
