/* test_mail.c: a formatted e-mail read back by an independent parser
 * (Python's email package) says what was asked; lines are CRLF and short;
 * header injection, bad UTF-8 and bad addresses are refused. */
#include "testutil.h"

#include <stdbool.h>

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/mail.h"

#define PYTHON "/usr/bin/python3"

/*
 * Parses the message in argv[1] with email.policy.default and prints
 * "key\0value\0" pairs. It also checks every encoded-word on its own:
 * at most 75 characters, UTF-8 charset, base64 that decodes to whole UTF-8
 * characters (strict decode of each word alone).
 *
 * from_name_2047 is the display name by the older decoder (parseaddr and
 * decode_header): policy.default puts a space between adjacent
 * encoded-words in an address header, against RFC 2047 6.2 (CPython issue
 * gh-128110), so a name long enough to take two words is read back with
 * the decoder that follows the RFC. Mail readers drop that space.
 */
static const char parse_py[] =
	"import base64, email, email.header, email.policy, email.utils, re, sys\n"
	"raw = open(sys.argv[1], 'rb').read()\n"
	"m = email.message_from_bytes(raw, policy=email.policy.default)\n"
	"head = raw.split(b'\\r\\n\\r\\n', 1)[0]\n"
	"bad = 0\n"
	"words = re.findall(rb'=\\?[^?]*\\?[A-Za-z]\\?[^?]*\\?=', head)\n"
	"for w in words:\n"
	"    cs, enc, data = w[2:-2].split(b'?')\n"
	"    try:\n"
	"        ok = len(w) <= 75 and cs == b'UTF-8' and enc == b'B'\n"
	"        base64.b64decode(data, validate=True).decode('utf-8')\n"
	"    except Exception:\n"
	"        ok = False\n"
	"    bad += not ok\n"
	"f = m['from'].addresses[0]\n"
	"old = email.message_from_bytes(raw, policy=email.policy.compat32)\n"
	"name = email.utils.parseaddr(old['from'])[0]\n"
	"name = str(email.header.make_header(email.header.decode_header(name)))\n"
	"out = {\n"
	"  'subject': str(m['subject']),\n"
	"  'from_name': f.display_name,\n"
	"  'from_name_2047': name,\n"
	"  'from_addr': f.addr_spec,\n"
	"  'to': m['to'].addresses[0].addr_spec,\n"
	"  'date': m['date'].datetime.isoformat(),\n"
	"  'message_id': str(m['message-id']),\n"
	"  'content_type': m.get_content_type(),\n"
	"  'charset': m.get_content_charset(),\n"
	"  'cte': m.get('content-transfer-encoding', ''),\n"
	"  'mime_version': m.get('mime-version', ''),\n"
	"  'auto_submitted': m.get('auto-submitted', ''),\n"
	"  'list_unsubscribe': m.get('list-unsubscribe', ''),\n"
	"  'list_unsubscribe_post': m.get('list-unsubscribe-post', ''),\n"
	"  'headers': ','.join(m.keys()),\n"
	"  'defects': len(m.defects) + sum(len(m[k].defects) for k in m.keys()),\n"
	"  'words': len(words),\n"
	"  'bad_words': bad,\n"
	"}\n"
	"w = sys.stdout.buffer\n"
	"for k, v in out.items():\n"
	"    w.write(k.encode() + b'\\0' + str(v).encode() + b'\\0')\n"
	"w.write(b'body\\0' + m.get_payload(decode=True) + b'\\0')\n";

static bool
have_python(void)
{
	return access(PYTHON, X_OK) == 0;
}

