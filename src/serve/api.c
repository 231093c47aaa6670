/*
 * api.c - the dashboard's JSON endpoints.
 *
 * Every endpoint checks its parameters (params.c) into a dyad_query and
 * asks the store through the public API, whose SQL is fixed text with
 * bound parameters. Answers are capped in rows (SV_MAX_*) and bytes
 * (SV_MAX_BODY), and long listings stop at the request's time budget.
 */
#include "serve/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int sv_api_error(sv_buf *out, int status, const char *msg) {
  sv_buf_reset(out);
  sv_buf_puts(out, "{\"error\":");
  sv_json_str(out, msg);
  sv_buf_printf(out, ",\"status\":%d}\n", status);
  return status;
}

/* The HTTP status for a failed store call. */
static int store_error(sv_buf *out, int rc, const dyad_error *e) {
  char msg[DYAD_ERR_MSG_LEN + 32];
  switch (rc) {
    case DYAD_EINVAL:
      return sv_api_error(out, 400, e->message);
    case DYAD_ENOTFOUND:
      return sv_api_error(out, 404, e->message);
    case DYAD_ENOMEM:
      return sv_api_error(out, 503, "out of memory");
    default:
      if (strstr(e->message, "statement timeout")) {
        return sv_api_error(out, 503, "the query took too long; narrow the filters");
      }
      snprintf(msg, sizeof msg, "database error: %s", e->message);
      return sv_api_error(out, 500, msg);
  }
}

/* State shared by the row callbacks of one request. */
typedef struct ctx {
  sv_buf *out;
  double deadline;
  long n, cap;
  int truncated, timed_out;
  const char *col;           /* a column to pick (scalar queries) */
  char value[64];
  const char *by;            /* timeline: the period column */
} ctx;

static int over_budget(ctx *c) {
  if (now_ms() > c->deadline) {
    c->timed_out = 1;
    return 1;
  }
  return 0;
}

/* Row callback: remember the value of column c->col of the first row. */
static int pick_col(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  for (int i = 0; i < ncol; i++) {
    if (!strcmp(names[i], c->col)) {
      snprintf(c->value, sizeof c->value, "%s", vals[i]);
      return 1;
    }
  }
  return 1;
}

static const char *col_of(int ncol, const char *const *names, const char *const *vals,
                          const char *name) {
  for (int i = 0; i < ncol; i++) {
    if (!strcmp(names[i], name)) return vals[i];
  }
  return "";
}

static long long num_ll(const char *s) { return s && *s ? strtoll(s, NULL, 10) : 0; }
static double num_d(const char *s) { return s && *s ? strtod(s, NULL) : 0.0; }

/* ---- text spans ---- */

/* Move OFF back onto the start of a UTF-8 character of TEXT. */
static size_t char_start(const char *text, size_t len, size_t off) {
  if (off > len) off = len;
  while (off > 0 && off < len && ((unsigned char)text[off] & 0xC0) == 0x80) off--;
  return off;
}

static int json_span(sv_buf *b, const char *text, size_t len, uint32_t a, uint32_t e) {
  if (!text || a >= e || e > len) return sv_buf_puts(b, "\"\"");
  size_t s = char_start(text, len, a), t = char_start(text, len, e);
  return sv_json_strn(b, text + s, t - s);
}

/*
 * The sentence of EV cut at the edges of its spans: an array of
 * {"t": text, "k": "evidence source ..."} pieces, "k" absent for plain
 * text. The page shows the pieces in order and marks the classes.
 */
