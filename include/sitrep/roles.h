/* roles.h: who holds which of the pinned playbook's roles on an incident,
 * and the rules for taking, assigning, releasing and handing them over.
 * Also the playbook's steps being done or skipped. */
#ifndef SITREP_ROLES_H
#define SITREP_ROLES_H

#include <stdint.h>

struct incident_ctx;

/* The acting person takes role (anyone may take a role that is not full). */
int roles_take(struct incident_ctx *ctx, int64_t id, const char *role);
/* The commander gives role to person. */
int roles_assign(struct incident_ctx *ctx, int64_t id, const char *role,
		 const char *person);
/* person (the actor when NULL) stops holding role: the holder or the
 * commander may do this. */
int roles_release(struct incident_ctx *ctx, int64_t id, const char *role,
		  const char *person);
/* The holder (or the commander) hands role over to person, with a note:
 * one event names outgoing, incoming and the note. */
int roles_handoff(struct incident_ctx *ctx, int64_t id, const char *role,
		  const char *person, const char *note);

/* Mark a step done or skipped (state "done" or "skipped"; skip needs a note). */
int steps_mark(struct incident_ctx *ctx, int64_t id, const char *step,
	       const char *state, const char *note);

/*
 * Inside the transaction of a change just recorded as an event of kind
 * with details (an update published to an audience, a role taken or
 * assigned, a status reached), mark done every open step of inc's playbook
 * whose completes_on names that action, each with a step_done event saying
 * what completed it. Changes that complete nothing cost nothing.
 */
struct json;
struct store_incident;
int steps_complete_on(struct incident_ctx *ctx, const struct store_incident *inc,
		      const char *kind, const struct json *details);

#endif
