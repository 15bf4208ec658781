/* test_conf.c: reading the site config (sitrep.conf) into its fields and
 * defaults, refusing bad ones with file, line and message, and finding it. */
#include "testutil.h"
#include "diagcheck.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "sitrep/conf.h"
#include "sitrep/diag.h"
#include "sitrep/err.h"

/*
 * A valid config using every section, one setting or entry per line so line
 * numbers are easy to count. The error tests replace one numbered line of it
 * (see edit()).
 */
static const char valid[] =
	"workspace = {\n"                                                          /*  1 */
	"  database = \"data/sitrep.db\";\n"                                       /*  2 */
	"  playbooks = \"/srv/playbooks\";\n"                                      /*  3 */
	"  branch = \"release\";\n"                                                /*  4 */
	"};\n"                                                                     /*  5 */
	"status_page = {\n"                                                        /*  6 */
	"  name = \"Acme Status\";\n"                                              /*  7 */
	"  url = \"https://status.example.com/\";\n"                               /*  8 */
	"  time_zone = \"Europe/Paris\";\n"                                        /*  9 */
	"};\n"                                                                     /* 10 */
	"http = { listen = \"0.0.0.0:8081\"; };\n"                                 /* 11 */
	"components = (\n"                                                         /* 12 */
	"  { id = \"api\"; name = \"Public API\"; group = \"Platform\"; },\n"      /* 13 */
	"  { id = \"web\"; }\n"                                                    /* 14 */
	");\n"                                                                     /* 15 */
	"people = (\n"                                                             /* 16 */
	"  { handle = \"alice\"; name = \"Alice Ng\"; email = \"alice@example.com\"; tier = \"L1\"; },\n" /* 17 */
	"  { handle = \"bob\"; name = \"Bob Okafor\"; tier = \"L2\"; contacts = ( { id = \"phone\"; type = \"webhook\"; url_env = \"BOB_PUSH_URL\"; secret_file = \"secrets/bob\"; }, { id = \"chat\"; type = \"slack_mention\"; channel = \"ops-chat\"; user = \"U024BE7LH\"; } ); notify = ( { contact = \"chat\"; after = \"0m\"; }, { contact = \"phone\"; after = \"2m\"; min_severity = \"SEV2\"; } ); },\n" /* 18 */
	"  { handle = \"carol\"; contacts = ( { id = \"mail\"; type = \"email\"; address = \"carol@example.com\"; } ); }\n" /* 19 */
	");\n"                                                                     /* 20 */
	"tiers = {\n"                                                              /* 21 */
	"  L1 = { people = [ \"carol\" ]; schedules = [ \"ops-primary\", \"l1-backup\" ]; };\n" /* 22 */
	"  L2 = [ \"bob\", \"alice\" ];\n"                                         /* 23 */
	"};\n"                                                                     /* 24 */
	"accounts = (\n"                                                           /* 25 */
	"  { id = \"globex\"; name = \"Globex\"; priority = true; components = [ \"api\", \"web\" ]; },\n" /* 26 */
	"  { id = \"initech\"; components = [ \"web\" ]; }\n"                      /* 27 */
	");\n"                                                                     /* 28 */
	"channels = (\n"                                                           /* 29 */
	"  { id = \"ops-chat\"; type = \"slack\"; audiences = [ \"internal\", \"executives\" ]; url_env = \"SITREP_SLACK_URL\"; },\n" /* 30 */
	"  { id = \"hook\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_file = \"/run/secrets/hook\"; secret_env = \"HOOK_SECRET\"; },\n" /* 31 */
	"  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ]; smtp_url = \"smtps://mail.example.com:465\"; from = \"status@example.com\"; user = \"status\"; password_file = \"/run/secrets/smtp\"; }\n" /* 32 */
	");\n"                                                                     /* 33 */
	"paging = { email_channel = \"mail\"; link_key_file = \"keys/paging.key\"; link_lifetime = \"2h\"; };\n"; /* 34 */

#define PATH "site.conf"
#define WSDIR "/srv/sitrep"

/* Parse text that must be refused (see refused()). */
static bool
parse_bad(struct diags *d, const char *text)
{
	static struct conf sentinel;
	struct conf *c = &sentinel;
	int rc;

	err_clear();
	rc = conf_parse(&c, d, text, PATH, WSDIR);
	if (rc != SR_EINVALID && c != &sentinel)
		conf_free(c);
	return refused(d, "conf_parse", rc, c == NULL, PATH);
}

/* One edited line of the valid config is refused with a problem at line
 * whose message contains want. */
static void
expect_edit_invalid(int n, const char *repl, int line, const char *want)
{
	struct diags d = DIAGS_INIT;
	char *text = edit(valid, n, repl);
	bool ok = parse_bad(&d, text) && found(&d, PATH, line, want);

	diag_release(&d);
	free(text);
	check(ok);
}

static struct conf *
parse_good(const char *text, const char *dir)
{
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	int rc = conf_parse(&c, &d, text, PATH, dir);
	size_t n = d.n;

	diag_print(&d, stderr);
	diag_release(&d);
	if (rc != 0 || n != 0 || c == NULL) {
		conf_free(c);
		fail_msg("valid config refused (%d): %s", rc, err_last());
	}
	return c;
}

static bool
roster_has(const struct conf_tier *t, const char *handle)
{
	for (size_t i = 0; i < t->npeople; i++)
		if (strcmp(t->people[i], handle) == 0)
			return true;
	return false;
}

