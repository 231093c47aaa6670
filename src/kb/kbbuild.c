/* kbbuild.c - the knowledge-base builder and the finished-KB helpers. */
#include "kb/kbbuild.h"

#include <stdio.h>
#include <stdlib.h>

#include "text/text.h"

/* Trie edges while building: open-addressed map (parent, word) -> child. */
typedef struct edge_slot {
  uint32_t parent, word, child;
} edge_slot;

typedef struct payload_item {
  uint32_t node, value, seq;
} payload_item;

typedef struct word_info {
  uint32_t str, lex, lemma;
  uint8_t vform;
} word_info;

typedef struct name_map {
  du_intern names;
  du_vec index; /* uint32 per name id */
} name_map;

struct kb_builder {
  dyad_diag_fn diag;
  void *ud;
  size_t errors, warnings;
  du_intern strs;          /* string pool; offsets are the final offsets */
  du_intern vocab;         /* words; id 0 = "" */
  du_vec winfo;            /* word_info per word id */
  edge_slot *emap;
  size_t emap_cap, emap_len;
  uint32_t nnodes;         /* nodes 0 (null), 1..TRIE_COUNT (roots) */
  du_vec pitems;           /* payload_item */
  du_vec files;            /* uint32 string offsets */
  du_vec arrays[KA_COUNT]; /* only the typed entity arrays are used */
  name_map synset_names, vclass_names;
  uint32_t notes[8];
  char iso2[400][2][4];    /* alpha-2, alpha-3 pairs */
  int niso2;
  dt_tokens toks;          /* scratch for kbb_phrase */
  uint32_t *forms_head;    /* lemma -> first form + 1 (lazy index) */
  uint32_t *forms_next;    /* form -> next form + 1 */
  uint32_t forms_n;        /* words covered by the index */
  char *scratch;
  size_t scratch_cap;
};

static const size_t item_size[KA_COUNT] = {
#define XX(name, type) sizeof(type),
    KB_ARRAYS(XX)
#undef XX
};

/* ---- creation ---- */

kb_builder *kbb_new(dyad_diag_fn diag, void *ud) {
  kb_builder *b = du_calloc(1, sizeof *b);
  if (!b) return NULL;
  b->diag = diag;
  b->ud = ud;
  if (du_intern_init(&b->strs) || du_intern_init(&b->vocab) ||
      du_intern_init(&b->synset_names.names) ||
      du_intern_init(&b->vclass_names.names)) {
    kbb_free(b);
    return NULL;
  }
  du_vec_init(&b->winfo, sizeof(word_info));
  du_vec_init(&b->pitems, sizeof(payload_item));
  du_vec_init(&b->files, sizeof(uint32_t));
  du_vec_init(&b->synset_names.index, sizeof(uint32_t));
  du_vec_init(&b->vclass_names.index, sizeof(uint32_t));
  for (int i = 0; i < KA_COUNT; i++) du_vec_init(&b->arrays[i], item_size[i]);
  dt_tokens_init(&b->toks);
  /* Offset 0 is the empty string; word 0 is the unknown word. */
  du_intern_add(&b->strs, "", 0);
  kbb_word(b, "", 0);
  b->nnodes = 1 + TRIE_COUNT;
  return b;
}

static void name_map_free(name_map *m) {
  du_intern_free(&m->names);
  du_vec_free(&m->index);
}

void kbb_free(kb_builder *b) {
  if (!b) return;
  du_intern_free(&b->strs);
  du_intern_free(&b->vocab);
  du_vec_free(&b->winfo);
  du_free(b->emap);
  du_vec_free(&b->pitems);
  du_vec_free(&b->files);
  for (int i = 0; i < KA_COUNT; i++) du_vec_free(&b->arrays[i]);
  name_map_free(&b->synset_names);
  name_map_free(&b->vclass_names);
  dt_tokens_free(&b->toks);
  du_free(b->scratch);
  du_free(b->forms_head);
  du_free(b->forms_next);
  du_free(b);
}

/* ---- diagnostics ---- */

void kbb_diag(kb_builder *b, int level, const char *file, long line,
              const char *fmt, ...) {
  if (level == DYAD_DIAG_ERROR) b->errors++;
  else b->warnings++;
  if (!b->diag) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  dyad_diag d = {level, file ? file : "", line, msg};
  b->diag(&d, b->ud);
}

size_t kbb_errors(const kb_builder *b) { return b->errors; }
size_t kbb_warnings(const kb_builder *b) { return b->warnings; }

/* ---- strings, files, words ---- */

