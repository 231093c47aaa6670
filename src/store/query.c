/*
 * query.c - questions asked of the store: dyadic time series, partners,
 * event lists with their mentions, and the actor network.
 *
 * Filters become a WHERE clause made only of fixed SQL fragments with '?'
 * parameters; grouping expressions come from a fixed table. No value from
 * the caller is ever pasted into SQL.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

void dyad_query_init(dyad_query *q) { memset(q, 0, sizeof *q); }

typedef struct qparams {
  const char *v[24];
  int n;
  du_buf sql;
  char like[8][80];
  int nlike;
  char quad[4], mins[16];   /* per call: the store may be queried from many threads */
} qparams;

static const char *prefix(qparams *p, const char *s) {
  /* A LIKE prefix with its wildcards escaped. */
  if (p->nlike >= 8) return s;
  char *o = p->like[p->nlike++];
  size_t k = 0;
  for (const char *c = s; *c && k + 3 < 80; c++) {
    if (*c == '%' || *c == '_' || *c == '\\') o[k++] = '\\';
    o[k++] = *c;
  }
  o[k++] = '%';
  o[k] = '\0';
  return o;
}

static void add(qparams *p, const char *frag, const char *v) {
  du_buf_printf(&p->sql, " AND %s", frag);
  if (v && p->n < 24) p->v[p->n++] = v;
}

static int nz(const char *s) { return s && *s; }

/* WHERE clause over table alias E (events) or M (mentions). */
static int build_where(const dyad_query *q, qparams *p, int mentions, dyad_error *err) {
  (void)mentions;
  du_buf_append(&p->sql, " WHERE 1 = 1", 12);
  if (nz(q->actor)) {
    const char *v = prefix(p, q->actor);
    du_buf_printf(&p->sql, " AND (e.source LIKE ? ESCAPE '\\' OR e.target LIKE ? ESCAPE '\\')");
    p->v[p->n++] = v;
    p->v[p->n++] = v;
  }
  if (nz(q->source) && nz(q->target) && q->undirected) {
    const char *a = prefix(p, q->source), *b = prefix(p, q->target);
    du_buf_printf(&p->sql, " AND ((e.source LIKE ? ESCAPE '\\' AND e.target LIKE ? ESCAPE '\\') OR "
                           "(e.source LIKE ? ESCAPE '\\' AND e.target LIKE ? ESCAPE '\\'))");
    p->v[p->n++] = a;
    p->v[p->n++] = b;
    p->v[p->n++] = b;
    p->v[p->n++] = a;
  } else {
    if (nz(q->source)) add(p, "e.source LIKE ? ESCAPE '\\'", prefix(p, q->source));
    if (nz(q->target)) add(p, "e.target LIKE ? ESCAPE '\\'", prefix(p, q->target));
  }
  if (nz(q->code)) add(p, "e.code = ?", q->code);
  if (nz(q->root)) add(p, "e.root = ?", q->root);
  if (q->quad) {
    if (q->quad < 1 || q->quad > 4) return du_err(err, DYAD_EINVAL, "quad class must be 1 to 4");
    snprintf(p->quad, sizeof p->quad, "%d", q->quad);
    add(p, "e.quad = ?", p->quad);
  }
  int32_t ymd;
  if (nz(q->from)) {
    if (dyad_parse_date(q->from, &ymd)) return du_err(err, DYAD_EINVAL, "--from is not a date: %s", q->from);
    add(p, "e.date >= ?", q->from);
  }
  if (nz(q->to)) {
    if (dyad_parse_date(q->to, &ymd)) return du_err(err, DYAD_EINVAL, "--to is not a date: %s", q->to);
    add(p, "e.date <= ?", q->to);
  }
  if (nz(q->place)) {
    du_buf_printf(&p->sql, " AND (e.place_name = ? OR e.place_country = ?)");
    p->v[p->n++] = q->place;
    p->v[p->n++] = q->place;
  }
  if (nz(q->modality)) {
    static const char *const ok[] = {"asserted", "reported", "hypothetical", "intended", "negated"};
    int good = 0;
    for (size_t i = 0; i < 5; i++) good |= !strcmp(ok[i], q->modality);
    if (!good) return du_err(err, DYAD_EINVAL, "unknown modality '%s'", q->modality);
    add(p, "e.modality = ?", q->modality);
  } else {
    /* Negated events are not events unless asked for. */
    du_buf_printf(&p->sql, " AND e.modality <> 'negated'");
  }
  if (nz(q->plover)) add(p, "e.plover = ?", q->plover);
  if (q->min_sources > 1) {
    snprintf(p->mins, sizeof p->mins, "%d", q->min_sources);
    add(p, "e.n_sources >= ?", p->mins);
  }
  return DYAD_OK;
}

