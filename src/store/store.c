/*
 * store.c - stories, mentions and deduplicated events in SQLite or
 * PostgreSQL.
 *
 * Tables (docs/store.md):
 *   stories   one row per story id, with a hash of its date and text
 *   mentions  one row per coded event of a story (id = the stable event id)
 *   events    mentions grouped into happenings: same source, target, CAMEO
 *             root and negation, dates within a day of the group's first,
 *             places in one country; id = the smallest mention id
 *   dirty     dyads whose mentions changed since the last deduplication
 *
 * Everything that goes into the database is a deterministic function of
 * the stories ingested, so ingesting the same stories again, or again
 * after an interrupted run, leaves the same database.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

struct dyad_store {
  db *d;
  db_stmt *get_hash, *del_mentions, *old_keys, *ins_story, *upd_story, *ins_mention,
      *ins_dirty, *del_events;
};

static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, date TEXT NOT NULL, "
    "source TEXT, url TEXT, text_hash TEXT NOT NULL, text TEXT NOT NULL, "
    "n_mentions INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS mentions (id TEXT PRIMARY KEY, story_id TEXT NOT NULL, "
    "sentence INTEGER NOT NULL, sent_start INTEGER, sent_end INTEGER, ev_start INTEGER, "
    "ev_end INTEGER, verb_start INTEGER, verb_end INTEGER, src_start INTEGER, src_end INTEGER, "
    "tgt_start INTEGER, tgt_end INTEGER, date TEXT NOT NULL, day INTEGER NOT NULL, "
    "date_precision TEXT, date_text TEXT, story_date TEXT, source TEXT NOT NULL, "
    "source_country TEXT, source_sector TEXT, target TEXT NOT NULL, target_country TEXT, "
    "target_sector TEXT, code TEXT NOT NULL, root TEXT NOT NULL, quad INTEGER, "
    "goldstein DOUBLE PRECISION, plover TEXT, plover_mode TEXT, plover_context TEXT, "
    "modality TEXT, negated INTEGER NOT NULL, place_text TEXT, place_name TEXT, "
    "place_country TEXT, place_admin1 TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, "
    "pattern TEXT, event_id TEXT)",
    "CREATE INDEX IF NOT EXISTS mentions_story ON mentions(story_id)",
    "CREATE INDEX IF NOT EXISTS mentions_key ON mentions(source, target, root, negated, day)",
    "CREATE INDEX IF NOT EXISTS mentions_event ON mentions(event_id)",
    "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, date TEXT NOT NULL, "
    "day INTEGER NOT NULL, source TEXT NOT NULL, source_country TEXT, target TEXT NOT NULL, "
    "target_country TEXT, code TEXT NOT NULL, root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "quad INTEGER, goldstein DOUBLE PRECISION, plover TEXT, modality TEXT, place_name TEXT, "
    "place_country TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, n_mentions INTEGER, "
    "n_stories INTEGER, n_sources INTEGER, first_seen TEXT, conflict INTEGER, "
    "conflict_note TEXT)",
    "CREATE INDEX IF NOT EXISTS events_key ON events(source, target, root, negated)",
    "CREATE INDEX IF NOT EXISTS events_dyad ON events(source_country, target_country, day)",
    "CREATE INDEX IF NOT EXISTS events_day ON events(day)",
    "CREATE TABLE IF NOT EXISTS dirty (source TEXT NOT NULL, target TEXT NOT NULL, "
    "root TEXT NOT NULL, negated INTEGER NOT NULL, "
    "PRIMARY KEY (source, target, root, negated))",
};

const char *dyad_store_backend(const dyad_store *st) { return st->d->ops->name; }

static void finalize_all(dyad_store *st) {
  db_stmt **s[] = {&st->get_hash, &st->del_mentions, &st->old_keys, &st->ins_story,
                   &st->upd_story, &st->ins_mention, &st->ins_dirty, &st->del_events};
  for (size_t i = 0; i < DU_ARRAY_LEN(s); i++) {
    if (*s[i]) st->d->ops->finalize(*s[i]);
    *s[i] = NULL;
  }
}

void dyad_store_close(dyad_store *st) {
  if (!st) return;
  if (st->d->in_tx) db_exec(st->d, "ROLLBACK", NULL);
  finalize_all(st);
  st->d->ops->close(st->d);
  du_free(st);
}

int dyad_store_open(const char *target, dyad_store **out, dyad_error *err) {
  if (!target || !*target) return du_err(err, DYAD_EINVAL, "no database given");
  dyad_store *st = du_calloc(1, sizeof *st);
  if (!st) return du_err(err, DYAD_ENOMEM, "out of memory");
  int rc;
  if (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11)) {
    rc = db_open_postgres(target, &st->d, err);
  } else {
    rc = db_open_sqlite(target, &st->d, err);
  }
  if (rc) {
    du_free(st);
    return rc;
  }
  for (size_t i = 0; i < DU_ARRAY_LEN(schema) && !rc; i++) rc = db_exec(st->d, schema[i], err);
  if (!rc) rc = db_exec(st->d, "INSERT INTO meta(key, value) VALUES ('schema', '1') "
                               "ON CONFLICT (key) DO NOTHING", err);
  struct { db_stmt **s; const char *sql; } prep[] = {
      {&st->get_hash, "SELECT text_hash FROM stories WHERE id = ?"},
      {&st->del_mentions, "DELETE FROM mentions WHERE story_id = ?"},
      {&st->old_keys, "SELECT DISTINCT source, target, root, negated FROM mentions WHERE story_id = ?"},
      {&st->ins_story, "INSERT INTO stories (id, date, source, url, text_hash, text, n_mentions) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)"},
      {&st->upd_story, "UPDATE stories SET date = ?, source = ?, url = ?, text_hash = ?, "
                       "text = ?, n_mentions = ? WHERE id = ?"},
      {&st->ins_mention,
       "INSERT INTO mentions (id, story_id, sentence, sent_start, sent_end, ev_start, ev_end, "
       "verb_start, verb_end, src_start, src_end, tgt_start, tgt_end, date, day, date_precision, "
       "date_text, story_date, source, source_country, source_sector, target, target_country, "
       "target_sector, code, root, quad, goldstein, plover, plover_mode, plover_context, "
       "modality, negated, place_text, place_name, place_country, place_admin1, lat, lon, "
       "pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&st->ins_dirty, "INSERT INTO dirty (source, target, root, negated) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (source, target, root, negated) DO NOTHING"},
      {&st->del_events, "DELETE FROM events WHERE id IN (SELECT event_id FROM mentions "
                        "WHERE story_id = ? AND event_id IS NOT NULL)"},
  };
  for (size_t i = 0; i < DU_ARRAY_LEN(prep) && !rc; i++) {
    rc = db_prepare(st->d, prep[i].sql, prep[i].s, err);
  }
  if (rc) {
    dyad_store_close(st);
    return rc;
  }
  *out = st;
  return DYAD_OK;
}

int dyad_store_begin(dyad_store *st, dyad_error *err) {
  int rc = db_exec(st->d, "BEGIN", err);
  if (!rc) st->d->in_tx = 1;
  return rc;
}

int dyad_store_commit(dyad_store *st, dyad_error *err) {
  int rc = db_exec(st->d, "COMMIT", err);
  st->d->in_tx = 0;
  return rc;
}

int dyad_store_rollback(dyad_store *st, dyad_error *err) {
  int rc = db_exec(st->d, "ROLLBACK", err);
  st->d->in_tx = 0;
  return rc;
}

/* ---- ingest ---- */

