/*
 * coder.c - the public coding API: one story in, events out.
 */
#include <stdio.h>
#include <stdlib.h>

#include "code/code.h"
#include "resolve/resolve.h"

void dyad_code_options_init(dyad_code_options *o) {
  memset(o, 0, sizeof *o);
  o->keep_negated = 1;
  o->intent_codes = -1;
  o->one_sided = -1;
  o->visit_codes = -1;
  o->max_text_len = (size_t)16 << 20;
}

int dyad_coder_new(const dyad_kb *kb, dyad_coder **out, dyad_error *err) {
  if (!kb || !out) return du_err(err, DYAD_EINVAL, "dyad_coder_new: NULL argument");
  dyad_coder *c = du_calloc(1, sizeof *c);
  if (!c) return du_err(err, DYAD_ENOMEM, "out of memory");
  c->kb = kb;
  dyad_code_options_init(&c->opt);
  dt_tokens_init(&c->toks);
  du_vec_init(&c->sents, sizeof(dt_sentence));
  du_vec_init(&c->ments, sizeof(ct_ment));
  du_vec_init(&c->nps, sizeof(ct_np));
  du_vec_init(&c->vgs, sizeof(ct_vg));
  du_vec_init(&c->cev, sizeof(ct_event));
  du_vec_init(&c->syns, sizeof(ct_syn));
  du_vec_init(&c->syn_present, sizeof(uint64_t));
  du_vec_init(&c->events, sizeof(dyad_event));
  du_vec_init(&c->out_sents, sizeof(dyad_sentence));
  du_arena_init(&c->arena, 64 * 1024);
  *out = c;
  return DYAD_OK;
}

void dyad_coder_free(dyad_coder *c) {
  if (!c) return;
  dt_tokens_free(&c->toks);
  du_vec_free(&c->sents);
  du_vec_free(&c->ments);
  du_vec_free(&c->nps);
  du_vec_free(&c->vgs);
  du_vec_free(&c->cev);
  du_vec_free(&c->syns);
  du_vec_free(&c->syn_present);
  du_vec_free(&c->events);
  du_vec_free(&c->out_sents);
  du_arena_free(&c->arena);
  du_free(c->t);
  du_free(c);
}

void dyad_coder_set_options(dyad_coder *c, const dyad_code_options *o) {
  c->opt = *o;
  if (!c->opt.max_text_len) c->opt.max_text_len = (size_t)16 << 20;
}

size_t dyad_coder_sentences(const dyad_coder *c, const dyad_sentence **out) {
  *out = c->out_sents.data;
  return c->out_sents.len;
}

int dyad_coder_story_discarded(const dyad_coder *c) { return c->story_discarded; }

static const char *astr(dyad_coder *c, const char *s) {
  char *d = du_arena_strndup(&c->arena, s, strlen(s));
  return d ? d : "";
}

/* Split an actor code into its leading country/IGO part and the rest. */
static void split_code(dyad_coder *c, const char *code, dyad_actor *a) {
  size_t n = strlen(code);
  if (n >= 3 && code[0] != '-' && code[0] != '+') {
    char cc[4] = {code[0], code[1], code[2], 0};
    a->country = astr(c, cc);
    a->sector = astr(c, code + 3);
  } else {
    a->country = "";
    a->sector = "";
  }
}

/* "%016llx-%u-%u" of the story hash, sentence and index, without printf. */
static void event_id(char out[40], uint64_t h, uint32_t si, uint32_t k) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, h >>= 4) out[i] = hex[h & 15];
  size_t n = 16;
  out[n++] = '-';
  n += du_put_u64(out + n, si);
  out[n++] = '-';
  n += du_put_u64(out + n, k);
  out[n] = '\0';
}

