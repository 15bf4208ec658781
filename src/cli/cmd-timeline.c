/* cmd-timeline.c: `sitrep timeline INC [--verify] | --anchor`: an incident's
 * events in order, for a human or as JSON, a check of their hash chain, its
 * end and its anchors, and anchoring. Hashing and checking is timeline.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/ops.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-outbox.h"
#include "sitrep/timeline.h"
#include "sitrep/xalloc.h"

static const struct cli_option timeline_options[] = {
	{ "verify", 0, false, NULL },
	{ "anchor", 0, false, NULL },
	{ "account", 0, true, NULL },
	{ NULL, 0, false, NULL }
};
static int timeline_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_timeline_entry = {
	.name = "timeline",
	.usage = "INC [--account ACCOUNT] [--json] | [INC] --verify | --anchor",
	.summary = "an incident's events in order; --verify checks them and their anchors, "
	"--anchor records every incident's head in the playbook repository",
	.options = timeline_options,
	.exec = timeline_exec,
};

/* A JSON array of strings as "a, b, c" (each once), into b. */
static void
add_names(struct cli *cli, struct buf *b, const struct json *arr)
{
	const struct json *v;
	size_t n = 0;

	for (size_t i = 0; (v = json_at(arr, i)) != NULL; i++) {
		const char *s = json_as_str(v);
		bool seen = false;

		if (s == NULL)
			continue;
		for (size_t k = 0; k < i; k++)
			seen |= json_as_str(json_at(arr, k)) != NULL &&
				strcmp(json_as_str(json_at(arr, k)), s) == 0;
		if (!seen)
			buf_addf(b, "%s%s", n++ ? ", " : "", cli_line(cli, s));
	}
}

/* A JSON array of page ids as "PG-3, PG-4", into b. */
static void
add_page_ids(struct buf *b, const struct json *arr)
{
	const struct json *v;

	for (size_t i = 0; (v = json_at(arr, i)) != NULL; i++)
		buf_addf(b, "%sPG-%lld", i ? ", " : "", (long long)json_as_int(v));
}

/*
 * How page page_id's person was notified, from the outbox rows queued with
 * the page: " by mail, phone (webhook)" -- each contact of theirs a rule
 * applied to, its type when the contact's name does not say it; " with no
 * contact" when no rule applied. Nothing when the store cannot say.
 */
static void
add_notified(struct cli *cli, struct buf *b, struct store *st, int64_t page_id)
{
	struct store_outbox *rows;
	size_t n;

	if (st == NULL || page_id <= 0 || store_outbox_page_rows(&rows, &n, st, page_id) != 0)
		return;
	buf_adds(b, n == 0 ? " with no contact" : " by ");
	for (size_t i = 0; i < n; i++) {
		const char *slash = rows[i].contact != NULL ? strchr(rows[i].contact, '/') : NULL;
		const char *id = slash != NULL ? slash + 1 : rows[i].type;

		buf_addf(b, "%s%s", i ? ", " : "", cli_line(cli, id));
		if (strcmp(id, rows[i].type) != 0 && strcmp(rows[i].type, "email") != 0)
			buf_addf(b, " (%s)", rows[i].type);
		else if (strcmp(rows[i].type, "email") == 0 && strcmp(id, "email") != 0 &&
			 strcmp(id, "mail") != 0 && strcmp(id, "e-mail") != 0)
			buf_adds(b, " (email)");
	}
	store_outbox_free(rows, n);
}

/* Who a round of pages went to: " alice@L1 (PG-3) by mail, bob@L2 ...",
 * from the event's people and pages (an event from before issue 13 has no
 * pages: just "alice@L1"). */
