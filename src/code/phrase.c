/*
 * phrase.c - actors, agents and noun phrases.
 *
 * Mentions are found by longest match in the actor trie (an actor must
 * contain a capitalised word, so "turkey" the bird is not Turkey), then in
 * the agent trie on the words left over. Noun phrases are the runs of
 * words between structural words (verbs, prepositions, conjunctions,
 * punctuation); each gets a code from its actors and agents, and noun
 * phrases are linked into coordinations ("Arnor and Gondor", "Mordor, the
 * Shire, Arnor and Bree") and attachments ("soldiers from Gondor",
 * "the government of Gondor", "lawmakers in Arnor and Gondor").
 */
#include "code/code.h"

/* ---- mentions ---- */

static int add_ment(dyad_coder *c, const ct_ment *m) {
  ct_ment *p = du_vec_push(&c->ments);
  if (!p) return -1;
  *p = *m;
  int32_t idx = (int32_t)c->ments.len - 1;
  for (uint32_t k = m->start; k < m->end; k++) c->t[k].ment = (int16_t)idx;
  return 0;
}

/* Longest actor match at I that resolves on the story date. */
static int match_actor(dyad_coder *c, uint32_t i, uint32_t b, ct_ment *out) {
  const dyad_kb *kb = c->kb;
  uint32_t node = kb->words[c->t[i].wid].root[TRIE_ACTOR];
  if (!node) return 0;
  uint32_t hits[CT_MAX_PHRASE], hit_end[CT_MAX_PHRASE];
  int nh = 0;
  uint32_t k = i;
  for (;;) {
    if (kb->nodes[node].payload && nh < CT_MAX_PHRASE) {
      hits[nh] = node;
      hit_end[nh] = k + 1;
      nh++;
    }
    if (k + 1 >= b) break;
    uint32_t w = c->t[k + 1].wid;
    uint32_t nx = w ? kb_trie_step(kb, node, w) : 0;
    if (!nx) {
      /* A hyphenated modifier inside a name: "Ithilen state-run
       * television" is ITHILEN TELEVISION. */
      uint32_t q = k + 1;
      if (q + 3 < b && !(c->toks.v[q].flags & (TK_CAP | TK_ALLCAP)) &&
          (c->toks.v[q + 1].flags & TK_HYPHEN) && (c->toks.v[q + 2].flags & TK_WORD) &&
          !(c->toks.v[q + 2].flags & (TK_CAP | TK_ALLCAP)) && c->t[q + 3].wid) {
        nx = kb_trie_step(kb, node, c->t[q + 3].wid);
        if (nx) k = q + 2;
      }
    }
    if (!nx) break;
    node = nx;
    k++;
  }
  /* Longest first. */
  for (int h = nh - 1; h >= 0; h--) {
    /* An actor name must contain a capitalised word. */
    int cap = 0;
    for (uint32_t q = i; q < hit_end[h] && !cap; q++) {
      if ((c->toks.v[q].flags & TK_WORD) && ct_capitalised(c, q)) cap = 1;
      if (c->toks.v[q].flags & TK_NUM) cap = 1;
    }
    if (!cap) continue;
    uint32_t cnt;
    const uint32_t *items = kb_payload(kb, hits[h], &cnt);
    for (uint32_t p = 0; p + 1 < cnt; p += 2) {
      kb_actor_ref ref = {items[p], items[p + 1]};
      const char *code = kb_actor_code(kb, &ref, c->story_ymd);
      if (!code) continue;
      memset(out, 0, sizeof *out);
      out->start = i;
      out->end = hit_end[h];
      out->kind = MK_ACTOR;
      out->akind = kb->actors[ref.actor].kind;
      out->actor = ref.actor;
      out->code = code;
      return 1;
    }
  }
  return 0;
}

