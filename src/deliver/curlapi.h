/* curlapi.h: libcurl, loaded when the delivery engine first needs it.
 * Linking it would make every sitrep command load 32 shared libraries at
 * start-up (about 9 ms) for the one command that sends anything; only
 * the delivery engine's files (src/deliver) use this. */
#ifndef SITREP_CURLAPI_H
#define SITREP_CURLAPI_H

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

struct curlapi {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *extra, unsigned int n,
				int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_wakeup)(CURLM *m);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask,
					 int *running);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

/* Load libcurl and run its global init, once per process (call it before
 * any thread starts). NULL with err_last() set when it cannot be loaded. */
const struct curlapi *curlapi_load(void);

#endif
