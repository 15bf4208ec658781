/* store-gitcache.h: files read from the playbook repository at a commit,
 * kept in the store (schema 11, store-gitcache.c) so that a command whose
 * branch head has not moved need not load libgit2 to read them again. A
 * cache only: a commit names exactly one tree, so what it gives is what
 * reading the commit would give, and losing it loses nothing. */
#ifndef SITREP_STORE_GITCACHE_H
#define SITREP_STORE_GITCACHE_H

#include <stddef.h>

#include "sitrep/store.h"

/* Listings (commit, suffix) kept; older ones go as new ones are put. */
#define STORE_GITCACHE_KEEP 8

/* A cached file: its name and a NUL-terminated copy of its len bytes. */
struct store_gitfile {
	char *name;
	char *text;
	size_t len;
};

/*
 * Every top-level file ending with suffix at commit (a full 40-hex id), as
 * put, sorted by name: 0, or SR_ENOTFOUND when that listing is not cached
 * (or the store cannot say), or another error. Free with
 * store_gitfiles_free.
 */
int store_gitcache_get(struct store_gitfile **out, size_t *n, struct store *s,
		       const char *commit, const char *suffix);

/*
 * Keep the n files (the complete listing of suffix at commit) in one short
 * write transaction, dropping the oldest listings beyond
 * STORE_GITCACHE_KEEP. Best effort: a store that is busy (no waiting),
 * read-only, or already inside a transaction of the caller's is left
 * alone, and nothing is reported; 0 either way.
 */
int store_gitcache_put(struct store *s, const char *commit, const char *suffix,
		       const struct store_gitfile *v, size_t n);

void store_gitfiles_free(struct store_gitfile *v, size_t n);

#endif
