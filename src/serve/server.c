/*
 * server.c - the HTTP side of `dyad serve` (libmicrohttpd).
 *
 * Threads: libmicrohttpd runs a pool of CFG->threads threads, each
 * polling its own share of connections and calling handle() for their
 * requests. A request that needs the store borrows one connection from a
 * pool of as many (opened read-only), under a mutex, and gives it back
 * before its answer is queued: a SQLite or PostgreSQL connection is never
 * used by two threads at once.
 *
 * What is served: GET or HEAD of the embedded files (assets.h) and of the
 * JSON endpoints (api.c). Nothing else: no file system path is ever
 * opened, other methods get 405, paths with "..", backslashes or control
 * characters get 400, anything unknown 404. Requests are bounded by
 * libmicrohttpd's per-connection memory (request line and headers), by a
 * connection limit and an idle timeout; answers by the caps in api.h.
 */
#include "serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve/api.h"
#include "serve/assets.h"

#define SV_MAX_PATH 512             /* longest path we look at */
#define SV_CONN_MEMORY (32u << 10)  /* request line + headers per connection */
#define SV_MAX_CONNECTIONS 256
#define SV_IDLE_TIMEOUT 15          /* seconds */
#define SV_POOL_WAIT_MS 5000        /* longest wait for a free store connection */

void sv_config_init(sv_config *c) {
  memset(c, 0, sizeof *c);
  c->bind = "127.0.0.1";
  c->port = 8080;
  c->threads = 4;
  c->timeout_ms = 5000;
}

