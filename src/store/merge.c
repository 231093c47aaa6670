/*
 * merge.c - copy the stories and mentions of one store into another.
 *
 * This is how sharded runs come together: each shard ingests into a store
 * of its own (usually a SQLite file), and the shards are merged into the
 * target, which may be SQLite or PostgreSQL. A story is copied with the
 * rules of dyad_store_put: a story already there with the same hash is
 * left alone, a new one is inserted, and a changed one replaces the old
 * one and its mentions. The dyads touched are marked dirty; the caller
 * runs dyad_store_dedup once after the last source, which regroups them
 * exactly as a single ingest of the same stories would.
 *
 * Mention ids are the coder's stable ids (a hash of the story id, the
 * sentence and the event's place in it), so they are the same whichever
 * shard coded the story. Events and the event ids of mentions are not
 * copied: deduplication rebuilds them in the target (a copied mention
 * starts as its own event, as a new one does in dyad_store_put).
 *
 * How: the source is read in pages of stories ordered by id (and the
 * mentions of the page's id range). A page is loaded into two temporary
 * staging tables of the target, then a fixed set of set-based statements,
 * the same on both backends, applies it; one transaction per page, so
 * memory stays bounded and a merge that is stopped can be run again.
 * Staging: a SQLite target attaches a SQLite source, stages a page's
 * stories with one INSERT ... SELECT and reads their mentions straight
 * from the source (by story id); a PostgreSQL target gets each page as one JSON
 * array (json_populate_recordset), one round trip instead of one per row;
 * a PostgreSQL source into SQLite is staged row by row, which is cheap into
 * SQLite's in-memory temporary tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"

#define MERGE_PAGE 1000

/* Column types of the copied tables. */
enum { COL_TEXT, COL_INT, COL_DOUBLE };

typedef struct col {
  const char *name;
  int type;
} col;

static const col story_cols[] = {
    {"id", COL_TEXT},        {"date", COL_TEXT}, {"source", COL_TEXT},
    {"url", COL_TEXT},       {"text_hash", COL_TEXT}, {"text", COL_TEXT},
    {"n_mentions", COL_INT},
};
#define N_STORY (DU_ARRAY_LEN(story_cols))

/* Every column of mentions; the last, event_id, is not copied. */
static const col mention_cols[] = {
    {"id", COL_TEXT},           {"story_id", COL_TEXT},      {"sentence", COL_INT},
    {"sent_start", COL_INT},    {"sent_end", COL_INT},       {"ev_start", COL_INT},
    {"ev_end", COL_INT},        {"verb_start", COL_INT},     {"verb_end", COL_INT},
    {"src_start", COL_INT},     {"src_end", COL_INT},        {"tgt_start", COL_INT},
    {"tgt_end", COL_INT},       {"date", COL_TEXT},          {"day", COL_INT},
    {"date_precision", COL_TEXT}, {"date_text", COL_TEXT},   {"story_date", COL_TEXT},
    {"source", COL_TEXT},       {"source_country", COL_TEXT}, {"source_sector", COL_TEXT},
    {"target", COL_TEXT},       {"target_country", COL_TEXT}, {"target_sector", COL_TEXT},
    {"code", COL_TEXT},         {"root", COL_TEXT},          {"quad", COL_INT},
    {"goldstein", COL_DOUBLE},  {"plover", COL_TEXT},        {"plover_mode", COL_TEXT},
    {"plover_context", COL_TEXT}, {"modality", COL_TEXT},    {"negated", COL_INT},
    {"place_text", COL_TEXT},   {"place_name", COL_TEXT},    {"place_country", COL_TEXT},
    {"place_admin1", COL_TEXT}, {"lat", COL_DOUBLE},         {"lon", COL_DOUBLE},
    {"pattern", COL_TEXT},      {"event_id", COL_TEXT},
};
#define N_MENTION_ALL (DU_ARRAY_LEN(mention_cols))
#define N_MENTION (N_MENTION_ALL - 1)

