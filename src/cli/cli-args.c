/* cli-args.c: a command's line, parsed once for every command from its
 * entry's option table (tmux's args.c): getopt_long learns the options from
 * the table, the common ones are handled here, --help is written from the
 * entry, and an option the command does not take is refused by name. What
 * an option means is left to the command, which reads cli_args. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/xalloc.h"

/* getopt_long's value for a table option without a letter: its index
 * after this; the common options keep theirs. */
enum { ARGS_OPT_AS = 1000, ARGS_OPT_JSON, ARGS_OPT_INDEX };

/* The options every command knows, first in getopt's table (an abbreviated
 * long option is matched, or found ambiguous, in this order), and before
 * the command's name as global options (but --help, which is main's). */
static const struct {
	const char *name;
	int letter;
	bool value;
	int val;          /* getopt_long's */
	const char *form; /* how a missing value's message writes it */
} args_common[] = {
	{ "as", 0, true, ARGS_OPT_AS, "--as HANDLE" },
	{ "json", 0, false, ARGS_OPT_JSON, NULL },
	{ "help", 'h', false, 'h', NULL },
	{ "config", 'c', true, 'c', "-c FILE" },
};
#define ARGS_NCOMMON (sizeof(args_common) / sizeof(args_common[0]))

void
cli_usage(const struct cmd_entry *cmd, FILE *fp)
{
	fprintf(fp, "usage: sitrep %s %s\n", cmd->name, cmd->usage);
}

int
cli_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
	cli_usage(cmd, stderr);
	fprintf(stderr, "Run 'sitrep %s --help' for more.\n", cmd->name);
	return EXIT_USAGE;
}

int
cli_args_count(const struct cli_args *args, const struct cmd_entry *cmd, int n)
{
	if (args->argc == n)
		return -1;
	cli_usage(cmd, stderr);
	return EXIT_USAGE;
}

void
cli_help(const struct cmd_entry *cmd)
{
	cli_usage(cmd, stdout);
	if (cmd->help != NULL) {
		printf("\n%s\n", cmd->help);
		return;
	}
	printf("\n%s\n\nCommon options:\n"
	       "  -c, --config FILE  the site config (else $SITREP_CONFIG, ./sitrep.conf, ...)\n"
	       "      --as HANDLE    act as this person (else $SITREP_USER), where the site\n"
	       "                     config allows impersonation; else you act as your\n"
	       "                     operating-system user's person\n"
	       "      --json         print data as JSON\n"
	       "  -h, --help         this help\n"
	       "See sitrep(1).\n", cmd->summary);
}

static size_t
args_noptions(const struct cli_option *options)
{
	size_t n = 0;

	while (options != NULL && options[n].name != NULL)
		n++;
	return n;
}

/* The next word of a takes list at *p (its length in *len), or NULL. */
static const char *
args_word(const char **p, size_t *len)
{
	const char *w = *p + strspn(*p, " ");

	if (*w == '\0')
		return NULL;
	*len = strcspn(w, " ");
	*p = w + *len;
	return w;
}

/* Whether cmd takes the option name: one of the words of cmd->takes. */
static bool
args_takes(const struct cmd_entry *cmd, const char *name)
{
	const char *p = cmd->takes, *w;
	size_t n;

	if (p == NULL)
		return true;
	while ((w = args_word(&p, &n)) != NULL)
		if (n == strlen(name) && strncmp(w, name, n) == 0)
			return true;
	return false;
}

/* A word of cmd->takes that names no option of its table is a mistake in
 * the table, found by the first run of the command. */
static void
args_check_takes(const struct cmd_entry *cmd, size_t noptions)
{
	const char *p = cmd->takes, *w;
	size_t n, i;

	while (p != NULL && (w = args_word(&p, &n)) != NULL) {
		for (i = 0; i < noptions; i++)
			if (strlen(cmd->options[i].name) == n &&
			    strncmp(cmd->options[i].name, w, n) == 0)
				break;
		if (i == noptions) {
			fprintf(stderr, "sitrep: %s takes '%.*s', an option its table lacks\n",
				cmd->name, (int)n, w);
			abort();
		}
	}
}

/* getopt_long's long and short tables for cmd: the common options, then
 * its group's in the table's order. */
static struct option *
args_getopt_tables(char **shortopts, const struct cli_option *options, size_t n)
{
	struct option *longopts = xcalloc(ARGS_NCOMMON + n + 1, sizeof(*longopts));
	char *s = xmalloc(2 * (ARGS_NCOMMON + n) + 1), *p = s;

	for (size_t i = 0; i < ARGS_NCOMMON; i++) {
		longopts[i].name = args_common[i].name;
		longopts[i].has_arg = args_common[i].value ? required_argument : no_argument;
		longopts[i].val = args_common[i].val;
		if (args_common[i].letter != 0)
			p += sprintf(p, "%c%s", args_common[i].letter, args_common[i].value ? ":" : "");
	}
	for (size_t i = 0; i < n; i++) {
		struct option *o = &longopts[ARGS_NCOMMON + i];

		o->name = options[i].name;
		o->has_arg = options[i].value ? required_argument : no_argument;
		o->val = options[i].letter != 0 ? options[i].letter : ARGS_OPT_INDEX + (int)i;
		if (options[i].letter != 0)
			p += sprintf(p, "%c%s", options[i].letter, options[i].value ? ":" : "");
	}
	*shortopts = s;
	return longopts;
}

