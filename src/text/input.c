/*
 * input.c - reading stories: JSON lines (cJSON), whole text files and
 * PETRARCH XML records. Bad records are reported with their line and
 * skipped; only an unreadable input stops the reader.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"

#define MAX_LINE ((size_t)64 << 20)

struct dyad_reader {
  FILE *f;
  char *name;
  int format;
  char date[11];
  long line;            /* lines consumed so far */
  long story_line;      /* line where the current story started */
  int done;
  du_buf buf;           /* current line or record */
  cJSON *json;
  char idbuf[64];
  char *text_copy;
  /* PETRARCH records */
  du_buf rec_text, rec_id, rec_date, rec_cat, rec_exp;
  int in_comment;
  dyad_petr_record petr;
};

int dyad_reader_open(FILE *f, const char *name, int format,
                     const char *default_date, dyad_reader **out,
                     dyad_error *err) {
  dyad_reader *r = du_calloc(1, sizeof *r);
  if (!r) return du_err(err, DYAD_ENOMEM, "out of memory");
  r->f = f;
  r->name = du_strdup(name ? name : "(input)");
  r->format = format;
  if (default_date) snprintf(r->date, sizeof r->date, "%s", default_date);
  du_buf_init(&r->buf, MAX_LINE + 1);
  du_buf_init(&r->rec_text, MAX_LINE);
  du_buf_init(&r->rec_id, 4096);
  du_buf_init(&r->rec_date, 64);
  du_buf_init(&r->rec_cat, 256);
  du_buf_init(&r->rec_exp, 1 << 20);
  *out = r;
  return DYAD_OK;
}

void dyad_reader_free(dyad_reader *r) {
  if (!r) return;
  cJSON_Delete(r->json);
  du_free(r->name);
  du_free(r->text_copy);
  du_buf_free(&r->buf);
  du_buf_free(&r->rec_text);
  du_buf_free(&r->rec_id);
  du_buf_free(&r->rec_date);
  du_buf_free(&r->rec_cat);
  du_buf_free(&r->rec_exp);
  du_free(r);
}

long dyad_reader_line(const dyad_reader *r) { return r->story_line; }

const dyad_petr_record *dyad_reader_petrarch(const dyad_reader *r) {
  return r->format == DYAD_IN_PETRARCH ? &r->petr : NULL;
}

/* Read one line (without the newline) into r->buf. Returns 1 on a line,
 * 0 at the end, -1 on error, 2 when the line is longer than the limit
 * (the rest of the line is skipped). */
static int read_line(dyad_reader *r) {
  du_buf_reset(&r->buf);
  int too_long = 0;
  char chunk[65536];
  for (;;) {
    if (!fgets(chunk, sizeof chunk, r->f)) {
      if (ferror(r->f)) return -1;
      if (r->buf.len == 0 && !too_long) return 0;
      break;
    }
    size_t n = strlen(chunk);
    int nl = n && chunk[n - 1] == '\n';
    if (nl) n--;
    if (!too_long && du_buf_append(&r->buf, chunk, n)) too_long = 1;
    if (nl) break;
  }
  r->line++;
  if (r->buf.len && r->buf.data[r->buf.len - 1] == '\r') r->buf.data[--r->buf.len] = '\0';
  return too_long ? 2 : 1;
}

