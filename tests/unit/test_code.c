/* test_code.c - the coder on small stories with a small knowledge base. */
#include "kb/kbbuild.h"
#include "kb/pattern.h"
#include "test.h"

static const char *KB =
    "@country TUR\nname: Turkey\nadj: Turkish\ncapital: Ankara\niso2: TR\n"
    "@country AZE\nname: Azerbaijan\nadj: Azerbaijani\ncapital: Baku\niso2: AZ\n"
    "@country ARM\nname: Armenia\nadj: Armenian\niso2: AM\n"
    "@country PAK\nname: Pakistan\nadj: Pakistani\niso2: PK\n"
    "@country RUS\nname: Russia\nadj: Russian\nmetonym: RUSGOV the Kremlin | Kremlin\niso2: RU\n"
    "@country CHN\nname: China\nadj: Chinese\niso2: CN\n"
    "@country EGY\nname: Egypt\nadj: Egyptian\niso2: EG\n"
    "@country BRA\nname: Brazil\nadj: Brazilian\niso2: BR\n"
    "@country LBY\nname: Libya\nadj: Libyan\ncapital: Tripoli\niso2: LY\n"
    "@country LBN\nname: Lebanon\nadj: Lebanese\ncapital: Beirut\niso2: LB\n"
    "@country SYR\nname: Syria\nadj: Syrian\niso2: SY\ncentroid: 35.0, 38.5\n"
    "@place\nTripoli ; LBY ; Tripoli ; 32.89 ; 13.19\nTripoli ; LBN ; North ; 34.44 ; 35.85\n"
    "Qamishli ; SYR ; Al-Hasakah ; 37.05 ; 41.23 ; Al-Qamishli\nAnkara ; TUR ; Ankara ; 39.93 ; 32.86\n"
    "@verb 190 force\nstrike*\n"
    "@person Hulusi Akar\nnames: Hulusi Akar\nsurname: Akar\n"
    "role: TURMIL 2018-07-10 2023-06-03 defence minister\n"
    "role: TURLEG 2023-06-04 .. lawmaker\n"
    "@agent MIL\nnouns: defence minister | soldier | army\nexact: troops\n"
    "@agent GOV\nnouns: foreign minister | government | counterpart\n"
    "@agent COP\nexact: police\n"
    "@agent EDU\nnouns: student\n"
    "@verb 040 consult\nmeet* [040:040]\nhold* talks with + [040:040]\nhold* talks [040:040]\n"
    "@verb 042 visit\nvisit* + [042:043]\n"
    "@verb 111 criticize\ncondemn*\ncriticize*\n"
    "@verb 190 fight\nshell*\nattack*\n"
    "@verb 173 arrest\narrest*\n"
    "@verb 010 statement\nsay*\n"
    "@verb 120 reject\nturn* _down\n"
    "@verb 0312 military cooperation\npledge* to deepen military cooperation\n"
    "@verb 014 consider\nconsider* +\n"
    "@country JPN\nname: Japan\nadj: Japanese\niso2: JP\n"
    "@country UKR\nname: Ukraine\nadj: Ukrainian\niso2: UA\n"
    "@country SDN\nname: Sudan\nadj: Sudanese\niso2: SD\n"
    "@actor IGOUNO\nname: United Nations\nkind: igo\n"
    "@agent REB\nnouns: rebel\n"
    "@verb 071 economic aid\ngive* aid to +\n"
    "@verb 112 accuse\naccuse* +\n"
    "@verb 154 mobilize\nmobilize*\n";

static dyad_kb *small_kb(void) {
  kb_builder *b = kbb_new(NULL, NULL);
  dyad_kb *base = NULL;
  dyad_error e;
  memset(&e, 0, sizeof e);
  if (dyad_kb_load_builtin(&base, &e) == DYAD_OK) {
    kbb_import_base(b, base);
    dyad_kb_free(base);
  } else if (getenv("DYAD_TEST_TRACE")) {
    fprintf(stderr, "built-in KB: %s\n", e.message);
  }
  kb_read_dyad_text(b, "small.txt", KB, strlen(KB));
  kbp_finish_dyad_verbs(b);
  dyad_kb *kb = NULL;
  kbb_finish(b, &kb, NULL);
  return kb;
}

