/*
 * dyad.h - the public interface of libdyad, a political event-data engine.
 *
 * This is the only installed header. Everything a front end needs is here:
 * loading a knowledge base, coding stories into events, formatting events,
 * and the store (ingest, query, export, serve).
 *
 * Conventions
 *  - Functions that can fail return an int status: DYAD_OK (0) on success,
 *    a positive dyad_status otherwise. When an error struct is passed (it may
 *    be NULL), it is filled with the status, a message and, for data errors,
 *    the file and line.
 *  - Objects are created by the _new, _load and _open functions and released
 *    by the matching _free or _close, which accept NULL.
 *  - A dyad_kb is immutable once loaded and may be shared read-only by any
 *    number of threads. A dyad_coder belongs to one thread at a time.
 *  - The library never prints and keeps no global state.
 */
#ifndef DYAD_H
#define DYAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DYAD_EXTERN __attribute__((visibility("default")))
#else
#define DYAD_EXTERN
#endif

#define DYAD_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

#define DYAD_STATUS_MAP(XX)                                              \
  XX(OK, "success")                                                      \
  XX(ENOMEM, "out of memory")                                            \
  XX(EIO, "input/output error")                                          \
  XX(EDATA, "malformed data")                                            \
  XX(EINVAL, "invalid argument")                                         \
  XX(ETOOBIG, "input too large")                                         \
  XX(EUTF8, "invalid UTF-8")                                             \
  XX(ENOTFOUND, "not found")                                             \
  XX(EDB, "database error")                                              \
  XX(EUNSUPPORTED, "not supported by this build")

typedef enum {
#define DYAD_STATUS_ENUM(name, text) DYAD_##name,
  DYAD_STATUS_MAP(DYAD_STATUS_ENUM)
#undef DYAD_STATUS_ENUM
  DYAD_STATUS_COUNT
} dyad_status;

#define DYAD_ERR_MSG_LEN 512
#define DYAD_ERR_FILE_LEN 256

typedef struct dyad_error {
  int status;                       /* a dyad_status */
  char file[DYAD_ERR_FILE_LEN];     /* data file, or "" */
  long line;                        /* 1-based line in file, or 0 */
  char message[DYAD_ERR_MSG_LEN];   /* human-readable, no trailing newline */
} dyad_error;

/* A static string naming the status ("malformed data"). */
DYAD_EXTERN const char *dyad_strerror(int status);
/* The symbolic name of the status ("EDATA"). */
DYAD_EXTERN const char *dyad_errname(int status);

/* ------------------------------------------------------------------ */
/* Knowledge base                                                      */
/* ------------------------------------------------------------------ */

typedef struct dyad_kb dyad_kb;

/* A diagnostic found while loading or checking a knowledge base. */
typedef enum { DYAD_DIAG_WARNING = 1, DYAD_DIAG_ERROR = 2 } dyad_diag_level;

typedef struct dyad_diag {
  int level;             /* dyad_diag_level */
  const char *file;
  long line;
  const char *message;
} dyad_diag;

/* Called once per diagnostic while loading; may be NULL. */
typedef void (*dyad_diag_fn)(const dyad_diag *d, void *ud);

/* Load the knowledge base compiled into the library. Fast (no parsing). */
DYAD_EXTERN int dyad_kb_load_builtin(dyad_kb **out, dyad_error *err);

/*
 * Load a knowledge base from PATH, which may be
 *  - a folder of dyad knowledge files (see docs/kb-format.md),
 *  - a folder of PETRARCH-2 dictionaries (verbs, actors, agents, discards,
 *    issues; recognised by their contents),
 *  - a single dictionary file of either kind, or
 *  - a compiled knowledge base written by dyad_kb_save().
 * Malformed entries are reported through DIAG and skipped; loading fails
 * only when nothing usable could be read or a file cannot be opened.
 */
DYAD_EXTERN int dyad_kb_load(const char *path, dyad_diag_fn diag, void *ud,
                             dyad_kb **out, dyad_error *err);

