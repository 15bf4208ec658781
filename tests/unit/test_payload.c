/* test_payload.c: what each channel type receives for an update or a
 * notice, and that a text which is not UTF-8 (a row written to the store
 * unchecked) is refused with a reason instead of ending the program. */
#include "testutil.h"

#include "sitrep/buf.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/payload.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

static const char *const types[] = { "webhook", "slack", "teams", "discord" };

static void
make(struct payload *p, const char *title, const char *body)
{
	memset(p, 0, sizeof(*p));
	p->page_name = xstrdup("Example Status");
	p->page_url = xstrdup("http://127.0.0.1:8080/");
	p->incident_url = xstrdup("http://127.0.0.1:8080/incidents/inc-7");
	p->incident_id = 7;
	p->title = xstrdup(title);
	p->severity = 2;
	p->status = xstrdup("identified");
	p->components = xcalloc(2, sizeof(*p->components));
	p->components[0] = xstrdup("Public API");
	p->ncomponents = 1;
	p->update_id = 5;
	p->kind = xstrdup("update");
	p->audience = xstrdup("internal");
	p->body = xstrdup(body);
	p->published_at = 1795435200000;
}

/* Every channel type gets valid JSON, with the text as it was written. */
static void
test_good_update(void **state)
{
	struct payload p;

	(void)state;
	make(&p, "API down \xe2\x9c\x93", "We are on it \xe2\x80\x94 <soon>.");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct buf b = BUF_INIT;
		struct json *j;

		assert_int_equal(payload_json(&b, types[i], &p), 0);
		j = json_parse(b.ptr, b.len);
		assert_non_null(j);
		json_free(j);
		assert_non_null(strstr(buf_str(&b), "We are on it"));
		buf_release(&b);
	}
	payload_release(&p);
}

/* The bytes each channel type receives, as they were before our JSON
 * module replaced jansson calls here: receivers see no change. */
