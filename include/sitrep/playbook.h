/* playbook.h: a crisis playbook (NAME.playbook, libconfig syntax) parsed
 * from the text of a committed blob and validated against DESIGN.md. Where
 * the text comes from is repo.c's business. */
#ifndef SITREP_PLAYBOOK_H
#define SITREP_PLAYBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct conf;

struct playbook_role {
	char *id;
	char *title;
	bool required;
	int max;                  /* at least 1 */
	int64_t handover;         /* seconds, 0 when none */
	char *duties;             /* may be NULL */
	char **who;               /* people or on-call schedules who can fill
				   * it: a page goes to them first */
	size_t nwho;
	int who_line;
	int line;
};

enum playbook_escalation_mode { PLAYBOOK_TIERED, PLAYBOOK_SWARM };

struct playbook_escalation {
	enum playbook_escalation_mode mode;
	int64_t ack_timeout; /* seconds */
	int tiers[5];        /* 0..4, in escalation order */
	size_t ntiers;
	int64_t ack_expires; /* seconds: an acknowledger who has done nothing
			      * since is paged again; 0 never */
	int line;
};

struct playbook_cadence {
	char *audience;
	int64_t every[5];     /* index 1..4 by severity; 0 = no cadence then */
	int64_t first_within; /* seconds, 0 when none */
	int line;
};

struct playbook_apology {
	char **audiences;
	size_t naudiences;
	int min_severity; /* 1..4; 0 = no policy */
	int64_t within;
	char *template_id;
};

struct playbook_approval {
	char **audiences;
	size_t naudiences;
	int min_severity; /* 1..4; 0 = no policy */
	char **approvers; /* role ids */
	size_t napprovers;
};

/* What completes a step on its own, in the transaction of the action
 * (roles.c's steps_complete_on): an update (or an apology) published to an
 * audience, a role filled, the incident reaching a status, or an apology
 * published to an audience. */
enum playbook_completes { PLAYBOOK_COMPLETES_NONE, PLAYBOOK_COMPLETES_UPDATE,
			  PLAYBOOK_COMPLETES_ROLE, PLAYBOOK_COMPLETES_STATUS,
			  PLAYBOOK_COMPLETES_APOLOGY };

struct playbook_step {
	char *id;
	char *title;
	char *role;
	int64_t due;      /* seconds after open */
	int min_severity; /* 0 = every severity */
	bool required;
	char *notes;      /* may be NULL */
	enum playbook_completes completes_on;
	char *completes_value; /* the audience, role or status; NULL for none */
	int line;
};

/* Which channels serve one of the playbook's audiences during its
 * incidents, instead of those the site config names for the audience: a
 * routed audience reaches only these. An e-mail route may carry its own
 * sender name and subject ({{variables}} as in templates). */
struct playbook_route {
	char *audience;
	char **channels;   /* config channel ids */
	size_t nchannels;
	char *from_name;   /* may be NULL: the status page's name */
	char *subject;     /* may be NULL: the usual subject */
	int line;
};

struct playbook_template {
	char *id;
	char *audience;
	char *status; /* may be NULL */
	char *text;
	int line;
};

/* A template variable the playbook declares ({{impact}}), which each
 * incident fills with `--var NAME=VALUE` or `sitrep set`. */
struct playbook_variable {
	char *name;
	char *description;
	bool required; /* an update using it is refused while it is empty */
	int line;
};

struct playbook {
	char *name;
	char *title;
	char *summary;
	int severity; /* 1..4 */
	char **components;
	size_t ncomponents;
	char **audiences; /* built-in and declared */
	size_t naudiences;
	struct playbook_role *roles;
	size_t nroles;
	struct playbook_escalation escalation;
	struct playbook_cadence *cadence;
	size_t ncadence;
	struct playbook_apology apology;
	struct playbook_approval approval;
	struct playbook_step *steps;
	size_t nsteps;
	struct playbook_template *templates;
	size_t ntemplates;
	struct playbook_route *routes;
	size_t nroutes;
	struct playbook_variable *variables;
	size_t nvariables;
	char *public_title;          /* a template for it; NULL: the title */
	char *component_impact[5];   /* by severity 1..4: the status its
				      * components take at open */
};

/* The largest playbook file: a plan a person reads at 3 a.m. is a few
 * KiB; more is a mistake (or an attack), refused before it is parsed. */
#define PLAYBOOK_MAX_SIZE (1024 * 1024)

/*
 * Parse and validate the text of path (used in messages and to check that
 * name matches the file name). conf, when not NULL, checks component ids
 * against the site config. Every problem goes to diags with path:line;
 * returns 0 with *out set, or SR_EINVALID with *out NULL.
 */
int playbook_parse(struct playbook **out, struct diags *diags, const char *text,
		   size_t len, const char *path, const struct conf *conf);
void playbook_free(struct playbook *pb);

/*
 * Read NAME.playbook at commit sha from r and parse it: SR_ENOTFOUND when
 * there is no such playbook there, SR_EINVALID with its problems in diags.
 */
struct repo;
int playbook_load(struct playbook **out, struct diags *diags, struct repo *r,
		  const char *sha, const char *name, const struct conf *conf);
/* playbook_load in two halves: the text of NAME.playbook at sha (SR_ENOTFOUND
 * only when the commit has no such file; a damaged repository says so), and
 * parsing a text read earlier (kept in the store for a running incident). */
int playbook_read(char **out, size_t *out_len, struct repo *r, const char *sha,
		  const char *name);
int playbook_from_text(struct playbook **out, struct diags *diags, const char *text,
		       size_t len, const char *sha, const char *name,
		       const struct conf *conf);

/*
 * For a tiered playbook: every person it can page (on the roster of one of
 * its tiers, or named in a role's who) whose notify rule waits as long as
 * its ack_timeout or longer would be escalated past before being told; each
 * such rule is a problem in diags at its line in conf_file.
 */
void playbook_check_people(const struct playbook *pb, const struct conf *c,
			   const char *conf_file, struct diags *d);

const struct playbook_role *playbook_role(const struct playbook *pb, const char *id);
const struct playbook_step *playbook_step(const struct playbook *pb, const char *id);
const struct playbook_template *playbook_template(const struct playbook *pb,
						  const char *id);
bool playbook_has_audience(const struct playbook *pb, const char *audience);
/* The route of audience; NULL when the site config's channels serve it. */
const struct playbook_route *playbook_route(const struct playbook *pb, const char *audience);
const struct playbook_variable *playbook_variable(const struct playbook *pb,
						  const char *name);
/* Whether name is one of playbook_template_vars. */
bool playbook_builtin_var(const char *name);

/* Names this build of the validator: results cached under another id were
 * found by other rules. */
const char *playbook_rules_id(void);

/* The template variables a text may use. */
extern const char *const playbook_template_vars[];

/* "outage.playbook" -> "outage"; NULL when path does not end so. */
char *playbook_name_from_path(const char *path);

#endif
