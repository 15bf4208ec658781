/* timeline.c: hashes and verifies the chain of an incident's events.
 * Storing events is store-incident.c's job; printing them the CLI's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "sitrep/log.h"
#include "sitrep/store.h"
#include "sitrep/timeline.h"

/*
 * SHA-256 from mbedTLS, which libgit2 already brings in: OpenSSL's one-time
 * start-up cost more than the rest of a `sitrep open` (bench/incident.sh).
 *
 * The canonical content is each field in a fixed order, each followed by a
 * NUL byte, so no field can run into the next: prev_hash, incident id and
 * time in decimal, actor, kind, details (the stored JSON text, byte for
 * byte).
 */
void
timeline_hash(char out[65], const char *prev_hash, int64_t incident_id,
	      int64_t at, const char *actor, const char *kind, const char *details)
{
	unsigned char md[32];
	char num[2][32];
	const char *fields[6];
	mbedtls_sha256_context ctx;

	snprintf(num[0], sizeof(num[0]), "%" PRId64, incident_id);
	snprintf(num[1], sizeof(num[1]), "%" PRId64, at);
	fields[0] = prev_hash;
	fields[1] = num[0];
	fields[2] = num[1];
	fields[3] = actor;
	fields[4] = kind;
	fields[5] = details;
	mbedtls_sha256_init(&ctx);
	if (mbedtls_sha256_starts_ret(&ctx, 0) != 0)
		fatalx("cannot start SHA-256");
	for (size_t i = 0; i < 6; i++)
		mbedtls_sha256_update_ret(&ctx, (const unsigned char *)fields[i],
					  strlen(fields[i]) + 1);
	mbedtls_sha256_finish_ret(&ctx, md);
	mbedtls_sha256_free(&ctx);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

long
timeline_verify(const struct store_event *v, size_t n)
{
	const char *prev = "";
	char want[65];

	for (size_t i = 0; i < n; i++) {
		timeline_hash(want, prev, v[i].incident_id, v[i].at, v[i].actor,
			      v[i].kind, v[i].details);
		if (strcmp(v[i].prev_hash, prev) != 0 || strcmp(v[i].hash, want) != 0)
			return (long)i;
		prev = v[i].hash;
	}
	return -1;
}