static void json_sentence(sv_buf *b, const dyad_event *ev, const char *text, size_t len) {
  size_t ss = ev->sent_start, se = ev->sent_end;
  if (!text || ss >= se || se > len) {
    ss = 0;
    se = len;
  }
  struct { const char *name; size_t a, e; } sp[4] = {
      {"evidence", ev->ev_start, ev->ev_end},
      {"verb", ev->verb_start, ev->verb_end},
      {"source", ev->source.start, ev->source.end},
      {"target", ev->target.start, ev->target.end}};
  size_t cut[10];
  int nc = 0;
  cut[nc++] = ss;
  cut[nc++] = se;
  for (int i = 0; i < 4; i++) {
    if (sp[i].a >= sp[i].e) continue;
    size_t a = sp[i].a < ss ? ss : sp[i].a, e = sp[i].e > se ? se : sp[i].e;
    if (a >= e) continue;
    cut[nc++] = char_start(text, len, a);
    cut[nc++] = char_start(text, len, e);
  }
  /* Sort the cuts (at most 10) and walk the pieces between them. */
  for (int i = 1; i < nc; i++) {
    for (int j = i; j > 0 && cut[j - 1] > cut[j]; j--) {
      size_t t = cut[j];
      cut[j] = cut[j - 1];
      cut[j - 1] = t;
    }
  }
  sv_buf_puts(b, "[");
  int first = 1;
  for (int i = 0; i + 1 < nc; i++) {
    size_t a = cut[i], e = cut[i + 1];
    if (a >= e) continue;
    if (!first) sv_buf_puts(b, ",");
    first = 0;
    sv_buf_puts(b, "{\"t\":");
    sv_json_strn(b, text + a, e - a);
    char k[40] = "";
    for (int s = 0; s < 4; s++) {
      if (sp[s].a <= a && e <= sp[s].e && sp[s].a < sp[s].e) {
        if (k[0]) strcat(k, " ");
        strcat(k, sp[s].name);
      }
    }
    if (k[0]) {
      sv_buf_puts(b, ",\"k\":");
      sv_json_str(b, k);
    }
    sv_buf_puts(b, "}");
  }
  sv_buf_puts(b, "]");
}

/* ---- /api/summary ---- */

static int on_year(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  const char *y = col_of(ncol, names, vals, "year");
  if (!c->n++) snprintf(c->value, 5, "%s", y);        /* first year */
  snprintf(c->value + 5, 5, "%s", y);                  /* last year so far */
  return 0;
}

static int on_day(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  snprintf(c->value, 11, "%s", col_of(ncol, names, vals, "day"));
  return 0;
}

static int api_summary(dyad_store *st, sv_params *p, ctx *c) {
  (void)p;
  dyad_error e;
  memset(&e, 0, sizeof e);
  dyad_store_stats ss;
  int rc = dyad_store_stats_get(st, &ss, &e);
  if (rc) return store_error(c->out, rc, &e);
  /* The days of the first and the last event: years first, then the
   * days of those two years only. */
  char first[11] = "", last[11] = "";
  dyad_query q;
  dyad_query_init(&q);
  q.by = "year";
  ctx yc = *c;
  memset(yc.value, 0, sizeof yc.value);
  yc.n = 0;
  rc = dyad_store_query(st, &q, on_year, &yc, &e);
  if (!rc && yc.n) {
    char from[11], to[11];
    snprintf(from, sizeof from, "%.4s-01-01", yc.value);
    snprintf(to, sizeof to, "%.4s-12-31", yc.value);
    q.by = "day";
    q.from = from;
    q.to = to;
    q.limit = 1;
    ctx dc = *c;
    rc = dyad_store_query(st, &q, on_day, &dc, &e);
    snprintf(first, sizeof first, "%s", dc.value);
    snprintf(from, sizeof from, "%.4s-01-01", yc.value + 5);
    snprintf(to, sizeof to, "%.4s-12-31", yc.value + 5);
    q.limit = 400;
    if (!rc) rc = dyad_store_query(st, &q, on_day, &dc, &e);
    snprintf(last, sizeof last, "%s", dc.value);
  }
  if (rc) return store_error(c->out, rc, &e);
  sv_buf *b = c->out;
  sv_buf_puts(b, "{\"backend\":");
  sv_json_str(b, dyad_store_backend(st));
  sv_buf_printf(b, ",\"version\":\"%s\",\"stories\":%lld,\"mentions\":%lld,\"events\":%lld,"
                   "\"conflicts\":%lld,\"first\":",
                DYAD_VERSION, ss.stories, ss.mentions, ss.events, ss.conflicts);
  if (first[0]) sv_json_str(b, first);
  else sv_buf_puts(b, "null");
  sv_buf_puts(b, ",\"last\":");
  if (last[0]) sv_json_str(b, last);
  else sv_buf_puts(b, "null");
  sv_buf_printf(b, ",\"limits\":{\"events\":%d,\"edges\":%d,\"periods\":%d,\"mentions\":%d}}\n",
                SV_MAX_EVENTS, SV_MAX_EDGES, SV_MAX_PERIODS, SV_MAX_MENTIONS);
  return 200;
}

