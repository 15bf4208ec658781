/* deliver.c: the delivery engine. Due outbox rows are taken in batches,
 * sent by delivery.threads lanes, each a libcurl multi handle (its
 * connection cache is the speed) in a thread of its own with its share of
 * delivery.concurrency in flight, and their outcomes written back in
 * batched transactions: sent, retrying with backoff and jitter
 * (Retry-After honoured), or dead. A subscriber's webhook is connected to
 * only at public addresses (netguard.h), checked as each socket opens.
 * What a message says is payload.c's and mail.c's; signing is webhook.c's. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "curlapi.h"
#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/deliver.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/mail.h"
#include "sitrep/mailaddr.h"
#include "sitrep/netguard.h"
#include "sitrep/payload.h"
#include "sitrep/store.h"
#include "sitrep/utf8.h"
#include "sitrep/version.h"
#include "sitrep/webhook.h"
#include "sitrep/xalloc.h"

#define CLAIM_BATCH	512	/* rows taken from the store at once */
#define RESULT_BATCH	512	/* outcomes written in one transaction */
#define FLUSH_MS	100	/* ...or after this long */
#define PAYLOAD_CACHE	8	/* updates whose rendered bodies are kept */

/* A channel's secrets, read from the environment or a file once per run. */
struct chan {
	const struct conf_channel *ch;
	bool read;
	char *url, *secret, *password;
	char *problem; /* why it cannot send; NULL when it can */
};

/* What one channel type receives for one update. */
struct rendered {
	int64_t update_id;
	char type[8];
	char *body;          /* JSON, or the e-mail's text */
	char *subject;       /* e-mail only */
};

/* An HTTP request's headers, in the transfer itself: no allocation per
 * message. */
enum { HDR_TYPE, HDR_AGENT, HDR_ID, HDR_TIMESTAMP, HDR_SIGNATURE, HDR_EXPECT, HDR_MAX };

struct transfer {
	CURL *h;
	struct lane *lane;
	bool busy;
	bool guard;          /* a subscriber's URL: connect to public addresses only */
	char refused[320];   /* why on_open or read_smtp_reply stopped it; "" */
	bool refused_dead;   /* ...for good: retrying cannot help */
	/* SMTP: whether the envelope needs SMTPUTF8, whether the relay's
	 * last EHLO offered it (and STARTTLS), and the last reply's code */
	bool needs_utf8, offers_utf8, offers_starttls;
	const char *utf8_addr; /* the address that needs it */
	int smtp_last;
	char kind;           /* what h is set up for: 'h' HTTP, 'm' mail, 0 reset */
	struct store_outbox row;
	struct curl_slist hdr[HDR_MAX];
	char hdr_id[128], hdr_ts[48], hdr_sig[128];
	struct curl_slist *rcpt;
	char *body;
	size_t len, off;     /* an e-mail is read by curl from body */
	long retry_after;    /* seconds, -1 when the answer had none */
	char errbuf[CURL_ERROR_SIZE];
};

struct result {
	struct store_outbox row; /* owns its last_error only */
	int64_t disable_subscriber;
	char *disable_reason;
};

/*
 * A lane: one thread's share of the engine, with its own libcurl multi
 * handle (and connection cache), epoll set, transfers, claimed rows and
 * outcomes. Lanes meet only in the engine's store connection, one at a
 * time, and in the engine's observer.
 */
struct lane {
	struct deliver *e;
	const struct curlapi *api;
	CURLM *multi;
	struct store *s;    /* the engine's: use it holding store_lock */
	const struct conf *c;
	struct transfer *xfers;
	int nxfers, inflight;
	struct store_outbox *queue; /* claimed, waiting for a free transfer */
	size_t nqueue, qhead;
	struct result *results;
	size_t nresults, cresults;
	int64_t last_flush;
	struct chan *chans;
	struct rendered cache[PAYLOAD_CACHE];
	size_t cache_next;
	uint64_t rng;
	int epfd, wakefd;     /* curl's sockets and our wake-up, in one epoll */
	int64_t timer_at;     /* monotonic ms when curl wants its timeout run; 0 */
	uint32_t *watch;      /* by socket: epoll events registered | WATCH_WANTED */
	size_t nwatch;
	struct deliver_stats stats;
	pthread_t thread;
	bool threaded;      /* runs in a thread of its own */
	int rc;             /* the error that stopped its thread; 0 */
	char *why;
	char *dead_why;     /* the last reason logged for a row that could not
			     * even start (a fan-out logs it once) */
};

/*
 * The engine: the store's delivery lock, the lanes, and one store
 * connection they share. One connection rather than one per lane: SQLite
 * drops a connection's whole page cache when another connection has
 * written, so lanes taking turns on two would each read back every page
 * the other wrote; and taking turns is all they could do anyway, as one
 * writer at a time is all SQLite allows.
 */
struct deliver {
	const struct conf *c;
	int lock_fd;
	struct lane *lanes;
	int nlanes;
	struct store *store;
	pthread_mutex_t store_lock; /* store, and: */
	struct store_outbox_pos taken; /* the last row any lane took */
	int64_t outstanding;        /* rows taken and not yet written back */
	int64_t horizon;            /* with --once: only rows due by the start */
	bool once;                  /* lanes stop when idle */
	atomic_bool stop;           /* lanes finish what is in flight and stop */
	int grace_ms;               /* ...waiting this long for it */
	bool env_proxy;             /* the environment names a proxy */
	void (*observe)(void *, double);
	void *observe_arg;
};

/* ------------------------------------------------------------ helpers */

/*
 * Whether the environment names a proxy: a non-empty variable whose name
 * ends in _proxy, in either case, other than no_proxy. libcurl reads its
 * proxy variables (<scheme>_proxy, all_proxy, no_proxy and their
 * upper-case forms) anew for every transfer; when none is set the engine
 * says so once, and when one is, libcurl reads them as it always does.
 */
static bool
proxy_in_environment(void)
{
	for (char **v = environ; v != NULL && *v != NULL; v++) {
		const char *eq = strchr(*v, '='), *suffix = "_proxy";
		size_t n = eq ? (size_t)(eq - *v) : 0, k = strlen(suffix);

		if (eq == NULL || eq[1] == '\0' || n <= k ||
		    strncasecmp(*v + n - k, suffix, k) != 0)
			continue;
		if (n == strlen("no_proxy") && strncasecmp(*v, "no_proxy", n) == 0)
			continue;
		return true;
	}
	return false;
}

static uint64_t
next_random(struct lane *d)
{
	/* xorshift64*: jitter needs spread, not secrecy */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 2685821657736338717ULL;
}

/* The value of a secret: the environment variable env, else the file's
 * first line. NULL with *problem set when neither gives one. */
