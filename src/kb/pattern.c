/*
 * pattern.c - verb patterns and synsets, for both dictionary formats.
 *
 * A pattern compiles to two element lists, the words before the verb and
 * the words after it, in text order. See docs/kb-format.md for our syntax
 * and docs/petrarch.md for how PETRARCH-2 patterns map onto the same
 * elements. The coder's matcher (src/code/match.c) gives them meaning.
 */
#include "kb/pattern.h"
#include "text/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_PTOKS 64
#define MAX_ELEMS 96

int kbp_valid_code_pair(const char *code) {
  const char *colon = strchr(code, ':');
  if (!colon) return kbp_valid_event_code(code);
  char a[16];
  size_t n = (size_t)(colon - code);
  if (n >= sizeof a) return 0;
  memcpy(a, code, n);
  a[n] = '\0';
  return (n == 0 || kbp_valid_event_code(a)) && kbp_valid_event_code(colon + 1);
}

int kbp_valid_event_code(const char *code) {
  size_t n = strlen(code);
  if (n == 0 || n > 7) return 0;
  if (!strcmp(code, "---")) return 1;
  for (size_t i = 0; i < n; i++) {
    if (!isalnum((unsigned char)code[i])) return 0;
  }
  return 1;
}

/* ---- synsets ---- */

uint32_t kbp_synset_begin(kb_builder *b, const char *name, int plurals) {
  kb_synset s;
  memset(&s, 0, sizeof s);
  s.name = kbb_cstr(b, name);
  s.phrases = kbb_count(b, KA_seq);
  size_t n = strlen(name);
  /* A label ending in '_' asks for no plurals; store that in the name
   * table as a flag by keeping a second lookup name without the '_'. */
  uint32_t idx = kbb_synset(b, &s);
  kbb_synset_name(b, name, idx);
  if (n > 1 && name[n - 1] == '_') {
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n - 1), name);
    kbb_synset_name(b, tmp, idx);
    plurals = 0;
  }
  /* Remember the plural setting in the high bit of nphrases while building. */
  if (!plurals) kbb_synset_at(b, idx)->nphrases = 0x80000000u;
  return idx;
}

static void synset_push(kb_builder *b, uint32_t si, const uint32_t *ids, int n) {
  kb_synset *s = kbb_synset_at(b, si);
  /* Members must be contiguous in seq: callers add them in one go. */
  kbb_seq(b, (uint32_t)n);
  for (int i = 0; i < n; i++) kbb_seq(b, ids[i]);
  s = kbb_synset_at(b, si);
  s->nphrases++;
  kbb_trie_add(b, TRIE_SYNSET, ids, n, si);
}

void kbp_synset_add(kb_builder *b, uint32_t si, const char *phrase,
                    const char *file, long line) {
  if (phrase[0] == '&') {
    uint32_t other = kbb_synset_find(b, phrase);
    if (other == UINT32_MAX) {
      kbb_diag(b, DYAD_DIAG_ERROR, file, line, "synset %s is used before it is defined", phrase);
      return;
    }
    /* Copy the members of OTHER (read them before appending). */
    kb_synset os = *kbb_synset_at(b, other);
    uint32_t cnt = os.nphrases & 0x7FFFFFFFu;
    du_vec tmp;
    du_vec_init(&tmp, sizeof(uint32_t));
    const uint32_t *seq = kbb_seq_data(b);
    uint32_t p = os.phrases;
    for (uint32_t k = 0; k < cnt; k++) {
      uint32_t len = seq[p];
      for (uint32_t j = 0; j <= len; j++) {
        uint32_t *v = du_vec_push(&tmp);
        if (v) *v = seq[p + j];
      }
      p += 1 + len;
    }
    const uint32_t *t = tmp.data;
    for (size_t q = 0; q < tmp.len;) {
      uint32_t len = t[q];
      synset_push(b, si, t + q + 1, (int)len);
      q += 1 + len;
    }
    du_vec_free(&tmp);
    return;
  }
  size_t n = strlen(phrase);
  int exact = n && phrase[n - 1] == '_';
  if (exact) n--;
  uint32_t ids[KBB_MAX_PHRASE];
  int k = kbb_phrase(b, phrase, n, ids);
  if (k <= 0) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "synset member '%s' is empty or too long", phrase);
    return;
  }
  synset_push(b, si, ids, k);
  int plurals = !(kbb_synset_at(b, si)->nphrases & 0x80000000u);
  if (plurals && !exact) {
    char pl[256];
    uint32_t last = ids[k - 1];
    const char *w = kbb_word_str(b, last);
    size_t wl = strlen(w);
    if (wl > 2 && isalpha((unsigned char)w[wl - 1]) && w[wl - 1] != 's') {
      kb_plural(w, pl, sizeof pl);
      ids[k - 1] = kbb_word(b, pl, strlen(pl));
      if (!kbb_word_get_vform(b, ids[k - 1])) kbb_word_set_lemma(b, ids[k - 1], last);
      synset_push(b, si, ids, k);
    }
  }
}

