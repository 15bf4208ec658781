/* cmd-people.c: `sitrep people [--json]`: everyone in the site config with
 * their contacts (never a secret: a webhook's URL and signing secret only
 * by the variable or file they come from), notify rules, rosters, the
 * on-call schedules they are on and whether they are on call now, and how
 * the last notification to each contact went. The config is conf.c's,
 * schedules rota.c's, the outbox rows store-outbox.c's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/json.h"
#include "sitrep/oncall.h"
#include "sitrep/rota.h"
#include "sitrep/store-outbox.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

static int people_exec(struct cli *, struct cli_args *);
const struct cmd_entry cmd_people_entry = {
	.name = "people",
	.usage = "[--json]",
	.summary = "everyone who can be paged: contacts, notify rules, schedules, on call "
		   "now, last delivery to each contact",
	.help = "Everyone in the site config: name, tier and the rosters they are on, the\n"
	"on-call schedules at the configured branch whose layers list them (and\n"
	"whether they are on call now), and each contact: its type, where it\n"
	"goes (an address; a channel and user id; for a webhook only the\n"
	"environment variable or file its URL and secret come from, never\n"
	"them), its notify rules, and the last notification sent to it (sent,\n"
	"retrying or dead, when, the last error). 'sitrep page --test HANDLE'\n"
	"checks every contact of one person.\n",
	.exec = people_exec,
};

/* What the people are on: the schedules at the branch head, or why they
 * could not be read. */
struct people_view {
	const struct conf *conf;
	struct rota *rota;          /* NULL when it could not be read */
	struct store_outbox *last;  /* the newest tried row per contact */
	size_t nlast;
	int64_t now;
};

static const struct store_outbox *
last_delivery(const struct people_view *v, const char *handle, const char *id)
{
	size_t hl = strlen(handle);

	for (size_t i = 0; i < v->nlast; i++) {
		const char *c = v->last[i].contact;

		if (c != NULL && strncmp(c, handle, hl) == 0 && c[hl] == '/' &&
		    strcmp(c + hl + 1, id) == 0)
			return &v->last[i];
	}
	return NULL;
}

/* When a tried row's state began: sent at, died at, or the next attempt
 * of a retrying one. */
static int64_t
delivery_time(const struct store_outbox *o)
{
	return strcmp(o->state, "sent") == 0 ? o->sent_at : o->next_at;
}

static bool
layer_lists(const struct oncall_schedule *s, const char *handle)
{
	for (size_t i = 0; i < s->nlayers; i++)
		for (size_t k = 0; k < s->layers[i].npeople; k++)
			if (strcmp(s->layers[i].people[k], handle) == 0)
				return true;
	return false;
}

/* Whether handle is on schedule name's layers, or on call for it now (an
 * override); *oncall and *until say the latter. */
static bool
on_schedule(bool *oncall, int64_t *until, const struct people_view *v,
	    const struct rota_schedule *rs, const char *handle)
{
	const char *who = NULL;

	*oncall = false;
	*until = INT64_MAX;
	if (rs->s == NULL)
		return false;
	if (rota_who(&who, until, v->rota, rs->name, v->now) == 0 && who != NULL &&
	    strcmp(who, handle) == 0)
		*oncall = true;
	return *oncall || layer_lists(rs->s, handle);
}

static bool
in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The rosters of person p: "L1", "L2 via ops-primary". */
static void
rosters(struct buf *b, struct json *arr, const struct people_view *v,
	const struct conf_person *p)
{
	for (int t = 0; t < 5; t++) {
		const struct conf_tier *tier = &v->conf->tiers[t];
		char name[16], *via = NULL;

		snprintf(name, sizeof(name), "L%d", t);
		if (p->tier == t || in_list(tier->people, tier->npeople, p->handle)) {
			if (b != NULL)
				buf_addf(b, "%s%s", b->len ? ", " : "", name);
			if (arr != NULL)
				json_append_str(arr, name);
			continue;
		}
		for (size_t k = 0; v->rota != NULL && k < tier->nschedules && via == NULL; k++) {
			const struct rota_schedule *rs = rota_schedule(v->rota, tier->schedules[k]);
			bool oncall;
			int64_t until;

			if (rs != NULL && on_schedule(&oncall, &until, v, rs, p->handle))
				via = tier->schedules[k];
		}
		if (via == NULL)
			continue;
		if (b != NULL)
			buf_addf(b, "%s%s via %s", b->len ? ", " : "", name, via);
		if (arr != NULL) {
			char *s = xasprintf("%s via %s", name, via);

			json_append_str(arr, s);
			free(s);
		}
	}
}

