/* cmd-outbox.c: `sitrep outbox [--state S] [retry ID]` and `sitrep deliver
 * [--once]`: what is waiting to be sent, and the delivery engine in the
 * foreground for setups without sitrepd. The engine is deliver.c. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/deliver.h"
#include "sitrep/err.h"
#include "sitrep/json.h"
#include "sitrep/outbox.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"

static int outbox_check_state(const struct cmd_entry *, const char *);
static int outbox_check_limit(const struct cmd_entry *, const char *);
static const struct cli_option outbox_options[] = {
	{ "state", 0, true, outbox_check_state },
	{ "limit", 0, true, outbox_check_limit },
	{ NULL, 0, false, NULL }
};
static int outbox_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_outbox_entry = {
	.name = "outbox",
	.usage = "[--state pending|retrying|sent|dead|cancelled] [--limit N] [--json] | retry ID",
	.summary = "messages waiting, retrying, sent, dead and cancelled; 'retry ID' requeues a "
		   "dead one",
	.options = outbox_options,
	.exec = outbox_exec,
};
static const struct cli_option deliver_options[] = {
	{ "once", 0, false, NULL },
	{ NULL, 0, false, NULL }
};
static int deliver_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_deliver_entry = {
	.name = "deliver",
	.usage = "[--once]",
	.summary = "send what is in the outbox (--once: what is due now, then exit)",
	.options = deliver_options,
	.exec = deliver_exec,
};

static int
outbox_check_state(const struct cmd_entry *cmd, const char *state)
{
	if (strcmp(state, "pending") && strcmp(state, "retrying") &&
	    strcmp(state, "sent") && strcmp(state, "dead") && strcmp(state, "cancelled"))
		return cli_usage_error(cmd, "state '%s' is not one of "
				       "pending, retrying, sent, dead, cancelled", state);
	return -1;
}

/* --limit N: the rows shown, 0 for every row; -1 when it is not that. */
static long
outbox_limit(const char *text)
{
	char *end;
	long limit = strtol(text, &end, 10);

	return *text == '\0' || *end != '\0' || limit < 0 ? -1 : limit;
}

static int
outbox_check_limit(const struct cmd_entry *cmd, const char *text)
{
	if (outbox_limit(text) < 0)
		return cli_usage_error(cmd, "--limit '%s' is not a "
				       "number (0 for every row)", text);
	return -1;
}


static struct json *
row_json(const struct store_outbox *o)
{
	/* a sent or dead row has no next attempt: null, never the epoch */
	bool waiting = strcmp(o->state, "pending") == 0 || strcmp(o->state, "retrying") == 0;
	struct json *j = json_new_object();

	json_set_int(j, "id", o->id);
	json_set_str(j, "msg_id", o->msg_id);
	json_set(j, "incident", json_new_int_or_null(o->incident_id));
	json_set(j, "update", json_new_int_or_null(o->update_id));
	json_set_str_or_null(j, "channel", o->channel);
	json_set(j, "subscriber", json_new_int_or_null(o->subscriber_id));
	json_set_str(j, "type", o->type);
	json_set_str_or_null(j, "recipient", o->recipient);
	json_set_str(j, "state", o->state);
	json_set_int(j, "attempts", o->attempts);
	json_set_time(j, "created_at", o->created_at);
	json_set_time(j, "next_attempt_at", waiting ? o->next_at : 0);
	json_set_time(j, "sent_at", o->sent_at);
	json_set(j, "last_status", json_new_int_or_null(o->last_status));
	json_set_str_or_null(j, "last_error", o->last_error);
	json_set(j, "page", json_new_int_or_null(o->page_id));
	json_set_str_or_null(j, "contact", o->contact);
	return j;
}

static int
outbox_retry(struct cli *cli, const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);
	int rc;

	if (*arg == '\0' || *end != '\0' || id <= 0)
		return cli_usage_error(&cmd_outbox_entry, "'%s' is not an outbox id", arg);
	if ((rc = cli_open_store(cli)) != 0 || (rc = outbox_requeue(cli->store, id)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "id", id);
		json_set_str(j, "state", "pending");
		cli_print_json(j);
	} else
		printf("outbox message %lld requeued: 'sitrep deliver' or sitrepd sends it\n", id);
	return EXIT_OK;
}

