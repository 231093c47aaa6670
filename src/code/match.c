/*
 * match.c - matching a verb's patterns against its clause.
 *
 * Elements after the verb are looked for left to right in the verb's
 * object region, elements before it right to left back to the start of
 * its clause; other words may come between unless an element is marked
 * adjacent. A prepositional group "(ON X)" must find the preposition and
 * then its words before the next preposition; a noun-phrase group
 * "{A B}" must find its words inside one noun phrase. The pattern with
 * the most elements wins; ties go to the earlier pattern.
 */
#include <stdlib.h>

#include "code/code.h"

typedef struct mstate {
  dyad_coder *c;
  const dyad_kb *kb;
  int32_t src, tgt;        /* bound NPs */
  int32_t skip;            /* last skipped NP */
  int compound;
  int span;                /* words matched: longer synset phrases win ties */
} mstate;

/* Does token T match pattern word ID, whose base form is IL? */
static inline int tok_matches(const ct_tok *t, uint32_t id, uint32_t il) {
  if (t->wid == id) return 1;
  uint32_t tl = t->lemma ? t->lemma : t->wid;
  if (!tl) return 0;
  if (tl == id) return 1;
  /* Same base form: "attacks" matches ATTACK, "talk" matches TALKS. */
  return il && il != id && il == tl;
}

static int word_matches(const mstate *s, uint32_t k, uint32_t id) {
  return tok_matches(&s->c->t[k], id, s->kb->words[id].lemma);
}

/* The first token from K before END that matches word ID, or END. */
static uint32_t word_scan(const mstate *s, uint32_t k, uint32_t end, uint32_t id) {
  const ct_tok *t = s->c->t;
  uint32_t il = s->kb->words[id].lemma;
  while (k < end && !tok_matches(&t[k], id, il)) k++;
  return k;
}

int ct_synsets(dyad_coder *c, uint32_t a, uint32_t b) {
  const dyad_kb *kb = c->kb;
  /* The set of synsets present (a bitmap), to fail fast on patterns that
   * need others; sized once for the knowledge base. */
  size_t words = (kb->n_synsets + 63) / 64;
  if (c->syn_present.len < words) {
    c->syn_present.len = 0;
    if (du_vec_reserve(&c->syn_present, words)) return -1;
    c->syn_present.len = words;
  }
  uint64_t *bits = c->syn_present.data;
  const uint32_t nsyn = kb->n_synsets;
  if (words) memset(bits, 0, words * sizeof *bits);
  c->syns.len = 0;
  for (uint32_t k = a; k < b; k++) {
    ct_tok *t = &c->t[k];
    t->syn_first = (uint32_t)c->syns.len;
    t->syn_n = 0;
    uint32_t w = t->wid;
    uint32_t node = w ? kb->words[w].root[TRIE_SYNSET] : 0;
    if (!node && t->lemma) node = kb->words[t->lemma].root[TRIE_SYNSET];
    if (!node) continue;
    /* "according to" names a source; it is no accord. */
    if (k + 1 < b && ct_word_is(c, k, "according") && ct_word_is(c, k + 1, "to")) continue;
    uint32_t q = k;
    while (node) {
      uint32_t cnt;
      const uint32_t *items = kb_payload(kb, node, &cnt);
      if (cnt) {
        ct_syn *y = du_vec_push(&c->syns);
        if (!y) return -1;
        y->items = items;
        y->cnt = cnt;
        y->len = q + 1 - k;
        t->syn_n++;
        for (uint32_t i = 0; i < cnt; i++) {
          uint32_t id = items[i];
          if (id < nsyn) bits[id / 64] |= 1ull << (id % 64);
        }
      }
      if (++q >= b) break;
      uint32_t nw = c->t[q].wid;
      uint32_t nx = nw ? kb_trie_step(kb, node, nw) : 0;
      if (!nx && c->t[q].lemma) nx = kb_trie_step(kb, node, c->t[q].lemma);
      node = nx;
    }
  }
  return 0;
}

/* The sentence's word filter: one bit per word id (hashed to 2048). A
 * pattern needs each of its words, or a word of the same base form, and
 * each of its prepositions; when the filter lacks one the pattern cannot
 * match and is not tried. */