/* Python's reading of msg, as "key\0value\0" pairs in res. */
static void
python_parse(struct buf *res, const char *msg, size_t len)
{
	char *dir = testutil_tmpdir(), path[4200], cmd[8500], chunk[4096];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/msg.eml", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(msg, 1, len, fp), len);
	fclose(fp);
	testutil_write(dir, "parse.py", parse_py);
	snprintf(cmd, sizeof(cmd), PYTHON " '%s/parse.py' '%s'", dir, path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(res, chunk, n);
	assert_int_equal(pclose(fp), 0);
	testutil_rmtree(dir);
	free(dir);
}

static const char *
field(struct buf *res, const char *key)
{
	const char *p = res->ptr, *end = res->ptr + res->len;

	while (p < end) {
		const char *v = p + strlen(p) + 1;

		if (strcmp(p, key) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	fail_msg("python printed no '%s'", key);
	return NULL;
}

/* Every line ends in CRLF (no bare CR or LF anywhere), none is over 998
 * characters, header lines with encoded-words are within 76 and other
 * header lines within 78 unless an address or URL makes them longer, and
 * base64 body lines are 76 at most. */
static void
assert_lines_ok(const char *msg, size_t len)
{
	bool in_head = true;
	size_t i = 0;

	while (i < len) {
		const char *line = msg + i, *cr = memchr(line, '\r', len - i);
		size_t n;

		assert_non_null(cr);
		assert_int_equal(cr[1], '\n');
		n = (size_t)(cr - line);
		assert_null(memchr(line, '\n', n));
		assert_true(n <= 998);
		if (n == 0)
			in_head = false;
		else if (!in_head)
			assert_true(n <= 76);
		else if (memmem(line, n, "=?", 2) != NULL)
			assert_true(n <= 76);
		else if (memmem(line, n, "<", 1) == NULL)
			assert_true(n <= 78);
		i += n + 2;
	}
	assert_false(in_head);
}

static struct mail_message
example(void)
{
	struct mail_message m = {
		.from_name = "Exemple Statut — Équipe d’exploitation",
		.from = "status@example.com",
		.to = "alice@example.org",
		.subject = "Störung: API — résolu ✓ (alle Regionen wieder normal nach dem Failover 🎉)",
		.body = "Bonjour,\n\nL’incident « API lente » est résolu ✓.\n"
			"Une ligne assez longue pour que le base64 du corps tienne sur plusieurs lignes de 76 caractères, "
			"avec des accents : àéîõü.\n\n-- \nsitrep\n",
		.message_id = "outbox_42.1795432777@status.example.com",
		.date = 1795432777,
		.unsubscribe_url = "https://status.example.com/unsubscribe?token=abc123&id=42",
	};

	return m;
}

/* The body Python decodes: the text with CRLF line ends. */
static char *
crlf(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			buf_addch(&b, '\r');
		buf_addch(&b, *s);
	}
	buf_adds(&b, "");
	return buf_detach(&b);
}

static void
test_parsed_back(void **state)
{
	struct mail_message m = example();
	struct buf out = BUF_INIT, res = BUF_INIT;
	char *body = crlf(m.body);

	(void)state;
	if (!have_python())
		skip();
	assert_int_equal(mail_format(&out, &m), 0);
	assert_lines_ok(out.ptr, out.len);
	/* long and not ASCII: folded into several encoded-words */
	assert_non_null(strstr(out.ptr, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(out.ptr, "?=\r\n =?UTF-8?B?"));
	python_parse(&res, out.ptr, out.len);
	assert_string_equal(field(&res, "defects"), "0");
	assert_string_equal(field(&res, "bad_words"), "0");
	assert_true(atoi(field(&res, "words")) >= 4);
	assert_string_equal(field(&res, "subject"), m.subject);
	assert_string_equal(field(&res, "from_name_2047"), m.from_name);
	assert_string_equal(field(&res, "from_addr"), "status@example.com");
	assert_string_equal(field(&res, "to"), "alice@example.org");
	assert_string_equal(field(&res, "date"), "2026-11-23T11:19:37+00:00");
	assert_string_equal(field(&res, "message_id"), "<outbox_42.1795432777@status.example.com>");
	assert_string_equal(field(&res, "mime_version"), "1.0");
	assert_string_equal(field(&res, "content_type"), "text/plain");
	assert_string_equal(field(&res, "charset"), "utf-8");
	assert_string_equal(field(&res, "cte"), "base64");
	assert_string_equal(field(&res, "auto_submitted"), "auto-generated");
	assert_string_equal(field(&res, "list_unsubscribe"),
			    "<https://status.example.com/unsubscribe?token=abc123&id=42>");
	assert_string_equal(field(&res, "list_unsubscribe_post"), "List-Unsubscribe=One-Click");
	assert_string_equal(field(&res, "headers"),
			    "Date,Message-ID,From,To,Subject,MIME-Version,Content-Type,"
			    "Content-Transfer-Encoding,Auto-Submitted,List-Unsubscribe,"
			    "List-Unsubscribe-Post");
	assert_string_equal(field(&res, "body"), body);
	free(body);
	buf_release(&res);
	buf_release(&out);
}

/* Short ASCII stays readable; specials in a display name are quoted;
 * no unsubscribe URL, no List-Unsubscribe. */
static void
test_plain_headers(void **state)
{
	struct mail_message m = example();
	struct buf out = BUF_INIT, res = BUF_INIT;

	(void)state;
	m.from_name = "Example \"Status\", Inc.";
	m.subject = "API outage resolved";
	m.body = "";
	m.unsubscribe_url = NULL;
	m.date = 0;
	assert_int_equal(mail_format(&out, &m), 0);
	assert_lines_ok(out.ptr, out.len);
	assert_string_equal(out.ptr,
			    "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
			    "Message-ID: <outbox_42.1795432777@status.example.com>\r\n"
			    "From: \"Example \\\"Status\\\", Inc.\" <status@example.com>\r\n"
			    "To: alice@example.org\r\n"
			    "Subject: API outage resolved\r\n"
			    "MIME-Version: 1.0\r\n"
			    "Content-Type: text/plain; charset=UTF-8\r\n"
			    "Content-Transfer-Encoding: base64\r\n"
			    "Auto-Submitted: auto-generated\r\n"
			    "\r\n");
	if (have_python()) {
		python_parse(&res, out.ptr, out.len);
		assert_string_equal(field(&res, "defects"), "0");
		assert_string_equal(field(&res, "from_name"), m.from_name);
		assert_string_equal(field(&res, "subject"), m.subject);
		assert_string_equal(field(&res, "body"), "");
		assert_null(strstr(field(&res, "headers"), "List-Unsubscribe"));
	}
	buf_release(&res);
	buf_release(&out);

	/* a short UTF-8 name is one encoded-word, which every reader agrees on */
	m.from_name = "Équipe d’exploitation";
	assert_int_equal(mail_format(&out, &m), 0);
	assert_non_null(strstr(out.ptr, "\r\nFrom: =?UTF-8?B?"));
	assert_non_null(strstr(out.ptr, "?= <status@example.com>\r\nTo: "));
	if (have_python()) {
		python_parse(&res, out.ptr, out.len);
		assert_string_equal(field(&res, "defects"), "0");
		assert_string_equal(field(&res, "words"), "1");
		assert_string_equal(field(&res, "from_name"), m.from_name);
		buf_release(&res);
	}
	buf_reset(&out);

	/* a plain phrase as it is; no display name, a bare address */
	m.from_name = "Example Status";
	assert_int_equal(mail_format(&out, &m), 0);
	assert_non_null(strstr(out.ptr, "\r\nFrom: Example Status <status@example.com>\r\n"));
	buf_reset(&out);
	m.from_name = NULL;
	assert_int_equal(mail_format(&out, &m), 0);
	assert_non_null(strstr(out.ptr, "\r\nFrom: status@example.com\r\n"));
	buf_release(&out);
}

/* Long ASCII, text that looks like an encoded-word, and characters of
 * every UTF-8 length all come back intact from Python, with every line in
 * its limits and no word splitting a character. */
static void
test_round_trips(void **state)
{
	static const char *subjects[] = {
		"A plain ASCII subject that is far too long to fit on one header line of 78 characters",
		"=?UTF-8?B?SGk=?= is not an encoded-word here",
		"  spaces at both ends  ",
		"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€",
		"🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
		"aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉aé€🎉",
		"ü",
		"",
	};
	struct mail_message m = example();
	struct buf out = BUF_INIT, res = BUF_INIT;

	(void)state;
	if (!have_python())
		skip();
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		m.subject = subjects[i];
		/* the same text as a display name, and a long plain one */
		m.from_name = i % 2 ? subjects[i]
				    : "Example Status Page of the Example Corporation and Subsidiaries";
		buf_reset(&out);
		buf_reset(&res);
		assert_int_equal(mail_format(&out, &m), 0);
		assert_lines_ok(out.ptr, out.len);
		python_parse(&res, out.ptr, out.len);
		assert_string_equal(field(&res, "defects"), "0");
		assert_string_equal(field(&res, "bad_words"), "0");
		assert_string_equal(field(&res, "subject"), m.subject);
		assert_string_equal(field(&res, "from_name_2047"), m.from_name);
		assert_string_equal(field(&res, "from_addr"), m.from);
	}
	buf_release(&res);
	buf_release(&out);
}

/* Any line end in the body becomes CRLF; the base64 says exactly that. */
static void
test_body_line_ends(void **state)
{
	struct mail_message m = example();
	struct buf out = BUF_INIT;
	const char *body;

	(void)state;
	m.body = "a\nb\r\nc\rd";
	assert_int_equal(mail_format(&out, &m), 0);
	body = strstr(out.ptr, "\r\n\r\n");
	assert_non_null(body);
	/* python3 -c 'import base64; print(base64.b64encode(b"a\r\nb\r\nc\r\nd"))' */
	assert_string_equal(body + 4, "YQ0KYg0KYw0KZA==\r\n");
	buf_release(&out);
}

/* Date in RFC 5322 form, UTC; out of four-digit years is refused. */
static void
test_date(void **state)
{
	/* date -u -R -d @<t> */
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 1795432777, "Mon, 23 Nov 2026 11:19:37 +0000" },
		{ INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000" },
	};
	struct mail_message m = example();
	struct buf out = BUF_INIT;
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.date = cases[i].t;
		buf_reset(&out);
		assert_int_equal(mail_format(&out, &m), 0);
		snprintf(want, sizeof(want), "Date: %s\r\n", cases[i].want);
		assert_int_equal(strncmp(out.ptr, want, strlen(want)), 0);
	}
	m.date = -1;
	assert_int_equal(mail_format(&out, &m), SR_EINVALID);
	m.date = INT64_C(253402300800);
	assert_int_equal(mail_format(&out, &m), SR_EINVALID);
	assert_string_equal(err_last(), "mail date 253402300800 is out of range");
	buf_release(&out);
}