static void
test_valid(void **state)
{
	struct conf *c = parse_good(valid, WSDIR);
	const struct conf_person *p;
	const struct conf_component *cc;
	const struct conf_account *a;
	const struct conf_channel *ch;

	(void)state;
	assert_string_equal(c->path, PATH);
	assert_string_equal(c->dir, WSDIR);
	/* relative paths are made absolute against dir; absolute ones kept */
	assert_string_equal(c->database, WSDIR "/data/sitrep.db");
	assert_string_equal(c->playbooks, "/srv/playbooks");
	assert_string_equal(c->branch, "release");

	assert_string_equal(c->page_name, "Acme Status");
	assert_string_equal(c->page_url, "https://status.example.com/");
	assert_string_equal(c->time_zone, "Europe/Paris");
	assert_string_equal(c->listen, "0.0.0.0:8081");

	assert_int_equal(c->ncomponents, 2);
	cc = conf_component(c, "api");
	assert_non_null(cc);
	assert_string_equal(cc->name, "Public API");
	assert_string_equal(cc->group, "Platform");
	cc = conf_component(c, "web");
	assert_non_null(cc);
	assert_string_equal(cc->name, "web");
	assert_null(cc->group);
	assert_null(conf_component(c, "mobile"));

	assert_int_equal(c->npeople, 3);
	p = conf_person(c, "alice");
	assert_non_null(p);
	assert_string_equal(p->name, "Alice Ng");
	assert_string_equal(p->email, "alice@example.com");
	assert_int_equal(p->tier, 1);
	assert_int_equal(p->line, 17);
	/* an e-mail and no contacts: one e-mail contact "email", notified at once */
	assert_int_equal(p->ncontacts, 1);
	assert_string_equal(p->contacts[0].id, "email");
	assert_int_equal(p->contacts[0].type, CONF_CONTACT_EMAIL);
	assert_string_equal(p->contacts[0].address, "alice@example.com");
	assert_string_equal(p->contacts[0].channel, "mail");
	assert_int_equal(p->contacts[0].line, 17);
	assert_int_equal(p->nnotify, 1);
	assert_int_equal(p->notify[0].contact, 0);
	assert_int_equal(p->notify[0].after, 0);
	assert_int_equal(p->notify[0].min_severity, 0);
	p = conf_person(c, "bob");
	assert_non_null(p);
	assert_null(p->email);
	assert_int_equal(p->tier, 2);
	/* contacts and notify rules as written */
	assert_int_equal(p->ncontacts, 2);
	assert_string_equal(p->contacts[0].id, "phone");
	assert_int_equal(p->contacts[0].type, CONF_CONTACT_WEBHOOK);
	assert_string_equal(p->contacts[0].channel, "bob/phone");
	assert_null(p->contacts[0].address);
	assert_string_equal(p->contacts[1].id, "chat");
	assert_int_equal(p->contacts[1].type, CONF_CONTACT_SLACK_MENTION);
	assert_string_equal(p->contacts[1].channel, "ops-chat");
	assert_string_equal(p->contacts[1].user, "U024BE7LH");
	assert_ptr_equal(conf_person_contact(p, "chat"), &p->contacts[1]);
	assert_null(conf_person_contact(p, "pager"));
	assert_int_equal(p->nnotify, 2);
	assert_int_equal(p->notify[0].contact, 1);
	assert_int_equal(p->notify[0].after, 0);
	assert_int_equal(p->notify[0].min_severity, 0);
	assert_int_equal(p->notify[1].contact, 0);
	assert_int_equal(p->notify[1].after, 120);
	assert_int_equal(p->notify[1].min_severity, 2);
	assert_int_equal(p->notify[1].line, 18);
	p = conf_person(c, "carol");
	assert_non_null(p);
	assert_string_equal(p->name, "carol");
	assert_int_equal(p->tier, -1);
	/* contacts and no notify: every contact at once */
	assert_int_equal(p->ncontacts, 1);
	assert_string_equal(p->contacts[0].address, "carol@example.com");
	assert_string_equal(p->contacts[0].channel, "mail");
	assert_int_equal(p->nnotify, 1);
	assert_int_equal(p->notify[0].contact, 0);
	assert_int_equal(p->notify[0].after, 0);
	assert_int_equal(p->notify[0].line, 19);
	assert_null(conf_person(c, "mallory"));

	/* a roster is its listed handles plus the people whose tier names it,
	 * each once */
	assert_int_equal(c->tiers[0].npeople, 0);
	assert_int_equal(c->tiers[1].npeople, 2);
	assert_string_equal(c->tiers[1].people[0], "carol");
	assert_string_equal(c->tiers[1].people[1], "alice");
	assert_int_equal(c->tiers[2].npeople, 2);
	assert_true(roster_has(&c->tiers[2], "bob"));
	assert_true(roster_has(&c->tiers[2], "alice"));
	assert_int_equal(c->tiers[3].npeople, 0);
	assert_int_equal(c->tiers[4].npeople, 0);
	/* a roster in its group form names on-call schedules too */
	assert_int_equal(c->tiers[1].nschedules, 2);
	assert_string_equal(c->tiers[1].schedules[0], "ops-primary");
	assert_string_equal(c->tiers[1].schedules[1], "l1-backup");
	assert_int_equal(c->tiers[1].line, 22);
	assert_int_equal(c->tiers[2].nschedules, 0);
	assert_int_equal(c->tiers[2].line, 23);
	assert_int_equal(c->tiers[0].line, 0);

	assert_int_equal(c->naccounts, 2);
	a = conf_account(c, "globex");
	assert_non_null(a);
	assert_string_equal(a->name, "Globex");
	assert_true(a->priority);
	assert_int_equal(a->ncomponents, 2);
	assert_string_equal(a->components[0], "api");
	assert_string_equal(a->components[1], "web");
	a = conf_account(c, "initech");
	assert_non_null(a);
	assert_string_equal(a->name, "initech");
	assert_false(a->priority);
	assert_int_equal(a->ncomponents, 1);
	assert_null(conf_account(c, "acme"));

	/* the site's three channels, then one per webhook contact */
	assert_int_equal(c->nchannels, 4);
	ch = &c->channels[0];
	assert_null(ch->person);
	assert_string_equal(ch->id, "ops-chat");
	assert_string_equal(ch->type, "slack");
	assert_int_equal(ch->naudiences, 2);
	assert_string_equal(ch->audiences[0], "internal");
	assert_string_equal(ch->audiences[1], "executives");
	assert_string_equal(ch->url_env, "SITREP_SLACK_URL");
	assert_null(ch->url_file);
	assert_null(ch->smtp_url);
	ch = &c->channels[1];
	assert_string_equal(ch->type, "webhook");
	assert_null(ch->url_env);
	assert_string_equal(ch->url_file, "/run/secrets/hook");
	assert_string_equal(ch->secret_env, "HOOK_SECRET");
	assert_null(ch->secret_file);
	ch = &c->channels[2];
	assert_string_equal(ch->type, "email");
	assert_string_equal(ch->smtp_url, "smtps://mail.example.com:465");
	assert_string_equal(ch->from, "status@example.com");
	assert_string_equal(ch->user, "status");
	assert_null(ch->password_env);
	assert_string_equal(ch->password_file, "/run/secrets/smtp");
	assert_null(ch->person);
	/* bob's webhook contact is a channel sent like any other, to no audience */
	ch = &c->channels[3];
	assert_ptr_equal(conf_channel(c, "bob/phone"), ch);
	assert_string_equal(ch->type, "webhook");
	assert_int_equal(ch->naudiences, 0);
	assert_false(conf_channel_serves(ch, "internal"));
	assert_string_equal(ch->url_env, "BOB_PUSH_URL");
	assert_null(ch->url_file);
	assert_null(ch->secret_env);
	assert_string_equal(ch->secret_file, WSDIR "/secrets/bob");
	assert_string_equal(ch->person, "bob");

	assert_string_equal(c->paging.email_channel, "mail");
	assert_string_equal(c->paging.link_key_file, WSDIR "/keys/paging.key");
	assert_int_equal(c->paging.link_lifetime, 7200);

	assert_string_equal(conf_contact_type_name(CONF_CONTACT_EMAIL), "email");
	assert_string_equal(conf_contact_type_name(CONF_CONTACT_WEBHOOK), "webhook");
	assert_string_equal(conf_contact_type_name(CONF_CONTACT_SLACK_MENTION), "slack_mention");
	assert_string_equal(conf_contact_type_name(CONF_CONTACT_DISCORD_MENTION),
			    "discord_mention");
	conf_free(c);
}

