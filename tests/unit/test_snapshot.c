/* test_snapshot.c: what the public sees, read from a real store: only
 * incidents with a published customer update to everyone, only those
 * updates, components at the worst status an unresolved one gives them,
 * maintenances in progress as under_maintenance, and the indicator. */
#include "testutil.h"

#include <sqlite3.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/snapshot.h"
#include "sitrep/store.h"

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; };\n"
	"status_page = { name = \"Acme Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; name = \"API\"; group = \"Platform\"; },\n"
	"  { id = \"web\"; name = \"Web\"; }, { id = \"db\"; name = \"Database\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n";

static void
sql(sqlite3 *db, const char *q)
{
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(db));
}

static void
test_public_view(void **state)
{
	char *dir = testutil_tmpdir(), path[4200];
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	struct store *s = NULL;
	struct snapshot *sn = NULL;
	int64_t now = 1800000000000;
	sqlite3 *db;

	(void)state;
	assert_int_equal(conf_parse(&c, &d, conf_text, "sitrep.conf", dir), 0);
	snprintf(path, sizeof(path), "%s/sitrep.db", dir);
	assert_int_equal(store_create(&s, path), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* 1: open, customer-visible, api major; 2: open, internal updates only;
	 * 3: resolved 10 days ago, visible; 4: resolved 200 days ago. */
	sql(db, "INSERT INTO incidents (id, playbook, playbook_commit, title, severity, status,"
		" opened_by, opened_at, updated_at, resolved_at) VALUES"
		" (1, 'outage', 'c', 'API down', 'SEV1', 'identified', 'alice', 1799999000000, 1799999000000, NULL),"
		" (2, 'outage', 'c', 'Secret', 'SEV2', 'investigating', 'alice', 1799999000000, 1799999000000, NULL),"
		" (3, 'outage', 'c', 'Old', 'SEV3', 'closed', 'alice', 1799136000000, 1799136000000, 1799137000000),"
		" (4, 'outage', 'c', 'Ancient', 'SEV3', 'resolved', 'alice', 1782720000000, 1782720000000, 1782721000000)");
	sql(db, "INSERT INTO incident_components VALUES (1, 'api', 'major_outage'), (1, 'web', 'degraded_performance'),"
		" (2, 'db', 'major_outage'), (3, 'web', 'partial_outage')");
	sql(db, "INSERT INTO updates (incident_id, kind, audience, status, body, state, author, created_at, published_at) VALUES"
		" (1, 'update', 'customers', 'investigating', 'Looking <b>', 'published', 'alice', 1, 1799999100000),"
		" (1, 'update', 'customers', 'identified', 'Found it', 'published', 'alice', 1, 1799999200000),"
		" (1, 'update', 'customers', NULL, 'draft text', 'draft', 'alice', 1, NULL),"
		" (1, 'update', 'internal', 'identified', 'internal text', 'published', 'alice', 1, 1799999300000),"
		" (2, 'update', 'internal', 'investigating', 'internal only', 'published', 'alice', 1, 1799999100000),"
		" (3, 'update', 'customers', 'resolved', 'All good', 'published', 'alice', 1, 1799137000000),"
		" (4, 'update', 'customers', 'resolved', 'Long ago', 'published', 'alice', 1, 1782721000000)");
	sql(db, "INSERT INTO maintenances (id, title, state, starts_at, ends_at, created_by, created_at, updated_at, started_at)"
		" VALUES (1, 'DB upgrade', 'in_progress', 1799999000000, 1800003600000, 'alice', 1, 1799999500000, 1799999000000),"
		" (2, 'Cancelled', 'cancelled', 1800100000000, 1800200000000, 'alice', 1, 1799999500000, NULL)");
	sql(db, "INSERT INTO maintenance_components VALUES (1, 'db')");
	/* the public title is what the public reads, never the internal one */
	sql(db, "UPDATE incidents SET public_title = 'Service disruption' WHERE id = 1");
	sqlite3_close(db);

	if (snapshot_build(&sn, s, c, now, now - 3600000) != 0)
		fail_msg("%s", err_last());
	assert_string_equal(sn->page_name, "Acme Status");
	assert_int_equal(sn->nincidents, 2);
	assert_int_equal(sn->incidents[0].id, 1);
	assert_string_equal(sn->incidents[0].status, "identified");
	assert_string_equal(sn->incidents[0].impact, "critical");
	assert_string_equal(sn->incidents[0].name, "Service disruption");
	assert_int_equal(sn->incidents[0].nupdates, 2);
	assert_string_equal(sn->incidents[0].updates[0].body, "Found it");
	assert_string_equal(sn->incidents[0].updates[1].body, "Looking <b>");
	assert_int_equal(sn->incidents[1].id, 3);
	assert_string_equal(sn->incidents[1].status, "resolved");
	assert_string_equal(sn->incidents[1].name, "Old");
	assert_int_equal(sn->incidents[1].resolved_at, 1799137000000);
	assert_int_equal(sn->ncomponents, 3);
	assert_string_equal(sn->components[0].status, "major_outage");
	assert_string_equal(sn->components[1].status, "degraded_performance");
	/* db: incident 2 is not public, the maintenance is */
	assert_string_equal(sn->components[2].status, "under_maintenance");
	assert_int_equal(sn->nmaintenances, 1);
	assert_string_equal(sn->maintenances[0].status, "in_progress");
	assert_string_equal(snapshot_indicator(sn), "critical");
	assert_string_equal(snapshot_description(sn), "Major System Outage");
	snapshot_free(sn);
	store_close(s);
	conf_free(c);
	diags_release(&d);
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