/* The index in options of what getopt_long returned, or -1. */
static int
args_index(const struct cli_option *options, size_t n, int opt)
{
	if (opt >= ARGS_OPT_INDEX && opt < ARGS_OPT_INDEX + (int)n)
		return opt - ARGS_OPT_INDEX;
	for (size_t i = 0; i < n; i++)
		if (options[i].letter != 0 && options[i].letter == opt)
			return (int)i;
	return -1;
}

/* A common option met: -1 to go on, or the command's exit code. */
static int
args_common_opt(struct cli *cli, const struct cmd_entry *cmd, int opt, char *value)
{
	switch (opt) {
	case ARGS_OPT_AS:
		cli->as = value;
		return -1;
	case ARGS_OPT_JSON:
		cli->json = true;
		return -1;
	case 'c':
		cli->config_path = value;
		return -1;
	case 'h':
		cli_help(cmd);
		return EXIT_OK;
	default:
		/* getopt_long already said what was wrong */
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
}

int
cli_args_global(struct cli *cli, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	for (size_t k = 0; k < ARGS_NCOMMON; k++) {
		const char *name = args_common[k].name;
		size_t len = strlen(name);
		bool word = (a[1] == '-' && strcmp(a + 2, name) == 0) ||
			    (args_common[k].letter != 0 && a[1] == args_common[k].letter &&
			     a[2] == '\0');

		if (args_common[k].val == 'h')
			continue;
		if (word && !args_common[k].value)
			return args_common_opt(cli, NULL, args_common[k].val, NULL);
		if (word && *i + 1 < argc)
			return args_common_opt(cli, NULL, args_common[k].val, argv[++*i]);
		if (word) {
			fprintf(stderr, "sitrep: option '%s' needs a value: %s\n", a,
				args_common[k].form);
			return EXIT_USAGE;
		}
		if (args_common[k].value && a[1] == '-' && strncmp(a + 2, name, len) == 0 &&
		    a[2 + len] == '=')
			return args_common_opt(cli, NULL, args_common[k].val, argv[*i] + 3 + len);
	}
	return 0;
}

/*
 * Each option is handled where it stands on the line, so the first
 * problem is the one reported: --help, an option the command does not
 * take, a value its check refuses.
 */
static int
args_one(struct cli_args *args, struct cli *cli, const struct cmd_entry *cmd,
	 const struct option *longopts, int opt, int li)
{
	const struct cli_option *o;
	struct cli_values *vals;
	int i, rc;

	if ((i = args_index(cmd->options, args->noptions, opt)) < 0)
		return args_common_opt(cli, cmd, opt, optarg);
	o = &cmd->options[i];
	if (!args_takes(cmd, o->name)) {
		if (cmd->refused_here)
			return cli_usage_error(cmd, "--%s does not apply here", o->name);
		return cli_usage_error(cmd, "option '%s%s' does not apply to '%s'",
				       li >= 0 ? "--" : "-", li >= 0 ? longopts[li].name :
				       (char[]){ (char)o->letter, '\0' }, cmd->name);
	}
	if (o->check != NULL && (rc = o->check(cmd, optarg)) >= 0)
		return rc;
	vals = &args->values[i];
	vals->v = xreallocarray(vals->v, vals->n + 1, sizeof(*vals->v));
	vals->v[vals->n++] = o->value ? optarg : (char *)"";
	return -1;
}

int
cli_args_parse(struct cli_args *args, struct cli *cli, const struct cmd_entry *cmd,
	       int argc, char **argv)
{
	struct option *longopts;
	char *shortopts;
	int opt, li = -1, rc = -1;

	memset(args, 0, sizeof(*args));
	args->cmd = cmd;
	args->options = cmd->options;
	args->noptions = args_noptions(cmd->options);
	args_check_takes(cmd, args->noptions);
	args->values = xcalloc(args->noptions + 1, sizeof(*args->values));
	longopts = args_getopt_tables(&shortopts, cmd->options, args->noptions);
	optind = 0;
	for (; (opt = getopt_long(argc, argv, shortopts, longopts, &li)) != -1; li = -1)
		if ((rc = args_one(args, cli, cmd, longopts, opt, li)) >= 0)
			break;
	args->argc = argc - optind;
	args->argv = argv + optind;
	free(longopts);
	free(shortopts);
	if (rc >= 0)
		cli_args_free(args);
	return rc;
}

static const struct cli_values *
args_find(const struct cli_args *args, const char *name)
{
	for (size_t i = 0; i < args->noptions; i++)
		if (strcmp(args->options[i].name, name) == 0)
			return &args->values[i];
	return NULL;
}

bool
cli_args_has(const struct cli_args *args, const char *name)
{
	const struct cli_values *v = args_find(args, name);

	return v != NULL && v->n > 0;
}

const char *
cli_args_get(const struct cli_args *args, const char *name)
{
	const struct cli_values *v = args_find(args, name);

	return v != NULL && v->n > 0 ? v->v[v->n - 1] : NULL;
}

size_t
cli_args_all(char ***out, const struct cli_args *args, const char *name)
{
	const struct cli_values *v = args_find(args, name);

	*out = v != NULL && v->n > 0 ? v->v : NULL;
	return v != NULL ? v->n : 0;
}

void
cli_args_free(struct cli_args *args)
{
	for (size_t i = 0; args->values != NULL && i < args->noptions; i++)
		free(args->values[i].v);
	free(args->values);
	args->values = NULL;
	args->noptions = 0;
}

int
cli_run(struct cli *cli, const struct cmd_entry *cmd, int argc, char **argv)
{
	struct cli_args args;
	int rc;

	if ((rc = cli_args_parse(&args, cli, cmd, argc, argv)) >= 0)
		return rc;
	rc = cmd->exec(cli, &args);
	cli_args_free(&args);
	return rc;
}
