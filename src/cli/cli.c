/* cli.c: the helpers every sitrep command shares: error reporting with
 * DESIGN.md's exit codes, and loading the workspace. Parsing a command's
 * line is cli-args.c's; what each command does lives in its cmd-*.c file. */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/repo.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"

void
cli_verror(const char *fmt, va_list ap)
{
	fputs("sitrep: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
}

int
cli_exit_code(int rc)
{
	switch (rc) {
	case SR_OK:
		return EXIT_OK;
	case SR_EUSAGE:
		return EXIT_USAGE;
	case SR_EREFUSED:
	case SR_ENOTFOUND:
	case SR_EEXIST:
	case SR_EINVALID:
		return EXIT_REFUSED;
	default:
		return EXIT_SYSTEM;
	}
}

int
cli_fail(int rc)
{
	cli_error("%s", err_last());
	return cli_exit_code(rc);
}

int
cli_load_conf(struct cli *cli)
{
	struct diags d = DIAGS_INIT;
	char *path;
	int rc;

	if (cli->conf != NULL)
		return 0;
	if ((path = conf_find(cli->config_path)) == NULL)
		return SR_ENOTFOUND;
	rc = conf_load(&cli->conf, &d, path);
	/* times for readers in the page's time zone (validated with the config) */
	if (rc == 0)
		rc = clock_set_reader_zone(cli->conf->time_zone);
	if (rc == SR_EINVALID && d.n > 0) {
		diag_print(&d, stderr);
		err_set(rc, "the site config '%s' has %zu problem%s: fix %s and try again",
			path, d.n, d.n == 1 ? "" : "s", d.n == 1 ? "it" : "them");
	}
	diag_release(&d);
	free(path);
	return rc;
}

int
cli_open_repo(struct cli *cli)
{
	int rc;

	if ((rc = cli_load_conf(cli)) != 0)
		return rc;
	if (cli->repo == NULL)
		cli->repo = repo_open_lazy(cli->conf->playbooks);
	return repo_ready(cli->repo);
}

int
cli_resolve(struct cli *cli, const char *rev, char sha[41])
{
	int rc;

	if ((rc = cli_open_repo(cli)) != 0)
		return rc;
	rc = repo_resolve(sha, cli->repo, rev != NULL ? rev : cli->conf->branch);
	if (rc == SR_ENOTFOUND && rev == NULL)
		err_set(rc, "branch '%s' not found in the playbook repository '%s': "
			"commit a playbook there or set workspace.branch in %s",
			cli->conf->branch, cli->conf->playbooks, cli->conf->path);
	return rc;
}

int
cli_open_store(struct cli *cli)
{
	int rc;

	if ((rc = cli_load_conf(cli)) != 0)
		return rc;
	if (cli->store == NULL && (rc = store_open(&cli->store, cli->conf->database)) != 0)
		return rc;
	return 0;
}

int
cli_incident_ctx(struct incident_ctx *ctx, struct cli *cli)
{
	int rc;

	if ((rc = cli_load_conf(cli)) != 0)
		return rc;
	if (cli->store == NULL && (rc = store_open(&cli->store, cli->conf->database)) != 0)
		return rc;
	/* Running incidents read their pinned playbooks from the store: the
	 * repository is opened (and libgit2 loaded) only if something needs
	 * it, and what does (opening an incident) says why it cannot be. */
	if (cli->repo == NULL)
		cli->repo = repo_open_lazy(cli->conf->playbooks);
	ctx->conf = cli->conf;
	ctx->repo = cli->repo;
	ctx->store = cli->store;
	if ((rc = cli_identify(cli)) != 0)
		return rc;
	ctx->actor = cli->actor;
	ctx->via = cli->via;
	ctx->daemon = false;
	return 0;
}

int
cli_incident_id(int64_t *out, const struct cmd_entry *cmd, const char *arg)
{
	if (incident_parse_id(out, arg) != 0)
		return cli_usage_error(cmd, "%s", err_last());
	return 0;
}

/* The operating-system user running sitrep: its effective uid's name,
 * which neither the environment nor the terminal can change. */
static void
find_os_user(struct cli *cli)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0' &&
	    strlen(pw->pw_name) < sizeof(cli->os_user))
		snprintf(cli->os_user, sizeof(cli->os_user), "%s", pw->pw_name);
	else
		snprintf(cli->os_user, sizeof(cli->os_user), "uid%lu",
			 (unsigned long)geteuid());
}

