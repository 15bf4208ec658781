/* log.c: leveled messages to stderr, one line each, readable under journald.
 * The program's name and the verbosity are the only state here; what is
 * worth a line is the callers'. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sitrep/log.h"

#define LOG_LINE_MAX 2560

static const char *log_progname = "sitrep";
static int log_verbose;

void
log_init(const char *progname)
{
	log_progname = progname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/* All of n bytes to stderr; a line that cannot be written is dropped. */
static void
log_write(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(STDERR_FILENO, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

/* s after the n bytes of line, as much as fits before its last byte. */
static size_t
log_puts(char *line, size_t n, const char *s)
{
	size_t k = strlen(s);

	if (k > LOG_LINE_MAX - 1 - n)
		k = LOG_LINE_MAX - 1 - n;
	memcpy(line + n, s, k);
	return n + k;
}

/*
 * "progname: <prefix><message>[: <suffix>]\n", formatted whole into one
 * buffer and written with one write(2) (as OpenSMTPD's vlog), so that
 * lines from two threads never interleave; a longer one is cut short,
 * still one line. errno is kept for the caller.
 */
static void
log_vemit(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char line[LOG_LINE_MAX];
	size_t n;
	int saved = errno, k;

	n = log_puts(line, 0, log_progname);
	n = log_puts(line, n, ": ");
	n = log_puts(line, n, prefix);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (k > 0)
		n += (size_t)k < sizeof(line) - 1 - n ? (size_t)k : sizeof(line) - 1 - n;
	if (suffix != NULL) {
		n = log_puts(line, n, ": ");
		n = log_puts(line, n, suffix);
	}
	/* n < LOG_LINE_MAX here: the newline always fits */
	line[n++] = '\n';
	log_write(line, n);
	errno = saved;
}

void
log_errorx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("error: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	char buf[128];
	const char *e = strerror_r(errno, buf, sizeof(buf)); /* GNU's: thread-safe */

	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vemit("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	char buf[128];
	const char *e = strerror_r(errno, buf, sizeof(buf)); /* GNU's: thread-safe */

	va_start(ap, fmt);
	log_vemit("fatal: ", fmt, ap, e);
	va_end(ap);
	exit(70);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(70);
}
