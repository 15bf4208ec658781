/* store-incident.c: the rows of incidents, their components, role holders
 * and timeline events. What a change means, and who may make it, is
 * incident.c's and roles.c's business; verifying the timeline is timeline.c's. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/store-incident.h"
#include "sitrep/xalloc.h"
#include "store-int.h"

static const char sql_incident_insert[] =
	"INSERT INTO incidents (playbook, playbook_commit, title, severity, status,"
	" opened_by, opened_at, updated_at, public_title)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)";
static const char sql_incident_get[] =
	"SELECT id, playbook, playbook_commit, title, severity, status, opened_by,"
	" opened_at, updated_at, resolved_at, closed_at, event_count, head_hash, public_title FROM incidents WHERE id = ?1";
static const char sql_incident_update[] =
	"UPDATE incidents SET severity = ?2, status = ?3, updated_at = ?4,"
	" resolved_at = ?5, closed_at = ?6 WHERE id = ?1";
/* The status list matches the index (status, id): open incidents are found
 * without reading the closed ones, however many there are. */
static const char sql_incidents_open[] =
	"SELECT id, playbook, playbook_commit, title, severity, status, opened_by,"
	" opened_at, updated_at, resolved_at, closed_at, event_count, head_hash, public_title FROM incidents"
	" WHERE status IN ('investigating', 'identified', 'monitoring', 'resolved')"
	" ORDER BY id DESC";
static const char sql_incidents_all[] =
	"SELECT id, playbook, playbook_commit, title, severity, status, opened_by,"
	" opened_at, updated_at, resolved_at, closed_at, event_count, head_hash, public_title FROM incidents ORDER BY id DESC";
/* Customer-visible: a published customer update to everyone. Unresolved
 * ones through the status index, recent ones through the opened index. */
static const char sql_incidents_public[] =
	"SELECT id, playbook, playbook_commit, title, severity, status, opened_by,"
	" opened_at, updated_at, resolved_at, closed_at, event_count, head_hash, public_title FROM ("
	" SELECT * FROM incidents WHERE status IN ('investigating', 'identified', 'monitoring')"
	" UNION SELECT * FROM incidents WHERE opened_at >= ?1) i"
	" WHERE EXISTS (SELECT 1 FROM updates u WHERE u.incident_id = i.id"
	" AND u.audience = 'customers' AND u.state = 'published' AND u.account IS NULL)"
	" ORDER BY i.status IN ('resolved', 'closed'), i.id DESC";
static const char sql_incidents_changed[] =
	"SELECT incident_id, max(id) FROM events WHERE id > ?1 GROUP BY incident_id ORDER BY incident_id";
static const char sql_last_event[] =
	"SELECT coalesce(max(id), 0) FROM events";
static const char sql_incident_public_title[] =
	"UPDATE incidents SET public_title = ?2 WHERE id = ?1";
static const char sql_vars_get[] =
	"SELECT name, value, set_by, set_at FROM incident_vars WHERE incident_id = ?1"
	" ORDER BY name";
static const char sql_var_set[] =
	"INSERT INTO incident_vars (incident_id, name, value, set_by, set_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (incident_id, name)"
	" DO UPDATE SET value = excluded.value, set_by = excluded.set_by,"
	" set_at = excluded.set_at";
static const char sql_component_set[] =
	"INSERT INTO incident_components (incident_id, component, status)"
	" VALUES (?1, ?2, ?3) ON CONFLICT (incident_id, component)"
	" DO UPDATE SET status = excluded.status";
static const char sql_components_get[] =
	"SELECT component, status FROM incident_components WHERE incident_id = ?1"
	" ORDER BY rowid";
static const char sql_holders_all[] =
	"SELECT role, person, since FROM incident_roles WHERE incident_id = ?1"
	" ORDER BY since, rowid";
static const char sql_holders_role[] =
	"SELECT role, person, since FROM incident_roles WHERE incident_id = ?1"
	" AND role = ?2 ORDER BY since, rowid";