static int
outbox_exec(struct cli *cli, struct cli_args *args)
{
	struct store_outbox *v;
	const char *state = cli_args_get(args, "state");
	long limit = cli_args_has(args, "limit") ? outbox_limit(cli_args_get(args, "limit")) : 50;
	int64_t counts[STORE_OUTBOX_NSTATES];
	size_t n;
	int rc;

	if (args->argc >= 1 && strcmp(args->argv[0], "retry") == 0) {
		if (args->argc != 2)
			return cli_usage_error(&cmd_outbox_entry, "retry takes one outbox id "
					       "(from 'sitrep outbox --state dead')");
		return outbox_retry(cli, args->argv[1]);
	}
	if (args->argc != 0)
		return cli_usage_error(&cmd_outbox_entry, "unexpected argument '%s'", args->argv[0]);
	if ((rc = cli_open_store(cli)) != 0 ||
	    (rc = store_outbox_counts(counts, cli->store)) != 0 ||
	    (rc = store_outbox_list(&v, &n, cli->store, state, (size_t)limit)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object(), *c = json_new_object();
		struct json *arr = json_new_array();

		for (int k = 0; k < STORE_OUTBOX_NSTATES; k++)
			json_set_int(c, store_outbox_state_name(k), counts[k]);
		for (size_t i = 0; i < n; i++)
			json_append(arr, row_json(&v[i]));
		json_set(j, "counts", c);
		json_set(j, "messages", arr);
		cli_print_json(j);
	} else {
		printf("%lld pending, %lld retrying, %lld sent, %lld dead", (long long)counts[0],
		       (long long)counts[1], (long long)counts[2], (long long)counts[3]);
		/* cancelled: the notifications of pages that ended first */
		if (counts[4] > 0)
			printf(", %lld cancelled", (long long)counts[4]);
		printf("\n");
		if (n > 0)
			printf("%-7s %-9s %-8s %-10s %-8s %-3s %-24s %s\n", "ID", "STATE", "TYPE",
			       "CHANNEL", "UPDATE", "TRY", "NEXT/SENT", "RECIPIENT / LAST ERROR");
		for (size_t i = 0; i < n; i++) {
			char when[32], upd[24] = "-";

			clock_format_iso(when, sizeof(when), strcmp(v[i].state, "sent") == 0 ?
					 v[i].sent_at : v[i].next_at);
			if (v[i].update_id)
				snprintf(upd, sizeof(upd), "UPD-%lld", (long long)v[i].update_id);
			printf("%-7lld %-9s %-8s %-10s %-8s %-3d %-24s %s%s%s\n", (long long)v[i].id,
			       v[i].state, v[i].type, v[i].channel ? v[i].channel : "-", upd,
			       v[i].attempts, strcmp(v[i].state, "dead") == 0 ? "-" : when,
			       v[i].recipient ? v[i].recipient : "(channel URL)",
			       v[i].last_error ? ": " : "", v[i].last_error ? v[i].last_error : "");
		}
	}
	store_outbox_free(v, n);
	return EXIT_OK;
}

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int
deliver_exec(struct cli *cli, struct cli_args *args)
{
	struct deliver_stats st;
	struct sigaction sa;
	bool once = cli_args_has(args, "once");
	int rc;

	if (args->argc != 0)
		return cli_usage_error(&cmd_deliver_entry, "unexpected argument '%s'", args->argv[0]);
	if ((rc = cli_open_store(cli)) != 0)
		return cli_fail(rc);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if ((rc = deliver_run(&st, cli->conf, once, &stop_requested)) != 0)
		return cli_fail(rc);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_int(j, "sent", st.sent);
		json_set_int(j, "retrying", st.retried);
		json_set_int(j, "dead", st.dead);
		cli_print_json(j);
	} else
		printf("%lld sent, %lld to retry, %lld dead\n", (long long)st.sent,
		       (long long)st.retried, (long long)st.dead);
	return EXIT_OK;
}
