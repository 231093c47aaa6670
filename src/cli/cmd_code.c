/* cmd_code.c - `dyad code`: stories in, events out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void code_usage(FILE *f) {
  fputs(
      "usage: dyad code [--kb PATH]... [--format F] [--input F] [--date D] [FILE...]\n"
      "\n"
      "  --kb PATH      knowledge base: a folder or file of dyad or PETRARCH-2\n"
      "                 dictionaries, or a compiled file (repeatable; default built-in)\n"
      "  --format F     jsonl (default), plover, phoenix, gdelt, icews, csv\n"
      "  --input F      jsonl (default), text (whole file is one story), petrarch\n"
      "  --date D       story date for --input text (YYYY-MM-DD)\n"
      "  --quiet        no summary on stderr\n"
      "\n"
      "Reads JSON lines {\"id\":..., \"date\":\"YYYY-MM-DD\", \"text\":...} from the files\n"
      "(stdin when none) and writes one event per line. Bad records are reported on\n"
      "stderr with their line and skipped; the exit status is non-zero only when\n"
      "input cannot be read.\n",
      f);
}

typedef struct code_stats {
  long stories, events, bad, failed;
} code_stats;

static int code_stream(dyad_coder *coder, FILE *in, const char *name, int informat,
                       const char *date, int format, code_stats *st) {
  dyad_reader *r = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_reader_open(in, name, informat, date, &r, &e)) {
    cli_print_error(&e);
    return EXIT_IO;
  }
  int rc = EXIT_OKAY;
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
    const dyad_event *ev;
    size_t n;
    s = dyad_code_story(coder, &story, &ev, &n, &e);
    if (s != DYAD_OK) {
      fprintf(stderr, "dyad: %s:%ld: story not coded: %s\n", name, dyad_reader_line(r), e.message);
      st->failed++;
      continue;
    }
    st->stories++;
    for (size_t i = 0; i < n; i++) {
      dyad_write_event(stdout, format, &ev[i], story.text, story.text_len, &story,
                       (uint64_t)st->events + 1);
      st->events++;
    }
  }
  dyad_reader_free(r);
  return rc;
}

int cmd_code(int argc, char **argv) {
  const char *kbs[16];
  size_t nkb = 0;
  int format = DYAD_FMT_JSONL, informat = DYAD_IN_JSONL, quiet = 0;
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
      const char *f = argv[++i];
      if (!strcmp(f, "jsonl")) informat = DYAD_IN_JSONL;
      else if (!strcmp(f, "text")) informat = DYAD_IN_TEXT;
      else if (!strcmp(f, "petrarch")) informat = DYAD_IN_PETRARCH;
      else {
        cli_err("unknown input format '%s'", f);
        return EXIT_USAGE;
      }
    } else if (cli_opt(a, "--date", NULL) && i + 1 < argc) {
      date = argv[++i];
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
  dyad_kb *kb = cli_load_kb(kbs, nkb, 0);
  if (!kb) return EXIT_DATA;
  dyad_coder *coder = NULL;
  dyad_error e;
  if (dyad_coder_new(kb, &coder, &e)) {
    cli_print_error(&e);
    dyad_kb_free(kb);
    return EXIT_IO;
  }
  dyad_write_header(stdout, format);
  code_stats st = {0, 0, 0, 0};
  int rc = EXIT_OKAY;
  if (!nfiles) {
    rc = code_stream(coder, stdin, "(stdin)", informat, date, format, &st);
  }
  for (size_t i = 0; i < nfiles && rc == EXIT_OKAY; i++) {
    FILE *f = !strcmp(files[i], "-") ? stdin : fopen(files[i], "rb");
    if (!f) {
      cli_err("cannot open %s: %s", files[i], strerror(errno));
      rc = EXIT_IO;
      break;
    }
    int r = code_stream(coder, f, files[i], informat, date, format, &st);
    if (f != stdin) fclose(f);
    if (r) rc = r;
  }
  if (!quiet) {
    fprintf(stderr, "dyad: %ld stories coded, %ld events, %ld bad records, %ld stories not coded\n",
            st.stories, st.events, st.bad, st.failed);
  }
  dyad_coder_free(coder);
  dyad_kb_free(kb);
  return rc;
}
