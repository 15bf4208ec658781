/* testws.h: a real workspace for the domain unit tests (test_incident.c,
 * test_roles.c, test_schedule.c): a site config, a git repository of playbooks and a store
 * in a temp dir, an incident_ctx over them, and a text of everything the
 * store holds about an incident, to show a refused change left it as it
 * was; and incidents written straight through the store's functions, for
 * tests that need the rows without a playbook. Include after testutil.h. */
#ifndef SITREP_TESTWS_H
#define SITREP_TESTWS_H

#include <stdbool.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/repo.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"

struct testws {
	char *dir;
	struct conf *conf;
	struct repo *repo;
	struct store *store;
	struct incident_ctx ctx;
	char sha[41]; /* the playbooks' commit on main */
};

/* Fail the test with err_last() when call does not return 0. */
#define TESTWS_CHECK(call) do { \
	if ((call) != 0) \
		fail_msg("%s: %s", #call, err_last()); \
} while (0)

/* A workspace from the site config conf_text and n playbooks (names are
 * file names, "outage.playbook"), acting as alice at the fake time at. */
static inline void
testws_open(struct testws *w, const char *conf_text, char *const *names,
	    char *const *texts, size_t n, int64_t at)
{
	struct diags d = DIAGS_INIT;
	char path[4200];

	memset(w, 0, sizeof(*w));
	clock_set_fake(at);
	w->dir = testutil_tmpdir();
	if (conf_parse(&w->conf, &d, conf_text, "sitrep.conf", w->dir) != 0) {
		diag_print(&d, stderr);
		fail_msg("the test's site config is invalid");
	}
	diag_release(&d);
	snprintf(path, sizeof(path), "%s/playbooks", w->dir);
	if (repo_create_seeded(path, "main", names, texts, n, "Test playbooks") != 0)
		fail_msg("repo_create_seeded: %s", err_last());
	if (repo_open(&w->repo, path) != 0 || repo_resolve(w->sha, w->repo, "main") != 0)
		fail_msg("the playbook repository: %s", err_last());
	snprintf(path, sizeof(path), "%s/sitrep.db", w->dir);
	if (store_create(&w->store, path) != 0)
		fail_msg("store_create: %s", err_last());
	w->ctx.conf = w->conf;
	w->ctx.repo = w->repo;
	w->ctx.store = w->store;
	w->ctx.actor = "alice";
}

static inline void
testws_close(struct testws *w)
{
	store_close(w->store);
	repo_free(w->repo);
	conf_free(w->conf);
	if (w->dir != NULL)
		testutil_rmtree(w->dir);
	free(w->dir);
	memset(w, 0, sizeof(*w));
	clock_set_fake(0);
}

/* The workspace's context acting as who. */
static inline struct incident_ctx *
testws_as(struct testws *w, const char *who)
{
	w->ctx.actor = who;
	w->ctx.daemon = false;
	return &w->ctx;
}

/*
 * Everything the store holds about incident id, one line per row: the
 * incident, its components, variables, holders, steps, pages and events.
 * Two texts are equal when a change left the incident as it was. The
 * caller frees.
 */
static inline char *
testws_incident_text(struct testws *w, int64_t id)
{
	struct store_incident inc;
	struct store_component *c;
	struct store_var *v;
	struct store_holder *h;
	struct store_step *st;
	struct store_page *p;
	struct store_event *e;
	struct buf b = BUF_INIT;
	size_t n;

	TESTWS_CHECK(store_incident_get(&inc, w->store, id));
	buf_addf(&b, "INC-%lld %s %s %s SEV%d %s %s %lld %lld %lld %lld %lld %s\n",
		 (long long)inc.id, inc.playbook, inc.commit, inc.title, inc.severity,
		 inc.status, inc.public_title, (long long)inc.opened_at,
		 (long long)inc.updated_at, (long long)inc.resolved_at,
		 (long long)inc.closed_at, (long long)inc.event_count, inc.head_hash);
	store_incident_release(&inc);
	TESTWS_CHECK(store_components_get(&c, &n, w->store, id));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "component %s %s\n", c[i].component, c[i].status);
	store_components_free(c, n);
	TESTWS_CHECK(store_vars_get(&v, &n, w->store, id));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "var %s=%s %s %lld\n", v[i].name, v[i].value, v[i].set_by,
			 (long long)v[i].set_at);
	store_vars_free(v, n);
	TESTWS_CHECK(store_holders_get(&h, &n, w->store, id, NULL));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "holder %s %s %lld\n", h[i].role, h[i].person, (long long)h[i].since);
	store_holders_free(h, n);
	TESTWS_CHECK(store_steps_get(&st, &n, w->store, id));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "step %s %s %s %s\n", st[i].step, st[i].state, st[i].actor,
			 st[i].note ? st[i].note : "-");
	store_steps_free(st, n);
	TESTWS_CHECK(store_pages_get(&p, &n, w->store, id, false));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "page %lld %s L%d %s %s\n", (long long)p[i].id, p[i].role,
			 p[i].tier, p[i].person, p[i].state);
	store_pages_free(p, n);
	TESTWS_CHECK(store_events_get(&e, &n, w->store, id));
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "event %s %s %s\n", e[i].kind, e[i].actor, e[i].details);
	store_events_free(e, n);
	return buf_detach(&b);
}

/* The details (JSON) of the last event of incident id, which must be of
 * kind. The caller frees. */
static inline char *
testws_last_event(struct testws *w, int64_t id, const char *kind)
{
	struct store_event *e;
	size_t n;
	char *out;

	TESTWS_CHECK(store_events_get(&e, &n, w->store, id));
	assert_true(n > 0);
	assert_string_equal(e[n - 1].kind, kind);
	out = strdup(e[n - 1].details);
	store_events_free(e, n);
	return out;
}

/*
 * An incident of playbook "outage" opened by alice at opened_at, at
 * severity (1..4) and status, resolved at resolved_at (0: not), with its
 * "opened" event and its n components at component_status: one
 * transaction of the store's own functions. Its id.
 */
static inline int64_t
testws_add_incident(struct store *s, const char *title, int severity, const char *status,
		    int64_t opened_at, int64_t resolved_at, char *const *components,
		    const char *component_status, size_t n)
{
	struct store_incident inc;
	int64_t id = 0;

	memset(&inc, 0, sizeof(inc));
	inc.playbook = "outage";
	memset(inc.commit, 'c', 40);
	inc.title = (char *)title;
	inc.severity = severity;
	snprintf(inc.status, sizeof(inc.status), "%s", status);
	inc.opened_by = "alice";
	inc.opened_at = inc.updated_at = opened_at;
	TESTWS_CHECK(store_begin(s));
	TESTWS_CHECK(store_incident_insert(&id, s, &inc));
	inc.id = id;
	if (resolved_at != 0) {
		inc.resolved_at = resolved_at;
		TESTWS_CHECK(store_incident_update(s, &inc));
	}
	for (size_t i = 0; i < n; i++)
		TESTWS_CHECK(store_component_set(s, id, components[i], component_status));
	TESTWS_CHECK(store_event_append(s, id, opened_at, "alice", "local:alice", "opened", "{}"));
	TESTWS_CHECK(store_commit(s));
	return id;
}

#endif
