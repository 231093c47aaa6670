/*
 * cli.h - the dyad command-line front end (uses only dyad.h).
 */
#ifndef DYAD_CLI_H
#define DYAD_CLI_H

#include <pthread.h>
#include <stdio.h>

#include "dyad.h"

/* Exit codes. */
enum { EXIT_OKAY = 0, EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

int cmd_code(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_kb(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* A coder trace callback: writes "  | LINE" to the FILE * in UD. */
void cli_trace_line(const char *line, void *ud);

/* `dyad validate` on JSON gold files (cmd_validate_json.c). */
int cli_validate_plover(const char *file, dyad_coder *coder, int quiet, const char *only);
int cli_validate_stories(const char *file, dyad_coder *coder, int quiet, const char *only);

/* Load the KB named by PATHS (built-in when none); prints diagnostics
 * to stderr when VERBOSE. Returns NULL after printing an error. */
dyad_kb *cli_load_kb(const char *const *paths, size_t n, int verbose);

/* Print "dyad: " + message to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_error(const dyad_error *e);

/* 1 when ARG equals one of the option names (NULL-terminated). */
int cli_opt(const char *arg, const char *a, const char *b);

/* The input format named NAME (--input: jsonl, text, petrarch) into *OUT;
 * -1, with a message, for another name (stories.c). */
int cli_input_format(const char *name, int *out);

/* Copies of batched stories' strings (id, date, text, source, url) in one
 * growing buffer (stories.c). The batch's stories live in an array at
 * BASE, STRIDE bytes apart; when the buffer moves, the N already copied
 * are re-pointed. FIRST is the buffer's initial size. */
typedef struct story_buf {
  char *buf;
  size_t len, cap;
} story_buf;
int story_buf_add(story_buf *sb, const dyad_story *s, void *base, size_t stride, size_t n,
                  size_t first);

/* The ordered batch pipeline of `dyad code` and `dyad ingest` (pipe.c):
 * this thread reads stories into batches, coding threads code them, and
 * this thread hands each coded batch on (writes or stores it) in input
 * order, so coding overlaps the handing on. At most NSLOTS batches are in
 * flight, so memory is bounded whatever the input size. With no coding
 * threads this thread codes each batch before handing it on. */
typedef struct cli_pipe_ops {
  /* Add STORY, read at LINE of FILE, to BATCH (this thread): 1 when the
   * batch is full now, 0 when not, -1 when out of memory. */
  int (*add)(void *ud, void *batch, const dyad_story *story, const char *file, long line);
  /* Code BATCH with CODER (any thread). */
  void (*code)(void *ud, dyad_coder *coder, void *batch);
  /* Hand a coded BATCH on (this thread, in input order): an EXIT_*
   * status; any but EXIT_OKAY stops the run. */
  int (*done)(void *ud, void *batch);
  /* Empty BATCH for the next one. */
  void (*reset)(void *batch);
} cli_pipe_ops;

typedef struct cli_pipe {
  const cli_pipe_ops *ops;
  void *ud;
  void *slots;         /* NSLOTS batches, SIZE bytes apart */
  size_t size, nslots;
  int *state;          /* each slot's */
  size_t next_fill, next_code, next_write;
  int done_reading, stop, thread_fail;
  const dyad_kb *kb;
  dyad_coder *here;    /* no coding threads: this thread's coder */
  pthread_t *threads;
  int nthreads;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} cli_pipe;

/* Start THREADS coding threads (0: code here); an EXIT_* status, with a
 * message. Call cli_pipe_stop in any case. */
int cli_pipe_start(cli_pipe *p, const dyad_kb *kb, int threads, void *slots, size_t size,
                   size_t nslots, const cli_pipe_ops *ops, void *ud);
/* Read the stories of IN (named NAME) through the pipeline, and hand on
 * every batch of it before returning; bad records are reported and
 * counted in *BAD. An EXIT_* status. */
int cli_pipe_stream(cli_pipe *p, FILE *in, const char *name, int informat, const char *date,
                    long *bad);
/* Stop the coding threads (at once when RC, the run's status, is not
 * EXIT_OKAY) and free the pipeline; RC, or EXIT_IO with a message when a
 * coding thread could not start. */
int cli_pipe_stop(cli_pipe *p, int rc);

/* The sample stories of `dyad demo` (JSON lines, our own writing). */
extern const char *const cli_demo_stories[];

#endif
