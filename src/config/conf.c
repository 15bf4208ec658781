/* conf.c: finds, reads and validates the site config (sitrep.conf) and
 * answers lookups in it. Secrets are resolved at delivery time, not here:
 * the config only names where they live. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sitrep/buf.h"
#include "sitrep/clock.h"
#include "sitrep/conf.h"
#include "sitrep/mailaddr.h"
#include "sitrep/duration.h"
#include "sitrep/err.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"
#include "confread.h"

static const char *const top_keys[] = {
	"workspace", "status_page", "http", "components", "people", "tiers",
	"accounts", "channels", "delivery", "paging", "identity", NULL
};
static const char *const identity_keys[] = { "impersonation", NULL };
static const char *const workspace_keys[] = { "database", "playbooks", "branch", NULL };
static const char *const page_keys[] = { "name", "url", "time_zone", NULL };
static const char *const http_keys[] = {
	"listen", "internal_listen", "internal_behind_proxy", "max_connections",
	"max_connections_per_address",
	"timeout", "subscribe_burst", "subscribe_every", "api_rate", NULL
};
static const char *const component_keys[] = { "id", "name", "group", NULL };
static const char *const person_keys[] = {
	"handle", "name", "email", "tier", "contacts", "notify", "os_users", NULL
};
static const char *const contact_keys[] = {
	"id", "type", "address", "url_env", "url_file", "secret_env", "secret_file",
	"channel", "user", NULL
};
static const char *const notify_keys[] = { "contact", "after", "min_severity", NULL };
static const char *const roster_keys[] = { "people", "schedules", NULL };
static const char *const paging_keys[] = {
	"email_channel", "link_key_file", "link_lifetime", NULL
};
static const char *const tier_keys[] = { "L0", "L1", "L2", "L3", "L4", NULL };
static const char *const account_keys[] = {
	"id", "name", "priority", "components", "email", NULL
};
static const char *const delivery_keys[] = {
	"timeout", "retries", "backoff", "concurrency", "threads", "allow", NULL
};
static const char *const channel_keys[] = {
	"id", "type", "audiences", "url_env", "url_file", "secret_env",
	"secret_file", "smtp_url", "from", "user", "password_env",
	"password_file", "to", NULL
};
static const char *const secret_keys[] = { "url", "secret", "password", "token", NULL };

/* Whether a person's handle can be part of an acknowledgement link. */
static bool
handle_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > CONF_HANDLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '_' || h[i] == '-'))
			return false;
	return true;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
conf_find(const char *explicit_path)
{
	const char *env = getenv("SITREP_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *xdgpath = NULL;

	if (explicit_path != NULL) {
		if (file_exists(explicit_path))
			return xstrdup(explicit_path);
		err_set(SR_ENOTFOUND, "config file '%s' not found", explicit_path);
		return NULL;
	}
	if (env != NULL && *env != '\0') {
		if (file_exists(env))
			return xstrdup(env);
		err_set(SR_ENOTFOUND, "config file '%s' (from $SITREP_CONFIG) not found", env);
		return NULL;
	}
	if (file_exists("sitrep.conf"))
		return xstrdup("sitrep.conf");
	if (xdg != NULL && *xdg != '\0')
		xdgpath = xasprintf("%s/sitrep/sitrep.conf", xdg);
	else if (home != NULL)
		xdgpath = xasprintf("%s/.config/sitrep/sitrep.conf", home);
	if (xdgpath != NULL && file_exists(xdgpath))
		return xdgpath;
	free(xdgpath);
	if (file_exists("/etc/sitrep/sitrep.conf"))
		return xstrdup("/etc/sitrep/sitrep.conf");
	err_set(SR_ENOTFOUND,
		"no sitrep.conf found (looked at -c, $SITREP_CONFIG, ./sitrep.conf, "
		"$XDG_CONFIG_HOME/sitrep/sitrep.conf, /etc/sitrep/sitrep.conf): "
		"run 'sitrep init DIR' to make a workspace");
	return NULL;
}

static char *
absolute(const char *dir, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

static void
read_workspace(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *g = confread_group(r, root, "workspace", false);
	char *db = xstrdup("sitrep.db"), *pb = xstrdup("playbooks");

	c->branch = xstrdup("main");
	if (g != NULL) {
		confread_check_keys(r, g, workspace_keys, "workspace");
		confread_str(r, g, "database", false, &db);
		confread_str(r, g, "playbooks", false, &pb);
		confread_str(r, g, "branch", false, &c->branch);
	}
	c->database = absolute(c->dir, db);
	c->playbooks = absolute(c->dir, pb);
	free(db);
	free(pb);
}

/* ADDRESS:PORT with a port from 1 to 65535; an IPv6 address in brackets. */
bool
conf_listen_valid(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (colon == NULL || colon == listen)
		return false;
	if (strchr(listen, ':') != colon &&
	    (listen[0] != '[' || colon[-1] != ']'))
		return false;
	if (listen[0] == '[' && colon[-1] != ']')
		return false;
	if (!isdigit((unsigned char)colon[1]))
		return false;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port >= 0 && port <= 65535; /* 0: any free port */
}

/* Whether a valid ADDRESS:PORT is on loopback: 127.0.0.0/8 or [::1]. */
static bool
listen_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]:", 6) == 0;
}

/* http.name, an integer from lo to hi, into *out when it is set. */
static void
read_http_int(struct confread *r, const config_setting_t *g, const char *name,
	      long long lo, long long hi, int *out)
{
	long long v;

	if (g == NULL || !confread_int(r, g, name, false, &v))
		return;
	if (v < lo || v > hi)
		diag_add(r->diags, r->file, confread_member_line(g, name),
			 "http %s must be between %lld and %lld", name, lo, hi);
	else
		*out = (int)v;
}

/* http.duration, from lo to hi seconds, into *out when it is set. */
static void
read_http_duration(struct confread *r, const config_setting_t *g, const char *name,
		   int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;

	if (g == NULL || !confread_duration(r, g, name, false, &v))
		return;
	if (v < lo || v > hi)
		diag_add(r->diags, r->file, confread_member_line(g, name),
			 "http %s must be between %llds and %llds", name, (long long)lo,
			 (long long)hi);
	else
		*out = v;
}

/*
 * The listeners' limits (sitrep.conf(5)): what one client, or all of them,
 * may hold of sitrepd's public listener, and the internal listener that
 * serves /metrics, loopback on a free port unless configured.
 */