static void bind_all(db *d, db_stmt *s, const qparams *p, int start) {
  for (int i = 0; i < p->n; i++) d->ops->bind_text(s, start + i, p->v[i], strlen(p->v[i]));
}

int dyad_store_query(dyad_store *st, const dyad_query *q, dyad_row_fn fn, void *ud,
                     dyad_error *err) {
  db *d = ds_db(st);
  qparams p;
  memset(&p, 0, sizeof p);
  du_buf_init(&p.sql, 1 << 16);
  const char *by = q->by ? q->by : "";
  const char *group = NULL, *label = NULL;
  /* Grouping expressions: a fixed whitelist. */
  if (!*by) {
    group = NULL;
  } else if (!strcmp(by, "day")) {
    group = "e.date", label = "day";
  } else if (!strcmp(by, "week")) {
    /* Monday of the week: day 0 (1970-01-01) was a Thursday. */
    group = "e.day - ((e.day + 3) % 7)", label = "week";
  } else if (!strcmp(by, "month")) {
    group = "substr(e.date, 1, 7)", label = "month";
  } else if (!strcmp(by, "year")) {
    group = "substr(e.date, 1, 4)", label = "year";
  } else if (!strcmp(by, "dyad")) {
    group = "e.source, e.target", label = "source, target";
  } else if (!strcmp(by, "root")) {
    group = "e.root", label = "root";
  } else if (!strcmp(by, "code")) {
    group = "e.code", label = "code";
  } else if (!strcmp(by, "partner")) {
    if (!nz(q->actor)) {
      du_buf_free(&p.sql);
      return du_err(err, DYAD_EINVAL, "--by partner needs --actor");
    }
    group = "CASE WHEN e.source LIKE ? ESCAPE '\\' THEN e.target ELSE e.source END",
    label = "partner";
  } else {
    du_buf_free(&p.sql);
    return du_err(err, DYAD_EINVAL, "cannot group by '%s' (day, week, month, year, dyad, root, code, partner)", by);
  }
  const char *table = q->mentions ? "mentions" : "events";
  const char *count = q->mentions ? "count(*)" : "count(*)";
  du_buf_printf(&p.sql, "SELECT ");
  if (group) {
    if (!strcmp(by, "dyad")) du_buf_printf(&p.sql, "e.source AS source, e.target AS target, ");
    else if (!strcmp(by, "week")) du_buf_printf(&p.sql, "%s AS week_day, ", group);
    else du_buf_printf(&p.sql, "%s AS %s, ", group, label);
  }
  du_buf_printf(&p.sql, "%s AS events, sum(e.goldstein) AS goldstein_sum, "
                        "avg(e.goldstein) AS goldstein_mean", count);
  if (!q->mentions) du_buf_printf(&p.sql, ", sum(e.n_mentions) AS mentions");
  du_buf_printf(&p.sql, " FROM %s e", table);
  int partner = !strcmp(by, "partner");
  qparams wp;
  memset(&wp, 0, sizeof wp);
  du_buf_init(&wp.sql, 1 << 16);
  dyad_query qq = *q;
  if (q->mentions) {
    /* Mentions have no publisher count; ignore that filter there. */
    qq.min_sources = 0;
  }
  int rc = build_where(&qq, &wp, q->mentions, err);
  if (rc) {
    du_buf_free(&p.sql);
    du_buf_free(&wp.sql);
    return rc;
  }
  du_buf_append(&p.sql, wp.sql.data, wp.sql.len);
  if (group) {
    /* Group by position: the expression may hold a parameter, and
     * PostgreSQL would not see two copies of it as the same. */
    du_buf_printf(&p.sql, " GROUP BY %s ORDER BY %s", !strcmp(by, "dyad") ? "1, 2" : "1",
                  partner ? "events DESC, 1" : (!strcmp(by, "dyad") ? "events DESC, 1, 2" : "1"));
  }
  long limit = q->limit > 0 ? q->limit : 100000;
  du_buf_printf(&p.sql, " LIMIT %ld OFFSET %ld", limit, q->offset > 0 ? q->offset : 0);
  db_stmt *s;
  rc = db_prepare(d, p.sql.data, &s, err);
  if (!rc) {
    int k = 1;
    if (partner) {
      const char *v = prefix(&wp, q->actor);
      d->ops->bind_text(s, k++, v, strlen(v));
    }
    bind_all(d, s, &wp, k);
    int r;
    const char *names[8], *vals[8];
    char wk[11], num[8][32];
    while ((r = d->ops->step(s, err)) == 1) {
      int n = d->ops->ncol(s);
      if (n > 8) n = 8;
      for (int i = 0; i < n; i++) {
        names[i] = d->ops->col_name(s, i);
        vals[i] = d->ops->col_text(s, i);
        if (!vals[i]) vals[i] = "";
        /* Numbers printed by us: the same digits from every backend. */
        if (!strcmp(names[i], "goldstein_sum")) {
          snprintf(num[i], sizeof num[i], "%.1f", d->ops->col_double(s, i));
          vals[i] = num[i];
        } else if (!strcmp(names[i], "goldstein_mean")) {
          snprintf(num[i], sizeof num[i], "%.3f", d->ops->col_double(s, i));
          vals[i] = num[i];
        }
      }
      if (!strcmp(by, "week")) {
        du_ymd_format(du_days_to_ymd((int32_t)d->ops->col_int(s, 0)), wk);
        names[0] = "week";
        vals[0] = wk;
      }
      if (fn(n, names, vals, ud)) break;
    }
    if (r < 0) rc = DYAD_EDB;
    d->ops->finalize(s);
  }
  du_buf_free(&p.sql);
  du_buf_free(&wp.sql);
  return rc;
}

