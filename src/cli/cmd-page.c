/* cmd-page.c: `sitrep page`, `sitrep page cancel`, `sitrep page --test`,
 * `sitrep ack` and `sitrep escalate`: paging a role to the support tiers,
 * ending pages, testing a person's contacts and moving up the tiers. The
 * rules are escalate.c's; sending is the delivery engine's (deliver.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sitrep/acklink.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/deliver.h"
#include "sitrep/err.h"
#include "sitrep/escalate.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
#include "sitrep/outbox.h"
#include "sitrep/payload.h"
#include "sitrep/store.h"
#include "sitrep/store-outbox.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

static int page_check_tier(const struct cmd_entry *, const char *);

/* The options of page, ack and escalate; each command takes some. */
static const struct cli_option page_options[] = {
	{ "tier", 0, true, page_check_tier },
	{ "swarm", 0, false, NULL },
	{ "message", 'm', true, NULL },
	{ "test", 0, true, NULL },
	{ NULL, 0, false, NULL }
};

static int page_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_page_entry = {
	.name = "page",
	.usage = "INC ROLE [--tier Ln] | cancel INC ROLE|PG-n -m REASON | --test HANDLE",
	.summary = "page a role to a support tier's roster (every tier when the playbook "
		   "swarms); cancel a role's pages or one page; send a test page",
	.help = "sitrep page INC ROLE [--tier Ln]\n"
	"    page ROLE on incident INC: the people the role's 'who' names, or who\n"
	"    is on call now for a schedule it names; else a support tier's roster\n"
	"    (the playbook's first tier, or Ln; every tier when the playbook\n"
	"    swarms): its people and whoever is on call for its schedules. Each\n"
	"    person paged is notified through their contacts, as their notify\n"
	"    rules say, with a link to acknowledge; a page ends when acknowledged,\n"
	"    the role filled, cancelled or the incident resolved.\n"
	"sitrep page cancel INC ROLE|PG-n -m REASON\n"
	"    end a role's open pages, or one page, with a reason.\n"
	"sitrep page --test HANDLE [--json]\n"
	"    send a test page to every contact of HANDLE at once (whatever the\n"
	"    notify delays), each with an acknowledgement link that says it works\n"
	"    and acknowledges nothing; deliver it now (or let a running sitrepd\n"
	"    do it) and say what happened at each contact: sent, retrying or dead\n"
	"    with the error. Exit 0 when every contact was reached, 1 otherwise.\n",
	.options = page_options,
	.takes = "tier message test",
	.exec = page_exec,
};
static int ack_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_ack_entry = {
	.name = "ack",
	.usage = "INC",
	.summary = "acknowledge your pages on an incident",
	.options = page_options,
	.takes = "",
	.exec = ack_exec,
};
static int escalate_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_escalate_entry = {
	.name = "escalate",
	.usage = "INC [--tier Ln | --swarm] [-m REASON]",
	.summary = "escalate to the next support tier, a named one, or every tier at once",
	.options = page_options,
	.takes = "tier swarm message",
	.exec = escalate_exec,
};

static int
page_check_tier(const struct cmd_entry *cmd, const char *value)
{
	if (vocab_tier(value) < 0)
		return cli_usage_error(cmd, "tier '%s' is not one of L0, L1, L2, L3, L4", value);
	return -1;
}

/* The tier of --tier, or -1; a usage error's exit code, or -1 when the
 * line is whole: nargs positional arguments. */
static int
page_args(int *tier, const struct cmd_entry *cmd, const struct cli_args *args, int nargs)
{
	const char *t = cli_args_get(args, "tier");

	*tier = t != NULL ? vocab_tier(t) : -1;
	if (cli_args_has(args, "swarm") && *tier >= 0)
		return cli_usage_error(cmd, "give --tier or --swarm, not both");
	return cli_args_count(args, cmd, nargs);
}

static int
run(struct cli *cli, const struct cmd_entry *cmd, const char *arg, int64_t *id,
    struct incident_ctx *ctx)
{
	int rc;

	if ((rc = cli_incident_id(id, cmd, arg)) != 0)
		return rc;
	if ((rc = cli_incident_ctx(ctx, cli)) != 0)
		return cli_fail(rc);
	return -1;
}