static void
test_defaults(void **state)
{
	struct conf *c = parse_good("", "/var/lib/sitrep");

	(void)state;
	assert_string_equal(c->database, "/var/lib/sitrep/sitrep.db");
	assert_string_equal(c->playbooks, "/var/lib/sitrep/playbooks");
	assert_string_equal(c->branch, "main");
	assert_string_equal(c->page_name, "Status");
	assert_string_equal(c->page_url, "http://127.0.0.1:8080/");
	assert_string_equal(c->time_zone, "UTC");
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_int_equal(c->ncomponents, 0);
	assert_int_equal(c->npeople, 0);
	assert_int_equal(c->naccounts, 0);
	assert_int_equal(c->nchannels, 0);
	for (int t = 0; t < 5; t++)
		assert_int_equal(c->tiers[t].npeople, 0);
	/* paging: no e-mail channel, the key beside the config, links for a day */
	assert_null(c->paging.email_channel);
	assert_string_equal(c->paging.link_key_file, "/var/lib/sitrep/paging.key");
	assert_int_equal(c->paging.link_lifetime, 86400);
	conf_free(c);

	/* the first e-mail channel carries e-mail contacts unless one is named;
	 * an absolute key path is kept */
	c = parse_good("channels = (\n"
		       "  { id = \"chat\"; type = \"slack\"; audiences = [ ]; url_env = \"A\"; },\n"
		       "  { id = \"m1\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://h\"; from = \"a@b.c\"; },\n"
		       "  { id = \"m2\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://h\"; from = \"a@b.c\"; }\n"
		       ");\n"
		       "paging = { link_key_file = \"/etc/sitrep/paging.key\"; };\n"
		       "people = ( { handle = \"ana\"; email = \"ana@example.com\"; tier = \"L1\"; } );\n",
		       "/var/lib/sitrep");
	assert_string_equal(c->paging.email_channel, "m1");
	assert_string_equal(c->paging.link_key_file, "/etc/sitrep/paging.key");
	assert_string_equal(c->people[0].contacts[0].channel, "m1");
	conf_free(c);
	c = parse_good("channels = (\n"
		       "  { id = \"m1\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://h\"; from = \"a@b.c\"; },\n"
		       "  { id = \"m2\"; type = \"email\"; audiences = [ ]; smtp_url = \"smtp://h\"; from = \"a@b.c\"; }\n"
		       ");\n"
		       "paging = { email_channel = \"m2\"; };\n"
		       "people = ( { handle = \"ana\"; email = \"ana@example.com\"; tier = \"L1\"; } );\n",
		       "/var/lib/sitrep");
	assert_string_equal(c->people[0].contacts[0].channel, "m2");
	/* a person with no e-mail and no contacts, on no roster, is fine */
	conf_free(c);

	/* a section given in part keeps the defaults of the rest */
	c = parse_good("workspace = { branch = \"prod\"; };\n"
		       "status_page = { name = \"Acme\"; };\n", "/var/lib/sitrep");
	assert_string_equal(c->branch, "prod");
	assert_string_equal(c->database, "/var/lib/sitrep/sitrep.db");
	assert_string_equal(c->playbooks, "/var/lib/sitrep/playbooks");
	assert_string_equal(c->page_name, "Acme");
	assert_string_equal(c->page_url, "http://127.0.0.1:8080/");
	conf_free(c);
}

/* The config `sitrep init` writes is valid and says what it claims. */
static void
test_default_text(void **state)
{
	struct conf *c = parse_good(conf_default_text, "/home/ops/ws");

	(void)state;
	assert_string_equal(c->database, "/home/ops/ws/sitrep.db");
	assert_string_equal(c->playbooks, "/home/ops/ws/playbooks");
	assert_string_equal(c->branch, "main");
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_non_null(conf_component(c, "api"));
	assert_non_null(conf_component(c, "payments"));
	assert_non_null(conf_person(c, "alice"));
	assert_true(roster_has(&c->tiers[1], "alice"));
	assert_true(roster_has(&c->tiers[3], "carol"));
	assert_true(roster_has(&c->tiers[3], "dave"));
	assert_int_equal(c->tiers[1].npeople, 1);
	assert_non_null(conf_account(c, "globex"));
	assert_true(conf_account(c, "globex")->priority);
	assert_int_equal(c->nchannels, 2);
	assert_string_equal(c->channels[0].url_env, "SITREP_SLACK_URL");
	/* contacts and notify rules; everyone else is reached by e-mail */
	assert_string_equal(c->paging.email_channel, "paging-mail");
	assert_string_equal(c->paging.link_key_file, "/home/ops/ws/paging.key");
	assert_int_equal(c->paging.link_lifetime, 86400);
	for (size_t i = 0; i < c->npeople; i++) {
		assert_true(c->people[i].ncontacts >= 1);
		assert_true(c->people[i].nnotify >= 1);
		assert_string_equal(c->people[i].contacts[0].channel, "paging-mail");
	}
	assert_string_equal(conf_person(c, "alice")->contacts[0].id, "mail");
	assert_string_equal(conf_person(c, "bob")->contacts[0].id, "email");
	assert_true(roster_has(&c->tiers[2], "bob"));
	assert_int_equal(c->tiers[2].nschedules, 0);
	conf_free(c);
}