/* ---- /api/events ---- */

static int on_event(const dyad_event *ev, const char *text, size_t len, const dyad_story *story,
                    void *ud) {
  ctx *c = ud;
  if (over_budget(c)) return 1;
  sv_buf *b = c->out;
  if (c->n++) sv_buf_puts(b, ",");
  sv_buf_puts(b, "\n{\"id\":");
  sv_json_str(b, ev->event_id);
  sv_buf_puts(b, ",\"date\":");
  sv_json_str(b, ev->date);
  sv_buf_puts(b, ",\"source\":");
  sv_json_str(b, ev->source.code);
  sv_buf_puts(b, ",\"target\":");
  sv_json_str(b, ev->target.code);
  sv_buf_puts(b, ",\"code\":");
  sv_json_str(b, ev->code);
  sv_buf_puts(b, ",\"root\":");
  sv_json_str(b, ev->root);
  sv_buf_printf(b, ",\"quad\":%d,\"goldstein\":", ev->quad_class);
  sv_json_num(b, ev->goldstein, 1);
  sv_buf_puts(b, ",\"plover\":");
  sv_json_str(b, ev->plover);
  sv_buf_puts(b, ",\"modality\":");
  sv_json_str(b, dyad_modality_name(ev->modality));
  sv_buf_puts(b, ",\"place\":");
  sv_json_str(b, ev->place.name);
  sv_buf_puts(b, ",\"country\":");
  sv_json_str(b, ev->place.country);
  sv_buf_printf(b, ",\"mentions\":%u,\"stories\":%u,\"sources\":%u,\"conflict\":%s",
                ev->n_mentions, ev->n_stories, ev->n_sources, ev->conflict ? "true" : "false");
  sv_buf_puts(b, ",\"story_id\":");
  sv_json_str(b, story ? story->id : "");
  sv_buf_puts(b, ",\"evidence\":");
  json_span(b, text, len, ev->ev_start, ev->ev_end);
  sv_buf_puts(b, "}");
  return b->full;
}

static int api_events(dyad_store *st, sv_params *p, ctx *c) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  /* The total first: one aggregate row, no paging. */
  dyad_query tq = p->q;
  tq.by = NULL;
  tq.limit = 0;
  tq.offset = 0;
  ctx tc = *c;
  tc.col = "events";
  strcpy(tc.value, "0");
  int rc = dyad_store_query(st, &tq, pick_col, &tc, &e);
  if (rc) return store_error(c->out, rc, &e);
  sv_buf *b = c->out;
  sv_buf_printf(b, "{\"total\":%lld,\"offset\":%ld,\"limit\":%ld,\"events\":[", num_ll(tc.value),
                p->q.offset, p->q.limit);
  rc = dyad_store_events(st, &p->q, on_event, c, &e);
  if (rc) return store_error(c->out, rc, &e);
  sv_buf_puts(b, "]}\n");
  return 200;
}

/* ---- /api/timeline ---- */

static int on_period(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  if (c->n >= c->cap) {
    c->truncated = 1;
    return 1;
  }
  sv_buf *b = c->out;
  const char *t = ncol > 0 ? vals[0] : "";
  char day[11];
  /* Every period as the date of its first day. */
  if (!strcmp(c->by, "month")) snprintf(day, sizeof day, "%.7s-01", t);
  else if (!strcmp(c->by, "year")) snprintf(day, sizeof day, "%.4s-01-01", t);
  else snprintf(day, sizeof day, "%s", t);
  if (c->n++) sv_buf_puts(b, ",");
  sv_buf_puts(b, "[");
  sv_json_str(b, day);
  sv_buf_printf(b, ",%lld,", num_ll(col_of(ncol, names, vals, "events")));
  sv_json_num(b, num_d(col_of(ncol, names, vals, "goldstein_mean")), 3);
  sv_buf_puts(b, "]");
  return b->full;
}

