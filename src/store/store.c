/*
 * store.c - stories, mentions and deduplicated events in SQLite or
 * PostgreSQL.
 *
 * Tables (docs/store.md):
 *   stories   one row per story id, with a hash of its date and text
 *   mentions  one row per coded event of a story (id = the stable event id)
 *   events    mentions grouped into happenings: same source, target, CAMEO
 *             root and negation, dates within a day of the group's first,
 *             places in one country; id = the smallest mention id
 *   dirty     dyads whose mentions changed since the last deduplication
 *
 * Everything that goes into the database is a deterministic function of
 * the stories ingested, so ingesting the same stories again, or again
 * after an interrupted run, leaves the same database.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

/* A dyad whose mentions changed in the open transaction. */
typedef struct dkey {
  const char *src, *tgt, *root;
  int neg;
  uint64_t hash;
} dkey;

struct dyad_store {
  db *d;
  db_stmt *get_hash, *del_mentions, *old_keys, *ins_story, *upd_story, *ins_mention,
      *ins_dirty, *del_events;
  /* The dyads made dirty in the open transaction, each once, written to
   * `dirty` in key order when it commits. */
  du_arena dirty_strs;
  du_vec dirty;        /* dkey */
  uint32_t *dirty_set; /* open addressing: index into dirty + 1, 0 empty */
  size_t dirty_cap;    /* slots in dirty_set, a power of two */
};

static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, date TEXT NOT NULL, "
    "source TEXT, url TEXT, text_hash TEXT NOT NULL, text TEXT NOT NULL, "
    "n_mentions INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS mentions (id TEXT PRIMARY KEY, story_id TEXT NOT NULL, "
    "sentence INTEGER NOT NULL, sent_start INTEGER, sent_end INTEGER, ev_start INTEGER, "
    "ev_end INTEGER, verb_start INTEGER, verb_end INTEGER, src_start INTEGER, src_end INTEGER, "
    "tgt_start INTEGER, tgt_end INTEGER, date TEXT NOT NULL, day INTEGER NOT NULL, "
    "date_precision TEXT, date_text TEXT, story_date TEXT, source TEXT NOT NULL, "
    "source_country TEXT, source_sector TEXT, target TEXT NOT NULL, target_country TEXT, "
    "target_sector TEXT, code TEXT NOT NULL, root TEXT NOT NULL, quad INTEGER, "
    "goldstein DOUBLE PRECISION, plover TEXT, plover_mode TEXT, plover_context TEXT, "
    "modality TEXT, negated INTEGER NOT NULL, place_text TEXT, place_name TEXT, "
    "place_country TEXT, place_admin1 TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, "
    "pattern TEXT, event_id TEXT)",
    "CREATE INDEX IF NOT EXISTS mentions_story ON mentions(story_id)",
    "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, date TEXT NOT NULL, "
    "day INTEGER NOT NULL, source TEXT NOT NULL, source_country TEXT, target TEXT NOT NULL, "
    "target_country TEXT, code TEXT NOT NULL, root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "quad INTEGER, goldstein DOUBLE PRECISION, plover TEXT, modality TEXT, place_name TEXT, "
    "place_country TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, n_mentions INTEGER, "
    "n_stories INTEGER, n_sources INTEGER, first_seen TEXT, conflict INTEGER, "
    "conflict_note TEXT)",
    "CREATE INDEX IF NOT EXISTS events_key ON events(source, target, root, negated)",
    "CREATE TABLE IF NOT EXISTS dirty (source TEXT NOT NULL, target TEXT NOT NULL, "
    "root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "PRIMARY KEY (source, target, root, negated))",
};

/* Indexes that only grouping and readers use. Opening a store does not
 * create them (a reader must never wait to build one): grouping builds
 * any that is missing (mentions_key before it starts, the rest when it
 * ends), and so does dyad_store_build_indexes. A bulk load into an empty
 * store drops them (dyad_store_defer_indexes), so that each is built
 * once, from sorted rows, instead of being updated row by row and
 * rewritten by every transaction. The first one is mentions_key. */
static const char *const deferrable[] = {
    "CREATE INDEX IF NOT EXISTS mentions_key ON mentions(source, target, root, negated, day)",
    "CREATE INDEX IF NOT EXISTS mentions_event ON mentions(event_id)",
    "CREATE INDEX IF NOT EXISTS events_dyad ON events(source_country, target_country, day)",
    "CREATE INDEX IF NOT EXISTS events_day ON events(day)",
};
static const char *const deferrable_names[] = {"mentions_key", "mentions_event", "events_dyad",
                                               "events_day"};

int dyad_store_defer_indexes(dyad_store *st, int *deferred, dyad_error *err) {
  const db_ops *o = st->d->ops;
  *deferred = 0;
  db_stmt *q;
  int rc = db_prepare(st->d, "SELECT 1 FROM mentions LIMIT 1", &q, err);
  if (rc) return rc;
  int r = o->step(q, err);
  o->finalize(q);
  if (r < 0) return DYAD_EDB;
  if (r == 1) return DYAD_OK;
  for (size_t i = 0; i < DU_ARRAY_LEN(deferrable_names) && !rc; i++) {
    char sql[96];
    snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", deferrable_names[i]);
    rc = db_exec(st->d, sql, err);
  }
  if (!rc) *deferred = 1;
  return rc;
}

int dyad_store_build_indexes(dyad_store *st, dyad_error *err) {
  int rc = DYAD_OK;
  for (size_t i = 0; i < DU_ARRAY_LEN(deferrable) && !rc; i++) {
    rc = db_exec(st->d, deferrable[i], err);
  }
  return rc;
}