static void
test_syntax_error(void **state)
{
	struct diags d = DIAGS_INIT;
	char *text = edit(valid, 7, "  name = ;");
	bool ok = parse_bad(&d, text) && found(&d, PATH, 7, "syntax error") &&
		  count(&d, 1);

	(void)state;
	diag_release(&d);
	free(text);
	check(ok);
}

static void
test_unknown_setting(void **state)
{
	(void)state;
	expect_edit_invalid(11, "htpp = { listen = \"0.0.0.0:8081\"; };", 11,
			    "unknown setting 'htpp' in sitrep.conf");
	expect_edit_invalid(4, "  brnach = \"release\";", 4,
			    "unknown setting 'brnach' in workspace");
	expect_edit_invalid(23, "  L5 = [ \"bob\" ];", 23,
			    "unknown setting 'L5' in tiers");
	expect_edit_invalid(30, "  { id = \"ops-chat\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"X\"; channel = \"#ops\"; },", 30,
			    "unknown setting 'channel' in a channel");
}

/* The site config must be UTF-8: a bad byte is reported at its line. */
static void
test_invalid_utf8(void **state)
{
	(void)state;
	expect_edit_invalid(7, "  name = \"Acme \xff Status\";", 7,
			    "byte 16 of this line is not valid UTF-8: write the file in UTF-8");
	expect_edit_invalid(17, "  { handle = \"alice\"; name = \"Alice N\xc3\"; email = \"alice@example.com\"; tier = \"L1\"; },", 17,
			    "not valid UTF-8");
}

static void
test_duplicate_component(void **state)
{
	(void)state;
	expect_edit_invalid(14, "  { id = \"api\"; }", 14,
			    "duplicate component id 'api'");
}

static void
test_duplicate_person(void **state)
{
	(void)state;
	expect_edit_invalid(19, "  { handle = \"carol\"; },\n  { handle = \"alice\"; }", 20,
			    "duplicate person 'alice'");
}

static void
test_bad_person_tier(void **state)
{
	(void)state;
	expect_edit_invalid(18, "  { handle = \"bob\"; name = \"Bob Okafor\"; tier = \"L9\"; },", 18,
			    "person 'bob': tier 'L9' is not one of L0, L1, L2, L3, L4");
}

static void
test_roster_unknown_person(void **state)
{
	(void)state;
	expect_edit_invalid(22, "  L1 = [ \"carol\", \"mallory\" ];", 22,
			    "tier L1 lists 'mallory', who is not in 'people'");
}

static void
test_account_unknown_component(void **state)
{
	(void)state;
	expect_edit_invalid(27, "  { id = \"initech\"; components = [ \"mobile\" ]; }", 27,
			    "account 'initech' uses component 'mobile', which is not in 'components'");
}

/* Secrets are refused at the line of the setting that holds one. */
static void
test_channel_secret(void **state)
{
	(void)state;
	expect_edit_invalid(30, "  { id = \"ops-chat\"; type = \"slack\"; audiences = [ \"internal\" ]; url = \"https://hooks.slack.com/services/T0/B0/xyz\"; },", 30,
			    "channel 'ops-chat': secrets are never written in sitrep.conf");
	expect_edit_invalid(31,
			    "  { id = \"hook\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"HOOK_URL\";\n" /* 31 */
			    "    secret = \"hunter2\"; },",                                                           /* 32 */
			    32, "name an environment variable (secret_env) or a file (secret_file) instead of 'secret'");
	expect_edit_invalid(32, "  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ]; smtp_url = \"smtp://127.0.0.1:25\"; from = \"s@example.com\"; password = \"pw\"; }", 32,
			    "secrets are never written in sitrep.conf");
}

static void
test_channel_without_url(void **state)
{
	(void)state;
	expect_edit_invalid(30, "  { id = \"ops-chat\"; type = \"slack\"; audiences = [ \"internal\" ]; },", 30,
			    "channel 'ops-chat': give exactly one of url_env or url_file");
	expect_edit_invalid(31, "  { id = \"hook\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"A\"; url_file = \"/b\"; },", 31,
			    "channel 'hook': give exactly one of url_env or url_file");
}

static void
test_email_without_smtp_url(void **state)
{
	(void)state;
	expect_edit_invalid(32, "  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ]; from = \"status@example.com\"; }", 32,
			    "channel 'mail': e-mail needs smtp_url");
}

static void
test_smtp_url_scheme(void **state)
{
	(void)state;
	expect_edit_invalid(32, "  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ]; smtp_url = \"http://mail.example.com\"; from = \"status@example.com\"; }", 32,
			    "channel 'mail': smtp_url 'http://mail.example.com' must start with smtp:// or smtps://");
}

/*
 * A channel over several lines, as the default config writes them: a bad
 * smtp_url is reported at the smtp_url line, as a bad type or a secret is.
 */
static void
test_smtp_url_scheme_line_in_multiline_channel(void **state)
{
	(void)state;
	expect_edit_invalid(32,
			    "  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];\n" /* 32 */
			    "    from = \"status@example.com\";\n"                                  /* 33 */
			    "    smtp_url = \"http://mail.example.com\"; }",                        /* 34 */
			    34, "smtp_url 'http://mail.example.com' must start with smtp://");
}

static void
test_unknown_channel_type(void **state)
{
	(void)state;
	expect_edit_invalid(30,
			    "  { id = \"ops-chat\";\n"                      /* 30 */
			    "    type = \"irc\";\n"                         /* 31 */
			    "    audiences = [ \"internal\" ]; url_env = \"X\"; },", /* 32 */
			    31, "channel 'ops-chat': type 'irc' is not one of webhook, slack, teams, discord, email");
}

/* The delivery group: its defaults, its values, and each number out of
 * range refused at its line. */
