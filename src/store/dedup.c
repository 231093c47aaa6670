/*
 * dedup.c - grouping the mentions of dirty dyads into events.
 *
 * Dirty dyads are regrouped in batches of up to DEDUP_KEYS keys, one
 * transaction each. A batch is the first keys of `dirty` in key order, up
 * to a bound key, and takes few statements beyond what changed:
 *   1. one DELETE removes the events of its keys that have no mention
 *      left;
 *   2. one scan reads the mentions of its keys, key after key (`dirty`
 *      drives the join, in the order of its primary key), and one query
 *      per key the ids of its events;
 *   3. each key's mentions are grouped in memory. A group that has an
 *      event already, whose mentions are exactly those pointing at it, is
 *      left as it is: an event is a function of its mentions, which do
 *      not change (a replaced story takes its mentions' events with it).
 *      Every other group is written with one INSERT (ON CONFLICT UPDATE),
 *      and the key's events that no group has any more are deleted;
 *   4. only mentions whose event id changed are updated: a new mention is
 *      stored with its own id as event id, which is already right when it
 *      comes first in its group (most mentions);
 *   5. one DELETE takes the keys out of `dirty`.
 * Grouping the log of a load into an empty store (dyad_store_remember)
 * writes every group with a plain INSERT.
 *
 * Reading and writing overlap: a second connection, on a thread of its
 * own, runs the scan and the grouping (2, 3) and hands the events over in
 * chunks, while the store's connection inserts them. The reader sees the
 * store as of the last commit, which holds every mention of the batch:
 * only the writer changes the store meanwhile, and only the batch's
 * events, which the reader does not read. Where no second connection can
 * be had (an in-memory database), both sides run on the caller's thread,
 * one chunk at a time.
 *
 * Memory holds one key's mentions, a few chunks of events and the batch's
 * changed event ids.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

#define DEDUP_KEYS 50000
#define CHUNK_EVENTS 2048
#define MAX_CHUNKS 4

/* One mention of the key being grouped; strings are in the key's arena. */
typedef struct dm {
  const char *id, *date, *place, *country, *code, *modality, *story, *publisher,
      *story_date, *scountry, *tcountry, *plover, *event_id;
  int day, has_ll;
  int64_t rowid; /* of its row, where known (grouping from the log), else -1 */
  double lat, lon, gold;
} dm;

/* A mention whose event id changes. */
typedef struct relink {
  const char *mention, *event;
  int64_t rowid;
} relink;

/* The values of one event row. */
typedef struct evrow {
  const char *id, *date, *src, *scountry, *tgt, *tcountry, *code, *root, *plover, *modality,
      *place, *country, *first_seen, *note;
  int day, neg, quad, has_ll, conflict;
  int64_t n, nstories, nsources;
  double gold, lat, lon;
} evrow;

/* Events and changed event ids on their way from reader to writer. */
typedef struct chunk {
  struct chunk *next;
  du_arena strs;
  du_vec rows;   /* evrow */
  du_vec links;  /* relink */
  du_vec gone;   /* evgone */
} chunk;

/* An event to delete: its id, under its key (an id is the smallest id of
 * the event's mentions, and so belongs to one key). */
typedef struct evgone {
  const char *id, *src, *tgt, *root;
  int neg;
} evgone;

/* An event of the key being grouped, as stored before. */
typedef struct oldev {
  const char *id;
  int kept; /* a group has this id now */
} oldev;

typedef struct dedup dedup;

/* The reading side: scans a batch and groups it into chunks. */
typedef struct reader {
  dedup *x;
  db *d;         /* a connection of its own, or the writer's */
  int own;       /* d is its own */
  const db_ops *o;
  db_stmt *scan, *publisher, *events;
  /* the key being read: its strings and mentions, and (reading the
   * database) its stored events and its mentions' event ids, sorted */
  du_arena arena;
  du_vec ms, grp;
  du_vec old;    /* oldev */
  du_vec eids;   /* const char * */
  char *used;
  size_t used_cap;
  const char *src, *tgt, *root;
  int neg;
  chunk *cur;
  /* the batch's bound key */
  char *const *bound;
  int bound_neg;
  /* or the log of a load into an empty store: its records in key order,
   * and the next one to read */
  const ds_log *log;
  uint32_t *order;
  size_t pos;
  int rc;
  dyad_error err;
} reader;

struct dedup {
  dyad_store *st;
  db *d;
  const db_ops *o;
  db_stmt *first, *last, *del, *ins, *upsert, *drop, *link, *link_row, *clean;
  int batch_keys;
  size_t chunk_events;
  reader rd;
  /* the hand-over, when the reader has a thread */
  int threaded;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  chunk *ready, *ready_tail, *spare;
  int nchunks, reading, stop;
  /* the batch's changed event ids */
  du_arena link_arena;
  du_vec links;
};

static void bt(const db_ops *o, db_stmt *s, int i, const char *v) {
  o->bind_ref(s, i, v, v ? strlen(v) : 0);
}

static const char *astr(du_arena *a, const char *s) {
  if (!s) s = "";
  return du_arena_strndup(a, s, strlen(s));
}

static chunk *chunk_new(void) {
  chunk *k = du_calloc(1, sizeof *k);
  if (!k) return NULL;
  du_arena_init(&k->strs, 64 * 1024);
  du_vec_init(&k->rows, sizeof(evrow));
  du_vec_init(&k->links, sizeof(relink));
  du_vec_init(&k->gone, sizeof(evgone));
  return k;
}

static void chunk_reset(chunk *k) {
  du_arena_reset(&k->strs);
  k->rows.len = 0;
  k->links.len = 0;
  k->gone.len = 0;
  k->next = NULL;
}