static int fail(dyad_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(dyad_error *err, int status, const char *fmt, ...) {
  if (err) {
    memset(err, 0, sizeof *err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

/* ---- the pool of store connections ---- */

typedef struct pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  dyad_store **st;
  unsigned char *busy;
  unsigned n;
} pool;

static int pool_open(pool *p, const sv_config *c, dyad_error *err) {
  memset(p, 0, sizeof *p);
  p->st = calloc(c->threads, sizeof *p->st);
  p->busy = calloc(c->threads, 1);
  if (!p->st || !p->busy) return fail(err, DYAD_ENOMEM, "out of memory");
  pthread_mutex_init(&p->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cv, &ca);
  pthread_condattr_destroy(&ca);
  for (unsigned i = 0; i < c->threads; i++) {
    int rc = dyad_store_open(c->db, &p->st[i], err);
    if (!rc) rc = dyad_store_read_only(p->st[i], c->timeout_ms, err);
    p->n = i + 1;
    if (rc) return rc;
  }
  return DYAD_OK;
}

static void pool_close(pool *p) {
  for (unsigned i = 0; i < p->n; i++) dyad_store_close(p->st[i]);
  if (p->st) {
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
  }
  free(p->st);
  free(p->busy);
  memset(p, 0, sizeof *p);
}

/* A free connection (its index in *SLOT), or NULL after SV_POOL_WAIT_MS. */
static dyad_store *pool_get(pool *p, unsigned *slot) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += SV_POOL_WAIT_MS / 1000;
  until.tv_nsec += (long)(SV_POOL_WAIT_MS % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  dyad_store *st = NULL;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    for (unsigned i = 0; i < p->n && !st; i++) {
      if (!p->busy[i]) {
        p->busy[i] = 1;
        st = p->st[i];
        *slot = i;
      }
    }
    if (st || pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT) break;
  }
  pthread_mutex_unlock(&p->mu);
  return st;
}

static void pool_put(pool *p, unsigned slot) {
  pthread_mutex_lock(&p->mu);
  p->busy[slot] = 0;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* ---- the server ---- */

typedef struct server {
  const sv_config *cfg;
  pool pool;
  char (*etag)[24];        /* one per asset */
  int loopback;            /* bound to a loopback address: check Host */
  FILE *log;
} server;

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

static void common_headers(struct MHD_Response *r) {
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Content-Security-Policy", csp);
}

/* Queue BODY (malloc'd, taken) as the answer. */
static enum MHD_Result send_body(struct MHD_Connection *conn, unsigned status, char *body,
                                 size_t len, const char *type, const char *cache) {
  struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
  if (!r) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", cache);
  common_headers(r);
  enum MHD_Result ok = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, sv_buf *b) {
  size_t len;
  char *body = sv_buf_take(b, &len);
  if (!body) return MHD_NO;
  return send_body(conn, status, body, len, "application/json; charset=utf-8", "no-store");
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status,
                                  const char *msg) {
  sv_buf b;
  sv_buf_init(&b, 4096);
  sv_api_error(&b, (int)status, msg);
  enum MHD_Result ok = send_json(conn, status, &b);
  sv_buf_free(&b);
  return ok;
}

/* 1 when HOST (a Host header) names this machine's loopback. */
static int loopback_host(const char *host) {
  char h[80];
  size_t n = strlen(host);
  if (n == 0 || n >= sizeof h) return 0;
  memcpy(h, host, n + 1);
  char *end;
  if (h[0] == '[') {
    end = strchr(h, ']');
    if (!end) return 0;
    if (end[1] && end[1] != ':') return 0;
    *end = '\0';
    return !strcmp(h + 1, "::1");
  }
  end = strchr(h, ':');
  if (end) *end = '\0';
  for (char *c = h; *c; c++) {
    if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
  }
  if (!strcmp(h, "localhost")) return 1;
  struct in_addr a;
  return inet_pton(AF_INET, h, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* 1 when PATH may be looked up at all. */
static int clean_path(const char *path) {
  if (path[0] != '/') return 0;
  if (strstr(path, "..") || strstr(path, "//")) return 0;
  for (const char *c = path; *c; c++) {
    unsigned char u = (unsigned char)*c;
    if (u < 0x20 || u == 0x7F || u == '\\') return 0;
  }
  return 1;
}

/*
 * Percent-decoding of the path and of the query's keys and values, in
 * place. A %-escape that decodes to NUL or another control character
 * becomes DEL (0x7F), which the path check and the parameter checks
 * refuse: "/index.html%00.png" must not quietly become "/index.html".
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s) {
  (void)cls;
  (void)conn;
  char *w = s;
  for (const char *r = s; *r; r++) {
    int hi, lo;
    if (r[0] == '%' && r[1] && r[2] && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
      unsigned char c = (unsigned char)(hi * 16 + lo);
      *w++ = (char)(c < 0x20 || c == 0x7F ? 0x7F : c);
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
  return (size_t)(w - s);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  (void)kind;
  sv_args_add(cls, key, value);
  return MHD_YES;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static enum MHD_Result serve_api(server *s, struct MHD_Connection *conn, const char *path,
                                 unsigned *status) {
  if (!sv_api_exists(path)) {
    *status = 404;
    return send_error(conn, 404, "no such endpoint (see docs/serve.md: /api/summary, "
                                 "/api/events, /api/timeline, /api/network, /api/actors, "
                                 "/api/event)");
  }
  sv_args args;
  memset(&args, 0, sizeof args);
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
  unsigned slot;
  dyad_store *st = pool_get(&s->pool, &slot);
  if (!st) {
    *status = 503;
    return send_error(conn, 503, "the server is busy; try again");
  }
  sv_buf b;
  sv_buf_init(&b, SV_MAX_BODY);
  int code = sv_api(path, &args, st, s->cfg->timeout_ms, &b);
  pool_put(&s->pool, slot);
  *status = (unsigned)code;
  enum MHD_Result ok = send_json(conn, (unsigned)code, &b);
  sv_buf_free(&b);
  return ok;
}

static enum MHD_Result serve_asset(server *s, struct MHD_Connection *conn, const char *path,
                                   unsigned *status) {
  const sv_asset *a = sv_asset_find(strcmp(path, "/") ? path : "/index.html");
  if (!a) {
    *status = 404;
    return send_error(conn, 404, "no such file");
  }
  const char *etag = s->etag[a - sv_assets];
  const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
  struct MHD_Response *r;
  if (inm && !strcmp(inm, etag)) {
    *status = 304;
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  } else {
    *status = 200;
    r = MHD_create_response_from_buffer((size_t)(a->end - a->start), (void *)a->start,
                                        MHD_RESPMEM_PERSISTENT);
  }
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", a->type);
  MHD_add_response_header(r, "Cache-Control", "no-cache");
  MHD_add_response_header(r, "ETag", etag);
  common_headers(r);
  enum MHD_Result ok = MHD_queue_response(conn, *status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
  (void)version;
  (void)upload;
  (void)upload_size;
  (void)con_cls;
  server *s = cls;
  double t0 = now_ms();
  unsigned status;
  enum MHD_Result ok;
  if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
    /* Answered before any body is read; libmicrohttpd then closes. */
    status = 405;
    sv_buf b;
    sv_buf_init(&b, 4096);
    sv_api_error(&b, 405, "only GET and HEAD are served: the dashboard is read-only");
    size_t len;
    char *body = sv_buf_take(&b, &len);
    struct MHD_Response *r = body ? MHD_create_response_from_buffer_with_free_callback(len, body, free)
                                  : NULL;
    if (!r) {
      free(body);
      return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Allow", "GET, HEAD");
    common_headers(r);
    ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
  } else if (s->loopback &&
             MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST) &&
             !loopback_host(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_HOST))) {
    /* A page elsewhere that made its name resolve to 127.0.0.1 (DNS
     * rebinding) must not read the store through the visitor's browser. */
    status = 403;
    ok = send_error(conn, 403, "this server answers only requests for localhost or a "
                               "loopback address (the Host header names another host)");
  } else if (strlen(url) > SV_MAX_PATH) {
    status = 414;
    ok = send_error(conn, 414, "the path is too long");
  } else if (!clean_path(url)) {
    status = 400;
    ok = send_error(conn, 400, "invalid path: '..', '//', backslashes and control "
                               "characters are refused");
  } else if (!strncmp(url, "/api/", 5)) {
    ok = serve_api(s, conn, url, &status);
  } else {
    ok = serve_asset(s, conn, url, &status);
  }
  if (s->cfg->verbose) {
    char shown[80];
    size_t n = 0;
    for (const char *c = url; *c && n + 1 < sizeof shown; c++) {
      unsigned char u = (unsigned char)*c;
      shown[n++] = u < 0x20 || u >= 0x7F ? '?' : (char)u;
    }
    shown[n] = '\0';
    fprintf(s->log, "%s %s %u %.1f ms\n", strlen(method) < 10 ? method : "?", shown, status,
            now_ms() - t0);
  }
  return ok;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
  server *s = cls;
  if (!s->cfg->verbose) return;
  fputs("dyad serve: ", s->log);
  vfprintf(s->log, fmt, ap);
}

static void etag_of(const sv_asset *a, char out[24]) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *p = a->start; p < a->end; p++) {
    h ^= *p;
    h *= 1099511628211ULL;
  }
  snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

int sv_run(const sv_config *c, dyad_error *err) {
  if (c->threads < 1 || c->threads > 64) {
    return fail(err, DYAD_EINVAL, "threads must be 1 to 64");
  }
  if (c->port > 65535) return fail(err, DYAD_EINVAL, "port must be 0 to 65535");
  server s;
  memset(&s, 0, sizeof s);
  s.cfg = c;
  s.log = c->log ? c->log : stderr;

  /* Where to listen. */
  const char *bind = c->bind && *c->bind ? c->bind : "127.0.0.1";
  if (!strcmp(bind, "localhost")) bind = "127.0.0.1";
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  struct sockaddr *addr;
  unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
  memset(&a4, 0, sizeof a4);
  memset(&a6, 0, sizeof a6);
  if (inet_pton(AF_INET, bind, &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    a4.sin_port = htons((uint16_t)c->port);
    addr = (struct sockaddr *)&a4;
    s.loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
  } else if (inet_pton(AF_INET6, bind, &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons((uint16_t)c->port);
    addr = (struct sockaddr *)&a6;
    flags |= MHD_USE_IPv6;
    s.loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
  } else {
    return fail(err, DYAD_EINVAL, "cannot listen on '%s': give an IPv4 or IPv6 address", bind);
  }

  s.etag = calloc(sv_nassets ? sv_nassets : 1, sizeof *s.etag);
  if (!s.etag) return fail(err, DYAD_ENOMEM, "out of memory");
  for (size_t i = 0; i < sv_nassets; i++) etag_of(&sv_assets[i], s.etag[i]);

  int rc = pool_open(&s.pool, c, err);
  if (rc) {
    pool_close(&s.pool);
    free(s.etag);
    return rc;
  }

  /* The workers inherit a mask with SIGINT and SIGTERM blocked; this
   * thread waits for them with sigwait. */
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &old);

  struct MHD_Daemon *d = MHD_start_daemon(
      flags, (uint16_t)c->port, NULL, NULL, handle, &s,
      MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,   /* first, or early messages miss it */
      MHD_OPTION_SOCK_ADDR, addr,
      MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)c->threads,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SV_MAX_CONNECTIONS,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SV_IDLE_TIMEOUT,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SV_CONN_MEMORY,
      MHD_OPTION_END);
  if (!d) {
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pool_close(&s.pool);
    free(s.etag);
    return fail(err, DYAD_EIO, "cannot listen on %s port %u (in use, or not this machine's "
                               "address?)", bind, c->port);
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : c->port;
  int v6 = addr == (struct sockaddr *)&a6;
  fprintf(s.log, "dyad serve: http://%s%s%s:%u/ (%s store %s, %u threads; Ctrl-C stops)\n",
          v6 ? "[" : "", bind, v6 ? "]" : "", port, dyad_store_backend(s.pool.st[0]),
          strncmp(c->db, "postgres", 8) ? c->db : "(postgresql URL)", c->threads);
  if (!s.loopback) {
    fprintf(s.log, "dyad serve: warning: listening on %s: anyone who can reach this address "
                   "can read the store\n", bind);
  }
  fflush(s.log);

  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(s.log, "dyad serve: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  fflush(s.log);
  MHD_stop_daemon(d);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pool_close(&s.pool);
  free(s.etag);
  return DYAD_OK;
}
