/* http.c: sitrepd's HTTP listeners on libmicrohttpd: binding the address,
 * starting a listener (the public one and the internal one it owns, each
 * with its thread and store connection), keeping the socket across a
 * reload, and stopping them. What a request gets is http-handler.c's and
 * the http-*.c files it calls; what the documents say is statuspage's and
 * feed.c's. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/http.h"
#include "sitrep/log.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

/* Limits: a public server must not let one client hold it. The number
 * of connections, their idle timeout and the subscribe rate are the
 * config's (conf->http); what one client may take is http-limit.c's. */
#define HTTP_CONN_MEMORY	(32 * 1024)	/* headers and MHD's buffers; more costs
						 * an mmap per new connection */
#define HTTP_LISTEN_BACKLOG	4096		/* the kernel caps it at somaxconn */
#define HTTP_FD_RESERVE		64		/* descriptors kept for the store and
						 * the repository, beside one per
						 * delivery in flight */
#define HTTP_DRAIN_MS		2000

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* libmicrohttpd's messages: while starting, why it cannot; once running,
 * mostly what clients did wrong (closed early, sent too much), which is
 * debug noise on a public server. */
static void
http_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *h = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (atomic_load(&h->running))
		log_debug("http: %s", msg);
	else
		log_warnx("http: %s", msg);
}
#pragma GCC diagnostic pop

/*
 * Bind ADDRESS:PORT ourselves, so a failure says why (in use, not an
 * address of this host) instead of libmicrohttpd's bare refusal.
 */
static int
http_listen(int *out_fd, int *out_port, const char *listen_on)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[256];
	const char *colon = strrchr(listen_on, ':'), *port;
	size_t hostlen;
	int fd, one = 1, gai;

	if (colon == NULL)
		return err_set(SR_EUSAGE, "http listen '%s' must be ADDRESS:PORT", listen_on);
	port = colon + 1;
	if (listen_on[0] == '[' && colon > listen_on && colon[-1] == ']') {
		listen_on++;
		hostlen = (size_t)(colon - 1 - listen_on);
	} else
		hostlen = (size_t)(colon - listen_on);
	if (hostlen == 0 || hostlen >= sizeof(host))
		return err_set(SR_EUSAGE, "http listen '%s' must be ADDRESS:PORT", listen_on);
	memcpy(host, listen_on, hostlen);
	host[hostlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return err_set(SR_EUSAGE, "cannot listen on '%s' port %s: %s", host, port,
			       gai_strerror(gai));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return err_set(SR_ESYS, "cannot open a socket: %s", strerror(errno));
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (res->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, HTTP_LISTEN_BACKLOG) != 0) {
		int e = errno;

		freeaddrinfo(res);
		close(fd);
		return err_set(SR_ESYS, "cannot listen on %s port %s: %s", host, port,
			       strerror(e));
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		close(fd);
		return err_set(SR_ESYS, "cannot read the listening address: %s",
			       strerror(errno));
	}
	*out_port = ss.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*out_fd = fd;
	return 0;
}

/*
 * How many connections a listener takes: the config's, within what the
 * process may open (sitrepd raises its descriptor limit to the hard one
 * at start; what remains after HTTP_FD_RESERVE is shared, the internal
 * listener taking a small fixed part).
 */
static int
fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 4 * 1000 * 1000)
		return 4 * 1000 * 1000;
	return (int)rl.rlim_cur;
}

#define HTTP_INTERNAL_CONNS	64

/* Start one listener: take prev's socket when it listened on the same
 * address (a reload), else bind one. */