static const char sql_event_last[] =
	"SELECT hash FROM events WHERE incident_id = ?1 ORDER BY id DESC LIMIT 1";
static const char sql_event_insert[] =
	"INSERT INTO events (incident_id, at, actor, kind, details, prev_hash, hash, via)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* The incident row keeps the chain's end, in the event's transaction. */
static const char sql_event_head[] =
	"UPDATE incidents SET event_count = event_count + 1, head_hash = ?2 WHERE id = ?1";
static const char sql_playbook_text_put[] =
	"INSERT INTO playbook_texts (playbook_commit, name, text) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (playbook_commit, name) DO NOTHING";
static const char sql_playbook_text_get[] =
	"SELECT text FROM playbook_texts WHERE playbook_commit = ?1 AND name = ?2";
static const char sql_events_get[] =
	"SELECT id, incident_id, at, actor, kind, details, prev_hash, hash, via FROM events"
	" WHERE incident_id = ?1 ORDER BY id";

static const char sql_steps_get[] =
	"SELECT step, state, at, actor, note FROM incident_steps WHERE incident_id = ?1"
	" ORDER BY at, rowid";

static const char sql_holder_add[] =
	"INSERT INTO incident_roles (incident_id, role, person, since) VALUES (?1, ?2, ?3, ?4)";
static const char sql_holder_remove[] =
	"DELETE FROM incident_roles WHERE incident_id = ?1 AND role = ?2 AND person = ?3";
static const char sql_step_set[] =
	"INSERT INTO incident_steps (incident_id, step, state, at, actor, note)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

#define PAGE_COLUMNS \
	"id, incident_id, role, tier, person, paged_at, timeout_at, closed_at, state," \
	" schedule, ended_by, ended_via, ended_reason, exhausted_at"
static const char sql_page_insert[] =
	"INSERT INTO pages (incident_id, role, tier, person, paged_at, timeout_at, state,"
	" schedule) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)";
static const char sql_pages_all[] =
	"SELECT " PAGE_COLUMNS " FROM pages WHERE incident_id = ?1 ORDER BY id";
static const char sql_pages_open[] =
	"SELECT " PAGE_COLUMNS " FROM pages WHERE incident_id = ?1 AND state = 'open'"
	" ORDER BY id";
static const char sql_page_get[] =
	"SELECT " PAGE_COLUMNS " FROM pages WHERE id = ?1";
static const char sql_page_end[] =
	"UPDATE pages SET state = ?2, closed_at = ?3, ended_by = ?4, ended_via = ?5,"
	" ended_reason = ?6 WHERE id = ?1 AND state = 'open'";
static const char sql_page_exhausted[] =
	"UPDATE pages SET exhausted_at = ?2 WHERE id = ?1";
/* Open pages of which no notification is waiting or was sent: every row
 * dead, or none at all. The pages' own index finds the open ones. */
static const char sql_pages_undeliverable[] =
	"SELECT DISTINCT p.incident_id FROM pages p WHERE p.state = 'open'"
	" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.page_id = p.id"
	" AND o.state IN ('pending', 'retrying', 'sent')) ORDER BY p.incident_id";

static void
incident_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_incident *inc = row;

	inc->id = sqlite3_column_int64(stmt, 0);
	inc->playbook = store_column_dup(stmt, 1);
	store_column_copy(inc->commit, sizeof(inc->commit), stmt, 2);
	inc->title = store_column_dup(stmt, 3);
	inc->severity = sqlite3_column_text(stmt, 4)[3] - '0';
	store_column_copy(inc->status, sizeof(inc->status), stmt, 5);
	inc->opened_by = store_column_dup(stmt, 6);
	inc->opened_at = sqlite3_column_int64(stmt, 7);
	inc->updated_at = sqlite3_column_int64(stmt, 8);
	inc->resolved_at = sqlite3_column_int64(stmt, 9);
	inc->closed_at = sqlite3_column_int64(stmt, 10);
	inc->event_count = sqlite3_column_int64(stmt, 11);
	store_column_copy(inc->head_hash, sizeof(inc->head_hash), stmt, 12);
	inc->public_title = sqlite3_column_type(stmt, 13) == SQLITE_NULL ?
			    xstrdup(inc->title) : store_column_dup(stmt, 13);
}

