/*
 * events.c - from matched verbs to events.
 *
 * Source: the pattern's $, else the subject (in the passive, the "by"
 * phrase, else an actor after "with" or "from"). Target: the pattern's +,
 * else the first actor in the object region, else the subject of a
 * complement clause ("Arnor believes Dagolath can cope"). Coordinations
 * give one event per member; a compound subject with a reciprocal pattern
 * gives events among its members. Negation, modality, and the rule that
 * a statement ("X said") is an event only when nothing it reports is.
 */
#include <stdio.h>

#include "code/code.h"
#include "resolve/resolve.h"

const char *ct_pico_negate(const dyad_kb *kb, const char *code) {
  if (!kb->n_pico) return NULL;
  int32_t v = 0;
  int found = 0;
  for (uint32_t i = 0; i < kb->n_pico; i++) {
    if (!strcmp(kb->pico[i].code, code)) {
      v = kb->pico[i].value;
      found = 1;
      break;
    }
  }
  if (!found) return NULL;
  /* "not X": X + 0xFFFF, or X - 0xFFFF when X already is a negation. */
  int32_t want = v >= 0xFFFF ? v - 0xFFFF : v + 0xFFFF;
  for (uint32_t i = 0; i < kb->n_pico; i++) {
    if (kb->pico[i].value == want && strlen(kb->pico[i].code) >= 3) return kb->pico[i].code;
  }
  return NULL;
}

/* First NP with an actor in [from, to), skipping NP SKIP and appositives. */
static int32_t first_actor_np(dyad_coder *c, uint32_t from, uint32_t to,
                              int32_t skip, int want_prep, const char *const *preps) {
  for (uint32_t q = from; q < to; q++) {
    int32_t n = c->t[q].np;
    if (n < 0) continue;
    ct_np *np = ct_np_at(c, n);
    q = np->end - 1;
    if (n == skip || np->appositive) continue;
    if (!np->has_actor) {
      /* An agent NP with an actor attached ("soldiers from Gondor"). */
      if (!np->agent_only) continue;
    }
    if (want_prep) {
      int32_t head = ct_np_at(c, np->conj_head)->prep >= 0 ? ct_np_at(c, np->conj_head)->prep : np->prep;
      if (head < 0) continue;
      int ok = 0;
      for (int k = 0; preps[k]; k++) {
        if (ct_word_is(c, (uint32_t)head, preps[k])) ok = 1;
      }
      if (!ok) continue;
    }
    return n;
  }
  return -1;
}

static const char *const by_preps[] = {"by", NULL};
static const char *const passive_preps[] = {"with", "from", "by", NULL};
/* Without an agent, an actor the event happened in or at (TABARI and
 * PETRARCH convention: "was shot dead in Osgiliath"). */
static const char *const place_preps[] = {"in", "at", NULL};

/* An agent NP that names someone the KB does not know ("Defence
 * Minister Akar" after his term): whose minister is not ours to guess. */
static int titled_unknown(const dyad_coder *c, const ct_actor_code *a) {
  if (a->np < 0) return 0;
  const ct_np *np = ct_np_at((dyad_coder *)c, a->np);
  int title = 0;
  for (uint32_t k = np->start; k < np->end; k++) {
    if (c->t[k].lex & LX_TITLE) title = 1;
    else if (title && c->t[k].ment < 0 && ct_capitalised(c, k) &&
             !(c->toks.v[k].flags & TK_PUNCT))
      return 1;
  }
  return 0;
}

static int np_has_word(const dyad_coder *c, int32_t n, const char *w) {
  if (n < 0) return 0;
  const ct_np *np = ct_np_at((dyad_coder *)c, n);
  for (uint32_t k = np->start; k < np->end; k++)
    if (ct_word_is(c, k, w)) return 1;
  return 0;
}

/* When side *A is named a counterpart ("his Azerbaijani counterpart") and
 * codes as a bare state, give it the office of OTHER (AZE -> AZEMIL),
 * pointing *A at BUF. Returns 1 when *A is named a counterpart at all. */
