/*
 * cmd_validate_json.c - `dyad validate` on JSON gold files:
 *
 *   PLOVER gold-standard records (a JSON array of records with "event",
 *   "source", "target", "text"): per record, was an event of the gold
 *   category found with a gold source country, and how precise are the
 *   categories emitted?
 *
 *   Our own test stories (JSON lines with "expect": [{source, target,
 *   code, date, modality}]): event triples found and extra, and for the
 *   events found whether the resolved date and the modality agree.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The gold file's old category names, from CAMEO roots (the public
 * CAMEO-to-PLOVER conversion, in its 2016 naming). Roots 01 and 02
 * (statements, appeals) have no category in this scheme. */
static const char *plover_category(const char *code) {
  int root = (code[0] - '0') * 10 + (code[1] - '0');
  switch (root) {
  case 3: return "AGREE";
  case 4: return "CONSULT";
  case 5: return "SUPPORT";
  case 6: return "COOPERATE";
  case 7: return "AID";
  case 8: {
    int sub = code[2] ? code[2] - '0' : 0;
    return sub >= 4 ? "RETREAT" : "CONCEDE";
  }
  case 9: return "INVESTIGATE";
  case 10: return "DEMAND";
  case 11: return "DISAPPROVE";
  case 12: return "REJECT";
  case 13: return "THREATEN";
  case 14: return "PROTEST";
  case 15: return "MOBILIZE";
  case 16: return "SANCTION";
  case 17: return "COERCE";
  case 18: case 20: return "ASSAULT";
  case 19: return "FIGHT";
  default: return NULL;
  }
}

static char *slurp(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    cli_err("cannot open %s: %s", file, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (n + 1 < cap) break;
    char *nb = realloc(buf, cap *= 2);
    if (!nb) free(buf);
    buf = nb;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf || bad) {
    free(buf);
    cli_err("cannot read %s", file);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Does an actor code belong to the gold country or organisation code?
 * "IGO" in the gold matches any IGO code; otherwise the first unit. */
static int same_country(const char *gold, const char *code) {
  size_t gl = strlen(gold);
  if (gl < 3) return 0;
  return strncmp(gold, code, 3) == 0;
}

static void set_options(dyad_coder *coder, int keep_negated, int trace) {
  dyad_code_options o;
  dyad_code_options_init(&o);
  o.keep_negated = keep_negated;
  if (trace) {
    o.trace = cli_trace_line;
    o.trace_ud = stdout;
  }
  dyad_coder_set_options(coder, &o);
}

typedef struct { char name[16]; int records, found, emitted, correct_cat; } plover_cat;

int cli_validate_plover(const char *file, dyad_coder *coder, int quiet, const char *only) {
  size_t len;
  char *text = slurp(file, &len);
  if (!text) return EXIT_IO;
  cJSON *root = cJSON_ParseWithLength(text, len);
  if (!root || !cJSON_IsArray(root)) {
    const char *at = cJSON_GetErrorPtr();
    size_t line = 1;
    for (const char *p = text; at && p < at && *p; p++) line += *p == '\n';
    cli_err("%s:%zu: expected a JSON array of PLOVER records", file, line);
    cJSON_Delete(root);
    free(text);
    return EXIT_DATA;
  }
  plover_cat cats[32];
  int ncat = 0;
  int records = 0, found = 0, emitted = 0, correct = 0, idx = 0;
  cJSON *rec;
  cJSON_ArrayForEach(rec, root) {
    idx++;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id"));
    const char *gold = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "event"));
    const char *txt = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "text"));
    const char *date = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "date"));
    if (!gold || !txt) continue; /* documentation records */
    if (!id) id = "?";
    if (only && strcmp(only, id)) continue;
    set_options(coder, 0, only != NULL);
    dyad_story st;
    memset(&st, 0, sizeof st);
    st.id = id;
    st.date = date && strlen(date) == 10 ? date : "2000-01-01";
    st.text = txt;
    st.text_len = strlen(txt);
    const dyad_event *ev;
    size_t n;
    dyad_error e;
    memset(&e, 0, sizeof e);
    records++;
    plover_cat *c = NULL;
    for (int i = 0; i < ncat; i++)
      if (!strcmp(cats[i].name, gold)) c = &cats[i];
    if (!c && ncat < 32) {
      c = &cats[ncat++];
      memset(c, 0, sizeof *c);
      snprintf(c->name, sizeof c->name, "%s", gold);
    }
    if (c) c->records++;
    if (dyad_code_story(coder, &st, &ev, &n, &e) != DYAD_OK) {
      printf("%s [%s]: not coded: %s\n", id, gold, e.message);
      continue;
    }
    cJSON *src = cJSON_GetObjectItem(rec, "source");
    int hit = 0, rec_emitted = 0, rec_correct = 0;
    char got[1024] = "";
    for (size_t i = 0; i < n; i++) {
      if (ev[i].modality == DYAD_MODE_NEGATED) continue;
      const char *cat = plover_category(ev[i].code);
      if (!cat) continue;
      /* Count each category once per record. */
      int seen = 0;
      for (size_t j = 0; j < i; j++)
        if (ev[j].modality != DYAD_MODE_NEGATED && plover_category(ev[j].code) == cat) seen = 1;
      if (!strcmp(cat, gold)) {
        int src_ok = !cJSON_IsArray(src) || cJSON_GetArraySize(src) == 0;
        cJSON *a;
        cJSON_ArrayForEach(a, src) {
          const char *gc = cJSON_GetStringValue(cJSON_GetObjectItem(a, "code"));
          if (gc && same_country(gc, ev[i].source.code)) src_ok = 1;
        }
        if (src_ok) hit = 1;
      }
      if (!seen) {
        rec_emitted++;
        if (!strcmp(cat, gold)) rec_correct++;
      }
      size_t gl = strlen(got);
      snprintf(got + gl, sizeof got - gl, "%s %s>%s %s %s", gl ? ";" : "", ev[i].source.code,
               ev[i].target.code, ev[i].code, cat);
    }
    found += hit;
    emitted += rec_emitted;
    correct += rec_correct;
    if (c) {
      c->found += hit;
      c->emitted += rec_emitted;
      c->correct_cat += rec_correct;
    }
    if (!quiet && (!hit || rec_emitted != rec_correct)) {
      char want[256] = "";
      cJSON *a;
      cJSON_ArrayForEach(a, src) {
        const char *gc = cJSON_GetStringValue(cJSON_GetObjectItem(a, "code"));
        size_t wl = strlen(want);
        if (gc) snprintf(want + wl, sizeof want - wl, "%s%s", wl ? "," : "", gc);
      }
      printf("%s [%s]\n  text: %.300s\n  want: %s from %s\n  got: %s\n", id, gold, txt, gold,
             want[0] ? want : "(any)", got[0] ? got : " (none)");
    }
  }
  printf("\n%-12s %7s %6s %7s %8s %7s %10s\n", "category", "records", "found", "found%",
         "emitted", "correct", "precision");
  for (int i = 0; i < ncat; i++) {
    plover_cat *c = &cats[i];
    printf("%-12s %7d %6d %6.1f%% %8d %7d %9.1f%%\n", c->name, c->records, c->found,
           c->records ? 100.0 * c->found / c->records : 0.0, c->emitted, c->correct_cat,
           c->emitted ? 100.0 * c->correct_cat / c->emitted : 100.0);
  }
  printf("plover records: %d/%d found; categories: %d/%d emitted correct\n", found, records,
         correct, emitted);
  printf("found %.1f%% of records at %.1f%% precision\n",
         records ? 100.0 * found / records : 0.0, emitted ? 100.0 * correct / emitted : 100.0);
  cJSON_Delete(root);
  free(text);
  return EXIT_OKAY;
}