uint32_t kbb_str(kb_builder *b, const char *s, size_t n) {
  int64_t id = du_intern_add(&b->strs, s, n);
  if (id < 0) return 0;
  return DU_VEC_AT(&b->strs.offs, uint32_t, (size_t)id);
}

uint32_t kbb_cstr(kb_builder *b, const char *s) {
  return s ? kbb_str(b, s, strlen(s)) : 0;
}

uint16_t kbb_file(kb_builder *b, const char *path) {
  uint32_t off = kbb_cstr(b, path);
  for (size_t i = 0; i < b->files.len; i++) {
    if (DU_VEC_AT(&b->files, uint32_t, i) == off) return (uint16_t)i;
  }
  uint32_t *p = du_vec_push(&b->files);
  if (!p) return 0;
  *p = off;
  return (uint16_t)(b->files.len - 1);
}

const char *kbb_file_path(const kb_builder *b, uint16_t file) {
  if (file >= b->files.len) return "";
  return b->strs.pool.data + DU_VEC_AT(&b->files, uint32_t, file);
}

uint32_t kbb_word(kb_builder *b, const char *w, size_t n) {
  if (n > 255) n = 255;
  int64_t id = du_intern_add(&b->vocab, w, n);
  if (id < 0) return 0;
  while (b->winfo.len <= (size_t)id) {
    word_info *wi = du_vec_push(&b->winfo);
    if (!wi) return 0;
    size_t nid = b->winfo.len - 1;
    wi->str = kbb_str(b, du_intern_str(&b->vocab, (uint32_t)nid),
                      DU_VEC_AT(&b->vocab.lens, uint32_t, nid));
    wi->lemma = (uint32_t)nid;
  }
  return (uint32_t)id;
}

uint32_t kbb_word_find(const kb_builder *b, const char *w, size_t n) {
  int64_t id = du_intern_find(&b->vocab, w, n);
  return id < 0 ? 0 : (uint32_t)id;
}

const char *kbb_word_str(const kb_builder *b, uint32_t id) {
  return du_intern_str(&b->vocab, id);
}

void kbb_word_lex(kb_builder *b, uint32_t id, uint32_t lex) {
  if (id < b->winfo.len) DU_VEC_AT(&b->winfo, word_info, id).lex |= lex;
}

uint32_t kbb_word_get_lex(const kb_builder *b, uint32_t id) {
  return id < b->winfo.len ? DU_VEC_AT(&b->winfo, word_info, id).lex : 0;
}

void kbb_word_vform(kb_builder *b, uint32_t id, uint32_t lemma, uint8_t vform) {
  if (id >= b->winfo.len) return;
  word_info *wi = &DU_VEC_AT(&b->winfo, word_info, id);
  wi->vform |= vform;
  wi->lex |= LX_VERB;
  if (wi->lemma == id || vform == VF_BASE) wi->lemma = lemma;
}

void kbb_word_set_lemma(kb_builder *b, uint32_t id, uint32_t lemma) {
  if (id < b->winfo.len) DU_VEC_AT(&b->winfo, word_info, id).lemma = lemma;
}

int kbb_forms_of(kb_builder *b, uint32_t lemma, uint32_t *out, int max) {
  if (!b->forms_head) {
    uint32_t n = (uint32_t)b->winfo.len;
    b->forms_head = du_calloc(n, sizeof(uint32_t));
    b->forms_next = du_calloc(n, sizeof(uint32_t));
    if (!b->forms_head || !b->forms_next) return 0;
    b->forms_n = n;
    for (uint32_t w = n; w-- > 1;) {
      const word_info *wi = &DU_VEC_AT(&b->winfo, word_info, w);
      if (!wi->vform || wi->lemma >= n) continue;
      b->forms_next[w] = b->forms_head[wi->lemma];
      b->forms_head[wi->lemma] = w + 1;
    }
  }
  int k = 0;
  if (lemma >= b->forms_n) return 0;
  for (uint32_t f = b->forms_head[lemma]; f && k < max; f = b->forms_next[f - 1]) {
    out[k++] = f - 1;
  }
  return k;
}

uint32_t kbb_nwords(const kb_builder *b) { return (uint32_t)b->winfo.len; }

uint8_t kbb_word_get_vform(const kb_builder *b, uint32_t id) {
  return id < b->winfo.len ? DU_VEC_AT(&b->winfo, word_info, id).vform : 0;
}

uint32_t kbb_word_get_lemma(const kb_builder *b, uint32_t id) {
  return id < b->winfo.len ? DU_VEC_AT(&b->winfo, word_info, id).lemma : id;
}

