/* repo.h: the playbook git repository, read through libgit2 from commits,
 * never from the work tree, so what ran is exactly what was committed. All
 * libgit2 calls live in repo.c (through gitapi.h). */
#ifndef SITREP_REPO_H
#define SITREP_REPO_H

#include <stddef.h>
#include <stdint.h>

struct repo;

struct repo_commit {
	char sha[41];
	int64_t time; /* seconds since the epoch (committer time) */
	char *author; /* "Name <email>" */
	char *subject;
};

/*
 * libgit2 is loaded and initialised when a repository is first opened, so
 * a command that never reads git never pays for it. A program with threads
 * (sitrepd) calls repo_global_init once from main before they start; it
 * ends the process when libgit2 cannot be loaded. repo_global_shutdown
 * releases libgit2 if it was initialised.
 */
void repo_global_init(void);
void repo_global_shutdown(void);

/* Open a bare or non-bare repository at path. */
int repo_open(struct repo **out, const char *path);

/*
 * A repository at path, opened only when a repo_ function first needs it
 * (or repo_ready is called): that call then fails as repo_open would have.
 * The caller frees it with repo_free.
 */
struct repo *repo_open_lazy(const char *path);

/* Open r now if it is not open yet: 0, or repo_open's error. */
int repo_ready(struct repo *r);
void repo_free(struct repo *r);

/* Resolve a revision (branch, tag, full or short SHA, HEAD~2) to the full
 * SHA of a commit. */
int repo_resolve(char out_sha[41], struct repo *r, const char *rev);

/*
 * The commit a branch (or HEAD) names, read from the repository's ref files
 * the way git does, without loading libgit2: 1 with out_sha set when the
 * answer is certain, 0 when it is not (a tag, a worktree, reftable, a
 * missing ref, anything unusual; no error is set): then ask repo_resolve.
 * The commit itself is not looked at, so it may be missing (a damaged
 * repository): use it as a key of what was read through libgit2 before.
 */
int repo_resolve_fast(char out_sha[41], struct repo *r, const char *rev);

/* Read path at commit sha: a NUL-terminated copy of the blob. */
int repo_read_file(char **out, size_t *out_len, struct repo *r,
		   const char *sha, const char *path);

/* The blob id (hex) of path at commit sha: equal ids, equal contents. */
int repo_file_id(char out_id[41], struct repo *r, const char *sha, const char *path);

/* The names of top-level files ending with suffix at commit sha, sorted. */
int repo_list_files(char ***out, size_t *out_n, struct repo *r, const char *sha,
		    const char *suffix);
void repo_free_names(char **names, size_t n);

/* A file read from a commit: its name and a NUL-terminated copy of its
 * text (len bytes). */
struct repo_file {
	char *name;
	char *text;
	size_t len;
};

/*
 * Every top-level file ending with suffix at commit sha (".schedule"), read
 * in one look at the commit's tree: the files repo_list_files lists, in the
 * same order, each with its text. The caller frees them with
 * repo_files_free.
 */
int repo_read_files(struct repo_file **out, size_t *out_n, struct repo *r,
		    const char *sha, const char *suffix);
void repo_files_free(struct repo_file *v, size_t n);

/*
 * The commits reachable from sha that changed path (any file when path is
 * NULL), newest first, at most limit (0 = all).
 */
int repo_log(struct repo_commit **out, size_t *out_n, struct repo *r,
	     const char *sha, const char *path, size_t limit);

/*
 * For each of npaths paths, the newest commit reachable from sha that
 * changed it, in one walk of history. out[i] is zeroed when none was found.
 */
int repo_last_changes(struct repo_commit *out, struct repo *r, const char *sha,
		      char *const *paths, size_t npaths);
void repo_commit_release(struct repo_commit *c);
void repo_commits_free(struct repo_commit *v, size_t n);

/* Unified diff of path between two commits (empty when identical). */
int repo_diff_file(char **out, struct repo *r, const char *sha_a,
		   const char *sha_b, const char *path);

/*
 * Create a non-bare repository at path whose branch holds nfiles files
 * (names[i] with contents[i]) in one first commit. For `sitrep init`.
 */
int repo_create_seeded(const char *path, const char *branch,
		       char *const *names, char *const *contents, size_t nfiles,
		       const char *message);

/*
 * Commit a tree holding one file, path with len bytes of text, on ref
 * (refs/...: created when missing, else its tip is the new commit's
 * parent), leaving every branch, HEAD and the work tree alone. For
 * records kept beside the playbooks, like the timeline's anchors; read
 * them back with repo_resolve(ref) and repo_read_file. SR_EREFUSED when
 * another writer moved ref meanwhile.
 */
int repo_commit_file(char out_sha[41], struct repo *r, const char *ref,
		     const char *path, const char *text, size_t len,
		     const char *message);

#endif
