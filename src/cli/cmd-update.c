/* cmd-update.c: what an incident says and to whom: `sitrep update`,
 * `apologize`, `approve`, `publish`, `withdraw`, `updates` and `contact`.
 * The rules are comms.c's; this file parses arguments and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/json.h"
#include "sitrep/buf.h"
#include "sitrep/comms.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/payload.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/store-updates.h"
#include "sitrep/xalloc.h"

/* The options of these commands; each command takes some of them. */
static const struct cli_option update_options[] = {
	{ "audience", 0, true, NULL },
	{ "status", 0, true, NULL },
	{ "message", 'm', true, NULL },
	{ "template", 0, true, NULL },
	{ "next", 0, true, NULL },
	{ "dry-run", 0, false, NULL },
	{ "account", 0, true, NULL },
	{ "via", 0, true, NULL },
	{ "at", 0, true, NULL },
	{ "var", 0, true, cli_vars_check },
	{ NULL, 0, false, NULL }
};

static int update_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_update_entry = {
	.name = "update",
	.usage = "INC --audience A [--status S] (-m TEXT | --template ID) [--next DURATION] "
	"[--var NAME=VALUE]... [--at TIME] [--dry-run] [--json]",
	.summary = "post a status update to an audience (a draft when the playbook wants approval)",
	.options = update_options,
	.takes = "audience status message template next dry-run at var",
	.exec = update_exec,
};
static int apologize_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_apologize_entry = {
	.name = "apologize",
	.usage = "INC --audience A (-m TEXT | --template ID) [--account ACCOUNT] "
	"[--var NAME=VALUE]... [--dry-run] [--json]",
	.summary = "send an apology, delivered and approved like an update",
	.options = update_options,
	.takes = "audience message template account dry-run var",
	.exec = apologize_exec,
};
static int update_action(struct cli *, struct cli_args *);
const struct cmd_entry cmd_approve_entry = {
	.name = "approve",
	.usage = "UPDATE",
	.summary = "approve a draft update (not your own)",
	.options = update_options,
	.takes = "",
	.exec = update_action,
};
const struct cmd_entry cmd_publish_entry = {
	.name = "publish",
	.usage = "UPDATE",
	.summary = "publish an approved update (or a draft that needs no approval)",
	.options = update_options,
	.takes = "",
	.exec = update_action,
};
const struct cmd_entry cmd_withdraw_entry = {
	.name = "withdraw",
	.usage = "UPDATE [-m REASON]",
	.summary = "withdraw an update that is not yet published",
	.options = update_options,
	.takes = "message",
	.exec = update_action,
};
static int updates_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_updates_entry = {
	.name = "updates",
	.usage = "INC [--json]",
	.summary = "an incident's updates and apologies with their state",
	.options = update_options,
	.takes = "",
	.exec = updates_exec,
};
static int contact_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_contact_entry = {
	.name = "contact",
	.usage = "INC --account ACCOUNT --via phone|email|chat|social -m SUMMARY",
	.summary = "log a customer touchpoint made by a person",
	.options = update_options,
	.takes = "account via message",
	.exec = contact_exec,
};

static void
print_when(const char *label, int64_t ms)
{
	char when[CLOCK_WHEN_MAX];

	clock_format_when(when, sizeof(when), ms, clock_now_ms());
	printf("%s%s", label, when);
}

/* Where a route goes, for a human: "slack channel ops-chat". */
static void
describe_route(struct buf *b, const struct comms_route *r)
{
	if (r->subscribers != NULL && strcmp(r->subscribers, "webhook") == 0)
		buf_addf(b, "%lld webhook subscriber%s", (long long)r->count,
			 r->count == 1 ? "" : "s");
	else if (r->subscribers != NULL)
		buf_addf(b, "%lld e-mail subscriber%s through channel %s", (long long)r->count,
			 r->count == 1 ? "" : "s", r->channel);
	else if (r->recipient != NULL)
		buf_addf(b, "%s through %s channel %s", r->recipient, r->type, r->channel);
	else
		buf_addf(b, "%s channel %s", r->type, r->channel);
}

/* What each route would receive: the JSON body, or an e-mail's subject and
 * text. */
static char *
route_payload(const struct comms_route *r, const struct payload *p)
{
	struct buf b = BUF_INIT;
	int rc;

	if (strcmp(r->type, "email") == 0) {
		char *subject = payload_subject(p);

		buf_addf(&b, "Subject: %s\n\n", subject);
		rc = payload_text(&b, p);
		free(subject);
	} else
		rc = payload_json(&b, r->type, p);
	if (rc != 0) {
		buf_reset(&b);
		buf_addf(&b, "(nothing: %s)", err_last());
	}
	return buf_detach(&b);
}

