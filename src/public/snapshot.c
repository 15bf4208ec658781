/* snapshot.c: the public state, read from the store in one go: component
 * statuses from the customer-visible incidents and the maintenances in
 * progress, the incidents with their published customer updates, and the
 * maintenances. Rendering it is statuspage's and feed.c's job. */
#include <stdlib.h>
#include <string.h>

#include "sitrep/conf.h"
#include "sitrep/err.h"
#include "sitrep/snapshot.h"
#include "sitrep/store-incident.h"
#include "sitrep/store-maintenance.h"
#include "sitrep/store.h"
#include "sitrep/store-updates.h"
#include "sitrep/vocab.h"
#include "sitrep/xalloc.h"

/* How bad a component status is, for picking the worst. */
static int
status_rank(const char *status)
{
	static const char *const order[] = {
		"operational", "under_maintenance", "degraded_performance",
		"partial_outage", "major_outage",
	};

	for (int i = 0; i < 5; i++)
		if (strcmp(order[i], status) == 0)
			return i;
	return 0;
}

static struct snapshot_component *
component_find(struct snapshot *sn, const char *id)
{
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (strcmp(sn->components[i].id, id) == 0)
			return &sn->components[i];
	return NULL;
}

static void
components_init(struct snapshot *sn, const struct conf *c)
{
	sn->components = xcalloc(c->ncomponents + 1, sizeof(*sn->components));
	for (size_t i = 0; i < c->ncomponents; i++) {
		struct snapshot_component *sc = &sn->components[i];

		sc->id = xstrdup(c->components[i].id);
		sc->name = xstrdup(c->components[i].name);
		sc->group = c->components[i].group ? xstrdup(c->components[i].group) : NULL;
		sc->position = (int)i + 1;
		snprintf(sc->status, sizeof(sc->status), "operational");
	}
	sn->ncomponents = c->ncomponents;
}

/* A component takes the worst status any unresolved incident gives it. */
static void
component_raise(struct snapshot *sn, const char *id, const char *status, int64_t at)
{
	struct snapshot_component *sc = component_find(sn, id);

	if (sc == NULL)
		return;
	if (status_rank(status) > status_rank(sc->status))
		snprintf(sc->status, sizeof(sc->status), "%s", status);
	if (at > sc->updated_at)
		sc->updated_at = at;
}

static int
incident_fill(struct snapshot_incident *si, struct snapshot *sn, struct store *s,
	      const struct store_incident *inc)
{
	struct store_public_update *u;
	struct store_component *comp;
	size_t nu, nc;
	bool open = strcmp(inc->status, "resolved") != 0 && strcmp(inc->status, "closed") != 0;
	int rc;

	if ((rc = store_public_updates(&u, &nu, s, inc->id)) != 0)
		return rc;
	if ((rc = store_components_get(&comp, &nc, s, inc->id)) != 0) {
		store_public_updates_free(u, nu);
		return rc;
	}
	si->id = inc->id;
	/* the public title: the internal one never leaves the team */
	si->name = xstrdup(inc->public_title != NULL ? inc->public_title : inc->title);
	snprintf(si->status, sizeof(si->status), "%s", open ? inc->status : "resolved");
	snprintf(si->impact, sizeof(si->impact), "%s", vocab_severity_impact(inc->severity));
	si->created_at = inc->opened_at;
	si->resolved_at = open ? 0 : (inc->resolved_at ? inc->resolved_at : inc->closed_at);
	si->updates = xcalloc(nu + 1, sizeof(*si->updates));
	for (size_t k = 0; k < nu; k++) {
		struct snapshot_update *su = &si->updates[k];

		su->id = u[k].id;
		snprintf(su->status, sizeof(su->status), "%s", u[k].status[0] ? u[k].status :
			 si->status);
		su->body = u[k].body;
		u[k].body = NULL;
		su->published_at = u[k].published_at;
		if (su->published_at > si->updated_at)
			si->updated_at = su->published_at;
		if (strcmp(su->status, "monitoring") == 0 &&
		    (si->monitoring_at == 0 || su->published_at < si->monitoring_at))
			si->monitoring_at = su->published_at;
	}
	si->nupdates = nu;
	if (si->updated_at == 0)
		si->updated_at = inc->updated_at;
	si->components = xcalloc(nc + 1, sizeof(*si->components));
	si->component_status = xcalloc(nc + 1, sizeof(*si->component_status));
	for (size_t k = 0; k < nc; k++) {
		si->components[k] = xstrdup(comp[k].component);
		snprintf(si->component_status[k], sizeof(si->component_status[k]), "%s",
			 comp[k].status);
		if (open)
			component_raise(sn, comp[k].component, comp[k].status, si->updated_at);
	}
	si->ncomponents = nc;
	store_public_updates_free(u, nu);
	store_components_free(comp, nc);
	return 0;
}

static void
maintenance_fill(struct snapshot_maintenance *sm, struct snapshot *sn,
		 struct store_maintenance *m)
{
	sm->id = m->id;
	sm->name = m->title;
	sm->body = m->body;
	m->title = m->body = NULL;
	snprintf(sm->status, sizeof(sm->status), "%s", m->state);
	sm->scheduled_for = m->starts_at;
	sm->scheduled_until = m->ends_at;
	sm->created_at = m->created_at;
	sm->updated_at = m->updated_at;
	sm->started_at = m->started_at;
	sm->completed_at = m->completed_at;
	sm->components = m->components;
	sm->ncomponents = m->ncomponents;
	m->components = NULL;
	m->ncomponents = 0;
	if (strcmp(sm->status, "in_progress") == 0)
		for (size_t k = 0; k < sm->ncomponents; k++)
			component_raise(sn, sm->components[k], "under_maintenance", sm->updated_at);
}

