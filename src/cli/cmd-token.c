/* cmd-token.c: `sitrep token create|list|revoke` (API tokens: a token is
 * printed once and never again) and `sitrep audit [--verify]` (the
 * hash-chained log of what is not about one incident). What a token is
 * and who may make one is tokens.c's; the audit chain audit.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/audit.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-tokens.h"
#include "sitrep/timeline.h"
#include "sitrep/tokens.h"
#include "sitrep/xalloc.h"

static const struct cli_option token_options[] = {
	{ "name", 0, true, NULL },
	{ "for", 0, true, NULL },
	{ "scope", 0, true, NULL },
	{ "expires", 0, true, NULL },
	{ "all", 0, false, NULL },
	{ NULL, 0, false, NULL }
};
static int token_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_token_entry = {
	.name = "token",
	.usage = "create --name NAME [--for HANDLE] [--scope S]... [--expires DURATION] | "
		 "list [--for HANDLE | --all] | revoke NAME|#ID [--for HANDLE]",
	.summary = "API tokens: create one (shown once), list them, revoke one",
	.help = "An API token acts as one person through sitrepd's API, with the scopes it\n"
	"was given and the same permission rules as the command line on top.\n\n"
	"  create --name NAME   make a token for yourself (--for HANDLE: for someone\n"
	"                       else, where identity.impersonation allows it) and print\n"
	"                       it on stdout, once: sitrep keeps only its SHA-256\n"
	"      --scope S        read, respond, comms, approve, publish, cases or admin;\n"
	"                       repeat it (default: read respond)\n"
	"      --expires D      how long it is valid: 90d unless given, at most 366d\n"
	"  list                 your tokens (--for HANDLE: someone's, --all: everyone's):\n"
	"                       name, person, scopes, created, expires, last used, state\n"
	"  revoke NAME|#ID      revoke your active token of that name (or that id)\n\n"
	"Creating and revoking are recorded in the audit log ('sitrep audit').\n"
	"Common options: -c FILE, --as HANDLE, --json. See sitrep(1).\n",
	.options = token_options,
	.exec = token_exec,
};

static const struct cli_option audit_options[] = {
	{ "verify", 0, false, NULL },
	{ NULL, 0, false, NULL }
};
static int audit_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.usage = "[--verify] [--json]",
	.summary = "the audit log (tokens created and revoked); --verify checks its hash chain",
	.options = audit_options,
	.exec = audit_exec,
};

/* "2027-01-15 08:00 UTC", or "-" for 0. */
static void
when(char *out, size_t len, int64_t ms)
{
	char iso[32];

	if (ms == 0) {
		snprintf(out, len, "-");
		return;
	}
	clock_format_iso(iso, sizeof(iso), ms);
	snprintf(out, len, "%.10s %.5s", iso, iso + 11);
}

/* A space-separated scopes text as a JSON array. */
static struct json *
scopes_json(const char *text)
{
	struct json *arr = json_new_array();
	const char *p = text;

	while (*p != '\0') {
		size_t len;
		char *one;

		p += strspn(p, " ");
		if ((len = strcspn(p, " ")) == 0)
			break;
		one = xstrndup(p, len);
		json_append_str(arr, one);
		free(one);
		p += len;
	}
	return arr;
}

static int
create(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *name = cli_args_get(args, "name"), *expires = cli_args_get(args, "expires");
	const char *person;
	char **sv, *token = NULL, *stext, at[32];
	size_t ns = cli_args_all(&sv, args, "scope");
	unsigned scopes = 0;
	int64_t life = TOKENS_DEFAULT_LIFETIME_S, id, expires_at;
	struct store_token row;
	int rc;

	if (cli_args_has(args, "all"))
		return cli_usage_error(&cmd_token_entry, "--all is for 'token list'");
	if (tokens_check_name(name) != 0)
		return cli_usage_error(&cmd_token_entry, "%s", err_last());
	for (size_t i = 0; i < ns; i++) {
		unsigned one;

		if (tokens_parse_scopes(&one, sv[i]) != 0)
			return cli_usage_error(&cmd_token_entry, "%s", err_last());
		scopes |= one;
	}
	if (ns == 0)
		scopes = TOKENS_SCOPE_READ | TOKENS_SCOPE_RESPOND;
	if (scopes == 0)
		return cli_usage_error(&cmd_token_entry, "a token needs at least one scope of %s",
				       TOKENS_SCOPES);
	if (expires != NULL && duration_parse(&life, expires) != 0)
		return cli_usage_error(&cmd_token_entry, "--expires: %s", err_last());
	if (life <= 0 || life > TOKENS_MAX_LIFETIME_S)
		return cli_usage_error(&cmd_token_entry, "--expires %s: a token expires after "
				       "at most 366 days, and never-expiring tokens cannot be "
				       "made", expires);
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	person = cli_args_has(args, "for") ? cli_args_get(args, "for") : ctx.actor;
	if ((rc = tokens_create(&token, &id, &ctx, person, name, scopes, life)) != 0)
		return cli_fail(rc);
	expires_at = clock_now_ms() + life * 1000;
	stext = tokens_scopes_text(scopes);
	/* the expiry as stored, to the ms */
	if (store_token_get(&row, ctx.store, id) == 0)
		expires_at = row.expires_at;
	store_token_release(&row);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "id", id);
		json_set_str(j, "name", name);
		json_set_str(j, "person", person);
		json_set(j, "scopes", scopes_json(stext));
		json_set_time(j, "expires_at", expires_at);
		json_set_str(j, "token", token);
		cli_print_json(j);
	} else {
		when(at, sizeof(at), expires_at);
		printf("%s\n", token);
		fflush(stdout);
		fprintf(stderr, "token '%s' for %s (%s), expires %s UTC: it is shown once, "
			"now; sitrep keeps only its digest and cannot show it again\n",
			cli_line(cli, name), cli_line(cli, person), stext, at);
	}
	explicit_bzero(token, strlen(token));
	free(token);
	free(stext);
	return EXIT_OK;
}

