/*
 * cmd_ingest.c - `dyad ingest`: code stories and store them.
 *
 * A pipeline (cli_pipe, pipe.c): this thread reads stories into batches,
 * asks the store which ones it already holds, and hands each batch to a
 * coding thread (-j N of them, default 1); finished batches come back in
 * input order and this thread writes them, so coding overlaps the
 * database writes. The store is used by this thread only. At most 2N + 2
 * batches are in flight, so memory is bounded whatever the input size.
 * With -j 0 the batches are coded here, between writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define ING_STORIES 1024
#define ING_BYTES (1u << 20)
#define ING_MAX_JOBS 64
/* What a load into an empty store may keep in memory for grouping (about
 * 130 bytes a mention): beyond it, grouping reads the database. */
#define ING_REMEMBER_BYTES ((size_t)1 << 30)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ingest_usage(FILE *f) {
  fputs("usage: dyad ingest [--db TARGET] [--kb PATH] [--batch N] [-j N] [--input F]\n"
        "                   [--date D] [--no-dedup] [--stats] [--quiet] FILE...\n"
        "\n"
        "Codes stories and stores them with their events in TARGET: a SQLite file\n"
        "(default dyad.db, or $DYAD_DB) or a postgresql:// URL. Ingesting the same\n"
        "story again changes nothing; a changed text replaces its events. Each\n"
        "batch of stories (default 20000) is one transaction, so a killed run can\n"
        "simply be run again. Then mentions of the same happening are grouped.\n"
        "'-' reads standard input.\n"
        "\n"
        "  -j N          coding threads beside the one writing (default 1; 0: code\n"
        "                and write on one thread)\n"
        "  --no-dedup    store only; group later (the next ingest or merge does)\n"
        "  --stats       print where the time went\n",
        f);
}

/* ---- strings copied out of the coder, in blocks that never move ---- */

#define BLOCK_BYTES (256u * 1024)

typedef struct blocks {
  char **b;
  size_t n, cap;   /* blocks held */
  size_t cur;      /* block being filled */
  size_t used;     /* bytes used in it */
} blocks;

static const char *blocks_str(blocks *k, const char *s) {
  if (!s) return NULL;
  size_t len = strlen(s) + 1;
  if (len > BLOCK_BYTES) return NULL;
  if (k->n == 0 || k->used + len > BLOCK_BYTES) {
    if (k->n && k->cur + 1 < k->n) {
      k->cur++;
    } else {
      if (k->n == k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 8;
        char **nb = realloc(k->b, nc * sizeof *nb);
        if (!nb) return NULL;
        k->b = nb;
        k->cap = nc;
      }
      char *blk = malloc(BLOCK_BYTES);
      if (!blk) return NULL;
      k->b[k->n] = blk;
      k->cur = k->n++;
    }
    k->used = 0;
  }
  char *d = k->b[k->cur] + k->used;
  memcpy(d, s, len);
  k->used += len;
  return d;
}

static void blocks_reset(blocks *k) {
  k->cur = 0;
  k->used = 0;
}

static void blocks_free(blocks *k) {
  for (size_t i = 0; i < k->n; i++) free(k->b[i]);
  free(k->b);
  memset(k, 0, sizeof *k);
}

/* ---- batches ---- */

enum { S_STORED, S_CODED, S_FAILED };

typedef struct ing_story {
  dyad_story st;
  long line;
  int state;           /* S_STORED: the store holds it already (not coded) */
  size_t ev0, nev;     /* its events in the batch */
  const char *msg;     /* S_FAILED: why */
} ing_story;

typedef struct batch {
  size_t n;
  ing_story s[ING_STORIES];
  story_buf sb;        /* copies of id, date, text, source, url */
  dyad_event *ev;      /* coded events, strings in STRS */
  size_t nev, evcap;
  blocks strs;
  const char *file;    /* for messages */
  double cpu;          /* coding time */
  int oom;
} batch;

