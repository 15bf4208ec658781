/* secrets.c: each channel's secrets (its URL, signing secret, SMTP
 * password), read from the environment or a file when a lane first sends
 * over it. What is done with them is sendhttp.c's and sendsmtp.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver-int.h"
#include "sitrep/conf.h"
#include "sitrep/xalloc.h"

/* The value of a secret: the environment variable env, else the file's
 * first line. NULL with *problem set when neither gives one. */
static char *
secrets_read(const char *env, const char *file, const char *what, const char *id,
	    char **problem)
{
	char *v = NULL, line[4096];
	FILE *fp;

	if (env != NULL) {
		const char *e = getenv(env);

		if (e == NULL || *e == '\0')
			*problem = xasprintf("channel '%s': the environment variable %s that "
					     "holds its %s is not set", id, env, what);
		else
			v = xstrdup(e);
	} else if (file != NULL) {
		if ((fp = fopen(file, "r")) == NULL)
			*problem = xasprintf("channel '%s': cannot read its %s from '%s': %s",
					     id, what, file, strerror(errno));
		else {
			if (fgets(line, sizeof(line), fp) != NULL) {
				line[strcspn(line, "\r\n")] = '\0';
				if (line[0] != '\0')
					v = xstrdup(line);
			}
			fclose(fp);
			if (v == NULL)
				*problem = xasprintf("channel '%s': '%s' holds no %s", id, file, what);
		}
	}
	return v;
}

struct chan *
secrets_open(const struct conf *c)
{
	struct chan *v = xcalloc(c->nchannels + 1, sizeof(*v));

	for (size_t i = 0; i < c->nchannels; i++)
		v[i].ch = &c->channels[i];
	return v;
}

struct chan *
secrets_get(struct lane *d, const char *id)
{
	for (size_t i = 0; i < d->c->nchannels; i++) {
		struct chan *ch = &d->chans[i];

		if (strcmp(ch->ch->id, id) != 0)
			continue;
		/* A secret that could not be read is looked for again each
		 * time: setting it fixes delivery without a restart. */
		if (ch->problem != NULL) {
			free(ch->url);
			free(ch->secret);
			free(ch->password);
			free(ch->problem);
			ch->url = ch->secret = ch->password = ch->problem = NULL;
			ch->read = false;
		}
		if (!ch->read) {
			const struct conf_channel *cc = ch->ch;

			ch->read = true;
			if (strcmp(cc->type, "email") != 0)
				ch->url = secrets_read(cc->url_env, cc->url_file, "URL", cc->id,
						      &ch->problem);
			if (ch->problem == NULL && (cc->secret_env || cc->secret_file))
				ch->secret = secrets_read(cc->secret_env, cc->secret_file,
							 "signing secret", cc->id, &ch->problem);
			if (ch->problem == NULL && (cc->password_env || cc->password_file))
				ch->password = secrets_read(cc->password_env, cc->password_file,
							   "password", cc->id, &ch->problem);
		}
		return ch;
	}
	return NULL;
}

void
secrets_free(struct chan *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].url);
		free(v[i].secret);
		free(v[i].password);
		free(v[i].problem);
	}
	free(v);
}
