/* fuzz_schedule.c: libFuzzer target feeding arbitrary bytes to oncall_parse
 * (NAME.schedule), with and without a small site config so the people
 * checks run too; a schedule that parses is asked who is on call at a few
 * moments around its handoffs, with an override, which must not crash or
 * loop. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/oncall.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5's lexer leaks a discarded string token on a syntax error
 * (hyperrealm/libconfig#142): see fuzz_playbook.c. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\n"
	       "leak:strbuf_append\n";
}

static const char site_conf[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Fuzz Status\"; url = \"http://127.0.0.1:8080/\"; time_zone = \"UTC\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n"
	"people = (\n"
	"  { handle = \"ana\"; name = \"Ana\"; email = \"ana@example.com\"; },\n"
	"  { handle = \"bob\"; name = \"Bob\"; email = \"bob@example.com\"; },\n"
	"  { handle = \"carol\"; name = \"Carol\"; }\n"
	");\n"
	"channels = ( { id = \"paging-mail\"; type = \"email\"; audiences = [ ];\n"
	"               smtp_url = \"smtp://127.0.0.1:25\"; from = \"sitrep@example.com\"; } );\n";

static struct conf *conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diags d = DIAGS_INIT;

	(void)argc;
	(void)argv;
	if (conf_parse(&conf, &d, site_conf, "fuzz.conf", "/nonexistent") != 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "fuzz_schedule: the fixed site config does not parse\n");
		abort();
	}
	diag_release(&d);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s = NULL;
	/* three inputs in four are checked against the site config */
	const struct conf *c = size % 4 != 0 ? conf : NULL;
	struct oncall_override ov = { .person = "bob", .from_ms = 1798675200000,
				      .until_ms = 1798761600000 };
	int64_t at = 1767225600000; /* 2026-01-01T00:00Z */

	if (oncall_parse(&s, &d, (const char *)data, size, "fuzz.schedule", c) == 0) {
		for (int i = 0; i < 8; i++) {
			const char *who;
			int64_t next;

			oncall_who(&who, &next, s, &ov, size % 2, at);
			/* the next change, when foreseen, is where to look next */
			at = next > at && next != INT64_MAX ? next : at + 86400000LL * 37;
		}
	}
	oncall_free(s);
	diag_release(&d);
	return 0;
}
