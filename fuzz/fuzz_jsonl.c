/* fuzz_jsonl.c - the JSON-lines story reader and the coder behind it. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_reader(data, size, DYAD_IN_JSONL);
}
