/* conf.h: the site config (sitrep.conf, libconfig syntax): where the
 * workspace lives and who and what the incidents involve. Secrets are never
 * held in it: channels name an environment variable or a file. */
#ifndef SITREP_CONF_H
#define SITREP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "netguard.h"

struct conf_component {
	char *id;
	char *name;
	char *group; /* may be NULL */
};

/* A person's ways to be paged (DESIGN.md's contact types). */
enum conf_contact_type {
	CONF_CONTACT_EMAIL,
	CONF_CONTACT_WEBHOOK,
	CONF_CONTACT_SLACK_MENTION,
	CONF_CONTACT_DISCORD_MENTION
};

struct conf_contact {
	char *id;      /* unique among the person's contacts */
	enum conf_contact_type type;
	char *address; /* email: the address */
	char *channel; /* the channel a notification goes through: email, the
			* paging e-mail channel; webhook, the channel made for
			* it ("HANDLE/ID", conf_channel.person set); a mention,
			* the slack or discord channel it names */
	char *user;    /* a mention: the person's Slack or Discord user id */
	int line;
};

/* Notify through contact this long after the page, at severities up to
 * min_severity (SEV2: SEV1 and SEV2), every severity when 0. */
struct conf_notify {
	size_t contact; /* index into the person's contacts */
	int64_t after;  /* seconds */
	int min_severity;
	int line;
};

/* A handle: 1 to CONF_HANDLE_MAX ASCII letters, digits, '_' and '-', the
 * characters an acknowledgement link carries it in (acklink.c). */
#define CONF_HANDLE_MAX 64

struct conf_person {
	char *handle;
	char *name;
	char *email; /* may be NULL */
	int tier;    /* 0..4, or -1 when none */
	struct conf_contact *contacts;
	size_t ncontacts;
	struct conf_notify *notify; /* in the order written; never empty when
				     * the person has a contact */
	size_t nnotify;
	char **os_users; /* the operating-system users who are this person
			  * (sitrep.conf(5), identity); empty: the handle */
	size_t nos_users;
	int line;
};

struct conf_tier {
	char **people; /* handles */
	size_t npeople;
	char **schedules; /* on-call schedules (NAME.schedule in the playbook repo) */
	size_t nschedules;
	int line;
};

/* How pages reach people (sitrep.conf(5), paging). */
struct conf_paging {
	char *email_channel;   /* the e-mail channel e-mail contacts go through */
	char *link_key_file;   /* absolute path of the acknowledgement links' key */
	int64_t link_lifetime; /* seconds a link works after its page */
};

struct conf_account {
	char *id;
	char *name;
	bool priority;
	char **components;
	size_t ncomponents;
	char *email; /* where an update addressed to the account goes; may be NULL */
};

struct conf_channel {
	char *id;
	char *type; /* webhook slack teams discord email */
	char **audiences;
	size_t naudiences;
	char *url_env, *url_file;           /* webhook, slack, teams, discord */
	char *secret_env, *secret_file;     /* webhook signing secret */
	char *smtp_url;                     /* email: smtp:// or smtps:// */
	char *from;                         /* email */
	char *user;                         /* email */
	char *password_env, *password_file; /* email */
	char **to;                          /* email: the audiences' addresses */
	size_t nto;
	char *person;   /* a person's webhook contact: their handle; NULL for
			 * the site's own channels */
};

/* sitrepd's HTTP listeners and what one client may take of them
 * (sitrep.conf(5), http). */
struct conf_http {
	char *internal_listen;   /* /metrics and the token API: "127.0.0.1:0" by
				  * default; loopback unless internal_behind_proxy */
	bool internal_behind_proxy;
	int max_connections;     /* at once, all clients */
	int max_per_address;     /* at once, one client address */
	int64_t timeout;         /* seconds a connection may sit idle */
	int api_rate;            /* token API requests a minute per token (not ack, page) */
	int subscribe_burst;     /* POST /subscribe: this many at once, */
	int64_t subscribe_every; /* then one more per this many seconds */
};

/* How the delivery engine retries (DESIGN.md, Delivery). */
struct conf_delivery {
	int64_t timeout;      /* seconds per attempt */
	int retries;          /* attempts after the first before a row is dead */
	int64_t backoff[16];  /* seconds before retry k (the last repeats) */
	size_t nbackoff;
	int concurrency;      /* requests in flight at once */
	int threads;          /* lanes sending at once, each with its share */
	struct netguard_cidr *allow; /* delivery.allow: ranges subscribers' */
	size_t nallow;               /* webhooks may reach though not public */
};

struct conf {
	char *path; /* the file it was read from */
	char *dir;  /* its directory: relative paths are relative to it */
	/* workspace (absolute paths) */
	char *database;
	char *playbooks;
	char *branch;
	/* status page */
	char *page_name;
	char *page_url;
	char *time_zone;
	char *listen;
	struct conf_component *components;
	size_t ncomponents;
	struct conf_person *people;
	size_t npeople;
	struct conf_tier tiers[5]; /* L0..L4 */
	struct conf_account *accounts;
	size_t naccounts;
	struct conf_channel *channels;
	size_t nchannels;
	struct conf_delivery delivery;
	struct conf_http http;
	struct conf_paging paging;
	/* identity.impersonation: whether a local command may act as another
	 * person than its operating-system user's (--as, $SITREP_USER) */
	bool impersonation;
};

/*
 * Find the config: explicit (from -c) if given, else $SITREP_CONFIG, else
 * ./sitrep.conf, else $XDG_CONFIG_HOME/sitrep/sitrep.conf, else
 * /etc/sitrep/sitrep.conf. Returns a path the caller frees, or NULL with
 * err_last() saying where it looked.
 */
char *conf_find(const char *explicit_path);

/* Read and validate a config file. On SR_EINVALID every problem is in diags
 * with file:line; *out is set only on success. */
int conf_load(struct conf **out, struct diags *diags, const char *path);
/* The same from text; relative paths resolve against dir. */
int conf_parse(struct conf **out, struct diags *diags, const char *text,
	       const char *path, const char *dir);
void conf_free(struct conf *c);

const struct conf_person *conf_person(const struct conf *c, const char *handle);
/* The person an operating-system user is: the one listing it in os_users,
 * else the one whose handle it is (when that person lists no os_users);
 * NULL when none. */
const struct conf_person *conf_person_of_os_user(const struct conf *c, const char *user);
const struct conf_component *conf_component(const struct conf *c, const char *id);
const struct conf_account *conf_account(const struct conf *c, const char *id);
const struct conf_channel *conf_channel(const struct conf *c, const char *id);
/* A person's contact by id; NULL when none. */
const struct conf_contact *conf_person_contact(const struct conf_person *p, const char *id);
/* "email", "webhook", "slack_mention", "discord_mention". */
const char *conf_contact_type_name(enum conf_contact_type t);
/* Whether name may name an on-call schedule (NAME.schedule): lowercase
 * letters, digits and '-'. Whether it exists is the playbook repository's
 * to say. */
bool conf_schedule_name_valid(const char *name);
/* "ADDRESS:PORT" or "[IPv6]:PORT", port 0 for any free one. */
bool conf_listen_valid(const char *listen);
bool conf_channel_serves(const struct conf_channel *ch, const char *audience);

/* The commented config `sitrep init` writes. */
extern const char conf_default_text[];

#endif