static int counterpart(const dyad_coder *c, const ct_actor_code **a,
                       const ct_actor_code *other, ct_actor_code *buf) {
  if (!np_has_word(c, (*a)->np, "counterpart") && !np_has_word(c, (*a)->np, "counterparts"))
    return 0;
  if (strlen((*a)->code) == 3 && strlen(other->code) > 3 && strncmp((*a)->code, "IGO", 3) &&
      strncmp(other->code, "IGO", 3)) {
    char code[CT_MAX_CODE];
    memcpy(code, (*a)->code, 3);
    du_strlcpy(code + 3, other->code + 3, sizeof code - 3);
    *buf = **a;
    memcpy(buf->code, code, sizeof code);
    *a = buf;
  }
  return 1;
}

static int push_cev(dyad_coder *c, const ct_actor_code *s, const ct_actor_code *t,
                    const char *code, uint32_t vgi, uint8_t mode, uint8_t neg,
                    uint32_t pattern) {
  if (!code || !*code || !strcmp(code, "---")) return 0;
  /* An agent with no country of its own ("Darfur rebels", "President
   * Mugabe") in a sentence about one state's actor belongs to that state:
   * domestic news names the state once. Never from an organisation. */
  ct_actor_code sx, tx;
  if (s->agent_only != t->agent_only && !titled_unknown(c, s->agent_only ? s : t)) {
    const ct_actor_code *have = s->agent_only ? t : s;
    const ct_actor_code *lack = s->agent_only ? s : t;
    if (!ct_state_code(have->code)) return 0;
    ct_actor_code *fix = s->agent_only ? &sx : &tx;
    *fix = *lack;
    du_strlcpyn(fix->code, have->code, 3, sizeof fix->code);
    size_t n = strlen(fix->code);
    du_strlcpy(fix->code + n, lack->code, sizeof fix->code - n);
    fix->agent_only = 0;
    if (s->agent_only) s = &sx;
    else t = &tx;
  }
  if (s->agent_only || t->agent_only) return 0;
  /* "his Azerbaijani counterpart": the same office in the other state. */
  if (!counterpart(c, &t, s, &tx)) counterpart(c, &s, t, &sx);
  if (!strcmp(s->code, t->code)) return 0;
  /* Deduplicate within the sentence. */
  for (size_t i = 0; i < c->cev.len; i++) {
    ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
    if (!strcmp(e->source, s->code) && !strcmp(e->target, t->code) &&
        !strcmp(e->code, code) && e->negated == neg) {
      return 0;
    }
  }
  ct_event *e = du_vec_push(&c->cev);
  if (!e) return -1;
  ct_vg *g = ct_vg_at(c, (int32_t)vgi);
  du_strlcpy(e->source, s->code, sizeof e->source);
  du_strlcpy(e->target, t->code, sizeof e->target);
  du_strlcpy(e->code, code, sizeof e->code);
  e->sstart = s->start;
  e->send = s->end;
  e->tstart = t->start;
  e->tend = t->end;
  e->vstart = g->vstart;
  e->vend = g->vend;
  e->vg = vgi;
  e->mode = mode;
  e->negated = neg;
  e->anaphor = 0;
  e->ostart = e->oend = 0;
  e->pattern = pattern;
  g->coded++;
  return 0;
}

#define MAXC 32

/* CAMEO codes derived from an act's code: the first entry whose act is
 * a prefix of the code (most specific entries first). */
typedef struct act_map {
  const char *act, *code;
} act_map;

static const char *act_lookup(const act_map *map, size_t n, const char *code) {
  for (size_t i = 0; i < n; i++)
    if (!strncmp(code, map[i].act, strlen(map[i].act))) return map[i].code;
  return NULL;
}

