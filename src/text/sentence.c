/*
 * sentence.c - sentence splitting and web-page clutter detection.
 *
 * Boundaries: terminal punctuation followed by something that can start a
 * sentence; abbreviations (U.S., Gen., Jan., No. 2) do not end a sentence
 * unless what follows is clearly a new one; blank lines always end one;
 * a single newline ends one after a short heading-like line. Sentences of
 * scraped pages that are navigation or boilerplate are marked clutter and
 * never coded.
 */
#include "text/text.h"

#define MAX_SENT_TOKENS 200

static int tok_is(const dt_tokens *t, size_t i, const char *w) {
  return du_streq(dt_norm(t, i), w);
}

static int in_list(const char *w, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (du_streq(w, list[i])) return 1;
  }
  return 0;
}

/* Abbreviations that never end a sentence when a capital follows. */
static const char *const title_abbrevs[] = {
    "mr.", "mrs.", "ms.", "dr.", "gen.", "col.", "lt.", "sgt.", "capt.",
    "maj.", "cmdr.", "cdr.", "adm.", "sen.", "rep.", "gov.", "pres.", "prof.",
    "rev.", "hon.", "st.", "mt.", "no.", "nos.", "jan.", "feb.", "mar.",
    "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.",
    "brig.", "cpl.", "pvt.", "supt.", "fr.", "messrs.", "vs.", "msgr.",
    "gens.", "sens.", "reps.", "mme.", "rt."};

/* Words that typically open a sentence: after "U.S." they signal a break. */
static const char *const openers[] = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "in", "on", "but",
    "and", "this", "that", "these", "those", "its", "his", "her", "their",
    "there", "however", "meanwhile", "officials", "earlier", "later", "at",
    "after", "before", "during", "while", "when", "since", "as", "for",
    "according", "last", "on", "one", "both", "some", "many", "no", "our",
    "if", "though", "although", "separately", "also", "still", "yet"};

/* Words a wrapped line can end in but a heading cannot. */
static const char *const continuers[] = {
    "a", "an", "the", "of", "for", "to", "in", "on", "at", "by", "with",
    "from", "and", "or", "but", "that", "his", "her", "its", "their", "said",
    "as", "than", "into", "over", "after", "before", "about", "against",
    "between", "this", "these", "is", "was", "were", "are", "has", "have",
    "had", "will", "would", "-"};

/* Boilerplate that scraped pages leave between sentences (folded). */
#define CS(s) {s, sizeof s - 1}
static const struct {
  const char *s;
  size_t n;
} clutter_starts[] = {
    CS("leave a comment"), CS("scroll for next"), CS("scroll to continue"), CS("read more"),
    CS("read also"), CS("also read"), CS("click here"), CS("sign up"), CS("subscribe"),
    CS("share this"), CS("share on"), CS("follow us"), CS("related articles"), CS("related :"),
    CS("related stories"), CS("advertisement"), CS("all rights reserved"), CS("copyright"),
    CS("image caption"), CS("photo :"), CS("getty images"), CS("you may also like"),
    CS("posted by"), CS("tags :"), CS("most read"), CS("trending"), CS("newsletter"),
    CS("skip to content"), CS("main menu"), CS("back to top"), CS("print this"), CS("email this"),
    CS("log in"), CS("sign in"), CS("recommended"), CS("continue reading"), CS("comments"),
    CS("watch :"), CS("listen to"), CS("download the"), CS("cookie"), CS("we use cookies"),
    CS("don't miss"), CS("do n't miss"), CS("breaking news :"), CS("more from"), CS("more stories"),
    CS("top stories"), CS("editor's picks"), CS("editor 's picks"), CS("home >"), CS("home page"),
    CS("previous article"), CS("next article"), CS("load more"), CS("view comments"),
    CS("whatsapp"), CS("facebook twitter"), CS("twitter facebook"), CS("follow on"),
    CS("reporting by"), CS("editing by"), CS("written by"), CS("additional reporting")};
#undef CS

/* Fold tokens [a, b) into a space-joined string for prefix tests. */
static void join_norm(const dt_tokens *t, size_t a, size_t b, char *out,
                      size_t cap) {
  size_t o = 0;
  for (size_t i = a; i < b && o + 2 < cap; i++) {
    const char *w = dt_norm(t, i);
    size_t wl = t->v[i].norm_len;
    if (o) out[o++] = ' ';
    if (o + wl + 1 >= cap) break;
    memcpy(out + o, w, wl);
    o += wl;
  }
  out[o] = '\0';
}

static int is_clutter(const dt_tokens *t, size_t a, size_t b) {
  size_t words = 0, caps = 0, crumbs = 0, pipes = 0;
  for (size_t i = a; i < b; i++) {
    const dt_token *k = &t->v[i];
    if (k->flags & (TK_WORD | TK_NUM)) {
      words++;
      if ((k->flags & TK_ALLCAP) || ((k->flags & TK_CAP) && k->norm_len == 1) ||
          (k->flags & TK_NUM)) {
        caps++;
      }
    } else if (k->punct == '>') {
      crumbs++;
    } else if (k->punct == '|') {
      pipes++;
    }
  }
  /* Two words without a full stop: a menu item, a button, a byline. */
  const dt_token *last = &t->v[b - 1];
  int ends = last->punct == '.' || last->punct == '!' || last->punct == '?' ||
             last->punct == '"';
  if (words < 3 && !ends) return 1;
  if (crumbs) return 1;
  if (pipes && words <= 20) return 1;
  if (caps == words && words <= 8) return 1;
  /* Only short lines: a real sentence may start "Comments by ...". */
  if (words > 12) return 0;
  char buf[128];
  join_norm(t, a, DU_MIN(b, a + 6), buf, sizeof buf);
  for (size_t i = 0; i < DU_ARRAY_LEN(clutter_starts); i++) {
    size_t n = clutter_starts[i].n;
    if (buf[0] == clutter_starts[i].s[0] && strncmp(buf, clutter_starts[i].s, n) == 0 &&
        (buf[n] == '\0' || buf[n] == ' ')) {
      return 1;
    }
  }
  return 0;
}

