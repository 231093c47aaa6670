/* util.c - implementation of the helpers declared in util.h. */
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- errors ---- */

static const char *const status_text[] = {
#define XX(name, text) text,
    DYAD_STATUS_MAP(XX)
#undef XX
};
static const char *const status_name[] = {
#define XX(name, text) #name,
    DYAD_STATUS_MAP(XX)
#undef XX
};

const char *dyad_strerror(int status) {
  if (status < 0 || status >= DYAD_STATUS_COUNT) return "unknown status";
  return status_text[status];
}

const char *dyad_errname(int status) {
  if (status < 0 || status >= DYAD_STATUS_COUNT) return "EUNKNOWN";
  return status_name[status];
}

static int err_vfill(dyad_error *err, int status, const char *file, long line,
                     const char *fmt, va_list ap) {
  if (!err) return status;
  err->status = status;
  err->line = line;
  if (file) {
    snprintf(err->file, sizeof err->file, "%s", file);
  } else {
    err->file[0] = '\0';
  }
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return status;
}

int du_err(dyad_error *err, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err_vfill(err, status, NULL, 0, fmt, ap);
  va_end(ap);
  return status;
}

int du_err_at(dyad_error *err, int status, const char *file, long line,
              const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err_vfill(err, status, file, line, fmt, ap);
  va_end(ap);
  return status;
}

/* ---- allocation ---- */

void *du_malloc(size_t n) { return malloc(n ? n : 1); }
void *du_calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
void *du_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void du_free(void *p) { free(p); }