static void
bind_sev(sqlite3_stmt *stmt, int col, int sev)
{
	char text[8];

	snprintf(text, sizeof(text), "SEV%d", sev);
	sqlite3_bind_text(stmt, col, text, -1, SQLITE_TRANSIENT);
}

int
store_incident_insert(int64_t *out_id, struct store *s, const struct store_incident *inc)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_incident_insert)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, inc->playbook, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, inc->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, inc->title, -1, SQLITE_STATIC);
	bind_sev(stmt, 4, inc->severity);
	sqlite3_bind_text(stmt, 5, inc->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, inc->opened_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, inc->opened_at);
	sqlite3_bind_text(stmt, 8, inc->public_title ? inc->public_title : inc->title, -1,
			  SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the incident");
	sqlite3_reset(stmt);
	if (rc == 0)
		*out_id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_incident_get(struct store_incident *out, struct store *s, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_incident_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		incident_from_row(out, stmt);
		rc = 0;
		break;
	case SQLITE_DONE:
		rc = err_set(SR_ENOTFOUND, "no incident INC-%lld: run 'sitrep list --all' to see them",
			     (long long)id);
		break;
	default:
		rc = store_fail(s, "read the incident");
	}
	sqlite3_reset(stmt);
	return rc;
}

int
store_incident_update(struct store *s, const struct store_incident *inc)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_incident_update)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, inc->id);
	bind_sev(stmt, 2, inc->severity);
	sqlite3_bind_text(stmt, 3, inc->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, inc->updated_at);
	store_bind_time(stmt, 5, inc->resolved_at);
	store_bind_time(stmt, 6, inc->closed_at);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "update the incident");
	sqlite3_reset(stmt);
	return rc;
}

/* Read the incidents stmt returns. */
static int
incidents_read(struct store_incident **out, size_t *n, struct store *s, sqlite3_stmt *stmt)
{
	void *v;
	size_t k;
	int rc;

	rc = store_rows(&v, &k, s, stmt, sizeof(struct store_incident), incident_from_row,
	    "list incidents");
	if (rc != 0) {
		store_incidents_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int
store_incidents_list(struct store_incident **out, size_t *n, struct store *s, bool all)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, all ? sql_incidents_all : sql_incidents_open)) != 0)
		return rc;
	return incidents_read(out, n, s, stmt);
}

int
store_public_incidents(struct store_incident **out, size_t *n, struct store *s, int64_t since)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_incidents_public)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, since);
	return incidents_read(out, n, s, stmt);
}

int
store_incidents_changed(int64_t **out, size_t *n, int64_t *seen, struct store *s)
{
	sqlite3_stmt *stmt;
	int64_t *v = NULL, last = *seen;
	size_t cap = 0;
	int step, rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_incidents_changed)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, *seen);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = sqlite3_column_int64(stmt, 0);
		if (sqlite3_column_int64(stmt, 1) > last)
			last = sqlite3_column_int64(stmt, 1);
	}
	if (step != SQLITE_DONE) {
		rc = store_fail(s, "find changed incidents");
		sqlite3_reset(stmt);
		free(v);
		*n = 0;
		return rc;
	}
	sqlite3_reset(stmt);
	*out = v;
	*seen = last;
	return 0;
}

int
store_last_event(int64_t *out, struct store *s)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = 0;
	if ((rc = store_sql(&stmt, s, sql_last_event)) != 0)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = store_fail(s, "read the last event");
		sqlite3_reset(stmt);
		return rc;
	}
	*out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return 0;
}

void
store_incident_release(struct store_incident *inc)
{
	free(inc->playbook);
	free(inc->title);
	free(inc->public_title);
	free(inc->opened_by);
	inc->playbook = inc->title = inc->public_title = inc->opened_by = NULL;
}

