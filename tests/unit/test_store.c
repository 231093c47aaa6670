/* test_store.c - grouping gives the same store whatever its batch sizes,
 * threads and connections. */
#include <unistd.h>

#include "store/db.h"
#include "test.h"

static const char *const actors[] = {"NTH", "STH", "EST", "WST", "NTHGOV"};
static const char *const roots[] = {"04", "05", "19"};

/* Made-up story I, with id PREFIX and I, and events over many dyads,
 * dates a day or more apart, places in two countries and none, four
 * publishers. VERSION changes the texts (and so the events) of every
 * fifth story. */
static void put_story(dyad_store *st, const char *prefix, int i, int version) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  char id[16], date[16], text[64], pub[16];
  int changed = version && i % 5 == 0;
  snprintf(id, sizeof id, "%s%03d", prefix, i);
  snprintf(date, sizeof date, "2024-03-%02d", 1 + i % 28);
  snprintf(text, sizeof text, "story %d version %d", i, changed ? version : 0);
  snprintf(pub, sizeof pub, "pub%d", i % 4);
  dyad_story s = {id, date, text, strlen(text), pub, NULL};
  dyad_event ev[3];
  char names[3][16];
  memset(ev, 0, sizeof ev);
  for (int k = 0; k < 3; k++) {
    dyad_event *x = &ev[k];
    int shift = changed ? 1 : 0;
    x->story_id = id;
    x->sentence = (uint32_t)k;
    snprintf(x->event_id, sizeof x->event_id, "%s%08x-0-%d", prefix,
             (unsigned)(i * 2654435761u), k);
    x->source.code = actors[(i + k + shift) % 5];
    x->target.code = actors[(i + 2 * k + 1) % 5];
    x->source.country = x->target.country = x->source.sector = x->target.sector = "";
    const char *root = roots[(i * (k + 1) + shift) % 3];
    snprintf(x->root, sizeof x->root, "%s", root);
    snprintf(x->code, sizeof x->code, "%s%d", root, k);
    x->goldstein = (double)(i % 7) - 3.0;
    x->quad_class = 1;
    x->plover = x->plover_mode = x->plover_context = "";
    x->modality = i % 11 == 0 ? DYAD_MODE_NEGATED : i % 3 == 0 ? DYAD_MODE_REPORTED
                                                               : DYAD_MODE_ASSERTED;
    snprintf(x->story_date, sizeof x->story_date, "%s", date);
    snprintf(x->date, sizeof x->date, "2024-04-%02d", 1 + (i * 3 + k) % 20);
    x->date_text = "";
    if (i % 3) {
      snprintf(names[k], sizeof names[k], "City%d", (i + k) % 3);
      x->place.text = x->place.name = names[k];
      x->place.country = i % 5 == 1 ? "BBB" : "AAA";
      x->place.admin1 = "";
      x->place.has_coords = 1;
      x->place.lat = i % 3;
      x->place.lon = k;
    } else {
      x->place.text = x->place.name = x->place.country = x->place.admin1 = "";
    }
    x->pattern = "test";
  }
  int result;
  ASSERT_EQ(dyad_store_put(st, &s, ev, 3, &result, &e), DYAD_OK);
}

/* 300 made-up stories in one transaction; from VERSION 1 on, 30 new
 * ones too, whose mentions join events stored before. */
static void put_corpus(dyad_store *st, int version) {
  dyad_error e;
  memset(&e, 0, sizeof e);
  ASSERT_EQ(dyad_store_begin(st, &e), DYAD_OK);
  for (int i = 0; i < 300; i++) put_story(st, "s", i, version);
  for (int i = 0; version && i < 30; i++) put_story(st, "t", i * 3 + 1, 0);
  ASSERT_EQ(dyad_store_commit(st, &e), DYAD_OK);
}