/* ---- pattern tokens ---- */

typedef struct ptok {
  char *s;
} ptok;

/* Split TEXT (brackets already spaced) on whitespace; a code "[ ... ]"
 * with inner spaces stays one token. Modifies TEXT. */
static int ptokenize(char *text, ptok *out, int max) {
  int n = 0;
  char *p = text;
  while (*p && n < max) {
    while (*p && du_is_space((unsigned char)*p)) p++;
    if (!*p) break;
    char *start = p;
    if (*p == '[') {
      while (*p && *p != ']') p++;
      if (*p == ']') p++;
    } else {
      while (*p && !du_is_space((unsigned char)*p)) p++;
    }
    if (*p) *p++ = '\0';
    out[n++].s = start;
  }
  return n;
}

typedef struct pbuild {
  kb_pelem pre[MAX_ELEMS], post[MAX_ELEMS];
  int npre, npost;
  int verb_seen;
  int weight;
  int bad;
  char code1[16], code2[16];
  int have_code;
  const char *file;
  long line;
  kb_builder *b;
} pbuild;

static void pb_add(pbuild *pb, uint8_t kind, uint8_t adj, uint32_t id) {
  kb_pelem *arr = pb->verb_seen ? pb->post : pb->pre;
  int *n = pb->verb_seen ? &pb->npost : &pb->npre;
  if (*n >= MAX_ELEMS) {
    pb->bad = 1;
    return;
  }
  kb_pelem e = {kind, adj, 0, id};
  arr[(*n)++] = e;
  if (kind != PE_PP_END && kind != PE_NP_END) pb->weight++;
}

/* Add the words of W (folded; may be several tokens), first one with ADJ. */
static void pb_words(pbuild *pb, const char *w, size_t n, int adj) {
  uint32_t ids[KBB_MAX_PHRASE];
  int k;
  /* The negative clitic on its own: N'T */
  if (n == 3 && (w[0] | 32) == 'n' && w[1] == '\'' && (w[2] | 32) == 't') {
    ids[0] = kbb_word(pb->b, "n't", 3);
    k = 1;
  } else {
    k = kbb_phrase(pb->b, w, n, ids);
  }
  if (k <= 0) {
    kbb_diag(pb->b, DYAD_DIAG_ERROR, pb->file, pb->line, "pattern word '%.*s' is not a word", (int)n, w);
    pb->bad = 1;
    return;
  }
  for (int i = 0; i < k; i++) pb_add(pb, PE_WORD, (uint8_t)(i ? 1 : adj), ids[i]);
}

static void pb_synset(pbuild *pb, const char *name, int adj) {
  uint32_t si = kbb_synset_find(pb->b, name);
  if (si == UINT32_MAX) {
    kbb_diag(pb->b, DYAD_DIAG_ERROR, pb->file, pb->line,
             "pattern uses undefined synset %s (pattern skipped)", name);
    pb->bad = 1;
    return;
  }
  pb_add(pb, PE_SYNSET, (uint8_t)adj, si);
}