int
store_incident_set_public_title(struct store *s, int64_t id, const char *title)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_incident_public_title)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, title, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "set the public title");
	sqlite3_reset(stmt);
	return rc;
}

static void
var_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_var *v = row;

	v->name = store_column_dup(stmt, 0);
	v->value = store_column_dup(stmt, 1);
	v->set_by = store_column_dup(stmt, 2);
	v->set_at = sqlite3_column_int64(stmt, 3);
}

int
store_vars_get(struct store_var **out, size_t *n, struct store *s, int64_t id)
{
	void *v;
	size_t k;
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_vars_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_rows(&v, &k, s, stmt, sizeof(struct store_var), var_from_row,
	    "read the incident's variables");
	if (rc != 0) {
		store_vars_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

void
store_vars_free(struct store_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
		free(v[i].set_by);
	}
	free(v);
}

int
store_var_set(struct store *s, int64_t id, const char *name, const char *value,
	      const char *by, int64_t at)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_var_set)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, at);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "set the variable");
	sqlite3_reset(stmt);
	return rc;
}

void
store_incidents_free(struct store_incident *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_incident_release(&v[i]);
	free(v);
}

int
store_component_set(struct store *s, int64_t id, const char *component,
		    const char *status)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_component_set)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, component, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, status, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "set a component's status");
	sqlite3_reset(stmt);
	return rc;
}

static void
component_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_component *r = row;

	r->component = store_column_dup(stmt, 0);
	store_column_copy(r->status, sizeof(r->status), stmt, 1);
}

int
store_components_get(struct store_component **out, size_t *n, struct store *s,
		     int64_t id)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_components_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_component), component_from_row,
	    "read the components");
	*out = v;
	return rc;
}

void
store_components_free(struct store_component *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].component);
	free(v);
}

static void
holder_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_holder *r = row;

	r->role = store_column_dup(stmt, 0);
	r->person = store_column_dup(stmt, 1);
	r->since = sqlite3_column_int64(stmt, 2);
}

int
store_holders_get(struct store_holder **out, size_t *n, struct store *s,
		  int64_t id, const char *role)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, role ? sql_holders_role : sql_holders_all)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	if (role != NULL)
		sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_holder), holder_from_row,
	    "read the role holders");
	*out = v;
	return rc;
}

void
store_holders_free(struct store_holder *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].role);
		free(v[i].person);
	}
	free(v);
}

void
store_event_hash(char out[65], const char *prev_hash, int64_t incident_id,
		 int64_t at, const char *actor, const char *kind, const char *details,
		 const char *via)
{
	unsigned char md[DIGEST_SHA256_LEN];
	char num[2][32];
	const void *fields[7];
	size_t lens[7], nfields = via != NULL ? 7 : 6;

	snprintf(num[0], sizeof(num[0]), "%" PRId64, incident_id);
	snprintf(num[1], sizeof(num[1]), "%" PRId64, at);
	fields[0] = prev_hash;
	fields[1] = num[0];
	fields[2] = num[1];
	fields[3] = actor;
	fields[4] = kind;
	fields[5] = details;
	fields[6] = via;
	for (size_t i = 0; i < nfields; i++)
		lens[i] = strlen(fields[i]) + 1; /* with its NUL */
	digest_sha256(md, fields, lens, nfields);
	digest_hex(out, md, sizeof(md));
}

