/*
 * resolve.c - when and where each event happened.
 *
 * Dates: the words of the event's clause ("on Wednesday", "April 13",
 * "13 April 2024", "yesterday", "a day earlier", "last week", "earlier
 * this month", "in 2016", "two days ago") resolved against the story date.
 * A weekday is the most recent one on or before the story date, or the
 * next one after it when the verb is future ("will meet on Wednesday").
 * Precision: day, week, month or year; with nothing in the clause, the
 * story date with precision "story". Month precision dates are the first
 * of the month, year precision dates the first of January.
 *
 * Places: a place phrase after "in", "at", "near", ... in the clause,
 * looked up in the gazetteer (our place file, country centroids, and the
 * GeoNames city list); "the Libyan capital" is the capital of Libya; "the
 * northern city of Kharkiv" is Kharkiv. Among places of the same name, one
 * in the country of the event's actors wins, else the most populous.
 */
#include <stdio.h>
#include <stdlib.h>

#include "resolve/resolve.h"

void dr_story_begin(dyad_coder *c) { (void)c; }

/* ---- small token helpers ---- */

static const char *w_at(const dyad_coder *c, uint32_t i) { return dt_norm(&c->toks, i); }

static int is_w(const dyad_coder *c, uint32_t i, uint32_t b, const char *w) {
  return i < b && du_streq(w_at(c, i), w);
}

static int month_of(const dyad_coder *c, uint32_t i) {
  static const char *const m[] = {"january", "february", "march", "april", "may", "june",
                                  "july", "august", "september", "october", "november",
                                  "december"};
  const ct_tok *t = &c->t[i];
  if (!(t->lex & LX_MONTH)) return 0;
  /* "may" and "march" count only when capitalised (or in a caps-less text). */
  const char *w = w_at(c, i);
  if ((du_streq(w, "may") || du_streq(w, "march")) && !ct_capitalised(c, i)) return 0;
  uint32_t lw = t->lemma ? t->lemma : t->wid;
  const char *base = lw ? kb_str(c->kb, c->kb->words[lw].str) : w;
  for (int k = 0; k < 12; k++) {
    if (du_streq(base, m[k]) || du_streq(w, m[k])) return k + 1;
  }
  return 0;
}

static int weekday_of(const dyad_coder *c, uint32_t i) {
  static const char *const d[] = {"monday", "tuesday", "wednesday", "thursday",
                                  "friday", "saturday", "sunday"};
  const ct_tok *t = &c->t[i];
  if (!(t->lex & LX_WEEKDAY)) return -1;
  uint32_t lw = t->lemma ? t->lemma : t->wid;
  const char *base = lw ? kb_str(c->kb, c->kb->words[lw].str) : w_at(c, i);
  for (int k = 0; k < 7; k++) {
    if (du_streq(base, d[k])) return k;
  }
  return -1;
}

/* A day of month: "13", "13th", "1st". */
static int day_num(const dyad_coder *c, uint32_t i) {
  const char *w = w_at(c, i);
  if (!(c->toks.v[i].flags & TK_NUM) && !(w[0] >= '0' && w[0] <= '9')) return 0;
  char *end;
  long v = strtol(w, &end, 10);
  if (*end && strcmp(end, "st") && strcmp(end, "nd") && strcmp(end, "rd") && strcmp(end, "th")) {
    return 0;
  }
  return v >= 1 && v <= 31 ? (int)v : 0;
}

static int year_num(const dyad_coder *c, uint32_t i) {
  const char *w = w_at(c, i);
  if (strlen(w) != 4 || !(c->toks.v[i].flags & TK_NUM)) return 0;
  int v = atoi(w);
  return v >= 1900 && v <= 2100 ? v : 0;
}

static int small_num(const dyad_coder *c, uint32_t i) {
  static const char *const words[] = {"one", "two", "three", "four", "five", "six",
                                      "seven", "eight", "nine", "ten", "eleven", "twelve"};
  const char *w = w_at(c, i);
  if (du_streq(w, "a") || du_streq(w, "an")) return 1;
  for (int k = 0; k < 12; k++) {
    if (du_streq(w, words[k])) return k + 1;
  }
  if (c->toks.v[i].flags & TK_NUM) {
    int v = atoi(w);
    return v > 0 && v < 400 ? v : 0;
  }
  return 0;
}

typedef struct dref {
  int32_t ymd;
  int prec;
  uint32_t start, end; /* tokens */
} dref;

/* Clamp a month/day that does not exist (Feb 30) to the month's end. */
static int32_t mkdate(int y, int m, int d) {
  int dim = du_days_in_month(y, m);
  if (d > dim) d = dim;
  return y * 10000 + m * 100 + d;
}

