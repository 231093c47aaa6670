/*
 * pattern.h - compiling verb patterns and synsets of both dictionary
 * formats into kb_pattern / kb_pelem, and verb classes.
 */
#ifndef DYAD_PATTERN_H
#define DYAD_PATTERN_H

#include "kb/kbbuild.h"

/* Start a synset (replacing an earlier one of the same name). PLURALS
 * says whether single-word members get a regular plural. */
uint32_t kbp_synset_begin(kb_builder *b, const char *name, int plurals);
/* Add a member phrase; "&OTHER" adds every member of another synset. */
void kbp_synset_add(kb_builder *b, uint32_t synset, const char *phrase,
                    const char *file, long line);

/* One pattern line of our format: "pay* visit to + [042:043]". */
void kbp_dyad_pattern(kb_builder *b, uint16_t fileno, const char *file,
                      long line, char *text, const char *block_code);

/* Register the forms of every verb used by our patterns (call once, after
 * all files are read and before kbb_finish). */
void kbp_finish_dyad_verbs(kb_builder *b);

/* A PETRARCH pattern line (without the leading '-') for verb class VC. */
void kbp_petrarch_pattern(kb_builder *b, uint32_t vclass, uint16_t fileno,
                          const char *file, long line, char *text);

/* 1 when CODE looks like an event code we can emit ("042", "1246", "---"). */
int kbp_valid_event_code(const char *code);
/* The same, or a pair "CODE:CODE2" (an event and its reverse). */
int kbp_valid_code_pair(const char *code);

#endif /* DYAD_PATTERN_H */