static void
test_delivery(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *want;
	} bad[] = {
		{ "delivery = {\n  threads = 0;\n};\n", 2,
		  "delivery threads must be between 1 and 64" },
		{ "delivery = {\n  concurrency = 8;\n  threads = 65;\n};\n", 3,
		  "delivery threads must be between 1 and 64" },
		{ "delivery = {\n  concurrency = 0;\n};\n", 2,
		  "delivery concurrency must be between 1 and 1024" },
		{ "delivery = {\n  retries = 101;\n};\n", 2,
		  "delivery retries must be between 0 and 100" },
		{ "delivery = {\n  threads = 1;\n  allow = [ \"127.0.0.1/32\", \"10.0.0.1/8\" ];\n};\n", 3,
		  "delivery allow: '10.0.0.1/8' has bits set below its /8 prefix: write the "
		  "network's first address" },
		{ "delivery = {\n  allow = [ \"localhost\" ];\n};\n", 2,
		  "delivery allow: 'localhost' is not an address range like \"127.0.0.1/32\" "
		  "or \"fd00::/8\"" },
	};
	struct conf *c = parse_good("", WSDIR);

	(void)state;
	assert_int_equal(c->delivery.concurrency, 64);
	assert_int_equal(c->delivery.threads, 2);
	assert_int_equal(c->delivery.retries, 12);
	assert_int_equal(c->delivery.timeout, 10);
	assert_int_equal(c->delivery.nallow, 0); /* nothing private allowed by default */
	conf_free(c);
	c = parse_good("delivery = { allow = [ \"127.0.0.1/32\", \"fd00::/8\" ]; };\n", WSDIR);
	assert_int_equal(c->delivery.nallow, 2);
	assert_int_equal(c->delivery.allow[1].family, AF_INET6);
	assert_int_equal(c->delivery.allow[1].bits, 8);
	conf_free(c);
	c = parse_good("delivery = { concurrency = 16; threads = 4; retries = 0;"
		       " timeout = \"2s\"; };\n", WSDIR);
	assert_int_equal(c->delivery.concurrency, 16);
	assert_int_equal(c->delivery.threads, 4);
	assert_int_equal(c->delivery.retries, 0);
	assert_int_equal(c->delivery.timeout, 2);
	conf_free(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diags d = DIAGS_INIT;
		bool ok = parse_bad(&d, bad[i].text) && found(&d, PATH, bad[i].line, bad[i].want);

		diag_release(&d);
		check(ok);
	}
}

static void
test_page_url_scheme(void **state)
{
	(void)state;
	expect_edit_invalid(8, "  url = \"status.example.com\";", 8,
			    "status page url 'status.example.com' must start with http:// or https://");
	expect_edit_invalid(8, "  url = \"ftp://status.example.com/\";", 8,
			    "must start with http:// or https://");
}

static void
test_listen_without_port(void **state)
{
	(void)state;
	expect_edit_invalid(11, "http = { listen = \"0.0.0.0\"; };", 11,
			    "http listen '0.0.0.0' must be ADDRESS:PORT");
}

/* The http group's limits and internal listener: defaults, values read,
 * values out of range refused with their line. */
static void
test_http_limits(void **state)
{
	struct conf *c = parse_good("", "/var/lib/sitrep");

	(void)state;
	assert_string_equal(c->http.internal_listen, "127.0.0.1:0");
	assert_int_equal(c->http.max_connections, 2048);
	assert_int_equal(c->http.max_per_address, 256);
	assert_int_equal(c->http.timeout, 15);
	assert_int_equal(c->http.subscribe_burst, 5);
	assert_int_equal(c->http.subscribe_every, 60);
	conf_free(c);
	c = parse_good("http = { listen = \"127.0.0.1:0\"; internal_listen = \"[::1]:9090\";\n"
		       "  max_connections = 100; max_connections_per_address = 10;\n"
		       "  timeout = \"30s\"; subscribe_burst = 2; subscribe_every = \"1h\"; };\n",
		       "/var/lib/sitrep");
	assert_string_equal(c->http.internal_listen, "[::1]:9090");
	assert_int_equal(c->http.max_connections, 100);
	assert_int_equal(c->http.max_per_address, 10);
	assert_int_equal(c->http.timeout, 30);
	assert_int_equal(c->http.subscribe_burst, 2);
	assert_int_equal(c->http.subscribe_every, 3600);
	conf_free(c);
	expect_edit_invalid(11, "http = { internal_listen = \"localhost\"; };", 11,
			    "http internal_listen 'localhost' must be ADDRESS:PORT");
	/* the token API is there: loopback only, unless a proxy is said to
	 * be in front */
	expect_edit_invalid(11, "http = { internal_listen = \"0.0.0.0:9090\"; };", 11,
			    "http internal_listen '0.0.0.0:9090' is not a loopback address");
	expect_edit_invalid(11, "http = { internal_listen = \"[::]:9090\"; };", 11,
			    "is not a loopback address");
	c = parse_good("http = { internal_listen = \"10.0.0.5:9090\"; "
		       "internal_behind_proxy = true; };\n", "/var/lib/sitrep");
	assert_string_equal(c->http.internal_listen, "10.0.0.5:9090");
	assert_true(c->http.internal_behind_proxy);
	conf_free(c);
	expect_edit_invalid(11, "http = { max_connections = 2; };", 11,
			    "http max_connections must be between 16 and 1000000");
	expect_edit_invalid(11, "http = { max_connections_per_address = 0; };", 11,
			    "http max_connections_per_address must be between 1 and 1000000");
	expect_edit_invalid(11, "http = { timeout = \"2h\"; };", 11,
			    "http timeout must be between 1s and 3600s");
	expect_edit_invalid(11, "http = { subscribe_burst = 0; };", 11,
			    "http subscribe_burst must be between 1 and 1000000");
}

/*
 * An IPv6 address has colons of its own, and an empty port is no port.
 */
static void
test_listen_without_port_ipv6_or_empty(void **state)
{
	(void)state;
	expect_edit_invalid(11, "http = { listen = \"[::1]\"; };", 11,
			    "must be ADDRESS:PORT");
	expect_edit_invalid(11, "http = { listen = \"127.0.0.1:\"; };", 11,
			    "must be ADDRESS:PORT");
}