static void
read_http(struct confread *r, struct conf *c, const config_setting_t *h)
{
	struct conf_http *ch = &c->http;

	ch->internal_listen = xstrdup("127.0.0.1:0");
	ch->max_connections = 2048;
	ch->max_per_address = 256;
	ch->timeout = 15;
	ch->subscribe_burst = 5;
	ch->api_rate = 960;
	ch->subscribe_every = 60;
	if (h != NULL)
		confread_bool(r, h, "internal_behind_proxy", &ch->internal_behind_proxy);
	if (h != NULL && confread_str(r, h, "internal_listen", false, &ch->internal_listen)) {
		if (!conf_listen_valid(ch->internal_listen))
			diag_add(r->diags, r->file, confread_member_line(h, "internal_listen"),
				 "http internal_listen '%s' must be ADDRESS:PORT, like "
				 "127.0.0.1:9090", ch->internal_listen);
		else if (!listen_loopback(ch->internal_listen) && !ch->internal_behind_proxy)
			/* bearer tokens would cross the network in the clear */
			diag_add(r->diags, r->file, confread_member_line(h, "internal_listen"),
				 "http internal_listen '%s' is not a loopback address: the "
				 "token API is served there, and its tokens would cross the "
				 "network unencrypted; listen on 127.0.0.1 or [::1] and reach "
				 "it through a TLS proxy or an SSH tunnel, or say that a proxy "
				 "on a private network is in front with "
				 "internal_behind_proxy = true", ch->internal_listen);
	}
	read_http_int(r, h, "max_connections", 16, 1000000, &ch->max_connections);
	read_http_int(r, h, "max_connections_per_address", 1, 1000000, &ch->max_per_address);
	read_http_duration(r, h, "timeout", 1, 3600, &ch->timeout);
	read_http_int(r, h, "subscribe_burst", 1, 1000000, &ch->subscribe_burst);
	read_http_int(r, h, "api_rate", 10, 1000000, &ch->api_rate);
	read_http_duration(r, h, "subscribe_every", 1, 86400, &ch->subscribe_every);
}

static void
read_page(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *g = confread_group(r, root, "status_page", false);
	const config_setting_t *h = confread_group(r, root, "http", false);

	c->page_name = xstrdup("Status");
	c->page_url = xstrdup("http://127.0.0.1:8080/");
	c->time_zone = xstrdup("UTC");
	c->listen = xstrdup("127.0.0.1:8080");
	if (g != NULL) {
		confread_check_keys(r, g, page_keys, "status_page");
		confread_str(r, g, "name", false, &c->page_name);
		if (confread_str(r, g, "url", false, &c->page_url) &&
		    strncmp(c->page_url, "http://", 7) != 0 &&
		    strncmp(c->page_url, "https://", 8) != 0)
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(g, "url")),
				 "status page url '%s' must start with http:// or https://",
				 c->page_url);
		if (confread_str(r, g, "time_zone", false, &c->time_zone) &&
		    !clock_zone_known(c->time_zone))
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(g, "time_zone")),
				 "unknown time zone '%s': give a name from /usr/share/zoneinfo, "
				 "like \"Europe/Berlin\" or \"UTC\"", c->time_zone);
	}
	if (h != NULL) {
		confread_check_keys(r, h, http_keys, "http");
		if (confread_str(r, h, "listen", false, &c->listen) &&
		    !conf_listen_valid(c->listen))
			diag_add(r->diags, r->file,
				 confread_line(config_setting_get_member(h, "listen")),
				 "http listen '%s' must be ADDRESS:PORT, like 127.0.0.1:8080",
				 c->listen);
	}
	read_http(r, c, h);
}

/* The elements of a list of groups, each checked to be a group. Returns the
 * count, 0 when the list is missing. */
static int
list_len(struct confread *r, const config_setting_t *root, const char *name,
	 const config_setting_t **out)
{
	*out = confread_list(r, root, name, false);
	return *out != NULL ? config_setting_length(*out) : 0;
}

static const config_setting_t *
list_group(struct confread *r, const config_setting_t *list, int i, const char *what)
{
	const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		diag_add(r->diags, r->file, confread_line(g),
			 "each entry of '%s' must be a group { ... }", what);
		return NULL;
	}
	return g;
}

static void
read_components(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *list;
	int n = list_len(r, root, "components", &list);

	c->components = xcalloc((size_t)n + 1, sizeof(*c->components));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, "components");
		struct conf_component *cc = &c->components[c->ncomponents];

		if (g == NULL)
			continue;
		confread_check_keys(r, g, component_keys, "a component");
		if (!confread_str(r, g, "id", true, &cc->id))
			continue;
		if (!vocab_ident(cc->id))
			diag_add(r->diags, r->file, confread_line(g),
				 "component id '%s' must be lowercase letters, digits, '-' or '_'",
				 cc->id);
		else if (conf_component(c, cc->id) != NULL)
			diag_add(r->diags, r->file, confread_line(g),
				 "duplicate component id '%s'", cc->id);
		if (!confread_str(r, g, "name", false, &cc->name))
			cc->name = xstrdup(cc->id);
		confread_str(r, g, "group", false, &cc->group);
		c->ncomponents++;
	}
}

/* The webhook channels made for people's webhook contacts, added to the
 * site's channels once those are read. */
struct contact_channels {
	struct conf_channel *v;
	size_t n;
};

static const char *const contact_type_names[] = {
	"email", "webhook", "slack_mention", "discord_mention"
};

const char *
conf_contact_type_name(enum conf_contact_type t)
{
	return (unsigned)t < sizeof(contact_type_names) / sizeof(contact_type_names[0]) ?
	       contact_type_names[t] : "unknown";
}

const struct conf_contact *
conf_person_contact(const struct conf_person *p, const char *id)
{
	for (size_t i = 0; i < p->ncontacts; i++)
		if (p->contacts[i].id != NULL && strcmp(p->contacts[i].id, id) == 0)
			return &p->contacts[i];
	return NULL;
}

/* An on-call schedule's name (NAME.schedule): lowercase letters, digits
 * and '-', starting with a letter or digit. */
bool
conf_schedule_name_valid(const char *name)
{
	if (name == NULL || *name == '\0' || *name == '-' || strlen(name) > 64)
		return false;
	for (const char *s = name; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '-')
			return false;
	return true;
}

/* A Slack or Discord user id goes into the text of a post ("<@U024BE7LH>"):
 * letters and digits only. */
