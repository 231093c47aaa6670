/* token.c - UTF-8 checking, folding and tokenizing. */
#include <utf8proc.h>

#include "text/text.h"

/* ---- UTF-8 ---- */

int dt_utf8_check(const char *str, size_t n, size_t *bad) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t need;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      need = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      need = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      need = 3, cp = c & 0x07, min = 0x10000;
    } else {
      goto fail;
    }
    if (i + need >= n) goto fail;
    for (size_t k = 1; k <= need; k++) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) goto fail;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto fail;
    i += need + 1;
  }
  return 0;
fail:
  if (bad) *bad = i;
  return -1;
}

/* Decode one code point of valid UTF-8 at S[i]; sets *len. */
static uint32_t decode(const unsigned char *s, size_t n, size_t i, size_t *len) {
  unsigned c = s[i];
  if (c < 0x80 || i + 1 >= n) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0) {
    *len = 2;
    return ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
  }
  if ((c & 0xF0) == 0xE0 && i + 2 < n) {
    *len = 3;
    return ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
  }
  if ((c & 0xF8) == 0xF0 && i + 3 < n) {
    *len = 4;
    return ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) |
           ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
  }
  *len = 1;
  return 0xFFFD;
}

static int is_uspace(uint32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x85;
}

/* Map a non-word code point to a normalized punctuation char, or 0. */
static char punct_of(uint32_t cp) {
  if (cp < 0x80) return (char)cp;
  switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
    case 0xAB: case 0xBB: case 0x2039: case 0x203A:
      return cp == 0xAB || cp == 0xBB || cp == 0x2039 || cp == 0x203A ? '>' : '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212:
      return '-';
    case 0x2026:
      return '.';
    case 0x2022: case 0x00B7: case 0x25CF: case 0x25AA:
      return '*';
    default:
      return '~';
  }
}

static int is_word_cp_slow(uint32_t cp) {
  if (is_uspace(cp)) return 0;
  utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
  switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return 1;
    default:
      return 0;
  }
}

/* Letters and digits of any script (the ASCII ones inline). */
static inline int is_word_cp(uint32_t cp) {
  if (cp < 0x80) return (cp | 32) - 'a' < 26u || cp - '0' < 10u;
  return is_word_cp_slow(cp);
}

static int is_upper_cp(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LU ||
         utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LT;
}

static int is_lower_cp(uint32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z';
  return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LL;
}

/* ---- token storage ---- */

void dt_tokens_init(dt_tokens *t) { memset(t, 0, sizeof *t); }

void dt_tokens_reset(dt_tokens *t) {
  t->n = 0;
  t->norm_len = 0;
}

void dt_tokens_free(dt_tokens *t) {
  du_free(t->v);
  du_free(t->norm);
  memset(t, 0, sizeof *t);
}

static int norm_reserve(dt_tokens *t, size_t n) {
  if (t->norm_len + n <= t->norm_cap) return 0;
  size_t cap = t->norm_cap ? t->norm_cap * 2 : 4096;
  while (cap < t->norm_len + n) cap *= 2;
  char *d = du_realloc(t->norm, cap);
  if (!d) return -1;
  t->norm = d;
  t->norm_cap = cap;
  return 0;
}

static dt_token *push_token(dt_tokens *t) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 256;
    dt_token *v = du_realloc(t->v, cap * sizeof *v);
    if (!v) return NULL;
    t->v = v;
    t->cap = cap;
  }
  dt_token *k = &t->v[t->n++];
  memset(k, 0, sizeof *k);
  return k;
}

/* Append the folded form of text[a, b) to the norm buffer. */
static int fold_into(dt_tokens *t, const unsigned char *s, size_t n, size_t a,
                     size_t b) {
  /* Worst case growth: a code point may decompose into a few. */
  if (norm_reserve(t, (b - a) * 4 + 8)) return -1;
  char *o = t->norm + t->norm_len;
  size_t i = a;
  while (i < b) {
    unsigned c = s[i];
    if (c < 0x80) {
      *o++ = du_lower((char)c);
      i++;
      continue;
    }
    size_t len;
    uint32_t cp = decode(s, n, i, &len);
    i += len;
    if (cp == 0x2019 || cp == 0x2018 || cp == 0x2032) {
      *o++ = '\'';
      continue;
    }
    if (cp >= 0x2010 && cp <= 0x2015) {
      *o++ = '-';
      continue;
    }
    utf8proc_int32_t dst[8];
    int last = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(
        (utf8proc_int32_t)cp, dst, 8,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
            UTF8PROC_STRIPMARK,
        &last);
    if (k < 0 || k > 8) {
      /* Keep the raw bytes when the character cannot be folded. */
      memcpy(o, s + i - len, len);
      o += len;
      continue;
    }
    for (utf8proc_ssize_t j = 0; j < k; j++) {
      o += utf8proc_encode_char(dst[j], (utf8proc_uint8_t *)o);
    }
  }
  *o++ = '\0';
  t->norm_len = (size_t)(o - t->norm);
  return 0;
}

