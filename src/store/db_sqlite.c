/* db_sqlite.c - the SQLite backend of the SQL layer. */
#include <sqlite3.h>

#include "store/db.h"

typedef struct sdb {
  db base;
  sqlite3 *h;
  sqlite3_stmt *version; /* PRAGMA data_version */
  int64_t last_version;
} sdb;

struct db_stmt {
  sqlite3_stmt *s;
  sdb *d;
  int stepped;
};

static int s_err(sdb *d, dyad_error *err, const char *what) {
  return du_err(err, DYAD_EDB, "sqlite: %s: %s", what, sqlite3_errmsg(d->h));
}

static int s_exec(db *base, const char *sql, dyad_error *err) {
  sdb *d = (sdb *)base;
  char *msg = NULL;
  if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
    int rc = du_err(err, DYAD_EDB, "sqlite: %s", msg ? msg : sqlite3_errmsg(d->h));
    sqlite3_free(msg);
    return rc;
  }
  return DYAD_OK;
}

static int s_prepare(db *base, const char *sql, db_stmt **out, dyad_error *err) {
  sdb *d = (sdb *)base;
  db_stmt *st = du_calloc(1, sizeof *st);
  if (!st) return du_err(err, DYAD_ENOMEM, "out of memory");
  if (sqlite3_prepare_v2(d->h, sql, -1, &st->s, NULL) != SQLITE_OK) {
    du_free(st);
    return s_err(d, err, "prepare");
  }
  st->d = d;
  *out = st;
  return DYAD_OK;
}

static void s_bind_text(db_stmt *s, int i, const char *v, size_t n) {
  if (!v) sqlite3_bind_null(s->s, i);
  else sqlite3_bind_text(s->s, i, v, (int)n, SQLITE_TRANSIENT);
}
static void s_bind_ref(db_stmt *s, int i, const char *v, size_t n) {
  if (!v) sqlite3_bind_null(s->s, i);
  else sqlite3_bind_text(s->s, i, v, (int)n, SQLITE_STATIC);
}
static void s_bind_int(db_stmt *s, int i, int64_t v) { sqlite3_bind_int64(s->s, i, v); }
static void s_bind_double(db_stmt *s, int i, double v) { sqlite3_bind_double(s->s, i, v); }
static void s_bind_null(db_stmt *s, int i) { sqlite3_bind_null(s->s, i); }

static int s_step(db_stmt *s, dyad_error *err) {
  int rc = sqlite3_step(s->s);
  if (rc == SQLITE_ROW) return 1;
  if (rc == SQLITE_DONE) return 0;
  s_err(s->d, err, "step");
  return -1;
}

static int s_ncol(db_stmt *s) { return sqlite3_column_count(s->s); }
static const char *s_col_name(db_stmt *s, int i) { return sqlite3_column_name(s->s, i); }
static const char *s_col_text(db_stmt *s, int i) {
  return (const char *)sqlite3_column_text(s->s, i);
}
static int64_t s_col_int(db_stmt *s, int i) { return sqlite3_column_int64(s->s, i); }
static double s_col_double(db_stmt *s, int i) { return sqlite3_column_double(s->s, i); }
static void s_reset(db_stmt *s) {
  sqlite3_reset(s->s);
  sqlite3_clear_bindings(s->s);
}
static void s_finalize(db_stmt *s) {
  if (!s) return;
  sqlite3_finalize(s->s);
  du_free(s);
}
static void s_close(db *base) {
  sdb *d = (sdb *)base;
  sqlite3_finalize(d->version);
  sqlite3_close(d->h);
  du_free(d);
}

/* PRAGMA data_version changes when another connection commits. */
static int s_others_wrote(db *base, dyad_error *err) {
  sdb *d = (sdb *)base;
  if (!d->version && sqlite3_prepare_v2(d->h, "PRAGMA data_version", -1, &d->version, NULL)) {
    return s_err(d, err, "prepare");
  }
  if (sqlite3_step(d->version) != SQLITE_ROW) {
    sqlite3_reset(d->version);
    return s_err(d, err, "data_version");
  }
  int64_t v = sqlite3_column_int64(d->version, 0);
  sqlite3_reset(d->version);
  int changed = v != d->last_version;
  d->last_version = v;
  return changed;
}

static int64_t s_last_rowid(db *base) { return sqlite3_last_insert_rowid(((sdb *)base)->h); }

static const db_ops sqlite_ops = {
    "sqlite",    s_exec,     s_prepare,  s_bind_text, s_bind_ref, s_bind_int, s_bind_double,
    s_bind_null, s_step,     s_ncol,     s_col_name,  s_col_text, s_col_int,
    s_col_double, s_reset,   s_finalize, s_close,     "BEGIN IMMEDIATE", s_others_wrote,
    s_last_rowid};

int db_open_sqlite(const char *path, db **out, dyad_error *err) {
  sdb *d = du_calloc(1, sizeof *d);
  if (!d) return du_err(err, DYAD_ENOMEM, "out of memory");
  d->base.ops = &sqlite_ops;
  /* A connection is used by one thread at a time (the dashboard keeps one
   * per worker): no mutex around every call. */
  if (sqlite3_open_v2(path, &d->h,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    int rc = du_err(err, DYAD_EDB, "cannot open %s: %s", path,
                    d->h ? sqlite3_errmsg(d->h) : "out of memory");
    sqlite3_close(d->h);
    du_free(d);
    return rc;
  }
  sqlite3_busy_timeout(d->h, 10000);
  /* WAL survives a killed writer and lets readers (the dashboard) read
   * while ingest writes; NORMAL sync is safe with WAL. A checkpoint
   * (copying the WAL into the database, with two fsyncs) comes after
   * 64 MB of WAL rather than the default 4 MB: a page changed by several
   * transactions in between is copied once. */
  int rc = s_exec(&d->base,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                  "PRAGMA wal_autocheckpoint=16384; "
                  "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                  "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
                  err);
  if (rc) {
    s_close(&d->base);
    return rc;
  }
  /* The first look at data_version counts as a change. */
  d->last_version = -1;
  *out = &d->base;
  return DYAD_OK;
}