static char *
read_secret(const char *env, const char *file, const char *what, const char *id,
	    char **problem)
{
	char *v = NULL, line[4096];
	FILE *fp;

	if (env != NULL) {
		const char *e = getenv(env);

		if (e == NULL || *e == '\0')
			*problem = xasprintf("channel '%s': the environment variable %s that "
					     "holds its %s is not set", id, env, what);
		else
			v = xstrdup(e);
	} else if (file != NULL) {
		if ((fp = fopen(file, "r")) == NULL)
			*problem = xasprintf("channel '%s': cannot read its %s from '%s': %s",
					     id, what, file, strerror(errno));
		else {
			if (fgets(line, sizeof(line), fp) != NULL) {
				line[strcspn(line, "\r\n")] = '\0';
				if (line[0] != '\0')
					v = xstrdup(line);
			}
			fclose(fp);
			if (v == NULL)
				*problem = xasprintf("channel '%s': '%s' holds no %s", id, file, what);
		}
	}
	return v;
}

static struct chan *
chan_get(struct lane *d, const char *id)
{
	for (size_t i = 0; i < d->c->nchannels; i++) {
		struct chan *ch = &d->chans[i];

		if (strcmp(ch->ch->id, id) != 0)
			continue;
		/* A secret that could not be read is looked for again each
		 * time: setting it fixes delivery without a restart. */
		if (ch->problem != NULL) {
			free(ch->url);
			free(ch->secret);
			free(ch->password);
			free(ch->problem);
			ch->url = ch->secret = ch->password = ch->problem = NULL;
			ch->read = false;
		}
		if (!ch->read) {
			const struct conf_channel *cc = ch->ch;

			ch->read = true;
			if (strcmp(cc->type, "email") != 0)
				ch->url = read_secret(cc->url_env, cc->url_file, "URL", cc->id,
						      &ch->problem);
			if (ch->problem == NULL && (cc->secret_env || cc->secret_file))
				ch->secret = read_secret(cc->secret_env, cc->secret_file,
							 "signing secret", cc->id, &ch->problem);
			if (ch->problem == NULL && (cc->password_env || cc->password_file))
				ch->password = read_secret(cc->password_env, cc->password_file,
							   "password", cc->id, &ch->problem);
		}
		return ch;
	}
	return NULL;
}

/* The rendered form of an update for a channel type, from a small cache:
 * a fan-out renders once, not once per recipient. NULL with *rc set when
 * it cannot be read (SR_ESYS: try again later) or built (never). */
static const struct rendered *
rendered_get(struct lane *d, int64_t update_id, const char *type, int *rcp)
{
	struct rendered *r;
	struct payload p;
	struct buf b = BUF_INIT;
	int rc;

	for (size_t i = 0; i < PAYLOAD_CACHE; i++)
		if (d->cache[i].body != NULL && d->cache[i].update_id == update_id &&
		    strcmp(d->cache[i].type, type) == 0)
			return &d->cache[i];
	pthread_mutex_lock(&d->e->store_lock);
	rc = payload_load(&p, d->s, d->c, update_id);
	pthread_mutex_unlock(&d->e->store_lock);
	if ((*rcp = rc) != 0)
		return NULL;
	/* A message that cannot be built (a text that is not UTF-8, written
	 * to the store unchecked) is not cached: its rows go dead with the
	 * reason, and every other row goes on. */
	if (strcmp(type, "email") == 0)
		rc = payload_text(&b, &p);
	else
		rc = payload_json(&b, type, &p);
	if ((*rcp = rc) != 0) {
		buf_release(&b);
		payload_release(&p);
		return NULL;
	}
	r = &d->cache[d->cache_next++ % PAYLOAD_CACHE];
	free(r->body);
	free(r->subject);
	r->update_id = update_id;
	snprintf(r->type, sizeof(r->type), "%s", type);
	r->subject = strcmp(type, "email") == 0 ? payload_subject(&p) : NULL;
	r->body = buf_detach(&b);
	payload_release(&p);
	return r;
}

/* ------------------------------------------------------------ results */

static void
result_add(struct lane *d, const struct store_outbox *row, const char *state,
	   int status, const char *error, int64_t next_at)
{
	struct result *r;

	if (d->nresults == d->cresults) {
		d->cresults = d->cresults ? d->cresults * 2 : RESULT_BATCH;
		d->results = xreallocarray(d->results, d->cresults, sizeof(*d->results));
	}
	r = &d->results[d->nresults++];
	memset(r, 0, sizeof(*r));
	r->row.id = row->id;
	memcpy(r->row.state, state, strlen(state) + 1); /* a literal that fits */
	r->row.attempts = row->attempts + 1;
	r->row.next_at = next_at;
	r->row.last_status = status;
	r->row.last_error = error ? xstrdup(error) : NULL;
	if (strcmp(state, "sent") == 0) {
		r->row.sent_at = clock_now_ms();
		d->stats.sent++;
		if (d->e->observe != NULL)
			d->e->observe(d->e->observe_arg, (double)(r->row.sent_at - row->created_at) / 1000);
	} else if (strcmp(state, "dead") == 0)
		d->stats.dead++;
	else
		d->stats.retried++;
}

/*
 * A failed attempt: retry after the backoff for this attempt (or what the
 * server's Retry-After asked, when it asked), spread by +-20% so that a
 * recovering receiver is not hit by every retry at once; dead once the
 * retries are spent.
 */
static void
result_failed(struct lane *d, const struct store_outbox *row, int status,
	      const char *error, long retry_after)
{
	const struct conf_delivery *cd = &d->c->delivery;
	int64_t now = clock_now_ms(), wait_ms;
	size_t k = (size_t)row->attempts;

	if (row->attempts >= cd->retries) {
		char *why = xasprintf("%s (after %d attempts)", error, row->attempts + 1);

		result_add(d, row, "dead", status, why, now);
		free(why);
		return;
	}
	if (k >= cd->nbackoff)
		k = cd->nbackoff - 1;
	wait_ms = cd->backoff[k] * 1000;
	wait_ms += (int64_t)(next_random(d) % (uint64_t)(wait_ms * 2 / 5 + 1)) - wait_ms / 5;
	if (retry_after >= 0)
		wait_ms = (retry_after > 86400 ? 86400 : retry_after) * 1000;
	result_add(d, row, "retrying", status, error, now + wait_ms);
}

/*
 * store_sync's transaction, under the engine's store lock. Rows are taken in
 * the order they fall due, each lane after the last row any lane took;
 * nothing is written to take them (a row written twice per delivery cost
 * a tenth of the engine's time), so a row in flight stays pending in the
 * store and a crash leaves it there for the next engine.
 */
