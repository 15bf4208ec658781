/* testutil.h: what every cmocka unit test includes, and small helpers for
 * temporary directories. */
#ifndef SITREP_TESTUTIL_H
#define SITREP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the path and
 * removes the tree with testutil_rmtree. */
static inline char *
testutil_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/sitrep-test-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(p) == NULL)
		abort();
	return p;
}

static inline void
testutil_rmtree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Run a shell command in dir; fail the test if it fails. */
static inline void
testutil_sh(const char *dir, const char *cmd)
{
	char full[8192];

	snprintf(full, sizeof(full), "cd '%s' && ( %s ) >/dev/null 2>&1", dir, cmd);
	assert_int_equal(system(full), 0);
}

/* Write text to dir/name. */
static inline void
testutil_write(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

#endif
