/* curlapi.c: finds libcurl's functions with dlopen, once, so that only the
 * processes that deliver messages pay for loading libcurl and the TLS and
 * protocol libraries behind it. What is done with them is the delivery
 * engine's (deliver.c and its files in src/deliver, the only users). */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "curlapi.h"
#include "sitrep/err.h"

static struct curlapi api;
static int loaded; /* 1 once loaded; after a failure, tried again next time */

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C leaves undefined, hence the memcpy. */
static int
sym(void *lib, const char *name, void *fnptr, size_t size)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		return -1;
	memcpy(fnptr, &p, size);
	return 0;
}

#define SYM(field, name) (sym(lib, name, &api.field, sizeof(api.field)) == 0)

const struct curlapi *
curlapi_load(void)
{
	void *lib;

	if (loaded == 1)
		return &api;
	if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err_set(SR_ESYS, "cannot load libcurl (libcurl.so.4, Debian's libcurl4): %s",
			dlerror());
		return NULL;
	}
	if (!(SYM(global_init, "curl_global_init") && SYM(easy_init, "curl_easy_init") &&
	      SYM(easy_cleanup, "curl_easy_cleanup") && SYM(easy_reset, "curl_easy_reset") &&
	      SYM(easy_setopt, "curl_easy_setopt") && SYM(easy_getinfo, "curl_easy_getinfo") &&
	      SYM(easy_strerror, "curl_easy_strerror") && SYM(multi_init, "curl_multi_init") &&
	      SYM(multi_cleanup, "curl_multi_cleanup") &&
	      SYM(multi_add_handle, "curl_multi_add_handle") &&
	      SYM(multi_remove_handle, "curl_multi_remove_handle") &&
	      SYM(multi_perform, "curl_multi_perform") && SYM(multi_poll, "curl_multi_poll") &&
	      SYM(multi_info_read, "curl_multi_info_read") &&
	      SYM(multi_setopt, "curl_multi_setopt") && SYM(multi_wakeup, "curl_multi_wakeup") &&
	      SYM(multi_socket_action, "curl_multi_socket_action") &&
	      SYM(slist_append, "curl_slist_append") &&
	      SYM(slist_free_all, "curl_slist_free_all"))) {
		err_set(SR_ESYS, "libcurl.so.4 lacks a function sitrep needs (curl 7.68 or "
			"later is required): %s", dlerror());
		return NULL;
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(SR_ESYS, "cannot initialise libcurl");
		return NULL;
	}
	loaded = 1;
	return &api;
}
