/* log.c: leveled messages to stderr, one line each, readable under journald.
 * Where messages go is the only state here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/log.h"

static const char *log_progname = "sitrep";
static enum log_level log_max = LOG_LEVEL_INFO;

void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_max = level;
}

/* One line, formatted once and written with one call, so that lines from
 * two threads never interleave. */
static void
log_vemit(enum log_level level, const char *prefix, const char *fmt, va_list ap,
	  const char *suffix)
{
	char msg[2048], line[2560];
	int n;

	if (level > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = snprintf(line, sizeof(line), "%s: %s%s%s%s\n", log_progname, prefix, msg,
		     suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		line[sizeof(line) - 2] = '\n'; /* cut short, still one line */
	fputs(line, stderr);
}

void
log_errorx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, "error: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, "warning: ", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, "warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_DEBUG, "debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, "fatal: ", fmt, ap, e);
	va_end(ap);
	exit(70);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(70);
}
