/* deliver-int.h: what the delivery engine's files share and nothing else
 * sees: the engine, its lanes and their transfers. deliver.c runs the
 * engine and its lanes, reactor.c waits on curl's sockets, transfer.c
 * takes one row through one attempt, sendhttp.c and sendsmtp.c set a
 * transfer up for its channel, secrets.c reads the channels' secrets and
 * paycache.c keeps rendered messages. The outbox's rules are outbox.c's. */
#ifndef SITREP_DELIVER_INT_H
#define SITREP_DELIVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "curlapi.h"
#include "sitrep/deliver.h"
#include "sitrep/outbox.h"
#include "sitrep/store-outbox.h"

#define CLAIM_BATCH	512	/* rows taken from the store at once */
#define RESULT_BATCH	512	/* outcomes written in one transaction */
#define FLUSH_MS	100	/* ...or after this long */
#define PAYLOAD_CACHE	8	/* updates whose rendered bodies are kept */

struct conf;
struct conf_channel;

/* A channel's secrets, read from the environment or a file (secrets.c). */
struct chan {
	const struct conf_channel *ch;
	bool read;
	char *url, *secret, *password;
	char *problem; /* why it cannot send; NULL when it can */
};

/* What one channel type receives for one update (paycache.c). */
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
	struct outbox_results results;
	int64_t last_flush;
	struct chan *chans;
	struct rendered cache[PAYLOAD_CACHE];
	size_t cache_next;
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
	struct outbox_cursor cursor; /* where the lanes are in the due order */
	bool once;                  /* lanes stop when idle */
	atomic_bool stop;           /* lanes finish what is in flight and stop */
	int grace_ms;               /* ...waiting this long for it */
	bool env_proxy;             /* the environment names a proxy */
	void (*observe)(void *, double);
	void *observe_arg;
};

/* deliver.c: an attempt's outcome, counted in the lane's stats. */
struct outbox_result *lane_record(struct lane *d, const struct store_outbox *row,
				  const char *state, int status, const char *error,
				  int64_t next_at);
void lane_fail(struct lane *d, const struct store_outbox *row, int status,
	       const char *error, long retry_after);

/* reactor.c: curl's sockets and timer in the lane's epoll set. */
int64_t reactor_now_ms(void);
int reactor_open(struct lane *d);
void reactor_close(struct lane *d);
/* Wait up to wait_ms for a socket, curl's timer or a wake-up; let curl act
 * on what happened and collect the finished transfers. */
void reactor_pump(struct lane *d, int wait_ms);
/* A new socket fd: forget what an earlier one of the same number had. */
void reactor_forget(struct lane *d, curl_socket_t fd);
void reactor_wake(struct lane *d);

/* transfer.c: one row's attempt, from claimed to its outcome. */
void transfer_start(struct lane *d, struct transfer *t, struct store_outbox *row);
/* Record the outcomes of the transfers curl has finished. */
void transfer_collect(struct lane *d);
void transfer_release(struct lane *d, struct transfer *t);
/* Set t's handle up for kind ('h' HTTP, 'm' mail); true when it was reset
 * and the kind's own options must be set again. */
bool transfer_options(struct lane *d, struct transfer *t, char kind);

/* sendhttp.c, sendsmtp.c: t set up to POST its body to url, or to mail r
 * (a subscriber's with its unsubscribe token); NULL, or why it cannot be
 * sent. */
char *sendhttp_setup(struct lane *d, struct transfer *t, const char *url,
		     const char *secret);
char *sendsmtp_setup(struct lane *d, struct transfer *t, struct chan *ch,
		     const struct rendered *r, const char *token);

/* secrets.c: each channel's secrets, read at first use; a secret that
 * could not be read is looked for again each time. */
struct chan *secrets_open(const struct conf *c);
struct chan *secrets_get(struct lane *d, const char *id);
void secrets_free(struct chan *v, size_t n);

/* paycache.c: the rendered form of an update for a channel type; NULL with
 * *rc set when it cannot be read (SR_ESYS: try again later) or built. */
const struct rendered *paycache_get(struct lane *d, int64_t update_id, const char *type,
				    int *rc);
void paycache_release(struct lane *d);

#endif