static int series(dyad_store *st, const dyad_query *q, const char *label, const char *src,
                  const char *tgt, ctx *c, int *first, dyad_error *e) {
  sv_buf *b = c->out;
  if (!*first) sv_buf_puts(b, ",");
  *first = 0;
  sv_buf_puts(b, "\n{\"label\":");
  sv_json_str(b, label);
  sv_buf_puts(b, ",\"source\":");
  sv_json_str(b, src);
  sv_buf_puts(b, ",\"target\":");
  sv_json_str(b, tgt);
  sv_buf_puts(b, ",\"rows\":[");
  ctx sc = *c;
  sc.n = 0;
  sc.cap = SV_MAX_PERIODS;
  int rc = dyad_store_query(st, q, on_period, &sc, e);
  if (sc.truncated) c->truncated = 1;
  sv_buf_puts(b, "]}");
  return rc;
}

static int api_timeline(dyad_store *st, sv_params *p, ctx *c) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  dyad_query q = p->q;
  if (!q.by) q.by = "month";
  q.limit = SV_MAX_PERIODS + 1;
  q.offset = 0;
  c->by = q.by;
  sv_buf *b = c->out;
  sv_buf_puts(b, "{\"by\":");
  sv_json_str(b, q.by);
  sv_buf_puts(b, ",\"series\":[");
  int first = 1, rc;
  char label[80];
  if (p->dyad) {
    /* A dyad: each direction is a series of its own. */
    dyad_query d = q;
    d.undirected = 0;
    d.source = p->source;
    d.target = p->target;
    snprintf(label, sizeof label, "%s \xe2\x86\x92 %s", p->source, p->target);
    rc = series(st, &d, label, p->source, p->target, c, &first, &e);
    if (!rc && q.undirected && strcmp(p->source, p->target)) {
      d.source = p->target;
      d.target = p->source;
      snprintf(label, sizeof label, "%s \xe2\x86\x92 %s", p->target, p->source);
      rc = series(st, &d, label, p->target, p->source, c, &first, &e);
    }
  } else if (q.source || q.target) {
    snprintf(label, sizeof label, "%s \xe2\x86\x92 %s", q.source ? q.source : "any",
             q.target ? q.target : "any");
    rc = series(st, &q, label, q.source ? q.source : "", q.target ? q.target : "", c, &first, &e);
  } else if (q.actor) {
    snprintf(label, sizeof label, "%s (either side)", q.actor);
    rc = series(st, &q, label, q.actor, "", c, &first, &e);
  } else {
    rc = series(st, &q, "all events", "", "", c, &first, &e);
  }
  if (rc) return store_error(c->out, rc, &e);
  sv_buf_printf(b, "],\"truncated\":%s}\n", c->truncated ? "true" : "false");
  return 200;
}

/* ---- /api/network ---- */

typedef struct node {
  char id[40];
  long long events;
} node;

typedef struct net {
  ctx *c;
  node *nodes;
  size_t n, cap;
} net;

static int add_node(net *t, const char *id, long long events) {
  for (size_t i = 0; i < t->n; i++) {
    if (!strcmp(t->nodes[i].id, id)) {
      t->nodes[i].events += events;
      return 0;
    }
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    node *nn = realloc(t->nodes, cap * sizeof *nn);
    if (!nn) return -1;
    t->nodes = nn;
    t->cap = cap;
  }
  snprintf(t->nodes[t->n].id, sizeof t->nodes[t->n].id, "%s", id);
  t->nodes[t->n].events = events;
  t->n++;
  return 0;
}

