/*
 * kbdyad.c - reader for the dyad knowledge-base format (docs/kb-format.md).
 *
 * A file is a sequence of blocks ("@kind args"); each block collects its
 * field lines and body lines, then a handler turns it into builder calls.
 * Every problem is reported with file and line, and the entry is skipped.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kb/kbbuild.h"
#include "kb/pattern.h"
#include "text/text.h"

#define MAX_LINES 4096

typedef struct line_ref {
  char *key;     /* field key or NULL for body lines */
  char *val;
  long line;
} line_ref;

typedef struct block {
  const char *file;
  uint16_t fileno;
  long line;
  char *kind;
  char *args;
  line_ref *lines;
  size_t n, cap;
} block;

/* ---- small parsing helpers ---- */

/* Split S on " | " (spaces optional), trimming each part, calling FN. */
typedef void (*part_fn)(kb_builder *b, const block *bk, long line,
                        const char *part, void *ud);

static void each_part(kb_builder *b, const block *bk, long line, char *s,
                      part_fn fn, void *ud) {
  char *p = s;
  while (p) {
    char *bar = strchr(p, '|');
    if (bar) *bar = '\0';
    char *t = du_trim(p);
    if (*t) fn(b, bk, line, t, ud);
    p = bar ? bar + 1 : NULL;
  }
}

/* Parse a date "YYYY", "YYYY-MM", "YYYY-MM-DD", or ".." (0 = open).
 * END selects the last day when day or month is missing. */
static int parse_kdate(const char *s, int end, int32_t *out) {
  if (strcmp(s, "..") == 0) {
    *out = 0;
    return 0;
  }
  int y = 0, m = 0, d = 0, n = 0;
  size_t len = strlen(s);
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)s[i]) && s[i] != '-') return -1;
  }
  if (len == 4) {
    n = sscanf(s, "%4d", &y);
    if (n != 1) return -1;
    m = end ? 12 : 1;
    d = end ? 31 : 1;
  } else if (len == 7 && s[4] == '-') {
    if (sscanf(s, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) return -1;
    d = end ? du_days_in_month(y, m) : 1;
  } else if (len == 10 && s[4] == '-' && s[7] == '-') {
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    if (m < 1 || m > 12 || d < 1 || d > du_days_in_month(y, m)) return -1;
  } else {
    return -1;
  }
  if (y < 1000 || y > 2999) return -1;
  *out = y * 10000 + m * 100 + d;
  return 0;
}

/* A code is upper-case letters/digits and / + - (PETRARCH uses "---"). */
static int valid_code(const char *c) {
  size_t n = strlen(c);
  if (n == 0 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = c[i];
    if (!(isupper((unsigned char)ch) || isdigit((unsigned char)ch) ||
          ch == '/' || ch == '+' || ch == '-')) {
      return 0;
    }
  }
  return 1;
}

static const char *field(const block *bk, const char *key) {
  for (size_t i = 0; i < bk->n; i++) {
    if (bk->lines[i].key && strcmp(bk->lines[i].key, key) == 0) return bk->lines[i].val;
  }
  return NULL;
}

/* ---- actor names ---- */

typedef struct name_ctx {
  uint32_t actor;
  uint32_t role;     /* UINT32_MAX: any */
  int count;
} name_ctx;

static void add_actor_name(kb_builder *b, const block *bk, long line,
                           const char *name, void *ud) {
  name_ctx *nc = ud;
  uint32_t ids[KBB_MAX_PHRASE];
  int n = kbb_phrase(b, name, strlen(name), ids);
  if (n <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "name '%s' is empty or longer than %d words",
             name, KBB_MAX_PHRASE);
    return;
  }
  if (kbb_trie_add2(b, TRIE_ACTOR, ids, n, nc->actor, nc->role)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "out of memory adding '%s'", name);
    return;
  }
  /* Also accept the form without a leading article: "the Kremlin". */
  if (n > 1 && strcmp(kbb_word_str(b, ids[0]), "the") == 0) {
    kbb_trie_add2(b, TRIE_ACTOR, ids + 1, n - 1, nc->actor, nc->role);
  }
  kbb_note(b, KBB_NOTE_NAME);
  nc->count++;
}

