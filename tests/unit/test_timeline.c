/* test_timeline.c: the hash chain of an incident's events: a known digest,
 * a chain that verifies, each kind of alteration found where it is, its end
 * checked against the incident's record and against anchors kept in a real
 * git repository. */
#include "testutil.h"

#include "sitrep/err.h"
#include "sitrep/repo.h"
#include "sitrep/store-incident.h"
#include "sitrep/timeline.h"

static void
make_chain(struct store_event *v, size_t n)
{
	const char *prev = "";

	for (size_t i = 0; i < n; i++) {
		v[i].id = (int64_t)i + 1;
		v[i].incident_id = 7;
		v[i].at = 1795432777000 + (int64_t)i * 1000;
		v[i].actor = i % 2 ? "bob" : "alice";
		v[i].kind = "status";
		v[i].details = "{\"to\":\"identified\"}";
		snprintf(v[i].prev_hash, sizeof(v[i].prev_hash), "%s", prev);
		v[i].via = i % 3 ? "local:root" : NULL; /* older events have none */
		store_event_hash(v[i].hash, prev, v[i].incident_id, v[i].at, v[i].actor,
				 v[i].kind, v[i].details, v[i].via);
		prev = v[i].hash;
	}
}

/* The digest is SHA-256 over the fields, each followed by a NUL byte. */
static void
test_known_digest(void **state)
{
	char h[65];

	(void)state;
	store_event_hash(h, "", 1, 1000, "alice", "opened", "{}", NULL);
	/* python3: sha256(b"\0" b"1\0" b"1000\0" b"alice\0" b"opened\0" b"{}\0") */
	assert_string_equal(h, "c8a092950357a78c87729caca8ef9aea18ff0134fc415fb62ae5770a40360b8c");
	/* with how the actor was authenticated, last */
	store_event_hash(h, "", 1, 1000, "alice", "opened", "{}", "local:alice");
	/* python3: the same + b"local:alice\0" */
	assert_string_equal(h, "800501c39c8b97c37161cdabc276fc44fef580c1de59aacbad344d7afbfc2d22");
}

static void
test_chain_verifies(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	assert_int_equal(timeline_verify(v, 5), -1);
	assert_int_equal(timeline_verify(v, 0), -1);
}

static void
test_altered_field_found(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	v[2].actor = "mallory";
	assert_int_equal(timeline_verify(v, 5), 2);
	make_chain(v, 5);
	v[3].details = "{\"to\":\"resolved\"}";
	assert_int_equal(timeline_verify(v, 5), 3);
	make_chain(v, 5);
	v[0].at += 1;
	assert_int_equal(timeline_verify(v, 5), 0);
}

/* Removing an event breaks the link of the one after it. */
static void
test_removed_event_found(void **state)
{
	struct store_event v[5];

	(void)state;
	make_chain(v, 5);
	memmove(&v[1], &v[2], 3 * sizeof(v[0]));
	assert_int_equal(timeline_verify(v, 4), 1);
}

/* Fields cannot run into each other: "ab"+"c" differs from "a"+"bc". */
static void
test_fields_separated(void **state)
{
	char a[65], b[65];

	(void)state;
	store_event_hash(a, "", 1, 1, "ab", "c", "{}", NULL);
	store_event_hash(b, "", 1, 1, "a", "bc", "{}", NULL);
	assert_string_not_equal(a, b);
	/* and how the actor was authenticated counts */
	store_event_hash(a, "", 1, 1, "a", "c", "{}", "local:a");
	store_event_hash(b, "", 1, 1, "a", "c", "{}", "local:b");
	assert_string_not_equal(a, b);
}

/* The incident as the store keeps it: the count and head of v's first n. */
static void
record(struct store_incident *inc, const struct store_event *v, size_t n)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 7;
	inc->event_count = (int64_t)n;
	snprintf(inc->head_hash, sizeof(inc->head_hash), "%s", n ? v[n - 1].hash : "");
}

/* The attack of issue 11: with the append-only trigger dropped, the last
 * event deleted. The rest of the chain verifies; its end does not match
 * what the incident recorded in the same transaction. */
static void
test_cut_tail_found(void **state)
{
	struct store_event v[5];
	struct store_incident inc;
	long bad;

	(void)state;
	make_chain(v, 5);
	record(&inc, v, 5);
	assert_int_equal(timeline_check(&bad, &inc, v, 5, NULL), 0);
	assert_int_equal(bad, -1);
	/* the tail cut: the chain of four still verifies on its own */
	assert_int_equal(timeline_verify(v, 4), -1);
	assert_int_equal(timeline_check(&bad, &inc, v, 4, NULL), SR_EINVALID);
	assert_non_null(strstr(err_last(), "INC-7: the timeline has 4 events but 5 were "
			       "recorded"));
	assert_non_null(strstr(err_last(), "removed from its end"));
	/* an event added behind sitrep's back */
	record(&inc, v, 4);
	assert_int_equal(timeline_check(&bad, &inc, v, 5, NULL), SR_EINVALID);
	assert_non_null(strstr(err_last(), "added or changed"));
	/* an altered event is still named by its place */
	record(&inc, v, 5);
	v[1].kind = "forged";
	assert_int_equal(timeline_check(&bad, &inc, v, 5, NULL), SR_EINVALID);
	assert_int_equal(bad, 1);
}