int
store_event_append(struct store *s, int64_t incident_id, int64_t at,
		   const char *actor, const char *via, const char *kind, const char *details)
{
	sqlite3_stmt *stmt;
	char prev[65] = "", hash[65];
	int rc, step;

	if ((rc = store_sql(&stmt, s, sql_event_last)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		store_column_copy(prev, sizeof(prev), stmt, 0);
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(s, "read the timeline");
	store_event_hash(hash, prev, incident_id, at, actor, kind, details, via);
	if ((rc = store_sql(&stmt, s, sql_event_insert)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_text(stmt, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, hash, -1, SQLITE_STATIC);
	store_bind_text_null(stmt, 8, via);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "append to the timeline");
	sqlite3_reset(stmt);
	if (rc != 0 || (rc = store_sql(&stmt, s, sql_event_head)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the timeline's end");
	if (rc == 0 && sqlite3_changes(store_db(s)) != 1)
		rc = err_set(SR_ENOTFOUND, "no incident INC-%lld to append to", (long long)incident_id);
	sqlite3_reset(stmt);
	return rc;
}

int
store_playbook_text_put(struct store *s, const char *commit, const char *name,
			const char *text)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_playbook_text_put)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "keep the pinned playbook");
	sqlite3_reset(stmt);
	return rc;
}

int
store_playbook_text_get(char **out, struct store *s, const char *commit, const char *name)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	if ((rc = store_sql(&stmt, s, sql_playbook_text_get)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*out = store_column_dup(stmt, 0);
		rc = 0;
		break;
	case SQLITE_DONE:
		rc = SR_ENOTFOUND;
		break;
	default:
		rc = store_fail(s, "read the pinned playbook");
	}
	sqlite3_reset(stmt);
	return rc;
}

void
store_event_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_event *r = row;

	r->id = sqlite3_column_int64(stmt, 0);
	r->incident_id = sqlite3_column_int64(stmt, 1);
	r->at = sqlite3_column_int64(stmt, 2);
	r->actor = store_column_dup(stmt, 3);
	r->kind = store_column_dup(stmt, 4);
	r->details = store_column_dup(stmt, 5);
	store_column_copy(r->prev_hash, sizeof(r->prev_hash), stmt, 6);
	store_column_copy(r->hash, sizeof(r->hash), stmt, 7);
	r->via = store_column_dup_null(stmt, 8);
}

int
store_events_get(struct store_event **out, size_t *n, struct store *s,
		 int64_t incident_id)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_events_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, incident_id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_event), store_event_from_row,
	    "read the timeline");
	*out = v;
	return rc;
}

void
store_events_free(struct store_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].kind);
		free(v[i].details);
		free(v[i].via);
	}
	free(v);
}

static void
step_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_step *r = row;

	r->step = store_column_dup(stmt, 0);
	store_column_copy(r->state, sizeof(r->state), stmt, 1);
	r->at = sqlite3_column_int64(stmt, 2);
	r->actor = store_column_dup(stmt, 3);
	r->note = store_column_dup_null(stmt, 4);
}

int
store_steps_get(struct store_step **out, size_t *n, struct store *s, int64_t id)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_steps_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_step), step_from_row,
	    "read the steps");
	*out = v;
	return rc;
}

void
store_steps_free(struct store_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].step);
		free(v[i].actor);
		free(v[i].note);
	}
	free(v);
}

int
store_holder_add(struct store *s, int64_t id, const char *role, const char *person,
		 int64_t since)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_holder_add)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, since);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the role holder");
	sqlite3_reset(stmt);
	return rc;
}

int
store_holder_remove(struct store *s, int64_t id, const char *role, const char *person)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_holder_remove)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, person, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_fail(s, "remove the role holder");
	else if (sqlite3_changes(store_db(s)) == 0)
		rc = err_set(SR_ENOTFOUND, "'%s' does not hold the role '%s'", person, role);
	sqlite3_reset(stmt);
	return rc;
}

int
store_step_set(struct store *s, int64_t id, const struct store_step *st)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_step_set)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, st->step, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, st->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, st->at);
	sqlite3_bind_text(stmt, 5, st->actor, -1, SQLITE_STATIC);
	if (st->note != NULL)
		sqlite3_bind_text(stmt, 6, st->note, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the step");
	sqlite3_reset(stmt);
	return rc;
}