static void chunk_free(chunk *k) {
  if (!k) return;
  du_arena_free(&k->strs);
  du_vec_free(&k->rows);
  du_vec_free(&k->links);
  du_vec_free(&k->gone);
  du_free(k);
}

/* ---- the writing side ---- */

/* Delete a chunk's gone events, write its events, and keep its changed
 * event ids for the end of the batch. */
static int write_chunk(dedup *x, chunk *k, dyad_error *err) {
  const db_ops *o = x->o;
  const evgone *g = k->gone.data;
  for (size_t i = 0; i < k->gone.len; i++) {
    bt(o, x->drop, 1, g[i].id);
    bt(o, x->drop, 2, g[i].src);
    bt(o, x->drop, 3, g[i].tgt);
    bt(o, x->drop, 4, g[i].root);
    o->bind_int(x->drop, 5, g[i].neg);
    int r = o->step(x->drop, err);
    o->reset(x->drop);
    if (r < 0) return DYAD_EDB;
  }
  db_stmt *ins = x->rd.log ? x->ins : x->upsert;
  const evrow *e = k->rows.data;
  for (size_t i = 0; i < k->rows.len; i++, e++) {
    int j = 1;
    bt(o, ins, j++, e->id);
    bt(o, ins, j++, e->date);
    o->bind_int(ins, j++, e->day);
    bt(o, ins, j++, e->src);
    bt(o, ins, j++, e->scountry);
    bt(o, ins, j++, e->tgt);
    bt(o, ins, j++, e->tcountry);
    bt(o, ins, j++, e->code);
    bt(o, ins, j++, e->root);
    o->bind_int(ins, j++, e->neg);
    o->bind_int(ins, j++, e->quad);
    o->bind_double(ins, j++, e->gold);
    bt(o, ins, j++, e->plover);
    bt(o, ins, j++, e->modality);
    bt(o, ins, j++, e->place);
    bt(o, ins, j++, e->country);
    if (e->has_ll) {
      o->bind_double(ins, j++, e->lat);
      o->bind_double(ins, j++, e->lon);
    } else {
      o->bind_null(ins, j++);
      o->bind_null(ins, j++);
    }
    o->bind_int(ins, j++, e->n);
    o->bind_int(ins, j++, e->nstories);
    o->bind_int(ins, j++, e->nsources);
    bt(o, ins, j++, e->first_seen);
    o->bind_int(ins, j++, e->conflict);
    bt(o, ins, j++, e->note);
    int r = o->step(ins, err);
    o->reset(ins);
    if (r < 0) return DYAD_EDB;
  }
  const relink *l = k->links.data;
  for (size_t i = 0; i < k->links.len; i++) {
    relink *d = du_vec_push(&x->links);
    if (!d) return du_err(err, DYAD_ENOMEM, "out of memory");
    d->mention = astr(&x->link_arena, l[i].mention);
    d->event = astr(&x->link_arena, l[i].event);
    d->rowid = l[i].rowid;
    if (!d->mention || !d->event) return du_err(err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

/* ---- the reading side ---- */

/* Pass the reader's current chunk on: to the writer's thread, or written
 * here. Then the reader has an empty chunk again. */
static int hand_over(reader *rd) {
  dedup *x = rd->x;
  if (!x->threaded) {
    int rc = write_chunk(x, rd->cur, &rd->err);
    chunk_reset(rd->cur);
    return rc;
  }
  pthread_mutex_lock(&x->mu);
  rd->cur->next = NULL;
  if (x->ready_tail) x->ready_tail->next = rd->cur;
  else x->ready = rd->cur;
  x->ready_tail = rd->cur;
  rd->cur = NULL;
  pthread_cond_broadcast(&x->cv);
  while (!x->stop && !x->spare && x->nchunks >= MAX_CHUNKS) pthread_cond_wait(&x->cv, &x->mu);
  int rc = DYAD_OK;
  if (x->stop) {
    rc = du_err(&rd->err, DYAD_EDB, "grouping stopped");
  } else if (x->spare) {
    rd->cur = x->spare;
    x->spare = x->spare->next;
    chunk_reset(rd->cur);
  } else {
    rd->cur = chunk_new();
    if (rd->cur) x->nchunks++;
    else rc = du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  pthread_mutex_unlock(&x->mu);
  return rc;
}

/* The most frequent string among the group's values (ties: smallest). */
static const char *mode_of(const dm *g, size_t n, size_t off) {
  const char *best = "";
  size_t best_n = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(const char *const *)((const char *)&g[i] + off);
    if (!v[0]) continue;
    size_t c = 0;
    for (size_t j = 0; j < n; j++) {
      if (!strcmp(*(const char *const *)((const char *)&g[j] + off), v)) c++;
    }
    if (c > best_n || (c == best_n && strcmp(v, best) < 0)) {
      best = v;
      best_n = c;
    }
  }
  return best;
}

static int count_distinct(const dm *g, size_t n, size_t off) {
  int c = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(const char *const *)((const char *)&g[i] + off);
    if (!v[0]) continue;
    int dup = 0;
    for (size_t j = 0; j < i && !dup; j++) {
      dup = !strcmp(*(const char *const *)((const char *)&g[j] + off), v);
    }
    if (!dup) c++;
  }
  return c;
}

/* The publishers of a group's stories (a single mention's is not needed:
 * it is one source whatever it is). */
static int find_publishers(reader *rd, dm *g, size_t n) {
  const db_ops *o = rd->o;
  for (size_t i = 0; i < n; i++) {
    g[i].publisher = "";
    for (size_t j = 0; j < i && !g[i].publisher[0]; j++) {
      if (!strcmp(g[j].story, g[i].story)) g[i].publisher = g[j].publisher;
    }
    if (g[i].publisher[0]) continue;
    bt(o, rd->publisher, 1, g[i].story);
    int r = o->step(rd->publisher, &rd->err);
    if (r == 1) g[i].publisher = astr(&rd->arena, o->col_text(rd->publisher, 0));
    o->reset(rd->publisher);
    if (r < 0) return DYAD_EDB;
    if (!g[i].publisher) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

static int str_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reading the database: whether the group G of N mentions, whose event id
 * is ID, is stored as it is. It is when the key has an event ID and the
 * key's mentions pointing at it are exactly the group's. The event is
 * marked as kept either way. */
static int unchanged(reader *rd, const dm *g, size_t n, const char *id) {
  if (!rd->old.len) return 0;
  oldev key = {id, 0};
  oldev *o = bsearch(&key, rd->old.data, rd->old.len, sizeof key, str_cmp);
  if (!o) return 0;
  o->kept = 1;
  for (size_t i = 0; i < n; i++) {
    if (!g[i].event_id || strcmp(g[i].event_id, id)) return 0;
  }
  /* How many of the key's mentions point at ID (the sorted ids' run). */
  const char *const *e = rd->eids.data;
  size_t lo = 0, hi = rd->eids.len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(e[mid], id) < 0) lo = mid + 1;
    else hi = mid;
  }
  size_t run = 0;
  while (lo + run < rd->eids.len && !strcmp(e[lo + run], id)) run++;
  return run == n;
}

/* One group becomes an event row of the current chunk, with its mentions
 * whose event id differs from the event's; or nothing, when it is stored
 * as it is. */
static int make_event(reader *rd, dm *g, size_t n) {
  /* The event id is the smallest mention id: independent of order. */
  size_t first = 0;
  for (size_t i = 1; i < n; i++) {
    if (strcmp(g[i].id, g[first].id) < 0) first = i;
  }
  if (!rd->log && unchanged(rd, g, n, g[first].id)) return DYAD_OK;
  if (n > 1 && !rd->log) {
    int rc = find_publishers(rd, g, n);
    if (rc) return rc;
  }
  const char *date = mode_of(g, n, offsetof(dm, date));
  const char *place = mode_of(g, n, offsetof(dm, place));
  const char *code = mode_of(g, n, offsetof(dm, code));
  int nplaces = count_distinct(g, n, offsetof(dm, place));
  int ndates = count_distinct(g, n, offsetof(dm, date));
  int nstories = count_distinct(g, n, offsetof(dm, story));
  int nsources = n > 1 ? count_distinct(g, n, offsetof(dm, publisher)) : 1;
  if (nsources < 1) nsources = 1;
  double gsum = 0;
  int asserted = 0;
  const char *first_seen = g[0].story_date;
  for (size_t i = 0; i < n; i++) {
    gsum += g[i].gold;
    if (!strcmp(g[i].modality, "asserted")) asserted = 1;
    if (strcmp(g[i].story_date, first_seen) < 0) first_seen = g[i].story_date;
  }
  const char *modality = asserted ? "asserted" : mode_of(g, n, offsetof(dm, modality));
  /* Where reports disagree, keep every version in the note. */
  char note[1024] = "";
  if (nplaces > 1 || ndates > 1) {
    size_t ol = 0;
    if (nplaces > 1) {
      ol += (size_t)snprintf(note + ol, sizeof note - ol, "places:");
      for (size_t i = 0; i < n && ol < sizeof note; i++) {
        int dup = !g[i].place[0];
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(g[j].place, g[i].place);
        if (!dup) {
          ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].place, g[i].id);
        }
      }
    }
    if (ndates > 1 && ol < sizeof note) {
      ol += (size_t)snprintf(note + ol, sizeof note - ol, "%sdates:", ol ? " " : "");
      for (size_t i = 0; i < n && ol < sizeof note; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(g[j].date, g[i].date);
        if (!dup) {
          ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].date, g[i].id);
        }
      }
    }
  }
  /* Coordinates of the chosen place. */
  double lat = 0, lon = 0;
  int has_ll = 0;
  const char *country = "";
  for (size_t i = 0; i < n; i++) {
    if (place[0] && !strcmp(g[i].place, place)) {
      has_ll = g[i].has_ll;
      lat = g[i].lat;
      lon = g[i].lon;
      country = g[i].country;
      break;
    }
  }
  int32_t ymd = 0;
  dyad_parse_date(date, &ymd);
  const dm *fm = &g[first];
  chunk *k = rd->cur;
  du_arena *a = &k->strs;
  evrow *e = du_vec_push(&k->rows);
  if (!e) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  int r = atoi(rd->root);
  e->id = astr(a, fm->id);
  e->date = astr(a, date);
  e->day = du_ymd_to_days(ymd);
  e->src = astr(a, rd->src);
  e->scountry = astr(a, fm->scountry);
  e->tgt = astr(a, rd->tgt);
  e->tcountry = astr(a, fm->tcountry);
  e->code = astr(a, code);
  e->root = astr(a, rd->root);
  e->neg = rd->neg;
  e->quad = r <= 5 ? 1 : r <= 8 ? 2 : r <= 13 ? 3 : 4;
  e->gold = gsum / (double)n;
  e->plover = astr(a, fm->plover);
  e->modality = astr(a, modality);
  e->place = astr(a, place);
  e->country = astr(a, country);
  e->has_ll = has_ll;
  e->lat = lat;
  e->lon = lon;
  e->n = (int64_t)n;
  e->nstories = nstories;
  e->nsources = nsources;
  e->first_seen = astr(a, first_seen);
  e->conflict = note[0] != '\0';
  e->note = astr(a, note);
  if (!e->id || !e->date || !e->src || !e->scountry || !e->tgt || !e->tcountry || !e->code ||
      !e->root || !e->plover || !e->modality || !e->place || !e->country || !e->first_seen ||
      !e->note) {
    return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    if (g[i].event_id && !strcmp(g[i].event_id, fm->id)) continue;
    relink *l = du_vec_push(&k->links);
    if (!l) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
    l->mention = astr(a, g[i].id);
    l->event = e->id;
    l->rowid = g[i].rowid;
    if (!l->mention) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  return k->rows.len >= rd->x->chunk_events ? hand_over(rd) : DYAD_OK;
}