/* Both stores must have exactly the columns this code copies: a store
 * written by another version fails here with a clear message rather
 * than losing a column on the way. */
static int check_columns(db *d, const char *what, const char *table, const col *cols,
                         size_t n, dyad_error *err) {
  const db_ops *o = d->ops;
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE 1 = 0", table);
  db_stmt *s;
  if (db_prepare(d, sql, &s, err)) {
    return du_err(err, DYAD_EDATA, "%s is not a dyad store (no table %s)", what, table);
  }
  if (o->step(s, err) < 0) {
    o->finalize(s);
    return du_err(err, DYAD_EDATA, "%s is not a dyad store (no table %s)", what, table);
  }
  int nc = o->ncol(s);
  int rc = DYAD_OK;
  for (int i = 0; i < nc && !rc; i++) {
    const char *name = o->col_name(s, i);
    if ((size_t)i >= n || strcmp(name, cols[i].name)) {
      rc = du_err(err, DYAD_EDATA,
                  "%s: table %s has column '%s' where this version of dyad expects '%s'; "
                  "merge with the version that wrote it",
                  what, table, name, (size_t)i < n ? cols[i].name : "(none)");
    }
  }
  if (!rc && (size_t)nc != n) {
    rc = du_err(err, DYAD_EDATA, "%s: table %s lacks column '%s'", what, table,
                cols[nc].name);
  }
  o->finalize(s);
  return rc;
}

/* ---- SQL text, built from the column tables so SQL and binding agree ---- */

typedef struct sqlbuf {
  char s[2048];
  size_t n;
} sqlbuf;

static void sq(sqlbuf *b, const char *fmt, ...) DU_PRINTF(2, 3);
static void sq(sqlbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
  va_end(ap);
  if (w > 0) b->n = DU_MIN(b->n + (size_t)w, sizeof b->s - 1);
}

/* "a, b, c" with PREFIX before each name. */
static void sq_cols(sqlbuf *b, const col *c, size_t n, const char *prefix) {
  for (size_t i = 0; i < n; i++) sq(b, "%s%s%s", i ? ", " : "", prefix, c[i].name);
}

static const char *sql_type(int t) {
  return t == COL_INT ? "INTEGER" : t == COL_DOUBLE ? "DOUBLE PRECISION" : "TEXT";
}

/* ---- the merge ---- */

/* The set-based steps that apply one staged page (merge_s, merge_m) to
 * the store, in order. state: 1 new story, 2 changed, 0 unchanged. */
enum { AP_STATE, AP_OLD_DIRTY, AP_DEL_EVENTS, AP_DEL_MENTIONS, AP_UPD_STORIES,
       AP_INS_STORIES, AP_INS_MENTIONS, AP_NEW_DIRTY, AP_COUNT };

typedef struct merge_ctx {
  db *src, *dst;
  int json;                      /* load pages as JSON (PostgreSQL target) */
  int attach;                    /* SQLite into SQLite: the target attaches the source */
  /* Reading a page: SELECTs on the source, or with attach, INSERT ...
   * SELECTs into the staging tables run by the target. */
  db *pdb;
  db_stmt *page_first, *page_next, *ments_first, *ments_next, *page_last;
  db_stmt *load_s, *load_m, *apply[AP_COUNT], *counts, *clear_s, *clear_m;  /* target */
} merge_ctx;

static void ctx_free(merge_ctx *m) {
  db_stmt *src[] = {m->page_first, m->page_next, m->ments_first, m->ments_next, m->page_last};
  for (size_t i = 0; i < DU_ARRAY_LEN(src); i++) {
    if (src[i]) m->pdb->ops->finalize(src[i]);
  }
  db_stmt *dst[] = {m->load_s, m->load_m, m->counts, m->clear_s, m->clear_m};
  for (size_t i = 0; i < DU_ARRAY_LEN(dst); i++) {
    if (dst[i]) m->dst->ops->finalize(dst[i]);
  }
  for (size_t i = 0; i < AP_COUNT; i++) {
    if (m->apply[i]) m->dst->ops->finalize(m->apply[i]);
  }
}

