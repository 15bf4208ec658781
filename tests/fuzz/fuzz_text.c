/* fuzz_text.c: libFuzzer target for the small text parsers and formatters
 * that take what people type or what arrives from outside: template
 * variables, times and durations, ids, e-mail addresses and messages,
 * webhook secrets. The first byte picks the parser; the rest is its input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/duration.h"
#include "sitrep/mail.h"
#include "sitrep/mailaddr.h"
#include "sitrep/template.h"
#include "sitrep/vocab.h"
#include "sitrep/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct template_var vars[] = {
	{ "id", "INC-7", NULL },
	{ "components", "API, Web", NULL },
	{ "commander", NULL, "no one holds the commander role" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_message m;
	struct buf b = BUF_INIT;
	char *text, *out = NULL;
	int64_t v;

	if (size == 0)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
		if (template_render(&out, text, vars, 3, "the text") == 0)
			free(out);
		break;
	case 1:
		(void)clock_parse_time(&v, text, 1795435200000);
		break;
	case 2:
		(void)duration_parse(&v, text);
		break;
	case 3:
		(void)vocab_parse_id(&v, text, "INC", "an incident");
		break;
	case 4:
		(void)mailaddr_valid(text);
		break;
	case 5:
		memset(&m, 0, sizeof(m));
		m.from_name = text;
		m.from = "status@example.com";
		m.to = "a@example.com";
		m.subject = text;
		m.body = text;
		m.message_id = "msg_1@example.com";
		m.date = 1795435200;
		m.unsubscribe_url = "http://127.0.0.1/unsubscribe?token=1";
		(void)mail_format(&b, &m);
		break;
	default:
		if (webhook_sign(&out, text, "msg_1", 1795435200, text, strlen(text)) == 0)
			free(out);
	}
	buf_release(&b);
	free(text);
	return 0;
}
