/* http-limit.c: what one client may take of a listener: connections (per
 * address and in all, the idlest closed to make room for a new one) and
 * the POST /subscribe and POST /ack/ rates per address. The numbers are the config's
 * (conf->http); a request refused for them is answered in http-handler.c. */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "sitrep/conf.h"
#include "sitrep/xalloc.h"

#include "http-int.h"

/* A connection that made no progress (no new request) for this long may be
 * closed to make room for a new one when its address, or the server, is at
 * its limit: slow clients cannot hold the page away from others. */
#define HTTP_EVICT_IDLE_MS	1000
/* A connection accepted over a limit has this long to send its request
 * (answered 503) before a newer one closes it. */
#define HTTP_OVER_GRACE_MS	2000

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
addr_of(struct http_addr *out, const struct sockaddr *sa)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		memcpy(out->b, &in6->sin6_addr, 16);
		/* an IPv4-mapped address is one address; else the /64 */
		if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			memset(out->b + 8, 0, 8);
	}
}

static bool
addr_eq(const struct http_addr *a, const struct http_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static void
conn_unlink(struct http_server *h, struct http_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->oldest = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->newest = c->prev;
	c->prev = c->next = NULL;
}

static void
conn_append(struct http_server *h, struct http_conn *c)
{
	c->prev = h->newest;
	c->next = NULL;
	if (h->newest != NULL)
		h->newest->next = c;
	else
		h->oldest = c;
	h->newest = c;
}

/* Close c to make room: libmicrohttpd, which owns the descriptor, sees the
 * connection end at its next look and cleans up as for any other. */
static void
conn_evict(struct http_server *h, struct http_conn *c)
{
	(void)shutdown(c->fd, SHUT_RDWR);
	c->evicted = true;
	h->nconns--;
}

/* The connection that made no progress the longest (for HTTP_EVICT_IDLE_MS
 * at least), from addr only unless addr is NULL; never c itself. */
static struct http_conn *
conn_victim(struct http_server *h, const struct http_conn *c, const struct http_addr *addr,
	    int64_t now)
{
	for (struct http_conn *p = h->oldest; p != NULL; p = p->next) {
		if (now - p->last < HTTP_EVICT_IDLE_MS)
			return NULL; /* the rest are younger still */
		if (p != c && !p->evicted && (addr == NULL || addr_eq(&p->addr, addr)))
			return p;
	}
	return NULL;
}

/*
 * A new connection: when its address holds more than max_per_addr, or
 * the server more than max_conns, the connection idle the longest (of
 * that address, or of all) is closed for it; when none has been idle for
 * a second, the new one is answered 503 and closed (or just closed, if it
 * has not sent its request within HTTP_OVER_GRACE_MS when another comes). So slow clients can
 * neither hold the page away from others nor run the process out of
 * descriptors, and a busy client is slowed, not starved.
 */
static void
conn_admit(struct http_server *h, struct http_conn *c, struct MHD_Connection *conn)
{
	struct http_conn *v;
	size_t same = 0;

	for (struct http_conn *p = h->oldest; p != NULL; p = p->next) {
		/* accepted over a limit and still silent: no longer waited for */
		if (p->over && !p->evicted && c->last - p->last >= HTTP_OVER_GRACE_MS)
			conn_evict(h, p);
		same += !p->evicted && addr_eq(&p->addr, &c->addr);
	}
	if (same > (size_t)h->max_per_addr) {
		if ((v = conn_victim(h, c, &c->addr, c->last)) != NULL)
			conn_evict(h, v);
		else
			c->over = true;
	}
	if (!c->over && h->nconns > (size_t)h->max_conns) {
		if ((v = conn_victim(h, c, NULL, c->last)) != NULL)
			conn_evict(h, v);
		else
			c->over = true;
	}
	/* and if no other comes to close it, libmicrohttpd does, soon: at
	 * its own limit it stops accepting, and nothing else would */
	if (c->over)
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned int)(HTTP_OVER_GRACE_MS / 1000));
}

void
http_limit_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
	    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *h = cls;
	struct http_conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *addr =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		c = xcalloc(1, sizeof(*c));
		addr_of(&c->addr, addr != NULL ? addr->client_addr : NULL);
		c->fd = fd != NULL ? fd->connect_fd : -1;
		c->last = mono_ms();
		conn_append(h, c);
		h->nconns++;
		*socket_context = c;
		if (c->fd >= 0)
			conn_admit(h, c, conn);
		return;
	}
	if (c == NULL)
		return;
	conn_unlink(h, c);
	if (!c->evicted)
		h->nconns--;
	free(c);
	*socket_context = NULL;
}

struct http_conn *
http_limit_progress(struct http_server *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_conn *c = ci != NULL ? ci->socket_context : NULL;

	if (c == NULL)
		return NULL;
	c->last = mono_ms();
	conn_unlink(h, c);
	conn_append(h, c);
	return c;
}

/*
 * POST /subscribe, per client address: a bucket of subscribe_burst
 * tokens, one back every subscribe_every seconds (0: no limit). Returns
 * 0 when a token was taken, else the seconds until one is back. The
 * table is bounded: a new address takes the slot quiet the longest.
 */
static int64_t
rate_take(struct http_server *h, struct http_rate *table, const struct http_addr *addr)
{
	const struct conf_http *ch = &h->conf->http;
	struct http_rate *r = NULL, *quiet = NULL;
	int64_t now = mono_ms(), every = ch->subscribe_every * 1000;

	if (every <= 0 || table == NULL)
		return 0;
	for (size_t i = 0; i < HTTP_RATE_SLOTS && r == NULL; i++) {
		struct http_rate *s = &table[i];

		if (s->used && addr_eq(&s->addr, addr))
			r = s;
		else if (quiet == NULL || (quiet->used && (!s->used || s->at < quiet->at)))
			quiet = s;
	}
	if (r == NULL) {
		r = quiet;
		r->addr = *addr;
		r->tokens = ch->subscribe_burst;
		r->at = now;
		r->used = true;
	}
	r->tokens += (double)(now - r->at) / (double)every;
	if (r->tokens > ch->subscribe_burst)
		r->tokens = ch->subscribe_burst;
	r->at = now;
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return 0;
	}
	return (int64_t)((1 - r->tokens) * (double)ch->subscribe_every) + 1;
}

int64_t
http_limit_rate_take(struct http_server *h, const struct http_addr *addr)
{
	return rate_take(h, h->rate, addr);
}

/* POST /ack/<token>: the same numbers, but buckets of their own, so that
 * subscribing from an office's address does not hold back its
 * responders. */
int64_t
http_limit_ack_take(struct http_server *h, const struct http_addr *addr)
{
	return rate_take(h, h->ack_rate, addr);
}
