/*
 * kb.h - the in-memory knowledge base shared by every coder.
 *
 * Everything is stored in flat arrays that refer to each other by index or
 * by offset into one string pool, so a compiled knowledge base is a single
 * position-independent blob: saving writes the arrays, loading points at
 * them. Both readers (our own format and PETRARCH-2 dictionaries) fill the
 * same arrays through the builder in kbbuild.c, and the coder only ever
 * sees this structure.
 *
 * Phrases (actor names, agent nouns, multi-word verbs, discards, places,
 * synset members) live in tries keyed by word id. Each word records the
 * root node of the phrases that start with it in each trie.
 */
#ifndef DYAD_KB_H
#define DYAD_KB_H

#include <stdint.h>

#include "dyad.h"
#include "util/util.h"

/* ---- lexical classes of words (kb_word.lex) ---- */
enum {
  LX_DET = 1u << 0,       /* a, the, this */
  LX_POSSPRON = 1u << 1,  /* its, their, his */
  LX_PRON = 1u << 2,      /* he, they, it */
  LX_PREP = 1u << 3,      /* in, on, with */
  LX_CONJ = 1u << 4,      /* and, or, nor */
  LX_SUBORD = 1u << 5,    /* because, while, if, although */
  LX_REL = 1u << 6,       /* who, which, whom, whose */
  LX_BE = 1u << 7,        /* is, was, been */
  LX_HAVE = 1u << 8,      /* has, had */
  LX_DO = 1u << 9,        /* did, does */
  LX_MODAL = 1u << 10,    /* will, may, could */
  LX_NEG = 1u << 11,      /* not, n't, never */
  LX_ADV = 1u << 12,      /* also, again */
  LX_ADJ = 1u << 13,      /* new, former */
  LX_NOUN = 1u << 14,     /* common noun (can head a noun phrase) */
  LX_VERB = 1u << 15,     /* some form of a verb */
  LX_TO = 1u << 16,       /* to */
  LX_THAT = 1u << 17,     /* that */
  LX_SAY = 1u << 18,      /* reporting verb (say, tell, announce) */
  LX_NUMW = 1u << 19,     /* one, two, dozens */
  LX_MONTH = 1u << 20,
  LX_WEEKDAY = 1u << 21,
  LX_TIME = 1u << 22,     /* yesterday, today, week, month */
  LX_QUANT = 1u << 23,    /* some, all, several */
  LX_HEDGE = 1u << 24,    /* reportedly, allegedly (modality: reported) */
  LX_SPECUL = 1u << 25,   /* possibly, perhaps (modality: hypothetical) */
  LX_INTEND = 1u << 26,   /* plan, seek, intend (modality: intended) */
  LX_REFUSE = 1u << 27,   /* decline, refuse, fail (negation of what follows) */
  LX_EVNOUN = 1u << 28,   /* strike, decision, agreement: nouns naming an event */
  LX_TITLE = 1u << 29,    /* president, minister (person titles) */
  LX_PLACEPREP = 1u << 30 /* in, at, near: introduce a location */
};

/* ---- verb form bits (kb_word.vform) ---- */
enum {
  VF_BASE = 1 << 0,
  VF_3SG = 1 << 1,
  VF_PAST = 1 << 2,
  VF_PPART = 1 << 3,
  VF_GER = 1 << 4
};

/* ---- tries ---- */
enum { TRIE_ACTOR, TRIE_AGENT, TRIE_VERB, TRIE_DISCARD, TRIE_PLACE,
       TRIE_SYNSET, TRIE_ISSUE, TRIE_COUNT };

typedef struct kb_word {
  uint32_t str;            /* offset in strings */
  uint32_t lex;            /* LX_* */
  uint32_t lemma;          /* word id of the base form (self when none) */
  uint8_t vform;           /* VF_* when a verb form */
  uint8_t len;             /* bytes (capped at 255) */
  uint16_t pad;
  uint32_t root[TRIE_COUNT]; /* first trie node of phrases starting here, 0 = none */
} kb_word;

typedef struct kb_tnode {
  uint32_t edges;          /* first edge */
  uint32_t nedges;
  uint32_t payload;        /* offset in payloads: [count, items...], 0 = none */
} kb_tnode;