static int dm_cmp(const void *a, const void *b) {
  const dm *x = a, *y = b;
  if (x->day != y->day) return x->day < y->day ? -1 : 1;
  return strcmp(x->id, y->id);
}

/* Reading the database: the current key's stored events, and its
 * mentions' event ids, each sorted. */
static int key_events(reader *rd) {
  const db_ops *o = rd->o;
  rd->old.len = 0;
  rd->eids.len = 0;
  bt(o, rd->events, 1, rd->src);
  bt(o, rd->events, 2, rd->tgt);
  bt(o, rd->events, 3, rd->root);
  o->bind_int(rd->events, 4, rd->neg);
  int r;
  while ((r = o->step(rd->events, &rd->err)) == 1) {
    oldev *e = du_vec_push(&rd->old);
    if (!e || !(e->id = astr(&rd->arena, o->col_text(rd->events, 0)))) {
      o->reset(rd->events);
      return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
    }
    e->kept = 0;
  }
  o->reset(rd->events);
  if (r < 0) return DYAD_EDB;
  if (rd->old.len > 1) qsort(rd->old.data, rd->old.len, sizeof(oldev), str_cmp);
  const dm *m = rd->ms.data;
  for (size_t i = 0; i < rd->ms.len; i++) {
    if (!m[i].event_id) continue;
    const char **e = du_vec_push(&rd->eids);
    if (!e) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
    *e = m[i].event_id;
  }
  if (rd->eids.len > 1) qsort(rd->eids.data, rd->eids.len, sizeof(const char *), str_cmp);
  return DYAD_OK;
}

