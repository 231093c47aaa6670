/*
 * code.h - the coder: from tokens to events.
 *
 * Per sentence, in one direction:
 *   lookup   (lex.c)     word ids, lexical classes, verb forms
 *   mentions (phrase.c)  actors and agents by longest match in the tries
 *   chunks   (phrase.c)  noun phrases, compounds ("A and B"), attachments
 *   verbs    (clause.c)  verb groups: voice, negation, modality, subject,
 *                        object region, complements and infinitives
 *   match    (match.c)   verb patterns of the verb's class
 *   events   (events.c)  source x target x code, deduplicated
 * All per-story memory comes from the coder's arrays, which are reused
 * from story to story; nothing is allocated per token.
 */
#ifndef DYAD_CODE_H
#define DYAD_CODE_H

#include "kb/kb.h"
#include "text/text.h"

#define CT_MAX_CODE 48
#define CT_MAX_PHRASE 32

/* Per-token analysis. */
typedef struct ct_tok {
  uint32_t wid;        /* word id, 0 when unknown */
  uint32_t lemma;      /* base form id (self or 0) */
  uint32_t lex;        /* LX_* of the word */
  uint8_t vform;       /* VF_* */
  uint8_t isverb;      /* 1 when chosen as a verb (main or auxiliary), 2 for
                          a past form read as a participle */
  uint8_t tensed;      /* 1 when chosen as the tensed verb of its clause */
  uint16_t flags;      /* dt_token flags */
  int16_t ment;        /* mention covering the token, -1 */
  int16_t np;          /* noun phrase covering the token, -1 */
  int16_t vg;          /* verb group covering the token, -1 */
  uint32_t syn_first;  /* synset phrase groups starting here: c->syns[syn_first..] */
  uint32_t syn_n;
} ct_tok;

/* The synsets of the phrases of LEN words starting at a token: a view
 * into the knowledge base's trie payload, not a copy. */
typedef struct ct_syn {
  const uint32_t *items;
  uint32_t cnt, len;
} ct_syn;

enum { MK_ACTOR = 1, MK_AGENT = 2, MK_PRON = 3 };

/* An actor or agent found in the text. Token indices are story-wide. */
typedef struct ct_ment {
  uint32_t start, end;
  uint8_t kind;        /* MK_* */
  uint8_t akind;       /* AK_* for actors */
  uint8_t prefix;      /* agents: code goes first */
  uint8_t pad;
  uint32_t actor;      /* kb actor index */
  const char *code;    /* actor code on the story date, or agent code */
} ct_ment;

/* A noun phrase. */
typedef struct ct_np {
  uint32_t start, end;      /* tokens */
  int32_t conj_next;        /* next member of a coordination, -1 */
  int32_t conj_head;        /* first member of its coordination (self when none) */
  int32_t attach_to;        /* NP this one modifies through a PP ("soldiers from Gondor") */
  int32_t prep;             /* token of the governing preposition, -1 */
  uint8_t pron;             /* a personal pronoun (it, they, he) */
  uint8_t has_actor;        /* code[] holds an actor code */
  uint8_t agent_only;       /* only agents (sector code in code[]) */
  uint8_t appositive;       /* ", the state's fiercest foe," */
  char code[CT_MAX_CODE];   /* combined code */
  uint32_t cstart, cend;    /* tokens of the words that gave the code */
} ct_np;

/* A verb group. */
typedef struct ct_vg {
  uint32_t start, end;      /* tokens: aux, adverbs, verb, particle */
  uint32_t main;            /* main verb token */
  uint32_t vstart, vend;    /* dictionary verb phrase tokens */
  uint32_t verb;            /* kb verb index, UINT32_MAX when not in the dictionary */
  uint8_t finite;           /* has tense: a clause of its own */
  uint8_t passive;
  uint8_t negated;
  uint8_t mode;             /* dyad_modality from words in the group */
  uint8_t infinitive;       /* "to VERB" */
  uint8_t gerund;           /* VERB-ing without auxiliary */
  uint8_t say;              /* reporting verb */
  uint8_t refuse;           /* decline, refuse, fail: negates what follows */
  uint8_t intend;           /* plan, seek, intend */
  uint8_t specul;           /* consider, weigh */
  uint8_t must;             /* "must", "should", "has to": an obligation */
  int32_t subj;             /* subject NP, -1 */
  int32_t subj_vg;          /* subject inherited from this VG, -1 */
  int32_t parent;           /* governing VG (infinitive or complement), -1 */
  int32_t comp;             /* 1 when in the complement clause of a say verb */
  uint32_t obj_end;         /* end of the object region (exclusive) */
  int32_t coded;            /* events coded from this VG */
  int32_t weight;           /* weight of the pattern that coded it */
} ct_vg;

