/*
 * picture_api.h - the hub's threat picture endpoint (picture_api.c), called
 * by api.c with the narrow request of the assessment endpoints (wbi_hub_areq).
 */
#ifndef WB_PICTURE_API_H
#define WB_PICTURE_API_H

#include "hub/assess_api.h"

void wbi_hub_picture(wbi_hub_areq *r); /* GET /api/v1/picture */

#endif
