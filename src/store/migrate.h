/* migrate.h: bringing a database's schema up to date (migrate.c); only
 * store.c calls it, when it opens a connection. */
#ifndef SITREP_MIGRATE_H
#define SITREP_MIGRATE_H

#include <sqlite3.h>

/* Bring the database at path up to STORE_SCHEMA_VERSION. */
int migrate_run(sqlite3 *db, const char *path);

#endif
