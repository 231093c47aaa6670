/*
 * kbpetrarch.c - readers for the public PETRARCH-2 dictionary formats:
 * verbs (synsets, verb blocks, patterns), actors (synonyms, date-bounded
 * codes), agents (substitution sets, plurals, prefix/suffix codes),
 * discards, issues, and the internal coding ontology.
 *
 * The formats are described in docs/petrarch.md. Every malformed or
 * suspicious entry is reported with file, line and reason; the rest loads.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "kb/kbbuild.h"
#include "kb/pattern.h"
#include "text/text.h"

/* ---- line reading with PETRARCH comment rules ---- */

typedef struct preader {
  char *buf;
  char *p;
  long line;
  int in_xml_comment;
  const char *file;
} preader;

/* Next line with comments removed; NULL at the end. Sets *raw_indent to 1
 * when the original line started with whitespace. */
static char *next_line(preader *r, int *indent) {
  while (r->p && *r->p) {
    char *line = r->p;
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    r->p = nl ? nl + 1 : NULL;
    r->line++;
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r') line[--n] = '\0';
    if (r->in_xml_comment) {
      char *end = strstr(line, "-->");
      if (!end) continue;
      r->in_xml_comment = 0;
      line = end + 3;
    }
    /* Remove <!-- ... --> runs; an unterminated one continues. */
    for (;;) {
      char *c = strstr(line, "<!--");
      if (!c) break;
      char *end = strstr(c + 4, "-->");
      if (end) {
        memmove(c, end + 3, strlen(end + 3) + 1);
      } else {
        *c = '\0';
        r->in_xml_comment = 1;
        break;
      }
    }
    if (line[0] == '<' && line[1] == '!') continue; /* "<! -- ..." */
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    *indent = line[0] == ' ' || line[0] == '\t';
    char *t = du_trim(line);
    if (!*t) continue;
    return t;
  }
  return NULL;
}

static int code_chars_ok(const char *c) {
  for (; *c; c++) {
    if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '/' ||
          *c == '-' || *c == '+' || *c == '#' || *c == '~')) {
      return 0;
    }
  }
  return 1;
}

/* ---- dates: YYMMDD or YYYYMMDD ---- */

static int pdate(const char *s, int32_t *out) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
  }
  int y, m, d;
  if (n == 6) {
    y = (s[0] - '0') * 10 + (s[1] - '0');
    y += y < 30 ? 2000 : 1900;
    m = (s[2] - '0') * 10 + (s[3] - '0');
    d = (s[4] - '0') * 10 + (s[5] - '0');
  } else if (n == 8) {
    y = atoi((char[5]){s[0], s[1], s[2], s[3], 0});
    m = (s[4] - '0') * 10 + (s[5] - '0');
    d = (s[6] - '0') * 10 + (s[7] - '0');
  } else {
    return -1;
  }
  if (m < 1 || m > 12 || d < 1 || d > du_days_in_month(y, m)) return -1;
  *out = y * 10000 + m * 100 + d;
  return 0;
}

/* ---- actors ---- */

typedef struct actor_rec {
  uint32_t actor;     /* UINT32_MAX when none open */
  long line;
  char name[256];
  uint32_t roles;
  int nroles;
  int has_code;
} actor_rec;

/* Parse "[CODE]" or "[CODE restriction]"; fills role, returns 1 when it is
 * a plain default code, 2 when a restriction, 0 on error. */