int kbb_phrase(kb_builder *b, const char *phrase, size_t n, uint32_t *ids) {
  /* Underscores join words in dictionary files: make them spaces. */
  if (b->scratch_cap < n + 1) {
    char *s = du_realloc(b->scratch, n + 64);
    if (!s) return -1;
    b->scratch = s;
    b->scratch_cap = n + 64;
  }
  for (size_t i = 0; i < n; i++) b->scratch[i] = phrase[i] == '_' ? ' ' : phrase[i];
  b->scratch[n] = '\0';
  dt_tokens_reset(&b->toks);
  if (dt_tokenize(b->scratch, n, &b->toks)) return -1;
  if (b->toks.n > KBB_MAX_PHRASE) return -1;
  for (size_t i = 0; i < b->toks.n; i++) {
    ids[i] = kbb_word(b, dt_norm(&b->toks, i), b->toks.v[i].norm_len);
  }
  return (int)b->toks.n;
}

/* ---- trie ---- */

static size_t emap_slot(const kb_builder *b, uint32_t parent, uint32_t word) {
  uint64_t key = ((uint64_t)parent << 32) | word;
  size_t mask = b->emap_cap - 1;
  size_t i = (size_t)du_hash(&key, sizeof key) & mask;
  while (b->emap[i].child &&
         (b->emap[i].parent != parent || b->emap[i].word != word)) {
    i = (i + 1) & mask;
  }
  return i;
}

static int emap_grow(kb_builder *b) {
  size_t cap = b->emap_cap ? b->emap_cap * 2 : 4096;
  edge_slot *old = b->emap;
  size_t old_cap = b->emap_cap;
  b->emap = du_calloc(cap, sizeof *b->emap);
  if (!b->emap) {
    b->emap = old;
    return -1;
  }
  b->emap_cap = cap;
  for (size_t i = 0; i < old_cap; i++) {
    if (old[i].child) b->emap[emap_slot(b, old[i].parent, old[i].word)] = old[i];
  }
  du_free(old);
  return 0;
}

static uint32_t trie_walk(kb_builder *b, int trie, const uint32_t *ids, int n,
                          int create) {
  uint32_t node = 1 + (uint32_t)trie;
  for (int i = 0; i < n; i++) {
    if ((b->emap_len + 1) * 2 > b->emap_cap) {
      if (!create) {
        if (!b->emap_cap) return 0;
      } else if (emap_grow(b)) {
        return 0;
      }
    }
    size_t s = emap_slot(b, node, ids[i]);
    if (!b->emap[s].child) {
      if (!create) return 0;
      b->emap[s].parent = node;
      b->emap[s].word = ids[i];
      b->emap[s].child = b->nnodes++;
      b->emap_len++;
    }
    node = b->emap[s].child;
  }
  return node;
}

static int payload_push(kb_builder *b, uint32_t node, uint32_t v) {
  payload_item *it = du_vec_push(&b->pitems);
  if (!it) return -1;
  it->node = node;
  it->value = v;
  it->seq = (uint32_t)b->pitems.len;
  return 0;
}

int kbb_trie_add(kb_builder *b, int trie, const uint32_t *ids, int n,
                 uint32_t value) {
  if (n <= 0) return -1;
  uint32_t node = trie_walk(b, trie, ids, n, 1);
  if (!node) return -1;
  return payload_push(b, node, value);
}

int kbb_trie_add2(kb_builder *b, int trie, const uint32_t *ids, int n,
                  uint32_t v1, uint32_t v2) {
  if (n <= 0) return -1;
  uint32_t node = trie_walk(b, trie, ids, n, 1);
  if (!node) return -1;
  if (payload_push(b, node, v1)) return -1;
  return payload_push(b, node, v2);
}

int kbb_trie_has(const kb_builder *b, int trie, const uint32_t *ids, int n) {
  if (!b->emap_cap) return 0;
  uint32_t node = 1 + (uint32_t)trie;
  for (int i = 0; i < n; i++) {
    size_t s = emap_slot(b, node, ids[i]);
    if (!b->emap[s].child) return 0;
    node = b->emap[s].child;
  }
  /* Linear scan is fine: only the linter asks. */
  for (size_t i = 0; i < b->pitems.len; i++) {
    if (DU_VEC_AT(&b->pitems, payload_item, i).node == node) return 1;
  }
  return 0;
}

/* ---- typed appenders ---- */

static uint32_t append(kb_builder *b, int array, const void *item) {
  void *p = du_vec_push(&b->arrays[array]);
  if (!p) return UINT32_MAX;
  memcpy(p, item, item_size[array]);
  return (uint32_t)(b->arrays[array].len - 1);
}