static void
add_paged(struct cli *cli, struct buf *b, struct store *st, const struct json *d)
{
	const struct json *people = json_get(d, "people"), *pages = json_get(d, "pages"), *p;

	for (size_t i = 0; (p = json_at(people, i)) != NULL; i++) {
		const struct json *pg = json_at(pages, i);
		const char *sched = json_as_str(json_get(p, "schedule"));

		buf_addf(b, "%s %s@%s", pg != NULL && i ? "," : "",
			 cli_line(cli, json_as_str(json_get(p, "person"))),
			 cli_line(cli, json_as_str(json_get(p, "tier"))));
		if (pg == NULL)
			continue;
		buf_addf(b, " (PG-%lld%s%s)", (long long)json_as_int(pg),
			 sched != NULL ? ", on call for " : "", sched != NULL ? cli_line(cli, sched) : "");
		add_notified(cli, b, st, json_as_int(pg));
	}
}

/* ", told bob and the internal channels (3 messages)", from told/queued. */
static void
add_told(struct cli *cli, struct buf *b, const struct json *d)
{
	const char *told = json_as_str(json_get(d, "told"));
	int64_t queued = json_as_int(json_get(d, "queued"));

	if (told == NULL)
		return;
	buf_addf(b, "; told %s (%lld message%s)", cli_line(cli, told), (long long)queued,
		 queued == 1 ? "" : "s");
}

/* " via ack-link": how, when not the actor's own command line. */
static void
add_via(struct cli *cli, struct buf *b, const struct json *d)
{
	const char *via = json_as_str(json_get(d, "via"));

	if (via != NULL && strncmp(via, "local:", 6) != 0)
		buf_addf(b, " via %s", cli_line(cli, via));
}

/* One line a human reads: what happened, from the event's details (and,
 * for pages, how their people were notified, from the store db). */