/* ---- events and mentions as dyad_event ---- */

static const char *col(db *d, db_stmt *s, int i) {
  const char *v = d->ops->col_text(s, i);
  return v ? v : "";
}

static int modality_of(const char *m) {
  static const char *const names[] = {"asserted", "reported", "hypothetical", "intended", "negated"};
  for (int i = 0; i < 5; i++) {
    if (!strcmp(m, names[i])) return i;
  }
  return 0;
}

static int precision_of(const char *p) {
  static const char *const names[] = {"story", "day", "week", "month", "year"};
  for (int i = 0; i < 5; i++) {
    if (!strcmp(p, names[i])) return i;
  }
  return 0;
}

/* Columns of a mention joined with its story; see MENTION_COLS. */
#define MENTION_COLS                                                                      \
  "m.id, m.story_id, m.sentence, m.sent_start, m.sent_end, m.ev_start, m.ev_end, "        \
  "m.verb_start, m.verb_end, m.src_start, m.src_end, m.tgt_start, m.tgt_end, m.date, "     \
  "m.date_precision, m.date_text, m.story_date, m.source, m.source_country, "              \
  "m.source_sector, m.target, m.target_country, m.target_sector, m.code, m.root, m.quad, "  \
  "m.goldstein, m.plover, m.plover_mode, m.plover_context, m.modality, m.negated, "        \
  "m.place_text, m.place_name, m.place_country, m.place_admin1, m.lat, m.lon, m.pattern, " \
  "s.text, s.date, s.source, s.url"