static void story_hash(const dyad_story *s, char out[17]) {
  uint64_t h = du_hash(s->date, strlen(s->date));
  h ^= du_hash(s->text ? s->text : "", s->text ? s->text_len : 0) * 31;
  h ^= du_hash(s->source ? s->source : "", s->source ? strlen(s->source) : 0) * 131;
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int ymd_days(const char *date) {
  int32_t ymd;
  if (dyad_parse_date(date, &ymd)) return 0;
  return du_ymd_to_days(ymd);
}

static void bt(const db_ops *o, db_stmt *s, int i, const char *v) {
  o->bind_text(s, i, v, v ? strlen(v) : 0);
}

int dyad_store_has_story(dyad_store *st, const dyad_story *s, dyad_error *err) {
  const db_ops *o = st->d->ops;
  char hash[17];
  story_hash(s, hash);
  bt(o, st->get_hash, 1, s->id);
  int r = o->step(st->get_hash, err);
  int same = r == 1 && o->col_text(st->get_hash, 0) && !strcmp(o->col_text(st->get_hash, 0), hash);
  o->reset(st->get_hash);
  return same;
}

static int mark_dirty(dyad_store *st, const char *src, const char *tgt, const char *root,
                      int neg, dyad_error *err) {
  const db_ops *o = st->d->ops;
  bt(o, st->ins_dirty, 1, src);
  bt(o, st->ins_dirty, 2, tgt);
  bt(o, st->ins_dirty, 3, root);
  o->bind_int(st->ins_dirty, 4, neg);
  int r = o->step(st->ins_dirty, err);
  o->reset(st->ins_dirty);
  return r < 0 ? DYAD_EDB : DYAD_OK;
}

static int span_text(const db_ops *o, db_stmt *s, int i, const char *text, size_t len,
                     uint32_t a, uint32_t b) {
  (void)o;
  if (!text || a > b || b > len) o->bind_null(s, i);
  else o->bind_text(s, i, text + a, b - a);
  return 0;
}

int dyad_store_put(dyad_store *st, const dyad_story *s, const dyad_event *ev, size_t n,
                   int *result, dyad_error *err) {
  const db_ops *o = st->d->ops;
  char hash[17];
  story_hash(s, hash);
  bt(o, st->get_hash, 1, s->id);
  int r = o->step(st->get_hash, err);
  if (r < 0) {
    o->reset(st->get_hash);
    return DYAD_EDB;
  }
  int exists = r == 1;
  int same = exists && o->col_text(st->get_hash, 0) && !strcmp(o->col_text(st->get_hash, 0), hash);
  o->reset(st->get_hash);
  if (same) {
    *result = DYAD_PUT_UNCHANGED;
    return DYAD_OK;
  }
  const char *text = s->text ? s->text : "";
  if (exists) {
    /* A changed story: its old mentions go, and their dyads are dirty. */
    bt(o, st->old_keys, 1, s->id);
    while ((r = o->step(st->old_keys, err)) == 1) {
      if (mark_dirty(st, o->col_text(st->old_keys, 0), o->col_text(st->old_keys, 1),
                     o->col_text(st->old_keys, 2), (int)o->col_int(st->old_keys, 3), err)) {
        r = -1;
        break;
      }
    }
    o->reset(st->old_keys);
    if (r < 0) return DYAD_EDB;
    /* Its events go too (their dyads are regrouped): a new mention may
     * take the same id as an old one. */
    bt(o, st->del_events, 1, s->id);
    r = o->step(st->del_events, err);
    o->reset(st->del_events);
    if (r < 0) return DYAD_EDB;
    bt(o, st->del_mentions, 1, s->id);
    r = o->step(st->del_mentions, err);
    o->reset(st->del_mentions);
    if (r < 0) return DYAD_EDB;
    db_stmt *u = st->upd_story;
    bt(o, u, 1, s->date);
    bt(o, u, 2, s->source);
    bt(o, u, 3, s->url);
    bt(o, u, 4, hash);
    o->bind_text(u, 5, text, s->text_len);
    o->bind_int(u, 6, (int64_t)n);
    bt(o, u, 7, s->id);
    r = o->step(u, err);
    o->reset(u);
    if (r < 0) return DYAD_EDB;
    *result = DYAD_PUT_REPLACED;
  } else {
    db_stmt *u = st->ins_story;
    bt(o, u, 1, s->id);
    bt(o, u, 2, s->date);
    bt(o, u, 3, s->source);
    bt(o, u, 4, s->url);
    bt(o, u, 5, hash);
    o->bind_text(u, 6, text, s->text_len);
    o->bind_int(u, 7, (int64_t)n);
    r = o->step(u, err);
    o->reset(u);
    if (r < 0) return DYAD_EDB;
    *result = DYAD_PUT_INSERTED;
  }
  for (size_t i = 0; i < n; i++) {
    const dyad_event *e = &ev[i];
    db_stmt *m = st->ins_mention;
    int k = 1;
    bt(o, m, k++, e->event_id);
    bt(o, m, k++, s->id);
    o->bind_int(m, k++, e->sentence);
    o->bind_int(m, k++, e->sent_start);
    o->bind_int(m, k++, e->sent_end);
    o->bind_int(m, k++, e->ev_start);
    o->bind_int(m, k++, e->ev_end);
    o->bind_int(m, k++, e->verb_start);
    o->bind_int(m, k++, e->verb_end);
    o->bind_int(m, k++, e->source.start);
    o->bind_int(m, k++, e->source.end);
    o->bind_int(m, k++, e->target.start);
    o->bind_int(m, k++, e->target.end);
    bt(o, m, k++, e->date);
    o->bind_int(m, k++, ymd_days(e->date));
    bt(o, m, k++, dyad_precision_name(e->date_precision));
    bt(o, m, k++, e->date_text);
    bt(o, m, k++, e->story_date);
    bt(o, m, k++, e->source.code);
    bt(o, m, k++, e->source.country);
    bt(o, m, k++, e->source.sector);
    bt(o, m, k++, e->target.code);
    bt(o, m, k++, e->target.country);
    bt(o, m, k++, e->target.sector);
    bt(o, m, k++, e->code);
    bt(o, m, k++, e->root);
    o->bind_int(m, k++, e->quad_class);
    o->bind_double(m, k++, e->goldstein);
    bt(o, m, k++, e->plover);
    bt(o, m, k++, e->plover_mode);
    bt(o, m, k++, e->plover_context);
    bt(o, m, k++, dyad_modality_name(e->modality));
    o->bind_int(m, k++, e->modality == DYAD_MODE_NEGATED);
    bt(o, m, k++, e->place.text);
    bt(o, m, k++, e->place.name);
    bt(o, m, k++, e->place.country);
    bt(o, m, k++, e->place.admin1);
    if (e->place.has_coords) {
      o->bind_double(m, k++, e->place.lat);
      o->bind_double(m, k++, e->place.lon);
    } else {
      o->bind_null(m, k++);
      o->bind_null(m, k++);
    }
    bt(o, m, k++, e->pattern);
    r = o->step(m, err);
    o->reset(m);
    if (r < 0) return DYAD_EDB;
    /* Mark the dyad dirty once per story. */
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) {
      seen = !strcmp(ev[j].source.code, e->source.code) &&
             !strcmp(ev[j].target.code, e->target.code) && !strcmp(ev[j].root, e->root) &&
             (ev[j].modality == DYAD_MODE_NEGATED) == (e->modality == DYAD_MODE_NEGATED);
    }
    if (!seen && mark_dirty(st, e->source.code, e->target.code, e->root,
                            e->modality == DYAD_MODE_NEGATED, err)) {
      return DYAD_EDB;
    }
  }
  (void)span_text;
  return DYAD_OK;
}

