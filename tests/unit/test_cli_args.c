/* test_cli_args.c: the CLI's option parser (src/cli/cli-args.c, linked
 * with cli.o and show.o, which are not in libsitrep.a). A command's options
 * come from its entry's table; an option it does not take, a value its
 * check refuses and an unknown option are usage errors (exit 2) with the
 * messages the CLI tests expect; --help prints the entry's text; the
 * common options before the command's name fill struct cli. */
#include "testutil.h"

#include <fcntl.h>

#include "cli.h"

static int check_calls;

static int
check_even(const struct cmd_entry *cmd, const char *value)
{
	check_calls++;
	if (strlen(value) % 2 != 0)
		return cli_usage_error(cmd, "'%s' is odd", value);
	return -1;
}

static const struct cli_option group[] = {
	{ "message", 'm', true, NULL },
	{ "title", 0, true, NULL },
	{ "component", 0, true, NULL },
	{ "force", 'f', false, NULL },
	{ "even", 0, true, check_even },
	{ NULL, 0, false, NULL }
};

static int dummy_exec(struct cli *cli, struct cli_args *args);

static const struct cmd_entry cmd_all = {
	.name = "all", .usage = "[ARG...]", .summary = "takes every option",
	.options = group, .exec = dummy_exec,
};
static const struct cmd_entry cmd_some = {
	.name = "some", .usage = "INC [-m NOTE]", .summary = "takes -m and --even",
	.options = group, .takes = "message even", .exec = dummy_exec,
};
static const struct cmd_entry cmd_here = {
	.name = "pb sub", .usage = "", .summary = "the playbook wording",
	.options = group, .takes = "", .refused_here = true, .exec = dummy_exec,
};
static const struct cmd_entry cmd_help = {
	.name = "init", .usage = "[DIR]", .summary = "s", .help = "Long help.\n\n  -f  force",
	.options = group, .exec = dummy_exec,
};

static int
dummy_exec(struct cli *cli, struct cli_args *args)
{
	(void)cli;
	return args->argc;
}

/* What fd (1 or 2) received while fn ran, NUL-terminated, to free. */
struct captured {
	int fd, saved;
	FILE *tmp;
};

static void
capture_start(struct captured *c, int fd)
{
	fflush(fd == 1 ? stdout : stderr);
	c->fd = fd;
	c->saved = dup(fd);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	dup2(fileno(c->tmp), fd);
}