static uint32_t new_actor(kb_builder *b, const block *bk, const char *name,
                          const char *code, int kind) {
  kb_actor a;
  memset(&a, 0, sizeof a);
  a.name = kbb_cstr(b, name);
  a.dflt = code ? kbb_cstr(b, code) : 0;
  a.kind = (uint8_t)kind;
  a.file = bk->fileno;
  a.line = (uint32_t)bk->line;
  a.roles = kbb_count(b, KA_roles);
  const char *rv = field(bk, "review");
  if (rv) {
    a.review = 1;
    kbb_note(b, KBB_NOTE_REVIEW);
  }
  return kbb_actor(b, &a);
}

/* ---- @country ---- */

static void country_adj(kb_builder *b, const block *bk, long line,
                        const char *name, void *ud) {
  add_actor_name(b, bk, line, name, ud);
}

static void handle_country(kb_builder *b, block *bk) {
  const char *code = bk->args;
  if (!valid_code(code) || strlen(code) != 3) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line,
             "country code '%s' is not a three-letter upper-case code", code);
    return;
  }
  const char *name = field(bk, "name");
  if (!name) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "country %s has no name:", code);
    return;
  }
  uint32_t a = new_actor(b, bk, name, code, AK_COUNTRY);
  kbb_actor_at(b, a)->country = kbb_cstr(b, code);
  kbb_note(b, KBB_NOTE_COUNTRY);
  name_ctx nc = {a, UINT32_MAX, 0};
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (!l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "unexpected line in @country: '%s'", l->val);
      continue;
    }
    if (!strcmp(l->key, "name") || !strcmp(l->key, "names") || !strcmp(l->key, "adj")) {
      each_part(b, bk, l->line, l->val, country_adj, &nc);
    } else if (!strcmp(l->key, "capital")) {
      /* The capital as an actor is the state; "A | B" are spellings of one
       * city, named by the first. */
      char first[256];
      snprintf(first, sizeof first, "%s", l->val);
      char *bar = strchr(first, '|');
      if (bar) *bar = '\0';
      uint32_t cap = new_actor(b, bk, du_trim(first), code, AK_CAPITAL);
      kbb_actor_at(b, cap)->country = kbb_cstr(b, code);
      name_ctx cc = {cap, UINT32_MAX, 0};
      each_part(b, bk, l->line, l->val, add_actor_name, &cc);
    } else if (!strcmp(l->key, "metonym")) {
      char *sp = strchr(l->val, ' ');
      if (!sp) {
        kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "metonym needs a code and a phrase");
        continue;
      }
      *sp = '\0';
      if (!valid_code(l->val)) {
        kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "metonym code '%s' is not a code", l->val);
        continue;
      }
      char *phr = du_trim(sp + 1);
      uint32_t m = new_actor(b, bk, phr, l->val, AK_SEAT);
      kbb_actor_at(b, m)->country = kbb_cstr(b, code);
      name_ctx mc = {m, UINT32_MAX, 0};
      each_part(b, bk, l->line, phr, add_actor_name, &mc);
    } else if (!strcmp(l->key, "iso2")) {
      if (strlen(l->val) != 2) {
        kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "iso2 must be two letters");
      } else {
        kbb_iso2_set(b, l->val, code);
      }
    } else if (!strcmp(l->key, "status") ||
               !strcmp(l->key, "centroid") || !strcmp(l->key, "review") ||
               !strcmp(l->key, "region")) {
      /* informational; centroid handled by the place table */
      if (!strcmp(l->key, "centroid")) {
        float lat, lon;
        if (sscanf(l->val, "%f , %f", &lat, &lon) != 2 || lat < -90 || lat > 90 ||
            lon < -180 || lon > 180) {
          kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "centroid must be 'lat, lon'");
          continue;
        }
        kb_place p;
        memset(&p, 0, sizeof p);
        p.name = kbb_cstr(b, name);
        p.country = kbb_cstr(b, code);
        p.lat = lat;
        p.lon = lon;
        p.kind = 1;
        uint32_t pi = kbb_place(b, &p);
        /* Every name of the country resolves to this place. */
        const char *nm[2] = {field(bk, "name"), field(bk, "names")};
        for (int k = 0; k < 2; k++) {
          if (!nm[k]) continue;
          char tmp[4096];
          snprintf(tmp, sizeof tmp, "%s", nm[k]);
          char *p2 = tmp;
          while (p2) {
            char *bar = strchr(p2, '|');
            if (bar) *bar = '\0';
            char *t = du_trim(p2);
            uint32_t ids[KBB_MAX_PHRASE];
            int n = *t ? kbb_phrase(b, t, strlen(t), ids) : 0;
            if (n > 0) kbb_trie_add(b, TRIE_PLACE, ids, n, pi);
            p2 = bar ? bar + 1 : NULL;
          }
        }
      }
    } else {
      kbb_diag(b, DYAD_DIAG_WARNING, bk->file, l->line, "unknown field '%s' in @country", l->key);
    }
  }
}

