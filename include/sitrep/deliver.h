/* deliver.h: the delivery engine. It takes due outbox rows, sends each
 * over its channel (Standard Webhooks, Slack, Teams, Discord, SMTP) with
 * a capped number in flight, and records each outcome: sent, a retry with
 * backoff, or dead. It runs in delivery.threads lanes, each with its own
 * libcurl multi handle and share of the cap: the first in the caller's
 * deliver_step, the others in threads of their own. `sitrep deliver` and
 * sitrepd both run it; only one engine runs per store at a time. */
#ifndef SITREP_DELIVER_H
#define SITREP_DELIVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct conf;
struct store;
struct deliver;

/* The seconds a Retry-After value (delay-seconds or an HTTP-date, RFC 9110)
 * asks to wait from now, or -1 when it is neither. */
long deliver_retry_after(const char *value, time_t now);

struct deliver_stats {
	int64_t sent, retried, dead;
};

/*
 * Take the delivery lock of c's store (SR_EREFUSED when another engine
 * holds it), load libcurl and open a connection to the store of the
 * engine's own. The engine keeps c; it must outlive it. The other lanes'
 * threads start at the first deliver_step.
 */
int deliver_open(struct deliver **out, const struct conf *c);

/*
 * Start what is due, wait up to wait_ms for transfers or the next due row,
 * and record finished attempts. *idle is set when nothing is in flight or
 * waiting in memory.
 */
int deliver_step(struct deliver *d, int wait_ms, bool *idle);

/* Call fn with each sent message's time from queueing to sent, in seconds
 * (for sitrepd's latency histogram), from any of the engine's threads.
 * Set it before the first deliver_step. */
void deliver_set_observer(struct deliver *d, void (*fn)(void *arg, double seconds),
			  void *arg);

/* Interrupt a deliver_step waiting in another thread or a signal handler's
 * caller. */
void deliver_wakeup(struct deliver *d);

/*
 * Stop: let transfers in flight finish for up to grace_ms (in every lane
 * at once), leave the rest in the queue unchanged (same id, same attempt
 * count), record every outcome and release the lock.
 */
int deliver_close(struct deliver *d, int grace_ms, struct deliver_stats *stats);

/*
 * Run the engine in the foreground until *stop is set, or, with once,
 * until nothing is due now and nothing is in flight (rows waiting for a
 * later retry stay queued).
 */
int deliver_run(struct deliver_stats *stats, const struct conf *c, bool once,
		volatile sig_atomic_t *stop);

#endif