static void trace_stderr(const char *line, void *ud) {
  (void)ud;
  fprintf(stderr, "  | %s\n", line);
}

/* Code TEXT on DATE; write "SRC>TGT CODE[/mode]" events joined by ';'. */
static void code(const char *text, const char *date, char *out, size_t cap) {
  static dyad_kb *kb;
  if (!kb) kb = small_kb();
  dyad_coder *c;
  dyad_coder_new(kb, &c, NULL);
  if (getenv("DYAD_TEST_TRACE")) {
    /* Debugging aid: the coder's analysis of each sentence on stderr. */
    dyad_code_options o;
    dyad_code_options_init(&o);
    o.trace = trace_stderr;
    dyad_coder_set_options(c, &o);
  }
  dyad_story st = {"s1", date, text, strlen(text), NULL, NULL};
  const dyad_event *ev;
  size_t n;
  out[0] = '\0';
  if (dyad_code_story(c, &st, &ev, &n, NULL) != DYAD_OK) {
    snprintf(out, cap, "ERROR");
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    o += (size_t)snprintf(out + o, cap - o, "%s%s>%s %s%s%s", i ? ";" : "", ev[i].source.code,
                          ev[i].target.code, ev[i].code,
                          ev[i].modality ? "/" : "",
                          ev[i].modality ? dyad_modality_name(ev[i].modality) : "");
  }
  dyad_coder_free(c);
}

TEST(code_basic) {
  char out[512];
  code("Pakistan's defence minister met his Turkish counterpart in Ankara on Tuesday, and "
       "the two sides pledged to deepen military cooperation.", "2025-05-14", out, sizeof out);
  ASSERT_TRUE(strstr(out, "PAKMIL>TURGOV 042") != NULL); /* in Ankara: a visit */
  ASSERT_TRUE(strstr(out, "TURGOV>PAKMIL 043") != NULL);
  code("Russia and China held talks.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUS>CHN 040;CHN>RUS 040");
  code("Russian police arrested Turkish students.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUSCOP>TUREDU 173");
}