/* Where a contact goes, for a reader: never a secret. */
static void
contact_where(struct buf *b, const struct conf *c, const struct conf_contact *ct)
{
	const struct conf_channel *ch = ct->channel != NULL ? conf_channel(c, ct->channel) : NULL;

	switch (ct->type) {
	case CONF_CONTACT_EMAIL:
		buf_adds(b, ct->address != NULL ? ct->address : "-");
		if (ct->channel != NULL)
			buf_addf(b, " via %s", ct->channel);
		break;
	case CONF_CONTACT_WEBHOOK:
		if (ch != NULL && ch->url_env != NULL)
			buf_addf(b, "URL from $%s", ch->url_env);
		else if (ch != NULL && ch->url_file != NULL)
			buf_addf(b, "URL from file %s", ch->url_file);
		else
			buf_adds(b, "URL not set");
		if (ch != NULL && ch->secret_env != NULL)
			buf_addf(b, ", signed ($%s)", ch->secret_env);
		else if (ch != NULL && ch->secret_file != NULL)
			buf_addf(b, ", signed (file %s)", ch->secret_file);
		else
			buf_adds(b, ", unsigned");
		break;
	default:
		buf_addf(b, "%s in %s", ct->user != NULL ? ct->user : "-",
			 ct->channel != NULL ? ct->channel : "-");
		break;
	}
}

/* A rule as a reader says it: "at once", "after 2m, SEV1-SEV2". */
static void
rule_text(struct buf *b, const struct conf_notify *r)
{
	char d[32];

	if (r->after == 0)
		buf_adds(b, "at once");
	else {
		duration_format(d, sizeof(d), r->after);
		buf_addf(b, "after %s", d);
	}
	if (r->min_severity == 1)
		buf_adds(b, ", SEV1 only");
	else if (r->min_severity > 1)
		buf_addf(b, ", SEV1-%s", vocab_severity_name(r->min_severity));
}

static struct json *
delivery_json(const struct store_outbox *o)
{
	struct json *j;

	if (o == NULL)
		return json_new_null();
	j = json_new_object();
	json_set_str(j, "state", o->state);
	json_set_time(j, "at", delivery_time(o));
	json_set_int(j, "attempts", o->attempts);
	json_set(j, "last_status", json_new_int_or_null(o->last_status));
	json_set_str_or_null(j, "last_error", o->last_error);
	json_set(j, "incident", json_new_int_or_null(o->incident_id));
	json_set(j, "page", json_new_int_or_null(o->page_id));
	json_set_int(j, "outbox_id", o->id);
	return j;
}

