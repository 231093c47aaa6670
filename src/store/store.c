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
  char *target;        /* as opened: a second connection for grouping */
  db_stmt *get_hash, *del_mentions, *old_keys, *ins_story, *upd_story, *ins_mention,
      *ins_dirty, *del_events;
  /* The dyads made dirty in the open transaction, each once, written to
   * `dirty` in key order when it commits. */
  du_arena dirty_strs;
  du_vec dirty;        /* dkey */
  uint32_t *dirty_set; /* open addressing: index into dirty + 1, 0 empty */
  size_t dirty_cap;    /* slots in dirty_set, a power of two */
  ds_log *log;         /* dyad_store_remember: what this load put, or NULL */
  int all_dirty;       /* this connection marked every dyad waiting (ds_mark_all_dirty),
                        * and no other connection has written since */
  int ids_pk;          /* schema 1: ids are primary keys */
  int no_id_index[4];  /* indexes dropped for a load (IX_*, id_indexes) */
};

static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS stories (id TEXT NOT NULL, date TEXT NOT NULL, "
    "source TEXT, url TEXT, text_hash TEXT NOT NULL, text TEXT NOT NULL, "
    "n_mentions INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS mentions (id TEXT NOT NULL, story_id TEXT NOT NULL, "
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
    "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL, date TEXT NOT NULL, "
    "day INTEGER NOT NULL, source TEXT NOT NULL, source_country TEXT, target TEXT NOT NULL, "
    "target_country TEXT, code TEXT NOT NULL, root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "quad INTEGER, goldstein DOUBLE PRECISION, plover TEXT, modality TEXT, place_name TEXT, "
    "place_country TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, n_mentions INTEGER, "
    "n_stories INTEGER, n_sources INTEGER, first_seen TEXT, conflict INTEGER, "
    "conflict_note TEXT)",
    "CREATE TABLE IF NOT EXISTS dirty (source TEXT NOT NULL, target TEXT NOT NULL, "
    "root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "PRIMARY KEY (source, target, root, negated))",
};

/* Indexes that only grouping and readers use. Opening a store does not
 * create them (a reader must never wait to build one). A bulk load into
 * an empty store drops them (dyad_store_defer_indexes), so that each is
 * built once, from sorted rows, instead of being updated row by row and
 * rewritten by every transaction. The first N_GROUPING_INDEXES serve
 * only grouping that reads the database, which builds them before it
 * starts (ds_build_key_index); dyad_store_build_indexes, and grouping
 * when it ends, build the others. */
#define N_GROUPING_INDEXES 2
static const char *const deferrable[] = {
    "CREATE INDEX IF NOT EXISTS mentions_key ON mentions(source, target, root, negated, day)",
    "CREATE INDEX IF NOT EXISTS events_key ON events(source, target, root, negated)",
    "CREATE INDEX IF NOT EXISTS mentions_event ON mentions(event_id)",
    "CREATE INDEX IF NOT EXISTS events_dyad ON events(source_country, target_country, day)",
    "CREATE INDEX IF NOT EXISTS events_day ON events(day)",
};
static const char *const deferrable_names[] = {"mentions_key", "events_key", "mentions_event",
                                               "events_dyad", "events_day"};

/* The indexes that find rows by id: the ids' unique indexes (stories of
 * schema 1 have primary keys instead) and the mentions of a story. Every
 * open builds any that is missing; a load through dyad_store_remember
 * drops them while it writes, as ids then come in random order, and
 * builds each from sorted rows when it is needed: stories_id at the first
 * story id seen twice, mentions_story when a story is replaced, the
 * others at the end (grouping from memory points mentions at their events
 * by row id). */
enum { IX_STORIES, IX_MENTIONS, IX_EVENTS, IX_MENTION_STORY };
static const char *const id_indexes[] = {
    "CREATE UNIQUE INDEX IF NOT EXISTS stories_id ON stories(id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS mentions_id ON mentions(id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events(id)",
    "CREATE INDEX IF NOT EXISTS mentions_story ON mentions(story_id)",
};
static const char *const id_index_names[] = {"stories_id", "mentions_id", "events_id",
                                             "mentions_story"};

/* *EMPTY = 1 when the store holds no mention. */
static int no_mentions(dyad_store *st, int *empty, dyad_error *err) {
  const db_ops *o = st->d->ops;
  db_stmt *q;
  int rc = db_prepare(st->d, "SELECT 1 FROM mentions LIMIT 1", &q, err);
  if (rc) return rc;
  int r = o->step(q, err);
  o->finalize(q);
  if (r < 0) return DYAD_EDB;
  *empty = r == 0;
  return DYAD_OK;
}