static void cameo_fill(const dyad_kb *kb, dyad_event *ev) {
  /* Exact code, else its three-digit prefix, else the root's x0 code. */
  char tmp[8];
  const kb_cameo *cm = kb_cameo_find(kb, ev->code);
  if (!cm && strlen(ev->code) > 3) {
    du_strlcpyn(tmp, ev->code, 3, sizeof tmp);
    cm = kb_cameo_find(kb, tmp);
  }
  if (!cm) {
    du_strlcpyn(tmp, ev->code, 2, sizeof tmp);
    size_t n = strlen(tmp);
    tmp[n] = '0';
    tmp[n + 1] = '\0';
    cm = kb_cameo_find(kb, tmp);
  }
  du_strlcpyn(ev->root, ev->code, 2, sizeof ev->root);
  if (cm) {
    /* Scores are tenths: keep them exact in every output. */
    ev->goldstein = (double)(int)(cm->goldstein * 10.0f + (cm->goldstein < 0 ? -0.5f : 0.5f)) / 10.0;
    ev->quad_class = cm->quad;
    ev->plover = kb_str(kb, cm->plover);
    ev->plover_mode = kb_str(kb, cm->plover_mode);
    ev->plover_context = kb_str(kb, cm->plover_context);
  } else {
    int r = atoi(ev->root);
    ev->goldstein = 0;
    ev->quad_class = r <= 5 ? 1 : r <= 8 ? 2 : r <= 13 ? 3 : 4;
    ev->plover = "";
    ev->plover_mode = "";
    ev->plover_context = "";
  }
}

/* The verb group whose date an undated group G shares: the verb it is
 * coordinated with ("imposed sanctions on Thursday and expelled ...") or
 * the verb an infinitive depends on ("met on Thursday and agreed to ...");
 * -1 when none. What a reporting verb reports keeps its own date. */
static int32_t date_source(dyad_coder *c, const ct_vg *g) {
  if (g->subj < 0 && g->subj_vg >= 0) return g->subj_vg;
  if ((g->infinitive || g->gerund) && g->parent >= 0 && !g->comp) return g->parent;
  return -1;
}

static void inherit_date(dyad_coder *c, dyad_event *ev, const ct_event *ce, size_t base,
                         const uint32_t *evg, size_t nevg) {
  const ct_vg *g = ct_vg_at(c, (int32_t)ce->vg);
  for (int depth = 0; depth < 4; depth++) {
    int32_t v = date_source(c, g);
    if (v < 0) return;
    for (size_t j = 0; j < nevg && base + j < c->events.len - 1; j++) {
      const dyad_event *pe = &DU_VEC_AT(&c->events, dyad_event, base + j);
      if (evg[j] != (uint32_t)v || pe->date_precision == DYAD_PREC_STORY) continue;
      memcpy(ev->date, pe->date, sizeof ev->date);
      ev->date_precision = pe->date_precision;
      ev->date_text = pe->date_text;
      return;
    }
    g = ct_vg_at(c, v);
  }
}

