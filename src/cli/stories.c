/* stories.c - reading stories: the input formats' names, and copying
 * batched stories' strings for the coding threads. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_input_format(const char *name, int *out) {
  static const struct { const char *name; int format; } formats[] = {
      {"jsonl", DYAD_IN_JSONL}, {"text", DYAD_IN_TEXT}, {"petrarch", DYAD_IN_PETRARCH}};
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    if (!strcmp(name, formats[i].name)) {
      *out = formats[i].format;
      return 0;
    }
  }
  cli_err("unknown input format '%s' (jsonl, text or petrarch)", name);
  return -1;
}

static dyad_story *story_at(void *base, size_t stride, size_t i) {
  return (dyad_story *)(void *)((char *)base + i * stride);
}

int story_buf_add(story_buf *sb, const dyad_story *s, void *base, size_t stride, size_t n,
                  size_t first) {
  const char *parts[5] = {s->id, s->date, s->text, s->source, s->url};
  size_t lens[5];
  size_t need = 0;
  for (int k = 0; k < 5; k++) {
    lens[k] = parts[k] ? (k == 2 ? s->text_len : strlen(parts[k])) : 0;
    need += lens[k] + 1;
  }
  if (sb->len + need > sb->cap) {
    size_t nc = sb->cap ? sb->cap : first;
    while (sb->len + need > nc) nc *= 2;
    char *nb = realloc(sb->buf, nc);
    if (!nb) return -1;
    /* Re-point the stories already copied. */
    for (size_t i = 0; i < n; i++) {
      dyad_story *t = story_at(base, stride, i);
      const char **f[5] = {&t->id, &t->date, &t->text, &t->source, &t->url};
      for (int k = 0; k < 5; k++)
        if (*f[k]) *f[k] = nb + (*f[k] - sb->buf);
    }
    sb->buf = nb;
    sb->cap = nc;
  }
  dyad_story *t = story_at(base, stride, n);
  const char **f[5] = {&t->id, &t->date, &t->text, &t->source, &t->url};
  for (int k = 0; k < 5; k++) {
    if (!parts[k]) {
      *f[k] = NULL;
      continue;
    }
    memcpy(sb->buf + sb->len, parts[k], lens[k]);
    sb->buf[sb->len + lens[k]] = '\0';
    *f[k] = sb->buf + sb->len;
    sb->len += lens[k] + 1;
  }
  t->text_len = s->text_len;
  return 0;
}