/* A refused message leaves what was in the buffer as it was. */
static void
assert_refused(const struct mail_message *m, const char *msg)
{
	struct buf out = BUF_INIT;

	buf_adds(&out, "before");
	err_clear();
	assert_int_equal(mail_format(&out, m), SR_EINVALID);
	assert_string_equal(out.ptr, "before");
	assert_string_equal(err_last(), msg);
	buf_release(&out);
}

static void
test_no_header_injection(void **state)
{
	struct mail_message m;

	(void)state;
	m = example();
	m.subject = "Resolved\r\nBcc: everyone@example.net";
	assert_refused(&m, "mail subject has a line break or other control character");
	m.subject = "Resolved\nBcc: everyone@example.net";
	assert_refused(&m, "mail subject has a line break or other control character");
	m.subject = "Resolved\rX";
	assert_refused(&m, "mail subject has a line break or other control character");
	m.subject = "tab\there";
	assert_refused(&m, "mail subject has a line break or other control character");
	m.subject = "del\x7f";
	assert_refused(&m, "mail subject has a line break or other control character");
	m.subject = "next line \xc2\x85 (C1)";
	assert_refused(&m, "mail subject has a line break or other control character");

	m = example();
	m.from_name = "Status\r\nBcc: everyone@example.net";
	assert_refused(&m, "mail from name has a line break or other control character");
	m = example();
	m.to = "alice@example.org\r\nBcc: everyone@example.net";
	assert_refused(&m, "mail to address has a line break or other control character");
	m = example();
	m.from = "status@example.com\nBcc: everyone@example.net";
	assert_refused(&m, "mail from address has a line break or other control character");
	m = example();
	m.message_id = "a@b>\r\nBcc: everyone@example.net";
	assert_refused(&m, "mail message id has a line break or other control character");
	m = example();
	m.unsubscribe_url = "https://example.com/u\r\nBcc: everyone@example.net";
	assert_refused(&m, "mail unsubscribe URL has a line break or other control character");

	/* the body is base64: its line breaks are only text */
	m = example();
	m.body = "line\r\nBcc: everyone@example.net\r\n";
	{
		struct buf out = BUF_INIT;

		assert_int_equal(mail_format(&out, &m), 0);
		assert_null(strstr(out.ptr, "Bcc"));
		buf_release(&out);
	}
}

