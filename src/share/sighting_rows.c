/*
 * sighting_rows.c - the raw rows of an event's attributes and sightings
 * (sightingsvc.h) for the hub's views, which judge each row with the
 * policy as they write it: the front end reads them here, not from the
 * store.
 */
#include "weerbaar/sightingsvc.h"

int wb_sightsvc_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err)
{
    return wb_store_attr_get(s, uuid, cb, ud, err);
}

int wb_sightsvc_event_attrs(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err)
{
    return wb_store_attr_list(s, event_id, cb, ud, err);
}

int wb_sightsvc_event_rows(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                           wb_error *err)
{
    return wb_store_sighting_list(s, event_id, cb, ud, err);
}
