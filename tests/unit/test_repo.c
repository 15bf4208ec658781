/* test_repo.c: repo.c against real repositories made with the git CLI in a
 * temporary directory: open, resolve, read, list, log, diff and seed. */
#include "testutil.h"

#include <sys/stat.h>

#include "sitrep/err.h"
#include "sitrep/repo.h"

#define A_V1 "name = \"a\";\nstep = 1;\n"
#define A_V2 "name = \"a\";\nstep = 2;\n"
#define B_V1 "name = \"b\";\n"
#define B_V2 "name = \"b\";\ntitle = \"B\";\n"

/*
 * The history every test reads, oldest first:
 *   c[0] add a       a.playbook, README.md, sub/c.playbook
 *   c[1] add b       b.playbook                 (lightweight tag "light")
 *   c[2] modify a                              (annotated tag "v1")
 *   c[3] modify b
 *   c[4] delete b
 */
static struct {
	char *tmp;
	char *work;
	char *bare;
	char c[5][41];
} fx;

static const char *subjects[5] = {
	"add a", "add b", "modify a", "modify b", "delete b"
};

/* Run cmd in dir and keep the first line of its output. */
static void
capture(char *out, size_t len, const char *dir, const char *cmd)
{
	char full[4096];
	FILE *fp;

	snprintf(full, sizeof(full), "cd '%s' && %s", dir, cmd);
	fp = popen(full, "r");
	assert_non_null(fp);
	assert_non_null(fgets(out, (int)len, fp));
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(fp), 0);
}

/* Commit everything in dir at a fixed time, 60 seconds after the last. */
static void
commit_all(const char *dir, int i, const char *subject)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "git add -A && "
	    "GIT_AUTHOR_DATE='%d +0000' GIT_COMMITTER_DATE='%d +0000' "
	    "git -c user.name=T -c user.email=t@x commit -q -m '%s'",
	    1700000000 + 60 * i, 1700000000 + 60 * i, subject);
	testutil_sh(dir, cmd);
}

static char *
path_in(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);

	assert_non_null(p);
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

static int
setup(void **state)
{
	char *home;
	int i;

	(void)state;
	fx.tmp = testutil_tmpdir();
	/* A HOME with no git identity, so repo_create_seeded's fallback
	 * author is what we get. libgit2 reads HOME when it starts. */
	home = path_in(fx.tmp, "home");
	if (mkdir(home, 0700) != 0 || setenv("HOME", home, 1) != 0)
		abort();
	unsetenv("XDG_CONFIG_HOME");
	free(home);
	repo_global_init();

	fx.work = path_in(fx.tmp, "work");
	fx.bare = path_in(fx.tmp, "bare.git");
	testutil_sh(fx.tmp, "git init -q -b main work");
	testutil_write(fx.work, "a.playbook", A_V1);
	testutil_write(fx.work, "README.md", "playbooks\n");
	testutil_sh(fx.work, "mkdir sub");
	testutil_write(fx.work, "sub/c.playbook", "name = \"c\";\n");
	commit_all(fx.work, 0, subjects[0]);
	testutil_write(fx.work, "b.playbook", B_V1);
	commit_all(fx.work, 1, subjects[1]);
	testutil_sh(fx.work, "git tag light");
	testutil_write(fx.work, "a.playbook", A_V2);
	commit_all(fx.work, 2, subjects[2]);
	testutil_sh(fx.work, "git -c user.name=T -c user.email=t@x "
	    "tag -a -m 'first release' v1");
	testutil_write(fx.work, "b.playbook", B_V2);
	commit_all(fx.work, 3, subjects[3]);
	testutil_sh(fx.work, "git rm -q b.playbook");
	commit_all(fx.work, 4, subjects[4]);
	for (i = 0; i < 5; i++) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "git rev-parse HEAD~%d", 4 - i);
		capture(fx.c[i], sizeof(fx.c[i]), fx.work, cmd);
		assert_int_equal(strlen(fx.c[i]), 40);
	}
	testutil_sh(fx.tmp, "git clone -q --bare work bare.git");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	repo_global_shutdown();
	testutil_rmtree(fx.tmp);
	free(fx.work);
	free(fx.bare);
	free(fx.tmp);
	return 0;
}