/* sitrep page cancel INC ROLE|PG-n -m REASON */
static int
page_cancel(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	int64_t id;
	int rc;

	if (cli_args_has(args, "tier"))
		return cli_usage_error(&cmd_page_entry, "page cancel takes no --tier");
	if (args->argc != 3)
		return cli_usage_error(&cmd_page_entry, "page cancel takes an incident and a role "
				       "or page id: 'sitrep page cancel INC-1 ops -m \"why\"'");
	if (msg == NULL || *msg == '\0')
		return cli_usage_error(&cmd_page_entry, "cancelling a page needs a reason: "
				       "-m \"why\"");
	if ((rc = run(cli, &cmd_page_entry, args->argv[1], &id, &ctx)) >= 0)
		return rc;
	if ((rc = escalate_cancel(&ctx, id, args->argv[2], msg)) != 0)
		return cli_fail(rc);
	printf("cancelled the page%s for %s on INC-%lld: see 'sitrep show INC-%lld'\n",
	       strncmp(args->argv[2], "PG-", 3) == 0 ? "" : "s", args->argv[2], (long long)id,
	       (long long)id);
	return EXIT_OK;
}

/* ------------------------------------------------------------ page --test */

/*
 * A test page goes to every contact of one person at once, whatever their
 * notify rules say: one outbox row per contact, with the contact set and
 * no incident or page, its payload marked as a test ("[PAGE TEST]" in an
 * e-mail's subject, event incident.page_test) and an acknowledgement link
 * for page 0, which sitrepd answers "your link works" and which
 * acknowledges nothing. The rows are then delivered here, as 'sitrep
 * deliver' would, or by sitrepd when it holds the delivery lock; either
 * way their outcome is read back from the store, within a bounded wait.
 */
struct page_test_row {
	const struct conf_contact *ct;
	char contact[160];   /* "HANDLE/ID" */
	const char *channel; /* the config channel it goes through; NULL: none */
	int64_t id;          /* its outbox row; 0 when not queued */
	struct store_outbox row; /* its outcome */
	char *problem;       /* why it was not queued */
};

/* The outbox type of a contact's messages: its channel's type. */
static const char *
page_test_type(const struct conf *c, const char *channel)
{
	const struct conf_channel *ch = channel != NULL ? conf_channel(c, channel) : NULL;

	return ch != NULL ? ch->type : NULL;
}

/* The channel contact ct of p goes through (as paging.c resolves it). */
static const char *
page_test_channel(char *buf, size_t len, const struct conf *c, const struct conf_person *p,
		  const struct conf_contact *ct)
{
	if (ct->channel != NULL)
		return ct->channel;
	if (ct->type == CONF_CONTACT_WEBHOOK) {
		snprintf(buf, len, "%s/%s", p->handle, ct->id);
		return buf;
	}
	if (ct->type == CONF_CONTACT_EMAIL) {
		if (c->paging.email_channel != NULL)
			return c->paging.email_channel;
		for (size_t i = 0; i < c->nchannels; i++)
			if (strcmp(c->channels[i].type, "email") == 0)
				return c->channels[i].id;
	}
	return NULL;
}