/* Load and merge several paths (files or folders) into one KB. */
DYAD_EXTERN int dyad_kb_load_paths(const char *const *paths, size_t npaths,
                                   dyad_diag_fn diag, void *ud, dyad_kb **out,
                                   dyad_error *err);

/* Write KB in compiled form to PATH (loads in milliseconds). */
DYAD_EXTERN int dyad_kb_save(const dyad_kb *kb, const char *path,
                             dyad_error *err);

DYAD_EXTERN void dyad_kb_free(dyad_kb *kb);

typedef struct dyad_kb_stats {
  size_t words, actors, actor_names, person_roles, countries, organisations,
      people, agents, verbs, verb_forms, patterns, synsets, discards,
      issues, places, cameo_codes, review_flags;
} dyad_kb_stats;

DYAD_EXTERN void dyad_kb_get_stats(const dyad_kb *kb, dyad_kb_stats *st);

/* ------------------------------------------------------------------ */
/* CAMEO code table                                                    */
/* ------------------------------------------------------------------ */

typedef struct dyad_cameo_info {
  const char *code;        /* "042" */
  const char *name;        /* "Make a visit" */
  double goldstein;
  int quad_class;          /* 1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict */
  const char *plover;      /* PLOVER event type, "CONSULT" */
  const char *plover_mode; /* PLOVER mode or "" */
  const char *plover_context; /* PLOVER context or "" ('+' joins two) */
} dyad_cameo_info;

/* Look up a CAMEO code in KB's table; NULL when unknown. */
DYAD_EXTERN const dyad_cameo_info *dyad_cameo_lookup(const dyad_kb *kb,
                                                     const char *code);

/* ------------------------------------------------------------------ */
/* Coding                                                              */
/* ------------------------------------------------------------------ */

typedef struct dyad_coder dyad_coder;

typedef struct dyad_story {
  const char *id;          /* story id, required */
  const char *date;        /* "YYYY-MM-DD" or "YYYYMMDD", required */
  const char *text;        /* UTF-8 text */
  size_t text_len;
  const char *source;      /* publisher, optional */
  const char *url;         /* optional */
} dyad_story;

typedef enum {
  DYAD_MODE_ASSERTED = 0,
  DYAD_MODE_REPORTED,
  DYAD_MODE_HYPOTHETICAL,
  DYAD_MODE_INTENDED,
  DYAD_MODE_NEGATED
} dyad_modality;

typedef enum {
  DYAD_PREC_STORY = 0, /* nothing in the clause: the story date */
  DYAD_PREC_DAY,
  DYAD_PREC_WEEK,
  DYAD_PREC_MONTH,
  DYAD_PREC_YEAR
} dyad_date_precision;

typedef struct dyad_actor {
  const char *code;       /* full code, "TURMIL" */
  const char *country;    /* leading country/IGO code when known, else "" */
  const char *sector;     /* agent part, "MIL", or "" */
  uint32_t start, end;    /* byte offsets of the actor text in the story */
} dyad_actor;

typedef struct dyad_place {
  const char *text;        /* the words in the story, "in the Libyan capital" */
  const char *name;        /* resolved gazetteer name, "" when unresolved */
  const char *country;     /* ISO-3 country code, "" when unknown */
  const char *admin1;      /* first-level region, "" when unknown */
  double lat, lon;         /* valid only when has_coords */
  int has_coords;
  uint32_t start, end;     /* byte offsets of the place words */
} dyad_place;

typedef struct dyad_event {
  const char *story_id;
  uint32_t sentence;       /* 0-based sentence index within the story */
  uint32_t sent_start, sent_end;   /* byte offsets of the sentence */
  uint32_t ev_start, ev_end;       /* byte offsets of the evidence span */
  uint32_t verb_start, verb_end;   /* byte offsets of the verb phrase */
  dyad_actor source, target;
  char code[8];            /* CAMEO code as a string: "042" */
  char root[4];            /* "04" */
  double goldstein;
  int quad_class;
  const char *plover;      /* PLOVER event type, "" when PLOVER has none */
  const char *plover_mode;
  const char *plover_context;
  int modality;            /* dyad_modality */
  int negated;             /* 1 when the text negates the event */
  char story_date[11];     /* "YYYY-MM-DD" */
  char date[11];           /* resolved event date */
  int date_precision;      /* dyad_date_precision */
  const char *date_text;   /* words that gave the date, or "" */
  dyad_place place;        /* event location; place.text == "" when none */
  const char *pattern;     /* matched pattern, "file:line" or a name */
  char event_id[40];       /* stable id: story id + sentence + index */
  /* Filled by the store for deduplicated events (0 for a single story). */
  uint32_t n_mentions, n_stories, n_sources;
  int conflict;            /* reports disagree on the place or date */
} dyad_event;