static struct repo *
open_work(void)
{
	struct repo *r = NULL;

	assert_int_equal(repo_open(&r, fx.work), 0);
	assert_non_null(r);
	return r;
}

static void
test_open(void **state)
{
	struct repo *r;
	char *p, want[4200];

	(void)state;
	r = open_work();
	repo_free(r);

	assert_int_equal(repo_open(&r, fx.bare), 0);
	repo_free(r);

	/* Not a repository: the home directory made in setup. */
	p = path_in(fx.tmp, "home");
	assert_int_equal(repo_open(&r, p), SR_ENOTFOUND);
	assert_null(r);
	snprintf(want, sizeof(want), "'%s' is not a git repository", p);
	assert_string_equal(err_last(), want);
	free(p);

	/* A subdirectory of a work tree is not silently its repository. */
	p = path_in(fx.work, "sub");
	assert_int_equal(repo_open(&r, p), SR_ENOTFOUND);
	snprintf(want, sizeof(want), "'%s' is not a git repository", p);
	assert_string_equal(err_last(), want);
	free(p);

	p = path_in(fx.tmp, "no-such-dir");
	assert_true(repo_open(&r, p) < 0);
	assert_null(r);
	free(p);
}

/* A lazy repository opens at its first use, and fails there as repo_open
 * would have, every time it is asked. */
static void
test_open_lazy(void **state)
{
	struct repo *r;
	char sha[41], *p, want[4200];

	(void)state;
	r = repo_open_lazy(fx.work);
	assert_int_equal(repo_resolve(sha, r, "main"), 0);
	assert_int_equal(strlen(sha), 40);
	assert_int_equal(repo_ready(r), 0);
	repo_free(r);

	/* never used: nothing to close */
	repo_free(repo_open_lazy(fx.work));

	p = path_in(fx.tmp, "home");
	r = repo_open_lazy(p);
	snprintf(want, sizeof(want), "'%s' is not a git repository", p);
	assert_int_equal(repo_resolve(sha, r, "main"), SR_ENOTFOUND);
	assert_string_equal(err_last(), want);
	assert_int_equal(repo_ready(r), SR_ENOTFOUND);
	assert_string_equal(err_last(), want);
	repo_free(r);
	free(p);

	r = repo_open_lazy("");
	assert_int_equal(repo_ready(r), SR_EUSAGE);
	repo_free(r);
}

/*
 * A repository owned by someone else is refused with the command that
 * allows it. Only root can give a directory away, so others skip this.
 */
static void
test_open_owner(void **state)
{
	struct repo *r;
	char *p, want[4200];

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	p = path_in(fx.tmp, "theirs");
	testutil_sh(fx.tmp, "git init -q theirs && chown -R 65534:65534 theirs");
	assert_int_equal(repo_open(&r, p), SR_EREFUSED);
	assert_null(r);
	snprintf(want, sizeof(want), "repository '%s' is owned by another "
	    "user: run git config --global --add safe.directory %s", p, p);
	assert_string_equal(err_last(), want);

	/* The same when some other directory is declared safe (libgit2 1.5
	 * reports these two cases differently). */
	testutil_write(getenv("HOME"), ".gitconfig",
	    "[safe]\n\tdirectory = /elsewhere\n");
	assert_int_equal(repo_open(&r, p), SR_EREFUSED);
	assert_string_equal(err_last(), want);
	assert_int_equal(repo_create_seeded(p, "main", NULL, NULL, 0, "x"),
	    SR_EEXIST);

	/* Doing what the message says works. */
	snprintf(want, sizeof(want), "[safe]\n\tdirectory = %s\n", p);
	testutil_write(getenv("HOME"), ".gitconfig", want);
	assert_int_equal(repo_open(&r, p), 0);
	repo_free(r);
	testutil_sh(getenv("HOME"), "rm .gitconfig");
	free(p);
}

