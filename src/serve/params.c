/* params.c - checking the dashboard's query parameters. */
#include "serve/params.h"

#include <stdio.h>
#include <string.h>

const char sv_filter_keys[] =
    "actor dyad source target directed from to root code quad plover modality min_sources place";

void sv_args_add(sv_args *a, const char *key, const char *val) {
  if (a->n >= SV_MAX_ARGS) {
    a->overflow = 1;
    return;
  }
  a->key[a->n] = key ? key : "";
  a->val[a->n] = val ? val : "";
  a->n++;
}

/* 1 when WORD is one of the space-separated words of LIST. */
static int in_list(const char *list, const char *word) {
  size_t n = strlen(word);
  if (!n) return 0;
  for (const char *p = list; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && !memcmp(p, word, n)) return 1;
    p = e;
  }
  return 0;
}

/* A short, printable quote of a client's value for messages. */
static const char *quote(const char *v, char *out, size_t n) {
  size_t k = 0;
  for (const char *c = v; *c && k + 4 < n; c++) {
    unsigned char u = (unsigned char)*c;
    out[k++] = (u < 0x20 || u >= 0x7F || u == '"' || u == '\\') ? '?' : (char)u;
  }
  if (*v && strlen(v) >= n - 4) {
    out[k++] = '.';
    out[k++] = '.';
    out[k++] = '.';
  }
  out[k] = '\0';
  return out;
}

static int fail(char *msg, size_t msglen, const char *fmt, const char *key, const char *val) {
  char q[48];
  snprintf(msg, msglen, fmt, key, quote(val ? val : "", q, sizeof q));
  return -1;
}

/* A whole number in [LO, HI]; digits only (no sign, no spaces). */
static int whole(const char *v, long lo, long hi, long *out) {
  size_t n = strlen(v);
  if (n == 0 || n > 9) return -1;
  long x = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9') return -1;
    x = x * 10 + (v[i] - '0');
  }
  if (x < lo || x > hi) return -1;
  *out = x;
  return 0;
}

/* An actor code or prefix: letters and digits, upper-cased. */
static int actor_code(const char *v, char *out, size_t n) {
  size_t len = strlen(v);
  if (len == 0 || len >= n) return -1;
  for (size_t i = 0; i < len; i++) {
    char c = v[i];
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return -1;
    out[i] = c;
  }
  out[len] = '\0';
  return 0;
}

static int word_upper(const char *v, char *out, size_t n) {
  size_t len = strlen(v);
  if (len == 0 || len >= n) return -1;
  for (size_t i = 0; i < len; i++) {
    char c = v[i];
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return -1;
    out[i] = c;
  }
  out[len] = '\0';
  return 0;
}

static int date_of(const char *v, char out[11]) {
  int32_t ymd;
  if (strlen(v) > 10 || dyad_parse_date(v, &ymd)) return -1;
  snprintf(out, 11, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100), (int)(ymd % 100));
  return 0;
}

/* Printable text without control characters (place names). */
static int plain_text(const char *v, char *out, size_t n) {
  size_t len = strlen(v);
  if (len == 0 || len >= n) return -1;
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F) return -1;
  }
  memcpy(out, v, len + 1);
  return 0;
}

static int event_id(const char *v, char *out, size_t n) {
  size_t len = strlen(v);
  if (len == 0 || len >= n) return -1;
  for (size_t i = 0; i < len; i++) {
    char c = v[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.' || c == ':')) {
      return -1;
    }
  }
  memcpy(out, v, len + 1);
  return 0;
}