static void
test_bad_utf8(void **state)
{
	struct mail_message m;

	(void)state;
	m = example();
	m.subject = "caf\xe9";	/* Latin-1 */
	assert_refused(&m, "mail subject is not valid UTF-8");
	m.subject = "\xc0\xaf";	/* overlong "/" */
	assert_refused(&m, "mail subject is not valid UTF-8");
	m.subject = "\xed\xa0\x80";	/* a surrogate */
	assert_refused(&m, "mail subject is not valid UTF-8");
	m.subject = "\xf4\x90\x80\x80";	/* past U+10FFFF */
	assert_refused(&m, "mail subject is not valid UTF-8");
	m = example();
	m.body = "truncated \xe2\x9c";
	assert_refused(&m, "mail body is not valid UTF-8");
	m = example();
	m.from_name = "\x80";
	assert_refused(&m, "mail from name is not valid UTF-8");
}

static void
test_bad_fields(void **state)
{
	struct mail_message m;

	(void)state;
	m = example();
	m.to = "alice";
	assert_refused(&m, "mail to address 'alice' is not valid");
	m.to = NULL;
	assert_refused(&m, "mail has no to address");
	m = example();
	m.from = "";
	assert_refused(&m, "mail has no from address");
	m = example();
	m.subject = NULL;
	assert_refused(&m, "mail has no subject");
	m = example();
	m.body = NULL;
	assert_refused(&m, "mail has no body");
	m = example();
	m.message_id = NULL;
	assert_refused(&m, "mail has no message id");
	m.message_id = "<a@b>";
	assert_refused(&m, "mail message id '<a@b>' is not valid: write it as left@right, without angle brackets");
	m.message_id = "no-at-sign";
	assert_refused(&m, "mail message id 'no-at-sign' is not valid: write it as left@right, without angle brackets");
	m.message_id = "a b@c";
	assert_refused(&m, "mail message id 'a b@c' is not valid: write it as left@right, without angle brackets");
	m = example();
	m.unsubscribe_url = "javascript:alert(1)";
	assert_refused(&m, "mail unsubscribe URL 'javascript:alert(1)' is not an https:// URL");
	m.unsubscribe_url = "https://example.com/u?a=<b>";
	assert_refused(&m, "mail unsubscribe URL 'https://example.com/u?a=<b>' has a space, quote, angle bracket or non-ASCII character: percent-encode it");
	m.unsubscribe_url = "";
	assert_refused(&m, "mail unsubscribe URL is empty");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed_back),
		cmocka_unit_test(test_plain_headers),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_body_line_ends),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_no_header_injection),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_bad_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