typedef struct { char s[32], t[32], c[8], date[11], mode[16]; int used; } want_ev;

/* An actor code as expected: the same, or the same with a group's own tag
 * after country and sector (expected ETHREB, coded ETHREBTPL). */
static int code_ok(const char *want, const char *got) {
  size_t wl = strlen(want), gl = strlen(got);
  if (!strcmp(want, got)) return 1;
  return wl >= 6 && gl > wl && (gl - wl) % 3 == 0 && !strncmp(want, got, wl);
}

int cli_validate_stories(const char *file, dyad_coder *coder, int quiet, const char *only) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    cli_err("cannot open %s: %s", file, strerror(errno));
    return EXIT_IO;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t got_len;
  size_t lineno = 0;
  int stories = 0, correct = 0, expected_n = 0, found_n = 0, extra_n = 0, date_ok = 0,
      mode_ok = 0, status = EXIT_OKAY;
  while ((got_len = getline(&line, &cap, f)) != -1) {
    lineno++;
    if (got_len <= 1) continue;
    cJSON *o = cJSON_ParseWithLength(line, (size_t)got_len);
    if (!o || !cJSON_IsObject(o)) {
      cli_err("%s:%zu: expected a JSON object with id, date, text and expect", file, lineno);
      cJSON_Delete(o);
      status = EXIT_DATA;
      continue;
    }
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(o, "id"));
    const char *date = cJSON_GetStringValue(cJSON_GetObjectItem(o, "date"));
    const char *txt = cJSON_GetStringValue(cJSON_GetObjectItem(o, "text"));
    cJSON *expect = cJSON_GetObjectItem(o, "expect");
    if (!id || !date || !txt || !cJSON_IsArray(expect)) {
      cli_err("%s:%zu: a story needs string fields id, date, text and an array expect", file,
              lineno);
      cJSON_Delete(o);
      status = EXIT_DATA;
      continue;
    }
    if (only && strcmp(only, id)) {
      cJSON_Delete(o);
      continue;
    }
    want_ev want[64];
    int nw = 0;
    cJSON *x;
    cJSON_ArrayForEach(x, expect) {
      if (nw == 64) break;
      want_ev *w = &want[nw];
      memset(w, 0, sizeof *w);
      const char *v;
      if ((v = cJSON_GetStringValue(cJSON_GetObjectItem(x, "source")))) snprintf(w->s, sizeof w->s, "%s", v);
      if ((v = cJSON_GetStringValue(cJSON_GetObjectItem(x, "target")))) snprintf(w->t, sizeof w->t, "%s", v);
      if ((v = cJSON_GetStringValue(cJSON_GetObjectItem(x, "code")))) snprintf(w->c, sizeof w->c, "%s", v);
      if ((v = cJSON_GetStringValue(cJSON_GetObjectItem(x, "date")))) snprintf(w->date, sizeof w->date, "%s", v);
      if ((v = cJSON_GetStringValue(cJSON_GetObjectItem(x, "modality")))) snprintf(w->mode, sizeof w->mode, "%s", v);
      else snprintf(w->mode, sizeof w->mode, "asserted");
      nw++;
    }
    set_options(coder, 1, only != NULL);
    dyad_story st;
    memset(&st, 0, sizeof st);
    st.id = id;
    st.date = date;
    st.text = txt;
    st.text_len = strlen(txt);
    const dyad_event *ev;
    size_t n;
    dyad_error e;
    memset(&e, 0, sizeof e);
    stories++;
    expected_n += nw;
    if (dyad_code_story(coder, &st, &ev, &n, &e) != DYAD_OK) {
      printf("%s: not coded: %s\n", id, e.message);
      cJSON_Delete(o);
      continue;
    }
    int found = 0, extra = 0;
    char gotbuf[2048] = "", notes[1024] = "";
    for (size_t i = 0; i < n; i++) {
      int dup = 0;
      for (size_t j = 0; j < i; j++)
        if (!strcmp(ev[j].source.code, ev[i].source.code) &&
            !strcmp(ev[j].target.code, ev[i].target.code) && !strcmp(ev[j].code, ev[i].code))
          dup = 1;
      if (dup) continue;
      const char *mode = dyad_modality_name(ev[i].modality);
      size_t gl = strlen(gotbuf);
      snprintf(gotbuf + gl, sizeof gotbuf - gl, "%s %s>%s %s %s %s", gl ? ";" : "",
               ev[i].source.code, ev[i].target.code, ev[i].code, ev[i].date, mode);
      int hit = -1;
      for (int k = 0; k < nw && hit < 0; k++)
        if (!want[k].used && code_ok(want[k].s, ev[i].source.code) &&
            code_ok(want[k].t, ev[i].target.code) && !strcmp(want[k].c, ev[i].code))
          hit = k;
      if (hit < 0) {
        extra++;
        continue;
      }
      want[hit].used = 1;
      found++;
      if (!want[hit].date[0] || !strcmp(want[hit].date, ev[i].date)) date_ok++;
      else {
        size_t nl = strlen(notes);
        snprintf(notes + nl, sizeof notes - nl, " date %s (want %s);", ev[i].date, want[hit].date);
      }
      if (!strcmp(want[hit].mode, mode)) mode_ok++;
      else {
        size_t nl = strlen(notes);
        snprintf(notes + nl, sizeof notes - nl, " modality %s (want %s);", mode, want[hit].mode);
      }
    }
    found_n += found;
    extra_n += extra;
    if (found == nw && extra == 0 && !notes[0]) correct++;
    else if (!quiet) {
      char wbuf[2048] = "";
      for (int k = 0; k < nw; k++) {
        size_t wl = strlen(wbuf);
        snprintf(wbuf + wl, sizeof wbuf - wl, "%s %s>%s %s %s %s", wl ? ";" : "", want[k].s,
                 want[k].t, want[k].c, want[k].date, want[k].mode);
      }
      printf("%s\n  text: %.300s\n  want:%s\n  got: %s\n%s%s%s", id, txt, nw ? wbuf : " (none)",
             gotbuf[0] ? gotbuf : " (none)", notes[0] ? "  notes:" : "", notes,
             notes[0] ? "\n" : "");
    }
    cJSON_Delete(o);
  }
  free(line);
  fclose(f);
  printf("stories: %d/%d correct; events: %d/%d found, %d extra; of those found, %d with the "
         "right date, %d with the right modality\n",
         correct, stories, found_n, expected_n, extra_n, date_ok, mode_ok);
  printf("found %.1f%% of expected events; extra events %.1f%% of expected\n",
         expected_n ? 100.0 * found_n / expected_n : 100.0,
         expected_n ? 100.0 * extra_n / expected_n : 0.0);
  return status;
}
