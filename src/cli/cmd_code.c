/* cmd_code.c - `dyad code`: stories in, events out. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pthread.h>
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

/* ---- the pipeline: a reader (this thread), N coders, ordered output ----
 *
 * Stories are read into batches; each batch is coded by one worker into
 * its own memory buffer; the main thread writes finished batches in input
 * order. At most 2N batches are in flight, so memory is bounded whatever
 * the input size. With one thread no worker is started. */

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
  /* output, in buffers kept from batch to batch (no page faults) */
  obuf out;
  obuf errs;               /* "story not coded" messages */
  code_stats st_out;
  int state;               /* 0 free, 1 filled, 2 coding, 3 done */
} batch;

typedef struct pipeline {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  batch *slots;
  size_t nslots;
  size_t next_fill, next_code, next_write;
  int done_reading;
  const dyad_kb *kb;
  const char *name;
  int format;
  int fail;
} pipeline;

static int batch_add(batch *b, const dyad_story *s, long line) {
  if (story_buf_add(&b->sb, s, b->st, sizeof b->st[0], b->n, BATCH_BYTES + 4096)) return -1;
  b->line[b->n] = line;
  b->n++;
  return 0;
}

static void code_batch(dyad_coder *coder, batch *b, const char *name, int format) {
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
      fprintf(ef, "dyad: %s:%ld: story '%s' not coded: %s\n", name, b->line[i], story->id,
              e.message);
      b->st_out.failed++;
      continue;
    }
    const dyad_sentence *ss;
    b->st_out.sentences += (long)dyad_coder_sentences(coder, &ss);
    b->st_out.stories++;
    for (size_t k = 0; k < n; k++) {
      dyad_write_event(mf, format, &ev[k], story->text, story->text_len, story, 0);
      b->st_out.events++;
    }
  }
  fclose(mf);
  fclose(ef);
}

static void stats_add(code_stats *a, const code_stats *b) {
  a->stories += b->stories;
  a->events += b->events;
  a->failed += b->failed;
  a->sentences += b->sentences;
  a->bytes += b->bytes;
}

static void batch_reset(batch *b) {
  b->out.len = b->errs.len = 0;
  b->n = 0;
  b->sb.len = 0;
  b->state = 0;
}

static void *worker(void *arg) {
  pipeline *p = arg;
  dyad_coder *coder = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  int ok = dyad_coder_new(p->kb, &coder, &e) == DYAD_OK;
  pthread_mutex_lock(&p->mu);
  if (!ok) p->fail = 1;
  for (;;) {
    while (ok && !(p->slots[p->next_code % p->nslots].state == 1 &&
                   p->next_code < p->next_fill) &&
           !(p->done_reading && p->next_code >= p->next_fill))
      pthread_cond_wait(&p->cv, &p->mu);
    if (!ok || (p->done_reading && p->next_code >= p->next_fill)) break;
    batch *b = &p->slots[p->next_code % p->nslots];
    p->next_code++;
    b->state = 2;
    pthread_mutex_unlock(&p->mu);
    code_batch(coder, b, p->name, p->format);
    pthread_mutex_lock(&p->mu);
    b->state = 3;
    pthread_cond_broadcast(&p->cv);
  }
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  dyad_coder_free(coder);
  return NULL;
}

/* Write finished batches in order; with WAIT, until none is in flight. */
static void drain(pipeline *p, code_stats *st, int wait) {
  for (;;) {
    batch *b = &p->slots[p->next_write % p->nslots];
    if (p->next_write >= p->next_fill) return;
    if (b->state != 3) {
      if (!wait && p->next_fill - p->next_write < p->nslots) return;
      if (p->fail) return;
      pthread_cond_wait(&p->cv, &p->mu);
      continue;
    }
    pthread_mutex_unlock(&p->mu);
    if (b->out.len) fwrite(b->out.p, 1, b->out.len, stdout);
    if (b->errs.len) fwrite(b->errs.p, 1, b->errs.len, stderr);
    stats_add(st, &b->st_out);
    pthread_mutex_lock(&p->mu);
    batch_reset(b);
    p->next_write++;
    pthread_cond_broadcast(&p->cv);
  }
}