/* Queue one test row per contact of p in one transaction. */
static int
page_test_queue(struct page_test_row *rows, struct cli *cli, const struct conf_person *p,
		const char *url, int64_t now)
{
	const struct conf *c = cli->conf;
	const char *who = p->name != NULL ? p->name : p->handle;
	int rc;

	if ((rc = store_begin(cli->store)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < p->ncontacts; i++) {
		struct page_test_row *r = &rows[i];
		const char *kind = conf_contact_type_name(r->ct->type);
		const char *type = page_test_type(c, r->channel);
		struct payload_page pp;
		struct outbox_msg m;
		struct buf body = BUF_INIT;
		char *subject = NULL, *headline;
		int64_t count;

		if (type == NULL) {
			r->problem = xasprintf("no channel '%s' in %s for it",
					       r->channel != NULL ? r->channel : "(none)", c->path);
			continue;
		}
		headline = strcmp(who, p->handle) != 0 ?
			   xasprintf("test page for %s (%s) through %s (%s)", who, p->handle,
				     r->ct->id, kind) :
			   xasprintf("test page for %s through %s (%s)", p->handle, r->ct->id, kind);
		memset(&pp, 0, sizeof(pp));
		pp.event = "incident.page_test";
		pp.person = p->handle;
		pp.ack_url = url;
		pp.user = r->ct->user;
		pp.headline = headline;
		pp.text = "Nothing is wrong: this checks that a page reaches you here. Open the "
			  "link to see that it works; it acknowledges nothing.";
		pp.at = now;
		pp.test = true;
		if ((rc = payload_page(&body, &subject, kind, &pp)) == 0) {
			memset(&m, 0, sizeof(m));
			m.channel = r->channel;
			m.type = type;
			m.recipient = r->ct->type == CONF_CONTACT_EMAIL ? r->ct->address : NULL;
			m.subject = subject;
			m.payload = buf_str(&body);
			m.now = now;
			m.contact = r->contact;
			if ((rc = outbox_queue(&count, cli->store, &m)) == 0 &&
			    (rc = store_outbox_contact_newest(&r->row, cli->store,
							      r->contact)) == 0)
				r->id = r->row.id;
		}
		free(headline);
		free(subject);
		buf_release(&body);
	}
	if (rc != 0) {
		store_rollback(cli->store);
		return rc;
	}
	return store_commit(cli->store);
}

/* Read the rows' states back; true when none is still waiting to be
 * tried. */
static int
page_test_read(bool *settled, struct page_test_row *rows, size_t n, struct store *s)
{
	int rc;

	*settled = true;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].id == 0)
			continue;
		store_outbox_release(&rows[i].row);
		if ((rc = store_outbox_get(&rows[i].row, s, rows[i].id)) != 0)
			return rc;
		if (strcmp(rows[i].row.state, "pending") == 0)
			*settled = false;
	}
	return 0;
}

static void
page_test_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Deliver now: the engine here, until every row was tried or deadline; or,
 * when sitrepd (or 'sitrep deliver') holds the delivery lock, wait for it
 * to try them. *by_daemon says which.
 */
static int
page_test_deliver(bool *by_daemon, struct page_test_row *rows, size_t n, struct cli *cli,
		  int64_t deadline)
{
	struct deliver *e = NULL;
	struct deliver_stats st;
	struct sigaction sa;
	bool settled = false, idle;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	rc = deliver_open(&e, cli->conf);
	*by_daemon = rc == SR_EREFUSED;
	if (rc != 0 && !*by_daemon)
		return rc;
	while ((rc = page_test_read(&settled, rows, n, cli->store)) == 0 && !settled &&
	       clock_now_ms() < deadline) {
		if (e == NULL)
			page_test_sleep(100);
		else if ((rc = deliver_step(e, 100, &idle)) != 0)
			break;
	}
	if (e != NULL) {
		char *why = rc != 0 ? xstrdup(err_last()) : NULL;
		int crc = deliver_close(e, rc == 0 ? 4000 : 0, &st);

		if (why != NULL) {
			rc = err_set(rc, "%s", why);
			free(why);
		} else if (crc != 0)
			rc = crc;
		else
			rc = page_test_read(&settled, rows, n, cli->store);
	}
	return rc;
}