static int drop_index(dyad_store *st, const char *name, dyad_error *err) {
  char sql[96];
  snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", name);
  return db_exec(st->d, sql, err);
}

int dyad_store_defer_indexes(dyad_store *st, int *deferred, dyad_error *err) {
  *deferred = 0;
  int empty = 0;
  int rc = no_mentions(st, &empty, err);
  if (rc || !empty) return rc;
  for (size_t i = 0; i < DU_ARRAY_LEN(deferrable_names) && !rc; i++) {
    rc = drop_index(st, deferrable_names[i], err);
  }
  if (!rc) *deferred = 1;
  return rc;
}

/* Build id index I if a load dropped it. */
static int build_id_index(dyad_store *st, int i, dyad_error *err) {
  if (!st->no_id_index[i]) return DYAD_OK;
  int rc = db_exec(st->d, id_indexes[i], err);
  if (!rc) st->no_id_index[i] = 0;
  return rc;
}

static int build_id_indexes(dyad_store *st, dyad_error *err) {
  int rc = DYAD_OK;
  for (int i = 0; i < (int)DU_ARRAY_LEN(id_indexes) && !rc; i++) rc = build_id_index(st, i, err);
  return rc;
}

int ds_build_key_index(dyad_store *st, dyad_error *err) {
  int rc = build_id_indexes(st, err);
  if (!rc) rc = db_exec(st->d, deferrable[0], err);
  if (!rc) rc = db_exec(st->d, deferrable[1], err);
  return rc;
}