/* ---- roles ---- */

/* Parse "CODE FROM TO rest" into a role; returns 0 on success. */
static int parse_role(kb_builder *b, const block *bk, long line, char *val,
                      kb_role *r, char **rest) {
  char *save = NULL;
  char *code = strtok_r(val, " \t", &save);
  char *from = strtok_r(NULL, " \t", &save);
  char *to = strtok_r(NULL, " \t", &save);
  *rest = save ? du_trim(save) : NULL;
  if (!code || !from || !to) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "role needs CODE FROM TO");
    return -1;
  }
  if (!valid_code(code)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "role code '%s' is not a code", code);
    return -1;
  }
  memset(r, 0, sizeof *r);
  if (parse_kdate(from, 0, &r->from) || strcmp(from, "..") == 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line,
             "role start '%s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", from);
    return -1;
  }
  if (parse_kdate(to, 1, &r->to)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line,
             "role end '%s' is not a date or '..'", to);
    return -1;
  }
  if (r->to && r->to < r->from) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "role ends (%s) before it starts (%s)", to, from);
    return -1;
  }
  r->code = kbb_cstr(b, code);
  return 0;
}

/* ---- @actor and @person ---- */

static int kind_of(const char *k) {
  if (!k) return AK_OTHER;
  if (!strcmp(k, "igo")) return AK_IGO;
  if (!strcmp(k, "ngo")) return AK_NGO;
  if (!strcmp(k, "group") || !strcmp(k, "party")) return AK_GROUP;
  if (!strcmp(k, "media")) return AK_MEDIA;
  if (!strcmp(k, "company")) return AK_COMPANY;
  return AK_OTHER;
}

typedef struct title_ctx {
  char **surnames;
  size_t nsur;
  uint32_t actor, role;
} title_ctx;

static void add_title(kb_builder *b, const block *bk, long line,
                      const char *title, void *ud) {
  title_ctx *tc = ud;
  for (size_t i = 0; i < tc->nsur; i++) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s %s", title, tc->surnames[i]);
    name_ctx nc = {tc->actor, tc->role, 0};
    add_actor_name(b, bk, line, buf, &nc);
  }
}

static void split_titles(kb_builder *b, const block *bk, long line, char *s,
                         title_ctx *tc) {
  /* Titles are separated by " / ". */
  char *p = s;
  while (p) {
    char *sl = strstr(p, " / ");
    if (sl) *sl = '\0';
    char *t = du_trim(p);
    if (*t) add_title(b, bk, line, t, tc);
    p = sl ? sl + 3 : NULL;
  }
}

