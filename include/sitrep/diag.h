/* diag.h: a list of problems found while validating a file, each with the
 * file and line it was found at, so every problem is reported, not only the
 * first. */
#ifndef SITREP_DIAG_H
#define SITREP_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
	char *file;
	int line; /* 0 when no line applies */
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n;
	size_t cap;
};

#define DIAGS_INIT { NULL, 0, 0 }

void diag_add(struct diags *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Print each as "file:line: msg" on its own line. */
void diag_print(const struct diags *d, FILE *fp);
void diag_release(struct diags *d);

#endif