static int on_edge(int ncol, const char *const *names, const char *const *vals, void *ud) {
  net *t = ud;
  ctx *c = t->c;
  if (c->n >= c->cap) {
    c->truncated = 1;
    return 1;
  }
  const char *src = col_of(ncol, names, vals, "source");
  const char *tgt = col_of(ncol, names, vals, "target");
  long long events = num_ll(col_of(ncol, names, vals, "events"));
  if (!src[0] || !tgt[0]) return 0;  /* one-sided events are no edges */
  sv_buf *b = c->out;
  if (c->n++) sv_buf_puts(b, ",");
  sv_buf_puts(b, "\n{\"source\":");
  sv_json_str(b, src);
  sv_buf_puts(b, ",\"target\":");
  sv_json_str(b, tgt);
  sv_buf_printf(b, ",\"events\":%lld,\"mentions\":%lld,\"goldstein\":", events,
                num_ll(col_of(ncol, names, vals, "mentions")));
  sv_json_num(b, num_d(col_of(ncol, names, vals, "goldstein_mean")), 3);
  sv_buf_puts(b, "}");
  if (add_node(t, src, events) || (strcmp(src, tgt) && add_node(t, tgt, events))) {
    b->full = 1;
  }
  return b->full;
}

static int api_network(dyad_store *st, sv_params *p, ctx *c) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  dyad_query q = p->q;
  q.by = "dyad";
  c->cap = q.limit;
  q.limit = q.limit + 1;  /* one more: to tell a cut list from a full one */
  net t = {c, NULL, 0, 0};
  sv_buf *b = c->out;
  sv_buf_puts(b, "{\"edges\":[");
  int rc = dyad_store_query(st, &q, on_edge, &t, &e);
  if (rc) {
    free(t.nodes);
    return store_error(c->out, rc, &e);
  }
  sv_buf_puts(b, "],\"nodes\":[");
  for (size_t i = 0; i < t.n; i++) {
    sv_buf_puts(b, i ? ",\n{\"id\":" : "\n{\"id\":");
    sv_json_str(b, t.nodes[i].id);
    sv_buf_printf(b, ",\"events\":%lld}", t.nodes[i].events);
  }
  free(t.nodes);
  sv_buf_printf(b, "],\"truncated\":%s}\n", c->truncated ? "true" : "false");
  return 200;
}

/* ---- /api/actors ---- */

static int on_actor(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  sv_buf *b = c->out;
  if (!col_of(ncol, names, vals, "actor")[0]) return 0;  /* no target actor */
  if (c->n++) sv_buf_puts(b, ",");
  sv_buf_puts(b, "\n{\"code\":");
  sv_json_str(b, col_of(ncol, names, vals, "actor"));
  sv_buf_printf(b, ",\"events\":%lld,\"goldstein\":", num_ll(col_of(ncol, names, vals, "events")));
  sv_json_num(b, num_d(col_of(ncol, names, vals, "goldstein_mean")), 3);
  sv_buf_puts(b, "}");
  return b->full || over_budget(c);
}

static int api_actors(dyad_store *st, sv_params *p, ctx *c) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  sv_buf_puts(c->out, "{\"actors\":[");
  int rc = dyad_store_actors(st, &p->q, on_actor, c, &e);
  if (rc) return store_error(c->out, rc, &e);
  sv_buf_puts(c->out, "]}\n");
  return 200;
}

/* ---- /api/event ---- */

#define SV_DISTINCT 8

typedef struct distinct {
  const char *field;
  char v[SV_DISTINCT][64];
  int n, more;
} distinct;

static void remember(distinct *d, const char *v) {
  if (!v || !v[0]) return;
  for (int i = 0; i < d->n; i++) {
    if (!strncmp(d->v[i], v, sizeof d->v[i] - 1)) return;
  }
  if (d->n == SV_DISTINCT) {
    d->more = 1;
    return;
  }
  snprintf(d->v[d->n++], sizeof d->v[0], "%s", v);
}

typedef struct detail {
  ctx *c;
  distinct date, place, code, modality, publisher;
} detail;

