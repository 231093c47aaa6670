/*
 * kbload.c - public entry points for loading knowledge bases.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kb/kbbuild.h"
#include "kb/pattern.h"

int dyad_kb_load_builtin(dyad_kb **out, dyad_error *err) {
  if (dyad_builtin_kb_len == 0) {
    return du_err(err, DYAD_ENOTFOUND, "this build has no built-in knowledge base");
  }
  /* The embedded blob is read-only and aligned; point into it. */
  return kb_from_blob((void *)(uintptr_t)dyad_builtin_kb, dyad_builtin_kb_len, 0,
                      out, err);
}

static int is_blob(const char *text, size_t len) {
  return len >= 8 && memcmp(text, "DYADKB\0\1", 8) == 0;
}

/* Our own format: a line that starts with a known "@kind". */
static int is_dyad_text(const char *text, size_t len) {
  static const char *kinds[] = {"@country", "@actor", "@person", "@agent",
                                "@lexicon", "@verbs", "@cameo", "@place",
                                "@discard", "@synset", "@verb"};
  size_t n = DU_MIN(len, (size_t)1 << 20);
  const char *p = text;
  while (p && (size_t)(p - text) < n) {
    if (*p == '@') {
      for (size_t i = 0; i < DU_ARRAY_LEN(kinds); i++) {
        size_t kl = strlen(kinds[i]);
        if ((size_t)(p - text) + kl <= len && strncmp(p, kinds[i], kl) == 0 &&
            (p[kl] == ' ' || p[kl] == '\n' || p[kl] == '\t' || p[kl] == '\r')) {
          return 1;
        }
      }
    }
    p = memchr(p, '\n', n - (size_t)(p - text));
    if (p) p++;
  }
  return 0;
}

static int read_one(kb_builder *b, const char *path, int *read_any,
                    dyad_error *err) {
  char *text;
  size_t len;
  int rc = du_read_file(path, &text, &len, err);
  if (rc) return rc;
  if (is_dyad_text(text, len)) {
    kb_read_dyad_text(b, path, text, len);
    *read_any = 1;
  } else {
    int kind = kb_petrarch_kind(path, text, len);
    if (kind == PET_UNKNOWN) {
      kbb_diag(b, DYAD_DIAG_WARNING, path, 0, "not a dictionary file (skipped)");
    } else {
      kb_read_petrarch(b, kind, path, text, len);
      *read_any = 1;
    }
  }
  du_free(text);
  return DYAD_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a folder are read in name order (subfolders in place). */
/* The system city list is read only by the knowledge-base compiler,
 * which links libgeonames; the library itself does not. */
int kb_read_geonames(kb_builder *b) __attribute__((weak));

static int read_path(kb_builder *b, const char *path, int *read_any,
                     dyad_error *err) {
  struct stat st;
  if (!strcmp(path, "geonames:")) {
    if (kb_read_geonames) {
      kb_read_geonames(b);
      *read_any = 1;
    } else {
      kbb_diag(b, DYAD_DIAG_WARNING, path, 0, "the system city list is read only when compiling");
    }
    return DYAD_OK;
  }
  if (stat(path, &st) != 0) return du_err(err, DYAD_EIO, "cannot open %s", path);
  if (!S_ISDIR(st.st_mode)) return read_one(b, path, read_any, err);
  DIR *d = opendir(path);
  if (!d) return du_err(err, DYAD_EIO, "cannot open folder %s", path);
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **nn = du_realloc(names, cap * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    names[n++] = du_strdup(de->d_name);
  }
  closedir(d);
  if (n > 1) qsort(names, n, sizeof *names, cmp_str);
  int rc = DYAD_OK;
  for (size_t i = 0; i < n && rc == DYAD_OK; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", path, names[i]);
    struct stat s2;
    if (stat(full, &s2) != 0) continue;
    if (S_ISDIR(s2.st_mode)) {
      rc = read_path(b, full, read_any, err);
      continue;
    }
    size_t nl = strlen(names[i]);
    if (nl < 4 || strcmp(names[i] + nl - 4, ".txt") != 0) {
      /* Sample stories and documentation sit beside dictionaries. */
      const char *dot = strrchr(names[i], '.');
      int known = !strcmp(names[i], "LICENSE") ||
                  (dot && (!strcmp(dot, ".md") || !strcmp(dot, ".jsonl") ||
                           !strcmp(dot, ".json") || !strcmp(dot, ".xml")));
      if (!known) kbb_diag(b, DYAD_DIAG_WARNING, full, 0, "not a .txt file (skipped)");
      continue;
    }
    rc = read_one(b, full, read_any, err);
  }
  for (size_t i = 0; i < n; i++) du_free(names[i]);
  du_free(names);
  return rc;
}

int dyad_kb_load_paths(const char *const *paths, size_t npaths,
                       dyad_diag_fn diag, void *ud, dyad_kb **out,
                       dyad_error *err) {
  /* A single compiled file loads directly. */
  if (npaths == 1) {
    struct stat st;
    if (stat(paths[0], &st) == 0 && S_ISREG(st.st_mode)) {
      char *text;
      size_t len;
      int rc = du_read_file(paths[0], &text, &len, err);
      if (rc) return rc;
      if (is_blob(text, len)) {
        /* Move to 8-aligned memory (malloc is). */
        return kb_from_blob(text, len, 1, out, err);
      }
      du_free(text);
    }
  }
  kb_builder *b = kbb_new(diag, ud);
  if (!b) return du_err(err, DYAD_ENOMEM, "out of memory");
  if (dyad_builtin_kb_len) {
    dyad_kb *base = NULL;
    int rc = dyad_kb_load_builtin(&base, err);
    if (rc) {
      kbb_free(b);
      return rc;
    }
    kbb_import_base(b, base);
    dyad_kb_free(base);
  }
  int read_any = 0;
  for (size_t i = 0; i < npaths; i++) {
    int rc = read_path(b, paths[i], &read_any, err);
    if (rc) {
      kbb_free(b);
      return rc;
    }
  }
  if (!read_any) {
    kbb_free(b);
    return du_err(err, DYAD_EDATA, "no dictionary files found in %s", npaths ? paths[0] : "(none)");
  }
  kbp_finish_dyad_verbs(b);
  return kbb_finish(b, out, err);
}

int dyad_kb_load(const char *path, dyad_diag_fn diag, void *ud, dyad_kb **out,
                 dyad_error *err) {
  return dyad_kb_load_paths(&path, 1, diag, ud, out, err);
}