/* A candidate event before output. */
typedef struct ct_event {
  char source[CT_MAX_CODE], target[CT_MAX_CODE];
  char code[8];
  uint32_t sstart, send, tstart, tend;   /* tokens */
  uint32_t vstart, vend;
  uint32_t vg;
  uint8_t mode;
  uint8_t negated;
  uint8_t anaphor;           /* no target actor, but "the strikes": the
                                target is who did the event referred to */
  uint32_t ostart, oend;     /* no target actor: the object NP's tokens, for
                                a place as target ("shelled Kharkiv") */
  uint32_t pattern;          /* kb pattern index or UINT32_MAX */
} ct_event;

/* The coder: reusable buffers for one story at a time. */
struct dyad_coder {
  const dyad_kb *kb;
  dyad_code_options opt;
  dt_tokens toks;
  du_vec sents;              /* dt_sentence */
  ct_tok *t;                 /* per token */
  size_t tcap;
  du_vec ments;              /* ct_ment (per sentence) */
  du_vec nps;                /* ct_np (per sentence) */
  du_vec vgs;                /* ct_vg (per sentence) */
  du_vec cev;                /* ct_event (per sentence) */
  du_vec syns;               /* ct_syn (per sentence), see ct_tok.syn_first */
  du_vec syn_present;        /* uint64_t bitmap of the synsets in the sentence */
  uint32_t syn_a, syn_b;     /* the sentence ct_synsets is to cover */
  int syn_ready;             /* 1 once computed for [syn_a, syn_b) */
  uint64_t words_seen[32];   /* filter of the sentence's word and base-form
                                ids, to skip patterns that cannot match */
  du_vec events;             /* dyad_event (per story) */
  du_vec out_sents;          /* dyad_sentence */
  du_arena arena;            /* strings of the story's events */
  int32_t story_ymd;
  char story_date[11];
  const char *story_id;
  const char *text;
  size_t text_len;
  int story_discarded;
  int caps_unreliable;       /* sentence is all upper or all lower case */
  uint32_t sent_index;
  const dt_sentence *sent;
  char prev_subj[CT_MAX_CODE]; /* source of the last sentence with events */
};

/* lex.c */
void ct_lookup(dyad_coder *c);
/* 1 when token I starts a capitalised word (or case is unreliable). */
int ct_capitalised(const dyad_coder *c, uint32_t i);

/* 1 when CODE begins with a state's code, not an organisation's (IGO,
 * NGO), a multinational group's (IMG) or a company's (MNC). */
static inline int ct_state_code(const char *code) {
  return strlen(code) >= 3 && strncmp(code, "IGO", 3) && strncmp(code, "NGO", 3) &&
         strncmp(code, "IMG", 3) && strncmp(code, "MNC", 3);
}

/* match.c: find the synset phrases of [a, b) once per sentence. */
int ct_synsets(dyad_coder *c, uint32_t a, uint32_t b);
/* Fill c->words_seen from the tokens [a, b). */
void ct_words_seen(dyad_coder *c, uint32_t a, uint32_t b);

