/*
 * format.c - writing events: JSON lines, PLOVER JSON, Phoenix TSV,
 * GDELT 2.0 TSV, ICEWS TSV and CSV. The same writers serve `dyad code`
 * and `dyad export`. Layouts are documented in docs/formats.md.
 */
#define _GNU_SOURCE /* fputs_unlocked, fwrite_unlocked */
#include <math.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/util.h"

/* Each event is written under one lock of its FILE (dyad_write_event),
 * so the many small writes inside need no locking of their own. */
#define fputc fputc_unlocked
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked

static const char *const mode_names[] = {"asserted", "reported", "hypothetical",
                                         "intended", "negated"};
static const char *const prec_names[] = {"story", "day", "week", "month", "year"};

const char *dyad_modality_name(int m) {
  return m >= 0 && m < 5 ? mode_names[m] : "asserted";
}

const char *dyad_precision_name(int p) {
  return p >= 0 && p < 5 ? prec_names[p] : "story";
}

int dyad_format_parse(const char *name) {
  static const struct { const char *n; int f; } map[] = {
      {"jsonl", DYAD_FMT_JSONL}, {"json", DYAD_FMT_JSONL},
      {"plover", DYAD_FMT_PLOVER}, {"phoenix", DYAD_FMT_PHOENIX},
      {"tsv", DYAD_FMT_PHOENIX}, {"gdelt", DYAD_FMT_GDELT},
      {"icews", DYAD_FMT_ICEWS}, {"csv", DYAD_FMT_CSV}, {"brief", DYAD_FMT_BRIEF}};
  for (size_t i = 0; i < DU_ARRAY_LEN(map); i++) {
    if (!strcmp(map[i].n, name)) return map[i].f;
  }
  return -1;
}

/* ---- JSON ----
 * The JSON writers fill a small buffer and hand it to the FILE in large
 * pieces: an event is some forty fields, and a FILE call per field was a
 * tenth of the coder's time. */

typedef struct jw {
  FILE *f;
  size_t n;
  char b[2048];
} jw;

static void jw_flush(jw *w) {
  if (w->n) fwrite(w->b, 1, w->n, w->f);
  w->n = 0;
}

static void jw_put(jw *w, const char *s, size_t n) {
  if (w->n + n > sizeof w->b) {
    jw_flush(w);
    if (n > sizeof w->b) {
      fwrite(s, 1, n, w->f);
      return;
    }
  }
  memcpy(w->b + w->n, s, n);
  w->n += n;
}

static void jw_c(jw *w, char c) {
  if (w->n == sizeof w->b) jw_flush(w);
  w->b[w->n++] = c;
}

#define jw_lit(w, lit) jw_put((w), (lit), sizeof(lit) - 1)
static void jw_s(jw *w, const char *s) { jw_put(w, s, strlen(s)); }

/* Bytes JSON must escape: controls, the quote, the backslash, DEL. */
static const unsigned char json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1, [0x7f] = 1};

/* Length of the prefix of S[0, len) that needs no escaping; sixteen bytes
 * at a time where the machine has SSE2 (every x86-64 does). */
static size_t json_clean(const char *s, size_t len) {
  size_t i = 0;
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7f), ctl = _mm_set1_epi8(0x1f);
  for (; i + 16 <= len; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, del),
                                          _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl)));
    unsigned mask = (unsigned)_mm_movemask_epi8(m);
    if (mask) return i + (size_t)__builtin_ctz(mask);
  }
#endif
  while (i < len && !json_special[(unsigned char)s[i]]) i++;
  return i;
}

static void json_escape(jw *w, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0;
  for (;;) {
    size_t k = json_clean(s + i, len - i);
    if (k) jw_put(w, s + i, k);
    i += k;
    if (i >= len) break;
    unsigned char ch = (unsigned char)s[i++];
    switch (ch) {
      case '"': jw_lit(w, "\\\""); break;
      case '\\': jw_lit(w, "\\\\"); break;
      case '\n': jw_lit(w, "\\n"); break;
      case '\r': jw_lit(w, "\\r"); break;
      case '\t': jw_lit(w, "\\t"); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
        jw_put(w, u, sizeof u);
      }
    }
  }
}