static int
print_posted(struct cli *cli, const struct comms_posted *out, const struct comms_post *req)
{
	struct buf b = BUF_INIT;

	if (cli->json) {
		struct json *routes = json_new_array(), *o = json_new_object();

		for (size_t i = 0; i < out->nroutes; i++) {
			const struct comms_route *r = &out->routes[i];
			struct json *jr = json_new_object();

			json_set_str_or_null(jr, "channel", r->channel);
			json_set_str(jr, "type", r->type);
			json_set_str_or_null(jr, "recipient", r->recipient);
			json_set_str_or_null(jr, "subscribers", r->subscribers);
			json_set_int(jr, "count", r->count);
			if (out->preview != NULL) {
				char *text = route_payload(r, out->preview);

				json_set_str(jr, "payload", text);
				free(text);
			}
			json_append(routes, jr);
		}
		json_set(o, "update", out->update_id ? json_new_int(out->update_id) :
			 json_new_null());
		json_set_str(o, "state", out->state);
		json_set_str(o, "body", out->body);
		json_set_bool(o, "dry_run", req->dry_run);
		json_set_time(o, "next_update_at", out->next_update_at);
		json_set_int(o, "queued", out->queued);
		json_set_str_or_null(o, "approval", out->approval);
		json_set(o, "routes", routes);
		json_set_time(o, "publish_at", out->publish_at);
		if (req->dry_run) {
			struct json *empty = json_new_array();
			char *list = out->empty_vars ? xstrdup(out->empty_vars) : NULL, *save = NULL;

			for (char *t = list ? strtok_r(list, ", ", &save) : NULL; t != NULL;
			     t = strtok_r(NULL, ", ", &save))
				json_append_str(empty, t);
			free(list);
			json_set(o, "empty_variables", empty);
		}
		cli_print_json(o);
		return EXIT_OK;
	}
	if (req->dry_run) {
		printf("dry run: nothing was saved or sent; as %s this would be %s\n\n%s\n",
		       req->apology ? "an apology" : "an update",
		       out->approval != NULL ? "saved as a draft for approval" :
		       out->publish_at != 0 ? "scheduled" : "published now", out->body);
		if (out->next_update_at)
			print_when("\npromise: next update by ", out->next_update_at), putchar('\n');
		if (out->empty_vars != NULL)
			printf("\nstill empty, so read as nothing: %s (set with 'sitrep set INC-%lld "
			       "NAME VALUE' or --var NAME=VALUE)\n", out->empty_vars,
			       (long long)req->incident);
		if (out->nroutes == 0)
			printf("\nno channel serves '%s'%s: nothing would be sent\n", req->audience,
			       req->account ? " for that account" : "");
		for (size_t i = 0; i < out->nroutes; i++) {
			char *text = route_payload(&out->routes[i], out->preview);

			buf_reset(&b);
			describe_route(&b, &out->routes[i]);
			printf("\n== %s\n%s\n", buf_str(&b), text);
			free(text);
		}
		buf_release(&b);
		return EXIT_OK;
	}
	if (strcmp(out->state, "draft") == 0 && out->approval == NULL) {
		printf("UPD-%lld scheduled", (long long)out->update_id);
		print_when(" for ", out->publish_at);
		printf(": sitrepd publishes it then\n");
		return EXIT_OK;
	}
	if (strcmp(out->state, "draft") == 0) {
		if (out->publish_at != 0) {
			printf("UPD-%lld scheduled", (long long)out->update_id);
			print_when(" for ", out->publish_at);
			printf(", once approved; ");
		} else
			printf("UPD-%lld saved as a draft: ", (long long)out->update_id);
		printf("updates to %s at this severity need approval by "
		       "%s\n  approve it with: sitrep approve UPD-%lld\n", req->audience,
		       out->approval, (long long)out->update_id);
		return EXIT_OK;
	}
	printf("UPD-%lld published to %s: %lld message%s queued", (long long)out->update_id,
	       req->audience, (long long)out->queued, out->queued == 1 ? "" : "s");
	if (out->next_update_at)
		print_when("; next update by ", out->next_update_at);
	putchar('\n');
	if (out->queued == 0)
		cli_error("warning: no channel or subscriber reaches '%s'%s: nothing will be "
			  "sent; log what you tell them with 'sitrep contact'", req->audience,
			  req->account ? " for that account" : "");
	return EXIT_OK;
}

static int post_with(struct cli *cli, const struct cmd_entry *cmd, struct cli_args *args,
		     struct cli_vars *vars, bool apology);