static bool
mention_user_valid(const char *user)
{
	if (*user == '\0')
		return false;
	for (const char *s = user; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	return true;
}

/* Which settings each type of contact takes besides id and type. */
static bool
contact_takes(enum conf_contact_type type, const char *key)
{
	static const char *const email[] = { "address", NULL };
	static const char *const webhook[] = {
		"url_env", "url_file", "secret_env", "secret_file", NULL
	};
	static const char *const mention[] = { "channel", "user", NULL };
	const char *const *keys = type == CONF_CONTACT_EMAIL ? email :
				  type == CONF_CONTACT_WEBHOOK ? webhook : mention;

	for (; *keys != NULL; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

/*
 * A webhook contact is sent like any webhook channel: the channel made for
 * it is "HANDLE/ID", serves no audience (only pages go through it) and
 * carries the contact's URL and signing secret settings.
 */
static void
webhook_contact(struct confread *r, struct conf *c, const struct conf_person *p,
		const config_setting_t *g, struct conf_contact *ct,
		struct contact_channels *extra)
{
	struct conf_channel ch = { 0 };

	confread_str(r, g, "url_env", false, &ch.url_env);
	confread_str(r, g, "url_file", false, &ch.url_file);
	confread_str(r, g, "secret_env", false, &ch.secret_env);
	confread_str(r, g, "secret_file", false, &ch.secret_file);
	if ((ch.url_env == NULL) == (ch.url_file == NULL))
		diag_add(r->diags, r->file, ct->line,
			 "person '%s': webhook contact '%s' needs exactly one of url_env or url_file",
			 p->handle, ct->id);
	if (ch.secret_env != NULL && ch.secret_file != NULL)
		diag_add(r->diags, r->file, ct->line,
			 "person '%s': webhook contact '%s' takes at most one of secret_env or secret_file",
			 p->handle, ct->id);
	/* secret files are relative to the config, like the channels' */
	if (ch.url_file != NULL) {
		char *abs = absolute(c->dir, ch.url_file);

		free(ch.url_file);
		ch.url_file = abs;
	}
	if (ch.secret_file != NULL) {
		char *abs = absolute(c->dir, ch.secret_file);

		free(ch.secret_file);
		ch.secret_file = abs;
	}
	ch.id = xasprintf("%s/%s", p->handle, ct->id);
	ch.type = xstrdup("webhook");
	ch.audiences = xcalloc(1, sizeof(char *));
	ch.person = xstrdup(p->handle);
	ct->channel = xstrdup(ch.id);
	extra->v = xrealloc(extra->v, (extra->n + 1) * sizeof(*extra->v));
	extra->v[extra->n++] = ch;
}

/* One entry of a person's 'contacts'; false when it is not kept. */
static bool
read_contact(struct confread *r, struct conf *c, struct conf_person *p,
	     const config_setting_t *g, struct conf_contact *ct,
	     struct contact_channels *extra)
{
	char *type = NULL;
	int n = config_setting_length(g);
	bool known = true;

	ct->line = confread_line(g);
	confread_check_keys(r, g, contact_keys, "a contact");
	for (const char *const *k = secret_keys; *k != NULL; k++)
		if (config_setting_get_member(g, *k) != NULL)
			diag_add(r->diags, r->file, confread_member_line(g, *k),
				 "person '%s': secrets are never written in sitrep.conf: "
				 "name an environment variable (url_env, secret_env) or a file "
				 "(url_file, secret_file) instead of '%s'", p->handle, *k);
	if (!confread_str(r, g, "id", true, &ct->id))
		return false;
	if (!vocab_ident(ct->id))
		diag_add(r->diags, r->file, ct->line,
			 "person '%s': contact id '%s' must be lowercase letters, digits, '-' or '_'",
			 p->handle, ct->id);
	else if (conf_person_contact(p, ct->id) != NULL)
		diag_add(r->diags, r->file, ct->line,
			 "person '%s': duplicate contact id '%s'", p->handle, ct->id);
	if (!confread_str(r, g, "type", true, &type)) {
		free(ct->id);
		ct->id = NULL;
		return false;
	}
	if (strcmp(type, "email") == 0)
		ct->type = CONF_CONTACT_EMAIL;
	else if (strcmp(type, "webhook") == 0)
		ct->type = CONF_CONTACT_WEBHOOK;
	else if (strcmp(type, "slack_mention") == 0)
		ct->type = CONF_CONTACT_SLACK_MENTION;
	else if (strcmp(type, "discord_mention") == 0)
		ct->type = CONF_CONTACT_DISCORD_MENTION;
	else {
		diag_add(r->diags, r->file, confread_member_line(g, "type"),
			 "person '%s': contact '%s' has type '%s', not one of email, webhook, "
			 "slack_mention, discord_mention", p->handle, ct->id, type);
		known = false;
	}
	free(type);
	if (!known)
		return true; /* kept, so its notify rules are not reported too */
	for (int i = 0; i < n; i++) {
		const char *key = config_setting_name(config_setting_get_elem(g, (unsigned)i));
		bool secret = false;

		for (const char *const *k = secret_keys; *k != NULL; k++)
			secret |= key != NULL && strcmp(*k, key) == 0;
		if (key != NULL && strcmp(key, "id") != 0 && strcmp(key, "type") != 0 &&
		    !secret && !contact_takes(ct->type, key))
			diag_add(r->diags, r->file, confread_member_line(g, key),
				 "person '%s': contact '%s' (%s) takes no '%s'", p->handle,
				 ct->id, conf_contact_type_name(ct->type), key);
	}
	switch (ct->type) {
	case CONF_CONTACT_EMAIL:
		if (!confread_str(r, g, "address", false, &ct->address))
			diag_add(r->diags, r->file, ct->line,
				 "person '%s': e-mail contact '%s' needs an 'address'",
				 p->handle, ct->id);
		else if (!mailaddr_valid(ct->address))
			diag_add(r->diags, r->file, confread_member_line(g, "address"),
				 "person '%s': contact '%s': '%s' is not an e-mail address",
				 p->handle, ct->id, ct->address);
		break;
	case CONF_CONTACT_WEBHOOK:
		webhook_contact(r, c, p, g, ct, extra);
		break;
	case CONF_CONTACT_SLACK_MENTION:
	case CONF_CONTACT_DISCORD_MENTION:
		if (!confread_str(r, g, "channel", false, &ct->channel))
			diag_add(r->diags, r->file, ct->line,
				 "person '%s': contact '%s' needs the 'channel' it mentions them in",
				 p->handle, ct->id);
		if (!confread_str(r, g, "user", false, &ct->user))
			diag_add(r->diags, r->file, ct->line,
				 "person '%s': contact '%s' needs their %s 'user' id",
				 p->handle, ct->id,
				 ct->type == CONF_CONTACT_SLACK_MENTION ? "Slack" : "Discord");
		else if (!mention_user_valid(ct->user))
			diag_add(r->diags, r->file, confread_member_line(g, "user"),
				 "person '%s': contact '%s': user id '%s' must be letters and digits, "
				 "like \"U024BE7LH\"", p->handle, ct->id, ct->user);
		break;
	}
	return true;
}

/*
 * A person's contacts. With none listed, an 'email' is their one contact,
 * "email", as before contacts existed.
 */
static void
read_contacts(struct confread *r, struct conf *c, struct conf_person *p,
	      const config_setting_t *g, struct contact_channels *extra)
{
	const config_setting_t *list = confread_list(r, g, "contacts", false);
	int n = list != NULL ? config_setting_length(list) : 0;

	p->contacts = xcalloc((size_t)n + 1, sizeof(*p->contacts));
	if (list == NULL) {
		if (p->email != NULL && config_setting_get_member(g, "contacts") == NULL) {
			struct conf_contact *ct = &p->contacts[p->ncontacts++];

			ct->id = xstrdup("email");
			ct->type = CONF_CONTACT_EMAIL;
			ct->address = xstrdup(p->email);
			ct->line = confread_member_line(g, "email");
		}
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = list_group(r, list, i, "contacts");

		if (e != NULL && read_contact(r, c, p, e, &p->contacts[p->ncontacts], extra))
			p->ncontacts++;
	}
}

/* 'after' of a notify rule: a duration, "0m" for at once. */
static bool
read_after(struct confread *r, const struct conf_person *p, const config_setting_t *g,
	   int64_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, "after");
	const char *v;

	*out = 0;
	if (s == NULL)
		return true;
	v = config_setting_get_string(s);
	if (v == NULL || duration_parse(out, v) != 0) {
		diag_add(r->diags, r->file, confread_line(s),
			 "person '%s': notify 'after' must be a duration in quotes, like \"0m\" "
			 "or \"2m\"%s%s", p->handle, v != NULL ? ": " : "",
			 v != NULL ? err_last() : "");
		return false;
	}
	return true;
}

/*
 * A person's notify rules, in the order written. With none, every contact
 * is notified at once.
 */
static void
read_notify(struct confread *r, struct conf_person *p, const config_setting_t *g)
{
	const config_setting_t *list = confread_list(r, g, "notify", false);
	int n = list != NULL ? config_setting_length(list) : 0;

	p->notify = xcalloc((size_t)n + p->ncontacts + 1, sizeof(*p->notify));
	if (list == NULL) {
		for (size_t k = 0; k < p->ncontacts; k++) {
			p->notify[k].contact = k;
			p->notify[k].line = p->contacts[k].line;
		}
		p->nnotify = p->ncontacts;
		return;
	}
	if (n == 0)
		diag_add(r->diags, r->file, confread_line(list),
			 "person '%s': notify is empty: name at least one contact, or leave "
			 "notify out to notify every contact at once", p->handle);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = list_group(r, list, i, "notify");
		struct conf_notify *rule = &p->notify[p->nnotify];
		const struct conf_contact *ct;
		char *contact = NULL;
		bool ok;

		if (e == NULL)
			continue;
		confread_check_keys(r, e, notify_keys, "a notify rule");
		rule->line = confread_line(e);
		ok = read_after(r, p, e, &rule->after);
		if (config_setting_get_member(e, "min_severity") != NULL)
			ok &= confread_severity(r, e, "min_severity", false, &rule->min_severity);
		if (!confread_str(r, e, "contact", true, &contact))
			continue;
		if ((ct = conf_person_contact(p, contact)) == NULL) {
			struct buf ids = BUF_INIT;

			for (size_t k = 0; k < p->ncontacts; k++)
				if (p->contacts[k].id != NULL)
					buf_addf(&ids, "%s'%s'", ids.len > 0 ? ", " : "",
						 p->contacts[k].id);
			diag_add(r->diags, r->file, confread_member_line(e, "contact"),
				 "person '%s': notify names contact '%s', which is not one of "
				 "theirs (%s)", p->handle, contact,
				 ids.len > 0 ? buf_str(&ids) : "they have none");
			buf_release(&ids);
			ok = false;
		} else
			rule->contact = (size_t)(ct - p->contacts);
		/* every rule is a notification: the same contact at the same
		 * delay twice tells them twice at once (at SEV1 at least, which
		 * every min_severity includes) */
		for (size_t k = 0; ok && ct != NULL && k < p->nnotify; k++)
			if (p->notify[k].contact == rule->contact &&
			    p->notify[k].after == rule->after) {
				diag_add(r->diags, r->file, rule->line,
					 "person '%s': notify names contact '%s' twice with the "
					 "same 'after' (line %d too): they would be told twice "
					 "at once", p->handle, contact, p->notify[k].line);
				ok = false;
			}
		free(contact);
		if (ok)
			p->nnotify++;
		else
			memset(rule, 0, sizeof(*rule));
	}
}

/* os_users = [ "ana", "asmith" ]: each a login name, one person's only. */
static void
read_os_users(struct confread *r, const struct conf *c, struct conf_person *p,
	      const config_setting_t *g)
{
	if (!confread_strs(r, g, "os_users", false, &p->os_users, &p->nos_users))
		return;
	for (size_t k = 0; k < p->nos_users; k++) {
		const char *u = p->os_users[k];
		size_t len = strlen(u);
		bool ok = len > 0 && len <= CONF_HANDLE_MAX && u[0] != '-';

		for (size_t j = 0; ok && j < len; j++)
			ok = isalnum((unsigned char)u[j]) || strchr("._-", u[j]) != NULL;
		if (!ok) {
			diag_add(r->diags, r->file, confread_member_line(g, "os_users"),
				 "person '%s': os_users entry '%s' is not a login name (1 to "
				 "%d ASCII letters, digits, '.', '_' or '-', not starting "
				 "with '-')", p->handle, u, CONF_HANDLE_MAX);
			continue;
		}
		for (size_t j = 0; j < k; j++)
			if (strcmp(p->os_users[j], u) == 0)
				diag_add(r->diags, r->file, confread_member_line(g, "os_users"),
					 "person '%s': os_users lists '%s' twice", p->handle, u);
		for (size_t i = 0; i < c->npeople; i++)
			for (size_t j = 0; j < c->people[i].nos_users; j++)
				if (strcmp(c->people[i].os_users[j], u) == 0)
					diag_add(r->diags, r->file,
						 confread_member_line(g, "os_users"),
						 "person '%s': operating-system user '%s' is "
						 "already '%s' (line %d): one user is one person",
						 p->handle, u, c->people[i].handle,
						 c->people[i].line);
	}
}

/* identity = { impersonation = false; } */
static void
read_identity(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *g = confread_group(r, root, "identity", false);

	c->impersonation = false;
	if (g == NULL)
		return;
	confread_check_keys(r, g, identity_keys, "identity");
	confread_bool(r, g, "impersonation", &c->impersonation);
}

static void
read_people(struct confread *r, struct conf *c, const config_setting_t *root,
	    struct contact_channels *extra)
{
	const config_setting_t *list;
	int n = list_len(r, root, "people", &list);

	c->people = xcalloc((size_t)n + 1, sizeof(*c->people));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, "people");
		struct conf_person *p = &c->people[c->npeople];
		char *tier = NULL;

		if (g == NULL)
			continue;
		confread_check_keys(r, g, person_keys, "a person");
		if (!confread_str(r, g, "handle", true, &p->handle))
			continue;
		p->line = confread_line(g);
		if (conf_person(c, p->handle) != NULL)
			diag_add(r->diags, r->file, confread_line(g),
				 "duplicate person '%s'", p->handle);
		if (!handle_ok(p->handle))
			diag_add(r->diags, r->file, confread_member_line(g, "handle"),
				 "person handle '%s' must be 1 to %d ASCII letters, digits, "
				 "'_' or '-', without '.', '/' or spaces (it is part of "
				 "acknowledgement links and channel ids)", p->handle,
				 CONF_HANDLE_MAX);
		if (!confread_str(r, g, "name", false, &p->name))
			p->name = xstrdup(p->handle);
		if (confread_str(r, g, "email", false, &p->email) &&
		    strchr(p->email, '@') == NULL)
			diag_add(r->diags, r->file, confread_member_line(g, "email"),
				 "person '%s': e-mail '%s' has no '@'", p->handle, p->email);
		p->tier = -1;
		if (confread_str(r, g, "tier", false, &tier) &&
		    (p->tier = vocab_tier(tier)) < 0)
			diag_add(r->diags, r->file, confread_member_line(g, "tier"),
				 "person '%s': tier '%s' is not one of L0, L1, L2, L3, L4",
				 p->handle, tier);
		free(tier);
		read_contacts(r, c, p, g, extra);
		read_notify(r, p, g);
		read_os_users(r, c, p, g);
		c->npeople++;
	}
}