static int parse_actor_code(kb_builder *b, const char *file, long line,
                            const char *txt, kb_role *role, char *code_out,
                            size_t cap) {
  char buf[256];
  size_t n = strlen(txt);
  if (n < 2 || txt[0] != '[' || !strchr(txt, ']')) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "expected [CODE] or [CODE DATE-RESTRICTION], got '%s'", txt);
    return 0;
  }
  const char *close = strchr(txt, ']');
  size_t in = (size_t)(close - txt - 1);
  if (in >= sizeof buf) in = sizeof buf - 1;
  memcpy(buf, txt + 1, in);
  buf[in] = '\0';
  char *t = du_trim(buf);
  char *sp = t;
  while (*sp && !du_is_space((unsigned char)*sp) && *sp != '<' && *sp != '>') sp++;
  char code[128];
  size_t cl = (size_t)(sp - t);
  if (cl == 0 || cl >= sizeof code) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "empty or overlong code in '%s'", txt);
    return 0;
  }
  memcpy(code, t, cl);
  code[cl] = '\0';
  char *rest = du_trim(sp);
  memset(role, 0, sizeof *role);
  /* A code made of digits and '-' is a date range with no code. */
  int digits = 0, letters = 0;
  for (char *c = code; *c; c++) {
    if (isdigit((unsigned char)*c)) digits++;
    if (isalpha((unsigned char)*c)) letters++;
  }
  if (digits >= 4) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line,
             "code '%s' contains a date fragment (a space is missing between code and date?)", code);
    return 0;
  }
  if (!code_chars_ok(code)) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "'%s' is not a CAMEO code (codes are upper-case letters)", code);
    return 0;
  }
  if (letters && strcmp(code, "---") && strcmp(code, "+++") && strcmp(code, "###")) {
    /* CAMEO actor codes are made of three-letter units. */
    const char *part = code;
    while (part && *part) {
      const char *slash = strchr(part, '/');
      size_t pl = slash ? (size_t)(slash - part) : strlen(part);
      if (pl % 3) {
        kbb_diag(b, DYAD_DIAG_WARNING, file, line,
                 "code '%s' is not made of three-letter CAMEO units", code);
        break;
      }
      part = slash ? slash + 1 : NULL;
    }
  }
  snprintf(code_out, cap, "%s", code);
  if (!*rest) return 1;
  /* Restrictions: "<DATE", ">DATE", "DATE-DATE" (spaces allowed). */
  char r2[128];
  size_t o = 0;
  for (char *c = rest; *c && o + 1 < sizeof r2; c++) {
    if (!du_is_space((unsigned char)*c)) r2[o++] = *c;
  }
  r2[o] = '\0';
  int32_t d1 = 0, d2 = 0;
  if (r2[0] == '<') {
    if (pdate(r2 + 1, &d2)) goto bad;
    d2 = du_ymd_add_days(d2, -1);   /* strictly before */
  } else if (r2[0] == '>') {
    if (pdate(r2 + 1, &d1)) goto bad;
    d1 = du_ymd_add_days(d1, 1);
  } else {
    char *dash = strchr(r2, '-');
    if (!dash) goto bad;
    *dash = '\0';
    if (pdate(r2, &d1) || pdate(dash + 1, &d2)) goto bad;
    if (d2 < d1) {
      kbb_diag(b, DYAD_DIAG_ERROR, file, line, "date range ends (%d) before it starts (%d)", d2, d1);
      return 0;
    }
  }
  role->from = d1;
  role->to = d2;
  return 2;
bad:
  kbb_diag(b, DYAD_DIAG_ERROR, file, line,
           "bad date restriction '%s' (expected <DATE, >DATE or DATE-DATE with YYMMDD or YYYYMMDD)", rest);
  return 0;
}

static void actor_name(kb_builder *b, const char *file, long line,
                       const actor_rec *ar, const char *phrase) {
  uint32_t ids[KBB_MAX_PHRASE];
  int n = kbb_phrase(b, phrase, strlen(phrase), ids);
  if (n <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "actor phrase '%s' is empty or too long", phrase);
    return;
  }
  if (kbb_trie_has(b, TRIE_ACTOR, ids, n)) {
    kbb_diag(b, DYAD_DIAG_WARNING, file, line, "duplicate actor '%s' (the first entry is used)", phrase);
    return;
  }
  kbb_trie_add2(b, TRIE_ACTOR, ids, n, ar->actor, UINT32_MAX);
  kbb_note(b, KBB_NOTE_NAME);
}

static void close_actor(kb_builder *b, const char *file, actor_rec *ar) {
  if (ar->actor == UINT32_MAX) return;
  kb_actor *a = kbb_actor_at(b, ar->actor);
  a->nroles = (uint32_t)ar->nroles;
  if (!a->dflt && ar->nroles == 0) {
    kbb_diag(b, DYAD_DIAG_WARNING, file, ar->line, "actor '%s' has no code", ar->name);
  }
  ar->actor = UINT32_MAX;
}