const char *dyad_store_backend(const dyad_store *st) { return st->d->ops->name; }

static void finalize_all(dyad_store *st) {
  db_stmt **s[] = {&st->get_hash, &st->del_mentions, &st->old_keys, &st->ins_story,
                   &st->upd_story, &st->ins_mention, &st->ins_dirty, &st->del_events};
  for (size_t i = 0; i < DU_ARRAY_LEN(s); i++) {
    if (*s[i]) st->d->ops->finalize(*s[i]);
    *s[i] = NULL;
  }
}

static void dirty_forget(dyad_store *st) {
  st->dirty.len = 0;
  du_arena_reset(&st->dirty_strs);
  if (st->dirty_set) memset(st->dirty_set, 0, st->dirty_cap * sizeof *st->dirty_set);
}

void dyad_store_close(dyad_store *st) {
  if (!st) return;
  if (st->d->in_tx) db_exec(st->d, "ROLLBACK", NULL);
  finalize_all(st);
  du_arena_free(&st->dirty_strs);
  du_vec_free(&st->dirty);
  du_free(st->dirty_set);
  st->d->ops->close(st->d);
  du_free(st);
}

int dyad_store_open(const char *target, dyad_store **out, dyad_error *err) {
  if (!target || !*target) return du_err(err, DYAD_EINVAL, "no database given");
  dyad_store *st = du_calloc(1, sizeof *st);
  if (!st) return du_err(err, DYAD_ENOMEM, "out of memory");
  du_arena_init(&st->dirty_strs, 64 * 1024);
  du_vec_init(&st->dirty, sizeof(dkey));
  int rc;
  if (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11)) {
    rc = db_open_postgres(target, &st->d, err);
  } else {
    rc = db_open_sqlite(target, &st->d, err);
  }
  if (rc) {
    du_arena_free(&st->dirty_strs);
    du_free(st);
    return rc;
  }
  for (size_t i = 0; i < DU_ARRAY_LEN(schema) && !rc; i++) rc = db_exec(st->d, schema[i], err);
  if (!rc) rc = db_exec(st->d, "INSERT INTO meta(key, value) VALUES ('schema', '1') "
                               "ON CONFLICT (key) DO NOTHING", err);
  struct { db_stmt **s; const char *sql; } prep[] = {
      {&st->get_hash, "SELECT text_hash FROM stories WHERE id = ?"},
      {&st->del_mentions, "DELETE FROM mentions WHERE story_id = ?"},
      {&st->old_keys, "SELECT DISTINCT source, target, root, negated FROM mentions WHERE story_id = ?"},
      {&st->ins_story, "INSERT INTO stories (id, date, source, url, text_hash, text, n_mentions) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)"},
      {&st->upd_story, "UPDATE stories SET date = ?, source = ?, url = ?, text_hash = ?, "
                       "text = ?, n_mentions = ? WHERE id = ?"},
      {&st->ins_mention,
       "INSERT INTO mentions (id, story_id, sentence, sent_start, sent_end, ev_start, ev_end, "
       "verb_start, verb_end, src_start, src_end, tgt_start, tgt_end, date, day, date_precision, "
       "date_text, story_date, source, source_country, source_sector, target, target_country, "
       "target_sector, code, root, quad, goldstein, plover, plover_mode, plover_context, "
       "modality, negated, place_text, place_name, place_country, place_admin1, lat, lon, "
       "pattern, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&st->ins_dirty, "INSERT INTO dirty (source, target, root, negated) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (source, target, root, negated) DO NOTHING"},
      {&st->del_events, "DELETE FROM events WHERE id IN (SELECT event_id FROM mentions "
                        "WHERE story_id = ? AND event_id IS NOT NULL)"},
  };
  for (size_t i = 0; i < DU_ARRAY_LEN(prep) && !rc; i++) {
    rc = db_prepare(st->d, prep[i].sql, prep[i].s, err);
  }
  if (rc) {
    dyad_store_close(st);
    return rc;
  }
  *out = st;
  return DYAD_OK;
}

static int dirty_insert(dyad_store *st, const char *src, const char *tgt, const char *root,
                        int neg, dyad_error *err);

static int dkey_cmp(const void *a, const void *b) {
  const dkey *x = a, *y = b;
  int c = strcmp(x->src, y->src);
  if (!c) c = strcmp(x->tgt, y->tgt);
  if (!c) c = strcmp(x->root, y->root);
  if (!c) c = (x->neg > y->neg) - (x->neg < y->neg);
  return c;
}

/* Write the transaction's dirty dyads, in key order (each b-tree page of
 * `dirty` is then visited once). */
static int dirty_flush(dyad_store *st, dyad_error *err) {
  dkey *k = st->dirty.data;
  size_t n = st->dirty.len;
  if (n) qsort(k, n, sizeof *k, dkey_cmp);
  int rc = DYAD_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    rc = dirty_insert(st, k[i].src, k[i].tgt, k[i].root, k[i].neg, err);
  }
  dirty_forget(st);
  return rc;
}

int dyad_store_begin(dyad_store *st, dyad_error *err) {
  dirty_forget(st);
  int rc = db_exec(st->d, "BEGIN", err);
  if (!rc) st->d->in_tx = 1;
  return rc;
}

int dyad_store_commit(dyad_store *st, dyad_error *err) {
  /* On failure the transaction stays open for the caller to roll back. */
  int rc = dirty_flush(st, err);
  if (rc) return rc;
  rc = db_exec(st->d, "COMMIT", err);
  st->d->in_tx = 0;
  return rc;
}