/* Create a coder over KB. KB must outlive the coder. */
DYAD_EXTERN int dyad_coder_new(const dyad_kb *kb, dyad_coder **out,
                               dyad_error *err);
DYAD_EXTERN void dyad_coder_free(dyad_coder *c);

/* Options that change coding. */
typedef struct dyad_code_options {
  int emit_reported_say;   /* also emit 01x "said" events beside embedded events */
  int keep_negated;        /* emit negated events flagged negated (default 1) */
  int intent_codes;        /* an act announced ("will visit", "would strike")
                              codes as the intention (03x) or threat (13x)
                              it is, as the CAMEO codebook asks. 1 on, 0 off,
                              -1 (default) on unless the dictionaries define
                              their own modal codes (PETRARCH-2 verb files,
                              whose patterns code the act) */
  int one_sided;           /* also emit events with a source and no target
                              actor ("X resigned"), target code "" (roots
                              03-20 only). 1, 0, or -1 (default): on unless
                              the dictionaries are PETRARCH-2 ones */
  int visit_codes;         /* a meeting (040) placed in the target's country
                              is a visit (042), in the source's a hosted
                              visit (043), elsewhere a meeting at a third
                              location (044). 1, 0, or -1 (default): on
                              unless the dictionaries are PETRARCH-2 ones */
  size_t max_text_len;     /* stories longer than this fail with ETOOBIG (0: 16 MiB) */
  /* Debugging: called with one line of analysis per sentence element
   * (tokens, noun phrases, verb groups, matches). NULL: no trace. */
  void (*trace)(const char *line, void *ud);
  void *trace_ud;
} dyad_code_options;

DYAD_EXTERN void dyad_code_options_init(dyad_code_options *o);
DYAD_EXTERN void dyad_coder_set_options(dyad_coder *c,
                                        const dyad_code_options *o);

/*
 * Code one story. On success *events points to *n events owned by the
 * coder, valid until the next call on the same coder. A story that cannot
 * be coded (bad date, invalid UTF-8, too long) returns a status and a
 * message in ERR, and no events.
 */
DYAD_EXTERN int dyad_code_story(dyad_coder *c, const dyad_story *s,
                                const dyad_event **events, size_t *n,
                                dyad_error *err);

/* Sentences of the last coded story (byte offsets), for evidence display. */
typedef struct dyad_sentence {
  uint32_t start, end;
  int discarded;           /* 1 when skipped as clutter or by a discard rule */
} dyad_sentence;

DYAD_EXTERN size_t dyad_coder_sentences(const dyad_coder *c,
                                        const dyad_sentence **out);

/* Flags of the last story: 1 when the whole story was discarded. */
DYAD_EXTERN int dyad_coder_story_discarded(const dyad_coder *c);

/* ------------------------------------------------------------------ */
/* Output formats                                                      */
/* ------------------------------------------------------------------ */

typedef enum {
  DYAD_FMT_JSONL = 0,
  DYAD_FMT_PLOVER,
  DYAD_FMT_PHOENIX,
  DYAD_FMT_GDELT,
  DYAD_FMT_ICEWS,
  DYAD_FMT_CSV,
  DYAD_FMT_BRIEF     /* one short tab-separated line per event, for people and tests */
} dyad_format;

/* Parse a format name ("jsonl", "plover", ...); -1 when unknown. */
DYAD_EXTERN int dyad_format_parse(const char *name);

/* Write the header line of FORMAT, if it has one. */
DYAD_EXTERN int dyad_write_header(FILE *f, int format);

