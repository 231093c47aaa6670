/*
 * kbgeo.c - the system gazetteer: GeoNames cities from Debian's
 * libgeonames (about 24,000 places with coordinates and population),
 * read when the built-in knowledge base is compiled. Our own place file
 * (data/places/) adds what it lacks.
 */
#include <geonames.h>
#include <stdio.h>

#include "kb/kbbuild.h"

int kb_read_geonames(kb_builder *b) {
  int n = geonames_get_n_cities();
  int missing = 0;
  for (int i = 0; i < n; i++) {
    GeonamesCity *city = geonames_get_city(i);
    if (!city) continue;
    const char *name = geonames_city_get_name(city);
    const char *cc2 = geonames_city_get_country_code(city);
    const char *cc3 = cc2 ? kbb_iso2_get(b, cc2) : NULL;
    if (!cc3) {
      missing++;
      geonames_city_free(city);
      continue;
    }
    kb_place p;
    memset(&p, 0, sizeof p);
    p.name = kbb_cstr(b, name);
    p.country = kbb_cstr(b, cc3);
    const char *st = geonames_city_get_state(city);
    p.admin1 = kbb_cstr(b, st ? st : "");
    p.lat = (float)geonames_city_get_latitude(city);
    p.lon = (float)geonames_city_get_longitude(city);
    p.population = geonames_city_get_population(city);
    uint32_t pi = kbb_place(b, &p);
    uint32_t ids[KBB_MAX_PHRASE];
    int k = kbb_phrase(b, name, strlen(name), ids);
    if (k > 0) kbb_trie_add(b, TRIE_PLACE, ids, k, pi);
    geonames_city_free(city);
  }
  if (missing) {
    kbb_diag(b, DYAD_DIAG_WARNING, "geonames:", 0,
             "%d cities skipped: their country has no iso2 in the countries file", missing);
  }
  return 0;
}