static inline uint32_t seen_bit(uint32_t id) { return (id * 0x9E3779B1u) >> 21; }

static inline int seen(const dyad_coder *c, uint32_t id) {
  uint32_t h = seen_bit(id);
  return (c->words_seen[h / 64] >> (h % 64)) & 1;
}

void ct_words_seen(dyad_coder *c, uint32_t a, uint32_t b) {
  memset(c->words_seen, 0, sizeof c->words_seen);
  for (uint32_t k = a; k < b; k++) {
    uint32_t ids[2] = {c->t[k].wid, c->t[k].lemma};
    for (int j = 0; j < 2; j++) {
      if (!ids[j]) continue;
      uint32_t h = seen_bit(ids[j]);
      c->words_seen[h / 64] |= 1ull << (h % 64);
    }
  }
}

static int syn_in_sentence(dyad_coder *c, uint32_t syn);

static int pattern_possible(dyad_coder *c, const kb_pelem *e, uint32_t n) {
  const dyad_kb *kb = c->kb;
  for (uint32_t i = 0; i < n; i++) {
    if (e[i].kind == PE_WORD) {
      uint32_t id = e[i].id, il = kb->words[id].lemma;
      if (!seen(c, id) && !(il && il != id && seen(c, il))) return 0;
    } else if (e[i].kind == PE_PP) {
      if (!seen(c, e[i].id)) return 0;
    }
  }
  /* Synsets last: the first asks for the sentence's synset table. */
  for (uint32_t i = 0; i < n; i++) {
    if (e[i].kind == PE_SYNSET && !syn_in_sentence(c, e[i].id)) return 0;
  }
  return 1;
}

/* Find the sentence's synset phrases the first time a pattern asks. */
static void syn_ensure(dyad_coder *c) {
  if (c->syn_ready) return;
  c->syn_ready = 1;
  if (ct_synsets(c, c->syn_a, c->syn_b)) {
    /* Out of memory: no synset phrases for this sentence. */
    for (uint32_t k = c->syn_a; k < c->syn_b; k++) c->t[k].syn_n = 0;
    c->syns.len = 0;
  }
}

static int syn_in_sentence(dyad_coder *c, uint32_t syn) {
  syn_ensure(c);
  const uint64_t *bits = c->syn_present.data;
  return (size_t)(syn / 64) < c->syn_present.len && (bits[syn / 64] >> (syn % 64) & 1);
}

/* Length of the longest phrase of synset SYN starting at K and ending by
 * END (0 when none), from the sentence's table (ct_synsets). */
static uint32_t synset_at(const mstate *s, uint32_t k, uint32_t end, uint32_t syn) {
  syn_ensure(s->c);
  const ct_tok *t = &s->c->t[k];
  if (!t->syn_n) return 0;
  const ct_syn *y = (const ct_syn *)s->c->syns.data + t->syn_first;
  uint32_t best = 0;
  for (uint32_t i = 0; i < t->syn_n; i++) {
    if (k + y[i].len > end || y[i].len <= best) continue;
    for (uint32_t j = 0; j < y[i].cnt; j++) {
      if (y[i].items[j] == syn) {
        best = y[i].len;
        break;
      }
    }
  }
  return best;
}

/* NP with an actor (or agent) starting at or after K, before END. */
static int32_t next_actor_np(const mstate *s, uint32_t k, uint32_t end, int adj) {
  dyad_coder *c = s->c;
  for (uint32_t q = k; q < end; q++) {
    int32_t n = c->t[q].np;
    if (n >= 0) {
      ct_np *np = ct_np_at(c, n);
      if (np->has_actor || np->agent_only) return n;
      if (adj) return -1;
      q = np->end - 1;
      continue;
    }
    if (adj && !(c->t[q].lex & LX_DET)) return -1;
  }
  return -1;
}

static int32_t prev_actor_np(const mstate *s, uint32_t k, uint32_t start) {
  dyad_coder *c = s->c;
  while (k > start) {
    k--;
    int32_t n = c->t[k].np;
    if (n >= 0) {
      ct_np *np = ct_np_at(c, n);
      if (np->has_actor || np->agent_only) return n;
      k = np->start;
    }
  }
  return -1;
}