/* Copy one event and its strings into the batch. */
static int keep_event(batch *b, const dyad_event *e) {
  if (b->nev == b->evcap) {
    size_t nc = b->evcap ? b->evcap * 2 : 2048;
    dyad_event *ne = realloc(b->ev, nc * sizeof *ne);
    if (!ne) return -1;
    b->ev = ne;
    b->evcap = nc;
  }
  dyad_event *d = &b->ev[b->nev];
  *d = *e;
  const char **f[] = {&d->story_id,       &d->source.code,    &d->source.country,
                      &d->source.sector,  &d->target.code,    &d->target.country,
                      &d->target.sector,  &d->plover,         &d->plover_mode,
                      &d->plover_context, &d->date_text,      &d->place.text,
                      &d->place.name,     &d->place.country,  &d->place.admin1,
                      &d->pattern};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    if (!*f[i]) continue;
    *f[i] = blocks_str(&b->strs, *f[i]);
    if (!*f[i]) return -1;
  }
  b->nev++;
  return 0;
}

static void code_batch(void *ud, dyad_coder *coder, void *bp) {
  (void)ud;
  batch *b = bp;
  double c0 = cpu_s();
  for (size_t i = 0; i < b->n && !b->oom; i++) {
    ing_story *is = &b->s[i];
    if (is->state == S_STORED) continue;
    const dyad_event *ev;
    size_t n;
    dyad_error e;
    memset(&e, 0, sizeof e);
    if (dyad_code_story(coder, &is->st, &ev, &n, &e) != DYAD_OK) {
      is->state = S_FAILED;
      is->msg = blocks_str(&b->strs, e.message);
      if (!is->msg) b->oom = 1;
      continue;
    }
    is->ev0 = b->nev;
    is->nev = n;
    for (size_t k = 0; k < n && !b->oom; k++) {
      if (keep_event(b, &ev[k])) b->oom = 1;
    }
  }
  b->cpu = cpu_s() - c0;
}

static void batch_reset(void *bp) {
  batch *b = bp;
  b->n = 0;
  b->sb.len = 0;
  b->nev = 0;
  b->oom = 0;
  b->cpu = 0;
  blocks_reset(&b->strs);
}

/* ---- the run ---- */

typedef struct ingest_stats {
  long stories, inserted, unchanged, replaced, events, bad, failed;
} ingest_stats;

typedef struct ingest {
  dyad_store *st;
  long batch, in_tx;
  int tty, quiet;
  double t0, last, t_store, cpu_code;
  ingest_stats s;
} ingest;

static void progress(const ingest *g, int final) {
  double dt = now_s() - g->t0;
  const ingest_stats *s = &g->s;
  fprintf(stderr, "%s%ld stories (%ld new, %ld replaced, %ld unchanged), %ld events, %.0f stories/s%s",
          final ? "" : "\r", s->stories, s->inserted, s->replaced, s->unchanged, s->events,
          dt > 0 ? (double)s->stories / dt : 0.0, final ? "\n" : "   ");
}

/* Add a story to the batch; a story the store holds with the same text
 * is not coded again. */
static int batch_add(void *ud, void *bp, const dyad_story *s, const char *file, long line) {
  ingest *g = ud;
  batch *b = bp;
  dyad_error e;
  memset(&e, 0, sizeof e);
  int stored = dyad_store_has_story(g->st, s, &e);
  ing_story *is = &b->s[b->n];
  memset(is, 0, sizeof *is);
  if (story_buf_add(&b->sb, s, &b->s[0].st, sizeof b->s[0], b->n, ING_BYTES + 4096)) return -1;
  b->file = file;
  is->line = line;
  is->state = stored ? S_STORED : S_CODED;
  b->n++;
  return b->n == ING_STORIES || b->sb.len >= ING_BYTES;
}

