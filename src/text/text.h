/*
 * text.h - UTF-8 validation and folding, tokens, sentences.
 *
 * The tokenizer works on the original story bytes and never copies the
 * story: each token keeps its byte offsets in the original text and a
 * folded form (lowercase, accents stripped, typographic quotes and dashes
 * mapped to ASCII) in a per-story buffer. Knowledge-base phrases go through
 * the same tokenizer, so text and dictionary agree on word boundaries.
 */
#ifndef DYAD_TEXT_H
#define DYAD_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Token flags. */
enum {
  TK_WORD = 1 << 0,     /* letters (and maybe digits) */
  TK_NUM = 1 << 1,      /* starts with a digit */
  TK_PUNCT = 1 << 2,    /* punctuation; see dt_token.punct */
  TK_CAP = 1 << 3,      /* first letter upper case */
  TK_ALLCAP = 1 << 4,   /* every letter upper case (and at least two) */
  TK_ABBR = 1 << 5,     /* ends in a period that belongs to the word */
  TK_POSS = 1 << 6,     /* possessive marker 's or ' */
  TK_NEG = 1 << 7,      /* the clitic n't */
  TK_JOIN = 1 << 8,     /* no space before this token (inside a hyphenated word) */
  TK_NL = 1 << 9,       /* a newline precedes this token */
  TK_PARA = 1 << 10,    /* a blank line precedes this token */
  TK_HYPHEN = 1 << 11,  /* the hyphen inside a hyphenated word */
  TK_SPACE = 1 << 12    /* whitespace precedes this token */
};

typedef struct dt_token {
  uint32_t start, end;  /* byte offsets in the original text */
  uint32_t norm;        /* offset of the folded form in dt_tokens.norm */
  uint16_t norm_len;
  uint16_t flags;
  char punct;           /* normalized punctuation character, or 0 */
} dt_token;

typedef struct dt_tokens {
  dt_token *v;
  size_t n, cap;
  char *norm;           /* folded forms, each NUL-terminated */
  size_t norm_len, norm_cap;
} dt_tokens;

void dt_tokens_init(dt_tokens *t);
void dt_tokens_reset(dt_tokens *t);
void dt_tokens_free(dt_tokens *t);

static inline const char *dt_norm(const dt_tokens *t, size_t i) {
  return t->norm + t->v[i].norm;
}

/*
 * Check that S is valid UTF-8 (no overlongs, no surrogates, nothing above
 * U+10FFFF). Returns 0, or -1 with *bad set to the offset of the first bad
 * byte.
 */
int dt_utf8_check(const char *s, size_t n, size_t *bad);

/* Tokenize TEXT (valid UTF-8). Returns 0, or -1 on allocation failure. */
int dt_tokenize(const char *text, size_t len, dt_tokens *out);

/*
 * Fold a phrase the way the tokenizer folds words, writing space-separated
 * folded tokens into OUT (NUL-terminated). Used for keys and display.
 */
size_t dt_fold_phrase(const char *s, size_t n, char *out, size_t cap);

/* A sentence: a token range and byte range. */
typedef struct dt_sentence {
  uint32_t tok_start, tok_end;  /* tokens [tok_start, tok_end) */
  uint32_t start, end;          /* bytes */
  int clutter;                  /* 1 when boilerplate of a web page */
} dt_sentence;

/* Split tokens into sentences, appending dt_sentence items to OUT. */
int dt_split_sentences(const char *text, const dt_tokens *t, du_vec *out);

/* 1 when the folded word W (length N) is a known abbreviation that takes a period. */
int dt_is_abbrev(const char *w, size_t n);

#endif /* DYAD_TEXT_H */
