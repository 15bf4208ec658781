/* gitapi.c: loads libgit2 with dlopen, once, and fills repo.c's table of
 * its functions (gitapi.h says why). What is done with them, and
 * initialising libgit2, is repo.c's. */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#define GITAPI_NO_CALLS
#include "gitapi.h"
#include "sitrep/err.h"

struct gitapi gitapi;
static int loaded;

#ifdef GITAPI_LINKED

int
gitapi_load(void)
{
	if (loaded)
		return 0;
#define GITAPI_FILL(f) gitapi.f = f;
	GITAPI_FUNCS(GITAPI_FILL)
#undef GITAPI_FILL
	loaded = 1;
	return 0;
}

#else

/* Debian 12's libgit2-1.5: the functions' types are its git2.h's. */
#define GITAPI_SONAME "libgit2.so.1.5"

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C leaves undefined, hence the memcpy. */
static int
sym(void *lib, const char *name, void *fnptr, size_t size)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		return err_set(SR_ESYS, "%s lacks %s, which sitrep needs: %s",
			       GITAPI_SONAME, name, dlerror());
	memcpy(fnptr, &p, size);
	return 0;
}

int
gitapi_load(void)
{
	void *lib;

	if (loaded)
		return 0;
	if ((lib = dlopen(GITAPI_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return err_set(SR_ESYS, "cannot load libgit2 (%s, Debian's libgit2-1.5): %s",
			       GITAPI_SONAME, dlerror());
#define GITAPI_SYM(f) \
	if (sym(lib, #f, &gitapi.f, sizeof(gitapi.f)) != 0) \
		return SR_ESYS;
	GITAPI_FUNCS(GITAPI_SYM)
#undef GITAPI_SYM
	loaded = 1;
	return 0;
}

#endif