/* End of a prepositional phrase that starts after token P; it runs on
 * through the phrases attached to it ("at Osgiliath with the parliament
 * of Gondor in Eriador"). */
static uint32_t pp_end(const dyad_coder *c, uint32_t p, uint32_t end) {
  uint32_t q = p + 1;
  for (; q < end; q++) {
    const ct_tok *t = &c->t[q];
    if (t->ment >= 0 || t->np >= 0) continue;
    if ((t->lex & LX_PREP) && !(t->lex & LX_SUBORD)) continue;
    if (t->isverb || (t->lex & (LX_CONJ | LX_SUBORD | LX_REL)) ||
        (c->toks.v[q].flags & TK_PUNCT && !(c->toks.v[q].flags & TK_HYPHEN))) {
      break;
    }
  }
  return q;
}

/* Match E[0..n) forward from *cur within [*cur, end). */
static int match_fwd(mstate *s, const kb_pelem *e, uint32_t n, uint32_t *cur,
                     uint32_t end) {
  dyad_coder *c = s->c;
  uint32_t i = 0;
  while (i < n) {
    const kb_pelem *x = &e[i];
    switch (x->kind) {
      case PE_WORD: {
        uint32_t k = *cur;
        if (x->adj) {
          if (k >= end || !word_matches(s, k, x->id)) return 0;
        } else {
          k = word_scan(s, k, end, x->id);
          if (k >= end) return 0;
        }
        *cur = k + 1;
        s->span++;
        i++;
        break;
      }
      case PE_SYNSET: {
        uint32_t k = *cur, len = 0;
        if (x->adj) {
          if (k >= end || !(len = synset_at(s, k, end, x->id))) return 0;
        } else {
          if (!syn_in_sentence(c, x->id)) return 0;
          while (k < end && !(len = synset_at(s, k, end, x->id))) k++;
          if (k >= end) return 0;
        }
        *cur = k + len;
        s->span += (int)len;
        i++;
        break;
      }
      case PE_TARGET:
      case PE_SOURCE:
      case PE_SKIP: {
        int32_t np = next_actor_np(s, *cur, end, x->adj);
        if (np < 0) return 0;
        if (x->kind == PE_TARGET) s->tgt = np;
        if (x->kind == PE_SOURCE) s->src = np;
        if (x->kind == PE_SKIP) s->skip = np;
        *cur = ct_np_at(c, np)->end;
        s->span++;
        i++;
        break;
      }
      case PE_COMPOUND:
        s->compound = 1;
        s->span++;
        i++;
        break;
      case PE_PP: {
        /* Find the group's extent in E. */
        uint32_t j = i + 1, depth = 1;
        while (j < n && depth) {
          if (e[j].kind == PE_PP || e[j].kind == PE_NP) depth++;
          if (e[j].kind == PE_PP_END || e[j].kind == PE_NP_END) depth--;
          j++;
        }
        uint32_t inner_n = j - i - 2 + (depth ? 1 : 0);
        uint32_t k = *cur;
        int ok = 0;
        for (; k < end && !ok; k++) {
          if (c->t[k].wid != x->id) continue;
          uint32_t pend = pp_end(c, k, end);
          /* Allow the phrase to run on through "of": "(OF &MILITARY)". */
          uint32_t icur = k + 1;
          /* The phrase's first word follows the preposition (after
           * determiners): (FOR ASYLUM) is "for asylum", not "for foreign
           * asylum". */
          while (icur < end && (c->t[icur].lex & (LX_DET | LX_POSSPRON)) &&
                 !(c->t[icur].lex & LX_NOUN)) {
            icur++;
          }
          if (inner_n && (e[i + 1].kind == PE_WORD || e[i + 1].kind == PE_SYNSET) &&
              !e[i + 1].adj) {
            kb_pelem first = e[i + 1];
            first.adj = 1;
            mstate save0 = *s;
            uint32_t c0 = icur;
            if (match_fwd(s, &first, 1, &c0, pend > c0 ? pend : c0 + 1) &&
                match_fwd(s, e + i + 2, inner_n - 1, &c0, DU_MAX(pend, c0))) {
              *cur = c0;
              ok = 1;
              break;
            }
            *s = save0;
            continue;
          }
          mstate save = *s;
          if (match_fwd(s, e + i + 1, inner_n, &icur, inner_n ? DU_MAX(pend, icur) : k + 1)) {
            *cur = inner_n ? icur : k + 1;
            ok = 1;
            break;
          }
          *s = save;
        }
        if (!ok) return 0;
        i = j;
        break;
      }
      case PE_NP: {
        uint32_t j = i + 1, depth = 1;
        while (j < n && depth) {
          if (e[j].kind == PE_PP || e[j].kind == PE_NP) depth++;
          if (e[j].kind == PE_PP_END || e[j].kind == PE_NP_END) depth--;
          j++;
        }
        uint32_t inner_n = j - i - 2 + (depth ? 1 : 0);
        int ok = 0;
        for (uint32_t k = *cur; k < end && !ok; k++) {
          int32_t ni = c->t[k].np;
          if (ni < 0) continue;
          ct_np *np = ct_np_at(c, ni);
          uint32_t icur = DU_MAX(k, np->start);
          uint32_t nend = DU_MIN(np->end, end);
          mstate save = *s;
          if (match_fwd(s, e + i + 1, inner_n, &icur, nend)) {
            *cur = icur;
            ok = 1;
            break;
          }
          *s = save;
          k = np->end - 1;
        }
        if (!ok) return 0;
        i = j;
        break;
      }
      case PE_PP_END:
      case PE_NP_END:
        i++;
        break;
      default:
        return 0;
    }
  }
  return 1;
}

