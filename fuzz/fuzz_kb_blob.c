/* fuzz_kb_blob.c - loading a compiled knowledge base: a damaged file must
 * be refused, never crash a coder later. */
#include <stdlib.h>

#include "fuzz.h"
#include "kb/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  void *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  dyad_kb *kb = NULL;
  if (kb_from_blob(copy, size, 1, &kb, NULL) == DYAD_OK) {
    dyad_coder *c;
    if (dyad_coder_new(kb, &c, NULL) == DYAD_OK) {
      const char *s = "Turkey's defence minister met Armenia in Ankara on Wednesday.";
      dyad_story st = {"x", "2025-05-16", s, strlen(s), NULL, NULL};
      const dyad_event *ev;
      size_t n;
      dyad_code_story(c, &st, &ev, &n, NULL);
      dyad_coder_free(c);
    }
    dyad_kb_free(kb);
  }
  return 0;
}
