/* fuzz_store.c: libFuzzer target for opening a store file made of
 * arbitrary bytes (a damaged or hostile sitrep.db): store_open, and when
 * it opens, reading what the CLI and the status page read. Refusing is
 * fine; crashing is not. A fresh store with an incident, an update and an
 * event seeds the corpus when SITREP_FUZZ_CORPUS names one. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/snapshot.h"
#include "sitrep/store-incident.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
#include "sitrep/timeline.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5's leak on a syntax error: see fuzz_playbook.c. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\n"
	       "leak:strbuf_append\n";
}

static const char site_conf[] =
	"workspace = { database = \"sitrep.db\"; playbooks = \"playbooks\"; branch = \"main\"; };\n"
	"status_page = { name = \"Fuzz Status\"; url = \"http://127.0.0.1:8080/\"; time_zone = \"UTC\"; };\n"
	"components = ( { id = \"api\"; name = \"Public API\"; } );\n"
	"people = ( { handle = \"alice\"; name = \"Alice\"; } );\n";

static struct conf *conf;
static char dir[] = "/tmp/sitrep-fuzz-store-XXXXXX";
static char db[64], wal[64], shm[64], journal[64];

static void
clean(void)
{
	unlink(db);
	unlink(wal);
	unlink(shm);
	unlink(journal);
}

static void
at_exit(void)
{
	clean();
	rmdir(dir);
}

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_store: %s\n", what);
	abort();
}

/* A store as sitrep leaves it after an incident's first update. */
static void
seed(const char *corpus)
{
	struct store *s;
	struct store_incident inc;
	struct store_update u;
	char path[4096];
	int64_t id, uid;
	FILE *in, *out;
	int ch;

	clean();
	if (store_create(&s, db) != 0)
		die("cannot create the seed store");
	memset(&inc, 0, sizeof(inc));
	inc.playbook = "outage";
	memset(inc.commit, 'a', 40);
	inc.title = "API down";
	inc.severity = 2;
	strcpy(inc.status, "investigating");
	inc.opened_by = "alice";
	inc.opened_at = 1795435200000;
	memset(&u, 0, sizeof(u));
	strcpy(u.kind, "update");
	u.audience = "customers";
	u.status = "investigating";
	u.body = "We are looking into it.";
	strcpy(u.state, "published");
	u.author = "alice";
	u.created_at = u.published_at = 1795435200000;
	if (store_begin(s) != 0 || store_incident_insert(&id, s, &inc) != 0 ||
	    (u.incident_id = id, store_update_insert(&uid, s, &u)) != 0 ||
	    store_component_set(s, id, "api", "major_outage") != 0 ||
	    store_event_append(s, id, 1795435200000, "alice", "local:alice", "opened",
			       "{\"title\":\"API down\"}") != 0 ||
	    store_commit(s) != 0)
		die("cannot fill the seed store");
	store_close(s);
	snprintf(path, sizeof(path), "%s/fresh.db", corpus);
	if ((in = fopen(db, "rb")) == NULL || (out = fopen(path, "wb")) == NULL)
		die("cannot copy the seed store");
	while ((ch = getc(in)) != EOF)
		putc(ch, out);
	fclose(in);
	fclose(out);
	clean();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diags d = DIAGS_INIT;
	const char *corpus = getenv("SITREP_FUZZ_CORPUS");

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		die("cannot make a temporary directory");
	snprintf(db, sizeof(db), "%s/sitrep.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	snprintf(journal, sizeof(journal), "%s-journal", db);
	atexit(at_exit);
	if (conf_parse(&conf, &d, site_conf, "fuzz.conf", dir) != 0)
		die("the fixed site config does not parse");
	diag_release(&d);
	if (corpus != NULL)
		seed(corpus);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = NULL;
	struct store_incident *incs = NULL;
	struct snapshot *sn = NULL;
	size_t n = 0;
	FILE *fp;

	clean();
	if ((fp = fopen(db, "wb")) == NULL)
		die("cannot write the store file");
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		die("cannot write the store file");
	fclose(fp);
	if (store_open(&s, db) != 0) {
		if (s != NULL)
			die("store_open failed but set its out-parameter");
		return 0;
	}
	(void)store_schema_version(s);
	if (store_incidents_list(&incs, &n, s, true) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct store_event *ev = NULL;
			struct store_update *up = NULL;
			size_t nev = 0, nup = 0;

			if (store_events_get(&ev, &nev, s, incs[i].id) == 0)
				(void)timeline_verify(ev, nev);
			store_events_free(ev, nev);
			if (store_updates_get(&up, &nup, s, incs[i].id) == 0)
				store_updates_free(up, nup);
		}
		store_incidents_free(incs, n);
	}
	if (snapshot_build(&sn, s, conf, 1795435200000, 1795435200000) == 0)
		snapshot_free(sn);
	store_close(s);
	return 0;
}