static void read_actors(kb_builder *b, preader *r, uint16_t fileno) {
  actor_rec ar;
  memset(&ar, 0, sizeof ar);
  ar.actor = UINT32_MAX;
  /* Names seen since the last code line: a record may list several
   * primary phrases before the shared code block. */
  int indent;
  char *line;
  while ((line = next_line(r, &indent)) != NULL) {
    char *semi = strchr(line, ';');
    if (semi) {
      *semi = '\0';
      line = du_trim(line);
      if (!*line) continue;
    }
    if (line[0] == '[') {
      if (ar.actor == UINT32_MAX) {
        kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "code line without an actor");
        continue;
      }
      kb_role role;
      char code[128];
      int k = parse_actor_code(b, r->file, r->line, line, &role, code, sizeof code);
      if (k == 1) {
        kb_actor *a = kbb_actor_at(b, ar.actor);
        if (a->dflt) {
          /* A second plain code acts as an open restriction after the
           * dated ones (TABARI style). */
          role.code = kbb_cstr(b, code);
          kbb_role(b, &role);
          ar.nroles++;
        } else {
          a->dflt = kbb_cstr(b, code);
        }
      } else if (k == 2) {
        role.code = kbb_cstr(b, code);
        kbb_role(b, &role);
        ar.nroles++;
      }
      continue;
    }
    if (line[0] == '+') {
      if (ar.actor == UINT32_MAX) {
        kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "synonym '%s' without an actor", line);
        continue;
      }
      char *syn = du_trim(line + 1);
      char *br = strchr(syn, '[');
      if (br) {
        kbb_diag(b, DYAD_DIAG_WARNING, r->file, r->line, "code on a synonym line is ignored");
        *br = '\0';
        syn = du_trim(syn);
      }
      if (*syn) actor_name(b, r->file, r->line, &ar, syn);
      continue;
    }
    /* A new primary phrase, maybe with a code. */
    if (indent && ar.actor != UINT32_MAX && !strchr(line, '[')) {
      kbb_diag(b, DYAD_DIAG_WARNING, r->file, r->line, "indented line '%s' read as a new actor", line);
    }
    /* Several primaries in a row share the next code block (TABARI);
     * start a new record only when the current one has a code. */
    kb_actor *cur = ar.actor != UINT32_MAX ? kbb_actor_at(b, ar.actor) : NULL;
    int continue_rec = cur && !cur->dflt && ar.nroles == 0 && !strchr(line, '[');
    if (!continue_rec) {
      close_actor(b, r->file, &ar);
      kb_actor a;
      memset(&a, 0, sizeof a);
      a.file = fileno;
      a.line = (uint32_t)r->line;
      a.roles = kbb_count(b, KA_roles);
      char *br = strchr(line, '[');
      char name[256];
      size_t nl = br ? (size_t)(br - line) : strlen(line);
      if (nl >= sizeof name) nl = sizeof name - 1;
      memcpy(name, line, nl);
      name[nl] = '\0';
      char *nm = du_trim(name);
      for (char *c = nm; *c; c++) {
        if (*c == '_') *c = ' ';
      }
      a.name = kbb_cstr(b, du_trim(nm));
      ar.actor = kbb_actor(b, &a);
      ar.line = r->line;
      ar.nroles = 0;
      snprintf(ar.name, sizeof ar.name, "%s", du_trim(nm));
      if (br) {
        kb_role role;
        char code[128];
        int k = parse_actor_code(b, r->file, r->line, br, &role, code, sizeof code);
        if (k == 1) {
          kbb_actor_at(b, ar.actor)->dflt = kbb_cstr(b, code);
        } else if (k == 2) {
          role.code = kbb_cstr(b, code);
          kbb_role(b, &role);
          ar.nroles++;
        }
        *br = '\0';
      }
    } else if (strchr(line, '[')) {
      *strchr(line, '[') = '\0';
    }
    char *phrase = du_trim(line);
    if (*phrase) actor_name(b, r->file, r->line, &ar, phrase);
  }
  close_actor(b, r->file, &ar);
}

/* ---- agents ---- */

#define MAX_SUBST 16

typedef struct subst {
  char name[64];
  char *items[32];
  int n;
  char *buf;
} subst;

static void agent_add(kb_builder *b, const char *file, long line,
                      const char *phrase, uint32_t agent, int plural,
                      const char *plural_forms) {
  uint32_t ids[KBB_MAX_PHRASE];
  int n = kbb_phrase(b, phrase, strlen(phrase), ids);
  if (n <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "agent phrase '%s' is empty or too long", phrase);
    return;
  }
  if (kbb_trie_has(b, TRIE_AGENT, ids, n)) {
    kbb_diag(b, DYAD_DIAG_WARNING, file, line, "duplicate agent '%s' (the first entry is used)", phrase);
    return;
  }
  kbb_trie_add(b, TRIE_AGENT, ids, n, agent);
  if (plural_forms) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", plural_forms);
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
      uint32_t pids[KBB_MAX_PHRASE];
      int k = kbb_phrase(b, w, strlen(w), pids);
      if (k > 0 && !kbb_trie_has(b, TRIE_AGENT, pids, k)) kbb_trie_add(b, TRIE_AGENT, pids, k, agent);
    }
  } else if (plural) {
    char pl[256];
    kb_plural(kbb_word_str(b, ids[n - 1]), pl, sizeof pl);
    ids[n - 1] = kbb_word(b, pl, strlen(pl));
    if (!kbb_trie_has(b, TRIE_AGENT, ids, n)) kbb_trie_add(b, TRIE_AGENT, ids, n, agent);
  }
}

