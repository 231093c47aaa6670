/* kbgeo_none.c - built without libgeonames: no system city list. */
#include "kb/kbbuild.h"

int kb_read_geonames(kb_builder *b) {
  kbb_diag(b, DYAD_DIAG_WARNING, "geonames:", 0,
           "built without libgeonames: the system city list is not loaded");
  return 0;
}