/* ---- deduplication ---- */

typedef struct dm {
  char *id, *date, *place, *country, *code, *modality, *story, *publisher, *story_date,
      *scountry, *tcountry, *plover;
  int day, has_ll;
  double lat, lon, gold;
} dm;

static void dm_free(dm *m) {
  du_free(m->id);
  du_free(m->date);
  du_free(m->place);
  du_free(m->country);
  du_free(m->code);
  du_free(m->modality);
  du_free(m->story);
  du_free(m->publisher);
  du_free(m->story_date);
  du_free(m->scountry);
  du_free(m->tcountry);
  du_free(m->plover);
}

static char *dupn(const char *s) { return du_strdup(s ? s : ""); }

/* The most frequent string among the group's values (ties: smallest). */
static const char *mode_of(dm *g, size_t n, size_t off) {
  const char *best = "";
  size_t best_n = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(char **)((char *)&g[i] + off);
    if (!v[0]) continue;
    size_t c = 0;
    for (size_t j = 0; j < n; j++) {
      if (!strcmp(*(char **)((char *)&g[j] + off), v)) c++;
    }
    if (c > best_n || (c == best_n && strcmp(v, best) < 0)) {
      best = v;
      best_n = c;
    }
  }
  return best;
}

static int count_distinct(dm *g, size_t n, size_t off) {
  int c = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = *(char **)((char *)&g[i] + off);
    if (!v[0]) continue;
    int dup = 0;
    for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(*(char **)((char *)&g[j] + off), v);
    if (!dup) c++;
  }
  return c;
}