char *du_strndup(const char *s, size_t n) {
  char *d = du_malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *du_strdup(const char *s) { return du_strndup(s, strlen(s)); }

/* ---- arena ---- */

struct du_arena_block {
  du_arena_block *next;
  size_t size, used;
  /* Aligned payload follows. */
  max_align_t payload[];
};

void du_arena_init(du_arena *a, size_t block_size) {
  a->head = NULL;
  a->block_size = block_size ? block_size : 64 * 1024;
  a->total = 0;
}

void *du_arena_alloc(du_arena *a, size_t n) {
  n = (n + 7) & ~(size_t)7;
  du_arena_block *b = a->head;
  if (!b || b->size - b->used < n) {
    size_t size = a->block_size;
    if (size < n) size = n;
    b = du_malloc(sizeof *b + size);
    if (!b) return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->total += size;
  }
  void *p = (char *)b->payload + b->used;
  b->used += n;
  return p;
}

char *du_arena_strndup(du_arena *a, const char *s, size_t n) {
  char *d = du_arena_alloc(a, n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

void du_arena_reset(du_arena *a) {
  /* Keep only the oldest block (normally of block_size) for reuse. */
  du_arena_block *b = a->head, *keep = NULL;
  while (b) {
    du_arena_block *next = b->next;
    if (!next && b->size == a->block_size) {
      keep = b;
    } else {
      a->total -= b->size;
      du_free(b);
    }
    b = next;
  }
  if (keep) keep->used = 0;
  a->head = keep;
}

void du_arena_free(du_arena *a) {
  du_arena_block *b = a->head;
  while (b) {
    du_arena_block *next = b->next;
    du_free(b);
    b = next;
  }
  a->head = NULL;
  a->total = 0;
}

/* ---- vec ---- */

void du_vec_init(du_vec *v, size_t item) {
  v->data = NULL;
  v->len = v->cap = 0;
  v->item = item;
}

int du_vec_reserve(du_vec *v, size_t n) {
  if (v->len + n <= v->cap) return 0;
  size_t cap = v->cap ? v->cap * 2 : 16;
  while (cap < v->len + n) cap *= 2;
  void *d = du_realloc(v->data, cap * v->item);
  if (!d) return -1;
  v->data = d;
  v->cap = cap;
  return 0;
}

void du_vec_free(du_vec *v) {
  du_free(v->data);
  v->data = NULL;
  v->len = v->cap = 0;
}

/* ---- buf ---- */

void du_buf_init(du_buf *b, size_t max) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->max = max ? max : (size_t)1 << 30;
}

static int buf_grow(du_buf *b, size_t n) {
  if (b->len + n + 1 <= b->cap) return 0;
  if (b->len + n + 1 > b->max) return -1;
  size_t cap = b->cap ? b->cap * 2 : 256;
  while (cap < b->len + n + 1) cap *= 2;
  if (cap > b->max) cap = b->max;
  char *d = du_realloc(b->data, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

int du_buf_append(du_buf *b, const char *s, size_t n) {
  if (buf_grow(b, n)) return -1;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int du_buf_putc(du_buf *b, char c) { return du_buf_append(b, &c, 1); }

int du_buf_printf(du_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n < sizeof tmp) return du_buf_append(b, tmp, (size_t)n);
  if (buf_grow(b, (size_t)n)) return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void du_buf_reset(du_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void du_buf_free(du_buf *b) {
  du_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ---- intern ---- */

int du_intern_init(du_intern *t) {
  t->nslots = 1024;
  t->slots = du_calloc(t->nslots, sizeof *t->slots);
  du_vec_init(&t->offs, sizeof(uint32_t));
  du_vec_init(&t->lens, sizeof(uint32_t));
  du_buf_init(&t->pool, 0);
  return t->slots ? 0 : -1;
}

void du_intern_free(du_intern *t) {
  du_free(t->slots);
  t->slots = NULL;
  du_vec_free(&t->offs);
  du_vec_free(&t->lens);
  du_buf_free(&t->pool);
}

static int64_t intern_lookup(const du_intern *t, const char *s, size_t n,
                             size_t *slot) {
  size_t mask = t->nslots - 1, i = (size_t)du_hash(s, n) & mask;
  for (;;) {
    uint32_t v = t->slots[i];
    if (!v) {
      *slot = i;
      return -1;
    }
    uint32_t id = v - 1;
    if (DU_VEC_AT(&t->lens, uint32_t, id) == n &&
        memcmp(t->pool.data + DU_VEC_AT(&t->offs, uint32_t, id), s, n) == 0) {
      *slot = i;
      return id;
    }
    i = (i + 1) & mask;
  }
}

static int intern_rehash(du_intern *t) {
  size_t n = t->nslots * 2;
  uint32_t *slots = du_calloc(n, sizeof *slots);
  if (!slots) return -1;
  for (size_t id = 0; id < t->offs.len; id++) {
    const char *s = t->pool.data + DU_VEC_AT(&t->offs, uint32_t, id);
    size_t len = DU_VEC_AT(&t->lens, uint32_t, id);
    size_t i = (size_t)du_hash(s, len) & (n - 1);
    while (slots[i]) i = (i + 1) & (n - 1);
    slots[i] = (uint32_t)id + 1;
  }
  du_free(t->slots);
  t->slots = slots;
  t->nslots = n;
  return 0;
}

int64_t du_intern_add(du_intern *t, const char *s, size_t n) {
  size_t slot;
  int64_t id = intern_lookup(t, s, n, &slot);
  if (id >= 0) return id;
  if ((t->offs.len + 1) * 2 > t->nslots) {
    if (intern_rehash(t)) return -1;
    intern_lookup(t, s, n, &slot);
  }
  uint32_t *off = du_vec_push(&t->offs);
  uint32_t *len = du_vec_push(&t->lens);
  if (!off || !len) return -1;
  *off = (uint32_t)t->pool.len;
  *len = (uint32_t)n;
  if (du_buf_append(&t->pool, s, n) || du_buf_putc(&t->pool, '\0')) return -1;
  id = (int64_t)t->offs.len - 1;
  t->slots[slot] = (uint32_t)id + 1;
  return id;
}

int64_t du_intern_find(const du_intern *t, const char *s, size_t n) {
  size_t slot;
  return intern_lookup(t, s, n, &slot);
}

const char *du_intern_str(const du_intern *t, uint32_t id) {
  return t->pool.data + DU_VEC_AT(&t->offs, uint32_t, id);
}

size_t du_intern_count(const du_intern *t) { return t->offs.len; }

/* ---- files ---- */

int du_read_file(const char *path, char **data, size_t *len, dyad_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return du_err_at(err, DYAD_EIO, path, 0, "cannot open %s: %s", path,
                     strerror(errno));
  }
  du_buf b;
  du_buf_init(&b, (size_t)1 << 31);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (du_buf_append(&b, chunk, n)) {
      fclose(f);
      du_buf_free(&b);
      return du_err_at(err, DYAD_ENOMEM, path, 0, "%s is too large to read",
                       path);
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    du_buf_free(&b);
    return du_err_at(err, DYAD_EIO, path, 0, "read error on %s", path);
  }
  if (!b.data && du_buf_append(&b, "", 0)) {
    return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  *data = b.data;
  *len = b.len;
  return DYAD_OK;
}

/* ---- dates ---- */

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int du_days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return d[m - 1] + (m == 2 && is_leap(y));
}

/* Civil-from-days and days-from-civil (proleptic Gregorian). */
int32_t du_ymd_to_days(int32_t ymd) {
  int y = ymd / 10000, m = (ymd / 100) % 100, d = ymd % 100;
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int32_t du_days_to_ymd(int32_t z) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = yoe + era * 400;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  int d = doy - (153 * mp + 2) / 5 + 1;
  int m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  return y * 10000 + m * 100 + d;
}

int du_weekday(int32_t ymd) {
  int32_t days = du_ymd_to_days(ymd);
  /* 1970-01-01 was a Thursday (3 with Monday = 0). */
  int w = (int)((days % 7 + 7 + 3) % 7);
  return w;
}

int32_t du_ymd_add_days(int32_t ymd, int32_t delta) {
  return du_days_to_ymd(du_ymd_to_days(ymd) + delta);
}

void du_ymd_format(int32_t ymd, char out[11]) {
  unsigned y = (unsigned)(ymd / 10000) % 10000u;
  unsigned m = (unsigned)(ymd / 100) % 100u, d = (unsigned)ymd % 100u;
  const unsigned f[3] = {y, m, d}, w[3] = {4, 2, 2};
  char *o = out;
  for (int k = 0; k < 3; k++) {
    if (k) *o++ = '-';
    unsigned v = f[k];
    for (unsigned i = w[k]; i-- > 0;) {
      o[i] = (char)('0' + v % 10u);
      v /= 10u;
    }
    o += w[k];
  }
  *o = '\0';
}

size_t du_put_u64(char *p, uint64_t v) {
  char b[20];
  size_t n = 0;
  do {
    b[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) p[i] = b[n - 1 - i];
  return n;
}

int dyad_parse_date(const char *s, int32_t *ymd) {
  int y = 0, m = 0, d = 0;
  size_t n = s ? strlen(s) : 0;
  if (n == 10 && s[4] == '-' && s[7] == '-') {
    for (int i = 0; i < 10; i++) {
      if (i == 4 || i == 7) continue;
      if (s[i] < '0' || s[i] > '9') return -1;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
  } else if (n == 8) {
    for (int i = 0; i < 8; i++) {
      if (s[i] < '0' || s[i] > '9') return -1;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    d = (s[6] - '0') * 10 + (s[7] - '0');
  } else {
    return -1;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > du_days_in_month(y, m)) return -1;
  *ymd = y * 10000 + m * 100 + d;
  return 0;
}

char *du_trim(char *s) {
  while (du_is_space((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && du_is_space((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}