int
store_page_insert(int64_t *out_id, struct store *s, const struct store_page *p)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_page_insert)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, p->incident_id);
	sqlite3_bind_text(stmt, 2, p->role, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, p->tier);
	sqlite3_bind_text(stmt, 4, p->person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, p->paged_at);
	sqlite3_bind_int64(stmt, 6, p->timeout_at);
	store_bind_text_null(stmt, 7, p->schedule);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : store_fail(s, "record the page");
	sqlite3_reset(stmt);
	if (rc == 0 && out_id != NULL)
		*out_id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

static void
page_from_row(void *row, sqlite3_stmt *stmt)
{
	struct store_page *r = row;

	r->id = sqlite3_column_int64(stmt, 0);
	r->incident_id = sqlite3_column_int64(stmt, 1);
	r->role = store_column_dup(stmt, 2);
	r->tier = sqlite3_column_int(stmt, 3);
	r->person = store_column_dup(stmt, 4);
	r->paged_at = sqlite3_column_int64(stmt, 5);
	r->timeout_at = sqlite3_column_int64(stmt, 6);
	r->closed_at = sqlite3_column_int64(stmt, 7);
	store_column_copy(r->state, sizeof(r->state), stmt, 8);
	r->schedule = store_column_dup_null(stmt, 9);
	r->ended_by = store_column_dup_null(stmt, 10);
	r->ended_via = store_column_dup_null(stmt, 11);
	r->ended_reason = store_column_dup_null(stmt, 12);
	r->exhausted_at = sqlite3_column_int64(stmt, 13);
}

int
store_pages_get(struct store_page **out, size_t *n, struct store *s, int64_t id,
		bool open_only)
{
	sqlite3_stmt *stmt;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, open_only ? sql_pages_open : sql_pages_all)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_rows(&v, n, s, stmt, sizeof(struct store_page), page_from_row,
	    "read the pages");
	*out = v;
	return rc;
}

int
store_page_get(struct store_page *out, struct store *s, int64_t page_id)
{
	sqlite3_stmt *stmt;
	void *v;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_sql(&stmt, s, sql_page_get)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, page_id);
	if ((rc = store_rows(&v, &n, s, stmt, sizeof(struct store_page), page_from_row,
	    "read the page")) != 0)
		return rc;
	if (n == 0) {
		free(v);
		return err_set(SR_ENOTFOUND, "no page PG-%lld: 'sitrep show INC' lists an "
			       "incident's pages", (long long)page_id);
	}
	*out = *(struct store_page *)v;
	free(v);
	return 0;
}

int
store_page_end(struct store *s, int64_t page_id, const char *state, int64_t at,
	       const char *by, const char *via, const char *reason)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_page_end)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, page_id);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, at);
	store_bind_text_null(stmt, 4, by);
	store_bind_text_null(stmt, 5, via);
	store_bind_text_null(stmt, 6, reason);
	if ((rc = store_step_done(s, stmt, "end the page")) != 0)
		return rc;
	if (sqlite3_changes(store_db(s)) == 0)
		return err_set(SR_EEXIST, "PG-%lld has ended already", (long long)page_id);
	return 0;
}

int
store_page_set_exhausted(struct store *s, int64_t page_id, int64_t at)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = store_sql(&stmt, s, sql_page_exhausted)) != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, page_id);
	sqlite3_bind_int64(stmt, 2, at);
	return store_step_done(s, stmt, "mark the page exhausted");
}

int
store_pages_undeliverable(int64_t **out, size_t *n, struct store *s)
{
	sqlite3_stmt *stmt;
	int64_t *v = NULL;
	size_t cap = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = store_sql(&stmt, s, sql_pages_undeliverable)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	rc = step == SQLITE_DONE ? 0 : store_fail(s, "find the pages nobody can be told of");
	sqlite3_reset(stmt);
	if (rc != 0) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}

void
store_page_release(struct store_page *p)
{
	free(p->role);
	free(p->person);
	free(p->schedule);
	free(p->ended_by);
	free(p->ended_via);
	free(p->ended_reason);
	memset(p, 0, sizeof(*p));
}

void
store_pages_free(struct store_page *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_page_release(&v[i]);
	free(v);
}