/* Reading the database: the current key's stored events that no group
 * has any more go. */
static int drop_unkept(reader *rd) {
  const oldev *e = rd->old.data;
  for (size_t i = 0; i < rd->old.len; i++) {
    if (e[i].kept) continue;
    evgone *d = du_vec_push(&rd->cur->gone);
    du_arena *a = &rd->cur->strs;
    if (!d || !(d->id = astr(a, e[i].id)) || !(d->src = astr(a, rd->src)) ||
        !(d->tgt = astr(a, rd->tgt)) || !(d->root = astr(a, rd->root))) {
      return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
    }
    d->neg = rd->neg;
  }
  return DYAD_OK;
}

/* Group the mentions read for the current key. */
static int group_key(reader *rd) {
  dm *all = rd->ms.data;
  size_t n = rd->ms.len, i = 0;
  if (!n) return DYAD_OK;
  if (!rd->log) {
    int rc = key_events(rd);
    if (rc) return rc;
  }
  /* Sweep in (day, id) order, compared as bytes on both backends: a group
   * takes the mentions within a day of its first; mentions placed in
   * different countries are different happenings, mentions without a
   * place join the first group. */
  qsort(all, n, sizeof *all, dm_cmp);
  rd->grp.len = 0;
  if (du_vec_reserve(&rd->grp, n)) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  if (rd->used_cap < n) {
    char *u = du_realloc(rd->used, n);
    if (!u) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
    rd->used = u;
    rd->used_cap = n;
  }
  memset(rd->used, 0, n);
  dm *grp = rd->grp.data;
  char *used = rd->used;
  int rc = DYAD_OK;
  while (rc == DYAD_OK && i < n) {
    if (used[i]) {
      i++;
      continue;
    }
    int anchor = all[i].day;
    size_t end = i;
    while (end < n && all[end].day <= anchor + 1) end++;
    /* The first group is that of the window's first placed country
     * (and of every mention without a place); each other country is a
     * group of its own. */
    const char *lead = "";
    for (size_t a = i; a < end && !lead[0]; a++) {
      if (!used[a]) lead = all[a].country;
    }
    for (size_t a = i; a < end && rc == DYAD_OK; a++) {
      if (used[a]) continue;
      const char *cc = all[a].country[0] ? all[a].country : lead;
      size_t gn = 0;
      for (size_t b = a; b < end; b++) {
        if (used[b]) continue;
        const char *bc = all[b].country[0] ? all[b].country : lead;
        if (!strcmp(bc, cc)) {
          grp[gn++] = all[b];
          used[b] = 1;
        }
      }
      if (gn) rc = make_event(rd, grp, gn);
    }
    i = end;
  }
  if (rc == DYAD_OK && !rd->log) rc = drop_unkept(rd);
  return rc;
}

/* One row of the scan: start a new key when it differs, then keep the
 * mention. */
