/* fuzz_coder.c - raw text into the tokenizer, sentence splitter and coder
 * with the built-in knowledge base; the first 10 bytes are the date. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char date[11] = "2025-05-16";
  if (size >= 10) {
    memcpy(date, data, 10);
    data += 10;
    size -= 10;
  }
  dyad_story st = {"fuzz", date, (const char *)data, size, NULL, NULL};
  fuzz_code(&st);
  return 0;
}