static int
store_sync_locked(struct lane *d, bool claim, struct store_outbox **rows, size_t *n)
{
	struct deliver *e = d->e;
	/* With nothing out, every due row is fair game again: one that fell
	 * due behind the last taken (a clock set back) is not left waiting. */
	bool from_start = e->outstanding <= (int64_t)d->nresults;
	int rc;

	if ((rc = store_begin(d->s)) != 0)
		return rc;
	for (size_t i = 0; i < d->nresults && rc == 0; i++) {
		struct result *r = &d->results[i];

		rc = store_outbox_result(d->s, &r->row);
		if (rc == 0 && r->disable_subscriber != 0 &&
		    store_subscriber_disable(d->s, r->disable_subscriber, clock_now_ms(),
					     r->disable_reason) == SR_ENOTFOUND)
			err_clear(); /* already inactive */
	}
	if (rc == 0 && claim)
		rc = store_outbox_due(rows, n, d->s, e->horizon ? e->horizon : clock_now_ms(),
				      from_start ? NULL : &e->taken, CLAIM_BATCH);
	if (rc == 0)
		rc = store_commit(d->s);
	if (rc != 0) {
		store_rollback(d->s);
		store_outbox_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	e->outstanding += (int64_t)*n - (int64_t)d->nresults;
	if (claim && from_start)
		e->taken.next_at = e->taken.id = INT64_MIN;
	for (size_t i = 0; i < *n; i++) {
		const struct store_outbox *r = &(*rows)[i];

		if (r->next_at > e->taken.next_at ||
		    (r->next_at == e->taken.next_at && r->id > e->taken.id)) {
			e->taken.next_at = r->next_at;
			e->taken.id = r->id;
		}
	}
	return 0;
}

/* Write the outcomes so far and, when claim, take the next due rows, in
 * one transaction. */
static int
store_sync(struct lane *d, bool claim)
{
	struct store_outbox *rows = NULL;
	size_t n = 0;
	int rc;

	if (d->nresults == 0 && !claim)
		return 0;
	pthread_mutex_lock(&d->e->store_lock);
	rc = store_sync_locked(d, claim, &rows, &n);
	pthread_mutex_unlock(&d->e->store_lock);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < d->nresults; i++) {
		free(d->results[i].row.last_error);
		free(d->results[i].disable_reason);
	}
	d->nresults = 0;
	d->last_flush = clock_now_ms();
	if (claim) {
		store_outbox_free(d->queue, d->nqueue);
		d->queue = rows;
		d->nqueue = n;
		d->qhead = 0;
	}
	return 0;
}

/* ------------------------------------------------------------ transfers */

static size_t
discard_body(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

/*
 * The relay's replies, line by line (libcurl hands SMTP replies to the
 * header callback). An address with UTF-8 needs SMTPUTF8 (RFC 6531), which
 * libcurl asks for by itself when the relay offers it; when the EHLO reply
 * ends without it (and without STARTTLS, after which a new EHLO may offer
 * it), the transfer stops here, before MAIL FROM, and the row says why.
 */
static size_t
read_smtp_reply(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	int code;

	if (len < 4 || ptr[0] < '2' || ptr[0] > '5' || ptr[1] < '0' || ptr[1] > '9' ||
	    ptr[2] < '0' || ptr[2] > '9' || (ptr[3] != '-' && ptr[3] != ' '))
		return len;
	code = (ptr[0] - '0') * 100 + (ptr[1] - '0') * 10 + (ptr[2] - '0');
	if (code == 250) {
		size_t k = strcspn(ptr + 4, " \r\n");

		if (k == 8 && strncasecmp(ptr + 4, "SMTPUTF8", 8) == 0)
			t->offers_utf8 = true;
		else if (k == 8 && strncasecmp(ptr + 4, "STARTTLS", 8) == 0)
			t->offers_starttls = true;
	}
	if (ptr[3] != ' ')
		return len;
	/* The reply's last line. A 250 right after a 220 (the greeting, or
	 * "go ahead" to STARTTLS) is the EHLO reply. */
	if (code == 250 && t->smtp_last == 220 && t->needs_utf8 && !t->offers_utf8 &&
	    !t->offers_starttls) {
		snprintf(t->refused, sizeof(t->refused), "the mail relay does not offer "
			 "SMTPUTF8 (RFC 6531), which the address '%s' needs: use a relay "
			 "that does", t->utf8_addr);
		t->refused_dead = true;
		return 0;
	}
	if (code == 220)
		t->offers_utf8 = t->offers_starttls = false;
	t->smtp_last = code;
	return len;
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110). */
long
deliver_retry_after(const char *value, time_t now)
{
	char v[128], *p, *end;
	struct tm tm;
	long secs;

	snprintf(v, sizeof(v), "%s", value);
	v[strcspn(v, "\r\n")] = '\0';
	p = v + strspn(v, " \t");
	secs = strtol(p, &end, 10);
	if (end != p && *end == '\0' && secs >= 0)
		return secs;
	memset(&tm, 0, sizeof(tm));
	if (strptime(p, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL) {
		time_t when = timegm(&tm);

		return when > now ? (long)(when - now) : 0;
	}
	return -1;
}

static size_t
read_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	char value[128];
	long secs;

	if (len > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		snprintf(value, sizeof(value), "%.*s", (int)(len - 12), ptr + 12);
		if ((secs = deliver_retry_after(value, time(NULL))) >= 0)
			t->retry_after = secs;
	}
	return len;
}

static size_t
read_mail(char *ptr, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t room = size * n, left = t->len - t->off;

	if (left < room)
		room = left;
	memcpy(ptr, t->body + t->off, room);
	t->off += room;
	return room;
}

static void
transfer_release(struct lane *d, struct transfer *t)
{
	d->api->slist_free_all(t->rcpt);
	free(t->body);
	store_outbox_release(&t->row);
	t->rcpt = NULL;
	t->body = NULL;
	t->busy = false;
}

static curl_socket_t on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a);
static int on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
		     int local_port);

/*
 * Set h up for kind ('h' HTTP, 'm' mail). A handle that sent the same
 * kind last time keeps its options, and only what differs per message is
 * set again; curl_easy_reset and a dozen options per message were a few
 * percent of a fan-out.
 */