static void collect_part(kb_builder *b, const block *bk, long line,
                         const char *part, void *ud) {
  (void)b, (void)bk, (void)line;
  title_ctx *tc = ud;
  if (tc->nsur < 8) tc->surnames[tc->nsur++] = (char *)part;
}

static void handle_actor(kb_builder *b, block *bk, int person) {
  const char *code = person ? NULL : bk->args;
  if (!person && !valid_code(code)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "actor code '%s' is not a code", code);
    return;
  }
  const char *dflt = field(bk, "default");
  if (dflt && !valid_code(dflt)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "default code '%s' is not a code", dflt);
    dflt = NULL;
  }
  const char *name = person ? bk->args : field(bk, "name");
  if (!name || !*name) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "%s has no name",
             person ? "@person" : "@actor");
    return;
  }
  uint32_t a = new_actor(b, bk, name, person ? dflt : code,
                         person ? AK_PERSON : kind_of(field(bk, "kind")));
  const char *country = field(bk, "country");
  if (country) kbb_actor_at(b, a)->country = kbb_cstr(b, country);
  else if (!person && strlen(code) >= 3) {
    char c3[4] = {code[0], code[1], code[2], 0};
    kbb_actor_at(b, a)->country = kbb_cstr(b, c3);
  }
  if (person) kbb_note(b, KBB_NOTE_PERSON);
  else if (kind_of(field(bk, "kind")) != AK_OTHER) kbb_note(b, KBB_NOTE_ORG);
  /* Surnames for title variants. */
  char *surbuf[8];
  title_ctx tc = {surbuf, 0, a, 0};
  char surcopy[1024] = "";
  const char *sur = field(bk, "surname");
  if (sur) {
    snprintf(surcopy, sizeof surcopy, "%s", sur);
    each_part(b, bk, bk->line, surcopy, collect_part, &tc);
  }
  name_ctx nc = {a, UINT32_MAX, 0};
  uint32_t nroles = 0;
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (!l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "unexpected line: '%s'", l->val);
      continue;
    }
    if (!strcmp(l->key, "names") || (!person && !strcmp(l->key, "name"))) {
      each_part(b, bk, l->line, l->val, add_actor_name, &nc);
    } else if (!strcmp(l->key, "role")) {
      kb_role r;
      char *rest;
      if (parse_role(b, bk, l->line, l->val, &r, &rest)) continue;
      if (rest && *rest) r.title = kbb_cstr(b, rest);
      uint32_t ri = kbb_role(b, &r);
      nroles++;
      if (person) kbb_note(b, KBB_NOTE_PERSON_ROLE);
      if (rest && *rest && tc.nsur) {
        tc.role = ri;
        split_titles(b, bk, l->line, rest, &tc);
      }
    } else if (!strcmp(l->key, "kind") || !strcmp(l->key, "country") ||
               !strcmp(l->key, "review") || !strcmp(l->key, "surname") ||
               !strcmp(l->key, "default") || !strcmp(l->key, "note") ||
               !strcmp(l->key, "founded") || !strcmp(l->key, "active")) {
      /* handled above or informational */
    } else {
      kbb_diag(b, DYAD_DIAG_WARNING, bk->file, l->line, "unknown field '%s'", l->key);
    }
  }
  kbb_actor_at(b, a)->nroles = nroles;
  if (nc.count == 0 && person) {
    /* A person with only a display name: use it. */
    add_actor_name(b, bk, bk->line, name, &nc);
  }
  if (nc.count == 0 && tc.nsur == 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "'%s' has no names", name);
  }
  if (person && nroles == 0 && !dflt) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "person '%s' has no role and no default", name);
  }
}

/* ---- @agent ---- */

typedef struct agent_ctx {
  uint32_t agent;
  int plural;
} agent_ctx;

