/*
 * deps_api.h - the hub's dependency picture endpoints (deps_api.c), called
 * by api.c with the same narrow request as the assessment endpoints
 * (wbi_hub_areq of assess_api.h).
 */
#ifndef WB_DEPS_API_H
#define WB_DEPS_API_H

#include "hub/assess_api.h"

void wbi_hub_deps_share(wbi_hub_areq *r);   /* POST /api/v1/deps/pictures */
void wbi_hub_deps_own(wbi_hub_areq *r);     /* GET  /api/v1/deps/pictures/own */
void wbi_hub_deps_sectors(wbi_hub_areq *r); /* GET  /api/v1/deps/sectors */

#endif