int dyad_store_build_indexes(dyad_store *st, dyad_error *err) {
  int rc = build_id_indexes(st, err);
  for (size_t i = N_GROUPING_INDEXES; i < DU_ARRAY_LEN(deferrable) && !rc; i++) {
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

static int ymd_days(const char *date);

/* ---- what a load into an empty store remembers ---- */

void ds_log_drop(dyad_store *st) {
  ds_log *l = st->log;
  if (!l) return;
  du_intern_free(&l->strs);
  du_intern_free(&l->stories);
  du_buf_free(&l->mids);
  du_free(l->idset);
  du_vec_free(&l->recs);
  du_free(l);
  st->log = NULL;
}

ds_log *ds_log_get(dyad_store *st) { return st->log; }

int ds_mark_all_dirty(dyad_store *st, int *on, dyad_error *err) {
  *on = 0;
  if (st->d->in_tx) return du_err(err, DYAD_EINVAL, "marking every dyad in a transaction");
  /* Whether another connection writes is asked before and after the look
   * at the store: a backend that cannot tell says so twice, and every
   * transaction asks again. */
  const db_ops *o = st->d->ops;
  if (o->others_wrote(st->d, err) < 0) return DYAD_EDB;
  int empty = 0;
  int rc = no_mentions(st, &empty, err);
  if (rc || !empty) return rc;
  int w = o->others_wrote(st->d, err);
  if (w < 0) return DYAD_EDB;
  if (w) return DYAD_OK;
  rc = db_exec(st->d, "INSERT INTO meta (key, value) VALUES ('regroup', 'all') "
                      "ON CONFLICT (key) DO UPDATE SET value = 'all'", err);
  if (rc) return rc;
  st->all_dirty = *on = 1;
  return DYAD_OK;
}

int ds_all_dirty(const dyad_store *st) { return st->all_dirty; }

void ds_forget_all_dirty(dyad_store *st) { st->all_dirty = 0; }

int dyad_store_remember(dyad_store *st, size_t max_bytes, int *on, dyad_error *err) {
  *on = 0;
  ds_log_drop(st);
  /* The load marks no dyad: `meta` says that every one waits. */
  int all = 0;
  int rc = ds_mark_all_dirty(st, &all, err);
  if (rc || !all) return rc;
  ds_log *l = du_calloc(1, sizeof *l);
  if (!l) return du_err(err, DYAD_ENOMEM, "out of memory");
  st->log = l;
  du_buf_init(&l->mids, 0);
  du_vec_init(&l->recs, sizeof(ds_logrec));
  if (du_intern_init(&l->strs) || du_intern_init(&l->stories)) {
    ds_log_drop(st);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  l->max_bytes = max_bytes;
  *on = 1;
  for (int i = 0; i < (int)DU_ARRAY_LEN(id_index_names) && !st->ids_pk && !rc; i++) {
    rc = drop_index(st, id_index_names[i], err);
    if (!rc) st->no_id_index[i] = 1;
  }
  return rc;
}

static size_t intern_bytes(const du_intern *t) {
  return t->pool.cap + t->nslots * sizeof *t->slots + (t->offs.cap + t->lens.cap) * sizeof(uint32_t);
}

static size_t log_bytes(const ds_log *l) {
  return l->recs.cap * l->recs.item + intern_bytes(&l->strs) + intern_bytes(&l->stories) +
         l->mids.cap + l->idcap * sizeof *l->idset;
}

/* The slot of mention id ID in the log's set: where it is, or the empty
 * slot where it would go. */
static size_t id_slot(const ds_log *l, const char *id) {
  size_t mask = l->idcap - 1, j = (size_t)du_hash(id, strlen(id)) & mask;
  while (l->idset[j] && strcmp(l->mids.data + l->idset[j] - 1, id)) j = (j + 1) & mask;
  return j;
}

/* Whether the load has put a mention with id ID. The ids' unique index
 * is left out while the log is kept, so the log finds a repeated id. */
static int log_has_id(const ds_log *l, const char *id) {
  return l->idcap && l->idset[id_slot(l, id)];
}

/* Add the mention id at offset OFF of the log's ids to its set; -1 when
 * out of memory. */
static int log_add_id(ds_log *l, uint32_t off) {
  if (2 * (l->nids + 1) > l->idcap) {
    size_t cap = l->idcap ? l->idcap * 2 : 4096;
    uint32_t *set = du_calloc(cap, sizeof *set);
    if (!set) return -1;
    for (size_t i = 0; i < l->idcap; i++) {
      if (!l->idset[i]) continue;
      const char *s = l->mids.data + l->idset[i] - 1;
      size_t j = (size_t)du_hash(s, strlen(s)) & (cap - 1);
      while (set[j]) j = (j + 1) & (cap - 1);
      set[j] = l->idset[i];
    }
    du_free(l->idset);
    l->idset = set;
    l->idcap = cap;
  }
  l->idset[id_slot(l, l->mids.data + off)] = off + 1;
  l->nids++;
  return 0;
}

/* The id of S in table T (NULL as ""); on failure 0, with *BAD set. */
static uint32_t log_str(du_intern *t, const char *s, int *bad) {
  if (!s) s = "";
  int64_t id = du_intern_add(t, s, strlen(s));
  if (id < 0) *bad = 1;
  return id < 0 ? 0 : (uint32_t)id;
}

/* Remember the mention E of story S (STORY, PUBLISHER: its ids in the
 * log), stored in row ROWID. On failure, or beyond its size, the log is
 * dropped (grouping then reads the database). */
static void log_put(dyad_store *st, uint32_t story, uint32_t publisher, const dyad_event *e,
                   int64_t rowid) {
  ds_log *l = st->log;
  ds_logrec *r = du_vec_push(&l->recs);
  int bad = !r;
  if (r) {
    du_intern *t = &l->strs;
    r->src = log_str(t, e->source.code, &bad);
    r->tgt = log_str(t, e->target.code, &bad);
    r->root = log_str(t, e->root, &bad);
    r->date = log_str(t, e->date, &bad);
    r->place = log_str(t, e->place.name, &bad);
    r->country = log_str(t, e->place.country, &bad);
    r->code = log_str(t, e->code, &bad);
    r->modality = log_str(t, dyad_modality_name(e->modality), &bad);
    r->story_date = log_str(t, e->story_date, &bad);
    r->scountry = log_str(t, e->source.country, &bad);
    r->tcountry = log_str(t, e->target.country, &bad);
    r->plover = log_str(t, e->plover, &bad);
    r->publisher = publisher;
    r->story = story;
    r->id = (uint32_t)l->mids.len;
    const char *id = e->event_id;
    bad |= l->mids.len > UINT32_MAX / 2 || du_buf_append(&l->mids, id, strlen(id) + 1) ||
           log_add_id(l, r->id);
    r->rowid = rowid;
    r->day = ymd_days(e->date);
    r->neg = e->modality == DYAD_MODE_NEGATED;
    r->has_ll = e->place.has_coords;
    r->lat = e->place.has_coords ? e->place.lat : 0;
    r->lon = e->place.has_coords ? e->place.lon : 0;
    r->gold = e->goldstein;
  }
  if (bad || rowid < 0 || log_bytes(l) > l->max_bytes) ds_log_drop(st);
}

void dyad_store_close(dyad_store *st) {
  if (!st) return;
  ds_log_drop(st);
  if (st->d->in_tx) db_exec(st->d, "ROLLBACK", NULL);
  finalize_all(st);
  du_arena_free(&st->dirty_strs);
  du_vec_free(&st->dirty);
  du_free(st->dirty_set);
  du_free(st->target);
  st->d->ops->close(st->d);
  du_free(st);
}

int dyad_store_open(const char *target, dyad_store **out, dyad_error *err) {
  if (!target || !*target) return du_err(err, DYAD_EINVAL, "no database given");
  dyad_store *st = du_calloc(1, sizeof *st);
  if (!st) return du_err(err, DYAD_ENOMEM, "out of memory");
  du_arena_init(&st->dirty_strs, 64 * 1024);
  du_vec_init(&st->dirty, sizeof(dkey));
  st->target = du_strdup(target);
  if (!st->target) {
    du_free(st);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  int rc;
  if (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11)) {
    rc = db_open_postgres(target, &st->d, err);
  } else {
    rc = db_open_sqlite(target, &st->d, err);
  }
  if (rc) {
    du_arena_free(&st->dirty_strs);
    du_free(st->target);
    du_free(st);
    return rc;
  }
  for (size_t i = 0; i < DU_ARRAY_LEN(schema) && !rc; i++) rc = db_exec(st->d, schema[i], err);
  if (!rc) rc = db_exec(st->d, "INSERT INTO meta(key, value) VALUES ('schema', '2') "
                               "ON CONFLICT (key) DO NOTHING", err);
  if (!rc) {
    db_stmt *q;
    rc = db_prepare(st->d, "SELECT value FROM meta WHERE key = 'schema'", &q, err);
    if (!rc) {
      if (st->d->ops->step(q, err) == 1) {
        const char *v = st->d->ops->col_text(q, 0);
        st->ids_pk = v && !strcmp(v, "1");
      }
      st->d->ops->finalize(q);
    }
  }
  /* A load killed before it built them left them out. */
  for (size_t i = 0; i < DU_ARRAY_LEN(id_indexes) && !rc && !st->ids_pk; i++) {
    rc = db_exec(st->d, id_indexes[i], err);
  }
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
  int rc = db_exec(st->d, st->d->ops->begin, err);
  if (!rc) st->d->in_tx = 1;
  /* What another connection wrote is not in the log: it goes. That
   * connection may have grouped, and cleared the mark on every dyad. */
  if (!rc && (st->log || st->all_dirty) && st->d->ops->others_wrote(st->d, NULL)) {
    ds_log_drop(st);
    st->all_dirty = 0;
  }
  return rc;
}

int dyad_store_commit(dyad_store *st, dyad_error *err) {
  /* On failure the transaction stays open for the caller to roll back. */
  int rc = dirty_flush(st, err);
  if (rc) {
    ds_log_drop(st);
    return rc;
  }
  rc = db_exec(st->d, "COMMIT", err);
  st->d->in_tx = 0;
  if (rc) ds_log_drop(st);
  return rc;
}

int dyad_store_rollback(dyad_store *st, dyad_error *err) {
  /* The log may hold what is rolled back. */
  ds_log_drop(st);
  dirty_forget(st);
  int rc = db_exec(st->d, "ROLLBACK", err);
  st->d->in_tx = 0;
  return rc;
}

/* ---- ingest ---- */

static void story_hash(const dyad_story *s, char out[17]) {
  static const char hex[] = "0123456789abcdef";
  uint64_t h = du_hash(s->date, strlen(s->date));
  h ^= du_hash(s->text ? s->text : "", s->text ? s->text_len : 0) * 31;
  h ^= du_hash(s->source ? s->source : "", s->source ? strlen(s->source) : 0) * 131;
  for (int i = 15; i >= 0; i--, h >>= 4) out[i] = hex[h & 15];
  out[16] = '\0';
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

enum { STORY_ABSENT, STORY_CHANGED, STORY_SAME };

/* Whether story S is stored, and with the text whose hash is HASH
 * (STORY_*), or negative on failure. The log of a load knows every story
 * id put since the store was empty, so a new id needs no lookup;
 * otherwise the id index is built first if the load dropped it. */
static int story_state(dyad_store *st, const dyad_story *s, const char *hash,
                       dyad_error *err) {
  if (st->log && du_intern_find(&st->log->stories, s->id, strlen(s->id)) < 0) return STORY_ABSENT;
  if (build_id_index(st, IX_STORIES, err)) return -1;
  const db_ops *o = st->d->ops;
  bt(o, st->get_hash, 1, s->id);
  int r = o->step(st->get_hash, err);
  const char *h = r == 1 ? o->col_text(st->get_hash, 0) : NULL;
  int state = r < 0    ? -1
              : r == 0 ? STORY_ABSENT
              : h && !strcmp(h, hash) ? STORY_SAME
                                      : STORY_CHANGED;
  o->reset(st->get_hash);
  return state;
}

int dyad_store_has_story(dyad_store *st, const dyad_story *s, dyad_error *err) {
  char hash[17];
  story_hash(s, hash);
  return story_state(st, s, hash, err) == STORY_SAME;
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

int dyad_store_put(dyad_store *st, const dyad_story *s, const dyad_event *ev, size_t n,
                   int *result, dyad_error *err) {
  const db_ops *o = st->d->ops;
  /* Outside a transaction another connection may write at any moment. */
  if (!st->d->in_tx) {
    ds_log_drop(st);
    st->all_dirty = 0;
  }
  /* Without the log, repeated mention ids are found by their unique
   * index, built now if the load left it out. */
  if (!st->log && build_id_index(st, IX_MENTIONS, err)) return DYAD_EDB;
  char hash[17];
  story_hash(s, hash);
  int state = story_state(st, s, hash, err);
  if (state < 0) return DYAD_EDB;
  if (state == STORY_SAME) {
    *result = DYAD_PUT_UNCHANGED;
    return DYAD_OK;
  }
  const char *text = s->text ? s->text : "";
  int r;
  if (state == STORY_CHANGED) {
    /* A changed story: its old mentions go, and their dyads are dirty.
     * The log would still hold them: grouping reads the database. */
    ds_log_drop(st);
    if (build_id_index(st, IX_MENTION_STORY, err)) return DYAD_EDB;
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
  uint32_t lstory = 0, lpublisher = 0;
  if (st->log) {
    int bad = 0;
    lstory = log_str(&st->log->stories, s->id, &bad);
    lpublisher = log_str(&st->log->strs, s->source, &bad);
    if (bad) ds_log_drop(st);
  }
  for (size_t i = 0; i < n; i++) {
    const dyad_event *e = &ev[i];
    /* A mention id put before (two story ids whose hashes agree): the
     * unique index makes the insert fail, as it would with the index
     * kept, and the store stays whole. */
    if (st->log && log_has_id(st->log, e->event_id)) {
      ds_log_drop(st);
      if (build_id_index(st, IX_MENTIONS, err)) return DYAD_EDB;
    }
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
    if (st->log) log_put(st, lstory, lpublisher, e, o->last_rowid(st->d));
    /* `meta` says that every dyad waits. */
    if (st->all_dirty) continue;
    int rc = mark_dirty(st, e->source.code, e->target.code, e->root,
                        e->modality == DYAD_MODE_NEGATED, err);
    if (rc) return rc;
  }
  return DYAD_OK;
}

/* The dyads waiting to be grouped: those in `dirty`, and every dyad of
 * the mentions while `meta` says so (ds_list_dirty). */
#define DIRTY_KEYS                                                                           \
  "SELECT source, target, root, negated FROM dirty UNION SELECT source, target, root, "      \
  "negated FROM mentions WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'regroup')"

int ds_list_dirty(dyad_store *st, dyad_error *err) {
  const db_ops *o = st->d->ops;
  db_stmt *q;
  int rc = db_prepare(st->d, "SELECT 1 FROM meta WHERE key = 'regroup'", &q, err);
  if (rc) return rc;
  int r = o->step(q, err);
  o->finalize(q);
  if (r <= 0) return r < 0 ? DYAD_EDB : DYAD_OK;
  rc = db_exec(st->d, "INSERT INTO dirty (source, target, root, negated) SELECT DISTINCT "
                      "source, target, root, negated FROM mentions WHERE true "
                      "ON CONFLICT (source, target, root, negated) DO NOTHING", err);
  if (!rc) rc = db_exec(st->d, "DELETE FROM meta WHERE key = 'regroup'", err);
  return rc;
}

int dyad_store_stats_get(dyad_store *st, dyad_store_stats *out, dyad_error *err) {
  const db_ops *o = st->d->ops;
  const char *sql = "SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM mentions), "
                    "(SELECT count(*) FROM events), (SELECT count(*) FROM events WHERE conflict = 1), "
                    "(SELECT count(*) FROM (" DIRTY_KEYS ") k)";
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

const char *ds_target(const dyad_store *st) { return st->target; }

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
      {"dirty", DIRTY_KEYS " ORDER BY source, target, root, negated"}};
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