static int ctx_prepare(merge_ctx *m, dyad_error *err) {
  int rc;
  /* Target: the staging tables. */
  /* Target: the staging tables. */
  sqlbuf b = {{0}, 0};
  sq(&b, "CREATE TEMP TABLE IF NOT EXISTS merge_s (");
  for (size_t i = 0; i < N_STORY; i++) {
    sq(&b, "%s %s%s, ", story_cols[i].name, sql_type(story_cols[i].type),
       i == 0 ? " PRIMARY KEY" : "");
  }
  sq(&b, "state INTEGER)");
  if ((rc = db_exec(m->dst, b.s, err))) return rc;
  b.n = 0;
  sq(&b, "CREATE TEMP TABLE IF NOT EXISTS merge_m (");
  for (size_t i = 0; i < N_MENTION; i++) {
    sq(&b, "%s%s %s", i ? ", " : "", mention_cols[i].name, sql_type(mention_cols[i].type));
  }
  sq(&b, ")");
  if ((rc = db_exec(m->dst, b.s, err))) return rc;
  if ((rc = db_exec(m->dst, "DELETE FROM merge_s", err)) ||
      (rc = db_exec(m->dst, "DELETE FROM merge_m", err))) {
    return rc;
  }

  /* Source: pages of stories by id; the mentions of a page's id range. */
  const char *from = m->attach ? "merge_src." : "";
  /* (With attach, the mentions are not staged.) */
  for (int k = 0; k < (m->attach ? 2 : 4); k++) {
    const col *c = k < 2 ? story_cols : mention_cols;
    size_t nc = k < 2 ? N_STORY : N_MENTION;
    sqlbuf b2 = {{0}, 0};
    if (m->attach) {
      sq(&b2, "INSERT INTO %s (", k < 2 ? "merge_s" : "merge_m");
      sq_cols(&b2, c, nc, "");
      sq(&b2, ") ");
    }
    sq(&b2, "SELECT ");
    sq_cols(&b2, c, nc, "");
    if (k == 0) sq(&b2, " FROM %sstories ORDER BY id LIMIT %d", from, MERGE_PAGE);
    if (k == 1) sq(&b2, " FROM %sstories WHERE id > ? ORDER BY id LIMIT %d", from, MERGE_PAGE);
    if (k == 2) sq(&b2, " FROM %smentions WHERE story_id <= ? ORDER BY story_id, id", from);
    if (k == 3) {
      sq(&b2, " FROM %smentions WHERE story_id > ? AND story_id <= ? ORDER BY story_id, id",
         from);
    }
    db_stmt **out[] = {&m->page_first, &m->page_next, &m->ments_first, &m->ments_next};
    if ((rc = db_prepare(m->pdb, b2.s, out[k], err))) return rc;
  }
  if (m->attach &&
      (rc = db_prepare(m->dst, "SELECT count(*), max(id) FROM merge_s", &m->page_last, err))) {
    return rc;
  }

  /* Loading a page. */
  for (int t = 0; t < 2 && !m->attach; t++) {
    const col *c = t ? mention_cols : story_cols;
    size_t n = t ? N_MENTION : N_STORY;
    const char *tab = t ? "merge_m" : "merge_s";
    b.n = 0;
    sq(&b, "INSERT INTO %s (", tab);
    sq_cols(&b, c, n, "");
    if (m->json) {
      sq(&b, ") SELECT ");
      sq_cols(&b, c, n, "");
      sq(&b, " FROM json_populate_recordset(NULL::%s, ?::json)", tab);
    } else {
      sq(&b, ") VALUES (");
      for (size_t i = 0; i < n; i++) sq(&b, "%s?", i ? ", " : "");
      sq(&b, ")");
    }
    if ((rc = db_prepare(m->dst, b.s, t ? &m->load_m : &m->load_s, err))) return rc;
  }

  /* Applying it. */
  char upd_cols[256], upd_vals[256], scols[256], mcols[1024], mcols_m[1280];
  sqlbuf x = {{0}, 0};
  sq_cols(&x, story_cols + 1, N_STORY - 1, "");
  snprintf(upd_cols, sizeof upd_cols, "%s", x.s);
  x.n = 0;
  sq_cols(&x, story_cols + 1, N_STORY - 1, "s.");
  snprintf(upd_vals, sizeof upd_vals, "%s", x.s);
  x.n = 0;
  sq_cols(&x, story_cols, N_STORY, "");
  snprintf(scols, sizeof scols, "%s", x.s);
  x.n = 0;
  sq_cols(&x, mention_cols, N_MENTION, "");
  snprintf(mcols, sizeof mcols, "%s", x.s);
  x.n = 0;
  sq_cols(&x, mention_cols, N_MENTION, "m.");
  snprintf(mcols_m, sizeof mcols_m, "%s", x.s);
  /* The page's mentions of new and changed stories: staged, or with
   * attach read from the source by story id (staged stories drive). */
  const char *page_m = m->attach ? "merge_s s CROSS JOIN merge_src.mentions m ON "
                                   "m.story_id = s.id WHERE s.state > 0"
                                 : "merge_m m JOIN merge_s s ON s.id = m.story_id "
                                   "WHERE s.state > 0";
  char sql[AP_COUNT][2048];
  /* A scalar subquery per staged story: an index lookup on both
   * backends, whatever the planner knows of the tables' sizes. */
  snprintf(sql[AP_STATE], sizeof sql[0],
           "UPDATE merge_s SET state = COALESCE((SELECT CASE WHEN t.text_hash = "
           "merge_s.text_hash THEN 0 ELSE 2 END FROM stories t WHERE t.id = merge_s.id), 1)");
  /* A changed story, as in dyad_store_put: its old mentions' dyads are
   * regrouped, their events go, then the mentions. Every statement is
   * driven by the staged page (IN over its ids, using the target's
   * indexes), never by a scan of the target's tables. */
  snprintf(sql[AP_OLD_DIRTY], sizeof sql[0],
           "INSERT INTO dirty (source, target, root, negated) SELECT DISTINCT source, "
           "target, root, negated FROM mentions WHERE story_id IN (SELECT id FROM merge_s "
           "WHERE state = 2) ON CONFLICT (source, target, root, negated) DO NOTHING");
  snprintf(sql[AP_DEL_EVENTS], sizeof sql[0],
           "DELETE FROM events WHERE id IN (SELECT event_id FROM mentions WHERE story_id IN "
           "(SELECT id FROM merge_s WHERE state = 2) AND event_id IS NOT NULL)");
  snprintf(sql[AP_DEL_MENTIONS], sizeof sql[0],
           "DELETE FROM mentions WHERE story_id IN (SELECT id FROM merge_s WHERE state = 2)");
  snprintf(sql[AP_UPD_STORIES], sizeof sql[0],
           "UPDATE stories SET (%s) = (SELECT %s FROM merge_s s WHERE s.id = stories.id) "
           "WHERE id IN (SELECT id FROM merge_s WHERE state = 2)", upd_cols, upd_vals);
  snprintf(sql[AP_INS_STORIES], sizeof sql[0],
           "INSERT INTO stories (%s) SELECT %s FROM merge_s WHERE state = 1", scols, scols);
  /* As in dyad_store_put, a mention is its own event until grouped. */
  snprintf(sql[AP_INS_MENTIONS], sizeof sql[0],
           "INSERT INTO mentions (%s, event_id) SELECT %s, m.id FROM %s", mcols, mcols_m,
           page_m);
  snprintf(sql[AP_NEW_DIRTY], sizeof sql[0],
           "INSERT INTO dirty (source, target, root, negated) SELECT DISTINCT m.source, "
           "m.target, m.root, m.negated FROM %s ON CONFLICT (source, target, root, negated) "
           "DO NOTHING", page_m);
  for (int i = 0; i < AP_COUNT; i++) {
    if ((rc = db_prepare(m->dst, sql[i], &m->apply[i], err))) return rc;
  }
  char counts[512];
  snprintf(counts, sizeof counts,
           "SELECT (SELECT count(*) FROM merge_s), "
           "(SELECT count(*) FROM merge_s WHERE state = 1), "
           "(SELECT count(*) FROM merge_s WHERE state = 2), "
           "(SELECT count(*) FROM %s)", page_m);
  if ((rc = db_prepare(m->dst, counts, &m->counts, err)) ||
      /* PostgreSQL keeps deleted rows of temporary tables until a vacuum
       * that never comes: truncate them instead (SQLite's DELETE without
       * WHERE truncates). */
      (rc = db_prepare(m->dst, m->json ? "TRUNCATE merge_s" : "DELETE FROM merge_s",
                       &m->clear_s, err)) ||
      (rc = db_prepare(m->dst, m->json ? "TRUNCATE merge_m" : "DELETE FROM merge_m",
                       &m->clear_m, err))) {
    return rc;
  }
  return DYAD_OK;
}