static int match_agent(dyad_coder *c, uint32_t i, uint32_t b, ct_ment *out) {
  const dyad_kb *kb = c->kb;
  uint32_t w0 = c->t[i].wid;
  uint32_t node = kb->words[w0].root[TRIE_AGENT];
  if (!node) return 0;
  uint32_t best = 0, best_end = 0, k = i;
  for (;;) {
    if (kb->nodes[node].payload) {
      best = node;
      best_end = k + 1;
    }
    if (k + 1 >= b || c->t[k + 1].ment >= 0) break;
    uint32_t w = c->t[k + 1].wid;
    if (!w) break;
    uint32_t nx = kb_trie_step(kb, node, w);
    if (!nx) break;
    node = nx;
    k++;
  }
  if (!best) return 0;
  uint32_t cnt;
  const uint32_t *items = kb_payload(kb, best, &cnt);
  if (!cnt) return 0;
  const kb_agent *ag = &kb->agents[items[0]];
  memset(out, 0, sizeof *out);
  out->start = i;
  out->end = best_end;
  out->kind = MK_AGENT;
  out->prefix = ag->prefix;
  out->code = kb_str(kb, ag->code);
  return 1;
}

/* "official contact", "military aid": a one-word agent that is also an
 * adjective, before a plain noun, describes that noun and names nobody.
 * ("official says" and "security forces" keep their agents.) */
static int agent_as_adjective(const dyad_coder *c, uint32_t i, uint32_t b) {
  if (!(c->t[i].lex & LX_ADJ) || i + 1 >= b) return 0;
  const ct_tok *n = &c->t[i + 1];
  const dt_token *k = &c->toks.v[i + 1];
  if (!(k->flags & TK_WORD) || (k->flags & (TK_CAP | TK_POSS)) || n->ment >= 0) return 0;
  if (n->wid && c->kb->words[n->wid].root[TRIE_AGENT]) return 0;
  if (n->lemma && c->kb->words[n->lemma].root[TRIE_AGENT]) return 0;
  if (n->lex & (LX_DET | LX_PREP | LX_CONJ | LX_PRON | LX_POSSPRON | LX_BE | LX_HAVE | LX_DO |
                LX_MODAL | LX_NEG | LX_ADV | LX_TO | LX_THAT | LX_REL | LX_SUBORD))
    return 0;
  if (n->vform & (VF_PAST | VF_3SG)) return 0;
  /* Only before a noun that names an act ("contact", "aid", "visit"):
   * "military delegation" stays MIL. */
  return (n->vform & VF_BASE) != 0;
}

int ct_mentions(dyad_coder *c, uint32_t a, uint32_t b) {
  c->ments.len = 0;
  const dyad_kb *kb = c->kb;
  ct_ment m;
  for (uint32_t i = a; i < b; i++) {
    if (!c->t[i].wid || !kb->words[c->t[i].wid].root[TRIE_ACTOR]) continue;
    if (match_actor(c, i, b, &m)) {
      if (add_ment(c, &m)) return -1;
      i = m.end - 1;
    }
  }
  for (uint32_t i = a; i < b; i++) {
    if (c->t[i].ment >= 0 || !c->t[i].wid) continue;
    if (!kb->words[c->t[i].wid].root[TRIE_AGENT]) continue;
    if (match_agent(c, i, b, &m)) {
      if (m.end == i + 1 && agent_as_adjective(c, i, b)) continue;
      if (add_ment(c, &m)) return -1;
      i = m.end - 1;
    }
  }
  return 0;
}

/* ---- discards ---- */