/* Try to read a date expression at token I. */
static int date_at(const dyad_coder *c, uint32_t i, uint32_t b, int future,
                   dref *out) {
  int32_t sd = c->story_ymd;
  int sy = sd / 10000, sm = (sd / 100) % 100;
  memset(out, 0, sizeof *out);
  out->start = i;
  /* Every date expression starts with a number, a month, a weekday, a
   * time word (yesterday, last, earlier) or "a"/"an" ("a week ago"). */
  if (!(c->toks.v[i].flags & TK_NUM) &&
      !(c->t[i].lex & (LX_MONTH | LX_WEEKDAY | LX_TIME | LX_NUMW | LX_DET)))
    return 0;
  const char *w = w_at(c, i);
  int m, d, y, wd;
  /* Month day [, year] */
  if ((m = month_of(c, i)) != 0) {
    uint32_t k = i + 1;
    d = k < b ? day_num(c, k) : 0;
    if (d) {
      k++;
      if (k < b && ct_is_punct(c, k, ',')) k++;
      y = k < b ? year_num(c, k) : 0;
      if (y) {
        out->ymd = mkdate(y, m, d);
        out->end = k + 1;
      } else {
        /* Without a year: the most recent such date (or the next one
         * when the verb is future). */
        int32_t cand = mkdate(sy, m, d);
        if (!future && cand > du_ymd_add_days(sd, 2)) cand = mkdate(sy - 1, m, d);
        if (future && cand < sd) cand = mkdate(sy + 1, m, d);
        out->ymd = cand;
        out->end = ct_is_punct(c, k - 1, ',') ? k - 1 : k;
      }
      out->prec = DYAD_PREC_DAY;
      return 1;
    }
    /* Month [year]: "in May", "in May 2024" */
    y = k < b ? year_num(c, k) : 0;
    if (y) {
      out->ymd = y * 10000 + m * 100 + 1;
      out->end = k + 1;
    } else {
      int yy = sy;
      if (!future && m > sm) yy--;
      if (future && m < sm) yy++;
      out->ymd = yy * 10000 + m * 100 + 1;
      out->end = i + 1;
    }
    out->prec = DYAD_PREC_MONTH;
    return 1;
  }
  /* Day Month [year]: "13 April 2024" */
  if ((d = day_num(c, i)) != 0 && i + 1 < b && (m = month_of(c, i + 1)) != 0) {
    uint32_t k = i + 2;
    y = k < b ? year_num(c, k) : 0;
    if (y) {
      out->ymd = mkdate(y, m, d);
      out->end = k + 1;
    } else {
      int32_t cand = mkdate(sy, m, d);
      if (!future && cand > du_ymd_add_days(sd, 2)) cand = mkdate(sy - 1, m, d);
      if (future && cand < sd) cand = mkdate(sy + 1, m, d);
      out->ymd = cand;
      out->end = k;
    }
    out->prec = DYAD_PREC_DAY;
    return 1;
  }
  /* Weekday */
  if ((wd = weekday_of(c, i)) >= 0) {
    int sw = du_weekday(sd);
    int delta;
    if (future) {
      delta = (wd - sw + 7) % 7;
      if (delta == 0) delta = 7;
    } else {
      delta = -((sw - wd + 7) % 7);
    }
    out->ymd = du_ymd_add_days(sd, delta);
    out->prec = DYAD_PREC_DAY;
    out->end = i + 1;
    return 1;
  }
  /* Relative days */
  if (du_streq(w, "yesterday")) {
    out->ymd = du_ymd_add_days(sd, -1);
    out->prec = DYAD_PREC_DAY;
    out->end = i + 1;
    return 1;
  }
  if (du_streq(w, "today") || du_streq(w, "tonight")) {
    out->ymd = sd;
    out->prec = DYAD_PREC_DAY;
    out->end = i + 1;
    return 1;
  }
  if (du_streq(w, "tomorrow")) {
    out->ymd = du_ymd_add_days(sd, 1);
    out->prec = DYAD_PREC_DAY;
    out->end = i + 1;
    return 1;
  }
  /* "last|next|this week|month|year", "earlier|later this week|month|year" */
  int rel = 0, span = 0;
  uint32_t k = i;
  if (du_streq(w, "last") || du_streq(w, "past")) rel = -1, k++;
  else if (du_streq(w, "next") || du_streq(w, "coming")) rel = 1, k++;
  else if (du_streq(w, "this")) rel = 0, k++;
  else if ((du_streq(w, "earlier") || du_streq(w, "later")) && is_w(c, i + 1, b, "this")) rel = 0, k += 2;
  if (k > i && k < b) {
    const char *u = w_at(c, k);
    if (!strcmp(u, "week")) span = 1;
    else if (!strcmp(u, "month")) span = 2;
    else if (!strcmp(u, "year")) span = 3;
    else if (!strcmp(u, "weekend")) span = 4;
    if (span) {
      out->end = k + 1;
      if (span == 1 || span == 4) {
        out->ymd = du_ymd_add_days(sd, 7 * rel);
        out->prec = DYAD_PREC_WEEK;
      } else if (span == 2) {
        int yy = sy, mm = sm + rel;
        if (mm < 1) mm = 12, yy--;
        if (mm > 12) mm = 1, yy++;
        out->ymd = yy * 10000 + mm * 100 + 1;
        out->prec = DYAD_PREC_MONTH;
      } else {
        out->ymd = (sy + rel) * 10000 + 101;
        out->prec = DYAD_PREC_YEAR;
      }
      return 1;
    }
  }
  /* "N days|weeks|months|years ago|earlier|later", "a day earlier" */
  int n = small_num(c, i);
  if (n && i + 2 < b + 1 && i + 1 < b) {
    const char *unit = w_at(c, i + 1);
    int days = 0, prec = 0;
    if (du_streq(unit, "day") || du_streq(unit, "days")) days = 1, prec = DYAD_PREC_DAY;
    else if (du_streq(unit, "week") || du_streq(unit, "weeks")) days = 7, prec = DYAD_PREC_WEEK;
    else if (du_streq(unit, "month") || du_streq(unit, "months")) days = 30, prec = DYAD_PREC_MONTH;
    else if (du_streq(unit, "year") || du_streq(unit, "years")) days = 365, prec = DYAD_PREC_YEAR;
    if (days && i + 2 < b) {
      const char *dir = w_at(c, i + 2);
      int sign = 0;
      if (du_streq(dir, "ago") || du_streq(dir, "earlier") || du_streq(dir, "before")) sign = -1;
      else if (du_streq(dir, "later") || du_streq(dir, "after")) sign = 1;
      if (sign && !(prec == DYAD_PREC_YEAR && n > 30)) {
        int32_t ymd = du_ymd_add_days(sd, sign * n * days);
        if (prec == DYAD_PREC_MONTH) ymd = ymd / 100 * 100 + 1;
        if (prec == DYAD_PREC_YEAR) ymd = ymd / 10000 * 10000 + 101;
        out->ymd = ymd;
        out->prec = prec;
        out->end = i + 3;
        return 1;
      }
    }
  }
  /* "in 2016" */
  if ((y = year_num(c, i)) != 0 && i > 0 && (is_w(c, i - 1, b, "in") || is_w(c, i - 1, b, "since") ||
                                            is_w(c, i - 1, b, "during"))) {
    out->ymd = y * 10000 + 101;
    out->prec = DYAD_PREC_YEAR;
    out->end = i + 1;
    return 1;
  }
  return 0;
}