void dyad_json_escape(FILE *f, const char *s, size_t len) {
  flockfile(f);
  jw w = {.f = f};
  json_escape(&w, s, len);
  jw_flush(&w);
  funlockfile(f);
}

static void jstr(jw *w, const char *s) {
  jw_c(w, '"');
  if (s) json_escape(w, s, strlen(s));
  jw_c(w, '"');
}

static void jspan(jw *w, const char *text, size_t tlen, uint32_t a, uint32_t b) {
  jw_c(w, '"');
  if (text && a <= b && b <= tlen) json_escape(w, text + a, b - a);
  jw_c(w, '"');
}

static void json_actor(jw *w, const dyad_actor *a, const char *text, size_t tlen) {
  jw_lit(w, "{\"code\":");
  jstr(w, a->code);
  jw_lit(w, ",\"country\":");
  jstr(w, a->country);
  jw_lit(w, ",\"sector\":");
  jstr(w, a->sector);
  jw_lit(w, ",\"text\":");
  jspan(w, text, tlen, a->start, a->end);
  jw_c(w, '}');
}

/* A coordinate as "%.5f" prints it: rounded in integers, except near a
 * tie, where only printf's exact decimal expansion knows the answer. */
static void put_d5(jw *w, double x) {
  char b[40];
  double r = x * 1e5;
  double frac = r > -1e11 && r < 1e11 ? r - (double)(long long)r : 0.5;
  if (frac < 0) frac = -frac;
  if (frac - 0.5 > 1e-4 || 0.5 - frac > 1e-4) {
    long t = (long)(r < 0 ? r - 0.5 : r + 0.5);
    size_t n = 0;
    if (t < 0 || (t == 0 && signbit(x))) b[n++] = '-';
    unsigned long u = t < 0 ? (unsigned long)-t : (unsigned long)t;
    n += du_put_u64(b + n, u / 100000);
    b[n++] = '.';
    unsigned long f = u % 100000;
    for (int k = 4; k >= 0; k--, f /= 10) b[n + (size_t)k] = (char)('0' + f % 10);
    jw_put(w, b, n + 5);
    return;
  }
  int n = snprintf(b, sizeof b, "%.5f", x);
  if (n > 0) jw_put(w, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static void json_place(jw *w, const dyad_place *p) {
  if (!p->text || !*p->text) {
    jw_lit(w, "null");
    return;
  }
  jw_lit(w, "{\"text\":");
  jstr(w, p->text);
  jw_lit(w, ",\"name\":");
  jstr(w, p->name);
  jw_lit(w, ",\"country\":");
  jstr(w, p->country);
  jw_lit(w, ",\"admin1\":");
  jstr(w, p->admin1);
  if (p->has_coords) {
    jw_lit(w, ",\"lat\":");
    put_d5(w, p->lat);
    jw_lit(w, ",\"lon\":");
    put_d5(w, p->lon);
  } else {
    jw_lit(w, ",\"lat\":null,\"lon\":null");
  }
  jw_c(w, '}');
}

static void put_u(jw *w, unsigned long v) {
  char b[24];
  jw_put(w, b, du_put_u64(b, v));
}

static void put_i(jw *w, long v) {
  if (v < 0) jw_c(w, '-');
  put_u(w, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v);
}

/* A score kept in tenths, as "%.1f" would print it. */
static void put_tenths(jw *w, double x) {
  long t = (long)(x * 10.0 + (x < 0 ? -0.5 : 0.5));
  if (t < 0) {
    jw_c(w, '-');
    t = -t;
  }
  put_u(w, (unsigned long)(t / 10));
  jw_c(w, '.');
  jw_c(w, (char)('0' + t % 10));
}

/* KEY then VAL in quotes, for values that need no escaping. */
static void put_raw(jw *w, const char *key, const char *val) {
  jw_s(w, key);
  jw_c(w, '"');
  jw_s(w, val);
  jw_c(w, '"');
}

static int write_jsonl(FILE *f, const dyad_event *ev, const char *text,
                       size_t tlen) {
  jw w_ = {.f = f}, *w = &w_;
  jw_lit(w, "{\"event_id\":");
  jstr(w, ev->event_id);
  jw_lit(w, ",\"story_id\":");
  jstr(w, ev->story_id);
  jw_lit(w, ",\"sentence\":");
  put_u(w, ev->sentence);
  put_raw(w, ",\"date\":", ev->date);
  put_raw(w, ",\"date_precision\":", dyad_precision_name(ev->date_precision));
  put_raw(w, ",\"story_date\":", ev->story_date);
  jw_lit(w, ",\"source\":");
  json_actor(w, &ev->source, text, tlen);
  jw_lit(w, ",\"target\":");
  json_actor(w, &ev->target, text, tlen);
  put_raw(w, ",\"code\":", ev->code);
  put_raw(w, ",\"root\":", ev->root);
  jw_lit(w, ",\"quad_class\":");
  put_u(w, (unsigned long)(ev->quad_class < 0 ? 0 : ev->quad_class));
  jw_lit(w, ",\"goldstein\":");
  put_tenths(w, ev->goldstein);
  jw_lit(w, ",\"plover\":");
  jstr(w, ev->plover);
  put_raw(w, ",\"modality\":", dyad_modality_name(ev->modality));
  if (ev->negated) jw_lit(w, ",\"negated\":true");
  else jw_lit(w, ",\"negated\":false");
  jw_lit(w, ",\"evidence\":");
  jspan(w, text, tlen, ev->ev_start, ev->ev_end);
  jw_lit(w, ",\"evidence_start\":");
  put_u(w, ev->ev_start);
  jw_lit(w, ",\"evidence_end\":");
  put_u(w, ev->ev_end);
  jw_lit(w, ",\"verb\":");
  jspan(w, text, tlen, ev->verb_start, ev->verb_end);
  jw_lit(w, ",\"date_text\":");
  jstr(w, ev->date_text);
  jw_lit(w, ",\"location\":");
  json_place(w, &ev->place);
  jw_lit(w, ",\"sentence_text\":");
  jspan(w, text, tlen, ev->sent_start, ev->sent_end);
  jw_lit(w, ",\"pattern\":");
  jstr(w, ev->pattern);
  if (ev->n_mentions) {
    jw_lit(w, ",\"mentions\":");
    put_u(w, ev->n_mentions);
    jw_lit(w, ",\"stories\":");
    put_u(w, ev->n_stories);
    jw_lit(w, ",\"sources\":");
    put_u(w, ev->n_sources);
    if (ev->conflict) jw_lit(w, ",\"conflict\":true");
    else jw_lit(w, ",\"conflict\":false");
  }
  jw_lit(w, "}\n");
  jw_flush(w);
  return DYAD_OK;
}

/* ---- delimited formats ---- */

/* A TSV field: tabs and newlines would break the row; make them spaces. */
static void tsv(FILE *f, const char *s) {
  if (!s) return;
  for (; *s; s++) fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void tsv_span(FILE *f, const char *text, size_t tlen, uint32_t a, uint32_t b) {
  if (!text || a > b || b > tlen) return;
  for (uint32_t i = a; i < b; i++) {
    char ch = text[i];
    fputc(ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch, f);
  }
}

/* An RFC 4180 CSV field. */
static void csv_n(FILE *f, const char *s, size_t n) {
  int quote = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
  }
  if (!quote) {
    fwrite(s, 1, n, f);
    return;
  }
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') fputc('"', f);
    fputc(s[i], f);
  }
  fputc('"', f);
}

static void csv(FILE *f, const char *s) { csv_n(f, s ? s : "", s ? strlen(s) : 0); }

static int ymd_of(const char *date) {
  int32_t v = 0;
  return dyad_parse_date(date, &v) ? 0 : v;
}

/* Phoenix PentaClass: 0 for statements and appeals, else the quad class. */
static int penta(const dyad_event *ev) {
  return (!strcmp(ev->root, "01") || !strcmp(ev->root, "02")) ? 0 : ev->quad_class;
}

static void place_fields_tsv(FILE *f, const dyad_event *ev, int with_admin) {
  if (ev->place.has_coords) fprintf(f, "%.5f\t%.5f\t", ev->place.lat, ev->place.lon);
  else fputs("\t\t", f);
  tsv(f, ev->place.name);
  fputc('\t', f);
  if (with_admin) tsv(f, ev->place.admin1);
  fputc('\t', f);
  tsv(f, ev->place.country);
}

static int write_phoenix(FILE *f, const dyad_event *ev, const dyad_story *st) {
  int ymd = ymd_of(ev->date);
  /* 1 EventID 2 Date 3 Year 4 Month 5 Day */
  fprintf(f, "%s\t%08d\t%d\t%d\t%d\t", ev->event_id, ymd, ymd / 10000, (ymd / 100) % 100, ymd % 100);
  /* 6-9 source full/entity/role/attribute, 10-13 target */
  const dyad_actor *as[2] = {&ev->source, &ev->target};
  for (int k = 0; k < 2; k++) {
    const dyad_actor *a = as[k];
    tsv(f, a->code);
    fputc('\t', f);
    tsv(f, a->country);
    fputc('\t', f);
    fprintf(f, "%.3s\t", a->sector ? a->sector : "");
    /* Attributes: the sector codes after the first, ';'-joined. */
    const char *rest = a->sector && strlen(a->sector) > 3 ? a->sector + 3 : "";
    for (size_t i = 0; rest[i]; i++) {
      if (i && i % 3 == 0) fputc(';', f);
      fputc(rest[i], f);
    }
    fputc('\t', f);
  }
  /* 14 EventCode 15 EventRootCode 16 PentaClass 17 GoldsteinScore 18 Issues */
  fprintf(f, "%s\t%s\t%d\t%.1f\t\t", ev->code, ev->root, penta(ev), ev->goldstein);
  /* 19 Lat 20 Lon 21 LocationName 22 StateName 23 CountryCode */
  place_fields_tsv(f, ev, 1);
  /* 24 SentenceID 25 URLs 26 NewsSources */
  fprintf(f, "\t%s-%u\t", ev->story_id, ev->sentence);
  tsv(f, st && st->url ? st->url : "");
  fputc('\t', f);
  tsv(f, st && st->source ? st->source : "");
  fputc('\n', f);
  return DYAD_OK;
}

static void gdelt_actor(FILE *f, const dyad_actor *a, const char *text, size_t tlen) {
  /* Code, Name, CountryCode, KnownGroup, Ethnic, Religion1, Religion2, Type1-3 */
  tsv(f, a->code);
  fputc('\t', f);
  tsv_span(f, text, tlen, a->start, a->end);
  fputc('\t', f);
  const char *cc = a->country ? a->country : "";
  int igo = !strcmp(cc, "IGO") || !strcmp(cc, "IMG");
  if (!igo) tsv(f, cc);
  fputc('\t', f);
  if (igo) fprintf(f, "%.3s", a->sector ? a->sector : "");
  fputs("\t\t\t\t", f);
  const char *sec = a->sector ? a->sector : "";
  if (igo && strlen(sec) >= 3) sec += 3;
  for (int k = 0; k < 3; k++) {
    if (strlen(sec) >= (size_t)(3 * (k + 1))) fprintf(f, "%.3s", sec + 3 * k);
    fputc('\t', f);
  }
}

static void gdelt_geo(FILE *f, const dyad_event *ev, int have) {
  /* Type, FullName, CountryCode, ADM1, ADM2, Lat, Long, FeatureID */
  if (!have || !ev->place.name || !ev->place.name[0]) {
    fputs("\t\t\t\t\t\t\t\t", f);
    return;
  }
  fprintf(f, "%d\t", ev->place.admin1 && ev->place.admin1[0] ? 4 : 1);
  tsv(f, ev->place.name);
  if (ev->place.admin1 && ev->place.admin1[0]) {
    fputs(", ", f);
    tsv(f, ev->place.admin1);
  }
  fputc('\t', f);
  tsv(f, ev->place.country);
  fputc('\t', f);
  tsv(f, ev->place.admin1);
  fputs("\t\t", f);
  if (ev->place.has_coords) fprintf(f, "%.4f\t%.4f\t", ev->place.lat, ev->place.lon);
  else fputs("\t\t", f);
  tsv(f, ev->place.name);
  fputc('\t', f);
}

static int write_gdelt(FILE *f, const dyad_event *ev, const char *text, size_t tlen,
                       const dyad_story *st, uint64_t seq) {
  int ymd = ymd_of(ev->date);
  int y = ymd / 10000, m = (ymd / 100) % 100, d = ymd % 100;
  double frac = y + ((m - 1) * 30.4 + d) / 365.0;
  if (!seq) {
    /* A numeric id from the stable event id (FNV-1a, 53 bits so that
     * spreadsheets and JSON readers keep it exact): the same whatever
     * the order or sharding of the run. */
    uint64_t h = 1469598103934665603ull;
    for (const char *p = ev->event_id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    seq = (h & ((1ull << 53) - 1)) | 1;
  }
  /* 1 GLOBALEVENTID 2 SQLDATE 3 MonthYear 4 Year 5 FractionDate */
  fprintf(f, "%llu\t%08d\t%04d%02d\t%d\t%.4f\t", (unsigned long long)seq, ymd, y, m, y, frac);
  gdelt_actor(f, &ev->source, text, tlen);   /* 6-15 */
  gdelt_actor(f, &ev->target, text, tlen);   /* 16-25 */
  /* 26 IsRootEvent 27 EventCode 28 EventBaseCode 29 EventRootCode 30 QuadClass
   * 31 GoldsteinScale 32 NumMentions 33 NumSources 34 NumArticles 35 AvgTone */
  fprintf(f, "%d\t%s\t%.3s\t%s\t%d\t%.1f\t%u\t%u\t%u\t\t", ev->sentence == 0, ev->code,
          ev->code, ev->root, ev->quad_class, ev->goldstein, ev->n_mentions ? ev->n_mentions : 1,
          ev->n_sources ? ev->n_sources : 1, ev->n_stories ? ev->n_stories : 1);
  gdelt_geo(f, ev, 0); /* 36-43 Actor1Geo */
  gdelt_geo(f, ev, 0); /* 44-51 Actor2Geo */
  gdelt_geo(f, ev, 1); /* 52-59 ActionGeo */
  /* 60 DATEADDED 61 SOURCEURL */
  fprintf(f, "%08d000000\t", ymd_of(ev->story_date));
  tsv(f, st && st->url ? st->url : "");
  fputc('\n', f);
  return DYAD_OK;
}

static int write_icews(FILE *f, const dyad_event *ev, const char *text, size_t tlen,
                       const dyad_story *st) {
  /* Event ID, Event Date, Source Name, Source Sectors, Source Country,
   * Event Text, CAMEO Code, Intensity, Target Name, Target Sectors,
   * Target Country, Story ID, Sentence Number, Publisher, City, District,
   * Province, Country, Latitude, Longitude */
  fprintf(f, "%s\t%s\t", ev->event_id, ev->date);
  const dyad_actor *as[2] = {&ev->source, &ev->target};
  for (int k = 0; k < 2; k++) {
    tsv_span(f, text, tlen, as[k]->start, as[k]->end);
    fputc('\t', f);
    tsv(f, as[k]->sector);
    fputc('\t', f);
    tsv(f, as[k]->country);
    fputc('\t', f);
    if (k == 0) {
      tsv_span(f, text, tlen, ev->verb_start, ev->verb_end);
      fprintf(f, "\t%s\t%.1f\t", ev->code, ev->goldstein);
    }
  }
  fprintf(f, "%s\t%u\t", ev->story_id, ev->sentence);
  tsv(f, st && st->source ? st->source : "");
  fputc('\t', f);
  tsv(f, ev->place.name);
  fputs("\t\t", f);
  tsv(f, ev->place.admin1);
  fputc('\t', f);
  tsv(f, ev->place.country);
  if (ev->place.has_coords) fprintf(f, "\t%.5f\t%.5f\n", ev->place.lat, ev->place.lon);
  else fputs("\t\t\n", f);
  return DYAD_OK;
}

static int write_csv(FILE *f, const dyad_event *ev, const char *text, size_t tlen) {
  csv(f, ev->event_id);
  fputc(',', f);
  csv(f, ev->story_id);
  fprintf(f, ",%u,%s,%s,%s,", ev->sentence, ev->date, dyad_precision_name(ev->date_precision),
          ev->story_date);
  const dyad_actor *as[2] = {&ev->source, &ev->target};
  for (int k = 0; k < 2; k++) {
    csv(f, as[k]->code);
    fputc(',', f);
    csv(f, as[k]->country);
    fputc(',', f);
    csv(f, as[k]->sector);
    fputc(',', f);
  }
  fprintf(f, "%s,%s,%d,%.1f,", ev->code, ev->root, ev->quad_class, ev->goldstein);
  csv(f, ev->plover);
  fprintf(f, ",%s,%d,", dyad_modality_name(ev->modality), ev->negated);
  csv(f, ev->place.name);
  fputc(',', f);
  csv(f, ev->place.country);
  if (ev->place.has_coords) fprintf(f, ",%.5f,%.5f,", ev->place.lat, ev->place.lon);
  else fputs(",,,", f);
  if (text && ev->ev_start <= ev->ev_end && ev->ev_end <= tlen) {
    csv_n(f, text + ev->ev_start, ev->ev_end - ev->ev_start);
  }
  fputc(',', f);
  csv(f, ev->pattern);
  fputc('\n', f);
  return DYAD_OK;
}

/* PLOVER-style record: event type, mode, context, actor and recipient
 * lists, location, quad code, event text, date. */
static int write_plover(FILE *f, const dyad_event *ev, const char *text, size_t tlen) {
  jw w_ = {.f = f}, *w = &w_;
  jw_lit(w, "{\"id\":");
  jstr(w, ev->event_id);
  put_raw(w, ",\"date\":", ev->date);
  put_raw(w, ",\"date_precision\":", dyad_precision_name(ev->date_precision));
  jw_lit(w, ",\"event_type\":");
  jstr(w, ev->plover);
  jw_lit(w, ",\"mode\":");
  jstr(w, ev->plover_mode);
  jw_lit(w, ",\"context\":");
  if (ev->plover_context && ev->plover_context[0]) {
    /* '+' joins two contexts in our table. */
    jw_c(w, '[');
    const char *p = ev->plover_context;
    int first = 1;
    while (*p) {
      const char *e = strchr(p, '+');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      if (!first) jw_c(w, ',');
      jw_c(w, '"');
      json_escape(w, p, n);
      jw_c(w, '"');
      first = 0;
      p += n + (e ? 1 : 0);
    }
    jw_c(w, ']');
  } else {
    jw_lit(w, "[]");
  }
  const char *roles[2] = {"actor", "recipient"};
  const dyad_actor *as[2] = {&ev->source, &ev->target};
  for (int k = 0; k < 2; k++) {
    jw_lit(w, ",\"");
    jw_s(w, roles[k]);
    jw_lit(w, "\":[{\"code\":");
    jstr(w, as[k]->country);
    jw_lit(w, ",\"sector\":");
    jstr(w, as[k]->sector);
    jw_lit(w, ",\"full_code\":");
    jstr(w, as[k]->code);
    jw_lit(w, ",\"text\":");
    jspan(w, text, tlen, as[k]->start, as[k]->end);
    jw_lit(w, "}]");
  }
  jw_lit(w, ",\"location\":");
  json_place(w, &ev->place);
  jw_lit(w, ",\"quad_code\":");
  put_i(w, ev->quad_class);
  jw_lit(w, ",\"event_text\":");
  jspan(w, text, tlen, ev->ev_start, ev->ev_end);
  jw_lit(w, ",\"text\":");
  jspan(w, text, tlen, ev->sent_start, ev->sent_end);
  put_raw(w, ",\"modality\":", dyad_modality_name(ev->modality));
  put_raw(w, ",\"cameo\":", ev->code);
  jw_lit(w, ",\"story_id\":");
  jstr(w, ev->story_id);
  jw_lit(w, "}\n");
  jw_flush(w);
  return DYAD_OK;
}

static int write_header(FILE *f, int format);

int dyad_write_header(FILE *f, int format) {
  flockfile(f);
  int rc = write_header(f, format);
  funlockfile(f);
  return rc;
}

static int write_header(FILE *f, int format) {
  if (format == DYAD_FMT_ICEWS) {
    fputs("Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\t"
          "CAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\t"
          "Sentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n",
          f);
  } else if (format == DYAD_FMT_CSV) {
    fputs("event_id,story_id,sentence,date,date_precision,story_date,source,source_country,"
          "source_sector,target,target_country,target_sector,code,root,quad_class,goldstein,"
          "plover,modality,negated,place,place_country,lat,lon,evidence,pattern\n",
          f);
  }
  return DYAD_OK;
}

static int write_event(FILE *f, int format, const dyad_event *ev, const char *text,
                       size_t text_len, const dyad_story *story, uint64_t seq);

int dyad_write_event(FILE *f, int format, const dyad_event *ev, const char *text,
                     size_t text_len, const dyad_story *story, uint64_t seq) {
  flockfile(f);
  int rc = write_event(f, format, ev, text, text_len, story, seq);
  funlockfile(f);
  return rc;
}

static int write_event(FILE *f, int format, const dyad_event *ev, const char *text,
                       size_t text_len, const dyad_story *story, uint64_t seq) {
  switch (format) {
    case DYAD_FMT_JSONL:
      return write_jsonl(f, ev, text, text_len);
    case DYAD_FMT_BRIEF:
      fprintf(f, "%s\t%u\t%s\t%s\t%s\t%s\t%s\t%s\n", ev->story_id, ev->sentence, ev->date,
              ev->source.code, ev->code, ev->target.code, dyad_modality_name(ev->modality),
              ev->place.name && ev->place.name[0] ? ev->place.name : "-");
      return DYAD_OK;
    case DYAD_FMT_PHOENIX:
      return write_phoenix(f, ev, story);
    case DYAD_FMT_GDELT:
      return write_gdelt(f, ev, text, text_len, story, seq);
    case DYAD_FMT_ICEWS:
      return write_icews(f, ev, text, text_len, story);
    case DYAD_FMT_CSV:
      return write_csv(f, ev, text, text_len);
    case DYAD_FMT_PLOVER:
      return write_plover(f, ev, text, text_len);
    default:
      return DYAD_EUNSUPPORTED;
  }
}