static void
test_exact_bytes(void **state)
{
	static const char *const want_update[] = {
		"{\"type\":\"incident.update\",\"timestamp\":\"2026-11-23T12:00:00.00"
		"0Z\",\"data\":{\"incident\":{\"id\":\"INC-7\",\"name\":\"API down "
		"\xe2\x9c\x93\",\"status\":\"identified\",\"severity\":\"SEV2\",\"imp"
		"act\":\"major\",\"components\":[\"Public API\"],\"shortlink\":\"http"
		"://127.0.0.1:8080/incidents/inc-7\"},\"update\":{\"id\":\"UPD-5\",\""
		"kind\":\"update\",\"audience\":\"internal\",\"body\":\"We are on it "
		"\xe2\x80\x94 <soon>.\",\"published_at\":\"2026-11-23T12:00:00.000Z\""
		",\"next_update_at\":null}}}",
		"{\"text\":\"*INC-7 API down \xe2\x9c\x93 (SEV2, identified)*\\nWe ar"
		"e on it \xe2\x80\x94 &lt;soon&gt;.\",\"blocks\":[{\"type\":\"section"
		"\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*INC-7 API down "
		"\xe2\x9c\x93 (SEV2, identified)*\\nWe are on it \xe2\x80\x94 &lt;soo"
		"n&gt;.\"}},{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\","
		"\"text\":\"http://127.0.0.1:8080/incidents/inc-7\"}]}]}",
		"{\"type\":\"message\",\"attachments\":[{\"contentType\":\"applicatio"
		"n/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"content\":{\"$"
		"schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\",\"ty"
		"pe\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":[{\"type\":\"Text"
		"Block\",\"text\":\"INC-7 API down \xe2\x9c\x93 (SEV2, identified)\","
		"\"weight\":\"Bolder\",\"size\":\"Medium\",\"wrap\":true},{\"type\":"
		"\"TextBlock\",\"text\":\"We are on it \xe2\x80\x94 <soon>.\",\"wrap"
		"\":true}],\"actions\":[{\"type\":\"Action.OpenUrl\",\"title\":\"Exam"
		"ple Status\",\"url\":\"http://127.0.0.1:8080/incidents/inc-7\"}]}}]}",
		"{\"content\":\"INC-7 API down \xe2\x9c\x93 (SEV2, identified)\",\"em"
		"beds\":[{\"title\":\"API down \xe2\x9c\x93\",\"description\":\"We ar"
		"e on it \xe2\x80\x94 <soon>.\",\"url\":\"http://127.0.0.1:8080/incid"
		"ents/inc-7\"}],\"allowed_mentions\":{\"parse\":[]}}",
	};
	static const char *const want_notice[] = {
		"{\"type\":\"incident.reminder\",\"timestamp\":\"2026-11-23T12:00:00."
		"000Z\",\"data\":{\"title\":\"Title\",\"text\":\"fine \xe2\x9c\x93\","
		"\"url\":\"http://x/\"}}",
		"{\"text\":\"*Title*\\nfine \xe2\x9c\x93\",\"blocks\":[{\"type\":\"se"
		"ction\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*Title*\\nfine "
		"\xe2\x9c\x93\"}}]}",
		"{\"type\":\"message\",\"attachments\":[{\"contentType\":\"applicatio"
		"n/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"content\":{\"$"
		"schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\",\"ty"
		"pe\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":[{\"type\":\"Text"
		"Block\",\"text\":\"Title\",\"weight\":\"Bolder\",\"wrap\":true},{\"t"
		"ype\":\"TextBlock\",\"text\":\"fine \xe2\x9c\x93\",\"wrap\":true}]}}"
		"]}",
		"{\"content\":\"Title\",\"embeds\":[{\"title\":\"Title\",\"descriptio"
		"n\":\"fine \xe2\x9c\x93\",\"url\":\"http://x/\"}],\"allowed_mentions"
		"\":{\"parse\":[]}}",
	};
	static const char want_maintenance[] =
		"{\"type\":\"maintenance.scheduled\",\"timestamp\":\"2026-11-23T12:00"
		":00.000Z\",\"data\":{\"title\":\"T\",\"text\":\"x\",\"url\":\"http:/"
		"/x/\",\"maintenance\":{\"id\":\"mnt-3\",\"name\":\"DB upgrade\",\"st"
		"atus\":\"scheduled\",\"scheduled_for\":\"2026-11-23T12:00:00.000Z\","
		"\"scheduled_until\":\"2026-11-23T13:00:00.000Z\",\"components\":[\"a"
		"pi\"]}}}";
	char *comps[] = { "api" };
	const struct payload_maintenance m = { 3, "DB upgrade", "scheduled", 1795435200000,
					       1795438800000, comps, 1 };
	struct payload p;
	struct buf b = BUF_INIT;

	(void)state;
	make(&p, "API down \xe2\x9c\x93", "We are on it \xe2\x80\x94 <soon>.");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		buf_reset(&b);
		assert_int_equal(payload_json(&b, types[i], &p), 0);
		assert_string_equal(buf_str(&b), want_update[i]);
		buf_reset(&b);
		assert_int_equal(payload_notice(&b, types[i], "incident.reminder", "Title",
						"fine \xe2\x9c\x93", "http://x/", 1795435200000), 0);
		assert_string_equal(buf_str(&b), want_notice[i]);
	}
	buf_reset(&b);
	assert_int_equal(payload_maintenance_notice(&b, "webhook", "maintenance.scheduled",
						    "T", "x", "http://x/", 1795435200000,
						    &m), 0);
	assert_string_equal(buf_str(&b), want_maintenance);
	buf_release(&b);
	payload_release(&p);
}

/* A body or a title with one bad byte: every channel type and the e-mail
 * text refuse it, say which text and which byte, and append nothing. */
static void
test_poison_update_refused(void **state)
{
	const struct {
		const char *title, *body, *want;
	} cases[] = {
		{ "API down", "x \xff", "UPD-5 cannot be sent: its body is not valid UTF-8 (byte 3)" },
		{ "API \xc0\xaf", "ok", "UPD-5 cannot be sent: its incident's title is not valid UTF-8 (byte 5)" },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct payload p;
		struct buf b = BUF_INIT;

		make(&p, cases[c].title, cases[c].body);
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			err_clear();
			assert_int_equal(payload_json(&b, types[i], &p), SR_EINVALID);
			assert_string_equal(err_last(), cases[c].want);
			assert_int_equal(b.len, 0);
		}
		assert_int_equal(payload_text(&b, &p), SR_EINVALID);
		assert_string_equal(err_last(), cases[c].want);
		assert_int_equal(b.len, 0);
		buf_release(&b);
		payload_release(&p);
	}
}

/* Notices (reminders, maintenances) refuse a bad title or text the same
 * way, for every channel type and e-mail. */
static void
test_poison_notice_refused(void **state)
{
	static const char *const all[] = { "webhook", "slack", "teams", "discord", "email" };

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(payload_notice(&b, all[i], "incident.reminder", "Title",
						"fine \xe2\x9c\x93", "http://x/", 1), 0);
		assert_true(utf8_valid(buf_str(&b), b.len, NULL));
		buf_reset(&b);
		assert_int_equal(payload_notice(&b, all[i], "incident.reminder", "T\xfe",
						"fine", "http://x/", 1), SR_EINVALID);
		assert_string_equal(err_last(), "the incident.reminder notice cannot be sent: "
				    "its title is not valid UTF-8 (byte 2)");
		assert_int_equal(payload_notice(&b, all[i], "incident.reminder", "T",
						"ab\xed\xa0\x80", "http://x/", 1), SR_EINVALID);
		assert_string_equal(err_last(), "the incident.reminder notice cannot be sent: "
				    "its text is not valid UTF-8 (byte 3)");
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_update),
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_poison_update_refused),
		cmocka_unit_test(test_poison_notice_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
