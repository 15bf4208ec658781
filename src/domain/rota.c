/* rota.c: the on-call schedules of the playbook repository (read from one
 * commit, the tree looked at once) joined with the store's overrides, and
 * the checks an override must pass before it is recorded. Who is on call
 * is computed by oncall.c; sitrepd's handoff notices are the daemon's.
 * The schedules read at a commit are cached in the store by commit id
 * (store-gitcache.h), and the branch head is read from the ref files
 * (repo_resolve_fast): while the head has not moved, `sitrep oncall` and a
 * page read no git through libgit2 at all. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/incident.h"
#include "sitrep/oncall.h"
#include "sitrep/repo.h"
#include "sitrep/rota.h"
#include "sitrep/store.h"
#include "sitrep/store-gitcache.h"
#include "sitrep/store-oncall.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

#define SCHEDULE_SUFFIX ".schedule"

static int
resolve_head(char sha[41], struct incident_ctx *ctx)
{
	int rc;

	if (ctx->repo == NULL)
		return err_set(SR_EUSAGE, "no playbook repository to read schedules from");
	rc = repo_resolve(sha, ctx->repo, ctx->conf->branch);
	if (rc == SR_ENOTFOUND)
		err_set(rc, "branch '%s' not found in the playbook repository '%s': "
			"commit a playbook there or set workspace.branch in %s",
			ctx->conf->branch, ctx->conf->playbooks, ctx->conf->path);
	return rc;
}

static int build(struct rota **out, struct incident_ctx *ctx, const char *sha,
		 struct store_gitfile *files, size_t nfiles);

/*
 * The branch head from its ref file and the schedules from the store's
 * cache when both can be had: no libgit2. Otherwise libgit2 resolves the
 * head (with its checks and messages) and rota_load_at reads the schedules
 * and caches them.
 */
int
rota_load(struct rota **out, struct incident_ctx *ctx)
{
	struct store_gitfile *files = NULL;
	size_t nfiles = 0;
	char sha[41];
	int rc;

	*out = NULL;
	if (ctx->repo == NULL)
		return err_set(SR_EUSAGE, "no playbook repository to read schedules from");
	if (ctx->store != NULL && repo_resolve_fast(sha, ctx->repo, ctx->conf->branch) == 1) {
		if (store_gitcache_get(&files, &nfiles, ctx->store, sha, SCHEDULE_SUFFIX) == 0)
			return build(out, ctx, sha, files, nfiles);
		err_clear();
	}
	if ((rc = resolve_head(sha, ctx)) != 0)
		return rc;
	return rota_load_at(out, ctx, sha);
}

static void
attach_overrides(struct rota *r, struct store_override *rows, size_t nrows)
{
	/* rows are oldest first: each schedule's keep that order, so the
	 * later override wins in oncall_who */
	for (size_t i = 0; i < r->n; i++) {
		struct rota_schedule *rs = &r->v[i];
		size_t k = 0;

		/* rows an earlier schedule took are zeroed */
		for (size_t j = 0; j < nrows; j++)
			k += rows[j].schedule != NULL && strcmp(rows[j].schedule, rs->name) == 0;
		if (k == 0)
			continue;
		rs->rows = xcalloc(k, sizeof(*rs->rows));
		rs->ov = xcalloc(k, sizeof(*rs->ov));
		for (size_t j = 0; j < nrows; j++) {
			if (rows[j].schedule == NULL || strcmp(rows[j].schedule, rs->name) != 0)
				continue;
			rs->rows[rs->nrows] = rows[j];
			memset(&rows[j], 0, sizeof(rows[j])); /* moved */
			rs->ov[rs->nrows] = (struct oncall_override){
				rs->rows[rs->nrows].id, rs->rows[rs->nrows].person,
				rs->rows[rs->nrows].from_at, rs->rows[rs->nrows].until_at
			};
			rs->nrows++;
		}
	}
}

/* The schedule files at sha: from the store's cache, else read through
 * libgit2 and put in the cache for next time. */