typedef struct kb_tedge {
  uint32_t word;
  uint32_t node;
} kb_tedge;

/* ---- actors ---- */
enum { AK_OTHER = 0, AK_COUNTRY, AK_CAPITAL, AK_SEAT, AK_IGO, AK_GROUP,
       AK_PERSON, AK_ADJ, AK_NGO, AK_MEDIA, AK_COMPANY };

typedef struct kb_actor {
  uint32_t name;           /* display name (string offset) */
  uint32_t dflt;           /* default code (string offset), 0 = none */
  uint32_t roles, nroles;  /* into roles */
  uint32_t line;
  uint16_t file;
  uint8_t kind;            /* AK_* */
  uint8_t review;          /* 1 when marked for review */
  uint32_t country;        /* ISO-3 country of the actor (string offset) or 0 */
} kb_actor;

typedef struct kb_role {
  uint32_t code;           /* string offset */
  int32_t from, to;        /* YYYYMMDD, inclusive; 0 = open */
  uint32_t title;          /* string offset or 0 */
} kb_role;

/* A phrase hit in the actor trie: which actor, and optionally a role
 * that the phrase itself implies ("President Erdogan" only while
 * president). role == UINT32_MAX means any. */
typedef struct kb_actor_ref {
  uint32_t actor;
  uint32_t role;
} kb_actor_ref;

/* ---- agents ---- */
typedef struct kb_agent {
  uint32_t code;           /* "MIL" (string offset) */
  uint32_t line;
  uint16_t file;
  uint8_t prefix;          /* 1 when the code goes before the actor (NGO~) */
  uint8_t pad;
} kb_agent;

/* ---- verbs and patterns ---- */
typedef struct kb_verb {
  uint32_t lemma;          /* word id of the primary form */
  uint32_t vclass;         /* pattern class */
  uint32_t code;           /* own code (string offset), 0 = use class code */
  uint32_t line;
  uint16_t file;
  uint8_t head;            /* index of the inflected word within the phrase */
  uint8_t nwords;          /* words in the phrase */
} kb_verb;

typedef struct kb_vclass {
  uint32_t name;           /* display name */
  uint32_t code;           /* default code (string offset); "---" = none */
  uint32_t patterns, npatterns;
} kb_vclass;

enum {
  PE_WORD = 1,     /* id = word id */
  PE_SYNSET,       /* id = synset index */
  PE_TARGET,       /* + */
  PE_SOURCE,       /* $ */
  PE_SKIP,         /* ^ */
  PE_COMPOUND,     /* % */
  PE_PP,           /* ( prep ...: id = preposition word id */
  PE_PP_END,       /* ) */
  PE_NP,           /* { */
  PE_NP_END        /* } */
};

typedef struct kb_pelem {
  uint8_t kind;
  uint8_t adj;             /* must directly follow the previous element */
  uint16_t pad;
  uint32_t id;
} kb_pelem;

typedef struct kb_pattern {
  uint32_t vclass;
  uint32_t pre, npre;      /* elements before the verb, in text order */
  uint32_t post, npost;    /* elements after the verb */
  uint32_t code1, code2;   /* string offsets; code2 = 0 when none */
  uint32_t text;           /* the pattern as written */
  uint32_t line;
  uint16_t file;
  uint16_t weight;         /* specificity: more elements win */
} kb_pattern;

typedef struct kb_synset {
  uint32_t name;           /* "&CURRENCY" */
  uint32_t phrases, nphrases; /* into seq: each phrase is [len, words...] */
} kb_synset;

/* ---- discards and issues ---- */
typedef struct kb_discard {
  uint8_t story;           /* 1: discard the whole story */
  uint8_t stem;            /* 1: the last word may be followed by more letters */
  uint16_t file;
  uint32_t line;
  uint32_t text;
} kb_discard;

typedef struct kb_issue {
  uint32_t code;
  uint8_t ignore;          /* 1: an ignore phrase (cancels issue coding) */
  uint8_t pad[3];
} kb_issue;

