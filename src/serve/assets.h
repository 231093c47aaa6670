/*
 * assets.h - the dashboard's files (web/), embedded in the binary at
 * build time (serve.cmake generates the table). Nothing is ever read
 * from the file system at run time.
 */
#ifndef DYAD_SERVE_ASSETS_H
#define DYAD_SERVE_ASSETS_H

#include <stddef.h>

typedef struct sv_asset {
  const char *path;              /* "/app.js" */
  const char *type;              /* "text/javascript; charset=utf-8" */
  const unsigned char *start, *end;
} sv_asset;

extern const sv_asset sv_assets[];
extern const size_t sv_nassets;

/* The asset at exactly PATH, or NULL. */
const sv_asset *sv_asset_find(const char *path);

#endif
