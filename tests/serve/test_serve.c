/*
 * test_serve.c - unit tests of the dashboard server's pure parts: the
 * parameter checks (params.c), JSON strings and capped buffers (buf.c),
 * and the embedded file table (assets.c).
 *
 *   test-serve NAME     runs one test; exit 0 when it passes
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/api.h"
#include "serve/assets.h"
#include "serve/buf.h"
#include "serve/params.h"

static int failures;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                          \
    }                                                                      \
  } while (0)

#define CHECK_STR(a, b)                                                    \
  do {                                                                     \
    const char *a_ = (a), *b_ = (b);                                       \
    if (!a_ || !b_ || strcmp(a_, b_)) {                                    \
      fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,         \
              a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
      failures++;                                                          \
    }                                                                      \
  } while (0)

static const sv_spec events_spec = {"", 1, 50, 1000};
static const sv_spec event_spec = {"id", 0, 0, 0};
static const sv_spec timeline_spec = {"by", 1, 0, 0};

/* Parse "k=v&k=v" (no escapes) against SPEC. */
static int parse(const char *query, const sv_spec *spec, sv_params *p, char *msg, size_t n) {
  static char copy[4096];
  snprintf(copy, sizeof copy, "%s", query);
  sv_args a;
  memset(&a, 0, sizeof a);
  for (char *tok = copy; tok && *tok;) {
    char *amp = strchr(tok, '&');
    if (amp) *amp = '\0';
    char *eq = strchr(tok, '=');
    if (eq) *eq = '\0';
    sv_args_add(&a, tok, eq ? eq + 1 : NULL);
    tok = amp ? amp + 1 : NULL;
  }
  return sv_params_parse(&a, spec, p, msg, n);
}

static void test_params_good(void) {
  sv_params p;
  char msg[512];
  CHECK(parse("actor=tur&from=20250501&to=2025-05-31&root=4&quad=1&plover=consult"
              "&modality=asserted&min_sources=2&limit=1000&offset=50&code=042",
              &events_spec, &p, msg, sizeof msg) == 0);
  CHECK_STR(p.q.actor, "TUR");
  CHECK_STR(p.q.from, "2025-05-01");
  CHECK_STR(p.q.to, "2025-05-31");
  CHECK_STR(p.q.root, "04");
  CHECK(p.q.quad == 1);
  CHECK_STR(p.q.plover, "CONSULT");
  CHECK_STR(p.q.modality, "asserted");
  CHECK(p.q.min_sources == 2);
  CHECK(p.q.limit == 1000);
  CHECK(p.q.offset == 50);
  CHECK_STR(p.q.code, "042");

  CHECK(parse("dyad=ind,PAK", &events_spec, &p, msg, sizeof msg) == 0);
  CHECK_STR(p.q.source, "IND");
  CHECK_STR(p.q.target, "PAK");
  CHECK(p.q.undirected == 1);
  CHECK(p.dyad == 1);
  CHECK(parse("dyad=IND,PAK&directed=1", &events_spec, &p, msg, sizeof msg) == 0);
  CHECK(p.q.undirected == 0);

  /* Defaults, and empty values count as absent. */
  CHECK(parse("actor=&limit=", &events_spec, &p, msg, sizeof msg) == 0);
  CHECK(p.q.actor == NULL);
  CHECK(p.q.limit == 50);
  CHECK(parse("by=week", &timeline_spec, &p, msg, sizeof msg) == 0);
  CHECK_STR(p.q.by, "week");
  CHECK(parse("id=05ed74f94482c62c-0-0", &event_spec, &p, msg, sizeof msg) == 0);
  CHECK_STR(p.id, "05ed74f94482c62c-0-0");
}

