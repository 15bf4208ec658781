/* feed.h: the incident history as Atom 1.0 (/history.atom) and RSS 2.0
 * (/history.rss), rendered from a snapshot: one entry per incident and
 * per maintenance, its updates (newest first) in the entry's content.
 * Pure functions: no store, no clock. Links are absolute, from the page's
 * URL. */
#ifndef SITREP_FEED_H
#define SITREP_FEED_H

struct buf;
struct snapshot;

void feed_atom(struct buf *out, const struct snapshot *sn);
void feed_rss(struct buf *out, const struct snapshot *sn);

#endif
