/* cmd_code.c - `dyad code`: stories in, events out. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"

static void code_usage(FILE *f) {
  fputs(
      "usage: dyad code [--kb PATH]... [--format F] [--input F] [--date D] [-j N] [FILE...]\n"
      "       dyad bench [--kb PATH]... [--input F] [-j N] [FILE...]  (code, print figures)\n"
      "\n"
      "  --kb PATH      knowledge base: a folder or file of dyad or PETRARCH-2\n"
      "                 dictionaries, or a compiled file (repeatable; default built-in)\n"
      "  --format F     jsonl (default), plover, phoenix, gdelt, icews, csv\n"
      "  --input F      jsonl (default), text (whole file is one story), petrarch\n"
      "  --date D       story date for --input text (YYYY-MM-DD)\n"
      "  -j, --jobs N   code on N threads; output stays in input order\n"
      "  --stats        print sentences/s, MB/s, events/s and peak memory\n"
      "  --quiet        no summary on stderr\n"
      "\n"
      "Reads JSON lines {\"id\":..., \"date\":\"YYYY-MM-DD\", \"text\":...} from the files\n"
      "(stdin when none) and writes one event per line. Bad records are reported on\n"
      "stderr with their line and skipped; the exit status is non-zero only when\n"
      "input cannot be read.\n",
      f);
}

typedef struct code_stats {
  long stories, events, bad, failed, sentences;
  unsigned long long bytes;
} code_stats;

/* ---- batches: coded into memory buffers, written in input order ----
 *
 * Each batch is coded by one thread (cli_pipe) into its own buffers; this
 * thread writes finished batches in input order. */

#define BATCH_STORIES 1024
#define BATCH_BYTES (1u << 20)

/* A growable output buffer behind a FILE (fopencookie). */
typedef struct obuf {
  char *p;
  size_t len, cap;
} obuf;

static ssize_t ob_write(void *cookie, const char *buf, size_t n) {
  obuf *b = cookie;
  if (b->len + n > b->cap) {
    size_t nc = b->cap ? b->cap : 1 << 16;
    while (b->len + n > nc) nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) return -1;
    b->p = np;
    b->cap = nc;
  }
  memcpy(b->p + b->len, buf, n);
  b->len += n;
  return (ssize_t)n;
}

static FILE *ob_open(obuf *b) {
  cookie_io_functions_t io = {NULL, ob_write, NULL, NULL};
  b->len = 0;
  FILE *f = fopencookie(b, "w", io);
  if (f) setvbuf(f, NULL, _IOFBF, 1 << 16);
  return f;
}

typedef struct batch {
  /* input */
  size_t n;
  dyad_story st[BATCH_STORIES];
  long line[BATCH_STORIES];
  story_buf sb;            /* copies of id, date, text, source, url */
  const char *file;        /* for messages */
  /* output, in buffers kept from batch to batch (no page faults) */
  obuf out;
  obuf errs;               /* "story not coded" messages */
  code_stats st_out;
} batch;

typedef struct run {
  int format;
  code_stats st;
} run;

static int batch_add(void *ud, void *bp, const dyad_story *s, const char *file, long line) {
  (void)ud;
  batch *b = bp;
  if (story_buf_add(&b->sb, s, b->st, sizeof b->st[0], b->n, BATCH_BYTES + 4096)) return -1;
  b->file = file;
  b->line[b->n] = line;
  b->n++;
  return b->n == BATCH_STORIES || b->sb.len >= BATCH_BYTES;
}

static void code_batch(void *ud, dyad_coder *coder, void *bp) {
  const run *r = ud;
  batch *b = bp;
  FILE *mf = ob_open(&b->out);
  FILE *ef = ob_open(&b->errs);
  memset(&b->st_out, 0, sizeof b->st_out);
  if (!mf || !ef) {
    if (mf) fclose(mf);
    if (ef) fclose(ef);
    b->st_out.failed = (long)b->n;
    return;
  }
  for (size_t i = 0; i < b->n; i++) {
    const dyad_story *story = &b->st[i];
    const dyad_event *ev;
    size_t n;
    dyad_error e;
    memset(&e, 0, sizeof e);
    b->st_out.bytes += story->text_len;
    if (dyad_code_story(coder, story, &ev, &n, &e) != DYAD_OK) {
      fprintf(ef, "dyad: %s:%ld: story '%s' not coded: %s\n", b->file, b->line[i], story->id,
              e.message);
      b->st_out.failed++;
      continue;
    }
    const dyad_sentence *ss;
    b->st_out.sentences += (long)dyad_coder_sentences(coder, &ss);
    b->st_out.stories++;
    for (size_t k = 0; k < n; k++) {
      dyad_write_event(mf, r->format, &ev[k], story->text, story->text_len, story, 0);
      b->st_out.events++;
    }
  }
  fclose(mf);
  fclose(ef);
}

static int write_batch(void *ud, void *bp) {
  run *r = ud;
  const batch *b = bp;
  if (b->out.len) fwrite(b->out.p, 1, b->out.len, stdout);
  if (b->errs.len) fwrite(b->errs.p, 1, b->errs.len, stderr);
  r->st.stories += b->st_out.stories;
  r->st.events += b->st_out.events;
  r->st.failed += b->st_out.failed;
  r->st.sentences += b->st_out.sentences;
  r->st.bytes += b->st_out.bytes;
  return EXIT_OKAY;
}