static int write_group(dyad_store *st, db_stmt *ins, db_stmt *link, const char *src,
                       const char *tgt, const char *root, int neg, dm *g, size_t n,
                       dyad_error *err) {
  const db_ops *o = st->d->ops;
  /* The event id is the smallest mention id: independent of order. */
  size_t first = 0;
  for (size_t i = 1; i < n; i++) {
    if (strcmp(g[i].id, g[first].id) < 0) first = i;
  }
  const char *date = mode_of(g, n, offsetof(dm, date));
  const char *place = mode_of(g, n, offsetof(dm, place));
  const char *code = mode_of(g, n, offsetof(dm, code));
  int nplaces = count_distinct(g, n, offsetof(dm, place));
  int ndates = count_distinct(g, n, offsetof(dm, date));
  int nstories = count_distinct(g, n, offsetof(dm, story));
  int nsources = count_distinct(g, n, offsetof(dm, publisher));
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
        if (!dup) ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].place, g[i].id);
      }
    }
    if (ndates > 1 && ol < sizeof note) {
      ol += (size_t)snprintf(note + ol, sizeof note - ol, "%sdates:", ol ? " " : "");
      for (size_t i = 0; i < n && ol < sizeof note; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(g[j].date, g[i].date);
        if (!dup) ol += (size_t)snprintf(note + ol, sizeof note - ol, " %s (%s);", g[i].date, g[i].id);
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
  int k = 1;
  bt(o, ins, k++, fm->id);
  bt(o, ins, k++, date);
  o->bind_int(ins, k++, du_ymd_to_days(ymd));
  bt(o, ins, k++, src);
  bt(o, ins, k++, fm->scountry);
  bt(o, ins, k++, tgt);
  bt(o, ins, k++, fm->tcountry);
  bt(o, ins, k++, code);
  bt(o, ins, k++, root);
  o->bind_int(ins, k++, neg);
  int r = atoi(root);
  o->bind_int(ins, k++, r <= 5 ? 1 : r <= 8 ? 2 : r <= 13 ? 3 : 4);
  o->bind_double(ins, k++, gsum / (double)n);
  bt(o, ins, k++, fm->plover);
  bt(o, ins, k++, modality);
  bt(o, ins, k++, place);
  bt(o, ins, k++, country);
  if (has_ll) {
    o->bind_double(ins, k++, lat);
    o->bind_double(ins, k++, lon);
  } else {
    o->bind_null(ins, k++);
    o->bind_null(ins, k++);
  }
  o->bind_int(ins, k++, (int64_t)n);
  o->bind_int(ins, k++, nstories);
  o->bind_int(ins, k++, nsources);
  bt(o, ins, k++, first_seen);
  o->bind_int(ins, k++, note[0] != '\0');
  bt(o, ins, k++, note);
  int rc = o->step(ins, err);
  o->reset(ins);
  if (rc < 0) return DYAD_EDB;
  for (size_t i = 0; i < n; i++) {
    bt(o, link, 1, fm->id);
    bt(o, link, 2, g[i].id);
    rc = o->step(link, err);
    o->reset(link);
    if (rc < 0) return DYAD_EDB;
  }
  return DYAD_OK;
}

/* Regroup every mention of one dyad. */
static int dedup_key(dyad_store *st, const char *src, const char *tgt, const char *root,
                     int neg, db_stmt *sel, db_stmt *del, db_stmt *ins, db_stmt *link,
                     dyad_error *err) {
  const db_ops *o = st->d->ops;
  bt(o, del, 1, src);
  bt(o, del, 2, tgt);
  bt(o, del, 3, root);
  o->bind_int(del, 4, neg);
  int r = o->step(del, err);
  o->reset(del);
  if (r < 0) return DYAD_EDB;
  du_vec v;
  du_vec_init(&v, sizeof(dm));
  bt(o, sel, 1, src);
  bt(o, sel, 2, tgt);
  bt(o, sel, 3, root);
  o->bind_int(sel, 4, neg);
  while ((r = o->step(sel, err)) == 1) {
    dm *m = du_vec_push(&v);
    if (!m) {
      r = -1;
      break;
    }
    m->id = dupn(o->col_text(sel, 0));
    m->day = (int)o->col_int(sel, 1);
    m->date = dupn(o->col_text(sel, 2));
    m->place = dupn(o->col_text(sel, 3));
    m->country = dupn(o->col_text(sel, 4));
    m->has_ll = o->col_text(sel, 5) != NULL;
    m->lat = o->col_double(sel, 5);
    m->lon = o->col_double(sel, 6);
    m->code = dupn(o->col_text(sel, 7));
    m->gold = o->col_double(sel, 8);
    m->modality = dupn(o->col_text(sel, 9));
    m->story = dupn(o->col_text(sel, 10));
    m->publisher = dupn(o->col_text(sel, 11));
    m->story_date = dupn(o->col_text(sel, 12));
    m->scountry = dupn(o->col_text(sel, 13));
    m->tcountry = dupn(o->col_text(sel, 14));
    m->plover = dupn(o->col_text(sel, 15));
  }
  o->reset(sel);
  int rc = r < 0 ? DYAD_EDB : DYAD_OK;
  /* Sweep in (day, id) order: a group takes the mentions within a day of
   * its first; mentions placed in different countries are different
   * happenings, mentions without a place join the first group. */
  dm *all = v.data;
  size_t n = v.len, i = 0;
  dm *grp = du_malloc((n ? n : 1) * sizeof *grp);
  char *used = du_calloc(n ? n : 1, 1);
  if (!grp || !used) rc = DYAD_ENOMEM;
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
      if (gn) rc = write_group(st, ins, link, src, tgt, root, neg, grp, gn, err);
    }
    i = end;
  }
  du_free(grp);
  du_free(used);
  for (size_t k = 0; k < v.len; k++) dm_free(&DU_VEC_AT(&v, dm, k));
  du_vec_free(&v);
  return rc;
}

