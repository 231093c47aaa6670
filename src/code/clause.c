/*
 * clause.c - verbs and clauses.
 *
 * 1. Which words are verbs: a word with verb forms is a verb unless its
 *    neighbours make it a noun ("the attack", "peace talks"); auxiliaries
 *    and modals are always verbs.
 * 2. Verb groups: auxiliaries, adverbs, negation, the main verb and, for
 *    dictionary multi-word verbs, their other words ("cordoned off").
 * 3. For each group: finite or not, passive, negated, modality, its
 *    subject (with appositives and prepositional phrases skipped, pronouns
 *    resolved to the previous subject, coordinated verbs sharing one), its
 *    governing group (infinitives, complement clauses) and the end of its
 *    object region.
 */
#include "code/code.h"

#define AUX (LX_BE | LX_HAVE | LX_DO | LX_MODAL)

static int is_word(const dyad_coder *c, uint32_t i) {
  return (c->toks.v[i].flags & (TK_WORD | TK_NUM)) != 0;
}

/* Previous token that is not an adverb; a < i. */
static int64_t prev_content(const dyad_coder *c, uint32_t a, uint32_t i) {
  while (i > a) {
    i--;
    const ct_tok *t = &c->t[i];
    if ((t->lex & LX_ADV) && !(t->lex & (AUX | LX_NEG | LX_DET | LX_PREP | LX_CONJ))) continue;
    return (int64_t)i;
  }
  return -1;
}

static int noun_context(const dyad_coder *c, uint32_t p) {
  const ct_tok *t = &c->t[p];
  const dt_token *k = &c->toks.v[p];
  if (k->flags & TK_POSS) return 1;
  if (t->lex & (LX_DET | LX_POSSPRON | LX_QUANT | LX_NUMW)) {
    /* "that" and "no" are determiners and more. */
    if (ct_word_is(c, p, "that")) return 0;
    return 1;
  }
  if (k->flags & TK_NUM) return 1;
  if ((t->lex & LX_ADJ) && !(t->lex & (LX_VERB | LX_NOUN))) return 1;
  if (k->flags & TK_HYPHEN) return 1;
  return 0;
}

/* Something that can be a subject right before a finite verb. */
static int subject_like(const dyad_coder *c, uint32_t p) {
  const ct_tok *t = &c->t[p];
  const dt_token *k = &c->toks.v[p];
  if (t->ment >= 0) return 1;
  if (t->lex & (LX_PRON | LX_REL)) return 1;
  if (k->flags & TK_PUNCT) return k->punct == ')' || k->punct == '"';
  if (t->lex & (LX_PREP | LX_CONJ | LX_TO | LX_DET | AUX | LX_NEG | LX_SUBORD)) return 0;
  if (t->isverb) return 0;
  return is_word(c, p);
}

/* Does the noun-phrase-like run before I start with a determiner or an
 * adjective ("full cultural ties", "a 12-year break")? Then a present
 * form at I is the head noun, not a verb. */
static int np_run_before(const dyad_coder *c, uint32_t a, uint32_t i) {
  uint32_t k = i;
  int words = 0;
  while (k > a) {
    k--;
    const ct_tok *t = &c->t[k];
    const dt_token *tk = &c->toks.v[k];
    if (tk->flags & TK_HYPHEN) continue;
    if (t->isverb) return 0;
    if (t->lex & (LX_DET | LX_POSSPRON | LX_QUANT | LX_NUMW)) return !ct_word_is(c, k, "that");
    if (tk->flags & (TK_POSS | TK_NUM)) return 1;
    if (tk->flags & TK_PUNCT) return 0;
    if (t->lex & (LX_PREP | LX_CONJ | LX_SUBORD | LX_REL | LX_TO | AUX | LX_NEG | LX_PRON)) {
      /* The run started right after a preposition: "with full ties". */
      return words > 0 && (t->lex & LX_PREP) && !(t->lex & LX_SUBORD);
    }
    if (t->ment >= 0) return 0;
    if ((t->lex & LX_ADJ) && !(t->lex & (LX_NOUN | LX_VERB))) return 1;
    if (tk->flags & TK_CAP) return 0;
    words++;
    if (words > 4) return 0;
  }
  return 0;
}

