/* test_playbook.c: parsing a valid playbook into its fields, and validation
 * reporting every problem, one test per kind, with its file, line and message. */
#include "testutil.h"
#include "diagcheck.h"

#include <stdbool.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/playbook.h"

/*
 * A valid playbook, one setting per line so line numbers are easy to count.
 * The error tests replace one numbered line of it (see edit()). Its path is
 * "test.playbook", so its name must be "test".
 */
static const char valid[] =
	"name = \"test\";\n"                                                       /*  1 */
	"title = \"Test outage\";\n"                                               /*  2 */
	"summary = \"A playbook the unit tests parse.\";\n"                        /*  3 */
	"severity = \"SEV2\";\n"                                                   /*  4 */
	"components = [ \"api\", \"web\" ];\n"                                     /*  5 */
	"audiences = [ \"partners\" ];\n"                                          /*  6 */
	"roles = (\n"                                                              /*  7 */
	"  { id = \"commander\"; title = \"Incident Commander\"; required = true; handover = \"3h\"; duties = \"Owns decisions.\"; },\n" /*  8 */
	"  { id = \"comms\"; title = \"Communications Lead\"; required = true; },\n" /*  9 */
	"  { id = \"sme\"; title = \"Subject Matter Expert\"; max = 5; }\n"        /* 10 */
	");\n"                                                                     /* 11 */
	"escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L2\", \"L3\" ]; };\n" /* 12 */
	"cadence = (\n"                                                            /* 13 */
	"  { audience = \"internal\"; every = { SEV1 = \"15m\"; SEV2 = \"30m\"; SEV3 = \"2h\"; }; first_within = \"5m\"; },\n" /* 14 */
	"  { audience = \"partners\"; every = { SEV1 = \"1h\"; SEV4 = \"1d\"; }; }\n" /* 15 */
	");\n"                                                                     /* 16 */
	"apology = { audiences = [ \"customers\" ]; min_severity = \"SEV2\"; within = \"1d\"; template = \"sorry\"; };\n" /* 17 */
	"approval = { audiences = [ \"customers\", \"executives\" ]; min_severity = \"SEV3\"; approvers = [ \"commander\", \"comms\" ]; };\n" /* 18 */
	"steps = (\n"                                                              /* 19 */
	"  { id = \"declare\"; title = \"Declare the incident\"; role = \"commander\"; due = \"5m\"; required = true; },\n" /* 20 */
	"  { id = \"call\"; title = \"Call priority accounts\"; role = \"comms\"; due = \"30s\"; min_severity = \"SEV1\"; notes = \"Before they call us.\"; }\n" /* 21 */
	");\n"                                                                     /* 22 */
	"templates = (\n"                                                          /* 23 */
	"  { id = \"investigating\"; audience = \"customers\"; status = \"investigating\"; text = \"We are investigating {{impact}} affecting {{components}}.\"; },\n" /* 24 */
	"  { id = \"sorry\"; audience = \"partners\"; text = \"We are sorry about {{ title }}.\"; }\n" /* 25 */
	");\n"                                                                     /* 26 */
	"variables = ( { name = \"impact\"; description = \"What customers notice.\"; required = true; } );\n"; /* 27 */

#define PATH "test.playbook"


/* Parse text that must be refused (see refused()). */
static bool
parse_bad(struct diags *d, const char *text, const char *path, const struct conf *conf)
{
	static struct playbook sentinel;
	struct playbook *pb = &sentinel;
	int rc;

	err_clear();
	rc = playbook_parse(&pb, d, text, strlen(text), path, conf);
	if (rc != SR_EINVALID && pb != &sentinel)
		playbook_free(pb);
	return refused(d, "playbook_parse", rc, pb == NULL, path);
}

/* The common case: one edited line of the valid playbook is refused with a
 * problem at line whose message contains want. */
static void
expect_edit_invalid(int n, const char *repl, int line, const char *want)
{
	struct diags d = DIAGS_INIT;
	char *text = edit(valid, n, repl);
	bool ok = parse_bad(&d, text, PATH, NULL) && found(&d, PATH, line, want);

	diag_release(&d);
	free(text);
	check(ok);
}

static struct playbook *
parse_good(const char *text, const char *path, const struct conf *conf)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	int rc = playbook_parse(&pb, &d, text, strlen(text), path, conf);
	size_t n = d.n;

	diag_print(&d, stderr);
	diag_release(&d);
	if (rc != 0 || n != 0 || pb == NULL) {
		playbook_free(pb);
		fail_msg("valid playbook refused (%d): %s", rc, err_last());
	}
	return pb;
}

static void
test_edit_helper(void **state)
{
	char *t = edit("a\nb\nc\n", 2, "x\ny");

	(void)state;
	assert_string_equal(t, "a\nx\ny\nc\n");
	free(t);
}