static void
describe(struct cli *cli, struct store *db, const struct store_event *e, const struct json *d)
{
	const char *k = e->kind;
	struct buf b = BUF_INIT;
	bool said_reason = false; /* the sentence has the reason in it already */

#define S(key) cli_line(cli, json_as_str(json_get(d, key)) ? \
		json_as_str(json_get(d, key)) : "")
	if (strcmp(k, "opened") == 0)
		printf("opened '%s' from %s@%.7s at %s", S("title"), S("playbook"),
		       S("commit"), S("severity"));
	else if (strcmp(k, "status") == 0)
		printf("status %s -> %s", S("from"), S("to"));
	else if (strcmp(k, "severity") == 0)
		printf("severity %s -> %s", S("from"), S("to"));
	else if (strcmp(k, "component") == 0)
		printf("component %s is %s", S("component"), S("status"));
	else if (strcmp(k, "variables") == 0) {
		struct json_iter it = JSON_ITER_INIT;
		int n = 0;

		printf("set");
		while (json_next(&it, json_get(d, "set")))
			printf("%s %s = '%s'", n++ ? "," : "", it.key, json_as_str(it.value));
	}
	else if (strcmp(k, "resolved") == 0)
		printf("resolved (was %s)", S("from"));
	else if (strcmp(k, "reopened") == 0)
		printf("reopened");
	else if (strcmp(k, "role_taken") == 0)
		printf("took the role %s", S("role"));
	else if (strcmp(k, "role_assigned") == 0)
		printf("assigned the role %s to %s", S("role"), S("person"));
	else if (strcmp(k, "role_released") == 0)
		printf("released %s from the role %s", S("person"), S("role"));
	else if (strcmp(k, "role_handoff") == 0)
		printf("handed the role %s from %s to %s", S("role"), S("from"), S("to"));
	else if (strcmp(k, "step_done") == 0)
		printf("step %s done", S("step"));
	else if (strcmp(k, "step_skipped") == 0)
		printf("step %s skipped", S("step"));
	else if (strcmp(k, "paged") == 0 || strcmp(k, "escalated") == 0) {
		buf_addf(&b, "%s %s", strcmp(k, "paged") == 0 ? "paged" : "escalated", S("role"));
		if (json_as_str(json_get(d, "from")) != NULL)
			buf_addf(&b, " from %s", S("from"));
		add_via(cli, &b, d);
		buf_addf(&b, " (%s):", S("mode"));
		add_paged(cli, &b, db, d);
		fputs(buf_str(&b), stdout);
	} else if (strcmp(k, "acknowledged") == 0) {
		const struct json *roles = json_get(d, "roles"), *covered = json_get(d, "covered");

		if (json_size(roles) == 0) {
			buf_adds(&b, "acknowledged the page");
		} else {
			buf_addf(&b, "acknowledged the page%s for ", json_size(roles) > 1 ? "s" : "");
			add_names(cli, &b, roles);
		}
		if (json_size(json_get(d, "pages")) > 0) {
			buf_adds(&b, " (");
			add_page_ids(&b, json_get(d, "pages"));
			buf_adds(&b, ")");
		}
		add_via(cli, &b, d);
		if (json_size(covered) > 0) {
			buf_adds(&b, json_size(covered) > 1 ? "; covers the pages of " :
				 "; covers the page of ");
			add_names(cli, &b, covered);
		}
		fputs(buf_str(&b), stdout);
	} else if (strcmp(k, "page_cancelled") == 0) {
		const struct json *pages = json_get(d, "pages");

		buf_addf(&b, "cancelled the page%s for %s to ", json_size(pages) > 1 ? "s" : "",
			 S("role"));
		add_names(cli, &b, json_get(d, "people"));
		buf_adds(&b, " (");
		add_page_ids(&b, pages);
		buf_adds(&b, ")");
		add_via(cli, &b, d);
		fputs(buf_str(&b), stdout);
	} else if (strcmp(k, "page_declined") == 0) {
		buf_addf(&b, "can't take %s (PG-%lld)", S("role"),
			 (long long)json_as_int(json_get(d, "page")));
		add_via(cli, &b, d);
		buf_adds(&b, ", and there is no further tier to page");
		add_told(cli, &b, d);
		fputs(buf_str(&b), stdout);
		said_reason = true; /* "alice can't take it (PG-3)" */
	} else if (strcmp(k, "page_undeliverable") == 0) {
		buf_addf(&b, "nobody can tell %s of the page for %s (PG-%lld)", S("person"),
			 S("role"), (long long)json_as_int(json_get(d, "page")));
		add_told(cli, &b, d);
		fputs(buf_str(&b), stdout);
	} else if (strcmp(k, "page_exhausted") == 0) {
		if (json_as_str(json_get(d, "reason")) != NULL) {
			buf_adds(&b, S("reason"));
			said_reason = true;
		} else
			buf_addf(&b, "nobody acknowledged the page for %s at the last tier", S("role"));
		if (json_size(json_get(d, "people")) > 0) {
			buf_adds(&b, " (paged: ");
			add_names(cli, &b, json_get(d, "people"));
			buf_adds(&b, ")");
		}
		add_told(cli, &b, d);
		fputs(buf_str(&b), stdout);
	} else if (strcmp(k, "repaged") == 0) {
		buf_addf(&b, "paged %s again for %s (PG-%lld, after acknowledging PG-%lld)",
			 S("person"), S("role"), (long long)json_as_int(json_get(d, "page")),
			 (long long)json_as_int(json_get(d, "acked_page")));
		add_notified(cli, &b, db, json_as_int(json_get(d, "page")));
		fputs(buf_str(&b), stdout);
	}
	else if (strcmp(k, "update_published") == 0 || strcmp(k, "apology_published") == 0) {
		const struct json *st = json_get(d, "status");
		int64_t after = json_as_int(json_get(d, "after_open_ms"));

		printf("published %s UPD-%lld to %s%s%s: %lld message%s queued",
		       k[0] == 'a' ? "apology" : "update",
		       (long long)json_as_int(json_get(d, "update")), S("audience"),
		       json_get(d, "account") ? ", account " : "",
		       json_get(d, "account") ? S("account") : "",
		       (long long)json_as_int(json_get(d, "queued")),
		       json_as_int(json_get(d, "queued")) == 1 ? "" : "s");
		if (k[0] == 'a')
			printf(", %lldh %02lldm after the incident opened",
			       (long long)(after / 3600000), (long long)(after / 60000 % 60));
		if (st != NULL)
			printf(" (status %s -> %s)",
			       json_as_str(json_get(st, "from")),
			       json_as_str(json_get(st, "to")));
	} else if (strcmp(k, "update_drafted") == 0 || strcmp(k, "apology_drafted") == 0)
		printf("drafted %s UPD-%lld to %s, %s", k[0] == 'a' ? "apology" : "update",
		       (long long)json_as_int(json_get(d, "update")), S("audience"),
		       json_as_bool(json_get(d, "approval")) || !json_get(d,
		       "publish_at") ? "waiting for approval" : "scheduled");
	else if (strcmp(k, "update_approved") == 0 || strcmp(k, "apology_approved") == 0)
		printf("approved UPD-%lld by %s to %s",
		       (long long)json_as_int(json_get(d, "update")), S("author"),
		       S("audience"));
	else if (strcmp(k, "update_withdrawn") == 0 || strcmp(k, "apology_withdrawn") == 0)
		printf("withdrew UPD-%lld to %s",
		       (long long)json_as_int(json_get(d, "update")), S("audience"));
	else if (strcmp(k, "reminder") == 0)
		printf("reminded (%s): %s", S("reminder"), S("text"));
	else if (strcmp(k, "touchpoint") == 0)
		printf("contacted %s by %s: %s", S("account"), S("via"), S("summary"));
	else if (strcmp(k, "closed") == 0)
		printf("closed%s", json_as_bool(json_get(d, "forced")) ?
		       " with required steps open" : "");
	else
		printf("%s %s", cli_line(cli, k), cli_line(cli, e->details));
	/* the pages a role change or the incident's end ended (issue 13) */
	if (json_as_int(json_get(d, "pages_covered")) > 0)
		printf("; %lld open page%s for it ended, covered",
		       (long long)json_as_int(json_get(d, "pages_covered")),
		       json_as_int(json_get(d, "pages_covered")) == 1 ? "" : "s");
	if (json_as_int(json_get(d, "pages_ended")) > 0)
		printf("; %lld open page%s ended with it",
		       (long long)json_as_int(json_get(d, "pages_ended")),
		       json_as_int(json_get(d, "pages_ended")) == 1 ? "" : "s");
	if (json_get(d, "note") != NULL && json_kind(json_get(d, "note")) == JSON_KIND_STRING)
		printf(": %s", S("note"));
	if (!said_reason && json_get(d, "reason") != NULL &&
	    json_kind(json_get(d, "reason")) == JSON_KIND_STRING)
		printf(": %s", S("reason"));
	buf_release(&b);
