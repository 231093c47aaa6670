/*
 * cmd_store.c - `dyad query`, `dyad export`, `dyad dump` (ingest: cmd_ingest.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* ---- filters shared by query and export ---- */

/* Consume a filter option at argv[*i]; 1 when it was one, -1 on error. */
static int filter_opt(int argc, char **argv, int *i, dyad_query *q) {
  const char *a = argv[*i];
  const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
  static char dyad_buf[2][64];
  if (!strcmp(a, "--actor") || !strcmp(a, "--country")) {
    if (!v) return -1;
    q->actor = v;
  } else if (!strcmp(a, "--dyad")) {
    if (!v) return -1;
    const char *comma = strchr(v, ',');
    if (!comma) {
      cli_err("--dyad takes two actors: --dyad IND,PAK");
      return -1;
    }
    snprintf(dyad_buf[0], sizeof dyad_buf[0], "%.*s", (int)(comma - v), v);
    snprintf(dyad_buf[1], sizeof dyad_buf[1], "%s", comma + 1);
    q->source = dyad_buf[0];
    q->target = dyad_buf[1];
    if (q->undirected == 0) q->undirected = 1;
  } else if (!strcmp(a, "--directed")) {
    q->undirected = -1;
    return 1;
  } else if (!strcmp(a, "--source")) {
    if (!v) return -1;
    q->source = v;
  } else if (!strcmp(a, "--target")) {
    if (!v) return -1;
    q->target = v;
  } else if (!strcmp(a, "--code")) {
    if (!v) return -1;
    q->code = v;
  } else if (!strcmp(a, "--root")) {
    if (!v) return -1;
    q->root = v;
  } else if (!strcmp(a, "--quad")) {
    if (!v) return -1;
    q->quad = atoi(v);
  } else if (!strcmp(a, "--from")) {
    if (!v) return -1;
    q->from = v;
  } else if (!strcmp(a, "--to")) {
    if (!v) return -1;
    q->to = v;
  } else if (!strcmp(a, "--place")) {
    if (!v) return -1;
    q->place = v;
  } else if (!strcmp(a, "--modality")) {
    if (!v) return -1;
    q->modality = v;
  } else if (!strcmp(a, "--min-sources")) {
    if (!v) return -1;
    q->min_sources = atoi(v);
  } else if (!strcmp(a, "--plover")) {
    if (!v) return -1;
    q->plover = v;
  } else if (!strcmp(a, "--limit")) {
    if (!v) return -1;
    q->limit = atol(v);
  } else {
    return 0;
  }
  (*i)++;
  return 1;
}

static void fix_direction(dyad_query *q) {
  if (q->undirected < 0) q->undirected = 0;
}

static const char *default_db(void) {
  const char *e = getenv("DYAD_DB");
  return e && *e ? e : "dyad.db";
}

static dyad_store *open_store(const char *target) {
  dyad_store *st = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_store_open(target, &st, &e)) {
    cli_print_error(&e);
    return NULL;
  }
  return st;
}

/* ---- query ---- */

typedef struct rows {
  int ncol, format, header_done;
  char *names[8];
  char **cells;   /* row-major */
  size_t nrows, cap;
} rows;

static void csv_cell(const char *s) {
  int q = strpbrk(s, ",\"\n") != NULL;
  if (!q) {
    fputs(s, stdout);
    return;
  }
  putchar('"');
  for (; *s; s++) {
    if (*s == '"') putchar('"');
    putchar(*s);
  }
  putchar('"');
}

enum { OUT_TABLE, OUT_CSV, OUT_JSON };

