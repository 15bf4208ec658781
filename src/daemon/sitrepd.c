/* sitrepd.c: the daemon's main loop. One thread runs the delivery engine
 * and the scheduler over one store connection, sleeping until the next
 * due time or a second at most (to notice what sitrep commands wrote,
 * through PRAGMA data_version); libmicrohttpd's threads serve the public
 * pages and the internal /metrics, each with its own connection. The work itself is deliver.c's,
 * schedule.c's and http.c's. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/deliver.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/http.h"
#include "sitrep/incident.h"
#include "sitrep/log.h"
#include "sitrep/repo.h"
#include "sitrep/schedule.h"
#include "sitrep/store.h"
#include "sitrep/store-metrics.h"
#include "sitrep/xalloc.h"

#define STOP_GRACE_MS	2500	/* deliveries in flight finish within this:
				 * with the HTTP drain, stopping takes < 5 s */
#define MAX_SLEEP_MS	1000	/* look at the store at least this often */

static volatile sig_atomic_t stop_requested, reload_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* Everything that depends on the site config, torn down and built again
 * on SIGHUP. */
struct daemon {
	const char *config_path, *listen;
	struct conf *conf;
	struct store *store;
	struct repo *repo;
	struct incident_ctx ctx;
	struct deliver *deliver;
	struct schedule *schedule;
	struct http_server *http;
	struct http_metrics metrics;
	int lock_fd;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sitrepd [-c CONFIG] [--listen ADDR:PORT] [-f] [-v]\n"
		    "  -c, --config FILE    the site config (else $SITREP_CONFIG, ./sitrep.conf, ...)\n"
		    "  -l, --listen ADDR:PORT  serve the status page there (else http.listen)\n"
		    "  -f, --foreground     stay in the foreground (the only mode: run it under\n"
		    "                       systemd or another supervisor)\n"
		    "  -v, --verbose        log debug messages\n"
		    "Delivers the outbox, fires reminders and escalations on time and serves\n"
		    "the public status page (and /metrics on http.internal_listen, loopback\n"
		    "by default). SIGTERM or SIGINT stops it, SIGHUP reloads the site config\n"
		    "(a config that cannot apply is refused and the old one kept). See\n"
		    "sitrepd(8).\n");
}

static int
load_conf(struct conf **out, const char *config_path, const char *listen)
{
	struct diags d = DIAGS_INIT;
	char *path;
	int rc;

	if ((path = conf_find(config_path)) == NULL)
		return SR_ENOTFOUND;
	rc = conf_load(out, &d, path);
	if (rc == SR_EINVALID)
		diag_print(&d, stderr);
	diag_release(&d);
	free(path);
	if (rc == 0 && listen != NULL) {
		free((*out)->listen);
		(*out)->listen = xstrdup(listen);
	}
	return rc;
}

/* One daemon per store: a lock next to the database, held for the
 * process's life and released by the kernel when it ends, however. */