/* Is the noun run right before I the object of a preposition? */
static int in_pp_noun(const dyad_coder *c, uint32_t a, uint32_t i) {
  uint32_t k = i;
  int words = 0, times = 0;
  while (k > a) {
    k--;
    const ct_tok *t = &c->t[k];
    if (c->toks.v[k].flags & TK_HYPHEN) continue;
    if (t->lex & (LX_DET | LX_POSSPRON | LX_ADJ | LX_NUMW | LX_QUANT) ||
        (c->toks.v[k].flags & (TK_POSS | TK_NUM))) {
      continue;
    }
    if (t->ment < 0 && (t->lex & LX_PREP) && !(t->lex & LX_SUBORD)) {
      if (ct_quantity_prep(c, a, k)) continue;
      /* "The UN on Tuesday imposed ...": a time is no noun a participle
       * could describe. */
      return words > 0 && times < words;
    }
    if (t->isverb || (c->toks.v[k].flags & TK_PUNCT) || (t->lex & (LX_CONJ | LX_SUBORD | LX_REL))) {
      return 0;
    }
    if (t->ment >= 0 && t->ment == c->t[i - 1].ment) {
      words++;
      continue;
    }
    words++;
    if (t->lex & (LX_WEEKDAY | LX_MONTH | LX_TIME)) times++;
    if (words > 4) return 0;
  }
  return 0;
}

static int decide_verb(dyad_coder *c, uint32_t a, uint32_t b, uint32_t i,
                       int finite_seen) {
  const ct_tok *t = &c->t[i];
  uint8_t vf = t->vform;
  /* The possessive 's is "is" only after a pronoun: "it's", "he's". */
  if (c->toks.v[i].flags & TK_POSS) {
    return i > a && (c->t[i - 1].lex & LX_PRON) && !(c->t[i - 1].lex & LX_POSSPRON);
  }
  /* "according to" attributes what is said; it is no verb of agreeing. */
  if (i + 1 < b && ct_word_is(c, i, "according") && ct_word_is(c, i + 1, "to")) return 0;
  /* "May" inside a sentence is the month. */
  if ((t->lex & LX_MONTH) && (t->lex & LX_MODAL) && i > a && ct_capitalised(c, i) &&
      !c->caps_unreliable) {
    return 0;
  }
  if (t->lex & AUX) return 1;
  if (!(t->lex & LX_VERB) || !vf) return 0;
  /* A capitalised word inside a sentence is a name, not a verb. */
  if (i > a && ct_capitalised(c, i) && !c->caps_unreliable &&
      !(c->toks.v[i - 1].flags & TK_NL) && !(c->toks.v[i].flags & TK_ALLCAP)) {
    if (!(c->toks.v[i - 1].punct == '"' || c->toks.v[i - 1].punct == '(')) return 0;
  }
  int64_t pp = prev_content(c, a, i);
  if (pp < 0) {
    /* Sentence start: "Rebuked by ..." (participle) is a verb; "Talks
     * between" is a noun. */
    if (vf & (VF_PAST | VF_PPART)) return 1;
    if ((vf & VF_GER) && !(t->lex & LX_NOUN)) return 1;
    return 0;
  }
  uint32_t p = (uint32_t)pp;
  const ct_tok *pt = &c->t[p];
  if (noun_context(c, p)) return 0;
  if (pt->lex & LX_TO) return (vf & VF_BASE) != 0;
  if (pt->lex & LX_MODAL) return 1; /* even "would acting" (a typo) */
  if (pt->lex & LX_DO) return (vf & VF_BASE) != 0;
  if (pt->lex & LX_NEG) return 1;
  if (pt->lex & (LX_BE | LX_HAVE)) return (vf & (VF_PPART | VF_GER | VF_PAST)) != 0;
  if (pt->lex & LX_PREP) {
    if (ct_word_is(c, p, "about") && i + 1 < b && (c->t[i].lex & LX_TO)) return 0;
    return (vf & VF_GER) && !(t->lex & LX_NOUN) ? 1 : 0;
  }
  if (c->toks.v[p].punct == ',' || (pt->lex & (LX_REL | LX_THAT | LX_SUBORD))) {
    /* "that control of the ministry be ...": a word followed by "of" is
     * the head of a noun phrase. */
    if (i + 1 < b && ct_word_is(c, i + 1, "of")) return 0;
    return (vf & (VF_PAST | VF_3SG | VF_PPART)) != 0 ||
           ((vf & VF_BASE) && i + 1 < b && !(c->t[i + 1].lex & LX_NOUN));
  }
  if (pt->lex & LX_CONJ) {
    /* "awful and evil minister": adjectives joined inside a noun phrase. */
    /* "condemned X and promised Y": a finite verb after "and". */
    int64_t q = prev_content(c, a, p);
    if (q >= 0 && c->t[q].isverb && (c->t[q].vform & VF_GER) && (vf & VF_GER)) return 0;
    if (q >= 0 && (c->t[q].lex & LX_VERB) && !c->t[q].isverb && c->t[q].vform == vf) return 0;
    return (vf & (VF_PAST | VF_3SG)) != 0 || ((vf & VF_BASE) && !(t->lex & LX_NOUN));
  }
  if (subject_like(c, p)) {
    if ((vf & (VF_3SG | VF_BASE)) && !(vf & VF_PAST) && np_run_before(c, a, i)) return 0;
    /* "the basketball team is": a present form right before an auxiliary
     * is the head of the subject, not a verb. */
    if ((vf & (VF_3SG | VF_BASE)) && !(vf & VF_PAST) && i + 1 < b &&
        (c->t[i + 1].lex & (LX_BE | LX_HAVE | LX_MODAL)) && c->t[i + 1].ment < 0 &&
        !(c->toks.v[i + 1].flags & TK_POSS)) {
      return 0;
    }
    if (vf & (VF_PAST | VF_3SG)) {
      /* "peace talks resumed": TALKS before a finite verb is a noun. */
      if ((vf & VF_3SG) && !(vf & VF_PAST) && i + 1 < b && c->t[i + 1].ment < 0 &&
          (c->t[i + 1].lex & LX_VERB) && (c->t[i + 1].vform & (VF_PAST | VF_3SG)) &&
          !(c->t[i + 1].lex & LX_NOUN)) {
        return 0;
      }
      return 1;
    }
    if (vf & VF_BASE) {
      /* "a key U.S. ally": after "a" the word is the phrase's head. */
      int64_t k = p;
      while (k > (int64_t)a && (c->t[k].ment >= 0 || (c->t[k].lex & (LX_ADJ | LX_NOUN)) ||
                                !c->t[k].lex || (c->toks.v[k].flags & TK_HYPHEN)))
        k--;
      if (ct_word_is(c, (uint32_t)k, "a") || ct_word_is(c, (uint32_t)k, "an")) return 0;
      /* Plural subject: "Gondor and Osgiliath agree"; but "border police". */
      if (t->lex & LX_NOUN) {
        if (i + 1 < b && (c->t[i + 1].lex & (LX_THAT | LX_TO | LX_PREP | LX_DET)) &&
            !(c->t[i + 1].lex & LX_NOUN)) {
          return 1;
        }
        return 0;
      }
      return 1;
    }
    if (vf & VF_GER) return 0;
    /* A bare participle right after a name, in a clause with no verb yet
     * ("Ethiopia broken down ..."): ungrammatical, but a verb. */
    if ((vf & VF_PPART) && !finite_seen && c->t[p].ment >= 0) return 1;
  }
  return 0;
}