static void add_agent_noun(kb_builder *b, const block *bk, long line,
                           const char *noun, void *ud) {
  agent_ctx *ac = ud;
  uint32_t ids[KBB_MAX_PHRASE];
  int n = kbb_phrase(b, noun, strlen(noun), ids);
  if (n <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, line, "agent noun '%s' is empty or too long", noun);
    return;
  }
  kbb_trie_add(b, TRIE_AGENT, ids, n, ac->agent);
  if (ac->plural) {
    char pl[256];
    kb_plural(kbb_word_str(b, ids[n - 1]), pl, sizeof pl);
    uint32_t save = ids[n - 1];
    ids[n - 1] = kbb_word(b, pl, strlen(pl));
    if (ids[n - 1] != save) kbb_trie_add(b, TRIE_AGENT, ids, n, ac->agent);
  }
}

static void handle_agent(kb_builder *b, block *bk) {
  if (!valid_code(bk->args)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "agent code '%s' is not a code", bk->args);
    return;
  }
  kb_agent ag;
  memset(&ag, 0, sizeof ag);
  ag.code = kbb_cstr(b, bk->args);
  ag.file = bk->fileno;
  ag.line = (uint32_t)bk->line;
  const char *pos = field(bk, "position");
  ag.prefix = pos && !strcmp(pos, "prefix");
  agent_ctx ac = {kbb_agent(b, &ag), 1};
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key && !strcmp(l->key, "nouns")) {
      ac.plural = 1;
      each_part(b, bk, l->line, l->val, add_agent_noun, &ac);
    } else if (l->key && !strcmp(l->key, "exact")) {
      ac.plural = 0;
      each_part(b, bk, l->line, l->val, add_agent_noun, &ac);
    } else if (l->key && !strcmp(l->key, "position")) {
    } else {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "unexpected line in @agent");
    }
  }
}

/* ---- @lexicon and @verbs ---- */

static uint32_t lex_class(const char *name) {
  static const struct { const char *n; uint32_t f; } map[] = {
      {"det", LX_DET}, {"posspron", LX_POSSPRON}, {"pron", LX_PRON},
      {"prep", LX_PREP}, {"conj", LX_CONJ}, {"subord", LX_SUBORD},
      {"rel", LX_REL}, {"be", LX_BE}, {"have", LX_HAVE}, {"do", LX_DO},
      {"modal", LX_MODAL}, {"neg", LX_NEG}, {"adv", LX_ADV}, {"adj", LX_ADJ},
      {"noun", LX_NOUN}, {"to", LX_TO}, {"that", LX_THAT}, {"say", LX_SAY},
      {"numword", LX_NUMW}, {"month", LX_MONTH}, {"weekday", LX_WEEKDAY},
      {"time", LX_TIME}, {"quant", LX_QUANT}, {"hedge", LX_HEDGE},
      {"specul", LX_SPECUL}, {"intend", LX_INTEND}, {"refuse", LX_REFUSE},
      {"title", LX_TITLE}, {"placeprep", LX_PLACEPREP},
      {"eventnoun", LX_EVNOUN}};
  for (size_t i = 0; i < DU_ARRAY_LEN(map); i++) {
    if (!strcmp(map[i].n, name)) return map[i].f;
  }
  return 0;
}

static void handle_lexicon(kb_builder *b, block *bk) {
  uint32_t cls = lex_class(bk->args);
  if (!cls) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "unknown lexicon class '%s'", bk->args);
    return;
  }
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "fields are not allowed in @lexicon");
      continue;
    }
    char *save = NULL;
    for (char *w = strtok_r(l->val, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
      char *eq = strchr(w, '=');
      if (eq) *eq = '\0';
      char fold[256];
      dt_fold_phrase(w, strlen(w), fold, sizeof fold);
      if (!*fold || strchr(fold, ' ')) {
        kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "'%s' is not a single word", w);
        continue;
      }
      uint32_t id = kbb_word(b, fold, strlen(fold));
      kbb_word_lex(b, id, cls);
      if (eq) {
        char lf[256];
        dt_fold_phrase(eq + 1, strlen(eq + 1), lf, sizeof lf);
        uint32_t lid = kbb_word(b, lf, strlen(lf));
        kbb_word_lex(b, lid, cls);
        kbb_word_set_lemma(b, id, lid);
      }
    }
  }
}

