/* cli.h: what the sitrep commands share: the command table entry (tmux's
 * cmd_entry), the per-run context, common options and the workspace
 * loaders. Each cmd-*.c file owns one command group. */
#ifndef SITREP_CLI_H
#define SITREP_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct conf;
struct repo;
struct store;
struct incident_ctx;

struct cli {
	const char *config_path; /* -c FILE */
	const char *as;          /* --as HANDLE */
	bool json;               /* --json */
	struct conf *conf;       /* loaded on demand */
	struct repo *repo;       /* opened on demand */
	struct store *store;     /* opened on demand */
	char **shown;            /* cli_line's strings, freed by cli_release */
	size_t nshown;
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* after "sitrep NAME " */
	const char *summary; /* one line for `sitrep --help` */
	int (*exec)(struct cli *cli, int argc, char **argv);
};

/* Exit codes of DESIGN.md. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_SYSTEM = 3 };

/* Long options every command accepts; put CLI_COMMON_LONGOPTS first in a
 * command's table and call cli_common_opt from its default: case. */
enum { OPT_AS = 1000, OPT_JSON, OPT_HELP, OPT_CONFIG, OPT_FIRST_CMD };
#define CLI_COMMON_LONGOPTS \
	{ "as", required_argument, NULL, OPT_AS }, \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "config", required_argument, NULL, 'c' }
#define CLI_COMMON_SHORTOPTS "hc:"

/*
 * Handle a common option. Returns -1 when it was one and the command goes
 * on, an exit code when the command must stop (help printed, or a usage
 * error), for the command to return.
 */
int cli_common_opt(struct cli *cli, const struct cmd_entry *cmd, int opt);
/* Print "usage: sitrep NAME USAGE" and the see-also line to fp. */
void cli_usage(const struct cmd_entry *cmd, FILE *fp);
/* Report a usage problem for cmd and return EXIT_USAGE. */
int cli_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "sitrep: <msg>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
const char *cli_actor(struct cli *cli);

/* The --var NAME=VALUE options of a command: v points into owned. */
struct cli_vars {
	struct incident_var *v;
	char **owned;
	size_t n;
};
/* Add one "--var NAME=VALUE" to vars; a usage error's exit code (the
 * message printed), or -1 when it was added. */
int cli_vars_add(struct cli_vars *vars, const struct cmd_entry *cmd, const char *arg);
void cli_vars_release(struct cli_vars *vars);

/* Print a JSON value to stdout (indented) and free it. */
void cli_print_json(json_t *v);

void cli_release(struct cli *cli);

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

#endif