static void
test_resolve(void **state)
{
	struct repo *r = open_work(), *b;
	char sha[41], rev[16], want[4200], *p;

	(void)state;
	assert_int_equal(repo_resolve(sha, r, "main"), 0);
	assert_string_equal(sha, fx.c[4]);
	assert_int_equal(repo_resolve(sha, r, "HEAD"), 0);
	assert_string_equal(sha, fx.c[4]);
	assert_int_equal(repo_resolve(sha, r, "v1"), 0);	/* annotated */
	assert_string_equal(sha, fx.c[2]);
	assert_int_equal(repo_resolve(sha, r, "light"), 0);
	assert_string_equal(sha, fx.c[1]);
	assert_int_equal(repo_resolve(sha, r, "HEAD~2"), 0);
	assert_string_equal(sha, fx.c[2]);
	snprintf(rev, sizeof(rev), "%.7s", fx.c[0]);
	assert_int_equal(repo_resolve(sha, r, rev), 0);
	assert_string_equal(sha, fx.c[0]);
	assert_int_equal(repo_resolve(sha, r, fx.c[3]), 0);
	assert_string_equal(sha, fx.c[3]);

	assert_int_equal(repo_resolve(sha, r, "nope"), SR_ENOTFOUND);
	snprintf(want, sizeof(want), "unknown revision 'nope' in '%s'", fx.work);
	assert_string_equal(err_last(), want);
	assert_int_equal(repo_resolve(sha, r, "HEAD~9"), SR_ENOTFOUND);
	/* A blob is not a commit. */
	assert_int_equal(repo_resolve(sha, r, "HEAD:a.playbook"), SR_ENOTFOUND);
	assert_int_equal(repo_resolve(sha, r, ""), SR_EUSAGE);
	repo_free(r);

	/* A repository with no commits yet has no HEAD to resolve. */
	p = path_in(fx.tmp, "empty");
	testutil_sh(fx.tmp, "git init -q empty");
	assert_int_equal(repo_open(&r, p), 0);
	assert_int_equal(repo_resolve(sha, r, "HEAD"), SR_ENOTFOUND);
	snprintf(want, sizeof(want), "unknown revision 'HEAD' in '%s'", p);
	assert_string_equal(err_last(), want);
	repo_free(r);
	free(p);

	assert_int_equal(repo_open(&b, fx.bare), 0);
	assert_int_equal(repo_resolve(sha, b, "v1"), 0);
	assert_string_equal(sha, fx.c[2]);
	repo_free(b);
}

/*
 * repo_resolve_fast against libgit2 on repositories made by git: when it
 * answers, the answer is repo_resolve's; where it cannot be certain it
 * says so (0) and leaves the answer to libgit2.
 */
static void
fast_same(const char *path, const char *rev, int answers)
{
	struct repo *r = repo_open_lazy(path);
	char fast[41], slow[41];
	int got = repo_resolve_fast(fast, r, rev);

	if (got != answers)
		fail_msg("repo_resolve_fast(%s, %s) = %d, want %d", path, rev, got, answers);
	if (got == 1) {
		assert_int_equal(repo_resolve(slow, r, rev), 0);
		assert_string_equal(fast, slow);
	} else {
		assert_string_equal(fast, "");
	}
	repo_free(r);
}

