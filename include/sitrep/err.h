/* err.h: error codes and a thread-local last-error message, set where a
 * failure is found and read by whoever reports it (libgit2's pattern). */
#ifndef SITREP_ERR_H
#define SITREP_ERR_H

enum {
	SR_OK = 0,
	SR_EUSAGE = -1,    /* the caller asked for something malformed */
	SR_EREFUSED = -2,  /* well-formed, but not allowed now */
	SR_ENOTFOUND = -3, /* no such thing */
	SR_EEXIST = -4,    /* already there */
	SR_EINVALID = -5,  /* content failed validation (see the diags) */
	SR_ESYS = -6,      /* the system or a library failed */
};

/* Record the message for the current failure and return code. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message set in this thread, or "unknown error". */
const char *err_last(void);
void err_clear(void);

#endif