int dyad_store_rollback(dyad_store *st, dyad_error *err) {
  dirty_forget(st);
  int rc = db_exec(st->d, "ROLLBACK", err);
  st->d->in_tx = 0;
  return rc;
}

/* ---- ingest ---- */

static void story_hash(const dyad_story *s, char out[17]) {
  uint64_t h = du_hash(s->date, strlen(s->date));
  h ^= du_hash(s->text ? s->text : "", s->text ? s->text_len : 0) * 31;
  h ^= du_hash(s->source ? s->source : "", s->source ? strlen(s->source) : 0) * 131;
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int ymd_days(const char *date) {
  int32_t ymd;
  if (dyad_parse_date(date, &ymd)) return 0;
  return du_ymd_to_days(ymd);
}

/* Every value bound in this file outlives the step that uses it. */
static void bt(const db_ops *o, db_stmt *s, int i, const char *v) {
  o->bind_ref(s, i, v, v ? strlen(v) : 0);
}

int dyad_store_has_story(dyad_store *st, const dyad_story *s, dyad_error *err) {
  const db_ops *o = st->d->ops;
  char hash[17];
  story_hash(s, hash);
  bt(o, st->get_hash, 1, s->id);
  int r = o->step(st->get_hash, err);
  int same = r == 1 && o->col_text(st->get_hash, 0) && !strcmp(o->col_text(st->get_hash, 0), hash);
  o->reset(st->get_hash);
  return same;
}

static int dirty_insert(dyad_store *st, const char *src, const char *tgt, const char *root,
                        int neg, dyad_error *err) {
  const db_ops *o = st->d->ops;
  bt(o, st->ins_dirty, 1, src);
  bt(o, st->ins_dirty, 2, tgt);
  bt(o, st->ins_dirty, 3, root);
  o->bind_int(st->ins_dirty, 4, neg);
  int r = o->step(st->ins_dirty, err);
  o->reset(st->ins_dirty);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

static const char *dirty_str(dyad_store *st, const char *s) {
  if (!s) s = "";
  return du_arena_strndup(&st->dirty_strs, s, strlen(s));
}

/* Mark a dyad for regrouping: in a transaction, once, at commit; outside
 * one, at once. */
static int mark_dirty(dyad_store *st, const char *src, const char *tgt, const char *root,
                      int neg, dyad_error *err) {
  if (!st->d->in_tx) return dirty_insert(st, src, tgt, root, neg, err);
  if (!src) src = "";
  if (!tgt) tgt = "";
  if (!root) root = "";
  uint64_t h = du_hash(src, strlen(src));
  h = h * 31 + du_hash(tgt, strlen(tgt));
  h = h * 31 + du_hash(root, strlen(root));
  h = h * 31 + (uint64_t)neg;
  if (2 * (st->dirty.len + 1) > st->dirty_cap) {
    /* Grow the set to keep it at most half full. */
    size_t cap = st->dirty_cap ? st->dirty_cap * 2 : 1024;
    uint32_t *set = du_calloc(cap, sizeof *set);
    if (!set) return du_err(err, DYAD_ENOMEM, "out of memory");
    const dkey *k = st->dirty.data;
    for (size_t i = 0; i < st->dirty.len; i++) {
      size_t j = (size_t)k[i].hash & (cap - 1);
      while (set[j]) j = (j + 1) & (cap - 1);
      set[j] = (uint32_t)(i + 1);
    }
    du_free(st->dirty_set);
    st->dirty_set = set;
    st->dirty_cap = cap;
  }
  size_t j = (size_t)h & (st->dirty_cap - 1);
  for (; st->dirty_set[j]; j = (j + 1) & (st->dirty_cap - 1)) {
    const dkey *k = &DU_VEC_AT(&st->dirty, dkey, st->dirty_set[j] - 1);
    if (k->hash == h && k->neg == neg && !strcmp(k->src, src) && !strcmp(k->tgt, tgt) &&
        !strcmp(k->root, root)) {
      return DYAD_OK;
    }
  }
  dkey *k = du_vec_push(&st->dirty);
  if (!k) return du_err(err, DYAD_ENOMEM, "out of memory");
  k->src = dirty_str(st, src);
  k->tgt = dirty_str(st, tgt);
  k->root = dirty_str(st, root);
  k->neg = neg;
  k->hash = h;
  if (!k->src || !k->tgt || !k->root) {
    st->dirty.len--;
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  st->dirty_set[j] = (uint32_t)st->dirty.len;
  return DYAD_OK;
}

static int span_text(const db_ops *o, db_stmt *s, int i, const char *text, size_t len,
                     uint32_t a, uint32_t b) {
  (void)o;
  if (!text || a > b || b > len) o->bind_null(s, i);
  else o->bind_ref(s, i, text + a, b - a);
  return 0;
}

int dyad_store_put(dyad_store *st, const dyad_story *s, const dyad_event *ev, size_t n,
                   int *result, dyad_error *err) {
  const db_ops *o = st->d->ops;
  char hash[17];
  story_hash(s, hash);
  bt(o, st->get_hash, 1, s->id);
  int r = o->step(st->get_hash, err);
  if (r < 0) {
    o->reset(st->get_hash);
    return DYAD_EDB;
  }
  int exists = r == 1;
  int same = exists && o->col_text(st->get_hash, 0) && !strcmp(o->col_text(st->get_hash, 0), hash);
  o->reset(st->get_hash);
  if (same) {
    *result = DYAD_PUT_UNCHANGED;
    return DYAD_OK;
  }
  const char *text = s->text ? s->text : "";
  if (exists) {
    /* A changed story: its old mentions go, and their dyads are dirty. */
    bt(o, st->old_keys, 1, s->id);
    while ((r = o->step(st->old_keys, err)) == 1) {
      if (mark_dirty(st, o->col_text(st->old_keys, 0), o->col_text(st->old_keys, 1),
                     o->col_text(st->old_keys, 2), (int)o->col_int(st->old_keys, 3), err)) {
        r = -1;
        break;
      }
    }
    o->reset(st->old_keys);
    if (r < 0) return DYAD_EDB;
    /* Its events go too (their dyads are regrouped): a new mention may
     * take the same id as an old one. */
    bt(o, st->del_events, 1, s->id);
    r = o->step(st->del_events, err);
    o->reset(st->del_events);
    if (r < 0) return DYAD_EDB;
    bt(o, st->del_mentions, 1, s->id);
    r = o->step(st->del_mentions, err);
    o->reset(st->del_mentions);
    if (r < 0) return DYAD_EDB;
    db_stmt *u = st->upd_story;
    bt(o, u, 1, s->date);
    bt(o, u, 2, s->source);
    bt(o, u, 3, s->url);
    bt(o, u, 4, hash);
    o->bind_ref(u, 5, text, s->text_len);
    o->bind_int(u, 6, (int64_t)n);
    bt(o, u, 7, s->id);
    r = o->step(u, err);
    o->reset(u);
    if (r < 0) return DYAD_EDB;
    *result = DYAD_PUT_REPLACED;
  } else {
    db_stmt *u = st->ins_story;
    bt(o, u, 1, s->id);
    bt(o, u, 2, s->date);
    bt(o, u, 3, s->source);
    bt(o, u, 4, s->url);
    bt(o, u, 5, hash);
    o->bind_ref(u, 6, text, s->text_len);
    o->bind_int(u, 7, (int64_t)n);
    r = o->step(u, err);
    o->reset(u);
    if (r < 0) return DYAD_EDB;
    *result = DYAD_PUT_INSERTED;
  }
  for (size_t i = 0; i < n; i++) {
    const dyad_event *e = &ev[i];
    db_stmt *m = st->ins_mention;
    int k = 1;
    bt(o, m, k++, e->event_id);
    bt(o, m, k++, s->id);
    o->bind_int(m, k++, e->sentence);
    o->bind_int(m, k++, e->sent_start);
    o->bind_int(m, k++, e->sent_end);
    o->bind_int(m, k++, e->ev_start);
    o->bind_int(m, k++, e->ev_end);
    o->bind_int(m, k++, e->verb_start);
    o->bind_int(m, k++, e->verb_end);
    o->bind_int(m, k++, e->source.start);
    o->bind_int(m, k++, e->source.end);
    o->bind_int(m, k++, e->target.start);
    o->bind_int(m, k++, e->target.end);
    bt(o, m, k++, e->date);
    o->bind_int(m, k++, ymd_days(e->date));
    bt(o, m, k++, dyad_precision_name(e->date_precision));
    bt(o, m, k++, e->date_text);
    bt(o, m, k++, e->story_date);
    bt(o, m, k++, e->source.code);
    bt(o, m, k++, e->source.country);
    bt(o, m, k++, e->source.sector);
    bt(o, m, k++, e->target.code);
    bt(o, m, k++, e->target.country);
    bt(o, m, k++, e->target.sector);
    bt(o, m, k++, e->code);
    bt(o, m, k++, e->root);
    o->bind_int(m, k++, e->quad_class);
    o->bind_double(m, k++, e->goldstein);
    bt(o, m, k++, e->plover);
    bt(o, m, k++, e->plover_mode);
    bt(o, m, k++, e->plover_context);
    bt(o, m, k++, dyad_modality_name(e->modality));
    o->bind_int(m, k++, e->modality == DYAD_MODE_NEGATED);
    bt(o, m, k++, e->place.text);
    bt(o, m, k++, e->place.name);
    bt(o, m, k++, e->place.country);
    bt(o, m, k++, e->place.admin1);
    if (e->place.has_coords) {
      o->bind_double(m, k++, e->place.lat);
      o->bind_double(m, k++, e->place.lon);
    } else {
      o->bind_null(m, k++);
      o->bind_null(m, k++);
    }
    bt(o, m, k++, e->pattern);
    /* Until deduplication says otherwise, a mention is its own event. */
    bt(o, m, k++, e->event_id);
    r = o->step(m, err);
    o->reset(m);
    if (r < 0) return DYAD_EDB;
    int rc = mark_dirty(st, e->source.code, e->target.code, e->root,
                        e->modality == DYAD_MODE_NEGATED, err);
    if (rc) return rc;
  }
  (void)span_text;
  return DYAD_OK;
}

/* ---- deduplication ----
 *
 * Dirty dyads are regrouped in batches of up to DEDUP_KEYS keys, one
 * transaction each. A batch is the first keys of `dirty` in key order, up
 * to a bound key, and takes the same few statements whatever its size:
 *   1. one DELETE removes the events of its keys;
 *   2. one scan reads the mentions of its keys, key after key (`dirty`
 *      drives the join, in the order of its primary key);
 *   3. each key's mentions are grouped in memory, and each group is
 *      written with one INSERT;
 *   4. only mentions whose event id changed are updated: a new mention is
 *      stored with its own id as event id, which is already right when it
 *      comes first in its group (most mentions);
 *   5. one DELETE takes the keys out of `dirty`.
 * Memory holds one key's mentions and the batch's changed event ids. */

#define DEDUP_KEYS 50000

/* One mention of the key being grouped; strings are in the key's arena. */
typedef struct dm {
  const char *id, *date, *place, *country, *code, *modality, *story, *publisher,
      *story_date, *scountry, *tcountry, *plover, *event_id;
  int day, has_ll;
  double lat, lon, gold;
} dm;

/* A mention whose event id changes. */
typedef struct relink {
  const char *mention, *event;
} relink;

typedef struct dedup {
  dyad_store *st;
  const db_ops *o;
  db_stmt *first, *last, *del, *scan, *publisher, *ins, *link, *clean;
  /* the key being read: its strings and mentions */
  du_arena arena;
  du_vec ms, grp;
  char *used;
  size_t used_cap;
  const char *src, *tgt, *root;
  int neg;
  /* the batch's changed event ids */
  du_arena link_arena;
  du_vec links;
} dedup;

static const char *astr(du_arena *a, const char *s) {
  if (!s) s = "";
  return du_arena_strndup(a, s, strlen(s));
}

/* The most frequent string among the group's values (ties: smallest). */
static const char *mode_of(const dm *g, size_t n, size_t off) {
  const char *best = "";
  size_t best_n = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(const char *const *)((const char *)&g[i] + off);
    if (!v[0]) continue;
    size_t c = 0;
    for (size_t j = 0; j < n; j++) {
      if (!strcmp(*(const char *const *)((const char *)&g[j] + off), v)) c++;
    }
    if (c > best_n || (c == best_n && strcmp(v, best) < 0)) {
      best = v;
      best_n = c;
    }
  }
  return best;
}

static int count_distinct(const dm *g, size_t n, size_t off) {
  int c = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(const char *const *)((const char *)&g[i] + off);
    if (!v[0]) continue;
    int dup = 0;
    for (size_t j = 0; j < i && !dup; j++) {
      dup = !strcmp(*(const char *const *)((const char *)&g[j] + off), v);
    }
    if (!dup) c++;
  }
  return c;
}

/* The publishers of a group's stories (a single mention's is not needed:
 * it is one source whatever it is). */
static int find_publishers(dedup *x, dm *g, size_t n, dyad_error *err) {
  const db_ops *o = x->o;
  for (size_t i = 0; i < n; i++) {
    g[i].publisher = "";
    for (size_t j = 0; j < i && !g[i].publisher[0]; j++) {
      if (!strcmp(g[j].story, g[i].story)) g[i].publisher = g[j].publisher;
    }
    if (g[i].publisher[0]) continue;
    bt(o, x->publisher, 1, g[i].story);
    int r = o->step(x->publisher, err);
    if (r == 1) g[i].publisher = astr(&x->arena, o->col_text(x->publisher, 0));
    o->reset(x->publisher);
    if (r < 0) return DYAD_EDB;
    if (!g[i].publisher) return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

/* Write one group as an event, and note its mentions whose event id
 * differs from the event's. */
static int write_group(dedup *x, dm *g, size_t n, dyad_error *err) {
  const db_ops *o = x->o;
  db_stmt *ins = x->ins;
  if (n > 1) {
    int rc = find_publishers(x, g, n, err);
    if (rc) return rc;
  }
  /* The event id is the smallest mention id: independent of order. */
  size_t first = 0;
  for (size_t i = 1; i < n; i++) {
    if (strcmp(g[i].id, g[first].id) < 0) first = i;
  }
  const char *date = mode_of(g, n, offsetof(dm, date));
  const char *place = mode_of(g, n, offsetof(dm, place));
  const char *code = mode_of(g, n, offsetof(dm, code));
  int nplaces = count_distinct(g, n, offsetof(dm, place));
  int ndates = count_distinct(g, n, offsetof(dm, date));
  int nstories = count_distinct(g, n, offsetof(dm, story));
  int nsources = n > 1 ? count_distinct(g, n, offsetof(dm, publisher)) : 1;
  if (nsources < 1) nsources = 1;
  double gsum = 0;
  int asserted = 0;
  const char *first_seen = g[0].story_date;
  for (size_t i = 0; i < n; i++) {
    gsum += g[i].gold;
    if (!strcmp(g[i].modality, "asserted")) asserted = 1;
    if (strcmp(g[i].story_date, first_seen) < 0) first_seen = g[i].story_date;
  }
  const char *modality = asserted ? "asserted" : mode_of(g, n, offsetof(dm, modality));
  /* Where reports disagree, keep every version in the note. */
  char note[1024] = "";
  if (nplaces > 1 || ndates > 1) {
    size_t ol = 0;
    if (nplaces > 1) {
      ol += (size_t)snprintf(note + ol, sizeof note - ol, "places:");
      for (size_t i = 0; i < n && ol < sizeof note; i++) {
        int dup = !g[i].place[0];
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(g[j].place, g[i].place);
        if (!dup) {
          ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].place, g[i].id);
        }
      }
    }
    if (ndates > 1 && ol < sizeof note) {
      ol += (size_t)snprintf(note + ol, sizeof note - ol, "%sdates:", ol ? " " : "");
      for (size_t i = 0; i < n && ol < sizeof note; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(g[j].date, g[i].date);
        if (!dup) {
          ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].date, g[i].id);
        }
      }
    }
  }
  /* Coordinates of the chosen place. */
  double lat = 0, lon = 0;
  int has_ll = 0;
  const char *country = "";
  for (size_t i = 0; i < n; i++) {
    if (place[0] && !strcmp(g[i].place, place)) {
      has_ll = g[i].has_ll;
      lat = g[i].lat;
      lon = g[i].lon;
      country = g[i].country;
      break;
    }
  }
  int32_t ymd = 0;
  dyad_parse_date(date, &ymd);
  const dm *fm = &g[first];
  int k = 1;
  bt(o, ins, k++, fm->id);
  bt(o, ins, k++, date);
  o->bind_int(ins, k++, du_ymd_to_days(ymd));
  bt(o, ins, k++, x->src);
  bt(o, ins, k++, fm->scountry);
  bt(o, ins, k++, x->tgt);
  bt(o, ins, k++, fm->tcountry);
  bt(o, ins, k++, code);
  bt(o, ins, k++, x->root);
  o->bind_int(ins, k++, x->neg);
  int r = atoi(x->root);
  o->bind_int(ins, k++, r <= 5 ? 1 : r <= 8 ? 2 : r <= 13 ? 3 : 4);
  o->bind_double(ins, k++, gsum / (double)n);
  bt(o, ins, k++, fm->plover);
  bt(o, ins, k++, modality);
  bt(o, ins, k++, place);
  bt(o, ins, k++, country);
  if (has_ll) {
    o->bind_double(ins, k++, lat);
    o->bind_double(ins, k++, lon);
  } else {
    o->bind_null(ins, k++);
    o->bind_null(ins, k++);
  }
  o->bind_int(ins, k++, (int64_t)n);
  o->bind_int(ins, k++, nstories);
  o->bind_int(ins, k++, nsources);
  bt(o, ins, k++, first_seen);
  o->bind_int(ins, k++, note[0] != '\0');
  bt(o, ins, k++, note);
  int rc = o->step(ins, err);
  o->reset(ins);
  if (rc < 0) return DYAD_EDB;
  for (size_t i = 0; i < n; i++) {
    if (g[i].event_id && !strcmp(g[i].event_id, fm->id)) continue;
    relink *l = du_vec_push(&x->links);
    if (!l) return du_err(err, DYAD_ENOMEM, "out of memory");
    l->mention = astr(&x->link_arena, g[i].id);
    l->event = astr(&x->link_arena, fm->id);
    if (!l->mention || !l->event) return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

static int dm_cmp(const void *a, const void *b) {
  const dm *x = a, *y = b;
  if (x->day != y->day) return x->day < y->day ? -1 : 1;
  return strcmp(x->id, y->id);
}

/* Group the mentions read for the current key. */
static int group_key(dedup *x, dyad_error *err) {
  dm *all = x->ms.data;
  size_t n = x->ms.len, i = 0;
  if (!n) return DYAD_OK;
  /* Sweep in (day, id) order, compared as bytes on both backends: a group
   * takes the mentions within a day of its first; mentions placed in
   * different countries are different happenings, mentions without a
   * place join the first group. */
  qsort(all, n, sizeof *all, dm_cmp);
  x->grp.len = 0;
  if (du_vec_reserve(&x->grp, n)) return du_err(err, DYAD_ENOMEM, "out of memory");
  if (x->used_cap < n) {
    char *u = du_realloc(x->used, n);
    if (!u) return du_err(err, DYAD_ENOMEM, "out of memory");
    x->used = u;
    x->used_cap = n;
  }
  memset(x->used, 0, n);
  dm *grp = x->grp.data;
  char *used = x->used;
  int rc = DYAD_OK;
  while (rc == DYAD_OK && i < n) {
    if (used[i]) {
      i++;
      continue;
    }
    int anchor = all[i].day;
    size_t end = i;
    while (end < n && all[end].day <= anchor + 1) end++;
    /* The first group is that of the window's first placed country
     * (and of every mention without a place); each other country is a
     * group of its own. */
    const char *lead = "";
    for (size_t a = i; a < end && !lead[0]; a++) {
      if (!used[a]) lead = all[a].country;
    }
    for (size_t a = i; a < end && rc == DYAD_OK; a++) {
      if (used[a]) continue;
      const char *cc = all[a].country[0] ? all[a].country : lead;
      size_t gn = 0;
      for (size_t b = a; b < end; b++) {
        if (used[b]) continue;
        const char *bc = all[b].country[0] ? all[b].country : lead;
        if (!strcmp(bc, cc)) {
          grp[gn++] = all[b];
          used[b] = 1;
        }
      }
      if (gn) rc = write_group(x, grp, gn, err);
    }
    i = end;
  }
  return rc;
}

/* One row of the scan: start a new key when it differs, then keep the
 * mention. */
static int read_mention(dedup *x, db_stmt *s, dyad_error *err) {
  const db_ops *o = x->o;
  const char *src = o->col_text(s, 0), *tgt = o->col_text(s, 1), *root = o->col_text(s, 2);
  int neg = (int)o->col_int(s, 3);
  if (!src) src = "";
  if (!tgt) tgt = "";
  if (!root) root = "";
  if (!x->src || neg != x->neg || strcmp(src, x->src) || strcmp(tgt, x->tgt) ||
      strcmp(root, x->root)) {
    int rc = group_key(x, err);
    if (rc) return rc;
    x->ms.len = 0;
    du_arena_reset(&x->arena);
    x->src = astr(&x->arena, src);
    x->tgt = astr(&x->arena, tgt);
    x->root = astr(&x->arena, root);
    x->neg = neg;
    if (!x->src || !x->tgt || !x->root) return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  dm *m = du_vec_push(&x->ms);
  if (!m) return du_err(err, DYAD_ENOMEM, "out of memory");
  du_arena *a = &x->arena;
  m->id = astr(a, o->col_text(s, 4));
  m->day = (int)o->col_int(s, 5);
  m->date = astr(a, o->col_text(s, 6));
  m->place = astr(a, o->col_text(s, 7));
  m->country = astr(a, o->col_text(s, 8));
  m->has_ll = o->col_text(s, 9) != NULL;
  m->lat = o->col_double(s, 9);
  m->lon = o->col_double(s, 10);
  m->code = astr(a, o->col_text(s, 11));
  m->gold = o->col_double(s, 12);
  m->modality = astr(a, o->col_text(s, 13));
  m->story = astr(a, o->col_text(s, 14));
  m->publisher = "";
  m->story_date = astr(a, o->col_text(s, 15));
  m->scountry = astr(a, o->col_text(s, 16));
  m->tcountry = astr(a, o->col_text(s, 17));
  m->plover = astr(a, o->col_text(s, 18));
  m->event_id = o->col_text(s, 19) ? astr(a, o->col_text(s, 19)) : NULL;
  if (!m->id || !m->date || !m->place || !m->country || !m->code || !m->modality ||
      !m->story || !m->story_date || !m->scountry || !m->tcountry || !m->plover ||
      (o->col_text(s, 19) && !m->event_id)) {
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

static int relink_cmp(const void *a, const void *b) {
  return strcmp(((const relink *)a)->mention, ((const relink *)b)->mention);
}

/* Bind the batch's bound key to parameters 1-4 of S. */
static void bind_key(dedup *x, db_stmt *s, char *const key[3], int neg) {
  bt(x->o, s, 1, key[0]);
  bt(x->o, s, 2, key[1]);
  bt(x->o, s, 3, key[2]);
  x->o->bind_int(s, 4, neg);
}

/* The last key of the next batch into KEY/NEG; *FOUND is 0 when `dirty`
 * is empty. */
static int next_bound(dedup *x, char *key[3], int *neg, int *found, dyad_error *err) {
  const db_ops *o = x->o;
  db_stmt *q = x->first;
  int r = o->step(q, err);
  if (r == 0) {
    /* Fewer than DEDUP_KEYS left: the batch ends at the last one. */
    o->reset(q);
    q = x->last;
    r = o->step(q, err);
  }
  int rc = r < 0 ? DYAD_EDB : DYAD_OK;
  *found = r == 1;
  for (int i = 0; i < 3 && r == 1 && !rc; i++) {
    key[i] = du_strdup(o->col_text(q, i) ? o->col_text(q, i) : "");
    if (!key[i]) rc = du_err(err, DYAD_ENOMEM, "out of memory");
  }
  if (r == 1) *neg = (int)o->col_int(q, 3);
  o->reset(q);
  return rc;
}

static int dedup_batch(dedup *x, char *const key[3], int neg, dyad_error *err) {
  const db_ops *o = x->o;
  bind_key(x, x->del, key, neg);
  int r = o->step(x->del, err);
  o->reset(x->del);
  if (r < 0) return DYAD_EDB;
  x->src = x->tgt = x->root = NULL;
  x->ms.len = 0;
  x->links.len = 0;
  du_arena_reset(&x->arena);
  du_arena_reset(&x->link_arena);
  int rc = DYAD_OK;
  bind_key(x, x->scan, key, neg);
  while ((r = o->step(x->scan, err)) == 1) {
    if ((rc = read_mention(x, x->scan, err))) break;
  }
  o->reset(x->scan);
  if (r < 0) rc = DYAD_EDB;
  if (!rc) rc = group_key(x, err);
  if (rc) return rc;
  /* In id order: the primary key index is walked once, forwards. */
  relink *l = x->links.data;
  if (x->links.len) qsort(l, x->links.len, sizeof *l, relink_cmp);
  for (size_t i = 0; i < x->links.len; i++) {
    bt(o, x->link, 1, l[i].event);
    bt(o, x->link, 2, l[i].mention);
    r = o->step(x->link, err);
    o->reset(x->link);
    if (r < 0) return DYAD_EDB;
  }
  bind_key(x, x->clean, key, neg);
  r = o->step(x->clean, err);
  o->reset(x->clean);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

int dyad_store_dedup(dyad_store *st, dyad_error *err) {
  dedup x;
  memset(&x, 0, sizeof x);
  x.st = st;
  x.o = st->d->ops;
  du_arena_init(&x.arena, 16 * 1024);
  du_arena_init(&x.link_arena, 64 * 1024);
  du_vec_init(&x.ms, sizeof(dm));
  du_vec_init(&x.grp, sizeof(dm));
  du_vec_init(&x.links, sizeof(relink));
  char limit[160];
  snprintf(limit, sizeof limit,
           "SELECT source, target, root, negated FROM dirty ORDER BY source, target, root, "
           "negated LIMIT 1 OFFSET %d", DEDUP_KEYS - 1);
  /* Row values compare keys as ORDER BY orders them, on both backends. */
#define IN_BATCH(t) "(" t "source, " t "target, " t "root, " t "negated) <= (?, ?, ?, ?)"
  struct { db_stmt **s; const char *sql; } prep[] = {
      {&x.first, limit},
      {&x.last, "SELECT source, target, root, negated FROM dirty ORDER BY source DESC, "
                "target DESC, root DESC, negated DESC LIMIT 1"},
      {&x.del, "DELETE FROM events WHERE (source, target, root, negated) IN (SELECT source, "
               "target, root, negated FROM dirty WHERE " IN_BATCH("") ")"},
      /* CROSS JOIN: SQLite keeps this join order (dirty drives, in key
       * order); PostgreSQL plans it as an inner join. */
      {&x.scan, "SELECT d.source, d.target, d.root, d.negated, m.id, m.day, m.date, "
                "m.place_name, m.place_country, m.lat, m.lon, m.code, m.goldstein, m.modality, "
                "m.story_id, m.story_date, m.source_country, m.target_country, m.plover, "
                "m.event_id FROM dirty d CROSS JOIN mentions m WHERE " IN_BATCH("d.") " AND "
                "m.source = d.source AND m.target = d.target AND m.root = d.root AND "
                "m.negated = d.negated ORDER BY d.source, d.target, d.root, d.negated"},
      {&x.publisher, "SELECT source FROM stories WHERE id = ?"},
      {&x.ins, "INSERT INTO events (id, date, day, source, source_country, target, "
               "target_country, code, root, negated, quad, goldstein, plover, modality, "
               "place_name, place_country, lat, lon, n_mentions, n_stories, n_sources, "
               "first_seen, conflict, conflict_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
               "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&x.link, "UPDATE mentions SET event_id = ? WHERE id = ?"},
      {&x.clean, "DELETE FROM dirty WHERE " IN_BATCH("")},
  };
#undef IN_BATCH
  /* The scan reads mentions by key. */
  int rc = db_exec(st->d, deferrable[0], err);
  for (size_t i = 0; i < DU_ARRAY_LEN(prep) && !rc; i++) {
    rc = db_prepare(st->d, prep[i].sql, prep[i].s, err);
  }
  while (!rc) {
    if ((rc = dyad_store_begin(st, err))) break;
    char *key[3] = {NULL, NULL, NULL};
    int neg = 0, found = 0;
    rc = next_bound(&x, key, &neg, &found, err);
    if (!rc && found) rc = dedup_batch(&x, key, neg, err);
    for (int i = 0; i < 3; i++) du_free(key[i]);
    if (rc) {
      dyad_store_rollback(st, NULL);
      break;
    }
    if ((rc = dyad_store_commit(st, err)) || !found) break;
  }
  db_stmt *all[] = {x.first, x.last, x.del, x.scan, x.publisher, x.ins, x.link, x.clean};
  for (size_t i = 0; i < DU_ARRAY_LEN(all); i++) {
    if (all[i]) x.o->finalize(all[i]);
  }
  if (!rc) rc = dyad_store_build_indexes(st, err);
  du_arena_free(&x.arena);
  du_arena_free(&x.link_arena);
  du_vec_free(&x.ms);
  du_vec_free(&x.grp);
  du_vec_free(&x.links);
  du_free(x.used);
  return rc;
}

int dyad_store_stats_get(dyad_store *st, dyad_store_stats *out, dyad_error *err) {
  const db_ops *o = st->d->ops;
  const char *sql = "SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM mentions), "
                    "(SELECT count(*) FROM events), (SELECT count(*) FROM events WHERE conflict = 1), "
                    "(SELECT count(*) FROM dirty)";
  db_stmt *s;
  int rc = db_prepare(st->d, sql, &s, err);
  if (rc) return rc;
  memset(out, 0, sizeof *out);
  if (o->step(s, err) == 1) {
    out->stories = o->col_int(s, 0);
    out->mentions = o->col_int(s, 1);
    out->events = o->col_int(s, 2);
    out->conflicts = o->col_int(s, 3);
    out->dirty = o->col_int(s, 4);
  } else {
    rc = DYAD_EDB;
  }
  o->finalize(s);
  return rc;
}

db *ds_db(dyad_store *st) { return st->d; }

int dyad_store_dump(dyad_store *st, FILE *f, dyad_error *err) {
  /* Doubles are printed by us, so both backends agree to the digit. */
  static const struct { const char *name, *sql; } tables[] = {
      {"stories", "SELECT id, date, source, url, text_hash, n_mentions FROM stories ORDER BY id"},
      {"mentions", "SELECT id, story_id, sentence, ev_start, ev_end, date, day, date_precision, "
                   "source, target, code, root, quad, goldstein, modality, negated, place_name, "
                   "place_country, lat, lon, pattern, event_id FROM mentions ORDER BY id"},
      {"events", "SELECT id, date, day, source, target, code, root, negated, quad, goldstein, "
                 "plover, modality, place_name, place_country, lat, lon, n_mentions, n_stories, "
                 "n_sources, first_seen, conflict, conflict_note FROM events ORDER BY id"},
      {"dirty", "SELECT source, target, root, negated FROM dirty ORDER BY source, target, root, "
                "negated"}};
  const db_ops *o = st->d->ops;
  for (size_t t = 0; t < DU_ARRAY_LEN(tables); t++) {
    db_stmt *s;
    int rc = db_prepare(st->d, tables[t].sql, &s, err);
    if (rc) return rc;
    fprintf(f, "== %s\n", tables[t].name);
    int r;
    while ((r = o->step(s, err)) == 1) {
      int n = o->ncol(s);
      for (int i = 0; i < n; i++) {
        const char *v = o->col_text(s, i);
        const char *name = o->col_name(s, i);
        if (i) fputc('\t', f);
        if (!v) {
          fputs("NULL", f);
        } else if (!strcmp(name, "goldstein") || !strcmp(name, "lat") || !strcmp(name, "lon")) {
          fprintf(f, "%.4f", o->col_double(s, i));
        } else {
          fputs(v, f);
        }
      }
      fputc('\n', f);
    }
    o->finalize(s);
    if (r < 0) return DYAD_EDB;
  }
  return DYAD_OK;
}