/* "is opposed to", "is committed to": a state of the subject's, not
 * something done to it. */
static int stative_to(const dyad_coder *c, uint32_t m, uint32_t b) {
  if (m + 1 >= b || !ct_word_is(c, m + 1, "to")) return 0;
  return ct_word_is(c, m, "opposed") || ct_word_is(c, m, "committed") ||
         ct_word_is(c, m, "dedicated") || ct_word_is(c, m, "devoted") ||
         ct_word_is(c, m, "determined");
}

static int32_t push_vg(dyad_coder *c, const ct_vg *g) {
  ct_vg *p = du_vec_push(&c->vgs);
  if (!p) return -1;
  *p = *g;
  return (int32_t)c->vgs.len - 1;
}

/* Find the dictionary verb phrase whose head is token M. */
static void find_dict_verb(dyad_coder *c, uint32_t a, uint32_t b, ct_vg *g) {
  const dyad_kb *kb = c->kb;
  uint32_t m = g->main;
  g->verb = UINT32_MAX;
  g->vstart = m;
  g->vend = m + 1;
  uint32_t best_len = 0;
  int best_strong = 0;
  uint32_t lo = m >= a + 3 ? m - 3 : a;
  for (uint32_t p = lo; p <= m; p++) {
    uint32_t w = c->t[p].wid;
    if (!w) continue;
    uint32_t node = kb->words[w].root[TRIE_VERB];
    uint32_t k = p;
    while (node) {
      uint32_t cnt;
      const uint32_t *items = kb_payload(kb, node, &cnt);
      for (uint32_t q = 0; q + 1 < cnt; q += 2) {
        uint32_t head = items[q + 1] & 0x7F;
        int strong = !(items[q + 1] & 0x80);
        if (p + head != m) continue;
        uint32_t len = k + 1 - p;
        if (len > best_len || (len == best_len && strong && !best_strong)) {
          best_len = len;
          best_strong = strong;
          g->verb = items[q];
          g->vstart = p;
          g->vend = k + 1;
        }
      }
      if (++k >= b) break;
      uint32_t nw = c->t[k].wid;
      node = nw ? kb_trie_step(kb, node, nw) : 0;
    }
  }
}