static int emit_events(dyad_coder *c, uint32_t si, const dt_sentence *s) {
  const dyad_kb *kb = c->kb;
  uint32_t k = 0;
  int visits = ct_rule_on(c, c->opt.visit_codes);
  size_t first = c->events.len;
  uint32_t evg[128]; /* the verb group of each event of the sentence */
  size_t nevg = 0;
  for (size_t i = 0; i < c->cev.len; i++) {
    ct_event *ce = &DU_VEC_AT(&c->cev, ct_event, i);
    if (!ce->code[0]) continue;
    dyad_event *ev = du_vec_push(&c->events);
    if (!ev) return -1;
    if (nevg < DU_ARRAY_LEN(evg)) evg[nevg++] = ce->vg;
    ev->story_id = c->story_id;
    ev->sentence = si;
    ev->sent_start = s->start;
    ev->sent_end = s->end;
    int no_target = !ce->target[0];
    if (no_target && ce->anaphor) {
      /* The most recent event of an earlier sentence by another state or
       * group: its doer is the target of "condemned the strikes". */
      for (size_t j = c->events.len - 1; j-- > 0;) {
        const dyad_event *pe = &DU_VEC_AT(&c->events, dyad_event, j);
        if (pe->sentence < si && pe->source.code[0] &&
            strncmp(pe->source.code, ce->source, 3) != 0) {
          du_strlcpy(ce->target, pe->source.code, sizeof ce->target);
          break;
        }
      }
    }
    uint32_t ts = no_target ? DU_MIN(ce->sstart, ce->vstart)
                            : DU_MIN(DU_MIN(ce->sstart, ce->tstart), ce->vstart);
    uint32_t te = no_target ? DU_MAX(ce->send, ce->vend)
                            : DU_MAX(DU_MAX(ce->send, ce->tend), ce->vend);
    if (te <= ts) te = ts + 1;
    ev->ev_start = c->toks.v[ts].start;
    ev->ev_end = c->toks.v[te - 1].end;
    ev->verb_start = c->toks.v[ce->vstart].start;
    ev->verb_end = c->toks.v[ce->vend - 1].end;
    ev->source.code = astr(c, ce->source);
    ev->target.code = astr(c, ce->target);
    split_code(c, ce->source, &ev->source);
    split_code(c, ce->target, &ev->target);
    ev->source.start = c->toks.v[ce->sstart].start;
    ev->source.end = c->toks.v[ce->send > ce->sstart ? ce->send - 1 : ce->sstart].end;
    if (no_target) {
      ev->target.start = ev->target.end = 0;
    } else {
      ev->target.start = c->toks.v[ce->tstart].start;
      ev->target.end = c->toks.v[ce->tend > ce->tstart ? ce->tend - 1 : ce->tstart].end;
    }
    du_strlcpy(ev->code, ce->code, sizeof ev->code);
    cameo_fill(kb, ev);
    ev->modality = ce->negated ? DYAD_MODE_NEGATED : ce->mode;
    ev->negated = ce->negated;
    memcpy(ev->story_date, c->story_date, sizeof ev->story_date);
    if (ce->pattern != UINT32_MAX) {
      const kb_pattern *p = &kb->patterns[ce->pattern];
      const char *f = p->file < kb->n_files ? kb_str(kb, kb->files[p->file].path) : "";
      const char *base = strrchr(f, '/');
      char buf[256];
      du_strlcpy(buf, base ? base + 1 : f, sizeof buf - 12);
      size_t n = strlen(buf);
      buf[n++] = ':';
      buf[n + du_put_u64(buf + n, p->line)] = '\0';
      ev->pattern = astr(c, buf);
    } else {
      const ct_vg *g = ct_vg_at(c, (int32_t)ce->vg);
      const kb_verb *v = &kb->verbs[g->verb];
      char buf[256] = "verb:";
      du_strlcpy(buf + 5, kb_str(kb, kb->words[v->lemma].str), sizeof buf - 5);
      ev->pattern = astr(c, buf);
    }
    /* Date and place of the event (resolve.c). */
    dr_resolve(c, ev, ce, s);
    if (ev->date_precision == DYAD_PREC_STORY) inherit_date(c, ev, ce, first, evg, nevg);
    if (no_target && !ce->target[0]) dr_place_target(c, ev, ce);
    /* A visit with nobody named to meet ("arrived in Pyongyang") is a
     * visit to the country where it took place. */
    if (visits && !ev->target.code[0] && !strcmp(ev->code, "042") && ev->place.country &&
        ct_state_code(ev->place.country) && ev->source.country &&
        strcmp(ev->place.country, ev->source.country)) {
      ev->target.code = ev->place.country;
      ev->target.country = ev->place.country;
      ev->target.sector = "";
      ev->target.start = ev->place.start;
      ev->target.end = ev->place.end;
    }
    /* A meeting placed in one side's country is a visit by the other and
     * a visit hosted by that side; elsewhere it is a meeting at a third
     * location (CAMEO 042, 043, 044). */
    if (visits && !strcmp(ev->code, "040") && ev->place.country && ev->place.country[0] &&
        ev->source.country[0] && ev->target.country[0] &&
        strcmp(ev->source.country, ev->target.country) && ct_state_code(ev->source.country) &&
        ct_state_code(ev->target.country)) {
      const char *pc = ev->place.country;
      const char *nc = !strcmp(pc, ev->target.country)   ? "042"
                       : !strcmp(pc, ev->source.country) ? "043"
                                                         : "044";
      _Static_assert(sizeof ev->code >= sizeof "042", "an event code holds three digits");
      memcpy(ev->code, nc, sizeof "042");
      cameo_fill(kb, ev);
    }
    uint64_t h = du_hash(c->story_id, strlen(c->story_id));
    event_id(ev->event_id, h, si, k++);
  }
  return 0;
}

