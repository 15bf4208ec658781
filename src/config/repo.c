/* repo.c: the playbook git repository through libgit2: resolve revisions,
 * read files from commits, walk history, diff, and seed a new repository.
 * It never parses a playbook and never reads the work tree; callers do. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitapi.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/repo.h"
#include "sitrep/xalloc.h"

struct repo {
	git_repository *git; /* NULL until repo_ready opens it */
	char *path; /* as the caller gave it, for messages */
};

static int initialised; /* libgit2 loaded and initialised */

/*
 * A commit and what it changed, seen against its first parent. When both
 * have the same root tree nothing changed and no tree is loaded; ptree is
 * NULL for a root commit, so everything in it counts as added.
 */
struct change {
	git_tree *tree;
	git_tree *ptree;
	int same;
};

static const char *
lasterr(void)
{
	const git_error *e = git_error_last();

	if (e == NULL || e->message == NULL)
		return "unknown libgit2 error";
	return e->message;
}

/*
 * Load and initialise libgit2 when a repository is first needed: a command
 * that never reads git pays nothing for it. Trees up to 256 KiB stay in
 * libgit2's object cache (the default is 4 KiB, about a hundred playbooks),
 * so a walk that reads each tree as a commit's and then as its child's
 * parent's reads it from disk once.
 */
static int
lib_ready(void)
{
	int rc;

	if (initialised)
		return 0;
	if ((rc = gitapi_load()) != 0)
		return rc;
	if (git_libgit2_init() < 0)
		return err_set(SR_ESYS, "cannot initialise libgit2: %s", lasterr());
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_TREE,
	    (size_t)256 * 1024);
	initialised = 1;
	return 0;
}

void
repo_global_init(void)
{
	if (lib_ready() != 0)
		fatalx("%s", err_last());
}

void
repo_global_shutdown(void)
{
	if (!initialised)
		return;
	git_libgit2_shutdown();
	initialised = 0;
}

/*
 * Whether opening failed because the repository belongs to someone else.
 * libgit2 1.5 says so with GIT_EOWNER only when some safe.directory is
 * configured; with none at all it fails with GIT_ENOTFOUND and "config
 * value 'safe.directory' was not found" (fixed in later releases).
 */
static int
owner_refused(int rc)
{
	const git_error *e = git_error_last();

	if (rc == GIT_EOWNER)
		return 1;
	return rc == GIT_ENOTFOUND && e != NULL && e->message != NULL &&
	    strstr(e->message, "safe.directory") != NULL;
}

struct repo *
repo_open_lazy(const char *path)
{
	struct repo *r = xmalloc(sizeof(*r));

	r->git = NULL;
	r->path = xstrdup(path != NULL ? path : "");
	return r;
}

/*
 * NO_SEARCH: a path inside some other repository's work tree must not open
 * that repository, or `sitrep` would read playbooks from the wrong place.
 */
int
repo_ready(struct repo *r)
{
	const char *path = r->path;
	int rc;

	if (r->git != NULL)
		return 0;
	if (*path == '\0')
		return err_set(SR_EUSAGE, "no playbook repository path given");
	if ((rc = lib_ready()) != 0)
		return rc;
	rc = git_repository_open_ext(&r->git, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL);
	if (rc < 0)
		r->git = NULL;
	if (owner_refused(rc))
		return err_set(SR_EREFUSED, "repository '%s' is owned by another "
		    "user: run git config --global --add safe.directory %s",
		    path, path);
	if (rc == GIT_ENOTFOUND)
		return err_set(SR_ENOTFOUND, "'%s' is not a git repository", path);
	if (rc < 0)
		return err_set(SR_ESYS, "cannot open repository '%s': %s", path,
		    lasterr());
	return 0;
}

