/* fuzz_playbook.c: libFuzzer target feeding arbitrary bytes to playbook_parse,
 * with and without a small fixed site config so component checks run too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/playbook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) leaks a string token its parser discards on a
 * syntax error: the two bytes "" are enough (hyperrealm/libconfig#142, fixed
 * in 1.7.3). Only allocations made inside its lexer are suppressed (its
 * string buffer, strbuf_append, names the frame when libconfig's missing
 * frame pointers cut the stack short), so a config_t that sitrep fails to
 * destroy is still reported.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\n"
	       "leak:strbuf_append\n";
}

/* A site config with the components the shipped playbooks name. */
static const char site_conf[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Fuzz Status\"; url = \"http://127.0.0.1:8080/\"; time_zone = \"UTC\"; };\n"
	"components = (\n"
	"  { id = \"api\";      name = \"Public API\"; },\n"
	"  { id = \"web\";      name = \"Web application\"; group = \"Platform\"; },\n"
	"  { id = \"auth\";     name = \"Login\"; },\n"
	"  { id = \"payments\"; name = \"Payments\"; group = \"Billing\"; },\n"
	"  { id = \"database\"; name = \"Data storage\"; },\n"
	"  { id = \"email\";    name = \"E-mail delivery\"; }\n"
	");\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; tier = \"L1\";\n"
	"             email = \"alice@example.com\"; } );\n"
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
		fprintf(stderr, "fuzz_playbook: the fixed site config does not parse\n");
		abort();
	}
	diag_release(&d);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	/* Chosen from the input, not a counter, so a saved crash reproduces
	 * alone: three inputs in four are checked against the site config. */
	const struct conf *c = size % 4 != 0 ? conf : NULL;

	playbook_parse(&pb, &d, (const char *)data, size, "fuzz.playbook", c);
	playbook_free(pb);
	diag_release(&d);
	return 0;
}