static int mode_of_modal(const dyad_coder *c, uint32_t i) {
  const char *w = dt_norm(&c->toks, i);
  if (!strcmp(w, "will") || !strcmp(w, "shall") || !strcmp(w, "'ll") || !strcmp(w, "wo")) {
    return DYAD_MODE_INTENDED;
  }
  if (!strcmp(w, "may") || !strcmp(w, "might") || !strcmp(w, "could") ||
      !strcmp(w, "would") || !strcmp(w, "should") || !strcmp(w, "can") ||
      !strcmp(w, "ca") || !strcmp(w, "must")) {
    return DYAD_MODE_HYPOTHETICAL;
  }
  return DYAD_MODE_ASSERTED;
}

/* Build verb groups over [a, b). */
static int build_groups(dyad_coder *c, uint32_t a, uint32_t b) {
  uint32_t i = a;
  while (i < b) {
    const ct_tok *t = &c->t[i];
    int starts = t->isverb || ((t->lex & LX_TO) && i + 1 < b && c->t[i + 1].isverb &&
                               !(c->t[i + 1].lex & AUX && !(c->t[i + 1].lex & LX_BE)));
    if ((t->lex & LX_TO) && i + 1 < b) {
      /* "to" + (adverb) + verb */
      uint32_t j = i + 1;
      while (j < b && (c->t[j].lex & LX_ADV) && !c->t[j].isverb) j++;
      starts = j < b && c->t[j].isverb && (c->t[j].vform & VF_BASE);
    }
    if (!starts) {
      i++;
      continue;
    }
    ct_vg g;
    memset(&g, 0, sizeof g);
    g.start = i;
    g.subj = g.subj_vg = g.parent = -1;
    g.comp = 0;
    int has_be = 0, has_aux = 0, modal_mode = DYAD_MODE_ASSERTED;
    uint32_t j = i;
    if (t->lex & LX_TO) {
      g.infinitive = 1;
      j++;
    }
    uint32_t main = UINT32_MAX;
    int finite = 0;
    for (; j < b; j++) {
      const ct_tok *u = &c->t[j];
      if (u->ment >= 0 && !u->isverb) break;
      if (u->lex & LX_NEG) {
        g.negated = 1;
        continue;
      }
      if ((u->lex & LX_ADV) && !u->isverb) continue;
      /* "was heavily and unjustly criticized" */
      if ((u->lex & LX_CONJ) && j > g.start && (c->t[j - 1].lex & LX_ADV) && j + 1 < b &&
          (c->t[j + 1].lex & LX_ADV)) {
        continue;
      }
      if (!u->isverb) break;
      if (u->lex & AUX) {
        /* An auxiliary followed by more verbs, or a copula. */
        if (u->lex & LX_MODAL) {
          int md = mode_of_modal(c, j);
          if (md != DYAD_MODE_ASSERTED) modal_mode = md;
          if (ct_word_is(c, j, "must") || ct_word_is(c, j, "should")) g.must = 1;
          finite = 1;
        }
        if (u->lex & LX_BE) {
          has_be = 1;
          if (u->vform & (VF_PAST | VF_3SG) || !u->vform) finite = finite || !g.infinitive;
        }
        if (u->lex & (LX_HAVE | LX_DO)) {
          if (u->vform & (VF_PAST | VF_3SG | VF_BASE)) finite = finite || !g.infinitive;
        }
        has_aux = 1;
        main = j;
        continue;
      }
      main = j;
      if (u->vform & (VF_PAST | VF_3SG)) finite = finite || !g.infinitive;
      if ((u->vform & VF_BASE) && !has_aux && !g.infinitive) finite = 1;
      j++;
      break;
    }
    if (main == UINT32_MAX) {
      i = j > i ? j : i + 1;
      continue;
    }
    g.main = main;
    g.end = j > main ? j : main + 1;
    const ct_tok *mt = &c->t[main];
    if (!(mt->lex & AUX) || main == g.start || !(mt->lex & LX_MODAL)) {
      if (has_be && (mt->vform & VF_PPART) && !(mt->lex & LX_BE) &&
          !(mt->vform & VF_GER) && !stative_to(c, main, b)) {
        g.passive = 1;
      }
    }
    if (!has_aux && !g.infinitive && (mt->vform & VF_GER) && !(mt->vform & VF_PAST)) {
      g.gerund = 1;
      finite = 0;
    }
    if (!has_aux && !g.infinitive && (mt->vform & VF_PPART) &&
        (!(mt->vform & VF_PAST) || mt->isverb == 2)) {
      finite = 0; /* "Rebuked by Eriador, ...", "memos sent by Bree" */
    }
    g.finite = (uint8_t)finite;
    g.mode = (uint8_t)modal_mode;
    /* "going to VERB" is future. */
    find_dict_verb(c, a, b, &g);
    if (g.vend > g.end) g.end = g.vend;
    uint32_t lw = mt->lemma ? mt->lemma : mt->wid;
    uint32_t llex = lw ? c->kb->words[lw].lex | mt->lex : mt->lex;
    g.say = (llex & LX_SAY) != 0;
    g.refuse = (llex & LX_REFUSE) != 0;
    g.intend = (llex & LX_INTEND) != 0;
    /* "is willing to", "are ready to", "is determined to": an intention. */
    if (((mt->lex & LX_BE) || stative_to(c, main, b)) && g.end + 1 < b) {
      uint32_t q = (mt->lex & LX_BE) ? g.end : main;
      while (q < b && (c->t[q].lex & LX_ADV) && !c->t[q].isverb) q++;
      if (q + 1 < b && ct_word_is(c, q + 1, "to") &&
          (ct_word_is(c, q, "willing") || ct_word_is(c, q, "ready") ||
           ct_word_is(c, q, "prepared") || ct_word_is(c, q, "eager") ||
           ct_word_is(c, q, "determined")))
        g.intend = 1;
    }
    g.specul = (llex & LX_SPECUL) != 0;
    int32_t vi = push_vg(c, &g);
    if (vi < 0) return -1;
    for (uint32_t k = g.start; k < g.end; k++) c->t[k].vg = (int16_t)vi;
    i = g.end;
  }
  return 0;
}

