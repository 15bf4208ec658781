/* template.c: filling the {{variables}} of an update's text with the values
 * the caller gives. The playbook validator checks variable names ahead of
 * time; this refuses, at posting time, a variable that has no value yet. */
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/template.h"

static const struct template_var *
find_var(const struct template_var *vars, size_t nvars, const char *name, size_t len)
{
	for (size_t i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

int
template_render(char **out, const char *text, const struct template_var *vars,
		size_t nvars, const char *what)
{
	struct buf b = BUF_INIT;
	const char *p = text, *open;
	int rc = 0;

	*out = NULL;
	while (rc == 0 && (open = strstr(p, "{{")) != NULL) {
		const char *name = open + 2, *close = strstr(name, "}}");
		const struct template_var *v;
		size_t len;

		buf_add(&b, p, (size_t)(open - p));
		if (close == NULL) {
			rc = err_set(SR_EINVALID, "%s: '{{' is never closed with '}}'", what);
			break;
		}
		/* "{{ id }}" is "{{id}}", as the playbook validator allows. */
		while (name < close && (*name == ' ' || *name == '\t'))
			name++;
		len = (size_t)(close - name);
		while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		if ((v = find_var(vars, nvars, name, len)) == NULL)
			rc = err_set(SR_EINVALID, "%s uses unknown variable '{{%.*s}}'", what,
				     len > 60 ? 60 : (int)len, name);
		else if (v->value == NULL)
			rc = err_set(SR_EREFUSED, "%s uses {{%s}}, which has no value: %s", what,
				     v->name, v->why ? v->why : "nothing gives it one yet");
		else if (*v->value != '\0')
			buf_adds(&b, v->value);
		else if (close[2] == ' ' && (b.len == 0 || b.ptr[b.len - 1] == ' ' ||
			 b.ptr[b.len - 1] == '\n'))
			close++; /* "A. {{empty}} B." reads "A. B." */
		p = close + 2;
	}
	if (rc != 0) {
		buf_release(&b);
		return rc;
	}
	buf_adds(&b, p);
	*out = buf_detach(&b);
	return 0;
}
