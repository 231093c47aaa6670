/* pipe.c - the ordered batch pipeline of `dyad code` and `dyad ingest`.
 *
 * Slot I of the ring holds batch number N when N % nslots == I. Batches
 * below next_write are handed on, those below next_code are being coded
 * or are coded, those below next_fill are filled. A slot's state says
 * where its batch is; the counters and states are read and changed under
 * the mutex, a batch's contents only by the thread that owns its state. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum { FREE, FILLED, CODING, CODED };

static void *slot(const cli_pipe *p, size_t n) {
  return (char *)p->slots + (n % p->nslots) * p->size;
}

static void *worker(void *arg) {
  cli_pipe *p = arg;
  dyad_coder *coder = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  int ok = dyad_coder_new(p->kb, &coder, &e) == DYAD_OK;
  pthread_mutex_lock(&p->mu);
  if (!ok) {
    p->thread_fail = 1;
    p->stop = 1;
  }
  for (;;) {
    while (!p->stop &&
           !(p->next_code < p->next_fill && p->state[p->next_code % p->nslots] == FILLED) &&
           !(p->done_reading && p->next_code >= p->next_fill))
      pthread_cond_wait(&p->cv, &p->mu);
    if (p->stop || p->next_code >= p->next_fill) break;
    size_t n = p->next_code++;
    p->state[n % p->nslots] = CODING;
    pthread_mutex_unlock(&p->mu);
    p->ops->code(p->ud, coder, slot(p, n));
    pthread_mutex_lock(&p->mu);
    p->state[n % p->nslots] = CODED;
    pthread_cond_broadcast(&p->cv);
  }
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  dyad_coder_free(coder);
  return NULL;
}

int cli_pipe_start(cli_pipe *p, const dyad_kb *kb, int threads, void *slots, size_t size,
                   size_t nslots, const cli_pipe_ops *ops, void *ud) {
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->kb = kb;
  p->slots = slots;
  p->size = size;
  p->nslots = nslots;
  p->ops = ops;
  p->ud = ud;
  p->state = calloc(nslots, sizeof *p->state);
  if (threads > 0) p->threads = calloc((size_t)threads, sizeof *p->threads);
  if (!p->state || (threads > 0 && !p->threads)) {
    cli_err("out of memory");
    return EXIT_IO;
  }
  if (threads == 0) {
    dyad_error e;
    memset(&e, 0, sizeof e);
    if (dyad_coder_new(kb, &p->here, &e)) {
      cli_print_error(&e);
      return EXIT_IO;
    }
    return EXIT_OKAY;
  }
  for (; p->nthreads < threads; p->nthreads++)
    if (pthread_create(&p->threads[p->nthreads], NULL, worker, p)) break;
  if (!p->nthreads) {
    cli_err("cannot start threads");
    return EXIT_IO;
  }
  return EXIT_OKAY;
}

/* Hand on coded batches in order (called and returning with the mutex
 * held). WAIT: until none is in flight; otherwise only while every slot
 * is taken or the oldest batch is coded. */
static int drain(cli_pipe *p, int wait) {
  int rc = EXIT_OKAY;
  while (rc == EXIT_OKAY && p->next_write < p->next_fill) {
    size_t n = p->next_write;
    int *state = &p->state[n % p->nslots];
    if (*state == FILLED && p->here) {
      /* No coding threads: code it here. */
      pthread_mutex_unlock(&p->mu);
      p->ops->code(p->ud, p->here, slot(p, n));
      pthread_mutex_lock(&p->mu);
      *state = CODED;
    }
    if (*state != CODED) {
      if (p->stop) return EXIT_IO;
      if (!wait && p->next_fill - p->next_write < p->nslots) return EXIT_OKAY;
      pthread_cond_wait(&p->cv, &p->mu);
      continue;
    }
    pthread_mutex_unlock(&p->mu);
    rc = p->ops->done(p->ud, slot(p, n));
    p->ops->reset(slot(p, n));
    pthread_mutex_lock(&p->mu);
    *state = FREE;
    p->next_write++;
    pthread_cond_broadcast(&p->cv);
  }
  return rc;
}

static int drain_locked(cli_pipe *p, int wait) {
  pthread_mutex_lock(&p->mu);
  int rc = drain(p, wait);
  pthread_mutex_unlock(&p->mu);
  return rc;
}

/* A free slot for the next batch, handing on what is coded meanwhile;
 * NULL, with *RC set, when the run stops. */
static void *take_slot(cli_pipe *p, int *rc) {
  pthread_mutex_lock(&p->mu);
  while (*rc == EXIT_OKAY && p->next_fill - p->next_write >= p->nslots) *rc = drain(p, 0);
  pthread_mutex_unlock(&p->mu);
  return *rc == EXIT_OKAY ? slot(p, p->next_fill) : NULL;
}

/* The batch in the next slot is filled: on to the coders. */
static void submit(cli_pipe *p) {
  pthread_mutex_lock(&p->mu);
  p->state[p->next_fill % p->nslots] = FILLED;
  p->next_fill++;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

int cli_pipe_stream(cli_pipe *p, FILE *in, const char *name, int informat, const char *date,
                    long *bad) {
  dyad_reader *r = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_reader_open(in, name, informat, date, &r, &e)) {
    cli_print_error(&e);
    return EXIT_IO;
  }
  int rc = EXIT_OKAY, handed_on = EXIT_OKAY;
  void *cur = NULL;
  for (;;) {
    dyad_story story;
    int x = dyad_reader_next(r, &story, &e);
    if (x == -1) break;
    if (x == DYAD_EIO) {
      cli_print_error(&e);
      rc = EXIT_IO;
      break;
    }
    if (x) {
      cli_print_error(&e);
      (*bad)++;
      continue;
    }
    if (!cur && !(cur = take_slot(p, &handed_on))) break;
    int full = p->ops->add(p->ud, cur, &story, name, dyad_reader_line(r));
    if (full < 0) {
      cli_err("out of memory");
      rc = EXIT_IO;
      break;
    }
    if (full) {
      submit(p);
      cur = NULL;
    }
  }
  /* What was read goes on, unless handing on failed. Finish this file
   * before the next one (so messages name the right file, and the name
   * outlives its batches). */
  if (cur) submit(p);
  if (handed_on == EXIT_OKAY) handed_on = drain_locked(p, 1);
  dyad_reader_free(r);
  return rc ? rc : handed_on;
}

int cli_pipe_stop(cli_pipe *p, int rc) {
  pthread_mutex_lock(&p->mu);
  p->done_reading = 1;
  if (rc) p->stop = 1;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  if (p->thread_fail && rc == EXIT_OKAY) {
    cli_err("a coding thread could not start");
    rc = EXIT_IO;
  }
  free(p->threads);
  free(p->state);
  dyad_coder_free(p->here);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  memset(p, 0, sizeof *p);
  return rc;
}
