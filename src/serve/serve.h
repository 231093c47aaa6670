/*
 * serve.h - `dyad serve`: the dashboard's HTTP server (libmicrohttpd).
 *
 * A pool of worker threads answers requests; each request borrows one of
 * as many store connections (opened read-only) for its duration, so no
 * connection is ever used by two threads at once.
 */
#ifndef DYAD_SERVE_H
#define DYAD_SERVE_H

#include <stdio.h>

#include "dyad.h"

typedef struct sv_config {
  const char *db;          /* store target: SQLite file or postgresql:// URL */
  const char *bind;        /* address to listen on; "127.0.0.1" when NULL */
  unsigned port;           /* 0: any free port (printed) */
  unsigned threads;        /* worker threads and store connections */
  long timeout_ms;         /* budget of one request's queries */
  int verbose;             /* one log line per request on LOG */
  FILE *log;               /* messages ("listening on ..."); stderr when NULL */
} sv_config;

void sv_config_init(sv_config *c);

/*
 * Open the store, listen, and answer requests until SIGINT or SIGTERM.
 * Returns DYAD_OK after a clean stop, or a status with ERR filled when
 * the store cannot be opened or the address cannot be bound.
 */
int sv_run(const sv_config *c, dyad_error *err);

#endif