/* tiers.LN: [ "ana" ] or { people = [ "ana" ]; schedules = [ "ops-primary" ]; } */
static void
read_roster(struct confread *r, struct conf_tier *tier, const config_setting_t *m,
	    const char *name, char ***listed, size_t *nlisted, int *people_line)
{
	const config_setting_t *s;

	*people_line = confread_line(m);
	if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
		if (config_setting_type(m) != CONFIG_TYPE_ARRAY &&
		    config_setting_type(m) != CONFIG_TYPE_LIST)
			diag_add(r->diags, r->file, confread_line(m),
				 "tier %s must be a list of people, like [ \"ana\" ], or a group "
				 "{ people = [ \"ana\" ]; schedules = [ \"ops-primary\" ]; }", name);
		else
			confread_strs(r, config_setting_parent(m), name, false, listed, nlisted);
		return;
	}
	confread_check_keys(r, m, roster_keys, "a tier roster (use people and schedules)");
	confread_strs(r, m, "people", false, listed, nlisted);
	*people_line = confread_member_line(m, "people");
	if (!confread_strs(r, m, "schedules", false, &tier->schedules, &tier->nschedules))
		return;
	s = config_setting_get_member(m, "schedules");
	for (size_t i = 0; i < tier->nschedules; i++) {
		if (!conf_schedule_name_valid(tier->schedules[i]))
			diag_add(r->diags, r->file, confread_line(s),
				 "tier %s: schedule name '%s' must be lowercase letters, digits "
				 "and '-'", name, tier->schedules[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(tier->schedules[k], tier->schedules[i]) == 0)
				diag_add(r->diags, r->file, confread_line(s),
					 "tier %s lists schedule '%s' twice", name,
					 tier->schedules[i]);
	}
}