/* Everyone on a roster, listed or by their own tier, has a way to be
 * reached. */
static void
test_roster_person_without_contact(void **state)
{
	(void)state;
	expect_edit_invalid(19, "  { handle = \"carol\"; }", 19,
			    "person 'carol' is on tier L1's roster but has no contact");
	expect_edit_invalid(17, "  { handle = \"alice\"; tier = \"L1\"; },", 17,
			    "person 'alice' is on tier L1's roster but has no contact");
	/* an empty contacts list is no contact, even with an e-mail */
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; contacts = ( ); }", 19,
			    "person 'carol' is on tier L1's roster but has no contact");
}

/* Each contact: a known type with what that type needs, an id once. */
static void
test_contact_refused(void **state)
{
	(void)state;
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"mail\"; type = \"email\"; address = \"c@example.com\"; }, { id = \"mail\"; type = \"email\"; address = \"d@example.com\"; } ); }", 19,
			    "person 'carol': duplicate contact id 'mail'");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"mail\"; type = \"email\"; } ); }", 19,
			    "person 'carol': e-mail contact 'mail' needs an 'address'");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"mail\"; type = \"email\"; address = \"carol\"; } ); }", 19,
			    "'carol' is not an e-mail address");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"phone\"; type = \"webhook\"; } ); }", 19,
			    "webhook contact 'phone' needs exactly one of url_env or url_file");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"phone\"; type = \"webhook\"; url_env = \"A\"; secret_env = \"B\"; secret_file = \"C\"; } ); }", 19,
			    "takes at most one of secret_env or secret_file");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"slack_mention\"; user = \"U1\"; } ); }", 19,
			    "contact 'chat' needs the 'channel' it mentions them in");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"discord_mention\"; channel = \"ops-chat\"; } ); }", 19,
			    "contact 'chat' needs their Discord 'user' id");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"ops-chat\"; user = \"<!channel>\"; } ); }", 19,
			    "user id '<!channel>' must be letters and digits");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"pager\"; type = \"pager\"; } ); }", 19,
			    "contact 'pager' has type 'pager', not one of email, webhook, slack_mention, discord_mention");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"phone\"; type = \"webhook\"; url_env = \"A\"; address = \"c@example.com\"; } ); }", 19,
			    "contact 'phone' (webhook) takes no 'address'");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"phone\"; type = \"webhook\"; url = \"https://push.example.com/x\"; } ); }", 19,
			    "secrets are never written in sitrep.conf");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"Mail\"; type = \"email\"; address = \"c@example.com\"; } ); }", 19,
			    "contact id 'Mail' must be lowercase letters");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"mail\"; type = \"email\"; address = \"c@example.com\"; pager = 1; } ); }", 19,
			    "unknown setting 'pager' in a contact");
	/* the same contact at the same delay twice sent two notifications
	 * at once */
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"email\"; after = \"0m\"; }, { contact = \"email\"; after = \"0s\"; min_severity = \"SEV2\"; } ); }", 19,
			    "person 'carol': notify names contact 'email' twice with the same 'after'");
	/* a handle is part of links and channel ids */
	expect_edit_invalid(19, "  { handle = \"carol.d\"; email = \"c@example.com\"; }", 19,
			    "person handle 'carol.d' must be 1 to 64 ASCII letters, digits, '_' or '-'");
	/* nor a character or a length a link cannot carry: its pages
	 * went out with no acknowledgement link at all */
	expect_edit_invalid(19, "  { handle = \"car%2Fol\"; email = \"c@example.com\"; }", 19,
			    "person handle 'car%2Fol' must be 1 to 64");
	expect_edit_invalid(19, "  { handle = \"c\u00e4rol\"; email = \"c@example.com\"; }", 19,
			    "must be 1 to 64 ASCII letters");
	expect_edit_invalid(19, "  { handle = \"carol+ops\"; email = \"c@example.com\"; }", 19,
			    "person handle 'carol+ops' must be 1 to 64");
	expect_edit_invalid(19, "  { handle = \"c1234567890123456789012345678901234567890123456789012345678901234\"; email = \"c@example.com\"; }", 19,
			    "must be 1 to 64 ASCII letters");
}

/* A mention goes through a channel of its own kind. */
static void
test_mention_channel(void **state)
{
	(void)state;
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"discord_mention\"; channel = \"ops-chat\"; user = \"80351110224678912\"; } ); }", 19,
			    "contact 'chat' is a discord mention but channel 'ops-chat' is of type slack, not discord");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"hook\"; user = \"U1\"; } ); }", 19,
			    "channel 'hook' is of type webhook, not slack");
	expect_edit_invalid(19, "  { handle = \"carol\"; contacts = ( { id = \"chat\"; type = \"slack_mention\"; channel = \"ops\"; user = \"U1\"; } ); }", 19,
			    "contact 'chat' names channel 'ops', which is not in 'channels'");
}

/* E-mail contacts need an e-mail channel to go through. */
static void
test_email_contact_without_email_channel(void **state)
{
	struct diags d = DIAGS_INIT;
	char *a = edit(valid, 32, "  { id = \"chat2\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"X\"; }");
	char *text = edit(a, 34, "");
	bool ok = parse_bad(&d, text) &&
		  found(&d, PATH, 17, "person 'alice': e-mail contact 'email' needs an e-mail channel") &&
		  found(&d, PATH, 19, "person 'carol': e-mail contact 'mail' needs an e-mail channel") &&
		  count(&d, 2);

	(void)state;
	diag_release(&d);
	free(text);
	free(a);
	check(ok);
}

/* Notify rules name a contact of the person's, after a duration, from a
 * severity. */
static void
test_notify_refused(void **state)
{
	(void)state;
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"phone\"; } ); }", 19,
			    "person 'carol': notify names contact 'phone', which is not one of theirs ('email')");
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"email\"; after = \"soon\"; } ); }", 19,
			    "person 'carol': notify 'after' must be a duration in quotes");
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"email\"; after = 5; } ); }", 19,
			    "notify 'after' must be a duration");
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"email\"; min_severity = \"SEV9\"; } ); }", 19,
			    "'min_severity' must be one of SEV1, SEV2, SEV3, SEV4 (not 'SEV9')");
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( ); }", 19,
			    "person 'carol': notify is empty");
	expect_edit_invalid(19, "  { handle = \"carol\"; email = \"c@example.com\"; notify = ( { contact = \"email\"; delay = \"1m\"; } ); }", 19,
			    "unknown setting 'delay' in a notify rule");
}