static int one(const char *k, const char *v, const sv_spec *spec, sv_params *p, int *directed,
               char *msg, size_t ml) {
  dyad_query *q = &p->q;
  long x;
  if (!strcmp(k, "actor")) {
    if (actor_code(v, p->actor, sizeof p->actor))
      return fail(msg, ml, "%s must be an actor code of letters and digits, such as TUR or "
                           "PAKMIL (got '%s')", k, v);
    q->actor = p->actor;
  } else if (!strcmp(k, "source") || !strcmp(k, "target")) {
    char *dst = k[0] == 's' ? p->source : p->target;
    if (actor_code(v, dst, sizeof p->source))
      return fail(msg, ml, "%s must be an actor code of letters and digits (got '%s')", k, v);
    if (k[0] == 's') q->source = dst;
    else q->target = dst;
  } else if (!strcmp(k, "dyad")) {
    const char *comma = strchr(v, ',');
    char a[64], b[64];
    if (!comma || (size_t)(comma - v) >= sizeof a || strlen(comma + 1) >= sizeof b)
      return fail(msg, ml, "%s takes two actor codes with a comma, such as IND,PAK (got '%s')", k, v);
    snprintf(a, sizeof a, "%.*s", (int)(comma - v), v);
    snprintf(b, sizeof b, "%s", comma + 1);
    if (actor_code(a, p->source, sizeof p->source) || actor_code(b, p->target, sizeof p->target))
      return fail(msg, ml, "%s takes two actor codes with a comma, such as IND,PAK (got '%s')", k, v);
    q->source = p->source;
    q->target = p->target;
    p->dyad = 1;
  } else if (!strcmp(k, "directed")) {
    if (!strcmp(v, "1") || !strcmp(v, "true")) *directed = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false")) *directed = 0;
    else return fail(msg, ml, "%s must be 0 or 1 (got '%s')", k, v);
  } else if (!strcmp(k, "from") || !strcmp(k, "to")) {
    char *dst = k[0] == 'f' ? p->from : p->to;
    if (date_of(v, dst)) return fail(msg, ml, "%s must be a date YYYY-MM-DD (got '%s')", k, v);
    if (k[0] == 'f') q->from = dst;
    else q->to = dst;
  } else if (!strcmp(k, "root")) {
    if (whole(v, 1, 20, &x) || strlen(v) > 2)
      return fail(msg, ml, "%s must be a CAMEO root code from 01 to 20 (got '%s')", k, v);
    snprintf(p->root, sizeof p->root, "%02ld", x);
    q->root = p->root;
  } else if (!strcmp(k, "code")) {
    size_t n = strlen(v);
    if (n < 2 || n > 4 || whole(v, 0, 9999, &x) || whole((char[3]){v[0], v[1], 0}, 1, 20, &x))
      return fail(msg, ml, "%s must be a CAMEO code of 2 to 4 digits, such as 042 (got '%s')", k, v);
    memcpy(p->code, v, n + 1);
    q->code = p->code;
  } else if (!strcmp(k, "quad")) {
    if (whole(v, 1, 4, &x))
      return fail(msg, ml, "%s must be a quad class from 1 to 4 (got '%s')", k, v);
    q->quad = (int)x;
  } else if (!strcmp(k, "plover")) {
    if (word_upper(v, p->plover, sizeof p->plover))
      return fail(msg, ml, "%s must be a PLOVER event type such as CONSULT (got '%s')", k, v);
    q->plover = p->plover;
  } else if (!strcmp(k, "modality")) {
    if (!in_list("asserted reported hypothetical intended negated", v))
      return fail(msg, ml, "%s must be one of asserted, reported, hypothetical, intended, "
                           "negated (got '%s')", k, v);
    snprintf(p->modality, sizeof p->modality, "%s", v);
    q->modality = p->modality;
  } else if (!strcmp(k, "min_sources")) {
    if (whole(v, 0, 1000, &x))
      return fail(msg, ml, "%s must be a whole number from 0 to 1000 (got '%s')", k, v);
    q->min_sources = (int)x;
  } else if (!strcmp(k, "place")) {
    if (plain_text(v, p->place, sizeof p->place))
      return fail(msg, ml, "%s must be a place name or country code of at most 64 bytes (got '%s')", k, v);
    q->place = p->place;
  } else if (!strcmp(k, "limit")) {
    char fmt[96];
    snprintf(fmt, sizeof fmt, "%%s must be a whole number from 1 to %ld (got '%%s')", spec->max_limit);
    if (whole(v, 1, spec->max_limit, &x)) return fail(msg, ml, fmt, k, v);
    q->limit = x;
  } else if (!strcmp(k, "offset")) {
    if (whole(v, 0, SV_MAX_OFFSET, &x))
      return fail(msg, ml, "%s must be a whole number from 0 to 1000000 (got '%s')", k, v);
    q->offset = x;
  } else if (!strcmp(k, "by")) {
    if (!in_list("day week month year", v))
      return fail(msg, ml, "%s must be day, week, month or year (got '%s')", k, v);
    snprintf(p->by, sizeof p->by, "%s", v);
    q->by = p->by;
  } else if (!strcmp(k, "id")) {
    if (event_id(v, p->id, sizeof p->id))
      return fail(msg, ml, "%s must be an event id of letters, digits and - _ . : (got '%s')", k, v);
  } else {
    return fail(msg, ml, "unknown parameter '%s'%s", k, "");
  }
  return 0;
}