static int
post(struct cli *cli, struct cli_args *args, bool apology)
{
	struct cli_vars vars;
	int rc;

	if ((rc = cli_args_count(args, args->cmd, 1)) >= 0)
		return rc;
	cli_vars_from(&vars, args->cmd, args);
	rc = post_with(cli, args->cmd, args, &vars, apology);
	cli_vars_release(&vars);
	return rc;
}

static int
post_with(struct cli *cli, const struct cmd_entry *cmd, struct cli_args *args,
	  struct cli_vars *vars, bool apology)
{
	struct comms_post req;
	struct comms_posted out;
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message"), *next_text = cli_args_get(args, "next");
	const char *template_id = cli_args_get(args, "template"), *at = cli_args_get(args, "at");
	int64_t next = 0;
	int rc;

	memset(&req, 0, sizeof(req));
	if ((req.audience = cli_args_get(args, "audience")) == NULL)
		return cli_usage_error(cmd, "say who it is for with --audience, like "
				       "--audience customers");
	if (msg != NULL && template_id != NULL)
		return cli_usage_error(cmd, "give -m TEXT or --template ID, not both");
	if (!apology && msg == NULL && template_id == NULL)
		return cli_usage_error(cmd, "give the text with -m TEXT or a template with "
				       "--template ID");
	if (next_text != NULL && (rc = duration_parse(&next, next_text)) != 0)
		return cli_usage_error(cmd, "--next: %s", err_last());
	if (next_text != NULL && next == 0)
		next = -1; /* --next 0: promise no next update */
	if (at != NULL) {
		if ((rc = clock_parse_time(&req.publish_at, at, clock_now_ms())) != 0)
			return cli_usage_error(cmd, "--at: %s", err_last());
		if (req.publish_at <= clock_now_ms())
			return cli_fail(err_set(SR_EREFUSED, "--at %s is in the past: leave --at "
						"out to publish now", at));
	}
	if ((rc = cli_incident_id(&req.incident, cmd, args->argv[0])) != 0)
		return rc;
	req.apology = apology;
	req.status = cli_args_get(args, "status");
	req.text = msg;
	req.template_id = template_id;
	req.account = cli_args_get(args, "account");
	req.next = next;
	req.dry_run = cli_args_has(args, "dry-run");
	req.vars = vars->v;
	req.nvars = vars->n;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = comms_post(&out, &ctx, &req)) != 0)
		return cli_fail(rc);
	rc = print_posted(cli, &out, &req);
	comms_posted_release(&out);
	return rc;
}

static int
update_exec(struct cli *cli, struct cli_args *args)
{
	return post(cli, args, false);
}

static int
apologize_exec(struct cli *cli, struct cli_args *args)
{
	return post(cli, args, true);
}

/* approve, publish and withdraw: one update id. */
static int
update_action(struct cli *cli, struct cli_args *args)
{
	const struct cmd_entry *cmd = args->cmd;
	struct incident_ctx ctx;
	int64_t id, queued = 0;
	int rc;

	if ((rc = cli_args_count(args, cmd, 1)) >= 0)
		return rc;
	if ((rc = comms_parse_update_id(&id, args->argv[0])) != 0)
		return cli_usage_error(cmd, "%s", err_last());
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	if (cmd == &cmd_approve_entry)
		rc = comms_approve(&ctx, id);
	else if (cmd == &cmd_publish_entry)
		rc = comms_publish(&queued, &ctx, id);
	else
		rc = comms_withdraw(&ctx, id, cli_args_get(args, "message"));
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "update", id);
		json_set_str(j, "state", cmd == &cmd_approve_entry ? "approved" :
			     cmd == &cmd_publish_entry ? "published" : "withdrawn");
		json_set_int(j, "queued", queued);
		cli_print_json(j);
	} else if (cmd == &cmd_approve_entry)
		printf("UPD-%lld approved: publish it with 'sitrep publish UPD-%lld'\n",
		       (long long)id, (long long)id);
	else if (cmd == &cmd_publish_entry) {
		printf("UPD-%lld published: %lld message%s queued\n", (long long)id,
		       (long long)queued, queued == 1 ? "" : "s");
		if (queued == 0)
			cli_error("warning: no channel or subscriber reaches its audience: "
				  "nothing will be sent; log what you tell them with 'sitrep contact'");
	}
	else
		printf("UPD-%lld withdrawn\n", (long long)id);
	return EXIT_OK;
}

/* One update as updates --json shows it, with its delivery counts
 * (pending, retrying, sent, dead). */