static void
test_valid(void **state)
{
	struct playbook *pb = parse_good(valid, PATH, NULL);
	const struct playbook_role *r;
	const struct playbook_step *s;
	const struct playbook_template *t;

	(void)state;
	assert_string_equal(pb->name, "test");
	assert_string_equal(pb->title, "Test outage");
	assert_string_equal(pb->summary, "A playbook the unit tests parse.");
	assert_int_equal(pb->severity, 2);
	assert_int_equal(pb->ncomponents, 2);
	assert_string_equal(pb->components[0], "api");
	assert_string_equal(pb->components[1], "web");

	/* the built-in audiences and the declared one */
	assert_int_equal(pb->naudiences, 4);
	assert_true(playbook_has_audience(pb, "internal"));
	assert_true(playbook_has_audience(pb, "executives"));
	assert_true(playbook_has_audience(pb, "customers"));
	assert_true(playbook_has_audience(pb, "partners"));
	assert_false(playbook_has_audience(pb, "investors"));

	assert_int_equal(pb->nroles, 3);
	r = playbook_role(pb, "commander");
	assert_non_null(r);
	assert_string_equal(r->title, "Incident Commander");
	assert_true(r->required);
	assert_int_equal(r->max, 1);
	assert_int_equal(r->handover, 3 * 3600);
	assert_string_equal(r->duties, "Owns decisions.");
	assert_int_equal(r->line, 8);
	r = playbook_role(pb, "comms");
	assert_non_null(r);
	assert_true(r->required);
	assert_int_equal(r->max, 1);
	assert_int_equal(r->handover, 0);
	assert_null(r->duties);
	assert_int_equal(r->line, 9);
	r = playbook_role(pb, "sme");
	assert_non_null(r);
	assert_false(r->required);
	assert_int_equal(r->max, 5);
	assert_int_equal(r->line, 10);
	assert_null(playbook_role(pb, "scribe"));

	assert_int_equal(pb->escalation.mode, PLAYBOOK_TIERED);
	assert_int_equal(pb->escalation.ack_timeout, 300);
	assert_int_equal(pb->escalation.ntiers, 3);
	assert_int_equal(pb->escalation.tiers[0], 1);
	assert_int_equal(pb->escalation.tiers[1], 2);
	assert_int_equal(pb->escalation.tiers[2], 3);

	assert_int_equal(pb->ncadence, 2);
	assert_string_equal(pb->cadence[0].audience, "internal");
	assert_int_equal(pb->cadence[0].every[1], 15 * 60);
	assert_int_equal(pb->cadence[0].every[2], 30 * 60);
	assert_int_equal(pb->cadence[0].every[3], 2 * 3600);
	assert_int_equal(pb->cadence[0].every[4], 0);
	assert_int_equal(pb->cadence[0].first_within, 300);
	assert_int_equal(pb->cadence[0].line, 14);
	assert_string_equal(pb->cadence[1].audience, "partners");
	assert_int_equal(pb->cadence[1].every[1], 3600);
	assert_int_equal(pb->cadence[1].every[2], 0);
	assert_int_equal(pb->cadence[1].every[3], 0);
	assert_int_equal(pb->cadence[1].every[4], 86400);
	assert_int_equal(pb->cadence[1].first_within, 0);
	assert_int_equal(pb->cadence[1].line, 15);

	assert_int_equal(pb->apology.naudiences, 1);
	assert_string_equal(pb->apology.audiences[0], "customers");
	assert_int_equal(pb->apology.min_severity, 2);
	assert_int_equal(pb->apology.within, 86400);
	assert_string_equal(pb->apology.template_id, "sorry");

	assert_int_equal(pb->approval.naudiences, 2);
	assert_string_equal(pb->approval.audiences[0], "customers");
	assert_string_equal(pb->approval.audiences[1], "executives");
	assert_int_equal(pb->approval.min_severity, 3);
	assert_int_equal(pb->approval.napprovers, 2);
	assert_string_equal(pb->approval.approvers[0], "commander");
	assert_string_equal(pb->approval.approvers[1], "comms");

	assert_int_equal(pb->nsteps, 2);
	s = playbook_step(pb, "declare");
	assert_non_null(s);
	assert_ptr_equal(s, &pb->steps[0]);
	assert_string_equal(s->title, "Declare the incident");
	assert_string_equal(s->role, "commander");
	assert_int_equal(s->due, 300);
	assert_int_equal(s->min_severity, 0);
	assert_true(s->required);
	assert_null(s->notes);
	assert_int_equal(s->line, 20);
	s = playbook_step(pb, "call");
	assert_non_null(s);
	assert_string_equal(s->role, "comms");
	assert_int_equal(s->due, 30);
	assert_int_equal(s->min_severity, 1);
	assert_false(s->required);
	assert_string_equal(s->notes, "Before they call us.");
	assert_int_equal(s->line, 21);
	assert_null(playbook_step(pb, "nope"));

	assert_int_equal(pb->ntemplates, 2);
	t = playbook_template(pb, "investigating");
	assert_non_null(t);
	assert_string_equal(t->audience, "customers");
	assert_string_equal(t->status, "investigating");
	assert_string_equal(t->text,
			    "We are investigating {{impact}} affecting {{components}}.");
	assert_int_equal(t->line, 24);
	t = playbook_template(pb, "sorry");
	assert_non_null(t);
	assert_string_equal(t->audience, "partners");
	assert_null(t->status);
	assert_string_equal(t->text, "We are sorry about {{ title }}.");
	assert_int_equal(t->line, 25);
	assert_null(playbook_template(pb, "nope"));

	playbook_free(pb);
}

/* The optional parts may be left out; swarm is the other mode; a path that
 * is not NAME.playbook (stdin) does not constrain the name. */
static void
test_valid_minimal(void **state)
{
	static const char text[] =
		"name = \"other\";\n"
		"title = \"Other\";\n"
		"summary = \"Nothing optional.\";\n"
		"severity = \"SEV4\";\n"
		"roles = ( { id = \"commander\"; title = \"IC\"; } );\n"
		"escalation = { mode = \"swarm\"; ack_timeout = \"90s\"; tiers = [ \"L0\", \"L4\" ]; };\n";
	struct playbook *pb = parse_good(text, "-", NULL);

	(void)state;
	assert_string_equal(pb->name, "other");
	assert_int_equal(pb->severity, 4);
	assert_int_equal(pb->ncomponents, 0);
	assert_int_equal(pb->naudiences, 3);
	assert_int_equal(pb->nroles, 1);
	assert_int_equal(pb->escalation.mode, PLAYBOOK_SWARM);
	assert_int_equal(pb->escalation.ack_timeout, 90);
	assert_int_equal(pb->escalation.ntiers, 2);
	assert_int_equal(pb->escalation.tiers[0], 0);
	assert_int_equal(pb->escalation.tiers[1], 4);
	assert_int_equal(pb->ncadence, 0);
	assert_int_equal(pb->nsteps, 0);
	assert_int_equal(pb->ntemplates, 0);
	assert_int_equal(pb->apology.min_severity, 0);
	assert_int_equal(pb->approval.min_severity, 0);
	playbook_free(pb);

	pb = parse_good(text, "dir/sub/other.playbook", NULL);
	playbook_free(pb);
}