/* Alternatives "a|b|c": an anonymous synset, one per distinct text. */
static void pb_alts(pbuild *pb, const char *text, int adj) {
  char name[300];
  snprintf(name, sizeof name, "&~%s", text);
  uint32_t si = kbb_synset_find(pb->b, name);
  if (si == UINT32_MAX) {
    si = kbp_synset_begin(pb->b, name, 0);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    char *p = buf;
    while (p) {
      char *bar = strchr(p, '|');
      if (bar) *bar = '\0';
      if (*p) kbp_synset_add(pb->b, si, p, pb->file, pb->line);
      p = bar ? bar + 1 : NULL;
    }
  }
  pb_add(pb, PE_SYNSET, (uint8_t)adj, si);
}

static int parse_codes(pbuild *pb, const char *tok) {
  /* [CODE] [CODE:CODE2] [:CODE2] */
  size_t n = strlen(tok);
  if (n < 2 || tok[0] != '[' || tok[n - 1] != ']') return -1;
  char inner[40];
  if (n - 2 >= sizeof inner) return -1;
  memcpy(inner, tok + 1, n - 2);
  inner[n - 2] = '\0';
  char *t = du_trim(inner);
  char *colon = strchr(t, ':');
  if (colon) *colon = '\0';
  char *c1 = du_trim(t);
  char *c2 = colon ? du_trim(colon + 1) : NULL;
  if (!*c1) c1 = "---";
  if (!kbp_valid_event_code(c1) || (c2 && *c2 && !kbp_valid_event_code(c2))) return -1;
  snprintf(pb->code1, sizeof pb->code1, "%s", c1);
  snprintf(pb->code2, sizeof pb->code2, "%s", c2 ? c2 : "");
  pb->have_code = 1;
  return 0;
}

static uint32_t store_pattern(pbuild *pb, uint32_t vclass, uint16_t fileno,
                              const char *text) {
  kb_pattern p;
  memset(&p, 0, sizeof p);
  p.vclass = vclass;
  p.pre = kbb_count(pb->b, KA_pelems);
  for (int i = 0; i < pb->npre; i++) kbb_pelem(pb->b, &pb->pre[i]);
  p.npre = (uint32_t)pb->npre;
  p.post = kbb_count(pb->b, KA_pelems);
  for (int i = 0; i < pb->npost; i++) kbb_pelem(pb->b, &pb->post[i]);
  p.npost = (uint32_t)pb->npost;
  p.code1 = kbb_cstr(pb->b, pb->code1);
  p.code2 = pb->code2[0] ? kbb_cstr(pb->b, pb->code2) : 0;
  p.text = kbb_cstr(pb->b, text);
  p.line = (uint32_t)pb->line;
  p.file = fileno;
  p.weight = (uint16_t)pb->weight;
  return kbb_pattern(pb->b, &p);
}

/* Check bracket balance of the element lists. */
static int balanced(const kb_pelem *e, int n) {
  int pp = 0, np = 0;
  for (int i = 0; i < n; i++) {
    if (e[i].kind == PE_PP) pp++;
    if (e[i].kind == PE_PP_END && --pp < 0) return 0;
    if (e[i].kind == PE_NP) np++;
    if (e[i].kind == PE_NP_END && --np < 0) return 0;
  }
  return pp == 0 && np == 0;
}

/* ---- our format ---- */

typedef struct dverb {
  uint32_t vclass;
  uint32_t lemma;
} dverb;

/* The list of verb classes created by our format lives in a synset-name
 * table entry; keep it simple with a static-free lookup through names. */

static uint32_t dyad_vclass(kb_builder *b, const char *lemma) {
  char key[160];
  snprintf(key, sizeof key, "v:%s", lemma);
  uint32_t vc = kbb_vclass_find(b, key);
  if (vc != UINT32_MAX) return vc;
  kb_vclass c;
  memset(&c, 0, sizeof c);
  c.name = kbb_cstr(b, lemma);
  c.code = kbb_cstr(b, "---");
  vc = kbb_vclass(b, &c);
  kbb_vclass_name(b, key, vc);
  return vc;
}

