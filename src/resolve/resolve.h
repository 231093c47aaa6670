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

/* The first place phrase after "in", "at", "near" ... in tokens [FROM,
 * TO): sets the gazetteer index and the tokens of the words. EV (may be
 * NULL) helps choose among places of the same name. 0 when none. */
int dr_find_place(dyad_coder *c, uint32_t from, uint32_t to, const dyad_event *ev,
                  int32_t *place, uint32_t *t0, uint32_t *t1);

/* An act with no actor as target whose object is a place ("shelled
 * Kharkiv"): the place's country becomes the target when it is not the
 * source's own, and the place the event's location. */
void dr_place_target(dyad_coder *c, dyad_event *ev, const ct_event *ce);

#endif /* DYAD_RESOLVE_H */