/* Tokens that belong to the clause of verb group G: from the clause start
 * (after the previous finite clause) to the end of its object region. */
static void clause_span(dyad_coder *c, const ct_event *ce, const dt_sentence *s,
                        uint32_t *from, uint32_t *to) {
  const ct_vg *g = ct_vg_at(c, (int32_t)ce->vg);
  uint32_t a = s->tok_start;
  uint32_t start = a;
  for (int32_t k = (int32_t)ce->vg - 1; k >= 0; k--) {
    const ct_vg *o = ct_vg_at(c, k);
    if (o->finite && k != g->parent && (int32_t)ce->vg != o->parent) {
      start = o->obj_end > g->start ? o->end : o->obj_end;
      break;
    }
  }
  /* A date before the subject belongs to the clause ("On March 3, Turkish
   * drones struck ..."): keep the start of the sentence when the clause
   * is the first. */
  *from = start;
  *to = DU_MAX(g->obj_end, g->end);
}

static void find_date(dyad_coder *c, dyad_event *ev, const ct_event *ce,
                      const dt_sentence *s) {
  uint32_t from, to;
  clause_span(c, ce, s, &from, &to);
  const ct_vg *g = ct_vg_at(c, (int32_t)ce->vg);
  int future = g->mode == DYAD_MODE_INTENDED;
  dref best;
  int found = 0;
  uint32_t best_dist = UINT32_MAX;
  for (uint32_t i = from; i < to; i++) {
    dref r;
    if (!date_at(c, i, to, future, &r)) continue;
    /* "last year's election" dates the election, not the event. */
    if (r.end < c->toks.n && (ct_word_is(c, r.end, "'s") || ct_word_is(c, r.end, "'"))) {
      i = r.end - 1;
      continue;
    }
    /* Closest to the verb wins. */
    uint32_t dist = i < g->start ? g->start - i : i - g->end;
    if (!found || dist < best_dist) {
      best = r;
      best_dist = dist;
      found = 1;
    }
    i = r.end - 1;
  }
  if (!found) {
    memcpy(ev->date, c->story_date, sizeof ev->date);
    ev->date_precision = DYAD_PREC_STORY;
    ev->date_text = "";
    return;
  }
  du_ymd_format(best.ymd, ev->date);
  ev->date_precision = best.prec;
  uint32_t b0 = c->toks.v[best.start].start, b1 = c->toks.v[best.end - 1].end;
  char *t = du_arena_strndup(&c->arena, c->text + b0, b1 - b0);
  ev->date_text = t ? t : "";
}