/* Does the line that ends before token I look like a heading? */
static int heading_line(const dt_tokens *t, size_t line_start, size_t i) {
  if (i == 0 || i <= line_start) return 0;
  const dt_token *last = &t->v[i - 1];
  if (last->punct == '.' || last->punct == '!' || last->punct == '?' ||
      last->punct == ',' || last->punct == ';' || last->punct == ':') {
    return 0;
  }
  if (in_list(dt_norm(t, i - 1), continuers, DU_ARRAY_LEN(continuers))) return 0;
  size_t n = i - line_start;
  int crumbs = 0, allcap = 1;
  for (size_t k = line_start; k < i; k++) {
    if (t->v[k].punct == '>' || t->v[k].punct == '|') crumbs = 1;
    if ((t->v[k].flags & TK_WORD) && !(t->v[k].flags & TK_ALLCAP) &&
        t->v[k].norm_len > 1) {
      allcap = 0;
    }
  }
  return crumbs || allcap || n <= 8;
}

static int starts_sentence(const dt_tokens *t, size_t i) {
  const dt_token *k = &t->v[i];
  if (k->flags & (TK_CAP | TK_NUM)) return 1;
  if (k->punct == '"' || k->punct == '\'' || k->punct == '(' ||
      k->punct == '[' || k->punct == '-' || k->punct == '*') {
    return 1;
  }
  return 0;
}

static int push_sentence(const dt_tokens *t, du_vec *out, size_t a, size_t b) {
  if (b <= a) return 0;
  dt_sentence *s = du_vec_push(out);
  if (!s) return -1;
  s->tok_start = (uint32_t)a;
  s->tok_end = (uint32_t)b;
  s->start = t->v[a].start;
  s->end = t->v[b - 1].end;
  s->clutter = is_clutter(t, a, b);
  return 0;
}

int dt_split_sentences(const char *text, const dt_tokens *t, du_vec *out) {
  (void)text;
  size_t start = 0, line_start = 0;
  for (size_t i = 0; i < t->n; i++) {
    const dt_token *k = &t->v[i];
    /* Breaks that come before token i. */
    if (i > start) {
      int brk = 0;
      if (k->flags & TK_PARA) {
        brk = 1;
      } else if ((k->flags & TK_NL) && starts_sentence(t, i) &&
                 heading_line(t, line_start, i)) {
        brk = 1;
      } else if (i - start >= MAX_SENT_TOKENS &&
                 (t->v[i - 1].punct == ',' || t->v[i - 1].punct == ';' ||
                  i - start >= 2 * MAX_SENT_TOKENS)) {
        brk = 1;
      }
      if (brk) {
        if (push_sentence(t, out, start, i)) return -1;
        start = i;
      }
    }
    if (k->flags & TK_NL) line_start = i;
    /* Breaks that come after token i. */
    size_t next = i + 1;
    int end = 0;
    if (k->punct == '.' || k->punct == '!' || k->punct == '?') {
      /* Absorb closing quotes and brackets. */
      while (next < t->n && !(t->v[next].flags & TK_SPACE) &&
             (t->v[next].punct == '"' || t->v[next].punct == '\'' ||
              t->v[next].punct == ')' || t->v[next].punct == ']')) {
        next++;
      }
      end = next >= t->n || starts_sentence(t, next) ||
            (t->v[next].flags & TK_NL);
      /* A period directly followed by lower case is not a boundary. */
      if (next < t->n && (t->v[next].flags & TK_WORD) &&
          !(t->v[next].flags & (TK_CAP | TK_NUM)) && !(t->v[next].flags & TK_NL)) {
        end = 0;
      }
      if (k->punct == '.' && next < t->n && (t->v[next].flags & TK_JOIN) &&
          !(t->v[next].flags & TK_SPACE) && (t->v[next].flags & TK_WORD)) {
        end = 0; /* "3.5" split oddly or a domain name */
      }
    } else if ((k->flags & TK_ABBR) && next < t->n) {
      const char *w = dt_norm(t, i);
      if (!in_list(w, title_abbrevs, DU_ARRAY_LEN(title_abbrevs)) &&
          k->norm_len > 2 && starts_sentence(t, next) &&
          (t->v[next].flags & TK_WORD) &&
          in_list(dt_norm(t, next), openers, DU_ARRAY_LEN(openers))) {
        end = 1;
      }
    } else if (k->flags & TK_ABBR && next >= t->n) {
      end = 1;
    }
    if (end) {
      if (push_sentence(t, out, start, next)) return -1;
      start = next;
      i = next - 1;
    }
  }
  if (start < t->n && push_sentence(t, out, start, t->n)) return -1;
  (void)tok_is;
  return 0;
}