static int
schedule_files(struct store_gitfile **out, size_t *n, struct incident_ctx *ctx,
	       const char *sha)
{
	struct repo_file *files = NULL;
	struct store_gitfile *v;
	size_t nfiles = 0;
	int rc;

	if (ctx->store != NULL &&
	    store_gitcache_get(out, n, ctx->store, sha, SCHEDULE_SUFFIX) == 0)
		return 0;
	err_clear();
	if ((rc = repo_read_files(&files, &nfiles, ctx->repo, sha, SCHEDULE_SUFFIX)) != 0)
		return rc;
	v = xcalloc(nfiles + 1, sizeof(*v));
	for (size_t i = 0; i < nfiles; i++)
		v[i] = (struct store_gitfile){ files[i].name, files[i].text, files[i].len };
	free(files); /* its strings moved to v */
	/* only a full id is a key: one that names exactly one tree */
	if (ctx->store != NULL && strlen(sha) == 40)
		store_gitcache_put(ctx->store, sha, SCHEDULE_SUFFIX, v, nfiles);
	*out = v;
	*n = nfiles;
	return 0;
}

int
rota_load_at(struct rota **out, struct incident_ctx *ctx, const char *sha)
{
	struct store_gitfile *files = NULL;
	size_t nfiles = 0;
	int rc;

	*out = NULL;
	if (ctx->repo == NULL)
		return err_set(SR_EUSAGE, "no playbook repository to read schedules from");
	if ((rc = schedule_files(&files, &nfiles, ctx, sha)) != 0)
		return rc;
	return build(out, ctx, sha, files, nfiles);
}

/* The rota of the schedule files at sha (which it frees), with the
 * store's overrides. */
static int
build(struct rota **out, struct incident_ctx *ctx, const char *sha,
      struct store_gitfile *files, size_t nfiles)
{
	struct store_override *rows = NULL;
	size_t nrows = 0;
	struct rota *r;
	int rc;

	*out = NULL;
	if (ctx->store != NULL &&
	    (rc = store_overrides_list(&rows, &nrows, ctx->store, NULL, 0)) != 0) {
		store_gitfiles_free(files, nfiles);
		store_overrides_free(rows, nrows);
		return rc;
	}
	r = xcalloc(1, sizeof(*r));
	memcpy(r->sha, sha, 40);
	r->sha[40] = '\0';
	r->v = xcalloc(nfiles + 1, sizeof(*r->v));
	for (size_t i = 0; i < nfiles; i++) {
		struct rota_schedule *rs = &r->v[r->n];

		if ((rs->name = oncall_name_from_path(files[i].name)) == NULL)
			continue;
		oncall_parse(&rs->s, &rs->problems, files[i].text, files[i].len, files[i].name,
			     ctx->conf);
		r->n++;
	}
	err_clear();
	store_gitfiles_free(files, nfiles);
	attach_overrides(r, rows, nrows);
	store_overrides_free(rows, nrows);
	*out = r;
	return 0;
}

void
rota_free(struct rota *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		oncall_free(r->v[i].s);
		diag_release(&r->v[i].problems);
		store_overrides_free(r->v[i].rows, r->v[i].nrows);
		free(r->v[i].ov);
	}
	free(r->v);
	free(r);
}

const struct rota_schedule *
rota_schedule(const struct rota *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

int
rota_who(const char **person, int64_t *next_change, const struct rota *r,
	 const char *schedule, int64_t at_ms)
{
	const struct rota_schedule *rs = rota_schedule(r, schedule);

	*person = NULL;
	if (next_change != NULL)
		*next_change = INT64_MAX;
	if (rs == NULL)
		return err_set(SR_ENOTFOUND, "no schedule '%s' at %.7s: run 'sitrep schedule "
			       "list' to see the schedules", schedule, r->sha);
	if (rs->s == NULL)
		return err_set(SR_EINVALID, "schedule '%s' at %.7s has %zu problem%s: run "
			       "'sitrep schedule validate', fix and commit it", schedule,
			       r->sha, rs->problems.n, rs->problems.n == 1 ? "" : "s");
	oncall_who(person, next_change, rs->s, rs->ov, rs->nrows, at_ms);
	return 0;
}

static int
cmp_handoff(const void *a, const void *b)
{
	const struct rota_handoff *x = a, *y = b;

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return strcmp(x->schedule, y->schedule);
}

int
rota_handoffs(struct rota_handoff **out, size_t *n, const struct rota *r,
	      int64_t from_ms, int64_t until_ms)
{
	struct rota_handoff *v = NULL;
	size_t count = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct rota_schedule *rs = &r->v[i];
		struct oncall_handoff *h;
		size_t nh;

		if (rs->s == NULL)
			continue;
		oncall_handoffs(&h, &nh, rs->s, rs->ov, rs->nrows, from_ms, until_ms, 0);
		if (nh > 0)
			v = xreallocarray(v, count + nh, sizeof(*v));
		for (size_t k = 0; k < nh; k++)
			v[count++] = (struct rota_handoff){ rs->name, h[k].at_ms, h[k].from,
							    h[k].to };
		free(h);
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_handoff);
	*out = v;
	*n = count;
	return 0;
}

