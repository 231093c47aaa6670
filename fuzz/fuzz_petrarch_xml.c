/* fuzz_petrarch_xml.c - the PETRARCH XML record reader. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_reader(data, size, DYAD_IN_PETRARCH);
}
