/* no_builtin.c - the knowledge-base compiler has no built-in KB. */
#include <stddef.h>

const unsigned char dyad_builtin_kb[1] = {0};
const size_t dyad_builtin_kb_len = 0;
