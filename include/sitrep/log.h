/* log.h: leveled logging to stderr, OpenSMTPD's shape: log_warn adds
 * strerror(errno), log_warnx does not; log_info always; log_debug only
 * when verbose; fatal/fatalx for the impossible (they exit). log_errorx
 * says "error:" for what stops the program (its caller then exits). Each
 * message is one line, written whole with one write(2), so lines from
 * several threads never interleave. */
#ifndef SITREP_LOG_H
#define SITREP_LOG_H

/* The name every line starts with ("sitrepd: ..."); "sitrep" by default. */
void log_init(const char *progname);
/* 0 (the default) leaves out log_debug's lines; 1 or more prints them. */
void log_setverbose(int verbose);
int log_getverbose(void);

void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