/* A tier roster lists people by handle (and on-call schedules); people whose
 * own 'tier' names it are on that roster too, so a small config need not
 * repeat itself. Everyone on a roster must have a way to be reached. */
static void
read_tiers(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *g = confread_group(r, root, "tiers", false);

	if (g != NULL)
		confread_check_keys(r, g, tier_keys, "tiers (use L0 to L4)");
	for (int t = 0; t < 5; t++) {
		struct conf_tier *tier = &c->tiers[t];
		const config_setting_t *m = g != NULL ?
					    config_setting_get_member(g, tier_keys[t]) : NULL;
		char **listed = NULL;
		size_t nlisted = 0;
		int people_line = 0;

		if (m != NULL) {
			tier->line = confread_line(m);
			read_roster(r, tier, m, tier_keys[t], &listed, &nlisted, &people_line);
		}
		tier->people = xcalloc(nlisted + c->npeople + 1, sizeof(char *));
		for (size_t i = 0; i < nlisted; i++) {
			bool dup = false;

			if (conf_person(c, listed[i]) == NULL) {
				diag_add(r->diags, r->file, people_line,
					 "tier %s lists '%s', who is not in 'people'",
					 tier_keys[t], listed[i]);
				continue;
			}
			for (size_t k = 0; k < tier->npeople; k++)
				dup |= strcmp(tier->people[k], listed[i]) == 0;
			if (!dup)
				tier->people[tier->npeople++] = xstrdup(listed[i]);
		}
		for (size_t i = 0; i < c->npeople; i++) {
			bool dup = false;

			if (c->people[i].tier != t)
				continue;
			for (size_t k = 0; k < tier->npeople; k++)
				dup |= strcmp(tier->people[k], c->people[i].handle) == 0;
			if (!dup)
				tier->people[tier->npeople++] = xstrdup(c->people[i].handle);
		}
		confread_free_strs(listed, nlisted);
	}
	for (size_t i = 0; i < c->npeople; i++) {
		const struct conf_person *p = &c->people[i];
		int on = -1;

		for (int t = 0; t < 5 && on < 0; t++)
			for (size_t k = 0; k < c->tiers[t].npeople && on < 0; k++)
				if (strcmp(c->tiers[t].people[k], p->handle) == 0)
					on = t;
		if (on >= 0 && p->ncontacts == 0)
			diag_add(r->diags, r->file, p->line,
				 "person '%s' is on tier %s's roster but has no contact: give them "
				 "an 'email' or 'contacts' so a page reaches them",
				 p->handle, tier_keys[on]);
	}
}