void kbp_dyad_pattern(kb_builder *b, uint16_t fileno, const char *file,
                      long line, char *text, const char *block_code) {
  char orig[512];
  snprintf(orig, sizeof orig, "%s", text);
  /* ptokenize needs brackets split; do it on a spaced copy. */
  char spaced[1024];
  size_t o = 0;
  for (const char *p = text; *p && o + 3 < sizeof spaced; p++) {
    if (*p == '(' || *p == ')' || *p == '{' || *p == '}') {
      spaced[o++] = ' ';
      spaced[o++] = *p;
      spaced[o++] = ' ';
    } else {
      spaced[o++] = *p;
    }
  }
  spaced[o] = '\0';
  ptok toks[MAX_PTOKS];
  int nt = ptokenize(spaced, toks, MAX_PTOKS);
  pbuild pb;
  memset(&pb, 0, sizeof pb);
  pb.b = b;
  pb.file = file;
  pb.line = line;
  char lemma[128] = "";
  int pp_open = 0;
  for (int i = 0; i < nt; i++) {
    char *t = toks[i].s;
    size_t n = strlen(t);
    if (t[0] == '[') {
      if (i != nt - 1 || parse_codes(&pb, t)) {
        kbb_diag(b, DYAD_DIAG_ERROR, file, line, "bad code '%s' (expected [CODE] or [CODE:CODE] at the end)", t);
        return;
      }
      continue;
    }
    if (!strcmp(t, "+")) pb_add(&pb, PE_TARGET, 0, 0);
    else if (!strcmp(t, "$")) pb_add(&pb, PE_SOURCE, 0, 0);
    else if (!strcmp(t, "^")) pb_add(&pb, PE_SKIP, 0, 0);
    else if (!strcmp(t, "%")) pb_add(&pb, PE_COMPOUND, 0, 0);
    else if (!strcmp(t, "(")) {
      if (i + 1 >= nt) { pb.bad = 1; break; }
      uint32_t ids[KBB_MAX_PHRASE];
      int k = kbb_phrase(b, toks[i + 1].s, strlen(toks[i + 1].s), ids);
      if (k != 1) { pb.bad = 1; break; }
      pb_add(&pb, PE_PP, 0, ids[0]);
      pp_open++;
      i++;
    } else if (!strcmp(t, ")")) {
      pb_add(&pb, PE_PP_END, 0, 0);
      pp_open--;
    } else if (!strcmp(t, "{")) pb_add(&pb, PE_NP, 0, 0);
    else if (!strcmp(t, "}")) pb_add(&pb, PE_NP_END, 0, 0);
    else if (n > 1 && t[n - 1] == '*') {
      if (pb.verb_seen) {
        kbb_diag(b, DYAD_DIAG_ERROR, file, line, "pattern has two verbs marked with '*'");
        return;
      }
      t[n - 1] = '\0';
      dt_fold_phrase(t, n - 1, lemma, sizeof lemma);
      if (!*lemma || strchr(lemma, ' ')) {
        kbb_diag(b, DYAD_DIAG_ERROR, file, line, "verb '%s' must be one word", t);
        return;
      }
      pb.verb_seen = 1;
    } else if (strchr(t, '|')) {
      /* Alternatives: words or synsets, "talks|&A_VISIT". */
      int adj = t[0] == '_';
      pb_alts(&pb, t + adj, adj);
    } else if (t[0] == '&') {
      pb_synset(&pb, t, 0);
    } else {
      int adj = t[0] == '_';
      pb_words(&pb, t + adj, n - (size_t)adj, adj);
    }
  }
  if (!pb.verb_seen) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "pattern has no verb (mark it with '*': meet*)");
    return;
  }
  if (pb.bad || pp_open || !balanced(pb.pre, pb.npre) || !balanced(pb.post, pb.npost)) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "malformed pattern '%s'", orig);
    return;
  }
  if (!pb.have_code) {
    snprintf(pb.code1, sizeof pb.code1, "%s", block_code);
  }
  uint32_t vc = dyad_vclass(b, lemma);
  char shown[600];
  snprintf(shown, sizeof shown, "%s", orig);
  store_pattern(&pb, vc, fileno, shown);
}