/* Is token I a clause boundary for subject search? */
static int boundary(const dyad_coder *c, uint32_t i) {
  const dt_token *k = &c->toks.v[i];
  if (k->flags & TK_PUNCT) return k->punct == ';' || k->punct == ':';
  const ct_tok *t = &c->t[i];
  if (t->lex & (LX_SUBORD | LX_THAT | LX_REL)) return 1;
  return 0;
}

/* Subject NP of finite group G, or -1; sets *coord when the group is the
 * second verb of a coordination ("condemned ... and promised"). */
static int32_t find_subject(dyad_coder *c, uint32_t a, int32_t gi, int *coord,
                            int *rel) {
  ct_vg *g = ct_vg_at(c, gi);
  *coord = 0;
  *rel = 0;
  int64_t p = (int64_t)g->start - 1;
  /* Directly after "and"/"but": a coordinated verb. */
  int64_t q = p;
  while (q >= (int64_t)a && (c->t[q].lex & LX_ADV) && c->t[q].np < 0) q--;
  if (q >= (int64_t)a && (c->t[q].lex & LX_CONJ) && gi > 0) {
    *coord = 1;
    return -1;
  }
  if (q >= (int64_t)a && ct_is_punct(c, (uint32_t)q, ',') && gi > 0 && q > (int64_t)a &&
      (c->t[q - 1].lex & LX_CONJ)) {
    *coord = 1;
    return -1;
  }
  if (q >= (int64_t)a && (c->t[q].lex & LX_REL)) *rel = 1;
  int commas = 0;
  while (p >= (int64_t)a) {
    uint32_t i = (uint32_t)p;
    const ct_tok *t = &c->t[i];
    if (t->vg >= 0 && t->vg != gi) {
      const ct_vg *o = ct_vg_at(c, t->vg);
      if (o->finite) return -1;
      p = (int64_t)o->start - 1;
      continue;
    }
    if (t->np >= 0) {
      ct_np *np = ct_np_at(c, t->np);
      if (np->appositive) {
        p = (int64_t)np->start - 1;
        continue;
      }
      if (np->prep >= 0 && np->attach_to < 0 && ct_np_at(c, np->conj_head)->attach_to < 0) {
        /* "after a hafling was reported": right before its verb, after a
         * word that can open a clause, the NP is the subject. */
        int adjacent = 1;
        for (uint32_t z = np->end; z < g->start; z++) {
          if (!(c->t[z].lex & (LX_ADV | LX_NEG))) adjacent = 0;
        }
        if (adjacent && (c->t[np->prep].lex & LX_SUBORD)) return t->np;
        /* In an unattached prepositional phrase ("on Thursday"). */
        p = np->prep - 1;
        continue;
      }
      /* Where the subject is ("students in Belgrade staged ..."): the
       * subject is the phrase the place hangs on. */
      if (np->prep >= 0 && np->attach_to >= 0 && (c->t[np->prep].lex & LX_PLACEPREP) &&
          !np->has_actor) {
        p = np->prep - 1;
        continue;
      }
      return t->np;
    }
    if (t->lex & LX_REL) {
      /* "X, who said ...": the subject is before the pronoun. */
      p--;
      continue;
    }
    if (boundary(c, i)) return -1;
    if (ct_is_punct(c, i, ',')) {
      commas++;
      if (commas > 4) return -1;
    }
    p--;
  }
  return -1;
}