static int emit(dt_tokens *t, const unsigned char *s, size_t n, size_t a,
                size_t b, uint16_t flags, char punct, const char *norm) {
  dt_token *k = push_token(t);
  if (!k) return -1;
  k->start = (uint32_t)a;
  k->end = (uint32_t)b;
  k->flags = flags;
  k->punct = punct;
  k->norm = (uint32_t)t->norm_len;
  if (norm) {
    size_t len = strlen(norm);
    if (norm_reserve(t, len + 1)) return -1;
    memcpy(t->norm + t->norm_len, norm, len + 1);
    t->norm_len += len + 1;
  } else if (fold_into(t, s, n, a, b)) {
    return -1;
  }
  k->norm_len = (uint16_t)DU_MIN(t->norm_len - k->norm - 1, 0xFFFF);
  return 0;
}

/* Abbreviations whose period belongs to the word (folded, no period). */
#define AB(s) {s, sizeof s - 1}
static const struct {
  const char *s;
  size_t n;
} abbrevs[] = {
    AB("adm"), AB("approx"), AB("apr"), AB("assn"), AB("aug"), AB("ave"), AB("blvd"), AB("brig"), AB("capt"),
    AB("cdr"), AB("cmdr"), AB("co"), AB("col"), AB("corp"), AB("cpl"), AB("dec"), AB("dept"), AB("dr"), AB("e.g"),
    AB("esp"), AB("est"), AB("etc"), AB("feb"), AB("fig"), AB("fr"), AB("ft"), AB("gen"), AB("gov"), AB("govt"),
    AB("hon"), AB("i.e"), AB("inc"), AB("jan"), AB("jr"), AB("jul"), AB("jun"), AB("lt"), AB("ltd"), AB("maj"),
    AB("mar"), AB("messrs"), AB("mr"), AB("mrs"), AB("ms"), AB("mt"), AB("no"), AB("nos"), AB("nov"), AB("oct"),
    AB("ph.d"), AB("pres"), AB("prof"), AB("pvt"), AB("rep"), AB("reps"), AB("rev"), AB("sen"), AB("sens"),
    AB("sep"), AB("sept"), AB("sgt"), AB("sr"), AB("st"), AB("supt"), AB("vol"), AB("vs"), AB("gens"), AB("cols"),
    AB("adms"), AB("lts"), AB("sgts"), AB("mssrs"), AB("mme"), AB("mlle"), AB("dist"), AB("sq"), AB("jnr"),
    AB("snr"), AB("bros"), AB("cie"), AB("mgr"), AB("msgr"), AB("rt"), AB("excl"), AB("incl"), AB("univ"), AB("u.s"),
    AB("u.n"), AB("u.k"), AB("e.u"), AB("u.a.e"), AB("d.c"), AB("a.m"), AB("p.m")};
#undef AB

int dt_is_abbrev(const char *w, size_t n) {
  for (size_t i = 0; i < DU_ARRAY_LEN(abbrevs); i++) {
    if (abbrevs[i].n == n && abbrevs[i].s[0] == w[0] && memcmp(abbrevs[i].s, w, n) == 0) return 1;
  }
  return 0;
}

