/* sitrep.c: the CLI's main: global options (the common ones read by
 * cli-args.c), the command table and prefix lookup (tmux's way). Each
 * command lives in its own cmd-*.c file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/repo.h"
#include "sitrep/utf8.h"
#include "sitrep/version.h"
#include "sitrep/xalloc.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_init_entry,
	&cmd_playbook_entry,
	&cmd_schedule_entry,
	&cmd_oncall_entry,
	&cmd_people_entry,
	&cmd_token_entry,
	&cmd_open_entry,
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_status_entry,
	&cmd_sev_entry,
	&cmd_component_entry,
	&cmd_set_entry,
	&cmd_resolve_entry,
	&cmd_reopen_entry,
	&cmd_close_entry,
	&cmd_role_entry,
	&cmd_step_entry,
	&cmd_page_entry,
	&cmd_ack_entry,
	&cmd_escalate_entry,
	&cmd_update_entry,
	&cmd_apologize_entry,
	&cmd_approve_entry,
	&cmd_publish_entry,
	&cmd_withdraw_entry,
	&cmd_updates_entry,
	&cmd_contact_entry,
	&cmd_subscribe_entry,
	&cmd_subscribers_entry,
	&cmd_unsubscribe_entry,
	&cmd_outbox_entry,
	&cmd_deliver_entry,
	&cmd_maintenance_entry,
	&cmd_timeline_entry,
	&cmd_audit_entry,
	NULL
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sitrep [-c CONFIG] [--as HANDLE] COMMAND [ARGS...]\n\n"
		    "sitrep coordinates a crisis: incidents opened from playbooks versioned\n"
		    "in git, roles, escalation, and every update on one timeline.\n\n"
		    "Commands:\n");
	for (const struct cmd_entry *const *c = cmd_table; *c != NULL; c++)
		fprintf(fp, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(fp, "\nRun 'sitrep COMMAND --help' for a command's options; see sitrep(1).\n");
}

/* An exact name, or any unambiguous prefix of one. */
static const struct cmd_entry *
cmd_find(const char *name, bool *ambiguous)
{
	const struct cmd_entry *found = NULL;
	size_t len = strlen(name);

	*ambiguous = false;
	for (const struct cmd_entry *const *c = cmd_table; *c != NULL; c++) {
		if (strcmp((*c)->name, name) == 0)
			return *c;
		if (strncmp((*c)->name, name, len) == 0) {
			if (found != NULL)
				*ambiguous = true;
			found = *c;
		}
	}
	return *ambiguous ? NULL : found;
}

/* Options that take no value, whatever the command: a word after one of
 * these is an argument of its own, not the option's value. */
static bool
is_flag(const char *opt)
{
	static const char *const common[] = {
		"--json", "--help", "-h", "--version", "-V", "--", NULL
	};

	for (const char *const *f = common; *f != NULL; f++)
		if (strcmp(opt, *f) == 0)
			return true;
	/* an option of a command's table that takes no value */
	for (const struct cmd_entry *const *c = cmd_table; *c != NULL; c++)
		for (const struct cli_option *o = (*c)->options; o != NULL && o->name; o++) {
			if (o->value)
				continue;
			if (opt[1] == '-' ? strcmp(opt + 2, o->name) == 0 :
			    o->letter != 0 && opt[1] == o->letter && opt[2] == '\0')
				return true;
		}
	return false;
}

/* s as it can be shown: each byte that is not part of a well-formed
 * sequence as \xNN. The caller frees it. */
static char *
shown(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(p + i, n - i);

		if (k == 0) {
			buf_addf(&b, "\\x%02x", p[i]);
			i++;
		} else {
			buf_add(&b, p + i, k);
			i += k;
		}
	}
	return buf_detach(&b);
}

/*
 * Every word of the command line is text that may end up in the store, a
 * message or the timeline: one that is not valid UTF-8 is refused here,
 * once for every command, naming the option or argument (exit 1, as for
 * any invalid input).
 */
static int
check_args(int argc, char **argv)
{
	const char *env;
	size_t at;

	for (int k = 1; k < argc; k++) {
		const char *a = argv[k], *eq, *prev = argv[k - 1];
		char *what, *s;

		if (utf8_valid(a, strlen(a), &at))
			continue;
		s = shown(a);
		if (a[0] == '-' && a[1] == '-' && (eq = strchr(a, '=')) != NULL &&
		    utf8_valid(a, (size_t)(eq - a), NULL)) {
			what = xasprintf("the value of option '%.*s' ('%s')", (int)(eq - a), a,
					 s + (eq - a) + 1);
			at -= (size_t)(eq - a) + 1;
		} else if (a[0] == '-')
			what = xasprintf("option '%s'", s);
		else if (k > 1 && prev[0] == '-' && prev[1] != '\0' && !is_flag(prev) &&
			 strchr(prev, '=') == NULL && utf8_valid(prev, strlen(prev), NULL))
			what = xasprintf("the value of option '%s' ('%s')", prev, s);
		else
			what = xasprintf("argument %d ('%s')", k, s);
		cli_error("%s is not valid UTF-8 (byte %zu): write it in UTF-8", what, at + 1);
		free(what);
		free(s);
		return EXIT_REFUSED;
	}
	/* the acting person, when it comes from the environment */
	if ((env = getenv("SITREP_USER")) != NULL && !utf8_valid(env, strlen(env), &at)) {
		cli_error("$SITREP_USER is not valid UTF-8 (byte %zu): write it in UTF-8", at + 1);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct cmd_entry *cmd;
	bool ambiguous;
	int i, rc;

	cli_visible_streams();
	if ((rc = check_args(argc, argv)) != EXIT_OK)
		return rc;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("sitrep %s\n", SITREP_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if ((rc = cli_args_global(&cli, argc, argv, &i)) == EXIT_USAGE) {
			return rc;
		} else if (rc != -1) {
			cli_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = cmd_find(argv[i], &ambiguous)) == NULL) {
		cli_error("%s command '%s': run 'sitrep --help' for the list",
			  ambiguous ? "ambiguous" : "unknown", argv[i]);
		return EXIT_USAGE;
	}
	if (cmd->dispatch != NULL)
		rc = cmd->dispatch(&cli, argc - i, argv + i);
	else
		rc = cli_run(&cli, cmd, argc - i, argv + i);
	cli_release(&cli);
	repo_global_shutdown();
	return rc;
}