/* The resolved subject of a group (following coordination and pronouns). */
static int32_t subject_of(dyad_coder *c, int32_t gi, int depth) {
  if (gi < 0 || depth > 8) return -1;
  ct_vg *g = ct_vg_at(c, gi);
  if (g->subj >= 0) {
    ct_np *np = ct_np_at(c, g->subj);
    if (!np->pron) return g->subj;
  }
  if (g->subj_vg >= 0 && g->subj_vg != gi) return subject_of(c, g->subj_vg, depth + 1);
  return g->subj;
}

/* Does token I end a clause for the purpose of finding its verb? */
static int clause_edge(const dyad_coder *c, uint32_t i) {
  const dt_token *k = &c->toks.v[i];
  if (k->flags & TK_PUNCT) {
    return k->punct == ',' || k->punct == ';' || k->punct == ':' || k->punct == '(' ||
           k->punct == ')';
  }
  const ct_tok *t = &c->t[i];
  return t->ment < 0 && (t->lex & (LX_REL | LX_THAT | LX_SUBORD)) && !(t->lex & LX_PREP);
}

/* A past form read as a participle in a clause that has no other tensed
 * verb is the clause's verb after all: "students throughout Indonesia
 * staged mass demonstrations" (but "the talks held in Ankara ended"). */
static void promote_participles(dyad_coder *c, uint32_t a, uint32_t b) {
  uint32_t s = a;
  while (s < b) {
    uint32_t e = s;
    while (e < b && !clause_edge(c, e)) e++;
    int tensed = 0;
    int64_t first = -1;
    for (uint32_t k = s; k < e; k++) {
      if (c->t[k].tensed) tensed = 1;
      if (c->t[k].isverb == 2 && first < 0) first = k;
    }
    /* A clause that opens with a preposition is a phrase ("in remarks
     * published on Monday"), not a clause with a subject. */
    uint32_t f = s;
    while (f < e && (c->t[f].lex & LX_CONJ) && c->t[f].ment < 0) f++;
    int phrase = f < e && c->t[f].ment < 0 && (c->t[f].lex & LX_PREP) && !(c->t[f].lex & LX_SUBORD);
    if (!tensed && first >= 0 && !phrase) {
      c->t[first].isverb = 1;
      c->t[first].tensed = 1;
    }
    s = e + 1;
  }
}

int ct_verbs(dyad_coder *c, uint32_t a, uint32_t b) {
  c->vgs.len = 0;
  for (uint32_t i = a; i < b; i++) {
    c->t[i].isverb = 0;
    c->t[i].tensed = 0;
    c->t[i].vg = -1;
  }
  /* Verb decisions (left to right: later decisions look at earlier ones).
   * A clause has one finite verb: after it, another tensed word needs a
   * clause boundary first ("will abandon full cultural ties" has no verb
   * "ties"), unless it follows a reporting verb and its own subject
   * ("Turkey said Russia violated the deal"). */
  int finite = 0, say = 0;
  uint32_t finite_at = 0;
  for (uint32_t i = a; i < b; i++) {
    ct_tok *t = &c->t[i];
    const dt_token *k = &c->toks.v[i];
    if ((k->flags & TK_PUNCT && (k->punct == ',' || k->punct == ';' || k->punct == ':' ||
                                 k->punct == '(' || k->punct == ')' || k->punct == '"')) ||
        (t->ment < 0 && (t->lex & (LX_CONJ | LX_REL | LX_THAT)) ) ||
        (t->ment < 0 && (t->lex & LX_SUBORD) && !(t->lex & LX_PREP))) {
      finite = 0;
    }
    if (t->ment >= 0) continue; /* agents and actors are not verbs */
    if (!(t->lex & (LX_VERB | AUX))) continue;
    t->isverb = (uint8_t)decide_verb(c, a, b, i, finite);
    if (!t->isverb) continue;
    int64_t pp = prev_content(c, a, i);
    /* Skip negation back to the auxiliary: "did n't clash", "will not ever". */
    while (pp > (int64_t)a && (c->t[pp].lex & LX_NEG) && !c->t[pp].isverb) {
      pp = prev_content(c, a, (uint32_t)pp);
    }
    int after_aux = pp >= 0 && (c->t[pp].lex & AUX) && c->t[pp].isverb;
    int after_to = pp >= 0 && (c->t[pp].lex & LX_TO);
    int is_finite = !after_to && !after_aux &&
                    ((t->lex & AUX) ? 1 : (t->vform & (VF_3SG | VF_BASE)) ||
                                          ((t->vform & VF_PAST) && !(t->vform & VF_PPART)));
    int ambiguous_past = !after_aux && !after_to && !(t->lex & AUX) &&
                         (t->vform & VF_PAST) && (t->vform & VF_PPART);
    if (ambiguous_past && in_pp_noun(c, a, i)) {
      /* "in remarks published on Monday": a participle after the object
       * of a preposition, not the verb of a clause. */
      t->isverb = 2;
      continue;
    }
    if (finite && (is_finite || ambiguous_past) && !(t->lex & AUX)) {
      /* A second tensed verb in the same clause. */
      int complement = say && i > finite_at + 1;
      if (!complement) {
        if (ambiguous_past) {
          t->isverb = 2; /* a participle: "the talks held in Ankara" */
          continue;
        }
        t->isverb = 0;
        continue;
      }
    }
    if (is_finite || ambiguous_past) {
      t->tensed = 1;
      finite = 1;
      finite_at = i;
      uint32_t lw = t->lemma ? t->lemma : t->wid;
      say = ((t->lex | (lw ? c->kb->words[lw].lex : 0)) & LX_SAY) != 0;
    }
  }
  promote_participles(c, a, b);
  return build_groups(c, a, b);
}

