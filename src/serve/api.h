/*
 * api.h - the dashboard's read-only JSON endpoints over a store.
 * Internal to `dyad serve`.
 */
#ifndef DYAD_SERVE_API_H
#define DYAD_SERVE_API_H

#include "dyad.h"
#include "serve/buf.h"
#include "serve/params.h"

/* Largest JSON answer, in bytes. */
#define SV_MAX_BODY (8u << 20)
/* Rows: events per page, edges of the network, periods of one series,
 * mentions of one event. */
#define SV_MAX_EVENTS 1000
#define SV_MAX_EDGES 1000
#define SV_MAX_PERIODS 5000
#define SV_MAX_MENTIONS 200

/* 1 when PATH names an endpoint ("/api/events"). */
int sv_api_exists(const char *path);

/*
 * Answer the endpoint PATH with ARGS from ST within BUDGET_MS: returns the
 * HTTP status and leaves the JSON body in OUT ({"error": ...} for 4xx and
 * 5xx). ST belongs to the calling thread for the duration of the call.
 */
int sv_api(const char *path, const sv_args *args, dyad_store *st, long budget_ms, sv_buf *out);

/* A JSON error body {"error": MSG, "status": STATUS} in OUT; returns STATUS. */
int sv_api_error(sv_buf *out, int status, const char *msg);

#endif