/* Is class VC one of ours (keyed "v:lemma")? Sets LEMMA. */
static int dyad_class(kb_builder *b, uint32_t vc, const char **lemma) {
  kb_vclass *c = kbb_vclass_at(b, vc);
  *lemma = kbb_str_at(b, c->name);
  char key[160];
  snprintf(key, sizeof key, "v:%s", *lemma);
  return kbb_vclass_find(b, key) == vc;
}

void kbp_finish_dyad_verbs(kb_builder *b) {
  uint32_t nvc = kbb_count(b, KA_vclasses);
  /* First make sure every lemma is a verb of the lexicon. */
  for (uint32_t vc = 0; vc < nvc; vc++) {
    const char *lemma;
    if (!dyad_class(b, vc, &lemma)) continue;
    uint32_t lid = kbb_word_find(b, lemma, strlen(lemma));
    if (!lid || !(kbb_word_get_vform(b, lid) & VF_BASE)) {
      kbb_lex_verb(b, lemma, NULL, NULL, NULL, NULL);
      kbb_diag(b, DYAD_DIAG_WARNING, "", 0,
               "verb '%s' is not in the lexicon; regular forms assumed", lemma);
    }
  }
  /* Then one verb entry per class, and every form of its lemma. */
  uint32_t nw = kbb_nwords(b);
  uint32_t *verb_of = du_calloc(nw, sizeof *verb_of);
  if (!verb_of) return;
  for (uint32_t vc = 0; vc < nvc; vc++) {
    const char *lemma;
    if (!dyad_class(b, vc, &lemma)) continue;
    uint32_t lid = kbb_word_find(b, lemma, strlen(lemma));
    kb_verb v;
    memset(&v, 0, sizeof v);
    v.lemma = lid;
    v.vclass = vc;
    v.nwords = 1;
    uint32_t vi = kbb_verb(b, &v);
    if (lid < nw) verb_of[lid] = vi + 1;
  }
  for (uint32_t w = 1; w < nw; w++) {
    if (!kbb_word_get_vform(b, w)) continue;
    uint32_t l = kbb_word_get_lemma(b, w);
    if (l < nw && verb_of[l]) kbb_trie_add2(b, TRIE_VERB, &w, 1, verb_of[l] - 1, 0);
  }
  du_free(verb_of);
}

/* ---- PETRARCH patterns ---- */

