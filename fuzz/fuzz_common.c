/* fuzz_common.c - the built-in KB and coder the targets share. */
#include <stdio.h>

#include "fuzz.h"

void fuzz_code(const dyad_story *st) {
  static dyad_kb *kb;
  static dyad_coder *c;
  static FILE *null;
  if (!kb) {
    if (dyad_kb_load_builtin(&kb, NULL)) return;
    if (dyad_coder_new(kb, &c, NULL)) return;
    null = fopen("/dev/null", "w");
  }
  const dyad_event *ev;
  size_t n;
  if (dyad_code_story(c, st, &ev, &n, NULL) != DYAD_OK) return;
  for (size_t i = 0; i < n; i++) {
    for (int f = DYAD_FMT_JSONL; f <= DYAD_FMT_BRIEF; f++) {
      if (null) dyad_write_event(null, f, &ev[i], st->text, st->text_len, st, i);
    }
  }
  const dyad_sentence *s;
  dyad_coder_sentences(c, &s);
}

int fuzz_reader(const uint8_t *data, size_t size, int format) {
  FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
  if (!f) return 0;
  dyad_reader *r;
  dyad_error e;
  if (dyad_reader_open(f, "fuzz", format, NULL, &r, &e) == DYAD_OK) {
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