/*
 * Write one event in FORMAT. TEXT is the story text (for evidence), SEQ a
 * number used where a format needs a numeric id (GDELT's GLOBALEVENTID);
 * 0 derives it from the event id, stable across runs and shards.
 */
DYAD_EXTERN int dyad_write_event(FILE *f, int format, const dyad_event *ev,
                                 const char *text, size_t text_len,
                                 const dyad_story *story, uint64_t seq);

/* Escape S (LEN bytes) as the inside of a JSON string into F. */
DYAD_EXTERN void dyad_json_escape(FILE *f, const char *s, size_t len);

/* Names of modalities ("reported") and date precisions ("day"). */
DYAD_EXTERN const char *dyad_modality_name(int modality);
DYAD_EXTERN const char *dyad_precision_name(int precision);

/* ------------------------------------------------------------------ */
/* Reading stories                                                     */
/* ------------------------------------------------------------------ */

typedef enum {
  DYAD_IN_JSONL = 0,   /* {"id":..,"date":"YYYY-MM-DD","text":..} per line */
  DYAD_IN_TEXT,        /* the whole file is one story */
  DYAD_IN_PETRARCH     /* PETRARCH XML: <Sentence date= id=><Text>..</Text> */
} dyad_input_format;

typedef struct dyad_reader dyad_reader;

/* Read stories from F (not closed by the reader). NAME is used in
 * messages. For DYAD_IN_TEXT, DEFAULT_DATE gives the story date. */
DYAD_EXTERN int dyad_reader_open(FILE *f, const char *name, int format,
                                 const char *default_date, dyad_reader **out,
                                 dyad_error *err);

/*
 * Next story. Returns DYAD_OK with *story filled (valid until the next
 * call), -1 at the end of input, DYAD_EDATA for a bad record (ERR names
 * the file and line; reading can continue), DYAD_EIO when the input
 * cannot be read.
 */
DYAD_EXTERN int dyad_reader_next(dyad_reader *r, dyad_story *story,
                                 dyad_error *err);

/* 1-based line where the last story started. */
DYAD_EXTERN long dyad_reader_line(const dyad_reader *r);

/* Extra fields of a PETRARCH record (NULL for other formats). */
typedef struct dyad_petr_record {
  const char *category;    /* "DEMO" */
  int evaluate;            /* evaluate="true" */
  const char *expected;    /* the raw <EventCoding .../> elements, newline-separated */
} dyad_petr_record;
DYAD_EXTERN const dyad_petr_record *dyad_reader_petrarch(const dyad_reader *r);

DYAD_EXTERN void dyad_reader_free(dyad_reader *r);

/* ------------------------------------------------------------------ */
/* Store: SQLite (default) or PostgreSQL                               */
/* ------------------------------------------------------------------ */

typedef struct dyad_store dyad_store;

/* Open TARGET: a SQLite file name, or a postgresql:// (or postgres://)
 * URL. Creates the schema when missing. */
DYAD_EXTERN int dyad_store_open(const char *target, dyad_store **out,
                                dyad_error *err);
DYAD_EXTERN void dyad_store_close(dyad_store *st);

/* "sqlite" or "postgresql". */
DYAD_EXTERN const char *dyad_store_backend(const dyad_store *st);

typedef enum {
  DYAD_PUT_INSERTED = 0,   /* a new story */
  DYAD_PUT_UNCHANGED,      /* the same story again: nothing changed */
  DYAD_PUT_REPLACED        /* a changed text: its events were replaced */
} dyad_put_result;

/* Transactions around many dyad_store_put calls. On SQLite a
 * transaction takes the write lock when it begins (BEGIN IMMEDIATE):
 * another writer waits for it (up to 10 s, then DYAD_EDB). */
DYAD_EXTERN int dyad_store_begin(dyad_store *st, dyad_error *err);
DYAD_EXTERN int dyad_store_commit(dyad_store *st, dyad_error *err);
DYAD_EXTERN int dyad_store_rollback(dyad_store *st, dyad_error *err);

