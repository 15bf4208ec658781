/* paging.h: what a page sends to people. A page becomes one outbox row
 * per notification rule of the person paged that applies at the
 * incident's severity, due paged_at + after, rendered when queued; the
 * others paged hear "acknowledged by X"; the commander (or the opener)
 * hears when nobody answers or nobody can be told. Which pages exist and
 * when they end is escalate.h's. Everything here runs inside the caller's
 * transaction. */
#ifndef SITREP_PAGING_H
#define SITREP_PAGING_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct conf_contact;
struct conf_notify;
struct conf_person;
struct incident_ctx;
struct playbook;
struct store_incident;
struct store_page;

/* The channel a contact's notifications go through: contact->channel,
 * else (a config read before contacts named one) the paging e-mail
 * channel for e-mail and "HANDLE/ID" for a webhook; NULL when none. The
 * result may be buf. */
const char *paging_contact_channel(char *buf, size_t len, const struct conf *c,
				   const struct conf_person *p, const struct conf_contact *ct);

/* Whether a notify rule applies at severity (1..4). */
int paging_rule_applies(const struct conf_notify *rule, int severity);

/*
 * Queue the notifications of page (written already; its id set) to its
 * person: one row per notify rule that applies at inc's severity, due at
 * page->paged_at + after, carrying page_id and contact "HANDLE/ID", each
 * saying the incident, title, severity, role, the others paged (others,
 * n) and the acknowledgement link. *queued says how many: 0 when the
 * person has no rule that applies (no working contact).
 */
int paging_notify_page(int64_t *queued, struct incident_ctx *ctx,
		       const struct store_incident *inc, const struct store_page *page,
		       char *const *others, size_t nothers);

/* A message to one person about the paging of inc, through the contact of
 * their first rule that applies (due now). */
struct paging_message {
	const char *event;    /* incident.page_acknowledged, ... */
	int64_t page_id;      /* 0: none */
	const char *role;     /* NULL: none */
	char *const *others;  /* the others paged for role */
	size_t nothers;
	const char *headline; /* "acknowledged by bob" */
	const char *text;     /* NULL */
};
int paging_tell(int64_t *queued, struct incident_ctx *ctx, const struct store_incident *inc,
		const char *person, const struct paging_message *m);

/*
 * A notice to person outside any page and incident (an on-call handoff):
 * through the contact of their first rule for every severity (else their
 * first rule), due now; the outbox row carries contact "HANDLE/ID", no
 * page and no incident. *queued is 0 when they have no rule.
 */
int paging_tell_person(int64_t *queued, struct incident_ctx *ctx, const char *person,
		       const char *event, const char *headline, const char *text);

/* m to the commander (every holder; the opener when there is none)
 * through their contacts, and to the internal channels (pb's routes); the
 * names told go in *told (the caller frees; may be NULL). */
int paging_tell_commander(int64_t *queued, char **told, struct incident_ctx *ctx,
			  const struct store_incident *inc, const struct playbook *pb,
			  const struct paging_message *m);

#endif