static int on_info(int ncol, const char *const *names, const char *const *vals, void *ud) {
  ctx *c = ud;
  sv_buf *b = c->out;
  sv_buf_puts(b, "{");
  for (int i = 0; i < ncol; i++) {
    if (i) sv_buf_puts(b, ",");
    sv_json_key(b, names[i]);
    const char *n = names[i];
    const char *v = vals[i];
    int numeric = !strcmp(n, "quad") || !strcmp(n, "n_mentions") || !strcmp(n, "n_stories") ||
                  !strcmp(n, "n_sources") || !strcmp(n, "goldstein") || !strcmp(n, "lat") ||
                  !strcmp(n, "lon");
    if (!strcmp(n, "conflict") || !strcmp(n, "negated")) {
      sv_buf_puts(b, num_ll(v) ? "true" : "false");
    } else if (numeric) {
      if (!v[0]) sv_buf_puts(b, "null");
      else sv_json_num(b, num_d(v), !strcmp(n, "lat") || !strcmp(n, "lon") ? 4 :
                                    !strcmp(n, "goldstein") ? 1 : 0);
    } else {
      sv_json_str(b, v);
    }
  }
  sv_buf_puts(b, "}");
  return 0;
}

static int on_mention(const dyad_event *ev, const char *text, size_t len,
                      const dyad_story *story, void *ud) {
  detail *d = ud;
  ctx *c = d->c;
  if (c->n >= SV_MAX_MENTIONS) {
    c->truncated = 1;
    return 1;
  }
  if (over_budget(c)) return 1;
  sv_buf *b = c->out;
  if (c->n++) sv_buf_puts(b, ",");
  sv_buf_puts(b, "\n{\"id\":");
  sv_json_str(b, ev->event_id);
  sv_buf_puts(b, ",\"story_id\":");
  sv_json_str(b, story->id);
  sv_buf_puts(b, ",\"story_date\":");
  sv_json_str(b, story->date);
  sv_buf_puts(b, ",\"publisher\":");
  sv_json_str(b, story->source);
  sv_buf_puts(b, ",\"url\":");
  sv_json_str(b, story->url);
  sv_buf_puts(b, ",\"date\":");
  sv_json_str(b, ev->date);
  sv_buf_puts(b, ",\"date_precision\":");
  sv_json_str(b, dyad_precision_name(ev->date_precision));
  sv_buf_puts(b, ",\"date_text\":");
  sv_json_str(b, ev->date_text);
  sv_buf_puts(b, ",\"source\":{\"code\":");
  sv_json_str(b, ev->source.code);
  sv_buf_puts(b, ",\"text\":");
  json_span(b, text, len, ev->source.start, ev->source.end);
  sv_buf_puts(b, "},\"target\":{\"code\":");
  sv_json_str(b, ev->target.code);
  sv_buf_puts(b, ",\"text\":");
  json_span(b, text, len, ev->target.start, ev->target.end);
  sv_buf_puts(b, "},\"code\":");
  sv_json_str(b, ev->code);
  sv_buf_puts(b, ",\"goldstein\":");
  sv_json_num(b, ev->goldstein, 1);
  sv_buf_puts(b, ",\"plover\":");
  sv_json_str(b, ev->plover);
  sv_buf_puts(b, ",\"modality\":");
  sv_json_str(b, dyad_modality_name(ev->modality));
  sv_buf_puts(b, ",\"place\":{\"text\":");
  sv_json_str(b, ev->place.text);
  sv_buf_puts(b, ",\"name\":");
  sv_json_str(b, ev->place.name);
  sv_buf_puts(b, ",\"country\":");
  sv_json_str(b, ev->place.country);
  sv_buf_puts(b, "},\"pattern\":");
  sv_json_str(b, ev->pattern);
  sv_buf_puts(b, ",\"evidence\":");
  json_span(b, text, len, ev->ev_start, ev->ev_end);
  sv_buf_puts(b, ",\"sentence\":");
  json_sentence(b, ev, text, len);
  sv_buf_puts(b, "}");
  remember(&d->date, ev->date);
  remember(&d->place, ev->place.name[0] ? ev->place.name : ev->place.text);
  remember(&d->code, ev->code);
  remember(&d->modality, dyad_modality_name(ev->modality));
  remember(&d->publisher, story->source);
  return b->full;
}

