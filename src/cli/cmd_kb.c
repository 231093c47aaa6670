/* cmd_kb.c - `dyad kb check|stats|compile`. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct diag_count {
  long errors, warnings;
  int show_warnings;
} diag_count;

static void count_diag(const dyad_diag *d, void *ud) {
  diag_count *dc = ud;
  if (d->level == DYAD_DIAG_ERROR) dc->errors++;
  else dc->warnings++;
  if (d->level != DYAD_DIAG_ERROR && !dc->show_warnings) return;
  const char *lvl = d->level == DYAD_DIAG_ERROR ? "error" : "warning";
  if (d->line) printf("%s:%ld: %s: %s\n", d->file, d->line, lvl, d->message);
  else if (d->file && d->file[0]) printf("%s: %s: %s\n", d->file, lvl, d->message);
  else printf("%s: %s\n", lvl, d->message);
}

static void print_stats(const dyad_kb *kb) {
  dyad_kb_stats s;
  dyad_kb_get_stats(kb, &s);
  printf("countries      %zu\n", s.countries);
  printf("organisations  %zu\n", s.organisations);
  printf("people         %zu\n", s.people);
  printf("person-roles   %zu\n", s.person_roles);
  printf("actors         %zu\n", s.actors);
  printf("actor names    %zu\n", s.actor_names);
  printf("agents         %zu\n", s.agents);
  printf("verb classes   %zu\n", s.verbs);
  printf("verb entries   %zu\n", s.verb_forms);
  printf("patterns       %zu\n", s.patterns);
  printf("synsets        %zu\n", s.synsets);
  printf("discards       %zu\n", s.discards);
  printf("issues         %zu\n", s.issues);
  printf("places         %zu\n", s.places);
  printf("cameo codes    %zu\n", s.cameo_codes);
  printf("words          %zu\n", s.words);
  printf("review flags   %zu\n", s.review_flags);
}

int cmd_kb(int argc, char **argv) {
  if (argc < 2 || cli_opt(argv[1], "--help", "-h")) {
    fputs("usage: dyad kb check [--quiet] PATH...\n"
          "       dyad kb stats [PATH...]\n"
          "       dyad kb compile PATH... -o OUT\n",
          argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OKAY;
  }
  const char *sub = argv[1];
  const char *paths[64];
  size_t np = 0;
  const char *out = NULL;
  int quiet = 0;
  for (int i = 2; i < argc; i++) {
    if (cli_opt(argv[i], "-o", "--output") && i + 1 < argc) out = argv[++i];
    else if (cli_opt(argv[i], "--quiet", "-q")) quiet = 1;
    else if (np < 64) paths[np++] = argv[i];
  }
  if (!strcmp(sub, "check")) {
    if (!np) {
      cli_err("kb check needs a PATH");
      return EXIT_USAGE;
    }
    diag_count dc = {0, 0, !quiet};
    dyad_kb *kb = NULL;
    dyad_error e;
    memset(&e, 0, sizeof e);
    int rc = dyad_kb_load_paths(paths, np, count_diag, &dc, &kb, &e);
    if (rc) {
      cli_print_error(&e);
      return EXIT_DATA;
    }
    dyad_kb_stats s;
    dyad_kb_get_stats(kb, &s);
    printf("%ld errors, %ld warnings; loaded %zu actors (%zu names), %zu agents, %zu verb "
           "classes, %zu patterns, %zu discards, %zu issues\n",
           dc.errors, dc.warnings, s.actors, s.actor_names, s.agents, s.verbs, s.patterns,
           s.discards, s.issues);
    dyad_kb_free(kb);
    return dc.errors ? EXIT_DATA : EXIT_OKAY;
  }
  if (!strcmp(sub, "stats")) {
    dyad_kb *kb = cli_load_kb(paths, np, 0);
    if (!kb) return EXIT_DATA;
    print_stats(kb);
    dyad_kb_free(kb);
    return EXIT_OKAY;
  }
  if (!strcmp(sub, "compile")) {
    if (!np || !out) {
      cli_err("kb compile needs PATH... -o OUT");
      return EXIT_USAGE;
    }
    dyad_kb *kb = cli_load_kb(paths, np, 0);
    if (!kb) return EXIT_DATA;
    dyad_error e;
    int rc = dyad_kb_save(kb, out, &e);
    dyad_kb_free(kb);
    if (rc) {
      cli_print_error(&e);
      return EXIT_IO;
    }
    return EXIT_OKAY;
  }
  cli_err("unknown kb command '%s'", sub);
  return EXIT_USAGE;
}
