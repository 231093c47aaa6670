/*
 * util.h - small shared helpers: allocation, arenas, growable arrays,
 * string pools, hashing, error filling and file reading.
 *
 * Internal to libdyad (prefix du_). Nothing here is exported.
 */
#ifndef DYAD_UTIL_H
#define DYAD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dyad.h"

#if defined(__GNUC__)
#define DU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define DU_UNUSED __attribute__((unused))
#define DU_LIKELY(x) __builtin_expect(!!(x), 1)
#define DU_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DU_PRINTF(a, b)
#define DU_UNUSED
#define DU_LIKELY(x) (x)
#define DU_UNLIKELY(x) (x)
#endif

#define DU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DU_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DU_MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- errors ---- */

/* Fill ERR (may be NULL) and return STATUS. */
int du_err(dyad_error *err, int status, const char *fmt, ...) DU_PRINTF(3, 4);
/* Same, naming a data file and line. */
int du_err_at(dyad_error *err, int status, const char *file, long line,
              const char *fmt, ...) DU_PRINTF(5, 6);

/* ---- allocation ---- */

/* Allocation that returns NULL on failure (sizes depend on input). */
void *du_malloc(size_t n);
void *du_calloc(size_t n, size_t size);
void *du_realloc(void *p, size_t n);
void du_free(void *p);
char *du_strdup(const char *s);
char *du_strndup(const char *s, size_t n);

/* ---- arena: bump allocation, reset per story ---- */

typedef struct du_arena_block du_arena_block;

typedef struct du_arena {
  du_arena_block *head;   /* current block */
  size_t block_size;
  size_t total;           /* bytes held in all blocks */
} du_arena;

void du_arena_init(du_arena *a, size_t block_size);
/* Allocate N bytes aligned to 8; NULL on failure. */
void *du_arena_alloc(du_arena *a, size_t n);
char *du_arena_strndup(du_arena *a, const char *s, size_t n);
/* Forget everything allocated but keep the first block for reuse. */
void du_arena_reset(du_arena *a);
void du_arena_free(du_arena *a);

/* ---- growable array of fixed-size items ---- */

typedef struct du_vec {
  void *data;
  size_t len, cap, item;
} du_vec;

void du_vec_init(du_vec *v, size_t item);
/* Make room for N more items; 0 on success, -1 on failure. */
int du_vec_reserve(du_vec *v, size_t n);
/* Append one zeroed item and return it; NULL on failure. */
static inline void *du_vec_push(du_vec *v) {
  if (v->len == v->cap && du_vec_reserve(v, 1)) return NULL;
  void *p = (char *)v->data + v->len * v->item;
  memset(p, 0, v->item);
  v->len++;
  return p;
}
void du_vec_free(du_vec *v);
#define DU_VEC_AT(v, T, i) (((T *)(v)->data)[i])

/* ---- byte buffer (growable string) with a hard cap ---- */

typedef struct du_buf {
  char *data;
  size_t len, cap, max;
} du_buf;

void du_buf_init(du_buf *b, size_t max);
int du_buf_append(du_buf *b, const char *s, size_t n);
int du_buf_putc(du_buf *b, char c);
int du_buf_printf(du_buf *b, const char *fmt, ...) DU_PRINTF(2, 3);
void du_buf_reset(du_buf *b);
void du_buf_free(du_buf *b);

/* ---- hashing ---- */

static inline uint64_t du_hash(const void *p, size_t n) {
  /* FNV-1a with a final mix: fast for short words, good enough spread. */
  const unsigned char *s = (const unsigned char *)p;
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 1099511628211ULL;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

/* ---- string interning table: bytes -> dense id (0..n-1) ---- */

typedef struct du_intern {
  uint32_t *slots;        /* id+1, 0 = empty */
  size_t nslots;          /* power of two */
  du_vec offs;            /* uint32 offset into pool per id */
  du_vec lens;            /* uint32 length per id */
  du_buf pool;            /* NUL-separated strings */
} du_intern;

int du_intern_init(du_intern *t);
void du_intern_free(du_intern *t);
/* Id of S, adding it when absent; -1 on allocation failure. */
int64_t du_intern_add(du_intern *t, const char *s, size_t n);
/* Id of S or -1 when absent. */
int64_t du_intern_find(const du_intern *t, const char *s, size_t n);
const char *du_intern_str(const du_intern *t, uint32_t id);
size_t du_intern_count(const du_intern *t);

/* ---- files ---- */

/* Read a whole file into a NUL-terminated malloc'd buffer. */
int du_read_file(const char *path, char **data, size_t *len, dyad_error *err);

/* ---- dates (YYYYMMDD integers) ---- */

int du_days_in_month(int y, int m);
/* Days since 1970-01-01 for YYYYMMDD. */
int32_t du_ymd_to_days(int32_t ymd);
int32_t du_days_to_ymd(int32_t days);
/* 0 = Monday ... 6 = Sunday */
int du_weekday(int32_t ymd);
int32_t du_ymd_add_days(int32_t ymd, int32_t delta);
void du_ymd_format(int32_t ymd, char out[11]);

/* ---- text helpers ---- */

static inline int du_is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
static inline char du_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}
static inline char du_upper(char c) {
  return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}
/* Trim spaces in place at both ends; returns the new start. */
char *du_trim(char *s);

/* Copy at most n-1 bytes of src into dst[n] and terminate it, as
 * snprintf(dst, n, "%s", src) would, without the formatter's cost on the
 * coder's hot path. n must be at least 1. */
static inline void du_strlcpy(char *dst, const char *src, size_t n) {
  size_t i = 0;
  for (; i + 1 < n && src[i]; i++) dst[i] = src[i];
  dst[i] = '\0';
}
/* The same for at most len bytes of src (snprintf's "%.*s"). */
static inline void du_strlcpyn(char *dst, const char *src, size_t len, size_t n) {
  size_t i = 0;
  for (; i < len && i + 1 < n && src[i]; i++) dst[i] = src[i];
  dst[i] = '\0';
}
/* Equal strings; the first byte is compared inline, which settles most
 * tests of a word against a constant without a call. */
static inline int du_streq(const char *a, const char *b) {
  return a[0] == b[0] && strcmp(a, b) == 0;
}
/* Write v in decimal at p; returns the number of digits written. */
size_t du_put_u64(char *p, uint64_t v);

#endif /* DYAD_UTIL_H */