/* Second phase, after noun phrases exist: subjects, parents, regions. */
int ct_clauses(dyad_coder *c, uint32_t a, uint32_t b) {
  size_t n = c->vgs.len;
  for (size_t gi = 0; gi < n; gi++) {
    ct_vg *g = ct_vg_at(c, (int32_t)gi);
    if (g->infinitive) {
      /* Parent: the closest earlier group in this clause. */
      for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
        ct_vg *o = ct_vg_at(c, k);
        int blocked = 0;
        for (uint32_t q = o->end; q < g->start; q++) {
          if (boundary(c, q) || (c->toks.v[q].flags & TK_PUNCT && c->toks.v[q].punct != ',')) {
            blocked = 1;
            break;
          }
        }
        if (blocked) break;
        g->parent = k;
        /* Object control: "urged Eriador to respond": the NP between. */
        g->subj_vg = k;
        for (uint32_t q = o->end; q < g->start; q++) {
          if (c->t[q].np >= 0) {
            ct_np *np = ct_np_at(c, c->t[q].np);
            uint32_t lw = c->t[o->main].lemma ? c->t[o->main].lemma : c->t[o->main].wid;
            const char *lemma = lw ? kb_str(c->kb, c->kb->words[lw].str) : "";
            static const char *const control[] = {
                "urge", "ask", "tell", "order", "force", "invite", "encourage",
                "press", "call", "persuade", "allow", "help", "request", "instruct",
                "warn", "advise", "compel", "pressure", "permit", "enable", "lead"};
            for (size_t z = 0; z < DU_ARRAY_LEN(control); z++) {
              if (!strcmp(lemma, control[z]) && np->prep < 0) {
                g->subj = c->t[q].np;
                g->subj_vg = -1;
                break;
              }
            }
            break;
          }
        }
        break;
      }
      continue;
    }
    if (g->gerund || (!g->finite && !g->infinitive)) {
      /* Participles and gerunds: the subject of the clause they sit in. */
      int coord = 0, rel = 0;
      int32_t s = find_subject(c, a, (int32_t)gi, &coord, &rel);
      if (coord) {
        for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
          if (ct_vg_at(c, k)->finite || ct_vg_at(c, k)->gerund) {
            g->subj_vg = k;
            break;
          }
        }
      } else {
        g->subj = s;
      }
      /* "by shelling X" after a verb: belongs to it. */
      for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
        if (ct_vg_at(c, k)->finite) {
          g->parent = k;
          if (g->subj < 0 && g->subj_vg < 0) g->subj_vg = k;
          break;
        }
      }
      continue;
    }
    int coord = 0, rel = 0;
    int32_t s = find_subject(c, a, (int32_t)gi, &coord, &rel);
    if (coord) {
      for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
        if (!ct_vg_at(c, k)->finite) continue;
        /* "said that X would fail and warned that ...": a reporting verb
         * coordinates with the reporting level, not inside what was said. */
        while (g->say && ct_vg_at(c, k)->comp && ct_vg_at(c, k)->parent >= 0) {
          k = ct_vg_at(c, k)->parent;
        }
        g->subj_vg = k;
        break;
      }
    } else {
      g->subj = s;
    }
    /* Pronoun subjects: the subject of the previous finite group. */
    if (g->subj >= 0 && ct_np_at(c, g->subj)->pron) {
      const char *w = dt_norm(&c->toks, ct_np_at(c, g->subj)->start);
      if (!strcmp(w, "it") || !strcmp(w, "they") || !strcmp(w, "he") || !strcmp(w, "she") ||
          !strcmp(w, "we")) {
        for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
          ct_vg *o = ct_vg_at(c, k);
          if (o->finite && subject_of(c, k, 0) >= 0 && !ct_np_at(c, subject_of(c, k, 0))->pron) {
            g->subj_vg = k;
            break;
          }
        }
      }
    }
    /* A finite clause right after a reporting or thinking verb (with
     * "that" or not) is its complement. */
    for (int32_t k = (int32_t)gi - 1; k >= 0; k--) {
      ct_vg *o = ct_vg_at(c, k);
      if (!o->finite && !o->infinitive) continue;
      uint32_t from = o->end;
      /* The clause starts at its subject, at the first member when the
       * subject is a coordination ("that the government and the rebels
       * must ..."). */
      uint32_t to = g->start;
      if (g->subj >= 0) {
        ct_np *sn = ct_np_at(c, g->subj);
        to = ct_np_at(c, sn->conj_head >= 0 ? sn->conj_head : g->subj)->start;
      }
      if (to < from) break;
      int ok = 1, saw_that = 0, saw_np = 0;
      for (uint32_t q = from; q < to; q++) {
        const ct_tok *t = &c->t[q];
        if ((t->lex & LX_THAT) || ct_word_is(c, q, "whether")) {
          saw_that = 1;
          continue;
        }
        if (t->np >= 0) {
          ct_np *np = ct_np_at(c, t->np);
          /* Time phrases, and a noun that takes the clause: "expressed
           * hopes that ...". */
          if ((np->prep >= 0 || !saw_that) && !np->has_actor) {
            /* A bare time word ("announced Wednesday it would ...") is no
             * noun that takes the clause. */
            int when = 1;
            for (uint32_t z = np->start; z < np->end; z++) {
              if (!(c->t[z].lex & (LX_WEEKDAY | LX_MONTH | LX_TIME | LX_DET))) when = 0;
            }
            if (np->prep < 0 && !when) saw_np = 1;
            q = np->end - 1;
            continue;
          }
          ok = 0;
          break;
        }
        if ((t->lex & (LX_PREP | LX_ADV)) || ct_is_punct(c, q, ',')) continue;
        ok = 0;
        break;
      }
      if (saw_np && !saw_that) ok = 0;
      /* Without "that", only reporting and thinking verbs take a clause. */
      if (ok && (saw_that ? (c->t[o->main].lex & LX_VERB) != 0 : o->say)) {
        g->parent = k;
        g->comp = 1;
      }
      break;
    }
  }
  /* Object regions: up to the next clause. */
  for (size_t gi = 0; gi < n; gi++) {
    ct_vg *g = ct_vg_at(c, (int32_t)gi);
    uint32_t end = b;
    for (size_t k = gi + 1; k < n; k++) {
      ct_vg *o = ct_vg_at(c, (int32_t)k);
      if (!o->finite) continue;
      if (o->parent == (int32_t)gi && o->comp) {
        /* The complement's subject ends our region: "said that X ...". */
        uint32_t s = o->subj >= 0 ? ct_np_at(c, o->subj)->start : o->start;
        end = s;
        break;
      }
      uint32_t s = o->subj >= 0 ? ct_np_at(c, o->subj)->start : o->start;
      if (s < g->end) s = o->start;
      /* A relative clause ("asylum to 18 rebels who entered ...") starts
       * at its pronoun: the noun it describes stays in our region. */
      if (o->subj >= 0) {
        uint32_t r = o->start;
        while (r > g->end && (c->t[r - 1].lex & LX_ADV) && c->t[r - 1].np < 0) r--;
        if (r > g->end && (c->t[r - 1].lex & LX_REL) && c->t[r - 1].np < 0 &&
            ct_np_at(c, o->subj)->end <= r - 1)
          s = r - 1;
      }
      /* Back over a subordinator, "that", a comma or "and" before it. */
      while (s > g->end && (boundary(c, s - 1) || ct_is_punct(c, s - 1, ',') ||
                            (c->t[s - 1].lex & (LX_CONJ | LX_PREP)))) {
        s--;
      }
      end = s;
      break;
    }
    for (uint32_t q = g->end; q < end; q++) {
      if (ct_is_punct(c, q, ';')) {
        end = q;
        break;
      }
    }
    g->obj_end = end < g->end ? g->end : end;
  }
  (void)subject_of;
  return 0;
}

int32_t ct_subject(dyad_coder *c, int32_t gi) { return subject_of(c, gi, 0); }