int
snapshot_build(struct snapshot **out, struct store *s, const struct conf *c, int64_t now,
	       int64_t page_start)
{
	int64_t since = now - (int64_t)SNAPSHOT_HISTORY_DAYS * 86400 * 1000;
	struct store_incident *inc = NULL;
	struct store_maintenance *m = NULL;
	struct snapshot *sn;
	size_t ni = 0, nm = 0;
	int rc;

	*out = NULL;
	sn = xcalloc(1, sizeof(*sn));
	sn->page_id = xstrdup("sitrep");
	sn->page_name = xstrdup(c->page_name);
	sn->page_url = xstrdup(c->page_url);
	sn->time_zone = xstrdup(c->time_zone);
	sn->built_at = now;
	components_init(sn, c);
	if ((rc = store_begin_read(s)) != 0)
		goto fail;
	if ((rc = store_public_incidents(&inc, &ni, s, since)) == 0 &&
	    (rc = store_maintenances_get(&m, &nm, s, since)) == 0) {
		sn->incidents = xcalloc(ni + 1, sizeof(*sn->incidents));
		for (size_t i = 0; rc == 0 && i < ni; i++)
			if ((rc = incident_fill(&sn->incidents[i], sn, s, &inc[i])) == 0)
				sn->nincidents++;
		sn->maintenances = xcalloc(nm + 1, sizeof(*sn->maintenances));
		for (size_t i = 0; i < nm; i++)
			if (strcmp(m[i].state, "cancelled") != 0)
				maintenance_fill(&sn->maintenances[sn->nmaintenances++], sn, &m[i]);
	}
	store_end_read(s);
	store_incidents_free(inc, ni);
	store_maintenances_free(m, nm);
	if (rc != 0)
		goto fail;
	/* The page changed last when something public did. */
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (sn->components[i].updated_at > sn->updated_at)
			sn->updated_at = sn->components[i].updated_at;
	for (size_t i = 0; i < sn->nincidents; i++)
		if (sn->incidents[i].updated_at > sn->updated_at)
			sn->updated_at = sn->incidents[i].updated_at;
	for (size_t i = 0; i < sn->nmaintenances; i++)
		if (sn->maintenances[i].updated_at > sn->updated_at)
			sn->updated_at = sn->maintenances[i].updated_at;
	if (sn->updated_at == 0)
		sn->updated_at = page_start;
	for (size_t i = 0; i < sn->ncomponents; i++)
		if (sn->components[i].updated_at == 0)
			sn->components[i].updated_at = page_start;
	*out = sn;
	return 0;
fail:
	snapshot_free(sn);
	return rc;
}

void
snapshot_free(struct snapshot *sn)
{
	if (sn == NULL)
		return;
	free(sn->page_id);
	free(sn->page_name);
	free(sn->page_url);
	free(sn->time_zone);
	for (size_t i = 0; i < sn->ncomponents; i++) {
		free(sn->components[i].id);
		free(sn->components[i].name);
		free(sn->components[i].group);
	}
	free(sn->components);
	for (size_t i = 0; i < sn->nincidents; i++) {
		struct snapshot_incident *si = &sn->incidents[i];

		free(si->name);
		for (size_t k = 0; k < si->ncomponents; k++)
			free(si->components[k]);
		free(si->components);
		free(si->component_status);
		for (size_t k = 0; k < si->nupdates; k++)
			free(si->updates[k].body);
		free(si->updates);
	}
	free(sn->incidents);
	for (size_t i = 0; i < sn->nmaintenances; i++) {
		struct snapshot_maintenance *sm = &sn->maintenances[i];

		free(sm->name);
		free(sm->body);
		for (size_t k = 0; k < sm->ncomponents; k++)
			free(sm->components[k]);
		free(sm->components);
	}
	free(sn->maintenances);
	free(sn);
}

/*
 * Statuspage's indicator: the worst of the unresolved incidents' impact
 * and the components' statuses (degraded minor, partial outage major,
 * major outage critical); "maintenance" when only maintenance is going on.
 */
const char *
snapshot_indicator(const struct snapshot *sn)
{
	static const char *const words[] = { "none", "minor", "major", "critical" };
	int worst = 0;
	bool maintenance = false;

	for (size_t i = 0; i < sn->nincidents; i++) {
		const struct snapshot_incident *si = &sn->incidents[i];
		int level = strcmp(si->impact, "critical") == 0 ? 3 :
			    strcmp(si->impact, "major") == 0 ? 2 :
			    strcmp(si->impact, "minor") == 0 ? 1 : 0;

		if (strcmp(si->status, "resolved") != 0 && level > worst)
			worst = level;
	}
	for (size_t i = 0; i < sn->ncomponents; i++) {
		int r = status_rank(sn->components[i].status);

		if (r == 1)
			maintenance = true;
		else if (r >= 2 && r - 1 > worst)
			worst = r - 1;
	}
	if (worst == 0 && maintenance)
		return "maintenance";
	return words[worst];
}

const char *
snapshot_description(const struct snapshot *sn)
{
	const char *ind = snapshot_indicator(sn);

	if (strcmp(ind, "critical") == 0)
		return "Major System Outage";
	if (strcmp(ind, "major") == 0)
		return "Partial System Outage";
	if (strcmp(ind, "minor") == 0)
		return "Minor Service Outage";
	if (strcmp(ind, "maintenance") == 0)
		return "Service Under Maintenance";
	return "All Systems Operational";
}
