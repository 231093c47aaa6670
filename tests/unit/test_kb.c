/* test_kb.c - knowledge-base readers (ours and PETRARCH-2), lint, blob. */
#include <unistd.h>

#include "kb/kbbuild.h"
#include "kb/pattern.h"
#include "test.h"
#include "text/text.h"

typedef struct diags {
  int errors, warnings;
  char last[512];
} diags;

static void on_diag(const dyad_diag *d, void *ud) {
  diags *x = ud;
  if (d->level == DYAD_DIAG_ERROR) x->errors++;
  else x->warnings++;
  snprintf(x->last, sizeof x->last, "%s:%ld: %s", d->file, d->line, d->message);
}

/* Build a KB from the built-in base plus TEXT in FORMAT (-1: ours). */
static dyad_kb *kb_from(const char *text, int petrarch_kind, diags *dg) {
  kb_builder *b = kbb_new(on_diag, dg);
  dyad_kb *base = NULL;
  if (dyad_kb_load_builtin(&base, NULL) == DYAD_OK) {
    kbb_import_base(b, base);
    dyad_kb_free(base);
  }
  if (petrarch_kind < 0) kb_read_dyad_text(b, "test.txt", text, strlen(text));
  else kb_read_petrarch(b, petrarch_kind, "test.txt", text, strlen(text));
  kbp_finish_dyad_verbs(b);
  dyad_kb *kb = NULL;
  kbb_finish(b, &kb, NULL);
  return kb;
}

static const char *actor_code_on(const dyad_kb *kb, const char *phrase, int32_t ymd) {
  /* Walk the actor trie with the folded words of PHRASE. */
  char f[256];
  dt_fold_phrase(phrase, strlen(phrase), f, sizeof f);
  uint32_t node = 0;
  char *save = NULL;
  for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    uint32_t id = kb_word_find(kb, w, strlen(w));
    if (!id) return NULL;
    node = node ? kb_trie_step(kb, node, id) : kb->words[id].root[TRIE_ACTOR];
    if (!node) return NULL;
  }
  uint32_t cnt;
  const uint32_t *it = kb_payload(kb, node, &cnt);
  for (uint32_t i = 0; i + 1 < cnt; i += 2) {
    kb_actor_ref r = {it[i], it[i + 1]};
    const char *c = kb_actor_code(kb, &r, ymd);
    if (c) return c;
  }
  return NULL;
}

TEST(dyad_format_people) {
  diags dg = {0, 0, ""};
  dyad_kb *kb = kb_from(
      "@person Hulusi Akar\n"
      "names: Hulusi Akar\n"
      "surname: Akar\n"
      "role: TURMIL 2015-08 2018-07-09 chief of the general staff / general\n"
      "role: TURMIL 2018-07-10 2023-06-03 defence minister / defense minister\n"
      "@person Recep Tayyip Erdogan\n"
      "names: Recep Tayyip Erdogan | Erdogan\n"
      "surname: Erdogan\n"
      "role: TURGOV 2003-03-14 2014-08-28 prime minister\n"
      "role: TURGOV 2014-08-28 .. president\n",
      -1, &dg);
  ASSERT_TRUE(kb != NULL);
  ASSERT_EQ(dg.errors, 0);
  ASSERT_STR(actor_code_on(kb, "Hulusi Akar", 20200101), "TURMIL");
  ASSERT_TRUE(actor_code_on(kb, "Hulusi Akar", 20240101) == NULL); /* no role, no default */
  ASSERT_STR(actor_code_on(kb, "Defence Minister Akar", 20200101), "TURMIL");
  ASSERT_TRUE(actor_code_on(kb, "Defence Minister Akar", 20160101) == NULL);
  ASSERT_STR(actor_code_on(kb, "General Akar", 20160101), "TURMIL");
  ASSERT_TRUE(actor_code_on(kb, "President Erdogan", 20100101) == NULL);
  ASSERT_STR(actor_code_on(kb, "President Erdogan", 20200101), "TURGOV");
  ASSERT_STR(actor_code_on(kb, "Prime Minister Erdogan", 20100101), "TURGOV");
  dyad_kb_free(kb);
}

TEST(dyad_format_errors) {
  diags dg = {0, 0, ""};
  dyad_kb *kb = kb_from(
      "@person Nobody\n"
      "names: Nobody Known\n"
      "role: TURGOV 2020-05 2019-01 president\n", -1, &dg);
  ASSERT_EQ(dg.errors >= 1, 1);
  ASSERT_TRUE(strstr(dg.last, "test.txt:") != NULL);
  dyad_kb_free(kb);
  dg.errors = 0;
  kb = kb_from("@country tur\nname: Turkey\n", -1, &dg);
  ASSERT_EQ(dg.errors, 1);
  ASSERT_TRUE(strstr(dg.last, "test.txt:1:") != NULL);
  dyad_kb_free(kb);
  dg.errors = 0;
  kb = kb_from("@verb 042 visit\nvisit + [042:043]\n", -1, &dg);
  ASSERT_EQ(dg.errors, 1); /* no verb marked with '*' */
  ASSERT_TRUE(strstr(dg.last, "test.txt:2:") != NULL);
  dyad_kb_free(kb);
}

