/*
 * cmd_demo.c - `dyad demo`: code the sample stories that ship with dyad
 * (data/demo/stories.jsonl, embedded at build time) with the built-in
 * knowledge base, and print the events as a table.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

extern const unsigned char dyad_demo_jsonl[];
extern const size_t dyad_demo_jsonl_len;

static void usage(FILE *f) {
  fputs("usage: dyad demo [--jsonl | --events]\n"
        "\n"
        "  (default)  code the sample stories and print a table of events\n"
        "  --jsonl    print the sample stories themselves (JSON lines), e.g. for\n"
        "             'dyad demo --jsonl | dyad ingest -'\n"
        "  --events   print the events as JSON lines\n",
        f);
}

static void cell(const char *s, size_t n, int width) {
  int w = 0;
  size_t i = 0;
  for (; i < n && w < width; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\n' || ch == '\t') ch = ' ';
    putchar(ch);
    if ((ch & 0xC0) != 0x80) w++;
  }
  for (; w < width; w++) putchar(' ');
}

int cmd_demo(int argc, char **argv) {
  int jsonl = 0, events = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_opt(argv[i], "--help", "-h")) {
      usage(stdout);
      return EXIT_OKAY;
    } else if (cli_opt(argv[i], "--jsonl", NULL)) {
      jsonl = 1;
    } else if (cli_opt(argv[i], "--events", NULL)) {
      events = 1;
    } else {
      cli_err("unknown option '%s'", argv[i]);
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (jsonl) {
    fwrite(dyad_demo_jsonl, 1, dyad_demo_jsonl_len, stdout);
    return EXIT_OKAY;
  }
  dyad_kb *kb = cli_load_kb(NULL, 0, 0);
  if (!kb) return EXIT_DATA;
  dyad_coder *coder;
  dyad_error e;
  if (dyad_coder_new(kb, &coder, &e)) {
    cli_print_error(&e);
    dyad_kb_free(kb);
    return EXIT_IO;
  }
  FILE *in = fmemopen((void *)dyad_demo_jsonl, dyad_demo_jsonl_len, "rb");
  if (!in) {
    cli_err("cannot read the embedded demo stories");
    return EXIT_IO;
  }
  dyad_reader *r;
  dyad_reader_open(in, "demo", DYAD_IN_JSONL, NULL, &r, &e);
  long nstories = 0, nevents = 0;
  if (!events) {
    printf("dyad %s: coding the built-in sample stories with the built-in knowledge base\n\n",
           DYAD_VERSION);
  }
  for (;;) {
    dyad_story st;
    int s = dyad_reader_next(r, &st, &e);
    if (s == -1) break;
    if (s) {
      cli_print_error(&e);
      continue;
    }
    const dyad_event *ev;
    size_t n;
    if (dyad_code_story(coder, &st, &ev, &n, &e)) {
      cli_print_error(&e);
      continue;
    }
    nstories++;
    if (events) {
      for (size_t i = 0; i < n; i++) {
        dyad_write_event(stdout, DYAD_FMT_JSONL, &ev[i], st.text, st.text_len, &st, 0);
      }
      nevents += (long)n;
      continue;
    }
    printf("story %s (%s): ", st.id, st.date);
    cell(st.text, st.text_len, 70);
    printf("%s\n", st.text_len > 70 ? "..." : "");
    if (!n) printf("    (no events)\n");
    for (size_t i = 0; i < n; i++) {
      const dyad_event *x = &ev[i];
      const dyad_cameo_info *ci = dyad_cameo_lookup(kb, x->code);
      char what[64];
      snprintf(what, sizeof what, "%s %s", x->code, ci ? ci->name : "");
      printf("    %s  %-9s ", x->date, x->source.code);
      cell(what, strlen(what), 34);
      printf(" %-9s %-12s ", x->target.code,
             x->place.name && x->place.name[0] ? x->place.name : "-");
      printf("%-12s ", dyad_modality_name(x->modality));
      cell(st.text + x->ev_start, x->ev_end - x->ev_start, 60);
      printf("\n");
    }
    nevents += (long)n;
    printf("\n");
  }
  if (!events) printf("%ld stories, %ld events\n", nstories, nevents);
  dyad_reader_free(r);
  fclose(in);
  dyad_coder_free(coder);
  dyad_kb_free(kb);
  return EXIT_OKAY;
}
