/*
 * kbblob.c - the compiled form of a knowledge base.
 *
 * Layout: a header (magic, version, scalars, one {offset, count, size}
 * per array) followed by the arrays, each aligned to 8 bytes. Loading
 * checks every index that the coder follows, so a damaged or hostile file
 * is rejected with a message instead of crashing a coder later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kb/kb.h"

#define KB_MAGIC "DYADKB\0\1"
#define KB_VERSION 4

typedef struct blob_arr {
  uint64_t off;
  uint32_t n;
  uint32_t size;
} blob_arr;

typedef struct blob_hdr {
  char magic[8];
  uint32_t version;
  uint32_t narrays;
  uint32_t review_flags, stats_people, stats_person_roles, stats_countries;
  uint32_t stats_orgs, stats_names;
  uint64_t total;
  blob_arr arr[KA_COUNT];
} blob_hdr;

static const uint32_t arr_size[KA_COUNT] = {
#define XX(name, type) (uint32_t)sizeof(type),
    KB_ARRAYS(XX)
#undef XX
};

int dyad_kb_save(const dyad_kb *kb, const char *path, dyad_error *err) {
  blob_hdr h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, KB_MAGIC, 8);
  h.version = KB_VERSION;
  h.narrays = KA_COUNT;
  h.review_flags = kb->review_flags;
  h.stats_people = kb->stats_people;
  h.stats_person_roles = kb->stats_person_roles;
  h.stats_countries = kb->stats_countries;
  h.stats_orgs = kb->stats_orgs;
  h.stats_names = kb->stats_names;
  const void *ptr[KA_COUNT];
  uint64_t off = (sizeof h + 7) & ~(uint64_t)7;
#define XX(name, type)                                 \
  ptr[KA_##name] = kb->name;                           \
  h.arr[KA_##name].off = off;                          \
  h.arr[KA_##name].n = kb->n_##name;                   \
  h.arr[KA_##name].size = (uint32_t)sizeof(type);      \
  off += ((uint64_t)kb->n_##name * sizeof(type) + 7) & ~(uint64_t)7;
  KB_ARRAYS(XX)
#undef XX
  h.total = off;
  FILE *f = fopen(path, "wb");
  if (!f) {
    return du_err(err, DYAD_EIO, "cannot write %s: %s", path, strerror(errno));
  }
  static const char zeros[8] = {0};
  int bad = fwrite(&h, sizeof h, 1, f) != 1;
  uint64_t pos = sizeof h;
  for (int i = 0; i < KA_COUNT && !bad; i++) {
    if (pos < h.arr[i].off) {
      bad |= fwrite(zeros, 1, (size_t)(h.arr[i].off - pos), f) != h.arr[i].off - pos;
      pos = h.arr[i].off;
    }
    size_t bytes = (size_t)h.arr[i].n * h.arr[i].size;
    if (bytes) bad |= fwrite(ptr[i], 1, bytes, f) != bytes;
    pos += bytes;
  }
  if (pos < h.total) bad |= fwrite(zeros, 1, (size_t)(h.total - pos), f) != h.total - pos;
  if (fclose(f) != 0) bad = 1;
  if (bad) return du_err(err, DYAD_EIO, "write error on %s", path);
  return DYAD_OK;
}

#define CHECK(cond, what)                                                \
  do {                                                                   \
    if (!(cond)) {                                                       \
      return du_err(err, DYAD_EDATA, "compiled knowledge base is damaged: %s", what); \
    }                                                                    \
  } while (0)

static int check_str(const dyad_kb *kb, uint32_t off) {
  return off < kb->n_strings;
}

/* Verify every cross-reference the coder follows. */
static int validate(const dyad_kb *kb, dyad_error *err) {
  CHECK(kb->n_strings > 0 && kb->strings[kb->n_strings - 1] == '\0', "string pool");
  CHECK(kb->n_words > 0, "no words");
  CHECK(kb->n_hash > 0 && (kb->n_hash & (kb->n_hash - 1)) == 0, "hash size");
  CHECK(kb->n_nodes > TRIE_COUNT, "trie nodes");
  for (uint32_t i = 0; i < kb->n_hash; i++) CHECK(kb->hash[i] <= kb->n_words, "hash entry");
  for (uint32_t i = 0; i < kb->n_words; i++) {
    const kb_word *w = &kb->words[i];
    CHECK(check_str(kb, w->str) && w->str + w->len < kb->n_strings, "word string");
    CHECK(w->lemma < kb->n_words, "word lemma");
    for (int t = 0; t < TRIE_COUNT; t++) CHECK(w->root[t] < kb->n_nodes, "word root");
  }
  for (uint32_t i = 0; i < kb->n_nodes; i++) {
    const kb_tnode *n = &kb->nodes[i];
    CHECK(n->edges <= kb->n_edges && n->nedges <= kb->n_edges - n->edges, "node edges");
    if (n->payload) {
      CHECK(n->payload < kb->n_payloads, "node payload");
      CHECK(kb->payloads[n->payload] <= kb->n_payloads - n->payload - 1, "payload length");
    }
  }
  for (uint32_t i = 0; i < kb->n_edges; i++) {
    CHECK(kb->edges[i].node < kb->n_nodes && kb->edges[i].node > TRIE_COUNT, "edge node");
    CHECK(kb->edges[i].word < kb->n_words, "edge word");
  }
  for (uint32_t i = 0; i < kb->n_actors; i++) {
    const kb_actor *a = &kb->actors[i];
    CHECK(check_str(kb, a->name) && check_str(kb, a->dflt) && check_str(kb, a->country), "actor string");
    CHECK(a->roles <= kb->n_roles && a->nroles <= kb->n_roles - a->roles, "actor roles");
  }
  for (uint32_t i = 0; i < kb->n_roles; i++) {
    CHECK(check_str(kb, kb->roles[i].code) && check_str(kb, kb->roles[i].title), "role string");
  }
  for (uint32_t i = 0; i < kb->n_agents; i++) CHECK(check_str(kb, kb->agents[i].code), "agent code");
  for (uint32_t i = 0; i < kb->n_verbs; i++) {
    const kb_verb *v = &kb->verbs[i];
    CHECK(v->lemma < kb->n_words && v->vclass < kb->n_vclasses && check_str(kb, v->code), "verb");
  }
  for (uint32_t i = 0; i < kb->n_vclasses; i++) {
    const kb_vclass *c = &kb->vclasses[i];
    CHECK(check_str(kb, c->name) && check_str(kb, c->code), "verb class string");
    CHECK(c->patterns <= kb->n_patterns && c->npatterns <= kb->n_patterns - c->patterns, "verb class patterns");
  }
  for (uint32_t i = 0; i < kb->n_patterns; i++) {
    const kb_pattern *p = &kb->patterns[i];
    CHECK(p->vclass < kb->n_vclasses, "pattern class");
    CHECK(p->pre <= kb->n_pelems && p->npre <= kb->n_pelems - p->pre, "pattern pre");
    CHECK(p->post <= kb->n_pelems && p->npost <= kb->n_pelems - p->post, "pattern post");
    CHECK(check_str(kb, p->code1) && check_str(kb, p->code2) && check_str(kb, p->text), "pattern string");
  }
  for (uint32_t i = 0; i < kb->n_pelems; i++) {
    const kb_pelem *e = &kb->pelems[i];
    if (e->kind == PE_WORD || e->kind == PE_PP) CHECK(e->id < kb->n_words, "pattern word");
    if (e->kind == PE_SYNSET) CHECK(e->id < kb->n_synsets, "pattern synset");
  }
  for (uint32_t i = 0; i < kb->n_synsets; i++) {
    const kb_synset *s = &kb->synsets[i];
    CHECK(check_str(kb, s->name), "synset name");
    CHECK(s->phrases <= kb->n_seq, "synset phrases");
    uint32_t p = s->phrases;
    for (uint32_t k = 0; k < s->nphrases; k++) {
      CHECK(p < kb->n_seq, "synset phrase");
      uint32_t len = kb->seq[p];
      CHECK(len <= kb->n_seq - p - 1, "synset phrase length");
      for (uint32_t j = 0; j < len; j++) CHECK(kb->seq[p + 1 + j] < kb->n_words, "synset word");
      p += 1 + len;
    }
  }
  for (uint32_t i = 0; i < kb->n_discards; i++) CHECK(check_str(kb, kb->discards[i].text), "discard");
  for (uint32_t i = 0; i < kb->n_issues; i++) CHECK(check_str(kb, kb->issues[i].code), "issue");
  for (uint32_t i = 0; i < kb->n_places; i++) {
    const kb_place *p = &kb->places[i];
    CHECK(check_str(kb, p->name) && check_str(kb, p->country) && check_str(kb, p->admin1), "place");
  }
  for (uint32_t i = 0; i < kb->n_cameo; i++) {
    const kb_cameo *c = &kb->cameo[i];
    CHECK(memchr(c->code, '\0', sizeof c->code) != NULL, "cameo code");
    CHECK(check_str(kb, c->name) && check_str(kb, c->plover) && check_str(kb, c->plover_mode) &&
              check_str(kb, c->plover_context), "cameo strings");
  }
  for (uint32_t i = 0; i < kb->n_files; i++) CHECK(check_str(kb, kb->files[i].path), "file");
  /* Payload values are checked where they are used: actor refs, agents,
   * verbs and places refer to arrays by index; verify them per trie. */
  for (uint32_t w = 0; w < kb->n_words; w++) {
    (void)w;
  }
  return DYAD_OK;
}