TEST(code_voice_and_compounds) {
  char out[512];
  code("Armenia was condemned by Turkey and Azerbaijan.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 111;AZE>ARM 111");
  code("Turkey condemned Armenia and Russia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 111;TUR>RUS 111");
  code("Soldiers from Azerbaijan shelled Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "AZEMIL>ARM 190");
  code("The Kremlin criticized Turkey.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUSGOV>TUR 111");
}

TEST(code_reported_speech) {
  char out[512];
  /* The event is the reported one; the statement is not coded beside it. */
  code("Turkey said Armenia attacked Azerbaijan.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "ARM>AZE 190/reported");
  /* With nothing else coded, the statement is the event. */
  code("Turkey said Armenia was ready.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 010");
}

TEST(code_negation_and_modality) {
  char out[512];
  code("Turkey did not meet Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 040/negated;ARM>TUR 040/negated");
  /* Refusing an act is a rejection (CAMEO 12): declining to meet is 125. */
  code("Turkey declined to meet Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 125");
  code("Turkey said it would not meet Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 125");
  code("Egypt may be considering Chinese fighter jets.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "EGY>CHN 014/hypothetical");
  code("Brazil reportedly turned down the proposal from Turkey.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "BRA>TUR 120/reported");
  code("Turkey plans to visit Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUR>ARM 036/intended");
}

TEST(code_intentions_and_threats) {
  char out[512];
  /* An act announced is an intention when cooperative, a threat when not. */
  code("Japan will give aid to Ukraine.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "JPN>UKR 0331/intended");
  code("Russia will strike Ukraine.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUS>UKR 1384/intended");
  code("Russia struck Ukraine.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUS>UKR 190");
}

TEST(code_one_sided_anaphor_and_demands) {
  char out[512];
  /* An act with no actor as its target is still an event. */
  code("Russia mobilized its reservists.", "2024-01-01", out, sizeof out);
  ASSERT_TRUE(strstr(out, "RUS> 15") == out);
}

TEST(code_agent_country_from_the_other_side) {
  char out[512];
  /* Domestic news names the state once. */
  code("The Sudanese government accused Darfur rebels of violating the truce.", "2024-01-01",
       out, sizeof out);
  ASSERT_STR(out, "SDNGOV>SDNREB 112");
  /* Never from an organisation: the rebels stay unnamed, and the act is
   * one-sided rather than unsaid. */
  code("The United Nations condemned rebels.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "IGOUNO> 111");
}

TEST(code_dated_roles) {
  char out[512];
  /* The same name codes by the date of the story. */
  code("Hulusi Akar criticized Armenia.", "2020-05-01", out, sizeof out);
  ASSERT_STR(out, "TURMIL>ARM 111");
  code("Hulusi Akar criticized Armenia.", "2024-05-01", out, sizeof out);
  ASSERT_STR(out, "TURLEG>ARM 111");
  code("Defence Minister Akar criticized Armenia.", "2024-05-01", out, sizeof out);
  ASSERT_STR(out, "");
}

TEST(code_bad_input) {
  char out[64];
  code("Turkey condemned \xff Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "ERROR");
  code("Turkey condemned Armenia.", "2024-13-01", out, sizeof out);
  ASSERT_STR(out, "ERROR");
  code("", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "");
  code("turkey condemned armenia", "2024-01-01", out, sizeof out); /* no capitals at all */
  ASSERT_STR(out, "TUR>ARM 111");
  code("Leave a Comment\nSCROLL FOR NEXT\nHome \xc2\xbb Turkey \xc2\xbb Armenia", "2024-01-01",
       out, sizeof out);
  ASSERT_STR(out, "");
}

/* Code TEXT on DATE; write "date/precision place" of each event. */
static void when_where(const char *text, const char *date, char *out, size_t cap) {
  static dyad_kb *kb;
  if (!kb) kb = small_kb();
  dyad_coder *c;
  dyad_coder_new(kb, &c, NULL);
  if (getenv("DYAD_TEST_TRACE")) {
    /* Debugging aid: the coder's analysis of each sentence on stderr. */
    dyad_code_options o;
    dyad_code_options_init(&o);
    o.trace = trace_stderr;
    dyad_coder_set_options(c, &o);
  }
  dyad_story st = {"s1", date, text, strlen(text), NULL, NULL};
  const dyad_event *ev;
  size_t n = 0;
  out[0] = '\0';
  dyad_code_story(c, &st, &ev, &n, NULL);
  size_t o = 0;
  for (size_t i = 0; i < n && i < 1; i++) {
    o += (size_t)snprintf(out + o, cap - o, "%s/%s %s", ev[i].date,
                          dyad_precision_name(ev[i].date_precision),
                          ev[i].place.name[0] ? ev[i].place.name : "-");
    if (ev[i].place.name[0]) {
      snprintf(out + o, cap - o, " %s %.2f %.2f", ev[i].place.country, ev[i].place.lat,
               ev[i].place.lon);
    }
  }
  dyad_coder_free(c);
}

TEST(resolve_dates) {
  char out[256];
  /* 2025-05-16 is a Friday. */
  when_where("Turkey condemned Armenia on Wednesday.", "2025-05-16", out, sizeof out);
  ASSERT_STR(out, "2025-05-14/day -");
  when_where("Turkey condemned Armenia on Friday.", "2025-05-16", out, sizeof out);
  ASSERT_STR(out, "2025-05-16/day -");       /* the story's own weekday */
  when_where("Turkey will visit Armenia on Friday.", "2025-05-16", out, sizeof out);
  ASSERT_STR(out, "2025-05-23/day -");       /* future: the next one */
  when_where("Turkey condemned Armenia on December 28.", "2025-01-05", out, sizeof out);
  ASSERT_STR(out, "2024-12-28/day -");       /* across the year boundary */
  when_where("Turkey condemned Armenia on 13 April 2024.", "2025-01-05", out, sizeof out);
  ASSERT_STR(out, "2024-04-13/day -");
  when_where("Turkey condemned Armenia on April 1.", "2025-04-20", out, sizeof out);
  ASSERT_STR(out, "2025-04-01/day -");
  when_where("Turkey condemned Armenia yesterday.", "2025-01-01", out, sizeof out);
  ASSERT_STR(out, "2024-12-31/day -");
  when_where("A day earlier, Turkey condemned Armenia.", "2025-03-01", out, sizeof out);
  ASSERT_STR(out, "2025-02-28/day -");
  when_where("Turkey condemned Armenia last week.", "2025-03-10", out, sizeof out);
  ASSERT_STR(out, "2025-03-03/week -");
  when_where("Turkey condemned Armenia earlier this month.", "2025-03-10", out, sizeof out);
  ASSERT_STR(out, "2025-03-01/month -");
  when_where("Turkey will visit Armenia next week.", "2025-12-29", out, sizeof out);
  ASSERT_STR(out, "2026-01-05/week -");
  when_where("Turkey condemned Armenia in 2016.", "2025-03-10", out, sizeof out);
  ASSERT_STR(out, "2016-01-01/year -");
  when_where("Turkey condemned Armenia two days ago.", "2025-03-01", out, sizeof out);
  ASSERT_STR(out, "2025-02-27/day -");
  when_where("Turkey condemned Armenia.", "2025-03-01", out, sizeof out);
  ASSERT_STR(out, "2025-03-01/story -");
}

TEST(resolve_places) {
  char out[256];
  when_where("On March 3, Turkish drones struck a convoy near Qamishli.", "2025-03-20", out,
             sizeof out);
  ASSERT_TRUE(strncmp(out, "2025-03-03/day Qamishli SYR 37.0", 32) == 0);
  /* A capital after "in" is where, not whom. */
  char ev[256];
  code("Turkey's defence minister met Armenia in Ankara.", "2025-03-20", ev, sizeof ev);
  ASSERT_STR(ev, "TURMIL>ARM 043;ARM>TURMIL 042"); /* hosted in Ankara */
  when_where("Turkey's defence minister met Armenia in Ankara.", "2025-03-20", out, sizeof out);
  ASSERT_STR(out, "2025-03-20/story Ankara TUR 39.93 32.86");
  when_where("Turkey condemned Armenia in the Libyan capital.", "2025-03-20", out, sizeof out);
  ASSERT_STR(out, "2025-03-20/story Tripoli LBY 32.89 13.19");
  when_where("Turkey condemned Armenia in Syria.", "2025-03-20", out, sizeof out);
  ASSERT_TRUE(strncmp(out, "2025-03-20/story Syria SYR ", 27) == 0);
  code("On March 3, Turkish drones struck a convoy near Qamishli.", "2025-03-20", ev, sizeof ev);
  ASSERT_STR(ev, "TUR>SYR 190");
}

TEST(code_quantities_and_appositives) {
  char out[512];
  /* "Up to 100": a count, not a prepositional phrase; the verb is finite. */
  code("Up to 100 Turkish students condemned Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "TUREDU>ARM 111");
  code("More than 500 Russian students condemned Armenia.", "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "RUSEDU>ARM 111");
  /* "a key U.S. ally": after "a", the word is the head of a noun phrase;
   * the appositive with its phrases is skipped to find the subject. */
  code("Pakistan, a key Chinese ally in the war against terrorism, condemned Armenia.",
       "2024-01-01", out, sizeof out);
  ASSERT_STR(out, "PAK>ARM 111");
}