static void
test_every_template_var_is_known(void **state)
{
	char line[256];
	char *text;
	struct playbook *pb;

	(void)state;
	for (const char *const *v = playbook_template_vars; *v != NULL; v++) {
		snprintf(line, sizeof(line),
			 "  { id = \"investigating\"; audience = \"customers\"; text = \"x {{%s}} y {{ %s }}\"; },",
			 *v, *v);
		text = edit(valid, 24, line);
		pb = parse_good(text, PATH, NULL);
		playbook_free(pb);
		free(text);
	}
}

static void
test_missing_required(void **state)
{
	(void)state;
	/* a top-level setting has no line of its own: the file's first line */
	expect_edit_invalid(2, "", 1, "missing required setting 'title'");
	/* in a role: the line of the role */
	expect_edit_invalid(9, "  { id = \"comms\"; required = true; },", 9,
			    "missing required setting 'title'");
	/* in a named group: the group's line, and its name */
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; tiers = [ \"L1\" ]; };", 12,
			    "missing required setting 'ack_timeout' in 'escalation'");
	/* a step without a due time */
	expect_edit_invalid(20, "  { id = \"declare\"; title = \"Declare\"; role = \"commander\"; },", 20,
			    "missing required setting 'due'");
}

static void
test_duplicate_role(void **state)
{
	(void)state;
	expect_edit_invalid(10, "  { id = \"comms\"; title = \"Second comms\"; }", 10,
			    "duplicate role id 'comms'");
}

static void
test_duplicate_step(void **state)
{
	(void)state;
	expect_edit_invalid(21, "  { id = \"declare\"; title = \"Again\"; role = \"comms\"; due = \"30s\"; }", 21,
			    "duplicate step id 'declare'");
}

static void
test_duplicate_template(void **state)
{
	(void)state;
	expect_edit_invalid(25, "  { id = \"investigating\"; audience = \"partners\"; text = \"Again.\"; }", 25,
			    "duplicate template id 'investigating'");
}

static void
test_bad_severity(void **state)
{
	(void)state;
	expect_edit_invalid(4, "severity = \"SEV5\";", 4,
			    "'severity' must be one of SEV1, SEV2, SEV3, SEV4 (not 'SEV5')");
	expect_edit_invalid(21, "  { id = \"call\"; title = \"Call\"; role = \"comms\"; due = \"30s\"; min_severity = \"sev1\"; }", 21,
			    "'min_severity' must be one of SEV1, SEV2, SEV3, SEV4 (not 'sev1')");
}

static void
test_unknown_step_role(void **state)
{
	(void)state;
	expect_edit_invalid(21, "  { id = \"call\"; title = \"Call\"; role = \"liaison\"; due = \"30s\"; }", 21,
			    "step 'call' names unknown role 'liaison'");
}

static void
test_unknown_approver(void **state)
{
	(void)state;
	expect_edit_invalid(18, "approval = { audiences = [ \"customers\" ]; min_severity = \"SEV2\"; approvers = [ \"commander\", \"legal\" ]; };", 18,
			    "approver role 'legal' is not one of this playbook's roles");
}

static void
test_unknown_audience(void **state)
{
	(void)state;
	expect_edit_invalid(15, "  { audience = \"investors\"; every = { SEV1 = \"1h\"; }; }", 15,
			    "unknown audience 'investors'");
	expect_edit_invalid(25, "  { id = \"sorry\"; audience = \"investors\"; text = \"Sorry.\"; }", 25,
			    "unknown audience 'investors'");
	expect_edit_invalid(17, "apology = { audiences = [ \"investors\" ]; min_severity = \"SEV2\"; within = \"1d\"; template = \"sorry\"; };", 17,
			    "unknown audience 'investors'");
}

/*
 * A template spread over several lines: the problem is the audience, so the
 * line is the audience's, as for a bad status or an unknown step role.
 */
static void
test_unknown_audience_line_in_multiline_template(void **state)
{
	(void)state;
	expect_edit_invalid(25,
			    "  { id = \"sorry\";\n"         /* 25 */
			    "    audience = \"investors\";\n" /* 26 */
			    "    text = \"Sorry.\"; }",      /* 27 */
			    26, "unknown audience 'investors'");
}

static void
test_unknown_apology_template(void **state)
{
	(void)state;
	expect_edit_invalid(17, "apology = { audiences = [ \"customers\" ]; min_severity = \"SEV2\"; within = \"1d\"; template = \"regret\"; };", 17,
			    "apology template 'regret' is not one of this playbook's templates");
}

/* A template (or any text) with a byte that is not UTF-8 is refused at
 * its line, whatever else is right: it used to pass validation and end
 * the daemon when the message was built. */
static void
test_invalid_utf8(void **state)
{
	(void)state;
	expect_edit_invalid(24, "  { id = \"investigating\"; audience = \"customers\"; text = \"x \xff\"; },", 24,
			    "byte 61 of this line is not valid UTF-8");
	expect_edit_invalid(25, "  { id = \"sorry\"; audience = \"partners\"; text = \"Sorry \xe2\x9c\"; }", 25,
			    "not valid UTF-8");
	/* in a comment too: the file must be UTF-8 */
	expect_edit_invalid(26, ");  # caf\xe9", 26, "byte 10 of this line is not valid UTF-8");
	/* and valid UTF-8 beyond ASCII is fine */
	{
		char *text = edit(valid, 25, "  { id = \"sorry\"; audience = \"partners\"; text = \"D\xc3\xa9sol\xc3\xa9 \xe2\x9c\x93 {{title}}\"; }");
		struct diags d = DIAGS_INIT;
		struct playbook *pb = NULL;
		int rc = playbook_parse(&pb, &d, text, strlen(text), PATH, NULL);
		bool utf8_diag = false;

		for (size_t i = 0; i < d.n; i++)
			utf8_diag |= strstr(d.v[i].msg, "UTF-8") != NULL;
		playbook_free(pb);
		diag_release(&d);
		free(text);
		assert_false(utf8_diag);
		(void)rc;
	}
}