static void
read_accounts(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *list;
	int n = list_len(r, root, "accounts", &list);

	c->accounts = xcalloc((size_t)n + 1, sizeof(*c->accounts));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, "accounts");
		struct conf_account *a = &c->accounts[c->naccounts];

		if (g == NULL)
			continue;
		confread_check_keys(r, g, account_keys, "an account");
		if (!confread_str(r, g, "id", true, &a->id))
			continue;
		if (conf_account(c, a->id) != NULL)
			diag_add(r->diags, r->file, confread_line(g),
				 "duplicate account id '%s'", a->id);
		if (!confread_str(r, g, "name", false, &a->name))
			a->name = xstrdup(a->id);
		confread_bool(r, g, "priority", &a->priority);
		if (confread_str(r, g, "email", false, &a->email) &&
		    !mailaddr_valid(a->email))
			diag_add(r->diags, r->file, confread_member_line(g, "email"),
				 "account '%s': '%s' is not an e-mail address", a->id, a->email);
		confread_strs(r, g, "components", false, &a->components, &a->ncomponents);
		for (size_t k = 0; k < a->ncomponents; k++)
			if (conf_component(c, a->components[k]) == NULL)
				diag_add(r->diags, r->file,
					 confread_member_line(g, "components"),
					 "account '%s' uses component '%s', which is not in 'components'",
					 a->id, a->components[k]);
		c->naccounts++;
	}
}

static bool
channel_url_type(const char *type)
{
	return strcmp(type, "webhook") == 0 || strcmp(type, "slack") == 0 ||
	       strcmp(type, "teams") == 0 || strcmp(type, "discord") == 0;
}

static void
check_channel(struct confread *r, const config_setting_t *g, struct conf_channel *ch)
{
	int line = confread_line(g);

	for (const char *const *k = secret_keys; *k != NULL; k++) {
		const config_setting_t *s = config_setting_get_member(g, *k);

		/* a bearer token is the channel's signing or auth secret */
		const char *as = strcmp(*k, "token") == 0 ? "secret" : *k;

		if (s != NULL)
			diag_add(r->diags, r->file, confread_line(s),
				 "channel '%s': secrets are never written in sitrep.conf: "
				 "name an environment variable (%s_env) or a file (%s_file) instead of '%s'",
				 ch->id, as, as, *k);
	}
	if (ch->type == NULL)
		return;
	if (channel_url_type(ch->type)) {
		if ((ch->url_env == NULL) == (ch->url_file == NULL))
			diag_add(r->diags, r->file, line,
				 "channel '%s': give exactly one of url_env or url_file", ch->id);
	} else if (strcmp(ch->type, "email") == 0) {
		if (ch->smtp_url == NULL)
			diag_add(r->diags, r->file, line,
				 "channel '%s': e-mail needs smtp_url, like \"smtp://127.0.0.1:25\"",
				 ch->id);
		else if (strncmp(ch->smtp_url, "smtp://", 7) != 0 &&
			 strncmp(ch->smtp_url, "smtps://", 8) != 0)
			diag_add(r->diags, r->file, confread_member_line(g, "smtp_url"),
				 "channel '%s': smtp_url '%s' must start with smtp:// or smtps://",
				 ch->id, ch->smtp_url);
		if (ch->from == NULL || strchr(ch->from, '@') == NULL)
			diag_add(r->diags, r->file, line,
				 "channel '%s': e-mail needs a 'from' address", ch->id);
		if (ch->password_env != NULL && ch->password_file != NULL)
			diag_add(r->diags, r->file, line,
				 "channel '%s': give at most one of password_env or password_file",
				 ch->id);
	} else
		diag_add(r->diags, r->file, confread_line(config_setting_get_member(g, "type")),
			 "channel '%s': type '%s' is not one of webhook, slack, teams, discord, email",
			 ch->id, ch->type);
	if (ch->secret_env != NULL && ch->secret_file != NULL)
		diag_add(r->diags, r->file, line,
			 "channel '%s': give at most one of secret_env or secret_file", ch->id);
	for (size_t i = 0; i < ch->naudiences; i++)
		if (!vocab_ident(ch->audiences[i]))
			diag_add(r->diags, r->file, line,
				 "channel '%s': audience '%s' must be lowercase letters, digits, '-' or '_'",
				 ch->id, ch->audiences[i]);
}

/* delivery.name, an integer from lo to hi, into *out when it is set. */
static void
read_delivery_int(struct confread *r, const config_setting_t *g, const char *name,
		  long long lo, long long hi, int *out)
{
	long long v;

	if (!confread_int(r, g, name, false, &v))
		return;
	if (v < lo || v > hi)
		diag_add(r->diags, r->file, confread_member_line(g, name),
			 "delivery %s must be between %lld and %lld", name, lo, hi);
	else
		*out = (int)v;
}

/*
 * delivery.allow: address ranges a subscriber's webhook may reach although
 * they are not public (netguard.h); empty unless the site says otherwise.
 */
static void
read_delivery_allow(struct confread *r, struct conf *c, const config_setting_t *g)
{
	char **v = NULL;
	size_t n = 0;

	if (!confread_strs(r, g, "allow", false, &v, &n))
		return;
	c->delivery.allow = xcalloc(n + 1, sizeof(*c->delivery.allow));
	for (size_t i = 0; i < n; i++) {
		if (netguard_cidr_parse(&c->delivery.allow[c->delivery.nallow], v[i]) != 0)
			diag_add(r->diags, r->file, confread_member_line(g, "allow"),
				 "delivery allow: %s", err_last());
		else
			c->delivery.nallow++;
	}
	confread_free_strs(v, n);
}

/*
 * Retries back off 5s, 30s, 2m, 10m, 30m, then every hour (DESIGN.md), with
 * jitter added by the engine; after 12 retries a row is dead. Tests shorten
 * all of it.
 */
static void
read_delivery(struct confread *r, struct conf *c, const config_setting_t *root)
{
	static const int64_t backoff[] = { 5, 30, 120, 600, 1800, 3600 };
	const config_setting_t *g = confread_group(r, root, "delivery", false);
	const config_setting_t *list;

	c->delivery.timeout = 10;
	c->delivery.retries = 12;
	c->delivery.concurrency = 64;
	c->delivery.threads = 2;
	memcpy(c->delivery.backoff, backoff, sizeof(backoff));
	c->delivery.nbackoff = sizeof(backoff) / sizeof(backoff[0]);
	if (g == NULL)
		return;
	confread_check_keys(r, g, delivery_keys, "delivery");
	confread_duration(r, g, "timeout", false, &c->delivery.timeout);
	read_delivery_int(r, g, "retries", 0, 100, &c->delivery.retries);
	read_delivery_int(r, g, "concurrency", 1, 1024, &c->delivery.concurrency);
	read_delivery_int(r, g, "threads", 1, 64, &c->delivery.threads);
	read_delivery_allow(r, c, g);
	if ((list = config_setting_get_member(g, "backoff")) != NULL) {
		int n = config_setting_is_array(list) ? config_setting_length(list) : -1;

		if (n < 1 || n > 16) {
			diag_add(r->diags, r->file, confread_line(list),
				 "delivery backoff must be a list of 1 to 16 durations, "
				 "like [ \"5s\", \"30s\", \"2m\" ]");
			return;
		}
		c->delivery.nbackoff = 0;
		for (int i = 0; i < n; i++) {
			const char *t = config_setting_get_string_elem(list, i);
			int64_t secs;

			if (t == NULL || duration_parse(&secs, t) != 0 || secs == 0) {
				diag_add(r->diags, r->file, confread_line(list),
					 "delivery backoff: element %d must be a duration "
					 "longer than zero, like \"30s\"", i + 1);
				continue;
			}
			c->delivery.backoff[c->delivery.nbackoff++] = secs;
		}
	}
}