static int on_row(int ncol, const char *const *names, const char *const *vals, void *ud) {
  rows *r = ud;
  if (!r->header_done) {
    r->ncol = ncol;
    for (int i = 0; i < ncol; i++) r->names[i] = strdup(names[i]);
    r->header_done = 1;
    if (r->format == OUT_CSV) {
      for (int i = 0; i < ncol; i++) {
        if (i) putchar(',');
        csv_cell(names[i]);
      }
      putchar('\n');
    }
  }
  if (r->format == OUT_CSV) {
    for (int i = 0; i < ncol; i++) {
      if (i) putchar(',');
      csv_cell(vals[i]);
    }
    putchar('\n');
    return 0;
  }
  if (r->format == OUT_JSON) {
    putchar('{');
    for (int i = 0; i < ncol; i++) {
      printf("%s\"%s\":", i ? "," : "", names[i]);
      char *end;
      strtod(vals[i], &end);
      int num = vals[i][0] && !*end && strcmp(names[i], "month") && strcmp(names[i], "year") &&
                strcmp(names[i], "root") && strcmp(names[i], "code");
      if (num) {
        fputs(vals[i], stdout);
      } else {
        putchar('"');
        dyad_json_escape(stdout, vals[i], strlen(vals[i]));
        putchar('"');
      }
    }
    puts("}");
    return 0;
  }
  /* Table: keep the rows to align the columns. */
  if (r->nrows * (size_t)ncol + (size_t)ncol > r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 256;
    while (cap < r->nrows * (size_t)ncol + (size_t)ncol) cap *= 2;
    char **c = realloc(r->cells, cap * sizeof *c);
    if (!c) return 1;
    r->cells = c;
    r->cap = cap;
  }
  for (int i = 0; i < ncol; i++) {
    /* Round the mean for reading. */
    char buf[64];
    const char *v = vals[i];
    if (!strcmp(names[i], "goldstein_mean") || !strcmp(names[i], "goldstein_sum")) {
      snprintf(buf, sizeof buf, "%.2f", strtod(v, NULL));
      v = buf;
    }
    r->cells[r->nrows * (size_t)ncol + (size_t)i] = strdup(v);
  }
  r->nrows++;
  return 0;
}

static void print_table(rows *r) {
  if (!r->header_done) {
    puts("(no rows)");
    return;
  }
  int w[8];
  for (int i = 0; i < r->ncol; i++) {
    w[i] = (int)strlen(r->names[i]);
    for (size_t k = 0; k < r->nrows; k++) {
      int l = (int)strlen(r->cells[k * (size_t)r->ncol + (size_t)i]);
      if (l > w[i]) w[i] = l;
    }
  }
  for (int i = 0; i < r->ncol; i++) printf("%s%-*s", i ? "  " : "", w[i], r->names[i]);
  putchar('\n');
  for (int i = 0; i < r->ncol; i++) {
    printf("%s", i ? "  " : "");
    for (int k = 0; k < w[i]; k++) putchar('-');
  }
  putchar('\n');
  for (size_t k = 0; k < r->nrows; k++) {
    for (int i = 0; i < r->ncol; i++) {
      const char *v = r->cells[k * (size_t)r->ncol + (size_t)i];
      char *end;
      strtod(v, &end);
      int num = v[0] && !*end && strcmp(r->names[i], "month") && strcmp(r->names[i], "year");
      if (num) printf("%s%*s", i ? "  " : "", w[i], v);
      else printf("%s%-*s", i ? "  " : "", w[i], v);
    }
    putchar('\n');
  }
}

static void query_usage(FILE *f) {
  fputs("usage: dyad query [--db TARGET] [filters] [--by G] [--format table|csv|json]\n"
        "\n"
        "filters: --actor X  --dyad A,B [--directed]  --source X  --target Y  --code C\n"
        "         --root R  --quad N  --from DATE  --to DATE  --place P  --modality M\n"
        "         --min-sources N  --plover TYPE  --limit N\n"
        "group:   --by day|week|month|year|dyad|root|code|partner   --partners ACTOR\n"
        "         --mentions  (count mentions rather than deduplicated events)\n"
        "\n"
        "Prints counts of events, the sum and mean of their Goldstein scores. Actors\n"
        "match by prefix (TUR matches TURMIL); --dyad counts both directions unless\n"
        "--directed. Output is a table on a terminal and CSV otherwise.\n",
        f);
}