/* ---- places ---- */

static const char *aset(dyad_coder *c, const char *s) {
  char *d = du_arena_strndup(&c->arena, s, strlen(s));
  return d ? d : "";
}

/* Longest place phrase at I: returns its end, fills the candidate list. */
static uint32_t place_at(const dyad_coder *c, uint32_t i, uint32_t b,
                         const uint32_t **items, uint32_t *n) {
  const dyad_kb *kb = c->kb;
  uint32_t w = c->t[i].wid;
  if (!w || !ct_capitalised(c, i)) return 0;
  uint32_t node = kb->words[w].root[TRIE_PLACE], best = 0, k = i;
  while (node) {
    if (kb->nodes[node].payload) {
      best = k + 1;
      *items = kb_payload(kb, node, n);
    }
    if (++k >= b || !c->t[k].wid) break;
    node = kb_trie_step(kb, node, c->t[k].wid);
  }
  return best;
}

static int32_t pick_place(const dyad_coder *c, const uint32_t *items, uint32_t n,
                          const dyad_event *ev) {
  const dyad_kb *kb = c->kb;
  int32_t best = -1;
  int best_score = -1;
  for (uint32_t k = 0; k < n; k++) {
    const kb_place *p = &kb->places[items[k]];
    const char *cc = kb_str(kb, p->country);
    int score = 0;
    if (ev && ev->source.country && !strcmp(cc, ev->source.country)) score += 2;
    if (ev && ev->target.country && !strcmp(cc, ev->target.country)) score += 2;
    /* Population breaks ties (our own entries rank first). */
    if (score > best_score ||
        (score == best_score && best >= 0 && p->population > kb->places[best].population)) {
      best = (int32_t)items[k];
      best_score = score;
    }
  }
  return best;
}

/* The capital of the country whose adjective is token I. */
static int32_t capital_of(const dyad_coder *c, uint32_t i) {
  const dyad_kb *kb = c->kb;
  int32_t mi = c->t[i].ment;
  if (mi < 0) return -1;
  const ct_ment *m = &DU_VEC_AT(&c->ments, ct_ment, (size_t)mi);
  if (m->kind != MK_ACTOR) return -1;
  const char *cc = kb_str(kb, kb->actors[m->actor].country);
  if (!cc[0]) return -1;
  for (uint32_t a = 0; a < kb->n_actors; a++) {
    const kb_actor *x = &kb->actors[a];
    if (x->kind != AK_CAPITAL || strcmp(kb_str(kb, x->country), cc) != 0) continue;
    /* Find the capital's name in the gazetteer, in this country. */
    char f[256];
    const char *name = kb_str(kb, x->name);
    dt_fold_phrase(name, strlen(name), f, sizeof f);
    uint32_t node = 0;
    char *save = NULL;
    for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
      uint32_t id = kb_word_find(kb, w, strlen(w));
      node = !id ? 0 : node ? kb_trie_step(kb, node, id) : kb->words[id].root[TRIE_PLACE];
      if (!node) break;
    }
    if (!node) return -1;
    uint32_t n;
    const uint32_t *items = kb_payload(kb, node, &n);
    for (uint32_t k = 0; k < n; k++) {
      if (!strcmp(kb_str(kb, kb->places[items[k]].country), cc)) return (int32_t)items[k];
    }
    return n ? (int32_t)items[0] : -1;
  }
  return -1;
}