void kbp_petrarch_pattern(kb_builder *b, uint32_t vclass, uint16_t fileno,
                          const char *file, long line, char *text) {
  char orig[600];
  snprintf(orig, sizeof orig, "%s", du_trim(text));
  char spaced[1200];
  size_t o = 0;
  for (const char *p = text; *p && o + 3 < sizeof spaced; p++) {
    if (*p == '(' || *p == ')' || *p == '{' || *p == '}') {
      spaced[o++] = ' ';
      spaced[o++] = *p;
      spaced[o++] = ' ';
    } else {
      spaced[o++] = *p;
    }
  }
  spaced[o] = '\0';
  ptok toks[MAX_PTOKS];
  int nt = ptokenize(spaced, toks, MAX_PTOKS);
  pbuild pb;
  memset(&pb, 0, sizeof pb);
  pb.b = b;
  pb.file = file;
  pb.line = line;
  int depth_pp = 0;
  for (int i = 0; i < nt; i++) {
    char *t = toks[i].s;
    if (t[0] == '[') {
      if (parse_codes(&pb, t)) {
        kbb_diag(b, DYAD_DIAG_ERROR, file, line, "bad code '%s'", t);
        return;
      }
      break; /* anything after the code is commentary */
    }
    if (!strcmp(t, "*")) {
      if (pb.verb_seen) {
        kbb_diag(b, DYAD_DIAG_ERROR, file, line, "pattern has two '*'");
        return;
      }
      pb.verb_seen = 1;
    } else if (!strcmp(t, "+")) pb_add(&pb, PE_TARGET, 0, 0);
    else if (!strcmp(t, "$")) pb_add(&pb, PE_SOURCE, 0, 0);
    else if (!strcmp(t, "^")) pb_add(&pb, PE_SKIP, 0, 0);
    else if (!strcmp(t, "%")) pb_add(&pb, PE_COMPOUND, 0, 0);
    else if (!strcmp(t, "(")) {
      /* The next token is the preposition (or a synset/word). */
      if (i + 1 >= nt || !strcmp(toks[i + 1].s, ")")) {
        pb.bad = 1;
        break;
      }
      char *prep = toks[i + 1].s;
      uint32_t ids[KBB_MAX_PHRASE];
      int k = (prep[0] == '&' || prep[0] == '$' || prep[0] == '+' || prep[0] == '^')
                  ? 0 : kbb_phrase(b, prep, strlen(prep), ids);
      if (k < 1) {
        /* "(&TESTSYN3)" style: a group without a preposition. */
        pb_add(&pb, PE_NP, 0, 0);
        depth_pp++;
        continue;
      }
      pb_add(&pb, PE_PP, 0, ids[0]);
      for (int j = 1; j < k; j++) pb_add(&pb, PE_WORD, 1, ids[j]);
      depth_pp++;
      i++;
    } else if (!strcmp(t, ")")) {
      /* Close whichever group the matching '(' opened. */
      int kind = PE_PP_END;
      int np = 0;
      kb_pelem *arr = pb.verb_seen ? pb.post : pb.pre;
      int n = pb.verb_seen ? pb.npost : pb.npre;
      for (int k = n - 1; k >= 0; k--) {
        if (arr[k].kind == PE_PP_END || arr[k].kind == PE_NP_END) np++;
        if (arr[k].kind == PE_PP || arr[k].kind == PE_NP) {
          if (np == 0) {
            kind = arr[k].kind == PE_PP ? PE_PP_END : PE_NP_END;
            break;
          }
          np--;
        }
      }
      pb_add(&pb, (uint8_t)kind, 0, 0);
      depth_pp--;
    } else if (!strcmp(t, "{")) pb_add(&pb, PE_NP, 0, 0);
    else if (!strcmp(t, "}")) {
      /* In a noun phrase group the word before the head must touch it:
       * {NEW &TIETYPES RELATIONS} matches "new global economic relations"
       * but {&TIETYPES MEMOS} not "cultural secret memos". */
      kb_pelem *arr = pb.verb_seen ? pb.post : pb.pre;
      int n = pb.verb_seen ? pb.npost : pb.npre;
      if (n >= 3 && arr[n - 1].kind != PE_NP && arr[n - 2].kind != PE_NP) arr[n - 1].adj = 1;
      pb_add(&pb, PE_NP_END, 0, 0);
    } else if (t[0] == '&') {
      pb_synset(&pb, t, 0);
    } else if (!strcmp(t, "-")) {
      continue; /* stray leading dash */
    } else {
      size_t n = strlen(t);
      while (n && t[n - 1] == '_') n--;   /* TABARI "stop" marker */
      if (!n) continue;
      pb_words(&pb, t, n, 0);
    }
  }
  if (!pb.verb_seen) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "pattern has no '*' for the verb (skipped)");
    return;
  }
  if (!pb.have_code) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "pattern has no [code] (skipped)");
    return;
  }
  if (pb.bad || depth_pp || !balanced(pb.pre, pb.npre) || !balanced(pb.post, pb.npost)) {
    kbb_diag(b, DYAD_DIAG_ERROR, file, line, "malformed pattern '%s' (skipped)", orig);
    return;
  }
  store_pattern(&pb, vclass, fileno, orig);
}
