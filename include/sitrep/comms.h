/* comms.h: what an incident says to its audiences: status updates and
 * apologies with their approval and their "next update by" promise,
 * customer touchpoints, and the messages publishing queues (through
 * outbox.h). How a row travels is deliver.h's business. */
#ifndef SITREP_COMMS_H
#define SITREP_COMMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident_ctx;
struct incident_var;
struct payload;
struct playbook;
struct store_incident;

/* The longest text of an update, in bytes, once its template is filled:
 * what a chat message, a mail and a status page entry can carry. */
#define COMMS_BODY_MAX 16384

/* What `sitrep update` and `sitrep apologize` ask for. */
struct comms_post {
	int64_t incident;
	bool apology;
	const char *audience;
	const char *status;      /* the incident status it moves to; NULL */
	const char *text;        /* -m; or */
	const char *template_id; /* --template (for an apology, the playbook's
				  * apology template when both are NULL) */
	const char *account;     /* addressed to one customer account; NULL */
	int64_t next;            /* seconds until the next update; 0: the
				  * playbook's cadence for the audience;
				  * negative: no promise */
	bool dry_run;
	int64_t publish_at;      /* ms: publish then (sitrepd does); 0: now */
	const struct incident_var *vars; /* --var: set first, in the same change */
	size_t nvars;
};

/* One destination a published update is queued for. */
struct comms_route {
	char *channel;     /* config channel id; NULL for webhook subscribers */
	char type[8];      /* webhook, slack, teams, discord, email */
	char *recipient;   /* an e-mail address; NULL for the channel's URL */
	char *subscribers; /* "email" or "webhook": one row per such subscriber */
	int64_t count;     /* rows it stands for */
	char *from_name;   /* e-mail: the playbook route's sender name; NULL */
	char *subject;     /* e-mail: the playbook route's subject, filled; NULL */
};

struct comms_posted {
	int64_t update_id;     /* 0 for a dry run */
	char state[12];        /* draft or published (what it would be, dry) */
	char *body;
	int64_t next_update_at;
	char *approval;        /* while a draft that needs approval: who may */
	int64_t publish_at;    /* a scheduled update: when it is published */
	int64_t queued;        /* outbox rows written */
	struct comms_route *routes;
	size_t nroutes;
	struct payload *preview; /* a dry run: what the channels would say */
	char *empty_vars;        /* a dry run: optional variables the text
				  * uses or could use that have no value */
};

int comms_post(struct comms_posted *out, struct incident_ctx *ctx,
	       const struct comms_post *req);
void comms_posted_release(struct comms_posted *p);

/* "UPD-3" or "3". */
int comms_parse_update_id(int64_t *out, const char *text);

/* The two-person rule: a holder of an approver role who is not the author. */
int comms_approve(struct incident_ctx *ctx, int64_t update_id);
/* Publish a draft that needs no approval, or an approved one; *queued says
 * how many outbox rows were written. */
int comms_publish(int64_t *queued, struct incident_ctx *ctx, int64_t update_id);
int comms_withdraw(struct incident_ctx *ctx, int64_t update_id, const char *reason);

/* A customer touchpoint made by a person. */
int comms_contact(struct incident_ctx *ctx, int64_t incident, const char *account,
		  const char *via, const char *summary);

/*
 * Queue a notice (a reminder, a maintenance) to every channel serving
 * audience, and for the customers to their subscribers, inside the
 * caller's transaction. event is the webhook event type; incident_id may
 * be 0.
 */
int comms_notify(int64_t *queued, struct incident_ctx *ctx, int64_t incident_id,
		 const char *audience, const char *event, const char *title, const char *text);
/* The same for an incident whose playbook pb (may be NULL) routes its
 * audiences to channels of its own (a reminder of a breach goes only
 * where the breach's internal updates go). */
int comms_notify_routed(int64_t *queued, struct incident_ctx *ctx, const struct playbook *pb,
			int64_t incident_id, const char *audience, const char *event,
			const char *title, const char *text);
/* A maintenance's notice to the customers: its channels, and the
 * subscribers whose component filter meets its components; e-mail subjects
 * carry the page's name, webhooks the maintenance's id and window. */
struct store_maintenance;
int comms_notify_maintenance(int64_t *queued, struct incident_ctx *ctx,
			     const struct store_maintenance *m, const char *event,
			     const char *title, const char *text);
/* "2026-12-05 06:46 UTC until 07:46 UTC": a maintenance window for
 * people, the date shown unless it is today's (now's), seconds when the
 * window is shorter than a few minutes. */
void comms_format_window(char *out, size_t len, int64_t from, int64_t until, int64_t now);

/* One promise: "next update to AUDIENCE by promised_at", made by update. */
enum comms_promise_state { PROMISE_PENDING, PROMISE_KEPT, PROMISE_BROKEN };
struct comms_promise {
	int64_t update_id;
	int64_t promised_at;
	int64_t kept_by;   /* the update that kept it; 0 */
	enum comms_promise_state state;
};

struct comms_audience {
	char *audience;
	int64_t last_update_id, last_at; /* 0 when none yet */
	int64_t next_at;                 /* the promise in force; 0 */
	int64_t first_due;               /* first_within after open, while none yet */
	struct comms_promise *promises;
	size_t npromises;
};

struct comms_apology {
	char *audience;
	int64_t due_at;
	int64_t update_id, sent_at; /* 0 while not sent */
};

struct comms_summary {
	struct comms_audience *audiences;
	size_t naudiences;
	struct comms_apology *apologies; /* owed by the playbook's policy */
	size_t napologies;
	char **to_contact;               /* priority accounts not yet contacted */
	size_t nto_contact;
};

/* Where an incident stands with its audiences at now. */
int comms_summarize(struct comms_summary *out, struct incident_ctx *ctx,
		    const struct store_incident *inc, const struct playbook *pb, int64_t now);
void comms_summary_release(struct comms_summary *s);

#endif