uint32_t kbb_actor(kb_builder *b, const kb_actor *a) { return append(b, KA_actors, a); }
uint32_t kbb_role(kb_builder *b, const kb_role *r) { return append(b, KA_roles, r); }
uint32_t kbb_agent(kb_builder *b, const kb_agent *a) { return append(b, KA_agents, a); }
uint32_t kbb_verb(kb_builder *b, const kb_verb *v) { return append(b, KA_verbs, v); }
uint32_t kbb_vclass(kb_builder *b, const kb_vclass *c) { return append(b, KA_vclasses, c); }
uint32_t kbb_pattern(kb_builder *b, const kb_pattern *p) { return append(b, KA_patterns, p); }
uint32_t kbb_pelem(kb_builder *b, const kb_pelem *e) { return append(b, KA_pelems, e); }
uint32_t kbb_synset(kb_builder *b, const kb_synset *s) { return append(b, KA_synsets, s); }
uint32_t kbb_seq(kb_builder *b, uint32_t v) { return append(b, KA_seq, &v); }
uint32_t kbb_discard(kb_builder *b, const kb_discard *d) { return append(b, KA_discards, d); }
uint32_t kbb_issue(kb_builder *b, const kb_issue *i) { return append(b, KA_issues, i); }
uint32_t kbb_place(kb_builder *b, const kb_place *p) { return append(b, KA_places, p); }
uint32_t kbb_cameo(kb_builder *b, const kb_cameo *c) { return append(b, KA_cameo, c); }
uint32_t kbb_pico(kb_builder *b, const kb_pico *p) { return append(b, KA_pico, p); }

kb_actor *kbb_actor_at(kb_builder *b, uint32_t i) {
  return &DU_VEC_AT(&b->arrays[KA_actors], kb_actor, i);
}
kb_vclass *kbb_vclass_at(kb_builder *b, uint32_t i) {
  return &DU_VEC_AT(&b->arrays[KA_vclasses], kb_vclass, i);
}
kb_synset *kbb_synset_at(kb_builder *b, uint32_t i) {
  return &DU_VEC_AT(&b->arrays[KA_synsets], kb_synset, i);
}
const uint32_t *kbb_seq_data(const kb_builder *b) {
  return b->arrays[KA_seq].data;
}

const char *kbb_str_at(const kb_builder *b, uint32_t off) {
  return b->strs.pool.data + off;
}

uint32_t kbb_count(const kb_builder *b, int array) {
  return (uint32_t)b->arrays[array].len;
}

static uint32_t name_find(const name_map *m, const char *name) {
  int64_t id = du_intern_find(&m->names, name, strlen(name));
  if (id < 0 || (size_t)id >= m->index.len) return UINT32_MAX;
  return DU_VEC_AT(&m->index, uint32_t, (size_t)id);
}

static void name_set(name_map *m, const char *name, uint32_t index) {
  int64_t id = du_intern_add(&m->names, name, strlen(name));
  if (id < 0) return;
  while (m->index.len <= (size_t)id) {
    uint32_t *p = du_vec_push(&m->index);
    if (!p) return;
    *p = UINT32_MAX;
  }
  DU_VEC_AT(&m->index, uint32_t, (size_t)id) = index;
}

uint32_t kbb_synset_find(const kb_builder *b, const char *name) {
  return name_find(&b->synset_names, name);
}
void kbb_synset_name(kb_builder *b, const char *name, uint32_t index) {
  name_set(&b->synset_names, name, index);
}
uint32_t kbb_vclass_find(const kb_builder *b, const char *name) {
  return name_find(&b->vclass_names, name);
}
void kbb_vclass_name(kb_builder *b, const char *name, uint32_t index) {
  name_set(&b->vclass_names, name, index);
}

void kbb_iso2_set(kb_builder *b, const char *iso2, const char *iso3) {
  if (b->niso2 >= 400 || strlen(iso2) != 2 || strlen(iso3) != 3) return;
  memcpy(b->iso2[b->niso2][0], iso2, 3);
  memcpy(b->iso2[b->niso2][1], iso3, 4);
  b->niso2++;
}

const char *kbb_iso2_get(const kb_builder *b, const char *iso2) {
  for (int i = 0; i < b->niso2; i++) {
    if (!strcmp(b->iso2[i][0], iso2)) return b->iso2[i][1];
  }
  return NULL;
}

void kbb_note(kb_builder *b, int what) {
  if (what >= 0 && what < 8) b->notes[what]++;
}

/* ---- import the base (lexicon, CAMEO, places) of a finished KB ---- */