static void json_distinct(sv_buf *b, const distinct *d) {
  sv_buf_puts(b, "[");
  for (int i = 0; i < d->n; i++) {
    if (i) sv_buf_puts(b, ",");
    sv_json_str(b, d->v[i]);
  }
  sv_buf_puts(b, "]");
}

static int api_event(dyad_store *st, sv_params *p, ctx *c) {
  if (!p->id[0]) return sv_api_error(c->out, 400, "id is required: /api/event?id=EVENT_ID");
  dyad_error e;
  memset(&e, 0, sizeof e);
  sv_buf *b = c->out;
  sv_buf_puts(b, "{\"event\":");
  int rc = dyad_store_event_info(st, p->id, on_info, c, &e);
  if (rc) return store_error(c->out, rc, &e);
  sv_buf_puts(b, ",\"mentions\":[");
  detail d;
  memset(&d, 0, sizeof d);
  d.c = c;
  d.date.field = "date";
  d.place.field = "place";
  d.code.field = "code";
  d.modality.field = "modality";
  rc = dyad_store_mentions(st, p->id, on_mention, &d, &e);
  if (rc) return store_error(c->out, rc, &e);
  sv_buf_puts(b, "],\"sources\":");
  json_distinct(b, &d.publisher);
  /* Where the reports disagree, every version. */
  sv_buf_puts(b, ",\"disagreements\":[");
  const distinct *fields[] = {&d.date, &d.place, &d.code, &d.modality};
  int nd = 0;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    if (fields[i]->n < 2) continue;
    if (nd++) sv_buf_puts(b, ",");
    sv_buf_puts(b, "{\"field\":");
    sv_json_str(b, fields[i]->field);
    sv_buf_puts(b, ",\"values\":");
    json_distinct(b, fields[i]);
    sv_buf_puts(b, "}");
  }
  sv_buf_printf(b, "],\"truncated\":%s}\n", c->truncated ? "true" : "false");
  return 200;
}

/* ---- routing ---- */

typedef struct route {
  const char *path;
  sv_spec spec;
  int (*fn)(dyad_store *st, sv_params *p, ctx *c);
} route;

static const route routes[] = {
    {"/api/summary", {"", 0, 0, 0}, api_summary},
    {"/api/events", {"", 1, 50, SV_MAX_EVENTS}, api_events},
    {"/api/timeline", {"by", 1, 0, 0}, api_timeline},
    {"/api/network", {"", 1, 200, SV_MAX_EDGES}, api_network},
    {"/api/actors", {"", 1, 100, 1000}, api_actors},
    {"/api/event", {"id", 0, 0, 0}, api_event},
};

static const route *find(const char *path) {
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (!strcmp(routes[i].path, path)) return &routes[i];
  }
  return NULL;
}

int sv_api_exists(const char *path) { return find(path) != NULL; }

int sv_api(const char *path, const sv_args *args, dyad_store *st, long budget_ms, sv_buf *out) {
  const route *r = find(path);
  if (!r) return sv_api_error(out, 404, "no such endpoint");
  sv_params p;
  char msg[512];
  if (sv_params_parse(args, &r->spec, &p, msg, sizeof msg)) return sv_api_error(out, 400, msg);
  ctx c;
  memset(&c, 0, sizeof c);
  c.out = out;
  c.deadline = now_ms() + (double)budget_ms;
  c.cap = r->spec.max_limit;
  int status = r->fn(st, &p, &c);
  if (status != 200) return status;
  if (out->full) {
    return sv_api_error(out, 400, "the answer is too large; narrow the filters or lower the limit");
  }
  if (c.timed_out) {
    return sv_api_error(out, 503, "the query took too long; narrow the filters");
  }
  return status;
}