static void trace_sentence(dyad_coder *c, uint32_t a, uint32_t b) {
  char line[4096];
  size_t o = 0;
  for (uint32_t i = a; i < b; i++) {
    const ct_tok *t = &c->t[i];
    char tag[64] = "";
    if (t->ment >= 0) du_strlcpy(tag, ct_ment_at(c, t->ment)->code, sizeof tag);
    o += (size_t)snprintf(line + o, sizeof line - o, "%s%s%s%s%s ", dt_norm(&c->toks, i),
                          t->isverb ? "/V" : "", tag[0] ? "[" : "", tag, tag[0] ? "]" : "");
    if (o >= sizeof line - 80) break;
  }
  c->opt.trace(line, c->opt.trace_ud);
  for (size_t n = 0; n < c->nps.len; n++) {
    ct_np *np = ct_np_at(c, (int32_t)n);
    o = (size_t)snprintf(line, sizeof line, "  np%zu [%u,%u) '", n, np->start, np->end);
    for (uint32_t k = np->start; k < np->end && o < 300; k++) {
      o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", k > np->start ? " " : "",
                            dt_norm(&c->toks, k));
    }
    snprintf(line + o, sizeof line - o, "' code=%s%s%s conj_next=%d head=%d attach=%d prep=%d%s%s",
             np->code, np->has_actor ? " actor" : "", np->agent_only ? " agent" : "",
             np->conj_next, np->conj_head, np->attach_to, np->prep,
             np->appositive ? " appositive" : "", np->pron ? " pron" : "");
    c->opt.trace(line, c->opt.trace_ud);
  }
  for (size_t g = 0; g < c->vgs.len; g++) {
    ct_vg *v = ct_vg_at(c, (int32_t)g);
    const char *cls = v->verb != UINT32_MAX
                          ? kb_str(c->kb, c->kb->vclasses[c->kb->verbs[v->verb].vclass].name)
                          : "-";
    snprintf(line, sizeof line,
             "  vg%zu [%u,%u) main=%s class=%s%s%s%s%s%s subj=%d subj_vg=%d parent=%d%s obj_end=%u mode=%d coded=%d",
             g, v->start, v->end, dt_norm(&c->toks, v->main), cls, v->finite ? " finite" : "",
             v->passive ? " passive" : "", v->negated ? " neg" : "", v->infinitive ? " inf" : "",
             v->gerund ? " ger" : "", v->subj, v->subj_vg, v->parent, v->comp ? " comp" : "",
             v->obj_end, v->mode, v->coded);
    c->opt.trace(line, c->opt.trace_ud);
  }
  for (size_t i = 0; i < c->cev.len; i++) {
    ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
    const char *pt = e->pattern != UINT32_MAX ? kb_str(c->kb, c->kb->patterns[e->pattern].text) : "(verb)";
    snprintf(line, sizeof line, "  event %s -> %s %s vg%u mode=%d neg=%d via %s", e->source,
             e->target, e->code[0] ? e->code : "(dropped)", e->vg, e->mode, e->negated, pt);
    c->opt.trace(line, c->opt.trace_ud);
  }
}

static int code_sentence(dyad_coder *c, uint32_t si, const dt_sentence *s) {
  uint32_t a = s->tok_start, b = s->tok_end;
  /* Case is no guide in an all-caps or all-lower-case sentence. */
  int upper = 0, lower = 0;
  for (uint32_t i = a; i < b; i++) {
    uint16_t f = c->toks.v[i].flags;
    if (!(f & TK_WORD)) continue;
    if (f & (TK_CAP | TK_ALLCAP)) upper++;
    else lower++;
  }
  c->caps_unreliable = (lower == 0 && upper > 3) || upper == 0;
  c->sent_index = si;
  c->sent = s;
  if (ct_mentions(c, a, b)) return -1;
  if (ct_verbs(c, a, b)) return -1;
  if (ct_chunks(c, a, b)) return -1;
  if (ct_clauses(c, a, b)) return -1;
  if (ct_events(c, a, b)) return -1;
  /* Who "he" or "they" is in the next sentence. */
  for (size_t i = 0; i < c->cev.len; i++) {
    const ct_event *e = &DU_VEC_AT(&c->cev, ct_event, i);
    if (e->code[0] && e->source[0]) {
      du_strlcpy(c->prev_subj, e->source, sizeof c->prev_subj);
      break;
    }
  }
  if (c->opt.trace) trace_sentence(c, a, b);
  return emit_events(c, si, s);
}