static void
test_unknown_variable(void **state)
{
	(void)state;
	expect_edit_invalid(24, "  { id = \"investigating\"; audience = \"customers\"; text = \"We see {{impact}} on {{bogus}}.\"; },", 24,
			    "template 'investigating' uses unknown variable '{{bogus}}'");
	/* spaces inside the braces are not part of the name */
	expect_edit_invalid(24, "  { id = \"investigating\"; audience = \"customers\"; text = \"{{ Title }}\"; },", 24,
			    "unknown variable '{{Title}}'");
}

/* A string literal with real line breaks: the variable on the string's third
 * line is reported at that line of the file. */
static void
test_unknown_variable_multiline(void **state)
{
	(void)state;
	expect_edit_invalid(24,
			    "  { id = \"investigating\"; audience = \"customers\"; text = \"We are investigating.\n" /* 24 */
			    "Our engineers are on it.\n"                    /* 25 */
			    "Next update by {{next_updte}}.\"; },",         /* 26 */
			    26, "unknown variable '{{next_updte}}'");
}

/*
 * The shipped playbooks write long texts as adjacent string literals, one per
 * line; the variable in the third literal is on the third line of the file.
 */
static void
test_unknown_variable_line_in_concatenated_text(void **state)
{
	(void)state;
	expect_edit_invalid(24,
			    "  { id = \"investigating\"; audience = \"customers\";\n" /* 24 */
			    "    text = \"We are investigating. \"\n"                 /* 25 */
			    "           \"Our engineers are on it. \"\n"              /* 26 */
			    "           \"Next update by {{next_updte}}.\"; },",      /* 27 */
			    27, "unknown variable '{{next_updte}}'");
}

/*
 * An escaped \n in a one-line string is not a line of the file: the variable
 * after it is still on the 'text' line.
 */
static void
test_unknown_variable_line_after_escaped_newline(void **state)
{
	(void)state;
	expect_edit_invalid(24,
			    "  { id = \"investigating\"; audience = \"customers\"; text = \"One.\\nTwo.\\n{{bogus}}\"; },",
			    24, "unknown variable '{{bogus}}'");
}

/* The same unknown variable twice is reported at each of its lines. */
static void
test_repeated_unknown_variable_lines(void **state)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	char *text = edit(valid, 24,
			  "  { id = \"investigating\"; audience = \"customers\";\n" /* 24 */
			  "    text = \"First {{bogus}} \"\n"                       /* 25 */
			  "           \"then {{bogus}} again.\"; },");              /* 26 */
	bool ok;

	(void)state;
	playbook_parse(&pb, &d, text, strlen(text), PATH, NULL);
	ok = found(&d, PATH, 25, "'{{bogus}}'") && found(&d, PATH, 26, "'{{bogus}}'") &&
	     count(&d, 2);
	diag_release(&d);
	free(text);
	check(ok);
}

/*
 * The text is len bytes, not a C string: nothing may read past it, even
 * when a variable is split across adjacent literals and so cannot be found
 * in the source (found by the fuzzer; ASan checks the bound).
 */
static void
test_text_not_nul_terminated(void **state)
{
	static const char src[] = "templates=({text=\"{{\"\"c}}\"})";
	size_t len = sizeof(src) - 1;
	char *exact = malloc(len);
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	int rc;

	(void)state;
	memcpy(exact, src, len);
	rc = playbook_parse(&pb, &d, exact, len, PATH, NULL);
	free(exact);
	assert_int_equal(rc, SR_EINVALID);
	assert_null(pb);
	assert_true(d.n > 0);
	diag_release(&d);
}

static void
test_unclosed_braces(void **state)
{
	(void)state;
	expect_edit_invalid(24, "  { id = \"investigating\"; audience = \"customers\"; text = \"We see {{impact on it.\"; },", 24,
			    "template 'investigating': '{{' is never closed with '}}'");
}

static void
test_bad_duration(void **state)
{
	(void)state;
	expect_edit_invalid(20, "  { id = \"declare\"; title = \"Declare\"; role = \"commander\"; due = \"5x\"; },", 20,
			    "'due': bad unit in duration '5x'");
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; ack_timeout = \"0s\"; tiers = [ \"L1\" ]; };", 12,
			    "'ack_timeout' must be longer than zero");
	expect_edit_invalid(14, "  { audience = \"internal\"; every = { SEV1 = \"-15m\"; }; },", 14,
			    "'SEV1': negative duration '-15m'");
}

static void
test_bad_tier(void **state)
{
	(void)state;
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L5\" ]; };", 12,
			    "escalation tier 'L5' is not one of L0, L1, L2, L3, L4");
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; tiers = [ \"L1\", \"L1\" ]; };", 12,
			    "escalation tier 'L1' is listed twice");
}

static void
test_bad_escalation_mode(void **state)
{
	(void)state;
	expect_edit_invalid(12, "escalation = { mode = \"panic\"; ack_timeout = \"5m\"; tiers = [ \"L1\" ]; };", 12,
			    "escalation mode must be 'tiered' or 'swarm' (not 'panic')");
}

/* @include is refused at its line, and the rest of the file is still read,
 * so the severity problem above it is reported too. */
static void
test_include(void **state)
{
	struct diags d = DIAGS_INIT;
	char *a = edit(valid, 4, "severity = \"SEV5\";");
	char *text = edit(a, 6, "@include \"more.cfg\"\naudiences = [ \"partners\" ];");

	bool ok;

	(void)state;
	ok = parse_bad(&d, text, PATH, NULL) &&
	     found(&d, PATH, 6, "@include is not allowed") &&
	     found(&d, PATH, 4, "(not 'SEV5')") && count(&d, 2);
	diag_release(&d);
	free(text);
	free(a);
	check(ok);

	/* indented, or in capitals, it is still an include */
	expect_edit_invalid(6, "   @INCLUDE \"more.cfg\"\naudiences = [ \"partners\" ];", 6,
			    "@include is not allowed");
}

/*
 * Inside a multi-line string, a line that starts with "@include" is text, not
 * a directive.
 */