static char *
capture_end(struct captured *c)
{
	char *text = calloc(1, 8192);
	size_t n;

	fflush(c->fd == 1 ? stdout : stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	rewind(c->tmp);
	n = fread(text, 1, 8191, c->tmp);
	text[n] = '\0';
	fclose(c->tmp);
	return text;
}

/* Parse words (NULL-terminated) for cmd; its stderr in *err when err. */
static int
parse(struct cli_args *args, struct cli *cli, const struct cmd_entry *cmd, char **err,
      char **words)
{
	static char *argv[32];
	struct captured c;
	int argc = 0, rc;

	while (words[argc] != NULL) {
		argv[argc] = words[argc];
		argc++;
	}
	argv[argc] = NULL;
	capture_start(&c, 2);
	rc = cli_args_parse(args, cli, cmd, argc, argv);
	if (err != NULL)
		*err = capture_end(&c);
	else
		free(capture_end(&c));
	return rc;
}

#define WORDS(...) ((char *[]){ __VA_ARGS__, NULL })

static void
test_values_and_positionals(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;
	char **v;

	(void)state;
	assert_int_equal(parse(&args, &cli, &cmd_all, NULL,
			       WORDS("all", "one", "--component", "api", "-m", "hi", "two",
				     "--component=web", "--force", "--tit", "T", "--", "-x")),
			 -1);
	assert_int_equal(args.argc, 3);
	assert_string_equal(args.argv[0], "one");
	assert_string_equal(args.argv[1], "two");
	assert_string_equal(args.argv[2], "-x");
	assert_string_equal(cli_args_get(&args, "message"), "hi");
	assert_string_equal(cli_args_get(&args, "title"), "T");
	assert_true(cli_args_has(&args, "force"));
	assert_false(cli_args_has(&args, "even"));
	assert_null(cli_args_get(&args, "even"));
	assert_null(cli_args_get(&args, "no-such-option"));
	assert_int_equal(cli_args_all(&v, &args, "component"), 2);
	assert_string_equal(v[0], "api");
	assert_string_equal(v[1], "web");
	assert_int_equal(cli_args_all(&v, &args, "even"), 0);
	assert_null(v);
	cli_args_free(&args);
}

static void
test_last_value_wins(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;

	(void)state;
	assert_int_equal(parse(&args, &cli, &cmd_all, NULL,
			       WORDS("all", "-m", "a", "--message", "b", "-fm", "c")), -1);
	assert_string_equal(cli_args_get(&args, "message"), "c");
	assert_true(cli_args_has(&args, "force"));
	assert_int_equal(args.argc, 0);
	cli_args_free(&args);
}

static void
test_common_options(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;

	(void)state;
	assert_int_equal(parse(&args, &cli, &cmd_some, NULL,
			       WORDS("some", "INC-1", "--as", "bob", "--json", "-c", "x.conf")),
			 -1);
	assert_string_equal(cli.as, "bob");
	assert_true(cli.json);
	assert_string_equal(cli.config_path, "x.conf");
	assert_int_equal(args.argc, 1);
	cli_args_free(&args);
}

static void
test_not_taken(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;
	char *err;

	(void)state;
	assert_int_equal(parse(&args, &cli, &cmd_some, &err,
			       WORDS("some", "INC-1", "--title", "x")), EXIT_USAGE);
	assert_string_equal(err, "sitrep: option '--title' does not apply to 'some'\n"
			    "usage: sitrep some INC [-m NOTE]\n"
			    "Run 'sitrep some --help' for more.\n");
	free(err);
	/* named as it was given, after a common option too */
	assert_int_equal(parse(&args, &cli, &cmd_some, &err,
			       WORDS("some", "--json", "-f", "INC-1")), EXIT_USAGE);
	assert_non_null(strstr(err, "option '-f' does not apply to 'some'"));
	free(err);
	/* the playbook's wording */
	assert_int_equal(parse(&args, &cli, &cmd_here, &err, WORDS("sub", "--title", "x")),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "sitrep: --title does not apply here\n"));
	free(err);
}

static void
test_first_problem_reported(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;
	char *err;

	(void)state;
	check_calls = 0;
	assert_int_equal(parse(&args, &cli, &cmd_some, NULL,
			       WORDS("some", "--even", "ab", "INC-1")), -1);
	assert_int_equal(check_calls, 1);
	cli_args_free(&args);
	/* the check refuses where the option stands: before a later unknown one */
	assert_int_equal(parse(&args, &cli, &cmd_some, &err,
			       WORDS("some", "--even", "abc", "--bogus")), EXIT_USAGE);
	assert_non_null(strstr(err, "sitrep: 'abc' is odd\n"));
	assert_null(strstr(err, "bogus"));
	free(err);
	/* and an unknown one before it is getopt's message and the usage */
	assert_int_equal(parse(&args, &cli, &cmd_some, &err,
			       WORDS("some", "--bogus", "--even", "abc")), EXIT_USAGE);
	assert_string_equal(err, "some: unrecognized option '--bogus'\n"
			    "usage: sitrep some INC [-m NOTE]\n");
	free(err);
	/* a missing value */
	assert_int_equal(parse(&args, &cli, &cmd_some, &err, WORDS("some", "INC-1", "-m")),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "requires an argument"));
	free(err);
}