/* Run a statement with no result once. */
static int run(db *d, db_stmt *s, dyad_error *err) {
  int r = d->ops->step(s, err);
  d->ops->reset(s);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

/* One JSON object of the current row of S (columns C) into F. */
static void json_row(FILE *f, const db_ops *o, db_stmt *s, const col *c, size_t n) {
  fputc('{', f);
  for (size_t i = 0; i < n; i++) {
    const char *v = o->col_text(s, (int)i);
    fprintf(f, "%s\"%s\":", i ? "," : "", c[i].name);
    if (!v) {
      fputs("null", f);
    } else if (c[i].type == COL_INT) {
      fprintf(f, "%lld", (long long)o->col_int(s, (int)i));
    } else if (c[i].type == COL_DOUBLE) {
      double d = o->col_double(s, (int)i);
      if (isfinite(d)) fprintf(f, "%.17g", d);
      else fputs("null", f);
    } else {
      fputc('"', f);
      dyad_json_escape(f, v, strlen(v));
      fputc('"', f);
    }
  }
  fputc('}', f);
}

/*
 * Load every row of the source statement S (columns C) into the staging
 * table through L. *LAST (may be NULL) receives a copy of the first
 * column of the last row. Returns the number of rows, or -1 (ERR set).
 */
static long load_rows(merge_ctx *m, db_stmt *s, const col *c, size_t n, db_stmt *l,
                      char **last, dyad_error *err) {
  const db_ops *so = m->src->ops, *to = m->dst->ops;
  char *json = NULL;
  size_t jlen = 0;
  FILE *jf = NULL;
  if (m->json) {
    jf = open_memstream(&json, &jlen);
    if (!jf) {
      du_err(err, DYAD_ENOMEM, "out of memory");
      return -1;
    }
    fputc('[', jf);
  }
  long rows = 0;
  int r, bad = 0;
  while (!bad && (r = so->step(s, err)) == 1) {
    if (m->json) {
      if (rows) fputc(',', jf);
      json_row(jf, so, s, c, n);
    } else {
      for (size_t i = 0; i < n; i++) {
        const char *v = so->col_text(s, (int)i);
        int k = (int)i + 1;
        if (!v) to->bind_null(l, k);
        else if (c[i].type == COL_INT) to->bind_int(l, k, so->col_int(s, (int)i));
        else if (c[i].type == COL_DOUBLE) to->bind_double(l, k, so->col_double(s, (int)i));
        else to->bind_text(l, k, v, strlen(v));
      }
      if (run(m->dst, l, err)) bad = 1;
    }
    if (last && !bad) {
      const char *v = so->col_text(s, 0);
      du_free(*last);
      *last = du_strdup(v ? v : "");
      if (!*last) bad = du_err(err, DYAD_ENOMEM, "out of memory");
    }
    rows++;
  }
  so->reset(s);
  if (!bad && r < 0) bad = 1;
  if (m->json) {
    fputc(']', jf);
    if (fclose(jf) != 0 && !bad) bad = du_err(err, DYAD_ENOMEM, "out of memory");
    if (!bad && rows) {
      to->bind_text(l, 1, json, jlen);
      if (run(m->dst, l, err)) bad = 1;
    }
    free(json);
  }
  return bad ? -1 : rows;
}

static int open_source(const char *source, db **out, dyad_error *err) {
  if (!strncmp(source, "postgresql://", 13) || !strncmp(source, "postgres://", 11)) {
    return db_open_postgres(source, out, err);
  }
  /* Opening a missing file would create an empty one and merge nothing:
   * a mistyped shard name must be an error. */
  if (access(source, R_OK) != 0) {
    return du_err(err, DYAD_ENOTFOUND, "cannot read %s", source);
  }
  return db_open_sqlite(source, out, err);
}

/* Stage and apply one page; *DONE when the source has no more stories. */
static int merge_page(merge_ctx *m, dyad_store *st, char **last, int *done,
                      dyad_merge_stats *ms, dyad_error *err) {
  const db_ops *to = m->dst->ops;
  int first = (*last)[0] == '\0';
  char *prev = du_strdup(*last);
  if (!prev) return du_err(err, DYAD_ENOMEM, "out of memory");
  const db_ops *po = m->pdb->ops;
  db_stmt *p = first ? m->page_first : m->page_next;
  if (!first) po->bind_text(p, 1, prev, strlen(prev));
  int rc = dyad_store_begin(st, err);
  long n = 0;
  if (!rc && m->attach) {
    rc = run(m->dst, p, err);
    if (!rc && to->step(m->page_last, err) == 1) {
      n = (long)to->col_int(m->page_last, 0);
      const char *v = to->col_text(m->page_last, 1);
      if (v) {
        du_free(*last);
        *last = du_strdup(v);
        if (!*last) rc = du_err(err, DYAD_ENOMEM, "out of memory");
      }
    } else if (!rc) {
      rc = DYAD_EDB;
    }
    to->reset(m->page_last);
  } else if (!rc) {
    n = load_rows(m, p, story_cols, N_STORY, m->load_s, last, err);
    if (n < 0) rc = DYAD_EDB;
  }
  if (!rc && n > 0) {
    if (!m->attach) {
      db_stmt *q = first ? m->ments_first : m->ments_next;
      int k = 1;
      if (!first) po->bind_text(q, k++, prev, strlen(prev));
      po->bind_text(q, k, *last, strlen(*last));
      if (load_rows(m, q, mention_cols, N_MENTION, m->load_m, NULL, err) < 0) rc = DYAD_EDB;
    }
    if (!rc) rc = run(m->dst, m->apply[AP_STATE], err);
    long long total = 0, ins = 0, rep = 0, ments = 0;
    if (!rc) {
      if (to->step(m->counts, err) == 1) {
        total = to->col_int(m->counts, 0);
        ins = to->col_int(m->counts, 1);
        rep = to->col_int(m->counts, 2);
        ments = to->col_int(m->counts, 3);
      } else {
        rc = DYAD_EDB;
      }
      to->reset(m->counts);
    }
    /* Most pages of a merge are all new or all unchanged: run only the
     * steps that have something to do. */
    for (int i = AP_STATE + 1; i < AP_COUNT && !rc; i++) {
      int changed_step = i <= AP_UPD_STORIES;
      /* A merge into a store that held no mentions marks no dyad:
       * `meta` says that every one waits (ds_mark_all_dirty). */
      if (i == AP_NEW_DIRTY && ds_all_dirty(st)) continue;
      if (changed_step ? rep > 0 : ins + rep > 0) rc = run(m->dst, m->apply[i], err);
    }
    if (!rc) {
      ms->stories += total;
      ms->inserted += ins;
      ms->replaced += rep;
      ms->unchanged += total - ins - rep;
      ms->mentions += ments;
    }
  }
  if (!rc) rc = run(m->dst, m->clear_s, err);
  if (!rc) rc = run(m->dst, m->clear_m, err);
  du_free(prev);
  if (rc) {
    dyad_store_rollback(st, NULL);
    return rc;
  }
  *done = n < MERGE_PAGE;
  return dyad_store_commit(st, err);
}

/* Close the source, or detach it. */
static void merge_end(merge_ctx *m) {
  if (m->src) m->src->ops->close(m->src);
  if (m->attach) db_exec(m->dst, "DETACH DATABASE merge_src", NULL);
}

static int merge_source(dyad_store *st, const char *source, dyad_merge_stats *ms,
                        dyad_error *err) {
  merge_ctx m;
  memset(&m, 0, sizeof m);
  m.dst = ds_db(st);
  m.json = !strcmp(dyad_store_backend(st), "postgresql");
  if (m.dst->in_tx) return du_err(err, DYAD_EINVAL, "merge inside an open transaction");
  int rc = open_source(source, &m.src, err);
  if (rc) return rc;
  if ((rc = check_columns(m.src, source, "stories", story_cols, N_STORY, err)) ||
      (rc = check_columns(m.src, source, "mentions", mention_cols, N_MENTION_ALL, err)) ||
      (rc = check_columns(m.dst, "the target", "stories", story_cols, N_STORY, err)) ||
      (rc = check_columns(m.dst, "the target", "mentions", mention_cols, N_MENTION_ALL,
                          err))) {
    m.src->ops->close(m.src);
    return rc;
  }
  /* SQLite into SQLite: the target reads the source itself, and a page
   * is staged by two INSERT ... SELECTs instead of a row at a time. */
  m.attach = !m.json && strcmp(m.src->ops->name, "postgresql");
  m.pdb = m.src;
  if (m.attach) {
    m.src->ops->close(m.src);
    m.src = NULL;
    m.pdb = m.dst;
    db_stmt *a;
    if (!(rc = db_prepare(m.dst, "ATTACH DATABASE ? AS merge_src", &a, err))) {
      m.dst->ops->bind_text(a, 1, source, strlen(source));
      rc = run(m.dst, a, err);
      m.dst->ops->finalize(a);
    }
    if (rc) return rc;
  }
  if ((rc = ctx_prepare(&m, err))) {
    ctx_free(&m);
    merge_end(&m);
    return rc;
  }
  /* Into a store without mentions: every dyad waits, none is marked. */
  int all = 0;
  if (!ds_all_dirty(st)) rc = ds_mark_all_dirty(st, &all, err);
  char *last = rc ? NULL : du_strdup("");
  if (!rc && !last) rc = du_err(err, DYAD_ENOMEM, "out of memory");
  int done = 0;
  while (!rc && !done) rc = merge_page(&m, st, &last, &done, ms, err);
  du_free(last);
  ctx_free(&m);
  merge_end(&m);
  return rc;
}

void dyad_merge_stats_init(dyad_merge_stats *ms) { memset(ms, 0, sizeof *ms); }

int dyad_store_merge(dyad_store *st, const char *source, dyad_merge_stats *ms,
                     dyad_error *err) {
  if (!st || !source || !*source) return du_err(err, DYAD_EINVAL, "no source store given");
  dyad_merge_stats local;
  if (!ms) {
    dyad_merge_stats_init(&local);
    ms = &local;
  }
  int rc = merge_source(st, source, ms, err);
  /* Every message names the source. */
  if (rc && err && !strstr(err->message, source)) {
    char msg[DYAD_ERR_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", err->message);
    du_err(err, rc, "%s: %s", source, msg);
  }
  return rc;
}
