/* json.h: the JSON helpers every JSON producer shares (jansson does the
 * rest). */
#ifndef SITREP_JSON_H
#define SITREP_JSON_H

#include <stdint.h>

#include <jansson.h>

/* A time in ms as "2026-11-23T14:05:00.000Z", or null when 0. */
json_t *json_time(int64_t ms);

/* A string of text that may not be valid UTF-8 (a row written to the
 * store by hand): each bad byte as U+FFFD, never dropped; null for NULL. */
json_t *json_text(const char *s);

#endif