/* Hand a filled batch to the coders. */
static void submit(pipeline *p, batch *b) {
  pthread_mutex_lock(&p->mu);
  b->state = 1;
  p->next_fill++;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* One thread, no workers: code the oldest batch here (called and
 * returning with the lock held). */
static void code_here(pipeline *p, dyad_coder *coder, const char *name) {
  batch *w = &p->slots[p->next_write % p->nslots];
  pthread_mutex_unlock(&p->mu);
  code_batch(coder, w, name, p->format);
  pthread_mutex_lock(&p->mu);
  w->state = 3;
}

static int code_stream(pipeline *p, dyad_coder *coder, FILE *in, const char *name,
                       int informat, const char *date, code_stats *st) {
  dyad_reader *r = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_reader_open(in, name, informat, date, &r, &e)) {
    cli_print_error(&e);
    return EXIT_IO;
  }
  p->name = name;
  int rc = EXIT_OKAY;
  batch *cur = NULL;
  for (;;) {
    dyad_story story;
    int s = dyad_reader_next(r, &story, &e);
    if (s == -1) break;
    if (s == DYAD_EIO) {
      cli_print_error(&e);
      rc = EXIT_IO;
      break;
    }
    if (s != DYAD_OK) {
      cli_print_error(&e);
      st->bad++;
      continue;
    }
    if (!cur) {
      pthread_mutex_lock(&p->mu);
      /* Wait for a free slot, writing what is finished meanwhile. */
      while (p->next_fill - p->next_write >= p->nslots) {
        if (coder) code_here(p, coder, name);
        drain(p, st, 0);
        if (p->fail) break;
      }
      cur = &p->slots[p->next_fill % p->nslots];
      pthread_mutex_unlock(&p->mu);
    }
    if (batch_add(cur, &story, dyad_reader_line(r))) {
      cli_err("out of memory");
      rc = EXIT_IO;
      break;
    }
    if (cur->n == BATCH_STORIES || cur->sb.len >= BATCH_BYTES) {
      submit(p, cur);
      cur = NULL;
    }
  }
  if (cur) submit(p, cur);
  /* Finish this file before the next one (so errors name the right file). */
  pthread_mutex_lock(&p->mu);
  if (coder) {
    while (p->next_write < p->next_fill) {
      code_here(p, coder, name);
      drain(p, st, 0);
    }
  } else {
    drain(p, st, 1);
  }
  pthread_mutex_unlock(&p->mu);
  dyad_reader_free(r);
  return rc;
}

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
  pipeline p;
  memset(&p, 0, sizeof p);
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  p.nslots = (size_t)(jobs > 1 ? 2 * jobs : 2);
  p.slots = calloc(p.nslots, sizeof *p.slots);
  p.kb = kb;
  p.format = format;
  dyad_coder *coder = NULL;
  pthread_t th[256];
  int nth = 0;
  int rc = EXIT_OKAY;
  if (!p.slots) {
    cli_err("out of memory");
    dyad_kb_free(kb);
    return EXIT_IO;
  }
  if (jobs == 1) {
    dyad_error e;
    memset(&e, 0, sizeof e);
    if (dyad_coder_new(kb, &coder, &e)) {
      cli_print_error(&e);
      rc = EXIT_IO;
    }
  } else {
    for (; nth < jobs; nth++)
      if (pthread_create(&th[nth], NULL, worker, &p)) break;
    if (!nth) {
      cli_err("cannot start threads");
      rc = EXIT_IO;
    }
  }
  dyad_write_header(stdout, format);
  code_stats st;
  memset(&st, 0, sizeof st);
  double t1 = now_s();
  if (rc == EXIT_OKAY && !nfiles) {
    rc = code_stream(&p, coder, stdin, "(stdin)", informat, date, &st);
  }
  for (size_t i = 0; i < nfiles && rc == EXIT_OKAY; i++) {
    FILE *f = !strcmp(files[i], "-") ? stdin : fopen(files[i], "rb");
    if (!f) {
      cli_err("cannot open %s: %s", files[i], strerror(errno));
      rc = EXIT_IO;
      break;
    }
    int r = code_stream(&p, coder, f, files[i], informat, date, &st);
    if (f != stdin) fclose(f);
    if (r) rc = r;
  }
  pthread_mutex_lock(&p.mu);
  p.done_reading = 1;
  pthread_cond_broadcast(&p.cv);
  pthread_mutex_unlock(&p.mu);
  for (int i = 0; i < nth; i++) pthread_join(th[i], NULL);
  if (p.fail) {
    cli_err("a coding thread could not start");
    rc = EXIT_IO;
  }
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
  for (size_t i = 0; i < p.nslots; i++) {
    free(p.slots[i].out.p);
    free(p.slots[i].errs.p);
    free(p.slots[i].sb.buf);
  }
  free(p.slots);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  dyad_coder_free(coder);
  dyad_kb_free(kb);
  return rc;
}