int ct_discard(const dyad_coder *c, uint32_t a, uint32_t b, int *story) {
  const dyad_kb *kb = c->kb;
  *story = 0;
  if (!kb->n_discards) return 0;
  for (uint32_t i = a; i < b; i++) {
    uint32_t w = c->t[i].wid ? c->t[i].wid : c->t[i].lemma;
    if (!w) continue;
    uint32_t node = kb->words[w].root[TRIE_DISCARD];
    if (!node && c->t[i].lemma) node = kb->words[c->t[i].lemma].root[TRIE_DISCARD];
    uint32_t k = i;
    while (node) {
      uint32_t cnt;
      const uint32_t *items = kb_payload(kb, node, &cnt);
      for (uint32_t p = 0; p < cnt; p++) {
        const kb_discard *d = &kb->discards[items[p]];
        /* An exact discard must match the word exactly, not its lemma. */
        if (!d->stem && c->t[k].wid == 0) continue;
        *story = d->story;
        return 1;
      }
      if (++k >= b) break;
      uint32_t nx = 0;
      if (c->t[k].wid) nx = kb_trie_step(kb, node, c->t[k].wid);
      if (!nx && c->t[k].lemma) nx = kb_trie_step(kb, node, c->t[k].lemma);
      node = nx;
    }
  }
  return 0;
}

/* ---- noun phrases ---- */

static int pure_adj(const dyad_coder *c, uint32_t i) {
  return (c->t[i].lex & LX_ADJ) && !(c->t[i].lex & (LX_NOUN | LX_VERB | LX_DET)) &&
         c->t[i].ment < 0;
}

/* Words that end a noun phrase. */
static int np_breaker(const dyad_coder *c, uint32_t i) {
  const ct_tok *t = &c->t[i];
  if (t->ment >= 0) return 0;
  /* "awful and evil minister": a conjunction between adjectives. */
  if ((t->lex & LX_CONJ) && i > 0 && i + 1 < c->toks.n && pure_adj(c, i - 1) &&
      pure_adj(c, i + 1)) {
    return 0;
  }
  const dt_token *k = &c->toks.v[i];
  if (k->flags & TK_PUNCT) {
    if (k->flags & TK_HYPHEN) return 0;
    if (k->flags & TK_POSS) return 0;
    return 1;
  }
  if (k->flags & TK_POSS) return 0;
  if (t->isverb) return 1;
  if (t->lex & (LX_PREP | LX_CONJ | LX_SUBORD | LX_REL | LX_TO | LX_BE |
                LX_HAVE | LX_DO | LX_MODAL | LX_NEG | LX_THAT)) {
    /* A determiner that is also something else ("that", "no") starts an NP. */
    if ((t->lex & LX_DET) && !(t->lex & (LX_PREP | LX_CONJ | LX_REL | LX_THAT))) return 0;
    return 1;
  }
  if ((t->lex & LX_ADV) && !(t->lex & (LX_ADJ | LX_NOUN | LX_QUANT))) return 1;
  if ((t->lex & LX_PRON) && !(t->lex & LX_POSSPRON)) return 1; /* pronouns are NPs of their own */
  return 0;
}

/* An article after a noun starts the next phrase: "According to reports
 * the UK is ..." ("all the", "half a" and names that begin with one stay
 * whole). */
static int opens_np(const dyad_coder *c, uint32_t i) {
  if (!ct_word_is(c, i, "the") && !ct_word_is(c, i, "a") && !ct_word_is(c, i, "an")) return 0;
  if (c->t[i].ment >= 0 && ct_ment_at((dyad_coder *)c, c->t[i].ment)->start != i) return 0;
  const ct_tok *p = &c->t[i - 1];
  if (p->lex & (LX_DET | LX_QUANT | LX_POSSPRON | LX_NUMW | LX_ADJ)) return 0;
  if (c->toks.v[i - 1].flags & (TK_NUM | TK_PUNCT | TK_POSS)) return 0;
  return 1;
}

static int32_t push_np(dyad_coder *c, uint32_t s, uint32_t e, int pron) {
  ct_np *np = du_vec_push(&c->nps);
  if (!np) return -1;
  np->start = s;
  np->end = e;
  np->conj_next = -1;
  np->conj_head = (int32_t)c->nps.len - 1;
  np->attach_to = -1;
  np->prep = -1;
  np->pron = (uint8_t)pron;
  int32_t idx = (int32_t)c->nps.len - 1;
  for (uint32_t k = s; k < e; k++) c->t[k].np = (int16_t)idx;
  return idx;
}