/* phrase.c */
typedef struct ct_actor_code {
  char code[CT_MAX_CODE];
  int32_t np;
  uint32_t start, end;      /* tokens of the words that gave the code */
  uint8_t agent_only;       /* a sector without a known actor */
} ct_actor_code;
/* The NP that stands for NP as a whole (climbing "soldiers from Gondor"). */
int32_t ct_np_unit(dyad_coder *c, int32_t np);
/* Every actor code NP stands for (coordinations expanded). */
int ct_np_codes(dyad_coder *c, int32_t np, ct_actor_code *out, int max);
/* The same without climbing to the phrase NP is attached to. */
int ct_np_codes_own(dyad_coder *c, int32_t np, ct_actor_code *out, int max);
int ct_mentions(dyad_coder *c, uint32_t a, uint32_t b);
int ct_chunks(dyad_coder *c, uint32_t a, uint32_t b);
int ct_discard(const dyad_coder *c, uint32_t a, uint32_t b, int *story);

/* clause.c */
int ct_verbs(dyad_coder *c, uint32_t a, uint32_t b);
int ct_clauses(dyad_coder *c, uint32_t a, uint32_t b);
/* The resolved subject NP of group GI (through coordination, pronouns). */
int32_t ct_subject(dyad_coder *c, int32_t gi);

/* match.c */
typedef struct ct_match {
  uint32_t pattern;          /* UINT32_MAX: default code of the verb */
  const char *code1, *code2;
  int32_t src_np, tgt_np;    /* NPs bound by $ and +, -1 */
  int32_t skip_np;           /* last NP skipped by ^, -1 */
  uint8_t compound;          /* % matched */
  int weight;
  char pair1[16];            /* storage for the first half of a code pair */
} ct_match;
void ct_match_verb(dyad_coder *c, uint32_t vgi, uint32_t a, uint32_t b,
                   ct_match *m);

/* events.c */
int ct_events(dyad_coder *c, uint32_t a, uint32_t b);
/* PETRARCH ontology: the code for "not CODE", or NULL when none. */
const char *ct_pico_negate(const dyad_kb *kb, const char *code);

/* Helpers shared by the passes. */
static inline ct_np *ct_np_at(dyad_coder *c, int32_t i) {
  return &DU_VEC_AT(&c->nps, ct_np, (size_t)i);
}
static inline ct_vg *ct_vg_at(dyad_coder *c, int32_t i) {
  return &DU_VEC_AT(&c->vgs, ct_vg, (size_t)i);
}
static inline ct_ment *ct_ment_at(dyad_coder *c, int32_t i) {
  return &DU_VEC_AT(&c->ments, ct_ment, (size_t)i);
}
static inline int ct_is_punct(const dyad_coder *c, uint32_t i, char p) {
  return c->toks.v[i].punct == p && (c->toks.v[i].flags & TK_PUNCT);
}
/* A rule option: 1 on, 0 off, -1 (default) on unless the dictionaries
 * define their own ontology (PETRARCH-2's pico codes keep its conventions). */
static inline int ct_rule_on(const dyad_coder *c, int opt) {
  return opt < 0 ? c->kb->n_pico == 0 : opt;
}
static inline int ct_word_is(const dyad_coder *c, uint32_t i, const char *w) {
  return du_streq(dt_norm(&c->toks, i), w);
}

/* A preposition that only counts ("up to 100 Albanians", "more than 500
 * people", "About 300 students ..."): no phrase is governed by it. */
static inline int ct_quantity_prep(const dyad_coder *c, uint32_t a, uint32_t p) {
  if (p + 1 >= c->toks.n || !(c->toks.v[p + 1].flags & TK_NUM || c->t[p + 1].lex & LX_NUMW))
    return 0;
  if (p > a && ct_word_is(c, p, "to") && ct_word_is(c, p - 1, "up")) return 1;
  if (p > a && ct_word_is(c, p, "than") &&
      (ct_word_is(c, p - 1, "more") || ct_word_is(c, p - 1, "fewer") ||
       ct_word_is(c, p - 1, "less")))
    return 1;
  int opens = p == a || (c->toks.v[p - 1].flags & TK_PUNCT);
  return opens && (ct_word_is(c, p, "about") || ct_word_is(c, p, "around") ||
                   ct_word_is(c, p, "over") || ct_word_is(c, p, "some"));
}

#endif /* DYAD_CODE_H */
