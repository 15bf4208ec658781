/* template.h: filling the {{variables}} of an update's text. Which values
 * an incident gives them is comms.c's business. */
#ifndef SITREP_TEMPLATE_H
#define SITREP_TEMPLATE_H

#include <stddef.h>

struct template_var {
	const char *name;
	const char *value; /* NULL: no value now */
	const char *why;   /* with no value: why, for the message */
};

/*
 * Replace each {{name}} in text by its value. A variable not in vars is
 * SR_EINVALID, one without a value SR_EREFUSED, an unclosed "{{" SR_EINVALID;
 * each message names what (for example "template 'apology'") and the
 * variable. *out is the caller's to free.
 */
int template_render(char **out, const char *text, const struct template_var *vars,
		    size_t nvars, const char *what);

#endif
