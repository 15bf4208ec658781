/* store-int.h: what store.c and migrate.c share and nothing else sees. */
#ifndef SITREP_STORE_INT_H
#define SITREP_STORE_INT_H

#include <sqlite3.h>

/* Bring the database at path up to STORE_SCHEMA_VERSION (migrate.c). */
int migrate_run(sqlite3 *db, const char *path);

#endif
