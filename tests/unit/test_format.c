/* test_format.c - the event writers: JSON escaping, numbers, coordinates. */
#include <stdio.h>

#include "dyad.h"
#include "test.h"

/* What dyad_json_escape writes for S[0, n). */
static void escaped(const char *s, size_t n, char *out, size_t cap) {
  FILE *f = fmemopen(out, cap, "w");
  dyad_json_escape(f, s, n);
  fclose(f);
}

TEST(format_json_escape) {
  char out[512];
  escaped("plain words, no escapes at all here", 35, out, sizeof out);
  ASSERT_STR(out, "plain words, no escapes at all here");
  /* Each special byte at every position of an 8-byte word. */
  const char specials[] = {'"', '\\', '\n', '\t', '\r', 0x01, 0x1f, 0x7f};
  const char *want[] = {"\\\"", "\\\\", "\\n", "\\t", "\\r", "\\u0001", "\\u001f", "\\u007f"};
  for (size_t k = 0; k < sizeof specials; k++) {
    for (size_t pos = 0; pos < 19; pos++) {
      char in[20], expect[64];
      memset(in, 'a', sizeof in);
      in[pos] = specials[k];
      snprintf(expect, sizeof expect, "%.*s%s%.*s", (int)pos, in, want[k], (int)(19 - pos), in + pos + 1);
      escaped(in, 20, out, sizeof out);
      ASSERT_STR(out, expect);
    }
  }
  /* UTF-8 and bytes just above the specials pass through. */
  escaped("Zürich \xe2\x80\x94 ~ ! # [ ] ^", 23, out, sizeof out);
  ASSERT_STR(out, "Zürich \xe2\x80\x94 ~ ! # [ ] ^");
  escaped("a\0b", 3, out, sizeof out);
  ASSERT_STR(out, "a\\u0000b");
}

/* The JSON line of one event, with coordinates and a score. */
static void jsonl(double lat, double lon, double goldstein, char *out, size_t cap) {
  dyad_event ev;
  memset(&ev, 0, sizeof ev);
  const char *text = "Turkey shelled \"Kobani\".";
  ev.story_id = "s1";
  ev.sentence = 4294967295u;
  ev.sent_end = 24;
  ev.source = (dyad_actor){.code = "TUR", .country = "TUR", .sector = "", .start = 0, .end = 6};
  ev.target = (dyad_actor){.code = "SYR", .country = "SYR", .sector = "", .start = 15, .end = 23};
  memcpy(ev.code, "195", 4);
  memcpy(ev.root, "19", 3);
  ev.goldstein = goldstein;
  ev.quad_class = 4;
  ev.plover = ev.plover_mode = ev.plover_context = ev.date_text = ev.pattern = "";
  memcpy(ev.date, "2026-11-23", 11);
  memcpy(ev.story_date, "2026-11-23", 11);
  memcpy(ev.event_id, "00000000000000ff-0-1", 21);
  ev.place = (dyad_place){.text = "Kobani", .name = "Kobani", .country = "SYR", .admin1 = "",
                          .lat = lat, .lon = lon, .has_coords = 1};
  FILE *f = fmemopen(out, cap, "w");
  dyad_write_event(f, DYAD_FMT_JSONL, &ev, text, strlen(text), NULL, 0);
  fclose(f);
}

TEST(format_numbers) {
  char out[4096];
  const double lats[] = {36.89, -0.000001, 0.0, -33.86785, 89.999995, 12.5, -179.5};
  for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++) {
    char want[64];
    jsonl(lats[i], 38.35, -9.5, out, sizeof out);
    snprintf(want, sizeof want, "\"lat\":%.5f,\"lon\":38.35000", lats[i]);
    if (!strstr(out, want)) FAIL_AT("%s not in %s", want, out);
  }
  ASSERT_TRUE(strstr(out, "\"goldstein\":-9.5,") != NULL);
  ASSERT_TRUE(strstr(out, "\"sentence\":4294967295,") != NULL);
  ASSERT_TRUE(strstr(out, "\"target\":{\"code\":\"SYR\",\"country\":\"SYR\",\"sector\":\"\","
                          "\"text\":\"\\\"Kobani\\\"\"}") != NULL);
  jsonl(1, 2, 0.04, out, sizeof out);
  ASSERT_TRUE(strstr(out, "\"goldstein\":0.0,") != NULL);
}