int
repo_open(struct repo **out, const char *path)
{
	struct repo *r;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return err_set(SR_EUSAGE, "no playbook repository path given");
	r = repo_open_lazy(path);
	if ((rc = repo_ready(r)) != 0) {
		repo_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	if (r->git != NULL)
		git_repository_free(r->git);
	free(r->path);
	free(r);
}

/*
 * Whether rev is a reference (branch, tag, HEAD) whose target object is
 * missing: a damaged repository, not an unknown name.
 */
static int
ref_dangles(char missing[41], struct repo *r, const char *rev)
{
	git_reference *ref = NULL, *direct = NULL;
	git_odb *odb = NULL;
	int dangles = 0;

	if (git_reference_dwim(&ref, r->git, rev) == 0 &&
	    git_reference_resolve(&direct, ref) == 0 &&
	    git_reference_target(direct) != NULL &&
	    git_repository_odb(&odb, r->git) == 0 &&
	    !git_odb_exists(odb, git_reference_target(direct))) {
		git_oid_tostr(missing, 41, git_reference_target(direct));
		dangles = 1;
	}
	git_odb_free(odb);
	git_reference_free(direct);
	git_reference_free(ref);
	return dangles;
}

int
repo_resolve(char out_sha[41], struct repo *r, const char *rev)
{
	git_object *obj, *commit;
	int rc;

	out_sha[0] = '\0';
	if (rev == NULL || *rev == '\0')
		return err_set(SR_EUSAGE, "empty revision");
	if ((rc = repo_ready(r)) != 0)
		return rc;
	/* Asked first: libgit2 1.5's revparse leaks the reference when its
	 * target is missing. */
	if (ref_dangles(out_sha, r, rev)) {
		rc = err_set(SR_ESYS, "the repository '%s' is damaged: '%s' "
		    "names a commit it does not have, %.7s (run 'git fsck' "
		    "there; restore it from a clone or a backup)", r->path, rev,
		    out_sha);
		out_sha[0] = '\0';
		return rc;
	}
	rc = git_revparse_single(&obj, r->git, rev);
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return err_set(SR_ENOTFOUND, "unknown revision '%s' in '%s'", rev,
		    r->path);
	if (rc == GIT_EAMBIGUOUS)
		return err_set(SR_EUSAGE, "short sha '%s' is ambiguous in '%s': "
		    "give more digits", rev, r->path);
	if (rc == GIT_EINVALIDSPEC)
		return err_set(SR_EUSAGE, "bad revision '%s'", rev);
	if (rc < 0)
		return err_set(SR_ESYS, "cannot resolve '%s' in '%s': %s", rev,
		    r->path, lasterr());
	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return err_set(SR_ENOTFOUND, "revision '%s' in '%s' is not a "
		    "commit", rev, r->path);
	git_oid_tostr(out_sha, 41, git_object_id(commit));
	git_object_free(commit);
	return 0;
}

/* ------------------------------------------------------------ refs without libgit2 */

/*
 * repo_resolve_fast reads a branch head the way git does, from the files of
 * the repository, so that a command whose answer is cached by commit id
 * (the on-call schedules) need not load libgit2 at all. It answers only
 * when the answer is certain: anything unusual (a worktree's or
 * submodule's gitdir file, a shared commondir, reftable, a ref owned by
 * someone else, a name that revparse could read as something other than a
 * ref, a tag, a missing ref) makes it say "don't know", and the caller asks
 * libgit2. What libgit2's revparse would pick for a name is mirrored
 * exactly: the first of NAME, refs/NAME, refs/tags/NAME, refs/heads/NAME
 * that exists (a loose file before packed-refs); only a winner under
 * refs/heads/, or HEAD, is answered, since git and libgit2 refuse to point
 * those at anything but a commit.
 */

#define FAST_REF_MAX 256 /* a loose ref file is a line: a sha or "ref: NAME" */
#define FAST_DEPTH 5 /* libgit2's limit of symbolic ref nesting */

struct fastrepo {
	char *gitdir;
	char *packed; /* packed-refs, NUL-terminated; NULL when absent */
	int packed_read; /* 1 once looked for; -1 when it could not be read */
};

static int
is_hex40(const char *s)
{
	for (int i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Whether name is a plain ref name: nothing revparse would read as an
 * operator (^ ~ @ : { ...), no describe output ("-g<hex>"), no component
 * git refuses. */
static int
fast_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 200 || name[0] == '/' || name[len - 1] == '/' ||
	    name[len - 1] == '.' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL || strstr(name, "/.") != NULL ||
	    name[0] == '.' || strstr(name, "-g") != NULL ||
	    (len >= 5 && strcmp(name + len - 5, ".lock") == 0))
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '/'))
			return 0;
	return 1;
}

/* Whether dir holds a repository sitrep may read without asking libgit2
 * anything: HEAD, objects and refs, none of the unusual layouts, and owned
 * by whoever runs sitrep (else libgit2 decides, with safe.directory). */
static int
fast_repo_ok(const char *dir)
{
	static const char *const unusual[] = { "commondir", "reftable", "gitdir" };
	struct stat st;
	char *p;
	int ok;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return 0;
	p = xasprintf("%s/HEAD", dir);
	ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	p = xasprintf("%s/objects", dir);
	ok = ok && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	p = xasprintf("%s/refs", dir);
	ok = ok && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	for (size_t i = 0; ok && i < sizeof(unusual) / sizeof(*unusual); i++) {
		p = xasprintf("%s/%s", dir, unusual[i]);
		ok = lstat(p, &st) != 0 && errno == ENOENT;
		free(p);
	}
	return ok;
}

/* The git directory of path, as libgit2 opens it with NO_SEARCH: path/.git
 * when that is a directory, else path itself (bare); NULL when it is
 * neither, or something unusual. */
static char *
fast_gitdir(const char *path)
{
	struct stat st;
	char *p = xasprintf("%s/.git", path);

	if (lstat(p, &st) == 0) {
		/* libgit2 checks the work tree's owner too */
		if (S_ISDIR(st.st_mode) && fast_repo_ok(p) && stat(path, &st) == 0 &&
		    st.st_uid == geteuid())
			return p;
		free(p); /* a gitdir file (worktree, submodule), or odd */
		return NULL;
	}
	free(p);
	if (errno != ENOENT)
		return NULL;
	if (!fast_repo_ok(path))
		return NULL;
	return xstrdup(path);
}

/* Read the whole of a small file: 1 read, 0 absent, -1 unusual (not a
 * regular file, unreadable, too large). */
