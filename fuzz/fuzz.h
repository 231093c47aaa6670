/* fuzz.h - shared by the fuzz targets: a coder over the built-in KB. */
#ifndef DYAD_FUZZ_H
#define DYAD_FUZZ_H

#include <stdint.h>
#include <string.h>

#include "dyad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Code ST with the built-in KB (loaded once) and write every format. */
void fuzz_code(const dyad_story *st);

/* Read DATA as a file of stories in input FORMAT (DYAD_IN_*), coding each
 * story read (at most 64). Always returns 0. */
int fuzz_reader(const uint8_t *data, size_t size, int format);

#endif
