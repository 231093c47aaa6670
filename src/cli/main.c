/* main.c - `dyad COMMAND ...` */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void cli_err(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("dyad: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void cli_print_error(const dyad_error *e) {
  if (e->file[0] && e->line) {
    fprintf(stderr, "dyad: %s:%ld: %s\n", e->file, e->line, e->message);
  } else if (e->file[0]) {
    fprintf(stderr, "dyad: %s: %s\n", e->file, e->message);
  } else {
    fprintf(stderr, "dyad: %s\n", e->message);
  }
}

int cli_opt(const char *arg, const char *a, const char *b) {
  return (a && !strcmp(arg, a)) || (b && !strcmp(arg, b));
}

typedef struct diag_ctx {
  int verbose;
  long errors;
} diag_ctx;

static void print_diag(const dyad_diag *d, void *ud) {
  diag_ctx *dc = ud;
  if (d->level == DYAD_DIAG_ERROR) dc->errors++;
  if (!dc->verbose) return;
  const char *lvl = d->level == DYAD_DIAG_ERROR ? "error" : "warning";
  if (d->line) fprintf(stderr, "%s:%ld: %s: %s\n", d->file, d->line, lvl, d->message);
  else if (d->file && d->file[0]) fprintf(stderr, "%s: %s: %s\n", d->file, lvl, d->message);
  else fprintf(stderr, "%s: %s\n", lvl, d->message);
}

dyad_kb *cli_load_kb(const char *const *paths, size_t n, int verbose) {
  dyad_kb *kb = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  diag_ctx dc = {verbose, 0};
  int rc = n ? dyad_kb_load_paths(paths, n, print_diag, &dc, &kb, &e)
             : dyad_kb_load_builtin(&kb, &e);
  if (rc) {
    cli_print_error(&e);
    return NULL;
  }
  if (dc.errors && !verbose) {
    fprintf(stderr, "dyad: the dictionaries have %ld errors; those entries were skipped "
            "(details: dyad kb check PATH)\n", dc.errors);
  }
  return kb;
}

static void usage(FILE *f) {
  fputs(
      "usage: dyad COMMAND [options]\n"
      "\n"
      "commands:\n"
      "  code [FILE...]      code stories (JSON lines; stdin when no file) into events\n"
      "  validate FILE       score the coder on a PETRARCH validation file\n"
      "  bench [FILE...]     code stories, discard the events, print speed and memory\n"
      "  demo                code the built-in sample stories\n"
      "  ingest FILE...      code stories into a store (SQLite file or postgresql:// URL)\n"
      "  query               counts and Goldstein series from a store\n"
      "  export              events of a store as jsonl, csv, gdelt, icews, plover, graphml\n"
      "  dump                every table of a store in a canonical sorted form\n"
      "  merge SOURCE...     merge shard stores into one (sharded runs)\n"
      "  serve               a dashboard of a store in the browser (127.0.0.1)\n"
      "  kb check PATH       lint a knowledge base (ours or PETRARCH-2 dictionaries)\n"
      "  kb stats [PATH]     counts of a knowledge base (built-in when no PATH)\n"
      "  kb compile SRC OUT  compile a knowledge base\n"
      "  version             print the version\n"
      "\n"
      "Run 'dyad COMMAND --help' for the options of a command.\n",
      f);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  /* SQLite's memory statistics, which nothing here reads, cost a global
   * mutex and counters on every allocation (about 5% of an ingest's store
   * time). A process-wide setting, so the program, not the library,
   * makes it, before SQLite starts. */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  int rc;
  if (!strcmp(cmd, "code") || !strcmp(cmd, "bench")) rc = cmd_code(argc - 1, argv + 1);
  else if (!strcmp(cmd, "validate")) rc = cmd_validate(argc - 1, argv + 1);
  else if (!strcmp(cmd, "demo")) rc = cmd_demo(argc - 1, argv + 1);
  else if (!strcmp(cmd, "kb")) rc = cmd_kb(argc - 1, argv + 1);
  else if (!strcmp(cmd, "ingest")) rc = cmd_ingest(argc - 1, argv + 1);
  else if (!strcmp(cmd, "query")) rc = cmd_query(argc - 1, argv + 1);
  else if (!strcmp(cmd, "export")) rc = cmd_export(argc - 1, argv + 1);
  else if (!strcmp(cmd, "dump")) rc = cmd_dump(argc - 1, argv + 1);
  else if (!strcmp(cmd, "merge")) rc = cmd_merge(argc - 1, argv + 1);
  else if (!strcmp(cmd, "serve")) rc = cmd_serve(argc - 1, argv + 1);
  else if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("dyad %s\n", DYAD_VERSION);
    rc = EXIT_OKAY;
  } else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
    usage(stdout);
    rc = EXIT_OKAY;
  } else {
    cli_err("unknown command '%s'", cmd);
    usage(stderr);
    rc = EXIT_USAGE;
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    /* A closed pipe ("| head") is the reader's choice, not an error. */
    if (errno == EPIPE) return rc;
    cli_err("error writing output: %s", strerror(errno));
    return EXIT_IO;
  }
  return rc;
}