int
cli_identify(struct cli *cli)
{
	const struct conf_person *me;
	const char *asked = cli->as;

	if (cli->actor != NULL)
		return 0;
	find_os_user(cli);
	snprintf(cli->via, sizeof(cli->via), "local:%s", cli->os_user);
	me = conf_person_of_os_user(cli->conf, cli->os_user);
	if (asked == NULL && (asked = getenv("SITREP_USER")) != NULL && *asked == '\0')
		asked = NULL;
	if (asked == NULL) {
		cli->actor = me != NULL ? me->handle : cli->os_user;
		return 0;
	}
	if ((me != NULL && strcmp(asked, me->handle) == 0) || cli->conf->impersonation) {
		cli->actor = asked;
		return 0;
	}
	if (me != NULL)
		return err_set(SR_EREFUSED, "acting as '%s' is refused: you are '%s' (the "
			       "operating-system user '%s'), and %s does not allow acting as "
			       "someone else (identity.impersonation): drop --as and "
			       "$SITREP_USER to act as yourself", asked, me->handle,
			       cli->os_user, cli->conf->path);
	return err_set(SR_EREFUSED, "acting as '%s' is refused: the operating-system user "
		       "'%s' is no one in %s, which does not allow acting as someone else "
		       "(identity.impersonation): add os_users = [ \"%s\" ] to your person "
		       "there", asked, cli->os_user, cli->conf->path, cli->os_user);
}

void
cli_write_json(const struct json *v)
{
	FILE *raw = cli_raw_stdout();
	struct buf text = BUF_INIT;

	/* JSON escapes controls itself, and its text must not change: it goes
	 * around the stream that shows controls visibly */
	if (json_dump(&text, v, JSON_STYLE_PRETTY) != 0)
		cli_error("%s", err_last());
	buf_addch(&text, '\n');
	fflush(stdout);
	fwrite(text.ptr, 1, text.len, raw);
	fflush(raw);
	buf_release(&text);
}

void
cli_print_json(struct json *v)
{
	cli_write_json(v);
	json_free(v);
}

const char *
cli_line(struct cli *cli, const char *s)
{
	cli->shown = xreallocarray(cli->shown, cli->nshown + 1, sizeof(*cli->shown));
	return cli->shown[cli->nshown++] = cli_visible_dup(s, false);
}

void
cli_release(struct cli *cli)
{
	for (size_t i = 0; i < cli->nshown; i++)
		free(cli->shown[i]);
	free(cli->shown);
	cli->shown = NULL;
	cli->nshown = 0;
	store_close(cli->store);
	repo_free(cli->repo);
	conf_free(cli->conf);
	cli->store = NULL;
	cli->repo = NULL;
	cli->conf = NULL;
}

int
cli_vars_add(struct cli_vars *vars, const struct cmd_entry *cmd, const char *arg)
{
	struct incident_var v;
	char *owned;

	if (incident_parse_var(&v, &owned, arg) != 0)
		return cli_usage_error(cmd, "%s", err_last());
	vars->v = xreallocarray(vars->v, vars->n + 1, sizeof(*vars->v));
	vars->owned = xreallocarray(vars->owned, vars->n + 1, sizeof(*vars->owned));
	vars->v[vars->n] = v;
	vars->owned[vars->n++] = owned;
	return -1;
}

int
cli_vars_check(const struct cmd_entry *cmd, const char *arg)
{
	struct incident_var v;
	char *owned;

	if (incident_parse_var(&v, &owned, arg) != 0)
		return cli_usage_error(cmd, "%s", err_last());
	free(owned);
	return -1;
}

void
cli_vars_from(struct cli_vars *vars, const struct cmd_entry *cmd, const struct cli_args *args)
{
	char **v;
	size_t n = cli_args_all(&v, args, "var");

	memset(vars, 0, sizeof(*vars));
	for (size_t i = 0; i < n; i++)
		cli_vars_add(vars, cmd, v[i]);
}

void
cli_vars_release(struct cli_vars *vars)
{
	for (size_t i = 0; i < vars->n; i++)
		free(vars->owned[i]);
	free(vars->owned);
	free(vars->v);
	memset(vars, 0, sizeof(*vars));
}
