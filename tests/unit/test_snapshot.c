/* test_snapshot.c: what the public sees, read from a real store: only
 * incidents with a published customer update to everyone, only those
 * updates, components at the worst status an unresolved one gives them,
 * maintenances in progress as under_maintenance, and the indicator. */
#include "testutil.h"

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/snapshot.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"

#include "testws.h"

static const char conf_text[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; };\n"
	"status_page = { name = \"Acme Status\"; url = \"http://127.0.0.1:8080/\"; };\n"
	"components = ( { id = \"api\"; name = \"API\"; group = \"Platform\"; },\n"
	"  { id = \"web\"; name = \"Web\"; }, { id = \"db\"; name = \"Database\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n";

/* An update of incident to audience: published at published_at, or a
 * draft when 0. */
static void
add_update(struct store *s, int64_t incident, const char *audience, const char *status,
	   const char *body, int64_t published_at)
{
	struct store_update u;
	int64_t id;

	memset(&u, 0, sizeof(u));
	u.incident_id = incident;
	snprintf(u.kind, sizeof(u.kind), "update");
	u.audience = (char *)audience;
	u.status = (char *)status;
	u.body = (char *)body;
	snprintf(u.state, sizeof(u.state), "%s", published_at ? "published" : "draft");
	u.author = "alice";
	u.created_at = 1;
	u.published_at = published_at;
	TESTWS_CHECK(store_update_insert(&id, s, &u));
}

/* A maintenance of the n components, moved to state. */
static void
add_maintenance(struct store *s, const char *title, const char *state, int64_t starts_at,
		int64_t ends_at, int64_t started_at, char **components, size_t n)
{
	struct store_maintenance m;

	memset(&m, 0, sizeof(m));
	m.title = (char *)title;
	m.starts_at = starts_at;
	m.ends_at = ends_at;
	m.created_by = "alice";
	m.created_at = 1;
	m.components = components;
	m.ncomponents = n;
	TESTWS_CHECK(store_maintenance_insert(&m.id, s, &m));
	snprintf(m.state, sizeof(m.state), "%s", state);
	m.updated_at = 1799999500000;
	m.started_at = started_at;
	TESTWS_CHECK(store_maintenance_update(s, &m));
}

static void
test_public_view(void **state)
{
	char *dir = testutil_tmpdir(), path[4200];
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	struct store *s = NULL;
	struct snapshot *sn = NULL;
	char *api[] = { "api" }, *web[] = { "web" }, *db[] = { "db" };
	int64_t now = 1800000000000;

	(void)state;
	assert_int_equal(conf_parse(&c, &d, conf_text, "sitrep.conf", dir), 0);
	snprintf(path, sizeof(path), "%s/sitrep.db", dir);
	assert_int_equal(store_create(&s, path), 0);
	/* 1: open, customer-visible, api major; 2: open, internal updates only;
	 * 3: resolved 10 days ago, visible; 4: resolved 200 days ago. */
	testws_add_incident(s, "API down", 1, "identified", 1799999000000, 0, api,
			    "major_outage", 1);
	TESTWS_CHECK(store_component_set(s, 1, "web", "degraded_performance"));
	testws_add_incident(s, "Secret", 2, "investigating", 1799999000000, 0, db,
			    "major_outage", 1);
	testws_add_incident(s, "Old", 3, "closed", 1799136000000, 1799137000000, web,
			    "partial_outage", 1);
	testws_add_incident(s, "Ancient", 3, "resolved", 1782720000000, 1782721000000, NULL,
			    NULL, 0);
	add_update(s, 1, "customers", "investigating", "Looking <b>", 1799999100000);
	add_update(s, 1, "customers", "identified", "Found it", 1799999200000);
	add_update(s, 1, "customers", NULL, "draft text", 0);
	add_update(s, 1, "internal", "identified", "internal text", 1799999300000);
	add_update(s, 2, "internal", "investigating", "internal only", 1799999100000);
	add_update(s, 3, "customers", "resolved", "All good", 1799137000000);
	add_update(s, 4, "customers", "resolved", "Long ago", 1782721000000);
	add_maintenance(s, "DB upgrade", "in_progress", 1799999000000, 1800003600000,
			1799999000000, db, 1);
	add_maintenance(s, "Cancelled", "cancelled", 1800100000000, 1800200000000, 0, NULL, 0);
	/* the public title is what the public reads, never the internal one */
	TESTWS_CHECK(store_incident_set_public_title(s, 1, "Service disruption"));

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
	diag_release(&d);
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
