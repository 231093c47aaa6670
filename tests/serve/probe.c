/*
 * probe.c - a raw HTTP client for the serve tests: sends exactly the bytes
 * asked for (no path clean-up, unlike most clients), to 127.0.0.1 only.
 *
 *   serve-probe PORT TARGET [HEADER...]   GET TARGET; prints the status
 *                                         line's code, a newline, the body
 *   serve-probe PORT -m METHOD TARGET [HEADER...]
 *   serve-probe PORT -raw FILE            sends FILE as it is
 *   serve-probe PORT -long N              GET with a path of N bytes
 *   serve-probe PORT -header N            GET / with a header of N bytes
 *
 * Prints "000" when the server closed the connection without an answer.
 * Exit status: 0 when an answer (or a clean close) came, 1 on a connect
 * error or a time-out (10 s).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int send_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;   /* the server may close early on a bad request */
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static char *build(int argc, char **argv, size_t *len) {
  const char *method = "GET";
  int i = 2;
  size_t cap = 1 << 20;
  char *req = malloc(cap + 1);
  if (!req) return NULL;
  size_t n = 0;
  if (!strcmp(argv[i], "-raw")) {
    FILE *f = fopen(argv[i + 1], "rb");
    if (!f) {
      perror(argv[i + 1]);
      exit(1);
    }
    n = fread(req, 1, cap, f);
    fclose(f);
    *len = n;
    return req;
  }
  if (!strcmp(argv[i], "-long") || !strcmp(argv[i], "-header")) {
    long k = atol(argv[i + 1]);
    if (k < 1 || (size_t)k > cap - 256) exit(2);
    if (argv[i][1] == 'l') {
      n += (size_t)sprintf(req, "GET /api/events?place=");
      memset(req + n, 'a', (size_t)k);
      n += (size_t)k;
      n += (size_t)sprintf(req + n, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    } else {
      n += (size_t)sprintf(req, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ");
      memset(req + n, 'b', (size_t)k);
      n += (size_t)k;
      n += (size_t)sprintf(req + n, "\r\nConnection: close\r\n\r\n");
    }
    *len = n;
    return req;
  }
  if (!strcmp(argv[i], "-m")) {
    method = argv[i + 1];
    i += 2;
  }
  const char *target = argv[i++];
  int host = 0;
  n += (size_t)snprintf(req + n, cap - n, "%s %s HTTP/1.1\r\n", method, target);
  for (; i < argc; i++) {
    if (!strncasecmp(argv[i], "host:", 5)) host = 1;
    n += (size_t)snprintf(req + n, cap - n, "%s\r\n", argv[i]);
  }
  if (!host) n += (size_t)snprintf(req + n, cap - n, "Host: 127.0.0.1\r\n");
  n += (size_t)snprintf(req + n, cap - n, "Connection: close\r\n\r\n");
  *len = n;
  return req;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: serve-probe PORT TARGET [HEADER...] (see probe.c)\n");
    return 2;
  }
  size_t len;
  char *req = build(argc, argv, &len);
  if (!req) return 1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("connect");
    return 1;
  }
  send_all(fd, req, len);
  free(req);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 4096 > cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) return 1;
    }
    ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      fprintf(stderr, "serve-probe: no answer in 10 s\n");
      return 1;
    }
    if (r <= 0) break;   /* closed (a reset after an early answer is fine) */
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  int status = 0;
  if (n > 12 && !strncmp(buf, "HTTP/1.", 7)) status = atoi(buf + 9);
  printf("%03d\n", status);
  char *body = strstr(buf, "\r\n\r\n");
  if (body) fwrite(body + 4, 1, n - (size_t)(body + 4 - buf), stdout);
  free(buf);
  return 0;
}