/* Store one coded batch, committing every g->batch stories. */
static int write_batch(void *ud, void *bp) {
  ingest *g = ud;
  batch *b = bp;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (b->oom) {
    cli_err("out of memory");
    return EXIT_IO;
  }
  g->cpu_code += b->cpu;
  double t = now_s();
  int rc = EXIT_OKAY;
  for (size_t i = 0; i < b->n && rc == EXIT_OKAY; i++) {
    ing_story *is = &b->s[i];
    g->s.stories++;
    if (is->state == S_STORED) {
      g->s.unchanged++;
    } else if (is->state == S_FAILED) {
      fprintf(stderr, "%sdyad: %s:%ld: story %s not coded: %s\n", g->tty ? "\n" : "", b->file,
              is->line, is->st.id, is->msg);
      g->s.failed++;
    } else {
      int result = DYAD_PUT_UNCHANGED;
      if (dyad_store_put(g->st, &is->st, b->ev + is->ev0, is->nev, &result, &e)) {
        cli_print_error(&e);
        rc = EXIT_IO;
        break;
      }
      if (result == DYAD_PUT_INSERTED) g->s.inserted++;
      else if (result == DYAD_PUT_REPLACED) g->s.replaced++;
      else g->s.unchanged++;
      g->s.events += (long)is->nev;
      g->in_tx++;
    }
    if (g->in_tx >= g->batch) {
      if (dyad_store_commit(g->st, &e) || dyad_store_begin(g->st, &e)) {
        cli_print_error(&e);
        rc = EXIT_IO;
      }
      g->in_tx = 0;
    }
  }
  g->t_store += now_s() - t;
  if (g->tty && now_s() - g->last > 0.25) {
    progress(g, 0);
    g->last = now_s();
  }
  return rc;
}

static const cli_pipe_ops ingest_ops = {batch_add, code_batch, write_batch, batch_reset};

