/*
 * resolve.h - when and where: event dates from the words of the event's
 * clause resolved against the story date, and event places from the
 * gazetteer.
 */
#ifndef DYAD_RESOLVE_H
#define DYAD_RESOLVE_H

#include "code/code.h"

/* Called once per story before its sentences are coded. */
void dr_story_begin(dyad_coder *c);

/* Fill date, date_precision, date_text and place of EV, coded from CE in
 * sentence S. */
void dr_resolve(dyad_coder *c, dyad_event *ev, const ct_event *ce,
                const dt_sentence *s);

#endif /* DYAD_RESOLVE_H */