/* Check payload values per trie by walking each trie from its roots. */
static int validate_payloads(const dyad_kb *kb, dyad_error *err) {
  uint32_t limit[TRIE_COUNT];
  limit[TRIE_ACTOR] = kb->n_actors;   /* pairs: actor, role */
  limit[TRIE_AGENT] = kb->n_agents;
  limit[TRIE_VERB] = kb->n_verbs;
  limit[TRIE_DISCARD] = kb->n_discards;
  limit[TRIE_PLACE] = kb->n_places;
  limit[TRIE_SYNSET] = UINT32_MAX;
  limit[TRIE_ISSUE] = kb->n_issues;
  /* Mark each node with its trie using an explicit stack. */
  uint32_t *stack = du_malloc((size_t)kb->n_nodes * sizeof *stack);
  uint8_t *seen = du_calloc(kb->n_nodes, 1);
  if (!stack || !seen) {
    du_free(stack);
    du_free(seen);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  int rc = DYAD_OK;
  for (int t = 0; t < TRIE_COUNT && rc == DYAD_OK; t++) {
    size_t sp = 0;
    for (uint32_t w = 0; w < kb->n_words; w++) {
      uint32_t r = kb->words[w].root[t];
      if (r && !seen[r]) {
        seen[r] = 1;
        stack[sp++] = r;
      }
    }
    while (sp && rc == DYAD_OK) {
      uint32_t node = stack[--sp];
      uint32_t cnt;
      const uint32_t *items = kb_payload(kb, node, &cnt);
      for (uint32_t k = 0; k < cnt; k++) {
        uint32_t v = items[k];
        if (t == TRIE_ACTOR) {
          if (k % 2 == 0 && v >= kb->n_actors) rc = DYAD_EDATA;
          if (k % 2 == 1 && v != UINT32_MAX && v >= kb->n_roles) rc = DYAD_EDATA;
        } else if (t == TRIE_VERB) {
          if (k % 2 == 0 && v >= kb->n_verbs) rc = DYAD_EDATA;
        } else if (v >= limit[t]) {
          rc = DYAD_EDATA;
        }
      }
      if (t == TRIE_ACTOR && cnt % 2) rc = DYAD_EDATA;
      if (t == TRIE_VERB && cnt % 2) rc = DYAD_EDATA;
      const kb_tnode *n = &kb->nodes[node];
      for (uint32_t e = 0; e < n->nedges && rc == DYAD_OK; e++) {
        uint32_t c = kb->edges[n->edges + e].node;
        if (!seen[c]) {
          seen[c] = 1;
          if (sp < kb->n_nodes) stack[sp++] = c;
        }
      }
    }
  }
  du_free(stack);
  du_free(seen);
  if (rc) return du_err(err, DYAD_EDATA, "compiled knowledge base is damaged: trie payload");
  return DYAD_OK;
}

int kb_from_blob(void *blob, size_t len, int owned, dyad_kb **out,
                 dyad_error *err) {
  blob_hdr h;
  if (len < sizeof h) {
    if (owned) du_free(blob);
    return du_err(err, DYAD_EDATA, "compiled knowledge base is too short");
  }
  memcpy(&h, blob, sizeof h);
  if (memcmp(h.magic, KB_MAGIC, 8) != 0 || h.version != KB_VERSION ||
      h.narrays != KA_COUNT || h.total != len) {
    if (owned) du_free(blob);
    return du_err(err, DYAD_EDATA,
                  "not a compiled knowledge base of this version of dyad");
  }
  dyad_kb *kb = du_calloc(1, sizeof *kb);
  if (!kb) {
    if (owned) du_free(blob);
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  kb->blob = blob;
  kb->blob_owned = owned;
  for (int i = 0; i < KA_COUNT; i++) {
    const blob_arr *a = &h.arr[i];
    if (a->size != arr_size[i] || (a->off & 7) || a->off > len ||
        (uint64_t)a->n * a->size > len - a->off) {
      dyad_kb_free(kb);
      return du_err(err, DYAD_EDATA, "compiled knowledge base is damaged: array %d", i);
    }
  }
  char *base = blob;
#define XX(name, type)                                   \
  kb->name = (type *)(void *)(base + h.arr[KA_##name].off); \
  kb->n_##name = h.arr[KA_##name].n;
  KB_ARRAYS(XX)
#undef XX
  kb->review_flags = h.review_flags;
  kb->stats_people = h.stats_people;
  kb->stats_person_roles = h.stats_person_roles;
  kb->stats_countries = h.stats_countries;
  kb->stats_orgs = h.stats_orgs;
  kb->stats_names = h.stats_names;
  int rc = validate(kb, err);
  if (rc == DYAD_OK) rc = validate_payloads(kb, err);
  if (rc == DYAD_OK && kb_prepare(kb)) rc = du_err(err, DYAD_ENOMEM, "out of memory");
  if (rc) {
    dyad_kb_free(kb);
    return rc;
  }
  *out = kb;
  return DYAD_OK;
}