/* Append code S to BUF unless BUF already ends with it. */
static void code_append(char *buf, const char *s) {
  size_t bl = strlen(buf), sl = strlen(s);
  if (!sl) return;
  if (bl >= sl && strcmp(buf + bl - sl, s) == 0) return;
  /* A sector the code already has after its country: "the ELN rebels" is
   * COLREBELN, not COLREBELNREB. */
  if (sl == 3)
    for (size_t u = 3; u + 3 <= bl; u += 3)
      if (!memcmp(buf + u, s, 3)) return;
  if (bl + sl + 1 > CT_MAX_CODE) return;
  memcpy(buf + bl, s, sl + 1);
}

/* The code of an NP from its own mentions: prefix agents, first actor,
 * suffix agents (an agent the code already ends with is not repeated:
 * "White House security officials" is USAGOV). Sets has_actor or
 * agent_only. */
static void np_code(dyad_coder *c, ct_np *np) {
  const char *pre[8], *suf[8], *actor = NULL;
  int npre = 0, nsuf = 0;
  uint32_t cs = np->end, ce = np->start;
  int32_t last = -1;
  uint32_t actor_end = 0;
  for (uint32_t k = np->start; k < np->end; k++) {
    int32_t mi = c->t[k].ment;
    if (mi < 0 || mi == last) continue;
    last = mi;
    const ct_ment *m = ct_ment_at(c, mi);
    if (m->kind == MK_ACTOR) {
      /* "NATO-member Norway", "Iran-backed Houthis": an actor joined by a
       * hyphen to the word before the head only describes it. */
      if (actor && !(m->start == actor_end + 2 && c->toks.v[actor_end].punct == '-' &&
                     (c->toks.v[actor_end].flags & TK_PUNCT) &&
                     (c->toks.v[actor_end + 1].flags & TK_WORD) && c->t[actor_end + 1].ment < 0))
        continue;
      actor = m->code;
      actor_end = m->end;
    } else if (m->kind == MK_AGENT) {
      if (m->prefix && npre < 8) pre[npre++] = m->code;
      else if (!m->prefix && nsuf < 8) suf[nsuf++] = m->code;
    } else {
      continue;
    }
    cs = DU_MIN(cs, m->start);
    ce = DU_MAX(ce, m->end);
  }
  np->code[0] = '\0';
  np->cstart = cs;
  np->cend = ce;
  if (!actor && !npre && !nsuf) return;
  for (int k = 0; k < npre; k++) code_append(np->code, pre[k]);
  if (actor) code_append(np->code, actor);
  for (int k = 0; k < nsuf; k++) code_append(np->code, suf[k]);
  np->has_actor = actor != NULL;
  np->agent_only = actor == NULL;
}

/* Combine an actor code with the agents of an agent-only NP. */
static void combine(const dyad_coder *c, const ct_np *agents, const char *actor,
                    char *out) {
  out[0] = '\0';
  int32_t last = -1;
  for (uint32_t k = agents->start; k < agents->end; k++) {
    int32_t mi = c->t[k].ment;
    if (mi < 0 || mi == last) continue;
    last = mi;
    const ct_ment *m = &DU_VEC_AT(&c->ments, ct_ment, (size_t)mi);
    if (m->kind == MK_AGENT && m->prefix) code_append(out, m->code);
  }
  code_append(out, actor);
  last = -1;
  for (uint32_t k = agents->start; k < agents->end; k++) {
    int32_t mi = c->t[k].ment;
    if (mi < 0 || mi == last) continue;
    last = mi;
    const ct_ment *m = &DU_VEC_AT(&c->ments, ct_ment, (size_t)mi);
    if (m->kind == MK_AGENT && !m->prefix) code_append(out, m->code);
  }
}