static struct json *
token_json(const struct store_token *t, int64_t now)
{
	struct json *o = json_new_object();

	json_set_int(o, "id", t->id);
	json_set(o, "name", json_new_text(t->name));
	json_set(o, "person", json_new_text(t->person));
	json_set(o, "scopes", scopes_json(t->scopes));
	json_set_time(o, "created_at", t->created_at);
	json_set(o, "created_by", json_new_text(t->created_by));
	json_set(o, "created_via", json_new_text(t->created_via));
	json_set_time(o, "expires_at", t->expires_at);
	json_set_time(o, "last_used_at", t->last_used_at);
	json_set_time(o, "revoked_at", t->revoked_at);
	json_set(o, "revoked_by", json_new_text(t->revoked_by));
	json_set_str(o, "state", tokens_state(t, now));
	return o;
}

static int
list(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct store_token *v;
	const char *person;
	size_t n;
	int64_t now = clock_now_ms();
	int rc;

	if (cli_args_has(args, "all") && cli_args_has(args, "for"))
		return cli_usage_error(&cmd_token_entry, "say --for HANDLE or --all, not both");
	if (cli_args_has(args, "name") || cli_args_has(args, "scope") ||
	    cli_args_has(args, "expires"))
		return cli_usage_error(&cmd_token_entry, "--name, --scope and --expires are for "
				       "'token create'");
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	person = cli_args_has(args, "all") ? NULL : cli_args_has(args, "for") ?
		 cli_args_get(args, "for") : ctx.actor;
	if (person != NULL && conf_person(ctx.conf, person) == NULL)
		return cli_fail(err_set(SR_ENOTFOUND, "no person '%s' in %s", person,
					ctx.conf->path));
	if ((rc = store_tokens_list(&v, &n, ctx.store, person)) != 0) {
		store_tokens_free(v, n);
		return cli_fail(rc);
	}
	if (cli->json) {
		struct json *arr = json_new_array();

		for (size_t i = 0; i < n; i++)
			json_append(arr, token_json(&v[i], now));
		cli_print_json(arr);
	} else if (n == 0)
		printf("no tokens%s%s: 'sitrep token create --name NAME' makes one\n",
		       person != NULL ? " of " : "", person != NULL ? cli_line(cli, person) : "");
	else {
		printf("%-20s %-12s %-22s %-16s %-16s %-16s %s\n", "NAME", "PERSON", "SCOPES",
		       "CREATED", "EXPIRES", "LAST USED", "STATE");
		for (size_t i = 0; i < n; i++) {
			char c[32], e[32], u[32];

			when(c, sizeof(c), v[i].created_at);
			when(e, sizeof(e), v[i].expires_at);
			when(u, sizeof(u), v[i].last_used_at);
			printf("%-20s %-12s %-22s %-16s %-16s %-16s %s\n", cli_line(cli, v[i].name),
			       cli_line(cli, v[i].person), cli_line(cli, v[i].scopes), c, e, u,
			       tokens_state(&v[i], now));
		}
	}
	store_tokens_free(v, n);
	return EXIT_OK;
}

