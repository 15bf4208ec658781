/* migrate.c: the schema of the store, as an ordered list of migrations, and
 * the code that brings a database up to date. Opening the connection and
 * everything that reads or writes rows is left to store.c. */
#include <stdio.h>

#include <sqlite3.h>

#include "sitrep/err.h"
#include "sitrep/log.h"
#include "sitrep/store.h"
#include "migrate.h"

/*
 * migrations[i] brings PRAGMA user_version from i to i + 1. Entries are never
 * edited once released: a database in the field may already have run them.
 * Later versions add tables (and indexes, triggers) rather than rewrite
 * these, so a migration stays a few CREATE statements.
 */
static const char *const migrations[] = {
	/* 0 -> 1: incidents, their components, and the timeline. Times are
	 * ms since the epoch; prev_hash is the hex SHA-256 of the incident's
	 * previous event, '' for its first. */
	"CREATE TABLE incidents (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	playbook TEXT NOT NULL,\n"
	"	playbook_commit TEXT NOT NULL,\n"
	"	title TEXT NOT NULL,\n"
	"	severity TEXT NOT NULL\n"
	"	    CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),\n"
	"	status TEXT NOT NULL\n"
	"	    CHECK (status IN ('investigating', 'identified',\n"
	"	    'monitoring', 'resolved', 'closed')),\n"
	"	opened_by TEXT NOT NULL,\n"
	"	opened_at INTEGER NOT NULL,\n"
	"	updated_at INTEGER NOT NULL,\n"
	"	resolved_at INTEGER,\n"
	"	closed_at INTEGER\n"
	") STRICT;\n"
	/* Listing open incidents must not scan every closed one. */
	"CREATE INDEX incidents_status ON incidents (status, id);\n"

	"CREATE TABLE incident_components (\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	component TEXT NOT NULL,\n"
	"	status TEXT NOT NULL\n"
	"	    CHECK (status IN ('operational', 'degraded_performance',\n"
	"	    'partial_outage', 'major_outage', 'under_maintenance')),\n"
	"	PRIMARY KEY (incident_id, component)\n"
	") STRICT;\n"

	"CREATE TABLE events (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	at INTEGER NOT NULL,\n"
	"	actor TEXT NOT NULL,\n"
	"	kind TEXT NOT NULL,\n"
	"	details TEXT NOT NULL CHECK (json_valid(details)),\n"
	"	prev_hash TEXT NOT NULL,\n"
	"	hash TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX events_incident ON events (incident_id, id);\n"
	/* The timeline is evidence: nothing rewrites or removes it. */
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN\n"
	"	SELECT RAISE(ABORT, 'timeline events are append-only');\n"
	"END;\n"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN\n"
	"	SELECT RAISE(ABORT, 'timeline events are append-only');\n"
	"END;\n"
	/* What validating a playbook blob found, so `playbook list` parses
	 * only what changed. context names the validator build and the site
	 * config's components, the other inputs of the result. */
	"CREATE TABLE playbook_summaries (\n"
	"	blob TEXT NOT NULL,\n"
	"	context TEXT NOT NULL,\n"
	"	title TEXT,\n"
	"	severity INTEGER NOT NULL,\n"
	"	problems INTEGER NOT NULL,\n"
	"	PRIMARY KEY (blob, context)\n"
	") STRICT, WITHOUT ROWID;\n",

	/* 1 -> 2: working an incident: who holds which role, which steps are
	 * done, and the pages sent to the support tiers. */
	"CREATE TABLE incident_roles (\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	role TEXT NOT NULL,\n"
	"	person TEXT NOT NULL,\n"
	"	since INTEGER NOT NULL,\n"
	"	PRIMARY KEY (incident_id, role, person)\n"
	") STRICT;\n"
	"CREATE TABLE incident_steps (\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	step TEXT NOT NULL,\n"
	"	state TEXT NOT NULL CHECK (state IN ('done', 'skipped')),\n"
	"	at INTEGER NOT NULL,\n"
	"	actor TEXT NOT NULL,\n"
	"	note TEXT,\n"
	"	PRIMARY KEY (incident_id, step)\n"
	") STRICT;\n"
	/* One row per person paged; timeout_at is when the daemon escalates
	 * an unacknowledged page. */
	"CREATE TABLE pages (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	role TEXT NOT NULL,\n"
	"	tier INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 4),\n"
	"	person TEXT NOT NULL,\n"
	"	paged_at INTEGER NOT NULL,\n"
	"	timeout_at INTEGER NOT NULL,\n"
	"	state TEXT NOT NULL\n"
	"	    CHECK (state IN ('open', 'acked', 'escalated', 'cancelled')),\n"
	"	closed_at INTEGER\n"
	") STRICT;\n"
	"CREATE INDEX pages_incident ON pages (incident_id, state);\n"
	"CREATE INDEX pages_due ON pages (state, timeout_at);\n",

	/* 2 -> 3: communications. Updates (and apologies) with their approval
	 * and promise; customer touchpoints; subscribers; and the outbox, one
	 * row per message per recipient, whose msg_id is the webhook-id and
	 * the e-mail's Message-ID on every attempt. */
	"CREATE TABLE updates (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('update', 'apology')),\n"
	"	audience TEXT NOT NULL,\n"
	"	status TEXT,\n"
	"	template TEXT,\n"
	"	account TEXT,\n"
	"	body TEXT NOT NULL,\n"
	"	next_update_at INTEGER,\n"
	"	state TEXT NOT NULL\n"
	"	    CHECK (state IN ('draft', 'approved', 'published', 'withdrawn')),\n"
	"	author TEXT NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	approver TEXT,\n"
	"	approved_at INTEGER,\n"
	"	published_at INTEGER,\n"
	"	withdrawn_by TEXT,\n"
	"	withdrawn_at INTEGER,\n"
	"	publish_at INTEGER\n"
	") STRICT;\n"
	"CREATE INDEX updates_incident ON updates (incident_id, id);\n"
	"CREATE INDEX updates_scheduled ON updates (publish_at)\n"
	"    WHERE publish_at IS NOT NULL AND state IN ('draft', 'approved');\n"
	"CREATE TABLE touchpoints (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	account TEXT NOT NULL,\n"
	"	via TEXT NOT NULL CHECK (via IN ('phone', 'email', 'chat', 'social')),\n"
	"	summary TEXT NOT NULL,\n"
	"	actor TEXT NOT NULL,\n"
	"	at INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX touchpoints_incident ON touchpoints (incident_id, account);\n"
	"CREATE TABLE subscribers (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),\n"
	"	address TEXT NOT NULL,\n"
	"	secret TEXT,\n"
	"	token TEXT NOT NULL UNIQUE,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	disabled_at INTEGER,\n"
	"	disabled_reason TEXT\n"
	") STRICT;\n"
	"CREATE UNIQUE INDEX subscribers_active ON subscribers (kind, address)\n"
	"    WHERE disabled_at IS NULL;\n"
	"CREATE TABLE subscriber_components (\n"
	"	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),\n"
	"	component TEXT NOT NULL,\n"
	"	PRIMARY KEY (subscriber_id, component)\n"
	") STRICT, WITHOUT ROWID;\n"
	/* channel: the site config's channel; subscriber_id: a subscriber's
	 * own webhook or address. recipient is the e-mail address or the
	 * subscriber's URL; a channel's URL stays in its secret file. subject
	 * and payload carry messages that are not updates (reminders).
	 * lease_until marked a row the delivery engine had taken (unused
	 * since schema 5). */
	"CREATE TABLE outbox (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	msg_id TEXT NOT NULL UNIQUE,\n"
	"	incident_id INTEGER REFERENCES incidents (id),\n"
	"	update_id INTEGER REFERENCES updates (id),\n"
	"	channel TEXT,\n"
	"	subscriber_id INTEGER REFERENCES subscribers (id),\n"
	"	type TEXT NOT NULL\n"
	"	    CHECK (type IN ('webhook', 'slack', 'teams', 'discord', 'email')),\n"
	"	recipient TEXT,\n"
	"	subject TEXT,\n"
	"	payload TEXT,\n"
	"	state TEXT NOT NULL\n"
	"	    CHECK (state IN ('pending', 'retrying', 'sent', 'dead')),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	next_at INTEGER NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	sent_at INTEGER,\n"
	"	last_status INTEGER,\n"
	"	last_error TEXT,\n"
	"	lease_until INTEGER\n"
	") STRICT;\n"
	"CREATE INDEX outbox_due ON outbox (next_at)\n"
	"    WHERE state IN ('pending', 'retrying');\n"
	"CREATE INDEX outbox_state ON outbox (state, id);\n"
	"CREATE INDEX outbox_update ON outbox (update_id);\n",

	/* 3 -> 4: the daemon. Scheduled maintenances and their components;
	 * and the reminders the scheduler has fired, one row per reminder
	 * key, so that none fires twice, across restarts too. */
	"CREATE TABLE maintenances (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	title TEXT NOT NULL,\n"
	"	body TEXT,\n"
	"	state TEXT NOT NULL CHECK (state IN ('scheduled', 'in_progress',\n"
	"	    'completed', 'cancelled')),\n"
	"	starts_at INTEGER NOT NULL,\n"
	"	ends_at INTEGER NOT NULL,\n"
	"	created_by TEXT NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	updated_at INTEGER NOT NULL,\n"
	"	started_at INTEGER,\n"
	"	completed_at INTEGER,\n"
	"	cancelled_at INTEGER\n"
	") STRICT;\n"
	"CREATE INDEX maintenances_state ON maintenances (state, starts_at);\n"
	/* The status page's history: incidents opened in the last 90 days,
	 * found without reading older ones. */
	"CREATE INDEX incidents_opened ON incidents (opened_at);\n"
	/* The scheduler finds what changed since it last looked. */
	"CREATE INDEX incidents_updated ON incidents (updated_at);\n"
	"CREATE TABLE maintenance_components (\n"
	"	maintenance_id INTEGER NOT NULL REFERENCES maintenances (id),\n"
	"	component TEXT NOT NULL,\n"
	"	PRIMARY KEY (maintenance_id, component)\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE TABLE reminders (\n"
	"	key TEXT PRIMARY KEY,\n"
	"	incident_id INTEGER REFERENCES incidents (id),\n"
	"	kind TEXT NOT NULL,\n"
	"	due_at INTEGER NOT NULL,\n"
	"	fired_at INTEGER NOT NULL\n"
	") STRICT, WITHOUT ROWID;\n",

	/* 4 -> 5: a cheaper outbox to write, as a fan-out writes a row per
	 * subscriber and then each row once more. msg_id loses its UNIQUE
	 * index (ids are 128 random bits, or a fan-out's 64 random bits and
	 * the subscriber's id: unique by construction, and never looked up);
	 * the (state, id) index becomes one of the rows that need attention
	 * (retrying, dead), as sent rows are most rows and pending ones have
	 * outbox_due. SQLite drops a UNIQUE constraint only by copying the
	 * table. The engine no longer leases the rows it takes: any row an
	 * engine of schema 4 left leased is queued again, due now. */
	"CREATE TABLE outbox_v5 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	msg_id TEXT NOT NULL,\n"
	"	incident_id INTEGER REFERENCES incidents (id),\n"
	"	update_id INTEGER REFERENCES updates (id),\n"
	"	channel TEXT,\n"
	"	subscriber_id INTEGER REFERENCES subscribers (id),\n"
	"	type TEXT NOT NULL\n"
	"	    CHECK (type IN ('webhook', 'slack', 'teams', 'discord', 'email')),\n"
	"	recipient TEXT,\n"
	"	subject TEXT,\n"
	"	payload TEXT,\n"
	"	state TEXT NOT NULL\n"
	"	    CHECK (state IN ('pending', 'retrying', 'sent', 'dead')),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	next_at INTEGER NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	sent_at INTEGER,\n"
	"	last_status INTEGER,\n"
	"	last_error TEXT,\n"
	"	lease_until INTEGER\n"
	") STRICT;\n"
	"INSERT INTO outbox_v5 SELECT id, msg_id, incident_id, update_id, channel,\n"
	"    subscriber_id, type, recipient, subject, payload, state, attempts,\n"
	"    CASE WHEN lease_until IS NOT NULL AND state IN ('pending', 'retrying')\n"
	"        THEN CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)\n"
	"        ELSE next_at END,\n"
	"    created_at, sent_at, last_status, last_error, NULL FROM outbox;\n"
	"DROP TABLE outbox;\n"
	"ALTER TABLE outbox_v5 RENAME TO outbox;\n"
	"CREATE INDEX outbox_due ON outbox (next_at)\n"
	"    WHERE state IN ('pending', 'retrying');\n"
	"CREATE INDEX outbox_failed ON outbox (state, id)\n"
	"    WHERE state IN ('retrying', 'dead');\n"
	"CREATE INDEX outbox_update ON outbox (update_id);\n",

	/* 5 -> 6: the outbox's CHECK constraints as chains of comparisons.
	 * SQLite evaluates `x IN (a, b, c)` of three or more constants in a
	 * CHECK by building a temporary b-tree of the list for every row
	 * written (the once-only guard it uses in queries does not apply
	 * there); a fan-out writes each row twice, and the b-trees were a
	 * third of the cost of queueing it. Same rules, no b-tree. The
	 * unused lease_until goes with the copy. */
	"CREATE TABLE outbox_v6 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	msg_id TEXT NOT NULL,\n"
	"	incident_id INTEGER REFERENCES incidents (id),\n"
	"	update_id INTEGER REFERENCES updates (id),\n"
	"	channel TEXT,\n"
	"	subscriber_id INTEGER REFERENCES subscribers (id),\n"
	"	type TEXT NOT NULL CHECK (type = 'webhook' OR type = 'slack'\n"
	"	    OR type = 'teams' OR type = 'discord' OR type = 'email'),\n"
	"	recipient TEXT,\n"
	"	subject TEXT,\n"
	"	payload TEXT,\n"
	"	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'retrying'\n"
	"	    OR state = 'sent' OR state = 'dead'),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	next_at INTEGER NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	sent_at INTEGER,\n"
	"	last_status INTEGER,\n"
	"	last_error TEXT\n"
	") STRICT;\n"
	"INSERT INTO outbox_v6 SELECT id, msg_id, incident_id, update_id, channel,\n"
	"    subscriber_id, type, recipient, subject, payload, state, attempts,\n"
	"    next_at, created_at, sent_at, last_status, last_error FROM outbox;\n"
	"DROP TABLE outbox;\n"
	"ALTER TABLE outbox_v6 RENAME TO outbox;\n"
	"CREATE INDEX outbox_due ON outbox (next_at)\n"
	"    WHERE state IN ('pending', 'retrying');\n"
	"CREATE INDEX outbox_failed ON outbox (state, id)\n"
	"    WHERE state IN ('retrying', 'dead');\n"
	"CREATE INDEX outbox_update ON outbox (update_id);\n",

	/* 6 -> 7: the timeline's end kept with its incident, and the pinned
	 * playbooks kept in the store. event_count and head_hash are written
	 * in the transaction of each event (store_event_append), so cutting
	 * events off the end of a chain no longer leaves a chain that
	 * verifies; existing incidents get theirs from the events they have.
	 * playbook_texts holds the text of each playbook an incident was
	 * opened from, keyed by commit and name, so running incidents keep
	 * working when the repository is damaged or the commit was
	 * garbage-collected; it is evidence too, never rewritten. */
	"ALTER TABLE incidents ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN head_hash TEXT NOT NULL DEFAULT '';\n"
	"UPDATE incidents SET\n"
	"    event_count = (SELECT count(*) FROM events e\n"
	"	WHERE e.incident_id = incidents.id),\n"
	"    head_hash = coalesce((SELECT hash FROM events e\n"
	"	WHERE e.incident_id = incidents.id ORDER BY e.id DESC LIMIT 1), '');\n"
	"CREATE TABLE playbook_texts (\n"
	"	playbook_commit TEXT NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	text TEXT NOT NULL,\n"
	"	PRIMARY KEY (playbook_commit, name)\n"
	") STRICT;\n"
	"CREATE TRIGGER playbook_texts_no_update BEFORE UPDATE ON playbook_texts BEGIN\n"
	"	SELECT RAISE(ABORT, 'pinned playbooks are kept as they were');\n"
	"END;\n"
	"CREATE TRIGGER playbook_texts_no_delete BEFORE DELETE ON playbook_texts BEGIN\n"
	"	SELECT RAISE(ABORT, 'pinned playbooks are kept as they were');\n"
	"END;\n",

	/* 7 -> 8: a playbook's route may give an e-mail its own sender name
	 * (a regulator's notice is not signed by the status page). */
	"ALTER TABLE outbox ADD COLUMN from_name TEXT;\n",

	/* 8 -> 9: words for the public. An incident's public title, the one
	 * its customers read, apart from the team's; incidents opened before
	 * were published under their one title and keep it. And the values of
	 * the variables its playbook declares for templates ({{impact}}). */
	"ALTER TABLE incidents ADD COLUMN public_title TEXT;\n"
	"UPDATE incidents SET public_title = title;\n"
	"CREATE TABLE incident_vars (\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	name TEXT NOT NULL,\n"
	"	value TEXT NOT NULL,\n"
	"	set_by TEXT NOT NULL,\n"
	"	set_at INTEGER NOT NULL,\n"
	"	PRIMARY KEY (incident_id, name)\n"
	") STRICT;\n",

	/* 9 -> 10: subscribers' double opt-in. An e-mail subscriber taken through the
	 * public form hears nothing until it follows the link in the
	 * confirmation mail (confirm_token, sent at confirm_sent_at);
	 * subscribers from before were all taken at once, and stay so. A
	 * webhook URL may now be subscribed more than once (each with its
	 * own secret): a second subscribe must not tell anyone the URL is
	 * taken, nor hand out the first one's secret. */
	"ALTER TABLE subscribers ADD COLUMN confirmed_at INTEGER;\n"
	"ALTER TABLE subscribers ADD COLUMN confirm_token TEXT;\n"
	"ALTER TABLE subscribers ADD COLUMN confirm_sent_at INTEGER;\n"
	"UPDATE subscribers SET confirmed_at = created_at;\n"
	"CREATE UNIQUE INDEX subscribers_confirm ON subscribers (confirm_token)\n"
	"    WHERE confirm_token IS NOT NULL;\n"
	"CREATE INDEX subscribers_unconfirmed ON subscribers (created_at)\n"
	"    WHERE confirmed_at IS NULL AND disabled_at IS NULL;\n"
	"DROP INDEX subscribers_active;\n"
	"CREATE UNIQUE INDEX subscribers_active ON subscribers (kind, address)\n"
	"    WHERE disabled_at IS NULL AND kind = 'email';\n"
	"CREATE INDEX subscribers_address ON subscribers (address)\n"
	"    WHERE disabled_at IS NULL;\n",

	/* 10 -> 11: pages reach people (issue 13). A page ends when it is
	 * acknowledged, escalated, cancelled, covered (its role filled), or
	 * ended with its incident; who ended it, how (via: local:<user>,
	 * ack-link, daemon) and why are kept. schedule names the on-call
	 * schedule that put the person on the page (NULL: a roster or a
	 * playbook's named person); exhausted_at marks a page whose last tier
	 * was reached with nobody acknowledging (told once). Each outbox row
	 * that notifies a paged person carries its page and the person's
	 * contact id; the rows of a page that ended before they were due are
	 * 'cancelled', never sent. On-call overrides are kept in the store,
	 * not in git: who covers a schedule from when until when, and why. */
	"CREATE TABLE pages_v11 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	incident_id INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	role TEXT NOT NULL,\n"
	"	tier INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 4),\n"
	"	person TEXT NOT NULL,\n"
	"	paged_at INTEGER NOT NULL,\n"
	"	timeout_at INTEGER NOT NULL,\n"
	"	state TEXT NOT NULL CHECK (state = 'open' OR state = 'acked'\n"
	"	    OR state = 'escalated' OR state = 'cancelled' OR state = 'covered'\n"
	"	    OR state = 'ended'),\n"
	"	closed_at INTEGER,\n"
	"	schedule TEXT,\n"
	"	ended_by TEXT,\n"
	"	ended_via TEXT,\n"
	"	ended_reason TEXT,\n"
	"	exhausted_at INTEGER\n"
	") STRICT;\n"
	"INSERT INTO pages_v11 (id, incident_id, role, tier, person, paged_at,\n"
	"    timeout_at, state, closed_at)\n"
	"    SELECT id, incident_id, role, tier, person, paged_at, timeout_at, state,\n"
	"    closed_at FROM pages;\n"
	"DROP TABLE pages;\n"
	"ALTER TABLE pages_v11 RENAME TO pages;\n"
	"CREATE INDEX pages_incident ON pages (incident_id, state);\n"
	"CREATE INDEX pages_due ON pages (state, timeout_at);\n"
	"CREATE TABLE outbox_v11 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	msg_id TEXT NOT NULL,\n"
	"	incident_id INTEGER REFERENCES incidents (id),\n"
	"	update_id INTEGER REFERENCES updates (id),\n"
	"	channel TEXT,\n"
	"	subscriber_id INTEGER REFERENCES subscribers (id),\n"
	"	type TEXT NOT NULL CHECK (type = 'webhook' OR type = 'slack'\n"
	"	    OR type = 'teams' OR type = 'discord' OR type = 'email'),\n"
	"	recipient TEXT,\n"
	"	subject TEXT,\n"
	"	payload TEXT,\n"
	"	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'retrying'\n"
	"	    OR state = 'sent' OR state = 'dead' OR state = 'cancelled'),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	next_at INTEGER NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	sent_at INTEGER,\n"
	"	last_status INTEGER,\n"
	"	last_error TEXT,\n"
	"	from_name TEXT,\n"
	"	page_id INTEGER REFERENCES pages (id),\n"
	"	contact TEXT\n"
	") STRICT;\n"
	"INSERT INTO outbox_v11 (id, msg_id, incident_id, update_id, channel,\n"
	"    subscriber_id, type, recipient, subject, payload, state, attempts,\n"
	"    next_at, created_at, sent_at, last_status, last_error, from_name)\n"
	"    SELECT id, msg_id, incident_id, update_id, channel, subscriber_id, type,\n"
	"    recipient, subject, payload, state, attempts, next_at, created_at,\n"
	"    sent_at, last_status, last_error, from_name FROM outbox;\n"
	"DROP TABLE outbox;\n"
	"ALTER TABLE outbox_v11 RENAME TO outbox;\n"
	"CREATE INDEX outbox_due ON outbox (next_at)\n"
	"    WHERE state IN ('pending', 'retrying');\n"
	"CREATE INDEX outbox_failed ON outbox (state, id)\n"
	"    WHERE state IN ('retrying', 'dead');\n"
	"CREATE INDEX outbox_update ON outbox (update_id);\n"
	"CREATE INDEX outbox_page ON outbox (page_id) WHERE page_id IS NOT NULL;\n"
	/* a person's contacts and how their last notification went (sitrep
	 * people) without reading every fan-out row */
	"CREATE INDEX outbox_contact ON outbox (contact, state) WHERE contact IS NOT NULL;\n"
	"CREATE TABLE oncall_overrides (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	schedule TEXT NOT NULL,\n"
	"	person TEXT NOT NULL,\n"
	"	from_at INTEGER NOT NULL,\n"
	"	until_at INTEGER NOT NULL CHECK (until_at > from_at),\n"
	"	reason TEXT NOT NULL,\n"
	"	created_by TEXT NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	cancelled_at INTEGER\n"
	") STRICT;\n"
	"CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule, until_at);\n"
	/* A cache of files read from the playbook repository (the *.schedule
	 * files `sitrep oncall` and every page read), so that a command whose
	 * branch head has not moved reads them without loading libgit2. A
	 * listing is the complete set of files with a suffix at one commit;
	 * its row is written in the transaction of its files, so a listing
	 * present is a listing complete. A commit names exactly one tree, so
	 * an entry never goes stale; only the newest listings are kept
	 * (store-gitcache.c). Nothing here is evidence: any of it may go. */
	"CREATE TABLE gitcache_listings (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	commit_id TEXT NOT NULL,\n"
	"	suffix TEXT NOT NULL,\n"
	"	nfiles INTEGER NOT NULL,\n"
	"	UNIQUE (commit_id, suffix)\n"
	") STRICT;\n"
	"CREATE TABLE gitcache_files (\n"
	"	listing INTEGER NOT NULL REFERENCES gitcache_listings (id)\n"
	"	    ON DELETE CASCADE,\n"
	"	name TEXT NOT NULL,\n"
	"	content BLOB NOT NULL,\n"
	"	PRIMARY KEY (listing, name)\n"
	") STRICT, WITHOUT ROWID;\n",
	/* 11 -> 12: whether an open page can still reach anyone is read
	 * from the index alone (the scheduler asks whenever the store
	 * changed: with the state in the table, that was a row read per
	 * notification of every open page). */
	"DROP INDEX outbox_page;\n"
	"CREATE INDEX outbox_page ON outbox (page_id, state) WHERE page_id IS NOT NULL;\n",
	/* 12 -> 13: every event records how its actor was authenticated
	 * (local:<os user>, api:<token name>, ack-link, daemon); NULL for
	 * the events written before, whose hashes do not cover it */
	"ALTER TABLE events ADD COLUMN via TEXT CHECK (via IS NULL OR length(via) BETWEEN 1 AND 200);\n",
	/* 13 -> 14: API tokens (issue 14): the public prefix, looked up, and
	 * the hex SHA-256 of the whole token, never the token itself; one
	 * active token of a name per person. And the audit log: what is not
	 * about one incident (tokens created and revoked), hash-chained like
	 * a timeline (store_event_hash with incident 0) and append-only. */
	"CREATE TABLE tokens (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	prefix TEXT NOT NULL UNIQUE,\n"
	"	digest TEXT NOT NULL,\n"
	"	person TEXT NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	scopes TEXT NOT NULL,\n"
	"	created_at INTEGER NOT NULL, created_by TEXT NOT NULL, created_via TEXT NOT NULL,\n"
	"	expires_at INTEGER NOT NULL,\n"
	"	last_used_at INTEGER,\n"
	"	revoked_at INTEGER, revoked_by TEXT, revoked_via TEXT\n"
	") STRICT;\n"
	"CREATE UNIQUE INDEX tokens_name ON tokens (person, name) WHERE revoked_at IS NULL;\n"
	"CREATE TABLE audit (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	at INTEGER NOT NULL, actor TEXT NOT NULL, via TEXT NOT NULL,\n"
	"	kind TEXT NOT NULL,\n"
	"	details TEXT NOT NULL CHECK (json_valid(details)),\n"
	"	prev_hash TEXT NOT NULL, hash TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN\n"
	"	SELECT RAISE(ABORT, 'the audit log is append-only');\n"
	"END;\n"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN\n"
	"	SELECT RAISE(ABORT, 'the audit log is append-only');\n"
	"END;\n",
	/* 14 -> 15: how an update's author and approver were authenticated
	 * (incident_via): the two-person rule compares credentials as well
	 * as people; NULL for the updates written before */
	"ALTER TABLE updates ADD COLUMN author_via TEXT;\n"
	"ALTER TABLE updates ADD COLUMN approver_via TEXT;\n",
	/* 15 -> 16: the audit log's end, kept beside it in the transaction
	 * of each entry (as an incident keeps its timeline's), so entries cut
	 * off its end are found: the chain alone cannot tell */
	"CREATE TABLE audit_head (\n"
	"	id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	count INTEGER NOT NULL,\n"
	"	hash TEXT NOT NULL\n"
	") STRICT;\n"
	"INSERT INTO audit_head (id, count, hash) VALUES (1, (SELECT count(*) FROM audit),\n"
	"    coalesce((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), ''));\n",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

static int
migrate_user_version(int *out, sqlite3 *db, const char *path)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt,
	    NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot read schema version of "
		    "database '%s': %s", path, sqlite3_errmsg(db));
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err_set(SR_ESYS, "cannot read schema version of database "
		    "'%s': %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return SR_ESYS;
	}
	*out = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