static int
fast_slurp(char **out, size_t *out_len, const char *file, size_t max)
{
	struct stat st;
	char *buf;
	ssize_t got;
	size_t len = 0;
	int fd;

	*out = NULL;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (got = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (len != (size_t)st.st_size) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	if (out_len != NULL)
		*out_len = len;
	return 1;
}

/* refname in packed-refs: 1 with its sha, 0 absent, -1 unusual. Comment
 * lines (the "# pack-refs with:" header) and peeled lines ("^sha", a tag's
 * commit) are skipped; any other line must be "sha refname". */
static int
fast_packed(char sha[41], struct fastrepo *f, const char *refname)
{
	size_t nlen = strlen(refname);
	const char *line, *end;
	char *file;
	int rc;

	if (f->packed_read == 0) {
		file = xasprintf("%s/packed-refs", f->gitdir);
		rc = fast_slurp(&f->packed, NULL, file, (size_t)64 << 20);
		free(file);
		f->packed_read = rc < 0 ? -1 : 1;
	}
	if (f->packed_read < 0)
		return -1;
	if (f->packed == NULL)
		return 0;
	for (line = f->packed; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if (*line == '#' || *line == '^' || end == line)
			continue;
		if (end - line < 42 || !is_hex40(line) || line[40] != ' ')
			return -1;
		if ((size_t)(end - line - 41) == nlen &&
		    memcmp(line + 41, refname, nlen) == 0) {
			memcpy(sha, line, 40);
			sha[40] = '\0';
			return 1;
		}
	}
	return 0;
}

/* The ref refname: 1 with a sha or (*target set) a symbolic ref's target,
 * 0 absent, -1 unusual. A loose file wins over packed-refs. */
static int
fast_ref(char sha[41], char **target, struct fastrepo *f, const char *refname)
{
	char *file, *text;
	size_t len;
	int rc;

	*target = NULL;
	file = xasprintf("%s/%s", f->gitdir, refname);
	rc = fast_slurp(&text, &len, file, FAST_REF_MAX);
	free(file);
	if (rc == 0)
		return fast_packed(sha, f, refname);
	if (rc < 0)
		return -1;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (strncmp(text, "ref: ", 5) == 0 && fast_name_ok(text + 5)) {
		*target = xstrdup(text + 5);
		rc = 1;
	} else if (len == 40 && is_hex40(text)) {
		memcpy(sha, text, 41);
		rc = 1;
	} else {
		rc = -1;
	}
	free(text);
	return rc;
}

/* Follow refname (HEAD or refs/heads/...) to its sha: 1, or 0 when not
 * certain. */
static int
fast_follow(char sha[41], struct fastrepo *f, const char *refname)
{
	char *name = xstrdup(refname), *target;
	int rc = 0;

	for (int depth = 0; depth <= FAST_DEPTH; depth++) {
		if (strcmp(name, "HEAD") != 0 && strncmp(name, "refs/heads/", 11) != 0)
			break;
		if (fast_ref(sha, &target, f, name) != 1)
			break;
		if (target == NULL) {
			rc = 1;
			break;
		}
		free(name);
		name = target;
	}
	free(name);
	return rc;
}

int
repo_resolve_fast(char out_sha[41], struct repo *r, const char *rev)
{
	/* libgit2's dwim order, up to the one place fast answers from */
	static const char *const dwim[] = { "", "refs/", "refs/tags/", "refs/heads/" };
	struct fastrepo f = { NULL, NULL, 0 };
	char sha[41], *name, *target;
	int rc = 0, found;

	out_sha[0] = '\0';
	if (r == NULL || r->path[0] == '\0' || rev == NULL || !fast_name_ok(rev) ||
	    (f.gitdir = fast_gitdir(r->path)) == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(dwim) / sizeof(*dwim); i++) {
		name = xasprintf("%s%s", dwim[i], rev);
		found = fast_ref(sha, &target, &f, name);
		free(target);
		if (found == 1) {
			/* the first that exists is revparse's answer */
			if ((strcmp(name, "HEAD") == 0 ||
			    strncmp(name, "refs/heads/", 11) == 0) &&
			    fast_follow(sha, &f, name) == 1) {
				memcpy(out_sha, sha, 41);
				rc = 1;
			}
			free(name);
			break;
		}
		free(name);
		if (found < 0)
			break;
	}
	free(f.gitdir);
	free(f.packed);
	return rc;
}

/*
 * A failure reading an object the repository should have: say that the
 * repository is damaged, and what libgit2 found, rather than that some
 * file or playbook does not exist.
 */
static int
damaged(struct repo *r, const char *what, const char *sha)
{
	return err_set(SR_ESYS, "the repository '%s' is damaged: cannot read "
	    "the %s of %.7s: %s (run 'git fsck' there; restore it from a "
	    "clone or a backup)", r->path, what, sha, lasterr());
}

/*
 * Callers normally pass the full SHA repo_resolve gave them; a hex prefix
 * is accepted too, but nothing else (no branch names: resolve those first,
 * so one command reads everything from one commit).
 */
static int
lookup_commit(git_commit **out, struct repo *r, const char *sha)
{
	git_oid oid;
	size_t len;
	int rc;

	len = sha != NULL ? strlen(sha) : 0;
	if (len < GIT_OID_MINPREFIXLEN || len > GIT_OID_HEXSZ ||
	    git_oid_fromstrn(&oid, sha, len) < 0)
		return err_set(SR_EUSAGE, "'%s' is not a commit sha",
		    sha != NULL ? sha : "");
	rc = git_commit_lookup_prefix(out, r->git, &oid, len);
	if (rc == GIT_EAMBIGUOUS)
		return err_set(SR_EUSAGE, "short sha '%s' is ambiguous in '%s': "
		    "give more digits", sha, r->path);
	/* The sha came from repo_resolve or from the store: a commit that
	 * is not there was garbage-collected, or the repository lost it. */
	if (rc == GIT_ENOTFOUND)
		return err_set(SR_ESYS, "commit %.7s is missing from the "
		    "repository '%s' (garbage-collected, or the repository is "
		    "damaged): %s", sha, r->path, lasterr());
	if (rc < 0)
		return damaged(r, "commit", sha);
	return 0;
}

static int
commit_tree(git_tree **out, struct repo *r, git_commit *c)
{
	char sha[GIT_OID_HEXSZ + 1];

	if (git_commit_tree(out, c) < 0) {
		git_oid_tostr(sha, sizeof(sha), git_commit_id(c));
		return damaged(r, "tree", sha);
	}
	return 0;
}

/*
 * Find path in tree: 1 (with its id and mode) when present, 0 when absent,
 * or a negative code. A top-level name is a binary search in the loaded
 * tree with nothing to free, which is what makes repo_last_changes cheap;
 * a nested path walks the subtrees.
 */
static int
entry_at(git_oid *id, uint32_t *mode, git_tree *tree, const char *path)
{
	const git_tree_entry *e;
	git_tree_entry *owned;
	int rc;

	if (tree == NULL)
		return 0;
	if (strchr(path, '/') == NULL) {
		if ((e = git_tree_entry_byname(tree, path)) == NULL)
			return 0;
		git_oid_cpy(id, git_tree_entry_id(e));
		*mode = (uint32_t)git_tree_entry_filemode(e);
		return 1;
	}
	rc = git_tree_entry_bypath(&owned, tree, path);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return err_set(SR_ESYS, "cannot look up '%s': %s", path,
		    lasterr());
	git_oid_cpy(id, git_tree_entry_id(owned));
	*mode = (uint32_t)git_tree_entry_filemode(owned);
	git_tree_entry_free(owned);
	return 1;
}

/*
 * The tree entry of the regular file at path in commit sha; the caller frees
 * it with git_tree_entry_free.
 */
static int
file_entry(git_tree_entry **out, struct repo *r, const char *sha, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return err_set(SR_EUSAGE, "empty file name");
	if ((rc = lookup_commit(&c, r, sha)) < 0)
		return rc;
	if ((rc = commit_tree(&tree, r, c)) < 0)
		goto out;
	rc = git_tree_entry_bypath(&e, tree, path);
	if (rc == GIT_ENOTFOUND) {
		rc = err_set(SR_ENOTFOUND, "no file '%s' at revision %.7s", path,
		    sha);
		goto out;
	}
	if (rc < 0) {
		rc = damaged(r, "tree", sha);
		goto out;
	}
	/* A symbolic link is a blob too, but its content is the target's
	 * name, never what the caller wants to parse. */
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
		rc = err_set(SR_ENOTFOUND, "'%s' at revision %.7s is not a "
		    "regular file", path, sha);
		goto out;
	}
	*out = e;
	e = NULL;
	rc = 0;
out:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int
repo_file_id(char out_id[41], struct repo *r, const char *sha, const char *path)
{
	git_tree_entry *e;
	int rc;

	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = file_entry(&e, r, sha, path)) < 0)
		return rc;
	git_oid_tostr(out_id, 41, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

/* The text of blob id (path at sha, for messages): a NUL-terminated copy. */
static int
blob_text(char **out, size_t *out_len, struct repo *r, const git_oid *id,
    const char *sha, const char *path)
{
	git_blob *blob = NULL;
	git_object_size_t size;
	char *text;
	int rc;

	if (git_blob_lookup(&blob, r->git, id) < 0)
		return err_set(SR_ESYS, "the repository '%s' is damaged: cannot "
		    "read '%s' at revision %.7s: %s (run 'git fsck' there; "
		    "restore it from a clone or a backup)", r->path, path, sha,
		    lasterr());
	size = git_blob_rawsize(blob);
	if (size >= SIZE_MAX) {
		rc = err_set(SR_ESYS, "'%s' at revision %.7s is too large", path,
		    sha);
		goto out;
	}
	/* The blob's content is not NUL-terminated. */
	text = xmalloc((size_t)size + 1);
	if (size > 0)
		memcpy(text, git_blob_rawcontent(blob), (size_t)size);
	text[size] = '\0';
	*out = text;
	if (out_len != NULL)
		*out_len = (size_t)size;
	rc = 0;
out:
	git_blob_free(blob);
	return rc;
}

int
repo_read_file(char **out, size_t *out_len, struct repo *r, const char *sha,
    const char *path)
{
	git_tree_entry *e = NULL;
	int rc;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = file_entry(&e, r, sha, path)) < 0)
		return rc;
	rc = blob_text(out, out_len, r, git_tree_entry_id(e), sha, path);
	git_tree_entry_free(e);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The top-level regular files of the tree of commit sha whose names end
 * with suffix, sorted by name, with their blob ids when ids is not NULL.
 * Only regular files count (symbolic links and directories do not), and
 * only at the top of the tree: that is where playbooks and schedules live.
 */
