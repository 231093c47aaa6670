/*
 * format.c - writing events: JSON lines, PLOVER JSON, Phoenix TSV,
 * GDELT 2.0 TSV, ICEWS TSV and CSV. The same writers serve `dyad code`
 * and `dyad export`. Layouts are documented in docs/formats.md.
 */
#include <stdio.h>

#include "util/util.h"

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

void dyad_json_escape(FILE *f, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  size_t run = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f) continue;
    if (i > run) fwrite(s + run, 1, i - run, f);
    run = i + 1;
    switch (ch) {
      case '"': fputs("\\\"", f); break;
      case '\\': fputs("\\\\", f); break;
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\t': fputs("\\t", f); break;
      default: {
        char u[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
        fputs(u, f);
      }
    }
  }
  if (len > run) fwrite(s + run, 1, len - run, f);
}

static void jstr(FILE *f, const char *s) {
  fputc('"', f);
  if (s) dyad_json_escape(f, s, strlen(s));
  fputc('"', f);
}

static void jspan(FILE *f, const char *text, size_t tlen, uint32_t a, uint32_t b) {
  fputc('"', f);
  if (text && a <= b && b <= tlen) dyad_json_escape(f, text + a, b - a);
  fputc('"', f);
}

static void json_actor(FILE *f, const dyad_actor *a, const char *text, size_t tlen) {
  fputs("{\"code\":", f);
  jstr(f, a->code);
  fputs(",\"country\":", f);
  jstr(f, a->country);
  fputs(",\"sector\":", f);
  jstr(f, a->sector);
  fputs(",\"text\":", f);
  jspan(f, text, tlen, a->start, a->end);
  fputc('}', f);
}

static void json_place(FILE *f, const dyad_place *p) {
  if (!p->text || !*p->text) {
    fputs("null", f);
    return;
  }
  fputs("{\"text\":", f);
  jstr(f, p->text);
  fputs(",\"name\":", f);
  jstr(f, p->name);
  fputs(",\"country\":", f);
  jstr(f, p->country);
  fputs(",\"admin1\":", f);
  jstr(f, p->admin1);
  if (p->has_coords) fprintf(f, ",\"lat\":%.5f,\"lon\":%.5f", p->lat, p->lon);
  else fputs(",\"lat\":null,\"lon\":null", f);
  fputc('}', f);
}

static int write_jsonl(FILE *f, const dyad_event *ev, const char *text,
                       size_t tlen) {
  fputs("{\"event_id\":", f);
  jstr(f, ev->event_id);
  fputs(",\"story_id\":", f);
  jstr(f, ev->story_id);
  fprintf(f, ",\"sentence\":%u,\"date\":\"%s\",\"date_precision\":\"%s\",\"story_date\":\"%s\"",
          ev->sentence, ev->date, dyad_precision_name(ev->date_precision), ev->story_date);
  fputs(",\"source\":", f);
  json_actor(f, &ev->source, text, tlen);
  fputs(",\"target\":", f);
  json_actor(f, &ev->target, text, tlen);
  fprintf(f, ",\"code\":\"%s\",\"root\":\"%s\",\"quad_class\":%d,\"goldstein\":%.1f",
          ev->code, ev->root, ev->quad_class, ev->goldstein);
  fputs(",\"plover\":", f);
  jstr(f, ev->plover);
  fprintf(f, ",\"modality\":\"%s\",\"negated\":%s", dyad_modality_name(ev->modality),
          ev->negated ? "true" : "false");
  fputs(",\"evidence\":", f);
  jspan(f, text, tlen, ev->ev_start, ev->ev_end);
  fprintf(f, ",\"evidence_start\":%u,\"evidence_end\":%u", ev->ev_start, ev->ev_end);
  fputs(",\"verb\":", f);
  jspan(f, text, tlen, ev->verb_start, ev->verb_end);
  fputs(",\"date_text\":", f);
  jstr(f, ev->date_text);
  fputs(",\"location\":", f);
  json_place(f, &ev->place);
  fputs(",\"sentence_text\":", f);
  jspan(f, text, tlen, ev->sent_start, ev->sent_end);
  fputs(",\"pattern\":", f);
  jstr(f, ev->pattern);
  fputs("}\n", f);
  return DYAD_OK;
}

int dyad_write_header(FILE *f, int format) {
  (void)f;
  (void)format;
  return DYAD_OK;
}

int dyad_write_event(FILE *f, int format, const dyad_event *ev, const char *text,
                     size_t text_len, const dyad_story *story, uint64_t seq) {
  (void)story;
  (void)seq;
  switch (format) {
    case DYAD_FMT_JSONL:
      return write_jsonl(f, ev, text, text_len);
    case DYAD_FMT_BRIEF:
      fprintf(f, "%s\t%u\t%s\t%s\t%s\t%s\t%s\t%s\n", ev->story_id, ev->sentence, ev->date,
              ev->source.code, ev->code, ev->target.code, dyad_modality_name(ev->modality),
              ev->place.name && ev->place.name[0] ? ev->place.name : "-");
      return DYAD_OK;
    default:
      return DYAD_EUNSUPPORTED;
  }
}