static void
test_include_word_inside_a_string_is_text(void **state)
{
	char *text = edit(valid, 25,
			  "  { id = \"sorry\"; audience = \"partners\"; text = \"We are sorry.\n"
			  "@include the ticket number when you reply.\"; }");
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;
	int rc = playbook_parse(&pb, &d, text, strlen(text), PATH, NULL);
	size_t n = d.n;
	bool same = pb != NULL && pb->ntemplates == 2 &&
		    strcmp(pb->templates[1].text,
			   "We are sorry.\n@include the ticket number when you reply.") == 0;

	(void)state;
	diag_print(&d, stderr);
	diag_release(&d);
	playbook_free(pb);
	free(text);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 0);
	assert_true(same);
}

static void
test_syntax_error(void **state)
{
	struct diags d = DIAGS_INIT;
	char *text = edit(valid, 9, "  { id = \"comms\"; title = ; },");
	bool ok;

	(void)state;
	ok = parse_bad(&d, text, PATH, NULL) && found(&d, PATH, 9, "syntax error") &&
	     count(&d, 1);
	diag_release(&d);
	free(text);
	check(ok);

	expect_edit_invalid(26, ");\nsteps_done = ;", 27, "syntax error");
}

static void
test_unknown_setting(void **state)
{
	struct diags d = DIAGS_INIT;
	char *text = edit(valid, 2, "titel = \"Test outage\";");

	bool ok;

	(void)state;
	ok = parse_bad(&d, text, PATH, NULL) &&
	     found(&d, PATH, 2, "unknown setting 'titel' in the playbook") &&
	     found(&d, PATH, 1, "missing required setting 'title'");
	diag_release(&d);
	free(text);
	check(ok);

	expect_edit_invalid(20, "  { id = \"declare\"; title = \"Declare\"; role = \"commander\"; due = \"5m\"; owner = \"x\"; },", 20,
			    "unknown setting 'owner' in a step");
	expect_edit_invalid(14, "  { audience = \"internal\"; every = { SEV0 = \"5m\"; }; },", 14,
			    "unknown setting 'SEV0' in 'every'");
}

static void
test_name_mismatch(void **state)
{
	struct diags d = DIAGS_INIT;
	bool ok;

	(void)state;
	ok = parse_bad(&d, valid, "other.playbook", NULL) &&
	     found(&d, "other.playbook", 1,
		   "name 'test' does not match the file name 'other.playbook'") &&
	     count(&d, 1);
	diag_release(&d);
	check(ok);

	expect_edit_invalid(1, "name = \"Test\";", 1,
			    "name 'Test' must be lowercase letters, digits, '-' or '_'");
}

static void
test_missing_commander(void **state)
{
	(void)state;
	expect_edit_invalid(8, "  { id = \"lead\"; title = \"Lead\"; },", 7,
			    "roles must include 'commander'");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"Subject Matter Expert\"; max = \"5\"; }", 10,
			    "'max' must be a whole number");
	expect_edit_invalid(9, "  { id = \"comms\"; title = \"Communications Lead\"; required = \"yes\"; },", 9,
			    "'required' must be true or false");
	expect_edit_invalid(8, "  { id = \"commander\"; title = \"IC\"; handover = 3; },", 8,
			    "'handover' must be a duration in quotes");
	expect_edit_invalid(5, "components = \"api\";", 5,
			    "'components' must be an array of strings");
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"Subject Matter Expert\"; max = 0; }", 10,
			    "role 'sme': 'max' must be between 1 and 1000");
}

static void
test_component_not_in_conf(void **state)
{
	struct diags d = DIAGS_INIT;
	struct conf *conf = NULL;
	struct playbook *pb;
	bool ok;

	(void)state;
	assert_int_equal(conf_parse(&conf, &d,
				    "components = ( { id = \"api\"; }, { id = \"db\"; } );\n",
				    "site.conf", "/srv/sitrep"), 0);
	assert_int_equal(d.n, 0);

	ok = parse_bad(&d, valid, PATH, conf) &&
	     found(&d, PATH, 5, "component 'web' is not in the site config") &&
	     count(&d, 1);
	diag_release(&d);
	conf_free(conf);
	check(ok);

	/* with all of them known, fine */
	assert_int_equal(conf_parse(&conf, &d,
				    "components = ( { id = \"api\"; }, { id = \"web\"; } );\n",
				    "site.conf", "/srv/sitrep"), 0);
	pb = parse_good(valid, PATH, conf);
	playbook_free(pb);
	conf_free(conf);
	diag_release(&d);
}

/* who: people or on-call schedules who can fill a role; ack_expires: how
 * long an acknowledgement holds. Neither is there unless written. */
static void
test_who_and_ack_expires(void **state)
{
	struct playbook *pb = parse_good(valid, PATH, NULL);
	char *a, *text;

	(void)state;
	assert_int_equal(pb->escalation.ack_expires, 0);
	assert_int_equal(pb->escalation.line, 12);
	for (size_t i = 0; i < pb->nroles; i++)
		assert_int_equal(pb->roles[i].nwho, 0);
	playbook_free(pb);

	a = edit(valid, 10, "  { id = \"sme\"; title = \"Subject Matter Expert\"; max = 5; who = [ \"legal-oncall\", \"dana\" ]; }");
	text = edit(a, 12, "escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; ack_expires = \"30m\"; tiers = [ \"L1\" ]; };");
	pb = parse_good(text, PATH, NULL);
	assert_int_equal(pb->escalation.ack_expires, 1800);
	assert_int_equal(playbook_role(pb, "sme")->nwho, 2);
	assert_string_equal(playbook_role(pb, "sme")->who[0], "legal-oncall");
	assert_string_equal(playbook_role(pb, "sme")->who[1], "dana");
	assert_int_equal(playbook_role(pb, "sme")->who_line, 10);
	playbook_free(pb);
	free(text);
	free(a);
}