static void fill_event(db *d, db_stmt *s, dyad_event *ev, dyad_story *story) {
  memset(ev, 0, sizeof *ev);
  int k = 0;
  snprintf(ev->event_id, sizeof ev->event_id, "%s", col(d, s, k++));
  ev->story_id = col(d, s, k++);
  ev->sentence = (uint32_t)d->ops->col_int(s, k++);
  ev->sent_start = (uint32_t)d->ops->col_int(s, k++);
  ev->sent_end = (uint32_t)d->ops->col_int(s, k++);
  ev->ev_start = (uint32_t)d->ops->col_int(s, k++);
  ev->ev_end = (uint32_t)d->ops->col_int(s, k++);
  ev->verb_start = (uint32_t)d->ops->col_int(s, k++);
  ev->verb_end = (uint32_t)d->ops->col_int(s, k++);
  ev->source.start = (uint32_t)d->ops->col_int(s, k++);
  ev->source.end = (uint32_t)d->ops->col_int(s, k++);
  ev->target.start = (uint32_t)d->ops->col_int(s, k++);
  ev->target.end = (uint32_t)d->ops->col_int(s, k++);
  snprintf(ev->date, sizeof ev->date, "%s", col(d, s, k++));
  ev->date_precision = precision_of(col(d, s, k++));
  ev->date_text = col(d, s, k++);
  snprintf(ev->story_date, sizeof ev->story_date, "%s", col(d, s, k++));
  ev->source.code = col(d, s, k++);
  ev->source.country = col(d, s, k++);
  ev->source.sector = col(d, s, k++);
  ev->target.code = col(d, s, k++);
  ev->target.country = col(d, s, k++);
  ev->target.sector = col(d, s, k++);
  snprintf(ev->code, sizeof ev->code, "%s", col(d, s, k++));
  snprintf(ev->root, sizeof ev->root, "%s", col(d, s, k++));
  ev->quad_class = (int)d->ops->col_int(s, k++);
  ev->goldstein = d->ops->col_double(s, k++);
  ev->plover = col(d, s, k++);
  ev->plover_mode = col(d, s, k++);
  ev->plover_context = col(d, s, k++);
  ev->modality = modality_of(col(d, s, k++));
  ev->negated = (int)d->ops->col_int(s, k++);
  ev->place.text = col(d, s, k++);
  ev->place.name = col(d, s, k++);
  ev->place.country = col(d, s, k++);
  ev->place.admin1 = col(d, s, k++);
  ev->place.has_coords = d->ops->col_text(s, k) != NULL;
  ev->place.lat = d->ops->col_double(s, k++);
  ev->place.lon = d->ops->col_double(s, k++);
  ev->pattern = col(d, s, k++);
  memset(story, 0, sizeof *story);
  story->text = col(d, s, k++);
  story->text_len = strlen(story->text);
  story->id = ev->story_id;
  story->date = col(d, s, k++);
  story->source = col(d, s, k++);
  story->url = col(d, s, k++);
}

