/* cmd-subscribe.c: `sitrep subscribe`, `subscribers` and `unsubscribe`:
 * customers who hear about incidents by e-mail or webhook. The checks are
 * subscribers.c's; this file parses arguments and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/store.h"
#include "sitrep/store-subscribers.h"
#include "sitrep/subscribers.h"

static const struct cli_option subscribe_options[] = {
	{ "component", 0, true, NULL },
	{ NULL, 0, false, NULL }
};
static int subscribe_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_subscribe_entry = {
	.name = "subscribe",
	.usage = "email ADDR | webhook URL [--component C]... [--json]",
	.summary = "subscribe a customer's e-mail address (confirmed at once) or webhook to updates",
	.options = subscribe_options,
	.exec = subscribe_exec,
};
static const struct cli_option subscribers_options[] = {
	{ "all", 0, false, NULL },
	{ NULL, 0, false, NULL }
};
static int subscribers_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_subscribers_entry = {
	.name = "subscribers",
	.usage = "[--all] [--json]",
	.summary = "list the subscribers (--all: unsubscribed and disabled ones too)",
	.options = subscribers_options,
	.exec = subscribers_exec,
};
static int unsubscribe_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_unsubscribe_entry = {
	.name = "unsubscribe",
	.usage = "ID|ADDR|URL|TOKEN",
	.summary = "end a subscription",
	.exec = unsubscribe_exec,
};

static struct json *
subscriber_json(const struct store_subscriber *sub, bool with_secret)
{
	struct json *comps = json_new_array(), *o;
	char since[32], until[32];

	for (size_t i = 0; i < sub->ncomponents; i++)
		json_append_str(comps, sub->components[i]);
	clock_format_iso(since, sizeof(since), sub->created_at);
	o = json_new_object();
	json_set_int(o, "id", sub->id);
	json_set_str(o, "kind", sub->kind);
	json_set_str(o, "address", sub->address);
	json_set(o, "components", comps);
	json_set_str(o, "since", since);
	json_set_str(o, "unsubscribe_token", sub->token);
	json_set_bool(o, "confirmed", sub->confirmed_at != 0);
	if (sub->disabled_at) {
		clock_format_iso(until, sizeof(until), sub->disabled_at);
		json_set_str(o, "disabled_at", until);
		json_set_str(o, "disabled_reason", sub->disabled_reason ?
				    sub->disabled_reason : "");
	}
	if (with_secret && sub->secret != NULL)
		json_set_str(o, "secret", sub->secret);
	return o;
}

static int
subscribe_exec(struct cli *cli, struct cli_args *args)
{
	struct store_subscriber sub;
	char **comps;
	size_t ncomps = cli_args_all(&comps, args, "component");
	int rc;

	if (args->argc != 2)
		return cli_usage_error(&cmd_subscribe_entry, "give 'email ADDR' or 'webhook URL'");
	if ((rc = cli_open_store(cli)) == 0)
		rc = subscribers_add_confirmed(&sub, cli->store, cli->conf, args->argv[0],
					       args->argv[1], comps, ncomps);
	if (rc != 0)
		return cli_fail(rc);
	if (cli->json)
		cli_print_json(subscriber_json(&sub, true));
	else {
		printf("subscriber %lld: %s %s%s\n", (long long)sub.id, sub.kind, sub.address,
		       sub.ncomponents ? " (some components)" : "");
		if (sub.secret != NULL)
			printf("signing secret (shown once; give it to the receiver to verify "
			       "webhook-signature): %s\n", sub.secret);
		printf("unsubscribe token: %s\n", sub.token);
	}
	store_subscriber_release(&sub);
	return EXIT_OK;
}

static int
subscribers_exec(struct cli *cli, struct cli_args *args)
{
	struct store_subscriber *v;
	bool all = cli_args_has(args, "all");
	size_t n;
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&cmd_subscribers_entry, "unexpected argument '%s'",
				       args->argv[0]);
	if ((rc = cli_open_store(cli)) != 0 ||
	    (rc = store_subscribers_get(&v, &n, cli->store, all)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *arr = json_new_array();

		for (size_t i = 0; i < n; i++)
			json_append(arr, subscriber_json(&v[i], false));
		cli_print_json(arr);
	} else if (n == 0)
		printf("no subscribers\n");
	else {
		printf("%-6s %-8s %-40s %-20s %s\n", "ID", "KIND", "ADDRESS", "COMPONENTS", "SINCE");
		for (size_t i = 0; i < n; i++) {
			char since[32], comps[256] = "all";

			clock_format_iso(since, sizeof(since), v[i].created_at);
			for (size_t k = 0; k < v[i].ncomponents; k++)
				snprintf(comps + (k ? strlen(comps) : 0), sizeof(comps) -
					 (k ? strlen(comps) : 0), "%s%s", k ? "," : "",
					 v[i].components[k]);
			printf("%-6lld %-8s %-40s %-20s %.10s%s\n", (long long)v[i].id, v[i].kind,
			       v[i].address, comps, since, v[i].disabled_at ? "  (inactive)" :
			       v[i].confirmed_at == 0 ? "  (unconfirmed)" : "");
		}
	}
	store_subscribers_free(v, n);
	return EXIT_OK;
}

static int
unsubscribe_exec(struct cli *cli, struct cli_args *args)
{
	int64_t id;
	int rc;

	if (args->argc != 1)
		return cli_usage_error(&cmd_unsubscribe_entry, "name one subscriber: its id, "
				       "address, URL or token");
	if ((rc = cli_open_store(cli)) != 0 ||
	    (rc = subscribers_remove(&id, cli->store, args->argv[0], "unsubscribed")) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "id", id);
		json_set_bool(j, "unsubscribed", true);
		cli_print_json(j);
	} else
		printf("subscriber %lld unsubscribed\n", (long long)id);
	return EXIT_OK;
}
