/* cli.h: what the sitrep commands share: the command table entry (tmux's
 * cmd_entry) with its options, the parsed line, the per-run context and
 * the workspace loaders. Each cmd-*.c file owns one command group. */
#ifndef SITREP_CLI_H
#define SITREP_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct conf;
struct repo;
struct store;
struct incident_ctx;
struct json;

struct cli {
	const char *config_path; /* -c FILE */
	const char *as;          /* --as HANDLE */
	bool json;               /* --json */
	struct conf *conf;       /* loaded on demand */
	struct repo *repo;       /* opened on demand */
	struct store *store;     /* opened on demand */
	char **shown;            /* cli_line's strings, freed by cli_release */
	size_t nshown;
	/* who acts (cli_identify): the person, and how they were
	 * authenticated ("local:<operating-system user>") */
	const char *actor;
	char os_user[64], via[80];
};

struct cli_args;
struct cmd_entry;

/*
 * One option of a command group, as getopt_long learns it (tmux's args
 * template, spelt out): the long name, the short letter (0 for none),
 * whether it takes a value, and a check of the value made where it stands
 * on the line (a usage error's exit code, the message printed, or -1).
 */
struct cli_option {
	const char *name;
	int letter;
	bool value;
	int (*check)(const struct cmd_entry *cmd, const char *value);
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* after "sitrep NAME " */
	const char *summary; /* one line for `sitrep --help` */
	/* --help's text after the usage line; NULL: the summary and the
	 * common options */
	const char *help;
	/* the options of the command's group (NULL-terminated; NULL: only the
	 * common ones) and the names of those this command takes, separated
	 * by spaces (NULL: all of them); one it does not take is refused */
	const struct cli_option *options;
	const char *takes;
	bool refused_here; /* refused as "--NAME does not apply here" */
	int (*exec)(struct cli *cli, struct cli_args *args);
	/* instead of exec, for a command that parses its subcommand's line */
	int (*dispatch)(struct cli *cli, int argc, char **argv);
};

/* Exit codes of DESIGN.md. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_SYSTEM = 3 };

/* The values of one option, in the order given. */
struct cli_values {
	char **v;
	size_t n;
};

/* A command's line once parsed (cli-args.c): its positional arguments
 * and each of its options' values (a flag's value is ""). */
struct cli_args {
	const struct cmd_entry *cmd;
	int argc;
	char **argv;
	const struct cli_option *options;
	size_t noptions;
	struct cli_values *values;
};

/*
 * Parse a command's line (argv[0] is the command's name) with its entry's
 * options; -c, --as and --json go to cli. Returns -1 when the command goes
 * on (args to free with cli_args_free), or the exit code when it must
 * stop: --help printed, or a usage error reported.
 */
int cli_args_parse(struct cli_args *args, struct cli *cli, const struct cmd_entry *cmd,
		   int argc, char **argv);
/* Whether the option name was given; its last value (NULL when not given);
 * all its values (owned by args) and how many. */
bool cli_args_has(const struct cli_args *args, const char *name);
const char *cli_args_get(const struct cli_args *args, const char *name);
size_t cli_args_all(char ***out, const struct cli_args *args, const char *name);
void cli_args_free(struct cli_args *args);
/*
 * One of the common options before the command's name, at argv[*i] (*i
 * moves on past a separate value): -1 when it was one, EXIT_USAGE when its
 * value is missing (said on stderr), 0 when argv[*i] is not one of them.
 */
int cli_args_global(struct cli *cli, int argc, char **argv, int *i);
/* Parse cmd's line and run its exec. */
int cli_run(struct cli *cli, const struct cmd_entry *cmd, int argc, char **argv);
/* -1 when args has n positional arguments; else cmd's usage on stderr and
 * EXIT_USAGE. */
int cli_args_count(const struct cli_args *args, const struct cmd_entry *cmd, int n);

/* Print cmd's --help on stdout. */
void cli_help(const struct cmd_entry *cmd);
/* Print "usage: sitrep NAME USAGE" to fp. */
void cli_usage(const struct cmd_entry *cmd, FILE *fp);
/* Report a usage problem for cmd and return EXIT_USAGE. */
int cli_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "sitrep: <msg>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Map an SR_ code to an exit code after printing err_last(). */
int cli_fail(int rc);
int cli_exit_code(int rc);

/* Load the site config (reporting every problem) / open the playbook repo. */
int cli_load_conf(struct cli *cli);
int cli_open_repo(struct cli *cli);
/* Load the config and open its store (no playbook repository). */
int cli_open_store(struct cli *cli);
/* Resolve rev (the configured branch when NULL) to a commit SHA. */
int cli_resolve(struct cli *cli, const char *rev, char sha[41]);
/* Open the workspace's store (and config) and fill ctx for incident
 * operations; its repository is opened only when one needs it. */
int cli_incident_ctx(struct incident_ctx *ctx, struct cli *cli);
/* Parse an incident id argument, reporting a usage error for cmd. */
int cli_incident_id(int64_t *out, const struct cmd_entry *cmd, const char *arg);