static struct json *
update_json(const struct store_update *u, const int64_t counts[STORE_OUTBOX_NSTATES])
{
	struct json *o = json_new_object(), *delivery = json_new_object();

	json_set_int(o, "id", u->id);
	json_set_str(o, "kind", u->kind);
	json_set_str(o, "audience", u->audience);
	json_set_str(o, "state", u->state);
	json_set_str_or_null(o, "status", u->status);
	json_set_str(o, "author", u->author);
	json_set_str_or_null(o, "approver", u->approver);
	json_set_time(o, "created_at", u->created_at);
	json_set_time(o, "published_at", u->published_at);
	json_set_time(o, "next_update_at", u->next_update_at);
	json_set_str_or_null(o, "account", u->account);
	/* a body written to the store unchecked is shown, not dropped */
	json_set(o, "body", json_new_text(u->body));
	json_set_time(o, "publish_at", u->publish_at);
	json_set_int(delivery, "pending", counts[0]);
	json_set_int(delivery, "retrying", counts[1]);
	json_set_int(delivery, "sent", counts[2]);
	json_set_int(delivery, "dead", counts[3]);
	json_set(o, "delivery", delivery);
	return o;
}

static int
updates_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct store_incident inc;
	struct store_update *v = NULL;
	struct json *arr;
	size_t n = 0;
	int64_t id, counts[STORE_OUTBOX_NSTATES];
	int rc;

	if ((rc = cli_args_count(args, &cmd_updates_entry, 1)) >= 0)
		return rc;
	if ((rc = cli_incident_id(&id, &cmd_updates_entry, args->argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = store_incident_get(&inc, ctx.store, id)) != 0)
		return cli_fail(rc);
	store_incident_release(&inc);
	if ((rc = store_updates_get(&v, &n, ctx.store, id)) != 0)
		return cli_fail(rc);
	arr = json_new_array();
	if (!cli->json && n == 0)
		printf("INC-%lld has no updates yet\n", (long long)id);
	else if (!cli->json)
		printf("%-7s %-8s %-10s %-10s %-8s %-8s %-19s %s\n", "ID", "KIND", "AUDIENCE",
		       "STATE", "AUTHOR", "APPROVER", "PUBLISHED", "DELIVERY");
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct store_update *u = &v[i];
		char iso[40] = "-", delivery[64] = "-";

		if ((rc = store_outbox_update_counts(counts, ctx.store, u->id)) != 0)
			break;
		if (counts[0] + counts[1] + counts[2] + counts[3] > 0)
			snprintf(delivery, sizeof(delivery), "%lld sent, %lld waiting, %lld dead",
				 (long long)counts[2], (long long)(counts[0] + counts[1]),
				 (long long)counts[3]);
		if (cli->json) {
			json_append(arr, update_json(u, counts));
			continue;
		}
		if (u->published_at || u->publish_at) {
			clock_format_iso(iso + 3, sizeof(iso) - 3, u->published_at ? u->published_at :
					 u->publish_at);
			iso[19] = '\0';
			iso[13] = ' ';
			/* a scheduled one shows when it goes out */
			memcpy(iso, u->published_at ? "   " : "at ", 3);
		}
		printf("UPD-%-3lld %-8s %-10s %-10s %-8s %-8s %-19s %s\n", (long long)u->id,
		       u->kind, u->audience, u->state, u->author, u->approver ? u->approver : "-",
		       iso[0] == ' ' ? iso + 3 : iso, delivery);
		printf("        %s\n", u->body);
	}
	if (cli->json && rc == 0)
		cli_print_json(arr);
	else
		json_free(arr);
	store_updates_free(v, n);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}

static int
contact_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *account = cli_args_get(args, "account"), *via = cli_args_get(args, "via");
	const char *msg = cli_args_get(args, "message");
	int64_t id;
	int rc;

	if ((rc = cli_args_count(args, &cmd_contact_entry, 1)) >= 0)
		return rc;
	if (account == NULL || via == NULL || msg == NULL)
		return cli_usage_error(&cmd_contact_entry, "give --account ACCOUNT, --via "
				       "phone|email|chat|social and -m SUMMARY");
	if ((rc = cli_incident_id(&id, &cmd_contact_entry, args->argv[0])) != 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0 ||
	    (rc = comms_contact(&ctx, id, account, via, msg)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "incident", id);
		json_set_str(j, "account", account);
		json_set_str(j, "via", via);
		cli_print_json(j);
	} else
		printf("INC-%lld: touchpoint with %s by %s logged\n", (long long)id, account,
		       via);
	return EXIT_OK;
}
