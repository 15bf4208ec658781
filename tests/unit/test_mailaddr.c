/* test_mailaddr.c: which e-mail addresses are plausible: ASCII and UTF-8
 * ones, and the malformed, the overlong and the header-breaking refused. */
#include "testutil.h"

#include "sitrep/mailaddr.h"

static void
test_address_valid(void **state)
{
	static const char *good[] = {
		"status@example.com",
		"a@b",
		"root@localhost",
		"first.last+tag@sub.example.co.uk",
		"o'brien@example.ie",
		"x!#$%&'*+-/=?^_`{|}~@example.com",
		"user@xn--bcher-kva.example",
		"user@123.example",
		"1234567890123456789012345678901234567890123456789012345678901234@example.com",
		"a@123456789012345678901234567890123456789012345678901234567890123.example",
		/* RFC 6531: UTF-8 in the local part and the domain */
		"j\xc3\xbcrgen.self@example.org",
		"\xc3\xa9@example.com",
		"a@ex\xc3\xa4mple.com",
		"user@b\xc3\xbc" "cher.example",
		"\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a",
		"\xf0\x9f\x98\x80@example.com",
	};
	static const char *bad[] = {
		"",
		"example.com",
		"@example.com",
		"a@",
		"a@@example.com",
		"a@b@example.com",
		".a@example.com",
		"a.@example.com",
		"a..b@example.com",
		"a@-example.com",
		"a@example-.com",
		"a@example..com",
		"a@.example.com",
		"a@example.com.",
		"a@exa_mple.com",
		"a b@example.com",
		" a@example.com",
		"a@example.com ",
		"\"a\"@example.com",
		"<a@example.com>",
		"Alice <a@example.com>",
		"a@example.com\r\n",
		"a@[127.0.0.1]",
		"a(comment)@example.com",
		"a,b@example.com",
		"\xff@example.com",            /* not UTF-8 */
		"a\xc3@example.com",           /* cut short */
		"\xc0\xaf@example.com",        /* overlong */
		"\xed\xa0\x80@example.com",    /* a surrogate */
		"a@ex\xc3.com",
		"\xc3\xa4..b@example.com",
		"a@-\xc3\xa4.example",
		"a@\xc3\xa4-.example",
		"a@\xc2\x85.example",          /* a C1 control (NEL) */
		"12345678901234567890123456789012345678901234567890123456789012345@example.com",
		"a@1234567890123456789012345678901234567890123456789012345678901234.example",
	};
	char longest[300];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mailaddr_valid(good[i]))
			fail_msg("refused good address '%s'", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mailaddr_valid(bad[i]))
			fail_msg("accepted bad address '%s'", bad[i]);
	assert_false(mailaddr_valid(NULL));

	/* 254 characters in all is the most */
	memset(longest, 'a', sizeof(longest));
	memcpy(longest, "x@", 2);
	for (size_t i = 2 + 63; i < sizeof(longest); i += 64)
		longest[i] = '.';
	longest[254] = '\0';
	assert_int_not_equal(longest[253], '.');
	assert_true(mailaddr_valid(longest));
	longest[254] = 'a';
	longest[255] = '\0';
	assert_false(mailaddr_valid(longest));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