int32_t ct_np_unit(dyad_coder *c, int32_t np) {
  for (int guard = 0; np >= 0 && guard < 16; guard++) {
    ct_np *x = ct_np_at(c, np);
    int32_t h = x->conj_head;
    ct_np *hx = ct_np_at(c, h);
    if (hx->attach_to < 0) return h;
    ct_np *up = ct_np_at(c, hx->attach_to);
    /* Climb only into heads that add nothing of their own but agents or
     * plain nouns ("soldiers from", "the ministry of"). */
    if (up->has_actor) return h;
    np = hx->attach_to;
  }
  return np;
}

/* Codes of the members of the coordination headed by H, each with the
 * agents of HEAD (an agent-only NP the coordination is attached to). */
static int group_codes(dyad_coder *c, int32_t h, const ct_np *head,
                       ct_actor_code *out, int max, int n) {
  char first_actor[CT_MAX_CODE] = "";
  const ct_np *first = NULL;
  for (int32_t m = h; m >= 0 && n < max; m = ct_np_at(c, m)->conj_next) {
    ct_np *x = ct_np_at(c, m);
    ct_actor_code *o = &out[n];
    memset(o, 0, sizeof *o);
    o->np = m;
    o->start = x->cstart;
    o->end = x->cend;
    if (x->has_actor) {
      if (head) combine(c, head, x->code, o->code);
      else du_strlcpy(o->code, x->code, sizeof o->code);
      if (!first) {
        first = x;
        du_strlcpy(first_actor, x->code, sizeof first_actor);
      }
      n++;
    } else if (x->agent_only) {
      /* Its own attached actor first: "Ithilen and the government of
       * Gondor". */
      int own = 0;
      for (size_t k = 0; k < c->nps.len && !own; k++) {
        ct_np *y = ct_np_at(c, (int32_t)k);
        if (y->attach_to == m && y->conj_head == (int32_t)k && y->has_actor) {
          int before = n;
          n = group_codes(c, (int32_t)k, x, out, max, n);
          own = n > before;
        }
      }
      if (own) continue;
      /* "Danish media and government": the later member inherits the
       * actor (and leading agents) of the first. */
      if (first && first->has_actor) {
        char base[CT_MAX_CODE];
        du_strlcpy(base, first_actor, sizeof base);
        /* Drop the first member's last suffix agent. */
        int32_t last = -1, lastag = -1;
        for (uint32_t k = first->start; k < first->end; k++) {
          int32_t mi = c->t[k].ment;
          if (mi < 0 || mi == last) continue;
          last = mi;
          if (ct_ment_at(c, mi)->kind == MK_AGENT && !ct_ment_at(c, mi)->prefix) lastag = mi;
        }
        if (lastag >= 0) {
          size_t bl = strlen(base), al = strlen(ct_ment_at(c, lastag)->code);
          if (bl > al && strcmp(base + bl - al, ct_ment_at(c, lastag)->code) == 0) base[bl - al] = '\0';
        }
        du_strlcpy(o->code, base, sizeof o->code);
        code_append(o->code, x->code);
        n++;
      } else {
        du_strlcpy(o->code, x->code, sizeof o->code);
        o->agent_only = 1;
        n++;
      }
    } else {
      /* A plain NP with an actor attached to it: "the ministry of Gondor". */
      for (size_t k = 0; k < c->nps.len; k++) {
        ct_np *y = ct_np_at(c, (int32_t)k);
        if (y->attach_to == m && y->conj_head == (int32_t)k) {
          n = group_codes(c, (int32_t)k, NULL, out, max, n);
          break;
        }
      }
    }
  }
  return n;
}

int ct_np_codes_own(dyad_coder *c, int32_t np, ct_actor_code *out, int max) {
  return group_codes(c, ct_np_at(c, np)->conj_head, NULL, out, max, 0);
}

