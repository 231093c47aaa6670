/* buf.c - capped buffers and JSON strings for `dyad serve`. */
#include "serve/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sv_buf_init(sv_buf *b, size_t max) {
  memset(b, 0, sizeof *b);
  b->max = max;
}

void sv_buf_free(sv_buf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void sv_buf_reset(sv_buf *b) {
  b->len = 0;
  b->full = 0;
  if (b->data) b->data[0] = '\0';
}

static int grow(sv_buf *b, size_t need) {
  if (b->full) return -1;
  if (need > b->max || need < b->len) {
    b->full = 1;
    return -1;
  }
  if (need + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < need + 1) cap *= 2;
  if (cap > b->max + 1) cap = b->max + 1;
  char *d = realloc(b->data, cap);
  if (!d) {
    b->full = 1;
    return -1;
  }
  b->data = d;
  b->cap = cap;
  return 0;
}

int sv_buf_add(sv_buf *b, const char *s, size_t n) {
  if (grow(b, b->len + n)) return -1;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int sv_buf_puts(sv_buf *b, const char *s) { return sv_buf_add(b, s, strlen(s)); }

int sv_buf_printf(sv_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n < sizeof small) return sv_buf_add(b, small, (size_t)n);
  if (grow(b, b->len + (size_t)n)) return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

char *sv_buf_take(sv_buf *b, size_t *len) {
  if (!b->data && grow(b, 0)) return NULL;
  char *d = b->data;
  *len = b->len;
  memset(b, 0, sizeof *b);
  return d;
}

size_t sv_utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t k;
  unsigned min;
  unsigned cp;
  if (c >= 0xC2 && c <= 0xDF) {
    k = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    k = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    k = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (k > n) return 0;
  for (size_t i = 1; i < k; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return k;
}

int sv_json_strn(sv_buf *b, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  if (sv_buf_add(b, "\"", 1)) return -1;
  size_t i = 0, run = 0;
  while (i < n) {
    unsigned char c = s[i];
    const char *esc = NULL;
    char u[8];
    size_t k = 1;
    if (c == '"') esc = "\\\"";
    else if (c == '\\') esc = "\\\\";
    else if (c == '\n') esc = "\\n";
    else if (c == '\r') esc = "\\r";
    else if (c == '\t') esc = "\\t";
    else if (c < 0x20 || c == 0x7F) {
      snprintf(u, sizeof u, "\\u%04x", c);
      esc = u;
    } else if (c >= 0x80) {
      k = sv_utf8_len(s + i, n - i);
      if (!k) {
        esc = "\\ufffd";
        k = 1;
      } else if (k == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
        /* U+2028/2029 are valid JSON but not valid in older JavaScript. */
        esc = s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
      }
    } else if (c == '<' || c == '>' || c == '&') {
      /* Harmless in JSON; escaped so a body can never read as markup. */
      snprintf(u, sizeof u, "\\u%04x", c);
      esc = u;
    }
    if (esc) {
      if (run && sv_buf_add(b, str + i - run, run)) return -1;
      run = 0;
      if (sv_buf_puts(b, esc)) return -1;
    } else {
      run += k;
    }
    i += k;
  }
  if (run && sv_buf_add(b, str + n - run, run)) return -1;
  return sv_buf_add(b, "\"", 1);
}

int sv_json_str(sv_buf *b, const char *s) { return sv_json_strn(b, s ? s : "", s ? strlen(s) : 0); }

int sv_json_key(sv_buf *b, const char *key) {
  if (sv_json_str(b, key)) return -1;
  return sv_buf_add(b, ":", 1);
}

int sv_json_num(sv_buf *b, double v, int decimals) {
  if (!isfinite(v)) return sv_buf_puts(b, "null");
  return sv_buf_printf(b, "%.*f", decimals, v);
}