int dyad_store_events(dyad_store *st, const dyad_query *q, dyad_event_fn fn, void *ud,
                      dyad_error *err) {
  db *d = ds_db(st);
  qparams wp;
  memset(&wp, 0, sizeof wp);
  du_buf_init(&wp.sql, 1 << 16);
  int rc = build_where(q, &wp, 0, err);
  if (rc) {
    du_buf_free(&wp.sql);
    return rc;
  }
  du_buf sql;
  du_buf_init(&sql, 1 << 16);
  /* The event row gives the grouped date, place and counts; its first
   * mention (same id) gives the text spans. */
  du_buf_printf(&sql, "SELECT " MENTION_COLS ", e.date, e.code, e.modality, e.place_name, "
                      "e.place_country, e.lat, e.lon, e.n_mentions, e.n_stories, e.n_sources, "
                      "e.conflict FROM events e JOIN mentions m ON m.id = e.id "
                      "JOIN stories s ON s.id = m.story_id");
  du_buf_append(&sql, wp.sql.data, wp.sql.len);
  long limit = q->limit > 0 ? q->limit : 1000000;
  du_buf_printf(&sql, " ORDER BY e.day, e.id LIMIT %ld OFFSET %ld", limit,
                q->offset > 0 ? q->offset : 0);
  db_stmt *s;
  rc = db_prepare(d, sql.data, &s, err);
  if (!rc) {
    bind_all(d, s, &wp, 1);
    int r;
    while ((r = d->ops->step(s, err)) == 1) {
      dyad_event ev;
      dyad_story story;
      fill_event(d, s, &ev, &story);
      int k = 43;
      snprintf(ev.date, sizeof ev.date, "%s", col(d, s, k++));
      snprintf(ev.code, sizeof ev.code, "%s", col(d, s, k++));
      ev.modality = modality_of(col(d, s, k++));
      const char *pn = col(d, s, k++);
      if (pn[0]) {
        ev.place.name = pn;
        ev.place.country = col(d, s, k++);
        ev.place.has_coords = d->ops->col_text(s, k) != NULL;
        ev.place.lat = d->ops->col_double(s, k++);
        ev.place.lon = d->ops->col_double(s, k++);
      } else {
        k += 3;
      }
      ev.n_mentions = (uint32_t)d->ops->col_int(s, k++);
      ev.n_stories = (uint32_t)d->ops->col_int(s, k++);
      ev.n_sources = (uint32_t)d->ops->col_int(s, k++);
      ev.conflict = (int)d->ops->col_int(s, k++);
      if (fn(&ev, story.text, story.text_len, &story, ud)) break;
    }
    if (r < 0) rc = DYAD_EDB;
    d->ops->finalize(s);
  }
  du_buf_free(&sql);
  du_buf_free(&wp.sql);
  return rc;
}

int dyad_store_mentions(dyad_store *st, const char *event_id, dyad_event_fn fn, void *ud,
                        dyad_error *err) {
  db *d = ds_db(st);
  db_stmt *s;
  int rc = db_prepare(d, "SELECT " MENTION_COLS " FROM mentions m JOIN stories s ON "
                         "s.id = m.story_id WHERE m.event_id = ? ORDER BY m.story_date, m.id",
                      &s, err);
  if (rc) return rc;
  d->ops->bind_text(s, 1, event_id, strlen(event_id));
  int r;
  while ((r = d->ops->step(s, err)) == 1) {
    dyad_event ev;
    dyad_story story;
    fill_event(d, s, &ev, &story);
    ev.n_mentions = ev.n_stories = ev.n_sources = 1;
    if (fn(&ev, story.text, story.text_len, &story, ud)) break;
  }
  if (r < 0) rc = DYAD_EDB;
  d->ops->finalize(s);
  return rc;
}

/* ---- GraphML ---- */

static void xml_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '"': fputs("&quot;", f); break;
      default: fputc(*s, f);
    }
  }
}