/* Expand !NAME! markers in PHRASE, calling agent_add for each result. */
static void agent_expand(kb_builder *b, const char *file, long line,
                         const char *phrase, subst *subs, int nsubs,
                         uint32_t agent, int plural, const char *plural_forms,
                         int depth) {
  const char *bang = strchr(phrase, '!');
  if (!bang || depth > 3) {
    agent_add(b, file, line, phrase, agent, plural, plural_forms);
    return;
  }
  const char *end = strchr(bang + 1, '!');
  if (!end) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "unterminated substitution marker in '%s'", phrase);
    return;
  }
  char name[64];
  size_t nl = (size_t)(end - bang + 1);
  if (nl >= sizeof name) nl = sizeof name - 1;
  memcpy(name, bang, nl);
  name[nl] = '\0';
  for (int i = 0; i < nsubs; i++) {
    if (strcmp(subs[i].name, name) != 0) continue;
    for (int k = 0; k < subs[i].n; k++) {
      char buf[512];
      snprintf(buf, sizeof buf, "%.*s%s%s", (int)(bang - phrase), phrase,
               subs[i].items[k], end + 1);
      /* Substituted forms get no extra plural. */
      agent_expand(b, file, line, buf, subs, nsubs, agent, 0, NULL, depth + 1);
    }
    return;
  }
  kbb_diag(b, DYAD_DIAG_ERROR, file, line, "substitution set %s is not defined", name);
}

static void read_agents(kb_builder *b, preader *r, uint16_t fileno) {
  subst subs[MAX_SUBST];
  int nsubs = 0;
  int indent;
  char *line;
  while ((line = next_line(r, &indent)) != NULL) {
    if (line[0] == '!' && strchr(line, '=')) {
      if (nsubs == MAX_SUBST) {
        kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "too many substitution sets");
        continue;
      }
      char *eq = strchr(line, '=');
      *eq = '\0';
      subst *s = &subs[nsubs];
      memset(s, 0, sizeof *s);
      snprintf(s->name, sizeof s->name, "%s", du_trim(line));
      s->buf = du_strdup(eq + 1);
      if (!s->buf) continue;
      char *save = NULL;
      for (char *it = strtok_r(s->buf, ",", &save); it && s->n < 32; it = strtok_r(NULL, ",", &save)) {
        char *t = du_trim(it);
        if (*t) s->items[s->n++] = t;
      }
      nsubs++;
      continue;
    }
    char *br = strrchr(line, '[');
    char *close = br ? strchr(br, ']') : NULL;
    if (!br || !close) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "agent line has no [~CODE]: '%s'", line);
      continue;
    }
    char code[64];
    size_t o = 0;
    for (char *c = br + 1; c < close && o + 1 < sizeof code; c++) {
      if (!du_is_space((unsigned char)*c)) code[o++] = *c;
    }
    code[o] = '\0';
    int prefix;
    char *tilde = strchr(code, '~');
    if (!tilde) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "agent code '%s' has no '~'", code);
      continue;
    }
    prefix = tilde[1] == '\0';
    char clean[64];
    o = 0;
    for (char *c = code; *c; c++) {
      if (*c != '~') clean[o++] = *c;
    }
    clean[o] = '\0';
    if (!*clean || !code_chars_ok(clean)) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "'%s' is not an agent code", code);
      continue;
    }
    if (strlen(clean) % 3) {
      kbb_diag(b, DYAD_DIAG_WARNING, r->file, r->line,
               "agent code '%s' is not made of three-letter units", clean);
    }
    *br = '\0';
    /* Optional {plural forms} */
    char *plural_forms = NULL;
    int plural = 1;
    char *ob = strchr(line, '{');
    if (ob) {
      char *cb = strchr(ob, '}');
      if (!cb) {
        kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "unterminated '{'");
        continue;
      }
      *cb = '\0';
      char *inner = du_trim(ob + 1);
      if (*inner) plural_forms = inner;
      else plural = 0;
      *ob = '\0';
    }
    char *phrase = du_trim(line);
    if (!*phrase) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "agent line without a phrase");
      continue;
    }
    kb_agent ag;
    memset(&ag, 0, sizeof ag);
    ag.code = kbb_cstr(b, clean);
    ag.prefix = (uint8_t)prefix;
    ag.file = fileno;
    ag.line = (uint32_t)r->line;
    uint32_t ai = kbb_agent(b, &ag);
    agent_expand(b, r->file, r->line, phrase, subs, nsubs, ai, plural, plural_forms, 0);
  }
  for (int i = 0; i < nsubs; i++) du_free(subs[i].buf);
}