TEST(petrarch_actors) {
  diags dg = {0, 0, ""};
  dyad_kb *kb = kb_from(
      "GONDOR [GON]\n"
      "+MINAS_TIRITH\n"
      "GOLLUM\n"
      "+SMEAGOL\n"
      "\t[HOB < 950601]\n"
      "\t[HOBGOV 19950601 - 19990815]\n"
      "\t[HOBREB > 990816]\n"
      "BAD_DATES [XXX 990101-980101]\n"
      "FRAGMENT\n"
      "\t[AAA950601-990815]\n"
      "LOWER [pse]\n"
      "GONDOR [DUP]\n",
      PET_ACTORS, &dg);
  ASSERT_STR(actor_code_on(kb, "Minas Tirith", 20000101), "GON");
  ASSERT_STR(actor_code_on(kb, "Smeagol", 19950531), "HOB");
  ASSERT_STR(actor_code_on(kb, "Smeagol", 19950601), "HOBGOV");
  ASSERT_STR(actor_code_on(kb, "Gollum", 19990815), "HOBGOV");
  ASSERT_STR(actor_code_on(kb, "Gollum", 19990817), "HOBREB");
  ASSERT_EQ(dg.errors, 3);   /* range reversed, date in code, lower case */
  ASSERT_TRUE(dg.warnings >= 1); /* duplicate GONDOR */
  dyad_kb_free(kb);
}

TEST(petrarch_agents) {
  diags dg = {0, 0, ""};
  dyad_kb *kb = kb_from(
      "!PERSON! = MAN, MEN, WOMAN\n"
      "CONGRESS!PERSON! [~LEG]\n"
      "POLICE {} [~COP]\n"
      "FOREIGN_MINISTER [~GOVFRM]\n"
      "MSF {} [NGO~]\n"
      "NOCODE\n",
      PET_AGENTS, &dg);
  ASSERT_EQ(dg.errors, 1);
  const char *words[] = {"congressmen", "congresswoman", "police", "ministers", "msf"};
  for (size_t i = 0; i < 5; i++) {
    uint32_t id = kb_word_find(kb, words[i], strlen(words[i]));
    ASSERT_TRUE(id != 0);
  }
  ASSERT_EQ(kb_word_find(kb, "polices", 7), 0); /* {} means no plural */
  ASSERT_EQ(kb->n_agents, 4);
  ASSERT_EQ(kb->agents[3].prefix, 1);
  dyad_kb_free(kb);
}

TEST(petrarch_verbs) {
  diags dg = {0, 0, ""};
  dyad_kb *kb = kb_from(
      "&CURRENCY\n+DOLLAR\n+SWISS FRANCS\n\n"
      "--- CONTRIBUTE [070] ---\n"
      "CONTRIBUTE\n"
      "- * &CURRENCY [070]\n"
      "- * {ARTILLERY SHELLS} (AT +) [180:181]\n"
      "- * &UNDEFINED [071]\n"
      "--- CONFISCATE [170] ---\n"
      "WIRE_+TAP {WIRE_+TAPPED WIRE_+TAPPING}\n"
      "+CORDON_OFF {+CORDONED_OFF}\n",
      PET_VERBS, &dg);
  ASSERT_EQ(dg.errors, 2); /* the undefined synset, and the pattern it spoils */
  ASSERT_EQ(kb->n_vclasses, 2);
  ASSERT_EQ(kb->n_patterns, 2);
  ASSERT_TRUE(kb->patterns[1].code2 != 0);
  ASSERT_STR(kb_str(kb, kb->patterns[1].code2), "181");
  /* "wire tapped": a two-word verb whose head is the second word. */
  uint32_t w = kb_word_find(kb, "wire", 4), t = kb_word_find(kb, "tapped", 6);
  ASSERT_TRUE(w && t);
  uint32_t node = kb_trie_step(kb, kb->words[w].root[TRIE_VERB], t);
  ASSERT_TRUE(node != 0);
  uint32_t cnt;
  const uint32_t *it = kb_payload(kb, node, &cnt);
  ASSERT_EQ(cnt, 2);
  ASSERT_EQ(it[1] & 0x7F, 1);
  /* Regular forms are generated: contributes, contributed, contributing. */
  ASSERT_TRUE(kb_word_find(kb, "contributing", 12) != 0);
  ASSERT_TRUE(kb->words[kb_word_find(kb, "contributed", 11)].vform & VF_PAST);
  dyad_kb_free(kb);
}

TEST(blob_roundtrip) {
  dyad_kb *kb = NULL;
  ASSERT_EQ(dyad_kb_load_builtin(&kb, NULL), 0);
  char path[] = "/tmp/dyad-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_TRUE(fd >= 0);
  close(fd);
  ASSERT_EQ(dyad_kb_save(kb, path, NULL), 0);
  dyad_kb *kb2 = NULL;
  ASSERT_EQ(dyad_kb_load(path, NULL, NULL, &kb2, NULL), 0);
  ASSERT_EQ(kb2->n_words, kb->n_words);
  ASSERT_EQ(kb2->n_patterns, kb->n_patterns);
  /* A damaged file is refused with a message, not a crash. */
  FILE *f = fopen(path, "r+b");
  ASSERT_TRUE(f != NULL);
  fseek(f, 200, SEEK_SET);
  unsigned char junk[64];
  memset(junk, 0xff, sizeof junk);
  fwrite(junk, 1, sizeof junk, f);
  fclose(f);
  dyad_kb *kb3 = NULL;
  dyad_error e;
  ASSERT_TRUE(dyad_kb_load(path, NULL, NULL, &kb3, &e) != 0);
  ASSERT_TRUE(kb3 == NULL);
  unlink(path);
  dyad_kb_free(kb2);
  dyad_kb_free(kb);
}