static void
read_channels(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *list;
	int n = list_len(r, root, "channels", &list);

	c->channels = xcalloc((size_t)n + 1, sizeof(*c->channels));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = list_group(r, list, i, "channels");
		struct conf_channel *ch = &c->channels[c->nchannels];

		if (g == NULL)
			continue;
		confread_check_keys(r, g, channel_keys, "a channel");
		if (!confread_str(r, g, "id", true, &ch->id))
			continue;
		for (size_t k = 0; k < c->nchannels; k++)
			if (strcmp(c->channels[k].id, ch->id) == 0)
				diag_add(r->diags, r->file, confread_line(g),
					 "duplicate channel id '%s'", ch->id);
		confread_str(r, g, "type", true, &ch->type);
		confread_strs(r, g, "audiences", true, &ch->audiences, &ch->naudiences);
		confread_str(r, g, "url_env", false, &ch->url_env);
		confread_str(r, g, "url_file", false, &ch->url_file);
		confread_str(r, g, "secret_env", false, &ch->secret_env);
		confread_str(r, g, "secret_file", false, &ch->secret_file);
		confread_str(r, g, "smtp_url", false, &ch->smtp_url);
		confread_str(r, g, "from", false, &ch->from);
		confread_str(r, g, "user", false, &ch->user);
		confread_str(r, g, "password_env", false, &ch->password_env);
		confread_str(r, g, "password_file", false, &ch->password_file);
		confread_strs(r, g, "to", false, &ch->to, &ch->nto);
		for (size_t k = 0; k < ch->nto; k++)
			if (!mailaddr_valid(ch->to[k]))
				diag_add(r->diags, r->file, confread_member_line(g, "to"),
					 "channel '%s': '%s' is not an e-mail address",
					 ch->id, ch->to[k]);
		if (ch->nto > 0 && ch->type != NULL && strcmp(ch->type, "email") != 0)
			diag_add(r->diags, r->file, confread_member_line(g, "to"),
				 "channel '%s': only e-mail channels take 'to'", ch->id);
		check_channel(r, g, ch);
		/* Secret files are relative to the config, like the workspace. */
		char **files[] = { &ch->url_file, &ch->secret_file, &ch->password_file };

		for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
			if (*files[k] != NULL) {
				char *abs = absolute(c->dir, *files[k]);

				free(*files[k]);
				*files[k] = abs;
			}
		c->nchannels++;
	}
}

/*
 * paging: the e-mail channel people's e-mail contacts go through (the first
 * e-mail channel unless named), the acknowledgement links' key file beside
 * the config, and how long a link works.
 */
static void
read_paging(struct confread *r, struct conf *c, const config_setting_t *root)
{
	const config_setting_t *g = confread_group(r, root, "paging", false);
	char *key = xstrdup("paging.key");

	c->paging.link_lifetime = 86400;
	if (g != NULL) {
		confread_check_keys(r, g, paging_keys, "paging");
		if (confread_str(r, g, "link_key_file", false, &key) && *key == '\0') {
			diag_add(r->diags, r->file, confread_member_line(g, "link_key_file"),
				 "'link_key_file' must not be empty");
			free(key);
			key = xstrdup("paging.key");
		}
		confread_duration(r, g, "link_lifetime", false, &c->paging.link_lifetime);
		if (confread_str(r, g, "email_channel", false, &c->paging.email_channel)) {
			const struct conf_channel *ch = conf_channel(c, c->paging.email_channel);

			if (ch == NULL || ch->type == NULL || strcmp(ch->type, "email") != 0)
				diag_add(r->diags, r->file,
					 confread_member_line(g, "email_channel"),
					 "paging email_channel '%s' is not %s", c->paging.email_channel,
					 ch == NULL ? "one of 'channels'" : "an e-mail channel");
		}
	}
	c->paging.link_key_file = absolute(c->dir, key);
	free(key);
	if (c->paging.email_channel != NULL)
		return;
	for (size_t i = 0; i < c->nchannels; i++)
		if (c->channels[i].type != NULL && strcmp(c->channels[i].type, "email") == 0) {
			c->paging.email_channel = xstrdup(c->channels[i].id);
			break;
		}
}

/*
 * Each contact's channel, once the channels are known: e-mail through the
 * paging e-mail channel, a mention through the Slack or Discord channel it
 * names; the webhook contacts' own channels join the site's.
 */
static void
link_contacts(struct confread *r, struct conf *c, struct contact_channels *extra)
{
	for (size_t i = 0; i < c->npeople; i++) {
		struct conf_person *p = &c->people[i];

		for (size_t k = 0; k < p->ncontacts; k++) {
			struct conf_contact *ct = &p->contacts[k];
			const struct conf_channel *ch;
			const char *kind;

			switch (ct->type) {
			case CONF_CONTACT_EMAIL:
				if (c->paging.email_channel != NULL) {
					free(ct->channel);
					ct->channel = xstrdup(c->paging.email_channel);
				} else
					diag_add(r->diags, r->file, ct->line,
						 "person '%s': e-mail contact '%s' needs an e-mail "
						 "channel to send through: add one of type \"email\" "
						 "to 'channels'", p->handle, ct->id);
				break;
			case CONF_CONTACT_WEBHOOK:
				break;
			case CONF_CONTACT_SLACK_MENTION:
			case CONF_CONTACT_DISCORD_MENTION:
				if (ct->channel == NULL)
					break;
				kind = ct->type == CONF_CONTACT_SLACK_MENTION ? "slack" : "discord";
				ch = conf_channel(c, ct->channel);
				if (ch == NULL)
					diag_add(r->diags, r->file, ct->line,
						 "person '%s': contact '%s' names channel '%s', which "
						 "is not in 'channels'", p->handle, ct->id, ct->channel);
				else if (ch->type == NULL || strcmp(ch->type, kind) != 0)
					diag_add(r->diags, r->file, ct->line,
						 "person '%s': contact '%s' is a %s mention but channel "
						 "'%s' is of type %s, not %s", p->handle, ct->id, kind,
						 ct->channel, ch->type != NULL ? ch->type : "(none)", kind);
				break;
			}
		}
	}
	if (extra->n == 0)
		return;
	c->channels = xreallocarray(c->channels, c->nchannels + extra->n + 1,
				    sizeof(*c->channels));
	for (size_t i = 0; i < extra->n; i++) {
		if (conf_channel(c, extra->v[i].id) != NULL)
			diag_add(r->diags, r->file, 1,
				 "channel id '%s' is also a person's webhook contact: rename one",
				 extra->v[i].id);
		c->channels[c->nchannels++] = extra->v[i];
	}
	memset(&c->channels[c->nchannels], 0, sizeof(c->channels[0]));
	free(extra->v);
	extra->v = NULL;
	extra->n = 0;
}