/* 1 when the store holds story ID with exactly this text (so coding it
 * again can be skipped). */
DYAD_EXTERN int dyad_store_has_story(dyad_store *st, const dyad_story *s,
                                     dyad_error *err);

/* Store a coded story and its events (mentions). *RESULT says what
 * happened. Marks the dyads it touches for deduplication. */
DYAD_EXTERN int dyad_store_put(dyad_store *st, const dyad_story *s,
                               const dyad_event *ev, size_t n, int *result,
                               dyad_error *err);

/* Group the mentions of every touched dyad into events (same source,
 * target and CAMEO root, dates within a day, places in one country).
 * Runs in its own transactions; safe to interrupt and run again. Builds
 * any index that is missing (see dyad_store_defer_indexes). */
DYAD_EXTERN int dyad_store_dedup(dyad_store *st, dyad_error *err);

/* Before a bulk load: when the store holds no mentions, drop the indexes
 * that only grouping and readers use (*DEFERRED = 1), so that each is
 * built once, from sorted rows, by dyad_store_dedup or
 * dyad_store_build_indexes. Call outside a transaction. Readers of the
 * store meanwhile run without those indexes. */
DYAD_EXTERN int dyad_store_defer_indexes(dyad_store *st, int *deferred,
                                         dyad_error *err);

/* Build any of those indexes that is missing (after a load that did not
 * group, or one that was killed). The index grouping reads mentions by
 * is left to the grouping that needs it. */
DYAD_EXTERN int dyad_store_build_indexes(dyad_store *st, dyad_error *err);

/* Before a bulk load through dyad_store_put into a store that holds no
 * mentions (*ON = 1; else 0 and nothing changes): keep each stored
 * mention's grouping values and each story id in memory, up to MAX_BYTES,
 * so that a new story id needs no lookup and dyad_store_dedup need not
 * read back what was written. With *ON = 1 the store is marked, at once,
 * as having every dyad wait to be grouped, and the load marks none
 * itself. The store falls back to the database, with the same result,
 * when the memory is exceeded, a story is replaced, a put comes outside a
 * transaction, a transaction is rolled back, or another connection
 * commits to the store (checked at each dyad_store_begin, which on SQLite
 * takes the write lock at once). PostgreSQL cannot tell the last, so *ON
 * is 0 there. Call outside a transaction. */
DYAD_EXTERN int dyad_store_remember(dyad_store *st, size_t max_bytes, int *on,
                                    dyad_error *err);

typedef struct dyad_store_stats {
  long long stories, mentions, events, conflicts, dirty;
} dyad_store_stats;
DYAD_EXTERN int dyad_store_stats_get(dyad_store *st, dyad_store_stats *out,
                                     dyad_error *err);

/* Query filters; empty strings and zeros mean "any". */
typedef struct dyad_query {
  const char *actor;       /* actor or country prefix on either side: "TUR" */
  const char *source, *target;  /* prefixes */
  int undirected;          /* with source and target: both directions */
  const char *code;        /* exact CAMEO code */
  const char *root;        /* "19" */
  int quad;                /* 1..4 */
  const char *from, *to;   /* dates, inclusive */
  const char *place;       /* place name or country */
  const char *modality;    /* "asserted" ... */
  int min_sources;         /* events reported by at least N publishers */
  const char *plover;      /* PLOVER type */
  const char *by;          /* "", "day", "week", "month", "year", "dyad",
                              "root", "partner" (with actor) */
  int mentions;            /* count mentions rather than events */
  long limit, offset;
} dyad_query;

DYAD_EXTERN void dyad_query_init(dyad_query *q);

/* One result row: NCOL columns of names and values (as text). */
typedef int (*dyad_row_fn)(int ncol, const char *const *names,
                           const char *const *values, void *ud);

/* Aggregate: rows of (group..., events, goldstein_sum, goldstein_mean). */
DYAD_EXTERN int dyad_store_query(dyad_store *st, const dyad_query *q,
                                 dyad_row_fn fn, void *ud, dyad_error *err);