static int
revoke(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *name = args->argv[1], *person;
	int rc;

	if (cli_args_has(args, "all") || cli_args_has(args, "name") ||
	    cli_args_has(args, "scope") || cli_args_has(args, "expires"))
		return cli_usage_error(&cmd_token_entry, "revoke takes the token's name (or "
				       "#ID) and --for HANDLE only");
	if (name[0] != '#' && tokens_check_name(name) != 0)
		return cli_usage_error(&cmd_token_entry, "%s", err_last());
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	person = cli_args_has(args, "for") ? cli_args_get(args, "for") : ctx.actor;
	if ((rc = tokens_revoke(&ctx, person, name)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_str(j, "name", name);
		json_set_str(j, "person", person);
		json_set_str(j, "state", "revoked");
		cli_print_json(j);
	} else
		printf("revoked %s's token '%s'\n", cli_line(cli, person), cli_line(cli, name));
	return EXIT_OK;
}

static int
token_exec(struct cli *cli, struct cli_args *args)
{
	const char *sub = args->argc > 0 ? args->argv[0] : "";

	if (strcmp(sub, "create") == 0 && args->argc == 1)
		return create(cli, args);
	if (strcmp(sub, "list") == 0 && args->argc == 1)
		return list(cli, args);
	if (strcmp(sub, "revoke") == 0 && args->argc == 2)
		return revoke(cli, args);
	return cli_usage_error(&cmd_token_entry, "say create --name NAME, list, or revoke NAME");
}

/* One line a human reads for an audit entry. */
static void
describe(struct cli *cli, const struct store_event *a, const struct json *d)
{
#define S(key) cli_line(cli, json_as_str(json_get(d, key)) ? \
		json_as_str(json_get(d, key)) : "")
	if (strcmp(a->kind, "token_created") == 0)
		printf("created token '%s' (#%lld) for %s: %s, expires %s", S("name"),
		       (long long)json_as_int(json_get(d, "token")), S("person"), S("scopes"),
		       S("expires_at"));
	else if (strcmp(a->kind, "token_revoked") == 0)
		printf("revoked token '%s' (#%lld) of %s", S("name"),
		       (long long)json_as_int(json_get(d, "token")), S("person"));
	else
		printf("%s %s", cli_line(cli, a->kind), cli_line(cli, a->details));
#undef S
}

static int
audit_exec(struct cli *cli, struct cli_args *args)
{
	struct store_event *v = NULL;
	size_t n = 0;
	bool verify = cli_args_has(args, "verify");
	int64_t count;
	char head[65];
	long bad; /* the first altered entry; -1: none; -2: the end was cut or added to */
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&cmd_audit_entry, "audit takes no arguments");
	if ((rc = cli_open_store(cli)) != 0)
		return cli_fail(rc);
	if ((rc = store_audit_get(&v, &n, cli->store)) != 0 ||
	    (rc = store_audit_head(&count, head, cli->store)) != 0) {
		store_events_free(v, n);
		return cli_fail(rc);
	}
	bad = timeline_verify(v, n);
	if (bad >= 0)
		err_set(SR_EINVALID, "the audit log: entry %lld (number %ld of %zu) does not "
			"match its hash: the log was altered there", (long long)v[bad].id,
			bad + 1, n);
	else if ((int64_t)n != count || strcmp(n > 0 ? v[n - 1].hash : "", head) != 0) {
		/* the chain holds, but not its recorded end */
		bad = -2;
		err_set(SR_EINVALID, "the audit log has %zu entr%s but %lld %s recorded "
			"(head %.12s, recorded %.12s): entries were %s", n, n == 1 ? "y" : "ies",
			(long long)count, count == 1 ? "was" : "were",
			n > 0 ? v[n - 1].hash : "", head,
			(int64_t)n < count ? "removed from its end" :
			"added or changed behind sitrep's back");
	}
	if (verify) {
		if (cli->json) {
			struct json *j = json_new_object();

			json_set_int(j, "entries", (int64_t)n);
			json_set_bool(j, "verified", bad == -1);
			json_set(j, "first_bad_entry", bad >= 0 ? json_new_int(v[bad].id) :
				 json_new_null());
			json_set_str_or_null(j, "problem", bad != -1 ? err_last() : NULL);
			cli_print_json(j);
		}
		if (bad != -1)
			cli_error("%s", err_last());
		else if (!cli->json)
			printf("the audit log: %zu entr%s, the hash chain verifies\n", n,
			       n == 1 ? "y" : "ies");
		store_events_free(v, n);
		return bad != -1 ? EXIT_REFUSED : EXIT_OK;
	}
	if (cli->json) {
		struct json *arr = json_new_array();

		for (size_t i = 0; i < n; i++) {
			struct json *e = json_new_object();
			struct json *d = json_parse(v[i].details, strlen(v[i].details));
			char at[32];

			clock_format_iso(at, sizeof(at), v[i].at);
			json_set_int(e, "id", v[i].id);
			json_set_str(e, "at", at);
			json_set(e, "actor", json_new_text(v[i].actor));
			json_set(e, "via", json_new_text(v[i].via));
			json_set(e, "kind", json_new_text(v[i].kind));
			json_set(e, "details", d != NULL ? d : json_new_object());
			json_set_str(e, "hash", v[i].hash);
			json_append(arr, e);
		}
		cli_print_json(arr);
	} else if (n == 0)
		printf("the audit log is empty\n");
	for (size_t i = 0; !cli->json && i < n; i++) {
		struct json *d = json_parse(v[i].details, strlen(v[i].details));
		char at[32];

		clock_format_iso(at, sizeof(at), v[i].at);
		printf("%s  %-10s ", at, cli_line(cli, v[i].actor));
		describe(cli, &v[i], d);
		if (strncmp(v[i].via, "local:", 6) != 0)
			printf(" via %s", cli_line(cli, v[i].via));
		putchar('\n');
		json_free(d);
	}
	if (bad >= 0)
		cli_error("warning: the audit log was altered at entry %lld: run 'sitrep audit "
			  "--verify'", (long long)v[bad].id);
	else if (bad == -2)
		cli_error("warning: %s: run 'sitrep audit --verify'", err_last());
	store_events_free(v, n);
	return EXIT_OK;
}
