/* diag.c: collects validation problems with file and line. Deciding what is
 * a problem is the validators' job. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sitrep/diag.h"
#include "sitrep/xalloc.h"

void
diag_add(struct diags *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	struct diag *g;
	char tmp[1024];

	if (d == NULL)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	g = &d->v[d->n++];
	g->file = xstrdup(file != NULL ? file : "-");
	g->line = line;
	g->msg = xstrdup(tmp);
}

void
diag_print(const struct diags *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].line > 0)
			fprintf(fp, "%s:%d: %s\n", d->v[i].file, d->v[i].line,
				d->v[i].msg);
		else
			fprintf(fp, "%s: %s\n", d->v[i].file, d->v[i].msg);
	}
}

void
diag_release(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