static const char *json_str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int next_jsonl(dyad_reader *r, dyad_story *st, dyad_error *err) {
  for (;;) {
    int rc = read_line(r);
    if (rc < 0) return du_err(err, DYAD_EIO, "%s: read error: %s", r->name, strerror(errno));
    if (rc == 0) return -1;
    r->story_line = r->line;
    if (rc == 2) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line,
                       "line is longer than %zu bytes (skipped)", MAX_LINE);
    }
    /* Blank lines are allowed between records. */
    size_t i = 0;
    while (i < r->buf.len && du_is_space((unsigned char)r->buf.data[i])) i++;
    if (i == r->buf.len) continue;
    if (memchr(r->buf.data, '\0', r->buf.len)) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "line contains a NUL byte");
    }
    cJSON_Delete(r->json);
    r->json = cJSON_ParseWithLength(r->buf.data, r->buf.len);
    if (!r->json) {
      const char *at = cJSON_GetErrorPtr();
      long col = at && at >= r->buf.data && at <= r->buf.data + r->buf.len
                     ? (long)(at - r->buf.data) + 1 : 0;
      return du_err_at(err, DYAD_EDATA, r->name, r->line,
                       "not valid JSON (near column %ld); expected {\"id\":..., \"date\":\"YYYY-MM-DD\", \"text\":...}",
                       col);
    }
    if (!cJSON_IsObject(r->json)) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "expected a JSON object");
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r->json, "id");
    if (cJSON_IsNumber(id)) {
      snprintf(r->idbuf, sizeof r->idbuf, "%.0f", id->valuedouble);
      st->id = r->idbuf;
    } else if (cJSON_IsString(id) && id->valuestring[0]) {
      st->id = id->valuestring;
    } else {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "missing \"id\" (a string or number)");
    }
    st->date = json_str(r->json, "date");
    if (!st->date) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "story %s: missing \"date\" (YYYY-MM-DD)", st->id);
    }
    int32_t ymd;
    if (dyad_parse_date(st->date, &ymd)) {
      /* Accept an ISO timestamp: use its date part. */
      if (strlen(st->date) > 10 && st->date[10] == 'T') {
        ((char *)st->date)[10] = '\0';
      }
      if (dyad_parse_date(st->date, &ymd)) {
        return du_err_at(err, DYAD_EDATA, r->name, r->line,
                         "story %s: \"date\" is not YYYY-MM-DD", st->id);
      }
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(r->json, "text");
    if (!cJSON_IsString(text)) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "story %s: missing \"text\" (a string)", st->id);
    }
    /* cJSON stops a string at \u0000: refuse such text rather than lose it. */
    if (strstr(r->buf.data, "\\u0000")) {
      return du_err_at(err, DYAD_EDATA, r->name, r->line, "story %s: text contains \\u0000", st->id);
    }
    st->text = text->valuestring;
    st->text_len = strlen(text->valuestring);
    st->source = json_str(r->json, "source");
    if (!st->source) st->source = json_str(r->json, "publisher");
    st->url = json_str(r->json, "url");
    return DYAD_OK;
  }
}

static int next_text(dyad_reader *r, dyad_story *st, dyad_error *err) {
  if (r->done) return -1;
  r->done = 1;
  du_buf_reset(&r->rec_text);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, r->f)) > 0) {
    if (du_buf_append(&r->rec_text, chunk, n)) {
      return du_err_at(err, DYAD_ETOOBIG, r->name, 1, "text is larger than %zu bytes", MAX_LINE);
    }
  }
  if (ferror(r->f)) return du_err(err, DYAD_EIO, "%s: read error", r->name);
  r->story_line = 1;
  st->id = r->name;
  st->date = r->date[0] ? r->date : NULL;
  if (!st->date) return du_err_at(err, DYAD_EDATA, r->name, 1, "plain text needs a story date (--date)");
  st->text = r->rec_text.data ? r->rec_text.data : "";
  st->text_len = r->rec_text.len;
  st->source = st->url = NULL;
  return DYAD_OK;
}

/* ---- PETRARCH XML (not always well-formed: parsed by hand) ---- */

static const char *attr(const char *tag, const char *name, char *out, size_t cap) {
  char key[64];
  snprintf(key, sizeof key, "%s=\"", name);
  const char *p = strstr(tag, key);
  if (!p) return NULL;
  p += strlen(key);
  const char *e = strchr(p, '"');
  if (!e) return NULL;
  size_t n = (size_t)(e - p);
  if (n >= cap) n = cap - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  return out;
}