static void
test_takes_whole_words(void **state)
{
	static const struct cmd_entry partial = {
		.name = "partial", .usage = "", .summary = "", .options = group,
		.takes = "  even  force ", .exec = dummy_exec,
	};
	struct cli cli = { 0 };
	struct cli_args args;

	(void)state;
	assert_int_equal(parse(&args, &cli, &partial, NULL, WORDS("partial", "-m", "x")),
			 EXIT_USAGE);
	assert_int_equal(parse(&args, &cli, &partial, NULL, WORDS("partial", "--title", "x")),
			 EXIT_USAGE);
	assert_int_equal(parse(&args, &cli, &partial, NULL, WORDS("partial", "-f")), -1);
	cli_args_free(&args);
	assert_int_equal(parse(&args, &cli, &partial, NULL, WORDS("partial", "--even", "xy")),
			 -1);
	cli_args_free(&args);
}

static void
test_help(void **state)
{
	struct cli cli = { 0 };
	struct cli_args args;
	struct captured c;
	char *out;

	(void)state;
	capture_start(&c, 1);
	assert_int_equal(parse(&args, &cli, &cmd_help, NULL, WORDS("init", "-h", "--bogus")),
			 EXIT_OK);
	out = capture_end(&c);
	assert_string_equal(out, "usage: sitrep init [DIR]\n\nLong help.\n\n  -f  force\n");
	free(out);
	capture_start(&c, 1);
	assert_int_equal(parse(&args, &cli, &cmd_some, NULL, WORDS("some", "--help")), EXIT_OK);
	out = capture_end(&c);
	assert_true(strncmp(out, "usage: sitrep some INC [-m NOTE]\n\ntakes -m and --even\n\n"
			    "Common options:\n", 67) == 0);
	assert_non_null(strstr(out, "  -h, --help         this help\nSee sitrep(1).\n"));
	free(out);
}

static void
test_no_options(void **state)
{
	static const struct cmd_entry none = {
		.name = "none", .usage = "ID", .summary = "", .exec = dummy_exec,
	};
	struct cli cli = { 0 };
	struct cli_args args;

	(void)state;
	assert_int_equal(parse(&args, &cli, &none, NULL, WORDS("none", "--json", "7", "-c", "f")),
			 -1);
	assert_true(cli.json);
	assert_int_equal(args.argc, 1);
	assert_false(cli_args_has(&args, "all"));
	cli_args_free(&args);
	assert_int_equal(parse(&args, &cli, &none, NULL, WORDS("none", "--all")), EXIT_USAGE);
}

static void
test_run(void **state)
{
	struct cli cli = { 0 };

	(void)state;
	assert_int_equal(cli_run(&cli, &cmd_all, 4, WORDS("all", "a", "-f", "b")), 2);
}

static void
test_global(void **state)
{
	struct cli cli = { 0 };
	char **argv = WORDS("sitrep", "-c", "a.conf", "--as=bob", "--json", "--config=b.conf",
			    "--as", "carol", "--bogus", "--as");
	struct captured c;
	char *err;
	int i = 1;

	(void)state;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), -1);
	assert_int_equal(i, 2);
	assert_string_equal(cli.config_path, "a.conf");
	i++;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), -1);
	assert_string_equal(cli.as, "bob");
	i++;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), -1);
	assert_true(cli.json);
	i++;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), -1);
	assert_string_equal(cli.config_path, "b.conf");
	i++;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), -1);
	assert_int_equal(i, 7);
	assert_string_equal(cli.as, "carol");
	i++;
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), 0);
	i++;
	capture_start(&c, 2);
	assert_int_equal(cli_args_global(&cli, 10, argv, &i), EXIT_USAGE);
	err = capture_end(&c);
	assert_string_equal(err, "sitrep: option '--as' needs a value: --as HANDLE\n");
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_positionals),
		cmocka_unit_test(test_last_value_wins),
		cmocka_unit_test(test_common_options),
		cmocka_unit_test(test_not_taken),
		cmocka_unit_test(test_first_problem_reported),
		cmocka_unit_test(test_takes_whole_words),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_no_options),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_global),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
