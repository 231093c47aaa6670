/*
 * cmd_serve.c - `dyad serve`: the dashboard over a store.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "serve/serve.h"

static void serve_usage(FILE *f) {
  fputs("usage: dyad serve [--db TARGET] [--port N] [--bind ADDR] [--threads N]\n"
        "                  [--timeout MS] [--verbose]\n"
        "\n"
        "Serves a dashboard of the store TARGET (a SQLite file, default dyad.db or\n"
        "$DYAD_DB, or a postgresql:// URL) at http://127.0.0.1:N/ (default port\n"
        "8080; 0 picks a free port and prints it). The store is only read.\n"
        "\n"
        "  --bind ADDR    listen on ADDR instead of 127.0.0.1 (e.g. ::1, or 0.0.0.0\n"
        "                 to let other machines in: they can then read the store)\n"
        "  --threads N    worker threads and store connections (default 4)\n"
        "  --timeout MS   time budget of one request's queries (default 5000)\n"
        "  --verbose      one line per request on standard error\n"
        "\n"
        "Ctrl-C (SIGINT) or SIGTERM stops the server. See docs/serve.md.\n",
        f);
}

/* A whole number in [LO, HI], or -1. */
static long number(const char *v, long lo, long hi) {
  if (!v || !*v) return -1;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < lo || x > hi) return -1;
  return x;
}

int cmd_serve(int argc, char **argv) {
  sv_config c;
  sv_config_init(&c);
  const char *env = getenv("DYAD_DB");
  c.db = env && *env ? env : "dyad.db";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long x;
    if (cli_opt(a, "-h", "--help")) {
      serve_usage(stdout);
      return EXIT_OKAY;
    } else if (cli_opt(a, "--verbose", "-v")) {
      c.verbose = 1;
      continue;
    } else if (!v) {
      cli_err("%s: unknown option or missing value", a);
      serve_usage(stderr);
      return EXIT_USAGE;
    } else if (!strcmp(a, "--db")) {
      c.db = v;
    } else if (!strcmp(a, "--bind")) {
      c.bind = v;
    } else if (!strcmp(a, "--port")) {
      if ((x = number(v, 0, 65535)) < 0) {
        cli_err("--port must be a number from 0 to 65535 (got '%s')", v);
        return EXIT_USAGE;
      }
      c.port = (unsigned)x;
    } else if (!strcmp(a, "--threads")) {
      if ((x = number(v, 1, 64)) < 0) {
        cli_err("--threads must be a number from 1 to 64 (got '%s')", v);
        return EXIT_USAGE;
      }
      c.threads = (unsigned)x;
    } else if (!strcmp(a, "--timeout")) {
      if ((x = number(v, 1, 600000)) < 0) {
        cli_err("--timeout must be a number of milliseconds from 1 to 600000 (got '%s')", v);
        return EXIT_USAGE;
      }
      c.timeout_ms = x;
    } else {
      cli_err("unknown option '%s'", a);
      serve_usage(stderr);
      return EXIT_USAGE;
    }
    i++;
  }
  /* Opening a store creates it when missing; a dashboard of a new empty
   * file is never what was meant. */
  if (strncmp(c.db, "postgresql://", 13) && strncmp(c.db, "postgres://", 11)) {
    struct stat sb;
    if (stat(c.db, &sb) != 0) {
      cli_err("%s: no such store (create it with: dyad ingest --db %s STORIES)", c.db, c.db);
      return EXIT_IO;
    }
  }
  c.log = stderr;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (sv_run(&c, &e)) {
    cli_print_error(&e);
    return e.status == DYAD_EINVAL ? EXIT_USAGE : EXIT_IO;
  }
  return EXIT_OKAY;
}