int sv_params_parse(const sv_args *a, const sv_spec *spec, sv_params *p, char *msg,
                    size_t msglen) {
  memset(p, 0, sizeof *p);
  dyad_query_init(&p->q);
  p->q.limit = spec->default_limit;
  msg[0] = '\0';
  if (a->overflow) {
    snprintf(msg, msglen, "too many parameters (%d at most)", SV_MAX_ARGS);
    return -1;
  }
  int directed = -1;
  for (int i = 0; i < a->n; i++) {
    const char *k = a->key[i], *v = a->val[i];
    char qk[48];
    int known = in_list(spec->keys, k) || (spec->filters && in_list(sv_filter_keys, k)) ||
                (spec->max_limit > 0 && (!strcmp(k, "limit") || !strcmp(k, "offset")));
    if (!known) {
      if (spec->filters || spec->keys[0] || spec->max_limit > 0) {
        snprintf(msg, msglen, "unknown parameter '%s' (this endpoint takes: %s%s%s%s)",
                 quote(k, qk, sizeof qk), spec->keys, spec->keys[0] && spec->filters ? " " : "",
                 spec->filters ? sv_filter_keys : "", spec->max_limit > 0 ? " limit offset" : "");
      } else {
        snprintf(msg, msglen, "unknown parameter '%s' (this endpoint takes none)",
                 quote(k, qk, sizeof qk));
      }
      return -1;
    }
    for (int j = 0; j < i; j++) {
      if (!strcmp(a->key[j], k)) {
        snprintf(msg, msglen, "parameter '%s' is given twice", quote(k, qk, sizeof qk));
        return -1;
      }
    }
    if (strlen(v) > SV_MAX_VALUE) {
      snprintf(msg, msglen, "the value of '%s' is too long (%d bytes at most)",
               quote(k, qk, sizeof qk), SV_MAX_VALUE);
      return -1;
    }
    if (!v[0]) continue;
    if (one(k, v, spec, p, &directed, msg, msglen)) return -1;
  }
  dyad_query *q = &p->q;
  int n_src = 0;
  for (int i = 0; i < a->n; i++) {
    if (a->val[i][0] && (!strcmp(a->key[i], "source") || !strcmp(a->key[i], "target"))) n_src++;
  }
  if (p->dyad && n_src) {
    snprintf(msg, msglen, "give either dyad=A,B or source/target, not both");
    return -1;
  }
  if (q->from && q->to && strcmp(q->from, q->to) > 0) {
    snprintf(msg, msglen, "from (%s) is after to (%s)", q->from, q->to);
    return -1;
  }
  /* A dyad means both directions unless directed=1. */
  q->undirected = p->dyad ? directed != 1 : 0;
  return 0;
}