/* Scan a word starting at I; returns its end and sets flags. */
static size_t scan_word(const unsigned char *s, size_t n, size_t i,
                        uint16_t *flags) {
  size_t j = i, len;
  int letters = 0, uppers = 0, digits_only = 1, first = 1, has_dot = 0;
  size_t since_dot = 0;
  while (j < n) {
    unsigned c0 = s[j];
    if ((c0 | 32) - 'a' < 26u) {
      /* ASCII letters, the common case, without decoding. */
      digits_only = 0;
      letters++;
      if (c0 < 'a') {
        uppers++;
        if (first) *flags |= TK_CAP;
      }
      first = 0;
      j++;
      since_dot++;
      continue;
    }
    uint32_t cp = decode(s, n, j, &len);
    if (is_word_cp(cp)) {
      if (cp >= '0' && cp <= '9') {
        /* digits */
      } else {
        digits_only = 0;
        if (is_upper_cp(cp)) {
          letters++, uppers++;
          if (first) *flags |= TK_CAP;
        } else if (is_lower_cp(cp)) {
          letters++;
        }
      }
      first = 0;
      j += len;
      since_dot++;
      continue;
    }
    /* Inside-number separators: 11.8, 50,000 */
    if ((cp == '.' || cp == ',') && digits_only && j > i && j + 1 < n &&
        s[j + 1] >= '0' && s[j + 1] <= '9') {
      j++;
      continue;
    }
    if (cp == '&' && j > i && j + 1 < n && ((s[j + 1] | 32) >= 'a' && (s[j + 1] | 32) <= 'z') &&
        since_dot <= 3) {
      j++;
      since_dot++;
      continue;
    }
    if (cp == '.' && !digits_only) {
      /* Letters separated by periods (U.S., F.W.), initials, abbreviations. */
      size_t wl = j - i;
      int single = since_dot == 1;
      if (single || has_dot) {
        j++;
        has_dot = 1;
        since_dot = 0;
        *flags |= TK_ABBR;
        continue;
      }
      /* Known abbreviation: check the folded word. */
      if (wl <= 8) {
        char w[16];
        size_t k;
        for (k = 0; k < wl; k++) w[k] = du_lower((char)s[i + k]);
        if (dt_is_abbrev(w, wl)) {
          j++;
          *flags |= TK_ABBR;
          break;
        }
      }
      break;
    }
    if ((cp == '\'' || cp == 0x2019) && j > i) {
      /* Apostrophe between letters: O'Brien, d'Ivoire (not clitics). */
      size_t l2;
      size_t nx = j + len;
      if (nx < n) {
        uint32_t c2 = decode(s, n, nx, &l2);
        int clitic = 0;
        if ((c2 | 32) == 's' || (c2 | 32) == 'd' || (c2 | 32) == 'm') {
          size_t after = nx + 1;
          if (after >= n || !is_word_cp(decode(s, n, after, &l2))) clitic = 1;
        }
        if (((c2 | 32) == 'r' || (c2 | 32) == 'v' || (c2 | 32) == 'l') &&
            nx + 1 < n && ((s[nx + 1] | 32) == 'e' || (s[nx + 1] | 32) == 'l')) {
          size_t after = nx + 2;
          if (after >= n || !is_word_cp(decode(s, n, after, &l2))) clitic = 1;
        }
        if ((c2 | 32) == 't' && j > i && (s[j - 1] | 32) == 'n') {
          size_t after = nx + 1;
          if (after >= n || !is_word_cp(decode(s, n, after, &l2))) clitic = 1;
        }
        if (!clitic && c2 < 0x80 && is_word_cp(c2) && !(c2 >= '0' && c2 <= '9')) {
          j += len;
          continue;
        }
      }
    }
    break;
  }
  if (letters >= 2 && letters == uppers) *flags |= TK_ALLCAP;
  if (digits_only) *flags |= TK_NUM;
  else *flags |= TK_WORD;
  return j;
}

