/* diagcheck.h: helpers for the validation tests (config and playbook):
 * edit one line of a text, check a parse was refused as it should be, and
 * find a problem at a file and line. */
#ifndef SITREP_DIAGCHECK_H
#define SITREP_DIAGCHECK_H

#include <stdbool.h>

#include "sitrep/diag.h"
#include "sitrep/err.h"

/* text with its line n (1-based) replaced by repl; repl may hold newlines,
 * which moves the lines after it down. The caller frees. */
static inline char *
edit(const char *text, int n, const char *repl)
{
	size_t cap = strlen(text) + strlen(repl) + 2;
	char *out = malloc(cap), *w = out;
	const char *p = text;

	for (int line = 1; *p != '\0'; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (line == n) {
			memcpy(w, repl, strlen(repl));
			w += strlen(repl);
		} else {
			memcpy(w, p, len);
			w += len;
		}
		if (nl == NULL)
			break;
		*w++ = '\n';
		p = nl + 1;
	}
	*w = '\0';
	return out;
}

/* What the last check found wrong; the checks return false and leave the
 * test to free what it holds before it fails with this. */
static char failure[1024];

static inline void
check(bool ok)
{
	if (!ok)
		fail_msg("%s", failure);
}

/*
 * Whether a parse of a text that must be refused was, given what the
 * parser (named for the failure message) did: it returned rc SR_EINVALID,
 * left *out NULL (out_null), put a message naming path in err_last() and
 * at least one problem in d.
 */
static inline bool
refused(const struct diags *d, const char *parser, int rc, bool out_null,
	const char *path)
{
	if (rc != SR_EINVALID) {
		diag_print(d, stderr);
		snprintf(failure, sizeof(failure), "%s returned %d, not SR_EINVALID",
			 parser, rc);
		return false;
	}
	if (!out_null) {
		snprintf(failure, sizeof(failure), "*out is not NULL on failure");
		return false;
	}
	if (d->n == 0) {
		snprintf(failure, sizeof(failure), "SR_EINVALID without a diagnostic");
		return false;
	}
	if (strstr(err_last(), path) == NULL) {
		snprintf(failure, sizeof(failure), "err_last() '%s' does not name '%s'",
			 err_last(), path);
		return false;
	}
	return true;
}

static inline bool
found(const struct diags *d, const char *file, int line, const char *want)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && strcmp(d->v[i].file, file) == 0 &&
		    strstr(d->v[i].msg, want) != NULL)
			return true;
	fprintf(stderr, "diagnostics were:\n");
	diag_print(d, stderr);
	snprintf(failure, sizeof(failure), "no diagnostic '%s' at %s:%d", want,
		 file, line);
	return false;
}

static inline bool
count(const struct diags *d, size_t n)
{
	if (d->n == n)
		return true;
	fprintf(stderr, "diagnostics were:\n");
	diag_print(d, stderr);
	snprintf(failure, sizeof(failure), "%zu diagnostics, not %zu", d->n, n);
	return false;
}

#endif
