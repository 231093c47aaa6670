/*
 * params.h - the query-string parameters of the dashboard's JSON
 * endpoints, checked one by one into a dyad_query. Internal to `dyad serve`.
 */
#ifndef DYAD_SERVE_PARAMS_H
#define DYAD_SERVE_PARAMS_H

#include <stddef.h>

#include "dyad.h"

#define SV_MAX_ARGS 32      /* parameters in one request */
#define SV_MAX_VALUE 256    /* bytes in one value */
#define SV_MAX_OFFSET 1000000L

/* The raw parameters of one request (pointers into the server's memory). */
typedef struct sv_args {
  const char *key[SV_MAX_ARGS];
  const char *val[SV_MAX_ARGS];
  int n;
  int overflow;             /* 1 when there were more than SV_MAX_ARGS */
} sv_args;

/* Add one parameter; sets overflow when full. VAL may be NULL ("?a"). */
void sv_args_add(sv_args *a, const char *key, const char *val);

/* Checked parameters; q's strings point into this struct. */
typedef struct sv_params {
  dyad_query q;
  char actor[33], source[33], target[33], from[11], to[11], root[3], code[5];
  char plover[33], modality[16], place[65], id[65], by[6];
  int dyad;                 /* 1 when given as dyad=A,B */
} sv_params;

/* What an endpoint accepts. */
typedef struct sv_spec {
  const char *keys;         /* space-separated names accepted, besides filters */
  int filters;              /* 1: the event filters are accepted too */
  long default_limit, max_limit;  /* 0: no limit parameter */
} sv_spec;

/* The filter parameters, space-separated (for messages and docs). */
extern const char sv_filter_keys[];

/*
 * Check ARGS against SPEC into *P. Returns 0, or -1 with a message for
 * the client in MSG (for a 400 answer). Empty values count as absent.
 */
int sv_params_parse(const sv_args *a, const sv_spec *spec, sv_params *p, char *msg,
                    size_t msglen);

#endif