static void
test_who_and_ack_expires_refused(void **state)
{
	(void)state;
	/* without a site config every name is taken for a schedule's */
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"SME\"; who = [ \"Dana.Smith\" ]; }", 10,
			    "role 'sme': who names 'Dana.Smith', which is not a schedule name");
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"SME\"; who = [ ]; }", 10,
			    "role 'sme': who is empty");
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"SME\"; who = [ \"dana\", \"dana\" ]; }", 10,
			    "role 'sme': who names 'dana' twice");
	expect_edit_invalid(10, "  { id = \"sme\"; title = \"SME\"; who = \"dana\"; }", 10,
			    "'who' must be an array of strings");
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; ack_expires = \"soon\"; tiers = [ \"L1\" ]; };", 12,
			    "'ack_expires'");
	expect_edit_invalid(12, "escalation = { mode = \"tiered\"; ack_timeout = \"5m\"; ack_expires = \"0m\"; tiers = [ \"L1\" ]; };", 12,
			    "'ack_expires' must be longer than zero");
}

/* Site config for the people checks: line numbers matter. */
static const char people_conf[] =
	"components = ( { id = \"api\"; }, { id = \"web\"; } );\n"                   /* 1 */
	"channels = ( { id = \"mail\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://127.0.0.1:25\"; from = \"s@example.com\"; } );\n" /* 2 */
	"people = (\n"                                                               /* 3 */
	"  { handle = \"ana\"; tier = \"L1\"; contacts = ( { id = \"mail\"; type = \"email\"; address = \"ana@example.com\"; }, { id = \"phone\"; type = \"webhook\"; url_env = \"ANA_URL\"; } );\n" /* 4 */
	"    notify = ( { contact = \"mail\"; after = \"0m\"; }, { contact = \"phone\"; after = \"5m\"; } ); },\n" /* 5 */
	"  { handle = \"bob\"; tier = \"L4\"; email = \"bob@example.com\"; notify = ( { contact = \"email\"; after = \"10m\"; } ); },\n" /* 6 */
	"  { handle = \"dana\"; email = \"dana@example.com\"; notify = ( { contact = \"email\"; after = \"6m\"; } ); },\n" /* 7 */
	"  { handle = \"eve\"; }\n"                                                  /* 8 */
	");\n";                                                                      /* 9 */

/* With a site config, who names its people (who must have a contact) or
 * schedules. */
static void
test_who_with_conf(void **state)
{
	struct diags d = DIAGS_INIT;
	struct conf *conf = NULL;
	struct playbook *pb;
	char *text;
	bool ok;

	(void)state;
	assert_int_equal(conf_parse(&conf, &d, people_conf, "site.conf", "/srv/sitrep"), 0);
	text = edit(valid, 10, "  { id = \"sme\"; title = \"SME\"; who = [ \"dana\", \"legal-oncall\" ]; }");
	pb = parse_good(text, PATH, conf);
	playbook_free(pb);
	free(text);

	text = edit(valid, 10, "  { id = \"sme\"; title = \"SME\"; who = [ \"eve\", \"Dana\" ]; }");
	ok = parse_bad(&d, text, PATH, conf) &&
	     found(&d, PATH, 10, "role 'sme': who names 'eve', who has no contact in the site config") &&
	     found(&d, PATH, 10, "role 'sme': who names 'Dana', which is neither a person of the site config nor a schedule name") &&
	     count(&d, 2);
	diag_release(&d);
	free(text);
	conf_free(conf);
	check(ok);
}

/*
 * A tiered playbook escalates past a person after its ack_timeout: each
 * notify rule of someone it can page (on its tiers' rosters or in a role's
 * who) that waits as long is a problem at the rule's line in the site
 * config. A swarm playbook escalates past no one.
 */
static void
test_check_people(void **state)
{
	struct diags d = DIAGS_INIT;
	struct conf *conf = NULL;
	struct playbook *pb;
	char *text;
	bool ok;

	(void)state;
	assert_int_equal(conf_parse(&conf, &d, people_conf, "site.conf", "/srv/sitrep"), 0);
	text = edit(valid, 10, "  { id = \"sme\"; title = \"SME\"; who = [ \"dana\" ]; }");
	pb = parse_good(text, PATH, conf);
	free(text);
	playbook_check_people(pb, conf, "site.conf", &d);
	/* ana on L1 by her tier, dana in who; bob is on L4, which it never pages */
	ok = found(&d, "site.conf", 5,
		   "person 'ana': contact 'phone' is notified after 5m, but playbook 'test' "
		   "escalates past them after 5m (ack_timeout, test.playbook:12): make "
		   "'after' shorter than 5m") &&
	     found(&d, "site.conf", 7, "person 'dana': contact 'email' is notified after 6m") &&
	     count(&d, 2);
	playbook_free(pb);
	diag_release(&d);
	check(ok);

	/* with a longer ack_timeout, or in swarm mode, nothing */
	text = edit(valid, 12, "escalation = { mode = \"tiered\"; ack_timeout = \"15m\"; tiers = [ \"L1\", \"L4\" ]; };");
	pb = parse_good(text, PATH, conf);
	free(text);
	playbook_check_people(pb, conf, "site.conf", &d);
	assert_int_equal(d.n, 0);
	playbook_free(pb);
	text = edit(valid, 12, "escalation = { mode = \"swarm\"; ack_timeout = \"1m\"; tiers = [ \"L1\", \"L4\" ]; };");
	pb = parse_good(text, PATH, conf);
	free(text);
	playbook_check_people(pb, conf, "site.conf", &d);
	assert_int_equal(d.n, 0);
	playbook_free(pb);
	conf_free(conf);
}

/* routes: the channels (from the site config) serving an audience, with a
 * sender name and subject; completes_on: what completes a step. */
static const char routes_conf[] =
	"components = ( { id = \"api\"; }, { id = \"web\"; } );\n"
	"channels = (\n"
	"  { id = \"chat\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"X\"; },\n"
	"  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];\n"
	"    smtp_url = \"smtp://127.0.0.1:25\"; from = \"s@example.com\"; }\n"
	");\n";

static char *
with_routes(const char *step21, const char *routes)
{
	char *a = edit(valid, 21, step21);
	size_t n = strlen(a) + strlen(routes) + 1;
	char *out = malloc(n);

	snprintf(out, n, "%s%s", a, routes);
	free(a);
	return out;
}