static void
common_options(struct lane *d, struct transfer *t, char kind)
{
	const struct curlapi *a = d->api;
	CURL *h = t->h;

	t->errbuf[0] = '\0';
	t->refused[0] = '\0';
	t->refused_dead = false;
	t->retry_after = -1;
	if (t->kind == kind && kind == 'h')
		return;
	a->easy_reset(h);
	a->easy_setopt(h, CURLOPT_PRIVATE, t);
	a->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	a->easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	a->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(d->c->delivery.timeout * 1000));
	a->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(d->c->delivery.timeout * 1000));
	a->easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
	a->easy_setopt(h, CURLOPT_OPENSOCKETDATA, t);
	a->easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
	a->easy_setopt(h, CURLOPT_PREREQDATA, t);
	/* A redirect is not followed (curl's default, said here): a 3xx is a
	 * failed attempt, never a way around the address check. */
	a->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (!d->e->env_proxy) {
		a->easy_setopt(h, CURLOPT_PROXY, "");
		a->easy_setopt(h, CURLOPT_NOPROXY, "");
	}
	if (kind == 'h') {
		a->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		a->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
		a->easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
		a->easy_setopt(h, CURLOPT_HEADERDATA, t);
	}
	t->kind = kind;
}

/* "name: value" into dst (cap bytes), cut short if it must be; printf's
 * parsing of the format was a few percent of a delivery. */
static void
header_set(char *dst, size_t cap, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	if (n > cap - 3)
		n = cap - 3;
	memcpy(dst, name, n);
	dst[n++] = ':';
	dst[n++] = ' ';
	if (v > cap - 1 - n)
		v = cap - 1 - n;
	memcpy(dst + n, value, v);
	dst[n + v] = '\0';
}

/* Set up an HTTP POST of t->body to url with the row's headers. NULL, or
 * why it cannot be sent. */
static char *
setup_http(struct lane *d, struct transfer *t, const char *url, const char *secret)
{
	const struct curlapi *a = d->api;
	int64_t ts = clock_now_ms() / 1000;
	size_t n = 0;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return xstrdup("the URL does not start with http:// or https://");
	t->hdr[n++].data = "Content-Type: application/json";
	t->hdr[n++].data = "User-Agent: sitrep/" SITREP_VERSION;
	if (strcmp(t->row.type, "webhook") == 0) {
		char decimal[WEBHOOK_TIMESTAMP_MAX];

		header_set(t->hdr_id, sizeof(t->hdr_id), "webhook-id", t->row.msg_id);
		t->hdr[n++].data = t->hdr_id;
		webhook_timestamp(decimal, ts);
		header_set(t->hdr_ts, sizeof(t->hdr_ts), "webhook-timestamp", decimal);
		t->hdr[n++].data = t->hdr_ts;
		if (secret != NULL) {
			char *sig;

			if (webhook_sign(&sig, secret, t->row.msg_id, ts, t->body, t->len) != 0)
				return xstrdup(err_last());
			header_set(t->hdr_sig, sizeof(t->hdr_sig), "webhook-signature", sig);
			free(sig);
			t->hdr[n++].data = t->hdr_sig;
		}
	}
	/* No "Expect: 100-continue" round trip for small bodies. */
	t->hdr[n++].data = "Expect:";
	for (size_t i = 0; i < n; i++)
		t->hdr[i].next = i + 1 < n ? &t->hdr[i + 1] : NULL;
	common_options(d, t, 'h');
	a->easy_setopt(t->h, CURLOPT_URL, url);
	a->easy_setopt(t->h, CURLOPT_HTTPHEADER, t->hdr);
	a->easy_setopt(t->h, CURLOPT_POSTFIELDS, t->body);
	a->easy_setopt(t->h, CURLOPT_POSTFIELDSIZE, (long)t->len);
	return NULL;
}

/* "https://status.example.com/" + "unsubscribe?token=T". */
static char *
unsubscribe_url(const char *page_url, const char *token)
{
	size_t n = strlen(page_url);

	return xasprintf("%s%sunsubscribe?token=%s", page_url,
			 n > 0 && page_url[n - 1] == '/' ? "" : "/", token);
}