/* ---- discards ---- */

static void read_discards(kb_builder *b, preader *r, uint16_t fileno) {
  int indent;
  char *line;
  while ((line = next_line(r, &indent)) != NULL) {
    int story = line[0] == '+';
    char *t = du_trim(line + story);
    size_t n = strlen(t);
    int exact = n && t[n - 1] == '_';
    if (exact) t[--n] = '\0';
    uint32_t ids[KBB_MAX_PHRASE];
    int k = kbb_phrase(b, t, n, ids);
    if (k <= 0) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "empty discard phrase");
      continue;
    }
    kb_discard d = {(uint8_t)story, (uint8_t)!exact, fileno, (uint32_t)r->line, kbb_cstr(b, t)};
    kbb_trie_add(b, TRIE_DISCARD, ids, k, kbb_discard(b, &d));
  }
}

/* ---- issues ---- */

static void issue_variants(kb_builder *b, const char *file, long line,
                           char *phrase, uint32_t issue) {
  /* Expand n: (noun + plural), v: (verb forms), a+b (space and hyphen). */
  char out[8][256];
  int nout = 1;
  out[0][0] = '\0';
  char *save = NULL;
  for (char *w = strtok_r(phrase, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
    char forms[6][96];
    int nf = 0;
    if (!strncmp(w, "n:", 2)) {
      snprintf(forms[nf++], 96, "%s", w + 2);
      kb_plural(w + 2, forms[nf++], 96);
    } else if (!strncmp(w, "v:", 2)) {
      snprintf(forms[nf++], 96, "%s", w + 2);
      kb_verb_forms(w + 2, forms[nf], forms[nf + 1], forms[nf + 2], 96);
      nf += 3;
    } else if (strchr(w, '+')) {
      snprintf(forms[nf], 96, "%s", w);
      for (char *c = forms[nf]; *c; c++) if (*c == '+') *c = ' ';
      nf++;
      snprintf(forms[nf], 96, "%s", w);
      for (char *c = forms[nf]; *c; c++) if (*c == '+') *c = '-';
      nf++;
    } else {
      snprintf(forms[nf++], 96, "%s", w);
    }
    int nn = 0;
    char next[8][256];
    for (int i = 0; i < nout; i++) {
      for (int f = 0; f < nf && nn < 8; f++) {
        snprintf(next[nn++], 256, "%s%s%s", out[i], out[i][0] ? " " : "", forms[f]);
      }
    }
    memcpy(out, next, sizeof next);
    nout = nn;
  }
  for (int i = 0; i < nout; i++) {
    uint32_t ids[KBB_MAX_PHRASE];
    int k = kbb_phrase(b, out[i], strlen(out[i]), ids);
    if (k <= 0) {
      kbb_diag(b, DYAD_DIAG_ERROR, file, line, "empty issue phrase");
      continue;
    }
    kbb_trie_add(b, TRIE_ISSUE, ids, k, issue);
  }
}

static void read_issues(kb_builder *b, preader *r) {
  int indent;
  char *line;
  while ((line = next_line(r, &indent)) != NULL) {
    if (line[0] == '<') continue; /* <ISSUE ...> and </ISSUE> */
    kb_issue is;
    memset(&is, 0, sizeof is);
    if (line[0] == '~') {
      is.ignore = 1;
      while (*line == '~') line++;
      is.code = kbb_cstr(b, "");
      issue_variants(b, r->file, r->line, du_trim(line), kbb_issue(b, &is));
      continue;
    }
    char *br = strchr(line, '[');
    char *cb = br ? strchr(br, ']') : NULL;
    if (!br || !cb) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "issue line has no [CODE]");
      continue;
    }
    *cb = '\0';
    is.code = kbb_cstr(b, du_trim(br + 1));
    *br = '\0';
    issue_variants(b, r->file, r->line, du_trim(line), kbb_issue(b, &is));
  }
}

/* ---- internal coding ontology ---- */