static int
migrate_check(int version, const char *path)
{
	if (version > STORE_SCHEMA_VERSION)
		return err_set(SR_EREFUSED, "database '%s' has schema version "
		    "%d, newer than this sitrep understands (%d): upgrade "
		    "sitrep", path, version, STORE_SCHEMA_VERSION);
	if (version < 0)
		return err_set(SR_EREFUSED, "database '%s' has schema version "
		    "%d, which is not one sitrep ever wrote", path, version);
	return 0;
}

static void
migrate_rollback(sqlite3 *db)
{
	/* Some errors (SQLITE_FULL, SQLITE_IOERR) have rolled back already. */
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Bring the database at path up to STORE_SCHEMA_VERSION. The version is
 * read first without a lock, so that opening an up-to-date database (every
 * CLI command does) never waits for a writer, and a database from a newer
 * sitrep is refused without being written to. Pending migrations then run in
 * one BEGIN IMMEDIATE transaction: all of them or none. The version is read
 * again inside it, because another process may have migrated meanwhile.
 */
int
migrate_run(sqlite3 *db, const char *path)
{
	char sql[64];
	int version, from, rc;

	if ((rc = migrate_user_version(&version, db, path)) != 0)
		return rc;
	if ((rc = migrate_check(version, path)) != 0)
		return rc;
	if (version == STORE_SCHEMA_VERSION)
		return 0;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return err_set(SR_ESYS, "cannot lock database '%s' to migrate "
		    "it: %s", path, sqlite3_errmsg(db));
	if ((rc = migrate_user_version(&version, db, path)) != 0 ||
	    (rc = migrate_check(version, path)) != 0) {
		migrate_rollback(db);
		return rc;
	}
	from = version;
	for (; version < STORE_SCHEMA_VERSION; version++) {
		if (sqlite3_exec(db, migrations[version], NULL, NULL,
		    NULL) != SQLITE_OK) {
			err_set(SR_ESYS, "cannot migrate database '%s' to "
			    "schema version %d: %s", path, version + 1,
			    sqlite3_errmsg(db));
			migrate_rollback(db);
			return SR_ESYS;
		}
	}
	/* A PRAGMA takes no parameters; the value is our own integer. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(SR_ESYS, "cannot migrate database '%s' to schema "
		    "version %d: %s", path, version, sqlite3_errmsg(db));
		migrate_rollback(db);
		return SR_ESYS;
	}
	if (from != version)
		log_debug("migrated database '%s' from schema version %d to %d",
		    path, from, version);
	return 0;
}
