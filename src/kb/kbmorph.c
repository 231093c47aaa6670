/*
 * kbmorph.c - regular English inflection for dictionary words.
 *
 * Dictionaries list lemmas; texts use inflected forms. Irregular forms are
 * always given explicitly in the dictionaries (our lexicon lists them), so
 * the rules here only cover regular verbs and nouns.
 */
#include <stdio.h>

#include "kb/kbbuild.h"

static int is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Count vowel groups: a rough syllable count. */
static int syllables(const char *w) {
  int n = 0, in = 0;
  for (const char *p = w; *p; p++) {
    int v = is_vowel(*p) || (*p == 'y' && p != w);
    if (v && !in) n++;
    in = v;
  }
  return n;
}

/* Final consonant doubling: stop -> stopped, ban -> banned. Only for
 * one-syllable consonant-vowel-consonant words; longer verbs that double
 * (regret, control) are listed with their forms in the lexicon. */
static int doubles(const char *w, size_t n) {
  if (n < 3) return 0;
  char c = w[n - 1], v = w[n - 2], p = w[n - 3];
  if (is_vowel(c) || c == 'w' || c == 'x' || c == 'y') return 0;
  if (!is_vowel(v) || is_vowel(p)) return 0;
  if (n >= 4 && p == 'u' && w[n - 4] == 'q') return 1; /* quit */
  return syllables(w) == 1;
}

void kb_verb_forms(const char *lemma, char *s3, char *past, char *ger,
                   size_t cap) {
  size_t n = strlen(lemma);
  char last = n ? lemma[n - 1] : 0;
  char prev = n > 1 ? lemma[n - 2] : 0;
  /* 3rd person singular */
  if (last == 's' || last == 'x' || last == 'z' || last == 'o' ||
      (last == 'h' && (prev == 'c' || prev == 's'))) {
    snprintf(s3, cap, "%ses", lemma);
  } else if (last == 'y' && prev && !is_vowel(prev)) {
    snprintf(s3, cap, "%.*sies", (int)n - 1, lemma);
  } else {
    snprintf(s3, cap, "%ss", lemma);
  }
  /* past */
  if (last == 'e') {
    snprintf(past, cap, "%sd", lemma);
  } else if (last == 'y' && prev && !is_vowel(prev)) {
    snprintf(past, cap, "%.*sied", (int)n - 1, lemma);
  } else if (doubles(lemma, n)) {
    snprintf(past, cap, "%s%ced", lemma, last);
  } else {
    snprintf(past, cap, "%sed", lemma);
  }
  /* gerund */
  if (n > 2 && last == 'e' && prev == 'i') {
    snprintf(ger, cap, "%.*sying", (int)n - 2, lemma);
  } else if (n > 2 && last == 'e' && prev != 'e' && prev != 'y' && prev != 'o') {
    snprintf(ger, cap, "%.*sing", (int)n - 1, lemma);
  } else if (doubles(lemma, n)) {
    snprintf(ger, cap, "%s%cing", lemma, last);
  } else {
    snprintf(ger, cap, "%sing", lemma);
  }
}

void kb_plural(const char *noun, char *out, size_t cap) {
  size_t n = strlen(noun);
  char last = n ? noun[n - 1] : 0;
  char prev = n > 1 ? noun[n - 2] : 0;
  if (last == 's' || last == 'x' || last == 'z' ||
      (last == 'h' && (prev == 'c' || prev == 's'))) {
    snprintf(out, cap, "%ses", noun);
  } else if (last == 'y' && prev && !is_vowel(prev)) {
    snprintf(out, cap, "%.*sies", (int)n - 1, noun);
  } else {
    snprintf(out, cap, "%ss", noun);
  }
}

static void add_form(kb_builder *b, uint32_t lemma, const char *form,
                     uint8_t vf) {
  if (!form || !*form) return;
  uint32_t id = kbb_word(b, form, strlen(form));
  kbb_word_vform(b, id, lemma, vf);
}

uint32_t kbb_lex_verb(kb_builder *b, const char *lemma, const char *past,
                      const char *ppart, const char *s3, const char *ger) {
  char rs3[96], rpast[96], rger[96];
  kb_verb_forms(lemma, rs3, rpast, rger, sizeof rs3);
  uint32_t id = kbb_word(b, lemma, strlen(lemma));
  kbb_word_vform(b, id, id, VF_BASE);
  add_form(b, id, s3 ? s3 : rs3, VF_3SG);
  add_form(b, id, past ? past : rpast, VF_PAST);
  add_form(b, id, ppart ? ppart : (past ? past : rpast), VF_PPART);
  add_form(b, id, ger ? ger : rger, VF_GER);
  return id;
}