static void handle_verbs(kb_builder *b, block *bk) {
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "fields are not allowed in @verbs");
      continue;
    }
    char *f[5] = {0};
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(l->val, " \t", &save); w && n < 5; w = strtok_r(NULL, " \t", &save)) {
      f[n++] = strcmp(w, "-") == 0 ? NULL : w;
    }
    if (!n || !f[0]) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "a verb line needs a lemma");
      continue;
    }
    for (int k = 0; k < n; k++) {
      if (!f[k]) continue;
      for (char *p = f[k]; *p; p++) *p = du_lower(*p);
    }
    kbb_lex_verb(b, f[0], f[1], f[2], f[3], f[4]);
  }
}

/* ---- @cameo ---- */

static int cmp_cameo(const void *a, const void *b) {
  return strcmp(((const kb_cameo *)a)->code, ((const kb_cameo *)b)->code);
}

static void handle_cameo(kb_builder *b, block *bk) {
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    char code[16], plover[32], mode[64], ctx[64];
    float g;
    int quad, used = 0;
    if (l->key || sscanf(l->val, "%15s %f %d %31s %63s %63s %n", code, &g, &quad,
                         plover, mode, ctx, &used) < 6) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line,
               "expected 'CODE GOLDSTEIN QUAD PLOVER MODE CONTEXT Name'");
      continue;
    }
    if (strlen(code) > 7 || quad < 1 || quad > 4 || g < -10 || g > 10) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "bad CAMEO row for '%s'", code);
      continue;
    }
    kb_cameo c;
    memset(&c, 0, sizeof c);
    memcpy(c.code, code, strlen(code) + 1);
    c.goldstein = g;
    c.quad = (int8_t)quad;
    c.plover = kbb_cstr(b, strcmp(plover, "-") ? plover : "");
    c.plover_mode = kbb_cstr(b, strcmp(mode, "-") ? mode : "");
    c.plover_context = kbb_cstr(b, strcmp(ctx, "-") ? ctx : "");
    c.name = kbb_cstr(b, du_trim(l->val + used));
    kbb_cameo(b, &c);
  }
  (void)cmp_cameo;
}

/* ---- @place ---- */

static void handle_place(kb_builder *b, block *bk) {
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "fields are not allowed in @place");
      continue;
    }
    char *col[6] = {0};
    int n = 0;
    char *p = l->val;
    while (p && n < 6) {
      char *semi = strchr(p, ';');
      if (semi) *semi = '\0';
      col[n++] = du_trim(p);
      p = semi ? semi + 1 : NULL;
    }
    float lat, lon;
    if (n < 5 || !*col[0] || (strlen(col[1]) != 3 && strcmp(col[1], "-")) ||
        sscanf(col[3], "%f", &lat) != 1 ||
        sscanf(col[4], "%f", &lon) != 1 || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line,
               "expected 'Name ; ISO3 ; admin1 ; lat ; lon [; aliases]'");
      continue;
    }
    kb_place pl;
    memset(&pl, 0, sizeof pl);
    pl.name = kbb_cstr(b, col[0]);
    pl.country = kbb_cstr(b, strcmp(col[1], "-") ? col[1] : "");
    pl.admin1 = kbb_cstr(b, col[2]);
    pl.lat = lat;
    pl.lon = lon;
    pl.population = 1000000000u; /* our entries win over the system list */
    uint32_t pi = kbb_place(b, &pl);
    uint32_t ids[KBB_MAX_PHRASE];
    int k = kbb_phrase(b, col[0], strlen(col[0]), ids);
    if (k > 0) kbb_trie_add(b, TRIE_PLACE, ids, k, pi);
    if (n >= 6 && col[5]) {
      char *q = col[5];
      while (q) {
        char *bar = strchr(q, '|');
        if (bar) *bar = '\0';
        char *t = du_trim(q);
        k = *t ? kbb_phrase(b, t, strlen(t), ids) : 0;
        if (k > 0) kbb_trie_add(b, TRIE_PLACE, ids, k, pi);
        q = bar ? bar + 1 : NULL;
      }
    }
  }
}

