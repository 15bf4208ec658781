/* incident.h: an incident's life: opened from a playbook pinned at a
 * commit, its status, severity and components, and who may change them.
 * Every change is one transaction with its timeline event. */
#ifndef SITREP_INCIDENT_H
#define SITREP_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct playbook;
struct repo;
struct store;
struct store_incident;

/* What every incident operation needs: the workspace and who is acting. */
struct incident_ctx {
	const struct conf *conf;
	struct repo *repo;
	struct store *store;
	const char *actor;
	/* how actor was authenticated: "local:<os user>", "api:<token name>",
	 * "ack-link"; NULL: "daemon" for sitrepd, else local:<actor> */
	const char *via;
	bool daemon;  /* sitrepd acting on its own: not one of the people */
};

/* How ctx's actor was authenticated, as events and pages record it
 * (buf holds it when it is made up). */
#define INCIDENT_VIA_MAX 200
const char *incident_via(char *buf, size_t len, const struct incident_ctx *ctx);

/* The actor sitrepd's own actions are recorded under. */
#define INCIDENT_DAEMON_ACTOR "sitrepd"

/* "INC-7", "inc-7" or "7" -> 7; SR_EUSAGE otherwise. */
int incident_parse_id(int64_t *out, const char *text);

/* The longest title, in bytes (a status page's heading, a mail's subject). */
#define INCIDENT_TITLE_MAX 200

/*
 * Whether title can be a title (of an incident, a maintenance: what names
 * it): SR_EUSAGE when NULL, SR_EINVALID when it is blank (spaces only),
 * longer than INCIDENT_TITLE_MAX or not valid UTF-8, the message naming
 * what.
 */
int incident_check_title(const char *what, const char *title);

/* The longest reason or note, in bytes (why a page was cancelled, why an
 * on-call override was made). */
#define INCIDENT_NOTE_MAX 2000

/* Whether text can be a reason (what, "the reason"): not blank, at most
 * INCIDENT_NOTE_MAX bytes, valid UTF-8; SR_EINVALID naming what is wrong. */
int incident_check_note(const char *what, const char *text);

/*
 * Open an incident from playbook name at commit sha (already resolved):
 * severity 0 takes the playbook's default; components NULL takes the
 * playbook's. The playbook must validate at that commit.
 */
int incident_open(int64_t *out_id, struct incident_ctx *ctx, const char *name,
		  const char *sha, const char *title, int severity,
		  char *const *components, size_t ncomponents);

/* A value given to a playbook's declared template variable, or to
 * "public_title" (`--var NAME=VALUE`, `sitrep set INC NAME VALUE`). */
struct incident_var {
	const char *name;
	const char *value;
};

/* What `sitrep open` asks for beyond incident_open's arguments. */
struct incident_open_req {
	const char *playbook, *sha, *title;
	const char *public_title;  /* NULL: the playbook's public_title, else its title */
	int severity;
	char *const *components;   /* NULL: the playbook's */
	size_t ncomponents;
	const struct incident_var *vars;
	size_t nvars;
};
int incident_open_with(int64_t *out_id, struct incident_ctx *ctx,
		       const struct incident_open_req *req);

/*
 * Set template variables of an incident inside the caller's open change
 * (incident_begin_change): each must be declared by pb (or be
 * "public_title"), its value non-empty UTF-8. Appends a "variables" event;
 * a public title from the playbook's template follows the new values
 * unless one was set by hand. inc->public_title is updated.
 */
int incident_vars_apply(struct incident_ctx *ctx, struct store_incident *inc,
			const struct playbook *pb, const struct incident_var *vars,
			size_t nvars);
/* `sitrep set INC NAME VALUE`: the same in a change of its own. */
int incident_set_vars(struct incident_ctx *ctx, int64_t id, const struct incident_var *vars,
		      size_t nvars);
/* "NAME=VALUE" into v (pointing into text's copy, which *owned keeps). */
int incident_parse_var(struct incident_var *v, char **owned, const char *text);

/* The playbook the incident is pinned to, read at its commit. */
int incident_playbook(struct playbook **out, struct incident_ctx *ctx,
		      const struct store_incident *inc);

/* Whether the acting person may make commander decisions: they hold the
 * commander role, or no one does and they opened the incident. */
int incident_may_command(bool *out, struct incident_ctx *ctx,
			 const struct store_incident *inc);

int incident_set_status(struct incident_ctx *ctx, int64_t id, const char *status,
			const char *note);
int incident_set_severity(struct incident_ctx *ctx, int64_t id, int severity);
int incident_set_component(struct incident_ctx *ctx, int64_t id,
			   const char *component, const char *status);
int incident_resolve(struct incident_ctx *ctx, int64_t id, const char *note);
int incident_reopen(struct incident_ctx *ctx, int64_t id, const char *note);
/* Refused while required steps are open, unless force with a reason. */
int incident_close(struct incident_ctx *ctx, int64_t id, bool force,
		   const char *reason);

/* The ids of required steps that apply at the incident's severity and are
 * neither done nor skipped. */
int incident_open_required_steps(char ***out, size_t *n, struct incident_ctx *ctx,
				 const struct store_incident *inc,
				 const struct playbook *pb);

/*
 * For the modules that change an incident (roles, steps): load it inside
 * a write transaction, refusing a closed one; then either finish (write it,
 * append the event with details, a JSON object it takes, and commit) or
 * abandon (roll back, returning rc). Both release inc.
 */
struct json;
int incident_begin_change(struct store_incident *inc, struct incident_ctx *ctx, int64_t id);
/* incident_begin_change, then the incident's pinned playbook in *pb (the
 * caller frees it); abandoned when the playbook cannot be read. */
int incident_begin_playbook(struct store_incident *inc, struct playbook **pb,
			    struct incident_ctx *ctx, int64_t id);
int incident_finish_change(struct incident_ctx *ctx, struct store_incident *inc,
			   const char *kind, struct json *details);
int incident_abandon(struct incident_ctx *ctx, struct store_incident *inc, int rc);
/* Refuse (SR_EREFUSED, saying who may) unless the actor may command. */
int incident_require_command(struct incident_ctx *ctx, const struct store_incident *inc,
			     const char *what);
/* Whether a playbook step applies at severity (1 = SEV1). */
struct playbook_step;
bool incident_step_applies(const struct playbook_step *st, int severity);

/* The component status an incident of severity sev starts its components
 * at, by the playbook's component_impact when pb is not NULL. */
const char *incident_default_component_status(int sev);
const char *incident_component_status(const struct playbook *pb, int sev);

#endif