int dyad_code_story(dyad_coder *c, const dyad_story *st,
                    const dyad_event **events, size_t *n, dyad_error *err) {
  *events = NULL;
  *n = 0;
  c->events.len = 0;
  c->out_sents.len = 0;
  c->sents.len = 0;
  c->story_discarded = 0;
  c->prev_subj[0] = '\0';
  du_arena_reset(&c->arena);
  if (!st || !st->id || !*st->id) return du_err(err, DYAD_EINVAL, "story has no id");
  if (!st->date || dyad_parse_date(st->date, &c->story_ymd)) {
    return du_err(err, DYAD_EINVAL, "story %s: date '%s' is not YYYY-MM-DD", st->id,
                  st->date ? st->date : "(none)");
  }
  du_ymd_format(c->story_ymd, c->story_date);
  const char *text = st->text ? st->text : "";
  size_t len = st->text ? st->text_len : 0;
  if (len > c->opt.max_text_len) {
    return du_err(err, DYAD_ETOOBIG, "story %s: text of %zu bytes exceeds the limit of %zu",
                  st->id, len, c->opt.max_text_len);
  }
  size_t bad;
  if (dt_utf8_check(text, len, &bad)) {
    return du_err(err, DYAD_EUTF8, "story %s: invalid UTF-8 at byte %zu", st->id, bad);
  }
  if (memchr(text, '\0', len)) {
    return du_err(err, DYAD_EUTF8, "story %s: text contains a NUL byte", st->id);
  }
  c->story_id = astr(c, st->id);
  c->text = text;
  c->text_len = len;
  dt_tokens_reset(&c->toks);
  if (dt_tokenize(text, len, &c->toks)) return du_err(err, DYAD_ENOMEM, "out of memory");
  if (dt_split_sentences(text, &c->toks, &c->sents)) return du_err(err, DYAD_ENOMEM, "out of memory");
  if (c->tcap < c->toks.n) {
    size_t cap = c->toks.n + 256;
    ct_tok *t = du_realloc(c->t, cap * sizeof *t);
    if (!t) return du_err(err, DYAD_ENOMEM, "out of memory");
    c->t = t;
    c->tcap = cap;
  }
  ct_lookup(c);
  /* Story-level discards first. */
  size_t ns = c->sents.len;
  for (size_t i = 0; i < ns; i++) {
    const dt_sentence *s = &DU_VEC_AT(&c->sents, dt_sentence, i);
    dyad_sentence *o = du_vec_push(&c->out_sents);
    if (!o) return du_err(err, DYAD_ENOMEM, "out of memory");
    o->start = s->start;
    o->end = s->end;
    o->discarded = s->clutter;
    int story = 0;
    if (!s->clutter && ct_discard(c, s->tok_start, s->tok_end, &story)) {
      o->discarded = 1;
      if (story) c->story_discarded = 1;
    }
  }
  if (!c->story_discarded) {
    dr_story_begin(c);
    for (size_t i = 0; i < ns; i++) {
      const dt_sentence *s = &DU_VEC_AT(&c->sents, dt_sentence, i);
      if (DU_VEC_AT(&c->out_sents, dyad_sentence, i).discarded) continue;
      if (code_sentence(c, (uint32_t)i, s)) return du_err(err, DYAD_ENOMEM, "out of memory");
    }
  }
  *events = c->events.data;
  *n = c->events.len;
  return DYAD_OK;
}