/* Evaluate "0x1007f", "-0xFFFF+0x2040+0x300" (first alternative before '#'). */
static int pico_eval(const char *s, int32_t *out) {
  int32_t total = 0;
  const char *p = s;
  int sign = 1, any = 0;
  while (*p) {
    while (*p == ' ') p++;
    if (*p == '+') { sign = 1; p++; continue; }
    if (*p == '-') { sign = -1; p++; continue; }
    if (!isxdigit((unsigned char)*p)) break;
    char *end;
    long v = strtol(p, &end, 0);
    if (end == p) break;
    total += sign * (int32_t)v;
    sign = 1;
    any = 1;
    p = end;
  }
  if (!any) return -1;
  *out = total;
  return 0;
}

static void read_ontology(kb_builder *b, preader *r) {
  int indent;
  char *line;
  /* Comments here use '#' as a separator too; next_line already cut at
   * the first '#', which leaves "CODE:VALUE". */
  while ((line = next_line(r, &indent)) != NULL) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = '\0';
    char *code = du_trim(line);
    char *val = du_trim(colon + 1);
    if (strlen(code) > 7 || !*code) continue;
    /* "011:0x1000-0xFFFF" is a range, not arithmetic: keep the first. */
    kb_pico p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "%s", code);
    if (pico_eval(val, &p.value)) {
      kbb_diag(b, DYAD_DIAG_WARNING, r->file, r->line, "cannot read ontology value '%s'", val);
      continue;
    }
    kbb_pico(b, &p);
  }
}

/* ---- verbs ---- */

typedef struct vblock {
  uint32_t vclass;
  int open;
} vblock;

static uint32_t petrarch_vclass(kb_builder *b, const char *name, const char *code) {
  char key[200];
  snprintf(key, sizeof key, "p:%s", name);
  uint32_t vc = kbb_vclass_find(b, key);
  if (vc != UINT32_MAX) return vc;
  kb_vclass c;
  memset(&c, 0, sizeof c);
  c.name = kbb_cstr(b, name);
  c.code = kbb_cstr(b, code);
  vc = kbb_vclass(b, &c);
  kbb_vclass_name(b, key, vc);
  return vc;
}

/* Register one verb phrase form ("CORDONED_OFF" with head index) with
 * the verb-form type VF of its inflected word (0: guess from the ending). */
static void verb_form(kb_builder *b, const char *file, long line,
                      const char *form, uint32_t verb, int head, int weak,
                      uint32_t lemma, uint8_t vf) {
  uint32_t ids[KBB_MAX_PHRASE];
  int n = kbb_phrase(b, form, strlen(form), ids);
  if (n <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "verb form '%s' is empty", form);
    return;
  }
  if (head >= n) head = n - 1;
  kbb_trie_add2(b, TRIE_VERB, ids, n, verb, (uint32_t)head | (weak ? 0x80u : 0));
  /* The inflected word is a verb form for the chunker. */
  uint32_t w = ids[head];
  if (!vf) {
    const char *ws = kbb_word_str(b, w);
    size_t l = strlen(ws);
    if (l > 3 && !strcmp(ws + l - 3, "ing")) vf = VF_GER;
    else if (l > 2 && !strcmp(ws + l - 2, "ed")) vf = VF_PAST | VF_PPART;
    else if (l > 1 && ws[l - 1] == 's' && w != lemma) vf = VF_3SG;
    else if (w == lemma) vf = VF_BASE;
    else vf = VF_PAST | VF_PPART;
  }
  if (!(kbb_word_get_vform(b, w) & vf)) kbb_word_vform(b, w, lemma, vf);
}

/* Split a multi-word verb "WIRE_+TAP" into words and the head index. */
static int split_multi(const char *s, char *out, size_t cap, int *head) {
  size_t o = 0;
  int word = 0;
  *head = -1;
  for (const char *p = s; *p && o + 1 < cap; p++) {
    if (*p == '+') {
      *head = word;
      continue;
    }
    if (*p == '_') {
      out[o++] = ' ';
      word++;
      continue;
    }
    out[o++] = *p;
  }
  out[o] = '\0';
  if (*head < 0) *head = 0;
  return word + 1;
}

static void lower_ascii(char *s) {
  for (; *s; s++) *s = du_lower(*s);
}