/* The demand (10x) for act CODE: "X said Y must release ..." */
static const char *demand_code(const char *code) {
  static const act_map map[] = {
      {"061", "1011"}, {"062", "1012"}, {"063", "1013"}, {"064", "1014"}, {"06", "101"},
      {"071", "1031"}, {"072", "1032"}, {"073", "1033"}, {"074", "1034"}, {"07", "103"},
      {"081", "1051"}, {"082", "1052"}, {"083", "104"}, {"084", "1053"}, {"085", "1054"},
      {"086", "1055"}, {"087", "1056"}, {"08", "105"},
      {"045", "108"}, {"046", "106"}, {"04", "106"}, {"05", "102"},
  };
  const char *d = act_lookup(map, DU_ARRAY_LEN(map), code);
  return d ? d : "100";
}

/* The rejection (12x) that refusing act CODE is ("refused to lift the
 * curfew" is refusing to ease sanctions, 1241); NULL when refusing it is
 * no rejection (statements, demands, hostile acts). */
static const char *reject_code(const char *code) {
  static const act_map map[] = {
      {"061", "1211"}, {"062", "1212"}, {"06", "121"}, {"07", "122"},
      {"081", "1241"}, {"082", "1242"}, {"083", "123"}, {"084", "1243"}, {"085", "1244"},
      {"086", "1245"}, {"087", "1246"}, {"08", "124"},
      {"04", "125"}, {"03", "120"}, {"05", "120"},
  };
  return act_lookup(map, DU_ARRAY_LEN(map), code);
}

/* The intention (03x) or threat (13x) that announces act CODE; NULL when
 * CODE has none (statements, appeals, demands, threats and intentions
 * themselves, investigations). */
static const char *intent_code(const char *code) {
  static const act_map map[] = {
      {"061", "0311"}, {"062", "0312"}, {"063", "0313"}, {"064", "0314"}, {"06", "031"},
      {"071", "0331"}, {"072", "0332"}, {"073", "0333"}, {"074", "0334"}, {"07", "033"},
      {"081", "0351"}, {"082", "0352"}, {"083", "034"}, {"084", "0353"}, {"085", "0354"},
      {"086", "0355"}, {"087", "0356"}, {"08", "035"},
      {"05", "032"}, {"04", "036"},
      {"14", "133"},
      {"15", "138"},
      {"161", "1313"}, {"162", "1311"}, {"163", "1312"}, {"164", "134"}, {"165", "135"},
      {"166", "136"}, {"16", "131"},
      {"172", "132"}, {"17", "137"},
      {"18", "138"},
      {"191", "1381"}, {"192", "1382"}, {"19", "1384"},
      {"204", "1385"}, {"20", "1383"},
  };
  return act_lookup(map, DU_ARRAY_LEN(map), code);
}

/* Is G the verb of a condition ("unless Israel rescinds ...", "if he is
 * elected")? A condition is not an event. */
static int conditional(dyad_coder *c, const ct_vg *g, uint32_t a) {
  uint32_t p = g->subj >= 0 ? ct_np_at(c, g->subj)->start : g->start;
  if (g->subj >= 0) {
    const ct_np *sn = ct_np_at(c, g->subj);
    if (sn->conj_head >= 0) p = DU_MIN(p, ct_np_at(c, sn->conj_head)->start);
  }
  if (p <= a) return 0;
  return ct_word_is(c, p - 1, "unless") || ct_word_is(c, p - 1, "if");
}

