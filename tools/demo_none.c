/* demo_none.c - the knowledge-base compiler has no demo stories. */
#include <stddef.h>

const unsigned char dyad_demo_jsonl[1] = {0};
const size_t dyad_demo_jsonl_len = 0;
