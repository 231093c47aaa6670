/* fuzz_kb.c - every knowledge-base reader: the first byte picks the
 * format (ours, or a PETRARCH-2 dictionary kind), the rest is the file. */
#include "fuzz.h"
#include "kb/kbbuild.h"
#include "kb/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int kind = data[0] % 7;
  kb_builder *b = kbb_new(NULL, NULL);
  if (!b) return 0;
  const char *text = (const char *)data + 1;
  if (kind == 6) kb_read_dyad_text(b, "fuzz.txt", text, size - 1);
  else kb_read_petrarch(b, kind, "fuzz.txt", text, size - 1);
  kbp_finish_dyad_verbs(b);
  dyad_kb *kb = NULL;
  if (kbb_finish(b, &kb, NULL) == DYAD_OK) {
    /* The result must code a story without trouble. */
    dyad_coder *c;
    if (dyad_coder_new(kb, &c, NULL) == DYAD_OK) {
      const char *s = "Northland met Southmark in Harbour City on Friday and accused Eastria.";
      dyad_story st = {"x", "2012-01-01", s, strlen(s), NULL, NULL};
      const dyad_event *ev;
      size_t n;
      dyad_code_story(c, &st, &ev, &n, NULL);
      dyad_coder_free(c);
    }
    dyad_kb_free(kb);
  }
  return 0;
}
