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

static void
log_vemit(enum log_level level, const char *prefix, const char *fmt, va_list ap,
	  const char *suffix)
{
	if (level > log_max)
		return;
	fprintf(stderr, "%s: %s", log_progname, prefix);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
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
