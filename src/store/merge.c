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
 * copied: deduplication rebuilds them in the target.
 *
 * Sources are read in pages of stories ordered by id, each page copied in
 * one transaction of the target, so memory stays bounded and a merge that
 * is stopped can simply be run again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"

#define MERGE_PAGE 500

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
#define N_MENTION_COPY (DU_ARRAY_LEN(mention_cols) - 1)

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

/* Bind column I of row S (source) as parameter K of T (target). */
static void copy_col(const db_ops *so, db_stmt *s, int i, const db_ops *to, db_stmt *t, int k,
                     int type) {
  const char *v = so->col_text(s, i);
  if (!v) {
    to->bind_null(t, k);
  } else if (type == COL_INT) {
    to->bind_int(t, k, so->col_int(s, i));
  } else if (type == COL_DOUBLE) {
    to->bind_double(t, k, so->col_double(s, i));
  } else {
    to->bind_text(t, k, v, strlen(v));
  }
}

typedef struct merge_ctx {
  db *src, *dst;
  /* source */
  db_stmt *page, *ments;
  /* target */
  db_stmt *get_hash, *old_dirty, *del_events, *del_mentions, *ins_story, *upd_story,
      *ins_mention, *new_dirty;
} merge_ctx;

static void ctx_free(merge_ctx *m) {
  db_stmt *src[] = {m->page, m->ments};
  db_stmt *dst[] = {m->get_hash,     m->old_dirty, m->del_events,  m->del_mentions,
                    m->ins_story,    m->upd_story, m->ins_mention, m->new_dirty};
  for (size_t i = 0; i < DU_ARRAY_LEN(src); i++) {
    if (src[i]) m->src->ops->finalize(src[i]);
  }
  for (size_t i = 0; i < DU_ARRAY_LEN(dst); i++) {
    if (dst[i]) m->dst->ops->finalize(dst[i]);
  }
}

static int ctx_prepare(merge_ctx *m, dyad_error *err) {
  /* Column lists from the tables above, so SQL and binding agree. */
  char scols[256] = "", mcols[1024] = "", mqs[256] = "", sqs[64] = "";
  for (size_t i = 0; i < DU_ARRAY_LEN(story_cols); i++) {
    size_t l = strlen(scols);
    snprintf(scols + l, sizeof scols - l, "%s%s", i ? ", " : "", story_cols[i].name);
    l = strlen(sqs);
    snprintf(sqs + l, sizeof sqs - l, "%s?", i ? ", " : "");
  }
  for (size_t i = 0; i < N_MENTION_COPY; i++) {
    size_t l = strlen(mcols);
    snprintf(mcols + l, sizeof mcols - l, "%s%s", i ? ", " : "", mention_cols[i].name);
    l = strlen(mqs);
    snprintf(mqs + l, sizeof mqs - l, "%s?", i ? ", " : "");
  }
  char page[512], ments[1280], ins_story[512], ins_mention[1536];
  snprintf(page, sizeof page, "SELECT %s FROM stories WHERE id > ? ORDER BY id LIMIT %d", scols,
           MERGE_PAGE);
  snprintf(ments, sizeof ments, "SELECT %s FROM mentions WHERE story_id = ? ORDER BY id", mcols);
  snprintf(ins_story, sizeof ins_story, "INSERT INTO stories (%s) VALUES (%s)", scols, sqs);
  snprintf(ins_mention, sizeof ins_mention, "INSERT INTO mentions (%s) VALUES (%s)", mcols, mqs);
  struct {
    db *d;
    db_stmt **s;
    const char *sql;
  } prep[] = {
      {m->src, &m->page, page},
      {m->src, &m->ments, ments},
      {m->dst, &m->get_hash, "SELECT text_hash FROM stories WHERE id = ?"},
      {m->dst, &m->old_dirty,
       "INSERT INTO dirty (source, target, root, negated) SELECT DISTINCT source, target, root, "
       "negated FROM mentions WHERE story_id = ? ON CONFLICT (source, target, root, negated) "
       "DO NOTHING"},
      {m->dst, &m->del_events,
       "DELETE FROM events WHERE id IN (SELECT event_id FROM mentions WHERE story_id = ? AND "
       "event_id IS NOT NULL)"},
      {m->dst, &m->del_mentions, "DELETE FROM mentions WHERE story_id = ?"},
      {m->dst, &m->ins_story, ins_story},
      {m->dst, &m->upd_story,
       "UPDATE stories SET date = ?, source = ?, url = ?, text_hash = ?, text = ?, "
       "n_mentions = ? WHERE id = ?"},
      {m->dst, &m->ins_mention, ins_mention},
      {m->dst, &m->new_dirty,
       "INSERT INTO dirty (source, target, root, negated) SELECT DISTINCT source, target, root, "
       "negated FROM mentions WHERE story_id = ? ON CONFLICT (source, target, root, negated) "
       "DO NOTHING"},
  };
  for (size_t i = 0; i < DU_ARRAY_LEN(prep); i++) {
    int rc = db_prepare(prep[i].d, prep[i].sql, prep[i].s, err);
    if (rc) return rc;
  }
  return DYAD_OK;
}