/* One contact's outcome: a line, or an element of --json's array. */
static bool
page_test_report(struct json *arr, const struct page_test_row *r, bool by_daemon)
{
	const struct store_outbox *o = &r->row;
	const char *state = r->id == 0 ? "not queued" : o->state;
	bool sent = r->id != 0 && strcmp(o->state, "sent") == 0;
	const char *kind = conf_contact_type_name(r->ct->type);

	if (arr != NULL) {
		struct json *j = json_new_object();

		json_set_str(j, "contact", r->contact);
		json_set_str(j, "type", kind);
		json_set(j, "outbox_id", json_new_int_or_null(r->id));
		json_set_str(j, "state", state);
		json_set(j, "last_status", json_new_int_or_null(r->id ? o->last_status : 0));
		json_set_str_or_null(j, "last_error", r->problem != NULL ? r->problem :
				     r->id != 0 ? o->last_error : NULL);
		json_append(arr, j);
		return sent;
	}
	printf("%-20s %-16s ", r->contact, kind);
	if (r->id == 0)
		printf("not sent: %s\n", r->problem != NULL ? r->problem : "not queued");
	else if (sent)
		printf("sent\n");
	else if (strcmp(o->state, "pending") == 0)
		printf("not tried yet: still waiting in the outbox (message %lld); %s\n",
		       (long long)o->id, by_daemon ? "sitrepd sends it" :
		       "'sitrep deliver' or sitrepd sends it");
	else if (strcmp(o->state, "retrying") == 0)
		printf("retrying (message %lld): %s\n", (long long)o->id,
		       o->last_error != NULL ? o->last_error : "failed");
	else
		printf("%s (message %lld)%s%s\n", o->state, (long long)o->id,
		       o->last_error != NULL ? ": " : "",
		       o->last_error != NULL ? o->last_error : "");
	return sent;
}

/* sitrep page --test HANDLE */
static int
page_test(struct cli *cli, struct cli_args *args)
{
	const char *handle = cli_args_get(args, "test");
	const struct conf_person *p;
	struct page_test_row *rows;
	struct json *arr = NULL;
	char *url = NULL, *linkerr = NULL;
	int64_t now = clock_now_ms(), lifetime, deadline;
	size_t nsent = 0;
	bool by_daemon = false;
	int rc;

	if (cli_args_has(args, "tier") || cli_args_has(args, "message") || args->argc != 0)
		return cli_usage_error(&cmd_page_entry, "page --test takes a person's handle only: "
				       "'sitrep page --test ana'");
	if ((rc = cli_load_conf(cli)) != 0)
		return cli_fail(rc);
	if ((p = conf_person(cli->conf, handle)) == NULL) {
		cli_error("no person '%s' in %s: 'sitrep people' lists them", handle,
			  cli->conf->path);
		return EXIT_REFUSED;
	}
	if (p->ncontacts == 0) {
		cli_error("'%s' has no contact to test: give them 'contacts' in %s (see "
			  "sitrep.conf(5))", handle, cli->conf->path);
		return EXIT_REFUSED;
	}
	if ((rc = cli_open_store(cli)) != 0)
		return cli_fail(rc);
	lifetime = cli->conf->paging.link_lifetime > 0 ? cli->conf->paging.link_lifetime :
		   24 * 3600;
	if ((url = acklink_url(cli->conf, 0, handle, now + lifetime * 1000)) == NULL)
		linkerr = xstrdup(err_last());
	rows = xcalloc(p->ncontacts, sizeof(*rows));
	for (size_t i = 0; i < p->ncontacts; i++) {
		char buf[160];

		rows[i].ct = &p->contacts[i];
		snprintf(rows[i].contact, sizeof(rows[i].contact), "%s/%s", handle,
			 p->contacts[i].id);
		/* a webhook's channel is named after its contact: keep it */
		rows[i].channel = page_test_channel(buf, sizeof(buf), cli->conf, p,
						    &p->contacts[i]);
		if (rows[i].channel == buf) {
			const struct conf_channel *ch = conf_channel(cli->conf, buf);

			rows[i].channel = ch != NULL ? ch->id : NULL;
		}
	}
	rc = page_test_queue(rows, cli, p, url, now);
	/* each attempt may take delivery.timeout; some slack for the rest */
	deadline = clock_now_ms() + (cli->conf->delivery.timeout > 0 ?
				     cli->conf->delivery.timeout : 10) * 1000 + 10000;
	if (rc == 0)
		rc = page_test_deliver(&by_daemon, rows, p->ncontacts, cli, deadline);
	if (rc != 0) {
		rc = cli_fail(rc);
		goto out;
	}
	if (cli->json)
		arr = json_new_array();
	else
		printf("test page for %s to %zu contact%s%s:\n", handle, p->ncontacts,
		       p->ncontacts == 1 ? "" : "s", by_daemon ? " (sent by sitrepd)" : "");
	for (size_t i = 0; i < p->ncontacts; i++)
		nsent += page_test_report(arr, &rows[i], by_daemon);
	if (cli->json) {
		struct json *j = json_new_object();

		json_set_str(j, "person", handle);
		json_set_str_or_null(j, "ack_url", url);
		json_set_str_or_null(j, "ack_url_error", linkerr);
		json_set(j, "contacts", arr);
		json_set_bool(j, "all_sent", nsent == p->ncontacts && url != NULL);
		cli_print_json(j);
	} else if (url != NULL)
		printf("its acknowledgement link (it acknowledges nothing): %s\n", url);
	rc = EXIT_OK;
	if (url == NULL) {
		cli_error("the test page went without an acknowledgement link: %s", linkerr);
		rc = EXIT_REFUSED;
	}
	if (nsent < p->ncontacts) {
		cli_error("the test page did not reach %zu of %s's %zu contact%s: see above, "
			  "and 'sitrep outbox --state dead'", p->ncontacts - nsent, handle,
			  p->ncontacts, p->ncontacts == 1 ? "" : "s");
		rc = EXIT_REFUSED;
	}
out:
	for (size_t i = 0; i < p->ncontacts; i++) {
		store_outbox_release(&rows[i].row);
		free(rows[i].problem);
	}
	free(rows);
	free(url);
	free(linkerr);
	return rc;
}