/* ---- @discard ---- */

static void handle_discard(kb_builder *b, block *bk) {
  int story = !strcmp(bk->args, "story");
  if (!story && strcmp(bk->args, "sentence")) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "@discard takes 'sentence' or 'story'");
    return;
  }
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key) continue;
    char *t = l->val;
    size_t n = strlen(t);
    int stem = n && t[n - 1] == '*';
    if (stem) t[--n] = '\0';
    uint32_t ids[KBB_MAX_PHRASE];
    int k = kbb_phrase(b, t, n, ids);
    if (k <= 0) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line, "empty discard phrase");
      continue;
    }
    kb_discard d = {(uint8_t)story, (uint8_t)stem, bk->fileno, (uint32_t)l->line,
                    kbb_cstr(b, t)};
    kbb_trie_add(b, TRIE_DISCARD, ids, k, kbb_discard(b, &d));
  }
}

/* ---- @synset and @verb: see pattern.c ---- */

static void handle_synset(kb_builder *b, block *bk) {
  const char *name = bk->args;
  if (name[0] != '&' || !name[1]) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "synset name must start with '&'");
    return;
  }
  uint32_t si = kbp_synset_begin(b, name, 1);
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    char *p = l->key ? l->val : l->val;
    while (p) {
      char *bar = strchr(p, '|');
      if (bar) *bar = '\0';
      char *t = du_trim(p);
      if (*t) kbp_synset_add(b, si, t, bk->file, l->line);
      p = bar ? bar + 1 : NULL;
    }
  }
}

static void handle_verb(kb_builder *b, block *bk) {
  char *save = NULL;
  char *code = strtok_r(bk->args, " \t", &save);
  if (!code || !valid_code(code)) {
    kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "@verb needs a CAMEO code");
    return;
  }
  for (size_t i = 0; i < bk->n; i++) {
    line_ref *l = &bk->lines[i];
    if (l->key) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk->file, l->line,
               "fields are not allowed in @verb (a pattern cannot start with 'word:')");
      continue;
    }
    kbp_dyad_pattern(b, bk->fileno, bk->file, l->line, l->val, code);
  }
}

/* ---- file and folder reading ---- */

static void dispatch(kb_builder *b, block *bk) {
  if (!bk->kind) return;
  const char *k = bk->kind;
  if (!strcmp(k, "country")) handle_country(b, bk);
  else if (!strcmp(k, "actor")) handle_actor(b, bk, 0);
  else if (!strcmp(k, "person")) handle_actor(b, bk, 1);
  else if (!strcmp(k, "agent")) handle_agent(b, bk);
  else if (!strcmp(k, "lexicon")) handle_lexicon(b, bk);
  else if (!strcmp(k, "verbs")) handle_verbs(b, bk);
  else if (!strcmp(k, "cameo")) handle_cameo(b, bk);
  else if (!strcmp(k, "place")) handle_place(b, bk);
  else if (!strcmp(k, "discard")) handle_discard(b, bk);
  else if (!strcmp(k, "synset")) handle_synset(b, bk);
  else if (!strcmp(k, "verb")) handle_verb(b, bk);
  else kbb_diag(b, DYAD_DIAG_ERROR, bk->file, bk->line, "unknown block '@%s'", k);
}

