/* fuzz_payload.c: libFuzzer target for the channel payload builders: the
 * Standard Webhooks event, Slack, Teams and Discord messages, the e-mail
 * subject and text, and notices, from an arbitrary title, body and names
 * (NUL-separated fields; where a poison byte once stopped the daemon).
 * A builder may refuse what it cannot encode; what it writes must be
 * valid UTF-8 and, for the chat and webhook types, JSON that parses. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/json.h"
#include "sitrep/payload.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
#include "sitrep/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char site_conf[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Fuzz Status\"; url = \"http://127.0.0.1:8080/\"; time_zone = \"UTC\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n";

static struct conf *conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diags d = DIAGS_INIT;

	(void)argc;
	(void)argv;
	if (conf_parse(&conf, &d, site_conf, "fuzz.conf", "/nonexistent") != 0) {
		diag_print(&d, stderr);
		abort();
	}
	diag_release(&d);
	return 0;
}

static void
check(const char *what, const struct buf *b, int json)
{
	struct json *j;

	if (b->len == 0)
		return; /* refused: fine */
	if (!utf8_valid(b->ptr, b->len, NULL)) {
		fprintf(stderr, "fuzz_payload: the %s payload is not valid UTF-8\n", what);
		abort();
	}
	if (json && (j = json_parse(b->ptr, b->len)) == NULL) {
		fprintf(stderr, "fuzz_payload: the %s payload does not parse: %.*s\n", what,
			(int)b->len, b->ptr);
		abort();
	}
	if (json)
		json_free(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "webhook", "slack", "teams", "discord" };
	char *text, *f[6], *page_name, *subject, *comp[2];
	struct store_incident inc;
	struct store_update u;
	struct payload p;
	struct buf b = BUF_INIT;
	size_t nf = 0;
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* Fields: title, body, page name, audience, component, notice title. */
	f[nf++] = text;
	for (size_t i = 0; i + 1 < size && nf < 6; i++)
		if (text[i] == '\0')
			f[nf++] = text + i + 1;
	while (nf < 6)
		f[nf++] = "";

	memset(&inc, 0, sizeof(inc));
	inc.id = 7;
	inc.title = f[0];
	inc.severity = 1 + (int)(flags & 3);
	strcpy(inc.status, "identified");
	memset(&u, 0, sizeof(u));
	u.id = 11;
	u.incident_id = 7;
	strcpy(u.kind, flags & 4 ? "apology" : "update");
	u.audience = f[3];
	u.status = flags & 8 ? NULL : "monitoring";
	u.body = f[1];
	u.next_update_at = flags & 16 ? 1795435200000 + (int64_t)(flags >> 5) * 86400000 : 0;
	u.published_at = flags & 32 ? 0 : 1795435200000;
	comp[0] = "api";
	comp[1] = f[4];
	page_name = conf->page_name;
	conf->page_name = f[2];
	payload_from(&p, conf, &inc, comp, 2, &u);
	conf->page_name = page_name;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		buf_reset(&b);
		(void)payload_json(&b, types[i], &p);
		check(types[i], &b, 1);
		buf_reset(&b);
		(void)payload_notice(&b, types[i], "incident.reminder", f[5], f[1],
				     "http://127.0.0.1:8080/", 1795435200000);
		check(types[i], &b, 1);
	}
	if ((subject = payload_subject(&p)) != NULL) {
		if (strpbrk(subject, "\r\n") != NULL) {
			fprintf(stderr, "fuzz_payload: a line break in the subject '%s'\n", subject);
			abort();
		}
		free(subject);
	}
	buf_reset(&b);
	payload_text(&b, &p);
	buf_reset(&b);
	(void)payload_notice(&b, "email", "incident.reminder", f[5], f[1],
			     "http://127.0.0.1:8080/", 1795435200000);
	payload_release(&p);
	buf_release(&b);
	free(text);
	return 0;
}