/* Tokens before the verb that a pre-verb word may match: nouns and names,
 * not adverbs or function words ("heavily criticized" is not HEAVILY *). */
static int pre_matchable(const dyad_coder *c, uint32_t k) {
  const ct_tok *t = &c->t[k];
  if (c->toks.v[k].flags & TK_PUNCT) return 0;
  if (t->isverb && !(t->lex & (LX_BE | LX_HAVE))) return 0;
  if (t->lex & (LX_ADV | LX_DET | LX_CONJ | LX_NEG | LX_MODAL)) {
    return (t->lex & (LX_NOUN | LX_BE | LX_HAVE)) != 0;
  }
  return 1;
}

/* Match pre-verb elements right to left, ending before *cur. */
static int match_back(mstate *s, const kb_pelem *e, uint32_t n, uint32_t *cur,
                      uint32_t start, int32_t subj) {
  dyad_coder *c = s->c;
  for (uint32_t ii = n; ii-- > 0;) {
    const kb_pelem *x = &e[ii];
    switch (x->kind) {
      case PE_WORD: {
        uint32_t k = *cur;
        int found = 0;
        while (k > start) {
          k--;
          if (pre_matchable(c, k) && word_matches(s, k, x->id)) {
            found = 1;
            break;
          }
          if (x->adj) break;
        }
        if (!found) return 0;
        *cur = k;
        break;
      }
      case PE_SYNSET: {
        uint32_t k = *cur;
        int found = 0;
        while (k > start) {
          k--;
          uint32_t len = synset_at(s, k, *cur, x->id);
          if (len && k + len <= *cur) {
            found = 1;
            s->span += (int)len;
            break;
          }
        }
        if (!found) return 0;
        *cur = k;
        break;
      }
      case PE_TARGET:
      case PE_SOURCE:
      case PE_SKIP: {
        int32_t np = prev_actor_np(s, *cur, start);
        if (np < 0) return 0;
        if (x->kind == PE_TARGET) s->tgt = np;
        if (x->kind == PE_SOURCE) s->src = np;
        *cur = ct_np_at(c, np)->start;
        s->span++;
        break;
      }
      case PE_COMPOUND: {
        if (subj < 0) return 0;
        ct_np *np = ct_np_at(c, subj);
        ct_np *h = ct_np_at(c, np->conj_head);
        if (h->conj_next < 0) return 0;
        s->compound = 1;
        s->span++;
        break;
      }
      case PE_PP_END:
      case PE_NP_END: {
        /* Match the whole group forward from the nearest opening. */
        uint32_t j = ii, depth = 1;
        while (j > 0 && depth) {
          j--;
          if (e[j].kind == PE_PP_END || e[j].kind == PE_NP_END) depth++;
          if (e[j].kind == PE_PP || e[j].kind == PE_NP) depth--;
        }
        /* Try starting points from the right. */
        uint32_t k = *cur;
        int ok = 0;
        while (k > start && !ok) {
          k--;
          uint32_t icur = k;
          mstate save = *s;
          if (match_fwd(s, e + j, ii - j + 1, &icur, *cur)) {
            ok = 1;
            *cur = k;
            break;
          }
          *s = save;
        }
        if (!ok) return 0;
        ii = j;
        break;
      }
      default:
        return 0;
    }
  }
  return 1;
}