static void
test_resolve_fast(void **state)
{
	char *dir, *work, *bare, *wt, *cmd;

	(void)state;
	dir = path_in(fx.tmp, "fast");
	work = path_in(dir, "work");
	bare = path_in(dir, "bare.git");
	wt = path_in(dir, "wt");
	assert_int_equal(mkdir(dir, 0700), 0);
	cmd = malloc(strlen(fx.work) + 64);
	assert_non_null(cmd);
	sprintf(cmd, "git clone -q '%s' work", fx.work);
	testutil_sh(dir, cmd);
	free(cmd);

	/* loose refs: a branch, HEAD (symbolic), a nested branch name */
	testutil_sh(work, "git branch team/oncall HEAD~1 && git branch other HEAD~2");
	fast_same(work, "main", 1);
	fast_same(work, "HEAD", 1);
	fast_same(work, "team/oncall", 1);
	fast_same(work, "refs/heads/other", 1);
	/* what it does not answer: tags (maybe annotated), remotes, revisions
	 * with operators, short shas, names that are not there */
	fast_same(work, "v1", 0);
	fast_same(work, "light", 0);
	fast_same(work, "origin/main", 0);
	fast_same(work, "main~1", 0);
	fast_same(work, "main^{commit}", 0);
	fast_same(work, fx.c[2], 0);
	fast_same(work, "nosuch", 0);
	fast_same(work, "", 0);
	/* a tag of the same name comes first for revparse: not the branch */
	testutil_sh(work, "git tag other HEAD~3");
	fast_same(work, "other", 0);
	fast_same(work, "refs/heads/other", 1);
	/* a symbolic branch pointing at another */
	testutil_sh(work, "git symbolic-ref refs/heads/alias refs/heads/team/oncall");
	fast_same(work, "alias", 1);

	/* packed: every ref in packed-refs (with its peeled lines), none loose */
	testutil_sh(work, "git pack-refs --all && test ! -e .git/refs/heads/main && "
		    "grep -q '^\\^' .git/packed-refs");
	fast_same(work, "main", 1);
	fast_same(work, "HEAD", 1);
	fast_same(work, "team/oncall", 1);
	fast_same(work, "alias", 1);
	fast_same(work, "other", 0);
	/* a loose ref wins over its packed line */
	testutil_sh(work, "git update-ref refs/heads/main HEAD~1");
	fast_same(work, "main", 1);

	/* detached HEAD */
	testutil_sh(work, "git checkout -q -f --detach HEAD~2");
	fast_same(work, "HEAD", 1);
	fast_same(work, "main", 1);

	/* bare, loose and then packed */
	testutil_sh(dir, "git clone -q --bare work bare.git");
	fast_same(bare, "main", 1);
	fast_same(bare, "HEAD", 1);
	testutil_sh(bare, "git pack-refs --all");
	fast_same(bare, "main", 1);

	/* a linked worktree (a .git file): left to libgit2 */
	testutil_sh(work, "git worktree add -q --detach ../wt HEAD");
	fast_same(wt, "main", 0);
	fast_same(wt, "HEAD", 0);

	/* not a repository at all */
	fast_same(dir, "main", 0);

	testutil_rmtree(dir);
	free(wt);
	free(bare);
	free(work);
	free(dir);
}

static void
test_read_file(void **state)
{
	struct repo *r = open_work(), *b;
	char *text = (char *)1, want[256];
	size_t len;

	(void)state;
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[0], "a.playbook"),
	    0);
	assert_int_equal(len, strlen(A_V1));
	assert_int_equal(text[len], '\0');
	assert_string_equal(text, A_V1);
	free(text);

	/* The old text, not the work tree's. */
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[1], "a.playbook"),
	    0);
	assert_string_equal(text, A_V1);
	free(text);
	assert_int_equal(repo_read_file(&text, NULL, r, fx.c[4], "a.playbook"),
	    0);
	assert_string_equal(text, A_V2);
	free(text);
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[3], "b.playbook"),
	    0);
	assert_string_equal(text, B_V2);
	free(text);
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[0],
	    "sub/c.playbook"), 0);
	assert_string_equal(text, "name = \"c\";\n");
	free(text);

	/* Deleted in c[4]. */
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[4], "b.playbook"),
	    SR_ENOTFOUND);
	assert_null(text);
	snprintf(want, sizeof(want), "no file 'b.playbook' at revision %.7s",
	    fx.c[4]);
	assert_string_equal(err_last(), want);
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[0], "b.playbook"),
	    SR_ENOTFOUND);
	/* A directory is not a file. */
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[0], "sub"),
	    SR_ENOTFOUND);
	assert_non_null(strstr(err_last(), "'sub'"));
	/* Not a sha (names must be resolved first). */
	assert_int_equal(repo_read_file(&text, &len, r, "main", "a.playbook"),
	    SR_EUSAGE);
	/* A commit the repository does not have is not an absent file: the
	 * repository lost it (garbage-collected, or damaged). */
	assert_int_equal(repo_read_file(&text, &len, r,
	    "0000000000000000000000000000000000000000", "a.playbook"),
	    SR_ESYS);
	assert_non_null(strstr(err_last(), "commit 0000000 is missing from the "
	    "repository"));
	repo_free(r);

	assert_int_equal(repo_open(&b, fx.bare), 0);
	assert_int_equal(repo_read_file(&text, &len, b, fx.c[2], "a.playbook"),
	    0);
	assert_string_equal(text, A_V2);
	free(text);
	repo_free(b);
}

/* A file's blob id is git's, changes with its content, and is missing
 * where the file is. */