static int read_mention(reader *rd, db_stmt *s) {
  const db_ops *o = rd->o;
  const char *src = o->col_text(s, 0), *tgt = o->col_text(s, 1), *root = o->col_text(s, 2);
  int neg = (int)o->col_int(s, 3);
  if (!src) src = "";
  if (!tgt) tgt = "";
  if (!root) root = "";
  if (!rd->src || neg != rd->neg || strcmp(src, rd->src) || strcmp(tgt, rd->tgt) ||
      strcmp(root, rd->root)) {
    int rc = group_key(rd);
    if (rc) return rc;
    rd->ms.len = 0;
    du_arena_reset(&rd->arena);
    rd->src = astr(&rd->arena, src);
    rd->tgt = astr(&rd->arena, tgt);
    rd->root = astr(&rd->arena, root);
    rd->neg = neg;
    if (!rd->src || !rd->tgt || !rd->root) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  dm *m = du_vec_push(&rd->ms);
  if (!m) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  du_arena *a = &rd->arena;
  m->id = astr(a, o->col_text(s, 4));
  m->day = (int)o->col_int(s, 5);
  m->date = astr(a, o->col_text(s, 6));
  m->place = astr(a, o->col_text(s, 7));
  m->country = astr(a, o->col_text(s, 8));
  m->has_ll = o->col_text(s, 9) != NULL;
  m->lat = o->col_double(s, 9);
  m->lon = o->col_double(s, 10);
  m->code = astr(a, o->col_text(s, 11));
  m->gold = o->col_double(s, 12);
  m->modality = astr(a, o->col_text(s, 13));
  m->story = astr(a, o->col_text(s, 14));
  m->publisher = "";
  m->story_date = astr(a, o->col_text(s, 15));
  m->scountry = astr(a, o->col_text(s, 16));
  m->tcountry = astr(a, o->col_text(s, 17));
  m->plover = astr(a, o->col_text(s, 18));
  m->event_id = o->col_text(s, 19) ? astr(a, o->col_text(s, 19)) : NULL;
  m->rowid = -1;
  if (!m->id || !m->date || !m->place || !m->country || !m->code || !m->modality ||
      !m->story || !m->story_date || !m->scountry || !m->tcountry || !m->plover ||
      (o->col_text(s, 19) && !m->event_id)) {
    return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
  }
  return DYAD_OK;
}

/* Bind a bound key to parameters 1-4 of S. */
static void bind_key(const db_ops *o, db_stmt *s, char *const key[3], int neg) {
  bt(o, s, 1, key[0]);
  bt(o, s, 2, key[1]);
  bt(o, s, 3, key[2]);
  o->bind_int(s, 4, neg);
}

/* Scan and group the batch up to the bound key, handing every event over. */
static int read_batch(reader *rd) {
  const db_ops *o = rd->o;
  rd->src = rd->tgt = rd->root = NULL;
  rd->ms.len = 0;
  du_arena_reset(&rd->arena);
  int rc = DYAD_OK, r;
  bind_key(o, rd->scan, rd->bound, rd->bound_neg);
  while ((r = o->step(rd->scan, &rd->err)) == 1) {
    if ((rc = read_mention(rd, rd->scan))) break;
  }
  o->reset(rd->scan);
  if (r < 0 && !rc) rc = DYAD_EDB;
  if (!rc) rc = group_key(rd);
  if (!rc && rd->cur && rd->cur->rows.len + rd->cur->links.len + rd->cur->gone.len) {
    rc = hand_over(rd);
  }
  return rc;
}

/* Group the log's next batch of keys, handing every event over. Its
 * strings are used in place: nothing is added to the log meanwhile. */
static int read_log_batch(reader *rd) {
  const ds_logrec *recs = rd->log->recs.data;
  const du_intern *t = &rd->log->strs;
  const char *mids = rd->log->mids.data;
  size_t n = rd->log->recs.len;
  int rc = DYAD_OK;
  for (int keys = 0; !rc && rd->pos < n && keys < rd->x->batch_keys; keys++) {
    const ds_logrec *k = &recs[rd->order[rd->pos]];
    rd->src = du_intern_str(t, k->src);
    rd->tgt = du_intern_str(t, k->tgt);
    rd->root = du_intern_str(t, k->root);
    rd->neg = k->neg;
    rd->ms.len = 0;
    for (; rd->pos < n; rd->pos++) {
      const ds_logrec *r = &recs[rd->order[rd->pos]];
      if (r->src != k->src || r->tgt != k->tgt || r->root != k->root || r->neg != k->neg) break;
      dm *m = du_vec_push(&rd->ms);
      if (!m) return du_err(&rd->err, DYAD_ENOMEM, "out of memory");
      m->id = m->event_id = mids + r->id;
      m->rowid = r->rowid;
      m->day = r->day;
      m->date = du_intern_str(t, r->date);
      m->place = du_intern_str(t, r->place);
      m->country = du_intern_str(t, r->country);
      m->has_ll = r->has_ll;
      m->lat = r->lat;
      m->lon = r->lon;
      m->code = du_intern_str(t, r->code);
      m->gold = r->gold;
      m->modality = du_intern_str(t, r->modality);
      m->story = du_intern_str(&rd->log->stories, r->story);
      m->publisher = du_intern_str(t, r->publisher);
      m->story_date = du_intern_str(t, r->story_date);
      m->scountry = du_intern_str(t, r->scountry);
      m->tcountry = du_intern_str(t, r->tcountry);
      m->plover = du_intern_str(t, r->plover);
    }
    rc = group_key(rd);
  }
  if (!rc && rd->cur && rd->cur->rows.len + rd->cur->links.len) rc = hand_over(rd);
  return rc;
}

static int read_some(reader *rd) { return rd->log ? read_log_batch(rd) : read_batch(rd); }

static void *reader_main(void *arg) {
  reader *rd = arg;
  dedup *x = rd->x;
  int rc = read_some(rd);
  pthread_mutex_lock(&x->mu);
  rd->rc = rc;
  x->reading = 0;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
  return NULL;
}

/* ---- the batches ---- */

/* A second connection for the reader, where the target allows one (and
 * the caller wants it). */
static void reader_connect(dedup *x, int threads) {
  const char *t = ds_target(x->st);
  db *d = NULL;
  if (!threads) {
    d = NULL;
  } else if (!strcmp(x->o->name, "postgresql")) {
    if (db_open_postgres(t, &d, NULL)) d = NULL;
  } else if (strcmp(t, ":memory:") && strncmp(t, "file:", 5)) {
    if (db_open_sqlite(t, &d, NULL)) d = NULL;
    if (d && db_exec(d, "PRAGMA query_only = 1", NULL)) {
      d->ops->close(d);
      d = NULL;
    }
  }
  if (d) {
    x->rd.d = d;
    x->rd.own = 1;
    x->threaded = 1;
  } else {
    x->rd.d = x->d;
  }
  x->rd.o = x->rd.d->ops;
}

static int relink_cmp(const void *a, const void *b) {
  return strcmp(((const relink *)a)->mention, ((const relink *)b)->mention);
}

static int relink_row_cmp(const void *a, const void *b) {
  int64_t x = ((const relink *)a)->rowid, y = ((const relink *)b)->rowid;
  return (x > y) - (x < y);
}

/* The last key of the next batch into KEY/NEG; *FOUND is 0 when `dirty`
 * is empty. */
static int next_bound(dedup *x, char *key[3], int *neg, int *found, dyad_error *err) {
  const db_ops *o = x->o;
  db_stmt *q = x->first;
  int r = o->step(q, err);
  if (r == 0) {
    /* Fewer keys left than a batch takes: the batch ends at the last one. */
    o->reset(q);
    q = x->last;
    r = o->step(q, err);
  }
  int rc = r < 0 ? DYAD_EDB : DYAD_OK;
  *found = r == 1;
  for (int i = 0; i < 3 && r == 1 && !rc; i++) {
    key[i] = du_strdup(o->col_text(q, i) ? o->col_text(q, i) : "");
    if (!key[i]) rc = du_err(err, DYAD_ENOMEM, "out of memory");
  }
  if (r == 1) *neg = (int)o->col_int(q, 3);
  o->reset(q);
  return rc;
}

/* Read and write one batch: with the reader on a thread of its own, the
 * writer inserts each chunk as it comes. */
static int run_batch(dedup *x, char *const key[3], int neg, dyad_error *err) {
  reader *rd = &x->rd;
  rd->bound = key;
  rd->bound_neg = neg;
  rd->rc = DYAD_OK;
  if (!x->threaded) {
    int rc = read_some(rd);
    if (rc) *err = rd->err;
    return rc;
  }
  x->reading = 1;
  x->stop = 0;
  pthread_t th;
  if (pthread_create(&th, NULL, reader_main, rd)) {
    x->reading = 0;
    return du_err(err, DYAD_EIO, "cannot start a thread");
  }
  int rc = DYAD_OK;
  pthread_mutex_lock(&x->mu);
  for (;;) {
    while (!x->ready && x->reading) pthread_cond_wait(&x->cv, &x->mu);
    chunk *k = x->ready;
    if (!k) break;
    x->ready = k->next;
    if (!x->ready) x->ready_tail = NULL;
    pthread_mutex_unlock(&x->mu);
    rc = write_chunk(x, k, err);
    pthread_mutex_lock(&x->mu);
    chunk_reset(k);
    k->next = x->spare;
    x->spare = k;
    if (rc) x->stop = 1;
    pthread_cond_broadcast(&x->cv);
    if (rc) break;
  }
  pthread_mutex_unlock(&x->mu);
  pthread_join(th, NULL);
  /* Chunks left over after a failure go back to the spares. */
  while (x->ready) {
    chunk *k = x->ready;
    x->ready = k->next;
    chunk_reset(k);
    k->next = x->spare;
    x->spare = k;
  }
  x->ready_tail = NULL;
  if (!rc && rd->rc) {
    rc = rd->rc;
    *err = rd->err;
  }
  return rc;
}

/* Point the batch's mentions whose event id changed at their events: by
 * row id where the log knows it (the table is walked once, forwards, and
 * needs no id index), else by id, in id order (the id index is walked
 * once). */
static int write_links(dedup *x, dyad_error *err) {
  const db_ops *o = x->o;
  relink *l = x->links.data;
  int by_row = x->rd.log != NULL;
  if (x->links.len) qsort(l, x->links.len, sizeof *l, by_row ? relink_row_cmp : relink_cmp);
  db_stmt *s = by_row ? x->link_row : x->link;
  for (size_t i = 0; i < x->links.len; i++) {
    bt(o, s, 1, l[i].event);
    if (by_row) o->bind_int(s, 2, l[i].rowid);
    else bt(o, s, 2, l[i].mention);
    int r = o->step(s, err);
    o->reset(s);
    if (r < 0) return DYAD_EDB;
  }
  return DYAD_OK;
}

static int dedup_batch(dedup *x, char *const key[3], int neg, dyad_error *err) {
  const db_ops *o = x->o;
  bind_key(o, x->del, key, neg);
  int r = o->step(x->del, err);
  o->reset(x->del);
  if (r < 0) return DYAD_EDB;
  x->links.len = 0;
  du_arena_reset(&x->link_arena);
  int rc = run_batch(x, key, neg, err);
  if (!rc) rc = write_links(x, err);
  if (rc) return rc;
  bind_key(o, x->clean, key, neg);
  r = o->step(x->clean, err);
  o->reset(x->clean);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

/* The columns of an event row, as write_chunk binds them. */
#define EVENT_COLS                                                                          \
  "id, date, day, source, source_country, target, target_country, code, root, negated, "   \
  "quad, goldstein, plover, modality, place_name, place_country, lat, lon, n_mentions, "    \
  "n_stories, n_sources, first_seen, conflict, conflict_note"

/* Row values compare keys as ORDER BY orders them, on both backends. */
#define IN_BATCH(t) "(" t "source, " t "target, " t "root, " t "negated) <= (?, ?, ?, ?)"

int dyad_store_dedup(dyad_store *st, dyad_error *err) {
  return ds_dedup(st, DEDUP_KEYS, CHUNK_EVENTS, 1, err);
}

typedef struct keyed {
  uint32_t src, tgt, root, neg, rec;
} keyed;

static int keyed_cmp(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->src != y->src) return x->src < y->src ? -1 : 1;
  if (x->tgt != y->tgt) return x->tgt < y->tgt ? -1 : 1;
  if (x->root != y->root) return x->root < y->root ? -1 : 1;
  if (x->neg != y->neg) return x->neg < y->neg ? -1 : 1;
  return (x->rec > y->rec) - (x->rec < y->rec);
}

/* The log's records in key order: keys ordered by the ids of their
 * strings, which groups each key's records together. */
static uint32_t *log_order(const ds_log *l) {
  size_t n = l->recs.len;
  keyed *k = du_malloc((n ? n : 1) * sizeof *k);
  uint32_t *order = du_malloc((n ? n : 1) * sizeof *order);
  if (!k || !order) {
    du_free(k);
    du_free(order);
    return NULL;
  }
  const ds_logrec *r = l->recs.data;
  for (size_t i = 0; i < n; i++) {
    k[i] = (keyed){r[i].src, r[i].tgt, r[i].root, (uint32_t)r[i].neg, (uint32_t)i};
  }
  qsort(k, n, sizeof *k, keyed_cmp);
  for (size_t i = 0; i < n; i++) order[i] = k[i].rec;
  du_free(k);
  return order;
}

/* Grouping from the log of a load into an empty store: every mention of
 * the store is in it, so no mention is read back. Batches of keys, one
 * transaction each; `dirty` is emptied by the last one, so an
 * interrupted run is finished (from the database) by the next. Events
 * held before belong to no mention, and go with the first batch. When
 * another connection has written meanwhile, the log is dropped at the
 * start of a transaction: *GONE is set, and the database is grouped
 * instead (its dirty dyads include every one of the log's). */
static int dedup_log(dedup *x, int *gone, dyad_error *err) {
  reader *rd = &x->rd;
  int rc = DYAD_OK;
  *gone = 0;
  rd->log = ds_log_get(x->st);
  rd->order = log_order(rd->log);
  if (!rd->order) return du_err(err, DYAD_ENOMEM, "out of memory");
  rd->pos = 0;
  /* Grouping needs no connection of its own: the reader only groups. */
  rd->d = x->d;
  rd->o = x->o;
  int first = 1;
  while (!rc) {
    if ((rc = dyad_store_begin(x->st, err))) break;
    if (!ds_log_get(x->st)) {
      *gone = 1;
      rc = dyad_store_rollback(x->st, err);
      break;
    }
    if (first) rc = db_exec(x->d, "DELETE FROM events", err);
    first = 0;
    x->links.len = 0;
    du_arena_reset(&x->link_arena);
    if (!rc) rc = run_batch(x, NULL, 0, err);
    if (!rc) rc = write_links(x, err);
    int last = rd->pos >= rd->log->recs.len;
    if (!rc && last) rc = db_exec(x->d, "DELETE FROM dirty", err);
    if (!rc && last) rc = db_exec(x->d, "DELETE FROM meta WHERE key = 'regroup'", err);
    if (rc) {
      dyad_store_rollback(x->st, NULL);
      break;
    }
    if ((rc = dyad_store_commit(x->st, err)) || last) break;
  }
  du_free(rd->order);
  rd->order = NULL;
  rd->log = NULL;
  return rc;
}

int ds_dedup(dyad_store *st, int batch_keys, size_t chunk_events, int threads,
             dyad_error *err) {
  if (batch_keys < 1 || chunk_events < 1) return du_err(err, DYAD_EINVAL, "bad batch size");
  dedup x;
  memset(&x, 0, sizeof x);
  x.st = st;
  x.chunk_events = chunk_events;
  x.d = ds_db(st);
  x.o = x.d->ops;
  x.rd.x = &x;
  du_arena_init(&x.rd.arena, 16 * 1024);
  du_vec_init(&x.rd.ms, sizeof(dm));
  du_vec_init(&x.rd.grp, sizeof(dm));
  du_vec_init(&x.rd.old, sizeof(oldev));
  du_vec_init(&x.rd.eids, sizeof(const char *));
  du_arena_init(&x.link_arena, 64 * 1024);
  du_vec_init(&x.links, sizeof(relink));
  pthread_mutex_init(&x.mu, NULL);
  pthread_cond_init(&x.cv, NULL);
  x.batch_keys = batch_keys;
  /* Grouping clears the mark on every dyad: puts after it mark theirs. */
  ds_forget_all_dirty(st);
  /* The log's mentions are relinked by row id. */
  const int from_log = ds_log_get(st) != NULL;
  char limit[160];
  snprintf(limit, sizeof limit,
           "SELECT source, target, root, negated FROM dirty ORDER BY source, target, root, "
           "negated LIMIT 1 OFFSET %d", batch_keys - 1);
  struct { db_stmt **s; const char *sql; } prep[] = {
      {&x.ins, "INSERT INTO events (" EVENT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
               "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&x.link, "UPDATE mentions SET event_id = ? WHERE id = ?"},
      {from_log ? &x.link_row : NULL, "UPDATE mentions SET event_id = ? WHERE rowid = ?"},
      /* reading the database only */
      {&x.first, limit},
      {&x.last, "SELECT source, target, root, negated FROM dirty ORDER BY source DESC, "
                "target DESC, root DESC, negated DESC LIMIT 1"},
      {&x.del, "DELETE FROM events WHERE (source, target, root, negated) IN (SELECT source, "
               "target, root, negated FROM dirty d WHERE " IN_BATCH("d.") " AND NOT EXISTS "
               "(SELECT 1 FROM mentions m WHERE m.source = d.source AND m.target = d.target "
               "AND m.root = d.root AND m.negated = d.negated))"},
      {&x.drop, "DELETE FROM events WHERE id = ? AND source = ? AND target = ? AND root = ? "
                "AND negated = ?"},
      {&x.clean, "DELETE FROM dirty WHERE " IN_BATCH("")},
  };
  int rc = DYAD_OK;
  for (size_t i = 0; i < DU_ARRAY_LEN(prep) && !rc; i++) {
    if (prep[i].s) rc = db_prepare(x.d, prep[i].sql, prep[i].s, err);
  }
  if (!rc) {
    x.rd.cur = chunk_new();
    if (x.rd.cur) x.nchunks = 1;
    else rc = du_err(err, DYAD_ENOMEM, "out of memory");
  }
  int gone = 0;
  if (!rc && from_log) {
    x.threaded = threads != 0;
    rc = dedup_log(&x, &gone, err);
    x.threaded = 0;
  }
  if (!rc && (!from_log || gone)) {
    /* The scan reads mentions by key (and so does listing them all). */
    rc = ds_build_key_index(st, err);
    /* Every dyad waits after a load that marked none. */
    if (!rc) rc = dyad_store_begin(st, err);
    if (!rc) {
      rc = ds_list_dirty(st, err);
      if (!rc) rc = dyad_store_commit(st, err);
      if (rc) dyad_store_rollback(st, NULL);
    }
    if (!rc) {
      reader_connect(&x, threads);
      /* CROSS JOIN: SQLite keeps this join order (dirty drives, in key
       * order); PostgreSQL plans it as an inner join. */
      rc = db_prepare(x.rd.d,
                      "SELECT d.source, d.target, d.root, d.negated, m.id, m.day, m.date, "
                      "m.place_name, m.place_country, m.lat, m.lon, m.code, m.goldstein, "
                      "m.modality, m.story_id, m.story_date, m.source_country, "
                      "m.target_country, m.plover, m.event_id FROM dirty d CROSS JOIN "
                      "mentions m WHERE " IN_BATCH("d.") " AND m.source = d.source AND "
                      "m.target = d.target AND m.root = d.root AND m.negated = d.negated "
                      "ORDER BY d.source, d.target, d.root, d.negated",
                      &x.rd.scan, err);
    }
    if (!rc) {
      rc = db_prepare(x.rd.d, "SELECT source FROM stories WHERE id = ?", &x.rd.publisher, err);
    }
    if (!rc) {
      rc = db_prepare(x.rd.d, "SELECT id FROM events WHERE source = ? AND target = ? AND "
                              "root = ? AND negated = ?", &x.rd.events, err);
    }
    /* A group's event may be stored already (the id indexes are built
     * now). */
    if (!rc) {
      rc = db_prepare(x.d, "INSERT INTO events (" EVENT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) "
                           "DO UPDATE SET date = excluded.date, day = excluded.day, "
                           "source = excluded.source, source_country = excluded.source_country, "
                           "target = excluded.target, target_country = excluded.target_country, "
                           "code = excluded.code, root = excluded.root, "
                           "negated = excluded.negated, quad = excluded.quad, "
                           "goldstein = excluded.goldstein, plover = excluded.plover, "
                           "modality = excluded.modality, place_name = excluded.place_name, "
                           "place_country = excluded.place_country, lat = excluded.lat, "
                           "lon = excluded.lon, n_mentions = excluded.n_mentions, "
                           "n_stories = excluded.n_stories, n_sources = excluded.n_sources, "
                           "first_seen = excluded.first_seen, conflict = excluded.conflict, "
                           "conflict_note = excluded.conflict_note",
                      &x.upsert, err);
    }
    while (!rc) {
      if ((rc = dyad_store_begin(st, err))) break;
      char *key[3] = {NULL, NULL, NULL};
      int neg = 0, found = 0;
      rc = next_bound(&x, key, &neg, &found, err);
      if (!rc && found) rc = dedup_batch(&x, key, neg, err);
      for (int i = 0; i < 3; i++) du_free(key[i]);
      if (rc) {
        dyad_store_rollback(st, NULL);
        break;
      }
      if ((rc = dyad_store_commit(st, err)) || !found) break;
    }
  }
  /* What the load remembered is grouped now, or will be from the
   * database. */
  ds_log_drop(st);
  db_stmt *mine[] = {x.first, x.last, x.del, x.ins, x.upsert, x.drop, x.link, x.link_row,
                     x.clean};
  for (size_t i = 0; i < DU_ARRAY_LEN(mine); i++) {
    if (mine[i]) x.o->finalize(mine[i]);
  }
  if (x.rd.scan) x.rd.o->finalize(x.rd.scan);
  if (x.rd.publisher) x.rd.o->finalize(x.rd.publisher);
  if (x.rd.events) x.rd.o->finalize(x.rd.events);
  if (x.rd.own) x.rd.d->ops->close(x.rd.d);
  chunk_free(x.rd.cur);
  while (x.spare) {
    chunk *k = x.spare;
    x.spare = k->next;
    chunk_free(k);
  }
  du_arena_free(&x.rd.arena);
  du_vec_free(&x.rd.ms);
  du_vec_free(&x.rd.grp);
  du_vec_free(&x.rd.old);
  du_vec_free(&x.rd.eids);
  du_free(x.rd.used);
  du_arena_free(&x.link_arena);
  du_vec_free(&x.links);
  pthread_mutex_destroy(&x.mu);
  pthread_cond_destroy(&x.cv);
  if (!rc) rc = dyad_store_build_indexes(st, err);
  return rc;
}
