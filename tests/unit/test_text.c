/* test_text.c - util, UTF-8, tokenizer and sentence splitter. */
#include "test.h"
#include "text/text.h"
#include "util/util.h"

TEST(dates) {
  int32_t ymd;
  ASSERT_EQ(dyad_parse_date("2025-05-14", &ymd), 0);
  ASSERT_EQ(ymd, 20250514);
  ASSERT_EQ(dyad_parse_date("20240229", &ymd), 0);
  ASSERT_EQ(dyad_parse_date("2023-02-29", &ymd), -1);
  ASSERT_EQ(dyad_parse_date("2025-13-01", &ymd), -1);
  ASSERT_EQ(dyad_parse_date("2025-5-1", &ymd), -1);
  ASSERT_EQ(dyad_parse_date("", &ymd), -1);
  /* 2025-05-14 was a Wednesday (Monday = 0). */
  ASSERT_EQ(du_weekday(20250514), 2);
  ASSERT_EQ(du_weekday(19700101), 3);
  ASSERT_EQ(du_ymd_add_days(20241231, 1), 20250101);
  ASSERT_EQ(du_ymd_add_days(20240301, -1), 20240229);
  for (int32_t d = -1000; d < 30000; d += 37) {
    ASSERT_EQ(du_ymd_to_days(du_days_to_ymd(d)), d);
  }
  char buf[11];
  du_ymd_format(20250514, buf);
  ASSERT_STR(buf, "2025-05-14");
}

TEST(intern_and_buf) {
  du_intern t;
  ASSERT_EQ(du_intern_init(&t), 0);
  char w[16];
  for (int i = 0; i < 5000; i++) {
    snprintf(w, sizeof w, "w%d", i);
    ASSERT_EQ(du_intern_add(&t, w, strlen(w)), i);
  }
  ASSERT_EQ(du_intern_find(&t, "w4321", 5), 4321);
  ASSERT_EQ(du_intern_find(&t, "nope", 4), -1);
  ASSERT_STR(du_intern_str(&t, 17), "w17");
  du_intern_free(&t);
  du_buf b;
  du_buf_init(&b, 8);
  ASSERT_EQ(du_buf_append(&b, "1234567", 7), 0);
  ASSERT_EQ(du_buf_append(&b, "89", 2), -1); /* the cap holds */
  du_buf_free(&b);
  du_arena a;
  du_arena_init(&a, 64);
  char *p = du_arena_strndup(&a, "hello", 5);
  void *big = du_arena_alloc(&a, 1000);
  ASSERT_TRUE(p && big);
  ASSERT_STR(p, "hello");
  du_arena_reset(&a);
  du_arena_free(&a);
}

TEST(utf8_check) {
  size_t bad = 0;
  ASSERT_EQ(dt_utf8_check("T\xc3\xbcrkiye", 8, &bad), 0);
  ASSERT_EQ(dt_utf8_check("\xe2\x80\x99s", 4, &bad), 0);
  ASSERT_EQ(dt_utf8_check("ab\xc0\xafz", 5, &bad), -1); /* overlong */
  ASSERT_EQ(bad, 2);
  ASSERT_EQ(dt_utf8_check("\xed\xa0\x80", 3, &bad), -1); /* surrogate */
  ASSERT_EQ(dt_utf8_check("\xf4\x90\x80\x80", 4, &bad), -1); /* > U+10FFFF */
  ASSERT_EQ(dt_utf8_check("x\xe2\x80", 3, &bad), -1); /* truncated */
  ASSERT_EQ(bad, 1);
}

static void toks(const char *s, char *out, size_t cap) {
  dt_tokens t;
  dt_tokens_init(&t);
  dt_tokenize(s, strlen(s), &t);
  size_t o = 0;
  out[0] = '\0';
  for (size_t i = 0; i < t.n && o + 1 < cap; i++) {
    o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", dt_norm(&t, i));
  }
  dt_tokens_free(&t);
}

TEST(tokenizer) {
  char out[512];
  toks("Egypt\xe2\x80\x99s defence minister didn't meet U.S. envoys.", out, sizeof out);
  ASSERT_STR(out, "egypt|'s|defence|minister|did|n't|meet|u.s.|envoys|.");
  toks("Gen. Mark Milley, No. 2 in the Pentagon, said \xe2\x80\x9cno\xe2\x80\x9d.", out, sizeof out);
  ASSERT_STR(out, "gen.|mark|milley|,|no.|2|in|the|pentagon|,|said|\"|no|\"|.");
  toks("al-Qaeda's 12-year war cost $11.8 million and 50,000 lives", out, sizeof out);
  ASSERT_STR(out, "al|-|qaeda|'s|12|-|year|war|cost|$|11.8|million|and|50,000|lives");
  toks("T\xc3\xbcrkiye\xc2\xa0" "and C\xc3\xb4te d'Ivoire \xe2\x80\x94 won't", out, sizeof out);
  ASSERT_STR(out, "turkiye|and|cote|d'ivoire|-|wo|n't");
  toks("the countries' leaders", out, sizeof out);
  ASSERT_STR(out, "the|countries|'|leaders");
  char f[128];
  dt_fold_phrase("REPUBLIC_OF  T\xc3\x9cRKIYE", 22, f, sizeof f);
  ASSERT_STR(f, "republic_of turkiye");
}

static int nsent(const char *s, int *clutter) {
  dt_tokens t;
  dt_tokens_init(&t);
  dt_tokenize(s, strlen(s), &t);
  du_vec v;
  du_vec_init(&v, sizeof(dt_sentence));
  dt_split_sentences(s, &t, &v);
  int n = (int)v.len;
  *clutter = 0;
  for (size_t i = 0; i < v.len; i++) *clutter += DU_VEC_AT(&v, dt_sentence, i).clutter;
  du_vec_free(&v);
  dt_tokens_free(&t);
  return n;
}

TEST(sentences) {
  int cl;
  ASSERT_EQ(nsent("The U.S. envoy met Gen. Smith on Jan. 5 in Kabul. He left.", &cl), 2);
  ASSERT_EQ(cl, 0);
  ASSERT_EQ(nsent("Troops entered No. 2 district. The army said so.", &cl), 2);
  ASSERT_EQ(nsent("He moved to the U.S. The next day he spoke.", &cl), 2);
  ASSERT_EQ(nsent("Home \xc2\xbb World \xc2\xbb Asia\nSCROLL FOR NEXT\nLeave a Comment\n\n"
                  "Turkey condemned the attack on Monday.", &cl),
            4);
  ASSERT_EQ(cl, 3);
  /* A wrapped line does not end a sentence. */
  ASSERT_EQ(nsent("Dagolath's first Deputy Prime Minister Telemar left for\nMinas Tirith on "
                  "Wednesday.",
                  &cl),
            1);
  ASSERT_EQ(nsent("", &cl), 0);
}
