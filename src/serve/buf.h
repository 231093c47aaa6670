/*
 * buf.h - a growable byte buffer with a hard size cap, and JSON writing
 * into it. Internal to `dyad serve`.
 */
#ifndef DYAD_SERVE_BUF_H
#define DYAD_SERVE_BUF_H

#include <stddef.h>

typedef struct sv_buf {
  char *data;      /* NUL-terminated while len < cap */
  size_t len, cap;
  size_t max;      /* appends that would pass this fail */
  int full;        /* 1 once an append failed (cap reached or no memory) */
} sv_buf;

void sv_buf_init(sv_buf *b, size_t max);
void sv_buf_free(sv_buf *b);
void sv_buf_reset(sv_buf *b);
/* Append N bytes; -1 (and b->full) when over the cap or out of memory. */
int sv_buf_add(sv_buf *b, const char *s, size_t n);
int sv_buf_puts(sv_buf *b, const char *s);
int sv_buf_printf(sv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (free with free()); the buffer is emptied. */
char *sv_buf_take(sv_buf *b, size_t *len);

/* A JSON string (with quotes) of S[0..N): control characters escaped,
 * invalid UTF-8 replaced by U+FFFD, so the output is always valid JSON. */
int sv_json_strn(sv_buf *b, const char *s, size_t n);
int sv_json_str(sv_buf *b, const char *s);
/* "key": */
int sv_json_key(sv_buf *b, const char *key);
/* A number in JSON form: null when it is not finite. */
int sv_json_num(sv_buf *b, double v, int decimals);

/* Length of the valid UTF-8 sequence at S (at most N bytes), or 0. */
size_t sv_utf8_len(const unsigned char *s, size_t n);

#endif