static int
lock_daemon(struct daemon *dm)
{
	char *path = xasprintf("%s-sitrepd.lock", dm->conf->database);
	int rc = 0;

	if ((dm->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		rc = err_set(SR_ESYS, "cannot open '%s': %s", path, strerror(errno));
	else if (flock(dm->lock_fd, LOCK_EX | LOCK_NB) != 0)
		rc = err_set(SR_EREFUSED, "another sitrepd already runs on '%s' (it holds '%s'); "
			     "stop it first", dm->conf->database, path);
	free(path);
	return rc;
}

static void
observe_delivery(void *arg, double seconds)
{
	http_metrics_observe_delivery(arg, seconds);
}

/*
 * Every client connection is a descriptor: raise the soft limit to the
 * hard one, so the HTTP listeners' limits, not a default of 1024, say how
 * many clients are served at once.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warnx("cannot raise the open files limit to %llu: %s",
			  (unsigned long long)rl.rlim_max, strerror(errno));
}

/* "HOST" of "HOST:PORT", as long as it is. */
static int
host_len(const char *listen)
{
	return (int)(strrchr(listen, ':') - listen);
}

/* Start the HTTP listeners the config describes, in place of prev (a
 * reload) or from nothing. */
static int
start_http(struct http_server **out, const struct conf *c, struct http_metrics *m,
	   const struct http_server *prev)
{
	sigset_t stops, old;
	int rc;

	/* The HTTP threads inherit a mask without the stop and reload
	 * signals, so they interrupt the main loop's wait at once. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	rc = http_start(out, c, m, prev);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void
log_started(const struct daemon *dm)
{
	log_info("started: config %s, database %s, playbooks %s", dm->conf->path,
		 dm->conf->database, dm->conf->playbooks);
	log_info("status page: http://%.*s:%d/", host_len(dm->conf->listen), dm->conf->listen,
		 http_port(dm->http));
	log_info("internal: http://%.*s:%d/", host_len(dm->conf->http.internal_listen),
		 dm->conf->http.internal_listen, http_internal_port(dm->http));
}

/* Start what the config describes but the HTTP listeners: store,
 * repository, engine, scheduler. */
static int
start_core(struct daemon *dm)
{
	int rc;

	if ((rc = store_open(&dm->store, dm->conf->database)) != 0)
		return rc;
	/* Running incidents read their pinned playbooks from the store: a
	 * repository that cannot be opened is reported, not fatal. */
	if (repo_open(&dm->repo, dm->conf->playbooks) != 0)
		log_warnx("%s: incidents opened before sitrep kept playbooks in its "
			  "store get no reminders or escalations until it is restored",
			  err_last());
	dm->ctx.conf = dm->conf;
	dm->ctx.repo = dm->repo;
	dm->ctx.store = dm->store;
	dm->ctx.actor = INCIDENT_DAEMON_ACTOR;
	dm->ctx.daemon = true;
	if ((rc = deliver_open(&dm->deliver, dm->conf)) != 0)
		return rc;
	deliver_set_observer(dm->deliver, observe_delivery, &dm->metrics);
	if ((rc = schedule_open(&dm->schedule, &dm->ctx)) != 0)
		return rc;
	return 0;
}

static int
start(struct daemon *dm)
{
	int rc;

	if ((rc = start_core(dm)) != 0 ||
	    (rc = start_http(&dm->http, dm->conf, &dm->metrics, NULL)) != 0)
		return rc;
	log_started(dm);
	return 0;
}

/* Stop in the reverse order: deliveries in flight finish or go back to
 * the queue. */
static void
stop_core(struct daemon *dm)
{
	struct deliver_stats st;

	if (dm->deliver != NULL && deliver_close(dm->deliver, STOP_GRACE_MS, &st) != 0)
		log_warnx("%s", err_last());
	dm->deliver = NULL;
	schedule_free(dm->schedule);
	dm->schedule = NULL;
	repo_free(dm->repo);
	dm->repo = NULL;
	store_close(dm->store);
	dm->store = NULL;
}

static void
stop(struct daemon *dm)
{
	http_stop(dm->http);
	dm->http = NULL;
	stop_core(dm);
}

/* SIGHUP: read the config again; on any problem keep running on the old
 * one and say why. */
static void
reload(struct daemon *dm)
{
	struct conf *fresh = NULL, *old;
	struct http_server *http;

	if (load_conf(&fresh, dm->config_path, dm->listen) != 0) {
		log_warnx("reload refused, still running on the old config: %s", err_last());
		return;
	}
	if (strcmp(fresh->database, dm->conf->database) != 0) {
		log_warnx("reload refused: the database cannot change from '%s' to '%s' while "
			  "running; restart sitrepd", dm->conf->database, fresh->database);
		conf_free(fresh);
		return;
	}
	/* TZ is not set again while threads run: a new zone waits for a start */
	if (strcmp(fresh->time_zone, dm->conf->time_zone) != 0)
		log_warnx("status_page time_zone '%s' takes effect when sitrepd starts again; "
			  "messages keep '%s' until then", fresh->time_zone, dm->conf->time_zone);
	/* The new listeners first, beside the running ones (an address both
	 * use keeps its socket): one that cannot listen refuses the reload
	 * while the old ones still serve. */
	if (start_http(&http, fresh, &dm->metrics, dm->http) != 0) {
		log_warnx("reload refused, still running on the old config: %s", err_last());
		conf_free(fresh);
		return;
	}
	stop_core(dm);
	old = dm->conf;
	dm->conf = fresh;
	if (start_core(dm) != 0) {
		log_warnx("reload refused, still running on the old config: %s", err_last());
		stop_core(dm);
		http_stop(http);
		dm->conf = old;
		conf_free(fresh);
		if (start_core(dm) != 0)
			fatalx("cannot start again on the old config %s: %s", dm->conf->path,
			       err_last());
		return;
	}
	http_stop(dm->http);
	dm->http = http;
	conf_free(old);
	log_started(dm);
	log_info("reloaded %s", dm->conf->path);
}

static int
run(struct daemon *dm)
{
	int64_t version = 0, seen = -1, next_due = 0, now;
	bool idle;
	int wait;

	while (!stop_requested) {
		if (reload_requested) {
			reload_requested = 0;
			reload(dm);
			seen = -1;
		}
		if (store_data_version(&version, dm->store) != 0)
			return SR_ESYS;
		now = clock_now_ms();
		if (version != seen)
			schedule_changed(dm->schedule);
		if (version != seen || (next_due != 0 && next_due <= now)) {
			if (schedule_run(dm->schedule, now, &next_due) != 0)
				log_warnx("scheduler: %s", err_last());
			http_metrics_set_scheduler_lag(&dm->metrics, schedule_lag(dm->schedule));
			/* what the scheduler wrote is this connection's own: it
			 * does not move data_version */
			seen = version;
		}
		now = clock_now_ms();
		wait = MAX_SLEEP_MS;
		if (next_due != 0 && next_due - now < wait)
			wait = next_due > now ? (int)(next_due - now) : 0;
		if (deliver_step(dm->deliver, wait, &idle) != 0)
			log_warnx("delivery: %s", err_last());
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon dm;
	struct sigaction sa;
	int opt, rc;

	memset(&dm, 0, sizeof(dm));
	dm.lock_fd = -1;
	log_init("sitrepd");
	while ((opt = getopt_long(argc, argv, "c:l:fvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': dm.config_path = optarg; break;
		case 'l': dm.listen = optarg; break;
		case 'f': break;
		case 'v': log_setverbose(1); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (dm.listen != NULL && !conf_listen_valid(dm.listen)) {
		log_errorx("--listen '%s' must be ADDRESS:PORT, like 127.0.0.1:8080", dm.listen);
		return 2;
	}
	if (load_conf(&dm.conf, dm.config_path, dm.listen) != 0) {
		log_errorx("%s", err_last());
		return 1;
	}
	/* while this is the only thread: it sets TZ */
	if (clock_set_reader_zone(dm.conf->time_zone) != 0) {
		log_errorx("%s", err_last());
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	http_metrics_init(&dm.metrics);
	raise_nofile();
	repo_global_init();
	if ((rc = lock_daemon(&dm)) != 0 || (rc = start(&dm)) != 0) {
		log_errorx("%s", err_last());
		stop(&dm);
		/* as sitrep's: 3 when the system failed (no store, say), else 1 */
		rc = rc == SR_ESYS ? 3 : 1;
	} else {
		rc = run(&dm) != 0 ? 1 : 0;
		if (rc != 0)
			log_errorx("%s", err_last());
		log_info("stopping");
		stop(&dm);
	}
	http_metrics_release(&dm.metrics);
	repo_global_shutdown();
	if (dm.lock_fd >= 0)
		close(dm.lock_fd);
	conf_free(dm.conf);
	return rc;
}
