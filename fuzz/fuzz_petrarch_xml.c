/* fuzz_petrarch_xml.c - the PETRARCH XML record reader. */
#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
  if (!f) return 0;
  dyad_reader *r;
  dyad_error e;
  if (dyad_reader_open(f, "fuzz", DYAD_IN_PETRARCH, NULL, &r, &e) == DYAD_OK) {
    dyad_story st;
    int rc, n = 0;
    while ((rc = dyad_reader_next(r, &st, &e)) != -1 && n++ < 64) {
      if (rc == DYAD_OK) fuzz_code(&st);
      if (rc == DYAD_EIO) break;
    }
    dyad_reader_free(r);
  }
  fclose(f);
  return 0;
}