int
conf_parse(struct conf **out, struct diags *diags, const char *text,
	   const char *path, const char *dir)
{
	struct confread r = { diags, path, NULL };
	struct contact_channels extra = { NULL, 0 };
	const config_setting_t *root;
	struct conf *c;
	config_t cfg;
	size_t before = diags->n;

	*out = NULL;
	if (!confread_parse(&r, &cfg, text, strlen(text))) {
		config_destroy(&cfg);
		confread_release(&r);
		return err_set(SR_EINVALID, "config '%s' is not valid", path);
	}
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->dir = xstrdup(dir);
	root = config_root_setting(&cfg);
	confread_check_keys(&r, root, top_keys, "sitrep.conf");
	read_workspace(&r, c, root);
	read_page(&r, c, root);
	read_components(&r, c, root);
	read_people(&r, c, root, &extra);
	read_tiers(&r, c, root);
	read_accounts(&r, c, root);
	read_channels(&r, c, root);
	read_paging(&r, c, root);
	read_identity(&r, c, root);
	link_contacts(&r, c, &extra);
	read_delivery(&r, c, root);
	config_destroy(&cfg);
	confread_release(&r);
	if (diags->n > before) {
		conf_free(c);
		return err_set(SR_EINVALID, "config '%s' is not valid", path);
	}
	*out = c;
	return 0;
}

static int
read_whole_file(char **out, const char *path)
{
	FILE *fp = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (fp == NULL)
		return err_set(SR_ENOTFOUND, "cannot read config '%s': %s", path,
			       strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*out = buf_detach(&b);
	return 0;
}

int
conf_load(struct conf **out, struct diags *diags, const char *path)
{
	char *text = NULL, *dir, *slash, real[PATH_MAX];
	int rc;

	*out = NULL;
	if ((rc = read_whole_file(&text, path)) != 0)
		return rc;
	if (realpath(path, real) == NULL) {
		free(text);
		return err_set(SR_ESYS, "cannot resolve '%s': %s", path, strerror(errno));
	}
	dir = xstrdup(real);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	rc = conf_parse(out, diags, text, path, dir);
	free(dir);
	free(text);
	return rc;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->dir);
	free(c->database);
	free(c->playbooks);
	free(c->branch);
	free(c->page_name);
	free(c->page_url);
	free(c->time_zone);
	free(c->listen);
	free(c->http.internal_listen);
	for (size_t i = 0; i < c->ncomponents; i++) {
		free(c->components[i].id);
		free(c->components[i].name);
		free(c->components[i].group);
	}
	free(c->components);
	for (size_t i = 0; i < c->npeople; i++) {
		free(c->people[i].handle);
		free(c->people[i].name);
		free(c->people[i].email);
		for (size_t k = 0; k < c->people[i].ncontacts; k++) {
			free(c->people[i].contacts[k].id);
			free(c->people[i].contacts[k].address);
			free(c->people[i].contacts[k].channel);
			free(c->people[i].contacts[k].user);
		}
		free(c->people[i].contacts);
		free(c->people[i].notify);
		confread_free_strs(c->people[i].os_users, c->people[i].nos_users);
	}
	free(c->people);
	for (int t = 0; t < 5; t++) {
		confread_free_strs(c->tiers[t].people, c->tiers[t].npeople);
		confread_free_strs(c->tiers[t].schedules, c->tiers[t].nschedules);
	}
	free(c->paging.email_channel);
	free(c->paging.link_key_file);
	for (size_t i = 0; i < c->naccounts; i++) {
		free(c->accounts[i].id);
		free(c->accounts[i].name);
		confread_free_strs(c->accounts[i].components, c->accounts[i].ncomponents);
		free(c->accounts[i].email);
	}
	free(c->accounts);
	free(c->delivery.allow);
	for (size_t i = 0; i < c->nchannels; i++) {
		struct conf_channel *ch = &c->channels[i];

		free(ch->id);
		free(ch->type);
		confread_free_strs(ch->audiences, ch->naudiences);
		free(ch->url_env);
		free(ch->url_file);
		free(ch->secret_env);
		free(ch->secret_file);
		free(ch->smtp_url);
		free(ch->from);
		free(ch->user);
		free(ch->password_env);
		free(ch->password_file);
		confread_free_strs(ch->to, ch->nto);
		free(ch->person);
	}
	free(c->channels);
	free(c);
}

const struct conf_person *
conf_person_of_os_user(const struct conf *c, const char *user)
{
	const struct conf_person *p;

	for (size_t i = 0; i < c->npeople; i++)
		for (size_t k = 0; k < c->people[i].nos_users; k++)
			if (strcmp(c->people[i].os_users[k], user) == 0)
				return &c->people[i];
	p = conf_person(c, user);
	return p != NULL && p->nos_users == 0 ? p : NULL;
}

const struct conf_person *
conf_person(const struct conf *c, const char *handle)
{
	for (size_t i = 0; i < c->npeople; i++)
		if (c->people[i].handle != NULL && strcmp(c->people[i].handle, handle) == 0)
			return &c->people[i];
	return NULL;
}

const struct conf_component *
conf_component(const struct conf *c, const char *id)
{
	for (size_t i = 0; i < c->ncomponents; i++)
		if (c->components[i].id != NULL && strcmp(c->components[i].id, id) == 0)
			return &c->components[i];
	return NULL;
}

const struct conf_channel *
conf_channel(const struct conf *c, const char *id)
{
	for (size_t i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i].id, id) == 0)
			return &c->channels[i];
	return NULL;
}

bool
conf_channel_serves(const struct conf_channel *ch, const char *audience)
{
	for (size_t i = 0; i < ch->naudiences; i++)
		if (strcmp(ch->audiences[i], audience) == 0)
			return true;
	return false;
}

const struct conf_account *
conf_account(const struct conf *c, const char *id)
{
	for (size_t i = 0; i < c->naccounts; i++)
		if (c->accounts[i].id != NULL && strcmp(c->accounts[i].id, id) == 0)
			return &c->accounts[i];
	return NULL;
}