int dyad_store_dedup(dyad_store *st, dyad_error *err) {
  const db_ops *o = st->d->ops;
  db_stmt *keys = NULL, *sel = NULL, *del = NULL, *ins = NULL, *link = NULL, *clean = NULL;
  int rc = db_prepare(st->d, "SELECT source, target, root, negated FROM dirty "
                             "ORDER BY source, target, root, negated LIMIT 2000", &keys, err);
  if (!rc) rc = db_prepare(st->d,
                           "SELECT m.id, m.day, m.date, m.place_name, m.place_country, m.lat, m.lon, "
                           "m.code, m.goldstein, m.modality, m.story_id, s.source, m.story_date, "
                           "m.source_country, m.target_country, m.plover FROM mentions m "
                           "JOIN stories s ON s.id = m.story_id WHERE m.source = ? AND "
                           "m.target = ? AND m.root = ? AND m.negated = ? ORDER BY m.day, m.id",
                           &sel, err);
  if (!rc) rc = db_prepare(st->d, "DELETE FROM events WHERE source = ? AND target = ? AND "
                                  "root = ? AND negated = ?", &del, err);
  if (!rc) rc = db_prepare(st->d,
                           "INSERT INTO events (id, date, day, source, source_country, target, "
                           "target_country, code, root, negated, quad, goldstein, plover, modality, "
                           "place_name, place_country, lat, lon, n_mentions, n_stories, n_sources, "
                           "first_seen, conflict, conflict_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &ins, err);
  if (!rc) rc = db_prepare(st->d, "UPDATE mentions SET event_id = ? WHERE id = ?", &link, err);
  if (!rc) rc = db_prepare(st->d, "DELETE FROM dirty WHERE source = ? AND target = ? AND "
                                  "root = ? AND negated = ?", &clean, err);
  /* Batches of dirty dyads, each batch in one transaction. */
  while (!rc) {
    if ((rc = dyad_store_begin(st, err))) break;
    int nk = 0;
    du_vec ks;
    du_vec_init(&ks, sizeof(char *));
    int r;
    while ((r = o->step(keys, err)) == 1) {
      char **p = du_vec_push(&ks);
      if (!p) break;
      char buf[512];
      snprintf(buf, sizeof buf, "%s\t%s\t%s\t%lld", o->col_text(keys, 0), o->col_text(keys, 1),
               o->col_text(keys, 2), (long long)o->col_int(keys, 3));
      *p = du_strdup(buf);
    }
    o->reset(keys);
    if (r < 0) rc = DYAD_EDB;
    for (size_t i = 0; i < ks.len && !rc; i++) {
      char *k = DU_VEC_AT(&ks, char *, i);
      char *f[4];
      f[0] = k;
      f[1] = strchr(f[0], '\t');
      *f[1]++ = '\0';
      f[2] = strchr(f[1], '\t');
      *f[2]++ = '\0';
      f[3] = strchr(f[2], '\t');
      *f[3]++ = '\0';
      int neg = atoi(f[3]);
      rc = dedup_key(st, f[0], f[1], f[2], neg, sel, del, ins, link, err);
      if (!rc) {
        bt(o, clean, 1, f[0]);
        bt(o, clean, 2, f[1]);
        bt(o, clean, 3, f[2]);
        o->bind_int(clean, 4, neg);
        if (o->step(clean, err) < 0) rc = DYAD_EDB;
        o->reset(clean);
      }
      nk++;
    }
    for (size_t i = 0; i < ks.len; i++) du_free(DU_VEC_AT(&ks, char *, i));
    du_vec_free(&ks);
    if (rc) {
      dyad_store_rollback(st, NULL);
      break;
    }
    if ((rc = dyad_store_commit(st, err))) break;
    if (nk == 0) break;
  }
  db_stmt *all[] = {keys, sel, del, ins, link, clean};
  for (size_t i = 0; i < DU_ARRAY_LEN(all); i++) {
    if (all[i]) o->finalize(all[i]);
  }
  return rc;
}

int dyad_store_stats_get(dyad_store *st, dyad_store_stats *out, dyad_error *err) {
  const db_ops *o = st->d->ops;
  const char *sql = "SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM mentions), "
                    "(SELECT count(*) FROM events), (SELECT count(*) FROM events WHERE conflict = 1), "
                    "(SELECT count(*) FROM dirty)";
  db_stmt *s;
  int rc = db_prepare(st->d, sql, &s, err);
  if (rc) return rc;
  memset(out, 0, sizeof *out);
  if (o->step(s, err) == 1) {
    out->stories = o->col_int(s, 0);
    out->mentions = o->col_int(s, 1);
    out->events = o->col_int(s, 2);
    out->conflicts = o->col_int(s, 3);
    out->dirty = o->col_int(s, 4);
  } else {
    rc = DYAD_EDB;
  }
  o->finalize(s);
  return rc;
}

db *ds_db(dyad_store *st) { return st->d; }

int dyad_store_dump(dyad_store *st, FILE *f, dyad_error *err) {
  /* Doubles are printed by us, so both backends agree to the digit. */
  static const struct { const char *name, *sql; } tables[] = {
      {"stories", "SELECT id, date, source, url, text_hash, n_mentions FROM stories ORDER BY id"},
      {"mentions", "SELECT id, story_id, sentence, ev_start, ev_end, date, day, date_precision, "
                   "source, target, code, root, quad, goldstein, modality, negated, place_name, "
                   "place_country, lat, lon, pattern, event_id FROM mentions ORDER BY id"},
      {"events", "SELECT id, date, day, source, target, code, root, negated, quad, goldstein, "
                 "plover, modality, place_name, place_country, lat, lon, n_mentions, n_stories, "
                 "n_sources, first_seen, conflict, conflict_note FROM events ORDER BY id"},
      {"dirty", "SELECT source, target, root, negated FROM dirty ORDER BY source, target, root, "
                "negated"}};
  const db_ops *o = st->d->ops;
  for (size_t t = 0; t < DU_ARRAY_LEN(tables); t++) {
    db_stmt *s;
    int rc = db_prepare(st->d, tables[t].sql, &s, err);
    if (rc) return rc;
    fprintf(f, "== %s\n", tables[t].name);
    int r;
    while ((r = o->step(s, err)) == 1) {
      int n = o->ncol(s);
      for (int i = 0; i < n; i++) {
        const char *v = o->col_text(s, i);
        const char *name = o->col_name(s, i);
        if (i) fputc('\t', f);
        if (!v) {
          fputs("NULL", f);
        } else if (!strcmp(name, "goldstein") || !strcmp(name, "lat") || !strcmp(name, "lon")) {
          fprintf(f, "%.4f", o->col_double(s, i));
        } else {
          fputs(v, f);
        }
      }
      fputc('\n', f);
    }
    o->finalize(s);
    if (r < 0) return DYAD_EDB;
  }
  return DYAD_OK;
}