static int is_key(const char *s, size_t *klen) {
  size_t i = 0;
  while (s[i] && (islower((unsigned char)s[i]) || s[i] == '-' || isdigit((unsigned char)s[i]))) i++;
  if (i == 0 || s[i] != ':' || (s[i + 1] != ' ' && s[i + 1] != '\0' && s[i + 1] != '\t')) return 0;
  *klen = i;
  return 1;
}

int kb_read_dyad_text(kb_builder *b, const char *file, const char *text,
                      size_t len) {
  char *buf = du_strndup(text, len);
  if (!buf) return -1;
  block bk;
  memset(&bk, 0, sizeof bk);
  bk.fileno = kbb_file(b, file);
  bk.file = file; /* the caller's string: the builder's pool moves as it grows */
  long lineno = 0;
  char *p = buf;
  while (p && *p) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    lineno++;
    char *line = p;
    p = nl ? nl + 1 : NULL;
    /* Strip comments: '#' at start or after whitespace. */
    for (char *c = line; *c; c++) {
      if (*c == '#' && (c == line || du_is_space((unsigned char)c[-1]))) {
        *c = '\0';
        break;
      }
    }
    char *t = du_trim(line);
    if (!*t) continue;
    if (memchr(t, '\0', 0) != NULL) continue;
    if (t[0] == '@') {
      dispatch(b, &bk);
      bk.n = 0;
      bk.line = lineno;
      char *sp = t + 1;
      while (*sp && !du_is_space((unsigned char)*sp)) sp++;
      if (*sp) *sp++ = '\0';
      bk.kind = t + 1;
      bk.args = du_trim(sp);
      continue;
    }
    if (!bk.kind) {
      kbb_diag(b, DYAD_DIAG_ERROR, bk.file, lineno, "line outside a block (blocks start with '@')");
      continue;
    }
    if (bk.n == bk.cap) {
      size_t cap = bk.cap ? bk.cap * 2 : 64;
      line_ref *nl2 = du_realloc(bk.lines, cap * sizeof *nl2);
      if (!nl2) break;
      bk.lines = nl2;
      bk.cap = cap;
    }
    line_ref *lr = &bk.lines[bk.n++];
    size_t klen;
    lr->line = lineno;
    if (is_key(t, &klen)) {
      t[klen] = '\0';
      lr->key = t;
      lr->val = du_trim(t + klen + 1);
    } else {
      lr->key = NULL;
      lr->val = t;
    }
  }
  dispatch(b, &bk);
  du_free(bk.lines);
  du_free(buf);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int kb_read_dyad_path(kb_builder *b, const char *path, dyad_error *err) {
  struct stat st;
  if (stat(path, &st) != 0) {
    return du_err(err, DYAD_EIO, "cannot open %s", path);
  }
  if (S_ISREG(st.st_mode)) {
    char *text;
    size_t len;
    int rc = du_read_file(path, &text, &len, err);
    if (rc) return rc;
    kb_read_dyad_text(b, path, text, len);
    du_free(text);
    return DYAD_OK;
  }
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
  /* Deterministic order: sorted names, files before subfolders' contents. */
  if (n > 1) qsort(names, n, sizeof *names, cmp_str);
  int rc = DYAD_OK;
  for (size_t i = 0; i < n; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", path, names[i]);
    struct stat s2;
    if (stat(full, &s2) == 0) {
      if (S_ISDIR(s2.st_mode)) {
        rc = kb_read_dyad_path(b, full, err);
      } else {
        size_t nl = strlen(names[i]);
        if (nl > 4 && strcmp(names[i] + nl - 4, ".txt") == 0) {
          rc = kb_read_dyad_path(b, full, err);
        }
      }
    }
    du_free(names[i]);
    if (rc) {
      for (size_t k = i + 1; k < n; k++) du_free(names[k]);
      break;
    }
  }
  du_free(names);
  return rc;
}