static int code_vg(dyad_coder *c, uint32_t gi, uint32_t a, uint32_t b) {
  ct_vg *g = ct_vg_at(c, (int32_t)gi);
  if (g->verb == UINT32_MAX) return 0;
  if (g->finite && conditional(c, g, a)) return 0;
  /* "X is said to ...", "was reported to ...": a hedge on what follows,
   * not an event of its own. */
  if (g->passive && g->say) return 0;
  ct_match m;
  ct_match_verb(c, gi, a, b, &m);
  int intents = ct_rule_on(c, c->opt.intent_codes);
  /* "X declared that Y must VERB": a demand of X's whatever VERB is
   * (below), even when VERB itself codes to nothing. */
  if ((!m.code1 || (!strcmp(m.code1, "---") && !(m.code2 && *m.code2))) && g->must && g->comp &&
      g->parent >= 0 && ct_vg_at(c, g->parent)->say && intents) {
    m.code1 = "100";
    m.code2 = NULL;
  }
  if (!m.code1) return 0;
  /* An infinitive under a verb that already made an event: the more
   * specific of the two stands ("vowed to wage war" is VOW's, "hosting X
   * to celebrate Tabaski with Y" is CELEBRATE's, "urged X to respond" is
   * URGE's). */
  /* What is appealed for, demanded, rejected or threatened has not
   * happened: "demanded that Sudan end curbs", "threatened to storm". The
   * parent's event stands alone. */
  if (g->parent >= 0 && ct_vg_at(c, g->parent)->coded) {
    for (size_t i = 0; i < c->cev.len; i++) {
      ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
      if (e->vg != (uint32_t)g->parent || !e->code[0]) continue;
      if (!strncmp(e->code, "02", 2) || !strncmp(e->code, "10", 2) ||
          !strncmp(e->code, "12", 2) || !strncmp(e->code, "13", 2))
        return 0;
    }
  }
  if (g->parent >= 0 && !g->comp && ct_vg_at(c, g->parent)->coded) {
    ct_vg *p = ct_vg_at(c, g->parent);
    if (m.weight <= p->weight) return 0;
    for (size_t i = 0; i < c->cev.len; i++) {
      ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
      if (e->vg == (uint32_t)g->parent) e->code[0] = '\0';
    }
    p->coded = 0;
  }
  g->weight = m.weight;
  int has1 = strcmp(m.code1, "---") != 0;
  int has2 = m.code2 && *m.code2 && strcmp(m.code2, "---") != 0;
  if (!has1 && !has2) return 0;

  /* Source and target NPs. */
  int32_t subj = ct_subject(c, (int32_t)gi);
  int32_t src = m.src_np, tgt = m.tgt_np;
  uint32_t rfrom = g->vend, rto = DU_MAX(g->obj_end, g->vend);
  if (g->passive) {
    if (tgt < 0) tgt = subj;
    if (src < 0) src = first_actor_np(c, rfrom, rto, tgt, 1, by_preps);
    if (src < 0) src = first_actor_np(c, rfrom, rto, tgt, 1, passive_preps);
    if (src < 0) src = first_actor_np(c, rfrom, rto, tgt, 1, place_preps);
  } else {
    /* A pattern that names the source elsewhere makes the subject the
     * target ("- * TABASKI ^ $"). */
    if (src >= 0 && tgt < 0 && m.src_np >= 0) tgt = subj;
    if (src < 0) src = subj;
    if (tgt < 0) tgt = first_actor_np(c, rfrom, rto, src, 0, NULL);
    if (tgt < 0) {
      /* The subject of a complement clause, or the first actor of its
       * subject phrase ("said that an embargo against Mordor would fail"). */
      for (size_t k = gi + 1; k < c->vgs.len; k++) {
        ct_vg *o = ct_vg_at(c, (int32_t)k);
        /* Our complement, or that of an infinitive we govern ("has begun
         * to question whether ..."). */
        int ours = o->parent == (int32_t)gi;
        if (!ours && o->parent > (int32_t)gi) {
          ct_vg *p = ct_vg_at(c, o->parent);
          ours = p->infinitive && p->parent == (int32_t)gi;
        }
        if (ours && o->comp) {
          int32_t cs = o->subj;
          if (cs >= 0 && (ct_np_at(c, cs)->has_actor || ct_np_at(c, cs)->agent_only)) {
            tgt = cs;
          } else if (cs >= 0 && ct_np_at(c, cs)->pron) {
            /* "begun to question whether he has a future with X". */
            tgt = first_actor_np(c, o->end, DU_MAX(o->obj_end, o->end), src, 0, NULL);
          } else if (cs >= 0) {
            tgt = first_actor_np(c, ct_np_at(c, cs)->start, o->start, src, 0, NULL);
          }
          break;
        }
      }
    }
  }
  if (src < 0) return 0;
  ct_actor_code sc[MAXC], tc[MAXC];
  int ns = ct_np_codes(c, src, sc, MAXC);
  /* "Salaheddine Sidhoum, Algeria's leading rights activist, staged ...":
   * a name we do not know is who its appositive says. */
  if (ns == 0) {
    const ct_np *sn = ct_np_at(c, src);
    for (size_t k = (size_t)src + 1; k < c->nps.len; k++) {
      const ct_np *ap = ct_np_at(c, (int32_t)k);
      if (ap->start > sn->end + 1) break;
      if (ap->appositive && ap->start == sn->end + 1 && ct_is_punct(c, sn->end, ',')) {
        ns = ct_np_codes(c, (int32_t)k, sc, MAXC);
        break;
      }
    }
  }
  /* "the two sides pledged ...", "both countries agreed ...": the two
   * parties of the last event, each towards the other. */
  int two_sides = 0;
  if (ns == 0 && src >= 0) {
    const ct_np *np = ct_np_at(c, src);
    int two = 0, side = 0;
    for (uint32_t k = np->start; k < np->end; k++) {
      if (ct_word_is(c, k, "two") || ct_word_is(c, k, "both")) two = 1;
      if (ct_word_is(c, k, "sides") || ct_word_is(c, k, "countries") ||
          ct_word_is(c, k, "leaders") || ct_word_is(c, k, "governments") ||
          ct_word_is(c, k, "nations") || ct_word_is(c, k, "ministers") ||
          ct_word_is(c, k, "delegations") || ct_word_is(c, k, "neighbours") ||
          ct_word_is(c, k, "neighbors"))
        side = 1;
    }
    const char *pa = NULL, *pb = NULL;
    for (size_t i = c->cev.len; two && side && i-- > 0;) {
      const ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
      if (e->code[0] && e->source[0] && e->target[0]) {
        pa = e->source;
        pb = e->target;
        break;
      }
    }
    for (size_t i = c->events.len; two && side && !pa && i-- > 0;) {
      const dyad_event *e = &DU_VEC_AT(&c->events, dyad_event, i);
      if (e->source.code[0] && e->target.code[0]) {
        pa = e->source.code;
        pb = e->target.code;
        break;
      }
    }
    if (pa && pb) {
      for (int k = 0; k < 2; k++) {
        memset(&sc[k], 0, sizeof sc[k]);
        du_strlcpy(sc[k].code, k ? pb : pa, sizeof sc[k].code);
        sc[k].np = src;
        sc[k].start = np->start;
        sc[k].end = np->end;
      }
      ns = 2;
      two_sides = 1;
    }
  }
  /* "he and President Aliyev signed ...": a personal pronoun in a
   * coordinated subject is the actor of an earlier clause of the sentence
   * (or of the sentence before). */
  if (ns >= 1 && ns < MAXC) {
    for (int32_t q = ct_np_at(c, src)->conj_head; q >= 0; q = ct_np_at(c, q)->conj_next) {
      const ct_np *pn = ct_np_at(c, q);
      if (!pn->pron || q == src) continue;
      uint32_t w = pn->start;
      if (!ct_word_is(c, w, "he") && !ct_word_is(c, w, "she")) continue;
      const char *ante = NULL;
      ct_actor_code ac[MAXC];
      for (int32_t k = (int32_t)gi - 1; k >= 0 && !ante; k--) {
        if (!ct_vg_at(c, k)->finite) continue;
        int32_t ks = ct_subject(c, k);
        if (ks < 0 || ct_np_at(c, ks)->pron) continue;
        if (ct_np_codes(c, ks, ac, MAXC) > 0 && !ac[0].agent_only) ante = ac[0].code;
      }
      if (!ante && c->prev_subj[0]) ante = c->prev_subj;
      if (!ante) continue;
      int dup = 0;
      for (int k = 0; k < ns; k++) dup |= !strcmp(sc[k].code, ante);
      if (dup) continue;
      memset(&sc[ns], 0, sizeof sc[ns]);
      du_strlcpy(sc[ns].code, ante, sizeof sc[ns].code);
      sc[ns].np = q;
      sc[ns].start = pn->start;
      sc[ns].end = pn->end;
      ns++;
      if (ns >= MAXC) break;
    }
  }
  /* "He condemned ...": a pronoun subject with nobody before it in the
   * sentence is whoever acted in the sentence before. */
  if (ns == 0 && ct_np_at(c, src)->pron && c->prev_subj[0]) {
    uint32_t w = ct_np_at(c, src)->start;
    if (ct_word_is(c, w, "he") || ct_word_is(c, w, "she") || ct_word_is(c, w, "they") ||
        ct_word_is(c, w, "it")) {
      memset(&sc[0], 0, sizeof sc[0]);
      du_strlcpy(sc[0].code, c->prev_subj, sizeof sc[0].code);
      sc[0].np = src;
      sc[0].start = ct_np_at(c, src)->start;
      sc[0].end = ct_np_at(c, src)->end;
      ns = 1;
    }
  }
  int nt = 0;
  const char *mc = m.code1;
  if (tgt < 0 && has1 && (!strncmp(mc, "15", 2) || !strncmp(mc, "17", 2) ||
                          !strncmp(mc, "18", 2) || !strncmp(mc, "19", 2) ||
                          !strncmp(mc, "20", 2))) {
    /* Force with no named target: the country where it struck ("drones
     * struck a convoy near Qamishli" is against Syria). */
    int32_t pi;
    uint32_t t0, t1;
    if (dr_find_place(c, rfrom, rto, NULL, &pi, &t0, &t1)) {
      const char *cc = kb_str(c->kb, c->kb->places[pi].country);
      if (cc[0] && ns > 0 && strncmp(sc[0].code, cc, 3) != 0) {
        memset(&tc[0], 0, sizeof tc[0]);
        du_strlcpy(tc[0].code, cc, sizeof tc[0].code);
        tc[0].np = -1;
        tc[0].start = t0;
        tc[0].end = t1;
        nt = 1;
      }
    }
  }
  if (tgt >= 0) {
    /* A target the pattern found after skipping the phrase it is attached
     * to ("^ ^ +": "with the parliament of Gondor") stands on its own. */
    if (tgt == m.tgt_np && m.skip_np >= 0 && ct_np_unit(c, tgt) == m.skip_np) {
      nt = ct_np_codes_own(c, tgt, tc, MAXC);
    } else {
      nt = ct_np_codes(c, tgt, tc, MAXC);
    }
  }

  /* Modality and negation. */
  uint8_t mode = g->mode;
  int neg = g->negated;
  int refused = 0;
  if (g->parent >= 0) {
    ct_vg *p = ct_vg_at(c, g->parent);
    if (p->refuse) neg = refused = 1;
    if (!g->comp) {
      if (p->passive && p->say) mode = DYAD_MODE_REPORTED;
      if (p->negated && !g->negated) neg = neg || p->refuse;
      /* "is expected to": others expect it, nobody intends it. */
      if (p->specul && p->passive && mode == DYAD_MODE_ASSERTED) mode = DYAD_MODE_HYPOTHETICAL;
      if (p->intend && mode == DYAD_MODE_ASSERTED) mode = DYAD_MODE_INTENDED;
      if (p->specul && mode == DYAD_MODE_ASSERTED) mode = DYAD_MODE_HYPOTHETICAL;
      if (p->mode != DYAD_MODE_ASSERTED && mode == DYAD_MODE_ASSERTED) mode = p->mode;
    }
  }
  /* Hedges anywhere in the clause: "reportedly", "allegedly"; and
   * "according to" anywhere in the sentence. */
  for (uint32_t q = a; q < rto; q++) {
    if (c->t[q].lex & LX_HEDGE) mode = DYAD_MODE_REPORTED;
  }
  for (uint32_t q = a; q + 1 < b; q++) {
    if (ct_word_is(c, q, "according") && ct_word_is(c, q + 1, "to")) mode = DYAD_MODE_REPORTED;
  }
  const char *c1 = has1 ? m.code1 : NULL;
  const char *c2 = has2 ? m.code2 : NULL;
  /* Refusing an act, or announcing one will not be done ("refused to
   * lift the curfew", "said it would not meet their demands"), is a
   * rejection by whoever refuses: CAMEO 12. */
  if (intents && neg && c1 &&
      (refused || mode == DYAD_MODE_INTENDED || mode == DYAD_MODE_HYPOTHETICAL)) {
    const char *r = reject_code(c1);
    if (r) {
      c1 = r;
      c2 = NULL;
      neg = 0;
      mode = DYAD_MODE_ASSERTED;
    }
  }
  if (neg) {
    const char *n1 = c1 ? ct_pico_negate(c->kb, c1) : NULL;
    if (c->kb->n_pico) {
      /* The dictionaries define what "not X" means. */
      if (!n1) return 0;
      c1 = n1;
      c2 = NULL;
      neg = 0;
    } else {
      mode = DYAD_MODE_NEGATED;
      if (!c->opt.keep_negated) return 0;
    }
  }
  /* An act announced rather than done is an intention when cooperative
   * and a threat when hostile (the CAMEO codebook's 03 and 13). */
  if (intents &&
      (mode == DYAD_MODE_INTENDED || mode == DYAD_MODE_HYPOTHETICAL)) {
    const char *i1 = c1 ? intent_code(c1) : NULL;
    if (i1) {
      c1 = i1;
      /* Only the one who announces intends: "X will visit Y" is not yet
       * Y hosting X. */
      if (c2 && ns >= 1 && nt >= 1) c2 = NULL;
    }
    const char *i2 = c2 ? intent_code(c2) : NULL;
    if (i2) c2 = i2;
  }
  /* "X said Y must VERB" (or "must be ready to VERB"): not Y's act but
   * X's demand of Y. */
  int32_t mv = -1;
  if (g->must && g->comp) mv = (int32_t)gi;
  else if (g->infinitive && g->parent >= 0 && ct_vg_at(c, g->parent)->must &&
           ct_vg_at(c, g->parent)->comp)
    mv = g->parent;
  if (intents && mv >= 0 && ct_vg_at(c, mv)->parent >= 0 &&
      ct_vg_at(c, ct_vg_at(c, mv)->parent)->say && c1 && ns >= 1) {
    int32_t psubj = ct_subject(c, ct_vg_at(c, mv)->parent);
    ct_actor_code pc[MAXC];
    int np = psubj >= 0 ? ct_np_codes(c, psubj, pc, MAXC) : 0;
    const char *dc = demand_code(c1);
    for (int i = 0; i < np; i++)
      for (int j = 0; j < ns; j++)
        if (push_cev(c, &pc[i], &sc[j], dc, (uint32_t)mv, DYAD_MODE_ASSERTED, 0, m.pattern)) return -1;
    return 0;
  }
  uint32_t pat = m.pattern;
  /* Reciprocal events among the members of a compound subject. */
  if ((m.compound || two_sides || (nt == 0 && c2)) && ns >= 2 && nt == 0) {
    for (int i = 0; i < ns; i++) {
      for (int j = 0; j < ns; j++) {
        if (i == j) continue;
        if (push_cev(c, &sc[i], &sc[j], c1 ? c1 : c2, gi, mode, (uint8_t)neg, pat)) return -1;
      }
    }
    return 0;
  }
  if (m.compound && ns >= 2 && nt > 0) {
    /* "% *" with a target: events among the members. */
    for (int i = 0; i < ns; i++) {
      for (int j = 0; j < ns; j++) {
        if (i != j && push_cev(c, &sc[i], &sc[j], c1, gi, mode, (uint8_t)neg, pat)) return -1;
      }
    }
    return 0;
  }
  size_t before_pairs = c->cev.len;
  for (int i = 0; i < ns; i++) {
    for (int j = 0; j < nt; j++) {
      if (c1 && push_cev(c, &sc[i], &tc[j], c1, gi, mode, (uint8_t)neg, pat)) return -1;
      if (c2 && push_cev(c, &tc[j], &sc[i], c2, gi, mode, (uint8_t)neg, pat)) return -1;
    }
  }
  /* A target that codes to nobody we can name ("demanding that President
   * X resign", X unknown) leaves the act one-sided, not unsaid. */
  if (nt > 0 && c->cev.len == before_pairs) nt = 0;
  /* One-sided events: an act with no actor as its target ("resigned",
   * "mobilised its reserves", "launched a mediation effort"). Not for
   * statements and appeals, which are about someone or nothing. */
  int one_sided = ct_rule_on(c, c->opt.one_sided);
  if (one_sided && nt == 0 && c1 && strncmp(c1, "01", 2) && strncmp(c1, "02", 2)) {
    ct_actor_code none;
    memset(&none, 0, sizeof none);
    none.np = -1;
    /* "condemned the strikes": an object that names an earlier event. */
    int anaphor = 0;
    uint32_t os = 0, oe = 0;
    for (uint32_t q = rfrom; q < rto; q++) {
      int32_t n = c->t[q].np;
      if (n < 0) continue;
      ct_np *np = ct_np_at(c, n);
      if (np->prep < 0) {
        os = np->start;
        oe = np->end;
      }
      if (np->end > np->start + 1 && (c->t[np->start].lex & LX_DET) &&
          !ct_word_is(c, np->start, "a") && !ct_word_is(c, np->start, "an") &&
          (c->t[np->end - 1].lex & LX_EVNOUN))
        anaphor = 1;
      break;
    }
    for (int i = 0; i < ns; i++) {
      if (sc[i].agent_only) continue;
      size_t before = c->cev.len;
      if (push_cev(c, &sc[i], &none, c1, gi, mode, (uint8_t)neg, pat)) return -1;
      if (c->cev.len > before) {
        ct_event *e = &DU_VEC_AT(&c->cev, ct_event, before);
        e->anaphor = (uint8_t)anaphor;
        e->ostart = os;
        e->oend = oe;
      }
    }
  }
  return 0;
}

