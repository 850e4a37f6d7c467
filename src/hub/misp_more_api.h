/*
 * misp_more_api.h - the handlers of misp_more_api.c (MISP's sightings
 * search, galaxies and clusters, proposals, attributes/view and
 * objects/delete), for api.c's route table.
 */
#ifndef WB_HUB_MISP_MORE_API_H
#define WB_HUB_MISP_MORE_API_H

#include "hub/router.h"

void wbi_hub_h_misp_sight_search(wbi_hub_req *r);
void wbi_hub_h_misp_sight_index(wbi_hub_req *r);
void wbi_hub_h_misp_sight_list(wbi_hub_req *r);
/* POST|DELETE sightings/delete/ID|UUID */
void wbi_hub_h_misp_sight_delete(wbi_hub_req *r);
void wbi_hub_h_misp_galaxies(wbi_hub_req *r);
void wbi_hub_h_misp_galaxy_search(wbi_hub_req *r);
void wbi_hub_h_misp_galaxy_view(wbi_hub_req *r);
void wbi_hub_h_misp_cluster_view(wbi_hub_req *r);
void wbi_hub_h_misp_cluster_index(wbi_hub_req *r);
void wbi_hub_h_misp_cluster_attach(wbi_hub_req *r);
void wbi_hub_h_misp_prop_add(wbi_hub_req *r);
void wbi_hub_h_misp_prop_edit(wbi_hub_req *r);
void wbi_hub_h_misp_prop_delete(wbi_hub_req *r);
void wbi_hub_h_misp_prop_accept(wbi_hub_req *r);
void wbi_hub_h_misp_prop_discard(wbi_hub_req *r);
void wbi_hub_h_misp_prop_index(wbi_hub_req *r);
void wbi_hub_h_misp_prop_view(wbi_hub_req *r);
void wbi_hub_h_misp_attr_view(wbi_hub_req *r);
void wbi_hub_h_misp_object_delete(wbi_hub_req *r);
/* events/view/REF of a person, with MISP's ids (misp_sync_api.c calls it
 * once REF is a uuid) */
void wbi_hub_h_misp_event_view_person(wbi_hub_req *r);

#endif