/* The schedule name at the branch head, parsed and valid. */
static int
check_schedule(struct incident_ctx *ctx, const char *schedule)
{
	struct diags d = DIAGS_INIT;
	struct oncall_schedule *s = NULL;
	char sha[41], *path, *text;
	size_t len;
	int rc;

	if ((rc = resolve_head(sha, ctx)) != 0)
		return rc;
	path = xasprintf("%s.schedule", schedule);
	rc = repo_read_file(&text, &len, ctx->repo, sha, path);
	if (rc == SR_ENOTFOUND)
		rc = err_set(rc, "no schedule '%s' at %.7s (%s): run 'sitrep schedule list' "
			     "to see the schedules", schedule, sha, ctx->conf->branch);
	if (rc == 0) {
		rc = oncall_parse(&s, &d, text, len, path, ctx->conf);
		free(text);
		if (rc != 0)
			rc = err_set(SR_EINVALID, "schedule '%s' at %.7s has %zu problem%s: run "
				     "'sitrep schedule validate', fix and commit it", schedule,
				     sha, d.n, d.n == 1 ? "" : "s");
	}
	oncall_free(s);
	diag_release(&d);
	free(path);
	return rc;
}

int
rota_override(int64_t *id, struct incident_ctx *ctx, const char *schedule,
	      const char *person, int64_t from_ms, int64_t until_ms, const char *reason)
{
	const struct conf_person *p;
	struct store_override o = { 0 };
	int64_t now = clock_now_ms();
	int rc;

	if (schedule == NULL || person == NULL || reason == NULL)
		return err_set(SR_EUSAGE, "an override needs a schedule, a person and a reason");
	if (*reason == '\0' || strspn(reason, " \t\n") == strlen(reason))
		return err_set(SR_EUSAGE, "say why with -m REASON: the next person on call "
			       "will want to know");
	if ((rc = incident_check_note("the reason", reason)) != 0)
		return rc;
	if ((p = conf_person(ctx->conf, person)) == NULL)
		return err_set(SR_ENOTFOUND, "unknown person '%s': add them to 'people' in %s",
			       person, ctx->conf->path);
	if (p->ncontacts == 0)
		return err_set(SR_EREFUSED, "person '%s' has no contact to be paged through: "
			       "give them 'contacts' (or an 'email') in %s", person,
			       ctx->conf->path);
	if (from_ms >= until_ms)
		return err_set(SR_EUSAGE, "an override must end after it starts (--until after "
			       "--from)");
	if (until_ms <= now)
		return err_set(SR_EREFUSED, "an override that ended already changes nothing: "
			       "give an --until in the future");
	if ((rc = check_schedule(ctx, schedule)) != 0)
		return rc;
	o.schedule = (char *)schedule;
	o.person = (char *)person;
	o.from_at = from_ms;
	o.until_at = until_ms;
	o.reason = (char *)reason;
	o.created_by = (char *)(ctx->actor != NULL ? ctx->actor : INCIDENT_DAEMON_ACTOR);
	o.created_at = now;
	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = store_override_insert(id, ctx->store, &o)) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	return store_commit(ctx->store);
}

int
rota_override_cancel(struct incident_ctx *ctx, int64_t id)
{
	int rc;

	if ((rc = store_begin(ctx->store)) != 0)
		return rc;
	if ((rc = store_override_cancel(ctx->store, id, clock_now_ms())) != 0) {
		store_rollback(ctx->store);
		return rc;
	}
	return store_commit(ctx->store);
}
