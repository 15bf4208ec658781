/* test_template.c: filling {{variables}}: values in place, and a clear
 * refusal for a variable that is unknown, has no value yet, or is never
 * closed. */
#include "testutil.h"

#include "sitrep/err.h"
#include "sitrep/template.h"

static const struct template_var vars[] = {
	{ "id", "INC-7", NULL },
	{ "components", "Public API, Web", NULL },
	{ "commander", NULL, "no one holds the commander role" },
	{ "empty", "", NULL },
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

static void
test_fills_every_variable(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(template_render(&out, "{{id}}: {{components}} down; {{id}} again{{empty}}.",
					 vars, NVARS, "template 't'"), 0);
	assert_string_equal(out, "INC-7: Public API, Web down; INC-7 again.");
	free(out);
	assert_int_equal(template_render(&out, "", vars, NVARS, "the text"), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(template_render(&out, "{{ id }} {{\tid}}", vars, NVARS, "the text"), 0);
	assert_string_equal(out, "INC-7 INC-7");
	free(out);
	/* Single braces and a lone "}}" are text. */
	assert_int_equal(template_render(&out, "{id} }} {", vars, NVARS, "the text"), 0);
	assert_string_equal(out, "{id} }} {");
	free(out);
}

static void
test_unknown_variable(void **state)
{
	char *out = (char *)1;

	(void)state;
	assert_int_equal(template_render(&out, "x {{nope}} y", vars, NVARS, "template 'a'"),
			 SR_EINVALID);
	assert_null(out);
	assert_string_equal(err_last(), "template 'a' uses unknown variable '{{nope}}'");
}

static void
test_variable_without_value(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(template_render(&out, "IC: {{commander}}", vars, NVARS,
					 "template 'internal-update'"), SR_EREFUSED);
	assert_string_equal(err_last(), "template 'internal-update' uses {{commander}}, which "
			    "has no value: no one holds the commander role");
}

/* An optional variable with no value reads as nothing, without leaving two
 * spaces or a space at the start where its sentence stood. */
static void
test_empty_value_leaves_no_gap(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(template_render(&out, "We know. {{empty}} Next update soon.", vars, NVARS,
					 "template 'identified'"), 0);
	assert_string_equal(out, "We know. Next update soon.");
	free(out);
	assert_int_equal(template_render(&out, "{{empty}} Starts here. {{ empty }}", vars, NVARS,
					 "the text"), 0);
	assert_string_equal(out, "Starts here. ");
	free(out);
	assert_int_equal(template_render(&out, "A.\n{{empty}} B.", vars, NVARS, "the text"), 0);
	assert_string_equal(out, "A.\nB.");
	free(out);
}

static void
test_unclosed(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(template_render(&out, "{{id}} and {{id", vars, NVARS, "the text"),
			 SR_EINVALID);
	assert_string_equal(err_last(), "the text: '{{' is never closed with '}}'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fills_every_variable),
		cmocka_unit_test(test_unknown_variable),
		cmocka_unit_test(test_variable_without_value),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_empty_value_leaves_no_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
