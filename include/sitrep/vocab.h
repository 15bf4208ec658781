/* vocab.h: the shared words of DESIGN.md (severities, statuses, tiers,
 * audiences) and their checks, so every module spells them one way. */
#ifndef SITREP_VOCAB_H
#define SITREP_VOCAB_H

#include <stdbool.h>
#include <stdint.h>

/* SEV1 (critical) .. SEV4 (none). Returns 1..4, or 0 when not a severity. */
int vocab_severity(const char *s);
/* "SEV1".."SEV4" for 1..4 ("SEV?" otherwise). */
const char *vocab_severity_name(int sev);
/* The Statuspage impact word for SEV1..SEV4. */
const char *vocab_severity_impact(int sev);
bool vocab_incident_status(const char *s);
bool vocab_component_status(const char *s);
/* "L0".."L4" -> 0..4, or -1. */
int vocab_tier(const char *s);
/* internal, executives, customers. */
bool vocab_builtin_audience(const char *s);
/* A lowercase identifier: [a-z0-9][a-z0-9_-]*. */
bool vocab_ident(const char *s);

/* "INC-7", "inc-7" or "7" with prefix "INC" -> 7; SR_EUSAGE naming what
 * ("an incident") otherwise. */
int vocab_parse_id(int64_t *out, const char *text, const char *prefix, const char *what);

#endif
