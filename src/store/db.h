/*
 * db.h - the little SQL layer under the store: one interface, two
 * backends (SQLite, PostgreSQL through libpq).
 *
 * SQL is written once with '?' placeholders; the PostgreSQL backend turns
 * them into $1, $2, ... Every value goes through a bound parameter: no
 * query text is ever built from data.
 */
#ifndef DYAD_DB_H
#define DYAD_DB_H

#include "util/util.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef struct db_ops {
  const char *name;
  int (*exec)(db *d, const char *sql, dyad_error *err);
  int (*prepare)(db *d, const char *sql, db_stmt **out, dyad_error *err);
  void (*bind_text)(db_stmt *s, int i, const char *v, size_t n);
  /* As bind_text, without a copy where the backend allows: V must stay
   * valid until the statement is reset. */
  void (*bind_ref)(db_stmt *s, int i, const char *v, size_t n);
  void (*bind_int)(db_stmt *s, int i, int64_t v);
  void (*bind_double)(db_stmt *s, int i, double v);
  void (*bind_null)(db_stmt *s, int i);
  /* 1: a row is ready; 0: done; negative: error (message in ERR). */
  int (*step)(db_stmt *s, dyad_error *err);
  int (*ncol)(db_stmt *s);
  const char *(*col_name)(db_stmt *s, int i);
  const char *(*col_text)(db_stmt *s, int i); /* NULL for SQL NULL */
  int64_t (*col_int)(db_stmt *s, int i);
  double (*col_double)(db_stmt *s, int i);
  void (*reset)(db_stmt *s);
  void (*finalize)(db_stmt *s);
  void (*close)(db *d);
  /* Starting a write transaction: with the write lock taken at once
   * where the backend allows, so that nobody else commits until it ends. */
  const char *begin;
  /* 1 when another connection may have committed changes since the last
   * call (the first call: since the connection opened), 0 when none did,
   * negative on failure. A backend that cannot tell says 1. */
  int (*others_wrote)(db *d, dyad_error *err);
  /* The row id of the last row inserted, or -1 where rows have none. */
  int64_t (*last_rowid)(db *d);
} db_ops;

struct db {
  const db_ops *ops;
  int in_tx;
};

int db_open_sqlite(const char *path, db **out, dyad_error *err);
/* Returns DYAD_EUNSUPPORTED when built without libpq. */
int db_open_postgres(const char *url, db **out, dyad_error *err);

/* The connection under a store, the target it was opened with, and the
 * indexes grouping from the database needs (store.c) to read mentions by
 * key and write events (the ids' and the keys'), built where missing. */
db *ds_db(dyad_store *st);
const char *ds_target(const dyad_store *st);
int ds_build_key_index(dyad_store *st, dyad_error *err);

/* A load into a store that held no mentions can keep, in memory, the
 * grouping values of every mention it puts (dyad_store_remember), so that
 * grouping works from memory instead of reading back what was just
 * written. It is kept only while no other connection writes to the store
 * (each transaction checks, with the write lock held), and only on a
 * backend that can tell (SQLite). Strings are ids in the log's intern
 * tables, mention ids offsets into its buffer of them. */
typedef struct ds_logrec {
  uint32_t src, tgt, root, date, place, country, code, modality, publisher, story_date,
      scountry, tcountry, plover; /* in strs */
  uint32_t story;                 /* in stories */
  uint32_t id;                    /* in mids */
  int32_t day, neg, has_ll;
  int64_t rowid; /* of the mention's row */
  double lat, lon, gold;
} ds_logrec;

typedef struct ds_log {
  du_intern strs;    /* the records' values: few and often repeated */
  du_intern stories; /* the story ids put */
  du_buf mids;       /* the mention ids, each ending in NUL */
  uint32_t *idset;   /* open addressing: offset in mids + 1, 0 empty */
  size_t idcap, nids;
  du_vec recs;       /* ds_logrec, in the order put */
  size_t max_bytes;  /* beyond this the log is dropped */
} ds_log;

/* The log when it holds every mention of the store, else NULL; and
 * dropping it (grouping then reads the database). A load that keeps a
 * log marks every dyad waiting first (ds_mark_all_dirty). */
ds_log *ds_log_get(dyad_store *st);
void ds_log_drop(dyad_store *st);

/* When `meta` says that every dyad waits, list them in `dirty` and clear
 * the mark; in a transaction. */
int ds_list_dirty(dyad_store *st, dyad_error *err);

/* Before a load into a store that holds no mentions (*ON = 1; else 0 and
 * nothing changes; outside a transaction): mark every dyad as waiting to
 * be grouped, in `meta`, so that the load need not mark the dyads it
 * touches. ds_all_dirty says whether that still holds: it ends when
 * another connection writes (it may have grouped and cleared the mark;
 * seen at each dyad_store_begin), at a put outside a transaction, and
 * when grouping starts (ds_forget_all_dirty). */
int ds_mark_all_dirty(dyad_store *st, int *on, dyad_error *err);
int ds_all_dirty(const dyad_store *st);
void ds_forget_all_dirty(dyad_store *st);

/* dyad_store_dedup with its sizes given (dedup.c): BATCH_KEYS dyads per
 * transaction, CHUNK_EVENTS events per hand-over from reader to writer,
 * the reader on a thread of its own when THREADS and the target allow.
 * The result does not depend on them; tests vary them. */
int ds_dedup(dyad_store *st, int batch_keys, size_t chunk_events, int threads,
             dyad_error *err);

/* Convenience wrappers. */
static inline int db_exec(db *d, const char *sql, dyad_error *err) {
  return d->ops->exec(d, sql, err);
}
static inline int db_prepare(db *d, const char *sql, db_stmt **out, dyad_error *err) {
  return d->ops->prepare(d, sql, out, err);
}

#endif /* DYAD_DB_H */