#undef S
}

/*
 * Verify incidents (one, or all when id is 0): each chain, its end against
 * the incident's record, and the latest anchors in the playbook repository.
 * With anchor, record the heads as the new anchors once all verify.
 */
static int
verify_exec(struct cli *cli, struct incident_ctx *ctx, int64_t id, bool anchor)
{
	struct store_incident *incs = NULL;
	struct timeline_anchor *anchors = NULL, *heads = NULL;
	size_t ninc = 0, nanchors = 0, nbad = 0;
	char sha[41] = "", nsha[41];
	struct json *arr = cli->json ? json_new_array() : NULL;
	int rc;

	if ((rc = cli_open_repo(cli)) != 0)
		goto fail;
	ctx->repo = cli->repo;
	if ((rc = timeline_anchors_load(&anchors, &nanchors, sha, ctx->repo)) != 0)
		goto fail;
	if (id != 0) {
		incs = xcalloc(1, sizeof(*incs));
		if ((rc = store_incident_get(&incs[0], ctx->store, id)) != 0)
			goto fail;
		ninc = 1;
	} else if ((rc = store_incidents_list(&incs, &ninc, ctx->store, true)) != 0)
		goto fail;
	heads = xcalloc(ninc + 1, sizeof(*heads));
	/* oldest first, as a reader of the anchors expects */
	for (size_t k = ninc; k-- > 0;) {
		const struct store_incident *inc = &incs[k];
		const struct timeline_anchor *a = timeline_anchor_find(anchors, nanchors, inc->id);
		struct store_event *v = NULL;
		size_t n = 0;
		long bad = -1;
		int bad_rc;

		if ((rc = store_events_get(&v, &n, ctx->store, inc->id)) != 0)
			goto fail;
		bad_rc = timeline_check(&bad, inc, v, n, a);
		if (bad_rc != 0) {
			nbad++;
			cli_error("%s", err_last());
		} else if (!cli->json && !anchor)
			printf("INC-%lld: %zu events, the hash chain verifies%s\n",
			       (long long)inc->id, n, a != NULL ?
			       " and agrees with its anchor" : "");
		if (arr != NULL) {
			struct json *e = json_new_object();

			json_set_int(e, "incident", inc->id);
			json_set_int(e, "events", n);
			json_set_int(e, "recorded_events", inc->event_count);
			json_set(e, "anchored_events", a != NULL ? json_new_int(a->count) :
				 json_new_null());
			json_set_bool(e, "verified", bad_rc == 0);
			json_set(e, "first_bad_event", bad >= 0 ? json_new_int(v[bad].id) :
				 json_new_null());
			json_set_str_or_null(e, "problem", bad_rc != 0 ? err_last() : NULL);
			json_append(arr, e);
		}
		heads[ninc - 1 - k].incident_id = inc->id;
		heads[ninc - 1 - k].count = (int64_t)n;
		snprintf(heads[ninc - 1 - k].hash, sizeof(heads[0].hash), "%s",
			 n > 0 ? v[n - 1].hash : "");
		store_events_free(v, n);
	}
	/* an anchored incident the store no longer has */
	for (size_t i = 0; id == 0 && i < nanchors; i++) {
		bool found = false;

		for (size_t k = 0; k < ninc; k++)
			found |= incs[k].id == anchors[i].incident_id;
		if (found)
			continue;
		nbad++;
		err_set(SR_EINVALID, "INC-%lld: anchored with %lld events in the playbook "
			"repository (%s), but the store has no such incident",
			(long long)anchors[i].incident_id, (long long)anchors[i].count,
			TIMELINE_ANCHOR_REF);
		cli_error("%s", err_last());
		if (arr != NULL) {
			struct json *e = json_new_object();

			json_set_int(e, "incident", anchors[i].incident_id);
			json_set_int(e, "events", 0);
			json_set(e, "recorded_events", json_new_null());
			json_set_int(e, "anchored_events", anchors[i].count);
			json_set_bool(e, "verified", false);
			json_set(e, "first_bad_event", json_new_null());
			json_set_str(e, "problem", err_last());
			json_append(arr, e);
		}
	}
	if (nbad > 0) {
		if (anchor)
			cli_error("the timelines were not anchored: %zu incident%s did not "
				  "verify", nbad, nbad == 1 ? "" : "s");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (anchor) {
		if ((rc = timeline_anchors_save(nsha, ctx->repo, heads, ninc)) != 0)
			goto fail;
		if (!cli->json)
			printf("anchored %zu incident%s in %s at %.7s (%s)\n", ninc,
			       ninc == 1 ? "" : "s", TIMELINE_ANCHOR_REF, nsha,
			       ctx->conf->playbooks);
		else {
			struct json *j = json_new_object();

			json_set_str(j, "ref", TIMELINE_ANCHOR_REF);
			json_set_str(j, "commit", nsha);
			json_set(j, "incidents", arr);
			cli_print_json(j);
			arr = NULL;
		}
	} else if (!cli->json && id == 0)
		printf("%zu incident%s verif%s; %s\n", ninc, ninc == 1 ? "" : "s",
		       ninc == 1 ? "ies" : "y", sha[0] ? "the store agrees with the latest anchors, in "
		       TIMELINE_ANCHOR_REF : "no anchors recorded yet (run 'sitrep "
		       "timeline --anchor')");
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(rc);
out:
	if (arr != NULL) {
		if (!anchor || rc != EXIT_OK)
			cli_write_json(id != 0 && json_size(arr) == 1 ? json_at(arr, 0) : arr);
		json_free(arr);
	}
	store_incidents_free(incs, ninc);
	free(anchors);
	free(heads);
	return rc;
}

static int
timeline_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct store_incident inc;
	struct store_event *v = NULL;
	size_t n = 0;
	bool verify = cli_args_has(args, "verify"), anchor = cli_args_has(args, "anchor");
	const char *account = cli_args_get(args, "account");
	struct json *arr = NULL, *req;
	char *why;
	long bad;
	int rc, rc2;
	int64_t id = 0;

	if (anchor && (verify || account != NULL || args->argc != 0))
		return cli_usage_error(&cmd_timeline_entry, "--anchor records every incident: "
				       "give no incident, --verify or --account");
	if (!anchor && !(verify && args->argc == 0) && args->argc != 1)
		return cli_usage_error(&cmd_timeline_entry, "name one incident, like INC-7");
	if (args->argc > 0 &&
	    (rc = cli_incident_id(&id, &cmd_timeline_entry, args->argv[0])) != 0)
		return rc;
	if (account != NULL && verify)
		return cli_usage_error(&cmd_timeline_entry, "--verify checks the whole timeline: "
				       "drop --account");
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	if (verify || anchor)
		return verify_exec(cli, &ctx, id, anchor);
	if ((rc = store_incident_get(&inc, ctx.store, id)) != 0)
		return cli_fail(rc);
	if (account != NULL && conf_account(ctx.conf, account) == NULL) {
		store_incident_release(&inc);
		return cli_fail(err_set(SR_ENOTFOUND, "no account '%s' in %s", account,
					ctx.conf->path));
	}
	if ((rc = store_events_get(&v, &n, ctx.store, id)) != 0) {
		store_incident_release(&inc);
		return cli_fail(rc);
	}
	rc = timeline_check(&bad, &inc, v, n, NULL);
	store_incident_release(&inc);
	/* what timeline_check found, kept from the reading below */
	why = rc != 0 ? xstrdup(err_last()) : NULL;
	/* the events as the timeline operation gives them (the API's too) */
	req = json_new_object();
	json_set_int(req, "incident", id);
	if (account != NULL)
		json_set_str(req, "account", account);
	rc2 = ops_run(&arr, "timeline", &ctx, req);
	json_free(req);
	if (rc2 != 0) {
		free(why);
		store_events_free(v, n);
		return cli_fail(rc2);
	}
	for (size_t i = 0; !cli->json && i < json_size(arr); i++) {
		const struct json *e = json_at(arr, i);
		struct buf details = BUF_INIT;
		struct store_event ev;

		/* the details as stored, for a kind shown as it is */
		if (json_dump(&details, json_get(e, "details"), JSON_STYLE_SORTED) != 0)
			buf_reset(&details);
		memset(&ev, 0, sizeof(ev));
		ev.id = json_get_int(e, "id");
		ev.kind = (char *)json_get_str(e, "kind");
		ev.details = (char *)buf_str(&details);
		printf("%s  %-10s ", json_get_str(e, "at"), cli_line(cli, json_get_str(e, "actor")));
		describe(cli, ctx.store, &ev, json_get(e, "details"));
		putchar('\n');
		buf_release(&details);
	}
	if (cli->json)
		cli_print_json(arr);
	else
		json_free(arr);
	if (rc != 0 && bad >= 0)
		cli_error("warning: the timeline was altered at event %lld: run "
			  "'sitrep timeline INC-%lld --verify'", (long long)v[bad].id, (long long)id);
	else if (rc != 0)
		cli_error("warning: %s: run 'sitrep timeline INC-%lld --verify'", why,
			  (long long)id);
	free(why);
	store_events_free(v, n);
	return EXIT_OK;
}
