/*
 * db_postgres.c - the PostgreSQL backend of the SQL layer (libpq).
 *
 * Statements are sent with PQexecParams (text parameters, '?' turned into
 * $n); a statement run a second time is prepared on the server, so that it
 * is parsed and planned once however often it runs (grouping runs its
 * statements once per event). A step fetches the whole result on the
 * first call and then walks its rows.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define PG_MAX_PARAMS 64

typedef struct pdb {
  db base;
  PGconn *c;
  unsigned nprepared; /* names the server's prepared statements */
} pdb;

struct db_stmt {
  pdb *d;
  char *sql;                 /* with $n placeholders */
  int nparams;
  char *vals[PG_MAX_PARAMS];
  int isnull[PG_MAX_PARAMS];
  PGresult *res;
  int row, nrows;
  int runs;                  /* executions so far */
  char name[24];             /* prepared on the server as NAME, or "" */
};

static int p_err(pdb *d, dyad_error *err, const char *what) {
  const char *m = PQerrorMessage(d->c);
  char buf[400];
  snprintf(buf, sizeof buf, "%s", m ? m : "");
  size_t n = strlen(buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = '\0';
  return du_err(err, DYAD_EDB, "postgresql: %s: %s", what, buf);
}

static int p_exec(db *base, const char *sql, dyad_error *err) {
  pdb *d = (pdb *)base;
  PGresult *r = PQexec(d->c, sql);
  ExecStatusType s = PQresultStatus(r);
  int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  int rc = ok ? DYAD_OK : du_err(err, DYAD_EDB, "postgresql: %s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

static int p_prepare(db *base, const char *sql, db_stmt **out, dyad_error *err) {
  pdb *d = (pdb *)base;
  db_stmt *st = du_calloc(1, sizeof *st);
  if (!st) return du_err(err, DYAD_ENOMEM, "out of memory");
  size_t n = strlen(sql);
  st->sql = du_malloc(n * 4 + 1);
  if (!st->sql) {
    du_free(st);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  /* '?' outside quotes becomes $n. */
  size_t o = 0;
  int quote = 0;
  for (size_t i = 0; i < n; i++) {
    if (sql[i] == '\'') quote = !quote;
    if (sql[i] == '?' && !quote) {
      o += (size_t)sprintf(st->sql + o, "$%d", ++st->nparams);
    } else {
      st->sql[o++] = sql[i];
    }
  }
  st->sql[o] = '\0';
  if (st->nparams > PG_MAX_PARAMS) {
    du_free(st->sql);
    du_free(st);
    return du_err(err, DYAD_EINVAL, "too many parameters");
  }
  st->d = d;
  *out = st;
  return DYAD_OK;
}

static void set_val(db_stmt *s, int i, char *v) {
  if (i < 1 || i > PG_MAX_PARAMS) {
    du_free(v);
    return;
  }
  du_free(s->vals[i - 1]);
  s->vals[i - 1] = v;
  s->isnull[i - 1] = v == NULL;
}

static void p_bind_text(db_stmt *s, int i, const char *v, size_t n) {
  set_val(s, i, v ? du_strndup(v, n) : NULL);
}
static void p_bind_int(db_stmt *s, int i, int64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  set_val(s, i, du_strdup(buf));
}
static void p_bind_double(db_stmt *s, int i, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", v);
  set_val(s, i, du_strdup(buf));
}
static void p_bind_null(db_stmt *s, int i) { set_val(s, i, NULL); }

static int p_step(db_stmt *s, dyad_error *err) {
  if (!s->res) {
    PGconn *c = s->d->c;
    const char *const *vals = (const char *const *)s->vals;
    if (s->runs++ == 1) {
      char name[sizeof s->name];
      snprintf(name, sizeof name, "dyad_%u", ++s->d->nprepared);
      PGresult *p = PQprepare(c, name, s->sql, s->nparams, NULL);
      int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
      if (!ok) du_err(err, DYAD_EDB, "postgresql: %s", PQresultErrorMessage(p));
      PQclear(p);
      if (!ok) return -1;
      memcpy(s->name, name, sizeof name);
    }
    s->res = s->name[0] ? PQexecPrepared(c, s->name, s->nparams, vals, NULL, NULL, 0)
                        : PQexecParams(c, s->sql, s->nparams, NULL, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(s->res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      du_err(err, DYAD_EDB, "postgresql: %s", PQresultErrorMessage(s->res));
      PQclear(s->res);
      s->res = NULL;
      return -1;
    }
    s->nrows = PQntuples(s->res);
    s->row = -1;
  }
  if (++s->row < s->nrows) return 1;
  return 0;
}

static int p_ncol(db_stmt *s) { return s->res ? PQnfields(s->res) : 0; }
static const char *p_col_name(db_stmt *s, int i) { return PQfname(s->res, i); }
static const char *p_col_text(db_stmt *s, int i) {
  if (PQgetisnull(s->res, s->row, i)) return NULL;
  return PQgetvalue(s->res, s->row, i);
}
static int64_t p_col_int(db_stmt *s, int i) {
  const char *v = p_col_text(s, i);
  return v ? strtoll(v, NULL, 10) : 0;
}
static double p_col_double(db_stmt *s, int i) {
  const char *v = p_col_text(s, i);
  return v ? strtod(v, NULL) : 0;
}
static void p_reset(db_stmt *s) {
  if (s->res) PQclear(s->res);
  s->res = NULL;
  for (int i = 0; i < PG_MAX_PARAMS; i++) {
    du_free(s->vals[i]);
    s->vals[i] = NULL;
  }
}
static void p_finalize(db_stmt *s) {
  if (!s) return;
  p_reset(s);
  if (s->name[0]) {
    /* Prepared statements belong to the session, not to a transaction. */
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(PQexec(s->d->c, sql));
  }
  du_free(s->sql);
  du_free(s);
}
static void p_close(db *base) {
  pdb *d = (pdb *)base;
  PQfinish(d->c);
  du_free(d);
}

/* Nothing cheap tells whether another session committed. */
static int p_others_wrote(db *d, dyad_error *err) {
  (void)d;
  (void)err;
  return 1;
}

static int64_t p_last_rowid(db *d) {
  (void)d;
  return -1;
}

static const db_ops pg_ops = {
    "postgresql", p_exec,    p_prepare,  p_bind_text, p_bind_text, p_bind_int, p_bind_double,
    p_bind_null,  p_step,    p_ncol,     p_col_name,  p_col_text, p_col_int,
    p_col_double, p_reset,   p_finalize, p_close,     "BEGIN",     p_others_wrote,
    p_last_rowid};

int db_open_postgres(const char *url, db **out, dyad_error *err) {
  pdb *d = du_calloc(1, sizeof *d);
  if (!d) return du_err(err, DYAD_ENOMEM, "out of memory");
  d->base.ops = &pg_ops;
  d->c = PQconnectdb(url);
  if (PQstatus(d->c) != CONNECTION_OK) {
    int rc = p_err(d, err, "cannot connect");
    PQfinish(d->c);
    du_free(d);
    return rc;
  }
  /* Quiet notices ("relation already exists, skipping"). */
  PGresult *r = PQexec(d->c, "SET client_min_messages = warning");
  PQclear(r);
  *out = &d->base;
  return DYAD_OK;
}
