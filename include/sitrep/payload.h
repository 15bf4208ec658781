/* payload.h: what each kind of channel receives for one update: a Standard
 * Webhooks event, a Slack, Teams (Adaptive Card) or Discord message, or an
 * e-mail's subject and text. Sending it is the delivery engine's business
 * (src/deliver: sendhttp.c, sendsmtp.c). */
#ifndef SITREP_PAYLOAD_H
#define SITREP_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sitrep/buf.h"

struct conf;
struct store;
struct store_incident;
struct store_update;

/* Everything a message about one update says, as owned strings. */
struct payload {
	char *page_name, *page_url;
	char *incident_url;     /* an update to the customers: the incident's own page
				 * (page_url + incidents/inc-<n>); else page_url */
	int64_t incident_id;
	char *title;
	int severity;           /* 1..4 */
	char *status;           /* the incident's status after the update */
	char **components;      /* display names */
	size_t ncomponents;
	int64_t update_id;
	char *kind;             /* update, apology */
	char *audience;
	char *body;
	int64_t published_at;   /* ms; 0 while a draft */
	int64_t next_update_at; /* ms; 0 for no promise */
};

/* Fill p from an update and its incident (whose component ids are named
 * with the site config's names). */
void payload_from(struct payload *p, const struct conf *c, const struct store_incident *inc,
		  char *const *components, size_t ncomponents, const struct store_update *u);
/* The same, with the incident's components read from the store. */
int payload_load_incident(struct payload *p, struct store *s, const struct conf *c,
			  const struct store_incident *inc, const struct store_update *u);
/* The same, read from the store by update id. */
int payload_load(struct payload *p, struct store *s, const struct conf *c, int64_t update_id);
void payload_release(struct payload *p);

/* Whether audience is the team's own (internal, executives): only those
 * read an incident's internal title; everyone else its public one. */
bool payload_team_audience(const char *audience);

/* text without control characters (line ends and tabs kept when
 * keep_lines); the caller frees it. */
char *payload_clean(const char *text, bool keep_lines);

/* text with Slack's markup characters (&, <, >) escaped as entities; the
 * caller frees it. */
char *payload_slack_escape(const char *text);

/* The body a channel of type (webhook, slack, teams, discord) receives, as
 * JSON. SR_EINVALID, appending nothing, when a text of p is not valid
 * UTF-8 (a row written to the store unchecked) or cannot be encoded: the
 * message cannot be sent, ever. */
int payload_json(struct buf *out, const char *type, const struct payload *p);
/* An e-mail's subject ("[Example Status] INC-7 API down: identified") and
 * its text (the update, then where to follow it); payload_text fails as
 * payload_json does. */
char *payload_subject(const struct payload *p);
int payload_text(struct buf *out, const struct payload *p);

/*
 * A notice that is not an update (a reminder, a maintenance) for a channel
 * of type: the same shapes with a title and a text; event names the
 * Standard Webhooks event type ("incident.reminder"). For e-mail it is the
 * text (the title is the subject). SR_EINVALID when title or text is not
 * valid UTF-8.
 */
int payload_notice(struct buf *out, const char *type, const char *event,
		    const char *title, const char *text, const char *url, int64_t at);

/* What a maintenance's notice says about it, for a machine. */
struct payload_maintenance {
	int64_t id;                   /* "mnt-<id>", as in the Statuspage API */
	const char *name;
	const char *status;           /* scheduled, in_progress, completed, cancelled */
	int64_t scheduled_for, scheduled_until; /* ms */
	char *const *components;      /* config ids */
	size_t ncomponents;
};

/* A maintenance's notice: payload_notice's, and for a webhook its data
 * also carries "maintenance": { id, name, status, scheduled_for,
 * scheduled_until (ISO 8601), components }, so a receiver can match the
 * start and the end to the announcement. */
int payload_maintenance_notice(struct buf *out, const char *type, const char *event,
			       const char *title, const char *text, const char *url,
			       int64_t at, const struct payload_maintenance *m);

/*
 * A message to one person about a page, for one of their contacts: the
 * page itself (event "incident.page", headline "you are paged as ROLE"),
 * "acknowledged by X" to the others paged, or a notice about the paging
 * (nobody acknowledged, nobody could be told) to the commander. It says
 * the incident, title, severity, role, who else is paged and the
 * acknowledgement link. Strings are borrowed.
 */
struct payload_page {
	const char *event;      /* incident.page, incident.page_acknowledged, ... */
	int64_t page_id;        /* 0: not about one page */
	int64_t incident_id;    /* 0: about no incident (a handoff notice:
				 * "[sitrep] HEADLINE", "incident": null) */
	const char *title;      /* the incident's (internal) title */
	int severity;           /* 1..4 */
	const char *role;       /* NULL: none */
	const char *person;     /* whom it is for */
	char *const *others;    /* the others paged for role */
	size_t nothers;
	const char *ack_url;    /* NULL: none */
	const char *user;       /* a mention's Slack or Discord user id */
	const char *headline;   /* "you are paged as ops", "acknowledged by bob" */
	const char *text;       /* more to say; NULL */
	int64_t at;             /* ms */
	bool test;              /* a test page (sitrep page --test): about no
				 * incident, subject "[PAGE TEST] headline" */
};

/*
 * p for a contact of contact_type (email, webhook, slack_mention,
 * discord_mention): an e-mail's text with *subject ("[PAGE] INC-7 SEV1
 * title: you are paged as ops"; the caller frees it; NULL for the
 * others), a Standard Webhooks event, a Slack message whose text starts
 * "<@USER>", or a Discord message mentioning that user only. SR_EINVALID
 * when a text is not valid UTF-8.
 */
int payload_page(struct buf *out, char **subject, const char *contact_type,
		 const struct payload_page *p);

/* page_url joined with a relative path ("incidents/inc-7"), one slash
 * between; the caller frees it. */
char *payload_url(const char *page_url, const char *path);

#endif
