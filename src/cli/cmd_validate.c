/*
 * cmd_validate.c - `dyad validate FILE`: code a PETRARCH validation file
 * from the raw <Text> of each record with the dictionaries named in its
 * <Environment>, and score (source, target, code) triples.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define MAX_EV 64
#define MAX_CAT 24

typedef struct triple {
  char s[64], t[64], c[16];
  int used;
} triple;

typedef struct cat_score {
  char name[32];
  int records, correct, expected, found, extra;
} cat_score;

static void usage(FILE *f) {
  fputs(
      "usage: dyad validate [--kb PATH]... [--quiet] [--all] [--trace ID] FILE\n"
      "\n"
      "Codes the <Text> of every record of a PETRARCH validation file with the\n"
      "dictionaries its <Environment> names (found beside it), prints each record\n"
      "that does not match, a table per category, and the summary line\n"
      "  records: X/Y correct; events: F/E found, N extra\n"
      "\n"
      "A JSON file is scored with the built-in knowledge base (or --kb):\n"
      "  an array of PLOVER gold records: per record, an event of the gold\n"
      "    category with a gold source country found; precision of categories\n"
      "  JSON lines with \"expect\": event triples found and extra, with dates\n"
      "    and modality of the events found (an actor coded with a group's own\n"
      "    tag, ETHREBTPL, counts as the expected ETHREB)\n"
      "\n"
      "  --kb PATH   use these dictionaries instead of the file's own\n"
      "  --quiet     print only the table and the summary\n"
      "  --all       also score records marked evaluate=\"false\"\n"
      "  --trace ID  code only record ID and print the analysis\n",
      f);
}

/* Copy the text between <TAG> and </TAG> in S. */
static int tag_text(const char *s, const char *tag, char *out, size_t cap) {
  char open[64], close[64];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  const char *a = strstr(s, open);
  if (!a) return 0;
  a += strlen(open);
  const char *b = strstr(a, close);
  if (!b) return 0;
  size_t n = (size_t)(b - a);
  if (n >= cap) n = cap - 1;
  memcpy(out, a, n);
  out[n] = '\0';
  /* trim */
  char *p = out;
  while (*p == ' ' || *p == '\t' || *p == '\n') p++;
  memmove(out, p, strlen(p) + 1);
  size_t l = strlen(out);
  while (l && (out[l - 1] == ' ' || out[l - 1] == '\t' || out[l - 1] == '\n')) out[--l] = '\0';
  return 1;
}

static int attr_val(const char *s, const char *name, char *out, size_t cap) {
  char key[64];
  snprintf(key, sizeof key, "%s=\"", name);
  const char *p = strstr(s, key);
  if (!p) return 0;
  p += strlen(key);
  const char *e = strchr(p, '"');
  if (!e) return 0;
  size_t n = (size_t)(e - p);
  if (n >= cap) n = cap - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 1;
}

void cli_trace_line(const char *line, void *ud) {
  fprintf((FILE *)ud, "  | %s\n", line);
}

static cat_score *cat_get(cat_score *cats, int *ncat, const char *name) {
  for (int i = 0; i < *ncat; i++) {
    if (!strcmp(cats[i].name, name)) return &cats[i];
  }
  if (*ncat >= MAX_CAT) return &cats[MAX_CAT - 1];
  cat_score *c = &cats[(*ncat)++];
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  return c;
}