static void
test_routes_and_completes_on(void **state)
{
	struct diags d = DIAGS_INIT;
	struct conf *conf = NULL;
	struct playbook *pb;
	const struct playbook_route *r;
	char *text;
	bool ok;

	(void)state;
	assert_int_equal(conf_parse(&conf, &d, routes_conf, "site.conf", "/srv/sitrep"), 0);
	text = with_routes("  { id = \"call\"; title = \"Call\"; role = \"comms\"; due = \"30s\"; "
			   "completes_on = { update = \"partners\"; }; }",
			   "routes = (\n"                                              /* 27 */
			   "  { audience = \"internal\"; channels = [ \"chat\" ]; },\n" /* 28 */
			   "  { audience = \"partners\"; channels = [ \"mail\" ];\n"   /* 29 */
			   "    from_name = \"Us\"; subject = \"About {{id}}\"; }\n"   /* 30 */
			   ");\n");
	pb = parse_good(text, PATH, conf);
	free(text);
	assert_int_equal(pb->nroutes, 2);
	assert_null(playbook_route(pb, "customers"));
	r = playbook_route(pb, "partners");
	assert_non_null(r);
	assert_int_equal(r->nchannels, 1);
	assert_string_equal(r->channels[0], "mail");
	assert_string_equal(r->from_name, "Us");
	assert_string_equal(r->subject, "About {{id}}");
	assert_null(playbook_route(pb, "internal")->from_name);
	assert_int_equal(pb->steps[1].completes_on, PLAYBOOK_COMPLETES_UPDATE);
	assert_string_equal(pb->steps[1].completes_value, "partners");
	assert_int_equal(pb->steps[0].completes_on, PLAYBOOK_COMPLETES_NONE);
	playbook_free(pb);

	/* an unknown channel, a duplicate route, an unknown variable, a step
	 * completed two ways and one by an unknown audience: all reported */
	text = with_routes("  { id = \"call\"; title = \"Call\"; role = \"comms\"; due = \"30s\"; "
			   "completes_on = { update = \"internal\"; role = \"comms\"; }; },\n"
			   "  { id = \"later\"; title = \"Later\"; role = \"comms\"; due = \"1h\"; "
			   "completes_on = { update = \"press\"; }; }",
			   "routes = (\n"                                                  /* 29 */
			   "  { audience = \"internal\"; channels = [ \"chat\", \"nope\" ]; },\n" /* 30 */
			   "  { audience = \"internal\"; channels = [ \"mail\" ];\n"      /* 31 */
			   "    subject = \"{{whatever}}\"; },\n"                           /* 32 */
			   "  { audience = \"partners\"; channels = [ ]; }\n"              /* 33 */
			   ");\n");
	ok = parse_bad(&d, text, PATH, conf) &&
	     found(&d, PATH, 21, "step 'call': completes_on needs exactly one") &&
	     found(&d, PATH, 22, "unknown audience 'press'") &&
	     found(&d, PATH, 30, "channel 'nope' is not in the site config") &&
	     found(&d, PATH, 31, "audience 'internal' has two routes") &&
	     found(&d, PATH, 32, "unknown variable '{{whatever}}'") &&
	     found(&d, PATH, 33, "the route for 'partners' names no channels") &&
	     count(&d, 6);
	diag_release(&d);
	free(text);
	conf_free(conf);
	check(ok);
}

/* Every problem is reported, not only the first. */
static void
test_all_problems_reported(void **state)
{
	struct diags d = DIAGS_INIT;
	char *a = edit(valid, 4, "severity = \"SEV5\";");
	char *b = edit(a, 21, "  { id = \"declare\"; title = \"Again\"; role = \"comms\"; due = \"30s\"; }");
	char *text = edit(b, 24, "  { id = \"investigating\"; audience = \"customers\"; text = \"{{whatever}}\"; },");

	bool ok;

	(void)state;
	ok = parse_bad(&d, text, PATH, NULL) &&
	     found(&d, PATH, 4, "(not 'SEV5')") &&
	     found(&d, PATH, 21, "duplicate step id 'declare'") &&
	     found(&d, PATH, 24, "unknown variable '{{whatever}}'") &&
	     count(&d, 3);
	diag_release(&d);
	free(text);
	free(b);
	free(a);
	check(ok);
}

/* Problems already in the list are left alone and do not make a valid
 * playbook fail. */
static void
test_diags_appended(void **state)
{
	struct diags d = DIAGS_INIT;
	struct playbook *pb = NULL;

	(void)state;
	diag_add(&d, "earlier.playbook", 3, "an earlier problem");
	assert_int_equal(playbook_parse(&pb, &d, valid, strlen(valid), PATH, NULL), 0);
	assert_non_null(pb);
	assert_int_equal(d.n, 1);
	playbook_free(pb);
	diag_release(&d);
}

static void
test_name_from_path(void **state)
{
	char *s;

	(void)state;
	s = playbook_name_from_path("outage.playbook");
	assert_string_equal(s, "outage");
	free(s);
	s = playbook_name_from_path("/srv/sitrep/playbooks/data-loss.playbook");
	assert_string_equal(s, "data-loss");
	free(s);
	s = playbook_name_from_path("a.b.playbook");
	assert_string_equal(s, "a.b");
	free(s);
	assert_null(playbook_name_from_path("outage"));
	assert_null(playbook_name_from_path(".playbook"));
	assert_null(playbook_name_from_path("dir/.playbook"));
	assert_null(playbook_name_from_path("outage.playbook.bak"));
	assert_null(playbook_name_from_path("outage.conf"));
	assert_null(playbook_name_from_path(""));
}

/* Declared variables: read with their description and whether required;
 * a template may use them; one nobody declares is refused at its line
 * (issue 11: {{impact}} is no longer the severity's label). */