static struct json *
contact_json(const struct people_view *v, const struct conf_person *p, size_t i)
{
	const struct conf_contact *ct = &p->contacts[i];
	const struct conf_channel *ch = ct->channel != NULL ? conf_channel(v->conf, ct->channel) :
					NULL;
	struct json *j = json_new_object(), *rules = json_new_array();
	char *full = xasprintf("%s/%s", p->handle, ct->id);

	json_set_str(j, "id", ct->id);
	json_set_str(j, "contact", full);
	json_set_str(j, "type", conf_contact_type_name(ct->type));
	json_set_str_or_null(j, "channel", ct->channel);
	if (ct->type == CONF_CONTACT_EMAIL)
		json_set_str_or_null(j, "address", ct->address);
	else if (ct->type == CONF_CONTACT_WEBHOOK) {
		/* where the secrets come from, never what they are */
		json_set_str_or_null(j, "url_env", ch != NULL ? ch->url_env : NULL);
		json_set_str_or_null(j, "url_file", ch != NULL ? ch->url_file : NULL);
		json_set_str_or_null(j, "secret_env", ch != NULL ? ch->secret_env : NULL);
		json_set_str_or_null(j, "secret_file", ch != NULL ? ch->secret_file : NULL);
	} else
		json_set_str_or_null(j, "user", ct->user);
	for (size_t k = 0; k < p->nnotify; k++) {
		struct json *r;

		if (p->notify[k].contact != i)
			continue;
		r = json_new_object();
		json_set_int(r, "after", p->notify[k].after);
		json_set(r, "min_severity", p->notify[k].min_severity > 0 ?
			 json_new_string(vocab_severity_name(p->notify[k].min_severity)) :
			 json_new_null());
		json_append(rules, r);
	}
	json_set(j, "notify", rules);
	json_set(j, "last_delivery", delivery_json(last_delivery(v, p->handle, ct->id)));
	free(full);
	return j;
}

static struct json *
person_json(const struct people_view *v, const struct conf_person *p)
{
	struct json *j = json_new_object(), *scheds = json_new_array();
	struct json *ros = json_new_array(), *contacts = json_new_array();
	bool oncall_any = false;

	json_set_str(j, "handle", p->handle);
	json_set_str_or_null(j, "name", p->name);
	json_set(j, "tier", p->tier >= 0 ? json_new_int(p->tier) : json_new_null());
	rosters(NULL, ros, v, p);
	json_set(j, "rosters", ros);
	for (size_t i = 0; v->rota != NULL && i < v->rota->n; i++) {
		const struct rota_schedule *rs = &v->rota->v[i];
		struct json *s;
		bool oncall;
		int64_t until;

		if (!on_schedule(&oncall, &until, v, rs, p->handle))
			continue;
		s = json_new_object();
		json_set_str(s, "name", rs->name);
		json_set_bool(s, "on_call", oncall);
		json_set(s, "until", oncall && until != INT64_MAX ? json_new_time(until) :
			 json_new_null());
		json_append(scheds, s);
		oncall_any = oncall_any || oncall;
	}
	json_set(j, "schedules", scheds);
	json_set_bool(j, "on_call", oncall_any);
	for (size_t i = 0; i < p->ncontacts; i++)
		json_append(contacts, contact_json(v, p, i));
	json_set(j, "contacts", contacts);
	return j;
}

/* The people table's line for p, and its schedules' text in sched. */
static void
person_line(struct cli *cli, const struct people_view *v, const struct conf_person *p)
{
	struct buf sched = BUF_INIT, oncall = BUF_INIT, ros = BUF_INIT;
	char tier[16] = "-";

	for (size_t i = 0; v->rota != NULL && i < v->rota->n; i++) {
		const struct rota_schedule *rs = &v->rota->v[i];
		bool on;
		int64_t until;

		if (!on_schedule(&on, &until, v, rs, p->handle))
			continue;
		buf_addf(&sched, "%s%s", sched.len ? ", " : "", rs->name);
		if (on) {
			char when[CLOCK_WHEN_MAX];

			buf_addf(&oncall, "%s%s", oncall.len ? ", " : "", rs->name);
			if (until != INT64_MAX) {
				clock_format_when(when, sizeof(when), until, v->now);
				buf_addf(&oncall, " until %s", when);
			}
		}
	}
	rosters(&ros, NULL, v, p);
	if (p->tier >= 0)
		snprintf(tier, sizeof(tier), "L%d", p->tier);
	printf("%-10s %-20s %-4s %-14s %-24s %s\n", cli_line(cli, p->handle),
	       cli_line(cli, p->name != NULL ? p->name : "-"), tier,
	       ros.len ? buf_str(&ros) : "-", sched.len ? buf_str(&sched) : "-",
	       oncall.len ? buf_str(&oncall) : "no");
	buf_release(&sched);
	buf_release(&oncall);
	buf_release(&ros);
}

