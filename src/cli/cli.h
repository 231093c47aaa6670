/*
 * cli.h - the dyad command-line front end (uses only dyad.h).
 */
#ifndef DYAD_CLI_H
#define DYAD_CLI_H

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

/* The sample stories of `dyad demo` (JSON lines, our own writing). */
extern const char *const cli_demo_stories[];

#endif
