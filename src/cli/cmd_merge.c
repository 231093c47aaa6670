/* cmd_merge.c - `dyad merge`: shard stores into one store. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void merge_usage(FILE *f) {
  fputs("usage: dyad merge [--db TARGET] [--list FILE] [--no-dedup] [--quiet] SOURCE...\n"
        "\n"
        "Copies the stories and mentions of each SOURCE store (a SQLite file or a\n"
        "postgresql:// URL, usually one per shard written by `dyad ingest`) into\n"
        "TARGET (default dyad.db, or $DYAD_DB), then groups the mentions into\n"
        "events. A story already in TARGET with the same text is left alone and a\n"
        "changed one is replaced, so merging a shard again, or a rerun of a shard,\n"
        "changes only that shard's stories. Sources are applied in order: when a\n"
        "story id is in several, the last wins, as in one ingest of the inputs in\n"
        "that order. The result equals one `dyad ingest` of all the shards' input.\n"
        "\n"
        "  --list FILE   read more source names from FILE, one per line ('-': stdin)\n"
        "  --no-dedup    leave grouping to a later merge or ingest\n"
        "  --quiet       no progress on stderr\n",
        f);
}

typedef struct merge_run {
  dyad_store *st;
  const char *target;
  char target_real[PATH_MAX];
  int quiet, failed;
  long sources;
  dyad_merge_stats total;
} merge_run;

static int is_url(const char *s) {
  return !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

static int merge_one(merge_run *m, const char *source) {
  char real[PATH_MAX];
  if (!is_url(source) && m->target_real[0] && realpath(source, real) &&
      !strcmp(real, m->target_real)) {
    cli_err("%s is the target itself", source);
    return EXIT_USAGE;
  }
  dyad_merge_stats ms;
  dyad_merge_stats_init(&ms);
  dyad_error e;
  memset(&e, 0, sizeof e);
  int rc = dyad_store_merge(m->st, source, &ms, &e);
  m->total.stories += ms.stories;
  m->total.inserted += ms.inserted;
  m->total.unchanged += ms.unchanged;
  m->total.replaced += ms.replaced;
  m->total.mentions += ms.mentions;
  if (rc) {
    cli_print_error(&e);
    return rc == DYAD_EDATA || rc == DYAD_ENOTFOUND ? EXIT_DATA : EXIT_IO;
  }
  m->sources++;
  if (!m->quiet) {
    fprintf(stderr, "dyad: merged %s: %lld stories (%lld new, %lld replaced, %lld unchanged), "
                    "%lld mentions\n",
            source, ms.stories, ms.inserted, ms.replaced, ms.unchanged, ms.mentions);
  }
  return EXIT_OKAY;
}

static int merge_list(merge_run *m, const char *list) {
  FILE *f = !strcmp(list, "-") ? stdin : fopen(list, "r");
  if (!f) {
    cli_err("cannot open %s: %s", list, strerror(errno));
    return EXIT_IO;
  }
  char line[PATH_MAX + 64];
  int rc = EXIT_OKAY;
  while (rc == EXIT_OKAY && fgets(line, sizeof line, f)) {
    size_t n = strlen(line);
    if (n && line[n - 1] != '\n' && !feof(f)) {
      cli_err("%s: line too long", list);
      rc = EXIT_DATA;
      break;
    }
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) {
      line[--n] = '\0';
    }
    if (!n || line[0] == '#') continue;
    rc = merge_one(m, line);
  }
  if (rc == EXIT_OKAY && ferror(f)) {
    cli_err("error reading %s", list);
    rc = EXIT_IO;
  }
  if (f != stdin) fclose(f);
  return rc;
}

int cmd_merge(int argc, char **argv) {
  const char *dbt = getenv("DYAD_DB");
  if (!dbt || !*dbt) dbt = "dyad.db";
  int dedup = 1, quiet = 0, nsrc = 0;
  /* First pass: options; sources are taken in order in the second. */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_opt(a, "--help", "-h")) {
      merge_usage(stdout);
      return EXIT_OKAY;
    } else if (!strcmp(a, "--db") && i + 1 < argc) {
      dbt = argv[++i];
    } else if (!strcmp(a, "--list") && i + 1 < argc) {
      i++;
      nsrc++;
    } else if (!strcmp(a, "--no-dedup")) {
      dedup = 0;
    } else if (cli_opt(a, "--quiet", "-q")) {
      quiet = 1;
    } else if (a[0] == '-') {
      cli_err("unknown option '%s'", a);
      merge_usage(stderr);
      return EXIT_USAGE;
    } else {
      nsrc++;
    }
  }
  if (!nsrc) {
    merge_usage(stderr);
    return EXIT_USAGE;
  }
  merge_run m;
  memset(&m, 0, sizeof m);
  m.target = dbt;
  m.quiet = quiet;
  dyad_merge_stats_init(&m.total);
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_store_open(dbt, &m.st, &e)) {
    cli_print_error(&e);
    return EXIT_IO;
  }
  if (!is_url(dbt) && !realpath(dbt, m.target_real)) m.target_real[0] = '\0';
  int rc = EXIT_OKAY;
  /* Into an empty store: indexes for grouping and readers are built once
   * at the end. */
  int deferred = 0;
  if (dyad_store_defer_indexes(m.st, &deferred, &e)) {
    cli_print_error(&e);
    rc = EXIT_IO;
  }
  for (int i = 1; i < argc && rc == EXIT_OKAY; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--db")) {
      i++;
    } else if (!strcmp(a, "--list")) {
      rc = merge_list(&m, argv[++i]);
    } else if (a[0] != '-') {
      rc = merge_one(&m, a);
    }
  }
  /* Group even after a failed source: what was merged is consistent. */
  if (dedup ? dyad_store_dedup(m.st, &e) : dyad_store_build_indexes(m.st, &e)) {
    cli_print_error(&e);
    if (rc == EXIT_OKAY) rc = EXIT_IO;
  }
  if (!quiet) {
    dyad_store_stats ss;
    if (!dyad_store_stats_get(m.st, &ss, &e)) {
      fprintf(stderr, "dyad: merged %ld sources into %s %s: %lld stories read (%lld new, "
                      "%lld replaced, %lld unchanged); now %lld stories, %lld mentions, "
                      "%lld events\n",
              m.sources, dyad_store_backend(m.st), dbt, m.total.stories, m.total.inserted,
              m.total.replaced, m.total.unchanged, ss.stories, ss.mentions, ss.events);
    }
  }
  dyad_store_close(m.st);
  return rc;
}
