/* resolve.c - event dates and places (first version: the story date). */
#include "resolve/resolve.h"

void dr_story_begin(dyad_coder *c) { (void)c; }

void dr_resolve(dyad_coder *c, dyad_event *ev, const ct_event *ce,
                const dt_sentence *s) {
  (void)ce;
  (void)s;
  memcpy(ev->date, c->story_date, sizeof ev->date);
  ev->date_precision = DYAD_PREC_STORY;
  ev->date_text = "";
  memset(&ev->place, 0, sizeof ev->place);
  ev->place.text = "";
  ev->place.name = "";
  ev->place.country = "";
  ev->place.admin1 = "";
}