int kbb_import_base(kb_builder *b, const dyad_kb *kb) {
  for (uint32_t i = 1; i < kb->n_words; i++) {
    const kb_word *w = &kb->words[i];
    if (!w->lex && !w->vform) continue;
    uint32_t id = kbb_word(b, kb_str(kb, w->str), w->len);
    kbb_word_lex(b, id, w->lex & ~(uint32_t)LX_VERB);
    if (w->vform) {
      const kb_word *l = &kb->words[w->lemma];
      uint32_t lid = kbb_word(b, kb_str(kb, l->str), l->len);
      kbb_word_vform(b, id, lid, w->vform);
    } else if (w->lex & LX_VERB) {
      kbb_word_lex(b, id, LX_VERB);
    }
    if (w->lemma != i && !w->vform) {
      const kb_word *l = &kb->words[w->lemma];
      uint32_t lid = kbb_word(b, kb_str(kb, l->str), l->len);
      DU_VEC_AT(&b->winfo, word_info, id).lemma = lid;
    }
  }
  for (uint32_t i = 0; i < kb->n_cameo; i++) {
    kb_cameo c = kb->cameo[i];
    c.name = kbb_cstr(b, kb_str(kb, c.name));
    c.plover = kbb_cstr(b, kb_str(kb, c.plover));
    c.plover_mode = kbb_cstr(b, kb_str(kb, c.plover_mode));
    c.plover_context = kbb_cstr(b, kb_str(kb, c.plover_context));
    kbb_cameo(b, &c);
  }
  /* Places: re-insert names into the place trie. Each place is reachable
   * from the phrases that point at it; rebuild from the old trie. */
  uint32_t base = kbb_count(b, KA_places);
  for (uint32_t i = 0; i < kb->n_places; i++) {
    kb_place p = kb->places[i];
    p.name = kbb_cstr(b, kb_str(kb, p.name));
    p.country = kbb_cstr(b, kb_str(kb, p.country));
    p.admin1 = kbb_cstr(b, kb_str(kb, p.admin1));
    kbb_place(b, &p);
  }
  /* Walk the place trie of KB depth-first, re-adding every phrase. */
  uint32_t stack_node[KBB_MAX_PHRASE + 1];
  uint32_t stack_edge[KBB_MAX_PHRASE + 1];
  uint32_t ids[KBB_MAX_PHRASE];
  for (uint32_t w = 1; w < kb->n_words; w++) {
    uint32_t root = kb->words[w].root[TRIE_PLACE];
    if (!root) continue;
    int depth = 0;
    ids[0] = kbb_word(b, kb_str(kb, kb->words[w].str), kb->words[w].len);
    stack_node[0] = root;
    stack_edge[0] = 0;
    while (depth >= 0) {
      uint32_t node = stack_node[depth];
      if (stack_edge[depth] == 0) {
        uint32_t cnt;
        const uint32_t *items = kb_payload(kb, node, &cnt);
        for (uint32_t k = 0; k < cnt; k++) {
          kbb_trie_add(b, TRIE_PLACE, ids, depth + 1, base + items[k]);
        }
      }
      const kb_tnode *tn = &kb->nodes[node];
      if (stack_edge[depth] < tn->nedges && depth + 1 < KBB_MAX_PHRASE) {
        const kb_tedge *e = &kb->edges[tn->edges + stack_edge[depth]];
        stack_edge[depth]++;
        depth++;
        ids[depth] = kbb_word(b, kb_str(kb, kb->words[e->word].str),
                              kb->words[e->word].len);
        stack_node[depth] = e->node;
        stack_edge[depth] = 0;
      } else {
        depth--;
      }
    }
  }
  return 0;
}

/* ---- finish ---- */

static int cmp_edge(const void *a, const void *b) {
  const edge_slot *x = a, *y = b;
  if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
  return x->word < y->word ? -1 : x->word > y->word;
}

static int cmp_pitem(const void *a, const void *b) {
  const payload_item *x = a, *y = b;
  if (x->node != y->node) return x->node < y->node ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Stable insertion sort: the table has a few hundred rows. */
static void sort_cameo(kb_cameo *c, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    kb_cameo x = c[i];
    uint32_t j = i;
    while (j > 0 && strcmp(c[j - 1].code, x.code) > 0) {
      c[j] = c[j - 1];
      j--;
    }
    c[j] = x;
  }
}

static void *take(du_vec *v, uint32_t *n) {
  *n = (uint32_t)v->len;
  void *p = v->data;
  if (!p) p = du_calloc(1, v->item ? v->item : 1);
  v->data = NULL;
  v->len = v->cap = 0;
  return p;
}

