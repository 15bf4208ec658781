/* http-form.c: the application/x-www-form-urlencoded decoder the subscribe
 * and unsubscribe forms are read with, and the check on a token sent in
 * one. Pure functions of their input: what a form means is
 * http-subscribe.c's. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One name or value of application/x-www-form-urlencoded; NULL when a
 * %-escape is malformed or decodes to NUL. */
static char *
form_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			free(out);
			return NULL;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

void
http_form_release(struct http_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	f->n = 0;
}

int
http_form_parse(struct http_form *f, const char *body, size_t len)
{
	size_t i = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		size_t end = i, eq;

		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			if (f->n == HTTP_MAX_FIELDS) {
				http_form_release(f);
				return err_set(SR_EUSAGE, "The form has too many fields.");
			}
			for (eq = i; eq < end && body[eq] != '='; eq++)
				;
			f->name[f->n] = form_decode(body + i, eq - i);
			f->value[f->n] = form_decode(body + (eq < end ? eq + 1 : end),
						     eq < end ? end - eq - 1 : 0);
			f->n++;
			if (f->name[f->n - 1] == NULL || f->value[f->n - 1] == NULL) {
				http_form_release(f);
				return err_set(SR_EUSAGE, "The form is not correctly encoded.");
			}
		}
		i = end + 1;
	}
	return 0;
}

const char *
http_form_get(const struct http_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

/* 32 hex digits, as subscribers_token makes them: nothing else is looked
 * up (subscribers_remove would take an id or an address too). */
bool
http_form_is_token(const char *t)
{
	size_t n = 0;

	if (t == NULL)
		return false;
	for (; t[n] != '\0'; n++)
		if (hexval(t[n]) < 0)
			return false;
	return n == 32;
}