static char *
setup_mail(struct lane *d, struct transfer *t, struct chan *ch,
	   const struct rendered *r, const char *token)
{
	const struct curlapi *a = d->api;
	const struct conf_channel *cc = ch->ch;
	struct mail_message m;
	struct buf msg = BUF_INIT, text = BUF_INIT;
	const char *domain = strchr(cc->from, '@');
	char *unsub = NULL, *mid, addr[512];
	int rc;

	memset(&m, 0, sizeof(m));
	buf_adds(&text, r->body);
	if (token != NULL) {
		unsub = unsubscribe_url(d->c->page_url, token);
		buf_addf(&text, "\n--\nYou subscribed to %s. Unsubscribe: %s\n",
			 d->c->page_name, unsub);
	}
	mid = xasprintf("%s@%s", t->row.msg_id, domain ? domain + 1 : "sitrep.invalid");
	/* A playbook's route may sign and title its e-mail itself. */
	m.from_name = t->row.from_name != NULL ? t->row.from_name : d->c->page_name;
	m.from = cc->from;
	m.to = t->row.recipient;
	m.subject = t->row.subject != NULL ? t->row.subject : r->subject;
	m.body = buf_str(&text);
	m.message_id = mid;
	m.date = clock_now_ms() / 1000;
	m.unsubscribe_url = unsub;
	rc = mail_format(&msg, &m);
	free(mid);
	free(unsub);
	buf_release(&text);
	if (rc != 0) {
		buf_release(&msg);
		return xstrdup(err_last());
	}
	t->len = msg.len;
	t->body = buf_detach(&msg);
	t->off = 0;
	snprintf(addr, sizeof(addr), "<%s>", t->row.recipient);
	t->rcpt = a->slist_append(NULL, addr);
	snprintf(addr, sizeof(addr), "<%s>", cc->from);
	common_options(d, t, 'm');
	a->easy_setopt(t->h, CURLOPT_URL, cc->smtp_url);
	a->easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	t->utf8_addr = !mailaddr_ascii(t->row.recipient) ? t->row.recipient :
		       !mailaddr_ascii(cc->from) ? cc->from : NULL;
	t->needs_utf8 = t->utf8_addr != NULL;
	t->offers_utf8 = t->offers_starttls = false;
	t->smtp_last = 0;
	a->easy_setopt(t->h, CURLOPT_HEADERFUNCTION, read_smtp_reply);
	a->easy_setopt(t->h, CURLOPT_HEADERDATA, t);
	a->easy_setopt(t->h, CURLOPT_MAIL_FROM, addr);
	a->easy_setopt(t->h, CURLOPT_MAIL_RCPT, t->rcpt);
	a->easy_setopt(t->h, CURLOPT_UPLOAD, 1L);
	a->easy_setopt(t->h, CURLOPT_READFUNCTION, read_mail);
	a->easy_setopt(t->h, CURLOPT_READDATA, t);
	a->easy_setopt(t->h, CURLOPT_INFILESIZE, (long)t->len);
	if (strncmp(cc->smtp_url, "smtp://", 7) == 0)
		a->easy_setopt(t->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (cc->user != NULL) {
		a->easy_setopt(t->h, CURLOPT_USERNAME, cc->user);
		a->easy_setopt(t->h, CURLOPT_PASSWORD, ch->password ? ch->password : "");
	}
	return NULL;
}

/*
 * Prepare row's transfer. Returns NULL when it can start, or why it
 * cannot; *retry says whether trying later may help (a secret not set yet
 * may be set by then; a malformed message stays malformed).
 */
static char *
transfer_setup(struct lane *d, struct transfer *t, bool *retry)
{
	const struct rendered *r = NULL;
	struct chan *ch = NULL;
	const char *url, *secret = NULL;

	t->guard = false;
	if (t->row.channel != NULL && (ch = chan_get(d, t->row.channel)) == NULL)
		return xasprintf("channel '%s' is no longer in %s", t->row.channel, d->c->path);
	if (ch != NULL && ch->problem != NULL) {
		*retry = true;
		return xstrdup(ch->problem);
	}
	if (t->row.subscriber_id != 0 && t->row.sub_token == NULL)
		return xasprintf("subscriber %lld is gone", (long long)t->row.subscriber_id);
	if (t->row.subscriber_id != 0 && t->row.sub_disabled_at != 0)
		return xasprintf("subscriber %lld is no longer subscribed (%s)",
				 (long long)t->row.subscriber_id, t->row.sub_disabled_reason ?
				 t->row.sub_disabled_reason : "disabled");
	/* Only its confirmation reaches an address not confirmed yet, and
	 * that row names no subscriber. */
	if (t->row.subscriber_id != 0 && t->row.sub_confirmed_at == 0)
		return xasprintf("subscriber %lld has not confirmed its address",
				 (long long)t->row.subscriber_id);
	if (t->row.update_id != 0) {
		int rc;

		if ((r = rendered_get(d, t->row.update_id, t->row.type, &rc)) == NULL) {
			/* the store failing may pass; a message that cannot
			 * be built never will */
			*retry = rc == SR_ESYS;
			return xstrdup(err_last());
		}
	} else if (t->row.payload == NULL)
		return xstrdup("the message has no content");
	else if (!utf8_valid(t->row.payload, strlen(t->row.payload), NULL) ||
		 (t->row.subject != NULL &&
		  !utf8_valid(t->row.subject, strlen(t->row.subject), NULL)))
		return xstrdup("the stored message is not valid UTF-8");
	if (strcmp(t->row.type, "email") == 0) {
		struct rendered own = { 0, "email", t->row.payload, t->row.subject };

		if (ch == NULL)
			return xstrdup("an e-mail needs an e-mail channel");
		if (t->row.recipient == NULL)
			return xstrdup("an e-mail needs a recipient");
		return setup_mail(d, t, ch, r ? r : &own, t->row.sub_token);
	}
	t->body = xstrdup(r ? r->body : t->row.payload);
	t->len = strlen(t->body);
	url = t->row.recipient != NULL ? t->row.recipient : ch ? ch->url : NULL;
	if (url == NULL)
		return xstrdup("the message has no URL to go to");
	/* A URL someone gave us is checked at every connection; a channel's,
	 * in the site's own secret, is the operator's choice. */
	t->guard = t->row.recipient != NULL;
	secret = t->row.subscriber_id ? t->row.sub_secret : ch ? ch->secret : NULL;
	return setup_http(d, t, url, secret);
}

static void
transfer_start(struct lane *d, struct transfer *t, struct store_outbox *row)
{
	bool retry = false;
	char *problem;

	t->row = *row;
	memset(row, 0, sizeof(*row)); /* the transfer owns its strings now */
	t->busy = true;
	problem = transfer_setup(d, t, &retry);
	if (problem == NULL && d->api->multi_add_handle(d->multi, t->h) == CURLM_OK) {
		d->inflight++;
		return;
	}
	if (retry)
		result_failed(d, &t->row, 0, problem, -1);
	else {
		const char *why = problem ? problem : "cannot start the transfer";

		/* Never to be sent (a text that is not UTF-8, a channel gone):
		 * the row is dead with its reason, the log says so (once for
		 * a fan-out of the same message), and the rest goes on. */
		if (d->dead_why == NULL || strcmp(d->dead_why, why) != 0) {
			log_warnx("delivery: outbox row %lld (%s%s%s) is dead: %s",
				  (long long)t->row.id, t->row.type,
				  t->row.channel ? " channel " : "",
				  t->row.channel ? t->row.channel : "", why);
			free(d->dead_why);
			d->dead_why = xstrdup(why);
		}
		result_add(d, &t->row, "dead", 0, why, 0);
	}
	free(problem);
	transfer_release(d, t);
}

/* What one finished attempt means for its row. */
static void
transfer_done(struct lane *d, struct transfer *t, CURLcode code)
{
	const struct curlapi *a = d->api;
	bool email = strcmp(t->row.type, "email") == 0;
	long status = 0;
	char why[CURL_ERROR_SIZE + 64];

	a->easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
	if (code == CURLE_OK && !email && status >= 200 && status < 300)
		result_add(d, &t->row, "sent", (int)status, NULL, 0);
	else if (code == CURLE_OK && email)
		result_add(d, &t->row, "sent", (int)status, NULL, 0);
	else if (!email && code == CURLE_OK && status == 410) {
		result_add(d, &t->row, "dead", (int)status, "410 Gone: the receiver asked "
			   "not to be sent this any more", 0);
		if (t->row.subscriber_id != 0) {
			struct result *r = &d->results[d->nresults - 1];

			r->disable_subscriber = t->row.subscriber_id;
			r->disable_reason = xstrdup("disabled: its webhook answered 410 Gone");
		}
	} else if (code == CURLE_OK) {
		snprintf(why, sizeof(why), "HTTP %ld", status);
		result_failed(d, &t->row, (int)status, why, t->retry_after);
	} else if (t->refused[0] != '\0' && t->refused_dead) {
		result_add(d, &t->row, "dead", 0, t->refused, 0);
	} else if (t->refused[0] != '\0') {
		/* retried like any failure: the name may resolve elsewhere
		 * later, or the site allow the range */
		result_failed(d, &t->row, 0, t->refused, -1);
	} else {
		snprintf(why, sizeof(why), "%s", t->errbuf[0] ? t->errbuf : a->easy_strerror(code));
		why[strcspn(why, "\r\n")] = '\0';
		/* An SMTP server's 5xx is permanent: retrying sends nothing. */
		if (email && status >= 500 && status < 600)
			result_add(d, &t->row, "dead", (int)status, why, 0);
		else
			result_failed(d, &t->row, (int)status, why, -1);
	}
	transfer_release(d, t);
}

/* ------------------------------------------------------------ the loop */

/*
 * libcurl's socket interface: curl says which sockets to watch for what
 * (on_socket) and when to call it back (on_timer), and is told only about
 * the sockets that are ready. curl_multi_perform would instead walk every
 * transfer, trying to read each idle one, for every completion.
 */
static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Each epoll_ctl is a system call, and curl asks for a change of interest
 * two or three times per transfer (in for the answer, removed while the
 * connection idles in its cache, in again for the next request). So the
 * engine keeps what epoll has for each socket and changes it only when it
 * must: a connection curl stops watching stays registered for reading,
 * and is taken out only if it becomes readable while idle (the receiver
 * closed it) or when it was watched for writing (which would fire at
 * once). Sockets curl opens pass through on_open, which forgets whatever
 * an earlier socket of the same number had registered.
 */
static uint32_t *
watch_slot(struct lane *d, curl_socket_t fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= d->nwatch) {
		size_t n = d->nwatch ? d->nwatch : 64;

		while (n <= (size_t)fd)
			n *= 2;
		d->watch = xreallocarray(d->watch, n, sizeof(*d->watch));
		memset(d->watch + d->nwatch, 0, (n - d->nwatch) * sizeof(*d->watch));
		d->nwatch = n;
	}
	return &d->watch[fd];
}