/*
 * A damaged repository says it is damaged, with libgit2's words, instead
 * of "no file" or "unknown revision": a missing blob, a garbage-collected
 * commit, a branch whose commit is gone.
 */
static void
test_damaged(void **state)
{
	struct repo *r;
	char *copy = path_in(fx.tmp, "damaged"), sha[41], want[128], *text = NULL;
	size_t len;

	(void)state;
	testutil_sh(fx.tmp, "rm -rf damaged && cp -r work damaged && cd damaged && "
		    "b=$(git rev-parse HEAD:a.playbook) && "
		    "rm -f .git/objects/$(echo $b | cut -c1-2)/$(echo $b | cut -c3-)");
	assert_int_equal(repo_open(&r, copy), 0);
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[4], "a.playbook"), SR_ESYS);
	assert_null(text);
	assert_non_null(strstr(err_last(), "is damaged: cannot read 'a.playbook'"));
	assert_non_null(strstr(err_last(), "git fsck"));
	/* an absent file is still just absent */
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[4], "b.playbook"), SR_ENOTFOUND);
	repo_free(r);

	testutil_sh(fx.tmp, "cd damaged && c=$(git rev-parse HEAD) && "
		    "rm -f .git/objects/$(echo $c | cut -c1-2)/$(echo $c | cut -c3-)");
	assert_int_equal(repo_open(&r, copy), 0);
	assert_int_equal(repo_resolve(sha, r, "main"), SR_ESYS);
	assert_non_null(strstr(err_last(), "is damaged: 'main' names a commit it does not have"));
	assert_int_equal(repo_read_file(&text, &len, r, fx.c[4], "a.playbook"), SR_ESYS);
	snprintf(want, sizeof(want), "commit %.7s is missing from the repository", fx.c[4]);
	assert_non_null(strstr(err_last(), want));
	/* an unknown name is still unknown */
	assert_int_equal(repo_resolve(sha, r, "nope"), SR_ENOTFOUND);
	repo_free(r);
	free(copy);
}

static void
test_file_id(void **state)
{
	struct repo *r = open_work();
	char id[41], want[64], cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "git rev-parse %s:a.playbook", fx.c[0]);
	capture(want, sizeof(want), fx.work, cmd);
	assert_int_equal(repo_file_id(id, r, fx.c[0], "a.playbook"), 0);
	assert_string_equal(id, want);
	assert_int_equal(repo_file_id(id, r, fx.c[1], "a.playbook"), 0);
	assert_string_equal(id, want);
	assert_int_equal(repo_file_id(id, r, fx.c[4], "a.playbook"), 0);
	assert_string_not_equal(id, want);
	assert_int_equal(repo_file_id(id, r, fx.c[4], "b.playbook"), SR_ENOTFOUND);
	repo_free(r);
}

