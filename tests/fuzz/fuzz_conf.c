/* fuzz_conf.c: libFuzzer target feeding arbitrary bytes to the site config
 * parser and validator (conf_parse), then asking the parsed config what
 * its users ask. The shipped default config seeds the corpus when
 * SITREP_FUZZ_CORPUS names one (make fuzz-run sets it). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5's leak on a syntax error: see fuzz_playbook.c. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\n"
	       "leak:strbuf_append\n";
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("SITREP_FUZZ_CORPUS");
	char path[4096];
	FILE *fp;

	(void)argc;
	(void)argv;
	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/default.conf", dir);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	fputs(conf_default_text, fp);
	fclose(fp);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_parse(&c, &d, text, "fuzz.conf", "/nonexistent") == 0) {
		(void)conf_listen_valid(c->listen != NULL ? c->listen : "");
		for (size_t i = 0; i < c->ncomponents; i++)
			if (conf_component(c, c->components[i].id) == NULL)
				abort();
		for (size_t i = 0; i < c->npeople; i++)
			if (conf_person(c, c->people[i].handle) == NULL)
				abort();
		for (size_t i = 0; i < c->naccounts; i++)
			if (conf_account(c, c->accounts[i].id) == NULL)
				abort();
		for (size_t i = 0; i < c->nchannels; i++) {
			if (conf_channel(c, c->channels[i].id) == NULL)
				abort();
			(void)conf_channel_serves(&c->channels[i], "customers");
		}
		conf_free(c);
	} else if (c != NULL)
		abort();
	diag_release(&d);
	free(text);
	return 0;
}