/* Run T (bound to ID) once and reset it. */
static int run_for_story(db *d, db_stmt *t, const char *id, dyad_error *err) {
  const db_ops *o = d->ops;
  o->bind_text(t, 1, id, strlen(id));
  int r = o->step(t, err);
  o->reset(t);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

/* Copy the story at the current row of m->page. */
static int merge_story(merge_ctx *m, const char *src_name, dyad_merge_stats *ms,
                       dyad_error *err) {
  const db_ops *so = m->src->ops, *to = m->dst->ops;
  db_stmt *p = m->page;
  const char *id = so->col_text(p, 0);
  const char *hash = so->col_text(p, 4);
  if (!id || !hash) return du_err(err, DYAD_EDATA, "%s: a story without id or hash", src_name);
  to->bind_text(m->get_hash, 1, id, strlen(id));
  int r = to->step(m->get_hash, err);
  if (r < 0) {
    to->reset(m->get_hash);
    return DYAD_EDB;
  }
  int exists = r == 1;
  const char *old = exists ? to->col_text(m->get_hash, 0) : NULL;
  int same = old && !strcmp(old, hash);
  to->reset(m->get_hash);
  ms->stories++;
  if (same) {
    ms->unchanged++;
    return DYAD_OK;
  }
  int rc;
  if (exists) {
    /* As dyad_store_put: the old mentions' dyads are regrouped, their
     * events go, then the mentions. */
    if ((rc = run_for_story(m->dst, m->old_dirty, id, err)) ||
        (rc = run_for_story(m->dst, m->del_events, id, err)) ||
        (rc = run_for_story(m->dst, m->del_mentions, id, err))) {
      return rc;
    }
    db_stmt *u = m->upd_story;
    for (int i = 1; i < (int)DU_ARRAY_LEN(story_cols); i++) {
      copy_col(so, p, i, to, u, i, story_cols[i].type);
    }
    to->bind_text(u, (int)DU_ARRAY_LEN(story_cols), id, strlen(id));
    r = to->step(u, err);
    to->reset(u);
    if (r < 0) return DYAD_EDB;
    ms->replaced++;
  } else {
    db_stmt *u = m->ins_story;
    for (int i = 0; i < (int)DU_ARRAY_LEN(story_cols); i++) {
      copy_col(so, p, i, to, u, i + 1, story_cols[i].type);
    }
    r = to->step(u, err);
    to->reset(u);
    if (r < 0) return DYAD_EDB;
    ms->inserted++;
  }
  db_stmt *q = m->ments;
  so->bind_text(q, 1, id, strlen(id));
  rc = DYAD_OK;
  while (!rc && (r = so->step(q, err)) == 1) {
    db_stmt *u = m->ins_mention;
    for (int i = 0; i < (int)N_MENTION_COPY; i++) {
      copy_col(so, q, i, to, u, i + 1, mention_cols[i].type);
    }
    if (to->step(u, err) < 0) rc = DYAD_EDB;
    to->reset(u);
    ms->mentions++;
  }
  so->reset(q);
  if (rc) return rc;
  if (r < 0) return DYAD_EDB;
  return run_for_story(m->dst, m->new_dirty, id, err);
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

void dyad_merge_stats_init(dyad_merge_stats *ms) { memset(ms, 0, sizeof *ms); }

static int merge_source(dyad_store *st, const char *source, dyad_merge_stats *ms,
                        dyad_error *err) {
  merge_ctx m;
  memset(&m, 0, sizeof m);
  m.dst = ds_db(st);
  if (m.dst->in_tx) return du_err(err, DYAD_EINVAL, "merge inside an open transaction");
  int rc = open_source(source, &m.src, err);
  if (rc) return rc;
  if ((rc = check_columns(m.src, source, "stories", story_cols, DU_ARRAY_LEN(story_cols), err)) ||
      (rc = check_columns(m.src, source, "mentions", mention_cols, DU_ARRAY_LEN(mention_cols),
                          err)) ||
      (rc = check_columns(m.dst, "the target", "stories", story_cols, DU_ARRAY_LEN(story_cols),
                          err)) ||
      (rc = check_columns(m.dst, "the target", "mentions", mention_cols,
                          DU_ARRAY_LEN(mention_cols), err)) ||
      (rc = ctx_prepare(&m, err))) {
    ctx_free(&m);
    m.src->ops->close(m.src);
    return rc;
  }
  const db_ops *so = m.src->ops;
  char *last = du_strdup("");
  if (!last) rc = du_err(err, DYAD_ENOMEM, "out of memory");
  /* One page of stories per transaction of the target. */
  while (!rc) {
    so->bind_text(m.page, 1, last, strlen(last));
    if ((rc = dyad_store_begin(st, err))) break;
    int r, n = 0;
    while (!rc && (r = so->step(m.page, err)) == 1) {
      rc = merge_story(&m, source, ms, err);
      if (!rc) {
        const char *id = so->col_text(m.page, 0);
        char *c = du_strdup(id ? id : "");
        if (!c) rc = du_err(err, DYAD_ENOMEM, "out of memory");
        du_free(last);
        last = c;
      }
      n++;
    }
    so->reset(m.page);
    if (!rc && r < 0) rc = DYAD_EDB;
    if (rc) {
      dyad_store_rollback(st, NULL);
      break;
    }
    if ((rc = dyad_store_commit(st, err))) break;
    if (n < MERGE_PAGE) break;
  }
  du_free(last);
  ctx_free(&m);
  m.src->ops->close(m.src);
  return rc;
}

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