static int
tree_files(char ***out, git_oid **ids, size_t *out_n, struct repo *r,
    const char *sha, const char *suffix)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	const git_tree_entry *e;
	const char *name;
	char **names = NULL;
	size_t i, count, n = 0, len, slen;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = lookup_commit(&c, r, sha)) < 0)
		return rc;
	if ((rc = commit_tree(&tree, r, c)) < 0) {
		git_commit_free(c);
		return rc;
	}
	slen = suffix != NULL ? strlen(suffix) : 0;
	count = git_tree_entrycount(tree);
	for (i = 0; i < count; i++) {
		e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
		    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
			continue;
		name = git_tree_entry_name(e);
		len = strlen(name);
		if (slen > 0 && (len < slen ||
		    memcmp(name + len - slen, suffix, slen) != 0))
			continue;
		if (names == NULL) {
			names = xreallocarray(NULL, count, sizeof(*names));
			if (ids != NULL)
				*ids = xreallocarray(NULL, count, sizeof(**ids));
		}
		if (ids != NULL)
			git_oid_cpy(&(*ids)[n], git_tree_entry_id(e));
		names[n++] = xstrdup(name);
	}
	/* git keeps a tree's entries sorted by name already (a directory
	 * sorts as "name/", which is not listed) */
	git_tree_free(tree);
	git_commit_free(c);
	*out = names;
	*out_n = n;
	return 0;
}