/* ---- places (gazetteer) ---- */
typedef struct kb_place {
  uint32_t name;           /* display name */
  uint32_t country;        /* ISO-3 */
  uint32_t admin1;
  float lat, lon;
  uint32_t population;
  uint8_t kind;            /* 0 city, 1 country, 2 region/feature, 3 capital */
  uint8_t pad[3];
} kb_place;

/* ---- CAMEO codes ---- */
typedef struct kb_cameo {
  char code[8];
  uint32_t name;
  float goldstein;
  int8_t quad;
  uint8_t pad[3];
  uint32_t plover, plover_mode, plover_context;
  uint32_t pad2;
} kb_cameo;

/* ---- PETRARCH internal coding ontology (code arithmetic) ---- */
typedef struct kb_pico {
  char code[8];
  int32_t value;
  int32_t pad;
} kb_pico;

/* ---- files ---- */
typedef struct kb_file {
  uint32_t path;           /* string offset */
} kb_file;

/* Every array of the knowledge base: name, element type. */
#define KB_ARRAYS(XX)                 \
  XX(strings, char)                   \
  XX(words, kb_word)                  \
  XX(hash, uint32_t)                  \
  XX(nodes, kb_tnode)                 \
  XX(edges, kb_tedge)                 \
  XX(payloads, uint32_t)              \
  XX(actors, kb_actor)                \
  XX(roles, kb_role)                  \
  XX(agents, kb_agent)                \
  XX(verbs, kb_verb)                  \
  XX(vclasses, kb_vclass)             \
  XX(patterns, kb_pattern)            \
  XX(pelems, kb_pelem)                \
  XX(synsets, kb_synset)              \
  XX(seq, uint32_t)                   \
  XX(discards, kb_discard)            \
  XX(issues, kb_issue)                \
  XX(places, kb_place)                \
  XX(cameo, kb_cameo)                 \
  XX(pico, kb_pico)                   \
  XX(files, kb_file)

enum {
#define XX(name, type) KA_##name,
  KB_ARRAYS(XX)
#undef XX
  KA_COUNT
};

struct dyad_kb {
#define XX(name, type) \
  type *name;          \
  uint32_t n_##name;
  KB_ARRAYS(XX)
#undef XX
  void *blob;              /* compiled form this KB points into, or NULL */
  int blob_owned;
  int owns_arrays;         /* 1 when each array was allocated separately */
  uint32_t word_the;       /* frequently used word ids */
  uint32_t review_flags;
  uint32_t stats_people, stats_person_roles, stats_countries, stats_orgs;
  uint32_t stats_names;
  dyad_cameo_info *cameo_info; /* derived at load time, one per cameo */
};

/* Fill derived fields (cameo_info, frequent word ids) after building or loading. */
int kb_prepare(dyad_kb *kb);

/* Word lookup: id of the folded word W, or 0 when unknown (id 0 is reserved). */
uint32_t kb_word_find(const dyad_kb *kb, const char *w, size_t n);

static inline const char *kb_str(const dyad_kb *kb, uint32_t off) {
  return kb->strings + off;
}

/* Follow one edge from NODE by WORD; 0 when absent. */
uint32_t kb_trie_step(const dyad_kb *kb, uint32_t node, uint32_t word);

/* Payload list of NODE: count and items. */
static inline const uint32_t *kb_payload(const dyad_kb *kb, uint32_t node,
                                         uint32_t *count) {
  uint32_t p = kb->nodes[node].payload;
  if (!p) {
    *count = 0;
    return NULL;
  }
  *count = kb->payloads[p];
  return kb->payloads + p + 1;
}

/* Code of actor A on date YMD, or NULL when it is not an actor then. */
const char *kb_actor_code(const dyad_kb *kb, const kb_actor_ref *ref,
                          int32_t ymd);

const kb_cameo *kb_cameo_find(const dyad_kb *kb, const char *code);

/* Load the compiled blob (embedded or read from a file). */
int kb_from_blob(void *blob, size_t len, int owned, dyad_kb **out,
                 dyad_error *err);

/* Built-in compiled knowledge base (generated at build time). */
extern const unsigned char dyad_builtin_kb[];
extern const size_t dyad_builtin_kb_len;

#endif /* DYAD_KB_H */