#define WATCH_WANTED 0x80000000u /* curl watches it (else idle in the cache) */

static int
on_socket(CURL *h, curl_socket_t fd, int what, void *arg, void *socketp)
{
	struct lane *d = arg;
	struct epoll_event ev;
	uint32_t *w = watch_slot(d, fd), events;

	(void)h;
	(void)socketp;
	if (w == NULL)
		return 0;
	if (what == CURL_POLL_REMOVE) {
		if (*w & EPOLLOUT) {
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
			*w = 0;
		}
		*w &= ~WATCH_WANTED;
		return 0;
	}
	events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if ((*w & ~WATCH_WANTED) != events) {
		memset(&ev, 0, sizeof(ev));
		ev.events = events;
		ev.data.fd = fd;
		if (epoll_ctl(d->epfd, (*w & ~WATCH_WANTED) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
			      fd, &ev) != 0 &&
		    epoll_ctl(d->epfd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
			      &ev) != 0)
			log_warn("delivery: cannot watch socket %d", fd);
	}
	*w = events | WATCH_WANTED;
	return 0;
}

/*
 * Every socket curl opens, after name resolution and before connecting:
 * for a subscriber's URL, an address that is not public (and not in
 * delivery.allow) is refused here, whatever name led to it, so that a
 * name that resolves to 10.0.0.1 (or is made to, between two deliveries)
 * reaches nothing. curl tries the name's other addresses, if any. And a
 * new socket may reuse a closed one's number: forget what that one had.
 */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = arg;
	struct lane *d = t->lane;
	const struct conf_delivery *cd = &d->c->delivery;
	curl_socket_t fd;
	uint32_t *w;

	(void)purpose;
	if (t->guard && netguard_check_sockaddr(&a->addr, a->addrlen, cd->allow,
						cd->nallow) != 0) {
		snprintf(t->refused, sizeof(t->refused), "%s", err_last());
		err_clear();
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if ((w = watch_slot(d, fd)) != NULL)
		*w = 0;
	return fd;
}