static void set_place(dyad_coder *c, dyad_event *ev, int32_t pi, uint32_t t0, uint32_t t1) {
  const dyad_kb *kb = c->kb;
  const kb_place *p = &kb->places[pi];
  uint32_t b0 = c->toks.v[t0].start, b1 = c->toks.v[t1 - 1].end;
  char *txt = du_arena_strndup(&c->arena, c->text + b0, b1 - b0);
  ev->place.text = txt ? txt : "";
  ev->place.name = aset(c, kb_str(kb, p->name));
  ev->place.country = aset(c, kb_str(kb, p->country));
  ev->place.admin1 = aset(c, kb_str(kb, p->admin1));
  ev->place.lat = p->lat;
  ev->place.lon = p->lon;
  ev->place.has_coords = 1;
  ev->place.start = b0;
  ev->place.end = b1;
}

int dr_find_place(dyad_coder *c, uint32_t from, uint32_t to, const dyad_event *ev,
                  int32_t *place, uint32_t *t0, uint32_t *t1) {
  for (uint32_t i = from; i < to; i++) {
    if (!(c->t[i].lex & LX_PLACEPREP) || c->t[i].ment >= 0) continue;
    uint32_t mod = i + 1;
    if (is_w(c, mod, to, "the")) mod++;
    /* Up to three modifiers: "the northern", "the Libyan", "the besieged". */
    uint32_t k = mod;
    while (k < to && k - mod < 3 && ((c->t[k].lex & LX_ADJ) || c->t[k].ment >= 0 ||
                                     (c->toks.v[k].flags & TK_HYPHEN))) {
      k++;
    }
    if (k < to && is_w(c, k, to, "capital")) {
      for (uint32_t q = mod; q < k; q++) {
        int32_t cap = capital_of(c, q);
        if (cap >= 0) {
          *place = cap;
          *t0 = i + 1;
          *t1 = k + 1;
          return 1;
        }
      }
    }
    uint32_t at = mod;
    if (k + 1 < to && (is_w(c, k, to, "city") || is_w(c, k, to, "town") ||
                       is_w(c, k, to, "village") || is_w(c, k, to, "port") ||
                       is_w(c, k, to, "region") || is_w(c, k, to, "province") ||
                       is_w(c, k, to, "district")) &&
        is_w(c, k + 1, to, "of")) {
      at = k + 2;
      if (is_w(c, at, to, "the")) at++;
    }
    const uint32_t *items;
    uint32_t n;
    uint32_t end = at < to ? place_at(c, at, to, &items, &n) : 0;
    if (!end) continue;
    int32_t pi = pick_place(c, items, n, ev);
    if (pi >= 0) {
      *place = pi;
      *t0 = at;
      *t1 = end;
      return 1;
    }
  }
  return 0;
}

void dr_place_target(dyad_coder *c, dyad_event *ev, const ct_event *ce) {
  if (ce->oend <= ce->ostart || ev->target.code[0]) return;
  uint32_t at = ce->ostart;
  if (is_w(c, at, ce->oend, "the")) at++;
  if (at >= ce->oend || c->t[at].ment >= 0) return;
  const uint32_t *items;
  uint32_t n;
  uint32_t end = place_at(c, at, ce->oend, &items, &n);
  /* The object must be the place: "Kharkiv" or "Kharkiv overnight", not
   * "Kharkiv's mayor" or "Kharkiv officials". */
  if (!end) return;
  if (end < ce->oend && (c->t[end].ment >= 0 || (c->t[end].lex & (LX_NOUN | LX_TITLE)) ||
                         is_w(c, end, ce->oend, "'s") || is_w(c, end, ce->oend, "'")))
    return;
  int32_t pi = pick_place(c, items, n, ev);
  if (pi < 0) return;
  const char *cc = kb_str(c->kb, c->kb->places[pi].country);
  if (!cc[0] || strlen(cc) != 3 || (ev->source.country && !strcmp(cc, ev->source.country)))
    return;
  set_place(c, ev, pi, at, end);
  ev->target.code = aset(c, cc);
  ev->target.country = ev->target.code;
  ev->target.sector = "";
  ev->target.start = c->toks.v[at].start;
  ev->target.end = c->toks.v[end - 1].end;
}

static void find_place(dyad_coder *c, dyad_event *ev, const ct_event *ce,
                       const dt_sentence *s) {
  uint32_t from, to, t0, t1;
  int32_t pi;
  clause_span(c, ce, s, &from, &to);
  if (dr_find_place(c, from, to, ev, &pi, &t0, &t1)) set_place(c, ev, pi, t0, t1);
}

void dr_resolve(dyad_coder *c, dyad_event *ev, const ct_event *ce,
                const dt_sentence *s) {
  memset(&ev->place, 0, sizeof ev->place);
  ev->place.text = "";
  ev->place.name = "";
  ev->place.country = "";
  ev->place.admin1 = "";
  find_date(c, ev, ce, s);
  find_place(c, ev, ce, s);
}