static int
page_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct json *req, *res = NULL;
	int64_t id;
	int rc, tier;

	if (cli_args_has(args, "test"))
		return page_test(cli, args);
	if (args->argc >= 1 && strcmp(args->argv[0], "cancel") == 0)
		return page_cancel(cli, args);
	if (cli_args_has(args, "message"))
		return cli_usage_error(&cmd_page_entry, "-m goes with 'page cancel' only");
	if ((rc = page_args(&tier, &cmd_page_entry, args, 2)) >= 0 ||
	    (rc = run(cli, &cmd_page_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	req = json_new_object();
	json_set_int(req, "incident", id);
	json_set_str(req, "role", args->argv[1]);
	json_set_str_or_null(req, "tier", cli_args_get(args, "tier"));
	rc = ops_run(&res, "page", &ctx, req);
	json_free(req);
	if (rc != 0)
		return cli_fail(rc);
	printf("paged %s on INC-%lld: see 'sitrep show INC-%lld'\n", json_get_str(res, "role"),
	       (long long)id, (long long)id);
	json_free(res);
	return EXIT_OK;
}

static int
ack_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct json *req, *res = NULL;
	int64_t id;
	int rc, tier;

	if ((rc = page_args(&tier, &cmd_ack_entry, args, 1)) >= 0 ||
	    (rc = run(cli, &cmd_ack_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	req = json_new_object();
	json_set_int(req, "incident", id);
	rc = ops_run(&res, "ack", &ctx, req);
	json_free(req);
	if (rc != 0)
		return cli_fail(rc);
	printf("%s acknowledged INC-%lld\n", json_get_str(res, "acknowledged_by"),
	       (long long)json_get_int(res, "incident"));
	json_free(res);
	return EXIT_OK;
}

static int
escalate_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	const char *msg = cli_args_get(args, "message");
	bool swarm = cli_args_has(args, "swarm");
	struct json *req, *res = NULL;
	int64_t id;
	int rc, tier;

	if ((rc = page_args(&tier, &cmd_escalate_entry, args, 1)) >= 0 ||
	    (rc = run(cli, &cmd_escalate_entry, args->argv[0], &id, &ctx)) >= 0)
		return rc;
	req = json_new_object();
	json_set_int(req, "incident", id);
	json_set_str_or_null(req, "tier", cli_args_get(args, "tier"));
	json_set_bool(req, "swarm", swarm);
	json_set_str_or_null(req, "note", msg);
	rc = ops_run(&res, "escalate", &ctx, req);
	json_free(req);
	if (rc != 0)
		return cli_fail(rc);
	json_free(res);
	printf("escalated INC-%lld%s: see 'sitrep show INC-%lld'\n", (long long)id,
	       swarm ? " to every tier" : "", (long long)id);
	return EXIT_OK;
}