/* Decode the XML entities of S in place. */
static void unescape(char *s) {
  static const struct { const char *e; char c; } ents[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  char *o = s;
  for (char *p = s; *p;) {
    int done = 0;
    if (*p == '&') {
      for (size_t i = 0; i < DU_ARRAY_LEN(ents); i++) {
        size_t l = strlen(ents[i].e);
        if (!strncmp(p, ents[i].e, l)) {
          *o++ = ents[i].c;
          p += l;
          done = 1;
          break;
        }
      }
    }
    if (!done) *o++ = *p++;
  }
  *o = '\0';
}

static int next_petrarch(dyad_reader *r, dyad_story *st, dyad_error *err) {
  /* Find "<Sentence " (outside comments) then collect until "</Sentence>". */
  for (;;) {
    int rc = read_line(r);
    if (rc < 0) return du_err(err, DYAD_EIO, "%s: read error", r->name);
    if (rc == 0) return -1;
    char *l = r->buf.data;
    if (r->in_comment) {
      char *e = strstr(l, "-->");
      if (!e) continue;
      r->in_comment = 0;
      l = e + 3;
    }
    char *cm = strstr(l, "<!--");
    if (cm && !strstr(cm, "-->")) r->in_comment = 1;
    const char *s = strstr(l, "<Sentence ");
    if (!s || (cm && cm < s)) continue;
    r->story_line = r->line;
    char val[256];
    du_buf_reset(&r->rec_id);
    du_buf_reset(&r->rec_date);
    du_buf_reset(&r->rec_cat);
    du_buf_reset(&r->rec_exp);
    du_buf_reset(&r->rec_text);
    if (attr(s, "id", val, sizeof val)) du_buf_append(&r->rec_id, val, strlen(val));
    if (attr(s, "date", val, sizeof val)) du_buf_append(&r->rec_date, val, strlen(val));
    if (attr(s, "category", val, sizeof val)) du_buf_append(&r->rec_cat, val, strlen(val));
    r->petr.evaluate = !attr(s, "evaluate", val, sizeof val) || !strcmp(val, "true");
    int in_text = 0, closed = 0;
    for (;;) {
      rc = read_line(r);
      if (rc <= 0) break;
      char *ln = r->buf.data;
      if (strstr(ln, "</Sentence>") && !in_text) {
        closed = 1;
        break;
      }
      if (in_text) {
        char *e = strstr(ln, "</Text>");
        if (e) {
          *e = '\0';
          in_text = 0;
        }
        du_buf_append(&r->rec_text, ln, strlen(ln));
        du_buf_putc(&r->rec_text, '\n');
        if (strstr(e ? e + 1 : "", "</Sentence>")) {
          closed = 1;
          break;
        }
        continue;
      }
      char *t = strstr(ln, "<Text>");
      if (t) {
        t += 6;
        char *e = strstr(t, "</Text>");
        if (e) *e = '\0';
        else in_text = 1;
        du_buf_append(&r->rec_text, t, strlen(t));
        du_buf_putc(&r->rec_text, '\n');
        continue;
      }
      if (strstr(ln, "<EventCoding")) {
        du_buf_append(&r->rec_exp, ln, strlen(ln));
        du_buf_putc(&r->rec_exp, '\n');
      }
    }
    if (!closed) {
      return du_err_at(err, DYAD_EDATA, r->name, r->story_line, "<Sentence> without </Sentence>");
    }
    if (!r->rec_id.len) {
      return du_err_at(err, DYAD_EDATA, r->name, r->story_line, "<Sentence> without an id");
    }
    if (!r->rec_date.len) {
      return du_err_at(err, DYAD_EDATA, r->name, r->story_line, "<Sentence> %s without a date", r->rec_id.data);
    }
    if (r->rec_text.data) unescape(r->rec_text.data);
    r->rec_text.len = r->rec_text.data ? strlen(r->rec_text.data) : 0;
    st->id = r->rec_id.data;
    st->date = r->rec_date.data;
    st->text = r->rec_text.data ? r->rec_text.data : "";
    st->text_len = r->rec_text.len;
    st->source = st->url = NULL;
    r->petr.category = r->rec_cat.data ? r->rec_cat.data : "";
    r->petr.expected = r->rec_exp.data ? r->rec_exp.data : "";
    return DYAD_OK;
  }
}

int dyad_reader_next(dyad_reader *r, dyad_story *st, dyad_error *err) {
  memset(st, 0, sizeof *st);
  switch (r->format) {
    case DYAD_IN_JSONL: return next_jsonl(r, st, err);
    case DYAD_IN_TEXT: return next_text(r, st, err);
    case DYAD_IN_PETRARCH: return next_petrarch(r, st, err);
    default: return du_err(err, DYAD_EINVAL, "unknown input format");
  }
}