int dt_tokenize(const char *text, size_t n, dt_tokens *t) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0, len;
  uint16_t pre = 0;   /* flags collected from the gap before the next token */
  int newlines = 0;
  while (i < n) {
    unsigned c = s[i];
    uint32_t cp = c < 0x80 ? c : decode(s, n, i, &len);
    if (c < 0x80) len = 1;
    if ((c < 0x80 && (du_is_space((unsigned char)c) || c < 0x20 || c == 0x7F)) ||
        (c >= 0x80 && is_uspace(cp))) {
      if (c == '\n') {
        newlines++;
        pre |= TK_NL;
        if (newlines >= 2) pre |= TK_PARA;
      }
      pre |= TK_SPACE;
      i += len;
      continue;
    }
    uint16_t flags = pre;
    if (!(pre & TK_SPACE) && t->n > 0) flags |= TK_JOIN;
    pre = 0;
    newlines = 0;
    if (is_word_cp(cp)) {
      size_t j = scan_word(s, n, i, &flags);
      /* Split n't from the word: didn't -> did n't, can't -> ca n't. */
      if (j < n && (s[j] == '\'' || (s[j] == 0xE2 && j + 2 < n && s[j + 1] == 0x80 && s[j + 2] == 0x99))) {
        size_t al = s[j] == '\'' ? 1 : 3;
        if (j > i + 1 && (s[j - 1] | 32) == 'n' && j + al < n && (s[j + al] | 32) == 't' &&
            (j + al + 1 >= n || !is_word_cp(s[j + al + 1]))) {
          if (emit(t, s, n, i, j - 1, flags, 0, NULL)) return -1;
          if (emit(t, s, n, j - 1, j + al + 1, TK_WORD | TK_NEG | TK_JOIN, 0, "n't")) return -1;
          i = j + al + 1;
          continue;
        }
      }
      if (emit(t, s, n, i, j, flags, 0, NULL)) return -1;
      i = j;
      /* Clitics: 's (possessive or is), ' after plural s, 're 've 'll 'd 'm. */
      if (i < n && (s[i] == '\'' || (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99))) {
        size_t al = s[i] == '\'' ? 1 : 3;
        size_t k = i + al;
        size_t wl = 0;
        while (k + wl < n && ((s[k + wl] | 32) >= 'a' && (s[k + wl] | 32) <= 'z') && wl < 3) wl++;
        int after_ok = k + wl >= n || !is_word_cp(decode(s, n, k + wl, &len));
        if (wl == 1 && (s[k] | 32) == 's' && after_ok) {
          if (emit(t, s, n, i, k + 1, TK_WORD | TK_POSS | TK_JOIN, 0, "'s")) return -1;
          i = k + 1;
        } else if (after_ok && wl >= 1 && wl <= 2 &&
                   ((wl == 2 && ((s[k] | 32) == 'r' || (s[k] | 32) == 'v') && (s[k + 1] | 32) == 'e') ||
                    (wl == 2 && (s[k] | 32) == 'l' && (s[k + 1] | 32) == 'l') ||
                    (wl == 1 && ((s[k] | 32) == 'd' || (s[k] | 32) == 'm')))) {
          if (emit(t, s, n, i, k + wl, TK_WORD | TK_JOIN, 0, NULL)) return -1;
          i = k + wl;
        } else if (wl == 0 && j > 0 && (s[j - 1] | 32) == 's') {
          if (emit(t, s, n, i, i + al, TK_POSS | TK_PUNCT | TK_JOIN, '\'', "'")) return -1;
          i += al;
        }
      }
      continue;
    }
    /* Punctuation: collapse runs of periods and dashes. */
    char p = punct_of(cp);
    size_t j = i + len;
    if (p == '.' || p == '-') {
      size_t l2;
      while (j < n && punct_of(decode(s, n, j, &l2)) == p && !is_word_cp(decode(s, n, j, &l2))) j += l2;
    }
    flags |= TK_PUNCT;
    if (p == '-' && (flags & TK_JOIN) && j < n && is_word_cp(decode(s, n, j, &len)) && j == i + 1) {
      flags |= TK_HYPHEN;
    }
    char pn[4] = {p, 0, 0, 0};
    if (p == '.' && j - i > 1) pn[1] = '.', pn[2] = '.';
    if (emit(t, s, n, i, j, flags, p, pn)) return -1;
    i = j;
  }
  return 0;
}

size_t dt_fold_phrase(const char *s, size_t n, char *out, size_t cap) {
  dt_tokens t;
  dt_tokens_init(&t);
  size_t o = 0;
  if (cap == 0) return 0;
  if (dt_tokenize(s, n, &t) == 0) {
    for (size_t i = 0; i < t.n; i++) {
      const char *w = dt_norm(&t, i);
      size_t wl = t.v[i].norm_len;
      if (o && !(t.v[i].flags & TK_JOIN) && o + 1 < cap) out[o++] = ' ';
      if (o + wl >= cap) break;
      memcpy(out + o, w, wl);
      o += wl;
    }
  }
  out[o] = '\0';
  dt_tokens_free(&t);
  return o;
}