int cmd_query(int argc, char **argv) {
  dyad_query q;
  dyad_query_init(&q);
  const char *dbt = default_db();
  int format = isatty(1) ? OUT_TABLE : OUT_CSV;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int f = filter_opt(argc, argv, &i, &q);
    if (f < 0) {
      cli_err("option %s needs a value", a);
      return EXIT_USAGE;
    }
    if (f) continue;
    if (cli_opt(a, "--help", "-h")) {
      query_usage(stdout);
      return EXIT_OKAY;
    } else if (!strcmp(a, "--db") && i + 1 < argc) {
      dbt = argv[++i];
    } else if (!strcmp(a, "--by") && i + 1 < argc) {
      q.by = argv[++i];
    } else if (!strcmp(a, "--partners") && i + 1 < argc) {
      q.actor = argv[++i];
      q.by = "partner";
    } else if (!strcmp(a, "--mentions")) {
      q.mentions = 1;
    } else if (!strcmp(a, "--format") && i + 1 < argc) {
      const char *fm = argv[++i];
      format = !strcmp(fm, "json") ? OUT_JSON : !strcmp(fm, "csv") ? OUT_CSV : OUT_TABLE;
    } else {
      cli_err("unknown option '%s'", a);
      query_usage(stderr);
      return EXIT_USAGE;
    }
  }
  fix_direction(&q);
  dyad_store *st = open_store(dbt);
  if (!st) return EXIT_IO;
  rows r;
  memset(&r, 0, sizeof r);
  r.format = format;
  dyad_error e;
  memset(&e, 0, sizeof e);
  int rc = dyad_store_query(st, &q, on_row, &r, &e);
  if (rc) {
    cli_print_error(&e);
  } else if (format == OUT_TABLE) {
    print_table(&r);
  }
  for (size_t k = 0; k < r.nrows * (size_t)r.ncol; k++) free(r.cells[k]);
  free(r.cells);
  for (int i = 0; i < r.ncol; i++) free(r.names[i]);
  dyad_store_close(st);
  return rc ? (rc == DYAD_EINVAL ? EXIT_USAGE : EXIT_IO) : EXIT_OKAY;
}

/* ---- export ---- */

typedef struct export_ctx {
  int format;
  uint64_t seq;
} export_ctx;

static int on_event(const dyad_event *ev, const char *text, size_t len, const dyad_story *s,
                    void *ud) {
  export_ctx *x = ud;
  dyad_write_event(stdout, x->format, ev, text, len, s, ++x->seq);
  return 0;
}

int cmd_export(int argc, char **argv) {
  dyad_query q;
  dyad_query_init(&q);
  const char *dbt = default_db();
  const char *fmt = "jsonl";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int f = filter_opt(argc, argv, &i, &q);
    if (f < 0) {
      cli_err("option %s needs a value", a);
      return EXIT_USAGE;
    }
    if (f) continue;
    if (cli_opt(a, "--help", "-h")) {
      fputs("usage: dyad export [--db TARGET] [--format F] [filters of dyad query]\n"
            "\n"
            "F: jsonl (default), csv, gdelt, icews, phoenix, plover, graphml.\n"
            "Writes the deduplicated events (GDELT's NumMentions/NumSources/NumArticles\n"
            "are their counts); graphml writes the actor network (actors as nodes, dyads\n"
            "as edges weighted by events, with mean Goldstein and cooperation/conflict).\n",
            stdout);
      return EXIT_OKAY;
    } else if (!strcmp(a, "--db") && i + 1 < argc) {
      dbt = argv[++i];
    } else if (cli_opt(a, "--format", "-f") && i + 1 < argc) {
      fmt = argv[++i];
    } else {
      cli_err("unknown option '%s'", a);
      return EXIT_USAGE;
    }
  }
  fix_direction(&q);
  int format = -1;
  if (strcmp(fmt, "graphml") && (format = dyad_format_parse(fmt)) < 0) {
    cli_err("unknown format '%s' (jsonl, csv, gdelt, icews, phoenix, plover, graphml)", fmt);
    return EXIT_USAGE;
  }
  dyad_store *st = open_store(dbt);
  if (!st) return EXIT_IO;
  dyad_error e;
  memset(&e, 0, sizeof e);
  int rc;
  if (!strcmp(fmt, "graphml")) {
    rc = dyad_store_graphml(st, &q, stdout, &e);
  } else {
    dyad_write_header(stdout, format);
    export_ctx x = {format, 0};
    rc = dyad_store_events(st, &q, on_event, &x, &e);
  }
  if (rc) cli_print_error(&e);
  dyad_store_close(st);
  return rc ? EXIT_IO : EXIT_OKAY;
}

int cmd_dump(int argc, char **argv) {
  const char *dbt = default_db();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) {
      dbt = argv[++i];
    } else {
      fputs("usage: dyad dump [--db TARGET]\n\nEvery table of the store in a canonical "
            "sorted text form, for comparing stores.\n",
            cli_opt(argv[i], "--help", "-h") ? stdout : stderr);
      return cli_opt(argv[i], "--help", "-h") ? EXIT_OKAY : EXIT_USAGE;
    }
  }
  dyad_store *st = open_store(dbt);
  if (!st) return EXIT_IO;
  dyad_error e;
  int rc = dyad_store_dump(st, stdout, &e);
  if (rc) cli_print_error(&e);
  dyad_store_close(st);
  return rc ? EXIT_IO : EXIT_OKAY;
}
