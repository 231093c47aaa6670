/*
 * lex.c - per-token lookup: word ids, lexical classes and verb forms,
 * with a little morphology for words the lexicon does not list.
 */
#include "code/code.h"

/* Try a suffix rewrite of W: strip SUF, add ADD, look the result up. */
static uint32_t try_base(const dyad_kb *kb, const char *w, size_t n,
                         const char *suf, const char *add) {
  size_t sl = strlen(suf), al = strlen(add);
  if (n <= sl + 2 || memcmp(w + n - sl, suf, sl) != 0) return 0;
  char buf[128];
  if (n - sl + al >= sizeof buf) return 0;
  memcpy(buf, w, n - sl);
  memcpy(buf + n - sl, add, al);
  return kb_word_find(kb, buf, n - sl + al);
}

void ct_lookup(dyad_coder *c) {
  const dyad_kb *kb = c->kb;
  for (size_t i = 0; i < c->toks.n; i++) {
    ct_tok *t = &c->t[i];
    const dt_token *k = &c->toks.v[i];
    memset(t, 0, sizeof *t);
    t->flags = k->flags;
    t->ment = t->np = t->vg = -1;
    const char *w = dt_norm(&c->toks, i);
    size_t n = k->norm_len;
    uint32_t id = kb_word_find(kb, w, n);
    t->wid = id;
    if (id) {
      const kb_word *kw = &kb->words[id];
      t->lex = kw->lex;
      t->vform = kw->vform;
      t->lemma = kw->lemma;
      /* A word known only from a dictionary phrase has no class: guess
       * adverbs from their ending ("heavily"). */
      if (!kw->lex && !kw->vform && n > 4 && w[n - 1] == 'y' && w[n - 2] == 'l' &&
          !(k->flags & TK_CAP)) {
        t->lex = LX_ADV;
      }
      continue;
    }
    t->lemma = 0;
    if (!(k->flags & TK_WORD)) continue;
    /* Unknown word: guess from its ending. */
    if (n > 4 && w[n - 1] == 'y' && w[n - 2] == 'l' && !(k->flags & TK_CAP)) {
      t->lex = LX_ADV;
      continue;
    }
    uint32_t base = 0;
    if ((base = try_base(kb, w, n, "ies", "y")) || (base = try_base(kb, w, n, "es", "")) ||
        (base = try_base(kb, w, n, "s", ""))) {
      const kb_word *bw = &kb->words[base];
      t->lemma = bw->lemma ? bw->lemma : base;
      /* A plural of a known noun, or the 3rd person of a known verb. */
      if (bw->lex & LX_NOUN) t->lex |= LX_NOUN;
      if (bw->vform & VF_BASE) {
        t->lex |= LX_VERB;
        t->vform = VF_3SG;
      }
      continue;
    }
    if ((base = try_base(kb, w, n, "ed", "")) || (base = try_base(kb, w, n, "ed", "e")) ||
        (base = try_base(kb, w, n, "ied", "y"))) {
      if (kb->words[base].vform & VF_BASE) {
        t->lex |= LX_VERB;
        t->vform = VF_PAST | VF_PPART;
        t->lemma = base;
      }
      continue;
    }
    if ((base = try_base(kb, w, n, "ing", "")) || (base = try_base(kb, w, n, "ing", "e"))) {
      if (kb->words[base].vform & VF_BASE) {
        t->lex |= LX_VERB;
        t->vform = VF_GER;
        t->lemma = base;
      }
    }
  }
}

int ct_capitalised(const dyad_coder *c, uint32_t i) {
  if (c->caps_unreliable) return 1;
  return (c->toks.v[i].flags & (TK_CAP | TK_ALLCAP)) != 0;
}