int cmd_ingest(int argc, char **argv) {
  const char *dbt = getenv("DYAD_DB");
  if (!dbt || !*dbt) dbt = "dyad.db";
  const char *kbs[16];
  size_t nkb = 0;
  long batch_n = 20000;
  int informat = DYAD_IN_JSONL, quiet = 0, stats = 0, dedup = 1, jobs = 1;
  const char *date = NULL;
  const char *files[256];
  size_t nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_opt(a, "--help", "-h")) {
      ingest_usage(stdout);
      return EXIT_OKAY;
    } else if (!strcmp(a, "--db") && i + 1 < argc) {
      dbt = argv[++i];
    } else if (!strcmp(a, "--kb") && i + 1 < argc) {
      if (nkb < 16) kbs[nkb++] = argv[++i];
    } else if (!strcmp(a, "--batch") && i + 1 < argc) {
      batch_n = atol(argv[++i]);
      if (batch_n < 1) batch_n = 1;
    } else if (cli_opt(a, "--jobs", "-j") && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 0 || v > ING_MAX_JOBS) {
        cli_err("--jobs wants a number of coding threads from 0 to %d, not '%s'", ING_MAX_JOBS,
                argv[i]);
        return EXIT_USAGE;
      }
      jobs = (int)v;
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      if (cli_input_format(argv[++i], &informat)) return EXIT_USAGE;
    } else if (!strcmp(a, "--date") && i + 1 < argc) {
      date = argv[++i];
    } else if (!strcmp(a, "--no-dedup")) {
      dedup = 0;
    } else if (!strcmp(a, "--stats")) {
      stats = 1;
    } else if (cli_opt(a, "--quiet", "-q")) {
      quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      cli_err("unknown option '%s'", a);
      ingest_usage(stderr);
      return EXIT_USAGE;
    } else if (nfiles < 256) {
      files[nfiles++] = a;
    }
  }
  if (!nfiles) {
    ingest_usage(stderr);
    return EXIT_USAGE;
  }
  dyad_kb *kb = cli_load_kb(kbs, nkb, 0);
  if (!kb) return EXIT_DATA;
  dyad_error e;
  memset(&e, 0, sizeof e);
  ingest g;
  memset(&g, 0, sizeof g);
  if (dyad_store_open(dbt, &g.st, &e)) {
    cli_print_error(&e);
    dyad_kb_free(kb);
    return EXIT_IO;
  }
  g.batch = batch_n;
  g.quiet = quiet;
  g.tty = isatty(2) && !quiet;
  size_t nslots = (size_t)(jobs > 0 ? 2 * jobs + 2 : 1);
  batch *slots = calloc(nslots, sizeof *slots);
  cli_pipe p;
  int rc = EXIT_OKAY;
  if (!slots) {
    cli_err("out of memory");
    rc = EXIT_IO;
  } else {
    rc = cli_pipe_start(&p, kb, jobs, slots, sizeof *slots, nslots, &ingest_ops, &g);
  }
  g.t0 = g.last = now_s();
  /* Into an empty store: build the indexes only grouping and readers need
   * once at the end, rather than row by row. */
  int deferred = 0;
  if (rc == EXIT_OKAY && dyad_store_defer_indexes(g.st, &deferred, &e)) {
    cli_print_error(&e);
    rc = EXIT_IO;
  }
  /* ... and group from memory what it puts there (without grouping, the
   * memory still spares the id indexes during the load, and no dyad is
   * marked dirty one by one). */
  int remembering = 0;
  if (rc == EXIT_OKAY && deferred &&
      dyad_store_remember(g.st, ING_REMEMBER_BYTES, &remembering, &e)) {
    cli_print_error(&e);
    rc = EXIT_IO;
  }
  if (rc == EXIT_OKAY && dyad_store_begin(g.st, &e)) {
    cli_print_error(&e);
    rc = EXIT_IO;
  }
  for (size_t fi = 0; fi < nfiles && rc == EXIT_OKAY; fi++) {
    FILE *f = !strcmp(files[fi], "-") ? stdin : fopen(files[fi], "rb");
    if (!f) {
      cli_err("cannot open %s: %s", files[fi], strerror(errno));
      rc = EXIT_IO;
      break;
    }
    rc = cli_pipe_stream(&p, f, files[fi], informat, date, &g.s.bad);
    if (f != stdin) fclose(f);
  }
  if (slots) rc = cli_pipe_stop(&p, rc);
  double t = now_s();
  if (rc == EXIT_OKAY) {
    if (dyad_store_commit(g.st, &e)) {
      cli_print_error(&e);
      rc = EXIT_IO;
    }
  } else {
    dyad_store_rollback(g.st, NULL);
  }
  double t_dedup = now_s();
  g.t_store += t_dedup - t;
  if (rc == EXIT_OKAY && (dedup ? dyad_store_dedup(g.st, &e) : dyad_store_build_indexes(g.st, &e))) {
    cli_print_error(&e);
    rc = EXIT_IO;
  }
  t_dedup = now_s() - t_dedup;
  double wall = now_s() - g.t0;
  if (!quiet) {
    progress(&g, 1);
    dyad_store_stats ss;
    if (!dyad_store_stats_get(g.st, &ss, &e)) {
      fprintf(stderr, "dyad: %s %s: %lld stories, %lld mentions, %lld events (%lld with "
                      "conflicting reports); %ld bad records, %ld stories not coded\n",
              dyad_store_backend(g.st), dbt, ss.stories, ss.mentions, ss.events, ss.conflicts,
              g.s.bad, g.s.failed);
    }
  }
  if (stats) {
    /* Wall time, coding CPU time (all coding threads), and this thread's
     * time in the store: writing stories and mentions, then grouping. */
    double store = g.t_store + t_dedup;
    fprintf(stderr,
            "stats: %ld mentions of %ld stories in %.3f s: %.0f mentions/s; coding %.3f s CPU "
            "on %d thread%s; store %.3f s (stories and mentions %.3f s, grouping %.3f s): "
            "%.0f mentions/s\n",
            g.s.events, g.s.stories, wall, wall > 0 ? (double)g.s.events / wall : 0.0,
            g.cpu_code, jobs ? jobs : 1, jobs > 1 ? "s" : "", store, g.t_store, t_dedup,
            store > 0 ? (double)g.s.events / store : 0.0);
  }
  for (size_t i = 0; slots && i < nslots; i++) {
    free(slots[i].sb.buf);
    free(slots[i].ev);
    blocks_free(&slots[i].strs);
  }
  free(slots);
  dyad_store_close(g.st);
  dyad_kb_free(kb);
  return rc;
}
