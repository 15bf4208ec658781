/* err.c: the thread-local last error. Callers decide how to report it. */
#include <stdarg.h>
#include <stdio.h>

#include "sitrep/err.h"

static _Thread_local char err_msg[1024];

int
err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
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