static void verb_line(kb_builder *b, preader *r, uint16_t fileno,
                      vblock *vb, char *line) {
  /* WORD {FORMS} [CODE] */
  char code[32] = "";
  char *br = strchr(line, '[');
  if (br) {
    char *cb = strchr(br, ']');
    if (!cb) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "unterminated code");
      return;
    }
    *cb = '\0';
    snprintf(code, sizeof code, "%s", du_trim(br + 1));
    *br = '\0';
    if (!kbp_valid_code_pair(code)) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "'%s' is not an event code", code);
      return;
    }
  }
  char *forms = NULL;
  char *ob = strchr(line, '{');
  if (ob) {
    char *cb = strchr(ob, '}');
    if (!cb) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "unterminated '{'");
      return;
    }
    *cb = '\0';
    forms = ob + 1;
    *ob = '\0';
  }
  char *word = du_trim(line);
  if (!*word || strchr(word, ' ')) {
    kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "a verb line must be one word (use _ to join): '%s'", word);
    return;
  }
  char phrase[256];
  int head;
  int nwords = split_multi(word, phrase, sizeof phrase, &head);
  lower_ascii(phrase);
  /* The lemma is the head word of the primary form. */
  char headw[128] = "";
  {
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", phrase);
    char *save = NULL;
    int i = 0;
    for (char *w = strtok_r(tmp, " ", &save); w; w = strtok_r(NULL, " ", &save), i++) {
      if (i == head) snprintf(headw, sizeof headw, "%s", w);
    }
  }
  uint32_t lemma = kbb_word(b, headw, strlen(headw));
  kb_verb v;
  memset(&v, 0, sizeof v);
  v.lemma = lemma;
  v.vclass = vb->vclass;
  v.code = code[0] ? kbb_cstr(b, code) : 0;
  v.line = (uint32_t)r->line;
  v.file = fileno;
  v.head = (uint8_t)head;
  v.nwords = (uint8_t)nwords;
  uint32_t vi = kbb_verb(b, &v);
  verb_form(b, r->file, r->line, phrase, vi, head, 0, lemma, VF_BASE);
  if (forms) {
    char *save = NULL;
    for (char *f = strtok_r(forms, " \t", &save); f; f = strtok_r(NULL, " \t", &save)) {
      char fp[256];
      int fh;
      split_multi(f, fp, sizeof fp, &fh);
      lower_ascii(fp);
      verb_form(b, r->file, r->line, fp, vi, nwords > 1 ? fh : 0, 0, lemma, 0);
    }
  } else {
    /* Regular forms of the head word, in place within the phrase. */
    char s3[96], past[96], ger[96];
    kb_verb_forms(headw, s3, past, ger, sizeof s3);
    /* PETRARCH's own rule (no consonant doubling, "-ED" after "E" as "-D")
     * can differ from English; add both. */
    char ped[96], ping[96];
    size_t hl = strlen(headw);
    snprintf(ped, sizeof ped, "%s%s", headw, hl && headw[hl - 1] == 'e' ? "d" : "ed");
    if (hl > 1 && headw[hl - 1] == 'e' && !strchr("aeiou", headw[hl - 2])) {
      snprintf(ping, sizeof ping, "%.*sing", (int)hl - 1, headw);
    } else {
      snprintf(ping, sizeof ping, "%sing", headw);
    }
    const char *variants[] = {s3, past, ger, ped, ping};
    static const uint8_t vfs[] = {VF_3SG, VF_PAST | VF_PPART, VF_GER, VF_PAST | VF_PPART, VF_GER};
    for (size_t k = 0; k < DU_ARRAY_LEN(variants); k++) {
      char tmp[256], outp[300] = "";
      snprintf(tmp, sizeof tmp, "%s", phrase);
      char *save = NULL;
      int i = 0;
      for (char *w = strtok_r(tmp, " ", &save); w; w = strtok_r(NULL, " ", &save), i++) {
        size_t ol = strlen(outp);
        snprintf(outp + ol, sizeof outp - ol, "%s%s", ol ? " " : "", i == head ? variants[k] : w);
      }
      if (k >= 3 && (!strcmp(variants[k], past) || !strcmp(variants[k], ger))) continue;
      verb_form(b, r->file, r->line, outp, vi, head, 0, lemma, vfs[k]);
    }
  }
  /* Irregular forms our lexicon knows (single-word verbs only), as weak
   * entries: a form another block lists explicitly wins over them. */
  if (nwords == 1) {
    uint32_t fl[16];
    int nf = kbb_forms_of(b, lemma, fl, 16);
    for (int i = 0; i < nf; i++) {
      kbb_trie_add2(b, TRIE_VERB, &fl[i], 1, vi, 0x80u);
    }
  }
}