int dyad_store_graphml(dyad_store *st, const dyad_query *q, FILE *f, dyad_error *err) {
  db *d = ds_db(st);
  qparams wp;
  memset(&wp, 0, sizeof wp);
  du_buf_init(&wp.sql, 1 << 16);
  int rc = build_where(q, &wp, 0, err);
  if (rc) {
    du_buf_free(&wp.sql);
    return rc;
  }
  du_buf sql;
  du_buf_init(&sql, 1 << 16);
  du_buf_printf(&sql, "SELECT e.source, e.target, count(*), avg(e.goldstein), "
                      "sum(CASE WHEN e.quad <= 2 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN e.quad >= 3 THEN 1 ELSE 0 END) FROM events e");
  du_buf_append(&sql, wp.sql.data, wp.sql.len);
  du_buf_printf(&sql, " GROUP BY e.source, e.target ORDER BY e.source, e.target");
  db_stmt *s;
  rc = db_prepare(d, sql.data, &s, err);
  if (!rc) {
    bind_all(d, s, &wp, 1);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
          "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"int\"/>\n"
          "  <key id=\"goldstein\" for=\"edge\" attr.name=\"goldstein\" attr.type=\"double\"/>\n"
          "  <key id=\"cooperation\" for=\"edge\" attr.name=\"cooperation\" attr.type=\"int\"/>\n"
          "  <key id=\"conflict\" for=\"edge\" attr.name=\"conflict\" attr.type=\"int\"/>\n"
          "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
          "  <graph id=\"dyad\" edgedefault=\"directed\">\n",
          f);
    /* Nodes first (GraphML allows either order; tools prefer this). */
    du_vec edges;
    du_vec_init(&edges, sizeof(char *));
    int r;
    du_intern nodes;
    du_intern_init(&nodes);
    while ((r = d->ops->step(s, err)) == 1) {
      char buf[512];
      snprintf(buf, sizeof buf, "%s\t%s\t%lld\t%.3f\t%lld\t%lld", col(d, s, 0), col(d, s, 1),
               (long long)d->ops->col_int(s, 2), d->ops->col_double(s, 3),
               (long long)d->ops->col_int(s, 4), (long long)d->ops->col_int(s, 5));
      char **p = du_vec_push(&edges);
      if (p) *p = du_strdup(buf);
      du_intern_add(&nodes, col(d, s, 0), strlen(col(d, s, 0)));
      du_intern_add(&nodes, col(d, s, 1), strlen(col(d, s, 1)));
    }
    if (r < 0) rc = DYAD_EDB;
    for (size_t i = 0; i < du_intern_count(&nodes); i++) {
      fputs("    <node id=\"", f);
      xml_escape(f, du_intern_str(&nodes, (uint32_t)i));
      fputs("\"><data key=\"label\">", f);
      xml_escape(f, du_intern_str(&nodes, (uint32_t)i));
      fputs("</data></node>\n", f);
    }
    for (size_t i = 0; i < edges.len; i++) {
      char *e = DU_VEC_AT(&edges, char *, i);
      char *fld[6];
      fld[0] = e;
      for (int k = 1; k < 6; k++) {
        fld[k] = strchr(fld[k - 1], '\t');
        *fld[k]++ = '\0';
      }
      fprintf(f, "    <edge id=\"e%zu\" source=\"", i);
      xml_escape(f, fld[0]);
      fputs("\" target=\"", f);
      xml_escape(f, fld[1]);
      fprintf(f, "\"><data key=\"weight\">%s</data><data key=\"goldstein\">%s</data>"
                 "<data key=\"cooperation\">%s</data><data key=\"conflict\">%s</data></edge>\n",
              fld[2], fld[3], fld[4], fld[5]);
      du_free(e);
    }
    fputs("  </graph>\n</graphml>\n", f);
    du_vec_free(&edges);
    du_intern_free(&nodes);
    d->ops->finalize(s);
  }
  du_buf_free(&sql);
  du_buf_free(&wp.sql);
  return rc;
}

/* ---- readers: the dashboard's questions ---- */