static void
test_list_files(void **state)
{
	struct repo *r = open_work();
	char **names;
	size_t n;

	(void)state;
	assert_int_equal(repo_list_files(&names, &n, r, fx.c[0], ".playbook"),
	    0);
	assert_int_equal(n, 1);	/* not sub/c.playbook */
	assert_string_equal(names[0], "a.playbook");
	repo_free_names(names, n);

	assert_int_equal(repo_list_files(&names, &n, r, fx.c[3], ".playbook"),
	    0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a.playbook");
	assert_string_equal(names[1], "b.playbook");
	repo_free_names(names, n);

	assert_int_equal(repo_list_files(&names, &n, r, fx.c[4], ".playbook"),
	    0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "a.playbook");
	repo_free_names(names, n);

	assert_int_equal(repo_list_files(&names, &n, r, fx.c[4], ".md"), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "README.md");
	repo_free_names(names, n);

	/* Every top-level file, sorted with strcmp: upper case first. */
	assert_int_equal(repo_list_files(&names, &n, r, fx.c[1], NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "README.md");
	assert_string_equal(names[1], "a.playbook");
	assert_string_equal(names[2], "b.playbook");
	repo_free_names(names, n);

	assert_int_equal(repo_list_files(&names, &n, r, fx.c[1], ".conf"), 0);
	assert_int_equal(n, 0);
	repo_free_names(names, n);
	repo_free(r);
}

static void
test_log(void **state)
{
	struct repo *r = open_work();
	struct repo_commit *v;
	size_t n, i;

	(void)state;
	assert_int_equal(repo_log(&v, &n, r, fx.c[4], "a.playbook", 0), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].subject, "modify a");
	assert_string_equal(v[0].sha, fx.c[2]);
	assert_int_equal(v[0].time, 1700000000 + 120);
	assert_string_equal(v[0].author, "T <t@x>");
	assert_string_equal(v[1].subject, "add a");
	assert_string_equal(v[1].sha, fx.c[0]);
	repo_commits_free(v, n);

	/* The deletion is a change too. */
	assert_int_equal(repo_log(&v, &n, r, fx.c[4], "b.playbook", 0), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].subject, "delete b");
	assert_string_equal(v[1].subject, "modify b");
	assert_string_equal(v[2].subject, "add b");
	repo_commits_free(v, n);

	/* From an older commit, with a limit. */
	assert_int_equal(repo_log(&v, &n, r, fx.c[3], "b.playbook", 1), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].subject, "modify b");
	repo_commits_free(v, n);

	assert_int_equal(repo_log(&v, &n, r, fx.c[4], "sub/c.playbook", 0), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].subject, "add a");
	repo_commits_free(v, n);

	assert_int_equal(repo_log(&v, &n, r, fx.c[4], "never.playbook", 0), 0);
	assert_int_equal(n, 0);
	repo_commits_free(v, n);

	assert_int_equal(repo_log(&v, &n, r, fx.c[4], NULL, 0), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(v[i].subject, subjects[4 - i]);
		assert_string_equal(v[i].sha, fx.c[4 - i]);
		assert_int_equal(v[i].time, 1700000000 + 60 * (4 - (int)i));
	}
	repo_commits_free(v, n);

	assert_int_equal(repo_log(&v, &n, r, fx.c[4], NULL, 2), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].subject, "modify b");
	repo_commits_free(v, n);

	assert_int_equal(repo_log(&v, &n, r, "zzzz", NULL, 0), SR_EUSAGE);
	repo_free(r);
}

static void
test_last_changes(void **state)
{
	struct repo *r = open_work();
	struct repo_commit out[4];
	char *paths[4] = {
		"a.playbook", "b.playbook", "never.playbook", "README.md"
	};
	size_t i;

	(void)state;
	assert_int_equal(repo_last_changes(out, r, fx.c[4], paths, 4), 0);
	assert_string_equal(out[0].sha, fx.c[2]);
	assert_string_equal(out[0].subject, "modify a");
	assert_string_equal(out[1].sha, fx.c[4]);
	assert_string_equal(out[1].subject, "delete b");
	assert_string_equal(out[2].sha, "");
	assert_null(out[2].subject);
	assert_null(out[2].author);
	assert_int_equal(out[2].time, 0);
	assert_string_equal(out[3].sha, fx.c[0]);
	assert_string_equal(out[3].author, "T <t@x>");
	assert_int_equal(out[3].time, 1700000000);
	for (i = 0; i < 4; i++)
		repo_commit_release(&out[i]);

	/* From an older commit, where b was just added. */
	assert_int_equal(repo_last_changes(out, r, fx.c[1], paths, 2), 0);
	assert_string_equal(out[0].sha, fx.c[0]);
	assert_string_equal(out[1].sha, fx.c[1]);
	for (i = 0; i < 2; i++)
		repo_commit_release(&out[i]);
	repo_free(r);
}

static void
test_diff_file(void **state)
{
	struct repo *r = open_work();
	char *d;

	(void)state;
	assert_int_equal(repo_diff_file(&d, r, fx.c[0], fx.c[4], "a.playbook"),
	    0);
	assert_non_null(strstr(d, "diff --git a/a.playbook b/a.playbook\n"));
	assert_non_null(strstr(d, "\n-step = 1;\n"));
	assert_non_null(strstr(d, "\n+step = 2;\n"));
	assert_non_null(strstr(d, "\n name = \"a\";\n"));
	assert_null(strstr(d, "b.playbook"));	/* only the one path */
	free(d);

	/* Unchanged between c[2] and c[4], and identical revisions. */
	assert_int_equal(repo_diff_file(&d, r, fx.c[2], fx.c[4], "a.playbook"),
	    0);
	assert_string_equal(d, "");
	free(d);
	assert_int_equal(repo_diff_file(&d, r, fx.c[3], fx.c[3], "b.playbook"),
	    0);
	assert_string_equal(d, "");
	free(d);

	/* Deleted: present in one revision only. */
	assert_int_equal(repo_diff_file(&d, r, fx.c[3], fx.c[4], "b.playbook"),
	    0);
	assert_non_null(strstr(d, "deleted file"));
	assert_non_null(strstr(d, "\n-title = \"B\";\n"));
	free(d);

	assert_int_equal(repo_diff_file(&d, r, fx.c[0], fx.c[4], "b.playbook"),
	    SR_ENOTFOUND);
	assert_null(d);
	assert_non_null(strstr(err_last(), "'b.playbook'"));
	repo_free(r);
}