/*
 * Showing text to a human (show.c): control characters made visible in
 * less's notation (^[ for ESC, ^M for CR, ^? for DEL, <U+009B> for a C1
 * control, <FF> for a byte that is not UTF-8). cli_visible appends s to out,
 * keeping newline and tab when lines; cli_visible_dup returns a copy to
 * free; cli_line, for a one-line field (a title, a name) inside a printf,
 * returns a copy that lives until cli_release. cli_visible_streams, called
 * once from main, passes everything written to stdout and stderr through
 * cli_visible (lines kept), so no output can reach a terminal raw.
 */
struct buf;
void cli_visible(struct buf *out, const char *s, size_t len, bool lines);
char *cli_visible_dup(const char *s, bool lines);
const char *cli_line(struct cli *cli, const char *s);
void cli_visible_streams(void);
/* The standard output as it was before cli_visible_streams: for JSON. */
FILE *cli_raw_stdout(void);

/* The acting person: --as, $SITREP_USER, or the login name. */
/*
 * Who acts: the person of the operating-system user running sitrep
 * (conf_person_of_os_user; the user's own name when no person is), or the
 * one --as or $SITREP_USER names when it is that person or the site config
 * allows impersonation (identity.impersonation). SR_EREFUSED, saying why,
 * when it is someone else and impersonation is not allowed. Sets
 * cli->actor and cli->via.
 */
int cli_identify(struct cli *cli);

/* The --var NAME=VALUE options of a command: v points into owned. */
struct cli_vars {
	struct incident_var *v;
	char **owned;
	size_t n;
};
/* Add one "--var NAME=VALUE" to vars; a usage error's exit code (the
 * message printed), or -1 when it was added. */
int cli_vars_add(struct cli_vars *vars, const struct cmd_entry *cmd, const char *arg);
/* The check of a --var option's value (struct cli_option's check). */
int cli_vars_check(const struct cmd_entry *cmd, const char *arg);
/* vars from every --var of args (each checked already). */
void cli_vars_from(struct cli_vars *vars, const struct cmd_entry *cmd,
		   const struct cli_args *args);
void cli_vars_release(struct cli_vars *vars);

/* Print a JSON value to stdout (JSON_STYLE_PRETTY); one that cannot be
 * written (a text not UTF-8) is reported, an empty line printed.
 * cli_print_json frees it too. */
void cli_write_json(const struct json *v);
void cli_print_json(struct json *v);

void cli_release(struct cli *cli);

/* Shared by `sitrep playbook` and `sitrep schedule` (cmd-playbook.c): a
 * file on disk to validate (a regular file of at most max bytes; what
 * names the kind in messages), a commit as JSON, the log and diff
 * subcommands of NAME.suffix files, and validate's report. */
struct repo_commit;
int cli_read_disk_file(char **out, size_t *len, const char *path, const char *what,
		       size_t max);
struct json *cli_commit_json(const struct repo_commit *c);
int cli_repo_log(struct cli *cli, struct cli_args *args, const struct cmd_entry *sub,
		 const char *suffix, const char *what);
int cli_repo_diff(struct cli *cli, struct cli_args *args, const struct cmd_entry *sub,
		  const char *suffix, const char *what);
struct diags;
void cli_validation_report(struct cli *cli, const struct diags *d, size_t nchecked,
			   size_t ninvalid, const char *what, const char *sha);

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_playbook_entry;
extern const struct cmd_entry cmd_open_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_sev_entry;
extern const struct cmd_entry cmd_component_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_reopen_entry;
extern const struct cmd_entry cmd_close_entry;
extern const struct cmd_entry cmd_timeline_entry;
extern const struct cmd_entry cmd_role_entry;
extern const struct cmd_entry cmd_step_entry;
extern const struct cmd_entry cmd_page_entry;
extern const struct cmd_entry cmd_ack_entry;
extern const struct cmd_entry cmd_escalate_entry;
extern const struct cmd_entry cmd_update_entry;
extern const struct cmd_entry cmd_apologize_entry;
extern const struct cmd_entry cmd_approve_entry;
extern const struct cmd_entry cmd_publish_entry;
extern const struct cmd_entry cmd_withdraw_entry;
extern const struct cmd_entry cmd_updates_entry;
extern const struct cmd_entry cmd_contact_entry;
extern const struct cmd_entry cmd_subscribe_entry;
extern const struct cmd_entry cmd_subscribers_entry;
extern const struct cmd_entry cmd_unsubscribe_entry;
extern const struct cmd_entry cmd_outbox_entry;
extern const struct cmd_entry cmd_deliver_entry;
extern const struct cmd_entry cmd_maintenance_entry;
extern const struct cmd_entry cmd_schedule_entry;
extern const struct cmd_entry cmd_oncall_entry;
extern const struct cmd_entry cmd_people_entry;
extern const struct cmd_entry cmd_token_entry;
extern const struct cmd_entry cmd_audit_entry;

#endif
