/*
 * kbbuild.h - building a knowledge base from dictionary files.
 *
 * Readers call the builder; kbb_finish() turns the collected entries into
 * the flat arrays of dyad_kb. All phrase text goes through the tokenizer,
 * so dictionary words and story words are folded the same way.
 */
#ifndef DYAD_KBBUILD_H
#define DYAD_KBBUILD_H

#include "kb/kb.h"

typedef struct kb_builder kb_builder;

#define KBB_MAX_PHRASE 32

kb_builder *kbb_new(dyad_diag_fn diag, void *ud);
void kbb_free(kb_builder *b);

/* Report a diagnostic (the builder counts errors). */
void kbb_diag(kb_builder *b, int level, const char *file, long line,
              const char *fmt, ...) DU_PRINTF(5, 6);
size_t kbb_errors(const kb_builder *b);
size_t kbb_warnings(const kb_builder *b);

/* Register a file; returns its index. */
uint16_t kbb_file(kb_builder *b, const char *path);
const char *kbb_file_path(const kb_builder *b, uint16_t file);

/* Add a string to the pool (deduplicated); returns its offset. */
uint32_t kbb_str(kb_builder *b, const char *s, size_t n);
uint32_t kbb_cstr(kb_builder *b, const char *s);

/* Word id of an already folded word, adding it when absent. */
uint32_t kbb_word(kb_builder *b, const char *w, size_t n);
/* Word id or 0 when absent. */
uint32_t kbb_word_find(const kb_builder *b, const char *w, size_t n);
const char *kbb_word_str(const kb_builder *b, uint32_t id);
void kbb_word_lex(kb_builder *b, uint32_t id, uint32_t lex);
uint32_t kbb_word_get_lex(const kb_builder *b, uint32_t id);
void kbb_word_vform(kb_builder *b, uint32_t id, uint32_t lemma, uint8_t vform);
/* Link a non-verb word to its base form (plural noun, abbreviation). */
void kbb_word_set_lemma(kb_builder *b, uint32_t id, uint32_t lemma);
/* Number of words so far. */
uint32_t kbb_nwords(const kb_builder *b);
uint8_t kbb_word_get_vform(const kb_builder *b, uint32_t id);
uint32_t kbb_word_get_lemma(const kb_builder *b, uint32_t id);
/* Verb forms the lexicon links to LEMMA (an index built on first use, so
 * load the lexicon first). Returns the number written to OUT. */
int kbb_forms_of(kb_builder *b, uint32_t lemma, uint32_t *out, int max);

/*
 * Tokenize and fold PHRASE into word ids (at most KBB_MAX_PHRASE).
 * Underscores count as spaces. Returns the number of words, 0 when empty,
 * -1 when too long.
 */
int kbb_phrase(kb_builder *b, const char *phrase, size_t n, uint32_t *ids);

/* Insert a phrase into TRIE and add VALUE (and VALUE2 when pair) to its payload. */
int kbb_trie_add(kb_builder *b, int trie, const uint32_t *ids, int n,
                 uint32_t value);
int kbb_trie_add2(kb_builder *b, int trie, const uint32_t *ids, int n,
                  uint32_t v1, uint32_t v2);
/* 1 when the exact phrase already has a payload in TRIE. */
int kbb_trie_has(const kb_builder *b, int trie, const uint32_t *ids, int n);

/* Appenders: return the index of the new item, or UINT32_MAX on failure. */
uint32_t kbb_actor(kb_builder *b, const kb_actor *a);
uint32_t kbb_role(kb_builder *b, const kb_role *r);
uint32_t kbb_agent(kb_builder *b, const kb_agent *a);
uint32_t kbb_verb(kb_builder *b, const kb_verb *v);
uint32_t kbb_vclass(kb_builder *b, const kb_vclass *c);
uint32_t kbb_pattern(kb_builder *b, const kb_pattern *p);
uint32_t kbb_pelem(kb_builder *b, const kb_pelem *e);
uint32_t kbb_synset(kb_builder *b, const kb_synset *s);
uint32_t kbb_seq(kb_builder *b, uint32_t v);
uint32_t kbb_discard(kb_builder *b, const kb_discard *d);
uint32_t kbb_issue(kb_builder *b, const kb_issue *i);
uint32_t kbb_place(kb_builder *b, const kb_place *p);
uint32_t kbb_cameo(kb_builder *b, const kb_cameo *c);
uint32_t kbb_pico(kb_builder *b, const kb_pico *p);

/* Mutable access while building. */
kb_actor *kbb_actor_at(kb_builder *b, uint32_t i);
kb_vclass *kbb_vclass_at(kb_builder *b, uint32_t i);
kb_synset *kbb_synset_at(kb_builder *b, uint32_t i);
uint32_t kbb_count(const kb_builder *b, int array);
const uint32_t *kbb_seq_data(const kb_builder *b);
const char *kbb_str_at(const kb_builder *b, uint32_t off);
/* Synset index by name ("&CURRENCY"), or UINT32_MAX. */
uint32_t kbb_synset_find(const kb_builder *b, const char *name);
void kbb_synset_name(kb_builder *b, const char *name, uint32_t index);
/* Verb class by name (for our format: one class per head lemma). */
uint32_t kbb_vclass_find(const kb_builder *b, const char *name);
void kbb_vclass_name(kb_builder *b, const char *name, uint32_t index);

/* ISO 3166 alpha-2 to alpha-3, from the countries file. */
void kbb_iso2_set(kb_builder *b, const char *iso2, const char *iso3);
const char *kbb_iso2_get(const kb_builder *b, const char *iso2);

/* Stats bookkeeping. */
void kbb_note(kb_builder *b, int what);
enum { KBB_NOTE_PERSON, KBB_NOTE_PERSON_ROLE, KBB_NOTE_COUNTRY, KBB_NOTE_ORG,
       KBB_NOTE_REVIEW, KBB_NOTE_NAME };

/* Copy the lexicon, CAMEO table and gazetteer of KB into the builder. */
int kbb_import_base(kb_builder *b, const dyad_kb *kb);

/* Finish: build the arrays. The builder is consumed (freed). */
int kbb_finish(kb_builder *b, dyad_kb **out, dyad_error *err);

/* ---- verb morphology (kbmorph.c) ---- */

/* Regular forms of a verb lemma: 3sg, past (= past participle), gerund. */
void kb_verb_forms(const char *lemma, char *s3, char *past, char *ger,
                   size_t cap);
/* Regular plural of a noun. */
void kb_plural(const char *noun, char *out, size_t cap);
/* Add a verb and all its forms to the lexicon; forms may be NULL (regular). */
uint32_t kbb_lex_verb(kb_builder *b, const char *lemma, const char *past,
                      const char *ppart, const char *s3, const char *ger);

/* ---- readers ---- */

/* Our own format: a folder or a file (docs/kb-format.md). */
int kb_read_dyad_path(kb_builder *b, const char *path, dyad_error *err);
int kb_read_dyad_text(kb_builder *b, const char *file, const char *text,
                      size_t len);

/* PETRARCH-2 dictionaries. */
enum { PET_VERBS, PET_ACTORS, PET_AGENTS, PET_DISCARDS, PET_ISSUES, PET_ONTOLOGY,
       PET_UNKNOWN };
int kb_petrarch_kind(const char *path, const char *text, size_t len);
int kb_read_petrarch(kb_builder *b, int kind, const char *file,
                     const char *text, size_t len);

/* Gazetteer from the system's GeoNames city list (kbgeo.c). */
int kb_read_geonames(kb_builder *b);

#endif /* DYAD_KBBUILD_H */