int
repo_list_files(char ***out, size_t *out_n, struct repo *r, const char *sha,
    const char *suffix)
{
	int rc = tree_files(out, NULL, out_n, r, sha, suffix);

	if (rc == 0 && *out_n > 1)
		qsort(*out, *out_n, sizeof(**out), cmp_names);
	return rc;
}

/*
 * One look at the commit's tree for the names and blob ids, then each blob
 * read: what `sitrep oncall` needs of fifty schedules costs about what git
 * show of one does, plus the blobs.
 */
int
repo_read_files(struct repo_file **out, size_t *out_n, struct repo *r,
    const char *sha, const char *suffix)
{
	struct repo_file *v;
	git_oid *ids = NULL;
	char **names;
	size_t n;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = tree_files(&names, &ids, &n, r, sha, suffix)) != 0)
		return rc;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].name = names[i];
		if ((rc = blob_text(&v[i].text, &v[i].len, r, &ids[i], sha,
		    names[i])) != 0) {
			for (size_t k = i + 1; k < n; k++)
				free(names[k]);
			free(names);
			free(ids);
			repo_files_free(v, i + 1);
			return rc;
		}
	}
	free(names);
	free(ids);
	*out = v;
	*out_n = n;
	return 0;
}

void
repo_files_free(struct repo_file *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].text);
	}
	free(v);
}