static void read_verbs(kb_builder *b, preader *r, uint16_t fileno) {
  vblock vb = {0, 0};
  uint32_t syn = UINT32_MAX;
  int indent;
  char *line;
  while ((line = next_line(r, &indent)) != NULL) {
    if (line[0] == '~') continue; /* transformations: see docs/petrarch.md */
    if (line[0] == '&') {
      char name[128];
      size_t n = 0;
      while (line[n] && !du_is_space((unsigned char)line[n]) && n + 1 < sizeof name) n++;
      memcpy(name, line, n);
      name[n] = '\0';
      syn = kbp_synset_begin(b, name, 1);
      vb.open = 0;
      continue;
    }
    if (line[0] == '+' && syn != UINT32_MAX && !vb.open) {
      kbp_synset_add(b, syn, du_trim(line + 1), r->file, r->line);
      continue;
    }
    if (!strncmp(line, "---", 3)) {
      /* --- NAME [CODE] --- */
      syn = UINT32_MAX;
      char *p = line;
      while (*p == '-') p++;
      char *endm = strstr(p, "---");
      if (endm) *endm = '\0';
      char code[32] = "---";
      char *br = strchr(p, '[');
      if (br) {
        char *cb = strchr(br, ']');
        if (cb) {
          *cb = '\0';
          snprintf(code, sizeof code, "%s", du_trim(br + 1));
        }
        *br = '\0';
        if (!kbp_valid_code_pair(code)) {
          kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "block code '%s' is not an event code", code);
          snprintf(code, sizeof code, "---");
        }
      }
      char *name = du_trim(p);
      if (!*name) {
        kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "verb block without a name");
        vb.open = 0;
        continue;
      }
      vb.vclass = petrarch_vclass(b, name, code);
      vb.open = 1;
      continue;
    }
    if (!vb.open) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "line outside a verb block or synset: '%s'", line);
      continue;
    }
    if (line[0] == '-' || line[0] == '*') {
      char *pat = line[0] == '-' ? line + 1 : line;
      kbp_petrarch_pattern(b, vb.vclass, fileno, r->file, r->line, pat);
      continue;
    }
    if (line[0] == '+' && strchr(line, '_') == NULL) {
      kbb_diag(b, DYAD_DIAG_ERROR, r->file, r->line, "'+' marks the verb of a multi-word phrase joined with '_'");
      continue;
    }
    verb_line(b, r, fileno, &vb, line);
  }
}

/* ---- kind detection and entry point ---- */

int kb_petrarch_kind(const char *path, const char *text, size_t len) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  char lower[256];
  size_t i;
  for (i = 0; base[i] && i + 1 < sizeof lower; i++) lower[i] = du_lower(base[i]);
  lower[i] = '\0';
  if (strstr(lower, "ontology") || strstr(lower, "pico")) return PET_ONTOLOGY;
  if (strstr(lower, "verb") || strstr(lower, "cameo.2")) return PET_VERBS;
  if (strstr(lower, "agent")) return PET_AGENTS;
  if (strstr(lower, "discard")) return PET_DISCARDS;
  if (strstr(lower, "issue")) return PET_ISSUES;
  if (strstr(lower, "actor")) return PET_ACTORS;
  /* By content. */
  size_t n = DU_MIN(len, (size_t)65536);
  char *head = du_strndup(text, n);
  if (!head) return PET_UNKNOWN;
  int kind = PET_UNKNOWN;
  if (strstr(head, "\n---") || !strncmp(head, "---", 3) || strstr(head, "####### VERB")) {
    kind = PET_VERBS;
  }
  else if (strstr(head, "<ISSUE")) kind = PET_ISSUES;
  else if (strstr(head, "[~") || strstr(head, "~]")) kind = PET_AGENTS;
  else if (strstr(head, ":0x")) kind = PET_ONTOLOGY;
  else if (strchr(head, '[') && strchr(head, ']')) kind = PET_ACTORS;
  du_free(head);
  return kind;
}

int kb_read_petrarch(kb_builder *b, int kind, const char *file,
                     const char *text, size_t len) {
  preader r;
  memset(&r, 0, sizeof r);
  r.buf = du_strndup(text, len);
  if (!r.buf) return -1;
  r.p = r.buf;
  uint16_t fileno = kbb_file(b, file);
  /* Our own copy: the builder's string pool moves as it grows. */
  char *path = du_strdup(file);
  if (!path) {
    du_free(r.buf);
    return -1;
  }
  r.file = path;
  switch (kind) {
    case PET_VERBS: read_verbs(b, &r, fileno); break;
    case PET_ACTORS: read_actors(b, &r, fileno); break;
    case PET_AGENTS: read_agents(b, &r, fileno); break;
    case PET_DISCARDS: read_discards(b, &r, fileno); break;
    case PET_ISSUES: read_issues(b, &r); break;
    case PET_ONTOLOGY: read_ontology(b, &r); break;
    default: break;
  }
  du_free(r.buf);
  du_free(path);
  return 0;
}
