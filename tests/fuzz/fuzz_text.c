/* fuzz_text.c: libFuzzer target for the small text parsers and formatters
 * that take what people type or what arrives from outside: template
 * variables, times and durations, ids, e-mail addresses and messages,
 * webhook secrets, acknowledgement link tokens (checked against a key
 * written to a temporary file at start). The first byte picks the parser;
 * the rest is its input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sitrep/acklink.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/mail.h"
#include "sitrep/mailaddr.h"
#include "sitrep/template.h"
#include "sitrep/vocab.h"
#include "sitrep/webhook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A config holding only what acklink_check reads: the key file. */
static char key_path[] = "/tmp/sitrep-fuzz-key.XXXXXX";
static struct conf link_conf;

static void
remove_key(void)
{
	unlink(key_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char key[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	int fd = mkstemp(key_path);

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1)) {
		perror("fuzz_text: cannot write the link key");
		abort();
	}
	close(fd);
	atexit(remove_key);
	link_conf.paging.link_key_file = key_path;
	link_conf.page_url = "http://127.0.0.1:8080/";
	return 0;
}

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
	char *text, *out = NULL, *person = NULL;
	int64_t v;

	if (size == 0)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 8) {
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
	case 6:
		if (acklink_check(&v, &person, &link_conf, text, 1795435200000) == 0)
			free(person);
		break;
	default:
		if (webhook_sign(&out, text, "msg_1", 1795435200, text, strlen(text)) == 0)
			free(out);
	}
	buf_release(&b);
	free(text);
	return 0;
}