static int
server_open(struct http_server *h, const char *listen_on, const struct http_server *prev)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	unsigned int hard;
	int rc, budget;

	if ((rc = store_open(&h->store, h->conf->database)) != 0)
		return rc;
	if (prev != NULL && prev->listen_fd >= 0 && strcmp(prev->listen_on, listen_on) == 0) {
		if ((h->listen_fd = fcntl(prev->listen_fd, F_DUPFD_CLOEXEC, 0)) < 0)
			return err_set(SR_ESYS, "cannot keep listening on %s: %s", listen_on,
				       strerror(errno));
		h->port = prev->port;
	} else if ((rc = http_listen(&h->listen_fd, &h->port, listen_on)) != 0)
		return rc;
	h->listen_on = xstrdup(listen_on);
	budget = fd_budget() - HTTP_FD_RESERVE - h->conf->delivery.concurrency -
		 HTTP_INTERNAL_CONNS * 2;
	if (h->internal) {
		h->max_conns = h->max_per_addr = HTTP_INTERNAL_CONNS;
	} else {
		h->max_conns = h->conf->http.max_connections;
		h->max_per_addr = h->conf->http.max_per_address;
		if (h->max_conns + h->max_conns / 4 > budget) {
			int was = h->max_conns;

			h->max_conns = budget > 80 ? budget * 4 / 5 : 64;
			log_warnx("http: max_connections %d is more than this process may "
				  "open (%d descriptors); serving %d", was, fd_budget(),
				  h->max_conns);
		}
		h->rate = xcalloc(HTTP_RATE_SLOTS, sizeof(*h->rate));
		h->ack_rate = xcalloc(HTTP_RATE_SLOTS, sizeof(*h->ack_rate));
	}
	/* Our limits answer 503 and close idle connections (http-limit.c);
	 * libmicrohttpd's, a quarter above, only leaves the rest waiting. */
	hard = (unsigned int)(h->max_conns + h->max_conns / 4 + 4);
	/* epoll (poll elsewhere): select() stops at FD_SETSIZE descriptors */
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL :
		 MHD_USE_POLL;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, h,
				MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->listen_fd,
				MHD_OPTION_CONNECTION_LIMIT, hard,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)h->conf->http.timeout,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
				MHD_OPTION_URI_LOG_CALLBACK, http_handler_uri, h,
				MHD_OPTION_NOTIFY_CONNECTION, http_limit_notify, h,
				MHD_OPTION_NOTIFY_COMPLETED, http_handler_completed, h,
				MHD_OPTION_END);
	if (h->d == NULL)
		return err_set(SR_ESYS, "cannot start the HTTP server on %s", listen_on);
	atomic_store(&h->running, true);
	return 0;
}

static struct http_server *
server_new(const struct conf *c, struct http_metrics *m, bool internal)
{
	struct http_server *h = xcalloc(1, sizeof(*h));

	h->conf = c;
	h->metrics = m;
	h->internal = internal;
	h->listen_fd = -1;
	h->started_at = clock_now_ms();
	return h;
}

/* Stop accepting, give requests in flight a moment to finish, stop the
 * thread and close the store. */
static void
server_close(struct http_server *h)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	MHD_socket fd = MHD_INVALID_SOCKET;

	if (h->d != NULL) {
		fd = MHD_quiesce_daemon(h->d);
		for (int waited = 0; waited < HTTP_DRAIN_MS; waited += 20) {
			const union MHD_DaemonInfo *info =
				MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

			if (info == NULL || info->num_connections == 0)
				break;
			nanosleep(&pause, NULL);
		}
		MHD_stop_daemon(h->d);
		/* Quiesced, the listening socket is ours to close; else MHD
		 * closed it. */
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	} else if (h->listen_fd >= 0)
		close(h->listen_fd);
	http_cache_clear(&h->cache);
	store_close(h->store);
	free(h->rate);
	free(h->ack_rate);
	free(h->api_buckets);
	free(h->listen_on);
	free(h);
}

int
http_start(struct http_server **out, const struct conf *c, struct http_metrics *m,
	   const struct http_server *prev)
{
	struct http_server *h;
	int rc;

	*out = NULL;
	h = server_new(c, m, false);
	h->internal_srv = server_new(c, m, true);
	if ((rc = server_open(h, c->listen, prev)) != 0 ||
	    (rc = server_open(h->internal_srv, c->http.internal_listen != NULL ?
			      c->http.internal_listen : "127.0.0.1:0",
			      prev != NULL ? prev->internal_srv : NULL)) != 0) {
		server_close(h->internal_srv);
		server_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

int
http_port(const struct http_server *h)
{
	return h->port;
}

int
http_internal_port(const struct http_server *h)
{
	return h->internal_srv->port;
}

void
http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	server_close(h->internal_srv);
	server_close(h);
}