/*
 * A side branch merged back: the side commit and the merge (which differs
 * from its first parent) both count, and the last change of a path is the
 * first entry of its log.
 */
static void
test_merge(void **state)
{
	struct repo *r;
	struct repo_commit *v, last[2];
	char *dir = path_in(fx.tmp, "merge"), sha[41];
	char *paths[2] = { "m.playbook", "s.playbook" };
	size_t n, i;

	(void)state;
	testutil_sh(fx.tmp, "git init -q -b main merge");
	testutil_write(dir, "m.playbook", "m1\n");
	commit_all(dir, 0, "add m");
	testutil_sh(dir, "git checkout -q -b side");
	testutil_write(dir, "s.playbook", "s1\n");
	commit_all(dir, 1, "add s");
	testutil_sh(dir, "git checkout -q main");
	testutil_write(dir, "m.playbook", "m2\n");
	commit_all(dir, 2, "modify m");
	testutil_sh(dir, "GIT_AUTHOR_DATE='1700000180 +0000' "
	    "GIT_COMMITTER_DATE='1700000180 +0000' "
	    "git -c user.name=T -c user.email=t@x merge -q --no-edit "
	    "-m 'merge side' side");

	assert_int_equal(repo_open(&r, dir), 0);
	assert_int_equal(repo_resolve(sha, r, "main"), 0);
	assert_int_equal(repo_log(&v, &n, r, sha, "s.playbook", 0), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].subject, "merge side");
	assert_string_equal(v[1].subject, "add s");
	repo_commits_free(v, n);
	assert_int_equal(repo_log(&v, &n, r, sha, NULL, 0), 0);
	assert_int_equal(n, 4);
	repo_commits_free(v, n);

	assert_int_equal(repo_last_changes(last, r, sha, paths, 2), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(repo_log(&v, &n, r, sha, paths[i], 1), 0);
		assert_int_equal(n, 1);
		assert_string_equal(last[i].sha, v[0].sha);
		repo_commits_free(v, n);
		repo_commit_release(&last[i]);
	}
	repo_free(r);
	free(dir);
}

/*
 * A few hundred commits made with git fast-import: the last change of
 * every path agrees with `git log -1 -- PATH` and with repo_log.
 */