/* Someone who rewrites the database, record and all, still disagrees with
 * the anchors kept outside it. */
static void
test_anchor_mismatch_found(void **state)
{
	struct store_event v[5], w[5];
	struct store_incident inc;
	struct timeline_anchor a = { 7, 4, "" };
	long bad;

	(void)state;
	make_chain(v, 5);
	snprintf(a.hash, sizeof(a.hash), "%s", v[3].hash);
	record(&inc, v, 5);
	assert_int_equal(timeline_check(&bad, &inc, v, 5, &a), 0);
	/* the record rewritten to match a chain cut to three events */
	record(&inc, v, 3);
	assert_int_equal(timeline_check(&bad, &inc, v, 3, &a), SR_EINVALID);
	assert_non_null(strstr(err_last(), "INC-7: the timeline has 3 events but 4 were "
			       "anchored"));
	/* a whole chain rebuilt from event 2 on: it verifies, the record
	 * matches, but the anchored event is not what it was */
	make_chain(w, 5);
	w[2].actor = "mallory";
	for (size_t i = 2; i < 5; i++) {
		snprintf(w[i].prev_hash, sizeof(w[i].prev_hash), "%s", w[i - 1].hash);
		store_event_hash(w[i].hash, w[i].prev_hash, w[i].incident_id, w[i].at,
				 w[i].actor, w[i].kind, w[i].details, w[i].via);
	}
	record(&inc, w, 5);
	assert_int_equal(timeline_verify(w, 5), -1);
	assert_int_equal(timeline_check(&bad, &inc, w, 5, &a), SR_EINVALID);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(err_last(), "does not match its anchor"));
}

/* Anchors go to a ref of their own in a real repository, one commit per
 * anchoring, and come back as they were; branches are left alone. */
static void
test_anchors_in_repository(void **state)
{
	struct timeline_anchor in[2] = { { 1, 3, "" }, { 2, 9, "" } }, *out = NULL;
	char *dir = testutil_tmpdir(), sha[41], sha2[41], head[41], head2[41];
	struct repo *r = NULL;
	size_t n = 99;

	(void)state;
	memset(in[0].hash, 'a', 64);
	memset(in[1].hash, 'b', 64);
	repo_global_init();
	testutil_sh(dir, "git init -q -b main pb && cd pb && echo x > a.playbook && "
		    "git add -A && git -c user.name=T -c user.email=t@x commit -q -m one");
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/pb", dir);
		assert_int_equal(repo_open(&r, path), 0);
	}
	assert_int_equal(repo_resolve(head, r, "main"), 0);
	assert_int_equal(timeline_anchors_load(&out, &n, sha, r), 0);
	assert_int_equal(n, 0);
	assert_string_equal(sha, "");
	assert_int_equal(timeline_anchors_save(sha, r, in, 2), 0);
	assert_int_equal(strlen(sha), 40);
	assert_int_equal(timeline_anchors_load(&out, &n, sha2, r), 0);
	assert_string_equal(sha, sha2);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].incident_id, 2);
	assert_int_equal(out[1].count, 9);
	assert_string_equal(out[1].hash, in[1].hash);
	assert_ptr_equal(timeline_anchor_find(out, n, 1), &out[0]);
	assert_null(timeline_anchor_find(out, n, 3));
	free(out);
	/* a second anchoring is a child of the first */
	in[0].count = 4;
	assert_int_equal(timeline_anchors_save(sha2, r, in, 1), 0);
	testutil_sh(dir, "cd pb && test \"$(git rev-parse refs/sitrep/anchors^)\" = "
		    "\"$(git rev-parse refs/sitrep/anchors~1)\" && "
		    "git cat-file -p refs/sitrep/anchors:anchors | grep -qx 'INC-1 4 a*'");
	assert_int_equal(repo_resolve(head2, r, "main"), 0);
	assert_string_equal(head, head2);
	/* a damaged anchors file is refused, not read as none */
	testutil_sh(dir, "cd pb && b=$(printf 'sitrep timeline anchors v1\\nINC-x\\n' | "
		    "git hash-object -w --stdin) && t=$(printf '100644 blob %s\\tanchors\\n' $b | "
		    "git mktree) && c=$(git -c user.name=T -c user.email=t@x commit-tree -m bad $t) "
		    "&& git update-ref refs/sitrep/anchors $c");
	assert_int_equal(timeline_anchors_load(&out, &n, sha, r), SR_EINVALID);
	assert_non_null(strstr(err_last(), "bad line 2"));
	repo_free(r);
	repo_global_shutdown();
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_digest),
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_altered_field_found),
		cmocka_unit_test(test_removed_event_found),
		cmocka_unit_test(test_fields_separated),
		cmocka_unit_test(test_cut_tail_found),
		cmocka_unit_test(test_anchor_mismatch_found),
		cmocka_unit_test(test_anchors_in_repository),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