/* Each bad query gets a 400 message that names the parameter. */
static void test_params_bad(void) {
  static const struct { const char *query; const char *want; } cases[] = {
      {"limit=1001", "limit must be a whole number from 1 to 1000"},
      {"limit=0", "limit must be"},
      {"limit=-5", "limit must be"},
      {"limit=99999999999999999999999", "limit must be"},
      {"limit=1e3", "limit must be"},
      {"limit= 10", "limit must be"},
      {"offset=1000001", "offset must be"},
      {"actor=TUR'--", "actor must be an actor code"},
      {"actor=%27", "actor must be"},
      {"source=A B", "source must be"},
      {"dyad=IND", "dyad takes two actor codes"},
      {"dyad=IND,", "dyad takes two actor codes"},
      {"dyad=IND,PAK&source=TUR", "either dyad=A,B or source/target"},
      {"from=2025-02-30", "from must be a date"},
      {"from=yesterday", "from must be a date"},
      {"to=2025-05-01&from=2025-06-01", "is after"},
      {"root=21", "root must be a CAMEO root"},
      {"root=001", "root must be"},
      {"code=2x", "code must be a CAMEO code"},
      {"code=99", "code must be"},
      {"quad=5", "quad must be a quad class from 1 to 4"},
      {"plover=CONSULT;", "plover must be"},
      {"modality=sure", "modality must be one of"},
      {"min_sources=1001", "min_sources must be"},
      {"directed=yes", "directed must be 0 or 1"},
      {"bogus=1", "unknown parameter 'bogus'"},
      {"by=week", "unknown parameter 'by'"},
      {"actor=TUR&actor=SYR", "parameter 'actor' is given twice"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sv_params p;
    char msg[512];
    int rc = parse(cases[i].query, &events_spec, &p, msg, sizeof msg);
    if (rc != -1 || !strstr(msg, cases[i].want)) {
      fprintf(stderr, "query '%s': rc %d, message '%s', wanted '%s'\n", cases[i].query, rc, msg,
              cases[i].want);
      failures++;
    }
  }
  /* Endpoint-specific: the event endpoint takes no filters. */
  sv_params p;
  char msg[512];
  CHECK(parse("id=a/b", &event_spec, &p, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "id must be an event id") != NULL);
  CHECK(parse("actor=TUR", &event_spec, &p, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "unknown parameter 'actor'") != NULL);
  CHECK(parse("by=hour", &timeline_spec, &p, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "by must be day, week, month or year") != NULL);

  /* Too many parameters, and too long a value. */
  char many[2048] = "";
  for (int i = 0; i < SV_MAX_ARGS + 1; i++) {
    char kv[32];
    snprintf(kv, sizeof kv, "%sactor=A", i ? "&" : "");
    strcat(many, kv);
  }
  CHECK(parse(many, &events_spec, &p, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "too many parameters") != NULL);
  char longv[600] = "place=";
  memset(longv + 6, 'x', 300);
  longv[306] = '\0';
  CHECK(parse(longv, &events_spec, &p, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "too long") != NULL);
  /* A value quoted in a message is cut short and made printable. */
  char odd[400] = "actor=";
  memset(odd + 6, '"', 200);
  odd[206] = '\0';
  CHECK(parse(odd, &events_spec, &p, msg, sizeof msg) == -1);
  CHECK(strchr(msg, '"') == NULL);
  CHECK(strlen(msg) < 200);
  char ctl[] = "place=a\x7f" "b";
  CHECK(parse(ctl, &events_spec, &p, msg, sizeof msg) == -1);
}

static void test_json(void) {
  sv_buf b;
  sv_buf_init(&b, 1 << 16);
  sv_json_str(&b, "a\"b\\c\n\t\x01<x>&");
  CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u003cx\\u003e\\u0026\"");
  sv_buf_reset(&b);
  /* Valid UTF-8 passes through; invalid bytes become U+FFFD. */
  sv_json_strn(&b, "\xc3\xa9t\xc3\xa9 \xff \xc3 \xed\xa0\x80 \xe2\x80\xa8", 17);
  CHECK_STR(b.data, "\"\xc3\xa9t\xc3\xa9 \\ufffd \\ufffd \\ufffd\\ufffd\\ufffd \\u2028\"");
  sv_buf_reset(&b);
  sv_json_num(&b, INFINITY, 2);
  CHECK_STR(b.data, "null");
  sv_buf_free(&b);

  /* The cap holds: an append past it fails and marks the buffer full. */
  sv_buf_init(&b, 16);
  CHECK(sv_buf_puts(&b, "0123456789") == 0);
  CHECK(sv_buf_puts(&b, "0123456789") == -1);
  CHECK(b.full == 1);
  CHECK(b.len == 10);
  CHECK(sv_buf_printf(&b, "%d", 1) == -1);
  sv_buf_free(&b);
}

static void test_errors(void) {
  sv_buf b;
  sv_buf_init(&b, 4096);
  CHECK(sv_api_error(&b, 400, "bad \"x\"") == 400);
  CHECK_STR(b.data, "{\"error\":\"bad \\\"x\\\"\",\"status\":400}\n");
  sv_buf_free(&b);
}

static void test_assets(void) {
  CHECK(sv_nassets >= 6);
  const sv_asset *a = sv_asset_find("/index.html");
  CHECK(a != NULL);
  if (a) {
    CHECK(strstr(a->type, "text/html") != NULL);
    CHECK(a->end > a->start);
    int found = 0;
    for (const unsigned char *c = a->start; c + 7 <= a->end && !found; c++) {
      found = !memcmp(c, "/app.js", 7);
    }
    CHECK(found);
  }
  a = sv_asset_find("/vendor/cytoscape.min.js");
  CHECK(a && strstr(a->type, "javascript") && a->end - a->start > 100000);
  CHECK(sv_asset_find("/vendor/LICENSE.uplot") != NULL);
  /* Only exact names: no directory listing, no clean-up of paths. */
  CHECK(sv_asset_find("/") == NULL);
  CHECK(sv_asset_find("/vendor/") == NULL);
  CHECK(sv_asset_find("/vendor/../app.js") == NULL);
  CHECK(sv_asset_find("app.js") == NULL);
  CHECK(sv_asset_find("/refresh-vendor.sh") == NULL);
}

int main(int argc, char **argv) {
  static const struct { const char *name; void (*fn)(void); } tests[] = {
      {"params_good", test_params_good}, {"params_bad", test_params_bad},
      {"json", test_json}, {"errors", test_errors}, {"assets", test_assets}};
  int ran = 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    if (argc > 1 && strcmp(argv[1], tests[i].name)) continue;
    tests[i].fn();
    ran++;
  }
  if (!ran) {
    fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
    return 2;
  }
  return failures ? 1 : 0;
}