void ct_match_verb(dyad_coder *c, uint32_t vgi, uint32_t a, uint32_t b,
                   ct_match *m) {
  (void)b;
  const dyad_kb *kb = c->kb;
  ct_vg *g = ct_vg_at(c, (int32_t)vgi);
  memset(m, 0, sizeof *m);
  m->pattern = UINT32_MAX;
  m->src_np = m->tgt_np = m->skip_np = -1;
  m->weight = -1;
  if (g->verb == UINT32_MAX) return;
  const kb_verb *v = &kb->verbs[g->verb];
  const kb_vclass *vc = &kb->vclasses[v->vclass];
  /* The verb's own code, else its class code; either may be a pair. */
  const char *dc = kb_str(kb, v->code ? v->code : vc->code);
  const char *colon = strchr(dc, ':');
  if (colon) {
    size_t n = (size_t)(colon - dc);
    if (n >= sizeof m->pair1) n = sizeof m->pair1 - 1;
    memcpy(m->pair1, dc, n);
    m->pair1[n] = '\0';
    m->code1 = n ? m->pair1 : "---";
    m->code2 = colon + 1;
  } else {
    m->code1 = dc;
  }
  m->weight = 0;
  /* The clause before the verb starts after the previous boundary. */
  int32_t subj = g->subj;
  if (subj < 0 && g->subj_vg >= 0) {
    subj = ct_subject(c, (int32_t)vgi);
  }
  uint32_t cstart = a;
  for (uint32_t q = g->start; q > a; q--) {
    const ct_tok *t = &c->t[q - 1];
    if ((t->lex & (LX_SUBORD | LX_THAT | LX_REL)) || ct_is_punct(c, q - 1, ';')) {
      cstart = q;
      break;
    }
    if (t->vg >= 0 && t->vg != (int16_t)vgi && ct_vg_at(c, t->vg)->finite) {
      cstart = q;
      break;
    }
  }
  if (subj >= 0 && ct_np_at(c, subj)->start < cstart) cstart = ct_np_at(c, subj)->start;
  int32_t best = -1;
  mstate bs;
  memset(&bs, 0, sizeof bs);
  for (uint32_t p = vc->patterns; p < vc->patterns + vc->npatterns; p++) {
    const kb_pattern *pt = &kb->patterns[p];
    if ((int)pt->weight < m->weight) continue;
    if (!pattern_possible(c, kb->pelems + pt->post, pt->npost) ||
        !pattern_possible(c, kb->pelems + pt->pre, pt->npre)) {
      continue;
    }
    mstate s = {c, kb, -1, -1, -1, 0, 0};
    uint32_t cur = g->vend;
    if (!match_fwd(&s, kb->pelems + pt->post, pt->npost, &cur, DU_MAX(g->obj_end, g->vend))) continue;
    uint32_t bcur = g->vstart;
    if (!match_back(&s, kb->pelems + pt->pre, pt->npre, &bcur, cstart, subj)) continue;
    /* More elements win; then more words (a longer synset phrase); then
     * the earlier pattern. */
    if ((int)pt->weight > m->weight || best < 0 || s.span > bs.span) {
      best = (int32_t)p;
      m->weight = pt->weight;
      bs = s;
    }
  }
  if (best >= 0) {
    const kb_pattern *pt = &kb->patterns[best];
    m->pattern = (uint32_t)best;
    m->code1 = kb_str(kb, pt->code1);
    m->code2 = pt->code2 ? kb_str(kb, pt->code2) : NULL;
    m->src_np = bs.src;
    m->tgt_np = bs.tgt;
    m->skip_np = bs.skip;
    m->compound = (uint8_t)bs.compound;
  }
}