static void
test_long_history(void **state)
{
	struct repo *r;
	struct repo_commit *v, last[8];
	char *dir = path_in(fx.tmp, "long"), *stream, sha[41], want[41];
	char *paths[8], cmd[128];
	FILE *fp;
	size_t n, i;
	int c;

	(void)state;
	testutil_sh(fx.tmp, "git init -q -b main long");
	stream = path_in(dir, "stream");
	fp = fopen(stream, "w");
	assert_non_null(fp);
	for (c = 1; c <= 300; c++) {
		fprintf(fp, "commit refs/heads/main\nmark :%d\n"
		    "committer T <t@x> %d +0000\ndata <<EOF\nc%d\nEOF\n",
		    c, 1700000000 + c, c);
		if (c > 1)
			fprintf(fp, "from :%d\n", c - 1);
		/* p0..p6 change; p6 only in the first commit. */
		fprintf(fp, "M 100644 inline p%d.playbook\ndata <<EOF\n%d\nEOF\n",
		    c == 1 ? 6 : c % 6, c);
		if (c == 1) {
			for (i = 0; i < 6; i++)
				fprintf(fp, "M 100644 inline p%zu.playbook\n"
				    "data <<EOF\nfirst\nEOF\n", i);
		}
		fputc('\n', fp);
	}
	fclose(fp);
	testutil_sh(dir, "git fast-import --quiet < stream");
	free(stream);

	for (i = 0; i < 8; i++) {
		paths[i] = malloc(16);
		assert_non_null(paths[i]);
		snprintf(paths[i], 16, "p%zu.playbook", i);
	}
	assert_int_equal(repo_open(&r, dir), 0);
	assert_int_equal(repo_resolve(sha, r, "main"), 0);
	assert_int_equal(repo_last_changes(last, r, sha, paths, 8), 0);
	for (i = 0; i < 7; i++) {
		snprintf(cmd, sizeof(cmd), "git log -1 --format=%%H -- %s",
		    paths[i]);
		capture(want, sizeof(want), dir, cmd);
		assert_string_equal(last[i].sha, want);
		assert_int_equal(repo_log(&v, &n, r, sha, paths[i], 1), 0);
		assert_int_equal(n, 1);
		assert_string_equal(v[0].sha, want);
		repo_commits_free(v, n);
	}
	assert_string_equal(last[6].subject, "c1");
	assert_string_equal(last[0].subject, "c300");
	assert_string_equal(last[5].subject, "c299");
	assert_string_equal(last[7].sha, "");	/* p7 never existed */
	for (i = 0; i < 8; i++) {
		repo_commit_release(&last[i]);
		free(paths[i]);
	}
	assert_int_equal(repo_log(&v, &n, r, sha, "p1.playbook", 0), 0);
	assert_int_equal(n, 50);	/* c1, then c7, c13 ... c295 */
	repo_commits_free(v, n);
	repo_free(r);
	free(dir);
}

static void
test_create_seeded(void **state)
{
	struct repo *r;
	struct repo_commit *v;
	char *dir = path_in(fx.tmp, "seed/deep/playbooks");
	char *names[2] = { "x.playbook", "y.playbook" };
	char *contents[2] = { "name = \"x\";\n", "name = \"y\";\n" };
	char *bad[1] = { "../evil.playbook" };
	char *text, **list, sha[41];
	size_t n, len;

	(void)state;
	assert_int_equal(repo_create_seeded(dir, "main", names, contents, 2,
	    "seed playbooks"), 0);

	assert_int_equal(repo_open(&r, dir), 0);
	assert_int_equal(repo_resolve(sha, r, "main"), 0);
	assert_int_equal(repo_read_file(&text, &len, r, sha, "y.playbook"), 0);
	assert_string_equal(text, "name = \"y\";\n");
	free(text);
	assert_int_equal(repo_list_files(&list, &n, r, sha, ".playbook"), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "x.playbook");
	assert_string_equal(list[1], "y.playbook");
	repo_free_names(list, n);
	assert_int_equal(repo_log(&v, &n, r, sha, NULL, 0), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].subject, "seed playbooks");
	/* HOME has no git identity (see setup). */
	assert_string_equal(v[0].author, "sitrep <sitrep@localhost>");
	repo_commits_free(v, n);
	repo_free(r);

	/* The work tree and index match the commit; HEAD is on main. */
	testutil_sh(dir, "test -z \"$(git status --porcelain)\"");
	testutil_sh(dir, "test \"$(git symbolic-ref HEAD)\" = refs/heads/main");
	testutil_sh(dir, "grep -q '\"x\"' x.playbook");

	assert_int_equal(repo_create_seeded(dir, "main", names, contents, 2,
	    "again"), SR_EEXIST);
	assert_non_null(strstr(err_last(), "already"));
	assert_int_equal(repo_create_seeded(fx.bare, "main", names, contents,
	    2, "again"), SR_EEXIST);
	free(dir);

	dir = path_in(fx.tmp, "seed-bad");
	assert_int_equal(repo_create_seeded(dir, "main", bad, contents, 1,
	    "bad"), SR_EUSAGE);
	assert_int_equal(repo_create_seeded(dir, "no..branch", names,
	    contents, 1, "bad"), SR_EUSAGE);
	assert_int_equal(access(dir, F_OK), -1);	/* nothing created */
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_open_lazy),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_open_owner),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_fast),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_file_id),
		cmocka_unit_test(test_list_files),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_last_changes),
		cmocka_unit_test(test_diff_file),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_long_history),
		cmocka_unit_test(test_create_seeded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