static void
test_declared_variables(void **state)
{
	struct playbook *pb = parse_good(valid, PATH, NULL);
	const struct playbook_variable *v;
	char *text;

	(void)state;
	assert_int_equal(pb->nvariables, 1);
	assert_non_null(v = playbook_variable(pb, "impact"));
	assert_string_equal(v->description, "What customers notice.");
	assert_true(v->required);
	assert_int_equal(v->line, 27);
	assert_null(playbook_variable(pb, "title"));
	assert_true(playbook_builtin_var("title"));
	assert_false(playbook_builtin_var("impact"));
	playbook_free(pb);
	/* optional by default */
	text = edit(valid, 27, "variables = ( { name = \"impact\"; description = \"x\"; },"
		    " { name = \"cause\"; description = \"y\"; required = true; } );");
	pb = parse_good(text, PATH, NULL);
	assert_false(playbook_variable(pb, "impact")->required);
	assert_true(playbook_variable(pb, "cause")->required);
	playbook_free(pb);
	free(text);
	/* undeclared: the template using it is refused, at its line */
	expect_edit_invalid(27, "", 24, "template 'investigating' uses unknown variable "
			    "'{{impact}}': neither built in nor declared under 'variables'");
	expect_edit_invalid(27, "variables = ( { name = \"title\"; description = \"x\"; } );", 27,
			    "variable 'title' is built in: declare only new variables");
	expect_edit_invalid(27, "variables = ( { name = \"impact\"; description = \"x\"; },"
			    " { name = \"impact\"; description = \"y\"; } );", 27,
			    "variable 'impact' is declared twice");
	expect_edit_invalid(27, "variables = ( { name = \"Impact-1\"; description = \"x\"; } );", 27,
			    "variable name 'Impact-1' must be lowercase letters, digits or '_'");
	expect_edit_invalid(27, "variables = ( { name = \"impact\"; } );", 27, "description");
	expect_edit_invalid(27, "variables = ( { name = \"impact\"; description = \"x\"; why = 1; } );",
			    27, "why");
}

/* public_title: a template over the declared variables, checked like one. */
static void
test_public_title(void **state)
{
	struct playbook *pb = parse_good(valid, PATH, NULL);
	char *text;

	(void)state;
	assert_null(pb->public_title);
	playbook_free(pb);
	text = edit(valid, 3, "summary = \"x\"; public_title = \"Service disruption: {{impact}}\";");
	pb = parse_good(text, PATH, NULL);
	assert_string_equal(pb->public_title, "Service disruption: {{impact}}");
	playbook_free(pb);
	free(text);
	expect_edit_invalid(3, "summary = \"x\"; public_title = \"{{bogus}} down\";", 3,
			    "public_title uses unknown variable '{{bogus}}'");
	/* only what is known at open: not the components, not the commander */
	expect_edit_invalid(3, "summary = \"x\"; public_title = \"{{components}} down\";", 3,
			    "a public title may use id, severity, summary and the declared variables");
}

/* component_impact: what an incident does to public component status. */
static void
test_component_impact(void **state)
{
	struct playbook *pb = parse_good(valid, PATH, NULL);
	char *text;

	(void)state;
	/* absent: today's behaviour */
	assert_string_equal(pb->component_impact[1], "major_outage");
	assert_string_equal(pb->component_impact[2], "partial_outage");
	assert_string_equal(pb->component_impact[3], "degraded_performance");
	assert_string_equal(pb->component_impact[4], "operational");
	playbook_free(pb);
	text = edit(valid, 4, "severity = \"SEV2\"; component_impact = \"none\";");
	pb = parse_good(text, PATH, NULL);
	for (int sev = 1; sev <= 4; sev++)
		assert_string_equal(pb->component_impact[sev], "operational");
	playbook_free(pb);
	free(text);
	text = edit(valid, 4, "severity = \"SEV2\"; component_impact = { SEV1 = \"partial_outage\"; "
		    "SEV2 = \"degraded_performance\"; };");
	pb = parse_good(text, PATH, NULL);
	assert_string_equal(pb->component_impact[1], "partial_outage");
	assert_string_equal(pb->component_impact[2], "degraded_performance");
	assert_string_equal(pb->component_impact[3], "operational");
	playbook_free(pb);
	free(text);
	expect_edit_invalid(4, "severity = \"SEV2\"; component_impact = \"some\";", 4,
			    "component_impact 'some' is not 'none', 'default' or a group");
	expect_edit_invalid(4, "severity = \"SEV2\"; component_impact = { SEV1 = \"down\"; };", 4,
			    "component_impact SEV1: 'down' is not one of operational");
	expect_edit_invalid(4, "severity = \"SEV2\"; component_impact = { SEV9 = \"major_outage\"; };", 4,
			    "SEV9");
	expect_edit_invalid(4, "severity = \"SEV2\"; component_impact = 3;", 4,
			    "component_impact must be 'none', 'default' or a group");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_helper),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_minimal),
		cmocka_unit_test(test_who_and_ack_expires),
		cmocka_unit_test(test_who_and_ack_expires_refused),
		cmocka_unit_test(test_who_with_conf),
		cmocka_unit_test(test_check_people),
		cmocka_unit_test(test_every_template_var_is_known),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_duplicate_role),
		cmocka_unit_test(test_duplicate_step),
		cmocka_unit_test(test_duplicate_template),
		cmocka_unit_test(test_bad_severity),
		cmocka_unit_test(test_unknown_step_role),
		cmocka_unit_test(test_unknown_approver),
		cmocka_unit_test(test_unknown_audience),
		cmocka_unit_test(test_unknown_audience_line_in_multiline_template),
		cmocka_unit_test(test_unknown_apology_template),
		cmocka_unit_test(test_unknown_variable),
		cmocka_unit_test(test_declared_variables),
		cmocka_unit_test(test_public_title),
		cmocka_unit_test(test_component_impact),
		cmocka_unit_test(test_unknown_variable_multiline),
		cmocka_unit_test(test_unknown_variable_line_in_concatenated_text),
		cmocka_unit_test(test_unknown_variable_line_after_escaped_newline),
		cmocka_unit_test(test_repeated_unknown_variable_lines),
		cmocka_unit_test(test_text_not_nul_terminated),
		cmocka_unit_test(test_unclosed_braces),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_bad_tier),
		cmocka_unit_test(test_bad_escalation_mode),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_word_inside_a_string_is_text),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_setting),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_missing_commander),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_component_not_in_conf),
		cmocka_unit_test(test_routes_and_completes_on),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_diags_appended),
		cmocka_unit_test(test_name_from_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