/* Another connection to PATH puts stories of its own, on the same dyads. */
static void put_from_elsewhere(const char *path) {
  dyad_store *o = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  ASSERT_EQ(dyad_store_open(path, &o, &e), DYAD_OK);
  if (!o) return;
  ASSERT_EQ(dyad_store_begin(o, &e), DYAD_OK);
  for (int i = 0; i < 20; i++) put_story(o, "x", i * 7, 0);
  ASSERT_EQ(dyad_store_commit(o, &e), DYAD_OK);
  dyad_store_close(o);
}

/* The store's dump, as a string to free. */
static char *dump(dyad_store *st) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  dyad_error e;
  memset(&e, 0, sizeof e);
  ASSERT_EQ(dyad_store_dump(st, f, &e), DYAD_OK);
  fclose(f);
  return buf;
}

static void remove_db(const char *path) {
  char p[300];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

/* Ingest the corpus, group, change a fifth of it, group again; the dumps
 * after each grouping. BATCH_KEYS 0: dyad_store_dedup itself. REMEMBER:
 * the first load keeps its mentions in memory for grouping, in up to
 * that many bytes (too few: the store drops them and reads the
 * database). */
static void run(const char *target, int batch_keys, size_t chunk, int threads, size_t remember,
                char **first, char **second) {
  dyad_store *st = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  ASSERT_EQ(dyad_store_open(target, &st, &e), DYAD_OK);
  if (!st) return;
  int deferred = 0;
  ASSERT_EQ(dyad_store_defer_indexes(st, &deferred, &e), DYAD_OK);
  if (remember) {
    int on = 0;
    ASSERT_EQ(dyad_store_remember(st, remember, &on, &e), DYAD_OK);
    ASSERT_EQ(on, 1);
  }
  put_corpus(st, 0);
  /* 300 stories of 3 mentions take more than 16 kB to remember. */
  if (remember) ASSERT_EQ(ds_log_get(st) != NULL, remember > 16384);
  ASSERT_EQ(batch_keys ? ds_dedup(st, batch_keys, chunk, threads, &e) : dyad_store_dedup(st, &e),
            DYAD_OK);
  *first = dump(st);
  ASSERT_TRUE(ds_log_get(st) == NULL);
  if (remember) {
    /* The store holds mentions now: nothing to remember. */
    int on = 1;
    ASSERT_EQ(dyad_store_remember(st, remember, &on, &e), DYAD_OK);
    ASSERT_EQ(on, 0);
  }
  put_corpus(st, 1);
  ASSERT_EQ(batch_keys ? ds_dedup(st, batch_keys, chunk, threads, &e) : dyad_store_dedup(st, &e),
            DYAD_OK);
  *second = dump(st);
  /* Regrouping kept the events that did not change: the same as grouping
   * every mention afresh. */
  ASSERT_EQ(db_exec(ds_db(st), "DELETE FROM events; UPDATE mentions SET event_id = id; "
                    "INSERT INTO dirty SELECT DISTINCT source, target, root, negated FROM "
                    "mentions", &e), DYAD_OK);
  ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
  char *afresh = dump(st);
  if (*second && strcmp(afresh, *second)) FAIL_AT("regrouping differs from grouping afresh");
  free(afresh);
  dyad_store_stats ss;
  ASSERT_EQ(dyad_store_stats_get(st, &ss, &e), DYAD_OK);
  ASSERT_EQ(ss.dirty, 0);
  ASSERT_EQ(ss.mentions, 990);
  ASSERT_TRUE(ss.events > 100 && ss.events < 990);
  ASSERT_TRUE(ss.conflicts > 0);
  dyad_store_close(st);
}

/* A new store at PATH that remembers its load in up to MAX_BYTES. */
static dyad_store *open_remembering(const char *path, size_t max_bytes) {
  remove_db(path);
  dyad_store *st = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
  if (!st) return NULL;
  int on = 0;
  ASSERT_EQ(dyad_store_remember(st, max_bytes, &on, &e), DYAD_OK);
  ASSERT_EQ(on, 1);
  return st;
}

TEST(store_dedup_sizes) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/dyad-unit-store-%ld.db", (long)getpid());
  const size_t big = 1 << 24, small = 16384;
  struct { const char *target; int keys; size_t chunk; int threads; size_t remember; } runs[] = {
      {path, 0, 0, 0, 0},           /* dyad_store_dedup: the reference */
      {path, 3, 4, 1, 0},           /* many batches, many chunks, a reader thread */
      {path, 1, 1, 1, 0},           /* a key per batch, an event per chunk */
      {path, 7, 5, 0, 0},           /* one thread */
      {":memory:", 3, 4, 1, 0},     /* no second connection: one thread */
      {path, 0, 0, 0, big},         /* grouping from memory */
      {path, 3, 4, 1, big},         /* from memory, many batches, a thread */
      {path, 1, 1, 0, big},         /* from memory, a key per batch, one thread */
      {path, 3, 4, 1, small},       /* too little memory: from the database */
  };
  char *ref1 = NULL, *ref2 = NULL;
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    remove_db(path);
    char *a = NULL, *b = NULL;
    run(runs[i].target, runs[i].keys, runs[i].chunk, runs[i].threads, runs[i].remember, &a,
        &b);
    if (!a || !b) {
      FAIL_AT("run %zu gave no dump", i);
    } else if (!ref1) {
      ref1 = a;
      ref2 = b;
      ASSERT_TRUE(strcmp(ref1, ref2) != 0);
      continue;
    } else {
      if (strcmp(a, ref1)) FAIL_AT("run %zu: first grouping differs", i);
      if (strcmp(b, ref2)) FAIL_AT("run %zu: second grouping differs", i);
    }
    free(a);
    free(b);
  }
  /* A load that replaces stories it put itself groups from the database,
   * and ends where the reference's second grouping did. */
  dyad_store *st = open_remembering(path, big);
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (st) {
    put_corpus(st, 0);
    ASSERT_TRUE(ds_log_get(st) != NULL);
    put_corpus(st, 1);
    ASSERT_TRUE(ds_log_get(st) == NULL);
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    char *c = dump(st);
    if (ref2 && strcmp(c, ref2)) FAIL_AT("a load replacing its own stories differs");
    free(c);
    dyad_store_close(st);
  }
  /* A store of schema 1, whose ids are primary keys (stood in for here
   * by the id indexes), keeps them through a load. */
  remove_db(path);
  st = NULL;
  ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
  if (st) {
    ASSERT_EQ(db_exec(ds_db(st), "UPDATE meta SET value = '1' WHERE key = 'schema'", &e), DYAD_OK);
    dyad_store_close(st);
    st = NULL;
  }
  ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
  if (st) {
    int on = 0;
    ASSERT_EQ(dyad_store_remember(st, big, &on, &e), DYAD_OK);
    ASSERT_EQ(on, 1);
    db_stmt *q = NULL;
    ASSERT_EQ(db_prepare(ds_db(st), "SELECT count(*) FROM sqlite_master WHERE name IN "
                         "('stories_id', 'mentions_id', 'events_id')", &q, &e), DYAD_OK);
    if (q) {
      ASSERT_EQ(ds_db(st)->ops->step(q, &e), 1);
      ASSERT_EQ(ds_db(st)->ops->col_int(q, 0), 3);
      ds_db(st)->ops->finalize(q);
    }
    put_corpus(st, 0);
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    char *c = dump(st);
    if (ref1 && strcmp(c, ref1)) FAIL_AT("a load into a store of schema 1 differs");
    free(c);
    dyad_store_close(st);
  }
  /* A rolled-back transaction takes the memory with it. */
  st = open_remembering(path, big);
  if (st) {
    int on = 0;
    ASSERT_EQ(dyad_store_begin(st, &e), DYAD_OK);
    ASSERT_EQ(dyad_store_remember(st, big, &on, &e), DYAD_EINVAL);
    ASSERT_EQ(on, 0);
    ASSERT_EQ(dyad_store_rollback(st, &e), DYAD_OK);
    ASSERT_EQ(dyad_store_remember(st, big, &on, &e), DYAD_OK);
    ASSERT_EQ(on, 1);
    ASSERT_EQ(dyad_store_begin(st, &e), DYAD_OK);
    dyad_story s = {"r1", "2024-01-01", "text", 4, NULL, NULL};
    int result = -1;
    ASSERT_EQ(dyad_store_put(st, &s, NULL, 0, &result, &e), DYAD_OK);
    ASSERT_EQ(result, DYAD_PUT_INSERTED);
    ASSERT_TRUE(ds_log_get(st) != NULL);
    ASSERT_EQ(dyad_store_rollback(st, &e), DYAD_OK);
    ASSERT_TRUE(ds_log_get(st) == NULL);
    ASSERT_EQ(dyad_store_has_story(st, &s, &e), 0);
    dyad_store_close(st);
  }
  /* Two story ids whose mentions' ids agree (their hashes collide): the
   * second put fails on the mention id, as it would with the unique index
   * kept, whether the load still keeps its memory or has dropped it; the
   * store stays whole and opens again. */
  for (int dropped = 0; dropped < 2; dropped++) {
    st = open_remembering(path, big);
    if (!st) continue;
    ASSERT_EQ(dyad_store_begin(st, &e), DYAD_OK);
    dyad_event ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.event_id, sizeof ev.event_id, "%s", "0123456789abcdef-0-0");
    ev.source.code = "NTH";
    ev.target.code = "STH";
    snprintf(ev.root, sizeof ev.root, "04");
    snprintf(ev.code, sizeof ev.code, "040");
    snprintf(ev.date, sizeof ev.date, "2024-01-01");
    snprintf(ev.story_date, sizeof ev.story_date, "2024-01-01");
    dyad_story a = {"c1", "2024-01-01", "one", 3, NULL, NULL};
    dyad_story b = {"c2", "2024-01-01", "two", 3, NULL, NULL};
    int result = -1;
    ASSERT_EQ(dyad_store_put(st, &a, &ev, 1, &result, &e), DYAD_OK);
    ASSERT_TRUE(ds_log_get(st) != NULL);
    if (dropped) {
      ds_log_drop(st);
      put_story(st, "s", 1, 0);
    }
    ASSERT_EQ(dyad_store_put(st, &b, &ev, 1, &result, &e), DYAD_EDB);
    ASSERT_TRUE(strstr(e.message, "UNIQUE") != NULL || strstr(e.message, "unique") != NULL);
    ASSERT_EQ(dyad_store_rollback(st, &e), DYAD_OK);
    dyad_store_close(st);
    st = NULL;
    ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
    if (st) {
      ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
      dyad_store_stats ss;
      ASSERT_EQ(dyad_store_stats_get(st, &ss, &e), DYAD_OK);
      ASSERT_EQ(ss.mentions, 0);
      dyad_store_close(st);
    }
  }
  /* A put outside a transaction: another connection may write at any
   * moment, so the memory goes. */
  st = open_remembering(path, big);
  if (st) {
    dyad_story s = {"o1", "2024-01-01", "text", 4, NULL, NULL};
    int result = -1;
    ASSERT_EQ(dyad_store_put(st, &s, NULL, 0, &result, &e), DYAD_OK);
    ASSERT_TRUE(ds_log_get(st) == NULL);
    dyad_store_close(st);
  }
  /* A load marks no dyad: the store says that every one waits, until a
   * grouping (here by the next connection, as after `ingest --no-dedup`)
   * lists them and clears the mark. */
  st = open_remembering(path, big);
  if (st) {
    put_corpus(st, 0);
    dyad_store_stats ss;
    ASSERT_EQ(dyad_store_stats_get(st, &ss, &e), DYAD_OK);
    db_stmt *q = NULL;
    ASSERT_EQ(db_prepare(ds_db(st), "SELECT count(*) FROM (SELECT DISTINCT source, target, "
                         "root, negated FROM mentions) k", &q, &e), DYAD_OK);
    if (q) {
      ASSERT_EQ(ds_db(st)->ops->step(q, &e), 1);
      ASSERT_TRUE(ss.dirty > 10);
      ASSERT_EQ(ss.dirty, ds_db(st)->ops->col_int(q, 0));
      ds_db(st)->ops->finalize(q);
    }
    char *c = dump(st);
    ASSERT_TRUE(strstr(c, "== dirty\nEST\t") != NULL);
    free(c);
    dyad_store_close(st);
    st = NULL;
    ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
  }
  if (st) {
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    char *c = dump(st);
    if (ref1 && strcmp(c, ref1)) FAIL_AT("grouping a load by the next connection differs");
    free(c);
    ASSERT_EQ(db_exec(ds_db(st), "DELETE FROM meta WHERE key = 'schema'", &e), DYAD_OK);
    db_stmt *q = NULL;
    ASSERT_EQ(db_prepare(ds_db(st), "SELECT count(*) FROM meta", &q, &e), DYAD_OK);
    if (q) {
      ASSERT_EQ(ds_db(st)->ops->step(q, &e), 1);
      ASSERT_EQ(ds_db(st)->ops->col_int(q, 0), 0);
      ds_db(st)->ops->finalize(q);
    }
    dyad_store_close(st);
  }
  /* Another connection groups in the middle of a load, clearing the mark:
   * from then on the load marks its dyads itself. */
  st = open_remembering(path, big);
  if (st) {
    for (int half = 0; half < 2; half++) {
      ASSERT_EQ(dyad_store_begin(st, &e), DYAD_OK);
      for (int i = half * 150; i < half * 150 + 150; i++) put_story(st, "s", i, 0);
      ASSERT_EQ(dyad_store_commit(st, &e), DYAD_OK);
      if (half) continue;
      dyad_store *o = NULL;
      ASSERT_EQ(dyad_store_open(path, &o, &e), DYAD_OK);
      if (o) {
        ASSERT_EQ(dyad_store_dedup(o, &e), DYAD_OK);
        dyad_store_close(o);
      }
    }
    ASSERT_TRUE(ds_log_get(st) == NULL);
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    char *c = dump(st);
    if (ref1 && strcmp(c, ref1)) FAIL_AT("a load grouped midway by another connection differs");
    free(c);
    dyad_store_close(st);
  }
  /* Another connection writes during a load, or after it and before its
   * grouping: what it wrote is not in the memory, which goes; grouping
   * reads the database, and the result is that of a load without memory. */
  char *ref3 = NULL;
  remove_db(path);
  st = NULL;
  ASSERT_EQ(dyad_store_open(path, &st, &e), DYAD_OK);
  if (st) {
    put_corpus(st, 0);
    put_from_elsewhere(path);
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    ref3 = dump(st);
    ASSERT_TRUE(ref1 && strcmp(ref3, ref1) != 0);
    dyad_store_close(st);
  }
  for (int when = 0; when < 2; when++) {
    st = open_remembering(path, big);
    if (!st) continue;
    if (when == 0) {
      put_from_elsewhere(path);
      put_corpus(st, 0);
    } else {
      put_corpus(st, 0);
      ASSERT_TRUE(ds_log_get(st) != NULL);
      put_from_elsewhere(path);
    }
    ASSERT_EQ(ds_log_get(st) != NULL, when == 1);
    ASSERT_EQ(dyad_store_dedup(st, &e), DYAD_OK);
    char *c = dump(st);
    if (ref3 && strcmp(c, ref3)) FAIL_AT("another writer %s the load: the store differs",
                                         when ? "after" : "during");
    free(c);
    dyad_store_stats ss;
    ASSERT_EQ(dyad_store_stats_get(st, &ss, &e), DYAD_OK);
    ASSERT_EQ(ss.dirty, 0);
    ASSERT_EQ(ss.mentions, 960);
    dyad_store_close(st);
  }
  remove_db(path);
  free(ref1);
  free(ref2);
  free(ref3);
}