int dyad_store_read_only(dyad_store *st, long timeout_ms, dyad_error *err) {
  db *d = ds_db(st);
  if (timeout_ms < 0) return du_err(err, DYAD_EINVAL, "a statement timeout cannot be negative");
  if (!strcmp(d->ops->name, "sqlite")) {
    /* SQLite has no statement timeout reachable through SQL: its readers
     * rely on indexed, LIMITed queries (see docs/serve.md). A reader
     * scans the events table again and again: a larger page cache and
     * memory-mapped reads (shared by all connections through the OS)
     * save most of the read calls. */
    return db_exec(d, "PRAGMA query_only = 1; PRAGMA cache_size = -32768; "
                      "PRAGMA mmap_size = 268435456", err);
  }
  int rc = db_exec(d, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", err);
  if (!rc) {
    char sql[64];
    /* A number we format ourselves, not caller text. */
    snprintf(sql, sizeof sql, "SET statement_timeout = %ld", timeout_ms);
    rc = db_exec(d, sql, err);
  }
  return rc;
}

int dyad_store_actors(dyad_store *st, const dyad_query *q, dyad_row_fn fn, void *ud,
                      dyad_error *err) {
  db *d = ds_db(st);
  qparams wp;
  memset(&wp, 0, sizeof wp);
  du_buf_init(&wp.sql, 1 << 16);
  int rc = build_where(q, &wp, 0, err);
  if (rc) {
    du_buf_free(&wp.sql);
    return rc;
  }
  du_buf sql;
  du_buf_init(&sql, 1 << 17);
  /* Each event counts once for its source and once for its target; the
   * same WHERE clause (and parameters) serves both halves. */
  du_buf_printf(&sql, "SELECT x.actor AS actor, count(*) AS events, avg(x.goldstein) AS "
                      "goldstein_mean FROM (SELECT e.source AS actor, e.goldstein AS goldstein "
                      "FROM events e");
  du_buf_append(&sql, wp.sql.data, wp.sql.len);
  du_buf_printf(&sql, " UNION ALL SELECT e.target AS actor, e.goldstein AS goldstein FROM events e");
  du_buf_append(&sql, wp.sql.data, wp.sql.len);
  long limit = q->limit > 0 ? q->limit : 100000;
  du_buf_printf(&sql, ") x GROUP BY x.actor ORDER BY 2 DESC, 1 LIMIT %ld OFFSET %ld", limit,
                q->offset > 0 ? q->offset : 0);
  db_stmt *s;
  rc = db_prepare(d, sql.data, &s, err);
  if (!rc) {
    bind_all(d, s, &wp, 1);
    bind_all(d, s, &wp, 1 + wp.n);
    int r;
    while ((r = d->ops->step(s, err)) == 1) {
      const char *names[3] = {"actor", "events", "goldstein_mean"};
      char mean[32];
      snprintf(mean, sizeof mean, "%.3f", d->ops->col_double(s, 2));
      const char *vals[3] = {col(d, s, 0), col(d, s, 1), mean};
      if (fn(3, names, vals, ud)) break;
    }
    if (r < 0) rc = DYAD_EDB;
    d->ops->finalize(s);
  }
  du_buf_free(&sql);
  du_buf_free(&wp.sql);
  return rc;
}

int dyad_store_event_info(dyad_store *st, const char *event_id, dyad_row_fn fn, void *ud,
                          dyad_error *err) {
  if (!event_id || !*event_id) return du_err(err, DYAD_EINVAL, "no event id given");
  db *d = ds_db(st);
  db_stmt *s;
  int rc = db_prepare(d, "SELECT id, date, source, target, code, root, quad, goldstein, plover, "
                         "modality, negated, place_name, place_country, lat, lon, n_mentions, "
                         "n_stories, n_sources, first_seen, conflict, conflict_note "
                         "FROM events WHERE id = ?",
                      &s, err);
  if (rc) return rc;
  d->ops->bind_text(s, 1, event_id, strlen(event_id));
  int r = d->ops->step(s, err);
  if (r == 1) {
    int n = d->ops->ncol(s);
    const char *names[24], *vals[24];
    char num[3][32];
    if (n > 24) n = 24;
    for (int i = 0; i < n; i++) {
      names[i] = d->ops->col_name(s, i);
      vals[i] = col(d, s, i);
      /* Doubles printed by us: the same digits from every backend. */
      int k = !strcmp(names[i], "goldstein") ? 0 : !strcmp(names[i], "lat") ? 1
              : !strcmp(names[i], "lon") ? 2 : -1;
      if (k >= 0 && d->ops->col_text(s, i)) {
        snprintf(num[k], sizeof num[k], k ? "%.4f" : "%.1f", d->ops->col_double(s, i));
        vals[i] = num[k];
      }
    }
    fn(n, names, vals, ud);
    rc = DYAD_OK;
  } else if (r == 0) {
    rc = du_err(err, DYAD_ENOTFOUND, "no event with id '%s'", event_id);
  } else {
    rc = DYAD_EDB;
  }
  d->ops->finalize(s);
  return rc;
}
