/* sitrepd.c: the daemon's main. For now it reads the site config, opens the
 * store, says it started, and waits for SIGTERM or SIGINT; delivery, the
 * scheduler and the status page come in later. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/store.h"

static volatile sig_atomic_t sitrepd_stop;

static void
on_signal(int sig)
{
	(void)sig;
	sitrepd_stop = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sitrepd [-c CONFIG] [-f] [-v]\n"
		    "  -c, --config FILE  the site config (else $SITREP_CONFIG, ./sitrep.conf, ...)\n"
		    "  -f, --foreground   stay in the foreground (the default for now)\n"
		    "  -v, --verbose      log debug messages\n"
		    "See sitrepd(8).\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct diags d = DIAGS_INIT;
	struct conf *conf = NULL;
	struct store *st = NULL;
	struct sigaction sa;
	const char *config = NULL;
	char *path;
	sigset_t mask, old;
	int opt;

	log_init("sitrepd", LOG_LEVEL_INFO);
	while ((opt = getopt_long(argc, argv, "c:fvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'f': break;
		case 'v': log_init("sitrepd", LOG_LEVEL_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((path = conf_find(config)) == NULL) {
		log_warnx("%s", err_last());
		return 1;
	}
	if (conf_load(&conf, &d, path) != 0) {
		diags_print(&d, stderr);
		log_warnx("%s", err_last());
		diags_release(&d);
		free(path);
		return 1;
	}
	free(path);
	if (store_open(&st, conf->database) != 0) {
		log_warnx("%s", err_last());
		conf_free(conf);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	log_info("started: config %s, database %s, playbooks %s", conf->path,
		 conf->database, conf->playbooks);
	while (!sitrepd_stop)
		sigsuspend(&old);
	log_info("stopping");
	store_close(st);
	conf_free(conf);
	return 0;
}