int ct_np_codes(dyad_coder *c, int32_t np, ct_actor_code *out, int max) {
  int32_t u = ct_np_unit(c, np);
  ct_np *x = ct_np_at(c, u);
  int n = 0;
  if (x->agent_only && x->conj_next < 0) {
    /* An agent NP: look for the coordination attached to it. */
    for (size_t k = 0; k < c->nps.len; k++) {
      ct_np *y = ct_np_at(c, (int32_t)k);
      if (y->attach_to == u && y->conj_head == (int32_t)k) {
        int m = group_codes(c, (int32_t)k, x, out, max, 0);
        /* "demonstrators in Baghdad", "rebels across Darfur": agents in a
         * place named by a capital or country belong to its state. */
        if (m == 0 && max > 0 && y->prep >= 0 && (c->t[y->prep].lex & LX_PLACEPREP)) {
          for (uint32_t q = y->start; q < y->end && !m; q++) {
            int32_t mi = c->t[q].ment;
            if (mi < 0) continue;
            const ct_ment *pm = ct_ment_at(c, mi);
            if (pm->kind != MK_ACTOR || (pm->akind != AK_CAPITAL && pm->akind != AK_COUNTRY) ||
                !pm->code || strlen(pm->code) < 3)
              continue;
            char cc[4] = {pm->code[0], pm->code[1], pm->code[2], 0};
            if (!ct_state_code(cc)) continue;
            memset(&out[0], 0, sizeof out[0]);
            combine(c, x, cc, out[0].code);
            out[0].np = u;
            out[0].start = x->cstart;
            out[0].end = x->cend;
            m = 1;
          }
        }
        for (int j = 0; j < m; j++) {
          out[j].start = DU_MIN(out[j].start, x->cstart);
          out[j].end = DU_MAX(out[j].end, x->cend);
        }
        if (m > 0) return m;
        break;
      }
    }
  }
  n = group_codes(c, x->conj_head, NULL, out, max, 0);
  return n;
}

static int personal_pron(const dyad_coder *c, const ct_np *np) {
  return np->pron && np->end == np->start + 1 &&
         (ct_word_is(c, np->start, "he") || ct_word_is(c, np->start, "she"));
}