int cmd_validate(int argc, char **argv) {
  const char *kbs[16];
  size_t nkb = 0;
  int quiet = 0, all = 0;
  const char *only = NULL;
  const char *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (cli_opt(argv[i], "--help", "-h")) {
      usage(stdout);
      return EXIT_OKAY;
    } else if (cli_opt(argv[i], "--kb", NULL) && i + 1 < argc) {
      if (nkb < 16) kbs[nkb++] = argv[++i];
    } else if (cli_opt(argv[i], "--quiet", "-q")) {
      quiet = 1;
    } else if (cli_opt(argv[i], "--all", NULL)) {
      all = 1;
    } else if (cli_opt(argv[i], "--trace", NULL) && i + 1 < argc) {
      only = argv[++i];
    } else if (cli_opt(argv[i], "--use-parse", NULL)) {
      cli_err("--use-parse is not supported: dyad codes from raw text");
      return EXIT_USAGE;
    } else if (argv[i][0] == '-') {
      cli_err("unknown option '%s'", argv[i]);
      usage(stderr);
      return EXIT_USAGE;
    } else {
      file = argv[i];
    }
  }
  if (!file) {
    usage(stderr);
    return EXIT_USAGE;
  }
  FILE *f = fopen(file, "rb");
  if (!f) {
    cli_err("cannot open %s: %s", file, strerror(errno));
    return EXIT_IO;
  }
  /* JSON gold files: PLOVER records (an array) or our stories (lines). */
  int c0;
  while ((c0 = fgetc(f)) == ' ' || c0 == '\n' || c0 == '\r' || c0 == '\t') {}
  if (c0 == '[' || c0 == '{') {
    fclose(f);
    dyad_kb *jkb = cli_load_kb(nkb ? kbs : NULL, nkb, 0);
    if (!jkb) return EXIT_DATA;
    dyad_coder *jc;
    dyad_error je;
    memset(&je, 0, sizeof je);
    if (dyad_coder_new(jkb, &jc, &je)) {
      cli_print_error(&je);
      dyad_kb_free(jkb);
      return EXIT_IO;
    }
    int rc = c0 == '[' ? cli_validate_plover(file, jc, quiet, only)
                       : cli_validate_stories(file, jc, quiet, only);
    dyad_coder_free(jc);
    dyad_kb_free(jkb);
    return rc;
  }
  rewind(f);
  /* The environment: dictionary files beside the validation file. */
  char head[16384];
  size_t hn = fread(head, 1, sizeof head - 1, f);
  head[hn] = '\0';
  rewind(f);
  char dir[2048] = ".";
  const char *slash = strrchr(file, '/');
  if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
  static char paths[8][4096];
  const char *dict[8];
  size_t nd = 0;
  if (!nkb) {
    const char *tags[] = {"Verbfile", "Actorfile", "Agentfile", "Discardfile", "PICOfile"};
    char env[8192];
    if (!tag_text(head, "Environment", env, sizeof env)) {
      cli_err("%s: no <Environment> naming the dictionaries; use --kb", file);
      fclose(f);
      return EXIT_DATA;
    }
    for (size_t k = 0; k < sizeof tags / sizeof *tags; k++) {
      char name[1024];
      if (!tag_text(env, tags[k], name, sizeof name)) continue;
      /* Actorfile may list several files separated by commas. */
      char *save = NULL;
      for (char *p = strtok_r(name, ", ", &save); p && nd < 8; p = strtok_r(NULL, ", ", &save)) {
        snprintf(paths[nd], sizeof paths[nd], "%s/%s", dir, p);
        dict[nd] = paths[nd];
        nd++;
      }
    }
  } else {
    for (size_t k = 0; k < nkb; k++) dict[nd++] = kbs[k];
  }
  dyad_kb *kb = cli_load_kb(dict, nd, 0);
  if (!kb) {
    fclose(f);
    return EXIT_DATA;
  }
  dyad_coder *coder;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_coder_new(kb, &coder, &e)) {
    cli_print_error(&e);
    fclose(f);
    dyad_kb_free(kb);
    return EXIT_IO;
  }
  dyad_reader *r;
  dyad_reader_open(f, file, DYAD_IN_PETRARCH, NULL, &r, &e);
  cat_score cats[MAX_CAT];
  int ncat = 0;
  int records = 0, correct = 0, expected_n = 0, found_n = 0, extra_n = 0;
  for (;;) {
    dyad_story st;
    int s = dyad_reader_next(r, &st, &e);
    if (s == -1) break;
    if (s != DYAD_OK) {
      cli_print_error(&e);
      if (s == DYAD_EIO) break;
      continue;
    }
    const dyad_petr_record *pr = dyad_reader_petrarch(r);
    if (!pr->evaluate && !all) continue;
    if (only && strcmp(only, st.id) != 0) continue;
    {
      dyad_code_options o;
      dyad_code_options_init(&o);
      if (only) {
        o.trace = cli_trace_line;
        o.trace_ud = stdout;
      }
      dyad_coder_set_options(coder, &o);
    }
    /* Expected triples. */
    triple exp[MAX_EV];
    int nexp = 0, noevents = 0, is_error = 0;
    char errkind[64] = "";
    const char *p = pr->expected;
    while (p && *p) {
      const char *nl = strchr(p, '\n');
      size_t l = nl ? (size_t)(nl - p) : strlen(p);
      char line[1024];
      if (l >= sizeof line) l = sizeof line - 1;
      memcpy(line, p, l);
      line[l] = '\0';
      char v[64];
      if (attr_val(line, "noevents", v, sizeof v)) noevents = 1;
      if (attr_val(line, "error", errkind, sizeof errkind)) is_error = 1;
      if (nexp < MAX_EV && attr_val(line, "eventcode", exp[nexp].c, sizeof exp[nexp].c)) {
        attr_val(line, "sourcecode", exp[nexp].s, sizeof exp[nexp].s);
        attr_val(line, "targetcode", exp[nexp].t, sizeof exp[nexp].t);
        exp[nexp].used = 0;
        nexp++;
      }
      p = nl ? nl + 1 : NULL;
    }
    (void)noevents;
    const dyad_event *ev;
    size_t n;
    s = dyad_code_story(coder, &st, &ev, &n, &e);
    records++;
    cat_score *cs = cat_get(cats, &ncat, pr->category);
    cs->records++;
    if (s != DYAD_OK) {
      printf("%s [%s]: not coded: %s\n", st.id, pr->category, e.message);
      continue;
    }
    /* Match coded events (negated ones are not events here). */
    int found = 0, extra = 0;
    char got[2048] = "";
    for (size_t i = 0; i < n; i++) {
      if (ev[i].modality == DYAD_MODE_NEGATED) continue;
      int hit = 0;
      for (int k = 0; k < nexp; k++) {
        if (!exp[k].used && !strcmp(exp[k].s, ev[i].source.code) &&
            !strcmp(exp[k].t, ev[i].target.code) && !strcmp(exp[k].c, ev[i].code)) {
          exp[k].used = 1;
          hit = 1;
          break;
        }
      }
      /* The same triple twice in one record counts once. */
      int dup = 0;
      for (size_t j = 0; j < i && !hit; j++) {
        if (!strcmp(ev[j].source.code, ev[i].source.code) &&
            !strcmp(ev[j].target.code, ev[i].target.code) && !strcmp(ev[j].code, ev[i].code)) {
          dup = 1;
        }
      }
      if (dup) continue;
      if (hit) found++;
      else extra++;
      size_t gl = strlen(got);
      snprintf(got + gl, sizeof got - gl, "%s %s>%s %s", gl ? ";" : "", ev[i].source.code,
               ev[i].target.code, ev[i].code);
    }
    if (is_error && strcmp(errkind, "storydiscard") && strcmp(errkind, "sentencediscard")) {
      /* A record whose parse was broken on purpose: it tests that the
       * program does not crash, which it did not; its text is fine and
       * may code (we do not read the parse). */
      found = 0;
      extra = 0;
      got[0] = '\0';
    }
    expected_n += nexp;
    found_n += found;
    extra_n += extra;
    cs->expected += nexp;
    cs->found += found;
    cs->extra += extra;
    int ok = found == nexp && extra == 0;
    if (ok) {
      correct++;
      cs->correct++;
    } else if (!quiet) {
      char want[2048] = "";
      for (int k = 0; k < nexp; k++) {
        size_t wl = strlen(want);
        snprintf(want + wl, sizeof want - wl, "%s %s>%s %s", wl ? ";" : "", exp[k].s, exp[k].t, exp[k].c);
      }
      printf("%s [%s]\n  text: %.*s\n  want:%s\n  got: %s\n", st.id, pr->category,
             (int)(st.text_len > 300 ? 300 : st.text_len), st.text, nexp ? want : " (none)",
             got[0] ? got : " (none)");
    }
  }
  printf("\n%-10s %7s %7s %8s %6s %6s %7s\n", "category", "records", "correct", "expected",
         "found", "extra", "found%");
  for (int i = 0; i < ncat; i++) {
    cat_score *c = &cats[i];
    printf("%-10s %7d %7d %8d %6d %6d %6.1f%%\n", c->name, c->records, c->correct, c->expected,
           c->found, c->extra, c->expected ? 100.0 * c->found / c->expected : 100.0);
  }
  printf("records: %d/%d correct; events: %d/%d found, %d extra\n", correct, records, found_n,
         expected_n, extra_n);
  printf("found %.1f%% of expected events; extra events %.1f%% of expected\n",
         expected_n ? 100.0 * found_n / expected_n : 100.0,
         expected_n ? 100.0 * extra_n / expected_n : 0.0);
  dyad_reader_free(r);
  fclose(f);
  dyad_coder_free(coder);
  dyad_kb_free(kb);
  return EXIT_OKAY;
}