static void batch_reset(void *bp) {
  batch *b = bp;
  b->out.len = b->errs.len = 0;
  b->n = 0;
  b->sb.len = 0;
}

static const cli_pipe_ops code_ops = {batch_add, code_batch, write_batch, batch_reset};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_code(int argc, char **argv) {
  const char *kbs[16];
  size_t nkb = 0;
  int format = DYAD_FMT_JSONL, informat = DYAD_IN_JSONL, quiet = 0, stats = 0, jobs = 1;
  int bench = !strcmp(argv[0], "bench");
  const char *date = NULL;
  const char *files[256];
  size_t nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_opt(a, "--help", "-h")) {
      code_usage(stdout);
      return EXIT_OKAY;
    } else if (cli_opt(a, "--kb", NULL) && i + 1 < argc) {
      if (nkb < 16) kbs[nkb++] = argv[++i];
    } else if (cli_opt(a, "--format", "-f") && i + 1 < argc) {
      format = dyad_format_parse(argv[++i]);
      if (format < 0) {
        cli_err("unknown format '%s'", argv[i]);
        return EXIT_USAGE;
      }
    } else if (cli_opt(a, "--input", NULL) && i + 1 < argc) {
      if (cli_input_format(argv[++i], &informat)) return EXIT_USAGE;
    } else if (cli_opt(a, "--date", NULL) && i + 1 < argc) {
      date = argv[++i];
    } else if (cli_opt(a, "--jobs", "-j") && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 1 || v > 256) {
        cli_err("--jobs wants a number of threads from 1 to 256, not '%s'", argv[i]);
        return EXIT_USAGE;
      }
      jobs = (int)v;
    } else if (cli_opt(a, "--stats", NULL)) {
      stats = 1;
    } else if (cli_opt(a, "--quiet", "-q")) {
      quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      cli_err("unknown option '%s'", a);
      code_usage(stderr);
      return EXIT_USAGE;
    } else if (nfiles < 256) {
      files[nfiles++] = a;
    }
  }
  if (bench) {
    /* `dyad bench`: code, discard the output, print the figures. */
    stats = 1;
    if (!freopen("/dev/null", "w", stdout)) {
      cli_err("cannot open /dev/null");
      return EXIT_IO;
    }
  }
  double t0 = now_s();
  dyad_kb *kb = cli_load_kb(kbs, nkb, 0);
  if (!kb) return EXIT_DATA;
  double t_kb = now_s() - t0;
  /* One thread codes here, more code beside this one. */
  size_t nslots = (size_t)(jobs > 1 ? 2 * jobs : 1);
  batch *slots = calloc(nslots, sizeof *slots);
  run r;
  memset(&r, 0, sizeof r);
  r.format = format;
  cli_pipe p;
  int rc = EXIT_OKAY;
  if (!slots) {
    cli_err("out of memory");
    rc = EXIT_IO;
  } else {
    rc = cli_pipe_start(&p, kb, jobs > 1 ? jobs : 0, slots, sizeof *slots, nslots, &code_ops, &r);
  }
  dyad_write_header(stdout, format);
  double t1 = now_s();
  if (rc == EXIT_OKAY && !nfiles) {
    rc = cli_pipe_stream(&p, stdin, "(stdin)", informat, date, &r.st.bad);
  }
  for (size_t i = 0; i < nfiles && rc == EXIT_OKAY; i++) {
    FILE *f = !strcmp(files[i], "-") ? stdin : fopen(files[i], "rb");
    if (!f) {
      cli_err("cannot open %s: %s", files[i], strerror(errno));
      rc = EXIT_IO;
      break;
    }
    rc = cli_pipe_stream(&p, f, files[i], informat, date, &r.st.bad);
    if (f != stdin) fclose(f);
  }
  if (slots) rc = cli_pipe_stop(&p, rc);
  code_stats st = r.st;
  fflush(stdout);
  double secs = now_s() - t1;
  if (!quiet) {
    fprintf(stderr, "dyad: %ld stories coded, %ld events, %ld bad records, %ld stories not coded\n",
            st.stories, st.events, st.bad, st.failed);
  }
  if (stats) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (secs <= 0) secs = 1e-9;
    fprintf(stderr,
            "stats: threads %d; knowledge base loaded in %.1f ms; %ld sentences, %ld stories, "
            "%ld events, %.1f MB in %.3f s\n"
            "stats: %.0f sentences/s, %.1f MB/s, %.0f events/s; peak memory %.1f MB\n",
            jobs, t_kb * 1000, st.sentences, st.stories, st.events, st.bytes / 1e6, secs,
            st.sentences / secs, st.bytes / 1e6 / secs, st.events / secs, ru.ru_maxrss / 1024.0);
  }
  for (size_t i = 0; slots && i < nslots; i++) {
    free(slots[i].out.p);
    free(slots[i].errs.p);
    free(slots[i].sb.buf);
  }
  free(slots);
  dyad_kb_free(kb);
  return rc;
}