int ct_chunks(dyad_coder *c, uint32_t a, uint32_t b) {
  c->nps.len = 0;
  uint32_t i = a;
  while (i < b) {
    if (np_breaker(c, i)) {
      const ct_tok *t = &c->t[i];
      if ((t->lex & LX_PRON) && !(t->lex & LX_POSSPRON) && t->ment < 0 &&
          !(c->toks.v[i].flags & TK_PUNCT)) {
        if (push_np(c, i, i + 1, 1) < 0) return -1;
      }
      i++;
      continue;
    }
    uint32_t s = i;
    while (i < b && !np_breaker(c, i) && !(i > s && opens_np(c, i))) {
      /* A mention never straddles two NPs; a possessive continues the NP. */
      i++;
    }
    if (push_np(c, s, i, 0) < 0) return -1;
  }
  for (size_t n = 0; n < c->nps.len; n++) np_code(c, ct_np_at(c, (int32_t)n));

  /* Governing prepositions and attachments. */
  for (size_t n = 0; n < c->nps.len; n++) {
    ct_np *np = ct_np_at(c, (int32_t)n);
    if (np->start == a) continue;
    uint32_t p = np->start - 1;
    if ((c->t[p].lex & (LX_PREP | LX_TO)) && !ct_quantity_prep(c, a, p)) {
      np->prep = (int32_t)p;
      /* "in Ankara": a capital or city after "in", "at", "near" is where
       * something happened, not who did it. */
      if ((c->t[p].lex & LX_PLACEPREP) && np->has_actor) {
        for (uint32_t k = np->start; k < np->end; k++) {
          int32_t mi = c->t[k].ment;
          if (mi < 0) continue;
          const ct_ment *m = ct_ment_at(c, mi);
          if (m->kind == MK_ACTOR) {
            if (m->akind == AK_CAPITAL) {
              np->has_actor = 0;
              np->code[0] = '\0';
            }
            break;
          }
        }
      }
      if (n > 0 && p > a) {
        ct_np *prev = ct_np_at(c, (int32_t)n - 1);
        if (prev->end == p) {
          const char *w = dt_norm(&c->toks, p);
          if (!strcmp(w, "of") || !strcmp(w, "from") || !strcmp(w, "in") ||
              !strcmp(w, "at") || !strcmp(w, "for")) {
            np->attach_to = (int32_t)n - 1;
          }
        }
      }
    }
  }

  /* Coordinations: NP (, NP)* (,)? and|or|nor NP; and appositives. */
  for (size_t n = 0; n + 1 < c->nps.len; n++) {
    ct_np *np = ct_np_at(c, (int32_t)n);
    if (np->pron && !personal_pron(c, np)) continue;
    /* Gather a candidate list starting at n. */
    size_t list[64];
    size_t nl = 0;
    list[nl++] = n;
    size_t cur = n;
    int closed = 0;
    while (cur + 1 < c->nps.len && nl < 64) {
      ct_np *x = ct_np_at(c, (int32_t)cur);
      ct_np *y = ct_np_at(c, (int32_t)cur + 1);
      uint32_t g = x->end;
      /* Between them: "," | "and" | ", and" | "or" | "nor" */
      int comma = 0, conj = 0;
      uint32_t q = g;
      for (; q < y->start; q++) {
        if (ct_is_punct(c, q, ',')) comma++;
        else if (c->t[q].lex & LX_CONJ) conj++;
        else if (c->toks.v[q].punct == '(' || c->toks.v[q].punct == ')') continue;
        else break;
      }
      if (q != y->start || (!comma && !conj) || comma > 1 || conj > 1) break;
      /* "he and President Aliyev": a pronoun may open a coordination (a
       * pronoun after "and" opens a clause: "..., and he signed"). */
      if (y->pron || (x->pron && !personal_pron(c, x))) break;
      list[nl++] = cur + 1;
      cur++;
      if (conj) {
        closed = 1;
        break;
      }
    }
    if (closed && nl >= 2) {
      /* "X of A and B": when X carries no actor nor agent, the
       * coordination is at the top: (X of A) and B. */
      for (size_t k = 0; k + 1 < nl; k++) {
        ct_np *x = ct_np_at(c, (int32_t)list[k]);
        x->conj_next = (int32_t)list[k + 1];
      }
      for (size_t k = 0; k < nl; k++) ct_np_at(c, (int32_t)list[k])->conj_head = (int32_t)n;
      n = list[nl - 1];
    } else if (nl >= 2) {
      /* "A, the state's fiercest foe, ...": an appositive, with the
       * phrases that hang on it ("A, a key ally in the war on terror, ..."). */
      size_t last = list[1];
      uint32_t e = ct_np_at(c, (int32_t)last)->end;
      while (last + 1 < c->nps.len) {
        ct_np *z = ct_np_at(c, (int32_t)last + 1);
        if (z->prep < 0 || (uint32_t)z->prep != e || z->start != e + 1) break;
        last++;
        e = z->end;
      }
      if (e >= b || ct_is_punct(c, e, ',') || ct_is_punct(c, e, '.')) {
        for (size_t k = list[1]; k <= last; k++) ct_np_at(c, (int32_t)k)->appositive = 1;
      }
    }
  }
  /* Parenthesised NPs right after an NP are appositives: "the EU (EU)". */
  for (size_t n = 1; n < c->nps.len; n++) {
    ct_np *np = ct_np_at(c, (int32_t)n);
    if (np->start > a && c->toks.v[np->start - 1].punct == '(') np->appositive = 1;
  }
  return 0;
}