/* A roster is a list of people or a group of people and schedules, whose
 * names are checked for spelling only here. */
static void
test_roster_refused(void **state)
{
	(void)state;
	expect_edit_invalid(22, "  L1 = { people = [ \"carol\" ]; schedules = [ \"Ops_Primary\" ]; };", 22,
			    "tier L1: schedule name 'Ops_Primary' must be lowercase letters, digits and '-'");
	expect_edit_invalid(22, "  L1 = { people = [ \"carol\" ]; schedules = [ \"ops\", \"ops\" ]; };", 22,
			    "tier L1 lists schedule 'ops' twice");
	expect_edit_invalid(22, "  L1 = { people = [ \"carol\", \"mallory\" ]; };", 22,
			    "tier L1 lists 'mallory', who is not in 'people'");
	expect_edit_invalid(22, "  L1 = { people = [ \"carol\" ]; rotation = \"x\"; };", 22,
			    "unknown setting 'rotation' in a tier roster");
	expect_edit_invalid(22, "  L1 = \"carol\";", 22,
			    "tier L1 must be a list of people, like [ \"ana\" ], or a group");
}

/* paging names an e-mail channel and a link lifetime that make sense. */
static void
test_paging_refused(void **state)
{
	(void)state;
	expect_edit_invalid(34, "paging = { email_channel = \"ops-chat\"; };", 34,
			    "paging email_channel 'ops-chat' is not an e-mail channel");
	expect_edit_invalid(34, "paging = { email_channel = \"post\"; };", 34,
			    "paging email_channel 'post' is not one of 'channels'");
	expect_edit_invalid(34, "paging = { link_lifetime = \"forever\"; };", 34,
			    "'link_lifetime'");
	expect_edit_invalid(34, "paging = { link_lifetime = \"0m\"; };", 34,
			    "'link_lifetime' must be longer than zero");
	expect_edit_invalid(34, "paging = { link_key_file = \"\"; };", 34,
			    "'link_key_file' must not be empty");
	expect_edit_invalid(34, "paging = { link_key = \"k\"; };", 34,
			    "unknown setting 'link_key' in paging");
	/* a webhook contact's channel id may not be taken by a site channel */
	expect_edit_invalid(30, "  { id = \"bob/phone\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"X\"; },", 1,
			    "channel id 'bob/phone' is also a person's webhook contact");
}

/* Every problem is reported, not only the first. */
static void
test_all_problems_reported(void **state)
{
	struct diags d = DIAGS_INIT;
	char *a = edit(valid, 8, "  url = \"status.example.com\";");
	char *b = edit(a, 18, "  { handle = \"bob\"; tier = \"L9\"; email = \"bob@example.com\"; },");
	char *text = edit(b, 30, "  { id = \"ops-chat\"; type = \"irc\"; audiences = [ \"internal\" ]; },");
	bool ok = parse_bad(&d, text) &&
		  found(&d, PATH, 8, "must start with http:// or https://") &&
		  found(&d, PATH, 18, "person 'bob': tier 'L9'") &&
		  found(&d, PATH, 30, "type 'irc' is not one of") && count(&d, 3);

	(void)state;
	diag_release(&d);
	free(text);
	free(b);
	free(a);
	check(ok);
}

/* conf_find changes the working directory and the environment: put both
 * back after each test. */
struct fixture {
	char *dir;
	char cwd[PATH_MAX];
	char *env[3];
};