/* Deduplicated events matching Q, with their counts, as dyad_event
 * structures (valid during the callback). TEXT is the text of the story
 * of the event's first mention. */
typedef int (*dyad_event_fn)(const dyad_event *ev, const char *text,
                             size_t text_len, const dyad_story *story,
                             void *ud);
DYAD_EXTERN int dyad_store_events(dyad_store *st, const dyad_query *q,
                                  dyad_event_fn fn, void *ud, dyad_error *err);

/* The mentions of one event (by event id), same callback. */
DYAD_EXTERN int dyad_store_mentions(dyad_store *st, const char *event_id,
                                    dyad_event_fn fn, void *ud,
                                    dyad_error *err);

/* Every table in a canonical text form (sorted, one row per line): two
 * stores with the same content dump the same bytes, whatever the backend. */
DYAD_EXTERN int dyad_store_dump(dyad_store *st, FILE *f, dyad_error *err);

/* Actor network of events matching Q as GraphML. */
DYAD_EXTERN int dyad_store_graphml(dyad_store *st, const dyad_query *q,
                                   FILE *f, dyad_error *err);

/* ------------------------------------------------------------------ */
/* Dates                                                               */
/* ------------------------------------------------------------------ */

/* Parse "YYYY-MM-DD" or "YYYYMMDD" into *ymd (YYYYMMDD); 0 on success. */
DYAD_EXTERN int dyad_parse_date(const char *s, int32_t *ymd);

/* ------------------------------------------------------------------ */
/* Merging stores (sharded runs)                                       */
/* ------------------------------------------------------------------ */

typedef struct dyad_merge_stats {
  long long stories;       /* stories read from the sources */
  long long inserted, unchanged, replaced;
  long long mentions;      /* mentions copied */
} dyad_merge_stats;

DYAD_EXTERN void dyad_merge_stats_init(dyad_merge_stats *ms);

/*
 * Copy the stories and mentions of the store SOURCE (a SQLite file or a
 * postgresql:// URL, written by this version) into ST with the rules of
 * dyad_store_put: the same story again changes nothing, a changed one
 * replaces its mentions. Adds to *MS (may be NULL). Works in transactions
 * of its own (none may be open) and can be run again after an
 * interruption. Does not deduplicate: call dyad_store_dedup after the
 * last source (a merge into a store without mentions marks every dyad as
 * waiting at once, as dyad_store_remember does, rather than each dyad it
 * touches). Sources are applied in the order of the calls, so when a
 * story id appears in several sources the last one wins, as in one
 * ingest of the sources' inputs in that order.
 */
DYAD_EXTERN int dyad_store_merge(dyad_store *st, const char *source,
                                 dyad_merge_stats *ms, dyad_error *err);

/* ------------------------------------------------------------------ */
/* Readers of a store (the dashboard)                                  */
/* ------------------------------------------------------------------ */

/*
 * Make ST refuse every write for the rest of its life, for a reader such
 * as `dyad serve`. On PostgreSQL a statement running longer than
 * TIMEOUT_MS (0: no limit) is also cancelled with DYAD_EDB; SQLite has no
 * such limit, and its connection gets a larger page cache and
 * memory-mapped reads instead.
 */
DYAD_EXTERN int dyad_store_read_only(dyad_store *st, long timeout_ms,
                                     dyad_error *err);

/* Actors of the events matching Q, each event counted for its source and
 * for its target, most frequent first: rows of (actor, events,
 * goldstein_mean). Q->limit and Q->offset page the rows. */
DYAD_EXTERN int dyad_store_actors(dyad_store *st, const dyad_query *q,
                                  dyad_row_fn fn, void *ud, dyad_error *err);

/* One deduplicated event by id, as one row of (id, date, source, target,
 * code, root, quad, goldstein, plover, modality, negated, place_name,
 * place_country, lat, lon, n_mentions, n_stories, n_sources, first_seen,
 * conflict, conflict_note). DYAD_ENOTFOUND when there is none. */
DYAD_EXTERN int dyad_store_event_info(dyad_store *st, const char *event_id,
                                      dyad_row_fn fn, void *ud,
                                      dyad_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DYAD_H */