int kbb_finish(kb_builder *b, dyad_kb **out, dyad_error *err) {
  dyad_kb *kb = du_calloc(1, sizeof *kb);
  if (!kb) goto oom;
  kb->owns_arrays = 1;

  /* Words. */
  uint32_t nwords = (uint32_t)b->winfo.len;
  kb_word *words = du_calloc(nwords, sizeof *words);
  if (!words) goto oom;
  for (uint32_t i = 0; i < nwords; i++) {
    const word_info *wi = &DU_VEC_AT(&b->winfo, word_info, i);
    words[i].str = wi->str;
    words[i].lex = wi->lex;
    words[i].lemma = wi->lemma < nwords ? wi->lemma : i;
    words[i].vform = wi->vform;
    words[i].len = (uint8_t)DU_MIN(DU_VEC_AT(&b->vocab.lens, uint32_t, i), 255);
  }
  kb->words = words;
  kb->n_words = nwords;

  /* Trie edges and nodes. */
  size_t nedges = 0;
  edge_slot *es = du_malloc((b->emap_len ? b->emap_len : 1) * sizeof *es);
  if (!es) goto oom;
  for (size_t i = 0; i < b->emap_cap; i++) {
    if (b->emap[i].child) es[nedges++] = b->emap[i];
  }
  if (nedges > 1) qsort(es, nedges, sizeof *es, cmp_edge);
  kb->n_nodes = b->nnodes;
  kb->nodes = du_calloc(b->nnodes, sizeof *kb->nodes);
  kb->edges = du_malloc((nedges ? nedges : 1) * sizeof *kb->edges);
  if (!kb->nodes || !kb->edges) {
    du_free(es);
    goto oom;
  }
  kb->n_edges = (uint32_t)nedges;
  for (size_t i = 0; i < nedges; i++) {
    kb->edges[i].word = es[i].word;
    kb->edges[i].node = es[i].child;
    kb_tnode *pn = &kb->nodes[es[i].parent];
    if (pn->nedges == 0) pn->edges = (uint32_t)i;
    pn->nedges++;
    if (es[i].parent >= 1 && es[i].parent <= TRIE_COUNT && es[i].word < nwords) {
      words[es[i].word].root[es[i].parent - 1] = es[i].child;
    }
  }
  du_free(es);

  /* Payloads. */
  payload_item *pi = b->pitems.data;
  size_t npi = b->pitems.len;
  if (npi > 1) qsort(pi, npi, sizeof *pi, cmp_pitem);
  size_t nnodes_with = 0;
  for (size_t i = 0; i < npi; i++) {
    if (i == 0 || pi[i].node != pi[i - 1].node) nnodes_with++;
  }
  kb->n_payloads = (uint32_t)(1 + npi + nnodes_with);
  kb->payloads = du_calloc(kb->n_payloads, sizeof(uint32_t));
  if (!kb->payloads) goto oom;
  uint32_t o = 1;
  for (size_t i = 0; i < npi;) {
    size_t j = i;
    while (j < npi && pi[j].node == pi[i].node) j++;
    kb->nodes[pi[i].node].payload = o;
    kb->payloads[o++] = (uint32_t)(j - i);
    for (size_t k = i; k < j; k++) kb->payloads[o++] = pi[k].value;
    i = j;
  }

  /* Word hash for lookups by string. */
  uint32_t nh = 1024;
  while (nh < nwords * 2) nh *= 2;
  kb->hash = du_calloc(nh, sizeof(uint32_t));
  if (!kb->hash) goto oom;
  kb->n_hash = nh;

  /* Files. */
  kb->n_files = (uint32_t)b->files.len;
  kb->files = du_calloc(kb->n_files ? kb->n_files : 1, sizeof(kb_file));
  if (!kb->files) goto oom;
  for (size_t i = 0; i < b->files.len; i++) {
    kb->files[i].path = DU_VEC_AT(&b->files, uint32_t, i);
  }

  /* Typed arrays. */
#define XX(name, type)                                               \
  if (KA_##name != KA_strings && KA_##name != KA_words &&            \
      KA_##name != KA_hash && KA_##name != KA_nodes &&               \
      KA_##name != KA_edges && KA_##name != KA_payloads &&           \
      KA_##name != KA_files) {                                       \
    kb->name = take(&b->arrays[KA_##name], &kb->n_##name);           \
    if (!kb->name) goto oom;                                         \
  }
  KB_ARRAYS(XX)
#undef XX

  /* Patterns grouped by verb class (stable), classes point at them. */
  if (kb->n_patterns) {
    uint32_t *count = du_calloc(kb->n_vclasses + 1, sizeof *count);
    kb_pattern *sorted = du_malloc(kb->n_patterns * sizeof *sorted);
    if (!count || !sorted) {
      du_free(count);
      du_free(sorted);
      goto oom;
    }
    for (uint32_t i = 0; i < kb->n_patterns; i++) {
      if (kb->patterns[i].vclass < kb->n_vclasses) count[kb->patterns[i].vclass + 1]++;
    }
    for (uint32_t c = 0; c < kb->n_vclasses; c++) {
      kb->vclasses[c].patterns = count[c] + (c ? kb->vclasses[c - 1].patterns : 0);
      kb->vclasses[c].npatterns = count[c + 1];
      count[c] = 0;
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < kb->n_patterns; i++) {
      uint32_t c = kb->patterns[i].vclass;
      if (c >= kb->n_vclasses) continue;
      sorted[kb->vclasses[c].patterns + count[c]++] = kb->patterns[i];
      w++;
    }
    du_free(kb->patterns);
    kb->patterns = sorted;
    kb->n_patterns = w;
    du_free(count);
  }
  for (uint32_t i = 0; i < kb->n_synsets; i++) kb->synsets[i].nphrases &= 0x7FFFFFFFu;

  /* CAMEO rows sorted by code for bisection; later rows win. */
  if (kb->n_cameo > 1) {
    sort_cameo(kb->cameo, kb->n_cameo);
    uint32_t w = 0;
    for (uint32_t i = 0; i < kb->n_cameo; i++) {
      if (w && strcmp(kb->cameo[w - 1].code, kb->cameo[i].code) == 0) {
        kb->cameo[w - 1] = kb->cameo[i];
      } else {
        kb->cameo[w++] = kb->cameo[i];
      }
    }
    kb->n_cameo = w;
  }

  /* Regular plurals of nouns point at their singular ("efforts" ->
   * "effort") so that patterns match either. */
  for (uint32_t i = 1; i < nwords; i++) {
    kb_word *w = &words[i];
    if (w->vform || w->lemma != i || w->len < 4) continue;
    const char *s = b->strs.pool.data + w->str;
    size_t n = w->len;
    if (s[n - 1] != 's' || s[n - 2] == 's') continue;
    char sing[260];
    uint32_t base = 0;
    if (n > 4 && !memcmp(s + n - 3, "ies", 3)) {
      snprintf(sing, sizeof sing, "%.*sy", (int)(n - 3), s);
      base = kbb_word_find(b, sing, strlen(sing));
    }
    if (!base && n > 3 && s[n - 2] == 'e') {
      snprintf(sing, sizeof sing, "%.*s", (int)(n - 2), s);
      base = kbb_word_find(b, sing, strlen(sing));
    }
    if (!base) {
      snprintf(sing, sizeof sing, "%.*s", (int)(n - 1), s);
      base = kbb_word_find(b, sing, strlen(sing));
    }
    if (base && base != i) w->lemma = words[base].lemma;
  }

  /* Strings last: every kbb_str call is done. */
  kb->n_strings = (uint32_t)b->strs.pool.len;
  kb->strings = b->strs.pool.data;
  b->strs.pool.data = NULL;
  b->strs.pool.len = b->strs.pool.cap = 0;
  if (!kb->strings) goto oom;

  for (uint32_t i = 1; i < nwords; i++) {
    const char *w = kb_str(kb, words[i].str);
    uint32_t h = (uint32_t)du_hash(w, words[i].len) & (nh - 1);
    while (kb->hash[h]) h = (h + 1) & (nh - 1);
    kb->hash[h] = i + 1;
  }
  kb->stats_people = b->notes[KBB_NOTE_PERSON];
  kb->stats_person_roles = b->notes[KBB_NOTE_PERSON_ROLE];
  kb->stats_countries = b->notes[KBB_NOTE_COUNTRY];
  kb->stats_orgs = b->notes[KBB_NOTE_ORG];
  kb->review_flags = b->notes[KBB_NOTE_REVIEW];
  kb->stats_names = b->notes[KBB_NOTE_NAME];
  kbb_free(b);
  if (kb_prepare(kb)) {
    dyad_kb_free(kb);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  *out = kb;
  return DYAD_OK;
oom:
  kbb_free(b);
  dyad_kb_free(kb);
  return du_err(err, DYAD_ENOMEM, "out of memory while building the knowledge base");
}

/* ---- finished-KB helpers ---- */

uint32_t kb_word_find(const dyad_kb *kb, const char *w, size_t n) {
  if (!kb->n_hash) return 0;
  uint32_t mask = kb->n_hash - 1;
  uint32_t h = (uint32_t)du_hash(w, n) & mask;
  for (;;) {
    uint32_t v = kb->hash[h];
    if (!v) return 0;
    const kb_word *kw = &kb->words[v - 1];
    if (kw->len == n && memcmp(kb->strings + kw->str, w, n) == 0) return v - 1;
    h = (h + 1) & mask;
  }
}

uint32_t kb_trie_step(const dyad_kb *kb, uint32_t node, uint32_t word) {
  const kb_tnode *tn = &kb->nodes[node];
  uint32_t lo = tn->edges, hi = tn->edges + tn->nedges;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    uint32_t w = kb->edges[mid].word;
    if (w == word) return kb->edges[mid].node;
    if (w < word) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

const char *kb_actor_code(const dyad_kb *kb, const kb_actor_ref *ref,
                          int32_t ymd) {
  const kb_actor *a = &kb->actors[ref->actor];
  if (ref->role != UINT32_MAX) {
    const kb_role *r = &kb->roles[ref->role];
    if ((!r->from || ymd >= r->from) && (!r->to || ymd <= r->to)) {
      return kb_str(kb, r->code);
    }
    return NULL;
  }
  for (uint32_t i = 0; i < a->nroles; i++) {
    const kb_role *r = &kb->roles[a->roles + i];
    if ((!r->from || ymd >= r->from) && (!r->to || ymd <= r->to)) {
      const char *c = kb_str(kb, r->code);
      return strcmp(c, "---") == 0 ? NULL : c;
    }
  }
  if (a->dflt) {
    const char *c = kb_str(kb, a->dflt);
    return (c[0] && strcmp(c, "---") != 0) ? c : NULL;
  }
  return NULL;
}

const kb_cameo *kb_cameo_find(const dyad_kb *kb, const char *code) {
  /* The table is sorted by code when built from our file; use bisection
   * with a linear fallback for tables that are not. */
  uint32_t lo = 0, hi = kb->n_cameo;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    int c = strcmp(kb->cameo[mid].code, code);
    if (c == 0) return &kb->cameo[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const dyad_cameo_info *dyad_cameo_lookup(const dyad_kb *kb, const char *code) {
  const kb_cameo *c = kb_cameo_find(kb, code);
  if (!c || !kb->cameo_info) return NULL;
  return &kb->cameo_info[c - kb->cameo];
}

int kb_prepare(dyad_kb *kb) {
  du_free(kb->cameo_info);
  kb->cameo_info = du_calloc(kb->n_cameo ? kb->n_cameo : 1, sizeof *kb->cameo_info);
  if (!kb->cameo_info) return -1;
  for (uint32_t i = 0; i < kb->n_cameo; i++) {
    const kb_cameo *c = &kb->cameo[i];
    dyad_cameo_info *ci = &kb->cameo_info[i];
    ci->code = c->code;
    ci->name = kb_str(kb, c->name);
    ci->goldstein = c->goldstein;
    ci->quad_class = c->quad;
    ci->plover = kb_str(kb, c->plover);
    ci->plover_mode = kb_str(kb, c->plover_mode);
    ci->plover_context = kb_str(kb, c->plover_context);
  }
  kb->word_the = kb_word_find(kb, "the", 3);
  return 0;
}

void dyad_kb_free(dyad_kb *kb) {
  if (!kb) return;
  if (kb->owns_arrays) {
#define XX(name, type) du_free(kb->name);
    KB_ARRAYS(XX)
#undef XX
  }
  if (kb->blob_owned) du_free(kb->blob);
  du_free(kb->cameo_info);
  du_free(kb);
}

void dyad_kb_get_stats(const dyad_kb *kb, dyad_kb_stats *st) {
  memset(st, 0, sizeof *st);
  st->words = kb->n_words ? kb->n_words - 1 : 0;
  st->actors = kb->n_actors;
  st->person_roles = kb->stats_person_roles;
  st->people = kb->stats_people;
  st->countries = kb->stats_countries;
  st->organisations = kb->stats_orgs;
  st->agents = kb->n_agents;
  st->verbs = kb->n_vclasses;
  st->verb_forms = kb->n_verbs;
  st->patterns = kb->n_patterns;
  st->synsets = kb->n_synsets;
  st->discards = kb->n_discards;
  st->issues = kb->n_issues;
  st->places = kb->n_places;
  st->cameo_codes = kb->n_cameo;
  st->review_flags = kb->review_flags;
  st->actor_names = kb->stats_names;
}