static const char *const env_names[3] = { "SITREP_CONFIG", "XDG_CONFIG_HOME", "HOME" };

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = testutil_tmpdir();
	if (getcwd(f->cwd, sizeof(f->cwd)) == NULL)
		abort();
	for (int i = 0; i < 3; i++) {
		const char *v = getenv(env_names[i]);

		f->env[i] = v ? strdup(v) : NULL;
	}
	unsetenv("SITREP_CONFIG");
	/* an empty XDG dir and HOME, so the user's own config is never found */
	testutil_sh(f->dir, "mkdir -p xdg home empty");
	setenv("XDG_CONFIG_HOME", "/nonexistent-sitrep-xdg", 1);
	setenv("HOME", "/nonexistent-sitrep-home", 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (chdir(f->cwd) != 0)
		abort();
	for (int i = 0; i < 3; i++) {
		if (f->env[i] != NULL)
			setenv(env_names[i], f->env[i], 1);
		else
			unsetenv(env_names[i]);
		free(f->env[i]);
	}
	testutil_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* dir/rel as a new string. */
static char *
join(const char *dir, const char *rel)
{
	size_t len = strlen(dir) + strlen(rel) + 2;
	char *p = malloc(len);

	snprintf(p, len, "%s/%s", dir, rel);
	return p;
}

static void
in_dir(const char *dir)
{
	assert_int_equal(chdir(dir), 0);
}

static void
test_find_explicit(void **state)
{
	struct fixture *f = *state;
	char *path = join(f->dir, "my.conf");
	char *missing = join(f->dir, "nope.conf");
	char *got;

	testutil_write(f->dir, "my.conf", "");
	testutil_write(f->dir, "sitrep.conf", "");
	in_dir(f->dir);
	setenv("SITREP_CONFIG", path, 1);

	/* -c wins over everything, and a missing one is an error, not a
	 * reason to look elsewhere */
	got = conf_find(path);
	assert_string_equal(got, path);
	free(got);
	err_clear();
	assert_null(conf_find(missing));
	assert_non_null(strstr(err_last(), missing));
	assert_non_null(strstr(err_last(), "not found"));

	/* a directory is not a config file */
	assert_null(conf_find(f->dir));
	free(path);
	free(missing);
}

static void
test_find_env(void **state)
{
	struct fixture *f = *state;
	char *path = join(f->dir, "env.conf");
	char *missing = join(f->dir, "nope.conf");
	char *got;

	testutil_write(f->dir, "env.conf", "");
	testutil_write(f->dir, "sitrep.conf", "");
	in_dir(f->dir);

	setenv("SITREP_CONFIG", path, 1);
	got = conf_find(NULL);
	assert_string_equal(got, path);
	free(got);

	/* set but missing: say so, do not fall back to ./sitrep.conf */
	setenv("SITREP_CONFIG", missing, 1);
	err_clear();
	assert_null(conf_find(NULL));
	assert_non_null(strstr(err_last(), missing));
	assert_non_null(strstr(err_last(), "$SITREP_CONFIG"));

	/* empty is as good as unset */
	setenv("SITREP_CONFIG", "", 1);
	got = conf_find(NULL);
	assert_string_equal(got, "sitrep.conf");
	free(got);
	free(path);
	free(missing);
}

static void
test_find_cwd(void **state)
{
	struct fixture *f = *state;
	char *xdg = join(f->dir, "xdg");
	char *got;

	testutil_sh(f->dir, "mkdir -p xdg/sitrep && : > xdg/sitrep/sitrep.conf");
	testutil_write(f->dir, "sitrep.conf", "");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	in_dir(f->dir);

	/* ./sitrep.conf comes before the XDG one */
	got = conf_find(NULL);
	assert_string_equal(got, "sitrep.conf");
	free(got);
	free(xdg);
}

static void
test_find_xdg(void **state)
{
	struct fixture *f = *state;
	char *xdg = join(f->dir, "xdg");
	char *home = join(f->dir, "home");
	char *empty = join(f->dir, "empty");
	char *want, *got;

	testutil_sh(f->dir, "mkdir -p xdg/sitrep home/.config/sitrep && "
		    ": > xdg/sitrep/sitrep.conf && : > home/.config/sitrep/sitrep.conf");
	in_dir(empty);

	setenv("XDG_CONFIG_HOME", xdg, 1);
	want = join(xdg, "sitrep/sitrep.conf");
	got = conf_find(NULL);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* without $XDG_CONFIG_HOME, $HOME/.config */
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", home, 1);
	want = join(home, ".config/sitrep/sitrep.conf");
	got = conf_find(NULL);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(xdg);
	free(home);
	free(empty);
}

static void
test_find_nothing(void **state)
{
	struct fixture *f = *state;
	char *empty = join(f->dir, "empty");
	struct stat st;

	in_dir(empty);
	setenv("XDG_CONFIG_HOME", empty, 1);
	free(empty);
	if (stat("/etc/sitrep/sitrep.conf", &st) == 0)
		skip();
	err_clear();
	assert_null(conf_find(NULL));
	assert_non_null(strstr(err_last(), "no sitrep.conf found"));
	assert_non_null(strstr(err_last(), "sitrep init"));
}

static void
test_load(void **state)
{
	struct fixture *f = *state;
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	char real[PATH_MAX], *path, *db;

	testutil_sh(f->dir, "mkdir -p ws");
	path = join(f->dir, "ws/sitrep.conf");
	testutil_write(f->dir, "ws/sitrep.conf",
		       "workspace = { database = \"state/sitrep.db\"; };\n"
		       "components = ( { id = \"api\"; } );\n");
	assert_int_equal(conf_load(&c, &d, path), 0);
	assert_int_equal(d.n, 0);
	assert_non_null(c);
	assert_string_equal(c->path, path);
	/* relative to the file's real directory */
	assert_non_null(realpath(f->dir, real));
	strcat(real, "/ws");
	assert_string_equal(c->dir, real);
	db = join(real, "state/sitrep.db");
	assert_string_equal(c->database, db);
	free(db);
	assert_non_null(conf_component(c, "api"));
	conf_free(c);

	/* a relative path from the working directory resolves the same */
	in_dir(f->dir);
	assert_int_equal(conf_load(&c, &d, "ws/sitrep.conf"), 0);
	assert_string_equal(c->path, "ws/sitrep.conf");
	assert_string_equal(c->dir, real);
	conf_free(c);
	free(path);
	diag_release(&d);
}

static void
test_load_missing(void **state)
{
	struct fixture *f = *state;
	struct diags d = DIAGS_INIT;
	static struct conf sentinel;
	struct conf *c = &sentinel;
	char *path = join(f->dir, "nope.conf");

	err_clear();
	assert_int_equal(conf_load(&c, &d, path), SR_ENOTFOUND);
	assert_null(c);
	assert_int_equal(d.n, 0);
	assert_non_null(strstr(err_last(), path));
	free(path);
}

static void
test_load_invalid(void **state)
{
	struct fixture *f = *state;
	struct diags d = DIAGS_INIT;
	struct conf *c = NULL;
	char *path = join(f->dir, "sitrep.conf");
	bool ok;

	testutil_write(f->dir, "sitrep.conf",
		       "# a comment\n"
		       "http = { listen = \"localhost\"; };\n");
	assert_int_equal(conf_load(&c, &d, path), SR_EINVALID);
	assert_null(c);
	ok = found(&d, path, 2, "must be ADDRESS:PORT") && count(&d, 1);
	diag_release(&d);
	free(path);
	check(ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_default_text),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_setting),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_duplicate_component),
		cmocka_unit_test(test_duplicate_person),
		cmocka_unit_test(test_bad_person_tier),
		cmocka_unit_test(test_roster_unknown_person),
		cmocka_unit_test(test_account_unknown_component),
		cmocka_unit_test(test_channel_secret),
		cmocka_unit_test(test_channel_without_url),
		cmocka_unit_test(test_email_without_smtp_url),
		cmocka_unit_test(test_smtp_url_scheme),
		cmocka_unit_test(test_smtp_url_scheme_line_in_multiline_channel),
		cmocka_unit_test(test_unknown_channel_type),
		cmocka_unit_test(test_page_url_scheme),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_listen_without_port),
		cmocka_unit_test(test_listen_without_port_ipv6_or_empty),
		cmocka_unit_test(test_roster_person_without_contact),
		cmocka_unit_test(test_contact_refused),
		cmocka_unit_test(test_mention_channel),
		cmocka_unit_test(test_email_contact_without_email_channel),
		cmocka_unit_test(test_notify_refused),
		cmocka_unit_test(test_roster_refused),
		cmocka_unit_test(test_paging_refused),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test_setup_teardown(test_find_explicit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_xdg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_nothing, setup, teardown),
		cmocka_unit_test(test_http_limits),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_invalid, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