void
repo_free_names(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void
change_free(struct change *ch)
{
	git_tree_free(ch->tree);
	git_tree_free(ch->ptree);
	ch->tree = ch->ptree = NULL;
	ch->same = 0;
}

/*
 * Load c's tree and its first parent's. Only the first parent: a merge
 * counts as changing a path when it differs from the branch it was merged
 * into, which is what a reader of `playbook log` on the main line expects.
 */
static int
change_load(struct change *ch, struct repo *r, git_commit *c)
{
	git_commit *parent = NULL;
	char sha[GIT_OID_HEXSZ + 1];
	int rc;

	ch->tree = ch->ptree = NULL;
	ch->same = 0;
	if (git_commit_parentcount(c) > 0) {
		if (git_commit_parent(&parent, c, 0) < 0) {
			git_oid_tostr(sha, sizeof(sha), git_commit_id(c));
			return err_set(SR_ESYS, "cannot read the parent of commit "
			    "%.7s in '%s': %s", sha, r->path, lasterr());
		}
		if (git_oid_equal(git_commit_tree_id(c),
		    git_commit_tree_id(parent))) {
			ch->same = 1;
			git_commit_free(parent);
			return 0;
		}
		rc = commit_tree(&ch->ptree, r, parent);
		git_commit_free(parent);
		if (rc < 0)
			return rc;
	}
	if ((rc = commit_tree(&ch->tree, r, c)) < 0) {
		change_free(ch);
		return rc;
	}
	return 0;
}

/*
 * 1 when path differs between the commit and its first parent: added,
 * deleted, new content or new mode. 0 when not, negative on failure.
 */
static int
change_touches(struct change *ch, const char *path)
{
	git_oid id, pid;
	uint32_t mode = 0, pmode = 0;
	int have, phave;

	if (ch->same)
		return 0;
	if ((have = entry_at(&id, &mode, ch->tree, path)) < 0)
		return have;
	if ((phave = entry_at(&pid, &pmode, ch->ptree, path)) < 0)
		return phave;
	if (have != phave)
		return 1;
	if (!have)
		return 0;
	return !git_oid_equal(&id, &pid) || mode != pmode;
}

static void
commit_fill(struct repo_commit *out, git_commit *c)
{
	const git_signature *a = git_commit_author(c);
	const char *summary = git_commit_summary(c);

	git_oid_tostr(out->sha, sizeof(out->sha), git_commit_id(c));
	out->time = (int64_t)git_commit_time(c);
	out->author = xasprintf("%s <%s>", a->name != NULL ? a->name : "",
	    a->email != NULL ? a->email : "");
	out->subject = xstrdup(summary != NULL ? summary : "");
}

/*
 * Newest first by committer time, never a parent before its child (git log
 * --date-order). libgit2 reads all of history before the first commit
 * comes out, which is fine for a log the user asked to see in full.
 */
static int
walk_start(git_revwalk **out, struct repo *r, const char *sha)
{
	git_revwalk *walk;
	git_commit *c;
	int rc;

	*out = NULL;
	if ((rc = lookup_commit(&c, r, sha)) < 0)
		return rc;
	if (git_revwalk_new(&walk, r->git) < 0) {
		git_commit_free(c);
		return err_set(SR_ESYS, "cannot walk history in '%s': %s",
		    r->path, lasterr());
	}
	git_revwalk_sorting(walk, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
	rc = git_revwalk_push(walk, git_commit_id(c));
	git_commit_free(c);
	if (rc < 0) {
		git_revwalk_free(walk);
		return err_set(SR_ESYS, "cannot walk history from %.7s in '%s': "
		    "%s", sha, r->path, lasterr());
	}
	*out = walk;
	return 0;
}

/*
 * Step the walk: 1 with the next commit, 0 at the end, negative on failure.
 */
static int
walk_next(git_commit **out, git_revwalk *walk, struct repo *r)
{
	git_oid oid;
	int rc;

	*out = NULL;
	rc = git_revwalk_next(&oid, walk);
	if (rc == GIT_ITEROVER)
		return 0;
	if (rc < 0 || git_commit_lookup(out, r->git, &oid) < 0)
		return err_set(SR_ESYS, "cannot walk history in '%s': %s",
		    r->path, lasterr());
	return 1;
}

int
repo_log(struct repo_commit **out, size_t *out_n, struct repo *r,
    const char *sha, const char *path, size_t limit)
{
	git_revwalk *walk;
	git_commit *c;
	struct change ch;
	struct repo_commit *v = NULL;
	size_t n = 0, cap = 0;
	int rc, touched;

	*out = NULL;
	*out_n = 0;
	if (path != NULL && *path == '\0')
		return err_set(SR_EUSAGE, "empty file name");
	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = walk_start(&walk, r, sha)) < 0)
		return rc;
	while (limit == 0 || n < limit) {
		if ((rc = walk_next(&c, walk, r)) <= 0)
			break;
		touched = 1;
		if (path != NULL) {
			if ((rc = change_load(&ch, r, c)) == 0) {
				touched = change_touches(&ch, path);
				change_free(&ch);
			}
			if (rc < 0 || (rc = touched) < 0) {
				git_commit_free(c);
				break;
			}
		}
		if (touched) {
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			commit_fill(&v[n++], c);
		}
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	if (rc < 0) {
		repo_commits_free(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	return 0;
}

/*
 * A walk newest first by committer date, the order `git log` uses by
 * default. A commit is read only once one of its children has been
 * visited, so a caller that has its answers stops without reading the rest
 * of history; libgit2's sorted revwalk reads every commit before it returns
 * the first. Ties go to the commit queued first.
 */
struct datewalk {
	struct repo *r;
	struct datewalk_item {
		git_commit *c;
		int64_t time;
		size_t seq;
	} *heap;
	size_t n, cap, seq;
	git_oid *seen; /* open addressing; the zero id marks a free slot */
	size_t nseen, seencap;
};

static int
dw_before(const struct datewalk_item *a, const struct datewalk_item *b)
{
	if (a->time != b->time)
		return a->time > b->time;
	return a->seq < b->seq;
}

static size_t
dw_slot(const git_oid *id, size_t mask)
{
	const unsigned char *b = id->id;

	return (((size_t)b[0] << 24) | ((size_t)b[1] << 16) |
	    ((size_t)b[2] << 8) | b[3]) & mask;
}

/* Mark id seen; 1 when it already was. */
static int
dw_mark(struct datewalk *w, const git_oid *id)
{
	git_oid *old = w->seen;
	size_t i, j, oldcap = w->seencap;

	if ((w->nseen + 1) * 2 > w->seencap) {
		w->seencap = oldcap == 0 ? 256 : oldcap * 2;
		w->seen = xcalloc(w->seencap, sizeof(*w->seen));
		for (i = 0; i < oldcap; i++) {
			if (git_oid_is_zero(&old[i]))
				continue;
			j = dw_slot(&old[i], w->seencap - 1);
			while (!git_oid_is_zero(&w->seen[j]))
				j = (j + 1) & (w->seencap - 1);
			git_oid_cpy(&w->seen[j], &old[i]);
		}
		free(old);
	}
	j = dw_slot(id, w->seencap - 1);
	while (!git_oid_is_zero(&w->seen[j])) {
		if (git_oid_equal(&w->seen[j], id))
			return 1;
		j = (j + 1) & (w->seencap - 1);
	}
	git_oid_cpy(&w->seen[j], id);
	w->nseen++;
	return 0;
}

/* Queue c, whose reference the walk now owns. */
static void
dw_insert(struct datewalk *w, git_commit *c)
{
	struct datewalk_item it, tmp;
	size_t i;

	it.c = c;
	it.time = (int64_t)git_commit_time(c);
	it.seq = w->seq++;
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->heap = xreallocarray(w->heap, w->cap, sizeof(*w->heap));
	}
	i = w->n++;
	w->heap[i] = it;
	while (i > 0 && dw_before(&w->heap[i], &w->heap[(i - 1) / 2])) {
		tmp = w->heap[i];
		w->heap[i] = w->heap[(i - 1) / 2];
		w->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

static git_commit *
dw_pop(struct datewalk *w)
{
	struct datewalk_item tmp;
	git_commit *top = w->heap[0].c;
	size_t i = 0, l, best;

	w->heap[0] = w->heap[--w->n];
	for (;;) {
		l = 2 * i + 1;
		best = i;
		if (l < w->n && dw_before(&w->heap[l], &w->heap[best]))
			best = l;
		if (l + 1 < w->n && dw_before(&w->heap[l + 1], &w->heap[best]))
			best = l + 1;
		if (best == i)
			break;
		tmp = w->heap[i];
		w->heap[i] = w->heap[best];
		w->heap[best] = tmp;
		i = best;
	}
	return top;
}

static void
dw_free(struct datewalk *w)
{
	while (w->n > 0)
		git_commit_free(w->heap[--w->n].c);
	free(w->heap);
	free(w->seen);
	memset(w, 0, sizeof(*w));
}

static int
dw_start(struct datewalk *w, struct repo *r, const char *sha)
{
	git_commit *c;
	int rc;

	memset(w, 0, sizeof(*w));
	w->r = r;
	if ((rc = lookup_commit(&c, r, sha)) < 0)
		return rc;
	dw_mark(w, git_commit_id(c));
	dw_insert(w, c);
	return 0;
}

/*
 * The next commit (the caller frees it): 1, or 0 at the end, or negative
 * on failure. Its parents are queued as it leaves.
 */
static int
dw_next(git_commit **out, struct datewalk *w)
{
	git_commit *c, *p;
	const git_oid *pid;
	char sha[GIT_OID_HEXSZ + 1];
	unsigned int i, np;

	*out = NULL;
	if (w->n == 0)
		return 0;
	c = dw_pop(w);
	np = git_commit_parentcount(c);
	for (i = 0; i < np; i++) {
		pid = git_commit_parent_id(c, i);
		if (dw_mark(w, pid))
			continue;
		if (git_commit_lookup(&p, w->r->git, pid) < 0) {
			git_oid_tostr(sha, sizeof(sha), pid);
			git_commit_free(c);
			return err_set(SR_ESYS, "cannot read commit %.7s in '%s': "
			    "%s", sha, w->r->path, lasterr());
		}
		dw_insert(w, p);
	}
	*out = c;
	return 1;
}

/*
 * One walk for all paths, comparing entry ids with the first parent's (no
 * tree diff), and stopping once every path has its answer. A path that
 * never existed keeps the walk going to the root, which is the price of
 * saying "never changed" truthfully. The walk is by date where repo_log's
 * is also topological; they can disagree only about merges made with a
 * skewed clock.
 */
int
repo_last_changes(struct repo_commit *out, struct repo *r, const char *sha,
    char *const *paths, size_t npaths)
{
	struct datewalk w;
	git_commit *c;
	struct change ch;
	size_t i, left = npaths;
	int rc, touched;

	if (npaths > 0)
		memset(out, 0, npaths * sizeof(*out));
	for (i = 0; i < npaths; i++) {
		if (paths[i] == NULL || *paths[i] == '\0')
			return err_set(SR_EUSAGE, "empty file name");
	}
	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = dw_start(&w, r, sha)) < 0)
		return rc;
	while (left > 0) {
		if ((rc = dw_next(&c, &w)) <= 0)
			break;
		if ((rc = change_load(&ch, r, c)) < 0) {
			git_commit_free(c);
			break;
		}
		for (i = 0; i < npaths && !ch.same; i++) {
			if (out[i].sha[0] != '\0')
				continue;
			if ((touched = change_touches(&ch, paths[i])) < 0) {
				rc = touched;
				break;
			}
			if (touched) {
				commit_fill(&out[i], c);
				left--;
			}
		}
		change_free(&ch);
		git_commit_free(c);
		if (rc < 0)
			break;
	}
	dw_free(&w);
	if (rc < 0) {
		for (i = 0; i < npaths; i++)
			repo_commit_release(&out[i]);
		return rc;
	}
	return 0;
}

void
repo_commit_release(struct repo_commit *c)
{
	if (c == NULL)
		return;
	free(c->author);
	free(c->subject);
	memset(c, 0, sizeof(*c));
}

void
repo_commits_free(struct repo_commit *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		repo_commit_release(&v[i]);
	free(v);
}

/*
 * The pathspec is matched literally (DISABLE_PATHSPEC_MATCH), so a name
 * with '*' or '[' in it means only itself.
 */
int
repo_diff_file(char **out, struct repo *r, const char *sha_a,
    const char *sha_b, const char *path)
{
	git_commit *ca = NULL, *cb = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	git_buf patch = { NULL, 0, 0 };
	git_oid id;
	uint32_t mode;
	char *spec[1];
	int rc, ina, inb;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return err_set(SR_EUSAGE, "empty file name");
	if ((rc = repo_ready(r)) != 0)
		return rc;
	if ((rc = lookup_commit(&ca, r, sha_a)) < 0 ||
	    (rc = lookup_commit(&cb, r, sha_b)) < 0 ||
	    (rc = commit_tree(&ta, r, ca)) < 0 ||
	    (rc = commit_tree(&tb, r, cb)) < 0)
		goto out;
	if ((rc = ina = entry_at(&id, &mode, ta, path)) < 0 ||
	    (rc = inb = entry_at(&id, &mode, tb, path)) < 0)
		goto out;
	if (!ina && !inb) {
		rc = err_set(SR_ENOTFOUND, "no file '%s' at revision %.7s or "
		    "%.7s", path, sha_a, sha_b);
		goto out;
	}
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	spec[0] = (char *)path;
	opts.pathspec.strings = spec;
	opts.pathspec.count = 1;
	opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	if (git_diff_tree_to_tree(&diff, r->git, ta, tb, &opts) < 0 ||
	    git_diff_to_buf(&patch, diff, GIT_DIFF_FORMAT_PATCH) < 0) {
		rc = err_set(SR_ESYS, "cannot diff '%s' between %.7s and %.7s: %s",
		    path, sha_a, sha_b, lasterr());
		goto out;
	}
	*out = xstrdup(patch.ptr != NULL ? patch.ptr : "");
	rc = 0;
out:
	git_buf_dispose(&patch);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(ca);
	git_commit_free(cb);
	return rc;
}

/*
 * Seeded files sit at the top of the work tree; anything that could
 * escape it or reach into .git is refused before anything is created.
 */
static int
seed_name_ok(const char *name)
{
	return name != NULL && *name != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	    strcmp(name, ".git") != 0;
}

static int
seed_write(const char *dir, const char *name, const char *text)
{
	char *file;
	FILE *fp;
	size_t len = strlen(text);
	int rc = 0;

	file = xasprintf("%s%s", dir, name);
	if ((fp = fopen(file, "wb")) == NULL) {
		rc = err_set(SR_ESYS, "cannot create '%s': %s", file,
		    strerror(errno));
		free(file);
		return rc;
	}
	if (len > 0 && fwrite(text, 1, len, fp) != len)
		rc = err_set(SR_ESYS, "cannot write '%s': %s", file,
		    strerror(errno));
	if (fclose(fp) != 0 && rc == 0)
		rc = err_set(SR_ESYS, "cannot write '%s': %s", file,
		    strerror(errno));
	free(file);
	return rc;
}

/*
 * The files go into the work tree and, through the index, into the commit,
 * so that `git status` in the new repository is clean. The author is the
 * user's git identity, or "sitrep <sitrep@localhost>" when there is none
 * (a fresh server often has no user.name).
 */
int
repo_create_seeded(const char *path, const char *branch,
    char *const *names, char *const *contents, size_t nfiles,
    const char *message)
{
	git_repository *git = NULL;
	git_repository_init_options opts;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_buf msg = { NULL, 0, 0 };
	git_oid tree_id, commit_id;
	const char *workdir;
	size_t i;
	int rc, valid = 0;

	if (path == NULL || *path == '\0')
		return err_set(SR_EUSAGE, "no repository path given");
	if ((rc = lib_ready()) != 0)
		return rc;
	if (branch != NULL && (git_branch_name_is_valid(&valid, branch) < 0 ||
	    !valid))
		return err_set(SR_EUSAGE, "bad branch name '%s'", branch);
	for (i = 0; i < nfiles; i++) {
		if (!seed_name_ok(names[i]))
			return err_set(SR_EUSAGE, "bad file name '%s': seeded "
			    "files go at the top of the repository",
			    names[i] != NULL ? names[i] : "");
	}
	rc = git_repository_open_ext(NULL, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL);
	if (rc == 0 || owner_refused(rc))
		return err_set(SR_EEXIST, "'%s' already holds a git repository",
		    path);

	git_repository_init_options_init(&opts,
	    GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = branch;
	rc = git_repository_init_ext(&git, path, &opts);
	if (rc == GIT_EEXISTS)
		return err_set(SR_EEXIST, "'%s' already holds a git repository",
		    path);
	if (rc < 0)
		return err_set(SR_ESYS, "cannot create repository '%s': %s", path,
		    lasterr());
	workdir = git_repository_workdir(git);
	for (i = 0; i < nfiles; i++) {
		rc = seed_write(workdir, names[i],
		    contents[i] != NULL ? contents[i] : "");
		if (rc < 0)
			goto out;
	}

	if (git_repository_index(&index, git) < 0)
		goto fail;
	for (i = 0; i < nfiles; i++) {
		if (git_index_add_bypath(index, names[i]) < 0)
			goto fail;
	}
	if (git_index_write(index) < 0 ||
	    git_index_write_tree(&tree_id, index) < 0 ||
	    git_tree_lookup(&tree, git, &tree_id) < 0)
		goto fail;
	if (git_signature_default(&sig, git) < 0 &&
	    git_signature_now(&sig, "sitrep", "sitrep@localhost") < 0)
		goto fail;
	if (git_message_prettify(&msg, message != NULL && *message != '\0' ?
	    message : "initial commit", 0, '#') < 0)
		goto fail;
	if (git_commit_create(&commit_id, git, "HEAD", sig, sig, NULL, msg.ptr,
	    tree, 0, NULL) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = err_set(SR_ESYS, "cannot commit the first playbooks in '%s': %s",
	    path, lasterr());
out:
	git_buf_dispose(&msg);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(git);
	return rc;
}

/*
 * A record kept beside the playbooks (the timeline's anchors): a commit
 * whose tree holds the one file, on a ref of its own, its parent the ref's
 * previous tip, so the records form a history no branch or work tree sees.
 * git_commit_create refuses (GIT_EMODIFIED) when the ref moved since we
 * read it: two writers never lose one's record silently.
 */
int
repo_commit_file(char out_sha[41], struct repo *r, const char *ref,
    const char *path, const char *text, size_t len, const char *message)
{
	git_oid blob_id, tree_id, parent_id, commit_id;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1];
	int rc, nparents = 0;

	out_sha[0] = '\0';
	if ((rc = repo_ready(r)) != 0)
		return rc;
	rc = git_reference_name_to_id(&parent_id, r->git, ref);
	if (rc == 0) {
		if (git_commit_lookup(&parent, r->git, &parent_id) < 0) {
			rc = err_set(SR_ESYS, "the repository '%s' is damaged: "
			    "cannot read the tip of '%s': %s", r->path, ref,
			    lasterr());
			goto out;
		}
		parents[nparents++] = parent;
	} else if (rc != GIT_ENOTFOUND) {
		rc = err_set(SR_ESYS, "cannot read '%s' in '%s': %s", ref,
		    r->path, lasterr());
		goto out;
	}
	if (git_blob_create_from_buffer(&blob_id, r->git, text, len) < 0 ||
	    git_treebuilder_new(&tb, r->git, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, path, &blob_id,
	    GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, r->git, &tree_id) < 0) {
		rc = err_set(SR_ESYS, "cannot write '%s' to the repository "
		    "'%s': %s", path, r->path, lasterr());
		goto out;
	}
	if (git_signature_default(&sig, r->git) < 0 &&
	    git_signature_now(&sig, "sitrep", "sitrep@localhost") < 0) {
		rc = err_set(SR_ESYS, "cannot sign a commit: %s", lasterr());
		goto out;
	}
	rc = git_commit_create(&commit_id, r->git, ref, sig, sig, NULL, message,
	    tree, (size_t)nparents, parents);
	if (rc == GIT_EMODIFIED) {
		rc = err_set(SR_EREFUSED, "'%s' in '%s' moved while it was "
		    "written: try again", ref, r->path);
		goto out;
	}
	if (rc < 0) {
		rc = err_set(SR_ESYS, "cannot commit to '%s' in '%s': %s", ref,
		    r->path, lasterr());
		goto out;
	}
	git_oid_tostr(out_sha, 41, &commit_id);
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_commit_free(parent);
	return rc;
}