int ct_events(dyad_coder *c, uint32_t a, uint32_t b) {
  c->cev.len = 0;
  /* Synset phrases are found on first need (ct_synsets). */
  c->syn_a = a;
  c->syn_b = b;
  c->syn_ready = 0;
  ct_words_seen(c, a, b);
  for (size_t gi = 0; gi < c->vgs.len; gi++) {
    if (code_vg(c, (uint32_t)gi, a, b)) return -1;
  }
  /* A statement is an event only when what it reports is not. */
  for (size_t i = 0; i < c->cev.len; i++) {
    ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
    if (strncmp(e->code, "01", 2) != 0 || c->opt.emit_reported_say) continue;
    int drop = 0;
    for (size_t k = 0; k < c->vgs.len && !drop; k++) {
      ct_vg *o = ct_vg_at(c, (int32_t)k);
      if (o->parent == (int32_t)e->vg && o->coded && (uint32_t)k != e->vg) {
        for (size_t j = 0; j < c->cev.len; j++) {
          ct_event *f = &DU_VEC_AT(&c->cev, ct_event, j);
          if (f->vg == (uint32_t)k && strncmp(f->code, "01", 2) != 0) drop = 1;
        }
      }
    }
    if (drop) {
      e->code[0] = '\0';
    }
  }
  /* Events reported by a speaker other than their source. */
  for (size_t i = 0; i < c->cev.len; i++) {
    ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
    if (!e->code[0]) continue;
    ct_vg *g = ct_vg_at(c, (int32_t)e->vg);
    if (g->comp && g->parent >= 0 && e->mode == DYAD_MODE_ASSERTED) {
      int32_t ps = ct_subject(c, g->parent);
      if (ps >= 0) {
        ct_actor_code pc[4];
        int np = ct_np_codes(c, ps, pc, 4);
        if (np == 0 || strcmp(pc[0].code, e->source) != 0) e->mode = DYAD_MODE_REPORTED;
      }
    }
  }
  return 0;
}