/*
 * Just before each request goes out, on a new connection or a reused one:
 * a subscriber's transfer is checked again against the address it is
 * connected to. on_open alone is not enough: a connection the site's own
 * channel opened to an internal host, cached, would otherwise carry a
 * subscriber's POST to a URL naming the same host and port.
 */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct transfer *t = arg;
	const struct conf_delivery *cd = &t->lane->c->delivery;
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	size_t len;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (!t->guard)
		return CURL_PREREQFUNC_OK;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, primary_ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, primary_ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof(*in6);
	} else {
		snprintf(t->refused, sizeof(t->refused), "cannot tell the address '%s' a "
			 "subscriber's webhook is connected to", primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	if (netguard_check_sockaddr((struct sockaddr *)&ss, len, cd->allow, cd->nallow) != 0) {
		snprintf(t->refused, sizeof(t->refused), "%s", err_last());
		err_clear();
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* A socket curl does not watch became ready: an idle connection the
 * receiver closed (curl finds out when it next tries it). Stop watching
 * it, or level-triggered epoll would report it again at once. */
static bool
unwatched_event(struct lane *d, int fd)
{
	uint32_t *w = (size_t)fd < d->nwatch ? &d->watch[fd] : NULL;

	if (w == NULL || (*w & WATCH_WANTED))
		return false;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	*w = 0;
	return true;
}

static int
on_timer(CURLM *m, long timeout_ms, void *arg)
{
	struct lane *d = arg;

	(void)m;
	d->timer_at = timeout_ms < 0 ? 0 : mono_ms() + timeout_ms;
	return 0;
}

static void collect(struct lane *d);

/* Wait up to wait_ms for a socket, curl's timer or a wake-up; let curl act
 * on what happened and collect the finished transfers. */
static void
pump(struct lane *d, int wait_ms)
{
	struct epoll_event ev[64];
	int64_t now = mono_ms();
	int running, n, timeout = wait_ms < 0 ? 0 : wait_ms;
	uint64_t wakes;

	if (d->timer_at != 0 && d->timer_at - now < timeout)
		timeout = d->timer_at > now ? (int)(d->timer_at - now) : 0;
	n = epoll_wait(d->epfd, ev, 64, timeout);
	for (int i = 0; i < n; i++) {
		int flags = 0;

		if (ev[i].data.fd == d->wakefd) {
			if (read(d->wakefd, &wakes, sizeof(wakes)) < 0)
				continue;
			continue;
		}
		if (unwatched_event(d, ev[i].data.fd))
			continue;
		if (ev[i].events & EPOLLIN)
			flags |= CURL_CSELECT_IN;
		if (ev[i].events & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			flags |= CURL_CSELECT_ERR;
		d->api->multi_socket_action(d->multi, ev[i].data.fd, flags, &running);
	}
	if (d->timer_at != 0 && mono_ms() >= d->timer_at) {
		d->timer_at = 0;
		d->api->multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	collect(d);
}

/* ------------------------------------------------------------ lanes */

static struct transfer *
free_transfer(struct lane *d)
{
	for (int i = 0; i < d->nxfers; i++)
		if (!d->xfers[i].busy)
			return &d->xfers[i];
	return NULL;
}

static void
collect(struct lane *d)
{
	CURLMsg *msg;
	int left;

	while ((msg = d->api->multi_info_read(d->multi, &left)) != NULL) {
		CURL *h = msg->easy_handle;
		CURLcode code = msg->data.result;
		char *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		d->api->easy_getinfo(h, CURLINFO_PRIVATE, &priv);
		d->api->multi_remove_handle(d->multi, h);
		d->inflight--;
		transfer_done(d, (struct transfer *)priv, code);
	}
}

static void
lane_free(struct lane *d)
{
	if (d->multi != NULL)
		d->api->multi_cleanup(d->multi);
	for (int i = 0; d->xfers != NULL && i < d->nxfers; i++)
		if (d->xfers[i].h != NULL)
			d->api->easy_cleanup(d->xfers[i].h);
	free(d->xfers);
	free(d->watch);
	store_outbox_free(d->queue, d->nqueue);
	for (size_t i = 0; i < d->nresults; i++) {
		free(d->results[i].row.last_error);
		free(d->results[i].disable_reason);
	}
	free(d->results);
	for (size_t i = 0; d->chans != NULL && i < d->c->nchannels; i++) {
		free(d->chans[i].url);
		free(d->chans[i].secret);
		free(d->chans[i].password);
		free(d->chans[i].problem);
	}
	free(d->chans);
	for (size_t i = 0; i < PAYLOAD_CACHE; i++) {
		free(d->cache[i].body);
		free(d->cache[i].subject);
	}
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->wakefd >= 0)
		close(d->wakefd);
	free(d->why);
	free(d->dead_why);
}

/* Set up a lane with nxfers transfers. */
static int
lane_open(struct lane *d, struct deliver *e, const struct curlapi *api, int nxfers)
{
	const struct conf *c = e->c;
	struct epoll_event ev;

	d->e = e;
	d->api = api;
	d->c = c;
	d->epfd = d->wakefd = -1;
	d->s = e->store;
	if ((d->multi = api->multi_init()) == NULL)
		return err_set(SR_ESYS, "cannot start libcurl");
	d->nxfers = nxfers;
	d->xfers = xcalloc((size_t)nxfers, sizeof(*d->xfers));
	for (int i = 0; i < nxfers; i++) {
		d->xfers[i].lane = d;
		if ((d->xfers[i].h = api->easy_init()) == NULL)
			return err_set(SR_ESYS, "cannot start libcurl");
	}
	api->multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)nxfers);
	if ((d->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (d->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return err_set(SR_ESYS, "cannot set up the delivery loop: %s", strerror(errno));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = d->wakefd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->wakefd, &ev) != 0)
		return err_set(SR_ESYS, "cannot set up the delivery loop: %s", strerror(errno));
	api->multi_setopt(d->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	api->multi_setopt(d->multi, CURLMOPT_SOCKETDATA, d);
	api->multi_setopt(d->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	api->multi_setopt(d->multi, CURLMOPT_TIMERDATA, d);
	d->chans = xcalloc(c->nchannels + 1, sizeof(*d->chans));
	for (size_t i = 0; i < c->nchannels; i++)
		d->chans[i].ch = &c->channels[i];
	if (digest_random(&d->rng, sizeof(d->rng), "the retry jitter") != 0 || d->rng == 0)
		d->rng = (uint64_t)clock_now_ms() | 1;
	d->last_flush = clock_now_ms();
	return 0;
}

/* When the next row this lane could take falls due: rows other lanes hold
 * are due already, and waiting for them would be no wait at all. */
static int
lane_next_due(struct lane *d, int64_t *next)
{
	struct deliver *e = d->e;
	int rc;

	pthread_mutex_lock(&e->store_lock);
	rc = store_outbox_next_due(next, d->s, e->outstanding > 0 ? &e->taken : NULL);
	pthread_mutex_unlock(&e->store_lock);
	return rc;
}

/*
 * One turn of a lane: write outcomes and claim rows when it is time,
 * start what is claimed, wait up to wait_ms (less with transfers in
 * flight, or until the next row falls due) and collect what finished.
 */
static int
lane_step(struct lane *d, int wait_ms, bool *idle)
{
	struct transfer *t;
	int rc;
	int64_t now = clock_now_ms(), next = 0;

	*idle = false;
	if (d->qhead == d->nqueue && d->inflight < d->nxfers) {
		if ((rc = store_sync(d, true)) != 0)
			return rc;
	} else if (d->nresults >= RESULT_BATCH || now - d->last_flush >= FLUSH_MS) {
		if ((rc = store_sync(d, false)) != 0)
			return rc;
	}
	while (d->qhead < d->nqueue && (t = free_transfer(d)) != NULL)
		transfer_start(d, t, &d->queue[d->qhead++]);
	if (d->inflight == 0 && d->qhead == d->nqueue) {
		if ((rc = store_sync(d, false)) != 0)
			return rc;
		*idle = true;
		if (wait_ms <= 0)
			return 0;
		if ((rc = lane_next_due(d, &next)) != 0)
			return rc;
		if (next != 0 && next - now < wait_ms)
			wait_ms = next > now ? (int)(next - now) : 0;
	}
	/* With transfers in flight, come back at least every 50 ms to start
	 * more and write outcomes; idle, sleep until woken or due. */
	pump(d, d->inflight > 0 ? 50 : wait_ms);
	return 0;
}

/* Stop a lane: rows claimed but not started go back untouched, transfers
 * in flight get up to grace_ms to finish, and every outcome is written. */
static int
lane_drain(struct lane *d, int grace_ms)
{
	int64_t end = mono_ms() + grace_ms;

	pthread_mutex_lock(&d->e->store_lock);
	d->e->outstanding -= (int64_t)(d->nqueue - d->qhead);
	pthread_mutex_unlock(&d->e->store_lock);
	store_outbox_free(d->queue, d->nqueue);
	d->queue = NULL;
	d->nqueue = d->qhead = 0;
	while (d->inflight > 0 && mono_ms() < end)
		pump(d, 50);
	for (int i = 0; i < d->nxfers; i++)
		if (d->xfers[i].busy) {
			d->api->multi_remove_handle(d->multi, d->xfers[i].h);
			transfer_release(d, &d->xfers[i]);
		}
	d->inflight = 0;
	return store_sync(d, false);
}

/* A lane's own thread (every lane but the first, which the caller runs
 * with deliver_step). A failed turn is logged and tried again a second
 * later, as sitrepd does with the first lane; with --once it ends the
 * lane and deliver_run reports it. */
static void *
lane_main(void *arg)
{
	struct lane *d = arg;
	bool idle;
	int rc;

	while (!atomic_load(&d->e->stop)) {
		if ((rc = lane_step(d, d->e->once ? 0 : 1000, &idle)) != 0) {
			if (d->e->once) {
				d->rc = rc;
				d->why = xstrdup(err_last());
				break;
			}
			log_warnx("delivery: %s", err_last());
			pump(d, 1000);
		} else if (d->e->once && idle)
			break;
	}
	if ((rc = lane_drain(d, d->rc ? 0 : d->e->grace_ms)) != 0 && d->rc == 0) {
		d->rc = rc;
		d->why = xstrdup(err_last());
	}
	return NULL;
}

/* ------------------------------------------------------------ engine */

static int
lock_store(struct deliver *e)
{
	char *path = xasprintf("%s-deliver.lock", e->c->database);

	e->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (e->lock_fd < 0) {
		int rc = err_set(SR_ESYS, "cannot open the delivery lock '%s': %s", path,
				 strerror(errno));

		free(path);
		return rc;
	}
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int rc = err_set(SR_EREFUSED, "another delivery engine (sitrepd or 'sitrep "
				 "deliver') is already sending from '%s'; it holds '%s'",
				 e->c->database, path);

		free(path);
		return rc;
	}
	free(path);
	return 0;
}

static void
deliver_free(struct deliver *e)
{
	for (int i = 0; e->lanes != NULL && i < e->nlanes; i++)
		lane_free(&e->lanes[i]);
	free(e->lanes);
	pthread_mutex_destroy(&e->store_lock);
	store_close(e->store);
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	free(e);
}

int
deliver_open(struct deliver **out, const struct conf *c)
{
	struct deliver *e = xcalloc(1, sizeof(*e));
	const struct curlapi *api;
	int rc, nlanes = c->delivery.threads;

	*out = NULL;
	e->c = c;
	e->lock_fd = -1;
	pthread_mutex_init(&e->store_lock, NULL);
	atomic_init(&e->stop, false);
	if ((rc = lock_store(e)) != 0 || (api = curlapi_load()) == NULL ||
	    (rc = store_open(&e->store, c->database)) != 0) {
		rc = rc ? rc : SR_ESYS;
		deliver_free(e);
		return rc;
	}
	/* A lost outcome means a message is sent again, which at-least-once
	 * delivery allows; the engine does not wait for the disk per batch. */
	store_relax_durability(e->store);
	/* A fan-out writes its outcomes into the same few outbox and index
	 * pages batch after batch: checkpointing every 10,000 pages (a WAL of
	 * 40 MB at most) instead of 1,000 copies each of them a tenth as
	 * often. */
	store_set_checkpoint(e->store, 10000);
	/* libcurl brought libcrypto in: hash with its faster SHA-256 */
	(void)digest_accelerate();
	e->env_proxy = proxy_in_environment();
	if (nlanes > c->delivery.concurrency)
		nlanes = c->delivery.concurrency;
	if (nlanes < 1)
		nlanes = 1;
	e->lanes = xcalloc((size_t)nlanes, sizeof(*e->lanes));
	for (int i = 0; i < nlanes; i++)
		e->lanes[i].epfd = e->lanes[i].wakefd = -1;
	/* concurrency shared out: the first lanes take the remainder */
	for (int i = 0; i < nlanes; i++) {
		int share = c->delivery.concurrency / nlanes +
			    (i < c->delivery.concurrency % nlanes);

		e->nlanes = i + 1;
		if ((rc = lane_open(&e->lanes[i], e, api, share)) != 0) {
			deliver_free(e);
			return rc;
		}
	}
	*out = e;
	return 0;
}

/* The other lanes' threads, started at the first step (after the
 * observer is set, which they read). */
static int
lanes_start(struct deliver *e)
{
	sigset_t all, old;
	int rc = 0;

	/* Signals are the caller's to take: its wait is what they must cut
	 * short. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 1; i < e->nlanes && rc == 0; i++) {
		struct lane *d = &e->lanes[i];

		if (d->threaded)
			continue;
		if ((rc = pthread_create(&d->thread, NULL, lane_main, d)) != 0)
			rc = err_set(SR_ESYS, "cannot start a delivery thread: %s", strerror(rc));
		else
			d->threaded = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Wait for the lanes' threads to end; the first error a lane met. */
static int
lanes_join(struct deliver *e)
{
	int rc = 0;

	for (int i = 1; i < e->nlanes; i++) {
		struct lane *d = &e->lanes[i];

		if (!d->threaded)
			continue;
		pthread_join(d->thread, NULL);
		d->threaded = false;
		if (d->rc != 0 && rc == 0)
			rc = err_set(d->rc, "%s", d->why ? d->why : "a delivery thread failed");
	}
	return rc;
}

int
deliver_step(struct deliver *e, int wait_ms, bool *idle)
{
	int rc;

	if ((rc = lanes_start(e)) != 0)
		return rc;
	return lane_step(&e->lanes[0], wait_ms, idle);
}

void
deliver_set_observer(struct deliver *e, void (*fn)(void *arg, double seconds), void *arg)
{
	e->observe = fn;
	e->observe_arg = arg;
}

void
deliver_wakeup(struct deliver *e)
{
	uint64_t one = 1;

	for (int i = 0; i < e->nlanes; i++)
		if (write(e->lanes[i].wakefd, &one, sizeof(one)) < 0)
			continue; /* already pending: it wakes anyway */
}

int
deliver_close(struct deliver *e, int grace_ms, struct deliver_stats *stats)
{
	int rc, rc2;

	e->grace_ms = grace_ms;
	atomic_store(&e->stop, true);
	deliver_wakeup(e);
	rc = lane_drain(&e->lanes[0], grace_ms);
	if ((rc2 = lanes_join(e)) != 0 && rc == 0)
		rc = rc2;
	if (stats != NULL) {
		memset(stats, 0, sizeof(*stats));
		for (int i = 0; i < e->nlanes; i++) {
			stats->sent += e->lanes[i].stats.sent;
			stats->retried += e->lanes[i].stats.retried;
			stats->dead += e->lanes[i].stats.dead;
		}
	}
	deliver_free(e);
	return rc;
}

int
deliver_run(struct deliver_stats *stats, const struct conf *c,
	    bool once, volatile sig_atomic_t *stop)
{
	struct deliver *e;
	bool idle;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((rc = deliver_open(&e, c)) != 0)
		return rc;
	/* Once: what is due now; a retry falling due meanwhile waits. */
	if (once) {
		e->once = true;
		e->horizon = clock_now_ms();
	}
	while (rc == 0 && (stop == NULL || !*stop)) {
		rc = deliver_step(e, once ? 0 : 1000, &idle);
		if (once && idle)
			break;
	}
	/* Once: the other lanes end when they have nothing left either. */
	if (rc == 0 && once && (stop == NULL || !*stop))
		rc = lanes_join(e);
	if (rc != 0) {
		struct deliver_stats ignored;
		char *why = xstrdup(err_last());

		deliver_close(e, 0, &ignored);
		rc = err_set(rc, "%s", why);
		free(why);
		return rc;
	}
	return deliver_close(e, 4000, stats);
}