static void
contact_line(struct cli *cli, const struct people_view *v, const struct conf_person *p,
	     size_t i)
{
	const struct conf_contact *ct = &p->contacts[i];
	const struct store_outbox *o = last_delivery(v, p->handle, ct->id);
	struct buf where = BUF_INIT, rules = BUF_INIT, last = BUF_INIT;
	char *full = xasprintf("%s/%s", p->handle, ct->id);

	contact_where(&where, v->conf, ct);
	for (size_t k = 0; k < p->nnotify; k++) {
		if (p->notify[k].contact != i)
			continue;
		if (rules.len)
			buf_adds(&rules, "; ");
		rule_text(&rules, &p->notify[k]);
	}
	if (o == NULL)
		buf_adds(&last, "never");
	else {
		char when[CLOCK_WHEN_MAX];

		clock_format_when(when, sizeof(when), delivery_time(o), v->now);
		buf_addf(&last, "%s %s%s", o->state, strcmp(o->state, "retrying") == 0 ?
			 "again at " : "", when);
		if (strcmp(o->state, "sent") != 0 && o->last_error != NULL)
			buf_addf(&last, ": %s", o->last_error);
	}
	printf("%-18s %-16s %-36s %-20s %s\n", cli_line(cli, full),
	       conf_contact_type_name(ct->type), cli_line(cli, buf_str(&where)),
	       rules.len ? buf_str(&rules) : "never notified",
	       cli_line(cli, buf_str(&last)));
	free(full);
	buf_release(&where);
	buf_release(&rules);
	buf_release(&last);
}

static int
people_exec(struct cli *cli, struct cli_args *args)
{
	struct incident_ctx ctx;
	struct people_view v;
	const struct conf *c;
	int rc;

	if ((rc = cli_args_count(args, &cmd_people_entry, 0)) >= 0)
		return rc;
	if ((rc = cli_incident_ctx(&ctx, cli)) != 0)
		return cli_fail(rc);
	memset(&v, 0, sizeof(v));
	c = v.conf = cli->conf;
	v.now = clock_now_ms();
	if ((rc = store_outbox_contacts_last(&v.last, &v.nlast, cli->store)) != 0)
		return cli_fail(rc);
	/* without the playbook repository the rest is still worth showing */
	if (rota_load(&v.rota, &ctx) != 0) {
		cli_error("on-call schedules not shown: %s", err_last());
		v.rota = NULL;
	}
	if (cli->json) {
		struct json *j = json_new_object(), *arr = json_new_array();

		for (size_t i = 0; i < c->npeople; i++)
			json_append(arr, person_json(&v, &c->people[i]));
		json_set(j, "at", json_new_time(v.now));
		json_set(j, "commit", v.rota != NULL ? json_new_string(v.rota->sha) :
			 json_new_null());
		json_set(j, "people", arr);
		cli_print_json(j);
	} else if (c->npeople == 0)
		printf("nobody in %s: add 'people' (see sitrep.conf(5))\n", c->path);
	else {
		bool any = false;

		printf("%-10s %-20s %-4s %-14s %-24s %s\n", "HANDLE", "NAME", "TIER", "ROSTERS",
		       "SCHEDULES", "ON CALL NOW");
		for (size_t i = 0; i < c->npeople; i++) {
			person_line(cli, &v, &c->people[i]);
			any = any || c->people[i].ncontacts > 0;
		}
		if (any)
			printf("\n%-18s %-16s %-36s %-20s %s\n", "CONTACT", "TYPE", "WHERE", "NOTIFY",
			       "LAST DELIVERY");
		for (size_t i = 0; i < c->npeople; i++)
			for (size_t k = 0; k < c->people[i].ncontacts; k++)
				contact_line(cli, &v, &c->people[i], k);
	}
	rota_free(v.rota);
	store_outbox_free(v.last, v.nlast);
	return EXIT_OK;
}
